//! The JSON report: the run record itself, pretty-printed, in the shape that
//! `schemas/reports/run-record.schema.json` describes (its version is the record's
//! `record_version`). [`read`] loads such a file back, for `vouch compare`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use thiserror::Error;

use super::{Render, ReportError};
use crate::outcome::{RunRecord, RECORD_VERSION};

/// The JSON report format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Render for Json {
    fn render(&self, record: &RunRecord, out: &mut impl Write) -> Result<(), ReportError> {
        serde_json::to_writer_pretty(&mut *out, record).map_err(ReportError::Json)?;
        out.write_all(b"\n")?;
        Ok(())
    }
}

/// Why a file could not be read as a run record.
#[derive(Debug, Error)]
pub enum RecordError {
    #[error("{}: cannot read the run record", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a vouch run record: {message}", path.display())]
    NotARecord { path: PathBuf, message: String },
    #[error(
        "{}: run record version {found}, but this vouch reads version {RECORD_VERSION}",
        path.display()
    )]
    Version { path: PathBuf, found: u64 },
}

/// Reads a JSON report back into a run record, checking its `record_version` first.
pub fn read(path: &Path) -> Result<RunRecord, RecordError> {
    let text = fs::read_to_string(path).map_err(|source| RecordError::Read {
        path: path.to_owned(),
        source,
    })?;
    let not_a_record = |message: String| RecordError::NotARecord {
        path: path.to_owned(),
        message,
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| not_a_record(e.to_string()))?;
    let found = value
        .get("record_version")
        .ok_or_else(|| not_a_record("it has no `record_version`".to_owned()))?
        .as_u64()
        .ok_or_else(|| not_a_record("`record_version` is not a whole number".to_owned()))?;
    if found != u64::from(RECORD_VERSION) {
        return Err(RecordError::Version {
            path: path.to_owned(),
            found,
        });
    }
    serde_json::from_value(value).map_err(|e| not_a_record(e.to_string()))
}
