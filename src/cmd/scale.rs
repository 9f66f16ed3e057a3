//! `casctl scale N`: the tutorial's "edit replicas", done the way Cassandra operators do it.
//! Growing waits for the new nodes to join the ring; shrinking decommissions the highest
//! ordinal first, one node at a time, before the StatefulSet removes its pod.

use std::time::{Duration, Instant};

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Patch, PatchParams};

use crate::cli::ScaleArgs;
use crate::error::{Code, UserError};
use crate::k8s::watch::{self, Goal};
use crate::k8s::{Cluster, FIELD_MANAGER, exec, objects, ring};
use crate::nodetool::RingStatus;
use crate::rollout;
use crate::ui::Ui;
use crate::ui::progress::Step;

/// How often the ring is asked whether a decommissioned node has left.
const LEAVE_RECHECK: Duration = Duration::from_secs(2);

pub async fn run(cluster: &Cluster, args: &ScaleArgs, ui: &Ui) -> Result<Code> {
    let started = Instant::now();
    let deadline = started + args.timeout;
    let sts = objects::existing_statefulset(cluster).await?;
    let current = rollout::replicas(&sts);
    let selector = objects::selectors(cluster, Some(&sts)).remove(0);
    let target = args.replicas;

    if target > current {
        ui.info(format!(
            "scaling {} from {current} to {target} nodes",
            cluster.name
        ));
        set_replicas(cluster, target).await?;
    } else if target < current {
        if args.skip_decommission {
            shrink_without_decommission(
                cluster,
                &selector,
                current,
                target,
                remaining(deadline)?,
                ui,
            )
            .await?;
        } else {
            shrink(cluster, &selector, current, target, args, deadline, ui).await?;
        }
        report_kept_claims(cluster, &sts, target, ui).await?;
    } else {
        ui.info(format!(
            "{} already has {target} nodes; checking the rollout",
            cluster.name
        ));
    }

    let ring_check = !args.no_ring_check && !args.skip_decommission;
    let goal = Goal {
        replicas: target,
        ring_check,
        timeout: remaining(deadline)?,
    };
    watch::rollout(cluster, &selector, goal, ui).await?;
    ui.success(format!(
        "{} has {target} nodes{} ({}s)",
        cluster.name,
        if ring_check {
            ", all UN in the ring"
        } else {
            ""
        },
        started.elapsed().as_secs()
    ));
    Ok(Code::Ok)
}

fn remaining(deadline: Instant) -> Result<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            UserError::timed_out("ran out of time (--timeout)")
                .hint("nothing is lost; run the same command again to continue")
                .into()
        })
}

/// Sets `spec.replicas` through the scale subresource (field manager `casctl`), which leaves
/// the ownership of every other field as `up` applied it.
pub async fn set_replicas(cluster: &Cluster, replicas: u32) -> Result<()> {
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_owned()),
        ..Default::default()
    };
    let patch = serde_json::json!({"spec": {"replicas": replicas}});
    cluster
        .api::<StatefulSet>()
        .patch_scale(cluster.name.as_str(), &params, &Patch::Merge(&patch))
        .await
        .map_err(|e| cluster.explain(e, "patch", "statefulsets/scale"))?;
    Ok(())
}

/// The tutorial's way: lower replicas and let the pods go; the ring keeps them as DN.
async fn shrink_without_decommission(
    cluster: &Cluster,
    selector: &str,
    current: u32,
    target: u32,
    timeout: Duration,
    ui: &Ui,
) -> Result<()> {
    ui.warn(format!(
        "--skip-decommission: nodes {target}..{} leave without decommissioning; the ring will keep them as DN \
         (remove each with `casctl nodetool -- removenode <host-id>`)",
        current - 1
    ));
    set_replicas(cluster, target).await?;
    let name = cluster.name.to_string();
    watch::pods_gone(
        cluster,
        selector,
        |p| rollout::pod_ordinal(&name, p).is_some_and(|o| o >= target),
        timeout,
        ui,
    )
    .await
}

/// Decommissions and removes nodes current-1 down to target, one at a time.
async fn shrink(
    cluster: &Cluster,
    selector: &str,
    current: u32,
    target: u32,
    args: &ScaleArgs,
    deadline: Instant,
    ui: &Ui,
) -> Result<()> {
    let pods = objects::pods(cluster, &[selector.to_owned()]).await?;
    let (asked, ring_now) = ring_from(cluster, &pods, None).await?;
    let unhealthy: Vec<String> = ring_now
        .nodes()
        .filter(|(_, n)| !n.is_up_normal())
        .map(|(_, n)| format!("{} {}", n.address, n.code()))
        .collect();
    if !unhealthy.is_empty() && !args.force {
        return Err(UserError::new(format!(
            "the ring has nodes that are not Up/Normal (asked {asked}): {}",
            unhealthy.join(", ")
        ))
        .hint("decommissioning while nodes are down can lose data: bring them back or remove them (nodetool removenode) first, or pass --force")
        .into());
    }
    ui.info(format!(
        "scaling {} from {current} to {target} nodes, decommissioning one node at a time",
        cluster.name
    ));
    for ordinal in (target..current).rev() {
        let pod_name = format!("{}-{ordinal}", cluster.name);
        decommission(cluster, selector, &pod_name, deadline, ui).await?;
        set_replicas(cluster, ordinal).await?;
        let name = cluster.name.to_string();
        watch::pods_gone(
            cluster,
            selector,
            |p| rollout::pod_ordinal(&name, p).is_some_and(|o| o >= ordinal),
            remaining(deadline)?,
            ui,
        )
        .await?;
        ui.success(format!("{pod_name} decommissioned and removed"));
    }
    Ok(())
}

/// Runs `nodetool decommission` in the pod unless its node already left (a re-run after an
/// interruption), then waits until the other nodes no longer list it.
async fn decommission(
    cluster: &Cluster,
    selector: &str,
    pod_name: &str,
    deadline: Instant,
    ui: &Ui,
) -> Result<()> {
    let pods = objects::pods(cluster, &[selector.to_owned()]).await?;
    let Some(pod) = pods
        .iter()
        .find(|p| p.metadata.name.as_deref() == Some(pod_name))
    else {
        return Ok(());
    };
    let Some(ip) = pod.status.as_ref().and_then(|s| s.pod_ip.clone()) else {
        return Ok(());
    };
    let (_, ring_now) = ring_from(cluster, &pods, Some(pod_name)).await?;
    if !ring_now.has_address(&ip) {
        ui.info(format!(
            "{pod_name} ({ip}) is not in the ring any more; not decommissioning it again"
        ));
        return Ok(());
    }
    let step = Step::start(
        ui,
        &format!("decommissioning {pod_name} ({ip}): streaming its data to the other nodes"),
    );
    let out = exec::run(
        &cluster.api(),
        pod_name,
        &["nodetool", "decommission"],
        remaining(deadline)?,
    )
    .await?;
    if out.exit_code != 0 {
        step.finish();
        return Err(UserError::new(format!(
            "`nodetool decommission` in {pod_name} failed with exit code {}: {}",
            out.exit_code,
            out.printed()
        ))
        .hint("nothing was removed; look at the node with `casctl status`, then run the same scale again")
        .into());
    }
    step.set_message(&format!("waiting for {pod_name} ({ip}) to leave the ring"));
    loop {
        let pods = objects::pods(cluster, &[selector.to_owned()]).await?;
        let (_, ring_now) = ring_from(cluster, &pods, Some(pod_name)).await?;
        if !ring_now.has_address(&ip) {
            break;
        }
        if remaining(deadline).is_err() {
            step.finish();
            return Err(UserError::timed_out(format!(
                "{pod_name} ({ip}) has not left the ring in time"
            ))
            .hint("the decommission may still be streaming; run the same scale again to continue")
            .into());
        }
        tokio::time::sleep(LEAVE_RECHECK).await;
    }
    let took = step.finish();
    ui.info(format!("{pod_name} left the ring ({}s)", took.as_secs()));
    Ok(())
}

async fn ring_from(
    cluster: &Cluster,
    pods: &[Pod],
    except: Option<&str>,
) -> Result<(String, RingStatus)> {
    let pod = ring::pick_pod(cluster.name.as_str(), pods, except).ok_or_else(|| {
        anyhow::Error::from(
            UserError::new("no Ready pod to ask for the ring")
                .hint("wait until a pod is Ready (`casctl status`), or pass --skip-decommission"),
        )
    })?;
    let name = pod.metadata.name.clone().unwrap_or_default();
    let status = ring::status(cluster, &name).await?;
    Ok((name, status))
}

/// The claims of removed pods stay (their data is kept until the user purges it).
async fn report_kept_claims(
    cluster: &Cluster,
    sts: &StatefulSet,
    target: u32,
    ui: &Ui,
) -> Result<()> {
    let selectors = objects::selectors(cluster, Some(sts));
    let kept: Vec<String> = objects::claims(cluster, &selectors)
        .await?
        .into_iter()
        .filter_map(|c| c.metadata.name)
        .filter(|c| objects::claim_ordinal(cluster.name.as_str(), c).is_some_and(|o| o >= target))
        .collect();
    if !kept.is_empty() {
        ui.info(format!(
            "kept the claims of the removed pods (their data stays; scaling up again reuses them): {}",
            kept.join(", ")
        ));
    }
    Ok(())
}
