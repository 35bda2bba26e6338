//! The double's data before any request, and the data faults that break it. `--preload N`
//! stores N resources in varied, valid states: each is created and then moved with the
//! double's own create and PATCH (through its one handler), so it is what the double
//! would hold after real traffic, spread over every (status, substatus) pair of the
//! contract's table, a few to an engagement. The data faults then bend what is stored or
//! listed: a pair outside the table, createdDateTime after updatedDateTime, a list entry
//! that differs from the resource got by id, an entry listed twice, a wrong @odata.count.

use bytes::Bytes;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{HeaderMap, Method};
use reqwest::Url;
use serde_json::{Map, Value};

use crate::double::api;
use crate::double::fault::Fault;
use crate::double::request::Request;
use crate::double::shared::Shared;
use crate::double::store::Stored;
use crate::fixture::vocabulary::{Assign, OperationKind};
use crate::fixture::Suite;

/// The resources a double with a data fault holds at least, so the fault has data to
/// break.
pub const DATA_FAULT_PRELOAD: usize = 8;

/// How many resources share one group (the fields a create keeps when sent, such as a
/// parent's id).
const PER_GROUP: usize = 3;

/// How many resources to preload for `asked` and these faults.
pub fn preload_count(asked: usize, faults: &std::collections::BTreeSet<Fault>) -> usize {
    if faults.iter().any(|f| f.needs_data()) {
        asked.max(DATA_FAULT_PRELOAD)
    } else {
        asked
    }
}

fn request(
    shared: &Shared,
    method: Method,
    host: &str,
    path: &str,
    body: &Value,
) -> Option<Request> {
    let url = Url::parse(&format!("http://{host}{path}")).ok()?;
    let mut headers = HeaderMap::new();
    headers.insert(HOST, HeaderValue::from_str(host).ok()?);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(token) = &shared.token {
        // The double's own requests pass its own --token.
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).ok()?,
        );
    }
    let body = Bytes::from(serde_json::to_vec(body).ok()?);
    Some(Request {
        method,
        url,
        headers,
        length: body.len(),
        body,
    })
}

/// Stores `count` resources through the double's handler, as seen from `host`; returns
/// the ids in creation order.
pub(super) fn preload(shared: &Shared, suite: &Suite, count: usize, host: &str) -> Vec<String> {
    let api = &shared.api;
    let role = api
        .operation(OperationKind::Create)
        .and_then(|o| o.request.as_deref());
    let Some(example) = suite
        .examples
        .iter()
        .find(|e| e.spec.schema.is_some() && e.spec.schema.as_deref() == role)
        .and_then(|e| e.json.clone())
    else {
        return Vec::new();
    };
    let contract = &suite.contract;
    let pairs: Vec<(String, Option<String>)> =
        api.states.as_ref().map_or_else(Vec::new, |states| {
            if states.substatus.is_some() {
                states
                    .pairs
                    .iter()
                    .flat_map(|(status, subs)| {
                        subs.iter()
                            .map(move |sub| (status.clone(), Some(sub.clone())))
                    })
                    .collect()
            } else {
                states.moves.keys().map(|s| (s.clone(), None)).collect()
            }
        });
    // The fields a create keeps when sent: a group's members share them.
    let grouped: Vec<&crate::fixture::contract::Pointer> = api
        .assigned
        .iter()
        .filter(|(_, a)| matches!(a, Assign::KeepOr { .. }))
        .map(|(p, _)| p)
        .collect();
    let collection = api.collection.as_str();
    let mut ids = Vec::with_capacity(count);
    let mut group: Vec<(crate::fixture::contract::Pointer, Value)> = Vec::new();
    for index in 0..count {
        let mut body = example.clone();
        if let Value::Object(members) = &mut body {
            // A name of its own (the first writable field), so they are told apart.
            if let Some(first) = contract.writable.fields.first() {
                if let Some(Value::String(text)) =
                    members.get_mut(first.as_str().trim_start_matches('/'))
                {
                    *text = format!("{text} (preloaded {index})");
                }
            }
            if index % PER_GROUP != 0 {
                for (pointer, value) in &group {
                    api::set(members, pointer, value.clone());
                }
            }
        }
        let Some(create) = request(shared, Method::POST, host, collection, &body) else {
            break;
        };
        let reply = shared.handle(&create);
        let created = reply
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("location"))
            .and_then(|(_, v)| v.rsplit('/').next().map(str::to_owned));
        let Some(id) = created else { continue };
        if index % PER_GROUP == 0 {
            let stored = shared.stored_body(&id).unwrap_or_default();
            group = grouped
                .iter()
                .filter_map(|p| api::get(&stored, p).map(|v| ((*p).clone(), v.clone())))
                .collect();
        }
        // Then move it to its state (a move the table refuses leaves it as created).
        if let (Some(states), Some((status, substatus))) =
            (&api.states, pairs.get(index % pairs.len().max(1)))
        {
            let stored = shared.stored_body(&id).unwrap_or_default();
            let now = (
                api::get(&stored, &states.status).and_then(Value::as_str),
                states
                    .substatus
                    .as_ref()
                    .and_then(|p| api::get(&stored, p))
                    .and_then(Value::as_str),
            );
            if now != (Some(status.as_str()), substatus.as_deref()) {
                let mut ops = vec![
                    serde_json::json!({ "op": "replace", "path": states.status.as_str(), "value": status }),
                ];
                if let (Some(pointer), Some(sub)) = (&states.substatus, substatus) {
                    ops.push(serde_json::json!({ "op": "replace", "path": pointer.as_str(), "value": sub }));
                }
                let mut merged = Map::new();
                api::set(&mut merged, &states.status, status.clone().into());
                if let (Some(pointer), Some(sub)) = (&states.substatus, substatus) {
                    api::set(&mut merged, pointer, sub.clone().into());
                }
                let patch = match api.operation(OperationKind::Patch).map(|o| o.body) {
                    Some(crate::fixture::vocabulary::BodyFormat::MergePatch) => {
                        Value::Object(merged)
                    }
                    _ => Value::Array(ops),
                };
                let path = api.item_path(&id);
                if let Some(mut move_it) = request(shared, Method::PATCH, host, &path, &patch) {
                    if let (Some(etag), Ok(name)) = (
                        stored_etag(shared, &id),
                        hyper::header::HeaderName::from_bytes(api.if_match.as_bytes()),
                    ) {
                        if let Ok(value) = HeaderValue::from_str(&etag) {
                            move_it.headers.insert(name, value);
                        }
                    }
                    shared.handle(&move_it);
                }
            }
        }
        ids.push(id);
    }
    ids
}

fn stored_etag(shared: &Shared, id: &str) -> Option<String> {
    let store = shared.store.lock().ok()?;
    store.get(id).and_then(Stored::etag).map(str::to_owned)
}

/// Breaks the stored data as the data faults say (once, after the preload).
pub(super) fn break_stored(shared: &Shared, suite: &Suite, ids: &[String]) {
    let contract = &suite.contract;
    if shared.faults.contains(&Fault::StoredPairOutsideTable) {
        if let Some(states) = &shared.api.states {
            let outside = states.pairs.iter().find_map(|(status, own)| {
                states
                    .pairs
                    .values()
                    .flatten()
                    .find(|sub| !own.contains(*sub))
                    .map(|sub| (status.clone(), sub.clone()))
            });
            if let (Some(id), Some((status, substatus)), Some(pointer)) =
                (ids.first(), outside, &states.substatus)
            {
                shared.rewrite(id, |body| {
                    api::set(body, &states.status, status.into());
                    api::set(body, pointer, substatus.into());
                });
            }
        }
    }
    if shared.faults.contains(&Fault::CreatedAfterUpdated) {
        if let Some(verification) = &contract.verification {
            let (created, updated) = (verification.created.as_str(), verification.updated.as_str());
            // A resource that was moved after it was created: its times differ.
            let moved = ids.iter().find(|id| {
                shared.stored_body(id).is_some_and(|b| {
                    get(&b, created).is_some() && get(&b, created) != get(&b, updated)
                })
            });
            if let Some(id) = moved {
                shared.rewrite(id, |body| {
                    let (c, u) = (get(body, created).cloned(), get(body, updated).cloned());
                    if let (Some(c), Some(u)) = (c, u) {
                        set(body, created, u);
                        set(body, updated, c);
                    }
                });
            }
        }
    }
}

fn get<'b>(body: &'b Map<String, Value>, pointer: &str) -> Option<&'b Value> {
    body.get(pointer.trim_start_matches('/'))
}

fn set(body: &mut Map<String, Value>, pointer: &str, value: Value) {
    body.insert(pointer.trim_start_matches('/').to_owned(), value);
}

/// Bends a list response as the list data faults say.
pub(super) fn bend_list(shared: &Shared, body: &mut Map<String, Value>) {
    let faults = &shared.faults;
    let Some(verification) = &shared.contract.verification else {
        return;
    };
    let items = verification.items.as_str().trim_start_matches('/');
    if faults.contains(&Fault::ListEntryDiffersFromGet) {
        // The first entry is a stale copy: its first writable field is not what GET says.
        let field = shared
            .contract
            .writable
            .fields
            .first()
            .map(|p| p.as_str().trim_start_matches('/').to_owned());
        if let (Some(Value::Array(entries)), Some(field)) = (body.get_mut(items), field) {
            if let Some(Value::Object(first)) = entries.first_mut() {
                let stale = match first.get(&field) {
                    Some(Value::String(text)) => format!("{text} (stale copy)"),
                    _ => "stale copy".to_owned(),
                };
                first.insert(field, stale.into());
            }
        }
    }
    if faults.contains(&Fault::ListEntryRepeated) {
        if let Some(Value::Array(entries)) = body.get_mut(items) {
            if let Some(first) = entries.first().cloned() {
                entries.push(first);
            }
        }
    }
    if faults.contains(&Fault::ListCountWrong) {
        let count = verification.count.as_str().trim_start_matches('/');
        if let Some(n) = body.get(count).and_then(Value::as_u64) {
            body.insert(count.to_owned(), (n + 7).into());
        }
    }
}

impl Shared {
    /// The stored resource `id`, parsed.
    pub(super) fn stored_body(&self, id: &str) -> Option<Map<String, Value>> {
        let store = self.store.lock().ok()?;
        store.get(id).map(|s| s.body(&self.api))
    }

    /// Changes the stored resource `id` in place (its tag and all else kept).
    fn rewrite(&self, id: &str, change: impl FnOnce(&mut Map<String, Value>)) {
        let Ok(mut store) = self.store.lock() else {
            return;
        };
        if let Some(mut body) = store.get(id).map(|s| s.body(&self.api)) {
            change(&mut body);
            let stored = self.stored(&body);
            store.put(id, stored);
        }
    }
}
