//! Leaving nothing open. The API has no DELETE, so vouch closes what it created: at the end
//! of a mutating run against a live target, every resource the run created (its create
//! exchanges say which) is moved to the contract's `cleanup.close_to` state, and
//! `vouch cleanup` finds the leftovers of runs that did not finish by their tag (the
//! externalReferenceId vouch gave them) and closes those. Each close is a GET (for the
//! current eTag and state; a resource already in the closed status is left alone) and a
//! PATCH with If-Match, through the runner's steps, so the checks judge them and the
//! reports list every resource closed.

use std::time::Instant;

use serde_json::Value;

use crate::checks;
use crate::endpoint::{SentRequest, Target};
use crate::finding::Finding;
use crate::fixture::cleanup::Cleanup;
use crate::fixture::scenario::{Body, Expect, RequestSpec, Scenario, Step};
use crate::fixture::small_map::SmallMap;
use crate::fixture::template::Vars;
use crate::fixture::vocabulary::{Operation, OperationKind, States};
use crate::fixture::{Contract, Suite};
use crate::outcome::{Outcome, RunRecord, ScenarioOutcome, StepOutcome};
use crate::runner::{self, RunOptions};

/// The scenario that closes what a run created, named with the contract's nouns.
pub fn created_name(contract: &Contract) -> String {
    format!(
        "cleanup: close the {} this run created",
        contract.resource.nouns()
    )
}
/// The scenario of `vouch cleanup`.
pub const LEFTOVERS: &str = "cleanup: close the leftovers of earlier runs";

/// The most list pages `vouch cleanup` reads while looking for leftovers.
const MAX_PAGES: usize = 1000;

/// The variable a cleanup step captures its response body into.
const BODY: &str = "current";

/// Why leftovers could not be looked for.
#[derive(Debug, thiserror::Error)]
pub enum CleanupError {
    #[error("contract.yaml has no cleanup: section (the tag and the closed state)")]
    NoCleanup,
    #[error("contract.yaml has no states: section, so there is no closed state to move to")]
    NoStates,
    #[error("contract.yaml has no list: section, so leftovers cannot be listed")]
    NoList,
    #[error("contract.yaml has no partial write (operations.patch) to close a resource with")]
    NoPatch,
    #[error(transparent)]
    Transport(#[from] crate::endpoint::TransportError),
    #[error("listing {url}: answered {status}")]
    Status { url: String, status: u16 },
    #[error("listing {url}: the body is not a JSON list")]
    NotAList { url: String },
}

/// What a cleanup did.
#[derive(Debug, Clone)]
pub struct Closed {
    /// Moved to the closed state now.
    pub closed: Vec<String>,
    /// Already in the closed status: left alone.
    pub already: Vec<String>,
    /// Could not be closed (see the outcome's findings and reason).
    pub failed: Vec<String>,
    pub outcome: ScenarioOutcome,
}

/// Adds a cleanup's outcome to a run's record (and its totals).
pub fn append(record: &mut RunRecord, outcome: ScenarioOutcome) {
    let totals = &mut record.totals;
    match outcome.outcome {
        Outcome::Passed => totals.passed += 1,
        Outcome::Failed => totals.failed += 1,
        Outcome::Skipped => totals.skipped += 1,
        Outcome::Error => totals.errors += 1,
        Outcome::Inconclusive => totals.inconclusive += 1,
    }
    record.scenarios.push(outcome);
}

/// One line on what a run's cleanup did, from its record: the resources it created, how
/// many it closed now, how many were closed already, how many are still open (None when
/// the run closed nothing: no cleanup ran).
pub fn summary(record: &RunRecord, contract: &Contract) -> Option<String> {
    let name = created_name(contract);
    let cleanup = record.scenarios.iter().find(|s| s.name == name)?;
    let answered = |step: &StepOutcome| {
        step.exchange
            .as_ref()
            .and_then(|e| e.response.as_ref())
            .map_or(0, |r| r.status)
    };
    let mut ids: Vec<&str> = cleanup
        .steps
        .iter()
        .filter_map(|s| s.name.strip_suffix(" get"))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let (mut closed, mut already, mut open) = (0, 0, 0);
    for id in &ids {
        let close = format!("{id} close");
        let closes: Vec<u16> = cleanup
            .steps
            .iter()
            .filter(|s| s.name == close)
            .map(answered)
            .collect();
        if closes.is_empty() {
            already += 1;
        } else if closes.iter().any(|c| (200..300).contains(c)) {
            closed += 1;
        } else {
            open += 1;
        }
    }
    Some(format!(
        "cleanup: {} {} created, {closed} closed now, {already} already closed, {open} left open",
        ids.len(),
        contract.resource.nouns()
    ))
}

/// The ids of the resources a run created: its successful POSTs to the collection.
pub fn created(record: &RunRecord, suite: &Suite) -> Vec<String> {
    let collection = suite.contract.resource.path.as_str();
    let id = suite.contract.resource.id.as_str();
    let mut ids: Vec<String> = record
        .scenarios
        .iter()
        .flat_map(|s| &s.steps)
        .filter_map(|s| s.exchange.as_ref())
        .filter(|e| e.request.method == "POST")
        .filter(|e| {
            let path = e.request.url.split('?').next().unwrap_or_default();
            path.trim_end_matches('/').ends_with(collection)
        })
        .filter_map(|e| e.response.as_ref())
        .filter(|r| (200..300).contains(&r.status))
        .filter_map(|r| r.body.as_deref())
        .filter_map(|b| serde_json::from_str::<Value>(b).ok())
        .filter_map(|b| b.pointer(id).and_then(Value::as_str).map(str::to_owned))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The resources the target lists whose tag starts with `prefix` and whose status is not
/// yet the closed one: the leftovers of runs that did not finish.
pub async fn leftovers(
    suite: &Suite,
    target: &Target,
    prefix: &str,
) -> Result<Vec<String>, CleanupError> {
    let cleanup = suite
        .contract
        .cleanup
        .as_ref()
        .ok_or(CleanupError::NoCleanup)?;
    let resource = &suite.contract.resource;
    let states = suite
        .contract
        .states
        .as_ref()
        .ok_or(CleanupError::NoStates)?;
    let list = suite.contract.list.as_ref().ok_or(CleanupError::NoList)?;
    let status_pointer = states.status.as_str();
    let (items, next) = (list.items.as_str(), list.next_link.as_str());
    let mut url = Some(target.http.url(&resource.path));
    let mut found = Vec::new();
    let mut pages = 0;
    while let Some(page) = url.take() {
        pages += 1;
        let request = SentRequest {
            method: "GET".into(),
            url: page.clone(),
            headers: Vec::new(),
            body: None,
        };
        let received = target.http.send(&request).await?;
        if !(200..300).contains(&received.status) {
            return Err(CleanupError::Status {
                url: page,
                status: received.status,
            });
        }
        let body: Value = serde_json::from_slice(&received.body)
            .map_err(|_| CleanupError::NotAList { url: page.clone() })?;
        for entry in body
            .pointer(items)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let tagged = entry
                .pointer(cleanup.tag.as_str())
                .and_then(Value::as_str)
                .is_some_and(|t| t.starts_with(prefix));
            let closed = entry.pointer(status_pointer).and_then(Value::as_str)
                == Some(cleanup.close_to.status.as_str());
            if let (true, false, Some(id)) = (
                tagged,
                closed,
                entry.pointer(resource.id.as_str()).and_then(Value::as_str),
            ) {
                found.push(id.to_owned());
            }
        }
        if pages < MAX_PAGES {
            url = body
                .pointer(next)
                .and_then(Value::as_str)
                .map(|n| target.http.url(n));
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// Moves each resource of `ids` to the closed state, as the scenario `name`.
pub async fn close(
    suite: &Suite,
    target: &Target,
    options: &RunOptions,
    ids: &[String],
    name: &str,
) -> Closed {
    let started = Instant::now();
    let scenario = Scenario {
        name: name.to_owned(),
        doc: None,
        tags: vec!["cleanup".into()],
        steps: Vec::new().into(),
        file: suite.contract_path.clone(),
        derived: true,
    };
    let all_checks = checks::all();
    let mut done = Closed {
        closed: Vec::new(),
        already: Vec::new(),
        failed: Vec::new(),
        outcome: ScenarioOutcome {
            name: name.to_owned(),
            file: suite.contract_path.display().to_string(),
            derived: true,
            doc: None,
            tags: vec!["cleanup".into()],
            outcome: Outcome::Passed,
            reason: None,
            duration_ms: 0.0,
            steps: Vec::new(),
        },
    };
    let contract = &suite.contract;
    let needs = match (
        &contract.cleanup,
        &contract.states,
        &contract.operations.patch,
    ) {
        (None, _, _) => Err(CleanupError::NoCleanup),
        (Some(_), None, _) => Err(CleanupError::NoStates),
        (Some(_), Some(_), None) => Err(CleanupError::NoPatch),
        (Some(cleanup), Some(states), Some(patch)) => Ok((cleanup, states, patch)),
    };
    let (cleanup, states, patch) = match needs {
        Ok(needs) => needs,
        Err(error) => {
            done.outcome.outcome = Outcome::Skipped;
            done.outcome.reason = Some(error.to_string());
            return done;
        }
    };
    let cx = Cx {
        suite,
        target,
        options,
        cleanup,
        states,
        patch,
        scenario: &scenario,
        checks: &all_checks,
    };
    for id in ids {
        match cx.close_one(id, &mut done.outcome.steps).await {
            Ok(Some(true)) => done.closed.push(id.clone()),
            Ok(Some(false)) => done.already.push(id.clone()),
            Ok(None) => done.failed.push(id.clone()),
            Err(message) => {
                done.failed.push(id.clone());
                done.outcome.reason.get_or_insert(message);
            }
        }
    }
    let findings = done.outcome.findings().next().is_some();
    done.outcome.outcome = match (&done.outcome.reason, findings) {
        (Some(_), _) => Outcome::Error,
        (None, true) => Outcome::Failed,
        (None, false) => Outcome::Passed,
    };
    done.outcome.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    done
}

/// What closing needs.
struct Cx<'a> {
    suite: &'a Suite,
    target: &'a Target,
    options: &'a RunOptions,
    cleanup: &'a Cleanup,
    states: &'a States,
    patch: &'a Operation,
    scenario: &'a Scenario,
    checks: &'a [Box<dyn checks::Check>],
}

impl Cx<'_> {
    async fn step(
        &self,
        label: String,
        request: RequestSpec,
        situation: &str,
    ) -> Result<(StepOutcome, Option<Value>), String> {
        let mut capture = SmallMap::new();
        capture.insert(BODY.to_owned(), "body".to_owned());
        let step = Step {
            name: Some(label),
            request: Some(request),
            capture,
            expect: Expect {
                response: Some(situation.to_owned()),
                schema: self
                    .suite
                    .contract
                    .operations
                    .get
                    .as_ref()
                    .and_then(|get| get.response.clone()),
                ..Expect::default()
            },
            ..Step::default()
        };
        let mut vars = Vars::new();
        let outcome = runner::run_single_step(
            self.suite,
            self.scenario,
            &step,
            &mut vars,
            self.target,
            self.options,
            self.checks,
        )
        .await?;
        Ok((outcome, vars.remove(BODY)))
    }

    fn item_path(&self, id: &str) -> String {
        format!("{}/{id}", self.suite.contract.resource.path)
    }

    /// `Some(true)` closed now, `Some(false)` already closed, `None` not closed.
    async fn close_one(
        &self,
        id: &str,
        steps: &mut Vec<StepOutcome>,
    ) -> Result<Option<bool>, String> {
        let contract = &self.suite.contract;
        let target_state = &self.cleanup.close_to;
        // Twice at most: a 412 means it changed since the GET.
        for attempt in 1..=2 {
            let get = RequestSpec {
                method: "GET".into(),
                path: self.item_path(id),
                headers: SmallMap::new(),
                body: None,
                content_type: None,
            };
            let (outcome, current) = self.step(format!("{id} get"), get, "get").await?;
            steps.push(outcome);
            let Some(current) = current else {
                return Ok(None);
            };
            let status = current
                .pointer(self.states.status.as_str())
                .and_then(Value::as_str);
            if status == Some(target_state.status.as_str()) {
                return Ok(Some(false));
            }
            let mut headers = SmallMap::new();
            if let Some(etag) = contract
                .etag_pointer()
                .and_then(|p| current.pointer(p))
                .and_then(Value::as_str)
            {
                headers.insert(contract.if_match_header().to_owned(), etag.to_owned());
            }
            let situation = match &self.patch.prefer {
                Some(prefer) => {
                    headers.insert("Prefer".into(), "return=representation".into());
                    prefer.representation.clone()
                }
                None => self
                    .patch
                    .success_situation(OperationKind::Patch)
                    .to_owned(),
            };
            let body = self
                .patch
                .body
                .partial(&self.states.members(target_state))
                .ok_or_else(|| CleanupError::NoPatch.to_string())?;
            let request = RequestSpec {
                method: self.patch.method.clone(),
                path: self.item_path(id),
                headers,
                body: Some(Body {
                    json: Some(body),
                    ..Body::default()
                }),
                content_type: None,
            };
            let (outcome, _) = self
                .step(format!("{id} close"), request, &situation)
                .await?;
            let answered = outcome
                .exchange
                .as_ref()
                .and_then(|e| e.response.as_ref())
                .map_or(0, |r| r.status);
            if answered == 412 && attempt == 1 {
                steps.push(without_findings(outcome));
                continue;
            }
            steps.push(outcome);
            return Ok((200..300).contains(&answered).then_some(true));
        }
        Ok(None)
    }
}

/// A step whose findings are moot (a 412 that a fresh GET and a retry answer).
fn without_findings(mut step: StepOutcome) -> StepOutcome {
    let _: Vec<Finding> = std::mem::take(&mut step.findings);
    step
}
