//! The templates: plain Kubernetes YAML (the tutorial's, built in, or the user's own), parsed
//! into typed objects. A field the typed model does not know is an error, not a silent drop.

use std::path::Path;

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::storage::v1::StorageClass;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Error;

pub(crate) const SERVICE_FILE: &str = "service.yaml";
pub(crate) const STATEFULSET_FILE: &str = "statefulset.yaml";
pub(crate) const STORAGECLASS_FILE: &str = "storageclass.yaml";

const BUILTIN_SERVICE: &str = include_str!("../../templates/service.yaml");
const BUILTIN_STATEFULSET: &str = include_str!("../../templates/statefulset.yaml");
const BUILTIN_STORAGECLASS: &str = include_str!("../../templates/storageclass.yaml");

/// The three base objects the overlay starts from.
#[derive(Debug, Clone)]
pub(crate) struct Templates {
    pub(crate) service: Service,
    pub(crate) statefulset: StatefulSet,
    pub(crate) storage_class: StorageClass,
}

impl Templates {
    /// The tutorial's manifests, embedded in the binary.
    pub(crate) fn builtin() -> Result<Self> {
        Ok(Templates {
            service: parse(BUILTIN_SERVICE, SERVICE_FILE)?,
            statefulset: parse(BUILTIN_STATEFULSET, STATEFULSET_FILE)?,
            storage_class: parse(BUILTIN_STORAGECLASS, STORAGECLASS_FILE)?,
        })
    }

    /// The user's own `service.yaml` and `statefulset.yaml` (and, if present,
    /// `storageclass.yaml`) from `dir`.
    pub(crate) fn from_dir(dir: &Path) -> Result<Self> {
        let read = |file: &str| -> Result<String> {
            let path = dir.join(file);
            std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))
                .context(Error::usage(
                    format!("cannot use the templates in {}", dir.display()),
                    Some("--templates DIR needs service.yaml and statefulset.yaml".to_owned()),
                ))
        };
        let storage_class = match dir.join(STORAGECLASS_FILE).exists() {
            true => parse(&read(STORAGECLASS_FILE)?, STORAGECLASS_FILE)?,
            false => parse(BUILTIN_STORAGECLASS, STORAGECLASS_FILE)?,
        };
        Ok(Templates {
            service: parse(&read(SERVICE_FILE)?, SERVICE_FILE)?,
            statefulset: parse(&read(STATEFULSET_FILE)?, STATEFULSET_FILE)?,
            storage_class,
        })
    }
}

/// Parses one template into its typed object and rejects any field the type does not have.
pub(crate) fn parse<T: DeserializeOwned + Serialize>(text: &str, file: &str) -> Result<T> {
    let raw: serde_json::Value = single_document(text, file)?;
    let typed: T = single_document(text, file)?;
    let known = serde_json::to_value(&typed).context("re-encoding the template")?;
    let mut unknown = Vec::new();
    unknown_fields(&raw, &known, String::new(), &mut unknown);
    if !unknown.is_empty() {
        return Err(anyhow::anyhow!("unknown field(s): {}", unknown.join(", ")))
            .with_context(|| bad_template(file));
    }
    Ok(typed)
}

fn bad_template(file: &str) -> Error {
    Error::usage(
        format!("template {file} is not a valid object"),
        Some("fix the template; `casctl render` shows what the built-in ones produce".to_owned()),
    )
}

/// The one object of a template file. Empty documents (a leading or trailing `---`) do not
/// count; more or fewer than one object is a usage error of its own.
fn single_document<T: DeserializeOwned>(text: &str, file: &str) -> Result<T> {
    let mut documents: Vec<T> = serde_saphyr::from_multiple(text)
        .map_err(|e| anyhow::anyhow!(crate::fmt::yaml_error(file, &e)))
        .with_context(|| bad_template(file))?;
    match documents.len() {
        1 => Ok(documents.remove(0)),
        count => Err(document_count_error(file, count).into()),
    }
}

fn document_count_error(file: &str, count: usize) -> Error {
    let holds = match count {
        0 => "no YAML document".to_owned(),
        n => format!("{n} YAML documents"),
    };
    Error::usage(
        format!("{file} holds {holds}; casctl reads one object per file"),
        Some(format!(
            "put one object in each of {SERVICE_FILE}, {STATEFULSET_FILE} and (optionally) {STORAGECLASS_FILE}"
        )),
    )
}

/// Collects the paths present in `raw` but dropped by the typed round trip (`known`).
fn unknown_fields(
    raw: &serde_json::Value,
    known: &serde_json::Value,
    path: String,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    match (raw, known) {
        (Value::Object(raw), Value::Object(known)) => {
            for (key, value) in raw {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match known.get(key) {
                    Some(k) => unknown_fields(value, k, child, out),
                    None if value.is_null() => {}
                    None => out.push(child),
                }
            }
        }
        (Value::Array(raw), Value::Array(known)) => {
            for (i, (r, k)) in raw.iter().zip(known).enumerate() {
                unknown_fields(r, k, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Service;

    #[test]
    fn builtin_templates_parse_with_no_unknown_field() {
        let t = Templates::builtin().unwrap();
        assert_eq!(t.service.metadata.name.as_deref(), Some("cassandra"));
        assert_eq!(t.statefulset.spec.unwrap().replicas, Some(3));
        assert_eq!(t.storage_class.provisioner, "k8s.io/minikube-hostpath");
    }

    #[test]
    fn a_misspelt_field_is_rejected_with_its_path() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: c\nspec:\n  clusterIp: None\n  ports:\n    - port: 9042\n      protocl: TCP\n";
        let err = parse::<Service>(text, "service.yaml").unwrap_err();
        let chain = format!("{err:#}");
        assert!(chain.contains("spec.clusterIp"), "{chain}");
        assert!(chain.contains("spec.ports[0].protocl"), "{chain}");
    }

    #[test]
    fn a_wrong_kind_is_rejected() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: c\n";
        assert!(parse::<Service>(text, "service.yaml").is_err());
    }

    #[test]
    fn null_fields_are_not_unknown() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: c\n  labels: null\n";
        assert!(parse::<Service>(text, "service.yaml").is_ok());
    }

    #[test]
    fn a_file_with_two_objects_says_so() {
        let two = format!("{BUILTIN_SERVICE}---\n{BUILTIN_SERVICE}");
        let err = parse::<Service>(&two, "service.yaml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "service.yaml holds 2 YAML documents; casctl reads one object per file"
        );
        assert_eq!(
            crate::error::classify(&err),
            (
                crate::error::Code::Usage,
                Some(
                    "put one object in each of service.yaml, statefulset.yaml and (optionally) \
                     storageclass.yaml"
                        .to_owned()
                )
            )
        );
        let chain = format!("{err:#}");
        assert!(!chain.contains("from_str_multiple"), "{chain}");
    }

    #[test]
    fn an_empty_file_holds_no_object() {
        for empty in ["", "# nothing\n", "---\n"] {
            let err = parse::<Service>(empty, "service.yaml").unwrap_err();
            assert_eq!(
                err.to_string(),
                "service.yaml holds no YAML document; casctl reads one object per file"
            );
        }
    }

    #[test]
    fn empty_documents_around_the_object_do_not_count() {
        let framed = format!("---\n{BUILTIN_SERVICE}---\n");
        assert!(parse::<Service>(&framed, "service.yaml").is_ok());
    }

    #[test]
    fn user_templates_come_from_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SERVICE_FILE), BUILTIN_SERVICE).unwrap();
        let err = Templates::from_dir(dir.path()).unwrap_err();
        assert!(format!("{err:#}").contains("statefulset.yaml"));
        let custom =
            BUILTIN_STATEFULSET.replace("imagePullPolicy: Always", "imagePullPolicy: IfNotPresent");
        std::fs::write(dir.path().join(STATEFULSET_FILE), custom).unwrap();
        let t = Templates::from_dir(dir.path()).unwrap();
        let pod = t.statefulset.spec.unwrap().template.spec.unwrap();
        assert_eq!(
            pod.containers[0].image_pull_policy.as_deref(),
            Some("IfNotPresent")
        );
    }
}
