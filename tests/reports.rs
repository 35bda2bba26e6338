//! The four reports of one run, as CI and people read them: the JUnit file parses with a
//! testcase per scenario and keeps failures apart from errors, the JSON file validates
//! against schemas/reports/run-record.schema.json and reads back, the Markdown summary
//! fits a pull request, the HTML page is self-contained, and no report shows a secret.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::record::{self, ERROR, ETAG_FINDING, FAILED, PASSED, SCHEMA_FINDING, SKIPPED, TOKEN};
use serde_json::Value;
use vouch::outcome::{RunRecord, RECORD_VERSION};
use vouch::report::{self, json, Redactor, ReportFormat, ReportSpec, WriteOptions};

/// The first child of `case` named `tag`.
fn child<'a, 'input>(
    case: &roxmltree::Node<'a, 'input>,
    tag: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    case.children().find(|n| n.has_tag_name(tag))
}

/// Writes every report of `record` into `dir`, redacted as the runner does it.
fn write_all(record: &RunRecord, dir: &Path, options: &WriteOptions) -> Vec<PathBuf> {
    let mut record = record.clone();
    Redactor::new(["X-Correlation-Secret"], [TOKEN]).redact(&mut record);
    ReportFormat::ALL
        .into_iter()
        .map(|format| {
            let spec: ReportSpec = format!(
                "{format}={}",
                dir.join(format!("out/report.{format}")).display()
            )
            .parse()
            .unwrap();
            report::write_with(&spec, &record, options).unwrap();
            spec.path
        })
        .collect()
}

fn written(format: ReportFormat) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_all(&record::sample(), dir.path(), &WriteOptions::default());
    let index = ReportFormat::ALL.iter().position(|f| *f == format).unwrap();
    let text = fs::read_to_string(&paths[index]).unwrap();
    (dir, text)
}

fn run_record_schema() -> jsonschema::Validator {
    let path = common::root().join("schemas/reports/run-record.schema.json");
    let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::meta::validate(&schema).expect("the schema is valid JSON Schema 2020-12");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn schema_errors(instance: &Value) -> Vec<String> {
    let validator = run_record_schema();
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn one_run_writes_all_four_reports_into_new_folders() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();

    // Act
    let paths = write_all(&record::sample(), dir.path(), &WriteOptions::default());

    // Assert
    assert_eq!(paths.len(), 4);
    for path in paths {
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(FAILED),
            "{} names the failed scenario",
            path.display()
        );
    }
}

#[test]
fn the_junit_file_has_one_testcase_per_scenario_and_keeps_failures_apart_from_errors() {
    // Arrange
    let (_dir, xml) = written(ReportFormat::Junit);

    // Act
    let document = roxmltree::Document::parse(&xml).expect("the JUnit file is well-formed XML");
    let cases: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let named = |name: &str| {
        cases
            .iter()
            .find(|c| c.attribute("name") == Some(name))
            .unwrap_or_else(|| panic!("a testcase named {name:?}"))
    };

    // Assert
    assert_eq!(cases.len(), 4);
    let suite = document
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("tests"), Some("4"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("errors"), Some("1"));
    assert_eq!(suite.attribute("skipped"), Some("1"));
    assert_eq!(
        document
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        1
    );
    assert_eq!(
        document
            .descendants()
            .filter(|n| n.has_tag_name("error"))
            .count(),
        1
    );

    let failed = named(FAILED);
    assert_eq!(
        failed.attribute("classname"),
        Some("fixtures/referrals/scenarios/put-documented.yaml")
    );
    assert_eq!(failed.attribute("time"), Some("0.088"));
    let failure = child(failed, "failure").expect("the failed scenario has a <failure>");
    assert!(failure
        .attribute("message")
        .unwrap()
        .starts_with("2 findings; first: "));
    assert_eq!(failure.attribute("type"), Some("etag-rotates, schema"));
    let description = failure.text().unwrap();
    assert!(description.contains(&format!(
        "fixtures/referrals/scenarios/put-documented.yaml:16:7 step 2 at /substatus: {SCHEMA_FINDING} [schema, documented]"
    )), "{description}");
    assert!(description.contains(ETAG_FINDING), "{description}");
    assert!(
        description.contains("-  \"substatus\": \"Won\","),
        "the snapshot diff: {description}"
    );

    let error =
        child(named(ERROR), "error").expect("the scenario vouch could not run has an <error>");
    assert!(error
        .attribute("message")
        .unwrap()
        .contains("connection refused"));
    assert!(child(named(ERROR), "failure").is_none());

    let skipped = child(named(SKIPPED), "skipped").unwrap();
    assert!(skipped
        .attribute("message")
        .unwrap()
        .contains("--allow-mutations"));
    assert!(child(named(PASSED), "failure").is_none());
}

#[test]
fn the_json_report_validates_against_the_run_record_schema() {
    // Arrange
    let (_dir, text) = written(ReportFormat::Json);
    let instance: Value = serde_json::from_str(&text).unwrap();

    // Act
    let errors = schema_errors(&instance);

    // Assert
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(instance["record_version"], RECORD_VERSION);
    assert_eq!(instance["scenarios"].as_array().unwrap().len(), 4);
}

#[test]
fn the_schema_versions_the_record_and_refuses_what_the_record_never_holds() {
    // Arrange
    let path = common::root().join("schemas/reports/run-record.schema.json");
    let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let (_dir, text) = written(ReportFormat::Json);
    let good: Value = serde_json::from_str(&text).unwrap();
    let mut unknown_field = good.clone();
    unknown_field["scenarios"][0]["colour"] = "red".into();
    let mut bad_outcome = good.clone();
    bad_outcome["scenarios"][1]["outcome"] = "flaky".into();
    let mut unmarked_cut = good.clone();
    unmarked_cut["scenarios"][3]["steps"][0]["exchange"]["request"]["body"] = "xxx".into();
    let mut bad_time = good.clone();
    bad_time["started"] = "yesterday".into();

    // Act
    let refused =
        [unknown_field, bad_outcome, unmarked_cut, bad_time].map(|v| schema_errors(&v).len());

    // Assert
    assert_eq!(
        schema["properties"]["record_version"]["const"],
        RECORD_VERSION
    );
    assert!(refused.iter().all(|&n| n > 0), "{refused:?}");
}

#[test]
fn the_json_report_reads_back_into_the_same_record() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let paths = write_all(&record::sample(), dir.path(), &WriteOptions::default());
    let mut expected = record::sample();
    Redactor::new(["X-Correlation-Secret"], [TOKEN]).redact(&mut expected);

    // Act
    let read = json::read(&paths[1]).unwrap();

    // Assert
    assert_eq!(read, expected);
}

#[test]
fn the_markdown_summary_leads_with_the_verdict_and_lists_each_finding() {
    // Arrange
    let (_dir, md) = written(ReportFormat::Markdown);

    // Act
    let first = md.lines().next().unwrap();

    // Assert
    assert_eq!(
        first,
        "## vouch: ⚠️ vouch could not run everything (1 passed, 1 failed, 1 skipped, 1 errors)"
    );
    assert!(md.contains("### ❌ Failed (1)"), "{md}");
    assert!(md.contains("| schema | documented | fixtures/referrals/scenarios/put-documented.yaml:16:7 step 2 at /substatus |"), "{md}");
    assert!(md.contains("| etag-rotates | assumed |"), "{md}");
    assert!(md.contains("```diff\n"), "{md}");
    assert!(md.contains("### ⚠️ Could not run (1)"), "{md}");
    assert!(
        md.contains("<details><summary>⏭️ Skipped (1)</summary>"),
        "{md}"
    );
}

#[test]
fn the_markdown_summary_is_appended_to_the_step_summary_when_one_is_set() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("step-summary.md");
    fs::write(&summary, "earlier step\n").unwrap();
    let options = WriteOptions {
        step_summary: Some(summary.clone()),
    };

    // Act
    write_all(&record::sample(), dir.path(), &options);

    // Assert
    let text = fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n## vouch: "), "{text}");
    assert_eq!(
        text.matches("## vouch: ").count(),
        1,
        "only the Markdown report goes there"
    );
}

#[test]
fn the_html_report_is_self_contained() {
    // Arrange
    let (_dir, html) = written(ReportFormat::Html);
    let lower = html.to_ascii_lowercase();

    // Act
    let external: Vec<&str> = ["src=", "href=", "url(", "@import"]
        .into_iter()
        .flat_map(|attribute| lower.match_indices(attribute))
        .map(|(at, _)| &lower[at..(at + 40).min(lower.len())])
        .filter(|link| !link.contains("\"#scenario-"))
        .collect();

    // Assert
    assert!(
        external.is_empty(),
        "links that load or lead elsewhere: {external:?}"
    );
    assert!(!lower.contains("<script"), "no script at all");
    assert!(!lower.contains("<link"), "no stylesheet or font is fetched");
    assert!(lower.contains("content-security-policy"));
    assert!(html
        .contains("<details class=\"scenario\" data-outcome=\"failed\" id=\"scenario-1\" open>"));
}

#[test]
fn the_html_report_shows_the_snapshot_diff_side_by_side_and_the_exchange() {
    // Arrange
    let (_dir, html) = written(ReportFormat::Html);

    // Act
    let diff_row = "<td class=\"ln del\">4</td><td class=\"del\">  &quot;substatus&quot;: &quot;Won&quot;,</td>\
                    <td class=\"ln ins\">4</td><td class=\"ins\">  &quot;substatus&quot;: &quot;Kazanıldı&quot;,</td>";

    // Assert
    assert!(html.contains(diff_row), "the changed line, paired");
    assert!(html.contains("PUT http://127.0.0.1:41234/v1.0/engagements/referrals/"));
    assert!(html.contains("<span class=\"status s2\">200</span>"));
    assert!(
        html.contains("&quot;substatus&quot;: &quot;Kazanıldı&quot;"),
        "pretty-printed body"
    );
    assert!(html.contains(ETAG_FINDING));
}

#[test]
fn no_report_shows_the_token_or_a_credential_header() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let mut record = record::sample();
    record.scenarios[1].steps[1]
        .exchange
        .as_mut()
        .unwrap()
        .request
        .headers
        .push(("X-Correlation-Secret".into(), "corr-77".into()));

    // Act
    let paths = write_all(&record, dir.path(), &WriteOptions::default());

    // Assert
    for path in paths {
        let text = fs::read_to_string(&path).unwrap();
        let shown = path.display();
        assert!(!text.contains(TOKEN), "{shown} shows the token");
        assert!(
            !text.contains(&TOKEN[..12]),
            "{shown} shows the token's start"
        );
        assert!(
            !text.contains("corr-77"),
            "{shown} shows a --redact-header value"
        );
        assert!(!text.contains("ARRAffinity"), "{shown} shows a cookie");
    }
    let json = fs::read_to_string(dir.path().join("out/report.json")).unwrap();
    assert!(json.contains(r#""Authorization","#) && json.contains(r#""[redacted]""#));
    assert!(
        json.contains("pasted by mistake: [redacted]"),
        "a token in a body is redacted"
    );
}

#[test]
fn a_report_of_an_unredacted_record_still_hides_credential_headers() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let spec: ReportSpec = format!("json={}", dir.path().join("r.json").display())
        .parse()
        .unwrap();

    // Act
    report::write_with(&spec, &record::sample(), &WriteOptions::default()).unwrap();

    // Assert
    let text = fs::read_to_string(&spec.path).unwrap();
    assert!(!text.contains(&format!("Bearer {TOKEN}")));
    assert!(!text.contains("ARRAffinity"));
}

#[test]
fn a_report_path_that_cannot_be_written_is_an_error_naming_it() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    fs::write(&blocker, "").unwrap();
    let spec: ReportSpec = format!("html={}", blocker.join("report.html").display())
        .parse()
        .unwrap();

    // Act
    let error = report::write_with(&spec, &record::sample(), &WriteOptions::default()).unwrap_err();

    // Assert
    assert!(
        error.to_string().contains(&blocker.display().to_string()),
        "{error}"
    );
}
