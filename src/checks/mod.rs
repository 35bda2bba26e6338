//! Checks: each file judges one aspect of an exchange (status, headers, schema,
//! transition, links, etag, response id, fields, snapshot) behind one trait. A check turns what it sees into
//! findings, each with its file, step, JSON Pointer, rule and basis; what keeps it from
//! judging at all (a variable never captured, a pointer that cannot apply, a snapshot that
//! cannot be written) is a [`CheckError`]: vouch's error, never the API's finding.

mod etag;
mod fields;
mod headers;
mod latency;
mod links;
mod list;
mod response_id;
mod schema;
pub mod snapshot;
mod status;
mod transition;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

use crate::finding::{Basis, Finding, Location};
use crate::fixture::scenario::{Scenario, Step};
use crate::fixture::template::{render, render_value, MissingVar, Vars};
use crate::fixture::Suite;
use crate::outcome::SnapshotDiff;

pub use snapshot::{SnapshotMode, Snapshots};

/// What came back for one step, as the checks see it.
#[derive(Debug)]
pub struct Observed<'a> {
    pub status: u16,
    pub headers: &'a [(String, String)],
    pub text: &'a str,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<&'a Value>,
    /// The request body that was sent, as JSON.
    pub sent: Option<&'a Value>,
    /// The request's method, upper case.
    pub method: &'a str,
    /// The absolute URL the request went to.
    pub url: &'a str,
    pub latency: Duration,
}

impl Observed<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header that may come more than once.
    pub fn header_values<'h>(&'h self, name: &'h str) -> impl Iterator<Item = &'h str> + 'h {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Everything a check may look at.
pub struct Context<'a> {
    pub suite: &'a Suite,
    pub scenario: &'a Scenario,
    pub step: &'a Step,
    pub label: &'a str,
    pub vars: &'a Vars,
    pub observed: Observed<'a>,
    pub snapshots: &'a Snapshots,
    /// The base URL of the target (redacted out of snapshots).
    pub base: &'a str,
    /// A live target (its snapshots are its own), not the embedded double.
    pub live: bool,
    /// Secrets out of what a check shows (previews) or writes (snapshots): redact a text
    /// before cutting it.
    pub redactor: &'a crate::report::Redactor,
    /// A snapshot that differs, for the reports.
    pub snapshot_diff: Mutex<Option<SnapshotDiff>>,
    /// Every page of a list step (`expect.list`), followed through `@odata.nextLink`.
    pub listed: Option<&'a crate::endpoint::pages::Listed>,
}

impl Context<'_> {
    /// A finding for `rule` at `pointer`, with the rule's basis from the contract.
    pub fn finding(
        &self,
        rule: &str,
        pointer: Option<&str>,
        message: impl Into<String>,
    ) -> Finding {
        let basis = self
            .suite
            .contract
            .rules
            .get(rule)
            .map_or(Basis::Assumed, |r| r.basis);
        self.finding_with(rule, basis, pointer, message)
    }

    pub fn finding_with(
        &self,
        rule: &str,
        basis: Basis,
        pointer: Option<&str>,
        message: impl Into<String>,
    ) -> Finding {
        let mut location = Location::file(&self.scenario.file).step(self.label);
        if self.step.line > 0 {
            location.line = Some(self.step.line);
        }
        if let Some(pointer) = pointer {
            location = location.pointer(pointer);
        }
        Finding {
            rule: rule.to_owned(),
            basis,
            location,
            message: message.into(),
        }
    }

    /// Whether the step expects an error or a refusal (4xx), judged from its expectation.
    pub fn expects_success(&self) -> bool {
        let expect = &self.step.expect;
        if let Some(status) = &expect.status {
            return [200, 201, 204].iter().any(|c| status.accepts(*c));
        }
        if let Some(situation) = &expect.response {
            return self
                .suite
                .contract
                .responses
                .get(situation)
                .is_some_and(|r| (200..300).contains(&r.preferred()));
        }
        true
    }
}

/// Why a check could not judge an exchange: a mistake of the scenario's or the
/// contract's author, or a file vouch could not write. The scenario ends as an error and
/// the run exits 2; it is never a pass, and never a finding blamed on the API.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Variable(#[from] MissingVar),
    #[error("{pointer:?} is not a JSON Pointer (empty, or starting with /)")]
    Pointer { pointer: String },
    #[error("{file} is not the JSON of a documented example in contract.yaml")]
    NotAnExample { file: String },
    #[error("the contract has no response situation {0:?}")]
    UnknownSituation(String),
    #[error("vouch cannot read the step's filter: {0}")]
    Filter(String),
    #[error("schema {name}: {message}")]
    Schema { name: String, message: String },
    #[error("the step expects {expectation}, and the contract declares no {section}: section")]
    Undeclared {
        expectation: &'static str,
        section: &'static str,
    },
    #[error("cannot write the snapshot {}: {source}", path.display())]
    SnapshotWrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One aspect of an exchange.
pub trait Check: Send + Sync {
    fn name(&self) -> &'static str;
    /// Adds a finding to `out` for each way the exchange departs from the contract; an
    /// `Err` when the check could not judge it at all.
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError>;
}

impl Context<'_> {
    /// `template` filled from the captured variables; `None` when it names a capture the
    /// target was allowed not to give (nothing to judge), an error when it names one
    /// never captured.
    pub fn render(&self, template: &str) -> Result<Option<String>, CheckError> {
        optional(render(template, self.vars))
    }

    /// The JSON value of `template` (a string that is exactly `{name}` keeps the
    /// variable's value); `None` as for [`Context::render`].
    pub fn value_of(&self, template: &Value) -> Result<Option<Value>, CheckError> {
        optional(render_value(template, self.vars))
    }

    /// The value at `pointer` in the response body, or an error when `pointer` is not a
    /// JSON Pointer (it could never match, and a finding would blame the API).
    pub fn at<'b>(&self, body: &'b Value, pointer: &str) -> Result<Option<&'b Value>, CheckError> {
        pointer_in(body, pointer)
    }
}

/// `body`'s value at `pointer`; an error when `pointer` is not a JSON Pointer.
pub(crate) fn pointer_in<'b>(
    body: &'b Value,
    pointer: &str,
) -> Result<Option<&'b Value>, CheckError> {
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(CheckError::Pointer {
            pointer: pointer.to_owned(),
        });
    }
    Ok(body.pointer(pointer))
}

fn optional<T>(rendered: Result<T, MissingVar>) -> Result<Option<T>, CheckError> {
    match rendered {
        Ok(value) => Ok(Some(value)),
        Err(missing) if missing.absent => Ok(None),
        Err(missing) => Err(missing.into()),
    }
}

/// Every check, in the order findings are reported.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![
        Box::new(status::Status),
        Box::new(headers::Headers),
        Box::new(latency::Latency),
        Box::new(schema::Schema),
        Box::new(transition::Transition),
        Box::new(links::Links),
        Box::new(list::List),
        Box::new(etag::Etag),
        Box::new(response_id::ResponseId),
        Box::new(fields::Fields),
        Box::new(snapshot::Snapshot),
    ]
}

/// A value's JSON type name, for messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
