//! End-to-end tests of `casctl scale` and `casctl down` on the local control plane.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{TestNamespace, cluster};
use predicates::prelude::*;
use predicates::str::contains;

fn up(ns: &str, extra: &[&str]) {
    let mut args = vec!["up", "-n", ns, "--timeout", "3m"];
    args.extend(extra);
    cluster().casctl().args(&args).assert().success();
}

fn ring_rows(ns: &str, pod: &str) -> Vec<String> {
    let out = cluster().kubectl(&["exec", "-n", ns, pod, "--", "nodetool", "status"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.len() > 2 && ["UN", "DN", "UL", "UJ", "DL", "UM"].contains(&&l[..2]))
        .map(str::to_owned)
        .collect()
}

fn codes(rows: &[String]) -> Vec<&str> {
    rows.iter().map(|r| &r[..2]).collect()
}

fn names(ns: &str, kind: &str) -> Vec<String> {
    let out = cluster().kubectl_ok(&[
        "get",
        kind,
        "-n",
        ns,
        "-o",
        "jsonpath={.items[*].metadata.name}",
    ]);
    out.split_whitespace().map(str::to_owned).collect()
}

fn exists(ns: &str, what: &str) -> bool {
    cluster().kubectl(&["get", what, "-n", ns]).status.success()
}

/// The built-in templates, edited: a shorter grace period and a pod annotation.
fn templates(dir: &Path, grace: u32, pod_annotation: Option<&str>) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    std::fs::copy(root.join("service.yaml"), dir.join("service.yaml")).unwrap();
    let mut sts = std::fs::read_to_string(root.join("statefulset.yaml"))
        .unwrap()
        .replace(
            "terminationGracePeriodSeconds: 500",
            &format!("terminationGracePeriodSeconds: {grace}"),
        );
    if let Some(annotation) = pod_annotation {
        let pod_labels = "  template:\n    metadata:\n      labels:\n        app: cassandra\n";
        assert!(sts.contains(pod_labels));
        sts = sts.replace(
            pod_labels,
            &format!("{pod_labels}      annotations:\n        {annotation}\n"),
        );
    }
    std::fs::write(dir.join("statefulset.yaml"), sts).unwrap();
    dir.to_path_buf()
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn scale_up_then_down_decommissions_without_ever_showing_dn() {
    let ns = TestNamespace::new("scale");
    up(&ns.name, &[]);
    let c = cluster();
    c.casctl()
        .args(["scale", "4", "-n", &ns.name])
        .assert()
        .success();
    assert_eq!(names(&ns.name, "pods").len(), 4);
    assert_eq!(codes(&ring_rows(&ns.name, "cassandra-0")), ["UN"; 4]);

    // Watch the ring from pod 0 while scaling down: a DN row would mean a node left unsafely.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, ns) = (stop.clone(), ns.name.clone());
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                seen.extend(ring_rows(&ns, "cassandra-0"));
                std::thread::sleep(Duration::from_millis(200));
            }
            seen
        })
    };
    c.casctl()
        .args(["scale", "3", "-n", &ns.name])
        .assert()
        .success()
        .stderr(contains("decommissioning cassandra-3"))
        .stderr(contains("cassandra-data-cassandra-3"));
    stop.store(true, Ordering::Relaxed);
    let seen = watcher.join().unwrap();
    assert!(
        seen.iter().all(|r| !r.starts_with("DN")),
        "the ring showed DN: {seen:?}"
    );
    assert!(!exists(&ns.name, "pod/cassandra-3"));
    assert_eq!(codes(&ring_rows(&ns.name, "cassandra-0")), ["UN"; 3]);
    assert!(
        exists(&ns.name, "pvc/cassandra-data-cassandra-3"),
        "the claim of the removed pod must be kept"
    );
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn skip_decommission_leaves_dn_and_says_so_and_dn_blocks_a_safe_scale_down() {
    let ns = TestNamespace::new("skipdec");
    up(&ns.name, &[]);
    let c = cluster();
    c.casctl()
        .args(["scale", "2", "-n", &ns.name, "--skip-decommission"])
        .assert()
        .success()
        .stderr(contains("warning: --skip-decommission"))
        .stderr(contains("DN"));
    // Rows come in hash order, as real nodetool prints them.
    let rows = ring_rows(&ns.name, "cassandra-0");
    let mut codes = codes(&rows);
    codes.sort_unstable();
    assert_eq!(codes, ["DN", "UN", "UN"]);

    c.casctl()
        .args(["scale", "1", "-n", &ns.name])
        .assert()
        .code(1)
        .stderr(contains("not Up/Normal"))
        .stderr(contains("--force"));
    assert_eq!(
        names(&ns.name, "pods").len(),
        2,
        "a refused scale must change nothing"
    );
    c.casctl()
        .args(["scale", "1", "-n", &ns.name, "--force", "--no-ring-check"])
        .assert()
        .success();
    assert_eq!(names(&ns.name, "pods"), ["cassandra-0"]);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn scale_needs_at_least_one_node_and_a_statefulset() {
    let ns = TestNamespace::new("scale0");
    cluster()
        .casctl()
        .args(["scale", "0", "-n", &ns.name])
        .assert()
        .code(2)
        .stderr(contains("casctl down"));
    cluster()
        .casctl()
        .args(["scale", "2", "-n", &ns.name])
        .assert()
        .code(1)
        .stderr(contains("no StatefulSet cassandra"));
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn down_keeps_the_claims_and_returns_as_soon_as_the_pods_are_gone() {
    let ns = TestNamespace::new("down");
    up(&ns.name, &[]);
    let c = cluster();
    let started = Instant::now();
    c.casctl()
        .args(["down", "-n", &ns.name])
        .assert()
        .success()
        .stderr(contains("kept 3 claims"))
        .stderr(contains("--purge-volumes"));
    // The grace period is 500 s; the simulated pods drain in 2 s.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "down took {:?}",
        started.elapsed()
    );
    assert!(names(&ns.name, "pods").is_empty());
    assert!(!exists(&ns.name, "statefulset/cassandra"));
    assert!(!exists(&ns.name, "service/cassandra"));
    assert_eq!(names(&ns.name, "pvc").len(), 3);

    c.casctl()
        .args(["down", "-n", &ns.name])
        .assert()
        .success()
        .stderr(contains("nothing to delete"));
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn down_waits_for_a_hanging_pod_and_times_out_without_touching_claims() {
    let ns = TestNamespace::new("hang");
    let dir = tempfile::tempdir().unwrap();
    let tpl = templates(dir.path(), 10, Some("casctl.test/hang-on-delete: \"true\""));
    up(
        &ns.name,
        &["--templates", tpl.to_str().unwrap(), "--replicas", "1"],
    );
    let c = cluster();

    let started = Instant::now();
    c.casctl()
        .args([
            "down",
            "-n",
            &ns.name,
            "--purge-volumes",
            "--yes",
            "--timeout",
            "3s",
        ])
        .assert()
        .code(3)
        .stderr(contains("cassandra-0"))
        .stderr(contains("claim cassandra-data-cassandra-0 deleted").not());
    assert!(started.elapsed() < Duration::from_secs(9));
    assert_eq!(names(&ns.name, "pvc"), ["cassandra-data-cassandra-0"]);
    assert!(exists(&ns.name, "service/cassandra"));

    c.casctl().args(["down", "-n", &ns.name]).assert().success();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(9),
        "down returned before the grace period ended: {waited:?}"
    );
    assert!(waited < Duration::from_secs(40), "down took {waited:?}");
    assert!(names(&ns.name, "pods").is_empty());
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn purging_needs_consent_and_then_releases_the_volumes() {
    let ns = TestNamespace::new("purge");
    up(&ns.name, &["--replicas", "2"]);
    let c = cluster();
    let volumes: Vec<String> = c
        .kubectl_ok(&[
            "get",
            "pvc",
            "-n",
            &ns.name,
            "-o",
            "jsonpath={.items[*].spec.volumeName}",
        ])
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(volumes.len(), 2);

    c.casctl()
        .args(["down", "-n", &ns.name, "--purge-volumes"])
        .assert()
        .code(1)
        .stderr(contains("cassandra-data-cassandra-0"))
        .stderr(contains("nothing was deleted"))
        .stderr(contains("--yes"));
    assert_eq!(
        names(&ns.name, "pods").len(),
        2,
        "a refused purge must delete nothing"
    );
    assert!(exists(&ns.name, "statefulset/cassandra"));

    c.casctl()
        .args(["down", "-n", &ns.name, "--purge-volumes", "--yes"])
        .assert()
        .success()
        .stderr(contains("2 claims deleted"));
    assert!(common::wait_until(Duration::from_secs(30), || names(
        &ns.name, "pvc"
    )
    .is_empty()));
    for volume in &volumes {
        // Released, or already recycled by the local control plane: bound to no claim either way.
        let phase = c.kubectl_ok(&["get", "pv", volume, "-o", "jsonpath={.status.phase}"]);
        assert!(
            ["Released", "Available"].contains(&phase.trim()),
            "volume {volume} is {phase}"
        );
    }
    c.casctl()
        .args(["down", "-n", &ns.name, "--purge-volumes", "--yes"])
        .assert()
        .success()
        .stderr(contains("nothing to delete"));
}

/// The tutorial's own manifests (built-in templates before casctl's overlay), applied with
/// kubectl, with only one of the two label styles.
fn apply_tutorial(ns: &str, label: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut text = String::new();
    for file in ["service.yaml", "statefulset.yaml"] {
        let yaml = std::fs::read_to_string(root.join(file)).unwrap();
        text.push_str(&yaml.replace("app: cassandra", label));
        text.push_str("\n---\n");
    }
    cluster().apply(ns, &text);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn objects_made_with_kubectl_from_the_tutorial_are_removed() {
    for (prefix, label) in [
        ("tut-app", "app: cassandra"),
        ("tut-name", "app.kubernetes.io/name: cassandra"),
    ] {
        let ns = TestNamespace::new(prefix);
        apply_tutorial(&ns.name, label);
        let c = cluster();
        assert!(common::wait_until(Duration::from_secs(60), || exists(
            &ns.name,
            "pod/cassandra-0"
        )));
        c.casctl()
            .args(["down", "-n", &ns.name, "--purge-volumes", "--yes"])
            .assert()
            .success();
        assert!(!exists(&ns.name, "statefulset/cassandra"), "{label}");
        assert!(!exists(&ns.name, "service/cassandra"), "{label}");
        assert!(names(&ns.name, "pods").is_empty(), "{label}");
        assert!(
            common::wait_until(Duration::from_secs(30), || names(&ns.name, "pvc")
                .is_empty()),
            "{label}"
        );
    }
}
