//! `casctl up`: the tutorial's "create the Service, create the StatefulSet, watch the pods come
//! up", with preflight checks before any write and a rollout that ends when the ring is whole.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::authorization::v1::{
    SelfSubjectRulesReview, SelfSubjectRulesReviewSpec, SubjectRulesReviewStatus,
};
use k8s_openapi::api::core::v1::{Namespace, Node, Service};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::Resource;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cli::{DryRun, GlobalArgs, UpArgs};
use crate::error::{Code, UserError};
use crate::k8s::watch::{self, Goal};
use crate::k8s::{Cluster, FIELD_MANAGER, objects};
use crate::manifest::{self, Manifests, Target};
use crate::preflight;
use crate::ui::Ui;

/// How long the first request may take before the API server counts as unreachable.
const REACH_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn run(cluster: &Cluster, global: &GlobalArgs, args: &UpArgs, ui: &Ui) -> Result<Code> {
    let started = Instant::now();
    if args.dry_run == Some(DryRun::Client) {
        let manifests = build(cluster, args, None)?;
        crate::ui::write_stdout(manifests.to_yaml()?)?;
        return Ok(Code::Ok);
    }
    let observed = observe(cluster, args.create_storage_class).await?;
    ui.detail(format!(
        "preflight reads took {} ms",
        started.elapsed().as_millis()
    ));
    let current = observed.statefulset.as_ref().map(crate::rollout::replicas);
    let replicas = replicas_to_apply(args.settings.replicas, current, global)?;
    let manifests = build(cluster, args, Some(replicas))?;
    preflight(
        cluster,
        &observed,
        &manifests,
        replicas.max(args.settings.replicas.unwrap_or(0)),
        ui,
    )?;

    let dry_run = args.dry_run == Some(DryRun::Server);
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_owned()),
        force: args.force_conflicts,
        dry_run,
        ..Default::default()
    };
    if let Some(class) = &manifests.storage_class {
        let api: Api<StorageClass> = Api::all(cluster.client.clone());
        let name = class.metadata.name.clone().unwrap_or_default();
        let before = api
            .get_opt(&name)
            .await
            .map_err(|e| cluster.explain(e, "get", "storageclasses"))?;
        apply(cluster, &api, class, before, &params, "storageclasses", ui).await?;
    }
    apply(
        cluster,
        &cluster.api::<Service>(),
        &manifests.service,
        observed.service,
        &params,
        "services",
        ui,
    )
    .await?;
    apply(
        cluster,
        &cluster.api::<StatefulSet>(),
        &manifests.statefulset,
        observed.statefulset,
        &params,
        "statefulsets",
        ui,
    )
    .await?;
    if dry_run {
        return Ok(Code::Ok);
    }
    ui.detail(format!(
        "applied after {} ms",
        started.elapsed().as_millis()
    ));
    let wanted = args.settings.replicas.unwrap_or(replicas);
    if wanted > replicas {
        crate::cmd::scale::set_replicas(cluster, wanted).await?;
    }
    if args.no_wait {
        ui.info("not waiting for the rollout (--no-wait); follow it with `casctl status`");
        return Ok(Code::Ok);
    }
    let selector = objects::selector_string(&manifest::selector_labels(&cluster.name));
    let goal = Goal {
        replicas: wanted,
        ring_check: !args.no_ring_check,
        timeout: args.timeout,
    };
    watch::rollout(cluster, &selector, goal, ui).await?;
    ui.success(format!(
        "{} is up in namespace {}: {wanted}/{wanted} pods Ready{} ({}s)",
        cluster.name,
        cluster.namespace(),
        if args.no_ring_check {
            ""
        } else {
            ", ring complete"
        },
        started.elapsed().as_secs()
    ));
    Ok(Code::Ok)
}

fn build(cluster: &Cluster, args: &UpArgs, replicas: Option<u32>) -> Result<Manifests> {
    let target = Target {
        name: cluster.name.clone(),
        namespace: cluster.resolved.namespace.clone(),
        replicas,
        cluster_domain: args.settings.cluster_domain.clone(),
    };
    Manifests::build(&target, &args.settings, args.create_storage_class)
}

/// The replicas `up` applies. A running ring keeps its size: `up` never shrinks it (that needs
/// decommissioning, which is `casctl scale`), and grows it through the scale subresource after
/// the apply, as `scale` does.
fn replicas_to_apply(flag: Option<u32>, current: Option<u32>, global: &GlobalArgs) -> Result<u32> {
    match (flag, current) {
        (Some(wanted), Some(current)) if wanted < current => Err(UserError::usage(format!(
            "the ring has {current} nodes; `up --replicas {wanted}` would remove nodes without decommissioning them"
        ))
        .hint(format!(
            "shrink it safely with: casctl scale {wanted} -n {} --name {}",
            global.namespace.as_ref().map_or("NAMESPACE", |n| n.as_str()),
            global.name
        ))
        .into()),
        (_, Some(current)) => Ok(current),
        (Some(wanted), None) => Ok(wanted),
        (None, None) => Ok(crate::manifest::Templates::builtin()?
            .statefulset
            .spec
            .and_then(|s| s.replicas)
            .map_or(1, |r| r.max(1) as u32)),
    }
}

/// What `up` reads before it writes.
struct Observed {
    statefulset: Option<StatefulSet>,
    service: Option<Service>,
    /// `None` when the user may not read namespaces (the Pod Security check is skipped).
    namespace: Option<Namespace>,
    rules: SubjectRulesReviewStatus,
    /// `None` when the StorageClass is created by `up` itself.
    classes: Option<Vec<StorageClass>>,
    /// `None` when the user may not list nodes (the capacity check is skipped).
    nodes: Option<Vec<Node>>,
}

/// Reads everything the preflight needs, concurrently, bounded by one timeout so that an
/// unreachable API server is reported within seconds. Errors come in the order of the checks.
async fn observe(cluster: &Cluster, creates_class: bool) -> Result<Observed> {
    let ns = cluster.namespace();
    let all =
        |verb: &'static str, resource: &'static str| move |e| cluster.explain(e, verb, resource);
    let (namespaces, nodes_api) = (
        Api::<Namespace>::all(cluster.client.clone()),
        Api::<Node>::all(cluster.client.clone()),
    );
    let list_all = ListParams::default();
    let reads = async {
        tokio::join!(
            namespaces.get_opt(ns),
            rules_review(cluster),
            objects::statefulset(cluster),
            objects::service(cluster),
            async {
                match creates_class {
                    true => Ok(None),
                    false => Api::<StorageClass>::all(cluster.client.clone())
                        .list(&ListParams::default())
                        .await
                        .map(|l| Some(l.items)),
                }
            },
            nodes_api.list(&list_all),
        )
    };
    let (namespace, rules, statefulset, service, classes, nodes) =
        tokio::time::timeout(REACH_TIMEOUT, reads)
            .await
            .map_err(|_| unreachable(cluster))?;
    let namespace = match namespace {
        Ok(Some(namespace)) => Some(namespace),
        Ok(None) => {
            return Err(UserError::new(format!("namespace {ns} does not exist"))
                .hint(format!("create it first: kubectl create namespace {ns}"))
                .into());
        }
        Err(err) if matches!(&err, kube::Error::Api(s) if s.is_forbidden()) => None,
        Err(err) => return Err(cluster.explain(err, "get", "namespaces")),
    };
    Ok(Observed {
        namespace,
        rules: rules?,
        statefulset: statefulset?,
        service: service?,
        classes: classes.map_err(all("list", "storageclasses"))?,
        nodes: nodes.ok().map(|l| l.items),
    })
}

fn unreachable(cluster: &Cluster) -> anyhow::Error {
    UserError::new(format!(
        "the API server at {} (context \"{}\") did not answer within {}s",
        cluster.resolved.server,
        cluster.resolved.context,
        REACH_TIMEOUT.as_secs()
    ))
    .hint(format!(
        "check that the cluster is running and that the kubeconfig {} points at it",
        cluster.source
    ))
    .into()
}

/// What the user may do in the namespace (one SelfSubjectRulesReview).
async fn rules_review(cluster: &Cluster) -> Result<SubjectRulesReviewStatus> {
    let review = SelfSubjectRulesReview {
        spec: SelfSubjectRulesReviewSpec {
            namespace: Some(cluster.namespace().to_owned()),
        },
        ..Default::default()
    };
    let answer = Api::<SelfSubjectRulesReview>::all(cluster.client.clone())
        .create(&PostParams::default(), &review)
        .await
        .map_err(|e| cluster.explain(e, "create", "selfsubjectrulesreviews"))?;
    Ok(answer.status.unwrap_or_default())
}

/// Every check before the first write; each failure leaves the cluster untouched.
fn preflight(
    cluster: &Cluster,
    observed: &Observed,
    manifests: &Manifests,
    replicas: u32,
    ui: &Ui,
) -> Result<()> {
    let ns = cluster.namespace();
    match preflight::missing_access(&observed.rules.resource_rules) {
        // An incomplete review (a webhook authorizer) cannot prove a permission missing.
        Some(what) if observed.rules.incomplete => {
            ui.detail(format!(
                "cannot tell whether the user may {what} (the rules review is incomplete)"
            ));
        }
        Some(what) => {
            return Err(UserError::new(format!(
                "forbidden: the user of context \"{}\" cannot {what} in namespace {ns}",
                cluster.resolved.context
            ))
            .hint(format!(
                "ask for RBAC permission to {what} in namespace {ns}"
            ))
            .into());
        }
        None => {}
    }
    match &observed.namespace {
        Some(namespace) => preflight::check_pod_security(ns, namespace.metadata.labels.as_ref())?,
        None => ui.detail(format!(
            "cannot read namespace {ns}; skipping the Pod Security check"
        )),
    }
    if let (Some(classes), Some(class)) = (
        &observed.classes,
        preflight::storage_class_of(&manifests.statefulset),
    ) {
        preflight::check_storage_class(class, classes)?;
    }
    match &observed.nodes {
        Some(nodes) => {
            for warning in preflight::capacity_warnings(&manifests.statefulset, replicas, nodes) {
                ui.warn(warning);
            }
        }
        None => ui.detail("cannot list nodes; skipping the capacity check"),
    }
    Ok(())
}

/// Server-side apply of one object with casctl's field manager; says what changed.
async fn apply<K>(
    cluster: &Cluster,
    api: &Api<K>,
    object: &K,
    before: Option<K>,
    params: &PatchParams,
    resource: &str,
    ui: &Ui,
) -> Result<()>
where
    K: Resource + Clone + Serialize + DeserializeOwned + std::fmt::Debug,
    K::DynamicType: Default,
{
    let name = object.meta().name.clone().unwrap_or_default();
    let kind = K::kind(&Default::default()).to_string();
    let after = api.patch(&name, params, &Patch::Apply(object)).await.map_err(|err| match &err {
        kube::Error::Api(s) if s.is_conflict() => anyhow::Error::new(err).context(
            UserError::new(format!("applying {kind} {name} conflicts with another field manager"))
                .hint("another tool owns these fields; re-run with --force-conflicts to take them over"),
        ),
        kube::Error::Api(s) if s.is_invalid() && is_immutable_change(&s.message) => anyhow::Error::new(err).context(
            UserError::new(format!("{kind} {name} exists with settings that cannot be changed in place"))
                .hint("the selector, the service name and the volume claim templates are fixed once created: \
                       remove the ring with `casctl down` (its volumes are kept) and run `casctl up` again, \
                       or keep the existing settings"),
        ),
        _ => cluster.explain(err, "patch", resource),
    })?;
    let verb = if params.dry_run { "would be" } else { "" };
    let change = match &before {
        None => "created",
        Some(b) if unchanged(b, &after) => "unchanged",
        Some(_) => "configured",
    };
    let line = format!(
        "{kind} {name} {verb}{}{change}",
        if verb.is_empty() { "" } else { " " }
    );
    ui.info(line);
    if params.dry_run
        && let Some(before) = &before
    {
        for path in changed_paths(before, &after).context("comparing the objects")? {
            ui.info(format!("  {path}"));
        }
    }
    Ok(())
}

/// The API server's words for a change to a field that is fixed after creation.
fn is_immutable_change(message: &str) -> bool {
    message.contains("field is immutable")
        || message.contains("updates to statefulset spec for fields other than")
}

/// Unchanged when the server bumped neither the resource version nor the generation.
fn unchanged<K: Resource>(before: &K, after: &K) -> bool {
    before.meta().resource_version == after.meta().resource_version
        && before.meta().generation == after.meta().generation
}

/// The leaf paths of `spec` (and labels) that differ between two versions of an object.
fn changed_paths<K: Serialize>(before: &K, after: &K) -> Result<Vec<String>> {
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
            let keys: std::collections::BTreeSet<&String> = b.keys().chain(a.keys()).collect();
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
    use clap::Parser;

    fn global() -> GlobalArgs {
        crate::cli::Cli::parse_from(["casctl", "-n", "shop", "status"]).global
    }

    #[test]
    fn a_new_ring_gets_the_flag_or_the_template() {
        assert_eq!(replicas_to_apply(Some(5), None, &global()).unwrap(), 5);
        assert_eq!(replicas_to_apply(None, None, &global()).unwrap(), 3);
    }

    #[test]
    fn a_running_ring_keeps_its_size() {
        assert_eq!(replicas_to_apply(None, Some(4), &global()).unwrap(), 4);
        assert_eq!(replicas_to_apply(Some(6), Some(4), &global()).unwrap(), 4);
    }

    #[test]
    fn up_never_shrinks_a_ring() {
        let err = replicas_to_apply(Some(2), Some(4), &global()).unwrap_err();
        let (code, hint) = crate::error::classify(&err);
        assert_eq!(code, Code::Usage);
        assert_eq!(
            hint,
            Some("shrink it safely with: casctl scale 2 -n shop --name cassandra")
        );
    }

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
}
