//! End-to-end tests of `casctl scale` and `casctl down` on the local control plane.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{TestNamespace, cluster, templates};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use predicates::prelude::*;
use predicates::str::contains;

fn up(ns: &str, extra: &[&str]) {
    let mut args = vec!["up", "-n", ns, "--timeout", "3m"];
    args.extend(extra);
    cluster().casctl().args(&args).assert().success();
}

fn ring_codes(ns: &str) -> Vec<String> {
    cluster().ring_codes(ns, "cassandra-0")
}

fn names(ns: &str, kind: &str) -> Vec<String> {
    cluster().names(ns, kind)
}

fn exists(ns: &str, what: &str) -> bool {
    cluster().kubectl(&["get", what, "-n", ns]).status.success()
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
    assert_eq!(ring_codes(&ns.name), ["UN"; 4]);

    // Watch the ring from pod 0 while scaling down: a DN row would mean a node left unsafely.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, ns) = (stop.clone(), ns.name.clone());
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                seen.extend(ring_codes(&ns));
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
        seen.iter().all(|code| code != "DN"),
        "the ring showed DN: {seen:?}"
    );
    assert!(!exists(&ns.name, "pod/cassandra-3"));
    assert_eq!(ring_codes(&ns.name), ["UN"; 3]);
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
    assert_eq!(ring_codes(&ns.name), ["DN", "UN", "UN"]);

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
    // The grace period is 500 s and the simulated pods drain in 2 s: a teardown that slept out
    // the grace period would run out of this timeout (exit 3).
    c.casctl()
        .args(["down", "-n", &ns.name, "--timeout", "60s"])
        .assert()
        .success()
        .stderr(contains("kept 3 claims"))
        .stderr(contains("--purge-volumes"));
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
    let tpl = templates(dir.path(), 10, &["casctl.test/hang-on-delete: \"true\""]);
    up(
        &ns.name,
        &["--templates", tpl.to_str().unwrap(), "--replicas", "1"],
    );
    let c = cluster();

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
        .stderr(contains("cassandra-0 to terminate"))
        .stderr(contains("claims deleted").not());
    // It gave up while the pod still hung in its 10 s grace period, and deleted nothing more.
    assert!(exists(&ns.name, "pod/cassandra-0"));
    assert_eq!(names(&ns.name, "pvc"), ["cassandra-data-cassandra-0"]);
    assert!(exists(&ns.name, "service/cassandra"));

    // Without a timeout it waits for the pod, as long as its grace period lasts.
    c.casctl().args(["down", "-n", &ns.name]).assert().success();
    assert!(names(&ns.name, "pods").is_empty());
}

/// A bare pod `name` (no StatefulSet owns it) with one label, which takes `delay` to go once
/// deleted (the local control plane's `casctl.test/delete-delay`).
fn slow_pod(name: &str, label: &str, delay: &str) -> String {
    format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  labels: {{{label}}}
  annotations: {{casctl.test/ready-delay: "0s", casctl.test/delete-delay: "{delay}"}}
spec:
  terminationGracePeriodSeconds: 120
  containers: [{{name: main, image: busybox}}]
"#
    )
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn down_gives_the_pods_of_every_selector_one_timeout_between_them() {
    let ns = TestNamespace::new("down-sel");
    let c = cluster();
    // No StatefulSet: down looks for the ring's pods with each label style on its own (the
    // tutorial's `app`, and casctl's two), and finds one pod by each. They go 10, 24 and 38 s
    // after they are deleted: with its own 20 s for each selector in turn, down would wait
    // for each pod within the time left to the one before and succeed after 38 s; with one
    // 20 s budget for the command, it gives up while the last two still terminate.
    c.apply(
        &ns.name,
        &[
            slow_pod("cassandra-0", "app: cassandra", "10s"),
            slow_pod(
                "cassandra-1",
                "app.kubernetes.io/instance: cassandra",
                "24s",
            ),
            slow_pod("cassandra-2", "app.kubernetes.io/name: cassandra", "38s"),
        ]
        .join("---"),
    );

    let out = c
        .casctl()
        .args(["down", "-n", &ns.name, "--timeout", "20s"])
        .assert()
        .code(3)
        .stderr(contains("within 20s"))
        .stderr(contains("cassandra-2"));
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    for pod in ["cassandra-0", "cassandra-1", "cassandra-2"] {
        assert!(
            stderr.contains(&format!("pod {pod} (owned by no StatefulSet) deleted")),
            "{pod} not deleted:\n{stderr}"
        );
    }
    // It returned before the last pod went, 38 s (less than twice the budget) after its
    // deletion: that pod is still Terminating.
    let last = c.pod(&ns.name, "cassandra-2");
    assert!(
        last.is_some_and(|p| p.metadata.deletion_timestamp.is_some()),
        "cassandra-2 is no longer Terminating: down waited past its budget:\n{stderr}"
    );
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn down_without_timeout_gives_the_claims_time_of_their_own_after_slow_pods() {
    let ns = TestNamespace::new("down-late");
    let c = cluster();
    // Grace period 5 s, so down's default budget for the pods is 35 s; the pod takes 28 s to
    // go, and its claim is held by a finalizer for 12 s more. Counted from the pods' budget,
    // the claims would get the 7 s left and down would give up (exit 3) with its data half
    // purged; with a margin of their own after the pods are gone, down finishes.
    c.apply(
        &ns.name,
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: cassandra-0
  labels: {app: cassandra}
  annotations: {casctl.test/ready-delay: "0s", casctl.test/delete-delay: "28s"}
spec:
  terminationGracePeriodSeconds: 5
  containers: [{name: main, image: busybox}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: cassandra-data-cassandra-0
  labels: {app: cassandra}
  finalizers: [casctl.test/hold]
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: no-such-class
  resources: {requests: {storage: 1Gi}}
"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("down.log");
    let mut down = c.spawn_casctl(&["down", "-n", &ns.name, "--purge-volumes", "--yes"], &log);
    assert!(
        common::wait_until(Duration::from_secs(90), || common::read(&log)
            .contains("every pod is gone")),
        "the pod never went:\n{}",
        common::read(&log)
    );
    std::thread::sleep(Duration::from_secs(12));
    c.kubectl_ok(&[
        "patch",
        "pvc",
        "cassandra-data-cassandra-0",
        "-n",
        &ns.name,
        "--type=merge",
        "-p",
        r#"{"metadata": {"finalizers": null}}"#,
    ]);
    let status = down.wait().unwrap();
    let printed = common::read(&log);
    assert_eq!(status.code(), Some(0), "{printed}");
    assert!(printed.contains("is down in namespace"), "{printed}");
    let claims: Vec<PersistentVolumeClaim> = c.list(&ns.name, "pvc", None);
    assert!(claims.is_empty(), "{printed}");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn purging_needs_consent_and_then_releases_the_volumes() {
    let ns = TestNamespace::new("purge");
    up(&ns.name, &["--replicas", "2"]);
    let c = cluster();
    let claims: Vec<PersistentVolumeClaim> = c.list(&ns.name, "pvc", None);
    let volumes: Vec<String> = claims
        .iter()
        .filter_map(|c| c.spec.as_ref()?.volume_name.clone())
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
    // It returns once the claims are gone, not while they are still Terminating.
    assert!(names(&ns.name, "pvc").is_empty());
    for volume in &volumes {
        // Released, or already recycled by the local control plane: bound to no claim either way.
        let pv: PersistentVolume = c.get("default", &format!("pv/{volume}")).unwrap();
        let phase = pv.status.and_then(|s| s.phase).unwrap_or_default();
        assert!(
            ["Released", "Available"].contains(&phase.as_str()),
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
