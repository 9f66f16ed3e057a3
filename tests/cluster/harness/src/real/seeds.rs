//! `CASSANDRA_SEEDS` names pods by their DNS names (`cassandra-0.cassandra.shop.svc.cluster.local`)
//! and there is no cluster DNS here: names are resolved as a pod's resolver would (search path
//! `<ns>.svc.cluster.local svc.cluster.local cluster.local`), against the pods' `hostname` and
//! `subdomain` (which a StatefulSet sets to the pod name and its service), through the API.

use std::net::Ipv4Addr;

/// The cluster's DNS domain. A seed in any other domain does not resolve, as on a real cluster.
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// A pod's DNS record: `<hostname>.<subdomain>.<namespace>.svc.<domain>` → its IP.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub namespace: String,
    pub hostname: String,
    pub subdomain: String,
    pub ip: String,
}

/// Resolves a comma-separated seed list for a pod in `namespace`: the addresses, and the names
/// that did not resolve (Cassandra leaves those out with a warning).
pub fn resolve(seeds: &str, namespace: &str, records: &[Record]) -> (Vec<String>, Vec<String>) {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for seed in seeds.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match resolve_one(seed, namespace, records) {
            Some(ip) if !found.contains(&ip) => found.push(ip),
            Some(_) => {}
            None => missing.push(seed.to_string()),
        }
    }
    (found, missing)
}

fn resolve_one(seed: &str, namespace: &str, records: &[Record]) -> Option<String> {
    if seed.parse::<Ipv4Addr>().is_ok() {
        return Some(seed.to_string());
    }
    let name = seed.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = name.split('.').collect();
    let domain: Vec<&str> = CLUSTER_DOMAIN.split('.').collect();
    let (host, sub, ns) = match labels.as_slice() {
        [host, sub] => (*host, *sub, namespace),
        [host, sub, ns] | [host, sub, ns, "svc"] => (*host, *sub, *ns),
        [host, sub, ns, "svc", rest @ ..] if rest == domain.as_slice() => (*host, *sub, *ns),
        _ => return None,
    };
    records
        .iter()
        .find(|r| r.namespace == ns && r.hostname == host && r.subdomain == sub)
        .map(|r| r.ip.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> Vec<Record> {
        vec![
            Record {
                namespace: "shop".into(),
                hostname: "cassandra-0".into(),
                subdomain: "cassandra".into(),
                ip: "127.1.0.4".into(),
            },
            Record {
                namespace: "default".into(),
                hostname: "cassandra-0".into(),
                subdomain: "cassandra".into(),
                ip: "127.1.2.9".into(),
            },
        ]
    }

    #[test]
    fn names_resolve_as_through_the_pod_search_path() {
        let r = records();
        for name in [
            "cassandra-0.cassandra.shop.svc.cluster.local",
            "cassandra-0.cassandra.shop.svc.cluster.local.",
            "cassandra-0.cassandra.shop.svc",
            "cassandra-0.cassandra.shop",
            "cassandra-0.cassandra",
            "Cassandra-0.cassandra.SHOP.svc.cluster.local",
        ] {
            assert_eq!(
                resolve(name, "shop", &r),
                (vec!["127.1.0.4".to_string()], vec![]),
                "{name}"
            );
        }
        // The tutorial's hard-coded seed names the default namespace's pod.
        assert_eq!(
            resolve(
                "cassandra-0.cassandra.default.svc.cluster.local",
                "shop",
                &r
            )
            .0,
            ["127.1.2.9"]
        );
    }

    #[test]
    fn lists_addresses_and_unknown_names() {
        let r = records();
        let (found, missing) = resolve(
            " 127.0.0.9, cassandra-0.cassandra.shop.svc.other.domain,cassandra-1.cassandra,cassandra-0.cassandra",
            "shop",
            &r,
        );
        assert_eq!(found, ["127.0.0.9", "127.1.0.4"]);
        assert_eq!(
            missing,
            [
                "cassandra-0.cassandra.shop.svc.other.domain",
                "cassandra-1.cassandra"
            ]
        );
        assert_eq!(resolve("cassandra-0", "shop", &r).1, ["cassandra-0"]);
        assert_eq!(resolve("", "shop", &r), (vec![], vec![]));
    }
}
