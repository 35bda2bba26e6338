//! What the double answers, before faults that bend the wire form are applied and it is
//! turned into an HTTP response.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use serde_json::{json, Value};

use crate::double::fault::Fault;

/// A reply's JSON body: built for this reply, or a stored referral's text (answered as
/// it is stored, without a copy).
#[derive(Debug, Clone)]
pub enum Body {
    Built(Value),
    Text(Bytes),
}

impl Body {
    fn pointer(&self, pointer: &str) -> Option<&Value> {
        match self {
            Body::Built(value) => value.pointer(pointer),
            // A stored referral answers a success, never an error.
            Body::Text(_) => None,
        }
    }

    fn into_bytes(self) -> Bytes {
        match self {
            Body::Built(value) => Bytes::from(serde_json::to_vec(&value).unwrap_or_default()),
            Body::Text(text) => text,
        }
    }

    /// Removes the eTag of the resource (and of each listed one).
    fn strip_etags(&mut self) {
        if let Body::Text(text) = self {
            *self = Body::Built(serde_json::from_slice(text).unwrap_or(Value::Null));
        }
        if let Body::Built(value) = self {
            strip_etags(value);
        }
    }
}

/// A response in the making.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
    /// Whether the body is a resource (or a list of them): it then carries an eTag.
    pub carries_resource: bool,
    /// Whether this answers a list request.
    pub is_list: bool,
    /// How it goes out, when not as the double sends it by default (a variant's or a
    /// fault's); boxed, as it is rare and a reply travels in every `Result` of the responder.
    pub delivery: Option<Box<Delivery>>,
}

/// How a reply goes out, where a variant or fault changes it.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// The media type of a JSON body.
    pub content_type: Option<&'static str>,
    /// How long to hold the response back.
    pub delay: Option<Duration>,
}

impl Reply {
    /// A stored resource (its JSON text) with its `ETag` header.
    pub fn resource(status: u16, text: Bytes, etag: Option<&str>) -> Self {
        Self {
            status,
            headers: etag
                .map(|e| vec![("ETag".to_owned(), e.to_owned())])
                .unwrap_or_default(),
            body: Some(Body::Text(text)),
            carries_resource: true,
            is_list: false,
            delivery: None,
        }
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
            body: Some(Body::Built(body)),
            carries_resource: true,
            is_list: false,
            delivery: None,
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
            delivery: None,
        }
    }

    /// A documented Partner API error envelope.
    pub fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        let body =
            json!({ "error": { "code": code, "message": message.into(), "target": "referral" } });
        Self {
            status,
            headers: Vec::new(),
            body: Some(Body::Built(body)),
            carries_resource: false,
            is_list: false,
            delivery: None,
        }
    }

    /// Changes how the reply goes out.
    #[must_use]
    pub fn delivered(mut self, change: impl FnOnce(&mut Delivery)) -> Self {
        change(self.delivery.get_or_insert_with(Box::default));
        self
    }

    #[must_use]
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Applies the wire-level faults: what goes on the wire, whichever server sends it.
    pub fn into_wire(mut self, has: impl Fn(Fault) -> bool) -> Wire {
        if has(Fault::EtagMissingFromBody) && self.carries_resource {
            if let Some(body) = &mut self.body {
                body.strip_etags();
            }
        }
        if has(Fault::EtagHeaderMismatch) {
            for (name, value) in &mut self.headers {
                if name.eq_ignore_ascii_case("ETag") {
                    "\"another-version\"".clone_into(value);
                }
            }
        }
        let (body, mime) = match self.body {
            None => (Bytes::new(), None),
            Some(body) if self.status >= 400 && has(Fault::ErrorBodyNotJson) => {
                let message = body
                    .pointer("/error/message")
                    .and_then(Value::as_str)
                    .unwrap_or("error");
                (
                    Bytes::from(format!("Error: {message}\n")),
                    Some("text/plain".to_owned()),
                )
            }
            Some(body) => {
                let mime = if has(Fault::WrongContentType) {
                    "text/plain".to_owned()
                } else {
                    self.delivery
                        .as_ref()
                        .and_then(|d| d.content_type)
                        .unwrap_or("application/json; charset=utf-8")
                        .to_owned()
                };
                (body.into_bytes(), Some(mime))
            }
        };
        let delay = (has(Fault::SlowResponses) && self.is_list)
            .then_some(SLOW_RESPONSE)
            .max(self.delivery.as_ref().and_then(|d| d.delay));
        Wire {
            status: self.status,
            headers: self.headers,
            body,
            mime,
            delay,
        }
    }

    /// The response for the lean hyper server, with the delay to wait before sending it.
    pub fn into_response(
        self,
        has: impl Fn(Fault) -> bool,
    ) -> (Response<Full<Bytes>>, Option<Duration>) {
        let wire = self.into_wire(has);
        let mut response = Response::new(Full::new(wire.body));
        *response.status_mut() =
            StatusCode::from_u16(wire.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        for (name, value) in &wire.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.append(name, value);
            }
        }
        if let Some(mime) = wire.mime.and_then(|m| HeaderValue::from_str(&m).ok()) {
            headers.insert(CONTENT_TYPE, mime);
        }
        (response, wire.delay)
    }

    /// The response as a wiremock template (the delay included).
    pub fn into_template(self, has: impl Fn(Fault) -> bool) -> wiremock::ResponseTemplate {
        let wire = self.into_wire(has);
        let mut template = wiremock::ResponseTemplate::new(wire.status);
        for (name, value) in &wire.headers {
            template = template.append_header(name.as_str(), value.as_str());
        }
        if let Some(mime) = wire.mime {
            template = template.set_body_raw(wire.body.to_vec(), &mime);
        }
        if let Some(delay) = wire.delay {
            template = template.set_delay(delay);
        }
        template
    }
}

/// A response as it goes on the wire.
#[derive(Debug, Clone)]
pub struct Wire {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub mime: Option<String>,
    pub delay: Option<Duration>,
}

/// How long the slow-responses fault holds a list response back.
const SLOW_RESPONSE: Duration = Duration::from_millis(1500);

fn strip_etags(body: &mut Value) {
    if let Some(map) = body.as_object_mut() {
        map.remove("eTag");
        if let Some(Value::Array(items)) = map.get_mut("value") {
            items.iter_mut().for_each(strip_etags);
        }
    }
}
