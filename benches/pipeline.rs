//! The whole pipeline's speed and size: checked exchanges per second (request, double,
//! schema and rule checks, record) at one scenario at a time and at one per core; the time
//! of one exchange split into transport, schema validation, the other checks and the rest;
//! the wall time of `vouch run` on the bundled suite; start-up of `vouch run` to its first
//! request on the wire; and the peak memory of a run of 10,000 scenarios.
//!
//! Run with `cargo bench --bench pipeline` (optionally `-- --rounds N --scenarios N`;
//! `-- --memory-only` prints only the memory figures). It prints figures and asserts
//! nothing: machines here are shared and noisy, so each figure is the best of several
//! rounds, with the spread. The memory figures use the double's server a `vouch run` of
//! that many scenarios would (lean past 1,000) unless `--double-server` says otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::cast_precision_loss)] // a benchmark: a failed unwrap is a failed run

use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vouch::checks::{SnapshotMode, Snapshots};
use vouch::double::{DoubleConfig, DoubleServer};
use vouch::endpoint::{HttpConfig, Target};
use vouch::fixture::scenario::Scenario;
use vouch::outcome::RunRecord;
use vouch::runner::{self, RunOptions};
use vouch::timing::{Stage, StageClock};
use vouch::Suite;

#[path = "../tests/common/served.rs"]
mod served;

use served::Served;

/// The same allocator as the `vouch` binary, so the figures in this process are its figures.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The scenario `vouch run --filter` picks for the start-up figure.
const ONE_SCENARIO: &str = "etag: If-Match * matches the current version";

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// The suite's scenarios repeated until there are `count`, each with a unique name.
fn repeated(scenarios: &[Scenario], count: usize) -> Vec<Scenario> {
    (0..count)
        .map(|i| {
            let mut scenario = scenarios[i % scenarios.len()].clone();
            scenario.name = format!("{} #{i}", scenario.name);
            scenario
        })
        .collect()
}

fn options(jobs: usize, keep_passed_exchanges: bool, clock: Option<Arc<StageClock>>) -> RunOptions {
    let mut options = RunOptions::new(Snapshots::new(root().join("snapshots"), SnapshotMode::Off));
    options.jobs = jobs;
    options.keep_passed_exchanges = keep_passed_exchanges;
    options.stage_clock = clock;
    options
}

/// The double's server (`--double-server wiremock|lean`), else the one `vouch run` would
/// choose for `scenarios` scenarios.
fn double_server_for(scenarios: usize) -> DoubleServer {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--double-server")
        .and_then(|i| args.get(i + 1))
        .map_or(DoubleServer::for_run(scenarios), |v| {
            v.parse().expect("--double-server takes wiremock or lean")
        })
}

/// Runs `scenarios` against `target`, insisting that all pass; returns the record and the
/// wall time.
async fn timed(
    suite: &Arc<Suite>,
    scenarios: Vec<Scenario>,
    target: Target,
    options: RunOptions,
    expectation: &str,
) -> (RunRecord, Duration) {
    let done: Arc<dyn Fn(&vouch::outcome::ScenarioOutcome) + Send + Sync> = Arc::new(|_| {});
    let started = Instant::now();
    let record = runner::run(
        Arc::clone(suite),
        scenarios,
        Arc::new(target),
        Arc::new(options),
        done,
    )
    .await;
    let took = started.elapsed();
    assert_eq!(
        record.totals.failed + record.totals.errors,
        0,
        "{expectation}"
    );
    (record, took)
}

/// Runs `scenarios` against a fresh double; returns the record and the wall time.
async fn run(
    suite: &Arc<Suite>,
    scenarios: Vec<Scenario>,
    options: RunOptions,
) -> (RunRecord, Duration) {
    let config = DoubleConfig {
        server: double_server_for(scenarios.len()),
        ..DoubleConfig::default()
    };
    let target = Target::double(suite, config, HttpConfig::default())
        .await
        .unwrap();
    timed(
        suite,
        scenarios,
        target,
        options,
        "the clean double must pass",
    )
    .await
}

/// Runs `scenarios` against a double served by another process.
async fn run_served(
    suite: &Arc<Suite>,
    scenarios: Vec<Scenario>,
    url: &str,
    keep: bool,
) -> (RunRecord, Duration) {
    let http = HttpConfig {
        base: url.to_owned(),
        allow_writes: true,
        ..HttpConfig::default()
    };
    let target = Target::live(http, &suite.contract.resource.path)
        .await
        .unwrap();
    let mut options = options(cores(), keep, None);
    options.allow_mutations = true;
    timed(
        suite,
        scenarios,
        target,
        options,
        "the served double must pass",
    )
    .await
}

fn exchanges(record: &RunRecord) -> usize {
    record.scenarios.iter().map(|s| s.steps.len()).sum()
}

/// Best, median and worst of some figures where more is better.
fn spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    (values[n - 1], values[n / 2], values[0])
}

/// Best, median and worst of some times in milliseconds (less is better).
fn spread_ms(times: &[Duration]) -> (f64, f64, f64) {
    let mut values: Vec<f64> = times.iter().map(|t| millis(*t)).collect();
    values.sort_by(f64::total_cmp);
    let n = values.len();
    (values[0], values[n / 2], values[n - 1])
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map_or_else(
            || "unknown CPU".into(),
            |l| l.trim_start_matches([' ', '\t', ':']).to_owned(),
        );
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches(" kB").parse::<u64>().ok())
        .map_or_else(String::new, |kb| {
            format!(", {:.1} GiB RAM", kb as f64 / 1_048_576.0)
        });
    format!("{} cores ({model}){memory}", cores())
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A figure of `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|l| l.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

/// Peak resident memory of this process so far (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    status_kib("VmHWM:")
}

/// Resident memory of this process now (`VmRSS`), in KiB.
fn current_rss_kib() -> u64 {
    status_kib("VmRSS:")
}

/// Child mode: run `count` scenarios in this fresh process and print its peak memory;
/// against `served` (a `vouch serve` URL) when given, else against an embedded double.
fn child_memory(count: usize, keep: bool, served: Option<&str>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let suite = Arc::new(Suite::load(&root().join("fixtures/referrals")).unwrap());
    let bundled = runner::scenarios(&suite).unwrap();
    let loaded = current_rss_kib();
    let scenarios = repeated(&bundled, count);
    drop(bundled);
    let before = peak_rss_kib();
    let per_scenario = before.saturating_sub(loaded) as f64 * 1024.0 / count as f64;
    let (record, took) = match served {
        None => runtime.block_on(run(&suite, scenarios, options(cores(), keep, None))),
        Some(url) => runtime.block_on(run_served(&suite, scenarios, url, keep)),
    };
    println!(
        "peak_kib={} before_kib={before} per_scenario_bytes={per_scenario:.0} exchanges={} seconds={:.2}",
        peak_rss_kib(),
        exchanges(&record),
        took.as_secs_f64()
    );
}

/// What a fresh process running `count` scenarios measured: peak and pre-run MiB, the
/// bytes each scenario adds once loaded, exchanges, seconds.
fn measure_memory(count: usize, keep: bool, served: Option<&str>) -> (f64, f64, f64, usize, f64) {
    let mut args = vec![
        "--child-memory".to_owned(),
        "--double-server".to_owned(),
        format!("{:?}", double_server_for(count)).to_lowercase(),
        count.to_string(),
        "--keep".to_owned(),
        if keep { "1" } else { "0" }.to_owned(),
    ];
    if let Some(url) = served {
        args.extend(["--served".to_owned(), url.to_owned()]);
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args(&args)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .unwrap_or_else(|| panic!("the child printed no {name}: {text}"))
            .to_owned()
    };
    (
        field("peak_kib=").parse::<f64>().unwrap() / 1024.0,
        field("before_kib=").parse::<f64>().unwrap() / 1024.0,
        field("per_scenario_bytes=").parse().unwrap(),
        field("exchanges=").parse().unwrap(),
        field("seconds=").parse().unwrap(),
    )
}

/// Start-up: from spawning `vouch run --target URL` to its first request reaching a
/// listener of ours (the request is never answered: the child is stopped then).
fn startup_to_first_request() -> Duration {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args([
            "run",
            "--target",
            &url,
            "--filter",
            ONE_SCENARIO,
            "--snapshots",
            "off",
        ])
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (mut stream, _) = listener.accept().unwrap();
    let mut first = [0u8; 1];
    stream.read_exact(&mut first).unwrap();
    let took = started.elapsed();
    child.kill().ok();
    child.wait().ok();
    took
}

/// Wall time of a whole `vouch run` process with these arguments.
fn process_wall(args: &[&str]) -> Duration {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    let took = started.elapsed();
    assert!(status.success(), "vouch {args:?} failed");
    took
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--child-memory") {
        let served = args
            .iter()
            .position(|a| a == "--served")
            .and_then(|i| args.get(i + 1));
        child_memory(
            usize::try_from(arg("--child-memory", 10_000)).unwrap(),
            arg("--keep", 1) == 1,
            served.map(String::as_str),
        );
        return;
    }
    if args.iter().any(|a| a == "--memory-only") {
        memory_figures();
        return;
    }
    let rounds = usize::try_from(arg("--rounds", 5)).unwrap().max(1);
    let count = usize::try_from(arg("--scenarios", 1_000)).unwrap().max(1);
    println!("machine: {}; load average at start: {}", machine(), load());
    println!("each figure: best of {rounds} rounds (median, worst)\n");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let suite = Arc::new(Suite::load(&root().join("fixtures/referrals")).unwrap());
    let bundled = runner::scenarios(&suite).unwrap();
    let scenarios = repeated(&bundled, count);

    // Throughput through the whole pipeline.
    runtime.block_on(run(&suite, scenarios.clone(), options(cores(), true, None)));
    for jobs in [1, cores(), 4 * cores()] {
        let mut rates = Vec::new();
        let mut total = 0;
        for _ in 0..rounds {
            let (record, took) =
                runtime.block_on(run(&suite, scenarios.clone(), options(jobs, true, None)));
            total = exchanges(&record);
            rates.push(total as f64 / took.as_secs_f64());
        }
        let (best, median, worst) = spread(rates);
        println!(
            "checked exchanges per second, --jobs {jobs:<2} : {best:>7.0}  ({median:.0}, {worst:.0})  [{count} scenarios, {total} exchanges per round]"
        );
    }

    // Time per exchange, by stage (one scenario at a time, so stages do not overlap).
    let clock = Arc::new(StageClock::default());
    runtime.block_on(run(
        &suite,
        scenarios.clone(),
        options(1, true, Some(Arc::clone(&clock))),
    ));
    let times = clock.times();
    let per = |stage| micros(times.per_exchange(stage));
    let total = per(Stage::Transport) + per(Stage::Schema) + per(Stage::Checks) + per(Stage::Other);
    println!(
        "\ntime per exchange (--jobs 1, mean of {}): {total:.0} µs = transport {:.0} µs + schema validation {:.0} µs + other checks {:.0} µs + the rest (request, parse, captures, record) {:.0} µs",
        times.exchanges,
        per(Stage::Transport),
        per(Stage::Schema),
        per(Stage::Checks),
        per(Stage::Other),
    );
    drop(runtime);

    // Whole processes.
    let walls: Vec<Duration> = (0..rounds)
        .map(|_| process_wall(&["run", "-q", "--snapshots", "off"]))
        .collect();
    let (best, median, worst) = spread_ms(&walls);
    println!(
        "\n`vouch run` on the bundled suite ({} scenarios), wall: {best:.0} ms  ({median:.0}, {worst:.0})",
        bundled.len()
    );
    let starts: Vec<Duration> = (0..rounds * 2)
        .map(|_| startup_to_first_request())
        .collect();
    let (best, median, worst) = spread_ms(&starts);
    println!(
        "start-up of `vouch run` to its first request on the wire: {best:.1} ms  ({median:.1}, {worst:.1})"
    );
    let singles: Vec<Duration> = (0..rounds * 2)
        .map(|_| process_wall(&["run", "-q", "--snapshots", "off", "--filter", ONE_SCENARIO]))
        .collect();
    let (best, median, worst) = spread_ms(&singles);
    println!(
        "`vouch run` of one scenario (start, double, 2 requests, exit), wall: {best:.1} ms  ({median:.1}, {worst:.1})"
    );

    memory_figures();
}

/// Peak memory of 10,000 scenarios, each run in a fresh process.
fn memory_figures() {
    let big = usize::try_from(arg("--memory-scenarios", 10_000)).unwrap();
    println!(
        "\nmemory ({big} scenarios, the double on {:?}):",
        double_server_for(big)
    );
    for keep in [false, true] {
        let (mib, before, per, exchanges, seconds) = measure_memory(big, keep, None);
        let what = if keep {
            "every exchange kept in the record"
        } else {
            "exchanges of passed scenarios dropped"
        };
        println!(
            "peak RSS of a run of {big} scenarios against the embedded double ({exchanges} exchanges, {seconds:.1} s, {what}): {mib:.1} MiB = {:.1} MB ({before:.1} MiB before the first request; {:.2} KB a scenario once loaded)",
            mib * 1.048_576,
            per / 1000.0
        );
    }
    let served = Served::start(&["--seed", "1"]);
    let (mib, before, _, exchanges, seconds) = measure_memory(big, false, Some(&served.url));
    drop(served);
    println!(
        "peak RSS of vouch alone, the double served by another process ({exchanges} exchanges, {seconds:.1} s, exchanges of passed scenarios dropped): {mib:.1} MiB ({before:.1} MiB before the first request)"
    );
}
