//! Steps that both `up` and `scale` take when the ring grows: new nodes never start on the
//! claim of a decommissioned node, and the nodes that were there before drop the data of the
//! ranges they gave away.

use std::time::Instant;

use anyhow::Result;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::ResourceExt;
use kube::api::DeleteParams;

use crate::error::Error;
use crate::fmt::{agree, plural, seconds};
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
    let when = annotations
        .get(DECOMMISSIONED)
        .map_or_else(String::new, |t| claims::whole_seconds(t));
    let host = annotations
        .get(HOST_ID)
        .map_or_else(String::new, |id| format!(" (host ID {id})"));
    if claims::left_how(claim) == claims::Left::NotInRing {
        return format!(
            "claim {} belonged to a node that was not in the ring when its pod was removed at {when}{host} \
             (it never joined, or it had left already): it holds no data the ring needs; replacing it with a new, empty claim",
            claim.name_any()
        );
    }
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
    ui.info(cleanup_intro(pods.len()));
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

/// What the cleanup after growth is about to do, for `count` nodes.
fn cleanup_intro(count: usize) -> String {
    format!(
        "running `nodetool cleanup` on the {} that {} there before, one at a time \
         ({} the data of the ranges {} gave away; --no-cleanup skips this)",
        plural(count, "node", "nodes"),
        agree(count, "was", "were"),
        agree(count, "it still holds", "they still hold"),
        agree(count, "it", "they"),
    )
}

fn skipped(namespace: &str, name: &str, pods: &[String]) -> String {
    let count = pods.len();
    format!(
        "not running `nodetool cleanup` (--no-cleanup): the {} that {} there before still {} the data \
         of the ranges {} gave away; {}",
        plural(count, "node", "nodes"),
        agree(count, "was", "were"),
        agree(count, "holds", "hold"),
        agree(count, "it", "they"),
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
    fn the_cleanup_agrees_with_the_count() {
        assert_eq!(
            cleanup_intro(1),
            "running `nodetool cleanup` on the 1 node that was there before, one at a time \
             (it still holds the data of the ranges it gave away; --no-cleanup skips this)"
        );
        assert!(cleanup_intro(2).contains(
            "on the 2 nodes that were there before, one at a time (they still hold the data of the ranges they gave away;"
        ));
        let one = skipped("shop", "db", &["db-0".to_owned()]);
        assert!(
            one.contains("the 1 node that was there before still holds the data of the ranges it gave away; run it later:"),
            "{one}"
        );
    }

    #[test]
    fn a_replaced_claim_says_how_its_node_left() {
        let claim = |left: Option<&str>| {
            let mut annotations = std::collections::BTreeMap::new();
            annotations.insert(
                DECOMMISSIONED.to_owned(),
                "2026-12-06T00:19:54.236381855Z".to_owned(),
            );
            if let Some(left) = left {
                annotations.insert(claims::LEFT.to_owned(), left.to_owned());
            }
            PersistentVolumeClaim {
                metadata: kube::api::ObjectMeta {
                    name: Some("data-db-3".to_owned()),
                    annotations: Some(annotations),
                    ..Default::default()
                },
                ..Default::default()
            }
        };
        assert_eq!(
            why_replaced(&claim(None)),
            "claim data-db-3 holds the data of a node decommissioned at 2026-12-06T00:19:54Z, which Cassandra would not let rejoin; \
             its data was streamed to the other nodes then: replacing it with a new, empty claim"
        );
        assert_eq!(
            why_replaced(&claim(Some("not-in-ring"))),
            "claim data-db-3 belonged to a node that was not in the ring when its pod was removed at 2026-12-06T00:19:54Z \
             (it never joined, or it had left already): it holds no data the ring needs; replacing it with a new, empty claim"
        );
    }

    #[test]
    fn a_skipped_cleanup_names_the_command_for_each_node() {
        let pods = vec!["db-0".to_owned(), "db-1".to_owned()];
        let text = skipped("shop", "db", &pods);
        assert!(text.contains("--no-cleanup"), "{text}");
        assert!(
            text.contains("the 2 nodes that were there before still hold the data of the ranges they gave away"),
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
