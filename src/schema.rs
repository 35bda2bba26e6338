//! The JSON Schemas of schemas/: read once, compiled once, then used to validate any
//! number of bodies. Schemas refer to each other by relative `$ref`; those references are
//! served from the files already read, never from the network.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, Retrieve, Uri, Validator};
use serde_json::Value;

/// The base every schema's `$id` lives under (an unresolvable host: nothing is fetched).
pub const SCHEMA_BASE: &str = "https://schemas.vouch.invalid/";

/// Why the schemas could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("{path}: schema file is missing")]
    Missing { path: PathBuf },
    #[error("{path}: cannot read schema: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: schema is not valid JSON: {message}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: not a valid JSON Schema 2020-12 document: {message} (at {pointer})")]
    Meta {
        path: PathBuf,
        pointer: String,
        message: String,
    },
    #[error("{path}: schema does not compile: {message}")]
    Compile { path: PathBuf, message: String },
    #[error("no schema named {name:?} (known: {known})")]
    Unknown { name: String, known: String },
}

/// What kind of departure a violation is, for reports that sort them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViolationKind {
    /// Members the schema does not define (`additionalProperties` or
    /// `unevaluatedProperties`), by name.
    UnknownFields(Vec<String>),
    /// A member the schema forbids outright (a `false` schema, such as `links` on PUT).
    ForbiddenField,
    /// A value outside the schema's `enum`.
    NotInEnum,
    /// Anything else: a type, a required member, a format.
    Other,
}

/// One way in which a body fails its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON Pointer into the validated body.
    pub pointer: String,
    /// JSON Pointer into the schema (the keyword that failed).
    pub schema_pointer: String,
    pub message: String,
    pub kind: ViolationKind,
}

impl ViolationKind {
    fn of(kind: &ValidationErrorKind) -> Self {
        match kind {
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                Self::UnknownFields(unexpected.clone())
            }
            ValidationErrorKind::FalseSchema => Self::ForbiddenField,
            ValidationErrorKind::Enum { .. } => Self::NotInEnum,
            _ => Self::Other,
        }
    }
}

/// One property path a schema declares (`SchemaSet::properties`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// `customerProfile/address/country`; an array's items add to the array's path.
    pub path: String,
    pub object: bool,
    pub array: bool,
    /// It lies inside an array's items.
    pub in_array: bool,
}

/// Every schema of a suite, compiled.
pub struct SchemaSet {
    dir: PathBuf,
    documents: Arc<BTreeMap<String, Value>>,
    validators: BTreeMap<String, (PathBuf, Validator)>,
}

impl std::fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaSet")
            .field("dir", &self.dir)
            .field("schemas", &self.validators.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Serves `$ref`s to sibling schema files from memory.
struct Siblings(Arc<BTreeMap<String, Value>>);

impl Retrieve for Siblings {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = uri.as_str();
        let file = text.strip_prefix(SCHEMA_BASE).unwrap_or(text);
        let file = file.split('#').next().unwrap_or(file);
        self.0.get(file).cloned().ok_or_else(|| {
            format!("no schema file {file:?} beside the others (from $ref {text})").into()
        })
    }
}

fn read_json(path: &Path) -> Result<Value, SchemaError> {
    let text = fs::read_to_string(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => SchemaError::Missing {
            path: path.to_owned(),
        },
        _ => SchemaError::Read {
            path: path.to_owned(),
            source,
        },
    })?;
    serde_json::from_str(&text).map_err(|e| SchemaError::Json {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

impl SchemaSet {
    /// Reads every `*.json` file of `dir`, checks each against the 2020-12 meta-schema, and
    /// compiles the ones named in `names` (name → file name).
    pub fn load(dir: &Path, names: &BTreeMap<String, String>) -> Result<Self, SchemaError> {
        let mut documents = BTreeMap::new();
        let entries = fs::read_dir(dir).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => SchemaError::Missing {
                path: dir.to_owned(),
            },
            _ => SchemaError::Read {
                path: dir.to_owned(),
                source,
            },
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for path in &files {
            let value = read_json(path)?;
            if let Err(error) = jsonschema::meta::validate(&value) {
                return Err(SchemaError::Meta {
                    path: path.clone(),
                    pointer: error.instance_path().to_string(),
                    message: error.to_string(),
                });
            }
            let file = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            documents.insert(file, value);
        }
        let documents = Arc::new(documents);
        let mut validators = BTreeMap::new();
        for (name, file) in names {
            let path = dir.join(file);
            let schema = documents
                .get(file)
                .ok_or_else(|| SchemaError::Missing { path: path.clone() })?;
            let validator = jsonschema::options()
                .with_draft(Draft::Draft202012)
                .with_base_uri(format!("{SCHEMA_BASE}{file}"))
                .with_retriever(Siblings(Arc::clone(&documents)))
                .build(schema)
                .map_err(|e| SchemaError::Compile {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            validators.insert(name.clone(), (path, validator));
        }
        Ok(Self {
            dir: dir.to_owned(),
            documents,
            validators,
        })
    }

    /// The names the schemas were loaded under.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.validators.keys().map(String::as_str)
    }

    /// The file a named schema was read from.
    pub fn path(&self, name: &str) -> Option<&Path> {
        self.validators.get(name).map(|(p, _)| p.as_path())
    }

    /// The raw schema documents, by file name (for exports such as `OpenAPI`).
    pub fn documents(&self) -> &BTreeMap<String, Value> {
        &self.documents
    }

    /// The compiled schema called `name`, with its file.
    fn entry(&self, name: &str) -> Result<&(PathBuf, Validator), SchemaError> {
        self.validators
            .get(name)
            .ok_or_else(|| SchemaError::Unknown {
                name: name.to_owned(),
                known: self
                    .validators
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Validates `instance` against the schema called `name`; an empty list means valid.
    pub fn validate(&self, name: &str, instance: &Value) -> Result<Vec<Violation>, SchemaError> {
        let (_, validator) = self.entry(name)?;
        // The fast yes/no walk first; collecting errors only when there are some.
        if validator.is_valid(instance) {
            return Ok(Vec::new());
        }
        Ok(validator
            .iter_errors(instance)
            .map(|e| Violation {
                pointer: e.instance_path().to_string(),
                schema_pointer: e.schema_path().to_string(),
                message: e.to_string(),
                kind: ViolationKind::of(e.kind()),
            })
            .collect())
    }

    /// The members of `instance` that the schema called `name` does not declare: no
    /// `properties` of the schemas that apply to their object names them (following `$ref`,
    /// `allOf`, `anyOf`, `oneOf` and `items`). An object whose schema declares no properties,
    /// or admits others by `patternProperties` or an `additionalProperties` schema, is not
    /// judged. This finds fields that an open schema tolerates but does not define, e.g. an
    /// unknown top-level member of a resource. JSON Pointers, in document order.
    pub fn undeclared(&self, name: &str, instance: &Value) -> Result<Vec<String>, SchemaError> {
        let mut found = Vec::new();
        if let Some(root) = self.root(name)? {
            self.walk(&[root], instance, "", &mut found);
        }
        Ok(found)
    }

    /// The document of the schema called `name`, with its file name.
    fn root(&self, name: &str) -> Result<Option<(&str, &Value)>, SchemaError> {
        let (path, _) = self.entry(name)?;
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(self
            .documents
            .get_key_value(&file)
            .map(|(file, root)| (file.as_str(), root)))
    }

    /// Every property path the schema called `name` declares, nested ones as `a/b/c` and
    /// those of an array's items under the array's path (following `$ref`, `allOf`,
    /// `anyOf`, `oneOf` and `items`), in declaration order: what a query may name.
    pub fn properties(&self, name: &str) -> Result<Vec<Property>, SchemaError> {
        let mut found = Vec::new();
        if let Some(root) = self.root(name)? {
            self.declared(&[root], "", false, &mut found, 0);
        }
        Ok(found)
    }

    fn declared(
        &self,
        schemas: &[(&str, &Value)],
        prefix: &str,
        in_array: bool,
        out: &mut Vec<Property>,
        depth: usize,
    ) {
        const MAX_DEPTH: usize = 16;
        if depth > MAX_DEPTH {
            return;
        }
        let mut flat = Vec::new();
        for (file, schema) in schemas {
            self.flatten(file, schema, &mut flat, 0);
        }
        let mut names: Vec<&str> = Vec::new();
        for (_, schema) in &flat {
            if let Some(Value::Object(members)) = schema.get("properties") {
                for key in members.keys() {
                    if !names.contains(&key.as_str()) {
                        names.push(key);
                    }
                }
            }
        }
        let has_type = |schema: &Value, wanted: &str| match schema.get("type") {
            Some(Value::String(t)) => t == wanted,
            Some(Value::Array(types)) => types.iter().any(|t| t == wanted),
            _ => false,
        };
        for key in names {
            let children: Vec<(&str, &Value)> = flat
                .iter()
                .filter_map(|(file, s)| Some((*file, s.get("properties")?.get(key)?)))
                .collect();
            let mut child_flat = Vec::new();
            for (file, schema) in &children {
                self.flatten(file, schema, &mut child_flat, 0);
            }
            let array = child_flat
                .iter()
                .any(|(_, s)| has_type(s, "array") || s.get("items").is_some());
            let object = !array
                && child_flat
                    .iter()
                    .any(|(_, s)| has_type(s, "object") || s.get("properties").is_some());
            let path = if prefix.is_empty() {
                key.to_owned()
            } else {
                format!("{prefix}/{key}")
            };
            out.push(Property {
                path: path.clone(),
                object,
                array,
                in_array,
            });
            if array {
                let items: Vec<(&str, &Value)> = child_flat
                    .iter()
                    .filter_map(|(file, s)| {
                        Some((*file, s.get("items").filter(|i| i.is_object())?))
                    })
                    .collect();
                self.declared(&items, &path, true, out, depth + 1);
            } else if object {
                self.declared(&children, &path, in_array, out, depth + 1);
            }
        }
    }

    /// `schema` and every schema it brings in by `$ref`, `allOf`, `anyOf` or `oneOf`.
    fn flatten<'s>(
        &'s self,
        file: &'s str,
        schema: &'s Value,
        out: &mut Vec<(&'s str, &'s Value)>,
        depth: usize,
    ) {
        const MAX_DEPTH: usize = 32;
        if depth > MAX_DEPTH {
            return;
        }
        out.push((file, schema));
        if let Some((target_file, target)) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| self.resolve(file, reference))
        {
            self.flatten(target_file, target, out, depth + 1);
        }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            for branch in schema
                .get(keyword)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.flatten(file, branch, out, depth + 1);
            }
        }
    }

    /// The schema a `$ref` written in `file` points at.
    fn resolve<'s>(&'s self, file: &'s str, reference: &str) -> Option<(&'s str, &'s Value)> {
        let reference = reference.strip_prefix(SCHEMA_BASE).unwrap_or(reference);
        let (target_file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let target_file = if target_file.is_empty() {
            file
        } else {
            target_file
        };
        let (key, document) = self.documents.get_key_value(target_file)?;
        let target = if fragment.is_empty() {
            document
        } else {
            document.pointer(fragment)?
        };
        Some((key.as_str(), target))
    }

    fn walk(
        &self,
        schemas: &[(&str, &Value)],
        instance: &Value,
        pointer: &str,
        out: &mut Vec<String>,
    ) {
        let mut flat = Vec::new();
        for (file, schema) in schemas {
            self.flatten(file, schema, &mut flat, 0);
        }
        match instance {
            Value::Object(members) => {
                let open = flat.iter().any(|(_, s)| {
                    s.get("patternProperties").is_some()
                        || s.get("additionalProperties").is_some_and(Value::is_object)
                });
                let declares = flat.iter().any(|(_, s)| s.get("properties").is_some());
                for (key, child) in members {
                    let child_pointer = format!(
                        "{pointer}/{}",
                        crate::fixture::contract::Pointer::escape(key)
                    );
                    let children: Vec<(&str, &Value)> = flat
                        .iter()
                        .filter_map(|(file, s)| Some((*file, s.get("properties")?.get(key)?)))
                        .collect();
                    if children.is_empty() {
                        if declares && !open {
                            out.push(child_pointer);
                        }
                    } else {
                        self.walk(&children, child, &child_pointer, out);
                    }
                }
            }
            Value::Array(items) => {
                let children: Vec<(&str, &Value)> = flat
                    .iter()
                    .filter_map(|(file, s)| {
                        Some((*file, s.get("items").filter(|i| i.is_object())?))
                    })
                    .collect();
                if !children.is_empty() {
                    for (index, item) in items.iter().enumerate() {
                        self.walk(&children, item, &format!("{pointer}/{index}"), out);
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether `instance` is valid against the schema called `name`.
    pub fn is_valid(&self, name: &str, instance: &Value) -> Result<bool, SchemaError> {
        let (_, validator) = self.entry(name)?;
        Ok(validator.is_valid(instance))
    }
}
