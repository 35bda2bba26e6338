//! Request bodies: the media type a write must carry (JSON; `application/json-patch+json`
//! or `application/merge-patch+json` for a patch in that format) and the body parsed.

use serde_json::Value;

use crate::double::reply::Reply;
use crate::double::request::Request;
use crate::double::shared::Shared;
use crate::fixture::vocabulary::BodyFormat;

impl Shared {
    /// The body as a JSON object (a create or a replace), after the media type check.
    pub fn object_body(&self, request: &Request) -> Result<Value, Reply> {
        let value = self.json_body(request, BodyFormat::Resource)?;
        if value.is_object() {
            Ok(value)
        } else {
            Err(self.invalid("invalid_body", "the body must be a JSON object"))
        }
    }

    /// The body as JSON, after the media type check for a body of `format`.
    pub fn json_body(&self, request: &Request, format: BodyFormat) -> Result<Value, Reply> {
        let media = request.header("content-type").unwrap_or("");
        let essence = media
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let accepted = essence == "application/json"
            || match format {
                BodyFormat::Resource => false,
                BodyFormat::JsonPatch => essence == "application/json-patch+json",
                BodyFormat::MergePatch => essence == "application/merge-patch+json",
            };
        if !accepted {
            let shown = if media.is_empty() {
                "no Content-Type"
            } else {
                media
            };
            return Err(self.error(
                self.expected("unsupported_media", 415),
                "invalidRequest",
                format!("expected Content-Type: application/json, got {shown}"),
            ));
        }
        serde_json::from_slice(&request.body)
            .map_err(|e| self.invalid("invalid_body", format!("the body is not valid JSON: {e}")))
    }
}
