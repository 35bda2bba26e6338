//! Snapshots: the response body with ids, eTags, times and the target's address redacted,
//! compared with `snapshots/<scenario>__<step>.snap` (the file format insta reads, so
//! `cargo insta review` works on them too). `--snapshots update` writes them; CI never
//! does (`check` is the default, and `CI=true` refuses `update`).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::checks::{Check, Context};
use crate::finding::Finding;
use crate::fixture::json_text::to_fixture_text;
use crate::outcome::SnapshotDiff;

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
    pub dir: PathBuf,
    pub mode: SnapshotMode,
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

fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && text.ends_with('Z')
}

/// Redacts volatile values: ids, eTags, times, the target's base URL, and GUIDs inside
/// strings.
pub fn redact(value: &Value, base: &str) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, v)| {
                    let redacted = match (key.as_str(), v) {
                        ("eTag", Value::String(_)) => Value::String("[etag]".into()),
                        ("externalReferenceId", Value::String(_)) => {
                            Value::String("[external-reference]".into())
                        }
                        _ => redact(v, base),
                    };
                    (key.clone(), redacted)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| redact(v, base)).collect()),
        Value::String(text) => Value::String(redact_text(text, base)),
        other => other.clone(),
    }
}

fn redact_text(text: &str, base: &str) -> String {
    if is_time(text) {
        return "[time]".into();
    }
    let mut text = if base.is_empty() {
        text.to_owned()
    } else {
        text.replace(base, "[base]")
    };
    // GUIDs anywhere in the string.
    let mut out = String::with_capacity(text.len());
    while !text.is_empty() {
        if text.len() >= 36 && text.is_char_boundary(36) && is_guid(&text[..36]) {
            out.push_str("[id]");
            text = text[36..].to_owned();
        } else {
            let c = text.chars().next().unwrap_or_default();
            out.push(c);
            text = text[c.len_utf8()..].to_owned();
        }
    }
    out
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

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        if !cx.step.expect.snapshot || cx.snapshots.mode == SnapshotMode::Off {
            return;
        }
        let name = snapshot_name(&cx.scenario.name, cx.label);
        let path = cx.snapshots.dir.join(format!("{name}.snap"));
        // Secrets out first (in the parsed strings: an escaped secret is judged decoded).
        let actual = match cx.observed.json {
            Some(body) => {
                let mut body = redact(body, cx.base);
                cx.redactor.json(&mut body);
                to_fixture_text(&body).trim_end().to_owned()
            }
            None => cx
                .redactor
                .redact_str(cx.observed.text)
                .trim_end()
                .to_owned(),
        };
        let expected = read_snapshot(&path);
        if expected.as_deref() == Some(actual.as_str()) {
            return;
        }
        if cx.snapshots.mode == SnapshotMode::Update {
            if let Err(error) = write_snapshot(
                &path,
                &format!("{} / {}", cx.scenario.name, cx.label),
                &actual,
            ) {
                out.push(cx.finding(
                    "snapshot",
                    None,
                    format!("cannot write {}: {error}", path.display()),
                ));
            }
            return;
        }
        let message = match &expected {
            None => format!(
                "no snapshot {} yet (run with --snapshots update and review it)",
                path.display()
            ),
            Some(_) => format!("the redacted response differs from {}", path.display()),
        };
        out.push(cx.finding("snapshot", None, message));
        if let Ok(mut slot) = cx.snapshot_diff.lock() {
            *slot = Some(SnapshotDiff {
                name,
                expected: expected.unwrap_or_default(),
                actual,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_join_scenario_and_step_slugs() {
        assert_eq!(
            snapshot_name("documented PUT closes a referral as Won", "put"),
            "documented-put-closes-a-referral-as-won__put"
        );
    }

    #[test]
    fn volatile_values_are_redacted() {
        let body = json!({
            "id": "4111fffc-f9ee-4d53-bba6-569135228642",
            "eTag": "\"2500ec5a-0000-0000-0000-5bf4967d0000\"",
            "createdDateTime": "2018-11-06T18:40:42.6178337Z",
            "links": {"self": {"uri": "http://127.0.0.1:4000/v1.0/engagements/referrals/4111fffc-f9ee-4d53-bba6-569135228642"}},
            "name": "Zoë"
        });
        let redacted = redact(&body, "http://127.0.0.1:4000");
        assert_eq!(
            redacted,
            json!({
                "id": "[id]",
                "eTag": "[etag]",
                "createdDateTime": "[time]",
                "links": {"self": {"uri": "[base]/v1.0/engagements/referrals/[id]"}},
                "name": "Zoë"
            })
        );
    }

    #[test]
    fn snapshot_files_round_trip_in_insta_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a__b.snap");
        write_snapshot(&path, "a / b", "{\n  \"x\": 1\n}").unwrap();
        assert_eq!(read_snapshot(&path).as_deref(), Some("{\n  \"x\": 1\n}"));
    }
}
