//! `casctl rbac`: what an administrator applies so that a user or a service account may run
//! every casctl command in one namespace, and nothing more. A Role `casctl` in the namespace
//! holds the namespaced permissions, a ClusterRole `casctl` the cluster-wide reads (the same
//! for every namespace), and one RoleBinding and one ClusterRoleBinding per subject grant them,
//! named after the subject so that granting a second subject never takes the first one's away.
//! Offline: printed from the same table every command checks itself against.

use anyhow::Result;
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::access::{self, Permission, Scope};
use crate::cli::RbacArgs;
use crate::error::{Code, Error};
use crate::manifest::to_yaml;
use crate::values::DnsLabel;

/// The name of the Role and of the ClusterRole.
const ROLE: &str = "casctl";
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
/// The order verbs are listed in, as Kubernetes' own roles list them.
const VERBS: [&str; 7] = [
    "get", "list", "watch", "create", "update", "patch", "delete",
];

pub(crate) fn run(
    namespace: Option<DnsLabel>,
    args: &RbacArgs,
    ui: &crate::ui::Ui,
) -> Result<Code> {
    let started = std::time::Instant::now();
    let Some(namespace) = namespace else {
        return Err(Error::usage(
            "casctl rbac needs the namespace the permissions are for (-n/--namespace)",
            Some("e.g. casctl rbac -n shop --service-account ci | kubectl apply -f -".to_owned()),
        )
        .into());
    };
    let subject = subject(args, namespace.as_str());
    let text = manifests(namespace.as_str(), &subject)?;
    ui.phase(
        format!(
            "building the Role and ClusterRole from the built-in list of what each command needs, and the bindings for {} {}",
            subject.kind, subject.name
        ),
        started,
    );
    crate::ui::write_stdout(text)?;
    Ok(Code::Ok)
}

/// Who is granted: the service account or the user of the flags.
fn subject(args: &RbacArgs, namespace: &str) -> Subject {
    match (&args.service_account, &args.user) {
        (Some(account), _) => Subject {
            kind: "ServiceAccount".to_owned(),
            name: account.to_string(),
            namespace: Some(namespace.to_owned()),
            api_group: None,
        },
        (None, user) => Subject {
            kind: "User".to_owned(),
            name: user.clone().unwrap_or_default(),
            namespace: None,
            api_group: Some(RBAC_GROUP.to_owned()),
        },
    }
}

/// The four objects as multi-document YAML, after a comment that says what they are.
fn manifests(namespace: &str, subject: &Subject) -> Result<String> {
    let who = match subject.kind.as_str() {
        "ServiceAccount" => format!("service account {}", subject.name),
        _ => format!("user {}", subject.name),
    };
    let header = format!(
        "# What every casctl command needs in namespace {namespace} (a Role) and cluster-wide (a\n\
         # ClusterRole: read-only), granted to {who}. Apply with `kubectl apply -f -`.\n"
    );
    let docs = [
        to_yaml(&role(namespace))?,
        to_yaml(&role_binding(namespace, subject))?,
        to_yaml(&cluster_role())?,
        to_yaml(&cluster_role_binding(subject))?,
    ];
    Ok(header + &docs.join("---\n"))
}

fn role(namespace: &str) -> Role {
    Role {
        metadata: meta(ROLE, Some(namespace)),
        rules: Some(rules(Scope::Namespace)),
    }
}

fn cluster_role() -> ClusterRole {
    ClusterRole {
        metadata: meta(ROLE, None),
        rules: Some(rules(Scope::Cluster)),
        aggregation_rule: None,
    }
}

fn role_binding(namespace: &str, subject: &Subject) -> RoleBinding {
    RoleBinding {
        metadata: meta(&binding_name(subject, false), Some(namespace)),
        role_ref: role_ref("Role"),
        subjects: Some(vec![subject.clone()]),
    }
}

fn cluster_role_binding(subject: &Subject) -> ClusterRoleBinding {
    ClusterRoleBinding {
        metadata: meta(&binding_name(subject, true), None),
        role_ref: role_ref("ClusterRole"),
        subjects: Some(vec![subject.clone()]),
    }
}

/// `casctl:user:alice`; a service account's has its namespace in the cluster-wide one
/// (`casctl:serviceaccount:shop:ci`), as its user name has (`system:serviceaccount:shop:ci`).
/// A name may hold any character but `/` and `%`.
fn binding_name(subject: &Subject, cluster_wide: bool) -> String {
    let name = subject.name.replace(['/', '%'], "-");
    match (subject.kind.as_str(), &subject.namespace) {
        ("ServiceAccount", Some(namespace)) if cluster_wide => {
            format!("{ROLE}:serviceaccount:{namespace}:{name}")
        }
        ("ServiceAccount", _) => format!("{ROLE}:serviceaccount:{name}"),
        _ => format!("{ROLE}:user:{name}"),
    }
}

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: namespace.map(str::to_owned),
        ..Default::default()
    }
}

fn role_ref(kind: &str) -> RoleRef {
    RoleRef {
        api_group: RBAC_GROUP.to_owned(),
        kind: kind.to_owned(),
        name: ROLE.to_owned(),
    }
}

/// One rule per resource with exactly the verbs some command uses on it: no wildcard.
fn rules(scope: Scope) -> Vec<PolicyRule> {
    let permissions: Vec<Permission> = access::every_permission()
        .into_iter()
        .filter(|p| p.scope == scope)
        .collect();
    let mut rules: Vec<PolicyRule> = Vec::new();
    for p in &permissions {
        let same = |r: &PolicyRule| {
            r.api_groups.as_deref() == Some(&[p.group.to_owned()])
                && r.resources.as_deref() == Some(&[p.resource.to_owned()])
        };
        match rules.iter_mut().find(|r| same(r)) {
            Some(rule) => rule.verbs.push(p.verb.to_owned()),
            None => rules.push(PolicyRule {
                api_groups: Some(vec![p.group.to_owned()]),
                resources: Some(vec![p.resource.to_owned()]),
                verbs: vec![p.verb.to_owned()],
                ..Default::default()
            }),
        }
    }
    for rule in &mut rules {
        rule.verbs
            .sort_by_key(|v| VERBS.iter().position(|known| known == v));
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Subject {
        subject(
            &RbacArgs {
                service_account: Some(crate::values::parse_subdomain("ci").unwrap()),
                user: None,
            },
            "shop",
        )
    }

    fn verbs_of(rules: &[PolicyRule], resource: &str) -> Vec<String> {
        rules
            .iter()
            .find(|r| r.resources.as_deref() == Some(&[resource.to_owned()]))
            .map(|r| r.verbs.clone())
            .unwrap_or_default()
    }

    #[test]
    fn the_role_lists_each_resource_once_with_its_verbs_in_order() {
        let rules = rules(Scope::Namespace);
        assert_eq!(verbs_of(&rules, "pods/exec"), vec!["get", "create"]);
        assert_eq!(
            verbs_of(&rules, "leases"),
            vec!["get", "create", "update", "delete"]
        );
        assert_eq!(verbs_of(&rules, "statefulsets/scale"), vec!["get", "patch"]);
        let mut resources: Vec<&Vec<String>> =
            rules.iter().filter_map(|r| r.resources.as_ref()).collect();
        let count = resources.len();
        resources.dedup();
        assert_eq!(resources.len(), count);
    }

    #[test]
    fn nothing_is_granted_by_wildcard() {
        for rule in rules(Scope::Namespace).iter().chain(&rules(Scope::Cluster)) {
            let words = rule
                .verbs
                .iter()
                .chain(rule.resources.iter().flatten())
                .chain(rule.api_groups.iter().flatten());
            assert!(words.clone().all(|w| !w.contains('*')), "{rule:?}");
            assert!(rule.resource_names.is_none());
        }
    }

    #[test]
    fn the_cluster_role_only_reads() {
        let rules = rules(Scope::Cluster);
        assert_eq!(verbs_of(&rules, "storageclasses"), vec!["list"]);
        assert_eq!(verbs_of(&rules, "nodes"), vec!["list"]);
        assert_eq!(rules.len(), 2);
    }

    #[test]
    fn bindings_are_named_after_their_subject() {
        let sa = account();
        assert_eq!(binding_name(&sa, false), "casctl:serviceaccount:ci");
        assert_eq!(binding_name(&sa, true), "casctl:serviceaccount:shop:ci");
        let user = subject(
            &RbacArgs {
                service_account: None,
                user: Some("alice@example.com/x".to_owned()),
            },
            "shop",
        );
        assert_eq!(user.api_group.as_deref(), Some(RBAC_GROUP));
        assert_eq!(binding_name(&user, true), "casctl:user:alice@example.com-x");
    }

    #[test]
    fn the_output_is_four_documents_after_a_comment() {
        let text = manifests("shop", &account()).unwrap();
        assert!(text.starts_with("# What every casctl command needs in namespace shop"));
        assert_eq!(text.matches("\n---\n").count(), 3, "{text}");
        for kind in ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"] {
            assert!(
                text.contains(&format!("kind: {kind}\n")),
                "{kind} in {text}"
            );
        }
    }
}
