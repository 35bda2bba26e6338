//! The HTML report in a real browser: headless Chromium opens the page a person would get
//! from a CI artefact, and the failing scenario and its findings must be visible without a
//! click (failing scenarios are expanded), inside the first screen, and the outcome filter
//! must hide them when "passed" is chosen. The screenshot is kept at
//! `target/artifacts/report-failure.png` (with the page beside it) for CI to publish.
//!
//! It needs Chromium, so it runs only when `VOUCH_BROWSER_TEST=1` (.ci/run sets it and
//! installs Chromium; then a missing browser is a failure). Otherwise the test is reported
//! as ignored, never as passed: this file is a libtest-mimic harness (`harness = false`),
//! so whether it is ignored is decided when it runs, from the environment;
//! `--include-ignored` runs it anyway, with Chromium from `/usr/bin` or `PATH`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::record::{self, ETAG_FINDING, FAILED, PASSED, SCHEMA_FINDING, SKIPPED, TOKEN};
use libtest_mimic::{Arguments, Trial};
use serde_json::Value;
use vouch::report::{self, Redactor, ReportSpec, WriteOptions};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 2000;
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);

/// Whether the environment asks for the browser test (CI does).
fn required() -> bool {
    std::env::var("VOUCH_BROWSER_TEST").is_ok_and(|v| v == "1")
}

/// The browser to use: `/usr/bin/chromium`, else `chromium` on `PATH`. The test runs only
/// when asked for, so a missing browser is a failure.
fn chromium() -> PathBuf {
    let installed = Path::new("/usr/bin/chromium");
    if installed.exists() {
        return installed.to_owned();
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("chromium"))
                .find(|candidate| candidate.exists())
        })
        .expect("the browser test needs chromium, and none is installed")
}

fn main() {
    let arguments = Arguments::from_args();
    let trial = Trial::test(
        "the_html_report_shows_a_failing_scenario_and_its_findings_in_chromium",
        || {
            the_html_report_shows_a_failing_scenario_and_its_findings_in_chromium();
            Ok(())
        },
    )
    // Ignored, not passed, without a browser: VOUCH_BROWSER_TEST=1 runs it.
    .with_ignored_flag(!required());
    libtest_mimic::run(&arguments, vec![trial]).exit();
}

/// Where CI picks up artefacts: `target/artifacts`.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder")
        .join("artifacts");
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs headless Chromium on `page` with `extra` arguments, in a fresh profile.
fn browse(browser: &Path, page: &Path, extra: &[String]) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > BROWSER_TIMEOUT {
            child.kill().ok();
            panic!("chromium did not finish within {BROWSER_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A copy of the page with a script that reports what a person sees: the rendered text
/// (`innerText` leaves out whatever is hidden or collapsed), where the first finding sits,
/// and the rendered text once the filter shows only passed scenarios. The report itself has
/// no script and forbids one, so the copy's policy lets this one script run.
fn probe_page(html: &str, dir: &Path) -> PathBuf {
    let script = r"<script>
(function () {
  const probe = { visible: document.body.innerText };
  const finding = document.querySelector('tr.finding');
  probe.finding_top = finding ? finding.getBoundingClientRect().top : -1;
  probe.viewport = window.innerHeight;
  document.getElementById('show-passed').checked = true;
  probe.only_passed = document.body.innerText;
  const out = document.createElement('pre');
  out.id = 'vouch-probe';
  out.textContent = JSON.stringify(probe);
  document.documentElement.appendChild(out);
})();
</script>";
    let relaxed = html
        .replacen(
            "default-src 'none';",
            "default-src 'none'; script-src 'unsafe-inline';",
            1,
        )
        .replacen("</body>", &format!("{script}\n</body>"), 1);
    assert_ne!(relaxed, html, "the probe went into the page");
    let path = dir.join("probe.html");
    fs::write(&path, relaxed).unwrap();
    path
}

fn probe_result(dom: &str) -> Value {
    let start = dom.find("<pre id=\"vouch-probe\">").expect("the probe ran")
        + "<pre id=\"vouch-probe\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap()
}

fn the_html_report_shows_a_failing_scenario_and_its_findings_in_chromium() {
    // Arrange
    let browser = chromium();
    let dir = tempfile::tempdir().unwrap();
    let mut record = record::sample();
    Redactor::new(std::iter::empty::<&str>(), [TOKEN]).redact(&mut record);
    let spec: ReportSpec = format!("html={}", dir.path().join("report.html").display())
        .parse()
        .unwrap();
    report::write_with(&spec, &record, &WriteOptions::default()).unwrap();
    let html = fs::read_to_string(&spec.path).unwrap();
    let screenshot = artifacts().join("report-failure.png");
    fs::remove_file(&screenshot).ok();

    // Act
    browse(
        &browser,
        &spec.path,
        &[format!("--screenshot={}", screenshot.display())],
    );
    let dom = browse(
        &browser,
        &probe_page(&html, dir.path()),
        &["--dump-dom".to_owned()],
    );
    let seen = probe_result(&String::from_utf8_lossy(&dom.stdout));

    // Assert
    let png = fs::read(&screenshot).expect("chromium wrote the screenshot");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "a real screenshot"
    );
    fs::copy(&spec.path, artifacts().join("report-failure.html")).unwrap();

    let visible = seen["visible"].as_str().unwrap();
    assert!(visible.contains(FAILED), "the failing scenario is shown");
    assert!(
        visible.contains(SCHEMA_FINDING),
        "its schema finding is shown"
    );
    assert!(visible.contains(ETAG_FINDING), "its eTag finding is shown");
    assert!(
        visible.contains("\"substatus\": \"Kazanıldı\","),
        "the snapshot diff is shown"
    );
    assert!(
        !visible.contains("writes to a live target need --allow-mutations"),
        "a skipped scenario stays collapsed"
    );
    let top = seen["finding_top"].as_f64().unwrap();
    assert!(
        top >= 0.0 && top < seen["viewport"].as_f64().unwrap(),
        "the first finding is on the first screen (top {top})"
    );

    let only_passed = seen["only_passed"].as_str().unwrap();
    assert!(
        only_passed.contains(PASSED),
        "the filter keeps passed scenarios"
    );
    assert!(
        !only_passed.contains(FAILED),
        "the filter hides the failing one"
    );
    assert!(
        !only_passed.contains(SKIPPED),
        "the filter hides the skipped one"
    );
}
