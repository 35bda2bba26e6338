//! Credentials vouch was not told about but can recognise by their shape: the credential
//! of a `Bearer` or `Basic` authorization (as a header value or echoed in a body), the
//! password of a URL's userinfo (`scheme://user:password@host`), and the value of a URL
//! query or form parameter that by its name holds a credential (`access_token=`,
//! `client_secret=`, `sig=`, ...). Each pattern names the part to redact; the word before
//! it (`Bearer`, the user name, the parameter's name) is kept so a reader sees what was
//! there.

use std::sync::OnceLock;

use base64::Engine as _;
use regex::bytes::Regex;

/// Query and form parameter names whose values are credentials.
const CREDENTIAL_PARAMETERS: &str = "access_token|id_token|refresh_token|client_secret|password|passwd|pwd|sig|signature|api_key|apikey|api-key|token";

/// A credential shorter than this is a word, not a credential ("Bearer token").
const SHORTEST_CREDENTIAL: usize = 8;

struct Patterns {
    scheme: Regex,
    userinfo: Regex,
    parameter: Regex,
}

/// Whether `haystack` holds `Bearer` or `Basic` (any case): the scheme pattern runs only
/// then, as the others run only on a text with `://` and `@`, or with `=` (most bodies
/// skip every pattern).
fn has_scheme(haystack: &[u8]) -> bool {
    memchr::memchr2_iter(b'b', b'B', haystack).any(|at| {
        let rest = &haystack[at..];
        [&b"bearer"[..], &b"basic"[..]]
            .iter()
            .any(|word| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word))
    })
}

fn patterns() -> Option<&'static Patterns> {
    static PATTERNS: OnceLock<Option<Patterns>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            Some(Patterns {
                scheme: Regex::new(r"(?i-u)\b(bearer|basic)[ \t]+([A-Za-z0-9._~+/-]+=*)").ok()?,
                userinfo: Regex::new(
                    r#"(?i-u)\b[a-z][a-z0-9+.-]*://[^/?#@\s:"'<>\\]*:([^/?#@\s"'<>\\]+)@"#,
                )
                .ok()?,
                parameter: Regex::new(&format!(
                    r#"(?i-u)(?:^|[?&;\s"'])(?:{CREDENTIAL_PARAMETERS})=([^&#;\s"'<>\\]+)"#
                ))
                .ok()?,
            })
        })
        .as_ref()
}

/// Whether `credential` after `scheme` is a credential rather than a word.
fn is_credential(scheme: &[u8], credential: &[u8]) -> bool {
    if credential.len() < SHORTEST_CREDENTIAL {
        return false;
    }
    if scheme.eq_ignore_ascii_case(b"basic") {
        // Basic credentials are base64 of `user:password`.
        return base64::engine::general_purpose::STANDARD
            .decode(credential)
            .is_ok_and(|decoded| decoded.contains(&b':'));
    }
    // A bearer token: a long run of token characters, or one with more than letters.
    credential.len() >= 20 || credential.iter().any(|b| !b.is_ascii_alphabetic())
}

/// Adds the span of every recognised credential in `haystack` to `spans`.
pub(super) fn find(haystack: &[u8], spans: &mut Vec<(usize, usize)>) {
    let Some(patterns) = patterns() else { return };
    let scheme = has_scheme(haystack);
    let url = memchr::memchr(b'@', haystack).is_some()
        && memchr::memmem::find(haystack, b"://").is_some();
    let parameter = memchr::memchr(b'=', haystack).is_some();
    if scheme {
        for captures in patterns.scheme.captures_iter(haystack) {
            if let (Some(name), Some(credential)) = (captures.get(1), captures.get(2)) {
                if is_credential(name.as_bytes(), credential.as_bytes()) {
                    spans.push((credential.start(), credential.end()));
                }
            }
        }
    }
    for (needed, regex) in [(url, &patterns.userinfo), (parameter, &patterns.parameter)] {
        if !needed {
            continue;
        }
        for captures in regex.captures_iter(haystack) {
            if let Some(secret) = captures.get(1) {
                spans.push((secret.start(), secret.end()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut spans = Vec::new();
        find(text.as_bytes(), &mut spans);
        spans.iter().map(|&(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn bearer_and_basic_credentials_are_found() {
        assert_eq!(
            found("invalid token: Bearer eyJ0eXAi.abc-123 rest"),
            ["eyJ0eXAi.abc-123"]
        );
        assert_eq!(found("authorization: basic dXNlcjpwYXNz"), ["dXNlcjpwYXNz"]);
    }

    #[test]
    fn words_after_bearer_or_basic_are_not_credentials() {
        assert!(found("send a Bearer token").is_empty());
        assert!(found("Bearer authentication failed").is_empty());
        assert!(found("Basic information about the item").is_empty());
    }

    #[test]
    fn url_passwords_and_credential_parameters_are_found() {
        assert_eq!(found("see http://user:hunter2@host/x"), ["hunter2"]);
        assert_eq!(
            found("https://h/p?a=1&access_token=abc.def&sig=XyZ%3D"),
            ["abc.def", "XyZ%3D"]
        );
        assert!(found("https://h/p?$skipToken=abc&top=2").is_empty());
        assert!(found("http://host:8080/x").is_empty());
    }
}
