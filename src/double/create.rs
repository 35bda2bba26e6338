//! Create: a POST to the collection, its body checked against the operation's request
//! schema, stored with what the server assigns (`assigned:`: ids, times, tags,
//! constants, a client's value kept or made) and its state (`states:`), answered 201 with
//! a `Location` (or as the variants say).

use serde_json::{Map, Value};

use crate::double::api;
use crate::double::reply::Reply;
use crate::double::request::Request;
use crate::double::shared::{describe, Shared};
use crate::double::store::Store;
use crate::fixture::vocabulary::{Assign, Generator, OperationKind};

impl Shared {
    pub fn create(&self, request: &Request) -> Reply {
        let value = match self.object_body(request) {
            Ok(value) => value,
            Err(reply) => return reply,
        };
        let role = self
            .api
            .operation(OperationKind::Create)
            .and_then(|o| o.request.clone());
        if let Some(role) = role {
            let violations = match self.validate(&role, &value) {
                Ok(v) => v,
                Err(reply) => return reply,
            };
            if !violations.is_empty() {
                return self.invalid(
                    "invalid_body",
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
        let state = match self.created_state(&sent) {
            Ok(state) => state,
            Err(reply) => return reply,
        };
        let base = request.base();
        let mut store = self.lock();
        let mut body = Map::new();
        let now = self.tick(&mut store);
        for (pointer, assign) in &self.api.assigned {
            if let Some(value) = self.assign(&mut store, assign, &sent, pointer, &now) {
                api::set(&mut body, pointer, value);
            }
        }
        for (key, value) in &sent {
            if !self.api.is_read_only(&format!("/{key}")) {
                body.insert(key.clone(), value.clone());
            }
        }
        if let (Some(states), Some((status, substatus))) = (&self.api.states, state) {
            api::set(&mut body, &states.status, status.into());
            if let (Some(pointer), Some(substatus)) = (&states.substatus, substatus) {
                api::set(&mut body, pointer, substatus.into());
            }
        }
        self.hooks.after_create(&self.api, &mut body);
        // The tag last, over the whole version (assigned: etag).
        if let Some(etag) = &self.api.etag {
            if self.assigns_etag() || api::get(&body, etag).is_none() {
                let tag = self.new_etag(&mut store);
                api::set(&mut body, etag, tag.into());
            }
        }
        let Some(id) = self.api.id_of(&body).map(str::to_owned) else {
            drop(store);
            return self.fail(format!(
                "the contract assigns no {} on create (assigned: has no generator for it)",
                self.api.id
            ));
        };
        let site = crate::profile::Site {
            base: &base,
            collection: &self.api.collection,
            id: &id,
            misspelled: self.hooks.links_misspelled(),
        };
        crate::profile::on_create(self.contract.profile, site, &mut body);
        self.variants.extend_resource(&mut body, &self.api);
        let stored = self.stored(&body);
        let created = if self.accepts("create", 201) {
            201
        } else {
            self.expected("create", 201)
        };
        let reply = self.resource(self.variants.create_status(created), &stored);
        store.put(&id, stored);
        drop(store);
        if !self.variants.create_location() {
            return reply;
        }
        reply.header("Location", format!("{base}{}", self.api.item_path(&id)))
    }

    fn assigns_etag(&self) -> bool {
        self.api
            .assigned
            .iter()
            .any(|(_, a)| *a == Assign::Generated(Generator::Etag))
    }

    /// The value the server assigns to `pointer` on create.
    fn assign(
        &self,
        store: &mut Store,
        assign: &Assign,
        sent: &Map<String, Value>,
        pointer: &crate::fixture::contract::Pointer,
        now: &str,
    ) -> Option<Value> {
        match assign {
            // Made last, over the whole version.
            Assign::Generated(Generator::Etag) => None,
            Assign::Generated(generator) => Some(self.generate(store, *generator, now)),
            Assign::Constant { value } => Some(self.variants.constant(value)),
            Assign::KeepOr { keep_or } => Some(
                api::get(sent, pointer)
                    .filter(|v| !v.is_null())
                    .cloned()
                    .unwrap_or_else(|| self.generate(store, *keep_or, now)),
            ),
            Assign::After { days_after_created } => Some(
                self.variants
                    .time(store.clock.days_later(u64::from(*days_after_created)))
                    .into(),
            ),
        }
    }

    fn generate(&self, store: &mut Store, generator: Generator, now: &str) -> Value {
        match generator {
            Generator::Guid => self.variants.id(store.ids.guid()).into(),
            Generator::Token => store.ids.token().into(),
            Generator::Created | Generator::Updated => now.into(),
            Generator::Etag => self.new_etag(store).into(),
        }
    }
}
