//! Schemas → `components/schemas`. Every schema file becomes a component named after the
//! file (`thing-create.schema.json` → `ThingCreate`); the `$defs` of each file become
//! components of their own (those of a file that holds nothing but `$defs` keep their bare
//! names; the others are prefixed, e.g. `JsonPatch.Operation`). Every `$ref` is rewritten
//! to point inside the document, `$id` and `$schema` are dropped (the document declares the
//! 2020-12 dialect once), and everything else, `$comment`s included, is kept as written.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{OpenapiError, Source, COMPONENT_PREFIX};
use crate::fixture::contract::Pointer;
use crate::schema::SCHEMA_BASE;

/// Keywords whose value is one subschema (JSON Schema 2020-12).
const ONE_SUBSCHEMA: &[&str] = &[
    "additionalProperties",
    "items",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
];

/// Keywords whose value is an array of subschemas.
const SUBSCHEMA_ARRAYS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Keywords whose value is a map of subschemas.
const SUBSCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
];

/// Root keywords of a file that holds only definitions (no constraint of its own).
const LIBRARY_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "title",
    "description",
    "$comment",
    "$defs",
];

/// The schemas as components, with where each one came from.
#[derive(Debug)]
pub(super) struct Components {
    pub(super) schemas: BTreeMap<String, Value>,
    pub(super) sources: BTreeMap<String, Source>,
    /// (file, definition) → component name; `None` stands for the file's root.
    names: BTreeMap<(String, Option<String>), String>,
}

impl Components {
    /// Names every file and definition, then copies each one with its `$ref`s rewritten.
    pub(super) fn export(documents: &BTreeMap<String, Value>) -> Result<Self, OpenapiError> {
        let mut components = Self {
            schemas: BTreeMap::new(),
            sources: BTreeMap::new(),
            names: BTreeMap::new(),
        };
        for (file, document) in documents {
            let library = is_library(document);
            let root_name = component_name(file);
            if !library {
                components.name(file, None, root_name.clone())?;
            }
            for definition in definitions(document).keys() {
                let name = if library {
                    definition.clone()
                } else {
                    format!("{root_name}.{definition}")
                };
                components.name(file, Some(definition), name)?;
            }
        }
        let mut schemas = BTreeMap::new();
        for (file, document) in documents {
            let rewriter = Rewriter {
                file,
                documents,
                names: &components.names,
            };
            if let Some(name) = components.names.get(&(file.clone(), None)) {
                let mut root = document.clone();
                if let Value::Object(map) = &mut root {
                    // shift_remove keeps the file's key order.
                    map.shift_remove("$defs");
                    map.shift_remove("$id");
                    map.shift_remove("$schema");
                }
                rewriter.schema(&mut root, "", true)?;
                schemas.insert(name.clone(), root);
            }
            for (definition, mut schema) in definitions(document) {
                let pointer = format!("/$defs/{}", Pointer::escape(&definition));
                rewriter.schema(&mut schema, &pointer, false)?;
                if let Some(name) = components.names.get(&(file.clone(), Some(definition))) {
                    schemas.insert(name.clone(), schema);
                }
            }
        }
        components.schemas = schemas;
        Ok(components)
    }

    fn name(
        &mut self,
        file: &str,
        definition: Option<&String>,
        name: String,
    ) -> Result<(), OpenapiError> {
        let source = source_of(file, definition.map(String::as_str));
        if !is_component_name(&name) {
            return Err(OpenapiError::BadName {
                file: file.to_owned(),
                pointer: source.pointer,
                name,
            });
        }
        if let Some(first) = self.sources.get(&name) {
            return Err(OpenapiError::DuplicateName {
                name,
                first: first.clone(),
                second: source,
            });
        }
        self.sources.insert(name.clone(), source);
        self.names
            .insert((file.to_owned(), definition.cloned()), name);
        Ok(())
    }

    /// The component of a file's root, when the file is exported as a schema of its own.
    pub(super) fn root(&self, file: &str) -> Option<&str> {
        self.names.get(&(file.to_owned(), None)).map(String::as_str)
    }
}

fn source_of(file: &str, definition: Option<&str>) -> Source {
    Source {
        file: file.to_owned(),
        pointer: definition.map_or_else(String::new, |d| format!("/$defs/{}", Pointer::escape(d))),
    }
}

/// Whether a file holds nothing but definitions (and annotations about itself).
fn is_library(document: &Value) -> bool {
    document.as_object().is_some_and(|map| {
        map.contains_key("$defs") && map.keys().all(|k| LIBRARY_KEYWORDS.contains(&k.as_str()))
    })
}

fn definitions(document: &Value) -> Map<String, Value> {
    document
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// `error-partner-api.schema.json` → `ErrorPartnerApi`.
fn component_name(file: &str) -> String {
    let stem = file
        .strip_suffix(".schema.json")
        .or_else(|| file.strip_suffix(".json"))
        .unwrap_or(file);
    stem.split(['-', '_', '.'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// The names `OpenAPI` allows in `components` (`^[a-zA-Z0-9._-]+$`).
fn is_component_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Rewrites the `$ref`s of one file's schemas so that they point into the document.
struct Rewriter<'a> {
    file: &'a str,
    documents: &'a BTreeMap<String, Value>,
    names: &'a BTreeMap<(String, Option<String>), String>,
}

impl Rewriter<'_> {
    /// Walks a schema through the keywords that hold subschemas (never into `enum`,
    /// `const`, `default` or `examples`, whose values are data).
    fn schema(&self, schema: &mut Value, pointer: &str, root: bool) -> Result<(), OpenapiError> {
        let Value::Object(map) = schema else {
            return Ok(());
        };
        for keyword in ["$dynamicRef", "$recursiveRef"] {
            if map.contains_key(keyword) {
                return Err(self.unsupported(pointer, keyword));
            }
        }
        if !root && map.contains_key("$id") {
            return Err(self.unsupported(pointer, "$id"));
        }
        if let Some(Value::String(reference)) = map.get_mut("$ref") {
            *reference = self.target(reference, &format!("{pointer}/$ref"))?;
        }
        for (keyword, value) in map.iter_mut() {
            let here = format!("{pointer}/{}", Pointer::escape(keyword));
            if ONE_SUBSCHEMA.contains(&keyword.as_str()) {
                self.schema(value, &here, false)?;
            } else if SUBSCHEMA_ARRAYS.contains(&keyword.as_str()) {
                if let Value::Array(items) = value {
                    for (index, item) in items.iter_mut().enumerate() {
                        self.schema(item, &format!("{here}/{index}"), false)?;
                    }
                }
            } else if SUBSCHEMA_MAPS.contains(&keyword.as_str()) {
                if let Value::Object(members) = value {
                    for (name, member) in members.iter_mut() {
                        self.schema(member, &format!("{here}/{}", Pointer::escape(name)), false)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn unsupported(&self, pointer: &str, keyword: &'static str) -> OpenapiError {
        OpenapiError::UnsupportedKeyword {
            file: self.file.to_owned(),
            pointer: if pointer.is_empty() { "/" } else { pointer }.to_owned(),
            keyword,
        }
    }

    /// The in-document form of `reference`, written in `self.file` at `pointer`.
    fn target(&self, reference: &str, pointer: &str) -> Result<String, OpenapiError> {
        let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let path = path.strip_prefix(SCHEMA_BASE).unwrap_or(path);
        let path = path.strip_prefix("./").unwrap_or(path);
        if path.contains(':') || path.starts_with('/') || path.contains("..") {
            return Err(OpenapiError::ForeignRef {
                file: self.file.to_owned(),
                pointer: pointer.to_owned(),
                reference: reference.to_owned(),
            });
        }
        let file = if path.is_empty() { self.file } else { path };
        if !self.documents.contains_key(file) {
            return Err(OpenapiError::UnknownFile {
                file: self.file.to_owned(),
                pointer: pointer.to_owned(),
                reference: reference.to_owned(),
            });
        }
        if !(fragment.is_empty() || fragment.starts_with('/')) {
            return Err(OpenapiError::UnsupportedFragment {
                file: self.file.to_owned(),
                pointer: pointer.to_owned(),
                reference: reference.to_owned(),
            });
        }
        let (definition, rest) = match fragment.strip_prefix("/$defs/") {
            Some(after) => {
                let (token, rest) = after
                    .find('/')
                    .map_or((after, ""), |at| (&after[..at], &after[at..]));
                (Some(Pointer::unescape(token)), rest)
            }
            None => (None, fragment),
        };
        let name = self
            .names
            .get(&(file.to_owned(), definition.clone()))
            .ok_or_else(|| OpenapiError::UnknownTarget {
                file: self.file.to_owned(),
                pointer: pointer.to_owned(),
                reference: reference.to_owned(),
                target: format!("{file}#{fragment}"),
            })?;
        Ok(format!("{COMPONENT_PREFIX}{name}{rest}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn documents(files: &[(&str, Value)]) -> BTreeMap<String, Value> {
        files
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect()
    }

    #[test]
    fn a_file_name_becomes_a_pascal_case_component_name() {
        // Arrange
        let files = [
            "error-partner-api.schema.json",
            "item.schema.json",
            "json-patch.schema.json",
            "plain.json",
        ];

        // Act
        let names: Vec<String> = files.iter().map(|f| component_name(f)).collect();

        // Assert
        assert_eq!(names, ["ErrorPartnerApi", "Item", "JsonPatch", "Plain"]);
    }

    #[test]
    fn a_sibling_file_ref_with_a_definition_points_at_that_definitions_component() {
        // Arrange
        let docs = documents(&[
            (
                "types.schema.json",
                json!({ "$id": "https://schemas.vouch.invalid/types.schema.json", "$defs": { "Status": { "enum": ["New"] } } }),
            ),
            (
                "thing.schema.json",
                json!({ "$id": "https://schemas.vouch.invalid/thing.schema.json", "properties": { "status": { "$ref": "types.schema.json#/$defs/Status" } } }),
            ),
        ]);

        // Act
        let components = Components::export(&docs).unwrap();

        // Assert
        assert_eq!(
            components.schemas["Thing"],
            json!({ "properties": { "status": { "$ref": "#/components/schemas/Status" } } })
        );
        assert_eq!(components.schemas["Status"], json!({ "enum": ["New"] }));
        assert!(!components.schemas.contains_key("Types"));
    }

    #[test]
    fn local_definitions_are_hoisted_under_a_prefixed_name_and_keep_deeper_pointers() {
        // Arrange
        let docs = documents(&[(
            "error.schema.json",
            json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "properties": { "error": { "$ref": "#/$defs/Error" }, "code": { "$ref": "#/$defs/Error/properties/code" } },
                "$defs": { "Error": { "properties": { "code": { "type": "string" }, "inner": { "$ref": "#" } } } }
            }),
        )]);

        // Act
        let components = Components::export(&docs).unwrap();

        // Assert
        assert_eq!(
            components.schemas["Error"]["properties"]["code"]["$ref"],
            "#/components/schemas/Error.Error/properties/code"
        );
        assert_eq!(
            components.schemas["Error.Error"]["properties"]["inner"]["$ref"],
            "#/components/schemas/Error"
        );
        assert!(components.schemas["Error"].get("$defs").is_none());
        assert!(components.schemas["Error"].get("$schema").is_none());
        assert_eq!(
            components.sources["Error.Error"],
            Source {
                file: "error.schema.json".to_owned(),
                pointer: "/$defs/Error".to_owned()
            }
        );
    }

    #[test]
    fn a_ref_inside_enum_or_const_data_is_left_alone() {
        // Arrange
        let data = json!({ "$ref": "not-a-file.json" });
        let docs = documents(&[(
            "a.schema.json",
            json!({ "enum": [data.clone()], "const": data.clone(), "default": data.clone() }),
        )]);

        // Act
        let components = Components::export(&docs).unwrap();

        // Assert
        assert_eq!(components.schemas["A"]["enum"][0], data);
        assert_eq!(components.schemas["A"]["const"], data);
    }

    #[test]
    fn a_ref_to_another_host_is_refused_with_its_place() {
        // Arrange
        let docs = documents(&[(
            "a.schema.json",
            json!({ "items": { "$ref": "https://example.com/other.json" } }),
        )]);

        // Act
        let error = Components::export(&docs).unwrap_err();

        // Assert
        assert!(
            matches!(&error, OpenapiError::ForeignRef { file, pointer, .. } if file == "a.schema.json" && pointer == "/items/$ref"),
            "{error}"
        );
    }

    #[test]
    fn a_ref_to_a_missing_sibling_or_definition_is_refused() {
        // Arrange
        let missing_file = documents(&[("a.schema.json", json!({ "$ref": "b.schema.json" }))]);
        let missing_def = documents(&[("a.schema.json", json!({ "$ref": "#/$defs/Nope" }))]);

        // Act
        let file_error = Components::export(&missing_file).unwrap_err();
        let def_error = Components::export(&missing_def).unwrap_err();

        // Assert
        assert!(matches!(file_error, OpenapiError::UnknownFile { .. }));
        assert!(matches!(def_error, OpenapiError::UnknownTarget { .. }));
    }

    #[test]
    fn two_schemas_that_would_share_a_component_name_are_refused() {
        // Arrange: a library definition called Thing and a file thing.schema.json.
        let docs = documents(&[
            ("lib.schema.json", json!({ "$defs": { "Thing": true } })),
            ("thing.schema.json", json!({ "type": "object" })),
        ]);

        // Act
        let error = Components::export(&docs).unwrap_err();

        // Assert
        assert!(
            matches!(&error, OpenapiError::DuplicateName { name, .. } if name == "Thing"),
            "{error}"
        );
    }

    #[test]
    fn anchors_and_dynamic_refs_are_refused_rather_than_exported_half_right() {
        // Arrange
        let anchor = documents(&[("a.schema.json", json!({ "$ref": "#node" }))]);
        let dynamic = documents(&[("a.schema.json", json!({ "$dynamicRef": "#meta" }))]);

        // Act
        let anchor_error = Components::export(&anchor).unwrap_err();
        let dynamic_error = Components::export(&dynamic).unwrap_err();

        // Assert
        assert!(matches!(
            anchor_error,
            OpenapiError::UnsupportedFragment { .. }
        ));
        assert!(matches!(
            dynamic_error,
            OpenapiError::UnsupportedKeyword {
                keyword: "$dynamicRef",
                ..
            }
        ));
    }
}
