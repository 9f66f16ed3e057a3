//! Templates → typed objects: the tutorial's manifests with casctl's settings laid over them.

pub(crate) mod overlay;
pub(crate) mod templates;

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::storage::v1::StorageClass;
use serde::Serialize;

use crate::values::{DnsLabel, EnvVar, HeapSize, Quantity, StorageClassChoice};
pub(crate) use overlay::Target;
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
}

/// The label every object carries with the instance name (the tutorial's own label).
pub(crate) const APP_LABEL: &str = "app";
/// The recommended labels: the application and the instance.
pub(crate) const NAME_LABEL: &str = "app.kubernetes.io/name";
pub(crate) const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
pub(crate) const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
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

/// The objects `up` applies, in the order it applies them.
#[derive(Debug, Clone)]
pub(crate) struct Manifests {
    pub(crate) storage_class: Option<StorageClass>,
    pub(crate) service: Service,
    pub(crate) statefulset: StatefulSet,
}

impl Manifests {
    /// Loads the templates named by the settings and lays the settings over them.
    pub(crate) fn build(
        target: &Target,
        settings: &Settings,
        with_storage_class: bool,
    ) -> Result<Self> {
        let templates = match &settings.templates {
            Some(dir) => Templates::from_dir(dir)?,
            None => Templates::builtin()?,
        };
        let manifests = Manifests {
            storage_class: with_storage_class
                .then(|| overlay::storage_class(templates.storage_class, target, settings)),
            service: overlay::service(templates.service, target),
            statefulset: overlay::statefulset(templates.statefulset, target, settings)?,
        };
        overlay::check_consistency(&manifests.statefulset)?;
        Ok(manifests)
    }

    /// Multi-document YAML, in apply order.
    pub(crate) fn to_yaml(&self) -> Result<String> {
        let mut docs = Vec::new();
        if let Some(sc) = &self.storage_class {
            docs.push(to_yaml(sc)?);
        }
        docs.push(to_yaml(&self.service)?);
        docs.push(to_yaml(&self.statefulset)?);
        Ok(docs.join("---\n"))
    }

    /// A `v1 List` of the objects, as `kubectl get -o json` prints several.
    pub(crate) fn to_json(&self) -> Result<String> {
        let mut items = Vec::new();
        if let Some(sc) = &self.storage_class {
            items.push(serde_json::to_value(sc)?);
        }
        items.push(serde_json::to_value(&self.service)?);
        items.push(serde_json::to_value(&self.statefulset)?);
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
        Ok(serde_json::to_string_pretty(&list)? + "\n")
    }
}

pub(crate) fn to_yaml<T: Serialize>(object: &T) -> Result<String> {
    serde_saphyr::to_string(object).context("encoding YAML")
}
