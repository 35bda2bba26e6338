//! Parameters: the path's `{variables}` (an item's id, a parent's id), the list's query
//! options (every one of contract.yaml `query.options`), the precondition header as the
//! operation uses it (required, optional or not at all), and `Prefer` where the operation
//! has a `prefer` rule.

use serde_json::{json, Value};

use super::Assembler;
use crate::fixture::vocabulary::{IfMatchUse, Operation, OperationKind};

impl Assembler<'_> {
    /// The header of the precondition (`If-Match`).
    pub(super) fn if_match_header(&self) -> &str {
        self.suite.contract.if_match_header()
    }

    /// The parameters of the path's `{variables}`.
    pub(super) fn path_parameters(&self, path: &str, op: &Operation) -> Vec<Value> {
        let id = self.id_name();
        let id_pointer = &self.suite.contract.resource.id;
        path.split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| {
                let description = match op.scope.get(name) {
                    Some(field) => format!("The `{field}` of the items this path holds."),
                    None if name == id => {
                        format!("The item's id, as returned in its `{id_pointer}` field.")
                    }
                    None => format!("The value of `{name}`."),
                };
                json!({
                    "name": name,
                    "in": "path",
                    "required": true,
                    "description": description,
                    "schema": { "type": "string", "minLength": 1 },
                })
            })
            .collect()
    }

    /// The operation's own parameters: query options, If-Match, Prefer.
    pub(super) fn parameters(&self, kind: OperationKind, op: &Operation) -> Vec<Value> {
        let mut parameters = Vec::new();
        if kind == OperationKind::List {
            parameters.extend(self.query_options());
        }
        match op.if_match {
            IfMatchUse::None => {}
            IfMatchUse::Optional => parameters.push(self.if_match(op, false)),
            IfMatchUse::Required => parameters.push(self.if_match(op, true)),
        }
        if let Some(prefer) = &op.prefer {
            parameters.push(json!({
                "name": "Prefer",
                "in": "header",
                "required": false,
                "description": format!(
                    "`return=representation` asks for `{}` instead of `{}` ({}).",
                    prefer.representation, prefer.minimal, prefer.source
                ),
                "schema": { "type": "string", "enum": ["return=representation"] },
            }));
        }
        parameters
    }

    fn if_match(&self, op: &Operation, required: bool) -> Value {
        let (basis, source) = self
            .suite
            .contract
            .etag
            .as_ref()
            .map_or((op.basis, op.source.as_str()), |e| {
                (e.basis, e.source.as_str())
            });
        let need = if required {
            "Required"
        } else {
            "Optional: without it there is no concurrency check"
        };
        json!({
            "name": self.if_match_header(),
            "in": "header",
            "required": required,
            "description": format!(
                "The resource's entity tag, sent verbatim (it carries its quotes). {need} ({}: {}; tags: {basis}: {source}).",
                op.basis, op.source
            ),
            "schema": self.etag_schema(),
        })
    }

    /// Every query option the contract lets a list take.
    fn query_options(&self) -> Vec<Value> {
        let query = &self.suite.contract.query;
        query
            .options
            .iter()
            .map(|name| {
                let (description, schema) = self.query_option(name);
                json!({
                    "name": name,
                    "in": "query",
                    "required": false,
                    "description": format!("{description} ({}: {}).", query.basis, query.source),
                    "schema": schema,
                })
            })
            .collect()
    }

    /// What a query option (the system query options of `OData`) means here, and its type.
    fn query_option(&self, name: &str) -> (String, Value) {
        let query = &self.suite.contract.query;
        let string = json!({ "type": "string" });
        match name {
            "$filter" => {
                let on = if query.filterable.iter().any(|f| f == "*") {
                    format!("any property of `{}`", query.schema)
                } else {
                    query
                        .filterable
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                (format!("An OData filter on {on}"), string)
            }
            "$orderby" => (
                "An OData order: properties, each optionally followed by asc or desc".into(),
                string,
            ),
            "$top" => (
                format!(
                    "The number of items per page, at most {}; further pages come through the next link",
                    query.max_page
                ),
                json!({ "type": "integer", "minimum": 0 }),
            ),
            "$skip" => (
                "The number of matching items to leave out".into(),
                json!({ "type": "integer", "minimum": 0 }),
            ),
            "$select" => {
                let kept = query
                    .always_selected
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    format!("The properties to return, comma-separated; {kept} are always kept"),
                    string,
                )
            }
            "$count" => (
                "Whether the answer carries the count of every matching item".into(),
                json!({ "type": "boolean" }),
            ),
            "$skiptoken" => (
                "Set by the server inside the next link; a client follows that link as it is, never builds one".into(),
                string,
            ),
            _ => ("A query option the contract allows".into(), string),
        }
    }
}
