//! nodetool's output layouts as Cassandra 5.0 prints them (Status.java, DescribeCluster.java,
//! NetStats.java), for the simulated ring. Pure: the rows come in, the text goes out.

use std::fmt::Write;

/// One row of `nodetool status`.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusRow {
    pub dc: String,
    /// `U` or `D`.
    pub status: char,
    /// `N`, `L`, `J` or `M`.
    pub state: char,
    pub address: String,
    pub load: String,
    pub tokens: u32,
    pub owns: String,
    pub host_id: String,
    pub rack: String,
    /// Where the row falls among equal hash buckets: Cassandra inserts nodes in token order.
    pub token_order: u64,
}

const STATUS_HEADER: [&str; 7] = [
    "--",
    "Address",
    "Load",
    "Tokens",
    "Owns (effective)",
    "Host ID",
    "Rack",
];

/// `nodetool status`: one block per DC (sorted by name, a blank line between blocks), the
/// columns of every block padded to the widest cell of all blocks (TableBuilder.SharedTable,
/// the last column too), rows in the iteration order of Java's `HashMap` of `ip:port` strings,
/// and a trailing blank line.
pub fn status(rows: &[StatusRow], print_port: bool) -> String {
    let mut dcs: Vec<&str> = rows.iter().map(|r| r.dc.as_str()).collect();
    dcs.sort_unstable();
    dcs.dedup();
    let cells = |r: &StatusRow| -> [String; 7] {
        let address = if print_port {
            format!("{}:7000", r.address)
        } else {
            r.address.clone()
        };
        [
            format!("{}{}", r.status, r.state),
            address,
            r.load.clone(),
            r.tokens.to_string(),
            r.owns.clone(),
            r.host_id.clone(),
            r.rack.clone(),
        ]
    };
    let mut widths = STATUS_HEADER.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(cells(row)) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cols: &[String]| -> String {
        let padded: Vec<String> = cols
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ") + "\n"
    };
    let header: Vec<String> = STATUS_HEADER.iter().map(|s| s.to_string()).collect();
    let mut out = String::new();
    for (i, dc) in dcs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let title = format!("Datacenter: {dc}");
        let _ = writeln!(out, "{title}\n{}", "=".repeat(title.len()));
        out.push_str("Status=Up/Down\n|/ State=Normal/Leaving/Joining/Moving\n");
        out.push_str(&line(&header));
        let in_dc: Vec<&StatusRow> = rows.iter().filter(|r| r.dc == *dc).collect();
        for row in java_hash_order(&in_dc) {
            out.push_str(&line(&cells(row)));
        }
    }
    out.push('\n');
    out
}

/// The order in which a `java.util.HashMap` sized for a few keys (Guava's
/// `ArrayListMultimap.create()`: room for 12, so 16 buckets until it grows) iterates the rows'
/// `ip:7000` keys: by bucket, then by insertion (token) order within a bucket. This is why real
/// rows come in neither ordinal nor address order.
pub fn java_hash_order<'a>(rows: &[&'a StatusRow]) -> Vec<&'a StatusRow> {
    let mut buckets = 16usize;
    while rows.len() * 4 > buckets * 3 {
        buckets *= 2;
    }
    let mut ordered: Vec<&StatusRow> = rows.to_vec();
    ordered.sort_by_key(|r| {
        let h = java_string_hash(&format!("{}:7000", r.address));
        let spread = h ^ (h >> 16);
        (spread as usize & (buckets - 1), r.token_order)
    });
    ordered
}

/// `String.hashCode()`.
pub fn java_string_hash(s: &str) -> u32 {
    s.encode_utf16()
        .fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(u32::from(c)))
}

/// Cassandra's `FileUtils.stringifyFileSize` for a size in bytes (`#.##` and a binary unit).
pub fn file_size(bytes: u64) -> String {
    const UNITS: [(&str, f64); 4] = [
        ("TiB", 1024f64 * 1024.0 * 1024.0 * 1024.0),
        ("GiB", 1024f64 * 1024.0 * 1024.0),
        ("MiB", 1024f64 * 1024.0),
        ("KiB", 1024f64),
    ];
    let value = bytes as f64;
    for (unit, size) in UNITS {
        if value >= size {
            return format!("{} {unit}", two_decimals(value / size));
        }
    }
    format!("{bytes} bytes")
}

/// Java's `DecimalFormat("#.##")`: at most two decimals, trailing zeros dropped.
fn two_decimals(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A keyspace and its replication, as `describecluster` prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyspace {
    pub name: String,
    pub replication: Replication,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Replication {
    Simple(u32),
    /// Per DC, in the order given.
    NetworkTopology(Vec<(String, u32)>),
    Local,
}

impl Replication {
    /// The replication factor in `dc`.
    pub fn factor_in(&self, dc: &str) -> u32 {
        match self {
            Replication::Simple(rf) => *rf,
            Replication::NetworkTopology(dcs) => dcs
                .iter()
                .find(|(name, _)| name == dc)
                .map_or(0, |(_, rf)| *rf),
            Replication::Local => 0,
        }
    }

    fn describe(&self) -> String {
        match self {
            Replication::Simple(rf) => format!("SimpleStrategy {{replication_factor={rf}}}"),
            Replication::NetworkTopology(dcs) => {
                let options: Vec<String> =
                    dcs.iter().map(|(dc, rf)| format!("{dc}={rf}")).collect();
                format!("NetworkTopologyStrategy {{{}}}", options.join(", "))
            }
            Replication::Local => "LocalStrategy {}".to_string(),
        }
    }
}

/// What `describecluster` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub name: String,
    pub snitch: String,
    pub schema_version: String,
    /// Addresses of the nodes that are up, and of those that are down.
    pub live: Vec<String>,
    pub unreachable: Vec<String>,
    pub leaving: usize,
    /// Per DC: nodes, down.
    pub dcs: Vec<(String, usize, usize)>,
    pub version: String,
    pub keyspaces: Vec<Keyspace>,
}

/// `nodetool describecluster` (Cassandra 5.0 layout, `describecluster-2-nodes.txt`).
pub fn describe_cluster(c: &Cluster) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Cluster Information:");
    let _ = writeln!(out, "\tName: {}", c.name);
    let _ = writeln!(out, "\tSnitch: {}", c.snitch);
    let _ = writeln!(out, "\tDynamicEndPointSnitch: enabled");
    let _ = writeln!(
        out,
        "\tPartitioner: org.apache.cassandra.dht.Murmur3Partitioner"
    );
    let _ = writeln!(out, "\tSchema versions:");
    if !c.live.is_empty() {
        let _ = writeln!(out, "\t\t{}: [{}]\n", c.schema_version, c.live.join(", "));
    }
    if !c.unreachable.is_empty() {
        let _ = writeln!(out, "\t\tUNREACHABLE: [{}]\n", c.unreachable.join(", "));
    }
    let _ = writeln!(out, "Stats for all nodes:");
    let _ = writeln!(out, "\tLive: {}", c.live.len());
    let _ = writeln!(out, "\tJoining: 0");
    let _ = writeln!(out, "\tMoving: 0");
    let _ = writeln!(out, "\tLeaving: {}", c.leaving);
    let _ = writeln!(out, "\tUnreachable: {}", c.unreachable.len());
    let _ = writeln!(out, "\nData Centers: ");
    for (dc, nodes, down) in &c.dcs {
        let _ = writeln!(out, "\t{dc} #Nodes: {nodes} #Down: {down}");
    }
    let _ = writeln!(out, "\nDatabase versions:");
    let all: Vec<String> = c
        .live
        .iter()
        .chain(&c.unreachable)
        .map(|a| format!("{a}:7000"))
        .collect();
    let _ = writeln!(out, "\t{}: [{}]\n", c.version, all.join(", "));
    let _ = writeln!(out, "Keyspaces:");
    for ks in &c.keyspaces {
        let _ = writeln!(
            out,
            "\t{} -> Replication class: {}",
            ks.name,
            ks.replication.describe()
        );
    }
    out
}

/// A stream a leaving node sends to one peer, for `netstats`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingStream {
    pub peer: String,
    /// Per file: path, bytes sent, bytes in all.
    pub files: Vec<(String, u64, u64)>,
}

/// `nodetool netstats` (NetStats.java): the mode, the streams (a decommission is an
/// `Unbootstrap` plan), the read-repair counters and the message pools.
pub fn netstats(mode: &str, plan_id: &str, streams: &[OutgoingStream]) -> String {
    let mut out = format!("Mode: {mode}\n");
    if streams.is_empty() {
        out.push_str("Not sending any streams.\n");
    } else {
        let _ = writeln!(out, "Unbootstrap {plan_id}");
        for stream in streams {
            let _ = writeln!(out, "    /{}", stream.peer);
            let total: u64 = stream.files.iter().map(|f| f.2).sum();
            let sent: u64 = stream.files.iter().map(|f| f.1).sum();
            let files_sent = stream.files.iter().filter(|f| f.1 == f.2).count();
            let _ = writeln!(
                out,
                "        Sending {} files, {total} bytes total. Already sent {files_sent} files ({:.2}%), {sent} bytes total ({:.2}%)",
                stream.files.len(),
                percent(files_sent as u64, stream.files.len() as u64),
                percent(sent, total),
            );
            for (path, done, size) in &stream.files {
                let _ = writeln!(
                    out,
                    "            {path} {done}/{size} bytes ({}%) sent to idx:0/{}",
                    (done * 100).checked_div(*size).unwrap_or(0),
                    stream.peer
                );
            }
        }
    }
    out.push_str(
        "Read Repair Statistics:\nAttempted: 0\nMismatch (Blocking): 0\nMismatch (Background): 0\n",
    );
    let _ = writeln!(
        out,
        "{:<25}{:>10}{:>10}{:>15}{:>10}",
        "Pool Name", "Active", "Pending", "Completed", "Dropped"
    );
    for (pool, completed) in [
        ("Large messages", 1),
        ("Small messages", 6),
        ("Gossip messages", 33),
    ] {
        let _ = writeln!(
            out,
            "{pool:<25}{:>10}{:>10}{completed:>15}{:>10}",
            "n/a", 0, 0
        );
    }
    out
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real Cassandra 5.0.9 outputs (captured on 127.1.0.x addresses).
    const STATUS_3_NODES: &str = r#"Datacenter: DC1-K8Demo
======================
Status=Up/Down
|/ State=Normal/Leaving/Joining/Moving
--  Address    Load        Tokens  Owns (effective)  Host ID                               Rack        
UN  127.1.0.1  115.03 KiB  32      67.1%             79d5c0f6-8cb5-46a8-8e56-300703cffc6b  Rack1-K8Demo
UN  127.1.0.3  85.44 KiB   32      74.1%             b93d75ad-2915-43ae-87b4-9cb240459c87  Rack1-K8Demo
UN  127.1.0.2  30.89 KiB   32      58.8%             9caef237-291f-4fa8-be24-f360994fd4ba  Rack1-K8Demo

"#;
    const DESCRIBECLUSTER_2_NODES: &str = "Cluster Information:\n\
\tName: K8Demo\n\
\tSnitch: org.apache.cassandra.locator.GossipingPropertyFileSnitch\n\
\tDynamicEndPointSnitch: enabled\n\
\tPartitioner: org.apache.cassandra.dht.Murmur3Partitioner\n\
\tSchema versions:\n\
\t\td03783d7-b468-3c1a-82f1-8e30b2edde8b: [127.1.0.21, 127.1.0.22]\n\
\n\
Stats for all nodes:\n\
\tLive: 2\n\
\tJoining: 0\n\
\tMoving: 0\n\
\tLeaving: 0\n\
\tUnreachable: 0\n\
\n\
Data Centers: \n\
\tDC1-K8Demo #Nodes: 2 #Down: 0\n\
\n\
Database versions:\n\
\t5.0.9: [127.1.0.21:7000, 127.1.0.22:7000]\n\
\n\
Keyspaces:\n\
\tsystem_traces -> Replication class: SimpleStrategy {replication_factor=2}\n\
\tsystem_distributed -> Replication class: SimpleStrategy {replication_factor=3}\n\
\tsystem_auth -> Replication class: SimpleStrategy {replication_factor=1}\n\
\tsystem_schema -> Replication class: LocalStrategy {}\n\
\tsystem -> Replication class: LocalStrategy {}\n\
";
    const NETSTATS_IDLE: &str = r#"Mode: NORMAL
Not sending any streams.
Read Repair Statistics:
Attempted: 0
Mismatch (Blocking): 0
Mismatch (Background): 0
Pool Name                    Active   Pending      Completed   Dropped
Large messages                  n/a         0              1         0
Small messages                  n/a         0              6         0
Gossip messages                 n/a         0             33         0
"#;

    fn row(address: &str, load: &str, owns: &str, host_id: &str, order: u64) -> StatusRow {
        StatusRow {
            dc: "DC1-K8Demo".into(),
            status: 'U',
            state: 'N',
            address: address.into(),
            load: load.into(),
            tokens: 32,
            owns: owns.into(),
            host_id: host_id.into(),
            rack: "Rack1-K8Demo".into(),
            token_order: order,
        }
    }

    /// The real output of three nodes, rebuilt from its rows given in ordinal order.
    #[test]
    fn status_matches_cassandra_5_layout_and_row_order() {
        let rows = vec![
            row(
                "127.1.0.1",
                "115.03 KiB",
                "67.1%",
                "79d5c0f6-8cb5-46a8-8e56-300703cffc6b",
                0,
            ),
            row(
                "127.1.0.2",
                "30.89 KiB",
                "58.8%",
                "9caef237-291f-4fa8-be24-f360994fd4ba",
                1,
            ),
            row(
                "127.1.0.3",
                "85.44 KiB",
                "74.1%",
                "b93d75ad-2915-43ae-87b4-9cb240459c87",
                2,
            ),
        ];
        let text = status(&rows, false);
        assert_eq!(text, STATUS_3_NODES);
        let order: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("UN"))
            .map(|l| l.split_whitespace().nth(1).unwrap_or(""))
            .collect();
        assert_eq!(order, ["127.1.0.1", "127.1.0.3", "127.1.0.2"]);
    }

    #[test]
    fn four_nodes_come_in_the_order_cassandra_printed() {
        let rows: Vec<StatusRow> = (1..=4)
            .map(|i| row(&format!("127.1.0.{i}"), "1 KiB", "50.0%", "x", i))
            .collect();
        let refs: Vec<&StatusRow> = rows.iter().collect();
        let order: Vec<&str> = java_hash_order(&refs)
            .iter()
            .map(|r| r.address.as_str())
            .collect();
        assert_eq!(order, ["127.1.0.1", "127.1.0.3", "127.1.0.4", "127.1.0.2"]);
    }

    #[test]
    fn blocks_share_column_widths_and_are_sorted_by_dc() {
        let mut a = row("10.0.0.1", "1 KiB", "100.0%", "h1", 0);
        a.dc = "b-dc".into();
        let mut b = row("10.0.0.22", "1 KiB", "100.0%", "h2", 0);
        b.dc = "a".into();
        b.rack = "r".into();
        let text = status(&[a, b], true);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Datacenter: a");
        assert_eq!(lines[1], "=============");
        assert!(lines[5].starts_with("UN  10.0.0.22:7000  1 KiB"));
        assert_eq!(lines[6], "");
        assert_eq!(lines[7], "Datacenter: b-dc");
        // Same widths in both blocks: the header lines are identical.
        assert_eq!(lines[4], lines[11]);
        assert!(text.ends_with("\n\n"));
    }

    #[test]
    fn sizes_print_like_cassandra() {
        assert_eq!(file_size(117_791), "115.03 KiB");
        assert_eq!(file_size(117_760), "115 KiB");
        assert_eq!(file_size(512), "512 bytes");
        assert_eq!(file_size(3 * 1024 * 1024), "3 MiB");
    }

    #[test]
    fn describecluster_matches_cassandras_two_node_output() {
        let c = Cluster {
            name: "K8Demo".into(),
            snitch: "org.apache.cassandra.locator.GossipingPropertyFileSnitch".into(),
            schema_version: "d03783d7-b468-3c1a-82f1-8e30b2edde8b".into(),
            live: vec!["127.1.0.21".into(), "127.1.0.22".into()],
            unreachable: vec![],
            leaving: 0,
            dcs: vec![("DC1-K8Demo".into(), 2, 0)],
            version: "5.0.9".into(),
            keyspaces: vec![
                Keyspace {
                    name: "system_traces".into(),
                    replication: Replication::Simple(2),
                },
                Keyspace {
                    name: "system_distributed".into(),
                    replication: Replication::Simple(3),
                },
                Keyspace {
                    name: "system_auth".into(),
                    replication: Replication::Simple(1),
                },
                Keyspace {
                    name: "system_schema".into(),
                    replication: Replication::Local,
                },
                Keyspace {
                    name: "system".into(),
                    replication: Replication::Local,
                },
            ],
        };
        let text = describe_cluster(&c);
        assert_eq!(text, DESCRIBECLUSTER_2_NODES);
        assert!(text.contains(
            "\tsystem_distributed -> Replication class: SimpleStrategy {replication_factor=3}\n"
        ));
        let nts = Replication::NetworkTopology(vec![("a".into(), 3), ("b".into(), 1)]);
        assert_eq!(nts.describe(), "NetworkTopologyStrategy {a=3, b=1}");
        assert_eq!(nts.factor_in("b"), 1);
        assert_eq!(nts.factor_in("c"), 0);
    }

    #[test]
    fn idle_netstats_match_cassandras_output() {
        let text = netstats("NORMAL", "", &[]);
        assert_eq!(text, NETSTATS_IDLE);
        assert!(text.starts_with("Mode: NORMAL\nNot sending any streams.\n"));
    }

    #[test]
    fn a_leaving_node_shows_its_unbootstrap_stream() {
        let streams = [OutgoingStream {
            peer: "127.1.0.1".into(),
            files: vec![
                ("/data/a-Data.db".into(), 50, 200),
                ("/data/b-Data.db".into(), 100, 100),
            ],
        }];
        let text = netstats("LEAVING", "6b3c1f2e-0000-4000-8000-000000000000", &streams);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Mode: LEAVING");
        assert_eq!(lines[1], "Unbootstrap 6b3c1f2e-0000-4000-8000-000000000000");
        assert_eq!(lines[2], "    /127.1.0.1");
        assert_eq!(
            lines[3],
            "        Sending 2 files, 300 bytes total. Already sent 1 files (50.00%), 150 bytes total (50.00%)"
        );
        assert_eq!(
            lines[4],
            "            /data/a-Data.db 50/200 bytes (25%) sent to idx:0/127.1.0.1"
        );
        assert_eq!(lines[6], "Read Repair Statistics:");
    }
}
