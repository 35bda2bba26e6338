//! Writing the imported fixtures all or nothing: every file is first written beside its
//! target under a temporary name, and only when all of them are on disk are they renamed
//! into place. A failure while writing removes the temporary files and leaves the folder
//! as it was. Before anything is written, every target is checked (a folder or anything
//! but a regular file under one of the names stops it).

use std::fs;
use std::path::{Path, PathBuf};

/// Why the fixtures could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: the --out folder does not exist (vouch does not create it)")]
    NoFolder { path: PathBuf },
    #[error("{path}: cannot write there ({reason}); nothing was written")]
    Taken { path: PathBuf, reason: &'static str },
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn temporary(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.vouch-{}.tmp", std::process::id()))
}

/// Writes `files` (name → contents) into `dir`, all or nothing. Returns the paths written.
pub fn write_all(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, WriteError> {
    if !dir.is_dir() {
        return Err(WriteError::NoFolder {
            path: dir.to_owned(),
        });
    }
    // Every target first: one that cannot be replaced by a file stops the write before
    // anything is on disk.
    for (name, _) in files {
        let target = dir.join(name);
        let reason = match fs::symlink_metadata(&target) {
            Ok(meta) if meta.is_dir() => Some("a folder has that name"),
            Ok(meta) if !meta.is_file() => Some("it is not a regular file"),
            Err(_) if !target.parent().is_some_and(Path::is_dir) => {
                Some("its folder does not exist")
            }
            Ok(_) | Err(_) => None,
        };
        if let Some(reason) = reason {
            return Err(WriteError::Taken {
                path: target,
                reason,
            });
        }
    }
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (name, contents) in files {
        let temp = temporary(dir, name);
        if let Err(source) = fs::write(&temp, contents) {
            // The failed file may exist in part: remove it with the others.
            let _ = fs::remove_file(&temp);
            remove(&staged);
            return Err(WriteError::Write { path: temp, source });
        }
        staged.push((temp, dir.join(name)));
    }
    for (index, (temp, target)) in staged.iter().enumerate() {
        if let Err(source) = fs::rename(temp, target) {
            remove(&staged[index..]);
            return Err(WriteError::Write {
                path: target.clone(),
                source,
            });
        }
    }
    Ok(staged.into_iter().map(|(_, target)| target).collect())
}

fn remove(staged: &[(PathBuf, PathBuf)]) {
    for (temp, _) in staged {
        let _ = fs::remove_file(temp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_lands_under_its_name_and_no_temporary_file_is_left() {
        // Arrange
        let dir = tempfile::tempdir().unwrap();
        let files = vec![
            ("a.raw".to_owned(), "A\n".to_owned()),
            ("a.json".to_owned(), "{}\n".to_owned()),
        ];

        // Act
        let written = write_all(dir.path(), &files).unwrap();

        // Assert
        assert_eq!(written.len(), 2);
        assert_eq!(fs::read_to_string(dir.path().join("a.raw")).unwrap(), "A\n");
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_failure_part_way_writes_nothing() {
        // Arrange: the second name is a folder path that does not exist.
        let dir = tempfile::tempdir().unwrap();
        let files = vec![
            ("a.raw".to_owned(), "A\n".to_owned()),
            ("missing/b.raw".to_owned(), "B\n".to_owned()),
        ];

        // Act
        let result = write_all(dir.path(), &files);

        // Assert
        assert!(matches!(result, Err(WriteError::Taken { .. })));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_missing_out_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            write_all(&dir.path().join("nope"), &[]),
            Err(WriteError::NoFolder { .. })
        ));
    }
}
