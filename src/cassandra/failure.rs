//! Why a `nodetool` run failed, read from its exit code, stdout and stderr.
//!
//! nodetool reports a failure in one of three ways (`NodeTool.java`):
//!
//! - it cannot reach JMX: `nodetool: Failed to connect to '<host>:<port>' - <Exception>:
//!   '<message>'.` on stderr, exit 1;
//! - the command was refused (an `IllegalArgumentException` or `IllegalStateException`): `nodetool:
//!   <message>` and `See 'nodetool help' or 'nodetool help <command>'.` on **stdout**, exit 1;
//!   `decommission` refusals come this way, as `Unsupported operation: …`;
//! - anything else: `error: <message>`, `-- StackTrace --` and the trace on stderr, exit 2. Before
//!   the node has registered its MBeans, this path itself throws (CASSANDRA-11537), so the JVM
//!   ends with an uncaught `IllegalArgumentException: Server is not initialized yet, cannot run
//!   nodetool.` on stderr, exit 1.
//!
//! While a node starts, nodetool fails in three stages, each a variant here for which
//! [`NodetoolFailure::is_node_starting`] holds: JMX not listening, server not initialized, no
//! nodes present.

/// What a failed `nodetool` run means.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NodetoolFailure {
    /// Nothing listens on the JMX port: the JVM has not opened it yet (or is gone).
    #[error("nodetool could not connect to {address}: connection refused")]
    JmxNotListening {
        /// As nodetool printed it, e.g. `127.1.0.1:7199`.
        address: String,
    },
    /// JMX listens but the node has not registered its services yet.
    #[error("the node is not initialized yet")]
    NotInitialized,
    /// The node runs but has no tokens yet: it has not joined the ring.
    #[error("the node has not joined the ring yet (no nodes present)")]
    NoNodesPresent,
    /// `decommission` refused because a keyspace would keep more replicas than nodes.
    #[error("{}", .0.sentence)]
    DecommissionRefused(DecommissionRefusal),
    /// Any other failure, with nodetool's first meaningful line.
    #[error("nodetool failed (exit code {exit_code}): {}", or_no_output(.message))]
    Other {
        exit_code: i32,
        /// The first line that is neither blank nor part of a stack trace, without nodetool's
        /// `nodetool: ` or `error: ` prefix; `None` when there is none.
        message: Option<String>,
    },
}

/// Cassandra's refusal to decommission: "Not enough live nodes to maintain replication factor in
/// keyspace system_distributed (RF = 3, N = 3). Perform a forceful decommission to ignore."
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecommissionRefusal {
    /// The first keyspace Cassandra found in the way (it names only one).
    pub(crate) keyspace: String,
    /// `RF`: every replica of that keyspace, in the leaving node's datacenter for
    /// NetworkTopologyStrategy.
    pub(crate) replication_factor: u32,
    /// `N`: the nodes before the decommission, counted the same way.
    pub(crate) nodes: u32,
    /// Cassandra's sentence verbatim, without nodetool's `nodetool: ` prefix and help line.
    pub(crate) sentence: String,
}

impl NodetoolFailure {
    /// The three stages a starting node goes through: not a failure, only "not ready yet".
    pub(crate) fn is_node_starting(&self) -> bool {
        matches!(
            self,
            NodetoolFailure::JmxNotListening { .. }
                | NodetoolFailure::NotInitialized
                | NodetoolFailure::NoNodesPresent
        )
    }
}

fn or_no_output(message: &Option<String>) -> &str {
    message.as_deref().unwrap_or("no output")
}

const NOT_INITIALIZED: &str = "Server is not initialized yet, cannot run nodetool.";
const NO_NODES_PRESENT: &str =
    "No nodes present in the cluster. Has this node finished starting up?";

/// Reads a failed nodetool run. The exit code only goes into [`NodetoolFailure::Other`]: the
/// text alone tells the known failures apart, whichever stream carried it.
pub(crate) fn classify_failure(exit_code: i32, stdout: &str, stderr: &str) -> NodetoolFailure {
    // nodetool's own failures go to stderr, refusals to stdout; stderr comes first because a
    // command that failed midway may have printed ordinary output before.
    let lines = || {
        stderr
            .lines()
            .chain(stdout.lines())
            .map(|line| line.trim_start_matches('\u{feff}').trim())
    };
    if let Some(address) = lines().find_map(refused_connection_address) {
        return NodetoolFailure::JmxNotListening {
            address: address.to_owned(),
        };
    }
    if lines().any(|line| line.contains(NOT_INITIALIZED)) {
        return NodetoolFailure::NotInitialized;
    }
    if lines().any(|line| line.contains(NO_NODES_PRESENT)) {
        return NodetoolFailure::NoNodesPresent;
    }
    if let Some(refusal) = lines().find_map(decommission_refusal) {
        return NodetoolFailure::DecommissionRefused(refusal);
    }
    NodetoolFailure::Other {
        exit_code,
        message: lines().find(|line| is_meaningful(line)).map(without_prefix),
    }
}

/// `nodetool: Failed to connect to '127.1.0.1:7199' - ConnectException: 'Connection refused'.`;
/// Java 8 words it `'Connection refused (Connection refused)'`.
fn refused_connection_address(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("nodetool: Failed to connect to '")?;
    let (address, cause) = rest.split_once("' - ")?;
    cause
        .strip_prefix("ConnectException: 'Connection refused")
        .map(|_| address)
}

/// `nodetool: Unsupported operation: Not enough live nodes to maintain replication factor in
/// keyspace <ks> (RF = <rf>, N = <n>). Perform a forceful decommission to ignore.`
fn decommission_refusal(line: &str) -> Option<DecommissionRefusal> {
    let sentence = line.strip_prefix("nodetool: ").unwrap_or(line);
    let (_, rest) =
        sentence.split_once("Not enough live nodes to maintain replication factor in keyspace ")?;
    let (keyspace, rest) = rest.split_once(" (RF = ")?;
    let (replication_factor, rest) = rest.split_once(", N = ")?;
    let (nodes, _) = rest.split_once(')')?;
    Some(DecommissionRefusal {
        keyspace: keyspace.trim().to_owned(),
        replication_factor: replication_factor.trim().parse().ok()?,
        nodes: nodes.trim().parse().ok()?,
        sentence: sentence.to_owned(),
    })
}

/// Whether a line says something: not blank, not a stack trace, not nodetool's help pointer, not
/// the noise `kubectl exec` adds.
fn is_meaningful(line: &str) -> bool {
    let noise = [
        "Caused by:",
        "-- StackTrace --",
        "See 'nodetool help'",
        "command terminated with exit code",
        "Defaulted container",
    ];
    !line.is_empty()
        && !is_stack_frame(line)
        && !noise.iter().any(|prefix| line.starts_with(prefix))
}

/// `at org.apache.cassandra.tools.NodeTool.main(NodeTool.java:81)` or `... 12 more`.
fn is_stack_frame(line: &str) -> bool {
    (line.starts_with("at ") && line.ends_with(')'))
        || (line.starts_with("... ") && line.ends_with(" more"))
}

fn without_prefix(line: &str) -> String {
    let message = ["nodetool: ", "error: ", "Exception in thread \"main\" "]
        .iter()
        .find_map(|prefix| line.strip_prefix(prefix))
        .unwrap_or(line);
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../tests/fixtures/cassandra-5.0.9/", $name))
        };
    }

    #[test]
    fn jmx_not_listening_yet() {
        let stderr = fixture!("startup-1-connection-refused.txt");
        let failure = classify_failure(1, "", stderr);
        assert_eq!(
            failure,
            NodetoolFailure::JmxNotListening {
                address: "127.1.0.1:7199".into()
            }
        );
        assert!(failure.is_node_starting());
    }

    #[test]
    fn jmx_not_listening_as_java_8_words_it() {
        // Hand-written: Java 8's ConnectException repeats its message in parentheses.
        let stderr = "nodetool: Failed to connect to '10.0.0.7:7199' - ConnectException: \
                      'Connection refused (Connection refused)'.";
        assert_eq!(
            classify_failure(1, "", stderr),
            NodetoolFailure::JmxNotListening {
                address: "10.0.0.7:7199".into()
            }
        );
    }

    #[test]
    fn server_not_initialized_yet() {
        let stderr = fixture!("startup-2-not-initialized.txt");
        let failure = classify_failure(1, "", stderr);
        assert_eq!(failure, NodetoolFailure::NotInitialized);
        assert!(failure.is_node_starting());
    }

    #[test]
    fn no_nodes_present_yet() {
        let stderr = fixture!("startup-3-no-nodes-present.txt");
        let failure = classify_failure(2, "", stderr);
        assert_eq!(failure, NodetoolFailure::NoNodesPresent);
        assert!(failure.is_node_starting());
    }

    #[test]
    fn decommission_refused_on_stdout() {
        let stdout = fixture!("decommission-refused-rf.txt");
        let failure = classify_failure(1, stdout, "");
        let sentence = "Unsupported operation: Not enough live nodes to maintain replication \
                        factor in keyspace system_distributed (RF = 3, N = 3). Perform a \
                        forceful decommission to ignore.";
        assert_eq!(
            failure,
            NodetoolFailure::DecommissionRefused(DecommissionRefusal {
                keyspace: "system_distributed".into(),
                replication_factor: 3,
                nodes: 3,
                sentence: sentence.into(),
            })
        );
        assert!(!failure.is_node_starting());
        assert_eq!(failure.to_string(), sentence);
    }

    #[test]
    fn decommission_refused_on_two_nodes() {
        let stdout = fixture!("decommission-refused-rf-2-nodes.txt");
        let NodetoolFailure::DecommissionRefused(refusal) = classify_failure(1, stdout, "") else {
            panic!("not a refusal");
        };
        assert_eq!(
            (
                refusal.keyspace.as_str(),
                refusal.replication_factor,
                refusal.nodes
            ),
            ("system_distributed", 3, 2)
        );
    }

    #[test]
    fn other_failures_keep_their_first_meaningful_line() {
        let cases = [
            // Hand-written from NodeTool.badUse and Decommission.java: the other refusal.
            (
                1,
                "nodetool: Unsupported operation: no other normal nodes in the ring; \
                 decommission would be pointless\n\
                 See 'nodetool help' or 'nodetool help <command>'.\n",
                "",
                "Unsupported operation: no other normal nodes in the ring; decommission would \
                 be pointless",
            ),
            // Hand-written from NodeTool.err: a trace after the message.
            (
                2,
                "",
                "error: Keyspace [ks] does not exist.\n-- StackTrace --\n\
                 java.lang.IllegalArgumentException: Keyspace [ks] does not exist.\n\
                 \tat org.apache.cassandra.tools.NodeTool$NodeToolCmd.parseOptionalKeyspace(\
                 NodeTool.java:401)\n",
                "Keyspace [ks] does not exist.",
            ),
            // Hand-written from NodeTool.connect: not every connection failure is a start.
            (
                1,
                "",
                "nodetool: Failed to connect to '127.0.0.1:7199' - SecurityException: \
                 'Authentication failed! Credentials required'.\n",
                "Failed to connect to '127.0.0.1:7199' - SecurityException: 'Authentication \
                 failed! Credentials required'.",
            ),
            (
                1,
                "",
                "\n\tat a.b.C(C.java:1)\ncommand terminated with exit code 1\n\
                 Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n",
                "java.lang.OutOfMemoryError: Java heap space",
            ),
        ];
        for (exit_code, stdout, stderr, message) in cases {
            let failure = classify_failure(exit_code, stdout, stderr);
            assert_eq!(
                failure,
                NodetoolFailure::Other {
                    exit_code,
                    message: Some(message.into())
                }
            );
            assert!(!failure.is_node_starting());
        }
    }

    #[test]
    fn a_silent_failure_says_so() {
        let failure = classify_failure(137, "", "\n");
        assert_eq!(
            failure,
            NodetoolFailure::Other {
                exit_code: 137,
                message: None
            }
        );
        assert_eq!(
            failure.to_string(),
            "nodetool failed (exit code 137): no output"
        );
    }

    #[test]
    fn messages_read_as_sentences() {
        let failure = NodetoolFailure::JmxNotListening {
            address: "127.1.0.1:7199".into(),
        };
        assert_eq!(
            failure.to_string(),
            "nodetool could not connect to 127.1.0.1:7199: connection refused"
        );
    }
}
