//! A state table: which state moves a write may make and which sub-states go with which
//! state. States are plain strings: the values come from contract data (`states:`), never
//! from Rust, so an API with other states (or with no sub-state) needs no code.
//!
//! This file holds the table and the pure logic that judges a write and plans a way
//! between states. The double and the checks both call it, so they cannot disagree.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

/// Why a write is refused by the table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("state may not move from {from} to {to} (allowed from {from}: {allowed})")]
    Move {
        from: String,
        to: String,
        allowed: String,
    },
    #[error("sub-state {substatus} does not go with state {status} (allowed: {allowed})")]
    Pair {
        status: String,
        substatus: String,
        allowed: String,
    },
    #[error("state {status} is not a state of the table (known: {known})")]
    Unknown { status: String, known: String },
}

/// The table: the known values, the allowed moves and (when states come in pairs) the
/// allowed (state, sub-state) pairs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transitions {
    /// Every value the state may hold, in the docs' order (a value without moves, such as
    /// a placeholder `None`, is known but allows nothing).
    #[serde(default)]
    pub values: Vec<String>,
    /// Every value the sub-state may hold, in the docs' order (empty: no sub-state).
    #[serde(default)]
    pub subvalues: Vec<String>,
    /// From a current state, the states a write may set.
    pub moves: BTreeMap<String, BTreeSet<String>>,
    /// For a state, the sub-states that may go with it (empty: states are single).
    #[serde(default)]
    pub pairs: BTreeMap<String, BTreeSet<String>>,
}

fn join<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    let names: Vec<&str> = items.into_iter().map(String::as_str).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

impl Transitions {
    /// The table with its value lists completed: a state or sub-state the moves or pairs
    /// name but the lists leave out is appended (in the maps' order).
    #[must_use]
    pub fn completed(mut self) -> Self {
        let named: Vec<String> = self
            .moves
            .iter()
            .flat_map(|(from, to)| std::iter::once(from).chain(to))
            .chain(self.pairs.keys())
            .cloned()
            .collect();
        for value in named {
            if !self.values.contains(&value) {
                self.values.push(value);
            }
        }
        let subnamed: Vec<String> = self.pairs.values().flatten().cloned().collect();
        for value in subnamed {
            if !self.subvalues.contains(&value) {
                self.subvalues.push(value);
            }
        }
        self
    }

    /// Whether states come in (state, sub-state) pairs.
    pub fn paired(&self) -> bool {
        !self.pairs.is_empty()
    }

    /// Whether `status` is a value the state may hold.
    pub fn knows(&self, status: &str) -> bool {
        self.values.iter().any(|v| v == status)
    }

    /// Whether `substatus` is a value the sub-state may hold.
    pub fn knows_sub(&self, substatus: &str) -> bool {
        self.subvalues.iter().any(|v| v == substatus)
    }

    /// Whether the state may move from `from` to `to`. A state the table lists no moves
    /// for has none, not even to itself.
    pub fn move_allowed(&self, from: &str, to: &str) -> bool {
        self.moves
            .get(from)
            .is_some_and(|to_set| to_set.contains(to))
    }

    /// Whether (`status`, `substatus`) is a state of the table: with pairs, the sub-state
    /// must go with the state; without, there is no sub-state and the state must be one
    /// a move leads to or from.
    pub fn pair_allowed(&self, status: &str, substatus: Option<&str>) -> bool {
        if self.paired() {
            substatus.is_some_and(|sub| self.pairs.get(status).is_some_and(|set| set.contains(sub)))
        } else {
            substatus.is_none() && self.statuses().iter().any(|s| s == status)
        }
    }

    /// Judges a write that takes a resource at `from` to (`to`, `substatus`).
    pub fn check(
        &self,
        from: &str,
        to: &str,
        substatus: Option<&str>,
    ) -> Result<(), TransitionError> {
        if !self.move_allowed(from, to) {
            return Err(TransitionError::Move {
                from: from.to_owned(),
                to: to.to_owned(),
                allowed: join(self.moves.get(from).into_iter().flatten()),
            });
        }
        self.check_pair(to, substatus)
    }

    /// Judges a state on its own, as in a created or fetched resource.
    pub fn check_pair(&self, status: &str, substatus: Option<&str>) -> Result<(), TransitionError> {
        if self.pair_allowed(status, substatus) {
            return Ok(());
        }
        match substatus {
            Some(substatus) if self.paired() => Err(TransitionError::Pair {
                status: status.to_owned(),
                substatus: substatus.to_owned(),
                allowed: join(self.pairs.get(status).into_iter().flatten()),
            }),
            None if self.paired() => Err(TransitionError::Pair {
                status: status.to_owned(),
                substatus: "(none)".to_owned(),
                allowed: join(self.pairs.get(status).into_iter().flatten()),
            }),
            _ => Err(TransitionError::Unknown {
                status: status.to_owned(),
                known: join(&self.statuses()),
            }),
        }
    }

    /// The shortest way from `from` to `to` by allowed moves: the states to set, in
    /// order (empty when already there); `None` when the table allows no way. Among
    /// routes of one length, the one through states earlier in `values` wins.
    pub fn route(&self, from: &str, to: &str) -> Option<Vec<String>> {
        let mut routes = VecDeque::from([vec![from.to_owned()]]);
        let mut seen = BTreeSet::from([from.to_owned()]);
        while let Some(route) = routes.pop_front() {
            let last = route.last()?;
            if last == to {
                return Some(route.into_iter().skip(1).collect());
            }
            for next in self.targets_of(last) {
                if seen.insert(next.clone()) {
                    let mut longer = route.clone();
                    longer.push(next.clone());
                    routes.push_back(longer);
                }
            }
        }
        None
    }

    /// The states `from` may move to, in `values` order.
    fn targets_of<'t>(&'t self, from: &str) -> impl Iterator<Item = &'t String> + 't {
        let to = self.moves.get(from);
        self.values
            .iter()
            .filter(move |v| to.is_some_and(|set| set.contains(*v)))
    }

    /// The states moves start from, in `values` order.
    pub fn sources(&self) -> Vec<String> {
        self.values
            .iter()
            .filter(|v| self.moves.contains_key(*v))
            .cloned()
            .collect()
    }

    /// Every state that appears in the table, as a source, a target or with pairs, in
    /// `values` order.
    pub fn statuses(&self) -> Vec<String> {
        self.values
            .iter()
            .filter(|v| {
                self.moves.contains_key(*v)
                    || self.moves.values().any(|to| to.contains(*v))
                    || self.pairs.contains_key(*v)
            })
            .cloned()
            .collect()
    }

    /// The first sub-state (in `subvalues` order) that goes with `status`.
    pub fn first_sub(&self, status: &str) -> Option<&str> {
        let set = self.pairs.get(status)?;
        self.subvalues
            .iter()
            .find(|s| set.contains(*s))
            .map(String::as_str)
    }

    /// The first sub-state (in `subvalues` order) that goes with some other state but not
    /// with `status`: the pair a careless server might keep.
    pub fn foreign_sub(&self, status: &str) -> Option<&str> {
        let own = self.pairs.get(status);
        self.subvalues
            .iter()
            .filter(|s| own.is_none_or(|set| !set.contains(*s)))
            .find(|s| self.pairs.values().any(|set| set.contains(*s)))
            .map(String::as_str)
    }

    /// Every allowed (state, sub-state) pair, in `values` and `subvalues` order.
    pub fn pair_list(&self) -> Vec<(&str, &str)> {
        self.values
            .iter()
            .filter_map(|status| self.pairs.get(status).map(|set| (status, set)))
            .flat_map(|(status, set)| {
                self.subvalues
                    .iter()
                    .filter(move |s| set.contains(*s))
                    .map(move |s| (status.as_str(), s.as_str()))
            })
            .collect()
    }

    /// Whether `status` is terminal: a state the table knows whose only move is to itself.
    pub fn terminal(&self, status: &str) -> bool {
        self.moves
            .get(status)
            .is_some_and(|to| to.iter().all(|t| t == status))
    }

    /// The sub-states a judgement of a move to some state tries: every known sub-state
    /// (allowed with it or not), or, without pairs, only "no sub-state".
    pub fn sub_choices(&self) -> Vec<Option<&str>> {
        if self.paired() {
            self.subvalues.iter().map(|s| Some(s.as_str())).collect()
        } else {
            vec![None]
        }
    }

    /// A state move to a state that has no sub-state in `pairs` (a table whose pairs
    /// would leave a resource with no valid state after that move).
    pub fn unpaired_target(&self) -> Option<&str> {
        if !self.paired() {
            return None;
        }
        self.moves
            .values()
            .flatten()
            .find(|to| !self.pairs.contains_key(*to))
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A documented table (the bundled suite's), written out by hand from its update page
    /// so that the data in contract.yaml is checked against an independent reading.
    fn documented() -> Transitions {
        let yaml = "
values: [None, New, Active, Closed]
subvalues: [None, Pending, Received, Accepted, Won, Lost, Declined, Expired]
moves: { New: [New, Active, Closed], Active: [Active, Closed], Closed: [Closed] }
pairs: { New: [Pending, Received], Active: [Accepted], Closed: [Won, Lost, Declined, Expired] }
";
        serde_saphyr::from_str(yaml).unwrap()
    }

    /// A table with one state field and no sub-state.
    fn single() -> Transitions {
        let yaml = "moves: { open: [open, done], done: [done] }\n";
        serde_saphyr::from_str::<Transitions>(yaml)
            .unwrap()
            .completed()
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn routes_follow_allowed_moves_and_stop_where_none_leads() {
        let table = documented();
        assert_eq!(table.route("New", "New"), Some(vec![]));
        assert_eq!(table.route("New", "Closed"), Some(strings(&["Closed"])));
        assert_eq!(table.route("Active", "Closed"), Some(strings(&["Closed"])));
        assert_eq!(table.route("Active", "New"), None);
        assert_eq!(table.route("Closed", "Active"), None);
    }

    #[test]
    fn a_longer_route_goes_through_each_state_to_set() {
        let table: Transitions =
            serde_saphyr::from_str("moves: { a: [b], b: [c], c: [] }\n").unwrap();
        let table = table.completed();
        assert_eq!(table.route("a", "c"), Some(strings(&["b", "c"])));
        assert_eq!(table.route("c", "a"), None);
    }

    #[test]
    fn every_state_move_is_judged_as_the_table_says() {
        let table = documented();
        let allowed = [
            ("New", "New"),
            ("New", "Active"),
            ("New", "Closed"),
            ("Active", "Active"),
            ("Active", "Closed"),
            ("Closed", "Closed"),
        ];
        for from in &table.values {
            for to in &table.values {
                assert_eq!(
                    table.move_allowed(from, to),
                    allowed.contains(&(from.as_str(), to.as_str())),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn every_state_sub_state_pair_is_judged_as_the_table_says() {
        let table = documented();
        let allowed = [
            ("New", "Pending"),
            ("New", "Received"),
            ("Active", "Accepted"),
            ("Closed", "Won"),
            ("Closed", "Lost"),
            ("Closed", "Declined"),
            ("Closed", "Expired"),
        ];
        for status in &table.values {
            for substatus in &table.subvalues {
                assert_eq!(
                    table.pair_allowed(status, Some(substatus)),
                    allowed.contains(&(status.as_str(), substatus.as_str())),
                    "({status}, {substatus})"
                );
            }
            assert!(
                !table.pair_allowed(status, None),
                "{status} without sub-state"
            );
        }
    }

    #[test]
    fn a_backwards_move_is_refused_with_the_allowed_targets_named() {
        let err = documented()
            .check("Closed", "Active", Some("Accepted"))
            .unwrap_err();
        assert_eq!(
            err,
            TransitionError::Move {
                from: "Closed".into(),
                to: "Active".into(),
                allowed: "Closed".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "state may not move from Closed to Active (allowed from Closed: Closed)"
        );
    }

    #[test]
    fn an_allowed_move_with_a_foreign_sub_state_is_refused_as_a_pair() {
        let err = documented()
            .check("New", "Closed", Some("Pending"))
            .unwrap_err();
        assert_eq!(
            err,
            TransitionError::Pair {
                status: "Closed".into(),
                substatus: "Pending".into(),
                allowed: "Declined, Expired, Lost, Won".into(),
            }
        );
    }

    #[test]
    fn closing_a_new_resource_as_won_is_allowed() {
        assert_eq!(documented().check("New", "Closed", Some("Won")), Ok(()));
    }

    #[test]
    fn a_known_value_without_moves_has_no_moves_and_no_pairs() {
        let table = documented();
        assert!(table.knows("None"));
        assert!(!table.knows("Yeni"));
        assert!(!table.move_allowed("None", "None"));
        assert!(table
            .subvalues
            .iter()
            .all(|s| !table.pair_allowed("None", Some(s))));
        assert_eq!(table.statuses(), strings(&["New", "Active", "Closed"]));
        assert_eq!(table.sources(), strings(&["New", "Active", "Closed"]));
    }

    #[test]
    fn the_first_sub_state_follows_the_declared_order() {
        let table = documented();
        assert_eq!(table.first_sub("New"), Some("Pending"));
        assert_eq!(table.first_sub("Closed"), Some("Won"));
        assert_eq!(table.first_sub("None"), None);
    }

    #[test]
    fn a_table_without_sub_states_judges_the_state_alone() {
        let table = single();
        assert!(!table.paired());
        assert_eq!(table.values, strings(&["done", "open"]));
        assert_eq!(table.check("open", "done", None), Ok(()));
        assert!(matches!(
            table.check("done", "open", None),
            Err(TransitionError::Move { .. })
        ));
        assert!(matches!(
            table.check_pair("archived", None),
            Err(TransitionError::Unknown { .. })
        ));
        assert!(!table.pair_allowed("open", Some("x")));
        assert_eq!(table.sub_choices(), vec![None]);
    }

    #[test]
    fn a_foreign_sub_state_belongs_to_another_state() {
        let table = documented();
        assert_eq!(table.foreign_sub("New"), Some("Accepted"));
        assert_eq!(table.foreign_sub("Closed"), Some("Pending"));
        assert_eq!(table.pair_list().first().copied(), Some(("New", "Pending")));
        assert_eq!(table.pair_list().len(), 7);
        assert!(table.terminal("Closed"));
        assert!(!table.terminal("Active"));
        assert!(!table.terminal("None"));
    }

    #[test]
    fn a_move_to_a_state_without_pairs_is_found() {
        let mut table = documented();
        assert_eq!(table.unpaired_target(), None);
        table.pairs.remove("Active");
        assert_eq!(table.unpaired_target(), Some("Active"));
    }
}
