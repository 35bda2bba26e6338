//! What the double needs of the contract's vocabulary, resolved once when it starts: the
//! routes of the declared operations, where a resource keeps its id, entity tag, states
//! and times, how tags are made and compared, and the shapes of errors and lists. The
//! handlers read this, never an API's field names.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::fixture::contract::Pointer;
use crate::fixture::vocabulary::{
    Assign, Comparison, ErrorShape, IfMatchUse, ListShape, Operation, OperationKind, States, Target,
};
use crate::fixture::Contract;

/// One segment of a route's path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Variable(String),
}

/// The path of a declared operation, as segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    segments: Vec<Segment>,
}

impl Template {
    fn parse(path: &str) -> Self {
        let segments = path
            .trim_end_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Variable(name.to_owned()),
                    None => Segment::Literal(s.to_owned()),
                },
            )
            .collect();
        Self { segments }
    }

    /// The variables of `path` when it has this template's shape.
    fn capture(&self, path: &str) -> Option<Vec<(String, String)>> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut captured = Vec::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(text) if text == part => {}
                Segment::Literal(_) => return None,
                Segment::Variable(name) => {
                    let value = percent_decoded(part);
                    if value.is_empty() {
                        return None;
                    }
                    captured.push((name.clone(), value));
                }
            }
        }
        Some(captured)
    }
}

/// `%XX` escapes decoded (a path segment as the client meant it).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        if let Some(byte) = escaped {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The variable of an item route that names the resource.
pub const ID_VARIABLE: &str = "id";

/// A declared operation with its route.
#[derive(Debug, Clone)]
pub struct Route {
    pub kind: OperationKind,
    pub method: String,
    pub template: Template,
    pub operation: Operation,
}

/// Where the request went: the operation, its captured variables, or why none.
#[derive(Debug)]
pub enum Routed<'a> {
    Found {
        route: &'a Route,
        variables: Vec<(String, String)>,
    },
    /// The path is a route's, the method none of its: the methods it has.
    NotAllowed(Vec<String>),
    NotFound,
}

/// The contract's vocabulary as the double uses it.
#[derive(Debug, Clone)]
pub struct Api {
    pub routes: Vec<Route>,
    /// The collection path (`resource.path`).
    pub collection: String,
    pub id: Pointer,
    /// Pointer to the entity tag in a body, if the API has one.
    pub etag: Option<Pointer>,
    /// The response header that carries it.
    pub etag_header: Option<String>,
    /// The request header of the precondition.
    pub if_match: String,
    pub comparison: Comparison,
    pub weak: bool,
    pub states: Option<States>,
    pub assigned: Vec<(Pointer, Assign)>,
    pub created: Option<Pointer>,
    pub updated: Option<Pointer>,
    pub errors: Option<ErrorShape>,
    pub list: Option<ListShape>,
    pub read_only: Vec<Pointer>,
    /// Fields a client must not send on a replace.
    pub never_send: Vec<Pointer>,
    pub writable: Vec<Pointer>,
    /// The top-level members a stored resource keeps parsed beside its text.
    pub indexed: Vec<String>,
    /// What stored resources are packed against (`Stored`): the suite's documented
    /// resources, as JSON text.
    pub dictionary: Arc<[u8]>,
}

/// The request header of the precondition when the contract names none (RFC 9110).
const IF_MATCH: &str = "If-Match";

impl Api {
    pub fn of(contract: &Contract) -> Self {
        let collection = contract.resource.path.trim_end_matches('/').to_owned();
        let item = format!("{collection}/{{{ID_VARIABLE}}}");
        let routes = contract
            .operations
            .iter()
            .map(|(kind, operation)| {
                let path = operation
                    .path
                    .clone()
                    .unwrap_or_else(|| match operation.on {
                        Target::Collection => collection.clone(),
                        Target::Item => item.clone(),
                    });
                Route {
                    kind,
                    method: operation.method.to_ascii_uppercase(),
                    template: Template::parse(&path),
                    operation: operation.clone(),
                }
            })
            .collect();
        let etag = contract.etag.as_ref();
        let states = contract.states.clone();
        let times = &contract.times;
        let mut indexed: Vec<String> = Vec::new();
        let mut index = |pointer: &Pointer| {
            if let Some(first) = pointer.tokens().next() {
                if !indexed.contains(&first) {
                    indexed.push(first);
                }
            }
        };
        index(&contract.resource.id);
        if let Some(rule) = etag {
            index(&rule.pointer);
        }
        if let Some(states) = &states {
            index(&states.status);
            if let Some(sub) = &states.substatus {
                index(sub);
            }
        }
        for pointer in [&times.created, &times.updated].into_iter().flatten() {
            index(pointer);
        }
        for operation in contract.operations.iter().map(|(_, op)| op) {
            operation.scope.values().for_each(&mut index);
        }
        for name in &contract.resource.filterable {
            if !indexed.contains(name) {
                indexed.push(name.clone());
            }
        }
        Self {
            routes,
            collection,
            id: contract.resource.id.clone(),
            etag: etag.map(|e| e.pointer.clone()),
            etag_header: etag.and_then(|e| e.header.clone()),
            if_match: etag.map_or_else(|| IF_MATCH.to_owned(), |e| e.if_match.clone()),
            comparison: etag.map(|e| e.comparison).unwrap_or_default(),
            weak: etag.is_some_and(|e| e.weak),
            states,
            assigned: contract
                .assigned
                .as_ref()
                .map(|a| {
                    a.fields
                        .iter()
                        .map(|(p, a)| (p.clone(), a.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            created: times.created.clone(),
            updated: times.updated.clone(),
            errors: Some(contract.errors.clone()),
            list: contract.list.clone(),
            read_only: contract.read_only.fields.clone(),
            never_send: contract.never_send_on_put.fields.clone(),
            writable: contract.writable.fields.clone(),
            indexed,
            dictionary: Arc::from(Vec::new()),
        }
    }

    /// The same, packing stored resources against the documented examples of `suite` whose
    /// schema is one of the resource's (what the operations send and answer for one
    /// resource), at most the 64 KiB LZ4 looks back.
    #[must_use]
    pub fn packing_against(mut self, suite: &crate::fixture::Suite) -> Self {
        const WINDOW: usize = 64 * 1024;
        let roles: Vec<&str> = self
            .routes
            .iter()
            .filter(|r| !matches!(r.kind, OperationKind::List))
            .flat_map(|r| {
                [
                    r.operation.request.as_deref(),
                    r.operation.response.as_deref(),
                ]
            })
            .flatten()
            .collect();
        let mut dictionary = Vec::new();
        for example in &suite.examples {
            let (Some(schema), Some(json)) = (example.spec.schema.as_deref(), &example.json) else {
                continue;
            };
            if !roles.contains(&schema) {
                continue;
            }
            let text = serde_json::to_vec(json).unwrap_or_default();
            if dictionary.len() + text.len() > WINDOW {
                break;
            }
            dictionary.extend_from_slice(&text);
        }
        self.dictionary = Arc::from(dictionary);
        self
    }

    /// The operation `method` on `path` names.
    pub fn route(&self, method: &str, path: &str) -> Routed<'_> {
        let path = path.trim_end_matches('/');
        let mut allowed: Vec<String> = Vec::new();
        for route in &self.routes {
            let Some(variables) = route.template.capture(path) else {
                continue;
            };
            if route.method == method {
                return Routed::Found { route, variables };
            }
            if !allowed.contains(&route.method) {
                allowed.push(route.method.clone());
            }
        }
        if allowed.is_empty() {
            Routed::NotFound
        } else {
            Routed::NotAllowed(allowed)
        }
    }

    /// The declared operation of `kind`.
    pub fn operation(&self, kind: OperationKind) -> Option<&Operation> {
        self.routes
            .iter()
            .find(|r| r.kind == kind)
            .map(|r| &r.operation)
    }

    /// Whether `kind` requires, accepts or ignores the precondition.
    pub fn if_match_use(&self, kind: OperationKind) -> IfMatchUse {
        self.operation(kind).map(|o| o.if_match).unwrap_or_default()
    }

    /// The path of the item `id`.
    pub fn item_path(&self, id: &str) -> String {
        format!("{}/{id}", self.collection)
    }

    /// Whether the read-only rule names `pointer` (or a member above it).
    pub fn is_read_only(&self, pointer: &str) -> bool {
        self.read_only.iter().any(|p| covers(p.as_str(), pointer))
    }

    /// The id of a resource.
    pub fn id_of<'b>(&self, body: &'b Map<String, Value>) -> Option<&'b str> {
        get(body, &self.id).and_then(Value::as_str)
    }

    /// The entity tag of a resource.
    pub fn etag_of<'b>(&self, body: &'b Map<String, Value>) -> Option<&'b str> {
        self.etag
            .as_ref()
            .and_then(|p| get(body, p))
            .and_then(Value::as_str)
    }
}

/// Whether `outer` is `inner` or a member above it.
fn covers(outer: &str, inner: &str) -> bool {
    inner == outer
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The member of `body` at `pointer`.
pub fn get<'b>(body: &'b Map<String, Value>, pointer: &Pointer) -> Option<&'b Value> {
    let mut tokens = pointer.tokens();
    let first = tokens.next()?;
    tokens.try_fold(body.get(&first)?, |value, token| match value {
        Value::Object(map) => map.get(&token),
        Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// Sets the member of `body` at `pointer`, making the objects above it when missing.
pub fn set(body: &mut Map<String, Value>, pointer: &Pointer, value: Value) {
    let tokens: Vec<String> = pointer.tokens().collect();
    let Some((last, above)) = tokens.split_last() else {
        return;
    };
    let mut at = body;
    for token in above {
        let next = at
            .entry(token.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        let Value::Object(map) = next else { return };
        at = map;
    }
    at.insert(last.clone(), value);
}

/// Removes the member of `body` at `pointer`; returns it.
pub fn remove(body: &mut Map<String, Value>, pointer: &Pointer) -> Option<Value> {
    let tokens: Vec<String> = pointer.tokens().collect();
    let (last, above) = tokens.split_last()?;
    let mut at = body;
    for token in above {
        let Some(Value::Object(map)) = at.get_mut(token) else {
            return None;
        };
        at = map;
    }
    at.remove(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pointer(text: &str) -> Pointer {
        Pointer::try_from(text.to_owned()).unwrap()
    }

    #[test]
    fn a_template_captures_its_variables() {
        let template = Template::parse("/v1/plans/{plan}/items");
        assert_eq!(
            template.capture("/v1/plans/p%201/items"),
            Some(vec![("plan".to_owned(), "p 1".to_owned())])
        );
        assert_eq!(template.capture("/v1/plans/p/other"), None);
        assert_eq!(template.capture("/v1/plans//items"), None);
    }

    #[test]
    fn nested_members_are_got_set_and_removed() {
        let mut body = Map::new();
        set(&mut body, &pointer("/a/b"), Value::from(1));
        assert_eq!(get(&body, &pointer("/a/b")), Some(&Value::from(1)));
        assert_eq!(remove(&mut body, &pointer("/a/b")), Some(Value::from(1)));
        assert_eq!(get(&body, &pointer("/a/b")), None);
    }

    #[test]
    fn a_read_only_member_covers_what_is_below_it() {
        assert!(covers("/links", "/links/self"));
        assert!(covers("/links", "/links"));
        assert!(!covers("/links", "/linksOther"));
    }
}
