//! Objects built in unit tests.

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec, StatefulSetStatus};
use k8s_openapi::api::core::v1::{Pod, PodCondition, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::nodetool::RingStatus;

/// A pod with a Ready condition (True or False) and, if given, a pod IP.
pub(crate) fn pod(name: &str, ip: Option<&str>, ready: bool) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        status: Some(PodStatus {
            pod_ip: ip.map(Into::into),
            conditions: Some(vec![PodCondition {
                type_: "Ready".into(),
                status: if ready { "True" } else { "False" }.into(),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A StatefulSet whose status says `ready` of `replicas` pods are Ready, all updated.
pub(crate) fn statefulset(name: &str, replicas: i32, ready: i32) -> StatefulSet {
    StatefulSet {
        metadata: ObjectMeta {
            name: Some(name.into()),
            generation: Some(1),
            ..Default::default()
        },
        spec: Some(StatefulSetSpec {
            replicas: Some(replicas),
            ..Default::default()
        }),
        status: Some(StatefulSetStatus {
            observed_generation: Some(1),
            replicas,
            ready_replicas: Some(ready),
            updated_replicas: Some(replicas),
            current_revision: Some("r1".into()),
            update_revision: Some("r1".into()),
            ..Default::default()
        }),
    }
}

/// `nodetool status` as Cassandra 5.0 prints it, with one row per `(code, address)`, rows in
/// the order given (Cassandra's: by token, not by pod), parsed.
pub(crate) fn ring(rows: &[(&str, &str)]) -> RingStatus {
    let mut text = String::from(
        "Datacenter: DC1-K8Demo\n======================\nStatus=Up/Down\n|/ State=Normal/Leaving/Joining/Moving\n\
         --  Address    Load        Tokens  Owns (effective)  Host ID                               Rack\n",
    );
    for (i, (code, address)) in rows.iter().enumerate() {
        text.push_str(&format!(
            "{code}  {address}  85.44 KiB   32      67.1%             {i:08}-8cb5-46a8-8e56-300703cffc6b  Rack1-K8Demo\n"
        ));
    }
    crate::nodetool::parse_status(&text).expect("a well-formed status")
}
