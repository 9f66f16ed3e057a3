//! The ring as Cassandra sees it: `nodetool status` run in a Ready pod.

use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::Pod;

use super::{Cluster, exec};
use crate::error::UserError;
use crate::nodetool::{self, RingStatus};
use crate::rollout::{is_ready, ordinal};

/// How long one `nodetool status` may take.
pub const STATUS_TIMEOUT: Duration = Duration::from_secs(60);

/// The pod to ask: the lowest-ordinal Ready pod (`<name>-0` preferred, as the seed), skipping
/// `except` (a node being decommissioned cannot report its own departure).
pub fn pick_pod<'a>(name: &str, pods: &'a [Pod], except: Option<&str>) -> Option<&'a Pod> {
    pods.iter()
        .filter(|p| is_ready(p) && p.metadata.deletion_timestamp.is_none())
        .filter(|p| p.metadata.name.as_deref() != except)
        .filter_map(|p| Some((ordinal(name, p.metadata.name.as_deref()?)?, p)))
        .min_by_key(|(o, _)| *o)
        .map(|(_, p)| p)
}

/// Runs `nodetool status` in `pod` and parses it.
pub async fn status(cluster: &Cluster, pod: &str) -> Result<RingStatus> {
    let out = exec::run(&cluster.api(), pod, &["nodetool", "status"], STATUS_TIMEOUT).await?;
    if out.exit_code != 0 {
        return Err(UserError::new(format!(
            "`nodetool status` in pod {pod} failed with exit code {}: {}",
            out.exit_code,
            out.printed()
        ))
        .into());
    }
    nodetool::parse_status(&out.stdout)
        .with_context(|| format!("reading the output of `nodetool status` in pod {pod}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, ready: bool) -> Pod {
        crate::testing::pod(name, None, ready)
    }

    fn picked<'a>(pods: &'a [Pod], except: Option<&str>) -> Option<&'a str> {
        pick_pod("cassandra", pods, except).and_then(|p| p.metadata.name.as_deref())
    }

    #[test]
    fn pod_zero_is_preferred() {
        let pods = [
            pod("cassandra-2", true),
            pod("cassandra-0", true),
            pod("cassandra-1", true),
        ];
        assert_eq!(picked(&pods, None), Some("cassandra-0"));
    }

    #[test]
    fn the_next_ready_pod_stands_in() {
        let pods = [
            pod("cassandra-0", false),
            pod("cassandra-10", true),
            pod("cassandra-2", true),
        ];
        assert_eq!(picked(&pods, None), Some("cassandra-2"));
        assert_eq!(picked(&pods, Some("cassandra-2")), Some("cassandra-10"));
    }

    #[test]
    fn no_ready_pod_means_no_ring() {
        assert_eq!(picked(&[pod("cassandra-0", false)], None), None);
    }
}
