//! The `nodetool` that kwok runs for `kubectl exec <pod> -- nodetool …`: it asks the daemon
//! (one round trip on its unix socket) and then prints the simulated node's answer, or becomes
//! the real nodetool JVM of a real node. kwok's `Exec` object of the pod gives it `POD_NAME`,
//! `POD_NAMESPACE` and `CASCTL_CLUSTER_HOME`.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::protocol::{Request, Response, SOCKET};

pub fn main(args: Vec<String>) -> ExitCode {
    match run(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("nodetool (local control plane): {message}");
            ExitCode::from(1)
        }
    }
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set (no Exec object for this pod?)"))
}

fn run(args: Vec<String>) -> Result<ExitCode, String> {
    let request = Request {
        namespace: env("POD_NAMESPACE")?,
        pod: env("POD_NAME")?,
        args,
    };
    let socket = PathBuf::from(env("CASCTL_CLUSTER_HOME")?).join(SOCKET);
    let mut stream = UnixStream::connect(&socket).map_err(|e| {
        format!(
            "the daemon does not answer on {} ({e}); is the local control plane up?",
            socket.display()
        )
    })?;
    let mut line = serde_json::to_string(&request).map_err(|e| e.to_string())?;
    line.push('\n');
    stream
        .write_all(line.as_bytes())
        .map_err(|e| format!("writing to the daemon: {e}"))?;
    let mut answer = String::new();
    BufReader::new(stream)
        .read_line(&mut answer)
        .map_err(|e| format!("reading the daemon's answer: {e}"))?;
    let response: Response =
        serde_json::from_str(&answer).map_err(|e| format!("bad answer from the daemon: {e}"))?;
    match response {
        Response::Output(out) => {
            print!("{}", out.stdout);
            eprint!("{}", out.stderr);
            let _ = std::io::stdout().flush();
            Ok(ExitCode::from(out.code.clamp(0, 255) as u8))
        }
        Response::Exec { program, args } => {
            let error = std::process::Command::new(&program).args(args).exec();
            Err(format!("cannot run {program}: {error}"))
        }
    }
}
