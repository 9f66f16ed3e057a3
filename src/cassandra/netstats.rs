//! `nodetool netstats`: the node's operation mode and its streaming progress, per stream plan
//! and peer, e.g. while a node leaves:
//!
//! ```text
//! Mode: LEAVING
//! Unbootstrap 5f0c8a70-2b7e-11f0-8e4f-3d1c9a6b2e41
//!     /127.1.0.1
//!         Sending 3 files, 6291456 bytes total. Already sent 1 files (33.33%), 3670016 bytes total (58.33%)
//!             /cassandra_data/data/demo/users-…/oa-1-big-Data.db 2097152/2097152 bytes(100%) sent to idx:0/127.1.0.1
//! Read Repair Statistics:
//! …
//! ```
//!
//! or `Not sending any streams.` when idle. A plan is a `StreamOperation` description and its id;
//! each peer has a `Receiving …` and/or `Sending …` total, then a line per file in progress
//! (`ProgressInfo`). Lines are recognised by their words, not their indentation. The totals are
//! read from the counts and byte sizes, not the percentages, which the JVM prints in its locale
//! and as `NaN` when a total is zero.
//!
//! Two things the format does not promise: a session leaves the output when it completes, so
//! totals can go down between two runs; and with whole-SSTable streaming (4.0+) each component is
//! a file of its own in the done count while the total counts SSTables, so files done can exceed
//! files total. Bytes are consistent either way; [`Progress::fraction`] uses them.
//!
//! `netstats -H` prints rounded sizes (`1.2 MiB`), which this parser refuses rather than
//! misreads: run it without `-H`.

use std::net::{IpAddr, SocketAddr};

/// The node's mode and its streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Netstats {
    pub(crate) mode: OperationMode,
    /// Empty when the node prints `Not sending any streams.`.
    pub(crate) plans: Vec<StreamPlan>,
}

/// `Mode:`, the node's `StorageService` operation mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OperationMode {
    Starting,
    Normal,
    /// Bootstrapping: streaming in the data of the ranges it takes.
    Joining,
    JoiningFailed,
    /// Decommissioning: streaming out the data of the ranges it gives up.
    Leaving,
    Decommissioned,
    DecommissionFailed,
    Moving,
    Draining,
    Drained,
    Other(String),
}

/// A stream plan: one operation, streaming with one or more peers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StreamPlan {
    pub(crate) operation: StreamOperation,
    pub(crate) plan_id: String,
    pub(crate) peers: Vec<PeerStreams>,
}

/// What a plan streams for (`StreamOperation`'s descriptions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StreamOperation {
    /// `Unbootstrap`: a decommission.
    Decommission,
    Bootstrap,
    Rebuild,
    Repair,
    /// `Restore replica count`: after a `removenode`.
    RestoreReplicaCount,
    Relocation,
    BulkLoad,
    Other(String),
}

/// The streams with one peer, as printed (`/127.1.0.1`, or with `-pp`, `/127.1.0.1:7000`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PeerStreams {
    pub(crate) peer: String,
    /// `(using …)`: the address actually connected to, when it differs from the peer's.
    pub(crate) connecting: Option<String>,
    pub(crate) receiving: Option<Transfer>,
    pub(crate) sending: Option<Transfer>,
}

/// One direction of a session: its totals and the files in progress or done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Transfer {
    pub(crate) progress: Progress,
    pub(crate) files: Vec<FileProgress>,
}

/// Files and bytes done of a total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Progress {
    pub(crate) files_done: u64,
    pub(crate) files_total: u64,
    pub(crate) bytes_done: u64,
    pub(crate) bytes_total: u64,
}

/// One file's line: `<path> <done>/<total> bytes(<percent>%) sent to idx:<n><peer>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileProgress {
    pub(crate) path: String,
    pub(crate) bytes_done: u64,
    pub(crate) bytes_total: u64,
}

/// Which way data flows, seen from the node that printed the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Receiving,
    Sending,
}

/// Why `nodetool netstats` output could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NetstatsError {
    #[error("the netstats output has no `Mode:` line")]
    NoMode,
    /// A `Receiving …`/`Sending …` total whose counts are not whole numbers, e.g. from `-H`.
    #[error("line {line} of the netstats output is not a stream total in bytes: {text}")]
    BadTotal { line: usize, text: String },
}

impl Netstats {
    /// Whether any stream plan is in progress.
    pub(crate) fn is_streaming(&self) -> bool {
        !self.plans.is_empty()
    }

    /// The progress of every session in one direction, summed over plans and peers: what a
    /// leaving node sends, what a joining node receives.
    pub(crate) fn total(&self, direction: Direction) -> Progress {
        self.plans
            .iter()
            .flat_map(|plan| &plan.peers)
            .filter_map(|peer| peer.transfer(direction))
            .fold(Progress::default(), |sum, transfer| {
                sum.plus(&transfer.progress)
            })
    }
}

impl PeerStreams {
    /// The session's transfer in one direction, if it has one.
    pub(crate) fn transfer(&self, direction: Direction) -> Option<&Transfer> {
        match direction {
            Direction::Receiving => self.receiving.as_ref(),
            Direction::Sending => self.sending.as_ref(),
        }
    }

    fn transfer_mut(&mut self, direction: Direction) -> Option<&mut Transfer> {
        match direction {
            Direction::Receiving => self.receiving.as_mut(),
            Direction::Sending => self.sending.as_mut(),
        }
    }
}

impl Progress {
    /// Bytes done over bytes total, within 0..=1; `None` while the total is unknown (zero).
    pub(crate) fn fraction(&self) -> Option<f64> {
        if self.bytes_total == 0 {
            return None;
        }
        // Precision loss above 2^53 bytes (8 PiB) does not matter to a progress bar.
        let fraction = self.bytes_done as f64 / self.bytes_total as f64;
        Some(fraction.clamp(0.0, 1.0))
    }

    fn plus(self, other: &Progress) -> Progress {
        Progress {
            files_done: self.files_done.saturating_add(other.files_done),
            files_total: self.files_total.saturating_add(other.files_total),
            bytes_done: self.bytes_done.saturating_add(other.bytes_done),
            bytes_total: self.bytes_total.saturating_add(other.bytes_total),
        }
    }
}

impl OperationMode {
    pub(crate) fn parse(mode: &str) -> OperationMode {
        match mode {
            "STARTING" => OperationMode::Starting,
            "NORMAL" => OperationMode::Normal,
            "JOINING" => OperationMode::Joining,
            "JOINING_FAILED" => OperationMode::JoiningFailed,
            "LEAVING" => OperationMode::Leaving,
            "DECOMMISSIONED" => OperationMode::Decommissioned,
            "DECOMMISSION_FAILED" => OperationMode::DecommissionFailed,
            "MOVING" => OperationMode::Moving,
            "DRAINING" => OperationMode::Draining,
            "DRAINED" => OperationMode::Drained,
            other => OperationMode::Other(other.to_owned()),
        }
    }
}

impl StreamOperation {
    fn parse(description: &str) -> StreamOperation {
        match description.to_ascii_lowercase().as_str() {
            "unbootstrap" | "decommission" => StreamOperation::Decommission,
            "bootstrap" => StreamOperation::Bootstrap,
            "rebuild" => StreamOperation::Rebuild,
            "repair" => StreamOperation::Repair,
            "restore replica count" => StreamOperation::RestoreReplicaCount,
            "relocation" => StreamOperation::Relocation,
            "bulk load" => StreamOperation::BulkLoad,
            _ => StreamOperation::Other(description.to_owned()),
        }
    }
}

/// Reads the output of `nodetool netstats` (without `-H`).
pub(crate) fn parse_netstats(text: &str) -> Result<Netstats, NetstatsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut mode = None;
    let mut plans: Vec<StreamPlan> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(value) = line.strip_prefix("Mode:") {
            mode.get_or_insert_with(|| OperationMode::parse(value.trim()));
            continue;
        }
        if mode.is_some() {
            read_stream_line(&mut plans, index + 1, line)?;
        }
    }
    let mode = mode.ok_or(NetstatsError::NoMode)?;
    Ok(Netstats { mode, plans })
}

fn read_stream_line(
    plans: &mut Vec<StreamPlan>,
    number: usize,
    line: &str,
) -> Result<(), NetstatsError> {
    if let Some((direction, progress)) = stream_total(line) {
        let progress = progress.ok_or_else(|| NetstatsError::BadTotal {
            line: number,
            text: line.to_owned(),
        })?;
        if let Some(peer) = plans.last_mut().and_then(|plan| plan.peers.last_mut()) {
            let transfer = Some(Transfer {
                progress,
                files: Vec::new(),
            });
            match direction {
                Direction::Receiving => peer.receiving = transfer,
                Direction::Sending => peer.sending = transfer,
            }
        }
    } else if let Some((direction, file)) = file_progress(line) {
        let transfer = plans
            .last_mut()
            .and_then(|plan| plan.peers.last_mut())
            .and_then(|peer| peer.transfer_mut(direction));
        if let Some(transfer) = transfer {
            transfer.files.push(file);
        }
    } else if let Some(plan) = plan_header(line) {
        plans.push(plan);
    } else if let Some(peer) = peer_line(line)
        && let Some(plan) = plans.last_mut()
    {
        plan.peers.push(peer);
    }
    Ok(())
}

/// `Receiving 2 files, 4194304 bytes total. Already received 1 files (50.00%), 3145728 bytes
/// total (75.00%)`, or `Sending …`/`sent`. The inner `Option` is `None` when the line is a total
/// but its numbers cannot be read.
fn stream_total(line: &str) -> Option<(Direction, Option<Progress>)> {
    let (direction, rest, done_word) = if let Some(rest) = line.strip_prefix("Receiving ") {
        (Direction::Receiving, rest, "Already received ")
    } else if let Some(rest) = line.strip_prefix("Sending ") {
        (Direction::Sending, rest, "Already sent ")
    } else {
        return None;
    };
    if !rest.contains(" files, ") {
        return None;
    }
    Some((direction, read_total(rest, done_word)))
}

fn read_total(rest: &str, done_word: &str) -> Option<Progress> {
    let (files_total, rest) = rest.split_once(" files, ")?;
    let (bytes_total, rest) = rest.split_once(" bytes total. ")?;
    let rest = rest.strip_prefix(done_word)?;
    let (files_done, rest) = rest.split_once(" files (")?;
    let (_, rest) = rest.split_once("), ")?;
    let (bytes_done, _) = rest.split_once(" bytes total (")?;
    Some(Progress {
        files_done: whole_number(files_done)?,
        files_total: whole_number(files_total)?,
        bytes_done: whole_number(bytes_done)?,
        bytes_total: whole_number(bytes_total)?,
    })
}

/// `<path> <done>/<total> bytes(<percent>%) sent to idx:<n><peer>` or `… received from …`. The
/// path may hold spaces, so the line is read from the right.
fn file_progress(line: &str) -> Option<(Direction, FileProgress)> {
    let (before, after) = line.rsplit_once(" bytes(")?;
    let (_, after) = after.split_once("%) ")?;
    let direction = if after.starts_with("sent to idx:") {
        Direction::Sending
    } else if after.starts_with("received from idx:") {
        Direction::Receiving
    } else {
        return None;
    };
    let (path, counts) = before.rsplit_once(' ')?;
    let (done, total) = counts.split_once('/')?;
    let file = FileProgress {
        path: path.to_owned(),
        bytes_done: whole_number(done)?,
        bytes_total: whole_number(total)?,
    };
    Some((direction, file))
}

/// `<description> <plan id>`, e.g. `Unbootstrap 5f0c8a70-2b7e-11f0-8e4f-3d1c9a6b2e41`; the
/// description may have several words (`Restore replica count`).
fn plan_header(line: &str) -> Option<StreamPlan> {
    let (description, plan_id) = line.rsplit_once(' ')?;
    let description = description.trim();
    (is_uuid(plan_id) && !description.is_empty()).then(|| StreamPlan {
        operation: StreamOperation::parse(description),
        plan_id: plan_id.to_owned(),
        peers: Vec::new(),
    })
}

/// `/127.1.0.1`, `host/10.0.0.1:7000` or `/[::1]:7000` (Java's `InetAddress` form), or a bare
/// address, optionally followed by `(using /10.0.0.2)`.
fn peer_line(line: &str) -> Option<PeerStreams> {
    let (peer, connecting) = match line.split_once(" (using ") {
        Some((peer, using)) => (peer, Some(using.strip_suffix(')')?.to_owned())),
        None => (line, None),
    };
    let is_address = !peer.contains(char::is_whitespace)
        && (peer.contains('/')
            || peer.parse::<IpAddr>().is_ok()
            || peer.parse::<SocketAddr>().is_ok());
    is_address.then(|| PeerStreams {
        peer: peer.to_owned(),
        connecting,
        receiving: None,
        sending: None,
    })
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|group| group.len()).collect();
    lengths == [8, 4, 4, 4, 12]
        && groups
            .iter()
            .all(|group| group.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

fn whole_number(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../tests/fixtures/cassandra-5.0.9/", $name))
        };
    }

    const LEAVING: &str = fixture!("netstats-leaving-streaming.txt");
    const JOINING: &str = fixture!("netstats-joining-receiving.txt");

    /// An output from its lines.
    fn lines(lines: &[&str]) -> String {
        lines.join("\n") + "\n"
    }

    fn parse_ok(text: &str) -> Netstats {
        parse_netstats(text).unwrap_or_else(|error| panic!("{error}\n--- input ---\n{text}"))
    }

    fn progress(files_done: u64, files_total: u64, bytes_done: u64, bytes_total: u64) -> Progress {
        Progress {
            files_done,
            files_total,
            bytes_done,
            bytes_total,
        }
    }

    #[test]
    fn idle_node_streams_nothing() {
        let netstats = parse_ok(fixture!("netstats-idle.txt"));
        assert_eq!(netstats.mode, OperationMode::Normal);
        assert!(!netstats.is_streaming());
        assert_eq!(netstats.total(Direction::Sending).fraction(), None);
    }

    #[test]
    fn leaving_node_sends_to_each_peer() {
        let netstats = parse_ok(LEAVING);
        assert_eq!(netstats.mode, OperationMode::Leaving);
        let [plan] = netstats.plans.as_slice() else {
            panic!("one plan: {netstats:#?}");
        };
        assert_eq!(plan.operation, StreamOperation::Decommission);
        assert_eq!(plan.plan_id, "5f0c8a70-2b7e-11f0-8e4f-3d1c9a6b2e41");
        let peers: Vec<(&str, Option<Progress>, usize)> = plan
            .peers
            .iter()
            .map(|peer| {
                let sending = peer.sending.as_ref();
                assert_eq!(peer.receiving, None);
                (
                    peer.peer.as_str(),
                    sending.map(|t| t.progress),
                    sending.map_or(0, |t| t.files.len()),
                )
            })
            .collect();
        assert_eq!(
            peers,
            [
                ("/127.1.0.1", Some(progress(1, 3, 3_670_016, 6_291_456)), 2),
                ("/127.1.0.2", Some(progress(3, 1, 48_128, 48_298)), 3),
            ]
        );
        let first_file = &plan.peers[0].sending.as_ref().unwrap().files[1];
        assert_eq!(
            first_file,
            &FileProgress {
                path: "/cassandra_data/data/demo/users-4f1e2a90c3d111efa1b2c3d4e5f60718/oa-2-big-Data.db"
                    .into(),
                bytes_done: 1_572_864,
                bytes_total: 3_145_728,
            }
        );
    }

    #[test]
    fn leaving_total_sums_every_peer_by_bytes() {
        let netstats = parse_ok(LEAVING);
        let total = netstats.total(Direction::Sending);
        assert_eq!(total, progress(4, 4, 3_718_144, 6_339_754));
        let fraction = total.fraction().unwrap();
        assert!((fraction - 3_718_144.0 / 6_339_754.0).abs() < 1e-12);
        assert_eq!(netstats.total(Direction::Receiving), Progress::default());
    }

    #[test]
    fn joining_node_receives_from_each_peer() {
        let netstats = parse_ok(JOINING);
        assert_eq!(netstats.mode, OperationMode::Joining);
        let [plan] = netstats.plans.as_slice() else {
            panic!("one plan: {netstats:#?}");
        };
        assert_eq!(plan.operation, StreamOperation::Bootstrap);
        assert_eq!(plan.peers.len(), 2);
        assert_eq!(plan.peers[0].receiving.as_ref().unwrap().files.len(), 2);
        assert_eq!(plan.peers[1].receiving.as_ref().unwrap().files, []);
        let total = netstats.total(Direction::Receiving);
        assert_eq!(total, progress(1, 3, 3_145_728, 5_242_880));
        assert_eq!(total.fraction(), Some(0.6));
    }

    #[test]
    fn human_readable_sizes_are_refused_not_misread() {
        // Hand-written from NetStats.java with -H: FileUtils.stringifyFileSize rounds to 2 places.
        let total = "Sending 3 files, 6 MiB total. Already sent 1 files (33.33%), 3.5 MiB total \
                     (58.33%)";
        let text = lines(&[
            "Mode: LEAVING",
            "Unbootstrap 5f0c8a70-2b7e-11f0-8e4f-3d1c9a6b2e41",
            "    /127.1.0.1",
            &format!("        {total}"),
        ]);
        assert_eq!(
            parse_netstats(&text),
            Err(NetstatsError::BadTotal {
                line: 4,
                text: total.into(),
            })
        );
    }

    #[test]
    fn percentages_in_any_locale_or_nan_do_not_matter() {
        // Hand-written: a German JVM prints `50,00`, and a zero total prints `NaN`.
        let text = lines(&[
            "Mode: JOINING",
            "Bootstrap 9d3e6b40-2b80-11f0-a7c2-1f4e8d2c6b53",
            "    /10.0.0.1:7000 (using /192.168.0.1:7000)",
            "        Receiving 2 files, 100 bytes total. Already received 1 files (50,00%), 50 \
             bytes total (50,00%)",
            "        Sending 0 files, 0 bytes total. Already sent 0 files (NaN%), 0 bytes total \
             (NaN%) ",
        ]);
        let netstats = parse_ok(&text);
        let peer = &netstats.plans[0].peers[0];
        assert_eq!(peer.peer, "/10.0.0.1:7000");
        assert_eq!(peer.connecting.as_deref(), Some("/192.168.0.1:7000"));
        assert_eq!(
            peer.receiving.as_ref().map(|t| t.progress),
            Some(progress(1, 2, 50, 100))
        );
        assert_eq!(netstats.total(Direction::Sending).fraction(), None);
    }

    #[test]
    fn peers_printed_without_java_s_slash_are_read_too() {
        for peer in [
            "10.0.0.1",
            "10.0.0.1:7000",
            "[2001:db8::1]:7000",
            "2001:db8::1",
        ] {
            let text = lines(&[
                "Mode: LEAVING",
                "Unbootstrap 5f0c8a70-2b7e-11f0-8e4f-3d1c9a6b2e41",
                &format!("    {peer}"),
                "        Sending 1 files, 10 bytes total. Already sent 0 files (0.00%), 5 bytes \
                 total (50.00%) ",
            ]);
            let netstats = parse_ok(&text);
            assert_eq!(netstats.plans[0].peers[0].peer, peer);
            assert_eq!(netstats.total(Direction::Sending).fraction(), Some(0.5));
        }
    }

    #[test]
    fn every_operation_and_mode_is_named() {
        let operations = [
            ("Unbootstrap", StreamOperation::Decommission),
            ("Decommission", StreamOperation::Decommission),
            ("Bootstrap", StreamOperation::Bootstrap),
            ("Rebuild", StreamOperation::Rebuild),
            ("Repair", StreamOperation::Repair),
            (
                "Restore replica count",
                StreamOperation::RestoreReplicaCount,
            ),
            ("Relocation", StreamOperation::Relocation),
            ("Bulk Load", StreamOperation::BulkLoad),
            (
                "Accord SSTable Import",
                StreamOperation::Other("Accord SSTable Import".into()),
            ),
        ];
        for (description, operation) in operations {
            let text =
                format!("Mode: NORMAL\n{description} 5f0c8a70-2b7e-11f0-8e4f-3d1c9a6b2e41\n");
            assert_eq!(
                parse_ok(&text).plans[0].operation,
                operation,
                "{description}"
            );
        }
        for (mode, expected) in [
            ("STARTING", OperationMode::Starting),
            ("JOINING_FAILED", OperationMode::JoiningFailed),
            ("DECOMMISSIONED", OperationMode::Decommissioned),
            ("DECOMMISSION_FAILED", OperationMode::DecommissionFailed),
            ("MOVING", OperationMode::Moving),
            ("DRAINING", OperationMode::Draining),
            ("DRAINED", OperationMode::Drained),
            ("LIMBO", OperationMode::Other("LIMBO".into())),
        ] {
            assert_eq!(parse_ok(&format!("Mode: {mode}\n")).mode, expected);
        }
    }

    #[test]
    fn layout_details_do_not_change_the_reading() {
        for text in [LEAVING, JOINING] {
            let expected = parse_ok(text);
            for variant in [
                text.replace('\n', "\r\n"),
                text.replace("    ", "\t"),
                format!("\u{feff}{text}"),
            ] {
                assert_eq!(parse_ok(&variant), expected);
            }
        }
    }

    #[test]
    fn output_without_a_mode_is_refused() {
        let stderr = fixture!("startup-3-no-nodes-present.txt");
        for text in ["", "Not sending any streams.\n", stderr] {
            assert_eq!(parse_netstats(text), Err(NetstatsError::NoMode));
        }
    }

    #[test]
    fn fraction_stays_within_bounds() {
        assert_eq!(progress(0, 1, 5, 4).fraction(), Some(1.0));
        assert_eq!(progress(0, 0, 0, 8).fraction(), Some(0.0));
        let huge = progress(u64::MAX, u64::MAX, u64::MAX, u64::MAX);
        assert_eq!(huge.plus(&huge), huge);
    }
}
