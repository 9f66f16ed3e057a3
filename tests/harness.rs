//! End-to-end tests of the local control plane itself (tests/local-cluster): what casctl's own
//! end-to-end tests rely on, checked with plain kubectl.

mod common;

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{TestNamespace, cassandra_jvms, cluster, wait_until};

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

fn jsonpath(ns: &str, args: &[&str], path: &str) -> String {
    let output = format!("jsonpath={path}");
    let mut all = vec!["get", "-n", ns];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", &output]);
    cluster().kubectl_ok(&all).trim().to_string()
}

fn pod_ready(ns: &str, pod: &str) -> bool {
    let out = cluster().kubectl(&[
        "get",
        "pod",
        "-n",
        ns,
        pod,
        "-o",
        r#"jsonpath={.status.conditions[?(@.type=="Ready")].status}"#,
    ]);
    out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "True"
}

fn pod_exists(ns: &str, pod: &str) -> bool {
    let out = cluster().kubectl(&[
        "get",
        "pod",
        "-n",
        ns,
        pod,
        "--ignore-not-found",
        "-o",
        "name",
    ]);
    !String::from_utf8_lossy(&out.stdout).trim().is_empty()
}

fn pod_gone_within(ns: &str, pod: &str, timeout: Duration) -> bool {
    wait_until(timeout, || !pod_exists(ns, pod))
}

fn pod_ip(ns: &str, pod: &str) -> String {
    jsonpath(ns, &["pod", pod], "{.status.podIP}")
}

fn nodetool(ns: &str, pod: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["exec", "-n", ns, pod, "--", "nodetool"];
    all.extend_from_slice(args);
    cluster().kubectl(&all)
}

/// `nodetool status` in `pod`; panics unless it succeeds.
fn ring_status(ns: &str, pod: &str) -> String {
    let out = nodetool(ns, pod, &["status"]);
    assert!(
        out.status.success(),
        "nodetool status in {pod} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The ring rows of a `nodetool status` output: (status+state, address, host ID).
fn ring_rows(status: &str) -> Vec<(String, String, String)> {
    status
        .lines()
        .filter(|l| {
            let code = l.split_whitespace().next().unwrap_or("");
            code.len() == 2 && "UD?".contains(&code[..1]) && "NLJM".contains(&code[1..])
        })
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            // --  Address  Load (1 or 2 words)  Tokens  Owns  Host ID  Rack
            let host_id = f[f.len() - 2];
            (f[0].to_string(), f[1].to_string(), host_id.to_string())
        })
        .collect()
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

fn timestamp(s: &str) -> u64 {
    // RFC 3339 UTC "2026-11-28T21:20:05Z" -> seconds (only differences matter).
    let (date, time) = s.trim_end_matches('Z').split_once('T').expect("timestamp");
    let d: Vec<u64> = date.split('-').map(|x| x.parse().unwrap()).collect();
    let t: Vec<u64> = time.split(':').map(|x| x.parse().unwrap()).collect();
    (d[2] * 24 + t[0]) * 3600 + t[1] * 60 + t[2] + d[1] * 31 * 86400
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn nodes_and_storage_class_are_ready() {
    let c = cluster();
    let nodes = c.kubectl_ok(&[
        "get",
        "nodes",
        "-o",
        r#"jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status} {.spec.taints}{"\n"}{end}"#,
    ]);
    let ready: Vec<&str> = nodes.lines().filter(|l| l.contains(" True")).collect();
    assert!(ready.len() >= 4, "fewer than 4 Ready nodes:\n{nodes}");
    assert!(
        nodes.lines().all(|l| l.trim_end().ends_with("True")),
        "a node has taints or is not Ready:\n{nodes}"
    );
    let provisioner = c.kubectl_ok(&[
        "get",
        "storageclass",
        "fast",
        "-o",
        "jsonpath={.provisioner}",
    ]);
    assert_eq!(provisioner, "k8s.io/minikube-hostpath");
    let available = c.kubectl_ok(&[
        "get",
        "pv",
        "-o",
        r#"jsonpath={range .items[?(@.status.phase=="Available")]}{.metadata.name}{"\n"}{end}"#,
    ]);
    assert!(
        available.lines().count() >= 200,
        "fewer than 200 Available volumes"
    );
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

    // Ordered: each pod is created only once the previous one is Ready, and each becomes
    // Ready about 2 s after it was created. Timestamps have 1 s resolution.
    let mut previous_ready = None;
    for pod in &pods {
        let created = timestamp(&jsonpath(
            ns,
            &["pod", pod],
            "{.metadata.creationTimestamp}",
        ));
        let ready = timestamp(&jsonpath(
            ns,
            &["pod", pod],
            r#"{.status.conditions[?(@.type=="Ready")].lastTransitionTime}"#,
        ));
        assert!(
            ready > created,
            "{pod} was Ready {}s after creation, expected about 2s",
            ready - created
        );
        if let Some(prev) = previous_ready {
            assert!(
                created >= prev,
                "{pod} was created before its predecessor was Ready"
            );
        }
        previous_ready = Some(ready);
    }

    let claims = jsonpath(
        ns,
        &["pvc"],
        r#"{range .items[*]}{.metadata.name}={.status.phase}{"\n"}{end}"#,
    );
    let claims: BTreeSet<&str> = claims.lines().collect();
    let expected: BTreeSet<String> = pods
        .iter()
        .map(|p| format!("cassandra-data-{p}=Bound"))
        .collect();
    assert_eq!(
        claims,
        expected.iter().map(String::as_str).collect(),
        "claims not all Bound"
    );

    let status = ring_status(ns, "cassandra-0");
    let rows = ring_rows(&status);
    let ips: BTreeSet<String> = pods.iter().map(|p| pod_ip(ns, p)).collect();
    assert_eq!(rows.len(), 3, "expected 3 nodes:\n{status}");
    assert!(rows.iter().all(|r| r.0 == "UN"), "not all UN:\n{status}");
    assert_eq!(
        rows.iter().map(|r| r.1.clone()).collect::<BTreeSet<_>>(),
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
    assert!(lines[5].contains(" 32  "), "32 tokens: {}", lines[5]);
    assert!(status.ends_with("\n\n"), "no trailing blank line");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn deleted_pods_go_after_the_delete_delay_or_at_the_end_of_their_grace_period() {
    let ns = TestNamespace::new("harness-del");
    let ns = ns.name.as_str();
    let c = cluster();
    let pod = |name: &str, annotations: &str| {
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
        &(pod("quick", r#", casctl.test/delete-delay: "2s""#)
            + "---"
            + &pod("hang", r#", casctl.test/hang-on-delete: "true""#)),
    );
    wait_ready(
        ns,
        &["quick".to_string(), "hang".to_string()],
        Duration::from_secs(30),
    );

    // An ordinary pod stops about 2 s after it is asked to, well before its 30 s grace period.
    let start = Instant::now();
    c.kubectl_ok(&["delete", "pod", "-n", ns, "quick", "--wait=false"]);
    assert!(pod_gone_within(ns, "quick", Duration::from_secs(15)));
    let quick = start.elapsed();
    assert!(
        quick >= Duration::from_millis(1500) && quick < Duration::from_secs(8),
        "quick pod went after {quick:?}, expected about 2 s"
    );

    // A hanging pod stays Terminating until its grace period (5 s here) is over.
    let start = Instant::now();
    c.kubectl_ok(&[
        "delete",
        "pod",
        "-n",
        ns,
        "hang",
        "--grace-period=5",
        "--wait=false",
    ]);
    assert!(wait_until(Duration::from_secs(5), || {
        !jsonpath(ns, &["pod", "hang"], "{.metadata.deletionTimestamp}").is_empty()
    }));
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        pod_exists(ns, "hang"),
        "hanging pod went before its grace period ended"
    );
    assert!(pod_gone_within(ns, "hang", Duration::from_secs(15)));
    let hang = start.elapsed();
    assert!(
        hang >= Duration::from_millis(4500) && hang < Duration::from_secs(10),
        "hanging pod went after {hang:?}, expected about 5 s"
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
    let first = ring_rows(&ring_status(ns, "ring-0"));
    assert_eq!(first.len(), 3);
    let host_of = |ip: &str, rows: &[(String, String, String)]| {
        rows.iter().find(|r| r.1 == ip).map(|r| r.2.clone())
    };
    let ip1 = pod_ip(ns, "ring-1");
    let ip2 = pod_ip(ns, "ring-2");
    let host1 = host_of(&ip1, &first).expect("ring-1 in the ring");

    // Decommission ring-2: UL while it streams, then gone from the ring.
    let decommission = c
        .kubectl_command(&["exec", "-n", ns, "ring-2", "--", "nodetool", "decommission"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let leaving = wait_until(Duration::from_secs(3), || {
        ring_rows(&ring_status(ns, "ring-0"))
            .iter()
            .any(|r| r.0 == "UL" && r.1 == ip2)
    });
    let out = decommission.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "decommission failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(leaving, "ring-2 was never shown UL during its decommission");
    let rows = ring_rows(&ring_status(ns, "ring-0"));
    assert_eq!(rows.len(), 2, "ring-2 still in the ring: {rows:?}");
    assert!(rows.iter().all(|r| r.0 == "UN"));

    // Safe scale-down: ring-2 goes; nothing is left behind.
    c.kubectl_ok(&["scale", "statefulset", "-n", ns, "ring", "--replicas=2"]);
    assert!(pod_gone_within(ns, "ring-2", Duration::from_secs(20)));
    assert_eq!(ring_rows(&ring_status(ns, "ring-0")).len(), 2);

    // Unsafe scale-down (no decommission): ring-1 stays in the ring, DN, with its last address.
    c.kubectl_ok(&["scale", "statefulset", "-n", ns, "ring", "--replicas=1"]);
    assert!(pod_gone_within(ns, "ring-1", Duration::from_secs(20)));
    let rows = ring_rows(&ring_status(ns, "ring-0"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.0 == "DN" && r.1 == ip1 && r.2 == host1),
        "ring-1 not DN with its last address: {rows:?}"
    );

    // Scaling up again: ring-1 restarts on its claim (same host ID); ring-2, decommissioned
    // before, joins as a new node.
    c.kubectl_ok(&["scale", "statefulset", "-n", ns, "ring", "--replicas=3"]);
    wait_ready(ns, &pods, Duration::from_secs(60));
    let rows = ring_rows(&ring_status(ns, "ring-0"));
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|r| r.0 == "UN"), "{rows:?}");
    assert_eq!(
        host_of(&pod_ip(ns, "ring-1"), &rows),
        Some(host1),
        "ring-1 did not rejoin with its host ID"
    );
    let old_host2 = host_of(&ip2, &first).unwrap();
    assert_ne!(host_of(&pod_ip(ns, "ring-2"), &rows), Some(old_host2));
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
    assert!(wait_until(Duration::from_secs(30), || {
        jsonpath(ns, &["pvc", "data"], "{.status.phase}") == "Bound"
    }));
    let pv = jsonpath(ns, &["pvc", "data"], "{.spec.volumeName}");
    let phase = || {
        c.kubectl_ok(&["get", "pv", &pv, "-o", "jsonpath={.status.phase}"])
            .trim()
            .to_string()
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

#[test]
fn ring_rows_reads_the_status_table() {
    let status = "Datacenter: dc1\n===============\nStatus=Up/Down\n\
                  |/ State=Normal/Leaving/Joining/Moving\n\
                  --  Address   Load       Tokens  Owns (effective)  Host ID  Rack \n\
                  UN  10.0.0.1  83.5 KiB   16      50.0%             aaaa     rack1\n\
                  DN  10.0.0.2  ?          16      50.0%             bbbb     rack1\n\n";
    assert_eq!(
        ring_rows(status),
        vec![
            ("UN".into(), "10.0.0.1".into(), "aaaa".into()),
            ("DN".into(), "10.0.0.2".into(), "bbbb".into())
        ]
    );
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
    mut condition: impl FnMut(&[(String, String, String)]) -> bool,
) -> bool {
    common::poll_until(timeout, Duration::from_secs(3), || {
        condition(&ring_rows(&ring_status(ns, "cassandra-0")))
    })
}

fn wait_real_ready(ns: &str, pods: &[&str], timeout: Duration) {
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

fn host_id_of(rows: &[(String, String, String)], ip: &str) -> Option<String> {
    rows.iter().find(|r| r.1 == ip).map(|r| r.2.clone())
}

fn annotate(ns: &str, pod: &str, annotation: &str) {
    cluster().kubectl_ok(&["annotate", "pod", "-n", ns, pod, "--overwrite", annotation]);
}

fn pod_field(ns: &str, pod: &str, path: &str) -> String {
    let output = format!("jsonpath={path}");
    let out = cluster().kubectl(&["get", "pod", "-n", ns, pod, "-o", &output]);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn real_ring_of_three_joins_in_order_and_lives_through_faults_and_a_decommission() {
    let ns = TestNamespace::real("real-ring");
    let ns = ns.name.as_str();
    let c = cluster();
    c.apply(ns, &tutorial_ring(ns, 3));
    let pods = ["cassandra-0", "cassandra-1", "cassandra-2"];
    wait_real_ready(ns, &pods, Duration::from_secs(420));

    // Ordered rollout: each pod was created once its predecessor's node was up (Ready means
    // its own row is UN).
    for pair in pods.windows(2) {
        let ready = timestamp(&pod_field(
            ns,
            pair[0],
            r#"{.status.conditions[?(@.type=="Ready")].lastTransitionTime}"#,
        ));
        let created = timestamp(&pod_field(ns, pair[1], "{.metadata.creationTimestamp}"));
        assert!(
            created >= ready,
            "{} was created before {} was Ready",
            pair[1],
            pair[0]
        );
    }

    // Real nodetool in the pod, against the pod's node: three UN nodes at the pods' IPs.
    let status = ring_status(ns, "cassandra-0");
    let rows = ring_rows(&status);
    let ips: BTreeSet<String> = pods.iter().map(|p| pod_ip(ns, p)).collect();
    assert_eq!(rows.len(), 3, "{status}");
    assert!(rows.iter().all(|r| r.0 == "UN"), "{status}");
    assert_eq!(
        rows.iter().map(|r| r.1.clone()).collect::<BTreeSet<_>>(),
        ips
    );
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
    let host2 = host_id_of(&rows, &ip2).expect("cassandra-2 in the ring");
    annotate(ns, "cassandra-2", "casctl.test/fault=kill");
    assert!(
        eventually(Duration::from_secs(30), || !pod_ready(ns, "cassandra-2")),
        "cassandra-2 still Ready with its JVM killed"
    );
    assert_eq!(pod_field(ns, "cassandra-2", "{.status.phase}"), "Running");
    assert_eq!(cassandra_jvms(ns), ["cassandra-0", "cassandra-1"]);
    assert!(
        eventually_in_ring(ns, Duration::from_secs(90), |rows| {
            rows.iter().any(|r| r.0 == "DN" && r.1 == ip2)
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
    wait_real_ready(ns, &["cassandra-2"], Duration::from_secs(180));
    assert!(eventually_in_ring(ns, Duration::from_secs(60), |rows| {
        rows.len() == 3 && rows.iter().all(|r| r.0 == "UN")
    }));
    assert_eq!(
        host_id_of(&ring_rows(&ring_status(ns, "cassandra-0")), &ip2),
        Some(host2)
    );

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
    let rows = ring_rows(&ring_status(ns, "cassandra-0"));
    assert_eq!(rows.len(), 2, "cassandra-2 still in the ring: {rows:?}");

    // Re-created on its claim, the decommissioned node refuses to start: the container
    // restarts (counted), and the previous container's log says why.
    c.kubectl_ok(&["delete", "pod", "-n", ns, "cassandra-2", "--wait=false"]);
    let restarted = eventually(Duration::from_secs(240), || {
        let count = pod_field(
            ns,
            "cassandra-2",
            "{.status.containerStatuses[0].restartCount}",
        );
        count.parse::<u32>().is_ok_and(|n| n > 0)
    });
    assert!(restarted, "cassandra-2 never restarted");
    let previous = c.kubectl(&["logs", "-n", ns, "cassandra-2", "--previous"]);
    let previous = String::from_utf8_lossy(&previous.stdout);
    assert!(
        previous.contains("This node was decommissioned and will not rejoin the ring"),
        "{previous}"
    );
    assert!(!pod_ready(ns, "cassandra-2"));
    assert_eq!(
        pod_field(
            ns,
            "cassandra-2",
            "{.status.containerStatuses[0].lastState.terminated.reason}"
        ),
        "Error"
    );
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn real_node_drains_on_deletion_keeps_its_claims_identity_and_goes_with_its_namespace() {
    let ns_guard = TestNamespace::real("real-node");
    let ns = ns_guard.name.as_str();
    let c = cluster();
    let ring = tutorial_ring(ns, 1);
    c.apply(ns, &ring);
    wait_real_ready(ns, &["cassandra-0"], Duration::from_secs(240));
    let host_of_only_node = || {
        let rows = ring_rows(&ring_status(ns, "cassandra-0"));
        assert_eq!(rows.len(), 1, "{rows:?}");
        rows[0].2.clone()
    };
    let first = host_of_only_node();

    // Deleted with a 500 s grace period, the pod drains and goes as soon as its JVM has
    // exited; re-created on the same claim, it is the same node.
    let old_uid = pod_field(ns, "cassandra-0", "{.metadata.uid}");
    c.kubectl_ok(&["delete", "pod", "-n", ns, "cassandra-0", "--wait=false"]);
    assert!(
        eventually(Duration::from_secs(120), || pod_field(
            ns,
            "cassandra-0",
            "{.metadata.uid}"
        ) != old_uid),
        "the deleted pod was still there after 120 s (grace period 500 s)"
    );
    wait_real_ready(ns, &["cassandra-0"], Duration::from_secs(240));
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
    c.apply(ns, &ring);
    wait_real_ready(ns, &["cassandra-0"], Duration::from_secs(240));
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
