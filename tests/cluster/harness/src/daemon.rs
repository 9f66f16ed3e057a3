//! The daemon: one process that watches the cluster and plays the parts of the control plane
//! that kwok does not (see tests/cluster/README.md):
//!
//! * the registrar: every pod gets a kwok `Exec` object, so that `kubectl exec … -- nodetool`
//!   runs the nodetool front knowing its pod, and the annotations kwok's Stages wait for;
//! * the simulated rings, their state kept under `$CASCTL_CLUSTER_HOME/ring`;
//! * the real rings: one Cassandra JVM per pod of a real namespace (`crate::real`);
//! * the recycler: a Released volume is wiped and made Available again;
//! * the server of the nodetool front, on a unix socket.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures::TryStreamExt;
use k8s_openapi::api::core::v1::{Namespace, PersistentVolume, PersistentVolumeClaim, Pod};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Resource, ResourceExt};
use serde_json::json;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

use crate::pods::{PodView, annotation};
use crate::sim::Ring;
use crate::{duration, real};

/// The field manager of everything the daemon writes.
pub const MANAGER: &str = "casctl-local-cluster";

/// Namespace labels.
pub mod label {
    /// `real` or `simulated`: which ring the namespace's pods get.
    pub const RING: &str = "casctl.test/ring";
    /// `3`: a simulated decommission refuses to go below a keyspace's replication factor, as
    /// Cassandra does (system_distributed has RF 3).
    pub const SYSTEM_DISTRIBUTED_RF: &str = "casctl.test/system-distributed-rf";
}

/// The daemon's settings, from its environment (set by tests/local-cluster).
#[derive(Debug, Clone)]
pub struct Settings {
    pub home: PathBuf,
    pub decommission_delay: Duration,
    pub recycle_delay: Duration,
    /// Every namespace is real unless labelled otherwise (`CASCTL_CLUSTER_RING=real`).
    pub real_by_default: bool,
    /// Cassandra's runtime jars (`lib/`), when installed.
    pub cassandra: Option<PathBuf>,
    pub java: PathBuf,
    pub restart_backoff: Duration,
}

fn env_duration(name: &str, default: &str) -> Result<Duration> {
    let text = std::env::var(name).unwrap_or_else(|_| default.to_string());
    duration::parse(&text).with_context(|| format!("{name}={text} is not a duration"))
}

impl Settings {
    pub fn from_env() -> Result<Self> {
        let home = std::env::var_os("CASCTL_CLUSTER_HOME")
            .map(PathBuf::from)
            .context("CASCTL_CLUSTER_HOME is not set")?;
        let real_by_default = match std::env::var("CASCTL_CLUSTER_RING").as_deref() {
            Ok("real") => true,
            Ok("simulated") | Ok("") | Err(_) => false,
            Ok(other) => bail!("CASCTL_CLUSTER_RING={other}: expected real or simulated"),
        };
        let cassandra = std::env::var_os("CASCTL_CLUSTER_CASSANDRA")
            .map(PathBuf::from)
            .filter(|p| p.join("lib").is_dir());
        Ok(Settings {
            home,
            decommission_delay: env_duration("CASCTL_CLUSTER_DECOMMISSION_DELAY", "1s")?,
            recycle_delay: env_duration("CASCTL_CLUSTER_RECYCLE_DELAY", "5s")?,
            real_by_default,
            cassandra,
            java: find_java(),
            restart_backoff: env_duration("CASCTL_CLUSTER_RESTART_BACKOFF", "10s")?,
        })
    }
}

/// `java` on PATH, resolved (the nodetool front runs it with an absolute path).
fn find_java() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("java"))
        .find(|p| p.is_file())
        .and_then(|p| p.canonicalize().ok())
        .unwrap_or_else(|| PathBuf::from("java"))
}

/// Log lines of the daemon (its stderr goes to `logs/daemon.log`).
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {
        eprintln!("{} {}", $crate::daemon::now(), format!($($arg)*))
    };
}

/// Now, as Kubernetes writes times.
pub fn now() -> String {
    k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

pub struct Daemon {
    pub client: Client,
    pub settings: Settings,
    pub pods: Store<Pod>,
    pub namespaces: Store<Namespace>,
    pub claims: Store<PersistentVolumeClaim>,
    pub volumes: Store<PersistentVolume>,
    /// Simulated rings by (namespace, StatefulSet).
    pub rings: Mutex<HashMap<(String, String), Ring>>,
    /// UIDs of the pods registered for exec.
    registered: Mutex<HashSet<String>>,
    /// The runner of each real pod, by UID, fed with the pod's updates (None: it is gone).
    runners: Mutex<HashMap<String, watch::Sender<Option<Arc<Pod>>>>>,
    pub nodetool: real::jvm::NodetoolRuntime,
}

/// A lock that a panic elsewhere must not make unusable.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn kwok_resource(kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("kwok.x-k8s.io", "v1alpha1", kind),
        plural,
    )
}

/// A reflector of every object of a kind, kept up to date in the background; `handle` sees
/// each event after the store has.
fn reflect<K, F>(api: Api<K>, handle: F) -> Store<K>
where
    K: Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + Sync + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone,
    F: Fn(watcher::Event<K>) + Send + 'static,
{
    let (store, writer) = reflector::store();
    let stream = watcher(api, watcher::Config::default())
        .default_backoff()
        .reflect(writer);
    tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        loop {
            match stream.try_next().await {
                Ok(Some(event)) => handle(event),
                Ok(None) => break,
                Err(e) => log!("watch: {e}"),
            }
        }
    });
    store
}

/// A watch handler that passes the events `decode` keeps to the daemon's loop.
fn send<K>(
    decode: fn(watcher::Event<K>) -> Option<Event>,
    tx: &UnboundedSender<Event>,
) -> impl Fn(watcher::Event<K>) + Send + 'static
where
    K: Send + 'static,
{
    let tx = tx.clone();
    move |e| {
        if let Some(event) = decode(e) {
            let _ = tx.send(event);
        }
    }
}

/// Runs the daemon until SIGTERM or SIGINT. The JVMs it started keep running: a daemon
/// started again adopts them; `tests/local-cluster down` stops them.
pub async fn run() -> Result<()> {
    let settings = Settings::from_env()?;
    let client = Client::try_default()
        .await
        .context("no cluster (KUBECONFIG)")?;
    std::fs::create_dir_all(settings.home.join("ring"))?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let namespaces = reflect(
        Api::<Namespace>::all(client.clone()),
        send(Event::namespace, &tx),
    );
    let claims = reflect(Api::<PersistentVolumeClaim>::all(client.clone()), |_| {});
    let volumes = reflect(
        Api::<PersistentVolume>::all(client.clone()),
        send(Event::volume, &tx),
    );
    for (what, ready) in [
        ("namespaces", namespaces.wait_until_ready().await.is_ok()),
        ("claims", claims.wait_until_ready().await.is_ok()),
        ("volumes", volumes.wait_until_ready().await.is_ok()),
    ] {
        if !ready {
            bail!("cannot watch {what}");
        }
    }
    let pods = reflect(Api::<Pod>::all(client.clone()), send(Event::pod, &tx));
    let nodetool = real::jvm::NodetoolRuntime::new(&settings)?;
    let daemon = Arc::new(Daemon {
        client,
        pods,
        namespaces,
        claims,
        volumes,
        rings: Mutex::new(load_rings(&settings.home)),
        registered: Mutex::new(HashSet::new()),
        runners: Mutex::new(HashMap::new()),
        nodetool,
        settings,
    });
    log!(
        "started (real rings: {}, Cassandra: {})",
        if daemon.settings.real_by_default {
            "every namespace unless labelled simulated"
        } else {
            "namespaces labelled real"
        },
        daemon
            .settings
            .cassandra
            .as_deref()
            .map_or("not installed".into(), |p| p.display().to_string())
    );
    crate::server::spawn(daemon.clone())?;
    let mut recycler = crate::recycler::Recycler::default();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    loop {
        tokio::select! {
            event = rx.recv() => match event {
                Some(Event::Pod(pod)) => daemon.on_pod(pod),
                Some(Event::PodGone(pod)) => daemon.on_pod_gone(&pod),
                Some(Event::PodsListed) => daemon.on_pods_listed(),
                Some(Event::NamespaceGone(ns)) => daemon.forget_namespace(&ns),
                Some(Event::NamespacesListed) => daemon.forget_missing_namespaces(),
                Some(Event::Volume(pv)) => recycler.on_volume(&daemon, &pv),
                None => bail!("the watches ended"),
            },
            _ = terminate.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    log!("stopping (the JVMs keep running)");
    Ok(())
}

/// What the watches report to the daemon's loop.
enum Event {
    Pod(Arc<Pod>),
    PodGone(Box<Pod>),
    PodsListed,
    NamespaceGone(String),
    NamespacesListed,
    Volume(Box<PersistentVolume>),
}

impl Event {
    fn pod(e: watcher::Event<Pod>) -> Option<Event> {
        match e {
            watcher::Event::Apply(p) | watcher::Event::InitApply(p) => {
                Some(Event::Pod(Arc::new(p)))
            }
            watcher::Event::Delete(p) => Some(Event::PodGone(Box::new(p))),
            watcher::Event::InitDone => Some(Event::PodsListed),
            watcher::Event::Init => None,
        }
    }

    fn namespace(e: watcher::Event<Namespace>) -> Option<Event> {
        match e {
            watcher::Event::Delete(ns) => Some(Event::NamespaceGone(ns.name_any())),
            watcher::Event::InitDone => Some(Event::NamespacesListed),
            _ => None,
        }
    }

    fn volume(e: watcher::Event<PersistentVolume>) -> Option<Event> {
        match e {
            watcher::Event::Apply(pv) | watcher::Event::InitApply(pv) => {
                Some(Event::Volume(Box::new(pv)))
            }
            _ => None,
        }
    }
}

fn ring_path(home: &Path, namespace: &str, set: &str) -> PathBuf {
    home.join("ring")
        .join(namespace)
        .join(format!("{set}.json"))
}

/// The simulated rings saved by an earlier daemon.
fn load_rings(home: &Path) -> HashMap<(String, String), Ring> {
    let mut rings = HashMap::new();
    let Ok(namespaces) = std::fs::read_dir(home.join("ring")) else {
        return rings;
    };
    for ns in namespaces.flatten() {
        let Ok(sets) = std::fs::read_dir(ns.path()) else {
            continue;
        };
        for file in sets.flatten() {
            let path = file.path();
            let (Some(set), Some("json")) = (
                path.file_stem().and_then(|s| s.to_str()),
                path.extension().and_then(|s| s.to_str()),
            ) else {
                continue;
            };
            let ring: Option<Ring> = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            if let Some(mut ring) = ring {
                let namespace = ns.file_name().to_string_lossy().into_owned();
                if ring.finish_interrupted_decommissions() {
                    save_ring(home, &namespace, set, &ring);
                }
                rings.insert((namespace, set.to_string()), ring);
            }
        }
    }
    rings
}

/// Saves a ring (write and rename: a reader never sees half a file).
pub fn save_ring(home: &Path, namespace: &str, set: &str, ring: &Ring) {
    let path = ring_path(home, namespace, set);
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(ring)?)?;
        std::fs::rename(&tmp, &path)
    };
    if let Err(e) = write() {
        log!("cannot save the ring {namespace}/{set}: {e}");
    }
}

impl Daemon {
    fn on_pod(self: &Arc<Self>, pod: Arc<Pod>) {
        let view = PodView::from_pod(&pod);
        if !view.deleting && !lock(&self.registered).contains(&view.uid) {
            lock(&self.registered).insert(view.uid.clone());
            tokio::spawn(self.clone().register(pod.clone()));
        }
        if pod.annotations().get(annotation::RING).map(String::as_str) == Some("real") {
            self.feed_runner(&view.uid, Some(pod));
        } else if view.is_up() {
            self.observe(&view);
        }
    }

    fn on_pod_gone(self: &Arc<Self>, pod: &Pod) {
        let uid = pod.uid().unwrap_or_default();
        lock(&self.registered).remove(&uid);
        self.feed_runner(&uid, None);
    }

    /// After a (re)list: the runners of pods that no longer exist stop their JVMs.
    fn on_pods_listed(self: &Arc<Self>) {
        let live: HashSet<String> = self.pods.state().iter().filter_map(|p| p.uid()).collect();
        let gone: Vec<String> = lock(&self.runners)
            .keys()
            .filter(|uid| !live.contains(*uid))
            .cloned()
            .collect();
        for uid in gone {
            self.feed_runner(&uid, None);
        }
    }

    /// Passes a real pod's update to its runner, starting one for a new pod. A runner that
    /// has finished (it removed its pod) keeps its entry until the pod is gone, so that the
    /// pod's last updates do not start another.
    fn feed_runner(self: &Arc<Self>, uid: &str, pod: Option<Arc<Pod>>) {
        let mut runners = lock(&self.runners);
        match (runners.get(uid), pod) {
            (Some(tx), None) => {
                let _ = tx.send(None);
                runners.remove(uid);
            }
            (Some(tx), Some(pod)) => {
                let _ = tx.send(Some(pod));
            }
            (None, Some(pod)) => {
                let (tx, rx) = watch::channel(Some(pod));
                runners.insert(uid.to_string(), tx);
                tokio::spawn(real::node::run(self.clone(), rx));
            }
            (None, None) => {}
        }
    }

    /// Records a live pod of a simulated ring (so that a node that disappears between two
    /// `nodetool status` calls is still shown, as `DN`).
    pub fn observe(&self, view: &PodView) {
        let claim_uid = self.claim_uid(view);
        let set = view.ring_name();
        let key = (view.namespace.clone(), set.clone());
        let mut rings = lock(&self.rings);
        let ring = rings.entry(key).or_default();
        if ring.observe(view, claim_uid.as_deref(), &mut new_host_id) {
            save_ring(&self.settings.home, &view.namespace, &set, ring);
        }
    }

    pub fn claim_uid(&self, view: &PodView) -> Option<String> {
        let claim = view.claim.as_ref()?;
        self.claims
            .get(&ObjectRef::new(claim).within(&view.namespace))
            .and_then(|c| c.uid())
    }

    /// A namespace is gone: so are its rings (one created again under the same name is a new
    /// cluster).
    fn forget_namespace(&self, namespace: &str) {
        lock(&self.rings).retain(|(ns, _), _| ns != namespace);
        let _ = std::fs::remove_dir_all(self.settings.home.join("ring").join(namespace));
    }

    fn forget_missing_namespaces(&self) {
        let existing: HashSet<String> = self
            .namespaces
            .state()
            .iter()
            .map(|n| n.name_any())
            .collect();
        let Ok(dirs) = std::fs::read_dir(self.settings.home.join("ring")) else {
            return;
        };
        for dir in dirs.flatten() {
            let ns = dir.file_name().to_string_lossy().into_owned();
            if !existing.contains(&ns) {
                self.forget_namespace(&ns);
            }
        }
    }

    pub fn namespace_label(&self, namespace: &str, label: &str) -> Option<String> {
        self.namespaces
            .get(&ObjectRef::new(namespace))
            .and_then(|ns| ns.labels().get(label).cloned())
    }

    /// Whether a pod gets a real Cassandra JVM: its namespace is real (by label, or by the
    /// cluster's default) and its first container runs a Cassandra image.
    fn is_real(&self, pod: &Pod) -> bool {
        let namespace = pod.namespace().unwrap_or_default();
        let real_namespace = match self.namespace_label(&namespace, label::RING).as_deref() {
            Some("real") => true,
            Some("simulated") => false,
            _ => self.settings.real_by_default,
        };
        let cassandra_image = pod
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .and_then(|c| c.image.as_ref())
            .is_some_and(|image| image.contains("cassandra"));
        real_namespace && cassandra_image
    }

    /// Gives the pod its `Exec` object, then annotates it: registered for exec, and which ring.
    async fn register(self: Arc<Self>, pod: Arc<Pod>) {
        let (namespace, name) = (pod.namespace().unwrap_or_default(), pod.name_any());
        let ring = if self.is_real(&pod) {
            "real"
        } else {
            "simulated"
        };
        if let Err(e) = self
            .register_exec(&pod)
            .await
            .and(self.annotate(&pod, ring).await)
        {
            // A pod being deleted, or in a namespace being deleted, needs no registration.
            let message = format!("{e:#}");
            let gone = message.contains("not found") || message.contains("terminat");
            if !gone {
                log!("cannot register {namespace}/{name}: {e:#}");
                lock(&self.registered).remove(&pod.uid().unwrap_or_default());
            }
        }
    }

    async fn register_exec(&self, pod: &Pod) -> Result<()> {
        let (namespace, name) = (pod.namespace().unwrap_or_default(), pod.name_any());
        let api: Api<DynamicObject> = Api::namespaced_with(
            self.client.clone(),
            &namespace,
            &kwok_resource("Exec", "execs"),
        );
        let env = |k: &str, v: &str| json!({"name": k, "value": v});
        let object = json!({
            "apiVersion": "kwok.x-k8s.io/v1alpha1",
            "kind": "Exec",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": {"app.kubernetes.io/managed-by": MANAGER},
                "ownerReferences": [owner(pod)],
            },
            "spec": {"execs": [{"local": {"envs": [
                env("POD_NAME", &name),
                env("POD_NAMESPACE", &namespace),
                env("CASCTL_CLUSTER_HOME", &self.settings.home.to_string_lossy()),
                env("PATH", "/usr/local/bin:/usr/bin:/bin"),
            ]}}]},
        });
        api.patch(
            &name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(object),
        )
        .await
        .context("applying its Exec object")?;
        Ok(())
    }

    async fn annotate(&self, pod: &Pod, ring: &str) -> Result<()> {
        let (namespace, name) = (pod.namespace().unwrap_or_default(), pod.name_any());
        let api: Api<Pod> = Api::namespaced(self.client.clone(), &namespace);
        let patch = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "uid": pod.uid(),
                "annotations": {annotation::EXEC: "registered", annotation::RING: ring},
            },
        });
        api.patch(
            &name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(patch),
        )
        .await
        .context("annotating it")?;
        Ok(())
    }

    /// The `Logs` object that serves a real pod's container log (`kubectl logs [--previous]`).
    pub async fn apply_logs(
        &self,
        pod: &Pod,
        container: &str,
        current: &Path,
        previous: Option<&Path>,
    ) -> Result<()> {
        let (namespace, name) = (pod.namespace().unwrap_or_default(), pod.name_any());
        let api: Api<DynamicObject> = Api::namespaced_with(
            self.client.clone(),
            &namespace,
            &kwok_resource("Logs", "logs"),
        );
        let mut log = json!({"containers": [container], "logsFile": current});
        if let Some(previous) = previous {
            log["previousLogsFile"] = json!(previous);
        }
        let object = json!({
            "apiVersion": "kwok.x-k8s.io/v1alpha1",
            "kind": "Logs",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": {"app.kubernetes.io/managed-by": MANAGER},
                "ownerReferences": [owner(pod)],
            },
            "spec": {"logs": [log]},
        });
        api.patch(
            &name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(object),
        )
        .await
        .context("applying its Logs object")?;
        Ok(())
    }
}

/// An owner reference to a pod: what the daemon makes for it goes with it.
fn owner(pod: &Pod) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "Pod", "name": pod.name_any(), "uid": pod.uid()})
}

/// A random UUID (version 4), from the kernel.
pub fn new_host_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/uuid")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            format!(
                "{:08x}-0000-4000-8000-{:012x}",
                nanos >> 64,
                nanos & 0xffff_ffff_ffff
            )
        })
}

/// Whether a simulated decommission in this namespace refuses to go below a keyspace's
/// replication factor.
pub fn enforces_replication(daemon: &Daemon, namespace: &str) -> bool {
    daemon
        .namespace_label(namespace, label::SYSTEM_DISTRIBUTED_RF)
        .as_deref()
        == Some("3")
}
