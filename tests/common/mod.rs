//! Shared by the end-to-end tests (`mod common;`): the local control plane started by
//! `tests/local-cluster up` (or `tests/test-all`), kubectl against it, throwaway namespaces.
//!
//! End-to-end tests are `#[ignore = "needs the local control plane (tests/test-all)"]` and run
//! with `cargo test -- --include-ignored`. Each test works in its own [`TestNamespace`].

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use k8s_openapi::jiff::Timestamp;

/// The running local control plane.
pub struct Cluster {
    /// Its kubeconfig: the only way in (the API server on 127.0.0.1).
    pub kubeconfig: PathBuf,
    /// Where its kubectl is (the one built with the control plane).
    pub bin_dir: PathBuf,
}

/// The local control plane: `CASCTL_TEST_KUBECONFIG` (set by `tests/test-all`), else the one
/// `tests/local-cluster kubeconfig` reports. Panics, saying how to start it, when there is none.
pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let kubeconfig = match std::env::var_os("CASCTL_TEST_KUBECONFIG") {
            Some(path) => PathBuf::from(path),
            None => local_cluster_kubeconfig().unwrap_or_else(|| {
                panic!(
                    "no local control plane: start it with `tests/local-cluster up` (or run \
                     every test with `tests/test-all`), or set CASCTL_TEST_KUBECONFIG"
                )
            }),
        };
        assert!(
            kubeconfig.is_file(),
            "kubeconfig {} does not exist: is the local control plane up? (tests/local-cluster up)",
            kubeconfig.display()
        );
        // tests/local-cluster keeps kubectl in bin/ next to the kubeconfig.
        let bin_dir = kubeconfig.parent().unwrap_or(Path::new(".")).join("bin");
        assert!(
            bin_dir.join("kubectl").exists(),
            "no kubectl in {} (expected next to the kubeconfig of tests/local-cluster)",
            bin_dir.display()
        );
        Cluster {
            kubeconfig,
            bin_dir,
        }
    })
}

fn local_cluster_kubeconfig() -> Option<PathBuf> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/local-cluster");
    let out = Command::new(script)
        .arg("kubeconfig")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let path = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !path.trim().is_empty()).then(|| PathBuf::from(path.trim()))
}

impl Cluster {
    /// Runs kubectl against the cluster.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_command(args)
            .output()
            .expect("cannot run kubectl")
    }

    /// Runs kubectl, panics (with its stderr) unless it succeeds, and returns its stdout.
    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert!(
            out.status.success(),
            "kubectl {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("kubectl printed non-UTF-8")
    }

    /// `kubectl apply -f -` with these manifests, in this namespace.
    #[allow(dead_code)]
    pub fn apply(&self, namespace: &str, manifests: &str) {
        let mut child = self
            .kubectl_command(&["apply", "-n", namespace, "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot run kubectl");
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), manifests.as_bytes())
            .expect("cannot write to kubectl");
        let out = child.wait_with_output().expect("kubectl apply");
        assert!(
            out.status.success(),
            "kubectl apply failed: {}\n{manifests}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The casctl binary of this package, pointed at the cluster (`--kubeconfig`).
    #[allow(dead_code)]
    pub fn casctl(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_casctl"));
        cmd.arg("--kubeconfig").arg(&self.kubeconfig);
        cmd
    }

    /// A kubectl command against the cluster, to run as the caller likes (e.g. in background).
    pub fn kubectl_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(self.bin_dir.join("kubectl"));
        // Its discovery cache stays next to the kubeconfig, out of ~/.kube.
        let cache = self.kubeconfig.with_file_name("kube-cache");
        cmd.env("KUBECACHEDIR", cache)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args);
        cmd
    }
}

/// A namespace of its own for one test, deleted (without waiting) when dropped.
pub struct TestNamespace {
    pub name: String,
    /// A real ring's lock (see [`TestNamespace::real`]).
    real_ring: Option<std::fs::File>,
}

impl TestNamespace {
    /// Creates `<prefix>-<unique suffix>` (the prefix must be a short DNS label) and waits for
    /// its default service account, without which no pod can be created.
    pub fn new(prefix: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "{prefix}-{:x}{:x}-{}",
            std::process::id(),
            nanos >> 12,
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let c = cluster();
        c.kubectl_ok(&["create", "namespace", &name]);
        c.kubectl_ok(&["label", "namespace", &name, "casctl.test/e2e=true"]);
        // The controller-manager creates the default ServiceAccount; after a fault test's long
        // API server outage its watches re-list with back-off and have taken over a minute.
        c.kubectl_ok(&[
            "wait",
            "--for=create",
            "--timeout=180s",
            "-n",
            &name,
            "serviceaccount/default",
        ]);
        TestNamespace {
            name,
            real_ring: None,
        }
    }

    /// Like [`TestNamespace::new`], labelled `casctl.test/ring=real`: its Cassandra pods run
    /// real Cassandra JVMs (tests/cluster/README.md). Real JVMs do not fit two at a time on a
    /// small machine, so this first takes the local control plane's real-ring lock (a file lock
    /// next to its kubeconfig, which tests/demo takes too), held until the namespace and its
    /// JVMs are gone.
    #[allow(dead_code)]
    pub fn real(prefix: &str) -> Self {
        let path = cluster().kubeconfig.with_file_name("real-ring.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        lock.lock()
            .unwrap_or_else(|e| panic!("cannot lock {}: {e}", path.display()));
        let mut ns = TestNamespace::new(prefix);
        cluster().kubectl_ok(&["label", "namespace", &ns.name, "casctl.test/ring=real"]);
        ns.real_ring = Some(lock);
        ns
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        let c = cluster();
        let _ = c.kubectl(&["delete", "namespace", &self.name, "--wait=false"]);
        // A real ring's pods go once their JVMs have stopped (drained): wait for that before the
        // lock goes. (The namespace itself takes minutes more: its controller waits out the
        // pods' grace periods before it looks again.)
        if self.real_ring.is_some() {
            let _ = c.kubectl(&[
                "wait",
                "--for=delete",
                "pods",
                "--all",
                "-n",
                &self.name,
                "--timeout=300s",
            ]);
        }
    }
}

#[allow(dead_code)]
/// Polls `condition` every 100 ms until it holds (true) or `timeout` has passed (false).
pub fn wait_until(timeout: Duration, condition: impl FnMut() -> bool) -> bool {
    poll_until(timeout, Duration::from_millis(100), condition)
}

/// Polls `condition` every `every` until it holds (true) or `timeout` has passed (false).
pub fn poll_until(timeout: Duration, every: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(every);
    }
}

/// Typed reads of the cluster for assertions: objects as k8s-openapi types (through kubectl's
/// JSON), the ring through casctl's own public parser.
#[allow(dead_code)]
impl Cluster {
    /// One object, e.g. `get::<StatefulSet>(ns, "statefulset/cassandra")`; `None` when it does
    /// not exist.
    pub fn get<K: serde::de::DeserializeOwned>(&self, namespace: &str, what: &str) -> Option<K> {
        let out = self.kubectl(&["get", what, "-n", namespace, "-o", "json"]);
        if !out.status.success() {
            return None;
        }
        Some(serde_json::from_slice(&out.stdout).expect("kubectl printed an object"))
    }

    /// The names of every object of a kind (`pods`, `pvc`) in the namespace.
    pub fn names(&self, namespace: &str, kind: &str) -> Vec<String> {
        let out = self.kubectl_ok(&["get", kind, "-n", namespace, "-o", "json"]);
        let list: serde_json::Value = serde_json::from_str(&out).expect("a list");
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["metadata"]["name"].as_str().map(str::to_owned))
            .collect()
    }

    /// The ring as `nodetool status` in `pod` reports it, parsed by casctl's parser.
    pub fn ring(&self, namespace: &str, pod: &str) -> casctl::nodetool::RingStatus {
        let out = self.kubectl_ok(&["exec", "-n", namespace, pod, "--", "nodetool", "status"]);
        casctl::nodetool::parse_status(&out).expect("nodetool status output")
    }

    /// The two-letter codes of the ring's nodes (`UN`, `DN`…), sorted.
    pub fn ring_codes(&self, namespace: &str, pod: &str) -> Vec<String> {
        let mut codes: Vec<String> = self
            .ring(namespace, pod)
            .nodes()
            .map(|(_, n)| n.code())
            .collect();
        codes.sort();
        codes
    }

    /// `spec.replicas` of the StatefulSet `cassandra`.
    pub fn replicas(&self, namespace: &str) -> Option<i32> {
        let sts: k8s_openapi::api::apps::v1::StatefulSet =
            self.get(namespace, "statefulset/cassandra")?;
        sts.spec.and_then(|s| s.replicas)
    }

    /// casctl as a child process (for signals and concurrency), its stderr in a file that the
    /// test can read while it runs.
    pub fn spawn_casctl(&self, args: &[&str], stderr: &Path) -> std::process::Child {
        let file = std::fs::File::create(stderr).expect("a file for stderr");
        Command::new(env!("CARGO_BIN_EXE_casctl"))
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("casctl starts")
    }
}

/// Sends a signal (`INT`, `TERM`, `KILL`) to a process.
#[allow(dead_code)]
pub fn signal(child: &std::process::Child, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill runs")
        .success();
    assert!(ok, "kill -{name} failed");
}

/// A pod annotation of the simulated ring: its keyspaces keep at most two replicas (as after
/// `ALTER KEYSPACE system_distributed … 'replication_factor': 2` on a real ring), so that it may
/// shrink to two nodes; by default `system_distributed` keeps three, as Cassandra's does.
#[allow(dead_code)]
pub const TWO_REPLICAS: &str = "casctl.test/keyspaces: \"system_distributed=2\"";

/// The built-in templates, edited for a test: a shorter grace period and pod annotations
/// (the local control plane's `casctl.test/*` knobs), written to `dir`.
#[allow(dead_code)]
pub fn templates(dir: &Path, grace: u32, pod_annotations: &[&str]) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    std::fs::copy(root.join("service.yaml"), dir.join("service.yaml")).expect("copy service.yaml");
    let mut sts = std::fs::read_to_string(root.join("statefulset.yaml"))
        .expect("read statefulset.yaml")
        .replace(
            "terminationGracePeriodSeconds: 500",
            &format!("terminationGracePeriodSeconds: {grace}"),
        );
    if !pod_annotations.is_empty() {
        let pod_labels = "  template:\n    metadata:\n      labels:\n        app: cassandra\n";
        assert!(sts.contains(pod_labels), "the template's pod labels moved");
        let annotations: String = pod_annotations
            .iter()
            .map(|a| format!("        {a}\n"))
            .collect();
        sts = sts.replace(
            pod_labels,
            &format!("{pod_labels}      annotations:\n{annotations}"),
        );
    }
    std::fs::write(dir.join("statefulset.yaml"), sts).expect("write statefulset.yaml");
    dir.to_path_buf()
}

/// Reads a file that a running process writes (its stderr).
#[allow(dead_code)]
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The items of a `kubectl get KIND -o json` list, typed.
#[derive(serde::Deserialize)]
struct Items<K> {
    items: Vec<K>,
}

#[allow(dead_code)]
impl Cluster {
    /// Every object of a kind in the namespace, optionally by label selector, typed.
    pub fn list<K: serde::de::DeserializeOwned>(
        &self,
        namespace: &str,
        kind: &str,
        selector: Option<&str>,
    ) -> Vec<K> {
        let mut args = vec!["get", kind, "-n", namespace, "-o", "json"];
        if let Some(selector) = selector {
            args.extend(["-l", selector]);
        }
        let out = self.kubectl_ok(&args);
        serde_json::from_str::<Items<K>>(&out)
            .expect("a list")
            .items
    }
}

/// The pods of `namespace` whose real Cassandra JVMs run on this machine, one entry per JVM,
/// sorted (the local control plane marks each JVM with `-Dcasctl.pod=<namespace>/<pod>/<uid>`).
#[allow(dead_code)]
pub fn cassandra_jvms(namespace: &str) -> Vec<String> {
    let marker = format!("-Dcasctl.pod={namespace}/");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let main = args
            .iter()
            .any(|a| a == "org.apache.cassandra.service.CassandraDaemon");
        if let Some(pod) = args.iter().find_map(|a| a.strip_prefix(&marker))
            && main
        {
            found.push(pod.split('/').next().unwrap_or("").to_string());
        }
    }
    found.sort();
    found
}

/// The zone (`topology.kubernetes.io/zone`) of each node of the local control plane, by name.
#[allow(dead_code)]
pub fn node_zones() -> std::collections::BTreeMap<String, String> {
    let list: serde_json::Value =
        serde_json::from_str(&cluster().kubectl_ok(&["get", "nodes", "-o", "json"])).unwrap();
    let nodes: Vec<k8s_openapi::api::core::v1::Node> =
        serde_json::from_value(list["items"].clone()).unwrap();
    nodes
        .into_iter()
        .filter_map(|n| {
            let zone = n
                .metadata
                .labels?
                .get("topology.kubernetes.io/zone")?
                .clone();
            Some((n.metadata.name?, zone))
        })
        .collect()
}

/// Typed reads of single pods and cluster-wide objects, and the API server's clock.
#[allow(dead_code)]
impl Cluster {
    /// The pod `name`; `None` when it does not exist.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<k8s_openapi::api::core::v1::Pod> {
        self.get(namespace, &format!("pod/{name}"))
    }

    /// One cluster-scoped object (`pv/NAME`, `storageclass/fast`); `None` when it does not
    /// exist.
    pub fn get_cluster_scoped<K: serde::de::DeserializeOwned>(&self, what: &str) -> Option<K> {
        let out = self.kubectl(&["get", what, "-o", "json"]);
        if !out.status.success() {
            return None;
        }
        Some(serde_json::from_slice(&out.stdout).expect("kubectl printed an object"))
    }

    /// Every object of a cluster-scoped kind (`nodes`, `pv`), typed.
    pub fn list_cluster_scoped<K: serde::de::DeserializeOwned>(&self, kind: &str) -> Vec<K> {
        let out = self.kubectl_ok(&["get", kind, "-o", "json"]);
        serde_json::from_str::<Items<K>>(&out)
            .expect("a list")
            .items
    }

    /// The API server's clock, to the second: the creation time of a new ConfigMap in the
    /// namespace. To compare with the times the server stamps on objects (a deletion's end of
    /// grace, a condition's transition), so that tests assert on the order of what happened
    /// rather than on this machine's clock.
    pub fn server_now(&self, namespace: &str) -> Timestamp {
        let manifest =
            r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "now-"}}"#;
        let mut child = self
            .kubectl_command(&["create", "-n", namespace, "-f", "-", "-o", "json"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot run kubectl");
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), manifest.as_bytes())
            .expect("cannot write to kubectl");
        let out = child.wait_with_output().expect("kubectl create");
        assert!(
            out.status.success(),
            "kubectl create configmap failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let marker: k8s_openapi::api::core::v1::ConfigMap =
            serde_json::from_slice(&out.stdout).expect("kubectl printed the ConfigMap");
        marker
            .metadata
            .creation_timestamp
            .expect("a created object has a creation time")
            .0
    }

    /// The URL of the API server, as the kubeconfig's current context names it.
    pub fn api_server(&self) -> String {
        let config = kube::config::Kubeconfig::read_from(&self.kubeconfig).expect("a kubeconfig");
        let cluster = config
            .current_context
            .as_ref()
            .and_then(|name| config.contexts.iter().find(|c| &c.name == name))
            .and_then(|c| c.context.as_ref())
            .map(|c| c.cluster.clone());
        config
            .clusters
            .iter()
            .find(|c| cluster.as_ref().is_none_or(|name| &c.name == name))
            .and_then(|c| c.cluster.as_ref()?.server.clone())
            .expect("the kubeconfig names its API server")
    }

    /// A kubeconfig at `path` for the same API server with another user: a bearer `token`
    /// (that of a service account, or a made-up one), in context `context`, namespace
    /// `namespace`.
    pub fn token_kubeconfig(&self, path: &Path, context: &str, namespace: &str, token: &str) {
        let server = self.api_server();
        let token = token.trim();
        let text = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: {context}\nclusters:\n- name: local\n  \
             cluster:\n    server: {server}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: \
             {context}\n  context:\n    cluster: local\n    user: {context}\n    namespace: \
             {namespace}\nusers:\n- name: {context}\n  user:\n    token: {token}\n"
        );
        std::fs::write(path, text).expect("write the kubeconfig");
    }
}

/// Whether the pod's `Ready` condition is `True`.
#[allow(dead_code)]
pub fn is_ready(pod: &k8s_openapi::api::core::v1::Pod) -> bool {
    ready_condition(pod).is_some_and(|c| c.status == "True")
}

/// When the pod's `Ready` condition last changed (for a Ready pod: when it became Ready).
#[allow(dead_code)]
pub fn ready_since(pod: &k8s_openapi::api::core::v1::Pod) -> Option<Timestamp> {
    Some(ready_condition(pod)?.last_transition_time.as_ref()?.0)
}

/// When the pod was created.
#[allow(dead_code)]
pub fn created_at(pod: &k8s_openapi::api::core::v1::Pod) -> Timestamp {
    pod.metadata
        .creation_timestamp
        .as_ref()
        .expect("a created pod has a creation time")
        .0
}

fn ready_condition(
    pod: &k8s_openapi::api::core::v1::Pod,
) -> Option<&k8s_openapi::api::core::v1::PodCondition> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")
}
