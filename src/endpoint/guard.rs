//! The write guard: which methods change data. A client built without writes allowed
//! (a live target without `--allow-mutations`) refuses to send them at all, so a read-only
//! run cannot write whatever its scenarios or verification ask for.

/// Whether `method` may change data on the server (anything but GET, HEAD and OPTIONS).
pub fn writes(method: &str) -> bool {
    !["GET", "HEAD", "OPTIONS"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_get_head_and_options_are_reads() {
        for method in ["GET", "get", "HEAD", "OPTIONS"] {
            assert!(!writes(method), "{method}");
        }
        for method in ["POST", "PUT", "PATCH", "DELETE", "patch", "MERGE"] {
            assert!(writes(method), "{method}");
        }
    }
}
