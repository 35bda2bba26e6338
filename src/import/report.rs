//! The doc-defect report of an imported page: what is wrong with the page itself, each
//! defect positioned twice, on the page (`DOC.md:192:55`) and in the raw fixture file
//! (`update-an-item.request.raw:110:55`), with the rule it breaks, whether that rule is
//! documented or assumed, and whether contract.yaml already lists it as a known doc defect.
//!
//! The examples are held to every check of `vouch lint` (schema, unknown fields and enum
//! values, ids, links, eTag, round trip, status pairs), with paths measured against the
//! page's own request syntax. The page adds its own checks here: JSON syntax positioned on
//! the page, request targets against the request syntax, the request syntax against the
//! contract, the transition table read by position, the members a note says to remove, and
//! code blocks labelled `json` that are not JSON.

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::page::RequestSyntax;
use super::{Import, ImportedExample};
use crate::finding::Basis;
use crate::fixture::contract::{ExampleKind, KnownDefect};
use crate::fixture::json_text::{self, escape_token, Position, RepairKind, SourceMap};
use crate::fixture::lint::{check_examples, PathBase};
use crate::fixture::{LoadedExample, Suite};

/// One defect of the page.
#[derive(Debug, Clone)]
pub struct DocDefect {
    /// The rule's id in contract.yaml (`json-syntax`, `response-id`, `link-path`, …).
    pub rule: String,
    pub basis: Basis,
    /// The example it is in; `None` for the page as a whole (syntax, table, notes).
    pub example: Option<String>,
    /// Line and column on the page.
    pub page: Option<Position>,
    /// Line and column in the example's raw file.
    pub raw: Option<Position>,
    /// The JSON Pointer in the example's body.
    pub pointer: Option<String>,
    pub message: String,
    /// The contract's entry when it lists this defect as known.
    pub known: Option<KnownDefect>,
}

/// Rules whose `lint` finding the page replaces with its own (positioned on the page or
/// measured against the page's request syntax), or that only make sense for stored files.
const REPLACED: [&str; 3] = ["json-syntax", "request-path", "fixture-consistency"];

struct Collector<'a> {
    import: &'a Import,
    suite: &'a Suite,
    defects: Vec<DocDefect>,
}

impl Collector<'_> {
    fn basis(&self, rule: &str) -> Basis {
        self.suite
            .contract
            .rules
            .get(rule)
            .map_or(Basis::Assumed, |r| r.basis)
    }

    /// A defect of the page as a whole.
    fn page(&mut self, rule: &str, at: Option<Position>, message: String) {
        self.defects.push(DocDefect {
            rule: rule.to_owned(),
            basis: self.basis(rule),
            example: None,
            page: at,
            raw: None,
            pointer: None,
            message,
            known: None,
        });
    }

    /// A defect in an example, at a raw-file position and/or a pointer.
    fn example(
        &mut self,
        example: &ImportedExample,
        rule: &str,
        raw: Option<Position>,
        pointer: Option<String>,
        message: String,
    ) {
        let raw = raw.or_else(|| pointer.as_deref().and_then(|p| body_position(example, p)));
        self.defects.push(DocDefect {
            rule: rule.to_owned(),
            basis: self.basis(rule),
            example: Some(example.name.clone()),
            page: raw.map(|r| on_page(example, r)),
            raw,
            pointer,
            message,
            known: None,
        });
    }
}

/// The position of `pointer` in the example's body, in raw-file lines.
fn body_position(example: &ImportedExample, pointer: &str) -> Option<Position> {
    let message = &example.loaded.message;
    if !message.has_body() {
        return None;
    }
    SourceMap::of(&message.body, message.body_line).find(pointer)
}

/// A raw-file position moved to the page (the raw file keeps each line as the page has it).
fn on_page(example: &ImportedExample, raw: Position) -> Position {
    Position {
        line: example.page.block.page_line(raw.line),
        column: raw.column,
    }
}

fn both(example: &ImportedExample, raw: Position) -> String {
    let page = on_page(example, raw);
    format!("page {page} (raw {raw})")
}

/// Every defect of the imported page, each matched with the contract's known doc defects
/// (by example name, rule and pointer).
pub fn defects(import: &Import, suite: &Suite) -> Vec<DocDefect> {
    let mut collector = Collector {
        import,
        suite,
        defects: Vec::new(),
    };
    front_matter(&mut collector);
    request_syntax(&mut collector);
    transition_table(&mut collector);
    json_blocks(&mut collector);
    for example in &import.examples {
        json_syntax(&mut collector, example);
        request_target(&mut collector, example);
        removals(&mut collector, example);
    }
    lint_checks(&mut collector);
    let mut defects = collector.defects;
    let known = &suite.contract.known_doc_defects;
    for defect in &mut defects {
        let Some(name) = &defect.example else {
            continue;
        };
        defect.known = known
            .iter()
            .find(|k| k.covers(name, &defect.rule, defect.pointer.as_deref()))
            .cloned();
    }
    defects.sort_by_key(|d| {
        (
            d.page.map_or((usize::MAX, 0), |p| (p.line, p.column)),
            d.rule.clone(),
        )
    });
    defects
}

fn front_matter(collector: &mut Collector<'_>) {
    if let Some(Err((line, message))) = collector
        .import
        .page
        .front_matter
        .as_ref()
        .map(|f| f.fields.clone())
    {
        collector.page(
            "front-matter",
            Some(Position { line, column: 1 }),
            format!("the front matter is not valid YAML: {message}"),
        );
    }
}

fn request_syntax(collector: &mut Collector<'_>) {
    let page = &collector.import.page;
    let has_request_line = collector
        .import
        .examples
        .iter()
        .any(|e| e.loaded.message.request().is_some());
    if page.syntax.is_empty() && has_request_line {
        collector.page(
            "request-syntax",
            None,
            "the page has no request syntax (a table row with an HTTP method and a URI, or a block of request lines that is not an example)".into(),
        );
    }
    let contract = &collector.suite.contract;
    let resource = contract.resource.path.clone();
    let fits = |s: &RequestSyntax| {
        if contract.operations.iter().next().is_none() {
            return s.collection() == resource;
        }
        super::operation_for(contract, &s.method, s.path(), s.is_relative()).is_some()
    };
    let misfits: Vec<(Position, String)> = page
        .syntax
        .iter()
        .filter(|s| !fits(s))
        .map(|s| {
            (
                Position {
                    line: s.line,
                    column: s.column,
                },
                format!(
                    "the request syntax {} {} is none of contract.yaml's operations (resource path {resource})",
                    s.method,
                    s.uri,
                ),
            )
        })
        .collect();
    for (at, message) in misfits {
        collector.page("request-syntax", Some(at), message);
    }
}

fn transition_table(collector: &mut Collector<'_>) {
    let Some(table) = &collector.import.table else {
        return;
    };
    let differences = table.differences.clone();
    for difference in differences {
        collector.page(
            "transition-table",
            Some(Position {
                line: difference.line,
                column: difference.column,
            }),
            difference.message,
        );
    }
}

/// Code blocks labelled `json` that are not examples must still be JSON.
fn json_blocks(collector: &mut Collector<'_>) {
    let broken: Vec<(Position, String)> = collector
        .import
        .page
        .others
        .iter()
        .filter(|block| block.info.eq_ignore_ascii_case("json"))
        .filter_map(|block| {
            let error = serde_json::from_str::<serde_json::Value>(&block.content).err()?;
            Some((
                Position {
                    line: block.page_line(error.line().max(1)),
                    column: error.column().max(1),
                },
                format!(
                    "a block labelled json (page lines {}-{}) is not a JSON document ({}); it is not read as an example",
                    block.first_line(),
                    block.close_line - 1,
                    json_text::without_position(&error.to_string())
                ),
            ))
        })
        .collect();
    for (at, message) in broken {
        collector.page("json-syntax", Some(at), message);
    }
}

/// Invalid JSON, with the minimal repair, positioned on the page and in the raw file.
fn json_syntax(collector: &mut Collector<'_>, example: &ImportedExample) {
    match &example.body {
        Some(Ok(parsed)) => {
            let Some(error) = &parsed.error else { return };
            let repairs: Vec<String> = parsed
                .repairs
                .iter()
                .map(|repair| {
                    let what = match repair.kind {
                        RepairKind::TrailingComma => "remove the trailing comma",
                        RepairKind::MissingComma => "insert the missing comma",
                    };
                    let at = Position {
                        line: repair.line,
                        column: repair.column,
                    };
                    format!("{what} at {}", both(example, at))
                })
                .collect();
            let at = parsed.repairs.first().map_or(error.position, |r| Position {
                line: r.line,
                column: r.column,
            });
            let message = format!(
                "body is not valid JSON: {}, noticed at {}; minimal repair: {}",
                json_text::without_position(&error.message),
                both(example, error.position),
                repairs.join("; ")
            );
            collector.example(example, "json-syntax", Some(at), None, message);
        }
        Some(Err(error)) => {
            let message = format!(
                "body is not valid JSON and no minimal repair fixes it: {}",
                json_text::without_position(&error.message)
            );
            collector.example(example, "json-syntax", Some(error.position), None, message);
        }
        None => {}
    }
}

/// A request line must fit one of the page's request syntaxes.
fn request_target(collector: &mut Collector<'_>, example: &ImportedExample) {
    let Some((method, target)) = example.loaded.message.request() else {
        return;
    };
    let syntax = &collector.import.page.syntax;
    if syntax.is_empty() || syntax.iter().any(|s| s.misfit(method, target).is_none()) {
        return;
    }
    let closest: &RequestSyntax = syntax
        .iter()
        .find(|s| s.method == method)
        .unwrap_or(&syntax[0]);
    let raw = &example.loaded.raw_text;
    let position = raw
        .split('\n')
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty())
        .map(|(index, line)| Position {
            line: index + 1,
            column: line
                .find(target)
                .map_or(1, |at| line[..at].chars().count() + 1),
        });
    let message = format!(
        "{method} {target}: {} (the request syntax, page line {}, is {} {})",
        closest.misfit(method, target).unwrap_or_default(),
        closest.line,
        closest.method,
        closest.uri
    );
    collector.example(example, "request-path", position, None, message);
}

/// Members that the note after a request example says to remove must not be in its body,
/// and the contract must know them.
fn removals(collector: &mut Collector<'_>, example: &ImportedExample) {
    if example.page.kind != ExampleKind::Request {
        return;
    }
    let contract = &collector.suite.contract;
    let is_put = example
        .loaded
        .message
        .request()
        .is_some_and(|(method, _)| method == "PUT");
    let listed: BTreeSet<String> = contract
        .never_send_on_put
        .fields
        .iter()
        .map(ToString::to_string)
        .collect();
    for note in &example.page.remove {
        let pointer = format!("/{}", escape_token(&note.field));
        if example
            .loaded
            .json
            .as_ref()
            .is_some_and(|body| body.pointer(&pointer).is_some())
        {
            let message = format!(
                "the body carries {:?}, which the note at page line {}:{} says to remove",
                note.field, note.line, note.column
            );
            collector.example(
                example,
                "remove-before-send",
                None,
                Some(pointer.clone()),
                message,
            );
        }
        if is_put && !listed.contains(&pointer) {
            collector.page(
                "remove-before-send",
                Some(Position {
                    line: note.line,
                    column: note.column,
                }),
                format!(
                    "the note after {} says to remove {:?}, but contract.yaml's never_send_on_put does not list {pointer}",
                    example.name, note.field
                ),
            );
        }
    }
}

/// Every check of `vouch lint`, on the page's examples.
fn lint_checks(collector: &mut Collector<'_>) {
    let import = collector.import;
    let loaded: Vec<LoadedExample> = import.examples.iter().map(|e| e.loaded.clone()).collect();
    // A relative syntax (`/boards/cards/{id}`) leaves out the service root, so paths are
    // measured against the contract's resource path instead.
    let base = import
        .page
        .syntax
        .first()
        .filter(|s| !s.is_relative())
        .map_or_else(
            || PathBase::resource(collector.suite),
            |s| PathBase {
                path: s.collection(),
                named: "the request syntax's collection".into(),
            },
        );
    let removed: BTreeSet<(String, String)> = collector
        .defects
        .iter()
        .filter(|d| d.rule == "remove-before-send")
        .filter_map(|d| Some((d.example.clone()?, d.pointer.clone()?)))
        .collect();
    // A check that cannot judge an exchange is shown as a defect, never dropped.
    let found = check_examples(collector.suite, &loaded, base)
        .unwrap_or_else(|error| vec![error.as_finding(collector.suite)]);
    for found in found {
        let finding = found.finding;
        if REPLACED.contains(&finding.rule.as_str()) {
            continue;
        }
        let Some(example) = import.examples.iter().find(|e| e.name == found.example) else {
            continue;
        };
        let pointer = finding.location.pointer.clone();
        // The schema forbids what the note says to remove: one defect is enough.
        if finding.rule == "schema"
            && pointer
                .as_ref()
                .is_some_and(|p| removed.contains(&(example.name.clone(), p.clone())))
        {
            continue;
        }
        let raw = match (&pointer, finding.location.line, finding.location.column) {
            (None, Some(line), Some(column))
                if finding.location.file == example.loaded.raw_path =>
            {
                Some(Position { line, column })
            }
            _ => None,
        };
        collector.example(example, &finding.rule, raw, pointer, finding.message);
    }
    undeclared(collector);
}

/// Members that an open schema tolerates but does not define (the schema's own
/// `additionalProperties: false` findings are already in the list).
fn undeclared(collector: &mut Collector<'_>) {
    let import = collector.import;
    for example in &import.examples {
        let (Some(schema), Some(body)) = (&example.loaded.spec.schema, &example.loaded.json) else {
            continue;
        };
        let Ok(pointers) = collector.suite.schemas.undeclared(schema, body) else {
            continue;
        };
        for pointer in pointers {
            let reported = collector.defects.iter().any(|d| {
                d.example.as_ref() == Some(&example.name) && d.pointer.as_ref() == Some(&pointer)
            });
            if reported {
                continue;
            }
            let name = pointer
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .replace("~1", "/")
                .replace("~0", "~");
            let message = format!(
                "field {name:?} is not in schema {schema} (its object admits unknown members, but no page defines this one)"
            );
            collector.example(example, "undeclared-field", None, Some(pointer), message);
        }
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("{count} {one}")
    } else {
        format!("{count} {many}")
    }
}

/// Writes the report for a person: what the page holds, then its defects, then a
/// closing line.
pub fn render(import: &Import, out: &mut impl Write) -> io::Result<()> {
    let doc = import.doc.display();
    let page = &import.page;
    let front = page.front_matter.as_ref();
    let locale = front
        .and_then(|f| f.get("ms.contentlocale"))
        .unwrap_or_else(|| "locale not stated".into());
    writeln!(
        out,
        "page    {doc} ({locale}): {}",
        page.title.as_deref().unwrap_or("(no title)")
    )?;
    writeln!(
        out,
        "        {}, {}",
        plural(page.headings, "heading", "headings"),
        if page
            .examples
            .iter()
            .any(|e| matches!(e.evidence, super::page::Evidence::Annotation(_)))
        {
            "with block annotations: roles told by annotations and HTTP syntax"
        } else if page.anchored {
            "with anchors: roles told by HTTP syntax and anchors"
        } else {
            "no anchors: roles told by HTTP syntax and page order"
        }
    )?;
    for syntax in &page.syntax {
        writeln!(
            out,
            "syntax  {} {} (page line {})",
            syntax.method, syntax.uri, syntax.line
        )?;
    }
    for example in &import.examples {
        render_example(import, example, out)?;
    }
    if let (Some(found), Some(table)) = (&page.transitions, &import.table) {
        writeln!(
            out,
            "table   page lines {}-{} ({}), read by position:",
            found.table.header.line,
            found.table.last_line(),
            found.evidence
        )?;
        for row in &table.rows {
            writeln!(
                out,
                "          {:?} = {}: {}, {}",
                row.label,
                row.status,
                plural(row.moves, "move", "moves"),
                plural(row.substatuses, "substatus", "substatuses")
            )?;
        }
        if table.differences.is_empty() {
            writeln!(out, "        agrees with contract.yaml")?;
        } else {
            writeln!(
                out,
                "        differs from contract.yaml in {} (see below)",
                plural(table.differences.len(), "place", "places")
            )?;
        }
    } else {
        writeln!(out, "table   none on this page")?;
    }
    for block in &page.others {
        writeln!(
            out,
            "skipped page lines {}-{}: a {} block that is not a request or response example",
            block.first_line(),
            block.close_line - 1,
            if block.info.is_empty() {
                "plain"
            } else {
                &block.info
            }
        )?;
    }
    for defect in &import.defects {
        render_defect(import, defect, out)?;
    }
    let known = import.defects.iter().filter(|d| d.known.is_some()).count();
    writeln!(
        out,
        "import-doc: {}, {} ({known} listed as known in contract.yaml, {} new)",
        plural(import.examples.len(), "example", "examples"),
        plural(import.defects.len(), "doc defect", "doc defects"),
        import.defects.len() - known
    )
}

fn render_example(
    import: &Import,
    example: &ImportedExample,
    out: &mut impl Write,
) -> io::Result<()> {
    let block = &example.page.block;
    let mut parts = vec![format!(
        "page lines {}-{}",
        block.first_line(),
        block.close_line - 1
    )];
    if let Some(anchor) = &example.page.anchor {
        parts.push(format!("under #{anchor}"));
    }
    match example.loaded.message.request() {
        Some((method, target)) => parts.push(format!("{method} {target}")),
        None => parts.push(example.page.evidence.to_string()),
    }
    if let Some(index) = example.page.answers {
        parts.push(format!("answers {}", import.examples[index].name));
    }
    for note in &example.page.remove {
        parts.push(format!(
            "note at page line {} says to remove {:?}",
            note.line, note.field
        ));
    }
    if example.page.truncated {
        parts.push("annotated as truncated".into());
    }
    writeln!(out, "example {}: {}", example.name, parts.join("; "))
}

fn render_defect(import: &Import, defect: &DocDefect, out: &mut impl Write) -> io::Result<()> {
    let mut place = vec![import.doc.display().to_string()];
    if let Some(page) = defect.page {
        place.push(format!(":{page}"));
    }
    match (defect.raw, &defect.example) {
        (Some(raw), Some(name)) => place.push(format!(" ({name}.raw:{raw})")),
        (None, Some(name)) => place.push(format!(" ({name})")),
        _ => {}
    }
    if let Some(pointer) = &defect.pointer {
        let shown = if pointer.is_empty() {
            "(root)"
        } else {
            pointer
        };
        place.push(format!(" at {shown}"));
    }
    let place = place.concat();
    let status = if defect.known.is_some() {
        "known"
    } else {
        "new"
    };
    writeln!(
        out,
        "{status:<7} {place}: {} [{}, {}]",
        defect.message, defect.rule, defect.basis
    )?;
    if let Some(known) = &defect.known {
        let number = known
            .defect
            .map(|n| format!("doc defect {n}: "))
            .unwrap_or_default();
        writeln!(out, "        ({number}{})", known.reason)?;
    }
    Ok(())
}
