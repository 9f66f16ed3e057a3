//! The kube glue of the wait engine's driver ([`crate::wait::driver`]): the watch streams of
//! the API server and the observations the engine asks for (`nodetool` calls, the action run
//! alongside, a pod's last log), made by exec. The loop itself is in the core.

use std::time::{Duration, Instant};

use anyhow::Result;
use futures::stream::{self, BoxStream, SelectAll};
use futures::{FutureExt, StreamExt};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod};
use kube::Resource;
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::oneshot;

use super::{Cluster, Failure, exec, ring};
use crate::interrupt::Interrupt;
use crate::wait::driver::{Observations, Watched, drive};
use crate::wait::{ActionEnd, Effect, Input, Sink, Wait, Watches};

/// The command a wait runs alongside (e.g. `nodetool decommission` in the leaving pod).
#[derive(Debug, Clone)]
pub(crate) struct Action {
    pub(crate) pod: String,
    pub(crate) command: Vec<String>,
    /// How long the command may run.
    pub(crate) timeout: Duration,
}

/// Runs a wait to its verdict: `Ok` when its goal is reached, else the engine's error (timed
/// out, interrupted, changed under it, ghost nodes…) or a failure no retry cures (a missing
/// permission).
pub(crate) async fn run(
    cluster: &Cluster,
    wait: Wait,
    selectors: &[String],
    action: Option<Action>,
    interrupt: &mut Interrupt,
    sink: &mut dyn Sink,
) -> Result<()> {
    let watched = watch_all(cluster, &wait.watches(), selectors).map(|update| match update {
        Ok(input) => Ok(Watched::Input(input)),
        Err(err) => Ok(match unanswered(cluster, err)? {
            Some(why) => Watched::Unanswered(why),
            None => Watched::Recovering,
        }),
    });
    let perform = |effect| perform(cluster.clone(), effect, action.clone());
    drive(wait, watched, perform, interrupt, sink).await
}

/// A watch failed: fatal when no retry can cure it (a missing permission); else why the API
/// server does not answer (the watches retry with back-off), or nothing for an error the
/// watch recovers from by itself.
fn unanswered(cluster: &Cluster, err: watcher::Error) -> Result<Option<String>> {
    let source = match err {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => e,
        watcher::Error::WatchError(_) | watcher::Error::NoResourceVersion => return Ok(None),
    };
    if matches!(
        super::classify(&source),
        Failure::Forbidden | Failure::Unauthorized | Failure::CredentialPlugin
    ) {
        return Err(cluster.fail(source, "watch", "statefulsets, pods, claims and events"));
    }
    Ok(Some(super::describe(&source)))
}

type Updates = SelectAll<BoxStream<'static, Result<Input, watcher::Error>>>;

/// One stream of inputs from every watch the goal needs: the StatefulSets by name, then pods
/// and claims per label selector, then the namespace's events. Each watch re-lists with
/// back-off when its connection breaks.
fn watch_all(cluster: &Cluster, watches: &Watches, selectors: &[String]) -> Updates {
    let mut all: Updates = SelectAll::new();
    if let [only] = watches.statefulsets.as_slice() {
        let config = watcher::Config::default().fields(&format!("metadata.name={only}"));
        all.push(watch(cluster.api::<StatefulSet>(), config, |e| {
            Input::StatefulSet(Box::new(e))
        }));
    } else if !watches.statefulsets.is_empty() {
        all.push(watch(
            cluster.api::<StatefulSet>(),
            watcher::Config::default(),
            |e| Input::StatefulSet(Box::new(e)),
        ));
    }
    for (selector, labels) in selectors.iter().enumerate() {
        let config = watcher::Config::default().labels(labels);
        if watches.pods {
            let wrap = move |e| Input::Pod {
                selector,
                event: Box::new(e),
            };
            all.push(watch(cluster.api::<Pod>(), config.clone(), wrap));
        }
        if watches.claims {
            let wrap = move |e| Input::Claim {
                selector,
                event: Box::new(e),
            };
            all.push(watch(cluster.api::<PersistentVolumeClaim>(), config, wrap));
        }
    }
    if watches.events {
        all.push(watch(
            cluster.api::<Event>(),
            watcher::Config::default(),
            |e| Input::Event(Box::new(e)),
        ));
    }
    all
}

fn watch<K, F>(
    api: kube::Api<K>,
    config: watcher::Config,
    wrap: F,
) -> BoxStream<'static, Result<Input, watcher::Error>>
where
    K: Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
    F: Fn(watcher::Event<K>) -> Input + Send + 'static,
{
    watcher(api, config)
        .default_backoff()
        .map(move |r| r.map(&wrap))
        .boxed()
}

/// Makes one observation the engine asked for. `Err` only for failures that end the wait (a
/// missing permission); anything else is an answer the engine weighs.
fn perform(cluster: Cluster, effect: Effect, action: Option<Action>) -> Observations {
    if let Effect::RunAction = effect {
        return run_action_observed(cluster, action);
    }
    async move {
        match effect {
            Effect::AskRing { pod } => {
                let asked = Instant::now();
                let answer = ring::status(&cluster, &pod).await;
                let answer = answer_or_fatal(answer)?;
                Ok(Input::Ring {
                    pod,
                    answer,
                    took: asked.elapsed(),
                })
            }
            Effect::AskStreams { pod } => {
                let answer = answer_or_fatal(ring::streams(&cluster, &pod).await)?;
                Ok(Input::Streams { pod, answer })
            }
            // Reading logs is optional (a diagnosis): even a refusal is only an answer.
            Effect::FetchLog { pod } => {
                let answer = ring::previous_log(&cluster, &pod).await;
                Ok(Input::Log {
                    pod,
                    answer: answer.map_err(|e| one_line(&e)),
                })
            }
            Effect::RunAction => unreachable!("run above"),
        }
    }
    .into_stream()
    .boxed()
}

/// The action: that it started (once its exec connection is up), then how it ended.
fn run_action_observed(cluster: Cluster, action: Option<Action>) -> Observations {
    let Some(action) = action else {
        return stream::once(async {
            Err(anyhow::anyhow!(
                "the wait asked for an action it was not given"
            ))
        })
        .boxed();
    };
    let (started, on_start) = oneshot::channel();
    let ended = async move { Ok(Input::Action(run_action(&cluster, &action, started).await?)) };
    let started = on_start.map(|sent| sent.ok().map(|()| Ok(Input::ActionStarted)));
    stream::select(
        started.into_stream().filter_map(std::future::ready),
        ended.into_stream(),
    )
    .boxed()
}

/// An answer for the engine, or the error itself when it is a missing permission.
fn answer_or_fatal<T>(result: Result<T>) -> Result<Result<T, String>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(err) if is_fatal(&err) => Err(err),
        Err(err) => Ok(Err(one_line(&err))),
    }
}

async fn run_action(
    cluster: &Cluster,
    action: &Action,
    started: oneshot::Sender<()>,
) -> Result<ActionEnd> {
    let command: Vec<&str> = action.command.iter().map(String::as_str).collect();
    match exec::run_started(cluster, &action.pod, &command, action.timeout, started).await {
        Ok(out) => Ok(ActionEnd::Exited {
            code: out.exit_code,
            stdout: out.stdout,
            stderr: out.stderr,
        }),
        Err(err) if is_fatal(&err) => Err(err),
        Err(err) => Ok(ActionEnd::Lost(one_line(&err))),
    }
}

fn is_fatal(err: &anyhow::Error) -> bool {
    matches!(
        err.downcast_ref::<crate::error::Error>(),
        Some(
            crate::error::Error::Forbidden { .. }
                | crate::error::Error::Credentials { .. }
                | crate::error::Error::Config { .. }
        )
    )
}

/// An error and its causes on one line, for a progress note.
fn one_line(err: &anyhow::Error) -> String {
    let (message, causes) = crate::error::lines(err);
    std::iter::once(message)
        .chain(causes)
        .collect::<Vec<_>>()
        .join(": ")
}
