//! Which property paths a query may name: every property the resource schema declares,
//! nested ones as `customerProfile/address/country`, and the properties of a
//! collection's items (`team/email`, reachable only through `any`/`all`). Built once from
//! the compiled schemas, as contract.yaml's `query.filterable` says.

use std::collections::BTreeMap;

/// What a property holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string, number, boolean or null: comparable.
    Scalar,
    /// An object with properties of its own.
    Object,
    /// An array: filtered with `any`/`all`.
    Collection,
}

/// One property path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub shape: Shape,
    /// It lies inside a collection's items (needs a lambda variable to reach).
    pub in_collection: bool,
}

/// The property paths a query may name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Properties {
    paths: BTreeMap<String, Entry>,
}

impl Properties {
    /// From `(path, shape, in_collection)` triples.
    pub fn from_paths<'p>(paths: impl IntoIterator<Item = (&'p str, Shape, bool)>) -> Self {
        Self {
            paths: paths
                .into_iter()
                .map(|(path, shape, in_collection)| {
                    (
                        path.to_owned(),
                        Entry {
                            shape,
                            in_collection,
                        },
                    )
                })
                .collect(),
        }
    }

    /// Every property the schema called `name` declares (see `SchemaSet::properties`).
    pub fn from_schema(schemas: &crate::schema::SchemaSet, name: &str) -> Self {
        let paths = schemas
            .properties(name)
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                let shape = if p.array {
                    Shape::Collection
                } else if p.object {
                    Shape::Object
                } else {
                    Shape::Scalar
                };
                (
                    p.path,
                    Entry {
                        shape,
                        in_collection: p.in_array,
                    },
                )
            })
            .collect();
        Self { paths }
    }

    /// Only the listed top-level paths (and their nested ones) of `self`.
    #[must_use]
    pub fn restricted_to(&self, allowed: &[String]) -> Self {
        Self {
            paths: self
                .paths
                .iter()
                .filter(|(path, _)| {
                    allowed.iter().any(|a| {
                        *path == a
                            || path
                                .strip_prefix(a.as_str())
                                .is_some_and(|r| r.starts_with('/'))
                    })
                })
                .map(|(path, entry)| (path.clone(), *entry))
                .collect(),
        }
    }

    pub fn get(&self, path: &str) -> Option<Entry> {
        self.paths.get(path).copied()
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}
