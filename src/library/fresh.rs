//! Bringing a loaded library up to date with its folder, cheaply.
//!
//! The app holds a library for as long as it is open, while the CLI or another window may write into the same
//! folder. A write checked against that old copy could miss an id taken meanwhile, so the app's writes first
//! ask for [`Library::caught_up`] under the write lock: one walk of the folder (no file read) when nothing
//! changed, and only the changed files read again when something did.

use std::collections::HashMap;
use std::path::Path;

use super::scan::mtime_ns;
use super::{Config, FileStamp, Library, LibraryError, Problem, Record, parallel_map, read_record, scan_files};

/// What the folder held when a library was read: the record files' stamps, and the configuration's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FolderState {
    pub files: Vec<FileStamp>,
    /// Size and modification time of `casebook.yaml`; `None` when there is none.
    pub config: Option<(u64, u128)>,
}

/// The stamp of the library's configuration file, `None` when it has none.
pub(super) fn config_stamp(root: &Path) -> Option<(u64, u128)> {
    let md = std::fs::metadata(root.join("casebook.yaml")).ok()?;
    Some((md.len(), mtime_ns(&md)))
}

impl Library {
    /// The library as its folder is now: `Ok(None)` when nothing changed since it was read, otherwise a new
    /// library in which only the files whose size or time changed are read again. A library built in memory
    /// is read whole.
    pub fn caught_up(&self) -> Result<Option<Library>, LibraryError> {
        let Some(before) = &self.read_from else {
            return Library::load(&self.root).map(Some);
        };
        let config_now = config_stamp(&self.root);
        let files = scan_files(&self.root).map_err(|source| LibraryError::Io { path: self.root.clone(), source })?;
        if config_now == before.config && files == before.files {
            return Ok(None);
        }
        let config = if config_now == before.config { self.config.clone() } else { Config::load(&self.root)? };
        let unchanged: HashMap<&str, &FileStamp> = before.files.iter().map(|f| (f.rel_path.as_str(), f)).collect();
        let records: HashMap<&str, &Record> = self.records.iter().map(|r| (r.path.as_str(), r)).collect();
        let problems: HashMap<&str, Vec<&Problem>> = self.load_problems.iter().fold(HashMap::new(), |mut m, p| {
            m.entry(p.path.as_str()).or_default().push(p);
            m
        });
        let results: Vec<Result<Record, Vec<Problem>>> = parallel_map(&files, |f| {
            let same = unchanged.get(f.rel_path.as_str()).is_some_and(|old| *old == f);
            if same {
                if let Some(r) = records.get(f.rel_path.as_str()) {
                    return Ok((*r).clone());
                }
                if let Some(ps) = problems.get(f.rel_path.as_str()) {
                    return Err(ps.iter().map(|p| (*p).clone()).collect());
                }
            }
            read_record(&self.root, &f.rel_path).map_err(|p| vec![p])
        });
        Ok(Some(Library::read(self.root.clone(), config, results, FolderState { files, config: config_now })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn an_unchanged_folder_reads_nothing_and_changes_are_seen() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "a/p.md", "---\nkind: project\nid: p1\nname: 甲\ndistrict: 渝中区\nthemes: [党委领导]\n---\n");
        write(root, "a/w.md", "---\nid: w1\ntitle: 一\nproject: p1\ndistrict: 渝中区\nyear: 2021\n---\n正文\n");
        write(root, "a/bad.md", "---\nid: [\n---\n");
        let lib = Library::load(root).unwrap();
        assert!(lib.caught_up().unwrap().is_none());

        // Another process adds a record, changes one and removes the broken one.
        write(root, "a/w2.md", "---\nid: w2\ntitle: 二\nproject: p1\ndistrict: 渝中区\nyear: 2021\n---\n");
        write(root, "a/w.md", "---\nid: w1\ntitle: 一改过了\nproject: p1\ndistrict: 渝中区\nyear: 2021\n---\n");
        std::fs::remove_file(root.join("a/bad.md")).unwrap();
        let now = lib.caught_up().unwrap().expect("the folder changed");
        assert!(now.get("w2").is_some());
        assert_eq!(now.get("w1").unwrap().title(), "一改过了");
        assert!(now.load_problems.is_empty());
        let fresh = Library::load(root).unwrap();
        let paths = |l: &Library| l.records.iter().map(|r| r.path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&now), paths(&fresh));
        assert!(now.caught_up().unwrap().is_none());

        // A new vocabulary is read too.
        write(root, "casebook.yaml", "stop_words: [经验]\n");
        assert!(now.caught_up().unwrap().is_some());
    }
}
