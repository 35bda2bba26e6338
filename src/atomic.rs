//! All-or-nothing file writes: a file is written under a temporary name in its own folder
//! and renamed over its target only once it is whole, so a reader (or a crash) never sees
//! half of it, and a failed write leaves the old file as it was. Reports and snapshots are
//! written this way; `import-doc`'s several files go through [`crate::import::write`].

use std::io::Write as _;
use std::path::Path;

/// Writes `contents` to `path` all or nothing (the parent folder must exist).
pub fn write(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "a folder has that name",
        ));
    }
    let mut file = tempfile::Builder::new()
        .prefix(".vouch-")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").unwrap();

        write(&path, b"new").unwrap();

        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_folder_in_the_way_is_an_error_and_nothing_is_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("taken");
        std::fs::create_dir(&path).unwrap();

        assert!(write(&path, b"x").is_err());

        assert!(path.is_dir());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
