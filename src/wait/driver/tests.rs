//! The driver loop on tokio's paused clock: scripted watch inputs and answers arrive at virtual
//! instants, sleeps and the deadline take no real time, and what the loop asks, shows and ends
//! with is recorded. No API, no mocks of it: the inputs are the engine's own.

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use anyhow::Result;
use futures::stream::{self, BoxStream};
use futures::{FutureExt, Stream, StreamExt};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod};
use kube::runtime::watcher::Event as Watch;
use tokio::time::{Instant as Clock, sleep, sleep_until};

use super::{Observations, Watched, WatchesEnded, drive};
use crate::error::Error;
use crate::interrupt::Interrupt;
use crate::testing::{ring, statefulset};
use crate::wait::tests::{
    REFUSAL, exited, ip, pod, ready_pods, rows, streams, un_rows, unschedulable, with_uid,
};
use crate::wait::{
    ActionEnd, Context, Deadline, Effect, Goal, Input, Progress, RING_RECHECK, STALL_AFTER, Set,
    Sink, Wait,
};

const DONE: &str = "the objects stay";
/// More turns of the loop than any test here needs: a loop that spins hits it at once (on a
/// paused clock a spinning loop would otherwise never let time advance).
const SPIN: usize = 2_000;

fn context() -> Context {
    Context {
        namespace: "shop".into(),
        name: "cassandra".into(),
        done: DONE.into(),
        resume: "run it again".into(),
    }
}

fn wait(goal: Goal, budget_secs: u64) -> Wait {
    let now = Clock::now().into_std();
    let deadline = Deadline::new(now, Duration::from_secs(budget_secs));
    Wait::new(goal, 1, now, deadline, context())
}

fn ready(replicas: u32, ring: bool) -> Goal {
    Goal::Ready {
        sets: vec![Set::new("cassandra", replicas)],
        ring,
    }
}

fn left() -> Goal {
    Goal::Left {
        sets: vec!["cassandra".into()],
        pod: "cassandra-2".into(),
        address: ip(2),
        resume: false,
    }
}

fn restarted() -> Goal {
    Goal::Restarted {
        sets: vec![Set::new("cassandra", 3)],
        pod: "cassandra-2".into(),
        uid: "old".into(),
        whole: true,
    }
}

fn gone(keep: u32) -> Goal {
    Goal::Gone {
        sets: vec![Set::new("cassandra", keep)],
        watch_sets: false,
    }
}

/// The first list of every watch the goal of `wait` opens, with these objects.
fn listed(wait: &Wait, sets: Vec<StatefulSet>, pods: Vec<Pod>) -> Vec<Input> {
    let watches = wait.watches();
    let mut inputs = Vec::new();
    if !watches.statefulsets.is_empty() {
        list(&mut inputs, sets, Input::StatefulSet);
    }
    if watches.pods {
        list(&mut inputs, pods, |event| Input::Pod { selector: 0, event });
    }
    if watches.claims {
        list(&mut inputs, Vec::<PersistentVolumeClaim>::new(), |event| {
            Input::Claim { selector: 0, event }
        });
    }
    if watches.events {
        list(&mut inputs, Vec::<Event>::new(), Input::Event);
    }
    inputs
}

fn list<K>(into: &mut Vec<Input>, items: Vec<K>, wrap: impl Fn(Box<Watch<K>>) -> Input) {
    into.push(wrap(Box::new(Watch::Init)));
    for item in items {
        into.push(wrap(Box::new(Watch::InitApply(item))));
    }
    into.push(wrap(Box::new(Watch::InitDone)));
}

fn pod_event(pod: Pod) -> Input {
    Input::Pod {
        selector: 0,
        event: Box::new(Watch::Apply(pod)),
    }
}

fn set_event(sts: StatefulSet) -> Input {
    Input::StatefulSet(Box::new(Watch::Apply(sts)))
}

fn ring_answer(owned: &[(&'static str, String)]) -> Input {
    Input::Ring {
        pod: "cassandra-0".into(),
        answer: Ok(ring(&rows(owned))),
        took: Duration::from_millis(150),
    }
}

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn secs(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

/// The watch inputs: `first` at once, then each of `later` at its virtual instant; then the
/// watches stay open without a word (or end, with `end`).
struct Feed {
    first: Vec<Input>,
    later: Vec<(Duration, Result<Watched>)>,
    end: bool,
}

impl Feed {
    fn new(first: Vec<Input>) -> Self {
        Feed {
            first,
            later: Vec::new(),
            end: false,
        }
    }

    fn at(mut self, when: Duration, input: Input) -> Self {
        self.later.push((when, Ok(Watched::Input(input))));
        self
    }

    fn item_at(mut self, when: Duration, item: Result<Watched>) -> Self {
        self.later.push((when, item));
        self
    }

    fn ending(mut self) -> Self {
        self.end = true;
        self
    }

    fn stream(self, start: Clock) -> BoxStream<'static, Result<Watched>> {
        let first = stream::iter(self.first.into_iter().map(|i| Ok(Watched::Input(i))));
        let later = stream::iter(self.later).then(move |(when, item)| async move {
            sleep_until(start + when).await;
            item
        });
        let rest = match self.end {
            true => stream::empty().boxed(),
            false => stream::pending().boxed(),
        };
        first.chain(later).chain(rest).boxed()
    }
}

/// Counts how often the loop polls the watches: about once per turn.
struct Counted {
    inner: BoxStream<'static, Result<Watched>>,
    polls: Arc<AtomicUsize>,
}

impl Stream for Counted {
    type Item = Result<Watched>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> Poll<Option<Self::Item>> {
        let polls = self.polls.fetch_add(1, Ordering::SeqCst) + 1;
        assert!(polls < SPIN, "the loop spins");
        self.inner.poll_next_unpin(cx)
    }
}

/// What the loop showed, when, and whether it left the screen tidy.
struct Seen {
    start: Clock,
    shown: Vec<(Duration, Progress)>,
    finished: bool,
}

impl Sink for Seen {
    fn show(&mut self, progress: Progress) {
        self.shown.push((self.start.elapsed(), progress));
    }

    fn finish(&mut self) {
        self.finished = true;
    }
}

impl Seen {
    fn notes(&self) -> Vec<(Duration, String)> {
        self.shown
            .iter()
            .filter_map(|(at, p)| match p {
                Progress::Note(n) => Some((*at, n.clone())),
                _ => None,
            })
            .collect()
    }
}

/// One run of the loop and what it did.
struct Outcome {
    result: Result<()>,
    /// Virtual time from the start to the verdict.
    elapsed: Duration,
    /// Each effect performed and when.
    asked: Vec<(Duration, Effect)>,
    seen: Seen,
    polls: usize,
}

impl Outcome {
    fn error(&self) -> &Error {
        let Err(err) = &self.result else {
            panic!("expected an error, the wait was done");
        };
        err.downcast_ref::<Error>()
            .unwrap_or_else(|| panic!("not one of casctl's errors: {err:#}"))
    }

    fn interrupted_done(&self) -> &str {
        match self.error() {
            Error::Interrupted { done, .. } => done,
            other => panic!("expected an interruption, got {other:?}"),
        }
    }

    fn count(&self, wanted: impl Fn(&Effect) -> bool) -> usize {
        self.asked.iter().filter(|(_, e)| wanted(e)).count()
    }
}

fn is_ring(e: &Effect) -> bool {
    matches!(e, Effect::AskRing { .. })
}

fn is_action(e: &Effect) -> bool {
    matches!(e, Effect::RunAction)
}

/// Runs `wait` on `feed`, answering each effect with `answer`.
async fn run(
    wait: Wait,
    feed: Feed,
    mut answer: impl FnMut(&Effect) -> Observations,
    interrupt: &mut Interrupt,
) -> Outcome {
    let start = Clock::now();
    let polls = Arc::new(AtomicUsize::new(0));
    let watched = Counted {
        inner: feed.stream(start),
        polls: Arc::clone(&polls),
    };
    let asked = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&asked);
    let perform = move |effect: Effect| {
        let observations = answer(&effect);
        record.lock().unwrap().push((start.elapsed(), effect));
        observations
    };
    let mut seen = Seen {
        start,
        shown: Vec::new(),
        finished: false,
    };
    let result = drive(wait, watched, perform, interrupt, &mut seen).await;
    let asked = asked.lock().unwrap().clone();
    Outcome {
        result,
        elapsed: start.elapsed(),
        asked,
        seen,
        polls: polls.load(Ordering::SeqCst),
    }
}

/// An answer that comes `after` the effect was asked.
fn after(after: Duration, input: Input) -> Observations {
    async move {
        sleep(after).await;
        Ok(input)
    }
    .into_stream()
    .boxed()
}

/// An answer that never comes (a `nodetool` call that hangs).
fn never() -> Observations {
    stream::pending().boxed()
}

fn unexpected(effect: &Effect) -> Observations {
    panic!("nothing should be asked here: {effect:?}")
}

fn forbidden() -> anyhow::Error {
    Error::Forbidden {
        verb: "watch".into(),
        resource: "pods".into(),
        namespace: "shop".into(),
        context: "kind".into(),
    }
    .into()
}

/// A signal at a virtual instant (Ctrl-C).
fn signal_at(when: Duration) -> Interrupt {
    let (signals, interrupt) = Interrupt::manual();
    tokio::spawn(async move {
        sleep(when).await;
        let _ = signals.send(1);
    });
    interrupt
}

fn no_signal() -> Interrupt {
    let (signals, interrupt) = Interrupt::manual();
    std::mem::forget(signals);
    interrupt
}

// --- ends and waits ---------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn done_on_the_first_list() {
    let w = wait(ready(1, false), 60);
    let first = listed(&w, vec![statefulset("cassandra", 1, 1)], ready_pods(1));
    let out = run(w, Feed::new(first), unexpected, &mut no_signal()).await;
    assert!(out.result.is_ok());
    assert_eq!(out.elapsed, Duration::ZERO);
    assert!(out.asked.is_empty());
    assert!(out.seen.finished);
}

#[tokio::test(start_paused = true)]
async fn waits_for_a_pod_then_done() {
    let w = wait(ready(1, false), 60);
    let first = listed(
        &w,
        vec![statefulset("cassandra", 1, 0)],
        vec![pod(0, false)],
    );
    let feed = Feed::new(first)
        .at(secs(3), pod_event(pod(0, true)))
        .at(secs(3), set_event(statefulset("cassandra", 1, 1)));
    let out = run(w, feed, unexpected, &mut no_signal()).await;
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert_eq!(out.elapsed, secs(3));
}

#[tokio::test(start_paused = true)]
async fn the_ring_check_answer_is_one_more_input() {
    let w = wait(ready(3, true), 60);
    let first = listed(&w, vec![statefulset("cassandra", 3, 3)], ready_pods(3));
    let answer = |_: &Effect| after(ms(200), ring_answer(&un_rows(3)));
    let out = run(w, Feed::new(first), answer, &mut no_signal()).await;
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert_eq!(out.elapsed, ms(200));
    assert_eq!(
        out.asked,
        vec![(
            Duration::ZERO,
            Effect::AskRing {
                pod: "cassandra-0".into()
            }
        )]
    );
}

#[tokio::test(start_paused = true)]
async fn an_incomplete_ring_is_asked_again_after_the_recheck_delay() {
    let w = wait(ready(3, true), 60);
    let first = listed(&w, vec![statefulset("cassandra", 3, 3)], ready_pods(3));
    let mut answers = vec![ring_answer(&un_rows(3)), ring_answer(&un_rows(2))];
    let answer = move |_: &Effect| after(ms(100), answers.pop().unwrap());
    let out = run(w, Feed::new(first), answer, &mut no_signal()).await;
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert_eq!(out.count(is_ring), 2);
    assert_eq!(out.asked[1].0, ms(100) + RING_RECHECK);
    assert_eq!(out.elapsed, ms(200) + RING_RECHECK);
}

#[tokio::test(start_paused = true)]
async fn an_effect_is_performed_once_while_its_answer_is_in_flight() {
    let w = wait(ready(3, true), 60);
    let first = listed(&w, vec![statefulset("cassandra", 3, 3)], ready_pods(3));
    let mut feed = Feed::new(first);
    for s in 1..10 {
        feed = feed.at(secs(s), pod_event(pod(s as u32 % 3, true)));
    }
    let answer = |_: &Effect| after(secs(10), ring_answer(&un_rows(3)));
    let out = run(w, feed, answer, &mut no_signal()).await;
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert_eq!(out.count(is_ring), 1, "{:?}", out.asked);
    assert_eq!(out.elapsed, secs(10));
}

#[tokio::test(start_paused = true)]
async fn a_teardown_ends_when_the_last_surplus_pod_is_deleted() {
    let w = wait(gone(1), 60);
    let first = listed(&w, vec![], ready_pods(2));
    let feed = Feed::new(first).at(
        secs(4),
        Input::Pod {
            selector: 0,
            event: Box::new(Watch::Delete(pod(1, true))),
        },
    );
    let out = run(w, feed, unexpected, &mut no_signal()).await;
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert_eq!(out.elapsed, secs(4));
}

// --- the deadline and the stall diagnosis ----------------------------------------------------

#[tokio::test(start_paused = true)]
async fn the_timeout_fires_at_the_deadline_without_any_input() {
    let w = wait(ready(1, false), 30);
    let first = listed(
        &w,
        vec![statefulset("cassandra", 1, 0)],
        vec![pod(0, false)],
    );
    let out = run(w, Feed::new(first), unexpected, &mut no_signal()).await;
    let Error::TimedOut { timeout, .. } = out.error() else {
        panic!("expected a timeout, got {:?}", out.error());
    };
    assert_eq!(*timeout, secs(30));
    assert_eq!(out.elapsed, secs(30), "virtual time: exactly the budget");
    assert!(out.seen.finished);
}

#[tokio::test(start_paused = true)]
async fn the_timeout_fires_while_a_ring_check_hangs() {
    let w = wait(ready(3, true), 45);
    let first = listed(&w, vec![statefulset("cassandra", 3, 3)], ready_pods(3));
    let out = run(w, Feed::new(first), |_| never(), &mut no_signal()).await;
    assert!(matches!(out.error(), Error::TimedOut { .. }));
    assert_eq!(out.elapsed, secs(45));
    assert_eq!(out.count(is_ring), 1);
}

#[tokio::test(start_paused = true)]
async fn the_stall_diagnosis_wakes_the_loop_without_input() {
    let w = wait(ready(1, false), 60);
    let first = listed(
        &w,
        vec![statefulset("cassandra", 1, 0)],
        vec![unschedulable(0)],
    );
    let out = run(w, Feed::new(first), unexpected, &mut no_signal()).await;
    let notes = out.seen.notes();
    let stalled: Vec<_> = notes
        .iter()
        .filter(|(at, _)| *at > Duration::ZERO)
        .collect();
    assert_eq!(stalled.len(), 1, "said once: {notes:?}");
    assert_eq!(stalled[0].0, STALL_AFTER);
    assert!(matches!(out.error(), Error::TimedOut { .. }));
}

#[tokio::test(start_paused = true)]
async fn the_loop_does_not_spin_over_a_virtual_hour() {
    let w = wait(ready(3, true), 3600);
    // Stalled, with a ring check due that is not wanted (a pod is not Ready).
    let pods = vec![pod(0, true), pod(1, true), unschedulable(2)];
    let first = listed(&w, vec![statefulset("cassandra", 3, 2)], pods);
    let inputs = first.len();
    let out = run(w, Feed::new(first), unexpected, &mut no_signal()).await;
    assert!(matches!(out.error(), Error::TimedOut { .. }));
    assert_eq!(out.elapsed, secs(3600));
    // One poll per input, then one per wake-up: the stall (once) and the deadline.
    assert!(
        out.polls <= inputs + 4,
        "{} turns for {inputs} inputs and a wait that sleeps",
        out.polls
    );
    assert!(out.asked.is_empty());
}

// --- the API server --------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn a_forbidden_watch_ends_the_wait_at_once() {
    let w = wait(ready(1, false), 60);
    let feed = Feed::new(vec![]).item_at(secs(1), Err(forbidden()));
    let out = run(w, feed, unexpected, &mut no_signal()).await;
    assert!(matches!(out.error(), Error::Forbidden { .. }));
    assert_eq!(out.elapsed, secs(1));
    assert!(out.seen.finished);
}

#[tokio::test(start_paused = true)]
async fn an_api_server_that_does_not_answer_then_answers_again_is_ridden_out() {
    let w = wait(ready(1, false), 60);
    let first = listed(
        &w,
        vec![statefulset("cassandra", 1, 0)],
        vec![pod(0, false)],
    );
    let feed = Feed::new(first)
        .item_at(
            secs(1),
            Ok(Watched::Unanswered("connection refused".into())),
        )
        .item_at(secs(2), Ok(Watched::Recovering))
        .item_at(
            secs(3),
            Ok(Watched::Unanswered("connection refused".into())),
        )
        .at(secs(9), pod_event(pod(0, true)))
        .at(secs(9), set_event(statefulset("cassandra", 1, 1)));
    let out = run(w, feed, unexpected, &mut no_signal()).await;
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert_eq!(out.elapsed, secs(9));
    let times: Vec<Duration> = out.seen.notes().iter().map(|(at, _)| *at).collect();
    assert_eq!(times, [secs(1), secs(9)], "said once, and again when back");
}

#[tokio::test(start_paused = true)]
async fn watches_that_end_are_an_error() {
    let w = wait(ready(1, false), 60);
    let first = listed(
        &w,
        vec![statefulset("cassandra", 1, 0)],
        vec![pod(0, false)],
    );
    let out = run(w, Feed::new(first).ending(), unexpected, &mut no_signal()).await;
    let err = out.result.unwrap_err();
    assert!(err.downcast_ref::<WatchesEnded>().is_some(), "{err:#}");
    assert!(out.seen.finished);
}

#[tokio::test(start_paused = true)]
async fn a_fatal_answer_of_an_effect_ends_the_wait() {
    let w = wait(ready(3, true), 60);
    let first = listed(&w, vec![statefulset("cassandra", 3, 3)], ready_pods(3));
    let answer = |_: &Effect| stream::once(async { Err(forbidden()) }).boxed();
    let out = run(w, Feed::new(first), answer, &mut no_signal()).await;
    assert!(matches!(out.error(), Error::Forbidden { .. }));
    assert_eq!(out.elapsed, Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_statefulset_rescaled_under_the_wait_ends_it() {
    let w = wait(ready(3, false), 60);
    let first = listed(&w, vec![statefulset("cassandra", 3, 2)], ready_pods(2));
    let feed = Feed::new(first).at(secs(2), set_event(statefulset("cassandra", 5, 2)));
    let out = run(w, feed, unexpected, &mut no_signal()).await;
    assert!(matches!(out.error(), Error::Changed { .. }));
    assert_eq!(out.elapsed, secs(2));
}

// --- the decommission -------------------------------------------------------------------------

/// The answers of a decommission that starts at once and ends with `end` after `takes`; the
/// node streams meanwhile and is gone from the ring afterwards.
fn decommission(takes: Duration, end: Input) -> impl FnMut(&Effect) -> Observations {
    move |effect| match effect {
        Effect::RunAction => {
            let started = stream::once(async { Ok(Input::ActionStarted) });
            started.chain(after(takes, end.clone())).boxed()
        }
        Effect::AskStreams { .. } => after(ms(50), streams("LEAVING", Some((1, 10)))),
        Effect::AskRing { .. } => after(ms(100), ring_answer(&un_rows(2))),
        Effect::FetchLog { .. } => never(),
    }
}

#[tokio::test(start_paused = true)]
async fn a_decommission_that_ends_well_then_a_ring_without_the_node_is_done() {
    let w = wait(left(), 600);
    let first = listed(&w, vec![], ready_pods(3));
    let answer = decommission(secs(12), exited(0, ""));
    let out = run(w, Feed::new(first), answer, &mut no_signal()).await;
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert_eq!(out.elapsed, secs(12) + ms(100));
    assert_eq!(out.count(is_action), 1, "run once");
    assert_eq!(out.count(is_ring), 1);
    // Its streams were read while it ran: at once, then 5 s after each answer.
    let read: Vec<Duration> = out
        .asked
        .iter()
        .filter(|(_, e)| matches!(e, Effect::AskStreams { .. }))
        .map(|(at, _)| *at)
        .collect();
    assert_eq!(read, [Duration::ZERO, ms(5050), ms(10100)]);
}

#[tokio::test(start_paused = true)]
async fn a_decommission_cassandra_refuses_ends_with_its_refusal() {
    let w = wait(left(), 600);
    let first = listed(&w, vec![], ready_pods(3));
    let answer = decommission(secs(1), exited(1, REFUSAL));
    let out = run(w, Feed::new(first), answer, &mut no_signal()).await;
    assert!(matches!(out.error(), Error::Refused { .. }));
    assert_eq!(out.elapsed, secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_lost_decommission_of_a_node_not_leaving_is_run_again() {
    let w = wait(left(), 600);
    let first = listed(&w, vec![], ready_pods(3));
    let mut runs = 0;
    let answer = move |effect: &Effect| match effect {
        Effect::RunAction => {
            runs += 1;
            match runs {
                1 => after(secs(1), Input::Action(ActionEnd::Lost("broken".into()))),
                _ => after(secs(2), exited(0, "")),
            }
        }
        Effect::AskStreams { .. } => after(ms(10), streams("NORMAL", None)),
        // The node is in the ring until its second decommission ends.
        Effect::AskRing { .. } if runs < 2 => after(ms(10), ring_answer(&un_rows(3))),
        Effect::AskRing { .. } => after(ms(10), ring_answer(&un_rows(2))),
        Effect::FetchLog { .. } => never(),
    };
    let out = run(w, Feed::new(first), answer, &mut no_signal()).await;
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert_eq!(out.count(is_action), 2);
    assert_eq!(
        out.asked
            .iter()
            .filter(|(_, e)| is_action(e))
            .nth(1)
            .unwrap()
            .0,
        ms(1010)
    );
}

// --- signals ----------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn ctrl_c_during_a_ring_check_ends_at_once_without_its_answer() {
    let w = wait(ready(3, true), 600);
    let first = listed(&w, vec![statefulset("cassandra", 3, 3)], ready_pods(3));
    let out = run(w, Feed::new(first), |_| never(), &mut signal_at(secs(1))).await;
    assert_eq!(out.interrupted_done(), DONE);
    assert_eq!(out.elapsed, secs(1));
    assert_eq!(out.count(is_ring), 1);
    assert!(out.seen.finished);
}

#[tokio::test(start_paused = true)]
async fn a_signal_ends_the_wait_without_a_further_observation() {
    let w = wait(ready(3, false), 600);
    let first = listed(&w, vec![statefulset("cassandra", 3, 1)], ready_pods(1));
    let out = run(w, Feed::new(first), unexpected, &mut signal_at(secs(7))).await;
    assert!(matches!(out.error(), Error::Interrupted { .. }));
    assert_eq!(out.elapsed, secs(7));
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_during_a_running_decommission_says_it_goes_on() {
    let w = wait(left(), 600);
    let first = listed(&w, vec![], ready_pods(3));
    let answer = decommission(secs(60), exited(0, ""));
    let out = run(w, Feed::new(first), answer, &mut signal_at(secs(2))).await;
    // The command's own words: the decommission goes on inside Cassandra.
    assert_eq!(out.interrupted_done(), DONE);
    assert_eq!(out.elapsed, secs(2));
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_before_the_decommission_is_known_to_have_started_says_it_may_have() {
    let w = wait(left(), 600);
    let first = listed(&w, vec![], ready_pods(3));
    // The exec never says it started, nor does the node (its netstats hang too).
    let out = run(w, Feed::new(first), |_| never(), &mut signal_at(ms(300))).await;
    let done = out.interrupted_done();
    assert_ne!(done, DONE, "it is not known to go on");
    assert!(done.contains("cassandra-2"), "{done}");
    assert_eq!(out.elapsed, ms(300));
    assert_eq!(out.count(is_action), 1);
}

#[tokio::test(start_paused = true)]
async fn a_node_seen_leaving_confirms_the_decommission_started() {
    let w = wait(left(), 600);
    let first = listed(&w, vec![], ready_pods(3));
    let answer = |effect: &Effect| match effect {
        // The exec's start is never confirmed, but the node streams.
        Effect::AskStreams { .. } => after(ms(50), streams("LEAVING", Some((1, 10)))),
        _ => never(),
    };
    let out = run(w, Feed::new(first), answer, &mut signal_at(secs(1))).await;
    assert_eq!(out.interrupted_done(), DONE);
}

#[tokio::test(start_paused = true)]
async fn a_signal_before_the_wait_began_starts_no_decommission() {
    let (signals, mut interrupt) = Interrupt::manual();
    signals.send(1).unwrap();
    let w = wait(left(), 600);
    let first = listed(&w, vec![], ready_pods(3));
    let out = run(w, Feed::new(first), |_| never(), &mut interrupt).await;
    let done = out.interrupted_done().to_owned();
    assert_ne!(done, DONE);
    assert_eq!(out.count(is_action), 0, "{:?}", out.asked);
    assert_eq!(out.elapsed, Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_during_a_teardown_ends_at_once() {
    let w = wait(gone(0), 600);
    let first = listed(&w, vec![], ready_pods(2));
    let out = run(w, Feed::new(first), unexpected, &mut signal_at(ms(1500))).await;
    assert_eq!(out.interrupted_done(), DONE);
    assert_eq!(out.elapsed, ms(1500));
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_during_a_restart_waits_for_the_node_then_ends_without_spinning() {
    let w = wait(restarted(), 600);
    let first = listed(
        &w,
        vec![statefulset("cassandra", 3, 2)],
        vec![pod(0, true), pod(1, true)],
    );
    let inputs = first.len() + 2;
    let feed = Feed::new(first)
        .at(secs(30), pod_event(with_uid(pod(2, true), "new")))
        .at(secs(30), set_event(statefulset("cassandra", 3, 3)));
    let answer = |effect: &Effect| match effect {
        Effect::AskRing { .. } => after(ms(100), ring_answer(&un_rows(3))),
        _ => never(),
    };
    let out = run(w, feed, answer, &mut signal_at(secs(1))).await;
    // The step is whole: the node is back, and the signal is for the restart to honour next.
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert_eq!(out.elapsed, secs(30) + ms(100));
    // A signal told once: no turn of the loop for it after the first (a loop that found it
    // ready at every turn would spin for the 30 s the node takes: thousands of turns). The
    // bound leaves room for select!'s random order among branches ready at the same instant.
    assert!(
        out.polls <= 2 * inputs,
        "{} turns for {inputs} inputs",
        out.polls
    );
}
