//! Writing an import plan: new entries, and the changed ones the caller accepts. Every write goes through
//! [`save_file`], which keeps the replaced version in `.casebook/history/`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::error::BundleError;
use super::manifest::EntryKind;
use super::plan::{Change, ImportPlan, PlanEntry};
use super::read::sha256_hex;
use crate::store::{Version, save_attachment, save_file, write_atomic};

/// What an import wrote. Paths are relative to the library.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    /// Files that did not exist and were written.
    pub added: Vec<String>,
    /// Changed files the caller accepted and that were replaced (old version kept in the history).
    pub updated: Vec<String>,
    /// Entries identical to the library, not written.
    pub unchanged: usize,
    /// Changed files the caller did not accept, left as they are.
    pub rejected: Vec<String>,
    /// Files that changed on disk after the plan was made, left as they are.
    pub conflicts: Vec<Conflict>,
}

impl ApplyReport {
    /// Whether anything was written (the search index then needs a sync).
    pub fn wrote_anything(&self) -> bool {
        !self.added.is_empty() || !self.updated.is_empty()
    }
}

/// A file the import did not write because someone changed it after the plan was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub rel: String,
    pub message: String,
}

/// How to undo one write if a later one fails.
struct Undo {
    path: PathBuf,
    previous: Option<Version>,
    created_dirs: Vec<PathBuf>,
}

/// Writes the plan into the library at `root`: every [`Change::New`] entry, and every [`Change::Changed`] entry
/// for which `accept` returns true; [`Change::Same`] entries are skipped and rejected ones counted. Just before
/// each write the target is read again: if it no longer holds what the plan saw, that entry is left alone and
/// reported as a [`Conflict`]. If a write fails (disk full, permissions), the files already written by this
/// call are put back as they were and the error is returned.
pub fn apply(root: &Path, plan: &ImportPlan, accept: &dyn Fn(&PlanEntry) -> bool) -> Result<ApplyReport, BundleError> {
    let mut report = ApplyReport::default();
    let mut undo: Vec<Undo> = Vec::new();
    for e in &plan.entries {
        match &e.change {
            Change::Same => {
                report.unchanged += 1;
                continue;
            }
            Change::Changed { .. } if !accept(e) => {
                report.rejected.push(e.rel.clone());
                continue;
            }
            Change::New | Change::Changed { .. } => {}
        }
        let path = root.join(&e.rel);
        let now = match std::fs::read(&path) {
            Ok(bytes) => Some(sha256_hex(&bytes)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(cause) => {
                roll_back(&undo);
                return Err(BundleError::Read { path, cause });
            }
        };
        if now != e.seen {
            let message = match (&e.seen, &now) {
                (None, _) => "准备导入后，本库在该位置新建了文件，未覆盖",
                (Some(_), None) => "准备导入后，本库的该文件被删除，未重新写入",
                (Some(_), Some(_)) => "准备导入后，本库的该文件被修改，未覆盖",
            };
            let message = format!("{message}；请重新导入以查看最新差异");
            report.conflicts.push(Conflict { rel: e.rel.clone(), message });
            continue;
        }
        let created_dirs = missing_dirs(root, &path);
        let saved = if e.kind == EntryKind::Asset {
            save_attachment(root, &e.rel, &e.incoming)
        } else {
            save_file(root, &e.rel, &e.incoming)
        };
        match saved {
            Ok(saved) => {
                undo.push(Undo { path: saved.path, previous: saved.previous, created_dirs });
                match e.change {
                    Change::New => report.added.push(e.rel.clone()),
                    _ => report.updated.push(e.rel.clone()),
                }
            }
            Err(err) => {
                roll_back(&undo);
                remove_dirs(&created_dirs);
                return Err(err.into());
            }
        }
    }
    Ok(report)
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

/// Best effort: puts back what this import replaced, removes what it added.
fn roll_back(undo: &[Undo]) {
    for u in undo.iter().rev() {
        match &u.previous {
            Some(v) => {
                if let Ok(old) = std::fs::read(&v.path) {
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
    use crate::bundle::{export, read_bundle};
    use crate::library::Library;

    fn writeup(id: &str) -> String {
        format!("---\nid: {id}\ntitle: 标题{id}\ndistrict: 渝中区\nyear: 2021\ntype: 工作简报\n---\n正文\n")
    }

    #[test]
    fn a_failed_write_puts_back_what_was_written() {
        let a = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(a.path().join("yz")).unwrap();
        std::fs::write(a.path().join("0.md"), writeup("w0")).unwrap();
        std::fs::write(a.path().join("yz/1.md"), writeup("w1")).unwrap();
        let out = tempfile::tempdir().unwrap();
        let zip = out.path().join("b.zip");
        export(&Library::load(a.path()).unwrap(), "渝中区", &zip).unwrap();

        let b = tempfile::tempdir().unwrap();
        let plan = read_bundle(&Library::load(b.path()).unwrap(), &zip).unwrap();
        assert_eq!(plan.new_entries().count(), 2);
        // After planning, a file appears where the second record's folder must go: writing it fails.
        std::fs::write(b.path().join("yz"), "不是文件夹").unwrap();
        assert!(apply(b.path(), &plan, &|_| true).is_err());
        let names: Vec<_> = std::fs::read_dir(b.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, [std::ffi::OsString::from("yz")], "the first record was removed again");
    }
}
