//! The `--report FORMAT=PATH` flag: which format goes to which file, parsed once at the
//! edge into a [`ReportSpec`].

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use thiserror::Error;

/// The formats a run can be reported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// JUnit XML: a testcase per scenario, for CI systems.
    Junit,
    /// The run record itself, as JSON (schemas/reports/run-record.schema.json).
    Json,
    /// A summary for a pull request comment or a CI step summary.
    Markdown,
    /// One self-contained page for a person: findings, exchanges, snapshot diffs.
    Html,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 4] = [
        ReportFormat::Junit,
        ReportFormat::Json,
        ReportFormat::Markdown,
        ReportFormat::Html,
    ];

    /// The name used in `--report NAME=PATH`.
    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Junit => "junit",
            ReportFormat::Json => "json",
            ReportFormat::Markdown => "markdown",
            ReportFormat::Html => "html",
        }
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One `--report FORMAT=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpec {
    pub format: ReportFormat,
    pub path: PathBuf,
}

/// Why a `--report` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReportSpecError {
    #[error("{given:?}: expected FORMAT=PATH, FORMAT one of junit, json, markdown, html")]
    NoFormat { given: String },
    #[error(
        "{given:?}: unknown report format {format:?}; expected one of junit, json, markdown, html"
    )]
    UnknownFormat { given: String, format: String },
    #[error("{given:?}: the path after `=` is empty")]
    NoPath { given: String },
}

impl FromStr for ReportFormat {
    type Err = ReportSpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase();
        ReportFormat::ALL
            .into_iter()
            .find(|format| format.name() == wanted)
            .ok_or_else(|| ReportSpecError::UnknownFormat {
                given: text.to_owned(),
                format: text.to_owned(),
            })
    }
}

impl FromStr for ReportSpec {
    type Err = ReportSpecError;

    fn from_str(given: &str) -> Result<Self, Self::Err> {
        let Some((format, path)) = given.split_once('=') else {
            return Err(ReportSpecError::NoFormat {
                given: given.to_owned(),
            });
        };
        let format =
            format
                .parse::<ReportFormat>()
                .map_err(|_| ReportSpecError::UnknownFormat {
                    given: given.to_owned(),
                    format: format.to_owned(),
                })?;
        if path.trim().is_empty() {
            return Err(ReportSpecError::NoPath {
                given: given.to_owned(),
            });
        }
        Ok(Self {
            format,
            path: PathBuf::from(path),
        })
    }
}

impl fmt::Display for ReportSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.format, self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_parses_with_its_path() {
        for format in ReportFormat::ALL {
            let spec: ReportSpec = format!("{format}=out/report.{format}").parse().unwrap();
            assert_eq!(spec.format, format);
            assert_eq!(spec.path, PathBuf::from(format!("out/report.{format}")));
        }
    }

    #[test]
    fn a_repeated_report_flag_parses_through_clap() {
        #[derive(Debug, clap::Parser)]
        struct Flags {
            #[arg(long = "report", value_name = "FORMAT=PATH")]
            reports: Vec<ReportSpec>,
        }

        let flags = <Flags as clap::Parser>::try_parse_from([
            "vouch",
            "--report",
            "junit=out/junit.xml",
            "--report",
            "html=out/report.html",
        ])
        .unwrap();
        let refused = <Flags as clap::Parser>::try_parse_from(["vouch", "--report", "pdf=x.pdf"])
            .unwrap_err();

        assert_eq!(
            flags
                .reports
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["junit=out/junit.xml", "html=out/report.html"]
        );
        assert!(
            refused
                .to_string()
                .contains("unknown report format \"pdf\""),
            "{refused}"
        );
    }

    #[test]
    fn a_path_may_itself_hold_an_equals_sign() {
        let spec: ReportSpec = "json=out/a=b.json".parse().unwrap();
        assert_eq!(spec.path, PathBuf::from("out/a=b.json"));
    }

    #[test]
    fn an_unknown_format_is_named_in_the_error() {
        let error = "xml=out.xml".parse::<ReportSpec>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "\"xml=out.xml\": unknown report format \"xml\"; expected one of junit, json, markdown, html"
        );
    }

    #[test]
    fn a_value_without_format_or_path_is_refused() {
        assert!(matches!(
            "report.xml".parse::<ReportSpec>(),
            Err(ReportSpecError::NoFormat { .. })
        ));
        assert!(matches!(
            "junit=".parse::<ReportSpec>(),
            Err(ReportSpecError::NoPath { .. })
        ));
    }
}
