//! Read-only verification: judging the data a target already holds, without writing
//! anything (a partner's production tenant welcomes no test writes, and the API has no
//! DELETE). What it judges is data, the contract's `verification:` section: the list
//! pages (envelope, paging, `@odata.count`), each listed resource got by id (status,
//! schema, `ETag` header, pair, links, agreement with its list entry, its times), and each
//! `$filter` shape built from values seen in the data. Every request is an ordinary
//! runner step, so the checks of a scenario judge it too. It runs at the end of every run,
//! after the scenarios, and reports like them: one outcome per `verify:` scenario.

mod agree;
mod filters;
mod listing;
mod query;

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use crate::checks;
use crate::endpoint::Target;
use crate::finding::{Basis, Finding, Location};
use crate::fixture::scenario::{Expect, RequestSpec, Scenario, Step};
use crate::fixture::small_map::SmallMap;
use crate::fixture::template::Vars;
use crate::fixture::verification::Verification;
use crate::fixture::{Contract, Suite};
use crate::outcome::{Outcome, RunRecord, ScenarioOutcome, StepOutcome};
use crate::runner::{self, RunOptions};

/// Every verification scenario's name starts with this.
pub const PREFIX: &str = "verify: ";
/// The scenario of the list pages.
pub const LISTING: &str = "verify: the list pages (envelope, paging, count)";
/// The scenario of the resources got by id, named with the contract's noun.
pub fn by_id(contract: &Contract) -> String {
    format!(
        "{PREFIX}each listed {} agrees with its GET by id",
        contract.resource.noun()
    )
}

/// The name of a `$filter` shape's scenario.
pub fn filter_name(shape: &str) -> String {
    format!("{PREFIX}$filter {shape}")
}

/// The variable a verification step captures its response body into.
const BODY: &str = "verified";

/// What every verification step needs.
struct Run<'a> {
    suite: &'a Suite,
    target: &'a Target,
    options: &'a RunOptions,
    spec: &'a Verification,
    checks: Vec<Box<dyn checks::Check>>,
}

impl Run<'_> {
    /// A scenario to hold a verification's steps (findings name contract.yaml).
    fn scenario(&self, name: &str) -> Scenario {
        Scenario {
            name: name.to_owned(),
            doc: None,
            tags: vec!["verify".into()],
            steps: Vec::new().into(),
            file: self.suite.contract_path.clone(),
            derived: true,
        }
    }

    /// Sends one GET as a runner step judged as `situation` with `schema`, and returns its
    /// outcome and its JSON body.
    async fn get(
        &self,
        scenario: &Scenario,
        label: String,
        path: String,
        situation: &str,
        schema: &str,
    ) -> Result<(StepOutcome, Option<Value>), String> {
        let mut capture = SmallMap::new();
        capture.insert(BODY.to_owned(), "body".to_owned());
        let step = Step {
            name: Some(label),
            request: Some(RequestSpec {
                method: "GET".into(),
                path,
                headers: SmallMap::new(),
                body: None,
                content_type: None,
            }),
            capture,
            expect: Expect {
                response: Some(situation.to_owned()),
                schema: Some(schema.to_owned()),
                ..Expect::default()
            },
            ..Step::default()
        };
        let mut vars = Vars::new();
        let outcome = runner::run_single_step(
            self.suite,
            scenario,
            &step,
            &mut vars,
            self.target,
            self.options,
            &self.checks,
        )
        .await?;
        Ok((outcome, vars.remove(BODY)))
    }

    /// A finding of `rule` (its basis from the contract) at a step and pointer.
    fn finding(&self, rule: &str, step: &str, pointer: &str, message: String) -> Finding {
        let basis = self
            .suite
            .contract
            .rules
            .get(rule)
            .map_or(Basis::Assumed, |r| r.basis);
        self.finding_with(rule, basis, step, pointer, message)
    }

    fn finding_with(
        &self,
        rule: &str,
        basis: Basis,
        step: &str,
        pointer: &str,
        message: String,
    ) -> Finding {
        Finding {
            rule: rule.to_owned(),
            basis,
            location: Location::file(&self.suite.contract_path)
                .step(step)
                .pointer(pointer),
            message,
        }
    }

    /// A scenario's outcome from its steps.
    fn outcome(
        &self,
        name: &str,
        steps: Vec<StepOutcome>,
        error: Option<String>,
        started: Instant,
    ) -> ScenarioOutcome {
        let mut outcome = ScenarioOutcome {
            name: name.to_owned(),
            file: self.suite.contract_path.display().to_string(),
            derived: true,
            doc: None,
            tags: vec!["verify".into()],
            outcome: Outcome::Passed,
            reason: None,
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            steps,
        };
        if let Some(error) = error {
            outcome.outcome = Outcome::Error;
            outcome.reason = Some(error);
        } else if outcome.findings().next().is_some() {
            outcome.outcome = Outcome::Failed;
        } else if !self.options.keep_passed_exchanges {
            for step in &mut outcome.steps {
                step.exchange = None;
            }
        }
        outcome
    }

    fn skipped(&self, name: &str, reason: String) -> ScenarioOutcome {
        let mut outcome = self.outcome(name, Vec::new(), None, Instant::now());
        outcome.outcome = Outcome::Skipped;
        outcome.reason = Some(reason);
        outcome
    }
}

/// The names of the verification scenarios a run with `filter` runs, in order.
pub fn names(suite: &Suite, filter: Option<&str>) -> Vec<String> {
    let Some(spec) = suite.contract.verification.as_ref() else {
        return Vec::new();
    };
    [LISTING.to_owned(), by_id(&suite.contract)]
        .into_iter()
        .chain(spec.filters.iter().map(|f| filter_name(&f.shape)))
        .filter(|name| filter.is_none_or(|f| name.contains(f)))
        .collect()
}

/// Whether a run with `filter` runs any verification scenario.
pub fn selects(suite: &Suite, filter: Option<&str>) -> bool {
    !names(suite, filter).is_empty()
}

/// Whether a run with this `--filter` runs the scenario `name`.
fn selected(options: &RunOptions, name: &str) -> bool {
    options.filter.as_deref().is_none_or(|f| name.contains(f))
}

/// Verifies the data `target` holds, read-only: the outcomes of the `verify:` scenarios
/// the run's filter selects (none when the contract has no `verification:` section or
/// the sample is 0).
pub async fn verify(
    suite: &Arc<Suite>,
    target: &Arc<Target>,
    options: &Arc<RunOptions>,
) -> Vec<ScenarioOutcome> {
    let Some(spec) = suite.contract.verification.as_ref() else {
        return Vec::new();
    };
    let sample = options.sample.unwrap_or(spec.sample);
    let filter_names: Vec<String> = spec.filters.iter().map(|f| filter_name(&f.shape)).collect();
    let wanted = |name: &str| selected(options, name);
    let by_id = by_id(&suite.contract);
    if sample == 0 || !(wanted(LISTING) || wanted(&by_id) || filter_names.iter().any(|n| wanted(n)))
    {
        return Vec::new();
    }
    let run = Run {
        suite,
        target,
        options,
        spec,
        checks: checks::all(),
    };
    let mut outcomes = Vec::new();
    let listed = listing::list(&run, sample).await;
    let entries = listed.entries.clone();
    if wanted(LISTING) {
        outcomes.push(listed.outcome);
    }
    let (got_by_id, filtered) = tokio::join!(
        async {
            if wanted(&by_id) {
                Some(agree::agree(suite, target, options, spec, &entries).await)
            } else {
                None
            }
        },
        async {
            let mut outcomes = Vec::new();
            for (shape, name) in spec.filters.iter().zip(&filter_names) {
                if wanted(name) {
                    outcomes.push(filters::filter(&run, shape, name, &entries).await);
                }
            }
            outcomes
        }
    );
    outcomes.extend(got_by_id);
    outcomes.extend(filtered);
    outcomes
}

/// How many resources a run of `contract` checked in its verification (the steps of its
/// resources scenario), when it ran.
pub fn checked(record: &RunRecord, contract: &Contract) -> Option<usize> {
    let by_id = by_id(contract);
    record
        .scenarios
        .iter()
        .find(|s| s.name == by_id)
        .map(|s| s.steps.len())
}
