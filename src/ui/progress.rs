//! Live progress on stderr: indicatif bars on a terminal, one plain line per change elsewhere.
//! It renders what the wait engine reports ([`Progress`]); it decides nothing.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Ui;
use crate::fmt::seconds;
use crate::rollout::PodStage;
use crate::wait::{Progress, Sink};

/// A wait as the user watches it: a line per pod, an overall count, streaming progress,
/// notes.
pub(crate) struct View {
    mode: Mode,
    started: Instant,
    quiet: bool,
    verbose: u8,
}

enum Mode {
    Bars {
        multi: MultiProgress,
        overall: Option<ProgressBar>,
        streaming: Option<ProgressBar>,
        pods: BTreeMap<String, ProgressBar>,
    },
    Plain {
        /// The last streaming figure shown, so that plain lines come at most every 10 %.
        streamed: Option<u64>,
    },
}

impl View {
    pub(crate) fn new(ui: &Ui) -> Self {
        let mode = if ui.interactive() {
            Mode::Bars {
                multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
                overall: None,
                streaming: None,
                pods: BTreeMap::new(),
            }
        } else {
            Mode::Plain { streamed: None }
        };
        View {
            mode,
            started: Instant::now(),
            quiet: ui.quiet(),
            verbose: ui.verbose(),
        }
    }

    fn pod(&mut self, name: &str, stage: PodStage, detail: &str) {
        let line = format!("{}{}", stage_path(stage), suffix(detail));
        let elapsed = self.elapsed();
        match &mut self.mode {
            Mode::Bars {
                multi,
                pods,
                overall,
                ..
            } => {
                let bar = pods.entry(name.to_owned()).or_insert_with(|| {
                    let bar = match overall {
                        Some(overall) => multi.insert_before(overall, ProgressBar::new_spinner()),
                        None => multi.add(ProgressBar::new_spinner()),
                    };
                    bar.set_style(style("{spinner:.cyan} {prefix:<16} {wide_msg}"));
                    bar.set_prefix(name.to_owned());
                    bar.enable_steady_tick(Duration::from_millis(120));
                    bar
                });
                if stage == PodStage::Ready {
                    bar.finish_with_message(line);
                } else {
                    bar.set_message(line);
                }
            }
            Mode::Plain { .. } if !self.quiet => {
                eprintln!("[{elapsed:>5}] {name:<16} {stage}{}", suffix(detail));
            }
            Mode::Plain { .. } => {}
        }
    }

    fn overall(&mut self, ready: u32, total: u32, waiting_for: &str) {
        if let Mode::Bars { multi, overall, .. } = &mut self.mode {
            let bar = overall.get_or_insert_with(|| {
                let bar = multi.add(ProgressBar::new(u64::from(total)));
                bar.set_style(style("{bar:30.green/dim} {pos}/{len} Ready   {wide_msg}"));
                bar.enable_steady_tick(Duration::from_millis(200));
                bar
            });
            bar.set_length(u64::from(total));
            bar.set_position(u64::from(ready));
            bar.set_message(waiting_for.to_owned());
        }
    }

    fn streaming(&mut self, pod: &str, done: u64, total: u64) {
        let elapsed = self.elapsed();
        match &mut self.mode {
            Mode::Bars {
                multi, streaming, ..
            } => {
                let bar = streaming.get_or_insert_with(|| {
                    let bar = multi.add(ProgressBar::new(total));
                    bar.set_style(style(
                        "{bar:30.cyan/dim} {bytes}/{total_bytes} streamed   {wide_msg}",
                    ));
                    bar
                });
                bar.set_length(total);
                bar.set_position(done);
                bar.set_message(pod.to_owned());
            }
            Mode::Plain { streamed } if !self.quiet => {
                let step = (total / 10).max(1);
                if streamed.is_none_or(|last| done >= last + step || done == total) {
                    *streamed = Some(done);
                    eprintln!(
                        "[{elapsed:>5}] {pod:<16} streamed {} of {} bytes ({}%)",
                        done,
                        total,
                        done * 100 / total.max(1)
                    );
                }
            }
            Mode::Plain { .. } => {}
        }
    }

    /// A line above the bars (or a plain line): a diagnosis, a ring answer.
    fn note(&self, message: &str) {
        if self.quiet {
            return;
        }
        let line = format!("[{:>5}] {message}", self.elapsed());
        match &self.mode {
            Mode::Bars { multi, .. } => {
                let _ = multi.println(line);
            }
            Mode::Plain { .. } => eprintln!("{line}"),
        }
    }

    fn elapsed(&self) -> String {
        seconds(self.started.elapsed())
    }
}

impl Sink for View {
    fn show(&mut self, progress: Progress) {
        match progress {
            Progress::Pod {
                name,
                stage,
                detail,
            } => self.pod(&name, stage, &detail),
            Progress::Overall {
                ready,
                total,
                waiting_for,
            } => self.overall(ready, total, &waiting_for),
            Progress::Streaming { pod, done, total } => self.streaming(&pod, done, total),
            Progress::Note(note) => self.note(&note),
            Progress::Detail(detail) if self.verbose > 0 => self.note(&detail),
            Progress::Detail(_) => {}
        }
    }

    /// Each pod's line stays as it ended; the overall and streaming bars go (the command
    /// prints the summary).
    fn finish(&mut self) {
        if let Mode::Bars {
            overall,
            streaming,
            pods,
            ..
        } = &mut self.mode
        {
            for bar in overall.take().into_iter().chain(streaming.take()) {
                bar.finish_and_clear();
            }
            for bar in pods.values().filter(|b| !b.is_finished()) {
                bar.abandon();
            }
        }
    }
}

impl Drop for View {
    fn drop(&mut self) {
        self.finish();
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
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
