//! The double's state: the stored referrals in creation order, and the clock and id
//! source that stamp them. Held behind one mutex, so every write is an atomic
//! compare-and-swap on the eTag.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::double::clock::{Clock, Ids};

/// A stored referral: the full resource as the double returns it (shared with the replies
/// that answer with it; a write stores a new one).
#[derive(Debug, Clone)]
pub struct Stored {
    pub body: Arc<Map<String, Value>>,
}

impl Stored {
    pub fn etag(&self) -> Option<&str> {
        self.body.get("eTag").and_then(Value::as_str)
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
}

impl Store {
    pub fn new(clock: Clock, ids: Ids) -> Self {
        Self {
            by_id: HashMap::new(),
            order: Vec::new(),
            clock,
            ids,
            requests: 0,
        }
    }

    pub fn get(&self, id: &str) -> Option<&Stored> {
        self.by_id.get(id)
    }

    /// Stores a new or replaced referral under `id`.
    pub fn put(&mut self, id: &str, stored: Stored) {
        if self.by_id.insert(id.to_owned(), stored).is_none() {
            self.order.push(id.to_owned());
        }
    }

    /// Every referral in creation order.
    pub fn all(&self) -> impl Iterator<Item = &Stored> {
        self.order.iter().filter_map(|id| self.by_id.get(id))
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// A fresh entity tag in the body's quoted form.
    pub fn new_etag(&mut self) -> String {
        format!("\"{}\"", self.ids.etag())
    }
}
