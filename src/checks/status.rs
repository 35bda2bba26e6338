//! The status code: an exact code, a list, a class, or a situation of contract.yaml
//! `responses:` (whose basis the finding carries).

use crate::checks::{Check, CheckError, Context};
use crate::finding::Finding;

pub(super) struct Status;

impl Check for Status {
    fn name(&self) -> &'static str {
        "status"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let expect = &cx.step.expect;
        let code = cx.observed.status;
        let rule = expect.rule.as_deref().unwrap_or("status-code");
        if let Some(spec) = &expect.status {
            if !spec.accepts(code) {
                out.push(cx.finding(
                    rule,
                    None,
                    format!(
                        "expected status {}, got {code}{}",
                        spec.describe(),
                        detail(cx)
                    ),
                ));
            }
        }
        if let Some(situations) = &expect.response {
            // `a|b`: either situation's answer is right (the docs allow both).
            let mut expected = Vec::new();
            for situation in situations.split('|') {
                let Some(response) = cx.suite.contract.responses.get(situation) else {
                    return Err(CheckError::UnknownSituation(situation.to_owned()));
                };
                expected.push((situation, response));
            }
            if !expected.iter().any(|(_, r)| r.accepts(code)) {
                let first = expected.first().map(|(_, r)| r.basis);
                // A named rule carries its own basis; otherwise the situation's.
                let basis = match &expect.rule {
                    Some(named) => cx.suite.contract.rules.get(named).map(|r| r.basis),
                    None => None,
                }
                .or(first)
                .unwrap_or(crate::finding::Basis::Assumed);
                let wanted: Vec<String> = expected
                    .iter()
                    .map(|(situation, r)| format!("{situation}: expected {}", r.describe()))
                    .collect();
                out.push(cx.finding_with(
                    rule,
                    basis,
                    None,
                    format!("{}, got {code}{}", wanted.join("; or "), detail(cx)),
                ));
            }
        }
        Ok(())
    }
}

/// The error message of an error body (at the contract's `errors.message`), if there is
/// one, to explain an unexpected code.
fn detail(cx: &Context<'_>) -> String {
    let pointer = cx.suite.contract.errors.message.as_str();
    let message = cx
        .observed
        .json
        .and_then(|body| body.pointer(pointer))
        .and_then(serde_json::Value::as_str);
    message.map(|m| format!(" ({m})")).unwrap_or_default()
}
