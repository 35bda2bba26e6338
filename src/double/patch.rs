//! Applying a JSON Patch (RFC 6902) restricted to `add` and `replace`, the operations the
//! a patch schema may limit itself to, to a stored resource.

use serde_json::Value;

/// Why an operation could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    #[error("operation {index}: {op:?} is not supported (only add and replace)")]
    Unsupported { index: usize, op: String },
    #[error("operation {index}: path {path:?} does not exist")]
    Missing { index: usize, path: String },
    #[error("operation {index}: {message}")]
    Malformed { index: usize, message: String },
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Applies `ops` to `target` in order; on error `target` may be partly changed, so the
/// caller applies to a copy.
pub fn apply(target: &mut Value, ops: &[Value], skip_unsupported: bool) -> Result<(), PatchError> {
    for (index, op) in ops.iter().enumerate() {
        let malformed = |message: &str| PatchError::Malformed {
            index,
            message: message.to_owned(),
        };
        let name = op
            .get("op")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("no op"))?;
        let path = op
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("no path"))?;
        let value = op
            .get("value")
            .cloned()
            .ok_or_else(|| malformed("no value"))?;
        if name != "add" && name != "replace" {
            if skip_unsupported {
                continue;
            }
            return Err(PatchError::Unsupported {
                index,
                op: name.to_owned(),
            });
        }
        let Some((parent_path, last)) = path.rsplit_once('/') else {
            return Err(malformed("the path must start with /"));
        };
        let last = unescape(last);
        let parent = target
            .pointer_mut(parent_path)
            .ok_or_else(|| PatchError::Missing {
                index,
                path: parent_path.to_owned(),
            })?;
        match parent {
            Value::Object(map) => {
                if name == "replace" && !map.contains_key(&last) {
                    return Err(PatchError::Missing {
                        index,
                        path: path.to_owned(),
                    });
                }
                map.insert(last, value);
            }
            Value::Array(items) => {
                if last == "-" && name == "add" {
                    items.push(value);
                } else {
                    let at: usize = last
                        .parse()
                        .map_err(|_| malformed("an array index must be a number or -"))?;
                    match name {
                        "add" if at <= items.len() => items.insert(at, value),
                        "replace" if at < items.len() => items[at] = value,
                        _ => {
                            return Err(PatchError::Missing {
                                index,
                                path: path.to_owned(),
                            })
                        }
                    }
                }
            }
            _ => {
                return Err(malformed(
                    "the parent of the path is not an object or array",
                ))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replace_and_append_work_as_in_the_documented_example() {
        let mut body = json!({"details": {"dealValue": 5}, "team": []});
        let ops = json!([
            {"op": "replace", "path": "/details/dealValue", "value": 10000},
            {"op": "add", "path": "/team/-", "value": {"email": "jane.doe@contoso.com"}}
        ]);
        apply(&mut body, ops.as_array().unwrap(), false).unwrap();
        assert_eq!(
            body,
            json!({"details": {"dealValue": 10000}, "team": [{"email": "jane.doe@contoso.com"}]})
        );
    }

    #[test]
    fn replace_of_a_missing_member_is_refused() {
        let mut body = json!({"details": {}});
        let ops = json!([{"op": "replace", "path": "/details/notes", "value": "x"}]);
        assert!(matches!(
            apply(&mut body, ops.as_array().unwrap(), false),
            Err(PatchError::Missing { .. })
        ));
    }

    #[test]
    fn remove_is_refused_unless_told_to_skip_it() {
        let mut body = json!({"name": "x"});
        let ops = json!([{"op": "remove", "path": "/name", "value": null}]);
        assert!(matches!(
            apply(&mut body, ops.as_array().unwrap(), false),
            Err(PatchError::Unsupported { .. })
        ));
        assert_eq!(apply(&mut body, ops.as_array().unwrap(), true), Ok(()));
        assert_eq!(body, json!({"name": "x"}));
    }

    #[test]
    fn add_creates_a_missing_member() {
        let mut body = json!({"details": {}});
        let ops = json!([{"op": "add", "path": "/details/notes", "value": "hi"}]);
        apply(&mut body, ops.as_array().unwrap(), false).unwrap();
        assert_eq!(body["details"]["notes"], "hi");
    }
}
