//! Live progress on stderr: indicatif bars on a terminal, one plain line per change elsewhere.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Ui;
use crate::rollout::PodStage;

/// The rollout as the user watches it: a line per pod and an overall count.
pub struct RolloutView {
    mode: Mode,
    started: Instant,
    quiet: bool,
    /// The last stage shown per pod, so only changes are reported.
    shown: BTreeMap<String, PodStage>,
}

enum Mode {
    Bars {
        multi: MultiProgress,
        overall: ProgressBar,
        pods: BTreeMap<String, ProgressBar>,
    },
    Plain,
}

impl RolloutView {
    pub fn new(ui: &Ui, total: u32) -> Self {
        let mode = if ui.interactive() {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let overall = multi.add(ProgressBar::new(u64::from(total)));
            overall.set_style(
                ProgressStyle::with_template("{bar:30.green/dim} {pos}/{len} Ready   {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            overall.enable_steady_tick(Duration::from_millis(200));
            Mode::Bars {
                multi,
                overall,
                pods: BTreeMap::new(),
            }
        } else {
            Mode::Plain
        };
        RolloutView {
            mode,
            started: Instant::now(),
            quiet: ui.quiet(),
            shown: BTreeMap::new(),
        }
    }

    /// Shows a pod's stage; `detail` says more (the node, the age).
    pub fn pod(&mut self, name: &str, stage: PodStage, detail: &str) {
        let changed = self.shown.insert(name.to_owned(), stage) != Some(stage);
        let elapsed = self.elapsed();
        match &mut self.mode {
            Mode::Bars {
                multi,
                overall,
                pods,
            } => {
                let bar = pods.entry(name.to_owned()).or_insert_with(|| {
                    let bar = multi.insert_before(overall, ProgressBar::new_spinner());
                    bar.set_style(
                        ProgressStyle::with_template("{spinner:.cyan} {prefix:<16} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    bar.set_prefix(name.to_owned());
                    bar.enable_steady_tick(Duration::from_millis(120));
                    bar
                });
                bar.set_message(format!("{}{}", stage_path(stage), suffix(detail)));
                if matches!(stage, PodStage::Ready) && changed {
                    bar.finish_with_message(format!("{}{}", stage_path(stage), suffix(detail)));
                }
            }
            Mode::Plain if changed && !self.quiet => {
                eprintln!("[{elapsed:>5}] {name:<16} {stage}{}", suffix(detail));
            }
            Mode::Plain => {}
        }
    }

    /// Shows how many pods are Ready and what is still awaited.
    pub fn overall(&mut self, ready: u32, total: u32, waiting_for: &str) {
        if let Mode::Bars { overall, .. } = &self.mode {
            overall.set_length(u64::from(total));
            overall.set_position(u64::from(ready));
            overall.set_message(waiting_for.to_owned());
        }
    }

    /// A line above the bars (or a plain line): a diagnosis, a ring check.
    pub fn note(&self, message: &str) {
        if self.quiet {
            return;
        }
        let line = format!("[{:>5}] {message}", self.elapsed());
        match &self.mode {
            Mode::Bars { multi, .. } => {
                let _ = multi.println(line);
            }
            Mode::Plain => eprintln!("{line}"),
        }
    }

    /// Stops the bars: each pod's line stays as it ended, the overall bar goes (the command
    /// prints the summary).
    pub fn finish(&self) {
        if let Mode::Bars { overall, pods, .. } = &self.mode {
            overall.finish_and_clear();
            for bar in pods.values().filter(|b| !b.is_finished()) {
                bar.abandon();
            }
        }
    }

    fn elapsed(&self) -> String {
        format!("{}s", self.started.elapsed().as_secs())
    }
}

impl Drop for RolloutView {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `Pending → scheduled → Running → Ready`, up to the stage reached.
fn stage_path(stage: PodStage) -> String {
    let path = [
        PodStage::Pending,
        PodStage::Scheduled,
        PodStage::Running,
        PodStage::Ready,
    ];
    match stage {
        PodStage::Missing | PodStage::Terminating => stage.to_string(),
        _ => path
            .iter()
            .take_while(|s| **s <= stage)
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(" → "),
    }
}

fn suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!("   {detail}")
    }
}

/// A spinner with elapsed time for one long step (a decommission), or plain start/end lines.
pub struct Step {
    bar: Option<ProgressBar>,
    started: Instant,
}

impl Step {
    pub fn start(ui: &Ui, message: &str) -> Self {
        let bar = ui.interactive().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner:.cyan} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(message.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        if bar.is_none() {
            ui.info(format!("{message}…"));
        }
        Step {
            bar,
            started: Instant::now(),
        }
    }

    pub fn set_message(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.to_owned());
        }
    }

    /// Ends the step; returns how long it took.
    pub fn finish(self) -> Duration {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.started.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_paths_show_the_way_so_far() {
        assert_eq!(stage_path(PodStage::Pending), "Pending");
        assert_eq!(
            stage_path(PodStage::Running),
            "Pending → scheduled → Running"
        );
        assert_eq!(stage_path(PodStage::Terminating), "Terminating");
    }
}
