//! `vouch import-doc`: a Microsoft Learn-style Markdown page, in any locale, turned into
//! documented fixtures (the raw code block and its parsed JSON), with a report of what is
//! wrong with the page itself.
//!
//! The page is read safely ([`input`]), scanned into blocks ([`markdown`]), and its
//! structure is found without reading a word of its language ([`page`]). The examples
//! become [`LoadedExample`]s like the suite's own, so the checks of `vouch lint` run on them
//! unchanged; [`report`] adds the page's own checks (JSON syntax positioned on the page, the
//! request syntax, the transition table read by position ([`table`]), the members a note
//! says to remove) and renders the defect report. [`drift`] compares the page with the
//! committed fixtures (`--check`); [`write`] writes the fixtures all or nothing (`--out`).

pub mod drift;
pub mod input;
pub mod markdown;
pub mod page;
pub mod report;
pub mod table;
pub mod write;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::fixture::contract::{DocSource, Example, ExampleKind};
use crate::fixture::json_text::{self, Parsed, SyntaxError};
use crate::fixture::vocabulary::{fits_template, Operation, OperationKind};
use crate::fixture::{Contract, HttpMessage, LoadedExample, StartLine, Suite};
use page::{Page, PageExample};
use report::DocDefect;

/// Why a page could not be imported. Every variant names the page.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: file not found")]
    Missing { path: PathBuf },
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: is a folder, not a Markdown page")]
    NotAFile { path: PathBuf },
    #[error("{path}: {size} bytes is more than vouch reads from a page ({limit} bytes); is this a documentation page?")]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{path}: a binary file (NUL byte at offset {offset}), not a Markdown page")]
    Binary { path: PathBuf, offset: usize },
    #[error("{path}: not UTF-8 text (invalid byte at offset {offset})")]
    NotText { path: PathBuf, offset: usize },
    #[error("{path}:{}: {problem}", .problem.line())]
    Markdown {
        path: PathBuf,
        problem: markdown::MarkdownError,
    },
    #[error(
        "{path}: does not look like a Markdown page: it has no headings and no fenced code blocks"
    )]
    NotMarkdown { path: PathBuf },
    #[error("{path}: no request or response examples: no fenced code block starts with a request line (PUT https://…), a status line (HTTP/1.1 200 OK) or JSON after a request")]
    NoExamples { path: PathBuf },
    #[error("{path}: cannot name fixtures after this file name")]
    BadName { path: PathBuf },
}

/// One example of the page, ready to be written and checked.
#[derive(Debug, Clone)]
pub struct ImportedExample {
    /// The fixture name, e.g. `update-an-item.request`: the suite's name for the example
    /// in the same place if it has one, else the page's stem and kind (numbered `-1`, `-2`,
    /// … when the page has several of its kind).
    pub name: String,
    pub page: PageExample,
    /// The example as the suite would load it from the written files.
    pub loaded: LoadedExample,
    /// The body parsed (and minimally repaired), if the block has a body.
    pub body: Option<Result<Parsed, SyntaxError>>,
}

impl ImportedExample {
    pub fn raw_file(&self) -> String {
        format!("{}.raw", self.name)
    }

    pub fn json_file(&self) -> Option<String> {
        self.loaded
            .json_text
            .as_ref()
            .map(|_| format!("{}.json", self.name))
    }
}

/// A page imported: what it says, its fixtures and its defects.
#[derive(Debug, Clone)]
pub struct Import {
    pub doc: PathBuf,
    /// The page's file name with `.md` (`update-an-item.md`), as contract.yaml names pages.
    pub page_name: String,
    pub page: Page,
    pub examples: Vec<ImportedExample>,
    /// The transition table read against the contract, if the page has one.
    pub table: Option<table::Comparison>,
    pub defects: Vec<DocDefect>,
}

impl Import {
    /// The fixture files, name → contents, in page order.
    pub fn files(&self) -> Vec<(String, String)> {
        let mut files = Vec::new();
        for example in &self.examples {
            files.push((example.raw_file(), example.loaded.raw_text.clone()));
            if let (Some(name), Some(text)) = (example.json_file(), &example.loaded.json_text) {
                files.push((name, text.clone()));
            }
        }
        files
    }
}

/// The stem fixtures are named after: the file name up to its first dot
/// (`update-an-item.tr-tr.md` → `update-an-item`).
fn stem(doc: &Path) -> Option<String> {
    let name = doc.file_name()?.to_str()?;
    let stem = name.split('.').next()?;
    (!stem.is_empty()).then(|| stem.to_owned())
}

/// The anchor in the contract's `states.source` (`page.md#anchor (note)` → `anchor`).
fn table_anchor(contract: &Contract) -> Option<String> {
    let source = &contract.states.as_ref()?.source;
    let after = &source[source.find('#')? + 1..];
    let anchor: String = after
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    (!anchor.is_empty()).then_some(anchor)
}

/// Fixture names for a page the suite does not hold yet: `stem.request` when the page has
/// one request, `stem.request-N` when it has several; the same for responses.
fn names(stem: &str, examples: &[PageExample]) -> Vec<String> {
    let count = |kind| examples.iter().filter(|e| e.kind == kind).count();
    let (requests, responses) = (count(ExampleKind::Request), count(ExampleKind::Response));
    let (mut request, mut response) = (0, 0);
    examples
        .iter()
        .map(|example| {
            let (word, number, total) = match example.kind {
                ExampleKind::Request => {
                    request += 1;
                    ("request", request, requests)
                }
                ExampleKind::Response => {
                    response += 1;
                    ("response", response, responses)
                }
            };
            if total > 1 {
                format!("{stem}.{word}-{number}")
            } else {
                format!("{stem}.{word}")
            }
        })
        .collect()
}

/// The declared operation a request (`method`, `path`) is, if any.
pub(crate) fn operation_for<'c>(
    contract: &'c Contract,
    method: &str,
    path: &str,
    relative: bool,
) -> Option<(OperationKind, &'c Operation)> {
    let collection = &contract.resource.path;
    contract.operations.iter().find(|(_, operation)| {
        operation.method.eq_ignore_ascii_case(method)
            && fits_template(&operation.template(collection), path, relative)
    })
}

/// The schema a body is held to when the suite has no counterpart to take it from: the
/// request or response schema of the declared operation its request is (a failure's:
/// the contract's error schema; a response with no request: the resource's, what a get
/// answers). Only names the contract defines are returned.
fn inferred_schema(
    contract: &Contract,
    kind: ExampleKind,
    message: &HttpMessage,
    request: Option<&HttpMessage>,
) -> Option<String> {
    let operation = |message: &HttpMessage| {
        let (method, target) = message.request()?;
        operation_for(contract, method, page::uri_path(target), false).map(|(_, op)| op)
    };
    let name = match kind {
        ExampleKind::Request => operation(message)?.request.clone()?,
        ExampleKind::Response => {
            let failed = matches!(message.start, StartLine::Status { code, .. } if code >= 400);
            if failed {
                contract.errors.schema.clone()
            } else {
                match request {
                    Some(request) => operation(request)?.response.clone()?,
                    None => contract.operations.get.as_ref()?.response.clone()?,
                }
            }
        }
    };
    contract.schemas.contains_key(&name).then_some(name)
}

/// Reads the page at `doc` and imports it against `suite`'s contract and schemas.
pub fn import_page(doc: &Path, suite: &Suite) -> Result<Import, ImportError> {
    let text = input::read_page(doc)?;
    let scanned = markdown::parse(&text).map_err(|problem| ImportError::Markdown {
        path: doc.to_owned(),
        problem,
    })?;
    if scanned.headings().next().is_none() && scanned.code_blocks().next().is_none() {
        return Err(ImportError::NotMarkdown {
            path: doc.to_owned(),
        });
    }
    let stem = stem(doc).ok_or_else(|| ImportError::BadName {
        path: doc.to_owned(),
    })?;
    let states = suite.contract.transitions().unwrap_or_default();
    let page = page::read(
        scanned,
        table_anchor(&suite.contract).as_deref(),
        &states.values,
    );
    if page.examples.is_empty() {
        return Err(ImportError::NoExamples {
            path: doc.to_owned(),
        });
    }
    let page_name = format!("{stem}.md");
    let kinds: Vec<ExampleKind> = page.examples.iter().map(|e| e.kind).collect();
    let counterparts = drift::counterparts(&drift::committed(suite, &page_name), &kinds);
    // The suite's names where it already holds the example, so that re-importing a page
    // into the suite's documented/ folder rewrites the same files.
    let own = names(&stem, &page.examples);
    let mut names: Vec<String> = own
        .iter()
        .zip(&counterparts)
        .map(|(name, counterpart)| {
            counterpart.map_or_else(|| name.clone(), |c| c.spec.name.clone())
        })
        .collect();
    // Two examples must never share files: if the suite's names and the page's own ones
    // collide, the page's own names are used throughout.
    if names.iter().collect::<BTreeSet<_>>().len() != names.len() {
        names = own;
    }
    let examples = page
        .examples
        .iter()
        .zip(&names)
        .zip(&counterparts)
        .map(|((example, name), counterpart)| {
            let request = example.answers.map(|i| &page.examples[i].message);
            let schema = counterpart.and_then(|c| c.spec.schema.clone()).or_else(|| {
                inferred_schema(&suite.contract, example.kind, &example.message, request)
            });
            let response_to = example.answers.map(|i| names[i].clone());
            build(doc, &page_name, name, example, schema, response_to)
        })
        .collect::<Vec<_>>();
    let table = page
        .transitions
        .as_ref()
        .filter(|_| suite.contract.states.is_some())
        .map(|t| table::compare(&t.table, &states));
    let mut import = Import {
        doc: doc.to_owned(),
        page_name,
        page,
        examples,
        table,
        defects: Vec::new(),
    };
    import.defects = report::defects(&import, suite);
    Ok(import)
}

fn build(
    doc: &Path,
    page_name: &str,
    name: &str,
    example: &PageExample,
    schema: Option<String>,
    response_to: Option<String>,
) -> ImportedExample {
    let raw_text = example.raw();
    let message = HttpMessage::parse(&raw_text);
    let body = message
        .has_body()
        .then(|| json_text::repair(&message.body, message.body_line));
    let (json, json_text, repairs) = match &body {
        Some(Ok(parsed)) => (
            Some(parsed.value.clone()),
            Some(json_text::to_fixture_text(&parsed.value)),
            parsed.repairs.clone(),
        ),
        _ => (None, None, Vec::new()),
    };
    let raw = format!("{name}.raw");
    let json_name = json.as_ref().map(|_| format!("{name}.json"));
    let spec = Example {
        name: name.to_owned(),
        kind: example.kind,
        raw: raw.clone(),
        json: json_name.clone(),
        schema,
        source: DocSource {
            page: page_name.to_owned(),
            anchor: example.anchor.clone(),
            copy: doc.display().to_string(),
            line: example.block.first_line(),
        },
        response_to,
        repairs,
        truncated: example.truncated,
    };
    ImportedExample {
        name: name.to_owned(),
        page: example.clone(),
        loaded: LoadedExample {
            spec,
            raw_path: PathBuf::from(raw),
            raw_text,
            message,
            json_path: json_name.map(PathBuf::from),
            json_text,
            json,
        },
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stem_drops_the_locale_and_the_extension() {
        assert_eq!(
            stem(Path::new("seeds/update-an-item.tr-tr.md")).as_deref(),
            Some("update-an-item")
        );
        assert_eq!(
            stem(Path::new("update-an-item.md")).as_deref(),
            Some("update-an-item")
        );
        assert_eq!(stem(Path::new(".md")), None);
    }

    #[test]
    fn names_are_numbered_only_when_a_page_has_several_of_a_kind() {
        // Arrange
        let markdown = markdown::parse(
            "```http\nPATCH https://h/r/1\n```\n```http\nHTTP/1.1 204 No Content\n```\n```http\nPATCH https://h/r/1\n```\n",
        )
        .unwrap();
        let page = page::read(markdown, None, &[]);

        // Act
        let names = names("patch-an-item", &page.examples);

        // Assert
        assert_eq!(
            names,
            [
                "patch-an-item.request-1",
                "patch-an-item.response",
                "patch-an-item.request-2"
            ]
        );
    }

    #[test]
    fn the_table_anchor_comes_from_the_contracts_source() {
        // Arrange
        let path = crate::profile::bundled_suite();
        let suite = Suite::load(&path).unwrap();

        // Act / Assert
        assert_eq!(
            table_anchor(&suite.contract).as_deref(),
            Some("status-and-substatus-transition-states")
        );
    }

    #[test]
    fn a_path_fits_a_template_segment_by_segment_and_a_relative_one_by_its_tail() {
        assert!(fits_template("/v1.0/r/{id}", "/v1.0/r/49d9", false));
        assert!(fits_template(
            "/v1.0/p/{plan}/t",
            "/v1.0/p/{plan-id}/t",
            false
        ));
        assert!(!fits_template("/v1.0/r/{id}", "/v1.0/r", false));
        assert!(!fits_template("/v1.0/r/{id}", "/v1.0/s/1", false));
        assert!(fits_template("/v1.0/p/{plan}/t", "/p/{plan-id}/t", true));
        assert!(!fits_template("/v1.0/p/{plan}/t", "/p/{plan-id}/t", false));
        assert!(!fits_template("/v1.0/r", "/v1.0/r/extra/deep", true));
    }

    #[test]
    fn a_documented_request_is_the_operation_of_its_method_and_path() {
        // Arrange
        let path = crate::profile::bundled_suite();
        let suite = Suite::load(&path).unwrap();
        let contract = &suite.contract;
        let item = format!("{}/1", contract.resource.path);

        // Act
        let kind =
            |method: &str, path: &str| operation_for(contract, method, path, false).map(|(k, _)| k);

        // Assert
        assert_eq!(kind("GET", &item), Some(OperationKind::Get));
        assert_eq!(kind("PATCH", &item), Some(OperationKind::Patch));
        assert_eq!(
            kind("POST", &contract.resource.path),
            Some(OperationKind::Create)
        );
        assert_eq!(
            kind("GET", &contract.resource.path),
            Some(OperationKind::List)
        );
        assert_eq!(
            kind("DELETE", &item),
            None,
            "the contract declares no delete"
        );
    }
}
