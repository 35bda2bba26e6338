//! Bad input changes nothing: `import-doc` writes all of its files or none, a scenario's
//! body file stays inside the suite and under the body cap, and a suite whose scenarios
//! cannot be read stops `run`, `list` and `lint` alike with exit 2 and the same
//! file and line, never a silently smaller run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;

use common::{files_in, stderr, stdout, vouch, ScratchSuite};

const PAGE: &str = "tests/data/docs/partner-rest-en/update-a-referral.md";

#[test]
fn import_doc_writes_none_of_its_files_when_one_name_is_taken_by_a_folder() {
    // Arrange: learn the names the page gives, then put a folder in the way of each in turn.
    let first = tempfile::tempdir().unwrap();
    let output = vouch(&["import-doc", PAGE, "--out", first.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let names = files_in(first.path());
    assert!(names.len() >= 2, "{names:?}");

    for taken in &names {
        let out = tempfile::tempdir().unwrap();
        fs::create_dir(out.path().join(taken)).unwrap();

        // Act
        let output = vouch(&["import-doc", PAGE, "--out", out.path().to_str().unwrap()]);

        // Assert: exit 2 naming the folder, and nothing else in the folder.
        assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
        assert!(
            stderr(&output).contains(taken.as_str()),
            "{}",
            stderr(&output)
        );
        assert_eq!(files_in(out.path()), std::slice::from_ref(taken), "{taken}");
    }
}

/// A scratch suite with one scenario whose PUT body is `body`.
fn suite_with_body(body: &str) -> ScratchSuite {
    let suite = ScratchSuite::new();
    suite.write(
        "fixtures/referrals/scenarios/zz-body-file.yaml",
        &format!(
            "name: body file\nsteps:\n  - create: {{example: documented/create-a-referral.request.json}}\n  - request:\n      method: PUT\n      path: /v1.0/engagements/referrals/{{id}}\n      headers: {{ If-Match: \"{{etag}}\" }}\n      body: {body}\n    expect: {{ status: 200 }}\n"
        ),
    );
    suite
}

fn run_and_lint(suite: &ScratchSuite, extra: &[&str]) -> [(Option<i32>, String); 2] {
    let dir = suite.suite();
    let dir = dir.to_str().unwrap();
    let mut run = vec!["run", dir, "--filter", "body file", "--snapshots", "off"];
    run.extend_from_slice(extra);
    let mut lint = vec!["lint", dir];
    lint.extend_from_slice(extra);
    [run, lint].map(|args| {
        let output = vouch(&args);
        (
            output.status.code(),
            format!("{}{}", stdout(&output), stderr(&output)),
        )
    })
}

#[test]
fn a_body_file_outside_the_suite_is_refused_by_run_and_lint_alike() {
    for body in [
        "{file: ../../../../../../etc/hostname}",
        "{file: /etc/hostname}",
    ] {
        let suite = suite_with_body(body);

        for (code, out) in run_and_lint(&suite, &[]) {
            assert_eq!(code, Some(2), "{body}: {out}");
            assert!(out.contains("zz-body-file.yaml:4:"), "{body}: {out}");
            assert!(out.contains("outside the suite"), "{body}: {out}");
        }
    }
}

#[test]
fn a_body_file_inside_the_suite_is_sent() {
    let suite = suite_with_body(
        "{file: documented/update-a-referral.request.json, set: {/id: \"{id}\"}, strip: [/links]}",
    );

    let [(run, out), (lint, _)] = run_and_lint(&suite, &[]);

    // The documented PUT body holds a stale eTag and an old status: what matters is that
    // the file was read and sent (a finding, not an error).
    assert_ne!(run, Some(2), "{out}");
    assert!(out.contains("body file"), "{out}");
    assert_ne!(lint, Some(2));
}

#[test]
fn a_body_file_without_end_is_an_error_not_a_read_until_memory_runs_out() {
    let suite = suite_with_body("{file: /dev/zero}");

    for (code, out) in run_and_lint(&suite, &["--allow-outside-suite"]) {
        assert_eq!(code, Some(2), "{out}");
        assert!(out.contains("/dev/zero"), "{out}");
    }
}

#[test]
fn a_body_file_over_the_body_cap_is_refused() {
    let suite = suite_with_body("{file: big.json}");
    let big = format!("[{}0]", "0,".repeat(3 * 1024 * 1024));
    suite.write("fixtures/referrals/big.json", &big);

    for (code, out) in run_and_lint(&suite, &[]) {
        assert_eq!(code, Some(2), "{out}");
        assert!(out.contains("big.json") && out.contains("MiB"), "{out}");
    }
}

#[test]
fn a_scenarios_folder_that_cannot_be_read_stops_run_list_and_lint() {
    // Arrange: `scenarios` is a symlink loop.
    let suite = ScratchSuite::new();
    let scenarios = suite.path("fixtures/referrals/scenarios");
    fs::remove_dir_all(&scenarios).unwrap();
    std::os::unix::fs::symlink("loop", &scenarios).unwrap();
    std::os::unix::fs::symlink("scenarios", suite.path("fixtures/referrals/loop")).unwrap();
    let dir = suite.suite();
    let dir = dir.to_str().unwrap();

    for args in [
        vec!["run", dir, "--snapshots", "off"],
        vec!["list", dir],
        vec!["lint", dir],
    ] {
        // Act
        let output = vouch(&args);

        // Assert
        let err = stderr(&output);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stdout(&output)
        );
        assert!(
            err.contains("scenarios") && err.contains("cannot read"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn lint_rejects_a_garbage_scenario_file_with_the_same_file_and_line_as_run() {
    let suite = ScratchSuite::new();
    suite.write(
        "fixtures/referrals/scenarios/garbage.yaml",
        "name: garbage\nsteps:\n  - request: {method: GET, path: /x}\n    expect: {nonsense: 1}\n",
    );
    let dir = suite.suite();
    let dir = dir.to_str().unwrap();

    let run = vouch(&["run", dir, "--snapshots", "off"]);
    let lint = vouch(&["lint", dir]);

    assert_eq!(run.status.code(), Some(2), "{}", stdout(&run));
    assert_eq!(lint.status.code(), Some(2), "{}", stdout(&lint));
    let first_line = |text: String| text.lines().next().unwrap_or_default().to_owned();
    let run_error = first_line(stderr(&run));
    assert!(run_error.contains("garbage.yaml:4:"), "{run_error}");
    assert_eq!(first_line(stderr(&lint)), run_error);
}
