//! The simulated ring: what a Cassandra ring would say to nodetool, computed from the pods of a
//! StatefulSet and the ring's remembered membership. Pure: the daemon keeps the state, lists the
//! pods and sleeps through decommissions; this module decides.
//!
//! A ring is the set of pods of one StatefulSet in one namespace. A pod joins as `UN` when it is
//! Ready; its host ID follows its PersistentVolumeClaim (Cassandra keeps it on the data volume);
//! a node whose pod is gone, not Ready or being deleted is `DN` with its last address.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::pods::{PodView, annotation};
use crate::print::{self, Keyspace, OutgoingStream, Replication, StatusRow};
use crate::protocol::Output;

pub const RELEASE_VERSION: &str = "5.0.9";
const SCHEMA_VERSION: &str = "d03783d7-b468-3c1a-82f1-8e30b2edde8b";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    Normal,
    Leaving,
    /// Decommissioned: out of the ring for good.
    Left,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub pod: String,
    pub host_id: String,
    /// The UID of the pod's claim (`-` without one): the node's data.
    pub identity: String,
    pub pod_uid: String,
    pub state: NodeState,
    pub address: String,
    pub dc: String,
    pub rack: String,
    pub tokens: u32,
    /// While leaving: when it started and how long it takes (ms since the epoch, ms), and the
    /// stream plan's ID, for `netstats`.
    #[serde(default)]
    pub leaving: Option<Leaving>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leaving {
    pub since_ms: u64,
    pub for_ms: u64,
    pub plan_id: String,
}

/// Every node that ever joined the ring, in order of joining.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ring {
    pub nodes: Vec<Node>,
}

impl Ring {
    fn index_of(&self, pod: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.pod == pod)
    }

    /// Records a pod: a live one joins, or rejoins with its host ID when it runs on the same
    /// claim as before. Returns whether anything changed.
    pub fn observe(
        &mut self,
        pod: &PodView,
        claim_uid: Option<&str>,
        new_host_id: &mut dyn FnMut() -> String,
    ) -> bool {
        let Some(ip) = pod.ip.clone().filter(|_| pod.is_up()) else {
            return false;
        };
        let dc = pod.env_or("CASSANDRA_DC", "datacenter1");
        let rack = pod.env_or("CASSANDRA_RACK", "rack1");
        let tokens = pod
            .env_or("CASSANDRA_NUM_TOKENS", "16")
            .parse()
            .unwrap_or(16);
        let identity = claim_uid.unwrap_or("-").to_string();
        let existing = self.index_of(&pod.name);
        if let Some(i) = existing.filter(|&i| self.nodes[i].pod_uid == pod.uid) {
            let node = &mut self.nodes[i];
            // The same pod as before; a decommissioned node stays out of the ring.
            if node.state == NodeState::Left {
                return false;
            }
            let before = node.clone();
            (node.address, node.dc, node.rack, node.tokens) = (ip, dc, rack, tokens);
            return *node != before;
        }
        let same_data = existing.is_some_and(|i| {
            self.nodes[i].state != NodeState::Left && self.nodes[i].identity == identity
        });
        let host_id = match existing {
            Some(i) if same_data => self.nodes[i].host_id.clone(),
            _ => new_host_id(),
        };
        let node = Node {
            pod: pod.name.clone(),
            host_id,
            identity,
            pod_uid: pod.uid.clone(),
            state: NodeState::Normal,
            address: ip,
            dc,
            rack,
            tokens,
            leaving: None,
        };
        match existing {
            Some(i) => self.nodes[i] = node,
            None => self.nodes.push(node),
        }
        true
    }

    fn members(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.state != NodeState::Left)
    }

    /// A node being decommissioned has finished by now (the daemon was not there to see it).
    pub fn finish_interrupted_decommissions(&mut self) -> bool {
        let mut changed = false;
        for node in &mut self.nodes {
            if node.state == NodeState::Leaving {
                node.state = NodeState::Left;
                node.leaving = None;
                changed = true;
            }
        }
        changed
    }
}

/// A node is up while its pod (the same one) runs a live node.
fn is_live(node: &Node, pods: &[PodView]) -> bool {
    pods.iter()
        .any(|p| p.name == node.pod && p.uid == node.pod_uid && p.is_up())
}

/// Everything one nodetool call in a simulated pod needs to know.
pub struct Call<'a> {
    pub ring: &'a Ring,
    /// The pods of the ring's StatefulSet, as they are now.
    pub pods: &'a [PodView],
    /// The pod the command runs in.
    pub me: &'a PodView,
    /// Whether decommission refuses to go below a keyspace's replication factor (as Cassandra
    /// does; opt-in per namespace, see the README).
    pub enforce_replication: bool,
    pub default_decommission_delay: Duration,
    pub now_ms: u64,
}

/// What the daemon must do for a call.
#[derive(Debug, PartialEq)]
pub enum Action {
    Reply(Output),
    /// Mark the node leaving, wait this long, then mark it left; the command prints nothing.
    Decommission(Duration),
    /// Reply, after this long (a node slow to answer).
    Later(Duration, Output),
}

struct Parsed {
    print_port: bool,
    command: String,
    rest: Vec<String>,
}

fn parse(args: &[String]) -> Result<Parsed, Output> {
    let mut print_port = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-h" | "--host" | "-p" | "--port" | "-u" | "--username" | "-pw" | "--password"
            | "-pwf" | "--password-file" => {
                if i + 1 >= args.len() {
                    return Err(Output::bad_use(&format!(
                        "Required values for option '{}' not provided",
                        args[i]
                    )));
                }
                i += 2;
            }
            "-pp" | "--print-port" => {
                print_port = true;
                i += 1;
            }
            a if a.starts_with('-') => {
                return Err(Output::bad_use(&format!(
                    "Found unexpected parameters: [{a}]"
                )));
            }
            _ => break,
        }
    }
    let Some(command) = args.get(i) else {
        return Err(Output::bad_use("No command specified"));
    };
    Ok(Parsed {
        print_port,
        command: command.clone(),
        rest: args[i + 1..].to_vec(),
    })
}

fn unexpected(words: &[String]) -> Output {
    Output::bad_use(&format!(
        "Found unexpected parameters: [{}]",
        words.join(", ")
    ))
}

/// Runs one nodetool command against the simulated ring.
pub fn call(c: &Call, args: &[String]) -> Action {
    let parsed = match parse(args) {
        Ok(p) => p,
        Err(out) => return Action::Reply(out),
    };
    let known = [
        "status",
        "decommission",
        "drain",
        "version",
        "describecluster",
        "netstats",
        "cleanup",
    ];
    if !known.contains(&parsed.command.as_str()) {
        let mut words = vec![parsed.command.clone()];
        words.extend(parsed.rest.iter().cloned());
        return Action::Reply(unexpected(&words));
    }
    // nodetool parses its arguments first, then connects to the node.
    if !reachable(c) {
        return Action::Reply(Output::connection_refused("127.0.0.1"));
    }
    let rest = &parsed.rest;
    match parsed.command.as_str() {
        "status" => match c.me.status_delay() {
            Some(delay) => Action::Later(delay, status(c, rest, parsed.print_port)),
            None => Action::Reply(status(c, rest, parsed.print_port)),
        },
        "decommission" => decommission(c, rest),
        "describecluster" if rest.is_empty() => Action::Reply(describe_cluster(c)),
        "netstats" if rest.iter().all(|a| a == "-H" || a == "--human-readable") => {
            Action::Reply(netstats(c))
        }
        "version" if rest.is_empty() => {
            Action::Reply(Output::ok(format!("ReleaseVersion: {RELEASE_VERSION}\n")))
        }
        "drain" if rest.is_empty() => Action::Reply(Output::ok("")),
        "cleanup" => Action::Reply(Output::ok("")),
        _ => Action::Reply(unexpected(rest)),
    }
}

/// The pod's Cassandra answers: it is Ready, or it joined before (a node being deleted or
/// decommissioned still answers).
fn reachable(c: &Call) -> bool {
    c.me.is_up()
        || c.ring
            .nodes
            .iter()
            .any(|n| n.pod == c.me.name && n.pod_uid == c.me.uid)
}

/// The keyspaces of the ring: Cassandra 5.0's distributed system keyspaces, then those of the
/// namespace's `casctl.test/keyspaces` annotation (which may also change a system one).
pub fn keyspaces(annotation_value: Option<&str>) -> Vec<Keyspace> {
    let mut list = vec![
        ks("system_traces", Replication::Simple(2)),
        ks("system_distributed", Replication::Simple(3)),
        ks("system_auth", Replication::Simple(1)),
        ks("system_schema", Replication::Local),
        ks("system", Replication::Local),
    ];
    for entry in annotation_value.unwrap_or("").split(',') {
        let Some((name, replication)) = parse_keyspace(entry) else {
            continue;
        };
        match list.iter_mut().find(|k| k.name == name) {
            Some(existing) => existing.replication = replication,
            None => list.insert(0, ks(&name, replication)),
        }
    }
    list
}

fn ks(name: &str, replication: Replication) -> Keyspace {
    Keyspace {
        name: name.to_string(),
        replication,
    }
}

/// `name=3` (SimpleStrategy) or `name=dc1:3+dc2:1` (NetworkTopologyStrategy).
fn parse_keyspace(entry: &str) -> Option<(String, Replication)> {
    let (name, spec) = entry.trim().split_once('=')?;
    if let Ok(rf) = spec.parse() {
        return Some((name.to_string(), Replication::Simple(rf)));
    }
    let dcs: Option<Vec<(String, u32)>> = spec
        .split('+')
        .map(|p| {
            let (dc, rf) = p.split_once(':')?;
            Some((dc.to_string(), rf.parse().ok()?))
        })
        .collect();
    Some((name.to_string(), Replication::NetworkTopology(dcs?)))
}

/// The replication check of `StorageService.decommission`, in the order Cassandra reports it:
/// refused when the ring (SimpleStrategy: all members; NetworkTopologyStrategy: the DC's
/// members) has no more nodes than the keyspace's replication factor.
fn replication_refusal(c: &Call, me: &Node) -> Option<Output> {
    let order = |k: &Keyspace| match k.name.as_str() {
        "system_distributed" => 0,
        "system_traces" => 1,
        "system_auth" => 2,
        _ => 3,
    };
    let mut list = keyspaces(
        c.me.annotations
            .get(annotation::KEYSPACES)
            .map(String::as_str),
    );
    list.sort_by_key(order);
    let members: Vec<&Node> = c
        .ring
        .members()
        .filter(|n| n.state == NodeState::Normal)
        .collect();
    list.iter().find_map(|k| {
        let (rf, n) = match &k.replication {
            Replication::Local => return None,
            Replication::Simple(rf) => (*rf, members.len()),
            Replication::NetworkTopology(_) => (
                k.replication.factor_in(&me.dc),
                members.iter().filter(|m| m.dc == me.dc).count(),
            ),
        };
        (rf > 0 && n <= rf as usize).then(|| {
            Output::bad_use(&format!(
                "Unsupported operation: Not enough live nodes to maintain replication factor in keyspace {} (RF = {rf}, N = {n}). Perform a forceful decommission to ignore.",
                k.name
            ))
        })
    })
}

fn decommission(c: &Call, rest: &[String]) -> Action {
    let force = match rest {
        [] => false,
        [f] if f == "--force" || f == "-f" => true,
        _ => return Action::Reply(unexpected(rest)),
    };
    let me = c
        .ring
        .nodes
        .iter()
        .find(|n| n.pod == c.me.name && n.pod_uid == c.me.uid);
    let Some(me) = me else {
        return Action::Reply(Output::bad_use(
            "Unsupported operation: local node is not a member of the token ring yet",
        ));
    };
    match me.state {
        NodeState::Leaving => {
            return Action::Reply(Output::ok("This node is still decommissioning.\n"));
        }
        NodeState::Left => return Action::Reply(Output::ok("Node was already decommissioned.\n")),
        NodeState::Normal => {}
    }
    let normal = c
        .ring
        .members()
        .filter(|n| n.state == NodeState::Normal)
        .count();
    if normal < 2 {
        return Action::Reply(Output::bad_use(
            "Unsupported operation: no other normal nodes in the ring; decommission would be pointless",
        ));
    }
    if c.enforce_replication
        && !force
        && let Some(refusal) = replication_refusal(c, me)
    {
        return Action::Reply(refusal);
    }
    Action::Decommission(
        c.me.decommission_delay()
            .unwrap_or(c.default_decommission_delay),
    )
}

/// Marks the pod's node as leaving (at `now_ms`, for `delay`).
pub fn start_leaving(
    ring: &mut Ring,
    pod: &PodView,
    delay: Duration,
    now_ms: u64,
    plan_id: String,
) {
    if let Some(node) = ring
        .nodes
        .iter_mut()
        .find(|n| n.pod == pod.name && n.pod_uid == pod.uid)
    {
        node.state = NodeState::Leaving;
        node.leaving = Some(Leaving {
            since_ms: now_ms,
            for_ms: delay.as_millis() as u64,
            plan_id,
        });
    }
}

/// The node has left the ring.
pub fn finish_leaving(ring: &mut Ring, pod: &PodView) {
    if let Some(node) = ring
        .nodes
        .iter_mut()
        .find(|n| n.pod == pod.name && n.pod_uid == pod.uid && n.state == NodeState::Leaving)
    {
        node.state = NodeState::Left;
        node.leaving = None;
    }
}

/// A number in 0..1 fixed per host ID: the source of the made-up but stable load and ownership.
fn spread(host_id: &str, salt: u32) -> f64 {
    let h = print::java_string_hash(host_id).wrapping_mul(2_654_435_761) ^ salt;
    let h = h.wrapping_mul(2_246_822_519) ^ (h >> 13);
    f64::from(h % 10_000) / 10_000.0
}

/// A made-up load fixed per host ID, in KiB as small rings have: 60 to 260 KiB.
fn load(host_id: &str) -> String {
    print::file_size(61_440 + (spread(host_id, 1) * 204_800.0) as u64)
}

const KNOWN_KEYSPACES: [&str; 7] = [
    "system",
    "system_auth",
    "system_schema",
    "system_distributed",
    "system_traces",
    "system_views",
    "system_virtual_schema",
];

fn status(c: &Call, rest: &[String], print_port: bool) -> Output {
    let keyspace = match rest {
        [] => None,
        [k] if !k.starts_with('-') => Some(k.as_str()),
        _ => return unexpected(rest),
    };
    if let Some(k) = keyspace {
        let extra = keyspaces(
            c.me.annotations
                .get(annotation::KEYSPACES)
                .map(String::as_str),
        );
        if !KNOWN_KEYSPACES.contains(&k) && !extra.iter().any(|e| e.name == k) {
            return Output {
                stdout: format!("\nError: The keyspace {k}, does not exist\n"),
                code: 1,
                ..Output::default()
            };
        }
    }
    Output::ok(print::status(&status_rows(c), print_port))
}

/// Effective ownership as a 3-node ring with 32 tokens shows it: uneven, summing to 100 % per
/// replica of `system_traces` (RF 2, so 200 % from 2 nodes on), at most 100 % each.
fn status_rows(c: &Call) -> Vec<StatusRow> {
    let members: Vec<&Node> = c.ring.members().collect();
    let mut rows = Vec::new();
    for node in &members {
        let in_dc: Vec<&&Node> = members.iter().filter(|n| n.dc == node.dc).collect();
        let weights: f64 = in_dc
            .iter()
            .map(|n| 0.75 + spread(&n.host_id, 2) / 2.0)
            .sum();
        let share = (0.75 + spread(&node.host_id, 2) / 2.0) / weights;
        let owns = (share * in_dc.len().min(2) as f64 * 100.0).min(100.0);
        rows.push(StatusRow {
            dc: node.dc.clone(),
            status: if is_live(node, c.pods) { 'U' } else { 'D' },
            state: if node.state == NodeState::Leaving {
                'L'
            } else {
                'N'
            },
            address: node.address.clone(),
            load: load(&node.host_id),
            tokens: node.tokens,
            owns: format!("{owns:.1}%"),
            host_id: node.host_id.clone(),
            rack: node.rack.clone(),
            token_order: u64::from(print::java_string_hash(&node.host_id)),
        });
    }
    rows
}

fn describe_cluster(c: &Call) -> Output {
    let members: Vec<&Node> = c.ring.members().collect();
    let (live, down): (Vec<&&Node>, Vec<&&Node>) = members.iter().partition(|n| is_live(n, c.pods));
    let mut dcs: Vec<String> = members.iter().map(|n| n.dc.clone()).collect();
    dcs.sort();
    dcs.dedup();
    let snitch = if c.me.env.contains_key("CASSANDRA_DC") && c.me.env.contains_key("CASSANDRA_RACK")
    {
        "org.apache.cassandra.locator.GossipingPropertyFileSnitch".to_string()
    } else {
        format!(
            "org.apache.cassandra.locator.{}",
            c.me.env_or("CASSANDRA_ENDPOINT_SNITCH", "SimpleSnitch")
        )
    };
    let cluster = print::Cluster {
        name: c.me.env_or("CASSANDRA_CLUSTER_NAME", "Test Cluster"),
        snitch,
        schema_version: SCHEMA_VERSION.to_string(),
        live: live.iter().map(|n| n.address.clone()).collect(),
        unreachable: down.iter().map(|n| n.address.clone()).collect(),
        leaving: members
            .iter()
            .filter(|n| n.state == NodeState::Leaving)
            .count(),
        dcs: dcs
            .iter()
            .map(|dc| {
                let nodes = members.iter().filter(|n| &n.dc == dc).count();
                let down = down.iter().filter(|n| &n.dc == dc).count();
                (dc.clone(), nodes, down)
            })
            .collect(),
        version: RELEASE_VERSION.to_string(),
        keyspaces: keyspaces(
            c.me.annotations
                .get(annotation::KEYSPACES)
                .map(String::as_str),
        ),
    };
    Output::ok(print::describe_cluster(&cluster))
}

fn netstats(c: &Call) -> Output {
    let me = c
        .ring
        .nodes
        .iter()
        .find(|n| n.pod == c.me.name && n.pod_uid == c.me.uid);
    let (mode, leaving) = match me {
        Some(n) if n.state == NodeState::Left => ("DECOMMISSIONED", None),
        Some(n) => match &n.leaving {
            Some(l) if n.state == NodeState::Leaving => ("LEAVING", Some((n, l))),
            _ => ("NORMAL", None),
        },
        None => ("STARTING", None),
    };
    let Some((me, leaving)) = leaving else {
        return Output::ok(print::netstats(mode, "", &[]));
    };
    let progress = if leaving.for_ms == 0 {
        1.0
    } else {
        (c.now_ms.saturating_sub(leaving.since_ms) as f64 / leaving.for_ms as f64).min(1.0)
    };
    let streams: Vec<OutgoingStream> = c
        .ring
        .members()
        .filter(|n| n.pod != me.pod && n.state == NodeState::Normal && is_live(n, c.pods))
        .take(2)
        .map(|peer| outgoing_stream(peer, progress))
        .collect();
    Output::ok(print::netstats(mode, &leaving.plan_id, &streams))
}

/// The files a leaving node streams to a peer: the SSTables of the distributed system tables,
/// sent one after the other as the decommission progresses.
fn outgoing_stream(peer: &Node, progress: f64) -> OutgoingStream {
    let tables = [
        "system_distributed/repair_history-759fffad624b318180eefa9a52d1f627",
        "system_distributed/view_build_status-5582b59f8e4e35e1b9133acada51eb04",
        "system_auth/roles-5bc52802de2535edaeab188eecebb090",
    ];
    let sizes: Vec<u64> = tables
        .iter()
        .enumerate()
        .map(|(i, _)| 4_096 + (spread(&peer.host_id, 10 + i as u32) * 60_000.0) as u64)
        .collect();
    let total: u64 = sizes.iter().sum();
    let mut left = (total as f64 * progress) as u64;
    let files = tables
        .iter()
        .zip(&sizes)
        .map(|(table, &size)| {
            let sent = left.min(size);
            left -= sent;
            (
                format!("/cassandra_data/data/{table}/nb-1-big-Data.db"),
                sent,
                size,
            )
        })
        .collect();
    OutgoingStream {
        peer: peer.address.clone(),
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn pod(name: &str, uid: &str, ip: &str, ready: bool) -> PodView {
        PodView {
            namespace: "ns".into(),
            name: name.into(),
            uid: uid.into(),
            deleting: false,
            ready,
            ip: Some(ip.into()),
            env: BTreeMap::from([
                ("CASSANDRA_DC".to_string(), "DC1-K8Demo".to_string()),
                ("CASSANDRA_RACK".to_string(), "Rack1-K8Demo".to_string()),
                ("CASSANDRA_NUM_TOKENS".to_string(), "32".to_string()),
            ]),
            claim: Some(format!("data-{name}")),
            annotations: BTreeMap::new(),
            labels: BTreeMap::new(),
        }
    }

    fn ids() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("00000000-0000-4000-8000-{n:012}")
        }
    }

    fn ring_of(pods: &[PodView]) -> Ring {
        let mut ring = Ring::default();
        let mut next = ids();
        for p in pods {
            ring.observe(p, Some(&format!("claim-{}", p.name)), &mut next);
        }
        ring
    }

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    fn call_in<'a>(ring: &'a Ring, pods: &'a [PodView], me: usize, enforce: bool) -> Call<'a> {
        Call {
            ring,
            pods,
            me: &pods[me],
            enforce_replication: enforce,
            default_decommission_delay: Duration::from_secs(1),
            now_ms: 0,
        }
    }

    fn reply(action: Action) -> Output {
        match action {
            Action::Reply(out) => out,
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    fn three() -> Vec<PodView> {
        (0..3)
            .map(|i| {
                pod(
                    &format!("c-{i}"),
                    &format!("u{i}"),
                    &format!("127.1.0.{}", i + 1),
                    true,
                )
            })
            .collect()
    }

    #[test]
    fn a_pod_annotated_with_a_status_delay_answers_status_that_much_later() {
        let mut pods = three();
        pods[0]
            .annotations
            .insert("casctl.test/status-delay".into(), "20s".into());
        let ring = ring_of(&pods);
        match call(&call_in(&ring, &pods, 0, false), &args(&["status"])) {
            Action::Later(delay, out) => {
                assert_eq!(delay, Duration::from_secs(20));
                assert_eq!(out.code, 0);
                assert_eq!(
                    out.stdout.lines().filter(|l| l.starts_with("UN")).count(),
                    3
                );
            }
            other => panic!("expected a late reply, got {other:?}"),
        }
        // Other pods and other commands answer at once.
        reply(call(&call_in(&ring, &pods, 1, false), &args(&["status"])));
        reply(call(&call_in(&ring, &pods, 0, false), &args(&["version"])));
    }

    #[test]
    fn ready_pods_join_and_rows_come_in_hash_order() {
        let pods = three();
        let ring = ring_of(&pods);
        let out = reply(call(&call_in(&ring, &pods, 0, false), &args(&["status"])));
        assert_eq!(out.code, 0);
        let rows: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("UN")).collect();
        assert_eq!(rows.len(), 3);
        assert!(rows[0].starts_with("UN  127.1.0.1  "));
        assert!(rows[1].starts_with("UN  127.1.0.3  "));
        assert!(rows[2].contains(" 32  "));
        let owns: f64 = rows
            .iter()
            .map(|r| {
                let f: Vec<&str> = r.split_whitespace().collect();
                f[5].trim_end_matches('%').parse::<f64>().unwrap()
            })
            .sum();
        assert!((owns - 200.0).abs() < 0.5, "{owns}");
    }

    #[test]
    fn a_pod_that_is_gone_is_down_with_its_last_address_and_load() {
        let pods = three();
        let ring = ring_of(&pods);
        let remaining = &pods[..2];
        let out = reply(call(
            &call_in(&ring, remaining, 0, false),
            &args(&["status"]),
        ));
        let down: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("DN")).collect();
        assert_eq!(down.len(), 1);
        assert!(down[0].starts_with("DN  127.1.0.3  "));
        assert!(
            down[0].contains("KiB"),
            "a DN row keeps its last load: {}",
            down[0]
        );
    }

    #[test]
    fn a_pod_recreated_on_its_claim_keeps_its_host_id_and_a_new_claim_is_a_new_node() {
        let pods = three();
        let mut ring = ring_of(&pods);
        let old = ring.nodes[2].host_id.clone();
        let mut next = ids();
        let again = pod("c-2", "u2-bis", "127.1.0.9", true);
        ring.observe(&again, Some("claim-c-2"), &mut next);
        assert_eq!(ring.nodes[2].host_id, old);
        assert_eq!(ring.nodes[2].address, "127.1.0.9");
        let purged = pod("c-2", "u2-ter", "127.1.0.9", true);
        ring.observe(&purged, Some("another claim"), &mut next);
        assert_ne!(ring.nodes[2].host_id, old);
    }

    #[test]
    fn a_decommissioned_pod_stays_out_and_its_successor_is_a_new_node() {
        let pods = three();
        let mut ring = ring_of(&pods);
        let old = ring.nodes[2].host_id.clone();
        start_leaving(&mut ring, &pods[2], Duration::from_secs(1), 0, "p".into());
        finish_leaving(&mut ring, &pods[2]);
        assert!(!ring.observe(&pods[2], Some("claim-c-2"), &mut ids()));
        let again = pod("c-2", "u2-bis", "127.1.0.3", true);
        ring.observe(&again, Some("claim-c-2"), &mut ids());
        assert_ne!(ring.nodes[2].host_id, old);
        assert_eq!(ring.nodes[2].state, NodeState::Normal);
    }

    #[test]
    fn decommission_refuses_below_the_replication_factor_only_when_enforced() {
        let pods = three();
        let ring = ring_of(&pods);
        let out = reply(call(
            &call_in(&ring, &pods, 2, true),
            &args(&["decommission"]),
        ));
        assert_eq!(
            out.stdout,
            "nodetool: Unsupported operation: Not enough live nodes to maintain replication factor in keyspace system_distributed (RF = 3, N = 3). Perform a forceful decommission to ignore.\nSee 'nodetool help' or 'nodetool help <command>'.\n"
        );
        assert_eq!((out.code, out.stderr.as_str()), (1, ""));
        assert_eq!(
            call(
                &call_in(&ring, &pods, 2, true),
                &args(&["decommission", "--force"])
            ),
            Action::Decommission(Duration::from_secs(1))
        );
        assert_eq!(
            call(&call_in(&ring, &pods, 2, false), &args(&["decommission"])),
            Action::Decommission(Duration::from_secs(1))
        );
    }

    #[test]
    fn decommission_of_the_last_node_is_pointless_and_a_leaving_node_says_so() {
        let pods = vec![pod("solo-0", "u", "127.1.0.1", true)];
        let ring = ring_of(&pods);
        let out = reply(call(
            &call_in(&ring, &pods, 0, false),
            &args(&["decommission"]),
        ));
        assert!(out.stdout.contains("decommission would be pointless"));
        assert_eq!(out.code, 1);

        let pods = three();
        let mut ring = ring_of(&pods);
        start_leaving(
            &mut ring,
            &pods[1],
            Duration::from_secs(4),
            1000,
            "plan".into(),
        );
        let out = reply(call(
            &call_in(&ring, &pods, 1, false),
            &args(&["decommission"]),
        ));
        assert_eq!(
            (out.stdout.as_str(), out.code),
            ("This node is still decommissioning.\n", 0)
        );
        let status = reply(call(&call_in(&ring, &pods, 0, false), &args(&["status"])));
        assert!(status.stdout.contains("UL  127.1.0.2"));
    }

    #[test]
    fn netstats_shows_the_leaving_stream_progress() {
        let pods = three();
        let mut ring = ring_of(&pods);
        start_leaving(
            &mut ring,
            &pods[2],
            Duration::from_secs(4),
            1000,
            "plan-1".into(),
        );
        let mut c = call_in(&ring, &pods, 2, false);
        c.now_ms = 3000;
        let out = reply(call(&c, &args(&["netstats"])));
        let lines: Vec<&str> = out.stdout.lines().collect();
        assert_eq!(lines[0], "Mode: LEAVING");
        assert_eq!(lines[1], "Unbootstrap plan-1");
        assert!(lines[2].starts_with("    /127.1.0."));
        assert!(lines[3].contains("(50.00%)"), "{}", lines[3]);
        let idle = reply(call(&call_in(&ring, &pods, 0, false), &args(&["netstats"])));
        assert!(
            idle.stdout
                .starts_with("Mode: NORMAL\nNot sending any streams.\n")
        );
    }

    #[test]
    fn unknown_commands_and_unreachable_nodes_fail_like_nodetool() {
        let pods = three();
        let ring = ring_of(&pods);
        let out = reply(call(
            &call_in(&ring, &pods, 0, false),
            &args(&["frobnicate", "x"]),
        ));
        assert_eq!(out.code, 1);
        assert!(
            out.stdout
                .starts_with("nodetool: Found unexpected parameters: [frobnicate, x]\n")
        );
        let out = reply(call(
            &call_in(&ring, &pods, 0, false),
            &args(&["status", "shop"]),
        ));
        assert_eq!(
            (out.stdout.as_str(), out.code),
            ("\nError: The keyspace shop, does not exist\n", 1)
        );

        let new = vec![pod("late-0", "u9", "127.1.0.8", false)];
        let out = reply(call(&call_in(&ring, &new, 0, false), &args(&["status"])));
        assert_eq!(out.code, 1);
        assert!(
            out.stderr
                .starts_with("nodetool: Failed to connect to '127.0.0.1:7199'")
        );
        let out = reply(call(
            &call_in(&ring, &pods, 0, false),
            &args(&["-h", "x", "-pp", "version"]),
        ));
        assert_eq!(out.stdout, "ReleaseVersion: 5.0.9\n");
    }

    #[test]
    fn keyspaces_come_from_the_annotation_too() {
        let list = keyspaces(Some("shop=3, orders=DC1:3+DC2:1,system_auth=3,bad"));
        assert_eq!(list[0].name, "orders");
        assert_eq!(list[0].replication.factor_in("DC2"), 1);
        assert_eq!(list[1].replication, Replication::Simple(3));
        let auth = list.iter().find(|k| k.name == "system_auth").unwrap();
        assert_eq!(auth.replication, Replication::Simple(3));
    }

    #[test]
    fn describecluster_counts_live_and_unreachable_nodes() {
        let pods = three();
        let ring = ring_of(&pods);
        let out = reply(call(
            &call_in(&ring, &pods[..2], 0, false),
            &args(&["describecluster"]),
        ));
        assert!(out.stdout.contains("\tLive: 2\n"));
        assert!(out.stdout.contains("\t\tUNREACHABLE: [127.1.0.3]\n"));
        assert!(out.stdout.contains("\tDC1-K8Demo #Nodes: 3 #Down: 1\n"));
        assert!(out.stdout.contains(
            "system_distributed -> Replication class: SimpleStrategy {replication_factor=3}"
        ));
    }
}
