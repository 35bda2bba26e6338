//! The hook points where the fault catalogue plugs into the double. A faithful double
//! passes every hook unchanged; each fault bends exactly one of them. The handlers call
//! the hooks by the name of the moment they stand for (`on_request`, `before_validate`,
//! `before_precondition`, `judge_move`, `after_create`, `after_write`, `shape_reply`,
//! `shape_list`, `on_wire`), and never ask for a fault themselves.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::double::api::{self, Api};
use crate::double::fault::Fault;
use crate::double::odata::{Expr, ListQuery};
use crate::double::precondition::Condition;
use crate::double::reply::{Body, Kind, Reply};
use crate::double::store::Store;
use crate::fixture::contract::Pointer;
use crate::fixture::vocabulary::{BodyFormat, Comparison, OperationKind};

/// How long, with the concurrent-writes fault, a write's replaced version still passes
/// If-Match (the gap between its check and its commit).
const RACE_WINDOW: Duration = Duration::from_millis(150);
/// How long, with that fault, a write's answer is held back: past the window, so a client
/// that waits for it before writing again never races.
const COMMIT_DELAY: Duration = Duration::from_millis(170);
/// How long the slow-responses fault holds a list response back.
const SLOW_RESPONSE: Duration = Duration::from_millis(1500);
/// Every how many requests the throttled fault refuses one.
const THROTTLE_EVERY: u64 = 50;

/// A write on its way to the store, as `after_write` sees it.
pub struct Write<'a> {
    pub api: &'a Api,
    /// The stored version before the write.
    pub before: &'a Map<String, Value>,
    /// The new version (read-only fields already the stored ones).
    pub body: &'a mut Map<String, Value>,
    /// Read-only fields the client sent (that a faithful server ignores).
    pub read_only_sent: Vec<(Pointer, Value)>,
    /// The time of this write.
    pub now: &'a str,
}

/// The faults a double carries, at their hook points.
#[derive(Debug, Default)]
pub struct Hooks {
    faults: BTreeSet<Fault>,
}

impl Hooks {
    pub fn new(faults: BTreeSet<Fault>) -> Self {
        Self { faults }
    }

    fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }

    /// Every request, first: whether it is refused as throttled (429, Retry-After).
    pub fn on_request(&self, store: &mut Store) -> bool {
        if !self.has(Fault::Throttled) {
            return false;
        }
        store.requests += 1;
        store.requests % THROTTLE_EVERY == 0
    }

    /// Whether the bearer token `sent` passes, when `token` is the right one.
    pub fn token_accepted(&self, sent: Option<&str>, token: &str) -> bool {
        sent == Some(token) || (self.has(Fault::AnyTokenAccepted) && sent.is_some())
    }

    /// A read of an id the store does not hold: the reply instead of 404, if a fault has one.
    pub fn on_missing(&self) -> Option<Reply> {
        self.has(Fault::NotFoundAsEmpty200)
            .then(|| Reply::built(200, Value::Object(Map::new())))
    }

    /// A write's body before it is validated.
    pub fn before_validate(
        &self,
        api: &Api,
        kind: OperationKind,
        format: BodyFormat,
        body: &mut Value,
    ) {
        if kind == OperationKind::Put && self.has(Fault::LinksInPutAccepted) {
            if let Value::Object(map) = body {
                for pointer in &api.never_send {
                    api::remove(map, pointer);
                }
            }
        }
        if format == BodyFormat::JsonPatch && self.has(Fault::UnsupportedPatchOpAccepted) {
            if let Value::Array(ops) = body {
                ops.retain(|op| {
                    matches!(
                        op.get("op").and_then(Value::as_str),
                        Some("add" | "replace")
                    )
                });
            }
        }
    }

    /// Whether a PUT's body id may differ from its path's.
    pub fn id_mismatch_accepted(&self) -> bool {
        self.has(Fault::IdMismatchAccepted)
    }

    /// The comparison If-Match is judged by.
    pub fn comparison(&self, declared: Comparison) -> Comparison {
        if self.has(Fault::WeakIfMatchRefused) {
            Comparison::Strong
        } else {
            declared
        }
    }

    /// What a write's precondition was judged to say, as the faults bend it.
    pub fn before_precondition(&self, kind: OperationKind, condition: Condition) -> Condition {
        match condition {
            Condition::Malformed(_) if self.has(Fault::MalformedIfMatchIgnored) => {
                Condition::Absent
            }
            Condition::Absent
                if kind == OperationKind::Put && self.has(Fault::PutWithoutIfMatchAccepted) =>
            {
                Condition::Any
            }
            Condition::Absent
                if kind == OperationKind::Patch && self.has(Fault::PatchWithoutIfMatchAccepted) =>
            {
                Condition::Any
            }
            Condition::Any if self.has(Fault::WildcardRefused) => Condition::Stale {
                weak_match: false,
                listed: false,
            },
            Condition::Stale { listed: true, .. } if self.has(Fault::IfMatchListIgnored) => {
                Condition::Matched
            }
            Condition::Stale {
                weak_match: true, ..
            } if self.has(Fault::WeakIfMatchAccepted) => Condition::Matched,
            Condition::Stale { .. } if self.stale_accepted(kind) => Condition::Matched,
            other => other,
        }
    }

    fn stale_accepted(&self, kind: OperationKind) -> bool {
        match kind {
            OperationKind::Put => self.has(Fault::StaleIfMatchAccepted),
            OperationKind::Patch => self.has(Fault::PatchStaleIfMatchAccepted),
            OperationKind::Delete => self.has(Fault::DeleteIgnoresIfMatch),
            _ => false,
        }
    }

    /// Whether a write refused as stale is stored anyway.
    pub fn refused_write_stored(&self) -> bool {
        self.has(Fault::RefusedWriteStored)
    }

    /// The version a write replaced moments ago, which its racers still see as current
    /// (their check read it before that write committed).
    pub fn also_current(&self, store: &Store, id: &str) -> Option<String> {
        if !self.has(Fault::ConcurrentWritesBothWin) {
            return None;
        }
        store
            .replaced
            .get(id)
            .filter(|(_, at)| at.elapsed() < RACE_WINDOW)
            .map(|(etag, _)| etag.clone())
    }

    /// A move the state table forbids: whether it is let through. `from_final`: the state
    /// it leaves has no move but to itself.
    pub fn judge_move(&self, from_final: bool) -> bool {
        from_final && self.has(Fault::ClosedToActiveAccepted)
    }

    /// A sub-state that does not go with its state: whether it is let through.
    pub fn judge_pair(&self) -> bool {
        self.has(Fault::PairOutsideTableAccepted)
    }

    /// The sub-state a create stores, from the one it judged and the others of the table.
    pub fn created_substatus(&self, judged: String, others: Vec<String>) -> String {
        if self.has(Fault::CreateStoresForbiddenPair) {
            others.into_iter().next().unwrap_or(judged)
        } else {
            judged
        }
    }

    /// A created resource before it is stored.
    pub fn after_create(&self, api: &Api, body: &mut Map<String, Value>) {
        if self.has(Fault::CreateDropsRequirements) {
            // The last nested writable member that holds an object.
            let dropped = api.writable.iter().rev().find(|p| {
                p.tokens().count() > 1 && api::get(body, p).is_some_and(Value::is_object)
            });
            if let Some(pointer) = dropped.cloned() {
                api::remove(body, &pointer);
            }
        }
    }

    /// An accepted write before it is stored; `store` for what the faults remember.
    pub fn after_write(&self, write: Write<'_>, store: &mut Store, id: &str) {
        let Write {
            api,
            before,
            body,
            read_only_sent,
            now,
        } = write;
        if self.has(Fault::ReadOnlyFieldsStored) {
            for (pointer, value) in read_only_sent {
                api::set(body, &pointer, value);
            }
        }
        if let Some(updated) = &api.updated {
            if self.has(Fault::UpdatedNotAdvanced) {
                match api::get(before, updated) {
                    Some(value) => api::set(body, updated, value.clone()),
                    None => {
                        api::remove(body, updated);
                    }
                }
            }
        }
        if let Some(created) = &api.created {
            if self.has(Fault::CreatedRewritten) {
                api::set(body, created, now.into());
            }
        }
        if self.has(Fault::WritableFieldDropped) {
            // The last nested writable member that holds text.
            let dropped = api.writable.iter().rev().find(|p| {
                p.tokens().count() > 1 && api::get(body, p).is_some_and(Value::is_string)
            });
            if let Some(pointer) = dropped.cloned() {
                api::remove(body, &pointer);
            }
        }
        if let Some(etag) = &api.etag {
            if self.has(Fault::EtagNotRotated) {
                let old = api::get(before, etag).cloned().unwrap_or(Value::Null);
                api::set(body, etag, old);
            }
            if self.has(Fault::ConcurrentWritesBothWin) {
                if let Some(Value::String(old)) = api::get(before, etag) {
                    store
                        .replaced
                        .insert(id.to_owned(), (old.clone(), Instant::now()));
                }
            }
        }
    }

    /// Whether a profile's links are misspelled.
    pub fn links_misspelled(&self) -> bool {
        self.has(Fault::LinksMisspelled)
    }

    /// Whether a write that asked `Prefer: return=representation` gets it.
    pub fn prefer_honoured(&self) -> bool {
        !self.has(Fault::PreferIgnored)
    }

    /// Whether a DELETE that was answered as done leaves the item stored.
    pub fn delete_kept(&self) -> bool {
        self.has(Fault::DeleteLeavesItem)
    }

    /// A write's answer (a resource, or none) before it goes out.
    pub fn shape_reply(&self, api: &Api, store: &mut Store, mut reply: Reply) -> Reply {
        if self.has(Fault::IdChangedInResponse) && reply.kind == Kind::Resource {
            if let Some(Value::Object(body)) = reply.body.as_mut().and_then(Body::value_mut) {
                api::set(body, &api.id, store.ids.guid().into());
            }
        }
        if self.has(Fault::ConcurrentWritesBothWin) {
            reply = reply.delivered(|d| d.delay = Some(COMMIT_DELAY));
        }
        reply
    }

    /// A list query before it is run.
    pub fn shape_query(&self, query: &mut ListQuery) {
        if self.has(Fault::ListFilterIgnored) {
            query.filter = None;
        }
        if self.has(Fault::ListFilterFirstOnly) {
            query.filter = query.filter.take().map(Expr::first_condition);
        }
        if self.has(Fault::ListOrderIgnored) {
            query.order.clear();
        }
    }

    /// Where the next page starts after a page of `start..end`.
    pub fn next_start(&self, start: usize, end: usize) -> usize {
        if self.has(Fault::ListPageOverlap) && end > start + 1 {
            end - 1
        } else if self.has(Fault::ListPageGap) {
            end + 1
        } else {
            end
        }
    }

    /// Any reply, last, as it goes on the wire.
    pub fn on_wire(&self, api: &Api, mut reply: Reply) -> Reply {
        if self.has(Fault::EtagMissingFromBody) && reply.kind != Kind::Other {
            if let (Some(etag), Some(body)) =
                (&api.etag, reply.body.as_mut().and_then(Body::value_mut))
            {
                let items = api.list.as_ref().map(|l| &l.items);
                strip(body, etag, items);
            }
        }
        if self.has(Fault::EtagHeaderMismatch) {
            if let Some(header) = &api.etag_header {
                for (name, value) in &mut reply.headers {
                    if name.eq_ignore_ascii_case(header) {
                        "\"another-version\"".clone_into(value);
                    }
                }
            }
        }
        if reply.status >= 400 && self.has(Fault::ErrorBodyNotJson) {
            if let Some(body) = &reply.body {
                let message = api
                    .errors
                    .as_ref()
                    .and_then(|e| body.pointer(e.message.as_str()))
                    .and_then(Value::as_str)
                    .unwrap_or("error")
                    .to_owned();
                reply.body = Some(Body::Plain(format!("Error: {message}\n")));
                reply = reply.delivered(|d| d.content_type = Some(PLAIN));
            }
        } else if self.has(Fault::WrongContentType) && reply.body.is_some() {
            reply = reply.delivered(|d| d.content_type = Some(PLAIN));
        }
        if self.has(Fault::SlowResponses) && reply.kind == Kind::List {
            reply = reply.delivered(|d| d.delay = d.delay.max(Some(SLOW_RESPONSE)));
        }
        reply
    }
}

const PLAIN: &str = "text/plain";

/// Removes the entity tag of a resource, or of each item of a list.
fn strip(body: &mut Value, etag: &Pointer, items: Option<&Pointer>) {
    let Value::Object(map) = body else { return };
    api::remove(map, etag);
    if let Some(items) = items {
        if let Some(Value::Array(entries)) = items_mut(map, items) {
            for entry in entries {
                if let Value::Object(entry) = entry {
                    api::remove(entry, etag);
                }
            }
        }
    }
}

fn items_mut<'m>(map: &'m mut Map<String, Value>, pointer: &Pointer) -> Option<&'m mut Value> {
    let mut tokens = pointer.tokens();
    let first = tokens.next()?;
    tokens.try_fold(map.get_mut(&first)?, |value, token| value.get_mut(&token))
}
