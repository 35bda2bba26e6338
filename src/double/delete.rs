//! Delete: an item removed after its precondition (`If-Match` as the operation declares
//! it), answered with the operation's success (204, no body); then it is gone (404).

use crate::double::precondition::Outcome;
use crate::double::reply::Reply;
use crate::double::request::Request;
use crate::double::shared::Shared;
use crate::fixture::vocabulary::OperationKind;

impl Shared {
    pub fn delete(&self, request: &Request, id: &str) -> Reply {
        let mut store = self.lock();
        let Some(stored) = store.get(id).cloned() else {
            return self.missing(id);
        };
        let outcome = match self.precondition(request, OperationKind::Delete, &store, (id, &stored))
        {
            Ok(outcome) => outcome,
            Err(reply) => return reply,
        };
        if !self.hooks.delete_kept() {
            store.remove(id);
        }
        if matches!(outcome, Outcome::StoreThenRefuse) {
            return self.stale();
        }
        let situation = self
            .api
            .operation(OperationKind::Delete)
            .map_or("delete", |o| o.success_situation(OperationKind::Delete))
            .to_owned();
        let reply = Reply::empty(self.expected(&situation, 204));
        self.hooks.shape_reply(&self.api, &mut store, reply)
    }
}
