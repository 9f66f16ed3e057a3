//! The runner of one real pod: its Cassandra JVM's life as a kubelet would run the container.
//!
//! * It starts when the pod has an IP (kwok's start Stage gives it one), configured from the
//!   pod; its data lives on the pod's volume.
//! * Ready only while the node's own row of its own `nodetool status` is `UN` (the tutorial's
//!   ready-probe.sh): the log says when the node has started (confirmed by one nodetool call) and
//!   when it stops being normal (leaving, drained, …).
//! * A JVM that exits by itself is restarted with the kubelet's back-off, its restart counted,
//!   the previous output kept as the previous container log.
//! * `casctl.test/fault: kill|stop` keeps the JVM down (killed, or drained and stopped) while the
//!   pod stays Running; removing the annotation starts it again.
//! * Deletion: `nodetool drain` (the preStop hook), SIGTERM, SIGKILL at the end of the grace
//!   period; the pod object goes only once the JVM has exited (so kwok never hands its IP to
//!   another pod while it is held).

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams, Preconditions};
use kube::runtime::reflector::ObjectRef;
use tokio::sync::watch;
use tokio::time::Instant;

use super::backoff::BackOff;
use super::config::{self, Paths};
use super::jvm::{self, Jvm, LogFollower};
use super::logstate::Transition;
use super::seeds::{self, Record};
use super::status::{self, Report, State, Terminated};
use crate::daemon::{Daemon, now};
use crate::duration;
use crate::log;
use crate::pods::{PodView, annotation};

type Confirm = Pin<Box<dyn Future<Output = bool> + Send>>;

/// How a JVM that is down came to be down.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Down {
    /// Not started yet (no IP, volume not found, …).
    NotStarted,
    /// Exited on its own: waiting for the restart (back-off).
    Crashed,
    /// Held down by a fault annotation.
    Fault,
}

struct Runner {
    d: Arc<Daemon>,
    namespace: String,
    name: String,
    uid: String,
    /// `<namespace>/<name>/<uid>`: the JVM's marker.
    key: String,
    dir: PathBuf,
    container: String,
    restart_count: i32,
    backoff: BackOff,
    jvm: Option<Jvm>,
    down: Down,
    follower: Option<LogFollower>,
    logs_for: Option<i32>,
    started_at: String,
    ready: bool,
    /// Why the container is waiting, when it is.
    waiting: Option<(String, String)>,
    last: Option<Terminated>,
    restart_at: Option<Instant>,
    confirm: Option<Confirm>,
    confirm_at: Option<Instant>,
    reported: Option<Report>,
}

enum Wake {
    Pod,
    PodChannelClosed,
    Exited(i32),
    Confirmed(bool),
    ConfirmDue,
    RestartDue,
    Tick,
}

/// Runs a real pod until it is gone.
pub async fn run(d: Arc<Daemon>, mut rx: watch::Receiver<Option<Arc<Pod>>>) {
    let Some(first) = rx.borrow_and_update().clone() else {
        return;
    };
    let mut runner = Runner::new(d, &first);
    runner.adopt(&first);
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        let current = rx.borrow_and_update().clone();
        let Some(pod) = current else {
            runner.stop_for_good(Duration::from_secs(10)).await;
            runner.cleanup();
            return;
        };
        if pod.metadata.deletion_timestamp.is_some() {
            runner.terminate(&pod).await;
            return;
        }
        runner.converge(&pod).await;
        runner.report(&pod).await;
        match runner.wait(&mut rx, &mut tick).await {
            Wake::Pod | Wake::Tick => runner.pump(),
            Wake::PodChannelClosed => {
                // The daemon is shutting the runner down; the JVM keeps running.
                return;
            }
            Wake::Exited(code) => runner.on_exit(&pod, code),
            Wake::Confirmed(up) => runner.on_confirmed(up),
            Wake::ConfirmDue => runner.confirm_readiness(&pod),
            Wake::RestartDue => {
                runner.restart_at = None;
                if runner.down == Down::Crashed {
                    runner.restart_count += 1;
                    runner.waiting = None;
                }
            }
        }
    }
}

fn pod_ip(pod: &Pod) -> Option<String> {
    pod.status
        .as_ref()
        .and_then(|s| s.pod_ip.clone())
        .filter(|ip| !ip.is_empty())
}

/// Whether `ip`'s own row of a `nodetool status` output is `UN` (ready-probe.sh).
pub fn own_row_is_up(status: &str, ip: &str) -> bool {
    status.lines().any(|l| {
        let mut words = l.split_whitespace();
        words.next() == Some("UN") && words.next() == Some(ip)
    })
}

impl Runner {
    fn new(d: Arc<Daemon>, pod: &Pod) -> Self {
        let namespace = pod.namespace().unwrap_or_default();
        let name = pod.name_any();
        let uid = pod.uid().unwrap_or_default();
        let dir = d.settings.home.join("pods").join(&namespace).join(&uid);
        let container = pod
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .map_or_else(|| "cassandra".to_string(), |c| c.name.clone());
        let restart_count = pod
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .and_then(|cs| cs.first())
            .map_or(0, |c| c.restart_count);
        let backoff = BackOff::new(d.settings.restart_backoff, Duration::from_secs(300));
        Runner {
            key: format!("{namespace}/{name}/{uid}"),
            d,
            namespace,
            name,
            uid,
            dir,
            container,
            restart_count,
            backoff,
            jvm: None,
            down: Down::NotStarted,
            follower: None,
            logs_for: None,
            started_at: now(),
            ready: false,
            waiting: None,
            last: None,
            restart_at: None,
            confirm: None,
            confirm_at: None,
            reported: None,
        }
    }

    fn file(&self, extension: &str) -> PathBuf {
        self.dir.join(format!(
            "{}-{}.{extension}",
            self.container, self.restart_count
        ))
    }

    /// Takes over the JVM that an earlier daemon started for this pod, if it still runs.
    fn adopt(&mut self, pod: &Pod) {
        let Some((jvm, instance)) = jvm::adopt(&self.dir.join("jvm.pid"), &self.key) else {
            return;
        };
        log!("{}: found its JVM running (pid {})", self.key, jvm.pid());
        self.restart_count = instance as i32;
        self.jvm = Some(jvm);
        self.logs_for = Some(self.restart_count);
        self.follower = Some(LogFollower::new(self.file("raw"), self.file("log")));
        self.ready = PodView::from_pod(pod).ready;
        if let Some(started) = pod
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .and_then(|cs| cs.first())
            .and_then(|c| c.state.as_ref())
            .and_then(|s| s.running.as_ref())
            .and_then(|r| r.started_at.as_ref())
            .and_then(|t| serde_json::to_value(t).ok())
            .and_then(|v| v.as_str().map(str::to_string))
        {
            self.started_at = started;
        }
        self.confirm_at = Some(Instant::now());
    }

    async fn wait(
        &mut self,
        rx: &mut watch::Receiver<Option<Arc<Pod>>>,
        tick: &mut tokio::time::Interval,
    ) -> Wake {
        let jvm = &mut self.jvm;
        let confirm = &mut self.confirm;
        let (restart_at, confirm_at) = (self.restart_at, self.confirm_at);
        tokio::select! {
            changed = rx.changed() => if changed.is_ok() || rx.borrow().is_none() { Wake::Pod } else { Wake::PodChannelClosed },
            code = async { match jvm { Some(j) => j.wait().await, None => std::future::pending().await } } => Wake::Exited(code),
            up = async { match confirm { Some(f) => f.as_mut().await, None => std::future::pending().await } } => Wake::Confirmed(up),
            _ = async { match confirm_at { Some(t) => tokio::time::sleep_until(t).await, None => std::future::pending().await } } => Wake::ConfirmDue,
            _ = async { match restart_at { Some(t) => tokio::time::sleep_until(t).await, None => std::future::pending().await } } => Wake::RestartDue,
            _ = tick.tick() => Wake::Tick,
        }
    }

    /// Reads the new output of the JVM and acts on the node's transitions.
    fn pump(&mut self) {
        let Some(follower) = &mut self.follower else {
            return;
        };
        for transition in follower.pump(false) {
            match transition {
                Transition::Started => self.confirm_at = Some(Instant::now()),
                Transition::NotNormal => {
                    self.ready = false;
                    self.confirm = None;
                    self.confirm_at = None;
                }
            }
        }
    }

    fn confirm_readiness(&mut self, pod: &Pod) {
        self.confirm_at = None;
        let (Some(ip), true) = (pod_ip(pod), self.jvm.is_some()) else {
            return;
        };
        let d = self.d.clone();
        let key = self.key.clone();
        self.confirm = Some(Box::pin(async move {
            match d
                .nodetool
                .run(&ip, &["status"], Duration::from_secs(60))
                .await
            {
                Some(out) if own_row_is_up(&out.stdout, &ip) => true,
                Some(out) => {
                    let said = format!("{}{}", out.stdout, out.stderr);
                    let first = said.lines().next().unwrap_or_default().to_string();
                    log!("{key}: not UN yet (nodetool status: {}: {first})", out.code);
                    false
                }
                None => {
                    log!("{key}: nodetool status did not answer");
                    false
                }
            }
        }));
    }

    fn on_confirmed(&mut self, up: bool) {
        self.confirm = None;
        if self.jvm.is_none() {
            return;
        }
        self.ready = up;
        if !up {
            // Not UN yet (joining, or the ring has not seen it): ask again, as the probe would.
            self.confirm_at = Some(Instant::now() + Duration::from_secs(3));
        }
    }

    /// Starts or stops the JVM as the pod's IP and fault annotation require.
    async fn converge(&mut self, pod: &Pod) {
        let fault = pod.annotations().get(annotation::FAULT).cloned();
        match (fault.as_deref(), self.jvm.is_some()) {
            (Some("kill"), true) => {
                log!("{}: fault kill: SIGKILL", self.key);
                self.kill().await;
                self.hold_down();
            }
            (Some("stop"), true) => {
                log!("{}: fault stop: drain, SIGTERM", self.key);
                self.stop(pod, Instant::now() + Duration::from_secs(60), true)
                    .await;
                self.hold_down();
            }
            (Some(_), false) if self.down == Down::Crashed => self.hold_down(),
            (None, false) if self.restart_at.is_none() => self.start(pod).await,
            _ => {}
        }
    }

    fn hold_down(&mut self) {
        self.down = Down::Fault;
        self.ready = false;
        self.restart_at = None;
        self.waiting = None;
        self.confirm = None;
        self.confirm_at = None;
    }

    async fn start(&mut self, pod: &Pod) {
        let Some(ip) = pod_ip(pod) else {
            return;
        };
        match self.launch(pod, &ip) {
            Ok(jvm) => {
                log!("{}: started its JVM (pid {}) on {ip}", self.key, jvm.pid());
                self.jvm = Some(jvm);
                self.down = Down::NotStarted;
                self.started_at = now();
                self.waiting = None;
                self.ready = false;
            }
            Err(e) => {
                log!("{}: cannot start: {e:#}", self.key);
                self.waiting = Some(("ContainerCreating".into(), format!("{e:#}")));
                self.restart_at = Some(Instant::now() + Duration::from_secs(2));
                return;
            }
        }
        if self.logs_for != Some(self.restart_count) {
            let previous = (self.restart_count > 0).then(|| {
                self.dir
                    .join(format!("{}-{}.log", self.container, self.restart_count - 1))
            });
            let current = self.file("log");
            match self
                .d
                .apply_logs(pod, &self.container, &current, previous.as_deref())
                .await
            {
                Ok(()) => self.logs_for = Some(self.restart_count),
                Err(e) => log!("{}: {e:#}", self.key),
            }
        }
    }

    /// Writes the node's configuration and starts its JVM.
    fn launch(&mut self, pod: &Pod, ip: &str) -> anyhow::Result<Jvm> {
        let lib = self
            .d
            .nodetool
            .lib()
            .ok_or_else(|| {
                anyhow::anyhow!("Cassandra is not installed (tests/local-cluster up installs it)")
            })?
            .to_path_buf();
        let view = PodView::from_pod(pod);
        let data = self.data_dir(&view)?;
        let conf = self.dir.join("conf");
        std::fs::create_dir_all(&conf)?;
        std::fs::create_dir_all(&data)?;
        let seeds_text = view.env_or("CASSANDRA_SEEDS", ip);
        let (seeds, missing) = seeds::resolve(&seeds_text, &self.namespace, &self.dns_records());
        let node = config::Node::from_pod(&view, ip, seeds.clone());
        std::fs::write(
            conf.join("cassandra.yaml"),
            config::cassandra_yaml(&node, &data),
        )?;
        match config::rackdc(&node) {
            Some(props) => std::fs::write(conf.join("cassandra-rackdc.properties"), props)?,
            None => {
                let _ = std::fs::remove_file(conf.join("cassandra-rackdc.properties"));
            }
        }
        std::fs::write(conf.join("logback.xml"), config::LOGBACK)?;
        let raw = self.file("raw");
        // What the image's run.sh prints before it starts Cassandra.
        let mut preamble = format!(
            "Starting Cassandra on {ip}\nCASSANDRA_SEEDS {seeds_text}\nseeds resolved: {}\n",
            seeds.join(",")
        );
        for name in &missing {
            preamble.push_str(&format!("seed {name}: no such pod (name not found)\n"));
        }
        append(&raw, &preamble)?;
        let paths = Paths {
            conf: &conf,
            data: &data,
            lib: &lib,
        };
        let args = config::server_args(&node, &paths, &self.key, view.decommission_delay());
        if self.follower.is_none() || self.logs_for != Some(self.restart_count) {
            self.follower = Some(LogFollower::new(raw.clone(), self.file("log")));
        }
        jvm::spawn(
            self.d.nodetool.java(),
            &args,
            &raw,
            &self.dir.join("jvm.pid"),
            self.restart_count as u32,
        )
    }

    /// The node's data directory: the host path of the volume bound to the pod's claim (so the
    /// node's identity follows the claim), or the pod's own directory without a claim.
    fn data_dir(&self, view: &PodView) -> anyhow::Result<PathBuf> {
        let Some(claim) = &view.claim else {
            return Ok(self.dir.join("data"));
        };
        let pvc = self
            .d
            .claims
            .get(&ObjectRef::new(claim).within(&self.namespace))
            .ok_or_else(|| anyhow::anyhow!("claim {claim} not found"))?;
        let volume = pvc
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.clone())
            .ok_or_else(|| anyhow::anyhow!("claim {claim} is not bound"))?;
        let pv = self
            .d
            .volumes
            .get(&ObjectRef::new(&volume))
            .ok_or_else(|| anyhow::anyhow!("volume {volume} not found"))?;
        pv.spec
            .as_ref()
            .and_then(|s| s.host_path.as_ref())
            .map(|h| PathBuf::from(&h.path))
            .ok_or_else(|| anyhow::anyhow!("volume {volume} has no host path"))
    }

    /// The pods' DNS records (a StatefulSet's pods have a hostname and a subdomain).
    fn dns_records(&self) -> Vec<Record> {
        self.d
            .pods
            .state()
            .iter()
            .filter_map(|p| {
                let spec = p.spec.as_ref()?;
                Some(Record {
                    namespace: p.namespace()?,
                    hostname: spec.hostname.clone()?,
                    subdomain: spec.subdomain.clone()?,
                    ip: pod_ip(p)?,
                })
            })
            .collect()
    }

    fn on_exit(&mut self, pod: &Pod, code: i32) {
        self.jvm = None;
        self.ready = false;
        self.confirm = None;
        self.confirm_at = None;
        if let Some(f) = &mut self.follower {
            f.pump(true);
        }
        if self.down == Down::Fault {
            return;
        }
        log!("{}: its JVM exited with status {code}", self.key);
        self.last = Some(Terminated {
            exit_code: code,
            reason: status::exit_reason(code).into(),
            started_at: self.started_at.clone(),
            finished_at: now(),
        });
        self.down = Down::Crashed;
        let delay = self.backoff.delay_after_exit(std::time::Instant::now());
        self.restart_at = Some(Instant::now() + delay);
        if !delay.is_zero() {
            self.waiting = Some((
                "CrashLoopBackOff".into(),
                format!(
                    "back-off {} restarting failed container={} pod={}_{}({})",
                    duration::format(delay),
                    self.container,
                    pod.name_any(),
                    self.namespace,
                    self.uid
                ),
            ));
        }
    }

    async fn kill(&mut self) {
        if let Some(jvm) = &mut self.jvm {
            jvm.signal(libc::SIGKILL);
            jvm.wait().await;
        }
        self.after_stop();
    }

    /// `nodetool drain` (when `drain`), then SIGTERM, then SIGKILL at `deadline`.
    async fn stop(&mut self, pod: &Pod, deadline: Instant, drain: bool) {
        let Some(jvm) = &mut self.jvm else {
            return;
        };
        if let (Some(ip), true) = (pod_ip(pod), drain) {
            let budget = deadline.saturating_duration_since(Instant::now());
            if let Some(out) = self.d.nodetool.run(&ip, &["drain"], budget).await
                && out.code != 0
            {
                log!(
                    "{}: drain failed ({}): {}",
                    self.key,
                    out.code,
                    out.stdout.trim()
                );
            }
        }
        jvm.signal(libc::SIGTERM);
        if tokio::time::timeout_at(deadline, jvm.wait()).await.is_err() {
            log!(
                "{}: still running at the end of its grace period: SIGKILL",
                self.key
            );
            jvm.signal(libc::SIGKILL);
            jvm.wait().await;
        }
        self.after_stop();
    }

    fn after_stop(&mut self) {
        self.jvm = None;
        if let Some(f) = &mut self.follower {
            f.pump(true);
        }
    }

    /// The pod is gone from the API without this runner's doing (force-deleted): its JVM stops.
    async fn stop_for_good(&mut self, grace: Duration) {
        if let Some(jvm) = &mut self.jvm {
            jvm.signal(libc::SIGTERM);
            if tokio::time::timeout(grace, jvm.wait()).await.is_err() {
                jvm.signal(libc::SIGKILL);
                jvm.wait().await;
            }
        }
        self.after_stop();
    }

    /// Graceful deletion, as a kubelet does it: stop the container within the grace period
    /// (counted from now, when the deletion is seen), then remove the pod object.
    async fn terminate(&mut self, pod: &Pod) {
        let grace = pod
            .metadata
            .deletion_grace_period_seconds
            .or_else(|| {
                pod.spec
                    .as_ref()
                    .and_then(|s| s.termination_grace_period_seconds)
            })
            .unwrap_or(30)
            .max(0) as u64;
        let deadline = Instant::now() + Duration::from_secs(grace);
        if self.jvm.is_some() {
            log!(
                "{}: deleted: stopping its JVM (grace period {grace}s)",
                self.key
            );
            self.stop(pod, deadline, has_drain_hook(pod)).await;
        }
        let api: Api<Pod> = Api::namespaced(self.d.client.clone(), &self.namespace);
        let params = DeleteParams {
            grace_period_seconds: Some(0),
            preconditions: Some(Preconditions {
                uid: Some(self.uid.clone()),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        match api.delete(&self.name, &params).await {
            Ok(_) => log!("{}: gone", self.key),
            Err(kube::Error::Api(e)) if e.code == 404 || e.code == 409 => {}
            Err(e) => log!("{}: cannot remove the pod: {e}", self.key),
        }
        self.cleanup();
    }

    /// Removes the pod's files (its configuration and logs; its data is on its volume), and its
    /// namespace's directory once that is empty.
    fn cleanup(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(namespace_dir) = self.dir.parent() {
            let _ = std::fs::remove_dir(namespace_dir);
        }
    }

    /// Patches the pod's status when what it should say has changed.
    async fn report(&mut self, pod: &Pod) {
        let state = match (&self.jvm, self.down, &self.waiting) {
            (None, _, Some((reason, message))) => State::Waiting {
                reason: reason.clone(),
                message: message.clone(),
            },
            (None, Down::NotStarted, None) => return,
            _ => State::Running {
                started_at: self.started_at.clone(),
            },
        };
        let report = Report {
            state,
            ready: self.ready && self.jvm.is_some(),
            restart_count: self.restart_count,
            last: self.last.clone(),
            container_id: format!("kwok://{}-{}", self.uid, self.restart_count),
        };
        if self.reported.as_ref() == Some(&report) {
            return;
        }
        let api: Api<Pod> = Api::namespaced(self.d.client.clone(), &self.namespace);
        let patch = status::patch(pod, &report, &now());
        match api
            .patch_status(
                &self.name,
                &PatchParams::default(),
                &Patch::Strategic(patch),
            )
            .await
        {
            Ok(_) => self.reported = Some(report),
            Err(e) => {
                log!("{}: cannot update its status: {e}", self.key);
                self.reported = None;
            }
        }
    }
}

/// Whether the container's preStop hook runs `nodetool drain` (the tutorial's does).
fn has_drain_hook(pod: &Pod) -> bool {
    pod.spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.lifecycle.as_ref())
        .and_then(|l| l.pre_stop.as_ref())
        .and_then(|h| h.exec.as_ref())
        .and_then(|e| e.command.as_ref())
        .is_some_and(|cmd| cmd.join(" ").contains("nodetool drain"))
}

fn append(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_is_the_nodes_own_row() {
        let status = "Datacenter: dc\n==\n--  Address    Load\nUN  127.1.0.1  1 KiB\nUJ  127.1.0.2  1 KiB\nDN  127.1.0.3  ?\n\n";
        assert!(own_row_is_up(status, "127.1.0.1"));
        assert!(!own_row_is_up(status, "127.1.0.2"));
        assert!(!own_row_is_up(status, "127.1.0.3"));
        assert!(!own_row_is_up(status, "127.1.0.11"));
    }

    #[test]
    fn the_drain_hook_is_read_from_the_pod() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "c-0"},
            "spec": {"containers": [{"name": "c", "lifecycle": {"preStop": {"exec": {
                "command": ["/bin/sh", "-c", "nodetool drain"]}}}}]}
        }))
        .unwrap();
        assert!(has_drain_hook(&pod));
        let bare: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "c-0"}, "spec": {"containers": [{"name": "c"}]}
        }))
        .unwrap();
        assert!(!has_drain_hook(&bare));
    }
}
