//! The typed overlay: sets casctl's fields on the template objects (like a kustomize patch),
//! leaving every other field of the template as it is.

use std::collections::BTreeMap;

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    Affinity, Container, EnvVar, NodeAffinity, NodeSelector, NodeSelectorRequirement,
    NodeSelectorTerm, PersistentVolumeClaim, PodAffinityTerm, PodAntiAffinity, PodSpec, Service,
    TopologySpreadConstraint, WeightedPodAffinityTerm,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::Settings;
use super::{
    CONTAINER_NAME, DATA_CLAIM, MANAGED_BY_LABEL, RACK_LABEL, RACKS_ANNOTATION,
    rack_selector_labels, selector_labels,
};
use crate::error::Error;
use crate::racks::{Layout, Placement};
use crate::values::{DnsLabel, DnsSubdomain, parse_heap_size, parse_quantity};

/// The node label that tells one node from another: a rack's pods prefer distinct nodes.
const HOSTNAME_LABEL: &str = "kubernetes.io/hostname";

/// Where the objects go and how many nodes the ring has.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) name: DnsLabel,
    pub(crate) namespace: DnsLabel,
    /// `None` keeps the template's replicas.
    pub(crate) replicas: Option<u32>,
    pub(crate) cluster_domain: DnsSubdomain,
}

/// One rack of a ring with racks: its name, its replicas and where its pods go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rack {
    pub(crate) name: String,
    pub(crate) replicas: u32,
    pub(crate) placement: Placement,
}

/// Names the object and gives it the selector labels plus `managed-by: casctl`.
fn set_metadata(meta: &mut ObjectMeta, target: &Target, namespaced: bool) {
    meta.name = Some(target.name.to_string());
    if namespaced {
        meta.namespace = Some(target.namespace.to_string());
    }
    let labels = meta.labels.get_or_insert_with(BTreeMap::new);
    labels.extend(selector_labels(&target.name));
    labels.insert(MANAGED_BY_LABEL.to_owned(), "casctl".to_owned());
}

pub(crate) fn service(mut service: Service, target: &Target) -> Service {
    set_metadata(&mut service.metadata, target, true);
    service.spec.get_or_insert_with(Default::default).selector =
        Some(selector_labels(&target.name));
    service
}

pub(crate) fn storage_class(
    mut class: StorageClass,
    _target: &Target,
    settings: &Settings,
) -> StorageClass {
    if let Some(name) = settings.storage_class.as_ref().and_then(|c| c.name()) {
        class.metadata.name = Some(name.to_string());
    }
    let labels = class.metadata.labels.get_or_insert_with(BTreeMap::new);
    labels.insert(MANAGED_BY_LABEL.to_owned(), "casctl".to_owned());
    class
}

/// The tutorial's StatefulSet (`rack` is `None`), or one rack's: named `<name>-<rack>`,
/// selecting only its own pods by the rack label, its nodes told their rack by
/// `CASSANDRA_RACK`, its pods placed by the rack's [`Placement`].
pub(crate) fn statefulset(
    mut sts: StatefulSet,
    target: &Target,
    settings: &Settings,
    rack: Option<&Rack>,
) -> Result<StatefulSet> {
    set_metadata(&mut sts.metadata, target, true);
    let selector = match rack {
        Some(rack) => {
            set_rack_metadata(&mut sts.metadata, target, settings, rack);
            rack_selector_labels(&target.name, &rack.name)
        }
        None => selector_labels(&target.name),
    };
    let spec = sts.spec.get_or_insert_with(Default::default);
    spec.service_name = Some(target.name.to_string());
    spec.selector = LabelSelector {
        match_labels: Some(selector.clone()),
        match_expressions: None,
    };
    let replicas = match rack {
        Some(rack) => Some(rack.replicas),
        None => target.replicas.or(settings.replicas),
    };
    if let Some(replicas) = replicas {
        spec.replicas = Some(replicas as i32);
    }
    let pod_meta = spec.template.metadata.get_or_insert_with(Default::default);
    pod_meta
        .labels
        .get_or_insert_with(BTreeMap::new)
        .extend(selector.clone());

    let pod = spec
        .template
        .spec
        .as_mut()
        .ok_or_else(missing("spec.template.spec"))?;
    if let Some(rack) = rack {
        place(pod, rack, &selector, &settings.zone_label);
    }
    let container = cassandra_container(&mut pod.containers)?;
    if let Some(image) = &settings.image {
        container.image = Some(image.clone());
    }
    set_resources(container, settings);
    let env = container.env.get_or_insert_with(Vec::new);
    for (name, value) in env_settings(target, settings, rack) {
        set_env(env, &name, value);
    }

    let claims = spec.volume_claim_templates.get_or_insert_with(Vec::new);
    let claim = data_claim(claims)?;
    claim
        .metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .extend(selector);
    let claim_spec = claim.spec.get_or_insert_with(Default::default);
    if let Some(class) = &settings.storage_class {
        claim_spec.storage_class_name = Some(class.to_string());
    }
    if let Some(size) = &settings.storage_size {
        let resources = claim_spec.resources.get_or_insert_with(Default::default);
        resources
            .requests
            .get_or_insert_with(BTreeMap::new)
            .insert("storage".to_owned(), Quantity(size.to_string()));
    }
    Ok(sts)
}

/// A rack's StatefulSet: its own name, the rack label, and the ring's racks in order.
fn set_rack_metadata(meta: &mut ObjectMeta, target: &Target, settings: &Settings, rack: &Rack) {
    meta.name = Some(format!("{}-{}", target.name, rack.name));
    meta.labels
        .get_or_insert_with(BTreeMap::new)
        .insert(RACK_LABEL.to_owned(), rack.name.clone());
    meta.annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(RACKS_ANNOTATION.to_owned(), settings.racks.join(","));
}

/// Where a rack's pods run: pinned to its zone (a required node affinity) or spread over the
/// zones with the whole ring's pods (a topology spread constraint, best effort, so that nodes
/// without the label still take pods); and, either way, preferably each on a node of its own.
fn place(pod: &mut PodSpec, rack: &Rack, selector: &BTreeMap<String, String>, zone_label: &str) {
    let affinity = pod.affinity.get_or_insert_with(Affinity::default);
    match &rack.placement {
        Placement::Zone(zone) => {
            affinity.node_affinity = Some(NodeAffinity {
                required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                    node_selector_terms: vec![NodeSelectorTerm {
                        match_expressions: Some(vec![NodeSelectorRequirement {
                            key: zone_label.to_owned(),
                            operator: "In".to_owned(),
                            values: Some(vec![zone.clone()]),
                        }]),
                        match_fields: None,
                    }],
                }),
                preferred_during_scheduling_ignored_during_execution: None,
            });
        }
        Placement::Spread => {
            let mut ring = selector.clone();
            ring.remove(RACK_LABEL);
            pod.topology_spread_constraints = Some(vec![TopologySpreadConstraint {
                max_skew: 1,
                topology_key: zone_label.to_owned(),
                when_unsatisfiable: "ScheduleAnyway".to_owned(),
                label_selector: Some(LabelSelector {
                    match_labels: Some(ring),
                    match_expressions: None,
                }),
                ..Default::default()
            }]);
        }
    }
    affinity.pod_anti_affinity = Some(PodAntiAffinity {
        preferred_during_scheduling_ignored_during_execution: Some(vec![WeightedPodAffinityTerm {
            weight: 100,
            pod_affinity_term: PodAffinityTerm {
                label_selector: Some(LabelSelector {
                    match_labels: Some(selector.clone()),
                    match_expressions: None,
                }),
                topology_key: HOSTNAME_LABEL.to_owned(),
                ..Default::default()
            },
        }]),
        required_during_scheduling_ignored_during_execution: None,
    });
}

/// Where a rack's pods are placed, read back from its StatefulSet: pinned to the zone of its
/// required node affinity on `zone_label`, else spread.
pub(crate) fn placement_of(sts: &StatefulSet, zone_label: &str) -> Placement {
    let zone = sts
        .spec
        .as_ref()
        .and_then(|s| {
            s.template
                .spec
                .as_ref()?
                .affinity
                .as_ref()?
                .node_affinity
                .as_ref()
        })
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .and_then(|selector| {
            selector
                .node_selector_terms
                .first()?
                .match_expressions
                .as_ref()
        })
        .and_then(|exprs| {
            exprs
                .iter()
                .find(|e| e.key == zone_label && e.operator == "In")
        })
        .and_then(|e| match e.values.as_deref() {
            Some([zone]) => Some(zone.clone()),
            _ => None,
        });
    zone.map_or(Placement::Spread, Placement::Zone)
}

fn missing(field: &'static str) -> impl Fn() -> anyhow::Error {
    move || {
        Error::usage(
            format!("the StatefulSet template has no {field}"),
            Some("start from the built-in template: `casctl render` prints it".to_owned()),
        )
        .into()
    }
}

/// The container named `cassandra`, else the only one.
fn cassandra_container(containers: &mut [Container]) -> Result<&mut Container> {
    let index = containers
        .iter()
        .position(|c| c.name == CONTAINER_NAME)
        .or((containers.len() == 1).then_some(0))
        .ok_or_else(missing("container named `cassandra`"))?;
    Ok(&mut containers[index])
}

/// The claim template named `cassandra-data`, else the only one.
fn data_claim(claims: &mut [PersistentVolumeClaim]) -> Result<&mut PersistentVolumeClaim> {
    let index = claims
        .iter()
        .position(|c| c.metadata.name.as_deref() == Some(DATA_CLAIM))
        .or((claims.len() == 1).then_some(0))
        .ok_or_else(missing("volume claim template named `cassandra-data`"))?;
    Ok(&mut claims[index])
}

/// CPU and memory: requests equal limits, as in the tutorial (Guaranteed QoS).
fn set_resources(container: &mut Container, settings: &Settings) {
    let values = [("cpu", &settings.cpu), ("memory", &settings.memory)];
    if values.iter().all(|(_, v)| v.is_none()) {
        return;
    }
    let resources = container.resources.get_or_insert_with(Default::default);
    for (resource, value) in values {
        let Some(value) = value else { continue };
        for map in [&mut resources.requests, &mut resources.limits] {
            map.get_or_insert_with(BTreeMap::new)
                .insert(resource.to_owned(), Quantity(value.to_string()));
        }
    }
}

/// The environment variables the settings give, in the order they are applied: the computed
/// seeds, the flags (a rack's name as its `CASSANDRA_RACK`), then `--env` (which overrides
/// everything before it).
fn env_settings(target: &Target, s: &Settings, rack: Option<&Rack>) -> Vec<(String, String)> {
    let flags = [
        (
            "MAX_HEAP_SIZE",
            s.heap_max.as_ref().map(|h| h.as_str().to_owned()),
        ),
        (
            "HEAP_NEWSIZE",
            s.heap_new.as_ref().map(|h| h.as_str().to_owned()),
        ),
        ("CASSANDRA_CLUSTER_NAME", s.cluster_name.clone()),
        ("CASSANDRA_DC", s.dc.clone()),
        (
            "CASSANDRA_RACK",
            rack.map(|r| r.name.clone()).or_else(|| s.rack.clone()),
        ),
        ("CASSANDRA_NUM_TOKENS", s.num_tokens.map(|n| n.to_string())),
        ("CASSANDRA_RPC_ADDRESS", s.rpc_address.clone()),
    ];
    let layout = match s.racks.is_empty() {
        true => Layout::single(target.name.as_str()),
        false => Layout::racked(target.name.as_str(), s.racks.clone()),
    };
    let seeds = layout.seeds(target.namespace.as_str(), target.cluster_domain.as_str());
    let mut env = vec![("CASSANDRA_SEEDS".to_owned(), seeds)];
    env.extend(
        flags
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v?))),
    );
    env.extend(s.env.iter().map(|e| (e.name.clone(), e.value.clone())));
    env
}

/// Sets a variable in place (keeping the template's order), or appends it.
fn set_env(env: &mut Vec<EnvVar>, name: &str, value: String) {
    match env.iter_mut().find(|e| e.name == name) {
        Some(var) => {
            var.value = Some(value);
            var.value_from = None;
        }
        None => env.push(EnvVar {
            name: name.to_owned(),
            value: Some(value),
            value_from: None,
        }),
    }
}

/// Rejects settings that Cassandra would fail on at start: a young generation as large as the
/// heap, or a heap larger than the container's memory limit (the kernel would kill the JVM).
pub(crate) fn check_consistency(sts: &StatefulSet) -> Result<()> {
    let Some(container) = sts
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.containers.iter().find(|c| c.name == CONTAINER_NAME))
    else {
        return Ok(());
    };
    let env = |name: &str| {
        container
            .env
            .iter()
            .flatten()
            .find(|e| e.name == name)
            .and_then(|e| e.value.as_deref())
            .and_then(|v| parse_heap_size(v).ok())
    };
    let (heap_max, heap_new) = (env("MAX_HEAP_SIZE"), env("HEAP_NEWSIZE"));
    if let (Some(max), Some(new)) = (&heap_max, &heap_new)
        && new.bytes() >= max.bytes()
    {
        return Err(Error::usage(
            format!(
                "HEAP_NEWSIZE {} is not smaller than MAX_HEAP_SIZE {}",
                new.as_str(),
                max.as_str()
            ),
            Some(
                "the young generation is a part of the heap: lower --heap-new or raise --heap-max"
                    .to_owned(),
            ),
        )
        .into());
    }
    let memory_limit = container
        .resources
        .as_ref()
        .and_then(|r| r.limits.as_ref())
        .and_then(|l| l.get("memory"))
        .and_then(|q| parse_quantity(&q.0).ok());
    if let (Some(max), Some(limit)) = (&heap_max, &memory_limit)
        && max.bytes() as f64 >= limit.value()
    {
        return Err(Error::usage(
            format!(
                "MAX_HEAP_SIZE {} does not fit in the memory limit {}",
                max.as_str(),
                limit
            ),
            Some(
                "the JVM needs memory beyond its heap: raise --memory or lower --heap-max"
                    .to_owned(),
            ),
        )
        .into());
    }
    Ok(())
}
