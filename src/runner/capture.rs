//! Captures: after a step is judged, the variables later steps need are taken from what
//! came back: a pointer into the body, a header (`header:Name`), the whole body (`body`),
//! the body that was sent (`request`) or the current version (`version`: the contract's
//! entity-tag header, else the tag in the body). A create step also captures what the
//! contract's create operation names, and the created body. A value a later step needs
//! and the response lacks stops the scenario, with a `capture` finding.

use serde_json::Value;

use crate::finding::{Basis, Finding};
use crate::fixture::scenario::{Scenario, Step};
use crate::fixture::template::Vars;
use crate::fixture::variables::REQUEST_CAPTURE;
use crate::fixture::Suite;
use crate::runner::judge::location;

/// The capture source for the current version of the resource: the entity-tag header
/// when there is one, else the tag in the body (the header is optional).
pub const VERSION_CAPTURE: &str = "version";

/// What a step's response gave, for its captures.
pub(super) struct Response<'a> {
    pub status: u16,
    pub headers: &'a [(String, String)],
    /// The body parsed as JSON (taken by the last `body` capture, not copied).
    pub json: &'a mut Option<Value>,
    pub empty: bool,
}

/// Takes `step`'s captures of the body it sent (`request`) into `vars`, before its
/// expectations are judged (they may name them).
pub(super) fn capture_sent(step: &Step, sent: Option<&Value>, vars: &mut Vars) {
    for (name, source) in step.capture.iter() {
        if source == REQUEST_CAPTURE {
            vars.insert(name.clone(), sent.cloned().unwrap_or(Value::Null));
        }
    }
}

/// Takes `step`'s other captures into `vars`; returns whether the scenario must stop (a
/// capture it needs is missing, or a create did not succeed), with the findings.
#[allow(clippy::needless_pass_by_value)] // it carries the &mut body the last capture takes
pub(super) fn capture(
    suite: &Suite,
    scenario: &Scenario,
    step: &Step,
    label: &str,
    response: &mut Response<'_>,
    vars: &mut Vars,
) -> (bool, Vec<Finding>) {
    let mut captures: Vec<(String, String)> = step
        .capture
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if step.create.is_some() {
        // What the contract's create captures, and the created body.
        let create = suite.contract.operations.create.iter();
        for (name, pointer) in create.flat_map(|c| c.capture.iter()) {
            if !step.capture.contains_key(name) {
                captures.push((name.clone(), pointer.as_str().to_owned()));
            }
        }
        let created = crate::fixture::variables::CREATED;
        if !step.capture.contains_key(created) {
            captures.push((created.to_owned(), "body".to_owned()));
        }
    }
    // The body sent was captured before the checks (`capture_sent`).
    captures.retain(|(_, source)| source != REQUEST_CAPTURE);
    // Whole-body captures go last, so the last takes the body instead of a copy.
    captures.sort_by_key(|(_, source)| source == "body");
    let mut bodies_left = captures.iter().filter(|(_, s)| s == "body").count();
    let succeeded = (200..300).contains(&response.status);
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| Value::String(v.clone()))
    };
    let mut stop = false;
    let mut findings = Vec::new();
    for (name, source) in captures {
        let value = if source == "body" {
            bodies_left -= 1;
            if bodies_left == 0 {
                response.json.take()
            } else {
                response.json.clone()
            }
        } else if source == VERSION_CAPTURE {
            let rule = suite.contract.etag.as_ref();
            let version = rule
                .and_then(|r| r.header.as_deref())
                .and_then(header)
                .or_else(|| {
                    let pointer = rule?.pointer.as_str();
                    response.json.as_ref()?.pointer(pointer).cloned()
                });
            if version.is_none() && succeeded && response.empty {
                // A 204 without the optional header shows no version: later steps that
                // compare with it have nothing to compare, and read it themselves.
                vars.mark_absent(name);
                continue;
            }
            version
        } else if let Some(name) = source.strip_prefix("header:") {
            header(name)
        } else {
            response
                .json
                .as_ref()
                .and_then(|b| b.pointer(&source))
                .cloned()
        };
        if let Some(value) = value {
            vars.insert(name, value);
            continue;
        }
        // Later steps need it: the scenario cannot go on.
        stop = true;
        if step.capture.contains_key(&name) || succeeded {
            let basis = suite
                .contract
                .rules
                .get("capture")
                .map_or(Basis::Assumed, |r| r.basis);
            findings.push(Finding {
                rule: "capture".into(),
                basis,
                location: location(scenario, step, label)
                    .pointer(source.trim_start_matches("header:")),
                message: format!(
                    "the response has no {source} to capture as {name} (status {})",
                    response.status
                ),
            });
        }
    }
    if step.create.is_some() && !succeeded {
        stop = true;
    }
    (stop, findings)
}
