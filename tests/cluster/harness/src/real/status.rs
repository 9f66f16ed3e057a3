//! The status of a real pod, as a kubelet reports it: the Ready conditions and the container's
//! state (running, waiting in CrashLoopBackOff, terminated), restart count and last state.

use k8s_openapi::api::core::v1::Pod;
use serde_json::{Value, json};

/// How a container ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Terminated {
    pub exit_code: i32,
    pub reason: String,
    pub started_at: String,
    pub finished_at: String,
}

/// The container's state now.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    Running { started_at: String },
    Waiting { reason: String, message: String },
}

/// What the daemon reports about a real pod's (first) container.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub state: State,
    pub ready: bool,
    pub restart_count: i32,
    pub last: Option<Terminated>,
    pub container_id: String,
}

/// The reason a kubelet gives a container that exited with `code`.
pub fn exit_reason(code: i32) -> &'static str {
    if code == 0 { "Completed" } else { "Error" }
}

fn terminated_json(t: &Terminated, container_id: &str) -> Value {
    json!({
        "exitCode": t.exit_code,
        "reason": t.reason,
        "startedAt": t.started_at,
        "finishedAt": t.finished_at,
        "containerID": container_id,
    })
}

/// A strategic-merge patch of the pod's status: the Ready and ContainersReady conditions (their
/// transition time kept unless they change) and the whole list of container statuses, the
/// first container's replaced by `report`.
pub fn patch(pod: &Pod, report: &Report, now: &str) -> Value {
    let status = pod.status.clone().unwrap_or_default();
    let truth = if report.ready { "True" } else { "False" };
    let conditions: Vec<Value> = ["Ready", "ContainersReady"]
        .iter()
        .map(|type_| {
            let old = status
                .conditions
                .iter()
                .flatten()
                .find(|c| c.type_ == *type_);
            let since = match old {
                Some(c) if c.status == truth => c
                    .last_transition_time
                    .as_ref()
                    .and_then(|t| serde_json::to_value(t).ok())
                    .unwrap_or_else(|| json!(now)),
                _ => json!(now),
            };
            let mut condition =
                json!({"type": type_, "status": truth, "lastTransitionTime": since});
            if !report.ready {
                condition["reason"] = json!("ContainersNotReady");
                condition["message"] = json!(format!(
                    "containers with unready status: [{}]",
                    first_container(pod)
                ));
            } else {
                condition["reason"] = Value::Null;
                condition["message"] = Value::Null;
            }
            condition
        })
        .collect();
    let containers = status
        .container_statuses
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let mut value = serde_json::to_value(&c).unwrap_or(Value::Null);
            if i == 0 {
                apply(&mut value, report);
            }
            value
        })
        .collect::<Vec<Value>>();
    json!({"status": {"conditions": conditions, "containerStatuses": containers}})
}

fn apply(container: &mut Value, report: &Report) {
    let state = match &report.state {
        State::Running { started_at } => json!({"running": {"startedAt": started_at}}),
        State::Waiting { reason, message } => {
            json!({"waiting": {"reason": reason, "message": message}})
        }
    };
    container["state"] = state;
    container["ready"] = json!(report.ready);
    container["started"] = json!(matches!(report.state, State::Running { .. }));
    container["restartCount"] = json!(report.restart_count);
    container["containerID"] = json!(report.container_id);
    container["lastState"] = match &report.last {
        Some(t) => json!({"terminated": terminated_json(t, &report.container_id)}),
        None => json!({}),
    };
}

fn first_container(pod: &Pod) -> String {
    pod.spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": "c-0"},
            "spec": {"containers": [{"name": "cassandra"}, {"name": "sidecar"}]},
            "status": {
                "conditions": [
                    {"type": "Ready", "status": "False", "lastTransitionTime": "2026-01-01T00:00:00Z"},
                    {"type": "ContainersReady", "status": "False", "lastTransitionTime": "2026-01-01T00:00:00Z"}
                ],
                "containerStatuses": [
                    {"name": "cassandra", "image": "cassandra:v13", "imageID": "x", "ready": false,
                     "restartCount": 0, "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}},
                    {"name": "sidecar", "image": "s", "imageID": "s", "ready": true, "restartCount": 0}
                ]
            }
        }))
        .unwrap()
    }

    #[test]
    fn ready_changes_the_conditions_and_only_the_first_container() {
        let report = Report {
            state: State::Running {
                started_at: "2026-01-01T00:00:00Z".into(),
            },
            ready: true,
            restart_count: 0,
            last: None,
            container_id: "kwok://u-0".into(),
        };
        let p = patch(&pod(), &report, "2026-01-01T00:01:00Z");
        let conditions = p["status"]["conditions"].as_array().unwrap();
        assert_eq!(conditions[0]["status"], "True");
        assert_eq!(conditions[0]["lastTransitionTime"], "2026-01-01T00:01:00Z");
        let containers = p["status"]["containerStatuses"].as_array().unwrap();
        assert_eq!(containers[0]["ready"], true);
        assert_eq!(containers[0]["image"], "cassandra:v13");
        assert_eq!(containers[1]["name"], "sidecar");
    }

    #[test]
    fn a_crash_loop_shows_the_last_exit_and_the_back_off() {
        let last = Terminated {
            exit_code: 3,
            reason: exit_reason(3).into(),
            started_at: "2026-01-01T00:00:00Z".into(),
            finished_at: "2026-01-01T00:00:05Z".into(),
        };
        let report = Report {
            state: State::Waiting {
                reason: "CrashLoopBackOff".into(),
                message: "back-off 10s restarting failed container=cassandra pod=c-0_ns(u)".into(),
            },
            ready: false,
            restart_count: 1,
            last: Some(last),
            container_id: "kwok://u-1".into(),
        };
        let p = patch(&pod(), &report, "2026-01-01T00:00:06Z");
        let c = &p["status"]["containerStatuses"][0];
        assert_eq!(c["state"]["waiting"]["reason"], "CrashLoopBackOff");
        assert_eq!(c["lastState"]["terminated"]["exitCode"], 3);
        assert_eq!(c["lastState"]["terminated"]["reason"], "Error");
        assert_eq!(c["restartCount"], 1);
        assert_eq!(c["started"], false);
        // Still not Ready: the transition time is kept.
        assert_eq!(
            p["status"]["conditions"][0]["lastTransitionTime"],
            "2026-01-01T00:00:00Z"
        );
        assert_eq!(
            p["status"]["conditions"][0]["message"],
            "containers with unready status: [cassandra]"
        );
    }
}
