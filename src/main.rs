//! The `vouch` command line: a thin layer that parses flags, calls the library, prints,
//! and turns the outcome into an exit code (0 conformant, 1 findings, 2 vouch could not
//! run).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use vouch::fixture::lint;
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
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
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
