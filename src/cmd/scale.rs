//! `casctl scale N`: the tutorial's "edit replicas", done the way Cassandra operators do it.
//! Growing waits for the new nodes to join the ring; shrinking decommissions the highest
//! ordinal first, one node at a time, before the StatefulSet removes its pod.

use std::time::Instant;

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;

use crate::cassandra::netstats::OperationMode;
use crate::cassandra::replication::check_scale_down;
use crate::cli::ScaleArgs;
use crate::error::{Code, Error};
use crate::fmt::{plural, seconds};
use crate::interrupt::Interrupt;
use crate::k8s::wait::Action;
use crate::k8s::{Cluster, claims, objects, ring};
use crate::nodetool::{NodeState, NodeStatus, RingStatus};
use crate::rollout;
use crate::ui::Ui;
use crate::ui::progress::View;
use crate::wait::{Context, Deadline, Goal, Set, Wait};

/// What one scale run works with: the ring, its selector, the budget, the signals.
struct Scale<'a> {
    cluster: &'a Cluster,
    args: &'a ScaleArgs,
    ui: &'a Ui,
    selector: String,
    deadline: Deadline,
}

pub(crate) async fn run(
    cluster: &Cluster,
    args: &ScaleArgs,
    ui: &Ui,
    interrupt: &mut Interrupt,
) -> Result<Code> {
    let started = Instant::now();
    let sts = objects::existing_statefulset(cluster).await?;
    let current = rollout::replicas(&sts);
    let scale = Scale {
        cluster,
        args,
        ui,
        selector: objects::selectors(cluster, Some(&sts)).remove(0),
        deadline: Deadline::new(started, args.timeout),
    };
    let target = args.replicas;
    if target > current {
        scale.grow(current, interrupt).await?;
    } else if target < current {
        if args.skip_decommission {
            scale.without_decommission(current, interrupt).await?;
        } else {
            scale.shrink(current, interrupt).await?;
        }
        scale.report_kept_claims(&sts).await?;
    } else {
        ui.info(format!(
            "{} already has {}; checking the rollout",
            cluster.name,
            plural(target as usize, "node", "nodes")
        ));
    }
    let ring_check = !args.no_ring_check && !args.skip_decommission;
    scale.wait_complete(ring_check, interrupt).await?;
    if target > current && !args.no_cleanup {
        let before: Vec<String> = (0..current)
            .map(|i| format!("{}-{i}", cluster.name))
            .collect();
        super::steps::cleanup(cluster, &before, scale.deadline, ui, interrupt).await?;
    }
    ui.success(format!(
        "{} has {}{} ({})",
        cluster.name,
        plural(target as usize, "node", "nodes"),
        if ring_check {
            ", all UN in the ring"
        } else {
            ""
        },
        seconds(started.elapsed())
    ));
    Ok(Code::Ok)
}

impl Scale<'_> {
    fn context(&self, done: impl Into<String>, resume: impl Into<String>) -> Context {
        Context {
            namespace: self.cluster.namespace().to_owned(),
            name: self.cluster.name.to_string(),
            done: done.into(),
            resume: resume.into(),
        }
    }

    /// The same command, to say how to go on.
    fn again(&self) -> String {
        format!(
            "run `casctl scale {} -n {} --name {}` again to go on",
            self.args.replicas,
            self.cluster.namespace(),
            self.cluster.name
        )
    }

    async fn wait(
        &self,
        goal: Goal,
        context: Context,
        action: Option<Action>,
        interrupt: &mut Interrupt,
    ) -> Result<()> {
        let wait = Wait::new(goal, 1, Instant::now(), self.deadline, context);
        let mut view = View::new(self.ui);
        let selectors = [self.selector.clone()];
        crate::k8s::wait::run(self.cluster, wait, &selectors, action, interrupt, &mut view).await
    }

    /// Replaces the claims of decommissioned nodes the new pods would start on, then raises
    /// replicas.
    async fn grow(&self, current: u32, interrupt: &mut Interrupt) -> Result<()> {
        let (cluster, target) = (self.cluster, self.args.replicas);
        self.ui.info(format!(
            "scaling {} from {current} to {target} nodes",
            cluster.name
        ));
        let range = (current, target);
        super::steps::replace_stale_claims(
            cluster,
            &self.selector,
            range,
            self.deadline,
            self.ui,
            interrupt,
        )
        .await?;
        objects::set_replicas(cluster, cluster.name.as_str(), target).await
    }

    /// The completion rule for the target size.
    async fn wait_complete(&self, ring: bool, interrupt: &mut Interrupt) -> Result<()> {
        let target = self.args.replicas;
        let goal = Goal::Ready {
            sets: vec![Set::new(self.cluster.name.as_str(), target)],
            ring,
        };
        let context = self.context(
            format!("replicas are set to {target}; the pods and the ring may still be settling"),
            self.again(),
        );
        self.wait(goal, context, None, interrupt).await
    }

    /// The tutorial's way: lower replicas and let the pods go; the ring keeps them as DN.
    async fn without_decommission(&self, current: u32, interrupt: &mut Interrupt) -> Result<()> {
        let (cluster, target) = (self.cluster, self.args.replicas);
        self.ui.warn(format!(
            "--skip-decommission: {} leave without decommissioning; the ring will keep them as DN \
             (remove each with `casctl nodetool -n {} --name {} -- removenode <host-id>`)",
            pod_range(cluster.name.as_str(), target, current),
            cluster.namespace(),
            cluster.name,
        ));
        objects::set_replicas(cluster, cluster.name.as_str(), target).await?;
        let goal = Goal::Gone {
            sets: vec![Set::new(cluster.name.as_str(), target)],
            watch_sets: true,
        };
        let context = self.context(format!("replicas are set to {target}"), self.again());
        self.wait(goal, context, None, interrupt).await
    }

    /// Decommissions and removes nodes current-1 down to the target, one at a time. Before each
    /// step it reads the StatefulSet and the ring again and stops if they are not what the
    /// step expects: a joined node is never removed without decommission, whatever else runs.
    async fn shrink(&self, current: u32, interrupt: &mut Interrupt) -> Result<()> {
        let (cluster, target) = (self.cluster, self.args.replicas);
        let (asked, ring_now) = self.ring_from(None).await?;
        let resuming = self.leaving_node(current - 1, &ring_now).await?;
        self.check_healthy(&asked, &ring_now, resuming.as_deref())?;
        let forced = self.check_replication(&asked, &ring_now).await?;
        self.ui.info(format!(
            "scaling {} from {current} to {target} nodes, decommissioning one node at a time",
            cluster.name
        ));
        for ordinal in (target..current).rev() {
            self.expect_replicas(ordinal + 1).await?;
            let pod_name = format!("{}-{ordinal}", cluster.name);
            let left = self
                .decommission(&pod_name, ordinal, forced, interrupt)
                .await?;
            // The one step that must not be cut in half: a node that left the ring must not
            // keep its pod, so replicas go down before any signal is honoured — and only from
            // the count this step started from.
            objects::lower_replicas(cluster, cluster.name.as_str(), ordinal + 1, ordinal).await?;
            let done = match left {
                true => format!("{pod_name} left the ring and replicas were lowered to {ordinal}"),
                false => format!("replicas were lowered to {ordinal}"),
            };
            let goal = Goal::Gone {
                sets: vec![Set::new(cluster.name.as_str(), ordinal)],
                watch_sets: true,
            };
            let context = self.context(format!("{done}; its pod is terminating"), self.again());
            self.wait(goal, context, None, interrupt).await?;
            self.ui.success(match left {
                true => format!("{pod_name} decommissioned and removed"),
                false => format!("{pod_name} removed"),
            });
        }
        Ok(())
    }

    /// The address of the highest pod's node when it is leaving already: an earlier run of
    /// this scale-down started its decommission and was interrupted. That node is not a reason
    /// to refuse; it is waited for.
    async fn leaving_node(&self, ordinal: u32, ring: &RingStatus) -> Result<Option<String>> {
        let pods = objects::pods(self.cluster, std::slice::from_ref(&self.selector)).await?;
        let pod_name = format!("{}-{ordinal}", self.cluster.name);
        let ip = pods
            .iter()
            .find(|p| p.name_any() == pod_name)
            .and_then(|p| p.status.as_ref()?.pod_ip.clone());
        Ok(ip.filter(|ip| {
            ring.nodes().any(|(_, n)| {
                n.address_is(ip) && n.status == NodeStatus::Up && n.state == NodeState::Leaving
            })
        }))
    }

    fn check_healthy(&self, asked: &str, ring: &RingStatus, leaving: Option<&str>) -> Result<()> {
        let unhealthy: Vec<String> = ring
            .nodes()
            .filter(|(_, n)| !n.is_up_normal())
            .filter(|(_, n)| leaving.is_none_or(|ip| !n.address_is(ip)))
            .map(|(_, n)| format!("{} {}", n.address, n.code()))
            .collect();
        if unhealthy.is_empty() || self.args.force {
            return Ok(());
        }
        Err(Error::RingNotHealthy {
            asked: asked.to_owned(),
            nodes: unhealthy,
        }
        .into())
    }

    /// Refuses a target below a keyspace's replication factor in the ring's data center, as
    /// read from `nodetool describecluster` (Cassandra 4.0+; 3.x prints no keyspaces, and then
    /// Cassandra's own refusal stands). With `--force` it warns instead, and the decommissions
    /// are forced: `Ok(true)`.
    async fn check_replication(&self, asked: &str, ring: &RingStatus) -> Result<bool> {
        let description = match ring::describe(self.cluster, asked).await {
            Ok(description) => description,
            Err(err) if is_forbidden(&err) => return Err(err),
            Err(err) => {
                self.ui.warn(format!(
                    "could not read the keyspaces' replication ({err:#}); Cassandra's own check at each decommission stands"
                ));
                return Ok(false);
            }
        };
        let Some(keyspaces) = description.keyspaces else {
            self.ui.detail("describecluster lists no keyspaces (Cassandra 3.x): Cassandra checks replication itself");
            return Ok(false);
        };
        let Some(dc) = ring.datacenters.first().map(|d| d.name.clone()) else {
            return Ok(false);
        };
        let Err(refusal) = check_scale_down(&keyspaces, &dc, self.args.replicas) else {
            return Ok(false);
        };
        let error = Error::Replication {
            target: self.args.replicas,
            dc,
            keyspaces: refusal
                .keyspaces
                .iter()
                .map(|k| (k.keyspace.clone(), k.replication_factor))
                .collect(),
        };
        if !self.args.force {
            return Err(error.into());
        }
        self.ui.warn(format!(
            "--force: {error}; decommissioning with `nodetool decommission --force`: that data keeps fewer replicas than its keyspace asks for"
        ));
        Ok(true)
    }

    /// The StatefulSet must still exist with the replicas this step starts from.
    async fn expect_replicas(&self, expected: u32) -> Result<()> {
        let sts = objects::existing_statefulset(self.cluster).await?;
        let replicas = rollout::replicas(&sts);
        if replicas == expected {
            return Ok(());
        }
        let by = rollout::replicas_manager(&sts).map_or_else(String::new, |m| format!(" by {m}"));
        Err(Error::Changed {
            what: format!(
                "spec.replicas of StatefulSet {} is {replicas} (set{by}), not the {expected} this step of the scale-down expects",
                self.cluster.name
            ),
            hint: "another command changes the ring at the same time; nothing more was removed. Look with `casctl status`, then run the scale you want again".to_owned(),
        }
        .into())
    }

    /// Runs `nodetool decommission` in the pod, waits until the node has left the ring, and
    /// marks its claim as a decommissioned node's. `Ok(false)` when the pod's node is not in
    /// the ring (it never joined, or it already left in an earlier, interrupted run): nothing
    /// to decommission.
    async fn decommission(
        &self,
        pod_name: &str,
        ordinal: u32,
        forced: bool,
        interrupt: &mut Interrupt,
    ) -> Result<bool> {
        let pods = objects::pods(self.cluster, std::slice::from_ref(&self.selector)).await?;
        let Some(ip) = pods
            .iter()
            .find(|p| p.name_any() == pod_name)
            .and_then(|p| p.status.as_ref()?.pod_ip.clone())
        else {
            self.ui
                .info(format!("{pod_name} has no pod IP: it is not in the ring"));
            return Ok(false);
        };
        let (_, ring_now) = self.ring_from(Some(pod_name)).await?;
        let Some(row) = ring_now.nodes().map(|(_, n)| n).find(|n| n.address_is(&ip)) else {
            self.left_before(pod_name, ordinal, &ip).await?;
            return Ok(false);
        };
        let host_id = row.host_id.clone();
        let resume = row.state == NodeState::Leaving;
        self.ui.info(match resume {
            false => format!("decommissioning {pod_name} ({ip}): streaming its data to the other nodes"),
            true => format!(
                "{pod_name} ({ip}) is leaving the ring already (an earlier run started its decommission): waiting for it"
            ),
        });
        let started = Instant::now();
        let goal = Goal::Left {
            set: self.cluster.name.to_string(),
            pod: pod_name.to_owned(),
            address: ip,
            resume,
        };
        let context = self.context(
            format!(
                "the decommission of {pod_name} goes on inside Cassandra (it cannot be called back); its pod stays"
            ),
            format!(
                "{}: it waits for {pod_name} to leave the ring, then removes its pod",
                self.again()
            ),
        );
        let mut command = vec!["nodetool".to_owned(), "decommission".to_owned()];
        if forced {
            command.push("--force".to_owned());
        }
        let action = Action {
            pod: pod_name.to_owned(),
            command,
            timeout: self.deadline.remaining(Instant::now()),
        };
        self.wait(goal, context, Some(action), interrupt).await?;
        self.ui.info(format!(
            "{pod_name} left the ring ({})",
            seconds(started.elapsed())
        ));
        claims::mark_decommissioned(self.cluster, &self.selector, ordinal, host_id.as_deref())
            .await?;
        Ok(true)
    }

    /// A pod whose node is not in the ring: it never joined, or it left by decommission in
    /// an earlier run that was interrupted (its node then says DECOMMISSIONED, and its claim
    /// is marked as such).
    async fn left_before(&self, pod_name: &str, ordinal: u32, ip: &str) -> Result<()> {
        let decommissioned = ring::streams(self.cluster, pod_name)
            .await
            .is_ok_and(|s| s.mode == OperationMode::Decommissioned);
        if decommissioned {
            self.ui.info(format!(
                "{pod_name} ({ip}) was decommissioned already and is not in the ring any more"
            ));
            claims::mark_decommissioned(self.cluster, &self.selector, ordinal, None).await?;
        } else {
            self.ui.info(format!(
                "{pod_name} ({ip}) is not in the ring (it never joined); removing its pod"
            ));
        }
        Ok(())
    }

    /// `nodetool status` from the first Ready pod other than `except`.
    async fn ring_from(&self, except: Option<&str>) -> Result<(String, RingStatus)> {
        let pods: Vec<Pod> =
            objects::pods(self.cluster, std::slice::from_ref(&self.selector)).await?;
        let name = self.cluster.name.as_str();
        let pod = rollout::pick_pod(&[name], &pods, except).ok_or_else(|| Error::NoReadyPod {
            name: name.to_owned(),
            namespace: self.cluster.namespace().to_owned(),
            hint: "the ring must be asked before a node is removed: wait until a pod is Ready (`casctl status`), \
                   or pass --skip-decommission"
                .to_owned(),
        })?;
        let pod = pod.name_any();
        let status = ring::status(self.cluster, &pod).await?;
        Ok((pod, status))
    }

    /// The claims of removed pods stay (their data is kept until the user purges it).
    async fn report_kept_claims(&self, sts: &StatefulSet) -> Result<()> {
        let (cluster, target) = (self.cluster, self.args.replicas);
        let selectors = objects::selectors(cluster, Some(sts));
        let kept: Vec<String> = objects::claims(cluster, &selectors)
            .await?
            .iter()
            .map(ResourceExt::name_any)
            .filter(|c| {
                objects::claim_ordinal(cluster.name.as_str(), c).is_some_and(|o| o >= target)
            })
            .collect();
        if !kept.is_empty() {
            self.ui.info(format!(
                "kept the {} of the removed pods: {} (a later scale-up replaces the claims of decommissioned \
                 nodes with new, empty ones; `casctl down --purge-volumes` deletes them all)",
                plural(kept.len(), "claim", "claims"),
                kept.join(", ")
            ));
        }
        Ok(())
    }
}

fn is_forbidden(err: &anyhow::Error) -> bool {
    matches!(err.downcast_ref::<Error>(), Some(Error::Forbidden { .. }))
}

/// `cassandra-3` or `cassandra-3..cassandra-5`.
fn pod_range(name: &str, from: u32, to: u32) -> String {
    match to - from {
        1 => format!("{name}-{from}"),
        _ => format!("{name}-{from}..{name}-{}", to - 1),
    }
}
