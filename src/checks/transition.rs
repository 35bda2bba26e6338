//! Every referral a success response returns must hold a (status, substatus) pair of the
//! table.

use serde_json::Value;

use crate::checks::{Check, Context};
use crate::finding::Finding;
use crate::model::{Status, Substatus};

pub(super) struct Transition;

impl Check for Transition {
    fn name(&self) -> &'static str {
        "transition"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        if !(200..300).contains(&cx.observed.status) {
            return;
        }
        let Some(body) = cx.observed.json else { return };
        let mut resources: Vec<(String, &Value)> = vec![(String::new(), body)];
        if let Some(items) = body.get("value").and_then(Value::as_array) {
            resources.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("/value/{i}"), v)),
            );
        }
        let rule = &cx.suite.contract.transitions;
        for (prefix, resource) in resources {
            let status = resource
                .pointer(rule.status.as_str())
                .and_then(Value::as_str)
                .and_then(Status::parse);
            let substatus = resource
                .pointer(rule.substatus.as_str())
                .and_then(Value::as_str)
                .and_then(Substatus::parse);
            if let (Some(status), Some(substatus)) = (status, substatus) {
                if let Err(error) = rule.table().check_pair(status, substatus) {
                    out.push(cx.finding(
                        "transition-pair",
                        Some(&format!("{prefix}{}", rule.substatus)),
                        error.to_string(),
                    ));
                }
            }
        }
    }
}
