//! The double's state: the stored resources in creation order, and the clock and id
//! source that stamp them. Held behind one mutex, so every write is an atomic
//! compare-and-swap on the eTag.

use std::collections::HashMap;

use bytes::Bytes;

use serde_json::{Map, Value};

use crate::double::api::Api;
use crate::double::clock::{Clock, Ids};
use crate::fixture::contract::Pointer;

/// A stored resource: its JSON text, packed, with the members lists and writes look at
/// kept parsed beside it.
///
/// A run of many scenarios stores thousands of resources that differ from the suite's
/// documented examples in a few values, so the text is kept LZ4-compressed against those
/// examples (`Api::dictionary`): a 3 KB resource takes a few hundred bytes. The members kept
/// parsed are `Api::indexed`, by position, without their names.
#[derive(Debug, Clone)]
pub struct Stored {
    packed: Box<[u8]>,
    /// The value of each of `Api::indexed`, in that order (`None`: the member is absent).
    index: Box<[Option<Value>]>,
    etag: Option<Box<str>>,
}

impl Stored {
    /// Stores `body`, indexing what `api` says.
    pub fn new(body: &Map<String, Value>, api: &Api) -> Self {
        let text = serde_json::to_vec(body).unwrap_or_default();
        Self {
            packed: lz4_flex::block::compress_prepend_size_with_dict(&text, &api.dictionary)
                .into_boxed_slice(),
            index: api.indexed.iter().map(|k| body.get(k).cloned()).collect(),
            etag: api.etag_of(body).map(Into::into),
        }
    }

    /// The resource's JSON, as it is answered. (It was packed here from valid JSON with
    /// the same dictionary, so unpacking cannot fail short of a bug, which would show as an
    /// empty body the schema checks refuse.)
    pub fn text(&self, api: &Api) -> Bytes {
        lz4_flex::block::decompress_size_prepended_with_dict(&self.packed, &api.dictionary)
            .map(Bytes::from)
            .unwrap_or_default()
    }

    /// The whole resource, parsed.
    pub fn body(&self, api: &Api) -> Map<String, Value> {
        serde_json::from_slice(&self.text(api)).unwrap_or_default()
    }

    /// The value at `pointer` when its top-level member is indexed; `None` when it is not
    /// indexed or the resource has no such member.
    pub fn get(&self, api: &Api, pointer: &Pointer) -> Option<&Value> {
        let mut tokens = pointer.tokens();
        let first = tokens.next()?;
        let position = api.indexed.iter().position(|k| *k == first)?;
        let top = self.index.get(position)?.as_ref()?;
        tokens.try_fold(top, |value, token| match value {
            Value::Object(map) => map.get(&token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        })
    }

    /// The indexed members as an object (what a filter or an order on them reads).
    pub fn view(&self, api: &Api) -> Map<String, Value> {
        api.indexed
            .iter()
            .zip(self.index.iter())
            .filter_map(|(key, value)| value.clone().map(|v| (key.clone(), v)))
            .collect()
    }

    /// The resource's id, when it has one.
    pub fn id<'s>(&'s self, api: &Api) -> Option<&'s str> {
        self.get(api, &api.id).and_then(Value::as_str)
    }

    /// The bytes the packed text takes.
    pub fn packed_len(&self) -> usize {
        self.packed.len()
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
