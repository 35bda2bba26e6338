//! `vouch compare BASE.json HEAD.json` as CI runs it: a newly failing scenario is named
//! and exits 1, identical runs exit 0, a file that is not a run record exits 2 naming it;
//! and the comparison itself: fixed, still failing, new and removed scenarios, and
//! responses whose status or JSON shape changed (the drift between double and live).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::record::{self, ERROR, FAILED, PASSED, SKIPPED};
use common::{stderr, stdout, vouch};
use vouch::outcome::{Outcome, RunRecord};
use vouch::report::compare::compare;
use vouch::report::{self, ReportSpec, WriteOptions};

fn save(record: &RunRecord, dir: &Path, name: &str) -> PathBuf {
    let spec: ReportSpec = format!("json={}", dir.join(name).display())
        .parse()
        .unwrap();
    report::write_with(&spec, record, &WriteOptions::default()).unwrap();
    spec.path
}

fn run_compare(base: &Path, head: &Path) -> std::process::Output {
    vouch(&["compare", base.to_str().unwrap(), head.to_str().unwrap()])
}

/// The PUT step of the failed scenario: its response.
fn put_response(record: &mut RunRecord) -> &mut vouch::outcome::RecordedResponse {
    let scenario = record
        .scenarios
        .iter_mut()
        .find(|s| s.name == FAILED)
        .unwrap();
    scenario.steps[1]
        .exchange
        .as_mut()
        .unwrap()
        .response
        .as_mut()
        .unwrap()
}

#[test]
fn a_newly_failing_scenario_is_named_and_exits_1() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let base = record::sample();
    let mut head = record::sample();
    record::set_outcome(&mut head, PASSED, Outcome::Failed);
    let base = save(&base, dir.path(), "base.json");
    let head = save(&head, dir.path(), "head.json");

    // Act
    let output = run_compare(&base, &head);

    // Assert
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}{}", stderr(&output));
    let section = out
        .split("\nnew failures (1):\n")
        .nth(1)
        .expect("a new failures section");
    let first = section.lines().next().unwrap();
    assert!(
        first.contains(PASSED) && first.ends_with(": passed -> failed"),
        "{out}"
    );
    assert!(out.contains("\nstill failing (2):\n"), "{out}");
    assert!(
        out.contains("compare: 1 new failure, 0 fixed, 2 still failing"),
        "{out}"
    );
}

#[test]
fn identical_runs_exit_0() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let base = save(&record::sample(), dir.path(), "base.json");
    let head = save(&record::sample(), dir.path(), "head.json");

    // Act
    let output = run_compare(&base, &head);

    // Assert
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert!(out.contains("compare: 0 new failures, 0 fixed, 2 still failing, 0 new, 0 removed, 0 changed responses"), "{out}");
    assert!(!out.contains("new failures ("), "{out}");
}

#[test]
fn a_file_that_is_not_a_run_record_exits_2_naming_it() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let base = save(&record::sample(), dir.path(), "base.json");
    let junit = dir.path().join("junit.xml");
    fs::write(&junit, "<testsuites/>").unwrap();
    let other_json = dir.path().join("other.json");
    fs::write(&other_json, r#"{"tests": 4}"#).unwrap();
    let missing = dir.path().join("missing.json");

    // Act
    let outputs = [&junit, &other_json, &missing].map(|head| run_compare(&base, head));

    // Assert
    for (output, file) in outputs.iter().zip([&junit, &other_json, &missing]) {
        let err = stderr(output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains(&file.display().to_string()), "{err}");
        assert!(stdout(output).is_empty());
    }
    assert!(stderr(&outputs[1]).contains("not a vouch run record: it has no `record_version`"));
    assert!(stderr(&outputs[2]).contains("cannot read the run record"));
}

#[test]
fn a_record_of_another_version_is_refused_with_exit_2() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let base = save(&record::sample(), dir.path(), "base.json");
    let mut future: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&base).unwrap()).unwrap();
    future["record_version"] = 99.into();
    let head = dir.path().join("future.json");
    fs::write(&head, future.to_string()).unwrap();

    // Act
    let output = run_compare(&base, &head);

    // Assert
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("run record version 99, but this vouch reads version 2"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn fixed_new_removed_and_no_longer_run_scenarios_are_told_apart() {
    // Arrange
    let base = record::sample();
    let mut head = record::sample();
    record::set_outcome(&mut head, FAILED, Outcome::Passed);
    record::set_outcome(&mut head, PASSED, Outcome::Skipped);
    head.scenarios.retain(|s| s.name != SKIPPED);
    let mut added = head.scenarios[0].clone();
    added.name = "a new scenario that fails".into();
    added.outcome = Outcome::Failed;
    head.scenarios.push(added);

    // Act
    let comparison = compare(&base, &head);

    // Assert
    let names = |changes: &[vouch::report::compare::ScenarioChange]| {
        changes.iter().map(|c| c.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&comparison.fixed), [FAILED]);
    assert_eq!(names(&comparison.now_skipped), [PASSED]);
    assert_eq!(names(&comparison.removed_scenarios), [SKIPPED]);
    assert_eq!(
        names(&comparison.new_scenarios),
        ["a new scenario that fails"]
    );
    assert_eq!(
        names(&comparison.new_failures),
        ["a new scenario that fails"]
    );
    assert_eq!(names(&comparison.still_failing), [ERROR]);
    assert_eq!(comparison.exit_code(), 1);
}

#[test]
fn a_still_failing_scenario_shows_only_its_new_findings() {
    // Arrange
    let base = record::sample();
    let mut head = record::sample();
    let scenario = head
        .scenarios
        .iter_mut()
        .find(|s| s.name == FAILED)
        .unwrap();
    let mut extra = scenario.steps[1].findings[0].clone();
    extra.rule = "round-trip".into();
    extra.location.pointer = Some("/name".into());
    extra.message = "name came back changed".into();
    scenario.steps[1].findings.push(extra);

    // Act
    let comparison = compare(&base, &head);

    // Assert
    let still = comparison
        .still_failing
        .iter()
        .find(|c| c.name == FAILED)
        .unwrap();
    let new: Vec<&str> = still.new_findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(new, ["round-trip"]);
    assert_eq!(comparison.exit_code(), 0, "no scenario newly fails");
}

#[test]
fn the_drift_report_names_steps_whose_status_or_shape_changed_and_ignores_values() {
    // Arrange
    let base = record::sample();
    let mut live = record::sample();
    live.target.kind = "live".into();
    live.target.url = "https://api.partner.example".into();
    let response = put_response(&mut live);
    let mut body: serde_json::Value =
        serde_json::from_str(response.body.as_deref().unwrap()).unwrap();
    body.as_object_mut().unwrap().remove("eTag");
    body["id"] = "another-id".into();
    body["qualification"] = serde_json::json!(3);
    response.body = Some(body.to_string());
    response.status = 202;

    // Act
    let comparison = compare(&base, &live);
    let mut text = Vec::new();
    comparison.render(&mut text).unwrap();
    let text = String::from_utf8(text).unwrap();

    // Assert
    assert!(comparison.is_drift());
    assert_eq!(comparison.changed_responses.len(), 1, "{text}");
    let change = &comparison.changed_responses[0];
    assert_eq!(
        (change.base_status, change.head_status),
        (Some(200), Some(202))
    );
    let pointers: Vec<&str> = change.shape.iter().map(|d| d.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        ["/eTag", "/qualification"],
        "a changed id is a value, not a shape"
    );
    assert!(
        text.contains("drift report: double (base) against live (head)"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{FAILED} / step 2 (PUT the documented update): status 200 -> 202"
        )),
        "{text}"
    );
    assert!(text.contains("      /eTag: string -> absent"), "{text}");
    assert!(
        text.contains("      /qualification: string -> number"),
        "{text}"
    );
}
