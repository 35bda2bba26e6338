//! Reports: what a run record becomes for the people and machines that read it. Every
//! format reads the same [`RunRecord`] and renders it to any [`Write`] through one trait,
//! [`Render`]; one file per format (`junit`, `json`, `markdown`, `html`). Around them:
//! [`ReportSpec`] (the `--report FORMAT=PATH` flag), [`write`] (one report to its file),
//! [`Redactor`] (secrets out of a record before anything is written), [`progress`] (the
//! terminal progress bar) and [`compare`] (two runs side by side: regressions, or drift
//! between the double and a live service).

pub mod compare;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod progress;
mod redact;
mod shape;
mod spec;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::outcome::RunRecord;

pub use redact::{Redactor, ALWAYS_REDACTED, PIECE, REDACTED};
pub use shape::{Shape, ShapeDifference};
pub use spec::{ReportFormat, ReportSpec, ReportSpecError};

/// A report format: renders a whole run record to a writer.
pub trait Render {
    fn render(&self, record: &RunRecord, out: &mut impl Write) -> Result<(), ReportError>;
}

/// Why a report could not be written.
#[derive(Debug, Error)]
pub enum ReportError {
    #[error("{}: cannot create the report's folder", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: cannot write the {format} report", path.display())]
    WriteFile {
        path: PathBuf,
        format: ReportFormat,
        #[source]
        source: io::Error,
    },
    #[error("{}: cannot append the summary to GITHUB_STEP_SUMMARY", path.display())]
    StepSummary {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot serialise the JUnit report")]
    Junit(#[source] quick_junit::SerializeError),
    #[error("cannot serialise the run record")]
    Json(#[source] serde_json::Error),
    #[error("cannot write the report")]
    Io(#[from] io::Error),
}

/// What [`write_with`] takes from the environment, read once at the edge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Where the Markdown summary is appended too (`GITHUB_STEP_SUMMARY`).
    pub step_summary: Option<PathBuf>,
}

impl WriteOptions {
    /// The options the environment asks for: `GITHUB_STEP_SUMMARY`, when set and not empty.
    pub fn from_env() -> Self {
        Self {
            step_summary: std::env::var_os("GITHUB_STEP_SUMMARY")
                .filter(|value| !value.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// Writes one report to its path (creating the parent folders); a Markdown report is
/// appended to `$GITHUB_STEP_SUMMARY` too when that is set.
///
/// The record is redacted again on the way ([`Redactor::default`]: the credential
/// headers), so a caller that forgot to redact still leaks no `Authorization` header.
pub fn write(spec: &ReportSpec, record: &RunRecord) -> Result<(), ReportError> {
    write_with(spec, record, &WriteOptions::from_env())
}

/// [`write`] with the environment given explicitly.
pub fn write_with(
    spec: &ReportSpec,
    record: &RunRecord,
    options: &WriteOptions,
) -> Result<(), ReportError> {
    let record = Redactor::default().redacted(record);
    let mut text = Vec::new();
    spec.format.render(&record, &mut text)?;
    create_parent(&spec.path)?;
    crate::atomic::write(&spec.path, &text).map_err(|source| ReportError::WriteFile {
        path: spec.path.clone(),
        format: spec.format,
        source,
    })?;
    if spec.format == ReportFormat::Markdown {
        if let Some(summary) = &options.step_summary {
            append(summary, &text).map_err(|source| ReportError::StepSummary {
                path: summary.clone(),
                source,
            })?;
        }
    }
    Ok(())
}

fn create_parent(path: &Path) -> Result<(), ReportError> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            fs::create_dir_all(parent).map_err(|source| ReportError::CreateDir {
                path: parent.to_owned(),
                source,
            })
        }
        _ => Ok(()),
    }
}

fn append(path: &Path, text: &[u8]) -> io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text)?;
    if !text.ends_with(b"\n") {
        file.write_all(b"\n")?;
    }
    file.flush()
}

impl ReportFormat {
    /// Renders `record` in this format.
    pub fn render(self, record: &RunRecord, out: &mut impl Write) -> Result<(), ReportError> {
        match self {
            ReportFormat::Junit => junit::Junit.render(record, out),
            ReportFormat::Json => json::Json.render(record, out),
            ReportFormat::Markdown => markdown::Markdown.render(record, out),
            ReportFormat::Html => html::Html.render(record, out),
        }
    }
}

/// Milliseconds as a short human duration: `850 ms`, `1.24 s`, `2 min 5 s`.
pub(crate) fn human_duration(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        return "?".to_owned();
    }
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        let seconds = (ms / 1000.0).round();
        format!(
            "{:.0} min {:.0} s",
            (seconds / 60.0).floor(),
            seconds % 60.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_milliseconds_seconds_or_minutes() {
        assert_eq!(human_duration(12.4), "12 ms");
        assert_eq!(human_duration(1240.0), "1.24 s");
        assert_eq!(human_duration(125_000.0), "2 min 5 s");
        assert_eq!(human_duration(f64::NAN), "?");
    }
}
