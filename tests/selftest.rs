//! `vouch selftest`: the bundled suite against every fault of the double's catalogue. Every
//! fault must be caught (the benign one tolerated), every runtime rule of contract.yaml must
//! be the reason some fault is caught, the clean double must pass, and a weaker suite must
//! make the selftest fail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use vouch::double::{Fault, Variant};
use vouch::selftest::{self, SelftestOptions, VariantVerdict, Verdict};

use common::shared_suite as suite;

#[tokio::test(flavor = "multi_thread")]
async fn the_bundled_suite_catches_every_fault_and_every_runtime_rule_catches_one() {
    // Arrange: the faults only (the variants have a test of their own).
    let options = SelftestOptions {
        variants: Vec::new(),
        ..SelftestOptions::default()
    };

    // Act
    let report = selftest::selftest(suite(), &options).await.unwrap();

    // Assert
    assert!(
        report.clean.false_failures.is_empty(),
        "false failures: {:?}",
        report.clean.false_failures
    );
    // Every scenario passed, and so did the read-only verification the run adds at its end.
    assert_eq!(report.clean.totals.failed, 0);
    assert_eq!(report.clean.totals.errors, 0);
    assert!(report.clean.totals.passed > report.scenarios);
    // Every fault that applies to the contract ran; those that need what it lacks (a
    // DELETE, a weak comparison) were skipped with the reason.
    let suite = suite();
    let applicable: Vec<Fault> = Fault::ALL
        .into_iter()
        .filter(|f| f.inapplicable(&suite.contract).is_none())
        .collect();
    let listed: Vec<Fault> = report.faults.iter().map(|f| f.fault).collect();
    assert_eq!(listed, applicable);
    let skipped: Vec<&str> = report.skipped.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(skipped, common::INAPPLICABLE_TO_BUNDLED);
    assert!(report.skipped.iter().all(|s| !s.reason.is_empty()));
    for result in &report.faults {
        if result.fault.is_benign() {
            assert_eq!(result.verdict, Verdict::Tolerated, "{}", result.fault);
        } else {
            assert_eq!(result.verdict, Verdict::Caught, "{} survived", result.fault);
            assert!(!result.scenarios.is_empty() && !result.rules.is_empty());
        }
    }
    let score = report.score();
    let benign = Fault::ALL.iter().filter(|f| f.is_benign()).count();
    assert_eq!(benign, 2, "throttled and slow-responses");
    assert_eq!(score.caught, applicable.len() - benign);
    assert_eq!(score.counted, applicable.len() - benign);
    assert_eq!(
        score.counted, 40,
        "the Referrals suite's score is unchanged"
    );
    assert!((score.percent() - 100.0).abs() < 1e-9);
    let uncovered: Vec<&str> = report.uncovered().map(|c| c.rule.as_str()).collect();
    assert!(
        uncovered.is_empty(),
        "uncovered runtime rules: {uncovered:?}"
    );
    assert!(report.passed());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bundled_suite_passes_every_conformant_variant() {
    // Arrange: the variants only.
    let options = SelftestOptions {
        faults: Vec::new(),
        ..SelftestOptions::default()
    };

    // Act
    let report = selftest::selftest(suite(), &options).await.unwrap();

    // Assert
    let listed: Vec<Variant> = report.variants.iter().map(|v| v.variant).collect();
    assert_eq!(listed, Variant::ALL);
    assert!(Variant::ALL.len() >= 12);
    let alarms: Vec<String> = report
        .variants
        .iter()
        .filter(|v| v.verdict != VariantVerdict::Passed)
        .map(|v| format!("{}: {:?}", v.variant, v.misfired.first()))
        .collect();
    assert!(alarms.is_empty(), "false alarms: {alarms:#?}");
    let specificity = report.specificity();
    assert_eq!(specificity.passed, Variant::ALL.len());
    assert!((specificity.percent() - 100.0).abs() < 1e-9);
}

#[test]
fn vouch_selftest_prints_the_kill_matrix_coverage_and_score_and_exits_0() {
    // Arrange
    let args = ["selftest"];

    // Act
    let output = common::vouch(&args);

    // Assert
    let stdout = common::stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        common::stderr(&output)
    );
    let suite = suite();
    for fault in Fault::ALL {
        let verdict = if fault.inapplicable(&suite.contract).is_some() {
            "skipped fault"
        } else if fault.is_benign() {
            "TOLERATED"
        } else {
            "CAUGHT"
        };
        assert!(
            stdout
                .lines()
                .any(|l| l.contains(verdict) && l.contains(&format!(" {} ", fault.name()))),
            "{fault} is not {verdict} in:\n{stdout}"
        );
    }
    let counted = Fault::ALL
        .iter()
        .filter(|f| !f.is_benign() && f.inapplicable(&suite.contract).is_none())
        .count();
    assert!(stdout.contains(&format!(
        "mutation score: {counted}/{counted} faults caught = 100%"
    )));
    assert!(stdout.contains("2 benign, not counted: throttled, slow-responses"));
    assert!(stdout.contains("covered   response-id"));
    assert!(stdout.contains("not required (lint"));
    assert!(!stdout.contains("UNCOVERED"));
    for variant in Variant::ALL {
        assert!(
            stdout
                .lines()
                .any(|l| l.contains("PASSED") && l.contains(&format!(" {} ", variant.name()))),
            "{variant} is not PASSED in:\n{stdout}"
        );
    }
    let variants = Variant::ALL.len();
    assert!(stdout.contains(&format!(
        "specificity score: {variants}/{variants} variants passed = 100%"
    )));
    assert!(stdout.contains("selftest: passed"));
}

#[test]
fn a_weaker_suite_lets_faults_survive_leaves_rules_uncovered_and_exits_1() {
    // Arrange: only the stale-eTag scenario, so the transition faults (among others) get through.
    let args = ["selftest", "--filter", "etag: PUT with a stale eTag"];

    // Act
    let output = common::vouch(&args);

    // Assert
    let stdout = common::stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("1 scenarios (--filter"), "{stdout}");
    assert!(stdout
        .lines()
        .any(|l| l.contains("SURVIVED") && l.contains("closed-to-active-accepted")));
    assert!(stdout
        .lines()
        .any(|l| l.contains("CAUGHT") && l.contains("stale-if-match-accepted")));
    assert!(stdout.contains("survived: "));
    assert!(stdout.contains("UNCOVERED"));
    assert!(stdout.contains("selftest: FAILED"));
}

#[test]
fn a_filter_that_matches_no_scenario_is_an_error_with_exit_2() {
    // Arrange
    let args = ["selftest", "--filter", "no scenario is called this"];

    // Act
    let output = common::vouch(&args);

    // Assert
    assert_eq!(output.status.code(), Some(2));
    assert!(common::stderr(&output).contains("no scenario matches"));
}
