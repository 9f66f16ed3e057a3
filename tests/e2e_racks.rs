//! End-to-end tests of rings with racks on the local control plane, whose 4 nodes carry
//! `topology.kubernetes.io/zone` = zone-a, zone-b, zone-c, zone-a (casctl-node-0..3).
//! The simulated ring makes one ring of the StatefulSets of a ring with racks, each node in
//! its pod's CASSANDRA_RACK, as Cassandra does when the racks' seeds gossip.

mod common;
mod pod_watch;

use std::collections::BTreeMap;

use common::{TestNamespace, cluster};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use pod_watch::{PodWatch, created_and_ready, deletions, most_down_at_once};
use predicates::str::contains;

const RACKS: [&str; 3] = ["a", "b", "c"];

fn statefulset(ns: &str, rack: &str) -> Option<StatefulSet> {
    cluster().get(ns, &format!("statefulset/cassandra-{rack}"))
}

fn replicas(ns: &str) -> Vec<i32> {
    RACKS
        .iter()
        .map(|r| {
            statefulset(ns, r)
                .and_then(|s| s.spec?.replicas)
                .unwrap_or(-1)
        })
        .collect()
}

/// The pods of the ring (not the watch's sentinel).
fn pods(ns: &str) -> Vec<Pod> {
    let list: serde_json::Value =
        serde_json::from_str(&cluster().kubectl_ok(&["get", "pods", "-n", ns, "-o", "json"]))
            .unwrap();
    let pods: Vec<Pod> = serde_json::from_value(list["items"].clone()).unwrap();
    pods.into_iter()
        .filter(|p| {
            p.metadata
                .name
                .as_deref()
                .is_some_and(|n| n.starts_with("cassandra-"))
        })
        .collect()
}

/// The pods a ring of these rack sizes has, in the order they join: one ordinal across every
/// rack before the next.
fn join_order(sizes: [u32; 3]) -> Vec<String> {
    let most = sizes.iter().max().copied().unwrap_or(0);
    (0..most)
        .flat_map(|i| {
            RACKS
                .iter()
                .zip(sizes)
                .filter(move |(_, n)| i < *n)
                .map(move |(r, _)| format!("cassandra-{r}-{i}"))
        })
        .collect()
}

/// Racks pinned to zones and nodes joining one at a time need no ring: this runs on any
/// simulator.
#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn racks_are_pinned_to_zones_join_one_at_a_time_and_go_with_down() {
    let ns = TestNamespace::new("racks-zones");
    let dir = tempfile::tempdir().unwrap();
    let watch = PodWatch::start_empty(&ns.name, dir.path());
    let c = cluster();
    c.casctl()
        .args(["up", "-n", &ns.name, "--racks", "a,b,c", "--replicas", "6"])
        .args(["--no-ring-check", "--timeout", "3m"])
        .assert()
        .success()
        .stderr(contains(
            "rack b: cassandra-b-0 joins the ring (node 2 of 6)",
        ))
        .stderr(contains("6/6 pods Ready in 3 racks (a: 2, b: 2, c: 2)"));
    assert_eq!(replicas(&ns.name), [2, 2, 2]);

    let order = join_order([2, 2, 2]);
    let changes =
        watch.stop_when(|changes| changes.iter().filter(|c| c.is_up()).count() >= order.len());
    for pair in order.windows(2) {
        let (_, ready) = created_and_ready(&changes, &pair[0]);
        let (created, _) = created_and_ready(&changes, &pair[1]);
        assert!(
            created > ready,
            "{} was created before {} was Ready",
            pair[1],
            pair[0]
        );
    }

    let zones = common::node_zones();
    for pod in pods(&ns.name) {
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        let rack = labels["casctl.io/rack"].clone();
        let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap();
        let env = pod.spec.unwrap().containers[0]
            .env
            .clone()
            .unwrap_or_default();
        let env = |name: &str| {
            env.iter()
                .find(|e| e.name == name)
                .and_then(|e| e.value.clone())
        };
        assert_eq!(
            zones[&node],
            format!("zone-{rack}"),
            "{node} of rack {rack}"
        );
        assert_eq!(env("CASSANDRA_RACK").as_deref(), Some(rack.as_str()));
        assert_eq!(
            env("CASSANDRA_SEEDS").unwrap(),
            format!(
                "cassandra-a-0.cassandra.{ns}.svc.cluster.local,cassandra-b-0.cassandra.{ns}.svc.cluster.local,\
                 cassandra-c-0.cassandra.{ns}.svc.cluster.local",
                ns = ns.name
            )
        );
    }
    // Rack a has two nodes in its zone: its pods prefer one each.
    let a: Vec<String> = pods(&ns.name)
        .into_iter()
        .filter(|p| {
            p.metadata
                .name
                .as_deref()
                .unwrap()
                .starts_with("cassandra-a-")
        })
        .filter_map(|p| p.spec?.node_name)
        .collect();
    assert_ne!(a[0], a[1], "{a:?}");

    c.casctl()
        .args(["down", "-n", &ns.name, "--purge-volumes", "--yes"])
        .assert()
        .success();
    for kind in ["statefulsets", "pods", "pvc", "services"] {
        let left: Vec<String> = c
            .names(&ns.name, kind)
            .into_iter()
            .filter(|n| n != "sentinel")
            .collect();
        assert!(left.is_empty(), "{kind} left: {left:?}");
    }
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn more_racks_than_zones_spread_and_preflight_says_they_share_a_failure_domain() {
    let ns = TestNamespace::new("racks-spread");
    cluster()
        .casctl()
        .args(["up", "-n", &ns.name, "--racks", "a,b,c,d", "--replicas", "4"])
        .arg("--dry-run=server")
        .assert()
        .success()
        .stderr(contains(
            "the nodes have 3 zones (zone-a, zone-b, zone-c) by the label topology.kubernetes.io/zone, \
             fewer than the 4 racks: the racks share failure domains",
        ))
        .stderr(contains("StatefulSet cassandra-d would be created"))
        .stderr(contains(
            "would join one at a time: cassandra-a-0, cassandra-b-0, cassandra-c-0, cassandra-d-0",
        ));
    assert!(cluster().names(&ns.name, "statefulsets").is_empty());
}

/// The whole life of a ring with racks, the ring checked at every step.
#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_ring_with_racks_is_one_ring_scaled_evenly_and_restarted_one_pod_at_a_time() {
    let ns = TestNamespace::new("racks-ring");
    let c = cluster();
    c.casctl()
        .args(["up", "-n", &ns.name, "--racks", "a,b,c", "--replicas", "6"])
        .args(["--timeout", "5m"])
        .assert()
        .success()
        .stderr(contains("ring complete"));
    assert_eq!(replicas(&ns.name), [2, 2, 2]);
    assert_racks_in_ring(&ns.name, [2, 2, 2]);
    c.casctl()
        .args(["status", "-n", &ns.name])
        .assert()
        .success();

    c.casctl()
        .args(["scale", "4", "-n", &ns.name, "--timeout", "5m"])
        .assert()
        .success()
        .stderr(contains("decommissioning cassandra-c-1"))
        .stderr(contains("decommissioning cassandra-b-1"))
        .stderr(contains(
            "cassandra has 4 nodes (a: 2, b: 1, c: 1), all UN in the ring",
        ));
    assert_eq!(replicas(&ns.name), [2, 1, 1]);
    assert_racks_in_ring(&ns.name, [2, 1, 1]);

    c.casctl()
        .args([
            "scale",
            "7",
            "-n",
            &ns.name,
            "--timeout",
            "5m",
            "--no-cleanup",
        ])
        .assert()
        .success()
        .stderr(contains(
            "rack b: cassandra-b-1 joins the ring (node 5 of 7)",
        ))
        .stderr(contains(
            "rack a: cassandra-a-2 joins the ring (node 7 of 7)",
        ));
    assert_eq!(replicas(&ns.name), [3, 2, 2]);
    assert_racks_in_ring(&ns.name, [3, 2, 2]);

    let dir = tempfile::tempdir().unwrap();
    let all = join_order([3, 2, 2]);
    let watch = PodWatch::start(&ns.name, dir.path(), all.len());
    let before: BTreeMap<String, String> = pods(&ns.name)
        .into_iter()
        .map(|p| (p.metadata.name.unwrap(), p.metadata.uid.unwrap()))
        .collect();
    c.casctl()
        .args(["restart", "-n", &ns.name])
        .assert()
        .success();
    let changes = watch.stop_when(|changes| {
        before.iter().all(|(name, uid)| {
            changes
                .iter()
                .rev()
                .find(|c| c.name() == *name)
                .is_some_and(|c| c.uid() != *uid && c.is_up())
        })
    });
    assert_eq!(
        deletions(&changes),
        [
            "cassandra-a-2",
            "cassandra-a-1",
            "cassandra-a-0",
            "cassandra-b-1",
            "cassandra-b-0",
            "cassandra-c-1",
            "cassandra-c-0"
        ]
    );
    assert_eq!(most_down_at_once(&changes, &all), 1);
    assert_racks_in_ring(&ns.name, [3, 2, 2]);

    c.casctl()
        .args(["down", "-n", &ns.name, "--purge-volumes", "--yes"])
        .assert()
        .success();
    for kind in ["statefulsets", "pods", "pvc", "services"] {
        assert!(c.names(&ns.name, kind).is_empty(), "{kind} left");
    }
}

/// The ring as cassandra-a-0 sees it: every pod of every rack UN, in its rack.
fn assert_racks_in_ring(ns: &str, sizes: [u32; 3]) {
    let ring = cluster().ring(ns, "cassandra-a-0");
    let ips: BTreeMap<String, String> = pods(ns)
        .into_iter()
        .filter_map(|p| Some((p.status?.pod_ip?, p.metadata.name?)))
        .collect();
    let mut rows: Vec<(String, String)> = ring
        .nodes()
        .map(|(_, n)| {
            assert!(n.is_up_normal(), "{} is {}", n.address, n.code());
            (ips[&n.address].clone(), n.rack.clone())
        })
        .collect();
    rows.sort();
    let mut expected: Vec<(String, String)> = join_order(sizes)
        .into_iter()
        .map(|pod| {
            let rack = pod.split('-').nth(1).unwrap().to_owned();
            (pod, rack)
        })
        .collect();
    expected.sort();
    assert_eq!(rows, expected);
}
