//! A token the way partners get one: `--token-command` runs again, once, when the target
//! answers 401 (the token expired during a long run), and the run goes on with the new one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use common::served::Served;
use common::{stderr, stdout};

#[test]
fn a_401_runs_the_token_command_once_more_and_the_run_goes_on_with_the_new_token() {
    // Arrange: a command that prints an expired token first and a good one after.
    let served = Served::start(&["--token", "fresh-token-91b2", "--preload", "5"]);
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("issued");
    let command = format!(
        "if [ -f '{0}' ]; then echo fresh-token-91b2; else touch '{0}'; echo expired-token-3c0d; fi",
        marker.display()
    );

    // Act
    let output = common::vouch_isolated(&[
        "run",
        "--target",
        &served.url,
        "--token-command",
        &command,
        "--quiet",
    ]);

    // Assert
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains("read-only verification: 5 existing referrals checked"),
        "{out}"
    );
    for token in ["fresh-token-91b2", "expired-token-3c0d"] {
        assert!(
            !out.contains(token) && !err.contains(token),
            "{token} leaked"
        );
    }
}
