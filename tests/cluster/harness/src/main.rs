//! The local control plane's helper program, one binary with two faces:
//!
//! * `casctl-cluster daemon`: the background helper started by `tests/local-cluster up`
//!   (registrar, volume recycler, simulated and real Cassandra rings, server of the nodetool
//!   front);
//! * `nodetool ARGS…` (this binary under that name, on kwok's exec PATH), or
//!   `casctl-cluster nodetool ARGS…`: the nodetool of a pod.
//!
//! It is an independent oracle for casctl's end-to-end tests: it shares none of casctl's code.

mod daemon;
mod duration;
mod front;
mod pods;
mod print;
mod protocol;
mod real;
mod recycler;
mod server;
mod sim;

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    let program = args.first().map(|a| {
        Path::new(a)
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    });
    if program.as_deref() == Some("nodetool") {
        return front::main(args.split_off(1));
    }
    match args.get(1).map(String::as_str) {
        Some("nodetool") => front::main(args.split_off(2)),
        Some("daemon") => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let result = runtime
                .map_err(anyhow::Error::from)
                .and_then(|r| r.block_on(daemon::run()));
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{} error: {e:#}", daemon::now());
                    ExitCode::from(1)
                }
            }
        }
        _ => {
            eprintln!(
                "usage: casctl-cluster daemon | casctl-cluster nodetool ARGS… (or run it as nodetool)"
            );
            ExitCode::from(2)
        }
    }
}
