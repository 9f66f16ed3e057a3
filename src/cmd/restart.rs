//! `casctl restart`: the rolling restart that operators' kubectl plugins offer, without an
//! operator. One pod at a time, rack after rack, the highest ordinal first: `nodetool drain`
//! in the pod (its writes flushed, no more traffic), delete it, and wait until its
//! replacement is Ready and the ring lists every node UN again before the next. The restart's
//! start is recorded on each StatefulSet it restarts: interrupted, the same command goes on
//! with the pods created before that time, and never restarts a pod twice.

use std::time::{Duration, Instant};

use anyhow::Result;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;

use crate::cli::RestartArgs;
use crate::error::{Code, Error};
use crate::fmt::{plural, seconds};
use crate::interrupt::Interrupt;
use crate::k8s::racks::{self, Ring};
use crate::k8s::{Cluster, exec, objects, ring};
use crate::racks::{restart_order, restarted};
use crate::rollout;
use crate::ui::Ui;
use crate::ui::progress::View;
use crate::wait::{Context, Continued, Deadline, Goal, Wait};

/// How long `nodetool drain` may take: it flushes every memtable.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(600);

pub(crate) async fn run(
    cluster: &Cluster,
    args: &RestartArgs,
    deadline: Deadline,
    ui: &Ui,
    interrupt: &mut Interrupt,
) -> Result<Code> {
    let started = Instant::now();
    let ring = racks::existing(cluster).await?;
    ui.phase(
        format!(
            "reading the StatefulSets of {}: {}",
            cluster.name,
            ring.layout.sets().join(", ")
        ),
        started,
    );
    super::racks::refuse_missing_racks(cluster, &ring)?;
    let scope = Scope::of(cluster.name.as_str(), &ring, args)?;
    let restart = Restart {
        cluster,
        args,
        ui,
        deadline,
        selector: ring.selector(cluster),
    };
    let pods = racks::pods(cluster, &ring).await?;
    if args.force {
        ui.warn("--force: restarting without checking that every node is UN first");
    } else {
        restart.check_healthy(&ring, &pods, interrupt).await?;
    }
    let since = restart.record(&ring, &scope).await?;
    let todo = scope.todo(&ring, &pods, &since);
    if todo.is_empty() {
        ui.info("every pod was restarted already");
    } else {
        ui.info(format!(
            "restarting {} of {} one at a time: {}",
            plural(todo.len(), "pod", "pods"),
            cluster.name,
            todo.join(", ")
        ));
    }
    let mut sink = Continued::new(View::new(ui)).known(&pods);
    for (done, pod) in todo.iter().enumerate() {
        if interrupt.is_set() {
            return Err(restart.interrupted(done, todo.len()).into());
        }
        let step = Instant::now();
        ui.info(format!("[{}/{}] {pod}", done + 1, todo.len()));
        restart.one(pod, interrupt, &mut sink).await?;
        ui.success(format!(
            "{pod} restarted: Ready and UN in the ring ({})",
            seconds(step.elapsed())
        ));
    }
    restart.forget(&ring, &scope).await?;
    ui.success(format!(
        "restarted {} of {} one at a time, the ring whole between them ({})",
        plural(todo.len(), "pod", "pods"),
        cluster.name,
        seconds(started.elapsed())
    ));
    Ok(Code::Ok)
}

/// What a restart covers: some of the ring's StatefulSets (by index), or one pod.
struct Scope {
    sets: Vec<usize>,
    pod: Option<String>,
}

impl Scope {
    fn of(name: &str, ring: &Ring, args: &RestartArgs) -> Result<Self> {
        let layout = &ring.layout;
        let all = (0..layout.sets().len()).collect();
        match (&args.rack, &args.pod) {
            (Some(rack), _) => {
                let index = layout.racks().iter().position(|r| r == rack);
                let Some(index) = index else {
                    let racks = match layout.has_racks() {
                        true => format!("its racks are {}", layout.racks().join(", ")),
                        false => "it has no racks".to_owned(),
                    };
                    return Err(
                        Error::usage(format!("{name} has no rack {rack}: {racks}"), None).into(),
                    );
                };
                Ok(Scope {
                    sets: vec![index],
                    pod: None,
                })
            }
            (None, Some(pod)) => {
                let replicas = ring.replicas();
                let index = layout.sets().iter().enumerate().position(|(i, set)| {
                    rollout::ordinal(set, pod).is_some_and(|o| o < replicas[i])
                });
                let Some(index) = index else {
                    return Err(Error::usage(
                        format!("{pod} is not a pod of {name}"),
                        Some("`casctl status` lists the ring's pods".to_owned()),
                    )
                    .into());
                };
                Ok(Scope {
                    sets: vec![index],
                    pod: Some(pod.clone()),
                })
            }
            (None, None) => Ok(Scope {
                sets: all,
                pod: None,
            }),
        }
    }

    /// The pods to restart, in order: the one asked for, else every pod of the sets in
    /// scope that was not restarted since its set's restart began.
    fn todo(&self, ring: &Ring, pods: &[Pod], since: &[Option<Timestamp>]) -> Vec<String> {
        if let Some(pod) = &self.pod {
            return vec![pod.clone()];
        }
        restart_order(&ring.replicas())
            .into_iter()
            .filter(|slot| self.sets.contains(&slot.rack))
            .map(|slot| (slot, ring.layout.pod(slot)))
            .filter(|(slot, name)| {
                let created = pods
                    .iter()
                    .find(|p| p.name_any() == *name)
                    .and_then(|p| p.metadata.creation_timestamp.as_ref())
                    .map(|t| t.0);
                since[slot.rack].is_none_or(|since| !restarted(created, since))
            })
            .map(|(_, name)| name)
            .collect()
    }
}

/// One restart run: the ring, its selector, the budget.
struct Restart<'a> {
    cluster: &'a Cluster,
    args: &'a RestartArgs,
    ui: &'a Ui,
    deadline: Deadline,
    selector: String,
}

impl Restart<'_> {
    /// Every pod Ready and every ring node UN: taking a node down while another is down
    /// leaves some token ranges with too few replicas.
    async fn check_healthy(&self, ring: &Ring, pods: &[Pod], interrupt: &Interrupt) -> Result<()> {
        let sets = ring.layout.sets();
        let mut unhealthy: Vec<String> = sets
            .iter()
            .zip(ring.replicas())
            .flat_map(|(set, replicas)| {
                let own: Vec<Pod> = pods
                    .iter()
                    .filter(|p| rollout::pod_ordinal(set, p).is_some())
                    .cloned()
                    .collect();
                rollout::pods_pending(set, &own, replicas)
            })
            .collect();
        let names: Vec<&str> = sets.iter().map(String::as_str).collect();
        let Some(asked) = rollout::pick_pod(&names, pods, None).map(ResourceExt::name_any) else {
            return Err(Error::usage(
                format!(
                    "no pod of {} is Ready, so the ring cannot be read",
                    self.cluster.name
                ),
                Some("pass --force to restart anyway".to_owned()),
            )
            .into());
        };
        let reading = Instant::now();
        let status = interrupt
            .unless(ring::status(self.cluster, &asked), || Error::Interrupted {
                done: "nothing was restarted: the ring was being read before the first pod"
                    .to_owned(),
                resume: self.again(),
            })
            .await?;
        self.ui
            .phase(format!("nodetool status in {asked}"), reading);
        unhealthy.extend(
            status
                .nodes()
                .filter(|(_, n)| !n.is_up_normal())
                .map(|(_, n)| format!("{} {}", n.address, n.code())),
        );
        if unhealthy.is_empty() {
            return Ok(());
        }
        Err(Error::RingNotHealthy {
            asked,
            nodes: unhealthy,
            risk: "restarting a node while another is down leaves some data with fewer replicas",
        }
        .into())
    }

    /// When the restart of each StatefulSet began: an unfinished one's start, else now,
    /// recorded. One pod (`--pod`) records nothing.
    async fn record(&self, ring: &Ring, scope: &Scope) -> Result<Vec<Option<Timestamp>>> {
        let mut since = vec![None; ring.statefulsets.len()];
        if scope.pod.is_some() {
            return Ok(since);
        }
        // Creation times have whole seconds: a pod created within the second a restart began
        // is a restarted one.
        let now = Timestamp::from_second(Timestamp::now().as_second())?;
        let sets = ring.layout.sets();
        for &i in &scope.sets {
            let began = match racks::restart_since(&ring.statefulsets[i]) {
                Some(began) => {
                    self.ui.info(format!(
                        "continuing the restart of {} begun at {began}: pods created since then are done",
                        sets[i]
                    ));
                    began
                }
                None => {
                    racks::mark_restart(self.cluster, &sets[i], now).await?;
                    now
                }
            };
            since[i] = Some(began);
        }
        Ok(since)
    }

    /// The restart of the StatefulSets in scope is over.
    async fn forget(&self, ring: &Ring, scope: &Scope) -> Result<()> {
        if scope.pod.is_some() {
            return Ok(());
        }
        let sets = ring.layout.sets();
        for &i in &scope.sets {
            racks::clear_restart(self.cluster, &sets[i]).await?;
        }
        Ok(())
    }

    /// Drains the pod, deletes it (only the pod that was drained), and waits until its
    /// replacement is back in a whole ring. The drain and the delete are one step that a
    /// signal does not cut: a drained node serves nothing until it restarts.
    async fn one(
        &self,
        pod: &str,
        interrupt: &mut Interrupt,
        sink: &mut Continued<View>,
    ) -> Result<()> {
        let ring = racks::existing(self.cluster).await?;
        let uid = match objects::pod(self.cluster, pod).await? {
            Some(current) => {
                let uid = current.uid().unwrap_or_default();
                let draining = Instant::now();
                self.drain(pod).await?;
                self.ui.phase(format!("nodetool drain in {pod}"), draining);
                if !racks::delete_pod(self.cluster, pod, &uid).await? {
                    self.ui.info(format!(
                        "{pod} was replaced meanwhile; waiting for the new one"
                    ));
                }
                uid
            }
            None => {
                self.ui.info(format!(
                    "{pod} does not exist; waiting for its StatefulSet to create it"
                ));
                String::new()
            }
        };
        let goal = Goal::Restarted {
            sets: ring.sets(),
            pod: pod.to_owned(),
            uid,
            whole: !self.args.force,
        };
        let context = Context {
            namespace: self.cluster.namespace().to_owned(),
            name: self.cluster.name.to_string(),
            done: format!("{pod} was drained and deleted; its StatefulSet re-creates it"),
            resume: self.again(),
        };
        let wait = Wait::new(goal, 1, Instant::now(), self.deadline, context);
        let selectors = [self.selector.clone()];
        crate::k8s::wait::run(self.cluster, wait, &selectors, None, interrupt, sink).await
    }

    /// `nodetool drain`: refused unless it succeeds, as a node that cannot drain may be in
    /// trouble the restart would hide (with `--force`, a warning).
    async fn drain(&self, pod: &str) -> Result<()> {
        self.ui.info(format!(
            "draining {pod}: it flushes its writes to disk and stops taking traffic"
        ));
        let timeout = DRAIN_TIMEOUT.min(self.deadline.remaining(Instant::now()));
        let failure = match exec::run(self.cluster, pod, &["nodetool", "drain"], timeout).await {
            Ok(out) if out.exit_code == 0 => return Ok(()),
            Ok(out) => Error::Exec {
                pod: pod.to_owned(),
                command: "nodetool drain".to_owned(),
                code: out.exit_code,
                output: out.printed(),
                hint: Some(format!(
                    "{pod} was not deleted; look at it with `casctl status`, or pass --force to restart it undrained"
                )),
            },
            Err(err) if matches!(err.downcast_ref::<Error>(), Some(Error::Forbidden { .. })) => {
                return Err(err);
            }
            Err(err) if self.args.force => {
                self.ui.warn(format!(
                    "--force: `nodetool drain` in {pod} failed ({err:#}); restarting it undrained"
                ));
                return Ok(());
            }
            Err(err) => return Err(err),
        };
        if self.args.force {
            self.ui
                .warn(format!("--force: {failure}; restarting it undrained"));
            return Ok(());
        }
        Err(failure.into())
    }

    fn again(&self) -> String {
        let mut line = format!(
            "casctl restart -n {} --name {}",
            self.cluster.namespace(),
            self.cluster.name
        );
        if let Some(rack) = &self.args.rack {
            line.push_str(&format!(" --rack {rack}"));
        }
        if let Some(pod) = &self.args.pod {
            line.push_str(&format!(" --pod {pod}"));
        }
        if self.args.force {
            line.push_str(" --force");
        }
        format!("run `{line}` again: it goes on with the pods not restarted yet")
    }

    fn interrupted(&self, done: usize, of: usize) -> Error {
        Error::Interrupted {
            done: format!(
                "{done} of {of} pods restarted, the ring whole; the others were not touched"
            ),
            resume: self.again(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::racks::Layout;
    use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn ring(racks: &[&str], sizes: &[i32]) -> Ring {
        let racks: Vec<String> = racks.iter().map(|r| r.to_string()).collect();
        let sts = |replicas: &i32| StatefulSet {
            spec: Some(StatefulSetSpec {
                replicas: Some(*replicas),
                ..Default::default()
            }),
            ..Default::default()
        };
        Ring {
            layout: match racks.is_empty() {
                true => Layout::single("cassandra"),
                false => Layout::racked("cassandra", racks.clone()),
            },
            statefulsets: sizes.iter().map(sts).collect(),
            missing: Vec::new(),
            made_with: racks,
        }
    }

    fn args(rack: Option<&str>, pod: Option<&str>) -> RestartArgs {
        RestartArgs {
            rack: rack.map(str::to_owned),
            pod: pod.map(str::to_owned),
            timeout: Duration::from_secs(60),
            force: false,
            wait_for_lock: false,
        }
    }

    /// A pod created at `created` (an RFC 3339 time).
    fn pod(name: &str, created: &str) -> Pod {
        let mut pod = crate::testing::pod(name, None, true);
        pod.metadata.creation_timestamp = Some(Time(created.parse().unwrap()));
        pod
    }

    fn at(time: &str) -> Option<Timestamp> {
        Some(time.parse().unwrap())
    }

    #[test]
    fn a_restart_visits_every_rack_in_order_highest_ordinal_first() {
        let ring = ring(&["a", "b"], &[2, 1]);
        let scope = Scope::of("cassandra", &ring, &args(None, None)).unwrap();
        let old = "2025-01-01T00:00:00Z";
        let pods = ["cassandra-a-0", "cassandra-a-1", "cassandra-b-0"].map(|n| pod(n, old));
        let since = vec![at("2025-06-01T10:00:00Z"); 2];
        assert_eq!(
            scope.todo(&ring, &pods, &since),
            ["cassandra-a-1", "cassandra-a-0", "cassandra-b-0"]
        );
    }

    #[test]
    fn a_rerun_skips_the_pods_created_since_the_restart_began() {
        let ring = ring(&[], &[3]);
        let scope = Scope::of("cassandra", &ring, &args(None, None)).unwrap();
        let pods = [
            pod("cassandra-0", "2025-01-01T00:00:00Z"),
            pod("cassandra-1", "2025-06-01T10:00:09Z"),
            pod("cassandra-2", "2025-06-01T10:00:00Z"),
        ];
        assert_eq!(
            scope.todo(&ring, &pods, &[at("2025-06-01T10:00:00Z")]),
            ["cassandra-0"]
        );
    }

    #[test]
    fn a_rack_or_a_pod_narrows_the_restart() {
        let ring = ring(&["a", "b"], &[2, 2]);
        let old = "2025-01-01T00:00:00Z";
        let pods = [
            "cassandra-a-0",
            "cassandra-a-1",
            "cassandra-b-0",
            "cassandra-b-1",
        ]
        .map(|n| pod(n, old));
        let rack = Scope::of("cassandra", &ring, &args(Some("b"), None)).unwrap();
        let since = [None, at("2025-06-01T10:00:00Z")];
        assert_eq!(
            rack.todo(&ring, &pods, &since),
            ["cassandra-b-1", "cassandra-b-0"]
        );
        let one = Scope::of("cassandra", &ring, &args(None, Some("cassandra-a-1"))).unwrap();
        assert_eq!(one.todo(&ring, &pods, &[None, None]), ["cassandra-a-1"]);
    }

    #[test]
    fn an_unknown_rack_or_pod_is_a_usage_error() {
        let racked = ring(&["a", "b"], &[2, 2]);
        let single = ring(&[], &[3]);
        for (ring, args, message) in [
            (
                &racked,
                args(Some("c"), None),
                "cassandra has no rack c: its racks are a, b",
            ),
            (
                &single,
                args(Some("a"), None),
                "cassandra has no rack a: it has no racks",
            ),
            (
                &single,
                args(None, Some("cassandra-3")),
                "cassandra-3 is not a pod of cassandra",
            ),
            (
                &racked,
                args(None, Some("cassandra-2")),
                "cassandra-2 is not a pod of cassandra",
            ),
        ] {
            let Err(err) = Scope::of("cassandra", ring, &args) else {
                panic!("{message}: accepted")
            };
            assert_eq!(err.to_string(), message);
            assert_eq!(crate::error::classify(&err).0, Code::Usage);
        }
    }
}
