//! casctl under concurrency, interruption and changes made behind its back, on the local
//! control plane's simulated ring: two commands at once, SIGINT and SIGTERM at the steps that
//! matter, kill -9, objects deleted or rescaled during a wait, objects made by kubectl.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{TestNamespace, cluster, read, signal, templates, wait_until};
use k8s_openapi::api::core::v1::Service;
use predicates::str::contains;

const LONG: Duration = Duration::from_secs(120);

/// `casctl up` of `replicas` nodes whose decommission takes `delay`.
fn up_slow_leaving(ns: &str, dir: &Path, replicas: u32, delay: &str) {
    let annotation = format!("casctl.test/decommission-delay: \"{delay}\"");
    let dir = templates(dir, 30, &[&annotation, common::TWO_REPLICAS]);
    cluster()
        .casctl()
        .args([
            "up",
            "-n",
            ns,
            "--timeout",
            "3m",
            "--replicas",
            &replicas.to_string(),
        ])
        .arg("--templates")
        .arg(&dir)
        .assert()
        .success();
}

fn wait_for_line(stderr: &Path, line: &str) {
    assert!(
        wait_until(LONG, || read(stderr).contains(line)),
        "never printed {line:?}:\n{}",
        read(stderr)
    );
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_second_scale_is_refused_while_the_first_runs_and_no_joined_node_is_removed() {
    let ns = TestNamespace::new("lock");
    let dir = tempfile::tempdir().unwrap();
    up_slow_leaving(&ns.name, dir.path(), 5, "6s");
    let c = cluster();
    let log = dir.path().join("scale2.log");
    let mut first = c.spawn_casctl(&["scale", "2", "-n", &ns.name], &log);
    wait_for_line(&log, "cassandra-4 decommissioned and removed");

    c.casctl()
        .args(["scale", "5", "-n", &ns.name])
        .assert()
        .code(1)
        .stderr(contains("is locked by"))
        .stderr(contains("(casctl scale 2)"))
        .stderr(contains("--wait-for-lock"));

    let status = first.wait().unwrap();
    assert!(status.success(), "{}", read(&log));
    assert_eq!(c.replicas(&ns.name), Some(2));
    assert_eq!(c.ring_codes(&ns.name, "cassandra-0"), ["UN", "UN"]);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_queued_command_waits_for_the_lock_and_then_runs() {
    let ns = TestNamespace::new("queue");
    let dir = tempfile::tempdir().unwrap();
    up_slow_leaving(&ns.name, dir.path(), 4, "4s");
    let c = cluster();
    let log = dir.path().join("scale3.log");
    let mut first = c.spawn_casctl(&["scale", "3", "-n", &ns.name], &log);
    wait_for_line(&log, "decommissioning cassandra-3");
    c.casctl()
        .args([
            "scale",
            "4",
            "-n",
            &ns.name,
            "--wait-for-lock",
            "--no-cleanup",
        ])
        .assert()
        .success();
    assert!(first.wait().unwrap().success(), "{}", read(&log));
    assert_eq!(c.replicas(&ns.name), Some(4));
    assert_eq!(c.ring_codes(&ns.name, "cassandra-0"), ["UN"; 4]);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn replicas_raised_behind_a_scale_down_stop_it_before_it_removes_a_joined_node() {
    let ns = TestNamespace::new("behind");
    let dir = tempfile::tempdir().unwrap();
    up_slow_leaving(&ns.name, dir.path(), 4, "8s");
    let c = cluster();
    let log = dir.path().join("scale2.log");
    let mut scale = c.spawn_casctl(&["scale", "2", "-n", &ns.name], &log);
    wait_for_line(&log, "decommissioning cassandra-3");
    // Another tool that takes no lock grows the ring while cassandra-3 leaves.
    c.kubectl_ok(&[
        "scale",
        "statefulset",
        "cassandra",
        "-n",
        &ns.name,
        "--replicas=5",
    ]);

    let status = scale.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{}", read(&log));
    assert!(
        read(&log).contains("changed the ring at the same time"),
        "{}",
        read(&log)
    );
    // cassandra-4 joined meanwhile: still there, never removed without decommission.
    assert_eq!(c.replicas(&ns.name), Some(5));
    let ring = c.ring(&ns.name, "cassandra-0");
    assert!(!ring.nodes().any(|(_, n)| n.code() == "DN"), "{ring:?}");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn sigint_during_a_decommission_stops_at_once_and_a_rerun_finishes() {
    let ns = TestNamespace::new("sigint-dec");
    let dir = tempfile::tempdir().unwrap();
    up_slow_leaving(&ns.name, dir.path(), 4, "20s");
    let c = cluster();
    let log = dir.path().join("scale.log");
    let mut scale = c.spawn_casctl(&["scale", "3", "-n", &ns.name], &log);
    wait_for_line(&log, "decommissioning cassandra-3");
    // The signal comes once the node has begun to leave (its nodetool call has reached it).
    assert!(wait_until(LONG, || c
        .ring_codes(&ns.name, "cassandra-0")
        .contains(&"UL".to_owned())));
    signal(&scale, "INT");
    let status = scale.wait().unwrap();
    let printed = read(&log);
    assert_eq!(status.code(), Some(130), "{printed}");
    assert!(
        printed.contains("the decommission of cassandra-3 goes on inside Cassandra"),
        "{printed}"
    );
    assert!(printed.contains("casctl scale 3 -n"), "{printed}");
    // It stopped while the node was still leaving (UL for 20 s), not after.
    let codes = c.ring_codes(&ns.name, "cassandra-0");
    assert!(codes.contains(&"UL".to_owned()), "{codes:?}");
    assert_eq!(c.replicas(&ns.name), Some(4));

    c.casctl()
        .args(["scale", "3", "-n", &ns.name])
        .assert()
        .success()
        .stderr(contains("cassandra-3"));
    assert_eq!(c.replicas(&ns.name), Some(3));
    assert_eq!(c.ring_codes(&ns.name, "cassandra-0"), ["UN"; 3]);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn sigterm_during_teardown_stops_while_pods_still_terminate() {
    let ns = TestNamespace::new("sigterm-down");
    let dir = tempfile::tempdir().unwrap();
    let dir = templates(dir.path(), 25, &["casctl.test/hang-on-delete: \"true\""]);
    let c = cluster();
    c.casctl()
        .args([
            "up",
            "-n",
            &ns.name,
            "--replicas",
            "1",
            "--timeout",
            "2m",
            "--templates",
        ])
        .arg(&dir)
        .assert()
        .success();
    let log = dir.join("down.log");
    let mut down = c.spawn_casctl(&["down", "-n", &ns.name, "--purge-volumes", "--yes"], &log);
    wait_for_line(&log, "waiting for cassandra-0 to terminate");
    signal(&down, "TERM");
    let status = down.wait().unwrap();
    let printed = read(&log);
    assert_eq!(status.code(), Some(130), "{printed}");
    assert!(printed.contains("nothing else was deleted"), "{printed}");
    // The pod hangs for its 25 s grace period: casctl did not wait for it.
    let pod = c.kubectl(&["get", "pod", "cassandra-0", "-n", &ns.name]);
    assert!(
        pod.status.success(),
        "the pod was still terminating when casctl stopped"
    );
    assert_eq!(c.names(&ns.name, "pvc").len(), 1, "no claim was deleted");

    c.casctl()
        .args(["down", "-n", &ns.name, "--purge-volumes", "--yes"])
        .assert()
        .success();
    assert!(c.names(&ns.name, "pvc").is_empty());
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn kill_9_of_a_scale_down_leaves_a_lock_that_a_rerun_on_this_host_takes_over() {
    let ns = TestNamespace::new("kill9");
    let dir = tempfile::tempdir().unwrap();
    up_slow_leaving(&ns.name, dir.path(), 4, "6s");
    let c = cluster();
    let log = dir.path().join("scale.log");
    let mut scale = c.spawn_casctl(&["scale", "3", "-n", &ns.name], &log);
    wait_for_line(&log, "decommissioning cassandra-3");
    signal(&scale, "KILL");
    scale.wait().unwrap();
    let lease = c.kubectl(&["get", "lease", "cassandra-casctl", "-n", &ns.name]);
    assert!(
        lease.status.success(),
        "the dead command's lock is still there"
    );

    c.casctl()
        .args(["scale", "3", "-n", &ns.name])
        .assert()
        .success();
    assert_eq!(c.replicas(&ns.name), Some(3));
    let ring = c.ring(&ns.name, "cassandra-0");
    assert_eq!(ring.nodes().count(), 3, "{ring:?}");
    assert!(ring.nodes().all(|(_, n)| n.is_up_normal()), "{ring:?}");
    let lease = c.kubectl(&["get", "lease", "cassandra-casctl", "-n", &ns.name]);
    assert!(!lease.status.success(), "released at the end");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_ghost_node_fails_fast_with_the_removenode_command() {
    let ns = TestNamespace::new("ghost");
    let c = cluster();
    c.casctl()
        .args(["up", "-n", &ns.name, "--timeout", "3m"])
        .assert()
        .success();
    c.kubectl_ok(&[
        "scale",
        "statefulset",
        "cassandra",
        "-n",
        &ns.name,
        "--replicas=2",
    ]);
    assert!(wait_until(LONG, || !c
        .names(&ns.name, "pods")
        .contains(&"cassandra-2".to_owned())));
    c.casctl()
        .args(["scale", "2", "-n", &ns.name, "--timeout", "2m"])
        .assert()
        .code(1)
        .stderr(contains("no pod stands for"))
        .stderr(contains(format!(
            "casctl nodetool -n {} --name cassandra -- removenode",
            ns.name
        )));
    c.casctl()
        .args(["status", "-n", &ns.name])
        .assert()
        .code(4)
        .stderr(contains(format!(
            "casctl nodetool -n {} --name cassandra -- removenode",
            ns.name
        )));
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_rollout_whose_statefulset_is_deleted_or_rescaled_stops_at_once() {
    let c = cluster();
    for (prefix, change, expected) in [
        ("deleted", "delete", "was deleted while this command waited"),
        (
            "rescaled",
            "scale",
            "spec.replicas of StatefulSet cassandra was changed to 2",
        ),
    ] {
        let ns = TestNamespace::new(prefix);
        let dir = tempfile::tempdir().unwrap();
        let dir = templates(dir.path(), 30, &["casctl.test/ready-delay: \"6s\""]);
        let log = dir.join("up.log");
        let up_args = [
            "up",
            "-n",
            &ns.name,
            "--replicas",
            "4",
            "--timeout",
            "2m",
            "--templates",
        ];
        let mut args: Vec<&str> = up_args.to_vec();
        let dir_arg = dir.to_string_lossy().into_owned();
        args.push(&dir_arg);
        let mut up = c.spawn_casctl(&args, &log);
        wait_for_line(&log, "cassandra-0");
        match change {
            "delete" => c.kubectl_ok(&[
                "delete",
                "statefulset",
                "cassandra",
                "-n",
                &ns.name,
                "--wait=false",
            ]),
            _ => c.kubectl_ok(&[
                "scale",
                "statefulset",
                "cassandra",
                "-n",
                &ns.name,
                "--replicas=2",
            ]),
        };
        let status = up.wait().unwrap();
        let printed = read(&log);
        assert_eq!(status.code(), Some(1), "{printed}");
        assert!(printed.contains(expected), "{printed}");
        assert!(!printed.contains("did not complete within"), "{printed}");
    }
}

/// The tutorial's manifests applied with kubectl (label `app: cassandra` only).
fn apply_tutorial(ns: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut text = String::new();
    for file in ["service.yaml", "statefulset.yaml"] {
        text.push_str(&std::fs::read_to_string(root.join(file)).unwrap());
        text.push_str("\n---\n");
    }
    cluster().apply(ns, &text);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn forcing_conflicts_on_tutorial_objects_changes_nothing_and_explains_how_to_adopt() {
    let ns = TestNamespace::new("adopt");
    apply_tutorial(&ns.name);
    let c = cluster();
    let selector = |c: &common::Cluster| {
        let service: Service = c.get(&ns.name, "service/cassandra").unwrap();
        service.spec.unwrap().selector
    };
    let before = selector(c);
    for force in [true, false] {
        let mut cmd = c.casctl();
        cmd.args(["up", "-n", &ns.name, "--no-wait"]);
        if force {
            cmd.arg("--force-conflicts");
        }
        // First what was done (the Service still selects the tutorial's pods), then what
        // was said.
        let out = cmd.output().unwrap();
        assert_eq!(selector(c), before, "force: {force}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("cannot be changed in place"), "{stderr}");
        assert!(stderr.contains("casctl down"), "{stderr}");
        assert!(!stderr.contains("--force-conflicts"), "{stderr}");
    }
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_server_dry_run_only_calls_unchanged_what_has_no_change() {
    let ns = TestNamespace::new("dryrun");
    let c = cluster();
    c.casctl()
        .args(["up", "-n", &ns.name, "--replicas", "1", "--no-wait"])
        .assert()
        .success();
    let out = c
        .casctl()
        .args([
            "up",
            "-n",
            &ns.name,
            "--dry-run=server",
            "--replicas",
            "2",
            "--image",
            "cassandra:5.0",
        ])
        .assert()
        .success();
    let printed = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        printed.contains("Service cassandra would be unchanged"),
        "{printed}"
    );
    assert!(
        printed.contains("StatefulSet cassandra would be configured"),
        "{printed}"
    );
    assert!(printed.contains("spec.replicas: 1 → 2"), "{printed}");
    assert_eq!(c.replicas(&ns.name), Some(1), "a dry run changes nothing");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_closed_stderr_does_not_stop_a_scale_half_way() {
    // `casctl scale 3 2>&1 | head -1`: the reader goes away after the first line. The command
    // must not die on its next message with the ring half scaled and its lock held.
    let ns = TestNamespace::new("epipe");
    let dir = tempfile::tempdir().unwrap();
    up_slow_leaving(&ns.name, dir.path(), 1, "1s");
    let c = cluster();
    let mut scale = std::process::Command::new(env!("CARGO_BIN_EXE_casctl"))
        .args(["--kubeconfig", c.kubeconfig.to_str().unwrap()])
        .args(["scale", "3", "-n", &ns.name, "--timeout", "2m"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = scale.stderr.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read(&mut stderr, &mut first).unwrap();
    drop(stderr);
    let status = scale.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status}");
    assert_eq!(c.replicas(&ns.name), Some(3));
    let lease = c.kubectl(&["get", "lease", "cassandra-casctl", "-n", &ns.name]);
    assert!(!lease.status.success(), "the lock was left behind");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_decommission_longer_than_the_budget_times_out_without_a_lost_connection() {
    let ns = TestNamespace::new("budget-left");
    let dir = tempfile::tempdir().unwrap();
    up_slow_leaving(&ns.name, dir.path(), 3, "30s");
    let out = cluster()
        .casctl()
        .args(["scale", "2", "-n", &ns.name, "--timeout", "8s"])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{printed}");
    assert!(
        printed.contains("the decommission of cassandra-2 did not complete within 8s"),
        "{printed}"
    );
    // Only the budget ran out: the connection to the node was never lost.
    assert!(!printed.contains("lost the connection"), "{printed}");
}
