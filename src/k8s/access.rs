//! Asking the API server what the user may do, before a command does anything: one
//! SelfSubjectRulesReview for the namespace answers for every namespaced permission at once;
//! a SelfSubjectAccessReview answers for each cluster-wide one (the rules of a namespace say
//! nothing about cluster-scoped objects), and for each namespaced one that a review left
//! incomplete (a webhook authorizer) cannot vouch for. Every question is asked concurrently.

use std::time::Duration;

use anyhow::Result;
use futures::future::join_all;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
    SelfSubjectRulesReview, SelfSubjectRulesReviewSpec, SubjectRulesReviewStatus,
};
use kube::Api;
use kube::api::PostParams;

use super::{Cluster, Failure};
use crate::access::{self, Requirement, Scope};
use crate::error::Error;

/// How long the reviews may take before the API server counts as unreachable: they are the
/// first requests a command makes.
const REACH_TIMEOUT: Duration = Duration::from_secs(10);

/// What the reviews found.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    /// Permissions the user lacks.
    pub(crate) missing: Vec<Requirement>,
    /// Permissions no review could answer for (the reviews themselves were refused).
    pub(crate) unknown: Vec<Requirement>,
}

/// Which of `wanted` the user of the cluster's context lacks in its namespace.
pub(crate) async fn check(cluster: &Cluster, wanted: &[Requirement]) -> Result<Verdict> {
    let work = async {
        let (namespaced, cluster_wide): (Vec<Requirement>, Vec<Requirement>) = wanted
            .iter()
            .partition(|r| r.permission.scope == Scope::Namespace);
        let (rules, cluster_answers) =
            tokio::join!(rules_review(cluster), ask_each(cluster, &cluster_wide));
        let mut verdict = Verdict::default();
        let to_confirm = match rules? {
            Some(rules) if !rules.incomplete => {
                verdict.missing = not_granted(cluster, &rules, &namespaced);
                Vec::new()
            }
            Some(rules) => not_granted(cluster, &rules, &namespaced),
            None => namespaced,
        };
        let confirmed = ask_each(cluster, &to_confirm).await;
        for (requirement, answer) in cluster_answers.into_iter().chain(confirmed) {
            match answer? {
                Some(true) => {}
                Some(false) => verdict.missing.push(requirement),
                None => verdict.unknown.push(requirement),
            }
        }
        Ok(verdict)
    };
    tokio::time::timeout(REACH_TIMEOUT, work)
        .await
        .map_err(|_| Error::Unreachable {
            server: cluster.resolved.server.clone(),
            context: cluster.resolved.context.clone(),
            kubeconfig: cluster.source.to_string(),
        })?
}

fn not_granted(
    cluster: &Cluster,
    rules: &SubjectRulesReviewStatus,
    namespaced: &[Requirement],
) -> Vec<Requirement> {
    access::not_granted(
        &rules.resource_rules,
        namespaced,
        cluster.name.as_str(),
        cluster.namespace(),
    )
}

/// The rules that apply to the user in the namespace; `None` when the user may not even ask
/// (each permission is then asked on its own).
async fn rules_review(cluster: &Cluster) -> Result<Option<SubjectRulesReviewStatus>> {
    let review = SelfSubjectRulesReview {
        spec: SelfSubjectRulesReviewSpec {
            namespace: Some(cluster.namespace().to_owned()),
        },
        ..Default::default()
    };
    let answer = Api::<SelfSubjectRulesReview>::all(cluster.client.clone())
        .create(&PostParams::default(), &review)
        .await;
    match answer {
        Ok(answer) => Ok(Some(answer.status.unwrap_or_default())),
        Err(err) if cannot_answer(&err) => Ok(None),
        Err(err) => Err(cluster.fail(err, "create", "selfsubjectrulesreviews")),
    }
}

/// One SelfSubjectAccessReview per requirement, all at once: `Some(allowed)`, or `None` when
/// the user may not ask. An unreachable server or rejected credentials end the check.
async fn ask_each(
    cluster: &Cluster,
    wanted: &[Requirement],
) -> Vec<(Requirement, Result<Option<bool>>)> {
    let answers = join_all(wanted.iter().map(|r| ask(cluster, r))).await;
    wanted.iter().copied().zip(answers).collect()
}

async fn ask(cluster: &Cluster, requirement: &Requirement) -> Result<Option<bool>> {
    let permission = &requirement.permission;
    let (resource, subresource) = permission.split();
    let attributes = ResourceAttributes {
        namespace: (permission.scope == Scope::Namespace).then(|| cluster.namespace().to_owned()),
        verb: Some(permission.verb.to_owned()),
        group: Some(permission.group.to_owned()),
        resource: Some(resource.to_owned()),
        subresource: (!subresource.is_empty()).then(|| subresource.to_owned()),
        name: permission.object_name(cluster.name.as_str(), cluster.namespace()),
        ..Default::default()
    };
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(attributes),
            ..Default::default()
        },
        ..Default::default()
    };
    let answer = Api::<SelfSubjectAccessReview>::all(cluster.client.clone())
        .create(&PostParams::default(), &review)
        .await;
    match answer {
        Ok(answer) => Ok(Some(answer.status.is_some_and(|s| s.allowed))),
        Err(err) if cannot_answer(&err) => Ok(None),
        Err(err) => Err(cluster.fail(err, "create", "selfsubjectaccessreviews")),
    }
}

/// A review the API server refused or failed (not an unreachable server, not rejected
/// credentials: those end the command): the permissions it was about stay unknown, and the
/// command goes on to meet any missing one as it comes.
fn cannot_answer(err: &kube::Error) -> bool {
    matches!(super::classify(err), Failure::Forbidden | Failure::Other)
}
