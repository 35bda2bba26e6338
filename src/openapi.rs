//! The `OpenAPI` export: one `OpenAPI` 3.1 document assembled from a suite's contract (the
//! resource path, the If-Match header, the expected responses with their basis) and its
//! JSON Schemas, so that generic tools (Schemathesis, Prism, Dredd) can drive or mock the
//! API from the same contract vouch checks.
//!
//! Every schema file becomes a component named after the file (`referral-create.schema.json`
//! → `ReferralCreate`); the `$defs` of each file become components of their own (those of a
//! file that holds nothing but `$defs`, such as `referral-types.schema.json`, keep their bare
//! names, e.g. `ReferralStatus`; the others are prefixed, e.g. `JsonPatch.Operation`). Every
//! `$ref` is rewritten to point inside the document, `$id` and `$schema` are dropped (the
//! document declares the 2020-12 dialect once), and everything else, `$comment`s included,
//! is kept as written. Nothing is invented: a schema that cannot be exported as it is makes
//! the export fail with an [`OpenapiError`].

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::finding::Basis;
use crate::fixture::contract::{ExpectedResponse, StatusClass};
use crate::fixture::Suite;
use crate::schema::SCHEMA_BASE;

/// The `OpenAPI` version the document declares.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The dialect of every schema in the document (the schemas' own `$schema`).
pub const JSON_SCHEMA_DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Where component schemas live in the document.
pub const COMPONENT_PREFIX: &str = "#/components/schemas/";

/// The name of the bearer security scheme.
const SECURITY_SCHEME: &str = "bearerAuth";

/// The schema component the `ETag` and `If-Match` headers use, when the schemas define it.
const ETAG_COMPONENT: &str = "ETag";

/// The contract rule that says a resource response carries the entity tag header.
const ETAG_HEADER_RULE: &str = "etag-header";

/// Situations answered with a `Retry-After` header.
const RETRY_AFTER_SITUATIONS: &[&str] = &["throttled"];

/// Situations that no defined operation can answer: they go to `components/responses`.
const METHOD_NOT_ALLOWED: &str = "method_not_allowed";

/// Why the `OpenAPI` document could not be assembled. Each variant names the file or the
/// contract entry at fault.
#[derive(Debug, thiserror::Error)]
pub enum OpenapiError {
    #[error("{file}: $ref {reference:?} at {pointer} leaves the schema folder (only sibling files and their $defs can be exported)")]
    ForeignRef {
        file: String,
        pointer: String,
        reference: String,
    },
    #[error("{file}: $ref {reference:?} at {pointer} names no schema file beside it")]
    UnknownFile {
        file: String,
        pointer: String,
        reference: String,
    },
    #[error("{file}: $ref {reference:?} at {pointer} points at {target}, which is neither an exported schema nor one of its $defs")]
    UnknownTarget {
        file: String,
        pointer: String,
        reference: String,
        target: String,
    },
    #[error("{file}: $ref {reference:?} at {pointer} has a fragment that is not a JSON Pointer (anchors cannot be exported)")]
    UnsupportedFragment {
        file: String,
        pointer: String,
        reference: String,
    },
    #[error("{file}: {keyword} at {pointer} cannot be exported (only $ref is rewritten)")]
    UnsupportedKeyword {
        file: String,
        pointer: String,
        keyword: &'static str,
    },
    #[error("{file}: {name:?} at {pointer} cannot be a component name (letters, digits, '.', '_' and '-' only)")]
    BadName {
        file: String,
        pointer: String,
        name: String,
    },
    #[error("component name {name:?} is taken twice: by {first} and by {second}")]
    DuplicateName {
        name: String,
        first: Source,
        second: Source,
    },
    #[error("contract.yaml: the OpenAPI export needs schema {name:?} in `schemas:`, and it is not there (or its file holds only $defs)")]
    MissingSchema { name: String },
    #[error("contract.yaml: the OpenAPI export needs situation {situation:?} in `responses:`, and it is not there")]
    MissingSituation { situation: String },
    #[error("contract.yaml: situation {situation:?} names no status code and no class")]
    NoStatus { situation: String },
    #[error(
        "operation {operation}: status {status} is answered with different bodies ({situations})"
    )]
    BodyConflict {
        operation: &'static str,
        status: String,
        situations: String,
    },
    #[error("cannot render the OpenAPI document as JSON: {0}")]
    Render(#[from] serde_json::Error),
}

/// Where a component schema was taken from: a file of the schema folder and a JSON Pointer
/// into it (empty for the file's root, `/$defs/Name` for one of its definitions).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Source {
    pub file: String,
    pub pointer: String,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.file, self.pointer)
    }
}

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
    let components = Components::export(suite.schemas.documents())?;
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

// ---------------------------------------------------------------------------------------
// Schemas → components/schemas

/// Keywords whose value is one subschema (JSON Schema 2020-12).
const ONE_SUBSCHEMA: &[&str] = &[
    "additionalProperties",
    "items",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
];

/// Keywords whose value is an array of subschemas.
const SUBSCHEMA_ARRAYS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Keywords whose value is a map of subschemas.
const SUBSCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
];

/// Root keywords of a file that holds only definitions (no constraint of its own).
const LIBRARY_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "title",
    "description",
    "$comment",
    "$defs",
];

/// The schemas as components, with where each one came from.
#[derive(Debug)]
struct Components {
    schemas: BTreeMap<String, Value>,
    sources: BTreeMap<String, Source>,
    /// (file, definition) → component name; `None` stands for the file's root.
    names: BTreeMap<(String, Option<String>), String>,
}

impl Components {
    /// Names every file and definition, then copies each one with its `$ref`s rewritten.
    fn export(documents: &BTreeMap<String, Value>) -> Result<Self, OpenapiError> {
        let mut components = Self {
            schemas: BTreeMap::new(),
            sources: BTreeMap::new(),
            names: BTreeMap::new(),
        };
        for (file, document) in documents {
            let library = is_library(document);
            let root_name = component_name(file);
            if !library {
                components.name(file, None, root_name.clone())?;
            }
            for definition in definitions(document).keys() {
                let name = if library {
                    definition.clone()
                } else {
                    format!("{root_name}.{definition}")
                };
                components.name(file, Some(definition), name)?;
            }
        }
        let mut schemas = BTreeMap::new();
        for (file, document) in documents {
            let rewriter = Rewriter {
                file,
                documents,
                names: &components.names,
            };
            if let Some(name) = components.names.get(&(file.clone(), None)) {
                let mut root = document.clone();
                if let Value::Object(map) = &mut root {
                    // shift_remove keeps the file's key order.
                    map.shift_remove("$defs");
                    map.shift_remove("$id");
                    map.shift_remove("$schema");
                }
                rewriter.schema(&mut root, "", true)?;
                schemas.insert(name.clone(), root);
            }
            for (definition, mut schema) in definitions(document) {
                let pointer = format!("/$defs/{}", escape(&definition));
                rewriter.schema(&mut schema, &pointer, false)?;
                if let Some(name) = components.names.get(&(file.clone(), Some(definition))) {
                    schemas.insert(name.clone(), schema);
                }
            }
        }
        components.schemas = schemas;
        Ok(components)
    }

    fn name(
        &mut self,
        file: &str,
        definition: Option<&String>,
        name: String,
    ) -> Result<(), OpenapiError> {
        let source = source_of(file, definition.map(String::as_str));
        if !is_component_name(&name) {
            return Err(OpenapiError::BadName {
                file: file.to_owned(),
                pointer: source.pointer,
                name,
            });
        }
        if let Some(first) = self.sources.get(&name) {
            return Err(OpenapiError::DuplicateName {
                name,
                first: first.clone(),
                second: source,
            });
        }
        self.sources.insert(name.clone(), source);
        self.names
            .insert((file.to_owned(), definition.cloned()), name);
        Ok(())
    }

    /// The component of a file's root, when the file is exported as a schema of its own.
    fn root(&self, file: &str) -> Option<&str> {
        self.names.get(&(file.to_owned(), None)).map(String::as_str)
    }
}

fn source_of(file: &str, definition: Option<&str>) -> Source {
    Source {
        file: file.to_owned(),
        pointer: definition.map_or_else(String::new, |d| format!("/$defs/{}", escape(d))),
    }
}

/// Whether a file holds nothing but definitions (and annotations about itself).
fn is_library(document: &Value) -> bool {
    document.as_object().is_some_and(|map| {
        map.contains_key("$defs") && map.keys().all(|k| LIBRARY_KEYWORDS.contains(&k.as_str()))
    })
}

fn definitions(document: &Value) -> Map<String, Value> {
    document
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// `error-partner-api.schema.json` → `ErrorPartnerApi`.
fn component_name(file: &str) -> String {
    let stem = file
        .strip_suffix(".schema.json")
        .or_else(|| file.strip_suffix(".json"))
        .unwrap_or(file);
    stem.split(['-', '_', '.'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// The names `OpenAPI` allows in `components` (`^[a-zA-Z0-9._-]+$`).
fn is_component_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Escapes one JSON Pointer reference token (RFC 6901).
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one JSON Pointer reference token (RFC 6901).
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Rewrites the `$ref`s of one file's schemas so that they point into the document.
struct Rewriter<'a> {
    file: &'a str,
    documents: &'a BTreeMap<String, Value>,
    names: &'a BTreeMap<(String, Option<String>), String>,
}

impl Rewriter<'_> {
    /// Walks a schema through the keywords that hold subschemas (never into `enum`,
    /// `const`, `default` or `examples`, whose values are data).
    fn schema(&self, schema: &mut Value, pointer: &str, root: bool) -> Result<(), OpenapiError> {
        let Value::Object(map) = schema else {
            return Ok(());
        };
        for keyword in ["$dynamicRef", "$recursiveRef"] {
            if map.contains_key(keyword) {
                return Err(self.unsupported(pointer, keyword));
            }
        }
        if !root && map.contains_key("$id") {
            return Err(self.unsupported(pointer, "$id"));
        }
        if let Some(Value::String(reference)) = map.get_mut("$ref") {
            *reference = self.target(reference, &format!("{pointer}/$ref"))?;
        }
        for (keyword, value) in map.iter_mut() {
            let here = format!("{pointer}/{}", escape(keyword));
            if ONE_SUBSCHEMA.contains(&keyword.as_str()) {
                self.schema(value, &here, false)?;
            } else if SUBSCHEMA_ARRAYS.contains(&keyword.as_str()) {
                if let Value::Array(items) = value {
                    for (index, item) in items.iter_mut().enumerate() {
                        self.schema(item, &format!("{here}/{index}"), false)?;
                    }
                }
            } else if SUBSCHEMA_MAPS.contains(&keyword.as_str()) {
                if let Value::Object(members) = value {
                    for (name, member) in members.iter_mut() {
                        self.schema(member, &format!("{here}/{}", escape(name)), false)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn unsupported(&self, pointer: &str, keyword: &'static str) -> OpenapiError {
        OpenapiError::UnsupportedKeyword {
            file: self.file.to_owned(),
            pointer: if pointer.is_empty() { "/" } else { pointer }.to_owned(),
            keyword,
        }
    }

    /// The in-document form of `reference`, written in `self.file` at `pointer`.
    fn target(&self, reference: &str, pointer: &str) -> Result<String, OpenapiError> {
        let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let path = path.strip_prefix(SCHEMA_BASE).unwrap_or(path);
        let path = path.strip_prefix("./").unwrap_or(path);
        if path.contains(':') || path.starts_with('/') || path.contains("..") {
            return Err(OpenapiError::ForeignRef {
                file: self.file.to_owned(),
                pointer: pointer.to_owned(),
                reference: reference.to_owned(),
            });
        }
        let file = if path.is_empty() { self.file } else { path };
        if !self.documents.contains_key(file) {
            return Err(OpenapiError::UnknownFile {
                file: self.file.to_owned(),
                pointer: pointer.to_owned(),
                reference: reference.to_owned(),
            });
        }
        if !(fragment.is_empty() || fragment.starts_with('/')) {
            return Err(OpenapiError::UnsupportedFragment {
                file: self.file.to_owned(),
                pointer: pointer.to_owned(),
                reference: reference.to_owned(),
            });
        }
        let (definition, rest) = match fragment.strip_prefix("/$defs/") {
            Some(after) => {
                let (token, rest) = after
                    .find('/')
                    .map_or((after, ""), |at| (&after[..at], &after[at..]));
                (Some(unescape(token)), rest)
            }
            None => (None, fragment),
        };
        let name = self
            .names
            .get(&(file.to_owned(), definition.clone()))
            .ok_or_else(|| OpenapiError::UnknownTarget {
                file: self.file.to_owned(),
                pointer: pointer.to_owned(),
                reference: reference.to_owned(),
                target: format!("{file}#{fragment}"),
            })?;
        Ok(format!("{COMPONENT_PREFIX}{name}{rest}"))
    }
}

// ---------------------------------------------------------------------------------------
// Contract → paths

/// What a response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// No content (204).
    Empty,
    /// JSON of the contract's schema `schema`; `etag` when it is a resource, which comes
    /// with the entity tag header.
    Json { schema: &'static str, etag: bool },
}

/// A situation of the contract's `responses:` that an operation can answer, with its body.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    situation: &'static str,
    body: Body,
}

/// How an operation takes the precondition header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IfMatch {
    Absent,
    Optional,
    Required,
}

/// Which path of the resource an operation is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    /// The collection, e.g. `/v1.0/engagements/referrals`.
    Collection,
    /// One item of it, `/v1.0/engagements/referrals/{id}`.
    Item,
}

/// One operation of the API, as the docs describe it.
#[derive(Debug)]
struct Operation {
    id: &'static str,
    method: &'static str,
    on: On,
    summary: &'static str,
    description: &'static str,
    deprecated: bool,
    /// The contract's schema name of the request body.
    request: Option<&'static str>,
    if_match: IfMatch,
    prefer: bool,
    list_query: bool,
    /// Success situations.
    outcomes: &'static [Outcome],
    /// Error situations (answered with the contract's `error` schema).
    errors: &'static [&'static str],
}

const REFERRAL: Body = Body::Json {
    schema: "referral",
    etag: true,
};
const ERROR: Body = Body::Json {
    schema: "error",
    etag: false,
};

/// The five documented operations. Which situation each can meet is vouch's reading of
/// the docs; the codes and their basis come from the contract.
const OPERATIONS: &[Operation] = &[
    Operation {
        id: "createReferral",
        method: "post",
        on: On::Collection,
        summary: "Create a referral",
        description: "create-a-referral.md. The service may rewrite status and substatus on create (the documented example sends New/Pending and gets Active/Accepted back).",
        deprecated: false,
        request: Some("create"),
        if_match: IfMatch::Absent,
        prefer: false,
        list_query: false,
        outcomes: &[Outcome {
            situation: "create",
            body: REFERRAL,
        }],
        errors: &[
            "create_outside_table",
            "invalid_body",
            "unauthenticated",
            "body_too_large",
            "unsupported_media",
            "throttled",
        ],
    },
    Operation {
        id: "listReferrals",
        method: "get",
        on: On::Collection,
        summary: "Get a list of referrals",
        description: "get-a-list-of-referrals.md. More than 100 items come in pages: follow `@odata.nextLink` as an opaque URI (the documented one is http and lacks /engagements, doc defect 38); do not rebuild it from $skip, which the docs never mention.",
        deprecated: false,
        request: None,
        if_match: IfMatch::Absent,
        prefer: false,
        list_query: true,
        outcomes: &[Outcome {
            situation: "list",
            body: Body::Json {
                schema: "list",
                etag: false,
            },
        }],
        errors: &["invalid_query", "unauthenticated", "throttled"],
    },
    Operation {
        id: "getReferral",
        method: "get",
        on: On::Item,
        summary: "Get a referral by id",
        description: "get-a-referral-by-id.md.",
        deprecated: false,
        request: None,
        if_match: IfMatch::Absent,
        prefer: false,
        list_query: false,
        outcomes: &[Outcome {
            situation: "get",
            body: REFERRAL,
        }],
        errors: &["get_missing", "unauthenticated", "throttled"],
    },
    Operation {
        id: "updateReferral",
        method: "put",
        on: On::Item,
        summary: "Update a referral (obsolete: use PATCH)",
        description: "update-a-referral.md, marked obsolete in favour of PATCH. The body is the whole referral without `links`; If-Match must be set to the referral's eTag.",
        deprecated: true,
        request: Some("put"),
        if_match: IfMatch::Required,
        prefer: false,
        list_query: false,
        outcomes: &[Outcome {
            situation: "put",
            body: REFERRAL,
        }],
        errors: &[
            "missing_if_match",
            "stale_if_match",
            "malformed_if_match",
            "forbidden_transition",
            "links_in_put",
            "id_mismatch",
            "invalid_body",
            "get_missing",
            "unauthenticated",
            "body_too_large",
            "unsupported_media",
            "throttled",
        ],
    },
    Operation {
        id: "patchReferral",
        method: "patch",
        on: On::Item,
        summary: "Update fields of a referral (JSON Patch)",
        description: "patch-a-referral.md. An RFC 6902 JSON Patch restricted to add and replace, sent as application/json as the docs do (not application/json-patch+json, doc defect 32). If-Match is optional: without it there is no concurrency check. Answers 204 with no body, or 200 with the updated referral when sent `Prefer: return=representation`.",
        deprecated: false,
        request: Some("patch"),
        if_match: IfMatch::Optional,
        prefer: true,
        list_query: false,
        outcomes: &[
            Outcome {
                situation: "patch",
                body: Body::Empty,
            },
            Outcome {
                situation: "patch_representation",
                body: REFERRAL,
            },
        ],
        errors: &[
            "stale_if_match",
            "malformed_if_match",
            "forbidden_transition",
            "unsupported_patch_op",
            "invalid_body",
            "get_missing",
            "unauthenticated",
            "body_too_large",
            "unsupported_media",
            "throttled",
        ],
    },
];

/// Turns the contract and the components into the document.
struct Assembler<'a> {
    suite: &'a Suite,
    components: &'a Components,
}

impl Assembler<'_> {
    fn document(&self) -> Result<Value, OpenapiError> {
        let contract = &self.suite.contract;
        let mut schemas = Map::new();
        for (name, schema) in &self.components.schemas {
            schemas.insert(name.clone(), schema.clone());
        }
        let mut method_not_allowed = Map::new();
        if let Some(expected) = contract.responses.get(METHOD_NOT_ALLOWED) {
            let entries = [(METHOD_NOT_ALLOWED, expected, ERROR)];
            let description =
                "Answered to a method the resource does not define (no DELETE is documented).";
            method_not_allowed.insert(
                "MethodNotAllowed".to_owned(),
                self.response(&entries, Some(description))?,
            );
        }
        Ok(json!({
            "openapi": OPENAPI_VERSION,
            "jsonSchemaDialect": JSON_SCHEMA_DIALECT,
            "info": {
                "title": contract.api,
                "version": env!("CARGO_PKG_VERSION"),
                "description": self.info_description(),
            },
            "servers": [{
                "url": "https://api.partner.microsoft.com",
                "description": "The base URL of every request example in the docs.",
            }],
            "security": [{ SECURITY_SCHEME: [] }],
            "paths": self.paths()?,
            "components": {
                "schemas": schemas,
                "responses": method_not_allowed,
                "securitySchemes": {
                    SECURITY_SCHEME: {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "An Azure AD access token for the resource https://api.partner.microsoft.com, App+User (delegated) only; the user holds a Partner Center referral role.",
                    },
                },
            },
        }))
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
published by Microsoft.\n\n\
Each response carries `x-vouch-situations`: the situations of the contract it stands for, \
each with its basis (documented: a page states it; assumed: the docs are silent and vouch \
adopts a convention) and its source.\n\n\
Status codes the docs state (documented):\n{documented}\n\n\
Status codes vouch assumes where the docs are silent (assumed):\n{assumed}\n\n\
Server-assigned fields ({basis}: {source}): {read_only}.\n\n\
In the schemas, `$comment`s say where the docs are unclear or contradict themselves; \
the numbered doc defects refer to the API reference vouch keeps.",
            api = contract.api,
            path = contract.resource.path,
            version = env!("CARGO_PKG_VERSION"),
            documented = documented.join("\n"),
            assumed = assumed.join("\n"),
            basis = contract.read_only.basis,
            source = contract.read_only.source,
        )
    }

    fn paths(&self) -> Result<Value, OpenapiError> {
        let resource = &self.suite.contract.resource;
        let id = self.id_name();
        let collection = resource.path.trim_end_matches('/').to_owned();
        let item = format!("{collection}/{{{id}}}");
        let mut collection_ops = Map::new();
        let mut item_ops = Map::new();
        for operation in OPERATIONS {
            let value = self.operation(operation)?;
            if operation.on == On::Item {
                item_ops.insert(operation.method.to_owned(), value);
            } else {
                collection_ops.insert(operation.method.to_owned(), value);
            }
        }
        item_ops.insert(
            "parameters".to_owned(),
            json!([{
                "name": id,
                "in": "path",
                "required": true,
                "description": "The referral's id, as returned in its `id` field.",
                "schema": { "type": "string", "minLength": 1 },
            }]),
        );
        let mut paths = Map::new();
        paths.insert(collection, Value::Object(collection_ops));
        paths.insert(item, Value::Object(item_ops));
        Ok(Value::Object(paths))
    }

    /// The path parameter's name: the last token of the contract's id pointer.
    fn id_name(&self) -> String {
        self.suite
            .contract
            .resource
            .id
            .tokens()
            .last()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "id".to_owned())
    }

    fn operation(&self, operation: &Operation) -> Result<Value, OpenapiError> {
        let mut value = Map::new();
        value.insert("operationId".to_owned(), json!(operation.id));
        value.insert("summary".to_owned(), json!(operation.summary));
        value.insert("description".to_owned(), json!(operation.description));
        if operation.deprecated {
            value.insert("deprecated".to_owned(), json!(true));
        }
        let mut parameters = Vec::new();
        if operation.list_query {
            parameters.extend(self.list_query());
        }
        match operation.if_match {
            IfMatch::Absent => {}
            IfMatch::Optional => parameters.push(self.if_match(false)),
            IfMatch::Required => parameters.push(self.if_match(true)),
        }
        if operation.prefer {
            parameters.push(json!({
                "name": "Prefer",
                "in": "header",
                "required": false,
                "description": "`return=representation` asks for the updated referral (200) instead of 204 No Content (patch-a-referral.md).",
                "schema": { "type": "string", "enum": ["return=representation"] },
            }));
        }
        if !parameters.is_empty() {
            value.insert("parameters".to_owned(), Value::Array(parameters));
        }
        if let Some(schema) = operation.request {
            value.insert(
                "requestBody".to_owned(),
                json!({
                    "required": true,
                    "content": { "application/json": { "schema": { "$ref": self.schema_ref(schema)? } } },
                }),
            );
        }
        value.insert("responses".to_owned(), self.responses(operation)?);
        Ok(Value::Object(value))
    }

    fn list_query(&self) -> Vec<Value> {
        let filterable = self
            .suite
            .contract
            .resource
            .filterable
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        vec![
            json!({
                "name": "$filter",
                "in": "query",
                "required": false,
                "description": format!("An OData filter (recommended by the docs). Fields the contract filters on: {filterable}; the docs' samples also filter on qualification, direction, customerProfile/address/country and team/any(t:t/email eq '…'), e.g. `status eq 'New' and qualification eq 'SalesQualified'`."),
                "schema": { "type": "string" },
            }),
            json!({
                "name": "$orderby",
                "in": "query",
                "required": false,
                "description": "An OData order (recommended by the docs): createdDateTime or updatedDateTime, optionally followed by asc or desc.",
                "schema": { "type": "string" },
            }),
            json!({
                "name": "$top",
                "in": "query",
                "required": false,
                "description": "The number of referrals per page (the docs' samples use $top=10). Further pages come through the opaque @odata.nextLink.",
                "schema": { "type": "integer", "minimum": 0 },
            }),
        ]
    }

    fn if_match(&self, required: bool) -> Value {
        let contract = &self.suite.contract;
        let description = if required {
            "The referral's eTag, sent verbatim (it already carries its double quotes). Required: update-a-referral.md says it must be set."
        } else {
            "The referral's eTag, sent verbatim (it already carries its double quotes). Optional: without it there is no concurrency check (patch-a-referral.md)."
        };
        json!({
            "name": contract.if_match_header(),
            "in": "header",
            "required": required,
            "description": description,
            "schema": self.etag_schema(),
        })
    }

    fn etag_schema(&self) -> Value {
        if self.components.sources.contains_key(ETAG_COMPONENT) {
            json!({ "$ref": format!("{COMPONENT_PREFIX}{ETAG_COMPONENT}") })
        } else {
            json!({ "type": "string" })
        }
    }

    /// The `$ref` of the component exported from the contract's schema `name`.
    fn schema_ref(&self, name: &str) -> Result<String, OpenapiError> {
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

    fn expected(&self, situation: &str) -> Result<&ExpectedResponse, OpenapiError> {
        self.suite
            .contract
            .responses
            .get(situation)
            .ok_or_else(|| OpenapiError::MissingSituation {
                situation: situation.to_owned(),
            })
    }

    fn responses(&self, operation: &Operation) -> Result<Value, OpenapiError> {
        let mut by_status: BTreeMap<String, Vec<(&str, &ExpectedResponse, Body)>> = BTreeMap::new();
        let outcomes = operation.outcomes.iter().map(|o| (o.situation, o.body));
        let errors = operation.errors.iter().map(|s| (*s, ERROR));
        for (situation, body) in outcomes.chain(errors) {
            let expected = self.expected(situation)?;
            for status in status_keys(situation, expected)? {
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
                    operation: operation.id,
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
    fn response(
        &self,
        entries: &[(&str, &ExpectedResponse, Body)],
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
        let body = entries.first().map_or(Body::Empty, |(_, _, body)| *body);
        if let (Body::Json { etag: true, .. }, Some(header)) =
            (body, self.suite.contract.etag_header())
        {
            headers.insert(
                header.to_owned(),
                json!({
                    "description": self.etag_header_description(),
                    "required": true,
                    "schema": self.etag_schema(),
                }),
            );
        }
        if entries
            .iter()
            .any(|(s, _, _)| RETRY_AFTER_SITUATIONS.contains(s))
        {
            headers.insert(
                "Retry-After".to_owned(),
                json!({
                    "description": "How long to wait before retrying: seconds or an HTTP date (RFC 9110 §10.2.3). error-codes.md names it for 503.",
                    "required": false,
                    "schema": { "type": "string" },
                }),
            );
        }
        if !headers.is_empty() {
            value.insert("headers".to_owned(), Value::Object(headers));
        }
        if let Body::Json { schema, .. } = body {
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

    fn etag_header_description(&self) -> String {
        let lead = "The entity tag of the returned referral, equal to its body's eTag.";
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

    fn documents(files: &[(&str, Value)]) -> BTreeMap<String, Value> {
        files
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect()
    }

    #[test]
    fn a_file_name_becomes_a_pascal_case_component_name() {
        // Arrange
        let files = [
            "error-partner-api.schema.json",
            "referral.schema.json",
            "json-patch.schema.json",
            "plain.json",
        ];

        // Act
        let names: Vec<String> = files.iter().map(|f| component_name(f)).collect();

        // Assert
        assert_eq!(names, ["ErrorPartnerApi", "Referral", "JsonPatch", "Plain"]);
    }

    #[test]
    fn a_sibling_file_ref_with_a_definition_points_at_that_definitions_component() {
        // Arrange
        let docs = documents(&[
            (
                "types.schema.json",
                json!({ "$id": "https://schemas.vouch.invalid/types.schema.json", "$defs": { "Status": { "enum": ["New"] } } }),
            ),
            (
                "thing.schema.json",
                json!({ "$id": "https://schemas.vouch.invalid/thing.schema.json", "properties": { "status": { "$ref": "types.schema.json#/$defs/Status" } } }),
            ),
        ]);

        // Act
        let components = Components::export(&docs).unwrap();

        // Assert
        assert_eq!(
            components.schemas["Thing"],
            json!({ "properties": { "status": { "$ref": "#/components/schemas/Status" } } })
        );
        assert_eq!(components.schemas["Status"], json!({ "enum": ["New"] }));
        assert!(!components.schemas.contains_key("Types"));
    }

    #[test]
    fn local_definitions_are_hoisted_under_a_prefixed_name_and_keep_deeper_pointers() {
        // Arrange
        let docs = documents(&[(
            "error.schema.json",
            json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "properties": { "error": { "$ref": "#/$defs/Error" }, "code": { "$ref": "#/$defs/Error/properties/code" } },
                "$defs": { "Error": { "properties": { "code": { "type": "string" }, "inner": { "$ref": "#" } } } }
            }),
        )]);

        // Act
        let components = Components::export(&docs).unwrap();

        // Assert
        assert_eq!(
            components.schemas["Error"]["properties"]["code"]["$ref"],
            "#/components/schemas/Error.Error/properties/code"
        );
        assert_eq!(
            components.schemas["Error.Error"]["properties"]["inner"]["$ref"],
            "#/components/schemas/Error"
        );
        assert!(components.schemas["Error"].get("$defs").is_none());
        assert!(components.schemas["Error"].get("$schema").is_none());
        assert_eq!(
            components.sources["Error.Error"],
            Source {
                file: "error.schema.json".to_owned(),
                pointer: "/$defs/Error".to_owned()
            }
        );
    }

    #[test]
    fn a_ref_inside_enum_or_const_data_is_left_alone() {
        // Arrange
        let data = json!({ "$ref": "not-a-file.json" });
        let docs = documents(&[(
            "a.schema.json",
            json!({ "enum": [data.clone()], "const": data.clone(), "default": data.clone() }),
        )]);

        // Act
        let components = Components::export(&docs).unwrap();

        // Assert
        assert_eq!(components.schemas["A"]["enum"][0], data);
        assert_eq!(components.schemas["A"]["const"], data);
    }

    #[test]
    fn a_ref_to_another_host_is_refused_with_its_place() {
        // Arrange
        let docs = documents(&[(
            "a.schema.json",
            json!({ "items": { "$ref": "https://example.com/other.json" } }),
        )]);

        // Act
        let error = Components::export(&docs).unwrap_err();

        // Assert
        assert!(
            matches!(&error, OpenapiError::ForeignRef { file, pointer, .. } if file == "a.schema.json" && pointer == "/items/$ref"),
            "{error}"
        );
    }

    #[test]
    fn a_ref_to_a_missing_sibling_or_definition_is_refused() {
        // Arrange
        let missing_file = documents(&[("a.schema.json", json!({ "$ref": "b.schema.json" }))]);
        let missing_def = documents(&[("a.schema.json", json!({ "$ref": "#/$defs/Nope" }))]);

        // Act
        let file_error = Components::export(&missing_file).unwrap_err();
        let def_error = Components::export(&missing_def).unwrap_err();

        // Assert
        assert!(matches!(file_error, OpenapiError::UnknownFile { .. }));
        assert!(matches!(def_error, OpenapiError::UnknownTarget { .. }));
    }

    #[test]
    fn two_schemas_that_would_share_a_component_name_are_refused() {
        // Arrange: a library definition called Thing and a file thing.schema.json.
        let docs = documents(&[
            ("lib.schema.json", json!({ "$defs": { "Thing": true } })),
            ("thing.schema.json", json!({ "type": "object" })),
        ]);

        // Act
        let error = Components::export(&docs).unwrap_err();

        // Assert
        assert!(
            matches!(&error, OpenapiError::DuplicateName { name, .. } if name == "Thing"),
            "{error}"
        );
    }

    #[test]
    fn anchors_and_dynamic_refs_are_refused_rather_than_exported_half_right() {
        // Arrange
        let anchor = documents(&[("a.schema.json", json!({ "$ref": "#node" }))]);
        let dynamic = documents(&[("a.schema.json", json!({ "$dynamicRef": "#meta" }))]);

        // Act
        let anchor_error = Components::export(&anchor).unwrap_err();
        let dynamic_error = Components::export(&dynamic).unwrap_err();

        // Assert
        assert!(matches!(
            anchor_error,
            OpenapiError::UnsupportedFragment { .. }
        ));
        assert!(matches!(
            dynamic_error,
            OpenapiError::UnsupportedKeyword {
                keyword: "$dynamicRef",
                ..
            }
        ));
    }

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
