//! The API's own vocabulary as plain values: entity tags with their RFC 9110 comparison
//! rules, and the referral status/substatus table. Pure code: no I/O, no async.

pub mod etag;
pub mod transitions;

pub use etag::{ETag, ETagError, IfMatch};
pub use transitions::{Status, Substatus, TransitionError, Transitions};
