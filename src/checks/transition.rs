//! Every resource a success response returns must hold a state of the table (with its
//! sub-state, when states come in pairs). An API without states has nothing to judge.

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
        let Some(states) = &cx.suite.contract.states else {
            return Ok(());
        };
        let mut resources: Vec<(String, &Value)> = vec![(String::new(), body)];
        if let Some(list) = &cx.suite.contract.list {
            if let Some(items) = body.pointer(list.items.as_str()).and_then(Value::as_array) {
                resources.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (format!("{}/{i}", list.items), v)),
                );
            }
        }
        let table = states.table();
        for (prefix, resource) in resources {
            let status = resource
                .pointer(states.status.as_str())
                .and_then(Value::as_str)
                .filter(|s| table.knows(s));
            let Some(status) = status else { continue };
            let pointer = match &states.substatus {
                Some(sub_pointer) => {
                    let substatus = resource
                        .pointer(sub_pointer.as_str())
                        .and_then(Value::as_str)
                        .filter(|s| table.knows_sub(s));
                    let Some(substatus) = substatus else { continue };
                    table
                        .check_pair(status, Some(substatus))
                        .err()
                        .map(|e| (sub_pointer, e))
                }
                None => table
                    .check_pair(status, None)
                    .err()
                    .map(|e| (&states.status, e)),
            };
            if let Some((pointer, error)) = pointer {
                out.push(cx.finding(
                    "transition-pair",
                    Some(&format!("{prefix}{pointer}")),
                    error.to_string(),
                ));
            }
        }
        Ok(())
    }
}
