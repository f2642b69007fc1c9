//! Finding and reading record files: which files are records, their change stamps, and reading one safely.

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

/// Every record file under `root`, sorted by path.
///
/// This runs on every open and every sync, so on a library of 100k write-ups it is on the path to the first
/// results and to an edit becoming searchable. Two things keep it fast: each file is stat'ed relative to its
/// open directory (`DirEntry::metadata`, no path resolution from the root), and sub-folders are walked by
/// several threads.
pub fn scan_files(root: &Path) -> std::io::Result<Vec<FileStamp>> {
    let mut out = Vec::new();
    let mut dirs = Vec::new();
    // The root itself failing is an error; an unreadable sub-folder is skipped.
    scan_dir(root, "", &mut out, &mut dirs)?;
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(SCAN_THREADS);
    if threads <= 1 || dirs.len() < 2 {
        walk(dirs, &mut out);
    } else {
        let queue = std::sync::Mutex::new(dirs);
        let found: Vec<Vec<FileStamp>> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let mut files = Vec::new();
                        loop {
                            let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop();
                            let Some(dir) = next else { break };
                            walk(vec![dir], &mut files);
                        }
                        files
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        });
        out.extend(found.into_iter().flatten());
    }
    out.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    Ok(out)
}

/// At most this many threads walk a library's folders.
const SCAN_THREADS: usize = 4;

/// Walks folders depth-first (each given as its path and its path relative to the root), skipping unreadable ones.
fn walk(mut dirs: Vec<(PathBuf, String)>, out: &mut Vec<FileStamp>) {
    while let Some((dir, rel)) = dirs.pop() {
        let _ = scan_dir(&dir, &rel, out, &mut dirs);
    }
}

/// Adds the record files directly in `dir` to `files` and its sub-folders to `dirs`; hidden entries (name
/// starting with `.`) and symbolic links are left out.
fn scan_dir(
    dir: &Path,
    rel: &str,
    files: &mut Vec<FileStamp>,
    dirs: &mut Vec<(PathBuf, String)>,
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
            dirs.push((entry.path(), rel_path));
        } else if kind.is_file() && is_record_path(&rel_path) {
            let Ok(md) = entry.metadata() else { continue };
            files.push(FileStamp { rel_path, size: md.len(), mtime_ns: mtime_ns(&md) });
        }
    }
    Ok(())
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
