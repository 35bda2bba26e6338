//! Helpers shared by the integration tests: the bundled suite loaded once per call, run
//! the `vouch` binary, start `vouch serve` ([`served::Served`]), and copy the bundled suite
//! (with its reviewed snapshots, when asked) into a scratch folder so a test can break it
//! or record into it without touching the repository.

#![allow(dead_code, unreachable_pub, clippy::expect_used, clippy::unwrap_used)]

pub mod record;
pub mod served;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use serde_json::Value;
use vouch::Suite;

/// The repository root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The faults that do not apply to the bundled contract (it has no DELETE, compares tags
/// strongly, and takes a PATCH without If-Match), in catalogue order.
pub const INAPPLICABLE_TO_BUNDLED: [&str; 4] = [
    "delete-ignores-if-match",
    "delete-leaves-item",
    "weak-if-match-refused",
    "patch-without-if-match-accepted",
];

/// The bundled suite (`fixtures/referrals`), loaded.
pub fn suite() -> Suite {
    Suite::load(&root().join("fixtures/referrals")).expect("the bundled suite loads")
}

/// The bundled suite, shared (what the runner and the selftest take).
pub fn shared_suite() -> Arc<Suite> {
    Arc::new(suite())
}

/// The parsed JSON of the documented example `name` of `suite`.
pub fn documented(suite: &Suite, name: &str) -> Value {
    suite
        .example(name)
        .and_then(|e| e.json.clone())
        .expect("the example has a body")
}

/// Runs `vouch` with `args` in `dir`.
pub fn vouch_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the vouch binary runs")
}

/// Runs `vouch` with `args` from the repository root.
pub fn vouch(args: &[&str]) -> Output {
    vouch_in(&root(), args)
}

/// Runs `vouch` with `args` in a scratch copy of the suite and its reviewed snapshots, so
/// whatever a live run records (its first run writes `.snap.new` files) stays out of the
/// repository.
pub fn vouch_isolated(args: &[&str]) -> Output {
    let scratch = ScratchSuite::with_snapshots();
    vouch_in(scratch.dir.path(), args)
}

/// The names of the entries of `dir`, sorted.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read the folder")
        .map(|e| {
            e.expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the copy's folder");
    for entry in fs::read_dir(from).expect("read the folder to copy") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// A scratch copy of the bundled suite (fixtures/referrals and schemas/, same layout).
pub struct ScratchSuite {
    pub dir: tempfile::TempDir,
}

impl ScratchSuite {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a scratch folder");
        copy_dir(
            &root().join("fixtures/referrals"),
            &dir.path().join("fixtures/referrals"),
        );
        copy_dir(&root().join("schemas"), &dir.path().join("schemas"));
        Self { dir }
    }

    /// A scratch copy with the reviewed snapshots beside it (`snapshots/`), so a run with
    /// snapshots on records into the copy, never into the repository.
    pub fn with_snapshots() -> Self {
        let scratch = Self::new();
        copy_dir(&root().join("snapshots"), &scratch.path("snapshots"));
        scratch
    }

    /// The suite folder inside the copy.
    pub fn suite(&self) -> PathBuf {
        self.dir.path().join("fixtures/referrals")
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path(relative)).expect("read a scratch file")
    }

    pub fn write(&self, relative: &str, text: &str) {
        fs::write(self.path(relative), text).expect("write a scratch file");
    }

    /// Runs `vouch lint` on the copy.
    pub fn lint(&self) -> Output {
        let suite = self.suite();
        vouch(&["lint", suite.to_str().expect("a UTF-8 path")])
    }
}
