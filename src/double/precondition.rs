//! Preconditions: a conditional write's `If-Match` judged against the stored version, as
//! the operation's declared use (required, optional, none) and the contract's comparison
//! (strong by RFC 9110 §13.1.1, or weak where the API says so) make it. The fault hook
//! `before_precondition` may bend what was judged.

use crate::double::reply::Reply;
use crate::double::request::Request;
use crate::double::shared::Shared;
use crate::double::store::{Store, Stored};
use crate::fixture::vocabulary::{Comparison, IfMatchUse, OperationKind};
use crate::model::{ETag, IfMatch};

/// What a request's precondition says about the stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// No precondition sent.
    Absent,
    /// A value that is not `*` or a list of entity tags.
    Malformed(String),
    /// `*`: any current version.
    Any,
    /// A tag that matches the current version.
    Matched,
    /// No tag matches. `weak_match`: one would under the weak comparison; `listed`: more
    /// than one tag was sent.
    Stale { weak_match: bool, listed: bool },
}

/// What a write may do after its precondition.
#[derive(Debug)]
pub enum Outcome {
    /// Go on.
    Proceed,
    /// Refused as stale, but stored anyway (a fault's).
    StoreThenRefuse,
}

impl Shared {
    /// Judges `request`'s precondition for a `kind` write of `stored` (id `id`).
    pub fn precondition(
        &self,
        request: &Request,
        kind: OperationKind,
        store: &Store,
        (id, stored): (&str, &Stored),
    ) -> Result<Outcome, Reply> {
        let usage = self.api.if_match_use(kind);
        if usage == IfMatchUse::None {
            return Ok(Outcome::Proceed);
        }
        let current: Vec<ETag> = [
            stored.etag().map(str::to_owned),
            self.hooks.also_current(store, id),
        ]
        .into_iter()
        .flatten()
        .filter_map(|e| ETag::parse(&e).ok())
        .collect();
        let condition = self.condition(request.header(&self.api.if_match), &current);
        match self.hooks.before_precondition(kind, condition) {
            Condition::Absent if usage == IfMatchUse::Required => Err(self.error(
                self.expected("missing_if_match", 428),
                "preconditionFailed",
                format!(
                    "{} is required: send the current entity tag",
                    self.api.if_match
                ),
            )),
            Condition::Absent | Condition::Any | Condition::Matched => Ok(Outcome::Proceed),
            Condition::Malformed(error) => Err(self.invalid(
                "malformed_if_match",
                format!("{}: {error}", self.api.if_match),
            )),
            Condition::Stale { .. } if self.hooks.refused_write_stored() => {
                Ok(Outcome::StoreThenRefuse)
            }
            Condition::Stale { .. } => Err(self.stale()),
        }
    }

    /// What `sent` says about the `current` versions, under the contract's comparison.
    fn condition(&self, sent: Option<&str>, current: &[ETag]) -> Condition {
        let Some(sent) = sent else {
            return Condition::Absent;
        };
        let tags = match IfMatch::parse(sent) {
            Err(error) => return Condition::Malformed(error.to_string()),
            Ok(IfMatch::Any) => return Condition::Any,
            Ok(IfMatch::Tags(tags)) => tags,
        };
        let any =
            |eq: fn(&ETag, &ETag) -> bool| tags.iter().any(|t| current.iter().any(|c| eq(t, c)));
        let weak_match = any(ETag::weak_eq);
        let matched = match self.hooks.comparison(self.api.comparison) {
            Comparison::Strong => any(ETag::strong_eq),
            Comparison::Weak => weak_match,
        };
        if matched {
            Condition::Matched
        } else {
            Condition::Stale {
                weak_match,
                listed: tags.len() > 1,
            }
        }
    }

    /// 412: the precondition names another version.
    pub fn stale(&self) -> Reply {
        self.error(
            self.expected("stale_if_match", 412),
            "preconditionFailed",
            format!(
                "{} does not match the current entity tag; GET it again",
                self.api.if_match
            ),
        )
    }
}
