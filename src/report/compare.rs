//! `vouch compare BASE HEAD`: what changed between two runs of a suite. Scenarios are
//! matched by name; the comparison lists new failures (failing in head, not failing in
//! base, including new scenarios that fail), fixed ones, those still failing (with the
//! findings that are new), new and removed scenarios, scenarios no longer run, and the
//! steps whose responses changed: another status, or another JSON shape (keys and types,
//! not values; see [`Shape`]). Run on a double run and a live run of the same suite, it is
//! the drift report: where the double and the real service disagree.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};

use serde::Serialize;

use super::shape::{Shape, ShapeDifference};
use crate::finding::Finding;
use crate::outcome::{Outcome, RecordedResponse, RunRecord, ScenarioOutcome};

/// Two runs compared; every list follows the head run's order (removed ones, the base's).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub base: RunInfo,
    pub head: RunInfo,
    /// Failing (failed or error) in head, and not failing in base or absent from it.
    pub new_failures: Vec<ScenarioChange>,
    /// Failing in base, passed in head.
    pub fixed: Vec<ScenarioChange>,
    /// Failing in both; `new_findings` are those head has and base had not.
    pub still_failing: Vec<ScenarioChange>,
    /// In head only (whatever their outcome).
    pub new_scenarios: Vec<ScenarioChange>,
    /// In base only.
    pub removed_scenarios: Vec<ScenarioChange>,
    /// Run in base (passed or failing), skipped in head.
    pub now_skipped: Vec<ScenarioChange>,
    /// Conclusive in base, inconclusive in head (the target could not be brought to the
    /// state they need): not failures, but no longer judged.
    pub now_inconclusive: Vec<ScenarioChange>,
    /// Steps of scenarios in both runs whose response has another status or shape.
    pub changed_responses: Vec<ResponseChange>,
}

/// What identifies a run in the comparison's heading.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    pub suite: String,
    pub target_kind: String,
    pub target_url: String,
    pub started: String,
    pub scenarios: usize,
}

/// One scenario, as it ended in each run (`None`: absent from that run).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioChange {
    pub name: String,
    pub file: String,
    pub base: Option<Outcome>,
    pub head: Option<Outcome>,
    /// Head's findings that base did not have (same rule, step and pointer).
    pub new_findings: Vec<Finding>,
    /// Head's reason, when it was skipped, inconclusive or could not run.
    pub reason: Option<String>,
}

/// A step whose response differs between the runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseChange {
    pub scenario: String,
    pub step: String,
    /// The step's position in its scenario, from 1.
    pub position: usize,
    /// The status in each run (`None`: no response).
    pub base_status: Option<u16>,
    pub head_status: Option<u16>,
    /// Where the bodies' shapes differ.
    pub shape: Vec<ShapeDifference>,
}

impl Comparison {
    /// Whether head fails somewhere base did not: `vouch compare` exits 1 then.
    pub fn has_new_failures(&self) -> bool {
        !self.new_failures.is_empty()
    }

    /// 1 when there is a new failure, else 0.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.has_new_failures())
    }

    /// Whether the two runs went to different kinds of target (the double and a live
    /// service): the comparison is then a drift report.
    pub fn is_drift(&self) -> bool {
        self.base.target_kind != self.head.target_kind
    }
}

fn failing(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Failed | Outcome::Error)
}

fn info(record: &RunRecord) -> RunInfo {
    RunInfo {
        suite: record.suite.clone(),
        target_kind: record.target.kind.clone(),
        target_url: record.target.url.clone(),
        started: record.started.clone(),
        scenarios: record.scenarios.len(),
    }
}

fn change(base: Option<&ScenarioOutcome>, head: &ScenarioOutcome) -> ScenarioChange {
    let known: BTreeSet<_> = base
        .into_iter()
        .flat_map(ScenarioOutcome::findings)
        .map(finding_key)
        .collect();
    ScenarioChange {
        name: head.name.clone(),
        file: head.file.clone(),
        base: base.map(|b| b.outcome),
        head: Some(head.outcome),
        new_findings: head
            .findings()
            .filter(|f| !known.contains(&finding_key(f)))
            .cloned()
            .collect(),
        reason: head.reason.clone(),
    }
}

/// What makes two findings "the same" across runs: messages may quote ids and times.
fn finding_key(finding: &Finding) -> (&str, Option<&str>, Option<&str>) {
    (
        finding.rule.as_str(),
        finding.location.step.as_deref(),
        finding.location.pointer.as_deref(),
    )
}

/// Compares two runs of a suite.
pub fn compare(base: &RunRecord, head: &RunRecord) -> Comparison {
    let base_by_name: HashMap<&str, &ScenarioOutcome> = base
        .scenarios
        .iter()
        .map(|s| (s.name.as_str(), s))
        .collect();
    let head_names: BTreeSet<&str> = head.scenarios.iter().map(|s| s.name.as_str()).collect();
    let mut comparison = Comparison {
        base: info(base),
        head: info(head),
        new_failures: Vec::new(),
        fixed: Vec::new(),
        still_failing: Vec::new(),
        new_scenarios: Vec::new(),
        removed_scenarios: Vec::new(),
        now_skipped: Vec::new(),
        now_inconclusive: Vec::new(),
        changed_responses: Vec::new(),
    };
    for scenario in &head.scenarios {
        let before = base_by_name.get(scenario.name.as_str()).copied();
        let entry = change(before, scenario);
        let now = scenario.outcome;
        match before.map(|b| b.outcome) {
            None => {
                if failing(now) {
                    comparison.new_failures.push(entry.clone());
                }
                comparison.new_scenarios.push(entry);
                continue;
            }
            Some(was) if failing(was) && failing(now) => comparison.still_failing.push(entry),
            Some(_) if failing(now) => comparison.new_failures.push(entry),
            Some(was) if failing(was) && now == Outcome::Passed => comparison.fixed.push(entry),
            Some(was) if was != Outcome::Skipped && now == Outcome::Skipped => {
                comparison.now_skipped.push(entry);
            }
            Some(was) if was != Outcome::Inconclusive && now == Outcome::Inconclusive => {
                comparison.now_inconclusive.push(entry);
            }
            Some(_) => {}
        }
        if let Some(before) = before {
            comparison
                .changed_responses
                .extend(response_changes(before, scenario));
        }
    }
    comparison.removed_scenarios = base
        .scenarios
        .iter()
        .filter(|s| !head_names.contains(s.name.as_str()))
        .map(|s| ScenarioChange {
            name: s.name.clone(),
            file: s.file.clone(),
            base: Some(s.outcome),
            head: None,
            new_findings: Vec::new(),
            reason: None,
        })
        .collect();
    comparison
}

/// A response body as far as shapes go.
enum Body {
    None,
    Text,
    Json(Shape),
    /// Truncated: its shape is unknown, so it is not compared.
    Unknown,
}

impl Body {
    fn of(response: &RecordedResponse) -> Self {
        match &response.body {
            _ if response.body_truncated => Body::Unknown,
            None => Body::None,
            Some(text) if text.trim().is_empty() => Body::None,
            Some(text) => Shape::of_text(text).map_or(Body::Text, Body::Json),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Body::None => "no body",
            Body::Text => "a body that is not JSON",
            Body::Json(_) => "a JSON body",
            Body::Unknown => "a truncated body",
        }
    }
}

fn response_changes<'a>(
    base: &'a ScenarioOutcome,
    head: &'a ScenarioOutcome,
) -> impl Iterator<Item = ResponseChange> + 'a {
    base.steps
        .iter()
        .zip(&head.steps)
        .enumerate()
        .filter_map(move |(index, (before, after))| {
            let before = before.exchange.as_ref()?.response.as_ref();
            let after_response = after.exchange.as_ref()?.response.as_ref();
            let shape = match (before, after_response) {
                (Some(b), Some(a)) => match (Body::of(b), Body::of(a)) {
                    (Body::Unknown, _) | (_, Body::Unknown) => Vec::new(),
                    (Body::Json(b), Body::Json(a)) => b.differences(&a),
                    (b, a) if b.name() == a.name() => Vec::new(),
                    (b, a) => vec![ShapeDifference {
                        pointer: String::new(),
                        base: Some(b.name().to_owned()),
                        head: Some(a.name().to_owned()),
                    }],
                },
                _ => Vec::new(),
            };
            let base_status = before.map(|r| r.status);
            let head_status = after_response.map(|r| r.status);
            (base_status != head_status || !shape.is_empty()).then(|| ResponseChange {
                scenario: head.name.clone(),
                step: after.name.clone(),
                position: index + 1,
                base_status,
                head_status,
                shape,
            })
        })
}

fn outcome_word(outcome: Option<Outcome>) -> &'static str {
    outcome.map_or("absent", Outcome::as_str)
}

fn status_word(status: Option<u16>) -> String {
    status.map_or_else(|| "no response".to_owned(), |s| s.to_string())
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

impl Comparison {
    /// Renders the comparison as plain text, for a terminal or a CI log.
    pub fn render(&self, out: &mut impl Write) -> io::Result<()> {
        let run = |info: &RunInfo| {
            format!(
                "{} on {} {} (started {}, {} scenarios)",
                info.suite, info.target_kind, info.target_url, info.started, info.scenarios
            )
        };
        writeln!(out, "base: {}", run(&self.base))?;
        writeln!(out, "head: {}", run(&self.head))?;
        if self.is_drift() {
            writeln!(
                out,
                "drift report: {} (base) against {} (head); every difference below is a place where they disagree",
                self.base.target_kind, self.head.target_kind
            )?;
        }
        section(out, "new failures", &self.new_failures, true)?;
        section(out, "fixed", &self.fixed, false)?;
        section(out, "still failing", &self.still_failing, true)?;
        section(out, "new scenarios", &self.new_scenarios, false)?;
        section(out, "removed scenarios", &self.removed_scenarios, false)?;
        section(
            out,
            "no longer run (skipped in head)",
            &self.now_skipped,
            false,
        )?;
        section(
            out,
            "inconclusive in head (precondition not reached; not failures)",
            &self.now_inconclusive,
            false,
        )?;
        if !self.changed_responses.is_empty() {
            writeln!(
                out,
                "\nchanged responses ({}):",
                self.changed_responses.len()
            )?;
            for change in &self.changed_responses {
                write!(
                    out,
                    "  {} / step {} ({})",
                    change.scenario, change.position, change.step
                )?;
                if change.base_status == change.head_status {
                    writeln!(out, ": status {}", status_word(change.head_status))?;
                } else {
                    writeln!(
                        out,
                        ": status {} -> {}",
                        status_word(change.base_status),
                        status_word(change.head_status)
                    )?;
                }
                for difference in &change.shape {
                    let pointer = if difference.pointer.is_empty() {
                        "(body)"
                    } else {
                        &difference.pointer
                    };
                    writeln!(
                        out,
                        "      {pointer}: {} -> {}",
                        difference.base.as_deref().unwrap_or("absent"),
                        difference.head.as_deref().unwrap_or("absent")
                    )?;
                }
            }
        }
        writeln!(
            out,
            "\ncompare: {}, {} fixed, {} still failing, {} new, {} removed, {}",
            plural(self.new_failures.len(), "new failure", "new failures"),
            self.fixed.len(),
            self.still_failing.len(),
            self.new_scenarios.len(),
            self.removed_scenarios.len(),
            plural(
                self.changed_responses.len(),
                "changed response",
                "changed responses"
            ),
        )
    }
}

fn section(
    out: &mut impl Write,
    title: &str,
    changes: &[ScenarioChange],
    with_findings: bool,
) -> io::Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title} ({}):", changes.len())?;
    for change in changes {
        write!(out, "  {}  [{}]", change.name, change.file)?;
        match (change.base, change.head) {
            (Some(base), Some(head)) if base != head => {
                writeln!(out, ": {} -> {}", base.as_str(), head.as_str())?;
            }
            (base, head) => writeln!(
                out,
                ": {}",
                if head.is_some() {
                    outcome_word(head)
                } else {
                    outcome_word(base)
                }
            )?,
        }
        if let Some(reason) = &change.reason {
            writeln!(out, "      reason: {reason}")?;
        }
        if with_findings {
            for finding in &change.new_findings {
                writeln!(out, "      new finding: {finding}")?;
            }
        }
    }
    Ok(())
}
