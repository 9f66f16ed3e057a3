//! The failures a user can act on: one enum, whose exit code and hint are each decided by a
//! single match. Lower-level errors (I/O, YAML) travel as `anyhow` context chains and print as
//! `caused by:` lines below the outermost of these.

use std::fmt;
use std::time::Duration;

use crate::fmt::{plural, seconds};

/// The documented exit codes (README "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    /// 0: done.
    Ok = 0,
    /// 1: an error (the message says what happened).
    Error = 1,
    /// 2: bad usage: a flag or value the command does not accept.
    Usage = 2,
    /// 3: timed out waiting (for a rollout, a decommission, pods to terminate).
    TimedOut = 3,
    /// 4: `status` found the ring degraded.
    Degraded = 4,
    /// 130: interrupted (SIGINT or SIGTERM); what was applied stays, re-running resumes.
    Interrupted = 130,
}

/// What the program ends with: one of the documented codes, or a remote command's exit status
/// passed through (`casctl nodetool`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A documented exit code (README "Exit codes").
    Code(u8),
    /// A remote command's exit status, passed through.
    Remote(u8),
}

impl From<Code> for Outcome {
    fn from(code: Code) -> Self {
        Outcome::Code(code as u8)
    }
}

impl From<Outcome> for std::process::ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Code(code) | Outcome::Remote(code) => std::process::ExitCode::from(code),
        }
    }
}

/// A ring node that no pod stands for any more (removed without decommission).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ghost {
    pub(crate) address: String,
    pub(crate) host_id: Option<String>,
}

/// Who holds a ring's lock (boxed in [`Error::Locked`]: the enum stays small).
#[derive(Debug)]
pub(crate) struct Held {
    /// The ring: `<name> in namespace <ns>`.
    pub(crate) name: String,
    pub(crate) holder: String,
    pub(crate) command: String,
    pub(crate) since: String,
    /// The lease, as `kubectl delete lease` takes it.
    pub(crate) lease: String,
}

impl fmt::Display for Held {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Held {
            name,
            holder,
            command,
            since,
            ..
        } = self;
        write!(f, "{name} is locked by {holder} ({command}) since {since}")
    }
}

/// Every failure casctl reports with words of its own.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// A value or a combination of values the command does not accept (exit 2).
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
    /// The kubeconfig, the context or the in-cluster account cannot be used.
    #[error("{message}")]
    Config { message: String, hint: String },
    /// No answer from the API server.
    #[error("cannot reach the API server at {server} (context \"{context}\")")]
    Unreachable {
        server: String,
        context: String,
        kubeconfig: String,
    },
    /// The API server did not accept the credentials (401).
    #[error("the API server rejected the credentials of context \"{context}\"")]
    Credentials { context: String, kubeconfig: String },
    /// A request was refused (403) while the command ran.
    #[error("forbidden: cannot {verb} {resource} in namespace {namespace}")]
    Forbidden {
        verb: String,
        resource: String,
        namespace: String,
        context: String,
    },
    /// Permissions found missing before the first write: every one of them.
    #[error("{}", missing_access(context, namespace, missing, command))]
    MissingAccess {
        context: String,
        namespace: String,
        /// `verb resource` of a namespaced permission (a Role grants it) or of a cluster-wide
        /// one (a ClusterRole), and whether it is cluster-wide.
        missing: Vec<(String, bool)>,
        command: String,
    },
    /// Any other request the API server answered with an error.
    #[error("cannot {action}: {message}")]
    Api { action: String, message: String },
    #[error("namespace {namespace} does not exist")]
    NamespaceNotFound { namespace: String },
    #[error("no StatefulSet {name} in namespace {namespace}")]
    NoRing { name: String, namespace: String },
    /// No pod of the ring is Ready to run nodetool in.
    #[error("no Ready pod of {name} in namespace {namespace}")]
    NoReadyPod {
        name: String,
        namespace: String,
        hint: String,
    },
    /// A check before the first write failed (StorageClass, Pod Security, templates).
    #[error("{message}")]
    Preflight {
        message: String,
        hint: Option<String>,
    },
    /// A server-side apply conflicts with fields another manager owns.
    #[error("applying {kind} {name} conflicts with another field manager: {conflicts}")]
    Conflict {
        kind: String,
        name: String,
        conflicts: String,
    },
    /// An object exists with values that cannot change after creation.
    #[error("{kind} {name} exists with settings that cannot be changed in place: {detail}")]
    Immutable {
        kind: String,
        name: String,
        detail: String,
        /// Made by another tool (e.g. kubectl from the tutorial) rather than by casctl.
        foreign: bool,
        /// The change is to the claim template (a size, a class).
        claims: bool,
    },
    /// Another mutating command holds the ring's lock (and still did when the time to wait
    /// for it, if any, ran out).
    #[error("{held}{}", waited.map(|w| format!("; still locked after waiting {}", seconds(w))).unwrap_or_default())]
    Locked {
        held: Box<Held>,
        /// How long `--wait-for-lock` waited (exit 3), or `None` when it was not asked to.
        waited: Option<Duration>,
    },
    /// The ring is not whole, so taking a node out or down could lose data.
    #[error("the ring has nodes that are not Up/Normal (asked {asked}): {}", nodes.join(", "))]
    RingNotHealthy {
        asked: String,
        nodes: Vec<String>,
        /// What the command would risk (the hint's first words).
        risk: &'static str,
    },
    /// Ring nodes without a pod: they never come back by waiting.
    #[error("{}", ghosts(nodes))]
    Ghost {
        nodes: Vec<Ghost>,
        namespace: String,
        name: String,
    },
    /// Cassandra itself refused what was asked (its sentence, verbatim).
    #[error("Cassandra refused `{command}` in {pod}: {sentence}")]
    Refused {
        pod: String,
        command: String,
        sentence: String,
        hint: String,
    },
    /// The keyspaces' replication does not allow so few nodes.
    #[error("{}", replication(*target, dc, keyspaces))]
    Replication {
        target: u32,
        dc: String,
        /// Keyspace and its replication factor in `dc`, highest first.
        keyspaces: Vec<(String, u32)>,
    },
    /// A command run in a pod failed.
    #[error("`{command}` in pod {pod} failed with exit code {code}: {output}")]
    Exec {
        pod: String,
        command: String,
        code: i32,
        output: String,
        hint: Option<String>,
    },
    /// Someone else changed or deleted what a command was waiting on.
    #[error("{what}")]
    Changed { what: String, hint: String },
    /// A question was not answered yes (or could not be asked).
    #[error("{message}")]
    NotConfirmed { message: String },
    /// Claims are only deleted once no pod could write to them.
    #[error("pods still exist ({}); no claim was deleted", pods.join(", "))]
    PodsRemain { pods: Vec<String> },
    /// A wait ran out of time (exit 3).
    #[error("{what} did not complete within {}{detail}", seconds(*timeout))]
    TimedOut {
        what: String,
        timeout: Duration,
        /// The last diagnosis and what is still awaited, each on its own line.
        detail: String,
        hint: String,
    },
    /// SIGINT or SIGTERM: stopped at a safe point (exit 130).
    #[error("interrupted; {done}")]
    Interrupted { done: String, resume: String },
}

impl Error {
    /// The exit code: one match, every variant.
    pub(crate) fn code(&self) -> Code {
        match self {
            Error::Usage { .. } => Code::Usage,
            Error::TimedOut { .. }
            | Error::Locked {
                waited: Some(_), ..
            } => Code::TimedOut,
            Error::Interrupted { .. } => Code::Interrupted,
            Error::Config { .. }
            | Error::Unreachable { .. }
            | Error::Credentials { .. }
            | Error::Forbidden { .. }
            | Error::MissingAccess { .. }
            | Error::Api { .. }
            | Error::NamespaceNotFound { .. }
            | Error::NoRing { .. }
            | Error::NoReadyPod { .. }
            | Error::Preflight { .. }
            | Error::Conflict { .. }
            | Error::Immutable { .. }
            | Error::Locked { waited: None, .. }
            | Error::RingNotHealthy { .. }
            | Error::Ghost { .. }
            | Error::Refused { .. }
            | Error::Replication { .. }
            | Error::Exec { .. }
            | Error::Changed { .. }
            | Error::NotConfirmed { .. }
            | Error::PodsRemain { .. } => Code::Error,
        }
    }

    /// What the user can do about it: one match, every variant.
    pub(crate) fn hint(&self) -> Option<String> {
        match self {
            Error::Usage { hint, .. } | Error::Preflight { hint, .. } | Error::Exec { hint, .. } => {
                hint.clone()
            }
            Error::Config { hint, .. }
            | Error::NoReadyPod { hint, .. }
            | Error::Refused { hint, .. }
            | Error::Changed { hint, .. }
            | Error::TimedOut { hint, .. } => Some(hint.clone()),
            Error::Unreachable { kubeconfig, .. } => Some(format!(
                "check that the cluster is running and that the kubeconfig {kubeconfig} and --context point at it"
            )),
            Error::Credentials { context, kubeconfig } => Some(format!(
                "refresh the credentials of context \"{context}\" in {kubeconfig}"
            )),
            Error::Forbidden {
                verb,
                resource,
                namespace,
                context,
            } => Some(format!(
                "ask for RBAC permission to {verb} {resource} in namespace {namespace} for the user of context \"{context}\" \
                 (`casctl rbac` prints every permission casctl needs)"
            )),
            Error::MissingAccess { namespace, .. } => Some(format!(
                "`casctl rbac -n {namespace} --user NAME` (or --service-account NAME) prints the Role, ClusterRole and bindings that grant all of them"
            )),
            Error::Api { .. } => None,
            Error::NamespaceNotFound { namespace } => {
                Some(format!("create it first: kubectl create namespace {namespace}"))
            }
            Error::NoRing { .. } => {
                Some("create the ring with `casctl up`, or pass the right -n/--name".to_owned())
            }
            Error::Conflict { .. } => Some(
                "another tool owns these fields; re-run with --force-conflicts to take them over".to_owned(),
            ),
            Error::Immutable { foreign: true, .. } => Some(
                "this ring was made by another tool (e.g. kubectl from the tutorial). To manage it with casctl, \
                 remove its StatefulSet and Service with `casctl down` (the data volumes are kept) and run \
                 `casctl up` with the same name: the new pods reuse the claims by name, so every node keeps its data \
                 and host ID. Or keep managing it with kubectl".to_owned(),
            ),
            Error::Immutable {
                foreign: false,
                claims: true,
                ..
            } => Some(
                "a StatefulSet's claim template is fixed once created, and the claims it made keep their size and \
                 class whatever it says: keep the existing value, or resize each claim where the StorageClass allows \
                 it (kubectl patch pvc … spec.resources.requests.storage). `casctl down` and `up` with the new value \
                 would keep the old claims, and their old size, too".to_owned(),
            ),
            Error::Immutable { foreign: false, .. } => Some(
                "the selector, the service name and the volume claim templates are fixed once created: \
                 remove the ring with `casctl down` (its volumes are kept) and run `casctl up` again, \
                 or keep the existing settings".to_owned(),
            ),
            Error::Locked { held, waited: None } => Some(format!(
                "wait for it to finish, or pass --wait-for-lock to queue behind it; if its holder died, the lock \
                 expires by itself within 30 s (or remove it: kubectl delete lease {})",
                held.lease
            )),
            Error::Locked {
                held,
                waited: Some(_),
            } => Some(format!(
                "nothing was done; run it again with a longer --timeout to wait longer; if its holder died, the \
                 lock expires by itself within 30 s (or remove it: kubectl delete lease {})",
                held.lease
            )),
            Error::RingNotHealthy { risk, .. } => Some(format!(
                "{risk}: bring them back or remove them (nodetool removenode) first, or pass --force"
            )),
            Error::Ghost {
                nodes,
                namespace,
                name,
            } => Some(removenode_hint(nodes, namespace, name)),
            Error::Replication { keyspaces, .. } => Some(format!(
                "lower the replication first (ALTER KEYSPACE {} WITH replication = …, then `nodetool repair`), \
                 or pass --force to decommission anyway (its data then keeps fewer replicas than the keyspace asks for)",
                keyspaces.first().map_or("<keyspace>", |(k, _)| k.as_str())
            )),
            Error::NotConfirmed { .. } => Some(
                "pass --yes to purge the volumes without a question, or leave out --purge-volumes to keep them"
                    .to_owned(),
            ),
            Error::PodsRemain { .. } => {
                Some("run `casctl down --purge-volumes` again once they are gone".to_owned())
            }
            Error::Interrupted { resume, .. } => Some(resume.clone()),
        }
    }
}

fn missing_access(
    context: &str,
    namespace: &str,
    missing: &[(String, bool)],
    command: &str,
) -> String {
    let list = |cluster: bool| {
        missing
            .iter()
            .filter(|(_, c)| *c == cluster)
            .map(|(m, _)| m.as_str())
            .collect::<Vec<_>>()
    };
    let (role, cluster_role) = (list(false), list(true));
    let mut text = format!(
        "forbidden: the user of context \"{context}\" lacks {} `casctl {command}` needs",
        plural(missing.len(), "permission", "permissions")
    );
    if !role.is_empty() {
        text.push_str(&format!(
            "\n  in namespace {namespace} (a Role grants these) it cannot {}",
            role.join(", ")
        ));
    }
    if !cluster_role.is_empty() {
        text.push_str(&format!(
            "\n  cluster-wide (only a ClusterRole grants these) it cannot {}",
            cluster_role.join(", ")
        ));
    }
    text
}

fn ghosts(nodes: &[Ghost]) -> String {
    let list: Vec<String> = nodes
        .iter()
        .map(|g| match &g.host_id {
            Some(id) => format!("{} (host ID {id})", g.address),
            None => g.address.clone(),
        })
        .collect();
    format!(
        "the ring lists {} that no pod stands for: {}; it was removed without decommission and will not come back by waiting",
        plural(nodes.len(), "node", "nodes"),
        list.join(", ")
    )
}

/// The exact `removenode` commands for ghost nodes, aimed at the right ring.
pub(crate) fn removenode_hint(nodes: &[Ghost], namespace: &str, name: &str) -> String {
    let commands: Vec<String> = nodes
        .iter()
        .map(|g| {
            format!(
                "casctl nodetool -n {namespace} --name {name} -- removenode {}",
                g.host_id.as_deref().unwrap_or("<host-id>")
            )
        })
        .collect();
    format!("remove it from the ring with: {}", commands.join("; "))
}

fn replication(target: u32, dc: &str, keyspaces: &[(String, u32)]) -> String {
    let list: Vec<String> = keyspaces
        .iter()
        .map(|(k, rf)| format!("{k} (RF {rf})"))
        .collect();
    format!(
        "cannot shrink data center {dc} to {}: {} more replicas than that: {}",
        plural(target as usize, "node", "nodes"),
        plural(keyspaces.len(), "keyspace keeps", "keyspaces keep"),
        list.join(", ")
    )
}

impl Error {
    pub(crate) fn usage(message: impl Into<String>, hint: Option<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint,
        }
    }
}

/// The error of a finished command as the user sees it: its exit code and hint, from the
/// outermost [`Error`] in the chain (or 1 and none for anything else).
pub(crate) fn classify(err: &anyhow::Error) -> (Code, Option<String>) {
    // `downcast_ref` sees an error attached as context; the chain sees the ones below it.
    let found = err
        .downcast_ref::<Error>()
        .or_else(|| err.chain().find_map(|e| e.downcast_ref::<Error>()));
    match found {
        Some(e) => (e.code(), e.hint()),
        None => (Code::Error, None),
    }
}

/// Whether the error is a closed stdout pipe (`casctl render | head -1`): not worth reporting.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The lines an error prints: its message, then each cause that says something new.
pub(crate) fn lines(err: &anyhow::Error) -> (String, Vec<String>) {
    let mut seen: Vec<String> = vec![err.to_string()];
    let mut causes = Vec::new();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        // A wrapped error often repeats its source's text: print each line once.
        if seen.iter().any(|s| s.contains(text.trim())) || text.trim().is_empty() {
            continue;
        }
        seen.push(text.clone());
        causes.push(text);
    }
    (err.to_string(), causes)
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", *self as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn the_outer_error_decides_the_code_and_hint() {
        let inner: anyhow::Result<()> = Err(anyhow::anyhow!("connection refused"));
        let err = inner
            .context(Error::TimedOut {
                what: "the rollout".into(),
                timeout: Duration::from_secs(30),
                detail: String::new(),
                hint: "raise --timeout".into(),
            })
            .unwrap_err();
        assert_eq!(
            classify(&err),
            (Code::TimedOut, Some("raise --timeout".into()))
        );
        assert_eq!(err.to_string(), "the rollout did not complete within 30s");
    }

    #[test]
    fn plain_errors_are_code_one_without_hint() {
        assert_eq!(classify(&anyhow::anyhow!("boom")), (Code::Error, None));
    }

    #[test]
    fn broken_pipes_are_recognised_through_context() {
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed");
        let err = anyhow::Error::new(io).context("writing the manifests");
        assert!(is_broken_pipe(&err));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }

    #[test]
    fn a_cause_that_repeats_the_message_is_printed_once() {
        let err = anyhow::anyhow!("No such file or directory (os error 2)")
            .context("reading /tmp/kc: No such file or directory (os error 2)")
            .context("cannot read the kubeconfig /tmp/kc");
        let (message, causes) = lines(&err);
        assert_eq!(message, "cannot read the kubeconfig /tmp/kc");
        assert_eq!(
            causes,
            vec!["reading /tmp/kc: No such file or directory (os error 2)"]
        );
    }

    #[test]
    fn missing_permissions_are_listed_by_role_kind() {
        let err = Error::MissingAccess {
            context: "dev".into(),
            namespace: "shop".into(),
            missing: vec![
                ("create pods/exec".into(), false),
                ("list storageclasses".into(), true),
            ],
            command: "up".into(),
        };
        assert_eq!(
            err.to_string(),
            "forbidden: the user of context \"dev\" lacks 2 permissions `casctl up` needs\n  \
             in namespace shop (a Role grants these) it cannot create pods/exec\n  \
             cluster-wide (only a ClusterRole grants these) it cannot list storageclasses"
        );
    }

    #[test]
    fn ghosts_name_the_removenode_command_for_the_right_ring() {
        let err = Error::Ghost {
            nodes: vec![Ghost {
                address: "10.0.0.4".into(),
                host_id: Some("abcd".into()),
            }],
            namespace: "shop".into(),
            name: "ring".into(),
        };
        assert!(err.to_string().contains("1 node that no pod stands for"));
        assert_eq!(
            err.hint().unwrap(),
            "remove it from the ring with: casctl nodetool -n shop --name ring -- removenode abcd"
        );
    }

    #[test]
    fn replication_names_the_keyspaces() {
        let err = Error::Replication {
            target: 2,
            dc: "DC1".into(),
            keyspaces: vec![("system_distributed".into(), 3)],
        };
        assert_eq!(
            err.to_string(),
            "cannot shrink data center DC1 to 2 nodes: 1 keyspace keeps more replicas than that: system_distributed (RF 3)"
        );
        assert!(
            err.hint()
                .unwrap_or_default()
                .contains("ALTER KEYSPACE system_distributed")
        );
    }
}
