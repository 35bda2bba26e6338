//! The subset of `OData` `$filter` the double understands: `field eq 'value'` comparisons
//! joined by `and`, optionally in parentheses, on the fields the contract lists as
//! filterable. Anything else is refused (400), never silently ignored.

use serde_json::Value;

/// One `field eq 'value'` comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub field: String,
    pub value: String,
}

/// A parsed filter: all conditions must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub conditions: Vec<Condition>,
}

/// Why a `$filter` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("$filter: cannot read {0:?}; expected field eq 'value' joined by and")]
    Syntax(String),
    #[error("$filter: {field:?} cannot be filtered on (filterable: {allowed})")]
    Field { field: String, allowed: String },
}

impl Filter {
    pub fn parse(text: &str, filterable: &[String]) -> Result<Self, FilterError> {
        let mut conditions = Vec::new();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(Self::default());
        }
        for part in split_and(trimmed) {
            let part = part
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim();
            let mut words = part.splitn(3, ' ');
            let (Some(field), Some(op), Some(value)) = (words.next(), words.next(), words.next())
            else {
                return Err(FilterError::Syntax(part.to_owned()));
            };
            if op != "eq" {
                return Err(FilterError::Syntax(part.to_owned()));
            }
            let value = value.trim();
            let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) else {
                return Err(FilterError::Syntax(part.to_owned()));
            };
            if !filterable.iter().any(|f| f == field) {
                return Err(FilterError::Field {
                    field: field.to_owned(),
                    allowed: filterable.join(", "),
                });
            }
            conditions.push(Condition {
                field: field.to_owned(),
                value: inner.replace("''", "'"),
            });
        }
        Ok(Self { conditions })
    }

    /// Whether a resource satisfies every condition.
    pub fn matches(&self, body: &serde_json::Map<String, Value>) -> bool {
        self.conditions
            .iter()
            .all(|c| body.get(&c.field).and_then(Value::as_str) == Some(c.value.as_str()))
    }
}

/// Splits on ` and ` outside quotes.
fn split_and(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            quoted = !quoted;
        } else if !quoted && text[i..].starts_with(" and ") {
            parts.push(&text[start..i]);
            i += 5;
            start = i;
            continue;
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Vec<String> {
        ["engagementId", "status", "substatus", "type"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn the_related_referrals_filter_parses() {
        let filter = Filter::parse(
            "engagementId eq '37ef26aa-1d15-4533-9f93-a69bd33ab1e5'",
            &fields(),
        )
        .unwrap();
        assert_eq!(
            filter.conditions,
            vec![Condition {
                field: "engagementId".into(),
                value: "37ef26aa-1d15-4533-9f93-a69bd33ab1e5".into()
            }]
        );
    }

    #[test]
    fn conditions_join_with_and_inside_parentheses() {
        let filter = Filter::parse("(type eq 'Shared' and status eq 'New')", &fields()).unwrap();
        assert_eq!(filter.conditions.len(), 2);
        let body = serde_json::json!({"type": "Shared", "status": "New"});
        assert!(filter.matches(body.as_object().unwrap()));
        let other = serde_json::json!({"type": "Shared", "status": "Active"});
        assert!(!filter.matches(other.as_object().unwrap()));
    }

    #[test]
    fn a_quoted_and_is_part_of_the_value() {
        let filter = Filter::parse("status eq 'a and b'", &fields()).unwrap();
        assert_eq!(filter.conditions[0].value, "a and b");
    }

    #[test]
    fn unknown_fields_and_operators_are_refused() {
        assert!(matches!(
            Filter::parse("direction eq 'Incoming'", &fields()),
            Err(FilterError::Field { .. })
        ));
        assert!(matches!(
            Filter::parse("status ne 'New'", &fields()),
            Err(FilterError::Syntax(_))
        ));
        assert!(matches!(
            Filter::parse("status eq New", &fields()),
            Err(FilterError::Syntax(_))
        ));
    }
}
