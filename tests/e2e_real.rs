//! End-to-end tests of casctl on a real ring: every pod of the namespace runs a real Apache
//! Cassandra 5.0.9 JVM behind the local control plane (tests/cluster/README.md, "The real
//! ring"), so what casctl reads and does goes through real `nodetool` and real gossip.
//!
//! A real node costs about 0.4 GB and tens of CPU-seconds to join, and each `nodetool` call is
//! a JVM of its own (about 3 s), so one ring serves every step of a scenario, the steps poll
//! slowly, and `tests/test-all` runs these tests one at a time after all the others.

mod common;
mod pod_watch;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{TestNamespace, cassandra_jvms, cluster, poll_until, read, signal};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::ResourceExt;
use pod_watch::{PodWatch, deletions, most_down_at_once};
use serde_json::Value;

/// What a finished casctl command left: its exit code, stdout and stderr.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn expect(self, code: i32, what: &str) -> Self {
        assert_eq!(
            self.code,
            Some(code),
            "{what}: exit {:?}\nstdout:\n{}\nstderr:\n{}",
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    fn says(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "expected {text:?} in casctl's messages:\n{}",
            self.stderr
        );
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }
}

fn casctl(ns: &str, args: &[&str]) -> Run {
    let out = cluster()
        .casctl()
        .args(args)
        .args(["-n", ns, "--color", "never"])
        .output()
        .expect("casctl runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Polls every `every` seconds: real nodetool calls cost CPU that the JVMs need.
fn eventually(timeout_s: u64, every_s: u64, condition: impl FnMut() -> bool) -> bool {
    poll_until(
        Duration::from_secs(timeout_s),
        Duration::from_secs(every_s),
        condition,
    )
}

fn pod(ns: &str, name: &str) -> Option<Pod> {
    cluster().get(ns, &format!("pod/{name}"))
}

fn pod_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

fn ready_since(p: &Pod) -> String {
    let condition = p
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .expect("a Ready condition");
    let time = condition
        .last_transition_time
        .as_ref()
        .expect("a transition time");
    serde_json::to_value(time)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

fn created(p: &Pod) -> String {
    let time = p.metadata.creation_timestamp.as_ref().expect("created");
    serde_json::to_value(time)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

fn restarts(p: &Pod) -> i32 {
    p.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.first())
        .map_or(0, |c| c.restart_count)
}

fn ip(ns: &str, name: &str) -> String {
    pod(ns, name)
        .and_then(|p| p.status?.pod_ip)
        .unwrap_or_else(|| panic!("{name} has no IP"))
}

fn pod_names(ns: &str) -> Vec<String> {
    let mut names = cluster().names(ns, "pods");
    names.sort();
    names
}

fn claim(ns: &str, ordinal: u32) -> Option<PersistentVolumeClaim> {
    cluster().get(ns, &format!("pvc/cassandra-data-cassandra-{ordinal}"))
}

/// The ring nodes of a `casctl status -o json` report.
fn nodes(report: &Value) -> &Vec<Value> {
    report["ring"]["nodes"].as_array().expect("ring nodes")
}

/// The node of `pod` in a `casctl status -o json` report.
fn node_of<'a>(report: &'a Value, pod: &str) -> &'a Value {
    nodes(report)
        .iter()
        .find(|n| n["pod"] == pod)
        .unwrap_or_else(|| panic!("no ring node for {pod}: {report:#}"))
}

fn host_id(report: &Value, pod: &str) -> String {
    node_of(report, pod)["host_id"]
        .as_str()
        .expect("a host ID")
        .to_owned()
}

fn codes(ns: &str, asked: &str) -> Vec<String> {
    cluster().ring_codes(ns, asked)
}

/// `casctl status -o json` of a healthy ring of `n` real nodes: exit 0, every node UN at the
/// address of the pod it is mapped to, in the order real nodetool prints them.
fn healthy_status(ns: &str, n: usize) -> Value {
    let run = casctl(ns, &["status", "-o", "json"]).expect(0, "status of a healthy ring");
    let report = run.json();
    assert_eq!(report["healthy"], true, "{report:#}");
    assert_eq!(report["ring"]["asked"], "cassandra-0");
    let nodes = nodes(&report);
    assert_eq!(nodes.len(), n, "{report:#}");
    let mut pods = BTreeSet::new();
    for node in nodes {
        let pod = node["pod"].as_str().expect("every node is a pod");
        assert_eq!(node["address"], ip(ns, pod), "{pod} mapped to another IP");
        assert_eq!(
            (&node["status"], &node["state"]),
            (&"up".into(), &"normal".into())
        );
        pods.insert(pod.to_owned());
    }
    let expected: BTreeSet<String> = (0..n).map(|i| format!("cassandra-{i}")).collect();
    assert_eq!(pods, expected);
    // The rows as nodetool prints them (Java's HashMap order of the endpoints), not sorted.
    let asked: Vec<String> = cluster()
        .ring(ns, "cassandra-0")
        .nodes()
        .map(|(_, node)| node.address.clone())
        .collect();
    let reported: Vec<&str> = nodes
        .iter()
        .map(|n| n["address"].as_str().unwrap())
        .collect();
    assert_eq!(reported, asked, "rows not in nodetool's order");
    report
}

/// `nodetool status` from cassandra-0 every few seconds on a thread, until stopped: the codes
/// seen.
struct RingWatch {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<String>>,
}

impl RingWatch {
    fn start(ns: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (stop, ns) = (stop.clone(), ns.to_owned());
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let out = cluster().kubectl(&[
                        "exec",
                        "-n",
                        &ns,
                        "cassandra-0",
                        "--",
                        "nodetool",
                        "status",
                    ]);
                    let text = String::from_utf8_lossy(&out.stdout);
                    if let Ok(ring) = casctl::nodetool::parse_status(&text) {
                        seen.extend(ring.nodes().map(|(_, n)| n.code()));
                    }
                    std::thread::sleep(Duration::from_secs(2));
                }
                seen
            })
        };
        RingWatch { stop, thread }
    }

    fn seen(self) -> Vec<String> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("the watch thread")
    }
}

/// One ring of real nodes through casctl's whole life cycle: up, status, refused and real
/// scale-downs, scale-ups with cleanup and claim replacement, a crash loop on a decommissioned
/// node's claim, a killed node, down, purge and up again.
#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn real_ring_through_up_scale_faults_and_down() {
    let guard = TestNamespace::real("real-casctl");
    let ns = guard.name.as_str();
    let c = cluster();

    // --- up: three real nodes, joined one at a time.
    casctl(ns, &["up", "--replicas", "3", "--timeout", "10m"])
        .expect(0, "up")
        .says("ring complete");
    let pods: Vec<Pod> = (0..3)
        .map(|i| pod(ns, &format!("cassandra-{i}")).expect("pod"))
        .collect();
    for pair in pods.windows(2) {
        assert!(
            created(&pair[1]) >= ready_since(&pair[0]),
            "{} was created before {} was Ready",
            pair[1].name_any(),
            pair[0].name_any()
        );
    }
    assert_eq!(
        cassandra_jvms(ns),
        ["cassandra-0", "cassandra-1", "cassandra-2"]
    );
    let first = healthy_status(ns, 3);

    // --- scale 2: below system_distributed's RF 3 (read from describecluster), refused
    // before anything changes.
    casctl(ns, &["scale", "2"])
        .expect(1, "scale below the replication")
        .says("system_distributed (RF 3)")
        .says("ALTER KEYSPACE")
        .says("--force");
    assert_eq!(c.replicas(ns), Some(3));
    assert_eq!(pod_names(ns), ["cassandra-0", "cassandra-1", "cassandra-2"]);
    assert_eq!(codes(ns, "cassandra-0"), ["UN"; 3]);

    // --- scale 4: a fourth node joins, then cleanup runs on each node that was there.
    let grown = casctl(ns, &["scale", "4"]).expect(0, "scale 4");
    for p in ["cassandra-0", "cassandra-1", "cassandra-2"] {
        grown.says(&format!("cleanup on {p} done"));
    }
    assert!(
        !grown.stderr.contains("cleanup on cassandra-3"),
        "{}",
        grown.stderr
    );
    let four = healthy_status(ns, 4);
    let old_host3 = host_id(&four, "cassandra-3");
    for p in ["cassandra-0", "cassandra-1", "cassandra-2"] {
        assert_eq!(
            host_id(&four, p),
            host_id(&first, p),
            "{p} changed identity"
        );
    }

    // --- scale 3: a real decommission; the ring never shows the node DN, its pod goes, its
    // claim stays, marked.
    let watch = RingWatch::start(ns);
    let shrunk = casctl(ns, &["scale", "3"]).expect(0, "scale 3");
    let seen = watch.seen();
    shrunk
        .says("decommissioning cassandra-3")
        .says("cassandra-3 left the ring")
        .says("cassandra-3 decommissioned and removed")
        .says("cassandra-data-cassandra-3");
    assert!(
        seen.iter().all(|code| code != "DN"),
        "the ring showed DN: {seen:?}"
    );
    assert!(pod(ns, "cassandra-3").is_none());
    assert_eq!(c.replicas(ns), Some(3));
    assert_eq!(codes(ns, "cassandra-0"), ["UN"; 3]);
    assert_eq!(
        cassandra_jvms(ns),
        ["cassandra-0", "cassandra-1", "cassandra-2"]
    );
    let stale = claim(ns, 3).expect("the claim of cassandra-3 is kept");
    let marks = stale.annotations();
    assert!(marks.contains_key("casctl.io/decommissioned"), "{marks:?}");
    assert_eq!(marks.get("casctl.io/host-id"), Some(&old_host3));

    // --- behind casctl's back (kubectl scale), a pod on that claim: Cassandra refuses to
    // start a decommissioned node, and casctl's rollout names the crash loop and its cause.
    c.kubectl_ok(&[
        "scale",
        "statefulset",
        "cassandra",
        "-n",
        ns,
        "--replicas=4",
    ]);
    assert!(
        eventually(120, 3, || pod(ns, "cassandra-3")
            .is_some_and(|p| restarts(&p) > 0)),
        "cassandra-3 never restarted on its decommissioned claim"
    );
    casctl(ns, &["up", "--timeout", "60s"])
        .expect(3, "up with a crash-looping pod")
        .says("cassandra-3")
        .says("crash-looping")
        .says("its log says: \"This node was decommissioned and will not rejoin the ring\"")
        .says("kubectl delete pvc -n");
    c.kubectl_ok(&[
        "scale",
        "statefulset",
        "cassandra",
        "-n",
        ns,
        "--replicas=3",
    ]);
    assert!(eventually(120, 2, || pod(ns, "cassandra-3").is_none()));

    // --- scale 4 again: casctl replaces the stale claim first, so the new pod starts empty
    // and joins as a new node, without a restart. --no-cleanup says what to run later.
    let stale_uid = stale.uid().expect("uid");
    let regrown = casctl(ns, &["scale", "4", "--no-cleanup"]).expect(0, "scale 4 again");
    regrown
        .says("claim cassandra-data-cassandra-3 holds the data of a node decommissioned")
        .says("replacing it with a new, empty claim");
    for p in ["cassandra-0", "cassandra-1", "cassandra-2"] {
        regrown.says(&format!(
            "casctl nodetool -n {ns} --name cassandra --pod {p} -- cleanup"
        ));
    }
    assert!(
        !regrown.stderr.contains("done ("),
        "cleanup ran: {}",
        regrown.stderr
    );
    let replaced = claim(ns, 3).expect("a new claim");
    assert_ne!(replaced.uid(), Some(stale_uid), "the stale claim was kept");
    assert!(
        !replaced
            .annotations()
            .contains_key("casctl.io/decommissioned")
    );
    let again = healthy_status(ns, 4);
    assert_ne!(host_id(&again, "cassandra-3"), old_host3, "not a new node");
    assert_eq!(restarts(&pod(ns, "cassandra-3").expect("pod")), 0);

    // --- kill -9 of cassandra-0's JVM: status reads the ring from another pod, shows the
    // node DN and exits 4; a scale-down is refused, naming it, and changes nothing.
    let ip0 = ip(ns, "cassandra-0");
    c.kubectl_ok(&[
        "annotate",
        "pod",
        "-n",
        ns,
        "cassandra-0",
        "--overwrite",
        "casctl.test/fault=kill",
    ]);
    let mut last = None;
    let down = eventually(120, 5, || {
        let run = casctl(ns, &["status", "-o", "json"]);
        let dn = run.code == Some(4) && node_of(&run.json(), "cassandra-0")["status"] == "down";
        last = Some(run);
        dn
    });
    let run = last.expect("status ran");
    assert!(
        down,
        "cassandra-0 never DN:\n{}\n{}",
        run.stdout, run.stderr
    );
    run.says("cassandra-0 is not Ready; reading the ring from cassandra-1");
    let report = run.json();
    assert_eq!(report["ring"]["asked"], "cassandra-1");
    assert_eq!(report["healthy"], false);
    let warned = report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| w.as_str() == Some(&format!("ring node {ip0} is DN")));
    assert!(warned, "{report:#}");
    assert_eq!(node_of(&report, "cassandra-0")["address"], ip0.as_str());
    let others_up = ["cassandra-1", "cassandra-2", "cassandra-3"]
        .iter()
        .all(|p| node_of(&report, p)["status"] == "up");
    assert!(others_up, "{report:#}");
    casctl(ns, &["status"])
        .expect(4, "table status of a degraded ring")
        .says(&format!("warning: ring node {ip0} is DN"));
    casctl(ns, &["scale", "3"])
        .expect(1, "scale down with a DN node")
        .says("not Up/Normal")
        .says(&format!("{ip0} DN (pod cassandra-0)"))
        .says("--force");
    assert_eq!(c.replicas(ns), Some(4));
    assert_eq!(pod_names(ns).len(), 4);
    assert!(
        claim(ns, 3).is_some_and(|c| !c.annotations().contains_key("casctl.io/decommissioned"))
    );

    // Started again: the same node, and the ring whole.
    c.kubectl_ok(&[
        "annotate",
        "pod",
        "-n",
        ns,
        "cassandra-0",
        "casctl.test/fault-",
    ]);
    assert!(eventually(240, 3, || pod(ns, "cassandra-0")
        .is_some_and(|p| pod_ready(&p))));
    assert!(eventually(120, 5, || codes(ns, "cassandra-1") == ["UN"; 4]));
    let healed = healthy_status(ns, 4);
    assert_eq!(
        host_id(&healed, "cassandra-0"),
        host_id(&first, "cassandra-0")
    );

    // --- down: drains the nodes and returns once every JVM has exited (the grace period is
    // 500 s); the claims stay.
    let ids: BTreeSet<String> = nodes(&healed)
        .iter()
        .map(|n| n["host_id"].as_str().unwrap().to_owned())
        .collect();
    casctl(ns, &["down"])
        .expect(0, "down")
        .says("every pod is gone");
    assert_eq!(
        cassandra_jvms(ns),
        Vec::<String>::new(),
        "JVMs left after down"
    );
    assert!(pod_names(ns).is_empty());
    let mut kept = c.names(ns, "pvc");
    kept.sort();
    assert_eq!(
        kept,
        (0..4)
            .map(|i| format!("cassandra-data-cassandra-{i}"))
            .collect::<Vec<_>>()
    );

    // --- purge, then up again: new claims, so new nodes.
    casctl(ns, &["down", "--purge-volumes", "--yes"]).expect(0, "down --purge-volumes");
    assert!(c.names(ns, "pvc").is_empty());
    casctl(ns, &["up", "--replicas", "1", "--timeout", "5m"]).expect(0, "up after purge");
    let fresh = healthy_status(ns, 1);
    let new_id = host_id(&fresh, "cassandra-0");
    assert!(!ids.contains(&new_id), "{new_id} is an old node: {ids:?}");
    casctl(ns, &["down", "--purge-volumes", "--yes"]).expect(0, "final down");
    assert!(cassandra_jvms(ns).is_empty());
}

/// `status -o json` of a healthy ring with racks: the host ID of each of `pods`, each up and
/// normal at its pod's IP.
fn rack_host_ids(ns: &str, pods: &[&str]) -> std::collections::BTreeMap<String, String> {
    let report = casctl(ns, &["status", "-o", "json"])
        .expect(0, "status of a healthy ring")
        .json();
    assert_eq!(report["healthy"], true, "{report:#}");
    assert_eq!(nodes(&report).len(), pods.len(), "{report:#}");
    pods.iter()
        .map(|name| {
            let node = node_of(&report, name);
            assert_eq!(node["address"], ip(ns, name), "{name} mapped to another IP");
            assert_eq!(
                (&node["status"], &node["state"]),
                (&"up".into(), &"normal".into())
            );
            (name.to_string(), host_id(&report, name))
        })
        .collect()
}

/// Racks on real Cassandra: two racks of one node each join one at a time, gossip makes one
/// ring of them with each node in its pod's rack, and a rolling restart drains and replaces
/// every pod with the ring whole between steps, each node keeping its host ID.
#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn real_racks_join_one_at_a_time_and_restart_keeps_the_ring_whole() {
    let guard = TestNamespace::real("real-racks");
    let ns = guard.name.as_str();
    let order = ["cassandra-a-0", "cassandra-b-0"];

    casctl(
        ns,
        &[
            "up",
            "--racks",
            "a,b",
            "--replicas",
            "2",
            "--timeout",
            "10m",
        ],
    )
    .expect(0, "up with racks")
    .says("ring complete");
    let pods: Vec<Pod> = order.iter().map(|n| pod(ns, n).expect("pod")).collect();
    for pair in pods.windows(2) {
        assert!(
            created(&pair[1]) >= ready_since(&pair[0]),
            "{} was created before {} was Ready",
            pair[1].name_any(),
            pair[0].name_any()
        );
    }
    let zones = common::node_zones();
    for p in &pods {
        let rack = p.labels()["casctl.io/rack"].clone();
        let node = p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap();
        assert_eq!(
            zones[&node],
            format!("zone-{rack}"),
            "{} on {node}",
            p.name_any()
        );
    }
    // One ring, as real gossip sees it, each node in its pod's rack.
    let ring = cluster().ring(ns, "cassandra-b-0");
    for name in order {
        let address = ip(ns, name);
        let (_, node) = ring
            .nodes()
            .find(|(_, n)| n.address == address)
            .unwrap_or_else(|| panic!("{name} ({address}) is not in the ring: {ring:?}"));
        assert_eq!(node.code(), "UN", "{name}");
        assert_eq!(format!("cassandra-{}-0", node.rack), name, "{name}'s rack");
    }
    assert_eq!(ring.nodes().count(), 2, "{ring:?}");
    let before = rack_host_ids(ns, &order);
    let uids: Vec<String> = pods.iter().map(|p| p.uid().unwrap()).collect();

    let dir = tempfile::tempdir().unwrap();
    let watch = PodWatch::start(ns, dir.path(), 2);
    casctl(ns, &["restart", "--timeout", "15m"])
        .expect(0, "restart")
        .says("restarted 2 pods of cassandra one at a time");
    let changes = watch.stop_when(|changes| {
        order.iter().zip(&uids).all(|(name, old)| {
            changes
                .iter()
                .rev()
                .find(|c| c.name() == *name)
                .is_some_and(|c| c.uid() != *old && c.is_up())
        })
    });
    assert_eq!(deletions(&changes), order, "rack after rack, each pod once");
    let names: Vec<String> = order.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        most_down_at_once(&changes, &names),
        1,
        "never two down at once"
    );
    let after = rack_host_ids(ns, &order);
    for name in order {
        assert_eq!(after[name], before[name], "{name} kept its data");
        assert_eq!(
            restarts(&pod(ns, name).unwrap()),
            0,
            "{name} started cleanly"
        );
    }

    casctl(ns, &["down", "--purge-volumes", "--yes"]).expect(0, "down");
    assert!(cassandra_jvms(ns).is_empty(), "{:?}", cassandra_jvms(ns));
    for kind in ["statefulsets", "pods", "pvc", "services"] {
        assert!(cluster().names(ns, kind).is_empty(), "{kind} left");
    }
}

/// Ctrl-C during a real decommission: casctl stops at once (exit 130) saying that the
/// decommission goes on inside Cassandra, which it does; the same command run again waits for
/// it or finds it done, and ends with the node gone, its claim marked, and no DN ever left.
#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn real_sigint_during_a_decommission_stops_and_a_rerun_finishes() {
    let guard = TestNamespace::real("real-sigint");
    let ns = guard.name.as_str();
    let c = cluster();
    casctl(ns, &["up", "--replicas", "4", "--timeout", "10m"]).expect(0, "up 4");

    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("scale.log");
    let mut scale = c.spawn_casctl(&["scale", "3", "-n", ns, "--color", "never"], &log);
    assert!(
        eventually(300, 1, || read(&log)
            .contains("decommissioning cassandra-3")),
        "{}",
        read(&log)
    );
    // Cassandra has begun: the node is UL (nodetool's JVM has made its call).
    assert!(
        eventually(60, 1, || codes(ns, "cassandra-0")
            .contains(&"UL".to_owned())),
        "cassandra-3 never showed UL"
    );
    signal(&scale, "INT");
    let status = scale.wait().unwrap();
    let printed = read(&log);
    assert_eq!(status.code(), Some(130), "{printed}");
    assert!(
        printed.contains("the decommission of cassandra-3 goes on inside Cassandra"),
        "{printed}"
    );
    assert_eq!(
        c.replicas(ns),
        Some(4),
        "replicas are lowered only once it left"
    );

    let again = casctl(ns, &["scale", "3"]).expect(0, "scale 3 again");
    assert!(
        again.stderr.contains("is leaving the ring already")
            || again.stderr.contains("was decommissioned already")
            || again.stderr.contains("or it left already"),
        "the rerun neither waited for the decommission nor found it done:\n{}",
        again.stderr
    );
    assert!(
        !again.stderr.contains("decommissioning cassandra-3 ("),
        "decommissioned twice:\n{}",
        again.stderr
    );
    assert_eq!(c.replicas(ns), Some(3));
    assert!(pod(ns, "cassandra-3").is_none());
    assert_eq!(codes(ns, "cassandra-0"), ["UN"; 3]);
    assert_eq!(
        cassandra_jvms(ns),
        ["cassandra-0", "cassandra-1", "cassandra-2"]
    );
    let marked = claim(ns, 3).expect("the claim of cassandra-3 is kept");
    assert!(
        marked
            .annotations()
            .contains_key("casctl.io/decommissioned"),
        "{:?}",
        marked.annotations()
    );
    casctl(ns, &["down", "--purge-volumes", "--yes"]).expect(0, "down");
}
