//! `vouch selftest`: the suite's strength and specificity, measured. The suite runs
//! against the embedded double once clean, once per fault of the catalogue and once per
//! conformant variant, each run in its own double, a few runs at once (those that mostly
//! wait beside them), through the one runner (`runner::run`, snapshots off). A fault is
//! caught when some scenario fails on it; a benign fault (throttling) must be tolerated;
//! a variant must pass. The result is plain data ([`SelftestReport`]): the kill matrix,
//! the mutation score, which fault each runtime rule of contract.yaml catches, and the
//! specificity matrix and score.

pub mod report;
pub mod specificity;

use std::sync::Arc;
use std::time::Instant;

use crate::checks::{SnapshotMode, Snapshots};
use crate::double::{DoubleConfig, Fault, Variant};
use crate::endpoint::{HttpConfig, Target, TargetError};
use crate::fixture::scenario::Scenario;
use crate::fixture::{LoadError, Suite};
use crate::outcome::{Outcome, RunRecord};
use crate::runner::{self, RunOptions};

pub use report::{CleanRun, FaultResult, RuleCoverage, Score, SelftestReport, Skipped, Verdict};
pub use specificity::{Specificity, VariantResult, VariantVerdict};

/// How many times more scenarios at once a run against a fault or variant that makes
/// clients wait (throttling, slow answers) gets.
const WAITING_JOBS_FACTOR: usize = 4;

/// Runs at once by default.
pub const DEFAULT_RUNS_AT_ONCE: usize = 8;

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
    /// The conformant variants to run, one run each (each must pass).
    pub variants: Vec<Variant>,
    /// The seed of every double.
    pub seed: u64,
    /// Runs at once.
    pub runs_at_once: usize,
}

impl Default for SelftestOptions {
    fn default() -> Self {
        Self {
            filter: None,
            jobs: 4,
            faults: Fault::ALL.to_vec(),
            variants: Variant::ALL.to_vec(),
            seed: 0,
            runs_at_once: DEFAULT_RUNS_AT_ONCE,
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

/// What one run's double is: faithful, with a fault, or a conformant variant.
#[derive(Debug, Clone, Copy)]
enum Run {
    Clean,
    Fault(Fault),
    Variant(Variant),
}

impl Run {
    fn name(self) -> String {
        match self {
            Run::Clean => "clean".to_owned(),
            Run::Fault(fault) => format!("{fault} fault"),
            Run::Variant(variant) => format!("{variant} variant"),
        }
    }

    fn makes_clients_wait(self) -> bool {
        match self {
            Run::Clean => false,
            Run::Fault(fault) => fault.makes_clients_wait(),
            Run::Variant(variant) => variant.makes_clients_wait(),
        }
    }
}

/// One run against its own double.
async fn one_run(
    suite: Arc<Suite>,
    scenarios: Vec<Scenario>,
    run: Run,
    options: Arc<RunOptions>,
    seed: u64,
) -> Result<RunRecord, SelftestError> {
    let config = DoubleConfig {
        seed: Some(seed),
        ..DoubleConfig::default()
    };
    let config = match run {
        Run::Clean => config,
        Run::Fault(fault) => config.with_fault(fault),
        Run::Variant(variant) => config.with_variant(variant),
    };
    let target = Target::double(&suite, config, HttpConfig::default())
        .await
        .map_err(|source| SelftestError::Target {
            run: run.name(),
            source,
        })?;
    let done: Arc<dyn Fn(&crate::outcome::ScenarioOutcome) + Send + Sync> = Arc::new(|_| {});
    Ok(runner::run(suite, scenarios, Arc::new(target), options, done).await)
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

    // Only what applies to this contract runs; the rest is said, with why.
    let contract = &suite.contract;
    let mut skipped = Vec::new();
    let faults: Vec<Fault> = options
        .faults
        .iter()
        .copied()
        .filter(|fault| match fault.inapplicable(contract) {
            Some(need) => {
                skipped.push(Skipped {
                    what: "fault",
                    name: fault.name().to_owned(),
                    reason: need.to_string(),
                });
                false
            }
            None => true,
        })
        .collect();
    let variants: Vec<Variant> = options
        .variants
        .iter()
        .copied()
        .filter(|variant| match variant.inapplicable(contract) {
            Some(need) => {
                skipped.push(Skipped {
                    what: "variant",
                    name: variant.name().to_owned(),
                    reason: need.to_string(),
                });
                false
            }
            None => true,
        })
        .collect();
    let mut runs = tokio::task::JoinSet::new();
    let mut all: Vec<(usize, Run)> = std::iter::once(Run::Clean)
        .chain(faults.iter().copied().map(Run::Fault))
        .chain(variants.iter().copied().map(Run::Variant))
        .enumerate()
        .collect();
    // Runs take turns, a few at once, so that the machine's cores do not push responses
    // past the latency budget; the ones that mostly sleep go first (the slowest set the
    // wall time).
    all.sort_by_key(|(_, run)| !run.makes_clients_wait());
    let turns = Arc::new(tokio::sync::Semaphore::new(options.runs_at_once.max(1)));
    for (index, run) in all {
        let waits = run.makes_clients_wait();
        let (suite, scenarios, run_options, turns) = (
            Arc::clone(&suite),
            scenarios.clone(),
            Arc::clone(if waits {
                &waiting_options
            } else {
                &run_options
            }),
            Arc::clone(&turns),
        );
        let seed = options.seed;
        runs.spawn(async move {
            let _turn = turns.acquire_owned().await.ok();
            let record = one_run(suite, scenarios, run, run_options, seed).await;
            (index, run, record)
        });
    }
    let mut records = Vec::new();
    while let Some(joined) = runs.join_next().await {
        let (index, run, record) = joined.map_err(|e| SelftestError::Task {
            message: e.to_string(),
        })?;
        records.push((index, run, record?));
    }
    // A run that would raise a false alarm on slow responses alone is run again, alone:
    // the runs share the machine's cores, and a loaded machine is no fault of a server.
    let mut rerun = Vec::new();
    for (_, run, record) in &mut records {
        if misfired_on_latency_alone(*run, record) {
            let again = if run.makes_clients_wait() {
                &waiting_options
            } else {
                &run_options
            };
            *record = one_run(
                Arc::clone(&suite),
                scenarios.clone(),
                *run,
                Arc::clone(again),
                options.seed,
            )
            .await?;
            rerun.push(run.name());
        }
    }
    let mut clean = None;
    let mut results = Vec::new();
    let mut variants = Vec::new();
    for (index, run, record) in records {
        match run {
            Run::Clean => clean = Some(CleanRun::from_record(&record)),
            Run::Fault(fault) => results.push((index, FaultResult::from_record(fault, &record))),
            Run::Variant(variant) => {
                variants.push((index, VariantResult::from_record(variant, &record)));
            }
        }
    }
    results.sort_by_key(|(index, _)| *index);
    variants.sort_by_key(|(index, _)| *index);
    let faults: Vec<FaultResult> = results.into_iter().map(|(_, r)| r).collect();
    let variants: Vec<VariantResult> = variants.into_iter().map(|(_, r)| r).collect();
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
        variants,
        rerun,
        skipped,
    })
}

/// The rule of responses slower than the contract's budget.
const LATENCY_RULE: &str = "latency";

/// Whether `record` would be a false alarm (the clean run, a benign fault or a variant
/// failing) with nothing but latency findings.
fn misfired_on_latency_alone(run: Run, record: &RunRecord) -> bool {
    let must_pass = match run {
        Run::Clean | Run::Variant(_) => true,
        Run::Fault(fault) => fault.is_benign(),
    };
    let mut misfired = record
        .scenarios
        .iter()
        .filter(|s| failed(s.outcome))
        .peekable();
    must_pass
        && misfired.peek().is_some()
        && misfired
            .all(|s| s.outcome == Outcome::Failed && s.findings().all(|f| f.rule == LATENCY_RULE))
}

/// Whether a scenario outcome counts as a failure of the suite.
pub(crate) fn failed(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Failed | Outcome::Error)
}
