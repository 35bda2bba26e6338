//! No request makes the double panic or drop the connection: property tests (proptest,
//! 256 cases each, so CI stays fast) on the `$filter` parser and evaluator and on the whole
//! request path of both servers (arbitrary bytes in the path, the query, the headers and
//! the body, sent over raw TCP), and a client that aborts halfway through a body.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // tests: a failed unwrap is a failed test

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use proptest::prelude::*;
use serde_json::json;
use vouch::double::odata::{self, Properties};
use vouch::double::{Double, DoubleConfig, DoubleServer};

const PATH: &str = "/v1.0/engagements/referrals";
const CASES: u32 = 256;

use common::suite;

fn properties() -> &'static Properties {
    static PROPERTIES: std::sync::OnceLock<Properties> = std::sync::OnceLock::new();
    PROPERTIES.get_or_init(|| Properties::from_schema(&suite().schemas, "referral"))
}

/// Text that looks like a filter often enough to reach deep into the parser.
fn filterish() -> impl Strategy<Value = String> {
    let words = prop_oneof![
        Just("status".to_owned()),
        Just("customerProfile/address/country".to_owned()),
        Just("team/any(t:t/email".to_owned()),
        Just("team/all(".to_owned()),
        Just("eq".to_owned()),
        Just("ne".to_owned()),
        Just("gt".to_owned()),
        Just("and".to_owned()),
        Just("or".to_owned()),
        Just("not".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("'New'".to_owned()),
        Just("'it''s'".to_owned()),
        Just("'".to_owned()),
        Just("2020-09-30T11:40:00Z".to_owned()),
        Just("-1.5e3".to_owned()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("\u{92}".to_owned()),
        "\\PC{0,4}",
    ];
    prop::collection::vec(words, 0..24).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn the_filter_parser_never_panics_and_errors_point_inside_the_text(text in prop_oneof!["\\PC*", filterish()]) {
        let properties = properties();
        let referral = json!({"status": "New", "customerProfile": {"address": {"country": "US"}}, "team": [{"email": "a"}]});
        match odata::parse(&text, Some(properties)) {
            Ok(expr) => {
                let _ = odata::matches(&expr, &referral);
            }
            Err(error) => prop_assert!(error.at <= text.chars().count(), "{error} for {text:?}"),
        }
    }
}

/// Sends `raw` and returns the status code of the response, failing on a dropped
/// connection or silence.
fn status_of(address: SocketAddr, raw: &[u8]) -> Result<u16, String> {
    let mut stream = TcpStream::connect(address).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
    stream.write_all(raw).map_err(|e| format!("write: {e}"))?;
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) => {
                return Err(format!(
                    "connection closed without a response ({} bytes)",
                    seen.len()
                ))
            }
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
            Err(e) => return Err(format!("no response: {e}")),
        }
    }
    let head = String::from_utf8_lossy(&seen);
    head.strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP response: {head:?}"))
}

fn encoded(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "%{b:02X}");
        out
    })
}

/// One request of arbitrary parts.
#[derive(Debug, Clone)]
struct Wild {
    method: String,
    tail: Vec<u8>,
    raw_path: bool,
    key: Vec<u8>,
    value: Vec<u8>,
    header_name: String,
    header_value: Vec<u8>,
    content_type: String,
    body: Vec<u8>,
}

fn wild() -> impl Strategy<Value = Wild> {
    (
        prop_oneof![
            Just("GET".to_owned()),
            Just("POST".to_owned()),
            Just("PUT".to_owned()),
            Just("PATCH".to_owned()),
            Just("DELETE".to_owned()),
            "[A-Z]{1,7}"
        ],
        prop::collection::vec(any::<u8>(), 0..40),
        any::<bool>(),
        prop_oneof![
            Just(b"$filter".to_vec()),
            Just(b"$orderby".to_vec()),
            Just(b"$top".to_vec()),
            Just(b"$select".to_vec()),
            Just(b"$skiptoken".to_vec()),
            prop::collection::vec(any::<u8>(), 0..8)
        ],
        prop::collection::vec(any::<u8>(), 0..60),
        prop_oneof![
            Just("If-Match".to_owned()),
            Just("Prefer".to_owned()),
            Just("Authorization".to_owned()),
            "[A-Za-z-]{1,12}"
        ],
        prop::collection::vec(any::<u8>(), 0..40),
        prop_oneof![
            Just("application/json".to_owned()),
            Just("application/json-patch+json".to_owned()),
            "\\PC{0,20}"
        ],
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            Just(br#"[{"op":"replace","path":"/status","value":"Closed"}]"#.to_vec()),
            Just(br#"{"status":"New"}"#.to_vec())
        ],
    )
        .prop_map(
            |(
                method,
                tail,
                raw_path,
                key,
                value,
                header_name,
                header_value,
                content_type,
                body,
            )| Wild {
                method,
                tail,
                raw_path,
                key,
                value,
                header_name,
                header_value,
                content_type,
                body,
            },
        )
}

impl Wild {
    fn bytes(&self, id: &str) -> Vec<u8> {
        let mut target = format!("{PATH}/{id}").into_bytes();
        if self.raw_path {
            target.extend_from_slice(&self.tail);
        } else {
            target.extend_from_slice(encoded(&self.tail).as_bytes());
        }
        target.extend_from_slice(
            format!("?{}={}", encoded(&self.key), encoded(&self.value)).as_bytes(),
        );
        let mut raw = format!("{} ", self.method).into_bytes();
        raw.extend_from_slice(&target);
        raw.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        raw.extend_from_slice(self.header_name.as_bytes());
        raw.extend_from_slice(b": ");
        raw.extend_from_slice(&self.header_value);
        raw.extend_from_slice(
            format!(
                "\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n",
                self.content_type,
                self.body.len()
            )
            .as_bytes(),
        );
        raw.extend_from_slice(&self.body);
        raw
    }
}

struct Servers {
    _runtime: tokio::runtime::Runtime,
    doubles: Vec<(DoubleServer, Double, String)>,
}

fn servers() -> Servers {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let suite = suite();
    let create = suite
        .example("create-a-referral.request")
        .and_then(|e| e.json.clone())
        .unwrap();
    let doubles = runtime.block_on(async {
        let mut doubles = Vec::new();
        for server in [DoubleServer::Lean, DoubleServer::Wiremock] {
            let double = Double::start(
                &suite,
                DoubleConfig {
                    server,
                    ..DoubleConfig::default()
                },
            )
            .await
            .unwrap();
            let created: serde_json::Value = reqwest::Client::new()
                .post(format!("{}{PATH}", double.uri()))
                .json(&create)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let id = created["id"].as_str().unwrap().to_owned();
            doubles.push((server, double, id));
        }
        doubles
    });
    Servers {
        _runtime: runtime,
        doubles,
    }
}

#[test]
fn every_request_of_arbitrary_bytes_gets_an_answer_that_is_not_a_server_error() {
    let servers = servers();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(CASES));
    let answered = std::sync::atomic::AtomicUsize::new(0);
    let result = runner.run(&(wild(), any::<bool>()), |(request, known_id)| {
        for (server, double, id) in &servers.doubles {
            answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let id = if known_id { id.as_str() } else { "no-such-id" };
            let status = status_of(double.address(), &request.bytes(id))
                .map_err(|e| TestCaseError::fail(format!("{server:?}: {e}")))?;
            prop_assert!(status < 500, "{server:?} answered {status}");
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
    assert!(answered.into_inner() >= 2 * CASES as usize);
}

#[test]
fn a_client_that_aborts_mid_body_leaves_the_double_serving() {
    let servers = servers();
    for (server, double, id) in &servers.doubles {
        // Arrange: a PUT that promises 1000 bytes and sends 10, then goes away.
        let mut stream = TcpStream::connect(double.address()).unwrap();
        let head = format!("PUT {PATH}/{id} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nIf-Match: *\r\nContent-Length: 1000\r\n\r\n{{\"status\":");
        stream.write_all(head.as_bytes()).unwrap();
        stream.shutdown(std::net::Shutdown::Both).ok();
        drop(stream);
        std::thread::sleep(Duration::from_millis(100));

        // Act
        let status = status_of(
            double.address(),
            format!("GET {PATH}/{id} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );

        // Assert: the referral is unchanged and still served.
        assert_eq!(status, Ok(200), "{server:?}");
    }
}

#[test]
fn the_non_ascii_filter_that_used_to_panic_gets_400() {
    let servers = servers();
    for (server, double, _) in &servers.doubles {
        let status = status_of(double.address(), format!("GET {PATH}?$filter=%C2%92 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes());
        assert_eq!(status, Ok(400), "{server:?}");
    }
}
