//! The runner: sends each scenario's steps to a target, runs the checks on every
//! exchange, and returns plain data (a `RunRecord`). It prints nothing; scenarios run
//! concurrently, each isolated (it creates the referral it works on).

mod concurrent;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::checks::{self, Context, Observed, Snapshots};
use crate::endpoint::{SentRequest, Target, TargetKind};
use crate::finding::Finding;
use crate::fixture::contract::Pointer;
use crate::fixture::scenario::{Body, Expect, Scenario, Step};
use crate::fixture::small_map::SmallMap;
use crate::fixture::template::{render, render_value, MissingVar, Vars};
use crate::fixture::Suite;
use crate::outcome::{
    truncated, Exchange, Outcome, RecordedRequest, RecordedResponse, RunRecord, ScenarioOutcome,
    StepOutcome, TargetInfo, Totals, RECORD_VERSION,
};
use crate::report::Redactor;
use crate::timing::{Stage, StageClock};

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
    /// How many existing referrals read-only verification lists and checks at the end of
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
    all.extend(crate::fixture::derive::derive(
        &suite.contract,
        &suite.contract_path,
    ));
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

/// Why a step could not be run (the scenario ends as an error).
#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error("step {step}: {source}")]
    Template { step: String, source: MissingVar },
    #[error("step {step}: {message}")]
    Fixture { step: String, message: String },
    #[error("step {step}: {source}")]
    Transport {
        step: String,
        source: crate::endpoint::TransportError,
    },
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
    if target.kind == TargetKind::Live
        && !options.allow_mutations
        && scenario.steps.iter().any(Step::writes)
    {
        outcome.outcome = Outcome::Skipped;
        outcome.reason = Some(
            "it writes (POST/PUT/PATCH); run with --allow-mutations against a live target".into(),
        );
        return outcome;
    }
    if scenario.tags.iter().any(|t| t == NEEDS_TOKEN_TAG) && target.http.config().token.is_none() {
        outcome.outcome = Outcome::Skipped;
        outcome.reason = Some(
            "it checks that a wrong token is refused, and this run has no token (--token-env or --token-command)".into(),
        );
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
    let mut inconclusive = None;
    'steps: for (position, step) in scenario.steps.iter().enumerate() {
        let label = step.label(position);
        let mut stop = match run_step(
            suite,
            scenario,
            step,
            &label,
            &mut vars,
            target,
            options,
            &all_checks,
        )
        .await
        {
            Ok((step_outcome, stop)) => {
                outcome.steps.push(step_outcome);
                stop
            }
            Err(error) => {
                outcome.outcome = Outcome::Error;
                outcome.reason = Some(error.to_string());
                break;
            }
        };
        if let (Some(establish), false) = (&step.establish, stop) {
            let moves = match crate::fixture::establish::plan(&suite.contract, establish, &vars) {
                Ok(moves) => moves,
                Err(reason) => {
                    inconclusive = Some(reason.to_string());
                    break;
                }
            };
            for (index, move_step) in moves.into_iter().enumerate() {
                let move_label = move_step.label(position * 100 + index);
                match run_step(
                    suite,
                    scenario,
                    move_step,
                    &move_label,
                    &mut vars,
                    target,
                    options,
                    &all_checks,
                )
                .await
                {
                    Ok((step_outcome, move_stop)) => {
                        outcome.steps.push(step_outcome);
                        stop = move_stop;
                        if stop {
                            break;
                        }
                    }
                    Err(error) => {
                        outcome.outcome = Outcome::Error;
                        outcome.reason = Some(error.to_string());
                        break 'steps;
                    }
                }
            }
        }
        if stop {
            break;
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
    let label = step.label(0);
    run_step(
        suite, scenario, step, &label, vars, target, options, all_checks,
    )
    .await
    .map(|(outcome, _)| outcome)
    .map_err(|e| e.to_string())
}
/// The capture source for the current version of the resource: the `ETag` header when
/// there is one, else the body's eTag (the header is optional, headers.md).
pub const VERSION_CAPTURE: &str = "version";

/// The captures a `create` step makes without being asked.
const CREATE_CAPTURES: [(&str, &str); 9] = [
    ("id", "/id"),
    ("etag", "/eTag"),
    ("engagement", "/engagementId"),
    ("organization", "/organizationId"),
    ("created", "body"),
    ("created_at", "/createdDateTime"),
    ("updated_at", "/updatedDateTime"),
    ("created_links", "/links"),
    ("related", "/links/relatedReferrals/uri"),
];

fn build_body(suite: &Suite, body: &Body, vars: &Vars, step: &str) -> Result<Value, StepError> {
    let fixture = |message: String| StepError::Fixture {
        step: step.to_owned(),
        message,
    };
    // The template is rendered into a new value: the source itself is never copied.
    let loaded;
    let source: &Value = if let Some(example) = &body.example {
        let path = suite.dir.join(example);
        suite
            .examples
            .iter()
            .find(|e| e.json_path.as_deref() == Some(path.as_path()))
            .and_then(|e| e.json.as_ref())
            .ok_or_else(|| {
                fixture(format!(
                    "{example} is not the JSON of a documented example in contract.yaml"
                ))
            })?
    } else if let Some(file) = &body.file {
        loaded = crate::fixture::body_file::read(&suite.dir.join(file))
            .map_err(|e| fixture(e.to_string()))?;
        &loaded
    } else {
        body.json.as_ref().unwrap_or(&Value::Null)
    };
    let mut value = render_value(source, vars).map_err(|source| StepError::Template {
        step: step.to_owned(),
        source,
    })?;
    for pointer in &body.strip {
        Pointer::remove_in(pointer, &mut value);
    }
    for (pointer, new) in &body.set {
        let new = render_value(new, vars).map_err(|source| StepError::Template {
            step: step.to_owned(),
            source,
        })?;
        Pointer::set_in(pointer, &mut value, new);
    }
    Ok(value)
}

/// `headers` as they may be recorded.
fn redacted(headers: &[(String, String)], redactor: &Redactor) -> Vec<(String, String)> {
    let mut headers = headers.to_vec();
    redactor.headers(&mut headers);
    headers
}

#[allow(clippy::too_many_arguments)]
async fn run_step(
    suite: &Suite,
    scenario: &Scenario,
    step: &Step,
    label: &str,
    vars: &mut Vars,
    target: &Target,
    options: &RunOptions,
    all_checks: &[Box<dyn checks::Check>],
) -> Result<(StepOutcome, bool), StepError> {
    let started = Instant::now();
    let clock = options.stage_clock.as_deref();
    let template = |source| StepError::Template {
        step: label.to_owned(),
        source,
    };
    // The request.
    let (method, path, mut headers, body, content_type) = match (&step.create, &step.request) {
        (Some(body), _) => (
            "POST".to_owned(),
            suite.contract.resource.path.clone(),
            SmallMap::new(),
            Some(body),
            None,
        ),
        (None, Some(request)) => (
            request.method.to_ascii_uppercase(),
            request.path.clone(),
            request.headers.clone(),
            request.body.as_ref(),
            request.content_type.clone(),
        ),
        (None, None) => {
            return Err(StepError::Fixture {
                step: label.to_owned(),
                message: "a step needs create or request".into(),
            })
        }
    };
    let path = render(&path, vars).map_err(template)?;
    let mut sent_json = match body {
        Some(body) => Some(build_body(suite, body, vars, label)?),
        None => None,
    };
    let mut header_list = Vec::new();
    for (name, value) in std::mem::take(&mut headers) {
        header_list.push((name, render(&value, vars).map_err(template)?));
    }
    if sent_json.is_some()
        && !header_list
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        header_list.push((
            "Content-Type".into(),
            content_type.unwrap_or_else(|| "application/json".into()),
        ));
    }
    let body_text = sent_json.as_ref().map(Value::to_string);
    let request = SentRequest {
        method: method.clone(),
        url: target.http.url(&path),
        headers: header_list,
        body: body_text.clone().map(String::into_bytes),
    };
    let sending = clock.map(|_| Instant::now());
    let transport_error = |source| StepError::Transport {
        step: label.to_owned(),
        source,
    };
    // A step with `parallel: N` races N copies of its request (see concurrent.rs).
    let (mut received, race) = match step.parallel {
        Some(copies) if copies > 1 => {
            let race = concurrent::send(&target.http, &request, copies)
                .await
                .map_err(transport_error)?;
            (race.winner, Some(race.statuses))
        }
        _ => (
            target.http.send(&request).await.map_err(transport_error)?,
            None,
        ),
    };
    let mut transport = Duration::ZERO;
    if let (Some(clock), Some(sending)) = (clock, sending) {
        transport = sending.elapsed();
        clock.add(Stage::Transport, transport);
        clock.exchange();
    }

    // What came back.
    let text = match String::from_utf8(std::mem::take(&mut received.body)) {
        Ok(text) => text,
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    };
    // The values of this exchange's hidden headers are secrets too (a cookie echoed in a body).
    let redactor = options
        .redactor
        .learning(request.headers.iter().chain(&received.headers));
    let text_was_empty = text.trim().is_empty();
    let mut json: Option<Value> = if text_was_empty {
        None
    } else {
        serde_json::from_str(&text).ok()
    };
    // A list step reads the whole list, following @odata.nextLink (list-semantics).
    let listed = match (&step.expect.list, json.as_ref()) {
        (Some(_), Some(first)) if (200..300).contains(&received.status) => {
            Some(crate::endpoint::pages::follow(&target.http, first, &request.headers).await)
        }
        _ => None,
    };
    let defaulted;
    let step_for_checks = if step.create.is_some()
        && step.expect.status.is_none()
        && step.expect.response.is_none()
    {
        defaulted = Step {
            expect: Expect {
                response: Some("create".into()),
                schema: step
                    .expect
                    .schema
                    .clone()
                    .or_else(|| Some("referral".into())),
                ..step.expect.clone()
            },
            ..step.clone()
        };
        &defaulted
    } else {
        step
    };
    let cx = Context {
        suite,
        scenario,
        step: step_for_checks,
        label,
        vars,
        observed: Observed {
            status: received.status,
            headers: &received.headers,
            text: &text,
            json: json.as_ref(),
            sent: sent_json.as_ref(),
            method: &method,
            url: &request.url,
            latency: received.latency,
        },
        snapshots: &options.snapshots,
        base: target.http.base(),
        live: target.kind == TargetKind::Live,
        redactor: &redactor,
        snapshot_diff: Mutex::new(None),
        listed: listed.as_ref(),
    };
    let mut findings: Vec<Finding> = Vec::new();
    let mut checking = Duration::ZERO;
    for check in all_checks {
        match clock {
            None => check.check(&cx, &mut findings),
            Some(clock) => {
                let start = Instant::now();
                check.check(&cx, &mut findings);
                let took = start.elapsed();
                checking += took;
                let stage = if check.name() == "schema" {
                    Stage::Schema
                } else {
                    Stage::Checks
                };
                clock.add(stage, took);
            }
        }
    }
    let snapshot = cx.snapshot_diff.lock().ok().and_then(|mut s| s.take());
    drop(cx);
    if let Some(statuses) = &race {
        let mut location = crate::finding::Location::file(&scenario.file).step(label);
        if step.line > 0 {
            location.line = Some(step.line);
        }
        findings.extend(concurrent::judge(suite, statuses, location));
    }

    // Captures.
    let mut captures: Vec<(String, String)> = step
        .capture
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if step.create.is_some() {
        for (name, source) in CREATE_CAPTURES {
            if !step.capture.contains_key(name) {
                captures.push((name.to_owned(), source.to_owned()));
            }
        }
    }
    // Whole-body captures go last, so the last of each takes the body instead of a copy.
    captures.sort_by_key(|(_, source)| matches!(source.as_str(), "body" | "request"));
    let mut bodies_left = captures.iter().filter(|(_, s)| s == "body").count();
    let mut requests_left = captures.iter().filter(|(_, s)| s == "request").count();
    let succeeded = (200..300).contains(&received.status);
    let mut stop = false;
    for (name, source) in captures {
        let value = if source == "body" {
            bodies_left -= 1;
            if bodies_left == 0 {
                json.take()
            } else {
                json.clone()
            }
        } else if source == "request" {
            requests_left -= 1;
            if requests_left == 0 {
                sent_json.take()
            } else {
                sent_json.clone()
            }
        } else if source == VERSION_CAPTURE {
            // The current version: the ETag header (optional), else the body's eTag.
            let version = received
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&suite.contract.resource.etag_header))
                .map(|(_, v)| Value::String(v.clone()))
                .or_else(|| {
                    json.as_ref()
                        .and_then(|b| b.pointer(suite.contract.resource.etag.as_str()))
                        .cloned()
                });
            if version.is_none() && succeeded && text_was_empty {
                // A 204 without the optional header shows no version: later steps that
                // compare with it have nothing to compare, and read it themselves.
                continue;
            }
            version
        } else if let Some(header) = source.strip_prefix("header:") {
            received
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(header))
                .map(|(_, v)| Value::String(v.clone()))
        } else {
            json.as_ref().and_then(|b| b.pointer(&source)).cloned()
        };
        if let Some(value) = value {
            vars.insert(name, value);
        } else {
            // Later steps need it: the scenario cannot go on.
            stop = true;
            let explicit = step.capture.contains_key(&name);
            if explicit || succeeded {
                let mut location = crate::finding::Location::file(&scenario.file).step(label);
                if step.line > 0 {
                    location.line = Some(step.line);
                }
                let basis = suite
                    .contract
                    .rules
                    .get("capture")
                    .map_or(crate::finding::Basis::Assumed, |r| r.basis);
                findings.push(Finding {
                    rule: "capture".into(),
                    basis,
                    location: location.pointer(source.trim_start_matches("header:")),
                    message: format!(
                        "the response has no {source} to capture as {name} (status {})",
                        received.status
                    ),
                });
            }
        }
    }
    if step.create.is_some() && !succeeded {
        stop = true;
    }

    // The record: secrets go before the cut, so a cut never leaves a secret's start.
    let limit = options.record_body_limit;
    let cut = |body: String| match redactor.redact_str(&body) {
        std::borrow::Cow::Borrowed(_) => truncated(body, limit),
        std::borrow::Cow::Owned(clean) => truncated(clean, limit),
    };
    let request_body = body_text.map(cut);
    let response_body = (!text.is_empty()).then(|| cut(text));
    for finding in &mut findings {
        redactor.text(&mut finding.message);
    }
    let exchange = Exchange {
        request: RecordedRequest {
            method,
            url: redactor.redact_str(&request.url).into_owned(),
            headers: redacted(&request.headers, &redactor),
            body_truncated: request_body.as_ref().is_some_and(|(_, t)| *t),
            body: request_body.map(|(b, _)| b),
        },
        response: Some(RecordedResponse {
            status: received.status,
            headers: redacted(&received.headers, &redactor),
            body_truncated: received.truncated || response_body.as_ref().is_some_and(|(_, t)| *t),
            body: response_body.map(|(b, _)| b),
        }),
        attempts: received.attempts,
        duration_ms: millis(received.latency),
    };
    if let Some(clock) = clock {
        let rest = started.elapsed().saturating_sub(transport + checking);
        clock.add(Stage::Other, rest);
    }
    let outcome = StepOutcome {
        name: label.to_owned(),
        line: step.line,
        exchange: Some(exchange),
        findings,
        snapshot,
        duration_ms: millis(started.elapsed()),
    };
    Ok((outcome, stop))
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
