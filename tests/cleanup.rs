//! Leaving nothing open: a mutating run against `vouch serve` closes every referral it
//! created (there is no DELETE), and `vouch cleanup` closes what a killed run left open,
//! found by the tag vouch gives each referral it creates.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::served::Served;
use common::{stderr, stdout, vouch};
use serde_json::Value;
use vouch::endpoint::{Http, HttpConfig, SentRequest};

/// Every referral the served double lists: (id, status, tag).
fn listed(url: &str) -> Vec<(String, String, String)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let http = Http::new(HttpConfig {
            base: url.to_owned(),
            ..HttpConfig::default()
        })
        .unwrap();
        let mut next = Some(http.url("/v1.0/engagements/referrals"));
        let mut all = Vec::new();
        while let Some(page) = next.take() {
            let request = SentRequest {
                method: "GET".into(),
                url: page,
                headers: Vec::new(),
                body: None,
            };
            let body: Value =
                serde_json::from_slice(&http.send(&request).await.unwrap().body).unwrap();
            for entry in body["value"].as_array().unwrap() {
                let text = |key: &str| entry[key].as_str().unwrap_or_default().to_owned();
                all.push((text("id"), text("status"), text("externalReferenceId")));
            }
            next = body["@odata.nextLink"].as_str().map(str::to_owned);
        }
        all
    })
}

#[test]
fn a_mutating_run_leaves_none_of_its_referrals_open() {
    // Arrange
    let served = Served::start(&[]);

    // Act
    let output = vouch(&[
        "run",
        "--target",
        &served.url,
        "--allow-mutations",
        "--quiet",
        "--snapshots",
        "off",
    ]);

    // Assert
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}\n{}", stderr(&output));
    let all = listed(&served.url);
    assert!(
        all.len() > 150,
        "the run created its referrals: {}",
        all.len()
    );
    let open: Vec<_> = all
        .iter()
        .filter(|(_, status, _)| status != "Closed")
        .collect();
    assert!(open.is_empty(), "left open: {open:?}");
    assert!(
        out.contains(&format!("cleanup: {} referrals created", all.len())),
        "{out}"
    );
    assert!(
        out.contains(" left open") && out.contains(", 0 left open"),
        "{out}"
    );
}

#[test]
fn cleanup_closes_the_leftovers_of_a_killed_run() {
    // Arrange: a run killed part way, before it could close what it created.
    let served = Served::start(&[]);
    let scratch = common::ScratchSuite::with_snapshots();
    let mut killed = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args([
            "run",
            "--target",
            &served.url,
            "--allow-mutations",
            "--jobs",
            "1",
            "--rate",
            "40",
        ])
        .current_dir(scratch.dir.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    killed.kill().unwrap();
    killed.wait().unwrap();
    let tagged_open = |url: &str| {
        listed(url)
            .into_iter()
            .filter(|(_, status, tag)| tag.starts_with("vouch-") && status != "Closed")
            .count()
    };
    let left = tagged_open(&served.url);
    assert!(left > 0, "the killed run left referrals open");

    // Act
    let dry = vouch(&["cleanup", "--target", &served.url, "--dry-run"]);
    let cleaned = vouch(&["cleanup", "--target", &served.url]);

    // Assert
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains(&format!("cleanup: {left} leftovers")),
        "{}",
        stdout(&dry)
    );
    let out = stdout(&cleaned);
    assert_eq!(
        cleaned.status.code(),
        Some(0),
        "{out}\n{}",
        stderr(&cleaned)
    );
    assert!(
        out.contains(&format!("{left} closed, 0 not closed")),
        "{out}"
    );
    assert_eq!(tagged_open(&served.url), 0, "{out}");
}
