//! What users read when the API server says no: one clean line per cause, never the client's
//! debug output, for each kind of answer (401, 403, 404, 409, 422), and the API server's own
//! warnings shown as kubectl shows them.

mod common;

use std::path::{Path, PathBuf};

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
