//! Running a command in a pod through the API (`pods/exec` over a WebSocket).

use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::{Api, AttachParams};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::{Cluster, Failure};
use crate::error::Error;
use crate::manifest::CONTAINER_NAME;

/// What a finished command printed, and its exit code.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) exit_code: i32,
}

impl Output {
    /// What the command printed, stdout then stderr, for an error message.
    pub(crate) fn printed(&self) -> String {
        crate::fmt::printed(&self.stdout, &self.stderr)
    }
}

/// Runs `command` in the cassandra container of `pod` and collects its output.
pub(crate) async fn run(
    cluster: &Cluster,
    pod: &str,
    command: &[&str],
    timeout: Duration,
) -> Result<Output> {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let exit_code = run_into(cluster, pod, command, timeout, &mut stdout, &mut stderr).await?;
    Ok(Output {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        exit_code,
    })
}

/// [`run`], saying on `started` when the command has started in the pod (its exec connection
/// is up): what is known of a command that is then cut short.
pub(crate) async fn run_started(
    cluster: &Cluster,
    pod: &str,
    command: &[&str],
    timeout: Duration,
    started: tokio::sync::oneshot::Sender<()>,
) -> Result<Output> {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let exit_code = exec(
        cluster,
        pod,
        command,
        timeout,
        (&mut stdout, &mut stderr),
        Some(started),
    )
    .await?;
    Ok(Output {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        exit_code,
    })
}

/// Runs `command` in the cassandra container of `pod`, copying its stdout and stderr as they
/// arrive, and returns its exit code.
pub(crate) async fn run_into<O, E>(
    cluster: &Cluster,
    pod: &str,
    command: &[&str],
    timeout: Duration,
    stdout: &mut O,
    stderr: &mut E,
) -> Result<i32>
where
    O: AsyncWrite + Unpin,
    E: AsyncWrite + Unpin,
{
    exec(cluster, pod, command, timeout, (stdout, stderr), None).await
}

async fn exec<O, E>(
    cluster: &Cluster,
    pod: &str,
    command: &[&str],
    timeout: Duration,
    (stdout, stderr): (&mut O, &mut E),
    started: Option<tokio::sync::oneshot::Sender<()>>,
) -> Result<i32>
where
    O: AsyncWrite + Unpin,
    E: AsyncWrite + Unpin,
{
    let shown = command.join(" ");
    let params = AttachParams::default()
        .container(CONTAINER_NAME)
        .stdin(false)
        .stdout(true)
        .stderr(true);
    let pods: Api<Pod> = cluster.api();
    let work = async {
        let mut process = match pods.exec(pod, command.iter().copied(), &params).await {
            Ok(process) => process,
            Err(err) => return Err(start_failed(cluster, err, &shown, pod)),
        };
        if let Some(started) = started {
            let _ = started.send(());
        }
        // Take the status first: the streams must be drained for it to arrive.
        let status = process.take_status();
        let (out, err) = (process.stdout(), process.stderr());
        let copies = async {
            let (copied_out, copied_err) = tokio::join!(copy(out, stdout), copy(err, stderr));
            copied_out.and(copied_err)
        };
        let status = match status {
            Some(status) => ended(copies, status).await,
            None => copies.await.map(|()| None),
        };
        let status = status.context("reading the command's output")?;
        exit_code(status.as_ref()).with_context(|| format!("running `{shown}` in pod {pod}"))
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| Error::TimedOut {
            what: format!("`{shown}` in pod {pod}"),
            timeout,
            detail: String::new(),
            hint: "raise --timeout, or look at the pod with `casctl status`".to_owned(),
        })?
}

/// A command that could not start: a missing permission is said as such (it will not pass by
/// retrying), anything else names the command and the pod.
fn start_failed(cluster: &Cluster, err: kube::Error, shown: &str, pod: &str) -> anyhow::Error {
    match super::classify(&err) {
        Failure::Forbidden
        | Failure::Unauthorized
        | Failure::Unreachable
        | Failure::CredentialPlugin => cluster.fail(err, "create", "pods/exec"),
        Failure::Other => anyhow::Error::msg(super::describe(&err))
            .context(format!("starting `{shown}` in pod {pod}")),
    }
}

/// Waits for the command's output and its status. A connection that breaks (the API server
/// restarting) ends the status with none, but leaves the output streams open for ever (the
/// client ends its message loop on a broken connection without closing them): then what
/// arrived so far is enough, and the missing status says that the connection was lost.
async fn ended<C, S>(copies: C, status: S) -> std::io::Result<Option<Status>>
where
    C: std::future::Future<Output = std::io::Result<()>>,
    S: std::future::Future<Output = Option<Status>>,
{
    tokio::pin!(copies, status);
    tokio::select! {
        copied = &mut copies => {
            copied?;
            Ok(status.await)
        }
        status = &mut status => match status {
            // The command ended: its output streams close right after.
            Some(status) => copies.await.map(|()| Some(status)),
            None => {
                let _ = tokio::time::timeout(DRAIN, copies).await;
                Ok(None)
            }
        },
    }
}

/// How long the output of a command whose connection broke is still read.
const DRAIN: Duration = Duration::from_millis(200);

async fn copy<R, W>(from: Option<R>, to: &mut W) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    if let Some(mut from) = from {
        tokio::io::copy(&mut from, to).await?;
        to.flush().await?;
    }
    Ok(())
}

/// The exit code in the status the API sends when the command ends: Success is 0; a failure
/// carries the code in `details.causes[reason=ExitCode]`.
pub(crate) fn exit_code(status: Option<&Status>) -> Result<i32> {
    let Some(status) = status else {
        anyhow::bail!("the connection closed before the command's exit status arrived");
    };
    if status.status.as_deref() == Some("Success") {
        return Ok(0);
    }
    let message = status.message.as_deref().unwrap_or("the command failed");
    let code = status
        .details
        .as_ref()
        .and_then(|d| d.causes.as_ref())
        .and_then(|causes| {
            causes
                .iter()
                .find(|c| c.reason.as_deref() == Some("ExitCode"))
        })
        .and_then(|c| c.message.as_deref()?.parse().ok())
        .or_else(|| exit_status_in(message));
    match code {
        Some(code) => Ok(code),
        None => anyhow::bail!("{message}"),
    }
}

/// Runtimes that wrap the process error (kwok among them) report the exit code only in the
/// message: `… error executing command in container: … exit status 3`.
fn exit_status_in(message: &str) -> Option<i32> {
    let (_, rest) = message.rsplit_once("exit status ")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{StatusCause, StatusDetails};

    fn failure(causes: Vec<StatusCause>) -> Status {
        Status {
            status: Some("Failure".into()),
            message: Some("command terminated with non-zero exit code".into()),
            reason: Some("NonZeroExitCode".into()),
            details: Some(StatusDetails {
                causes: Some(causes),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn a_broken_connection_ends_the_command_without_a_status_though_the_output_stays_open() {
        // The output never ends (the client leaves it open); the status channel closes empty.
        let copies = std::future::pending::<std::io::Result<()>>();
        let status = std::future::ready(None);
        assert!(block_on(ended(copies, status)).unwrap().is_none());
        let err = exit_code(None).unwrap_err();
        assert!(err.to_string().contains("connection closed"), "{err}");
    }

    #[test]
    fn a_status_waits_for_the_whole_output() {
        let ok = Status {
            status: Some("Success".into()),
            ..Default::default()
        };
        let copied = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = copied.clone();
        let copies = async move {
            tokio::task::yield_now().await;
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        };
        let status = block_on(ended(copies, std::future::ready(Some(ok))));
        assert_eq!(exit_code(status.unwrap().as_ref()).unwrap(), 0);
        assert!(copied.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[test]
    fn success_is_zero() {
        let ok = Status {
            status: Some("Success".into()),
            ..Default::default()
        };
        assert_eq!(exit_code(Some(&ok)).unwrap(), 0);
    }

    #[test]
    fn the_code_comes_from_the_exit_code_cause() {
        let status = failure(vec![StatusCause {
            reason: Some("ExitCode".into()),
            message: Some("2".into()),
            field: None,
        }]);
        assert_eq!(exit_code(Some(&status)).unwrap(), 2);
    }

    #[test]
    fn a_wrapped_exit_status_is_read_from_the_message() {
        let status = Status {
            status: Some("Failure".into()),
            reason: Some("InternalError".into()),
            message: Some(
                "error executing command in container: cmd wait: nodetool frob: exit status 3"
                    .into(),
            ),
            ..Default::default()
        };
        assert_eq!(exit_code(Some(&status)).unwrap(), 3);
    }

    #[test]
    fn a_failure_without_code_is_an_error_with_its_message() {
        let err = exit_code(Some(&failure(vec![]))).unwrap_err();
        assert!(err.to_string().contains("non-zero exit code"));
        assert!(exit_code(None).is_err());
    }
}
