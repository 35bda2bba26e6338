//! Reading a page from disk without trusting it: a size cap, no binary files, UTF-8 only.
//! A byte-order mark is dropped and CRLF line ends become LF (fixtures are stored with LF),
//! so page lines count the same either way.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::ImportError;

/// The largest page vouch reads (5 MiB). Learn pages are tens of kilobytes.
pub const MAX_PAGE_BYTES: u64 = 5 * 1024 * 1024;

/// Reads the page at `path` as text.
pub fn read_page(path: &Path) -> Result<String, ImportError> {
    let read_error = |source: std::io::Error| match source.kind() {
        std::io::ErrorKind::NotFound => ImportError::Missing {
            path: path.to_owned(),
        },
        _ => ImportError::Read {
            path: path.to_owned(),
            source,
        },
    };
    let file = File::open(path).map_err(read_error)?;
    let metadata = file.metadata().map_err(read_error)?;
    if metadata.is_dir() {
        return Err(ImportError::NotAFile {
            path: path.to_owned(),
        });
    }
    if metadata.len() > MAX_PAGE_BYTES {
        return Err(ImportError::TooLarge {
            path: path.to_owned(),
            size: metadata.len(),
            limit: MAX_PAGE_BYTES,
        });
    }
    // The file may grow between the check and the read: never read past the cap.
    let mut bytes = Vec::new();
    file.take(MAX_PAGE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_PAGE_BYTES {
        return Err(ImportError::TooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
            limit: MAX_PAGE_BYTES,
        });
    }
    if let Some(offset) = bytes.iter().position(|b| *b == 0) {
        return Err(ImportError::Binary {
            path: path.to_owned(),
            offset,
        });
    }
    let text = String::from_utf8(bytes).map_err(|error| ImportError::NotText {
        path: path.to_owned(),
        offset: error.utf8_error().valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok(text.replace("\r\n", "\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<String, ImportError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.md");
        std::fs::write(&path, bytes).unwrap();
        read_page(&path)
    }

    #[test]
    fn a_page_with_a_bom_and_crlf_reads_as_plain_lf_text() {
        assert_eq!(read(b"\xef\xbb\xbf# T\r\nx\r\n").unwrap(), "# T\nx\n");
    }

    #[test]
    fn a_nul_byte_marks_a_binary_file_with_its_offset() {
        assert!(matches!(
            read(b"# T\n\x00\x01"),
            Err(ImportError::Binary { offset: 4, .. })
        ));
    }

    #[test]
    fn invalid_utf8_is_refused_with_the_offset_of_the_first_bad_byte() {
        assert!(matches!(
            read(b"# T\xff"),
            Err(ImportError::NotText { offset: 3, .. })
        ));
    }

    #[test]
    fn a_page_over_the_cap_is_refused_before_it_is_read() {
        let big = vec![b'a'; usize::try_from(MAX_PAGE_BYTES).unwrap() + 1];
        assert!(matches!(read(&big), Err(ImportError::TooLarge { .. })));
    }

    #[test]
    fn a_missing_page_and_a_folder_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_page(&dir.path().join("nope.md")),
            Err(ImportError::Missing { .. })
        ));
        assert!(matches!(
            read_page(dir.path()),
            Err(ImportError::NotAFile { .. })
        ));
    }
}
