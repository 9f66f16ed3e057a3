//! The loop that runs a wait to its verdict: one `select!` over the watch inputs, the
//! observations in flight (each a stream whose items are one more input), the next instant the
//! verdict may change at, and the signals. It is generic over where its inputs come from:
//! `k8s::wait` gives it the API's watches and execs, the tests scripted streams; its clock is
//! tokio's, so that the tests run it on a paused, virtual one.

use std::time::Instant;

use anyhow::Result;
use futures::stream::{BoxStream, SelectAll};
use futures::{Stream, StreamExt};

use super::{Effect, Input, Sink, Verdict, Wait};
use crate::interrupt::Interrupt;

/// One item of the watch inputs.
#[derive(Debug)]
pub(crate) enum Watched {
    /// An object event: word from the API server too.
    Input(Input),
    /// A watch could not reach the API server and retries with back-off: why.
    Unanswered(String),
    /// A watch error the watch recovers from by itself.
    Recovering,
}

/// The watch inputs ended, which the watches (they retry for ever) never do by themselves.
#[derive(Debug, thiserror::Error)]
#[error("the watches of the API server ended")]
pub(crate) struct WatchesEnded;

/// Makes the observation an effect asks for: a stream of the inputs it brings (the action says
/// when it started, then how it ended). An `Err` item ends the wait (a missing permission).
pub(crate) type Observations = BoxStream<'static, Result<Input>>;

/// Runs `wait` to its verdict: `Ok` when its goal is reached, else the engine's error, a fatal
/// watch error or observation, or [`WatchesEnded`].
pub(crate) async fn drive<W, P>(
    mut wait: Wait,
    mut watched: W,
    mut perform: P,
    interrupt: &mut Interrupt,
    sink: &mut dyn Sink,
) -> Result<()>
where
    W: Stream<Item = Result<Watched>> + Unpin,
    P: FnMut(Effect) -> Observations,
{
    let mut asked: SelectAll<Observations> = SelectAll::new();
    // A signal is told to the engine once: a goal that outlives it (a restart ends its step)
    // must not find the signal ready at every turn of the loop, which would never yield. One
    // that came before the wait began is told before anything is asked.
    let mut told = interrupt.is_set();
    if told {
        wait.observe(Input::Interrupt, now());
    }
    loop {
        let now = now();
        for effect in wait.effects(now) {
            asked.push(perform(effect));
        }
        let verdict = wait.verdict(now);
        show(&mut wait, sink);
        match verdict {
            Verdict::Done => {
                sink.finish();
                return Ok(());
            }
            Verdict::Failed(error) => {
                sink.finish();
                return Err(error.into());
            }
            Verdict::Waiting | Verdict::Stalled => {}
        }
        let wake = tokio::time::Instant::from_std(wait.next_wakeup(now));
        tokio::select! {
            () = interrupt.signalled(), if !told => {
                told = true;
                wait.observe(Input::Interrupt, self::now());
            }
            update = watched.next() => match update {
                Some(Ok(Watched::Input(input))) => {
                    wait.observe(Input::Answered, self::now());
                    wait.observe(input, self::now());
                }
                Some(Ok(Watched::Unanswered(why))) => {
                    wait.observe(Input::Unanswered(why), self::now());
                }
                Some(Ok(Watched::Recovering)) => {}
                Some(Err(fatal)) => {
                    sink.finish();
                    return Err(fatal);
                }
                None => {
                    sink.finish();
                    return Err(WatchesEnded.into());
                }
            },
            Some(answer) = asked.next(), if !asked.is_empty() => match answer {
                Ok(input) => wait.observe(input, self::now()),
                Err(fatal) => {
                    sink.finish();
                    return Err(fatal);
                }
            },
            () = tokio::time::sleep_until(wake) => {}
        }
    }
}

/// The loop's clock: tokio's, which tests pause and advance.
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

fn show(wait: &mut Wait, sink: &mut dyn Sink) {
    for progress in wait.take_progress() {
        sink.show(progress);
    }
}

#[cfg(test)]
mod tests;
