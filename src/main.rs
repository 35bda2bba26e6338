//! The `vouch` command line: a thin layer that parses flags, calls the library, prints,
//! and turns the outcome into an exit code (0 conformant, 1 findings, 2 vouch could not
//! run).

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use vouch::checks::{SnapshotMode, Snapshots};
use vouch::double::{Double, DoubleConfig, Fault};
use vouch::endpoint::{HttpConfig, Target};
use vouch::fixture::lint;
use vouch::import;
use vouch::report::{compare, json};
use vouch::runner::{self, RunOptions};
use vouch::selftest::SelftestOptions;
use vouch::{openapi, Suite};

/// A JSON-heavy workload of many small, short-lived allocations across threads: mimalloc
/// serves it in less time than the system allocator. Its version 2 (the `v2` feature) keeps
/// less memory back than version 3: a run of 10,000 scenarios peaks at 76.5 MiB on it, at
/// 100.4 MiB on version 3 (README, "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The suite vouch runs when none is named.
const DEFAULT_SUITE: &str = vouch::profile::BUNDLED_SUITE;

/// The long help: what vouch does, the suite it ships, and its exit codes.
fn long_about() -> String {
    format!(
        "vouch replays the documented examples of a REST API against a live endpoint or an \
in-process double, and checks them against the API's contract (contract.yaml): JSON Schemas, \
status/substatus transitions and ETag/If-Match behaviour. The bundled suite, {DEFAULT_SUITE} \
(run when no suite is named), tests the {}.\n\nExit codes: 0 all conformant, 1 findings \
(non-conformance), 2 vouch could not run (bad fixture, bad flag, unreachable target).",
        vouch::profile::BUNDLED_API
    )
}

#[derive(Debug, Parser)]
#[command(
    name = "vouch",
    version,
    about = "Contract tests and conformance checks for a documented REST API, from its examples and a contract",
    long_about = long_about()
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the suite's scenarios (documented and derived) against the embedded double
    /// (default) or a live endpoint, and report a verdict per rule.
    Run(RunArgs),
    /// List the scenarios a run would run (hand-written, then derived from the contract).
    List {
        /// The suite folder (holds contract.yaml).
        #[arg(default_value = DEFAULT_SUITE)]
        suite: PathBuf,
        /// Only scenarios whose name contains TEXT.
        #[arg(long, value_name = "TEXT")]
        filter: Option<String>,
        /// Let scenarios' body files (`body: {file: …}`) be outside the suite folder.
        #[arg(long)]
        allow_outside_suite: bool,
    },
    /// Static checks of a suite: contract, schemas, and every documented example against
    /// its schema and the contract's rules. Known doc defects are reported, not failed.
    Lint {
        /// The suite folder (holds contract.yaml).
        #[arg(default_value = DEFAULT_SUITE)]
        suite: PathBuf,
        /// Let scenarios' body files (`body: {file: …}`) be outside the suite folder.
        #[arg(long)]
        allow_outside_suite: bool,
    },
    /// Run the stateful double as a standalone HTTP server, for other tools
    /// (Schemathesis, Prism, Dredd, a browser) or for `vouch run --target URL`.
    ///
    /// It prints the address it bound and serves until SIGINT or SIGTERM.
    Serve {
        /// The suite whose contract and schemas the double obeys (also as `--suite`).
        #[arg(value_name = "SUITE_DIR", conflicts_with = "suite")]
        suite_dir: Option<PathBuf>,
        /// The suite whose contract and schemas the double obeys.
        #[arg(long, default_value = DEFAULT_SUITE)]
        suite: PathBuf,
        /// The port to listen on (0: any free port; the address is printed).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// Require `Authorization: Bearer TOKEN` on every request (401 otherwise).
        #[arg(long, conflicts_with = "token_env")]
        token: Option<String>,
        /// Like --token, reading the token from this environment variable.
        #[arg(long, value_name = "VAR")]
        token_env: Option<String>,
        /// Inject a fault from the catalogue (repeatable); see --list-faults.
        #[arg(long = "fault", value_name = "NAME")]
        faults: Vec<Fault>,
        /// Deterministic mode: this seed fixes ids and eTags, and time steps one second per write.
        #[arg(long)]
        seed: Option<u64>,
        /// Print the fault catalogue and exit.
        #[arg(long)]
        list_faults: bool,
        /// Behave as a conformant variant (repeatable): behaviour the docs allow that the
        /// double does not do by default; see --list-variants.
        #[arg(long = "variant", value_name = "NAME")]
        variants: Vec<vouch::double::Variant>,
        /// Print the catalogue of conformant variants (where the docs allow each, cited from
        /// the suite's API pages when its profile has them) and exit.
        #[arg(long)]
        list_variants: bool,
        /// The HTTP server: lean (default: keeps no copy of the requests it answered, so a
        /// long session stays flat, and closes idle connections) or wiremock.
        #[arg(long, value_name = "SERVER", default_value = "lean")]
        server: vouch::double::DoubleServer,
        /// Start with N resources in varied valid states (every pair of the table), for
        /// read-only verification: `vouch run --target URL` without --allow-mutations.
        #[arg(long, value_name = "N", default_value_t = 0)]
        preload: usize,
    },
    #[command(
        about = "Print an OpenAPI 3.1 document assembled from the suite's contract and schemas \
(for Schemathesis, Prism, Dredd and the like)"
    )]
    Openapi {
        /// The suite folder (holds contract.yaml).
        #[arg(default_value = DEFAULT_SUITE)]
        suite: PathBuf,
        /// Write the document to PATH instead of standard output.
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// Measure the suite's strength: run it against the embedded double once clean and
    /// once per fault of the catalogue (all at once), and print the kill matrix, the
    /// mutation score and which faults each runtime rule of contract.yaml catches.
    #[command(
        long_about = "Measure the suite's strength: run it against the embedded double once clean and \
once per fault of the double's catalogue (`vouch serve --list-faults`), each in its own double, \
all at once, with snapshots off. Print the kill matrix (for every fault, the scenarios and \
rules that caught it), the mutation score (faults caught / faults; benign faults such as \
throttling must be tolerated and are not counted), and, for every runtime rule of \
contract.yaml, the faults it catches.\n\n\
Exit codes: 0 the clean run passes, every fault is caught (benign ones tolerated) and every \
runtime rule catches some fault; 1 otherwise; 2 vouch could not run."
    )]
    Selftest {
        /// The suite folder (holds contract.yaml).
        #[arg(default_value = DEFAULT_SUITE)]
        suite: PathBuf,
        /// Only scenarios whose name contains TEXT (a weaker suite: see what it lets through).
        #[arg(long, value_name = "TEXT")]
        filter: Option<String>,
        /// Scenarios run at once within each run.
        #[arg(long, value_name = "N", default_value_t = 4)]
        jobs: usize,
        /// List every scenario that caught each fault (by default the first two).
        #[arg(long, short)]
        verbose: bool,
    },
    /// Read a Learn-style Markdown page (any language) into documented fixtures, and
    /// report what is wrong with the page itself.
    #[command(
        long_about = "Read a Microsoft Learn-style Markdown page (any language: headings may be \
translated) and find its request syntax, its request and response examples and its \
status/substatus table by structure: HTTP syntax, heading anchors, code fences and table \
shapes, never the words. Then print a doc-defect report: invalid JSON (with page and raw \
positions and the minimal repair), fields not in the schema, enum values not in the \
contract, a response about another id than its request, links and targets that depart from \
the request syntax, a transition table that differs from contract.yaml (read by position), \
and request bodies that carry members a note on the page says to remove. Each defect says \
whether contract.yaml already lists it as known.\n\n\
Nothing is written unless --out DIR is given. With --out, the fixtures \
(<page>.request.raw, <page>.request.json, <page>.response.raw, ...; numbered -1, -2 when the \
page has several of a kind; the suite's names where it already holds the page's examples) are \
written into DIR, all or nothing.\n\n\
Exit codes: 0 the page was read (and, with --out, the fixtures written); doc defects are \
reported, not failed. With --check: 0 the page agrees with the suite's committed fixtures \
and contract.yaml's table, 1 it differs (doc drift). 2 vouch could not run: the page is \
missing, binary, too large (over 5 MiB), not Markdown, has an unclosed code fence or no \
examples; or the suite or the --out folder is unusable. Nothing is written when vouch \
exits 2."
    )]
    ImportDoc {
        /// The Markdown page, e.g. a saved update-an-item.md (any locale).
        doc: PathBuf,
        /// The suite whose contract and schemas the page is held to (holds contract.yaml).
        #[arg(long, value_name = "SUITE_DIR", default_value = DEFAULT_SUITE)]
        suite: PathBuf,
        /// Write the fixtures into DIR (it must exist), e.g. the suite's documented/ folder.
        /// Without it, nothing is written.
        #[arg(long, value_name = "DIR", conflicts_with = "check")]
        out: Option<PathBuf>,
        /// Compare the page with the suite's committed fixtures and exit 1 if it now says
        /// something different (a doc-drift gate for CI). Writes nothing.
        #[arg(long)]
        check: bool,
    },
    /// Close the resources earlier runs left open (a run that was killed), found by their
    /// tag (the externalReferenceId vouch gives what it creates; contract.yaml `cleanup:`).
    ///
    /// Exit 0 when every leftover was closed (or with --dry-run, listed), 1 when some could
    /// not be closed, 2 when vouch could not run.
    Cleanup(CleanupArgs),
    /// Compare two runs (JSON reports): new failures, fixed, still failing, new and removed
    /// scenarios, and responses whose status or JSON shape changed.
    ///
    /// Compare yesterday's run with today's for regressions, or a run against the double
    /// with a run against the live service for drift. Exits 1 when HEAD fails a scenario
    /// that BASE did not, 2 when a file is missing or is not a run record.
    Compare {
        /// The earlier run, or the double's run (a `--report json=PATH` file).
        base: PathBuf,
        /// The later run, or the live service's run.
        head: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
#[allow(clippy::struct_excessive_bools)] // flags of a command line
struct RunArgs {
    /// The suite folder (holds contract.yaml).
    #[arg(default_value = DEFAULT_SUITE)]
    suite: PathBuf,
    /// `double` (the embedded double, needs nothing else) or a base URL such as
    /// `https://api.partner.microsoft.com`.
    #[arg(long, default_value = "double")]
    target: String,
    /// Read the bearer token from this environment variable (never printed or stored).
    #[arg(long, value_name = "VAR", conflicts_with = "token_command")]
    token_env: Option<String>,
    /// Run this shell command and use its output as the bearer token.
    #[arg(long, value_name = "CMD")]
    token_command: Option<String>,
    /// Seconds --token-command may take before it is killed (vouch then exits 2).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    token_timeout: u64,
    /// The most the whole run may take, in seconds (Retry-After waits included); scenarios
    /// still running then end as errors, those not started are reported as not run.
    /// Default: 1800 against a live target, none against the embedded double; 0: none.
    #[arg(long, value_name = "SECS")]
    deadline: Option<u64>,
    /// Against a live target, also run the scenarios that write (POST, PUT, PATCH);
    /// without it they are reported as skipped.
    #[arg(long)]
    allow_mutations: bool,
    /// Only scenarios whose name contains TEXT.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Scenarios run at once (default: the number of cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Seconds a request may take.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    timeout: u64,
    /// Retries of a throttled request (429 or 503 with Retry-After).
    #[arg(long, value_name = "N", default_value_t = 3)]
    retries: u32,
    /// The most one request waits in total for Retry-After, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    max_wait: u64,
    /// check: compare with snapshots/; update: write them (refused when CI=true); off.
    #[arg(long, value_name = "MODE", default_value = "check")]
    snapshots: SnapshotMode,
    /// The embedded double's seed (ids, eTags and clock are fixed by it).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The embedded double's HTTP server: wiremock or lean (keeps no copy of the requests
    /// it answered). Default: wiremock, or lean for a run of more scenarios than wiremock
    /// is kept for (its request log grows with every request).
    #[arg(long, value_name = "SERVER")]
    double_server: Option<vouch::double::DoubleServer>,
    /// Inject a fault into the embedded double (repeatable; see `vouch serve --list-faults`).
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<Fault>,
    /// Make the embedded double a conformant variant (repeatable; see `vouch serve --list-variants`).
    #[arg(long = "variant", value_name = "NAME")]
    variants: Vec<vouch::double::Variant>,
    /// Let scenarios' body files (`body: {file: …}`) be outside the suite folder.
    #[arg(long)]
    allow_outside_suite: bool,
    /// Another header whose value must never appear in output (repeatable).
    #[arg(long, value_name = "NAME")]
    redact_header: Vec<String>,
    /// Write a report: junit=PATH, json=PATH, markdown=PATH or html=PATH (repeatable).
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    reports: Vec<vouch::report::ReportSpec>,
    /// Print only scenarios that did not pass, and the closing line.
    #[arg(long, short)]
    quiet: bool,
    /// How many existing resources read-only verification lists and checks at the end of
    /// the run (default: contract.yaml's verification.sample, 200; 0: none).
    #[arg(long, value_name = "N")]
    sample: Option<usize>,
    /// The most requests per second, across all jobs (default: none for a loopback
    /// target, 4 for any other; 0: no limit).
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
    /// Print what the run would send (methods, counts, which scenarios write) and exit 0,
    /// without touching the target.
    #[arg(long)]
    plan: bool,
    /// Against a live target with --allow-mutations, leave the resources the run created
    /// as they are (by default each is closed at the end: contract.yaml `cleanup:`).
    #[arg(long)]
    keep_created: bool,
}

#[derive(Debug, clap::Args)]
struct CleanupArgs {
    /// The suite folder (holds contract.yaml).
    #[arg(default_value = DEFAULT_SUITE)]
    suite: PathBuf,
    /// The base URL, e.g. `https://api.partner.microsoft.com`.
    #[arg(long)]
    target: String,
    /// Read the bearer token from this environment variable (never printed or stored).
    #[arg(long, value_name = "VAR", conflicts_with = "token_command")]
    token_env: Option<String>,
    /// Run this shell command and use its output as the bearer token.
    #[arg(long, value_name = "CMD")]
    token_command: Option<String>,
    /// Seconds --token-command may take before it is killed (vouch then exits 2).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    token_timeout: u64,
    /// Only the leftovers of this run (its id, as in the tags `vouch-<run>-<n>`).
    #[arg(long, value_name = "ID")]
    run: Option<String>,
    /// List the leftovers, close nothing.
    #[arg(long)]
    dry_run: bool,
    /// The most requests per second (default: none for a loopback target, 4 for any other).
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
    /// Seconds a request may take.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    timeout: u64,
}

/// Requests per second against a target that is not on this machine, unless --rate says.
const DEFAULT_LIVE_RATE: f64 = 4.0;

/// Whether a base URL points at this machine.
fn is_loopback(base: &str) -> bool {
    let host = base
        .split_once("://")
        .map_or(base, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let name = if let Some(bracketed) = host.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The default `--deadline` against a live target.
const LIVE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// The token of `--token-env VAR`: set and not empty.
fn token_from_env(var: &str) -> anyhow::Result<String> {
    let value = std::env::var(var)
        .with_context(|| format!("--token-env {var}: the variable is not set"))?;
    let value = value.trim();
    if value.is_empty() {
        anyhow::bail!("--token-env {var}: the variable is empty (no token to send)");
    }
    Ok(value.to_owned())
}

/// Runs `--token-command` in its own process group, killed with its children when it
/// takes longer than `limit`.
fn token_from_command(command: &str, limit: std::time::Duration) -> anyhow::Result<String> {
    Ok(vouch::endpoint::token::from_command(command, limit)?)
}

fn token(args: &RunArgs) -> anyhow::Result<Option<String>> {
    if let Some(var) = &args.token_env {
        return token_from_env(var).map(Some);
    }
    if let Some(command) = &args.token_command {
        let limit = std::time::Duration::from_secs(args.token_timeout.max(1));
        return token_from_command(command, limit).map(Some);
    }
    Ok(None)
}

/// `--target URL` checked: http(s), and no userinfo (a password there would be printed,
/// recorded and sent beside the bearer token). The message never shows the password.
fn live_base(target: &str) -> anyhow::Result<String> {
    let Some((scheme, rest)) = target.split_once("://") else {
        anyhow::bail!("--target takes `double` or an http(s) URL, not {target:?}");
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if let Some(at) = rest[..authority_end].rfind('@') {
        let shown = format!("{scheme}://{}", &rest[at + 1..]);
        anyhow::bail!(
            "--target {shown:?} must not carry a user name or password (`user:…@`): give the \
bearer token with --token-env or --token-command"
        );
    }
    if !(scheme == "http" || scheme == "https") {
        anyhow::bail!("--target takes `double` or an http(s) URL, not {target:?}");
    }
    Ok(target.trim_end_matches('/').to_owned())
}

/// What `--plan` needs of the flags.
fn plan_options(args: &RunArgs) -> vouch::plan::PlanOptions {
    let live = args.target != "double";
    let rate = args
        .rate
        .or((live && !is_loopback(&args.target)).then_some(DEFAULT_LIVE_RATE));
    vouch::plan::PlanOptions {
        target: args.target.clone(),
        live,
        allow_mutations: args.allow_mutations,
        filter: args.filter.clone(),
        sample: args.sample,
        rate,
    }
}

fn run_suite(args: RunArgs) -> anyhow::Result<ExitCode> {
    let base = if args.target == "double" {
        None
    } else {
        Some(live_base(&args.target)?)
    };
    let token = token(&args)?;
    // Every message from here on passes the redactor too.
    let redactor = vouch::report::Redactor::new(args.redact_header.iter(), token.iter().cloned());
    run_suite_with(args, base, token, &redactor)
        .map_err(|error| anyhow::anyhow!("{}", redactor.redact_str(&format!("{error:#}"))))
}

fn run_suite_with(
    args: RunArgs,
    base: Option<String>,
    token: Option<String>,
    redactor: &vouch::report::Redactor,
) -> anyhow::Result<ExitCode> {
    if args.snapshots == SnapshotMode::Update
        && std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
    {
        anyhow::bail!("--snapshots update is refused when CI=true: review snapshots locally");
    }
    let suite = std::sync::Arc::new(Suite::load_with(
        &args.suite,
        body_files(args.allow_outside_suite),
    )?);
    let scenarios = runner::select(runner::scenarios(&suite)?, args.filter.as_deref());
    if args.plan {
        let mut out = std::io::stdout().lock();
        vouch::plan::Plan::of(&suite, &scenarios, &plan_options(&args))
            .render(&mut out)
            .and_then(|()| out.flush())
            .context("cannot write the plan")?;
        return Ok(ExitCode::SUCCESS);
    }
    if scenarios.is_empty() && !vouch::verify::selects(&suite, args.filter.as_deref()) {
        anyhow::bail!(
            "no scenario matches --filter {:?}",
            args.filter.unwrap_or_default()
        );
    }
    let scenario_count = scenarios.len();
    let http = HttpConfig {
        token,
        token_command: args.token_command.clone(),
        token_timeout: std::time::Duration::from_secs(args.token_timeout.max(1)),
        timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        retries: args.retries,
        max_wait: std::time::Duration::from_secs(args.max_wait),
        ..HttpConfig::default()
    };
    let mut options = RunOptions::new(Snapshots::new(runner::snapshot_dir(&suite), args.snapshots));
    let snapshots = options.snapshots.clone();
    options.filter.clone_from(&args.filter);
    options.allow_mutations = args.allow_mutations;
    options.redactor = redactor.clone();
    options.sample = args.sample;
    options.deadline = match (args.deadline, &base) {
        (Some(0), _) | (None, None) => None,
        (Some(seconds), _) => Some(std::time::Duration::from_secs(seconds)),
        (None, Some(_)) => Some(LIVE_DEADLINE),
    };
    if let Some(jobs) = args.jobs {
        options.jobs = jobs.max(1);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let (record, gave_up, refreshed) = runtime.block_on(async {
        let target = if let Some(base) = base {
            if !args.faults.is_empty() || !args.variants.is_empty() {
                anyhow::bail!("--fault and --variant apply to the embedded double only (use `vouch serve --fault` or `--variant` for a served one)");
            }
            // Writes are refused in the client itself unless --allow-mutations.
            let rate = args.rate.or((!is_loopback(&base)).then_some(DEFAULT_LIVE_RATE));
            let http = HttpConfig { base, allow_writes: args.allow_mutations, rate, ..http };
            Target::live(http, &suite.contract.resource.path).await?
        } else {
            let config = DoubleConfig {
                seed: Some(args.seed),
                faults: args.faults.iter().copied().collect(),
                variants: args.variants.iter().copied().collect(),
                server: args
                    .double_server
                    .unwrap_or_else(|| vouch::double::DoubleServer::for_run(scenario_count)),
                ..DoubleConfig::default()
            };
            Target::double(&suite, config, http).await?
        };
        let progress = std::sync::Arc::new(vouch::report::progress::Progress::new(scenario_count));
        let bar = std::sync::Arc::clone(&progress);
        let done: std::sync::Arc<dyn Fn(&vouch::outcome::ScenarioOutcome) + Send + Sync> =
            std::sync::Arc::new(move |outcome| bar.scenario_done(&outcome.name, outcome.outcome));
        let target = std::sync::Arc::new(target);
        let options = std::sync::Arc::new(options);
        let mut record = runner::run(std::sync::Arc::clone(&suite), scenarios, std::sync::Arc::clone(&target), std::sync::Arc::clone(&options), done).await;
        // Leave nothing open: close what this run created (there is no DELETE).
        let live = target.kind == vouch::endpoint::TargetKind::Live;
        if live && args.allow_mutations && !args.keep_created && target.http.given_up().is_none() {
            let ids = vouch::cleanup::created(&record, &suite);
            if !ids.is_empty() {
                let closed = vouch::cleanup::close(&suite, &target, &options, &ids, &vouch::cleanup::created_name(&suite.contract)).await;
                vouch::cleanup::append(&mut record, closed.outcome);
            }
        }
        // A failure of the embedded double itself is vouch's, not the API's.
        if let Some(failure) = target.embedded().and_then(|d| d.failures().into_iter().next()) {
            anyhow::bail!("the embedded double failed, so the run cannot judge the API: {failure}");
        }
        Ok((record, target.http.given_up(), target.http.token()))
    })?;
    // Secrets never reach a report: credential headers, --redact-header names, the token
    // (and the one the client refreshed on a 401, when it did).
    let redactor = match refreshed {
        Some(fresh) => {
            redactor.learning(&[("Authorization".to_owned(), format!("Bearer {fresh}"))])
        }
        None => redactor.clone(),
    };
    let record = redactor.redacted(&record);
    for spec in &args.reports {
        vouch::report::write(spec, &record)
            .with_context(|| format!("cannot write the report {spec}"))?;
    }
    let mut out = std::io::stdout().lock();
    vouch::console::render(&record, &suite.contract, args.quiet, &mut out)
        .context("cannot write the report")?;
    if let Some(first) = snapshots.recorded().first() {
        let folder = first.parent().unwrap_or(first);
        writeln!(
            out,
            "snapshots: {} recorded as new for this target in {} (review them: cargo insta review)",
            snapshots.recorded().len(),
            folder.display()
        )?;
    }
    out.flush().ok();
    if let Some(status) = gave_up {
        // Said once: the scenarios after it are errors with the same reason.
        eprintln!(
            "vouch: error: stopped sending after {} answers of {status} in a row ({}); the rest of the run was not sent",
            vouch::endpoint::streak::LIMIT,
            if matches!(status, 401 | 403 | 407) {
                "the token is wrong or has expired"
            } else {
                "the service is failing"
            }
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::from(record.exit_code()))
}

fn cleanup(args: &CleanupArgs) -> anyhow::Result<ExitCode> {
    let suite = Suite::load(&args.suite)?;
    let Some(spec) = suite.contract.cleanup.clone() else {
        anyhow::bail!(
            "{}: no cleanup: section (the tag and the closed state)",
            suite.contract_path.display()
        );
    };
    let base = live_base(&args.target)?;
    let limit = std::time::Duration::from_secs(args.token_timeout.max(1));
    let token = match (&args.token_env, &args.token_command) {
        (Some(var), _) => Some(token_from_env(var)?),
        (None, Some(command)) => Some(token_from_command(command, limit)?),
        (None, None) => None,
    };
    let rate = args
        .rate
        .or((!is_loopback(&base)).then_some(DEFAULT_LIVE_RATE));
    let http = HttpConfig {
        base,
        token,
        token_command: args.token_command.clone(),
        token_timeout: limit,
        timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        allow_writes: !args.dry_run,
        rate,
        ..HttpConfig::default()
    };
    let prefix = args
        .run
        .as_deref()
        .map_or_else(|| spec.tag_prefix.clone(), |run| spec.run_prefix(run));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut out = std::io::stdout().lock();
    runtime.block_on(async {
        let target = Target::live(http, &suite.contract.resource.path).await?;
        let found = vouch::cleanup::leftovers(&suite, &target, &prefix).await?;
        for id in &found {
            writeln!(out, "leftover {id}")?;
        }
        if args.dry_run {
            writeln!(
                out,
                "cleanup: {} leftovers tagged {prefix}*; nothing closed (--dry-run)",
                found.len()
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        let options = RunOptions::new(Snapshots::new(
            runner::snapshot_dir(&suite),
            SnapshotMode::Off,
        ));
        let closed =
            vouch::cleanup::close(&suite, &target, &options, &found, vouch::cleanup::LEFTOVERS)
                .await;
        for id in &closed.closed {
            writeln!(out, "closed   {id} ({})", spec.close_to)?;
        }
        for id in &closed.failed {
            writeln!(out, "open     {id}: not closed")?;
        }
        for finding in closed.outcome.findings() {
            writeln!(out, "  {finding}")?;
        }
        if let Some(reason) = &closed.outcome.reason {
            writeln!(out, "  {reason}")?;
        }
        writeln!(
            out,
            "cleanup: {} leftovers tagged {prefix}*, {} closed, {} not closed",
            found.len(),
            closed.closed.len(),
            closed.failed.len()
        )?;
        out.flush().ok();
        Ok(if closed.failed.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    })
}

fn selftest(
    suite: &std::path::Path,
    filter: Option<String>,
    jobs: usize,
    verbose: bool,
) -> anyhow::Result<ExitCode> {
    let suite = std::sync::Arc::new(Suite::load(suite)?);
    let options = SelftestOptions {
        filter,
        jobs: jobs.max(1),
        ..SelftestOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = runtime.block_on(vouch::selftest::selftest(suite, &options))?;
    let mut out = std::io::stdout().lock();
    report
        .render(&mut out, verbose)
        .context("cannot write the report")?;
    out.flush().ok();
    Ok(ExitCode::from(report.exit_code()))
}

fn body_files(allow_outside_suite: bool) -> vouch::fixture::body_file::BodyFiles {
    vouch::fixture::body_file::BodyFiles {
        allow_outside_suite,
    }
}

fn list(
    suite: &std::path::Path,
    filter: Option<&str>,
    allow_outside_suite: bool,
) -> anyhow::Result<ExitCode> {
    let suite = Suite::load_with(suite, body_files(allow_outside_suite))?;
    let scenarios = runner::select(runner::scenarios(&suite)?, filter);
    let mut out = std::io::stdout().lock();
    for scenario in &scenarios {
        let kind = if scenario.derived {
            "derived"
        } else {
            "written"
        };
        writeln!(out, "{kind:<8} {}", scenario.name)?;
    }
    let verified = vouch::verify::names(&suite, filter);
    for name in &verified {
        writeln!(out, "verify   {name}")?;
    }
    writeln!(out, "{} scenarios", scenarios.len() + verified.len())?;
    Ok(ExitCode::SUCCESS)
}

fn serve(
    suite: &std::path::Path,
    address: std::net::SocketAddr,
    token: Option<String>,
    (faults, variants): (Vec<Fault>, Vec<vouch::double::Variant>),
    seed: Option<u64>,
    (server, preload): (vouch::double::DoubleServer, usize),
) -> anyhow::Result<ExitCode> {
    let suite = Suite::load(suite)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let config = DoubleConfig {
            seed,
            token,
            faults: faults.into_iter().collect(),
            variants: variants.into_iter().collect(),
            server,
            preload,
            ..DoubleConfig::default()
        };
        let double = Double::start_on(&suite, config, address).await?;
        // One write, and a reader that went away is no reason to stop serving.
        let mut banner = format!("vouch double listening on {}\n", double.uri());
        if double.resource_count() > 0 {
            let nouns = suite.contract.resource.nouns();
            let _ = writeln!(banner, "preloaded: {} {nouns}", double.resource_count());
        }
        let names: Vec<&str> = double.faults().iter().map(|f| f.name()).collect();
        if !names.is_empty() {
            let _ = writeln!(banner, "faults: {}", names.join(", "));
        }
        let names: Vec<&str> = double.variants().iter().map(|v| v.name()).collect();
        if !names.is_empty() {
            let _ = writeln!(banner, "variants: {}", names.join(", "));
        }
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
        drop(out);
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .context("cannot listen for SIGTERM")?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.context("cannot listen for SIGINT")?,
            _ = terminate.recv() => {}
        }
        drop(double);
        // The reader of our output may be gone by now: a failed write is not an error.
        let _ = writeln!(std::io::stdout(), "vouch double stopped");
        Ok(ExitCode::SUCCESS)
    })
}

fn list_faults() -> ExitCode {
    for fault in Fault::ALL {
        let note = if fault.is_benign() { " (benign)" } else { "" };
        println!("{:<32} {}{note}", fault.name(), fault.description());
    }
    ExitCode::SUCCESS
}

/// The catalogue of variants, each with where the docs allow it: the suite's profile cites
/// its API's pages (a suite that cannot be read gets the general reasons).
fn list_variants_catalogue(suite: &std::path::Path) -> ExitCode {
    let profile = Suite::load(suite).ok().and_then(|s| s.contract.profile);
    for variant in vouch::double::Variant::ALL {
        println!("{:<32} {}", variant.name(), variant.description());
        println!("{:<32} ({})", "", variant.allowance(profile));
    }
    ExitCode::SUCCESS
}

fn compare_runs(base: &std::path::Path, head: &std::path::Path) -> anyhow::Result<ExitCode> {
    // A record from elsewhere may not have been redacted: credentials out by their shape.
    let base = vouch::report::Redactor::default().redacted(&json::read(base)?);
    let head = vouch::report::Redactor::default().redacted(&json::read(head)?);
    let comparison = compare::compare(&base, &head);
    let mut out = std::io::stdout().lock();
    comparison
        .render(&mut out)
        .and_then(|()| out.flush())
        .context("cannot write the comparison")?;
    Ok(ExitCode::from(comparison.exit_code()))
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run_suite(args),
        Command::Cleanup(args) => cleanup(&args),
        Command::List {
            suite,
            filter,
            allow_outside_suite,
        } => list(&suite, filter.as_deref(), allow_outside_suite),
        Command::Compare { base, head } => compare_runs(&base, &head),
        Command::Serve {
            suite_dir,
            suite,
            port,
            host,
            token,
            token_env,
            faults,
            seed,
            list_faults: list,
            variants,
            list_variants,
            server,
            preload,
        } => {
            if list {
                return Ok(list_faults());
            }
            if list_variants {
                return Ok(list_variants_catalogue(
                    suite_dir.as_deref().unwrap_or(&suite),
                ));
            }
            let token = match token_env {
                Some(var) => Some(token_from_env(&var)?),
                None => token,
            };
            serve(
                suite_dir.as_deref().unwrap_or(&suite),
                std::net::SocketAddr::new(host, port),
                token,
                (faults, variants),
                seed,
                (server, preload),
            )
        }
        Command::Lint {
            suite,
            allow_outside_suite,
        } => {
            let report = lint::lint_dir_with(&suite, body_files(allow_outside_suite))?;
            let mut out = std::io::stdout().lock();
            report.render(&mut out).context("cannot write the report")?;
            out.flush().ok();
            Ok(if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Openapi { suite, out } => {
            let suite = Suite::load(&suite)?;
            let text = openapi::build(&suite)?.to_json()?;
            if let Some(path) = out {
                vouch::atomic::write(&path, text.as_bytes())
                    .with_context(|| format!("{}: cannot write the document", path.display()))?;
            } else {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(text.as_bytes())
                    .and_then(|()| stdout.flush())
                    .context("cannot write the document")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Selftest {
            suite,
            filter,
            jobs,
            verbose,
        } => selftest(&suite, filter, jobs, verbose),
        Command::ImportDoc {
            doc,
            suite,
            out,
            check,
        } => import_doc(&doc, &suite, out.as_deref(), check),
    }
}

fn import_doc(
    doc: &std::path::Path,
    suite: &std::path::Path,
    out_dir: Option<&std::path::Path>,
    check: bool,
) -> anyhow::Result<ExitCode> {
    let suite = Suite::load(suite)?;
    let imported = import::import_page(doc, &suite)?;
    let mut out = std::io::stdout().lock();
    import::report::render(&imported, &mut out).context("cannot write the report")?;
    let code = if check {
        let drift = import::drift::check(&imported, &suite);
        drift.render(&mut out).context("cannot write the report")?;
        if drift.is_clean() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    } else if let Some(dir) = out_dir {
        let written = import::write::write_all(dir, &imported.files())?;
        writeln!(out, "wrote {} files to {}", written.len(), dir.display())
            .context("cannot write the report")?;
        ExitCode::SUCCESS
    } else {
        writeln!(
            out,
            "nothing written (give --out DIR to write the fixtures)"
        )
        .context("cannot write the report")?;
        ExitCode::SUCCESS
    };
    out.flush().ok();
    Ok(code)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            error.print().ok();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            // Whatever the error quotes, no credential leaves with it.
            let message = format!("{error:#}");
            let message = vouch::report::Redactor::default().redact_str(&message);
            eprintln!("vouch: error: {message}");
            ExitCode::from(2)
        }
    }
}
