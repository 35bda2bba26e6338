//! The double's data before any request, and the data faults that break it. `--preload N`
//! stores N referrals in varied, valid states: each is created and then moved with the
//! double's own create and PATCH (through its one handler), so it is what the double
//! would hold after real traffic, spread over every (status, substatus) pair of the
//! contract's table, a few to an engagement. The data faults then bend what is stored or
//! listed: a pair outside the table, createdDateTime after updatedDateTime, a list entry
//! that differs from the referral got by id, an entry listed twice, a wrong @odata.count.

use bytes::Bytes;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{HeaderMap, Method};
use reqwest::Url;
use serde_json::{Map, Value};

use crate::double::fault::Fault;
use crate::double::responder::Shared;
use crate::double::server::Request;
use crate::double::store::Stored;
use crate::fixture::Suite;

/// The referrals a double with a data fault holds at least, so the fault has data to
/// break.
pub const DATA_FAULT_PRELOAD: usize = 8;

/// How many referrals share one engagement.
const PER_ENGAGEMENT: usize = 3;

/// The documented create example the preloaded referrals are made from.
const CREATE_EXAMPLE: &str = "create-a-referral.request";

/// How many referrals to preload for `asked` and these faults.
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

/// Stores `count` referrals through the double's handler, as seen from `host`; returns
/// the ids in creation order.
pub(super) fn preload(shared: &Shared, suite: &Suite, count: usize, host: &str) -> Vec<String> {
    let Some(example) = suite
        .examples
        .iter()
        .find(|e| e.spec.name == CREATE_EXAMPLE)
        .and_then(|e| e.json.clone())
    else {
        return Vec::new();
    };
    let contract = &suite.contract;
    let table = contract.transitions().unwrap_or_default();
    let pairs: Vec<(String, String)> = table
        .pair_list()
        .into_iter()
        .map(|(status, sub)| (status.to_owned(), sub.to_owned()))
        .collect();
    let collection = contract.resource.path.as_str();
    let mut ids = Vec::with_capacity(count);
    let mut engagement: Option<Value> = None;
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
            if index % PER_ENGAGEMENT != 0 {
                if let Some(engagement) = &engagement {
                    members.insert("engagementId".into(), engagement.clone());
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
        if index % PER_ENGAGEMENT == 0 {
            engagement = shared
                .stored_body(&id)
                .and_then(|b| b.get("engagementId").cloned());
        }
        // Then move it to its pair (a move the table refuses leaves it as created).
        let pair = pairs.get(index % pairs.len().max(1));
        if let (Some((status, substatus)), Some(states)) = (pair, &contract.states) {
            let status_pointer = states.status.as_str();
            let sub_pointer = states.substatus.as_ref().map_or("", |p| p.as_str());
            let stored = shared.stored_body(&id).unwrap_or_default();
            let now = (
                stored.get(status_pointer.trim_start_matches('/')),
                stored.get(sub_pointer.trim_start_matches('/')),
            );
            if now
                != (
                    Some(&Value::from(status.as_str())),
                    Some(&Value::from(substatus.as_str())),
                )
            {
                let patch = serde_json::json!([
                    { "op": "replace", "path": status_pointer, "value": status },
                    { "op": "replace", "path": sub_pointer, "value": substatus },
                ]);
                if let Some(move_it) = request(
                    shared,
                    Method::PATCH,
                    host,
                    &format!("{collection}/{id}"),
                    &patch,
                ) {
                    shared.handle(&move_it);
                }
            }
        }
        ids.push(id);
    }
    ids
}

/// Breaks the stored data as the data faults say (once, after the preload).
pub(super) fn break_stored(shared: &Shared, suite: &Suite, ids: &[String]) {
    let contract = &suite.contract;
    let filterable = &contract.resource.filterable;
    if shared.faults.contains(&Fault::StoredPairOutsideTable) {
        let table = contract.transitions().unwrap_or_default();
        let outside = table.statuses().into_iter().find_map(|status| {
            let sub = table.foreign_sub(&status)?.to_owned();
            Some((status, sub))
        });
        if let (Some(id), Some((status, substatus)), Some(states)) =
            (ids.first(), outside, &contract.states)
        {
            let state = crate::fixture::vocabulary::StateValue {
                status,
                substatus: Some(substatus),
            };
            shared.rewrite(id, filterable, |body| {
                for (pointer, value) in states.members(&state) {
                    set(body, pointer.as_str(), value);
                }
            });
        }
    }
    if shared.faults.contains(&Fault::CreatedAfterUpdated) {
        if let Some(verification) = &contract.verification {
            let (created, updated) = (verification.created.as_str(), verification.updated.as_str());
            // A referral that was moved after it was created: its times differ.
            let moved = ids.iter().find(|id| {
                shared.stored_body(id).is_some_and(|b| {
                    get(&b, created).is_some() && get(&b, created) != get(&b, updated)
                })
            });
            if let Some(id) = moved {
                shared.rewrite(id, filterable, |body| {
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
    /// The stored referral `id`, parsed.
    pub(super) fn stored_body(&self, id: &str) -> Option<Map<String, Value>> {
        let store = self.store.lock().ok()?;
        store.get(id).map(Stored::body)
    }

    /// Changes the stored referral `id` in place (eTag and all else kept).
    fn rewrite(
        &self,
        id: &str,
        filterable: &[String],
        change: impl FnOnce(&mut Map<String, Value>),
    ) {
        let Ok(mut store) = self.store.lock() else {
            return;
        };
        if let Some(mut body) = store.get(id).map(Stored::body) {
            change(&mut body);
            store.put(id, Stored::new(&body, filterable));
        }
    }
}
