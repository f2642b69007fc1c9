//! Writing an import plan: new entries, and the changed ones the caller accepts. Every write goes through the
//! library's one write path ([`crate::store::plan`]), which checks, keeps the replaced version in
//! `.casebook/history/`, and puts everything back if a write fails.

use serde::Serialize;

use super::error::BundleError;
use super::manifest::EntryKind;
use super::plan::{Change, ImportPlan, PlanEntry};
use crate::library::Library;
use crate::store::{self, Seen, Write, WriteLock};

pub use crate::store::Conflict;

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

/// Writes the plan into `lib` through the library's one write path ([`crate::store::plan`]): every
/// [`Change::New`] entry, and every [`Change::Changed`] entry for which `accept` returns true; [`Change::Same`]
/// entries are skipped and rejected ones counted. A file that no longer holds what the plan saw when it was read
/// is left alone and reported as a [`Conflict`]. If a write fails (disk full, permissions), the files already
/// written are put back as they were and the error is returned. `lock` is held since before `lib` was loaded.
pub fn apply(
    lib: &Library,
    plan: &ImportPlan,
    accept: &dyn Fn(&PlanEntry) -> bool,
    lock: &WriteLock,
) -> Result<ApplyReport, BundleError> {
    let mut report = ApplyReport::default();
    let mut writes = Vec::new();
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
        let write = if e.kind == EntryKind::Asset {
            Write::attachment(&e.rel, e.incoming.clone())
        } else {
            Write::record(&e.rel, e.incoming.clone())
        };
        writes.push(write.expecting(e.seen.clone().map_or(Seen::Absent, Seen::Holds)));
    }
    if writes.is_empty() {
        return Ok(report);
    }
    let done = store::plan(lib, writes).map_err(|e| match e {
        store::StoreError::Invalid(problems) => BundleError::Rejected(problems),
        other => other.into(),
    })?;
    let done = done.commit(lock)?;
    for w in done.written {
        if w.added { report.added.push(w.rel) } else { report.updated.push(w.rel) }
    }
    report.conflicts = done.conflicts;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{export, read_bundle};

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
        let lock = WriteLock::take(b.path()).unwrap();
        assert!(apply(&Library::load(b.path()).unwrap(), &plan, &|_| true, &lock).is_err());
        let names: Vec<_> =
            std::fs::read_dir(b.path()).unwrap().map(|e| e.unwrap().file_name()).filter(|n| n != ".casebook").collect();
        assert_eq!(names, [std::ffi::OsString::from("yz")], "the first record was removed again");
    }
}
