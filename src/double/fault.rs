//! The fault catalogue: named single defects a real implementation of a contract's API
//! could have. Each one switches off or bends exactly one behaviour of the double, so the
//! suite's strength can be measured by whether it notices (`vouch selftest`).

use std::fmt;
use std::str::FromStr;

use crate::double::need::{self, Need};
use crate::fixture::vocabulary::{Comparison, OperationKind};
use crate::fixture::Contract;

/// One injectable defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    StaleIfMatchAccepted,
    PatchStaleIfMatchAccepted,
    WildcardRefused,
    EtagNotRotated,
    PutWithoutIfMatchAccepted,
    ClosedToActiveAccepted,
    PairOutsideTableAccepted,
    RefusedWriteStored,
    EtagMissingFromBody,
    EtagHeaderMismatch,
    IdChangedInResponse,
    CreatedRewritten,
    UpdatedNotAdvanced,
    WritableFieldDropped,
    ReadOnlyFieldsStored,
    CreateDropsRequirements,
    LinksMisspelled,
    LinksInPutAccepted,
    IdMismatchAccepted,
    UnsupportedPatchOpAccepted,
    PreferIgnored,
    ErrorBodyNotJson,
    WrongContentType,
    NotFoundAsEmpty200,
    ListFilterIgnored,
    Throttled,
    SlowResponses,
    ListFilterFirstOnly,
    ListPageOverlap,
    ListPageGap,
    ListOrderIgnored,
    // Sensitivity beyond the first catalogue: each is caught only by the scenarios of
    // fixture/sensitivity.rs (or the pair check on create responses).
    ConcurrentWritesBothWin,
    CreateStoresForbiddenPair,
    AnyTokenAccepted,
    IfMatchListIgnored,
    WeakIfMatchAccepted,
    MalformedIfMatchIgnored,
    StoredPairOutsideTable,
    CreatedAfterUpdated,
    ListEntryDiffersFromGet,
    ListEntryRepeated,
    ListCountWrong,
    // What a DELETE or a weak-tag API can get wrong.
    DeleteIgnoresIfMatch,
    DeleteLeavesItem,
    WeakIfMatchRefused,
    PatchWithoutIfMatchAccepted,
}

impl Fault {
    pub const ALL: [Fault; 46] = [
        Fault::StaleIfMatchAccepted,
        Fault::PatchStaleIfMatchAccepted,
        Fault::WildcardRefused,
        Fault::EtagNotRotated,
        Fault::PutWithoutIfMatchAccepted,
        Fault::ClosedToActiveAccepted,
        Fault::PairOutsideTableAccepted,
        Fault::RefusedWriteStored,
        Fault::EtagMissingFromBody,
        Fault::EtagHeaderMismatch,
        Fault::IdChangedInResponse,
        Fault::CreatedRewritten,
        Fault::UpdatedNotAdvanced,
        Fault::WritableFieldDropped,
        Fault::ReadOnlyFieldsStored,
        Fault::CreateDropsRequirements,
        Fault::LinksMisspelled,
        Fault::LinksInPutAccepted,
        Fault::IdMismatchAccepted,
        Fault::UnsupportedPatchOpAccepted,
        Fault::PreferIgnored,
        Fault::ErrorBodyNotJson,
        Fault::WrongContentType,
        Fault::NotFoundAsEmpty200,
        Fault::ListFilterIgnored,
        Fault::Throttled,
        Fault::SlowResponses,
        Fault::ListFilterFirstOnly,
        Fault::ListPageOverlap,
        Fault::ListPageGap,
        Fault::ListOrderIgnored,
        Fault::ConcurrentWritesBothWin,
        Fault::CreateStoresForbiddenPair,
        Fault::AnyTokenAccepted,
        Fault::IfMatchListIgnored,
        Fault::WeakIfMatchAccepted,
        Fault::MalformedIfMatchIgnored,
        Fault::StoredPairOutsideTable,
        Fault::CreatedAfterUpdated,
        Fault::ListEntryDiffersFromGet,
        Fault::ListEntryRepeated,
        Fault::ListCountWrong,
        Fault::DeleteIgnoresIfMatch,
        Fault::DeleteLeavesItem,
        Fault::WeakIfMatchRefused,
        Fault::PatchWithoutIfMatchAccepted,
    ];

    /// The name used on the command line (`--fault NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Fault::StaleIfMatchAccepted => "stale-if-match-accepted",
            Fault::PatchStaleIfMatchAccepted => "patch-stale-if-match-accepted",
            Fault::WildcardRefused => "wildcard-refused",
            Fault::EtagNotRotated => "etag-not-rotated",
            Fault::PutWithoutIfMatchAccepted => "put-without-if-match-accepted",
            Fault::ClosedToActiveAccepted => "closed-to-active-accepted",
            Fault::PairOutsideTableAccepted => "pair-outside-table-accepted",
            Fault::RefusedWriteStored => "refused-write-stored",
            Fault::EtagMissingFromBody => "etag-missing-from-body",
            Fault::EtagHeaderMismatch => "etag-header-mismatch",
            Fault::IdChangedInResponse => "id-changed-in-response",
            Fault::CreatedRewritten => "created-rewritten",
            Fault::UpdatedNotAdvanced => "updated-not-advanced",
            Fault::WritableFieldDropped => "writable-field-dropped",
            Fault::ReadOnlyFieldsStored => "read-only-fields-stored",
            Fault::CreateDropsRequirements => "create-drops-requirements",
            Fault::LinksMisspelled => "links-misspelled",
            Fault::LinksInPutAccepted => "links-in-put-accepted",
            Fault::IdMismatchAccepted => "id-mismatch-accepted",
            Fault::UnsupportedPatchOpAccepted => "unsupported-patch-op-accepted",
            Fault::PreferIgnored => "prefer-ignored",
            Fault::ErrorBodyNotJson => "error-body-not-json",
            Fault::WrongContentType => "wrong-content-type",
            Fault::NotFoundAsEmpty200 => "not-found-as-empty-200",
            Fault::ListFilterIgnored => "list-filter-ignored",
            Fault::Throttled => "throttled",
            Fault::SlowResponses => "slow-responses",
            Fault::ListFilterFirstOnly => "list-filter-first-only",
            Fault::ListPageOverlap => "list-page-overlap",
            Fault::ListPageGap => "list-page-gap",
            Fault::ListOrderIgnored => "list-order-ignored",
            Fault::ConcurrentWritesBothWin => "concurrent-writes-both-win",
            Fault::CreateStoresForbiddenPair => "create-stores-forbidden-pair",
            Fault::AnyTokenAccepted => "any-token-accepted",
            Fault::IfMatchListIgnored => "if-match-list-ignored",
            Fault::WeakIfMatchAccepted => "weak-if-match-accepted",
            Fault::MalformedIfMatchIgnored => "malformed-if-match-ignored",
            Fault::StoredPairOutsideTable => "stored-pair-outside-table",
            Fault::CreatedAfterUpdated => "created-after-updated",
            Fault::ListEntryDiffersFromGet => "list-entry-differs-from-get",
            Fault::ListEntryRepeated => "list-entry-repeated",
            Fault::ListCountWrong => "list-count-wrong",
            Fault::DeleteIgnoresIfMatch => "delete-ignores-if-match",
            Fault::DeleteLeavesItem => "delete-leaves-item",
            Fault::PatchWithoutIfMatchAccepted => "patch-without-if-match-accepted",
            Fault::WeakIfMatchRefused => "weak-if-match-refused",
        }
    }

    /// What the defect does, in one line.
    pub fn description(self) -> &'static str {
        match self {
            Fault::StaleIfMatchAccepted => "a PUT with a stale If-Match succeeds instead of 412",
            Fault::PatchStaleIfMatchAccepted => {
                "a PATCH with a stale If-Match succeeds instead of 412"
            }
            Fault::WildcardRefused => {
                "If-Match: * is refused with 412 instead of matching any version"
            }
            Fault::EtagNotRotated => "a successful write keeps the old eTag",
            Fault::PutWithoutIfMatchAccepted => "a PUT without If-Match succeeds",
            Fault::ClosedToActiveAccepted => "a resource in a final state may be moved out of it (Closed back to Active, say)",
            Fault::PairOutsideTableAccepted => {
                "a (status, substatus) pair outside the table is accepted"
            }
            Fault::RefusedWriteStored => "a write refused with 412 is stored anyway",
            Fault::EtagMissingFromBody => "resources are returned without their entity tag",
            Fault::EtagHeaderMismatch => "the ETag header names another version than the body's eTag",
            Fault::IdChangedInResponse => "a write's response describes another id",
            Fault::CreatedRewritten => "a write rewrites the creation time",
            Fault::UpdatedNotAdvanced => "a write leaves the update time where it was",
            Fault::WritableFieldDropped => "the last nested writable text field a write sends is not stored",
            Fault::ReadOnlyFieldsStored => {
                "server-assigned read-only fields a write sends (beside the id, tag and times) replace the server's"
            }
            Fault::CreateDropsRequirements => {
                "create does not store the last nested writable object it was sent (optional in the schema, shown in the docs)"
            }
            Fault::LinksMisspelled => {
                "the profile's links misspell the collection path (as the docs' examples do)"
            }
            Fault::LinksInPutAccepted => "a PUT body carrying a field the contract says never to send is accepted",
            Fault::IdMismatchAccepted => "a PUT whose body id differs from the path is accepted",
            Fault::UnsupportedPatchOpAccepted => {
                "PATCH accepts operations other than add and replace (ignoring them)"
            }
            Fault::PreferIgnored => {
                "PATCH answers 204 even when asked Prefer: return=representation"
            }
            Fault::ErrorBodyNotJson => "error responses are plain text, not a JSON error envelope",
            Fault::WrongContentType => "JSON responses are labelled text/plain",
            Fault::NotFoundAsEmpty200 => "GET of an unknown id answers 200 with an empty object",
            Fault::ListFilterIgnored => "GET list ignores $filter",
            Fault::Throttled => {
                "every 50th request is refused with 429 and Retry-After: 1 (benign: clients retry)"
            }
            Fault::SlowResponses => "list responses are delayed by 1.5 s (benign: the docs set no bound on response time)",
            Fault::ListFilterFirstOnly => {
                "GET list applies only the first condition of a $filter's and-chain"
            }
            Fault::ListPageOverlap => {
                "the next link repeats the last item of the page on the next one"
            }
            Fault::ListPageGap => "the next link skips one item between pages",
            Fault::ListOrderIgnored => "GET list ignores $orderby (creation order)",
            Fault::ConcurrentWritesBothWin => {
                "If-Match is checked against the last version whose response went out, so writers that send the same If-Match at once all win (a lost update)"
            }
            Fault::CreateStoresForbiddenPair => {
                "create stores a substatus that does not go with the status (New/Pending becomes New with another status's substatus)"
            }
            Fault::AnyTokenAccepted => "any bearer token is accepted, not only the right one",
            Fault::IfMatchListIgnored => {
                "an If-Match with a list of entity tags is accepted without comparing them"
            }
            Fault::WeakIfMatchAccepted => {
                "If-Match compares weakly: W/\"current\" matches the current eTag"
            }
            Fault::MalformedIfMatchIgnored => {
                "a malformed If-Match is treated as absent (a PATCH then goes through blind)"
            }
            Fault::StoredPairOutsideTable => {
                "data: a stored resource holds a (state, sub-state) pair outside the table"
            }
            Fault::CreatedAfterUpdated => {
                "data: a stored resource's creation time is later than its update time"
            }
            Fault::ListEntryDiffersFromGet => {
                "data: a list's first entry is a stale copy (its first writable field differs from GET by id)"
            }
            Fault::ListEntryRepeated => "data: each list page repeats its first entry at its end",
            Fault::ListCountWrong => {
                "data: the list's count is neither the page's item count nor the total"
            }
            Fault::DeleteIgnoresIfMatch => "a DELETE with a stale If-Match deletes anyway",
            Fault::DeleteLeavesItem => "a DELETE answers success but the item is still there",
            Fault::PatchWithoutIfMatchAccepted => {
                "a PATCH without If-Match is accepted where the contract requires one"
            }
            Fault::WeakIfMatchRefused => {
                "If-Match compares strongly though the contract says weak: a weak tag never matches"
            }
        }
    }

    /// What the fault needs of a contract to apply (`need.rs`).
    pub fn needs(self) -> &'static [Need] {
        use OperationKind::{Delete, Get, Patch, Put};
        match self {
            Fault::StaleIfMatchAccepted => &[Need::Conditional(Put)],
            Fault::PatchStaleIfMatchAccepted => &[Need::Conditional(Patch)],
            Fault::WildcardRefused
            | Fault::RefusedWriteStored
            | Fault::IfMatchListIgnored
            | Fault::ConcurrentWritesBothWin => &[Need::ConditionalWrite, Need::Etag],
            // Ignoring a malformed If-Match leaves a write without one: where every write
            // requires it, that is still refused (428), so only an optional one shows it.
            Fault::MalformedIfMatchIgnored => &[Need::OptionalIfMatch, Need::Etag],
            Fault::EtagNotRotated | Fault::EtagMissingFromBody => &[Need::Etag],
            Fault::PutWithoutIfMatchAccepted => &[Need::Required(Put)],
            Fault::ClosedToActiveAccepted => &[Need::FinalState],
            Fault::PairOutsideTableAccepted
            | Fault::CreateStoresForbiddenPair
            | Fault::StoredPairOutsideTable => &[Need::Pairs],
            Fault::EtagHeaderMismatch => &[Need::EtagHeader],
            Fault::IdChangedInResponse => &[Need::WriteAnswersResource],
            Fault::CreatedRewritten => &[Need::Created],
            Fault::UpdatedNotAdvanced => &[Need::Updated],
            Fault::WritableFieldDropped | Fault::CreateDropsRequirements => &[Need::NestedWritable],
            // Only a replace sends the stored read-only fields back; the double refuses a
            // partial update that changes one before any write, so PUT is what it needs.
            Fault::ReadOnlyFieldsStored => {
                &[Need::OtherAssigned, Need::Operation(OperationKind::Put)]
            }
            Fault::LinksMisspelled => &[Need::Profile],
            Fault::LinksInPutAccepted => &[Need::NeverSend],
            Fault::IdMismatchAccepted => &[Need::Operation(Put)],
            Fault::UnsupportedPatchOpAccepted => &[Need::JsonPatch],
            Fault::PreferIgnored => &[Need::Prefer],
            Fault::ErrorBodyNotJson
            | Fault::WrongContentType
            | Fault::AnyTokenAccepted
            | Fault::Throttled => &[],
            Fault::NotFoundAsEmpty200 => &[Need::Operation(Get)],
            Fault::ListFilterIgnored | Fault::ListFilterFirstOnly => &[Need::Query("$filter")],
            Fault::ListOrderIgnored => &[Need::Query("$orderby")],
            Fault::SlowResponses => &[Need::List],
            // A page boundary is reached only when a client can ask for a small page.
            Fault::ListPageOverlap | Fault::ListPageGap => &[Need::List, Need::Query("$top")],
            Fault::CreatedAfterUpdated
            | Fault::ListEntryDiffersFromGet
            | Fault::ListEntryRepeated => &[Need::Verification],
            Fault::ListCountWrong => &[Need::Verification, Need::Query("$count")],
            Fault::WeakIfMatchAccepted => {
                &[Need::ConditionalWrite, Need::Comparison(Comparison::Strong)]
            }
            Fault::DeleteIgnoresIfMatch => &[Need::Conditional(Delete)],
            Fault::DeleteLeavesItem => &[Need::Operation(Delete)],
            Fault::PatchWithoutIfMatchAccepted => &[Need::Required(Patch)],
            Fault::WeakIfMatchRefused => {
                &[Need::ConditionalWrite, Need::Comparison(Comparison::Weak)]
            }
        }
    }

    /// Why the fault does not apply to `contract`, or `None` when it does.
    pub fn inapplicable(self, contract: &Contract) -> Option<Need> {
        need::unmet(self.needs(), contract)
    }

    /// Whether the fault makes clients wait (throttling, delays) rather than work: a run
    /// against it mostly sleeps, so more of its scenarios can go at once.
    pub fn makes_clients_wait(self) -> bool {
        matches!(
            self,
            Fault::Throttled | Fault::SlowResponses | Fault::ConcurrentWritesBothWin
        )
    }

    /// Whether the fault breaks stored data, so the double needs some to break: it then
    /// preloads at least a few resources (`data.rs`).
    pub fn needs_data(self) -> bool {
        matches!(
            self,
            Fault::StoredPairOutsideTable | Fault::CreatedAfterUpdated
        )
    }

    /// Whether a conformant client is expected to pass despite this fault: throttling
    /// with Retry-After is not a defect of the contract, only of patience, and no page sets
    /// a bound on response time, so a slow answer is conformant too.
    pub fn is_benign(self) -> bool {
        matches!(self, Fault::Throttled | Fault::SlowResponses)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown fault name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no fault named {name:?}; `vouch serve --list-faults` lists them")]
pub struct UnknownFault {
    pub name: String,
}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| UnknownFault {
                name: name.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_has_a_unique_name_that_parses_back() {
        let mut names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
        for fault in Fault::ALL {
            assert_eq!(fault.name().parse::<Fault>(), Ok(fault));
            assert!(!fault.description().is_empty());
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Fault::ALL.len());
    }

    #[test]
    fn an_unknown_name_is_refused_with_a_hint() {
        let err = "etag-rotten".parse::<Fault>().unwrap_err();
        assert!(err.to_string().contains("--list-faults"));
    }
}
