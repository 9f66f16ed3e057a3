//! The wait engine: what every command waits for, decided from observations alone.
//!
//! Observations go in — watch events of the StatefulSets, pods, claims and events, the ring's
//! answers, the outcome of the action a wait runs alongside (a decommission), a signal, and the
//! current time with each of them. Out come the progress to show, requests for more
//! observations ([`Effect`]: ask the ring, read a node's streams, run the action) and a
//! [`Verdict`]. Nothing here does I/O or reads a clock: `k8s::wait` drives it against the API,
//! the tests drive it with scripted events and made-up instants.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod};
use kube::ResourceExt;
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher;

use crate::cassandra::exit::{ExitCause, diagnose_exit};
use crate::cassandra::failure::{NodetoolFailure, classify_failure};
use crate::cassandra::netstats::OperationMode;
use crate::error::{Error, Ghost};
use crate::nodetool::RingStatus;
use crate::rollout::{self, Diagnosis, Observed, PodStage};

pub(crate) mod driver;

/// Without progress for this long, a wait says why.
pub(crate) const STALL_AFTER: Duration = Duration::from_secs(15);
/// How soon the ring is asked again after an answer that did not end the wait.
pub(crate) const RING_RECHECK: Duration = Duration::from_secs(2);
/// How often a leaving node's streams are read while it streams.
pub(crate) const STREAMS_RECHECK: Duration = Duration::from_secs(5);

/// The whole command's time budget (`--timeout`): every wait of the command shares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deadline {
    pub(crate) at: Instant,
    pub(crate) budget: Duration,
}

impl Deadline {
    pub(crate) fn new(now: Instant, budget: Duration) -> Self {
        Deadline {
            at: now + budget,
            budget,
        }
    }

    pub(crate) fn remaining(&self, now: Instant) -> Duration {
        self.at.saturating_duration_since(now)
    }
}

/// One StatefulSet of the ring and the replicas the wait expects of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Set {
    pub(crate) name: String,
    pub(crate) replicas: u32,
}

impl Set {
    pub(crate) fn new(name: impl Into<String>, replicas: u32) -> Self {
        Set {
            name: name.into(),
            replicas,
        }
    }
}

/// What a wait waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Goal {
    /// The completion rule (README): each set at its replicas with every pod Ready and none
    /// surplus; with `ring`, `nodetool status` lists exactly the sum of the replicas, all UN.
    Ready { sets: Vec<Set>, ring: bool },
    /// No pod of a set with an ordinal at or above its `replicas` (0: none at all). With
    /// `watch_sets`, a set whose `spec.replicas` moves away from that number ends the wait.
    Gone { sets: Vec<Set>, watch_sets: bool },
    /// The node of `pod` (at `address`) has left the ring: the action (`nodetool
    /// decommission` in that pod) ended well and no other node lists the address any more.
    /// Any pod of the ring's StatefulSets `sets` can say so.
    Left {
        sets: Vec<String>,
        pod: String,
        address: String,
        /// The node is leaving already (an earlier, interrupted run started its decommission):
        /// it is waited for, and the decommission runs again only if the node turns out not to
        /// be leaving any more.
        resume: bool,
    },
    /// `pod`, deleted after a drain, runs again as a new pod (its UID is not `uid`) and is
    /// back in the ring: with `whole`, the completion rule holds for `sets`, ring included
    /// (every node UN); without (`restart --force`), the new pod is Ready and its own node
    /// UN. A signal does not cut this short: the wait ends once the node is back, so that a
    /// restart stops between pods.
    Restarted {
        sets: Vec<Set>,
        pod: String,
        uid: String,
        whole: bool,
    },
    /// None of these claims exists any more.
    ClaimsGone { names: Vec<String> },
}

/// Which watches the driver opens for a goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Watches {
    /// StatefulSets by name.
    pub(crate) statefulsets: Vec<String>,
    pub(crate) pods: bool,
    pub(crate) claims: bool,
    pub(crate) events: bool,
}

/// A node's streaming as `nodetool netstats` shows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Streams {
    pub(crate) mode: OperationMode,
    /// Bytes streamed so far and in all, when a stream runs.
    pub(crate) bytes: Option<(u64, u64)>,
}

/// How the action run alongside a wait ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ActionEnd {
    /// The command ran to its end with this exit code and output.
    Exited {
        code: i32,
        stdout: String,
        stderr: String,
    },
    /// The connection was lost (an API server restart): whether it still runs is unknown.
    Lost(String),
}

/// One observation.
#[derive(Debug, Clone)]
pub(crate) enum Input {
    StatefulSet(Box<watcher::Event<StatefulSet>>),
    /// A pod event from the watch of the `selector`-th label selector.
    Pod {
        selector: usize,
        event: Box<watcher::Event<Pod>>,
    },
    Claim {
        selector: usize,
        event: Box<watcher::Event<PersistentVolumeClaim>>,
    },
    Event(Box<watcher::Event<Event>>),
    /// `nodetool status` asked in `pod`, or why it could not be.
    Ring {
        pod: String,
        answer: Result<RingStatus, String>,
        took: Duration,
    },
    /// `nodetool netstats` in `pod`.
    Streams {
        pod: String,
        answer: Result<Streams, String>,
    },
    /// The action's command was started in its pod (its exec connection is up).
    ActionStarted,
    Action(ActionEnd),
    /// The tail of a pod's previous container log (why it last exited).
    Log {
        pod: String,
        answer: Result<String, String>,
    },
    /// A watch could not reach the API server (it retries with back-off): why.
    Unanswered(String),
    /// A watch received something again.
    Answered,
    /// SIGINT or SIGTERM.
    Interrupt,
}

/// A request for an observation that only I/O can make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    AskRing {
        pod: String,
    },
    AskStreams {
        pod: String,
    },
    /// Read why the pod's container last exited (`kubectl logs --previous`).
    FetchLog {
        pod: String,
    },
    RunAction,
}

/// What the user sees of a wait.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Progress {
    /// A pod of the ring reached a stage.
    Pod {
        name: String,
        stage: PodStage,
        detail: String,
    },
    /// How many pods are Ready, of how many, and the first thing awaited.
    Overall {
        ready: u32,
        total: u32,
        waiting_for: String,
    },
    /// Bytes a node has streamed of its total.
    Streaming { pod: String, done: u64, total: u64 },
    /// Worth a line: a ring answer, a diagnosis, pods still terminating.
    Note(String),
    /// Shown with `-v`.
    Detail(String),
}

/// Renders progress (the terminal, in `ui`).
pub(crate) trait Sink {
    fn show(&mut self, progress: Progress);
    /// The wait is over: leave the screen tidy.
    fn finish(&mut self) {}
}

/// The sink of the successive waits of one command (a step of a rolling restart, a node that
/// joins): a new wait starts by reporting every pod it sees, and each pod's stage is shown
/// only when it differs from what the previous waits showed.
pub(crate) struct Continued<S> {
    sink: S,
    shown: BTreeMap<String, PodStage>,
}

impl<S: Sink> Continued<S> {
    pub(crate) fn new(sink: S) -> Self {
        Continued {
            sink,
            shown: BTreeMap::new(),
        }
    }

    /// Takes these pods as shown at their stage now: only their changes are worth a line.
    pub(crate) fn known(mut self, pods: &[Pod]) -> Self {
        for pod in pods {
            let stage = rollout::pod_stage(Some(pod));
            self.shown.insert(pod.name_any(), stage);
        }
        self
    }
}

impl<S: Sink> Sink for Continued<S> {
    fn show(&mut self, progress: Progress) {
        if let Progress::Pod { name, stage, .. } = &progress {
            if self.shown.get(name) == Some(stage) {
                return;
            }
            self.shown.insert(name.clone(), *stage);
        }
        self.sink.show(progress);
    }

    fn finish(&mut self) {
        self.sink.finish();
    }
}

/// Where a wait stands.
#[derive(Debug)]
pub(crate) enum Verdict {
    Waiting,
    /// Waiting, with nothing moving for [`STALL_AFTER`]; a note said why.
    Stalled,
    Done,
    Failed(Error),
}

/// The ring a wait is about, and what its command says when interrupted during it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Context {
    pub(crate) namespace: String,
    pub(crate) name: String,
    /// What was done when a signal stops the wait.
    pub(crate) done: String,
    /// How to go on from there.
    pub(crate) resume: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    /// The goal has no action, or it has not been asked for yet.
    Idle,
    Running,
    /// The connection was lost; what the node does decides what comes next.
    Lost,
    Succeeded,
}

/// The observed objects of one kind, one store per watch.
struct Stores<K: kube::Resource + Clone + 'static>
where
    K::DynamicType: std::hash::Hash + Eq + Clone + Default,
{
    writers: Vec<Writer<K>>,
    listed: Vec<bool>,
}

impl<K> Stores<K>
where
    K: kube::Resource + Clone + 'static,
    K::DynamicType: std::hash::Hash + Eq + Clone + Default,
{
    fn new(watches: usize) -> Self {
        Stores {
            writers: (0..watches).map(|_| Writer::default()).collect(),
            listed: vec![false; watches],
        }
    }

    fn apply(&mut self, index: usize, event: &watcher::Event<K>) {
        let Some(writer) = self.writers.get_mut(index) else {
            return;
        };
        writer.apply_watcher_event(event);
        if matches!(event, watcher::Event::InitDone) {
            self.listed[index] = true;
        }
    }

    fn listed(&self) -> bool {
        self.listed.iter().all(|l| *l)
    }

    /// Every object of every watch, once, by name.
    fn all(&self) -> Vec<K> {
        let mut by_name = BTreeMap::new();
        for writer in &self.writers {
            for object in writer.as_reader().state() {
                by_name.insert(object.name_any(), (*object).clone());
            }
        }
        by_name.into_values().collect()
    }
}

/// The state of one wait. See the module documentation.
pub(crate) struct Wait {
    goal: Goal,
    deadline: Deadline,
    context: Context,
    statefulsets: Stores<StatefulSet>,
    pods: Stores<Pod>,
    claims: Stores<PersistentVolumeClaim>,
    events: Stores<Event>,
    progress: Vec<Progress>,
    shown: BTreeMap<String, PodStage>,
    overall: Option<(u32, u32, String)>,
    /// The last time something moved (for the stall diagnosis).
    moved_at: Instant,
    pending: Vec<String>,
    diagnosis: Option<Diagnosis>,
    ring: RingCheck,
    action: Action,
    /// Whether the action is known to have reached its pod: its exec started, or the node was
    /// seen leaving. Until then, a signal may cut it before it began.
    action_started: bool,
    streams: StreamsCheck,
    crashes: Crashes,
    interrupted: bool,
    failure: Option<Error>,
    /// Why the API server does not answer, while it does not: what the watches last showed
    /// may be stale, and that is the diagnosis.
    unanswered: Option<String>,
}

/// Why crash-looping pods exited, read from their previous logs.
#[derive(Default)]
struct Crashes {
    /// The restart count each pod's log was last asked for: once per restart.
    asked: BTreeMap<String, i32>,
    causes: BTreeMap<String, ExitCause>,
}

#[derive(Default)]
struct RingCheck {
    in_flight: bool,
    due: Option<Instant>,
    /// The ring as last answered: complete for the goal, or what it lacks.
    complete: bool,
    note: Option<String>,
    /// The leaving node's row as last seen (`Left`).
    leaving_seen: Option<bool>,
}

#[derive(Default)]
struct StreamsCheck {
    in_flight: bool,
    due: Option<Instant>,
    last: Option<Streams>,
}

impl Wait {
    pub(crate) fn new(
        goal: Goal,
        selectors: usize,
        now: Instant,
        deadline: Deadline,
        context: Context,
    ) -> Self {
        let watches = goal.watches();
        // Resuming is the state of a decommission whose connection was lost: ask the node.
        let action = match goal {
            Goal::Left { resume: true, .. } => Action::Lost,
            _ => Action::Idle,
        };
        let count = |on: bool| if on { selectors.max(1) } else { 0 };
        Wait {
            statefulsets: Stores::new(usize::from(!watches.statefulsets.is_empty())),
            pods: Stores::new(count(watches.pods)),
            claims: Stores::new(count(watches.claims)),
            events: Stores::new(usize::from(watches.events)),
            goal,
            deadline,
            context,
            progress: Vec::new(),
            shown: BTreeMap::new(),
            overall: None,
            moved_at: now,
            pending: Vec::new(),
            diagnosis: None,
            ring: RingCheck::default(),
            action_started: action == Action::Lost,
            action,
            streams: StreamsCheck::default(),
            crashes: Crashes::default(),
            interrupted: false,
            failure: None,
            unanswered: None,
        }
    }

    /// The watches the driver must open.
    pub(crate) fn watches(&self) -> Watches {
        self.goal.watches()
    }

    /// Takes in one observation made at `now`.
    pub(crate) fn observe(&mut self, input: Input, now: Instant) {
        // A command run through the API server that answers is word of it too.
        if matches!(
            &input,
            Input::Ring { answer: Ok(_), .. } | Input::Streams { answer: Ok(_), .. }
        ) {
            self.answered();
        }
        match input {
            Input::StatefulSet(e) => self.statefulsets.apply(0, &e),
            Input::Pod { selector, event } => self.pods.apply(selector, &event),
            Input::Claim { selector, event } => self.claims.apply(selector, &event),
            Input::Event(e) => self.events.apply(0, &e),
            Input::Ring { pod, answer, took } => self.ring_answer(&pod, answer, took, now),
            Input::Streams { pod, answer } => self.streams_answer(&pod, answer, now),
            Input::ActionStarted => self.action_started = true,
            Input::Action(end) => self.action_ended(end, now),
            Input::Log { pod, answer } => self.log_answer(pod, answer),
            Input::Unanswered(why) => self.unanswered(why),
            Input::Answered => self.answered(),
            Input::Interrupt => self.interrupt(),
        }
        self.forget_ring_if_a_pod_is_down();
        self.show_pods(now);
    }

    /// Said once when the API server stops answering; the watches retry by themselves.
    fn unanswered(&mut self, why: String) {
        if self.unanswered.is_none() {
            self.progress.push(Progress::Note(format!(
                "the API server does not answer ({why}); retrying"
            )));
            self.unanswered = Some(why);
        }
    }

    fn answered(&mut self) {
        if self.unanswered.take().is_some() {
            self.progress
                .push(Progress::Note("the API server answers again".to_owned()));
        }
    }

    /// A signal ends the wait at its next verdict, except where the goal must be reached
    /// first (it is said once).
    fn interrupt(&mut self) {
        if let Goal::Restarted { pod, .. } = &self.goal
            && !self.interrupted
        {
            self.progress.push(Progress::Note(format!(
                "stopping once {pod} is back in the ring (a second Ctrl-C stops at once)"
            )));
        }
        self.interrupted = true;
    }

    /// A complete ring counts only while the pods it was asked for stay Ready: once one is
    /// not, the ring is asked again when they all are.
    fn forget_ring_if_a_pod_is_down(&mut self) {
        if self.ring.complete && self.goal.ring_checked() && !self.ready_for_ring() {
            self.ring.complete = false;
        }
    }

    /// Whether the pods the ring check is about are Ready: every pod of the sets, or only
    /// the restarted pod when the rest of the ring is not required.
    fn ready_for_ring(&self) -> bool {
        let pods = self.pods.all();
        match &self.goal {
            Goal::Restarted {
                pod,
                uid,
                whole: false,
                ..
            } => replacement(&pods, pod, uid).is_some_and(rollout::is_ready),
            goal => goal.completion().is_some_and(|(sets, _)| {
                sets.iter().all(|s| {
                    rollout::pods_pending(&s.name, &pods_of(&s.name, &pods), s.replicas).is_empty()
                })
            }),
        }
    }

    /// The observations to start now; each is asked for once until its answer comes in.
    pub(crate) fn effects(&mut self, now: Instant) -> Vec<Effect> {
        let mut effects = Vec::new();
        // After a signal, nothing is started that could not be called back.
        if let Goal::Left { .. } = &self.goal
            && self.action == Action::Idle
            && !self.interrupted
        {
            self.action = Action::Running;
            effects.push(Effect::RunAction);
        }
        if let Some(pod) = self.ring_to_ask(now) {
            self.ring.in_flight = true;
            effects.push(Effect::AskRing { pod });
        }
        if let Some(pod) = self.streams_to_read(now) {
            self.streams.in_flight = true;
            effects.push(Effect::AskStreams { pod });
        }
        for pod in self.logs_to_read() {
            effects.push(Effect::FetchLog { pod });
        }
        effects
    }

    /// Progress to show since the last call.
    pub(crate) fn take_progress(&mut self) -> Vec<Progress> {
        std::mem::take(&mut self.progress)
    }

    /// When the verdict may change without a new observation: the deadline, the stall
    /// diagnosis, the next ring or streams check. Only instants still to come: a check that
    /// is due but not wanted now (its pod is not Ready, or no longer joining) waits for an
    /// observation, and must not wake the driver at once, again and again.
    pub(crate) fn next_wakeup(&self, now: Instant) -> Instant {
        [
            Some(self.deadline.at),
            Some(self.moved_at + STALL_AFTER),
            self.ring.due.filter(|_| !self.ring.in_flight),
            self.streams.due.filter(|_| !self.streams.in_flight),
        ]
        .into_iter()
        .flatten()
        .filter(|at| *at > now)
        .min()
        .unwrap_or(self.deadline.at)
    }

    /// Where the wait stands at `now`.
    pub(crate) fn verdict(&mut self, now: Instant) -> Verdict {
        if let Some(error) = self.failure.take() {
            return Verdict::Failed(error);
        }
        let pending = match self.pending_now() {
            Ok(pending) => pending,
            Err(error) => return Verdict::Failed(error),
        };
        if pending.is_empty() {
            return Verdict::Done;
        }
        if self.interrupted && !matches!(self.goal, Goal::Restarted { .. }) {
            let Context { done, resume, .. } = self.context.clone();
            let done = self.action_cut().unwrap_or(done);
            return Verdict::Failed(Error::Interrupted { done, resume });
        }
        if pending != self.pending {
            self.moved_at = now;
            self.pending = pending;
        }
        self.show_overall();
        if now >= self.deadline.at {
            return Verdict::Failed(self.timed_out());
        }
        match self.stalled(now) {
            true => Verdict::Stalled,
            false => Verdict::Waiting,
        }
    }

    /// What was done of a decommission a signal stopped before it was known to have reached
    /// the node: the command's own words (it goes on inside Cassandra) would claim too much.
    fn action_cut(&self) -> Option<String> {
        let Goal::Left { pod, .. } = &self.goal else {
            return None;
        };
        match (&self.action, self.action_started) {
            (Action::Idle, _) => Some(format!(
                "`nodetool decommission` was not started in {pod}: its node is in the ring as before"
            )),
            (Action::Running, false) => Some(format!(
                "`nodetool decommission` in {pod} may have started (it had not answered yet): if it did, \
                 it goes on inside Cassandra (it cannot be called back); its pod stays"
            )),
            _ => None,
        }
    }

    /// What is still awaited (empty: done), or why the wait cannot end well.
    fn pending_now(&self) -> Result<Vec<String>, Error> {
        if !self.all_listed() {
            return Ok(vec!["the first list of the objects".to_owned()]);
        }
        match &self.goal {
            Goal::Ready { sets, ring } => self.ready_pending(sets, *ring),
            Goal::Gone { sets, watch_sets } => self.gone_pending(sets, *watch_sets),
            Goal::Left { pod, address, .. } => Ok(self.left_pending(pod, address)),
            Goal::ClaimsGone { names } => Ok(self.claims_pending(names)),
            Goal::Restarted {
                sets,
                pod,
                uid,
                whole,
            } => self.restarted_pending(sets, pod, uid, *whole),
        }
    }

    fn all_listed(&self) -> bool {
        self.statefulsets.listed()
            && self.pods.listed()
            && self.claims.listed()
            && self.events.listed()
    }

    fn ready_pending(&self, sets: &[Set], ring: bool) -> Result<Vec<String>, Error> {
        let pods = self.pods.all();
        let mut pending = Vec::new();
        for set in sets {
            let sts = self.statefulset(set)?;
            let own = pods_of(&set.name, &pods);
            pending.extend(rollout::workload_pending(&sts, &own, set.replicas));
        }
        if ring && !self.ring.complete {
            let note = self.ring.note.as_deref().unwrap_or("the ring check");
            pending.push(note.to_owned());
        }
        Ok(pending)
    }

    /// The StatefulSet of a set, which must still exist with the replicas the wait expects.
    fn statefulset(&self, set: &Set) -> Result<StatefulSet, Error> {
        let found = self
            .statefulsets
            .all()
            .into_iter()
            .find(|s| s.name_any() == set.name);
        let Some(sts) = found else {
            return Err(Error::Changed {
                what: format!(
                    "StatefulSet {} was deleted while this command waited for it",
                    set.name
                ),
                hint: "another command or user removed the ring (`casctl down`?); nothing more was done"
                    .to_owned(),
            });
        };
        let replicas = rollout::replicas(&sts);
        if replicas != set.replicas {
            let by =
                rollout::replicas_manager(&sts).map_or_else(String::new, |m| format!(" by {m}"));
            return Err(Error::Changed {
                what: format!(
                    "spec.replicas of StatefulSet {} was changed to {replicas}{by} while this command waited for {}",
                    set.name, set.replicas
                ),
                hint: "two commands changed the ring at once; look at it with `casctl status`, then run the one you want again"
                    .to_owned(),
            });
        }
        Ok(sts)
    }

    /// The restarted pod replaced, then the ring whole again (or, without `whole`, the new
    /// pod Ready and its node UN).
    fn restarted_pending(
        &self,
        sets: &[Set],
        pod: &str,
        uid: &str,
        whole: bool,
    ) -> Result<Vec<String>, Error> {
        let pods = self.pods.all();
        let mut pending = Vec::new();
        let old = pods
            .iter()
            .any(|p| p.name_any() == pod && p.uid().as_deref() == Some(uid));
        if old {
            pending.push(format!("{pod} to be replaced by a new pod"));
        }
        if whole {
            pending.extend(self.ready_pending(sets, true)?);
            return Ok(pending);
        }
        for set in sets {
            self.statefulset(set)?;
        }
        let stage = rollout::pod_stage(replacement(&pods, pod, uid));
        if stage != PodStage::Ready {
            pending.push(format!("{pod} is {stage}"));
        }
        if !self.ring.complete {
            let note = self.ring.note.as_deref().unwrap_or("the ring check");
            pending.push(note.to_owned());
        }
        Ok(pending)
    }

    fn gone_pending(&self, sets: &[Set], watch_sets: bool) -> Result<Vec<String>, Error> {
        if watch_sets {
            for set in sets {
                self.statefulset(set)?;
            }
        }
        Ok(self
            .surplus_pods(sets)
            .into_iter()
            .map(|p| format!("{p} to terminate"))
            .collect())
    }

    fn surplus_pods(&self, sets: &[Set]) -> Vec<String> {
        let pods = self.pods.all();
        sets.iter()
            .flat_map(|set| {
                pods.iter()
                    .filter(|p| {
                        rollout::pod_ordinal(&set.name, p).is_some_and(|o| o >= set.replicas)
                    })
                    .map(ResourceExt::name_any)
            })
            .collect()
    }

    fn left_pending(&self, pod: &str, address: &str) -> Vec<String> {
        let mut pending = Vec::new();
        if self.action != Action::Succeeded {
            pending.push(format!("`nodetool decommission` in {pod} to finish"));
        }
        if self.ring.leaving_seen != Some(false) {
            pending.push(format!("{pod} ({address}) to leave the ring"));
        }
        pending
    }

    fn claims_pending(&self, names: &[String]) -> Vec<String> {
        self.claims
            .all()
            .iter()
            .map(ResourceExt::name_any)
            .filter(|n| names.contains(n))
            .map(|n| format!("claim {n} to be deleted"))
            .collect()
    }

    /// The diagnosis once nothing has moved for a while: said once per new diagnosis.
    fn stalled(&mut self, now: Instant) -> bool {
        if now < self.moved_at + STALL_AFTER {
            return false;
        }
        let Some(diagnosis) = self.diagnose() else {
            return false;
        };
        if self.diagnosis.as_ref() != Some(&diagnosis) {
            self.progress
                .push(Progress::Note(format!("waiting: {diagnosis}")));
            self.diagnosis = Some(diagnosis);
        }
        true
    }

    fn diagnose(&self) -> Option<Diagnosis> {
        if let Some(why) = &self.unanswered {
            return Some(Diagnosis {
                pod: None,
                problem: format!(
                    "the API server does not answer ({why}); what was seen before may have changed"
                ),
                hint: Some(
                    "check that the API server runs and is reachable (`kubectl get --raw /readyz`); \
                     what was applied stays: run the same command again once it answers"
                        .to_owned(),
                ),
            });
        }
        let (pods, claims, events) = (self.pods.all(), self.claims.all(), self.events.all());
        let (sets, _) = self.goal.completion()?;
        let diagnosis = sets.iter().find_map(|set| {
            rollout::diagnose(&Observed {
                name: &set.name,
                replicas: set.replicas,
                pods: &pods,
                claims: &claims,
                events: &events,
            })
        })?;
        Some(self.with_exit_cause(diagnosis))
    }

    /// A crash loop says why the container exited, as its log tells.
    fn with_exit_cause(&self, mut diagnosis: Diagnosis) -> Diagnosis {
        let Some(pod) = diagnosis.pod.clone() else {
            return diagnosis;
        };
        let Some(cause) = self.crashes.causes.get(&pod) else {
            return diagnosis;
        };
        diagnosis.problem = format!("{}; its log says: {cause}", diagnosis.problem);
        if *cause == ExitCause::Decommissioned {
            let ns = &self.context.namespace;
            diagnosis.hint = Some(format!(
                "the pod runs on the claim of a node that was decommissioned (its data was streamed to the other \
                 nodes when it left): delete the claim and the pod so that they are made anew, empty: \
                 kubectl delete pvc -n {ns} {} --wait=false && kubectl delete pod -n {ns} {pod}",
                crate::rollout::claim_of(&pod, &self.pods.all())
                    .unwrap_or_else(|| "<claim>".to_owned())
            ));
        }
        diagnosis
    }

    /// Crash-looping pods of the ring whose log has not been read since their last restart.
    fn logs_to_read(&mut self) -> Vec<String> {
        let Some((sets, true)) = self.goal.completion() else {
            return Vec::new();
        };
        let pods = self.pods.all();
        let mut wanted = Vec::new();
        for set in sets {
            for pod in pods_of(&set.name, &pods) {
                let restarts = rollout::restarts(&pod);
                let name = pod.name_any();
                if restarts > 0 && self.crashes.asked.get(&name) != Some(&restarts) {
                    self.crashes.asked.insert(name.clone(), restarts);
                    wanted.push(name);
                }
            }
        }
        wanted
    }

    fn log_answer(&mut self, pod: String, answer: Result<String, String>) {
        let Some(cause) = answer.ok().as_deref().and_then(diagnose_exit) else {
            return;
        };
        if self.crashes.causes.get(&pod) != Some(&cause) {
            self.progress
                .push(Progress::Note(format!("{pod} exited: {cause}")));
            self.crashes.causes.insert(pod, cause);
        }
    }

    fn timed_out(&self) -> Error {
        let (what, hint) = match &self.goal {
            Goal::Ready { .. } => (
                "the rollout".to_owned(),
                "the objects stay; run the command again (or with a longer --timeout) to keep waiting",
            ),
            Goal::Gone { .. } => (
                "the pods' termination".to_owned(),
                "nothing more was deleted; run the command again (or with a longer --timeout) to keep waiting",
            ),
            Goal::Left { pod, .. } => (
                format!("the decommission of {pod}"),
                "Cassandra goes on with a decommission once started; run the same scale again to wait for it and finish",
            ),
            Goal::ClaimsGone { .. } => (
                "the claims' deletion".to_owned(),
                "the claims are being deleted; `kubectl get pvc` shows what is left",
            ),
            Goal::Restarted { pod, .. } => (
                format!("the restart of {pod}"),
                "its StatefulSet re-creates the pod by itself; run the same restart again to wait for it and go on",
            ),
        };
        let diagnosis = self.diagnose();
        let mut detail = String::new();
        if let Some(d) = &diagnosis {
            detail.push_str(&format!(": {d}"));
        }
        if !self.pending.is_empty() {
            detail.push_str(&format!(
                "\n  still waiting for: {}",
                self.pending.join("; ")
            ));
        }
        let hint = diagnosis
            .and_then(|d| d.hint)
            .unwrap_or_else(|| hint.to_owned());
        Error::TimedOut {
            what,
            timeout: self.deadline.budget,
            detail,
            hint,
        }
    }

    // --- the ring -------------------------------------------------------------------------

    /// The pod to ask `nodetool status` in, when the goal needs the ring now.
    fn ring_to_ask(&self, now: Instant) -> Option<String> {
        if self.ring.in_flight || self.ring.due.is_some_and(|due| now < due) {
            return None;
        }
        let pods = self.pods.all();
        match &self.goal {
            // Asked the moment the pods are Ready, while the StatefulSet status catches up:
            // the two waits overlap instead of adding up.
            goal if goal.ring_checked() && !self.ring.complete => {
                let sets = goal.completion().map(|(sets, _)| set_names(sets))?;
                self.ready_for_ring()
                    .then(|| rollout::pick_pod(&sets, &pods, None))?
            }
            // Once the decommission has returned (or its connection was lost): has it left?
            Goal::Left { sets, pod, .. }
                if matches!(self.action, Action::Succeeded | Action::Lost)
                    && self.ring.leaving_seen != Some(false) =>
            {
                let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
                rollout::pick_pod(&sets, &pods, Some(pod))
            }
            _ => None,
        }
        .map(ResourceExt::name_any)
    }

    fn ring_answer(
        &mut self,
        pod: &str,
        answer: Result<RingStatus, String>,
        took: Duration,
        now: Instant,
    ) {
        self.ring.in_flight = false;
        self.ring.due = Some(now + RING_RECHECK);
        self.progress.push(Progress::Detail(format!(
            "nodetool status in {pod} took {} ms",
            took.as_millis()
        )));
        let note = match answer {
            Ok(status) => self.ring_verdict(&status),
            Err(err) => Some(format!("ring: asking {pod}: {err}")),
        };
        if note != self.ring.note {
            if let Some(note) = &note {
                self.progress.push(Progress::Note(note.clone()));
            }
            self.moved_at = now;
            self.ring.note = note;
        }
    }

    /// What the ring still lacks for the goal (None: nothing).
    fn ring_verdict(&mut self, status: &RingStatus) -> Option<String> {
        match self.goal.clone() {
            Goal::Restarted {
                pod,
                uid,
                whole: false,
                ..
            } => {
                let lacking = self.restarted_node_lacks(status, &pod, &uid);
                self.ring.complete = lacking.is_none();
                lacking.map(|l| format!("ring: {l}"))
            }
            Goal::Ready { sets, .. } | Goal::Restarted { sets, .. } => {
                let total = sets.iter().map(|s| s.replicas).sum();
                let lacking = rollout::ring_pending(status, total);
                self.ring.complete = lacking.is_none();
                if lacking.is_some() {
                    self.find_ghosts(&sets, status);
                }
                lacking.map(|l| format!("ring: {l}"))
            }
            Goal::Left { pod, address, .. } => {
                let row = status.nodes().find(|(_, n)| n.address_is(&address));
                self.ring.leaving_seen = Some(row.is_some());
                // Gone from the ring after the connection to its decommission was lost: it
                // finished meanwhile.
                if row.is_none() && self.action == Action::Lost {
                    self.action = Action::Succeeded;
                }
                row.map(|(_, n)| format!("ring: {pod} ({address}) is {}", n.code()))
            }
            _ => None,
        }
    }

    /// What the ring lacks for a restarted node of its own: its row, UN.
    fn restarted_node_lacks(&self, status: &RingStatus, pod: &str, uid: &str) -> Option<String> {
        let pods = self.pods.all();
        let ip = replacement(&pods, pod, uid).and_then(|p| p.status.as_ref()?.pod_ip.clone());
        let Some(ip) = ip else {
            return Some(format!("{pod} has no address yet"));
        };
        match status.nodes().find(|(_, n)| n.address_is(&ip)) {
            Some((_, node)) if node.is_up_normal() => None,
            Some((_, node)) => Some(format!("{pod} ({ip}) is {}", node.code())),
            None => Some(format!("{pod} ({ip}) is not in the ring yet")),
        }
    }

    /// Nodes that are not UN and that no pod stands for, once every pod of the ring is Ready
    /// and UN: they will never come back by waiting.
    fn find_ghosts(&mut self, sets: &[Set], status: &RingStatus) {
        let pods = self.pods.all();
        let ours: Vec<&Pod> = sets
            .iter()
            .flat_map(|s| {
                pods.iter()
                    .filter(|p| rollout::pod_ordinal(&s.name, p).is_some_and(|o| o < s.replicas))
            })
            .collect();
        let expected: u32 = sets.iter().map(|s| s.replicas).sum();
        let ip = |p: &Pod| p.status.as_ref().and_then(|s| s.pod_ip.clone());
        let every_pod_up = ours.len() == expected as usize
            && ours.iter().all(|p| {
                rollout::is_ready(p)
                    && ip(p).is_some_and(|ip| {
                        status
                            .nodes()
                            .any(|(_, n)| n.address_is(&ip) && n.is_up_normal())
                    })
            });
        if !every_pod_up {
            return;
        }
        let ghosts: Vec<Ghost> = status
            .nodes()
            .map(|(_, n)| n)
            .filter(|n| !n.is_up_normal())
            .filter(|n| {
                !ours
                    .iter()
                    .any(|p| ip(p).is_some_and(|ip| n.address_is(&ip)))
            })
            .map(|n| Ghost {
                address: n.address.clone(),
                host_id: n.host_id.clone(),
            })
            .collect();
        if !ghosts.is_empty() {
            self.failure = Some(Error::Ghost {
                nodes: ghosts,
                namespace: self.context.namespace.clone(),
                name: self.context.name.clone(),
            });
        }
    }

    // --- the action and the node's streams -------------------------------------------------

    fn action_ended(&mut self, end: ActionEnd, now: Instant) {
        self.moved_at = now;
        let Goal::Left { pod, .. } = self.goal.clone() else {
            return;
        };
        match end {
            ActionEnd::Exited { code: 0, .. } => {
                self.action = Action::Succeeded;
                // Ask at once whether the node is gone.
                self.ring.due = Some(now);
            }
            ActionEnd::Exited {
                code,
                stdout,
                stderr,
            } => self.failure = Some(decommission_failed(&pod, code, &stdout, &stderr)),
            ActionEnd::Lost(why) => {
                self.action = Action::Lost;
                self.streams.due = Some(now);
                self.progress.push(Progress::Note(format!(
                    "lost the connection to `nodetool decommission` in {pod} ({why}); asking the node whether it goes on"
                )));
            }
        }
    }

    /// The pod whose streams to read: the leaving node, while its decommission runs or when
    /// the connection to it was lost.
    fn streams_to_read(&self, now: Instant) -> Option<String> {
        let due = self.streams.due.is_none_or(|d| now >= d);
        if !due || self.streams.in_flight {
            return None;
        }
        match &self.goal {
            Goal::Left { pod, .. } => {
                matches!(self.action, Action::Running | Action::Lost).then(|| pod.clone())
            }
            // The restarted node is the one that joins (others may be down, with --force).
            Goal::Restarted { pod, uid, .. } => {
                let pods = self.pods.all();
                let stage = rollout::pod_stage(replacement(&pods, pod, uid));
                (stage == PodStage::Running).then(|| pod.clone())
            }
            goal => match goal.completion() {
                Some((sets, true)) => self.joining_pod(sets),
                _ => None,
            },
        }
    }

    /// The pod whose node is joining now: the first one running but not Ready yet (the
    /// StatefulSet starts one pod at a time).
    fn joining_pod(&self, sets: &[Set]) -> Option<String> {
        let pods = self.pods.all();
        sets.iter().find_map(|set| {
            (0..set.replicas).find_map(|i| {
                let pod = pods
                    .iter()
                    .find(|p| rollout::pod_ordinal(&set.name, p) == Some(i))?;
                (rollout::pod_stage(Some(pod)) == PodStage::Running).then(|| pod.name_any())
            })
        })
    }

    fn streams_answer(&mut self, pod: &str, answer: Result<Streams, String>, now: Instant) {
        self.streams.in_flight = false;
        self.streams.due = Some(now + STREAMS_RECHECK);
        let Ok(streams) = answer else {
            return;
        };
        if let Some((done, total)) = streams.bytes {
            self.progress.push(Progress::Streaming {
                pod: pod.to_owned(),
                done,
                total,
            });
        }
        if matches!(
            streams.mode,
            OperationMode::Leaving | OperationMode::Decommissioned
        ) {
            self.action_started = true;
        }
        if self.action == Action::Lost {
            match streams.mode {
                // It never started, or stopped with the connection: run it again.
                OperationMode::Normal => {
                    self.action = Action::Idle;
                    self.action_started = false;
                    self.progress.push(Progress::Note(format!(
                        "{pod} is not leaving the ring; running `nodetool decommission` again"
                    )));
                }
                // It finished while the connection was down.
                OperationMode::Decommissioned => self.action = Action::Succeeded,
                _ => {}
            }
        }
        self.streams.last = Some(streams);
    }

    // --- progress -------------------------------------------------------------------------

    /// Says what changed for each pod of the ring, and the overall count.
    fn show_pods(&mut self, now: Instant) {
        let sets = self.goal.sets();
        if sets.is_empty() || self.goal.completion().is_none() {
            self.show_remaining();
            return;
        }
        let pods = self.pods.all();
        for set in &sets {
            for pod in pods_of(&set.name, &pods) {
                let stage = rollout::pod_stage(Some(&pod));
                let name = pod.name_any();
                if self.shown.get(&name) == Some(&stage) {
                    continue;
                }
                self.shown.insert(name.clone(), stage);
                self.moved_at = now;
                let surplus =
                    rollout::pod_ordinal(&set.name, &pod).is_some_and(|o| o >= set.replicas);
                self.progress.push(Progress::Pod {
                    detail: stage_detail(&pod, stage, surplus),
                    name,
                    stage,
                });
            }
        }
    }

    /// How many pods are Ready of how many, and the first thing awaited, when it changed.
    fn show_overall(&mut self) {
        let Some((sets, _)) = self.goal.completion() else {
            return;
        };
        let pods = self.pods.all();
        let total: u32 = sets.iter().map(|s| s.replicas).sum();
        let ready = sets
            .iter()
            .map(|s| {
                pods_of(&s.name, &pods)
                    .iter()
                    .filter(|p| rollout::pod_ordinal(&s.name, p).is_some_and(|o| o < s.replicas))
                    .filter(|p| rollout::is_ready(p))
                    .count() as u32
            })
            .sum();
        let waiting_for = self.pending.first().cloned().unwrap_or_default();
        let overall = (ready, total, waiting_for.clone());
        if self.overall.as_ref() != Some(&overall) {
            self.overall = Some(overall);
            self.progress.push(Progress::Overall {
                ready,
                total,
                waiting_for,
            });
        }
    }

    /// For teardown goals: a line whenever the set of things still awaited changes.
    fn show_remaining(&mut self) {
        if !self.all_listed() {
            return;
        }
        let remaining = match &self.goal {
            Goal::Gone { sets, .. } => self.surplus_pods(sets),
            Goal::ClaimsGone { names } => self
                .claims_pending(names)
                .into_iter()
                .map(|c| c.trim_end_matches(" to be deleted").to_owned())
                .collect(),
            _ => return,
        };
        let line = match (&self.goal, remaining.len()) {
            (_, 0) => return,
            (Goal::ClaimsGone { .. }, _) => crate::fmt::claims_being_deleted(&remaining),
            _ => format!("waiting for {} to terminate", remaining.join(", ")),
        };
        if self.overall.as_ref().map(|o| &o.2) != Some(&line) {
            self.overall = Some((0, 0, line.clone()));
            self.progress.push(Progress::Note(line));
        }
    }
}

impl Goal {
    /// The sets and the ring check of a goal that includes the completion rule.
    fn completion(&self) -> Option<(&[Set], bool)> {
        match self {
            Goal::Ready { sets, ring } => Some((sets, *ring)),
            Goal::Restarted { sets, .. } => Some((sets, true)),
            Goal::Gone { .. } | Goal::Left { .. } | Goal::ClaimsGone { .. } => None,
        }
    }

    /// Whether the goal needs `nodetool status` to list its nodes UN.
    fn ring_checked(&self) -> bool {
        self.completion().is_some_and(|(_, ring)| ring)
    }

    fn watches(&self) -> Watches {
        match self {
            Goal::Ready { sets, .. } | Goal::Restarted { sets, .. } => Watches {
                statefulsets: set_names(sets).iter().map(|s| s.to_string()).collect(),
                pods: true,
                claims: true,
                events: true,
            },
            Goal::Gone { sets, watch_sets } => Watches {
                statefulsets: match watch_sets {
                    true => set_names(sets).iter().map(|s| s.to_string()).collect(),
                    false => Vec::new(),
                },
                pods: true,
                claims: false,
                events: false,
            },
            Goal::Left { .. } => Watches {
                statefulsets: Vec::new(),
                pods: true,
                claims: false,
                events: false,
            },
            Goal::ClaimsGone { .. } => Watches {
                statefulsets: Vec::new(),
                pods: false,
                claims: true,
                events: false,
            },
        }
    }

    fn sets(&self) -> Vec<Set> {
        match self {
            Goal::Ready { sets, .. } | Goal::Gone { sets, .. } | Goal::Restarted { sets, .. } => {
                sets.clone()
            }
            Goal::Left { sets, .. } => sets.iter().map(|s| Set::new(s.clone(), 0)).collect(),
            Goal::ClaimsGone { .. } => Vec::new(),
        }
    }
}

fn set_names(sets: &[Set]) -> Vec<&str> {
    sets.iter().map(|s| s.name.as_str()).collect()
}

/// The pod named `pod` unless it is still the one with this UID.
fn replacement<'a>(pods: &'a [Pod], pod: &str, uid: &str) -> Option<&'a Pod> {
    pods.iter()
        .find(|p| p.name_any() == pod && p.uid().as_deref() != Some(uid))
}

/// The pods of one StatefulSet: named `<set>-<ordinal>`.
fn pods_of(set: &str, pods: &[Pod]) -> Vec<Pod> {
    pods.iter()
        .filter(|p| rollout::pod_ordinal(set, p).is_some())
        .cloned()
        .collect()
}

/// The node a scheduled pod runs on, a Ready pod's IP, or that a pod is surplus.
fn stage_detail(pod: &Pod, stage: PodStage, surplus: bool) -> String {
    let detail = match stage {
        PodStage::Scheduled | PodStage::Running => pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .map(|n| format!("on {n}")),
        PodStage::Ready => pod.status.as_ref().and_then(|s| s.pod_ip.clone()),
        _ if surplus => Some("surplus".to_owned()),
        _ => None,
    };
    detail.unwrap_or_default()
}

/// A decommission that ended with an error: Cassandra's refusal in its own words, or the
/// command's output.
fn decommission_failed(pod: &str, code: i32, stdout: &str, stderr: &str) -> Error {
    let printed = crate::fmt::printed(stdout, stderr);
    match classify_failure(code, stdout, stderr) {
        NodetoolFailure::DecommissionRefused(refusal) => Error::Refused {
            pod: pod.to_owned(),
            command: "nodetool decommission".to_owned(),
            sentence: refusal.sentence,
            hint: "nothing was removed and the ring is unchanged; Cassandra refuses to leave fewer live nodes than a \
                   keyspace's replication factor"
                .to_owned(),
        },
        _ => Error::Exec {
            pod: pod.to_owned(),
            command: "nodetool decommission".to_owned(),
            code,
            output: printed,
            hint: Some(
                "nothing was removed; look at the node with `casctl status`, then run the same scale again"
                    .to_owned(),
            ),
        },
    }
}

#[cfg(test)]
mod tests;
