//! Reports from real runs: one `vouch run` (against a double with a fault, so it fails)
//! writes all four reports; the JUnit file has one testcase per scenario, the JSON record
//! validates against its schema; and `vouch compare` of a clean run with that run exits 1
//! and names a newly failing scenario.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::path::Path;

use common::{stdout, vouch};
use serde_json::Value;

fn run_with_reports(dir: &Path, name: &str, extra: &[&str]) -> std::process::Output {
    let path = |ext: &str| dir.join(format!("{name}.{ext}")).display().to_string();
    let mut args = vec!["run".to_owned(), "--quiet".into()];
    for (kind, ext) in [
        ("junit", "xml"),
        ("json", "json"),
        ("markdown", "md"),
        ("html", "html"),
    ] {
        args.push("--report".into());
        args.push(format!("{kind}={}", path(ext)));
    }
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    vouch(&args)
}

#[test]
fn one_failing_run_writes_all_four_reports_that_parse_and_validate() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();

    // Act
    let output = run_with_reports(dir.path(), "faulty", &["--fault", "etag-not-rotated"]);

    // Assert: the run failed, and every report is there.
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("faulty.json")).unwrap())
            .unwrap();
    let scenarios = record["scenarios"].as_array().unwrap().len();
    assert!(scenarios > 150);

    let xml = std::fs::read_to_string(dir.path().join("faulty.xml")).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), scenarios, "one testcase per scenario");
    let failed = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    assert_eq!(
        failed,
        usize::try_from(record["totals"]["failed"].as_u64().unwrap()).unwrap()
    );
    assert!(failed > 0);

    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("schemas/reports/run-record.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&record)
        .map(|e| format!("{} {e}", e.instance_path()))
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let markdown = std::fs::read_to_string(dir.path().join("faulty.md")).unwrap();
    assert!(
        markdown.contains("etag-rotates"),
        "the summary names the broken rule"
    );
    let html = std::fs::read_to_string(dir.path().join("faulty.html")).unwrap();
    assert!(html.contains("etag-rotates") && !html.contains("<script src="));
}

#[test]
fn compare_of_a_clean_run_with_a_faulty_run_exits_1_and_names_the_new_failure() {
    // Arrange: the same suite, once clean and once against a double with a fault.
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        run_with_reports(dir.path(), "base", &["--filter", "etag:"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run_with_reports(
            dir.path(),
            "head",
            &["--filter", "etag:", "--fault", "wildcard-refused"]
        )
        .status
        .code(),
        Some(1)
    );
    let (base, head) = (dir.path().join("base.json"), dir.path().join("head.json"));

    // Act
    let output = vouch(&["compare", base.to_str().unwrap(), head.to_str().unwrap()]);

    // Assert
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("etag: If-Match * matches the current version"),
        "{out}"
    );
    let same = vouch(&["compare", base.to_str().unwrap(), base.to_str().unwrap()]);
    assert_eq!(same.status.code(), Some(0), "{}", stdout(&same));
}
