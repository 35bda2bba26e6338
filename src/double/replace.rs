//! Replace: a PUT of the whole resource, after its precondition, checked against the
//! operation's request schema (a field the contract says never to send is refused), the
//! path's id and the state table, then committed.

use serde_json::Value;

use crate::double::precondition::Outcome;
use crate::double::reply::Reply;
use crate::double::request::Request;
use crate::double::shared::{describe, Shared};
use crate::fixture::vocabulary::{BodyFormat, OperationKind};

impl Shared {
    pub fn put(&self, request: &Request, id: &str) -> Reply {
        let mut store = self.lock();
        let Some(stored) = store.get(id).cloned() else {
            return self.missing(id);
        };
        let outcome = match self.precondition(request, OperationKind::Put, &store, (id, &stored)) {
            Ok(outcome) => outcome,
            Err(reply) => return reply,
        };
        let mut value = match self.object_body(request) {
            Ok(value) => value,
            Err(reply) => return reply,
        };
        self.hooks.before_validate(
            &self.api,
            OperationKind::Put,
            BodyFormat::Resource,
            &mut value,
        );
        let operation = self.api.operation(OperationKind::Put);
        if let Some(role) = operation.and_then(|o| o.request.as_deref()) {
            let violations = match self.validate(role, &value) {
                Ok(v) => v,
                Err(reply) => return reply,
            };
            if !violations.is_empty() {
                let never_sent = violations
                    .iter()
                    .any(|v| self.api.never_send.iter().any(|p| p.as_str() == v.pointer));
                let situation = if never_sent {
                    "links_in_put"
                } else {
                    "invalid_body"
                };
                return self.invalid(
                    situation,
                    format!(
                        "the body does not match the {role} schema: {}",
                        describe(&violations)
                    ),
                );
            }
        }
        let Value::Object(sent) = value else {
            return self.invalid("invalid_body", "the body must be a JSON object");
        };
        if let Some(body_id) = self.api.id_of(&sent) {
            if body_id != id && !self.hooks.id_mismatch_accepted() {
                return self.invalid(
                    "id_mismatch",
                    format!("the body's id {body_id} is not the path's {id}"),
                );
            }
        }
        let before = stored.body(&self.api);
        if let Err(reply) = self.check_move(&before, &sent) {
            return reply;
        }
        let written = self.commit(&mut store, id, &before, &sent);
        if matches!(outcome, Outcome::StoreThenRefuse) {
            return self.stale();
        }
        let situation = operation.map_or("put", |o| o.success_situation(OperationKind::Put));
        self.written(&mut store, self.expected(situation, 200), &written)
    }
}
