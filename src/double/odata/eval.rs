//! Evaluating a parsed `$filter` against a resource (JSON), and the one ordering of JSON
//! values that `$filter`'s `gt`/`lt` and `$orderby` share: nulls first, numbers by value
//! (numeric strings too), date-times as instants, strings by their characters.

use std::cmp::Ordering;

use serde_json::Value;

use crate::double::odata::lexer::date_time;
use crate::double::odata::parser::{Compare, Expr, Literal, Operand, Path};

/// Whether `item` satisfies `expr`.
pub fn matches(expr: &Expr, item: &Value) -> bool {
    eval(expr, item, &mut Vec::new())
}

/// A value reduced to what comparisons see.
#[derive(Debug, Clone, PartialEq)]
enum Scalar<'v> {
    Null,
    Bool(bool),
    Number(f64),
    Text(&'v str),
    Moment(chrono::DateTime<chrono::FixedOffset>),
    /// An object or array: equal only to itself, never ordered.
    Other,
}

fn scalar(value: &Value) -> Scalar<'_> {
    match value {
        Value::Null => Scalar::Null,
        Value::Bool(b) => Scalar::Bool(*b),
        Value::Number(n) => n.as_f64().map_or(Scalar::Other, Scalar::Number),
        Value::String(s) => Scalar::Text(s),
        Value::Array(_) | Value::Object(_) => Scalar::Other,
    }
}

fn literal(literal: &Literal) -> Scalar<'_> {
    match literal {
        Literal::Text(t) => Scalar::Text(t),
        Literal::Number(n) => Scalar::Number(*n),
        Literal::Bool(b) => Scalar::Bool(*b),
        Literal::Null => Scalar::Null,
        Literal::DateTime(d) => Scalar::Moment(*d),
    }
}

/// Orders two scalars when they are comparable: text meets a date-time or a number by
/// reading it as one.
fn order(left: &Scalar<'_>, right: &Scalar<'_>) -> Option<Ordering> {
    match (left, right) {
        (Scalar::Null, Scalar::Null) => Some(Ordering::Equal),
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(y)),
        (Scalar::Number(x), Scalar::Number(y)) => x.partial_cmp(y),
        (Scalar::Moment(x), Scalar::Moment(y)) => Some(x.cmp(y)),
        (Scalar::Text(x), Scalar::Text(y)) => match (date_time(x), date_time(y)) {
            (Some(first), Some(second)) => Some(first.cmp(&second)),
            _ => Some(x.cmp(y)),
        },
        (Scalar::Text(x), Scalar::Moment(y)) => date_time(x).map(|p| p.cmp(y)),
        (Scalar::Moment(x), Scalar::Text(y)) => date_time(y).map(|q| x.cmp(&q)),
        (Scalar::Text(x), Scalar::Number(y)) => x.parse::<f64>().ok()?.partial_cmp(y),
        (Scalar::Number(x), Scalar::Text(y)) => x.partial_cmp(&y.parse::<f64>().ok()?),
        _ => None,
    }
}

fn rank(s: &Scalar<'_>) -> u8 {
    match s {
        Scalar::Null => 0,
        Scalar::Bool(_) => 1,
        Scalar::Number(_) => 2,
        Scalar::Moment(_) => 3,
        Scalar::Text(_) => 4,
        Scalar::Other => 5,
    }
}

/// The total order `$orderby` sorts by (ascending): nulls and missing values first, then
/// by value; values of different kinds by kind.
pub fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let (x, y) = (
        a.map_or(Scalar::Null, scalar),
        b.map_or(Scalar::Null, scalar),
    );
    order(&x, &y).unwrap_or_else(|| rank(&x).cmp(&rank(&y)))
}

/// The value a path reaches from the resource or a lambda variable.
fn resolve<'v>(path: &Path, item: &'v Value, scope: &[(&str, &'v Value)]) -> Option<&'v Value> {
    let mut at = match &path.variable {
        Some(name) => scope.iter().rev().find(|(n, _)| n == name)?.1,
        None => item,
    };
    for segment in &path.segments {
        at = at.get(segment)?;
    }
    Some(at)
}

fn value<'v>(operand: &'v Operand, item: &'v Value, scope: &[(&str, &'v Value)]) -> Scalar<'v> {
    match operand {
        Operand::Literal(l) => literal(l),
        Operand::Path(path) => resolve(path, item, scope).map_or(Scalar::Null, scalar),
    }
}

fn eval<'v>(expr: &'v Expr, item: &'v Value, scope: &mut Vec<(&'v str, &'v Value)>) -> bool {
    match expr {
        Expr::Or(a, b) => eval(a, item, scope) || eval(b, item, scope),
        Expr::And(a, b) => eval(a, item, scope) && eval(b, item, scope),
        Expr::Not(a) => !eval(a, item, scope),
        Expr::Truth(operand) => value(operand, item, scope) == Scalar::Bool(true),
        Expr::Compare(op, left, right) => {
            let (x, y) = (value(left, item, scope), value(right, item, scope));
            let ordering = order(&x, &y);
            let null = x == Scalar::Null || y == Scalar::Null;
            match op {
                Compare::Eq => ordering == Some(Ordering::Equal),
                Compare::Ne => ordering != Some(Ordering::Equal),
                _ if null => false,
                Compare::Gt => ordering == Some(Ordering::Greater),
                Compare::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
                Compare::Lt => ordering == Some(Ordering::Less),
                Compare::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
            }
        }
        Expr::Lambda(lambda) => {
            let items: &[Value] = match resolve(&lambda.collection, item, scope) {
                Some(Value::Array(items)) => items,
                _ => &[],
            };
            let Some(body) = &lambda.body else {
                return !items.is_empty();
            };
            let mut holds = |element: &'v Value| {
                scope.push((lambda.variable.as_str(), element));
                let result = eval(body, item, scope);
                scope.pop();
                result
            };
            if lambda.all {
                items.iter().all(&mut holds)
            } else {
                items.iter().any(&mut holds)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::double::odata::parser::parse;
    use serde_json::json;

    fn holds(filter: &str, item: &Value) -> bool {
        matches(&parse(filter, None).unwrap(), item)
    }

    #[test]
    fn comparisons_of_strings_numbers_booleans_and_null() {
        let item = json!({"name": "O'Brien", "details": {"dealValue": 10000}, "favorite": true, "statusReason": null});
        assert!(holds("name eq 'O''Brien'", &item));
        assert!(holds(
            "details/dealValue gt 9999.5 and details/dealValue le 10000",
            &item
        ));
        assert!(holds("favorite eq true and favorite", &item));
        assert!(holds("statusReason eq null and missing eq null", &item));
        assert!(!holds("statusReason gt 'a'", &item));
        assert!(holds("not (name ne 'O''Brien')", &item));
    }

    #[test]
    fn date_times_compare_as_instants() {
        let item = json!({"createdDateTime": "2020-09-30T11:40:00Z"});
        assert!(holds("createdDateTime gt 2020-09-30T12:39:59+01:00", &item));
        assert!(holds("createdDateTime lt 2020-10-01", &item));
        assert!(holds("createdDateTime eq '2020-09-30T11:40:00Z'", &item));
    }

    #[test]
    fn any_and_all_range_over_the_collection() {
        let item = json!({"team": [{"email": "a@x"}, {"email": "r2d2@contoso.com"}]});
        assert!(holds("team/any(t:t/email eq 'r2d2@contoso.com')", &item));
        assert!(!holds("team/all(t:t/email eq 'r2d2@contoso.com')", &item));
        assert!(holds("team/any()", &item));
        assert!(!holds("target/any()", &item));
        assert!(holds("target/all(t:t/id eq 'x')", &item));
    }

    #[test]
    fn orderby_puts_nulls_first_and_numbers_by_value() {
        let (two, ten) = (json!(2), json!("10"));
        assert_eq!(compare_values(Some(&two), Some(&ten)), Ordering::Less);
        assert_eq!(compare_values(None, Some(&two)), Ordering::Less);
    }
}
