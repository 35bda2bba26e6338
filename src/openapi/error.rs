//! Why an `OpenAPI` export failed, and where a component schema came from.

/// Why the `OpenAPI` document could not be assembled. Each variant names the file or the
/// contract entry at fault.
#[derive(Debug, thiserror::Error)]
pub enum OpenapiError {
    #[error("{file}: $ref {reference:?} at {pointer} leaves the schema folder (only sibling files and their $defs can be exported)")]
    ForeignRef {
        file: String,
        pointer: String,
        reference: String,
    },
    #[error("{file}: $ref {reference:?} at {pointer} names no schema file beside it")]
    UnknownFile {
        file: String,
        pointer: String,
        reference: String,
    },
    #[error("{file}: $ref {reference:?} at {pointer} points at {target}, which is neither an exported schema nor one of its $defs")]
    UnknownTarget {
        file: String,
        pointer: String,
        reference: String,
        target: String,
    },
    #[error("{file}: $ref {reference:?} at {pointer} has a fragment that is not a JSON Pointer (anchors cannot be exported)")]
    UnsupportedFragment {
        file: String,
        pointer: String,
        reference: String,
    },
    #[error("{file}: {keyword} at {pointer} cannot be exported (only $ref is rewritten)")]
    UnsupportedKeyword {
        file: String,
        pointer: String,
        keyword: &'static str,
    },
    #[error("{file}: {name:?} at {pointer} cannot be a component name (letters, digits, '.', '_' and '-' only)")]
    BadName {
        file: String,
        pointer: String,
        name: String,
    },
    #[error("component name {name:?} is taken twice: by {first} and by {second}")]
    DuplicateName {
        name: String,
        first: Source,
        second: Source,
    },
    #[error("contract.yaml: the OpenAPI export needs schema {name:?} in `schemas:`, and it is not there (or its file holds only $defs)")]
    MissingSchema { name: String },
    #[error("contract.yaml: the OpenAPI export needs situation {situation:?} in `responses:`, and it is not there")]
    MissingSituation { situation: String },
    #[error("contract.yaml: situation {situation:?} names no status code and no class")]
    NoStatus { situation: String },
    #[error(
        "operation {operation}: status {status} is answered with different bodies ({situations})"
    )]
    BodyConflict {
        operation: String,
        status: String,
        situations: String,
    },
    #[error("cannot render the OpenAPI document as JSON: {0}")]
    Render(#[from] serde_json::Error),
}

/// Where a component schema was taken from: a file of the schema folder and a JSON Pointer
/// into it (empty for the file's root, `/$defs/Name` for one of its definitions).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Source {
    pub file: String,
    pub pointer: String,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.file, self.pointer)
    }
}
