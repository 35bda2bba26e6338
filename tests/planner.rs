//! The second bundled suite, Microsoft Graph plannerTask (`fixtures/planner-tasks/`), as a
//! user runs it: `import-doc` reads the saved Graph pages by their structure (block
//! annotations, `msgraph-interactive` fences, a relative request syntax, truncated
//! responses, the update example's trailing comma) and reproduces the committed fixtures;
//! `lint` reports the pages' doc defects as known; and no Rust source names the API.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::fs;
use std::path::Path;

use common::{root, stdout, vouch};

const SUITE: &str = "fixtures/planner-tasks";
const PAGES: [&str; 5] = [
    "tests/data/docs/graph-v1.0/api/planner-post-tasks.md",
    "tests/data/docs/graph-v1.0/api/plannertask-get.md",
    "tests/data/docs/graph-v1.0/api/plannerplan-list-tasks.md",
    "tests/data/docs/graph-v1.0/api/plannertask-update.md",
    "tests/data/docs/graph-v1.0/api/plannertask-delete.md",
];
const UPDATE_RU: &str = "tests/data/docs/graph-v1.0.ru-ru/api/plannertask-update.md";

fn import(page: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["import-doc", page, "--suite", SUITE];
    args.extend_from_slice(extra);
    vouch(&args)
}

#[test]
fn every_saved_graph_page_reproduces_its_committed_fixtures() {
    for page in PAGES {
        // Arrange
        let out = tempfile::tempdir().unwrap();

        // Act
        let output = import(page, &["--out", out.path().to_str().unwrap()]);

        // Assert
        assert_eq!(output.status.code(), Some(0), "{page}: {}", stdout(&output));
        let written: Vec<_> = fs::read_dir(out.path()).unwrap().collect();
        assert!(!written.is_empty(), "{page} wrote no fixtures");
        for entry in written {
            let entry = entry.unwrap();
            let committed = root()
                .join(SUITE)
                .join("documented")
                .join(entry.file_name());
            assert_eq!(
                fs::read(entry.path()).unwrap(),
                fs::read(&committed).unwrap_or_default(),
                "{page}: {} differs from the committed fixture",
                entry.file_name().to_string_lossy()
            );
        }
    }
}

#[test]
fn check_passes_on_every_saved_graph_page() {
    for page in PAGES {
        let output = import(page, &["--check"]);
        assert_eq!(output.status.code(), Some(0), "{page}: {}", stdout(&output));
    }
}

#[test]
fn the_later_russian_update_page_differs_from_the_suite_only_by_its_prefer_header() {
    // Act: the later version (204, or 200 when asked), read in another language.
    let output = import(UPDATE_RU, &["--check"]);

    // Assert
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    let drift: Vec<&str> = report.lines().filter(|l| l.starts_with("DRIFT")).collect();
    assert_eq!(drift.len(), 1, "{report}");
    assert!(
        drift[0].contains("plannertask-update.request.raw: raw line 4")
            && drift[0].contains("Prefer: return=representation"),
        "{report}"
    );
    assert!(
        report.contains("(ru-RU)"),
        "the locale is read from the page: {report}"
    );
}

#[test]
fn the_update_page_is_read_by_its_annotations_and_names_its_trailing_comma() {
    // Act
    let output = import(PAGES[3], &[]);

    // Assert
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        report.contains("syntax  PATCH /planner/tasks/{id} (page line 27)"),
        "{report}"
    );
    assert!(
        report.contains("with block annotations: roles told by annotations and HTTP syntax"),
        "{report}"
    );
    assert!(
        report.contains("annotated as truncated"),
        "the response is marked truncated: {report}"
    );
    assert!(report.contains("[truncated-body, documented]"), "{report}");
    // The comma after "category6": true, on page line 154, column 22.
    assert!(
        report.contains("plannertask-update.md:154:22 (plannertask-update.response.raw:52:22)"),
        "{report}"
    );
    assert!(report.contains("[json-syntax, documented]"), "{report}");
    assert!(
        !report.contains("\nnew "),
        "every defect is known: {report}"
    );
}

#[test]
fn the_list_page_in_an_msgraph_interactive_fence_is_a_request_of_the_plans_list() {
    let output = import(PAGES[2], &[]);
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        report.contains("GET https://graph.microsoft.com/v1.0/planner/plans/{plan-id}/tasks"),
        "{report}"
    );
    assert!(
        !report.contains("request-syntax"),
        "the relative syntax fits the list operation: {report}"
    );
}

#[test]
fn lint_reports_the_graph_pages_doc_defects_as_known() {
    // Act
    let output = vouch(&["lint", SUITE]);

    // Assert
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    let last = report.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        "lint: 10 examples, 5 schemas: 0 findings, 10 known (from 10 listed doc defects)"
    );
    assert_eq!(
        report.matches("[truncated-body, documented]").count(),
        4,
        "{report}"
    );
    assert!(report.contains("[json-syntax, documented]"), "{report}");
    assert!(
        report.contains("@odata.etag"),
        "the responses shown without @odata.etag: {report}"
    );
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_rust_source_names_planner() {
    // Arrange
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);

    // Act
    let naming: Vec<String> = files
        .iter()
        .filter(|f| {
            fs::read_to_string(f)
                .unwrap()
                .to_lowercase()
                .contains("planner")
        })
        .map(|f| f.display().to_string())
        .collect();

    // Assert
    assert!(!files.is_empty());
    assert!(naming.is_empty(), "these name Planner: {naming:?}");
}

#[test]
fn a_planner_contract_without_its_etag_section_stops_with_exit_2_naming_it() {
    // Arrange: a scratch copy of the suite and its schemas, the etag: section removed.
    let scratch = tempfile::tempdir().unwrap();
    for (from, to) in [
        (SUITE, "fixtures/planner-tasks"),
        ("schemas/planner-tasks", "schemas/planner-tasks"),
    ] {
        copy_dir(&root().join(from), &scratch.path().join(to));
    }
    let contract = scratch.path().join("fixtures/planner-tasks/contract.yaml");
    let text = fs::read_to_string(&contract).unwrap();
    let start = text
        .find("\netag:\n")
        .expect("the contract has an etag: section")
        + 1;
    let end = start + text[start..].find("\n\n").expect("a blank line after it");
    fs::write(&contract, format!("{}{}", &text[..start], &text[end + 2..])).unwrap();

    // Act
    let output = vouch(&["lint", contract.parent().unwrap().to_str().unwrap()]);

    // Assert
    let error = common::stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{error}");
    assert!(error.contains("contract.yaml"), "{error}");
    assert!(error.contains("etag:"), "{error}");
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn the_planner_suite_passes_against_the_embedded_double() {
    // Act
    let output = vouch(&["run", SUITE, "--snapshots", "off"]);

    // Assert
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    let last = report.lines().last().unwrap_or_default();
    assert!(last.ends_with(" passed, 0 failed"), "{report}");
    for name in [
        "documented create returns the task",
        "documented get by id returns the task",
        "documented list of a plan's tasks holds the task created in it",
        "documented update assigns the task and applies categories",
        "documented delete removes the task",
    ] {
        assert!(
            report.contains(&format!("PASS  {name}")),
            "{name}: {report}"
        );
    }
}

#[test]
fn selftest_of_the_planner_suite_catches_every_applicable_fault_and_passes_every_variant() {
    // Act
    let output = vouch(&["selftest", SUITE]);

    // Assert
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(report.contains("faults caught = 100%"), "{report}");
    assert!(report.contains("variants passed = 100%"), "{report}");
    // The matrices' headers name both verdicts; a row starts with its verdict.
    for verdict in ["SURVIVED", "FALSE ALARM"] {
        assert!(
            !report
                .lines()
                .any(|line| line.trim_start().starts_with(verdict)),
            "{verdict}: {report}"
        );
    }
}
