//! Reading the objects casctl manages: by name, and by the selector labels (both the
//! tutorial's `app=<name>` and the recommended `app.kubernetes.io/*`).

use std::collections::BTreeMap;

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod, Service};
use kube::api::ListParams;

use super::{Cluster, is_not_found};
use crate::error::UserError;
use crate::manifest::{APP_LABEL, INSTANCE_LABEL, NAME_LABEL};

/// Gets a namespaced object by name; `None` when it does not exist.
macro_rules! getter {
    ($fn:ident, $kind:ty, $resource:literal) => {
        pub async fn $fn(cluster: &Cluster) -> Result<Option<$kind>> {
            match cluster.api::<$kind>().get(cluster.name.as_str()).await {
                Ok(object) => Ok(Some(object)),
                Err(err) if is_not_found(&err) => Ok(None),
                Err(err) => Err(cluster.explain(err, "get", $resource)),
            }
        }
    };
}
getter!(statefulset, StatefulSet, "statefulsets");
getter!(service, Service, "services");

/// The StatefulSet, which the commands that operate a ring cannot do without.
pub async fn existing_statefulset(cluster: &Cluster) -> Result<StatefulSet> {
    statefulset(cluster).await?.ok_or_else(|| {
        UserError::new(format!(
            "no StatefulSet {} in namespace {}",
            cluster.name,
            cluster.namespace()
        ))
        .hint("create the ring with `casctl up`, or pass the right -n/--name")
        .into()
    })
}

/// The label selectors that find casctl's pods and claims, and the tutorial's own: the
/// StatefulSet's selector when it exists, else each label style on its own (objects made
/// straight from the tutorial carry only one of them).
pub fn selectors(cluster: &Cluster, sts: Option<&StatefulSet>) -> Vec<String> {
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

pub fn selector_string(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The pods of the ring: matched by a selector and named `<name>-<ordinal>`, sorted by ordinal.
pub async fn pods(cluster: &Cluster, selectors: &[String]) -> Result<Vec<Pod>> {
    let mut found = BTreeMap::new();
    for selector in selectors {
        let list = cluster
            .api::<Pod>()
            .list(&ListParams::default().labels(selector))
            .await
            .map_err(|e| cluster.explain(e, "list", "pods"))?;
        for pod in list.items {
            let name = pod.metadata.name.clone().unwrap_or_default();
            if let Some(ordinal) = crate::rollout::ordinal(cluster.name.as_str(), &name) {
                found.insert(ordinal, pod);
            }
        }
    }
    Ok(found.into_values().collect())
}

/// The data claims of the ring: matched by a selector and named `<template>-<name>-<ordinal>`,
/// so that another application's claims carrying a shared label are never picked up.
pub async fn claims(cluster: &Cluster, selectors: &[String]) -> Result<Vec<PersistentVolumeClaim>> {
    let mut found = BTreeMap::new();
    for selector in selectors {
        let list = cluster
            .api::<PersistentVolumeClaim>()
            .list(&ListParams::default().labels(selector))
            .await
            .map_err(|e| cluster.explain(e, "list", "persistentvolumeclaims"))?;
        for claim in list.items {
            let name = claim.metadata.name.clone().unwrap_or_default();
            if is_claim_of(cluster.name.as_str(), &name) {
                found.insert(name, claim);
            }
        }
    }
    Ok(found.into_values().collect())
}

/// `cassandra-data-cassandra-2` is a claim of `cassandra` (template `cassandra-data`).
pub fn is_claim_of(name: &str, claim: &str) -> bool {
    claim_ordinal(name, claim).is_some()
}

/// The ordinal of the pod a claim of `name` belongs to (`cassandra-data-cassandra-2` → 2).
pub fn claim_ordinal(name: &str, claim: &str) -> Option<u32> {
    let (rest, ordinal) = claim.rsplit_once('-')?;
    let numeric = !ordinal.is_empty() && ordinal.bytes().all(|b| b.is_ascii_digit());
    let templated = rest
        .strip_suffix(name)
        .is_some_and(|t| t.len() > 1 && t.ends_with('-'));
    (numeric && templated)
        .then(|| ordinal.parse().ok())
        .flatten()
}

/// Recent events of the namespace, for the diagnosis.
pub async fn events(cluster: &Cluster) -> Result<Vec<Event>> {
    let list = cluster
        .api::<Event>()
        .list(&ListParams::default())
        .await
        .map_err(|e| cluster.explain(e, "list", "events"))?;
    Ok(list.items)
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
