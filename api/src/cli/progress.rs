//! Progress of a long admin command: a bar with rate and ETA on a
//! terminal, a log line every few seconds otherwise (CI, systemd), and
//! Ctrl-C turned into a request to stop between two items.

use std::io::IsTerminal as _;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::app::progress::WorkProgress;

/// Without a terminal, how often a line says how far the job got.
const LOG_EVERY: Duration = Duration::from_secs(5);

pub struct Progress {
    /// The command, first word of each log line.
    job: &'static str,
    /// What is counted: `rows`, `suppliers`.
    unit: &'static str,
    display: Display,
    stop: Arc<AtomicBool>,
}

enum Display {
    Bar(ProgressBar),
    Lines(Mutex<Lines>),
}

struct Lines {
    total: u64,
    done: u64,
    started: Instant,
    last: Instant,
}

impl Progress {
    /// Starts listening for Ctrl-C: the first asks the job to stop after
    /// the current item, a second ends the process at once.
    pub fn new(job: &'static str, unit: &'static str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                flag.store(true, Ordering::Release);
                eprintln!(
                    "{job}: interrupted, stopping after the current item (Ctrl-C again to abort)"
                );
            }
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        });
        let display = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg} ({per_sec}, ETA {eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_prefix(job);
            bar.set_message(unit);
            Display::Bar(bar)
        } else {
            let now = Instant::now();
            Display::Lines(Mutex::new(Lines {
                total: 0,
                done: 0,
                started: now,
                last: now,
            }))
        };
        Self {
            job,
            unit,
            display,
            stop,
        }
    }

    /// Clears the bar (or writes the last line) before the final report.
    pub fn finish(&self) {
        match &self.display {
            Display::Bar(bar) => bar.finish_and_clear(),
            Display::Lines(lines) => {
                let lines = lines.lock().unwrap_or_else(|p| p.into_inner());
                if lines.done > 0 {
                    eprintln!("{}", self.line(&lines));
                }
            }
        }
    }

    fn line(&self, lines: &Lines) -> String {
        let elapsed = lines.started.elapsed().as_secs_f64();
        let rate = if elapsed > 0.0 {
            lines.done as f64 / elapsed
        } else {
            0.0
        };
        let left = lines.total.saturating_sub(lines.done);
        let eta = if rate > 0.0 && left > 0 {
            format!(", about {} s left", (left as f64 / rate).ceil())
        } else {
            String::new()
        };
        format!(
            "{}: {}/{} {} ({rate:.0}/s{eta})",
            self.job, lines.done, lines.total, self.unit
        )
    }
}

impl WorkProgress for Progress {
    fn start(&self, total: u64) {
        match &self.display {
            Display::Bar(bar) => {
                bar.set_length(total);
                bar.reset_eta();
            }
            Display::Lines(lines) => {
                let mut lines = lines.lock().unwrap_or_else(|p| p.into_inner());
                lines.total = total;
                lines.started = Instant::now();
                lines.last = lines.started;
            }
        }
    }

    fn advance(&self, done: u64) {
        match &self.display {
            Display::Bar(bar) => bar.inc(done),
            Display::Lines(lines) => {
                let mut lines = lines.lock().unwrap_or_else(|p| p.into_inner());
                lines.done += done;
                if lines.last.elapsed() >= LOG_EVERY {
                    lines.last = Instant::now();
                    eprintln!("{}", self.line(&lines));
                }
            }
        }
    }

    fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }
}

/// The error of a job stopped by Ctrl-C: its report was printed; the
/// process exits with 130, as a shell does for SIGINT.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Interrupted(pub String);
