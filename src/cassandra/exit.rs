//! Why a Cassandra JVM exited, from the tail of its container log (`kubectl logs --previous`).
//!
//! A startup failure ends the log with the exception three times over (`CassandraDaemon`): on
//! stdout as `Exception (<class>) encountered during startup: <message>`, in the log as `ERROR
//! [main] … - Exception encountered during startup…`, and on stderr as the message or a stack
//! trace. The causes a Kubernetes user can act on are told apart by their sentence; anything
//! else is reported by its last error line.

/// Why the JVM stopped, as far as its log says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ExitCause {
    /// The data on the node's volume belongs to a node that was decommissioned, and Cassandra
    /// will not let it rejoin. The fix: start it on a new, empty claim (its data was streamed
    /// to the other nodes when it left), or with `-Dcassandra.override_decommission=true`.
    #[error(
        "\"This node was decommissioned and will not rejoin the ring\": its data belongs to a \
         decommissioned node, which Cassandra will not let rejoin"
    )]
    Decommissioned,
    /// `The seed provider lists no seeds.`: the seed's name did not resolve (e.g. a seed
    /// address hard-coded to another namespace).
    #[error("the seed provider lists no seeds")]
    NoSeeds,
    /// `Unable to contact any seeds`: gossip heard from no seed while bootstrapping.
    #[error("unable to contact any seeds")]
    SeedsUnreachable,
    /// `Unable to gossip with any peers` (`seeds` before 4.0): a node that is not a seed found
    /// no one to gossip with.
    #[error("unable to gossip with any peers")]
    PeersUnreachable,
    /// `A node with address … already exists, cancelling join.`: another node's state in gossip
    /// holds this address.
    #[error("{message}")]
    AddressCollision { message: String },
    /// `Cannot replace …`: a replacement (`cassandra.replace_address`) that cannot go ahead.
    #[error("{message}")]
    ReplaceRefused { message: String },
    /// `java.lang.OutOfMemoryError`, with its kind when printed (e.g. `Java heap space`).
    #[error("out of memory{}", in_parentheses(.kind))]
    OutOfMemory { kind: Option<String> },
    /// `Exception (<exception>) encountered during startup: <message>`, for any other cause.
    #[error("{exception} during startup: {message}")]
    StartupException { exception: String, message: String },
    /// The last error line of the log, without its logger prefix.
    #[error("{line}")]
    LastError { line: String },
}

/// ` (kind)`, or nothing.
fn in_parentheses(kind: &Option<String>) -> String {
    kind.as_deref()
        .map(|kind| format!(" ({kind})"))
        .unwrap_or_default()
}

/// Finds why the JVM exited from its log, or `None` when the log shows no error. The last line
/// that names a known cause wins: a log may hold an earlier, survived error.
pub(crate) fn diagnose_exit(log: &str) -> Option<ExitCause> {
    let lines: Vec<&str> = log.lines().map(str::trim).collect();
    lines
        .iter()
        .rev()
        .find_map(|line| known_cause(line))
        .or_else(|| lines.iter().rev().find_map(|line| startup_exception(line)))
        .or_else(|| last_error(&lines))
}

fn known_cause(line: &str) -> Option<ExitCause> {
    if line.contains("This node was decommissioned and will not rejoin the ring") {
        return Some(ExitCause::Decommissioned);
    }
    if line.contains("The seed provider lists no seeds") {
        return Some(ExitCause::NoSeeds);
    }
    if line.contains("Unable to contact any seeds") {
        return Some(ExitCause::SeedsUnreachable);
    }
    // A seed logs `Unable to gossip with any peers but continuing anyway since node is in its
    // own seed list` at INFO and starts normally.
    let gossip = [
        "Unable to gossip with any peers",
        "Unable to gossip with any seeds",
    ];
    if gossip.iter().any(|text| line.contains(text)) && !line.contains("continuing anyway") {
        return Some(ExitCause::PeersUnreachable);
    }
    if let Some(message) = sentence_from(line, "A node with address ")
        .filter(|message| message.contains("already exists, cancelling join"))
    {
        return Some(ExitCause::AddressCollision { message });
    }
    if let Some(message) = sentence_from(line, "Cannot replace") {
        return Some(ExitCause::ReplaceRefused { message });
    }
    out_of_memory(line)
}

/// The rest of the line from `start` on, where the message begins after a log or exception
/// prefix.
fn sentence_from(line: &str, start: &str) -> Option<String> {
    line.find(start).map(|at| line[at..].to_owned())
}

/// `java.lang.OutOfMemoryError: Java heap space`, alone or after `Exception in thread …` or
/// `Terminating due to`. JVM flags such as `-XX:+HeapDumpOnOutOfMemoryError` do not count.
fn out_of_memory(line: &str) -> Option<ExitCause> {
    const ERROR: &str = "java.lang.OutOfMemoryError";
    let at = line.find(ERROR)?;
    let kind = line[at + ERROR.len()..]
        .strip_prefix(':')
        .map(str::trim)
        .filter(|kind| !kind.is_empty())
        .map(str::to_owned);
    Some(ExitCause::OutOfMemory { kind })
}

/// `Exception (java.lang.RuntimeException) encountered during startup: <message>`.
fn startup_exception(line: &str) -> Option<ExitCause> {
    let rest = line.strip_prefix("Exception (")?;
    let (exception, message) = rest.split_once(") encountered during startup:")?;
    Some(ExitCause::StartupException {
        exception: exception.to_owned(),
        message: message.trim().to_owned(),
    })
}

fn last_error(lines: &[&str]) -> Option<ExitCause> {
    lines.iter().rev().find_map(|line| {
        error_message(line).map(|message| ExitCause::LastError {
            line: message.to_owned(),
        })
    })
}

/// An `ERROR` log line (its message, after the `ERROR [thread] date File.java:123 - ` prefix) or
/// an exception's first line (`java.lang.IllegalStateException: …`, `Caused by: …`), never a
/// stack frame.
fn error_message(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("ERROR") {
        let message = rest.split_once(" - ").map_or(rest, |(_, message)| message);
        return Some(message.trim()).filter(|message| !message.is_empty());
    }
    let exception = line.strip_prefix("Caused by: ").unwrap_or(line);
    let exception = exception
        .split_once("Exception in thread ")
        .map_or(exception, |(_, rest)| {
            rest.split_once(' ').map_or(rest, |(_, after)| after)
        });
    is_exception_header(exception).then_some(exception)
}

/// `java.lang.RuntimeException` or `org.apache.…ConfigurationException: message`: a qualified
/// class name ending in `Exception` or `Error`, then the message.
fn is_exception_header(text: &str) -> bool {
    let class = text.split_once(':').map_or(text, |(class, _)| class);
    let qualified = class.contains('.')
        && class.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        });
    qualified && (class.ends_with("Exception") || class.ends_with("Error"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECOMMISSIONED: &str = "This node was decommissioned and will not rejoin the ring unless \
        -Dcassandra.override_decommission=true has been set, or all existing data is removed and \
        the node is bootstrapped again";

    /// A log from its lines, as `kubectl logs` prints them.
    fn log(lines: &[&str]) -> String {
        lines.join("\n") + "\n"
    }

    #[test]
    fn restarted_on_a_decommissioned_node_s_data() {
        let log = include_str!("../../tests/fixtures/cassandra-5.0.9/start-after-decommission.txt");
        assert_eq!(log.trim(), DECOMMISSIONED);
        assert_eq!(diagnose_exit(log), Some(ExitCause::Decommissioned));
    }

    #[test]
    fn a_decommissioned_node_is_told_in_cassandra_s_own_words() {
        // The sentence to search for (in the log, in Cassandra's documentation), then why.
        let told = ExitCause::Decommissioned.to_string();
        assert!(
            told.starts_with("\"This node was decommissioned and will not rejoin the ring\""),
            "{told}"
        );
        assert!(told.contains("decommissioned node"), "{told}");
    }

    #[test]
    fn decommissioned_in_a_hand_written_full_startup_log() {
        // From CassandraDaemon.activate and StorageService.prepareToJoin (5.0): a
        // ConfigurationException is printed and logged without its stack trace.
        let log = log(&[
            "INFO  [main] 2025-06-01 10:00:01,000 StorageService.java:1022 - Cassandra version: 5.0.9",
            &format!(
                "Exception (org.apache.cassandra.exceptions.ConfigurationException) encountered \
                 during startup: {DECOMMISSIONED}"
            ),
            &format!(
                "ERROR [main] 2025-06-01 10:00:02,000 CassandraDaemon.java:888 - Exception \
                 encountered during startup: {DECOMMISSIONED}"
            ),
            DECOMMISSIONED,
        ]);
        assert_eq!(diagnose_exit(&log), Some(ExitCause::Decommissioned));
    }

    #[test]
    fn hand_written_seeds_and_peers_unreachable() {
        // From StorageService.bootstrap, Gossiper.doShadowRound and
        // SimpleSeedProvider (5.0, and the 3.x wording).
        let cases = [
            (
                log(&[
                    "Exception (java.lang.IllegalStateException) encountered during startup: \
                     Unable to contact any seeds: [cassandra-0.cassandra/10.0.0.5:7000]",
                ]),
                ExitCause::SeedsUnreachable,
            ),
            (
                log(&[
                    "java.lang.RuntimeException: Unable to gossip with any peers",
                    "\tat org.apache.cassandra.gms.Gossiper.doShadowRound(Gossiper.java:1970)",
                ]),
                ExitCause::PeersUnreachable,
            ),
            (
                log(&[
                    "ERROR [main] 2017-01-01 00:00:00,000 CassandraDaemon.java:752 - Exception \
                     encountered during startup",
                    "java.lang.RuntimeException: Unable to gossip with any seeds",
                ]),
                ExitCause::PeersUnreachable,
            ),
            (
                log(&[
                    "WARN  14:28:17 Seed provider couldn't lookup host \
                     cassandra-0.cassandra.default.svc.cluster.local",
                    "The seed provider lists no seeds.",
                    "Exception (org.apache.cassandra.exceptions.ConfigurationException) \
                     encountered during startup: The seed provider lists no seeds.",
                ]),
                ExitCause::NoSeeds,
            ),
        ];
        for (log, cause) in cases {
            assert_eq!(diagnose_exit(&log), Some(cause), "{log}");
        }
    }

    #[test]
    fn a_seed_that_gossips_alone_is_not_a_failure() {
        // Hand-written from StorageService.checkForEndpointCollision: INFO on every seed.
        let log = log(&[
            "INFO  [main] 2025-06-01 10:00:01,000 StorageService.java:700 - Unable to gossip \
             with any peers but continuing anyway since node is in its own seed list",
            "INFO  [main] 2025-06-01 10:00:02,000 StorageService.java:900 - Starting up server \
             gossip",
        ]);
        assert_eq!(diagnose_exit(&log), None);
    }

    #[test]
    fn hand_written_address_collision_and_replace_refusals() {
        // From StorageService.checkForEndpointCollision and prepareForReplacement.
        let collision = "A node with address /10.0.0.7:7000 already exists, cancelling join. \
                         Use cassandra.replace_address if you want to replace this node.";
        let log = log(&[
            &format!(
                "Exception (java.lang.RuntimeException) encountered during startup: {collision}"
            ),
            &format!("java.lang.RuntimeException: {collision}"),
            "\tat org.apache.cassandra.service.StorageService.checkForEndpointCollision(\
             StorageService.java:780)",
        ]);
        assert_eq!(
            diagnose_exit(&log),
            Some(ExitCause::AddressCollision {
                message: collision.into()
            })
        );
        let replace = "Cannot replace address with a node that is already bootstrapped";
        let log = format!("java.lang.RuntimeException: {replace}\n\tat x.y.Z(Z.java:1)\n");
        assert_eq!(
            diagnose_exit(&log),
            Some(ExitCause::ReplaceRefused {
                message: replace.into()
            })
        );
    }

    #[test]
    fn hand_written_out_of_memory_with_its_kind() {
        // The JVM's own lines, and its flags in Cassandra's startup log.
        let flags = "INFO  [main] 2025-06-01 10:00:00,000 CassandraDaemon.java:600 - JVM Arguments: \
                     [-Xmx512M, -XX:+HeapDumpOnOutOfMemoryError, -XX:+CrashOnOutOfMemoryError]";
        let log = log(&[
            flags,
            "Exception in thread \"CompactionExecutor:1\" java.lang.OutOfMemoryError: Java heap \
             space",
            "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)",
        ]);
        let cause = diagnose_exit(&log).unwrap();
        assert_eq!(
            cause,
            ExitCause::OutOfMemory {
                kind: Some("Java heap space".into())
            }
        );
        assert_eq!(cause.to_string(), "out of memory (Java heap space)");
        assert_eq!(diagnose_exit(flags), None);
        let bare = diagnose_exit("Terminating due to java.lang.OutOfMemoryError").unwrap();
        assert_eq!(bare, ExitCause::OutOfMemory { kind: None });
        assert_eq!(bare.to_string(), "out of memory");
    }

    #[test]
    fn hand_written_other_startup_exception() {
        // From CassandraDaemon.activate.
        let log = log(&[
            "Exception (org.apache.cassandra.exceptions.ConfigurationException) encountered \
             during startup: Invalid yaml: file:/etc/cassandra/cassandra.yaml",
            "ERROR [main] 2025-06-01 10:00:02,000 CassandraDaemon.java:888 - Exception \
             encountered during startup: Invalid yaml: file:/etc/cassandra/cassandra.yaml",
        ]);
        let cause = diagnose_exit(&log).unwrap();
        assert_eq!(
            cause,
            ExitCause::StartupException {
                exception: "org.apache.cassandra.exceptions.ConfigurationException".into(),
                message: "Invalid yaml: file:/etc/cassandra/cassandra.yaml".into(),
            }
        );
        assert_eq!(
            cause.to_string(),
            "org.apache.cassandra.exceptions.ConfigurationException during startup: Invalid \
             yaml: file:/etc/cassandra/cassandra.yaml"
        );
    }

    #[test]
    fn hand_written_last_error_line_otherwise() {
        // A JVM that ran, then died on a disk failure: the root cause is the last exception.
        let log = log(&[
            "ERROR [CompactionExecutor:2] 2025-06-01 11:00:00,000 CassandraDaemon.java:244 - \
             Exception in thread Thread[CompactionExecutor:2,1,main]",
            "org.apache.cassandra.io.FSWriteError: java.io.IOException: No space left on device",
            "\tat org.apache.cassandra.io.util.SequentialWriter.flushData(SequentialWriter.java:180)",
            "Caused by: java.io.IOException: No space left on device",
            "\t... 12 common frames omitted",
            "INFO  [StorageServiceShutdownHook] 2025-06-01 11:00:01,000 HintsService.java:222 - \
             Paused hints dispatch",
        ]);
        assert_eq!(
            diagnose_exit(&log),
            Some(ExitCause::LastError {
                line: "java.io.IOException: No space left on device".into()
            })
        );
        let only_logged = "ERROR [main] 2025-06-01 11:00:00,000 Foo.java:1 - Something broke\n";
        assert_eq!(
            diagnose_exit(only_logged),
            Some(ExitCause::LastError {
                line: "Something broke".into()
            })
        );
    }

    #[test]
    fn a_clean_log_has_no_cause() {
        let log = log(&[
            "INFO  [main] 2025-06-01 10:00:00,000 CassandraDaemon.java:700 - Startup complete",
            "WARN  [main] 2025-06-01 10:00:00,000 StartupChecks.java:200 - JMX is not enabled",
        ]);
        assert_eq!(diagnose_exit(&log), None);
        assert_eq!(diagnose_exit(""), None);
    }
}
