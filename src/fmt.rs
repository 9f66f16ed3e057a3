//! Words and numbers as messages show them.

use std::time::Duration;

/// `1 node`, `3 nodes`: the count with the right form of the noun.
pub(crate) fn plural(count: usize, one: &str, many: &str) -> String {
    match count {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// A duration in whole seconds, as `45s`, `1m 5s` or `2h 3m`: never finer than a second.
pub(crate) fn seconds(duration: Duration) -> String {
    let total = duration.as_secs() + u64::from(duration.subsec_millis() >= 500);
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m {s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h {m}m"),
    }
}

/// What a command printed, stdout then stderr, trimmed, for a message.
pub(crate) fn printed(stdout: &str, stderr: &str) -> String {
    [stdout.trim(), stderr.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(plural(1, "claim", "claims"), "1 claim");
        assert_eq!(plural(0, "claim", "claims"), "0 claims");
        assert_eq!(plural(4, "node", "nodes"), "4 nodes");
    }

    #[test]
    fn durations_are_whole_seconds_or_minutes() {
        assert_eq!(seconds(Duration::from_millis(59_989)), "1m");
        assert_eq!(seconds(Duration::from_millis(400)), "0s");
        assert_eq!(seconds(Duration::from_secs(65)), "1m 5s");
        assert_eq!(seconds(Duration::from_secs(600)), "10m");
        assert_eq!(seconds(Duration::from_secs(3600 + 180 + 7)), "1h 3m");
        assert_eq!(seconds(Duration::from_secs(7200)), "2h");
    }
}
