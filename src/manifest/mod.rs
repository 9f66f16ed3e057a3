//! Templates → typed objects: the tutorial's manifests with casctl's settings laid over them.

pub(crate) mod overlay;
pub(crate) mod templates;

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::storage::v1::StorageClass;
use serde::Serialize;

use crate::error::Error;
use crate::values::{DnsLabel, EnvVar, HeapSize, Quantity, StorageClassChoice};
pub(crate) use overlay::{Rack, Target, placement_of};
pub(crate) use templates::Templates;

/// What goes into the rendered objects, validated once from the flags. `None` keeps the
/// template's value (the tutorial's).
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    pub(crate) replicas: Option<u32>,
    pub(crate) image: Option<String>,
    pub(crate) cluster_name: Option<String>,
    pub(crate) dc: Option<String>,
    pub(crate) rack: Option<String>,
    pub(crate) num_tokens: Option<u32>,
    pub(crate) rpc_address: Option<String>,
    /// Any other variables, applied last.
    pub(crate) env: Vec<EnvVar>,
    pub(crate) heap_max: Option<HeapSize>,
    pub(crate) heap_new: Option<HeapSize>,
    pub(crate) cpu: Option<Quantity>,
    pub(crate) memory: Option<Quantity>,
    /// `None` keeps the template's class; `NoClass` is Kubernetes' `""`.
    pub(crate) storage_class: Option<StorageClassChoice>,
    pub(crate) storage_size: Option<Quantity>,
    /// Where the templates come from: built in, or the user's directory.
    pub(crate) templates: Option<std::path::PathBuf>,
    /// One StatefulSet per rack, in this order (`--racks`); empty: the tutorial's single one.
    pub(crate) racks: Vec<String>,
    /// The node label whose values are the zones racks are pinned to.
    pub(crate) zone_label: String,
}

/// The label every object carries with the instance name (the tutorial's own label).
pub(crate) const APP_LABEL: &str = "app";
/// The recommended labels: the application and the instance.
pub(crate) const NAME_LABEL: &str = "app.kubernetes.io/name";
pub(crate) const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
pub(crate) const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// The rack of a ring with racks, on its StatefulSet, in its selector, on its pods and claims.
pub(crate) const RACK_LABEL: &str = "casctl.io/rack";
/// The ring's racks in their order (`a,b,c`), on each rack's StatefulSet: "earlier racks"
/// and "racks in order" mean this order, not the names'.
pub(crate) const RACKS_ANNOTATION: &str = "casctl.io/racks";
/// The StatefulSet's container and claim template casctl sets values on.
pub(crate) const CONTAINER_NAME: &str = "cassandra";
pub(crate) const DATA_CLAIM: &str = "cassandra-data";

/// The labels of the selector (on every object, and inherited by the claims): the tutorial's
/// `app: <name>` and the recommended `app.kubernetes.io/*`, so both the tutorial's commands and
/// label-aware tools find the objects.
pub(crate) fn selector_labels(name: &DnsLabel) -> BTreeMap<String, String> {
    BTreeMap::from([
        (APP_LABEL.to_owned(), name.to_string()),
        (NAME_LABEL.to_owned(), "cassandra".to_owned()),
        (INSTANCE_LABEL.to_owned(), name.to_string()),
    ])
}

/// The selector of one rack's StatefulSet: the ring's labels and the rack's.
pub(crate) fn rack_selector_labels(name: &DnsLabel, rack: &str) -> BTreeMap<String, String> {
    let mut labels = selector_labels(name);
    labels.insert(RACK_LABEL.to_owned(), rack.to_owned());
    labels
}

/// The objects `up` applies, in the order it applies them.
#[derive(Debug, Clone)]
pub(crate) struct Manifests {
    pub(crate) storage_class: Option<StorageClass>,
    pub(crate) service: Service,
    /// The tutorial's single StatefulSet, or one per rack in rack order.
    pub(crate) statefulsets: Vec<StatefulSet>,
}

impl Manifests {
    /// Loads the templates named by the settings and lays the settings over them. Racks get
    /// the replicas spread evenly and no zone of their own: where their pods go depends on the
    /// cluster's nodes, which only [`Manifests::build_racks`] is told about.
    pub(crate) fn build(
        target: &Target,
        settings: &Settings,
        with_storage_class: bool,
    ) -> Result<Self> {
        let templates = load(settings)?;
        let total = target
            .replicas
            .or(settings.replicas)
            .or_else(|| {
                templates
                    .statefulset
                    .spec
                    .as_ref()?
                    .replicas
                    .map(|r| r.max(0) as u32)
            })
            .unwrap_or(1);
        check_rack_sizes(total, settings.racks.len())?;
        let sizes = crate::racks::distribute(total, settings.racks.len());
        let racks: Vec<Rack> = settings
            .racks
            .iter()
            .zip(sizes)
            .map(|(name, replicas)| Rack {
                name: name.clone(),
                replicas,
                placement: crate::racks::Placement::Spread,
            })
            .collect();
        Self::from_templates(templates, target, settings, with_storage_class, &racks)
    }

    /// The objects of a ring with racks, each rack with its replicas and placement as `up`
    /// decided them from the cluster (`racks` in the order of `settings.racks`).
    pub(crate) fn build_racks(
        target: &Target,
        settings: &Settings,
        with_storage_class: bool,
        racks: &[Rack],
    ) -> Result<Self> {
        Self::from_templates(load(settings)?, target, settings, with_storage_class, racks)
    }

    fn from_templates(
        templates: Templates,
        target: &Target,
        settings: &Settings,
        with_storage_class: bool,
        racks: &[Rack],
    ) -> Result<Self> {
        check_racks(target, settings)?;
        let statefulsets = match racks.is_empty() {
            true => vec![overlay::statefulset(
                templates.statefulset,
                target,
                settings,
                None,
            )?],
            false => racks
                .iter()
                .map(|rack| {
                    overlay::statefulset(
                        templates.statefulset.clone(),
                        target,
                        settings,
                        Some(rack),
                    )
                })
                .collect::<Result<_>>()?,
        };
        for sts in &statefulsets {
            overlay::check_consistency(sts)?;
        }
        Ok(Manifests {
            storage_class: with_storage_class
                .then(|| overlay::storage_class(templates.storage_class, target, settings)),
            service: overlay::service(templates.service, target),
            statefulsets,
        })
    }

    /// Multi-document YAML, in apply order.
    pub(crate) fn to_yaml(&self) -> Result<String> {
        let mut docs = Vec::new();
        if let Some(sc) = &self.storage_class {
            docs.push(to_yaml(sc)?);
        }
        docs.push(to_yaml(&self.service)?);
        for sts in &self.statefulsets {
            docs.push(to_yaml(sts)?);
        }
        Ok(docs.join("---\n"))
    }

    /// A `v1 List` of the objects, as `kubectl get -o json` prints several.
    pub(crate) fn to_json(&self) -> Result<String> {
        let mut items = Vec::new();
        if let Some(sc) = &self.storage_class {
            items.push(serde_json::to_value(sc)?);
        }
        items.push(serde_json::to_value(&self.service)?);
        for sts in &self.statefulsets {
            items.push(serde_json::to_value(sts)?);
        }
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
        Ok(serde_json::to_string_pretty(&list)? + "\n")
    }
}

/// Racks that name distinct StatefulSets, whose names leave room for the controller's
/// revision hash.
fn check_racks(target: &Target, settings: &Settings) -> Result<()> {
    let racks = &settings.racks;
    crate::racks::check_racks(racks).map_err(|e| Error::usage(format!("--racks: {e}"), None))?;
    for rack in racks {
        let set = format!("{}-{rack}", target.name);
        crate::values::parse_name(&set).map_err(|e| {
            Error::usage(
                format!("--racks: the StatefulSet name {set} {e}"),
                Some("use shorter rack names (or a shorter --name)".to_owned()),
            )
        })?;
    }
    Ok(())
}

/// Each of `racks` racks gets at least one of `total` nodes: a rack's pod 0 is a seed, and an
/// empty rack holds no replica.
pub(crate) fn check_rack_sizes(total: u32, racks: usize) -> Result<()> {
    if racks > 0 && (total as usize) < racks {
        return Err(Error::usage(
            format!(
                "{} for {racks} racks: each rack needs at least one node",
                crate::fmt::plural(total as usize, "node", "nodes"),
            ),
            Some("ask for at least one node per rack, or use fewer racks".to_owned()),
        )
        .into());
    }
    Ok(())
}

fn load(settings: &Settings) -> Result<Templates> {
    match &settings.templates {
        Some(dir) => Templates::from_dir(dir),
        None => Templates::builtin(),
    }
}

pub(crate) fn to_yaml<T: Serialize>(object: &T) -> Result<String> {
    serde_saphyr::to_string(object).context("encoding YAML")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::racks::Placement;
    use crate::values::{parse_name, parse_namespace, parse_subdomain};
    use k8s_openapi::api::core::v1::PodSpec;

    fn target(replicas: Option<u32>) -> Target {
        Target {
            name: parse_name("cassandra").unwrap(),
            namespace: parse_namespace("shop").unwrap(),
            replicas,
            cluster_domain: parse_subdomain("cluster.local").unwrap(),
        }
    }

    fn settings(racks: &[&str]) -> Settings {
        Settings {
            racks: racks.iter().map(|r| r.to_string()).collect(),
            zone_label: crate::racks::DEFAULT_ZONE_LABEL.to_owned(),
            ..Default::default()
        }
    }

    fn pod(sts: &StatefulSet) -> &PodSpec {
        sts.spec.as_ref().unwrap().template.spec.as_ref().unwrap()
    }

    fn env<'a>(sts: &'a StatefulSet, name: &str) -> Option<&'a str> {
        pod(sts).containers[0]
            .env
            .iter()
            .flatten()
            .find(|e| e.name == name)?
            .value
            .as_deref()
    }

    #[test]
    fn without_racks_the_statefulset_is_the_tutorials() {
        let m = Manifests::build(&target(None), &settings(&[]), false).unwrap();
        let [sts] = m.statefulsets.as_slice() else {
            panic!("one StatefulSet")
        };
        assert_eq!(sts.metadata.name.as_deref(), Some("cassandra"));
        assert!(
            !sts.metadata
                .labels
                .as_ref()
                .unwrap()
                .contains_key(RACK_LABEL)
        );
        assert_eq!(pod(sts).affinity, None);
        assert_eq!(pod(sts).topology_spread_constraints, None);
        assert_eq!(env(sts, "CASSANDRA_RACK"), Some("Rack1-K8Demo"));
        assert_eq!(
            env(sts, "CASSANDRA_SEEDS"),
            Some("cassandra-0.cassandra.shop.svc.cluster.local")
        );
    }

    #[test]
    fn each_rack_is_a_statefulset_of_its_own_selecting_only_its_pods() {
        let m = Manifests::build(&target(Some(7)), &settings(&["a", "b", "c"]), false).unwrap();
        let names: Vec<&str> = m
            .statefulsets
            .iter()
            .map(|s| s.metadata.name.as_deref().unwrap())
            .collect();
        assert_eq!(names, ["cassandra-a", "cassandra-b", "cassandra-c"]);
        let replicas: Vec<i32> = m
            .statefulsets
            .iter()
            .map(|s| s.spec.as_ref().unwrap().replicas.unwrap())
            .collect();
        assert_eq!(replicas, [3, 2, 2]);
        let b = &m.statefulsets[1];
        let spec = b.spec.as_ref().unwrap();
        let rack_labels = rack_selector_labels(&target(None).name, "b");
        assert_eq!(spec.selector.match_labels.as_ref(), Some(&rack_labels));
        assert_eq!(spec.service_name.as_deref(), Some("cassandra"));
        let pod_labels = spec.template.metadata.as_ref().unwrap().labels.as_ref();
        assert_eq!(
            pod_labels.unwrap().get(RACK_LABEL).map(String::as_str),
            Some("b")
        );
        let claim = &spec.volume_claim_templates.as_ref().unwrap()[0];
        let claim_labels = claim.metadata.labels.as_ref().unwrap();
        assert_eq!(claim_labels.get(RACK_LABEL).map(String::as_str), Some("b"));
        assert_eq!(
            b.metadata.annotations.as_ref().unwrap()[RACKS_ANNOTATION],
            "a,b,c"
        );
        assert_eq!(env(b, "CASSANDRA_RACK"), Some("b"));
        assert_eq!(
            env(b, "CASSANDRA_SEEDS"),
            Some(
                "cassandra-a-0.cassandra.shop.svc.cluster.local,cassandra-b-0.cassandra.shop.svc.cluster.local,\
                 cassandra-c-0.cassandra.shop.svc.cluster.local"
            )
        );
        // The Service selects every rack's pods.
        let service_selector = m.service.spec.as_ref().unwrap().selector.as_ref().unwrap();
        assert!(!service_selector.contains_key(RACK_LABEL));
    }

    #[test]
    fn racks_whose_zones_are_unknown_spread_and_prefer_a_node_each() {
        let m = Manifests::build(&target(Some(3)), &settings(&["a", "b", "c"]), false).unwrap();
        let spec = pod(&m.statefulsets[0]);
        let spread = &spec.topology_spread_constraints.as_ref().unwrap()[0];
        assert_eq!(spread.topology_key, crate::racks::DEFAULT_ZONE_LABEL);
        assert_eq!(spread.when_unsatisfiable, "ScheduleAnyway");
        let spread_labels = spread
            .label_selector
            .as_ref()
            .unwrap()
            .match_labels
            .as_ref();
        assert_eq!(spread_labels, Some(&selector_labels(&target(None).name)));
        let anti = spec
            .affinity
            .as_ref()
            .unwrap()
            .pod_anti_affinity
            .as_ref()
            .unwrap();
        let term = &anti
            .preferred_during_scheduling_ignored_during_execution
            .as_ref()
            .unwrap()[0]
            .pod_affinity_term;
        assert_eq!(term.topology_key, "kubernetes.io/hostname");
        assert_eq!(
            term.label_selector.as_ref().unwrap().match_labels.as_ref(),
            Some(&rack_selector_labels(&target(None).name, "a"))
        );
        assert_eq!(
            placement_of(&m.statefulsets[0], crate::racks::DEFAULT_ZONE_LABEL),
            Placement::Spread
        );
    }

    #[test]
    fn a_rack_pinned_to_a_zone_runs_only_on_its_nodes() {
        let racks = [("a", "zone-a"), ("b", "zone-b")].map(|(name, zone)| Rack {
            name: name.into(),
            replicas: 0,
            placement: Placement::Zone(zone.into()),
        });
        let m =
            Manifests::build_racks(&target(None), &settings(&["a", "b"]), false, &racks).unwrap();
        let b = &m.statefulsets[1];
        let node = pod(b)
            .affinity
            .as_ref()
            .unwrap()
            .node_affinity
            .as_ref()
            .unwrap();
        let term = &node
            .required_during_scheduling_ignored_during_execution
            .as_ref()
            .unwrap()
            .node_selector_terms[0];
        let expr = &term.match_expressions.as_ref().unwrap()[0];
        assert_eq!(
            (expr.key.as_str(), expr.operator.as_str()),
            (crate::racks::DEFAULT_ZONE_LABEL, "In")
        );
        assert_eq!(expr.values.as_deref(), Some(&["zone-b".to_owned()][..]));
        assert_eq!(pod(b).topology_spread_constraints, None);
        assert_eq!(b.spec.as_ref().unwrap().replicas, Some(0));
        assert_eq!(
            placement_of(b, crate::racks::DEFAULT_ZONE_LABEL),
            Placement::Zone("zone-b".into())
        );
        assert_eq!(placement_of(b, "other/label"), Placement::Spread);
    }

    #[test]
    fn racks_are_refused_when_they_repeat_leave_a_rack_empty_or_make_names_too_long() {
        let usage = |err: anyhow::Error| {
            let (code, _) = crate::error::classify(&err);
            assert_eq!(code, crate::error::Code::Usage, "{err:#}");
            err.to_string()
        };
        let twice = Manifests::build(&target(Some(3)), &settings(&["a", "b", "a"]), false);
        assert_eq!(usage(twice.unwrap_err()), "--racks: rack a is given twice");
        let empty = Manifests::build(&target(Some(2)), &settings(&["a", "b", "c"]), false);
        assert_eq!(
            usage(empty.unwrap_err()),
            "2 nodes for 3 racks: each rack needs at least one node"
        );
        let long = "r".repeat(50);
        let too_long = Manifests::build(&target(Some(1)), &settings(&[&long]), false);
        assert!(
            usage(too_long.unwrap_err()).starts_with("--racks: the StatefulSet name cassandra-rrr"),
        );
    }
}
