//! The page's status/substatus transition table held against contract.yaml's, by position.
//! Translated pages translate the cells (`Yeni, etkin, kapalı`), so a cell's words cannot be
//! read back; its place can. Row i of the page is the contract's i-th row of `moves:` in
//! document order (New, Active, Closed); column 2 holds that status's allowed moves, column 3
//! its substatuses. What is compared: the number of rows, the number of items in each cell,
//! and, where a cell's items are English wire names, the names themselves.

use std::collections::BTreeSet;
use std::fmt;

use super::markdown::{Cell, Row, Table};
use super::page::{cell_items, status_name};
use crate::model::Transitions;

/// One page row, mapped to the contract's row in the same place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReading {
    pub line: usize,
    /// The row's first cell as the page writes it (`Yeni`).
    pub label: String,
    /// The contract's status in that place.
    pub status: String,
    pub moves: usize,
    pub substatuses: usize,
}

/// One way in which the page's table departs from the contract's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The page's table read against the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub rows: Vec<RowReading>,
    pub differences: Vec<Difference>,
}

fn names<T: fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let names: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("{count} {one}")
    } else {
        format!("{count} {many}")
    }
}

/// Compares one list cell with the contract's list for the same place.
fn compare_cell(
    cell: &Cell,
    line: usize,
    what: (&str, &str),
    row: &str,
    expected: &BTreeSet<String>,
    parse: impl Fn(&str) -> Option<String>,
) -> Option<Difference> {
    let items = cell_items(&cell.text);
    let at = |message: String| Difference {
        line,
        column: cell.column,
        message,
    };
    if items.len() != expected.len() {
        return Some(at(format!(
            "{row}: {} on the page, {} in contract.yaml ({})",
            plural(items.len(), what.0, what.1),
            expected.len(),
            names(expected)
        )));
    }
    let parsed: Option<BTreeSet<String>> = items.iter().map(|i| parse(i)).collect();
    match parsed {
        Some(found) if &found != expected => Some(at(format!(
            "{row}: the page allows {}, contract.yaml allows {}",
            names(&found),
            names(expected)
        ))),
        _ => None,
    }
}

/// Reads page row `index` (0-based) in place of the contract's `status` row.
fn compare_row(
    index: usize,
    row: &Row,
    (status, table): (&str, &Transitions),
    moves: &BTreeSet<String>,
    pairs: &BTreeSet<String>,
    differences: &mut Vec<Difference>,
) -> Option<RowReading> {
    let label = row
        .cells
        .first()
        .map(|c| c.text.clone())
        .unwrap_or_default();
    let name = format!("row {} ({label:?}, in place of {status})", index + 1);
    if row.cells.len() < 3 {
        differences.push(Difference {
            line: row.line,
            column: 1,
            message: format!("{name} has {} cells, not 3", row.cells.len()),
        });
        return None;
    }
    if let Some(named) = status_name(
        &table.values,
        cell_items(&label).first().map_or("", String::as_str),
    ) {
        if named != status {
            differences.push(Difference {
                line: row.line,
                column: row.cells[0].column,
                message: format!(
                    "row {} names {named} where contract.yaml's row {} is {status}",
                    index + 1,
                    index + 1
                ),
            });
        }
    }
    differences.extend(compare_cell(
        &row.cells[1],
        row.line,
        ("allowed status", "allowed statuses"),
        &name,
        moves,
        |text| status_name(&table.values, text),
    ));
    differences.extend(compare_cell(
        &row.cells[2],
        row.line,
        ("allowed substatus", "allowed substatuses"),
        &name,
        pairs,
        |text| status_name(&table.subvalues, text),
    ));
    Some(RowReading {
        line: row.line,
        label,
        status: status.to_owned(),
        moves: cell_items(&row.cells[1].text).len(),
        substatuses: cell_items(&row.cells[2].text).len(),
    })
}

/// Reads `table` against the contract's `rule`.
pub fn compare(table: &Table, rule: &Transitions) -> Comparison {
    let expected: Vec<(String, &BTreeSet<String>)> = rule
        .sources()
        .into_iter()
        .filter_map(|status| rule.moves.get(&status).map(|to| (status, to)))
        .collect();
    let empty = BTreeSet::new();
    let mut differences = Vec::new();
    let mut rows = Vec::new();
    let header = &table.header;
    if header.cells.len() != 3 {
        differences.push(Difference {
            line: header.line,
            column: 1,
            message: format!(
                "the table has {} columns; contract.yaml's has 3 (status, allowed moves, allowed substatuses)",
                header.cells.len()
            ),
        });
    }
    if table.rows.len() != expected.len() {
        differences.push(Difference {
            line: header.line,
            column: 1,
            message: format!(
                "the table has {} rows; contract.yaml's has {} ({})",
                table.rows.len(),
                expected.len(),
                names(expected.iter().map(|(s, _)| s))
            ),
        });
    }
    for (index, (row, (status, moves))) in table.rows.iter().zip(&expected).enumerate() {
        let pairs = rule.pairs.get(status).unwrap_or(&empty);
        if let Some(reading) =
            compare_row(index, row, (status, rule), moves, pairs, &mut differences)
        {
            rows.push(reading);
        }
    }
    for (index, row) in table.rows.iter().enumerate().skip(expected.len()) {
        differences.push(Difference {
            line: row.line,
            column: 1,
            message: format!(
                "row {} ({:?}) has no row in its place in contract.yaml",
                index + 1,
                row.cells
                    .first()
                    .map(|c| c.text.as_str())
                    .unwrap_or_default()
            ),
        });
    }
    for (status, _) in expected.iter().skip(table.rows.len()) {
        differences.push(Difference {
            line: table.last_line(),
            column: 1,
            message: format!("contract.yaml's row {status} has no row in its place on the page"),
        });
    }
    Comparison { rows, differences }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::markdown;

    fn rule() -> Transitions {
        serde_saphyr::from_str::<Transitions>(
            "values: [None, New, Active, Closed]\n\
             moves: { New: [New, Active, Closed], Active: [Active, Closed], Closed: [Closed] }\n\
             pairs: { New: [Pending, Received], Active: [Accepted], Closed: [Won, Lost, Declined, Expired] }\n",
        )
        .unwrap()
        .completed()
    }

    fn table(rows: &str) -> Table {
        let text = format!("| a | b | c |\n|---|---|---|\n{rows}");
        markdown::parse(&text)
            .unwrap()
            .tables()
            .next()
            .unwrap()
            .clone()
    }

    const TURKISH: &str = "\
| Yeni    | Yeni, etkin, kapalı       | Bekliyor, alındı            |
| Etkin | Etkin, kapalı            | Kabul edildi                     |
| Kapatıldı | Kapatıldı                    | Kazanıldı, kaybedildi, reddedildi, zaman aşımına uğradı |
";

    #[test]
    fn a_translated_table_maps_back_to_the_contract_by_position() {
        // Act
        let comparison = compare(&table(TURKISH), &rule());

        // Assert
        assert_eq!(comparison.differences, vec![]);
        let mapped: Vec<(&str, &str, usize, usize)> = comparison
            .rows
            .iter()
            .map(|r| (r.label.as_str(), r.status.as_str(), r.moves, r.substatuses))
            .collect();
        assert_eq!(
            mapped,
            vec![
                ("Yeni", "New", 3, 2),
                ("Etkin", "Active", 2, 1),
                ("Kapatıldı", "Closed", 1, 4)
            ]
        );
    }

    #[test]
    fn a_translated_row_with_another_number_of_items_is_a_difference() {
        // Arrange: Active may also move back to New on this page.
        let rows = TURKISH.replace("| Etkin, kapalı ", "| Yeni, etkin, kapalı ");

        // Act
        let comparison = compare(&table(&rows), &rule());

        // Assert
        assert_eq!(comparison.differences.len(), 1, "{comparison:?}");
        let difference = &comparison.differences[0];
        assert_eq!(difference.line, 4);
        assert!(
            difference.message.contains("row 2")
                && difference
                    .message
                    .contains("3 allowed statuses on the page, 2 in contract.yaml"),
            "{}",
            difference.message
        );
    }

    #[test]
    fn english_cells_are_compared_by_name() {
        // Arrange: Closed is listed as Active's substatus by mistake.
        let rows = "| New | New, Active, Closed | Pending, Received |\n| Active | Active, Closed | Won |\n| Closed | Closed | Won, Lost, Declined, Expired |\n";

        // Act
        let comparison = compare(&table(rows), &rule());

        // Assert
        assert_eq!(comparison.differences.len(), 1);
        assert!(comparison.differences[0]
            .message
            .contains("the page allows Won, contract.yaml allows Accepted"));
    }

    #[test]
    fn a_missing_and_a_swapped_row_are_differences() {
        let rows = "| Active | Active, Closed | Accepted |\n| New | New, Active, Closed | Pending, Received |\n";
        let comparison = compare(&table(rows), &rule());
        let messages: Vec<&str> = comparison
            .differences
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert!(messages.iter().any(|m| m.contains("has 2 rows")));
        assert!(messages.iter().any(|m| m.contains("row 1 names Active")));
        assert!(messages
            .iter()
            .any(|m| m.contains("row Closed has no row in its place")));
    }
}
