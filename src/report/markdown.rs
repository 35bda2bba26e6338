//! The Markdown report: a summary fit for a pull request comment or a CI step summary.
//! A headline with the totals, the target, then each failed scenario with its findings
//! (rule, documented or assumed, where, what) and a collapsed snapshot diff, the scenarios
//! vouch could not run with their reasons, and the skipped and passed ones collapsed.
//! It stays well under a comment's size limit: past [`MAX_DETAILED`] failing scenarios or
//! [`MAX_FINDINGS`] findings a scenario, it says how many more there are.

use std::fmt::Write as _;
use std::io::Write;

use super::{human_duration, Render, ReportError};
use crate::outcome::{Outcome, RunRecord, ScenarioOutcome};

/// Failing scenarios shown in full; the rest are counted.
pub const MAX_DETAILED: usize = 40;
/// Findings shown per scenario; the rest are counted.
pub const MAX_FINDINGS: usize = 15;
/// Lines of a snapshot diff shown; the rest are counted.
const MAX_DIFF_LINES: usize = 60;

/// The Markdown report format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Markdown;

impl Render for Markdown {
    fn render(&self, record: &RunRecord, out: &mut impl Write) -> Result<(), ReportError> {
        out.write_all(summary(record).as_bytes())?;
        Ok(())
    }
}

fn icon(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "✅",
        Outcome::Failed => "❌",
        Outcome::Skipped => "⏭️",
        Outcome::Error => "⚠️",
        Outcome::Inconclusive => "❔",
    }
}

/// Text made safe for Markdown inline content and table cells: no markup, no raw HTML,
/// one line.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '\r' => {}
            '\n' => escaped.push(' '),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// A fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn summary(record: &RunRecord) -> String {
    let mut md = String::new();
    let totals = record.totals;
    let verdict = match record.exit_code() {
        0 => "✅ conformant",
        1 => "❌ findings",
        _ => "⚠️ vouch could not run everything",
    };
    let _ = writeln!(
        md,
        "## vouch: {verdict} ({})\n",
        escape(&record.summary_line())
    );
    let _ = writeln!(
        md,
        "Suite {} against the {} target {}, started {}, took {} (vouch {}).\n",
        escape(&record.suite),
        escape(&record.target.kind),
        escape(&record.target.url),
        escape(&record.started),
        human_duration(record.duration_ms),
        escape(&record.vouch_version),
    );
    md.push_str("| outcome | scenarios |\n|---|---:|\n");
    for (outcome, count) in [
        (Outcome::Passed, totals.passed),
        (Outcome::Failed, totals.failed),
        (Outcome::Error, totals.errors),
        (Outcome::Inconclusive, totals.inconclusive),
        (Outcome::Skipped, totals.skipped),
    ] {
        let _ = writeln!(md, "| {} {} | {count} |", icon(outcome), outcome.as_str());
    }

    let failed: Vec<&ScenarioOutcome> = by_outcome(record, Outcome::Failed).collect();
    if !failed.is_empty() {
        let _ = writeln!(md, "\n### ❌ Failed ({})", failed.len());
        for scenario in failed.iter().take(MAX_DETAILED) {
            failed_scenario(&mut md, scenario);
        }
        if failed.len() > MAX_DETAILED {
            let _ = writeln!(
                md,
                "\n…and {} more failed scenarios (the HTML and JSON reports have them all).",
                failed.len() - MAX_DETAILED
            );
        }
    }

    let errors: Vec<&ScenarioOutcome> = by_outcome(record, Outcome::Error).collect();
    if !errors.is_empty() {
        let _ = writeln!(
            md,
            "\n### ⚠️ Could not run ({})\n\nvouch itself could not run these; they say nothing about the target.\n",
            errors.len()
        );
        list(&mut md, &errors, MAX_DETAILED);
    }

    let inconclusive: Vec<&ScenarioOutcome> = by_outcome(record, Outcome::Inconclusive).collect();
    if !inconclusive.is_empty() {
        let _ = writeln!(
            md,
            "\n### ❔ Inconclusive ({})\n\nThe target could not be brought to the state these need; they are not failures.\n",
            inconclusive.len()
        );
        list(&mut md, &inconclusive, MAX_DETAILED);
    }

    for (outcome, title) in [(Outcome::Skipped, "Skipped"), (Outcome::Passed, "Passed")] {
        let scenarios: Vec<&ScenarioOutcome> = by_outcome(record, outcome).collect();
        if scenarios.is_empty() {
            continue;
        }
        let _ = writeln!(
            md,
            "\n<details><summary>{} {title} ({})</summary>\n",
            icon(outcome),
            scenarios.len()
        );
        list(&mut md, &scenarios, 4 * MAX_DETAILED);
        md.push_str("\n</details>\n");
    }
    md
}

fn by_outcome(record: &RunRecord, outcome: Outcome) -> impl Iterator<Item = &ScenarioOutcome> {
    record
        .scenarios
        .iter()
        .filter(move |s| s.outcome == outcome)
}

fn list(md: &mut String, scenarios: &[&ScenarioOutcome], limit: usize) {
    for scenario in scenarios.iter().take(limit) {
        let _ = write!(
            md,
            "- **{}** ({})",
            escape(&scenario.name),
            escape(&scenario.file)
        );
        if let Some(reason) = &scenario.reason {
            let _ = write!(md, ": {}", escape(reason));
        }
        md.push('\n');
    }
    if scenarios.len() > limit {
        let _ = writeln!(md, "- …and {} more", scenarios.len() - limit);
    }
}

fn failed_scenario(md: &mut String, scenario: &ScenarioOutcome) {
    let _ = writeln!(md, "\n#### {}\n", escape(&scenario.name));
    let _ = write!(
        md,
        "{}, {}",
        escape(&scenario.file),
        human_duration(scenario.duration_ms)
    );
    if let Some(doc) = &scenario.doc {
        let _ = write!(md, ", documented in {}", escape(doc));
    }
    md.push_str("\n\n");
    if let Some(reason) = &scenario.reason {
        let _ = writeln!(md, "{}\n", escape(reason));
    }
    let findings: Vec<_> = scenario.findings().collect();
    if !findings.is_empty() {
        md.push_str("| rule | basis | where | finding |\n|---|---|---|---|\n");
        for finding in findings.iter().take(MAX_FINDINGS) {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                escape(&finding.rule),
                finding.basis,
                escape(&finding.location.to_string()),
                escape(&finding.message)
            );
        }
        if findings.len() > MAX_FINDINGS {
            let _ = writeln!(
                md,
                "\n…and {} more findings.",
                findings.len() - MAX_FINDINGS
            );
        }
    }
    for snapshot in scenario.steps.iter().filter_map(|s| s.snapshot.as_ref()) {
        let diff = similar::TextDiff::from_lines(&snapshot.expected, &snapshot.actual);
        let text = diff
            .unified_diff()
            .context_radius(2)
            .header("stored", "received")
            .to_string();
        let mut lines: Vec<&str> = text.lines().collect();
        let hidden = lines.len().saturating_sub(MAX_DIFF_LINES);
        lines.truncate(MAX_DIFF_LINES);
        let body = lines.join("\n");
        let fence = fence(&body);
        let _ = writeln!(
            md,
            "\n<details><summary>snapshot {} differs</summary>\n\n{fence}diff\n{body}\n{fence}",
            escape(&snapshot.name)
        );
        if hidden > 0 {
            let _ = writeln!(md, "\n…and {hidden} more lines of diff.");
        }
        md.push_str("\n</details>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_untrusted_text_is_escaped() {
        assert_eq!(
            escape("a|b <script> *x*\nnext"),
            "a\\|b &lt;script&gt; \\*x\\* next"
        );
    }

    #[test]
    fn a_fence_is_longer_than_any_backtick_run_inside() {
        assert_eq!(fence("no ticks"), "```");
        assert_eq!(fence("a ```` b"), "`````");
    }
}
