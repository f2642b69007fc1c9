//! Finding and reading record files: which files are records, their change stamps, and reading one safely.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::check::{Problem, Severity};
use super::encoding::{TextEncoding, decode};
use super::record::Record;

/// Larger files are refused: a write-up is a few kilobytes, and a stray export or database dump must not stall
/// loading or indexing.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// A record file and what tells whether it changed since it was indexed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileStamp {
    /// Relative to the library root, `/`-separated.
    pub rel_path: String,
    pub size: u64,
    pub mtime_ns: u128,
}

/// Whether a relative path names a record: a `.md` file, not a README, not under a hidden folder.
pub fn is_record_path(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    if !lower.ends_with(".md") {
        return false;
    }
    let mut parts = rel.split('/').peekable();
    while let Some(part) = parts.next() {
        if part.starts_with('.') {
            return false;
        }
        if parts.peek().is_none() && part.eq_ignore_ascii_case("readme.md") {
            return false;
        }
    }
    true
}

/// Each folder's modification time when a scan listed it, by path relative to the root (`""` for the root).
///
/// Adding, removing or renaming an entry changes its folder's time, so a folder whose time is unchanged holds
/// the same files as when it was listed, and the next scan need only stat them (see [`rescan_files`]). 0 marks
/// a folder listed too soon after it changed to be sure of that (see [`RACY`]).
pub type FolderStamps = BTreeMap<String, u128>;

/// What a scan found: every record file, sorted by path, and the stamp of each folder it listed or trusted.
#[derive(Debug, Default)]
pub struct Scan {
    pub files: Vec<FileStamp>,
    pub folders: FolderStamps,
}

/// A folder whose time is this close to the start of the scan that lists it (or later) gets no stamp: an entry
/// added right after the listing, within the same tick of the file system's clock (2 s on FAT, a few
/// milliseconds elsewhere), would leave the time unchanged. Git calls such entries "racily clean".
const RACY: std::time::Duration = std::time::Duration::from_secs(3);

/// Every record file under `root`, sorted by path, by listing every folder; no folder stamps are taken (a
/// library read whole, or a file system whose folder times cannot be trusted, has no use for them).
pub fn scan_files(root: &Path) -> std::io::Result<Vec<FileStamp>> {
    Walker { known: None, trust_before: 0, stamps: false }.run(root).map(|scan| scan.files)
}

/// Lists every folder under `root`: every record file, sorted by path, and the folders' stamps.
///
/// This runs on every open and every sync, so on a library of 100k write-ups it is on the path to the first
/// results and to an edit becoming searchable. Two things keep it fast: each file is stat'ed relative to its
/// open directory (`DirEntry::metadata`, no path resolution from the root), and sub-folders are walked by
/// several threads.
pub fn scan_library(root: &Path) -> std::io::Result<Scan> {
    Walker { known: None, trust_before: trust_before(), stamps: true }.run(root)
}

/// What [`scan_library`] would find, from the stamps of an earlier scan and the files it found (`known`): a
/// folder whose time has not changed is not listed again, only its known files and sub-folders are stat'ed.
/// On 10k write-ups (13,459 files in 3,375 folders) this took the comparison from 38 to 27 ms; the stat of
/// every file, which finds a file changed in place, is the rest (BENCHMARKS.md).
///
/// Only sound where folder times follow their entries ([`folder_times_reliable`]); files changed in place are
/// found either way, by their own stamps.
pub fn rescan_files<'a>(
    root: &Path,
    folders: &FolderStamps,
    known: impl IntoIterator<Item = &'a str>,
) -> std::io::Result<Scan> {
    let known = Known {
        folders,
        files_in: by_parent(known),
        folders_in: by_parent(folders.keys().map(String::as_str).filter(|p| !p.is_empty())),
    };
    Walker { known: Some(&known), trust_before: trust_before(), stamps: true }.run(root)
}

/// Relative paths grouped by their folder: folder → names.
fn by_parent<'a>(paths: impl IntoIterator<Item = &'a str>) -> HashMap<&'a str, Vec<&'a str>> {
    let mut out: HashMap<&str, Vec<&str>> = HashMap::new();
    for path in paths {
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        out.entry(parent).or_default().push(name);
    }
    out
}

/// The latest folder time that can be trusted, in nanoseconds since 1970: [`RACY`] before now.
fn trust_before() -> u128 {
    let now = std::time::SystemTime::now().checked_sub(RACY).unwrap_or(std::time::UNIX_EPOCH);
    now.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

/// What an earlier scan found, arranged by folder.
struct Known<'a> {
    folders: &'a FolderStamps,
    /// Names of the record files directly in each folder.
    files_in: HashMap<&'a str, Vec<&'a str>>,
    /// Names of the sub-folders of each folder.
    folders_in: HashMap<&'a str, Vec<&'a str>>,
}

/// A folder still to be visited: its path, its path relative to the root, and its time if the listing of its
/// parent already gave it.
type Pending = (PathBuf, String, Option<u128>);

/// What a walk collects.
#[derive(Default)]
struct Found {
    files: Vec<FileStamp>,
    folders: Vec<(String, u128)>,
}

/// One scan: lists folders, or trusts those whose time is as `known` recorded it.
struct Walker<'a> {
    known: Option<&'a Known<'a>>,
    trust_before: u128,
    /// Whether folder times are taken (a stat per folder) and recorded.
    stamps: bool,
}

impl Walker<'_> {
    fn run(&self, root: &Path) -> std::io::Result<Scan> {
        let mut found = Found::default();
        let mut pending = Vec::new();
        // The root itself failing is an error; an unreadable sub-folder is skipped.
        let mtime = if self.stamps { mtime_ns(&std::fs::metadata(root)?) } else { 0 };
        self.visit(root, "", mtime, &mut found, &mut pending)?;
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(SCAN_THREADS);
        if threads <= 1 || pending.len() < 2 {
            self.walk(pending, &mut found);
        } else {
            let queue = std::sync::Mutex::new(pending);
            let parts: Vec<Found> = std::thread::scope(|s| {
                let workers: Vec<_> = (0..threads)
                    .map(|_| {
                        s.spawn(|| {
                            let mut part = Found::default();
                            loop {
                                let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop();
                                let Some(folder) = next else { break };
                                self.walk(vec![folder], &mut part);
                            }
                            part
                        })
                    })
                    .collect();
                workers.into_iter().map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
            });
            for part in parts {
                found.files.extend(part.files);
                found.folders.extend(part.folders);
            }
        }
        found.files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
        Ok(Scan { files: found.files, folders: found.folders.into_iter().collect() })
    }

    /// Visits folders depth-first, skipping unreadable ones and what is no longer a folder.
    fn walk(&self, mut pending: Vec<Pending>, found: &mut Found) {
        while let Some((dir, rel, mtime)) = pending.pop() {
            let mtime = match mtime {
                Some(t) => t,
                None if !self.stamps => 0,
                None => match std::fs::symlink_metadata(&dir) {
                    Ok(md) if md.is_dir() => mtime_ns(&md),
                    _ => continue,
                },
            };
            let _ = self.visit(&dir, &rel, mtime, found, &mut pending);
        }
    }

    /// Adds the record files directly in `dir` to `found` and its sub-folders to `pending`: from `known` when
    /// the folder's time is as recorded there, else by listing it.
    fn visit(
        &self,
        dir: &Path,
        rel: &str,
        mtime: u128,
        found: &mut Found,
        pending: &mut Vec<Pending>,
    ) -> std::io::Result<()> {
        if let Some(known) = self.known
            && mtime != 0
            && known.folders.get(rel) == Some(&mtime)
        {
            found.folders.push((rel.to_string(), mtime));
            let join = |name: &str| if rel.is_empty() { name.to_string() } else { format!("{rel}/{name}") };
            for name in known.files_in.get(rel).into_iter().flatten() {
                // Unchanged folder, so the entry is the one listed before, unless it was replaced in place.
                if let Ok(md) = std::fs::symlink_metadata(dir.join(name))
                    && md.is_file()
                {
                    found.files.push(FileStamp { rel_path: join(name), size: md.len(), mtime_ns: mtime_ns(&md) });
                }
            }
            for name in known.folders_in.get(rel).into_iter().flatten() {
                pending.push((dir.join(name), join(name), None));
            }
            return Ok(());
        }
        // The time is taken before listing: a change during the listing makes it differ next time.
        list_dir(dir, rel, self.stamps, &mut found.files, pending)?;
        if self.stamps {
            found.folders.push((rel.to_string(), if mtime < self.trust_before { mtime } else { 0 }));
        }
        Ok(())
    }
}

/// At most this many threads walk a library's folders.
const SCAN_THREADS: usize = 4;

/// Adds the record files directly in `dir` to `files` and its sub-folders to `dirs` (with their times when
/// `stamps`); hidden entries (name starting with `.`) and symbolic links are left out.
fn list_dir(
    dir: &Path,
    rel: &str,
    stamps: bool,
    files: &mut Vec<FileStamp>,
    dirs: &mut Vec<Pending>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else { continue };
        let rel_path = if rel.is_empty() { name.into_owned() } else { format!("{rel}/{name}") };
        if kind.is_dir() {
            let mtime = if stamps { entry.metadata().ok().map(|md| mtime_ns(&md)) } else { None };
            dirs.push((entry.path(), rel_path, mtime));
        } else if kind.is_file() && is_record_path(&rel_path) {
            let Ok(md) = entry.metadata() else { continue };
            files.push(FileStamp { rel_path, size: md.len(), mtime_ns: mtime_ns(&md) });
        }
    }
    Ok(())
}

/// Sets the time of `root` and of every folder under it (not hidden ones, such as `.casebook/`) an hour back,
/// as if unchanged since long before a scan: what a test needs for a scan to trust them.
#[cfg(all(test, unix))]
pub(crate) fn age_folders(root: &Path) {
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let walk = walkdir::WalkDir::new(root).into_iter();
    for entry in walk.filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')) {
        let entry = entry.expect("walk a test folder");
        if entry.file_type().is_dir() {
            std::fs::File::open(entry.path()).and_then(|f| f.set_modified(old)).expect("age a test folder");
        }
    }
}

/// A file's modification time in nanoseconds since 1970 (0 when the system does not say).
pub(crate) fn mtime_ns(md: &std::fs::Metadata) -> u128 {
    md.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_nanos()).unwrap_or(0)
}

/// Reads and parses one record file; every failure becomes a [`Problem`] naming the file and line.
pub fn read_record(root: &Path, rel_path: &str) -> Result<Record, Problem> {
    let problem = |line: usize, code: &'static str, message: String| Problem {
        path: rel_path.to_string(),
        line,
        code,
        message,
        severity: Severity::Error,
    };
    let path = root.join(rel_path);
    let bytes = super::read_bounded(&path, MAX_FILE_BYTES).map_err(|e| match e {
        super::ReadError::TooLarge { bytes, limit } => problem(
            0,
            "too-large",
            format!("文件过大（{:.1} MB），超过单个记录 {} MB 的上限", bytes as f64 / 1048576.0, limit / 1048576),
        ),
        e => problem(0, "io", format!("无法读取文件：{e}")),
    })?;
    if bytes.is_empty() {
        return Err(problem(1, "empty", "文件是空的".into()));
    }
    let (text, encoding) = decode(&bytes).map_err(|e| problem(0, "encoding", e.to_string()))?;
    Record::parse(rel_path.to_string(), &text, encoding).map_err(|e| problem(e.line, e.code, e.message))
}

impl Record {
    /// Whether this record was stored as GBK/GB18030.
    pub fn is_gbk(&self) -> bool {
        self.encoding == TextEncoding::Gb18030
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_finds_records_only_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in [
            "a/b/x.md",
            "a/y.md",
            "b/z.MD",
            "top.md",
            "README.md",
            "a/readme.md",
            ".casebook/i.md",
            "a/.hidden/h.md",
            "c/notes.txt",
            "d/e/f/g.md",
        ] {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x").unwrap();
        }
        let found: Vec<String> = scan_files(root).unwrap().into_iter().map(|s| s.rel_path).collect();
        assert_eq!(found, ["a/b/x.md", "a/y.md", "b/z.MD", "d/e/f/g.md", "top.md"]);
        let stamps = scan_files(root).unwrap();
        assert!(stamps.iter().all(|s| s.size == 1 && s.mtime_ns > 0));
        assert!(scan_files(&root.join("missing")).is_err());
    }

    #[cfg(unix)]
    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// After every kind of change, a scan that trusts unchanged folders finds what listing every folder finds.
    #[cfg(unix)]
    #[test]
    fn a_rescan_finds_what_a_full_scan_finds() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in ["a/b/x.md", "a/b/y.md", "a/keep.md", "c/d/e/z.md", "c/d/gone/g.md", "top.md", "m/n.md", "r/old.md"]
        {
            write(root, rel, "---\nid: x\n---\n");
        }
        age_folders(root);
        let before = scan_library(root).unwrap();
        assert!(before.folders.values().all(|&t| t != 0), "aged folders are trusted: {:?}", before.folders);
        assert_eq!(before.folders.len(), 9, "{:?}", before.folders.keys().collect::<Vec<_>>());

        write(root, "a/b/new.md", "新");
        std::fs::write(root.join("a/keep.md"), "改过的内容，长度不同").unwrap();
        std::fs::remove_dir_all(root.join("c/d/gone")).unwrap();
        std::fs::rename(root.join("r"), root.join("renamed")).unwrap();
        write(root, "brand/new/deep/w.md", "新");
        std::fs::remove_file(root.join("m/n.md")).unwrap();
        std::fs::create_dir(root.join("m/n.md")).unwrap();
        write(root, "m/n.md/inner.md", "夹在里面");
        std::fs::remove_file(root.join("top.md")).unwrap();

        let full = scan_library(root).unwrap();
        let known = before.files.iter().map(|f| f.rel_path.as_str());
        let again = rescan_files(root, &before.folders, known).unwrap();
        assert_eq!(again.files, full.files);
        let paths: Vec<&str> = again.files.iter().map(|f| f.rel_path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "a/b/new.md",
                "a/b/x.md",
                "a/b/y.md",
                "a/keep.md",
                "brand/new/deep/w.md",
                "c/d/e/z.md",
                "m/n.md/inner.md",
                "renamed/old.md"
            ]
        );
        assert_eq!(again.folders.keys().collect::<Vec<_>>(), full.folders.keys().collect::<Vec<_>>());
        // Folders changed just now are listed again next time, not trusted.
        assert_eq!(again.folders["a/b"], 0);
        assert_ne!(again.folders["c/d/e"], 0);
    }

    /// An unchanged folder is not listed: a file slipped into it with its time put back is not seen, which is
    /// what makes the scan fast, and why it is used only where folder times follow their entries.
    #[cfg(unix)]
    #[test]
    fn a_rescan_trusts_folders_whose_time_is_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "a/x.md", "x");
        age_folders(root);
        let before = scan_library(root).unwrap();
        let time = std::fs::metadata(root.join("a")).unwrap().modified().unwrap();
        write(root, "a/hidden.md", "y");
        std::fs::File::open(root.join("a")).unwrap().set_modified(time).unwrap();
        std::fs::write(root.join("a/x.md"), "changed in place").unwrap();
        let again = rescan_files(root, &before.folders, before.files.iter().map(|f| f.rel_path.as_str())).unwrap();
        assert_eq!(again.files.len(), 1, "not listed: {:?}", again.files);
        assert_eq!(again.files[0].size, 16, "a file changed in place is seen by its own stamp");
        assert_eq!(scan_library(root).unwrap().files.len(), 2);
    }

    #[test]
    fn which_paths_are_records() {
        assert!(is_record_path("a/b.md"));
        assert!(is_record_path("渝中区/经验.MD"));
        assert!(!is_record_path("README.md"));
        assert!(!is_record_path("a/readme.md"));
        assert!(!is_record_path(".casebook/x.md"));
        assert!(!is_record_path("a/.hidden/x.md"));
        assert!(!is_record_path("a/b.txt"));
    }
}
