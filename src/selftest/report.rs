//! The selftest's result as plain data, and its text form: the clean run, the kill matrix
//! (for every fault, its verdict and the scenarios and rules that caught it), the rule
//! coverage (for every runtime rule of contract.yaml, the faults it catches) and the
//! mutation score.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::double::Fault;
use crate::fixture::contract::{Contract, Scope};
use crate::outcome::{Outcome, RunRecord, Totals};
use crate::selftest::specificity::{self, Specificity, VariantResult, VariantVerdict};

/// What the suite did against one fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Some scenario failed: the suite noticed the defect.
    Caught,
    /// Every scenario passed: the defect got through.
    Survived,
    /// A benign fault, and the suite passed despite it, as it should.
    Tolerated,
    /// A benign fault that made the suite fail: a false alarm.
    NotTolerated,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Caught => "CAUGHT",
            Verdict::Survived => "SURVIVED",
            Verdict::Tolerated => "TOLERATED",
            Verdict::NotTolerated => "FALSE-ALARM",
        }
    }
}

/// The clean run: every scenario must pass against the faithful double.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanRun {
    pub totals: Totals,
    /// Scenarios that did not pass, each with what it said (false failures).
    pub false_failures: Vec<(String, Vec<String>)>,
    /// The slowest step (request, response and checks), in milliseconds: all runs share the
    /// machine, so this shows the margin left to the latency rule.
    pub slowest_ms: f64,
}

impl CleanRun {
    pub fn from_record(record: &RunRecord) -> Self {
        let slowest_ms = record
            .scenarios
            .iter()
            .flat_map(|s| &s.steps)
            .map(|step| step.duration_ms)
            .fold(0.0, f64::max);
        Self {
            totals: record.totals,
            false_failures: failures(record),
            slowest_ms,
        }
    }
}

/// The scenarios of a run that failed or could not run, with their findings or reason.
pub(crate) fn failures(record: &RunRecord) -> Vec<(String, Vec<String>)> {
    record
        .scenarios
        .iter()
        .filter(|s| super::failed(s.outcome))
        .map(|s| {
            let mut said: Vec<String> = s.findings().map(ToString::to_string).collect();
            if s.outcome == Outcome::Error {
                said.push(format!(
                    "could not run: {}",
                    s.reason.as_deref().unwrap_or("no reason given")
                ));
            }
            (s.name.clone(), said)
        })
        .collect()
}

/// One fault's row of the kill matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultResult {
    pub fault: Fault,
    pub verdict: Verdict,
    /// The scenarios that failed on it, in suite order.
    pub scenarios: Vec<String>,
    /// Rule → how many findings named it.
    pub rules: BTreeMap<String, usize>,
    /// Scenarios that could not run (transport errors and the like), with the reason.
    pub errors: Vec<(String, String)>,
}

impl FaultResult {
    pub fn from_record(fault: Fault, record: &RunRecord) -> Self {
        let mut scenarios = Vec::new();
        let mut rules: BTreeMap<String, usize> = BTreeMap::new();
        let mut errors = Vec::new();
        for scenario in &record.scenarios {
            match scenario.outcome {
                Outcome::Failed => scenarios.push(scenario.name.clone()),
                Outcome::Error => errors.push((
                    scenario.name.clone(),
                    scenario.reason.clone().unwrap_or_default(),
                )),
                Outcome::Passed | Outcome::Skipped | Outcome::Inconclusive => {}
            }
            for finding in scenario.findings() {
                *rules.entry(finding.rule.clone()).or_default() += 1;
            }
        }
        let broke = !scenarios.is_empty() || !errors.is_empty();
        let verdict = match (fault.is_benign(), broke) {
            (true, false) => Verdict::Tolerated,
            (true, true) => Verdict::NotTolerated,
            (false, _) if !scenarios.is_empty() => Verdict::Caught,
            (false, _) => Verdict::Survived,
        };
        Self {
            fault,
            verdict,
            scenarios,
            rules,
            errors,
        }
    }
}

/// One rule of contract.yaml and the (non-benign) faults whose runs it named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCoverage {
    pub rule: String,
    pub scope: Scope,
    pub faults: Vec<Fault>,
}

impl RuleCoverage {
    /// Every rule of the contract, with the faults it caught.
    pub fn of(contract: &Contract, faults: &[FaultResult]) -> Vec<Self> {
        contract
            .rules
            .iter()
            .map(|(rule, spec)| Self {
                rule: rule.clone(),
                scope: spec.scope,
                faults: faults
                    .iter()
                    .filter(|f| f.verdict == Verdict::Caught && f.rules.contains_key(rule))
                    .map(|f| f.fault)
                    .collect(),
            })
            .collect()
    }

    /// A runtime rule that no fault makes fire: the suite could not tell if it broke.
    pub fn uncovered(&self) -> bool {
        self.scope == Scope::Runtime && self.faults.is_empty()
    }
}

/// Faults caught out of the faults that count (benign ones do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    pub caught: usize,
    pub counted: usize,
    pub benign: usize,
}

impl Score {
    /// The mutation score in percent (100 when nothing counts).
    pub fn percent(self) -> f64 {
        if self.counted == 0 {
            return 100.0;
        }
        #[allow(clippy::cast_precision_loss)] // counts of faults: tiny
        let ratio = self.caught as f64 / self.counted as f64;
        ratio * 100.0
    }
}

/// The whole selftest.
#[derive(Debug, Clone, PartialEq)]
pub struct SelftestReport {
    pub suite: String,
    pub scenarios: usize,
    /// Scenarios run at once within each run.
    pub jobs: usize,
    pub filter: Option<String>,
    pub duration_ms: f64,
    pub clean: CleanRun,
    pub faults: Vec<FaultResult>,
    pub coverage: Vec<RuleCoverage>,
    /// The specificity matrix: one row per conformant variant run.
    pub variants: Vec<VariantResult>,
    /// Runs that misfired on latency alone and were run again, alone (their second
    /// result is the one above).
    pub rerun: Vec<String>,
    /// Faults and variants not run, as they need what the contract does not have: the
    /// name and why.
    pub skipped: Vec<Skipped>,
}

/// A fault or variant the selftest did not run on this suite, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `fault` or `variant`.
    pub what: &'static str,
    pub name: String,
    pub reason: String,
}

impl SelftestReport {
    pub fn score(&self) -> Score {
        let benign = self.faults.iter().filter(|f| f.fault.is_benign()).count();
        Score {
            caught: self
                .faults
                .iter()
                .filter(|f| f.verdict == Verdict::Caught)
                .count(),
            counted: self.faults.len() - benign,
            benign,
        }
    }

    /// Faults no scenario caught.
    pub fn survivors(&self) -> impl Iterator<Item = &FaultResult> {
        self.faults
            .iter()
            .filter(|f| f.verdict == Verdict::Survived)
    }

    /// Benign faults the suite failed on.
    pub fn false_alarms(&self) -> impl Iterator<Item = &FaultResult> {
        self.faults
            .iter()
            .filter(|f| f.verdict == Verdict::NotTolerated)
    }

    /// Variants passed out of variants run.
    pub fn specificity(&self) -> Specificity {
        Specificity::of(&self.variants)
    }

    /// Conformant variants the suite failed on.
    pub fn variant_false_alarms(&self) -> impl Iterator<Item = &VariantResult> {
        self.variants
            .iter()
            .filter(|v| v.verdict == VariantVerdict::FalseAlarm)
    }

    /// Runtime rules no fault makes fire.
    pub fn uncovered(&self) -> impl Iterator<Item = &RuleCoverage> {
        self.coverage.iter().filter(|c| c.uncovered())
    }

    /// Clean run passes, every fault is caught or tolerated, every runtime rule catches
    /// some fault.
    pub fn passed(&self) -> bool {
        self.clean.false_failures.is_empty()
            && self.survivors().next().is_none()
            && self.false_alarms().next().is_none()
            && self.uncovered().next().is_none()
            && self.variant_false_alarms().next().is_none()
    }

    /// 0 when [`Self::passed`], else 1.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.passed())
    }

    /// The text report; `verbose` lists every scenario that caught each fault.
    pub fn render(&self, out: &mut impl Write, verbose: bool) -> io::Result<()> {
        let filter = self
            .filter
            .as_ref()
            .map(|f| format!(" (--filter {f:?})"))
            .unwrap_or_default();
        writeln!(
            out,
            "vouch selftest: {} scenarios{filter} of {}, against the double clean, with each of {} faults and as each of {} conformant variants ({} runs, each in its own double, {} scenarios at once in each; more where a fault or variant makes clients wait)",
            self.scenarios,
            self.suite,
            self.faults.len(),
            self.variants.len(),
            self.faults.len() + self.variants.len() + 1,
            self.jobs
        )?;
        for skipped in &self.skipped {
            writeln!(
                out,
                "  skipped {} {} ({}: it does not apply to this contract)",
                skipped.what, skipped.name, skipped.reason
            )?;
        }
        self.render_clean(out)?;
        self.render_matrix(out, verbose)?;
        self.render_coverage(out)?;
        specificity::render(out, &self.variants, verbose)?;
        self.render_verdict(out)
    }

    fn render_clean(&self, out: &mut impl Write) -> io::Result<()> {
        let t = self.clean.totals;
        writeln!(
            out,
            "\nclean run: {} passed, {} failed, {} errors (slowest step {:.0} ms)",
            t.passed, t.failed, t.errors, self.clean.slowest_ms
        )?;
        for (scenario, said) in &self.clean.false_failures {
            writeln!(out, "  FALSE FAILURE {scenario}")?;
            for line in said {
                writeln!(out, "        {line}")?;
            }
        }
        Ok(())
    }

    fn render_matrix(&self, out: &mut impl Write, verbose: bool) -> io::Result<()> {
        writeln!(
            out,
            "\nkill matrix: fault → the scenarios and rules that caught it"
        )?;
        let width = self
            .faults
            .iter()
            .map(|f| f.fault.name().len())
            .max()
            .unwrap_or(0);
        for result in &self.faults {
            let name = result.fault.name();
            let rules: Vec<String> = result
                .rules
                .iter()
                .map(|(rule, n)| format!("{rule} ×{n}"))
                .collect();
            match result.verdict {
                Verdict::Caught => writeln!(
                    out,
                    "  {:<11} {name:<width$}  {} scenario{}: {}",
                    result.verdict.as_str(),
                    result.scenarios.len(),
                    plural(result.scenarios.len()),
                    rules.join(", ")
                )?,
                Verdict::Survived => writeln!(
                    out,
                    "  {:<11} {name:<width$}  no scenario failed: {}",
                    result.verdict.as_str(),
                    result.fault.description()
                )?,
                Verdict::Tolerated => writeln!(
                    out,
                    "  {:<11} {name:<width$}  benign: every scenario passed, as it should",
                    result.verdict.as_str(),
                )?,
                Verdict::NotTolerated => writeln!(
                    out,
                    "  {:<11} {name:<width$}  benign, yet {} scenario{} failed: {}",
                    result.verdict.as_str(),
                    result.scenarios.len() + result.errors.len(),
                    plural(result.scenarios.len() + result.errors.len()),
                    rules.join(", ")
                )?,
            }
            let shown = if verbose { usize::MAX } else { 2 };
            for scenario in result.scenarios.iter().take(shown) {
                writeln!(out, "  {:<11} {:<width$}    {scenario}", "", "")?;
            }
            if result.scenarios.len() > shown {
                writeln!(
                    out,
                    "  {:<11} {:<width$}    … and {} more (--verbose lists them)",
                    "",
                    "",
                    result.scenarios.len() - shown
                )?;
            }
            for (scenario, reason) in &result.errors {
                writeln!(
                    out,
                    "  {:<11} {:<width$}    could not run {scenario}: {reason}",
                    "", ""
                )?;
            }
        }
        Ok(())
    }

    fn render_coverage(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "\nrule coverage: each runtime rule of contract.yaml → the faults it catches"
        )?;
        let width = self
            .coverage
            .iter()
            .map(|c| c.rule.len())
            .max()
            .unwrap_or(0);
        for coverage in self.coverage.iter().filter(|c| c.scope == Scope::Runtime) {
            let faults: Vec<&str> = coverage.faults.iter().map(|f| f.name()).collect();
            if faults.is_empty() {
                writeln!(
                    out,
                    "  UNCOVERED {:<width$}  no fault is caught by it",
                    coverage.rule
                )?;
            } else {
                writeln!(
                    out,
                    "  covered   {:<width$}  {}",
                    coverage.rule,
                    faults.join(", ")
                )?;
            }
        }
        for (scope, why) in [
            (
                Scope::Lint,
                "they judge the docs and fixtures, not a server",
            ),
            (
                Scope::Review,
                "they compare with reviewed snapshots; selftest runs with snapshots off",
            ),
            (
                Scope::Optional,
                "the contract turns them on only by choice (the docs state no such rule)",
            ),
        ] {
            let rules: Vec<&str> = self
                .coverage
                .iter()
                .filter(|c| c.scope == scope)
                .map(|c| c.rule.as_str())
                .collect();
            if !rules.is_empty() {
                writeln!(out, "  not required ({scope}: {why}): {}", rules.join(", "))?;
            }
        }
        Ok(())
    }

    fn render_verdict(&self, out: &mut impl Write) -> io::Result<()> {
        let score = self.score();
        let runtime = self
            .coverage
            .iter()
            .filter(|c| c.scope == Scope::Runtime)
            .count();
        let covered = runtime - self.uncovered().count();
        writeln!(
            out,
            "\nmutation score: {}/{} faults caught = {:.0}%",
            score.caught,
            score.counted,
            score.percent()
        )?;
        if score.benign > 0 {
            let benign: Vec<&str> = self
                .faults
                .iter()
                .filter(|f| f.fault.is_benign())
                .map(|f| f.fault.name())
                .collect();
            writeln!(
                out,
                "  ({} benign, not counted: {}; the suite must pass despite them)",
                score.benign,
                benign.join(", ")
            )?;
        }
        if !self.variants.is_empty() {
            specificity::render_score(out, &self.variants)?;
        }
        writeln!(out, "runtime rules covered: {covered}/{runtime}")?;
        if !self.rerun.is_empty() {
            writeln!(
                out,
                "run again alone, after slow responses on a busy machine: {}",
                self.rerun.join(", ")
            )?;
        }
        let survivors: Vec<&str> = self.survivors().map(|f| f.fault.name()).collect();
        if !survivors.is_empty() {
            writeln!(out, "survived: {}", survivors.join(", "))?;
        }
        let alarms: Vec<&str> = self.false_alarms().map(|f| f.fault.name()).collect();
        if !alarms.is_empty() {
            writeln!(
                out,
                "benign faults the suite failed on: {}",
                alarms.join(", ")
            )?;
        }
        let uncovered: Vec<&str> = self.uncovered().map(|c| c.rule.as_str()).collect();
        if !uncovered.is_empty() {
            writeln!(out, "uncovered runtime rules: {}", uncovered.join(", "))?;
        }
        if !self.clean.false_failures.is_empty() {
            writeln!(
                out,
                "false failures on the clean double: {}",
                self.clean.false_failures.len()
            )?;
        }
        writeln!(
            out,
            "selftest: {} in {:.1} s",
            if self.passed() { "passed" } else { "FAILED" },
            self.duration_ms / 1000.0
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Basis, Finding, Location};
    use crate::outcome::{ScenarioOutcome, StepOutcome, TargetInfo, RECORD_VERSION};

    /// A run record of scenarios named with their outcome and the rules of their findings.
    fn record(scenarios: &[(&str, Outcome, &[&str])]) -> RunRecord {
        let mut totals = Totals::default();
        let scenarios = scenarios
            .iter()
            .map(|(name, outcome, rules)| {
                match outcome {
                    Outcome::Passed => totals.passed += 1,
                    Outcome::Failed => totals.failed += 1,
                    Outcome::Skipped => totals.skipped += 1,
                    Outcome::Error => totals.errors += 1,
                    Outcome::Inconclusive => totals.inconclusive += 1,
                }
                ScenarioOutcome {
                    name: (*name).to_owned(),
                    file: "contract.yaml".into(),
                    derived: true,
                    doc: None,
                    tags: Vec::new(),
                    outcome: *outcome,
                    reason: None,
                    duration_ms: 1.0,
                    steps: vec![StepOutcome {
                        name: "step".into(),
                        line: 0,
                        exchange: None,
                        findings: rules
                            .iter()
                            .map(|rule| Finding {
                                rule: (*rule).to_owned(),
                                basis: Basis::Assumed,
                                location: Location::file("contract.yaml"),
                                message: "departs".into(),
                            })
                            .collect(),
                        snapshot: None,
                        duration_ms: 1.0,
                    }],
                }
            })
            .collect();
        RunRecord {
            record_version: RECORD_VERSION,
            vouch_version: "test".into(),
            suite: "suite".into(),
            target: TargetInfo {
                kind: "double".into(),
                url: "http://127.0.0.1:1".into(),
            },
            started: "2024-01-01T00:00:00.000Z".into(),
            duration_ms: 1.0,
            scenarios,
            totals,
        }
    }

    fn contract() -> Contract {
        crate::Suite::load(&crate::profile::bundled_suite())
            .unwrap()
            .contract
    }

    /// A report whose faults were each caught by the named rules (benign ones tolerated).
    fn report(contract: &Contract, faults: &[(Fault, &[&str])]) -> SelftestReport {
        let faults: Vec<FaultResult> = faults
            .iter()
            .map(|(fault, rules)| {
                let outcome = if rules.is_empty() {
                    Outcome::Passed
                } else {
                    Outcome::Failed
                };
                FaultResult::from_record(*fault, &record(&[("s", outcome, rules)]))
            })
            .collect();
        SelftestReport {
            suite: "suite".into(),
            scenarios: 1,
            jobs: 1,
            filter: None,
            duration_ms: 1.0,
            clean: CleanRun::from_record(&record(&[("s", Outcome::Passed, &[])])),
            coverage: RuleCoverage::of(contract, &faults),
            faults,
            variants: Vec::new(),
            rerun: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Every runtime rule of `contract`, as one fault's catch.
    fn all_runtime_rules(contract: &Contract) -> Vec<&str> {
        contract
            .rules
            .iter()
            .filter(|(_, r)| r.scope == Scope::Runtime)
            .map(|(name, _)| name.as_str())
            .collect()
    }

    #[test]
    fn a_fault_some_scenario_fails_on_is_caught_and_one_none_fails_on_survives() {
        // Arrange
        let failing = record(&[
            ("a", Outcome::Passed, &[]),
            ("b", Outcome::Failed, &["etag-stale"]),
        ]);
        let passing = record(&[("a", Outcome::Passed, &[])]);

        // Act
        let caught = FaultResult::from_record(Fault::StaleIfMatchAccepted, &failing);
        let survived = FaultResult::from_record(Fault::StaleIfMatchAccepted, &passing);

        // Assert
        assert_eq!(caught.verdict, Verdict::Caught);
        assert_eq!(caught.scenarios, ["b"]);
        assert_eq!(caught.rules.get("etag-stale"), Some(&1));
        assert_eq!(survived.verdict, Verdict::Survived);
    }

    #[test]
    fn a_benign_fault_is_tolerated_when_the_suite_passes_and_a_false_alarm_when_it_fails() {
        // Arrange
        let passing = record(&[("a", Outcome::Passed, &[])]);
        let failing = record(&[("a", Outcome::Failed, &["latency"])]);

        // Act
        let tolerated = FaultResult::from_record(Fault::Throttled, &passing);
        let alarm = FaultResult::from_record(Fault::Throttled, &failing);

        // Assert
        assert_eq!(tolerated.verdict, Verdict::Tolerated);
        assert_eq!(alarm.verdict, Verdict::NotTolerated);
    }

    #[test]
    fn the_score_leaves_benign_faults_out_of_its_denominator() {
        // Arrange
        let contract = contract();
        let rules = all_runtime_rules(&contract);
        let report = report(
            &contract,
            &[
                (Fault::StaleIfMatchAccepted, &rules),
                (Fault::WildcardRefused, &[]),
                (Fault::Throttled, &[]),
            ],
        );

        // Act
        let score = report.score();

        // Assert
        assert_eq!((score.caught, score.counted, score.benign), (1, 2, 1));
        assert!((score.percent() - 50.0).abs() < 1e-9);
        assert!(!report.passed());
        assert_eq!(report.exit_code(), 1);
    }

    #[test]
    fn every_fault_caught_and_every_runtime_rule_tripped_passes() {
        // Arrange
        let contract = contract();
        let rules = all_runtime_rules(&contract);

        // Act
        let report = report(
            &contract,
            &[
                (Fault::StaleIfMatchAccepted, &rules),
                (Fault::Throttled, &[]),
            ],
        );

        // Assert
        assert!(
            report.passed(),
            "{:?}",
            report.uncovered().collect::<Vec<_>>()
        );
        assert_eq!(report.exit_code(), 0);
        assert!((report.score().percent() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_runtime_rule_no_fault_trips_is_uncovered_and_fails_the_selftest_but_lint_rules_are_not_required(
    ) {
        // Arrange
        let contract = contract();
        let rules: Vec<&str> = all_runtime_rules(&contract)
            .into_iter()
            .filter(|r| *r != "etag-wildcard")
            .collect();

        // Act
        let report = report(&contract, &[(Fault::StaleIfMatchAccepted, &rules)]);

        // Assert
        let uncovered: Vec<&str> = report.uncovered().map(|c| c.rule.as_str()).collect();
        assert_eq!(uncovered, ["etag-wildcard"]);
        assert!(report
            .coverage
            .iter()
            .any(|c| c.rule == "json-syntax" && c.scope == Scope::Lint && !c.uncovered()));
        assert!(!report.passed());
    }

    #[test]
    fn a_false_failure_on_the_clean_double_fails_the_selftest_and_is_named() {
        // Arrange
        let contract = contract();
        let rules = all_runtime_rules(&contract);
        let mut report = report(&contract, &[(Fault::StaleIfMatchAccepted, &rules)]);
        report.clean = CleanRun::from_record(&record(&[("flaky", Outcome::Failed, &["latency"])]));
        let mut text = Vec::new();

        // Act
        report.render(&mut text, false).unwrap();

        // Assert
        let text = String::from_utf8(text).unwrap();
        assert!(!report.passed());
        assert!(text.contains("FALSE FAILURE flaky"), "{text}");
        assert!(text.contains("selftest: FAILED"), "{text}");
    }
}
