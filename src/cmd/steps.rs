//! Steps that both `up` and `scale` take when the ring grows: new nodes never start on the
//! claim of a decommissioned node, and the nodes that were there before drop the data of the
//! ranges they gave away.

use std::time::Instant;

use anyhow::Result;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::ResourceExt;
use kube::api::DeleteParams;

use crate::error::Error;
use crate::fmt::{plural, seconds};
use crate::interrupt::Interrupt;
use crate::k8s::claims::{self, DECOMMISSIONED, HOST_ID};
use crate::k8s::delete::delete;
use crate::k8s::{Cluster, exec};
use crate::ui::Ui;
use crate::ui::progress::View;
use crate::wait::{Context, Deadline, Goal, Wait};

/// Before the ring grows from `from` to `to` nodes: the claims of those ordinals that hold a
/// decommissioned node's data are deleted (and gone) first, so that their pods start empty and
/// join as new nodes instead of exiting at once.
pub(crate) async fn replace_stale_claims(
    cluster: &Cluster,
    selector: &str,
    (from, to): (u32, u32),
    deadline: Deadline,
    ui: &Ui,
    interrupt: &mut Interrupt,
) -> Result<()> {
    let stale = claims::stale_between(cluster, selector, from, to).await?;
    if stale.is_empty() {
        return Ok(());
    }
    for claim in &stale {
        ui.info(why_replaced(claim));
        delete::<PersistentVolumeClaim>(
            cluster,
            &claim.name_any(),
            &DeleteParams::default(),
            "persistentvolumeclaims",
        )
        .await?;
    }
    let names = stale.iter().map(ResourceExt::name_any).collect();
    let context = Context {
        namespace: cluster.namespace().to_owned(),
        name: cluster.name.to_string(),
        done: "the stale claims are being deleted; replicas are unchanged".to_owned(),
        resume: "run the same command again: it goes on with the claims that are left".to_owned(),
    };
    let wait = Wait::new(
        Goal::ClaimsGone { names },
        1,
        Instant::now(),
        deadline,
        context,
    );
    let mut view = View::new(ui);
    crate::k8s::wait::run(
        cluster,
        wait,
        &[selector.to_owned()],
        None,
        interrupt,
        &mut view,
    )
    .await
}

fn why_replaced(claim: &PersistentVolumeClaim) -> String {
    let annotations = claim.annotations();
    let when = annotations.get(DECOMMISSIONED).map_or("", String::as_str);
    let host = annotations
        .get(HOST_ID)
        .map_or_else(String::new, |id| format!(" (host ID {id})"));
    format!(
        "claim {} holds the data of a node decommissioned at {when}{host}, which Cassandra would not let rejoin; \
         its data was streamed to the other nodes then: replacing it with a new, empty claim",
        claim.name_any()
    )
}

/// After the ring grew: `nodetool cleanup` on each node that was there before, one at a time
/// (they still hold the data of the ranges the new nodes took). A failure is reported, not
/// fatal: the ring is complete either way.
pub(crate) async fn cleanup(
    cluster: &Cluster,
    pods: &[String],
    deadline: Deadline,
    ui: &Ui,
    interrupt: &mut Interrupt,
) -> Result<()> {
    ui.info(format!(
        "running `nodetool cleanup` on the {} that were there before, one at a time \
         (they still hold the data of the ranges the new nodes took; --no-cleanup skips this)",
        plural(pods.len(), "node", "nodes")
    ));
    for (done, pod) in pods.iter().enumerate() {
        let remaining = deadline.remaining(Instant::now());
        if remaining.is_zero() {
            ui.warn(format!(
                "out of time (--timeout) before cleaning up {}",
                later(cluster, &pods[done..])
            ));
            return Ok(());
        }
        let started = Instant::now();
        let command = ["nodetool", "cleanup"];
        let out = tokio::select! {
            out = exec::run(cluster, pod, &command, remaining) => out,
            () = interrupt.signalled() => {
                return Err(Error::Interrupted {
                    done: format!("the ring is complete; cleanup ran on {} of {} nodes", done, pods.len()),
                    resume: later(cluster, &pods[done..]),
                }
                .into());
            }
        };
        match out {
            Ok(out) if out.exit_code == 0 => {
                ui.success(format!(
                    "cleanup on {pod} done ({})",
                    seconds(started.elapsed())
                ));
            }
            Ok(out) => ui.warn(format!(
                "cleanup on {pod} failed with exit code {}: {}; {}",
                out.exit_code,
                out.printed(),
                later(cluster, std::slice::from_ref(pod))
            )),
            Err(err) => ui.warn(format!(
                "cleanup on {pod} failed: {err:#}; {}",
                later(cluster, std::slice::from_ref(pod))
            )),
        }
    }
    Ok(())
}

/// After the ring grew with `--no-cleanup`: which nodes still hold the data of the ranges they
/// gave away, and how to clean them up later.
pub(crate) fn cleanup_skipped(cluster: &Cluster, pods: &[String], ui: &Ui) {
    ui.info(skipped(cluster.namespace(), cluster.name.as_str(), pods));
}

fn skipped(namespace: &str, name: &str, pods: &[String]) -> String {
    format!(
        "not running `nodetool cleanup` (--no-cleanup): the {} that were there before still hold the data \
         of the ranges the new nodes took; {}",
        plural(pods.len(), "node", "nodes"),
        run_later(namespace, name, pods)
    )
}

/// How to run the cleanup later on these pods.
fn later(cluster: &Cluster, pods: &[String]) -> String {
    run_later(cluster.namespace(), cluster.name.as_str(), pods)
}

fn run_later(namespace: &str, name: &str, pods: &[String]) -> String {
    let commands: Vec<String> = pods
        .iter()
        .map(|p| format!("casctl nodetool -n {namespace} --name {name} --pod {p} -- cleanup"))
        .collect();
    format!("run it later: {}", commands.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skipped_cleanup_names_the_command_for_each_node() {
        let pods = vec!["db-0".to_owned(), "db-1".to_owned()];
        let text = skipped("shop", "db", &pods);
        assert!(text.contains("--no-cleanup"), "{text}");
        assert!(
            text.contains("the 2 nodes that were there before"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "run it later: casctl nodetool -n shop --name db --pod db-0 -- cleanup; \
                 casctl nodetool -n shop --name db --pod db-1 -- cleanup"
            ),
            "{text}"
        );
    }
}
