//! The record of one exchange, as reports may show it: every secret redacted before a
//! body is cut to the run's limit (so a cut never leaves a secret's start), hidden header
//! values replaced, and each finding's message scrubbed.

use std::borrow::Cow;
use std::time::Duration;

use crate::endpoint::{Received, SentRequest};
use crate::finding::Finding;
use crate::outcome::{truncated, Exchange, RecordedRequest, RecordedResponse};
use crate::report::Redactor;

/// `headers` as they may be recorded.
fn redacted(headers: &[(String, String)], redactor: &Redactor) -> Vec<(String, String)> {
    let mut headers = headers.to_vec();
    redactor.headers(&mut headers);
    headers
}

/// The exchange of `request` and `received` (whose body is `text`), for the record.
pub(super) fn exchange(
    request: SentRequest,
    body_text: Option<String>,
    received: &Received,
    text: String,
    redactor: &Redactor,
    limit: usize,
) -> Exchange {
    let cut = |body: String| match redactor.redact_str(&body) {
        Cow::Borrowed(_) => truncated(body, limit),
        Cow::Owned(clean) => truncated(clean, limit),
    };
    let request_body = body_text.map(cut);
    let response_body = (!text.is_empty()).then(|| cut(text));
    Exchange {
        request: RecordedRequest {
            url: redactor.redact_str(&request.url).into_owned(),
            headers: redacted(&request.headers, redactor),
            method: request.method,
            body_truncated: request_body.as_ref().is_some_and(|(_, t)| *t),
            body: request_body.map(|(b, _)| b),
        },
        response: Some(RecordedResponse {
            status: received.status,
            headers: redacted(&received.headers, redactor),
            body_truncated: received.truncated || response_body.as_ref().is_some_and(|(_, t)| *t),
            body: response_body.map(|(b, _)| b),
        }),
        attempts: received.attempts,
        duration_ms: millis(received.latency),
    }
}

/// Secrets out of the findings' messages.
pub(super) fn scrub(findings: &mut [Finding], redactor: &Redactor) {
    for finding in findings {
        redactor.text(&mut finding.message);
    }
}

pub(super) fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
