//! Conformant variants as a user meets them: `vouch serve --variant X` in its own process
//! and `vouch run --target URL --allow-mutations` against it, snapshots on, must exit 0
//! for every variant of the catalogue; the same run against every fault must still exit 1.
//! And the inconclusive outcome (a variant whose create never yields New) reaches all four
//! reports. Each run works in a scratch copy of the suite and its snapshots, so no run
//! writes into the repository.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use vouch::double::{Fault, Variant};

/// The token the served doubles require and the runs send (from the environment).
const TOKEN: &str = "vouch-variants-test-token";
const TOKEN_VAR: &str = "VOUCH_VARIANTS_TEST_TOKEN";
/// Served doubles at once (each with its run): the machine has two cores.
const AT_ONCE: usize = 3;

/// A `vouch serve` process, stopped when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vouch"))
            .args(["serve", "--token", TOKEN])
            .args(args)
            .current_dir(common::root())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("vouch double listening on ")
            .unwrap()
            .to_owned();
        Self { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A scratch copy of the suite with the reviewed snapshots beside it.
fn scratch() -> common::ScratchSuite {
    let scratch = common::ScratchSuite::new();
    copy_dir(
        &common::root().join("snapshots"),
        &scratch.dir.path().join("snapshots"),
    );
    scratch
}

/// `vouch run` against a `vouch serve` with `serve_args`, snapshots on (the default),
/// from a scratch copy of the suite.
fn run_against(serve_args: &[&str], jobs: usize) -> Output {
    let scratch = scratch();
    let served = Served::start(serve_args);
    let jobs = jobs.to_string();
    Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(["run", "--target", &served.url, "--allow-mutations"])
        .args(["--token-env", TOKEN_VAR, "--quiet", "--jobs", &jobs])
        .current_dir(scratch.dir.path())
        .env(TOKEN_VAR, TOKEN)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .unwrap()
}

/// Runs `each` for every item, `AT_ONCE` at a time, and returns the results in order.
fn a_few_at_once<T: Sync, R: Send>(items: &[T], each: impl Fn(&T) -> R + Sync) -> Vec<R> {
    std::thread::scope(|scope| {
        items
            .chunks(AT_ONCE)
            .flat_map(|chunk| {
                let handles: Vec<_> = chunk
                    .iter()
                    .map(|item| scope.spawn(|| each(item)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap())
                    .collect::<Vec<_>>()
            })
            .collect()
    })
}

/// Whether every finding a run printed is a latency finding.
fn slow_alone(output: &Output) -> bool {
    let out = common::stdout(output);
    let findings: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(", assumed]") || l.contains(", documented]"))
        .collect();
    !findings.is_empty() && findings.iter().all(|l| l.contains("[latency, "))
}

fn said(output: &Output) -> String {
    common::stdout(output) + &common::stderr(output)
}

#[test]
fn a_live_run_against_every_conformant_variant_exits_0_with_snapshots_on() {
    // Arrange: every variant of the catalogue, as `vouch serve --list-variants` lists it.
    let listed = common::stdout(&common::vouch(&["serve", "--list-variants"]));
    let variants: Vec<Variant> = Variant::ALL.to_vec();
    assert!(variants.len() >= 12);
    for variant in &variants {
        assert!(listed.contains(variant.name()), "{variant} in\n{listed}");
    }

    // Act: each in its own served double, a few at a time (those that make clients wait
    // get more scenarios at once).
    let results = a_few_at_once(&variants, |variant| {
        let jobs = if variant.makes_clients_wait() { 32 } else { 8 };
        (*variant, run_against(&["--variant", variant.name()], jobs))
    });

    // A run that failed on slow responses alone is run again, alone: the tests share two
    // cores, and a loaded machine is no fault of a server (as in `vouch selftest`).
    let results: Vec<(Variant, Output)> = results
        .into_iter()
        .map(|(variant, output)| {
            if output.status.code() == Some(1) && slow_alone(&output) {
                (variant, run_against(&["--variant", variant.name()], 4))
            } else {
                (variant, output)
            }
        })
        .collect();

    // Assert
    let alarms: Vec<String> = results
        .iter()
        .filter(|(_, output)| output.status.code() != Some(0))
        .map(|(variant, output)| format!("{variant}: {:?}\n{}", output.status.code(), said(output)))
        .collect();
    assert!(alarms.is_empty(), "false alarms:\n{}", alarms.join("\n"));
}

#[test]
fn a_live_run_against_every_fault_still_exits_1_with_snapshots_on() {
    // Arrange: every fault that applies to the suite but the benign ones (a client waits
    // throttling out).
    let suite = vouch::Suite::load(&common::root().join("fixtures/referrals")).unwrap();
    let faults: Vec<Fault> = Fault::ALL
        .into_iter()
        .filter(|f| !f.is_benign() && f.inapplicable(&suite.contract).is_none())
        .collect();

    // Act
    let results = a_few_at_once(&faults, |fault| {
        let jobs = if fault.makes_clients_wait() { 32 } else { 8 };
        (*fault, run_against(&["--fault", fault.name()], jobs))
    });

    // Assert
    for (fault, output) in results {
        assert_eq!(
            output.status.code(),
            Some(1),
            "{fault} must be caught\n{}",
            said(&output)
        );
    }
}

#[test]
fn a_variant_whose_create_never_yields_new_makes_scenarios_inconclusive_in_all_four_reports() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let report = |kind: &str, file: &str| format!("{kind}={}", dir.path().join(file).display());
    let filter = "transition PUT New -> Closed/Won";

    // Act
    let output = common::vouch(&[
        "run",
        "--variant",
        "create-always-active",
        "--snapshots",
        "off",
        "--filter",
        filter,
        "--report",
        &report("junit", "junit.xml"),
        "--report",
        &report("json", "run.json"),
        "--report",
        &report("markdown", "run.md"),
        "--report",
        &report("html", "run.html"),
    ]);

    // Assert: never a failure, and every report says inconclusive with the reason.
    assert_eq!(output.status.code(), Some(0), "{}", said(&output));
    let reason = "the scenario needs New";
    let console = common::stdout(&output);
    assert!(
        console.contains("INCONCLUSIVE") && console.contains(reason),
        "{console}"
    );
    let read = |file: &str| std::fs::read_to_string(dir.path().join(file)).unwrap();
    let junit = read("junit.xml");
    let skipped = roxmltree::Document::parse(&junit).unwrap();
    let inconclusive = skipped
        .descendants()
        .find(|n| n.has_tag_name("skipped"))
        .unwrap();
    assert_eq!(
        inconclusive.attribute("type"),
        Some("inconclusive"),
        "{junit}"
    );
    assert!(
        inconclusive.attribute("message").unwrap().contains(reason),
        "{junit}"
    );
    let record: serde_json::Value = serde_json::from_str(&read("run.json")).unwrap();
    let scenario = &record["scenarios"][0];
    assert_eq!(scenario["outcome"], "inconclusive", "{record}");
    assert!(
        scenario["reason"].as_str().unwrap().contains(reason),
        "{record}"
    );
    let markdown = read("run.md");
    assert!(
        markdown.contains("inconclusive") && markdown.contains(reason),
        "{markdown}"
    );
    let html = read("run.html");
    assert!(
        html.contains("badge inconclusive") && html.contains(reason),
        "{html}"
    );
}
