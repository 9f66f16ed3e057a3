//! What each command asks of the API, from its flags: the requirements that `crate::access`
//! checks before the command takes its lock or writes anything.

use crate::access::{Run, Scale, Up};
use crate::cli::{Command, DryRun};

/// What `command` asks of the API; `None` for the commands that talk to no cluster.
pub(crate) fn of(command: &Command) -> Option<Run> {
    Some(match command {
        Command::Up(a) => Run::Up(Up {
            dry_run: match a.dry_run {
                Some(DryRun::Client) => return None,
                Some(DryRun::Server) => true,
                None => false,
            },
            replicas: a.settings.replicas.is_some(),
            wait: !a.no_wait,
            ring_check: !a.no_ring_check,
            cleanup: !a.no_cleanup,
            create_storage_class: a.create_storage_class,
        }),
        Command::Status(a) => Run::Status { ring: !a.no_ring },
        Command::Scale(a) => Run::Scale(Scale {
            decommission: !a.skip_decommission,
            cleanup: !a.no_cleanup,
        }),
        Command::Down(a) => Run::Down {
            purge_volumes: a.purge_volumes,
        },
        Command::Nodetool(a) => Run::Nodetool {
            pick_pod: a.pod.is_none(),
        },
        Command::Restart(_) => Run::Restart,
        Command::Render(_) | Command::Rbac(_) | Command::Completions(_) | Command::Man => {
            return None;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{CAPACITY, CRASH_LOGS, Need, POD_SECURITY, Scope, every_permission};
    use crate::cli::Cli;
    use clap::Parser;

    fn run(line: &str) -> Option<Run> {
        let cli = Cli::try_parse_from(line.split_whitespace()).unwrap();
        of(&cli.command)
    }

    fn needs(line: &str) -> Vec<(String, Need)> {
        run(line)
            .unwrap()
            .requirements()
            .iter()
            .map(|r| (r.permission.to_string(), r.need))
            .collect()
    }

    fn required(line: &str) -> Vec<String> {
        needs(line)
            .into_iter()
            .filter(|(_, need)| *need == Need::Required)
            .map(|(p, _)| p)
            .collect()
    }

    #[test]
    fn up_needs_the_apply_the_lock_the_watches_and_exec() {
        let up = required("casctl up");
        for p in [
            "get statefulsets",
            "create services",
            "patch services",
            "create statefulsets",
            "patch statefulsets",
            "list storageclasses",
            "create leases",
            "update leases",
            "watch pods",
            "list events",
            "get pods/exec",
            "create pods/exec",
        ] {
            assert!(up.contains(&p.to_owned()), "{p} missing from {up:?}");
        }
        assert!(!up.contains(&"patch statefulsets/scale".to_owned()));
        assert!(!up.contains(&"create storageclasses".to_owned()));
    }

    #[test]
    fn no_ring_check_and_no_wait_need_no_exec() {
        let exec = |line: &str| required(line).iter().any(|p| p.ends_with("pods/exec"));
        assert!(exec("casctl up"));
        assert!(!exec("casctl up --no-ring-check"));
        assert!(!exec("casctl up --no-wait"));
        assert!(!required("casctl up --no-wait").contains(&"watch pods".to_owned()));
        assert!(exec("casctl status"));
        assert!(!exec("casctl status --no-ring"));
        assert!(exec("casctl scale 3"));
        assert!(!exec("casctl scale 3 --skip-decommission"));
    }

    #[test]
    fn optional_permissions_name_the_check_they_switch_off() {
        let up = needs("casctl up");
        assert!(up.contains(&("list nodes".to_owned(), CAPACITY)));
        assert!(up.contains(&("get namespaces".to_owned(), POD_SECURITY)));
        assert!(needs("casctl scale 2").contains(&("get pods/log".to_owned(), CRASH_LOGS)));
    }

    #[test]
    fn a_server_dry_run_takes_no_lock_and_waits_for_nothing() {
        let dry = required("casctl up --dry-run=server --replicas 5");
        assert!(dry.contains(&"patch statefulsets".to_owned()));
        assert!(
            !dry.iter()
                .any(|p| p.ends_with("leases") || p.starts_with("watch"))
        );
        assert!(!dry.contains(&"patch statefulsets/scale".to_owned()));
        assert_eq!(run("casctl up --dry-run"), None);
        assert_eq!(run("casctl render"), None);
    }

    #[test]
    fn cleanup_after_growth_only_asks_for_exec() {
        let exec = (
            "create pods/exec".to_owned(),
            Need::Optional("`nodetool cleanup` after the ring grew"),
        );
        assert!(needs("casctl up --replicas 5 --no-ring-check").contains(&exec));
        assert!(needs("casctl scale 5 --skip-decommission").contains(&exec));
        let quiet = needs("casctl scale 5 --skip-decommission --no-cleanup");
        assert!(!quiet.iter().any(|(p, _)| p.ends_with("pods/exec")));
    }

    #[test]
    fn growing_replaces_the_claims_of_decommissioned_nodes() {
        for line in ["casctl up --replicas 5", "casctl scale 5"] {
            let wanted = required(line);
            for p in [
                "delete persistentvolumeclaims",
                "watch persistentvolumeclaims",
            ] {
                assert!(wanted.contains(&p.to_owned()), "{line}: {p}");
            }
        }
        assert!(!required("casctl up").contains(&"delete persistentvolumeclaims".to_owned()));
        let scale = required("casctl scale 2");
        assert!(scale.contains(&"get statefulsets/scale".to_owned()));
        assert!(scale.contains(&"patch persistentvolumeclaims".to_owned()));
    }

    #[test]
    fn growing_with_up_uses_the_scale_subresource() {
        assert!(
            required("casctl up --replicas 5").contains(&"patch statefulsets/scale".to_owned())
        );
    }

    #[test]
    fn creating_the_storage_class_needs_a_cluster_role() {
        let run = run("casctl up --create-storage-class").unwrap();
        let class_writes: Vec<_> = run
            .requirements()
            .into_iter()
            .filter(|r| r.permission.resource == "storageclasses" && r.permission.verb != "list")
            .collect();
        assert_eq!(class_writes.len(), 2);
        assert!(
            class_writes
                .iter()
                .all(|r| r.permission.scope == Scope::Cluster)
        );
    }

    #[test]
    fn down_deletes_claims_only_when_purging() {
        assert!(!required("casctl down").contains(&"delete persistentvolumeclaims".to_owned()));
        let purge = required("casctl down --purge-volumes --yes");
        for p in [
            "delete statefulsets",
            "delete pods",
            "delete services",
            "delete persistentvolumeclaims",
            "watch persistentvolumeclaims",
            "delete leases",
        ] {
            assert!(purge.contains(&p.to_owned()), "{p} missing from {purge:?}");
        }
    }

    #[test]
    fn read_only_commands_take_no_lock() {
        for line in ["casctl status", "casctl nodetool -- status"] {
            assert!(
                !required(line).iter().any(|p| p.ends_with("leases")),
                "{line}"
            );
        }
        assert_eq!(
            required("casctl nodetool --pod cassandra-1 -- status"),
            vec!["get pods/exec", "create pods/exec"]
        );
    }

    #[test]
    fn every_permission_covers_every_command_but_the_storage_class_writes() {
        let granted: Vec<String> = every_permission().iter().map(ToString::to_string).collect();
        let lines = [
            "casctl up --replicas 4",
            "casctl status",
            "casctl scale 2",
            "casctl down --purge-volumes",
            "casctl nodetool -- status",
        ];
        let runs = lines.iter().map(|l| run(l).unwrap()).chain([Run::Restart]);
        for run in runs {
            for r in run.requirements() {
                let p = r.permission.to_string();
                assert!(granted.contains(&p), "{}: {p}", run.name());
            }
        }
        let cluster: Vec<String> = every_permission()
            .iter()
            .filter(|p| p.scope == Scope::Cluster)
            .map(ToString::to_string)
            .collect();
        assert_eq!(cluster, vec!["list nodes", "list storageclasses"]);
    }
}
