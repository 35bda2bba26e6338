//! The API's own vocabulary as plain values: entity tags with their RFC 9110 comparison
//! rules, and a state table of moves and pairs. Pure code: no I/O, no async.

pub mod etag;
pub mod transitions;

pub use etag::{ETag, ETagError, IfMatch};
pub use transitions::{TransitionError, Transitions};
