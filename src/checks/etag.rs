//! Entity tags across steps: a write returns a new one (`etag_rotated_from`), and a read
//! returns the one of the last write (`etag_is`). The current version is the body's tag
//! (the contract's `etag.pointer`), or the tag header when there is no body (a 204); a
//! 204 without the (optional) header shows no version, so there is nothing to judge, and
//! a later read judges it.

use serde_json::Value;

use crate::checks::{Check, CheckError, Context};
use crate::finding::Finding;

pub(super) struct Etag;

impl Check for Etag {
    fn name(&self) -> &'static str {
        "etag"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let expect = &cx.step.expect;
        if expect.etag_rotated_from.is_none() && expect.etag_is.is_none() {
            return Ok(());
        }
        let Some(rule) = &cx.suite.contract.etag else {
            return Err(CheckError::Undeclared {
                expectation: "an entity tag",
                section: "etag",
            });
        };
        let pointer = rule.pointer.as_str();
        let header = rule.header.as_deref().and_then(|h| cx.observed.header(h));
        let body = cx
            .observed
            .json
            .and_then(|b| b.pointer(pointer))
            .and_then(Value::as_str);
        // A 204 carries the new tag in the header only.
        let current = body.or(header);
        let shows_no_version = current.is_none() && cx.observed.text.trim().is_empty();
        // A captured version that a 204 without ETag header did not give: nothing to judge;
        // a variable never captured is the scenario's mistake.
        let previous = expect
            .etag_rotated_from
            .as_deref()
            .map(|t| cx.render(t))
            .transpose()?
            .flatten();
        let wanted = expect
            .etag_is
            .as_deref()
            .map(|t| cx.render(t))
            .transpose()?
            .flatten();
        if let Some(previous) = previous {
            match current {
                None if shows_no_version => {}
                None => out.push(cx.finding(
                    "etag-rotates",
                    Some(pointer),
                    "the write's response carries no entity tag (body or header)",
                )),
                Some(now) if same_version(now, &previous) => {
                    out.push(cx.finding(
                        "etag-rotates",
                        Some(pointer),
                        format!("a successful write kept the entity tag {previous}"),
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(wanted) = wanted {
            match current {
                None => out.push(cx.finding(
                    "etag-agrees",
                    Some(pointer),
                    "the response carries no entity tag",
                )),
                Some(now) if !same_version(now, &wanted) => {
                    out.push(cx.finding(
                        "etag-agrees",
                        Some(pointer),
                        format!("the entity tag is {now}, but the last write returned {wanted}"),
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// Whether two entity-tag texts name the same version: equal, or the same opaque tag
/// quoted or not, strong or weak (the body's eTag and the header may differ in form).
pub(crate) fn same_version(a: &str, b: &str) -> bool {
    fn opaque(text: &str) -> &str {
        let text = text.trim();
        let text = text.strip_prefix("W/").unwrap_or(text);
        text.strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text)
    }
    a == b || opaque(a) == opaque(b)
}

#[cfg(test)]
mod tests {
    use super::same_version;

    #[test]
    fn versions_compare_by_their_opaque_tag() {
        assert!(same_version("\"abc\"", "\"abc\""));
        assert!(same_version("W/\"abc\"", "\"abc\""));
        assert!(same_version("abc", "\"abc\""));
        assert!(!same_version("\"abc\"", "\"abd\""));
    }
}
