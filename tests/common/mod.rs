//! Helpers shared by the integration tests: run the `vouch` binary, and copy the bundled
//! suite into a scratch folder so a test can break it without touching the repository.

#![allow(dead_code, unreachable_pub, clippy::expect_used, clippy::unwrap_used)]

pub mod record;
pub mod served;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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

fn copy_dir(from: &Path, to: &Path) {
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
