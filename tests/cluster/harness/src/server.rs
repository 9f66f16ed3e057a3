//! The daemon's side of the nodetool front: one request per connection on a unix socket. A
//! real pod's call is answered with the nodetool JVM to run; a simulated one with its output,
//! computed from a fresh list of the ring's pods (so that what a caller has just seen through
//! the API is what nodetool sees too).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;
use kube::api::{Api, ListParams};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::daemon::{self, Daemon, lock, save_ring};
use crate::log;
use crate::pods::{PodView, annotation};
use crate::protocol::{Output, Request, Response, SOCKET};
use crate::sim::{self, Action};

/// Listens on `$CASCTL_CLUSTER_HOME/daemon.sock` (replacing a stale socket).
pub fn spawn(d: Arc<Daemon>) -> Result<()> {
    let path = d.settings.home.join(SOCKET);
    let _ = std::fs::remove_file(&path);
    let listener =
        UnixListener::bind(&path).with_context(|| format!("listening on {}", path.display()))?;
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(serve(d.clone(), stream));
                }
                Err(e) => log!("socket: {e}"),
            }
        }
    });
    Ok(())
}

async fn serve(d: Arc<Daemon>, stream: UnixStream) {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    if BufReader::new(read).read_line(&mut line).await.is_err() {
        return;
    }
    let response = match serde_json::from_str::<Request>(&line) {
        Ok(request) => answer(&d, &request).await,
        Err(e) => Response::Output(Output {
            stderr: format!("nodetool front: bad request: {e}\n"),
            code: 1,
            ..Output::default()
        }),
    };
    if let Ok(mut text) = serde_json::to_string(&response) {
        text.push('\n');
        let _ = write.write_all(text.as_bytes()).await;
    }
}

async fn answer(d: &Arc<Daemon>, request: &Request) -> Response {
    match answer_or_fail(d, request).await {
        Ok(response) => response,
        Err(e) => Response::Output(Output {
            stderr: format!("nodetool: Failed to connect to '127.0.0.1:7199' - {e:#}\n"),
            code: 1,
            ..Output::default()
        }),
    }
}

async fn answer_or_fail(d: &Arc<Daemon>, request: &Request) -> Result<Response> {
    let api: Api<Pod> = Api::namespaced(d.client.clone(), &request.namespace);
    let pods = api
        .list(&ListParams::default())
        .await
        .context("cannot read the pods")?;
    let me = pods
        .items
        .iter()
        .find(|p| p.name_any() == request.pod)
        .map(PodView::from_pod);
    let Some(me) = me else {
        return Ok(Response::Output(Output::connection_refused("127.0.0.1")));
    };
    if me.annotations.get(annotation::RING).map(String::as_str) == Some("real") {
        return Ok(match &me.ip {
            Some(ip) => d.nodetool.exec(ip, &request.args),
            None => Response::Output(Output::connection_refused("127.0.0.1")),
        });
    }
    let set: Vec<PodView> = pods
        .items
        .iter()
        .map(PodView::from_pod)
        .filter(|p| p.ring_name() == me.ring_name())
        .collect();
    Ok(Response::Output(
        simulate(d, &me, &set, &request.args).await,
    ))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// One nodetool call in a simulated pod.
async fn simulate(d: &Arc<Daemon>, me: &PodView, set: &[PodView], args: &[String]) -> Output {
    let key = (me.namespace.clone(), me.ring_name());
    let action = {
        for pod in set.iter().filter(|p| p.is_up()) {
            d.observe(pod);
        }
        let rings = lock(&d.rings);
        let empty = sim::Ring::default();
        let ring = rings.get(&key).unwrap_or(&empty);
        let call = sim::Call {
            ring,
            pods: set,
            me,
            enforce_replication: daemon::enforces_replication(d, &me.namespace),
            default_decommission_delay: d.settings.decommission_delay,
            now_ms: now_ms(),
        };
        sim::call(&call, args)
    };
    match action {
        Action::Reply(out) => out,
        Action::Later(delay, out) => {
            tokio::time::sleep(delay).await;
            out
        }
        Action::Decommission(delay) => {
            update(d, &key, |ring| {
                sim::start_leaving(ring, me, delay, now_ms(), daemon::new_host_id())
            });
            // As in Cassandra, the decommission goes on when the nodetool client goes away
            // (Ctrl-C, a broken exec stream): the task runs to its end on its own.
            let (d, me) = (Arc::clone(d), me.clone());
            let leaving = tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                update(&d, &key, |ring| sim::finish_leaving(ring, &me));
            });
            match leaving.await {
                Ok(()) => Output::ok(""),
                Err(err) => Output {
                    stderr: format!("error: decommission: {err}\n"),
                    code: 2,
                    ..Output::default()
                },
            }
        }
    }
}

fn update(d: &Daemon, key: &(String, String), change: impl FnOnce(&mut sim::Ring)) {
    let mut rings = lock(&d.rings);
    let ring = rings.entry(key.clone()).or_default();
    change(ring);
    save_ring(&d.settings.home, &key.0, &key.1, ring);
}
