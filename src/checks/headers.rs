//! Headers: the ones a step names, JSON bodies labelled `application/json` (any media-type
//! parameters), and the optional entity-tag header (the contract's `etag.header`): one
//! version, equal to the body's tag.

use crate::checks::{Check, CheckError, Context};
use crate::finding::Finding;

pub(super) struct Headers;

impl Check for Headers {
    fn name(&self) -> &'static str {
        "headers"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        for (name, wanted) in &cx.step.expect.headers {
            let Some(wanted) = cx.render(wanted)? else {
                continue;
            };
            match cx.observed.header(name) {
                None => {
                    out.push(cx.finding("status-code", None, format!("header {name} is missing")));
                }
                Some(_) if wanted == "*" => {}
                Some(got) if got != wanted => out.push(cx.finding(
                    "status-code",
                    None,
                    format!("header {name} is {got:?}, expected {wanted:?}"),
                )),
                Some(_) => {}
            }
        }
        if !cx.observed.text.trim().is_empty() {
            let media = cx.observed.header("content-type").unwrap_or("");
            let essence = media
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let is_json = essence == "application/json" || essence.ends_with("+json");
            if cx.observed.json.is_some() && !is_json {
                let shown = if media.is_empty() {
                    "no Content-Type"
                } else {
                    media
                };
                out.push(cx.finding(
                    "content-type",
                    None,
                    format!("a JSON body is labelled {shown}, not application/json"),
                ));
            }
        }
        etag_header(cx, out);
        Ok(())
    }
}

/// The `ETag` header is optional (headers.md: it may be returned); when a success response
/// carries it, it names one version, and that version is the body's eTag.
fn etag_header(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if !(200..300).contains(&cx.observed.status) {
        return;
    }
    let Some(rule) = &cx.suite.contract.etag else {
        return;
    };
    let Some(header_name) = rule.header.as_deref() else {
        return;
    };
    let mut values: Vec<&str> = cx.observed.header_values(header_name).collect();
    values.sort_unstable();
    values.dedup();
    if values.len() > 1 {
        out.push(cx.finding(
            "etag-header",
            None,
            format!(
                "the response carries {} different {header_name} headers: {}",
                values.len(),
                values.join(", ")
            ),
        ));
        return;
    }
    let pointer = rule.pointer.as_str();
    let body_etag = cx
        .observed
        .json
        .and_then(|b| b.pointer(pointer))
        .and_then(serde_json::Value::as_str);
    if let (Some(header), Some(body_etag)) = (values.first(), body_etag) {
        if !crate::checks::etag::same_version(header, body_etag) {
            out.push(cx.finding(
                "etag-header",
                Some(pointer),
                format!(
                    "the {header_name} header {header} differs from the body's {pointer} {body_etag}"
                ),
            ));
        }
    }
}
