//! Each listed resource, got by id: a runner step judged as the contract's `get` (status,
//! schema with its required eTag, `ETag` header equal to the eTag when sent, the pair in the
//! table, links, the id asked for), then held to its list entry (`list-get-agree`: every
//! member of the entry, `OData` control information aside, has the same value in the GET)
//! and to its own times (`created-not-after-updated`). A resource that changed between
//! the list and the GET (a new eTag and an updatedDateTime not earlier than the entry's)
//! is not compared: production data moves.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::{query, Run};
use crate::checks;
use crate::endpoint::Target;
use crate::finding::Finding;
use crate::fixture::json_text::escape_token;
use crate::fixture::verification::Verification;
use crate::fixture::vocabulary::OperationKind;
use crate::fixture::Suite;
use crate::outcome::{ScenarioOutcome, StepOutcome};
use crate::runner::RunOptions;

/// GETs every entry by id, `options.jobs` at a time, and judges each.
pub(super) async fn agree(
    suite: &Arc<Suite>,
    target: &Arc<Target>,
    options: &Arc<RunOptions>,
    spec: &Verification,
    entries: &[Value],
) -> ScenarioOutcome {
    let started = Instant::now();
    let jobs = options.jobs.max(1).min(entries.len().max(1));
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..jobs {
        let (suite, target, options) = (Arc::clone(suite), Arc::clone(target), Arc::clone(options));
        let mine: Vec<(usize, Value)> = entries
            .iter()
            .enumerate()
            .skip(worker)
            .step_by(jobs)
            .map(|(i, e)| (i, e.clone()))
            .collect();
        workers.spawn(async move {
            let Some(spec) = suite.contract.verification.as_ref() else {
                return Ok(Vec::new());
            };
            let run = Run {
                suite: &suite,
                target: &target,
                options: &options,
                spec,
                checks: checks::all(),
            };
            let scenario = run.scenario(&super::by_id(&suite.contract));
            let mut done = Vec::with_capacity(mine.len());
            for (index, entry) in mine {
                done.push((index, one(&run, &scenario, &entry).await?));
            }
            Ok::<_, String>(done)
        });
    }
    let mut steps: Vec<(usize, StepOutcome)> = Vec::with_capacity(entries.len());
    let mut error = None;
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(Ok(done)) => steps.extend(done),
            Ok(Err(message)) => error = error.or(Some(message)),
            Err(panic) => std::panic::resume_unwind(panic.into_panic()),
        }
    }
    steps.sort_by_key(|(index, _)| *index);
    let steps: Vec<StepOutcome> = steps.into_iter().map(|(_, s)| s).collect();
    let run = Run {
        suite,
        target,
        options,
        spec,
        checks: Vec::new(),
    };
    let name = super::by_id(&suite.contract);
    if entries.is_empty() && error.is_none() {
        let nouns = suite.contract.resource.nouns();
        return run.skipped(&name, format!("the target lists no {nouns} to verify"));
    }
    run.outcome(&name, steps, error, started)
}

/// One entry: its GET, then the entry and the times.
async fn one(
    run: &Run<'_>,
    scenario: &crate::fixture::scenario::Scenario,
    entry: &Value,
) -> Result<StepOutcome, String> {
    let resource = &run.suite.contract.resource;
    let id = entry
        .pointer(resource.id.as_str())
        .and_then(Value::as_str)
        .unwrap_or_default();
    let path = format!("{}/{}", resource.path, query::encode(id));
    // A resource is judged by the schema of a GET by id (the list's query schema without one).
    let schema = run
        .suite
        .contract
        .operations
        .get(OperationKind::Get)
        .and_then(|op| op.response.as_deref())
        .unwrap_or(&run.suite.contract.query.schema);
    let (mut step, got) = run
        .get(scenario, id.to_owned(), path, "get", schema)
        .await?;
    if let Some(got) = got.filter(|_| (200..300).contains(&status(&step))) {
        let label = step.name.clone();
        compare(run, &label, entry, &got, &mut step.findings);
        times(run, &label, &got, &mut step.findings);
    }
    Ok(step)
}

fn status(step: &StepOutcome) -> u16 {
    step.exchange
        .as_ref()
        .and_then(|e| e.response.as_ref())
        .map_or(0, |r| r.status)
}

fn time(body: &Value, pointer: &str) -> Option<DateTime<FixedOffset>> {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
}

/// `list-get-agree`, unless the resource changed in between.
fn compare(run: &Run<'_>, label: &str, entry: &Value, got: &Value, out: &mut Vec<Finding>) {
    let updated = run.spec.updated.as_str();
    let (listed_etag, got_etag) = match run.suite.contract.etag_pointer() {
        Some(etag) => (entry.pointer(etag), got.pointer(etag)),
        None => (None, None),
    };
    if listed_etag != got_etag {
        let moved_on = match (time(entry, updated), time(got, updated)) {
            (Some(listed), Some(now)) => now >= listed,
            _ => false,
        };
        if moved_on {
            return; // changed between the list and the GET: nothing to compare
        }
    }
    let Some(members) = entry.as_object() else {
        return;
    };
    let ignored = &run.spec.list_get_ignore.fields;
    let noun = run.suite.contract.resource.noun();
    for (key, listed) in members {
        let pointer = format!("/{}", escape_token(key));
        if ignored.iter().any(|p| p.as_str() == pointer) {
            continue;
        }
        let message = match got.get(key) {
            None => format!("the list entry has {pointer}, the {noun} got by id has not"),
            Some(now) if now != listed => format!(
                "the list entry says {}, the {noun} got by id {}",
                shown(listed),
                shown(now)
            ),
            Some(_) => continue,
        };
        out.push(run.finding("list-get-agree", label, &pointer, message));
    }
}

/// A value for a message, cut to a readable length.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// `created-not-after-updated`.
fn times(run: &Run<'_>, label: &str, got: &Value, out: &mut Vec<Finding>) {
    let (created, updated) = (run.spec.created.as_str(), run.spec.updated.as_str());
    if let (Some(c), Some(u)) = (time(got, created), time(got, updated)) {
        if c > u {
            out.push(run.finding(
                "created-not-after-updated",
                label,
                updated,
                format!("{updated} {u} is earlier than {created} {c}"),
            ));
        }
    }
}
