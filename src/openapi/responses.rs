//! The Responses Object of an operation: each situation it can meet, grouped by status
//! code, with its body (the operation's response schema, the error schema, or none), the
//! entity tag header on a resource, `Retry-After` on throttling, and `x-vouch-situations`
//! naming each situation with its basis and source.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{Assembler, OpenapiError, COMPONENT_PREFIX};
use crate::fixture::contract::{ExpectedResponse, StatusClass};

/// The schema component the entity tag headers use, when the schemas define it.
const ETAG_COMPONENT: &str = "ETag";

/// The contract rule that says a resource response carries the entity tag header.
const ETAG_HEADER_RULE: &str = "etag-header";

/// The situation answered with a `Retry-After` header.
const THROTTLED: &str = "throttled";

/// What a response carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Body {
    /// No content (204).
    Empty,
    /// JSON of the contract's schema `schema`; `etag` when it is the resource, which
    /// comes with the entity tag header.
    Json { schema: String, etag: bool },
}

/// One situation an operation can meet, with what it answers.
pub(super) type Entry<'a> = (&'a str, &'a ExpectedResponse, Body);

impl Assembler<'_> {
    /// The schema of the resource as returned: what `get` answers (else `create`).
    fn resource_schema(&self) -> Option<&str> {
        let operations = &self.suite.contract.operations;
        operations
            .get
            .as_ref()
            .or(operations.create.as_ref())
            .and_then(|op| op.response.as_deref())
    }

    /// A JSON body of schema `name` (none: no body).
    pub(super) fn body(&self, name: Option<&str>) -> Body {
        match name {
            None => Body::Empty,
            Some(schema) => Body::Json {
                schema: schema.to_owned(),
                etag: self.resource_schema() == Some(schema),
            },
        }
    }

    /// The body of an error answer: the contract's error schema.
    pub(super) fn error_body(&self) -> Body {
        self.body(Some(self.suite.contract.errors.schema.as_str()))
    }

    /// The `$ref` of the component exported from the contract's schema `name`.
    pub(super) fn schema_ref(&self, name: &str) -> Result<String, OpenapiError> {
        self.suite
            .contract
            .schemas
            .get(name)
            .and_then(|file| self.components.root(file))
            .map(|component| format!("{COMPONENT_PREFIX}{component}"))
            .ok_or_else(|| OpenapiError::MissingSchema {
                name: name.to_owned(),
            })
    }

    pub(super) fn expected(&self, situation: &str) -> Result<&ExpectedResponse, OpenapiError> {
        self.suite
            .contract
            .responses
            .get(situation)
            .ok_or_else(|| OpenapiError::MissingSituation {
                situation: situation.to_owned(),
            })
    }

    /// The Responses Object of operation `id` for `entries`.
    pub(super) fn responses(
        &self,
        id: &str,
        entries: Vec<Entry<'_>>,
    ) -> Result<Value, OpenapiError> {
        let mut by_status: BTreeMap<String, Vec<Entry<'_>>> = BTreeMap::new();
        for (situation, expected, body) in entries {
            for status in status_keys(situation, expected)? {
                // 204 No Content has no body, whatever the situation's other codes carry.
                let body = if status == "204" {
                    Body::Empty
                } else {
                    body.clone()
                };
                by_status
                    .entry(status)
                    .or_default()
                    .push((situation, expected, body));
            }
        }
        let mut responses = Map::new();
        for (status, entries) in by_status {
            if entries.iter().any(|(_, _, body)| *body != entries[0].2) {
                return Err(OpenapiError::BodyConflict {
                    operation: id.to_owned(),
                    status,
                    situations: entries
                        .iter()
                        .map(|(s, _, _)| *s)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            responses.insert(status, self.response(&entries, None)?);
        }
        Ok(Value::Object(responses))
    }

    /// One response object standing for `entries` (situations that share a status code).
    pub(super) fn response(
        &self,
        entries: &[Entry<'_>],
        lead: Option<&str>,
    ) -> Result<Value, OpenapiError> {
        let mut value = Map::new();
        let situations = entries
            .iter()
            .map(|(situation, expected, _)| {
                format!("`{situation}` ({}: {})", expected.basis, expected.source)
            })
            .collect::<Vec<_>>()
            .join("; ");
        let description = match lead {
            Some(lead) => format!("{lead} Situations: {situations}."),
            None => format!("Situations: {situations}."),
        };
        value.insert("description".to_owned(), json!(description));
        let mut headers = Map::new();
        let body = entries
            .first()
            .map_or(Body::Empty, |(_, _, body)| body.clone());
        if let Body::Json { etag: true, .. } = body {
            if let Some(header) = self.etag_header() {
                headers.insert(
                    header,
                    json!({
                        "description": self.etag_header_description(),
                        "required": true,
                        "schema": self.etag_schema(),
                    }),
                );
            }
        }
        if entries.iter().any(|(s, _, _)| *s == THROTTLED) {
            headers.insert(
                "Retry-After".to_owned(),
                json!({
                    "description": "How long to wait before retrying: seconds or an HTTP date (RFC 9110 §10.2.3).",
                    "required": false,
                    "schema": { "type": "string" },
                }),
            );
        }
        if !headers.is_empty() {
            value.insert("headers".to_owned(), Value::Object(headers));
        }
        if let Body::Json { schema, .. } = &body {
            value.insert(
                "content".to_owned(),
                json!({ "application/json": { "schema": { "$ref": self.schema_ref(schema)? } } }),
            );
        }
        value.insert(
            "x-vouch-situations".to_owned(),
            Value::Array(
                entries
                    .iter()
                    .map(|(situation, expected, _)| {
                        json!({
                            "situation": situation,
                            "expect": expected.describe(),
                            "basis": expected.basis,
                            "source": expected.source,
                        })
                    })
                    .collect(),
            ),
        );
        Ok(Value::Object(value))
    }

    /// The response header that carries the entity tag, if the contract names one.
    fn etag_header(&self) -> Option<String> {
        self.suite.contract.etag_header().map(str::to_owned)
    }

    pub(super) fn etag_schema(&self) -> Value {
        if self.components.sources.contains_key(ETAG_COMPONENT) {
            json!({ "$ref": format!("{COMPONENT_PREFIX}{ETAG_COMPONENT}") })
        } else {
            json!({ "type": "string" })
        }
    }

    fn etag_header_description(&self) -> String {
        let lead = "The entity tag of the returned resource, equal to its body's tag.";
        match self.suite.contract.rules.get(ETAG_HEADER_RULE) {
            Some(rule) => format!(
                "{lead} Contract rule {ETAG_HEADER_RULE} ({}: {}).",
                rule.basis, rule.source
            ),
            None => lead.to_owned(),
        }
    }
}

/// The keys of the Responses Object for one situation: its exact codes, and for a class
/// the preferred code and the range (`4XX`).
fn status_keys(situation: &str, expected: &ExpectedResponse) -> Result<Vec<String>, OpenapiError> {
    let mut keys: Vec<String> = expected.status.iter().map(u16::to_string).collect();
    if let Some(class) = expected.class {
        if let Some(code) = expected.prefer {
            let code = code.to_string();
            if !keys.contains(&code) {
                keys.push(code);
            }
        }
        keys.push(
            match class {
                StatusClass::Success => "2XX",
                StatusClass::ClientError => "4XX",
                StatusClass::ServerError => "5XX",
            }
            .to_owned(),
        );
    }
    if keys.is_empty() {
        return Err(OpenapiError::NoStatus {
            situation: situation.to_owned(),
        });
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_class_expectation_gives_its_preferred_code_and_its_range() {
        // Arrange
        let expected: ExpectedResponse = serde_json::from_value(json!({
            "class": "4xx", "prefer": 428, "basis": "assumed", "source": "not documented"
        }))
        .unwrap();

        // Act
        let keys = status_keys("missing_if_match", &expected).unwrap();

        // Assert
        assert_eq!(keys, ["428", "4XX"]);
    }
}
