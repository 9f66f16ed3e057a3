//! casctl: deploy and operate an Apache Cassandra ring on Kubernetes.
//!
//! The binary is a thin shell over [`run`]. The library is layered like the tutorial it
//! replaces: [`cmd`] has one module per command, over a pure core ([`manifest`], [`rollout`],
//! [`nodetool`]) that needs no cluster, over thin glue to the API ([`k8s`]).

#[allow(dead_code)]
pub(crate) mod cassandra;
pub mod cli;
pub mod cmd;
pub mod error;
pub mod k8s;
pub mod manifest;
pub mod nodetool;
pub mod preflight;
pub mod rollout;
#[cfg(test)]
mod testing;
pub mod ui;
pub mod values;

use anyhow::Result;

use cli::{Cli, Command};
use error::{Code, Outcome};
use ui::Ui;

/// Runs one command. Offline commands (render, completions, man) start no async runtime and no
/// client.
pub fn run(cli: Cli) -> Result<Outcome> {
    let ui = Ui::from_args(&cli.global);
    match cli.command {
        Command::Render(args) => cmd::render::run(&cli.global, &args).map(Outcome::from),
        Command::Completions(args) => cmd::completions::run(args.shell).map(Outcome::from),
        Command::Man => cmd::completions::man().map(Outcome::from),
        command => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(run_online(cli.global, command, ui))
        }
    }
}

async fn run_online(global: cli::GlobalArgs, command: Command, ui: Ui) -> Result<Outcome> {
    let cluster = k8s::Cluster::connect(&global).await?;
    let code = match command {
        Command::Up(args) => cmd::up::run(&cluster, &global, &args, &ui).await?,
        Command::Status(args) => cmd::status::run(&cluster, &args, &ui).await?,
        Command::Scale(args) => cmd::scale::run(&cluster, &args, &ui).await?,
        Command::Down(args) => cmd::down::run(&cluster, &args, &ui).await?,
        Command::Nodetool(args) => return cmd::nodetool::run(&cluster, &args, &ui).await,
        Command::Render(_) | Command::Completions(_) | Command::Man => Code::Ok,
    };
    Ok(code.into())
}

/// Prints an error (`error:`, the cause chain, a `hint:`) and returns its exit code. A closed
/// stdout pipe is not an error worth a message.
pub fn report(err: &anyhow::Error) -> Code {
    if error::is_broken_pipe(err) {
        return Code::Ok;
    }
    let (code, hint) = error::classify(err);
    let causes: Vec<String> = err.chain().skip(1).map(|c| c.to_string()).collect();
    ui::print_error(&err.to_string(), &causes, hint);
    code
}
