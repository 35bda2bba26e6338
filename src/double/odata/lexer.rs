//! The `$filter` lexer: user text into tokens, each with the character offset it starts
//! at (characters, not bytes: the text is iterated, never byte-indexed), so every error
//! can name its position.

use std::iter::Peekable;
use std::str::Chars;

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::double::odata::FilterError;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A name: a property, a lambda variable, or a word such as `eq`, `and`, `true`.
    Word(String),
    /// A quoted string, `''` already turned into `'`.
    Text(String),
    Number(f64),
    /// An unquoted date or date-time (`2020-09-30T11:40:00Z`, `2020-09-30`).
    DateTime(DateTime<FixedOffset>),
    /// An unquoted GUID, compared as its text.
    Guid(String),
    Slash,
    Colon,
    Comma,
    Open,
    Close,
}

/// A token and the character offset it starts at.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: Kind,
    pub at: usize,
}

struct Cursor<'t> {
    chars: Peekable<Chars<'t>>,
    at: usize,
}

impl Cursor<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let next = self.chars.next();
        if next.is_some() {
            self.at += 1;
        }
        next
    }

    /// Takes characters while `keep` holds.
    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let mut taken = String::new();
        while let Some(c) = self.peek().filter(|c| keep(*c)) {
            taken.push(c);
            self.bump();
        }
        taken
    }
}

/// Splits `text` into tokens.
pub fn tokens(text: &str) -> Result<Vec<Token>, FilterError> {
    let mut cursor = Cursor {
        chars: text.chars().peekable(),
        at: 0,
    };
    let mut out = Vec::new();
    while let Some(c) = cursor.peek() {
        let at = cursor.at;
        let single = match c {
            '/' => Some(Kind::Slash),
            ':' => Some(Kind::Colon),
            ',' => Some(Kind::Comma),
            '(' => Some(Kind::Open),
            ')' => Some(Kind::Close),
            _ => None,
        };
        if let Some(kind) = single {
            cursor.bump();
            out.push(Token { kind, at });
        } else if c.is_whitespace() {
            cursor.bump();
        } else if c == '\'' {
            let text = quoted(&mut cursor, at)?;
            out.push(Token {
                kind: Kind::Text(text),
                at,
            });
        } else if c.is_ascii_digit() || c == '-' {
            let word = cursor.take_while(|c| c.is_ascii_alphanumeric() || "-+.:".contains(c));
            out.push(Token {
                kind: literal(&word, at)?,
                at,
            });
        } else if c.is_alphabetic() || c == '_' || c == '@' || c == '$' {
            let word = cursor.take_while(|c| c.is_alphanumeric() || "_@$.".contains(c));
            // OData v2's typed literal: datetime'2020-09-30T11:40:00Z'.
            let typed = matches!(word.as_str(), "datetime" | "datetimeoffset");
            if typed && cursor.peek() == Some('\'') {
                let opened = cursor.at;
                let text = quoted(&mut cursor, opened)?;
                out.push(Token {
                    kind: date_time(&text).map(Kind::DateTime).ok_or_else(|| {
                        FilterError::syntax(at, format!("{word}'{text}' is not a date-time"))
                    })?,
                    at,
                });
            } else {
                out.push(Token {
                    kind: Kind::Word(word),
                    at,
                });
            }
        } else {
            return Err(FilterError::syntax(
                at,
                format!("unexpected character {c:?}"),
            ));
        }
    }
    Ok(out)
}

/// A quoted string from its opening quote; `''` stands for one quote.
fn quoted(cursor: &mut Cursor<'_>, at: usize) -> Result<String, FilterError> {
    cursor.bump();
    let mut text = String::new();
    loop {
        match cursor.bump() {
            None => return Err(FilterError::syntax(at, "unterminated string literal")),
            Some('\'') if cursor.peek() == Some('\'') => {
                cursor.bump();
                text.push('\'');
            }
            Some('\'') => return Ok(text),
            Some(c) => text.push(c),
        }
    }
}

/// An unquoted literal that starts with a digit or `-`.
fn literal(word: &str, at: usize) -> Result<Kind, FilterError> {
    if let Ok(number) = word.parse::<f64>() {
        if number.is_finite() {
            return Ok(Kind::Number(number));
        }
    }
    if let Some(moment) = date_time(word) {
        return Ok(Kind::DateTime(moment));
    }
    if is_guid(word) {
        return Ok(Kind::Guid(word.to_owned()));
    }
    Err(FilterError::syntax(
        at,
        format!("{word:?} is not a number, date-time or GUID"),
    ))
}

/// An RFC 3339 date-time, or a date (taken as midnight UTC).
pub fn date_time(text: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(moment) = DateTime::parse_from_rfc3339(text) {
        return Some(moment);
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let midnight = date.and_hms_opt(0, 0, 0)?;
    Some(midnight.and_utc().fixed_offset())
}

fn is_guid(word: &str) -> bool {
    let groups: Vec<&str> = word.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.chars().count() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        tokens(text).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn a_doubled_quote_is_one_quote_inside_a_string() {
        assert_eq!(kinds("'O''Brien'"), vec![Kind::Text("O'Brien".into())]);
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let tokens = tokens("'é' eq x").unwrap();
        assert_eq!(tokens[1].at, 4);
        assert_eq!(tokens[2].at, 7);
    }

    #[test]
    fn numbers_dates_and_guids_are_literals() {
        assert_eq!(kinds("-1.5"), vec![Kind::Number(-1.5)]);
        assert!(matches!(
            kinds("2020-09-30T11:40:00Z")[0],
            Kind::DateTime(_)
        ));
        assert!(matches!(kinds("2020-09-30")[0], Kind::DateTime(_)));
        assert!(matches!(
            kinds("datetime'2020-09-30T11:40:00Z'")[0],
            Kind::DateTime(_)
        ));
        assert_eq!(
            kinds("65edc0b5-3485-41b7-a17e-dfa9ef4706e2"),
            vec![Kind::Guid("65edc0b5-3485-41b7-a17e-dfa9ef4706e2".into())]
        );
    }

    #[test]
    fn an_unterminated_string_names_where_it_opened() {
        let error = tokens("status eq 'New").unwrap_err();
        assert_eq!(error.at, 10);
    }

    #[test]
    fn a_stray_character_is_refused_with_its_offset() {
        let error = tokens("status eq \u{92}").unwrap_err();
        assert_eq!(error.at, 10);
    }
}
