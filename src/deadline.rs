//! The run's deadline (`--deadline SECS`): one limit on the wall time of a whole run,
//! whatever the target does (answers once and hangs, or asks for Retry-After on every
//! answer). A scenario still running when it passes ends as an error with that reason;
//! the scenarios not yet started are reported as not run, with the reason, as errors (a
//! run cut short is not conformant). The run record, and so every report, is still made.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::fixture::scenario::Scenario;
use crate::outcome::{Outcome, ScenarioOutcome};

/// When the run must end.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    at: Instant,
    limit: Duration,
}

impl Deadline {
    /// A deadline `limit` from now.
    pub(crate) fn after(limit: Duration) -> Self {
        Self {
            at: Instant::now() + limit,
            limit,
        }
    }

    /// The time left until the deadline (zero once it has passed).
    pub(crate) fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    fn seconds(&self) -> String {
        let seconds = self.limit.as_secs_f64();
        if seconds.fract() == 0.0 {
            format!("{seconds:.0} s")
        } else {
            format!("{seconds:.1} s")
        }
    }

    /// Runs `scenario` as `run` does, unless the deadline has passed before it starts or
    /// passes while it runs.
    pub(crate) async fn run(
        &self,
        scenario: &Scenario,
        run: impl Future<Output = ScenarioOutcome>,
    ) -> ScenarioOutcome {
        if Instant::now() >= self.at {
            return not_run(
                scenario,
                format!(
                    "not run: the run's deadline (--deadline {}) passed before it started",
                    self.seconds()
                ),
                Duration::ZERO,
            );
        }
        let started = Instant::now();
        match tokio::time::timeout_at(self.at, run).await {
            Ok(outcome) => outcome,
            Err(_) => not_run(
                scenario,
                format!(
                    "stopped: the run's deadline (--deadline {}) passed while it ran",
                    self.seconds()
                ),
                started.elapsed(),
            ),
        }
    }
}

/// The outcome of a scenario the deadline stopped or kept from starting.
fn not_run(scenario: &Scenario, reason: String, took: Duration) -> ScenarioOutcome {
    ScenarioOutcome {
        name: scenario.name.clone(),
        file: scenario.file.display().to_string(),
        derived: scenario.derived,
        doc: scenario.doc.clone(),
        tags: scenario.tags.clone(),
        outcome: Outcome::Error,
        reason: Some(reason),
        duration_ms: took.as_secs_f64() * 1000.0,
        steps: Vec::new(),
    }
}
