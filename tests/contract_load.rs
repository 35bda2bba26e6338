//! A contract that lacks something the engine needs, or names what does not exist, is
//! refused when the suite loads: `vouch run`, `lint` and `selftest` exit 2 and name
//! `contract.yaml:LINE` (or the scenario file and line), before anything runs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{stderr, vouch, ScratchSuite};

const CONTRACT: &str = "fixtures/referrals/contract.yaml";

/// The 1-based line of the first line of `text` that `matches`.
fn line_of(text: &str, matches: impl Fn(&str) -> bool) -> usize {
    text.lines()
        .position(matches)
        .map(|i| i + 1)
        .expect("the line is in the text")
}

/// A scratch suite whose contract is the bundled one changed by `change`.
fn changed(change: impl Fn(&str) -> String) -> (ScratchSuite, String) {
    let scratch = ScratchSuite::new();
    let text = change(&scratch.read(CONTRACT));
    assert_ne!(text, scratch.read(CONTRACT), "the change changes something");
    scratch.write(CONTRACT, &text);
    (scratch, text)
}

fn run_on(scratch: &ScratchSuite, command: &str) -> (Option<i32>, String) {
    let suite = scratch.suite();
    let output = vouch(&[command, suite.to_str().expect("a UTF-8 path")]);
    (output.status.code(), stderr(&output))
}

/// The line `contract.yaml:N` names in `err`.
fn named_line(err: &str) -> usize {
    let after = err
        .split("contract.yaml:")
        .nth(1)
        .unwrap_or_else(|| panic!("names contract.yaml: {err}"));
    after
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("a line after contract.yaml: {err}"))
}

#[test]
fn a_contract_without_the_etag_pointer_exits_2_naming_a_line_of_its_etag_section() {
    // Arrange
    let (scratch, text) = changed(|t| t.replacen("  pointer: /eTag\n", "", 1));
    let section = line_of(&text, |l| l == "etag:");
    let next = text
        .lines()
        .enumerate()
        .skip(section)
        .find(|(_, l)| !l.is_empty() && !l.starts_with([' ', '#']))
        .map(|(i, _)| i + 1)
        .expect("a section follows");

    // Act
    let (code, err) = run_on(&scratch, "run");

    // Assert
    assert_eq!(code, Some(2), "{err}");
    let line = named_line(&err);
    assert!(
        (section..next).contains(&line),
        "line {line} is in the etag section ({section}..{next}): {err}"
    );
    assert!(err.contains("pointer"), "the missing key is named: {err}");
}

#[test]
fn an_unknown_rule_id_in_a_known_defect_exits_2_with_its_line() {
    // Arrange
    let (scratch, text) =
        changed(|t| t.replacen("rule: etag-missing, reason", "rule: etag-missin, reason", 1));
    let line = line_of(&text, |l| l.contains("rule: etag-missin,"));

    // Act
    let (code, err) = run_on(&scratch, "lint");

    // Assert
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("contract.yaml:{line}:")),
        "line {line}: {err}"
    );
    assert!(err.contains("etag-missin"), "{err}");
}

#[test]
fn an_unknown_rule_id_in_a_written_scenario_exits_2_naming_the_file_and_step() {
    // Arrange: the second PATCH step names a misspelt rule.
    let scratch = ScratchSuite::new();
    let file = "fixtures/referrals/scenarios/patch-documented.yaml";
    let original = scratch.read(file);
    let step = line_of(&original, |l| l.contains("name: notes-without-if-match"));
    let at = original
        .find("name: notes-without-if-match")
        .expect("the step is there");
    let (head, tail) = original.split_at(at);
    let text = format!(
        "{head}{}",
        tail.replacen(
            "rule: prefer-representation",
            "rule: prefer-representaton",
            1
        )
    );
    assert_ne!(text, original);
    scratch.write(file, &text);

    // Act
    let (code, err) = run_on(&scratch, "run");

    // Assert
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("patch-documented.yaml:{step}:")),
        "the step's line {step}: {err}"
    );
    assert!(err.contains("prefer-representaton"), "{err}");
}

#[test]
fn an_operation_naming_a_schema_that_is_not_declared_exits_2_with_its_line() {
    // Arrange
    let (scratch, text) = changed(|t| t.replacen("    request: put\n", "    request: putt\n", 1));
    let line = line_of(&text, |l| l == "    request: putt");

    // Act
    let (code, err) = run_on(&scratch, "run");

    // Assert
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("contract.yaml:{line}:")),
        "line {line}: {err}"
    );
    assert!(err.contains("putt"), "{err}");
}

#[test]
fn a_write_with_if_match_and_no_stale_situation_exits_2_naming_its_if_match() {
    // Arrange: PUT requires If-Match; its 412 situation is gone.
    let (scratch, text) = changed(|t| {
        t.lines()
            .filter(|l| !l.starts_with("  stale_if_match:"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    let line = line_of(&text, |l| l == "    if_match: required");

    // Act
    let (code, err) = run_on(&scratch, "selftest");

    // Assert
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("contract.yaml:{line}:")),
        "line {line}: {err}"
    );
    assert!(err.contains("stale_if_match"), "{err}");
}

#[test]
fn a_write_with_if_match_and_no_etag_section_exits_2() {
    // Arrange: the whole etag: section removed.
    let (scratch, text) = changed(|t| {
        let start = t.find("\netag:\n").expect("an etag section") + 1;
        let end = start + t[start..].find("\n\n").expect("the section ends");
        format!("{}{}", &t[..start], &t[end..])
    });
    let line = line_of(&text, |l| l == "    if_match: required");

    // Act
    let (code, err) = run_on(&scratch, "lint");

    // Assert
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("contract.yaml:{line}:")),
        "line {line}: {err}"
    );
    assert!(err.contains("etag:"), "{err}");
}

#[test]
fn a_move_to_a_state_without_pairs_exits_2_naming_the_moves() {
    // Arrange: Active loses its sub-states but New may still move there.
    let (scratch, text) = changed(|t| t.replacen("Active: [Accepted], ", "", 1));
    let line = line_of(&text, |l| l.starts_with("  moves:"));

    // Act
    let (code, err) = run_on(&scratch, "run");

    // Assert
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("contract.yaml:{line}:")),
        "line {line}: {err}"
    );
    assert!(err.contains("Active"), "{err}");
}

#[test]
fn a_cleanup_state_outside_the_table_exits_2_with_its_line() {
    // Arrange
    let (scratch, text) = changed(|t| {
        t.replacen(
            "close_to: { status: Closed, substatus: Declined }",
            "close_to: { status: Closed, substatus: Accepted }",
            1,
        )
    });
    let line = line_of(&text, |l| {
        l.contains("close_to: { status: Closed, substatus: Accepted }")
    });

    // Act
    let (code, err) = run_on(&scratch, "lint");

    // Assert
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("contract.yaml:{line}:")),
        "line {line}: {err}"
    );
}

#[test]
fn the_bundled_contract_loads() {
    // Act
    let output = vouch(&["list"]);

    // Assert
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
