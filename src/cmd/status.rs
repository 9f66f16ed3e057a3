//! `casctl status`: the tutorial's `kubectl get statefulset`, `kubectl get pods` and
//! `kubectl exec -it cassandra-0 -- nodetool status` as one view that cross-checks them. A
//! ring with racks shows its StatefulSets, pods and ring rows rack by rack, and says where a
//! node's rack in the ring is not its StatefulSet's.

use std::time::Instant;

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::ResourceExt;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::cli::{StatusArgs, StatusFormat};
use crate::error::{Code, Error};
use crate::k8s::racks::{self, Ring};
use crate::k8s::{Cluster, objects, ring};
use crate::manifest::RACK_LABEL;
use crate::nodetool::{Node, RingStatus};
use crate::racks::{Layout, Slot};
use crate::rollout::{self, pod_stage};
use crate::ui::{Ui, table};

/// Everything `status` knows, as `-o json|yaml` prints it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Report {
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) service: Option<ServiceView>,
    /// The tutorial's single StatefulSet (a ring without racks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) statefulset: Option<StatefulSetView>,
    /// A ring with racks: each rack's StatefulSet, in rack order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) racks: Vec<RackView>,
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
pub(crate) struct RackView {
    pub(crate) rack: String,
    pub(crate) statefulset: StatefulSetView,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PodView {
    pub(crate) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rack: Option<String>,
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
    // about one `nodetool status`. Should pod 0 turn out not to be Ready (or the ring have
    // racks, whose pods are named otherwise), another is asked.
    let first = format!("{}-0", cluster.name);
    let started = Instant::now();
    let early_ring = async {
        match args.no_ring {
            true => None,
            false => {
                let status = ring::status(cluster, &first).await;
                ui.phase(format!("nodetool status in {first}"), started);
                Some(status)
            }
        }
    };
    let objects = async {
        let read = tokio::join!(racks::existing(cluster), objects::service(cluster));
        ui.phase(
            format!(
                "reading StatefulSet {name} and Service {name}",
                name = cluster.name
            ),
            started,
        );
        read
    };
    let ((found, service), early_ring) = tokio::join!(objects, early_ring);
    let (found, service) = (found?, service?);
    let listed = Instant::now();
    let pods = racks::pods(cluster, &found).await?;
    ui.phase(format!("listing pods {}", found.selector(cluster)), listed);

    let mut warnings = Vec::new();
    let ring = match (args.no_ring, early_ring) {
        (true, _) => None,
        (false, Some(Ok(status))) if is_asked_first(&first, &pods, &found.layout) => {
            Some((first, status))
        }
        (false, _) => read_ring(cluster, &found.layout, &pods, &mut warnings, ui).await?,
    };
    let status = ring.as_ref().map(|(_, r)| r);
    warnings.extend(assess(
        cluster.name.as_str(),
        cluster.namespace(),
        found.replicas().iter().sum(),
        &pods,
        status,
    ));
    warnings.extend(assess_racks(&found, &pods, status));
    let layout = &found.layout;
    let views: Vec<StatefulSetView> = found.statefulsets.iter().map(statefulset_view).collect();
    let report = Report {
        namespace: cluster.namespace().to_owned(),
        name: cluster.name.to_string(),
        service: service.as_ref().map(service_view),
        statefulset: (!layout.has_racks()).then(|| views[0].clone()),
        racks: match layout.has_racks() {
            true => layout
                .racks()
                .iter()
                .zip(views)
                .map(|(rack, statefulset)| RackView {
                    rack: rack.clone(),
                    statefulset,
                })
                .collect(),
            false => Vec::new(),
        },
        pods: pods.iter().map(pod_view).collect(),
        ring: ring.map(|(asked, status)| ring_view(asked, &status, &pods, layout)),
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
fn is_asked_first(first: &str, pods: &[Pod], layout: &Layout) -> bool {
    let sets = layout.sets();
    let names: Vec<&str> = sets.iter().map(String::as_str).collect();
    !layout.has_racks()
        && rollout::pick_pod(&names, pods, None).and_then(|p| p.metadata.name.as_deref())
            == Some(first)
}

/// `nodetool status` from the first Ready pod. A ring that cannot be read is a warning (the
/// ring is degraded), except a missing permission, which is an error about permissions.
async fn read_ring(
    cluster: &Cluster,
    layout: &Layout,
    pods: &[Pod],
    warnings: &mut Vec<String>,
    ui: &Ui,
) -> Result<Option<(String, RingStatus)>> {
    let sets = layout.sets();
    let names: Vec<&str> = sets.iter().map(String::as_str).collect();
    let Some(pod) = rollout::pick_pod(&names, pods, None) else {
        warnings.push("no pod is Ready, so the ring cannot be read".to_owned());
        return Ok(None);
    };
    let asked = pod.name_any();
    let first = layout.pod(Slot {
        rack: 0,
        ordinal: 0,
    });
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
    wanted: u32,
    pods: &[Pod],
    ring: Option<&RingStatus>,
) -> Vec<String> {
    let mut warnings = Vec::new();
    let ready = pods.iter().filter(|p| rollout::is_ready(p)).count();
    if ready != wanted as usize {
        warnings.push(format!("{ready}/{wanted} pods are Ready"));
    }
    let Some(ring) = ring else {
        return warnings;
    };
    let ip_of = |p: &Pod| p.status.as_ref().and_then(|s| s.pod_ip.clone());
    for pod in pods.iter().filter(|p| rollout::is_ready(p)) {
        let pod_name = pod.name_any();
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

/// Where a ring with racks disagrees with its StatefulSets: a rack without its StatefulSet, a
/// node whose rack in the ring is not its StatefulSet's (its `CASSANDRA_RACK` was changed: a
/// node never moves to another rack), a rack whose ring rows are not as many as its replicas.
pub(crate) fn assess_racks(found: &Ring, pods: &[Pod], ring: Option<&RingStatus>) -> Vec<String> {
    let layout = &found.layout;
    let mut warnings: Vec<String> = found
        .missing
        .iter()
        .map(|rack| {
            format!(
                "rack {rack} has no StatefulSet ({}): `casctl up` re-creates it",
                layout.set_of(rack)
            )
        })
        .collect();
    let Some(ring) = ring.filter(|_| layout.has_racks()) else {
        return warnings;
    };
    let ip_of = |p: &Pod| p.status.as_ref().and_then(|s| s.pod_ip.clone());
    for (_, node) in ring.nodes() {
        let pod = pods
            .iter()
            .find(|p| ip_of(p).is_some_and(|ip| node.address_is(&ip)));
        let Some((pod, rack)) = pod.and_then(|p| Some((p.name_any(), rack_of_pod(layout, p)?)))
        else {
            continue;
        };
        if node.rack != rack {
            warnings.push(format!(
                "ring node {} ({pod}) is in rack {} but its StatefulSet {} is rack {rack}: its CASSANDRA_RACK was \
                 changed, and Cassandra keeps a node in the rack it joined with",
                node.address,
                node.rack,
                layout.set_of(&rack)
            ));
        }
    }
    for (rack, replicas) in layout.racks().iter().zip(found.replicas()) {
        let rows = ring.nodes().filter(|(_, n)| n.rack == *rack).count();
        if rows != replicas as usize {
            warnings.push(format!(
                "rack {rack}: the ring lists {} in it, its StatefulSet {} has {replicas} replicas",
                crate::fmt::plural(rows, "node", "nodes"),
                layout.set_of(rack)
            ));
        }
    }
    warnings
}

/// The rack of a pod of a ring with racks: its StatefulSet's.
fn rack_of_pod(layout: &Layout, pod: &Pod) -> Option<String> {
    let name = pod.name_any();
    layout
        .sets()
        .iter()
        .find(|set| rollout::ordinal(set, &name).is_some())
        .and_then(|set| layout.rack_of(set))
        .map(str::to_owned)
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
        name: svc.name_any(),
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
        name: sts.name_any(),
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
        name: pod.name_any(),
        rack: pod.labels().get(RACK_LABEL).cloned(),
        ready: rollout::is_ready(pod),
        status: shown,
        restarts,
        age: age(pod.metadata.creation_timestamp.as_ref()),
        ip: status.and_then(|s| s.pod_ip.clone()),
        node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
    }
}

/// The ring's rows with their pods; with racks, grouped rack by rack (in the ring's rack
/// order, then nodetool's order), other racks last.
fn ring_view(asked: String, ring: &RingStatus, pods: &[Pod], layout: &Layout) -> RingView {
    let pod_by_ip: BTreeMap<String, String> = pods
        .iter()
        .filter_map(|p| Some((p.status.as_ref()?.pod_ip.clone()?, p.metadata.name.clone()?)))
        .collect();
    let mut nodes: Vec<RingNodeView> = ring
        .nodes()
        .map(|(dc, node)| RingNodeView {
            datacenter: dc.name.clone(),
            pod: node
                .ip()
                .and_then(|ip| pod_by_ip.get(&ip.to_string()).cloned()),
            node: node.clone(),
        })
        .collect();
    if layout.has_racks() {
        let racks = layout.racks();
        nodes.sort_by_key(|n| {
            racks
                .iter()
                .position(|r| *r == n.node.rack)
                .unwrap_or(usize::MAX)
        });
    }
    RingView {
        asked,
        nodes,
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
    let racked = !report.racks.is_empty();
    let sets: Vec<(Option<&str>, &StatefulSetView)> = match &report.statefulset {
        Some(s) => vec![(None, s)],
        None => report
            .racks
            .iter()
            .map(|r| (Some(r.rack.as_str()), &r.statefulset))
            .collect(),
    };
    let mut headers = vec!["statefulset", "ready", "image", "age"];
    if racked {
        headers.insert(0, "rack");
    }
    if wide {
        headers.extend(["current", "updated", "revision"]);
    }
    let mut t = table::new(&headers);
    for (rack, s) in sets {
        let mut row: Vec<String> = rack.map(str::to_owned).into_iter().collect();
        row.extend([
            s.name.clone(),
            format!("{}/{}", s.ready, s.replicas),
            s.image.clone(),
            s.age.clone(),
        ]);
        if wide {
            row.extend([
                s.current.to_string(),
                s.updated.to_string(),
                dash(s.update_revision.as_deref()),
            ]);
        }
        t.add_row(row);
    }
    sections.push(table::render(&t));

    let mut headers = vec!["pod", "ready", "status", "restarts", "age", "ip", "node"];
    if racked {
        headers.insert(0, "rack");
    }
    let mut t = table::new(&headers);
    for p in &report.pods {
        let mut row: Vec<String> = match racked {
            true => vec![dash(p.rack.as_deref())],
            false => Vec::new(),
        };
        row.extend([
            p.name.clone(),
            if p.ready { "1/1" } else { "0/1" }.to_owned(),
            p.status.clone(),
            p.restarts.to_string(),
            p.age.clone(),
            dash(p.ip.as_deref()),
            dash(p.node.as_deref()),
        ]);
        t.add_row(row);
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

    /// `nodetool status` with one row per `(code, address, rack)`.
    fn racked_ring(rows: &[(&str, &str, &str)]) -> RingStatus {
        let rows: Vec<String> = rows
            .iter()
            .map(|(code, ip, rack)| {
                format!(
                    "{code}  {ip}  1 KiB  32  66.7%  11111111-2222-3333-4444-555555555555  {rack}"
                )
            })
            .collect();
        crate::nodetool::parse_status(&format!(
            "Datacenter: dc1\n===============\nStatus=Up/Down\n|/ State=Normal/Leaving/Joining/Moving\n--  Address  Load  Tokens  Owns (effective)  Host ID  Rack\n{}\n",
            rows.join("\n")
        ))
        .unwrap()
    }

    fn ring(rows: &[(&str, &str)]) -> RingStatus {
        let rows: Vec<(&str, &str, &str)> = rows.iter().map(|(c, ip)| (*c, *ip, "r1")).collect();
        racked_ring(&rows)
    }

    #[test]
    fn a_healthy_ring_has_no_warning() {
        let pods = [pod(0, "10.0.0.1", true), pod(1, "10.0.0.2", true)];
        let r = ring(&[("UN", "10.0.0.1"), ("UN", "10.0.0.2")]);
        assert!(assess("cassandra", "shop", 2, &pods, Some(&r)).is_empty());
    }

    #[test]
    fn a_node_left_by_an_unsafe_scale_down_is_named() {
        let pods = [pod(0, "10.0.0.1", true)];
        let r = ring(&[("UN", "10.0.0.1"), ("DN", "10.0.0.9")]);
        let warnings = assess("cassandra", "shop", 1, &pods, Some(&r));
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
        let warnings = assess("cassandra", "shop", 3, &pods, Some(&r));
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
            &Layout::single("cassandra"),
        );
        assert_eq!(view.nodes[0].pod.as_deref(), Some("cassandra-0"));
        assert_eq!(view.nodes[1].pod, None);
    }

    /// A ring with racks a and b of these sizes, and a pod per `(name, ip)`.
    fn racked(sizes: [i32; 2], pods: &[(&str, &str)]) -> (Ring, Vec<Pod>) {
        let sts = |replicas| StatefulSet {
            spec: Some(StatefulSetSpec {
                replicas: Some(replicas),
                ..Default::default()
            }),
            ..Default::default()
        };
        let ring = Ring {
            layout: Layout::racked("cassandra", vec!["a".into(), "b".into()]),
            statefulsets: sizes.map(sts).into(),
            missing: Vec::new(),
            made_with: vec!["a".into(), "b".into()],
        };
        let pods = pods
            .iter()
            .map(|(name, ip)| crate::testing::pod(name, Some(ip), true))
            .collect();
        (ring, pods)
    }

    #[test]
    fn racks_that_match_their_statefulsets_have_no_warning() {
        let (found, pods) = racked(
            [2, 1],
            &[
                ("cassandra-a-0", "10.0.0.1"),
                ("cassandra-a-1", "10.0.0.2"),
                ("cassandra-b-0", "10.0.0.3"),
            ],
        );
        let r = racked_ring(&[
            ("UN", "10.0.0.3", "b"),
            ("UN", "10.0.0.1", "a"),
            ("UN", "10.0.0.2", "a"),
        ]);
        assert!(assess_racks(&found, &pods, Some(&r)).is_empty());
        let view = ring_view("cassandra-a-0".into(), &r, &pods, &found.layout);
        let rows: Vec<&str> = view.nodes.iter().map(|n| n.node.rack.as_str()).collect();
        assert_eq!(rows, ["a", "a", "b"], "grouped by rack, in rack order");
    }

    #[test]
    fn a_node_in_another_rack_than_its_statefulset_is_a_misconfiguration() {
        let (found, pods) = racked(
            [1, 1],
            &[("cassandra-a-0", "10.0.0.1"), ("cassandra-b-0", "10.0.0.2")],
        );
        let r = racked_ring(&[("UN", "10.0.0.1", "a"), ("UN", "10.0.0.2", "a")]);
        let warnings = assess_racks(&found, &pods, Some(&r));
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings[0].starts_with(
                "ring node 10.0.0.2 (cassandra-b-0) is in rack a but its StatefulSet cassandra-b is rack b"
            ),
            "{warnings:?}"
        );
        assert_eq!(
            warnings[1..],
            [
                "rack a: the ring lists 2 nodes in it, its StatefulSet cassandra-a has 1 replicas",
                "rack b: the ring lists 0 nodes in it, its StatefulSet cassandra-b has 1 replicas",
            ]
        );
    }

    #[test]
    fn a_rack_without_its_statefulset_is_warned() {
        let (mut found, pods) = racked([1, 1], &[]);
        found.missing = vec!["c".into()];
        assert_eq!(
            assess_racks(&found, &pods, None),
            ["rack c has no StatefulSet (cassandra-c): `casctl up` re-creates it"]
        );
    }
}
