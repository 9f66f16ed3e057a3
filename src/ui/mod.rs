//! Everything the user sees: messages on stderr, data on stdout, tables, progress.
//!
//! Whether to draw colors and progress bars is decided once, here, and passed in; tests and
//! pipes get plain lines.

/// Writes a line to stderr. A stderr that was closed (`casctl … 2>&1 | head`, a terminal
/// gone) must not stop a command half-way, with its lock held: the line is dropped and the
/// command goes on to its end.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub(crate) mod progress;
pub(crate) mod table;

use std::io::{IsTerminal, Write};

use console::Style;

use crate::fmt::as_invoked;

/// When to color the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Color {
    /// On a terminal, unless NO_COLOR or TERM=dumb say otherwise.
    Auto,
    Always,
    Never,
}

/// What the global flags say about the output.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    pub(crate) color: Color,
    pub(crate) quiet: bool,
    pub(crate) verbose: u8,
}

/// How to talk to the user, decided once from the flags and the terminal.
#[derive(Debug, Clone)]
pub(crate) struct Ui {
    quiet: bool,
    verbose: u8,
    interactive: bool,
}

impl Ui {
    pub(crate) fn new(options: Options) -> Self {
        let stderr_tty = std::io::stderr().is_terminal();
        let color = match options.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => stderr_tty && colors_wanted(),
        };
        console::set_colors_enabled(color);
        console::set_colors_enabled_stderr(color);
        Ui {
            quiet: options.quiet,
            verbose: options.verbose,
            // Bars redraw in place: only on a terminal a person watches, never in CI logs.
            interactive: stderr_tty && std::env::var_os("CI").is_none() && !options.quiet,
        }
    }

    /// Whether live progress bars may be drawn on stderr.
    pub(crate) fn interactive(&self) -> bool {
        self.interactive
    }

    pub(crate) fn quiet(&self) -> bool {
        self.quiet
    }

    pub(crate) fn verbose(&self) -> u8 {
        self.verbose
    }

    /// Whether a question can be asked and answered (stdin and stderr are terminals).
    pub(crate) fn can_prompt(&self) -> bool {
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }

    /// A progress message (stderr), hidden by `--quiet`.
    pub(crate) fn info(&self, message: impl AsRef<str>) {
        if !self.quiet {
            say!("{}", as_invoked(message.as_ref()));
        }
    }

    /// A step that succeeded (stderr), hidden by `--quiet`.
    pub(crate) fn success(&self, message: impl AsRef<str>) {
        if !self.quiet {
            say!(
                "{} {}",
                Style::new().green().apply_to("✓"),
                as_invoked(message.as_ref())
            );
        }
    }

    /// Something the user should know even with `--quiet` (stderr).
    pub(crate) fn warn(&self, message: impl AsRef<str>) {
        say!(
            "{} {}",
            Style::new().yellow().bold().apply_to("warning:"),
            as_invoked(message.as_ref())
        );
    }

    /// Details shown with `-v`.
    pub(crate) fn detail(&self, message: impl AsRef<str>) {
        if self.verbose > 0 {
            say!(
                "{}",
                Style::new().dim().apply_to(as_invoked(message.as_ref()))
            );
        }
    }

    /// A phase with `-v`: what it asked (or read) and how long it took, `reading … (12 ms)`.
    pub(crate) fn phase(&self, what: impl AsRef<str>, started: std::time::Instant) {
        self.detail(format!(
            "{} ({} ms)",
            what.as_ref(),
            started.elapsed().as_millis()
        ));
    }

    /// Asks a yes/no question on the terminal; anything but y/yes is no.
    pub(crate) fn confirm(&self, question: &str) -> std::io::Result<bool> {
        let _ = write!(std::io::stderr(), "{} [y/N] ", as_invoked(question));
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        Ok(matches!(
            answer.trim().to_ascii_lowercase().as_str(),
            "y" | "yes"
        ))
    }
}

/// NO_COLOR (any value) and TERM=dumb turn colors off in auto mode.
fn colors_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Prints an error the way every command reports one: `error:`, the cause chain, the hint.
pub(crate) fn print_error(message: &str, causes: &[String], hint: Option<&str>) {
    let red = Style::new().red().bold().for_stderr();
    say!("{} {}", red.apply_to("error:"), as_invoked(message));
    for cause in causes {
        say!("  caused by: {}", as_invoked(cause));
    }
    if let Some(hint) = hint {
        say!(
            "{} {}",
            Style::new().cyan().bold().for_stderr().apply_to("hint:"),
            as_invoked(hint)
        );
    }
}

/// A warning of the API server, as kubectl prints it.
pub(crate) fn print_api_warning(message: String) {
    say!(
        "{} {message}",
        Style::new()
            .yellow()
            .bold()
            .for_stderr()
            .apply_to("Warning:")
    );
}

/// One request of the client (`-vv`).
pub(crate) fn print_request(line: String) {
    say!("{}", Style::new().dim().for_stderr().apply_to(line));
}

/// Writes data to stdout; a closed pipe comes back as an error that `report` keeps quiet.
pub(crate) fn write_stdout(data: impl AsRef<[u8]>) -> anyhow::Result<()> {
    use anyhow::Context;
    let mut out = std::io::stdout().lock();
    out.write_all(data.as_ref())
        .and_then(|()| out.flush())
        .context("writing to stdout")
}

/// Where a remote command's output is copied byte for byte, as it comes: stdout and stderr.
pub(crate) fn passthrough() -> (tokio::io::Stdout, tokio::io::Stderr) {
    (tokio::io::stdout(), tokio::io::stderr())
}
