//! The checks `up` makes before writing anything, as pure functions of what it read.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::api::storage::v1::StorageClass;

use crate::error::Error;
use crate::values::parse_quantity;

/// The label that makes the API server reject pods above a Pod Security level.
pub(crate) const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";

/// The IPC_LOCK capability is allowed only at the `privileged` level: `baseline` and
/// `restricted` reject the pods, which the StatefulSet then fails to create in a loop.
pub(crate) fn check_pod_security(
    namespace: &str,
    labels: Option<&BTreeMap<String, String>>,
) -> Result<(), Error> {
    let level = labels
        .and_then(|l| l.get(ENFORCE_LABEL))
        .map(String::as_str);
    match level {
        Some(level @ ("baseline" | "restricted")) => Err(Error::Preflight {
            message: format!(
                "namespace {namespace} enforces the Pod Security level \"{level}\" ({ENFORCE_LABEL}={level}), \
                 which forbids the IPC_LOCK capability Cassandra's pods add"
            ),
            hint: Some(format!(
                "use a namespace without that label, or allow privileged pods: \
                 kubectl label namespace {namespace} {ENFORCE_LABEL}=privileged --overwrite"
            )),
        }),
        _ => Ok(()),
    }
}

/// The StorageClass the claims name must exist; say which classes there are otherwise.
pub(crate) fn check_storage_class(wanted: &str, classes: &[StorageClass]) -> Result<(), Error> {
    if classes
        .iter()
        .any(|c| c.metadata.name.as_deref() == Some(wanted))
    {
        return Ok(());
    }
    let names: Vec<String> = classes
        .iter()
        .filter_map(|c| {
            let name = c.metadata.name.clone()?;
            let default = c
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(DEFAULT_CLASS_ANNOTATION))
                .is_some_and(|v| v == "true");
            Some(if default {
                format!("{name} (default)")
            } else {
                name
            })
        })
        .collect();
    let available = match names.is_empty() {
        true => "the cluster has no StorageClass".to_owned(),
        false => format!("the cluster has: {}", names.join(", ")),
    };
    Err(Error::Preflight {
        message: format!(
            "StorageClass \"{wanted}\" does not exist, so the data claims would stay Pending; {available}"
        ),
        hint: Some(
            "pick one with --storage-class CLASS, or create the tutorial's with --create-storage-class (minikube only)"
                .to_owned(),
        ),
    })
}

/// The claim template's StorageClass.
pub(crate) fn storage_class_of(sts: &StatefulSet) -> Option<&str> {
    sts.spec
        .as_ref()?
        .volume_claim_templates
        .as_ref()?
        .iter()
        .find_map(|c| c.spec.as_ref()?.storage_class_name.as_deref())
}

/// What the pods request in all, against what the schedulable nodes can give.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Capacity {
    pub(crate) resource: &'static str,
    pub(crate) requested_each: f64,
    pub(crate) replicas: u32,
    pub(crate) allocatable: f64,
    pub(crate) largest_node: f64,
}

/// Warnings (not errors: other pods, autoscalers and quotas change the picture) when the
/// requests do not fit.
pub(crate) fn capacity_warnings(sts: &StatefulSet, replicas: u32, nodes: &[Node]) -> Vec<String> {
    let requests = sts
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .map(|p| {
            p.containers
                .iter()
                .filter_map(|c| c.resources.as_ref()?.requests.clone())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let schedulable: Vec<&Node> = nodes
        .iter()
        .filter(|n| {
            !n.spec
                .as_ref()
                .and_then(|s| s.unschedulable)
                .unwrap_or(false)
        })
        .collect();
    let mut warnings = Vec::new();
    for resource in ["cpu", "memory"] {
        let each: f64 = requests
            .iter()
            .filter_map(|r| parse_quantity(&r.get(resource)?.0).ok())
            .map(|q| q.value())
            .sum();
        if each <= 0.0 {
            continue;
        }
        let per_node: Vec<f64> = schedulable
            .iter()
            .filter_map(|n| n.status.as_ref()?.allocatable.as_ref()?.get(resource))
            .filter_map(|q| parse_quantity(&q.0).ok())
            .map(|q| q.value())
            .collect();
        let capacity = Capacity {
            resource,
            requested_each: each,
            replicas,
            allocatable: per_node.iter().sum(),
            largest_node: per_node.iter().copied().fold(0.0, f64::max),
        };
        warnings.extend(capacity_warning(&capacity));
    }
    warnings
}

pub(crate) fn capacity_warning(c: &Capacity) -> Option<String> {
    let show = |v: f64| format_amount(c.resource, v);
    let total = c.requested_each * f64::from(c.replicas);
    if c.requested_each > c.largest_node {
        return Some(format!(
            "each pod requests {} {}, more than any node can allocate (largest: {}); the pods will stay Pending",
            show(c.requested_each),
            c.resource,
            show(c.largest_node)
        ));
    }
    (total > c.allocatable).then(|| {
        format!(
            "{} pods × {} {} = {} requested, but the nodes can allocate {} in all; some pods will stay Pending",
            c.replicas,
            show(c.requested_each),
            c.resource,
            show(total),
            show(c.allocatable)
        )
    })
}

/// CPU in cores (or millicores), memory in binary units.
fn format_amount(resource: &str, value: f64) -> String {
    if resource == "cpu" {
        return match value < 1.0 {
            true => format!("{}m", (value * 1000.0).round()),
            false => format!("{}", (value * 100.0).round() / 100.0),
        };
    }
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = value;
    let mut unit = 0;
    while v >= 1024.0 && unit < units.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{}{}", (v * 10.0).round() / 10.0, units[unit])
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{NodeSpec, NodeStatus};
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn node(cpu: &str, memory: &str) -> Node {
        Node {
            status: Some(NodeStatus {
                allocatable: Some(BTreeMap::from([
                    ("cpu".to_owned(), Quantity(cpu.into())),
                    ("memory".to_owned(), Quantity(memory.into())),
                ])),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn tutorial_sts() -> StatefulSet {
        crate::manifest::Templates::builtin().unwrap().statefulset
    }

    #[test]
    fn pod_security_baseline_is_refused_with_the_label() {
        let labels = BTreeMap::from([(ENFORCE_LABEL.to_owned(), "baseline".to_owned())]);
        let err = check_pod_security("shop", Some(&labels)).unwrap_err();
        // Refused before the first write; which label refuses is what the user must change.
        let Error::Preflight { message, .. } = err else {
            panic!("not a preflight failure: {err:?}");
        };
        assert!(
            message.contains("pod-security.kubernetes.io/enforce=baseline"),
            "{message}"
        );
        let privileged = BTreeMap::from([(ENFORCE_LABEL.to_owned(), "privileged".to_owned())]);
        assert!(check_pod_security("shop", Some(&privileged)).is_ok());
        assert!(check_pod_security("shop", None).is_ok());
    }

    #[test]
    fn a_missing_storage_class_lists_the_others_and_the_default() {
        let class = |name: &str, default: bool| StorageClass {
            metadata: ObjectMeta {
                name: Some(name.into()),
                annotations: default.then(|| {
                    BTreeMap::from([(DEFAULT_CLASS_ANNOTATION.to_owned(), "true".to_owned())])
                }),
                ..Default::default()
            },
            ..Default::default()
        };
        let classes = [class("standard", true), class("premium", false)];
        // The list of classes is what the user chooses from: its wording is the behaviour.
        let err = check_storage_class("fast", &classes).unwrap_err();
        let Error::Preflight { message, .. } = err else {
            panic!("not a preflight failure: {err:?}");
        };
        assert!(
            message.contains("the cluster has: standard (default), premium"),
            "{message}"
        );
        assert!(check_storage_class("premium", &classes).is_ok());
        let none = check_storage_class("fast", &[]).unwrap_err();
        assert!(matches!(none, Error::Preflight { .. }), "{none:?}");
    }

    #[test]
    fn the_tutorial_fits_four_ordinary_nodes() {
        let nodes = vec![node("4", "16Gi"); 4];
        assert!(capacity_warnings(&tutorial_sts(), 3, &nodes).is_empty());
    }

    #[test]
    fn too_many_replicas_warn_with_the_numbers() {
        let nodes = vec![node("1", "2Gi"); 2];
        let warnings = capacity_warnings(&tutorial_sts(), 5, &nodes);
        assert_eq!(
            warnings,
            vec![
                "5 pods × 500m cpu = 2.5 requested, but the nodes can allocate 2 in all; some pods will stay Pending".to_owned(),
                "5 pods × 1GiB memory = 5GiB requested, but the nodes can allocate 4GiB in all; some pods will stay Pending".to_owned(),
            ]
        );
    }

    #[test]
    fn a_pod_larger_than_any_node_is_called_out() {
        let c = Capacity {
            resource: "cpu",
            requested_each: 64.0,
            replicas: 3,
            allocatable: 128.0,
            largest_node: 32.0,
        };
        assert!(
            capacity_warning(&c)
                .unwrap()
                .contains("more than any node can allocate (largest: 32)")
        );
    }

    #[test]
    fn unschedulable_nodes_do_not_count() {
        let mut cordoned = node("100", "100Gi");
        cordoned.spec = Some(NodeSpec {
            unschedulable: Some(true),
            ..Default::default()
        });
        let warnings = capacity_warnings(&tutorial_sts(), 3, &[cordoned, node("1", "1Gi")]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn the_claims_storage_class_is_found() {
        assert_eq!(storage_class_of(&tutorial_sts()), Some("fast"));
    }
}
