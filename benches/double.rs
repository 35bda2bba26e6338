//! Throughput of `vouch serve`: GET-by-id and PUT requests per second over keep-alive
//! connections, from a client in this process to the double in its own process; then its
//! memory: the resident set (`VmRSS` of `/proc/<pid>/status` of the served process) before
//! and after 100,000 requests (GET, PUT and 401s without the token, mixed), after a
//! warm-up of 5,000.
//!
//! Run with `cargo bench --bench double` (optionally `-- --seconds N --connections N
//! --requests N --server lean|wiremock`; the default server is `vouch serve`'s own).
//! It prints figures and asserts nothing: machines here are shared and noisy.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed unwrap is a failed run

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

const PATH: &str = "/v1.0/engagements/referrals";

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn start_server(extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(["serve", "--seed", "1"])
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("vouch serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("vouch double listening on ")
        .unwrap()
        .to_owned();
    Server { child, base }
}

fn text_arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// The resident set of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// `requests` requests against `server`: of every four, two GETs, one PUT (If-Match) and
/// one GET without the token (401), over `connections` keep-alive connections.
async fn mixed(
    base: &str,
    token: &str,
    create_body: &str,
    put: &Value,
    requests: u64,
    connections: u64,
) {
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .build()
        .unwrap();
    let left = Arc::new(AtomicU64::new(requests));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let created = create(&client, base, create_body, Some(token)).await;
        let (client, left, token) = (client.clone(), Arc::clone(&left), token.to_owned());
        let mut body = put.clone();
        body["id"] = created["id"].clone();
        body["engagementId"] = created["engagementId"].clone();
        let url = format!("{base}{PATH}/{}", created["id"].as_str().unwrap());
        let mut etag = created["eTag"].as_str().unwrap().to_owned();
        tasks.spawn(async move {
            let mut n = 0u64;
            while left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| l.checked_sub(1))
                .is_ok()
            {
                n += 1;
                match n % 4 {
                    0 => {
                        body["statusReason"] = Value::String(format!("write {n}"));
                        let response = client
                            .put(&url)
                            .bearer_auth(&token)
                            .header("Content-Type", "application/json")
                            .header("If-Match", &etag)
                            .body(body.to_string())
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(response.status(), 200);
                        etag = response.headers()["etag"].to_str().unwrap().to_owned();
                        response.bytes().await.unwrap();
                    }
                    1 => {
                        let response = client.get(&url).send().await.unwrap();
                        assert_eq!(response.status(), 401);
                        response.bytes().await.unwrap();
                    }
                    _ => {
                        let response = client.get(&url).bearer_auth(&token).send().await.unwrap();
                        assert_eq!(response.status(), 200);
                        response.bytes().await.unwrap();
                    }
                }
            }
        });
    }
    tasks.join_all().await;
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn create(client: &reqwest::Client, base: &str, body: &str, token: Option<&str>) -> Value {
    let mut request = client.post(format!("{base}{PATH}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn main() {
    let seconds = arg("--seconds", 3);
    let connections = arg("--connections", 8);
    let server = start_server(&[]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let create_body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/referrals/documented/create-a-referral.request.json"
    ))
    .unwrap();
    let put_template: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/referrals/documented/update-a-referral.request.json"
        ))
        .unwrap(),
    )
    .unwrap();
    println!(
        "vouch serve at {} ({} connections, {seconds} s per phase, keep-alive)",
        server.base, connections
    );

    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_max_idle_per_host(64)
            .build()
            .unwrap();
        let base = Arc::new(server.base.clone());
        let target = create(&client, &base, &create_body, None).await;
        let target_url = Arc::new(format!("{base}{PATH}/{}", target["id"].as_str().unwrap()));

        // GET phase
        let count = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..connections {
            let (client, url, count) =
                (client.clone(), Arc::clone(&target_url), Arc::clone(&count));
            tasks.spawn(async move {
                while Instant::now() < deadline {
                    let response = client.get(url.as_str()).send().await.unwrap();
                    assert_eq!(response.status(), 200);
                    response.bytes().await.unwrap();
                    count.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        let started = Instant::now();
        tasks.join_all().await;
        let gets = count.load(Ordering::Relaxed);
        #[allow(clippy::cast_precision_loss)]
        let get_rate = gets as f64 / started.elapsed().as_secs_f64();
        println!("GET by id: {gets} requests, {get_rate:.0} requests/s");

        // PUT phase: each connection updates its own referral with the eTag it last got.
        let count = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..connections {
            let created = create(&client, &base, &create_body, None).await;
            let (client, base, count, template) = (
                client.clone(),
                Arc::clone(&base),
                Arc::clone(&count),
                put_template.clone(),
            );
            tasks.spawn(async move {
                let id = created["id"].as_str().unwrap().to_owned();
                let url = format!("{base}{PATH}/{id}");
                let mut etag = created["eTag"].as_str().unwrap().to_owned();
                let mut body = template;
                body["id"] = Value::String(id);
                body["engagementId"] = created["engagementId"].clone();
                let mut n = 0u64;
                while Instant::now() < deadline {
                    body["statusReason"] = Value::String(format!("write {n}"));
                    n += 1;
                    let response = client
                        .put(&url)
                        .header("Content-Type", "application/json")
                        .header("If-Match", &etag)
                        .body(body.to_string())
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200);
                    etag = response.headers()["etag"].to_str().unwrap().to_owned();
                    response.bytes().await.unwrap();
                    count.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        let started = Instant::now();
        tasks.join_all().await;
        let puts = count.load(Ordering::Relaxed);
        #[allow(clippy::cast_precision_loss)]
        let put_rate = puts as f64 / started.elapsed().as_secs_f64();
        println!("PUT (If-Match, schema-validated): {puts} requests, {put_rate:.0} requests/s");
    });
    drop(server);

    // Memory: a served double with a token, before and after many requests.
    let requests = arg("--requests", 100_000);
    let kind = text_arg("--server");
    let token = "bench-token";
    let mut extra = vec!["--token", token];
    if let Some(kind) = &kind {
        extra.extend(["--server", kind.as_str()]);
    }
    let server = start_server(&extra);
    let pid = server.child.id();
    let shown = kind.as_deref().unwrap_or("the default");
    runtime.block_on(async {
        mixed(&server.base, token, &create_body, &put_template, 5_000, connections).await;
        let before = rss_kib(pid);
        let started = Instant::now();
        mixed(&server.base, token, &create_body, &put_template, requests, connections).await;
        let took = started.elapsed().as_secs_f64();
        let after = rss_kib(pid);
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_wrap)]
        let growth = (after as i64 - before as i64) as f64 / 1024.0;
        #[allow(clippy::cast_precision_loss)]
        let (before_mib, after_mib) = (before as f64 / 1024.0, after as f64 / 1024.0);
        println!(
            "memory of vouch serve ({shown} server): RSS {before_mib:.1} MiB before, {after_mib:.1} MiB after {requests} requests (GET, PUT, 401 mixed; {took:.1} s): growth {growth:+.1} MiB (target < 5 MiB: {})",
            if growth < 5.0 { "met" } else { "missed" }
        );
    });
    drop(server);
}
