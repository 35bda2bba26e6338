//! What a documentation page says, found by its structure and never by its words: the
//! request syntax (the table row with an HTTP method and a URI), the examples (code blocks
//! that start with a request line or a status line, or hold a JSON document), which
//! response answers which request, the notes that name a JSON member to leave out, and the
//! status/substatus transition table.
//!
//! Headings are translated, so their text is never read. What translations keep is used
//! instead, in this order: a block's annotation (the JSON object of an HTML comment right
//! before it, as pages generated from API metadata have: `blockType` request, response or
//! ignored, and `truncated` when the body is shortened); HTTP syntax inside the blocks;
//! heading anchors (`<a name="…">`,
//! whose tokens `request(s)` and `response(s)` tell a JSON-only block's role); and, on pages
//! without anchors (older English pages), the order of the blocks: a JSON-only block after a
//! request is its response. A response answers the nearest request before it that has no
//! response yet.

use std::fmt;

use super::markdown::{code_spans, Annotation, Block, CodeBlock, FrontMatter, Markdown, Table};
use crate::fixture::contract::ExampleKind;
use crate::fixture::http_message::METHODS;
use crate::fixture::{HttpMessage, StartLine};

/// One request syntax of the page: a method and a URI template, from a table row or from
/// a code block that is not an example and holds only request lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSyntax {
    pub method: String,
    /// The URI as written, e.g. `https://api.example.com/v1.0/items/{Id}`,
    /// or a path relative to the service's root and version (`/boards/cards/{id}`).
    pub uri: String,
    pub line: usize,
    /// The page column where the URI cell starts.
    pub column: usize,
}

impl RequestSyntax {
    /// The path of the template (`/v1.0/items/{Id}`).
    pub fn path(&self) -> &str {
        uri_path(&self.uri)
    }

    /// The collection the template addresses: its path without trailing `{…}` segments.
    pub fn collection(&self) -> String {
        let mut segments: Vec<&str> = self.path().split('/').collect();
        while segments.len() > 1 && segments.last().is_some_and(|s| is_placeholder(s)) {
            segments.pop();
        }
        segments.join("/")
    }

    /// Whether the template is a path relative to the service's root (no scheme and host):
    /// then a request's path may carry the root's own segments (`/v1.0`) before it.
    pub fn is_relative(&self) -> bool {
        self.uri.starts_with('/')
    }

    /// Why a request (`method`, `target`) does not fit this syntax, if it does not.
    pub fn misfit(&self, method: &str, target: &str) -> Option<String> {
        if method != self.method {
            return Some(format!(
                "the method is {method} but the request syntax says {}",
                self.method
            ));
        }
        let want: Vec<&str> = self.path().split('/').collect();
        let mut got: Vec<&str> = uri_path(target).split('/').collect();
        if self.is_relative() && got.len() > want.len() {
            // The service root's segments come first: compare the tail.
            got.drain(1..=got.len() - want.len());
        }
        for (index, (w, g)) in want.iter().zip(&got).enumerate() {
            let fits = if is_placeholder(w) {
                !g.is_empty()
            } else {
                w == g
            };
            if !fits {
                return Some(format!(
                    "path segment {index} is {g:?} where the request syntax has {w:?}"
                ));
            }
        }
        (want.len() != got.len()).then(|| {
            format!(
                "the path {} has {} segments, the request syntax {} has {}",
                uri_path(target),
                got.len() - 1,
                self.path(),
                want.len() - 1
            )
        })
    }
}

fn is_placeholder(segment: &str) -> bool {
    segment.len() > 2 && segment.starts_with('{') && segment.ends_with('}')
}

/// The path of an absolute URI or of a path with a query (`https://h/a/b?x` → `/a/b`).
pub fn uri_path(uri: &str) -> &str {
    let after_scheme = uri.find("://").map_or(uri, |at| &uri[at + 3..]);
    let path = if uri.contains("://") {
        after_scheme
            .find('/')
            .map_or("", |slash| &after_scheme[slash..])
    } else {
        after_scheme
    };
    let end = path.find(['?', '#', ' ']).unwrap_or(path.len());
    &path[..end]
}

/// How a block's role (request or response) was told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// Its annotation's `blockType` says so.
    Annotation(String),
    /// It starts with a request line.
    RequestLine,
    /// It starts with a status line.
    StatusLine,
    /// A JSON-only block under a heading whose anchor says `request` or `response`.
    Anchor(String),
    /// A JSON-only block after a request, on a page with no anchor that says otherwise.
    Order,
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::Annotation(kind) => write!(f, "annotated blockType {kind}"),
            Evidence::RequestLine => f.write_str("request line"),
            Evidence::StatusLine => f.write_str("status line"),
            Evidence::Anchor(anchor) => write!(f, "JSON only; role from anchor #{anchor}"),
            Evidence::Order => f.write_str("JSON only; role from page order"),
        }
    }
}

/// A JSON member that a note right after a request example names as code
/// (`` `"links": { }` ``): the page tells the reader to leave it out of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveNote {
    pub field: String,
    pub line: usize,
    pub column: usize,
}

/// A request or response example of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageExample {
    pub kind: ExampleKind,
    pub block: CodeBlock,
    pub message: HttpMessage,
    pub evidence: Evidence,
    /// The anchor of the nearest heading above the block, if it has one.
    pub anchor: Option<String>,
    /// For a response, the index (in `Page::examples`) of the request it answers.
    pub answers: Option<usize>,
    /// For a request, the members the note after it says to leave out.
    pub remove: Vec<RemoveNote>,
    /// Whether the page says the body is shortened (its annotation's `truncated`): the
    /// members it shows are real, but members it lacks prove nothing.
    pub truncated: bool,
}

impl PageExample {
    /// The raw fixture text: the lines between the fences and a final newline.
    pub fn raw(&self) -> String {
        format!("{}\n", self.block.content)
    }
}

/// How the transition table was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableEvidence {
    /// The first table under the heading with the contract's anchor.
    Anchor(String),
    /// A three-column table whose status cells are the English wire names.
    WireNames,
    /// A three-column table of plain lists (no links, no code), on a page without anchors.
    Shape,
}

impl fmt::Display for TableEvidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableEvidence::Anchor(anchor) => write!(f, "#{anchor}"),
            TableEvidence::WireNames => f.write_str("found by its wire names"),
            TableEvidence::Shape => f.write_str("found by its shape"),
        }
    }
}

/// The page's status/substatus transition table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionTable {
    pub table: Table,
    pub evidence: TableEvidence,
}

/// What the page says.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub front_matter: Option<FrontMatter>,
    /// The first level-1 heading, else the front matter's title.
    pub title: Option<String>,
    /// Whether any heading has an anchor.
    pub anchored: bool,
    pub headings: usize,
    pub syntax: Vec<RequestSyntax>,
    pub examples: Vec<PageExample>,
    /// Code blocks that are neither a request nor a response.
    pub others: Vec<CodeBlock>,
    pub transitions: Option<TransitionTable>,
}

/// Reads the structure of a scanned page. `table_anchor` is the anchor under which the
/// contract says the transition table stands.
pub fn read(markdown: Markdown, table_anchor: Option<&str>, states: &[String]) -> Page {
    let mut stack: Vec<(u8, Option<String>)> = Vec::new();
    let mut examples: Vec<PageExample> = Vec::new();
    let mut example_blocks: Vec<usize> = Vec::new();
    let mut others = Vec::new();
    for (index, block) in markdown.blocks.iter().enumerate() {
        match block {
            Block::Heading(heading) => {
                while stack
                    .last()
                    .is_some_and(|(level, _)| *level >= heading.level)
                {
                    stack.pop();
                }
                stack.push((heading.level, heading.anchor.clone()));
            }
            Block::Code(code) => {
                let message = HttpMessage::parse(&code.content);
                let has_request = examples.iter().any(|e| e.kind == ExampleKind::Request);
                match role(code, &message, &stack, has_request) {
                    Some((kind, evidence)) => {
                        examples.push(PageExample {
                            kind,
                            block: code.clone(),
                            message,
                            evidence,
                            anchor: stack.last().and_then(|(_, a)| a.clone()),
                            answers: None,
                            remove: Vec::new(),
                            truncated: code.annotation.as_ref().is_some_and(Annotation::truncated),
                        });
                        example_blocks.push(index);
                    }
                    None => others.push(code.clone()),
                }
            }
            Block::Table(_) | Block::Quote(_) => {}
        }
    }
    pair(&mut examples);
    for (example, &block) in examples.iter_mut().zip(&example_blocks) {
        if example.kind == ExampleKind::Request {
            example.remove = remove_notes(&markdown.blocks[block + 1..]);
        }
    }
    let title = markdown
        .headings()
        .find(|h| h.level == 1)
        .map(|h| h.text.clone())
        .or_else(|| markdown.front_matter.as_ref().and_then(|f| f.get("title")));
    let syntax = markdown
        .tables()
        .flat_map(|t| t.rows.iter())
        .filter_map(syntax_row)
        .chain(others.iter().flat_map(syntax_block))
        .collect();
    let transitions = transition_table(&markdown, table_anchor, states);
    let anchored = markdown.headings().any(|h| h.anchor.is_some());
    let headings = markdown.headings().count();
    Page {
        anchored,
        headings,
        front_matter: markdown.front_matter,
        title,
        syntax,
        examples,
        others,
        transitions,
    }
}

/// Whether a block is a request or a response, and how that was told. An annotation
/// decides first: a block it declares anything but a request or a response (`ignored`,
/// `resource`, …) is not an example.
fn role(
    code: &CodeBlock,
    message: &HttpMessage,
    stack: &[(u8, Option<String>)],
    has_request: bool,
) -> Option<(ExampleKind, Evidence)> {
    if let Some(kind) = code.annotation.as_ref().and_then(|a| a.block_type()) {
        let evidence = Evidence::Annotation(kind.to_owned());
        return match kind {
            "request" => Some((ExampleKind::Request, evidence)),
            "response" => Some((ExampleKind::Response, evidence)),
            _ => None,
        };
    }
    match message.start {
        StartLine::Request { .. } => return Some((ExampleKind::Request, Evidence::RequestLine)),
        StartLine::Status { .. } => return Some((ExampleKind::Response, Evidence::StatusLine)),
        StartLine::Missing => {}
    }
    if !message.body.trim_start().starts_with(['{', '[']) {
        return None;
    }
    let by_anchor = stack.iter().rev().find_map(|(_, anchor)| {
        let anchor = anchor.as_deref()?;
        let tokens: Vec<&str> = anchor.split(['-', '_']).collect();
        let has = |word: &str| {
            tokens
                .iter()
                .any(|t| t.strip_suffix('s').unwrap_or(t) == word)
        };
        if has("response") {
            Some((ExampleKind::Response, Evidence::Anchor(anchor.to_owned())))
        } else if has("request") {
            Some((ExampleKind::Request, Evidence::Anchor(anchor.to_owned())))
        } else {
            None
        }
    });
    by_anchor.or_else(|| has_request.then_some((ExampleKind::Response, Evidence::Order)))
}

/// Each response answers the nearest request before it that has no response yet (else
/// the nearest request before it).
fn pair(examples: &mut [PageExample]) {
    let mut answered = vec![false; examples.len()];
    for index in 0..examples.len() {
        if examples[index].kind != ExampleKind::Response {
            continue;
        }
        let requests: Vec<usize> = (0..index)
            .filter(|&i| examples[i].kind == ExampleKind::Request)
            .collect();
        let chosen = requests
            .iter()
            .rev()
            .find(|&&i| !answered[i])
            .or(requests.last())
            .copied();
        if let Some(request) = chosen {
            answered[request] = true;
        }
        examples[index].answers = chosen;
    }
}

/// The JSON members named as code in the notes right after a request block.
fn remove_notes(after: &[Block]) -> Vec<RemoveNote> {
    let mut notes = Vec::new();
    for block in after {
        let Block::Quote(quote) = block else { break };
        for line in &quote.lines {
            for span in code_spans(&line.text, line.column - 1) {
                if let Some(field) = json_member(span.text) {
                    notes.push(RemoveNote {
                        field: field.to_owned(),
                        line: line.line,
                        column: span.column,
                    });
                }
            }
        }
    }
    notes
}

/// `"links": { }` or `"links"` → `links`.
fn json_member(code: &str) -> Option<&str> {
    let inner = code.trim().strip_prefix('"')?;
    let end = inner.find('"')?;
    let name = &inner[..end];
    let rest = inner[end + 1..].trim_start();
    (!name.is_empty() && (rest.is_empty() || rest.starts_with(':'))).then_some(name)
}

fn plain(cell: &str) -> &str {
    cell.trim_matches(|c: char| c == '*' || c == '`' || c == '_' || c.is_whitespace())
}

fn syntax_row(row: &super::markdown::Row) -> Option<RequestSyntax> {
    let method = row
        .cells
        .iter()
        .map(|c| plain(&c.text))
        .find(|t| METHODS.contains(t))?;
    let cell = row
        .cells
        .iter()
        .find(|c| c.text.contains("https://") || c.text.contains("http://"))?;
    let start = cell.text.find("http")?;
    let uri: String = cell.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '>' | ')' | '`' | '*' | ']' | '"'))
        .collect();
    Some(RequestSyntax {
        method: method.to_owned(),
        uri,
        line: row.line,
        column: cell.column,
    })
}

/// The request syntax of a code block that is not an example: each of its lines is a
/// method and a URI or a path (`PATCH /boards/cards/{id}`), nothing else.
fn syntax_block(block: &CodeBlock) -> Vec<RequestSyntax> {
    let mut rows = Vec::new();
    for (index, line) in block.content.split('\n').enumerate() {
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let mut words = text.split_whitespace();
        let (Some(method), Some(uri), None) = (words.next(), words.next(), words.next()) else {
            return Vec::new();
        };
        if !METHODS.contains(&method) || !(uri.starts_with('/') || uri.contains("://")) {
            return Vec::new();
        }
        let indent = line.chars().count() - line.trim_start().chars().count();
        rows.push(RequestSyntax {
            method: method.to_owned(),
            uri: uri.to_owned(),
            line: block.page_line(index + 1),
            column: indent + method.chars().count() + 2,
        });
    }
    rows
}

/// The items of a table cell: split on commas and semicolons (Latin or CJK), with
/// emphasis and code marks removed.
pub fn cell_items(cell: &str) -> Vec<String> {
    cell.split([',', ';', '、', '，', '；'])
        .map(|item| plain(item).to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

fn transition_table(
    markdown: &Markdown,
    anchor: Option<&str>,
    states: &[String],
) -> Option<TransitionTable> {
    if let Some(anchor) = anchor {
        if let Some(table) = table_under_anchor(markdown, anchor) {
            return Some(TransitionTable {
                table,
                evidence: TableEvidence::Anchor(anchor.to_owned()),
            });
        }
    }
    let three_columns = |t: &&Table| t.header.cells.len() == 3 && !t.rows.is_empty();
    let wire_names = markdown.tables().filter(three_columns).find(|t| {
        t.rows.iter().all(|row| {
            row.cells.len() == 3
                && status_name(states, plain(&row.cells[0].text)).is_some()
                && cell_items(&row.cells[1].text)
                    .iter()
                    .all(|item| status_name(states, item).is_some())
        })
    });
    if let Some(table) = wire_names {
        return Some(TransitionTable {
            table: table.clone(),
            evidence: TableEvidence::WireNames,
        });
    }
    let shaped = markdown.tables().filter(three_columns).find(|t| {
        let plain_cells = t.rows.iter().all(|row| {
            row.cells.len() == 3
                && row
                    .cells
                    .iter()
                    .all(|c| !c.text.contains("](") && !c.text.contains("http"))
                && cell_items(&row.cells[0].text).len() == 1
        });
        let lists = t.rows.iter().any(|row| {
            row.cells
                .iter()
                .skip(1)
                .any(|c| cell_items(&c.text).len() > 1)
        });
        plain_cells && lists
    });
    shaped.map(|table| TransitionTable {
        table: table.clone(),
        evidence: TableEvidence::Shape,
    })
}

fn table_under_anchor(markdown: &Markdown, anchor: &str) -> Option<Table> {
    let start = markdown
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Heading(h) if h.anchor.as_deref() == Some(anchor)))?;
    let Block::Heading(heading) = &markdown.blocks[start] else {
        return None;
    };
    for block in &markdown.blocks[start + 1..] {
        match block {
            Block::Heading(next) if next.level <= heading.level => return None,
            Block::Table(table) => return Some(table.clone()),
            _ => {}
        }
    }
    None
}

/// The status a wire name stands for, ignoring case.
pub fn status_name(states: &[String], text: &str) -> Option<String> {
    states
        .iter()
        .find(|s| s.eq_ignore_ascii_case(text))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::markdown;

    fn page(text: &str) -> Page {
        read(
            markdown::parse(text).unwrap(),
            Some("status-and-substatus-transition-states"),
            &["None", "New", "Active", "Closed"].map(String::from),
        )
    }

    const ANCHORED: &str = "\
# <a name=\"update\"></a>Güncelle

### <a name=\"request-syntax\"></a>İstek sözdizimi

| Yöntem  | İstek URI'si |
|---------|-------------|
| **PUT** | <https://h/v1.0/projects/items/{Id}> |

### <a name=\"request-example\"></a>İstek örneği

```http
PUT https://h/v1.0/projects/items/1 HTTP/1.1
Content-Type: application/json

{\"id\": \"1\"}
```

> [!IMPORTANT]
> `\"links\": { }`NESNEYI put kaynağından kaldırın.

### <a name=\"response-example\"></a>Yanıt örneği

``` http
{\"id\": \"1\"}
```
";

    #[test]
    fn a_translated_page_is_read_by_syntax_and_anchors() {
        // Act
        let page = page(ANCHORED);

        // Assert
        assert_eq!(page.title.as_deref(), Some("Güncelle"));
        assert!(page.anchored);
        assert_eq!(
            page.syntax,
            vec![RequestSyntax {
                method: "PUT".into(),
                uri: "https://h/v1.0/projects/items/{Id}".into(),
                line: 7,
                column: 13
            }]
        );
        let kinds: Vec<(ExampleKind, &Evidence, Option<usize>)> = page
            .examples
            .iter()
            .map(|e| (e.kind, &e.evidence, e.answers))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (ExampleKind::Request, &Evidence::RequestLine, None),
                (
                    ExampleKind::Response,
                    &Evidence::Anchor("response-example".into()),
                    Some(0)
                )
            ]
        );
        assert_eq!(
            page.examples[0].remove,
            vec![RemoveNote {
                field: "links".into(),
                line: 19,
                column: 4
            }]
        );
    }

    #[test]
    fn without_anchors_a_json_block_after_a_request_is_its_response() {
        // Arrange
        let text = "## Request example\n\n```http\nGET https://h/r/1 HTTP/1.1\n```\n\n**Response**\n\n```\n{\"id\": \"1\"}\n```\n";

        // Act
        let page = page(text);

        // Assert
        assert!(!page.anchored);
        assert_eq!(page.examples.len(), 2);
        assert_eq!(page.examples[1].evidence, Evidence::Order);
        assert_eq!(page.examples[1].answers, Some(0));
    }

    #[test]
    fn a_json_block_with_no_request_before_it_and_no_anchor_is_not_an_example() {
        let page = page("# T\n\n```json\n{\"a\": 1}\n```\n\n```json\n\"target\": []\n```\n");
        assert!(page.examples.is_empty());
        assert_eq!(page.others.len(), 2);
    }

    #[test]
    fn each_response_answers_the_nearest_unanswered_request() {
        // Arrange: request 1, its 204, then three sample requests with no response.
        let block = |s: &str| format!("```http\n{s}\n```\n\n");
        let text = [
            block("PATCH https://h/r/{Id}"),
            block("HTTP/1.1 204 No Content"),
            block("PATCH https://h/r/{Id}"),
            block("PATCH https://h/r/{Id}"),
        ]
        .concat();

        // Act
        let page = page(&text);

        // Assert
        let answers: Vec<Option<usize>> = page.examples.iter().map(|e| e.answers).collect();
        assert_eq!(answers, vec![None, Some(0), None, None]);
    }

    #[test]
    fn the_transition_table_is_found_under_the_contracts_anchor() {
        // Arrange
        let text = "### <a name=\"status-and-substatus-transition-states\"></a>状态\n\n| 状态 | 允许的状态转换 | 允许的子状态 |\n|---|---|---|\n| 新增 | 新增、活跃、已关闭 | 挂起、已接收 |\n";

        // Act
        let table = page(text).transitions.unwrap();

        // Assert
        assert_eq!(
            table.evidence,
            TableEvidence::Anchor("status-and-substatus-transition-states".into())
        );
        assert_eq!(cell_items(&table.table.rows[0].cells[1].text).len(), 3);
    }

    #[test]
    fn without_anchors_the_transition_table_is_found_by_its_wire_names() {
        // Arrange: a property table first, then the transition table.
        let text = "| Property | Type | Description |\n|---|---|---|\n| Status | [ItemStatus](r.md) | An enum. |\n\n| Status | Allowed | Substatus |\n|---|---|---|\n| New | New, Active, Closed | Pending, Received |\n| Closed | Closed | Won, Lost |\n";

        // Act
        let table = page(text).transitions.unwrap();

        // Assert
        assert_eq!(table.evidence, TableEvidence::WireNames);
        assert_eq!(table.table.rows.len(), 2);
    }

    #[test]
    fn without_anchors_or_wire_names_the_table_is_found_by_its_shape() {
        let text = "| Stan | Dozwolone | Podstan |\n|---|---|---|\n| Nowy | Nowy, aktywny | Oczekiwanie |\n";
        let table = page(text).transitions.unwrap();
        assert_eq!(table.evidence, TableEvidence::Shape);
    }

    #[test]
    fn a_request_fits_its_syntax_or_says_which_segment_does_not() {
        // Arrange
        let syntax = RequestSyntax {
            method: "PUT".into(),
            uri: "https://h/v1.0/projects/items/{Id}".into(),
            line: 1,
            column: 1,
        };

        // Act / Assert
        assert_eq!(syntax.collection(), "/v1.0/projects/items");
        assert_eq!(
            syntax.misfit("PUT", "https://h/v1.0/projects/items/49d9 HTTP/1.1"),
            None
        );
        assert_eq!(
            syntax.misfit("PUT", "https://h/v1.0/projcts/items/1"),
            Some("path segment 2 is \"projcts\" where the request syntax has \"projects\"".into())
        );
        assert!(syntax
            .misfit("PUT", "https://h/v1.0/projects/items")
            .is_some_and(|m| m.contains("segments")));
        assert!(syntax
            .misfit("PATCH", "https://h/v1.0/projects/items/1")
            .is_some_and(|m| m.contains("PATCH")));
    }

    #[test]
    fn cell_items_split_on_latin_and_cjk_separators() {
        assert_eq!(
            cell_items("Yeni, etkin, kapalı"),
            ["Yeni", "etkin", "kapalı"]
        );
        assert_eq!(cell_items("赢得、丢失、已拒绝、已过期").len(), 4);
        assert_eq!(cell_items("**Kabul edildi**"), ["Kabul edildi"]);
    }

    /// The shape of a page generated from API metadata: the request syntax in an
    /// annotated `ignored` block with a relative path, examples told by annotations (one in
    /// a fence with an info string of its own), a truncated response.
    const ANNOTATED: &str = "\
# Get card

## HTTP request
<!-- { \"blockType\": \"ignored\" } -->
```http
GET /boards/cards/{id}
PATCH /boards/cards/{id}
```

## Example
# [HTTP](#tab/http)
<!-- {
  \"blockType\": \"request\",
  \"name\": \"get_card\"
}-->
```http-console
GET https://h/v1.0/boards/cards/{card-id}
```
<!-- {
  \"blockType\": \"response\",
  \"truncated\": true
} -->
```http
HTTP/1.1 200 OK
Content-type: application/json

{\"id\": \"t\"}
```
<!-- { \"blockType\": \"resource\" } -->
```json
{\"id\": \"String\"}
```
";

    #[test]
    fn annotations_tell_roles_and_an_ignored_block_of_request_lines_is_the_syntax() {
        // Act
        let page = page(ANNOTATED);

        // Assert
        let syntax: Vec<(&str, &str, usize, usize)> = page
            .syntax
            .iter()
            .map(|s| (s.method.as_str(), s.uri.as_str(), s.line, s.column))
            .collect();
        assert_eq!(
            syntax,
            [
                ("GET", "/boards/cards/{id}", 6, 5),
                ("PATCH", "/boards/cards/{id}", 7, 7)
            ]
        );
        let roles: Vec<(ExampleKind, &Evidence, bool, Option<usize>)> = page
            .examples
            .iter()
            .map(|e| (e.kind, &e.evidence, e.truncated, e.answers))
            .collect();
        assert_eq!(
            roles,
            vec![
                (
                    ExampleKind::Request,
                    &Evidence::Annotation("request".into()),
                    false,
                    None
                ),
                (
                    ExampleKind::Response,
                    &Evidence::Annotation("response".into()),
                    true,
                    Some(0)
                )
            ]
        );
        assert_eq!(page.others.len(), 2, "the syntax and the resource blocks");
    }

    #[test]
    fn a_relative_syntax_fits_a_request_under_the_service_root() {
        // Arrange
        let syntax = RequestSyntax {
            method: "PATCH".into(),
            uri: "/boards/cards/{id}".into(),
            line: 1,
            column: 1,
        };

        // Act / Assert
        assert!(syntax.is_relative());
        assert_eq!(
            syntax.misfit("PATCH", "https://h/v1.0/boards/cards/{card-id}"),
            None
        );
        assert!(syntax
            .misfit("PATCH", "https://h/v1.0/boards/card/1")
            .is_some_and(|m| m.contains("\"card\"")));
        assert!(syntax
            .misfit("PATCH", "https://h/v1.0/boards/cards")
            .is_some());
    }
}
