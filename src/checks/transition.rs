//! Every resource a success response returns (the body, and each item of a list) must
//! hold a state pair of the contract's `states:` table: a sub-state that goes with its
//! state. An API without states, or without sub-states, has nothing to judge here.

use serde_json::Value;

use crate::checks::{Check, CheckError, Context};
use crate::finding::Finding;

pub(super) struct Transition;

impl Check for Transition {
    fn name(&self) -> &'static str {
        "transition"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        if !(200..300).contains(&cx.observed.status) {
            return Ok(());
        }
        let Some(body) = cx.observed.json else {
            return Ok(());
        };
        let contract = &cx.suite.contract;
        let Some(states) = &contract.states else {
            return Ok(());
        };
        let Some(substatus_at) = &states.substatus else {
            return Ok(());
        };
        let mut resources: Vec<(String, &Value)> = vec![(String::new(), body)];
        if let Some(items_at) = contract.list.as_ref().map(|l| l.items.as_str()) {
            if let Some(items) = body.pointer(items_at).and_then(Value::as_array) {
                resources.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (format!("{items_at}/{i}"), v)),
                );
            }
        }
        for (prefix, resource) in resources {
            let text = |pointer: &str| resource.pointer(pointer).and_then(Value::as_str);
            let (Some(status), Some(substatus)) =
                (text(states.status.as_str()), text(substatus_at.as_str()))
            else {
                continue;
            };
            // A state the table does not know is not a pair to judge.
            let Some(allowed) = states.pairs.get(status) else {
                continue;
            };
            if !allowed.contains(substatus) {
                let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
                out.push(cx.finding(
                    "transition-pair",
                    Some(&format!("{prefix}{substatus_at}")),
                    format!(
                        "substatus {substatus} does not go with status {status} (allowed: {})",
                        if allowed.is_empty() {
                            "none".to_owned()
                        } else {
                            allowed.join(", ")
                        }
                    ),
                ));
            }
        }
        Ok(())
    }
}
