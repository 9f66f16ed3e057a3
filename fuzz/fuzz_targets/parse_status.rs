//! `parse_status` must refuse bad input with an error, never a panic, and whatever it accepts
//! must be a ring the status command can use.
//!
//! Run from the repository root, seeded with the real outputs:
//! `cargo +nightly fuzz run -s none parse_status fuzz/corpus/parse_status tests/fixtures/nodetool \
//! -- -dict=fuzz/parse_status.dict`

#![no_main]

use casctl::nodetool::parse_status;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Lossy rather than skipping invalid UTF-8, so that every input reaches the parser.
    let text = String::from_utf8_lossy(data);
    match parse_status(&text) {
        Ok(ring) => {
            assert!(ring.nodes().count() > 0);
            for (_, node) in ring.nodes() {
                assert!(!node.address.is_empty() && !node.rack.is_empty());
                assert_eq!(node.code().chars().count(), 2);
                assert!(node.owns_percent.is_none_or(f64::is_finite));
                let _ = node.ip();
            }
            assert!(serde_json::to_string(&ring).is_ok());
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
});
