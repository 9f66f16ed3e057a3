//! The StatefulSets of one ring: the tutorial's single `<name>`, or one per rack, found by
//! their labels and put in the order of their racks; the pods and claims of each; and the
//! record a rolling restart keeps on a StatefulSet.

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, Preconditions};

use super::{Cluster, FIELD_MANAGER, is_not_found, objects};
use crate::manifest::{INSTANCE_LABEL, RACK_LABEL, RACKS_ANNOTATION, selector_labels};
use crate::racks::Layout;
use crate::values::DnsLabel;
use crate::wait::Set;

/// When the rolling restart of a StatefulSet's pods began (RFC 3339): a pod created since then
/// has been restarted. Removed when the restart is over, so that it is there only while a
/// restart is unfinished.
pub(crate) const RESTART_ANNOTATION: &str = "casctl.io/restart-started";

/// A ring as it exists: its layout and its StatefulSets, in rack order.
#[derive(Debug, Clone)]
pub(crate) struct Ring {
    pub(crate) layout: Layout,
    /// One per set of the layout, in the same order.
    pub(crate) statefulsets: Vec<StatefulSet>,
    /// Racks that the ring's StatefulSets name but that have no StatefulSet any more.
    pub(crate) missing: Vec<String>,
    /// Every rack the ring was made with, in order, missing ones included.
    pub(crate) made_with: Vec<String>,
}

impl Ring {
    /// Each StatefulSet's `spec.replicas`, in rack order.
    pub(crate) fn replicas(&self) -> Vec<u32> {
        self.statefulsets
            .iter()
            .map(crate::rollout::replicas)
            .collect()
    }

    /// The StatefulSets at their replicas, as the wait engine takes them.
    pub(crate) fn sets(&self) -> Vec<Set> {
        self.layout
            .sets()
            .into_iter()
            .zip(self.replicas())
            .map(|(name, replicas)| Set::new(name, replicas))
            .collect()
    }

    /// The label selector of every pod and claim of the ring, whichever its rack.
    pub(crate) fn selector(&self, cluster: &Cluster) -> String {
        match self.layout.has_racks() {
            true => objects::selector_string(&selector_labels(&cluster.name)),
            false => objects::selectors(cluster, self.statefulsets.first()).remove(0),
        }
    }
}

/// The ring named by `--name`: the tutorial's single StatefulSet, else its racks'; `None` when
/// it has no StatefulSet at all. A ring without racks costs one request, as before racks.
pub(crate) async fn find(cluster: &Cluster) -> Result<Option<Ring>> {
    if let Some(sts) = objects::statefulset(cluster).await? {
        return Ok(Some(Ring {
            layout: Layout::single(cluster.name.as_str()),
            statefulsets: vec![sts],
            missing: Vec::new(),
            made_with: Vec::new(),
        }));
    }
    let racked = rack_statefulsets(cluster).await?;
    Ok((!racked.is_empty()).then(|| in_rack_order(cluster.name.as_str(), racked)))
}

/// The ring, which the commands that operate one cannot do without (an error that says
/// whether the namespace is missing too).
pub(crate) async fn existing(cluster: &Cluster) -> Result<Ring> {
    match find(cluster).await? {
        Some(ring) => Ok(ring),
        None => objects::existing_statefulset(cluster)
            .await
            .map(|sts| Ring {
                layout: Layout::single(cluster.name.as_str()),
                statefulsets: vec![sts],
                missing: Vec::new(),
                made_with: Vec::new(),
            }),
    }
}

/// The StatefulSets labelled with the ring's instance and a rack.
async fn rack_statefulsets(cluster: &Cluster) -> Result<Vec<StatefulSet>> {
    let selector = format!("{INSTANCE_LABEL}={},{RACK_LABEL}", cluster.name);
    let list = cluster
        .api::<StatefulSet>()
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| cluster.fail(e, "list", "statefulsets"))?;
    Ok(list.items)
}

/// The racks' StatefulSets in the order the ring was made with (their annotation), any other
/// rack after them by name.
fn in_rack_order(name: &str, mut sets: Vec<StatefulSet>) -> Ring {
    let rack = |s: &StatefulSet| s.labels().get(RACK_LABEL).cloned().unwrap_or_default();
    let order: Vec<String> = sets
        .iter()
        .find_map(|s| s.annotations().get(RACKS_ANNOTATION).cloned())
        .map(|a| a.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    sets.sort_by_key(|s| {
        let r = rack(s);
        (order.iter().position(|o| *o == r).unwrap_or(usize::MAX), r)
    });
    let racks: Vec<String> = sets.iter().map(rack).collect();
    let missing: Vec<String> = order
        .iter()
        .filter(|o| !racks.contains(o))
        .cloned()
        .collect();
    let mut made_with = order.clone();
    made_with.extend(racks.iter().filter(|r| !order.contains(r)).cloned());
    Ring {
        layout: Layout::racked(name, racks),
        statefulsets: sets,
        missing,
        made_with,
    }
}

/// The client aimed at one StatefulSet of a ring with racks: the reads of `objects` and
/// `claims` that go by `<name>-<ordinal>` then see that StatefulSet's pods and claims. Only for
/// those reads: whatever speaks of the ring keeps the ring's name.
pub(crate) fn scoped(cluster: &Cluster, set: &str) -> Result<Cluster> {
    let name = DnsLabel::new(set).map_err(|e| anyhow::anyhow!("StatefulSet name {set} {e}"))?;
    Ok(Cluster {
        name,
        ..cluster.clone()
    })
}

/// The pods of every StatefulSet of the ring, rack after rack, each by ordinal.
pub(crate) async fn pods(cluster: &Cluster, ring: &Ring) -> Result<Vec<Pod>> {
    let mut pods = Vec::new();
    for (set, sts) in ring.layout.sets().iter().zip(&ring.statefulsets) {
        let scoped = scoped(cluster, set)?;
        let selectors = objects::selectors(&scoped, Some(sts));
        pods.extend(objects::pods(&scoped, &selectors).await?);
    }
    Ok(pods)
}

/// The data claims of every StatefulSet of the ring, rack after rack.
pub(crate) async fn claims(cluster: &Cluster, ring: &Ring) -> Result<Vec<PersistentVolumeClaim>> {
    let mut claims = Vec::new();
    for (set, sts) in ring.layout.sets().iter().zip(&ring.statefulsets) {
        let scoped = scoped(cluster, set)?;
        let selectors = objects::selectors(&scoped, Some(sts));
        claims.extend(objects::claims(&scoped, &selectors).await?);
    }
    Ok(claims)
}

/// The racks of the ring's pods and claims (by their rack label), whether or not their
/// StatefulSets still exist: what a teardown must still find.
pub(crate) async fn labelled_racks(cluster: &Cluster) -> Result<Vec<String>> {
    let params =
        ListParams::default().labels(&format!("{INSTANCE_LABEL}={},{RACK_LABEL}", cluster.name));
    let (pods, claims) = (cluster.api::<Pod>(), cluster.api::<PersistentVolumeClaim>());
    let (pods, claims) = tokio::join!(pods.list(&params), claims.list(&params));
    let pods = pods.map_err(|e| cluster.fail(e, "list", "pods"))?;
    let claims = claims.map_err(|e| cluster.fail(e, "list", "persistentvolumeclaims"))?;
    let mut racks: Vec<String> = pods
        .items
        .iter()
        .map(|p| p.labels().get(RACK_LABEL).cloned())
        .chain(
            claims
                .items
                .iter()
                .map(|c| c.labels().get(RACK_LABEL).cloned()),
        )
        .flatten()
        .collect();
    racks.sort();
    racks.dedup();
    Ok(racks)
}

/// When the unfinished restart of this StatefulSet began, if one is.
pub(crate) fn restart_since(sts: &StatefulSet) -> Option<Timestamp> {
    sts.annotations().get(RESTART_ANNOTATION)?.parse().ok()
}

/// Records on the StatefulSet that a restart of its pods began at `since`.
pub(crate) async fn mark_restart(cluster: &Cluster, set: &str, since: Timestamp) -> Result<()> {
    annotate(cluster, set, serde_json::Value::String(since.to_string())).await
}

/// The restart of the StatefulSet's pods is over.
pub(crate) async fn clear_restart(cluster: &Cluster, set: &str) -> Result<()> {
    annotate(cluster, set, serde_json::Value::Null).await
}

async fn annotate(cluster: &Cluster, set: &str, value: serde_json::Value) -> Result<()> {
    let patch = serde_json::json!({"metadata": {"annotations": {RESTART_ANNOTATION: value}}});
    cluster
        .api::<StatefulSet>()
        .patch(
            set,
            &PatchParams::apply(FIELD_MANAGER),
            &Patch::Merge(&patch),
        )
        .await
        .map_err(|e| cluster.fail(e, "patch", "statefulsets"))?;
    Ok(())
}

/// Deletes the pod only if it is still the one with this UID (the one that was drained);
/// `Ok(false)` when it is gone or has been replaced already.
pub(crate) async fn delete_pod(cluster: &Cluster, pod: &str, uid: &str) -> Result<bool> {
    let params = DeleteParams::default().preconditions(Preconditions {
        uid: Some(uid.to_owned()),
        resource_version: None,
    });
    match cluster.api::<Pod>().delete(pod, &params).await {
        Ok(_) => Ok(true),
        Err(err) if is_not_found(&err) => Ok(false),
        Err(kube::Error::Api(s)) if s.is_conflict() => Ok(false),
        Err(err) => Err(cluster.fail(err, "delete", "pods")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn rack_set(rack: &str, order: Option<&str>) -> StatefulSet {
        StatefulSet {
            metadata: ObjectMeta {
                name: Some(format!("cassandra-{rack}")),
                labels: Some([(RACK_LABEL.to_owned(), rack.to_owned())].into()),
                annotations: order.map(|o| [(RACKS_ANNOTATION.to_owned(), o.to_owned())].into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn racks_come_in_the_order_the_ring_was_made_with() {
        let ring = in_rack_order(
            "cassandra",
            vec![
                rack_set("a", Some("c,a,b")),
                rack_set("b", Some("c,a,b")),
                rack_set("c", Some("c,a,b")),
            ],
        );
        assert_eq!(ring.layout.racks(), ["c", "a", "b"]);
        let names: Vec<String> = ring.statefulsets.iter().map(|s| s.name_any()).collect();
        assert_eq!(names, ["cassandra-c", "cassandra-a", "cassandra-b"]);
        assert!(ring.missing.is_empty());
    }

    #[test]
    fn a_rack_whose_statefulset_is_gone_is_named() {
        let ring = in_rack_order(
            "cassandra",
            vec![rack_set("b", Some("a,b")), rack_set("x", None)],
        );
        assert_eq!(ring.layout.racks(), ["b", "x"]);
        assert_eq!(ring.missing, ["a"]);
        assert_eq!(ring.made_with, ["a", "b", "x"]);
    }
}
