//! Every scenario of the bundled suite as one test (libtest-mimic), against the embedded
//! double by default, so `cargo test -- --list` lists them and nextest can shard them
//! (`cargo nextest run --partition count:1/3`).
//!
//! Point it at a live service with `VOUCH_TARGET=https://…`, `VOUCH_TOKEN_ENV=VAR` (the
//! variable holding the bearer token) and `VOUCH_ALLOW_MUTATIONS=1` (without it, writing
//! scenarios are ignored against a live target). Snapshots are checked with insta against
//! snapshots/, a live target's against snapshots/<host-port>/ (its first run records them as
//! `.snap.new` and passes); `cargo insta review` after a deliberate change; CI never writes
//! them. An inconclusive scenario passes, saying so on stderr.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test harness: a failed unwrap is a failed test

use std::path::PathBuf;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use vouch::checks::snapshot::{read_snapshot, snapshot_name, snapshot_text, write_snapshot};
use vouch::checks::{SnapshotMode, Snapshots};
use vouch::double::DoubleConfig;
use vouch::endpoint::{HttpConfig, Target};
use vouch::fixture::scenario::{Scenario, Step};
use vouch::outcome::Outcome;
use vouch::report::Redactor;
use vouch::runner::{self, RunOptions};
use vouch::Suite;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where the trials go, from the environment.
#[derive(Clone)]
struct Live {
    url: String,
    token: Option<String>,
    allow_mutations: bool,
}

fn live_from_env() -> Result<Option<Live>, String> {
    let Some(url) = std::env::var("VOUCH_TARGET")
        .ok()
        .filter(|t| !t.is_empty() && t != "double")
    else {
        return Ok(None);
    };
    let token = match std::env::var("VOUCH_TOKEN_ENV") {
        Ok(var) => Some(
            std::env::var(&var)
                .map_err(|_| format!("VOUCH_TOKEN_ENV names {var}, which is not set"))?,
        ),
        Err(_) => None,
    };
    let allow_mutations =
        std::env::var("VOUCH_ALLOW_MUTATIONS").is_ok_and(|v| v == "1" || v == "true");
    Ok(Some(Live {
        url: url.trim_end_matches('/').to_owned(),
        token,
        allow_mutations,
    }))
}

fn run_trial(
    suite: &Suite,
    scenario: &Scenario,
    index: usize,
    live: Option<&Live>,
) -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let target = match live {
            None => Target::double(suite, DoubleConfig::default(), HttpConfig::default()).await?,
            Some(live) => {
                let http = HttpConfig {
                    base: live.url.clone(),
                    token: live.token.clone(),
                    allow_writes: live.allow_mutations,
                    ..HttpConfig::default()
                };
                Target::live(http, &suite.contract.resource.path).await?
            }
        };
        // The runner leaves snapshots to insta here.
        let mut options = RunOptions::new(Snapshots::new(
            runner::snapshot_dir(suite),
            SnapshotMode::Off,
        ));
        options.allow_mutations = live.is_none_or(|l| l.allow_mutations);
        // Secrets out of the snapshots insta records (`.snap.new` included).
        let redactor = Redactor::new(
            std::iter::empty::<&str>(),
            live.and_then(|l| l.token.clone()),
        );
        options.redactor = redactor.clone();
        let outcome = runner::run_scenario(suite, scenario, index, &target, &options).await;
        match outcome.outcome {
            Outcome::Passed | Outcome::Skipped => {}
            Outcome::Failed => {
                let lines: Vec<String> = outcome.findings().map(ToString::to_string).collect();
                return Err(Failed::from(lines.join("\n")));
            }
            Outcome::Error => return Err(Failed::from(outcome.reason.unwrap_or_default())),
            // libtest has no outcome for it: it passes, and says so.
            Outcome::Inconclusive => {
                eprintln!(
                    "inconclusive: {}",
                    outcome.reason.as_deref().unwrap_or_default()
                );
                return Ok(());
            }
        }
        let is_live = live.is_some();
        let dir = options.snapshots.dir_for(is_live, target.http.base());

        for (step, result) in scenario.steps.iter().zip(&outcome.steps) {
            if !step.expect.snapshot {
                continue;
            }
            let body = result
                .exchange
                .as_ref()
                .and_then(|e| e.response.as_ref())
                .and_then(|r| r.body.clone())
                .unwrap_or_default();
            let json: Option<serde_json::Value> = serde_json::from_str(&body).ok();
            let contents = snapshot_text(
                json.as_ref(),
                &body,
                &suite.contract.snapshot,
                target.http.base(),
                &redactor,
            );
            let name = snapshot_name(&scenario.name, &result.name);
            if is_live && read_snapshot(&dir.join(format!("{name}.snap"))).is_none() {
                // A live target's first run records its snapshots for review, and passes.
                if !options.snapshots.read_only {
                    write_snapshot(&dir.join(format!("{name}.snap.new")), &name, &contents)?;
                }
                continue;
            }
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path(dir.clone());
            settings.set_prepend_module_to_snapshot(false);
            settings.set_input_file(&scenario.file);
            settings.bind(|| {
                insta::assert_snapshot!(name, contents);
            });
        }
        Ok(())
    })
}

fn main() {
    let args = Arguments::from_args();
    let suite =
        Arc::new(Suite::load(&root().join("fixtures/referrals")).expect("the bundled suite loads"));
    let scenarios = runner::scenarios(&suite).expect("the scenarios load");
    let live = match live_from_env() {
        Ok(live) => live,
        Err(message) => {
            eprintln!("conformance: {message}");
            std::process::exit(2);
        }
    };
    let trials = scenarios
        .into_iter()
        .enumerate()
        .map(|(index, scenario)| {
            let kind = if scenario.derived {
                "derived"
            } else {
                "documented"
            };
            let skipped = live
                .as_ref()
                .is_some_and(|l| !l.allow_mutations && scenario.steps.iter().any(Step::writes));
            let (suite, live) = (Arc::clone(&suite), live.clone());
            Trial::test(scenario.name.clone(), move || {
                run_trial(&suite, &scenario, index, live.as_ref())
            })
            .with_kind(kind)
            .with_ignored_flag(skipped)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
