//! Saving records so that nothing is ever lost or torn.
//!
//! Every write to the library goes through [`save_file`]: the previous content is kept under
//! `.casebook/history/`, then the new content replaces the file atomically. The index notices the change like
//! any other edit.
//!
//! - [`frontmatter`] turns a record's model back into file text, keeping unknown keys, comments and spelling;
//! - [`draft`] keeps unsaved edits under `.casebook/drafts/` for crash recovery;
//! - [`naming`] decides where a new record goes and what its id is, [`template`] what its body starts as;
//! - [`atomic`] and [`history`] are the two halves of a safe save (see `atomic` for injected failures);
//! - [`lock`] keeps two processes on one library from stepping on each other (index writes, new ids).
//!
//! The editor's save is [`check_record`] (the same rules as `casebook check`) then [`save_record`].

pub mod atomic;
pub mod draft;
pub mod frontmatter;
pub mod history;
pub mod lock;
pub mod naming;
pub mod template;
mod yaml_out;

use std::path::{Component, Path, PathBuf};

use thiserror::Error;

pub use atomic::{FAIL_WRITES_ENV, write_atomic};
pub use draft::{Draft, discard_draft, drafts, drafts_to_offer, save_draft};
pub use frontmatter::render_record;
pub use history::{Version, versions};
pub use lock::{LibraryLock, LockName, Wait};
pub use naming::{path_for, path_for_meta, suggest_id};
pub use template::body_template;

use crate::library::{
    Library, MAX_FILE_BYTES, Meta, Problem, Record, Severity, TextEncoding, check_candidates, is_record_path,
};

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
    #[error("无法生成记录的头信息：{0}")]
    Render(String),
    #[error("“{0}” 经由符号链接指向资料库以外，拒绝写入")]
    LeadsOut(String),
    #[error("附件 “{0}” 不能以 .md 结尾、不能是隐藏文件或放在 .casebook 中（否则会被当作记录读入）")]
    NotAnAttachment(String),
    #[error("记录 “{rel}” 有 {mb:.1} MB，超过单个记录 {limit} MB 的上限，未写入")]
    TooLarge { rel: String, mb: f64, limit: u64 },
    #[error("输出位置 {0} 在资料库之内，会覆盖或混入资料；请选择资料库以外的位置")]
    OutputInsideLibrary(PathBuf),
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

/// The absolute, symlink-free form of a path that may not exist yet (its existing ancestor is resolved, the rest
/// normalised), to tell reliably whether it lies inside another folder.
pub fn resolved(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    let mut normal = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    let mut existing = normal.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        if !existing.pop() {
            break;
        }
    }
    let mut out = std::fs::canonicalize(&existing).unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

/// Refuses an output (a file or folder a command writes: CSV, export, bundle) that is inside the library, with
/// symbolic links resolved, so that no output can overwrite or slip in among the records. Returns the path as
/// given when it is outside.
pub fn output_outside(root: &Path, out: &Path) -> Result<PathBuf, StoreError> {
    if resolved(out).starts_with(resolved(root)) {
        return Err(StoreError::OutputInsideLibrary(out.to_path_buf()));
    }
    Ok(out.to_path_buf())
}

/// `checked_path`, then the same with symbolic links resolved: the file must really be inside the library,
/// and must not itself be a link.
fn real_path_inside(root: &Path, rel: &str) -> Result<PathBuf, StoreError> {
    let path = checked_path(root, rel)?;
    let real_root = resolved(root);
    let real = resolved(&path);
    let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link || !real.starts_with(&real_root) || real.starts_with(real_root.join(crate::search::CACHE_DIR)) {
        return Err(StoreError::LeadsOut(rel.to_string()));
    }
    Ok(path)
}

/// Whether `rel` may be written as an attachment beside a record: not a `.md` file (it would be read as a
/// record), no hidden segment, not in `.casebook`.
pub fn is_attachment_path(rel: &str) -> bool {
    !rel.to_ascii_lowercase().ends_with(".md") && rel.split('/').all(|part| !part.is_empty() && !part.starts_with('.'))
}

/// Saves an attachment (an image from a .docx, a bundle asset) as `rel`, refusing anything that is not one
/// ([`is_attachment_path`]); otherwise as [`save_file`].
pub fn save_attachment(root: &Path, rel: &str, contents: &[u8]) -> Result<Saved, StoreError> {
    if !is_attachment_path(rel) {
        return Err(StoreError::NotAnAttachment(rel.to_string()));
    }
    write_checked(root, rel, contents)
}

/// Saves `contents` as `rel` (relative to the library `root`, `/` separators): keeps the old version in the
/// history, creates missing folders, and replaces the file atomically. Saving identical bytes writes nothing.
/// A record larger than the loader reads ([`MAX_FILE_BYTES`]) is refused, so nothing is written that the
/// library could not read back; a path that leads out of the library through a symbolic link is refused.
pub fn save_file(root: &Path, rel: &str, contents: &[u8]) -> Result<Saved, StoreError> {
    if is_record_path(rel) && contents.len() as u64 > MAX_FILE_BYTES {
        return Err(StoreError::TooLarge {
            rel: rel.to_string(),
            mb: contents.len() as f64 / 1048576.0,
            limit: MAX_FILE_BYTES / 1048576,
        });
    }
    write_checked(root, rel, contents)
}

fn write_checked(root: &Path, rel: &str, contents: &[u8]) -> Result<Saved, StoreError> {
    let path = real_path_inside(root, rel)?;
    let previous = match std::fs::read(&path) {
        Ok(old) if old == contents => return Ok(Saved { path, previous: None }),
        Ok(old) => Some(history::keep(root, rel, &old)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(&path)(e)),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    // A file that did not exist must not replace one another process created meanwhile (two `new` picking the
    // same next id): that write would be lost without a history copy.
    let written = if previous.is_none() { atomic::write_new(&path, contents) } else { write_atomic(&path, contents) };
    if let Err(e) = written {
        // The save did not happen, so the copy made for it is not a version: drop it.
        if let Some(v) = &previous {
            let _ = std::fs::remove_file(&v.path);
        }
        return Err(io_err(&path)(e));
    }
    Ok(Saved { path, previous })
}

/// Puts a kept version back as the current content; the content it replaces is kept in turn.
pub fn restore(root: &Path, rel: &str, version: &Version) -> Result<Saved, StoreError> {
    let old = std::fs::read(&version.path).map_err(io_err(&version.path))?;
    save_file(root, rel, &old)
}

/// Renders a record from its model (see [`render_record`]) and saves it as `rel` with [`save_file`].
/// `previous_front_matter` is the front matter of the file being replaced, so that unknown keys and comments
/// stay; `None` for a new record.
pub fn save_record(
    root: &Path,
    rel: &str,
    meta: &Meta,
    previous_front_matter: Option<&str>,
    body: &str,
) -> Result<Saved, StoreError> {
    let text = render_record(meta, previous_front_matter, body)?;
    save_file(root, rel, text.as_bytes())
}

/// What `casebook check` would say about `text` saved as `rel` in `lib`: the problems of that file only, errors
/// first. A text that does not parse gives one error naming the line. Saving is safe when no problem is an
/// error ([`Severity::Error`]).
pub fn check_record(lib: &Library, rel: &str, text: &str) -> Vec<Problem> {
    match Record::parse(rel.to_string(), text, TextEncoding::Utf8) {
        Ok(record) => {
            let mut problems = check_candidates(lib, &[record]);
            problems.sort_by_key(|p| (p.severity != Severity::Error, p.line));
            problems
        }
        Err(e) => vec![Problem {
            path: rel.to_string(),
            line: e.line,
            code: e.code,
            message: e.message,
            severity: Severity::Error,
        }],
    }
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
    fn check_record_reports_errors_first_and_parse_errors_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::from_records(dir.path().to_path_buf(), Default::default(), Vec::new(), Vec::new());
        let problems = check_record(&lib, "a.md", "---\nid: a\ntitle: t\ndistrict: 海淀区\n---\n");
        assert_eq!(problems.iter().map(|p| p.code).collect::<Vec<_>>(), ["missing-key", "unknown-district"]);
        let problems = check_record(&lib, "a.md", "---\nid: [\n---\n");
        assert_eq!((problems[0].code, problems[0].severity), ("yaml", Severity::Error));
        assert!(check_record(&lib, "a.md", "---\nid: a\ntitle: t\ndistrict: 渝中区\nyear: 2021\n---\n").is_empty());
    }

    #[test]
    fn save_record_renders_and_saves() {
        let dir = tempfile::tempdir().unwrap();
        let w = crate::library::Writeup { id: Some("a".into()), title: Some("标题".into()), ..Default::default() };
        let saved = save_record(dir.path(), "x/a.md", &Meta::Writeup(w), None, "正文\n").unwrap();
        assert_eq!(std::fs::read_to_string(saved.path).unwrap(), "---\nid: a\ntitle: 标题\n---\n正文\n");
    }

    #[test]
    #[cfg(unix)]
    fn links_attachments_and_oversized_records_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::os::unix::fs::symlink(elsewhere.path(), root.join("linked")).unwrap();
        assert!(matches!(save_file(root, "linked/a.md", b"x"), Err(StoreError::LeadsOut(_))));
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0, "nothing written outside");
        std::os::unix::fs::symlink(elsewhere.path().join("t.md"), root.join("link.md")).unwrap();
        assert!(matches!(save_file(root, "link.md", b"x"), Err(StoreError::LeadsOut(_))));
        for bad in ["a.assets/evil.md", "a.assets/.hidden", "a.assets/EVIL.MD"] {
            assert!(matches!(save_attachment(root, bad, b"x"), Err(StoreError::NotAnAttachment(_))), "{bad}");
        }
        assert!(save_attachment(root, "a.assets/image1.png", b"x").is_ok());
        let big = vec![b'a'; MAX_FILE_BYTES as usize + 1];
        assert!(matches!(save_file(root, "big.md", &big), Err(StoreError::TooLarge { .. })));
        assert!(!root.join("big.md").exists());
        assert!(matches!(output_outside(root, &root.join("x/y.csv")), Err(StoreError::OutputInsideLibrary(_))));
        assert!(output_outside(root, &elsewhere.path().join("y.csv")).is_ok());
        std::os::unix::fs::symlink(root, elsewhere.path().join("back")).unwrap();
        assert!(output_outside(root, &elsewhere.path().join("back/y.csv")).is_err(), "through a link");
    }

    #[test]
    fn refuses_paths_outside_the_library() {
        let dir = tempfile::tempdir().unwrap();
        for rel in ["../x.md", "/etc/x.md", "a/../../x.md", ".casebook/manifest.json", "", "a\\..\\x.md"] {
            assert!(matches!(save_file(dir.path(), rel, b"x"), Err(StoreError::OutsideLibrary(_))), "{rel}");
        }
    }
}
