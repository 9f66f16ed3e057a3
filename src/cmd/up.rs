//! `casctl up`: the tutorial's "create the Service, create the StatefulSet, watch the pods come
//! up", with preflight checks before any write and a rollout that ends when the ring is whole.

use std::time::{Duration, Instant};

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Namespace, Node, Service};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::ResourceExt;
use kube::api::{Api, ListParams};

use crate::cli::{DryRun, UpArgs};
use crate::error::{Code, Error};
use crate::fmt::seconds;
use crate::interrupt::Interrupt;
use crate::k8s::apply::{self, Change, Object, Outcome};
use crate::k8s::{Cluster, objects};
use crate::manifest::{self, Manifests, Target};
use crate::ui::Ui;
use crate::ui::progress::View;
use crate::wait::{Context, Deadline, Goal, Set, Wait};
use crate::{preflight, rollout};

/// How long the first request may take before the API server counts as unreachable.
const REACH_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) async fn run(
    cluster: &Cluster,
    args: &UpArgs,
    ui: &Ui,
    interrupt: &mut Interrupt,
) -> Result<Code> {
    let started = Instant::now();
    let deadline = Deadline::new(started, args.timeout);
    let settings = super::settings(&args.settings);
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
    ui.detail(format!(
        "preflight reads took {} ms",
        started.elapsed().as_millis()
    ));
    let current = observed.statefulset.as_ref().map(rollout::replicas);
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
    let changes = apply::apply_all(cluster, &objects(manifests, observed), options).await?;
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
    if args.no_wait {
        ui.info("not waiting for the rollout (--no-wait); follow it with `casctl status`");
        return Ok(Code::Ok);
    }
    wait_for_rollout(cluster, args, wanted, deadline, ui, interrupt).await?;
    if let Some((before, _)) = growth.filter(|_| !args.no_cleanup) {
        let pods: Vec<String> = (0..before)
            .map(|i| format!("{}-{i}", cluster.name))
            .collect();
        super::steps::cleanup(cluster, &pods, deadline, ui, interrupt).await?;
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
    objects.push(Object::StatefulSet(Box::new((
        manifests.statefulset,
        observed.statefulset,
    ))));
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
        (Some(wanted), Some(current)) if wanted < current => Err(Error::usage(
            format!(
                "the ring has {current} nodes; `up --replicas {wanted}` would remove nodes without decommissioning them"
            ),
            Some(format!(
                "shrink it safely with: casctl scale {wanted} -n {namespace} --name {name}"
            )),
        )
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
    statefulset: Option<StatefulSet>,
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
    let (namespaces, classes_api, nodes_api) = (
        Api::<Namespace>::all(cluster.client.clone()),
        Api::<StorageClass>::all(cluster.client.clone()),
        Api::<Node>::all(cluster.client.clone()),
    );
    let list_all = ListParams::default();
    let reads = async {
        tokio::join!(
            namespaces.get_opt(ns),
            objects::statefulset(cluster),
            objects::service(cluster),
            classes_api.list(&list_all),
            nodes_api.list(&list_all),
        )
    };
    let (namespace, statefulset, service, classes, nodes) =
        tokio::time::timeout(REACH_TIMEOUT, reads)
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
    let classes = classes.map_err(all("list", "storageclasses"))?.items;
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
        statefulset: statefulset?,
        service: service?,
        storage_class,
        classes: (!creates_class).then_some(classes),
        nodes: nodes.ok().map(|l| l.items),
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
    match (&observed.classes, preflight::storage_class_of(&manifests.statefulset)) {
        // Kubernetes' "no class": only volumes without a class bind, none is provisioned.
        (_, Some("")) => ui.info(
            "the claims use no StorageClass (--storage-class ''): only PersistentVolumes without a class bind to them",
        ),
        (Some(classes), Some(class)) => preflight::check_storage_class(class, classes)?,
        _ => {}
    }
    match &observed.nodes {
        Some(nodes) => {
            for warning in preflight::capacity_warnings(&manifests.statefulset, replicas, nodes) {
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

    #[test]
    fn up_never_shrinks_a_ring() {
        let err = replicas_to_apply(Some(2), Some(4), "shop", "cassandra").unwrap_err();
        let (code, hint) = crate::error::classify(&err);
        assert_eq!(code, Code::Usage);
        assert_eq!(
            hint.as_deref(),
            Some("shrink it safely with: casctl scale 2 -n shop --name cassandra")
        );
    }
}
