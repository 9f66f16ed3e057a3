//! What the nodetool front and the daemon say to each other over the daemon's unix socket: one
//! JSON line each way per call.

use serde::{Deserialize, Serialize};

/// The socket's file name under `$CASCTL_CLUSTER_HOME`.
pub const SOCKET: &str = "daemon.sock";

/// A `nodetool …` run in a pod (`kubectl exec <pod> -- nodetool ARGS`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Request {
    pub namespace: String,
    pub pod: String,
    pub args: Vec<String>,
}

/// The daemon's answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Response {
    /// A simulated node answered: print this and exit with `code`.
    Output(Output),
    /// A real node: replace the front by this program (the real nodetool JVM), so that its
    /// output and exit status are the caller's, unchanged.
    Exec { program: String, args: Vec<String> },
}

/// What a command printed and its exit status.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Output {
    pub fn ok(stdout: impl Into<String>) -> Self {
        Output {
            stdout: stdout.into(),
            ..Output::default()
        }
    }

    /// nodetool's usage errors (`NodeTool.badUse`): on stdout, exit status 1.
    pub fn bad_use(message: &str) -> Self {
        Output {
            stdout: format!(
                "nodetool: {message}\nSee 'nodetool help' or 'nodetool help <command>'.\n"
            ),
            code: 1,
            ..Output::default()
        }
    }

    /// nodetool could not reach the node's JMX port: on stderr, exit status 1.
    pub fn connection_refused(host: &str) -> Self {
        Output {
            stderr: format!(
                "nodetool: Failed to connect to '{host}:7199' - ConnectException: 'Connection refused'.\n"
            ),
            code: 1,
            ..Output::default()
        }
    }
}
