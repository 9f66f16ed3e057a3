//! End-to-end tests of `casctl status` and `casctl nodetool` on the local control plane.

mod common;

use common::{TestNamespace, cluster};
use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;
use predicates::str::contains;
use serde_json::Value;

fn up(ns: &str, replicas: &str) {
    cluster()
        .casctl()
        .args(["up", "-n", ns, "--replicas", replicas, "--timeout", "3m"])
        .assert()
        .success();
}

fn status_json(ns: &str, expected_code: i32) -> Value {
    let out = cluster()
        .casctl()
        .args(["status", "-n", ns, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(expected_code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn pod_ips(ns: &str) -> Vec<(String, String)> {
    let pods: Vec<Pod> = cluster().list(ns, "pods", None);
    pods.iter()
        .filter_map(|p| Some((p.name_any(), p.status.as_ref()?.pod_ip.clone()?)))
        .collect()
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_healthy_ring_maps_every_node_to_its_pod() {
    let ns = TestNamespace::new("status");
    up(&ns.name, "3");

    let report = status_json(&ns.name, 0);
    assert_eq!(report["healthy"], true);
    assert_eq!(report["warnings"].as_array().unwrap().len(), 0);
    assert_eq!(report["statefulset"]["ready"], 3);
    assert_eq!(report["service"]["cluster_ip"], "None");
    assert_eq!(report["pods"].as_array().unwrap().len(), 3);
    assert_eq!(report["ring"]["asked"], "cassandra-0");
    let nodes = report["ring"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3);
    for (pod, ip) in pod_ips(&ns.name) {
        let node = nodes
            .iter()
            .find(|n| n["address"] == ip.as_str())
            .unwrap_or_else(|| panic!("{ip} not in ring"));
        assert_eq!(node["pod"], pod.as_str());
        assert_eq!(
            (node["status"].as_str(), node["state"].as_str()),
            (Some("up"), Some("normal"))
        );
        assert_eq!(node["datacenter"], "DC1-K8Demo");
        assert_eq!(node["rack"], "Rack1-K8Demo");
    }

    let table = cluster()
        .casctl()
        .args(["status", "-n", &ns.name])
        .assert()
        .success();
    let text = String::from_utf8(table.get_output().stdout.clone()).unwrap();
    for header in [
        "SERVICE",
        "STATEFULSET",
        "POD",
        "DATACENTER",
        "HOST-ID",
        "3/3",
    ] {
        assert!(text.contains(header), "{header} missing:\n{text}");
    }
    assert_eq!(text.matches("UN").count(), 3, "{text}");

    let yaml = cluster()
        .casctl()
        .args(["status", "-n", &ns.name, "-o", "yaml"])
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&yaml.get_output().stdout).contains("healthy: true"));
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn pod_zero_not_ready_means_another_pod_is_asked() {
    let ns = TestNamespace::new("notready");
    up(&ns.name, "3");
    let c = cluster();
    // Keep the simulated kubelet from making it Ready again, then report it not Ready.
    c.kubectl_ok(&[
        "annotate",
        "pod",
        "cassandra-0",
        "-n",
        &ns.name,
        "casctl.test/ready-delay=1h",
    ]);
    c.kubectl_ok(&[
        "patch",
        "pod",
        "cassandra-0",
        "-n",
        &ns.name,
        "--subresource=status",
        "-p",
        r#"{"status":{"conditions":[{"type":"Ready","status":"False"}]}}"#,
    ]);
    let out = c
        .casctl()
        .args(["status", "-n", &ns.name, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("cassandra-0 is not Ready; reading the ring from cassandra-1")
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ring"]["asked"], "cassandra-1");
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("2/3 pods are Ready"))
    );
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_pod_removed_without_decommission_is_a_dn_warning() {
    let ns = TestNamespace::new("dn");
    up(&ns.name, "3");
    let c = cluster();
    c.kubectl_ok(&[
        "scale",
        "statefulset",
        "cassandra",
        "-n",
        &ns.name,
        "--replicas=2",
    ]);
    assert!(common::wait_until(
        std::time::Duration::from_secs(60),
        || {
            !c.kubectl(&["get", "pod", "cassandra-2", "-n", &ns.name])
                .status
                .success()
        }
    ));
    let report = status_json(&ns.name, 4);
    assert_eq!(report["healthy"], false);
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("(DN) is no pod of cassandra")),
        "{warnings:?}"
    );
    let dn: Vec<&Value> = report["ring"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["status"] == "down")
        .collect();
    assert_eq!(dn.len(), 1);
    assert_eq!(dn[0]["pod"], Value::Null);
    cluster()
        .casctl()
        .args(["status", "-n", &ns.name])
        .assert()
        .code(4)
        .stderr(contains("warning: ring node"));
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn no_statefulset_is_a_clear_error() {
    let ns = TestNamespace::new("empty");
    cluster()
        .casctl()
        .args(["status", "-n", &ns.name])
        .assert()
        .code(1)
        .stderr(contains(format!(
            "no StatefulSet cassandra in namespace {}",
            ns.name
        )))
        .stderr(contains("hint: "));
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn nodetool_passes_output_and_exit_code_through() {
    let ns = TestNamespace::new("nodetool");
    up(&ns.name, "2");
    let c = cluster();
    let direct = c.kubectl_ok(&[
        "exec",
        "-n",
        &ns.name,
        "cassandra-0",
        "--",
        "nodetool",
        "status",
    ]);
    let through = c
        .casctl()
        .args(["nodetool", "-n", &ns.name, "--", "status"])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&through.get_output().stdout),
        direct
    );
    let other = c
        .casctl()
        .args([
            "nodetool",
            "-n",
            &ns.name,
            "--pod",
            "cassandra-1",
            "--",
            "status",
        ])
        .assert()
        .success();
    assert_eq!(String::from_utf8_lossy(&other.get_output().stdout), direct);

    let kubectl_code = c
        .kubectl(&[
            "exec",
            "-n",
            &ns.name,
            "cassandra-0",
            "--",
            "nodetool",
            "no-such-command",
        ])
        .status
        .code();
    assert_ne!(kubectl_code, Some(0));
    c.casctl()
        .args(["nodetool", "-n", &ns.name, "--", "no-such-command"])
        .assert()
        .code(kubectl_code.unwrap());

    // A pod that does not exist is named, with where to look, not the API's raw 404.
    let out = c
        .casctl()
        .args([
            "nodetool",
            "-n",
            &ns.name,
            "--pod",
            "cassandra-9",
            "--",
            "status",
        ])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{printed}");
    assert!(
        printed.contains(&format!("no pod cassandra-9 in namespace {}", ns.name)),
        "{printed}"
    );
    assert!(printed.contains("lists the ring's pods"), "{printed}");
    assert!(!printed.contains("caused by"), "{printed}");
}
