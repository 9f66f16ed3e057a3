//! `casctl status`: the tutorial's `kubectl get statefulset`, `kubectl get pods` and
//! `kubectl exec -it cassandra-0 -- nodetool status` as one view that cross-checks them.

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::cli::{StatusArgs, StatusFormat};
use crate::error::{Code, Error};
use crate::k8s::{Cluster, objects, ring};
use crate::nodetool::{Node, RingStatus};
use crate::rollout::{self, pod_stage};
use crate::ui::{Ui, table};

/// Everything `status` knows, as `-o json|yaml` prints it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Report {
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) service: Option<ServiceView>,
    pub(crate) statefulset: StatefulSetView,
    pub(crate) pods: Vec<PodView>,
    pub(crate) ring: Option<RingView>,
    pub(crate) warnings: Vec<String>,
    pub(crate) healthy: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServiceView {
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) type_: String,
    pub(crate) cluster_ip: String,
    pub(crate) ports: Vec<String>,
    pub(crate) age: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct StatefulSetView {
    pub(crate) name: String,
    pub(crate) replicas: i32,
    pub(crate) ready: i32,
    pub(crate) current: i32,
    pub(crate) updated: i32,
    pub(crate) image: String,
    pub(crate) age: String,
    pub(crate) current_revision: Option<String>,
    pub(crate) update_revision: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PodView {
    pub(crate) name: String,
    pub(crate) ready: bool,
    pub(crate) status: String,
    pub(crate) restarts: i32,
    pub(crate) age: String,
    pub(crate) ip: Option<String>,
    pub(crate) node: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RingView {
    /// The pod `nodetool status` ran in.
    pub(crate) asked: String,
    pub(crate) nodes: Vec<RingNodeView>,
    pub(crate) notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RingNodeView {
    pub(crate) datacenter: String,
    /// The pod whose IP is the node's address, if any.
    pub(crate) pod: Option<String>,
    #[serde(flatten)]
    pub(crate) node: Node,
}

pub(crate) async fn run(cluster: &Cluster, args: &StatusArgs, ui: &Ui) -> Result<Code> {
    // The ring is asked in pod 0 at once, while the objects are read: `status` then costs
    // about one `nodetool status`. Should pod 0 turn out not to be Ready, another is asked.
    let first = format!("{}-0", cluster.name);
    let early_ring = async {
        match args.no_ring {
            true => None,
            false => Some(ring::status(cluster, &first).await),
        }
    };
    let (sts, service, early_ring) = tokio::join!(
        objects::existing_statefulset(cluster),
        objects::service(cluster),
        early_ring
    );
    let (sts, service) = (sts?, service?);
    let pods = objects::pods(cluster, &objects::selectors(cluster, Some(&sts))).await?;

    let mut warnings = Vec::new();
    let ring = match (args.no_ring, early_ring) {
        (true, _) => None,
        (false, Some(Ok(status))) if is_asked_first(&first, &pods, cluster) => {
            Some((first, status))
        }
        (false, _) => read_ring(cluster, &pods, &mut warnings, ui).await?,
    };
    warnings.extend(assess(
        cluster.name.as_str(),
        cluster.namespace(),
        &sts,
        &pods,
        ring.as_ref().map(|(_, r)| r),
    ));
    let report = Report {
        namespace: cluster.namespace().to_owned(),
        name: cluster.name.to_string(),
        service: service.as_ref().map(service_view),
        statefulset: statefulset_view(&sts),
        pods: pods.iter().map(pod_view).collect(),
        ring: ring.map(|(asked, status)| ring_view(asked, &status, &pods)),
        healthy: warnings.is_empty(),
        warnings,
    };
    print(&report, args.output, ui)?;
    Ok(if report.healthy {
        Code::Ok
    } else {
        Code::Degraded
    })
}

/// Whether pod 0 is the pod the ring is read from (Ready, not being deleted).
fn is_asked_first(first: &str, pods: &[Pod], cluster: &Cluster) -> bool {
    rollout::pick_pod(&[cluster.name.as_str()], pods, None).and_then(|p| p.metadata.name.as_deref())
        == Some(first)
}

/// `nodetool status` from the first Ready pod. A ring that cannot be read is a warning (the
/// ring is degraded), except a missing permission, which is an error about permissions.
async fn read_ring(
    cluster: &Cluster,
    pods: &[Pod],
    warnings: &mut Vec<String>,
    ui: &Ui,
) -> Result<Option<(String, RingStatus)>> {
    let Some(pod) = rollout::pick_pod(&[cluster.name.as_str()], pods, None) else {
        warnings.push("no pod is Ready, so the ring cannot be read".to_owned());
        return Ok(None);
    };
    let asked = pod.metadata.name.clone().unwrap_or_default();
    let first = format!("{}-0", cluster.name);
    if asked != first {
        ui.info(format!(
            "{first} is not Ready; reading the ring from {asked}"
        ));
    }
    match ring::status(cluster, &asked).await {
        Ok(status) => Ok(Some((asked, status))),
        Err(err) if matches!(err.downcast_ref::<Error>(), Some(Error::Forbidden { .. })) => {
            Err(err)
        }
        Err(err) => {
            warnings.push(format!("could not read the ring from {asked}: {err:#}"));
            Ok(None)
        }
    }
}

/// Where the StatefulSet, the pods and the ring disagree.
pub(crate) fn assess(
    name: &str,
    namespace: &str,
    sts: &StatefulSet,
    pods: &[Pod],
    ring: Option<&RingStatus>,
) -> Vec<String> {
    let mut warnings = Vec::new();
    let wanted = rollout::replicas(sts);
    let ready = pods.iter().filter(|p| rollout::is_ready(p)).count();
    if ready != wanted as usize {
        warnings.push(format!("{ready}/{wanted} pods are Ready"));
    }
    let Some(ring) = ring else {
        return warnings;
    };
    let ip_of = |p: &Pod| p.status.as_ref().and_then(|s| s.pod_ip.clone());
    for pod in pods.iter().filter(|p| rollout::is_ready(p)) {
        let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
        match ip_of(pod) {
            Some(ip) if !ring.has_address(&ip) => warnings.push(format!(
                "pod {pod_name} ({ip}) is Ready but not in the ring"
            )),
            _ => {}
        }
    }
    for (_, node) in ring.nodes() {
        let pod = node.ip().and_then(|ip| {
            pods.iter()
                .find(|p| ip_of(p).as_deref() == Some(&ip.to_string()))
        });
        let code = node.code();
        match pod {
            None => warnings.push(format!(
                "ring node {} ({code}) is no pod of {name}: left behind by a scale-down without decommission? \
                 remove it with `casctl nodetool -n {namespace} --name {name} -- removenode {}`",
                node.address,
                node.host_id.as_deref().unwrap_or("<host-id>")
            )),
            Some(_) if !node.is_up_normal() => warnings.push(format!("ring node {} is {code}", node.address)),
            Some(_) => {}
        }
    }
    warnings
}

fn age(time: Option<&Time>) -> String {
    let Some(time) = time else {
        return "<unknown>".to_owned();
    };
    let secs = (k8s_openapi::jiff::Timestamp::now() - time.0)
        .get_seconds()
        .max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

fn service_view(svc: &Service) -> ServiceView {
    let spec = svc.spec.clone().unwrap_or_default();
    ServiceView {
        name: svc.metadata.name.clone().unwrap_or_default(),
        type_: spec.type_.unwrap_or_else(|| "ClusterIP".to_owned()),
        cluster_ip: spec.cluster_ip.unwrap_or_default(),
        ports: spec
            .ports
            .unwrap_or_default()
            .iter()
            .map(|p| format!("{}/{}", p.port, p.protocol.as_deref().unwrap_or("TCP")))
            .collect(),
        age: age(svc.metadata.creation_timestamp.as_ref()),
    }
}

fn statefulset_view(sts: &StatefulSet) -> StatefulSetView {
    let status = sts.status.clone().unwrap_or_default();
    let image = sts
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.containers.first())
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    StatefulSetView {
        name: sts.metadata.name.clone().unwrap_or_default(),
        replicas: sts.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
        ready: status.ready_replicas.unwrap_or(0),
        current: status.current_replicas.unwrap_or(0),
        updated: status.updated_replicas.unwrap_or(0),
        image,
        age: age(sts.metadata.creation_timestamp.as_ref()),
        current_revision: status.current_revision,
        update_revision: status.update_revision,
    }
}

fn pod_view(pod: &Pod) -> PodView {
    let status = pod.status.as_ref();
    let restarts = rollout::restarts(pod);
    let waiting = status
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| {
            cs.iter()
                .find_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.clone())
        });
    let shown = match pod_stage(Some(pod)) {
        rollout::PodStage::Terminating => "Terminating".to_owned(),
        _ => waiting
            .or_else(|| status.and_then(|s| s.phase.clone()))
            .unwrap_or_else(|| "Unknown".to_owned()),
    };
    PodView {
        name: pod.metadata.name.clone().unwrap_or_default(),
        ready: rollout::is_ready(pod),
        status: shown,
        restarts,
        age: age(pod.metadata.creation_timestamp.as_ref()),
        ip: status.and_then(|s| s.pod_ip.clone()),
        node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
    }
}

fn ring_view(asked: String, ring: &RingStatus, pods: &[Pod]) -> RingView {
    let pod_by_ip: BTreeMap<String, String> = pods
        .iter()
        .filter_map(|p| Some((p.status.as_ref()?.pod_ip.clone()?, p.metadata.name.clone()?)))
        .collect();
    RingView {
        asked,
        nodes: ring
            .nodes()
            .map(|(dc, node)| RingNodeView {
                datacenter: dc.name.clone(),
                pod: node
                    .ip()
                    .and_then(|ip| pod_by_ip.get(&ip.to_string()).cloned()),
                node: node.clone(),
            })
            .collect(),
        notes: ring.notes.clone(),
    }
}

fn print(report: &Report, format: StatusFormat, ui: &Ui) -> Result<()> {
    let text = match format {
        StatusFormat::Json => serde_json::to_string_pretty(report)? + "\n",
        StatusFormat::Yaml => crate::manifest::to_yaml(report)?,
        StatusFormat::Table | StatusFormat::Wide => tables(report, format == StatusFormat::Wide),
    };
    crate::ui::write_stdout(text)?;
    if matches!(format, StatusFormat::Table | StatusFormat::Wide) {
        for warning in &report.warnings {
            ui.warn(warning);
        }
    }
    Ok(())
}

fn dash(value: Option<&str>) -> String {
    value.unwrap_or("<none>").to_owned()
}

/// The kubectl-like view: one table per object kind, blank lines between them.
pub(crate) fn tables(report: &Report, wide: bool) -> String {
    let mut sections = Vec::new();
    if let Some(svc) = &report.service {
        let mut t = table::new(&["service", "type", "cluster-ip", "ports", "age"]);
        t.add_row(vec![
            svc.name.clone(),
            svc.type_.clone(),
            svc.cluster_ip.clone(),
            svc.ports.join(","),
            svc.age.clone(),
        ]);
        sections.push(table::render(&t));
    }
    let s = &report.statefulset;
    let mut headers = vec!["statefulset", "ready", "image", "age"];
    if wide {
        headers.extend(["current", "updated", "revision"]);
    }
    let mut t = table::new(&headers);
    let mut row = vec![
        s.name.clone(),
        format!("{}/{}", s.ready, s.replicas),
        s.image.clone(),
        s.age.clone(),
    ];
    if wide {
        row.extend([
            s.current.to_string(),
            s.updated.to_string(),
            dash(s.update_revision.as_deref()),
        ]);
    }
    t.add_row(row);
    sections.push(table::render(&t));

    let mut t = table::new(&["pod", "ready", "status", "restarts", "age", "ip", "node"]);
    for p in &report.pods {
        t.add_row(vec![
            p.name.clone(),
            if p.ready { "1/1" } else { "0/1" }.to_owned(),
            p.status.clone(),
            p.restarts.to_string(),
            p.age.clone(),
            dash(p.ip.as_deref()),
            dash(p.node.as_deref()),
        ]);
    }
    sections.push(table::render(&t));

    if let Some(ring) = &report.ring {
        let mut headers = vec![
            "datacenter",
            "rack",
            "status",
            "address",
            "pod",
            "load",
            "tokens",
            "owns",
            "host-id",
        ];
        if wide {
            headers.push("token");
        }
        let mut t = table::new(&headers);
        for n in &ring.nodes {
            let node = &n.node;
            let mut row = vec![
                n.datacenter.clone(),
                node.rack.clone(),
                node.code(),
                node.address.clone(),
                dash(n.pod.as_deref()),
                node.load.clone().unwrap_or_else(|| "?".to_owned()),
                node.tokens.map_or("-".to_owned(), |t| t.to_string()),
                node.owns_percent
                    .map_or("?".to_owned(), |o| format!("{o:.1}%")),
                match (wide, node.host_id.as_deref()) {
                    (_, None) => "?".to_owned(),
                    (true, Some(id)) => id.to_owned(),
                    (false, Some(id)) => id.chars().take(8).collect(),
                },
            ];
            if wide {
                row.push(dash(node.token.as_deref()));
            }
            t.add_row(row);
        }
        let mut section = format!("ring (nodetool status in {}):\n", ring.asked);
        section.push_str(&table::render(&t));
        for note in &ring.notes {
            section.push_str(note);
            section.push('\n');
        }
        sections.push(section);
    }
    sections.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::StatefulSetSpec;

    fn pod(i: u32, ip: &str, ready: bool) -> Pod {
        crate::testing::pod(&format!("cassandra-{i}"), Some(ip), ready)
    }

    fn sts(replicas: i32) -> StatefulSet {
        StatefulSet {
            spec: Some(StatefulSetSpec {
                replicas: Some(replicas),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn ring(rows: &[(&str, &str)]) -> RingStatus {
        let rows: Vec<String> = rows
            .iter()
            .map(|(code, ip)| {
                format!("{code}  {ip}  1 KiB  32  66.7%  11111111-2222-3333-4444-555555555555  r1")
            })
            .collect();
        crate::nodetool::parse_status(&format!(
            "Datacenter: dc1\n===============\nStatus=Up/Down\n|/ State=Normal/Leaving/Joining/Moving\n--  Address  Load  Tokens  Owns (effective)  Host ID  Rack\n{}\n",
            rows.join("\n")
        ))
        .unwrap()
    }

    #[test]
    fn a_healthy_ring_has_no_warning() {
        let pods = [pod(0, "10.0.0.1", true), pod(1, "10.0.0.2", true)];
        let r = ring(&[("UN", "10.0.0.1"), ("UN", "10.0.0.2")]);
        assert!(assess("cassandra", "shop", &sts(2), &pods, Some(&r)).is_empty());
    }

    #[test]
    fn a_node_left_by_an_unsafe_scale_down_is_named() {
        let pods = [pod(0, "10.0.0.1", true)];
        let r = ring(&[("UN", "10.0.0.1"), ("DN", "10.0.0.9")]);
        let warnings = assess("cassandra", "shop", &sts(1), &pods, Some(&r));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("ring node 10.0.0.9 (DN) is no pod of cassandra"),
            "{warnings:?}"
        );
        assert!(warnings[0].contains("removenode 11111111-2222-3333-4444-555555555555"));
    }

    #[test]
    fn a_ready_pod_missing_from_the_ring_and_a_down_node_are_warned() {
        let pods = [
            pod(0, "10.0.0.1", true),
            pod(1, "10.0.0.2", true),
            pod(2, "10.0.0.3", false),
        ];
        let r = ring(&[("UN", "10.0.0.1"), ("DN", "10.0.0.3")]);
        let warnings = assess("cassandra", "shop", &sts(3), &pods, Some(&r));
        assert_eq!(
            warnings,
            vec![
                "2/3 pods are Ready".to_owned(),
                "pod cassandra-1 (10.0.0.2) is Ready but not in the ring".to_owned(),
                "ring node 10.0.0.3 is DN".to_owned(),
            ]
        );
    }

    #[test]
    fn the_ring_table_maps_addresses_to_pods() {
        let pods = [pod(0, "10.0.0.1", true)];
        let view = ring_view(
            "cassandra-0".into(),
            &ring(&[("UN", "10.0.0.1"), ("DN", "10.0.0.9")]),
            &pods,
        );
        assert_eq!(view.nodes[0].pod.as_deref(), Some("cassandra-0"));
        assert_eq!(view.nodes[1].pod, None);
    }
}
