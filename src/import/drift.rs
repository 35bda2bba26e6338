//! `import-doc --check`: does the page still say what the suite holds? The suite's examples
//! of a page are the ones contract.yaml lists with that `page:`; they are matched with the
//! page's examples by kind and order (the n-th request with the n-th request), and the
//! imported examples take the suite's names. A drift is a raw block or a parsed body that would
//! change, an example that is on one side only, a response that answers another request,
//! or a transition table that no longer agrees with contract.yaml.

use std::io::{self, Write};

use serde_json::Value;

use super::Import;
use crate::fixture::contract::ExampleKind;
use crate::fixture::json_text::first_difference;
use crate::fixture::{LoadedExample, Suite};

/// The suite's examples of the page `page_name`, in contract order.
pub fn committed<'s>(suite: &'s Suite, page_name: &str) -> Vec<&'s LoadedExample> {
    suite
        .examples
        .iter()
        .filter(|e| e.spec.source.page == page_name)
        .collect()
}

/// For each of the page's examples (by kind, in page order), the suite's example in the
/// same place: the n-th request of the page ↔ the n-th request of the suite.
pub fn counterparts<'s>(
    committed: &[&'s LoadedExample],
    kinds: &[ExampleKind],
) -> Vec<Option<&'s LoadedExample>> {
    let (mut requests, mut responses) = (0usize, 0usize);
    kinds
        .iter()
        .map(|kind| {
            let seen = match kind {
                ExampleKind::Request => &mut requests,
                ExampleKind::Response => &mut responses,
            };
            let found = committed
                .iter()
                .filter(|e| e.spec.kind == *kind)
                .nth(*seen)
                .copied();
            *seen += 1;
            found
        })
        .collect()
}

/// One difference between the page and the suite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftItem {
    /// The suite's file (or contract.yaml) that no longer matches the page.
    pub file: String,
    pub message: String,
}

/// The outcome of `--check`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    pub items: Vec<DriftItem>,
    /// The names of the suite's examples that match the page.
    pub matched: Vec<String>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.items.is_empty()
    }

    /// Writes the drift for a person, one line each, and a closing line.
    pub fn render(&self, out: &mut impl Write) -> io::Result<()> {
        for item in &self.items {
            writeln!(out, "DRIFT   {}: {}", item.file, item.message)?;
        }
        if self.is_clean() {
            writeln!(
                out,
                "check: the page agrees with the suite ({} examples: {})",
                self.matched.len(),
                self.matched.join(", ")
            )
        } else {
            writeln!(
                out,
                "check: the page differs from the suite in {} places; re-import it with --out and review the diff",
                self.items.len()
            )
        }
    }
}

fn shorten(line: &str) -> String {
    const MAX: usize = 72;
    if line.chars().count() > MAX {
        format!("{}…", line.chars().take(MAX).collect::<String>())
    } else {
        line.to_owned()
    }
}

/// The first line (1-based) where two texts differ, with both lines.
fn first_line_difference(old: &str, new: &str) -> Option<(usize, String, String)> {
    let mut old_lines = old.split('\n');
    let mut new_lines = new.split('\n');
    let mut number = 0;
    loop {
        number += 1;
        match (old_lines.next(), new_lines.next()) {
            (None, None) => return None,
            (a, b) if a == b => {}
            (a, b) => {
                let show = |l: Option<&str>| {
                    l.map_or("(end of file)".to_owned(), |l| format!("{:?}", shorten(l)))
                };
                return Some((number, show(a), show(b)));
            }
        }
    }
}

/// Compares the imported page with the suite's committed fixtures and contract.
pub fn check(import: &Import, suite: &Suite) -> Drift {
    let mut drift = Drift::default();
    let committed = committed(suite, &import.page_name);
    let contract = suite.contract_path.display().to_string();
    if committed.is_empty() {
        drift.items.push(DriftItem {
            file: contract.clone(),
            message: format!(
                "the suite lists no examples from {} (no `examples:` entry with page: {})",
                import.page_name, import.page_name
            ),
        });
    }
    let kinds: Vec<ExampleKind> = import.examples.iter().map(|e| e.page.kind).collect();
    let parts = counterparts(&committed, &kinds);
    for (example, part) in import.examples.iter().zip(&parts) {
        let Some(old) = part else {
            if !committed.is_empty() {
                drift.items.push(DriftItem {
                    file: contract.clone(),
                    message: format!(
                        "the page's {} (page lines {}-{}) has no counterpart in the suite",
                        example.name,
                        example.page.block.first_line(),
                        example.page.block.close_line - 1
                    ),
                });
            }
            continue;
        };
        compare_example(&mut drift, example, old);
        let answers = example
            .page
            .answers
            .and_then(|i| parts.get(i).copied().flatten())
            .map(|request| request.spec.name.clone());
        if answers != old.spec.response_to {
            drift.items.push(DriftItem {
                file: contract.clone(),
                message: format!(
                    "{} answers {} on the page, {} in the suite",
                    old.spec.name,
                    answers.as_deref().unwrap_or("no request"),
                    old.spec.response_to.as_deref().unwrap_or("no request")
                ),
            });
        }
        drift.matched.push(old.spec.name.clone());
    }
    for old in &committed {
        if !parts.iter().flatten().any(|p| std::ptr::eq(*p, *old)) {
            drift.items.push(DriftItem {
                file: old.raw_path.display().to_string(),
                message: format!("{} is in the suite but not on the page", old.spec.name),
            });
        }
    }
    if let Some(table) = &import.table {
        for difference in &table.differences {
            drift.items.push(DriftItem {
                file: contract.clone(),
                message: format!(
                    "transitions: page line {}: {}",
                    difference.line, difference.message
                ),
            });
        }
    }
    drift
}

fn compare_example(drift: &mut Drift, example: &super::ImportedExample, old: &LoadedExample) {
    if let Some((line, was, is)) = first_line_difference(&old.raw_text, &example.loaded.raw_text) {
        drift.items.push(DriftItem {
            file: old.raw_path.display().to_string(),
            message: format!(
                "raw line {line} (page line {}) differs: the suite has {was}, the page has {is}",
                example.page.block.page_line(line)
            ),
        });
    }
    let json_file = old.json_path.as_ref().map_or_else(
        || old.raw_path.display().to_string(),
        |p| p.display().to_string(),
    );
    match (&example.loaded.json_text, &old.json_text) {
        (Some(new), Some(was)) if new != was => {
            let message = match (&example.loaded.json, &old.json) {
                (Some(a), Some(b)) if a == b => {
                    "the same JSON value, written differently (regenerate it with --out)".to_owned()
                }
                (Some(a), Some(b)) => {
                    let pointer = first_difference(b, a, "");
                    let shown = if pointer.is_empty() {
                        "(root)"
                    } else {
                        &pointer
                    };
                    let value = |v: &Value| {
                        v.pointer(&pointer)
                            .map_or("(absent)".to_owned(), |v| shorten(&v.to_string()))
                    };
                    format!(
                        "the page's body differs at {shown}: the suite has {}, the page has {}",
                        value(b),
                        value(a)
                    )
                }
                _ => "differs from the page's body".to_owned(),
            };
            drift.items.push(DriftItem {
                file: json_file,
                message,
            });
        }
        (Some(_), None) => drift.items.push(DriftItem {
            file: json_file,
            message: "the page's block now has a JSON body; the suite stores none".into(),
        }),
        (None, Some(_)) => drift.items.push(DriftItem {
            file: json_file,
            message: "the suite stores a JSON body; the page's block has none that parses".into(),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_differing_line_is_found_with_both_sides() {
        assert_eq!(first_line_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(
            first_line_difference("a\nb\n", "a\nc\n"),
            Some((2, "\"b\"".into(), "\"c\"".into()))
        );
        assert_eq!(
            first_line_difference("a\n", "a\nb\n"),
            Some((2, "\"\"".into(), "\"b\"".into()))
        );
        assert_eq!(
            first_line_difference("a", "a\nb"),
            Some((2, "(end of file)".into(), "\"b\"".into()))
        );
    }

    #[test]
    fn a_clean_check_says_which_examples_agree() {
        // Arrange
        let drift = Drift {
            matched: vec!["x.request".into(), "x.response".into()],
            ..Drift::default()
        };
        let mut out = Vec::new();

        // Act
        drift.render(&mut out).unwrap();

        // Assert
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "check: the page agrees with the suite (2 examples: x.request, x.response)\n"
        );
    }
}
