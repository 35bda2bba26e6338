//! The run record: plain, serialisable data that the runner returns and every report
//! (console, `JUnit`, JSON, Markdown, HTML, compare) reads. Secrets never get here: the
//! runner redacts headers before it records an exchange.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

/// The version of the run record's shape (schemas/reports/run-record.schema.json).
pub const RECORD_VERSION: u32 = 2;

/// One whole run of a suite against a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub record_version: u32,
    pub vouch_version: String,
    /// The suite folder as given.
    pub suite: String,
    pub target: TargetInfo,
    /// UTC start time, RFC 3339.
    pub started: String,
    pub duration_ms: f64,
    pub scenarios: Vec<ScenarioOutcome>,
    pub totals: Totals,
}

/// Where the run went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// `double` (the embedded double) or `live`.
    pub kind: String,
    /// The base URL requests went to.
    pub url: String,
}

/// Counts by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub errors: usize,
    /// Scenarios whose precondition the target could not be brought to.
    #[serde(default)]
    pub inconclusive: usize,
}

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every expectation held.
    Passed,
    /// At least one finding: the target departs from the contract.
    Failed,
    /// Not run, with a reason (e.g. a writing scenario against a live target without
    /// --allow-mutations).
    Skipped,
    /// vouch could not run it (connection refused, timeout, bad fixture reference).
    Error,
    /// The target could not be brought to the state the scenario needs (e.g. it stored a
    /// new resource in a status the needed one cannot be reached from): it says nothing
    /// either way, with its reason. Never a failure.
    Inconclusive,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
            Outcome::Error => "error",
            Outcome::Inconclusive => "inconclusive",
        }
    }
}

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioOutcome {
    pub name: String,
    /// The scenario file, or contract.yaml for derived scenarios.
    pub file: String,
    pub derived: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub outcome: Outcome,
    /// Why it was skipped or inconclusive, or what went wrong when it could not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub duration_ms: f64,
    pub steps: Vec<StepOutcome>,
}

impl ScenarioOutcome {
    /// Every finding of every step.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.steps.iter().flat_map(|s| s.findings.iter())
    }
}

/// One step's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepOutcome {
    pub name: String,
    /// The step's line in its file (0 for derived steps).
    pub line: usize,
    /// Boxed, as is the snapshot: a long run keeps every step's outcome, and most have
    /// neither (the exchanges of passed scenarios may be dropped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Box<Exchange>>,
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Box<SnapshotDiff>>,
    pub duration_ms: f64,
}

/// A snapshot that differs from the redacted response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotDiff {
    /// `<scenario>__<step>`.
    pub name: String,
    /// The stored snapshot (empty when there was none).
    pub expected: String,
    pub actual: String,
}

/// A request and the response it got, as recorded (headers redacted, bodies capped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    pub request: RecordedRequest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
    /// How many times the request was sent (throttling retries count).
    pub attempts: u32,
    pub duration_ms: f64,
}

/// A request as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default)]
    pub body_truncated: bool,
}

/// A response as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default)]
    pub body_truncated: bool,
}

/// The marker that ends a truncated body.
pub const TRUNCATED: &str = "…[truncated by vouch]";

/// Caps `text` at `limit` bytes (on a character boundary), marking the cut.
pub fn truncate(text: &str, limit: usize) -> (String, bool) {
    if text.len() <= limit {
        return (text.to_owned(), false);
    }
    let mut cut = limit;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    (format!("{}{TRUNCATED}", &text[..cut]), true)
}

/// Like [`truncate`], keeping `text` itself (no copy) when it fits.
pub fn truncated(text: String, limit: usize) -> (String, bool) {
    if text.len() <= limit {
        return (text, false);
    }
    truncate(&text, limit)
}

impl RunRecord {
    /// The exit code of the run: 2 when any scenario could not run, else 1 when any
    /// failed, else 0.
    pub fn exit_code(&self) -> u8 {
        match (self.totals.errors, self.totals.failed) {
            (0, 0) => 0,
            (0, _) => 1,
            _ => 2,
        }
    }

    /// The closing line: `N passed, N failed` (plus skipped, inconclusive and errors when
    /// any).
    pub fn summary_line(&self) -> String {
        let Totals {
            passed,
            failed,
            skipped,
            errors,
            inconclusive,
        } = self.totals;
        let mut line = format!("{passed} passed, {failed} failed");
        if skipped > 0 {
            let _ = write!(line, ", {skipped} skipped");
        }
        if inconclusive > 0 {
            let _ = write!(line, ", {inconclusive} inconclusive");
        }
        if errors > 0 {
            let _ = write!(line, ", {errors} errors");
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_char_boundaries_and_marks_the_cut() {
        let (text, cut) = truncate("ééé", 3);
        assert!(cut);
        assert_eq!(text, format!("é{TRUNCATED}"));
        assert_eq!(truncate("abc", 3), ("abc".to_owned(), false));
    }
}
