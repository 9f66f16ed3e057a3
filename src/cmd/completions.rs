//! `casctl completions SHELL` and `casctl man`.
//!
//! Both describe the `casctl` command, also when the binary runs as the kubectl plugin: a
//! completion script is registered for a command's first word, and for `kubectl casctl …` that
//! word is kubectl's; the man page is casctl(1).

use anyhow::{Context, Result};
use clap_complete::Shell;

use crate::cli::{self, Invocation};
use crate::error::Code;

pub(crate) fn run(shell: Shell) -> Result<Code> {
    let mut out = Vec::new();
    let mut command = cli::command(Invocation::Casctl);
    clap_complete::generate(shell, &mut command, "casctl", &mut out);
    write_stdout(&out)
}

pub(crate) fn man() -> Result<Code> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cli::command(Invocation::Casctl))
        .render(&mut out)
        .context("rendering the man page")?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> Result<Code> {
    crate::ui::write_stdout(bytes)?;
    Ok(Code::Ok)
}
