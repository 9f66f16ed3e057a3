//! A node's state transitions, read from its log as it is written: cheaper than asking the node
//! (a nodetool JVM costs about a CPU-second), and immediate. Only transitions that change the
//! readiness of the node's pod matter; the daemon confirms "up" with one nodetool call.

/// A transition of the node itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// `Startup complete`: joined (or rejoined) the ring, clients may connect.
    Started,
    /// Bootstrapping, leaving, decommissioned, draining, drained or shutting down: the node's
    /// own row is not `UN`, or will not be for long.
    NotNormal,
}

/// The transition a log line announces, if any. Lines look like
/// `INFO  [main] 2026-11-29 16:18:55,388 CassandraDaemon.java:744 - Startup complete`.
pub fn transition(line: &str) -> Option<Transition> {
    let (_, message) = line.split_once(" - ")?;
    let message = message.trim_end();
    if message == "Startup complete" {
        return Some(Transition::Started);
    }
    let not_normal = ["JOINING: ", "LEAVING: ", "DRAINING: "]
        .iter()
        .any(|p| message.starts_with(p))
        || ["DECOMMISSIONED", "DRAINED", "Announcing shutdown"]
            .iter()
            .any(|m| message.starts_with(m));
    not_normal.then_some(Transition::NotNormal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(message: &str) -> String {
        format!("INFO  [main] 2026-11-29 16:18:55,388 StorageService.java:2086 - {message}")
    }

    #[test]
    fn startup_and_mode_changes_are_recognised() {
        assert_eq!(
            transition(&line("Startup complete")),
            Some(Transition::Started)
        );
        for m in [
            "JOINING: waiting for ring information",
            "JOINING: Starting to bootstrap...",
            "LEAVING: sleeping 3000 ms for batch processing and pending range setup",
            "DECOMMISSIONED",
            "DRAINING: starting drain process",
            "DRAINED",
            "Announcing shutdown",
        ] {
            assert_eq!(transition(&line(m)), Some(Transition::NotNormal), "{m}");
        }
    }

    #[test]
    fn other_lines_and_other_nodes_are_not_transitions() {
        for l in [
            line("Node /127.1.0.3:7000 state jump to NORMAL"),
            line("Startup complete, but write survey mode is active"),
            "\tat org.apache.cassandra.service.StorageService.decommission(StorageService.java:5365)".to_string(),
            "This node was decommissioned and will not rejoin the ring".to_string(),
            String::new(),
        ] {
            assert_eq!(transition(&l), None, "{l}");
        }
    }
}
