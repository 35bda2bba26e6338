//! Judging an exchange: every check runs on what came back (timed by stage when a clock is
//! given), and a raced step's statuses are judged as concurrent writers. A create step
//! that names no expectation of its own is judged as the contract's create operation
//! (its success situation, its response schema).

use std::time::{Duration, Instant};

use crate::checks::{self, Context};
use crate::finding::{Finding, Location};
use crate::fixture::scenario::{Expect, Scenario, Step};
use crate::fixture::vocabulary::OperationKind;
use crate::fixture::Suite;
use crate::outcome::SnapshotDiff;
use crate::runner::concurrent;
use crate::runner::step::StepError;
use crate::timing::{Stage, StageClock};

/// A create step's expectations: its own, or the contract's create operation.
pub(super) fn expectations(suite: &Suite, step: &Step) -> Option<Step> {
    if step.create.is_none() || step.expect.status.is_some() || step.expect.response.is_some() {
        return None;
    }
    let create = suite.contract.operations.create.as_ref();
    Some(Step {
        expect: Expect {
            response: Some(
                create
                    .map_or(OperationKind::Create.as_str(), |c| {
                        c.success_situation(OperationKind::Create)
                    })
                    .to_owned(),
            ),
            schema: step
                .expect
                .schema
                .clone()
                .or_else(|| create.and_then(|c| c.response.clone())),
            ..step.expect.clone()
        },
        ..step.clone()
    })
}

/// The findings of every check, the snapshot that differs, and the time the checks took.
pub(super) fn judge(
    cx: &Context<'_>,
    all_checks: &[Box<dyn checks::Check>],
    clock: Option<&StageClock>,
) -> Result<(Vec<Finding>, Option<SnapshotDiff>, Duration), StepError> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut checking = Duration::ZERO;
    for check in all_checks {
        let cannot_judge = |source| StepError::Check {
            step: cx.label.to_owned(),
            check: check.name(),
            source,
        };
        match clock {
            None => check.check(cx, &mut findings).map_err(cannot_judge)?,
            Some(clock) => {
                let start = Instant::now();
                check.check(cx, &mut findings).map_err(cannot_judge)?;
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
    Ok((findings, snapshot, checking))
}

/// Where a finding of `step` is: its file, its label, its line.
pub(super) fn location(scenario: &Scenario, step: &Step, label: &str) -> Location {
    let mut location = Location::file(&scenario.file).step(label);
    if step.line > 0 {
        location.line = Some(step.line);
    }
    location
}

/// The findings of a raced step: exactly one writer may win.
pub(super) fn race(
    suite: &Suite,
    scenario: &Scenario,
    step: &Step,
    label: &str,
    statuses: &[u16],
) -> Vec<Finding> {
    concurrent::judge(suite, statuses, location(scenario, step, label))
        .into_iter()
        .collect()
}
