//! Secrets stay secret against a hostile target: a small server of the test's own, on
//! loopback, echoes the bearer token back in every form a response can carry it, and the
//! run's console, reports, step summary and recorded snapshots must show neither the token
//! nor any 20-character piece of it, nor a URL password. Also: the refused inputs around
//! the token (userinfo in `--target`, an empty token, a token command that never ends)
//! and the run deadline.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{stderr, stdout, ScratchSuite};

/// A JWT-shaped token (its pieces decode to nothing secret).
const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJob3N0aWxlLXRhcmdldC10ZXN0In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1mb3ItdGVzdHM";

/// A password the target puts in the URLs it answers with.
const PASSWORD: &str = "Hunter2-pa55w0rd";

/// How the hostile target answers a request: status, headers, body.
type Answer = (u16, Vec<(String, String)>, String);

/// A one-request-per-connection HTTP/1.1 server on 127.0.0.1 answering with `answer`
/// (given the request's path and its Authorization header); it records what it was sent.
struct Hostile {
    url: String,
    authorizations: Arc<Mutex<Vec<String>>>,
}

impl Hostile {
    fn start(answer: fn(&str, &str, &str) -> Option<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let authorizations = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&authorizations);
        let base = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (seen, base) = (Arc::clone(&seen), base.clone());
                std::thread::spawn(move || serve(stream, &base, &seen, answer));
            }
        });
        Self {
            url,
            authorizations,
        }
    }
}

fn serve(
    stream: TcpStream,
    base: &str,
    seen: &Mutex<Vec<String>>,
    answer: fn(&str, &str, &str) -> Option<Answer>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    let (mut authorization, mut length) = (String::new(), 0usize);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                // Every Authorization header the request carried, joined.
                if !authorization.is_empty() {
                    authorization.push_str(" | ");
                }
                authorization.push_str(value.trim());
            }
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    seen.lock().unwrap().push(authorization.clone());
    let Some((status, headers, body)) = answer(&path, &authorization, base) else {
        // Hang: keep the connection open and answer nothing.
        std::thread::sleep(Duration::from_secs(600));
        return;
    };
    let mut head = format!(
        "HTTP/1.1 {status} Hostile\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

/// Every character of `text` as a JSON `\u00XX` escape.
fn escaped(text: &str) -> String {
    text.chars()
        .map(|c| format!("\\u{:04x}", u32::from(c)))
        .collect::<Vec<_>>()
        .concat()
}

fn json(headers: &[(&str, String)]) -> Vec<(String, String)> {
    let mut all = vec![("content-type".to_owned(), "application/json".to_owned())];
    all.extend(headers.iter().map(|(n, v)| ((*n).to_owned(), v.clone())));
    all
}

/// The hostile target: the token (and a URL password) in every form a response carries.
#[allow(clippy::unnecessary_wraps)] // the shape every answer function has
fn echo(path: &str, authorization: &str, base: &str) -> Option<Answer> {
    let token = authorization
        .strip_prefix("Bearer ")
        .unwrap_or(authorization);
    let resource = "/v1.0/engagements/referrals";
    let echoed = [("x-echo", token.to_owned())];
    Some(match path.strip_prefix(resource).unwrap_or(path) {
        // Raw in JSON, whole and cut to 58 characters.
        "/raw" => (
            200,
            json(&echoed),
            format!(
                r#"{{"id":"raw","echo":"{authorization}","partial":"{}"}}"#,
                &token[..58.min(token.len())]
            ),
        ),
        // Raw in a non-JSON 401 body longer than any preview cut.
        "/unauthorized" => (
            401,
            vec![
                ("content-type".into(), "text/plain".into()),
                (
                    "www-authenticate".into(),
                    format!(r#"Bearer error="invalid_token", token="{token}""#),
                ),
            ],
            format!(
                "invalid token: {authorization} was refused by this hostile target; {}",
                "padding ".repeat(20)
            ),
        ),
        // JSON-escaped, every character, and with escaped slashes around it.
        "/escaped" => (
            200,
            json(&[]),
            format!(
                r#"{{"id":"escaped","echo":"{}","url":"http:\/\/x\/?t={}"}}"#,
                escaped(authorization),
                escaped(token)
            ),
        ),
        // In response headers only.
        "/header" => (
            200,
            json(&[
                ("x-echo", token.to_owned()),
                ("x-echo-authorization", authorization.to_owned()),
            ]),
            r#"{"id":"header"}"#.to_owned(),
        ),
        // In a Location header and a nextLink, in the query; a URL password too.
        "/link" => (
            200,
            json(&[
                (
                    "location",
                    format!("{base}{resource}/link?access_token={token}"),
                ),
                (
                    "content-location",
                    format!("http://admin:{PASSWORD}@127.0.0.1/x"),
                ),
            ]),
            format!(
                r#"{{"value":[],"@odata.nextLink":"{base}{resource}?$skipToken=2&t={token}","mirror":"https://admin:{PASSWORD}@example.test/p"}}"#
            ),
        ),
        _ => (200, json(&echoed), r#"{"value":[]}"#.to_owned()),
    })
}

/// A scenario that walks the hostile target's answers, with snapshots of each.
const HOSTILE_SCENARIO: &str = r"name: hostile echoes
steps:
  - name: raw
    request: { method: GET, path: /v1.0/engagements/referrals/raw }
    expect: { status: 200, schema: referral, snapshot: true }
  - name: unauthorized
    request: { method: GET, path: /v1.0/engagements/referrals/unauthorized }
    expect: { status: 200, schema: referral, snapshot: true }
  - name: escaped
    request: { method: GET, path: /v1.0/engagements/referrals/escaped }
    expect: { status: 200, schema: referral, snapshot: true }
  - name: header
    request: { method: GET, path: /v1.0/engagements/referrals/header }
    expect: { status: 200, headers: { X-Echo: expected }, snapshot: true }
  - name: link
    request: { method: GET, path: /v1.0/engagements/referrals/link }
    expect: { status: 200, schema: referral, snapshot: true }
";

/// What of the secrets `text` shows: the token, a 20-character piece of it, the password.
fn leaks(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if text.contains(PASSWORD) {
        found.push("the URL password".to_owned());
    }
    let bytes = TOKEN.as_bytes();
    for (at, window) in bytes.windows(20).enumerate() {
        let piece = std::str::from_utf8(window).unwrap();
        if text.contains(piece) {
            found.push(format!("the token's piece at {at}: {piece}"));
            break;
        }
    }
    found
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(files(&path));
        } else {
            all.push(path);
        }
    }
    all
}

fn vouch(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vouch"));
    command
        .args(args)
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

#[test]
fn a_hostile_target_echoing_the_token_in_every_form_leaks_no_piece_of_it() {
    // Arrange: a suite of the one hostile scenario, reports and snapshots in scratch folders.
    let suite = ScratchSuite::new();
    suite.write(
        "fixtures/referrals/scenarios/hostile.yaml",
        HOSTILE_SCENARIO,
    );
    let hostile = Hostile::start(echo);
    let out = tempfile::tempdir().unwrap();
    let report = |kind: &str| format!("{kind}={}", out.path().join(kind).display());
    let summary = out.path().join("step-summary.md");
    let suite_dir = suite.suite();

    // Act
    let output = vouch(
        &[
            "run",
            suite_dir.to_str().unwrap(),
            "--target",
            &hostile.url,
            "--token-env",
            "HOSTILE_TOKEN",
            "--filter",
            "hostile",
            "--snapshots",
            "update",
            "--report",
            &report("junit"),
            "--report",
            &report("json"),
            "--report",
            &report("markdown"),
            "--report",
            &report("html"),
        ],
        &[
            ("HOSTILE_TOKEN", TOKEN),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );

    // Assert: the target was sent the token and echoed it ...
    let sent = hostile.authorizations.lock().unwrap().clone();
    assert!(
        sent.iter().any(|a| a == &format!("Bearer {TOKEN}")),
        "{sent:?}"
    );
    let console = format!("{}{}", stdout(&output), stderr(&output));
    assert!(
        console.contains("hostile echoes"),
        "the scenario ran: {console}"
    );
    // ... and no output holds any of it.
    assert_eq!(leaks(&console), Vec::<String>::new(), "console: {console}");
    let mut written = files(out.path());
    written.sort();
    assert_eq!(
        written.len(),
        5,
        "four reports and the step summary: {written:?}"
    );
    let snapshots = files(&suite.path("snapshots"));
    assert_eq!(snapshots.len(), 5, "one snapshot per step: {snapshots:?}");
    for path in written.iter().chain(&snapshots) {
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            leaks(&text),
            Vec::<String>::new(),
            "{}:\n{text}",
            path.display()
        );
    }
    // The redaction shows, where the secrets were.
    let record = std::fs::read_to_string(out.path().join("json")).unwrap();
    assert!(record.contains("[redacted]"), "{record}");
}

#[test]
fn a_password_in_the_target_url_is_refused_without_being_printed() {
    let hostile = Hostile::start(echo);
    let target = hostile
        .url
        .replace("http://", &format!("http://admin:{PASSWORD}@"));

    let output = vouch(
        &["run", "--target", &target, "--token-env", "HOSTILE_TOKEN"],
        &[("HOSTILE_TOKEN", TOKEN)],
    );

    let console = format!("{}{}", stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(2), "{console}");
    assert!(console.contains("user name or password"), "{console}");
    assert!(!console.contains(PASSWORD), "{console}");
    assert!(
        hostile.authorizations.lock().unwrap().is_empty(),
        "nothing was sent"
    );
}

#[test]
fn a_scenario_that_sends_its_own_authorization_sends_only_that_one() {
    let suite = ScratchSuite::new();
    suite.write(
        "fixtures/referrals/scenarios/own-auth.yaml",
        "name: own authorization\nsteps:\n  - request: { method: GET, path: /v1.0/engagements/referrals/raw, headers: { Authorization: Bearer not-the-token-0123456789 } }\n",
    );
    let hostile = Hostile::start(echo);
    let suite_dir = suite.suite();

    let output = vouch(
        &[
            "run",
            suite_dir.to_str().unwrap(),
            "--target",
            &hostile.url,
            "--token-env",
            "HOSTILE_TOKEN",
            "--filter",
            "own authorization",
            "--snapshots",
            "off",
        ],
        &[("HOSTILE_TOKEN", TOKEN)],
    );

    let sent = hostile.authorizations.lock().unwrap().clone();
    assert!(
        stdout(&output).contains("own authorization"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        sent.last().map(String::as_str),
        Some("Bearer not-the-token-0123456789"),
        "{sent:?}"
    );
}

#[test]
fn an_empty_token_is_refused_before_anything_is_sent() {
    let hostile = Hostile::start(echo);

    let output = vouch(
        &[
            "run",
            "--target",
            &hostile.url,
            "--token-env",
            "EMPTY_TOKEN",
        ],
        &[("EMPTY_TOKEN", "  ")],
    );

    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("--token-env EMPTY_TOKEN: the variable is empty"),
        "{}",
        stderr(&output)
    );
    assert!(hostile.authorizations.lock().unwrap().is_empty());
}

#[test]
fn a_token_command_that_never_ends_is_killed_after_its_timeout() {
    let started = Instant::now();

    let output = vouch(
        &[
            "run",
            "--target",
            "http://127.0.0.1:9",
            "--token-command",
            "sleep 300",
            "--token-timeout",
            "1",
        ],
        &[],
    );

    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("did not finish within 1 s"),
        "{}",
        stderr(&output)
    );
    // Not a speed target: it must not wait for the command's 300 s.
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// Answers the first request (vouch's probe), then hangs on every other.
fn hang_after_probe(_: &str, _: &str, _: &str) -> Option<Answer> {
    static ANSWERED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    (!ANSWERED.swap(true, std::sync::atomic::Ordering::SeqCst))
        .then(|| (200, json(&[]), r#"{"value":[]}"#.to_owned()))
}

/// Answers the probe, then asks for Retry-After: 10 on every answer.
#[allow(clippy::unnecessary_wraps)] // the shape every answer function has
fn always_retry_later(path: &str, _: &str, _: &str) -> Option<Answer> {
    if path == "/v1.0/engagements/referrals" {
        return Some((200, json(&[]), r#"{"value":[]}"#.to_owned()));
    }
    Some((
        503,
        json(&[("retry-after", "10".to_owned())]),
        "{}".to_owned(),
    ))
}

fn run_with_deadline(
    answer: fn(&str, &str, &str) -> Option<Answer>,
) -> (Output, serde_json::Value, Duration) {
    let hostile = Hostile::start(answer);
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("run.json");
    let started = Instant::now();
    let output = vouch(
        &[
            "run",
            "--target",
            &hostile.url,
            "--token-env",
            "HOSTILE_TOKEN",
            "--allow-mutations",
            "--jobs",
            "2",
            "--timeout",
            "60",
            "--max-wait",
            "600",
            "--retries",
            "50",
            "--deadline",
            "2",
            // Its answers are the point, not a record of them in the repository.
            "--snapshots",
            "off",
            "--report",
            &format!("json={}", report.display()),
        ],
        &[("HOSTILE_TOKEN", TOKEN)],
    );
    let took = started.elapsed();
    let record = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    (output, record, took)
}

fn reasons(record: &serde_json::Value) -> Vec<String> {
    record["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{}: {}", s["outcome"], s["reason"].as_str().unwrap_or("")))
        .collect()
}

#[test]
fn a_target_that_hangs_after_the_first_answer_is_cut_off_by_the_deadline() {
    let (output, record, took) = run_with_deadline(hang_after_probe);

    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let reasons = reasons(&record);
    assert!(
        reasons.iter().all(|r| r.starts_with("\"error\"")),
        "{reasons:?}"
    );
    assert_eq!(
        reasons
            .iter()
            .filter(|r| r.contains("passed while it ran"))
            .count(),
        2,
        "the two running at the deadline: {reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .skip(2)
            .all(|r| r.contains("passed before it started")),
        "{reasons:?}"
    );
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn retry_after_waits_count_against_the_deadline() {
    let (output, record, took) = run_with_deadline(always_retry_later);

    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let reasons = reasons(&record);
    assert!(
        reasons.iter().any(|r| r.contains("passed while it ran")),
        "{reasons:?}"
    );
    assert!(took < Duration::from_secs(30), "{took:?}");
}
