//! Redaction: secrets never leave vouch. A [`Redactor`] is the one layer every byte passes
//! through on its way out (console, reports, snapshots, step summaries, error messages).
//! It knows the header names whose values are credentials (always `Authorization`,
//! `Cookie`, `Set-Cookie`, `Proxy-Authorization`, plus every `--redact-header`) and the
//! secret values themselves (the bearer token, the values of those headers), and it
//! replaces with [`REDACTED`]:
//!
//! - every secret and every piece of one at least [`PIECE`] bytes long, in the raw text
//!   and in its decoded view (JSON `\u0074` and `\/` escapes, URL `%2F` escapes undone:
//!   `decode`), found in one linear pass (`matcher`);
//! - what looks like a credential without being known (`pattern`): `Bearer` and `Basic`
//!   credentials, URL passwords, credential query parameters.
//!
//! Text is redacted before anything cuts it (previews, the record's body cap), so a cut
//! never leaves a secret's start whole; a text that ends in the truncation marker also
//! loses a secret's start (down to 4 bytes) just before it. Redaction runs on every
//! string of a parsed JSON value too ([`Redactor::json`]), so a body pretty-printed from
//! its parsed form shows no decoded secret.

mod decode;
mod matcher;
mod pattern;

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::finding::Finding;
use crate::outcome::{Exchange, RunRecord, ScenarioOutcome, SnapshotDiff, StepOutcome, TRUNCATED};

use decode::View;
use matcher::Matcher;
pub use matcher::PIECE;

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

/// A hidden header's value shorter than this is not searched for elsewhere (it would
/// redact ordinary words); the header itself is still redacted.
const SHORTEST_LEARNED_SECRET: usize = 8;

/// Scrubs credentials out of texts and run records. Its `Debug` shows how many secrets it
/// holds, never the secrets. Cloning it is cheap.
#[derive(Clone)]
pub struct Redactor {
    /// Lower-case header names.
    headers: Arc<[String]>,
    matcher: Arc<Matcher>,
}

impl Default for Redactor {
    /// Redacts the [`ALWAYS_REDACTED`] headers and what looks like a credential, and knows
    /// no secret value.
    fn default() -> Self {
        Self::new(std::iter::empty::<&str>(), std::iter::empty::<String>())
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("headers", &self.headers)
            .field("secrets", &format_args!("{} hidden", self.matcher.len()))
            .finish()
    }
}

fn secret_list<S: Into<String>>(secrets: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut secrets: Vec<String> = secrets
        .into_iter()
        .map(Into::into)
        .filter(|secret| !secret.is_empty() && secret != REDACTED)
        .collect();
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    secrets.dedup();
    secrets
}

/// Sorts and merges overlapping or touching spans.
fn merge(spans: &mut Vec<(usize, usize)>) {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for &(start, end) in spans.iter() {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    *spans = merged;
}

impl Redactor {
    /// A redactor for the [`ALWAYS_REDACTED`] headers plus `headers` (names compared
    /// without regard to case), and for every occurrence of each of `secrets` (empty
    /// values are ignored) and of every piece of one at least [`PIECE`] bytes long.
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
        Self {
            headers: names.into(),
            matcher: Arc::new(Matcher::new(secret_list(secrets))),
        }
    }

    /// This redactor, also knowing the values of the hidden headers among `headers`
    /// (a cookie the target set, a `--redact-header` value a scenario sent), so that the
    /// same value elsewhere (echoed in a body) is redacted too. Returns a clone when
    /// there is nothing new to learn.
    #[must_use]
    pub fn learning<'h>(&self, headers: impl IntoIterator<Item = &'h (String, String)>) -> Self {
        let mut learned: Vec<String> = Vec::new();
        for (name, value) in headers {
            if !self.hides_header(name) {
                continue;
            }
            let value = value.trim();
            // `Bearer TOKEN`, `Basic CREDENTIAL`: the credential is the secret.
            let value = value
                .split_once(' ')
                .filter(|(scheme, _)| {
                    scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("basic")
                })
                .map_or(value, |(_, credential)| credential.trim());
            if value.len() >= SHORTEST_LEARNED_SECRET
                && !self.matcher.secrets().iter().any(|s| s == value)
            {
                learned.push(value.to_owned());
            }
        }
        if learned.is_empty() {
            return self.clone();
        }
        let secrets = self.matcher.secrets().iter().cloned().chain(learned);
        Self {
            headers: Arc::clone(&self.headers),
            matcher: Arc::new(Matcher::new(secret_list(secrets))),
        }
    }

    /// Whether the value of header `name` is always redacted.
    pub fn hides_header(&self, name: &str) -> bool {
        let name = name.trim();
        self.headers
            .iter()
            .any(|hidden| hidden.eq_ignore_ascii_case(name))
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

    /// Every string of `value` (keys too) redacted in place.
    pub fn json(&self, value: &mut Value) {
        match value {
            Value::String(text) => self.text(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.json(item)),
            Value::Object(map) => {
                let needs_new_keys = map
                    .keys()
                    .any(|key| matches!(self.redact_str(key), Cow::Owned(_)));
                if needs_new_keys {
                    let old = std::mem::take(map);
                    for (key, mut item) in old {
                        self.json(&mut item);
                        map.insert(self.redact_str(&key).into_owned(), item);
                    }
                } else {
                    map.values_mut().for_each(|item| self.json(item));
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// Replaces every secret in `text` with [`REDACTED`]; a text cut by truncation also
    /// loses a secret's start just before the marker.
    pub fn text(&self, text: &mut String) {
        if let Cow::Owned(redacted) = self.redact_str(text) {
            *text = redacted;
        }
    }

    /// `text` with every secret replaced by [`REDACTED`] (borrowed when none was found).
    pub fn redact_str<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut spans = Vec::new();
        self.matcher.find(text.as_bytes(), &mut spans);
        let view = View::new(text);
        let mut in_view = Vec::new();
        pattern::find(view.bytes(), &mut in_view);
        if view.is_decoded() {
            self.matcher.find(view.bytes(), &mut in_view);
        }
        spans.extend(
            in_view
                .into_iter()
                .map(|(start, end)| view.raw_span(start, end)),
        );
        if let Some(kept) = text.strip_suffix(TRUNCATED) {
            if let Some(cut) = self.cut_secret(kept) {
                spans.push((cut, kept.len()));
            }
        }
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        // Whole characters only.
        for span in &mut spans {
            while span.0 > 0 && !text.is_char_boundary(span.0) {
                span.0 -= 1;
            }
            while span.1 < text.len() && !text.is_char_boundary(span.1) {
                span.1 += 1;
            }
        }
        merge(&mut spans);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in spans {
            out.push_str(&text[at..start]);
            out.push_str(REDACTED);
            at = end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// Where a secret's first characters begin at the very end of `text`, if they do.
    fn cut_secret(&self, text: &str) -> Option<usize> {
        self.matcher
            .secrets()
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
        if let Cow::Owned(file) = self.redact_str(&file) {
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

    const JWT: &str =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ2b3VjaCJ9.c2lnbmF0dXJlLWxvbmc";

    fn jwt() -> Redactor {
        Redactor::new(std::iter::empty::<&str>(), [JWT])
    }

    #[test]
    fn a_json_escaped_secret_is_redacted_as_written() {
        let escaped: String = JWT
            .chars()
            .map(|c| format!("\\u{:04x}", u32::from(c)))
            .collect::<Vec<_>>()
            .concat();
        let text = format!("{{\"echo\":\"{escaped}\",\"slash\":\"a\\/b\"}}");

        let redacted = jwt().redact_str(&text).into_owned();

        assert_eq!(redacted, "{\"echo\":\"[redacted]\",\"slash\":\"a\\/b\"}");
        let parsed: Value = serde_json::from_str(&redacted).unwrap();
        assert_eq!(parsed["echo"], REDACTED);
    }

    #[test]
    fn any_piece_of_twenty_bytes_of_a_secret_is_redacted() {
        let text = format!("invalid token: {}", &JWT[..58]);
        assert_eq!(jwt().redact_str(&text), "invalid token: [redacted]");
        let middle = format!("x{}y", &JWT[10..10 + PIECE]);
        assert_eq!(jwt().redact_str(&middle), "x[redacted]y");
        let short = &JWT[..PIECE - 1];
        assert_eq!(jwt().redact_str(short), short);
    }

    #[test]
    fn a_percent_encoded_secret_in_a_url_query_is_redacted() {
        let secret = "abc+def/ghi=jkl+mno/pqr=stu";
        let url = "https://h/next?t=abc%2Bdef%2Fghi%3Djkl%2Bmno%2Fpqr%3Dstu&x=1";
        let redacted = Redactor::new(std::iter::empty::<&str>(), [secret]).redact_str(url);
        assert_eq!(redacted, "https://h/next?t=[redacted]&x=1");
    }

    #[test]
    fn credentials_vouch_was_not_told_about_are_redacted_by_their_shape() {
        let text = "Bearer abc.def-123456 and http://me:pw12345@host/";
        assert_eq!(
            Redactor::default().redact_str(text),
            "Bearer [redacted] and http://me:[redacted]@host/"
        );
    }

    #[test]
    fn every_string_of_a_json_value_is_redacted_keys_too() {
        let mut value = serde_json::json!({"a": [JWT], JWT: {"b": format!("x{JWT}")}});

        jwt().json(&mut value);

        assert_eq!(
            value,
            serde_json::json!({"a": [REDACTED], REDACTED: {"b": "x[redacted]"}})
        );
    }

    #[test]
    fn a_hidden_headers_value_is_learned_and_redacted_elsewhere() {
        let headers = vec![(
            "Set-Cookie".to_owned(),
            "session=0123456789abcdef".to_owned(),
        )];

        let learned = Redactor::default().learning(&headers);

        assert_eq!(
            learned.redact_str("echo session=0123456789abcdef"),
            "echo [redacted]"
        );
    }

    #[test]
    fn a_multi_megabyte_text_of_near_misses_keeps_all_but_the_secret() {
        // Every window of the text almost matches (the figure: `cargo bench --bench redact`).
        let text = format!("{}{JWT}", JWT[..PIECE - 1].repeat(200_000));

        let redacted = jwt().redact_str(&text);

        assert_eq!(redacted.len(), text.len() - JWT.len() + REDACTED.len());
        assert!(redacted.ends_with(REDACTED));
    }
}
