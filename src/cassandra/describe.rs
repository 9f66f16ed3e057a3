//! `nodetool describecluster`: the cluster's name and snitch, schema agreement, node counts per
//! datacenter, release versions and, from Cassandra 4.0 on, every keyspace's replication.
//!
//! The output is a list of sections, each a title line and tab-indented entries:
//!
//! ```text
//! Cluster Information:
//!     Name: K8Demo
//!     Snitch: org.apache.cassandra.locator.GossipingPropertyFileSnitch
//!     DynamicEndPointSnitch: enabled
//!     Partitioner: org.apache.cassandra.dht.Murmur3Partitioner
//!     Schema versions:
//!         d03783d7-b468-3c1a-82f1-8e30b2edde8b: [127.1.0.21, 127.1.0.22]
//!
//! Stats for all nodes:
//!     Live: 2
//! …
//! Data Centers:
//!     DC1-K8Demo #Nodes: 2 #Down: 0
//!
//! Database versions:
//!     5.0.9: [127.1.0.21:7000, 127.1.0.22:7000]
//!
//! Keyspaces:
//!     system_traces -> Replication class: SimpleStrategy {replication_factor=2}
//! ```
//!
//! Cassandra 3.x prints only the first section. Lines are matched by their words, not their
//! indentation, so a copy that turned tabs into spaces reads the same. Only the keyspace lines are
//! read strictly: a scale-down decision rests on them, so one that cannot be read is an error
//! rather than a keyspace silently left out.

use serde::{Serialize, Serializer};

/// Everything `nodetool describecluster` printed, section by section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClusterDescription {
    pub(crate) name: String,
    /// The snitch's class, e.g. `org.apache.cassandra.locator.GossipingPropertyFileSnitch`.
    pub(crate) snitch: Option<String>,
    /// `DynamicEndPointSnitch: enabled` or `disabled` (4.0+).
    pub(crate) dynamic_snitch: Option<bool>,
    pub(crate) partitioner: Option<String>,
    /// The nodes on each schema version; more than one version means the schema disagrees, and
    /// nodes that did not answer are listed under the version `UNREACHABLE`.
    pub(crate) schema_versions: Vec<VersionGroup>,
    /// `Stats for all nodes:` (4.0+).
    pub(crate) node_counts: Option<NodeCounts>,
    /// `Data Centers:` (4.0+), in the order printed.
    pub(crate) datacenters: Vec<DatacenterCount>,
    /// `Database versions:` (4.0+): the nodes on each Cassandra release.
    pub(crate) database_versions: Vec<VersionGroup>,
    /// `Keyspaces:` (4.0+). `None` where the section is absent (3.x), which is not the same as
    /// a section that lists no keyspace.
    pub(crate) keyspaces: Option<Vec<Keyspace>>,
}

/// A version and the nodes on it, as printed (`127.1.0.21` or `127.1.0.21:7000`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionGroup {
    pub(crate) version: String,
    pub(crate) addresses: Vec<String>,
}

/// `Stats for all nodes:`, counted over the whole cluster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct NodeCounts {
    pub(crate) live: u32,
    pub(crate) joining: u32,
    pub(crate) moving: u32,
    pub(crate) leaving: u32,
    pub(crate) unreachable: u32,
}

/// One line of `Data Centers:`, e.g. `DC1-K8Demo #Nodes: 2 #Down: 0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DatacenterCount {
    pub(crate) name: String,
    pub(crate) nodes: u32,
    pub(crate) down: u32,
}

/// One line of `Keyspaces:`: a keyspace and how it is replicated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Keyspace {
    pub(crate) name: String,
    pub(crate) strategy: Strategy,
    pub(crate) replication: Replication,
}

/// The replication strategy's class, as Cassandra names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Strategy {
    Simple,
    NetworkTopology,
    /// The node's own system keyspaces: never replicated, never in the way of a decommission.
    Local,
    /// DataStax Enterprise's "one replica on every node".
    Everywhere,
    /// Any other class (a custom strategy, or `null` when Cassandra could not say).
    Other(String),
}

/// How many replicas a keyspace keeps, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Replication {
    /// SimpleStrategy's `replication_factor`: replicas across the whole ring, whatever the
    /// datacenter; in a single-datacenter ring, that datacenter's.
    Ring(ReplicationFactor),
    /// NetworkTopologyStrategy: the replicas in each listed datacenter, in the order printed. A
    /// datacenter not listed holds no replica.
    PerDatacenter(Vec<DatacenterReplication>),
    /// No replica count that bears on a decommission: LocalStrategy, EverywhereStrategy, or a
    /// class this parser does not know (Cassandra's own check still applies to those).
    None,
}

/// A datacenter's entry of NetworkTopologyStrategy, e.g. `dc1=3`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct DatacenterReplication {
    pub(crate) datacenter: String,
    pub(crate) factor: ReplicationFactor,
}

/// A replication factor: `3`, or `3/1` with transient replication (4.0+), where 3 counts every
/// replica and 1 of them is transient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct ReplicationFactor {
    /// Every replica, full and transient: the number each needs a node for, and the one
    /// Cassandra compares with the node count before a decommission.
    pub(crate) replicas: u32,
    pub(crate) transient: u32,
}

/// Why `nodetool describecluster` output could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DescribeClusterError {
    #[error("the describecluster output has no `Name:` line under `Cluster Information:`")]
    NoClusterName,
    #[error("line {line} of the describecluster output is not a keyspace's replication: {text}")]
    BadKeyspace { line: usize, text: String },
}

impl Keyspace {
    /// The replicas this keyspace keeps in `datacenter`; `None` when it keeps none there or has
    /// no replica count (LocalStrategy and the like).
    pub(crate) fn factor_in(&self, datacenter: &str) -> Option<ReplicationFactor> {
        match &self.replication {
            Replication::Ring(factor) => Some(*factor),
            Replication::PerDatacenter(entries) => entries
                .iter()
                .find(|entry| entry.datacenter == datacenter)
                .map(|entry| entry.factor),
            Replication::None => None,
        }
    }
}

impl Strategy {
    /// The class as Cassandra prints it, e.g. `SimpleStrategy`.
    pub(crate) fn class_name(&self) -> &str {
        match self {
            Strategy::Simple => "SimpleStrategy",
            Strategy::NetworkTopology => "NetworkTopologyStrategy",
            Strategy::Local => "LocalStrategy",
            Strategy::Everywhere => "EverywhereStrategy",
            Strategy::Other(class) => class,
        }
    }

    /// Reads a class name, simple (`SimpleStrategy`) or fully qualified.
    fn from_class(class: &str) -> Strategy {
        let simple = class.rsplit('.').next().unwrap_or(class);
        match simple {
            "SimpleStrategy" => Strategy::Simple,
            "NetworkTopologyStrategy" => Strategy::NetworkTopology,
            "LocalStrategy" => Strategy::Local,
            "EverywhereStrategy" => Strategy::Everywhere,
            _ => Strategy::Other(class.to_owned()),
        }
    }
}

/// A strategy goes to JSON as its class name, the way CQL and nodetool write it.
impl Serialize for Strategy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.class_name())
    }
}

/// Reads the output of `nodetool describecluster`.
pub(crate) fn parse_describecluster(
    text: &str,
) -> Result<ClusterDescription, DescribeClusterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser::default();
    for (index, line) in text.lines().enumerate() {
        parser.read_line(index + 1, line.trim())?;
    }
    parser.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Section {
    #[default]
    Preamble,
    ClusterInformation,
    SchemaVersions,
    NodeCounts,
    Datacenters,
    DatabaseVersions,
    Keyspaces,
}

#[derive(Default)]
struct Parser {
    section: Section,
    name: Option<String>,
    snitch: Option<String>,
    dynamic_snitch: Option<bool>,
    partitioner: Option<String>,
    schema_versions: Vec<VersionGroup>,
    node_counts: Option<NodeCounts>,
    datacenters: Vec<DatacenterCount>,
    database_versions: Vec<VersionGroup>,
    keyspaces: Option<Vec<Keyspace>>,
}

impl Parser {
    fn read_line(&mut self, number: usize, line: &str) -> Result<(), DescribeClusterError> {
        if let Some(section) = section_title(line) {
            self.enter(section);
            return Ok(());
        }
        // `Error: …` follows the node counts when keyspaces differ in replication and ownership
        // is meaningless; it says nothing about the sections themselves.
        if line.is_empty() || line.contains("Error: ") {
            return Ok(());
        }
        match self.section {
            Section::Preamble => {}
            Section::ClusterInformation => self.read_information(line),
            Section::SchemaVersions => self.schema_versions.extend(version_group(line)),
            Section::NodeCounts => self.read_count(line),
            Section::Datacenters => self.datacenters.extend(datacenter_count(line)),
            Section::DatabaseVersions => self.database_versions.extend(version_group(line)),
            Section::Keyspaces => self.read_keyspace(number, line)?,
        }
        Ok(())
    }

    fn enter(&mut self, section: Section) {
        match section {
            Section::NodeCounts => self.node_counts = Some(NodeCounts::default()),
            Section::Keyspaces => self.keyspaces = Some(Vec::new()),
            _ => {}
        }
        self.section = section;
    }

    fn read_information(&mut self, line: &str) {
        let Some((key, value)) = line.split_once(':') else {
            return;
        };
        let value = value.trim().to_owned();
        match key {
            "Name" => self.name = Some(value),
            "Snitch" => self.snitch = Some(value),
            "DynamicEndPointSnitch" => self.dynamic_snitch = Some(value == "enabled"),
            "Partitioner" => self.partitioner = Some(value),
            _ => {}
        }
    }

    fn read_count(&mut self, line: &str) {
        let (Some(counts), Some((key, value))) = (self.node_counts.as_mut(), line.split_once(':'))
        else {
            return;
        };
        let Ok(value) = value.trim().parse() else {
            return;
        };
        match key {
            "Live" => counts.live = value,
            "Joining" => counts.joining = value,
            "Moving" => counts.moving = value,
            "Leaving" => counts.leaving = value,
            "Unreachable" => counts.unreachable = value,
            _ => {}
        }
    }

    fn read_keyspace(&mut self, number: usize, line: &str) -> Result<(), DescribeClusterError> {
        // Only `<keyspace> -> …` lines describe a keyspace; Cassandra may print `something went
        // wrong for keyspace: <keyspace>` before one, and a capture may end with stray text.
        if !line.contains(" -> ") {
            return Ok(());
        }
        let keyspace = parse_keyspace(line).ok_or_else(|| DescribeClusterError::BadKeyspace {
            line: number,
            text: line.to_owned(),
        })?;
        self.keyspaces.get_or_insert_with(Vec::new).push(keyspace);
        Ok(())
    }

    fn finish(self) -> Result<ClusterDescription, DescribeClusterError> {
        let name = self.name.ok_or(DescribeClusterError::NoClusterName)?;
        Ok(ClusterDescription {
            name,
            snitch: self.snitch,
            dynamic_snitch: self.dynamic_snitch,
            partitioner: self.partitioner,
            schema_versions: self.schema_versions,
            node_counts: self.node_counts,
            datacenters: self.datacenters,
            database_versions: self.database_versions,
            keyspaces: self.keyspaces,
        })
    }
}

fn section_title(line: &str) -> Option<Section> {
    let section = match line {
        "Cluster Information:" => Section::ClusterInformation,
        "Schema versions:" => Section::SchemaVersions,
        "Stats for all nodes:" => Section::NodeCounts,
        "Data Centers:" => Section::Datacenters,
        "Database versions:" => Section::DatabaseVersions,
        "Keyspaces:" => Section::Keyspaces,
        _ => return None,
    };
    Some(section)
}

/// `<version>: [<address>, <address>]`, a Java list after the version.
fn version_group(line: &str) -> Option<VersionGroup> {
    let (version, list) = line.split_once(": [")?;
    let list = list.strip_suffix(']')?;
    let addresses = list
        .split(',')
        .map(str::trim)
        .filter(|address| !address.is_empty())
        .map(str::to_owned)
        .collect();
    Some(VersionGroup {
        version: version.trim().to_owned(),
        addresses,
    })
}

/// `<datacenter> #Nodes: <n> #Down: <m>`, read from the right: a datacenter's name is free text.
fn datacenter_count(line: &str) -> Option<DatacenterCount> {
    let (rest, down) = line.rsplit_once("#Down:")?;
    let (name, nodes) = rest.rsplit_once("#Nodes:")?;
    Some(DatacenterCount {
        name: name.trim().to_owned(),
        nodes: nodes.trim().parse().ok()?,
        down: down.trim().parse().ok()?,
    })
}

/// `<keyspace> -> Replication class: <Class> {<options>}`, where the options are a Java map
/// (`{replication_factor=3}`, `{dc1=3, dc2=2}`, `{}`), or the class alone (`null`).
fn parse_keyspace(line: &str) -> Option<Keyspace> {
    let (name, replication) = line.split_once(" -> Replication class:")?;
    let name = name.trim();
    let replication = replication.trim();
    let (class, options) = match replication.split_once(char::is_whitespace) {
        Some((class, options)) => (class, parse_options(options.trim())?),
        None => (replication, Vec::new()),
    };
    if name.is_empty() || class.is_empty() {
        return None;
    }
    let strategy = Strategy::from_class(class);
    let replication = match strategy {
        Strategy::Simple => Replication::Ring(simple_factor(&options)?),
        Strategy::NetworkTopology => Replication::PerDatacenter(datacenter_factors(&options)?),
        Strategy::Local | Strategy::Everywhere | Strategy::Other(_) => Replication::None,
    };
    Some(Keyspace {
        name: name.to_owned(),
        strategy,
        replication,
    })
}

/// A Java map's `toString()`: `{k=v, k=v}`.
fn parse_options(map: &str) -> Option<Vec<(&str, &str)>> {
    let entries = map.strip_prefix('{')?.strip_suffix('}')?.trim();
    if entries.is_empty() {
        return Some(Vec::new());
    }
    entries
        .split(',')
        .map(|entry| {
            let (key, value) = entry.split_once('=')?;
            Some((key.trim(), value.trim()))
        })
        .collect()
}

fn simple_factor(options: &[(&str, &str)]) -> Option<ReplicationFactor> {
    let (_, value) = options
        .iter()
        .find(|(key, _)| *key == "replication_factor")?;
    parse_factor(value)
}

fn datacenter_factors(options: &[(&str, &str)]) -> Option<Vec<DatacenterReplication>> {
    options
        .iter()
        .map(|(datacenter, value)| {
            Some(DatacenterReplication {
                datacenter: (*datacenter).to_owned(),
                factor: parse_factor(value)?,
            })
        })
        .collect()
}

/// `3`, or `3/1`: every replica, then how many of them are transient.
fn parse_factor(value: &str) -> Option<ReplicationFactor> {
    let (replicas, transient) = match value.split_once('/') {
        Some((replicas, transient)) => (replicas, transient),
        None => (value, "0"),
    };
    let number = |text: &str| {
        let digits = text.trim();
        let all_digits = !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit());
        all_digits.then(|| digits.parse::<u32>().ok()).flatten()
    };
    let factor = ReplicationFactor {
        replicas: number(replicas)?,
        transient: number(transient)?,
    };
    (factor.transient <= factor.replicas).then_some(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_NODES: &str =
        include_str!("../../tests/fixtures/cassandra-5.0.9/describecluster-2-nodes.txt");

    fn parse_ok(text: &str) -> ClusterDescription {
        parse_describecluster(text).unwrap_or_else(|error| panic!("{error}\n--- input ---\n{text}"))
    }

    fn factor(replicas: u32) -> ReplicationFactor {
        ReplicationFactor {
            replicas,
            transient: 0,
        }
    }

    fn keyspace_line(replication: &str) -> Option<Keyspace> {
        parse_keyspace(&format!("ks -> Replication class: {replication}"))
    }

    #[test]
    fn a_two_node_output_reads_every_section() {
        let cluster = parse_ok(TWO_NODES);
        assert_eq!(cluster.name, "K8Demo");
        assert_eq!(
            cluster.snitch.as_deref(),
            Some("org.apache.cassandra.locator.GossipingPropertyFileSnitch")
        );
        assert_eq!(cluster.dynamic_snitch, Some(true));
        assert_eq!(
            cluster.partitioner.as_deref(),
            Some("org.apache.cassandra.dht.Murmur3Partitioner")
        );
        assert_eq!(
            cluster.schema_versions,
            [VersionGroup {
                version: "d03783d7-b468-3c1a-82f1-8e30b2edde8b".into(),
                addresses: vec!["127.1.0.21".into(), "127.1.0.22".into()],
            }]
        );
        assert_eq!(
            cluster.node_counts,
            Some(NodeCounts {
                live: 2,
                ..NodeCounts::default()
            })
        );
        assert_eq!(
            cluster.datacenters,
            [DatacenterCount {
                name: "DC1-K8Demo".into(),
                nodes: 2,
                down: 0,
            }]
        );
        assert_eq!(
            cluster.database_versions,
            [VersionGroup {
                version: "5.0.9".into(),
                addresses: vec!["127.1.0.21:7000".into(), "127.1.0.22:7000".into()],
            }]
        );
    }

    #[test]
    fn a_two_node_output_reads_every_keyspace_in_order() {
        let keyspaces = parse_ok(TWO_NODES).keyspaces.expect("a Keyspaces section");
        let read: Vec<(&str, &str, Option<u32>)> = keyspaces
            .iter()
            .map(|ks| {
                let replicas = ks.factor_in("DC1-K8Demo").map(|f| f.replicas);
                (ks.name.as_str(), ks.strategy.class_name(), replicas)
            })
            .collect();
        assert_eq!(
            read,
            [
                ("system_traces", "SimpleStrategy", Some(2)),
                ("system_distributed", "SimpleStrategy", Some(3)),
                ("system_auth", "SimpleStrategy", Some(1)),
                ("system_schema", "LocalStrategy", None),
                ("system", "LocalStrategy", None),
            ]
        );
    }

    #[test]
    fn cassandra_3_output_has_no_keyspaces_section() {
        // Hand-written in the 3.11 layout (DescribeCluster.java before CASSANDRA-13853).
        let text = "Cluster Information:\n\tName: Test Cluster\n\
                    \tSnitch: org.apache.cassandra.locator.DynamicEndpointSnitch\n\
                    \tPartitioner: org.apache.cassandra.dht.Murmur3Partitioner\n\
                    \tSchema versions:\n\
                    \t\t65e78f0e-e81e-30d8-a631-a65dff93bf82: [10.0.0.1, 10.0.0.2]\n\n";
        let cluster = parse_ok(text);
        assert_eq!(cluster.name, "Test Cluster");
        assert_eq!(cluster.keyspaces, None);
        assert_eq!(cluster.node_counts, None);
        assert_eq!(cluster.dynamic_snitch, None);
        assert_eq!(cluster.schema_versions[0].addresses.len(), 2);
    }

    #[test]
    fn an_empty_keyspaces_section_is_not_a_missing_one() {
        let text = TWO_NODES
            .lines()
            .take_while(|line| !line.starts_with('\t') || !line.contains(" -> "))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(parse_ok(&text).keyspaces, Some(Vec::new()));
    }

    #[test]
    fn network_topology_lists_each_datacenter() {
        let keyspace = keyspace_line("NetworkTopologyStrategy {dc1=3, dc2=2}").unwrap();
        assert_eq!(keyspace.strategy, Strategy::NetworkTopology);
        assert_eq!(keyspace.factor_in("dc1"), Some(factor(3)));
        assert_eq!(keyspace.factor_in("dc2"), Some(factor(2)));
        assert_eq!(keyspace.factor_in("dc3"), None);
    }

    #[test]
    fn simple_strategy_applies_to_every_datacenter() {
        let keyspace = keyspace_line("SimpleStrategy {replication_factor=3}").unwrap();
        assert_eq!(keyspace.factor_in("any"), Some(factor(3)));
    }

    #[test]
    fn transient_replication_counts_every_replica() {
        let keyspace = keyspace_line("NetworkTopologyStrategy {dc1=3/1}").unwrap();
        let expected = ReplicationFactor {
            replicas: 3,
            transient: 1,
        };
        assert_eq!(keyspace.factor_in("dc1"), Some(expected));
    }

    #[test]
    fn strategies_without_a_replica_count() {
        for (replication, strategy) in [
            ("LocalStrategy {}", Strategy::Local),
            ("EverywhereStrategy {}", Strategy::Everywhere),
            (
                "org.apache.cassandra.locator.LocalStrategy {}",
                Strategy::Local,
            ),
            ("MetaStrategy {}", Strategy::Other("MetaStrategy".into())),
            ("null", Strategy::Other("null".into())),
        ] {
            let keyspace = keyspace_line(replication).unwrap();
            assert_eq!(
                (&keyspace.strategy, &keyspace.replication),
                (&strategy, &Replication::None),
                "{replication}"
            );
        }
    }

    #[test]
    fn unreadable_replication_is_an_error_naming_the_line() {
        for replication in [
            "SimpleStrategy {replication_factor=three}",
            "SimpleStrategy {}",
            "SimpleStrategy {replication_factor=1/2}",
            "NetworkTopologyStrategy {dc1}",
            "NetworkTopologyStrategy {dc1=-1}",
            "NetworkTopologyStrategy dc1=3",
            "",
        ] {
            let line = format!("ks -> Replication class: {replication}");
            let text = format!("Cluster Information:\n\tName: c\nKeyspaces:\n\t{line}\n");
            assert_eq!(
                parse_describecluster(&text),
                Err(DescribeClusterError::BadKeyspace {
                    line: 4,
                    text: line.trim().to_owned(),
                }),
                "{replication}"
            );
        }
    }

    #[test]
    fn a_keyspace_cassandra_could_not_describe_is_kept_without_a_count() {
        let text = "Cluster Information:\n\tName: c\nKeyspaces:\n\
                    something went wrong for keyspace: ks\n\tks -> Replication class: null\n";
        let keyspaces = parse_ok(text).keyspaces.unwrap();
        assert_eq!(keyspaces.len(), 1);
        assert_eq!(keyspaces[0].replication, Replication::None);
    }

    #[test]
    fn schema_disagreement_and_unreachable_nodes() {
        // Hand-written: two schema versions, as DescribeCluster prints each followed by a blank
        // line, and a node that did not answer.
        let text = "Cluster Information:\n\tName: c\n\tSchema versions:\n\
                    \t\t11111111-1111-3111-8111-111111111111: [10.0.0.1, 10.0.0.2]\n\n\
                    \t\tUNREACHABLE: [10.0.0.3]\n\n\
                    Stats for all nodes:\n\tLive: 2\n\tUnreachable: 1\n\
                    Error: Non-system keyspaces don't have the same replication settings, \
                    effective ownership information is meaningless\n\n\
                    Data Centers: \n\tdc 1 #Nodes: 3 #Down: 1\n";
        let cluster = parse_ok(text);
        let versions: Vec<&str> = cluster
            .schema_versions
            .iter()
            .map(|group| group.version.as_str())
            .collect();
        assert_eq!(
            versions,
            ["11111111-1111-3111-8111-111111111111", "UNREACHABLE"]
        );
        assert_eq!(cluster.node_counts.map(|c| c.unreachable), Some(1));
        assert_eq!(
            cluster.datacenters,
            [DatacenterCount {
                name: "dc 1".into(),
                nodes: 3,
                down: 1,
            }]
        );
    }

    #[test]
    fn layout_details_do_not_change_the_reading() {
        let expected = parse_ok(TWO_NODES);
        for variant in [
            TWO_NODES.replace('\n', "\r\n"),
            TWO_NODES.replace('\t', "    "),
            format!("\u{feff}{TWO_NODES}"),
            format!("Defaulted container \"cassandra\" out of: cassandra\n{TWO_NODES}"),
        ] {
            assert_eq!(parse_ok(&variant), expected);
        }
    }

    #[test]
    fn output_without_a_cluster_name_is_refused() {
        let stderr =
            include_str!("../../tests/fixtures/cassandra-5.0.9/startup-3-no-nodes-present.txt");
        for text in ["", "Cluster Information:\n", stderr] {
            assert_eq!(
                parse_describecluster(text),
                Err(DescribeClusterError::NoClusterName)
            );
        }
    }

    #[test]
    fn keyspaces_serialize_with_the_class_name() {
        let keyspaces = parse_ok(TWO_NODES).keyspaces.unwrap();
        let json = serde_json::to_value(&keyspaces[..2]).unwrap();
        let simple = |name, n| {
            serde_json::json!({
                "name": name,
                "strategy": "SimpleStrategy",
                "replication": {"ring": {"replicas": n, "transient": 0}},
            })
        };
        assert_eq!(
            json,
            serde_json::json!([simple("system_traces", 2), simple("system_distributed", 3)])
        );
        let nts = keyspace_line("NetworkTopologyStrategy {dc1=3}").unwrap();
        assert_eq!(
            serde_json::to_value(&nts).unwrap()["replication"],
            serde_json::json!({"per_datacenter": [
                {"datacenter": "dc1", "factor": {"replicas": 3, "transient": 0}}
            ]})
        );
        let local = serde_json::to_value(&keyspaces[3]).unwrap();
        assert_eq!(local["replication"], serde_json::json!("none"));
    }
}
