//! The `OData` query options of the double's list: `$filter` (lexer, parser, evaluator),
//! `$orderby`, `$top`, `$skip`, `$select`, `$count` and the `$skiptoken` of its own
//! `@odata.nextLink`, read from the contract (`query:` in contract.yaml: which options
//! are allowed, which properties may be filtered, the largest page) and the resource
//! schema (every property path it declares). Anything the contract does not allow is
//! refused with the character offset it was found at, never ignored.

pub mod eval;
pub mod lexer;
pub mod parser;
pub mod properties;
pub mod query;

pub use eval::{compare_values, matches};
pub use parser::{parse, Expr};
pub use properties::Properties;
pub use query::{ListQuery, QueryError};

/// Why a `$filter` was refused: what is wrong and the character offset where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("$filter: {message} (at character offset {at})")]
pub struct FilterError {
    /// The character (not byte) offset into the filter text.
    pub at: usize,
    pub message: String,
    /// The property path that is not filterable, when that is the reason.
    pub property: Option<String>,
}

impl FilterError {
    pub(crate) fn syntax(at: usize, message: impl Into<String>) -> Self {
        Self {
            at,
            message: message.into(),
            property: None,
        }
    }

    pub(crate) fn property(at: usize, path: &str, why: &str) -> Self {
        Self {
            at,
            message: format!("{path:?} {why}"),
            property: Some(path.to_owned()),
        }
    }
}
