//! The wait engine on scripted observations and a made-up clock: every instant is `t0` plus
//! whole seconds, so nothing here depends on how fast the tests run.

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    Event, ObjectReference, PersistentVolumeClaim, Pod, PodCondition, PodSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ManagedFieldsEntry, ObjectMeta, Time};
use kube::runtime::watcher::Event as Watch;

use super::*;
use crate::testing::{ring, statefulset};

pub(super) const REFUSAL: &str = "nodetool: Unsupported operation: Not enough live nodes to maintain replication factor in keyspace system_distributed (RF = 3, N = 3). Perform a forceful decommission to ignore.\nSee 'nodetool help' or 'nodetool help <command>'.\n";

/// A wait and the start of its made-up clock.
struct Script {
    wait: Wait,
    t0: Instant,
}

impl Script {
    fn new(goal: Goal, selectors: usize, timeout_secs: u64) -> Self {
        let t0 = Instant::now();
        let context = Context {
            namespace: "shop".into(),
            name: "cassandra".into(),
            done: "the objects stay".into(),
            resume: "run it again".into(),
        };
        let deadline = Deadline::new(t0, Duration::from_secs(timeout_secs));
        Script {
            wait: Wait::new(goal, selectors, t0, deadline, context),
            t0,
        }
    }

    /// `up` or `scale` to `replicas` nodes of the set `cassandra`.
    fn ready(replicas: u32, ring: bool) -> Self {
        Script::new(
            Goal::Ready {
                sets: vec![Set::new("cassandra", replicas)],
                ring,
            },
            1,
            600,
        )
    }

    fn at(&self, secs: u64) -> Instant {
        self.t0 + Duration::from_secs(secs)
    }

    fn feed(&mut self, secs: u64, input: Input) {
        let now = self.at(secs);
        self.wait.observe(input, now);
    }

    fn verdict(&mut self, secs: u64) -> Verdict {
        let now = self.at(secs);
        self.wait.verdict(now)
    }

    fn effects(&mut self, secs: u64) -> Vec<Effect> {
        let now = self.at(secs);
        self.wait.effects(now)
    }

    /// The first list of every watch the goal has, with these objects.
    fn listed(&mut self, secs: u64, sets: Vec<StatefulSet>, pods: Vec<Pod>) {
        let watches = self.wait.watches();
        if !watches.statefulsets.is_empty() {
            list(self, secs, sets, Input::StatefulSet);
        }
        if watches.pods {
            list(self, secs, pods, |event| Input::Pod { selector: 0, event });
        }
        if watches.claims {
            list(self, secs, Vec::<PersistentVolumeClaim>::new(), |event| {
                Input::Claim { selector: 0, event }
            });
        }
        if watches.events {
            list(self, secs, Vec::<Event>::new(), Input::Event);
        }
    }

    fn pod(&mut self, secs: u64, pod: Pod) {
        self.feed(
            secs,
            Input::Pod {
                selector: 0,
                event: Box::new(Watch::Apply(pod)),
            },
        );
    }

    fn set(&mut self, secs: u64, sts: StatefulSet) {
        self.feed(secs, Input::StatefulSet(Box::new(Watch::Apply(sts))));
    }

    fn ring(&mut self, secs: u64, rows: &[(&str, &str)]) {
        self.feed(
            secs,
            Input::Ring {
                pod: "cassandra-0".into(),
                answer: Ok(ring(rows)),
                took: Duration::from_millis(150),
            },
        );
    }

    fn notes(&mut self) -> Vec<String> {
        self.wait
            .take_progress()
            .into_iter()
            .filter_map(|p| match p {
                Progress::Note(n) => Some(n),
                _ => None,
            })
            .collect()
    }
}

fn list<K: Clone>(
    script: &mut Script,
    secs: u64,
    items: Vec<K>,
    wrap: impl Fn(Box<Watch<K>>) -> Input,
) {
    script.feed(secs, wrap(Box::new(Watch::Init)));
    for item in items {
        script.feed(secs, wrap(Box::new(Watch::InitApply(item))));
    }
    script.feed(secs, wrap(Box::new(Watch::InitDone)));
}

/// A pod of `cassandra` at ordinal `i`: Running on a node, Ready or not, with an IP.
pub(super) fn pod(i: u32, ready: bool) -> Pod {
    let mut pod = crate::testing::pod(&format!("cassandra-{i}"), Some(&ip(i)), ready);
    pod.spec = Some(PodSpec {
        node_name: Some("node-1".into()),
        ..Default::default()
    });
    if let Some(status) = pod.status.as_mut() {
        status.phase = Some("Running".into());
    }
    pod
}

pub(super) fn ip(i: u32) -> String {
    format!("10.0.0.{}", i + 1)
}

pub(super) fn ready_pods(n: u32) -> Vec<Pod> {
    (0..n).map(|i| pod(i, true)).collect()
}

pub(super) fn un_rows(n: u32) -> Vec<(&'static str, String)> {
    (0..n).map(|i| ("UN", ip(i))).collect()
}

pub(super) fn rows<'a>(owned: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    owned.iter().map(|(c, a)| (*c, a.as_str())).collect()
}

fn is_done(v: &Verdict) -> bool {
    matches!(v, Verdict::Done)
}

fn failure(v: Verdict) -> Error {
    match v {
        Verdict::Failed(e) => e,
        other => panic!("expected a failure, got {other:?}"),
    }
}

// --- Ready: the completion rule ---------------------------------------------------------------

#[test]
fn nothing_is_decided_before_the_first_list() {
    let mut s = Script::ready(3, false);
    list(
        &mut s,
        0,
        vec![statefulset("cassandra", 3, 3)],
        Input::StatefulSet,
    );
    list(&mut s, 0, ready_pods(3), |event| Input::Pod {
        selector: 0,
        event,
    });
    // Claims and events are not listed yet.
    assert!(matches!(s.verdict(0), Verdict::Waiting));
}

#[test]
fn done_when_the_statefulset_and_the_pods_are_complete_without_ring_check() {
    let mut s = Script::ready(3, false);
    s.listed(0, vec![statefulset("cassandra", 3, 3)], ready_pods(3));
    assert!(is_done(&s.verdict(0)));
    assert!(s.effects(0).is_empty(), "no ring check was asked for");
}

#[test]
fn an_ordered_rollout_reports_each_pod_and_waits_for_the_last() {
    let mut s = Script::ready(3, false);
    s.listed(0, vec![statefulset("cassandra", 3, 0)], vec![]);
    assert!(matches!(s.verdict(0), Verdict::Waiting));
    for i in 0..3 {
        s.pod(2 * i as u64 + 1, pod(i, false));
        s.pod(2 * i as u64 + 2, pod(i, true));
        s.set(2 * i as u64 + 2, statefulset("cassandra", 3, i as i32 + 1));
        let last = i == 2;
        assert_eq!(is_done(&s.verdict(2 * i as u64 + 2)), last, "after pod {i}");
    }
    let stages: Vec<(String, PodStage)> = s
        .wait
        .take_progress()
        .into_iter()
        .filter_map(|p| match p {
            Progress::Pod { name, stage, .. } => Some((name, stage)),
            _ => None,
        })
        .collect();
    let expected: Vec<(String, PodStage)> = (0..3)
        .flat_map(|i| {
            [
                (format!("cassandra-{i}"), PodStage::Running),
                (format!("cassandra-{i}"), PodStage::Ready),
            ]
        })
        .collect();
    assert_eq!(stages, expected);
}

#[test]
fn a_surplus_pod_keeps_the_wait_going_until_it_is_gone() {
    let mut s = Script::ready(3, false);
    let mut pods = ready_pods(4);
    s.listed(0, vec![statefulset("cassandra", 3, 3)], pods.clone());
    assert!(matches!(s.verdict(0), Verdict::Waiting));
    let surplus = pods.pop().expect("four pods");
    s.feed(
        3,
        Input::Pod {
            selector: 0,
            event: Box::new(Watch::Delete(surplus)),
        },
    );
    assert!(is_done(&s.verdict(3)));
}

#[test]
fn the_ring_is_asked_as_soon_as_every_pod_is_ready_before_the_statefulset_catches_up() {
    let mut s = Script::ready(3, true);
    // The controller has not counted the last pod yet: 2 of 3 ready in its status.
    s.listed(0, vec![statefulset("cassandra", 3, 2)], ready_pods(3));
    assert_eq!(
        s.effects(0),
        vec![Effect::AskRing {
            pod: "cassandra-0".into()
        }]
    );
    s.ring(1, &rows(&un_rows(3)));
    assert!(
        matches!(s.verdict(1), Verdict::Waiting),
        "the status still lags"
    );
    s.set(1, statefulset("cassandra", 3, 3));
    assert!(is_done(&s.verdict(1)));
}

#[test]
fn the_ring_is_not_asked_while_a_pod_is_not_ready() {
    let mut s = Script::ready(3, true);
    s.listed(
        0,
        vec![statefulset("cassandra", 3, 2)],
        vec![pod(0, true), pod(1, true), pod(2, false)],
    );
    assert!(
        !s.effects(0)
            .iter()
            .any(|e| matches!(e, Effect::AskRing { .. }))
    );
}

#[test]
fn a_joining_node_shows_what_it_has_streamed() {
    let mut s = Script::ready(3, true);
    let pods = vec![pod(0, true), pod(1, true), pod(2, false)];
    s.listed(0, vec![statefulset("cassandra", 3, 2)], pods);
    assert_eq!(
        s.effects(0),
        vec![Effect::AskStreams {
            pod: "cassandra-2".into()
        }]
    );
    s.feed(
        1,
        Input::Streams {
            pod: "cassandra-2".into(),
            answer: Ok(Streams {
                mode: crate::cassandra::netstats::OperationMode::Joining,
                bytes: Some((512, 2048)),
            }),
        },
    );
    assert!(s.wait.take_progress().contains(&Progress::Streaming {
        pod: "cassandra-2".into(),
        done: 512,
        total: 2048
    }));
    assert!(s.effects(3).is_empty(), "read again after STREAMS_RECHECK");
    assert_eq!(s.effects(6).len(), 1);
}

#[test]
fn without_ring_check_no_pod_is_asked_anything() {
    let mut s = Script::ready(3, false);
    let pods = vec![pod(0, true), pod(1, true), pod(2, false)];
    s.listed(0, vec![statefulset("cassandra", 3, 2)], pods);
    assert!(
        s.effects(0).is_empty(),
        "--no-ring-check needs no pods/exec"
    );
}

fn crash_looping(i: u32, restarts: i32) -> Pod {
    use k8s_openapi::api::core::v1::{
        ContainerState, ContainerStateWaiting, ContainerStatus, PersistentVolumeClaimVolumeSource,
        Volume,
    };
    let mut p = pod(i, false);
    if let Some(spec) = p.spec.as_mut() {
        spec.volumes = Some(vec![Volume {
            name: "cassandra-data".into(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: format!("cassandra-data-cassandra-{i}"),
                read_only: None,
            }),
            ..Default::default()
        }]);
    }
    if let Some(status) = p.status.as_mut() {
        status.container_statuses = Some(vec![ContainerStatus {
            name: "cassandra".into(),
            restart_count: restarts,
            state: Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some("CrashLoopBackOff".into()),
                    message: None,
                }),
                ..Default::default()
            }),
            ..Default::default()
        }]);
    }
    p
}

#[test]
fn a_crash_loop_is_explained_by_the_containers_last_log_once_per_restart() {
    let mut s = Script::ready(4, true);
    let pods = vec![
        pod(0, true),
        pod(1, true),
        pod(2, true),
        crash_looping(3, 2),
    ];
    s.listed(0, vec![statefulset("cassandra", 4, 3)], pods);
    s.verdict(0);
    let fetch = Effect::FetchLog {
        pod: "cassandra-3".into(),
    };
    assert!(s.effects(0).contains(&fetch));
    assert!(!s.effects(1).contains(&fetch), "once per restart");
    // The real sentence (tests/fixtures/cassandra-5.0.9/start-after-decommission.txt).
    let log = include_str!("../../tests/fixtures/cassandra-5.0.9/start-after-decommission.txt");
    let answer = Ok(log.to_owned());
    s.feed(
        2,
        Input::Log {
            pod: "cassandra-3".into(),
            answer,
        },
    );
    assert!(matches!(s.verdict(15), Verdict::Stalled));
    let notes = s.notes();
    let diagnosis = notes
        .iter()
        .find(|n| n.starts_with("waiting: "))
        .expect("a diagnosis");
    assert!(
        diagnosis.contains("crash-looping: restarted 2 times"),
        "{diagnosis}"
    );
    assert!(diagnosis.contains("decommissioned"), "{diagnosis}");
    let hint = failure(s.verdict(600)).hint().unwrap_or_default();
    assert!(
        hint.contains("kubectl delete pvc -n shop cassandra-data-cassandra-3"),
        "{hint}"
    );
    s.pod(601, crash_looping(3, 3));
    assert!(s.effects(601).contains(&fetch), "a new restart, a new read");
}

#[test]
fn one_ring_check_at_a_time_and_again_after_the_recheck_delay() {
    let mut s = Script::ready(3, true);
    s.listed(0, vec![statefulset("cassandra", 3, 3)], ready_pods(3));
    assert_eq!(s.effects(0).len(), 1);
    assert!(
        s.effects(0).is_empty(),
        "the first check is still in flight"
    );
    // Only two nodes have joined so far.
    s.ring(1, &rows(&un_rows(2)));
    assert!(
        s.notes()
            .iter()
            .any(|n| n == "ring: ring has 2/3 nodes UN, 2 nodes in all")
    );
    assert!(
        s.effects(2).is_empty(),
        "asked again only after RING_RECHECK"
    );
    assert_eq!(s.effects(3).len(), 1);
    s.ring(4, &rows(&un_rows(3)));
    assert!(is_done(&s.verdict(4)));
}

#[test]
fn a_ring_answer_that_failed_is_a_note_and_asked_again() {
    let mut s = Script::ready(1, true);
    s.listed(0, vec![statefulset("cassandra", 1, 1)], ready_pods(1));
    assert_eq!(s.effects(0).len(), 1);
    s.feed(
        1,
        Input::Ring {
            pod: "cassandra-0".into(),
            answer: Err("nodetool: Failed to connect to '10.0.0.1:7199' - ConnectException: 'Connection refused'.".into()),
            took: Duration::from_millis(600),
        },
    );
    assert!(s.notes()[0].starts_with("ring: asking cassandra-0: nodetool: Failed to connect"));
    assert!(matches!(s.verdict(1), Verdict::Waiting));
    assert_eq!(s.effects(3).len(), 1);
}

#[test]
fn a_complete_ring_no_longer_counts_once_a_pod_is_not_ready() {
    let mut s = Script::ready(2, true);
    s.listed(0, vec![statefulset("cassandra", 2, 1)], ready_pods(2));
    s.effects(0);
    s.ring(1, &rows(&un_rows(2)));
    s.pod(2, pod(1, false));
    s.set(3, statefulset("cassandra", 2, 2));
    s.pod(3, pod(1, true));
    assert!(
        matches!(s.verdict(3), Verdict::Waiting),
        "the ring must be asked again after a pod was not Ready"
    );
    assert_eq!(s.effects(3).len(), 1);
}

// --- stalls, deadlines, signals -----------------------------------------------------------------

pub(super) fn unschedulable(i: u32) -> Pod {
    let mut p = pod(i, false);
    if let Some(spec) = p.spec.as_mut() {
        spec.node_name = None;
    }
    if let Some(status) = p.status.as_mut() {
        status.phase = Some("Pending".into());
        status.conditions = Some(vec![PodCondition {
            type_: "PodScheduled".into(),
            status: "False".into(),
            message: Some("0/4 nodes are available: 4 Insufficient cpu.".into()),
            ..Default::default()
        }]);
    }
    p
}

#[test]
fn after_fifteen_seconds_without_progress_the_stall_is_diagnosed_once() {
    let mut s = Script::ready(1, false);
    s.listed(
        0,
        vec![statefulset("cassandra", 1, 0)],
        vec![unschedulable(0)],
    );
    assert!(matches!(s.verdict(0), Verdict::Waiting));
    s.notes();
    assert!(matches!(s.verdict(14), Verdict::Waiting));
    assert!(matches!(s.verdict(15), Verdict::Stalled));
    assert_eq!(
        s.notes(),
        vec!["waiting: cassandra-0: unschedulable: 0/4 nodes are available: 4 Insufficient cpu."]
    );
    assert!(matches!(s.verdict(20), Verdict::Stalled));
    assert!(s.notes().is_empty(), "the same diagnosis is said once");
}

#[test]
fn progress_resets_the_stall_clock() {
    let mut s = Script::ready(2, false);
    s.listed(0, vec![statefulset("cassandra", 2, 0)], vec![pod(0, false)]);
    s.verdict(0);
    s.pod(10, pod(0, true));
    assert!(matches!(s.verdict(16), Verdict::Waiting), "moved at 10 s");
    assert!(
        matches!(s.verdict(30), Verdict::Waiting),
        "what is awaited changed at 16 s"
    );
    assert!(matches!(s.verdict(31), Verdict::Stalled));
}

#[test]
fn the_deadline_ends_the_wait_with_the_last_diagnosis() {
    let mut s = Script::new(
        Goal::Ready {
            sets: vec![Set::new("cassandra", 1)],
            ring: false,
        },
        1,
        60,
    );
    s.listed(
        0,
        vec![statefulset("cassandra", 1, 0)],
        vec![unschedulable(0)],
    );
    assert!(!matches!(s.verdict(59), Verdict::Failed(_)));
    let error = failure(s.verdict(60));
    assert_eq!(error.code(), crate::error::Code::TimedOut);
    let text = error.to_string();
    assert!(
        text.starts_with("the rollout did not complete within 1m: cassandra-0: unschedulable"),
        "{text}"
    );
    assert!(text.contains("still waiting for: "), "{text}");
    assert!(error.hint().unwrap_or_default().contains("--cpu"));
}

#[test]
fn an_api_server_that_stops_answering_is_said_once_and_again_when_it_is_back() {
    let mut s = Script::ready(3, true);
    s.listed(0, vec![statefulset("cassandra", 3, 1)], ready_pods(1));
    s.notes();
    let refused = || Input::Unanswered("Connection refused".into());
    s.feed(1, refused());
    s.feed(2, refused());
    s.feed(4, refused());
    assert_eq!(
        s.notes(),
        ["the API server does not answer (Connection refused); retrying"]
    );
    s.feed(9, Input::Answered);
    s.feed(9, Input::Answered);
    assert_eq!(s.notes(), ["the API server answers again"]);
    assert!(matches!(s.verdict(9), Verdict::Waiting));
    // A nodetool answer comes through the API server as well.
    s.feed(10, refused());
    s.notes();
    s.ring(11, &[("UN", "10.0.0.1")]);
    assert!(
        s.notes()
            .contains(&"the API server answers again".to_owned())
    );
}

#[test]
fn a_timeout_while_the_api_server_does_not_answer_says_so_not_a_stale_diagnosis() {
    let mut s = Script::new(
        Goal::Ready {
            sets: vec![Set::new("cassandra", 2)],
            ring: true,
        },
        1,
        20,
    );
    // cassandra-1 runs, not Ready yet, when the API server goes away.
    s.listed(
        0,
        vec![statefulset("cassandra", 2, 1)],
        vec![pod(0, true), pod(1, false)],
    );
    s.verdict(0);
    s.feed(1, Input::Unanswered("Connection refused".into()));
    let stalled = s.verdict(16);
    assert!(matches!(stalled, Verdict::Stalled), "{stalled:?}");
    assert_eq!(
        s.notes(),
        [
            "the API server does not answer (Connection refused); retrying",
            "waiting: the API server does not answer (Connection refused); what was seen before may have changed"
        ]
    );
    let error = failure(s.verdict(20));
    assert_eq!(error.code(), crate::error::Code::TimedOut);
    let text = error.to_string();
    assert!(
        text.starts_with(
            "the rollout did not complete within 20s: the API server does not answer (Connection refused)"
        ),
        "{text}"
    );
    assert!(!text.contains("readiness"), "{text}");
    assert!(error.hint().unwrap_or_default().contains("API server"));

    // Once it answers again, the pods are what decides.
    let mut s = Script::ready(2, true);
    s.listed(
        0,
        vec![statefulset("cassandra", 2, 1)],
        vec![pod(0, true), pod(1, false)],
    );
    s.feed(1, Input::Unanswered("Connection refused".into()));
    s.feed(2, Input::Answered);
    s.verdict(20);
    assert!(
        s.notes()
            .iter()
            .all(|n| !n.starts_with("waiting: the API server")),
    );
}

#[test]
fn next_wakeup_is_the_earliest_of_stall_ring_and_deadline() {
    let mut s = Script::ready(1, true);
    s.listed(0, vec![statefulset("cassandra", 1, 1)], ready_pods(1));
    s.effects(0);
    s.ring(1, &[("UJ", "10.0.0.1")]);
    assert_eq!(s.wait.next_wakeup(s.at(1)), s.at(3), "the ring recheck");
    s.effects(3);
    assert_eq!(
        s.wait.next_wakeup(s.at(3)),
        s.at(16),
        "the stall, while a check is in flight"
    );
    assert_eq!(s.wait.next_wakeup(s.at(700)), s.at(600), "the deadline");
}

#[test]
fn a_check_due_but_no_longer_wanted_does_not_wake_the_wait_at_once() {
    let mut s = Script::ready(3, true);
    s.listed(
        0,
        vec![statefulset("cassandra", 3, 2)],
        vec![pod(0, true), pod(1, true), pod(2, false)],
    );
    s.effects(0);
    s.feed(1, streams("JOINING", Some((1, 2))));
    // The node joined: its streams are not read again, though they are due at 6 s.
    s.pod(2, pod(2, true));
    s.effects(2);
    s.feed(
        3,
        Input::Ring {
            pod: "cassandra-0".into(),
            answer: Err("timed out".into()),
            took: Duration::from_secs(1),
        },
    );
    s.pod(4, terminating(pod(1, true)));
    assert!(
        s.effects(7).is_empty(),
        "nothing is wanted while cassandra-1 is not Ready"
    );
    let wake = s.wait.next_wakeup(s.at(7));
    assert!(wake > s.at(7), "woken {:?} after 7 s", wake - s.t0);
}

#[test]
fn a_signal_stops_the_wait_with_what_was_done_and_how_to_resume() {
    let mut s = Script::ready(3, false);
    s.listed(0, vec![statefulset("cassandra", 3, 1)], ready_pods(1));
    s.feed(2, Input::Interrupt);
    let error = failure(s.verdict(2));
    assert!(matches!(error, Error::Interrupted { .. }), "{error:?}");
    assert_eq!(error.code(), crate::error::Code::Interrupted);
    assert_eq!(error.to_string(), "interrupted; the objects stay");
    assert_eq!(error.hint().as_deref(), Some("run it again"));
}

#[test]
fn a_goal_reached_when_the_signal_comes_is_done() {
    let mut s = Script::ready(1, false);
    s.listed(0, vec![statefulset("cassandra", 1, 1)], ready_pods(1));
    s.feed(0, Input::Interrupt);
    assert!(is_done(&s.verdict(0)));
}

// --- changes under the wait ---------------------------------------------------------------------

#[test]
fn a_statefulset_deleted_under_the_wait_ends_it_at_once() {
    let mut s = Script::ready(3, false);
    s.listed(0, vec![statefulset("cassandra", 3, 1)], ready_pods(1));
    s.feed(
        5,
        Input::StatefulSet(Box::new(Watch::Delete(statefulset("cassandra", 3, 1)))),
    );
    let error = failure(s.verdict(5));
    assert!(matches!(error, Error::Changed { .. }));
    assert!(
        error
            .to_string()
            .contains("StatefulSet cassandra was deleted")
    );
}

#[test]
fn replicas_changed_by_another_manager_end_the_wait_naming_it() {
    let mut s = Script::ready(4, false);
    s.listed(0, vec![statefulset("cassandra", 4, 3)], ready_pods(3));
    let mut changed = statefulset("cassandra", 2, 3);
    changed.metadata.managed_fields = Some(vec![ManagedFieldsEntry {
        manager: Some("kubectl".into()),
        operation: Some("Update".into()),
        subresource: Some("scale".into()),
        fields_v1: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::FieldsV1(
            serde_json::json!({"f:spec": {"f:replicas": {}}}),
        )),
        time: Some(Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH)),
        ..Default::default()
    }]);
    s.set(4, changed);
    let error = failure(s.verdict(4));
    assert!(matches!(error, Error::Changed { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "spec.replicas of StatefulSet cassandra was changed to 2 by kubectl while this command waited for 4"
    );
}

#[test]
fn a_down_node_that_no_pod_stands_for_is_a_ghost_once_every_pod_is_up() {
    let mut s = Script::ready(2, true);
    s.listed(0, vec![statefulset("cassandra", 2, 2)], ready_pods(2));
    s.effects(0);
    s.ring(
        1,
        &[("UN", "10.0.0.1"), ("DN", "10.0.0.9"), ("UN", "10.0.0.2")],
    );
    let error = failure(s.verdict(1));
    let Error::Ghost {
        nodes,
        namespace,
        name,
    } = &error
    else {
        panic!("expected a ghost, got {error:?}")
    };
    assert_eq!(nodes[0].address, "10.0.0.9");
    assert_eq!((namespace.as_str(), name.as_str()), ("shop", "cassandra"));
    assert!(
        error
            .hint()
            .unwrap_or_default()
            .contains("casctl nodetool -n shop --name cassandra -- removenode 00000001-")
    );
}

#[test]
fn a_down_node_of_a_pod_still_joining_is_waited_for() {
    let mut s = Script::ready(2, true);
    // cassandra-1 is Ready by the probe, but the asked node still sees it down: not a ghost.
    s.listed(0, vec![statefulset("cassandra", 2, 2)], ready_pods(2));
    s.effects(0);
    s.ring(1, &[("UN", "10.0.0.1"), ("DN", "10.0.0.2")]);
    assert!(matches!(s.verdict(1), Verdict::Waiting));
}

// --- teardown -----------------------------------------------------------------------------------

fn gone(keep: u32, selectors: usize, watch_sets: bool) -> Script {
    Script::new(
        Goal::Gone {
            sets: vec![Set::new("cassandra", keep)],
            watch_sets,
        },
        selectors,
        60,
    )
}

#[test]
fn gone_waits_for_every_pod_at_or_above_the_ordinal_and_says_which() {
    let mut s = gone(2, 1, false);
    s.listed(0, vec![], ready_pods(3));
    assert!(matches!(s.verdict(0), Verdict::Waiting));
    assert_eq!(s.notes(), vec!["waiting for cassandra-2 to terminate"]);
    s.feed(
        2,
        Input::Pod {
            selector: 0,
            event: Box::new(Watch::Delete(pod(2, true))),
        },
    );
    assert!(is_done(&s.verdict(2)));
}

#[test]
fn gone_over_several_selectors_needs_every_watch_listed_and_empty() {
    let mut s = gone(0, 2, false);
    list(&mut s, 0, vec![pod(0, true)], |event| Input::Pod {
        selector: 0,
        event,
    });
    assert!(
        matches!(s.verdict(0), Verdict::Waiting),
        "selector 1 not listed yet"
    );
    list(&mut s, 0, vec![pod(0, true)], |event| Input::Pod {
        selector: 1,
        event,
    });
    s.feed(
        1,
        Input::Pod {
            selector: 0,
            event: Box::new(Watch::Delete(pod(0, true))),
        },
    );
    s.feed(
        1,
        Input::Pod {
            selector: 1,
            event: Box::new(Watch::Delete(pod(0, true))),
        },
    );
    assert!(is_done(&s.verdict(1)));
}

#[test]
fn a_relist_after_a_lost_watch_forgets_pods_deleted_meanwhile() {
    let mut s = gone(0, 1, false);
    s.listed(0, vec![], ready_pods(2));
    assert!(matches!(s.verdict(0), Verdict::Waiting));
    // The watch broke (API server restart) and listed again: both pods went meanwhile.
    list(&mut s, 12, Vec::<Pod>::new(), |event| Input::Pod {
        selector: 0,
        event,
    });
    assert!(is_done(&s.verdict(12)));
}

#[test]
fn gone_times_out_naming_the_pods_still_terminating() {
    let mut s = gone(0, 1, false);
    s.listed(0, vec![], vec![pod(0, true)]);
    let error = failure(s.verdict(60));
    assert!(matches!(error, Error::TimedOut { .. }), "{error:?}");
    assert!(
        error.to_string().contains("cassandra-0 to terminate"),
        "{error}"
    );
    assert!(
        error
            .hint()
            .unwrap_or_default()
            .contains("nothing more was deleted")
    );
}

#[test]
fn a_scale_down_step_ends_when_replicas_are_raised_under_it() {
    let mut s = gone(3, 1, true);
    s.listed(0, vec![statefulset("cassandra", 3, 3)], ready_pods(4));
    assert!(matches!(s.verdict(0), Verdict::Waiting));
    s.set(2, statefulset("cassandra", 5, 3));
    assert!(matches!(failure(s.verdict(2)), Error::Changed { .. }));
}

#[test]
fn claims_gone_waits_until_the_claims_are_deleted() {
    let names = vec!["cassandra-data-cassandra-0".to_owned()];
    let mut s = Script::new(
        Goal::ClaimsGone {
            names: names.clone(),
        },
        1,
        60,
    );
    let claim = PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some(names[0].clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    assert!(matches!(s.verdict(0), Verdict::Waiting), "not listed yet");
    list(&mut s, 0, vec![claim.clone()], |event| Input::Claim {
        selector: 0,
        event,
    });
    assert!(matches!(s.verdict(0), Verdict::Waiting));
    s.feed(
        1,
        Input::Claim {
            selector: 0,
            event: Box::new(Watch::Delete(claim)),
        },
    );
    assert!(is_done(&s.verdict(1)));
}

// --- decommission -------------------------------------------------------------------------------

fn left() -> Script {
    leaving(false)
}

fn leaving(resume: bool) -> Script {
    Script::new(
        Goal::Left {
            sets: vec!["cassandra".into()],
            pod: "cassandra-2".into(),
            address: ip(2),
            resume,
        },
        1,
        1800,
    )
}

#[test]
fn resuming_a_decommission_waits_for_the_leaving_node_without_running_it_again() {
    let mut s = leaving(true);
    s.listed(0, vec![], ready_pods(3));
    let effects = s.effects(0);
    assert!(!effects.contains(&Effect::RunAction), "{effects:?}");
    assert!(effects.contains(&Effect::AskStreams {
        pod: "cassandra-2".into()
    }));
    s.feed(1, streams("LEAVING", Some((5, 10))));
    assert!(!s.effects(1).contains(&Effect::RunAction));
    s.ring(2, &rows(&un_rows(2)));
    assert!(is_done(&s.verdict(2)));
}

pub(super) fn streams(mode: &str, bytes: Option<(u64, u64)>) -> Input {
    Input::Streams {
        pod: "cassandra-2".into(),
        answer: Ok(Streams {
            mode: crate::cassandra::netstats::OperationMode::parse(mode),
            bytes,
        }),
    }
}

pub(super) fn exited(code: i32, stdout: &str) -> Input {
    Input::Action(ActionEnd::Exited {
        code,
        stdout: stdout.into(),
        stderr: String::new(),
    })
}

#[test]
fn a_decommission_runs_once_then_the_ring_must_lose_the_node() {
    let mut s = left();
    s.listed(0, vec![], ready_pods(3));
    let effects = s.effects(0);
    assert!(effects.contains(&Effect::RunAction));
    assert!(effects.contains(&Effect::AskStreams {
        pod: "cassandra-2".into()
    }));
    assert!(!s.effects(1).contains(&Effect::RunAction), "run once");
    s.feed(8, exited(0, ""));
    assert!(matches!(s.verdict(8), Verdict::Waiting));
    assert!(s.effects(8).contains(&Effect::AskRing {
        pod: "cassandra-0".into()
    }));
    s.ring(9, &rows(&un_rows(2)));
    assert!(is_done(&s.verdict(9)));
}

#[test]
fn a_node_still_listed_after_the_decommission_is_waited_for() {
    let mut s = left();
    s.listed(0, vec![], ready_pods(3));
    s.effects(0);
    s.feed(8, exited(0, ""));
    s.effects(8);
    let mut leaving = un_rows(2);
    leaving.push(("UL", ip(2)));
    s.ring(9, &rows(&leaving));
    assert!(
        s.notes()
            .iter()
            .any(|n| n == "ring: cassandra-2 (10.0.0.3) is UL")
    );
    assert!(matches!(s.verdict(9), Verdict::Waiting));
}

#[test]
fn cassandras_refusal_is_reported_verbatim() {
    let mut s = left();
    s.listed(0, vec![], ready_pods(3));
    s.effects(0);
    s.feed(2, exited(1, REFUSAL));
    let error = failure(s.verdict(2));
    let Error::Refused { sentence, .. } = &error else {
        panic!("expected a refusal, got {error:?}")
    };
    assert_eq!(
        sentence,
        "Unsupported operation: Not enough live nodes to maintain replication factor in keyspace system_distributed (RF = 3, N = 3). Perform a forceful decommission to ignore."
    );
    assert!(
        error
            .hint()
            .unwrap_or_default()
            .contains("nothing was removed")
    );
}

#[test]
fn another_failure_quotes_the_output() {
    let mut s = left();
    s.listed(0, vec![], ready_pods(3));
    s.effects(0);
    s.feed(2, exited(2, "error: something else"));
    let error = failure(s.verdict(2));
    assert!(matches!(error, Error::Exec { code: 2, .. }), "{error:?}");
}

#[test]
fn a_lost_connection_with_the_node_still_leaving_never_runs_a_second_decommission() {
    let mut s = left();
    s.listed(0, vec![], ready_pods(3));
    s.effects(0);
    s.feed(1, streams("LEAVING", None));
    s.feed(3, Input::Action(ActionEnd::Lost("connection reset".into())));
    let asked = s.effects(3);
    assert!(
        asked.contains(&Effect::AskStreams {
            pod: "cassandra-2".into()
        }),
        "{asked:?}"
    );
    assert!(
        asked.contains(&Effect::AskRing {
            pod: "cassandra-0".into()
        }),
        "{asked:?}"
    );
    s.feed(
        4,
        Input::Streams {
            pod: "cassandra-2".into(),
            answer: Ok(Streams {
                mode: crate::cassandra::netstats::OperationMode::Leaving,
                bytes: Some((10, 100)),
            }),
        },
    );
    assert!(!s.effects(4).contains(&Effect::RunAction));
    assert!(s.wait.take_progress().contains(&Progress::Streaming {
        pod: "cassandra-2".into(),
        done: 10,
        total: 100
    }));
    // The node leaves; the ring no longer lists it.
    s.ring(6, &rows(&un_rows(2)));
    assert!(is_done(&s.verdict(6)));
}

#[test]
fn a_lost_connection_with_the_node_normal_runs_the_decommission_again() {
    let mut s = left();
    s.listed(0, vec![], ready_pods(3));
    s.effects(0);
    s.feed(1, streams("NORMAL", None));
    s.feed(
        3,
        Input::Action(ActionEnd::Lost("API server restarted".into())),
    );
    s.effects(3);
    s.feed(4, streams("NORMAL", None));
    assert!(s.effects(4).contains(&Effect::RunAction));
}

#[test]
fn a_decommission_that_outlives_the_budget_says_it_goes_on() {
    let mut s = left();
    s.listed(0, vec![], ready_pods(3));
    s.effects(0);
    let error = failure(s.verdict(1800));
    assert!(matches!(error, Error::TimedOut { .. }), "{error:?}");
    assert_eq!(
        error.to_string().lines().next(),
        Some("the decommission of cassandra-2 did not complete within 30m")
    );
    assert!(error.hint().unwrap_or_default().contains("goes on"));
}

#[test]
fn events_are_kept_for_the_diagnosis() {
    let mut s = Script::ready(1, false);
    s.listed(0, vec![statefulset("cassandra", 1, 0)], vec![]);
    s.verdict(0);
    let event = Event {
        metadata: ObjectMeta {
            name: Some("cassandra.1".into()),
            ..Default::default()
        },
        involved_object: ObjectReference {
            kind: Some("StatefulSet".into()),
            name: Some("cassandra".into()),
            ..Default::default()
        },
        reason: Some("FailedCreate".into()),
        message: Some("pods \"cassandra-0\" is forbidden: violates PodSecurity".into()),
        ..Default::default()
    };
    s.feed(1, Input::Event(Box::new(Watch::Apply(event))));
    assert!(matches!(s.verdict(16), Verdict::Stalled));
    assert!(s.notes()[0].starts_with("waiting: the StatefulSet cannot create pods"));
}

// --- racks: several StatefulSets, one ring -------------------------------------------------------

/// A Ready pod of any set, on a node, with this IP.
fn named(name: &str, ip: &str, ready: bool) -> Pod {
    let mut pod = crate::testing::pod(name, Some(ip), ready);
    pod.spec = Some(PodSpec {
        node_name: Some("node-1".into()),
        ..Default::default()
    });
    if let Some(status) = pod.status.as_mut() {
        status.phase = Some("Running".into());
    }
    pod
}

fn racks(sizes: &[(&str, u32)], ring: bool) -> Script {
    Script::new(
        Goal::Ready {
            sets: sizes.iter().map(|(s, n)| Set::new(*s, *n)).collect(),
            ring,
        },
        1,
        600,
    )
}

#[test]
fn a_ring_with_racks_is_complete_when_every_rack_and_the_whole_ring_are() {
    let mut s = racks(
        &[("cassandra-a", 1), ("cassandra-b", 1), ("cassandra-c", 0)],
        true,
    );
    s.listed(
        0,
        vec![
            statefulset("cassandra-a", 1, 1),
            statefulset("cassandra-b", 1, 0),
            statefulset("cassandra-c", 0, 0),
        ],
        vec![named("cassandra-a-0", "10.0.0.1", true)],
    );
    assert!(matches!(s.verdict(0), Verdict::Waiting));
    assert!(s.effects(0).is_empty(), "cassandra-b-0 is not there yet");
    s.pod(2, named("cassandra-b-0", "10.0.0.2", true));
    assert_eq!(
        s.effects(2),
        vec![Effect::AskRing {
            pod: "cassandra-a-0".into()
        }]
    );
    s.ring(3, &[("UN", "10.0.0.1")]);
    s.set(3, statefulset("cassandra-b", 1, 1));
    assert!(
        matches!(s.verdict(3), Verdict::Waiting),
        "one node of two in the ring"
    );
    s.effects(5);
    s.ring(5, &[("UN", "10.0.0.1"), ("UN", "10.0.0.2")]);
    assert!(is_done(&s.verdict(5)));
}

#[test]
fn a_leaving_node_alone_in_its_rack_is_seen_leaving_from_another_rack() {
    let mut s = Script::new(
        Goal::Left {
            sets: vec!["cassandra-a".into(), "cassandra-b".into()],
            pod: "cassandra-b-0".into(),
            address: "10.0.0.2".into(),
            resume: false,
        },
        1,
        600,
    );
    s.listed(
        0,
        vec![],
        vec![
            named("cassandra-a-0", "10.0.0.1", true),
            named("cassandra-b-0", "10.0.0.2", true),
        ],
    );
    s.effects(0);
    s.feed(4, exited(0, ""));
    assert!(s.effects(4).contains(&Effect::AskRing {
        pod: "cassandra-a-0".into()
    }));
    s.ring(5, &[("UN", "10.0.0.1")]);
    assert!(is_done(&s.verdict(5)));
}

// --- restart ---------------------------------------------------------------------------------------

pub(super) fn with_uid(mut pod: Pod, uid: &str) -> Pod {
    pod.metadata.uid = Some(uid.into());
    pod
}

fn terminating(mut pod: Pod) -> Pod {
    pod.metadata.deletion_timestamp = Some(Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH));
    pod
}

fn restarted(whole: bool) -> Script {
    Script::new(
        Goal::Restarted {
            sets: vec![Set::new("cassandra", 3)],
            pod: "cassandra-2".into(),
            uid: "old".into(),
            whole,
        },
        1,
        600,
    )
}

#[test]
fn a_restart_waits_for_a_new_pod_and_then_for_the_whole_ring() {
    let mut s = restarted(true);
    // A list from a lagging cache still shows the drained pod Ready, not deleted.
    let old = with_uid(pod(2, true), "old");
    s.listed(
        0,
        vec![statefulset("cassandra", 3, 3)],
        vec![pod(0, true), pod(1, true), old.clone()],
    );
    s.effects(0);
    s.ring(1, &rows(&un_rows(3)));
    assert!(
        matches!(s.verdict(1), Verdict::Waiting),
        "the old pod answered for the node: not done"
    );
    s.pod(2, terminating(old.clone()));
    s.feed(
        4,
        Input::Pod {
            selector: 0,
            event: Box::new(Watch::Delete(old)),
        },
    );
    s.pod(5, with_uid(pod(2, false), "new"));
    assert!(matches!(s.verdict(5), Verdict::Waiting));
    assert!(
        s.effects(5)
            .iter()
            .all(|e| !matches!(e, Effect::AskRing { .. })),
        "not asked while the new pod is not Ready"
    );
    s.pod(7, with_uid(pod(2, true), "new"));
    assert!(
        matches!(s.verdict(7), Verdict::Waiting),
        "the ring answer from before the restart no longer counts"
    );
    assert_eq!(
        s.effects(7),
        vec![Effect::AskRing {
            pod: "cassandra-0".into()
        }]
    );
    let mut down = un_rows(2);
    down.push(("DN", ip(2)));
    s.ring(8, &rows(&down));
    assert!(matches!(s.verdict(8), Verdict::Waiting));
    s.effects(10);
    s.ring(10, &rows(&un_rows(3)));
    assert!(is_done(&s.verdict(10)));
}

#[test]
fn a_signal_during_a_restart_ends_the_wait_only_once_the_node_is_back() {
    let mut s = restarted(true);
    s.listed(
        0,
        vec![statefulset("cassandra", 3, 2)],
        vec![pod(0, true), pod(1, true)],
    );
    s.feed(1, Input::Interrupt);
    assert!(matches!(s.verdict(1), Verdict::Waiting));
    assert_eq!(
        s.notes(),
        ["stopping once cassandra-2 is back in the ring (a second Ctrl-C stops at once)"]
    );
    s.pod(3, with_uid(pod(2, true), "new"));
    s.set(3, statefulset("cassandra", 3, 3));
    s.effects(3);
    s.ring(4, &rows(&un_rows(3)));
    assert!(is_done(&s.verdict(4)));
}

#[test]
fn a_forced_restart_waits_only_for_the_restarted_node() {
    let mut s = restarted(false);
    // cassandra-1 is down for its own reasons: --force restarts the others anyway.
    s.listed(
        0,
        vec![statefulset("cassandra", 3, 1)],
        vec![pod(0, true), pod(1, false), with_uid(pod(2, true), "new")],
    );
    assert_eq!(
        s.effects(0),
        vec![Effect::AskRing {
            pod: "cassandra-0".into()
        }]
    );
    s.ring(
        1,
        &[("UN", "10.0.0.1"), ("DN", "10.0.0.2"), ("UJ", "10.0.0.3")],
    );
    assert!(
        s.notes()
            .contains(&"ring: cassandra-2 (10.0.0.3) is UJ".to_owned())
    );
    assert!(matches!(s.verdict(1), Verdict::Waiting));
    s.effects(3);
    s.ring(
        3,
        &[("UN", "10.0.0.1"), ("DN", "10.0.0.2"), ("UN", "10.0.0.3")],
    );
    assert!(is_done(&s.verdict(3)));
}

#[test]
fn a_restart_that_outlives_the_budget_says_the_pod_comes_back_by_itself() {
    let mut s = restarted(true);
    s.listed(
        0,
        vec![statefulset("cassandra", 3, 2)],
        vec![
            pod(0, true),
            pod(1, true),
            terminating(with_uid(pod(2, true), "old")),
        ],
    );
    let error = failure(s.verdict(600));
    assert!(
        error
            .to_string()
            .starts_with("the restart of cassandra-2 did not complete within 10m"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("cassandra-2 to be replaced by a new pod")
    );
    assert!(
        error
            .hint()
            .unwrap_or_default()
            .contains("run the same restart again")
    );
}

#[test]
fn successive_waits_show_each_pods_stage_once() {
    #[derive(Default)]
    struct Lines(Vec<String>);
    impl Sink for Lines {
        fn show(&mut self, progress: Progress) {
            if let Progress::Pod { name, stage, .. } = progress {
                self.0.push(format!("{name} {stage}"));
            }
        }
    }
    let mut sink =
        Continued::new(Lines::default()).known(&[named("cassandra-c-0", "10.0.0.3", true)]);
    let ready = |name: &str| Progress::Pod {
        name: name.into(),
        stage: PodStage::Ready,
        detail: String::new(),
    };
    sink.show(ready("cassandra-a-0"));
    sink.show(ready("cassandra-a-0"));
    sink.show(ready("cassandra-b-0"));
    sink.show(ready("cassandra-c-0"));
    sink.show(Progress::Pod {
        name: "cassandra-a-0".into(),
        stage: PodStage::Terminating,
        detail: String::new(),
    });
    sink.show(ready("cassandra-a-0"));
    assert_eq!(
        sink.sink.0,
        [
            "cassandra-a-0 Ready",
            "cassandra-b-0 Ready",
            "cassandra-a-0 Terminating",
            "cassandra-a-0 Ready"
        ]
    );
}
