//! The runner: sends each scenario's steps to a target, runs the checks on every
//! exchange, and returns plain data (a `RunRecord`). It prints nothing; scenarios run
//! concurrently, each isolated (it creates the resource it works on). One step's work is
//! in `runner/`: build its request, send it, judge it, capture from it, record it.

mod capture;
mod concurrent;
mod judge;
mod record;
mod request;
mod send;
mod step;

pub use capture::VERSION_CAPTURE;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::checks::{self, Snapshots};
use crate::endpoint::{Target, TargetKind};
use crate::fixture::scenario::{Scenario, Step};
use crate::fixture::template::Vars;
use crate::fixture::Suite;
use crate::outcome::{
    Outcome, RunRecord, ScenarioOutcome, StepOutcome, TargetInfo, Totals, RECORD_VERSION,
};
use crate::report::Redactor;
use crate::runner::step::{StepError, StepRun};
use crate::timing::StageClock;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Scenarios run at once.
    pub jobs: usize,
    /// Only scenarios whose name contains this text.
    pub filter: Option<String>,
    /// Against a live target, scenarios that write run only with this.
    pub allow_mutations: bool,
    pub snapshots: Snapshots,
    /// Bodies longer than this are truncated in the record.
    pub record_body_limit: usize,
    /// Secrets out of every text the run records or writes (snapshots, previews in
    /// findings, bodies before they are cut): credential headers, `--redact-header`
    /// names, the token.
    pub redactor: Redactor,
    /// A run id that makes each scenario's data unique (externalReferenceId).
    pub run_id: String,
    /// Keep the exchanges of passed scenarios in the record (the default). Without them a
    /// long run's record holds only what a report of its failures needs.
    pub keep_passed_exchanges: bool,
    /// When set, the runner adds each exchange's time per stage to it (benchmarks).
    pub stage_clock: Option<Arc<StageClock>>,
    /// How many existing resources read-only verification lists and checks at the end of
    /// the run (`None`: the contract's `verification.sample`; `Some(0)`: none).
    pub sample: Option<usize>,
    /// The most the whole run may take (`--deadline`); none by default.
    pub deadline: Option<Duration>,
}

impl RunOptions {
    pub fn new(snapshots: Snapshots) -> Self {
        Self {
            jobs: std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            filter: None,
            allow_mutations: false,
            snapshots,
            record_body_limit: 64 * 1024,
            redactor: Redactor::default(),
            run_id: unique_run_id(),
            keep_passed_exchanges: true,
            stage_clock: None,
            sample: None,
            deadline: None,
        }
    }
}

/// A short id unique to this run.
pub fn unique_run_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!(
        "{:012x}",
        (nanos ^ u128::from(std::process::id()) << 40) & 0xffff_ffff_ffff
    )
}

/// The tag of scenarios that only mean something when the run authenticates (a wrong
/// token must be refused; a target that needs no token cannot show that).
pub const NEEDS_TOKEN_TAG: &str = "needs-token";

/// Every scenario of a suite: the hand-written ones, then the derived ones.
pub fn scenarios(suite: &Suite) -> Result<Vec<Scenario>, crate::fixture::LoadError> {
    let mut all = suite.written_scenarios()?;
    let mut derived = crate::fixture::derive::derive(&suite.contract, &suite.contract_path);
    crate::fixture::scenario::prepare(suite, &mut derived)?;
    all.extend(derived);
    Ok(all)
}

/// Keeps the scenarios whose name contains `filter`.
pub fn select(scenarios: Vec<Scenario>, filter: Option<&str>) -> Vec<Scenario> {
    match filter {
        Some(text) => scenarios
            .into_iter()
            .filter(|s| s.name.contains(text))
            .collect(),
        None => scenarios,
    }
}

fn now_rfc3339() -> String {
    let mut clock = crate::double::clock::Clock::wall();
    let text = clock.tick();
    // YYYY-MM-DDTHH:MM:SS.fffffffZ → keep milliseconds.
    format!("{}Z", &text[..23])
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Runs `scenarios` against `target`; `done` is called as each one finishes.
pub async fn run(
    suite: Arc<Suite>,
    scenarios: Vec<Scenario>,
    target: Arc<Target>,
    options: Arc<RunOptions>,
    done: Arc<dyn Fn(&ScenarioOutcome) + Send + Sync>,
) -> RunRecord {
    let started = Instant::now();
    let started_at = now_rfc3339();
    // `jobs` workers take scenarios from one queue: a long run holds `jobs` tasks, not
    // one per scenario.
    let total = scenarios.len();
    let queue = Arc::new(Mutex::new(scenarios.into_iter().enumerate()));
    let deadline = options.deadline.map(crate::deadline::Deadline::after);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..options.jobs.max(1).min(total) {
        let (suite, target, options, done, queue) = (
            Arc::clone(&suite),
            Arc::clone(&target),
            Arc::clone(&options),
            Arc::clone(&done),
            Arc::clone(&queue),
        );
        workers.spawn(async move {
            let mut finished = Vec::new();
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.next());
                let Some((index, scenario)) = next else { break };
                let running = run_scenario(&suite, &scenario, index, &target, &options);
                let outcome = match &deadline {
                    Some(deadline) => deadline.run(&scenario, running).await,
                    None => running.await,
                };
                done(&outcome);
                finished.push((index, outcome));
            }
            finished
        });
    }
    let mut outcomes: Vec<(usize, ScenarioOutcome)> = Vec::with_capacity(total);
    while let Some(finished) = workers.join_next().await {
        match finished {
            Ok(some) => outcomes.extend(some),
            // A panic in a scenario is carried on, as a panic.
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    outcomes.sort_by_key(|(index, _)| *index);
    let mut scenarios: Vec<ScenarioOutcome> = outcomes.into_iter().map(|(_, o)| o).collect();
    // Then the data the target holds, read-only (after the scenarios: nothing writes now),
    // within what is left of the deadline (the scenarios already say when it passed).
    let verifying = crate::verify::verify(&suite, &target, &options);
    let verified = match &deadline {
        Some(deadline) if deadline.remaining().is_zero() => Vec::new(),
        Some(deadline) => tokio::time::timeout(deadline.remaining(), verifying)
            .await
            .unwrap_or_default(),
        None => verifying.await,
    };
    for outcome in verified {
        done(&outcome);
        scenarios.push(outcome);
    }
    let mut totals = Totals::default();
    for outcome in &scenarios {
        match outcome.outcome {
            Outcome::Passed => totals.passed += 1,
            Outcome::Failed => totals.failed += 1,
            Outcome::Skipped => totals.skipped += 1,
            Outcome::Error => totals.errors += 1,
            Outcome::Inconclusive => totals.inconclusive += 1,
        }
    }
    RunRecord {
        record_version: RECORD_VERSION,
        vouch_version: env!("CARGO_PKG_VERSION").to_owned(),
        suite: suite.dir.display().to_string(),
        target: TargetInfo {
            kind: target.kind.as_str().to_owned(),
            url: target.http.base().to_owned(),
        },
        started: started_at,
        duration_ms: millis(started.elapsed()),
        scenarios,
        totals,
    }
}

/// Runs one scenario to its outcome.
pub async fn run_scenario(
    suite: &Suite,
    scenario: &Scenario,
    index: usize,
    target: &Target,
    options: &RunOptions,
) -> ScenarioOutcome {
    let started = Instant::now();
    let mut outcome = ScenarioOutcome {
        name: scenario.name.clone(),
        file: scenario.file.display().to_string(),
        derived: scenario.derived,
        doc: scenario.doc.clone(),
        tags: scenario.tags.clone(),
        outcome: Outcome::Passed,
        reason: None,
        duration_ms: 0.0,
        steps: Vec::new(),
    };
    if let Some(reason) = skipped(scenario, target, options) {
        outcome.outcome = Outcome::Skipped;
        outcome.reason = Some(reason.into());
        return outcome;
    }
    let mut vars = Vars::new();
    vars.insert("run".into(), Value::String(options.run_id.clone()));
    vars.insert(
        "ext_ref".into(),
        Value::String(suite.contract.cleanup.as_ref().map_or_else(
            || format!("vouch-{}-{index}", options.run_id),
            |c| format!("{}{index}", c.run_prefix(&options.run_id)),
        )),
    );
    let all_checks = checks::all();
    let steps = StepRun {
        suite,
        scenario,
        target,
        options,
        checks: &all_checks,
    };
    let mut inconclusive = None;
    'steps: for (position, step) in scenario.steps.iter().enumerate() {
        if !go_on(
            &mut outcome,
            steps.run(step, &step.label(position), &mut vars).await,
        ) {
            break;
        }
        let Some(establish) = &step.establish else {
            continue;
        };
        // The moves that establish the precondition run as steps of their own.
        let moves = match crate::fixture::establish::plan(&suite.contract, establish, &vars) {
            Ok(moves) => moves,
            Err(reason) => {
                inconclusive = Some(reason.to_string());
                break;
            }
        };
        for (index, move_step) in moves.into_iter().enumerate() {
            let label = move_step.label(position * 100 + index);
            if !go_on(&mut outcome, steps.run(move_step, &label, &mut vars).await) {
                break 'steps;
            }
        }
    }
    if outcome.outcome == Outcome::Passed && outcome.findings().next().is_some() {
        outcome.outcome = Outcome::Failed;
    }
    // A precondition that could not be established: nothing was judged past it. Findings
    // before it still fail the scenario.
    if let (Outcome::Passed, Some(reason)) = (outcome.outcome, inconclusive) {
        outcome.outcome = Outcome::Inconclusive;
        outcome.reason = Some(reason);
    }
    if outcome.outcome == Outcome::Passed && !options.keep_passed_exchanges {
        for step in &mut outcome.steps {
            step.exchange = None;
        }
    }
    outcome.duration_ms = millis(started.elapsed());
    outcome
}

/// Why `scenario` is not run against `target`, if it is not.
fn skipped(scenario: &Scenario, target: &Target, options: &RunOptions) -> Option<&'static str> {
    if target.kind == TargetKind::Live
        && !options.allow_mutations
        && scenario.steps.iter().any(Step::writes)
    {
        return Some(
            "it writes (POST/PUT/PATCH); run with --allow-mutations against a live target",
        );
    }
    if scenario.tags.iter().any(|t| t == NEEDS_TOKEN_TAG) && target.http.config().token.is_none() {
        return Some(
            "it checks that a wrong token is refused, and this run has no token (--token-env or --token-command)",
        );
    }
    None
}

/// Records a step's result in `outcome`; whether the scenario goes on.
fn go_on(outcome: &mut ScenarioOutcome, ran: Result<(StepOutcome, bool), StepError>) -> bool {
    match ran {
        Ok((step, stop)) => {
            outcome.steps.push(step);
            !stop
        }
        Err(error) => {
            outcome.outcome = Outcome::Error;
            outcome.reason = Some(error.to_string());
            false
        }
    }
}

/// Runs one step on its own, with `vars` for its templates and captures: read-only
/// verification builds its steps from the data it sees. An `Err` is why the step could
/// not run.
pub(crate) async fn run_single_step(
    suite: &Suite,
    scenario: &Scenario,
    step: &Step,
    vars: &mut Vars,
    target: &Target,
    options: &RunOptions,
    all_checks: &[Box<dyn checks::Check>],
) -> Result<StepOutcome, String> {
    let steps = StepRun {
        suite,
        scenario,
        target,
        options,
        checks: all_checks,
    };
    steps
        .run(step, &step.label(0), vars)
        .await
        .map(|(outcome, _)| outcome)
        .map_err(|e| e.to_string())
}

/// The snapshot folder of a suite: `snapshots/` at the repository top (two levels up
/// from `fixtures/<api>`).
pub fn snapshot_dir(suite: &Suite) -> PathBuf {
    suite
        .dir
        .parent()
        .and_then(std::path::Path::parent)
        .map_or_else(
            || suite.dir.join("../../snapshots"),
            |top| top.join("snapshots"),
        )
}
