//! A request as the double's handlers see it, whichever server received it (the lean
//! hyper server or wiremock): read whole, its body capped at the double's limit.

use bytes::Bytes;
use hyper::{HeaderMap, Method};
use reqwest::Url;

/// A request as the handlers see it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// The request target as an absolute URL (`http://localhost/...` when it came as a path).
    pub url: Url,
    pub headers: HeaderMap,
    /// The body, up to one byte past the double's limit.
    pub body: Bytes,
    /// The body's whole length, as sent.
    pub length: usize,
}

impl Request {
    /// The value of header `name`, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The base URI links are built on: the address the client used.
    pub fn base(&self) -> String {
        match self.header("host") {
            Some(host) => format!("http://{host}"),
            None => format!("{}://{}", self.url.scheme(), self.url.authority()),
        }
    }
}
