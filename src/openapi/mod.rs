//! The `OpenAPI` export: one `OpenAPI` 3.1 document assembled from a suite's contract and
//! its JSON Schemas, so that generic tools (Schemathesis, Prism, Dredd) can drive or mock
//! the API from the same contract vouch checks. Nothing in it is written for one API: the
//! paths, methods, bodies, If-Match, Prefer, success codes and list query options come from
//! the contract's `operations`, `etag`, `responses` and `query`; the schemas become
//! components unchanged ([`components`]). Nothing is invented: a schema that cannot be
//! exported as it is, or an operation whose success situation the contract lacks, makes the
//! export fail with an [`OpenapiError`].

mod components;
mod document;
mod error;
mod operations;
mod parameters;
mod responses;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::fixture::Suite;

pub use error::{OpenapiError, Source};

/// The `OpenAPI` version the document declares.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The dialect of every schema in the document (the schemas' own `$schema`).
pub const JSON_SCHEMA_DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Where component schemas live in the document.
pub const COMPONENT_PREFIX: &str = "#/components/schemas/";

/// An assembled `OpenAPI` document and the origin of each of its component schemas.
#[derive(Debug, Clone)]
pub struct OpenApi {
    document: Value,
    sources: BTreeMap<String, Source>,
}

impl OpenApi {
    /// The `OpenAPI` document.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Component name → the file (and `$defs` entry) it was taken from.
    pub fn sources(&self) -> &BTreeMap<String, Source> {
        &self.sources
    }

    /// The document as pretty-printed JSON, ending with a newline.
    pub fn to_json(&self) -> Result<String, OpenapiError> {
        let mut text = serde_json::to_string_pretty(&self.document)?;
        text.push('\n');
        Ok(text)
    }
}

/// Assembles the `OpenAPI` document of `suite`.
pub fn build(suite: &Suite) -> Result<OpenApi, OpenapiError> {
    let components = components::Components::export(suite.schemas.documents())?;
    let assembler = Assembler {
        suite,
        components: &components,
    };
    let document = assembler.document()?;
    Ok(OpenApi {
        document,
        sources: components.sources,
    })
}

/// Turns the contract and the components into the document; each file of this module
/// adds its part.
struct Assembler<'a> {
    suite: &'a Suite,
    components: &'a components::Components,
}
