//! The JUnit XML report, for CI systems: one `<testsuite>` for the run, one `<testcase>`
//! per scenario (classname: its file), with a `<failure>` listing the findings with their
//! locations when the target departs from the contract, an `<error>` when vouch could not
//! run the scenario, `<skipped>` with its reason (inconclusive ones too, marked so), and every time in seconds.

use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{Render, ReportError};
use crate::outcome::{Outcome, RunRecord, ScenarioOutcome};

/// The JUnit report format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Junit;

impl Render for Junit {
    fn render(&self, record: &RunRecord, out: &mut impl Write) -> Result<(), ReportError> {
        report(record)
            .serialize(&mut *out)
            .map_err(ReportError::Junit)?;
        out.write_all(b"\n")?;
        Ok(())
    }
}

fn report(record: &RunRecord) -> Report {
    let started = chrono::DateTime::parse_from_rfc3339(&record.started).ok();
    let mut suite = TestSuite::new(format!("vouch: {}", record.suite));
    suite.set_time(seconds(record.duration_ms));
    if let Some(started) = started {
        suite.set_timestamp(started);
    }
    suite.add_properties([
        Property::new("target", &record.target.kind),
        Property::new("target.url", &record.target.url),
        Property::new("vouch.version", &record.vouch_version),
        Property::new("record.version", record.record_version.to_string()),
    ]);
    suite.add_test_cases(record.scenarios.iter().map(test_case));

    let mut report = Report::new("vouch");
    report.set_time(seconds(record.duration_ms));
    if let Some(started) = started {
        report.set_timestamp(started);
    }
    report.add_test_suite(suite);
    report
}

fn test_case(scenario: &ScenarioOutcome) -> TestCase {
    let mut case = TestCase::new(&scenario.name, status(scenario));
    case.set_classname(&scenario.file);
    case.set_time(seconds(scenario.duration_ms));
    if let Some(doc) = &scenario.doc {
        case.add_property(Property::new("doc", doc));
    }
    if scenario.derived {
        case.add_property(Property::new("derived", "true"));
    }
    if !scenario.tags.is_empty() {
        case.add_property(Property::new("tags", scenario.tags.join(",")));
    }
    let steps = steps_log(scenario);
    if !steps.is_empty() {
        case.set_system_out(steps);
    }
    case
}

fn status(scenario: &ScenarioOutcome) -> TestCaseStatus {
    match scenario.outcome {
        Outcome::Passed => TestCaseStatus::success(),
        Outcome::Skipped => {
            let mut status = TestCaseStatus::skipped();
            if let Some(reason) = &scenario.reason {
                status.set_message(reason);
            }
            status
        }
        // JUnit has no fourth outcome: an inconclusive scenario is skipped, with its reason.
        Outcome::Inconclusive => {
            let mut status = TestCaseStatus::skipped();
            status.set_type("inconclusive");
            status.set_message(format!(
                "inconclusive: {}",
                scenario
                    .reason
                    .as_deref()
                    .unwrap_or("the precondition could not be established")
            ));
            status
        }
        Outcome::Error => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_type("vouch could not run the scenario");
            status.set_message(
                scenario
                    .reason
                    .as_deref()
                    .unwrap_or("vouch could not run the scenario"),
            );
            status
        }
        Outcome::Failed => failure(scenario),
    }
}

fn failure(scenario: &ScenarioOutcome) -> TestCaseStatus {
    let findings: Vec<_> = scenario.findings().collect();
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    let mut rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    status.set_type(if rules.is_empty() {
        "non-conformance".to_owned()
    } else {
        rules.join(", ")
    });
    let message = match findings.as_slice() {
        [] => scenario
            .reason
            .clone()
            .unwrap_or_else(|| "the target departs from the contract".to_owned()),
        [only] => only.to_string(),
        [first, ..] => format!("{} findings; first: {first}", findings.len()),
    };
    status.set_message(message);
    let mut description = String::new();
    for finding in &findings {
        let _ = writeln!(description, "{finding}");
    }
    for snapshot in scenario.steps.iter().filter_map(|s| s.snapshot.as_ref()) {
        let _ = writeln!(description, "\nsnapshot {} differs:", snapshot.name);
        let diff = similar::TextDiff::from_lines(&snapshot.expected, &snapshot.actual);
        let _ = write!(
            description,
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header("stored", "received")
        );
    }
    if !description.is_empty() {
        status.set_description(description);
    }
    status
}

/// One line per step: what was sent, what came back, how long it took.
fn steps_log(scenario: &ScenarioOutcome) -> String {
    let mut log = String::new();
    for step in &scenario.steps {
        let _ = write!(log, "{} ({:.0} ms)", step.name, step.duration_ms);
        if let Some(exchange) = &step.exchange {
            let _ = write!(
                log,
                ": {} {}",
                exchange.request.method, exchange.request.url
            );
            match &exchange.response {
                Some(response) => {
                    let _ = write!(log, " -> {}", response.status);
                }
                None => log.push_str(" -> no response"),
            }
            if exchange.attempts > 1 {
                let _ = write!(log, " after {} attempts", exchange.attempts);
            }
        }
        let _ = writeln!(log, "; {} findings", step.findings.len());
    }
    log
}

fn seconds(ms: f64) -> Duration {
    if ms.is_finite() && ms > 0.0 {
        Duration::from_secs_f64(ms / 1000.0)
    } else {
        Duration::ZERO
    }
}
