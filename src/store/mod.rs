//! Saving records so that nothing is ever lost or torn.
//!
//! Every write to the library goes through [`save_file`]: the previous content is kept under
//! `.casebook/history/`, then the new content replaces the file atomically. The index notices the change like
//! any other edit.

pub mod atomic;
pub mod history;

use std::path::{Component, Path, PathBuf};

use thiserror::Error;

pub use atomic::write_atomic;
pub use history::{Version, versions};

/// Why a save failed. The library is unchanged whenever one is returned.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("无法写入 {path}：{source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("路径 “{0}” 不在资料库内（不能含 .. 或绝对路径，也不能写入 .casebook）")]
    OutsideLibrary(String),
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_path_buf(), source }
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The absolute path written.
    pub path: PathBuf,
    /// The copy of the previous content, when the file existed and differed.
    pub previous: Option<Version>,
}

/// Checks that `rel` names a file inside the library (relative, no `..`, not in `.casebook/`).
pub fn checked_path(root: &Path, rel: &str) -> Result<PathBuf, StoreError> {
    let p = Path::new(rel);
    let bad = rel.is_empty()
        || rel.contains('\\')
        || p.components().any(|c| !matches!(c, Component::Normal(_)))
        || p.components().next().is_some_and(|c| c.as_os_str() == ".casebook");
    if bad {
        return Err(StoreError::OutsideLibrary(rel.to_string()));
    }
    Ok(root.join(p))
}

/// Saves `contents` as `rel` (relative to the library `root`, `/` separators): keeps the old version in the
/// history, creates missing folders, and replaces the file atomically. Saving identical bytes writes nothing.
pub fn save_file(root: &Path, rel: &str, contents: &[u8]) -> Result<Saved, StoreError> {
    let path = checked_path(root, rel)?;
    let previous = match std::fs::read(&path) {
        Ok(old) if old == contents => return Ok(Saved { path, previous: None }),
        Ok(old) => Some(history::keep(root, rel, &old)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(&path)(e)),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    write_atomic(&path, contents).map_err(io_err(&path))?;
    Ok(Saved { path, previous })
}

/// Puts a kept version back as the current content; the content it replaces is kept in turn.
pub fn restore(root: &Path, rel: &str, version: &Version) -> Result<Saved, StoreError> {
    let old = std::fs::read(&version.path).map_err(io_err(&version.path))?;
    save_file(root, rel, &old)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_keeps_history_and_restores() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let first = save_file(root, "yuzhong/a.md", "第一版".as_bytes()).unwrap();
        assert!(first.previous.is_none());
        let second = save_file(root, "yuzhong/a.md", "第二版".as_bytes()).unwrap();
        assert!(second.previous.is_some());
        assert!(save_file(root, "yuzhong/a.md", "第二版".as_bytes()).unwrap().previous.is_none());
        let kept = versions(root, "yuzhong/a.md").unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(std::fs::read_to_string(&kept[0].path).unwrap(), "第一版");
        restore(root, "yuzhong/a.md", &kept[0]).unwrap();
        assert_eq!(std::fs::read_to_string(root.join("yuzhong/a.md")).unwrap(), "第一版");
        assert_eq!(versions(root, "yuzhong/a.md").unwrap().len(), 2);
    }

    #[test]
    fn refuses_paths_outside_the_library() {
        let dir = tempfile::tempdir().unwrap();
        for rel in ["../x.md", "/etc/x.md", "a/../../x.md", ".casebook/manifest.json", "", "a\\..\\x.md"] {
            assert!(matches!(save_file(dir.path(), rel, b"x"), Err(StoreError::OutsideLibrary(_))), "{rel}");
        }
    }
}
