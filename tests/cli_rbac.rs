//! `casctl rbac` from the command line: no cluster needed.

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;

fn casctl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_casctl"))
}

/// The documents `casctl rbac ARGS` prints.
fn rbac(args: &[&str]) -> Vec<Value> {
    let out = casctl().arg("rbac").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_saphyr::from_multiple(&String::from_utf8(out.stdout).unwrap()).unwrap()
}

fn of_kind<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {docs:?}"))
}

/// The verbs a role's rule grants on `resource`.
fn verbs(role: &Value, resource: &str) -> Vec<String> {
    role["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["resources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == resource)
        })
        .flat_map(|r| r["verbs"].as_array().unwrap().clone())
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_service_account_gets_a_role_a_cluster_role_and_their_bindings() {
    let docs = rbac(&["-n", "shop", "--service-account", "ci"]);
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]
    );
    let role = of_kind(&docs, "Role");
    assert_eq!(role["metadata"]["namespace"], "shop");
    assert_eq!(verbs(role, "pods/exec"), ["get", "create"]);
    assert_eq!(verbs(role, "leases"), ["get", "create", "update", "delete"]);
    assert!(verbs(role, "statefulsets").contains(&"patch".to_owned()));
    let cluster_role = of_kind(&docs, "ClusterRole");
    assert_eq!(verbs(cluster_role, "storageclasses"), ["list"]);
    for binding in ["RoleBinding", "ClusterRoleBinding"] {
        let subject = &of_kind(&docs, binding)["subjects"][0];
        assert_eq!(subject["kind"], "ServiceAccount");
        assert_eq!(subject["name"], "ci");
        assert_eq!(subject["namespace"], "shop");
    }
    assert_eq!(of_kind(&docs, "RoleBinding")["roleRef"]["kind"], "Role");
    assert_eq!(
        of_kind(&docs, "ClusterRoleBinding")["roleRef"]["kind"],
        "ClusterRole"
    );
}

#[test]
fn nothing_is_granted_by_wildcard() {
    let out = casctl()
        .args(["rbac", "-n", "shop", "--user", "alice"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('*'), "{text}");
}

#[test]
fn a_user_is_bound_by_name_through_the_rbac_group() {
    let docs = rbac(&["-n", "shop", "--user", "alice@example.com"]);
    let subject = &of_kind(&docs, "RoleBinding")["subjects"][0];
    assert_eq!(subject["kind"], "User");
    assert_eq!(subject["name"], "alice@example.com");
    assert_eq!(subject["apiGroup"], "rbac.authorization.k8s.io");
    assert_eq!(
        of_kind(&docs, "ClusterRoleBinding")["metadata"]["name"],
        "casctl:user:alice@example.com"
    );
}

#[test]
fn exactly_one_subject_and_a_namespace_are_required() {
    casctl()
        .args(["rbac", "-n", "shop"])
        .assert()
        .code(2)
        .stderr(contains("--service-account"));
    casctl()
        .args([
            "rbac",
            "-n",
            "shop",
            "--user",
            "a",
            "--service-account",
            "b",
        ])
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
    casctl()
        .args(["rbac", "--user", "alice"])
        .assert()
        .code(2)
        .stderr(contains("-n/--namespace"));
    casctl()
        .args(["rbac", "-n", "shop", "--service-account", "Not_A_Name"])
        .assert()
        .code(2);
}
