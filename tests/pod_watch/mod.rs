//! Every change to the pods of a namespace as the API server told it, from a background
//! `kubectl get pods -w`: for assertions on order and on what was true at any one time,
//! never on durations.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;

use crate::common::{cluster, read, wait_until};

/// A running watch of a namespace's pods.
pub struct PodWatch {
    child: Child,
    out: PathBuf,
}

/// One watch event: `ADDED`, `MODIFIED` or `DELETED`, and the pod as it then was.
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: String,
    pub pod: Pod,
}

impl Change {
    pub fn name(&self) -> String {
        self.pod.metadata.name.clone().unwrap_or_default()
    }

    pub fn uid(&self) -> String {
        self.pod.metadata.uid.clone().unwrap_or_default()
    }

    /// Up: the pod exists, is Ready and is not being deleted.
    pub fn is_up(&self) -> bool {
        self.kind != "DELETED"
            && self.pod.metadata.deletion_timestamp.is_none()
            && self
                .pod
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
    }
}

impl PodWatch {
    /// Starts watching `ns` and returns once the first list (`listed` pods) is in.
    pub fn start(ns: &str, dir: &Path, listed: usize) -> Self {
        let out = dir.join(format!("pods-{ns}.json"));
        let file = std::fs::File::create(&out).expect("a file for the watch");
        let child = cluster()
            .kubectl_command(&[
                "get",
                "pods",
                "-n",
                ns,
                "--watch",
                "--output-watch-events",
                "-o",
                "json",
            ])
            .stdout(file)
            .stderr(Stdio::null())
            .spawn()
            .expect("kubectl get pods --watch starts");
        let watch = PodWatch { child, out };
        assert!(
            wait_until(Duration::from_secs(30), || watch.changes().len() >= listed),
            "the watch never listed {listed} pods"
        );
        watch
    }

    /// Starts watching a namespace that has no pod yet: a pod that is no ring's (`sentinel`)
    /// is made and seen first, so that the watch is known to see everything that follows.
    #[allow(dead_code)] // Not every test binary watches an empty namespace.
    pub fn start_empty(ns: &str, dir: &Path) -> Self {
        let watch = PodWatch::start(ns, dir, 0);
        cluster().kubectl_ok(&[
            "run",
            "sentinel",
            "-n",
            ns,
            "--image=sentinel",
            "--restart=Never",
        ]);
        assert!(
            wait_until(Duration::from_secs(30), || watch
                .changes()
                .iter()
                .any(|c| c.name() == "sentinel")),
            "the watch never saw the sentinel pod"
        );
        watch
    }

    /// The changes so far (a partly written last one is left out).
    pub fn changes(&self) -> Vec<Change> {
        let text = read(&self.out);
        serde_json::Deserializer::from_str(&text)
            .into_iter::<serde_json::Value>()
            .map_while(Result::ok)
            .map(|v| Change {
                kind: v["type"].as_str().unwrap_or_default().to_owned(),
                pod: serde_json::from_value(v["object"].clone()).expect("a pod"),
            })
            .collect()
    }

    /// Stops the watch once it has seen `done` hold, and returns every change.
    pub fn stop_when(mut self, done: impl Fn(&[Change]) -> bool) -> Vec<Change> {
        let seen = wait_until(Duration::from_secs(30), || done(&self.changes()));
        let _ = self.child.kill();
        let _ = self.child.wait();
        assert!(seen, "the watch never saw the end state");
        self.changes()
    }
}

/// The most pods of `names` that were down (missing, not Ready or being deleted) at any one
/// time, counted after the first list.
pub fn most_down_at_once(changes: &[Change], names: &[String]) -> usize {
    let mut up: BTreeMap<String, bool> = BTreeMap::new();
    let mut most = 0;
    for change in changes {
        up.insert(change.name(), change.is_up());
        let down = names
            .iter()
            .filter(|n| !up.get(*n).copied().unwrap_or(false))
            .count();
        if up.len() >= names.len() {
            most = most.max(down);
        }
    }
    most
}

/// The pods in the order they were first marked for deletion, once per pod (UID).
pub fn deletions(changes: &[Change]) -> Vec<String> {
    let mut seen = Vec::new();
    let mut names = Vec::new();
    for change in changes {
        let deleting = change.kind == "DELETED" || change.pod.metadata.deletion_timestamp.is_some();
        if deleting && !seen.contains(&change.uid()) {
            seen.push(change.uid());
            names.push(change.name());
        }
    }
    names
}

/// The index of the first change where `pod` exists, and of the first where it is up.
#[allow(dead_code)] // Not every test binary follows pods being created.
pub fn created_and_ready(changes: &[Change], pod: &str) -> (usize, usize) {
    let created = changes
        .iter()
        .position(|c| c.name() == pod)
        .unwrap_or_else(|| panic!("{pod} was never created"));
    let ready = changes
        .iter()
        .position(|c| c.name() == pod && c.is_up())
        .unwrap_or_else(|| panic!("{pod} was never Ready"));
    (created, ready)
}
