//! Redaction: secrets never leave vouch. A [`Redactor`] knows the header names whose values
//! are credentials (always `Authorization`, `Cookie`, `Set-Cookie`, `Proxy-Authorization`,
//! plus every `--redact-header`) and the secret values themselves (the bearer token), and
//! scrubs a whole run record: those headers' values, and every occurrence of a secret in
//! any text of the record (bodies, URLs, messages, snapshots, reasons).

use std::fmt;

use crate::finding::Finding;
use crate::outcome::{Exchange, RunRecord, ScenarioOutcome, SnapshotDiff, StepOutcome, TRUNCATED};

/// What a redacted value reads as.
pub const REDACTED: &str = "[redacted]";

/// Headers whose values are always redacted, whatever the flags say.
pub const ALWAYS_REDACTED: [&str; 4] = [
    "Authorization",
    "Cookie",
    "Set-Cookie",
    "Proxy-Authorization",
];

/// The shortest tail of a truncated text that is redacted when it is the start of a secret
/// (the secret was cut by the truncation: its first characters must not leak either).
const SHORTEST_CUT_SECRET: usize = 4;

/// Scrubs credentials out of run records. Its `Debug` shows how many secrets it holds,
/// never the secrets.
#[derive(Clone)]
pub struct Redactor {
    /// Lower-case header names.
    headers: Vec<String>,
    /// Non-empty secret values, longest first (so a secret containing another goes first).
    secrets: Vec<String>,
}

impl Default for Redactor {
    /// Redacts the [`ALWAYS_REDACTED`] headers, and knows no secret value.
    fn default() -> Self {
        Self::new(std::iter::empty::<&str>(), std::iter::empty::<String>())
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("headers", &self.headers)
            .field("secrets", &format_args!("{} hidden", self.secrets.len()))
            .finish()
    }
}

impl Redactor {
    /// A redactor for the [`ALWAYS_REDACTED`] headers plus `headers` (names compared
    /// without regard to case), and for every occurrence of each of `secrets` (empty
    /// values are ignored).
    pub fn new<H, S>(
        headers: impl IntoIterator<Item = H>,
        secrets: impl IntoIterator<Item = S>,
    ) -> Self
    where
        H: AsRef<str>,
        S: Into<String>,
    {
        let mut names: Vec<String> = ALWAYS_REDACTED
            .iter()
            .map(|name| name.to_ascii_lowercase())
            .chain(
                headers
                    .into_iter()
                    .map(|name| name.as_ref().trim().to_ascii_lowercase()),
            )
            .filter(|name| !name.is_empty())
            .collect();
        names.sort();
        names.dedup();
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .map(Into::into)
            .filter(|secret| !secret.is_empty())
            .collect();
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Self {
            headers: names,
            secrets,
        }
    }

    /// Whether the value of header `name` is always redacted.
    pub fn hides_header(&self, name: &str) -> bool {
        let name = name.trim().to_ascii_lowercase();
        self.headers.contains(&name)
    }

    /// Redacts `record` in place.
    pub fn redact(&self, record: &mut RunRecord) {
        self.text(&mut record.suite);
        self.text(&mut record.target.url);
        for scenario in &mut record.scenarios {
            self.scenario(scenario);
        }
    }

    /// A redacted copy of `record`.
    pub fn redacted(&self, record: &RunRecord) -> RunRecord {
        let mut copy = record.clone();
        self.redact(&mut copy);
        copy
    }

    /// Redacts one header list in place: hidden names get [`REDACTED`], other values lose
    /// their secrets.
    pub fn headers(&self, headers: &mut [(String, String)]) {
        for (name, value) in headers {
            if self.hides_header(name) {
                REDACTED.clone_into(value);
            } else {
                self.text(value);
            }
        }
    }

    /// Replaces every secret in `text` with [`REDACTED`]; a text cut by truncation also
    /// loses a secret's start just before the marker.
    pub fn text(&self, text: &mut String) {
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                *text = text.replace(secret.as_str(), REDACTED);
            }
        }
        if let Some(kept) = text.strip_suffix(TRUNCATED) {
            if let Some(cut) = self.cut_secret(kept) {
                *text = format!("{}{REDACTED}{TRUNCATED}", &kept[..cut]);
            }
        }
    }

    /// Where a secret's first characters begin at the very end of `text`, if they do.
    fn cut_secret(&self, text: &str) -> Option<usize> {
        self.secrets
            .iter()
            .filter_map(|secret| {
                (SHORTEST_CUT_SECRET.min(secret.len())..secret.len())
                    .rev()
                    .filter(|&len| secret.is_char_boundary(len))
                    .find(|&len| text.ends_with(&secret[..len]))
                    .map(|len| text.len() - len)
            })
            .min()
    }

    fn optional(&self, text: Option<&mut String>) {
        if let Some(text) = text {
            self.text(text);
        }
    }

    fn scenario(&self, scenario: &mut ScenarioOutcome) {
        self.text(&mut scenario.name);
        self.text(&mut scenario.file);
        self.optional(scenario.doc.as_mut());
        self.optional(scenario.reason.as_mut());
        for tag in &mut scenario.tags {
            self.text(tag);
        }
        for step in &mut scenario.steps {
            self.step(step);
        }
    }

    fn step(&self, step: &mut StepOutcome) {
        self.text(&mut step.name);
        if let Some(exchange) = &mut step.exchange {
            self.exchange(exchange);
        }
        for finding in &mut step.findings {
            self.finding(finding);
        }
        if let Some(snapshot) = &mut step.snapshot {
            self.snapshot(snapshot);
        }
    }

    fn exchange(&self, exchange: &mut Exchange) {
        let request = &mut exchange.request;
        self.text(&mut request.url);
        self.headers(&mut request.headers);
        self.optional(request.body.as_mut());
        if let Some(response) = &mut exchange.response {
            self.headers(&mut response.headers);
            self.optional(response.body.as_mut());
        }
    }

    fn finding(&self, finding: &mut Finding) {
        self.text(&mut finding.rule);
        self.text(&mut finding.message);
        self.optional(finding.location.step.as_mut());
        self.optional(finding.location.pointer.as_mut());
        let file = finding.location.file.to_string_lossy();
        if self
            .secrets
            .iter()
            .any(|secret| file.contains(secret.as_str()))
        {
            let mut file = file.into_owned();
            self.text(&mut file);
            finding.location.file = file.into();
        }
    }

    fn snapshot(&self, snapshot: &mut SnapshotDiff) {
        self.text(&mut snapshot.name);
        self.text(&mut snapshot.expected);
        self.text(&mut snapshot.actual);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor() -> Redactor {
        Redactor::new(["X-Api-Key"], ["s3cr3t-token"])
    }

    #[test]
    fn credential_headers_are_redacted_whatever_their_case() {
        let mut headers = vec![
            ("authorization".to_owned(), "Bearer s3cr3t-token".to_owned()),
            ("COOKIE".to_owned(), "session=1".to_owned()),
            ("x-api-key".to_owned(), "k".to_owned()),
            ("If-Match".to_owned(), "\"1\"".to_owned()),
        ];

        redactor().headers(&mut headers);

        let values: Vec<&str> = headers.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(values, [REDACTED, REDACTED, REDACTED, "\"1\""]);
    }

    #[test]
    fn a_secret_is_redacted_wherever_it_occurs_in_a_text() {
        let mut text = "token=s3cr3t-token&again=s3cr3t-token".to_owned();

        redactor().text(&mut text);

        assert_eq!(text, "token=[redacted]&again=[redacted]");
    }

    #[test]
    fn a_secret_cut_by_truncation_loses_its_start_too() {
        let mut text = format!("{{\"token\":\"s3cr3t-to{TRUNCATED}");

        redactor().text(&mut text);

        assert_eq!(text, format!("{{\"token\":\"{REDACTED}{TRUNCATED}"));
    }

    #[test]
    fn an_empty_secret_redacts_nothing() {
        let mut text = "plain".to_owned();

        Redactor::new(["X"], [""]).text(&mut text);

        assert_eq!(text, "plain");
    }

    #[test]
    fn debug_output_never_shows_a_secret() {
        let shown = format!("{:?}", redactor());

        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("1 hidden"), "{shown}");
    }
}
