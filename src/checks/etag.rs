//! Entity tags across steps: a write returns a new one (`etag_rotated_from`), and a read
//! returns the one of the last write (`etag_is`).

use serde_json::Value;

use crate::checks::{Check, Context};
use crate::finding::Finding;
use crate::fixture::template::render;

pub(super) struct Etag;

impl Check for Etag {
    fn name(&self) -> &'static str {
        "etag"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let expect = &cx.step.expect;
        let pointer = cx.suite.contract.resource.etag.as_str();
        let header = cx.observed.header(&cx.suite.contract.resource.etag_header);
        let body = cx
            .observed
            .json
            .and_then(|b| b.pointer(pointer))
            .and_then(Value::as_str);
        // A 204 carries the new tag in the header only.
        let current = body.or(header);
        if let Some(previous) = &expect.etag_rotated_from {
            let previous = render(previous, cx.vars).unwrap_or_default();
            match current {
                None => out.push(cx.finding(
                    "etag-rotates",
                    Some(pointer),
                    "the write's response carries no eTag (body or ETag header)",
                )),
                Some(now) if now == previous => {
                    out.push(cx.finding(
                        "etag-rotates",
                        Some(pointer),
                        format!("a successful write kept the eTag {previous}"),
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(wanted) = &expect.etag_is {
            let wanted = render(wanted, cx.vars).unwrap_or_default();
            match current {
                None => out.push(cx.finding(
                    "etag-agrees",
                    Some(pointer),
                    "the response carries no eTag",
                )),
                Some(now) if now != wanted => {
                    out.push(cx.finding(
                        "etag-agrees",
                        Some(pointer),
                        format!("eTag is {now}, but the last write returned {wanted}"),
                    ));
                }
                Some(_) => {}
            }
        }
    }
}
