use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = casctl::cli::parse(std::env::args_os());
    match casctl::run(cli) {
        Ok(outcome) => outcome.into(),
        Err(err) => casctl::report(&err).into(),
    }
}
