//! `vouch import-doc` as a user runs it: the seed and its English, older English (no
//! anchors), Polish and Chinese copies reproduce the committed PUT fixtures byte for byte
//! and report the same doc defects at page and raw positions; `--check` passes on every
//! saved page and fails with exit 1 on a page that drifted; bad input stops with exit 2, a
//! clear message, and nothing written. Through the library, the defects of those pages are
//! positioned, ordered and rendered.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{files_in, root, stderr, stdout, vouch};
use vouch::fixture::json_text::Position;
use vouch::import::report::{self, DocDefect};
use vouch::import::{import_page, Import};

const SEED: &str = "tests/data/docs/partner-rest-pr.tr-tr/update-a-referral.md";
const ENGLISH: &str = "tests/data/docs/partner-rest-en/update-a-referral.md";
const ENGLISH_2019: &str = "tests/data/docs/partner-rest-en-2019/update-a-referral.md";
const POLISH: &str = "tests/data/docs/partner-rest-pr.pl-pl/update-a-referral.md";
const CHINESE: &str = "tests/data/docs/partner-rest.zh-cn/update-a-referral.md";

const PUT_FIXTURES: [&str; 4] = [
    "update-a-referral.request.raw",
    "update-a-referral.request.json",
    "update-a-referral.response.raw",
    "update-a-referral.response.json",
];

fn documented(name: &str) -> Vec<u8> {
    fs::read(root().join("fixtures/referrals/documented").join(name)).unwrap()
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

fn import_into(page: &str, out: &Path) -> Output {
    vouch(&["import-doc", page, "--out", path_arg(out)])
}

/// A scratch copy of a saved page, changed by `edit`, under the same file name.
fn edited_copy(page: &str, edit: impl Fn(String) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("update-a-referral.md");
    let text = fs::read_to_string(root().join(page)).unwrap();
    fs::write(&path, edit(text)).unwrap();
    (dir, path)
}

/// Asserts what every copy of the PUT page must give: the committed fixtures exactly, and
/// the three headline defects at their page and raw positions.
fn assert_reproduces_the_put_fixtures_and_defects(page: &str, request_fence: usize) {
    // Arrange
    let out = tempfile::tempdir().unwrap();

    // Act
    let output = import_into(page, out.path());

    // Assert
    let report = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{report}\n{}",
        stderr(&output)
    );
    assert_eq!(files_in(out.path()), {
        let mut names = PUT_FIXTURES.map(String::from).to_vec();
        names.sort();
        names
    });
    for name in PUT_FIXTURES {
        assert!(
            fs::read(out.path().join(name)).unwrap() == documented(name),
            "{name} from {page} is byte-identical to the committed fixture"
        );
    }
    let comma_line = request_fence + 110;
    let trailing_comma = report
        .lines()
        .find(|l| l.contains("[json-syntax, documented]"))
        .unwrap_or_default();
    assert!(
        trailing_comma.contains(&format!(
            "{page}:{comma_line}:55 (update-a-referral.request.raw:110:55)"
        )) && trailing_comma.contains("trailing comma")
            && trailing_comma.contains(&format!(
                "remove the trailing comma at page {comma_line}:55 (raw 110:55)"
            )),
        "the trailing comma is named at page and raw line and column:\n{report}"
    );
    assert!(
        report.lines().any(|l| l.contains("[response-id, assumed]")
            && l.contains("at /id")
            && l.contains("4111fffc-f9ee-4d53-bba6-569135228642")
            && l.contains("49d90c72-3326-4f61-aacc-2cb57970448c")),
        "the id mismatch between request and response is reported:\n{report}"
    );
    let engagments: Vec<&str> = report
        .lines()
        .filter(|l| l.contains("[link-path, documented]"))
        .collect();
    assert_eq!(engagments.len(), 2, "{report}");
    assert!(
        engagments
            .iter()
            .all(|l| l.contains("\"engagments\" should be \"engagements\"")),
        "{report}"
    );
    assert!(
        report.contains("8 doc defects (8 listed as known in contract.yaml, 0 new)"),
        "{report}"
    );
    assert!(
        report.contains("agrees with contract.yaml"),
        "the transition table is read by position and agrees:\n{report}"
    );
}

#[test]
fn the_turkish_seed_reproduces_the_put_fixtures_and_names_its_defects() {
    assert_reproduces_the_put_fixtures_and_defects(SEED, 82);
}

#[test]
fn the_english_original_gives_the_same_fixtures_and_defects() {
    assert_reproduces_the_put_fixtures_and_defects(ENGLISH, 73);
}

#[test]
fn the_2019_english_page_without_anchors_is_read_by_syntax_and_order() {
    assert_reproduces_the_put_fixtures_and_defects(ENGLISH_2019, 72);
    let report = stdout(&vouch(&["import-doc", ENGLISH_2019]));
    assert!(
        report.contains("no anchors: roles told by HTTP syntax and page order"),
        "{report}"
    );
    assert!(
        report.contains("update-a-referral.response: page lines 201-317; JSON only; role from page order; answers update-a-referral.request"),
        "{report}"
    );
    assert!(report.contains("(found by its wire names)"), "{report}");
}

#[test]
fn the_polish_translation_gives_the_same_fixtures_and_defects() {
    assert_reproduces_the_put_fixtures_and_defects(POLISH, 82);
}

#[test]
fn the_chinese_translation_gives_the_same_fixtures_and_defects() {
    assert_reproduces_the_put_fixtures_and_defects(CHINESE, 77);
    let report = stdout(&vouch(&["import-doc", CHINESE]));
    assert!(
        report.contains("\"新增\" = New: 3 moves, 2 substatuses"),
        "CJK list separators are read: {report}"
    );
}

#[test]
fn the_seed_report_shows_the_translated_table_mapped_by_position() {
    // Act
    let output = vouch(&["import-doc", SEED]);

    // Assert
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(report.contains("(tr-TR)"), "{report}");
    assert!(
        report.contains("(#status-and-substatus-transition-states), read by position"),
        "{report}"
    );
    for row in [
        "\"Yeni\" = New: 3 moves, 2 substatuses",
        "\"Etkin\" = Active: 2 moves, 1 substatus",
        "\"Kapatıldı\" = Closed: 1 move, 4 substatuses",
    ] {
        assert!(report.contains(row), "{row}\n{report}");
    }
    assert!(
        report.contains("note at page line 198 says to remove \"links\""),
        "{report}"
    );
    assert!(
        report.ends_with("nothing written (give --out DIR to write the fixtures)\n"),
        "{report}"
    );
}

#[test]
fn every_saved_english_page_reproduces_its_committed_fixtures() {
    for (page, expected) in [
        (
            "create-a-referral",
            &[
                "create-a-referral.request.json",
                "create-a-referral.request.raw",
                "create-a-referral.response.json",
                "create-a-referral.response.raw",
            ][..],
        ),
        (
            "get-a-referral-by-id",
            &[
                "get-a-referral-by-id.request.raw",
                "get-a-referral-by-id.response.json",
                "get-a-referral-by-id.response.raw",
            ][..],
        ),
        (
            "get-a-list-of-referrals",
            &[
                "get-a-list-of-referrals.request-1.raw",
                "get-a-list-of-referrals.request-2.raw",
                "get-a-list-of-referrals.request-3.raw",
                "get-a-list-of-referrals.request-4.raw",
                "get-a-list-of-referrals.response.json",
                "get-a-list-of-referrals.response.raw",
            ][..],
        ),
        (
            "patch-a-referral",
            &[
                "patch-a-referral.request-1.json",
                "patch-a-referral.request-1.raw",
                "patch-a-referral.request-2.json",
                "patch-a-referral.request-2.raw",
                "patch-a-referral.request-3.json",
                "patch-a-referral.request-3.raw",
                "patch-a-referral.request-4.json",
                "patch-a-referral.request-4.raw",
                "patch-a-referral.response-1.raw",
            ][..],
        ),
    ] {
        // Arrange
        let out = tempfile::tempdir().unwrap();
        let doc = format!("tests/data/docs/partner-rest-en/{page}.md");

        // Act
        let output = import_into(&doc, out.path());

        // Assert
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(files_in(out.path()), expected, "{page}");
        for name in expected {
            assert!(
                fs::read(out.path().join(name)).unwrap() == documented(name),
                "{name} is byte-identical to the committed fixture (indented blocks included)"
            );
        }
    }
}

#[test]
fn check_passes_on_every_saved_page_that_the_suite_holds() {
    for page in [
        SEED,
        ENGLISH,
        ENGLISH_2019,
        POLISH,
        CHINESE,
        "tests/data/docs/partner-rest-en/create-a-referral.md",
        "tests/data/docs/partner-rest-en/get-a-referral-by-id.md",
        "tests/data/docs/partner-rest-en/get-a-list-of-referrals.md",
        "tests/data/docs/partner-rest-en/patch-a-referral.md",
    ] {
        // Act
        let output = vouch(&["import-doc", page, "--check"]);

        // Assert
        let report = stdout(&output);
        assert_eq!(output.status.code(), Some(0), "{page}:\n{report}");
        assert!(
            report.contains("check: the page agrees with the suite"),
            "{report}"
        );
    }
}

#[test]
fn check_fails_with_exit_1_when_the_page_changed_an_example() {
    // Arrange: the page now closes the referral as Lost.
    let (_dir, page) = edited_copy(SEED, |text| {
        text.replacen("\"substatus\": \"Won\"", "\"substatus\": \"Lost\"", 1)
    });

    // Act
    let output = vouch(&["import-doc", path_arg(&page), "--check"]);

    // Assert
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.lines().any(|l| l.starts_with("DRIFT")
            && l.contains("update-a-referral.request.raw: raw line 13 (page line 95) differs")
            && l.contains("Lost")),
        "{report}"
    );
    assert!(
        report.lines().any(|l| l.starts_with("DRIFT")
            && l.contains("update-a-referral.request.json")
            && l.contains("at /substatus")),
        "{report}"
    );
}

#[test]
fn a_translated_table_row_with_another_number_of_items_is_a_defect_and_a_drift() {
    // Arrange: the Turkish "Etkin" row now allows three moves.
    let (_dir, page) = edited_copy(SEED, |text| {
        text.replacen(
            "| Etkin | Etkin, kapalı ",
            "| Etkin | Yeni, etkin, kapalı ",
            1,
        )
    });

    // Act
    let report_only = vouch(&["import-doc", path_arg(&page)]);
    let checked = vouch(&["import-doc", path_arg(&page), "--check"]);

    // Assert
    let report = stdout(&report_only);
    assert_eq!(report_only.status.code(), Some(0), "{report}");
    assert!(
        report.lines().any(|l| l.starts_with("new")
            && l.contains("update-a-referral.md:77:")
            && l.contains("row 2 (\"Etkin\", in place of Active): 3 allowed statuses on the page, 2 in contract.yaml")
            && l.contains("[transition-table, documented]")),
        "{report}"
    );
    assert_eq!(checked.status.code(), Some(1), "{}", stdout(&checked));
    assert!(stdout(&checked).contains("DRIFT"), "{}", stdout(&checked));
}

#[test]
fn a_request_body_with_members_the_page_says_to_remove_is_a_defect() {
    // Arrange: the PUT body now carries links.
    let (_dir, page) = edited_copy(SEED, |text| {
        text.replacen(
            "    \"eTag\": \"\\\"2500ec5a-0000-0000-0000-5bf4967d0000\\\"\",\n\n}",
            "    \"eTag\": \"\\\"2500ec5a-0000-0000-0000-5bf4967d0000\\\"\",\n    \"links\": {}\n}",
            1,
        )
    });

    // Act
    let output = vouch(&["import-doc", path_arg(&page)]);

    // Assert
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        report.lines().any(|l| l.contains(
            "update-a-referral.md:193:14 (update-a-referral.request.raw:111:14) at /links"
        ) && l.contains("says to remove")
            && l.contains("[remove-before-send, documented]")),
        "{report}"
    );
    assert!(
        !report.contains("forbids this field"),
        "the schema's ban on links is not reported twice: {report}"
    );
}

#[test]
fn unknown_fields_enum_values_and_a_wrong_target_are_defects() {
    // Arrange: a field no schema knows, a status outside the contract, a typo in the target.
    let (_dir, page) = edited_copy(SEED, |text| {
        text.replacen(
            "    \"status\": \"Closed\",",
            "    \"status\": \"Kapalı\",\n    \"colour\": \"red\",",
            1,
        )
        .replacen(
            "PUT https://api.partner.microsoft.com/v1.0/engagements/",
            "PUT https://api.partner.microsoft.com/v1.0/engagments/",
            1,
        )
    });

    // Act
    let output = vouch(&["import-doc", path_arg(&page)]);

    // Assert
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        report.lines().any(|l| l.starts_with("new")
            && l.contains("at /colour")
            && l.contains("field \"colour\" is not in schema put")),
        "{report}"
    );
    assert!(
        report.lines().any(|l| l.starts_with("new")
            && l.contains("at /status")
            && l.contains("value not in the contract")
            && l.contains("Kapalı")),
        "{report}"
    );
    assert!(
        report.lines().any(|l| l
            .contains("update-a-referral.md:83:5 (update-a-referral.request.raw:1:5)")
            && l.contains(
                "path segment 2 is \"engagments\" where the request syntax has \"engagements\""
            )
            && l.contains("[request-path, documented]")),
        "{report}"
    );
}

/// Runs `import-doc` on `bytes` with `--out` into an empty folder: exit 2, a message that
/// contains `expected`, and nothing written.
fn assert_refused(name: &str, bytes: &[u8], expected: &str) {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join(name);
    fs::write(&page, bytes).unwrap();
    let out = tempfile::tempdir().unwrap();

    // Act
    let output = import_into(path_arg(&page), out.path());

    // Assert
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}\n{}", stdout(&output));
    assert!(err.contains(expected), "{expected:?} in: {err}");
    assert!(
        err.lines().count() <= 2 && err.matches(expected).count() == 1,
        "a short message, said once, not a dump: {err}"
    );
    assert!(
        files_in(out.path()).is_empty(),
        "nothing written for {name}"
    );
    assert!(stdout(&output).is_empty(), "no report for {name}");
}

#[test]
fn a_file_that_is_not_markdown_is_refused() {
    assert_refused(
        "notes.md",
        b"just a line of text\nand another, with no heading and no code\n",
        "does not look like a Markdown page",
    );
}

#[test]
fn a_page_with_no_examples_is_refused() {
    let text =
        fs::read(root().join("tests/data/docs/partner-rest-en/referral-resources.md")).unwrap();
    assert_refused(
        "referral-resources.md",
        &text,
        "no request or response examples",
    );
}

#[test]
fn a_binary_file_is_refused() {
    assert_refused(
        "image.md",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "a binary file (NUL byte at offset 8)",
    );
}

#[test]
fn a_file_that_is_not_utf8_is_refused() {
    assert_refused(
        "latin1.md",
        b"# G\xfcncelle\n",
        "not UTF-8 text (invalid byte at offset 3)",
    );
}

#[test]
fn a_huge_file_is_refused() {
    let mut text = b"# Huge\n\n".to_vec();
    text.resize(5 * 1024 * 1024 + 1, b'a');
    assert_refused("huge.md", &text, "is more than vouch reads from a page");
}

#[test]
fn an_unterminated_code_fence_is_refused_with_its_line() {
    let text = fs::read_to_string(root().join(SEED)).unwrap();
    let cut: String = text.lines().take(150).collect::<Vec<_>>().join("\n");
    assert_refused(
        "update-a-referral.md",
        cut.as_bytes(),
        "update-a-referral.md:82: the code fence \"```http\" is never closed",
    );
}

#[test]
fn a_missing_page_is_refused() {
    let output = vouch(&["import-doc", "no/such/page.md"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no/such/page.md: file not found"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_out_folder_that_does_not_exist_writes_nothing() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");

    // Act
    let output = import_into(SEED, &missing);

    // Assert
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the --out folder does not exist"),
        "{}",
        stderr(&output)
    );
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn out_and_check_together_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = vouch(&["import-doc", SEED, "--check", "--out", path_arg(dir.path())]);
    assert_eq!(output.status.code(), Some(2));
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn help_explains_the_flags_and_exit_codes() {
    // Act
    let output = vouch(&["import-doc", "--help"]);

    // Assert
    let help = stdout(&output);
    assert_eq!(output.status.code(), Some(0));
    for words in [
        "--out <DIR>",
        "--check",
        "--suite <SUITE_DIR>",
        "Exit codes",
        "doc drift",
        "Nothing is written",
    ] {
        assert!(help.contains(words), "{words:?} in:\n{help}");
    }
}

#[test]
fn re_importing_the_seed_into_the_suite_rewrites_the_same_files_and_lint_stays_clean() {
    // Arrange
    let scratch = common::ScratchSuite::new();
    let documented_dir = scratch.suite().join("documented");
    let before = files_in(&documented_dir);

    // Act
    let output = vouch(&[
        "import-doc",
        SEED,
        "--suite",
        path_arg(&scratch.suite()),
        "--out",
        path_arg(&documented_dir),
    ]);
    let lint = scratch.lint();

    // Assert
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("wrote 4 files to"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        files_in(&documented_dir),
        before,
        "no file added, none left behind"
    );
    for name in PUT_FIXTURES {
        assert!(fs::read(documented_dir.join(name)).unwrap() == documented(name));
    }
    assert_eq!(lint.status.code(), Some(0), "{}", stdout(&lint));
}

/// The import of a saved page, held to the bundled suite, as the library gives it.
fn import(page: &str) -> Import {
    let suite = common::suite();
    import_page(&root().join(page), &suite).unwrap()
}

#[test]
fn the_seed_trailing_comma_is_positioned_on_the_page_and_in_the_raw_file() {
    // Act
    let import = import(SEED);

    // Assert
    let comma = import
        .defects
        .iter()
        .find(|d| d.rule == "json-syntax")
        .unwrap();
    assert_eq!(comma.example.as_deref(), Some("update-a-referral.request"));
    assert_eq!(
        comma.page,
        Some(Position {
            line: 192,
            column: 55
        })
    );
    assert_eq!(
        comma.raw,
        Some(Position {
            line: 110,
            column: 55
        })
    );
    assert_eq!(comma.known.as_ref().and_then(|k| k.defect), Some(1));
}

#[test]
fn defects_are_sorted_by_page_position() {
    let import = import(ENGLISH);
    let lines: Vec<usize> = import
        .defects
        .iter()
        .filter_map(|d| d.page.map(|p| p.line))
        .collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
}

#[test]
fn a_json_labelled_fragment_is_a_page_defect_not_an_example() {
    // Act
    let import = import("tests/data/docs/partner-rest-en/create-a-referral.md");

    // Assert
    let fragments: Vec<&DocDefect> = import
        .defects
        .iter()
        .filter(|d| d.rule == "json-syntax" && d.example.is_none())
        .collect();
    assert_eq!(fragments.len(), 2);
    assert_eq!(fragments[0].page.map(|p| p.line), Some(327));
    assert!(fragments[0].known.is_none());
}

#[test]
fn a_defect_line_names_page_and_raw_places_pointer_rule_and_basis() {
    // Arrange
    let import = import(CHINESE);
    let mut out = Vec::new();

    // Act
    report::render(&import, &mut out).unwrap();

    // Assert: the first response-id defect's line, and the known defect under it.
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| {
            (l.starts_with("known ") || l.starts_with("new ")) && l.contains("[response-id, ")
        })
        .unwrap();
    let first = lines[at];
    assert!(first.starts_with("known   "), "{first}");
    assert!(
        first.contains("update-a-referral.md:207:11 (update-a-referral.response.raw:2:11) at /id: PUT 49d90c72-3326-4f61-aacc-2cb57970448c answered with"),
        "{first}"
    );
    assert!(first.ends_with("[response-id, assumed]"), "{first}");
    assert!(lines[at + 1].contains("doc defect 2"), "{text}");
}
