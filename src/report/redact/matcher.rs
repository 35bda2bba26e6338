//! Finding secrets in a text in one pass: every secret, and every piece of it at least
//! [`PIECE`] bytes long (a response that echoes a token cut short, or a preview that cut
//! it, must not leak what is left). A secret longer than [`PIECE`] is searched for as
//! all of its [`PIECE`]-byte windows, with one Aho-Corasick automaton over the windows of
//! every secret: a piece of length `n ≥ PIECE` holds `n - PIECE + 1` windows, whose
//! matches together cover it. The search is linear in the text (all windows have the same
//! length, so at most one distinct window ends at each position).

use aho_corasick::{AhoCorasick, MatchKind};

/// The shortest piece of a secret that is redacted on its own.
pub const PIECE: usize = 20;

/// The automaton over the secrets' windows.
pub(super) struct Matcher {
    automaton: Option<AhoCorasick>,
    /// The secrets, longest first (for a secret cut at the end of a truncated text).
    secrets: Vec<String>,
}

impl Matcher {
    /// A matcher for `secrets` (non-empty, deduplicated by the caller).
    pub(super) fn new(secrets: Vec<String>) -> Self {
        let mut windows: Vec<&[u8]> = Vec::new();
        for secret in &secrets {
            let bytes = secret.as_bytes();
            if bytes.len() <= PIECE {
                windows.push(bytes);
            } else {
                windows.extend(bytes.windows(PIECE));
            }
        }
        windows.sort_unstable();
        windows.dedup();
        let automaton = if windows.is_empty() {
            None
        } else {
            // Overlapping search needs the standard match semantics. A build failure
            // (pattern set too large) leaves no automaton: it is reported by `len`.
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&windows)
                .ok()
        };
        Self { automaton, secrets }
    }

    /// How many secrets the matcher knows.
    pub(super) fn len(&self) -> usize {
        self.secrets.len()
    }

    pub(super) fn secrets(&self) -> &[String] {
        &self.secrets
    }

    /// Adds the span of every window match in `haystack` to `spans`.
    pub(super) fn find(&self, haystack: &[u8], spans: &mut Vec<(usize, usize)>) {
        if let Some(automaton) = &self.automaton {
            spans.extend(
                automaton
                    .find_overlapping_iter(haystack)
                    .map(|m| (m.start(), m.end())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(matcher: &Matcher, text: &str) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        matcher.find(text.as_bytes(), &mut spans);
        spans.sort_unstable();
        // Merge, as the redactor does.
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (start, end) in spans {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
    }

    const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ2b3VjaCJ9.c2lnbmF0dXJl";

    #[test]
    fn a_whole_secret_is_covered() {
        let matcher = Matcher::new(vec![TOKEN.to_owned()]);
        let text = format!("x {TOKEN} y");
        assert_eq!(covered(&matcher, &text), [(2, 2 + TOKEN.len())]);
    }

    #[test]
    fn every_piece_of_twenty_bytes_is_covered_and_shorter_ones_are_not() {
        let matcher = Matcher::new(vec![TOKEN.to_owned()]);
        let middle = &TOKEN[17..17 + PIECE];
        assert_eq!(covered(&matcher, middle), [(0, PIECE)]);
        let prefix = &TOKEN[..58];
        assert_eq!(covered(&matcher, &format!("a{prefix}")), [(1, 59)]);
        assert!(covered(&matcher, &TOKEN[..PIECE - 1]).is_empty());
    }

    #[test]
    fn a_short_secret_is_matched_whole() {
        let matcher = Matcher::new(vec!["hunter2".to_owned()]);
        assert_eq!(covered(&matcher, "pw hunter2!"), [(3, 10)]);
        assert!(covered(&matcher, "hunter").is_empty());
    }

    #[test]
    fn no_secret_matches_nothing() {
        let matcher = Matcher::new(Vec::new());
        assert!(covered(&matcher, "anything").is_empty());
        assert_eq!(matcher.len(), 0);
    }
}
