//! One step, start to end: build its request, send it, judge what came back, take its
//! captures, and keep the exchange for the record. An `Err` is why vouch could not run the
//! step (the scenario ends as an error); what the target did wrong is a finding.

use std::sync::Mutex;
use std::time::Instant;

use serde_json::Value;

use crate::checks::{self, Context, Observed};
use crate::endpoint::{Target, TargetKind};
use crate::fixture::scenario::{Scenario, Step};
use crate::fixture::template::{MissingVar, Vars};
use crate::fixture::Suite;
use crate::outcome::StepOutcome;
use crate::runner::{capture, judge, record, request, send, RunOptions};
use crate::timing::Stage;

/// Why a step could not be run (the scenario ends as an error).
#[derive(Debug, thiserror::Error)]
pub(crate) enum StepError {
    #[error("step {step}: {source}")]
    Template { step: String, source: MissingVar },
    #[error("step {step}: {message}")]
    Fixture { step: String, message: String },
    #[error("step {step}: check {check}: {source}")]
    Check {
        step: String,
        check: &'static str,
        source: checks::CheckError,
    },
    #[error("step {step}: {source}")]
    Transport {
        step: String,
        source: crate::endpoint::TransportError,
    },
}

/// What every step of a scenario runs with.
pub(crate) struct StepRun<'a> {
    pub suite: &'a Suite,
    pub scenario: &'a Scenario,
    pub target: &'a Target,
    pub options: &'a RunOptions,
    pub checks: &'a [Box<dyn checks::Check>],
}

impl StepRun<'_> {
    /// Runs `step` as `label`; the outcome, and whether the scenario must stop.
    pub(crate) async fn run(
        &self,
        step: &Step,
        label: &str,
        vars: &mut Vars,
    ) -> Result<(StepOutcome, bool), StepError> {
        let Self {
            suite,
            scenario,
            target,
            options,
            checks,
        } = *self;
        let started = Instant::now();
        let clock = options.stage_clock.as_deref();
        let built = request::build(suite, target, step, label, vars)?;
        let sent_json = built.sent_json;
        let request = built.request;
        let send::Sent {
            mut received,
            race,
            transport,
        } = send::send(target, step, label, &request, clock).await?;

        let text = match String::from_utf8(std::mem::take(&mut received.body)) {
            Ok(text) => text,
            Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
        };
        // The values of this exchange's hidden headers are secrets too (a cookie echoed in
        // a body).
        let redactor = options
            .redactor
            .learning(request.headers.iter().chain(&received.headers));
        let empty = text.trim().is_empty();
        let mut json: Option<Value> = if empty {
            None
        } else {
            serde_json::from_str(&text).ok()
        };
        let listed = send::list(
            target,
            suite,
            step,
            received.status,
            json.as_ref(),
            &request.headers,
        )
        .await;
        capture::capture_sent(step, sent_json.as_ref(), vars);
        let defaulted = judge::expectations(suite, step);
        let cx = Context {
            suite,
            scenario,
            step: defaulted.as_ref().unwrap_or(step),
            label,
            vars,
            observed: Observed {
                status: received.status,
                headers: &received.headers,
                text: &text,
                json: json.as_ref(),
                sent: sent_json.as_ref(),
                method: &request.method,
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
        let (mut findings, snapshot, checking) = judge::judge(&cx, checks, clock)?;
        drop(cx);
        if let Some(statuses) = &race {
            findings.extend(judge::race(suite, scenario, step, label, statuses));
        }
        let (stop, missing) = capture::capture(
            suite,
            scenario,
            step,
            label,
            &mut capture::Response {
                status: received.status,
                headers: &received.headers,
                json: &mut json,
                empty,
            },
            vars,
        );
        findings.extend(missing);
        record::scrub(&mut findings, &redactor);
        let exchange = record::exchange(
            request,
            built.body_text,
            &received,
            text,
            &redactor,
            options.record_body_limit,
        );
        if let Some(clock) = clock {
            let rest = started.elapsed().saturating_sub(transport + checking);
            clock.add(Stage::Other, rest);
        }
        let outcome = StepOutcome {
            name: label.to_owned(),
            line: step.line,
            exchange: Some(Box::new(exchange)),
            findings,
            snapshot: snapshot.map(Box::new),
            duration_ms: record::millis(started.elapsed()),
        };
        Ok((outcome, stop))
    }
}
