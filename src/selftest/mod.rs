//! `vouch selftest`: the suite's strength, measured. The suite runs against the embedded
//! double once clean and once per fault of the catalogue, each run in its own double and
//! all runs at once, through the one runner (`runner::run`, snapshots off). A fault is
//! caught when some scenario fails on it; a benign fault (throttling) must be tolerated.
//! The result is plain data ([`SelftestReport`]): the kill matrix, the mutation score,
//! and which fault each runtime rule of contract.yaml catches.

pub mod report;

use std::sync::Arc;
use std::time::Instant;

use crate::checks::{SnapshotMode, Snapshots};
use crate::double::{DoubleConfig, Fault};
use crate::fixture::scenario::Scenario;
use crate::fixture::{LoadError, Suite};
use crate::outcome::{Outcome, RunRecord};
use crate::runner::{self, RunOptions};
use crate::target::{HttpConfig, Target, TargetError};

pub use report::{CleanRun, FaultResult, RuleCoverage, Score, SelftestReport, Verdict};

/// How many times more scenarios at once a run against a fault that makes clients wait
/// (throttling) gets.
const WAITING_JOBS_FACTOR: usize = 4;

/// How to run the selftest.
#[derive(Debug, Clone)]
pub struct SelftestOptions {
    /// Only scenarios whose name contains this text (a weaker suite, e.g. to see which
    /// faults it lets through).
    pub filter: Option<String>,
    /// Scenarios run at once within each run (all runs go at once).
    pub jobs: usize,
    /// The faults to inject, one run each.
    pub faults: Vec<Fault>,
    /// The seed of every double.
    pub seed: u64,
}

impl Default for SelftestOptions {
    fn default() -> Self {
        Self {
            filter: None,
            jobs: 4,
            faults: Fault::ALL.to_vec(),
            seed: 0,
        }
    }
}

/// Why the selftest could not run (a finding is never an error: it is the point).
#[derive(Debug, thiserror::Error)]
pub enum SelftestError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("no scenario matches --filter {filter:?}")]
    NoScenarios { filter: String },
    #[error("cannot start a double for the {run} run: {source}")]
    Target { run: String, source: TargetError },
    #[error("a selftest run stopped: {message}")]
    Task { message: String },
}

/// One run's double: `None` is the clean run.
async fn one_run(
    suite: Arc<Suite>,
    scenarios: Vec<Scenario>,
    fault: Option<Fault>,
    options: Arc<RunOptions>,
    seed: u64,
) -> Result<RunRecord, SelftestError> {
    let config = DoubleConfig {
        seed: Some(seed),
        faults: fault.into_iter().collect(),
        ..DoubleConfig::default()
    };
    let target = Target::double(&suite, config, HttpConfig::default())
        .await
        .map_err(|source| SelftestError::Target {
            run: run_name(fault),
            source,
        })?;
    let done: Arc<dyn Fn(&crate::outcome::ScenarioOutcome) + Send + Sync> = Arc::new(|_| {});
    Ok(runner::run(suite, scenarios, Arc::new(target), options, done).await)
}

fn run_name(fault: Option<Fault>) -> String {
    fault.map_or_else(|| "clean".to_owned(), |f| format!("{f} fault"))
}

/// Runs the suite clean and against every fault of `options.faults`, all at once.
pub async fn selftest(
    suite: Arc<Suite>,
    options: &SelftestOptions,
) -> Result<SelftestReport, SelftestError> {
    let started = Instant::now();
    let scenarios = runner::select(runner::scenarios(&suite)?, options.filter.as_deref());
    if scenarios.is_empty() {
        return Err(SelftestError::NoScenarios {
            filter: options.filter.clone().unwrap_or_default(),
        });
    }
    let mut run_options = RunOptions::new(Snapshots::new(
        runner::snapshot_dir(&suite),
        SnapshotMode::Off,
    ));
    run_options.jobs = options.jobs.max(1);
    // The verdicts need findings, not the exchanges of scenarios that passed.
    run_options.keep_passed_exchanges = false;
    run_options.filter.clone_from(&options.filter);
    let run_options = Arc::new(run_options);
    let count = scenarios.len();

    // Runs against a fault that makes clients wait mostly sleep: they get more scenarios
    // at once, so they do not outlast the others.
    let mut waiting_options = (*run_options).clone();
    waiting_options.jobs = run_options.jobs * WAITING_JOBS_FACTOR;
    let waiting_options = Arc::new(waiting_options);

    let mut runs = tokio::task::JoinSet::new();
    let faults = std::iter::once(None).chain(options.faults.iter().copied().map(Some));
    for (index, fault) in faults.enumerate() {
        let waits = fault.is_some_and(Fault::makes_clients_wait);
        let (suite, scenarios, run_options) = (
            Arc::clone(&suite),
            scenarios.clone(),
            Arc::clone(if waits {
                &waiting_options
            } else {
                &run_options
            }),
        );
        let seed = options.seed;
        runs.spawn(async move {
            let record = one_run(suite, scenarios, fault, run_options, seed).await;
            (index, fault, record)
        });
    }
    let mut clean = None;
    let mut results = Vec::new();
    while let Some(joined) = runs.join_next().await {
        let (index, fault, record) = joined.map_err(|e| SelftestError::Task {
            message: e.to_string(),
        })?;
        let record = record?;
        match fault {
            None => clean = Some(CleanRun::from_record(&record)),
            Some(fault) => results.push((index, FaultResult::from_record(fault, &record))),
        }
    }
    results.sort_by_key(|(index, _)| *index);
    let faults: Vec<FaultResult> = results.into_iter().map(|(_, r)| r).collect();
    let clean = clean.ok_or_else(|| SelftestError::Task {
        message: "the clean run returned no record".into(),
    })?;
    let coverage = RuleCoverage::of(&suite.contract, &faults);
    Ok(SelftestReport {
        suite: suite.dir.display().to_string(),
        scenarios: count,
        jobs: run_options.jobs,
        filter: options.filter.clone(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        clean,
        faults,
        coverage,
    })
}

/// Whether a scenario outcome counts as a failure of the suite.
pub(crate) fn failed(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Failed | Outcome::Error)
}
