//! Snapshots: the response made canonical (keys sorted, one number form) with every value
//! a server assigns or chooses for itself redacted by contract.yaml's `snapshot` rules and
//! the secrets redacted, compared with `<scenario>__<step>.snap` (insta's file format, so
//! `cargo insta review` works on them). Each target keeps its own: the embedded double's
//! in `snapshots/` (CI gates on them), a live target's in `snapshots/<host-port>/`, where a
//! first run records them as new (`.snap.new`, for review) without failing and later runs
//! compare. `--snapshots update` writes them; CI never does (`CI=true` refuses `update`,
//! and writes no `.snap.new` either).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use crate::checks::{Check, CheckError, Context};
use crate::finding::Finding;
use crate::fixture::contract::SnapshotRules;
use crate::fixture::json_text::to_fixture_text;
use crate::outcome::SnapshotDiff;
use crate::report::Redactor;

/// What to do with snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnapshotMode {
    #[default]
    Check,
    Update,
    Off,
}

impl std::str::FromStr for SnapshotMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "check" => Ok(Self::Check),
            "update" => Ok(Self::Update),
            "off" => Ok(Self::Off),
            other => Err(format!(
                "--snapshots takes check, update or off, not {other:?}"
            )),
        }
    }
}

/// Where snapshots live and what to do with them.
#[derive(Debug, Clone)]
pub struct Snapshots {
    /// The embedded double's folder; a live target's is a sub-folder named for it.
    pub dir: PathBuf,
    pub mode: SnapshotMode,
    /// Refuse to write anything (CI): no `.snap.new` for review either.
    pub read_only: bool,
    /// The snapshots a run recorded as new (a live target's first run), for the console.
    pub recorded: Arc<Mutex<Vec<PathBuf>>>,
}

impl Snapshots {
    pub fn new(dir: PathBuf, mode: SnapshotMode) -> Self {
        Self {
            dir,
            mode,
            read_only: std::env::var("CI").is_ok_and(|v| v == "true" || v == "1"),
            recorded: Arc::default(),
        }
    }

    /// The folder of a target's snapshots: `dir` for the embedded double, `dir/<label>`
    /// for a live target.
    pub fn dir_for(&self, live: bool, base: &str) -> PathBuf {
        if live {
            self.dir.join(target_label(base))
        } else {
            self.dir.clone()
        }
    }

    /// The snapshots recorded as new so far.
    pub fn recorded(&self) -> Vec<PathBuf> {
        self.recorded.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// A live target's folder name: its host and port from the base URL, without scheme,
/// credentials or path, with anything but letters, digits, `.` and `-` as `-`.
pub fn target_label(base: &str) -> String {
    let rest = base.split_once("://").map_or(base, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let mut label = String::with_capacity(host.len());
    for c in host.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            label.push(c.to_ascii_lowercase());
        } else if !label.ends_with('-') {
            label.push('-');
        }
    }
    let label = label.trim_matches(['-', '.']).to_owned();
    if label.is_empty() {
        "target".to_owned()
    } else {
        label
    }
}

/// `<scenario>__<step>`, lower case, with anything but letters and digits as `-`.
pub fn snapshot_name(scenario: &str, step: &str) -> String {
    let slug = |text: &str| {
        let mut out = String::new();
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') {
                out.push('-');
            }
        }
        out.trim_matches('-').to_owned()
    };
    format!("{}__{}", slug(scenario), slug(step))
}

fn is_guid(bytes: &[u8]) -> bool {
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// An RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, any fraction, then `Z` or an offset.
fn is_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| range.into_iter().all(|i| b[i].is_ascii_digit());
    if b.len() < 20
        || !(digits(0..4)
            && digits(5..7)
            && digits(8..10)
            && digits(11..13)
            && digits(14..16)
            && digits(17..19))
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return false;
    }
    let mut rest = &b[19..];
    if let [b'.', fraction @ ..] = rest {
        let count = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if count == 0 {
            return false;
        }
        rest = &fraction[count..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// The canonical, redacted form of a response body: `volatile` members of the body (and
/// of each item of the contract's `items` array) become their placeholders, and so do
/// their values wherever else they occur (an id in a link, whatever its form); then keys
/// are sorted, numbers take one form, and strings lose GUIDs, times and the target's base
/// URL.
pub fn canonical(value: &Value, rules: &SnapshotRules, base: &str) -> Value {
    let mut value = value.clone();
    let mut scrub = Scrub {
        rules,
        base,
        known: Vec::new(),
    };
    scrub.volatile(&mut value);
    if let Some(items) = rules.items.as_ref() {
        if let Some(Value::Array(items)) = value.pointer_mut(items.as_str()) {
            for item in items {
                scrub.volatile(item);
            }
        }
    }
    scrub.tree(value)
}

/// The string with what the contract's `strings` rules name replaced, in one pass over it
/// (a response of megabytes costs milliseconds).
pub fn redact_text(text: &str, rules: &SnapshotRules, base: &str) -> String {
    Scrub {
        rules,
        base,
        known: Vec::new(),
    }
    .text(text)
}

/// What one body's redaction knows: the rules, the target, and the volatile values met.
struct Scrub<'r> {
    rules: &'r SnapshotRules,
    base: &'r str,
    /// Values of volatile members (value, placeholder), replaced in every other string.
    known: Vec<(String, String)>,
}

/// Shorter volatile values are not looked for in other strings (too likely by chance).
const SHORTEST_KNOWN: usize = 8;

impl Scrub<'_> {
    fn volatile(&mut self, resource: &mut Value) {
        for (pointer, placeholder) in &self.rules.volatile {
            if let Some(slot) = resource.pointer_mut(pointer.as_str()) {
                if let Value::String(text) = slot {
                    if text.len() >= SHORTEST_KNOWN
                        && !self.known.iter().any(|(known, _)| known == text)
                    {
                        self.known.push((text.clone(), placeholder.clone()));
                    }
                }
                if !slot.is_null() {
                    *slot = Value::String(placeholder.clone());
                }
            }
        }
        // Longest first, so a value that contains another is replaced whole.
        self.known
            .sort_by_key(|known| std::cmp::Reverse(known.0.len()));
    }

    fn tree(&self, value: Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(String, Value)> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                let mut sorted = Map::with_capacity(entries.len());
                for (key, v) in entries {
                    sorted.insert(key, self.tree(v));
                }
                Value::Object(sorted)
            }
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.tree(v)).collect()),
            Value::String(text) => Value::String(self.text(&text)),
            Value::Number(number) => Value::Number(canonical_number(number)),
            other => other,
        }
    }

    fn text(&self, text: &str) -> String {
        let strings = &self.rules.strings;
        if let Some(placeholder) = &strings.date_time {
            if is_time(text) {
                return placeholder.clone();
            }
        }
        let mut owned: Option<String> = None;
        if let Some(placeholder) = &strings.target {
            if !self.base.is_empty() && text.contains(self.base) {
                owned = Some(text.replace(self.base, placeholder));
            }
        }
        for (value, placeholder) in &self.known {
            let current = owned.as_deref().unwrap_or(text);
            if current.contains(value.as_str()) {
                owned = Some(current.replace(value.as_str(), placeholder));
            }
        }
        let text = owned.as_deref().unwrap_or(text);
        let Some(placeholder) = &strings.guid else {
            return text.to_owned();
        };
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let (mut copied, mut at) = (0, 0);
        while at + 36 <= bytes.len() {
            if is_guid(&bytes[at..at + 36]) {
                // A GUID is ASCII: `at` is a character boundary.
                out.push_str(&text[copied..at]);
                out.push_str(placeholder);
                at += 36;
                copied = at;
            } else {
                at += 1;
            }
        }
        out.push_str(&text[copied..]);
        out
    }
}

/// One form per number: a whole number written as a float (`1.0`, `1e2`) is written as
/// an integer.
fn canonical_number(number: serde_json::Number) -> serde_json::Number {
    // 2^53: beyond it an f64 no longer holds every whole number.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match number.as_f64() {
        Some(f) if !number.is_i64() && !number.is_u64() && f.fract() == 0.0 && f.abs() < EXACT => {
            #[allow(clippy::cast_possible_truncation)] // whole and within ±2^53: exact
            let whole = f as i64;
            serde_json::Number::from(whole)
        }
        _ => number,
    }
}

/// The snapshot text of a response: canonical, redacted, and with every secret of the run
/// (`redactor`) scrubbed, before it is written or compared.
pub fn snapshot_text(
    json: Option<&Value>,
    text: &str,
    rules: &SnapshotRules,
    base: &str,
    redactor: &Redactor,
) -> String {
    // Secrets out first, in the parsed strings (an escaped secret is judged decoded).
    match json {
        Some(body) => {
            let mut body = canonical(body, rules, base);
            redactor.json(&mut body);
            to_fixture_text(&body).trim_end().to_owned()
        }
        None => redactor.redact_str(text).trim_end().to_owned(),
    }
}

/// The contents of a snapshot file (after insta's header), if it exists.
pub fn read_snapshot(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(rest[end + 5..].trim_end().to_owned())
}

/// Writes a snapshot file in insta's format, all or nothing.
pub fn write_snapshot(path: &Path, expression: &str, contents: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let text = format!(
        "---\nsource: vouch run\nexpression: {expression:?}\n---\n{}\n",
        contents.trim_end()
    );
    crate::atomic::write(path, text.as_bytes())
}

pub(super) struct Snapshot;

impl Check for Snapshot {
    fn name(&self) -> &'static str {
        "snapshot"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        if !cx.step.expect.snapshot || cx.snapshots.mode == SnapshotMode::Off {
            return Ok(());
        }
        let name = snapshot_name(&cx.scenario.name, cx.label);
        let dir = cx.snapshots.dir_for(cx.live, cx.base);
        let path = dir.join(format!("{name}.snap"));
        let pending = dir.join(format!("{name}.snap.new"));
        let actual = snapshot_text(
            cx.observed.json,
            cx.observed.text,
            &cx.suite.contract.snapshot,
            cx.base,
            cx.redactor,
        );
        let expression = format!("{} / {}", cx.scenario.name, cx.label);
        let stored = read_snapshot(&path);
        // A live target's snapshots recorded but not yet reviewed are its baseline too.
        let expected = stored
            .clone()
            .or_else(|| cx.live.then(|| read_snapshot(&pending)).flatten());
        if expected.as_deref() == Some(actual.as_str()) {
            return Ok(());
        }
        let cannot_write = |source: std::io::Error, path: &Path| CheckError::SnapshotWrite {
            path: path.to_owned(),
            source,
        };
        if cx.snapshots.mode == SnapshotMode::Update {
            return write_snapshot(&path, &expression, &actual)
                .map_err(|error| cannot_write(error, &path));
        }
        let message = match (&expected, cx.live) {
            // A live target's first run: recorded for review, never a failure.
            (None, true) => {
                if !cx.snapshots.read_only {
                    write_snapshot(&pending, &expression, &actual)
                        .map_err(|error| cannot_write(error, &pending))?;
                    if let Ok(mut recorded) = cx.snapshots.recorded.lock() {
                        recorded.push(pending);
                    }
                }
                return Ok(());
            }
            (None, false) => format!(
                "no snapshot {} yet (run with --snapshots update and review it)",
                path.display()
            ),
            (Some(_), _) => {
                // The new form beside the stored one, for `cargo insta review`.
                if stored.is_some() && !cx.snapshots.read_only {
                    write_snapshot(&pending, &expression, &actual)
                        .map_err(|error| cannot_write(error, &pending))?;
                }
                let against = if stored.is_some() { &path } else { &pending };
                format!("the redacted response differs from {}", against.display())
            }
        };
        out.push(cx.finding("snapshot", None, message));
        if let Ok(mut slot) = cx.snapshot_diff.lock() {
            *slot = Some(SnapshotDiff {
                name,
                expected: expected.unwrap_or_default(),
                actual,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_join_scenario_and_step_slugs() {
        assert_eq!(
            snapshot_name("documented PUT closes a resource as Won", "put"),
            "documented-put-closes-a-resource-as-won__put"
        );
    }

    /// The bundled contract's snapshot rules.
    fn rules() -> SnapshotRules {
        let path = crate::profile::bundled_suite().join("contract.yaml");
        let text = std::fs::read_to_string(path).unwrap();
        let contract: crate::fixture::contract::Contract = serde_saphyr::from_str(&text).unwrap();
        contract.snapshot
    }

    #[test]
    fn volatile_values_are_redacted_by_the_contracts_rules() {
        let body = json!({
            "id": "4111fffc-f9ee-4d53-bba6-569135228642",
            "eTag": "\"2500ec5a-0000-0000-0000-5bf4967d0000\"",
            "organizationName": "vouch double",
            "createdDateTime": "2018-11-06T18:40:42.6178337Z",
            "links": {"self": {"uri": "http://127.0.0.1:4000/v1.0/items/4111fffc-f9ee-4d53-bba6-569135228642"}},
            "name": "Zoë"
        });
        let redacted = canonical(&body, &rules(), "http://127.0.0.1:4000");
        assert_eq!(
            redacted,
            json!({
                "id": "[id]",
                "eTag": "[etag]",
                "organizationName": "[organization-name]",
                "createdDateTime": "[time]",
                "links": {"self": {"uri": "[base]/v1.0/items/[id]"}},
                "name": "Zoë"
            })
        );
    }

    #[test]
    fn times_in_every_rfc_3339_form_are_redacted() {
        let rules = rules();
        for time in [
            "2018-11-06T18:40:42.6178337Z",
            "2018-11-06T18:40:42.617Z",
            "2018-11-06T18:40:42Z",
            "2018-11-06T18:40:42.617+00:00",
            "2018-11-06T18:40:42-07:00",
        ] {
            assert_eq!(redact_text(time, &rules, ""), "[time]", "{time}");
        }
        for other in [
            "2018-11-06",
            "2018-11-06T18:40:42",
            "2018-11-06T18:40:42.Z",
            "on 2018-11-06T18:40:42Z",
        ] {
            assert_eq!(redact_text(other, &rules, ""), other);
        }
    }

    #[test]
    fn an_id_of_any_form_is_redacted_wherever_it_occurs() {
        let body = json!({"id": "ref-000123", "links": {"self": {"uri": "https://h/v1.0/items/ref-000123"}}});
        assert_eq!(
            canonical(&body, &rules(), "https://h"),
            json!({"id": "[id]", "links": {"self": {"uri": "[base]/v1.0/items/[id]"}}})
        );
    }

    #[test]
    fn list_items_are_redacted_like_the_resource() {
        let body = json!({"value": [{"organizationName": "a"}, {"organizationName": "b"}], "@odata.nextLink": "https://x/?$skiptoken=2"});
        let redacted = canonical(&body, &rules(), "");
        assert_eq!(
            redacted,
            json!({"value": [{"organizationName": "[organization-name]"}, {"organizationName": "[organization-name]"}], "@odata.nextLink": "[next-link]"})
        );
    }

    #[test]
    fn canonical_text_sorts_keys_and_writes_one_number_form() {
        let one: Value = serde_json::from_str(r#"{"b": 1.0, "a": {"d": 2e2, "c": 0.5}}"#).unwrap();
        let other: Value = serde_json::from_str(r#"{"a": {"c": 0.5, "d": 200}, "b": 1}"#).unwrap();
        let none = Redactor::default();
        let text = |v: &Value| snapshot_text(Some(v), "", &rules(), "", &none);
        assert_eq!(text(&one), text(&other));
        assert_eq!(
            text(&one),
            "{\n  \"a\": {\n    \"c\": 0.5,\n    \"d\": 200\n  },\n  \"b\": 1\n}"
        );
    }

    #[test]
    fn secrets_are_scrubbed_from_snapshot_text() {
        let body = json!({"note": "token abc-secret-123 echoed"});
        let redactor = Redactor::new(std::iter::empty::<&str>(), ["abc-secret-123"]);
        let text = snapshot_text(Some(&body), "", &rules(), "", &redactor);
        assert!(!text.contains("abc-secret-123"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }

    #[test]
    fn a_string_of_megabytes_is_redacted_in_one_pass() {
        // 3 MB of text with a GUID every 100 bytes and a multi-byte character between.
        let guid = "4111fffc-f9ee-4d53-bba6-569135228642";
        let filler = "é".repeat(32);
        let unit = format!("{guid}{filler}"); // 36 + 64 bytes
        let text = unit.repeat(30_000);
        assert_eq!(text.len(), 3_000_000);
        let redacted = redact_text(&text, &rules(), "");
        assert_eq!(redacted, format!("[id]{filler}").repeat(30_000));
        // Near-GUIDs are kept as they are.
        let almost = "4111fffc-f9ee-4d53-bba6-56913522864 ".repeat(1000);
        assert_eq!(redact_text(&almost, &rules(), ""), almost);
    }

    #[test]
    fn a_live_target_is_labelled_by_host_and_port_without_credentials() {
        assert_eq!(target_label("http://127.0.0.1:4000"), "127.0.0.1-4000");
        assert_eq!(
            target_label("https://user:pa55@api.partner.microsoft.com/v1.0"),
            "api.partner.microsoft.com"
        );
        assert_eq!(target_label("https://[::1]:8443"), "1-8443");
    }

    #[test]
    fn snapshot_files_round_trip_in_insta_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a__b.snap");
        write_snapshot(&path, "a / b", "{\n  \"x\": 1\n}").unwrap();
        assert_eq!(read_snapshot(&path).as_deref(), Some("{\n  \"x\": 1\n}"));
    }
}
