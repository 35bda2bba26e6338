//! A list request's query options, read once into a `ListQuery`: `$filter`, `$orderby`
//! (several keys, `asc`/`desc`), `$top` (the page size), `$skip`, `$select`, `$count`
//! and `$skiptoken` (the position an `@odata.nextLink` of the double continues from).
//! An option the contract does not list, one given twice, or a value that does not
//! parse is refused; nothing is ignored.

use std::borrow::Cow;

use crate::double::odata::parser::{parse, Expr};
use crate::double::odata::properties::{Properties, Shape};
use crate::double::odata::FilterError;

/// The query options of one list request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pub filter: Option<Expr>,
    /// Sort keys in order: a property path's segments and whether descending.
    pub order: Vec<(Vec<String>, bool)>,
    /// The page size asked for (`$top`).
    pub top: Option<usize>,
    pub skip: usize,
    /// The property paths to keep (`None`: all).
    pub select: Option<Vec<Vec<String>>>,
    /// Whether to include `@odata.count` (`$count=false` leaves it out).
    pub count: bool,
    /// Where a nextLink continues (`$skiptoken`).
    pub start: Option<usize>,
}

/// Why a list's query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error("{option}: {message}")]
    Option { option: String, message: String },
}

fn refuse(option: &str, message: impl Into<String>) -> QueryError {
    QueryError::Option {
        option: option.to_owned(),
        message: message.into(),
    }
}

/// What the contract and schema allow.
#[derive(Debug, Clone, Copy)]
pub struct Allowed<'a> {
    /// The query options a list accepts.
    pub options: &'a [String],
    /// The properties `$filter` may name.
    pub filterable: &'a Properties,
    /// The properties `$orderby` and `$select` may name.
    pub properties: &'a Properties,
}

impl ListQuery {
    /// Reads the query pairs of a list request.
    pub fn parse<'q>(
        pairs: impl IntoIterator<Item = (Cow<'q, str>, Cow<'q, str>)>,
        allowed: Allowed<'_>,
    ) -> Result<Self, QueryError> {
        let mut query = Self {
            count: true,
            ..Self::default()
        };
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in pairs {
            if key.is_empty() && value.is_empty() {
                continue;
            }
            let key = key.as_ref();
            if !allowed.options.iter().any(|o| o == key) {
                return Err(refuse(
                    key,
                    format!(
                        "not a query option this list accepts (it accepts {})",
                        allowed.options.join(", ")
                    ),
                ));
            }
            if seen.iter().any(|s| s == key) {
                return Err(refuse(key, "given more than once"));
            }
            seen.push(key.to_owned());
            match key {
                "$filter" => query.filter = Some(parse(&value, Some(allowed.filterable))?),
                "$orderby" => query.order = order(&value, allowed.properties)?,
                "$top" => query.top = Some(whole(key, &value)?),
                "$skip" => query.skip = whole(key, &value)?,
                "$skiptoken" => {
                    query.start = Some(value.parse().map_err(|_| {
                        refuse(key, format!("{value:?} was not issued by this service"))
                    })?);
                }
                "$count" => {
                    query.count = match value.as_ref() {
                        "true" => true,
                        "false" => false,
                        other => return Err(refuse(key, format!("true or false, not {other:?}"))),
                    }
                }
                "$select" => query.select = select(&value, allowed.properties)?,
                other => {
                    return Err(refuse(
                        other,
                        "listed in the contract but not supported by the double",
                    ))
                }
            }
        }
        Ok(query)
    }
}

impl ListQuery {
    /// The top-level property names the filter and the sort keys read.
    pub fn names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        if let Some(filter) = &self.filter {
            filter.roots(&mut names);
        }
        names.extend(
            self.order
                .iter()
                .filter_map(|(path, _)| path.first().map(String::as_str)),
        );
        names
    }
}

fn whole(option: &str, value: &str) -> Result<usize, QueryError> {
    value
        .trim()
        .parse::<usize>()
        .map_err(|_| refuse(option, format!("a whole number from 0, not {value:?}")))
}

/// The comma-separated items of an option, each with its character offset.
fn items(text: &str) -> Vec<(usize, &str)> {
    let mut at = 0;
    let mut out = Vec::new();
    for item in text.split(',') {
        let leading = item.chars().take_while(|c| c.is_whitespace()).count();
        out.push((at + leading, item.trim()));
        at += item.chars().count() + 1;
    }
    out
}

/// A property path of `$orderby` or `$select`, checked against the schema.
fn property(
    option: &str,
    path: &str,
    at: usize,
    properties: &Properties,
    sortable: bool,
) -> Result<Vec<String>, QueryError> {
    let entry = properties.get(path).filter(|e| !e.in_collection);
    match entry {
        None => Err(refuse(
            option,
            format!("{path:?} is not a property of the resource (at character offset {at})"),
        )),
        Some(e) if sortable && e.shape != Shape::Scalar => Err(refuse(
            option,
            format!(
                "{path:?} is not a single value and cannot be sorted on (at character offset {at})"
            ),
        )),
        Some(_) => Ok(path.split('/').map(str::to_owned).collect()),
    }
}

fn order(text: &str, properties: &Properties) -> Result<Vec<(Vec<String>, bool)>, QueryError> {
    let mut keys = Vec::new();
    for (at, item) in items(text) {
        let mut words = item.split_whitespace();
        let Some(path) = words.next() else {
            return Err(refuse(
                "$orderby",
                format!("an empty sort key (at character offset {at})"),
            ));
        };
        let descending = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(refuse(
                    "$orderby",
                    format!("asc or desc after {path:?}, not {other:?} (at character offset {at})"),
                ))
            }
        };
        if let Some(extra) = words.next() {
            return Err(refuse(
                "$orderby",
                format!("unexpected {extra:?} after a sort key (at character offset {at})"),
            ));
        }
        keys.push((
            property("$orderby", path, at, properties, true)?,
            descending,
        ));
    }
    Ok(keys)
}

fn select(text: &str, properties: &Properties) -> Result<Option<Vec<Vec<String>>>, QueryError> {
    let mut paths = Vec::new();
    for (at, item) in items(text) {
        if item == "*" {
            return Ok(None);
        }
        paths.push(property("$select", item, at, properties, false)?);
    }
    Ok(Some(paths))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn properties() -> Properties {
        Properties::from_paths([
            ("status", Shape::Scalar, false),
            ("createdDateTime", Shape::Scalar, false),
            ("customerProfile", Shape::Object, false),
            ("customerProfile/name", Shape::Scalar, false),
        ])
    }

    fn read(query: &str) -> Result<ListQuery, QueryError> {
        let options: Vec<String> = ["$filter", "$orderby", "$top", "$skip", "$select", "$count"]
            .map(String::from)
            .to_vec();
        let properties = properties();
        let url = reqwest::Url::parse(&format!("http://x/?{query}")).unwrap();
        ListQuery::parse(
            url.query_pairs(),
            Allowed {
                options: &options,
                filterable: &properties,
                properties: &properties,
            },
        )
    }

    #[test]
    fn orderby_takes_several_keys_with_directions() {
        let query = read("$orderby=status asc, createdDateTime desc").unwrap();
        assert_eq!(
            query.order,
            vec![
                (vec!["status".to_owned()], false),
                (vec!["createdDateTime".to_owned()], true)
            ]
        );
    }

    #[test]
    fn an_option_the_contract_does_not_list_is_refused() {
        let error = read("$expand=team").unwrap_err();
        assert!(
            error.to_string().starts_with("$expand: not a query option"),
            "{error}"
        );
        assert!(read("$top=1&$top=2").is_err());
    }

    #[test]
    fn select_and_orderby_name_unknown_properties_with_their_offset() {
        let error = read("$select=status,colour").unwrap_err().to_string();
        assert!(
            error.contains("\"colour\"") && error.contains("offset 7"),
            "{error}"
        );
        let error = read("$orderby=customerProfile").unwrap_err().to_string();
        assert!(error.contains("cannot be sorted"), "{error}");
    }

    #[test]
    fn top_skip_and_count_are_read() {
        let query = read("$top=0&$skip=5&$count=false&$select=customerProfile/name").unwrap();
        assert_eq!((query.top, query.skip, query.count), (Some(0), 5, false));
        assert_eq!(
            query.select,
            Some(vec![vec!["customerProfile".to_owned(), "name".to_owned()]])
        );
        assert!(read("$top=-1").is_err());
        assert!(read("$count=yes").is_err());
    }
}
