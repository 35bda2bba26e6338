//! The selftest's second matrix: the suite against every conformant variant of the double
//! (behaviour the docs allow, `double/variant.rs`). A variant must pass: a scenario that
//! fails or cannot run on one is a false alarm, named with the rules it cited and what each
//! finding said. The specificity score is variants passed / variants.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::double::Variant;
use crate::outcome::{Outcome, RunRecord};

/// What the suite did against one conformant variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariantVerdict {
    /// No scenario failed or errored.
    Passed,
    /// Some scenario failed on behaviour the docs allow.
    FalseAlarm,
}

impl VariantVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            VariantVerdict::Passed => "PASSED",
            VariantVerdict::FalseAlarm => "FALSE ALARM",
        }
    }
}

/// One variant's row of the specificity matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantResult {
    pub variant: Variant,
    pub verdict: VariantVerdict,
    /// The scenarios that misfired, each with what it said (findings, or why it could not run).
    pub misfired: Vec<(String, Vec<String>)>,
    /// Rule → how many findings named it.
    pub rules: BTreeMap<String, usize>,
    /// Scenarios that passed.
    pub passed: usize,
    /// Scenarios that did not count either way (skipped or inconclusive), with the reason
    /// of the first.
    pub not_judged: usize,
}

impl VariantResult {
    pub fn from_record(variant: Variant, record: &RunRecord) -> Self {
        let mut rules: BTreeMap<String, usize> = BTreeMap::new();
        let mut passed = 0;
        let mut not_judged = 0;
        for scenario in &record.scenarios {
            if scenario.outcome == Outcome::Passed {
                passed += 1;
            } else if !super::failed(scenario.outcome) {
                not_judged += 1;
            }
            if super::failed(scenario.outcome) {
                for finding in scenario.findings() {
                    *rules.entry(finding.rule.clone()).or_default() += 1;
                }
            }
        }
        let misfired = super::report::failures(record);
        let verdict = if misfired.is_empty() {
            VariantVerdict::Passed
        } else {
            VariantVerdict::FalseAlarm
        };
        Self {
            variant,
            verdict,
            misfired,
            rules,
            passed,
            not_judged,
        }
    }
}

/// Variants passed out of variants run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Specificity {
    pub passed: usize,
    pub variants: usize,
}

impl Specificity {
    pub fn of(results: &[VariantResult]) -> Self {
        Self {
            passed: results
                .iter()
                .filter(|r| r.verdict == VariantVerdict::Passed)
                .count(),
            variants: results.len(),
        }
    }

    /// The specificity in percent (100 when no variant ran).
    pub fn percent(self) -> f64 {
        if self.variants == 0 {
            return 100.0;
        }
        #[allow(clippy::cast_precision_loss)] // counts of variants: tiny
        let ratio = self.passed as f64 / self.variants as f64;
        ratio * 100.0
    }
}

/// The specificity matrix; `verbose` lists every misfired scenario and finding (by
/// default the first three scenarios with their first two findings).
pub fn render(out: &mut impl Write, results: &[VariantResult], verbose: bool) -> io::Result<()> {
    if results.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nspecificity matrix: conformant variant → PASSED, or FALSE ALARM with the scenarios and rules that misfired"
    )?;
    let width = results
        .iter()
        .map(|r| r.variant.name().len())
        .max()
        .unwrap_or(0);
    let (scenarios_shown, findings_shown) = if verbose {
        (usize::MAX, usize::MAX)
    } else {
        (3, 2)
    };
    for result in results {
        let name = result.variant.name();
        let verdict = result.verdict.as_str();
        let not_judged = if result.not_judged > 0 {
            format!(
                ", {} not judged (skipped or inconclusive)",
                result.not_judged
            )
        } else {
            String::new()
        };
        match result.verdict {
            VariantVerdict::Passed => writeln!(
                out,
                "  {verdict:<11} {name:<width$}  {} scenarios passed{not_judged}",
                result.passed
            )?,
            VariantVerdict::FalseAlarm => {
                let rules: Vec<String> = result
                    .rules
                    .iter()
                    .map(|(rule, n)| format!("{rule} ×{n}"))
                    .collect();
                let rules = if rules.is_empty() {
                    "no finding (could not run)".to_owned()
                } else {
                    rules.join(", ")
                };
                writeln!(
                    out,
                    "  {verdict:<11} {name:<width$}  {} scenario{}: {rules}",
                    result.misfired.len(),
                    if result.misfired.len() == 1 { "" } else { "s" },
                )?;
                writeln!(
                    out,
                    "  {:<11} {:<width$}    ({})",
                    "",
                    "",
                    result.variant.description()
                )?;
                for (scenario, said) in result.misfired.iter().take(scenarios_shown) {
                    writeln!(out, "  {:<11} {:<width$}    {scenario}", "", "")?;
                    for line in said.iter().take(findings_shown) {
                        writeln!(out, "  {:<11} {:<width$}      {line}", "", "")?;
                    }
                }
                if result.misfired.len() > scenarios_shown {
                    writeln!(
                        out,
                        "  {:<11} {:<width$}    … and {} more (--verbose lists them)",
                        "",
                        "",
                        result.misfired.len() - scenarios_shown
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// The specificity score line, and the variants that raised false alarms.
pub fn render_score(out: &mut impl Write, results: &[VariantResult]) -> io::Result<()> {
    let score = Specificity::of(results);
    writeln!(
        out,
        "specificity score: {}/{} variants passed = {:.0}%",
        score.passed,
        score.variants,
        score.percent()
    )?;
    let alarms: Vec<&str> = results
        .iter()
        .filter(|r| r.verdict == VariantVerdict::FalseAlarm)
        .map(|r| r.variant.name())
        .collect();
    if !alarms.is_empty() {
        writeln!(out, "false alarms on: {}", alarms.join(", "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Basis, Finding, Location};
    use crate::outcome::{ScenarioOutcome, StepOutcome, Totals};

    fn record(outcomes: &[(&str, Outcome, Option<&str>)]) -> RunRecord {
        RunRecord {
            record_version: crate::outcome::RECORD_VERSION,
            vouch_version: "test".into(),
            suite: "suite".into(),
            target: crate::outcome::TargetInfo {
                kind: "double".into(),
                url: "http://127.0.0.1:1".into(),
            },
            started: "2026-01-01T00:00:00.000Z".into(),
            duration_ms: 1.0,
            scenarios: outcomes
                .iter()
                .map(|(name, outcome, rule)| ScenarioOutcome {
                    name: (*name).into(),
                    file: "f.yaml".into(),
                    derived: false,
                    doc: None,
                    tags: Vec::new(),
                    outcome: *outcome,
                    reason: None,
                    duration_ms: 1.0,
                    steps: vec![StepOutcome {
                        name: "s".into(),
                        line: 1,
                        exchange: None,
                        findings: rule
                            .map(|rule| Finding {
                                rule: rule.into(),
                                basis: Basis::Assumed,
                                location: Location::file(std::path::Path::new("f.yaml")),
                                message: "expected the double's choice".into(),
                            })
                            .into_iter()
                            .collect(),
                        snapshot: None,
                        duration_ms: 1.0,
                    }],
                })
                .collect(),
            totals: Totals::default(),
        }
    }

    #[test]
    fn a_variant_every_scenario_passes_on_passes_and_one_a_scenario_fails_on_is_a_false_alarm() {
        // Arrange
        let clean = record(&[("a", Outcome::Passed, None), ("b", Outcome::Skipped, None)]);
        let alarmed = record(&[
            ("a", Outcome::Passed, None),
            ("b", Outcome::Failed, Some("etag-agrees")),
        ]);

        // Act
        let passed = VariantResult::from_record(Variant::KeysSorted, &clean);
        let alarm = VariantResult::from_record(Variant::NoEtagHeader, &alarmed);

        // Assert
        assert_eq!(passed.verdict, VariantVerdict::Passed);
        assert_eq!((passed.passed, passed.not_judged), (1, 1));
        assert_eq!(alarm.verdict, VariantVerdict::FalseAlarm);
        assert_eq!(alarm.misfired.len(), 1);
        assert_eq!(alarm.rules.get("etag-agrees"), Some(&1));
        let score = Specificity::of(&[passed.clone(), alarm.clone()]);
        assert_eq!((score.passed, score.variants), (1, 2));
        assert!((score.percent() - 50.0).abs() < 1e-9);
        let mut text = Vec::new();
        render(&mut text, &[passed.clone(), alarm.clone()], false).unwrap();
        render_score(&mut text, &[passed, alarm]).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("FALSE ALARM no-etag-header"), "{text}");
        assert!(text.contains("etag-agrees ×1"), "{text}");
        assert!(text.contains("expected the double's choice"), "{text}");
        assert!(text.contains("specificity score: 1/2 variants passed = 50%"));
    }
}
