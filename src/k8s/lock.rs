//! The per-ring lock: a `coordination.k8s.io/v1` Lease `<name>-casctl` in the ring's namespace,
//! held by every command that changes the ring while it runs, renewed in the background, and
//! released at the end. A holder that died stops renewing, and its lock expires by itself.

use std::time::Duration;

use anyhow::Result;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use kube::api::{DeleteParams, PostParams, Preconditions};

use super::{Cluster, is_not_found};
use crate::error::Error;
use crate::interrupt::Interrupt;
use crate::wait::Deadline;

/// How long a lock outlives its holder's last renewal.
pub(crate) const LEASE_SECONDS: i32 = 30;
/// How often the holder renews it.
const RENEW_EVERY: Duration = Duration::from_secs(10);
/// How often a command queued with `--wait-for-lock` looks again.
const RETRY_EVERY: Duration = Duration::from_secs(2);

const COMMAND: &str = "casctl.io/command";
const PID: &str = "casctl.io/pid";
const HOST: &str = "casctl.io/host";

/// Who asks for the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Holder {
    pub(crate) user: String,
    pub(crate) host: String,
    pub(crate) pid: u32,
    /// The command line, for the message another command shows (`scale 2`).
    pub(crate) command: String,
}

impl Holder {
    /// This process, running `command`.
    pub(crate) fn this_process(command: &str) -> Self {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| uid().map_or_else(|| "unknown".to_owned(), |u| format!("uid {u}")));
        Holder {
            user,
            host: hostname(),
            pid: std::process::id(),
            command: command.to_owned(),
        }
    }

    fn identity(&self) -> String {
        format!("{}@{} pid {}", self.user, self.host, self.pid)
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".to_owned())
}

/// A lock held; [`Lock::release`] gives it back.
pub(crate) struct Lock {
    api: Api<Lease>,
    name: String,
    identity: String,
    renewer: tokio::task::JoinHandle<()>,
}

/// How to behave when another command holds the lock.
pub(crate) enum WhenHeld<'a> {
    /// Refuse at once, naming the holder.
    Refuse,
    /// Queue until it is free, within the command's budget and until a signal; the note is
    /// told once, when the wait begins (who holds it).
    Wait(Deadline, &'a mut Interrupt, &'a dyn Fn(String)),
}

/// Takes the ring's lock for `holder`.
pub(crate) async fn acquire(
    cluster: &Cluster,
    holder: &Holder,
    mut when_held: WhenHeld<'_>,
) -> Result<Lock> {
    let api: Api<Lease> = cluster.api();
    let name = format!("{}-casctl", cluster.name);
    let waiting_since = std::time::Instant::now();
    let mut said = false;
    loop {
        match try_acquire(cluster, &api, &name, holder).await? {
            Attempt::Taken => break,
            Attempt::Raced => continue,
            Attempt::Held(lease) => match &mut when_held {
                WhenHeld::Refuse => return Err(locked(cluster, &name, &lease, None).into()),
                WhenHeld::Wait(deadline, interrupt, note) => {
                    let now = std::time::Instant::now();
                    if deadline.remaining(now).is_zero() {
                        let waited = now.saturating_duration_since(waiting_since);
                        return Err(locked(cluster, &name, &lease, Some(waited)).into());
                    }
                    if !said {
                        said = true;
                        note(format!(
                            "waiting for the lock: {}",
                            locked(cluster, &name, &lease, None)
                        ));
                    }
                    tokio::select! {
                        () = interrupt.signalled() => return Err(Error::Interrupted {
                            done: "nothing was done: the command was still waiting for the lock".to_owned(),
                            resume: "run it again".to_owned(),
                        }.into()),
                        () = tokio::time::sleep(RETRY_EVERY.min(deadline.remaining(now))) => {}
                    }
                }
            },
        }
    }
    let renewer = tokio::spawn(renew(api.clone(), name.clone(), holder.identity()));
    Ok(Lock {
        api,
        name,
        identity: holder.identity(),
        renewer,
    })
}

enum Attempt {
    Taken,
    /// Someone else wrote the lease between our read and our write: look again.
    Raced,
    Held(Box<Lease>),
}

/// Creates the lease (one request when the ring is not locked); when it exists, takes it over
/// if it is free.
async fn try_acquire(
    cluster: &Cluster,
    api: &Api<Lease>,
    name: &str,
    holder: &Holder,
) -> Result<Attempt> {
    let now = Timestamp::now();
    match api
        .create(&PostParams::default(), &lease(name, holder, now, None))
        .await
    {
        Ok(_) => return Ok(Attempt::Taken),
        Err(kube::Error::Api(s)) if s.reason == "AlreadyExists" || s.is_conflict() => {}
        Err(err) if is_not_found(&err) => {
            return Err(Error::NamespaceNotFound {
                namespace: cluster.namespace().to_owned(),
            }
            .into());
        }
        Err(err) => return Err(cluster.fail(err, "create", "leases")),
    }
    let existing = api
        .get_opt(name)
        .await
        .map_err(|e| cluster.fail(e, "get", "leases"))?;
    let result = match existing {
        // Released between the two requests.
        None => return Ok(Attempt::Raced),
        Some(current) if is_free(&current, holder, now) => {
            let next = lease(name, holder, now, Some(&current));
            api.replace(name, &PostParams::default(), &next).await
        }
        Some(current) => return Ok(Attempt::Held(Box::new(current))),
    };
    match result {
        Ok(_) => Ok(Attempt::Taken),
        Err(kube::Error::Api(s)) if s.is_conflict() || s.reason == "AlreadyExists" => {
            Ok(Attempt::Raced)
        }
        Err(err) if is_not_found(&err) => Err(Error::NamespaceNotFound {
            namespace: cluster.namespace().to_owned(),
        }
        .into()),
        Err(err) => Err(cluster.fail(err, "update", "leases")),
    }
}

/// The lease as `holder` takes it (a new one, or `current` taken over).
fn lease(name: &str, holder: &Holder, now: Timestamp, current: Option<&Lease>) -> Lease {
    let transitions = current
        .and_then(|c| c.spec.as_ref()?.lease_transitions)
        .unwrap_or(0);
    Lease {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            resource_version: current.and_then(|c| c.metadata.resource_version.clone()),
            annotations: Some(
                [
                    (COMMAND.to_owned(), holder.command.clone()),
                    (PID.to_owned(), holder.pid.to_string()),
                    (HOST.to_owned(), holder.host.clone()),
                ]
                .into(),
            ),
            ..Default::default()
        },
        spec: Some(LeaseSpec {
            holder_identity: Some(holder.identity()),
            lease_duration_seconds: Some(LEASE_SECONDS),
            acquire_time: Some(MicroTime(now)),
            renew_time: Some(MicroTime(now)),
            lease_transitions: Some(transitions + i32::from(current.is_some())),
            ..Default::default()
        }),
    }
}

/// Free: released, expired, or held by a process of this host that no longer runs.
fn is_free(lease: &Lease, holder: &Holder, now: Timestamp) -> bool {
    let Some(spec) = &lease.spec else {
        return true;
    };
    let Some(identity) = spec.holder_identity.as_deref().filter(|h| !h.is_empty()) else {
        return true;
    };
    if identity == holder.identity() {
        return true;
    }
    expired(spec, now) || dead_on_this_host(lease, holder)
}

fn expired(spec: &LeaseSpec, now: Timestamp) -> bool {
    let Some(renewed) = spec.renew_time.as_ref().or(spec.acquire_time.as_ref()) else {
        return true;
    };
    let duration = i64::from(spec.lease_duration_seconds.unwrap_or(LEASE_SECONDS));
    (now - renewed.0).get_seconds() > duration
}

/// A holder on this very host whose process is gone (killed, crashed): no need to wait for
/// its lock to expire.
fn dead_on_this_host(lease: &Lease, holder: &Holder) -> bool {
    let annotations = lease.metadata.annotations.as_ref();
    let on_this_host = annotations.and_then(|a| a.get(HOST)) == Some(&holder.host);
    let pid = annotations.and_then(|a| a.get(PID)?.parse::<u32>().ok());
    on_this_host && pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists())
}

fn locked(cluster: &Cluster, name: &str, lease: &Lease, waited: Option<Duration>) -> Error {
    let spec = lease.spec.clone().unwrap_or_default();
    let annotations = lease.metadata.annotations.clone().unwrap_or_default();
    let since = spec.acquire_time.map_or_else(
        || "an unknown time".to_owned(),
        |t| t.0.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
    );
    Error::Locked {
        held: Box::new(crate::error::Held {
            name: format!("{} in namespace {}", cluster.name, cluster.namespace()),
            holder: spec.holder_identity.unwrap_or_default(),
            command: annotations
                .get(COMMAND)
                .map_or_else(|| "another command".to_owned(), |c| format!("casctl {c}")),
            since,
            lease: format!("{name} -n {}", cluster.namespace()),
        }),
        waited,
    }
}

/// Renews the lease until the lock is released, or until another command took it over (this
/// one could not renew it for a whole lease: the scale-down steps check the ring themselves).
async fn renew(api: Api<Lease>, name: String, identity: String) {
    loop {
        tokio::time::sleep(RENEW_EVERY).await;
        let Ok(Some(mut lease)) = api.get_opt(&name).await else {
            continue;
        };
        let spec = lease.spec.get_or_insert_with(Default::default);
        if spec.holder_identity.as_deref() != Some(identity.as_str()) {
            return;
        }
        spec.renew_time = Some(MicroTime(Timestamp::now()));
        // A failure (the API server restarting) is retried at the next period; the lease
        // lasts three periods.
        let _ = api.replace(&name, &PostParams::default(), &lease).await;
    }
}

impl Lock {
    /// Gives the lock back, unless someone else holds it by now.
    pub(crate) async fn release(self) {
        self.renewer.abort();
        let Ok(Some(lease)) = self.api.get_opt(&self.name).await else {
            return;
        };
        let ours = lease
            .spec
            .as_ref()
            .and_then(|s| s.holder_identity.as_deref())
            == Some(self.identity.as_str());
        if !ours {
            return;
        }
        let params = DeleteParams::default().preconditions(Preconditions {
            resource_version: lease.metadata.resource_version.clone(),
            uid: lease.metadata.uid.clone(),
        });
        match self.api.delete(&self.name, &params).await {
            Ok(_) => {}
            Err(err) if is_not_found(&err) => {}
            // Left to expire by itself.
            Err(_) => {}
        }
    }
}

/// This process's user ID, where the environment names no user (a cron job, a container).
#[cfg(unix)]
fn uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}
#[cfg(not(unix))]
fn uid() -> Option<u32> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(pid: u32) -> Holder {
        Holder {
            user: "ann".into(),
            host: "box".into(),
            pid,
            command: "scale 2".into(),
        }
    }

    fn held_by(other: &Holder, renewed: Timestamp) -> Lease {
        lease("cassandra-casctl", other, renewed, None)
    }

    #[test]
    fn a_fresh_lease_of_another_process_is_held() {
        let now = Timestamp::now();
        let other = Holder {
            host: "elsewhere".into(),
            ..holder(7)
        };
        assert!(!is_free(&held_by(&other, now), &holder(8), now));
    }

    #[test]
    fn a_lease_not_renewed_for_its_duration_is_free() {
        let now = Timestamp::now();
        let other = Holder {
            host: "elsewhere".into(),
            ..holder(7)
        };
        let old = now - std::time::Duration::from_secs(31);
        assert!(is_free(&held_by(&other, old), &holder(8), now));
        let recent = now - std::time::Duration::from_secs(29);
        assert!(!is_free(&held_by(&other, recent), &holder(8), now));
    }

    #[test]
    fn a_dead_holder_on_this_host_frees_the_lease_at_once() {
        let now = Timestamp::now();
        // No process has pid u32::MAX.
        let dead = held_by(&holder(u32::MAX), now);
        assert!(is_free(&dead, &holder(8), now));
        let alive = held_by(&holder(std::process::id()), now);
        assert!(!is_free(&alive, &holder(8), now));
    }

    #[test]
    fn a_released_lease_is_free_and_taking_it_over_counts_a_transition() {
        let now = Timestamp::now();
        let mut released = held_by(&holder(7), now);
        released.spec.as_mut().unwrap().holder_identity = None;
        assert!(is_free(&released, &holder(8), now));
        let taken = lease("cassandra-casctl", &holder(8), now, Some(&released));
        assert_eq!(taken.spec.unwrap().lease_transitions, Some(1));
    }
}
