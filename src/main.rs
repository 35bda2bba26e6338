//! The `vouch` command line: a thin layer that parses flags, calls the library, prints,
//! and turns the outcome into an exit code (0 conformant, 1 findings, 2 vouch could not
//! run).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use vouch::fixture::lint;
use vouch::import;
use vouch::Suite;

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
        /// The Markdown page, e.g. a saved update-a-referral.md (any locale).
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
            eprintln!("vouch: error: {error:#}");
            ExitCode::from(2)
        }
    }
}
