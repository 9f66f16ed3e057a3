//! `parse_status` against real `nodetool status` outputs (tests/fixtures/nodetool), and the
//! promise that no input, however mangled, makes it panic.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

use casctl::nodetool::{ParseError, RingStatus, parse_status};
use proptest::prelude::*;
use serde_json::Value;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nodetool")
}

/// `expected.json` maps a fixture's file name to the parse as JSON, or to `{"error": line}`.
fn expected() -> BTreeMap<String, Value> {
    let path = fixture_dir().join("expected.json");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.txt` in the folder, sorted by name, so that a new fixture is tested without listing it.
fn fixtures() -> &'static [(String, String)] {
    static FIXTURES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = fixture_dir();
        let mut found: Vec<(String, String)> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let text = fs::read_to_string(&path).unwrap();
                (name, text)
            })
            .collect();
        found.sort();
        assert!(!found.is_empty(), "no fixtures in {}", dir.display());
        found
    })
}

/// The fixtures that hold a table (not nodetool's `Error:` output), with their parse.
fn tables() -> Vec<(&'static str, &'static str, RingStatus)> {
    fixtures()
        .iter()
        .filter_map(|(name, text)| {
            parse_status(text)
                .ok()
                .map(|ring| (name.as_str(), text.as_str(), ring))
        })
        .collect()
}

/// Records every difference between two JSON values, with its path, so that one run shows all
/// the fields a change broke.
fn diff(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, want_value) in want {
                match got.get(key) {
                    Some(got_value) => diff(&format!("{path}.{key}"), want_value, got_value, out),
                    None => out.push(format!("{path}.{key}: missing")),
                }
            }
            for key in got.keys().filter(|key| !want.contains_key(*key)) {
                out.push(format!("{path}.{key}: not expected"));
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                out.push(format!(
                    "{path}: {} items, expected {}",
                    got.len(),
                    want.len()
                ));
            }
            for (index, (want_item, got_item)) in want.iter().zip(got).enumerate() {
                diff(&format!("{path}[{index}]"), want_item, got_item, out);
            }
        }
        (Value::Number(want), Value::Number(got)) if want.is_f64() || got.is_f64() => {
            let close = match (want.as_f64(), got.as_f64()) {
                (Some(want), Some(got)) => (want - got).abs() < 1e-9,
                _ => false,
            };
            if !close {
                out.push(format!("{path}: {got}, expected {want}"));
            }
        }
        _ if expected != actual => out.push(format!("{path}: {actual}, expected {expected}")),
        _ => {}
    }
}

#[test]
fn every_fixture_parses_as_expected_json_says() {
    let expected = expected();
    let mut problems = Vec::new();
    for (name, text) in fixtures() {
        let Some(want) = expected.get(name) else {
            problems.push(format!("{name}: no entry in expected.json"));
            continue;
        };
        match (want.get("error"), parse_status(text)) {
            (Some(Value::String(line)), Err(ParseError::Error(got))) if *line == got => {}
            (Some(line), got) => {
                problems.push(format!("{name}: expected error {line}, got {got:?}"))
            }
            (None, Err(error)) => problems.push(format!("{name}: {error}")),
            (None, Ok(ring)) => {
                let got = serde_json::to_value(&ring).expect("a ring serializes");
                diff(name, want, &got, &mut problems);
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_expected_entry_has_a_fixture() {
    let names: Vec<&str> = fixtures().iter().map(|(name, _)| name.as_str()).collect();
    let orphans: Vec<String> = expected()
        .into_keys()
        .filter(|key| !names.contains(&key.as_str()))
        .collect();
    assert!(orphans.is_empty(), "entries without a fixture: {orphans:?}");
}

#[test]
fn expected_json_reads_back_into_the_model() {
    let expected = expected();
    for (name, _, ring) in tables() {
        let read_back: RingStatus = serde_json::from_value(expected[name].clone())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(read_back, ring, "{name}");
    }
}

/// Rewrites a fixture's table lines (not its `Note:` text, which is kept verbatim).
fn rewrite_table_lines(text: &str, mut rewrite: impl FnMut(&str) -> String) -> String {
    text.lines()
        .map(|line| {
            if line.starts_with("Note:") {
                line.to_owned()
            } else {
                rewrite(line)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn layout_details_do_not_change_the_ring() {
    type Rewrite = fn(&str) -> String;
    let rewrites: [(&str, Rewrite); 6] = [
        ("CRLF line endings", |text| text.replace('\n', "\r\n")),
        ("trailing spaces", |text| {
            rewrite_table_lines(text, |line| format!("{line}   "))
        }),
        ("columns squeezed to one space", |text| {
            rewrite_table_lines(text, |line| {
                line.split_whitespace().collect::<Vec<_>>().join(" ")
            })
        }),
        ("no blank lines (3.x multi-DC)", |text| {
            text.lines()
                .filter(|line| !line.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        }),
        ("kubectl and JVM noise first", |text| {
            format!(
                "Defaulted container \"cassandra\" out of: cassandra, medusa\nxss =  -ea -Xss256k\n{text}"
            )
        }),
        ("a blank line and stderr noise last", |text| {
            format!("{text}\n\ncommand terminated with exit code 0\n")
        }),
    ];
    for (name, text, ring) in tables() {
        for (what, rewrite) in &rewrites {
            assert_eq!(
                parse_status(&rewrite(text)).as_ref(),
                Ok(&ring),
                "{name} with {what}"
            );
        }
    }
}

/// What every successful parse promises, whatever the input.
fn assert_ring_is_well_formed(ring: &RingStatus) {
    assert!(ring.nodes().count() > 0);
    for (_, node) in ring.nodes() {
        assert!(
            !node.address.is_empty() && !node.rack.is_empty(),
            "{node:?}"
        );
        assert_eq!(node.code().chars().count(), 2);
        assert!(node.owns_percent.is_none_or(f64::is_finite), "{node:?}");
        assert!(node.tokens.is_none() || node.token.is_none(), "{node:?}");
    }
    serde_json::to_string(ring).expect("a ring serializes");
}

fn check_never_panics(text: &str) {
    match parse_status(text) {
        Ok(ring) => assert_ring_is_well_formed(&ring),
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    DropLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Truncate(usize),
}

/// Words that steer a mutation into the parser's deeper paths rather than its "ignored" one.
fn nodetool_words() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ UDN?LJMKiBTG0-9.,%:/\\[\\]=\t-]{0,12}",
        Just("\n".to_owned()),
        Just("Datacenter: dc9\n".to_owned()),
        Just("Note: ".to_owned()),
        Just("Error: ".to_owned()),
        Just("--  Address  Load  Owns  Host ID  Token  Rack\n".to_owned()),
        Just("--  Address  Load  Tokens  Owns  Host ID  Rack\n".to_owned()),
        Just(" ? ".to_owned()),
        Just(" null ".to_owned()),
        Just(" 99999999999999999999999999999999999999999 ".to_owned()),
        Just(" 1.5 GiB ".to_owned()),
        Just("é€\u{feff}".to_owned()),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..40usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), nodetool_words()).prop_map(|(at, text)| Mutation::Insert { at, text }),
        any::<usize>().prop_map(Mutation::DropLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// Applies a mutation on characters (never splitting one) or on lines.
fn mutate(text: &str, mutation: &Mutation) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut lines: Vec<&str> = text.lines().collect();
    let char_at = |at: usize| at % (chars.len() + 1);
    match mutation {
        Mutation::Delete { at, len } => {
            let start = char_at(*at);
            let end = (start + len).min(chars.len());
            chars[..start].iter().chain(&chars[end..]).collect()
        }
        Mutation::Insert { at, text } => {
            let (before, after) = chars.split_at(char_at(*at));
            before
                .iter()
                .chain(&text.chars().collect::<Vec<_>>())
                .chain(after)
                .collect()
        }
        Mutation::Truncate(at) => chars[..char_at(*at)].iter().collect(),
        _ if lines.is_empty() => text.to_owned(),
        Mutation::DropLine(at) => {
            lines.remove(at % lines.len());
            lines.join("\n")
        }
        Mutation::DuplicateLine(at) => {
            let at = at % lines.len();
            lines.insert(at, lines[at]);
            lines.join("\n")
        }
        Mutation::SwapLines(a, b) => {
            let len = lines.len();
            lines.swap(a % len, b % len);
            lines.join("\n")
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_string_is_parsed_or_refused_without_panic(text in any::<String>()) {
        check_never_panics(&text);
    }

    #[test]
    fn nodetool_like_lines_are_parsed_or_refused_without_panic(
        lines in prop::collection::vec(nodetool_words(), 0..30)
    ) {
        check_never_panics(&lines.concat());
    }

    #[test]
    fn mutated_fixtures_are_parsed_or_refused_without_panic(
        fixture in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        let (_, text) = fixture.get(fixtures());
        let mutated = mutations.iter().fold(text.clone(), |text, m| mutate(&text, m));
        check_never_panics(&mutated);
    }

    /// Column widths carry no meaning: any run of blanks between cells may be any other.
    #[test]
    fn column_padding_does_not_change_the_ring(
        table in any::<prop::sample::Index>(),
        widths in prop::collection::vec(prop_oneof![Just(" "), Just("  "), Just("      "), Just("\t"), Just(" \t ")], 64),
    ) {
        let tables = tables();
        let (name, text, ring) = table.get(&tables);
        let mut next_width = widths.iter().cycle();
        let repadded = rewrite_table_lines(text, |line| {
            line.split(' ')
                .filter(|word| !word.is_empty())
                .map(|word| format!("{word}{}", next_width.next().unwrap_or(&" ")))
                .collect()
        });
        let parsed = parse_status(&repadded);
        prop_assert_eq!(parsed.as_ref(), Ok(ring), "{}:\n{}", name, repadded);
    }
}
