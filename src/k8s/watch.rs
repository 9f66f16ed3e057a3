//! Following the cluster from watch events: the rollout to completion, pods until they are
//! gone. Nothing here sleeps to wait for a state; the only timers are the deadline, the UI tick
//! and the ring re-check (the ring is not an API object, so it has to be asked).

use std::collections::BTreeMap;
use std::pin::pin;
use std::time::Duration;

use anyhow::Result;
use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod};
use kube::Resource;
use kube::runtime::{WatchStreamExt, watcher};
use tokio::time::Instant;

use super::{Cluster, ring};
use crate::error::{Code, UserError};
use crate::rollout::{self, Diagnosis, Observed, PodStage, pod_stage};
use crate::ui::Ui;
use crate::ui::progress::RolloutView;

/// Without progress for this long, the rollout is diagnosed.
const STALL_AFTER: Duration = Duration::from_secs(15);
/// How often the ring is asked again while it is not complete.
const RING_RECHECK: Duration = Duration::from_secs(2);
/// The UI refresh and stall-check period.
const TICK: Duration = Duration::from_secs(1);

/// The objects of one kind as the watch last saw them, by name.
pub struct Snapshot<K> {
    items: BTreeMap<String, K>,
    relisting: Option<BTreeMap<String, K>>,
}

impl<K: Resource + Clone> Snapshot<K> {
    pub fn new() -> Self {
        Snapshot {
            items: BTreeMap::new(),
            relisting: None,
        }
    }

    pub fn apply(&mut self, event: watcher::Event<K>) {
        let name = |k: &K| k.meta().name.clone().unwrap_or_default();
        match event {
            watcher::Event::Apply(k) => {
                self.items.insert(name(&k), k);
            }
            watcher::Event::Delete(k) => {
                self.items.remove(&name(&k));
            }
            watcher::Event::Init => self.relisting = Some(BTreeMap::new()),
            watcher::Event::InitApply(k) => {
                self.relisting
                    .get_or_insert_with(BTreeMap::new)
                    .insert(name(&k), k);
            }
            watcher::Event::InitDone => {
                if let Some(items) = self.relisting.take() {
                    self.items = items;
                }
            }
        }
    }

    pub fn values(&self) -> Vec<K> {
        self.items.values().cloned().collect()
    }

    pub fn get(&self, name: &str) -> Option<&K> {
        self.items.get(name)
    }
}

impl<K: Resource + Clone> Default for Snapshot<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// One watch event of any of the kinds followed (boxed: the objects are large).
enum Update {
    Pod(Box<watcher::Event<Pod>>),
    StatefulSet(Box<watcher::Event<StatefulSet>>),
    Claim(Box<watcher::Event<PersistentVolumeClaim>>),
    Event(Box<watcher::Event<Event>>),
}

fn watch<K, F>(
    api: kube::Api<K>,
    config: watcher::Config,
    wrap: F,
) -> impl Stream<Item = Result<Update, watcher::Error>> + Send + 'static
where
    K: Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
    F: Fn(watcher::Event<K>) -> Update + Send + 'static,
{
    watcher(api, config)
        .default_backoff()
        .map(move |r| r.map(&wrap))
}

/// A watch error that retrying will not cure (missing permission) ends the wait.
fn fatal_watch_error(cluster: &Cluster, err: watcher::Error) -> Option<anyhow::Error> {
    let source = match err {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => e,
        _ => return None,
    };
    match &source {
        kube::Error::Api(s) if s.is_forbidden() || s.code == 401 => {
            Some(cluster.explain(source, "watch", "pods, statefulsets, claims and events"))
        }
        _ => None,
    }
}

/// What the rollout must reach.
#[derive(Debug, Clone, Copy)]
pub struct Goal {
    pub replicas: u32,
    pub ring_check: bool,
    pub timeout: Duration,
}

/// Follows the rollout until the completion rule holds (README "Completion rule"), showing each
/// pod's way to Ready and diagnosing a stall. Times out with exit 3 and the last diagnosis.
pub async fn rollout(cluster: &Cluster, selector: &str, goal: Goal, ui: &Ui) -> Result<()> {
    let name = cluster.name.to_string();
    let labels = watcher::Config::default().labels(selector);
    let updates = futures::stream::select_all([
        watch(cluster.api(), labels.clone(), |e| Update::Pod(Box::new(e))).boxed(),
        watch(
            cluster.api(),
            watcher::Config::default().fields(&format!("metadata.name={name}")),
            |e| Update::StatefulSet(Box::new(e)),
        )
        .boxed(),
        watch(cluster.api(), labels, |e| Update::Claim(Box::new(e))).boxed(),
        watch(cluster.api(), watcher::Config::default(), |e| {
            Update::Event(Box::new(e))
        })
        .boxed(),
    ]);
    let mut updates = pin!(updates);
    let (mut pods, mut sets, mut claims, mut events) = (
        Snapshot::new(),
        Snapshot::new(),
        Snapshot::new(),
        Snapshot::new(),
    );
    let deadline = Instant::now() + goal.timeout;
    let mut timeout = pin!(tokio::time::sleep_until(deadline));
    let mut interrupted = pin!(tokio::signal::ctrl_c());
    let mut tick = tokio::time::interval(TICK);
    let mut view = RolloutView::new(ui, goal.replicas);
    let mut progress_at = Instant::now();
    let (mut last_pending, mut last_diagnosis, mut last_ring) =
        (Vec::new(), None::<Diagnosis>, None::<String>);
    let mut ring_due = Instant::now();
    let mut ring_ok = false;

    loop {
        tokio::select! {
            update = updates.next() => match update {
                Some(Ok(Update::Pod(e))) => pods.apply(*e),
                Some(Ok(Update::StatefulSet(e))) => sets.apply(*e),
                Some(Ok(Update::Claim(e))) => claims.apply(*e),
                Some(Ok(Update::Event(e))) => events.apply(*e),
                Some(Err(err)) => {
                    if let Some(fatal) = fatal_watch_error(cluster, err) {
                        return Err(fatal);
                    }
                }
                None => anyhow::bail!("the watch streams ended"),
            },
            _ = tick.tick() => {}
            _ = &mut timeout => {
                view.finish();
                let pods = pods.values();
                let (claims, events) = (claims.values(), events.values());
                let observed = Observed { name: &name, replicas: goal.replicas, pods: &pods, claims: &claims, events: &events };
                return Err(timed_out(goal, &last_pending, last_ring.as_deref(), rollout::diagnose(&observed)));
            }
            _ = &mut interrupted => {
                view.finish();
                return Err(UserError::new("interrupted; the objects stay as they are")
                    .hint("run the same command again to resume waiting")
                    .code(Code::Interrupted)
                    .into());
            }
        }

        let pod_list = pods.values();
        show_pods(&mut view, &name, goal.replicas, &pod_list);
        // The ring is asked as soon as every pod is Ready, while the StatefulSet's status
        // catches up, so that the two waits overlap instead of adding up.
        let pods_ready = rollout::pods_pending(&name, &pod_list, goal.replicas).is_empty();
        ring_ok &= pods_ready;
        if goal.ring_check && pods_ready && !ring_ok && Instant::now() >= ring_due {
            let asked = Instant::now();
            let answer = check_ring(cluster, &pod_list, goal.replicas).await;
            ui.detail(format!(
                "ring check took {} ms",
                asked.elapsed().as_millis()
            ));
            match answer {
                Ok(None) => ring_ok = true,
                Ok(Some(waiting)) | Err(waiting) => {
                    if last_ring.as_deref() != Some(waiting.as_str()) {
                        view.note(&waiting);
                        progress_at = Instant::now();
                        last_ring = Some(waiting);
                    }
                }
            }
            ring_due = Instant::now() + RING_RECHECK;
        }
        let Some(sts) = sets.get(&name) else {
            continue;
        };
        let pending = rollout::workload_pending(sts, &pod_list, goal.replicas);
        if pending != last_pending {
            progress_at = Instant::now();
            last_pending = pending.clone();
        }
        let ready = pod_list
            .iter()
            .filter(|p| rollout::pod_ordinal(&name, p).is_some_and(|o| o < goal.replicas))
            .filter(|p| rollout::is_ready(p))
            .count() as u32;
        view.overall(
            ready,
            goal.replicas,
            pending.first().map_or("", String::as_str),
        );
        if pending.is_empty() {
            if ring_ok || !goal.ring_check {
                return Ok(());
            }
            continue;
        }

        if progress_at.elapsed() >= STALL_AFTER {
            let (claims, events) = (claims.values(), events.values());
            let observed = Observed {
                name: &name,
                replicas: goal.replicas,
                pods: &pod_list,
                claims: &claims,
                events: &events,
            };
            let diagnosis = rollout::diagnose(&observed);
            if diagnosis.is_some() && diagnosis != last_diagnosis {
                if let Some(d) = &diagnosis {
                    view.note(&format!("waiting: {d}"));
                }
                last_diagnosis = diagnosis;
            }
        }
    }
}

fn show_pods(view: &mut RolloutView, name: &str, replicas: u32, pods: &[Pod]) {
    for pod in pods {
        let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
        let Some(ordinal) = rollout::ordinal(name, pod_name) else {
            continue;
        };
        let stage = pod_stage(Some(pod));
        let detail = match stage {
            PodStage::Scheduled | PodStage::Running => pod
                .spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .map(|n| format!("on {n}")),
            PodStage::Ready => pod.status.as_ref().and_then(|s| s.pod_ip.clone()),
            _ if ordinal >= replicas => Some("surplus".to_owned()),
            _ => None,
        };
        view.pod(pod_name, stage, detail.as_deref().unwrap_or_default());
    }
}

/// `Ok(None)` when the ring is complete; else what it still lacks (an exec failure counts as
/// "not yet": a node that just became Ready may not answer nodetool for a moment).
async fn check_ring(
    cluster: &Cluster,
    pods: &[Pod],
    replicas: u32,
) -> Result<Option<String>, String> {
    let pod =
        ring::pick_pod(cluster.name.as_str(), pods, None).ok_or("ring: no Ready pod to ask")?;
    let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
    match ring::status(cluster, pod_name).await {
        Ok(status) => Ok(rollout::ring_pending(&status, replicas).map(|p| format!("ring: {p}"))),
        Err(err) => Err(format!("ring: asking {pod_name}: {err:#}")),
    }
}

fn timed_out(
    goal: Goal,
    pending: &[String],
    ring: Option<&str>,
    diagnosis: Option<Diagnosis>,
) -> anyhow::Error {
    let mut waiting: Vec<String> = pending.to_vec();
    if pending.is_empty() {
        waiting.extend(ring.map(str::to_owned));
    }
    let mut message = format!(
        "the rollout did not complete within {}",
        humantime::format_duration(goal.timeout)
    );
    if let Some(d) = &diagnosis {
        message.push_str(&format!(": {d}"));
    }
    if !waiting.is_empty() {
        message.push_str(&format!("\n  still waiting for: {}", waiting.join("; ")));
    }
    let hint = diagnosis.and_then(|d| d.hint).unwrap_or_else(|| {
        "the objects stay; run the command again (or with a longer --timeout) to keep waiting"
            .to_owned()
    });
    UserError::timed_out(message).hint(hint).into()
}

/// Waits until no pod matched by `selector` and accepted by `counts` exists, showing the
/// ones still terminating. Times out with exit 3.
pub async fn pods_gone(
    cluster: &Cluster,
    selector: &str,
    counts: impl Fn(&Pod) -> bool,
    timeout: Duration,
    ui: &Ui,
) -> Result<()> {
    let stream = watch(
        cluster.api(),
        watcher::Config::default().labels(selector),
        |e| Update::Pod(Box::new(e)),
    );
    let mut stream = pin!(stream);
    let mut pods = Snapshot::<Pod>::new();
    let mut listed = false;
    let mut timeout_at = pin!(tokio::time::sleep_until(Instant::now() + timeout));
    let mut last: Vec<String> = Vec::new();
    loop {
        tokio::select! {
            update = stream.next() => match update {
                Some(Ok(Update::Pod(e))) => {
                    listed |= matches!(*e, watcher::Event::InitDone);
                    pods.apply(*e);
                }
                Some(Ok(_)) => {}
                Some(Err(err)) => {
                    if let Some(fatal) = fatal_watch_error(cluster, err) {
                        return Err(fatal);
                    }
                }
                None => anyhow::bail!("the pod watch ended"),
            },
            _ = &mut timeout_at => {
                return Err(UserError::timed_out(format!(
                    "pods still terminating after {}: {}",
                    humantime::format_duration(timeout),
                    last.join(", ")
                ))
                .hint("nothing more was deleted; run the command again (or with a longer --timeout) to keep waiting")
                .into());
            }
        }
        if !listed {
            continue;
        }
        let remaining: Vec<String> = pods
            .values()
            .iter()
            .filter(|p| counts(p))
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        if remaining.is_empty() {
            return Ok(());
        }
        if remaining != last {
            ui.info(format!("waiting for {} to terminate", remaining.join(", ")));
            last = remaining;
        }
    }
}
