//! End-to-end tests of `casctl restart` on the local control plane's simulated ring (a ring
//! without racks; the same with racks is in e2e_racks.rs): one pod at a time, highest ordinal
//! first, never two down at once; interrupted, a re-run finishes without restarting a pod
//! twice; refused while a node is down.

mod common;
mod pod_watch;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{TestNamespace, cluster, read, signal, wait_until};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use pod_watch::{PodWatch, deletions, most_down_at_once};
use predicates::str::contains;

fn up(ns: &str, replicas: u32) {
    cluster()
        .casctl()
        .args(["up", "-n", ns, "--timeout", "3m"])
        .args(["--replicas", &replicas.to_string()])
        .assert()
        .success();
}

/// Each pod's UID, by name.
fn uids(ns: &str) -> BTreeMap<String, String> {
    cluster()
        .list::<Pod>(ns, "pods", None)
        .into_iter()
        .filter_map(|p| Some((p.metadata.name?, p.metadata.uid?)))
        .collect()
}

fn pods(n: u32) -> Vec<String> {
    (0..n).map(|i| format!("cassandra-{i}")).collect()
}

/// The annotation a restart keeps on the StatefulSet while it is unfinished.
fn restart_started(ns: &str) -> Option<String> {
    let sts: StatefulSet = cluster().get(ns, "statefulset/cassandra")?;
    sts.metadata
        .annotations?
        .get("casctl.io/restart-started")
        .cloned()
}

/// Every pod replaced (a new UID) and up again.
fn all_replaced(before: &BTreeMap<String, String>) -> impl Fn(&[pod_watch::Change]) -> bool {
    let before = before.clone();
    move |changes| {
        before.iter().all(|(name, old)| {
            changes
                .iter()
                .rev()
                .find(|c| c.name() == *name)
                .is_some_and(|c| c.uid() != *old && c.is_up())
        })
    }
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn restart_replaces_every_pod_one_at_a_time_highest_ordinal_first() {
    let ns = TestNamespace::new("restart");
    up(&ns.name, 3);
    let before = uids(&ns.name);
    let dir = tempfile::tempdir().unwrap();
    let watch = PodWatch::start(&ns.name, dir.path(), 3);

    cluster()
        .casctl()
        .args(["restart", "-n", &ns.name])
        .assert()
        .success()
        .stderr(contains("cassandra-2 restarted: Ready and UN in the ring"))
        .stderr(contains("restarted 3 pods of cassandra one at a time"));

    let changes = watch.stop_when(all_replaced(&before));
    assert_eq!(
        deletions(&changes),
        ["cassandra-2", "cassandra-1", "cassandra-0"],
        "one at a time, highest ordinal first, each once"
    );
    assert_eq!(
        most_down_at_once(&changes, &pods(3)),
        1,
        "never two pods down at once"
    );
    let after = uids(&ns.name);
    assert!(before.iter().all(|(pod, uid)| after[pod] != *uid));
    assert_eq!(cluster().ring_codes(&ns.name, "cassandra-0"), ["UN"; 3]);
    assert_eq!(
        restart_started(&ns.name),
        None,
        "the record is gone once done"
    );
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn ctrl_c_stops_between_pods_and_a_rerun_restarts_each_pod_once() {
    let ns = TestNamespace::new("restart-int");
    up(&ns.name, 3);
    let before = uids(&ns.name);
    let dir = tempfile::tempdir().unwrap();
    let watch = PodWatch::start(&ns.name, dir.path(), 3);
    let c = cluster();
    let log = dir.path().join("restart.log");
    let mut restart = c.spawn_casctl(&["restart", "-n", &ns.name], &log);
    assert!(
        wait_until(Duration::from_secs(120), || read(&log)
            .contains("draining cassandra-1")),
        "{}",
        read(&log)
    );
    // Another mutating command is refused while the restart holds the ring's lock.
    c.casctl()
        .args(["scale", "4", "-n", &ns.name])
        .assert()
        .code(1)
        .stderr(contains("(casctl restart)"));
    signal(&restart, "INT");
    let status = restart.wait().unwrap();
    let printed = read(&log);
    assert_eq!(status.code(), Some(130), "{printed}");
    assert!(
        printed.contains("stopping once cassandra-1 is back in the ring"),
        "{printed}"
    );
    assert!(
        printed.contains("interrupted; 2 of 3 pods restarted, the ring whole"),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("casctl restart -n {} --name cassandra", ns.name)),
        "{printed}"
    );
    let between = uids(&ns.name);
    assert_ne!(between["cassandra-2"], before["cassandra-2"]);
    assert_ne!(
        between["cassandra-1"], before["cassandra-1"],
        "the step under way finished"
    );
    assert_eq!(between["cassandra-0"], before["cassandra-0"], "not touched");
    assert!(restart_started(&ns.name).is_some(), "progress is recorded");
    assert_eq!(c.ring_codes(&ns.name, "cassandra-0"), ["UN"; 3]);

    c.casctl()
        .args(["restart", "-n", &ns.name])
        .assert()
        .success()
        .stderr(contains("continuing the restart of cassandra begun at"))
        .stderr(contains(
            "restarting 1 pod of cassandra one at a time: cassandra-0",
        ));

    let after = uids(&ns.name);
    assert_eq!(
        after["cassandra-2"], between["cassandra-2"],
        "not restarted twice"
    );
    assert_eq!(
        after["cassandra-1"], between["cassandra-1"],
        "not restarted twice"
    );
    assert_ne!(after["cassandra-0"], before["cassandra-0"]);
    let changes = watch.stop_when(all_replaced(&before));
    assert_eq!(
        deletions(&changes),
        ["cassandra-2", "cassandra-1", "cassandra-0"]
    );
    assert_eq!(most_down_at_once(&changes, &pods(3)), 1);
    assert_eq!(restart_started(&ns.name), None);
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn restart_is_refused_while_a_node_is_down_and_one_pod_can_be_restarted_alone() {
    let ns = TestNamespace::new("restart-down");
    up(&ns.name, 3);
    let c = cluster();
    c.casctl()
        .args(["restart", "-n", &ns.name, "--pod", "cassandra-1"])
        .assert()
        .success()
        .stderr(contains(
            "restarting 1 pod of cassandra one at a time: cassandra-1",
        ));
    let before = uids(&ns.name);
    // The tutorial's way of shrinking: cassandra-2 leaves without decommission and stays DN.
    c.kubectl_ok(&[
        "scale",
        "statefulset",
        "cassandra",
        "-n",
        &ns.name,
        "--replicas=2",
    ]);
    assert!(wait_until(Duration::from_secs(60), || !c
        .names(&ns.name, "pods")
        .contains(&"cassandra-2".to_owned())));
    c.casctl()
        .args(["restart", "-n", &ns.name])
        .assert()
        .code(1)
        .stderr(contains("the ring has nodes that are not Up/Normal"))
        .stderr(contains("DN"))
        .stderr(contains("restarting a node while another is down"))
        .stderr(contains("--force"));
    let after = uids(&ns.name);
    assert_eq!(
        after["cassandra-0"], before["cassandra-0"],
        "nothing restarted"
    );
    assert_eq!(
        after["cassandra-1"], before["cassandra-1"],
        "nothing restarted"
    );
    c.casctl()
        .args(["restart", "-n", &ns.name, "--pod", "cassandra-7"])
        .assert()
        .code(2)
        .stderr(contains("cassandra-7 is not a pod of cassandra"));
    c.casctl()
        .args(["restart", "-n", &ns.name, "--rack", "a"])
        .assert()
        .code(2)
        .stderr(contains("cassandra has no rack a: it has no racks"));
}
