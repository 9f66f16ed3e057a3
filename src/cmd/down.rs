//! `casctl down`: the tutorial's cleanup without its `sleep $grace` and without deleting data
//! by accident. The StatefulSet goes first (every rack's, for a ring with racks), then casctl
//! waits for the pods to be gone (as soon as they are, bounded by the grace period), then —
//! only when asked and confirmed, and only when no pod is left — the claims, and the Service
//! last.

use std::time::{Duration, Instant};

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Service};
use kube::ResourceExt;
use kube::api::DeleteParams;

use crate::cli::DownArgs;
use crate::error::{Code, Error};
use crate::fmt::{agree, plural};
use crate::interrupt::Interrupt;
use crate::k8s::delete::delete;
use crate::k8s::racks::{self, scoped};
use crate::k8s::{Cluster, objects};
use crate::manifest::Templates;
use crate::ui::progress::View;
use crate::ui::{Ui, table};
use crate::wait::{Context, Deadline, Goal, Set, Wait};

/// Added to the grace period: the time the API server and the garbage collector need.
const MARGIN: Duration = Duration::from_secs(30);
/// Without `--timeout`, how long the claims may take to go once the pods have: a claim goes
/// when the controller-manager has seen its pods gone, which after a control-plane restart
/// (its watches re-listing with back-off) has taken over 30 s here.
const CLAIMS_MARGIN: Duration = Duration::from_secs(120);
/// Kubernetes' own default grace period.
const DEFAULT_GRACE: i64 = 30;

/// What `down` found.
struct Found {
    /// The tutorial's StatefulSet, or every rack's.
    statefulsets: Vec<StatefulSet>,
    /// The StatefulSets whose pods and claims are the ring's, existing or already deleted.
    sets: Vec<String>,
    service: Option<Service>,
    selectors: Vec<String>,
    pods: Vec<Pod>,
    claims: Vec<PersistentVolumeClaim>,
}

pub(crate) async fn run(
    cluster: &Cluster,
    args: &DownArgs,
    deadline: Option<Deadline>,
    ui: &Ui,
    interrupt: &mut Interrupt,
) -> Result<Code> {
    let started = Instant::now();
    let found = find(cluster).await?;
    ui.phase(
        format!(
            "reading Service {name}, StatefulSet {name} (or its racks'), listing the pods and listing the claims {}",
            found.selectors.join(" and "),
            name = cluster.name
        ),
        started,
    );
    if found.statefulsets.is_empty()
        && found.service.is_none()
        && found.pods.is_empty()
        && (found.claims.is_empty() || !args.purge_volumes)
    {
        ui.info(format!(
            "nothing to delete: no StatefulSet, Service or pod {} in namespace {}",
            cluster.name,
            cluster.namespace()
        ));
        report_kept(cluster, &found.claims, ui);
        return Ok(Code::Ok);
    }
    if args.purge_volumes && !found.claims.is_empty() {
        confirm_purge(cluster, &found.claims, args, ui)?;
    }
    let grace = grace_period(&found.pods, found.statefulsets.first());
    // --timeout bounds the whole teardown. Without it, the pods get their grace period and a
    // margin, from now; the claims, which can go only once the pods have, a time of their own
    // after that (the time the pods took is no reason to cut the claims' deletion short).
    let given = deadline;
    let deadline = given.unwrap_or_else(|| {
        let budget = Duration::from_secs(grace.max(0) as u64) + MARGIN;
        Deadline::new(Instant::now(), budget)
    });

    for sts in &found.statefulsets {
        let name = sts.name_any();
        let params = DeleteParams::background();
        if delete::<StatefulSet>(cluster, &name, &params, "statefulsets").await? {
            ui.info(format!(
                "StatefulSet {name} deleted; its pods terminate (each drains its node first)"
            ));
        }
    }
    delete_orphan_pods(cluster, &found.pods, ui).await?;
    let started = Instant::now();
    wait_pods_gone(cluster, &found, args.purge_volumes, deadline, ui, interrupt).await?;
    ui.phase(
        format!(
            "watching pods {} until they are gone (grace period {grace}s)",
            found.selectors.join(" and ")
        ),
        started,
    );
    if !found.pods.is_empty() {
        ui.success("every pod is gone");
    }
    if args.purge_volumes {
        let deadline = given.unwrap_or_else(|| Deadline::new(Instant::now(), CLAIMS_MARGIN));
        purge_claims(cluster, &found, deadline, ui, interrupt).await?;
    } else {
        report_kept(cluster, &found.claims, ui);
    }
    if let Some(service) = &found.service {
        let name = service.name_any();
        let params = DeleteParams::default();
        if delete::<Service>(cluster, &name, &params, "services").await? {
            ui.info(format!("Service {name} deleted"));
        }
    }
    ui.success(format!(
        "{} is down in namespace {}",
        cluster.name,
        cluster.namespace()
    ));
    Ok(Code::Ok)
}

/// The ring's objects: the tutorial's StatefulSet and what its selector finds, or, for a
/// ring with racks, every rack's StatefulSet, pods and claims — also of racks whose
/// StatefulSet an interrupted `down` deleted already.
async fn find(cluster: &Cluster) -> Result<Found> {
    let service = objects::service(cluster).await?;
    let ring = racks::find(cluster).await?;
    let labelled = match ring.as_ref().is_some_and(|r| !r.layout.has_racks()) {
        true => Vec::new(),
        false => racks::labelled_racks(cluster).await?,
    };
    let racked = ring.as_ref().filter(|r| r.layout.has_racks());
    if racked.is_none() && labelled.is_empty() {
        let sts = ring.and_then(|r| r.statefulsets.into_iter().next());
        let selectors = objects::selectors(cluster, sts.as_ref());
        let pods = objects::pods(cluster, &selectors).await?;
        let claims = objects::claims(cluster, &selectors).await?;
        return Ok(Found {
            statefulsets: sts.into_iter().collect(),
            sets: vec![cluster.name.to_string()],
            service,
            selectors,
            pods,
            claims,
        });
    }
    let (mut sets, statefulsets) = match racked {
        Some(ring) => (ring.layout.sets(), ring.statefulsets.clone()),
        None => (Vec::new(), Vec::new()),
    };
    for rack in labelled {
        let set = format!("{}-{rack}", cluster.name);
        if !sets.contains(&set) {
            sets.push(set);
        }
    }
    let selectors = vec![objects::selector_string(&crate::manifest::selector_labels(
        &cluster.name,
    ))];
    let (mut pods, mut claims) = (Vec::new(), Vec::new());
    for set in &sets {
        let rack = scoped(cluster, set)?;
        pods.extend(objects::pods(&rack, &selectors).await?);
        claims.extend(objects::claims(&rack, &selectors).await?);
    }
    Ok(Found {
        statefulsets,
        sets,
        service,
        selectors,
        pods,
        claims,
    })
}

/// What an interrupted `down` did, and the command that finishes it (with `--purge-volumes
/// --yes` when it was purging: the volumes were confirmed already).
fn context(cluster: &Cluster, done: &str, purge: bool) -> Context {
    Context {
        namespace: cluster.namespace().to_owned(),
        name: cluster.name.to_string(),
        done: done.to_owned(),
        resume: resume(cluster.namespace(), cluster.name.as_str(), purge),
    }
}

fn resume(namespace: &str, name: &str, purge: bool) -> String {
    let purge = if purge { " --purge-volumes --yes" } else { "" };
    format!("run `casctl down -n {namespace} --name {name}{purge}` again to finish")
}

/// Every pod of every selector gone, within the one deadline of the command.
async fn wait_pods_gone(
    cluster: &Cluster,
    found: &Found,
    purge: bool,
    deadline: Deadline,
    ui: &Ui,
    interrupt: &mut Interrupt,
) -> Result<()> {
    let goal = Goal::Gone {
        sets: found.sets.iter().map(|s| Set::new(s.as_str(), 0)).collect(),
        watch_sets: false,
    };
    let done = "the StatefulSet is deleted and its pods terminate; nothing else was deleted";
    let selectors = &found.selectors;
    let wait = Wait::new(
        goal,
        selectors.len(),
        Instant::now(),
        deadline,
        context(cluster, done, purge),
    );
    let mut view = View::new(ui);
    crate::k8s::wait::run(cluster, wait, selectors, None, interrupt, &mut view).await
}

/// The grace period of the ring's first pod (`<name>-0`), else of the StatefulSet's template,
/// else of the built-in template, else Kubernetes' default.
fn grace_period(pods: &[Pod], sts: Option<&StatefulSet>) -> i64 {
    let from_pod = pods
        .first()
        .and_then(|p| p.spec.as_ref()?.termination_grace_period_seconds);
    let from_template = |s: &StatefulSet| {
        s.spec
            .as_ref()?
            .template
            .spec
            .as_ref()?
            .termination_grace_period_seconds
    };
    from_pod
        .or_else(|| sts.and_then(from_template))
        .or_else(|| {
            Templates::builtin()
                .ok()
                .as_ref()
                .and_then(|t| from_template(&t.statefulset))
        })
        .unwrap_or(DEFAULT_GRACE)
}

/// Lists the claims that will go and gets the user's consent: a question on a terminal, `--yes`
/// elsewhere. Refusing here happens before anything is deleted.
fn confirm_purge(
    cluster: &Cluster,
    claims: &[PersistentVolumeClaim],
    args: &DownArgs,
    ui: &Ui,
) -> Result<()> {
    ui.info(claims_table(claims).trim_end());
    if args.yes {
        return Ok(());
    }
    let count = plural(claims.len(), "claim", "claims");
    let question = format!(
        "delete {count} in namespace {} and the data on {}?",
        cluster.namespace(),
        if claims.len() == 1 {
            "its volume"
        } else {
            "their volumes"
        }
    );
    if ui.can_prompt() && ui.confirm(&question)? {
        return Ok(());
    }
    let message = match ui.can_prompt() {
        true => "not confirmed; nothing was deleted".to_owned(),
        false => format!("refusing to delete {count} without confirmation; nothing was deleted"),
    };
    Err(Error::NotConfirmed { message }.into())
}

fn claims_table(claims: &[PersistentVolumeClaim]) -> String {
    let mut t = table::new(&["claim", "size", "volume", "status"]);
    for claim in claims {
        let spec = claim.spec.as_ref();
        let size = claim
            .status
            .as_ref()
            .and_then(|s| s.capacity.as_ref()?.get("storage"))
            .or_else(|| spec?.resources.as_ref()?.requests.as_ref()?.get("storage"))
            .map_or("", |q| q.0.as_str());
        t.add_row(vec![
            claim.name_any(),
            size.to_owned(),
            spec.and_then(|s| s.volume_name.clone())
                .unwrap_or_else(|| "<none>".to_owned()),
            claim_status(claim),
        ]);
    }
    table::render(&t)
}

/// `Bound`, `Pending`, or `Terminating` for a claim being deleted.
fn claim_status(claim: &PersistentVolumeClaim) -> String {
    if claim.metadata.deletion_timestamp.is_some() {
        return "Terminating".to_owned();
    }
    claim
        .status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_default()
}

/// Pods of the ring that no controller owns would never be removed by deleting the
/// StatefulSet; they are deleted with their own grace period.
async fn delete_orphan_pods(cluster: &Cluster, pods: &[Pod], ui: &Ui) -> Result<()> {
    let orphans = pods.iter().filter(|p| {
        let owned = p
            .owner_references()
            .iter()
            .any(|o| o.controller == Some(true));
        !owned && p.metadata.deletion_timestamp.is_none()
    });
    for pod in orphans {
        let name = pod.name_any();
        if delete::<Pod>(cluster, &name, &DeleteParams::default(), "pods").await? {
            ui.info(format!("pod {name} (owned by no StatefulSet) deleted"));
        }
    }
    Ok(())
}

/// Deletes the confirmed claims, only if no pod of the ring exists any more (a pod could still
/// be writing to its volume), and waits until they are gone, as `kubectl delete` does: a
/// claim being deleted can still be bound by a new pod of the same name.
async fn purge_claims(
    cluster: &Cluster,
    found: &Found,
    deadline: Deadline,
    ui: &Ui,
    interrupt: &mut Interrupt,
) -> Result<()> {
    let left = objects::pods(cluster, &found.selectors).await?;
    if !left.is_empty() {
        return Err(Error::PodsRemain {
            pods: left.iter().map(ResourceExt::name_any).collect(),
        }
        .into());
    }
    for claim in &found.claims {
        let name = claim.name_any();
        if delete::<PersistentVolumeClaim>(
            cluster,
            &name,
            &DeleteParams::default(),
            "persistentvolumeclaims",
        )
        .await?
        {
            ui.detail(format!("claim {name} deleted"));
        }
    }
    if found.claims.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = found.claims.iter().map(ResourceExt::name_any).collect();
    let done = "every pod is gone and the claims are being deleted; the Service stays";
    let wait = Wait::new(
        Goal::ClaimsGone { names },
        found.selectors.len(),
        Instant::now(),
        deadline,
        context(cluster, done, true),
    );
    let mut view = View::new(ui);
    crate::k8s::wait::run(cluster, wait, &found.selectors, None, interrupt, &mut view).await?;
    ui.success(format!(
        "{} deleted; {} released",
        plural(found.claims.len(), "claim", "claims"),
        if found.claims.len() == 1 {
            "its volume is"
        } else {
            "their volumes are"
        }
    ));
    Ok(())
}

fn report_kept(cluster: &Cluster, claims: &[PersistentVolumeClaim], ui: &Ui) {
    let kept = report_terminating(claims, ui);
    if kept.is_empty() {
        return;
    }
    ui.info(kept_sentence(
        &kept,
        cluster.namespace(),
        cluster.name.as_str(),
    ));
}

/// Says which claims are already being deleted (they are not kept), and returns the names of
/// the others.
fn report_terminating(claims: &[PersistentVolumeClaim], ui: &Ui) -> Vec<String> {
    let (terminating, kept): (Vec<_>, Vec<_>) = claims
        .iter()
        .partition(|c| crate::k8s::claims::is_terminating(c));
    if !terminating.is_empty() {
        let names: Vec<String> = terminating.iter().map(|c| c.name_any()).collect();
        ui.info(format!(
            "{} already being deleted: {}",
            plural(names.len(), "claim is", "claims are"),
            names.join(", ")
        ));
    }
    kept.iter().map(|c| c.name_any()).collect()
}

/// The claims of the pods a scale-down removed: those kept (a claim being deleted is not).
pub(crate) fn report_kept_of_removed(claims: &[PersistentVolumeClaim], ui: &Ui) {
    let kept = report_terminating(claims, ui);
    if !kept.is_empty() {
        ui.info(kept_of_removed_sentence(&kept));
    }
}

fn kept_sentence(names: &[String], namespace: &str, name: &str) -> String {
    let count = names.len();
    format!(
        "kept {} (the data stays): {}\nto delete {} and {} data: casctl down --purge-volumes -n {namespace} --name {name}",
        plural(count, "claim", "claims"),
        names.join(", "),
        agree(count, "it", "them"),
        agree(count, "its", "their"),
    )
}

fn kept_of_removed_sentence(names: &[String]) -> String {
    let count = names.len();
    format!(
        "kept the {} of the removed {}: {} (a later scale-up replaces the claims of nodes that left the ring \
         with new, empty ones; `casctl down --purge-volumes` deletes them all)",
        agree(count, "claim", "claims"),
        agree(count, "pod", "pods"),
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_purge_resumes_as_a_purge() {
        assert_eq!(
            resume("shop", "db", true),
            "run `casctl down -n shop --name db --purge-volumes --yes` again to finish"
        );
        assert_eq!(
            resume("shop", "db", false),
            "run `casctl down -n shop --name db` again to finish"
        );
    }

    #[test]
    fn kept_claims_agree_with_their_count() {
        let one = vec!["data-db-0".to_owned()];
        assert_eq!(
            kept_sentence(&one, "shop", "db"),
            "kept 1 claim (the data stays): data-db-0\n\
             to delete it and its data: casctl down --purge-volumes -n shop --name db"
        );
        let two = vec!["data-db-0".to_owned(), "data-db-1".to_owned()];
        assert!(kept_sentence(&two, "shop", "db").contains(
            "kept 2 claims (the data stays): data-db-0, data-db-1\nto delete them and their data: "
        ));
        assert!(
            kept_of_removed_sentence(&one[..1])
                .starts_with("kept the claim of the removed pod: data-db-0 (")
        );
        assert!(
            kept_of_removed_sentence(&two)
                .starts_with("kept the claims of the removed pods: data-db-0, data-db-1 (")
        );
    }
}
