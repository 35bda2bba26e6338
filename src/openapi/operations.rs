//! The paths: every operation the contract declares (`operations:`), on the collection,
//! one item of it, or a path of its own, with its request body, parameters and responses.
//! Which error situations an operation can meet follows from what it is: every request can
//! be unauthenticated or throttled; one with a body can send a bad, too large or
//! unsupported one; one on an item can miss it; a list can ask a bad query; a write with a
//! precondition can send a stale, malformed or (where required) no If-Match; a write of a
//! resource with states can ask a forbidden move; a replace can send what must not be sent
//! or another item's id; a JSON Patch an unsupported operation. Of these, those the
//! contract declares in `responses:` are exported.

use serde_json::{json, Map, Value};

use super::responses::Entry;
use super::{Assembler, OpenapiError};
use crate::fixture::vocabulary::{BodyFormat, IfMatchUse, Operation, OperationKind, Target};

impl Assembler<'_> {
    pub(super) fn paths(&self) -> Result<Value, OpenapiError> {
        let mut paths = Map::new();
        for (kind, op) in self.suite.contract.operations.iter() {
            let path = self.path_of(op);
            let parameters = self.path_parameters(&path, op);
            let item = paths
                .entry(path.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(item) = item {
                item.insert(op.method.to_ascii_lowercase(), self.operation(kind, op)?);
                if !parameters.is_empty() {
                    item.insert("parameters".to_owned(), Value::Array(parameters));
                }
            }
        }
        Ok(Value::Object(paths))
    }

    /// The collection, one item of it (`{collection}/{id}`), or the operation's own path.
    fn path_of(&self, op: &Operation) -> String {
        let collection = self.suite.contract.resource.path.trim_end_matches('/');
        match (&op.path, op.on) {
            (Some(own), _) => own.clone(),
            (None, Target::Collection) => collection.to_owned(),
            (None, Target::Item) => format!("{collection}/{{{}}}", self.id_name()),
        }
    }

    /// The path parameter of an item: the last token of the contract's id pointer.
    pub(super) fn id_name(&self) -> String {
        self.suite
            .contract
            .resource
            .id
            .tokens()
            .last()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "id".to_owned())
    }

    fn operation(&self, kind: OperationKind, op: &Operation) -> Result<Value, OpenapiError> {
        let mut value = Map::new();
        let id = kind.as_str();
        value.insert("operationId".to_owned(), json!(id));
        value.insert(
            "summary".to_owned(),
            json!(format!("{id}: {} {}", op.method, self.path_of(op))),
        );
        value.insert("description".to_owned(), json!(self.description(kind, op)));
        if op.deprecated {
            value.insert("deprecated".to_owned(), json!(true));
        }
        let parameters = self.parameters(kind, op);
        if !parameters.is_empty() {
            value.insert("parameters".to_owned(), Value::Array(parameters));
        }
        if let Some(schema) = &op.request {
            value.insert(
                "requestBody".to_owned(),
                json!({
                    "required": true,
                    "content": { "application/json": { "schema": { "$ref": self.schema_ref(schema)? } } },
                }),
            );
        }
        let mut entries: Vec<Entry<'_>> = Vec::new();
        if let Some(prefer) = &op.prefer {
            entries.push((
                prefer.minimal.as_str(),
                self.expected(&prefer.minimal)?,
                self.body(op.response.as_deref()),
            ));
            entries.push((
                prefer.representation.as_str(),
                self.expected(&prefer.representation)?,
                self.body(op.response.as_deref()),
            ));
        } else {
            let situation = op.success_situation(kind);
            entries.push((
                situation,
                self.expected(situation)?,
                self.body(op.response.as_deref()),
            ));
        }
        let responses = &self.suite.contract.responses;
        for situation in error_situations(kind, op, self.has_states(), self.never_sends()) {
            if let Some((name, expected)) = responses.get_key_value(situation) {
                entries.push((name.as_str(), expected, self.error_body()));
            }
        }
        value.insert("responses".to_owned(), self.responses(id, entries)?);
        Ok(Value::Object(value))
    }

    fn has_states(&self) -> bool {
        self.suite.contract.states.is_some()
    }

    /// Whether the contract names fields a replace must not send.
    fn never_sends(&self) -> bool {
        !self.suite.contract.never_send_on_put.fields.is_empty()
    }

    /// What the docs say of the operation, and what its use of If-Match, Prefer, its body
    /// format and its list paging mean for a client.
    fn description(&self, kind: OperationKind, op: &Operation) -> String {
        let contract = &self.suite.contract;
        let mut parts = vec![format!("{} ({}).", op.source, op.basis)];
        match op.body {
            BodyFormat::Resource => {}
            BodyFormat::JsonPatch => {
                parts.push("The body is an RFC 6902 JSON Patch, sent as application/json.".into());
            }
            BodyFormat::MergePatch => {
                parts.push("The body is a partial resource merged into it (RFC 7396).".into());
            }
        }
        let header = self.if_match_header();
        match op.if_match {
            IfMatchUse::None => {}
            IfMatchUse::Optional => parts.push(format!(
                "{header} is optional: without it there is no concurrency check."
            )),
            IfMatchUse::Required => parts.push(format!("{header} is required.")),
        }
        if let Some(prefer) = &op.prefer {
            parts.push(format!(
                "Answers `{}` when sent `Prefer: return=representation`, otherwise `{}` ({}: {}).",
                prefer.representation, prefer.minimal, prefer.basis, prefer.source
            ));
        }
        if kind == OperationKind::List {
            if let Some(list) = &contract.list {
                parts.push(format!(
                    "Further items come in pages: follow `{}` as an opaque URI ({}: {}).",
                    list.next_link, list.basis, list.source
                ));
            }
        }
        parts.join(" ")
    }
}

/// The error situations an operation of this kind and shape can meet (see the module
/// documentation); the contract's `responses:` says which of them it declares.
fn error_situations(
    kind: OperationKind,
    op: &Operation,
    has_states: bool,
    never_sends: bool,
) -> Vec<&'static str> {
    let mut situations = Vec::new();
    if op.if_match == IfMatchUse::Required {
        situations.push("missing_if_match");
    }
    if op.if_match != IfMatchUse::None {
        situations.extend(["stale_if_match", "malformed_if_match"]);
    }
    let writes = matches!(kind, OperationKind::Put | OperationKind::Patch);
    if has_states && writes {
        situations.push("forbidden_transition");
    }
    if has_states && kind == OperationKind::Create {
        situations.push("create_outside_table");
    }
    if kind == OperationKind::Put {
        if never_sends {
            situations.push("links_in_put");
        }
        situations.push("id_mismatch");
    }
    if op.body == BodyFormat::JsonPatch && op.request.is_some() {
        situations.push("unsupported_patch_op");
    }
    if kind == OperationKind::List {
        situations.push("invalid_query");
    }
    if op.request.is_some() {
        situations.push("invalid_body");
    }
    if op.on == Target::Item && op.path.is_none() {
        situations.push("get_missing");
    }
    situations.push("unauthenticated");
    if op.request.is_some() {
        situations.extend(["body_too_large", "unsupported_media"]);
    }
    situations.push("throttled");
    situations
}
