//! Get: one stored resource by id, as it is stored, with its tag in the contract's
//! header; 404 for an id the store does not hold.

use crate::double::reply::Reply;
use crate::double::shared::Shared;

impl Shared {
    pub fn get(&self, id: &str) -> Reply {
        let store = self.lock();
        match store.get(id) {
            Some(stored) => self.resource(self.expected("get", 200), stored),
            None => self.hooks.on_missing().unwrap_or_else(|| self.missing(id)),
        }
    }
}
