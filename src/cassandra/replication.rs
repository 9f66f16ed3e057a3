//! Whether a datacenter can shrink to a node count without leaving a keyspace with more replicas
//! than nodes.
//!
//! Cassandra refuses `nodetool decommission` when a keyspace's replication factor is at least the
//! node count before the node leaves: "Not enough live nodes to maintain replication factor in
//! keyspace system_distributed (RF = 3, N = 3)". Said of the node count after, that is a
//! replication factor above the target. [`check_scale_down`] applies the same rule to every
//! keyspace at once, so a scale-down can be refused before its first decommission, naming them
//! all.

use std::fmt;

use serde::Serialize;

use super::describe::Keyspace;

/// The keyspaces that keep more replicas in a datacenter than the nodes it would have left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub(crate) struct ScaleDownRefusal {
    pub(crate) datacenter: String,
    pub(crate) target_nodes: u32,
    /// Highest replication factor first, then by name.
    pub(crate) keyspaces: Vec<KeyspaceReplicas>,
    /// The replication factor of the first keyspace: the fewest nodes the datacenter can keep.
    pub(crate) highest_replication_factor: u32,
}

/// A keyspace and the replicas it keeps in the datacenter (every replica, transient ones too,
/// as Cassandra counts them before a decommission).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct KeyspaceReplicas {
    pub(crate) keyspace: String,
    pub(crate) replication_factor: u32,
}

/// Checks that `datacenter` can go down to `target_nodes` nodes: every keyspace must keep at most
/// that many replicas there.
///
/// A NetworkTopologyStrategy keyspace that does not list the datacenter keeps no replica there.
/// SimpleStrategy counts replicas over the whole ring; the check reads it as this datacenter's
/// count, which is exact for a single-datacenter ring. Keyspaces without a replica count
/// (LocalStrategy, EverywhereStrategy, an unknown class) are left to Cassandra's own check.
pub(crate) fn check_scale_down(
    keyspaces: &[Keyspace],
    datacenter: &str,
    target_nodes: u32,
) -> Result<(), ScaleDownRefusal> {
    let mut over: Vec<KeyspaceReplicas> = keyspaces
        .iter()
        .filter_map(|keyspace| {
            let factor = keyspace.factor_in(datacenter)?;
            (factor.replicas > target_nodes).then(|| KeyspaceReplicas {
                keyspace: keyspace.name.clone(),
                replication_factor: factor.replicas,
            })
        })
        .collect();
    over.sort_by(|a, b| {
        b.replication_factor
            .cmp(&a.replication_factor)
            .then_with(|| a.keyspace.cmp(&b.keyspace))
    });
    let Some(highest) = over.first().map(|first| first.replication_factor) else {
        return Ok(());
    };
    Err(ScaleDownRefusal {
        datacenter: datacenter.to_owned(),
        target_nodes,
        keyspaces: over,
        highest_replication_factor: highest,
    })
}

/// E.g. "datacenter DC1-K8Demo cannot go down to 1 node: keyspaces keep more replicas there:
/// system_distributed (RF 3), system_traces (RF 2)".
impl fmt::Display for ScaleDownRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nodes = if self.target_nodes == 1 {
            "node"
        } else {
            "nodes"
        };
        let (keyspaces, keep) = if self.keyspaces.len() == 1 {
            ("keyspace", "keeps")
        } else {
            ("keyspaces", "keep")
        };
        write!(
            f,
            "datacenter {} cannot go down to {} {nodes}: {keyspaces} {keep} more replicas there: ",
            self.datacenter, self.target_nodes
        )?;
        for (index, entry) in self.keyspaces.iter().enumerate() {
            let separator = if index == 0 { "" } else { ", " };
            write!(
                f,
                "{separator}{} (RF {})",
                entry.keyspace, entry.replication_factor
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cassandra::describe::{
        DatacenterReplication, Keyspace, Replication, ReplicationFactor, Strategy,
        parse_describecluster,
    };

    const DC: &str = "DC1-K8Demo";

    /// The keyspaces of the real two-node capture.
    fn real_keyspaces() -> Vec<Keyspace> {
        let text = include_str!("../../tests/fixtures/cassandra-5.0.9/describecluster-2-nodes.txt");
        parse_describecluster(text)
            .expect("the fixture parses")
            .keyspaces
            .expect("it has a Keyspaces section")
    }

    fn named(refusal: &ScaleDownRefusal) -> Vec<(&str, u32)> {
        refusal
            .keyspaces
            .iter()
            .map(|entry| (entry.keyspace.as_str(), entry.replication_factor))
            .collect()
    }

    fn network_topology(name: &str, entries: &[(&str, u32, u32)]) -> Keyspace {
        let entries = entries
            .iter()
            .map(|&(datacenter, replicas, transient)| DatacenterReplication {
                datacenter: datacenter.to_owned(),
                factor: ReplicationFactor {
                    replicas,
                    transient,
                },
            })
            .collect();
        Keyspace {
            name: name.to_owned(),
            strategy: Strategy::NetworkTopology,
            replication: Replication::PerDatacenter(entries),
        }
    }

    #[test]
    fn two_nodes_are_refused_for_system_distributed() {
        let refusal = check_scale_down(&real_keyspaces(), DC, 2).unwrap_err();
        assert_eq!(named(&refusal), [("system_distributed", 3)]);
        assert_eq!(refusal.highest_replication_factor, 3);
        assert_eq!(
            refusal.to_string(),
            "datacenter DC1-K8Demo cannot go down to 2 nodes: keyspace keeps more replicas \
             there: system_distributed (RF 3)"
        );
    }

    #[test]
    fn three_nodes_are_allowed() {
        assert_eq!(check_scale_down(&real_keyspaces(), DC, 3), Ok(()));
    }

    #[test]
    fn one_node_names_every_keyspace_highest_first() {
        let refusal = check_scale_down(&real_keyspaces(), DC, 1).unwrap_err();
        assert_eq!(
            named(&refusal),
            [("system_distributed", 3), ("system_traces", 2)]
        );
        assert_eq!(
            refusal.to_string(),
            "datacenter DC1-K8Demo cannot go down to 1 node: keyspaces keep more replicas there: \
             system_distributed (RF 3), system_traces (RF 2)"
        );
    }

    #[test]
    fn equal_factors_are_sorted_by_name() {
        let keyspaces = [
            network_topology("orders", &[(DC, 3, 0)]),
            network_topology("accounts", &[(DC, 3, 0)]),
            network_topology("events", &[(DC, 5, 0)]),
        ];
        let refusal = check_scale_down(&keyspaces, DC, 2).unwrap_err();
        assert_eq!(
            named(&refusal),
            [("events", 5), ("accounts", 3), ("orders", 3)]
        );
        assert_eq!(refusal.highest_replication_factor, 5);
    }

    #[test]
    fn a_datacenter_a_keyspace_does_not_list_is_not_constrained_by_it() {
        let keyspaces = [network_topology("remote_only", &[("dc2", 5, 0)])];
        assert_eq!(check_scale_down(&keyspaces, DC, 1), Ok(()));
        assert!(check_scale_down(&keyspaces, "dc2", 4).is_err());
    }

    #[test]
    fn transient_replicas_still_need_nodes() {
        let keyspaces = [network_topology("witness", &[(DC, 3, 1)])];
        let refusal = check_scale_down(&keyspaces, DC, 2).unwrap_err();
        assert_eq!(named(&refusal), [("witness", 3)]);
    }

    #[test]
    fn keyspaces_without_a_replica_count_never_refuse() {
        let keyspaces = [Keyspace {
            name: "system".into(),
            strategy: Strategy::Local,
            replication: Replication::None,
        }];
        assert_eq!(check_scale_down(&keyspaces, DC, 0), Ok(()));
        assert_eq!(check_scale_down(&[], DC, 0), Ok(()));
    }

    #[test]
    fn refusal_serializes_for_json_output() {
        let refusal = check_scale_down(&real_keyspaces(), DC, 1).unwrap_err();
        assert_eq!(
            serde_json::to_value(&refusal).unwrap(),
            serde_json::json!({
                "datacenter": DC,
                "target_nodes": 1,
                "keyspaces": [
                    {"keyspace": "system_distributed", "replication_factor": 3},
                    {"keyspace": "system_traces", "replication_factor": 2},
                ],
                "highest_replication_factor": 3,
            })
        );
    }
}
