//! Completing an accepted write: the server's fields kept from the stored version (every
//! read-only and assigned field), the client's writable ones taken, a new update time and
//! entity tag, the fault hook `after_write`, then stored as one compare-and-swap under the
//! store's lock.

use serde_json::{Map, Value};

use crate::double::api;
use crate::double::hooks::Write;
use crate::double::reply::Reply;
use crate::double::shared::Shared;
use crate::double::store::{Store, Stored};

impl Shared {
    /// Stores the write of `sent` over `before` as `id`; returns what was stored.
    pub fn commit(
        &self,
        store: &mut Store,
        id: &str,
        before: &Map<String, Value>,
        sent: &Map<String, Value>,
    ) -> Stored {
        let now = self.tick(store);
        let api = &self.api;
        let kept = api
            .read_only
            .iter()
            .chain(api.assigned.iter().map(|(p, _)| p));
        let mut body = Map::new();
        for pointer in kept {
            if let Some(value) = api::get(before, pointer) {
                api::set(&mut body, pointer, value.clone());
            }
        }
        let mut read_only_sent = Vec::new();
        for (key, value) in sent {
            let pointer = format!("/{key}");
            if !api.is_read_only(&pointer) && !key.starts_with('@') {
                body.insert(key.clone(), value.clone());
            }
        }
        // The read-only fields a client may send that a faithful server ignores (not the
        // id, tag or times: they have faults of their own).
        for pointer in api.assigned.iter().map(|(p, _)| p) {
            let own = Some(pointer) == api.etag.as_ref()
                || *pointer == api.id
                || Some(pointer) == api.created.as_ref()
                || Some(pointer) == api.updated.as_ref();
            if let Some(value) = api::get(sent, pointer).filter(|_| !own) {
                read_only_sent.push((pointer.clone(), value.clone()));
            }
        }
        if let Some(updated) = &api.updated {
            api::set(&mut body, updated, now.clone().into());
        }
        if let Some(etag) = &api.etag {
            let tag = self.new_etag(store);
            api::set(&mut body, etag, tag.into());
        }
        let write = Write {
            api,
            before,
            body: &mut body,
            read_only_sent,
            now: &now,
        };
        self.hooks.after_write(write, store, id);
        self.variants.extend_resource(&mut body, api);
        let stored = self.stored(&body);
        store.put(id, stored.clone());
        stored
    }

    /// The answer to a write that stored `stored`: the resource with `status`.
    pub fn written(&self, store: &mut Store, status: u16, stored: &Stored) -> Reply {
        let reply = self.resource(status, stored);
        self.hooks.shape_reply(&self.api, store, reply)
    }
}
