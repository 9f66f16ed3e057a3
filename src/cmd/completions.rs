//! `casctl completions SHELL` and the hidden `casctl man`.

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::Code;

pub(crate) fn run(shell: Shell) -> Result<Code> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "casctl", &mut out);
    write_stdout(&out)
}

pub(crate) fn man() -> Result<Code> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .context("rendering the man page")?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> Result<Code> {
    crate::ui::write_stdout(bytes)?;
    Ok(Code::Ok)
}
