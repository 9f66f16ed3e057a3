//! What users read when the API server says no: one clean line per cause, never the client's
//! debug output, for each kind of answer (401, 403, 404, 409, 422), and the API server's own
//! warnings shown as kubectl shows them.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{TestNamespace, cluster, templates};
use predicates::str::contains;

/// Rust's debug output in what a user reads, or a line said twice.
fn assert_clean(what: &str, stderr: &str) {
    for pattern in [
        "Some(",
        "None,",
        "None)",
        "Status {",
        "ErrorResponse",
        " { ",
        "'\"",
    ] {
        assert!(
            !stderr.contains(pattern),
            "{what}: `{pattern}` in:\n{stderr}"
        );
    }
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    for (i, line) in lines.iter().enumerate() {
        assert!(
            !lines[i + 1..].contains(line),
            "{what}: {line:?} twice:\n{stderr}"
        );
    }
}

fn failing_stderr(what: &str, cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{what}:\n{stderr}");
    assert_clean(what, &stderr);
    stderr
}

/// The local cluster's kubeconfig with another user: a token of `account` (or a made-up one).
fn kubeconfig_with_token(dir: &Path, ns: &str, account: Option<&str>) -> PathBuf {
    let c = cluster();
    let token = match account {
        Some(sa) => {
            c.kubectl_ok(&["create", "serviceaccount", sa, "-n", ns]);
            c.kubectl_ok(&["create", "token", sa, "-n", ns])
                .trim()
                .to_owned()
        }
        None => "not-a-token".to_owned(),
    };
    let path = dir.join("kubeconfig");
    c.token_kubeconfig(&path, "other", ns, &token);
    path
}

fn casctl_as(kubeconfig: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_casctl"));
    cmd.arg("--kubeconfig").arg(kubeconfig);
    cmd
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn rejected_credentials_401_read_clean() {
    let ns = TestNamespace::new("msg401");
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = kubeconfig_with_token(dir.path(), &ns.name, None);
    let stderr = failing_stderr("401", casctl_as(&kubeconfig).args(["status"]), 1);
    assert!(
        stderr.contains("rejected the credentials of context \"other\""),
        "{stderr}"
    );
    assert!(stderr.contains("hint: "), "{stderr}");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_forbidden_read_403_names_the_verb_and_resource() {
    let ns = TestNamespace::new("msg403");
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = kubeconfig_with_token(dir.path(), &ns.name, Some("nobody"));
    let stderr = failing_stderr("403", casctl_as(&kubeconfig).args(["status"]), 1);
    assert!(stderr.contains("forbidden"), "{stderr}");
    assert!(stderr.contains("statefulsets"), "{stderr}");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_namespace_that_does_not_exist_404_is_named() {
    let c = cluster();
    for command in ["status", "scale 2", "nodetool"] {
        let mut cmd = c.casctl();
        cmd.args(["-n", "no-such-namespace-here"])
            .args(command.split(' '));
        if command == "nodetool" {
            cmd.args(["--", "status"]);
        }
        let stderr = failing_stderr("404", &mut cmd, 1);
        assert!(
            stderr.contains("namespace no-such-namespace-here does not exist"),
            "{command}: {stderr}"
        );
    }
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_conflict_409_and_an_invalid_object_422_read_clean() {
    let ns = TestNamespace::new("msg409");
    let c = cluster();
    c.casctl()
        .args(["up", "-n", &ns.name, "--replicas", "1", "--no-wait"])
        .assert()
        .success();
    let patch = r#"{"spec":{"template":{"spec":{"terminationGracePeriodSeconds":60}}}}"#;
    c.kubectl_ok(&[
        "patch",
        "statefulset",
        "cassandra",
        "-n",
        &ns.name,
        "--field-manager=other-tool",
        "--type=merge",
        "-p",
        patch,
    ]);
    let stderr = failing_stderr(
        "409",
        c.casctl().args(["up", "-n", &ns.name, "--no-wait"]),
        1,
    );
    assert!(stderr.contains("other-tool"), "{stderr}");
    assert!(
        stderr.contains(
            "conflict with \"other-tool\" using apps/v1: .spec.template.spec.terminationGracePeriodSeconds"
        ),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let dir = templates(dir.path(), 30, &[]);
    let sts = std::fs::read_to_string(dir.join("statefulset.yaml")).unwrap();
    std::fs::write(
        dir.join("statefulset.yaml"),
        sts.replace("containerPort: 7000", "containerPort: 70000"),
    )
    .unwrap();
    let other = TestNamespace::new("msg422");
    let mut cmd = c.casctl();
    cmd.args(["up", "-n", &other.name, "--no-wait", "--templates"])
        .arg(&dir);
    let stderr = failing_stderr("422", &mut cmd, 1);
    assert!(stderr.contains("containerPort"), "{stderr}");
    // All or nothing: the StatefulSet was refused, so no Service was written either.
    assert_eq!(c.names(&other.name, "services"), Vec::<String>::new());
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn the_api_servers_warnings_are_shown_as_kubectl_shows_them() {
    let ns = TestNamespace::new("warn");
    let c = cluster();
    c.kubectl_ok(&[
        "label",
        "namespace",
        &ns.name,
        "pod-security.kubernetes.io/warn=restricted",
    ]);
    c.casctl()
        .args(["up", "-n", &ns.name, "--replicas", "1", "--no-wait"])
        .assert()
        .success()
        .stderr(contains(
            "Warning: would violate PodSecurity \"restricted:latest\"",
        ));
}

/// Keyspaces that let a simulated ring shrink to one node.
const ONE_REPLICA: &str = "casctl.test/keyspaces: \"system_traces=1,system_distributed=1\"";

fn run_ok(what: &str, cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{what}:\n{stderr}");
    stderr
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn one_node_and_one_claim_read_in_the_singular_and_verbose_says_what_it_asks() {
    let ns = TestNamespace::new("one");
    let dir = tempfile::tempdir().unwrap();
    let tpl = templates(dir.path(), 5, &[ONE_REPLICA]);
    let c = cluster();
    let casctl = || {
        let mut cmd = c.casctl();
        cmd.args(["-n", &ns.name]);
        cmd
    };
    run_ok(
        "up",
        casctl()
            .args(["up", "--replicas", "1", "--templates"])
            .arg(&tpl),
    );

    let status = run_ok("status -v", casctl().args(["status", "-v"]));
    assert!(
        status.contains("reading StatefulSet cassandra and Service cassandra ("),
        "{status}"
    );
    assert!(status.contains("listing pods app=cassandra"), "{status}");
    assert!(
        status.contains("nodetool status in cassandra-0 ("),
        "{status}"
    );
    let quiet = run_ok("status", casctl().args(["status"]));
    assert!(!quiet.contains(" ms)"), "{quiet}");

    let grow = run_ok("scale 2 --force", casctl().args(["scale", "2", "--force"]));
    assert!(
        grow.contains("warning: --force only applies when the ring shrinks"),
        "{grow}"
    );
    assert!(
        grow.contains(
            "running `nodetool cleanup` on the 1 node that was there before, one at a time \
             (it still holds the data of the ranges it gave away"
        ),
        "{grow}"
    );

    let shrink = run_ok("scale 1 -v", casctl().args(["scale", "1", "-v"]));
    assert!(
        shrink.contains("kept the claim of the removed pod: cassandra-data-cassandra-1 ("),
        "{shrink}"
    );
    assert!(
        shrink.contains("scaling cassandra from 2 to 1 node, decommissioning"),
        "{shrink}"
    );
    for asked in [
        "reading the StatefulSets of cassandra: cassandra (2 replicas) (",
        "nodetool status in cassandra-0 (",
        "nodetool describecluster in cassandra-0 (the keyspaces' replication) (",
        "lowering the replicas of cassandra from 2 to 1 (",
    ] {
        assert!(shrink.contains(asked), "{asked}:\n{shrink}");
    }

    let restart = run_ok("restart -v", casctl().args(["restart", "-v"]));
    for asked in [
        "reading the StatefulSets of cassandra: cassandra (",
        "nodetool status in cassandra-0 (",
        "nodetool drain in cassandra-0 (",
    ] {
        assert!(restart.contains(asked), "{asked}:\n{restart}");
    }
    c.kubectl_ok(&[
        "delete",
        "pvc",
        "cassandra-data-cassandra-1",
        "-n",
        &ns.name,
    ]);

    let down = run_ok("down -v", casctl().args(["down", "-v"]));
    assert!(
        down.contains("kept 1 claim (the data stays): cassandra-data-cassandra-0\n"),
        "{down}"
    );
    assert!(down.contains("to delete it and its data: "), "{down}");
    assert!(down.contains("watching pods app=cassandra"), "{down}");
    // A step is said once: its timing is not a second line repeating it.
    assert!(!down.contains("deleting StatefulSet cassandra ("), "{down}");
    assert!(down.contains("listing the claims app=cassandra"), "{down}");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_terminating_claim_is_not_called_kept_by_scale() {
    let ns = TestNamespace::new("term");
    let dir = tempfile::tempdir().unwrap();
    let tpl = templates(dir.path(), 5, &[]);
    let c = cluster();
    run_ok(
        "up",
        c.casctl()
            .args(["up", "-n", &ns.name, "--replicas", "4", "--templates"])
            .arg(&tpl),
    );
    let claim = "cassandra-data-cassandra-3";
    let finalizer = r#"{"metadata":{"finalizers":["casctl.test/keep"]}}"#;
    c.kubectl_ok(&[
        "patch",
        "pvc",
        claim,
        "-n",
        &ns.name,
        "--type=merge",
        "-p",
        finalizer,
    ]);
    c.kubectl_ok(&["delete", "pvc", claim, "-n", &ns.name, "--wait=false"]);
    let out = c
        .casctl()
        .args(["scale", "3", "-n", &ns.name])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let release = r#"{"metadata":{"finalizers":null}}"#;
    c.kubectl_ok(&[
        "patch",
        "pvc",
        claim,
        "-n",
        &ns.name,
        "--type=merge",
        "-p",
        release,
    ]);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("kept the"), "{stderr}");
    assert!(
        stderr.contains(&format!("1 claim is already being deleted: {claim}")),
        "{stderr}"
    );
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_claim_of_a_node_that_never_joined_is_not_called_decommissioned() {
    let ns = TestNamespace::new("never");
    let dir = tempfile::tempdir().unwrap();
    let tpl = templates(dir.path(), 5, &[ONE_REPLICA]);
    let c = cluster();
    run_ok(
        "up",
        c.casctl()
            .args(["up", "-n", &ns.name, "--replicas", "1", "--templates"])
            .arg(&tpl),
    );
    // cassandra-1 of a new revision that never gets Ready (never joins); cassandra-0 stays.
    let never = r#"{"spec":{"replicas":2,"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":1}},
        "template":{"metadata":{"annotations":{"casctl.test/ready-delay":"1h"}}}}}"#;
    c.kubectl_ok(&[
        "patch",
        "statefulset",
        "cassandra",
        "-n",
        &ns.name,
        "--type=merge",
        "-p",
        never,
    ]);
    assert!(common::wait_until(Duration::from_secs(60), || {
        let pod: Option<k8s_openapi::api::core::v1::Pod> = c.get(&ns.name, "pod/cassandra-1");
        pod.and_then(|p| p.status?.pod_ip).is_some()
    }));
    let shrink = run_ok("scale 1", c.casctl().args(["scale", "1", "-n", &ns.name]));
    assert!(shrink.contains("cassandra-1"), "{shrink}");
    let claim: k8s_openapi::api::core::v1::PersistentVolumeClaim = c
        .get(&ns.name, "pvc/cassandra-data-cassandra-1")
        .expect("the claim is kept");
    let annotations = claim.metadata.annotations.unwrap_or_default();
    assert_eq!(
        annotations.get("casctl.io/left").map(String::as_str),
        Some("not-in-ring"),
        "{annotations:?}"
    );
    let when = &annotations["casctl.io/decommissioned"];
    assert!(
        when.len() == "2026-01-01T00:00:00Z".len() && when.ends_with('Z') && !when.contains('.'),
        "{when}"
    );
    // Back to the first revision (cassandra-0 stays as it is), then grow again.
    let back = r#"[{"op":"remove","path":"/spec/template/metadata/annotations/casctl.test~1ready-delay"},
        {"op":"replace","path":"/spec/updateStrategy/rollingUpdate/partition","value":0}]"#;
    c.kubectl_ok(&[
        "patch",
        "statefulset",
        "cassandra",
        "-n",
        &ns.name,
        "--type=json",
        "-p",
        back,
    ]);
    let grow = run_ok("scale 2", c.casctl().args(["scale", "2", "-n", &ns.name]));
    assert!(
        grow.contains(&format!(
            "claim cassandra-data-cassandra-1 belonged to a node that was not in the ring when its pod was removed at {when}"
        )),
        "{grow}"
    );
    assert!(!grow.contains("decommissioned at"), "{grow}");
    assert!(!grow.contains("was streamed"), "{grow}");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn no_storage_class_is_said_and_diagnosed_as_such() {
    let ns = TestNamespace::new("nocls");
    let c = cluster();
    let out = c
        .casctl()
        .args([
            "up",
            "-n",
            &ns.name,
            "--storage-class",
            "",
            "--replicas",
            "1",
            "--timeout",
            "25s",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("the claims use no StorageClass (--storage-class ''): only PersistentVolumes without a class bind to them"),
        "{stderr}"
    );
    assert!(
        stderr.contains("claim cassandra-data-cassandra-0 (no StorageClass) is Pending: it binds only a PersistentVolume with no class"),
        "{stderr}"
    );
    assert!(!stderr.contains("StorageClass )"), "{stderr}");
    assert!(
        !stderr.contains("check that the StorageClass exists"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: create a PersistentVolume with no storageClassName"),
        "{stderr}"
    );
}
