//! What every request handler of the double shares: the contract and its vocabulary
//! (`api.rs`), the compiled schemas, the fault hooks and variants, and the store behind
//! one lock. Also the double's own failures: a schema the contract names but the suite
//! cannot validate against is vouch's error, recorded here and surfaced to the run (exit
//! 2), never an HTTP 500 blamed on the API.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{Map, Value};

use crate::double::api::{self, Api};
use crate::double::fault::Fault;
use crate::double::hooks::Hooks;
use crate::double::odata::Properties;
use crate::double::reply::Reply;
use crate::double::store::{Store, Stored};
use crate::double::variant::Variants;
use crate::fixture::contract::ExpectedResponse;
use crate::fixture::Contract;
use crate::schema::{SchemaSet, Violation};

/// What every request handler needs, shared by all connections.
pub struct Shared {
    pub contract: Contract,
    pub api: Api,
    pub schemas: Arc<SchemaSet>,
    pub faults: BTreeSet<Fault>,
    pub hooks: Hooks,
    pub variants: Variants,
    pub token: Option<String>,
    pub body_limit: usize,
    pub store: Mutex<Store>,
    /// Every property path of the contract's query schema (`$orderby`, `$select`).
    pub properties: Properties,
    /// The paths `$filter` may name.
    pub filterable: Properties,
    /// What went wrong in the double itself (vouch's errors, not the API's).
    pub failures: Mutex<Vec<String>>,
}

/// The most failures the double keeps (the first say enough).
const FAILURES_KEPT: usize = 20;

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The status a faithful server answers in `situation` (a key of `responses:`).
    pub fn expected(&self, situation: &str, fallback: u16) -> u16 {
        self.contract
            .responses
            .get(situation)
            .map_or(fallback, ExpectedResponse::preferred)
    }

    /// Whether the contract accepts `code` in `situation`.
    pub fn accepts(&self, situation: &str, code: u16) -> bool {
        self.contract
            .responses
            .get(situation)
            .is_some_and(|r| r.accepts(code))
    }

    /// An error reply in the contract's envelope (`errors:`).
    pub fn error(&self, status: u16, code: &str, message: impl Into<String>) -> Reply {
        Reply::error(status, self.error_body(code, &message.into()))
    }

    /// An error body in the contract's envelope.
    pub fn error_body(&self, code: &str, message: &str) -> Value {
        let mut body = Map::new();
        match &self.api.errors {
            Some(shape) => {
                api::set(&mut body, &shape.code, code.into());
                api::set(&mut body, &shape.message, message.into());
                for (pointer, value) in &shape.constant {
                    api::set(&mut body, pointer, value.clone());
                }
            }
            None => {
                body.insert(
                    "error".into(),
                    serde_json::json!({ "code": code, "message": message }),
                );
            }
        }
        Value::Object(body)
    }

    /// A refusal of a request the contract's `situation` covers (400 by default).
    pub fn invalid(&self, situation: &str, message: impl Into<String>) -> Reply {
        self.error(self.expected(situation, 400), "invalidRequest", message)
    }

    /// 404 for an id the store does not hold.
    pub fn missing(&self, id: &str) -> Reply {
        self.error(
            self.expected("get_missing", 404),
            "itemNotFound",
            format!("nothing with id {id}"),
        )
    }

    /// A stored resource answered with `status`, its tag in the contract's header.
    pub fn resource(&self, status: u16, stored: &Stored) -> Reply {
        Reply::resource(status, stored.text(&self.api))
            .header_if(self.api.etag_header.as_deref(), stored.etag())
    }

    /// A new entity tag, as the contract makes them (weak or strong) in the variants'
    /// format.
    pub fn new_etag(&self, store: &mut Store) -> String {
        let tag = self.variants.etag(&store.ids.etag());
        if self.api.weak {
            format!("W/{tag}")
        } else {
            tag
        }
    }

    /// A new time, in the variants' form.
    pub fn tick(&self, store: &mut Store) -> String {
        self.variants.time(store.clock.tick())
    }

    /// Stores `body` as a resource.
    pub fn stored(&self, body: &Map<String, Value>) -> Stored {
        Stored::new(body, &self.api)
    }

    /// `value`'s violations of the schema `role`; the double's own failure (recorded,
    /// answered 500) when the suite has no such schema.
    pub fn validate(&self, role: &str, value: &Value) -> Result<Vec<Violation>, Reply> {
        self.schemas
            .validate(role, value)
            .map_err(|error| self.fail(format!("cannot validate against schema {role:?}: {error}")))
    }

    /// Records a failure of the double itself and answers it: a 500 that says it is the
    /// double's, not the API's.
    pub fn fail(&self, message: String) -> Reply {
        eprintln!("vouch: error: the double failed: {message}");
        let reply = Reply::error(500, self.error_body("vouchDoubleFailure", &message))
            .header("X-Vouch-Double-Failure", "1");
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() < FAILURES_KEPT {
            failures.push(message);
        }
        drop(failures);
        reply
    }
}

/// The message listing the first few schema violations.
pub fn describe(violations: &[Violation]) -> String {
    let shown: Vec<String> = violations
        .iter()
        .take(5)
        .map(|v| {
            format!(
                "{}: {}",
                if v.pointer.is_empty() {
                    "(root)"
                } else {
                    &v.pointer
                },
                v.message
            )
        })
        .collect();
    let more = violations.len().saturating_sub(5);
    if more > 0 {
        format!("{} (and {more} more)", shown.join("; "))
    } else {
        shown.join("; ")
    }
}
