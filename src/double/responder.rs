//! The double's behaviour: one handler that routes every request
//! on the resource path and answers as contract.yaml says (the same data the checks
//! read). Writes are compare-and-swap under one lock, so concurrent writers with the same
//! If-Match get exactly one winner.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use reqwest::Url;
use serde_json::{Map, Value};

use crate::double::fault::Fault;
use crate::double::odata::query::Allowed;
use crate::double::odata::{self, Expr, ListQuery, Properties};
use crate::double::patch;
use crate::double::reply::Reply;
use crate::double::server::Request;
use crate::double::store::{Store, Stored};
use crate::double::variant::Variants;
use crate::fixture::vocabulary::StateValue;
use crate::fixture::Contract;
use crate::model::{ETag, IfMatch, TransitionError, Transitions};
use crate::schema::SchemaSet;

/// The read-only fields the read-only-fields-stored fault lets a PUT overwrite (id, eTag and
/// the times have faults of their own).
const OTHER_READ_ONLY: [&str; 4] = [
    "organizationId",
    "organizationName",
    "engagementId",
    "expirationDateTime",
];

/// How long, with the concurrent-writes fault, a write's replaced version still passes
/// If-Match (the gap between its check and its commit).
const RACE_WINDOW: std::time::Duration = std::time::Duration::from_millis(150);
/// How long, with that fault, a write's answer is held back: past the window, so a client
/// that waits for it before writing again never races.
const COMMIT_DELAY: std::time::Duration = std::time::Duration::from_millis(170);

/// A write as stored: the new resource, its JSON text and its eTag.
struct Written {
    body: Map<String, Value>,
    text: Bytes,
    etag: Option<String>,
}

/// What every request handler needs, shared by all connections.
pub struct Shared {
    pub contract: Contract,
    pub schemas: Arc<SchemaSet>,
    pub transitions: Transitions,
    pub faults: BTreeSet<Fault>,
    pub variants: Variants,
    pub token: Option<String>,
    pub body_limit: usize,
    pub organization_id: String,
    pub store: Mutex<Store>,
    /// Every property path of the contract's query schema (`$orderby`, `$select`).
    pub properties: Properties,
    /// The paths `$filter` may name.
    pub filterable: Properties,
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The message listing the first few schema violations.
fn describe(violations: &[crate::schema::Violation]) -> String {
    let shown: Vec<String> = violations
        .iter()
        .take(5)
        .map(|v| {
            format!(
                "{}: {}",
                if v.pointer.is_empty() {
                    "(root)"
                } else {
                    &v.pointer
                },
                v.message
            )
        })
        .collect();
    let more = violations.len().saturating_sub(5);
    if more > 0 {
        format!("{} (and {more} more)", shown.join("; "))
    } else {
        shown.join("; ")
    }
}

impl Shared {
    fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn expected(&self, situation: &str, fallback: u16) -> u16 {
        self.contract.responses.get(situation).map_or(
            fallback,
            crate::fixture::contract::ExpectedResponse::preferred,
        )
    }

    /// The base URI links are built on: the address the client used.
    fn base(request: &Request) -> String {
        match header(request, "host") {
            Some(host) => format!("http://{host}"),
            None => format!("{}://{}", request.url.scheme(), request.url.authority()),
        }
    }

    /// The answer to `request`, bent as the double's variants say.
    pub fn handle(&self, request: &Request) -> Reply {
        if let Some(refusal) = self.variants.refusal() {
            return self.variants.bend(refusal);
        }
        self.variants.bend(self.route(request))
    }

    /// A new entity tag, in the variants' format.
    fn new_etag(&self, store: &mut Store) -> String {
        self.variants.etag(&store.ids.etag())
    }

    /// A new time, in the variants' form.
    fn tick(&self, store: &mut Store) -> String {
        self.variants.time(store.clock.tick())
    }

    fn route(&self, request: &Request) -> Reply {
        if self.has(Fault::Throttled) {
            let mut store = self.lock();
            store.requests += 1;
            if store.requests % 50 == 0 {
                return Reply::error(429, "serviceNotAvailable", "too many requests; retry later")
                    .header("Retry-After", "1");
            }
        }
        if let Some(token) = &self.token {
            let sent = header(request, "authorization").and_then(|v| v.strip_prefix("Bearer "));
            let any_accepted = self.has(Fault::AnyTokenAccepted) && sent.is_some();
            if sent != Some(token.as_str()) && !any_accepted {
                return Reply::error(401, "unauthenticated", "a valid bearer token is required")
                    .header("WWW-Authenticate", "Bearer");
            }
        }
        if request.length > self.body_limit {
            return Reply::error(
                self.expected("body_too_large", 413),
                "invalidRequest",
                format!(
                    "the body is {} bytes; the limit is {}",
                    request.length, self.body_limit
                ),
            );
        }
        let collection = self.contract.resource.path.as_str();
        let path = request.url.path().trim_end_matches('/');
        let method = request.method.as_str();
        if path == collection {
            return match method {
                "GET" => self.list(request),
                "POST" => self.create(request),
                _ => self.not_allowed("GET, POST"),
            };
        }
        let Some(id) = path
            .strip_prefix(collection)
            .and_then(|r| r.strip_prefix('/'))
            .filter(|r| !r.contains('/'))
        else {
            return Reply::error(404, "itemNotFound", format!("no resource at {path}"));
        };
        match method {
            "GET" => self.get(id),
            "PUT" => self.put(request, id),
            "PATCH" => self.patch(request, id),
            _ => self.not_allowed("GET, PUT, PATCH"),
        }
    }

    /// 404 for an id the store does not hold.
    fn missing(&self, id: &str) -> Reply {
        Reply::error(
            self.expected("get_missing", 404),
            "itemNotFound",
            format!("no referral with id {id}"),
        )
    }

    fn not_allowed(&self, allow: &str) -> Reply {
        Reply::error(
            self.expected("method_not_allowed", 405),
            "invalidRequest",
            format!("method not allowed here; allowed: {allow}"),
        )
        .header("Allow", allow)
    }

    fn invalid(&self, situation: &str, message: impl Into<String>) -> Reply {
        Reply::error(self.expected(situation, 400), "invalidRequest", message)
    }

    /// The body as JSON, after the media type check.
    /// The body as a JSON object (create and PUT), after the media type check.
    fn object_body(&self, request: &Request, what: &str) -> Result<Value, Reply> {
        let value = self.json_body(request, false)?;
        if value.is_object() {
            Ok(value)
        } else {
            Err(self.invalid(
                "invalid_body",
                format!("the body must be a JSON object ({what})"),
            ))
        }
    }

    fn json_body(&self, request: &Request, patch: bool) -> Result<Value, Reply> {
        let media = header(request, "content-type").unwrap_or("");
        let essence = media
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let accepted =
            essence == "application/json" || (patch && essence == "application/json-patch+json");
        if !accepted {
            let shown = if media.is_empty() {
                "no Content-Type"
            } else {
                media
            };
            return Err(Reply::error(
                self.expected("unsupported_media", 415),
                "invalidRequest",
                format!("expected Content-Type: application/json, got {shown}"),
            ));
        }
        serde_json::from_slice(&request.body)
            .map_err(|e| self.invalid("invalid_body", format!("the body is not valid JSON: {e}")))
    }

    fn links(&self, base: &str, id: &str, engagement: &str) -> Value {
        let path = if self.has(Fault::LinksMisspelled) {
            self.contract
                .resource
                .path
                .replacen("engagements", "engagments", 1)
        } else {
            self.contract.resource.path.clone()
        };
        serde_json::json!({
            "relatedReferrals": { "uri": format!("{base}{path}?$filter=engagementId eq '{engagement}'"), "method": "GET" },
            "self": { "uri": format!("{base}{path}/{id}"), "method": "GET" }
        })
    }

    fn is_read_only(&self, key: &str) -> bool {
        self.contract
            .read_only
            .fields
            .iter()
            .any(|p| p.as_str().strip_prefix('/') == Some(key))
    }

    /// The state and sub-state a body holds (values the table knows; none without states).
    fn status_of<'b>(&self, body: &'b Map<String, Value>) -> (Option<&'b str>, Option<&'b str>) {
        let Some(states) = &self.contract.states else {
            return (None, None);
        };
        let at = |pointer: &crate::fixture::Pointer| -> Option<&'b str> {
            let mut tokens = pointer.tokens();
            let mut current = body.get(&tokens.next()?)?;
            for token in tokens {
                current = current.get(&token)?;
            }
            current.as_str()
        };
        (
            at(&states.status).filter(|s| self.transitions.knows(s)),
            states
                .substatus
                .as_ref()
                .and_then(at)
                .filter(|s| self.transitions.knows_sub(s)),
        )
    }

    /// Judges a move, letting the transition faults through.
    fn judge(&self, from: &str, to: &str, substatus: Option<&str>) -> Result<(), TransitionError> {
        match self.transitions.check(from, to, substatus) {
            // A resource reopened: a move out of a terminal state.
            Err(TransitionError::Move { .. })
                if self.transitions.terminal(from) && self.has(Fault::ClosedToActiveAccepted) =>
            {
                if self.has(Fault::PairOutsideTableAccepted) {
                    Ok(())
                } else {
                    self.transitions.check_pair(to, substatus)
                }
            }
            Err(TransitionError::Pair { .. }) if self.has(Fault::PairOutsideTableAccepted) => {
                Ok(())
            }
            other => other,
        }
    }

    /// The state a create stores: the one sent (the initial state when none is), unless a
    /// variant rewrites it; `None` for an API without states.
    fn created_state(&self, sent: &Map<String, Value>) -> Result<Option<StateValue>, Reply> {
        let Some(states) = &self.contract.states else {
            return Ok(None);
        };
        let (sent_status, sent_sub) = self.status_of(sent);
        let mut state = match sent_status {
            Some(status) if status != states.initial.status => StateValue {
                status: status.to_owned(),
                substatus: None,
            },
            _ => states.initial.clone(),
        };
        let rewritten = self.variants.created_state(sent);
        let mut sent_sub = sent_sub.map(str::to_owned);
        if let Some(rewritten) = rewritten {
            state.status = rewritten.status;
            sent_sub = rewritten.substatus.or(sent_sub);
        }
        let table = &self.transitions;
        if table.paired() {
            let substatus = sent_sub
                .or(state.substatus.take())
                .or_else(|| table.first_sub(&state.status).map(str::to_owned));
            let Some(substatus) = substatus else {
                return Err(self.invalid(
                    "forbidden_transition",
                    format!(
                        "state {} has no sub-state a resource may be created with",
                        state.status
                    ),
                ));
            };
            state.substatus = Some(substatus);
        }
        if let Err(error) = table.check_pair(&state.status, state.sub()) {
            if !self.has(Fault::PairOutsideTableAccepted) {
                return Err(self.invalid("forbidden_transition", error.to_string()));
            }
        }
        if self.has(Fault::CreateStoresForbiddenPair) {
            let status = state.status.clone();
            if let Some(sub) = table
                .subvalues
                .iter()
                .find(|s| table.check_pair(&status, Some(s)).is_err())
            {
                state.substatus = Some(sub.clone());
            }
        }
        Ok(Some(state))
    }

    fn create(&self, request: &Request) -> Reply {
        let value = match self.object_body(request, "a referral") {
            Ok(value) => value,
            Err(reply) => return reply,
        };
        let violations = match self.schemas.validate("create", &value) {
            Ok(v) => v,
            Err(e) => return Reply::error(500, "generalException", e.to_string()),
        };
        if !violations.is_empty() {
            return self.invalid(
                "invalid_body",
                format!(
                    "the body does not match the create schema: {}",
                    describe(&violations)
                ),
            );
        }
        let Value::Object(sent) = value else {
            return self.invalid("invalid_body", "the body must be a JSON object");
        };
        let state = match self.created_state(&sent) {
            Ok(state) => state,
            Err(reply) => return reply,
        };
        let base = Self::base(request);
        let mut store = self.lock();
        let id = self.variants.id(store.ids.guid());
        let engagement = sent
            .get("engagementId")
            .and_then(Value::as_str)
            .map_or_else(|| self.variants.id(store.ids.guid()), str::to_owned);
        let now = self.tick(&mut store);
        let mut body = Map::new();
        body.insert("id".into(), id.clone().into());
        body.insert("engagementId".into(), engagement.clone().into());
        body.insert("organizationId".into(), self.organization_id.clone().into());
        body.insert(
            "organizationName".into(),
            self.variants.organization_name("vouch double").into(),
        );
        body.insert("createdDateTime".into(), now.clone().into());
        body.insert("updatedDateTime".into(), now.into());
        body.insert(
            "expirationDateTime".into(),
            self.variants.time(store.clock.days_later(14)).into(),
        );
        // A referral you create yourself is outgoing (the 2020+ examples carry direction).
        body.insert("direction".into(), "Outgoing".into());
        for (key, value) in &sent {
            if !self.is_read_only(key) {
                body.insert(key.clone(), value.clone());
            }
        }
        if self.has(Fault::CreateDropsRequirements) {
            if let Some(Value::Object(details)) = body.get_mut("details") {
                details.remove("requirements");
            }
        }
        if let (Some(states), Some(state)) = (&self.contract.states, &state) {
            for (pointer, value) in states.members(state) {
                body.insert(pointer.as_str().trim_start_matches('/').to_owned(), value);
            }
        }
        body.insert("eTag".into(), self.new_etag(&mut store).into());
        body.insert("links".into(), self.links(&base, &id, &engagement));
        self.variants.extend_resource(&mut body);
        let stored = Stored::new(&body, &self.contract.resource.filterable);
        let reply = Reply::resource(
            self.variants.create_status(201),
            stored.text.clone(),
            stored.etag(),
        );
        store.put(&id, stored);
        drop(store);
        if !self.variants.create_location() {
            return reply;
        }
        let location = format!("{base}{}/{id}", self.contract.resource.path);
        reply.header("Location", location)
    }

    fn get(&self, id: &str) -> Reply {
        let store = self.lock();
        match store.get(id) {
            Some(stored) => Reply::resource(200, stored.text.clone(), stored.etag()),
            None if self.has(Fault::NotFoundAsEmpty200) => Reply::json(200, serde_json::json!({})),
            None => self.missing(id),
        }
    }

    fn list(&self, request: &Request) -> Reply {
        let rule = &self.contract.query;
        let allowed = Allowed {
            options: &rule.options,
            filterable: &self.filterable,
            properties: &self.properties,
        };
        let mut query = match ListQuery::parse(request.url.query_pairs(), allowed) {
            Ok(query) => query,
            Err(error) => return self.invalid("invalid_query", error.to_string()),
        };
        if self.has(Fault::ListFilterIgnored) {
            query.filter = None;
        }
        if self.has(Fault::ListFilterFirstOnly) {
            query.filter = query.filter.map(Expr::first_condition);
        }
        if self.has(Fault::ListOrderIgnored) {
            query.order.clear();
        }
        let page_size = self
            .variants
            .page_size(query.top.unwrap_or(rule.max_page).min(rule.max_page));
        let start = query.start.unwrap_or(query.skip);
        let store = self.lock();
        // Filter and sort on the parsed members each referral keeps beside its text when
        // they are all the query names; otherwise on the whole referral.
        let filterable = &self.contract.resource.filterable;
        let indexed = query.names().iter().all(|n| Stored::indexes(n, filterable));
        let mut matching: Vec<(&Stored, Value)> = Vec::new();
        for stored in store.all() {
            let view = if indexed {
                Value::Object(stored.index.clone())
            } else {
                Value::Object(stored.body())
            };
            if query
                .filter
                .as_ref()
                .is_none_or(|f| odata::matches(f, &view))
            {
                matching.push((stored, view));
            }
        }
        if !query.order.is_empty() {
            matching.sort_by(|(_, a), (_, b)| {
                for (path, descending) in &query.order {
                    let ordering = odata::compare_values(member(a, path), member(b, path));
                    let ordering = if *descending {
                        ordering.reverse()
                    } else {
                        ordering
                    };
                    if ordering.is_ne() {
                        return ordering;
                    }
                }
                std::cmp::Ordering::Equal
            });
        }
        let count = matching.len();
        let page: Vec<Value> = matching
            .iter()
            .skip(start)
            .take(page_size)
            .map(|(s, _)| {
                let body = serde_json::from_slice(&s.text).unwrap_or(Value::Null);
                match &query.select {
                    Some(paths) => self.selected(&body, paths),
                    None => body,
                }
            })
            .collect();
        drop(store);
        let base = Self::base(request);
        let mut body = Map::new();
        body.insert(
            "@odata.context".into(),
            format!("{base}/v1.0/$metadata#Referrals").into(),
        );
        if query.count {
            body.insert("@odata.count".into(), count.into());
        }
        let end = start.saturating_add(page.len());
        body.insert("value".into(), Value::Array(page));
        if page_size > 0 && end < count {
            let next = if self.has(Fault::ListPageOverlap) && end > start + 1 {
                end - 1
            } else if self.has(Fault::ListPageGap) {
                end + 1
            } else {
                end
            };
            if let Ok(mut link) = Url::parse(&format!("{base}{}", self.contract.resource.path)) {
                {
                    let mut pairs = link.query_pairs_mut();
                    for (key, value) in request.url.query_pairs() {
                        if key != "$skiptoken" {
                            pairs.append_pair(&key, &value);
                        }
                    }
                    pairs.append_pair("$skiptoken", &next.to_string());
                }
                // `$` needs no escape in a query; the link reads as the docs write it.
                let link = link.to_string().replace("%24", "$");
                body.insert("@odata.nextLink".into(), link.into());
            }
        }
        crate::double::data::bend_list(self, &mut body);
        Reply::list(Value::Object(body))
    }

    /// A referral cut down to the `$select`ed paths and the members always kept.
    fn selected(&self, body: &Value, paths: &[Vec<String>]) -> Value {
        let mut out = Value::Object(Map::new());
        let kept = self.contract.query.always_selected.iter().map(|p| {
            p.as_str()
                .trim_start_matches('/')
                .split('/')
                .map(str::to_owned)
                .collect::<Vec<_>>()
        });
        for path in paths.iter().cloned().chain(kept) {
            let Some(value) = member(body, &path) else {
                continue;
            };
            let mut at = &mut out;
            for (i, segment) in path.iter().enumerate() {
                let Value::Object(map) = at else { break };
                if i + 1 == path.len() {
                    map.insert(segment.clone(), value.clone());
                    break;
                }
                at = map
                    .entry(segment.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
            }
        }
        out
    }

    /// Checks If-Match against the stored version. `Ok(true)` means the write may go on;
    /// `Ok(false)` means it is refused as stale but the refused-write fault stores it.
    fn precondition(
        &self,
        request: &Request,
        (stored, racing): (&Stored, Option<&str>),
        required: bool,
        stale_fault: Fault,
    ) -> Result<bool, Reply> {
        let name = self.contract.if_match_header();
        let ignored = |value: &&str| {
            self.has(Fault::MalformedIfMatchIgnored) && IfMatch::parse(value).is_err()
        };
        let Some(sent) = header(request, name).filter(|v| !ignored(v)) else {
            if required && !self.has(Fault::PutWithoutIfMatchAccepted) {
                return Err(Reply::error(
                    self.expected("missing_if_match", 428),
                    "preconditionFailed",
                    format!("{name} is required: send the referral's eTag"),
                ));
            }
            return Ok(true);
        };
        let condition = IfMatch::parse(sent)
            .map_err(|e| self.invalid("invalid_body", format!("{name}: {e}")))?;
        let current = stored.etag().and_then(|e| ETag::parse(e).ok());
        let racing = racing.and_then(|e| ETag::parse(e).ok());
        let matches = [current.as_ref(), racing.as_ref()]
            .into_iter()
            .flatten()
            .any(|c| self.if_match_matches(&condition, c));
        if condition == IfMatch::Any && self.has(Fault::WildcardRefused) {
            return Err(self.stale(name));
        }
        if matches || self.has(stale_fault) {
            return Ok(true);
        }
        if self.has(Fault::RefusedWriteStored) {
            return Ok(false);
        }
        Err(self.stale(name))
    }

    /// Whether `condition` matches `current`, as RFC 9110 says (strong comparison), or as
    /// the If-Match faults bend it.
    fn if_match_matches(&self, condition: &IfMatch, current: &ETag) -> bool {
        match condition {
            IfMatch::Tags(tags) if tags.len() > 1 && self.has(Fault::IfMatchListIgnored) => true,
            IfMatch::Tags(tags) if self.has(Fault::WeakIfMatchAccepted) => {
                tags.iter().any(|t| t.weak_eq(current))
            }
            _ => condition.matches(current),
        }
    }

    /// With the concurrent-writes fault, the version a write replaced moments ago, which
    /// its racers still see as current (their check read it before that write committed).
    fn racing_version(&self, store: &Store, id: &str) -> Option<String> {
        if !self.has(Fault::ConcurrentWritesBothWin) {
            return None;
        }
        store
            .replaced
            .get(id)
            .filter(|(_, at)| at.elapsed() < RACE_WINDOW)
            .map(|(etag, _)| etag.clone())
    }

    /// A write's answer; with the concurrent-writes fault it goes out only after the race
    /// window, as if the write committed then.
    fn committed(&self, reply: Reply) -> Reply {
        if self.has(Fault::ConcurrentWritesBothWin) {
            reply.delivered(|d| d.delay = Some(COMMIT_DELAY))
        } else {
            reply
        }
    }

    fn stale(&self, name: &str) -> Reply {
        Reply::error(
            self.expected("stale_if_match", 412),
            "preconditionFailed",
            format!("{name} does not match the referral's current eTag; GET it again"),
        )
    }

    /// Completes an accepted write: read-only fields from the stored resource, a new
    /// updatedDateTime and eTag, the links; stores it and returns the new resource.
    fn finish_write(
        &self,
        store: &mut Store,
        id: &str,
        before: &Map<String, Value>,
        sent: Map<String, Value>,
    ) -> Written {
        let now = self.tick(store);
        let mut body = Map::new();
        for key in [
            "id",
            "engagementId",
            "direction",
            "organizationId",
            "organizationName",
            "createdDateTime",
            "updatedDateTime",
            "expirationDateTime",
        ] {
            if let Some(value) = before.get(key) {
                body.insert(key.into(), value.clone());
            }
        }
        let mut read_only_sent = Vec::new();
        for (key, value) in sent {
            if !self.is_read_only(&key) && key != "@odata.context" {
                body.insert(key, value);
            } else if OTHER_READ_ONLY.contains(&key.as_str()) {
                read_only_sent.push((key, value));
            }
        }
        if self.has(Fault::ReadOnlyFieldsStored) {
            for (key, value) in read_only_sent {
                body.insert(key, value);
            }
        }
        if !self.has(Fault::UpdatedNotAdvanced) {
            body.insert("updatedDateTime".into(), now.clone().into());
        }
        if self.has(Fault::CreatedRewritten) {
            body.insert("createdDateTime".into(), now.into());
        }
        if self.has(Fault::WritableFieldDropped) {
            if let Some(Value::Object(details)) = body.get_mut("details") {
                details.remove("closingDateTime");
            }
        }
        let etag = if self.has(Fault::EtagNotRotated) {
            before.get("eTag").cloned().unwrap_or(Value::Null)
        } else {
            self.new_etag(store).into()
        };
        body.insert("eTag".into(), etag);
        if let Some(links) = before.get("links") {
            body.insert("links".into(), links.clone());
        }
        self.variants.extend_resource(&mut body);
        if self.has(Fault::ConcurrentWritesBothWin) {
            if let Some(Value::String(old)) = before.get("eTag") {
                store
                    .replaced
                    .insert(id.to_owned(), (old.clone(), std::time::Instant::now()));
            }
        }
        let stored = Stored::new(&body, &self.contract.resource.filterable);
        let written = Written {
            text: stored.text.clone(),
            etag: stored.etag().map(str::to_owned),
            body,
        };
        store.put(id, stored);
        written
    }

    /// The response to a write, with the id-changing fault applied.
    fn written(&self, store: &mut Store, status: u16, mut written: Written) -> Reply {
        if self.has(Fault::IdChangedInResponse) {
            written.body.insert("id".into(), store.ids.guid().into());
            let text = Bytes::from(serde_json::to_vec(&written.body).unwrap_or_default());
            return Reply::resource(status, text, written.etag.as_deref());
        }
        Reply::resource(status, written.text, written.etag.as_deref())
    }

    fn put(&self, request: &Request, id: &str) -> Reply {
        let mut store = self.lock();
        let Some(stored) = store.get(id).cloned() else {
            return self.missing(id);
        };
        let racing = self.racing_version(&store, id);
        let accepted = match self.precondition(
            request,
            (&stored, racing.as_deref()),
            true,
            Fault::StaleIfMatchAccepted,
        ) {
            Ok(accepted) => accepted,
            Err(reply) => return reply,
        };
        let mut value = match self.object_body(request, "the whole referral") {
            Ok(value) => value,
            Err(reply) => return reply,
        };
        if self.has(Fault::LinksInPutAccepted) {
            if let Some(map) = value.as_object_mut() {
                map.remove("links");
            }
        }
        let violations = match self.schemas.validate("put", &value) {
            Ok(v) => v,
            Err(e) => return Reply::error(500, "generalException", e.to_string()),
        };
        if !violations.is_empty() {
            let situation = if violations.iter().any(|v| v.pointer == "/links") {
                "links_in_put"
            } else {
                "invalid_body"
            };
            return self.invalid(
                situation,
                format!(
                    "the body does not match the PUT schema: {}",
                    describe(&violations)
                ),
            );
        }
        let Value::Object(sent) = value else {
            return self.invalid("invalid_body", "the body must be a JSON object");
        };
        if let Some(body_id) = sent.get("id").and_then(Value::as_str) {
            if body_id != id && !self.has(Fault::IdMismatchAccepted) {
                return self.invalid(
                    "id_mismatch",
                    format!("the body's id {body_id} is not the path's {id}"),
                );
            }
        }
        let before = stored.body();
        if let Err(reply) = self.check_move(&before, &sent) {
            return reply;
        }
        let written = self.finish_write(&mut store, id, &before, sent);
        if !accepted {
            return self.stale(self.contract.if_match_header());
        }
        let reply = self.written(&mut store, self.expected("put", 200), written);
        self.committed(reply)
    }

    fn check_move(
        &self,
        before: &Map<String, Value>,
        after: &Map<String, Value>,
    ) -> Result<(), Reply> {
        let Some(states) = &self.contract.states else {
            return Ok(());
        };
        let (from, from_sub) = self.status_of(before);
        let (to, to_sub) = self.status_of(after);
        let from = from.unwrap_or(states.initial.status.as_str());
        let to = to.unwrap_or(from);
        let substatus = to_sub.or(from_sub);
        if self.transitions.paired() && substatus.is_none() {
            return Err(self.invalid("forbidden_transition", "the resource has no sub-state"));
        }
        let status_key = states.status.as_str().trim_start_matches('/');
        if after
            .get(status_key)
            .is_some_and(|s| s.as_str().is_none_or(|s| !self.transitions.knows(s)))
        {
            return Err(self.invalid("invalid_body", "unknown state"));
        }
        self.judge(from, to, substatus)
            .map_err(|e| self.invalid("forbidden_transition", e.to_string()))
    }

    fn patch(&self, request: &Request, id: &str) -> Reply {
        let mut store = self.lock();
        let Some(stored) = store.get(id).cloned() else {
            return self.missing(id);
        };
        let value = match self.json_body(request, true) {
            Ok(value) => value,
            Err(reply) => return reply,
        };
        let Value::Array(mut ops) = value else {
            return self.invalid(
                "invalid_body",
                "a PATCH body is a JSON Patch document: an array of operations",
            );
        };
        if self.has(Fault::UnsupportedPatchOpAccepted) {
            ops.retain(|op| {
                matches!(
                    op.get("op").and_then(Value::as_str),
                    Some("add" | "replace")
                )
            });
        }
        let document = Value::Array(ops.clone());
        let violations = match self.schemas.validate("patch", &document) {
            Ok(v) => v,
            Err(e) => return Reply::error(500, "generalException", e.to_string()),
        };
        if !violations.is_empty() {
            let unsupported = violations.iter().any(|v| v.pointer.ends_with("/op"));
            let situation = if unsupported {
                "unsupported_patch_op"
            } else {
                "invalid_body"
            };
            return self.invalid(
                situation,
                format!(
                    "the body does not match the JSON Patch schema: {}",
                    describe(&violations)
                ),
            );
        }
        let racing = self.racing_version(&store, id);
        let accepted = match self.precondition(
            request,
            (&stored, racing.as_deref()),
            false,
            Fault::PatchStaleIfMatchAccepted,
        ) {
            Ok(accepted) => accepted,
            Err(reply) => return reply,
        };
        coerce_deal_value(&mut ops);
        let before = stored.body();
        let patched = match self.patched(&before, &ops) {
            Ok(patched) => patched,
            Err(reply) => return reply,
        };
        if let Err(reply) = self.check_move(&before, &patched) {
            return reply;
        }
        let written = self.finish_write(&mut store, id, &before, patched);
        if !accepted {
            return self.stale(self.contract.if_match_header());
        }
        let wants_body =
            header(request, "prefer").is_some_and(|p| p.contains("return=representation"));
        let reply = if wants_body && !self.has(Fault::PreferIgnored) {
            self.written(
                &mut store,
                self.expected("patch_representation", 200),
                written,
            )
        } else {
            Reply::empty(self.expected("patch", 204), written.etag.as_deref())
        };
        self.committed(reply)
    }

    /// The stored resource with `ops` applied, checked: read-only fields unchanged and
    /// still a valid referral.
    fn patched(
        &self,
        before: &Map<String, Value>,
        ops: &[Value],
    ) -> Result<Map<String, Value>, Reply> {
        let mut patched = Value::Object(before.clone());
        patch::apply(&mut patched, ops, false)
            .map_err(|error| self.invalid("invalid_body", error.to_string()))?;
        let Value::Object(patched) = patched else {
            return Err(self.invalid("invalid_body", "the patched referral is not an object"));
        };
        for pointer in &self.contract.read_only.fields {
            let key = pointer.as_str().trim_start_matches('/');
            if patched.get(key) != before.get(key) {
                return Err(self.invalid("invalid_body", format!("{pointer} is read-only")));
            }
        }
        let violations = self
            .schemas
            .validate("referral", &Value::Object(patched.clone()))
            .map_err(|e| Reply::error(500, "generalException", e.to_string()))?;
        if !violations.is_empty() {
            return Err(self.invalid(
                "invalid_body",
                format!(
                    "the patched referral is not valid: {}",
                    describe(&violations)
                ),
            ));
        }
        Ok(patched)
    }
}

/// The value at a property path, if there is one.
fn member<'v>(value: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, s| v.get(s))
}

/// The docs send dealValue as a numeric string ("10000"): store it as the number it means.
fn coerce_deal_value(ops: &mut [Value]) {
    for op in ops {
        if op.get("path").and_then(Value::as_str) != Some("/details/dealValue") {
            continue;
        }
        let Some(text) = op.get("value").and_then(Value::as_str) else {
            continue;
        };
        if let Ok(whole) = text.parse::<i64>() {
            op["value"] = whole.into();
        } else if let Some(number) = text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            op["value"] = Value::Number(number);
        }
    }
}
