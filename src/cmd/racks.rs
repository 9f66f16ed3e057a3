//! What `up` and `scale` do to grow a ring with racks: its nodes join one at a time across the
//! racks (r1-0, r2-0, r3-0, r1-1 …), the next only once the previous one is Ready and the ring
//! lists every node UN. One StatefulSet orders its own pods, but nothing orders the pods of
//! several, and Cassandra refuses (or corrupts) concurrent bootstraps: so casctl raises one
//! rack's replicas by one and waits, step after step.

use std::time::Instant;

use anyhow::Result;

use crate::error::Error;
use crate::interrupt::Interrupt;
use crate::k8s::racks::{Ring, scoped};
use crate::k8s::{Cluster, objects};
use crate::racks::{Layout, join_order};
use crate::ui::Ui;
use crate::ui::progress::View;
use crate::wait::{Context, Continued, Deadline, Goal, Set, Wait};

/// A growth of the racks from `from` to `to` nodes each.
pub(crate) struct Growth<'a> {
    pub(crate) layout: &'a Layout,
    pub(crate) from: &'a [u32],
    pub(crate) to: &'a [u32],
    /// The selector of every pod of the ring.
    pub(crate) selector: &'a str,
    /// Whether each step waits for the ring to list every node UN (not `--no-ring-check`).
    pub(crate) ring: bool,
    /// The command to run again after an interruption.
    pub(crate) again: String,
}

/// Replaces the claims of decommissioned nodes the new pods would start on, then adds the
/// nodes one at a time, each step ending with the completion rule for every rack.
pub(crate) async fn join(
    cluster: &Cluster,
    growth: &Growth<'_>,
    deadline: Deadline,
    ui: &Ui,
    interrupt: &mut Interrupt,
    sink: &mut Continued<View>,
) -> Result<()> {
    let sets = growth.layout.sets();
    for (i, set) in sets.iter().enumerate() {
        let (from, to) = (growth.from[i], growth.to[i]);
        if to > from {
            let rack = scoped(cluster, set)?;
            super::steps::replace_stale_claims(
                &rack,
                growth.selector,
                (from, to),
                deadline,
                ui,
                interrupt,
            )
            .await?;
        }
    }
    let mut sizes = growth.from.to_vec();
    let total: u32 = growth.to.iter().sum();
    // A node that an interrupted run let join may still be joining: the next starts after it.
    if sizes.iter().any(|n| *n > 0) {
        let context = context(cluster, "nothing was changed".to_owned(), &growth.again);
        let goal = Goal::Ready {
            sets: sized(&sets, &sizes),
            ring: growth.ring,
        };
        wait(
            cluster,
            goal,
            context,
            growth.selector,
            deadline,
            interrupt,
            sink,
        )
        .await?;
    }
    for slot in join_order(growth.from, growth.to) {
        let set = &sets[slot.rack];
        sizes[slot.rack] = slot.ordinal + 1;
        let joined: u32 = sizes.iter().sum();
        ui.info(format!(
            "rack {}: {} joins the ring (node {joined} of {total})",
            growth.layout.racks()[slot.rack],
            growth.layout.pod(slot)
        ));
        objects::set_replicas(cluster, set, sizes[slot.rack]).await?;
        let done = format!(
            "{} is joining; the racks are set to {} nodes ({})",
            growth.layout.pod(slot),
            joined,
            growth.layout.sizes(&sizes)
        );
        let goal = Goal::Ready {
            sets: sized(&sets, &sizes),
            ring: growth.ring,
        };
        let context = context(cluster, done, &growth.again);
        wait(
            cluster,
            goal,
            context,
            growth.selector,
            deadline,
            interrupt,
            sink,
        )
        .await?;
    }
    Ok(())
}

/// Every rack at these sizes, complete: what holds before the next rack changes.
pub(crate) struct Settle<'a> {
    pub(crate) layout: &'a Layout,
    pub(crate) sizes: &'a [u32],
    pub(crate) selector: &'a str,
    pub(crate) ring: bool,
    pub(crate) again: String,
}

impl Settle<'_> {
    /// Waits for the completion rule over every rack (a rack's rolling update included).
    pub(crate) async fn wait(
        &self,
        cluster: &Cluster,
        deadline: Deadline,
        interrupt: &mut Interrupt,
        sink: &mut Continued<View>,
    ) -> Result<()> {
        let goal = Goal::Ready {
            sets: sized(&self.layout.sets(), self.sizes),
            ring: self.ring,
        };
        let done = "the racks changed so far roll their pods; the others are unchanged".to_owned();
        let context = context(cluster, done, &self.again);
        wait(
            cluster,
            goal,
            context,
            self.selector,
            deadline,
            interrupt,
            sink,
        )
        .await
    }
}

fn context(cluster: &Cluster, done: String, resume: &str) -> Context {
    Context {
        namespace: cluster.namespace().to_owned(),
        name: cluster.name.to_string(),
        done,
        resume: resume.to_owned(),
    }
}

async fn wait(
    cluster: &Cluster,
    goal: Goal,
    context: Context,
    selector: &str,
    deadline: Deadline,
    interrupt: &mut Interrupt,
    sink: &mut Continued<View>,
) -> Result<()> {
    let wait = Wait::new(goal, 1, Instant::now(), deadline, context);
    let selectors = [selector.to_owned()];
    crate::k8s::wait::run(cluster, wait, &selectors, None, interrupt, sink).await
}

/// A ring with a rack whose StatefulSet is gone is not operated on: its nodes are down, and
/// `up` re-creates it.
pub(crate) fn refuse_missing_racks(cluster: &Cluster, ring: &Ring) -> Result<()> {
    if ring.missing.is_empty() {
        return Ok(());
    }
    Err(Error::Preflight {
        message: format!(
            "the StatefulSet of rack {} of {} does not exist",
            ring.missing.join(", "),
            cluster.name
        ),
        hint: Some(format!(
            "re-create it with `casctl up -n {} --name {}` first",
            cluster.namespace(),
            cluster.name
        )),
    }
    .into())
}

/// The sets at these sizes, as the wait engine takes them.
pub(crate) fn sized(sets: &[String], sizes: &[u32]) -> Vec<Set> {
    sets.iter()
        .zip(sizes)
        .map(|(set, n)| Set::new(set.clone(), *n))
        .collect()
}
