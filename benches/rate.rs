//! `--rate N`, measured: a client limited to N requests per second, shared by many
//! concurrent senders (as a run's jobs share it), against an embedded double on loopback.
//! It counts the requests answered in a fixed window and prints the figure beside the
//! target (N × seconds, ± 2).
//!
//! Run with `cargo bench --bench rate` (optionally `-- --rate N --seconds S --senders K`).
//! It asserts nothing: it prints what it measured.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed unwrap is a failed run

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vouch::double::{Double, DoubleConfig, DoubleServer};
use vouch::endpoint::{Http, HttpConfig, SentRequest};
use vouch::Suite;

fn flag(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let rate = flag("--rate", 5.0);
    let seconds = flag("--seconds", 10.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let senders = flag("--senders", 8.0) as usize;
    let suite = Suite::load(std::path::Path::new("fixtures/referrals")).unwrap();
    let config = DoubleConfig {
        server: DoubleServer::Lean,
        preload: 1,
        ..DoubleConfig::default()
    };
    let double = Double::start(&suite, config).await.unwrap();
    let http = Http::new(HttpConfig {
        base: double.uri(),
        rate: Some(rate),
        ..HttpConfig::default()
    })
    .unwrap();
    let url = http.url(&suite.contract.resource.path);
    let answered = Arc::new(AtomicU64::new(0));
    let window = Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..senders {
        let (http, url, answered) = (http.clone(), url.clone(), Arc::clone(&answered));
        tasks.spawn(async move {
            let request = SentRequest {
                method: "GET".into(),
                url,
                headers: Vec::new(),
                body: None,
            };
            loop {
                let sent = http.send(&request).await;
                if started.elapsed() > window {
                    break;
                }
                if sent.is_ok() {
                    answered.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let count = answered.load(Ordering::Relaxed);
    println!(
        "--rate {rate}: {count} requests answered in {seconds} s by {senders} concurrent senders (target {:.0} ± 2)",
        rate * seconds
    );
}
