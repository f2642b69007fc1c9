//! 原件: the document a write-up was made from, kept in the library beside it, and whether it is still the file
//! that was filed.
//!
//! A write-up's front matter names its original (`original.file`, relative to the write-up's folder) with the
//! SHA-256 and size it had when it was filed. [`verify`] reads the file and compares; `casebook check` reports a
//! missing or changed original for every write-up ([`verify_library`]), the app says it on the detail pane. Only
//! the structure of the key is checked with the rest of a record ([`structure_problems`]): hashing every
//! original on every write would make saving slow.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use super::check::{Problem, Severity};
use super::record::{Meta, Original, Record};
use super::{Library, ReadError};

/// The largest original kept (as large as the write path keeps a file).
pub const MAX_ORIGINAL_BYTES: u64 = crate::store::MAX_KEPT_BYTES;

/// What is true of a write-up's original now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginalState {
    /// The file is there, with the size and SHA-256 it was filed with.
    Intact,
    /// No file at that path.
    Missing,
    /// The file is there but is not the one filed: another size or another SHA-256.
    Changed { size: u64, sha256: String },
    /// The file could not be read (why, in Chinese).
    Unreadable(String),
}

impl OriginalState {
    /// How the state is said to users, e.g. on the detail pane.
    pub fn label(&self) -> String {
        match self {
            OriginalState::Intact => "原件完好，与归档时一致".to_string(),
            OriginalState::Missing => "原件文件不见了".to_string(),
            OriginalState::Changed { .. } => "原件已被改动，与归档时的校验值不一致".to_string(),
            OriginalState::Unreadable(why) => format!("无法读取原件：{why}"),
        }
    }
}

/// A write-up's original, if it names one.
pub fn original_of(record: &Record) -> Option<&Original> {
    match &record.meta {
        Meta::Writeup(w) => w.original.as_ref().filter(|o| o.file.as_deref().is_some_and(|f| !f.trim().is_empty())),
        _ => None,
    }
}

/// The original's path relative to the library (`/`-separated), from the record's path and `original.file`;
/// `None` when the key leads outside the record's folder tree or is not a relative path.
pub fn original_rel(record_path: &str, file: &str) -> Option<String> {
    let file = file.trim().replace('\\', "/");
    let mut parts: Vec<&str> = match record_path.rsplit_once('/') {
        Some((dir, _)) => dir.split('/').collect(),
        None => Vec::new(),
    };
    let own = parts.len();
    for c in Path::new(&file).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str()?),
            Component::CurDir => {}
            // `..` may not climb above the record's own folder, nor may a path be absolute.
            Component::ParentDir if parts.len() > own => {
                parts.pop();
            }
            _ => return None,
        }
    }
    (parts.len() > own).then(|| parts.join("/"))
}

/// Where a record's original is on disk.
pub fn original_path(root: &Path, record: &Record) -> Option<PathBuf> {
    let file = original_of(record)?.file.as_deref()?;
    original_rel(&record.path, file).map(|rel| root.join(rel))
}

/// The SHA-256 and size of a file, read in pieces (an original may be tens of megabytes), refusing anything
/// that is not a regular file or is larger than [`MAX_ORIGINAL_BYTES`].
pub fn hash_file(path: &Path) -> Result<(String, u64), ReadError> {
    use sha2::{Digest, Sha256};
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > MAX_ORIGINAL_BYTES {
        return Err(ReadError::TooLarge { bytes: meta.len(), limit: MAX_ORIGINAL_BYTES });
    }
    let file = std::fs::File::open(path)?;
    let mut reader = file.take(MAX_ORIGINAL_BYTES + 1);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    if size > MAX_ORIGINAL_BYTES {
        return Err(ReadError::TooLarge { bytes: size, limit: MAX_ORIGINAL_BYTES });
    }
    Ok((format!("{:x}", hasher.finalize()), size))
}

/// Reads a record's original and compares it with what the record says was filed. `None` when the record
/// names no original (or names it so that it cannot be found: [`structure_problems`] reports that).
pub fn verify(root: &Path, record: &Record) -> Option<OriginalState> {
    let original = original_of(record)?;
    let path = original_path(root, record)?;
    Some(match hash_file(&path) {
        Ok((sha256, size)) => {
            let same_hash = original.sha256.as_deref().is_some_and(|h| h.trim().eq_ignore_ascii_case(&sha256));
            let same_size = original.size.is_none_or(|s| s == size);
            if same_hash && same_size { OriginalState::Intact } else { OriginalState::Changed { size, sha256 } }
        }
        Err(e) if e.is_not_found() => OriginalState::Missing,
        Err(e) => OriginalState::Unreadable(e.to_string()),
    })
}

/// The original of every write-up, checked against its file: what `casebook check` adds to the record rules.
/// Reads every original, so it is for a check run, not for every save.
pub fn verify_library(lib: &Library) -> Vec<Problem> {
    let mut out = Vec::new();
    for r in &lib.records {
        let Some(state) = verify(&lib.root, r) else { continue };
        let file = original_of(r).and_then(|o| o.file.clone()).unwrap_or_default();
        let (code, message) = match state {
            OriginalState::Intact => continue,
            OriginalState::Missing => ("original-missing", format!("原件 {file} 不存在（记录中的 original.file）")),
            OriginalState::Changed { .. } => (
                "original-changed",
                format!("原件 {file} 与归档时不一致（大小或 SHA-256 校验值不同），可能被替换或改动过"),
            ),
            OriginalState::Unreadable(why) => ("original-unreadable", format!("原件 {file} 无法读取：{why}")),
        };
        out.push(Problem { path: r.path.clone(), line: 0, code, message, severity: Severity::Warning });
    }
    out
}

/// What is wrong with the `original:` key itself (checked with the record's other rules, without reading the
/// file): a path that leads out of the record's folder, a record file named as its own original, a checksum
/// that is not one.
pub fn structure_problems(record: &Record) -> Vec<(&'static str, String)> {
    let Meta::Writeup(w) = &record.meta else { return Vec::new() };
    let Some(o) = &w.original else { return Vec::new() };
    let mut out = Vec::new();
    match o.file.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        None => out.push(("original-invalid", "original 缺少 file（原件文件的路径）".to_string())),
        Some(file) => match original_rel(&record.path, file) {
            None => {
                out.push(("original-invalid", format!("original.file 必须是写作材料所在文件夹之内的相对路径：{file}")))
            }
            Some(rel) if rel.to_lowercase().ends_with(".md") => {
                out.push(("original-invalid", format!("原件不能是 .md 文件（会被当作记录读取）：{file}")))
            }
            Some(_) => {}
        },
    }
    match o.sha256.as_deref().map(str::trim) {
        Some(h) if h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()) => {}
        Some(h) => out.push(("original-invalid", format!("original.sha256 不是 64 位十六进制的校验值：{h}"))),
        None => out.push(("original-invalid", "original 缺少 sha256（归档时的校验值）".to_string())),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_paths_stay_under_the_record_folder() {
        assert_eq!(
            original_rel("yuzhong/yz-p01/a.md", "a.assets/简报.pdf").as_deref(),
            Some("yuzhong/yz-p01/a.assets/简报.pdf")
        );
        assert_eq!(original_rel("a.md", "原件/x.pdf").as_deref(), Some("原件/x.pdf"));
        assert_eq!(original_rel("d/a.md", "a.assets\\x.pdf").as_deref(), Some("d/a.assets/x.pdf"));
        assert_eq!(original_rel("d/a.md", "x/../y.pdf").as_deref(), Some("d/y.pdf"));
        assert_eq!(original_rel("d/a.md", "../x.pdf"), None);
        assert_eq!(original_rel("d/a.md", "/etc/passwd"), None);
        assert_eq!(original_rel("d/a.md", "."), None);
    }

    #[test]
    fn verify_tells_intact_missing_and_changed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("d/a.assets")).unwrap();
        std::fs::write(dir.path().join("d/a.assets/x.pdf"), b"%PDF-1.4 original").unwrap();
        let (sha, size) = hash_file(&dir.path().join("d/a.assets/x.pdf")).unwrap();
        assert_eq!(sha, crate::store::sha256_hex(b"%PDF-1.4 original"));
        let text = format!(
            "---\nid: a\ntitle: 甲\ndistrict: 渝中区\nyear: 2022\noriginal:\n  file: a.assets/x.pdf\n  sha256: {sha}\n  size: {size}\n---\n正文\n"
        );
        std::fs::write(dir.path().join("d/a.md"), text).unwrap();
        let lib = Library::load(dir.path()).unwrap();
        let r = lib.get("a").unwrap();
        assert!(structure_problems(r).is_empty());
        assert_eq!(verify(dir.path(), r), Some(OriginalState::Intact));
        assert!(verify_library(&lib).is_empty());
        std::fs::write(dir.path().join("d/a.assets/x.pdf"), b"%PDF-1.4 forged!!").unwrap();
        assert!(matches!(verify(dir.path(), r), Some(OriginalState::Changed { .. })));
        assert_eq!(verify_library(&lib)[0].code, "original-changed");
        std::fs::remove_file(dir.path().join("d/a.assets/x.pdf")).unwrap();
        assert_eq!(verify(dir.path(), r), Some(OriginalState::Missing));
        assert_eq!(verify_library(&lib)[0].code, "original-missing");
    }
}
