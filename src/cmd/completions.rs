//! `casctl completions SHELL` and `casctl man`.

use anyhow::{Context, Result};
use clap_complete::Shell;

use crate::cli;
use crate::error::Code;

pub fn run(shell: Shell) -> Result<Code> {
    let mut out = Vec::new();
    let mut command = cli::command();
    clap_complete::generate(shell, &mut command, "casctl", &mut out);
    write_stdout(&out)
}

pub fn man() -> Result<Code> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cli::command())
        .render(&mut out)
        .context("rendering the man page")?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> Result<Code> {
    crate::ui::write_stdout(bytes)?;
    Ok(Code::Ok)
}
