//! A Learn-style Markdown page as a flat list of the blocks `import-doc` cares about: the
//! YAML front matter, headings (ATX, setext or a paragraph that is one bold label, with an
//! optional `<a name="…">` anchor), fenced code blocks (at any indentation, so blocks inside
//! list items count), pipe tables and block quotes. An HTML comment that holds one JSON
//! object right before a fence is that block's annotation (pages generated from API
//! metadata say so what a block is: `<!-- { "blockType": "request", … } -->`). Everything
//! else is prose and skipped.
//!
//! The scanner knows no words of any language: it reads only Markdown syntax, and every
//! block keeps its 1-based page line (and, for table cells and code spans, its column).

use std::collections::BTreeMap;

use serde_json::Value;

/// Why a page cannot be scanned. Lines are page lines; the message leaves the line to
/// the caller, which puts it after the page's path (`page.md:82: …`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkdownError {
    #[error("the code fence {fence:?} is never closed (the page ends inside the block)")]
    UnterminatedFence { line: usize, fence: String },
    #[error("the front matter opened with --- is never closed")]
    UnterminatedFrontMatter { line: usize },
}

impl MarkdownError {
    /// The page line the error points at.
    pub fn line(&self) -> usize {
        match self {
            Self::UnterminatedFence { line, .. } | Self::UnterminatedFrontMatter { line } => *line,
        }
    }
}

/// The YAML block between the opening and closing `---` lines.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatter {
    /// The page line of the opening `---`.
    pub line: usize,
    /// The fields, or why they could not be read (with the page line).
    pub fields: Result<BTreeMap<String, Value>, (usize, String)>,
}

impl FrontMatter {
    /// A field as text (strings as they are, other scalars as JSON).
    pub fn get(&self, key: &str) -> Option<String> {
        let value = self.fields.as_ref().ok()?.get(key)?;
        Some(match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
    }
}

/// A heading, or a paragraph that is only a bold label (older pages use `**Request**`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub line: usize,
    /// 1 to 6; a bold label counts as 7 (below every real heading).
    pub level: u8,
    /// The `<a name="…">` (or `{#…}`) anchor, which translations keep.
    pub anchor: Option<String>,
    /// The text without the anchor (translated on localized pages).
    pub text: String,
}

/// A fenced code block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// The page line of the opening fence.
    pub open_line: usize,
    /// The page line of the closing fence.
    pub close_line: usize,
    /// The info string after the opening fence, trimmed (`http`, `json`, or empty).
    pub info: String,
    /// The lines between the fences exactly as written (indentation kept), joined by `\n`.
    pub content: String,
    /// The JSON object of the HTML comment right before the fence, if there is one.
    pub annotation: Option<Annotation>,
}

/// The JSON object an HTML comment right before a code block holds: what the page's
/// generator says the block is (`blockType`), whether its body is shortened
/// (`truncated`), and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The page line where the comment opens.
    pub line: usize,
    pub fields: serde_json::Map<String, Value>,
}

impl Annotation {
    fn text(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    /// The block's declared role (`request`, `response`, `ignored`, `resource`, …).
    pub fn block_type(&self) -> Option<&str> {
        self.text("blockType")
    }

    /// Whether the page says the block's body is shortened.
    pub fn truncated(&self) -> bool {
        self.fields.get("truncated").and_then(Value::as_bool) == Some(true)
    }

    /// The block's name, if the annotation gives one.
    pub fn name(&self) -> Option<&str> {
        self.text("name")
    }
}

impl CodeBlock {
    /// The page line of the block's first content line.
    pub fn first_line(&self) -> usize {
        self.open_line + 1
    }

    /// The page line that holds line `raw_line` (1-based) of the block's content.
    pub fn page_line(&self, raw_line: usize) -> usize {
        self.open_line + raw_line
    }
}

/// One table cell with the page column where its text starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub column: usize,
    pub text: String,
}

/// A table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<Cell>,
}

/// A pipe table: a header row, a delimiter row, body rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Row,
    pub rows: Vec<Row>,
}

impl Table {
    /// The page line of the last row.
    pub fn last_line(&self) -> usize {
        self.rows.last().map_or(self.header.line + 1, |r| r.line)
    }
}

/// One line of a block quote, without its `>` marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteLine {
    pub line: usize,
    /// The page column of the first character of `text`.
    pub column: usize,
    pub text: String,
}

/// A block quote (Learn's notes: `> [!IMPORTANT]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub lines: Vec<QuoteLine>,
}

/// A block of the page, in page order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(Heading),
    Code(CodeBlock),
    Table(Table),
    Quote(Quote),
}

/// A scanned page.
#[derive(Debug, Clone, PartialEq)]
pub struct Markdown {
    pub front_matter: Option<FrontMatter>,
    pub blocks: Vec<Block>,
}

impl Markdown {
    pub fn headings(&self) -> impl Iterator<Item = &Heading> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Heading(h) => Some(h),
            _ => None,
        })
    }

    pub fn code_blocks(&self) -> impl Iterator<Item = &CodeBlock> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Code(c) => Some(c),
            _ => None,
        })
    }

    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
    }
}

/// An inline code span with the column (in its line) of its first character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSpan<'a> {
    pub column: usize,
    pub text: &'a str,
}

/// The inline code spans of one line of text, with 1-based character columns of their
/// content (plus `offset`, the column where `text` starts on its page line, minus one).
pub fn code_spans(text: &str, offset: usize) -> Vec<CodeSpan<'_>> {
    let mut spans = Vec::new();
    let mut rest = text;
    let mut consumed_chars = 0usize;
    while let Some(open) = rest.find('`') {
        let run = rest[open..].chars().take_while(|c| *c == '`').count();
        let fence = &rest[open..open + run];
        let after = &rest[open + run..];
        let Some(close) = after.find(fence) else {
            break;
        };
        let content = &after[..close];
        let column = offset + consumed_chars + rest[..open + run].chars().count() + 1;
        spans.push(CodeSpan {
            column,
            text: content,
        });
        let used = open + run + close + run;
        consumed_chars += rest[..used].chars().count();
        rest = &rest[used..];
    }
    spans
}

/// Scans `text` (LF line ends) into blocks.
pub fn parse(text: &str) -> Result<Markdown, MarkdownError> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut index = 0usize;
    let front_matter = front_matter(&lines, &mut index)?;
    let mut blocks = Vec::new();
    let mut pending_anchor: Option<String> = None;
    let mut pending_annotation: Option<Annotation> = None;
    while index < lines.len() {
        let line = lines[index];
        let number = index + 1;
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            index += 1;
            continue;
        }
        if let Some((close, inner)) = html_comment(&lines, index) {
            pending_annotation = annotation(&inner, number);
            pending_anchor = None;
            index = close + 1;
            continue;
        }
        if let Some(fence) = fence_open(line) {
            let close = (index + 1..lines.len()).find(|&j| fence.closes(lines[j]));
            let Some(close) = close else {
                return Err(MarkdownError::UnterminatedFence {
                    line: number,
                    fence: trimmed.trim_end().to_owned(),
                });
            };
            blocks.push(Block::Code(CodeBlock {
                open_line: number,
                close_line: close + 1,
                info: fence.info,
                content: lines[index + 1..close].join("\n"),
                annotation: pending_annotation.take(),
            }));
            pending_anchor = None;
            index = close + 1;
            continue;
        }
        if let Some(mut heading) = atx_heading(line, number) {
            if heading.anchor.is_none() {
                heading.anchor = pending_anchor.take();
            }
            pending_anchor = None;
            blocks.push(Block::Heading(heading));
            pending_annotation = None;
            index += 1;
            continue;
        }
        if let Some(anchor) = lone_anchor(trimmed) {
            pending_anchor = Some(anchor);
            index += 1;
            continue;
        }
        let delimiter = lines.get(index + 1).and_then(|l| delimiter_cells(l));
        if line.contains('|') && delimiter == Some(split_cells(line).len()) {
            blocks.push(Block::Table(table(&lines, &mut index)));
            pending_anchor = None;
            pending_annotation = None;
            continue;
        }
        if trimmed.starts_with('>') {
            blocks.push(Block::Quote(quote(&lines, &mut index)));
            pending_anchor = None;
            pending_annotation = None;
            continue;
        }
        if let Some(level) = lines
            .get(index + 1)
            .and_then(|next| setext_level(line, next))
        {
            let (anchor, text) = split_anchor(line.trim());
            blocks.push(Block::Heading(Heading {
                line: number,
                level,
                anchor: anchor.or_else(|| pending_anchor.take()),
                text,
            }));
            pending_anchor = None;
            index += 2;
            continue;
        }
        if let Some(label) = bold_label(trimmed) {
            blocks.push(Block::Heading(Heading {
                line: number,
                level: 7,
                anchor: pending_anchor.take(),
                text: label.to_owned(),
            }));
            index += 1;
            continue;
        }
        pending_anchor = None;
        pending_annotation = None;
        index += 1;
    }
    Ok(Markdown {
        front_matter,
        blocks,
    })
}

/// The table whose header row is `lines[*index]`; leaves `index` after its last row.
fn table(lines: &[&str], index: &mut usize) -> Table {
    let header = Row {
        line: *index + 1,
        cells: split_cells(lines[*index]),
    };
    let mut rows = Vec::new();
    *index += 2;
    while let Some(row) = lines.get(*index) {
        if row.trim().is_empty() || !row.contains('|') || fence_open(row).is_some() {
            break;
        }
        rows.push(Row {
            line: *index + 1,
            cells: split_cells(row),
        });
        *index += 1;
    }
    Table { header, rows }
}

/// The block quote that starts at `lines[*index]`; leaves `index` after it.
fn quote(lines: &[&str], index: &mut usize) -> Quote {
    let mut quote = Vec::new();
    while let Some(row) = lines.get(*index) {
        let Some(after) = row.trim_start().strip_prefix('>') else {
            break;
        };
        let body = after.strip_prefix(' ').unwrap_or(after);
        let column = row.chars().count() - body.chars().count() + 1;
        quote.push(QuoteLine {
            line: *index + 1,
            column,
            text: body.to_owned(),
        });
        *index += 1;
    }
    Quote { lines: quote }
}

fn front_matter(lines: &[&str], index: &mut usize) -> Result<Option<FrontMatter>, MarkdownError> {
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return Ok(None);
    }
    let close = (1..lines.len())
        .find(|&j| matches!(lines[j].trim_end(), "---" | "..."))
        .ok_or(MarkdownError::UnterminatedFrontMatter { line: 1 })?;
    let yaml = lines[1..close].join("\n");
    let fields = if yaml.trim().is_empty() {
        Ok(BTreeMap::new())
    } else {
        serde_saphyr::from_str::<BTreeMap<String, Value>>(&yaml).map_err(|error| {
            let line = error.location().map_or(1, |l| l.line());
            let message = error
                .to_string()
                .lines()
                .next()
                .unwrap_or("invalid YAML")
                .trim()
                .to_owned();
            (usize::try_from(line).unwrap_or(1) + 1, message)
        })
    };
    *index = close + 1;
    Ok(Some(FrontMatter { line: 1, fields }))
}

struct Fence {
    marker: char,
    run: usize,
    info: String,
}

impl Fence {
    fn closes(&self, line: &str) -> bool {
        let trimmed = line.trim_start();
        let run = trimmed.chars().take_while(|c| *c == self.marker).count();
        run >= self.run && trimmed[run * self.marker.len_utf8()..].trim().is_empty()
    }
}

fn fence_open(line: &str) -> Option<Fence> {
    let trimmed = line.trim_start();
    let marker = trimmed.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let run = trimmed.chars().take_while(|c| *c == marker).count();
    if run < 3 {
        return None;
    }
    let info = trimmed[run..].trim();
    // A backtick fence's info string has no backtick (else it is inline code).
    if marker == '`' && info.contains('`') {
        return None;
    }
    Some(Fence {
        marker,
        run,
        info: info.to_owned(),
    })
}

fn atx_heading(line: &str, number: usize) -> Option<Heading> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let trimmed = line.trim();
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &trimmed[hashes..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    // A closing sequence of #s after a space is not part of the text.
    let mut text = rest.trim();
    let without = text.trim_end_matches('#');
    if without.len() < text.len() && (without.is_empty() || without.ends_with([' ', '\t'])) {
        text = without.trim_end();
    }
    let (anchor, text) = split_anchor(text);
    Some(Heading {
        line: number,
        level: u8::try_from(hashes).unwrap_or(6),
        anchor,
        text,
    })
}

/// Splits a leading `<a name="x"></a>` (or `<a id="x">`) or a trailing `{#x}` off a heading.
fn split_anchor(text: &str) -> (Option<String>, String) {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("<a ") {
        if let Some(end) = rest.find('>') {
            let anchor = attribute(&rest[..end], "name").or_else(|| attribute(&rest[..end], "id"));
            let after = rest[end + 1..].trim_start();
            let after = after.strip_prefix("</a>").unwrap_or(after);
            if anchor.is_some() {
                return (anchor, after.trim().to_owned());
            }
        }
    }
    if let Some(open) = text.rfind("{#") {
        if text.ends_with('}') {
            let anchor = text[open + 2..text.len() - 1].trim();
            if !anchor.is_empty() && !anchor.contains(char::is_whitespace) {
                return (Some(anchor.to_owned()), text[..open].trim().to_owned());
            }
        }
    }
    (None, text.to_owned())
}

fn attribute(attributes: &str, name: &str) -> Option<String> {
    let mut rest = attributes;
    while let Some(at) = rest.find(name) {
        let before_ok = at == 0 || rest[..at].ends_with(char::is_whitespace);
        let after = rest[at + name.len()..].trim_start();
        if before_ok {
            if let Some(value) = after.strip_prefix('=') {
                let value = value.trim_start();
                let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
                let inner = &value[1..];
                let end = inner.find(quote)?;
                return Some(inner[..end].to_owned());
            }
        }
        rest = &rest[at + name.len()..];
    }
    None
}

/// A line that is only an anchor (`<a name="x"></a>`): it names the heading after it.
/// The HTML comment that opens on `lines[start]` (after indentation): the index of the
/// line where it closes and the text between `<!--` and `-->`. An unclosed comment is
/// prose, as a browser would show nothing after it but a scanner must not swallow the page.
fn html_comment(lines: &[&str], start: usize) -> Option<(usize, String)> {
    let first = lines[start].trim_start().strip_prefix("<!--")?;
    let mut inner = String::new();
    for (offset, line) in std::iter::once(first)
        .chain(lines[start + 1..].iter().copied())
        .enumerate()
    {
        if let Some(end) = line.find("-->") {
            inner.push_str(&line[..end]);
            let rest = line[end + 3..].trim();
            // Text after the comment on its closing line makes the line prose.
            return rest.is_empty().then_some((start + offset, inner));
        }
        inner.push_str(line);
        inner.push('\n');
    }
    None
}

/// A comment that holds exactly one JSON object is an annotation of the next block.
fn annotation(inner: &str, line: usize) -> Option<Annotation> {
    match serde_json::from_str::<Value>(inner.trim()) {
        Ok(Value::Object(fields)) => Some(Annotation { line, fields }),
        _ => None,
    }
}

fn lone_anchor(trimmed: &str) -> Option<String> {
    let (anchor, text) = split_anchor(trimmed);
    if text.is_empty() && trimmed.starts_with("<a ") {
        anchor
    } else {
        None
    }
}

fn setext_level(line: &str, next: &str) -> Option<u8> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let text = line.trim();
    let starts_block = text.starts_with(['>', '|', '#', '<'])
        || text.starts_with("- ")
        || text.starts_with("* ")
        || text.starts_with("+ ")
        || text.split_once(". ").is_some_and(|(n, _)| {
            !n.is_empty() && n.len() <= 9 && n.chars().all(|c| c.is_ascii_digit())
        });
    if indent > 3 || starts_block {
        return None;
    }
    let underline = next.trim();
    if !underline.is_empty() && underline.chars().all(|c| c == '=') {
        Some(1)
    } else if underline.len() >= 2 && underline.chars().all(|c| c == '-') {
        Some(2)
    } else {
        None
    }
}

/// A paragraph line that is one bold run, e.g. `**Request example**` or `**Response:**`.
fn bold_label(trimmed: &str) -> Option<&str> {
    let line = trimmed.trim_end();
    let line = line.strip_suffix(':').unwrap_or(line);
    for marker in ["**", "__"] {
        if let Some(inner) = line
            .strip_prefix(marker)
            .and_then(|rest| rest.strip_suffix(marker))
        {
            let inner = inner.strip_suffix(':').unwrap_or(inner).trim();
            if !inner.is_empty() && !inner.contains(marker) {
                return Some(inner);
            }
        }
    }
    None
}

/// The number of cells of a table's delimiter row (`|---|:---:|`), if `line` is one.
fn delimiter_cells(line: &str) -> Option<usize> {
    let trimmed = line.trim();
    if !trimmed.contains('-') {
        return None;
    }
    let inner = trimmed.strip_prefix('|').unwrap_or(trimmed);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let cells: Vec<&str> = inner.split('|').collect();
    cells
        .iter()
        .all(|cell| {
            let cell = cell.trim();
            let cell = cell.strip_prefix(':').unwrap_or(cell);
            let cell = cell.strip_suffix(':').unwrap_or(cell);
            !cell.is_empty() && cell.chars().all(|c| c == '-')
        })
        .then_some(cells.len())
}

/// Splits a table row into cells; `\|` and pipes inside code spans do not split.
fn split_cells(line: &str) -> Vec<Cell> {
    let chars: Vec<char> = line.chars().collect();
    let mut index = chars.iter().take_while(|c| c.is_whitespace()).count();
    if chars.get(index) == Some(&'|') {
        index += 1;
    }
    let mut cells = Vec::new();
    let mut start = index;
    let mut in_code = false;
    while index < chars.len() {
        match chars[index] {
            '\\' => index += 1,
            '`' => in_code = !in_code,
            '|' if !in_code => {
                cells.push(cell(&chars, start, index));
                start = index + 1;
            }
            _ => {}
        }
        index += 1;
    }
    if chars[start.min(chars.len())..]
        .iter()
        .any(|c| !c.is_whitespace())
    {
        cells.push(cell(&chars, start, chars.len()));
    }
    cells
}

fn cell(chars: &[char], start: usize, end: usize) -> Cell {
    let slice = &chars[start..end];
    let lead = slice.iter().take_while(|c| c.is_whitespace()).count();
    Cell {
        column: start + lead + 1,
        text: slice.iter().collect::<String>().trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str) -> Vec<Block> {
        parse(text).unwrap().blocks
    }

    #[test]
    fn front_matter_is_read_as_yaml_and_skipped() {
        // Arrange
        let text =
            "---\ntitle: Güncelle\nms.contentlocale: tr-TR\n---\n# <a name=\"x\"></a>Başlık\n";

        // Act
        let page = parse(text).unwrap();

        // Assert
        let front = page.front_matter.unwrap();
        assert_eq!(front.get("title").as_deref(), Some("Güncelle"));
        assert_eq!(front.get("ms.contentlocale").as_deref(), Some("tr-TR"));
        assert_eq!(
            page.blocks,
            vec![Block::Heading(Heading {
                line: 5,
                level: 1,
                anchor: Some("x".into()),
                text: "Başlık".into()
            })]
        );
    }

    #[test]
    fn front_matter_that_is_not_yaml_keeps_its_error_and_page_line() {
        let page = parse("---\ntitle: ok\nbad: [unclosed\n---\ntext\n").unwrap();
        let (line, message) = page.front_matter.unwrap().fields.unwrap_err();
        assert!(line >= 2, "a page line inside the front matter: {line}");
        assert!(!message.is_empty());
    }

    #[test]
    fn an_unclosed_front_matter_is_an_error() {
        assert_eq!(
            parse("---\ntitle: x\n# Heading\n"),
            Err(MarkdownError::UnterminatedFrontMatter { line: 1 })
        );
    }

    #[test]
    fn headings_keep_level_anchor_and_text_with_or_without_anchor() {
        // Act
        let found = blocks("## REST Request\n\n### <a name=\"request-syntax\"></a>İstek sözdizimi\n#### Closed ##\n");

        // Assert
        let headings: Vec<(u8, Option<&str>, &str)> = found
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some((h.level, h.anchor.as_deref(), h.text.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            headings,
            vec![
                (2, None, "REST Request"),
                (3, Some("request-syntax"), "İstek sözdizimi"),
                (4, None, "Closed")
            ]
        );
    }

    #[test]
    fn an_anchor_on_its_own_line_names_the_next_heading() {
        let found = blocks("<a name=\"response-example\"></a>\n### Odpowiedź\n");
        assert!(
            matches!(&found[..], [Block::Heading(h)] if h.anchor.as_deref() == Some("response-example"))
        );
    }

    #[test]
    fn setext_headings_and_bold_labels_count_as_headings() {
        let found = blocks("Request\n=======\n\n**Response example:**\n\nsome **bold** prose\n");
        let headings: Vec<(u8, &str)> = found
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some((h.level, h.text.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(headings, vec![(1, "Request"), (7, "Response example")]);
    }

    #[test]
    fn code_fences_with_and_without_info_strings_keep_their_lines() {
        // Arrange
        let text =
            "```http\nGET /a\n```\n\n``` http\n{}\n```\n\n```\nplain\n```\n~~~json\n[]\n~~~\n";

        // Act
        let found = parse(text).unwrap();

        // Assert
        let code: Vec<(usize, usize, &str, &str)> = found
            .code_blocks()
            .map(|c| {
                (
                    c.open_line,
                    c.close_line,
                    c.info.as_str(),
                    c.content.as_str(),
                )
            })
            .collect();
        assert_eq!(
            code,
            vec![
                (1, 3, "http", "GET /a"),
                (5, 7, "http", "{}"),
                (9, 11, "", "plain"),
                (12, 14, "json", "[]")
            ]
        );
    }

    #[test]
    fn a_block_indented_in_a_list_item_keeps_its_indentation() {
        // Arrange
        let text = "1. Sample\n    \n    ```http\n    GET /a\n    \n    ```\n";

        // Act
        let found = parse(text).unwrap();

        // Assert
        let block = found.code_blocks().next().unwrap();
        assert_eq!((block.open_line, block.close_line), (3, 6));
        assert_eq!(block.content, "    GET /a\n    ");
        assert_eq!(block.page_line(1), 4);
    }

    #[test]
    fn headings_and_tables_inside_a_code_block_are_not_blocks() {
        let found = blocks("```\n# not a heading\n| a | b |\n|---|---|\n```\n");
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn an_unterminated_fence_names_its_line() {
        assert_eq!(
            parse("# T\n\n```http\nGET /a\n"),
            Err(MarkdownError::UnterminatedFence {
                line: 3,
                fence: "```http".into()
            })
        );
    }

    #[test]
    fn tables_split_into_cells_with_their_columns() {
        // Arrange
        let text = "| Durum | İzin verilen |\n|--------|----|\n| Yeni    | Yeni, etkin |\n| `a|b` | x \\| y |\n";

        // Act
        let found = parse(text).unwrap();

        // Assert
        let table = found.tables().next().unwrap();
        assert_eq!(table.header.cells.len(), 2);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].line, 3);
        assert_eq!(
            table.rows[0].cells,
            vec![
                Cell {
                    column: 3,
                    text: "Yeni".into()
                },
                Cell {
                    column: 13,
                    text: "Yeni, etkin".into()
                }
            ]
        );
        assert_eq!(table.rows[1].cells[0].text, "`a|b`");
        assert_eq!(table.rows[1].cells[1].text, "x \\| y");
    }

    #[test]
    fn a_line_with_a_pipe_over_a_rule_of_another_width_is_not_a_table() {
        let found = blocks("a | b | c\n---\n");
        assert!(
            !found.iter().any(|b| matches!(b, Block::Table(_))),
            "{found:?}"
        );
    }

    #[test]
    fn a_quote_keeps_its_lines_and_code_spans_their_columns() {
        // Arrange
        let text = "> [!IMPORTANT]\n> `\"links\": { }`NESNEYI put kaynağından kaldırın.\n";

        // Act
        let found = parse(text).unwrap();

        // Assert
        let Block::Quote(quote) = &found.blocks[0] else {
            panic!("a quote")
        };
        assert_eq!(quote.lines.len(), 2);
        let second = &quote.lines[1];
        assert_eq!((second.line, second.column), (2, 3));
        let spans = code_spans(&second.text, second.column - 1);
        assert_eq!(
            spans,
            vec![CodeSpan {
                column: 4,
                text: "\"links\": { }"
            }]
        );
    }

    #[test]
    fn code_spans_count_characters_not_bytes() {
        let spans = code_spans("ğü `a` and ``b`c``", 0);
        assert_eq!(
            spans,
            vec![
                CodeSpan {
                    column: 5,
                    text: "a"
                },
                CodeSpan {
                    column: 14,
                    text: "b`c"
                }
            ]
        );
    }

    #[test]
    fn a_json_comment_before_a_fence_annotates_that_block_only() {
        // Arrange: an annotated block, a prose comment, then a block after a heading.
        let text = "<!-- {\n  \"blockType\": \"response\",\n  \"truncated\": true\n}-->\n```http\nHTTP/1.1 200 OK\n```\n\n<!-- uuid: 8fcb\n2015-10-25 -->\n<!-- { \"blockType\": \"ignored\" } -->\n# Heading\n```http\nGET /r\n```\n";

        // Act
        let page = parse(text).unwrap();

        // Assert
        let blocks: Vec<&CodeBlock> = page.code_blocks().collect();
        let first = blocks[0].annotation.as_ref().unwrap();
        assert_eq!(first.line, 1);
        assert_eq!(first.block_type(), Some("response"));
        assert!(first.truncated());
        assert_eq!(blocks[0].open_line, 5);
        assert_eq!(blocks[1].annotation, None, "a heading stands between");
        assert_eq!(page.headings().count(), 1);
    }

    #[test]
    fn an_unclosed_comment_is_prose_and_swallows_nothing() {
        let page = parse("<!-- { \"blockType\": \"request\" }\n```http\nGET /r\n```\n").unwrap();
        let blocks: Vec<&CodeBlock> = page.code_blocks().collect();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].annotation, None);
    }
}
