//! Server-side apply of the ring's objects, all or nothing: every object, new or existing, is
//! first applied as a server-side dry run, and only when all of them would be accepted is any
//! written.

use std::collections::BTreeSet;

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, Patch, PatchParams};
use kube::{Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Cluster, FIELD_MANAGER};
use crate::error::Error;

/// What an apply did, or would do, to one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) outcome: Outcome,
    /// The leaf paths that differ (`spec.template.spec.containers[0].image`).
    pub(crate) paths: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Created,
    Configured,
    Unchanged,
}

/// One object to apply, with what exists of it now.
pub(crate) enum Object {
    StorageClass(Box<(StorageClass, Option<StorageClass>)>),
    Service(Box<(Service, Option<Service>)>),
    StatefulSet(Box<(StatefulSet, Option<StatefulSet>)>),
}

/// How to apply.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Options {
    /// Take over fields that other managers own (`--force-conflicts`).
    pub(crate) force: bool,
    /// Stop after the server-side dry run (`--dry-run=server`).
    pub(crate) dry_run: bool,
}

/// Applies every object, after a server-side dry run of every object, new or existing, all at
/// once: one that the API server would refuse (invalid, a conflict, a fixed field changed)
/// stops everything before the first write, so a refused StatefulSet leaves no new Service
/// behind. A conflict is only worth forcing when the forced result would be accepted too;
/// otherwise the reason it cannot is reported instead. The writes follow, the StorageClass
/// first (the claims need it), then the Service and the StatefulSet together: both were just
/// accepted, and neither needs the other to exist.
pub(crate) async fn apply_all(
    cluster: &Cluster,
    objects: &[Object],
    options: Options,
) -> Result<Vec<Change>> {
    let checked: Vec<&Object> = objects.iter().collect();
    let trial = dry_run_all(cluster, &checked, options.force).await;
    let changes = match trial {
        Err(conflict) if is_conflict(&conflict) && !options.force => {
            dry_run_all(cluster, &checked, true).await?;
            return Err(conflict);
        }
        other => other?,
    };
    if options.dry_run {
        return Ok(changes);
    }
    let (classes, rest): (Vec<&Object>, Vec<&Object>) = objects
        .iter()
        .partition(|o| matches!(o, Object::StorageClass(_)));
    let mut applied = Vec::new();
    for batch in [classes, rest] {
        let writes = batch
            .into_iter()
            .map(|object| apply(cluster, object, params(options.force)));
        applied.extend(futures::future::try_join_all(writes).await?);
    }
    Ok(applied)
}

fn params(force: bool) -> PatchParams {
    let params = PatchParams::apply(FIELD_MANAGER);
    if force { params.force() } else { params }
}

fn is_conflict(err: &anyhow::Error) -> bool {
    matches!(err.downcast_ref::<Error>(), Some(Error::Conflict { .. }))
}

/// Every object's server-side dry run, concurrently; the first refusal in the objects' order is
/// the one reported.
async fn dry_run_all(cluster: &Cluster, objects: &[&Object], force: bool) -> Result<Vec<Change>> {
    let trials = objects
        .iter()
        .map(|object| apply(cluster, object, params(force).dry_run()));
    futures::future::join_all(trials)
        .await
        .into_iter()
        .collect()
}

async fn apply(cluster: &Cluster, object: &Object, params: PatchParams) -> Result<Change> {
    let all = |cluster: &Cluster| cluster.client.clone();
    match object {
        Object::StorageClass(pair) => {
            let (o, before) = pair.as_ref();
            apply_one(
                cluster,
                &Api::all(all(cluster)),
                o,
                before.as_ref(),
                &params,
                "storageclasses",
            )
            .await
        }
        Object::Service(pair) => {
            let (o, before) = pair.as_ref();
            apply_one(
                cluster,
                &cluster.api(),
                o,
                before.as_ref(),
                &params,
                "services",
            )
            .await
        }
        Object::StatefulSet(pair) => {
            let (o, before) = pair.as_ref();
            apply_one(
                cluster,
                &cluster.api(),
                o,
                before.as_ref(),
                &params,
                "statefulsets",
            )
            .await
        }
    }
}

async fn apply_one<K>(
    cluster: &Cluster,
    api: &Api<K>,
    object: &K,
    before: Option<&K>,
    params: &PatchParams,
    resource: &str,
) -> Result<Change>
where
    K: Resource + Clone + Serialize + DeserializeOwned + std::fmt::Debug,
    K::DynamicType: Default,
{
    let name = object.name_any();
    let kind = K::kind(&Default::default()).to_string();
    let after = api
        .patch(&name, params, &Patch::Apply(object))
        .await
        .map_err(|err| refused(cluster, err, (&kind, &name, object), before, resource))?;
    let paths = match before {
        Some(before) => changed_paths(before, &after)?,
        None => Vec::new(),
    };
    let outcome = match (before, params.dry_run) {
        (None, _) => Outcome::Created,
        // A dry run bumps no resource version: the differences decide.
        (Some(_), true) if paths.is_empty() => Outcome::Unchanged,
        (Some(_), true) => Outcome::Configured,
        (Some(b), false) if b.resource_version() == after.resource_version() => Outcome::Unchanged,
        (Some(_), false) => Outcome::Configured,
    };
    Ok(Change {
        kind,
        name,
        outcome,
        paths,
    })
}

/// Why the API server refused an apply, in the user's terms.
fn refused<K: Resource + Serialize>(
    cluster: &Cluster,
    err: kube::Error,
    (kind, name, wanted): (&str, &str, &K),
    before: Option<&K>,
    resource: &str,
) -> anyhow::Error {
    let kube::Error::Api(status) = &err else {
        return cluster.fail(err, "patch", resource);
    };
    if status.is_conflict() {
        return Error::Conflict {
            kind: kind.to_owned(),
            name: name.to_owned(),
            conflicts: conflicts(status),
        }
        .into();
    }
    if status.is_invalid() && is_immutable_change(&status.message) {
        let fixed = before
            .map(|b| fixed_fields_changed(b, wanted))
            .unwrap_or_default();
        return Error::Immutable {
            kind: kind.to_owned(),
            name: name.to_owned(),
            detail: match fixed.is_empty() {
                true => status.message.clone(),
                false => fixed.join(", "),
            },
            foreign: before.is_some_and(|b| !managed_by_casctl(b)),
            claims: fixed
                .iter()
                .any(|f| f.starts_with("spec.volumeClaimTemplates")),
        }
        .into();
    }
    cluster.fail(err, "patch", resource)
}

/// The conflicting fields and their managers, from the API server's causes.
fn conflicts(status: &kube::core::Status) -> String {
    let causes: Vec<String> = status
        .details
        .iter()
        .flat_map(|d| d.causes.iter())
        .map(
            |c| match c.field.is_empty() || c.message.ends_with(c.field.as_str()) {
                true => c.message.clone(),
                // As kubectl prints it: `conflict with "other-tool" using apps/v1: .spec.replicas`.
                false => format!("{}: {}", c.message, c.field),
            },
        )
        .filter(|m| !m.is_empty())
        .collect();
    match causes.is_empty() {
        true => status.message.clone(),
        false => causes.join("; "),
    }
}

/// Whether casctl has ever applied the object (it is then casctl's, not the tutorial's).
fn managed_by_casctl<K: Resource>(object: &K) -> bool {
    object
        .managed_fields()
        .iter()
        .any(|f| f.manager.as_deref() == Some(FIELD_MANAGER))
}

/// The fields fixed at creation that the wanted object changes, with the old and new value:
/// `spec.volumeClaimTemplates[0].spec.resources.requests.storage: 1Gi → 2Gi`.
fn fixed_fields_changed<K: Serialize>(before: &K, wanted: &K) -> Vec<String> {
    let (Ok(b), Ok(w)) = (serde_json::to_value(before), serde_json::to_value(wanted)) else {
        return Vec::new();
    };
    let mut changed = Vec::new();
    for field in ["selector", "serviceName", "volumeClaimTemplates"] {
        let pointer = format!("/spec/{field}");
        let (old, new) = (b.pointer(&pointer), w.pointer(&pointer));
        // Only what the wanted object sets counts (the server fills in defaults).
        let Some(new) = new else { continue };
        let mut paths = Vec::new();
        subset_diff(old, new, format!("spec.{field}"), &mut paths);
        changed.extend(paths);
    }
    changed
}

/// The leaves of `new` whose value `old` does not have.
fn subset_diff(
    old: Option<&serde_json::Value>,
    new: &serde_json::Value,
    path: String,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    match (old, new) {
        (Some(Value::Object(o)), Value::Object(n)) => {
            for (key, value) in n {
                subset_diff(o.get(key), value, format!("{path}.{key}"), out);
            }
        }
        (Some(Value::Array(o)), Value::Array(n)) if o.len() == n.len() => {
            for (i, (o, n)) in o.iter().zip(n).enumerate() {
                subset_diff(Some(o), n, format!("{path}[{i}]"), out);
            }
        }
        (Some(o), n) if o == n => {}
        (o, n) => out.push(format!("{path}: {} → {}", short(o), short(Some(n)))),
    }
}

fn short(value: Option<&serde_json::Value>) -> String {
    match value {
        None => "(none)".to_owned(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The API server's words for a change to a field that is fixed after creation.
fn is_immutable_change(message: &str) -> bool {
    message.contains("field is immutable")
        || message.contains("updates to statefulset spec for fields other than")
}

/// The leaf paths of `spec` (and the labels) that differ between two versions of an object.
pub(crate) fn changed_paths<K: Serialize>(before: &K, after: &K) -> Result<Vec<String>> {
    let (b, a) = (serde_json::to_value(before)?, serde_json::to_value(after)?);
    let mut paths = Vec::new();
    for root in ["spec", "metadata/labels", "provisioner", "parameters"] {
        let pointer = format!("/{root}");
        diff(
            b.pointer(&pointer),
            a.pointer(&pointer),
            root.replace('/', "."),
            &mut paths,
        );
    }
    Ok(paths)
}

fn diff(
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
    path: String,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for key in keys {
                diff(b.get(key), a.get(key), format!("{path}.{key}"), out);
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) if b.len() == a.len() => {
            for (i, (b, a)) in b.iter().zip(a).enumerate() {
                diff(Some(b), Some(a), format!("{path}[{i}]"), out);
            }
        }
        (b, a) if b != a => out.push(path),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_paths_name_the_leaves() {
        let before = serde_json::json!({"spec": {"replicas": 3, "template": {"image": "a"}}});
        let after =
            serde_json::json!({"spec": {"replicas": 3, "template": {"image": "b"}, "new": 1}});
        assert_eq!(
            changed_paths(&before, &after).unwrap(),
            vec!["spec.new", "spec.template.image"]
        );
    }

    #[test]
    fn immutable_changes_are_recognised_by_the_servers_words() {
        assert!(is_immutable_change(
            "StatefulSet.apps \"cassandra\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas' … are forbidden"
        ));
        assert!(is_immutable_change(
            "spec.selector: Invalid value: …: field is immutable"
        ));
        assert!(!is_immutable_change("spec.replicas: Invalid value: -1"));
    }

    #[test]
    fn a_new_claim_size_is_named_with_both_values() {
        let before = serde_json::json!({"spec": {"serviceName": "cassandra", "volumeClaimTemplates": [
            {"metadata": {"name": "cassandra-data"}, "spec": {"resources": {"requests": {"storage": "1Gi"}}, "volumeMode": "Filesystem"}}
        ]}});
        let wanted = serde_json::json!({"spec": {"serviceName": "cassandra", "volumeClaimTemplates": [
            {"metadata": {"name": "cassandra-data"}, "spec": {"resources": {"requests": {"storage": "2Gi"}}}}
        ]}});
        assert_eq!(
            fixed_fields_changed(&before, &wanted),
            ["spec.volumeClaimTemplates[0].spec.resources.requests.storage: 1Gi → 2Gi"]
        );
    }

    #[test]
    fn conflicts_name_the_field_as_kubectl_does() {
        let status = kube::core::Status::failure("Apply failed with 1 conflict", "Conflict")
            .with_code(409)
            .with_details(kube::core::response::StatusDetails {
                causes: vec![kube::core::response::StatusCause {
                    reason: "FieldManagerConflict".into(),
                    message: "conflict with \"other-tool\" using apps/v1".into(),
                    field: ".spec.template.spec.terminationGracePeriodSeconds".into(),
                }],
                name: "cassandra".into(),
                group: "apps".into(),
                kind: "statefulsets".into(),
                uid: String::new(),
                retry_after_seconds: 0,
            });
        assert_eq!(
            conflicts(&status),
            "conflict with \"other-tool\" using apps/v1: .spec.template.spec.terminationGracePeriodSeconds"
        );
    }

    #[test]
    fn conflicts_list_each_cause() {
        let status = kube::core::Status::failure("Apply failed with 1 conflict", "Conflict")
            .with_code(409)
            .with_details(kube::core::response::StatusDetails {
                causes: vec![kube::core::response::StatusCause {
                    reason: "FieldManagerConflict".into(),
                    message: "conflict with \"other-tool\" using v1: .spec.ports".into(),
                    field: ".spec.ports".into(),
                }],
                name: "cassandra".into(),
                group: String::new(),
                kind: "services".into(),
                uid: String::new(),
                retry_after_seconds: 0,
            });
        assert_eq!(
            conflicts(&status),
            "conflict with \"other-tool\" using v1: .spec.ports"
        );
    }
}
