//! The document's frame: `info` (which expected responses the docs state and which vouch
//! assumes), `servers` (the origin of the documented requests), the bearer security
//! scheme, the component schemas, and the response a method the resource does not define
//! gets.

use reqwest::Url;
use serde_json::{json, Map, Value};

use super::{Assembler, OpenapiError, JSON_SCHEMA_DIALECT, OPENAPI_VERSION};
use crate::finding::Basis;

/// The name of the bearer security scheme.
const SECURITY_SCHEME: &str = "bearerAuth";

/// The situation no defined operation can answer: it goes to `components/responses`.
const METHOD_NOT_ALLOWED: &str = "method_not_allowed";

impl Assembler<'_> {
    pub(super) fn document(&self) -> Result<Value, OpenapiError> {
        let contract = &self.suite.contract;
        let mut schemas = Map::new();
        for (name, schema) in &self.components.schemas {
            schemas.insert(name.clone(), schema.clone());
        }
        let mut shared = Map::new();
        if let Some(expected) = contract.responses.get(METHOD_NOT_ALLOWED) {
            let entries = [(METHOD_NOT_ALLOWED, expected, self.error_body())];
            let description = "Answered to a method the resource does not define.";
            shared.insert(
                "MethodNotAllowed".to_owned(),
                self.response(&entries, Some(description))?,
            );
        }
        let mut document = Map::new();
        document.insert("openapi".into(), json!(OPENAPI_VERSION));
        document.insert("jsonSchemaDialect".into(), json!(JSON_SCHEMA_DIALECT));
        document.insert(
            "info".into(),
            json!({
                "title": contract.api,
                "version": env!("CARGO_PKG_VERSION"),
                "description": self.info_description(),
            }),
        );
        if let Some(origin) = self.origin() {
            document.insert(
                "servers".into(),
                json!([{
                    "url": origin,
                    "description": "The origin of the documented request examples.",
                }]),
            );
        }
        document.insert("security".into(), json!([{ SECURITY_SCHEME: [] }]));
        document.insert("paths".into(), self.paths()?);
        document.insert(
            "components".into(),
            json!({
                "schemas": schemas,
                "responses": shared,
                "securitySchemes": {
                    SECURITY_SCHEME: {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A bearer token in the Authorization header, as every documented request sends one.",
                    },
                },
            }),
        );
        Ok(Value::Object(document))
    }

    /// The origin (`https://host`) of the first documented request with an absolute URI.
    fn origin(&self) -> Option<String> {
        self.suite.examples.iter().find_map(|example| {
            let (_, target) = example.message.request()?;
            let url = Url::parse(target).ok()?;
            url.host_str()?;
            Some(url.origin().ascii_serialization())
        })
    }

    /// Says which expected responses the docs state and which vouch assumes.
    fn info_description(&self) -> String {
        let contract = &self.suite.contract;
        let mut documented = Vec::new();
        let mut assumed = Vec::new();
        for (situation, expected) in &contract.responses {
            let line = format!(
                "- `{situation}`: {} ({})",
                expected.describe(),
                expected.source
            );
            match expected.basis {
                Basis::Documented => documented.push(line),
                Basis::Assumed => assumed.push(line),
            }
        }
        let read_only = contract
            .read_only
            .fields
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "The {api} API (`{path}`) as vouch {version} holds it: assembled from the suite's \
contract.yaml and JSON Schemas, which restate the public documentation. It is not \
published by the API's owner.\n\n\
Each response carries `x-vouch-situations`: the situations of the contract it stands for, \
each with its basis (documented: a page states it; assumed: the docs are silent and vouch \
adopts a convention) and its source.\n\n\
Status codes the docs state (documented):\n{documented}\n\n\
Status codes vouch assumes where the docs are silent (assumed):\n{assumed}\n\n\
Server-assigned fields ({basis}: {source}): {read_only}.\n\n\
In the schemas, `$comment`s say where the docs are unclear or contradict themselves.",
            api = contract.api,
            path = contract.resource.path,
            version = env!("CARGO_PKG_VERSION"),
            documented = documented.join("\n"),
            assumed = assumed.join("\n"),
            basis = contract.read_only.basis,
            source = contract.read_only.source,
        )
    }
}
