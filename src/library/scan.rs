//! Finding and reading record files: which files are records, their change stamps, and reading one safely.

use std::path::Path;

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
pub fn scan_files(root: &Path) -> std::io::Result<Vec<FileStamp>> {
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            // An unreadable sub-folder is skipped; the root itself failing is an error.
            Err(e) if e.depth() > 0 => continue,
            Err(e) => return Err(e.into()),
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel_path = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        if !is_record_path(&rel_path) {
            continue;
        }
        let Ok(md) = entry.metadata() else { continue };
        let mtime_ns = md
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        out.push(FileStamp { rel_path, size: md.len(), mtime_ns });
    }
    out.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    Ok(out)
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
    let size = std::fs::metadata(&path).map_err(|e| problem(0, "io", format!("无法读取文件：{e}")))?.len();
    if size > MAX_FILE_BYTES {
        return Err(problem(
            0,
            "too-large",
            format!(
                "文件过大（{:.1} MB），超过单个记录 {} MB 的上限",
                size as f64 / 1048576.0,
                MAX_FILE_BYTES / 1048576
            ),
        ));
    }
    let bytes = std::fs::read(&path).map_err(|e| problem(0, "io", format!("无法读取文件：{e}")))?;
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
