//! The double's state: the stored resources in creation order, and the clock and id
//! source that stamp them. Held behind one mutex, so every write is an atomic
//! compare-and-swap on the eTag.

use std::collections::HashMap;

use bytes::Bytes;

use serde_json::{Map, Value};

use crate::double::api::Api;
use crate::double::clock::{Clock, Ids};

/// A stored resource: the full resource as the double returns it, kept as its JSON text
/// (a few kilobytes, where the parsed tree takes several times that), with the members
/// lists and writes look at kept parsed beside it.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The resource's JSON, as it is answered.
    pub text: Bytes,
    /// The indexed top-level members (`Api::indexed`: id, tag, states, times, scopes and
    /// the contract's filterable fields).
    pub index: Map<String, Value>,
    etag: Option<String>,
}

impl Stored {
    /// Stores `body`, indexing what `api` says.
    pub fn new(body: &Map<String, Value>, api: &Api) -> Self {
        let index = body
            .iter()
            .filter(|(key, _)| api.indexed.iter().any(|k| k == *key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        Self {
            text: Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
            index,
            etag: api.etag_of(body).map(str::to_owned),
        }
    }

    /// The whole resource, parsed.
    pub fn body(&self) -> Map<String, Value> {
        serde_json::from_slice(&self.text).unwrap_or_default()
    }

    pub fn etag(&self) -> Option<&str> {
        self.etag.as_deref()
    }
}

/// Everything the double remembers.
#[derive(Debug)]
pub struct Store {
    by_id: HashMap<String, Stored>,
    order: Vec<String>,
    pub clock: Clock,
    pub ids: Ids,
    /// Requests seen (for faults that act on every n-th request).
    pub requests: u64,
    /// Id → the eTag its last write replaced, and when (for the concurrent-writes fault).
    pub replaced: HashMap<String, (String, std::time::Instant)>,
}

impl Store {
    pub fn new(clock: Clock, ids: Ids) -> Self {
        Self {
            by_id: HashMap::new(),
            order: Vec::new(),
            clock,
            ids,
            requests: 0,
            replaced: HashMap::new(),
        }
    }

    pub fn get(&self, id: &str) -> Option<&Stored> {
        self.by_id.get(id)
    }

    /// Stores a new or replaced resource under `id`.
    pub fn put(&mut self, id: &str, stored: Stored) {
        if self.by_id.insert(id.to_owned(), stored).is_none() {
            self.order.push(id.to_owned());
        }
    }

    /// Every resource in creation order.
    pub fn all(&self) -> impl Iterator<Item = &Stored> {
        self.order.iter().filter_map(|id| self.by_id.get(id))
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Forgets `id`; whether it was held.
    pub fn remove(&mut self, id: &str) -> bool {
        let held = self.by_id.remove(id).is_some();
        if held {
            self.order.retain(|o| o != id);
            self.replaced.remove(id);
        }
        held
    }
}
