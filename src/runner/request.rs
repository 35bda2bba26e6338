//! Building a step's request: its method and path (a create step posts to the
//! collection), its headers and body with every `{variable}` filled, and the body's
//! `strip` and `set` applied. The body starts from the JSON read once at load; only the
//! rendered copy is new.

use serde_json::Value;

use crate::endpoint::{SentRequest, Target};
use crate::fixture::scenario::{Body, Step};
use crate::fixture::template::{render, render_value, Vars};
use crate::fixture::Suite;
use crate::runner::step::StepError;

/// A request ready to send, with the body as JSON (what the checks and captures see) and
/// as the text that was sent (what the record keeps).
pub(super) struct Built {
    pub request: SentRequest,
    pub sent_json: Option<Value>,
    pub body_text: Option<String>,
}

/// The request of `step`, rendered with `vars`.
pub(super) fn build(
    suite: &Suite,
    target: &Target,
    step: &Step,
    label: &str,
    vars: &Vars,
) -> Result<Built, StepError> {
    let template = |source| StepError::Template {
        step: label.to_owned(),
        source,
    };
    let (method, path, headers, body, content_type) = match (&step.create, &step.request) {
        (Some(body), _) => {
            let create = suite.contract.operations.create.as_ref();
            let path = create
                .and_then(|c| c.path.as_deref())
                .unwrap_or(&suite.contract.resource.path);
            let method = create.map_or("POST", |c| c.method.as_str());
            (method.to_owned(), path, None, Some(body), None)
        }
        (None, Some(request)) => (
            request.method.to_ascii_uppercase(),
            request.path.as_str(),
            Some(&request.headers),
            request.body.as_ref(),
            request.content_type.as_deref(),
        ),
        (None, None) => {
            return Err(StepError::Fixture {
                step: label.to_owned(),
                message: "a step needs create or request".into(),
            })
        }
    };
    let path = render(path, vars).map_err(template)?;
    let sent_json = match body {
        Some(body) => Some(build_body(suite, body, vars, label)?),
        None => None,
    };
    let mut header_list = Vec::new();
    for (name, value) in headers
        .into_iter()
        .flat_map(crate::fixture::small_map::SmallMap::iter)
    {
        header_list.push((name.clone(), render(value, vars).map_err(template)?));
    }
    if sent_json.is_some()
        && !header_list
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        header_list.push((
            "Content-Type".into(),
            content_type.unwrap_or("application/json").to_owned(),
        ));
    }
    let body_text = sent_json.as_ref().map(Value::to_string);
    Ok(Built {
        request: SentRequest {
            method,
            url: target.http.url(&path),
            headers: header_list,
            body: body_text.clone().map(String::into_bytes),
        },
        sent_json,
        body_text,
    })
}

/// A body: its source (inline, or read at load) rendered, then `strip` and `set` applied.
fn build_body(suite: &Suite, body: &Body, vars: &Vars, step: &str) -> Result<Value, StepError> {
    let fixture = |message: String| StepError::Fixture {
        step: step.to_owned(),
        message,
    };
    let template = |source| StepError::Template {
        step: step.to_owned(),
        source,
    };
    // A step made at run time (read-only verification, cleanup) may name an example or
    // a file that no load has read.
    let loaded;
    let source: &Value = if let Some(source) = body.source() {
        source
    } else if let Some(example) = &body.example {
        let path = suite.dir.join(example);
        suite
            .examples
            .iter()
            .find(|e| e.json_path.as_deref() == Some(path.as_path()))
            .and_then(|e| e.json.as_ref())
            .ok_or_else(|| {
                fixture(format!(
                    "{example} is not the JSON of a documented example in contract.yaml"
                ))
            })?
    } else if let Some(file) = &body.file {
        loaded = crate::fixture::body_file::read(&suite.dir.join(file))
            .map_err(|e| fixture(e.to_string()))?;
        &loaded
    } else {
        &Value::Null
    };
    let mut value = render_value(source, vars).map_err(template)?;
    for pointer in &body.strip {
        remove_pointer(&mut value, pointer);
    }
    for (pointer, new) in &body.set {
        let new = render_value(new, vars).map_err(template)?;
        set_pointer(&mut value, pointer, new);
    }
    Ok(value)
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Sets the value at `pointer`, making the objects on the way.
fn set_pointer(target: &mut Value, pointer: &str, value: Value) {
    if pointer.is_empty() {
        *target = value;
        return;
    }
    let mut current = target;
    let tokens: Vec<String> = pointer.split('/').skip(1).map(unescape).collect();
    for (i, token) in tokens.iter().enumerate() {
        let last = i + 1 == tokens.len();
        if !current.is_object() {
            *current = Value::Object(serde_json::Map::new());
        }
        let Value::Object(map) = current else { return };
        if last {
            map.insert(token.clone(), value);
            return;
        }
        current = map
            .entry(token.clone())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
}

/// Removes the value at `pointer`, if there is one.
fn remove_pointer(target: &mut Value, pointer: &str) {
    if let Some((parent, last)) = pointer.rsplit_once('/') {
        let last = unescape(last);
        match target.pointer_mut(parent) {
            Some(Value::Object(map)) => {
                map.remove(&last);
            }
            Some(Value::Array(items)) => {
                if let Ok(index) = last.parse::<usize>() {
                    if index < items.len() {
                        items.remove(index);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_makes_the_objects_on_the_way_and_strip_removes() {
        let mut value = json!({"a": {"b": 1}, "list": [1, 2, 3]});
        set_pointer(&mut value, "/x/y~1z", json!(true));
        remove_pointer(&mut value, "/a/b");
        remove_pointer(&mut value, "/list/1");
        assert_eq!(value, json!({"a": {}, "list": [1, 3], "x": {"y/z": true}}));
    }
}
