//! `casctl up`: the tutorial's "create the Service, create the StatefulSet, watch the pods come
//! up", with preflight checks before any write and a rollout that ends when the ring is whole.

use std::time::{Duration, Instant};

use anyhow::Result;
use k8s_openapi::api::core::v1::{Namespace, Node, Service};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::ResourceExt;

use crate::cli::{DryRun, UpArgs};
use crate::error::{Code, Error};
use crate::fmt::seconds;
use crate::interrupt::Interrupt;
use crate::k8s::apply::{self, Change, Object, Outcome};
use crate::k8s::racks::{self, Ring};
use crate::k8s::{Cluster, objects};
use crate::manifest::{self, Manifests, Rack, Settings, Target};
use crate::racks::{Layout, Placement};
use crate::ui::Ui;
use crate::ui::progress::View;
use crate::wait::{Context, Continued, Deadline, Goal, Set, Wait};
use crate::{preflight, rollout};

/// How long the first request may take before the API server counts as unreachable.
const REACH_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) async fn run(
    cluster: &Cluster,
    args: &UpArgs,
    deadline: Deadline,
    ui: &Ui,
    interrupt: &mut Interrupt,
) -> Result<Code> {
    let started = Instant::now();
    let mut settings = super::settings(&args.settings);
    let target = |replicas| Target {
        name: cluster.name.clone(),
        namespace: cluster.resolved.namespace.clone(),
        replicas,
        cluster_domain: args.settings.cluster_domain.clone(),
    };
    if args.dry_run == Some(DryRun::Client) {
        let manifests = Manifests::build(&target(None), &settings, args.create_storage_class)?;
        crate::ui::write_stdout(manifests.to_yaml()?)?;
        return Ok(Code::Ok);
    }
    let observed = observe(cluster, args.create_storage_class).await?;
    ui.phase(
        format!(
            "reading namespace {ns}, StatefulSet {name} (or its racks'), Service {name}, the StorageClasses and the nodes",
            ns = cluster.namespace(),
            name = cluster.name
        ),
        started,
    );
    settings.racks = racks_to_apply(
        &settings.racks,
        observed.ring.as_ref(),
        cluster.namespace(),
        cluster.name.as_str(),
    )?;
    if !settings.racks.is_empty() {
        let up = Racked {
            cluster,
            args,
            settings: &settings,
            target: target(None),
            deadline,
            ui,
        };
        return up.run(observed, started, interrupt).await;
    }
    let current = observed.ring.as_ref().map(|r| r.replicas()[0]);
    let replicas = replicas_to_apply(
        settings.replicas,
        current,
        cluster.namespace(),
        cluster.name.as_str(),
    )?;
    let manifests = Manifests::build(
        &target(Some(replicas)),
        &settings,
        args.create_storage_class,
    )?;
    let wanted = settings.replicas.unwrap_or(replicas).max(replicas);
    preflight(cluster, &observed, &manifests, wanted, ui)?;

    let dry_run = args.dry_run == Some(DryRun::Server);
    let options = apply::Options {
        force: args.force_conflicts,
        dry_run,
    };
    let applying = Instant::now();
    let changes = apply::apply_all(cluster, &objects(manifests, observed), options).await?;
    ui.phase(
        format!(
            "server-side dry run of every object{}",
            if dry_run {
                ""
            } else {
                ", then server-side apply"
            }
        ),
        applying,
    );
    let growth = (wanted > replicas).then_some((replicas, wanted));
    for change in &changes {
        show_change(change, growth, dry_run, ui);
    }
    if dry_run {
        return Ok(Code::Ok);
    }
    let selector = objects::selector_string(&manifest::selector_labels(&cluster.name));
    if let Some(range) = growth {
        super::steps::replace_stale_claims(cluster, &selector, range, deadline, ui, interrupt)
            .await?;
        objects::set_replicas(cluster, cluster.name.as_str(), range.1).await?;
    }
    ui.detail(format!(
        "applied after {} ms",
        started.elapsed().as_millis()
    ));
    let rollout = Instant::now();
    if args.no_wait {
        ui.info("not waiting for the rollout (--no-wait); follow it with `casctl status`");
        return Ok(Code::Ok);
    }
    wait_for_rollout(cluster, args, wanted, deadline, ui, interrupt).await?;
    ui.phase(
        format!(
            "watching StatefulSet {}, its pods, claims and events until the rollout is complete{}",
            cluster.name,
            if args.no_ring_check {
                ""
            } else {
                " (and nodetool status in a Ready pod)"
            }
        ),
        rollout,
    );
    if let Some((before, _)) = growth {
        let pods: Vec<String> = (0..before)
            .map(|i| format!("{}-{i}", cluster.name))
            .collect();
        match args.no_cleanup {
            false => super::steps::cleanup(cluster, &pods, deadline, ui, interrupt).await?,
            true => super::steps::cleanup_skipped(cluster, &pods, ui),
        }
    }
    ui.success(format!(
        "{} is up in namespace {}: {wanted}/{wanted} pods Ready{} ({})",
        cluster.name,
        cluster.namespace(),
        if args.no_ring_check {
            ""
        } else {
            ", ring complete"
        },
        seconds(started.elapsed())
    ));
    Ok(Code::Ok)
}

async fn wait_for_rollout(
    cluster: &Cluster,
    args: &UpArgs,
    wanted: u32,
    deadline: Deadline,
    ui: &Ui,
    interrupt: &mut Interrupt,
) -> Result<()> {
    let selector = objects::selector_string(&manifest::selector_labels(&cluster.name));
    let goal = Goal::Ready {
        sets: vec![Set::new(cluster.name.as_str(), wanted)],
        ring: !args.no_ring_check,
    };
    let context = Context {
        namespace: cluster.namespace().to_owned(),
        name: cluster.name.to_string(),
        done: "the objects stay as they are".to_owned(),
        resume: "run the same command again to resume waiting".to_owned(),
    };
    let wait = Wait::new(goal, 1, Instant::now(), deadline, context);
    let mut view = View::new(ui);
    crate::k8s::wait::run(cluster, wait, &[selector], None, interrupt, &mut view).await
}

/// The racks the ring has: the flag's for a new ring; a ring with racks keeps the ones it was
/// made with (the flag may repeat them), a ring without keeps having none. Racks are never
/// added, removed or reordered in place: their data placement and seeds depend on them.
fn racks_to_apply(
    flag: &[String],
    ring: Option<&Ring>,
    ns: &str,
    name: &str,
) -> Result<Vec<String>> {
    let Some(ring) = ring else {
        return Ok(flag.to_vec());
    };
    let made_with = &ring.made_with;
    match (ring.layout.has_racks(), flag.is_empty()) {
        (false, true) => Ok(Vec::new()),
        (false, false) => Err(Error::usage(
            format!(
                "{name} is a ring without racks (StatefulSet {name}); `--racks {}` cannot add racks to it",
                flag.join(",")
            ),
            Some(format!(
                "leave out --racks, or make a ring with racks under another name: casctl up -n {ns} --name NAME --racks {}",
                flag.join(",")
            )),
        )
        .into()),
        (true, true) => Ok(made_with.clone()),
        (true, false) if flag == made_with.as_slice() => Ok(flag.to_vec()),
        (true, false) => Err(Error::usage(
            format!(
                "{name} has the racks {}; racks cannot be added, removed or reordered in place (`--racks {}`)",
                made_with.join(","),
                flag.join(",")
            ),
            Some("leave out --racks to keep them".to_owned()),
        )
        .into()),
    }
}

/// `up` of a ring with racks: every rack's StatefulSet is applied at the size it has (a new
/// one with none), then the nodes join one at a time across the racks.
struct Racked<'a> {
    cluster: &'a Cluster,
    args: &'a UpArgs,
    settings: &'a Settings,
    target: Target,
    deadline: Deadline,
    ui: &'a Ui,
}

impl Racked<'_> {
    async fn run(
        &self,
        observed: Observed,
        started: Instant,
        interrupt: &mut Interrupt,
    ) -> Result<Code> {
        let (cluster, ui, args) = (self.cluster, self.ui, self.args);
        let layout = Layout::racked(cluster.name.as_str(), self.settings.racks.clone());
        let current = current_sizes(&layout, observed.ring.as_ref());
        let before: u32 = current.iter().sum();
        let keep = replicas_to_apply(
            self.settings.replicas,
            (before > 0).then_some(before),
            cluster.namespace(),
            cluster.name.as_str(),
        )?;
        let wanted = self.settings.replicas.unwrap_or(keep).max(before);
        let target: Vec<u32> = crate::racks::distribute(wanted, current.len())
            .into_iter()
            .zip(&current)
            .map(|(even, now)| even.max(*now))
            .collect();
        let plan = self.plan(&layout, &current, &observed);
        let manifests = Manifests::build_racks(
            &self.target,
            self.settings,
            args.create_storage_class,
            &plan,
        )?;
        let wanted = target.iter().sum();
        manifest::check_rack_sizes(wanted, layout.racks().len())?;
        preflight(cluster, &observed, &manifests, wanted, ui)?;
        let joining = crate::racks::join_order(&current, &target);
        if args.no_wait && !joining.is_empty() {
            return Err(Error::usage(
                "--no-wait cannot grow a ring with racks: casctl adds its nodes one at a time across the racks, waiting for each",
                Some("leave out --no-wait".to_owned()),
            )
            .into());
        }
        let dry_run = args.dry_run == Some(DryRun::Server);
        let options = apply::Options {
            force: args.force_conflicts,
            dry_run,
        };
        let objects = objects(manifests, observed);
        let trial = apply::Options {
            dry_run: true,
            ..options
        };
        let planned = apply::apply_all(cluster, &objects, trial).await?;
        let staged = staged_racks(&planned);
        if args.no_wait && !staged.is_empty() {
            return Err(Error::usage(
                "--no-wait cannot change the pods of several racks: casctl rolls the change out one rack after the other, waiting for each",
                Some("leave out --no-wait".to_owned()),
            )
            .into());
        }
        if dry_run {
            for change in &planned {
                show_change(change, None, true, ui);
            }
            let pods: Vec<String> = joining.iter().map(|s| layout.pod(*s)).collect();
            if !pods.is_empty() {
                ui.info(format!("would join one at a time: {}", pods.join(", ")));
            }
            if !staged.is_empty() {
                ui.info("the racks' pods would change one rack after the other");
            }
            return Ok(Code::Ok);
        }
        let selector = objects::selector_string(&manifest::selector_labels(&cluster.name));
        let (now, later): (Vec<_>, Vec<_>) = objects
            .into_iter()
            .enumerate()
            .partition(|(i, _)| !staged.contains(i));
        for change in apply::apply_all(cluster, &strip(now), options).await? {
            show_change(&change, None, false, ui);
        }
        if args.no_wait {
            ui.info("not waiting for the rollout (--no-wait); follow it with `casctl status`");
            return Ok(Code::Ok);
        }
        let mut sink = Continued::new(View::new(ui));
        for (i, object) in later {
            ui.info(format!(
                "{} changes its pods once the racks before it are done and the ring is whole",
                planned[i].name
            ));
            let settled = super::racks::Settle {
                layout: &layout,
                sizes: &current,
                selector: &selector,
                ring: !args.no_ring_check,
                again: "run the same command again: it rolls the change out over the racks not changed yet"
                    .to_owned(),
            };
            settled
                .wait(cluster, self.deadline, interrupt, &mut sink)
                .await?;
            for change in apply::apply_all(cluster, &[object], options).await? {
                show_change(&change, None, false, ui);
            }
        }
        let growth = super::racks::Growth {
            layout: &layout,
            from: &current,
            to: &target,
            selector: &selector,
            ring: !args.no_ring_check,
            again:
                "run the same command again: the nodes that have not joined yet join one at a time"
                    .to_owned(),
        };
        super::racks::join(cluster, &growth, self.deadline, ui, interrupt, &mut sink).await?;
        if !joining.is_empty() && before > 0 {
            let pods = layout.pods(&current);
            match args.no_cleanup {
                false => {
                    super::steps::cleanup(cluster, &pods, self.deadline, ui, interrupt).await?
                }
                true => super::steps::cleanup_skipped(cluster, &pods, ui),
            }
        }
        ui.success(format!(
            "{} is up in namespace {}: {wanted}/{wanted} pods Ready in {} racks ({}){} ({})",
            cluster.name,
            cluster.namespace(),
            layout.racks().len(),
            layout.sizes(&target),
            if args.no_ring_check {
                ""
            } else {
                ", ring complete"
            },
            seconds(started.elapsed())
        ));
        Ok(Code::Ok)
    }

    /// Each rack at the size it has, placed where it is (moving a running rack would restart
    /// every pod of it at once); a new rack pinned to its zone when there are enough.
    fn plan(&self, layout: &Layout, current: &[u32], observed: &Observed) -> Vec<Rack> {
        let label = &self.settings.zone_label;
        let racks = layout.racks();
        let zones = observed
            .nodes
            .as_ref()
            .map(|nodes| crate::racks::zones(nodes, label));
        let fresh = match &zones {
            Some(zones) => crate::racks::placement(racks.len(), zones),
            None => vec![Placement::Spread; racks.len()],
        };
        let existing = |set: &str| {
            observed
                .ring
                .as_ref()?
                .statefulsets
                .iter()
                .find(|s| s.name_any() == set)
        };
        let sets = layout.sets();
        let any_new = sets.iter().any(|s| existing(s).is_none());
        match &zones {
            Some(zones) if any_new => {
                if let Some(warning) =
                    crate::racks::shared_domain_warning(racks.len(), zones, label)
                {
                    self.ui.warn(warning);
                }
            }
            None if any_new => self
                .ui
                .detail("cannot list nodes; the racks spread over the zones instead of one each"),
            _ => {}
        }
        racks
            .iter()
            .zip(&sets)
            .enumerate()
            .map(|(i, (rack, set))| Rack {
                name: rack.clone(),
                replicas: current[i],
                placement: existing(set)
                    .map_or_else(|| fresh[i].clone(), |s| manifest::placement_of(s, label)),
            })
            .collect()
    }
}

/// The existing racks whose pods the apply would change, after the first: each waits until the
/// rack before it has rolled its pods (its StatefulSet's rolling update, one pod at a time)
/// and the ring is whole again. Applied at once, every rack would take a node down at the same
/// time, and a token range has a replica in each rack.
fn staged_racks(planned: &[Change]) -> Vec<usize> {
    planned
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == "StatefulSet" && c.outcome == Outcome::Configured)
        .filter(|(_, c)| c.paths.iter().any(|p| p.starts_with("spec.template")))
        .map(|(i, _)| i)
        .skip(1)
        .collect()
}

fn strip(objects: Vec<(usize, Object)>) -> Vec<Object> {
    objects.into_iter().map(|(_, o)| o).collect()
}

/// The replicas each rack's StatefulSet has (0 for one that does not exist yet).
fn current_sizes(layout: &Layout, ring: Option<&Ring>) -> Vec<u32> {
    layout
        .sets()
        .iter()
        .map(|set| {
            ring.and_then(|r| r.statefulsets.iter().find(|s| s.name_any() == *set))
                .map_or(0, rollout::replicas)
        })
        .collect()
}

/// The objects to apply, in order, each with what exists of it now.
fn objects(manifests: Manifests, observed: Observed) -> Vec<Object> {
    let mut objects = Vec::new();
    if let Some(class) = manifests.storage_class {
        objects.push(Object::StorageClass(Box::new((
            class,
            observed.storage_class,
        ))));
    }
    objects.push(Object::Service(Box::new((
        manifests.service,
        observed.service,
    ))));
    let existing = observed.ring.map(|r| r.statefulsets).unwrap_or_default();
    for sts in manifests.statefulsets {
        let before = existing
            .iter()
            .find(|e| e.name_any() == sts.name_any())
            .cloned();
        objects.push(Object::StatefulSet(Box::new((sts, before))));
    }
    objects
}

/// `StatefulSet cassandra created`, `… would be configured` and the paths that change. A
/// ring that `up` grows is never "unchanged".
fn show_change(change: &Change, growth: Option<(u32, u32)>, dry_run: bool, ui: &Ui) {
    let grows = growth.filter(|_| change.kind == "StatefulSet");
    let outcome = match (change.outcome, grows) {
        (Outcome::Unchanged, Some(_)) => Outcome::Configured,
        (outcome, _) => outcome,
    };
    let word = match outcome {
        Outcome::Created => "created",
        Outcome::Configured => "configured",
        Outcome::Unchanged => "unchanged",
    };
    let verb = if dry_run { "would be " } else { "" };
    ui.info(format!("{} {} {verb}{word}", change.kind, change.name));
    let mut paths = change.paths.clone();
    if let Some((from, to)) = grows {
        paths.push(format!("spec.replicas: {from} → {to}"));
    }
    if dry_run {
        for path in paths {
            ui.info(format!("  {path}"));
        }
    }
}

/// The replicas `up` applies. A running ring keeps its size: `up` never shrinks it (that needs
/// decommissioning, which is `casctl scale`), and grows it through the scale subresource after
/// the apply, as `scale` does.
fn replicas_to_apply(
    flag: Option<u32>,
    current: Option<u32>,
    namespace: &str,
    name: &str,
) -> Result<u32> {
    match (flag, current) {
        // A refusal about the ring, not about the flag: exit 1, as any check before a write.
        (Some(wanted), Some(current)) if wanted < current => Err(Error::Preflight {
            message: format!(
                "the ring has {current} nodes; `up --replicas {wanted}` would remove nodes without decommissioning them"
            ),
            hint: Some(format!(
                "shrink it safely with: casctl scale {wanted} -n {namespace} --name {name}"
            )),
        }
        .into()),
        (_, Some(current)) => Ok(current),
        (Some(wanted), None) => Ok(wanted),
        (None, None) => Ok(manifest::Templates::builtin()?
            .statefulset
            .spec
            .and_then(|s| s.replicas)
            .map_or(1, |r| r.max(1) as u32)),
    }
}

/// What `up` reads before it writes.
struct Observed {
    /// The ring's StatefulSets as they exist (none: a new ring).
    ring: Option<Ring>,
    service: Option<Service>,
    /// The tutorial's StorageClass as it exists, when `up` is to create it.
    storage_class: Option<StorageClass>,
    /// `None` when the user may not read namespaces (the Pod Security check is skipped).
    namespace: Option<Namespace>,
    /// `None` when the StorageClass is created by `up` itself.
    classes: Option<Vec<StorageClass>>,
    /// `None` when the user may not list nodes (the capacity check is skipped).
    nodes: Option<Vec<Node>>,
}

/// Reads everything the preflight needs, concurrently, bounded by one timeout so that an
/// unreachable API server is reported within seconds. Errors come in the order of the checks.
async fn observe(cluster: &Cluster, creates_class: bool) -> Result<Observed> {
    let ns = cluster.namespace();
    let all = |verb: &'static str, resource: &'static str| move |e| cluster.fail(e, verb, resource);
    let reads = async {
        tokio::join!(
            objects::namespace(cluster),
            racks::find(cluster),
            objects::service(cluster),
            objects::storage_classes(cluster),
            objects::nodes(cluster),
        )
    };
    let (namespace, ring, service, classes, nodes) = tokio::time::timeout(REACH_TIMEOUT, reads)
        .await
        .map_err(|_| unreachable(cluster))?;
    let namespace = match namespace {
        Ok(Some(namespace)) => Some(namespace),
        Ok(None) => {
            return Err(Error::NamespaceNotFound {
                namespace: ns.to_owned(),
            }
            .into());
        }
        Err(err) if matches!(&err, kube::Error::Api(s) if s.is_forbidden()) => None,
        Err(err) => return Err(cluster.fail(err, "get", "namespaces")),
    };
    let classes = classes.map_err(all("list", "storageclasses"))?;
    let storage_class = creates_class
        .then(|| {
            let wanted = manifest::Templates::builtin()
                .ok()?
                .storage_class
                .name_any();
            classes.iter().find(|c| c.name_any() == wanted).cloned()
        })
        .flatten();
    Ok(Observed {
        namespace,
        ring: ring?,
        service: service?,
        storage_class,
        classes: (!creates_class).then_some(classes),
        nodes: nodes.ok(),
    })
}

fn unreachable(cluster: &Cluster) -> anyhow::Error {
    Error::Unreachable {
        server: cluster.resolved.server.clone(),
        context: cluster.resolved.context.clone(),
        kubeconfig: cluster.source.to_string(),
    }
    .into()
}

/// Every check before the first write; each failure leaves the cluster untouched.
fn preflight(
    cluster: &Cluster,
    observed: &Observed,
    manifests: &Manifests,
    replicas: u32,
    ui: &Ui,
) -> Result<()> {
    let ns = cluster.namespace();
    match &observed.namespace {
        Some(namespace) => preflight::check_pod_security(ns, namespace.metadata.labels.as_ref())?,
        None => ui.detail(format!(
            "cannot read namespace {ns}; skipping the Pod Security check"
        )),
    }
    let Some(sts) = manifests.statefulsets.first() else {
        return Ok(());
    };
    match (&observed.classes, preflight::storage_class_of(sts)) {
        // Kubernetes' "no class": only volumes without a class bind, none is provisioned.
        (_, Some("")) => ui.info(
            "the claims use no StorageClass (--storage-class ''): only PersistentVolumes without a class bind to them",
        ),
        (Some(classes), Some(class)) => preflight::check_storage_class(class, classes)?,
        _ => {}
    }
    match &observed.nodes {
        Some(nodes) => {
            for warning in preflight::capacity_warnings(sts, replicas, nodes) {
                ui.warn(warning);
            }
        }
        None => ui.detail("cannot list nodes; skipping the capacity check"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_ring_gets_the_flag_or_the_template() {
        assert_eq!(
            replicas_to_apply(Some(5), None, "shop", "cassandra").unwrap(),
            5
        );
        assert_eq!(
            replicas_to_apply(None, None, "shop", "cassandra").unwrap(),
            3
        );
    }

    #[test]
    fn a_running_ring_keeps_its_size() {
        assert_eq!(
            replicas_to_apply(None, Some(4), "shop", "cassandra").unwrap(),
            4
        );
        assert_eq!(
            replicas_to_apply(Some(6), Some(4), "shop", "cassandra").unwrap(),
            4
        );
    }

    fn ring(racks: &[&str]) -> Ring {
        let racks: Vec<String> = racks.iter().map(|r| r.to_string()).collect();
        Ring {
            layout: match racks.is_empty() {
                true => Layout::single("cassandra"),
                false => Layout::racked("cassandra", racks.clone()),
            },
            statefulsets: Vec::new(),
            missing: Vec::new(),
            made_with: racks,
        }
    }

    fn racks(names: &[&str]) -> Vec<String> {
        names.iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn a_ring_keeps_the_racks_it_was_made_with() {
        let apply = |flag: &[&str], existing: Option<&Ring>| {
            racks_to_apply(&racks(flag), existing, "shop", "cassandra")
        };
        assert_eq!(apply(&["a", "b"], None).unwrap(), ["a", "b"]);
        assert_eq!(apply(&[], Some(&ring(&["a", "b"]))).unwrap(), ["a", "b"]);
        assert_eq!(
            apply(&["a", "b"], Some(&ring(&["a", "b"]))).unwrap(),
            ["a", "b"]
        );
        assert!(apply(&[], Some(&ring(&[]))).unwrap().is_empty());
    }

    #[test]
    fn racks_are_never_added_removed_or_reordered_in_place() {
        for (flag, existing) in [
            (&["a", "b"][..], ring(&[])),
            (&["b", "a"][..], ring(&["a", "b"])),
            (&["a"][..], ring(&["a", "b"])),
        ] {
            let err =
                racks_to_apply(&racks(flag), Some(&existing), "shop", "cassandra").unwrap_err();
            assert_eq!(crate::error::classify(&err).0, Code::Usage, "{err}");
        }
    }

    #[test]
    fn up_never_shrinks_a_ring() {
        let err = replicas_to_apply(Some(2), Some(4), "shop", "cassandra").unwrap_err();
        assert!(matches!(
            err.downcast_ref::<Error>(),
            Some(Error::Preflight { .. })
        ));
        let (code, hint) = crate::error::classify(&err);
        assert_eq!(code, Code::Error);
        assert_eq!(
            hint.as_deref(),
            Some("shrink it safely with: casctl scale 2 -n shop --name cassandra")
        );
    }
}
