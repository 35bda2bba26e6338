//! vouch: a contract-testing and conformance harness for JSON REST APIs described by
//! their documented examples and a contract held as data.
//!
//! The contract is data: a suite folder (`fixtures/<api>/`) holds `contract.yaml`
//! (operations, resource, read-only fields, states, expected responses, rules),
//! the documented examples as the docs show them, and scenarios; `schemas/` holds the
//! JSON Schemas. [`fixture::Suite::load`] reads all of it once into typed values;
//! [`fixture::lint::lint`] checks it statically; [`openapi::build`] exports it as one
//! `OpenAPI` 3.1 document for generic tools; [`import::import_page`] reads a
//! documentation page (any locale) into documented fixtures and a doc-defect report.
//!
//! [`runner::run`] sends scenarios to a target (the embedded double or a live URL) and
//! returns a run record; [`selftest::selftest`] measures the suite's strength against the
//! double's fault catalogue.
//!
//! Findings ([`Finding`]) are data: a departure from the contract, with its file, line,
//! JSON Pointer and whether the rule is documented or assumed. An `Err` means vouch
//! itself could not run. A run ends in an [`outcome::RunRecord`], which [`report`] turns
//! into JUnit, JSON, Markdown and HTML, and compares with another run.

pub mod atomic;
pub mod checks;
pub mod cleanup;
pub mod console;
mod deadline;
pub mod double;
pub mod endpoint;
mod finding;
pub mod fixture;
pub mod import;
pub mod model;
pub mod openapi;
pub mod outcome;
pub mod plan;
pub mod profile;
pub mod report;
pub mod runner;
pub mod schema;
pub mod selftest;
pub mod timing;
pub mod verify;

// The surface the binary, the tests and the benches use most, by its short name.
pub use double::{Double, DoubleConfig, Fault, Variant};
pub use finding::{Basis, Finding, Location};
pub use fixture::{LoadError, Suite};
pub use openapi::OpenApi;
pub use outcome::RunRecord;
pub use runner::RunOptions;
