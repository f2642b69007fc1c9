//! The one way anything is written into a library: a checked [`Plan`], committed under the write lock.
//!
//! Every command and the app write records and attachments the same way:
//!
//! 1. take the library's [`WriteLock`] (before loading the library, when a new id is chosen from it);
//! 2. describe the files to write ([`Write::record`], [`Write::attachment`]) and call [`plan`]: every path must
//!    stay inside the library with links resolved, attachments must not look like records, and the records are
//!    checked together with the library by the rules of `casebook check` (size limit, id unique without regard to
//!    case, id characters, references…). Any error refuses the whole plan, and nothing is written;
//! 3. [`Plan::commit`]: each file is read again just before it is written and left alone (a [`Conflict`]) if it
//!    no longer holds what the plan saw; each replaced version goes to `.casebook/history/`; each write is
//!    atomic; if one fails, what this commit already wrote is put back.
//!
//! The search index notices the new files like any other change (it compares file stamps).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::lock::{LibraryLock, new_record_lock};
use super::{Saved, StoreError, Version, is_attachment_path, real_path_inside, write_atomic};
use crate::library::{
    Library, MAX_FILE_BYTES, Problem, ReadError, Record, Severity, check_candidates, decode, is_record_path,
    read_bounded,
};

/// Larger files already in the library are not replaced: their old content could not be kept in the history.
pub const MAX_KEPT_BYTES: u64 = 64 * 1024 * 1024;

/// The library's write lock, held from choosing what to write (a new id from the records as loaded) until the
/// files are written, so that two processes (two windows, the app and the CLI) never interleave their writes.
/// The operating system releases it when the process ends, however it ends.
#[derive(Debug)]
pub struct WriteLock {
    root: PathBuf,
    _lock: Option<LibraryLock>,
}

impl WriteLock {
    /// Takes the lock of the library at `root`, waiting up to a minute for another process. A library that
    /// cannot be written at all (read-only) gives a lock that protects nothing; its writes then fail with the
    /// real reason.
    pub fn take(root: &Path) -> Result<WriteLock, StoreError> {
        let lock = new_record_lock(root).map_err(|source| StoreError::Io { path: root.to_path_buf(), source })?;
        Ok(WriteLock { root: root.to_path_buf(), _lock: lock })
    }

    /// Takes the lock of `lib`'s folder and returns, with it, the library as the folder holds it now: a
    /// long-lived copy (the app's) may miss what another process wrote since it was read, such as an id taken
    /// meanwhile. Costs one walk of the folder when nothing changed.
    pub fn take_current(lib: &Arc<Library>) -> Result<(WriteLock, Arc<Library>), StoreError> {
        let lock = WriteLock::take(&lib.root)?;
        let current = match lib.caught_up()? {
            Some(now) => Arc::new(now),
            None => Arc::clone(lib),
        };
        Ok((lock, current))
    }
}

/// What a file is, which decides how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Record,
    Attachment,
    /// The library's `casebook.yaml`: must still read as a configuration.
    Config,
}

/// What the plan expects at a path when it commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// No file.
    Absent,
    /// A file with this SHA-256 ([`sha256_hex`]).
    Holds(String),
}

/// One file to write.
#[derive(Debug, Clone)]
pub struct Write {
    /// Relative to the library, `/`-separated.
    pub rel: String,
    pub bytes: Vec<u8>,
    what: What,
    /// What the caller saw there (a bundle shown for review); `None`: what is there when the plan is made.
    seen: Option<Seen>,
}

impl Write {
    /// A record (a `.md` file): checked by the rules of `casebook check`.
    pub fn record(rel: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Write {
        Write { rel: rel.into(), bytes: bytes.into(), what: What::Record, seen: None }
    }

    /// An attachment beside a record (an image, a bundle asset): may not be a `.md`, hidden, or in `.casebook`.
    pub fn attachment(rel: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Write {
        Write { rel: rel.into(), bytes: bytes.into(), what: What::Attachment, seen: None }
    }

    /// The library's configuration (`casebook.yaml`), checked by reading it as the library will.
    pub fn config(bytes: impl Into<Vec<u8>>) -> Write {
        Write { rel: CONFIG_FILE.to_string(), bytes: bytes.into(), what: What::Config, seen: None }
    }

    /// Expects the file to hold `seen` at commit time (what the user reviewed), instead of what is there when
    /// the plan is made.
    pub fn expecting(mut self, seen: Seen) -> Write {
        self.seen = Some(seen);
        self
    }
}

/// A set of writes that passed every check, ready to [`commit`](Plan::commit).
#[derive(Debug)]
pub struct Plan {
    root: PathBuf,
    writes: Vec<(Write, Seen)>,
    /// Warnings of `casebook check` for the records written (not reasons to refuse).
    pub warnings: Vec<Problem>,
}

/// A file a commit did not write because it changed after the plan was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub rel: String,
    pub message: String,
}

/// One file a commit wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub rel: String,
    pub saved: Saved,
    /// Whether the file did not exist before.
    pub added: bool,
}

/// What a commit did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Committed {
    /// In the order planned.
    pub written: Vec<Written>,
    pub conflicts: Vec<Conflict>,
}

impl Committed {
    /// For a single save, where a file changed meanwhile is a failure to report rather than a part to list.
    pub fn all_written(mut self) -> Result<Committed, StoreError> {
        match self.conflicts.pop() {
            Some(conflict) => Err(StoreError::Conflict(conflict)),
            None => Ok(self),
        }
    }
}

/// The SHA-256 of `bytes` in lower-case hex: how plans, bundles and export manifests name a content.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

/// What is at `rel` now, read within [`MAX_KEPT_BYTES`].
fn seen_now(rel: &str, path: &Path) -> Result<Seen, StoreError> {
    Ok(seen(&read_now(rel, path)?))
}

/// What `bytes` (`None`: no file) are, as a plan records it.
fn seen(bytes: &Option<Vec<u8>>) -> Seen {
    match bytes {
        Some(bytes) => Seen::Holds(sha256_hex(bytes)),
        None => Seen::Absent,
    }
}

/// The bytes at `rel` now (`None`: no file), read within [`MAX_KEPT_BYTES`].
fn read_now(rel: &str, path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    match read_bounded(path, MAX_KEPT_BYTES) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(ReadError::TooLarge { bytes, .. }) => Err(StoreError::ExistingTooLarge {
            rel: rel.to_string(),
            mb: bytes as f64 / 1048576.0,
            limit: MAX_KEPT_BYTES / 1048576,
        }),
        Err(ReadError::NotAFile) => Err(StoreError::NotAFile(rel.to_string())),
        Err(ReadError::Io(source)) => Err(StoreError::Io { path: path.to_path_buf(), source }),
    }
}

/// Checks `writes` against `lib` (see the module documentation) and returns the plan, or
/// [`StoreError::Invalid`] with every error found, or the first path that may not be written.
pub fn plan(lib: &Library, writes: Vec<Write>) -> Result<Plan, StoreError> {
    let root = &lib.root;
    let mut problems = Vec::new();
    let mut records = Vec::new();
    let mut planned = Vec::with_capacity(writes.len());
    for w in writes {
        let path = real_path_inside(root, &w.rel)?;
        match w.what {
            What::Attachment if !is_attachment_path(&w.rel) => return Err(StoreError::NotAnAttachment(w.rel)),
            What::Attachment => {}
            What::Record if !is_record_path(&w.rel) => return Err(StoreError::NotARecordPath(w.rel)),
            What::Record if w.bytes.len() as u64 > MAX_FILE_BYTES => {
                return Err(StoreError::TooLarge {
                    rel: w.rel,
                    mb: w.bytes.len() as f64 / 1048576.0,
                    limit: MAX_FILE_BYTES / 1048576,
                });
            }
            What::Record => match parse(&w.rel, &w.bytes) {
                Ok(record) => records.push(record),
                Err(p) => problems.push(p),
            },
            What::Config if w.rel != CONFIG_FILE => return Err(StoreError::NotARecordPath(w.rel)),
            What::Config => {
                if let Err(p) = parse_config(&w.bytes) {
                    problems.push(p);
                }
            }
        }
        let seen = match &w.seen {
            Some(seen) => seen.clone(),
            None => seen_now(&w.rel, &path)?,
        };
        // A new name must survive on Windows; a file already there keeps its name.
        if seen == Seen::Absent
            && let Some((part, why)) =
                w.rel.split('/').find_map(|p| super::naming::windows_refuses(p).map(|why| (p, why)))
        {
            return Err(StoreError::NotPortable { rel: w.rel.clone(), part: part.to_string(), why });
        }
        planned.push((w, seen));
    }
    let mut warnings = Vec::new();
    for p in check_candidates(lib, &records) {
        if p.severity == Severity::Error { problems.push(p) } else { warnings.push(p) }
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| (&a.path, a.line, a.code).cmp(&(&b.path, b.line, b.code)));
        return Err(StoreError::Invalid(problems));
    }
    Ok(Plan { root: root.clone(), writes: planned, warnings })
}

/// Parses a record's bytes as the loader would; a failure is the error `check` would report.
fn parse(rel: &str, bytes: &[u8]) -> Result<Record, Problem> {
    let error = |line, code, message| Problem { path: rel.to_string(), line, code, message, severity: Severity::Error };
    if bytes.is_empty() {
        return Err(error(1, "empty", "文件是空的".into()));
    }
    let (text, encoding) = decode(bytes).map_err(|e| error(0, "encoding", e.to_string()))?;
    Record::parse(rel.to_string(), &text, encoding).map_err(|e| e.problem(rel))
}

/// The name of a library's configuration file.
pub const CONFIG_FILE: &str = "casebook.yaml";

/// Reads configuration bytes as [`crate::library::Config::load`] would; a failure is the problem to report.
fn parse_config(bytes: &[u8]) -> Result<(), Problem> {
    let problem = |line, message| Problem {
        path: CONFIG_FILE.to_string(),
        line,
        code: "config",
        message,
        severity: Severity::Error,
    };
    let (text, _) = decode(bytes).map_err(|e| problem(0, e.to_string()))?;
    match crate::library::Config::parse(&text) {
        Ok(_) => Ok(()),
        Err(crate::library::ConfigError::Yaml { line, message }) => Err(problem(line, message)),
        Err(e) => Err(problem(0, e.to_string())),
    }
}

/// How to undo one write if a later one fails.
struct Undo {
    path: PathBuf,
    previous: Option<Version>,
    created_dirs: Vec<PathBuf>,
}

impl Plan {
    /// The paths this plan writes, in order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.writes.iter().map(|(w, _)| w.rel.as_str())
    }

    /// Writes the plan (see the module documentation). `lock` must be the lock of this library, held since
    /// before the library the plan was checked against was loaded.
    pub fn commit(self, lock: &WriteLock) -> Result<Committed, StoreError> {
        debug_assert_eq!(lock.root, self.root, "the write lock of another library");
        let root = &self.root;
        let mut done = Committed::default();
        let mut undo: Vec<Undo> = Vec::new();
        for (w, seen) in self.writes {
            // Read once: compared with what the plan saw, then kept in the history if it is replaced.
            let result = real_path_inside(root, &w.rel).and_then(|path| {
                let old = read_now(&w.rel, &path)?;
                Ok((path, old))
            });
            let (path, old) = match result {
                Ok(found) => found,
                Err(e) => {
                    roll_back(&undo);
                    return Err(e);
                }
            };
            let now = self::seen(&old);
            if now != seen {
                let message = match (&seen, &now) {
                    (Seen::Absent, _) => "准备写入后，该位置有了新建的文件，未覆盖",
                    (Seen::Holds(_), Seen::Absent) => "准备写入后，该文件被删除，未重新写入",
                    (Seen::Holds(_), Seen::Holds(_)) => "准备写入后，该文件被修改，未覆盖",
                };
                done.conflicts.push(Conflict {
                    rel: w.rel, message: format!("{message}；请重新操作以查看最新内容")
                });
                continue;
            }
            let created_dirs = missing_dirs(root, &path);
            match super::write_checked(root, &w.rel, &path, old, &w.bytes) {
                Ok(saved) => {
                    undo.push(Undo { path: saved.path.clone(), previous: saved.previous.clone(), created_dirs });
                    done.written.push(Written { rel: w.rel, saved, added: now == Seen::Absent });
                }
                Err(e) => {
                    roll_back(&undo);
                    remove_dirs(&created_dirs);
                    return Err(e);
                }
            }
        }
        Ok(done)
    }
}

/// The folders between `root` and `path` that do not exist yet, deepest first.
fn missing_dirs(root: &Path, path: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || d.exists() {
            break;
        }
        out.push(d.to_path_buf());
        dir = d.parent();
    }
    out
}

/// Best effort: puts back what this commit replaced, removes what it added.
fn roll_back(undo: &[Undo]) {
    for u in undo.iter().rev() {
        match &u.previous {
            Some(v) => {
                if let Ok(old) = read_bounded(&v.path, MAX_KEPT_BYTES) {
                    let _ = write_atomic(&u.path, &old);
                }
            }
            None => {
                let _ = std::fs::remove_file(&u.path);
                remove_dirs(&u.created_dirs);
            }
        }
    }
}

/// Removes folders if they are empty, deepest first.
fn remove_dirs(dirs: &[PathBuf]) {
    for d in dirs {
        let _ = std::fs::remove_dir(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str =
        "---\nkind: project\nid: yz-p01\nname: 楼栋党小组\ndistrict: 渝中区\nthemes: [党委领导]\n---\n";

    fn library() -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("yuzhong/yz-p01")).unwrap();
        std::fs::write(dir.path().join("yuzhong/yz-p01/project.md"), PROJECT).unwrap();
        std::fs::write(
            dir.path().join("yuzhong/yz-p01/yz-p01-1.md"),
            "---\nid: yz-p01-1\ntitle: 甲\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n正文\n",
        )
        .unwrap();
        let lib = Library::load(dir.path()).unwrap();
        (dir, lib)
    }

    fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out: Vec<_> = walk(root).into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect();
        out.sort();
        out
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.file_name().is_some_and(|n| n == ".casebook") {
                continue;
            }
            if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
        }
        out
    }

    #[test]
    fn a_checked_plan_writes_and_keeps_history() {
        let (dir, lib) = library();
        let lock = WriteLock::take(dir.path()).unwrap();
        let text = "---\nid: yz-p01-2\ntitle: 乙\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n正文\n";
        let planned = plan(&lib, vec![Write::record("yuzhong/yz-p01/yz-p01-2.md", text)]).unwrap();
        let done = planned.commit(&lock).unwrap();
        assert_eq!(done.written.len(), 1);
        assert!(done.written[0].added);
        let replaced = "---\nid: yz-p01-1\ntitle: 甲改\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n正文\n";
        let done = plan(&lib, vec![Write::record("yuzhong/yz-p01/yz-p01-1.md", replaced)]).unwrap().commit(&lock);
        let done = done.unwrap();
        assert!(!done.written[0].added && done.written[0].saved.previous.is_some());
    }

    #[test]
    fn errors_refuse_the_whole_plan_and_write_nothing() {
        let (dir, lib) = library();
        let before = snapshot(dir.path());
        let good = Write::record(
            "yuzhong/yz-p01/yz-p01-2.md",
            "---\nid: yz-p01-2\ntitle: 乙\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n",
        );
        let cases: Vec<Vec<Write>> = vec![
            // The same id as a record already there, in another case.
            vec![
                good.clone(),
                Write::record(
                    "yuzhong/x.md",
                    "---\nid: YZ-P01-1\ntitle: 丙\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n",
                ),
            ],
            vec![good.clone(), Write::record("yuzhong/y.md", "---\nid: [\n---\n")],
            vec![good.clone(), Write::record("yuzhong/z.md", "")],
        ];
        for writes in cases {
            assert!(matches!(plan(&lib, writes), Err(StoreError::Invalid(_))));
        }
        for (writes, what) in [
            (vec![good.clone(), Write::attachment("a.assets/evil.md", "x")], "attachment named like a record"),
            (vec![good.clone(), Write::record("a.txt", "x")], "record that is not .md"),
            (vec![good.clone(), Write::record("../a.md", "x")], "outside"),
            (vec![good.clone(), Write::record("big.md", vec![b'a'; MAX_FILE_BYTES as usize + 1])], "too large"),
            (vec![good.clone(), Write::record("yuzhong/CON.md", "x")], "a Windows device name"),
            (vec![good, Write::attachment("yuzhong/报告 /图.png", "x")], "a folder Windows cannot hold"),
        ] {
            assert!(plan(&lib, writes).is_err(), "{what}");
        }
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn a_long_held_library_is_caught_up_before_a_write_is_checked() {
        let (dir, lib) = library();
        let lib = Arc::new(lib);
        // Another process takes the id yz-p01-2 after `lib` was read.
        let taken = "---\nid: yz-p01-2\ntitle: 别处写的\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n";
        std::fs::write(dir.path().join("yuzhong/yz-p01/other.md"), taken).unwrap();
        let mine = "---\nid: yz-p01-2\ntitle: 乙\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n";
        let write = || vec![Write::record("yuzhong/yz-p01/yz-p01-2.md", mine)];
        assert!(plan(&lib, write()).is_ok(), "the old copy does not know the id is taken");
        let (_lock, now) = WriteLock::take_current(&lib).unwrap();
        let Err(StoreError::Invalid(problems)) = plan(&now, write()) else { panic!("a duplicate id was accepted") };
        assert!(problems.iter().any(|p| p.message.contains("重复")), "{problems:?}");
    }

    #[test]
    fn a_file_changed_after_planning_is_a_conflict_not_a_loss() {
        let (dir, lib) = library();
        let lock = WriteLock::take(dir.path()).unwrap();
        let rel = "yuzhong/yz-p01/yz-p01-1.md";
        let planned = plan(
            &lib,
            vec![Write::record(
                rel,
                "---\nid: yz-p01-1\ntitle: 新\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n",
            )],
        );
        std::fs::write(
            dir.path().join(rel),
            "---\nid: yz-p01-1\ntitle: 别人改的\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n",
        )
        .unwrap();
        let done = planned.unwrap().commit(&lock).unwrap();
        assert!(done.written.is_empty());
        assert_eq!(done.conflicts.len(), 1);
        assert!(std::fs::read_to_string(dir.path().join(rel)).unwrap().contains("别人改的"));
    }

    #[test]
    fn a_failed_write_puts_back_what_the_commit_wrote() {
        let (dir, lib) = library();
        let lock = WriteLock::take(dir.path()).unwrap();
        let before = snapshot(dir.path());
        let writes = vec![
            Write::record(
                "yuzhong/yz-p01/yz-p01-1.md",
                "---\nid: yz-p01-1\ntitle: 改\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n",
            ),
            Write::record(
                "yuzhong/new/yz-p01-2.md",
                "---\nid: yz-p01-2\ntitle: 乙\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n",
            ),
            Write::attachment("yuzhong/blocked/a.png", "png"),
        ];
        let planned = plan(&lib, writes).unwrap();
        // A file where the last write needs a folder: that write fails after two succeeded.
        std::fs::write(dir.path().join("yuzhong/blocked"), "not a folder").unwrap();
        assert!(planned.commit(&lock).is_err());
        let mut expected = before;
        expected.push((dir.path().join("yuzhong/blocked"), b"not a folder".to_vec()));
        expected.sort();
        assert_eq!(snapshot(dir.path()), expected, "the library is as it was");
    }
}
