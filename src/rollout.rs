//! The completion rule and the stuck-pod diagnosis, as pure functions of observed objects.
//!
//! `up` and `scale` feed these with what their watches saw; tests feed them objects built in
//! the test.

use std::fmt;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ContainerStatus, Event, PersistentVolumeClaim, Pod};
use kube::ResourceExt;

use crate::nodetool::RingStatus;

/// How far a pod has come, in the order the tutorial shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum PodStage {
    /// Not created yet (the StatefulSet creates pods one after another).
    Missing,
    /// Created, not yet on a node.
    Pending,
    /// Bound to a node, containers not running yet.
    Scheduled,
    /// Containers running, not Ready yet.
    Running,
    Ready,
    /// Being deleted.
    Terminating,
}

impl fmt::Display for PodStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PodStage::Missing => "not created",
            PodStage::Pending => "Pending",
            PodStage::Scheduled => "scheduled",
            PodStage::Running => "Running",
            PodStage::Ready => "Ready",
            PodStage::Terminating => "Terminating",
        })
    }
}

pub(crate) fn pod_stage(pod: Option<&Pod>) -> PodStage {
    let Some(pod) = pod else {
        return PodStage::Missing;
    };
    if pod.metadata.deletion_timestamp.is_some() {
        return PodStage::Terminating;
    }
    if is_ready(pod) {
        return PodStage::Ready;
    }
    let status = pod.status.as_ref();
    if status.and_then(|s| s.phase.as_deref()) == Some("Running") {
        return PodStage::Running;
    }
    let scheduled = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_ref())
        .is_some();
    if scheduled {
        PodStage::Scheduled
    } else {
        PodStage::Pending
    }
}

/// The pod's Ready condition is True.
pub(crate) fn is_ready(pod: &Pod) -> bool {
    condition(pod, "Ready").is_some_and(|c| c.status == "True")
}

fn condition<'a>(pod: &'a Pod, kind: &str) -> Option<&'a k8s_openapi::api::core::v1::PodCondition> {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == kind))
}

/// The ordinal of a StatefulSet pod (`cassandra-2` → 2).
pub(crate) fn ordinal(name: &str, pod: &str) -> Option<u32> {
    pod.strip_prefix(name)?.strip_prefix('-')?.parse().ok()
}

/// The ordinal of a pod of the StatefulSet `name`; `None` for any other pod.
pub(crate) fn pod_ordinal(name: &str, pod: &Pod) -> Option<u32> {
    ordinal(name, pod.metadata.name.as_deref()?)
}

/// The StatefulSet's desired replicas (`spec.replicas`, which defaults to 1).
pub(crate) fn replicas(sts: &StatefulSet) -> u32 {
    let replicas = sts.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    u32::try_from(replicas).unwrap_or(0)
}

/// How often the pod's containers restarted, in all.
pub(crate) fn restarts(pod: &Pod) -> i32 {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map_or(0, |cs| cs.iter().map(|c| c.restart_count).sum())
}

/// The data claim a pod of the ring mounts, by its volume.
pub(crate) fn claim_of(pod: &str, pods: &[Pod]) -> Option<String> {
    let pod = pods
        .iter()
        .find(|p| p.metadata.name.as_deref() == Some(pod))?;
    pod.spec
        .as_ref()?
        .volumes
        .iter()
        .flatten()
        .find_map(|v| Some(v.persistent_volume_claim.as_ref()?.claim_name.clone()))
}

/// The manager that last set `spec.replicas` (from `managedFields`), to say who changed it.
pub(crate) fn replicas_manager(sts: &StatefulSet) -> Option<String> {
    sts.metadata
        .managed_fields
        .iter()
        .flatten()
        .filter(|f| {
            f.fields_v1
                .as_ref()
                .and_then(|v| v.0.get("f:spec")?.get("f:replicas"))
                .is_some()
        })
        .max_by_key(|f| f.time.as_ref().map(|t| t.0))
        .and_then(|f| f.manager.clone())
}

/// The pod to ask about the ring: the lowest-ordinal Ready pod not being deleted, pod 0 of the
/// first set preferred (the seed), skipping `except` (a node being decommissioned cannot report
/// its own departure).
pub(crate) fn pick_pod<'a>(
    sets: &[&str],
    pods: &'a [Pod],
    except: Option<&str>,
) -> Option<&'a Pod> {
    pods.iter()
        .filter(|p| is_ready(p) && p.metadata.deletion_timestamp.is_none())
        .filter(|p| p.metadata.name.as_deref() != except)
        .filter_map(|p| {
            let name = p.metadata.name.as_deref()?;
            sets.iter()
                .enumerate()
                .find_map(|(i, set)| Some((ordinal(set, name)?, i, p)))
        })
        .min_by_key(|(ordinal, set, _)| (*ordinal, *set))
        .map(|(_, _, p)| p)
}

/// The StatefulSet's part of the completion rule: what is still awaited, empty when complete.
pub(crate) fn workload_pending(sts: &StatefulSet, pods: &[Pod], replicas: u32) -> Vec<String> {
    let mut pending = Vec::new();
    let name = &sts.name_any();
    let spec = sts.spec.as_ref();
    let status = sts.status.clone().unwrap_or_default();
    let wanted = spec.and_then(|s| s.replicas).unwrap_or(1);
    if wanted != replicas as i32 {
        pending.push(format!("spec.replicas is {wanted}, expected {replicas}"));
    }
    let generation = sts.metadata.generation.unwrap_or(0);
    if status.observed_generation.unwrap_or(0) < generation {
        pending.push("the StatefulSet controller has not seen the latest change".to_owned());
    }
    let ready = status.ready_replicas.unwrap_or(0);
    if ready != status.replicas || status.replicas != wanted {
        pending.push(format!(
            "{ready}/{wanted} replicas ready ({} exist)",
            status.replicas
        ));
    }
    let partition = spec
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|u| u.rolling_update.as_ref())
        .and_then(|r| r.partition)
        .unwrap_or(0);
    if status.updated_replicas.unwrap_or(0) < status.replicas - partition {
        pending.push(format!(
            "{}/{} replicas updated",
            status.updated_replicas.unwrap_or(0),
            status.replicas - partition
        ));
    }
    if partition == 0 && status.current_revision != status.update_revision {
        pending.push("the rolling update has not finished".to_owned());
    }
    pending.extend(pods_pending(name, pods, replicas));
    pending
}

/// The pods' part of the completion rule: `<name>-0 … <name>-(N-1)` Ready, no surplus pod.
pub(crate) fn pods_pending(name: &str, pods: &[Pod], replicas: u32) -> Vec<String> {
    let mut pending = Vec::new();
    for i in 0..replicas {
        let pod_name = format!("{name}-{i}");
        let pod = pods
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(&pod_name));
        let stage = pod_stage(pod);
        if stage != PodStage::Ready {
            pending.push(format!("{pod_name} is {stage}"));
        }
    }
    for pod in pods {
        let pod_name = &pod.name_any();
        if ordinal(name, pod_name).is_some_and(|o| o >= replicas) {
            pending.push(format!("surplus pod {pod_name} still exists"));
        }
    }
    pending
}

/// The ring's part of the completion rule: exactly `replicas` nodes, all Up/Normal.
pub(crate) fn ring_pending(ring: &RingStatus, replicas: u32) -> Option<String> {
    let nodes: Vec<_> = ring.nodes().map(|(_, n)| n).collect();
    let up_normal = nodes.iter().filter(|n| n.is_up_normal()).count();
    if nodes.len() == replicas as usize && up_normal == nodes.len() {
        return None;
    }
    let others: Vec<String> = nodes
        .iter()
        .filter(|n| !n.is_up_normal())
        .map(|n| format!("{} {}", n.address, n.code()))
        .collect();
    let mut text = format!("ring has {up_normal}/{replicas} nodes UN");
    if nodes.len() != replicas as usize {
        text.push_str(&format!(", {} nodes in all", nodes.len()));
    }
    if !others.is_empty() {
        text.push_str(&format!(" ({})", others.join(", ")));
    }
    Some(text)
}

/// Why a rollout is not progressing, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Diagnosis {
    /// The pod concerned, if any (a FailedCreate concerns the StatefulSet).
    pub(crate) pod: Option<String>,
    pub(crate) problem: String,
    pub(crate) hint: Option<String>,
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pod {
            Some(pod) => write!(f, "{pod}: {}", self.problem),
            None => f.write_str(&self.problem),
        }
    }
}

fn diagnosis(pod: Option<&str>, problem: String, hint: &str) -> Diagnosis {
    Diagnosis {
        pod: pod.map(str::to_owned),
        problem,
        hint: (!hint.is_empty()).then(|| hint.to_owned()),
    }
}

/// Everything the diagnosis looks at, as the watches and lists last saw it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Observed<'a> {
    pub(crate) name: &'a str,
    pub(crate) replicas: u32,
    pub(crate) pods: &'a [Pod],
    pub(crate) claims: &'a [PersistentVolumeClaim],
    /// Recent events of the namespace (any object).
    pub(crate) events: &'a [Event],
}

/// Explains the first thing holding the rollout back: a pod the StatefulSet cannot create,
/// else the lowest-ordinal pod that is not Ready (the controller creates pods in order, so
/// that is the one everything waits for).
pub(crate) fn diagnose(observed: &Observed) -> Option<Diagnosis> {
    if let Some(d) = failed_create(observed) {
        return Some(d);
    }
    let stuck = (0..observed.replicas)
        .map(|i| format!("{}-{i}", observed.name))
        .find(|pod_name| {
            let pod = find_pod(observed.pods, pod_name);
            pod_stage(pod) != PodStage::Ready
        })?;
    match find_pod(observed.pods, &stuck) {
        Some(pod) => Some(diagnose_pod(pod, observed).unwrap_or_else(|| {
            let stage = pod_stage(Some(pod));
            diagnosis(
                Some(&stuck),
                format!("is {stage}, no problem reported yet"),
                "",
            )
        })),
        None => Some(diagnosis(
            Some(&stuck),
            "not created yet by the StatefulSet controller".to_owned(),
            "",
        )),
    }
}

fn find_pod<'a>(pods: &'a [Pod], name: &str) -> Option<&'a Pod> {
    pods.iter()
        .find(|p| p.metadata.name.as_deref() == Some(name))
}

/// The newest event about an object of `kind` named `name` with one of the `reasons`.
fn latest_event<'a>(
    events: &'a [Event],
    kind: &str,
    name: &str,
    reasons: &[&str],
) -> Option<&'a Event> {
    events
        .iter()
        .filter(|e| {
            e.involved_object.kind.as_deref() == Some(kind)
                && e.involved_object.name.as_deref() == Some(name)
                && e.reason.as_deref().is_some_and(|r| reasons.contains(&r))
        })
        .max_by_key(|e| event_time(e))
}

fn event_time(e: &Event) -> Option<k8s_openapi::jiff::Timestamp> {
    e.last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

/// The StatefulSet could not create a pod (Pod Security, quota, webhook…).
fn failed_create(observed: &Observed) -> Option<Diagnosis> {
    let event = latest_event(
        observed.events,
        "StatefulSet",
        observed.name,
        &["FailedCreate"],
    )?;
    let message = event.message.as_deref().unwrap_or("no message");
    let hint = if message.contains("PodSecurity") {
        "the namespace's Pod Security level forbids the pod (IPC_LOCK needs the `privileged` level): \
         label the namespace pod-security.kubernetes.io/enforce=privileged or use another namespace"
    } else if message.contains("exceeded quota") {
        "the namespace's ResourceQuota is too small: lower --cpu/--memory or raise the quota"
    } else {
        ""
    };
    Some(diagnosis(
        None,
        format!("the StatefulSet cannot create pods: {message}"),
        hint,
    ))
}

/// What holds one pod back, from its conditions, container states, claims and events.
pub(crate) fn diagnose_pod(pod: &Pod, observed: &Observed) -> Option<Diagnosis> {
    let name = &pod.name_any();
    if let Some(d) = pending_claim(pod, observed) {
        return Some(d);
    }
    if let Some(cond) = condition(pod, "PodScheduled").filter(|c| c.status == "False") {
        let message = cond.message.as_deref().unwrap_or("no reason given");
        let hint = if message.contains("Insufficient") {
            "the nodes lack the capacity requested: lower --cpu/--memory, or add nodes"
        } else if message.contains("untolerated taint") {
            "every node has a taint the pod does not tolerate"
        } else if message.contains("unbound immediate PersistentVolumeClaims") {
            "the claim was not bound when the scheduler last tried; once it is Bound the scheduler \
             tries again (at the latest after 5 minutes)"
        } else {
            ""
        };
        return Some(diagnosis(
            Some(name),
            format!("unschedulable: {message}"),
            hint,
        ));
    }
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or_default();
    if let Some(d) = statuses.iter().find_map(|c| container_problem(name, c)) {
        return Some(d);
    }
    if pod_stage(Some(pod)) == PodStage::Running {
        let probe = latest_event(observed.events, "Pod", name, &["Unhealthy"]);
        let detail = probe
            .and_then(|e| e.message.as_deref())
            .unwrap_or("the readiness probe has not passed yet");
        return Some(diagnosis(
            Some(name),
            format!("running but not Ready: {detail}"),
            "Cassandra reports Ready once it has joined the ring; a node that cannot reach the seed never does",
        ));
    }
    None
}

/// The pod's data claim is not Bound: say why (from the claim's events).
fn pending_claim(pod: &Pod, observed: &Observed) -> Option<Diagnosis> {
    let name = &pod.name_any();
    let claim_names: Vec<&str> = pod
        .spec
        .as_ref()?
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| v.persistent_volume_claim.as_ref())
        .map(|c| c.claim_name.as_str())
        .collect();
    let claim = observed.claims.iter().find(|c| {
        claim_names.contains(&c.name_any().as_str())
            && c.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Bound")
    })?;
    let claim_name = &claim.name_any();
    let class = claim
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref());
    let why = latest_event(
        observed.events,
        "PersistentVolumeClaim",
        claim_name,
        &[
            "ProvisioningFailed",
            "FailedBinding",
            "ExternalProvisioning",
            "WaitForFirstConsumer",
            "WaitForPodScheduled",
        ],
    )
    .and_then(|e| e.message.as_deref())
    .unwrap_or("no volume has been bound to it yet");
    // `storageClassName: ""` is Kubernetes' "no class": nothing is provisioned, only a volume
    // without a class binds.
    if class == Some("") {
        return Some(diagnosis(
            Some(name),
            format!(
                "claim {claim_name} (no StorageClass) is Pending: it binds only a PersistentVolume with no class, \
                 and none that fits is Available ({why})"
            ),
            "create a PersistentVolume with no storageClassName (of the claim's size and access mode), \
             or pick a class with `casctl up --storage-class CLASS`",
        ));
    }
    let class = class.unwrap_or("(default)");
    Some(diagnosis(
        Some(name),
        format!("claim {claim_name} (StorageClass {class}) is Pending: {why}"),
        "check that the StorageClass exists and can provision volumes (`casctl up --storage-class CLASS`)",
    ))
}

/// Image pull failures, crash loops and other waiting containers.
fn container_problem(pod: &str, status: &ContainerStatus) -> Option<Diagnosis> {
    let waiting = status.state.as_ref()?.waiting.as_ref()?;
    let reason = waiting.reason.as_deref()?;
    let message = waiting.message.as_deref().unwrap_or_default();
    let with_message = |text: &str| match message.is_empty() {
        true => text.to_owned(),
        false => format!("{text}: {message}"),
    };
    match reason {
        "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName" | "ErrImageNeverPull" => {
            Some(diagnosis(
                Some(pod),
                with_message(&format!("cannot pull image {} ({reason})", status.image)),
                "check --image and that the nodes can reach its registry",
            ))
        }
        "CrashLoopBackOff" => {
            let last = status
                .last_state
                .as_ref()
                .and_then(|s| s.terminated.as_ref());
            let exit = last.map_or(String::new(), |t| {
                format!(
                    ", last exit code {} ({})",
                    t.exit_code,
                    t.reason.as_deref().unwrap_or("Error")
                )
            });
            Some(diagnosis(
                Some(pod),
                format!(
                    "crash-looping: restarted {} times{exit}",
                    status.restart_count
                ),
                &format!(
                    "read its log: kubectl logs {pod} --previous (too little memory shows as OOMKilled: raise --memory)"
                ),
            ))
        }
        "ContainerCreating" | "PodInitializing" => None,
        _ => Some(diagnosis(
            Some(pod),
            with_message(&format!("container waiting: {reason}")),
            "",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::{StatefulSetSpec, StatefulSetStatus};
    use k8s_openapi::api::core::v1::{
        ContainerState, ContainerStateTerminated, ContainerStateWaiting, ObjectReference,
        PersistentVolumeClaimSpec, PersistentVolumeClaimStatus, PersistentVolumeClaimVolumeSource,
        PodCondition, PodSpec, Volume,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

    fn ready_pods(n: u32) -> Vec<Pod> {
        (0..n)
            .map(|i| pod(&format!("cassandra-{i}"), true))
            .collect()
    }

    fn pod(name: &str, ready: bool) -> Pod {
        let mut pod = crate::testing::pod(name, None, ready);
        pod.spec = Some(PodSpec {
            node_name: Some("node-1".into()),
            volumes: Some(vec![Volume {
                name: "cassandra-data".into(),
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                    claim_name: format!("cassandra-data-{name}"),
                    read_only: None,
                }),
                ..Default::default()
            }]),
            ..Default::default()
        });
        if let Some(status) = pod.status.as_mut() {
            status.phase = Some("Running".into());
        }
        pod
    }

    fn sts(replicas: i32, ready: i32) -> StatefulSet {
        StatefulSet {
            metadata: ObjectMeta {
                name: Some("cassandra".into()),
                generation: Some(2),
                ..Default::default()
            },
            spec: Some(StatefulSetSpec {
                replicas: Some(replicas),
                ..Default::default()
            }),
            status: Some(StatefulSetStatus {
                observed_generation: Some(2),
                replicas,
                ready_replicas: Some(ready),
                updated_replicas: Some(replicas),
                current_revision: Some("r1".into()),
                update_revision: Some("r1".into()),
                ..Default::default()
            }),
        }
    }

    fn event(kind: &str, name: &str, reason: &str, message: &str) -> Event {
        Event {
            involved_object: ObjectReference {
                kind: Some(kind.into()),
                name: Some(name.into()),
                ..Default::default()
            },
            reason: Some(reason.into()),
            message: Some(message.into()),
            last_timestamp: Some(Time(k8s_openapi::jiff::Timestamp::now())),
            ..Default::default()
        }
    }

    fn observed<'a>(
        pods: &'a [Pod],
        claims: &'a [PersistentVolumeClaim],
        events: &'a [Event],
    ) -> Observed<'a> {
        Observed {
            name: "cassandra",
            replicas: 3,
            pods,
            claims,
            events,
        }
    }

    #[test]
    fn complete_when_every_rule_holds() {
        let pods = ready_pods(3);
        assert!(workload_pending(&sts(3, 3), &pods, 3).is_empty());
    }

    #[test]
    fn a_stale_observed_generation_is_not_complete() {
        let pods = ready_pods(3);
        let mut s = sts(3, 3);
        s.metadata.generation = Some(3);
        let pending = workload_pending(&s, &pods, 3);
        assert!(
            pending.iter().any(|p| p.contains("has not seen")),
            "{pending:?}"
        );
    }

    #[test]
    fn a_surplus_pod_is_not_complete() {
        // `kubectl rollout status` says complete here; casctl waits for cassandra-3 to go.
        let pods = ready_pods(4);
        let pending = workload_pending(&sts(3, 3), &pods, 3);
        assert_eq!(
            pending,
            vec!["surplus pod cassandra-3 still exists".to_owned()]
        );
    }

    #[test]
    fn a_pod_not_ready_and_an_unfinished_update_are_not_complete() {
        let pods = vec![pod("cassandra-0", true), pod("cassandra-1", false)];
        let mut s = sts(3, 1);
        s.status.as_mut().unwrap().update_revision = Some("r2".into());
        let pending = workload_pending(&s, &pods, 3);
        assert!(
            pending.contains(&"cassandra-1 is Running".to_owned()),
            "{pending:?}"
        );
        assert!(
            pending.contains(&"cassandra-2 is not created".to_owned()),
            "{pending:?}"
        );
        assert!(
            pending.iter().any(|p| p.contains("rolling update")),
            "{pending:?}"
        );
        assert!(
            pending.iter().any(|p| p.contains("1/3 replicas ready")),
            "{pending:?}"
        );
    }

    #[test]
    fn a_partition_relaxes_the_revision_rule() {
        let pods = ready_pods(3);
        let mut s = sts(3, 3);
        s.spec.as_mut().unwrap().update_strategy =
            Some(k8s_openapi::api::apps::v1::StatefulSetUpdateStrategy {
                rolling_update: Some(
                    k8s_openapi::api::apps::v1::RollingUpdateStatefulSetStrategy {
                        partition: Some(2),
                        ..Default::default()
                    },
                ),
                ..Default::default()
            });
        let status = s.status.as_mut().unwrap();
        status.update_revision = Some("r2".into());
        status.updated_replicas = Some(1);
        assert!(workload_pending(&s, &pods, 3).is_empty());
    }

    #[test]
    fn the_ring_must_have_exactly_n_up_normal_nodes() {
        let ring = |rows: &str| {
            crate::nodetool::parse_status(&format!(
                "Datacenter: dc1\n===============\nStatus=Up/Down\n|/ State=Normal/Leaving/Joining/Moving\n--  Address    Load       Tokens  Owns (effective)  Host ID                               Rack\n{rows}\n"
            ))
            .unwrap()
        };
        let un = |ip: &str| {
            format!("UN  {ip}  1 KiB  32  100.0%  11111111-1111-1111-1111-111111111111  r1")
        };
        let three = ring(&[un("10.0.0.1"), un("10.0.0.2"), un("10.0.0.3")].join("\n"));
        assert_eq!(ring_pending(&three, 3), None);
        assert_eq!(
            ring_pending(&three, 4).unwrap(),
            "ring has 3/4 nodes UN, 3 nodes in all"
        );
        let with_dn = ring(
            &[
                un("10.0.0.1"),
                un("10.0.0.2"),
                un("10.0.0.3").replacen("UN", "DN", 1),
            ]
            .join("\n"),
        );
        assert_eq!(
            ring_pending(&with_dn, 3).unwrap(),
            "ring has 2/3 nodes UN (10.0.0.3 DN)"
        );
    }

    #[test]
    fn ordinals_come_from_the_name() {
        assert_eq!(ordinal("cassandra", "cassandra-12"), Some(12));
        assert_eq!(ordinal("cassandra", "cassandra-x"), None);
        assert_eq!(ordinal("cassandra", "other-1"), None);
        assert_eq!(ordinal("ring", "ring-2-1"), None);
    }

    #[test]
    fn unschedulable_names_the_scheduler_reason() {
        let mut p = pod("cassandra-0", false);
        p.spec.as_mut().unwrap().node_name = None;
        let status = p.status.as_mut().unwrap();
        status.phase = Some("Pending".into());
        status.conditions = Some(vec![PodCondition {
            type_: "PodScheduled".into(),
            status: "False".into(),
            reason: Some("Unschedulable".into()),
            message: Some("0/4 nodes are available: 4 Insufficient cpu.".into()),
            ..Default::default()
        }]);
        let pods = [p];
        let d = diagnose(&observed(&pods, &[], &[])).unwrap();
        assert_eq!(d.pod.as_deref(), Some("cassandra-0"));
        assert_eq!(
            d.problem,
            "unschedulable: 0/4 nodes are available: 4 Insufficient cpu."
        );
        assert!(d.hint.unwrap().contains("--cpu"));
    }

    #[test]
    fn a_claim_bound_after_the_scheduler_tried_is_explained() {
        let mut p = pod("cassandra-3", false);
        p.spec.as_mut().unwrap().node_name = None;
        let status = p.status.as_mut().unwrap();
        status.phase = Some("Pending".into());
        status.conditions = Some(vec![PodCondition {
            type_: "PodScheduled".into(),
            status: "False".into(),
            message: Some(
                "0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims.".into(),
            ),
            ..Default::default()
        }]);
        let pods = [
            pod("cassandra-0", true),
            pod("cassandra-1", true),
            pod("cassandra-2", true),
            p,
        ];
        let mut o = observed(&pods, &[], &[]);
        o.replicas = 4;
        let d = diagnose(&o).unwrap();
        assert_eq!(d.pod.as_deref(), Some("cassandra-3"));
        assert!(d.hint.unwrap().contains("at the latest after 5 minutes"));
    }

    #[test]
    fn a_pending_claim_says_why() {
        let mut p = pod("cassandra-0", false);
        p.spec.as_mut().unwrap().node_name = None;
        p.status.as_mut().unwrap().phase = Some("Pending".into());
        let claim = PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some("cassandra-data-cassandra-0".into()),
                ..Default::default()
            },
            spec: Some(PersistentVolumeClaimSpec {
                storage_class_name: Some("fast".into()),
                ..Default::default()
            }),
            status: Some(PersistentVolumeClaimStatus {
                phase: Some("Pending".into()),
                ..Default::default()
            }),
        };
        let events = [event(
            "PersistentVolumeClaim",
            "cassandra-data-cassandra-0",
            "ProvisioningFailed",
            "storageclass.storage.k8s.io \"fast\" not found",
        )];
        let (pods, claims) = ([p], [claim]);
        let d = diagnose(&observed(&pods, &claims, &events)).unwrap();
        assert_eq!(
            d.problem,
            "claim cassandra-data-cassandra-0 (StorageClass fast) is Pending: storageclass.storage.k8s.io \"fast\" not found"
        );
    }

    #[test]
    fn a_pending_claim_of_no_class_says_what_binds_it() {
        let mut p = pod("cassandra-0", false);
        p.spec.as_mut().unwrap().node_name = None;
        p.status.as_mut().unwrap().phase = Some("Pending".into());
        let claim = PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some("cassandra-data-cassandra-0".into()),
                ..Default::default()
            },
            spec: Some(PersistentVolumeClaimSpec {
                storage_class_name: Some(String::new()),
                ..Default::default()
            }),
            status: Some(PersistentVolumeClaimStatus {
                phase: Some("Pending".into()),
                ..Default::default()
            }),
        };
        let (pods, claims) = ([p], [claim]);
        let d = diagnose(&observed(&pods, &claims, &[])).unwrap();
        assert_eq!(
            d.problem,
            "claim cassandra-data-cassandra-0 (no StorageClass) is Pending: it binds only a PersistentVolume with no class, \
             and none that fits is Available (no volume has been bound to it yet)"
        );
        let hint = d.hint.unwrap();
        assert!(
            hint.starts_with("create a PersistentVolume with no storageClassName"),
            "{hint}"
        );
        assert!(!hint.contains("StorageClass exists"), "{hint}");
    }

    #[test]
    fn image_pull_errors_name_the_image() {
        let mut p = pod("cassandra-0", false);
        let status = p.status.as_mut().unwrap();
        status.phase = Some("Pending".into());
        status.container_statuses = Some(vec![ContainerStatus {
            name: "cassandra".into(),
            image: "example.invalid/cassandra:nope".into(),
            state: Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some("ImagePullBackOff".into()),
                    message: Some("Back-off pulling image".into()),
                }),
                ..Default::default()
            }),
            ..Default::default()
        }]);
        let pods = [p];
        let d = diagnose(&observed(&pods, &[], &[])).unwrap();
        assert_eq!(
            d.problem,
            "cannot pull image example.invalid/cassandra:nope (ImagePullBackOff): Back-off pulling image"
        );
    }

    #[test]
    fn crash_loops_give_the_last_exit() {
        let mut p = pod("cassandra-1", false);
        p.status.as_mut().unwrap().container_statuses = Some(vec![ContainerStatus {
            name: "cassandra".into(),
            restart_count: 4,
            state: Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some("CrashLoopBackOff".into()),
                    message: None,
                }),
                ..Default::default()
            }),
            last_state: Some(ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: 137,
                    reason: Some("OOMKilled".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }]);
        let pods = [pod("cassandra-0", true), p];
        let d = diagnose(&observed(&pods, &[], &[])).unwrap();
        assert_eq!(d.pod.as_deref(), Some("cassandra-1"));
        assert_eq!(
            d.problem,
            "crash-looping: restarted 4 times, last exit code 137 (OOMKilled)"
        );
    }

    #[test]
    fn failing_readiness_quotes_the_probe() {
        let pods = [pod("cassandra-0", false)];
        let events = [event(
            "Pod",
            "cassandra-0",
            "Unhealthy",
            "Readiness probe failed: not ready",
        )];
        let d = diagnose(&observed(&pods, &[], &events)).unwrap();
        assert_eq!(
            d.problem,
            "running but not Ready: Readiness probe failed: not ready"
        );
    }

    #[test]
    fn a_forbidden_pod_is_a_statefulset_problem() {
        let events = [event(
            "StatefulSet",
            "cassandra",
            "FailedCreate",
            "create Pod cassandra-0 in StatefulSet cassandra failed error: pods \"cassandra-0\" is forbidden: violates PodSecurity \"baseline:latest\": non-default capabilities",
        )];
        let d = diagnose(&observed(&[], &[], &events)).unwrap();
        assert_eq!(d.pod, None);
        assert!(
            d.problem
                .starts_with("the StatefulSet cannot create pods: ")
        );
        assert!(
            d.hint
                .unwrap()
                .contains("pod-security.kubernetes.io/enforce")
        );
    }

    #[test]
    fn a_missing_pod_waits_for_the_controller() {
        let pods = [pod("cassandra-0", true)];
        let d = diagnose(&observed(&pods, &[], &[])).unwrap();
        assert_eq!(
            d.to_string(),
            "cassandra-1: not created yet by the StatefulSet controller"
        );
    }

    #[test]
    fn nothing_to_diagnose_when_all_ready() {
        let pods = ready_pods(3);
        assert_eq!(diagnose(&observed(&pods, &[], &[])), None);
    }

    #[test]
    fn stages_follow_the_pod() {
        assert_eq!(pod_stage(None), PodStage::Missing);
        let mut p = pod("cassandra-0", false);
        assert_eq!(pod_stage(Some(&p)), PodStage::Running);
        p.status.as_mut().unwrap().phase = Some("Pending".into());
        assert_eq!(pod_stage(Some(&p)), PodStage::Scheduled);
        p.spec.as_mut().unwrap().node_name = None;
        assert_eq!(pod_stage(Some(&p)), PodStage::Pending);
        p.metadata.deletion_timestamp = Some(Time(k8s_openapi::jiff::Timestamp::now()));
        assert_eq!(pod_stage(Some(&p)), PodStage::Terminating);
        assert_eq!(pod_stage(Some(&pod("cassandra-0", true))), PodStage::Ready);
    }
}
