//! End-to-end tests of the local control plane itself (tests/local-cluster): what casctl's own
//! end-to-end tests rely on, checked with plain kubectl.

mod common;

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

use casctl::nodetool::{Node, RingStatus};
use common::{
    TestNamespace, Timestamp, cassandra_jvms, cluster, is_ready, ready_since, wait_until,
};
use k8s_openapi::api::core::v1::{
    Node as KubeNode, PersistentVolume, PersistentVolumeClaim, Pod, PodStatus,
};
use k8s_openapi::api::storage::v1::StorageClass;

/// A headless Service and a StatefulSet like the tutorial's, with a `fast` claim template.
fn statefulset(name: &str, replicas: u32, pod_annotations: &str) -> String {
    format!(
        r#"
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  clusterIP: None
  selector: {{app: {name}}}
  ports: [{{port: 9042}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {name}
spec:
  serviceName: {name}
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
      annotations: {{{pod_annotations}}}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
      - name: cassandra
        image: gcr.io/google-samples/cassandra:v13
        env:
        - {{name: CASSANDRA_DC, value: DC1-K8Demo}}
        - {{name: CASSANDRA_RACK, value: Rack1-K8Demo}}
        - {{name: CASSANDRA_NUM_TOKENS, value: "32"}}
        volumeMounts:
        - {{name: cassandra-data, mountPath: /cassandra_data}}
  volumeClaimTemplates:
  - metadata:
      name: cassandra-data
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: fast
      resources:
        requests: {{storage: 1Gi}}
"#
    )
}

fn pod(ns: &str, name: &str) -> Option<Pod> {
    cluster().pod(ns, name)
}

fn pod_ready(ns: &str, name: &str) -> bool {
    pod(ns, name).is_some_and(|p| is_ready(&p))
}

fn pod_exists(ns: &str, name: &str) -> bool {
    pod(ns, name).is_some()
}

fn pod_gone_within(ns: &str, pod: &str, timeout: Duration) -> bool {
    wait_until(timeout, || !pod_exists(ns, pod))
}

fn pod_status(ns: &str, name: &str) -> PodStatus {
    pod(ns, name)
        .and_then(|p| p.status)
        .unwrap_or_else(|| panic!("pod {name} has no status"))
}

fn pod_ip(ns: &str, name: &str) -> String {
    pod_status(ns, name)
        .pod_ip
        .unwrap_or_else(|| panic!("pod {name} has no IP"))
}

/// The state of the pod's first container (`cassandra`): (restart count, reason its last
/// instance ended); `None` while the pod or its container's status does not exist.
fn container(ns: &str, name: &str) -> Option<(i32, Option<String>)> {
    let status = pod(ns, name)?
        .status?
        .container_statuses?
        .into_iter()
        .next()?;
    let reason = status.last_state.and_then(|s| s.terminated?.reason);
    Some((status.restart_count, reason))
}

fn nodetool(ns: &str, pod: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["exec", "-n", ns, pod, "--", "nodetool"];
    all.extend_from_slice(args);
    cluster().kubectl(&all)
}

/// `nodetool status` in `pod`, as printed; panics unless it succeeds.
fn ring_status(ns: &str, pod: &str) -> String {
    let out = nodetool(ns, pod, &["status"]);
    assert!(
        out.status.success(),
        "nodetool status in {pod} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The ring's nodes as `nodetool status` in `pod` reports them, read by casctl's parser.
fn ring(ns: &str, pod: &str) -> Vec<Node> {
    nodes(&cluster().ring(ns, pod))
}

fn nodes(ring: &RingStatus) -> Vec<Node> {
    ring.nodes().map(|(_, n)| n.clone()).collect()
}

/// The node at `ip`, a pod's IP.
fn node_at<'a>(nodes: &'a [Node], ip: &str) -> Option<&'a Node> {
    nodes
        .iter()
        .find(|n| n.ip().is_some_and(|a| a.to_string() == ip))
}

fn host_id_at(nodes: &[Node], ip: &str) -> Option<String> {
    node_at(nodes, ip)?.host_id.clone()
}

fn addresses(nodes: &[Node]) -> BTreeSet<String> {
    nodes.iter().map(|n| n.address.clone()).collect()
}

fn wait_ready(ns: &str, pods: &[String], timeout: Duration) {
    assert!(
        wait_until(timeout, || pods.iter().all(|p| pod_ready(ns, p))),
        "pods {pods:?} did not all become Ready within {timeout:?}"
    );
}

fn names(set: &str, n: u32) -> Vec<String> {
    (0..n).map(|i| format!("{set}-{i}")).collect()
}

/// When `pod` became Ready.
fn ready_at(pod: &Pod) -> Timestamp {
    ready_since(pod).expect("a Ready pod has a Ready condition")
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn nodes_and_storage_class_are_ready() {
    let c = cluster();
    let nodes: Vec<KubeNode> = c.list_cluster_scoped("nodes");
    let describe = |n: &KubeNode| {
        let ready = n
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
            .map(|c| c.status.clone());
        let taints = n.spec.as_ref().and_then(|s| s.taints.clone());
        (n.metadata.name.clone(), ready, taints)
    };
    let nodes: Vec<_> = nodes.iter().map(describe).collect();
    let ready = nodes
        .iter()
        .filter(|(_, ready, _)| ready.as_deref() == Some("True"))
        .count();
    assert!(ready >= 4, "fewer than 4 Ready nodes: {nodes:?}");
    assert!(
        nodes
            .iter()
            .all(|(_, ready, taints)| ready.as_deref() == Some("True")
                && taints.as_ref().is_none_or(Vec::is_empty)),
        "a node has taints or is not Ready: {nodes:?}"
    );
    let fast: StorageClass = c
        .get_cluster_scoped("storageclass/fast")
        .expect("StorageClass fast");
    assert_eq!(fast.provisioner, "k8s.io/minikube-hostpath");
    let volumes: Vec<PersistentVolume> = c.list_cluster_scoped("pv");
    let available = volumes
        .iter()
        .filter(|v| v.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Available"))
        .count();
    assert!(available >= 200, "fewer than 200 Available volumes");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn statefulset_rolls_out_in_order_with_bound_claims_and_a_ring() {
    let ns = TestNamespace::new("harness-sts");
    let ns = ns.name.as_str();
    let c = cluster();
    // An explicit delay, whatever the cluster-wide default.
    c.apply(
        ns,
        &statefulset("cassandra", 3, r#"casctl.test/ready-delay: "2s""#),
    );
    let pods = names("cassandra", 3);
    wait_ready(ns, &pods, Duration::from_secs(90));

    // Ordered: each pod is created only once the previous one is Ready, and becomes Ready
    // only after it was created (the server's timestamps, 1 s resolution).
    let mut previous_ready = None;
    for name in &pods {
        let pod = pod(ns, name).expect("the pod");
        let (created, ready) = (common::created_at(&pod), ready_at(&pod));
        assert!(
            ready > created,
            "{name} was Ready at {ready}, not after its creation at {created}"
        );
        if let Some(prev) = previous_ready {
            assert!(
                created >= prev,
                "{name} was created at {created}, before its predecessor was Ready at {prev}"
            );
        }
        previous_ready = Some(ready);
    }

    let claims: BTreeSet<(String, String)> = c
        .list::<PersistentVolumeClaim>(ns, "pvc", None)
        .into_iter()
        .map(|claim| {
            let phase = claim.status.and_then(|s| s.phase).unwrap_or_default();
            (claim.metadata.name.unwrap_or_default(), phase)
        })
        .collect();
    let expected: BTreeSet<(String, String)> = pods
        .iter()
        .map(|p| (format!("cassandra-data-{p}"), "Bound".to_string()))
        .collect();
    assert_eq!(claims, expected, "claims not all Bound");

    let status = ring_status(ns, "cassandra-0");
    let rows = nodes(&casctl::nodetool::parse_status(&status).expect("nodetool status output"));
    let ips: BTreeSet<String> = pods.iter().map(|p| pod_ip(ns, p)).collect();
    assert_eq!(rows.len(), 3, "expected 3 nodes:\n{status}");
    assert!(rows.iter().all(Node::is_up_normal), "not all UN:\n{status}");
    assert_eq!(
        addresses(&rows),
        ips,
        "ring addresses are not the pods' IPs:\n{status}"
    );
    // The Cassandra 5.0 layout, with the DC and token count from the pod's env.
    let lines: Vec<&str> = status.lines().collect();
    assert_eq!(lines[0], "Datacenter: DC1-K8Demo");
    assert_eq!(lines[1], "=".repeat("Datacenter: DC1-K8Demo".len()));
    assert_eq!(lines[2], "Status=Up/Down");
    assert_eq!(lines[3], "|/ State=Normal/Leaving/Joining/Moving");
    assert!(lines[4].starts_with("--  Address"), "header: {}", lines[4]);
    assert!(lines[4].contains("  Tokens  Owns (effective)  Host ID"));
    assert!(
        lines[4].ends_with("Rack        "),
        "Rack is padded: {:?}",
        lines[4]
    );
    assert!(
        rows.iter().all(|n| n.tokens == Some(32)),
        "32 tokens:\n{status}"
    );
    assert!(status.ends_with("\n\n"), "no trailing blank line");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn deleted_pods_go_after_the_delete_delay_or_at_the_end_of_their_grace_period() {
    let ns = TestNamespace::new("harness-del");
    let ns = ns.name.as_str();
    let c = cluster();
    let manifest = |name: &str, annotations: &str| {
        format!(
            r#"
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  annotations: {{casctl.test/ready-delay: "0s"{annotations}}}
spec:
  terminationGracePeriodSeconds: 30
  containers: [{{name: main, image: busybox}}]
"#
        )
    };
    c.apply(
        ns,
        &(manifest("quick", r#", casctl.test/delete-delay: "4s""#)
            + "---"
            + &manifest("hang", r#", casctl.test/hang-on-delete: "true""#)),
    );
    wait_ready(
        ns,
        &["quick".to_string(), "hang".to_string()],
        Duration::from_secs(30),
    );

    // Each pod's deletion is stamped by the API server: `deletionTimestamp` is when its grace
    // period ends. Both are seen Terminating first, then gone; when they went is read on the
    // server's clock too (`server_now`, after the pod is gone), so the order of what happened
    // is checked, not this machine's timing.
    let terminating = |name: &str| {
        let pod = pod(ns, name).unwrap_or_else(|| panic!("{name} went at once"));
        pod.metadata
            .deletion_timestamp
            .unwrap_or_else(|| panic!("{name} is not Terminating"))
            .0
    };

    // An ordinary pod stops once its delete delay (4 s) is over, well before the end of its
    // 30 s grace period.
    c.kubectl_ok(&["delete", "pod", "-n", ns, "quick", "--wait=false"]);
    let grace_ends = terminating("quick");
    assert!(pod_gone_within(ns, "quick", Duration::from_secs(15)));
    let gone_by = c.server_now(ns);
    assert!(
        gone_by < grace_ends,
        "quick pod went at {gone_by} or before, not before its grace period ended at {grace_ends}"
    );

    // A hanging pod stays Terminating until its grace period (5 s here, not the spec's 30 s:
    // it is gone within 15 s) is over.
    c.kubectl_ok(&[
        "delete",
        "pod",
        "-n",
        ns,
        "hang",
        "--grace-period=5",
        "--wait=false",
    ]);
    let grace_ends = terminating("hang");
    assert!(pod_gone_within(ns, "hang", Duration::from_secs(15)));
    let gone_by = c.server_now(ns);
    assert!(
        gone_by >= grace_ends,
        "hanging pod was gone by {gone_by}, before its grace period ended at {grace_ends}"
    );
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn decommission_removes_the_node_and_a_pod_gone_without_it_stays_down() {
    let ns = TestNamespace::new("harness-ring");
    let ns = ns.name.as_str();
    let c = cluster();
    // Quick pods; a decommission that takes 3 s, long enough to see it leaving.
    c.apply(
        ns,
        &statefulset(
            "ring",
            3,
            r#"casctl.test/ready-delay: "0s", casctl.test/decommission-delay: "3s""#,
        ),
    );
    let pods = names("ring", 3);
    wait_ready(ns, &pods, Duration::from_secs(60));
    let first = ring(ns, "ring-0");
    assert_eq!(first.len(), 3);
    let ip1 = pod_ip(ns, "ring-1");
    let ip2 = pod_ip(ns, "ring-2");
    let host1 = host_id_at(&first, &ip1).expect("ring-1 in the ring");

    // Decommission ring-2: UL while it streams, then gone from the ring.
    let decommission = c
        .kubectl_command(&["exec", "-n", ns, "ring-2", "--", "nodetool", "decommission"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let leaving = wait_until(Duration::from_secs(3), || {
        node_at(&ring(ns, "ring-0"), &ip2).is_some_and(|n| n.code() == "UL")
    });
    let out = decommission.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "decommission failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(leaving, "ring-2 was never shown UL during its decommission");
    let rows = ring(ns, "ring-0");
    assert_eq!(rows.len(), 2, "ring-2 still in the ring: {rows:?}");
    assert!(rows.iter().all(Node::is_up_normal), "{rows:?}");

    // Safe scale-down: ring-2 goes; nothing is left behind.
    c.kubectl_ok(&["scale", "statefulset", "-n", ns, "ring", "--replicas=2"]);
    assert!(pod_gone_within(ns, "ring-2", Duration::from_secs(20)));
    assert_eq!(ring(ns, "ring-0").len(), 2);

    // Unsafe scale-down (no decommission): ring-1 stays in the ring, DN, with its last address.
    c.kubectl_ok(&["scale", "statefulset", "-n", ns, "ring", "--replicas=1"]);
    assert!(pod_gone_within(ns, "ring-1", Duration::from_secs(20)));
    let rows = ring(ns, "ring-0");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        node_at(&rows, &ip1)
            .is_some_and(|n| n.code() == "DN" && n.host_id.as_ref() == Some(&host1)),
        "ring-1 not DN with its last address: {rows:?}"
    );

    // Scaling up again: ring-1 restarts on its claim (same host ID); ring-2, decommissioned
    // before, joins as a new node.
    c.kubectl_ok(&["scale", "statefulset", "-n", ns, "ring", "--replicas=3"]);
    wait_ready(ns, &pods, Duration::from_secs(60));
    let rows = ring(ns, "ring-0");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(Node::is_up_normal), "{rows:?}");
    assert_eq!(
        host_id_at(&rows, &pod_ip(ns, "ring-1")),
        Some(host1),
        "ring-1 did not rejoin with its host ID"
    );
    let old_host2 = host_id_at(&first, &ip2).unwrap();
    assert_ne!(host_id_at(&rows, &pod_ip(ns, "ring-2")), Some(old_host2));
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn nodetool_failures_reach_the_exec_caller() {
    let ns = TestNamespace::new("harness-exec");
    let ns = ns.name.as_str();
    cluster().apply(
        ns,
        &statefulset("solo", 1, r#"casctl.test/ready-delay: "0s""#),
    );
    wait_ready(ns, &["solo-0".to_string()], Duration::from_secs(30));

    let out = nodetool(ns, "solo-0", &["version"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ReleaseVersion: "));
    assert!(nodetool(ns, "solo-0", &["drain"]).status.success());

    // An unknown command exits 1 with Cassandra 5.0's usage error, on stdout; the caller sees
    // a failure and the exit status in kubectl's message.
    let out = nodetool(ns, "solo-0", &["frobnicate"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "unknown command succeeded");
    assert!(
        stdout.starts_with("nodetool: Found unexpected parameters: [frobnicate]\n"),
        "{stdout}"
    );
    assert!(stderr.contains("exit status 1"), "{stderr}");

    // The only node cannot be decommissioned (nodetool's refusal, exit 1).
    let out = nodetool(ns, "solo-0", &["decommission"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stdout.contains("Unsupported operation: no other normal nodes in the ring; decommission would be pointless"),
        "{stdout}"
    );
    assert!(stderr.contains("exit status 1"), "{stderr}");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn pod_security_admission_and_rbac_are_enforced() {
    let ns = TestNamespace::new("harness-psa");
    let ns = ns.name.as_str();
    let c = cluster();
    c.kubectl_ok(&[
        "label",
        "namespace",
        ns,
        "pod-security.kubernetes.io/enforce=baseline",
    ]);
    let out = c.kubectl(&[
        "run",
        "-n",
        ns,
        "locked",
        "--image=busybox",
        r#"--overrides={"spec":{"containers":[{"name":"locked","image":"busybox","securityContext":{"capabilities":{"add":["IPC_LOCK"]}}}]}}"#,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "IPC_LOCK pod admitted under baseline"
    );
    assert!(stderr.contains("violates PodSecurity"), "{stderr}");

    let sa = format!("system:serviceaccount:{ns}:default");
    let out = c.kubectl(&[
        "auth",
        "can-i",
        "create",
        "statefulsets",
        "-n",
        ns,
        "--as",
        &sa,
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "no");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn released_volumes_are_recycled() {
    let ns = TestNamespace::new("harness-pv");
    let ns = ns.name.as_str();
    let c = cluster();
    c.apply(
        ns,
        r#"
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: fast
  resources:
    requests: {storage: 1Gi}
"#,
    );
    let claim = || {
        c.get::<PersistentVolumeClaim>(ns, "pvc/data")
            .expect("the claim")
    };
    assert!(wait_until(Duration::from_secs(30), || {
        claim().status.and_then(|s| s.phase).as_deref() == Some("Bound")
    }));
    let pv = claim()
        .spec
        .and_then(|s| s.volume_name)
        .expect("a Bound claim names its volume");
    let phase = || {
        c.get_cluster_scoped::<PersistentVolume>(&format!("pv/{pv}"))
            .and_then(|v| v.status?.phase)
            .unwrap_or_default()
    };
    assert_eq!(phase(), "Bound");
    c.kubectl_ok(&["delete", "pvc", "-n", ns, "data", "--wait=false"]);
    assert!(
        wait_until(Duration::from_secs(10), || phase() == "Released"),
        "{pv} not Released"
    );
    assert!(
        wait_until(Duration::from_secs(30), || phase() == "Available"),
        "{pv} not recycled"
    );
}

/// A pod created at `created` and Ready at `ready` (RFC 3339), as the API server reports it.
fn pod_with_times(created: &str, ready: &str) -> Pod {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": "p", "creationTimestamp": created},
        "status": {"conditions": [
            {"type": "Ready", "status": "True", "lastTransitionTime": ready}
        ]}
    }))
    .expect("a pod")
}

#[test]
fn pod_times_are_compared_as_instants_across_months_and_years() {
    // Each pair is one second apart; a date taken as `month * 31 days + day` (the year
    // ignored) put the second before the first at a year's end and days apart at February's.
    for (created, ready) in [
        ("2026-11-28T21:20:05Z", "2026-11-28T21:20:06Z"),
        ("2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z"),
        ("2026-02-28T23:59:59Z", "2026-03-01T00:00:00Z"),
        ("2024-02-29T23:59:59Z", "2024-03-01T00:00:00Z"),
        ("2026-04-30T23:59:59Z", "2026-05-01T00:00:00Z"),
    ] {
        let pod = pod_with_times(created, ready);
        let (created_at, ready_at) = (common::created_at(&pod), ready_at(&pod));
        assert!(ready_at > created_at, "{ready} not after {created}");
        assert_eq!(
            ready_at.as_second() - created_at.as_second(),
            1,
            "{created} → {ready}"
        );
    }
}

// The real ring: real Cassandra 5.0 JVMs in the pods of a namespace labelled
// casctl.test/ring=real. These tests run one at a time (tests/test-all), each in a namespace
// that holds the real-ring lock. They poll slowly: every kubectl or nodetool call takes CPU
// that the JVMs need on a small machine.

/// Polls `condition` every second until it holds or `timeout` has passed.
fn eventually(timeout: Duration, condition: impl FnMut() -> bool) -> bool {
    common::poll_until(timeout, Duration::from_secs(1), condition)
}

/// Polls a condition on `nodetool status` (a JVM per call) every 3 s.
fn eventually_in_ring(
    ns: &str,
    timeout: Duration,
    mut condition: impl FnMut(&[Node]) -> bool,
) -> bool {
    common::poll_until(timeout, Duration::from_secs(3), || {
        condition(&ring(ns, "cassandra-0"))
    })
}

fn wait_jvms_ready(ns: &str, pods: &[&str], timeout: Duration) {
    assert!(
        eventually(timeout, || pods.iter().all(|p| pod_ready(ns, p))),
        "pods {pods:?} did not all become Ready within {timeout:?}"
    );
}

/// The repository's own templates (the tutorial's Service and StatefulSet) for `ns`: its seed,
/// `replicas` pods.
fn tutorial_ring(ns: &str, replicas: u32) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let read = |f: &str| std::fs::read_to_string(root.join(f)).expect("templates");
    let sts = read("statefulset.yaml")
        .replace(
            "cassandra-0.cassandra.default.svc.cluster.local",
            &format!("cassandra-0.cassandra.{ns}.svc.cluster.local"),
        )
        .replace("replicas: 3", &format!("replicas: {replicas}"));
    assert!(sts.contains(&format!("cassandra-0.cassandra.{ns}.svc")));
    format!("{}\n---\n{sts}", read("service.yaml"))
}

fn annotate(ns: &str, pod: &str, annotation: &str) {
    cluster().kubectl_ok(&["annotate", "pod", "-n", ns, pod, "--overwrite", annotation]);
}

/// The pod's UID; `None` while it does not exist.
fn pod_uid(ns: &str, name: &str) -> Option<String> {
    pod(ns, name)?.metadata.uid
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn real_ring_of_three_joins_in_order_and_lives_through_faults_and_a_decommission() {
    let ns = TestNamespace::real("real-ring");
    let ns = ns.name.as_str();
    let c = cluster();
    c.apply(ns, &tutorial_ring(ns, 3));
    let pods = ["cassandra-0", "cassandra-1", "cassandra-2"];
    wait_jvms_ready(ns, &pods, Duration::from_secs(420));

    // Ordered rollout: each pod was created once its predecessor's node was up (Ready means
    // its own row is UN).
    for pair in pods.windows(2) {
        let ready = ready_at(&pod(ns, pair[0]).expect("the pod"));
        let created = common::created_at(&pod(ns, pair[1]).expect("the pod"));
        assert!(
            created >= ready,
            "{} was created at {created}, before {} was Ready at {ready}",
            pair[1],
            pair[0]
        );
    }

    // Real nodetool in the pod, against the pod's node: three UN nodes at the pods' IPs.
    let rows = ring(ns, "cassandra-0");
    let ips: BTreeSet<String> = pods.iter().map(|p| pod_ip(ns, p)).collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(Node::is_up_normal), "{rows:?}");
    assert_eq!(addresses(&rows), ips);
    assert!(ips.iter().all(|ip| ip.starts_with("127.1.")), "{ips:?}");
    let out = nodetool(ns, "cassandra-1", &["version"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ReleaseVersion: 5.0.9\n"
    );
    assert_eq!(cassandra_jvms(ns), pods, "one JVM per pod");

    // kill -9 of cassandra-2's JVM, kept down: the pod stays Running but not Ready, and the
    // others see its node DN once gossip gives up on it.
    let ip2 = pod_ip(ns, "cassandra-2");
    let host2 = host_id_at(&rows, &ip2).expect("cassandra-2 in the ring");
    annotate(ns, "cassandra-2", "casctl.test/fault=kill");
    assert!(
        eventually(Duration::from_secs(30), || !pod_ready(ns, "cassandra-2")),
        "cassandra-2 still Ready with its JVM killed"
    );
    assert_eq!(
        pod_status(ns, "cassandra-2").phase.as_deref(),
        Some("Running")
    );
    assert_eq!(cassandra_jvms(ns), ["cassandra-0", "cassandra-1"]);
    assert!(
        eventually_in_ring(ns, Duration::from_secs(90), |rows| {
            node_at(rows, &ip2).is_some_and(|n| n.code() == "DN")
        }),
        "cassandra-2 never DN"
    );

    // Started again: the same node (its data, its host ID) is back, UN, and the pod Ready.
    c.kubectl_ok(&[
        "annotate",
        "pod",
        "-n",
        ns,
        "cassandra-2",
        "casctl.test/fault-",
    ]);
    wait_jvms_ready(ns, &["cassandra-2"], Duration::from_secs(180));
    assert!(eventually_in_ring(ns, Duration::from_secs(60), |rows| {
        rows.len() == 3 && rows.iter().all(Node::is_up_normal)
    }));
    assert_eq!(host_id_at(&ring(ns, "cassandra-0"), &ip2), Some(host2));

    // Decommission below system_distributed's RF 3 is refused; forced, the node leaves and
    // its pod is no longer Ready.
    let out = nodetool(ns, "cassandra-2", &["decommission"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(
            "Not enough live nodes to maintain replication factor in keyspace system_distributed (RF = 3, N = 3)"
        ),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = nodetool(ns, "cassandra-2", &["decommission", "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(eventually(Duration::from_secs(30), || !pod_ready(
        ns,
        "cassandra-2"
    )));
    let rows = ring(ns, "cassandra-0");
    assert_eq!(rows.len(), 2, "cassandra-2 still in the ring: {rows:?}");

    // Re-created on its claim, the decommissioned node refuses to start: the container
    // restarts (counted), and the previous container's log says why.
    c.kubectl_ok(&["delete", "pod", "-n", ns, "cassandra-2", "--wait=false"]);
    let restarted = eventually(Duration::from_secs(240), || {
        container(ns, "cassandra-2").is_some_and(|(restarts, _)| restarts > 0)
    });
    assert!(restarted, "cassandra-2 never restarted");
    let previous = c.kubectl(&["logs", "-n", ns, "cassandra-2", "--previous"]);
    let previous = String::from_utf8_lossy(&previous.stdout);
    assert!(
        previous.contains("This node was decommissioned and will not rejoin the ring"),
        "{previous}"
    );
    assert!(!pod_ready(ns, "cassandra-2"));
    let ended = container(ns, "cassandra-2").and_then(|(_, reason)| reason);
    assert_eq!(ended.as_deref(), Some("Error"));
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn real_node_drains_on_deletion_keeps_its_claims_identity_and_goes_with_its_namespace() {
    let ns_guard = TestNamespace::real("real-node");
    let ns = ns_guard.name.as_str();
    let c = cluster();
    let manifests = tutorial_ring(ns, 1);
    c.apply(ns, &manifests);
    wait_jvms_ready(ns, &["cassandra-0"], Duration::from_secs(240));
    let host_of_only_node = || {
        let rows = ring(ns, "cassandra-0");
        assert_eq!(rows.len(), 1, "{rows:?}");
        rows[0].host_id.clone().expect("the node's host ID")
    };
    let first = host_of_only_node();

    // Deleted with a 500 s grace period, the pod drains and goes as soon as its JVM has
    // exited; re-created on the same claim, it is the same node.
    let old_uid = pod_uid(ns, "cassandra-0");
    assert!(old_uid.is_some());
    c.kubectl_ok(&["delete", "pod", "-n", ns, "cassandra-0", "--wait=false"]);
    assert!(
        eventually(Duration::from_secs(120), || pod_uid(ns, "cassandra-0")
            != old_uid),
        "the deleted pod was still there after 120 s (grace period 500 s)"
    );
    wait_jvms_ready(ns, &["cassandra-0"], Duration::from_secs(240));
    assert_eq!(host_of_only_node(), first, "same claim, same node");

    // The claim purged, the node on a new claim (a wiped volume) is a new node.
    c.kubectl_ok(&["delete", "statefulset", "-n", ns, "cassandra"]);
    assert!(eventually(Duration::from_secs(120), || !pod_exists(
        ns,
        "cassandra-0"
    )));
    assert!(cassandra_jvms(ns).is_empty());
    c.kubectl_ok(&[
        "delete",
        "pvc",
        "-n",
        ns,
        "--all",
        "--wait=true",
        "--timeout=60s",
    ]);
    c.apply(ns, &manifests);
    wait_jvms_ready(ns, &["cassandra-0"], Duration::from_secs(240));
    assert_ne!(host_of_only_node(), first, "a new claim is a new node");

    // A stopped node (drained, then SIGTERM) is down, as its log says.
    annotate(ns, "cassandra-0", "casctl.test/fault=stop");
    assert!(eventually(Duration::from_secs(60), || cassandra_jvms(ns).is_empty()));
    assert!(!pod_ready(ns, "cassandra-0"));
    let log = c.kubectl_ok(&["logs", "-n", ns, "cassandra-0"]);
    assert!(log.contains("DRAINED"), "no drain in the log:\n{log}");

    // Started again, then the namespace deleted: its JVM stops.
    c.kubectl_ok(&[
        "annotate",
        "pod",
        "-n",
        ns,
        "cassandra-0",
        "casctl.test/fault-",
    ]);
    assert!(eventually(Duration::from_secs(30), || cassandra_jvms(ns)
        .len()
        == 1));
    c.kubectl_ok(&["delete", "namespace", ns, "--wait=false"]);
    assert!(
        eventually(Duration::from_secs(180), || cassandra_jvms(ns).is_empty()),
        "JVMs left after the namespace was deleted: {:?}",
        cassandra_jvms(ns)
    );
}
