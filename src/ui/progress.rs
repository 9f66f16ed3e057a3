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
                multi: MultiProgress::with_draw_target(ProgressDrawTarget::term_like_with_hz(
                    Box::new(Reflowing::new(console::Term::stderr())),
                    20,
                )),
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

    /// A pod's way to Ready: a live line while it is on its way; once Ready, a line of the
    /// log above the bars (so that the live area stays small and a resize leaves no debris).
    fn pod(&mut self, name: &str, stage: PodStage, detail: &str) {
        let line = fit(&format!("{}{}", stage_path(stage), suffix(detail)), 18);
        let elapsed = self.elapsed();
        match &mut self.mode {
            Mode::Bars {
                multi,
                pods,
                overall,
                ..
            } => {
                if stage == PodStage::Ready {
                    if let Some(bar) = pods.remove(name) {
                        bar.finish_and_clear();
                        multi.remove(&bar);
                    }
                    let _ = multi.println(to_width(&format!("✓ {name:<16} {line}")));
                    return;
                }
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
                bar.set_message(line);
            }
            Mode::Plain { .. } if !self.quiet => {
                say!("[{elapsed:>5}] {name:<16} {stage}{}", suffix(detail));
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
                    say!(
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
        let line = format!(
            "[{:>5}] {}",
            self.elapsed(),
            crate::fmt::as_invoked(message)
        );
        match &self.mode {
            Mode::Bars { multi, .. } => {
                let _ = multi.println(to_width(&line));
            }
            Mode::Plain { .. } => say!("{line}"),
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

/// The terminal, aware of resizes. indicatif draws each live line as a full-width row; when a
/// terminal narrows it reflows those rows (one becomes two), and moving up by the rows drawn
/// before would leave the rest as debris. So the first move up after a narrowing goes up by
/// the reflowed rows and clears everything below, then indicatif draws anew.
#[derive(Debug)]
struct Reflowing {
    term: console::Term,
    /// The width of the last draw.
    drawn: std::sync::atomic::AtomicU16,
}

impl Reflowing {
    fn new(term: console::Term) -> Self {
        let width = term.size().1;
        Reflowing {
            term,
            drawn: std::sync::atomic::AtomicU16::new(width),
        }
    }
}

impl indicatif::TermLike for Reflowing {
    fn width(&self) -> u16 {
        self.term.size().1
    }
    fn height(&self) -> u16 {
        self.term.size().0
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        use std::sync::atomic::Ordering;
        let now = self.width().max(1);
        let before = self.drawn.swap(now, Ordering::Relaxed);
        if before <= now {
            return self.term.move_cursor_up(n);
        }
        // `n` is the rows drawn less one; each was `before` wide and is now this many rows.
        let per_row = usize::from(before).div_ceil(usize::from(now));
        self.term.move_cursor_up((n + 1) * per_row - 1)?;
        self.term.write_str("\r\x1b[J")
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.term.write_line(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.term.write_str(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.term.clear_line()
    }
    fn flush(&self) -> std::io::Result<()> {
        self.term.flush()
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

/// The way so far when it fits the terminal beside `used` columns, else the stage reached alone
/// (`Ready   10.244.0.3`): a narrow terminal still shows what matters.
fn fit(line: &str, used: usize) -> String {
    let width = usize::from(console::Term::stderr().size().1).saturating_sub(used + 1);
    match line.chars().count() <= width {
        true => line.to_owned(),
        false => line.rsplit(" → ").next().unwrap_or(line).to_owned(),
    }
}

/// A line of the live area cut to the terminal's width (with `…`): a wrapped line would break
/// the redraw and leave its tail on a row of its own. Plain output stays whole.
fn to_width(line: &str) -> String {
    cut(line, usize::from(console::Term::stderr().size().1))
}

fn cut(line: &str, width: usize) -> String {
    console::truncate_str(line, width.max(1), "…").into_owned()
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
    fn lines_are_cut_to_the_width() {
        assert_eq!(
            cut("[  15s] waiting: cassandra-0: unschedulable", 20),
            "[  15s] waiting: ca…"
        );
        assert_eq!(cut("short", 20), "short");
        assert_eq!(cut("[  15s] waiting", 15).chars().count(), 15);
    }

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
