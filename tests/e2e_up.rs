//! End-to-end tests of `casctl up` on the local control plane (tests/local-cluster).

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{TestNamespace, cluster};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::ResourceExt;
use predicates::prelude::*;
use predicates::str::contains;

fn statefulset(ns: &str) -> StatefulSet {
    cluster()
        .get(ns, "statefulset/cassandra")
        .expect("the StatefulSet")
}

fn ready_since(pod: &Pod) -> Time {
    let conditions = pod.status.as_ref().and_then(|s| s.conditions.clone());
    let ready = conditions
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.type_ == "Ready" && c.status == "True");
    ready
        .and_then(|c| c.last_transition_time)
        .unwrap_or_else(|| panic!("{} is not Ready", pod.name_any()))
}

/// Pods 0..n exist, each Ready, each created after the previous one became Ready.
fn assert_ordered_rollout(ns: &str, n: usize) {
    let mut pods: Vec<Pod> = cluster().list(ns, "pods", Some("app=cassandra"));
    let ordinal = |p: &Pod| {
        p.name_any()
            .rsplit('-')
            .next()
            .and_then(|o| o.parse::<u32>().ok())
    };
    pods.sort_by_key(ordinal);
    assert_eq!(pods.len(), n);
    for pair in pods.windows(2) {
        let created = pair[1]
            .metadata
            .creation_timestamp
            .clone()
            .expect("created");
        assert!(
            created.0 >= ready_since(&pair[0]).0,
            "{} created before the previous pod was Ready",
            pair[1].name_any()
        );
    }
    ready_since(&pods[n - 1]);
}

fn ring_codes(ns: &str) -> Vec<String> {
    cluster().ring_codes(ns, "cassandra-0")
}

fn generation(ns: &str) -> Option<i64> {
    statefulset(ns).metadata.generation
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
    let claims: Vec<PersistentVolumeClaim> = c.list(&ns.name, "pvc", None);
    let phases: Vec<Option<String>> = claims
        .iter()
        .map(|c| c.status.as_ref().and_then(|s| s.phase.clone()))
        .collect();
    assert_eq!(phases, vec![Some("Bound".to_owned()); 3]);
    assert_eq!(ring_codes(&ns.name), ["UN"; 3]);
    let sts = statefulset(&ns.name);
    let env = sts.spec.unwrap().template.spec.unwrap().containers[0]
        .env
        .clone()
        .unwrap();
    let seeds = env.iter().find(|e| e.name == "CASSANDRA_SEEDS").unwrap();
    assert_eq!(
        seeds.value.as_deref(),
        Some(format!("cassandra-0.cassandra.{}.svc.cluster.local", ns.name).as_str())
    );
    let out = c.kubectl_ok(&[
        "get",
        "statefulset",
        "cassandra",
        "-n",
        &ns.name,
        "--show-managed-fields",
        "-o",
        "json",
    ]);
    let with_managers: StatefulSet = serde_json::from_str(&out).unwrap();
    let managers: Vec<String> = with_managers
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert!(managers.contains(&"casctl".to_owned()), "{managers:?}");

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
    let path = dir.join("reader.kubeconfig");
    c.token_kubeconfig(&path, "reader", ns, &token);
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
    let sts = statefulset(&ns.name);
    let image = sts.spec.unwrap().template.spec.unwrap().containers[0]
        .image
        .clone();
    assert_eq!(
        image.as_deref(),
        Some("gcr.io/google-samples/cassandra:v13")
    );
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
        .stderr(contains(
            "spec.volumeClaimTemplates[0].spec.resources.requests.storage: 1Gi → 2Gi",
        ))
        .stderr(contains("keep their size"));
}
