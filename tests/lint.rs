//! `vouch lint` as a user runs it: the bundled suite passes with its known doc defects
//! listed, a broken fixture fails it with exit 1, and bad input stops it with exit 2 and a
//! message that names the file (and line, where there is one).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{stderr, stdout, vouch, ScratchSuite};

#[test]
fn the_bundled_suite_lints_clean_and_lists_the_seed_defects() {
    // Act
    let output = vouch(&["lint"]);

    // Assert
    let out = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{out}\nstderr:\n{}",
        stderr(&output)
    );
    let known: Vec<&str> = out.lines().filter(|l| l.starts_with("known")).collect();
    let seed_request = "fixtures/referrals/documented/update-a-referral.request.raw";
    assert!(
        known
            .iter()
            .any(|l| l.contains(&format!("{seed_request}:110:"))
                && l.contains("trailing comma")
                && l.contains("[json-syntax, documented]")),
        "the trailing comma after eTag is reported with its line:\n{out}"
    );
    assert!(
        known
            .iter()
            .any(|l| l.contains("update-a-referral.response.json")
                && l.contains("[response-id, assumed]")
                && l.contains("4111fffc-f9ee-4d53-bba6-569135228642")
                && l.contains("49d90c72-3326-4f61-aacc-2cb57970448c")),
        "the response describing another id is reported:\n{out}"
    );
    assert!(
        known
            .iter()
            .any(|l| l.contains("update-a-referral.response.json")
                && l.contains("\"engagments\" should be \"engagements\"")
                && l.contains("/links/self/uri")),
        "the engagments typo in the links is reported:\n{out}"
    );
    assert!(
        out.lines()
            .last()
            .is_some_and(|l| l.contains(" 0 findings")),
        "{out}"
    );
}

#[test]
fn a_documented_example_changed_to_break_its_schema_fails_with_exit_1() {
    // Arrange: an unknown status in the stored PUT response.
    let scratch = ScratchSuite::new();
    let file = "fixtures/referrals/documented/update-a-referral.response.json";
    let text = scratch
        .read(file)
        .replacen("\"status\": \"Closed\"", "\"status\": \"Open\"", 1);
    scratch.write(file, &text);

    // Act
    let output = scratch.lint();

    // Assert
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    let finding = out
        .lines()
        .find(|l| l.starts_with("FINDING") && l.contains("[schema, documented]"))
        .unwrap_or_default();
    let line = text
        .lines()
        .position(|l| l.contains("\"Open\""))
        .map(|i| i + 1)
        .unwrap();
    assert!(
        finding.contains(&format!("update-a-referral.response.json:{line}:")),
        "the finding names file and line {line}: {out}"
    );
    assert!(
        finding.contains("at /status") && finding.contains("\"Open\""),
        "{finding}"
    );
}

#[test]
fn a_fixed_doc_defect_is_reported_so_the_known_list_stays_true() {
    // Arrange: mend the trailing comma in the raw PUT example.
    let scratch = ScratchSuite::new();
    let file = "fixtures/referrals/documented/update-a-referral.request.raw";
    let text = scratch
        .read(file)
        .replacen("5bf4967d0000\\\"\",\n", "5bf4967d0000\\\"\"\n", 1);
    scratch.write(file, &text);

    // Act
    let output = scratch.lint();

    // Assert
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("[known-defect-seen, assumed]") && out.contains("no longer occurs"),
        "{out}"
    );
}

#[test]
fn a_contract_that_is_not_yaml_stops_with_exit_2_and_its_line() {
    // Arrange
    let scratch = ScratchSuite::new();
    scratch.write(
        "fixtures/referrals/contract.yaml",
        "api: [unclosed\nresource: {\n",
    );

    // Act
    let output = scratch.lint();

    // Assert
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("contract.yaml:"), "names the file: {err}");
    assert!(
        err.lines().count() <= 3,
        "a short message, not a dump: {err}"
    );
}

#[test]
fn an_unknown_key_in_the_contract_stops_with_exit_2_naming_key_and_line() {
    // Arrange
    let scratch = ScratchSuite::new();
    let text = scratch.read("fixtures/referrals/contract.yaml").replacen(
        "schema_dir:",
        "schema_folder: x\nschema_dir:",
        1,
    );
    scratch.write("fixtures/referrals/contract.yaml", &text);
    let line = text
        .lines()
        .position(|l| l.starts_with("schema_folder"))
        .map(|i| i + 1)
        .unwrap_or_default();

    // Act
    let output = scratch.lint();

    // Assert
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("contract.yaml:{line}:")),
        "line {line} named: {err}"
    );
    assert!(err.contains("schema_folder"), "the key is named: {err}");
}

#[test]
fn a_missing_schema_file_stops_with_exit_2_naming_it() {
    // Arrange
    let scratch = ScratchSuite::new();
    std::fs::remove_file(scratch.path("schemas/referral-put.schema.json")).unwrap();

    // Act
    let output = scratch.lint();

    // Assert
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("referral-put.schema.json") && err.contains("missing"),
        "{err}"
    );
}

#[test]
fn a_schema_that_does_not_compile_stops_with_exit_2_naming_it() {
    // Arrange: a type that JSON Schema does not have.
    let scratch = ScratchSuite::new();
    let file = "schemas/referral-list.schema.json";
    let text = scratch
        .read(file)
        .replacen("\"type\": \"object\"", "\"type\": \"dictionary\"", 1);
    scratch.write(file, &text);

    // Act
    let output = scratch.lint();

    // Assert
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("referral-list.schema.json"), "{err}");
}

#[test]
fn a_schema_that_is_not_json_stops_with_exit_2_and_its_line() {
    // Arrange
    let scratch = ScratchSuite::new();
    scratch.write(
        "schemas/error.schema.json",
        "{\n  \"type\": \"object\",\n}\n",
    );

    // Act
    let output = scratch.lint();

    // Assert
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("error.schema.json:3:"), "{err}");
}

#[test]
fn a_missing_documented_example_stops_with_exit_2_naming_it() {
    // Arrange
    let scratch = ScratchSuite::new();
    std::fs::remove_file(
        scratch.path("fixtures/referrals/documented/create-a-referral.response.raw"),
    )
    .unwrap();

    // Act
    let output = scratch.lint();

    // Assert
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("create-a-referral.response.raw: file is missing"),
        "{err}"
    );
}

#[test]
fn an_empty_suite_folder_stops_with_exit_2() {
    // Arrange
    let empty = tempfile::tempdir().unwrap();

    // Act
    let output = vouch(&["lint", empty.path().to_str().unwrap()]);

    // Assert
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("not a vouch suite"), "{err}");
}

#[test]
fn a_suite_folder_that_does_not_exist_stops_with_exit_2() {
    let output = vouch(&["lint", "no/such/suite"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no/such/suite: suite folder does not exist"));
}

#[test]
fn a_binary_contract_stops_with_exit_2() {
    // Arrange
    let scratch = ScratchSuite::new();
    std::fs::write(
        scratch.path("fixtures/referrals/contract.yaml"),
        [0xff, 0xfe, 0x00, 0x9f],
    )
    .unwrap();

    // Act
    let output = scratch.lint();

    // Assert
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("contract.yaml: not UTF-8 text"), "{err}");
}

#[test]
fn an_unknown_flag_is_exit_2_and_help_is_exit_0() {
    assert_eq!(vouch(&["lint", "--frobnicate"]).status.code(), Some(2));
    let help = vouch(&["lint", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(
        stdout(&help).contains("Known doc defects"),
        "{}",
        stdout(&help)
    );
}
