//! Listing: the resources of a list operation (all of the collection, or those of a
//! scope: a path variable that names a field of each, as a parent's items), with the
//! contract's query options (`odata/`), in the contract's list envelope (`list:` its
//! items, next link, count and context members).

use reqwest::Url;
use serde_json::{Map, Value};

use crate::double::api;
use crate::double::odata::query::Allowed;
use crate::double::odata::{self, ListQuery};
use crate::double::reply::Reply;
use crate::double::request::Request;
use crate::double::shared::Shared;
use crate::double::store::Stored;
use crate::fixture::vocabulary::Operation;

impl Shared {
    pub fn list(
        &self,
        request: &Request,
        operation: &Operation,
        variables: &[(String, String)],
    ) -> Reply {
        let rule = &self.contract.query;
        let allowed = Allowed {
            options: &rule.options,
            filterable: &self.filterable,
            properties: &self.properties,
        };
        let mut query = match ListQuery::parse(request.url.query_pairs(), allowed) {
            Ok(query) => query,
            Err(error) => return self.invalid("invalid_query", error.to_string()),
        };
        self.hooks.shape_query(&mut query);
        let largest = if rule.max_page == 0 {
            usize::MAX
        } else {
            rule.max_page
        };
        let page_size = self
            .variants
            .page_size(query.top.unwrap_or(largest).min(largest));
        let start = query.start.unwrap_or(query.skip);
        let scope: Vec<(&crate::fixture::contract::Pointer, &str)> = operation
            .scope
            .iter()
            .filter_map(|(name, pointer)| {
                variables
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, value)| (pointer, value.as_str()))
            })
            .collect();
        let store = self.lock();
        // Scope, filter and order on the members each resource keeps parsed beside its
        // packed text when they are all the query names; otherwise on the whole resource.
        // Only what is in scope is looked at, and of a match only the values it is sorted by
        // are kept.
        let api = &self.api;
        let indexed = query
            .names()
            .iter()
            .all(|n| api.indexed.iter().any(|k| k == n));
        let needs_view = query.filter.is_some() || !query.order.is_empty();
        let mut matching: Vec<(&Stored, Vec<Option<Value>>)> = Vec::new();
        for stored in store.all() {
            let in_scope = scope.iter().all(|(pointer, value)| {
                stored.get(api, pointer).and_then(Value::as_str) == Some(*value)
            });
            if !in_scope {
                continue;
            }
            if !needs_view {
                matching.push((stored, Vec::new()));
                continue;
            }
            let view = Value::Object(if indexed {
                stored.view(api)
            } else {
                stored.body(api)
            });
            if query
                .filter
                .as_ref()
                .is_none_or(|f| odata::matches(f, &view))
            {
                let keys = query
                    .order
                    .iter()
                    .map(|(path, _)| member(&view, path).cloned())
                    .collect();
                matching.push((stored, keys));
            }
        }
        if !query.order.is_empty() {
            matching.sort_by(|(_, a), (_, b)| {
                for ((a, b), (_, descending)) in a.iter().zip(b).zip(&query.order) {
                    let ordering = odata::compare_values(a.as_ref(), b.as_ref());
                    let ordering = if *descending {
                        ordering.reverse()
                    } else {
                        ordering
                    };
                    if ordering.is_ne() {
                        return ordering;
                    }
                }
                std::cmp::Ordering::Equal
            });
        }
        let count = matching.len();
        let page: Vec<Value> = matching
            .iter()
            .skip(start)
            .take(page_size)
            .map(|(s, _)| {
                let body = Value::Object(s.body(api));
                match &query.select {
                    Some(paths) => self.selected(&body, paths),
                    None => body,
                }
            })
            .collect();
        drop(store);
        let base = request.base();
        let end = start.saturating_add(page.len());
        let mut body = Map::new();
        let Some(shape) = &self.api.list else {
            return Reply::list(Value::Array(page));
        };
        if let Some(context) = &shape.context {
            api::set(
                &mut body,
                &context.pointer,
                context.value.replace("{base}", &base).into(),
            );
        }
        if let Some(pointer) = shape.count.as_ref().filter(|_| query.count) {
            api::set(&mut body, pointer, count.into());
        }
        api::set(&mut body, &shape.items, Value::Array(page));
        if page_size > 0 && end < count {
            let next = self.hooks.next_start(start, end);
            if let Ok(mut link) = Url::parse(&format!("{base}{}", request.url.path())) {
                {
                    let mut pairs = link.query_pairs_mut();
                    for (key, value) in request.url.query_pairs() {
                        if key != "$skiptoken" {
                            pairs.append_pair(&key, &value);
                        }
                    }
                    pairs.append_pair("$skiptoken", &next.to_string());
                }
                // `$` needs no escape in a query; the link reads as the docs write it.
                let link = link.to_string().replace("%24", "$");
                api::set(&mut body, &shape.next_link, link.into());
            }
        }
        crate::double::data::bend_list(self, &mut body);
        Reply::list(Value::Object(body))
    }

    /// A resource cut down to the `$select`ed paths and the members always kept.
    fn selected(&self, body: &Value, paths: &[Vec<String>]) -> Value {
        let mut out = Value::Object(Map::new());
        let kept = self
            .contract
            .query
            .always_selected
            .iter()
            .map(|p| p.tokens().collect::<Vec<_>>());
        for path in paths.iter().cloned().chain(kept) {
            let Some(value) = member(body, &path) else {
                continue;
            };
            let mut at = &mut out;
            for (i, segment) in path.iter().enumerate() {
                let Value::Object(map) = at else { break };
                if i + 1 == path.len() {
                    map.insert(segment.clone(), value.clone());
                    break;
                }
                at = map
                    .entry(segment.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
            }
        }
        out
    }
}

/// The value at a property path, if there is one.
fn member<'v>(value: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, s| v.get(s))
}
