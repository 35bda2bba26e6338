//! Entity tags (RFC 9110 §8.8.3) and the `If-Match` precondition (§13.1.1).
//!
//! An API such as Partner Center puts the entity tag in the body's `eTag` field already quoted
//! (`"\"2500ec5a-…\""`), so the body form and the header form are the same text.

use std::fmt;

/// An entity tag: an opaque string, strong or weak (`W/` prefix).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ETag {
    weak: bool,
    opaque: String,
}

/// Why a text is not an entity tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ETagError {
    #[error("an entity tag is a quoted string such as \"abc\" or W/\"abc\", got {0:?}")]
    NotQuoted(String),
    #[error("an entity tag may not contain {character:?} (in {text:?})")]
    BadCharacter { text: String, character: char },
    #[error(
        "an If-Match header is `*` or a comma-separated list of entity tags, got an empty value"
    )]
    Empty,
}

impl ETag {
    /// A strong tag with the given opaque value (without quotes).
    pub fn strong(opaque: impl Into<String>) -> Result<Self, ETagError> {
        Self::new(false, opaque.into())
    }

    /// A weak tag with the given opaque value (without quotes).
    pub fn weak(opaque: impl Into<String>) -> Result<Self, ETagError> {
        Self::new(true, opaque.into())
    }

    fn new(weak: bool, opaque: String) -> Result<Self, ETagError> {
        // etagc = %x21 / %x23-7E / obs-text: no space, no DEL, no controls, no quote.
        if let Some(character) = opaque
            .chars()
            .find(|c| *c == '"' || c.is_ascii_control() || *c == ' ')
        {
            return Err(ETagError::BadCharacter {
                text: opaque,
                character,
            });
        }
        Ok(Self { weak, opaque })
    }

    /// Parses the quoted form, as found in an `ETag` header or the body's `eTag` field.
    pub fn parse(text: &str) -> Result<Self, ETagError> {
        let trimmed = text.trim();
        let (weak, rest) = match trimmed.strip_prefix("W/") {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let opaque = rest
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .filter(|_| rest.len() >= 2)
            .ok_or_else(|| ETagError::NotQuoted(text.to_owned()))?;
        Self::new(weak, opaque.to_owned())
    }

    pub fn is_weak(&self) -> bool {
        self.weak
    }

    /// The opaque value, without quotes or weakness prefix.
    pub fn opaque(&self) -> &str {
        &self.opaque
    }

    /// Strong comparison: both strong and the same opaque value (RFC 9110 §8.8.3.2).
    pub fn strong_eq(&self, other: &ETag) -> bool {
        !self.weak && !other.weak && self.opaque == other.opaque
    }

    /// Weak comparison: the same opaque value, weakness ignored.
    pub fn weak_eq(&self, other: &ETag) -> bool {
        self.opaque == other.opaque
    }
}

impl fmt::Display for ETag {
    /// The quoted form: the header value and the body's `eTag` value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.weak {
            write!(f, "W/\"{}\"", self.opaque)
        } else {
            write!(f, "\"{}\"", self.opaque)
        }
    }
}

/// The value of an `If-Match` request header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: matches any current representation.
    Any,
    /// One or more entity tags.
    Tags(Vec<ETag>),
}

impl IfMatch {
    /// Parses `*` or a comma-separated list of entity tags.
    pub fn parse(text: &str) -> Result<Self, ETagError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(ETagError::Empty);
        }
        if trimmed == "*" {
            return Ok(Self::Any);
        }
        let mut tags = Vec::new();
        let mut rest = trimmed;
        while !rest.is_empty() {
            let start = usize::from(rest.starts_with("W/")) * 2;
            let body = &rest[start..];
            if !body.starts_with('"') {
                return Err(ETagError::NotQuoted(text.to_owned()));
            }
            let close = body[1..]
                .find('"')
                .ok_or_else(|| ETagError::NotQuoted(text.to_owned()))?
                + 1;
            let end = start + close + 1;
            tags.push(ETag::parse(&rest[..end])?);
            rest = rest[end..].trim_start();
            if let Some(after) = rest.strip_prefix(',') {
                rest = after.trim_start();
            } else if !rest.is_empty() {
                return Err(ETagError::NotQuoted(text.to_owned()));
            }
        }
        Ok(Self::Tags(tags))
    }

    /// Whether the precondition holds for the resource's current tag.
    /// If-Match uses the strong comparison: a weak tag never matches (RFC 9110 §13.1.1).
    pub fn matches(&self, current: &ETag) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|t| t.strong_eq(current)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_body_form_parses_as_a_strong_tag() {
        let tag = ETag::parse("\"2500ec5a-0000-0000-0000-5bf4967d0000\"").unwrap();
        assert!(!tag.is_weak());
        assert_eq!(tag.opaque(), "2500ec5a-0000-0000-0000-5bf4967d0000");
        assert_eq!(tag.to_string(), "\"2500ec5a-0000-0000-0000-5bf4967d0000\"");
    }

    #[test]
    fn a_weak_tag_keeps_its_prefix_when_printed() {
        let tag = ETag::parse("W/\"v1\"").unwrap();
        assert!(tag.is_weak());
        assert_eq!(tag.to_string(), "W/\"v1\"");
    }

    #[test]
    fn unquoted_and_half_quoted_texts_are_not_tags() {
        for text in ["abc", "\"abc", "abc\"", "\"", "W/abc", "", "\"a\"b\""] {
            assert!(ETag::parse(text).is_err(), "{text:?} must be refused");
        }
    }

    #[test]
    fn control_characters_are_refused_inside_a_tag() {
        assert!(matches!(
            ETag::strong("a\u{7}b"),
            Err(ETagError::BadCharacter { .. })
        ));
    }

    #[test]
    fn comparison_follows_rfc_9110_table() {
        // RFC 9110 §8.8.3.2: W/"1" vs W/"1" weak only; W/"1" vs "1" weak only; "1" vs "1" both.
        let w1 = ETag::parse("W/\"1\"").unwrap();
        let w2 = ETag::parse("W/\"2\"").unwrap();
        let s1 = ETag::parse("\"1\"").unwrap();
        assert!(!w1.strong_eq(&w1) && w1.weak_eq(&w1));
        assert!(!w1.strong_eq(&w2) && !w1.weak_eq(&w2));
        assert!(!w1.strong_eq(&s1) && w1.weak_eq(&s1));
        assert!(s1.strong_eq(&s1) && s1.weak_eq(&s1));
    }

    #[test]
    fn if_match_star_matches_any_current_tag() {
        let current = ETag::strong("anything").unwrap();
        assert!(IfMatch::parse("*").unwrap().matches(&current));
    }

    #[test]
    fn if_match_list_matches_when_one_tag_is_strongly_equal() {
        let header = IfMatch::parse("\"a\", W/\"b\" ,\"c\"").unwrap();
        assert!(header.matches(&ETag::strong("c").unwrap()));
        assert!(
            !header.matches(&ETag::strong("b").unwrap()),
            "weak tags never match If-Match"
        );
        assert!(!header.matches(&ETag::strong("d").unwrap()));
    }

    #[test]
    fn a_stale_tag_does_not_match() {
        let header = IfMatch::parse("\"old\"").unwrap();
        assert!(!header.matches(&ETag::strong("new").unwrap()));
    }

    #[test]
    fn malformed_if_match_values_are_refused() {
        for text in ["", "  ", "abc", "\"a\" \"b\"", "\"a\",", "\"a\", b"] {
            let parsed = IfMatch::parse(text);
            if text == "\"a\"," {
                // A trailing comma leaves an empty element, which the list grammar tolerates.
                assert!(parsed.is_ok());
            } else {
                assert!(parsed.is_err(), "{text:?} must be refused");
            }
        }
    }
}
