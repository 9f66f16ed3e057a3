//! SIGINT (Ctrl-C) and SIGTERM, caught once for the whole command: every wait sees them and
//! stops at its next safe point; a second signal ends the process at once.

use std::future::Future;

use tokio::sync::watch;

use crate::error::Error;

/// A handle on the signals received so far.
#[derive(Clone)]
pub(crate) struct Interrupt {
    received: watch::Receiver<u32>,
}

impl Interrupt {
    /// Starts catching SIGINT and SIGTERM. `on_second` runs before a second signal ends the
    /// process (exit 130) without waiting for a safe point.
    pub(crate) fn install(on_second: fn()) -> Self {
        let (count, received) = watch::channel(0u32);
        tokio::spawn(async move {
            let mut terminate = terminate_signal();
            loop {
                tokio::select! {
                    caught = tokio::signal::ctrl_c() => if caught.is_err() { return },
                    () = next(&mut terminate) => {}
                }
                let seen = *count.borrow() + 1;
                if seen >= 2 {
                    on_second();
                    std::process::exit(130);
                }
                let _ = count.send(seen);
            }
        });
        Interrupt { received }
    }

    /// Whether a signal has arrived.
    pub(crate) fn is_set(&self) -> bool {
        *self.received.borrow() > 0
    }

    /// Resolves once a signal has arrived (at once if one already has).
    pub(crate) async fn signalled(&mut self) {
        loop {
            if self.is_set() {
                return;
            }
            if self.received.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Runs `work` unless a signal comes first: then it is dropped at once and the command
    /// ends with `stopped` (exit 130). For the steps outside a wait that can take long (a
    /// `nodetool` call answers within a minute) and that are safe to cut.
    pub(crate) async fn unless<T>(
        &self,
        work: impl Future<Output = anyhow::Result<T>>,
        stopped: impl FnOnce() -> Error,
    ) -> anyhow::Result<T> {
        let mut signals = self.clone();
        tokio::select! {
            biased;
            () = signals.signalled() => Err(stopped().into()),
            result = work => result,
        }
    }

    /// A handle that no signal reaches, and what stands for the signals: each `send` of a
    /// count greater than the last is one more.
    #[cfg(test)]
    pub(crate) fn manual() -> (watch::Sender<u32>, Self) {
        let (count, received) = watch::channel(0u32);
        (count, Interrupt { received })
    }
}

#[cfg(unix)]
type Terminate = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Terminate = Option<()>;

#[cfg(unix)]
fn terminate_signal() -> Terminate {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok()
}
#[cfg(not(unix))]
fn terminate_signal() -> Terminate {
    None
}

/// The next SIGTERM; never, where it cannot be caught.
async fn next(terminate: &mut Terminate) {
    #[cfg(unix)]
    if let Some(signal) = terminate
        && signal.recv().await.is_some()
    {
        return;
    }
    let _ = terminate;
    std::future::pending::<()>().await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn stopped() -> Error {
        Error::Interrupted {
            done: "nothing".into(),
            resume: "again".into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_signal_cuts_the_work_short_at_once() {
        let (signals, interrupt) = Interrupt::manual();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let _ = signals.send(1);
        });
        let start = tokio::time::Instant::now();
        let slow = async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        };
        let err = interrupt.unless(slow, stopped).await.unwrap_err();
        assert!(matches!(
            err.downcast_ref::<Error>(),
            Some(Error::Interrupted { .. })
        ));
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_signal_the_work_ends_as_it_does() {
        let (_signals, interrupt) = Interrupt::manual();
        let work = async { anyhow::Ok(7) };
        assert_eq!(interrupt.unless(work, stopped).await.unwrap(), 7);
        let (signals, interrupt) = Interrupt::manual();
        signals.send(1).unwrap();
        let work = async { anyhow::Ok(7) };
        assert!(
            interrupt.unless(work, stopped).await.is_err(),
            "a signal came first"
        );
    }
}
