//! `casctl scale N`: the tutorial's "edit replicas", done the way Cassandra operators do it.
//! Growing waits for the new nodes to join the ring; shrinking decommissions the highest
//! ordinal first, one node at a time, before the StatefulSet removes its pod. A ring with
//! racks is scaled evenly: N is spread over the racks (earlier racks first), nodes join one at
//! a time across them and leave from the largest rack.

use std::time::{Duration, Instant};

use anyhow::Result;
use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;

use crate::cassandra::netstats::OperationMode;
use crate::cassandra::replication::check_scale_down;
use crate::cli::ScaleArgs;
use crate::error::{Code, Error};
use crate::fmt::{plural, seconds};
use crate::interrupt::Interrupt;
use crate::k8s::racks::{self, Ring, scoped};
use crate::k8s::wait::Action;
use crate::k8s::{Cluster, claims, objects, ring};
use crate::nodetool::{NodeState, NodeStatus, RingStatus};
use crate::racks::{Slot, distribute, leave_order};
use crate::rollout;
use crate::ui::Ui;
use crate::ui::progress::View;
use crate::wait::{Context, Continued, Deadline, Goal, Set, Wait};

/// What one scale run works with: the ring, its selector, the budget, the signals.
struct Scale<'a> {
    cluster: &'a Cluster,
    args: &'a ScaleArgs,
    ui: &'a Ui,
    /// The ring as it was when the scale began (its StatefulSets' names and selectors).
    ring: Ring,
    /// The selector of every pod of the ring.
    selector: String,
    deadline: Deadline,
}

pub(crate) async fn run(
    cluster: &Cluster,
    args: &ScaleArgs,
    deadline: Deadline,
    ui: &Ui,
    interrupt: &mut Interrupt,
) -> Result<Code> {
    let started = Instant::now();
    let ring = racks::existing(cluster).await?;
    ui.phase(
        format!(
            "reading the StatefulSets of {}: {} ({} replicas)",
            cluster.name,
            ring.layout.sets().join(", "),
            ring.replicas()
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(" + ")
        ),
        started,
    );
    super::racks::refuse_missing_racks(cluster, &ring)?;
    let racks = ring.layout.racks().len();
    crate::manifest::check_rack_sizes(args.replicas, racks)?;
    let current = ring.replicas();
    let target = distribute(args.replicas, current.len());
    // Racks below their share grow first (more nodes are never less safe), then the others
    // shrink: only a ring changed behind casctl's back needs both.
    let grown: Vec<u32> = current
        .iter()
        .zip(&target)
        .map(|(c, t)| *c.max(t))
        .collect();
    let scale = Scale {
        cluster,
        args,
        ui,
        selector: ring.selector(cluster),
        ring,
        deadline,
    };
    let grows = grown != current;
    let shrinks = grown != target;
    if let Some(flags) = ignored_flags(args, shrinks) {
        ui.warn(flags);
    }
    if grows {
        scale.grow(&current, &grown, interrupt).await?;
    }
    if shrinks {
        if args.skip_decommission {
            scale
                .without_decommission(&grown, &target, interrupt)
                .await?;
        } else {
            scale.shrink(&grown, &target, interrupt).await?;
        }
        scale.report_kept_claims(&target).await?;
    }
    if !grows && !shrinks {
        ui.info(format!(
            "{} already has {}; checking the rollout",
            cluster.name,
            plural(args.replicas as usize, "node", "nodes")
        ));
    }
    let ring_check = !args.no_ring_check && !args.skip_decommission;
    scale.wait_complete(&target, ring_check, interrupt).await?;
    if grows {
        let before = scale.ring.layout.pods(&current);
        match args.no_cleanup {
            false => super::steps::cleanup(cluster, &before, scale.deadline, ui, interrupt).await?,
            true => super::steps::cleanup_skipped(cluster, &before, ui),
        }
    }
    let racked = match scale.ring.layout.has_racks() {
        true => format!(" ({})", scale.ring.layout.sizes(&target)),
        false => String::new(),
    };
    ui.success(format!(
        "{} has {}{racked}{} ({})",
        cluster.name,
        plural(args.replicas as usize, "node", "nodes"),
        if ring_check {
            ", all UN in the ring"
        } else {
            ""
        },
        seconds(started.elapsed())
    ));
    Ok(Code::Ok)
}

/// `--force` and `--skip-decommission` say how to shrink: growing (or staying) ignores them, and
/// says so rather than silently.
fn ignored_flags(args: &ScaleArgs, shrinks: bool) -> Option<String> {
    let flags: Vec<&str> = [
        (args.force, "--force"),
        (args.skip_decommission, "--skip-decommission"),
    ]
    .into_iter()
    .filter_map(|(set, flag)| set.then_some(flag))
    .collect();
    (!shrinks && !flags.is_empty()).then(|| {
        format!(
            "{} only {} when the ring shrinks; scaling to {} removes no node, so {} ignored",
            flags.join(" and "),
            crate::fmt::agree(flags.len(), "applies", "apply"),
            args.replicas,
            crate::fmt::agree(flags.len(), "it is", "they are"),
        )
    })
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
        again(
            self.args,
            self.cluster.namespace(),
            self.cluster.name.as_str(),
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

    /// Grows the racks from `current` to `target` nodes. The tutorial's single StatefulSet
    /// orders its new pods itself: the claims of decommissioned nodes they would start on are
    /// replaced, then replicas are raised. Racks grow one node at a time across them.
    async fn grow(&self, current: &[u32], target: &[u32], interrupt: &mut Interrupt) -> Result<()> {
        let cluster = self.cluster;
        let (from, to): (u32, u32) = (current.iter().sum(), target.iter().sum());
        self.ui.info(format!(
            "scaling {} from {from} to {to} nodes",
            cluster.name
        ));
        if self.ring.layout.has_racks() {
            let growth = super::racks::Growth {
                layout: &self.ring.layout,
                from: current,
                to: target,
                selector: &self.selector,
                ring: !self.args.no_ring_check,
                again: self.again(),
            };
            let mut sink = Continued::new(View::new(self.ui));
            return super::racks::join(
                cluster,
                &growth,
                self.deadline,
                self.ui,
                interrupt,
                &mut sink,
            )
            .await;
        }
        super::steps::replace_stale_claims(
            cluster,
            &self.selector,
            (from, to),
            self.deadline,
            self.ui,
            interrupt,
        )
        .await?;
        objects::set_replicas(cluster, cluster.name.as_str(), to).await
    }

    /// The completion rule for the target sizes.
    async fn wait_complete(
        &self,
        target: &[u32],
        ring: bool,
        interrupt: &mut Interrupt,
    ) -> Result<()> {
        let goal = Goal::Ready {
            sets: self.sized(target),
            ring,
        };
        let target = self.args.replicas;
        let context = self.context(
            format!("replicas are set to {target}; the pods and the ring may still be settling"),
            self.again(),
        );
        self.wait(goal, context, None, interrupt).await
    }

    /// The ring's StatefulSets at these sizes, as the wait engine takes them.
    fn sized(&self, sizes: &[u32]) -> Vec<Set> {
        super::racks::sized(&self.ring.layout.sets(), sizes)
    }

    /// The tutorial's way: lower replicas and let the pods go; the ring keeps them as DN.
    async fn without_decommission(
        &self,
        current: &[u32],
        target: &[u32],
        interrupt: &mut Interrupt,
    ) -> Result<()> {
        let cluster = self.cluster;
        let sets = self.ring.layout.sets();
        let leaving: Vec<String> = sets
            .iter()
            .zip(current.iter().zip(target))
            .filter(|(_, (c, t))| c > t)
            .map(|(set, (c, t))| pod_range(set, *t, *c))
            .collect();
        self.ui.warn(format!(
            "--skip-decommission: {} leave without decommissioning; the ring will keep them as DN \
             (remove each with `casctl nodetool -n {} --name {} -- removenode <host-id>`)",
            leaving.join(", "),
            cluster.namespace(),
            cluster.name,
        ));
        for (set, (c, t)) in sets.iter().zip(current.iter().zip(target)) {
            if c > t {
                objects::set_replicas(cluster, set, *t).await?;
            }
        }
        let goal = Goal::Gone {
            sets: self.sized(target),
            watch_sets: true,
        };
        let total = self.args.replicas;
        let context = self.context(format!("replicas are set to {total}"), self.again());
        self.wait(goal, context, None, interrupt).await
    }

    /// Decommissions and removes nodes one at a time, highest ordinal first (from the largest
    /// rack), down to the target sizes. Before each step it reads the StatefulSet and the ring
    /// again and stops if they are not what the step expects: a joined node is never removed
    /// without decommission, whatever else runs.
    async fn shrink(
        &self,
        current: &[u32],
        target: &[u32],
        interrupt: &mut Interrupt,
    ) -> Result<()> {
        let cluster = self.cluster;
        let (asked, ring_now) = self.ring_from(None, interrupt, &[]).await?;
        let first = leave_order(current, target).first().copied();
        let resuming = match first {
            Some(slot) => self.leaving_node(slot, &ring_now).await?,
            None => None,
        };
        let pods = racks::pods(self.cluster, &self.ring).await?;
        self.check_healthy(&asked, &ring_now, &pods, resuming.as_deref())?;
        let forced = self.check_replication(&asked, &ring_now, interrupt).await?;
        self.ui.info(format!(
            "scaling {} from {} to {}, decommissioning one node at a time",
            cluster.name,
            current.iter().sum::<u32>(),
            plural(self.args.replicas as usize, "node", "nodes")
        ));
        let sets = self.ring.layout.sets();
        let mut removed = Vec::new();
        for slot in leave_order(current, target) {
            let (set, ordinal) = (&sets[slot.rack], slot.ordinal);
            self.expect_replicas(set, ordinal + 1).await?;
            let pod_name = self.ring.layout.pod(slot);
            let left = self.decommission(slot, forced, &removed, interrupt).await?;
            // The one step that must not be cut in half: a node that left the ring must not
            // keep its pod, so replicas go down before any signal is honoured — and only from
            // the count this step started from.
            let lowering = Instant::now();
            objects::lower_replicas(cluster, set, ordinal + 1, ordinal).await?;
            self.ui.phase(
                format!(
                    "lowering the replicas of {set} from {} to {ordinal}",
                    ordinal + 1
                ),
                lowering,
            );
            let done = match left {
                true => format!(
                    "{pod_name} left the ring and replicas of {set} were lowered to {ordinal}"
                ),
                false => format!("replicas of {set} were lowered to {ordinal}"),
            };
            let goal = Goal::Gone {
                sets: vec![Set::new(set.as_str(), ordinal)],
                watch_sets: true,
            };
            let context = self.context(format!("{done}; its pod is terminating"), self.again());
            self.wait(goal, context, None, interrupt).await?;
            self.ui.success(match left {
                true => format!("{pod_name} decommissioned and removed"),
                false => format!("{pod_name} removed"),
            });
            removed.push(pod_name);
        }
        Ok(())
    }

    /// The address of the highest pod's node when it is leaving already: an earlier run of
    /// this scale-down started its decommission and was interrupted. That node is not a reason
    /// to refuse; it is waited for.
    async fn leaving_node(&self, slot: Slot, ring: &RingStatus) -> Result<Option<String>> {
        let pods = racks::pods(self.cluster, &self.ring).await?;
        let pod_name = self.ring.layout.pod(slot);
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

    fn check_healthy(
        &self,
        asked: &str,
        ring: &RingStatus,
        pods: &[Pod],
        leaving: Option<&str>,
    ) -> Result<()> {
        let unhealthy = unhealthy_nodes(ring, pods, leaving);
        if unhealthy.is_empty() || self.args.force {
            return Ok(());
        }
        Err(Error::RingNotHealthy {
            asked: asked.to_owned(),
            nodes: unhealthy,
            risk: "decommissioning while nodes are down can lose data",
        }
        .into())
    }

    /// Refuses a target below a keyspace's replication factor in the ring's data center, as
    /// read from `nodetool describecluster` (Cassandra 4.0+; 3.x prints no keyspaces, and then
    /// Cassandra's own refusal stands). With `--force` it warns instead, and the decommissions
    /// are forced: `Ok(true)`.
    async fn check_replication(
        &self,
        asked: &str,
        ring: &RingStatus,
        interrupt: &Interrupt,
    ) -> Result<bool> {
        let started = Instant::now();
        let describe = ring::describe(self.cluster, asked);
        let described = interrupt.unless(describe, || self.cut(&[])).await;
        self.ui.phase(
            format!("nodetool describecluster in {asked} (the keyspaces' replication)"),
            started,
        );
        let description = match described {
            Ok(description) => description,
            Err(err) if is_forbidden(&err) || is_interrupted(&err) => return Err(err),
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
    async fn expect_replicas(&self, set: &str, expected: u32) -> Result<()> {
        let sts = objects::existing_statefulset(&scoped(self.cluster, set)?).await?;
        let replicas = rollout::replicas(&sts);
        if replicas == expected {
            return Ok(());
        }
        let by = rollout::replicas_manager(&sts).map_or_else(String::new, |m| format!(" by {m}"));
        Err(Error::Changed {
            what: format!(
                "spec.replicas of StatefulSet {set} is {replicas} (set{by}), not the {expected} this step of the scale-down expects"
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
        slot: Slot,
        forced: bool,
        removed: &[String],
        interrupt: &mut Interrupt,
    ) -> Result<bool> {
        let pod_name = self.ring.layout.pod(slot);
        let pod_name = pod_name.as_str();
        let set = &self.ring.layout.sets()[slot.rack];
        let pods = racks::pods(self.cluster, &self.ring).await?;
        let Some(ip) = pods
            .iter()
            .find(|p| p.name_any() == pod_name)
            .and_then(|p| p.status.as_ref()?.pod_ip.clone())
        else {
            self.ui
                .info(format!("{pod_name} has no pod IP: it is not in the ring"));
            return Ok(false);
        };
        let (_, ring_now) = self.ring_from(Some(pod_name), interrupt, removed).await?;
        let Some(row) = ring_now.nodes().map(|(_, n)| n).find(|n| n.address_is(&ip)) else {
            let streams = ring::streams(self.cluster, pod_name);
            let decommissioned = match interrupt.unless(streams, || self.cut(removed)).await {
                Err(err) if is_interrupted(&err) => return Err(err),
                streams => streams.is_ok_and(|s| s.mode == OperationMode::Decommissioned),
            };
            self.left_before(set, pod_name, slot.ordinal, &ip, decommissioned)
                .await?;
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
            sets: self.ring.layout.sets(),
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
            // A moment past the command's budget: when the budget runs out, the wait ends
            // on its deadline (the decommission goes on), not on a lost connection.
            timeout: self.deadline.remaining(Instant::now()) + Duration::from_secs(5),
        };
        self.wait(goal, context, Some(action), interrupt).await?;
        self.ui.info(format!(
            "{pod_name} left the ring ({})",
            seconds(started.elapsed())
        ));
        let rack = scoped(self.cluster, set)?;
        let how = claims::Left::Decommission;
        claims::mark_decommissioned(&rack, &self.selector, slot.ordinal, host_id.as_deref(), how)
            .await?;
        Ok(true)
    }

    /// A pod whose node is not in the ring: it never joined, or it left by decommission in
    /// an earlier run that was interrupted (its node then says DECOMMISSIONED, and its claim
    /// is marked as such).
    async fn left_before(
        &self,
        set: &str,
        pod_name: &str,
        ordinal: u32,
        ip: &str,
        decommissioned: bool,
    ) -> Result<()> {
        self.ui.info(match decommissioned {
            true => format!(
                "{pod_name} ({ip}) was decommissioned already and is not in the ring any more"
            ),
            false => format!(
                "{pod_name} ({ip}) is not in the ring (it never joined, or it left already): it holds no data the ring needs; removing its pod"
            ),
        });
        // A node outside the ring owns no range: whether it left by decommission (which its
        // own node may no longer say) or never joined, its claim is replaced on growth rather
        // than reused, so that a decommissioned node's data never crash-loops a new pod.
        let rack = scoped(self.cluster, set)?;
        let how = match decommissioned {
            true => claims::Left::Decommission,
            false => claims::Left::NotInRing,
        };
        claims::mark_decommissioned(&rack, &self.selector, ordinal, None, how).await?;
        Ok(())
    }

    /// Stopped by a signal while the ring was read between two steps: what the steps before
    /// (the nodes `removed`) did.
    fn cut(&self, removed: &[String]) -> Error {
        let done = match removed {
            [] => "no node was removed".to_owned(),
            removed => format!(
                "{} removed; the next node was not touched",
                removed.join(", ")
            ),
        };
        Error::Interrupted {
            done,
            resume: self.again(),
        }
    }

    /// `nodetool status` from the first Ready pod other than `except`; a signal stops it at
    /// once (the nodes `removed` so far are said).
    async fn ring_from(
        &self,
        except: Option<&str>,
        interrupt: &Interrupt,
        removed: &[String],
    ) -> Result<(String, RingStatus)> {
        let pods: Vec<Pod> = racks::pods(self.cluster, &self.ring).await?;
        let sets = self.ring.layout.sets();
        let names: Vec<&str> = sets.iter().map(String::as_str).collect();
        let name = self.cluster.name.as_str();
        let pod = rollout::pick_pod(&names, &pods, except).ok_or_else(|| Error::NoReadyPod {
            name: name.to_owned(),
            namespace: self.cluster.namespace().to_owned(),
            hint: "the ring must be asked before a node is removed: wait until a pod is Ready (`casctl status`), \
                   or pass --skip-decommission"
                .to_owned(),
        })?;
        let pod = pod.name_any();
        let asked = Instant::now();
        let status = ring::status(self.cluster, &pod);
        let status = interrupt.unless(status, || self.cut(removed)).await?;
        self.ui.phase(format!("nodetool status in {pod}"), asked);
        Ok((pod, status))
    }

    /// The claims of removed pods stay (their data is kept until the user purges it).
    async fn report_kept_claims(&self, target: &[u32]) -> Result<()> {
        let sets = self.ring.layout.sets();
        let removed: Vec<_> = racks::claims(self.cluster, &self.ring)
            .await?
            .into_iter()
            .filter(|c| {
                sets.iter().zip(target).any(|(set, t)| {
                    objects::claim_ordinal(set, &c.name_any()).is_some_and(|o| o >= *t)
                })
            })
            .collect();
        super::down::report_kept_of_removed(&removed, self.ui);
        Ok(())
    }
}

/// The ring's nodes that are not Up/Normal, but `leaving` (the node an earlier run of this
/// scale-down is decommissioning): `<address> <code>`, and the pod whose IP that is.
/// The command that goes on after an interruption: the same target and the flags that change
/// what it does (without `--force`, a forced shrink would be refused on the rerun).
fn again(args: &ScaleArgs, namespace: &str, name: &str) -> String {
    let flags = [
        (args.force, " --force"),
        (args.skip_decommission, " --skip-decommission"),
        (args.no_cleanup, " --no-cleanup"),
        (args.no_ring_check, " --no-ring-check"),
    ];
    let flags: String = flags
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, f)| *f)
        .collect();
    format!(
        "run `casctl scale {} -n {namespace} --name {name}{flags}` again to go on",
        args.replicas
    )
}

fn unhealthy_nodes(ring: &RingStatus, pods: &[Pod], leaving: Option<&str>) -> Vec<String> {
    ring.nodes()
        .map(|(_, n)| n)
        .filter(|n| !n.is_up_normal())
        .filter(|n| leaving.is_none_or(|ip| !n.address_is(ip)))
        .map(|n| {
            let pod = pods.iter().find(|p| {
                p.status
                    .as_ref()
                    .and_then(|s| s.pod_ip.as_deref())
                    .is_some_and(|ip| n.address_is(ip))
            });
            match pod {
                Some(pod) => format!("{} {} (pod {})", n.address, n.code(), pod.name_any()),
                None => format!("{} {}", n.address, n.code()),
            }
        })
        .collect()
}

fn is_forbidden(err: &anyhow::Error) -> bool {
    matches!(err.downcast_ref::<Error>(), Some(Error::Forbidden { .. }))
}

fn is_interrupted(err: &anyhow::Error) -> bool {
    matches!(err.downcast_ref::<Error>(), Some(Error::Interrupted { .. }))
}

/// `cassandra-3` or `cassandra-3..cassandra-5`.
fn pod_range(name: &str, from: u32, to: u32) -> String {
    match to - from {
        1 => format!("{name}-{from}"),
        _ => format!("{name}-{from}..{name}-{}", to - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use k8s_openapi::api::core::v1::PodStatus;

    fn pod(name: &str, ip: &str) -> Pod {
        let mut pod = Pod::default();
        pod.metadata.name = Some(name.to_owned());
        pod.status = Some(PodStatus {
            pod_ip: Some(ip.to_owned()),
            ..PodStatus::default()
        });
        pod
    }

    #[test]
    fn the_resume_command_keeps_the_flags_that_change_what_scale_does() {
        let parse = |line: &str| match crate::cli::Cli::try_parse_from(line.split(' ')) {
            Ok(crate::cli::Cli {
                command: crate::cli::Command::Scale(args),
                ..
            }) => args,
            _ => panic!("not a scale: {line}"),
        };
        let forced = parse("casctl scale 1 --force --no-cleanup --timeout 5m");
        assert_eq!(
            again(&forced, "shop", "db"),
            "run `casctl scale 1 -n shop --name db --force --no-cleanup` again to go on"
        );
        let plain = parse("casctl scale 2");
        assert_eq!(
            again(&plain, "shop", "db"),
            "run `casctl scale 2 -n shop --name db` again to go on"
        );
    }

    #[test]
    fn an_unhealthy_node_is_named_with_its_pod() {
        let ring = crate::nodetool::parse_status(include_str!(
            "../../tests/fixtures/cassandra-5.0.9/status-down-after-kill.txt"
        ))
        .unwrap();
        let pods = [
            pod("cassandra-0", "127.1.0.1"),
            pod("cassandra-1", "127.1.0.2"),
            pod("cassandra-2", "127.1.0.3"),
        ];
        assert_eq!(
            unhealthy_nodes(&ring, &pods, None),
            ["127.1.0.2 DN (pod cassandra-1)"]
        );
        // A node that no pod stands for keeps its address only.
        assert_eq!(unhealthy_nodes(&ring, &pods[..1], None), ["127.1.0.2 DN"]);
        // The node this scale-down is decommissioning already is no reason to refuse.
        assert!(unhealthy_nodes(&ring, &pods, Some("127.1.0.2")).is_empty());
    }
}
