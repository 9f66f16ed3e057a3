use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = casctl::cli::Cli::parse();
    match casctl::run(cli) {
        Ok(outcome) => outcome.into(),
        Err(err) => casctl::report(&err).into(),
    }
}
