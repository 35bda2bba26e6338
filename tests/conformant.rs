//! No false alarms: `vouch run --target URL --allow-mutations` against servers that do what
//! the docs allow but the double does not do by default must exit 0. Each server here is
//! the double behind a small rewriting proxy: no ETag header, a Shared create stored as
//! Active/Accepted, 201 with Location, the Partner Center error envelope, OData media-type
//! parameters, other key order and extra properties and headers, pages of two, 429 with
//! an HTTP-date Retry-After, `Connection: close` with chunked bodies. One more stores every
//! new referral as Closed/Won, so the scenarios that need New or Active are inconclusive,
//! in every report, and the run still exits 0.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::doc_markdown)] // tests: a failed unwrap is a failed test; prose names headers

mod common;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use vouch::double::{Double, DoubleConfig};

use common::{stdout, ScratchSuite};

const COLLECTION: &str = "/v1.0/engagements/referrals";

/// What the proxy changes (each one a behaviour the docs allow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// headers.md: the ETag header "may" be returned; here it never is.
    NoEtagHeader,
    /// The documented create example: a Shared referral sent New/Pending comes back
    /// Active/Accepted.
    SharedCreatedActive,
    /// Create answers 201 with a Location header (every other variant answers 200).
    Created201,
    /// Errors in the Partner Center envelope `{"code","description"}`.
    PartnerCenterErrors,
    /// `application/json; odata.metadata=minimal; charset=utf-8`.
    ODataMediaType,
    /// Object keys in reverse order, an extra property on every referral, an extra header.
    ReorderedAndExtra,
    /// Lists in pages of two, with `@odata.nextLink`, even without `$top`.
    PagesOfTwo,
    /// Now and then 429 with Retry-After as an HTTP-date.
    ThrottledWithDate,
    /// `Connection: close` on every response, bodies chunked.
    CloseAndChunked,
    /// Every new referral is stored as Closed/Won (a status nothing leaves).
    CreatedClosed,
}

struct Proxy {
    variant: Variant,
    upstream: String,
    own: String,
    client: reqwest::Client,
    requests: AtomicUsize,
    /// Set between two runs: the server changed (every referral gains a member).
    changed: std::sync::atomic::AtomicBool,
}

/// A body sent in one frame with its length, or in several without (chunked).
struct Chunks {
    frames: VecDeque<Bytes>,
    length: Option<u64>,
}

impl Chunks {
    fn new(body: Bytes, chunked: bool) -> Self {
        if chunked && body.len() > 1 {
            let middle = body.len() / 2;
            Self {
                frames: VecDeque::from([body.slice(..middle), body.slice(middle..)]),
                length: None,
            }
        } else {
            let length = body.len() as u64;
            Self {
                frames: VecDeque::from([body]),
                length: Some(length),
            }
        }
    }
}

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(
            self.get_mut()
                .frames
                .pop_front()
                .map(|b| Ok(Frame::data(b))),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        self.length.map_or_else(SizeHint::new, SizeHint::with_exact)
    }
}

/// Reverses the key order of every object, keeping arrays in order.
fn reorder(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.reverse();
            let mut out = Map::new();
            for (key, value) in entries {
                out.insert(key, reorder(value));
            }
            if out.contains_key("id") {
                out.insert(
                    "partnerExtension".into(),
                    json!({"note": "a property the docs do not list", "rank": 1.0}),
                );
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(reorder).collect()),
        other => other,
    }
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Proxy {
    async fn forward(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(String, String)],
        body: Bytes,
    ) -> Answer {
        let mut request = self.client.request(
            method.parse().unwrap(),
            format!("{}{path_and_query}", self.upstream),
        );
        for (name, value) in headers {
            if !matches!(
                name.as_str(),
                "host" | "content-length" | "connection" | "transfer-encoding"
            ) {
                request = request.header(name, value);
            }
        }
        let response = request.body(body).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter(|(n, _)| !matches!(n.as_str(), "content-length" | "transfer-encoding"))
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = response.bytes().await.unwrap();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// Moves a just-created referral to (status, substatus) with a PATCH of the double.
    async fn restate(&self, created: &Value, status: &str, substatus: &str) -> Option<Answer> {
        let id = created.get("id")?.as_str()?;
        let ops = json!([
            {"op": "replace", "path": "/status", "value": status},
            {"op": "replace", "path": "/substatus", "value": substatus}
        ]);
        let answer = self
            .forward(
                "PATCH",
                &format!("{COLLECTION}/{id}"),
                &[
                    ("content-type".into(), "application/json".into()),
                    ("prefer".into(), "return=representation".into()),
                ],
                Bytes::from(ops.to_string()),
            )
            .await;
        (answer.status == 200).then_some(answer)
    }

    async fn handle(&self, request: Request<Incoming>) -> Response<Chunks> {
        let method = request.method().as_str().to_owned();
        let mut target = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = request.into_body().collect().await.unwrap().to_bytes();
        let count = self.requests.fetch_add(1, Ordering::Relaxed);
        let chunked = self.variant == Variant::CloseAndChunked;
        if self.variant == Variant::ThrottledWithDate && count % 25 == 3 {
            let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(1));
            return Response::builder()
                .status(429)
                .header("Retry-After", soon)
                .header("Content-Type", "application/json")
                .body(Chunks::new(
                    Bytes::from(r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#),
                    false,
                ))
                .unwrap();
        }
        let is_list = method == "GET" && target.split('?').next() == Some(COLLECTION);
        if self.variant == Variant::PagesOfTwo && is_list && !target.contains("$top=") {
            target.push(if target.contains('?') { '&' } else { '?' });
            target.push_str("$top=2");
        }
        let mut answer = self.forward(&method, &target, &headers, body).await;
        let is_create = method == "POST" && target == COLLECTION && answer.status == 201;
        if is_create {
            let created: Value = serde_json::from_slice(&answer.body).unwrap();
            let restated = match self.variant {
                Variant::SharedCreatedActive
                    if created.get("type") == Some(&json!("Shared"))
                        && created.get("status") == Some(&json!("New")) =>
                {
                    self.restate(&created, "Active", "Accepted").await
                }
                Variant::CreatedClosed => self.restate(&created, "Closed", "Won").await,
                _ => None,
            };
            if let Some(restated) = restated {
                answer.headers = restated.headers;
                answer.body = restated.body;
            }
            // The double answers 201 without Location; this one answers 200 (the Swagger's
            // code), the other 201 with Location.
            if self.variant == Variant::Created201 {
                if let Some(id) = created.get("id").and_then(Value::as_str) {
                    answer
                        .headers
                        .push(("location".into(), format!("{}{COLLECTION}/{id}", self.own)));
                }
            } else {
                answer.status = 200;
            }
        }
        let mut text = String::from_utf8(answer.body.to_vec())
            .unwrap()
            .replace(&self.upstream, &self.own);
        let json: Option<Value> = serde_json::from_str(&text).ok();
        match (self.variant, json) {
            (Variant::PartnerCenterErrors, Some(body)) if answer.status >= 400 => {
                if let Some(error) = body.get("error") {
                    text = json!({
                        "code": error.get("code").cloned().unwrap_or(json!(400)),
                        "description": error.get("message").cloned().unwrap_or(json!("error")),
                        "data": [],
                        "source": "PartnerCenter"
                    })
                    .to_string();
                }
            }
            (Variant::ReorderedAndExtra, Some(body)) => {
                text = serde_json::to_string_pretty(&reorder(body)).unwrap();
            }
            (_, Some(mut body)) if self.changed.load(Ordering::Relaxed) => {
                if let Some(map) = body.as_object_mut().filter(|m| m.contains_key("id")) {
                    map.insert("serverRevision".into(), json!(2));
                    text = body.to_string();
                }
            }
            _ => {}
        }
        let mut response = Response::builder().status(answer.status);
        for (name, value) in &answer.headers {
            match name.as_str() {
                "etag" if self.variant == Variant::NoEtagHeader => {}
                "content-type" if self.variant == Variant::ODataMediaType => {
                    response = response.header(
                        "Content-Type",
                        "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8",
                    );
                }
                "connection" | "date" => {}
                _ => response = response.header(name, value.replace(&self.upstream, &self.own)),
            }
        }
        match self.variant {
            Variant::ReorderedAndExtra => {
                response = response
                    .header("X-Partner-Trace", format!("trace-{count}"))
                    .header("Cache-Control", "no-store");
            }
            Variant::CloseAndChunked => response = response.header("Connection", "close"),
            _ => {}
        }
        response
            .body(Chunks::new(Bytes::from(text), chunked))
            .unwrap()
    }
}

/// The double behind a proxy that behaves as `variant`; kept running while it lives.
struct Server {
    url: String,
    proxy: Arc<Proxy>,
    /// Serves the proxy and the double; dropping it stops them.
    _runtime: tokio::runtime::Runtime,
    _double: Double,
}

impl Server {
    fn start(variant: Variant) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let suite = common::suite();
        let double = runtime
            .block_on(Double::start(
                &suite,
                DoubleConfig {
                    seed: None,
                    ..DoubleConfig::default()
                },
            ))
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(SocketAddr::from((
                [127, 0, 0, 1],
                0,
            ))))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let proxy = Arc::new(Proxy {
            variant,
            upstream: double.uri(),
            own: url.clone(),
            client: reqwest::Client::new(),
            requests: AtomicUsize::new(0),
            changed: std::sync::atomic::AtomicBool::new(false),
        });
        let handle = Arc::clone(&proxy);
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let proxy = Arc::clone(&proxy);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let proxy = Arc::clone(&proxy);
                        async move { Ok::<_, Infallible>(proxy.handle(request).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            url,
            proxy: handle,
            _runtime: runtime,
            _double: double,
        }
    }
}

/// `vouch run --target URL --allow-mutations` on a scratch copy of the suite (so the
/// target's snapshots land in the copy), with every report.
fn run_against(variant: Variant, scratch: &ScratchSuite, extra: &[&str]) -> std::process::Output {
    run_on(&Server::start(variant), scratch, extra)
}

fn run_on(server: &Server, scratch: &ScratchSuite, extra: &[&str]) -> std::process::Output {
    let suite = scratch.suite();
    let out = scratch.path("out");
    let mut args = vec![
        "run".to_owned(),
        suite.display().to_string(),
        "--target".into(),
        server.url.clone(),
        "--allow-mutations".into(),
        "--jobs".into(),
        "4".into(),
    ];
    for (format, file) in [
        ("junit", "junit.xml"),
        ("json", "run.json"),
        ("markdown", "summary.md"),
        ("html", "report.html"),
    ] {
        args.push("--report".into());
        args.push(format!("{format}={}", out.join(file).display()));
    }
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(&args)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .unwrap();
    output
}

fn passes(variant: Variant) -> String {
    let scratch = ScratchSuite::new();
    let output = run_against(variant, &scratch, &[]);
    let text = stdout(&output);
    let failing: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("FAIL") || l.starts_with("ERROR") || l.starts_with("      "))
        .take(40)
        .collect();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{variant:?}: false alarms:\n{}\n{}\n{}",
        failing.join("\n"),
        text.lines()
            .find(|l| l.contains(" passed, "))
            .unwrap_or_default(),
        common::stderr(&output)
    );
    text
}

fn passes_conclusively(variant: Variant) {
    let text = passes(variant);
    assert!(!text.contains("INCONCLUSIVE"), "{variant:?}:\n{text}");
}

#[test]
fn no_etag_header_is_conformant() {
    passes_conclusively(Variant::NoEtagHeader);
}

#[test]
fn a_shared_create_stored_as_active_accepted_is_conformant() {
    let text = passes(Variant::SharedCreatedActive);
    // Moves from Active and Closed are established by allowed moves and judged; only
    // those that need New (which nothing reaches from Active) are inconclusive.
    for line in text.lines().filter(|l| l.starts_with("INCONCLUSIVE")) {
        assert!(line.contains(" New -> "), "{line}");
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("PASS") && l.contains("transition PUT Active -> Closed/Won")),
        "{text}"
    );
}

#[test]
fn create_answering_201_with_location_is_conformant() {
    passes_conclusively(Variant::Created201);
}

#[test]
fn the_partner_center_error_envelope_is_conformant() {
    passes_conclusively(Variant::PartnerCenterErrors);
}

#[test]
fn odata_media_type_parameters_are_conformant() {
    passes_conclusively(Variant::ODataMediaType);
}

#[test]
fn other_key_order_extra_properties_and_headers_are_conformant() {
    passes_conclusively(Variant::ReorderedAndExtra);
}

#[test]
fn pages_of_two_with_next_links_are_conformant() {
    passes_conclusively(Variant::PagesOfTwo);
}

#[test]
fn throttling_with_an_http_date_retry_after_is_conformant() {
    passes_conclusively(Variant::ThrottledWithDate);
}

#[test]
fn connection_close_and_chunked_bodies_are_conformant() {
    passes_conclusively(Variant::CloseAndChunked);
}

#[test]
fn a_precondition_that_cannot_be_reached_is_inconclusive_in_every_report_and_exits_0() {
    let scratch = ScratchSuite::new();
    let output = run_against(Variant::CreatedClosed, &scratch, &[]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    let needs_new = "transition PUT New -> Active/Accepted (allowed)";
    let line = text
        .lines()
        .find(|l| l.contains(needs_new))
        .expect("the scenario ran");
    assert!(line.starts_with("INCONCLUSIVE"), "{line}");
    assert!(line.contains("stored the new resource as Closed"), "{line}");
    let summary = text.lines().find(|l| l.contains(" passed, ")).unwrap();
    assert!(summary.contains(" inconclusive"), "{summary}");

    let record: Value =
        serde_json::from_str(&scratch.read("out/run.json")).expect("the run record is JSON");
    let scenario = record["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == needs_new)
        .unwrap();
    assert_eq!(scenario["outcome"], "inconclusive");
    assert!(scenario["reason"].as_str().unwrap().contains("Closed"));
    assert!(record["totals"]["inconclusive"].as_u64().unwrap() > 0);
    assert_eq!(record["totals"]["failed"], 0);

    let junit = scratch.read("out/junit.xml");
    let document = roxmltree::Document::parse(&junit).unwrap();
    let case = document
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some(needs_new))
        .unwrap();
    let skipped = case
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .expect("an inconclusive scenario is skipped in JUnit");
    let message = skipped.attribute("message").unwrap_or_default();
    assert!(message.starts_with("inconclusive: "), "{junit}");

    let markdown = scratch.read("out/summary.md");
    assert!(markdown.contains("Inconclusive ("), "{markdown}");
    assert!(
        markdown.contains(&needs_new.replace('>', "&gt;")),
        "{markdown}"
    );
    let html = scratch.read("out/report.html");
    assert!(html.contains("<span class=\"badge inconclusive\">inconclusive</span>"));
    assert!(html.contains("Inconclusive (not a failure): "));
}

#[test]
fn a_new_target_records_its_snapshots_and_a_changed_one_reports_the_difference() {
    let scratch = ScratchSuite::new();
    let server = Server::start(Variant::NoEtagHeader);
    let label = vouch::checks::snapshot::target_label(&server.url);
    let folder = scratch.path("snapshots").join(&label);

    // First run: recorded as new for review, and no failure.
    let first = run_on(&server, &scratch, &[]);
    let text = stdout(&first);
    assert_eq!(first.status.code(), Some(0), "{text}");
    assert!(text.contains("recorded as new for this target"), "{text}");
    let recorded: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        recorded.iter().any(|n| n.ends_with(".snap.new")) && recorded.len() >= 4,
        "{recorded:?}"
    );
    // The double's own snapshots are not touched, and none of its values leak in.
    assert!(!scratch
        .path("snapshots/documented-create-returns-the-populated-referral__create.snap")
        .exists());

    // Second run, unchanged: compares against what was recorded, and passes.
    let second = run_on(&server, &scratch, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", stdout(&second));

    // The target changes: the difference is reported, against its own snapshots.
    server.proxy.changed.store(true, Ordering::Relaxed);
    let third = run_on(&server, &scratch, &[]);
    let text = stdout(&third);
    assert_eq!(third.status.code(), Some(1), "{text}");
    assert!(text.contains("[snapshot, assumed]"), "{text}");
    assert!(text.contains(&label), "{text}");
    let record = scratch.read("out/run.json");
    assert!(
        record.contains("serverRevision"),
        "the diff is in the record"
    );
}
