//! Drafts of unsaved edits, under `.casebook/drafts/`, so that a crash or a power cut loses seconds, not an
//! afternoon of writing.
//!
//! The editor saves a draft every few seconds while a form has unsaved changes ([`save_draft`]), discards it
//! when the record is saved or the edit abandoned ([`discard_draft`]), and on start offers to restore what is
//! left ([`drafts_to_offer`]). A draft is one JSON file named after a hash of its key, written atomically.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{StoreError, atomic::write_atomic, checked_path, history::now_ms, io_err};
use crate::library::{MAX_FILE_BYTES, read_bounded};

/// A draft holds one record's text and a few fields; a larger file in the drafts folder is not one of ours.
const MAX_DRAFT_BYTES: u64 = 4 * MAX_FILE_BYTES;

/// One kept draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Chosen by the editor, e.g. the record's path for an edit, or `new:<n>` for a record not yet saved.
    pub key: String,
    /// The file the draft would replace, relative to the library (`None` for a new record).
    pub target_rel: Option<String>,
    /// The whole file text as it stood in the editor (front matter and body).
    pub text: String,
    /// When it was saved, in milliseconds since 1970 (UTC); see [`super::history::format_beijing`].
    pub saved_ms: u64,
}

/// The folder that holds the drafts.
pub fn drafts_dir(root: &Path) -> PathBuf {
    root.join(".casebook").join("drafts")
}

fn draft_path(root: &Path, key: &str) -> PathBuf {
    let digest = Sha256::digest(key.as_bytes());
    let name: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    drafts_dir(root).join(format!("{name}.json"))
}

/// Keeps `text` as the draft for `key`, replacing the previous draft of that key.
pub fn save_draft(root: &Path, key: &str, target_rel: Option<&str>, text: &str) -> Result<Draft, StoreError> {
    if let Some(rel) = target_rel {
        checked_path(root, rel)?;
    }
    // A text the record could never be saved as is not kept either (the editor says why).
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(StoreError::TooLarge {
            rel: target_rel.unwrap_or(key).to_string(),
            mb: text.len() as f64 / 1048576.0,
            limit: MAX_FILE_BYTES / 1048576,
        });
    }
    let draft = Draft {
        key: key.to_string(),
        target_rel: target_rel.map(str::to_string),
        text: text.to_string(),
        saved_ms: now_ms(),
    };
    let dir = drafts_dir(root);
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let path = draft_path(root, key);
    let json =
        serde_json::to_vec_pretty(&draft).map_err(|e| StoreError::Io { path: path.clone(), source: e.into() })?;
    write_atomic(&path, &json).map_err(io_err(&path))?;
    Ok(draft)
}

/// Every draft, newest first. Files that cannot be read (a half-written draft from an older version, a stray
/// file) are skipped.
pub fn drafts(root: &Path) -> Vec<Draft> {
    let Ok(entries) = std::fs::read_dir(drafts_dir(root)) else {
        return Vec::new();
    };
    let mut out: Vec<Draft> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|p| read_bounded(&p, MAX_DRAFT_BYTES).ok())
        .filter_map(|bytes| serde_json::from_slice::<Draft>(&bytes).ok())
        .collect();
    out.sort_by(|a, b| b.saved_ms.cmp(&a.saved_ms).then_with(|| a.key.cmp(&b.key)));
    out
}

/// The draft kept for `key`, if any.
pub fn draft(root: &Path, key: &str) -> Option<Draft> {
    let bytes = read_bounded(&draft_path(root, key), MAX_DRAFT_BYTES).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Removes the draft of `key` (nothing to do when there is none).
pub fn discard_draft(root: &Path, key: &str) -> Result<(), StoreError> {
    let path = draft_path(root, key);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err(&path)(e)),
    }
}

/// The drafts worth offering after a restart: those whose text differs from their target file as it is now.
/// Drafts identical to the file (the save went through but the app stopped before discarding) are removed.
pub fn drafts_to_offer(root: &Path) -> Vec<Draft> {
    drafts(root)
        .into_iter()
        .filter(|d| {
            let current = d
                .target_rel
                .as_deref()
                .and_then(|rel| checked_path(root, rel).ok())
                .and_then(|p| read_bounded(&p, MAX_DRAFT_BYTES).ok());
            let same = current.is_some_and(|bytes| bytes == d.text.as_bytes());
            if same {
                let _ = discard_draft(root, &d.key);
            }
            !same
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(drafts(root).is_empty());
        save_draft(root, "yuzhong/a.md", Some("yuzhong/a.md"), "---\nid: a\n---\n第一稿").unwrap();
        save_draft(root, "new:1", None, "新记录").unwrap();
        save_draft(root, "yuzhong/a.md", Some("yuzhong/a.md"), "---\nid: a\n---\n第二稿").unwrap();
        let all = drafts(root);
        assert_eq!(all.len(), 2);
        let a = draft(root, "yuzhong/a.md").unwrap();
        assert_eq!(a.text, "---\nid: a\n---\n第二稿");
        assert_eq!(a.target_rel.as_deref(), Some("yuzhong/a.md"));
        discard_draft(root, "yuzhong/a.md").unwrap();
        discard_draft(root, "yuzhong/a.md").unwrap();
        assert_eq!(drafts(root).iter().map(|d| d.key.as_str()).collect::<Vec<_>>(), ["new:1"]);
        // The drafts folder is hidden from the library scan.
        assert!(!crate::library::is_record_path(".casebook/drafts/x.md"));
    }

    #[test]
    fn stale_drafts_are_not_offered() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.md"), "已保存").unwrap();
        save_draft(root, "a.md", Some("a.md"), "已保存").unwrap();
        save_draft(root, "b.md", Some("b.md"), "未保存的修改").unwrap();
        std::fs::write(drafts_dir(root).join("junk.json"), "{not json").unwrap();
        let offered = drafts_to_offer(root);
        assert_eq!(offered.iter().map(|d| d.key.as_str()).collect::<Vec<_>>(), ["b.md"]);
        assert!(draft(root, "a.md").is_none());
    }

    #[test]
    fn refuses_targets_outside_the_library() {
        let dir = tempfile::tempdir().unwrap();
        assert!(save_draft(dir.path(), "k", Some("../x.md"), "x").is_err());
    }
}
