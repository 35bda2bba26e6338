//! Percent-encoding for what verification puts into a URL it builds itself: a `$filter`
//! expression in the query, an id in the path (RFC 3986: everything but the unreserved
//! characters is encoded).

/// `text` with every byte outside RFC 3986's unreserved set percent-encoded.
pub(super) fn encode(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_expression_is_encoded_so_quotes_spaces_and_ampersands_survive() {
        assert_eq!(encode("name eq 'A & B'"), "name%20eq%20%27A%20%26%20B%27");
        assert_eq!(encode("4111fffc-d2e6"), "4111fffc-d2e6");
    }
}
