//! A `vouch serve` process for a test or a bench: started with its flags, its address
//! read from the line it prints, stopped when dropped. Self-contained, so a bench can
//! include this file alone (`#[path]`).

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)] // test support: a failed unwrap fails the test

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A `vouch serve` process, stopped when dropped.
pub struct Served {
    child: Child,
    pub url: String,
}

impl Served {
    /// `vouch serve ARGS`, once it listens.
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vouch"))
            .arg("serve")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("vouch double listening on ")
            .unwrap()
            .to_owned();
        Self { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
