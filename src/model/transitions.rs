//! The referral status/substatus table: which status moves are allowed and which
//! substatus goes with which status.
//!
//! The table itself is data (contract.yaml, `transitions:`); this file holds its types
//! and the pure logic that judges a write. The double and the checks both call it, so
//! they cannot disagree.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

/// `ReferralStatus` (referral-resources.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Status {
    None,
    New,
    Active,
    Closed,
}

/// `ReferralSubstatus` (referral-resources.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Substatus {
    None,
    Pending,
    Received,
    Accepted,
    Won,
    Lost,
    Declined,
    Expired,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::None, Status::New, Status::Active, Status::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::None => "None",
            Status::New => "New",
            Status::Active => "Active",
            Status::Closed => "Closed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl Substatus {
    pub const ALL: [Substatus; 8] = [
        Substatus::None,
        Substatus::Pending,
        Substatus::Received,
        Substatus::Accepted,
        Substatus::Won,
        Substatus::Lost,
        Substatus::Declined,
        Substatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Substatus::None => "None",
            Substatus::Pending => "Pending",
            Substatus::Received => "Received",
            Substatus::Accepted => "Accepted",
            Substatus::Won => "Won",
            Substatus::Lost => "Lost",
            Substatus::Declined => "Declined",
            Substatus::Expired => "Expired",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Substatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a write is refused by the table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("status may not move from {from} to {to} (allowed from {from}: {allowed})")]
    Move {
        from: Status,
        to: Status,
        allowed: String,
    },
    #[error("substatus {substatus} does not go with status {status} (allowed: {allowed})")]
    Pair {
        status: Status,
        substatus: Substatus,
        allowed: String,
    },
}

/// The table: allowed status moves and allowed (status, substatus) pairs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transitions {
    /// From a current status, the statuses a write may set.
    pub moves: BTreeMap<Status, BTreeSet<Status>>,
    /// For a status, the substatuses that may go with it.
    pub pairs: BTreeMap<Status, BTreeSet<Substatus>>,
}

fn join<T: fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let names: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

impl Transitions {
    /// Whether the status may move from `from` to `to`. A status the table does not
    /// list (such as `None`) has no allowed moves, not even to itself.
    pub fn move_allowed(&self, from: Status, to: Status) -> bool {
        self.moves
            .get(&from)
            .is_some_and(|to_set| to_set.contains(&to))
    }

    /// Whether `substatus` may go with `status`.
    pub fn pair_allowed(&self, status: Status, substatus: Substatus) -> bool {
        self.pairs
            .get(&status)
            .is_some_and(|set| set.contains(&substatus))
    }

    /// Judges a write that takes a resource at `from` to (`to`, `substatus`).
    pub fn check(
        &self,
        from: Status,
        to: Status,
        substatus: Substatus,
    ) -> Result<(), TransitionError> {
        if !self.move_allowed(from, to) {
            return Err(TransitionError::Move {
                from,
                to,
                allowed: join(self.moves.get(&from).into_iter().flatten()),
            });
        }
        self.check_pair(to, substatus)
    }

    /// Judges a (status, substatus) pair on its own, as in a created or fetched resource.
    pub fn check_pair(&self, status: Status, substatus: Substatus) -> Result<(), TransitionError> {
        if self.pair_allowed(status, substatus) {
            Ok(())
        } else {
            Err(TransitionError::Pair {
                status,
                substatus,
                allowed: join(self.pairs.get(&status).into_iter().flatten()),
            })
        }
    }

    /// The shortest way from `from` to `to` by allowed moves: the statuses to set, in
    /// order (empty when already there); `None` when the table allows no way.
    pub fn route(&self, from: Status, to: Status) -> Option<Vec<Status>> {
        let mut routes = std::collections::VecDeque::from([vec![from]]);
        let mut seen = BTreeSet::from([from]);
        while let Some(route) = routes.pop_front() {
            let last = *route.last()?;
            if last == to {
                return Some(route.into_iter().skip(1).collect());
            }
            for next in self.moves.get(&last).into_iter().flatten() {
                if seen.insert(*next) {
                    let mut longer = route.clone();
                    longer.push(*next);
                    routes.push_back(longer);
                }
            }
        }
        None
    }

    /// Every status that appears in the table, as a source or a target.
    pub fn statuses(&self) -> BTreeSet<Status> {
        self.moves
            .iter()
            .flat_map(|(from, to)| std::iter::once(*from).chain(to.iter().copied()))
            .chain(self.pairs.keys().copied())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented table, written out by hand from update-a-referral.md so that the
    /// data in contract.yaml is checked against an independent reading.
    fn documented() -> Transitions {
        let yaml = "
moves: { New: [New, Active, Closed], Active: [Active, Closed], Closed: [Closed] }
pairs: { New: [Pending, Received], Active: [Accepted], Closed: [Won, Lost, Declined, Expired] }
";
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn routes_follow_allowed_moves_and_stop_where_none_leads() {
        let table = documented();
        assert_eq!(table.route(Status::New, Status::New), Some(vec![]));
        assert_eq!(
            table.route(Status::New, Status::Closed),
            Some(vec![Status::Closed])
        );
        assert_eq!(
            table.route(Status::Active, Status::Closed),
            Some(vec![Status::Closed])
        );
        assert_eq!(table.route(Status::Active, Status::New), None);
        assert_eq!(table.route(Status::Closed, Status::Active), None);
    }

    #[test]
    fn every_status_move_is_judged_as_the_table_says() {
        let table = documented();
        let allowed = [
            (Status::New, Status::New),
            (Status::New, Status::Active),
            (Status::New, Status::Closed),
            (Status::Active, Status::Active),
            (Status::Active, Status::Closed),
            (Status::Closed, Status::Closed),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                assert_eq!(
                    table.move_allowed(from, to),
                    allowed.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn every_status_substatus_pair_is_judged_as_the_table_says() {
        let table = documented();
        let allowed = [
            (Status::New, Substatus::Pending),
            (Status::New, Substatus::Received),
            (Status::Active, Substatus::Accepted),
            (Status::Closed, Substatus::Won),
            (Status::Closed, Substatus::Lost),
            (Status::Closed, Substatus::Declined),
            (Status::Closed, Substatus::Expired),
        ];
        for status in Status::ALL {
            for substatus in Substatus::ALL {
                assert_eq!(
                    table.pair_allowed(status, substatus),
                    allowed.contains(&(status, substatus)),
                    "({status}, {substatus})"
                );
            }
        }
    }

    #[test]
    fn a_backwards_move_is_refused_with_the_allowed_targets_named() {
        let err = documented()
            .check(Status::Closed, Status::Active, Substatus::Accepted)
            .unwrap_err();
        assert_eq!(
            err,
            TransitionError::Move {
                from: Status::Closed,
                to: Status::Active,
                allowed: "Closed".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "status may not move from Closed to Active (allowed from Closed: Closed)"
        );
    }

    #[test]
    fn an_allowed_move_with_a_foreign_substatus_is_refused_as_a_pair() {
        let err = documented()
            .check(Status::New, Status::Closed, Substatus::Pending)
            .unwrap_err();
        assert!(matches!(
            err,
            TransitionError::Pair {
                status: Status::Closed,
                substatus: Substatus::Pending,
                ..
            }
        ));
    }

    #[test]
    fn closing_a_new_referral_as_won_is_allowed() {
        assert_eq!(
            documented().check(Status::New, Status::Closed, Substatus::Won),
            Ok(())
        );
    }

    #[test]
    fn none_has_no_moves_and_no_pairs() {
        let table = documented();
        assert!(!table.move_allowed(Status::None, Status::None));
        assert!(Substatus::ALL
            .iter()
            .all(|s| !table.pair_allowed(Status::None, *s)));
    }

    #[test]
    fn names_round_trip_through_parse() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for s in Substatus::ALL {
            assert_eq!(Substatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("Yeni"), None);
    }

    #[test]
    fn an_unknown_status_in_the_table_data_is_refused() {
        let parsed: Result<Transitions, _> =
            serde_saphyr::from_str("moves: { New: [Open] }\npairs: {}\n");
        assert!(parsed.is_err());
    }
}
