//! Update: a PATCH in the operation's body format, a JSON Patch (RFC 6902, the operations
//! the patch schema allows) or a merge patch (RFC 7396, a partial object merged into the
//! resource), after its precondition. Read-only fields may not change; the result must
//! still be a valid resource and a move the state table allows. The answer follows the
//! operation's `prefer` rule (RFC 7240): the representation when asked for, else none.

use serde_json::{Map, Value};

use crate::double::patch;
use crate::double::precondition::Outcome;
use crate::double::reply::Reply;
use crate::double::request::Request;
use crate::double::shared::{describe, Shared};
use crate::fixture::vocabulary::{BodyFormat, OperationKind};

impl Shared {
    pub fn patch(&self, request: &Request, id: &str) -> Reply {
        let mut store = self.lock();
        let Some(stored) = store.get(id).cloned() else {
            return self.missing(id);
        };
        let operation = self.api.operation(OperationKind::Patch);
        let format = operation.map_or(BodyFormat::JsonPatch, |o| o.body);
        let mut value = match self.json_body(request, format) {
            Ok(value) => value,
            Err(reply) => return reply,
        };
        let shape_ok = match format {
            BodyFormat::MergePatch => value.is_object(),
            BodyFormat::JsonPatch | BodyFormat::Resource => value.is_array(),
        };
        if !shape_ok {
            let shape = if format == BodyFormat::MergePatch {
                "a merge patch: a JSON object"
            } else {
                "a JSON Patch document: an array of operations"
            };
            return self.invalid("invalid_body", format!("a PATCH body is {shape}"));
        }
        self.hooks
            .before_validate(&self.api, OperationKind::Patch, format, &mut value);
        if let Some(role) = operation.and_then(|o| o.request.as_deref()) {
            let violations = match self.validate(role, &value) {
                Ok(v) => v,
                Err(reply) => return reply,
            };
            if !violations.is_empty() {
                let unsupported = format == BodyFormat::JsonPatch
                    && violations.iter().any(|v| v.pointer.ends_with("/op"));
                let situation = if unsupported {
                    "unsupported_patch_op"
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
        let outcome = match self.precondition(request, OperationKind::Patch, &store, (id, &stored))
        {
            Ok(outcome) => outcome,
            Err(reply) => return reply,
        };
        crate::profile::before_patch(self.contract.profile, &mut value);
        let before = stored.body(&self.api);
        let patched = match self.patched(&before, &value, format) {
            Ok(patched) => patched,
            Err(reply) => return reply,
        };
        if let Err(reply) = self.check_move(&before, &patched) {
            return reply;
        }
        let written = self.commit(&mut store, id, &before, &patched);
        if matches!(outcome, Outcome::StoreThenRefuse) {
            return self.stale();
        }
        let wants_body = request
            .header("prefer")
            .is_some_and(|p| p.contains("return=representation"));
        let (situation, representation) = match operation.and_then(|o| o.prefer.as_ref()) {
            Some(rule) if wants_body && self.hooks.prefer_honoured() => {
                (rule.representation.as_str(), true)
            }
            Some(rule) => (rule.minimal.as_str(), false),
            None => (
                operation.map_or("patch", |o| o.success_situation(OperationKind::Patch)),
                operation.is_some_and(|o| o.response.is_some()),
            ),
        };
        if representation {
            self.written(&mut store, self.expected(situation, 200), &written)
        } else {
            let reply = Reply::empty(self.expected(situation, 204))
                .header_if(self.api.etag_header.as_deref(), written.etag());
            self.hooks.shape_reply(&self.api, &mut store, reply)
        }
    }

    /// The stored resource with the patch applied, checked: read-only fields unchanged
    /// and still a valid resource.
    fn patched(
        &self,
        before: &Map<String, Value>,
        body: &Value,
        format: BodyFormat,
    ) -> Result<Map<String, Value>, Reply> {
        let mut patched = Value::Object(before.clone());
        match (format, body) {
            (BodyFormat::MergePatch, _) => merge(&mut patched, body),
            (_, Value::Array(ops)) => patch::apply(&mut patched, ops, false)
                .map_err(|error| self.invalid("invalid_body", error.to_string()))?,
            _ => return Err(self.invalid("invalid_body", "a PATCH body is an array")),
        }
        let Value::Object(patched) = patched else {
            return Err(self.invalid("invalid_body", "the patched resource is not an object"));
        };
        for pointer in &self.api.read_only {
            let (now, was) = (
                crate::double::api::get(&patched, pointer),
                crate::double::api::get(before, pointer),
            );
            if now != was {
                return Err(self.invalid("invalid_body", format!("{pointer} is read-only")));
            }
        }
        let role = self
            .api
            .operation(OperationKind::Get)
            .and_then(|o| o.response.clone());
        if let Some(role) = role {
            let violations = self.validate(&role, &Value::Object(patched.clone()))?;
            if !violations.is_empty() {
                return Err(self.invalid(
                    "invalid_body",
                    format!(
                        "the patched resource is not valid: {}",
                        describe(&violations)
                    ),
                ));
            }
        }
        Ok(patched)
    }
}

/// RFC 7396: `patch` merged into `target` (null removes a member; objects merge; any
/// other value replaces).
fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(members) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(map) = target else { return };
    for (key, value) in members {
        if value.is_null() {
            map.remove(key);
        } else {
            merge(map.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_merge_patch_merges_objects_replaces_values_and_removes_nulls() {
        let mut target = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]});
        merge(
            &mut target,
            &json!({"a": 5, "b": {"c": null, "x": 1}, "e": [2]}),
        );
        assert_eq!(target, json!({"a": 5, "b": {"d": 3, "x": 1}, "e": [2]}));
    }
}
