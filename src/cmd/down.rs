//! `casctl down`: the tutorial's cleanup without its `sleep $grace` and without deleting data
//! by accident. The StatefulSet goes first, then casctl waits for the pods to be gone (as soon
//! as they are, bounded by the grace period), then — only when asked and confirmed, and only
//! when no pod is left — the claims, and the Service last.

use std::time::Duration;

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Service};
use kube::api::{DeleteParams, PropagationPolicy};

use crate::cli::DownArgs;
use crate::error::{Code, UserError};
use crate::k8s::{Cluster, is_not_found, objects, watch};
use crate::manifest::Templates;
use crate::ui::{Ui, table};

/// Added to the grace period: the time the API server and the garbage collector need.
const MARGIN: Duration = Duration::from_secs(30);
/// Kubernetes' own default grace period.
const DEFAULT_GRACE: i64 = 30;

pub async fn run(cluster: &Cluster, args: &DownArgs, ui: &Ui) -> Result<Code> {
    let sts = objects::statefulset(cluster).await?;
    let service = objects::service(cluster).await?;
    let selectors = objects::selectors(cluster, sts.as_ref());
    let pods = objects::pods(cluster, &selectors).await?;
    let claims = objects::claims(cluster, &selectors).await?;

    if sts.is_none()
        && service.is_none()
        && pods.is_empty()
        && (claims.is_empty() || !args.purge_volumes)
    {
        ui.info(format!(
            "nothing to delete: no StatefulSet, Service or pod {} in namespace {}",
            cluster.name,
            cluster.namespace()
        ));
        report_kept(cluster, &claims, ui);
        return Ok(Code::Ok);
    }
    if args.purge_volumes && !claims.is_empty() {
        confirm_purge(cluster, &claims, args, ui)?;
    }

    let grace = grace_period(cluster, &pods, sts.as_ref());
    if let Some(sts) = &sts {
        delete_statefulset(cluster, sts, ui).await?;
    }
    delete_orphan_pods(cluster, &pods, ui).await?;
    let timeout = args
        .timeout
        .unwrap_or(Duration::from_secs(grace.max(0) as u64) + MARGIN);
    let name = cluster.name.to_string();
    for selector in &selectors {
        watch::pods_gone(
            cluster,
            selector,
            |p| crate::rollout::pod_ordinal(&name, p).is_some(),
            timeout,
            ui,
        )
        .await?;
    }
    if !pods.is_empty() {
        ui.success("every pod is gone");
    }

    if args.purge_volumes {
        purge_claims(cluster, &selectors, &claims, ui).await?;
    } else {
        report_kept(cluster, &claims, ui);
    }
    if let Some(service) = &service {
        delete_service(cluster, service, ui).await?;
    }
    ui.success(format!(
        "{} is down in namespace {}",
        cluster.name,
        cluster.namespace()
    ));
    Ok(Code::Ok)
}

/// The grace period of `<name>-0`, else of the StatefulSet's template, else of the built-in
/// template, else Kubernetes' default.
fn grace_period(cluster: &Cluster, pods: &[Pod], sts: Option<&StatefulSet>) -> i64 {
    let first = format!("{}-0", cluster.name);
    let from_pod = pods
        .iter()
        .find(|p| p.metadata.name.as_deref() == Some(&first))
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
    eprint!("{}", claims_table(claims));
    if args.yes {
        return Ok(());
    }
    let question = format!(
        "delete these {} claims in namespace {} and the data on their volumes?",
        claims.len(),
        cluster.namespace()
    );
    if ui.can_prompt() && ui.confirm(&question)? {
        return Ok(());
    }
    let message = match ui.can_prompt() {
        true => "not confirmed; nothing was deleted".to_owned(),
        false => format!(
            "refusing to delete {} claims without confirmation; nothing was deleted",
            claims.len()
        ),
    };
    Err(UserError::new(message)
        .hint("pass --yes to purge the volumes without a question, or leave out --purge-volumes to keep them")
        .into())
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
            claim.metadata.name.as_deref().unwrap_or_default(),
            size,
            spec.and_then(|s| s.volume_name.as_deref())
                .unwrap_or("<none>"),
            claim
                .status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .unwrap_or_default(),
        ]);
    }
    table::render(&t)
}

async fn delete_statefulset(cluster: &Cluster, sts: &StatefulSet, ui: &Ui) -> Result<()> {
    let name = sts.metadata.name.as_deref().unwrap_or_default();
    let params = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Background),
        ..Default::default()
    };
    match cluster.api::<StatefulSet>().delete(name, &params).await {
        Ok(_) => ui.info(format!(
            "StatefulSet {name} deleted; its pods terminate (each drains its node first)"
        )),
        Err(err) if is_not_found(&err) => {}
        Err(err) => return Err(cluster.explain(err, "delete", "statefulsets")),
    }
    Ok(())
}

/// Pods of the ring that no controller owns would never be removed by deleting the
/// StatefulSet; they are deleted with their own grace period.
async fn delete_orphan_pods(cluster: &Cluster, pods: &[Pod], ui: &Ui) -> Result<()> {
    let orphans = pods.iter().filter(|p| {
        let owned = p
            .metadata
            .owner_references
            .iter()
            .flatten()
            .any(|o| o.controller == Some(true));
        !owned && p.metadata.deletion_timestamp.is_none()
    });
    for pod in orphans {
        let name = pod.metadata.name.as_deref().unwrap_or_default();
        match cluster
            .api::<Pod>()
            .delete(name, &DeleteParams::default())
            .await
        {
            Ok(_) => ui.info(format!("pod {name} (owned by no StatefulSet) deleted")),
            Err(err) if is_not_found(&err) => {}
            Err(err) => return Err(cluster.explain(err, "delete", "pods")),
        }
    }
    Ok(())
}

/// Deletes the confirmed claims, and only if no pod of the ring exists any more (a pod could
/// still be writing to its volume).
async fn purge_claims(
    cluster: &Cluster,
    selectors: &[String],
    confirmed: &[PersistentVolumeClaim],
    ui: &Ui,
) -> Result<()> {
    let left = objects::pods(cluster, selectors).await?;
    if !left.is_empty() {
        let names: Vec<_> = left
            .iter()
            .filter_map(|p| p.metadata.name.as_deref())
            .collect();
        return Err(UserError::new(format!(
            "pods still exist ({}); no claim was deleted",
            names.join(", ")
        ))
        .hint("run `casctl down --purge-volumes` again once they are gone")
        .into());
    }
    for claim in confirmed {
        let name = claim.metadata.name.as_deref().unwrap_or_default();
        match cluster
            .api::<PersistentVolumeClaim>()
            .delete(name, &DeleteParams::default())
            .await
        {
            Ok(_) => ui.info(format!("claim {name} deleted")),
            Err(err) if is_not_found(&err) => {}
            Err(err) => return Err(cluster.explain(err, "delete", "persistentvolumeclaims")),
        }
    }
    if !confirmed.is_empty() {
        ui.success(format!(
            "{} claims deleted; their volumes are released",
            confirmed.len()
        ));
    }
    Ok(())
}

fn report_kept(cluster: &Cluster, claims: &[PersistentVolumeClaim], ui: &Ui) {
    if claims.is_empty() {
        return;
    }
    let names: Vec<_> = claims
        .iter()
        .filter_map(|c| c.metadata.name.as_deref())
        .collect();
    ui.info(format!(
        "kept {} claims (the data stays): {}",
        claims.len(),
        names.join(", ")
    ));
    ui.info(format!(
        "to delete them and their data: casctl down --purge-volumes -n {} --name {}",
        cluster.namespace(),
        cluster.name
    ));
}

async fn delete_service(cluster: &Cluster, service: &Service, ui: &Ui) -> Result<()> {
    let name = service.metadata.name.as_deref().unwrap_or_default();
    match cluster
        .api::<Service>()
        .delete(name, &DeleteParams::default())
        .await
    {
        Ok(_) => ui.info(format!("Service {name} deleted")),
        Err(err) if is_not_found(&err) => {}
        Err(err) => return Err(cluster.explain(err, "delete", "services")),
    }
    Ok(())
}
