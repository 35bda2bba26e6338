//! What the double answers, before faults that bend the wire form are applied and it is
//! turned into a wiremock `ResponseTemplate`.

use std::time::Duration;

use serde_json::{json, Value};
use wiremock::ResponseTemplate;

use crate::double::fault::Fault;

/// A response in the making.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Whether the body is a resource (or a list of them): it then carries an eTag.
    pub carries_resource: bool,
    /// Whether this answers a list request.
    pub is_list: bool,
}

impl Reply {
    /// A resource with its `ETag` header.
    pub fn resource(status: u16, body: Value) -> Self {
        let mut reply = Self {
            status,
            headers: Vec::new(),
            body: None,
            carries_resource: true,
            is_list: false,
        };
        if let Some(etag) = body.get("eTag").and_then(Value::as_str) {
            reply.headers.push(("ETag".into(), etag.to_owned()));
        }
        reply.body = Some(body);
        reply
    }

    /// A list envelope.
    pub fn list(body: Value) -> Self {
        Self {
            is_list: true,
            ..Self::json(200, body)
        }
    }

    /// A body that is not a single resource (a list envelope).
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Some(body),
            carries_resource: true,
            is_list: false,
        }
    }

    /// No body (204), optionally with the new entity tag.
    pub fn empty(status: u16, etag: Option<&str>) -> Self {
        let headers = etag
            .map(|e| vec![("ETag".to_owned(), e.to_owned())])
            .unwrap_or_default();
        Self {
            status,
            headers,
            body: None,
            carries_resource: false,
            is_list: false,
        }
    }

    /// A documented Partner API error envelope.
    pub fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        let body =
            json!({ "error": { "code": code, "message": message.into(), "target": "referral" } });
        Self {
            status,
            headers: Vec::new(),
            body: Some(body),
            carries_resource: false,
            is_list: false,
        }
    }

    #[must_use]
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Applies the wire-level faults and builds the template.
    pub fn into_template(mut self, has: impl Fn(Fault) -> bool) -> ResponseTemplate {
        if has(Fault::EtagMissingFromBody) && self.carries_resource {
            if let Some(body) = &mut self.body {
                strip_etags(body);
            }
        }
        if has(Fault::EtagHeaderMissing) {
            self.headers
                .retain(|(name, _)| !name.eq_ignore_ascii_case("ETag"));
        }
        let mut template = ResponseTemplate::new(self.status);
        for (name, value) in &self.headers {
            template = template.insert_header(name.as_str(), value.as_str());
        }
        if let Some(body) = &self.body {
            if self.status >= 400 && has(Fault::ErrorBodyNotJson) {
                let message = body
                    .pointer("/error/message")
                    .and_then(Value::as_str)
                    .unwrap_or("error");
                template =
                    template.set_body_raw(format!("Error: {message}\n").into_bytes(), "text/plain");
            } else {
                let bytes = serde_json::to_vec(body).unwrap_or_default();
                let mime = if has(Fault::WrongContentType) {
                    "text/plain"
                } else {
                    "application/json; charset=utf-8"
                };
                template = template.set_body_raw(bytes, mime);
            }
        }
        if has(Fault::SlowResponses) && self.is_list {
            template = template.set_delay(Duration::from_millis(1500));
        }
        template
    }
}

fn strip_etags(body: &mut Value) {
    if let Some(map) = body.as_object_mut() {
        map.remove("eTag");
        if let Some(Value::Array(items)) = map.get_mut("value") {
            items.iter_mut().for_each(strip_etags);
        }
    }
}
