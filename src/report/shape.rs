//! The shape of a JSON body: which JSON Pointers it has and the JSON types found at each,
//! values ignored. Array items share one pointer segment, `*`, so a list of ten resources
//! and a list of two have the same shape. Two runs whose responses differ only in values
//! (ids, eTags, times) have equal shapes; a field that appears, vanishes or changes type
//! shows up as a [`ShapeDifference`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Pointer → the JSON types seen there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    types: BTreeMap<String, BTreeSet<&'static str>>,
}

/// One pointer whose types differ between two shapes (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShapeDifference {
    pub pointer: String,
    pub base: Option<String>,
    pub head: Option<String>,
}

impl Shape {
    /// The shape of `value`.
    pub fn of(value: &Value) -> Self {
        let mut shape = Self::default();
        shape.visit(String::new(), value);
        shape
    }

    /// The shape of a body's text, when it is JSON.
    pub fn of_text(text: &str) -> Option<Self> {
        serde_json::from_str::<Value>(text)
            .ok()
            .map(|v| Self::of(&v))
    }

    fn visit(&mut self, pointer: String, value: &Value) {
        let kind = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(items) => {
                for item in items {
                    self.visit(format!("{pointer}/*"), item);
                }
                "array"
            }
            Value::Object(fields) => {
                for (key, field) in fields {
                    let key = crate::fixture::contract::Pointer::escape(key);
                    self.visit(format!("{pointer}/{key}"), field);
                }
                "object"
            }
        };
        self.types.entry(pointer).or_default().insert(kind);
    }

    /// Where `self` (the base) and `head` differ, by pointer.
    pub fn differences(&self, head: &Shape) -> Vec<ShapeDifference> {
        let pointers: BTreeSet<&String> = self.types.keys().chain(head.types.keys()).collect();
        pointers
            .into_iter()
            .filter_map(|pointer| {
                let base = self.types.get(pointer);
                let head = head.types.get(pointer);
                (base != head).then(|| ShapeDifference {
                    pointer: pointer.clone(),
                    base: base.map(describe),
                    head: head.map(describe),
                })
            })
            .collect()
    }
}

fn describe(types: &BTreeSet<&'static str>) -> String {
    types.iter().copied().collect::<Vec<_>>().join(" | ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_do_not_change_a_shape() {
        let base = Shape::of(&json!({"id": "a", "items": [{"n": 1}, {"n": 2}]}));
        let head = Shape::of(&json!({"id": "b", "items": [{"n": 9}]}));

        assert!(base.differences(&head).is_empty());
    }

    #[test]
    fn a_vanished_field_and_a_changed_type_are_differences() {
        let base = Shape::of(&json!({"id": "a", "eTag": "\"1\"", "size": 3}));
        let head = Shape::of(&json!({"id": "a", "size": "3"}));

        let differences = base.differences(&head);

        assert_eq!(
            differences,
            [
                ShapeDifference {
                    pointer: "/eTag".into(),
                    base: Some("string".into()),
                    head: None
                },
                ShapeDifference {
                    pointer: "/size".into(),
                    base: Some("number".into()),
                    head: Some("string".into())
                },
            ]
        );
    }
}
