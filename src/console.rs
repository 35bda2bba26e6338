//! The console report of a run: one line per scenario, the findings of failed ones with
//! their location, and a closing line `N passed, N failed` (plus skipped, inconclusive and errors).

use std::io::{self, Write};

use crate::fixture::Contract;
use crate::outcome::{Outcome, RunRecord, ScenarioOutcome};

fn line(out: &mut impl Write, scenario: &ScenarioOutcome) -> io::Result<()> {
    let word = match scenario.outcome {
        Outcome::Passed => "PASS ",
        Outcome::Failed => "FAIL ",
        Outcome::Skipped => "SKIP ",
        Outcome::Error => "ERROR",
        Outcome::Inconclusive => "INCONCLUSIVE",
    };
    write!(out, "{word} {}", scenario.name)?;
    match (&scenario.reason, scenario.outcome) {
        (Some(reason), Outcome::Skipped | Outcome::Error | Outcome::Inconclusive) => {
            writeln!(out, ": {reason}")?;
        }
        _ => writeln!(out, " ({:.0} ms)", scenario.duration_ms)?,
    }
    for finding in scenario.findings() {
        writeln!(out, "      {finding}")?;
    }
    Ok(())
}

/// Writes the whole run of a suite with `contract` (its nouns name what was verified and
/// closed); with `quiet`, passed scenarios are left out.
pub fn render(
    record: &RunRecord,
    contract: &Contract,
    quiet: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    writeln!(
        out,
        "vouch run: {} scenarios against {} ({})",
        record.scenarios.len(),
        record.target.url,
        record.target.kind
    )?;
    for scenario in &record.scenarios {
        if quiet && scenario.outcome == Outcome::Passed {
            continue;
        }
        line(out, scenario)?;
    }
    if let Some(checked) = crate::verify::checked(record, contract) {
        writeln!(
            out,
            "read-only verification: {checked} existing {} checked",
            contract.resource.nouns()
        )?;
    }
    if let Some(cleanup) = crate::cleanup::summary(record, contract) {
        writeln!(out, "{cleanup}")?;
    }
    writeln!(out, "{}", record.summary_line())
}
