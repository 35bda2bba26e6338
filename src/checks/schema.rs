//! The body against the step's schema (members it does not declare are accepted in a
//! response), and every error body (4xx) against the documented error envelopes.

use crate::checks::{Check, CheckError, Context};
use crate::finding::Finding;
use crate::schema::ViolationKind;

pub(super) struct Schema;

impl Check for Schema {
    fn name(&self) -> &'static str {
        "schema"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let status = cx.observed.status;
        if let Some(name) = &cx.step.expect.schema {
            // A schema describes the success body; a refused request is judged elsewhere.
            if (200..300).contains(&status) {
                match cx.observed.json {
                    None => out.push(cx.finding(
                        "schema",
                        None,
                        format!(
                            "expected a JSON body matching {name}, got {}",
                            shown(cx.observed.text, cx.redactor)
                        ),
                    )),
                    Some(body) => match cx.suite.schemas.validate(name, body) {
                        // Members a response adds beyond its schema are accepted (DESIGN.md:
                        // extra undocumented properties); the schemas stay closed for what
                        // vouch sends and for lint.
                        Ok(violations) => out.extend(
                            violations
                                .into_iter()
                                .filter(|v| !matches!(v.kind, ViolationKind::UnknownFields(_)))
                                .map(|v| {
                                    cx.finding(
                                        "schema",
                                        Some(&v.pointer),
                                        format!("does not match schema {name}: {}", v.message),
                                    )
                                }),
                        ),
                        Err(error) => {
                            return Err(CheckError::Schema {
                                name: name.clone(),
                                message: error.to_string(),
                            })
                        }
                    },
                }
            }
        }
        if (400..500).contains(&status) && status != 429 {
            match cx.observed.json {
                None => out.push(cx.finding(
                    "error-body",
                    None,
                    format!(
                        "a {status} error body is not JSON: {}",
                        shown(cx.observed.text, cx.redactor)
                    ),
                )),
                Some(body) => {
                    let schema = cx.suite.contract.errors.schema.as_str();
                    let valid = cx.suite.schemas.is_valid(schema, body).map_err(|error| {
                        CheckError::Schema {
                            name: schema.to_owned(),
                            message: error.to_string(),
                        }
                    })?;
                    if !valid {
                        out.push(cx.finding(
                            "error-body",
                            None,
                            format!(
                                "a {status} error body is neither documented error envelope: {}",
                                shown(cx.observed.text, cx.redactor)
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// A preview of `text`, redacted before it is cut (a cut would hide a secret from
/// redaction).
fn shown(text: &str, redactor: &crate::report::Redactor) -> String {
    if text.trim().is_empty() {
        return "an empty body".into();
    }
    let text = redactor.redact_str(text);
    let cut: String = text.chars().take(80).collect();
    if cut.len() < text.len() {
        format!("{cut:?}…")
    } else {
        format!("{cut:?}")
    }
}
