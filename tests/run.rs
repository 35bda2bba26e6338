//! `vouch run` as a user runs it: against the embedded double, against `vouch serve` with
//! each fault of the catalogue, against a closed port, against a "live" target without
//! --allow-mutations, and with a token that must never show up anywhere.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::process::Command;

use common::served::Served;
use common::{stderr, stdout, vouch, ScratchSuite};

fn closing_line(out: &str) -> &str {
    out.lines().last().unwrap_or_default()
}

#[test]
fn vouch_run_with_no_arguments_passes_every_scenario_against_the_embedded_double() {
    // Arrange
    let listed = stdout(&vouch(&["list"]));
    let count: usize = closing_line(&listed)
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // Act
    let output = vouch(&["run"]);

    // Assert
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}\n{}", stderr(&output));
    assert_eq!(closing_line(&out), format!("{count} passed, 0 failed"));
    assert!(count > 150, "documented and derived scenarios: {count}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("PASS ")).count(),
        count,
        "one line per scenario"
    );
}

/// The rule a finding must name when the double carries each fault.
const CAUGHT_BY: [(&str, &str); 22] = [
    ("stale-if-match-accepted", "etag-stale"),
    ("patch-stale-if-match-accepted", "etag-stale"),
    ("wildcard-refused", "etag-wildcard"),
    ("etag-not-rotated", "etag-rotates"),
    ("put-without-if-match-accepted", "etag-missing"),
    ("closed-to-active-accepted", "transition-move"),
    ("pair-outside-table-accepted", "transition-pair"),
    ("refused-write-stored", "refused-write-unchanged"),
    ("etag-missing-from-body", "schema"),
    ("etag-header-mismatch", "etag-header"),
    ("id-changed-in-response", "id-stable"),
    ("created-rewritten", "created-stable"),
    ("updated-not-advanced", "updated-advances"),
    ("writable-field-dropped", "round-trip"),
    ("links-in-put-accepted", "never-send-on-put"),
    ("id-mismatch-accepted", "put-id-matches-path"),
    ("unsupported-patch-op-accepted", "status-code"),
    ("prefer-ignored", "prefer-representation"),
    ("error-body-not-json", "error-body"),
    ("wrong-content-type", "content-type"),
    ("not-found-as-empty-200", "status-code"),
    ("list-filter-ignored", "link-path"),
];

/// The token the served doubles of the fault test require.
const FAULT_TOKEN: &str = "vouch-fault-test-token";

#[test]
fn every_fault_of_the_catalogue_fails_a_live_run_with_a_finding_naming_its_rule() {
    // Arrange: the catalogue as `vouch serve --list-faults` prints it.
    let listed = stdout(&vouch(&["serve", "--list-faults"]));
    let faults: Vec<String> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    let catalogue: Vec<&str> = vouch::double::Fault::ALL
        .into_iter()
        .map(vouch::double::Fault::name)
        .collect();
    assert_eq!(faults, catalogue, "the listing is the catalogue");
    let unknown: Vec<&str> = CAUGHT_BY
        .iter()
        .map(|(fault, _)| *fault)
        .filter(|fault| !catalogue.contains(fault))
        .collect();
    assert!(
        unknown.is_empty(),
        "the rule table names no such fault: {unknown:?}"
    );

    // Only the faults that apply to the bundled contract (a DELETE fault needs a DELETE):
    // `vouch selftest` skips the others the same way, and tests/selftest.rs lists them.
    let contract = common::suite().contract;
    let (faults, skipped): (Vec<String>, Vec<String>) = vouch::double::Fault::ALL
        .into_iter()
        .map(|fault| {
            (
                fault.name().to_owned(),
                fault.inapplicable(&contract).is_none(),
            )
        })
        .fold(
            (Vec::new(), Vec::new()),
            |(mut run, mut skip), (name, applies)| {
                if applies {
                    run.push(name);
                } else {
                    skip.push(name);
                }
                (run, skip)
            },
        );
    assert_eq!(
        skipped,
        common::INAPPLICABLE_TO_BUNDLED,
        "the faults that do not apply to the bundled contract"
    );

    // Act: each fault in its own served double, a few at a time.
    let results: Vec<(String, Option<i32>, String)> = std::thread::scope(|scope| {
        faults
            .chunks(4)
            .flat_map(|chunk| {
                let handles: Vec<_> = chunk
                    .iter()
                    .map(|fault| {
                        scope.spawn(move || {
                            // With a token, so a double that takes any token shows it.
                            let served = Served::start(&["--fault", fault, "--token", FAULT_TOKEN]);
                            let output = Command::new(env!("CARGO_BIN_EXE_vouch"))
                                .args(["run", "--target", &served.url, "--allow-mutations"])
                                .args(["--quiet", "--jobs", "8", "--snapshots", "off"])
                                .args(["--token-env", "VOUCH_FAULT_TOKEN"])
                                .env("VOUCH_FAULT_TOKEN", FAULT_TOKEN)
                                .current_dir(common::root())
                                .output()
                                .unwrap();
                            (
                                fault.clone(),
                                output.status.code(),
                                stdout(&output) + &stderr(&output),
                            )
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap())
                    .collect::<Vec<_>>()
            })
            .collect()
    });

    // Assert
    for (fault, code, out) in results {
        if fault == "throttled" || fault == "slow-responses" {
            assert_eq!(
                code,
                Some(0),
                "benign: throttling is retried after Retry-After, and a slow answer is conformant\n{out}"
            );
            continue;
        }
        assert_eq!(code, Some(1), "{fault} must be caught\n{out}");
        if let Some((_, rule)) = CAUGHT_BY.iter().find(|(f, _)| *f == fault) {
            assert!(
                out.contains(&format!("[{rule}, ")),
                "{fault}: a finding names {rule}\n{out}"
            );
        }
    }
}

#[test]
fn a_closed_port_exits_2_with_a_clear_message() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);

    let output = vouch(&["run", "--target", &format!("http://127.0.0.1:{port}")]);

    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("cannot reach http://127.0.0.1:{port}")),
        "{err}"
    );
    assert!(err.to_lowercase().contains("refused"), "{err}");
}

#[test]
fn against_a_live_target_writing_scenarios_are_skipped_without_allow_mutations() {
    // Arrange
    let served = Served::start(&[]);

    // Act
    let output = common::vouch_isolated(&["run", "--target", &served.url]);

    // Assert
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("SKIP ") && l.contains("--allow-mutations")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("PASS ") && l.contains("GET of an unknown id")),
        "the read-only scenario runs: {out}"
    );
    assert!(closing_line(&out).contains(" skipped"), "{out}");
}

#[test]
fn the_token_never_appears_in_output_reports_or_logs() {
    // Arrange: a served double that requires the token, and a run that writes every report.
    let token = "vouch-secret-token-5f1d2c";
    let served = Served::start(&["--token", token]);
    let dir = tempfile::tempdir().unwrap();
    let report = |kind: &str, file: &str| format!("{kind}={}", dir.path().join(file).display());

    // Act
    let scratch = ScratchSuite::new();
    let suite = scratch.suite().display().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args([
            "run",
            &suite,
            "--target",
            &served.url,
            "--allow-mutations",
            "--token-env",
            "VOUCH_TEST_TOKEN",
        ])
        .args([
            "--report",
            &report("junit", "j.xml"),
            "--report",
            &report("json", "r.json"),
        ])
        .args([
            "--report",
            &report("markdown", "s.md"),
            "--report",
            &report("html", "r.html"),
        ])
        .env("VOUCH_TEST_TOKEN", token)
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
        // Not CI: a live target's first run records its snapshots, which must hold no token.
        .env_remove("CI")
        .current_dir(common::root())
        .output()
        .unwrap();

    // Assert: the run authenticated (it passes) and the token is nowhere.
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}\n{}", stderr(&output));
    assert!(!out.contains(token) && !stderr(&output).contains(token));
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(token));
        files += 1;
    }
    assert_eq!(files, 5, "four reports and the step summary");
    let json = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    assert!(
        json.contains("[redacted]") || !json.contains("uthorization"),
        "credential headers are redacted"
    );
    // A live target's snapshots (recorded as new on this first run) hold no token either.
    let label = vouch::checks::snapshot::target_label(&served.url);
    let recorded = scratch.path("snapshots").join(&label);
    let mut snapshots = 0;
    for entry in std::fs::read_dir(&recorded).unwrap() {
        let path = entry.unwrap().path();
        assert!(!std::fs::read_to_string(&path).unwrap().contains(token));
        snapshots += 1;
    }
    assert!(
        snapshots > 0,
        "the first run records the target's snapshots"
    );
}

#[test]
fn a_wrong_token_gives_findings_not_a_leak() {
    let served = Served::start(&["--token", "right-token-a8e1"]);

    let output = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args([
            "run",
            "--target",
            &served.url,
            "--allow-mutations",
            "--quiet",
            "--snapshots",
            "off",
            "--token-command",
            "echo wrong-token-77c3",
        ])
        .current_dir(common::root())
        .output()
        .unwrap();

    // The first answers are findings; 20 401s in a row stop the run, said once (exit 2).
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(2), "{out}\n{err}");
    assert!(out.contains("got 401"), "{out}");
    assert_eq!(err.matches("answers of 401 in a row").count(), 1, "{err}");
    assert!(err.contains("the token is wrong or has expired"), "{err}");
    for text in [&out, &err] {
        assert!(!text.contains("wrong-token-77c3") && !text.contains("right-token-a8e1"));
    }
}

#[test]
fn filter_selects_scenarios_by_name() {
    let output = vouch(&["run", "--filter", "documented", "--jobs", "1"]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert_eq!(closing_line(&out), "5 passed, 0 failed");
}

#[test]
fn a_scenario_that_uses_an_unknown_variable_is_refused_at_load_with_its_line() {
    // Arrange
    let scratch = ScratchSuite::new();
    scratch.write(
        "fixtures/referrals/scenarios/zz-broken.yaml",
        "name: broken variable\nsteps:\n  - name: get\n    request:\n      method: GET\n      path: /v1.0/engagements/referrals/{nope}\n",
    );

    // Act
    let output = vouch(&[
        "run",
        scratch.suite().to_str().unwrap(),
        "--filter",
        "broken",
        "--snapshots",
        "off",
    ]);

    // Assert: nothing ran; the file, line and column of the placeholder are named.
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("zz-broken.yaml:6:41: {nope} is never captured before step \"get\""),
        "{err}"
    );
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
}

#[test]
fn an_expectation_naming_a_variable_never_captured_is_refused_not_passed() {
    // Arrange: the etag is captured as {etag}; the PUT's expectation names {etg}.
    let scratch = ScratchSuite::new();
    scratch.write(
        "fixtures/referrals/scenarios/zz-etg.yaml",
        "name: misspelt etag\nsteps:\n  - create: { example: documented/create-a-referral.request.json }\n  - name: get\n    request:\n      method: GET\n      path: /v1.0/engagements/referrals/{id}\n    expect:\n      status: 200\n      etag_rotated_from: \"{etg}\"\n",
    );

    // Act
    let output = vouch(&[
        "run",
        scratch.suite().to_str().unwrap(),
        "--snapshots",
        "off",
    ]);

    // Assert
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("zz-etg.yaml:10:27: {etg} is never captured before step \"get\""),
        "{err}"
    );
    assert!(
        err.contains("captured by then:") && err.contains("etag"),
        "{err}"
    );
}

#[test]
fn a_scenario_file_with_an_unknown_key_stops_with_exit_2_and_its_line() {
    let scratch = ScratchSuite::new();
    scratch.write(
        "fixtures/referrals/scenarios/zz-typo.yaml",
        "name: typo\nsteps:\n  - name: get\n    requets:\n      method: GET\n",
    );

    let output = vouch(&["run", scratch.suite().to_str().unwrap()]);

    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("zz-typo.yaml:4:") && err.contains("requets"),
        "{err}"
    );
}

#[test]
fn snapshots_update_is_refused_on_ci() {
    let output = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(["run", "--snapshots", "update"])
        .env("CI", "true")
        .current_dir(common::root())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("refused when CI=true"));
}

#[test]
fn the_lean_server_carries_the_same_double() {
    // The embedded double on the lean server passes the whole suite...
    let output = vouch(&["run", "--quiet", "--double-server", "lean"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    // ...and a served lean double with a fault is caught like the wiremock one.
    let served = Served::start(&["--server", "lean", "--fault", "etag-not-rotated"]);
    let output = vouch(&[
        "run",
        "--target",
        &served.url,
        "--allow-mutations",
        "--quiet",
        "--snapshots",
        "off",
    ]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("[etag-rotates, "), "{out}");
}
