//! The decoded view of a text: what a reader of it would take it to say once its JSON
//! string escapes (`\u0074`, `\/`, `\"`, ...) and URL percent-escapes (`%2F`) are undone.
//! Secrets are matched in this view as well as in the raw text, and every byte of the
//! view knows the span of the raw text it came from, so a match redacts the escaped form
//! as written. Building the view is one pass over the text.

use std::borrow::Cow;

/// The decoded bytes of a text, each with the raw span it came from.
pub(super) struct View<'a> {
    bytes: Cow<'a, [u8]>,
    /// `spans[i]` is the raw span of `bytes[i]`; `None` when the view is the text itself.
    spans: Option<Vec<(u32, u32)>>,
}

fn hex(byte: u8) -> Option<u32> {
    char::from(byte).to_digit(16)
}

/// The code unit of `\uXXXX` at `at`, if `raw[at..]` starts with one.
fn unit(raw: &[u8], at: usize) -> Option<u32> {
    let digits = raw.get(at..at + 6)?;
    if digits[0] != b'\\' || digits[1] != b'u' {
        return None;
    }
    digits[2..]
        .iter()
        .try_fold(0u32, |acc, &d| hex(d).map(|v| acc * 16 + v))
}

/// The character a JSON `\u` escape at `at` stands for, and its raw length (6, or 12 for
/// a surrogate pair).
fn unicode_escape(raw: &[u8], at: usize) -> Option<(char, usize)> {
    let high = unit(raw, at)?;
    if (0xD800..0xDC00).contains(&high) {
        let low = unit(raw, at + 6).filter(|low| (0xDC00..0xE000).contains(low))?;
        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        return char::from_u32(code).map(|c| (c, 12));
    }
    char::from_u32(high).map(|c| (c, 6))
}

/// The byte a simple JSON escape (`\n`, `\/`, ...) stands for.
fn simple_escape(byte: u8) -> Option<u8> {
    Some(match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        _ => return None,
    })
}

impl<'a> View<'a> {
    /// The view of `text` (no copy when it holds no escape at all).
    pub(super) fn new(text: &'a str) -> Self {
        let raw = text.as_bytes();
        if !raw.iter().any(|&b| b == b'\\' || b == b'%') {
            return Self {
                bytes: Cow::Borrowed(raw),
                spans: None,
            };
        }
        let mut bytes = Vec::with_capacity(raw.len());
        let mut spans = Vec::with_capacity(raw.len());
        let mut at = 0;
        while at < raw.len() {
            let byte = raw[at];
            let mut push = |decoded: &[u8], len: usize| {
                for &b in decoded {
                    bytes.push(b);
                    #[allow(clippy::cast_possible_truncation)]
                    spans.push((at as u32, (at + len) as u32));
                }
                len
            };
            let step = match byte {
                b'\\' => {
                    if let Some((c, len)) = unicode_escape(raw, at) {
                        let mut buffer = [0u8; 4];
                        push(c.encode_utf8(&mut buffer).as_bytes(), len)
                    } else if let Some(b) = raw.get(at + 1).copied().and_then(simple_escape) {
                        push(&[b], 2)
                    } else {
                        push(&[byte], 1)
                    }
                }
                b'%' => match (raw.get(at + 1).copied(), raw.get(at + 2).copied()) {
                    (Some(a), Some(b)) if hex(a).is_some() && hex(b).is_some() => {
                        let value = hex(a).unwrap_or(0) * 16 + hex(b).unwrap_or(0);
                        #[allow(clippy::cast_possible_truncation)]
                        push(&[value as u8], 3)
                    }
                    _ => push(&[byte], 1),
                },
                _ => push(&[byte], 1),
            };
            at += step;
        }
        Self {
            bytes: Cow::Owned(bytes),
            spans: Some(spans),
        }
    }

    /// Whether the view differs from the raw text.
    pub(super) fn is_decoded(&self) -> bool {
        self.spans.is_some()
    }

    /// The decoded bytes.
    pub(super) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The raw span of the view's bytes `start..end` (`start < end`).
    pub(super) fn raw_span(&self, start: usize, end: usize) -> (usize, usize) {
        match &self.spans {
            None => (start, end),
            Some(spans) => (spans[start].0 as usize, spans[end - 1].1 as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> String {
        String::from_utf8_lossy(View::new(text).bytes()).into_owned()
    }

    #[test]
    fn json_and_percent_escapes_are_undone() {
        assert_eq!(decoded(r#"\u0074ok\/en \"x\""#), "tok/en \"x\"");
        assert_eq!(decoded("a%2Fb%3d"), "a/b=");
        assert_eq!(decoded(r"\ud83d\ude00"), "😀");
    }

    #[test]
    fn what_is_not_an_escape_is_kept() {
        assert_eq!(decoded(r"\q %zz \u12 %4"), r"\q %zz \u12 %4");
        assert_eq!(decoded(r"\ud83d alone"), r"\ud83d alone");
    }

    #[test]
    fn every_decoded_byte_knows_its_raw_span() {
        let view = View::new(r"ab\u0063d");
        assert!(view.is_decoded());
        // "c" (view byte 2) came from the six bytes of \u0063.
        assert_eq!(view.raw_span(2, 3), (2, 8));
        assert_eq!(view.raw_span(1, 4), (1, 9));
    }

    #[test]
    fn a_text_without_escapes_is_its_own_view() {
        let view = View::new("plain");
        assert!(!view.is_decoded());
        assert_eq!(view.raw_span(1, 3), (1, 3));
    }
}
