//! End-to-end tests of permissions on the local control plane (tests/local-cluster): the whole
//! tutorial flow as a service account bound to exactly what `casctl rbac` prints, every missing
//! permission named at once before anything is written, and a permission taken away in the
//! middle of a wait ending the command at once.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{TestNamespace, cluster};
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::Value;

/// A service account of the test's namespace and a kubeconfig that authenticates as it (a
/// token from `kubectl create token`). Its cluster-wide binding, which outlives the
/// namespace, is deleted with it.
struct Account {
    namespace: String,
    name: String,
    kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

impl Account {
    fn new(namespace: &str, name: &str) -> Self {
        let c = cluster();
        c.kubectl_ok(&["create", "serviceaccount", name, "-n", namespace]);
        let token = c.kubectl_ok(&["create", "token", name, "-n", namespace]);
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("account.kubeconfig");
        c.token_kubeconfig(&kubeconfig, "account", namespace, &token);
        Account {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            kubeconfig,
            _dir: dir,
        }
    }

    /// casctl as this account.
    fn casctl(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_casctl"));
        cmd.arg("--kubeconfig").arg(&self.kubeconfig);
        cmd
    }

    /// What `casctl rbac` prints for this account.
    fn rbac_yaml(&self) -> String {
        let args = [
            "rbac",
            "-n",
            &self.namespace,
            "--service-account",
            &self.name,
        ];
        let out = cluster().casctl().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Applies what `casctl rbac` prints, as `casctl rbac … | kubectl apply -f -` does.
    fn grant_casctl_rbac(&self) {
        cluster().apply(&self.namespace, &self.rbac_yaml());
    }

    /// Takes `verb` (every verb when `None`) on `resource` out of the Role `casctl` applied.
    fn revoke(&self, resource: &str, verb: Option<&str>) {
        let documents: Vec<Value> = serde_saphyr::from_multiple(&self.rbac_yaml()).unwrap();
        let mut role = documents.into_iter().find(|d| d["kind"] == "Role").unwrap();
        let rules = role["rules"].as_array_mut().unwrap();
        for rule in rules.iter_mut() {
            if rule["resources"][0] == resource {
                let verbs = rule["verbs"].as_array_mut().unwrap();
                verbs.retain(|v| verb.is_some_and(|verb| v.as_str() != Some(verb)));
            }
        }
        rules.retain(|r| !r["verbs"].as_array().unwrap().is_empty());
        cluster().apply(&self.namespace, &role.to_string());
        // The API server's authorizer sees the change within moments.
        let gone = common::wait_until(Duration::from_secs(10), || {
            !self.can_i(verb.unwrap_or("get"), resource)
        });
        assert!(gone, "{resource} still granted");
    }

    /// `kubectl auth can-i` as this account (`pods/exec` is the subresource `exec` of pods).
    fn can_i(&self, verb: &str, resource: &str) -> bool {
        let user = format!("system:serviceaccount:{}:{}", self.namespace, self.name);
        let (resource, sub) = resource.split_once('/').unwrap_or((resource, ""));
        let subresource = format!("--subresource={sub}");
        let mut args = vec![
            "auth",
            "can-i",
            verb,
            resource,
            "-n",
            &self.namespace,
            "--as",
            &user,
        ];
        if !sub.is_empty() {
            args.push(&subresource);
        }
        let out = cluster().kubectl(&args);
        String::from_utf8_lossy(&out.stdout).trim() == "yes"
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        let binding = format!("casctl:serviceaccount:{}:{}", self.namespace, self.name);
        let _ = cluster().kubectl(&[
            "delete",
            "clusterrolebinding",
            &binding,
            "--ignore-not-found",
        ]);
    }
}

/// Every object of these kinds in the namespace, as `kind/name`.
fn objects(ns: &str, kinds: &str) -> Vec<String> {
    let out = cluster().kubectl_ok(&["get", kinds, "-n", ns, "-o", "name"]);
    out.lines().map(str::to_owned).collect()
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn the_tutorial_flow_runs_as_a_service_account_bound_to_what_casctl_rbac_prints() {
    let ns = TestNamespace::new("access");
    let account = Account::new(&ns.name, "operator");
    account.grant_casctl_rbac();
    let steps: [&[&str]; 5] = [
        &["up", "--timeout", "3m"],
        &["status"],
        &["scale", "4", "--timeout", "3m"],
        &["scale", "3", "--timeout", "3m"],
        &["down", "--purge-volumes", "--yes"],
    ];
    for step in steps {
        account.casctl().args(step).assert().success();
    }
    assert_eq!(
        objects(&ns.name, "statefulsets,services,pods,pvc,leases"),
        Vec::<String>::new()
    );
    // And nothing more than casctl needs.
    for (verb, resource) in [
        ("get", "secrets"),
        ("create", "pods"),
        ("create", "rolebindings"),
        ("delete", "namespaces"),
        ("create", "storageclasses"),
        ("get", "configmaps"),
    ] {
        assert!(!account.can_i(verb, resource), "may {verb} {resource}");
    }
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_user_missing_permissions_hears_of_all_of_them_at_once_and_nothing_is_written() {
    let ns = TestNamespace::new("access");
    let account = Account::new(&ns.name, "reader");
    let c = cluster();
    c.kubectl_ok(&[
        "create",
        "role",
        "reader",
        "-n",
        &ns.name,
        "--verb=get,list,watch",
        "--resource=pods",
    ]);
    let subject = format!("--serviceaccount={}:reader", ns.name);
    c.kubectl_ok(&[
        "create",
        "rolebinding",
        "reader",
        "-n",
        &ns.name,
        "--role=reader",
        &subject,
    ]);
    let expected_in_role = [
        "get statefulsets",
        "create services",
        "patch services",
        "create statefulsets",
        "create leases",
        "watch events",
        "get pods/exec",
        "create pods/exec",
    ];
    let mut assert = account.casctl().arg("up").assert().code(1);
    for permission in expected_in_role {
        assert = assert.stderr(contains(permission));
    }
    assert
        .stderr(contains(format!(
            "in namespace {} (a Role grants these)",
            ns.name
        )))
        .stderr(contains(
            "cluster-wide (only a ClusterRole grants these) it cannot list storageclasses",
        ))
        .stderr(contains("casctl rbac -n"))
        // What it may do is not listed.
        .stderr(contains("list pods").not());
    assert_eq!(
        objects(&ns.name, "statefulsets,services,pods,leases"),
        Vec::<String>::new()
    );
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn purging_without_delete_on_claims_deletes_nothing() {
    let ns = TestNamespace::new("access");
    let account = Account::new(&ns.name, "operator");
    account.grant_casctl_rbac();
    account.revoke("persistentvolumeclaims", Some("delete"));
    cluster()
        .casctl()
        .args(["up", "-n", &ns.name, "--replicas", "1", "--timeout", "2m"])
        .assert()
        .success();
    account
        .casctl()
        .args(["down", "--purge-volumes", "--yes"])
        .assert()
        .code(1)
        .stderr(contains("lacks 1 permission `casctl down` needs"))
        .stderr(contains("it cannot delete persistentvolumeclaims"));
    let left = objects(&ns.name, "statefulsets,services,pods,pvc");
    for object in [
        "statefulset.apps/cassandra",
        "service/cassandra",
        "pod/cassandra-0",
        "persistentvolumeclaim/cassandra-data-cassandra-0",
    ] {
        assert!(
            left.iter().any(|o| o == object),
            "{object} is gone: {left:?}"
        );
    }
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn without_exec_up_skips_the_ring_check_and_nothing_else_starts_half_way() {
    let ns = TestNamespace::new("access");
    let account = Account::new(&ns.name, "operator");
    account.grant_casctl_rbac();
    account.revoke("pods/exec", None);
    account
        .casctl()
        .args([
            "up",
            "--replicas",
            "2",
            "--no-ring-check",
            "--timeout",
            "2m",
        ])
        .assert()
        .success();
    account
        .casctl()
        .args(["scale", "3"])
        .assert()
        .code(1)
        .stderr(contains("it cannot get pods/exec, create pods/exec"));
    let c = cluster();
    assert_eq!(
        c.replicas(&ns.name),
        Some(2),
        "scale wrote before it failed"
    );
    assert!(
        c.names(&ns.name, "leases").is_empty(),
        "the lock was left behind"
    );
    account
        .casctl()
        .arg("status")
        .assert()
        .code(1)
        .stderr(contains("`casctl status` needs"))
        .stderr(contains("create pods/exec"));
    account
        .casctl()
        .args(["status", "--no-ring"])
        .assert()
        .success();
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn exec_forbidden_in_the_middle_of_a_decommission_ends_the_wait_at_once() {
    let ns = TestNamespace::new("access");
    let dir = tempfile::tempdir().unwrap();
    // Each node stays leaving for a minute: the wait is still on when the exec is forbidden.
    let templates = common::templates(
        dir.path(),
        30,
        &[
            "casctl.test/decommission-delay: \"60s\"",
            common::TWO_REPLICAS,
        ],
    );
    let c = cluster();
    c.casctl()
        .args(["up", "-n", &ns.name, "--timeout", "3m", "--templates"])
        .arg(&templates)
        .assert()
        .success();
    let account = Account::new(&ns.name, "operator");
    account.grant_casctl_rbac();
    let log = dir.path().join("scale.log");
    let mut scale = Command::new(env!("CARGO_BIN_EXE_casctl"))
        .arg("--kubeconfig")
        .arg(&account.kubeconfig)
        .args(["scale", "2", "--timeout", "5m"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let decommissioning = common::wait_until(Duration::from_secs(120), || {
        common::read(&log).contains("decommissioning cassandra-2")
    });
    assert!(decommissioning, "{}", common::read(&log));
    account.revoke("pods/exec", None);
    let status = scale.wait().unwrap();
    let stderr = common::read(&log);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("forbidden"), "{stderr}");
    assert!(stderr.contains("pods/exec"), "{stderr}");
    // It stopped while the node was still leaving, not at the end of the decommission or of
    // the timeout, and it lowered no replicas.
    assert!(
        c.ring_codes(&ns.name, "cassandra-0")
            .contains(&"UL".to_owned())
    );
    assert_eq!(c.replicas(&ns.name), Some(3));
}
