//! The live progress on a real terminal (tmux): lines fit the width, never wrap, and redraw
//! cleanly when the terminal is resized mid-rollout.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{TestNamespace, cluster, templates, wait_until};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The pane's rows as the terminal shows them (no `-J`: a line longer than the pane shows as
/// two rows, the second a continuation).
fn screen(session: &str) -> String {
    tmux(&["capture-pane", "-p", "-S", "-200", "-t", session])
}

/// Every row of the live progress, from the row after the last that contains `after` up to the
/// first that starts with `before`, starts as a progress line does (a note's time, a pod's
/// spinner or mark, a bar): a wrapped line would leave a row that starts mid-sentence.
fn assert_no_continuation(text: &str, after: &str, before: &str) {
    let rows: Vec<&str> = text.lines().map(str::trim_end).collect();
    let start = rows.iter().rposition(|r| r.contains(after)).expect(after) + 1;
    let end = rows[start..]
        .iter()
        .position(|r| r.starts_with(before))
        .map_or(rows.len(), |i| start + i);
    let starts = [
        "[", "✓ ", "  ", "█", "░", "⠁", "⠂", "⠄", "⡀", "⢀", "⠠", "⠐", "⠈",
    ];
    for row in rows[start..end].iter().filter(|r| !r.is_empty()) {
        assert!(
            starts.iter().any(|s| row.starts_with(s)),
            "a continuation row {row:?}:\n{text}"
        );
    }
}

struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.0]);
    }
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn progress_lines_fit_a_narrow_terminal_and_survive_a_resize() {
    let ns = TestNamespace::new("tty");
    let dir = tempfile::tempdir().unwrap();
    // Slow enough to resize the terminal while the pods come up.
    let tpl = templates(dir.path(), 30, &["casctl.test/ready-delay: \"3s\""]);
    let c = cluster();
    let command = format!(
        "env -u CI {} --kubeconfig {} up -n {} --timeout 3m --templates {}; echo EXIT=$?; sleep 600",
        env!("CARGO_BIN_EXE_casctl"),
        c.kubeconfig.display(),
        ns.name,
        tpl.display()
    );
    let session = Session(format!("casctl-{}", ns.name));
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session.0,
        "-x",
        "50",
        "-y",
        "40",
        &command,
    ]);
    assert!(wait_until(Duration::from_secs(60), || screen(&session.0)
        .contains("cassandra-1")));
    tmux(&["resize-window", "-t", &session.0, "-x", "40"]);
    assert!(
        wait_until(Duration::from_secs(180), || screen(&session.0)
            .contains("EXIT=")),
        "{}",
        screen(&session.0)
    );
    let text = screen(&session.0);
    assert!(text.contains("EXIT=0"), "{text}");
    // A progress row names its pod and the stage reached: a line cut by the terminal would
    // leave its end on a row of its own.
    let rows: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    for pod in ["cassandra-0", "cassandra-1", "cassandra-2"] {
        let lines: Vec<&&str> = rows
            .iter()
            .filter(|l| l.contains(&format!("{pod} ")))
            .collect();
        assert_eq!(lines.len(), 1, "{pod}: {lines:?} after the resize:\n{text}");
        assert!(lines[0].contains("Ready"), "{pod}: {lines:?}\n{text}");
    }
    assert_no_continuation(&text, " created", "✓ cassandra is up");
    // No debris of a bar drawn at the old width.
    let debris = rows
        .iter()
        .filter(|l| l.chars().all(|c| "█░▏▎▍▌▋▊▉ ⠁⠂⠄⡀⢀⠠⠐⠈".contains(c)));
    assert_eq!(debris.count(), 0, "{text}");
}

#[test]
#[ignore = "needs the local control plane (tests/test-all)"]
fn a_note_is_cut_to_the_width_of_a_terminal() {
    let ns = TestNamespace::new("ttynote");
    let c = cluster();
    let command = format!(
        "env -u CI {} --kubeconfig {} up -n {} --cpu 100 --replicas 1 --timeout 25s; echo EXIT=$?; sleep 600",
        env!("CARGO_BIN_EXE_casctl"),
        c.kubeconfig.display(),
        ns.name,
    );
    let session = Session(format!("casctl-{}", ns.name));
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session.0,
        "-x",
        "50",
        "-y",
        "60",
        &command,
    ]);
    assert!(
        wait_until(Duration::from_secs(90), || screen(&session.0)
            .contains("EXIT=")),
        "{}",
        screen(&session.0)
    );
    let text = screen(&session.0);
    assert!(text.contains("EXIT=3"), "{text}");
    let note = text
        .lines()
        .find(|r| r.starts_with('[') && r.contains("waiting: cassandra-0: unschedulable"))
        .unwrap_or_else(|| panic!("no note row:\n{text}"));
    assert!(note.trim_end().chars().count() <= 50, "{note:?}");
    assert!(note.trim_end().ends_with('…'), "{note:?}");
    assert_no_continuation(&text, " created", "error:");
    // The error after the progress stays whole (it wraps, as any message does).
    let joined = tmux(&["capture-pane", "-p", "-J", "-S", "-200", "-t", &session.0]);
    assert!(joined.contains("4 Insufficient cpu"), "{joined}");
}
