//! The fault catalogue: named single defects a real implementation of the Referrals API
//! could have. Each one switches off or bends exactly one behaviour of the double, so the
//! suite's strength can be measured by whether it notices (`vouch selftest`).

use std::fmt;
use std::str::FromStr;

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
}

impl Fault {
    pub const ALL: [Fault; 42] = [
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
            Fault::ClosedToActiveAccepted => "a Closed referral may be moved back to Active",
            Fault::PairOutsideTableAccepted => {
                "a (status, substatus) pair outside the table is accepted"
            }
            Fault::RefusedWriteStored => "a write refused with 412 is stored anyway",
            Fault::EtagMissingFromBody => "resources are returned without their eTag field",
            Fault::EtagHeaderMismatch => "the ETag header names another version than the body's eTag",
            Fault::IdChangedInResponse => "a write's response describes another id",
            Fault::CreatedRewritten => "a write rewrites createdDateTime",
            Fault::UpdatedNotAdvanced => "a write leaves updatedDateTime where it was",
            Fault::WritableFieldDropped => "details.closingDateTime sent in a PUT is not stored",
            Fault::ReadOnlyFieldsStored => {
                "read-only fields a PUT sends (organizationId, organizationName, engagementId, expirationDateTime) replace the server's"
            }
            Fault::CreateDropsRequirements => {
                "create does not store details.requirements (optional in the schema, shown in the docs)"
            }
            Fault::LinksMisspelled => {
                "a referral's links say /v1.0/engagments/ (as the docs' examples do)"
            }
            Fault::LinksInPutAccepted => "a PUT body carrying links is accepted",
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
                "@odata.nextLink repeats the last referral of the page on the next one"
            }
            Fault::ListPageGap => "@odata.nextLink skips one referral between pages",
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
                "data: a stored referral holds a (status, substatus) pair outside the table"
            }
            Fault::CreatedAfterUpdated => {
                "data: a stored referral's createdDateTime is later than its updatedDateTime"
            }
            Fault::ListEntryDiffersFromGet => {
                "data: a list's first entry is a stale copy (its name differs from GET by id)"
            }
            Fault::ListEntryRepeated => "data: each list page repeats its first entry at its end",
            Fault::ListCountWrong => {
                "data: @odata.count is neither the page's item count nor the total"
            }
        }
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
    /// preloads at least a few referrals (`data.rs`).
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
