//! Progress on a terminal: a bar (file input of known size) or a spinner (standard input),
//! with figures from `flexmap::figures`. Nothing is drawn when stderr is not a terminal.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub use flexmap::figures::group as figure;
use flexmap::figures::per_second;

/// A progress display for a run over records.
pub struct Progress {
    bar: ProgressBar,
    /// Bytes read so far (updated by the reading thread).
    read: Arc<AtomicU64>,
}

impl Progress {
    /// A bar of `size` bytes (a spinner without a size) fed by `read`; `None` when stderr is
    /// not a terminal.
    pub fn records(size: Option<u64>, read: Arc<AtomicU64>) -> Option<Progress> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let (bar, template) = match size {
            Some(size) => (
                ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr()),
                "{bar:20} {percent:>3}% {bytes}/{total_bytes} · {elapsed} elapsed, {eta} left · {msg}",
            ),
            None => (
                ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
                "{spinner} {bytes} read · {elapsed} elapsed · {msg}",
            ),
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Some(Progress { bar, read })
    }

    /// A spinner with a message, for work without a byte count (`audit`, `lint --sample`).
    pub fn spinner(message: &str) -> Option<ProgressBar> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} · {elapsed} elapsed") {
            bar.set_style(style);
        }
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(200));
        Some(bar)
    }

    /// Shows the figures so far.
    pub fn update(&self, records: u64, errors: u64, warnings: u64) {
        self.bar.set_message(format!(
            "{} records {} · {} error{} · {} warning{}",
            figure(records),
            per_second(records, self.bar.elapsed()),
            figure(errors),
            flexmap::diagnostic::plural(errors),
            figure(warnings),
            flexmap::diagnostic::plural(warnings),
        ));
        self.bar.set_position(self.read.load(Ordering::Relaxed));
    }

    /// Removes the display (the summary line follows).
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}
