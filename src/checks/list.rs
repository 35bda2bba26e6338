//! The list as a whole (a step with `expect.list`, every page followed through the
//! contract's next link): exactly the scenario's resources that match the filter are listed
//! (`list-filter`), each once and none lost between pages (`list-paging`), in the order
//! `$orderby` asks (`list-order`). Which resources match is judged from the bodies the
//! server itself returned for them, by the same `OData` evaluator the double uses; the
//! order from the listed values. A server may page at any size and may treat `$top` as
//! the page size or as a cap on the whole list: both pass.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::checks::{Check, CheckError, Context};
use crate::double::odata;
use crate::finding::Finding;

pub(super) struct List;

impl Check for List {
    fn name(&self) -> &'static str {
        "list"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let (Some(spec), Some(listed)) = (&cx.step.expect.list, cx.listed) else {
            return Ok(());
        };
        if !(200..300).contains(&cx.observed.status) {
            return Ok(());
        }
        let id_pointer = cx.suite.contract.resource.id.as_str();
        let items_at = cx
            .suite
            .contract
            .list
            .as_ref()
            .map_or("", |shape| shape.items.as_str());
        let id_of = |v: &Value| {
            v.pointer(id_pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        if let Some(why) = &listed.stopped {
            out.push(cx.finding(
                "list-paging",
                None,
                format!("the list could not be read to its end: {why}"),
            ));
            return Ok(());
        }
        // The resources the scenario made, as the server returned them.
        let mut among: Vec<&Value> = Vec::with_capacity(spec.among.len());
        for name in &spec.among {
            match cx.vars.get(name) {
                Some(body) => among.push(body),
                // Absent (nothing to judge), or never captured (an error).
                None => {
                    cx.render(&format!("{{{name}}}"))?;
                }
            }
        }
        let filter = match spec.filter.as_deref().map(|f| cx.render(f)).transpose()? {
            None => None,
            // A filter naming a value the target did not show: nothing to judge.
            Some(None) => return Ok(()),
            Some(Some(text)) => Some(
                odata::parse(&text, None).map_err(|error| CheckError::Filter(error.to_string()))?,
            ),
        };
        let expected: BTreeSet<String> = among
            .iter()
            .filter(|body| filter.as_ref().is_none_or(|f| odata::matches(f, body)))
            .filter_map(|body| id_of(body))
            .collect();

        // Each once.
        let mut seen = BTreeSet::new();
        let mut listed_ids = Vec::new();
        for item in &listed.items {
            let Some(id) = id_of(item) else { continue };
            if !seen.insert(id.clone()) {
                out.push(cx.finding(
                    "list-paging",
                    Some(items_at),
                    format!("{id} is listed twice across {} pages", listed.pages),
                ));
            }
            listed_ids.push(id);
        }
        // Only those that match.
        for id in &seen {
            if !expected.contains(id) {
                out.push(cx.finding(
                    "list-filter",
                    Some(items_at),
                    format!("{id} is listed but does not match the filter"),
                ));
            }
        }
        // All of them, unless $top capped the whole list.
        let capped = spec
            .top
            .is_some_and(|top| !listed.first_had_next && seen.len() == top.min(expected.len()));
        if !capped {
            for id in expected.difference(&seen) {
                let (rule, how) = if listed.pages > 1 {
                    (
                        "list-paging",
                        format!("lost between the {} pages", listed.pages),
                    )
                } else {
                    ("list-filter", "not listed".to_owned())
                };
                out.push(cx.finding(
                    rule,
                    Some(items_at),
                    format!("{id} matches the filter but is {how}"),
                ));
            }
        }
        // In order.
        if let Some(order) = &spec.order {
            let keys: Vec<(Vec<&str>, bool)> = order
                .split(',')
                .filter_map(|item| {
                    let mut words = item.split_whitespace();
                    let path = words.next()?.split('/').collect();
                    Some((path, words.next() == Some("desc")))
                })
                .collect();
            let at = |v: &'_ Value, path: &[&str]| -> Option<Value> {
                path.iter().try_fold(v, |v, s| v.get(*s)).cloned()
            };
            for (index, pair) in listed.items.windows(2).enumerate() {
                for (path, descending) in &keys {
                    let (a, b) = (at(&pair[0], path), at(&pair[1], path));
                    let ordering = odata::compare_values(a.as_ref(), b.as_ref());
                    let ordering = if *descending {
                        ordering.reverse()
                    } else {
                        ordering
                    };
                    if ordering.is_lt() {
                        break;
                    }
                    if ordering.is_gt() {
                        out.push(cx.finding(
                            "list-order",
                            Some(items_at),
                            format!(
                                "items {index} and {} are out of the order {order:?}: {} then {}",
                                index + 1,
                                a.unwrap_or(Value::Null),
                                b.unwrap_or(Value::Null)
                            ),
                        ));
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    }
}
