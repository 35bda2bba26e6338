//! vouch: a contract-testing and conformance harness for the Partner Center Referrals API
//! (`/v1.0/engagements/referrals`) and any JSON REST API described the same way.
//!
//! The contract is data: a suite folder (`fixtures/referrals/`) holds `contract.yaml`
//! (resource, read-only fields, the status/substatus table, expected responses, rules),
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
pub mod deadline;
pub mod double;
pub mod endpoint;
pub mod finding;
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

pub use finding::{Basis, Finding, Location};
pub use fixture::{LoadError, Suite};
pub use openapi::OpenApi;
