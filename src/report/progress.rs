//! The progress bar of a run, on standard error: drawn only when standard error is a
//! terminal, and only once the run has lasted a second (a quick run prints no bar at all).
//! It counts scenarios and failures; the results themselves are the reports' business, so
//! the bar is cleared when the run ends.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::outcome::Outcome;

/// How long a run goes before its bar appears.
pub const DELAY: Duration = Duration::from_secs(1);

/// How often a shown bar is redrawn while nothing finishes (its clock and spinner move).
const TICK: Duration = Duration::from_millis(120);

const TEMPLATE: &str = "{spinner} {elapsed:>4} [{wide_bar}] {pos}/{len} scenarios {msg}";

/// A run's progress bar. Share it by reference (it is `Sync`); end it with
/// [`Progress::finish`] (dropping it does the same).
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    failing: AtomicUsize,
    /// Wakes the thread that would show the bar after the delay, and waits for it.
    reveal: Option<(Sender<()>, JoinHandle<()>)>,
}

impl Progress {
    /// A bar for a run of `total` scenarios, on standard error when it is a terminal.
    pub fn new(total: usize) -> Self {
        if std::io::stderr().is_terminal() {
            Self::revealed_after(total, DELAY, ProgressDrawTarget::stderr)
        } else {
            Self::hidden(total)
        }
    }

    /// A bar that never draws.
    pub fn hidden(total: usize) -> Self {
        Self {
            bar: ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden()),
            failing: AtomicUsize::new(0),
            reveal: None,
        }
    }

    /// A bar that starts hidden and draws to `target()` once `delay` has passed, unless the
    /// run has finished by then.
    fn revealed_after(
        total: usize,
        delay: Duration,
        target: impl FnOnce() -> ProgressDrawTarget + Send + 'static,
    ) -> Self {
        let mut progress = Self::hidden(total);
        let style = ProgressStyle::with_template(TEMPLATE).map_or_else(
            |_| ProgressStyle::default_bar(),
            |s| s.progress_chars("=> "),
        );
        progress.bar.set_style(style);
        let (stop, stopped) = mpsc::channel::<()>();
        let bar = progress.bar.clone();
        let spawned = thread::Builder::new()
            .name("vouch-progress".into())
            .spawn(move || {
                if let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(delay) {
                    bar.set_draw_target(target());
                    bar.enable_steady_tick(TICK);
                }
            });
        // Without the thread there is simply no bar: a run never fails for its progress bar.
        progress.reveal = spawned.ok().map(|handle| (stop, handle));
        progress
    }

    /// Counts one more finished scenario.
    pub fn scenario_done(&self, name: &str, outcome: Outcome) {
        let failing = if matches!(outcome, Outcome::Failed | Outcome::Error) {
            self.failing.fetch_add(1, Ordering::Relaxed) + 1
        } else {
            self.failing.load(Ordering::Relaxed)
        };
        let message = if failing == 0 {
            format!("· {name}")
        } else {
            format!("· {failing} failing · {name}")
        };
        self.bar.set_message(message);
        self.bar.inc(1);
    }

    /// Ends the run's bar and clears it from the terminal.
    pub fn finish(self) {
        drop(self);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some((stop, handle)) = self.reveal.take() {
            drop(stop);
            let _ = handle.join();
        }
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use indicatif::TermLike;

    use super::*;

    /// A terminal that keeps what is written to it.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    impl Screen {
        fn text(&self) -> String {
            self.0.lock().map(|t| t.clone()).unwrap_or_default()
        }
        fn push(&self, text: &str) {
            if let Ok(mut screen) = self.0.lock() {
                screen.push_str(text);
            }
        }
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.push(s);
            self.push("\n");
            Ok(())
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            self.push(s);
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    fn on(screen: &Screen, delay: Duration) -> Progress {
        let screen = screen.clone();
        Progress::revealed_after(3, delay, move || {
            ProgressDrawTarget::term_like(Box::new(screen))
        })
    }

    #[test]
    fn a_run_that_ends_before_the_delay_draws_nothing() {
        // Arrange
        let screen = Screen::default();
        let progress = on(&screen, Duration::from_secs(30));

        // Act
        progress.scenario_done("create", Outcome::Passed);
        progress.finish();

        // Assert
        assert_eq!(screen.text(), "");
    }

    #[test]
    fn a_run_that_outlasts_the_delay_shows_counts_and_failures() {
        // Arrange
        let screen = Screen::default();
        let progress = on(&screen, Duration::ZERO);

        // Act
        progress.scenario_done("stale eTag is refused", Outcome::Failed);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !screen.text().contains("1 failing") && Instant::now() < deadline {
            progress.bar.tick();
            thread::sleep(Duration::from_millis(20));
        }

        // Assert
        let text = screen.text();
        assert!(text.contains("1/3 scenarios"), "{text:?}");
        assert!(
            text.contains("1 failing · stale eTag is refused"),
            "{text:?}"
        );
        progress.finish();
    }

    #[test]
    fn a_bar_can_be_shared_by_concurrent_scenarios() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Progress>();
    }

    #[test]
    fn a_hidden_bar_counts_without_drawing() {
        let progress = Progress::hidden(2);

        progress.scenario_done("a", Outcome::Error);

        assert_eq!(progress.bar.position(), 1);
        assert!(progress.bar.is_hidden());
        progress.finish();
    }
}
