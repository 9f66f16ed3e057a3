//! The data claims of nodes that left the ring by decommission. Cassandra keeps a
//! "decommissioned" mark in the node's own data: a pod started again on that claim exits at
//! once. casctl marks such claims when their node leaves, and a later scale-up replaces a
//! marked claim by a new, empty one (its data was streamed to the other nodes when it left). A
//! claim of a node that left without decommission is never marked, so never touched.

use anyhow::Result;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;
use kube::api::{Patch, PatchParams};

use super::{Cluster, FIELD_MANAGER, objects};

/// When the claim's node was decommissioned (RFC 3339).
pub(crate) const DECOMMISSIONED: &str = "casctl.io/decommissioned";
/// The host ID of the node that left.
pub(crate) const HOST_ID: &str = "casctl.io/host-id";
/// How the node left: `decommission`, or `not-in-ring` (its pod was removed while its node was
/// not in the ring: it never joined, or it had left already). Absent on claims marked before it
/// existed: those were decommissioned.
pub(crate) const LEFT: &str = "casctl.io/left";

/// How a marked claim's node left the ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Left {
    /// By `nodetool decommission`: its data was streamed to the other nodes.
    Decommission,
    /// It was not in the ring when its pod was removed.
    NotInRing,
}

impl Left {
    fn value(self) -> &'static str {
        match self {
            Left::Decommission => "decommission",
            Left::NotInRing => "not-in-ring",
        }
    }
}

/// How the marked claim's node left.
pub(crate) fn left_how(claim: &PersistentVolumeClaim) -> Left {
    match claim.annotations().get(LEFT).map(String::as_str) {
        Some("not-in-ring") => Left::NotInRing,
        _ => Left::Decommission,
    }
}

/// Now, in whole seconds (RFC 3339, no fraction).
fn now() -> String {
    Timestamp::from_second(Timestamp::now().as_second())
        .map_or_else(|_| Timestamp::now().to_string(), |t| t.to_string())
}

/// An RFC 3339 time as a message shows it: whole seconds.
pub(crate) fn whole_seconds(time: &str) -> String {
    match time.parse::<Timestamp>() {
        Ok(t) => Timestamp::from_second(t.as_second())
            .map_or_else(|_| time.to_owned(), |t| t.to_string()),
        Err(_) => time.to_owned(),
    }
}

/// Whether the claim is being deleted: it is not kept, whatever else it says.
pub(crate) fn is_terminating(claim: &PersistentVolumeClaim) -> bool {
    claim.metadata.deletion_timestamp.is_some()
}

/// Whether the claim holds the data of a decommissioned node.
pub(crate) fn is_stale(claim: &PersistentVolumeClaim) -> bool {
    claim.annotations().contains_key(DECOMMISSIONED)
}

/// Marks the claim of the pod at `ordinal` as the data of a node that left the ring (`how`).
pub(crate) async fn mark_decommissioned(
    cluster: &Cluster,
    selector: &str,
    ordinal: u32,
    host_id: Option<&str>,
    how: Left,
) -> Result<Option<String>> {
    let Some(claim) = of_ordinal(cluster, selector, ordinal).await? else {
        return Ok(None);
    };
    let name = claim.name_any();
    let mut annotations = serde_json::Map::new();
    annotations.insert(DECOMMISSIONED.into(), now().into());
    annotations.insert(LEFT.into(), how.value().into());
    if let Some(id) = host_id {
        annotations.insert(HOST_ID.into(), id.into());
    }
    let patch = serde_json::json!({"metadata": {"annotations": annotations}});
    cluster
        .api::<PersistentVolumeClaim>()
        .patch(
            &name,
            &PatchParams::apply(FIELD_MANAGER),
            &Patch::Merge(&patch),
        )
        .await
        .map_err(|e| cluster.fail(e, "patch", "persistentvolumeclaims"))?;
    Ok(Some(name))
}

/// The claim of the pod at `ordinal`, if any.
async fn of_ordinal(
    cluster: &Cluster,
    selector: &str,
    ordinal: u32,
) -> Result<Option<PersistentVolumeClaim>> {
    let claims = objects::claims(cluster, &[selector.to_owned()]).await?;
    Ok(claims
        .into_iter()
        .find(|c| objects::claim_ordinal(cluster.name.as_str(), &c.name_any()) == Some(ordinal)))
}

/// The marked claims of the ordinals `from..to`: the pods a scale-up to `to` would start on
/// them would not rejoin.
pub(crate) async fn stale_between(
    cluster: &Cluster,
    selector: &str,
    from: u32,
    to: u32,
) -> Result<Vec<PersistentVolumeClaim>> {
    let claims = objects::claims(cluster, &[selector.to_owned()]).await?;
    Ok(claims
        .into_iter()
        .filter(is_stale)
        .filter(|c| {
            objects::claim_ordinal(cluster.name.as_str(), &c.name_any())
                .is_some_and(|o| (from..to).contains(&o))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_whole_seconds() {
        assert_eq!(
            whole_seconds("2026-12-06T00:19:54.236381855Z"),
            "2026-12-06T00:19:54Z"
        );
        assert!(!now().contains('.'), "{}", now());
    }
}
