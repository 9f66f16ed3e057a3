//! casctl while the local control plane's kube-apiserver or etcd restarts under it
//! (`tests/local-cluster restart COMPONENT --down 10s`): in the middle of `up`, of a scale-down
//! (during a decommission) and of `down`, each command rides the outage out and ends as it
//! would have without it; an outage longer than `--timeout` is exit 3.
//!
//! These tests stop the control plane every other test uses: `tests/test-all` runs them last,
//! one at a time (`fault_` tests).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{TestNamespace, cluster, read, templates, wait_until};
use k8s_openapi::api::core::v1::Pod;

const LONG: Duration = Duration::from_secs(180);
/// How long a component stays down in the tests that ride the outage out.
const DOWN: &str = "10s";

/// `tests/local-cluster ARGS` on the control plane under test (the one whose kubeconfig the
/// tests use: its run directory holds the kubeconfig).
fn local_cluster(args: &[&str]) -> Command {
    let home = cluster()
        .kubeconfig
        .parent()
        .expect("the kubeconfig is in the control plane's run directory")
        .to_path_buf();
    let mut cmd = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/local-cluster"));
    cmd.env("CASCTL_CLUSTER_HOME", home).args(args);
    cmd
}

/// Stops `component` now, starts it again `down` later (`tests/local-cluster restart`), in
/// the background; the handle says when it is back.
fn restart_in_background(component: &'static str, down: &'static str) -> JoinHandle<()> {
    let mut cmd = local_cluster(&["restart", component, "--down", down]);
    std::thread::spawn(move || {
        let out = cmd.output().expect("tests/local-cluster runs");
        assert!(
            out.status.success(),
            "tests/local-cluster restart {component} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    })
}

/// Makes sure every component runs again, whatever a failed test left stopped.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        for component in ["etcd", "apiserver"] {
            let _ = local_cluster(&["start", component]).output();
        }
    }
}

fn wait_for_line(stderr: &Path, line: &str) {
    assert!(
        wait_until(LONG, || read(stderr).contains(line)),
        "never printed {line:?}:\n{}",
        read(stderr)
    );
}

/// Waits for casctl (at most `timeout`, then kills it and fails) and for the restart, which
/// must have ended first: the whole outage fell inside the command.
fn finish(child: &mut Child, restart: JoinHandle<()>, timeout: Duration, log: &Path) -> ExitStatus {
    let status = exit(child, timeout, log);
    let outage_inside = restart.is_finished();
    restart.join().expect("the restart");
    assert!(
        outage_inside,
        "casctl ended before the outage did:\n{}",
        read(log)
    );
    status
}

/// Waits for a child, at most `timeout` (then kills it and fails).
fn exit(child: &mut Child, timeout: Duration, log: &Path) -> ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("casctl's status") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("casctl still ran after {timeout:?}:\n{}", read(log));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The command rode an outage out: it saw the API server go and come back, and never
/// panicked.
fn assert_rode_it_out(log: &str) {
    assert!(
        log.contains("the API server does not answer"),
        "the outage did not hit the command:\n{log}"
    );
    assert!(
        log.contains("the API server answers again"),
        "no word of the API server's return:\n{log}"
    );
    assert!(!log.contains("panicked"), "{log}");
}

/// `casctl up` of `replicas` nodes (grace 30 s, pod annotations as given), done before the
/// fault; the templates go to `dir`.
fn up(ns: &str, dir: &Path, replicas: u32, annotations: &[&str]) -> PathBuf {
    let dir = templates(dir, 30, annotations);
    cluster()
        .casctl()
        .args(["up", "-n", ns, "--timeout", "3m", "--replicas"])
        .arg(replicas.to_string())
        .arg("--templates")
        .arg(&dir)
        .assert()
        .success();
    dir
}

/// Every pod of the namespace Ready, by name.
fn ready_pods(ns: &str) -> Vec<String> {
    let mut names: Vec<String> = cluster()
        .list::<Pod>(ns, "pods", None)
        .into_iter()
        .filter(|p| {
            p.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        })
        .filter_map(|p| p.metadata.name)
        .collect();
    names.sort();
    names
}

/// The ring casctl leaves: `replicas` in the StatefulSet, the pods 0…replicas-1 Ready, and
/// `nodetool status` listing exactly that many nodes, all UN (no DN left behind).
fn assert_ring_whole(ns: &str, replicas: u32) {
    let c = cluster();
    assert_eq!(c.replicas(ns), Some(replicas as i32));
    let expected: Vec<String> = (0..replicas).map(|i| format!("cassandra-{i}")).collect();
    assert_eq!(ready_pods(ns), expected);
    assert_eq!(c.names(ns, "pods"), expected);
    assert_eq!(
        c.ring_codes(ns, "cassandra-0"),
        vec!["UN"; replicas as usize]
    );
}

/// How many times casctl's `-vv` log shows `nodetool decommission` started in `pod`: exec
/// requests that the API server switched to a stream (101), each a decommission the node ran.
fn decommissions_started(log: &str, pod: &str) -> usize {
    let exec = format!("/pods/{pod}/exec?");
    log.lines()
        .filter(|l| l.contains(&exec) && l.contains("command=decommission") && l.contains("→ 101"))
        .count()
}

/// Scale-down from 5 to 3 whose decommissions take 20 s each; `component` restarts (down 10 s)
/// once cassandra-4's decommission runs.
fn scale_down_through_a_restart(component: &'static str) {
    let _restore = Restore;
    let ns = TestNamespace::new(&format!("fault-{component}-scale"));
    let dir = tempfile::tempdir().unwrap();
    up(
        &ns.name,
        dir.path(),
        5,
        &["casctl.test/decommission-delay: \"20s\""],
    );
    let c = cluster();
    let log = dir.path().join("scale.log");
    let mut scale = c.spawn_casctl(
        &["scale", "3", "-n", &ns.name, "-vv", "--timeout", "5m"],
        &log,
    );
    wait_for_line(&log, "decommissioning cassandra-4");
    // The exec is streaming: the node is leaving.
    assert!(
        wait_until(LONG, || decommissions_started(&read(&log), "cassandra-4")
            == 1),
        "{}",
        read(&log)
    );
    let restart = restart_in_background(component, DOWN);

    let status = finish(&mut scale, restart, LONG * 2, &log);
    let log = read(&log);
    assert!(status.success(), "{status}:\n{log}");
    if component == "apiserver" {
        assert_rode_it_out(&log);
    } else {
        // The API server answers through an etcd restart, only slowly: nothing to say.
        assert!(!log.contains("panicked"), "{log}");
    }
    // Exactly the two highest nodes left, each decommissioned once.
    assert_eq!(decommissions_started(&log, "cassandra-4"), 1, "{log}");
    assert_eq!(decommissions_started(&log, "cassandra-3"), 1, "{log}");
    for pod in ["cassandra-0", "cassandra-1", "cassandra-2"] {
        assert_eq!(decommissions_started(&log, pod), 0, "{log}");
    }
    assert_ring_whole(&ns.name, 3);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn fault_apiserver_restart_during_up_rides_it_out() {
    let _restore = Restore;
    let ns = TestNamespace::new("fault-up");
    let dir = tempfile::tempdir().unwrap();
    let c = cluster();
    let log = dir.path().join("up.log");
    let mut up = c.spawn_casctl(
        &["up", "-n", &ns.name, "--replicas", "3", "--timeout", "3m"],
        &log,
    );
    wait_for_line(&log, "cassandra-1      Pending");
    let restart = restart_in_background("apiserver", DOWN);

    let status = finish(&mut up, restart, LONG, &log);
    let log = read(&log);
    assert!(status.success(), "{status}:\n{log}");
    assert_rode_it_out(&log);
    assert!(log.contains("ring complete"), "{log}");
    assert_ring_whole(&ns.name, 3);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn fault_apiserver_restart_during_a_decommission_decommissions_each_node_once() {
    scale_down_through_a_restart("apiserver");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn fault_etcd_restart_during_a_decommission_decommissions_each_node_once() {
    scale_down_through_a_restart("etcd");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn fault_apiserver_restart_during_down_leaves_nothing() {
    let _restore = Restore;
    let ns = TestNamespace::new("fault-down");
    let dir = tempfile::tempdir().unwrap();
    // Pods that take their whole grace period (30 s) to stop: the outage hits while they go.
    up(
        &ns.name,
        dir.path(),
        3,
        &["casctl.test/hang-on-delete: \"true\""],
    );
    let c = cluster();
    let log = dir.path().join("down.log");
    let mut down = c.spawn_casctl(&["down", "-n", &ns.name, "--purge-volumes", "--yes"], &log);
    wait_for_line(&log, "its pods terminate");
    let restart = restart_in_background("apiserver", DOWN);

    let status = finish(&mut down, restart, LONG, &log);
    let log = read(&log);
    assert!(status.success(), "{status}:\n{log}");
    assert_rode_it_out(&log);
    for kind in ["statefulsets", "services", "pods", "pvc"] {
        assert!(c.names(&ns.name, kind).is_empty(), "{kind} left:\n{log}");
    }
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn fault_apiserver_down_longer_than_the_timeout_is_exit_3() {
    let _restore = Restore;
    let ns = TestNamespace::new("fault-timeout");
    let dir = tempfile::tempdir().unwrap();
    up(&ns.name, dir.path(), 1, &[]);
    let c = cluster();
    let log = dir.path().join("scale.log");
    let mut scale = c.spawn_casctl(
        &[
            "scale",
            "3",
            "-n",
            &ns.name,
            "--timeout",
            "20s",
            "--no-cleanup",
        ],
        &log,
    );
    wait_for_line(&log, "cassandra-1");
    // An outage three times as long as the budget: a command that gave up at its timeout ends
    // while the API server is still down; one that waited for it to come back (or never gave
    // up) ends after the restart has.
    let restart = restart_in_background("apiserver", "60s");

    let status = exit(&mut scale, LONG, &log);
    let outage_still_on = !restart.is_finished();
    restart.join().expect("the restart");
    let log = read(&log);
    assert_eq!(status.code(), Some(3), "{log}");
    assert!(
        outage_still_on,
        "casctl ended only once the API server was back:\n{log}"
    );
    let error = log.split_once("error: ").map_or("", |(_, e)| e);
    assert!(error.contains("did not complete within 20s"), "{log}");
    assert!(
        error.contains("the API server does not answer"),
        "the error does not say why:\n{log}"
    );
    assert!(!log.contains("panicked"), "{log}");
}
