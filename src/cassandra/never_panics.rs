//! The promise every parser here makes: no input, however mangled, makes it panic, and what it
//! returns keeps its invariants.

use proptest::prelude::*;

use super::describe::parse_describecluster;
use super::exit::diagnose_exit;
use super::failure::classify_failure;
use super::netstats::{Direction, parse_netstats};
use super::replication::check_scale_down;

macro_rules! fixtures {
    ($($name:literal),* $(,)?) => {
        &[$(include_str!(concat!("../../tests/fixtures/cassandra-5.0.9/", $name))),*]
    };
}

/// Every capture and hand-made output in the fixture folder that these parsers read.
const FIXTURES: &[&str] = fixtures![
    "decommission-refused-rf-2-nodes.txt",
    "decommission-refused-rf.txt",
    "describecluster-2-nodes.txt",
    "netstats-idle.txt",
    "netstats-joining-receiving.txt",
    "netstats-leaving-streaming.txt",
    "start-after-decommission.txt",
    "startup-1-connection-refused.txt",
    "startup-2-not-initialized.txt",
    "startup-3-no-nodes-present.txt",
];

/// Runs every parser and decision on `text` and checks what each promises.
fn check_all(text: &str) {
    if let Ok(cluster) = parse_describecluster(text) {
        for keyspace in cluster.keyspaces.iter().flatten() {
            assert!(!keyspace.name.is_empty(), "{keyspace:?}");
            serde_json::to_string(keyspace).expect("a keyspace serializes");
        }
        let keyspaces = cluster.keyspaces.unwrap_or_default();
        for target in [0, 1, 2, 3, u32::MAX] {
            if let Err(refusal) = check_scale_down(&keyspaces, "DC1-K8Demo", target) {
                assert!(!refusal.keyspaces.is_empty());
                assert!(
                    refusal
                        .keyspaces
                        .iter()
                        .all(|k| k.replication_factor > target)
                );
                assert_eq!(
                    refusal.highest_replication_factor,
                    refusal.keyspaces[0].replication_factor
                );
                assert!(!refusal.to_string().is_empty());
            }
        }
    }
    let failure = classify_failure(1, text, text);
    assert!(!failure.to_string().is_empty());
    if let Some(cause) = diagnose_exit(text) {
        let _ = cause.to_string();
    }
    if let Ok(netstats) = parse_netstats(text) {
        for direction in [Direction::Receiving, Direction::Sending] {
            let fraction = netstats.total(direction).fraction();
            assert!(
                fraction.is_none_or(|f| (0.0..=1.0).contains(&f)),
                "{fraction:?}"
            );
        }
    }
}

/// Words that steer a mutation into the parsers' deeper paths.
fn cassandra_words() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ \t0-9a-zA-Z/.:,=%(){}\\[\\]#-]{0,16}",
        Just("\n".to_owned()),
        Just("\tks -> Replication class: ".to_owned()),
        Just("NetworkTopologyStrategy {dc1=3/1, DC1-K8Demo=9}".to_owned()),
        Just("SimpleStrategy {replication_factor=4294967296}".to_owned()),
        Just("Keyspaces:\n".to_owned()),
        Just("Cluster Information:\n\tName: c\n".to_owned()),
        Just("Mode: LEAVING\n".to_owned()),
        Just("Unbootstrap 5f0c8a70-2b7e-11f0-8e4f-3d1c9a6b2e41\n    /127.1.0.1\n".to_owned()),
        Just(
            "Sending 18446744073709551615 files, 18446744073709551615 bytes total. Already sent \
             1 files (1%), 99999999999999999999 bytes total (1%)"
                .to_owned()
        ),
        Just(" bytes(".to_owned()),
        Just("%) sent to idx:".to_owned()),
        Just("nodetool: Failed to connect to '".to_owned()),
        Just("' - ConnectException: 'Connection refused".to_owned()),
        Just("in keyspace ks (RF = ".to_owned()),
        Just("Not enough live nodes to maintain replication factor".to_owned()),
        Just("Exception (".to_owned()),
        Just(") encountered during startup:".to_owned()),
        Just("java.lang.OutOfMemoryError".to_owned()),
        Just("A node with address ".to_owned()),
        Just("ERROR".to_owned()),
        Just("é€\u{feff}".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn any_string_is_read_or_refused_without_panic(text in any::<String>()) {
        check_all(&text);
    }

    #[test]
    fn cassandra_like_text_is_read_or_refused_without_panic(
        words in prop::collection::vec(cassandra_words(), 0..40)
    ) {
        check_all(&words.concat());
    }

    #[test]
    fn mutated_fixtures_are_read_or_refused_without_panic(
        fixture in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        insert in cassandra_words(),
        deleted in 0..40usize,
    ) {
        let text: Vec<char> = fixture.get(FIXTURES).chars().collect();
        let at = cut.index(text.len() + 1);
        let end = (at + deleted).min(text.len());
        let mutated: String = text[..at]
            .iter()
            .chain(&insert.chars().collect::<Vec<_>>())
            .chain(&text[end..])
            .collect();
        check_all(&mutated);
    }
}

#[test]
fn every_fixture_is_read_without_panic() {
    for text in FIXTURES {
        check_all(text);
    }
}
