//! The ring as `nodetool status` reports it, and a parser for what it prints.
//!
//! Pure: [`parse_status`] takes the text captured from a pod and returns the ring, or says why it
//! cannot. It reads every layout Cassandra 2.x to 5.0 prints (see
//! `tests/fixtures/nodetool/FORMAT.md`). Rows are split on whitespace and matched to the columns
//! the header names, never cut at fixed offsets: the 2.x/3.x `printf` columns overflow, and the
//! 4.x+ tables pad every cell, the last one included, to a width shared by all datacenters.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

/// The whole ring: one entry per `Datacenter:` block, in the order nodetool printed them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RingStatus {
    /// The data centers, each with its nodes.
    pub datacenters: Vec<Datacenter>,
    /// The `Note: …` lines printed after the table, e.g. when effective ownership is meaningless.
    pub notes: Vec<String>,
}

/// One `Datacenter:` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Datacenter {
    /// The data center's name, as on its `Datacenter:` line.
    pub name: String,
    /// Its rows, in the order nodetool printed them (by token, not by address).
    pub nodes: Vec<Node>,
}

/// One row of the table. `None` wherever nodetool printed `?`, `null` or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Up, down or unknown (the first letter of the row).
    pub status: NodeStatus,
    /// Normal, leaving, joining or moving (the second letter).
    pub state: NodeState,
    /// As printed: an IP, `ip:port`, `[ipv6]:port`, `host/ip:port` or a hostname (`-r`).
    pub address: String,
    /// As printed, e.g. `83.57 KiB`.
    pub load: Option<String>,
    /// The load in bytes (`KiB` and the like are powers of 1024).
    pub load_bytes: Option<u64>,
    /// The number of tokens the node owns; `None` in the one-token-per-node layout.
    pub tokens: Option<u32>,
    /// The effective ownership in percent; `None` for `?` (a joining node, or no keyspace).
    pub owns_percent: Option<f64>,
    /// The node's host ID, which it keeps on its data volume.
    pub host_id: Option<String>,
    /// The node's token in the one-token-per-node layout; `None` otherwise.
    pub token: Option<String>,
    /// The rack the node reports.
    pub rack: String,
}

/// The first letter of a row: whether gossip sees the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeStatus {
    /// `U`: gossip sees the node alive.
    Up,
    /// `D`: gossip lost the node.
    Down,
    /// `?`: neither live nor unreachable, e.g. a node gossip has not heard of yet.
    Unknown,
}

/// The second letter of a row: what the node is doing in the ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    /// `N`: serving its share of the ring.
    Normal,
    /// `L`: decommissioning.
    Leaving,
    /// `J`: bootstrapping.
    Joining,
    /// `M`: moving to a new token.
    Moving,
}

/// Why `nodetool status` output could not be read as a ring.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// nodetool printed an error instead of a table; this is its line, e.g.
    /// `Error: The keyspace ks, does not exist`.
    #[error("nodetool status failed: {0}")]
    Error(String),
    /// No `Datacenter:` line: not `nodetool status` output.
    #[error("the nodetool status output has no `Datacenter:` line")]
    NoDatacenter,
    /// The table has no rows.
    #[error("the nodetool status output lists no nodes")]
    NoNodes,
    /// A line that starts like a row but is none.
    #[error("line {line} of the nodetool status output is not a node row ({reason}): {text}")]
    BadRow {
        /// The line number, from 1.
        line: usize,
        /// The line as printed.
        text: String,
        /// What is wrong with it.
        reason: RowProblem,
    },
}

/// What is wrong with a line that starts like a node row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    /// The first two letters are no status and state code.
    #[error("`{0}` is not a status and state code such as UN")]
    BadCode(String),
    /// Fewer fields than the header has columns.
    #[error("it has fewer fields than the header names")]
    MissingFields,
    /// More fields than the header has columns.
    #[error("it has more fields than the header names")]
    ExtraFields,
    /// The load is not a size.
    #[error("load `{0}` is neither `?` nor a number and a unit")]
    BadLoad(String),
    /// The token count is not a number.
    #[error("token count `{0}` is not a whole number")]
    BadTokens(String),
    /// The ownership is not a percentage.
    #[error("ownership `{0}` is neither `?` nor a percentage")]
    BadOwns(String),
}

impl RingStatus {
    /// Every node with its datacenter, in the order nodetool printed them.
    pub fn nodes(&self) -> impl Iterator<Item = (&Datacenter, &Node)> {
        self.datacenters
            .iter()
            .flat_map(|dc| dc.nodes.iter().map(move |node| (dc, node)))
    }

    /// Whether some node's address is `ip` (a pod IP), compared as addresses so that
    /// differently written IPv6 forms match.
    pub fn has_address(&self, ip: &str) -> bool {
        let Ok(ip) = ip.parse::<IpAddr>() else {
            return false;
        };
        self.nodes().any(|(_, n)| n.ip() == Some(ip))
    }
}

impl Node {
    /// `UN`: the only state in which a node serves its share of the ring.
    pub fn is_up_normal(&self) -> bool {
        self.status == NodeStatus::Up && self.state == NodeState::Normal
    }

    /// The two letters nodetool prints, e.g. `UN`, `DN`, `UL`, `?N`.
    pub fn code(&self) -> String {
        [self.status.letter(), self.state.letter()].iter().collect()
    }

    /// Whether the node's address is `ip` (a pod IP), compared as addresses.
    pub(crate) fn address_is(&self, ip: &str) -> bool {
        ip.parse::<IpAddr>().is_ok_and(|ip| self.ip() == Some(ip))
    }

    /// The node's IP, to match it with a pod; `None` when nodetool printed a hostname (`-r`).
    pub fn ip(&self) -> Option<IpAddr> {
        ip_of_address(&self.address)
    }
}

impl NodeStatus {
    /// The letter nodetool prints first: `U`, `D` or `?`.
    pub fn letter(self) -> char {
        match self {
            NodeStatus::Up => 'U',
            NodeStatus::Down => 'D',
            NodeStatus::Unknown => '?',
        }
    }
}

impl NodeState {
    /// The letter nodetool prints second: `N`, `L`, `J` or `M`.
    pub fn letter(self) -> char {
        match self {
            NodeState::Normal => 'N',
            NodeState::Leaving => 'L',
            NodeState::Joining => 'J',
            NodeState::Moving => 'M',
        }
    }
}

/// Reads the output of `nodetool status` (stdout, possibly with stderr merged in).
pub fn parse_status(text: &str) -> Result<RingStatus, ParseError> {
    // A capture that went through some Windows tools starts with a byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser::default();
    for (index, line) in text.lines().enumerate() {
        parser.read_line(index + 1, line)?;
    }
    parser.finish()
}

#[derive(Default)]
struct Parser {
    datacenters: Vec<Datacenter>,
    /// The columns named by the current datacenter's header, once it has been seen.
    columns: Option<Vec<Column>>,
    notes: Vec<String>,
    /// The first error line nodetool printed, reported only if no node row follows.
    error: Option<String>,
}

impl Parser {
    fn read_line(&mut self, number: usize, line: &str) -> Result<(), ParseError> {
        match classify(line) {
            LineKind::Error(message) => {
                self.error.get_or_insert_with(|| message.to_owned());
            }
            LineKind::Datacenter(name) => {
                self.datacenters.push(Datacenter {
                    name: name.to_owned(),
                    nodes: Vec::new(),
                });
                self.columns = None;
            }
            // Before the first `Datacenter:` come kubectl, JVM and old-nodetool chatter,
            // including a 1.2-era `Note:` that is not about this table.
            LineKind::Note(note) if !self.datacenters.is_empty() => {
                self.notes.push(note.to_owned());
            }
            LineKind::Header(columns) => self.columns = Some(columns),
            LineKind::Row(row) => self.add_row(number, row)?,
            LineKind::Note(_) | LineKind::Ignored => {}
        }
        Ok(())
    }

    fn add_row(&mut self, number: usize, row: &str) -> Result<(), ParseError> {
        let Some(datacenter) = self.datacenters.last_mut() else {
            return Ok(());
        };
        let columns = match &self.columns {
            Some(columns) => columns.as_slice(),
            None => infer_columns(row),
        };
        let node = parse_row(row, columns).map_err(|reason| ParseError::BadRow {
            line: number,
            text: row.to_owned(),
            reason,
        })?;
        datacenter.nodes.push(node);
        Ok(())
    }

    fn finish(self) -> Result<RingStatus, ParseError> {
        let has_nodes = self.datacenters.iter().any(|dc| !dc.nodes.is_empty());
        match (has_nodes, self.error) {
            (true, _) => Ok(RingStatus {
                datacenters: self.datacenters,
                notes: self.notes,
            }),
            (false, Some(message)) => Err(ParseError::Error(message)),
            (false, None) if self.datacenters.is_empty() => Err(ParseError::NoDatacenter),
            (false, None) => Err(ParseError::NoNodes),
        }
    }
}

enum LineKind<'a> {
    Datacenter(&'a str),
    Note(&'a str),
    Error(&'a str),
    Header(Vec<Column>),
    Row(&'a str),
    /// Blank lines, the underline, the two legend lines and anything unknown.
    Ignored,
}

fn classify(line: &str) -> LineKind<'_> {
    let line = line.trim();
    if let Some(name) = line.strip_prefix("Datacenter:") {
        return LineKind::Datacenter(name.trim());
    }
    if line.starts_with("Note:") {
        return LineKind::Note(line);
    }
    if is_error_line(line) {
        return LineKind::Error(line);
    }
    if line.starts_with("--") {
        // `-- StackTrace --` after a JMX error also starts with dashes: only a real header counts.
        return parse_header(line).map_or(LineKind::Ignored, LineKind::Header);
    }
    if looks_like_row(line) {
        return LineKind::Row(line);
    }
    LineKind::Ignored
}

/// nodetool's own failures: `Error: …` for a bad keyspace, `error: …` and `nodetool: Failed to
/// connect …` for JMX and auth problems. None of them comes with a table.
fn is_error_line(line: &str) -> bool {
    let starts_with_error = line
        .get(..6)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("error:"));
    starts_with_error || line.starts_with("nodetool: ")
}

/// A row starts with a two-letter code whose first letter is a status (`U`, `D`, `?`). The
/// second letter only has to be a capital, so that `UX` is reported as a bad row rather than
/// skipped, while a stray line such as `Do …` is ignored.
fn looks_like_row(line: &str) -> bool {
    let code = line.split_whitespace().next().unwrap_or_default();
    let mut letters = code.chars();
    matches!(
        (letters.next(), letters.next(), letters.next()),
        (Some('U' | 'D' | '?'), Some(second), None) if second.is_ascii_uppercase()
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Address,
    Load,
    Tokens,
    Owns,
    HostId,
    Token,
    Rack,
    /// A header word this parser does not know; its cell is one word and is skipped.
    Other,
}

/// The vnode layout, the one nearly every cluster prints.
const VNODE_COLUMNS: &[Column] = &[
    Column::Address,
    Column::Load,
    Column::Tokens,
    Column::Owns,
    Column::HostId,
    Column::Rack,
];

/// The layout nodetool picks when there are no more tokens than datacenters.
const TOKEN_PER_NODE_COLUMNS: &[Column] = &[
    Column::Address,
    Column::Load,
    Column::Owns,
    Column::HostId,
    Column::Token,
    Column::Rack,
];

/// The header names its columns in words, so it is read word by word: blogs often squeeze the
/// padding between `Owns (effective)` and `Host ID` to single spaces.
fn parse_header(line: &str) -> Option<Vec<Column>> {
    let mut words = line.split_whitespace().skip(1).peekable();
    let mut columns = Vec::new();
    while let Some(word) = words.next() {
        let word = word.to_ascii_lowercase();
        let column = match word.as_str() {
            "address" => Column::Address,
            "load" => Column::Load,
            "tokens" => Column::Tokens,
            "token" => Column::Token,
            "rack" => Column::Rack,
            "host" => {
                words.next_if(|next| next.eq_ignore_ascii_case("id"));
                Column::HostId
            }
            owns if owns.starts_with("owns") => {
                words.next_if(|next| next.eq_ignore_ascii_case("(effective)"));
                Column::Owns
            }
            _ => Column::Other,
        };
        columns.push(column);
    }
    is_usable_header(&columns).then_some(columns)
}

/// The row parser reads the Load cell (one or two words) from the front and the cells after
/// Host ID (which may be missing) from the back, so Load must come before Host ID.
fn is_usable_header(columns: &[Column]) -> bool {
    let position = |wanted: Column| columns.iter().position(|&column| column == wanted);
    let has_required = [Column::Address, Column::Load, Column::Owns, Column::Rack]
        .into_iter()
        .all(|column| position(column).is_some());
    let load_before_host_id = match (position(Column::Load), position(Column::HostId)) {
        (Some(load), Some(host_id)) => load < host_id,
        _ => true,
    };
    has_required && load_before_host_id
}

/// A row without a header (a copy that lost it) is told apart by the cell after Load: the
/// token-per-node layout has Owns there (`?` or a percentage), the vnode layout a token count.
fn infer_columns(row: &str) -> &'static [Column] {
    let cells: Vec<&str> = row.split_whitespace().skip(2).collect();
    let load_width = match cells.as_slice() {
        [number, unit, ..] if is_load_pair(number, unit) => 2,
        _ => 1,
    };
    match cells.get(load_width) {
        Some(cell) if *cell == "?" || cell.ends_with('%') => TOKEN_PER_NODE_COLUMNS,
        _ => VNODE_COLUMNS,
    }
}

fn parse_row(row: &str, columns: &[Column]) -> Result<Node, RowProblem> {
    let words: Vec<&str> = row.split_whitespace().collect();
    let (code, cells) = words.split_first().ok_or(RowProblem::MissingFields)?;
    let (status, state) = parse_code(code)?;
    let mut node = Node {
        status,
        state,
        address: String::new(),
        load: None,
        load_bytes: None,
        tokens: None,
        owns_percent: None,
        host_id: None,
        token: None,
        rack: String::new(),
    };
    let host_id_at = columns.iter().position(|&column| column == Column::HostId);
    let (front, back) = match host_id_at {
        Some(at) => (&columns[..at], &columns[at + 1..]),
        None => (columns, &[][..]),
    };
    let mut rest = cells;
    for &column in front {
        rest = fill_from_front(&mut node, column, rest)?;
    }
    let middle_len = rest
        .len()
        .checked_sub(back.len())
        .ok_or(RowProblem::MissingFields)?;
    let (middle, tail) = rest.split_at(middle_len);
    for (&column, cell) in back.iter().zip(tail) {
        fill_cell(&mut node, column, cell)?;
    }
    match (host_id_at, middle) {
        (Some(_), _) => node.host_id = host_id_of(middle),
        (None, []) => {}
        (None, _) => return Err(RowProblem::ExtraFields),
    }
    Ok(node)
}

fn parse_code(code: &str) -> Result<(NodeStatus, NodeState), RowProblem> {
    let bad_code = || RowProblem::BadCode(code.to_owned());
    let mut letters = code.chars();
    let (Some(status), Some(state), None) = (letters.next(), letters.next(), letters.next()) else {
        return Err(bad_code());
    };
    let status = match status {
        'U' => NodeStatus::Up,
        'D' => NodeStatus::Down,
        '?' => NodeStatus::Unknown,
        _ => return Err(bad_code()),
    };
    let state = match state {
        'N' => NodeState::Normal,
        'L' => NodeState::Leaving,
        'J' => NodeState::Joining,
        'M' => NodeState::Moving,
        _ => return Err(bad_code()),
    };
    Ok((status, state))
}

/// Fills one column from the front of `cells` and returns the cells left.
fn fill_from_front<'a, 'b>(
    node: &mut Node,
    column: Column,
    cells: &'a [&'b str],
) -> Result<&'a [&'b str], RowProblem> {
    match (column, cells) {
        (_, []) => Err(RowProblem::MissingFields),
        (Column::Load, [number, unit, rest @ ..]) if is_load_pair(number, unit) => {
            node.load = Some(format!("{number} {unit}"));
            node.load_bytes = load_bytes(number, unit);
            Ok(rest)
        }
        (_, [cell, rest @ ..]) => {
            fill_cell(node, column, cell)?;
            Ok(rest)
        }
    }
}

/// Fills a column that takes exactly one word.
fn fill_cell(node: &mut Node, column: Column, cell: &str) -> Result<(), RowProblem> {
    match column {
        Column::Address => node.address = cell.to_owned(),
        // A one-word load is only valid as `?`: a number always comes with its unit.
        Column::Load if cell == "?" => {}
        Column::Load => return Err(RowProblem::BadLoad(cell.to_owned())),
        Column::Tokens => node.tokens = Some(parse_token_count(cell)?),
        Column::Owns => node.owns_percent = parse_owns(cell)?,
        Column::HostId => node.host_id = host_id_of(&[cell]),
        Column::Token => node.token = Some(cell.to_owned()),
        Column::Rack => node.rack = cell.to_owned(),
        Column::Other => {}
    }
    Ok(())
}

/// The Host ID is whatever is left between the cells read from the front and from the back:
/// nothing when a 4.x+ table printed an empty cell, `null` from 3.x, or a redacted value that a
/// blog may have spelled in several words.
fn host_id_of(cells: &[&str]) -> Option<String> {
    match cells {
        [] | ["null" | "?"] => None,
        _ => Some(cells.join(" ")),
    }
}

fn parse_token_count(cell: &str) -> Result<u32, RowProblem> {
    let bad = || RowProblem::BadTokens(cell.to_owned());
    if !cell.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(bad());
    }
    cell.parse().map_err(|_| bad())
}

/// `74.0%`, or `74,0%` from a JVM with a German or French locale; `?` when unknown.
fn parse_owns(cell: &str) -> Result<Option<f64>, RowProblem> {
    if cell == "?" {
        return Ok(None);
    }
    let bad = || RowProblem::BadOwns(cell.to_owned());
    let number = cell.strip_suffix('%').unwrap_or(cell);
    let (whole, fraction) = split_decimal(number).ok_or_else(bad)?;
    let decimal = if fraction.is_empty() {
        whole.to_owned()
    } else {
        format!("{whole}.{fraction}")
    };
    let percent: f64 = decimal.parse().map_err(|_| bad())?;
    // A long enough run of digits parses as infinity, which JSON cannot carry.
    if percent.is_finite() {
        Ok(Some(percent))
    } else {
        Err(bad())
    }
}

/// Splits `83.57` or `83,57` into its digits before and after the separator.
fn split_decimal(number: &str) -> Option<(&str, &str)> {
    let (whole, fraction) = match number.split_once(['.', ',']) {
        Some((whole, fraction)) => (whole, fraction),
        None => (number, ""),
    };
    let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    let valid = !whole.is_empty() && all_digits(whole) && all_digits(fraction);
    valid.then_some((whole, fraction))
}

/// A load is a decimal number and a unit word, which nodetool prints as two cells. The unit is
/// any word of letters: the cell after Load is a count or a percentage, never a word.
fn is_load_pair(number: &str, unit: &str) -> bool {
    split_decimal(number).is_some() && unit.chars().all(|letter| letter.is_ascii_alphabetic())
}

/// Bytes per unit. Cassandra's `FileUtils.stringifyFileSize` divides by powers of 1024 whether
/// it prints the legacy `KB` (≤ 3.0) or `KiB` (3.11+).
fn unit_multiplier(unit: &str) -> Option<u128> {
    let power = match unit.to_ascii_lowercase().as_str() {
        "bytes" | "byte" | "b" => 0,
        "kb" | "kib" => 1,
        "mb" | "mib" => 2,
        "gb" | "gib" => 3,
        "tb" | "tib" => 4,
        "pb" | "pib" => 5,
        _ => return None,
    };
    Some(1024u128.pow(power))
}

/// The number times the unit, rounded to the nearest byte. Computed on the decimal digits, not
/// on a float, so that `9.91 TiB` gives the exact byte count; `None` for an unknown unit or a
/// value beyond `u64`.
fn load_bytes(number: &str, unit: &str) -> Option<u64> {
    let (whole, fraction) = split_decimal(number)?;
    let multiplier = unit_multiplier(unit)?;
    let digits: u128 = format!("{whole}{fraction}").parse().ok()?;
    let scale = 10u128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
    let exact_times_scale = digits.checked_mul(multiplier)?;
    let rounded = exact_times_scale.checked_add(scale / 2)? / scale;
    u64::try_from(rounded).ok()
}

/// nodetool prints `ip`, `ip:port` (4.0+ `-pp`), `[ipv6]:port`, `host/ip:port` (later `-pp`)
/// or, with `-r`, a hostname; an IPv6 link-local address may carry a `%scope`.
fn ip_of_address(address: &str) -> Option<IpAddr> {
    let address = address.rsplit_once('/').map_or(address, |(_, ip)| ip);
    if let Some(bracketed) = address.strip_prefix('[') {
        let (ip, after) = bracketed.split_once(']')?;
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(is_port);
        return port_ok.then(|| parse_ip_without_scope(ip)).flatten();
    }
    if let Some(ip) = parse_ip_without_scope(address) {
        return Some(ip);
    }
    let (ip, port) = address.rsplit_once(':')?;
    let ipv4: Ipv4Addr = ip.parse().ok()?;
    is_port(port).then_some(IpAddr::V4(ipv4))
}

fn parse_ip_without_scope(text: &str) -> Option<IpAddr> {
    let ip = text.split_once('%').map_or(text, |(ip, _scope)| ip);
    ip.parse().ok()
}

fn is_port(text: &str) -> bool {
    text.parse::<u16>().is_ok() && text.bytes().all(|byte| byte.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGEND: &str = "Status=Up/Down\n|/ State=Normal/Leaving/Joining/Moving\n";
    const HOST_A: &str = "e2dd09e6-d9d3-477e-96c5-45094c08db0f";
    const HOST_B: &str = "f89d6835-3a42-4419-92b3-0e62cae1479c";

    /// One datacenter block as nodetool prints it, with the given header and rows.
    fn block(dc: &str, header: &str, rows: &[&str]) -> String {
        let title = format!("Datacenter: {dc}");
        let underline = "=".repeat(title.len());
        format!(
            "{title}\n{underline}\n{LEGEND}{header}\n{}\n",
            rows.join("\n")
        )
    }

    fn parse_ok(text: &str) -> RingStatus {
        parse_status(text).unwrap_or_else(|error| panic!("{error}\n--- input ---\n{text}"))
    }

    fn only_node(text: &str) -> Node {
        let ring = parse_ok(text);
        assert_eq!(ring.nodes().count(), 1, "{ring:#?}");
        ring.datacenters[0].nodes[0].clone()
    }

    const VNODE_HEADER_3X: &str = "--  Address     Load       Tokens       Owns (effective)  Host ID                               Rack";
    const VNODE_HEADER_4X: &str = "--  Address     Load        Tokens  Owns (effective)  Host ID                               Rack ";
    const TOKEN_HEADER: &str = "--  Address      Load       Owns    Host ID                               Token                                    Rack";

    fn vnode_row(code: &str, address: &str, load: &str, owns: &str) -> String {
        format!("{code}  {address}  {load}  16      {owns}  {HOST_A}  rack1")
    }

    #[test]
    fn addresses_are_matched_as_ips() {
        let text = block(
            "dc1",
            VNODE_HEADER_4X,
            &[
                &vnode_row("UN", "10.0.0.7:7000", "1 KiB", "50.0%"),
                &vnode_row("DN", "2001:db8:0:0:0:0:0:1", "?", "50.0%"),
            ],
        );
        let ring = parse_ok(&text);
        assert!(ring.has_address("10.0.0.7"));
        assert!(ring.has_address("2001:db8::1"));
        assert!(!ring.has_address("10.0.0.70"));
        assert!(!ring.has_address("not an ip"));
    }

    #[test]
    fn printf_layout_with_a_load_wider_than_its_column() {
        let text = block(
            "DC1-K8Demo",
            VNODE_HEADER_3X,
            &[
                &format!(
                    "UN  172.17.0.5  83.57 KiB  32           74.0%             {HOST_A}  Rack1-K8Demo"
                ),
                &format!(
                    "UN  172.17.0.4  101.04 KiB  32           58.8%             {HOST_B}  Rack1-K8Demo"
                ),
            ],
        );
        let ring = parse_ok(&text);
        let nodes = &ring.datacenters[0].nodes;
        assert_eq!(ring.datacenters[0].name, "DC1-K8Demo");
        assert_eq!(nodes[1].address, "172.17.0.4");
        assert_eq!(nodes[1].load.as_deref(), Some("101.04 KiB"));
        assert_eq!(nodes[1].load_bytes, Some(103_465));
        assert_eq!(nodes[1].tokens, Some(32));
        assert_eq!(nodes[1].owns_percent, Some(58.8));
        assert_eq!(nodes[1].host_id.as_deref(), Some(HOST_B));
        assert_eq!(nodes[1].token, None);
        assert_eq!(nodes[1].rack, "Rack1-K8Demo");
        assert!(ring.notes.is_empty());
    }

    #[test]
    fn shared_width_table_with_trailing_spaces() {
        let text = block(
            "dc1",
            VNODE_HEADER_4X,
            &[&format!(
                "UN  172.21.0.2  150.2 KiB   16      100.0%            {HOST_A}  rack1  "
            )],
        );
        let node = only_node(&text);
        assert_eq!(node.rack, "rack1");
        assert_eq!(node.load.as_deref(), Some("150.2 KiB"));
        assert_eq!(node.owns_percent, Some(100.0));
    }

    #[test]
    fn datacenters_with_a_blank_line_between_them() {
        let dc1 = block(
            "dc1",
            VNODE_HEADER_4X,
            &[&vnode_row("UN", "10.0.0.1", "1 KiB", "50.0%")],
        );
        let dc2 = block(
            "dc2",
            VNODE_HEADER_4X,
            &[&vnode_row("UJ", "10.0.0.2", "2 KiB", "?")],
        );
        let ring = parse_ok(&format!("{dc1}\n{dc2}\n"));
        let placed: Vec<(&str, &str)> = ring
            .nodes()
            .map(|(dc, node)| (dc.name.as_str(), node.address.as_str()))
            .collect();
        assert_eq!(placed, [("dc1", "10.0.0.1"), ("dc2", "10.0.0.2")]);
    }

    #[test]
    fn datacenters_without_a_blank_line_between_them() {
        let dc1 = block(
            "dc1",
            VNODE_HEADER_3X,
            &[&vnode_row("UN", "10.0.0.1", "1 KiB", "50.0%")],
        );
        let dc2 = block(
            "dc2",
            VNODE_HEADER_3X,
            &[&vnode_row("UN", "10.0.0.2", "2 KiB", "50.0%")],
        );
        let ring = parse_ok(&format!("{dc1}{dc2}\n"));
        assert_eq!(ring.datacenters.len(), 2);
        assert_eq!(ring.datacenters[0].nodes.len(), 1);
        assert_eq!(ring.datacenters[1].nodes[0].address, "10.0.0.2");
    }

    #[test]
    fn token_per_node_layout_has_a_token_and_no_token_count() {
        let row = format!(
            "UN  10.244.1.12  215.3 KiB  ?       {HOST_A}  -1080085985719557225                     default"
        );
        let node = only_node(&block("dc1", TOKEN_HEADER, &[&row]));
        assert_eq!(node.tokens, None);
        assert_eq!(node.token.as_deref(), Some("-1080085985719557225"));
        assert_eq!(node.owns_percent, None);
        assert_eq!(node.host_id.as_deref(), Some(HOST_A));
        assert_eq!(node.rack, "default");
    }

    #[test]
    fn notes_after_the_table_are_kept_in_order() {
        let table = block(
            "dc1",
            TOKEN_HEADER,
            &[&format!("UN  10.0.0.1  1 KiB  ?  {HOST_A}  42  r1")],
        );
        let first = "Note: Non-system keyspaces don't have the same replication settings, effective ownership information is meaningless";
        let second = "Note: Ownership values for keyspaces with LocalStrategy are meaningless";
        let ring = parse_ok(&format!("{table}\n{first}\n{second}\n"));
        assert_eq!(ring.notes, [first, second]);
    }

    #[test]
    fn question_marks_for_load_and_ownership_become_null() {
        let node = only_node(&block(
            "dc1",
            VNODE_HEADER_4X,
            &[&vnode_row("DN", "10.1.0.92", "?        ", "?")],
        ));
        assert_eq!(
            (node.load, node.load_bytes, node.owns_percent),
            (None, None, None)
        );
        assert_eq!(node.tokens, Some(16));
        assert_eq!(node.host_id.as_deref(), Some(HOST_A));
    }

    #[test]
    fn every_status_and_state_letter() {
        let cases = [
            ("U", NodeStatus::Up),
            ("D", NodeStatus::Down),
            ("?", NodeStatus::Unknown),
        ];
        let states = [
            ("N", NodeState::Normal),
            ("L", NodeState::Leaving),
            ("J", NodeState::Joining),
            ("M", NodeState::Moving),
        ];
        for (status_letter, status) in cases {
            for (state_letter, state) in states {
                let code = format!("{status_letter}{state_letter}");
                let node = only_node(&block(
                    "dc1",
                    VNODE_HEADER_4X,
                    &[&vnode_row(&code, "10.0.0.1", "1 KiB", "1.0%")],
                ));
                assert_eq!((node.status, node.state), (status, state), "{code}");
                assert_eq!(node.code(), code);
                assert_eq!(node.is_up_normal(), code == "UN");
            }
        }
    }

    #[test]
    fn unknown_state_letter_is_a_bad_row() {
        let text = block(
            "dc1",
            VNODE_HEADER_4X,
            &[&vnode_row("UX", "10.0.0.1", "1 KiB", "1.0%")],
        );
        match parse_status(&text) {
            Err(ParseError::BadRow { line, reason, .. }) => {
                assert_eq!(line, 6);
                assert_eq!(reason, RowProblem::BadCode("UX".into()));
            }
            other => panic!("expected a bad row, got {other:?}"),
        }
    }

    #[test]
    fn uncompressed_ipv6_address() {
        let node = only_node(&block(
            "dc1",
            VNODE_HEADER_4X,
            &[&vnode_row("UN", "0:0:0:0:0:0:0:1", "46.43 KB", "100.0%")],
        ));
        assert_eq!(node.address, "0:0:0:0:0:0:0:1");
        assert_eq!(node.ip(), Some("::1".parse().unwrap()));
    }

    #[test]
    fn hostnames_and_fqdns_have_no_ip() {
        let fqdn = "cassandra04.internal.softwareheritage.org";
        let node = only_node(&block(
            "sesi_rocquencourt",
            VNODE_HEADER_4X,
            &[&vnode_row("UN", fqdn, "9.91 TiB", "27.4%")],
        ));
        assert_eq!(node.address, fqdn);
        assert_eq!(node.ip(), None);
    }

    #[test]
    fn address_with_a_port_keeps_the_port_and_yields_the_ip() {
        let node = only_node(&block(
            "dc1",
            VNODE_HEADER_4X,
            &[&vnode_row("UN", "127.0.0.1:7000", "1 KiB", "100.0%")],
        ));
        assert_eq!(node.address, "127.0.0.1:7000");
        assert_eq!(node.ip(), Some("127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn ip_of_every_address_form() {
        let cases = [
            ("10.0.0.1", Some("10.0.0.1")),
            ("10.0.0.1:7000", Some("10.0.0.1")),
            ("[0:0:0:0:0:0:0:1]:7000", Some("::1")),
            ("[::1]", Some("::1")),
            ("fe80:0:0:0:0:0:0:1%eth0", Some("fe80::1")),
            ("/10.0.0.1:7000", Some("10.0.0.1")),
            ("cassandra-0.cassandra/10.0.0.1:7000", Some("10.0.0.1")),
            ("cassandra-0.cassandra.default.svc.cluster.local", None),
            ("cassandra-0:7000", None),
            ("10.0.0.1:port", None),
            ("[::1]x", None),
            ("[::1", None),
        ];
        for (address, expected) in cases {
            let expected: Option<IpAddr> = expected.map(|ip| ip.parse().unwrap());
            assert_eq!(ip_of_address(address), expected, "{address}");
        }
    }

    #[test]
    fn missing_host_id_in_a_4x_table_is_null() {
        let vnode = "UN  10.0.0.1  1 KiB  16  100.0%     rack1";
        let node = only_node(&block("dc1", VNODE_HEADER_4X, &[vnode]));
        assert_eq!(node.host_id, None);
        assert_eq!((node.tokens, node.owns_percent), (Some(16), Some(100.0)));
        assert_eq!(node.rack, "rack1");

        let single = "UN  10.0.0.1  1 KiB  ?     -42  rack1";
        let node = only_node(&block("dc1", TOKEN_HEADER, &[single]));
        assert_eq!(node.host_id, None);
        assert_eq!(node.token.as_deref(), Some("-42"));
    }

    #[test]
    fn null_host_id_from_3x_is_null() {
        let row = "?N  10.0.0.3  ?          256          ?       null                                  rack1";
        let node = only_node(&block("datacenter1", VNODE_HEADER_3X, &[row]));
        assert_eq!(node.code(), "?N");
        assert_eq!(node.host_id, None);
        assert_eq!(node.load, None);
        assert_eq!(node.tokens, Some(256));
    }

    #[test]
    fn redacted_host_id_is_kept_as_printed() {
        let node = only_node(&block(
            "dc1",
            VNODE_HEADER_4X,
            &["UN  10.0.0.1  1 KiB  16  100.0%  <host id>  rack1"],
        ));
        assert_eq!(node.host_id.as_deref(), Some("<host id>"));
        assert_eq!(node.rack, "rack1");
    }

    #[test]
    fn lines_before_the_first_datacenter_are_ignored() {
        let noise = "Defaulted container \"cassandra\" out of: cassandra, server-system-logger (init)\n\
                     xss =  -ea -javaagent:/usr/share/cassandra/lib/jamm-0.2.5.jar -Xss256k\n\
                     Note: Ownership information does not include topology; for complete information, specify a keyspace\n\
                     UN  10.9.9.9  1 KiB  16  1.0%  x  rack1\n";
        let table = block(
            "dc1",
            VNODE_HEADER_4X,
            &[&vnode_row("UN", "10.0.0.1", "1 KiB", "100.0%")],
        );
        let ring = parse_ok(&format!("{noise}{table}"));
        assert_eq!(ring.nodes().count(), 1);
        assert!(ring.notes.is_empty(), "{:?}", ring.notes);
    }

    #[test]
    fn underline_of_any_length() {
        let text = format!(
            "Datacenter: <redacted>\n=====\n{LEGEND}{VNODE_HEADER_3X}\n{}\n",
            vnode_row("UN", "10.0.0.1", "1 KiB", "100.0%")
        );
        assert_eq!(parse_ok(&text).datacenters[0].name, "<redacted>");
    }

    #[test]
    fn decimal_commas_from_a_european_locale() {
        let node = only_node(&block(
            "dc1",
            VNODE_HEADER_4X,
            &[&vnode_row("UN", "172.17.0.5", "83,57 KiB", "74,0%")],
        ));
        assert_eq!(node.load.as_deref(), Some("83,57 KiB"));
        assert_eq!(node.load_bytes, Some(85_576));
        assert_eq!(node.owns_percent, Some(74.0));
    }

    #[test]
    fn load_units_are_powers_of_1024_rounded_to_the_nearest_byte() {
        let cases = [
            ("0", "bytes", Some(0)),
            ("512", "bytes", Some(512)),
            ("14.43", "KB", Some(14_776)),
            ("1.1", "MB", Some(1_153_434)),
            ("2", "GB", Some(2 << 30)),
            ("1", "TB", Some(1 << 40)),
            ("96.7", "KiB", Some(99_021)),
            ("1.17", "MiB", Some(1_226_834)),
            ("22.01", "GiB", Some(23_633_057_546)),
            ("10", "TiB", Some(10_995_116_277_760)),
            ("9.91", "TiB", Some(10_896_160_231_260)),
            ("1,5", "GiB", Some(1_610_612_736)),
            ("1", "XB", None),
            ("99999999", "TiB", None),
            ("123456789012345678901234567890123456789012", "bytes", None),
        ];
        for (number, unit, expected) in cases {
            assert_eq!(load_bytes(number, unit), expected, "{number} {unit}");
        }
    }

    #[test]
    fn unknown_unit_keeps_the_load_text_without_bytes() {
        let node = only_node(&block(
            "dc1",
            VNODE_HEADER_4X,
            &[&vnode_row("UN", "10.0.0.1", "3 PiB", "1.0%")],
        ));
        assert_eq!(node.load_bytes, Some(3 << 50));
        let node = only_node(&block(
            "dc1",
            VNODE_HEADER_4X,
            &[&vnode_row("UN", "10.0.0.1", "3 XB", "1.0%")],
        ));
        assert_eq!(
            (node.load.as_deref(), node.load_bytes),
            (Some("3 XB"), None)
        );
    }

    #[test]
    fn error_output_is_an_error_carrying_the_line() {
        let line = "Error: The keyspace ap-southeast-1a, does not exist";
        let error = parse_status(&format!("\n{line}\n")).unwrap_err();
        assert_eq!(error, ParseError::Error(line.into()));
        assert!(error.to_string().contains(line), "{error}");
    }

    #[test]
    fn jmx_failure_is_an_error_carrying_the_line() {
        let line = "nodetool: Failed to connect to '127.0.0.1:7199' - ConnectException: 'Connection refused'.";
        assert_eq!(parse_status(line), Err(ParseError::Error(line.into())));
        let text = "error: Authentication failed\n-- StackTrace --\njava.lang.SecurityException";
        assert_eq!(
            parse_status(text),
            Err(ParseError::Error("error: Authentication failed".into()))
        );
    }

    #[test]
    fn an_error_line_next_to_a_table_does_not_hide_the_ring() {
        let table = block(
            "dc1",
            VNODE_HEADER_4X,
            &[&vnode_row("UN", "10.0.0.1", "1 KiB", "100.0%")],
        );
        let ring = parse_ok(&format!("error: something in the logs\n{table}"));
        assert_eq!(ring.nodes().count(), 1);
    }

    #[test]
    fn text_without_a_table_is_an_error() {
        assert_eq!(parse_status(""), Err(ParseError::NoDatacenter));
        assert_eq!(parse_status("hello\nworld"), Err(ParseError::NoDatacenter));
        let empty_block = format!("Datacenter: dc1\n===============\n{LEGEND}{VNODE_HEADER_4X}\n");
        assert_eq!(parse_status(&empty_block), Err(ParseError::NoNodes));
    }

    #[test]
    fn garbage_rows_are_errors_not_panics() {
        let rows = [
            ("UN", RowProblem::MissingFields),
            ("UN  10.0.0.1", RowProblem::MissingFields),
            (
                "UN  10.0.0.1  lots KiB  16  1.0%  x  r",
                RowProblem::BadLoad("lots".into()),
            ),
            (
                "UN  10.0.0.1  12  16  1.0%  x  r",
                RowProblem::BadLoad("12".into()),
            ),
            (
                "UN  10.0.0.1  1 KiB  many  1.0%  x  r",
                RowProblem::BadTokens("many".into()),
            ),
            (
                "UN  10.0.0.1  1 KiB  99999999999  1.0%  x  r",
                RowProblem::BadTokens("99999999999".into()),
            ),
            (
                "UN  10.0.0.1  1 KiB  16  most  x  r",
                RowProblem::BadOwns("most".into()),
            ),
            (
                "UN  10.0.0.1  1 KiB  16  1.2.3%  x  r",
                RowProblem::BadOwns("1.2.3%".into()),
            ),
        ];
        for (row, problem) in rows {
            let text = block("dc1", VNODE_HEADER_4X, &[row]);
            match parse_status(&text) {
                Err(ParseError::BadRow { text, reason, .. }) => {
                    assert_eq!((text.as_str(), reason), (row, problem));
                }
                other => panic!("{row}: expected a bad row, got {other:?}"),
            }
        }
    }

    #[test]
    fn bad_row_message_names_the_line_and_the_problem() {
        let text = block(
            "dc1",
            VNODE_HEADER_4X,
            &["UN  10.0.0.1  1 KiB  many  1.0%  x  r"],
        );
        let message = parse_status(&text).unwrap_err().to_string();
        assert_eq!(
            message,
            "line 6 of the nodetool status output is not a node row \
             (token count `many` is not a whole number): UN  10.0.0.1  1 KiB  many  1.0%  x  r"
        );
    }

    #[test]
    fn extra_fields_without_a_host_id_column_are_a_bad_row() {
        let header = "--  Address  Load  Tokens  Owns  Rack";
        let text = block("dc1", header, &["UN  10.0.0.1  1 KiB  16  1.0%  x  r"]);
        assert!(matches!(
            parse_status(&text),
            Err(ParseError::BadRow {
                reason: RowProblem::ExtraFields,
                ..
            })
        ));
    }

    #[test]
    fn rows_without_a_header_infer_the_layout() {
        let vnode = format!("Datacenter: dc1\nUN  10.0.0.1  1 KiB  16  1.0%  {HOST_A}  r\n");
        let node = only_node(&vnode);
        assert_eq!((node.tokens, node.token), (Some(16), None));
        let single = format!("Datacenter: dc1\nUN  10.0.0.1  ?  ?  {HOST_A}  -7  r\n");
        let node = only_node(&single);
        assert_eq!((node.tokens, node.token.as_deref()), (None, Some("-7")));
    }

    #[test]
    fn header_squeezed_to_single_spaces_still_names_its_columns() {
        let header = "-- Address Load Tokens Owns (effective) Host ID Rack";
        let node = only_node(&block("dc1", header, &["UN 10.0.0.1 1 KiB 16 1.0% abc r"]));
        assert_eq!(node.host_id.as_deref(), Some("abc"));
        assert_eq!(node.rack, "r");
    }

    #[test]
    fn crlf_line_endings_and_tabs() {
        let text = block(
            "dc1",
            VNODE_HEADER_4X,
            &["UN\t10.0.0.1\t1 KiB\t16\t1.0%\tabc\tr"],
        );
        let node = only_node(&text.replace('\n', "\r\n"));
        assert_eq!(
            (node.address.as_str(), node.rack.as_str()),
            ("10.0.0.1", "r")
        );
    }

    #[test]
    fn serializes_to_the_documented_json_shape() {
        let node = only_node(&block(
            "DC1-K8Demo",
            VNODE_HEADER_4X,
            &["DJ  10.0.0.1  ?  32  ?    Rack1"],
        ));
        let json = serde_json::to_value(&node).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "status": "down", "state": "joining", "address": "10.0.0.1",
                "load": null, "load_bytes": null, "tokens": 32, "owns_percent": null,
                "host_id": null, "token": null, "rack": "Rack1"
            })
        );
        let unknown_moving =
            serde_json::json!([NodeStatus::Unknown, NodeState::Moving, NodeState::Leaving]);
        assert_eq!(
            unknown_moving,
            serde_json::json!(["unknown", "moving", "leaving"])
        );
    }
}
