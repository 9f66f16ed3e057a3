//! casctl: deploy and operate an Apache Cassandra ring on Kubernetes.
//!
//! The binary is a thin shell over [`run`]. The library is layered like the tutorial it
//! replaces: `cmd` has one module per command, over a pure core (`manifest`, `rollout`, `wait`,
//! [`nodetool`]) that needs no cluster, over thin glue to the API (`k8s`); `ui` is the only code
//! that writes to the terminal. What the library promises to other programs is
//! [`nodetool::parse_status`] and its types; the command line ([`cli`], [`values`]) is public
//! for the binary.

#![warn(unreachable_pub, missing_docs)]

mod access;
mod cassandra;
#[allow(missing_docs)] // The binary's flags: their documentation is the help text.
pub mod cli;
mod cmd;
mod error;
mod fmt;
mod interrupt;
mod k8s;
mod manifest;
pub mod nodetool;
mod preflight;
mod racks;
mod rollout;
#[cfg(test)]
mod testing;
mod ui;
#[allow(missing_docs)] // The flags' value types: documented where the flags are.
pub mod values;
mod wait;

use std::sync::Arc;

use anyhow::Result;

use cli::{Cli, ColorChoice, Command, GlobalArgs};
use error::Code;
pub use error::Outcome;
use interrupt::Interrupt;
use ui::Ui;

/// Runs one command. Offline commands (render, completions, man) start no async runtime and no
/// client.
pub fn run(cli: Cli) -> Result<Outcome> {
    let ui = Ui::new(ui_options(&cli.global));
    match cli.command {
        Command::Render(args) => {
            cmd::render::run(cli.global.name, cli.global.namespace, &args, &ui).map(Outcome::from)
        }
        Command::Rbac(args) => cmd::rbac::run(cli.global.namespace, &args, &ui).map(Outcome::from),
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

async fn run_online(global: GlobalArgs, command: Command, ui: Ui) -> Result<Outcome> {
    // `--timeout` is the whole command's budget: the lock wait and every later wait count
    // from here.
    let started = std::time::Instant::now();
    let mut interrupt = Interrupt::install(|| {
        ui::print_error("interrupted again: stopping at once", &[], None);
    });
    let options = k8s::ClientOptions {
        kubeconfig: global.kubeconfig.clone(),
        context: global.context.clone(),
        namespace: global.namespace.clone(),
    };
    let cluster = k8s::Cluster::connect(&options, global.name.clone(), observer(&ui)).await?;
    if let Some(run) = cmd::access::of(&command) {
        check_access(&cluster, run, &ui).await?;
    }
    let note = |line: String| ui.info(line);
    let lock = match lock_request(&command) {
        Some((holder, wait, budget)) => {
            let when_held = match wait {
                true => k8s::lock::WhenHeld::Wait(
                    wait::Deadline::new(started, budget),
                    &mut interrupt,
                    &note,
                ),
                false => k8s::lock::WhenHeld::Refuse,
            };
            Some(k8s::lock::acquire(&cluster, &holder, when_held).await?)
        }
        None => None,
    };
    let result = dispatch(&cluster, command, started, &ui, &mut interrupt).await;
    if let Some(lock) = lock {
        lock.release().await;
    }
    result
}

/// Runs the command, its `--timeout` counted from `started` (the one deadline of the command).
async fn dispatch(
    cluster: &k8s::Cluster,
    command: Command,
    started: std::time::Instant,
    ui: &Ui,
    interrupt: &mut Interrupt,
) -> Result<Outcome> {
    let deadline = |budget| wait::Deadline::new(started, budget);
    let code = match command {
        Command::Up(args) => {
            cmd::up::run(cluster, &args, deadline(args.timeout), ui, interrupt).await?
        }
        // The commands that change nothing stop at the first signal, whatever they wait on.
        Command::Status(args) => {
            let status = cmd::status::run(cluster, &args, ui);
            interrupt.unless(status, || only_read("status")).await?
        }
        Command::Scale(args) => {
            cmd::scale::run(cluster, &args, deadline(args.timeout), ui, interrupt).await?
        }
        Command::Down(args) => {
            let deadline = args.timeout.map(deadline);
            cmd::down::run(cluster, &args, deadline, ui, interrupt).await?
        }
        Command::Nodetool(args) => {
            let nodetool = cmd::nodetool::run(cluster, &args, ui);
            return interrupt.unless(nodetool, || nodetool_cut(&args)).await;
        }
        Command::Restart(args) => {
            cmd::restart::run(cluster, &args, deadline(args.timeout), ui, interrupt).await?
        }
        Command::Render(_) | Command::Rbac(_) | Command::Completions(_) | Command::Man => Code::Ok,
    };
    Ok(code.into())
}

/// `status` stopped by a signal: it changes nothing.
fn only_read(command: &str) -> error::Error {
    error::Error::Interrupted {
        done: format!("nothing was changed (`casctl {command}` only reads)"),
        resume: "run it again".to_owned(),
    }
}

/// `casctl nodetool` stopped by a signal: what the node was asked may go on without its client
/// (a repair, a decommission), or it only read.
fn nodetool_cut(args: &cli::NodetoolArgs) -> error::Error {
    error::Error::Interrupted {
        done: format!(
            "casctl stopped waiting for `nodetool {}`: a command that changes the node goes on inside Cassandra, one that reads changed nothing",
            args.args.join(" ")
        ),
        resume: "look at the ring with `casctl status`".to_owned(),
    }
}

/// Every permission the command will need, checked before it takes the lock or writes
/// anything: all the missing ones are one error, so that one request to an administrator (or
/// one `casctl rbac`) is enough. A missing optional one only switches a check off.
async fn check_access(cluster: &k8s::Cluster, run: access::Run, ui: &Ui) -> Result<()> {
    let started = std::time::Instant::now();
    let verdict = k8s::access::check(cluster, &run.requirements()).await?;
    ui.phase(
        format!(
            "asking the API server what the user of context \"{}\" may do in namespace {} (SelfSubjectRulesReview)",
            cluster.resolved.context,
            cluster.namespace()
        ),
        started,
    );
    let mut missing = Vec::new();
    for requirement in verdict.missing {
        let permission = requirement.permission;
        match requirement.need {
            access::Need::Required => {
                missing.push((
                    permission.to_string(),
                    permission.scope == access::Scope::Cluster,
                ));
            }
            access::Need::Optional(what) => {
                ui.detail(format!("the user may not {permission}: {what} is skipped"));
            }
        }
    }
    for requirement in verdict.unknown {
        ui.detail(format!(
            "cannot tell whether the user may {} (the API server did not answer the review)",
            requirement.permission
        ));
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(error::Error::MissingAccess {
        context: cluster.resolved.context.clone(),
        namespace: cluster.namespace().to_owned(),
        missing,
        command: run.name().to_owned(),
    }
    .into())
}

/// The commands that change the ring take its lock: who asks, whether to queue for it, and
/// for how long.
fn lock_request(command: &Command) -> Option<(k8s::lock::Holder, bool, std::time::Duration)> {
    use std::time::Duration;
    let (line, wait, budget) = match command {
        Command::Up(a) if a.dry_run.is_none() => ("up".to_owned(), a.wait_for_lock, a.timeout),
        Command::Scale(a) => (format!("scale {}", a.replicas), a.wait_for_lock, a.timeout),
        Command::Down(a) => {
            let line = match a.purge_volumes {
                true => "down --purge-volumes",
                false => "down",
            };
            let budget = a.timeout.unwrap_or(Duration::from_secs(600));
            (line.to_owned(), a.wait_for_lock, budget)
        }
        Command::Restart(a) => (restart_line(a), a.wait_for_lock, a.timeout),
        _ => return None,
    };
    Some((k8s::lock::Holder::this_process(&line), wait, budget))
}

/// The API server's warnings are shown as kubectl shows them; with `-vv`, every request too.
fn observer(ui: &Ui) -> k8s::observe::Observer {
    let warning: k8s::observe::Report = Arc::new(ui::print_api_warning);
    let request = (ui.verbose() >= 2).then(|| {
        let report: k8s::observe::Report = Arc::new(ui::print_request);
        report
    });
    k8s::observe::Observer::new(warning, request)
}

/// `restart`, `restart --rack a`, `restart --pod cassandra-2`: what the lock's holder shows.
fn restart_line(args: &cli::RestartArgs) -> String {
    match (&args.rack, &args.pod) {
        (Some(rack), _) => format!("restart --rack {rack}"),
        (_, Some(pod)) => format!("restart --pod {pod}"),
        _ => "restart".to_owned(),
    }
}

fn ui_options(global: &GlobalArgs) -> ui::Options {
    ui::Options {
        color: match global.color {
            ColorChoice::Auto => ui::Color::Auto,
            ColorChoice::Always => ui::Color::Always,
            ColorChoice::Never => ui::Color::Never,
        },
        quiet: global.quiet,
        verbose: global.verbose,
    }
}

/// Prints an error (`error:`, the causes that add something, a `hint:`) and returns its exit
/// code. A closed stdout pipe is not an error worth a message.
pub fn report(err: &anyhow::Error) -> Outcome {
    if error::is_broken_pipe(err) {
        return Code::Ok.into();
    }
    let (code, hint) = error::classify(err);
    let (message, causes) = error::lines(err);
    ui::print_error(&message, &causes, hint.as_deref());
    code.into()
}
