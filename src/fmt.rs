//! Words and numbers as messages show them.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::Duration;

/// How the user runs casctl: `casctl`, or `kubectl casctl` as a kubectl plugin.
static PROGRAM: OnceLock<&'static str> = OnceLock::new();

/// Records how the binary was invoked, once, before anything is printed.
pub(crate) fn set_program(program: &'static str) {
    let _ = PROGRAM.set(program);
}

/// `casctl`, or `kubectl casctl` when run as the kubectl plugin.
pub(crate) fn program() -> &'static str {
    PROGRAM.get().copied().unwrap_or("casctl")
}

/// casctl's commands, as a message names them (`casctl down`).
const COMMANDS: &[&str] = &[
    "up",
    "down",
    "status",
    "scale",
    "nodetool",
    "rbac",
    "render",
    "restart",
    "completions",
    "man",
];

/// The text with every casctl command it names (`casctl down -n shop`) as the user invoked
/// casctl: `kubectl casctl down -n shop` under the plugin's name.
pub(crate) fn as_invoked(text: &str) -> Cow<'_, str> {
    named_as(text, program())
}

pub(crate) fn named_as<'a>(text: &'a str, program: &str) -> Cow<'a, str> {
    if program == "casctl" || !text.contains("casctl ") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(at) = rest.find("casctl ") {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let word = after["casctl ".len()..]
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or_default();
        let standalone = !out.ends_with(|c: char| c.is_alphanumeric() || "-_/.".contains(c));
        let plugin = out.ends_with("kubectl ");
        match standalone && !plugin && COMMANDS.contains(&word) {
            true => out.push_str(&format!("{program} ")),
            false => out.push_str("casctl "),
        }
        rest = &after["casctl ".len()..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `it`/`they`, `was`/`were`… : the word that agrees with a count.
pub(crate) fn agree<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    match count {
        1 => one,
        _ => many,
    }
}

/// What a wait for claims to be deleted shows.
pub(crate) fn claims_being_deleted(names: &[String]) -> String {
    format!(
        "waiting for {} to be deleted ({} once no pod uses it)",
        names.join(", "),
        agree(names.len(), "it is removed", "each is removed")
    )
}

/// A YAML error in casctl's words, on one line: `FILE:LINE:COLUMN: what`, without the YAML
/// library's source snippet or its advice to programmers.
pub(crate) fn yaml_error(file: &str, err: &serde_saphyr::Error) -> String {
    let err = err.without_snippet();
    let what = match err {
        serde_saphyr::Error::DuplicateMappingKey { key: Some(key), .. } => {
            format!("duplicate key `{key}`")
        }
        serde_saphyr::Error::DuplicateMappingKey { key: None, .. } => "duplicate key".to_owned(),
        other => {
            let mut options = serde_saphyr::RenderOptions::default();
            options.snippets = serde_saphyr::SnippetMode::Off;
            clean_yaml_message(&other.render_with_options(options))
        }
    };
    match err.location().filter(|l| l.line() > 0) {
        Some(at) => format!("{file}:{}:{}: {what}", at.line(), at.column()),
        None => format!("{file}: {what}"),
    }
}

/// The library's sentence without its location prefix (`error: line 1 column 10: `) or suffix.
fn clean_yaml_message(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default().trim();
    let mut what = first.strip_prefix("error: ").unwrap_or(first);
    if let Some(rest) = what.strip_prefix("line ")
        && let Some((_, tail)) = rest.split_once(": ")
        && rest
            .split(": ")
            .next()
            .is_some_and(|l| l.contains("column"))
    {
        what = tail;
    }
    let what = what.split(" at line ").next().unwrap_or(what);
    what.split(", set ").next().unwrap_or(what).to_owned()
}

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
    fn claims_being_deleted_agree_with_their_count() {
        assert_eq!(
            claims_being_deleted(&["data-0".to_owned()]),
            "waiting for data-0 to be deleted (it is removed once no pod uses it)"
        );
        assert_eq!(
            claims_being_deleted(&["data-0".to_owned(), "data-1".to_owned()]),
            "waiting for data-0, data-1 to be deleted (each is removed once no pod uses it)"
        );
    }

    #[test]
    fn commands_are_named_as_invoked() {
        let hint = "run `casctl down -n shop` again; casctl reads one object per file";
        assert_eq!(named_as(hint, "casctl"), hint);
        assert_eq!(
            named_as(hint, "kubectl casctl"),
            "run `kubectl casctl down -n shop` again; casctl reads one object per file"
        );
        assert_eq!(
            named_as(
                "(`casctl rbac` prints every permission casctl needs)",
                "kubectl casctl"
            ),
            "(`kubectl casctl rbac` prints every permission casctl needs)"
        );
        assert_eq!(
            named_as("kubectl casctl up; a-casctl up", "kubectl casctl"),
            "kubectl casctl up; a-casctl up"
        );
    }

    #[test]
    fn yaml_errors_are_one_line_in_our_words() {
        let text = "metadata:\n  name: a\n  name: b\n";
        let err = serde_saphyr::from_str::<serde_json::Value>(text).unwrap_err();
        assert_eq!(
            yaml_error("service.yaml", &err),
            "service.yaml:3:3: duplicate key `name`"
        );
        let err = serde_saphyr::from_str::<serde_json::Value>("garbage: [\n").unwrap_err();
        let line = yaml_error("kc", &err);
        assert!(line.starts_with("kc:1:10: "), "{line}");
        assert!(!line.contains('\n') && !line.contains("line 1"), "{line}");
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
