//! What the double answers, before it is turned into an HTTP response: a status, headers
//! and a JSON body (built for this reply, or a stored resource's text). Faults and
//! variants bend a reply at the hook points (`hooks.rs`, `variant.rs`); turning it into a
//! response for either server is plain conversion.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use serde_json::Value;

/// A reply's body: built for this reply, a stored resource's JSON text (answered as it
/// is stored, without a copy), or plain text.
#[derive(Debug, Clone)]
pub enum Body {
    Built(Value),
    Text(Bytes),
    Plain(String),
}

impl Body {
    /// The body as a JSON value to change (a stored text is parsed).
    pub fn value_mut(&mut self) -> Option<&mut Value> {
        if let Body::Text(text) = self {
            *self = Body::Built(serde_json::from_slice(text).unwrap_or(Value::Null));
        }
        match self {
            Body::Built(value) => Some(value),
            Body::Text(_) | Body::Plain(_) => None,
        }
    }

    /// The member at `pointer` of a built body.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        match self {
            Body::Built(value) => value.pointer(pointer),
            Body::Text(_) | Body::Plain(_) => None,
        }
    }

    fn into_bytes(self) -> Bytes {
        match self {
            Body::Built(value) => Bytes::from(serde_json::to_vec(&value).unwrap_or_default()),
            Body::Text(text) => text,
            Body::Plain(text) => Bytes::from(text),
        }
    }
}

/// What a reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One resource.
    Resource,
    /// A list envelope.
    List,
    /// An error, or no body.
    Other,
}

/// A response in the making.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
    pub kind: Kind,
    /// How it goes out, when not as the double sends it by default (a variant's or a
    /// fault's); boxed, as it is rare and a reply travels in every `Result` of a handler.
    pub delivery: Option<Box<Delivery>>,
}

/// How a reply goes out, where a variant or fault changes it.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// The media type of the body.
    pub content_type: Option<&'static str>,
    /// How long to hold the response back.
    pub delay: Option<Duration>,
}

/// The media type of a JSON body.
const JSON: &str = "application/json; charset=utf-8";

impl Reply {
    fn new(status: u16, body: Option<Body>, kind: Kind) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
            kind,
            delivery: None,
        }
    }

    /// A stored resource (its JSON text).
    pub fn resource(status: u16, text: Bytes) -> Self {
        Self::new(status, Some(Body::Text(text)), Kind::Resource)
    }

    /// A resource built for this reply.
    pub fn built(status: u16, body: Value) -> Self {
        Self::new(status, Some(Body::Built(body)), Kind::Resource)
    }

    /// A list envelope.
    pub fn list(body: Value) -> Self {
        Self::new(200, Some(Body::Built(body)), Kind::List)
    }

    /// No body.
    pub fn empty(status: u16) -> Self {
        Self::new(status, None, Kind::Other)
    }

    /// An error with its envelope.
    pub fn error(status: u16, body: Value) -> Self {
        Self::new(status, Some(Body::Built(body)), Kind::Other)
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

    /// The reply with header `name` when there is a value for it.
    #[must_use]
    pub fn header_if(self, name: Option<&str>, value: Option<&str>) -> Self {
        match (name, value) {
            (Some(name), Some(value)) => self.header(name, value),
            _ => self,
        }
    }

    /// What goes on the wire, whichever server sends it.
    pub fn into_wire(self) -> Wire {
        let content_type = self.delivery.as_ref().and_then(|d| d.content_type);
        let (body, mime) = match self.body {
            None => (Bytes::new(), None),
            Some(body) => (
                body.into_bytes(),
                Some(content_type.unwrap_or(JSON).to_owned()),
            ),
        };
        Wire {
            status: self.status,
            headers: self.headers,
            body,
            mime,
            delay: self.delivery.and_then(|d| d.delay),
        }
    }

    /// The response for the lean hyper server, with the delay to wait before sending it.
    pub fn into_response(self) -> (Response<Full<Bytes>>, Option<Duration>) {
        let wire = self.into_wire();
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
    pub fn into_template(self) -> wiremock::ResponseTemplate {
        let wire = self.into_wire();
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
