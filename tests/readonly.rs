//! Read-only verification, as a partner runs it against production: `vouch run --target
//! URL` without --allow-mutations against `vouch serve --preload N` checks every stored
//! referral and passes; each data fault makes it fail naming its rule; the client itself
//! refuses to write; `--plan` prints the run without touching the target.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::sync::Arc;

use common::served::Served;
use common::{stderr, stdout, vouch};
use vouch::checks::{SnapshotMode, Snapshots};
use vouch::double::{Double, DoubleConfig};
use vouch::endpoint::{HttpConfig, Target};
use vouch::outcome::Outcome;
use vouch::runner::{self, RunOptions};

use common::shared_suite as suite;

#[test]
fn a_read_only_run_against_a_double_preloaded_with_50_checks_all_50_and_exits_0() {
    // Arrange
    let served = Served::start(&["--preload", "50"]);

    // Act
    let output = common::vouch_isolated(&["run", "--target", &served.url, "--quiet"]);

    // Assert
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}\n{}", stderr(&output));
    assert!(
        out.contains("read-only verification: 50 existing referrals checked"),
        "{out}"
    );
    assert!(!out.contains("FAIL "), "{out}");
}

/// Each data fault and the rule a read-only run names when it meets it.
const DATA_FAULTS: [(&str, &str); 5] = [
    ("stored-pair-outside-table", "transition-pair"),
    ("created-after-updated", "created-not-after-updated"),
    ("list-entry-differs-from-get", "list-get-agree"),
    ("list-entry-repeated", "list-unique"),
    ("list-count-wrong", "list-count"),
];

#[test]
fn a_read_only_run_exits_1_on_each_data_fault_naming_its_rule() {
    for (fault, rule) in DATA_FAULTS {
        // Arrange
        let served = Served::start(&["--preload", "50", "--fault", fault]);

        // Act
        let output = common::vouch_isolated(&["run", "--target", &served.url, "--quiet"]);

        // Assert
        let out = stdout(&output);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{fault} must be caught\n{out}"
        );
        assert!(
            out.contains(&format!("[{rule}, ")),
            "{fault}: a finding names {rule}\n{out}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_client_sends_no_write_even_when_the_scenarios_ask_for_one() {
    // Arrange: a double with data, reached as a live target whose client may not write,
    // and run options that would let every writing scenario through.
    let suite = suite();
    let double = Double::start(
        &suite,
        DoubleConfig {
            preload: 20,
            ..DoubleConfig::default()
        },
    )
    .await
    .unwrap();
    let before: Vec<serde_json::Value> = ids(&double)
        .iter()
        .map(|id| double.stored(id).unwrap())
        .collect();
    let http = HttpConfig {
        base: double.uri(),
        allow_writes: false,
        ..HttpConfig::default()
    };
    let target = Target::live(http, &suite.contract.resource.path)
        .await
        .unwrap();
    let mut options = RunOptions::new(Snapshots::new(
        runner::snapshot_dir(&suite),
        SnapshotMode::Off,
    ));
    options.allow_mutations = true;
    let scenarios = runner::scenarios(&suite).unwrap();

    // Act
    let record = runner::run(
        Arc::clone(&suite),
        scenarios,
        Arc::new(target),
        Arc::new(options),
        Arc::new(|_| {}),
    )
    .await;

    // Assert: every writing scenario stopped at the client; the store is as it was.
    let refused = record
        .scenarios
        .iter()
        .filter(|s| s.outcome == Outcome::Error)
        .filter(|s| {
            s.reason
                .as_deref()
                .is_some_and(|r| r.contains("refused: this run does not write"))
        })
        .count();
    assert!(
        refused > 150,
        "writing scenarios refused by the client: {refused}"
    );
    assert_eq!(double.resource_count(), 20, "nothing was created");
    let after: Vec<serde_json::Value> = ids(&double)
        .iter()
        .map(|id| double.stored(id).unwrap())
        .collect();
    assert_eq!(before, after, "nothing was changed");
    let verified = record
        .scenarios
        .iter()
        .find(|s| s.name == vouch::verify::by_id(&suite.contract))
        .unwrap();
    assert_eq!(verified.outcome, Outcome::Passed);
    assert_eq!(verified.steps.len(), 20);
    for exchange in record
        .scenarios
        .iter()
        .flat_map(|s| &s.steps)
        .filter_map(|s| s.exchange.as_ref())
    {
        assert_eq!(exchange.request.method, "GET", "{}", exchange.request.url);
    }
}

fn ids(double: &Double) -> Vec<String> {
    double.ids()
}

#[test]
fn run_plan_prints_methods_counts_and_writers_and_exits_0_without_touching_the_target() {
    // Arrange: a port nothing listens on, so any request would fail the run with 2.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}");

    // Act
    let read_only = vouch(&["run", "--plan", "--target", &url]);
    let mutating = vouch(&["run", "--plan", "--target", &url, "--allow-mutations"]);

    // Assert
    let out = stdout(&read_only);
    assert_eq!(
        read_only.status.code(),
        Some(0),
        "{out}\n{}",
        stderr(&read_only)
    );
    assert!(out.contains("nothing is sent"), "{out}");
    assert!(
        out.contains("SKIP  transition PUT New -> Closed/Won (allowed)"),
        "{out}"
    );
    assert!(out.contains("(0 write)"), "{out}");
    assert!(
        out.contains("READ  verify: each listed referral agrees with its GET by id"),
        "{out}"
    );
    let out = stdout(&mutating);
    assert_eq!(mutating.status.code(), Some(0), "{out}");
    assert!(
        out.lines().any(
            |l| l.starts_with("WRITE transition PUT New -> Closed/Won (allowed)")
                && l.ends_with(" GET, 1 POST, 1 PUT)")
        ),
        "{out}"
    );
    assert!(out.contains(" POST, ") && out.contains(" PATCH, "), "{out}");
    assert!(out.contains("0 skipped"), "{out}");
}
