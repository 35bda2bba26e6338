//! The stateful double: a faithful, fast stand-in for the API a suite's contract
//! describes, served by hyper or wiremock. It obeys the suite's contract.yaml (its
//! operations, states, assigned fields, tag rule, error and list shapes) and schemas, the
//! same data the checks read; it can be made deterministic (seeded ids and tags, a
//! stepping clock), and can carry faults from the catalogue, at the hook points of
//! `hooks.rs`, so the suite's strength can be measured.
//!
//! A request goes `server.rs`/`mock.rs` → `route.rs` → one handler per operation kind
//! (`create.rs`, `read.rs`, `listing.rs`, `replace.rs`, `update.rs`, `delete.rs`), which
//! use `media.rs`, `precondition.rs`, `states.rs` and `commit.rs`; the servers depend on
//! the handlers, never the other way round.

pub mod api;
pub mod clock;
mod commit;
mod create;
pub mod data;
mod delete;
pub mod fault;
pub mod hooks;
mod listing;
mod media;
mod mock;
pub mod need;
pub mod odata;
pub mod patch;
pub mod precondition;
mod read;
mod replace;
pub mod reply;
pub mod request;
mod route;
pub mod server;
pub mod shared;
mod states;
pub mod store;
mod update;
pub mod variant;

use std::collections::BTreeSet;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

use crate::fixture::vocabulary::OperationKind;
use crate::fixture::Suite;
pub use fault::{Fault, UnknownFault};
use server::Server;
use shared::Shared;
use store::Store;
pub use variant::{UnknownVariant, Variant};

/// The default cap on a request body (a resource is a few kilobytes).
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Which HTTP server carries the double.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DoubleServer {
    /// wiremock's `MockServer` with the double as its responder (the default of a run's
    /// embedded double).
    #[default]
    Wiremock,
    /// A bare hyper server that keeps no copy of the requests it answered and closes idle
    /// connections: `vouch serve`'s default, and very long runs, where wiremock's per-mock
    /// request log would grow memory without bound.
    Lean,
}

impl DoubleServer {
    /// The most scenarios a run keeps on wiremock (whose mock keeps a copy of every request
    /// it matched: about 55 KB a scenario, so at most about 55 MiB); a longer run gets the
    /// lean server, so no run grows without bound.
    pub const WIREMOCK_MAX_SCENARIOS: usize = 1000;

    /// The server for a run of `scenarios` scenarios on the embedded double.
    pub fn for_run(scenarios: usize) -> Self {
        if scenarios > Self::WIREMOCK_MAX_SCENARIOS {
            Self::Lean
        } else {
            Self::Wiremock
        }
    }
}

impl std::str::FromStr for DoubleServer {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "wiremock" => Ok(Self::Wiremock),
            "lean" => Ok(Self::Lean),
            other => Err(format!(
                "the double's server is wiremock or lean, not {other:?}"
            )),
        }
    }
}

/// How to start a double.
#[derive(Debug, Clone)]
pub struct DoubleConfig {
    /// `Some(seed)`: deterministic ids, eTags and clock. `None`: wall clock, fresh ids.
    pub seed: Option<u64>,
    /// When set, every request must carry `Authorization: Bearer <token>`.
    pub token: Option<String>,
    pub faults: BTreeSet<Fault>,
    /// Conformant variants (behaviour the docs allow that the double does not do by default).
    pub variants: BTreeSet<Variant>,
    pub body_limit: usize,
    /// The HTTP server that carries it.
    pub server: DoubleServer,
    /// Resources stored before the first request, in varied valid states (`data.rs`).
    pub preload: usize,
}

impl Default for DoubleConfig {
    fn default() -> Self {
        Self {
            seed: Some(0),
            token: None,
            faults: BTreeSet::new(),
            variants: BTreeSet::new(),
            body_limit: DEFAULT_BODY_LIMIT,
            server: DoubleServer::default(),
            preload: 0,
        }
    }
}

impl DoubleConfig {
    #[must_use]
    pub fn with_fault(mut self, fault: Fault) -> Self {
        self.faults.insert(fault);
        self
    }

    #[must_use]
    pub fn with_variant(mut self, variant: Variant) -> Self {
        self.variants.insert(variant);
        self
    }
}

/// Why a double could not start.
#[derive(Debug, thiserror::Error)]
pub enum DoubleError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    /// The contract names a schema the suite cannot validate against: vouch's error.
    #[error("the double cannot serve the {operation} operation")]
    Schema {
        operation: OperationKind,
        source: crate::schema::SchemaError,
    },
}

/// A running double. Dropping it stops the server.
pub struct Double {
    server: Carrier,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Double {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Double")
            .field("uri", &self.uri())
            .finish_non_exhaustive()
    }
}

/// The running server.
enum Carrier {
    Wiremock(wiremock::MockServer),
    Lean(Server),
}

/// Every schema the declared operations name must be one the suite compiled.
fn check_schemas(suite: &Suite) -> Result<(), DoubleError> {
    for (operation, declared) in suite.contract.operations.iter() {
        for role in [&declared.request, &declared.response]
            .into_iter()
            .flatten()
        {
            suite
                .schemas
                .validate(role, &serde_json::Value::Null)
                .map_err(|source| DoubleError::Schema { operation, source })?;
        }
    }
    Ok(())
}

/// A listening socket with `TCP_NODELAY` (accepted connections inherit it on Linux), so
/// small responses are not held back by Nagle's algorithm.
fn listen(address: SocketAddr) -> Result<TcpListener, DoubleError> {
    let bind = |source| DoubleError::Bind { address, source };
    let domain = if address.is_ipv6() {
        socket2::Domain::IPV6
    } else {
        socket2::Domain::IPV4
    };
    let socket = socket2::Socket::new(domain, socket2::Type::STREAM, Some(socket2::Protocol::TCP))
        .map_err(bind)?;
    socket.set_reuse_address(true).map_err(bind)?;
    socket.set_tcp_nodelay(true).map_err(bind)?;
    socket.bind(&address.into()).map_err(bind)?;
    socket.listen(1024).map_err(bind)?;
    Ok(socket.into())
}

impl Double {
    /// Starts a double for `suite` on a free loopback port.
    pub async fn start(suite: &Suite, config: DoubleConfig) -> Result<Self, DoubleError> {
        Self::start_on(suite, config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a double for `suite` listening on `address`. (Async for its callers' sake: the
    /// server starts on its own thread, listening before this returns.)
    pub async fn start_on(
        suite: &Suite,
        config: DoubleConfig,
        address: SocketAddr,
    ) -> Result<Self, DoubleError> {
        check_schemas(suite)?;
        let listener = listen(address)?;
        let bound = listener
            .local_addr()
            .map_err(|source| DoubleError::Bind { address, source })?;
        let preload = data::preload_count(config.preload, &config.faults);
        let (clock, ids) = match config.seed {
            Some(seed) => (clock::Clock::deterministic(), clock::Ids::seeded(seed)),
            None => (clock::Clock::wall(), clock::Ids::unseeded()),
        };
        let variants = variant::Variants::new(config.variants, variant::CreateRewrite::of(suite));
        let clock = clock.with_resolution(variants.time_resolution());
        let query = &suite.contract.query;
        let properties = odata::Properties::from_schema(&suite.schemas, &query.schema);
        let filterable = if query.filterable.iter().any(|f| f == "*") {
            properties.clone()
        } else {
            properties.restricted_to(&query.filterable)
        };
        let shared = Arc::new(Shared {
            contract: suite.contract.clone(),
            api: api::Api::of(&suite.contract).packing_against(suite),
            schemas: Arc::clone(&suite.schemas),
            hooks: hooks::Hooks::new(config.faults.clone()),
            faults: config.faults,
            variants,
            token: config.token,
            body_limit: config.body_limit,
            store: Mutex::new(Store::new(clock, ids)),
            properties,
            filterable,
            failures: Mutex::new(Vec::new()),
        });
        // Stored before the server answers anything, as seen at the address it listens on.
        if preload > 0 {
            let ids = data::preload(&shared, suite, preload, &bound.to_string());
            data::break_stored(&shared, suite, &ids);
        }
        let server = match config.server {
            DoubleServer::Wiremock => {
                Carrier::Wiremock(mock::start(listener, Arc::clone(&shared)).await)
            }
            DoubleServer::Lean => Carrier::Lean(
                Server::start(listener, Arc::clone(&shared))
                    .map_err(|source| DoubleError::Bind { address, source })?,
            ),
        };
        Ok(Self { server, shared })
    }

    /// The base URI, e.g. `http://127.0.0.1:41234`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address())
    }

    pub fn address(&self) -> SocketAddr {
        match &self.server {
            Carrier::Wiremock(server) => mock::address(server),
            Carrier::Lean(server) => server.address(),
        }
    }

    /// How many resources the double holds.
    pub fn resource_count(&self) -> usize {
        self.shared.store.lock().map_or(0, |s| s.len())
    }

    /// The bytes the stored resources take packed, and as the JSON text they are answered
    /// as (for tests and the memory benchmark).
    pub fn stored_sizes(&self) -> (usize, usize) {
        let api = &self.shared.api;
        self.shared.store.lock().map_or((0, 0), |s| {
            s.all()
                .map(|r| (r.packed_len(), r.text(api).len()))
                .fold((0, 0), |(p, t), (a, b)| (p + a, t + b))
        })
    }

    /// The ids of the stored resources, in creation order (for tests).
    pub fn ids(&self) -> Vec<String> {
        let api = &self.shared.api;
        self.shared.store.lock().map_or_else(
            |_| Vec::new(),
            |s| {
                s.all()
                    .filter_map(|r| r.id(api).map(str::to_owned))
                    .collect()
            },
        )
    }

    /// The stored resource with that id, as the double holds it (for tests).
    pub fn stored(&self, id: &str) -> Option<serde_json::Value> {
        let store = self.shared.store.lock().ok()?;
        store
            .get(id)
            .map(|s| serde_json::Value::Object(s.body(&self.shared.api)))
    }

    /// Stores `resource` as given, with an id and a tag of the double's when it has none,
    /// and returns its id: for resources a client cannot create, such as ones whose
    /// server-assigned fields say they came from elsewhere. `None` when it is not a JSON
    /// object.
    pub fn seed(&self, resource: serde_json::Value) -> Option<String> {
        let serde_json::Value::Object(mut body) = resource else {
            return None;
        };
        let shared = &self.shared;
        let api = &shared.api;
        let mut store = shared.store.lock().ok()?;
        let id = match api.id_of(&body) {
            Some(id) => id.to_owned(),
            None => store.ids.guid(),
        };
        api::set(&mut body, &api.id, id.clone().into());
        if let Some(etag) = &api.etag {
            if api::get(&body, etag).is_none() {
                let tag = shared.new_etag(&mut store);
                api::set(&mut body, etag, tag.into());
            }
        }
        let stored = shared.stored(&body);
        store.put(&id, stored);
        Some(id)
    }

    /// What went wrong in the double itself while it served (vouch's errors, not the
    /// API's): a run that sees one could not judge the API and ends with exit 2.
    pub fn failures(&self) -> Vec<String> {
        self.shared
            .failures
            .lock()
            .map_or_else(|e| e.into_inner().clone(), |f| f.clone())
    }

    pub fn faults(&self) -> &BTreeSet<Fault> {
        &self.shared.faults
    }

    pub fn variants(&self) -> &BTreeSet<Variant> {
        self.shared.variants.set()
    }
}
