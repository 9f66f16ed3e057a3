//! End-to-end tests of `casctl up` on the local control plane (tests/local-cluster).

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{TestNamespace, cluster};
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::Value;

fn get_json(ns: &str, what: &[&str]) -> Value {
    let mut args = vec!["get", "-n", ns, "-o", "json"];
    args.extend(what);
    serde_json::from_str(&cluster().kubectl_ok(&args)).unwrap()
}

fn timestamp(v: &Value) -> String {
    v.as_str().unwrap().to_owned()
}

/// Pods 0..n exist, each Ready, each created after the previous one became Ready.
fn assert_ordered_rollout(ns: &str, n: usize) {
    let pods = get_json(ns, &["pods", "-l", "app=cassandra"]);
    let mut pods: Vec<&Value> = pods["items"].as_array().unwrap().iter().collect();
    pods.sort_by_key(|p| {
        p["metadata"]["name"]
            .as_str()
            .unwrap()
            .rsplit('-')
            .next()
            .unwrap()
            .parse::<u32>()
            .unwrap()
    });
    assert_eq!(pods.len(), n);
    let ready_at = |p: &Value| {
        p["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == "Ready")
            .map(|c| {
                assert_eq!(c["status"], "True", "{} not Ready", p["metadata"]["name"]);
                timestamp(&c["lastTransitionTime"])
            })
            .unwrap()
    };
    for pair in pods.windows(2) {
        let created = timestamp(&pair[1]["metadata"]["creationTimestamp"]);
        assert!(
            created >= ready_at(pair[0]),
            "{} created before the previous pod was Ready",
            pair[1]["metadata"]["name"]
        );
    }
    ready_at(pods[n - 1]);
}

fn ring_codes(ns: &str) -> Vec<String> {
    let out = cluster().kubectl_ok(&["exec", "-n", ns, "cassandra-0", "--", "nodetool", "status"]);
    out.lines()
        .filter(|l| l.len() > 2 && ["UN", "DN", "UL", "UJ", "DL"].contains(&&l[..2]))
        .map(|l| l[..2].to_owned())
        .collect()
}

fn generation(ns: &str) -> i64 {
    get_json(ns, &["statefulset", "cassandra"])["metadata"]["generation"]
        .as_i64()
        .unwrap()
}

fn nothing_created(ns: &str) {
    let out = cluster().kubectl_ok(&["get", "statefulsets,services,pods", "-n", ns, "-o", "name"]);
    assert_eq!(out.trim(), "", "objects were created: {out}");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn up_rolls_out_in_order_and_a_rerun_changes_nothing() {
    let ns = TestNamespace::new("up");
    let c = cluster();
    c.casctl()
        .args(["up", "-n", &ns.name, "--timeout", "3m"])
        .assert()
        .success()
        .stderr(contains("StatefulSet cassandra created"))
        .stderr(contains("cassandra is up"));
    assert_ordered_rollout(&ns.name, 3);
    let claims = get_json(&ns.name, &["pvc"]);
    let phases: Vec<&str> = claims["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"]["phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases, ["Bound"; 3]);
    assert_eq!(ring_codes(&ns.name), ["UN"; 3]);
    let sts = get_json(&ns.name, &["statefulset", "cassandra"]);
    let env = sts
        .pointer("/spec/template/spec/containers/0/env")
        .unwrap()
        .as_array()
        .unwrap();
    let seeds = env.iter().find(|e| e["name"] == "CASSANDRA_SEEDS").unwrap();
    assert_eq!(
        seeds["value"],
        format!("cassandra-0.cassandra.{}.svc.cluster.local", ns.name)
    );
    let with_managers = get_json(
        &ns.name,
        &["statefulset", "cassandra", "--show-managed-fields"],
    );
    let managers: Vec<&str> = with_managers["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["manager"].as_str())
        .collect();
    assert!(managers.contains(&"casctl"), "{managers:?}");

    let before = generation(&ns.name);
    c.casctl()
        .args(["up", "-n", &ns.name, "--timeout", "1m"])
        .assert()
        .success()
        .stderr(contains("StatefulSet cassandra unchanged"))
        .stderr(contains("Service cassandra unchanged"));
    assert_eq!(generation(&ns.name), before);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn up_with_five_replicas() {
    let ns = TestNamespace::new("up5");
    cluster()
        .casctl()
        .args(["up", "-n", &ns.name, "--replicas", "5", "--timeout", "3m"])
        .assert()
        .success();
    assert_ordered_rollout(&ns.name, 5);
    assert_eq!(ring_codes(&ns.name), ["UN"; 5]);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_missing_storage_class_stops_before_any_write() {
    let ns = TestNamespace::new("nosc");
    cluster()
        .casctl()
        .args(["up", "-n", &ns.name, "--storage-class", "premium-rwo"])
        .assert()
        .code(1)
        .stderr(contains("StorageClass \"premium-rwo\" does not exist"))
        .stderr(contains("fast"))
        .stderr(contains("hint: "));
    nothing_created(&ns.name);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_baseline_namespace_is_refused_in_preflight() {
    let ns = TestNamespace::new("psa");
    cluster().kubectl_ok(&[
        "label",
        "namespace",
        &ns.name,
        "pod-security.kubernetes.io/enforce=baseline",
    ]);
    cluster()
        .casctl()
        .args(["up", "-n", &ns.name])
        .assert()
        .code(1)
        .stderr(contains("pod-security.kubernetes.io/enforce=baseline"))
        .stderr(contains("IPC_LOCK"));
    nothing_created(&ns.name);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn too_much_cpu_warns_then_times_out_with_the_scheduler_reason() {
    let ns = TestNamespace::new("cpu");
    let started = Instant::now();
    cluster()
        .casctl()
        .args([
            "up",
            "-n",
            &ns.name,
            "--cpu",
            "500",
            "--replicas",
            "1",
            "--timeout",
            "8s",
            "--no-ring-check",
        ])
        .assert()
        .code(3)
        .stderr(contains(
            "warning: each pod requests 500 cpu, more than any node can allocate",
        ))
        .stderr(contains("Insufficient cpu"))
        .stderr(contains("hint: "));
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_missing_namespace_is_named() {
    cluster()
        .casctl()
        .args(["up", "-n", "no-such-namespace-here"])
        .assert()
        .code(1)
        .stderr(contains("namespace no-such-namespace-here does not exist"));
}

/// A kubeconfig for a service account that may only read pods.
fn pod_reader_kubeconfig(ns: &str, dir: &std::path::Path) -> std::path::PathBuf {
    let c = cluster();
    c.kubectl_ok(&["create", "serviceaccount", "reader", "-n", ns]);
    c.kubectl_ok(&[
        "create",
        "role",
        "pod-reader",
        "-n",
        ns,
        "--verb=get,list,watch",
        "--resource=pods",
    ]);
    c.kubectl_ok(&[
        "create",
        "rolebinding",
        "reader",
        "-n",
        ns,
        "--role=pod-reader",
        &format!("--serviceaccount={ns}:reader"),
    ]);
    let token = c.kubectl_ok(&["create", "token", "reader", "-n", ns]);
    let server = c.kubectl_ok(&[
        "config",
        "view",
        "--minify",
        "-o",
        "jsonpath={.clusters[0].cluster.server}",
    ]);
    let path = dir.join("reader.kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: reader\nclusters:\n- name: local\n  cluster:\n    server: {server}\n    insecure-skip-tls-verify: true\n\
         contexts:\n- name: reader\n  context:\n    cluster: local\n    user: reader\n    namespace: {ns}\nusers:\n- name: reader\n  user:\n    token: {}\n",
        token.trim()
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_pod_reader_is_told_which_permission_is_missing() {
    let ns = TestNamespace::new("rbac");
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = pod_reader_kubeconfig(&ns.name, dir.path());
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_casctl"));
    cmd.args(["up", "--kubeconfig", kubeconfig.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(contains("forbidden"))
        .stderr(contains("cannot get statefulsets").or(contains("cannot patch services")))
        .stderr(contains(ns.name.as_str()));
    nothing_created(&ns.name);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn ctrl_c_mid_rollout_leaves_the_objects_and_up_resumes() {
    let ns = TestNamespace::new("sigint");
    let c = cluster();
    let child = Command::new(env!("CARGO_BIN_EXE_casctl"))
        .args([
            "--kubeconfig",
            c.kubeconfig.to_str().unwrap(),
            "up",
            "-n",
            &ns.name,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pod_zero_exists = common::wait_until(Duration::from_secs(60), || {
        c.kubectl(&["get", "pod", "cassandra-0", "-n", &ns.name])
            .status
            .success()
    });
    assert!(pod_zero_exists, "the rollout did not start");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    c.kubectl_ok(&["get", "statefulset", "cassandra", "-n", &ns.name]);

    c.casctl()
        .args(["up", "-n", &ns.name, "--timeout", "3m"])
        .assert()
        .success();
    assert_eq!(ring_codes(&ns.name), ["UN"; 3]);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn server_dry_run_reports_changes_without_making_them() {
    let ns = TestNamespace::new("dry");
    let c = cluster();
    c.casctl()
        .args(["up", "-n", &ns.name, "--dry-run=server"])
        .assert()
        .success()
        .stderr(contains("StatefulSet cassandra would be created"));
    nothing_created(&ns.name);
    c.casctl()
        .args(["up", "-n", &ns.name, "--replicas", "1", "--no-ring-check"])
        .assert()
        .success();
    c.casctl()
        .args([
            "up",
            "-n",
            &ns.name,
            "--dry-run=server",
            "--image",
            "cassandra:4.1",
        ])
        .assert()
        .success()
        .stderr(contains("StatefulSet cassandra would be configured"))
        .stderr(contains("spec.template.spec.containers[0].image"));
    let image =
        get_json(&ns.name, &["statefulset", "cassandra"])["spec"]["template"]["spec"]["containers"]
            [0]["image"]
            .clone();
    assert_eq!(image, "gcr.io/google-samples/cassandra:v13");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn an_apply_conflict_names_the_other_manager() {
    let ns = TestNamespace::new("conflict");
    let c = cluster();
    c.casctl()
        .args(["up", "-n", &ns.name, "--replicas", "1", "--no-ring-check"])
        .assert()
        .success();
    c.kubectl_ok(&[
        "patch",
        "statefulset",
        "cassandra",
        "-n",
        &ns.name,
        "--field-manager=other-tool",
        "--type=merge",
        "-p",
        r#"{"spec":{"template":{"spec":{"terminationGracePeriodSeconds":60}}}}"#,
    ]);
    c.casctl()
        .args(["up", "-n", &ns.name, "--no-wait"])
        .assert()
        .code(1)
        .stderr(contains("conflict"))
        .stderr(contains("other-tool"))
        .stderr(contains("--force-conflicts"));
    c.casctl()
        .args(["up", "-n", &ns.name, "--no-wait", "--force-conflicts"])
        .assert()
        .success();
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_change_to_a_fixed_field_is_explained() {
    let ns = TestNamespace::new("fixed");
    let c = cluster();
    c.casctl()
        .args(["up", "-n", &ns.name, "--replicas", "1", "--no-ring-check"])
        .assert()
        .success();
    c.casctl()
        .args(["up", "-n", &ns.name, "--storage-size", "2Gi", "--no-wait"])
        .assert()
        .code(1)
        .stderr(contains("cannot be changed in place"))
        .stderr(contains("casctl down"));
}
