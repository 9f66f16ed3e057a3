//! SIGINT (Ctrl-C) and SIGTERM, caught once for the whole command: every wait sees them and
//! stops at its next safe point; a second signal ends the process at once.

use tokio::sync::watch;

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
