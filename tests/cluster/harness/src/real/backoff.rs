//! The kubelet's container restart back-off: a container that exits is restarted at once the
//! first time, then after 10 s, 20 s, 40 s … up to 5 min; an exit long after the previous one
//! (twice the maximum) starts over.

use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct BackOff {
    initial: Duration,
    max: Duration,
    /// The back-off that the next exit waits, and when the previous exit happened.
    entry: Option<(Duration, Instant)>,
}

impl BackOff {
    pub fn new(initial: Duration, max: Duration) -> Self {
        BackOff {
            initial,
            max,
            entry: None,
        }
    }

    /// How long to wait before restarting a container that exited at `exited`.
    pub fn delay_after_exit(&mut self, exited: Instant) -> Duration {
        let current = self
            .entry
            .filter(|(_, last)| exited.saturating_duration_since(*last) <= self.max * 2)
            .map(|(backoff, _)| backoff);
        let next = current.map_or(self.initial, |b| (b * 2).min(self.max));
        self.entry = Some((next, exited));
        current.unwrap_or(Duration::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_at_once_then_doubles_up_to_the_maximum() {
        let mut b = BackOff::new(Duration::from_secs(10), Duration::from_secs(300));
        let t = Instant::now();
        let delays: Vec<u64> = (0..8)
            .map(|i| b.delay_after_exit(t + Duration::from_secs(i)).as_secs())
            .collect();
        assert_eq!(delays, [0, 10, 20, 40, 80, 160, 300, 300]);
    }

    #[test]
    fn a_container_that_ran_long_starts_over() {
        let mut b = BackOff::new(Duration::from_secs(10), Duration::from_secs(300));
        let t = Instant::now();
        assert_eq!(b.delay_after_exit(t), Duration::ZERO);
        assert_eq!(b.delay_after_exit(t + Duration::from_secs(5)).as_secs(), 10);
        assert_eq!(
            b.delay_after_exit(t + Duration::from_secs(5 + 601)),
            Duration::ZERO
        );
    }
}
