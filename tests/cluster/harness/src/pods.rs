//! What the helpers read from a Pod, in one place.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Container, Pod};

use crate::duration;

/// Annotations of the local control plane (the README of tests/cluster lists them all).
pub mod annotation {
    /// Set by the daemon once the pod's `Exec` object exists; kwok's Ready stage waits for it.
    pub const EXEC: &str = "casctl.test/exec";
    /// `real` on pods whose containers are real Cassandra JVMs (set by the daemon); kwok's
    /// Stages leave those pods' status to the daemon.
    pub const RING: &str = "casctl.test/ring";
    pub const DECOMMISSION_DELAY: &str = "casctl.test/decommission-delay";
    /// How long the simulated `nodetool status` takes to answer (a slow node).
    pub const STATUS_DELAY: &str = "casctl.test/status-delay";
    /// `kill` or `stop`: the node's JVM is kept down while this is set.
    pub const FAULT: &str = "casctl.test/fault";
    /// `name=rf,…` or `name=dc:rf+dc:rf`: extra or changed keyspaces of a simulated ring.
    pub const KEYSPACES: &str = "casctl.test/keyspaces";
}

/// The labels casctl gives a ring with racks (its own names: this crate does not use casctl's).
const RACK_LABEL: &str = "casctl.io/rack";
const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";

/// A pod as the helpers see it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub deleting: bool,
    pub ready: bool,
    pub ip: Option<String>,
    pub env: BTreeMap<String, String>,
    /// The first PersistentVolumeClaim the pod mounts.
    pub claim: Option<String>,
    pub annotations: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
}

impl PodView {
    pub fn from_pod(pod: &Pod) -> Self {
        let meta = &pod.metadata;
        let status = pod.status.as_ref();
        let spec = pod.spec.as_ref();
        let ready = status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        let ip = status
            .and_then(|s| s.pod_ip.clone())
            .filter(|ip| !ip.is_empty());
        let claim = spec.and_then(|s| s.volumes.as_ref()).and_then(|vs| {
            vs.iter()
                .find_map(|v| v.persistent_volume_claim.as_ref())
                .map(|c| c.claim_name.clone())
        });
        PodView {
            namespace: meta.namespace.clone().unwrap_or_default(),
            name: meta.name.clone().unwrap_or_default(),
            uid: meta.uid.clone().unwrap_or_default(),
            deleting: meta.deletion_timestamp.is_some(),
            ready,
            ip,
            env: spec
                .and_then(|s| s.containers.first())
                .map(container_env)
                .unwrap_or_default(),
            claim,
            annotations: meta.annotations.clone().unwrap_or_default(),
            labels: meta.labels.clone().unwrap_or_default(),
        }
    }

    /// Whether the pod runs a live node: Ready, not being deleted, with an address.
    pub fn is_up(&self) -> bool {
        self.ready && !self.deleting && self.ip.is_some()
    }

    pub fn env_or(&self, key: &str, default: &str) -> String {
        self.env
            .get(key)
            .filter(|v| !v.is_empty())
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }

    pub fn decommission_delay(&self) -> Option<Duration> {
        self.annotations
            .get(annotation::DECOMMISSION_DELAY)
            .and_then(|d| duration::parse(d))
    }

    pub fn status_delay(&self) -> Option<Duration> {
        self.annotations
            .get(annotation::STATUS_DELAY)
            .and_then(|d| duration::parse(d))
    }

    /// The StatefulSet a pod belongs to: its name without the last `-<ordinal>`.
    pub fn set_name(&self) -> &str {
        set_of(&self.name)
    }

    /// The ring a pod's node is in: the pods of one StatefulSet, or, for a ring with racks (a
    /// StatefulSet per rack, its pods labelled with the rack), every rack's pods of the same
    /// instance — as the seeds of each rack make one ring of them in Cassandra.
    pub fn ring_name(&self) -> String {
        match (self.labels.get(RACK_LABEL), self.labels.get(INSTANCE_LABEL)) {
            (Some(_), Some(instance)) => format!("{instance}@racks"),
            _ => self.set_name().to_string(),
        }
    }
}

/// The literal `value`s of a container's environment (`valueFrom` is left out: nothing here
/// needs it, and `POD_IP` is known anyway).
fn container_env(c: &Container) -> BTreeMap<String, String> {
    c.env
        .iter()
        .flatten()
        .filter_map(|e| e.value.clone().map(|v| (e.name.clone(), v)))
        .collect()
}

pub fn set_of(pod: &str) -> &str {
    match pod.rsplit_once('-') {
        Some((set, ordinal))
            if !set.is_empty()
                && !ordinal.is_empty()
                && ordinal.bytes().all(|b| b.is_ascii_digit()) =>
        {
            set
        }
        _ => pod,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_is_the_name_without_its_ordinal() {
        assert_eq!(set_of("cassandra-12"), "cassandra");
        assert_eq!(set_of("my-ring-0"), "my-ring");
        assert_eq!(set_of("solo"), "solo");
        assert_eq!(set_of("odd-"), "odd-");
        assert_eq!(set_of("-3"), "-3");
    }

    #[test]
    fn a_pod_is_read_from_its_spec_and_status() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "c-1", "namespace": "ns", "uid": "u1",
                         "annotations": {"casctl.test/decommission-delay": "3s"}},
            "spec": {"containers": [{"name": "cassandra", "env": [
                        {"name": "CASSANDRA_DC", "value": "DC1"},
                        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}]}],
                     "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data-c-1"}}]},
            "status": {"podIP": "127.1.0.5", "conditions": [{"type": "Ready", "status": "True"}]}
        }))
        .unwrap();
        let view = PodView::from_pod(&pod);
        assert!(view.is_up());
        assert_eq!(view.claim.as_deref(), Some("data-c-1"));
        assert_eq!(view.env_or("CASSANDRA_DC", "x"), "DC1");
        assert_eq!(view.env_or("CASSANDRA_RACK", "rack1"), "rack1");
        assert!(!view.env.contains_key("POD_IP"));
        assert_eq!(view.decommission_delay(), Some(Duration::from_secs(3)));
        assert_eq!(view.set_name(), "c");
        assert_eq!(view.ring_name(), "c");
    }

    #[test]
    fn the_racks_of_one_instance_are_one_ring() {
        let pod = |name: &str, rack: Option<&str>| {
            let mut labels = serde_json::json!({"app.kubernetes.io/instance": "cassandra"});
            if let Some(rack) = rack {
                labels["casctl.io/rack"] = rack.into();
            }
            let pod: Pod = serde_json::from_value(serde_json::json!({
                "metadata": {"name": name, "namespace": "ns", "labels": labels}
            }))
            .unwrap();
            PodView::from_pod(&pod)
        };
        let (a, b) = (
            pod("cassandra-a-0", Some("a")),
            pod("cassandra-b-1", Some("b")),
        );
        assert_eq!(a.ring_name(), b.ring_name());
        assert_ne!(a.ring_name(), pod("cassandra-0", None).ring_name());
        assert_eq!(pod("cassandra-a-0", None).ring_name(), "cassandra-a");
    }
}
