//! Keeping an index in step with the files: comparing the folder with the manifest, reindexing what was added,
//! changed or removed (and the write-ups of a project whose inherited facts changed), under the index lock, with
//! progress for the UI.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::SearchError;
use super::document::{ProjectInfo, index_doc, project_info};
use super::index::{RebuildReason, SearchIndex};
use super::manifest::{read_current, remove_stale};
use crate::library::{
    FileStamp, FolderStamps, MAX_FILE_BYTES, Problem, Record, Scan, decode, folder_times_reliable, is_record_path,
    parallel_map, read_record, rescan_files, scan_files, scan_library, split_front_matter,
};
use crate::store::{LibraryLock, LockName, Wait};

/// How long a sync waits for another process's index write before using the index as it is.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Records read, parsed and handed to the index writer at a time.
const INDEX_BATCH: usize = 2048;
/// A sync reindexing at most this many records defers writing the manifest (see [`ManifestFile`]).
const DEFER_MANIFEST_MAX: usize = 100;
/// The index writer's memory per indexing thread for a large sync (a build). Measured on a 100k build on 2
/// cores (BENCHMARKS.md): peak anonymous memory 550 MB with 48 MB per thread against 728 MB with 128 MB, and
/// no slower (smaller segments, merged in the background while indexing goes on).
const LARGE_SYNC_BUDGET_PER_THREAD: usize = 48 * 1024 * 1024;
/// A sync reindexing fewer records than this uses a small single-threaded writer: a large memory budget makes
/// tantivy allocate large tables up front, which costs more than indexing one edited file.
const SMALL_SYNC: usize = 1000;

/// What opening or syncing did, for progress lines and messages.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Why the index was rebuilt from scratch, if it was.
    pub rebuilt: Option<RebuildReason>,
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    /// Files that could not be read (they are not searchable until fixed).
    pub problems: Vec<Problem>,
    /// Bytes of record files read and indexed.
    pub bytes: u64,
    /// Set when another process holds the index for writing and the existing index was used as it was.
    pub stale: Option<String>,
    /// Set when the library cannot be written and the index was built in memory (it is built again next time).
    pub in_memory: Option<String>,
}

/// How far opening or syncing has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    pub done: usize,
    pub total: usize,
}

/// The steps of bringing an index up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Scanning,
    Reading,
    Indexing,
    Committing,
}

impl Phase {
    /// The word shown next to the progress bar.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Scanning => "扫描文件",
            Phase::Reading => "读取记录",
            Phase::Indexing => "建立索引",
            Phase::Committing => "写入索引",
        }
    }
}

/// Whether a scan may skip listing folders whose time is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listing {
    Trusting,
    All,
}

/// Whether applying changes takes the index lock or the caller already holds it.
#[derive(Debug, Clone, Copy)]
enum Lock {
    Take,
    Held,
}

/// A progress callback; called from the thread doing the work.
pub type ProgressFn<'a> = &'a (dyn Fn(Progress) + Sync);

pub(super) fn no_progress(_: Progress) {}

impl SearchIndex {
    /// Brings the index up to date with the folder: reindexes added, changed and removed files only.
    pub fn sync(&mut self) -> Result<SyncReport, SearchError> {
        self.sync_with_progress(&no_progress)
    }

    /// Like [`SearchIndex::sync`], reporting progress.
    pub fn sync_with_progress(&mut self, progress: ProgressFn) -> Result<SyncReport, SearchError> {
        self.sync_by(progress, Listing::Trusting, Lock::Take)
    }

    /// Like [`SearchIndex::sync`], but lists every folder, trusting no folder's time: what `casebook index`
    /// does, so that a library on a file system that misreports folder times can always be brought up to date.
    pub fn sync_listing_all(&mut self) -> Result<SyncReport, SearchError> {
        self.sync_by(&no_progress, Listing::All, Lock::Take)
    }

    /// [`SearchIndex::sync_with_progress`] for a caller already holding the index lock (or an index in memory).
    pub(super) fn sync_locked(&mut self, progress: ProgressFn) -> Result<SyncReport, SearchError> {
        self.sync_by(progress, Listing::Trusting, Lock::Held)
    }

    /// Scans, compares with the manifest, applies the changes, then keeps the scan's folder stamps.
    fn sync_by(&mut self, progress: ProgressFn, listing: Listing, lock: Lock) -> Result<SyncReport, SearchError> {
        let scan = self.scan(progress, listing)?;
        let (changed, removed) = self.diff(scan.files);
        let report = match lock {
            Lock::Take => self.apply(changed, removed, progress)?,
            Lock::Held => self.apply_locked(changed, removed, progress)?,
        };
        self.keep_folder_stamps(scan.folders);
        Ok(report)
    }

    /// Every record file of the folder, by listing every folder or by trusting the unchanged ones (see
    /// [`rescan_files`]). A scan that finds no folder time it can trust records none.
    fn scan(&self, progress: ProgressFn, listing: Listing) -> Result<Scan, SearchError> {
        progress(Progress { phase: Phase::Scanning, done: 0, total: 0 });
        let known = &self.manifest.folders;
        let scan = if !folder_times_reliable(&self.root) {
            scan_files(&self.root).map(|files| Scan { files, folders: FolderStamps::new() })
        } else if listing == Listing::Trusting && !known.is_empty() {
            rescan_files(&self.root, known, self.manifest.files.keys().map(String::as_str))
        } else {
            scan_library(&self.root)
        };
        scan.map_err(|e| SearchError::io(&self.root, e))
    }

    /// Keeps the folder stamps of the scan whose files were just applied, for the next scan to trust.
    ///
    /// Only after the files are applied: a stamp paired with an older file list would hide the files added
    /// since. A stamp older than the file list is harmless (its folder is merely listed again), so an index
    /// that switched to another process's build meanwhile may keep these. When the stamps differ (a folder
    /// listed too soon after a change can now be trusted), the manifest is saved with the index, not at once.
    fn keep_folder_stamps(&mut self, folders: FolderStamps) {
        if self.manifest.folders != folders {
            self.manifest.folders = folders;
            if self.folder.is_some() {
                self.manifest.unsaved = true;
            }
        }
    }

    /// Brings the index up to date for some files only, e.g. those a file watcher reported, without scanning the
    /// whole folder (on a library of 100k write-ups the scan alone takes most of a second). Paths start with the
    /// library's root (as a watcher reports them) or are relative to it; paths outside the library, hidden ones
    /// and non-records are ignored. A folder, or a vanished path under which records were indexed, falls back to a full
    /// [`SearchIndex::sync`].
    pub fn sync_paths(&mut self, paths: &[PathBuf]) -> Result<SyncReport, SearchError> {
        let mut changed: Vec<FileStamp> = Vec::new();
        let mut removed: Vec<String> = Vec::new();
        for path in paths {
            let rel = match path.strip_prefix(&self.root) {
                Ok(rel) => rel,
                Err(_) if path.is_absolute() => continue,
                Err(_) => path.as_path(),
            };
            let rel_path = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            if rel_path.is_empty() {
                return self.sync();
            }
            match std::fs::symlink_metadata(self.root.join(rel)) {
                Ok(md) if md.is_dir() => return self.sync(),
                Ok(md) if md.is_file() => {
                    if !is_record_path(&rel_path) {
                        continue;
                    }
                    let mtime_ns = md
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map(|d| d.as_nanos())
                        .unwrap_or(0);
                    if self.manifest.files.get(&rel_path) != Some(&(md.len(), mtime_ns)) {
                        changed.push(FileStamp { rel_path, size: md.len(), mtime_ns });
                    }
                }
                // Gone (or no longer a plain file, which a scan would not list either).
                _ => {
                    if self.manifest.files.contains_key(&rel_path) {
                        removed.push(rel_path);
                    } else {
                        let folder = format!("{rel_path}/");
                        if self
                            .manifest
                            .files
                            .range(folder.clone()..)
                            .next()
                            .is_some_and(|(p, _)| p.starts_with(&folder))
                        {
                            return self.sync();
                        }
                    }
                }
            }
        }
        changed.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
        changed.dedup_by(|a, b| a.rel_path == b.rel_path);
        removed.sort();
        removed.dedup();
        self.apply(changed, removed, &no_progress)
    }

    /// Files added or changed since the manifest, and indexed files no longer present. Both lists are sorted by
    /// path, as `stamps` is, so one pass over both does it (no per-file look-ups).
    fn diff(&self, stamps: Vec<FileStamp>) -> (Vec<FileStamp>, Vec<String>) {
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        let mut known = self.manifest.files.iter().peekable();
        for stamp in stamps {
            while let Some((path, _)) = known.next_if(|(path, _)| path[..] < stamp.rel_path[..]) {
                removed.push(path.clone());
            }
            match known.next_if(|(path, _)| **path == stamp.rel_path) {
                Some((_, &(size, mtime))) if (size, mtime) == (stamp.size, stamp.mtime_ns) => {}
                _ => changed.push(stamp),
            }
        }
        removed.extend(known.map(|(path, _)| path.clone()));
        (changed, removed)
    }

    /// Takes the index lock and applies the changes; when another process has rebuilt the index since this one
    /// opened it, switches to that index first and compares it with the folder afresh. `Busy` when another
    /// process keeps the lock longer than [`LOCK_WAIT`].
    fn apply(
        &mut self,
        changed: Vec<FileStamp>,
        removed: Vec<String>,
        progress: ProgressFn,
    ) -> Result<SyncReport, SearchError> {
        if changed.is_empty() && removed.is_empty() {
            return Ok(SyncReport::default());
        }
        let Some(folder) = self.folder.clone() else { return self.apply_locked(changed, removed, progress) };
        let _lock = match LibraryLock::acquire(&self.root, LockName::Index, Wait::UpTo(LOCK_WAIT)) {
            Ok(Some(lock)) => lock,
            Ok(None) => return Err(SearchError::Busy),
            Err(e) => return Err(SearchError::io(&crate::store::lock::lock_path(&self.root, LockName::Index), e)),
        };
        if read_current(&self.root).as_deref() != Some(folder.as_str()) {
            self.reopen()?;
            return self.sync_locked(progress);
        }
        // Folders of builds that were interrupted or superseded.
        remove_stale(&self.root, Some(&folder));
        self.apply_locked(changed, removed, progress)
    }

    /// Reindexes `changed` files (and the records that inherit from a changed project) and removes `removed` ones.
    fn apply_locked(
        &mut self,
        changed: Vec<FileStamp>,
        removed: Vec<String>,
        progress: ProgressFn,
    ) -> Result<SyncReport, SearchError> {
        let mut report = SyncReport::default();
        if changed.is_empty() && removed.is_empty() {
            return Ok(report);
        }
        for s in &changed {
            if self.manifest.files.contains_key(&s.rel_path) {
                report.updated += 1;
            } else {
                report.added += 1;
            }
            report.bytes += s.size;
        }
        report.removed = removed.len();

        let root = self.root.clone();
        progress(Progress { phase: Phase::Reading, done: 0, total: changed.len() });
        // Projects first: write-ups inherit their district and themes, so the project table must be complete
        // before anything is indexed. Only files declaring a `kind` can be projects.
        let kinds: Vec<bool> = parallel_map(&changed, |s| declares_kind(&root, &s.rel_path));
        let candidates: Vec<&FileStamp> = changed.iter().zip(&kinds).filter(|(_, k)| **k).map(|(s, _)| s).collect();
        let projects: Vec<(String, Option<ProjectInfo>)> = parallel_map(&candidates, |s| {
            let info = read_record(&root, &s.rel_path).ok().and_then(|r| project_info(&r, &self.config));
            (s.rel_path.clone(), info)
        });

        // Update the project table and note which projects' inherited facts changed. Only the entries of changed
        // and removed files can differ.
        let touched: Vec<&String> = removed.iter().chain(changed.iter().map(|s| &s.rel_path)).collect();
        let mut old_projects: HashMap<&str, ProjectInfo> = HashMap::new();
        for path in &touched {
            if let Some(old) = self.manifest.projects.by_path.remove(*path) {
                old_projects.insert(&path[..], old);
            }
        }
        for (path, info) in projects {
            if let Some(info) = info {
                self.manifest.projects.by_path.insert(path, info);
            }
        }
        let mut affected: HashSet<String> = HashSet::new();
        for path in &touched {
            let old = old_projects.get(&path[..]);
            let new = self.manifest.projects.by_path.get(*path);
            if old != new {
                for info in old.into_iter().chain(new) {
                    affected.insert(info.id.clone());
                    affected.insert(info.name.clone());
                }
            }
        }
        let already: HashSet<&str> = changed.iter().map(|s| s.rel_path.as_str()).collect();
        let gone: HashSet<&str> = removed.iter().map(String::as_str).collect();
        let dependents: Vec<String> = self
            .paths_referencing(&affected)?
            .into_iter()
            .filter(|p| {
                !already.contains(p.as_str()) && !gone.contains(p.as_str()) && self.manifest.files.contains_key(p)
            })
            .collect();

        let work: Vec<&str> =
            changed.iter().map(|s| s.rel_path.as_str()).chain(dependents.iter().map(String::as_str)).collect();
        let total = work.len();
        let (threads, budget) = if total < SMALL_SYNC {
            (1, 20 * 1024 * 1024)
        } else {
            let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
            (threads, threads * LARGE_SYNC_BUDGET_PER_THREAD)
        };
        let mut writer: IndexWriter<TantivyDocument> = match self.index.writer_with_num_threads(threads, budget) {
            Ok(w) => w,
            Err(tantivy::TantivyError::LockFailure(..)) => return Err(SearchError::Busy),
            Err(e) => return Err(e.into()),
        };
        let f = self.fields;
        for path in removed.iter().map(String::as_str).chain(work.iter().copied()) {
            writer.delete_term(Term::from_field_text(f.path, path));
        }
        // Read, parse and index batch by batch, so memory holds one batch of parsed records, not the library.
        let lookup = self.manifest.projects.lookup();
        for (b, batch) in work.chunks(INDEX_BATCH).enumerate() {
            progress(Progress { phase: Phase::Indexing, done: b * INDEX_BATCH, total });
            let parsed: Vec<Result<Record, Problem>> = parallel_map(batch, |p| read_record(&root, p));
            for result in parsed {
                match result {
                    Ok(record) => {
                        let doc = index_doc(&record, &self.config, &lookup);
                        writer.add_document(doc.to_tantivy(&f))?;
                    }
                    Err(problem) => report.problems.push(problem),
                }
            }
        }
        progress(Progress { phase: Phase::Committing, done: total, total });
        writer.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;

        for p in &removed {
            self.manifest.files.remove(p);
        }
        for s in &changed {
            self.manifest.files.insert(s.rel_path.clone(), (s.size, s.mtime_ns));
        }
        self.manifest.unsaved = true;
        if total + removed.len() > DEFER_MANIFEST_MAX {
            self.manifest.save()?;
        }
        Ok(report)
    }

    /// Paths of indexed records that reference any of these project ids or names.
    fn paths_referencing(&self, projects: &HashSet<String>) -> Result<Vec<String>, SearchError> {
        if projects.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for p in projects {
            let q = TermQuery::new(Term::from_field_text(self.fields.project, p), IndexRecordOption::Basic);
            for addr in searcher.search(&q, &DocSetCollector)? {
                let doc: TantivyDocument = searcher.doc(addr)?;
                if let Some(path) = doc.get_first(self.fields.path).and_then(|v| v.as_str()) {
                    out.push(path.to_string());
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// Whether a record file declares a top-level `kind` (project, site or collection), found without parsing its
/// YAML (the same test [`Record::parse`] applies). Only such files can be projects, whose facts write-ups
/// inherit, so a sync reads them first and can then index everything else batch by batch instead of holding
/// every parsed record at once. A file that cannot be read or has no front matter counts as declaring one: its
/// full read will report the problem.
pub(super) fn declares_kind(root: &Path, rel_path: &str) -> bool {
    let Ok(bytes) = crate::library::read_bounded(&root.join(rel_path), MAX_FILE_BYTES) else { return true };
    let Ok((text, _)) = decode(&bytes) else { return true };
    let Some((yaml, _, _)) = split_front_matter(&text) else { return true };
    yaml.lines().any(|l| l.strip_prefix("kind").is_some_and(|r| r.trim_start().starts_with(':')))
}
