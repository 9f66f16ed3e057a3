//! Reading the objects casctl manages — by name, and by the selector labels (both the
//! tutorial's `app=<name>` and the recommended `app.kubernetes.io/*`) — and the one write that
//! is not an apply: the replicas, through the scale subresource.

use std::collections::BTreeMap;

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Namespace, Node, PersistentVolumeClaim, Pod, Service};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::ResourceExt;
use kube::api::{Api, ListParams, Patch, PatchParams};

use super::{Cluster, FIELD_MANAGER, is_not_found};
use crate::error::Error;
use crate::manifest::{APP_LABEL, INSTANCE_LABEL, NAME_LABEL};

/// Gets a namespaced object by name; `None` when it does not exist.
macro_rules! getter {
    ($fn:ident, $kind:ty, $resource:literal) => {
        pub(crate) async fn $fn(cluster: &Cluster) -> Result<Option<$kind>> {
            match cluster.api::<$kind>().get(cluster.name.as_str()).await {
                Ok(object) => Ok(Some(object)),
                Err(err) if is_not_found(&err) => Ok(None),
                Err(err) => Err(cluster.fail(err, "get", $resource)),
            }
        }
    };
}
getter!(statefulset, StatefulSet, "statefulsets");
getter!(service, Service, "services");

/// The namespace; `None` when it does not exist. The error stays kube's: a caller may treat
/// a refusal as "not known" rather than as a failure.
pub(crate) async fn namespace(cluster: &Cluster) -> kube::Result<Option<Namespace>> {
    Api::<Namespace>::all(cluster.client.clone())
        .get_opt(cluster.namespace())
        .await
}

/// Every StorageClass of the cluster (kube's error, for the caller to name).
pub(crate) async fn storage_classes(cluster: &Cluster) -> kube::Result<Vec<StorageClass>> {
    let api = Api::<StorageClass>::all(cluster.client.clone());
    Ok(api.list(&ListParams::default()).await?.items)
}

/// Every node of the cluster (kube's error, for the caller to name).
pub(crate) async fn nodes(cluster: &Cluster) -> kube::Result<Vec<Node>> {
    let api = Api::<Node>::all(cluster.client.clone());
    Ok(api.list(&ListParams::default()).await?.items)
}

/// A pod of the namespace by name; `None` when it does not exist.
pub(crate) async fn pod(cluster: &Cluster, name: &str) -> Result<Option<Pod>> {
    let found = cluster.api::<Pod>().get_opt(name).await;
    found.map_err(|e| cluster.fail(e, "get", "pods"))
}

/// The StatefulSet, which the commands that operate a ring cannot do without. When it is
/// missing, says whether the namespace is missing too.
pub(crate) async fn existing_statefulset(cluster: &Cluster) -> Result<StatefulSet> {
    if let Some(sts) = statefulset(cluster).await? {
        return Ok(sts);
    }
    let namespace = cluster.namespace().to_owned();
    if let Ok(None) = self::namespace(cluster).await {
        return Err(Error::NamespaceNotFound { namespace }.into());
    }
    Err(Error::NoRing {
        name: cluster.name.to_string(),
        namespace,
    }
    .into())
}

/// The label selectors that find casctl's pods and claims, and the tutorial's own: the
/// StatefulSet's selector when it exists, else each label style on its own (objects made
/// straight from the tutorial carry only one of them).
pub(crate) fn selectors(cluster: &Cluster, sts: Option<&StatefulSet>) -> Vec<String> {
    if let Some(labels) = sts
        .and_then(|s| s.spec.as_ref())
        .and_then(|s| s.selector.match_labels.as_ref())
        .filter(|l| !l.is_empty())
    {
        return vec![selector_string(labels)];
    }
    let name = cluster.name.as_str();
    let mut selectors = vec![
        format!("{APP_LABEL}={name}"),
        format!("{INSTANCE_LABEL}={name}"),
    ];
    if name == "cassandra" {
        selectors.push(format!("{NAME_LABEL}=cassandra"));
    }
    selectors
}

pub(crate) fn selector_string(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The pods of the ring: matched by a selector and named `<name>-<ordinal>`, sorted by ordinal.
pub(crate) async fn pods(cluster: &Cluster, selectors: &[String]) -> Result<Vec<Pod>> {
    let mut found = BTreeMap::new();
    for selector in selectors {
        let list = cluster
            .api::<Pod>()
            .list(&ListParams::default().labels(selector))
            .await
            .map_err(|e| cluster.fail(e, "list", "pods"))?;
        for pod in list.items {
            if let Some(ordinal) = crate::rollout::ordinal(cluster.name.as_str(), &pod.name_any()) {
                found.insert(ordinal, pod);
            }
        }
    }
    Ok(found.into_values().collect())
}

/// The data claims of the ring: matched by a selector and named `<template>-<name>-<ordinal>`,
/// so that another application's claims carrying a shared label are never picked up.
pub(crate) async fn claims(
    cluster: &Cluster,
    selectors: &[String],
) -> Result<Vec<PersistentVolumeClaim>> {
    let mut found = BTreeMap::new();
    for selector in selectors {
        let list = cluster
            .api::<PersistentVolumeClaim>()
            .list(&ListParams::default().labels(selector))
            .await
            .map_err(|e| cluster.fail(e, "list", "persistentvolumeclaims"))?;
        for claim in list.items {
            let name = claim.name_any();
            if is_claim_of(cluster.name.as_str(), &name) {
                found.insert(name, claim);
            }
        }
    }
    Ok(found.into_values().collect())
}

/// Sets `spec.replicas` of a StatefulSet through the scale subresource (field manager
/// `casctl`), which leaves the ownership of every other field as `up` applied it.
pub(crate) async fn set_replicas(
    cluster: &Cluster,
    statefulset: &str,
    replicas: u32,
) -> Result<()> {
    let patch = serde_json::json!({"spec": {"replicas": replicas}});
    cluster
        .api::<StatefulSet>()
        .patch_scale(
            statefulset,
            &PatchParams::apply(FIELD_MANAGER),
            &Patch::Merge(&patch),
        )
        .await
        .map_err(|e| cluster.fail(e, "patch", "statefulsets/scale"))?;
    Ok(())
}

/// Lowers `spec.replicas` from `from` to `to`, only if it is still `from`: the scale
/// subresource is read and written with its resource version, so that a change made by anyone
/// in between is refused by the API server instead of being overwritten. A scale-down step
/// that finds the ring changed under it stops instead of removing a node it did not
/// decommission.
pub(crate) async fn lower_replicas(
    cluster: &Cluster,
    statefulset: &str,
    from: u32,
    to: u32,
) -> Result<()> {
    let api = cluster.api::<StatefulSet>();
    let scale = api
        .get_scale(statefulset)
        .await
        .map_err(|e| cluster.fail(e, "get", "statefulsets/scale"))?;
    let now = scale.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0);
    let changed = |now: String| {
        Error::Changed {
        what: format!(
            "spec.replicas of StatefulSet {statefulset} is {now}, not the {from} this step of the scale-down started from"
        ),
        hint: "another command changed the ring at the same time; nothing more was removed. Look with \
               `casctl status`, then run the scale you want again"
            .to_owned(),
    }
    };
    if now != from as i32 {
        return Err(changed(now.to_string()).into());
    }
    let patch = serde_json::json!({
        "metadata": {"resourceVersion": scale.metadata.resource_version},
        "spec": {"replicas": to},
    });
    match api
        .patch_scale(
            statefulset,
            &PatchParams::apply(FIELD_MANAGER),
            &Patch::Merge(&patch),
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.is_conflict() => Err(changed("changing".to_owned()).into()),
        Err(err) => Err(cluster.fail(err, "patch", "statefulsets/scale")),
    }
}

/// `cassandra-data-cassandra-2` is a claim of `cassandra` (template `cassandra-data`).
pub(crate) fn is_claim_of(name: &str, claim: &str) -> bool {
    claim_ordinal(name, claim).is_some()
}

/// The ordinal of the pod a claim of `name` belongs to (`cassandra-data-cassandra-2` → 2).
pub(crate) fn claim_ordinal(name: &str, claim: &str) -> Option<u32> {
    let (rest, ordinal) = claim.rsplit_once('-')?;
    let numeric = !ordinal.is_empty() && ordinal.bytes().all(|b| b.is_ascii_digit());
    let templated = rest
        .strip_suffix(name)
        .is_some_and(|t| t.len() > 1 && t.ends_with('-'));
    (numeric && templated)
        .then(|| ordinal.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_are_recognised_by_name() {
        assert!(is_claim_of("cassandra", "cassandra-data-cassandra-0"));
        assert!(is_claim_of("cassandra", "data-cassandra-12"));
        assert!(!is_claim_of("cassandra", "cassandra-0"));
        assert!(!is_claim_of("cassandra", "data-othercassandra-0"));
        assert!(!is_claim_of("cassandra", "cassandra-data-cassandra-x"));
        assert!(!is_claim_of("ring", "data-ring-"));
        assert_eq!(
            claim_ordinal("cassandra", "cassandra-data-cassandra-12"),
            Some(12)
        );
    }

    #[test]
    fn selector_strings_are_sorted_pairs() {
        let labels = BTreeMap::from([
            ("b".to_owned(), "2".to_owned()),
            ("a".to_owned(), "1".to_owned()),
        ]);
        assert_eq!(selector_string(&labels), "a=1,b=2");
    }
}
