//! Racks: one ring laid over several StatefulSets, and the orders in which casctl walks them.
//!
//! A ring without racks is the tutorial's single StatefulSet `<name>`. With `--racks a,b,c` it
//! is one StatefulSet `<name>-<rack>` per rack, all behind the same headless Service. Cassandra
//! places a token range's replicas on different racks, so a rack is a failure domain: casctl
//! pins each rack to a zone when there are enough zones, keeps the racks' sizes within one node
//! of each other, and adds, removes and restarts nodes one at a time across the whole ring.
//! Everything here is pure: the commands read the cluster and act.

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;

/// The node label whose values are the failure domains racks are pinned to (`--zone-label`).
pub(crate) const DEFAULT_ZONE_LABEL: &str = "topology.kubernetes.io/zone";
/// How many racks give a seed (their pod 0): Cassandra needs a few seeds, not one per node.
const MAX_SEEDS: usize = 3;

/// One rack name of `--racks`: a DNS label (it becomes part of the StatefulSet's and the pods'
/// names) that does not end in `-<digits>`, which would make `<name>-<rack>-<ordinal>` read as
/// a pod of another rack.
pub(crate) fn parse_rack(s: &str) -> Result<String, String> {
    crate::values::DnsLabel::new(s)?;
    let ends_in_number = s
        .rsplit_once('-')
        .is_some_and(|(_, tail)| tail.bytes().all(|b| b.is_ascii_digit()));
    if ends_in_number {
        return Err(format!(
            "ends in -<number>, which reads as a pod's ordinal; name it e.g. {}",
            s.replace('-', "")
        ));
    }
    Ok(s.to_owned())
}

/// The whole `--racks` list: each rack once.
pub(crate) fn check_racks(racks: &[String]) -> Result<(), String> {
    for (i, rack) in racks.iter().enumerate() {
        if racks[..i].contains(rack) {
            return Err(format!("rack {rack} is given twice"));
        }
    }
    Ok(())
}

/// A node label key (`--zone-label`): an optional DNS subdomain and `/`, then a name of at
/// most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
pub(crate) fn parse_label_key(s: &str) -> Result<String, String> {
    let (prefix, name) = s.rsplit_once('/').unwrap_or(("", s));
    if s.contains('/') {
        crate::values::parse_subdomain(prefix).map_err(|e| format!("has a prefix that {e}"))?;
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let valid = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && alnum(name.chars().next())
        && alnum(name.chars().last());
    match valid {
        true => Ok(s.to_owned()),
        false => Err(format!(
            "is not a label key: use [prefix/]name, e.g. {DEFAULT_ZONE_LABEL}"
        )),
    }
}

/// The StatefulSets of one ring, in rack order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    name: String,
    /// Empty: the tutorial's single StatefulSet `<name>`.
    racks: Vec<String>,
}

impl Layout {
    /// The tutorial's ring: one StatefulSet named like the ring.
    pub(crate) fn single(name: &str) -> Self {
        Layout {
            name: name.to_owned(),
            racks: Vec::new(),
        }
    }

    /// One StatefulSet per rack, in this order.
    pub(crate) fn racked(name: &str, racks: Vec<String>) -> Self {
        Layout {
            name: name.to_owned(),
            racks,
        }
    }

    pub(crate) fn has_racks(&self) -> bool {
        !self.racks.is_empty()
    }

    pub(crate) fn racks(&self) -> &[String] {
        &self.racks
    }

    /// The StatefulSets' names, in rack order.
    pub(crate) fn sets(&self) -> Vec<String> {
        match self.has_racks() {
            true => self.racks.iter().map(|r| self.set_of(r)).collect(),
            false => vec![self.name.clone()],
        }
    }

    /// `<name>-<rack>`.
    pub(crate) fn set_of(&self, rack: &str) -> String {
        format!("{}-{rack}", self.name)
    }

    /// The rack of a StatefulSet of this ring (`None` without racks).
    pub(crate) fn rack_of(&self, set: &str) -> Option<&str> {
        self.racks
            .iter()
            .find(|r| self.set_of(r) == set)
            .map(String::as_str)
    }

    /// The pod of a slot: `<set>-<ordinal>`.
    pub(crate) fn pod(&self, slot: Slot) -> String {
        format!("{}-{}", self.sets()[slot.rack], slot.ordinal)
    }

    /// The pods of racks of these sizes, rack after rack, each by ordinal.
    pub(crate) fn pods(&self, sizes: &[u32]) -> Vec<String> {
        sizes
            .iter()
            .enumerate()
            .flat_map(|(rack, &size)| (0..size).map(move |ordinal| Slot { rack, ordinal }))
            .map(|slot| self.pod(slot))
            .collect()
    }

    /// The sizes as the user reads them: `a: 2, b: 1, c: 1` (empty without racks).
    pub(crate) fn sizes(&self, sizes: &[u32]) -> String {
        self.racks
            .iter()
            .zip(sizes)
            .map(|(rack, n)| format!("{rack}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The seeds every node joins through: pod 0 of each of the first three racks (of the
    /// only StatefulSet without racks), by its DNS name under the headless Service.
    pub(crate) fn seeds(&self, namespace: &str, domain: &str) -> String {
        self.sets()
            .iter()
            .take(MAX_SEEDS)
            .map(|set| format!("{set}-0.{}.{namespace}.svc.{domain}", self.name))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// `total` nodes over `racks` racks, as evenly as possible: the sizes differ by at most one,
/// and the earlier racks have the extra nodes.
pub(crate) fn distribute(total: u32, racks: usize) -> Vec<u32> {
    let racks = u32::try_from(racks.max(1)).unwrap_or(u32::MAX);
    (0..racks)
        .map(|i| total / racks + u32::from(i < total % racks))
        .collect()
}

/// One node of a ring with racks: the rack (its index) and the pod's ordinal in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub(crate) rack: usize,
    pub(crate) ordinal: u32,
}

/// The nodes that join to grow each rack from `from` to `to` nodes, in the order they join:
/// one ordinal across every rack before the next (r1-0, r2-0, r3-0, r1-1 …), so that the racks
/// stay even at every step. Cassandra bootstraps one node at a time.
pub(crate) fn join_order(from: &[u32], to: &[u32]) -> Vec<Slot> {
    let mut slots: Vec<Slot> = from
        .iter()
        .zip(to)
        .enumerate()
        .flat_map(|(rack, (&from, &to))| (from..to).map(move |ordinal| Slot { rack, ordinal }))
        .collect();
    slots.sort_by_key(|s| (s.ordinal, s.rack));
    slots
}

/// The nodes that leave to shrink each rack from `from` to `to` nodes, in the order they are
/// decommissioned: always from the largest rack still above its target, the later one on a
/// tie (the earlier racks keep the extra nodes, as [`distribute`] gives them), highest ordinal
/// first.
pub(crate) fn leave_order(from: &[u32], to: &[u32]) -> Vec<Slot> {
    let mut sizes = from.to_vec();
    let mut slots = Vec::new();
    loop {
        let largest = sizes
            .iter()
            .enumerate()
            .filter(|(i, size)| to.get(*i).is_some_and(|t| *size > t))
            .max_by_key(|(i, size)| (**size, *i))
            .map(|(i, _)| i);
        let Some(rack) = largest else {
            return slots;
        };
        sizes[rack] -= 1;
        slots.push(Slot {
            rack,
            ordinal: sizes[rack],
        });
    }
}

/// The pods a rolling restart visits: rack after rack, in each the highest ordinal first (as
/// the StatefulSet controller updates them), so that the seed (pod 0) goes last.
pub(crate) fn restart_order(sizes: &[u32]) -> Vec<Slot> {
    sizes
        .iter()
        .enumerate()
        .flat_map(|(rack, &size)| (0..size).rev().map(move |ordinal| Slot { rack, ordinal }))
        .collect()
}

/// Whether a pod counts as restarted by a restart that began at `since`: it was created at or
/// after that time. A pod whose creation time is unknown has not been restarted.
pub(crate) fn restarted(created: Option<Timestamp>, since: Timestamp) -> bool {
    created.is_some_and(|created| created >= since)
}

/// Where a rack's pods may run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Only on the nodes of this zone (a required node affinity).
    Zone(String),
    /// Over every zone, evenly when it can (a topology spread constraint): racks share failure
    /// domains.
    Spread,
}

/// The zones of the nodes that take new pods: the distinct values of `label`, sorted.
pub(crate) fn zones(nodes: &[Node], label: &str) -> Vec<String> {
    let mut zones: Vec<String> = nodes
        .iter()
        .filter(|n| n.spec.as_ref().and_then(|s| s.unschedulable) != Some(true))
        .filter_map(|n| n.metadata.labels.as_ref()?.get(label).cloned())
        .collect();
    zones.sort();
    zones.dedup();
    zones
}

/// Where each of `racks` racks goes: with at least as many zones as racks, rack i is pinned to
/// the i-th zone (sorted), so that losing a zone loses one rack; otherwise every rack spreads
/// over the zones there are.
pub(crate) fn placement(racks: usize, zones: &[String]) -> Vec<Placement> {
    match zones.len() >= racks {
        true => zones[..racks]
            .iter()
            .cloned()
            .map(Placement::Zone)
            .collect(),
        false => vec![Placement::Spread; racks],
    }
}

/// The preflight warning when racks cannot each have a zone of their own.
pub(crate) fn shared_domain_warning(racks: usize, zones: &[String], label: &str) -> Option<String> {
    if zones.len() >= racks {
        return None;
    }
    let found = match zones.len() {
        0 => format!("no node carries the label {label}"),
        _ => format!(
            "the nodes have {} ({}) by the label {label}",
            crate::fmt::plural(zones.len(), "zone", "zones"),
            zones.join(", ")
        ),
    };
    Some(format!(
        "{found}, fewer than the {racks} racks: the racks share failure domains (they spread over the nodes \
         with a topology spread constraint), so losing one zone can take more than one rack; label the nodes \
         or pass --zone-label"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::NodeSpec;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn racks(names: &[&str]) -> Layout {
        Layout::racked("cassandra", names.iter().map(|r| r.to_string()).collect())
    }

    fn slots(layout: &Layout, slots: &[Slot]) -> Vec<String> {
        slots.iter().map(|s| layout.pod(*s)).collect()
    }

    #[test]
    fn rack_names_are_dns_labels_that_do_not_look_like_ordinals() {
        assert_eq!(parse_rack("r1").unwrap(), "r1");
        assert_eq!(parse_rack("us-east-1a").unwrap(), "us-east-1a");
        assert!(parse_rack("Rack1").is_err());
        assert!(parse_rack("").is_err());
        let err = parse_rack("rack-1").unwrap_err();
        assert!(err.contains("e.g. rack1"), "{err}");
        assert_eq!(
            check_racks(&["a".into(), "b".into(), "a".into()]),
            Err("rack a is given twice".into())
        );
    }

    #[test]
    fn label_keys_may_have_a_prefix() {
        assert!(parse_label_key("topology.kubernetes.io/zone").is_ok());
        assert!(parse_label_key("zone").is_ok());
        assert!(parse_label_key("my_zone.v1").is_ok());
        for bad in [
            "",
            "/zone",
            "a/b/c",
            "Bad_Prefix/zone",
            "zone-",
            "-zone",
            "a b",
        ] {
            assert!(parse_label_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_ring_without_racks_is_the_tutorials_single_statefulset() {
        let layout = Layout::single("cassandra");
        assert_eq!(layout.sets(), ["cassandra"]);
        assert_eq!(
            layout.pod(Slot {
                rack: 0,
                ordinal: 2
            }),
            "cassandra-2"
        );
        assert_eq!(layout.rack_of("cassandra"), None);
        assert_eq!(
            layout.seeds("shop", "cluster.local"),
            "cassandra-0.cassandra.shop.svc.cluster.local"
        );
    }

    #[test]
    fn racks_are_named_statefulsets_seeded_by_pod_0_of_the_first_three() {
        let layout = racks(&["a", "b", "c", "d"]);
        assert_eq!(
            layout.sets(),
            ["cassandra-a", "cassandra-b", "cassandra-c", "cassandra-d"]
        );
        assert_eq!(layout.rack_of("cassandra-c"), Some("c"));
        assert_eq!(layout.rack_of("cassandra"), None);
        assert_eq!(
            layout.seeds("shop", "example.org"),
            "cassandra-a-0.cassandra.shop.svc.example.org,cassandra-b-0.cassandra.shop.svc.example.org,\
             cassandra-c-0.cassandra.shop.svc.example.org"
        );
        assert_eq!(layout.sizes(&[2, 1, 1, 1]), "a: 2, b: 1, c: 1, d: 1");
        assert_eq!(
            layout.pods(&[2, 0, 1, 0]),
            ["cassandra-a-0", "cassandra-a-1", "cassandra-c-0"]
        );
    }

    #[test]
    fn distribution_is_even_with_the_extra_nodes_on_the_earlier_racks() {
        assert_eq!(distribute(6, 3), [2, 2, 2]);
        assert_eq!(distribute(7, 3), [3, 2, 2]);
        assert_eq!(distribute(4, 3), [2, 1, 1]);
        assert_eq!(distribute(5, 1), [5]);
        assert_eq!(distribute(3, 3), [1, 1, 1]);
        for total in 0..40 {
            for n in 1..6 {
                let sizes = distribute(total, n);
                assert_eq!(sizes.iter().sum::<u32>(), total);
                assert!(sizes.windows(2).all(|w| w[0] >= w[1] && w[0] - w[1] <= 1));
            }
        }
    }

    #[test]
    fn nodes_join_one_ordinal_across_every_rack_before_the_next() {
        let layout = racks(&["r1", "r2", "r3"]);
        let order = join_order(&[0, 0, 0], &distribute(7, 3));
        assert_eq!(
            slots(&layout, &order),
            [
                "cassandra-r1-0",
                "cassandra-r2-0",
                "cassandra-r3-0",
                "cassandra-r1-1",
                "cassandra-r2-1",
                "cassandra-r3-1",
                "cassandra-r1-2"
            ]
        );
        let grow = join_order(&[2, 1, 1], &[3, 2, 2]);
        assert_eq!(
            slots(&layout, &grow),
            ["cassandra-r2-1", "cassandra-r3-1", "cassandra-r1-2"]
        );
        assert!(join_order(&[2, 2], &[2, 1]).is_empty());
    }

    #[test]
    fn nodes_leave_from_the_largest_rack_highest_ordinal_first() {
        let layout = racks(&["a", "b", "c"]);
        let order = leave_order(&[2, 2, 2], &distribute(4, 3));
        assert_eq!(slots(&layout, &order), ["cassandra-c-1", "cassandra-b-1"]);
        let order = leave_order(&[3, 2, 2], &distribute(3, 3));
        assert_eq!(
            slots(&layout, &order),
            [
                "cassandra-a-2",
                "cassandra-c-1",
                "cassandra-b-1",
                "cassandra-a-1"
            ]
        );
        // Every step leaves the racks as even as they can be.
        let mut sizes = vec![4, 4, 3];
        for slot in leave_order(&sizes.clone(), &distribute(3, 3)) {
            sizes[slot.rack] -= 1;
            assert_eq!(slot.ordinal, sizes[slot.rack]);
            let total = sizes.iter().sum();
            assert_eq!(sizes, distribute(total, 3));
        }
    }

    #[test]
    fn a_single_statefulset_shrinks_from_its_highest_ordinal() {
        let layout = Layout::single("cassandra");
        assert_eq!(
            slots(&layout, &leave_order(&[5], &[3])),
            ["cassandra-4", "cassandra-3"]
        );
    }

    #[test]
    fn a_restart_goes_rack_by_rack_highest_ordinal_first() {
        let layout = racks(&["a", "b"]);
        assert_eq!(
            slots(&layout, &restart_order(&[2, 1])),
            ["cassandra-a-1", "cassandra-a-0", "cassandra-b-0"]
        );
    }

    #[test]
    fn a_pod_created_since_the_restart_began_is_done() {
        let since: Timestamp = "2025-06-01T10:00:00Z".parse().unwrap();
        let before: Timestamp = "2025-06-01T09:59:59Z".parse().unwrap();
        let after: Timestamp = "2025-06-01T10:00:07Z".parse().unwrap();
        assert!(restarted(Some(after), since));
        assert!(restarted(Some(since), since));
        assert!(!restarted(Some(before), since));
        assert!(!restarted(None, since));
    }

    fn node(zone: Option<&str>, unschedulable: bool) -> Node {
        Node {
            metadata: ObjectMeta {
                labels: zone.map(|z| [(DEFAULT_ZONE_LABEL.to_owned(), z.to_owned())].into()),
                ..Default::default()
            },
            spec: Some(NodeSpec {
                unschedulable: Some(unschedulable),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn zones_are_the_distinct_labels_of_schedulable_nodes() {
        let nodes = [
            node(Some("zone-b"), false),
            node(Some("zone-a"), false),
            node(Some("zone-a"), false),
            node(Some("zone-d"), true),
            node(None, false),
        ];
        assert_eq!(zones(&nodes, DEFAULT_ZONE_LABEL), ["zone-a", "zone-b"]);
    }

    #[test]
    fn racks_are_pinned_to_sorted_zones_when_there_are_enough() {
        let zones: Vec<String> = ["zone-a", "zone-b", "zone-c"].map(String::from).into();
        assert_eq!(
            placement(3, &zones),
            ["zone-a", "zone-b", "zone-c"].map(|z| Placement::Zone(z.into()))
        );
        assert_eq!(
            placement(2, &zones),
            ["zone-a", "zone-b"].map(|z| Placement::Zone(z.into()))
        );
        assert_eq!(shared_domain_warning(3, &zones, DEFAULT_ZONE_LABEL), None);
    }

    #[test]
    fn racks_spread_and_say_so_when_zones_are_too_few() {
        let zones: Vec<String> = ["zone-a", "zone-b"].map(String::from).into();
        assert_eq!(placement(3, &zones), vec![Placement::Spread; 3]);
        let warning = shared_domain_warning(3, &zones, "zone").unwrap();
        assert!(
            warning.starts_with(
                "the nodes have 2 zones (zone-a, zone-b) by the label zone, fewer than the 3 racks"
            ),
            "{warning}"
        );
        let none = shared_domain_warning(2, &[], "zone").unwrap();
        assert!(none.starts_with("no node carries the label zone"), "{none}");
    }
}
