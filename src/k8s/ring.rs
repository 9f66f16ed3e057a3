//! The ring as Cassandra sees it: nodetool run in a pod.

use std::time::Duration;

use anyhow::{Context, Result};

use super::{Cluster, exec};
use crate::error::Error;
use crate::nodetool::{self, RingStatus};
use crate::wait::Streams;

/// How long one read-only nodetool command (`status`, `netstats`, `describecluster`) may take.
pub(crate) const ASK_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs a read-only nodetool command in `pod`; its stdout when it exits 0.
async fn ask(cluster: &Cluster, pod: &str, args: &[&str]) -> Result<String> {
    let mut command = vec!["nodetool"];
    command.extend_from_slice(args);
    let out = exec::run(cluster, pod, &command, ASK_TIMEOUT).await?;
    if out.exit_code != 0 {
        return Err(Error::Exec {
            pod: pod.to_owned(),
            command: command.join(" "),
            code: out.exit_code,
            output: out.printed(),
            hint: None,
        }
        .into());
    }
    Ok(out.stdout)
}

/// `nodetool status` in `pod`, parsed.
pub(crate) async fn status(cluster: &Cluster, pod: &str) -> Result<RingStatus> {
    let out = ask(cluster, pod, &["status"]).await?;
    nodetool::parse_status(&out)
        .with_context(|| format!("reading the output of `nodetool status` in pod {pod}"))
}

/// `nodetool netstats` in `pod`: the node's mode and what it streams.
pub(crate) async fn streams(cluster: &Cluster, pod: &str) -> Result<Streams> {
    let out = ask(cluster, pod, &["netstats"]).await?;
    Ok(parse_streams(&out))
}

/// The mode line of `nodetool netstats` (`Mode: LEAVING`).
fn parse_streams(text: &str) -> Streams {
    let mode = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Mode: "))
        .unwrap_or("UNKNOWN")
        .trim()
        .to_owned();
    Streams { mode, bytes: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mode_comes_from_netstats() {
        let idle = "Mode: NORMAL\nNot sending any streams.\n";
        assert_eq!(parse_streams(idle).mode, "NORMAL");
        assert_eq!(parse_streams("garbage").mode, "UNKNOWN");
    }
}
