//! The ring as Cassandra sees it: nodetool run in a pod, and the container's log.

use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::Pod;
use kube::api::LogParams;

use super::{Cluster, exec};
use crate::cassandra::describe::{ClusterDescription, parse_describecluster};
use crate::cassandra::failure::classify_failure;
use crate::cassandra::netstats::{Direction, OperationMode, parse_netstats};
use crate::error::Error;
use crate::manifest::CONTAINER_NAME;
use crate::nodetool::{self, RingStatus};
use crate::wait::Streams;

/// How long one read-only nodetool command (`status`, `netstats`, `describecluster`) may take.
pub(crate) const ASK_TIMEOUT: Duration = Duration::from_secs(60);
/// How much of a container's previous log a crash diagnosis reads.
const LOG_LINES: i64 = 60;

/// Runs a read-only nodetool command in `pod`; its stdout when it exits 0.
async fn ask(cluster: &Cluster, pod: &str, args: &[&str]) -> Result<String> {
    let mut command = vec!["nodetool"];
    command.extend_from_slice(args);
    let out = exec::run(cluster, pod, &command, ASK_TIMEOUT).await?;
    if out.exit_code != 0 {
        let failure = classify_failure(out.exit_code, &out.stdout, &out.stderr);
        let output = match failure.is_node_starting() {
            true => format!("{pod} is still starting: {failure}"),
            false => out.printed(),
        };
        return Err(Error::Exec {
            pod: pod.to_owned(),
            command: command.join(" "),
            code: out.exit_code,
            output,
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

/// `nodetool netstats` in `pod`: the node's mode and the bytes it streams (sends when
/// leaving, receives when joining).
pub(crate) async fn streams(cluster: &Cluster, pod: &str) -> Result<Streams> {
    let out = ask(cluster, pod, &["netstats"]).await?;
    let netstats = parse_netstats(&out)
        .with_context(|| format!("reading the output of `nodetool netstats` in pod {pod}"))?;
    let direction = match netstats.mode {
        OperationMode::Joining => Direction::Receiving,
        _ => Direction::Sending,
    };
    let total = netstats.total(direction);
    Ok(Streams {
        bytes: (netstats.is_streaming() && total.fraction().is_some())
            .then_some((total.bytes_done, total.bytes_total)),
        mode: netstats.mode,
    })
}

/// `nodetool describecluster` in `pod`, parsed (keyspaces and their replication included).
pub(crate) async fn describe(cluster: &Cluster, pod: &str) -> Result<ClusterDescription> {
    let out = ask(cluster, pod, &["describecluster"]).await?;
    parse_describecluster(&out)
        .with_context(|| format!("reading the output of `nodetool describecluster` in pod {pod}"))
}

/// The tail of the Cassandra container's previous log (`kubectl logs --previous`): why it
/// last exited.
pub(crate) async fn previous_log(cluster: &Cluster, pod: &str) -> Result<String> {
    let params = LogParams {
        container: Some(CONTAINER_NAME.to_owned()),
        previous: true,
        tail_lines: Some(LOG_LINES),
        ..Default::default()
    };
    cluster
        .api::<Pod>()
        .logs(pod, &params)
        .await
        .map_err(|e| cluster.fail(e, "get", "pods/log"))
}
