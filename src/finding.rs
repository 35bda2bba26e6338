//! A finding: one way in which something departs from the contract. Findings are data
//! (exit 1); an `Err` anywhere in vouch means the harness itself could not run (exit 2).

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Whether a rule is written in the API's documentation or is one of vouch's
/// conventions where the docs are silent (DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    Documented,
    Assumed,
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Basis::Documented => "documented",
            Basis::Assumed => "assumed",
        })
    }
}

/// Where a finding points: the fixture file (and line, when known), the scenario step,
/// and the JSON Pointer inside the body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub file: PathBuf,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Self {
            file: file.into(),
            ..Self::default()
        }
    }

    #[must_use]
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    #[must_use]
    pub fn pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    #[must_use]
    pub fn step(mut self, step: impl Into<String>) -> Self {
        self.step = Some(step.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(step) = &self.step {
            write!(f, " step {step}")?;
        }
        if let Some(pointer) = &self.pointer {
            let shown = if pointer.is_empty() {
                "(root)"
            } else {
                pointer
            };
            write!(f, " at {shown}")?;
        }
        Ok(())
    }
}

/// One departure from the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's id in contract.yaml (`rules:`), e.g. `etag-rotates`.
    pub rule: String,
    pub basis: Basis,
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} [{}, {}]",
            self.location, self.message, self.rule, self.basis
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_prints_file_line_pointer_rule_and_basis() {
        let finding = Finding {
            rule: "schema".into(),
            basis: Basis::Documented,
            location: Location::file("documented/a.json")
                .at(12, 5)
                .pointer("/status"),
            message: "\"Open\" is not one of the statuses".into(),
        };
        assert_eq!(
            finding.to_string(),
            "documented/a.json:12:5 at /status: \"Open\" is not one of the statuses [schema, documented]"
        );
    }
}
