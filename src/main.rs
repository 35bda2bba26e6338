//! The `vouch` command line: a thin layer that parses flags, calls the library, prints,
//! and turns the outcome into an exit code (0 conformant, 1 findings, 2 vouch could not
//! run).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use vouch::double::{Double, DoubleConfig, Fault};
use vouch::fixture::lint;
use vouch::report::{compare, json};
use vouch::{openapi, Suite};

/// The suite vouch runs when none is named.
const DEFAULT_SUITE: &str = "fixtures/referrals";

#[derive(Debug, Parser)]
#[command(
    name = "vouch",
    version,
    about = "Contract tests and conformance checks for the Partner Center Referrals API",
    long_about = "vouch replays the documented examples of the Partner Center Referrals API against a live \
endpoint or an in-process double, and checks JSON Schemas, status/substatus transitions and \
ETag/If-Match behaviour.\n\nExit codes: 0 all conformant, 1 findings (non-conformance), \
2 vouch could not run (bad fixture, bad flag, unreachable target)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Static checks of a suite: contract, schemas, and every documented example against
    /// its schema and the contract's rules. Known doc defects are reported, not failed.
    Lint {
        /// The suite folder (holds contract.yaml).
        #[arg(default_value = DEFAULT_SUITE)]
        suite: PathBuf,
    },
    /// Run the stateful Referrals double as a standalone HTTP server, for other tools
    /// (Schemathesis, Prism, Dredd, a browser) or for `vouch run --target URL`.
    ///
    /// It prints the address it bound and serves until SIGINT or SIGTERM.
    Serve {
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

fn serve(
    suite: &std::path::Path,
    address: std::net::SocketAddr,
    token: Option<String>,
    faults: Vec<Fault>,
    seed: Option<u64>,
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
            ..DoubleConfig::default()
        };
        let double = Double::start_on(&suite, config, address).await?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "vouch double listening on {}", double.uri())?;
        let names: Vec<&str> = double.faults().iter().map(|f| f.name()).collect();
        if !names.is_empty() {
            writeln!(out, "faults: {}", names.join(", "))?;
        }
        out.flush()?;
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

fn compare_runs(base: &std::path::Path, head: &std::path::Path) -> anyhow::Result<ExitCode> {
    let base = json::read(base)?;
    let head = json::read(head)?;
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
        Command::Compare { base, head } => compare_runs(&base, &head),
        Command::Serve {
            suite,
            port,
            host,
            token,
            token_env,
            faults,
            seed,
            list_faults: list,
        } => {
            if list {
                return Ok(list_faults());
            }
            let token = match token_env {
                Some(var) => Some(
                    std::env::var(&var)
                        .with_context(|| format!("--token-env {var}: the variable is not set"))?,
                ),
                None => token,
            };
            serve(
                &suite,
                std::net::SocketAddr::new(host, port),
                token,
                faults,
                seed,
            )
        }
        Command::Lint { suite } => {
            let report = lint::lint_dir(&suite)?;
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
                std::fs::write(&path, text)
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
    }
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
            eprintln!("vouch: error: {error:#}");
            ExitCode::from(2)
        }
    }
}
