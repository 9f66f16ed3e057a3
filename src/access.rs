//! What each command needs from the Kubernetes API, as data: every verb on every resource, in
//! the ring's namespace (a Role grants it) or cluster-wide (only a ClusterRole does), and
//! whether the command cannot work without it or only skips a check. Every online command
//! checks its own list before its first write and names every permission missing at once;
//! `casctl rbac` prints the union as a Role and a ClusterRole. Pure: no I/O.

use std::fmt;

use k8s_openapi::api::authorization::v1::ResourceRule;

const APPS: &str = "apps";
const CORE: &str = "";
const COORDINATION: &str = "coordination.k8s.io";
const STORAGE: &str = "storage.k8s.io";

/// Where a permission applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Scope {
    /// In the ring's namespace: a Role (and a RoleBinding) grants it.
    Namespace,
    /// On cluster-scoped objects: only a ClusterRole (and a ClusterRoleBinding) grants it.
    Cluster,
}

/// The one object a request is about, when there is one. A rule limited to named objects
/// (`resourceNames`) grants a request only for an object it names, and never a list, a watch
/// or a create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Object {
    /// No name (list, watch, create), or a name casctl does not know in advance (a pod).
    Any,
    /// The ring's Service or StatefulSet: `<name>`.
    Ring,
    /// The ring's lock, the Lease `<name>-casctl`.
    Lock,
    /// The namespace itself (a Role of the namespace may grant reading it).
    Namespace,
}

/// One request casctl makes: a verb on a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Permission {
    pub(crate) scope: Scope,
    /// The API group (`""` for the core group).
    pub(crate) group: &'static str,
    /// The resource, and its subresource after a slash (`pods/exec`).
    pub(crate) resource: &'static str,
    pub(crate) verb: &'static str,
    pub(crate) object: Object,
}

impl Permission {
    const fn new(verb: &'static str, group: &'static str, resource: &'static str) -> Self {
        Permission {
            scope: Scope::Namespace,
            group,
            resource,
            verb,
            object: Object::Any,
        }
    }

    const fn of(self, object: Object) -> Self {
        Permission { object, ..self }
    }

    const fn cluster_wide(self) -> Self {
        Permission {
            scope: Scope::Cluster,
            ..self
        }
    }

    /// The resource without its subresource, and the subresource (empty when none).
    pub(crate) fn split(&self) -> (&'static str, &'static str) {
        self.resource.split_once('/').unwrap_or((self.resource, ""))
    }

    /// The name of the object the request is about, for the ring `name` in `namespace`.
    pub(crate) fn object_name(&self, name: &str, namespace: &str) -> Option<String> {
        match self.object {
            Object::Any => None,
            Object::Ring => Some(name.to_owned()),
            Object::Lock => Some(format!("{name}-casctl")),
            Object::Namespace => Some(namespace.to_owned()),
        }
    }
}

/// `create pods/exec`, `list storageclasses`: as kubectl's `auth can-i` takes them.
impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.verb, self.resource)
    }
}

/// How much a command depends on a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// The command fails without it.
    Required,
    /// Without it the command skips what this names (a check, a diagnosis).
    Optional(&'static str),
}

/// A permission and how much a command depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Requirement {
    pub(crate) permission: Permission,
    pub(crate) need: Need,
}

/// A command as far as its permissions go: which requests its options lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Run {
    Up(Up),
    Status {
        /// Reads the ring with nodetool (not `--no-ring`).
        ring: bool,
    },
    Scale(Scale),
    Down {
        purge_volumes: bool,
    },
    Nodetool {
        /// Finds the pod itself (no `--pod`).
        pick_pod: bool,
    },
    /// `casctl restart`: one pod at a time, `nodetool drain` then delete, the ring whole
    /// between steps; the StatefulSet's template annotated as `kubectl rollout restart` does.
    Restart,
}

/// The options of `up` that change what it asks of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Up {
    /// `--dry-run=server`: the writes are tried, not made; no lock, no wait.
    pub(crate) dry_run: bool,
    /// `--replicas` was given: a running ring may grow through the scale subresource.
    pub(crate) replicas: bool,
    /// Follows the rollout (not `--no-wait`).
    pub(crate) wait: bool,
    /// Checks the ring with nodetool (not `--no-ring-check`).
    pub(crate) ring_check: bool,
    /// Runs `nodetool cleanup` after growing the ring (not `--no-cleanup`).
    pub(crate) cleanup: bool,
    pub(crate) create_storage_class: bool,
}

/// The options of `scale` that change what it asks of the API. Which way it goes is only
/// known once it has read the StatefulSet, so both ways count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scale {
    /// Decommissions before shrinking: not `--skip-decommission`.
    pub(crate) decommission: bool,
    /// Runs `nodetool cleanup` after growing the ring (not `--no-cleanup`).
    pub(crate) cleanup: bool,
}

/// Finding the ring: its StatefulSet by name (else its racks' StatefulSets by label), its
/// pods by label.
const FIND_RING: &[Permission] = &[
    Permission::new("get", APPS, "statefulsets").of(Object::Ring),
    Permission::new("list", APPS, "statefulsets"),
    Permission::new("list", CORE, "pods"),
];

/// The lock every mutating command holds: read, take, renew, release.
const LOCK: &[Permission] = &[
    Permission::new("get", COORDINATION, "leases").of(Object::Lock),
    Permission::new("create", COORDINATION, "leases"),
    Permission::new("update", COORDINATION, "leases").of(Object::Lock),
    Permission::new("delete", COORDINATION, "leases").of(Object::Lock),
];

/// Running nodetool in a pod: the exec is a WebSocket upgrade of a GET, which the API server
/// authorizes as both `get` and `create`.
const EXEC: &[Permission] = &[
    Permission::new("get", CORE, "pods/exec"),
    Permission::new("create", CORE, "pods/exec"),
];

/// Following a rollout: watches (each a list, then a watch) of the StatefulSet, its pods, its
/// claims and the namespace's events.
const FOLLOW_ROLLOUT: &[Permission] = &[
    Permission::new("list", APPS, "statefulsets"),
    Permission::new("watch", APPS, "statefulsets"),
    Permission::new("list", CORE, "pods"),
    Permission::new("watch", CORE, "pods"),
    Permission::new("list", CORE, "persistentvolumeclaims"),
    Permission::new("watch", CORE, "persistentvolumeclaims"),
    Permission::new("list", CORE, "events"),
    Permission::new("watch", CORE, "events"),
];

/// The claims of decommissioned nodes that a growing ring would start new pods on: listed,
/// deleted, and watched until they are gone.
const REPLACE_STALE_CLAIMS: &[Permission] = &[
    Permission::new("list", CORE, "persistentvolumeclaims"),
    Permission::new("delete", CORE, "persistentvolumeclaims"),
    Permission::new("watch", CORE, "persistentvolumeclaims"),
];

const WATCH_PODS: &[Permission] = &[
    Permission::new("list", CORE, "pods"),
    Permission::new("watch", CORE, "pods"),
];

/// The server-side apply of the Service and the StatefulSet: a patch, which the API server
/// also authorizes as a create when the object does not exist yet.
const APPLY: &[Permission] = &[
    Permission::new("create", CORE, "services"),
    Permission::new("patch", CORE, "services").of(Object::Ring),
    Permission::new("create", APPS, "statefulsets"),
    Permission::new("patch", APPS, "statefulsets").of(Object::Ring),
];

/// `--create-storage-class`: the tutorial's StorageClass, applied like the others.
const APPLY_STORAGE_CLASS: &[Permission] = &[
    Permission::new("create", STORAGE, "storageclasses").cluster_wide(),
    Permission::new("patch", STORAGE, "storageclasses").cluster_wide(),
];

const SET_REPLICAS: Permission =
    Permission::new("patch", APPS, "statefulsets/scale").of(Object::Ring);
const LIST_CLASSES: Permission = Permission::new("list", STORAGE, "storageclasses").cluster_wide();
const LIST_NODES: Permission = Permission::new("list", CORE, "nodes").cluster_wide();
const GET_NAMESPACE: Permission = Permission::new("get", CORE, "namespaces").of(Object::Namespace);
const POD_LOGS: Permission = Permission::new("get", CORE, "pods/log");

pub(crate) const POD_SECURITY: Need = Need::Optional("the Pod Security check");
const NAMESPACE_EXISTS: Need = Need::Optional("telling a missing namespace from a missing ring");
pub(crate) const CAPACITY: Need = Need::Optional("the capacity check");
pub(crate) const CRASH_LOGS: Need = Need::Optional("reading a crashed container's log");
const CLEANUP: Need = Need::Optional("`nodetool cleanup` after the ring grew");

impl Run {
    /// The command's name, as the user typed it.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Run::Up(_) => "up",
            Run::Status { .. } => "status",
            Run::Scale(_) => "scale",
            Run::Down { .. } => "down",
            Run::Nodetool { .. } => "nodetool",
            Run::Restart => "restart",
        }
    }

    /// Every permission the command needs with these options, each once (required wins over
    /// optional), in the order of the command's steps.
    pub(crate) fn requirements(&self) -> Vec<Requirement> {
        let mut wanted = Wanted::default();
        match *self {
            Run::Up(up) => up_needs(up, &mut wanted),
            Run::Status { ring } => {
                wanted.required(FIND_RING);
                wanted.required(&[Permission::new("get", CORE, "services").of(Object::Ring)]);
                wanted.optional(GET_NAMESPACE, NAMESPACE_EXISTS);
                if ring {
                    wanted.required(EXEC);
                }
            }
            Run::Scale(scale) => scale_needs(scale, &mut wanted),
            Run::Down { purge_volumes } => down_needs(purge_volumes, &mut wanted),
            Run::Nodetool { pick_pod } => {
                if pick_pod {
                    wanted.required(FIND_RING);
                }
                wanted.required(EXEC);
            }
            Run::Restart => {
                wanted.required(FIND_RING);
                wanted.required(LOCK);
                wanted.required(EXEC);
                wanted.required(FOLLOW_ROLLOUT);
                wanted.required(&[
                    Permission::new("patch", APPS, "statefulsets").of(Object::Ring),
                    Permission::new("delete", CORE, "pods"),
                ]);
                wanted.optional(GET_NAMESPACE, NAMESPACE_EXISTS);
                wanted.optional(POD_LOGS, CRASH_LOGS);
            }
        }
        wanted.into_list()
    }

    /// One run of every command with every option that asks for more, except creating the
    /// tutorial's StorageClass: a cluster-wide write that only minikube's provisioner serves,
    /// left out of what `casctl rbac` grants.
    pub(crate) fn every() -> [Run; 6] {
        [
            Run::Up(Up {
                dry_run: false,
                replicas: true,
                wait: true,
                ring_check: true,
                cleanup: true,
                create_storage_class: false,
            }),
            Run::Status { ring: true },
            Run::Scale(Scale {
                decommission: true,
                cleanup: true,
            }),
            Run::Down {
                purge_volumes: true,
            },
            Run::Nodetool { pick_pod: true },
            Run::Restart,
        ]
    }
}

fn up_needs(up: Up, wanted: &mut Wanted) {
    wanted.required(&[
        Permission::new("get", APPS, "statefulsets").of(Object::Ring),
        Permission::new("list", APPS, "statefulsets"),
        Permission::new("get", CORE, "services").of(Object::Ring),
        LIST_CLASSES,
    ]);
    wanted.optional(GET_NAMESPACE, POD_SECURITY);
    wanted.optional(LIST_NODES, CAPACITY);
    if !up.dry_run {
        wanted.required(LOCK);
    }
    if up.create_storage_class {
        wanted.required(APPLY_STORAGE_CLASS);
    }
    wanted.required(APPLY);
    if up.dry_run {
        return;
    }
    // A larger --replicas grows a running ring as `scale` does.
    if up.replicas {
        wanted.required(REPLACE_STALE_CLAIMS);
        wanted.required(&[SET_REPLICAS]);
    }
    if up.wait {
        wanted.required(FOLLOW_ROLLOUT);
        wanted.optional(POD_LOGS, CRASH_LOGS);
        if up.ring_check {
            wanted.required(EXEC);
        }
        if up.replicas && up.cleanup {
            optional_all(wanted, EXEC, CLEANUP);
        }
    }
}

/// Growing replaces the claims a decommission left marked as stale, raises the replicas,
/// follows the rollout and cleans up the nodes that were there; shrinking asks the ring
/// (status, describecluster, netstats) and decommissions in the pods, marks the claims it
/// keeps, and lowers the replicas from the count it read.
fn scale_needs(scale: Scale, wanted: &mut Wanted) {
    wanted.required(FIND_RING);
    wanted.required(LOCK);
    wanted.required(REPLACE_STALE_CLAIMS);
    wanted.required(&[
        Permission::new("get", APPS, "statefulsets/scale").of(Object::Ring),
        SET_REPLICAS,
        Permission::new("patch", CORE, "persistentvolumeclaims"),
    ]);
    wanted.required(FOLLOW_ROLLOUT);
    wanted.optional(GET_NAMESPACE, NAMESPACE_EXISTS);
    wanted.optional(POD_LOGS, CRASH_LOGS);
    if scale.decommission {
        wanted.required(EXEC);
    }
    if scale.cleanup {
        optional_all(wanted, EXEC, CLEANUP);
    }
}

fn optional_all(wanted: &mut Wanted, permissions: &[Permission], need: Need) {
    for permission in permissions {
        wanted.optional(*permission, need);
    }
}

/// Deleting the StatefulSet, the pods it leaves (orphans), the claims when purging, and the
/// Service last, watching the pods (and the claims) go.
fn down_needs(purge_volumes: bool, wanted: &mut Wanted) {
    wanted.required(FIND_RING);
    wanted.required(&[
        Permission::new("get", CORE, "services").of(Object::Ring),
        Permission::new("list", CORE, "persistentvolumeclaims"),
    ]);
    wanted.required(LOCK);
    wanted.required(&[
        Permission::new("delete", APPS, "statefulsets").of(Object::Ring),
        Permission::new("delete", CORE, "pods"),
    ]);
    wanted.required(WATCH_PODS);
    if purge_volumes {
        wanted.required(&[
            Permission::new("delete", CORE, "persistentvolumeclaims"),
            Permission::new("watch", CORE, "persistentvolumeclaims"),
        ]);
    }
    wanted.required(&[Permission::new("delete", CORE, "services").of(Object::Ring)]);
}

/// The permissions gathered for one command, in the order of its steps (the order messages
/// list them in), each once.
#[derive(Default)]
struct Wanted(Vec<Requirement>);

impl Wanted {
    fn required(&mut self, permissions: &[Permission]) {
        for permission in permissions {
            match self.0.iter_mut().find(|r| r.permission == *permission) {
                Some(known) => known.need = Need::Required,
                None => self.0.push(Requirement {
                    permission: *permission,
                    need: Need::Required,
                }),
            }
        }
    }

    fn optional(&mut self, permission: Permission, need: Need) {
        if !self.0.iter().any(|r| r.permission == permission) {
            self.0.push(Requirement { permission, need });
        }
    }

    fn into_list(self) -> Vec<Requirement> {
        self.0
    }
}

/// Every permission some command needs, each once: what `casctl rbac` grants.
pub(crate) fn every_permission() -> Vec<Permission> {
    let mut all: Vec<Permission> = Run::every()
        .iter()
        .flat_map(Run::requirements)
        .map(|r| r.permission)
        .collect();
    all.sort();
    all.dedup_by(|a, b| {
        (a.scope, a.group, a.resource, a.verb) == (b.scope, b.group, b.resource, b.verb)
    });
    all
}

/// Whether a rule of a SelfSubjectRulesReview grants `permission` on the object `name`, as
/// the RBAC authorizer decides: `*` matches every verb, group or resource, `*/exec` the
/// subresource `exec` of every resource (but `pods/*` matches nothing: RBAC has no such
/// wildcard), and a rule with `resourceNames` grants only requests about the objects it names.
pub(crate) fn grants(rule: &ResourceRule, permission: &Permission, name: Option<&str>) -> bool {
    let has = |list: &[String], wanted: &str| list.iter().any(|v| v == "*" || v == wanted);
    let verbs = has(&rule.verbs, permission.verb);
    let groups = has(
        rule.api_groups.as_deref().unwrap_or_default(),
        permission.group,
    );
    let (_, sub) = permission.split();
    let resources = rule
        .resources
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|r| {
            r == "*" || r == permission.resource || (!sub.is_empty() && *r == format!("*/{sub}"))
        });
    let names = match rule.resource_names.as_deref() {
        None | Some([]) => true,
        Some(listed) => name.is_some_and(|n| listed.iter().any(|l| l == n)),
    };
    verbs && groups && resources && names
}

/// The namespaced requirements that no rule grants, for the ring `name` in `namespace`.
pub(crate) fn not_granted(
    rules: &[ResourceRule],
    wanted: &[Requirement],
    name: &str,
    namespace: &str,
) -> Vec<Requirement> {
    wanted
        .iter()
        .filter(|r| {
            let object = r.permission.object_name(name, namespace);
            !rules
                .iter()
                .any(|rule| grants(rule, &r.permission, object.as_deref()))
        })
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> ResourceRule {
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        ResourceRule {
            api_groups: Some(strings(groups)),
            resources: Some(strings(resources)),
            verbs: strings(verbs),
            resource_names: None,
        }
    }

    const EXEC_CREATE: Permission = Permission::new("create", CORE, "pods/exec");

    #[test]
    fn a_permission_needed_and_optional_counts_as_needed() {
        let mut wanted = Wanted::default();
        wanted.required(&[POD_LOGS]);
        wanted.optional(POD_LOGS, CRASH_LOGS);
        assert_eq!(wanted.into_list()[0].need, Need::Required);
    }

    #[test]
    fn wildcards_grant_everything() {
        let admin = rule(&["*"], &["*"], &["*"]);
        assert!(grants(&admin, &EXEC_CREATE, None));
        assert!(grants(&admin, &LIST_CLASSES, None));
    }

    #[test]
    fn a_subresource_needs_its_own_rule_or_a_star_slash_rule() {
        let pods = rule(&[""], &["pods"], &["*"]);
        assert!(!grants(&pods, &EXEC_CREATE, None));
        // RBAC matches `*/exec`, but not `pods/*`.
        assert!(grants(
            &rule(&[""], &["*/exec"], &["create"]),
            &EXEC_CREATE,
            None
        ));
        assert!(!grants(
            &rule(&[""], &["pods/*"], &["create"]),
            &EXEC_CREATE,
            None
        ));
        assert!(grants(
            &rule(&[""], &["pods/exec"], &["create"]),
            &EXEC_CREATE,
            None
        ));
        assert!(!grants(
            &rule(&["apps"], &["pods/exec"], &["create"]),
            &EXEC_CREATE,
            None
        ));
        assert!(!grants(
            &rule(&[""], &["pods/exec"], &["get"]),
            &EXEC_CREATE,
            None
        ));
    }

    #[test]
    fn resource_names_restrict_to_the_objects_they_name() {
        let mut only_ring = rule(&["apps"], &["statefulsets"], &["get", "patch", "list"]);
        only_ring.resource_names = Some(vec!["ring".to_owned()]);
        let get = Permission::new("get", APPS, "statefulsets").of(Object::Ring);
        let list = Permission::new("list", APPS, "statefulsets");
        assert!(grants(&only_ring, &get, Some("ring")));
        assert!(!grants(&only_ring, &get, Some("other")));
        assert!(!grants(&only_ring, &list, None));
    }

    #[test]
    fn not_granted_names_every_missing_permission_with_the_rings_names() {
        let mut lease = rule(&[COORDINATION], &["leases"], &["get", "update", "delete"]);
        lease.resource_names = Some(vec!["ring-casctl".to_owned()]);
        let rules = [rule(&[""], &["pods"], &["get", "list", "watch"]), lease];
        let wanted = Run::Down {
            purge_volumes: false,
        }
        .requirements();
        let missing: Vec<String> = not_granted(&rules, &wanted, "ring", "shop")
            .iter()
            .map(|r| r.permission.to_string())
            .collect();
        assert_eq!(
            missing,
            vec![
                "get statefulsets",
                "list statefulsets",
                "get services",
                "list persistentvolumeclaims",
                "create leases",
                "delete statefulsets",
                "delete pods",
                "delete services",
            ]
        );
        assert_eq!(not_granted(&rules, &wanted, "other", "shop").len(), 11);
    }
}
