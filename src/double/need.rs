//! What a fault or a conformant variant needs of a contract to apply: an operation (and
//! its use of If-Match, its body format, its Prefer rule), states, an entity tag and its
//! comparison, times, a list and its query options, a profile. `vouch selftest` runs a
//! fault or variant only where all it needs is there, and says why it skipped the others.

use std::fmt;

use crate::fixture::vocabulary::{BodyFormat, Comparison, IfMatchUse, OperationKind};
use crate::fixture::Contract;

/// One thing a fault or variant needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The operation is declared.
    Operation(OperationKind),
    /// The operation takes If-Match (required or optional).
    Conditional(OperationKind),
    /// The operation requires If-Match.
    Required(OperationKind),
    /// Some write takes If-Match.
    ConditionalWrite,
    /// Some write takes If-Match without requiring it.
    OptionalIfMatch,
    /// PATCH takes a JSON Patch.
    JsonPatch,
    /// Some write has a Prefer rule.
    Prefer,
    /// Some write answers the resource.
    WriteAnswersResource,
    /// The contract has states.
    States,
    /// States come in pairs (a sub-state per state).
    Pairs,
    /// Some state has no move but to itself.
    FinalState,
    /// An entity tag in the body.
    Etag,
    /// A response header that carries it.
    EtagHeader,
    /// If-Match compares strongly / weakly.
    Comparison(Comparison),
    /// A creation time / an update time.
    Created,
    Updated,
    /// A writable field nested in an object.
    NestedWritable,
    /// A field a client must not send on a replace.
    NeverSend,
    /// A field the server assigns beside the id, tag and times.
    OtherAssigned,
    /// A list operation.
    List,
    /// A query option of the list (`$filter`, `$orderby`, `$count`).
    Query(&'static str),
    /// Read-only verification of stored data.
    Verification,
    /// A named profile.
    Profile,
    /// A documented create example whose response shows a state.
    CreateExample,
    /// The contract accepts this code in this situation.
    Answer(&'static str, u16),
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Need::Operation(kind) => write!(f, "no {kind} operation"),
            Need::Conditional(kind) => write!(f, "{kind} takes no If-Match"),
            Need::Required(kind) => write!(f, "{kind} does not require If-Match"),
            Need::ConditionalWrite => f.write_str("no write takes If-Match"),
            Need::OptionalIfMatch => f.write_str("every write that takes If-Match requires it"),
            Need::JsonPatch => f.write_str("patch takes no JSON Patch"),
            Need::Prefer => f.write_str("no write has a Prefer rule"),
            Need::WriteAnswersResource => f.write_str("no write answers the resource"),
            Need::States => f.write_str("no states"),
            Need::Pairs => f.write_str("states have no sub-states"),
            Need::FinalState => f.write_str("no final state"),
            Need::Etag => f.write_str("no entity tag"),
            Need::EtagHeader => f.write_str("no entity-tag header"),
            Need::Comparison(Comparison::Strong) => f.write_str("If-Match compares weakly"),
            Need::Comparison(Comparison::Weak) => f.write_str("If-Match compares strongly"),
            Need::Created => f.write_str("no creation time"),
            Need::Updated => f.write_str("no update time"),
            Need::NestedWritable => f.write_str("no nested writable field"),
            Need::NeverSend => f.write_str("no field a replace must not send"),
            Need::OtherAssigned => f.write_str("no other server-assigned field"),
            Need::List => f.write_str("no list operation"),
            Need::Query(option) => write!(f, "the list takes no {option}"),
            Need::Verification => f.write_str("no read-only verification"),
            Need::Profile => f.write_str("no profile"),
            Need::CreateExample => {
                f.write_str("no documented create example whose response shows a state")
            }
            Need::Answer(situation, code) => write!(f, "{situation} does not accept {code}"),
        }
    }
}

impl Need {
    /// Whether `contract` has it.
    pub fn met_by(self, contract: &Contract) -> bool {
        let ops = &contract.operations;
        let uses = |kind| ops.get(kind).map(|o| o.if_match);
        match self {
            Need::Operation(kind) => ops.get(kind).is_some(),
            Need::Conditional(kind) => uses(kind).is_some_and(|u| u != IfMatchUse::None),
            Need::Required(kind) => uses(kind) == Some(IfMatchUse::Required),
            Need::ConditionalWrite => ops.conditional_writes().next().is_some(),
            Need::OptionalIfMatch => ops.iter().any(|(_, o)| o.if_match == IfMatchUse::Optional),
            Need::JsonPatch => ops
                .patch
                .as_ref()
                .is_some_and(|o| o.body == BodyFormat::JsonPatch),
            Need::Prefer => ops.iter().any(|(_, o)| o.prefer.is_some()),
            Need::WriteAnswersResource => {
                ops.put.is_some() || ops.iter().any(|(_, o)| o.prefer.is_some())
            }
            Need::States => contract.states.is_some(),
            Need::Pairs => contract
                .states
                .as_ref()
                .is_some_and(|s| s.substatus.is_some() && !s.pairs.is_empty()),
            Need::FinalState => contract.states.as_ref().is_some_and(|s| {
                s.moves
                    .iter()
                    .any(|(from, to)| to.iter().all(|t| t == from) && s.moves.len() > 1)
            }),
            Need::Etag => contract.etag.is_some(),
            Need::EtagHeader => contract.etag.as_ref().is_some_and(|e| e.header.is_some()),
            Need::Comparison(comparison) => contract
                .etag
                .as_ref()
                .is_some_and(|e| e.comparison == comparison),
            Need::Created => contract.times.created.is_some(),
            Need::Updated => contract.times.updated.is_some(),
            Need::NestedWritable => contract
                .writable
                .fields
                .iter()
                .any(|p| p.tokens().count() > 1),
            Need::NeverSend => ops.put.is_some() && !contract.never_send_on_put.fields.is_empty(),
            Need::OtherAssigned => contract.assigned.as_ref().is_some_and(|a| {
                a.fields.keys().any(|p| {
                    *p != contract.resource.id
                        && contract.etag.as_ref().is_none_or(|e| e.pointer != *p)
                        && contract.times.created.as_ref() != Some(p)
                        && contract.times.updated.as_ref() != Some(p)
                })
            }),
            Need::List => ops.list.is_some(),
            Need::Query(option) => {
                ops.list.is_some() && contract.query.options.iter().any(|o| o == option)
            }
            Need::Verification => contract.verification.is_some(),
            Need::Profile => contract.profile.is_some(),
            Need::CreateExample => {
                contract.states.is_some()
                    && ops.create.as_ref().is_some_and(|o| o.example.is_some())
            }
            Need::Answer(situation, code) => contract
                .responses
                .get(situation)
                .is_some_and(|r| r.accepts(code)),
        }
    }
}

/// Why `needs` do not all apply to `contract`: the first unmet need, or `None`.
pub fn unmet(needs: &[Need], contract: &Contract) -> Option<Need> {
    needs.iter().copied().find(|n| !n.met_by(contract))
}
