//! Saving records so that nothing is ever lost or torn.
//!
//! Every write into a library goes through [`plan`]: a checked [`Plan`] of records and attachments, committed
//! under the library's [`WriteLock`]; the previous content is kept under `.casebook/history/`, then the new
//! content replaces the file atomically. The index notices the change like any other edit.
//!
//! - [`frontmatter`] turns a record's model back into file text, keeping unknown keys, comments and spelling;
//! - [`draft`] keeps unsaved edits under `.casebook/drafts/` for crash recovery;
//! - [`naming`] decides where a new record goes and what its id is, [`template`] what its body starts as;
//! - [`atomic`] and [`history`] are the two halves of a safe save (see `atomic` for injected failures);
//! - [`config_file`] changes one key of `casebook.yaml` and keeps the rest as typed;
//! - [`lock`] keeps two processes on one library from stepping on each other (index writes, new ids).

pub mod atomic;
pub mod config_file;
pub mod draft;
pub mod frontmatter;
pub mod history;
pub mod lock;
pub mod naming;
pub mod plan;
pub mod template;
mod yaml_out;

use std::path::{Component, Path, PathBuf};

use thiserror::Error;

pub use atomic::{FAIL_WRITES_ENV, replace, write_atomic};
pub use draft::{Draft, discard_draft, drafts, drafts_to_offer, save_draft};
pub use frontmatter::render_record;
pub use history::{Version, versions};
pub use lock::{LibraryLock, LockName, Wait};
pub use naming::{free_place, path_for, path_for_meta, suggest_id};
pub use plan::{Committed, Conflict, MAX_KEPT_BYTES, Plan, Seen, Write, WriteLock, Written, plan, sha256_hex};
pub use template::body_template;

use crate::library::{Library, Problem, is_record_path, read_bounded};

/// Why a save failed. The library is unchanged whenever one is returned.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("无法写入 {path}：{}", crate::os_error::describe(.source))]
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
    #[error("“{0}” 不是记录文件的路径（记录是不在隐藏文件夹中的 .md 文件）")]
    NotARecordPath(String),
    #[error("“{rel}” 中的 “{part}” 在 Windows 上不能作名称（{why}）；资料库要在各区县之间交换，请换一个名称")]
    NotPortable { rel: String, part: String, why: &'static str },
    #[error("“{0}” 不是普通文件（文件夹、设备或管道），拒绝覆盖")]
    NotAFile(String),
    #[error("现有文件 “{rel}” 有 {mb:.1} MB，超过可保留历史的 {limit} MB，拒绝覆盖")]
    ExistingTooLarge { rel: String, mb: f64, limit: u64 },
    #[error("{}", problems_summary(.0))]
    Invalid(Vec<Problem>),
    #[error("{}：{}", .0.rel, .0.message)]
    Conflict(Conflict),
    #[error("写入前无法重新读取资料库：{0}")]
    Reread(#[from] crate::library::LibraryError),
    #[error(transparent)]
    Saved(#[from] crate::library::saved::SavedError),
}

/// “未写入：a.md 第 3 行 [code] message” for the first problem, with how many more there are.
fn problems_summary(problems: &[Problem]) -> String {
    let Some(first) = problems.first() else { return "未写入".to_string() };
    let at = if first.line > 0 { format!("{} 第 {} 行", first.path, first.line) } else { first.path.clone() };
    let more =
        if problems.len() > 1 { format!("（另有 {} 个问题）", problems.len() - 1) } else { String::new() };
    format!("未写入：{at} [{}] {}{more}", first.code, first.message)
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

/// Checks that `rel` names a file inside the library (relative, no `..`, not in `.casebook/`). The same on every
/// system: a backslash or a drive letter (`C:x.md`, `C:/x`) is refused too, because on Windows they lead out of
/// the library although on Linux they are plain names (`//server/share` is a root everywhere).
pub fn checked_path(root: &Path, rel: &str) -> Result<PathBuf, StoreError> {
    let p = Path::new(rel);
    let drive = rel.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) && rel.as_bytes().get(1) == Some(&b':');
    let bad = rel.is_empty()
        || drive
        || rel.contains('\\')
        || p.components().any(|c| !matches!(c, Component::Normal(_)))
        || p.components().next().is_some_and(|c| c.as_os_str() == ".casebook");
    if bad {
        return Err(StoreError::OutsideLibrary(rel.to_string()));
    }
    // Joined part by part, so the path has the system's separators (D:\\资料库\\yuzhong\\a.md in a Windows message).
    Ok(rel.split('/').fold(root.to_path_buf(), |path, part| path.join(part)))
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
pub(crate) fn real_path_inside(root: &Path, rel: &str) -> Result<PathBuf, StoreError> {
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

/// Writes `contents` as `rel` (at `path`, already resolved inside the library) over `old`, the bytes just read
/// there (`None`: no file): the history copy, missing folders, the atomic replace. Only [`Plan::commit`] calls
/// it, after the plan's checks. Writing identical bytes writes nothing.
pub(crate) fn write_checked(
    root: &Path,
    rel: &str,
    path: &Path,
    old: Option<Vec<u8>>,
    contents: &[u8],
) -> Result<Saved, StoreError> {
    let path = path.to_path_buf();
    let previous = match old {
        Some(old) if old == contents => return Ok(Saved { path, previous: None }),
        Some(old) => Some(history::keep(root, rel, &old)?),
        None => None,
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

/// Puts a kept version back as the current content of `rel`, checked like any other write (a version that would
/// now break the library, say by an id taken since, is refused); the content it replaces is kept in turn.
pub fn restore(lib: &Library, rel: &str, version: &Version, lock: &WriteLock) -> Result<Committed, StoreError> {
    let old = read_bounded(&version.path, plan::MAX_KEPT_BYTES).map_err(|e| io_err(&version.path)(e.into()))?;
    let write = if is_record_path(rel) { Write::record(rel, old) } else { Write::attachment(rel, old) };
    plan(lib, vec![write])?.commit(lock)?.all_written()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::MAX_FILE_BYTES;

    fn record(title: &str) -> String {
        format!("---\nid: a\ntitle: {title}\ndistrict: 渝中区\nyear: 2021\n---\n正文\n")
    }

    /// Plans and commits `writes` against the library as it is on disk.
    fn write(root: &Path, writes: Vec<Write>) -> Result<Committed, StoreError> {
        let lock = WriteLock::take(root)?;
        let lib = Library::load(root).unwrap();
        plan(&lib, writes)?.commit(&lock)
    }

    #[test]
    fn save_keeps_history_and_restores() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let first = write(root, vec![Write::record("yuzhong/a.md", record("第一版"))]).unwrap();
        assert!(first.written[0].saved.previous.is_none());
        let second = write(root, vec![Write::record("yuzhong/a.md", record("第二版"))]).unwrap();
        assert!(second.written[0].saved.previous.is_some());
        let same = write(root, vec![Write::record("yuzhong/a.md", record("第二版"))]).unwrap();
        assert!(same.written[0].saved.previous.is_none(), "identical bytes write nothing");
        let kept = versions(root, "yuzhong/a.md").unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(std::fs::read_to_string(&kept[0].path).unwrap(), record("第一版"));
        let lock = WriteLock::take(root).unwrap();
        restore(&Library::load(root).unwrap(), "yuzhong/a.md", &kept[0], &lock).unwrap();
        assert_eq!(std::fs::read_to_string(root.join("yuzhong/a.md")).unwrap(), record("第一版"));
        assert_eq!(versions(root, "yuzhong/a.md").unwrap().len(), 2);
    }

    #[test]
    fn restore_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, vec![Write::record("yuzhong/a.md", record("第一版"))]).unwrap();
        write(root, vec![Write::record("yuzhong/a.md", record("第二版"))]).unwrap();
        // Since the first version was replaced, another record took its id under another name.
        write(root, vec![Write::record("yuzhong/a.md", record("第三版").replace("id: a", "id: b"))]).unwrap();
        write(root, vec![Write::record("yuzhong/c.md", record("别的"))]).unwrap();
        let oldest = versions(root, "yuzhong/a.md").unwrap().pop().unwrap();
        let lock = WriteLock::take(root).unwrap();
        let refused = restore(&Library::load(root).unwrap(), "yuzhong/a.md", &oldest, &lock);
        assert!(matches!(refused, Err(StoreError::Invalid(ref p)) if p[0].code == "duplicate-id"), "{refused:?}");
        assert!(std::fs::read_to_string(root.join("yuzhong/a.md")).unwrap().contains("第三版"));
    }

    #[test]
    fn invalid_records_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::from_records(dir.path().to_path_buf(), Default::default(), Vec::new(), Vec::new());
        let Err(StoreError::Invalid(problems)) = plan(&lib, vec![Write::record("a.md", "---\nid: [\n---\n")]) else {
            panic!("a record that does not parse is refused")
        };
        assert_eq!((problems[0].code, problems[0].severity), ("yaml", crate::library::Severity::Error));
        let Err(StoreError::Invalid(problems)) =
            plan(&lib, vec![Write::record("a.md", "---\nid: a\ntitle: t\ndistrict: 渝中区\n---\n")])
        else {
            panic!("a write-up without a year is refused")
        };
        assert_eq!((problems[0].code, problems[0].line), ("missing-key", 1));
        assert!(plan(&lib, vec![Write::record("a.md", record("t"))]).is_ok());
    }

    #[test]
    #[cfg(unix)]
    fn links_attachments_and_oversized_records_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::os::unix::fs::symlink(elsewhere.path(), root.join("linked")).unwrap();
        let refused = write(root, vec![Write::record("linked/a.md", record("x"))]);
        assert!(matches!(refused, Err(StoreError::LeadsOut(_))));
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0, "nothing written outside");
        std::os::unix::fs::symlink(elsewhere.path().join("t.md"), root.join("link.md")).unwrap();
        assert!(matches!(write(root, vec![Write::record("link.md", record("x"))]), Err(StoreError::LeadsOut(_))));
        for bad in ["a.assets/evil.md", "a.assets/.hidden", "a.assets/EVIL.MD"] {
            let refused = write(root, vec![Write::attachment(bad, "x")]);
            assert!(matches!(refused, Err(StoreError::NotAnAttachment(_))), "{bad}");
        }
        assert!(write(root, vec![Write::attachment("a.assets/image1.png", "x")]).is_ok());
        let big = vec![b'a'; MAX_FILE_BYTES as usize + 1];
        assert!(matches!(write(root, vec![Write::record("big.md", big)]), Err(StoreError::TooLarge { .. })));
        assert!(!root.join("big.md").exists());
        assert!(matches!(output_outside(root, &root.join("x/y.csv")), Err(StoreError::OutputInsideLibrary(_))));
        assert!(output_outside(root, &elsewhere.path().join("y.csv")).is_ok());
        std::os::unix::fs::symlink(root, elsewhere.path().join("back")).unwrap();
        assert!(output_outside(root, &elsewhere.path().join("back/y.csv")).is_err(), "through a link");
    }

    #[test]
    fn refuses_paths_outside_the_library() {
        let dir = tempfile::tempdir().unwrap();
        // Drive letters and shares (Windows), refused on every system, so a library behaves alike everywhere.
        let windows =
            ["C:/x.md", "c:x.md", "C:\\Windows\\x.md", "\\\\server\\share\\资料库\\x.md", "//server/share/x.md"];
        for rel in ["../x.md", "/etc/x.md", "a/../../x.md", ".casebook/manifest.json", "", "a\\..\\x.md"]
            .into_iter()
            .chain(windows)
        {
            let refused = write(dir.path(), vec![Write::attachment(rel, "x")]);
            assert!(matches!(refused, Err(StoreError::OutsideLibrary(_))), "{rel}");
        }
        // A colon elsewhere is a name (an existing Linux file keeps it; new names are refused by the plan).
        assert!(checked_path(dir.path(), "纪要/10:30.png").is_ok());
    }
}
