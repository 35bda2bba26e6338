//! States: a write judged by the contract's `states:` table (the moves from each state,
//! the sub-states that go with each), read as data. An API without states has no
//! transition judgement. The fault hooks `judge_move` and `judge_pair` may let a refused
//! one through.

use serde_json::{Map, Value};

use crate::double::api;
use crate::double::reply::Reply;
use crate::double::shared::Shared;
use crate::fixture::vocabulary::States;

/// A state read from a body: the state and, when states come in pairs, the sub-state.
type State = (Option<String>, Option<String>);

fn state_of(states: &States, body: &Map<String, Value>) -> State {
    let text = |pointer: &crate::fixture::contract::Pointer| {
        api::get(body, pointer)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    (
        text(&states.status),
        states.substatus.as_ref().and_then(text),
    )
}

fn join(items: Option<&std::collections::BTreeSet<String>>) -> String {
    let names: Vec<&str> = items.into_iter().flatten().map(String::as_str).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

impl Shared {
    /// Judges a write that takes `before` to `after`.
    pub fn check_move(
        &self,
        before: &Map<String, Value>,
        after: &Map<String, Value>,
    ) -> Result<(), Reply> {
        let Some(states) = &self.api.states else {
            return Ok(());
        };
        let (from, from_sub) = state_of(states, before);
        let (to, to_sub) = state_of(states, after);
        let from = from.unwrap_or_else(|| states.initial.status.clone());
        if api::get(after, &states.status).is_some_and(|s| {
            s.as_str()
                .is_none_or(|s| !states.moves.contains_key(s) && !states.pairs.contains_key(s))
        }) {
            return Err(self.invalid("invalid_body", format!("unknown {}", states.status)));
        }
        let to = to.unwrap_or_else(|| from.clone());
        let substatus = to_sub.or(from_sub);
        if states.substatus.is_some() && substatus.is_none() {
            return Err(self.invalid(
                "forbidden_transition",
                format!("the resource has no {}", states.status),
            ));
        }
        let allowed = states.moves.get(&from);
        if !allowed.is_some_and(|to_set| to_set.contains(&to)) {
            let from_final = allowed.is_some_and(|set| set.iter().all(|s| *s == from));
            if !self.hooks.judge_move(from_final) {
                return Err(self.invalid(
                    "forbidden_transition",
                    format!(
                        "{} may not move from {from} to {to} (allowed from {from}: {})",
                        states.status,
                        join(allowed)
                    ),
                ));
            }
        }
        match substatus {
            Some(substatus) => self.check_pair(states, &to, &substatus),
            None => Ok(()),
        }
    }

    /// Judges a (state, sub-state) pair on its own, as in a created resource.
    pub fn check_pair(&self, states: &States, status: &str, substatus: &str) -> Result<(), Reply> {
        let allowed = states.pairs.get(status);
        if allowed.is_some_and(|set| set.contains(substatus)) || self.hooks.judge_pair() {
            return Ok(());
        }
        let name = states
            .substatus
            .as_ref()
            .map_or_else(String::new, ToString::to_string);
        Err(self.invalid(
            "forbidden_transition",
            format!(
                "{name} {substatus} does not go with {} {status} (allowed: {})",
                states.status,
                join(allowed)
            ),
        ))
    }

    /// The state a create stores: the one sent (or the initial state), a variant's
    /// rewrite of it, and a sub-state that goes with it; refused when the table has none.
    pub fn created_state(
        &self,
        sent: &Map<String, Value>,
    ) -> Result<Option<(String, Option<String>)>, Reply> {
        let Some(states) = &self.api.states else {
            return Ok(None);
        };
        let (status, substatus) = state_of(states, sent);
        let rewritten = self.variants.created_state(sent, states);
        let status = rewritten
            .as_ref()
            .map(|(status, _)| status.clone())
            .or(status)
            .unwrap_or_else(|| states.initial.status.clone());
        if states.substatus.is_none() {
            return Ok(Some((status, None)));
        }
        let first_pair = if status == states.initial.status {
            states.initial.substatus.clone()
        } else {
            None
        }
        .or_else(|| {
            states
                .pairs
                .get(&status)
                .and_then(|s| s.iter().next().cloned())
        });
        let substatus = rewritten
            .and_then(|(_, sub)| sub)
            .or(substatus)
            .or(first_pair);
        let Some(substatus) = substatus else {
            return Err(self.invalid(
                "forbidden_transition",
                format!("{status} has no sub-state a resource may be created with"),
            ));
        };
        self.check_pair(states, &status, &substatus)?;
        let others: Vec<String> = states
            .pairs
            .values()
            .flatten()
            .filter(|s| {
                !states
                    .pairs
                    .get(&status)
                    .is_some_and(|own| own.contains(*s))
            })
            .cloned()
            .collect();
        Ok(Some((
            status,
            Some(self.hooks.created_substatus(substatus, others)),
        )))
    }
}
