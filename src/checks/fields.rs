//! Field rules: values at pointers, read-only fields that must not move, times that only
//! go forward, a refused write that changed nothing, writable fields that come back as
//! sent (round trip), and the documented response's fields, types and values.

use serde_json::Value;

use crate::checks::{type_name, Context};
use crate::checks::{Check, CheckError};
use crate::finding::Finding;
use crate::fixture::json_text::{escape_token, first_difference};

pub(super) struct Fields;

/// The rule a field that moved breaks: the id's, the creation time's, or any read-only
/// field's.
fn pointer_rule(cx: &Context<'_>, pointer: &str) -> &'static str {
    let contract = &cx.suite.contract;
    if pointer == contract.resource.id.as_str() {
        "id-stable"
    } else if contract
        .times
        .created
        .as_ref()
        .is_some_and(|created| created.as_str() == pointer)
    {
        "created-stable"
    } else {
        "read-only-kept"
    }
}

impl Check for Fields {
    fn name(&self) -> &'static str {
        "fields"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let expect = &cx.step.expect;
        let body = cx.observed.json;
        let rule = expect.rule.as_deref().unwrap_or("documented-response");
        for (pointer, wanted) in &expect.values {
            let Some(wanted) = cx.value_of(wanted)? else {
                continue;
            };
            let got = body.map(|b| cx.at(b, pointer)).transpose()?.flatten();
            if got != Some(&wanted) {
                let shown = got.map_or_else(|| "nothing".to_owned(), ToString::to_string);
                out.push(cx.finding(
                    rule,
                    Some(pointer),
                    format!("expected {wanted}, got {shown}"),
                ));
            }
        }
        for (pointer, var) in &expect.stable {
            let wanted = cx.value_of(&Value::String(var.clone()))?;
            let got = body.map(|b| cx.at(b, pointer)).transpose()?.flatten();
            if let Some(wanted) = wanted {
                if got != Some(&wanted) {
                    let shown = got.map_or_else(|| "missing".to_owned(), ToString::to_string);
                    out.push(cx.finding(
                        pointer_rule(cx, pointer),
                        Some(pointer),
                        format!("{pointer} changed from {wanted} to {shown}"),
                    ));
                }
            }
        }
        for (pointer, var, strict) in expect
            .later_than
            .iter()
            .map(|(p, v)| (p, v, true))
            .chain(expect.not_before.iter().map(|(p, v)| (p, v, false)))
        {
            let Some(before) = cx.render(var)? else {
                continue;
            };
            let now = body
                .map(|b| cx.at(b, pointer))
                .transpose()?
                .flatten()
                .and_then(Value::as_str);
            match now {
                None => out.push(cx.finding(
                    "updated-advances",
                    Some(pointer),
                    format!("{pointer} is missing"),
                )),
                Some(now)
                    if (strict && now <= before.as_str()) || (!strict && now < before.as_str()) =>
                {
                    let how = if strict {
                        "did not move forward"
                    } else {
                        "moved backwards"
                    };
                    out.push(cx.finding(
                        "updated-advances",
                        Some(pointer),
                        format!("{pointer} {how}: {before} → {now}"),
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(var) = &expect.unchanged_from {
            if let (Some(before), Some(now)) = (cx.value_of(&Value::String(var.clone()))?, body) {
                if &before != now {
                    let pointer = first_difference(&before, now, "");
                    out.push(cx.finding(
                        "refused-write-unchanged",
                        Some(&pointer),
                        format!(
                            "a refused write changed the resource at {}",
                            if pointer.is_empty() {
                                "(root)"
                            } else {
                                &pointer
                            }
                        ),
                    ));
                }
            }
        }
        if let Some(var) = &expect.round_trip {
            if let (Some(sent), Some(now)) = (cx.value_of(&Value::String(var.clone()))?, body) {
                for field in &cx.suite.contract.writable.fields {
                    let Some(value) = sent.pointer(field.as_str()) else {
                        continue;
                    };
                    match now.pointer(field.as_str()) {
                        Some(back) if came_back(value, back) => {}
                        Some(back) => out.push(cx.finding(
                            "round-trip",
                            Some(field.as_str()),
                            format!(
                                "{field} was sent as {} but came back as {}",
                                short(value, cx.redactor),
                                short(back, cx.redactor)
                            ),
                        )),
                        None => out.push(cx.finding(
                            "round-trip",
                            Some(field.as_str()),
                            format!(
                                "{field} was sent as {} but did not come back",
                                short(value, cx.redactor)
                            ),
                        )),
                    }
                }
            }
        }
        if let Some(documented) = &expect.documented_response {
            let example = cx.suite.dir.join(&documented.file);
            let Some(doc) = cx
                .suite
                .examples
                .iter()
                .find(|e| e.json_path.as_deref() == Some(example.as_path()))
                .and_then(|e| e.json.as_ref())
            else {
                return Err(CheckError::NotAnExample {
                    file: documented.file.clone(),
                });
            };
            let Some(body) = body else {
                out.push(cx.finding(
                    "documented-response",
                    None,
                    "the documented response has a body, this one has none",
                ));
                return Ok(());
            };
            let mut skip: Vec<String> = cx
                .suite
                .contract
                .read_only
                .fields
                .iter()
                .map(ToString::to_string)
                .collect();
            skip.extend(documented.ignore.iter().cloned());
            compare_documented(cx, doc, body, "", documented.values, &skip, out);
        }
        Ok(())
    }
}

/// Whether a value sent came back as sent: every member sent is there with its value (a
/// server may add members of its own: DESIGN.md), arrays item by item, numbers by value.
fn came_back(sent: &Value, back: &Value) -> bool {
    match (sent, back) {
        (Value::Object(sent), Value::Object(back)) => sent
            .iter()
            .all(|(key, value)| back.get(key).is_some_and(|b| came_back(value, b))),
        (Value::Array(sent), Value::Array(back)) => {
            sent.len() == back.len() && sent.iter().zip(back).all(|(s, b)| came_back(s, b))
        }
        (Value::Number(sent), Value::Number(back)) => {
            sent == back || sent.as_f64().is_some_and(|s| back.as_f64() == Some(s))
        }
        (sent, back) => sent == back,
    }
}

/// A preview of `value`, redacted before it is cut.
fn short(value: &Value, redactor: &crate::report::Redactor) -> String {
    let text = redactor.redact_str(&value.to_string()).into_owned();
    if text.len() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// Every documented field present, of the same type, with the same value unless the
/// server assigns it.
fn compare_documented(
    cx: &Context<'_>,
    doc: &Value,
    got: &Value,
    pointer: &str,
    values: bool,
    skip: &[String],
    out: &mut Vec<Finding>,
) {
    let skipped = skip.iter().any(|s| s == pointer);
    match (doc, got) {
        (Value::Null, _) => {}
        (Value::Object(doc_map), Value::Object(got_map)) => {
            for (key, doc_value) in doc_map {
                let child = format!("{pointer}/{}", escape_token(key));
                match got_map.get(key) {
                    Some(got_value) => compare_documented(
                        cx,
                        doc_value,
                        got_value,
                        &child,
                        values && !skipped,
                        skip,
                        out,
                    ),
                    None if key.starts_with("@odata") => {}
                    None => out.push(cx.finding(
                        "documented-response",
                        Some(&child),
                        format!("the documented field {child} is missing"),
                    )),
                }
            }
        }
        (Value::Array(doc_items), Value::Array(got_items)) => {
            if values && !skipped && doc_items.len() == got_items.len() {
                for (index, (d, g)) in doc_items.iter().zip(got_items).enumerate() {
                    compare_documented(cx, d, g, &format!("{pointer}/{index}"), values, skip, out);
                }
            }
        }
        (d, g) if type_name(d) != type_name(g) => {
            out.push(cx.finding(
                "documented-response",
                Some(pointer),
                format!(
                    "documented as {} ({}), got {} ({})",
                    type_name(d),
                    short(d, cx.redactor),
                    type_name(g),
                    short(g, cx.redactor)
                ),
            ));
        }
        (d, g) => {
            if values && !skipped && d != g {
                out.push(cx.finding(
                    "documented-response",
                    Some(pointer),
                    format!(
                        "documented as {}, got {}",
                        short(d, cx.redactor),
                        short(g, cx.redactor)
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::came_back;
    use serde_json::json;

    #[test]
    fn a_round_trip_allows_added_members_but_not_changed_ones() {
        let sent = json!({"a": [{"id": "x"}], "n": 1});
        assert!(came_back(
            &sent,
            &json!({"n": 1.0, "a": [{"extra": true, "id": "x"}]})
        ));
        assert!(!came_back(&sent, &json!({"a": [{"id": "y"}], "n": 1})));
        assert!(!came_back(&sent, &json!({"a": [], "n": 1})));
        assert!(!came_back(&sent, &json!({"a": [{"id": "x"}]})));
    }
}
