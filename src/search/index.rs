//! The derived index under `<library>/.casebook/`: opening it, keeping it in step with the files, and rebuilding
//! it when it is missing, stale or corrupt. The index is a cache: deleting it loses nothing.
//!
//! `casebook-manifest.json` beside the tantivy files records, per file, the size and modification time last
//! indexed and, per project, what write-ups inherit from it. Opening compares the folder against it and reindexes
//! only what was added, changed or removed (plus the write-ups of a project whose name, district or themes
//! changed).
//!
//! Crash and race safety: each full build goes into a new folder `.casebook/index-<stamp>/`, and the small file
//! `.casebook/current` names the folder in use. A build switches `current` (an atomic replace) only once it is
//! complete, so a process killed half-way leaves the previous index in use, never a torn one. Every write to the
//! index (sync or rebuild) holds the library's index lock ([`LockName::Index`]); a process that finds `current`
//! moved on since it opened the index reopens the new one before writing. A library that cannot be written
//! (read-only folder) is indexed in memory.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::SearchError;
use super::document::{ProjectInfo, ProjectTable, index_doc, project_info};
use super::facets::FacetCache;
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::segmenter::{Segmenter, shared_segmenter};
use super::tokenizer::{BIGRAM, BigramTokenizer, JIEBA, JiebaTokenizer};
use super::vocabulary::Vocabulary;
use crate::library::{
    Config, FileStamp, MAX_FILE_BYTES, Problem, Record, decode, is_record_path, parallel_map, read_record, scan_files,
    split_front_matter,
};
use crate::store::lock::is_read_only;
use crate::store::{LibraryLock, LockName, Wait, write_atomic};

/// At most this many threads search one query (one per segment).
const SEARCH_THREADS: usize = 4;

/// Folder (inside the library) that holds everything derived.
pub const CACHE_DIR: &str = ".casebook";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    schema_version: u32,
    analysis: u64,
    files: BTreeMap<String, (u64, u128)>,
    projects: ProjectTable,
}

/// The manifest in memory, and whether the file on disk lags behind it.
///
/// A sync that reindexes only a few records (an edit) does not rewrite the file at once: on a library of 100k
/// write-ups it is 13 MB of JSON, most of the time between an edit and its being searchable. It is written by the
/// next larger sync or when the index is dropped. Should the process die first, the file is merely stale, and
/// the next open reindexes those few files again: the index can never hold less than the manifest claims.
struct ManifestFile {
    manifest: Manifest,
    /// `None` for an index in memory, which has nothing to save.
    path: Option<PathBuf>,
    unsaved: bool,
}

impl ManifestFile {
    fn save(&mut self) -> Result<(), SearchError> {
        if let Some(path) = &self.path {
            let bytes = serde_json::to_vec(&self.manifest).map_err(|e| SearchError::Corrupt(e.to_string()))?;
            write_atomic(path, &bytes).map_err(|e| SearchError::io(path, e))?;
        }
        self.unsaved = false;
        Ok(())
    }

    /// Drops the manifest without saving it (the index it describes is being rebuilt).
    fn discard(mut self) {
        self.unsaved = false;
    }
}

impl Drop for ManifestFile {
    fn drop(&mut self) {
        if self.unsaved {
            let _ = self.save();
        }
    }
}

impl std::ops::Deref for ManifestFile {
    type Target = Manifest;
    fn deref(&self) -> &Manifest {
        &self.manifest
    }
}

impl std::ops::DerefMut for ManifestFile {
    fn deref_mut(&mut self) -> &mut Manifest {
        &mut self.manifest
    }
}

/// How long a sync waits for another process's index write before using the index as it is.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);
/// The file naming the index folder in use, and the manifest's name inside that folder.
const CURRENT_FILE: &str = "current";
const MANIFEST_FILE: &str = "casebook-manifest.json";

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

/// Why an index was built from scratch: told to the user once, and tested on by kind rather than by wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebuildReason {
    /// The library had no index yet.
    FirstBuild,
    /// The index was written by another version of Casebook.
    FormatUpgraded,
    /// The index's files are gone.
    FilesMissing,
    /// The description of the index is gone.
    ManifestMissing,
    /// The description of the index cannot be read.
    ManifestDamaged,
    /// The dictionary (`casebook.yaml`) changed how text is cut into words.
    DictionaryChanged,
    /// The index has other fields than this version writes.
    FieldsChanged,
    /// tantivy could not open the index.
    CannotOpen(String),
    /// The index opened but a part of it is damaged.
    Damaged(String),
    /// Bringing the index up to date failed.
    UpdateFailed(String),
    /// A search found the index damaged.
    DamagedOnSearch(String),
    /// The user asked (`index --rebuild`).
    Asked,
}

impl RebuildReason {
    /// What the user is told.
    pub fn label(&self) -> String {
        match self {
            RebuildReason::FirstBuild => "首次建立索引".into(),
            RebuildReason::FormatUpgraded => "索引格式已升级，已从文件重建".into(),
            RebuildReason::FilesMissing => "索引文件缺失，已从文件重建".into(),
            RebuildReason::ManifestMissing => "索引清单缺失，已从文件重建".into(),
            RebuildReason::ManifestDamaged => "索引清单损坏，已从文件重建".into(),
            RebuildReason::DictionaryChanged => "分词词典已更改，已从文件重建".into(),
            RebuildReason::FieldsChanged => "索引字段与当前版本不符，已从文件重建".into(),
            RebuildReason::CannotOpen(e) => format!("索引无法打开（{e}），已从文件重建"),
            RebuildReason::Damaged(e) => format!("索引已损坏（{e}），已从文件重建"),
            RebuildReason::UpdateFailed(e) => format!("索引更新失败（{e}），已从文件重建"),
            RebuildReason::DamagedOnSearch(e) => format!("检索时发现索引损坏（{e}），已从文件重建"),
            RebuildReason::Asked => "按要求完整重建".into(),
        }
    }
}

/// As its label, so that `--json` reports say it as the terminal does.
impl Serialize for RebuildReason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.label())
    }
}

impl std::fmt::Display for RebuildReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

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

/// A progress callback; called from the thread doing the work.
pub type ProgressFn<'a> = &'a (dyn Fn(Progress) + Sync);

fn no_progress(_: Progress) {}

/// A library's search index.
pub struct SearchIndex {
    pub(crate) root: PathBuf,
    pub(crate) config: Config,
    /// Jieba for the library's dictionary: partial for queries, whole for indexing (see [`super::segmenter`]).
    pub(crate) segmenter: Arc<Segmenter>,
    /// The stop list and concept vocabulary, folded for look-ups.
    pub(crate) vocab: Arc<Vocabulary>,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// Facet ordinals per segment, read once (see [`super::facets`]).
    pub(crate) facet_cache: FacetCache,
    manifest: ManifestFile,
    /// The folder under `.casebook/` holding this index; `None` when it lives in memory.
    folder: Option<String>,
}

fn cache_dir(root: &Path) -> PathBuf {
    root.join(CACHE_DIR)
}

fn current_path(root: &Path) -> PathBuf {
    cache_dir(root).join(CURRENT_FILE)
}

fn manifest_path(root: &Path, folder: &str) -> PathBuf {
    cache_dir(root).join(folder).join(MANIFEST_FILE)
}

/// The index folder `current` names, if it names a plausible one.
fn read_current(root: &Path) -> Option<String> {
    let name = std::fs::read_to_string(current_path(root)).ok()?;
    let name = name.trim();
    let plausible = name.starts_with("index-") && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    plausible.then(|| name.to_string())
}

/// A folder name no other build uses: time and process id.
fn new_folder_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("index-{nanos:x}-{:x}", std::process::id())
}

/// Removes index folders other than `keep` (left by a superseded or interrupted build) and the files of the
/// earlier single-folder layout. Called with the index lock held. A folder another process still has open may
/// refuse (Windows); it is tried again next time.
fn remove_stale(root: &Path, keep: Option<&str>) {
    let Ok(entries) = std::fs::read_dir(cache_dir(root)) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_index = name == "index" || name.starts_with("index-");
        if is_index && Some(name.as_str()) != keep && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let _ = std::fs::remove_file(cache_dir(root).join("manifest.json"));
}

impl SearchIndex {
    /// Opens the index of the library at `root`, creating or rebuilding it as needed, then brings it up to date
    /// with the files.
    pub fn open(root: &Path) -> Result<(SearchIndex, SyncReport), SearchError> {
        let config = Config::load(root)?;
        Self::open_with(root, config)
    }

    /// Like [`SearchIndex::open`] with an already loaded vocabulary.
    pub fn open_with(root: &Path, config: Config) -> Result<(SearchIndex, SyncReport), SearchError> {
        Self::open_with_progress(root, config, &no_progress)
    }

    /// Like [`SearchIndex::open_with`], reporting progress as files are read and indexed.
    pub fn open_with_progress(
        root: &Path,
        config: Config,
        progress: ProgressFn,
    ) -> Result<(SearchIndex, SyncReport), SearchError> {
        if !root.is_dir() {
            return Err(SearchError::NoLibrary(root.to_path_buf()));
        }
        let (segmenter, existing) = Self::open_existing(root, &config);
        match existing {
            Ok(index) => index.catch_up(progress),
            Err(reason) => Self::rebuild_at(root, config, segmenter, reason, progress, None),
        }
    }

    /// Brings an index opened with [`SearchIndex::open_unsynced`] (or any index) up to date with the files: when
    /// another process holds the index for writing, it is used as it is (the report says so); when it turns out
    /// damaged, it is rebuilt from the files.
    pub fn catch_up(mut self, progress: ProgressFn) -> Result<(SearchIndex, SyncReport), SearchError> {
        match self.sync_with_progress(progress) {
            Ok(report) => Ok((self, report)),
            Err(SearchError::Busy) => {
                let stale = "另一个程序正在更新索引，本次使用现有索引，最近的修改可能尚未检索到";
                Ok((self, SyncReport { stale: Some(stale.into()), ..SyncReport::default() }))
            }
            Err(e) => {
                let (root, config, segmenter) = (self.root.clone(), self.config.clone(), Arc::clone(&self.segmenter));
                let damaged = self.folder.clone();
                self.discard();
                let reason = RebuildReason::UpdateFailed(e.to_string());
                Self::rebuild_at(&root, config, segmenter, reason, progress, damaged.as_deref())
            }
        }
    }

    /// Opens the existing index as it is, without comparing it with the files, so the first results of a large
    /// library can show at once (the comparison stats every file: most of a second at 100k write-ups); a
    /// [`SearchIndex::sync`] then brings it up to date. `None` when there is no usable index (first run, changed
    /// format or dictionary, damage): use [`SearchIndex::open_with_progress`] then.
    pub fn open_unsynced(root: &Path, config: Config) -> Option<SearchIndex> {
        if !root.is_dir() {
            return None;
        }
        Self::open_existing(root, &config).1.ok()
    }

    /// Rebuilds this index from the files, e.g. after a search found it corrupt. Should another process have
    /// rebuilt it meanwhile, its new index is used instead.
    pub fn rebuild(self, reason: RebuildReason) -> Result<(SearchIndex, SyncReport), SearchError> {
        let (root, config, segmenter) = (self.root.clone(), self.config.clone(), Arc::clone(&self.segmenter));
        let damaged = self.folder.clone();
        self.discard();
        Self::rebuild_at(&root, config, segmenter, reason, &no_progress, damaged.as_deref())
    }

    /// Drops this index without saving its manifest (its folder is being given up).
    fn discard(self) {
        let SearchIndex { manifest, .. } = self;
        manifest.discard();
    }

    /// Builds a new index from the files under the index lock, unless, once the lock is held, the folder
    /// `current` names is usable and is not `damaged` (another process built it while this one waited, or
    /// opening merely raced with a build). In a library that cannot be written, builds the index in memory.
    fn rebuild_at(
        root: &Path,
        config: Config,
        segmenter: Arc<Segmenter>,
        reason: RebuildReason,
        progress: ProgressFn,
        damaged: Option<&str>,
    ) -> Result<(SearchIndex, SyncReport), SearchError> {
        let cache = cache_dir(root);
        let lock = std::fs::create_dir_all(&cache)
            .and_then(|()| LibraryLock::acquire(root, LockName::Index, Wait::Forever))
            .map(|lock| lock.ok_or_else(|| std::io::Error::other("index lock")));
        let _lock = match lock {
            Ok(Ok(lock)) => lock,
            Err(e) | Ok(Err(e)) if is_read_only(&e) => {
                return Self::build_in_memory(root, config, segmenter, reason, progress);
            }
            Err(e) | Ok(Err(e)) => return Err(SearchError::io(&cache, e)),
        };
        ensure_gitignore(root);
        if let Ok((index, fields, manifest, folder)) = Self::load_existing(root, &config)
            && damaged != Some(folder.as_str())
            && let Ok(mut this) =
                Self::assemble(root, config.clone(), Arc::clone(&segmenter), index, fields, manifest, Some(folder))
            && let Ok(report) = this.sync_locked(progress)
        {
            return Ok((this, report));
        }
        remove_stale(root, read_current(root).as_deref());
        let folder = new_folder_name();
        let dir = cache.join(&folder);
        std::fs::create_dir(&dir).map_err(|e| SearchError::io(&dir, e))?;
        let (schema, fields) = schema::build();
        let index = Index::create_in_dir(&dir, schema)?;
        let manifest =
            Manifest { schema_version: SCHEMA_VERSION, analysis: config.analysis_fingerprint(), ..Manifest::default() };
        let mut this = Self::assemble(root, config, segmenter, index, fields, manifest, Some(folder.clone()))?;
        let mut report = this.sync_locked(progress)?;
        this.manifest.save()?;
        // The switch: from here on, whoever opens the library uses the new index.
        let current = current_path(root);
        write_atomic(&current, folder.as_bytes()).map_err(|e| SearchError::io(&current, e))?;
        remove_stale(root, Some(&folder));
        report.rebuilt = Some(reason);
        Ok((this, report))
    }

    /// An index of the library held in memory, for a library that cannot be written.
    fn build_in_memory(
        root: &Path,
        config: Config,
        segmenter: Arc<Segmenter>,
        reason: RebuildReason,
        progress: ProgressFn,
    ) -> Result<(SearchIndex, SyncReport), SearchError> {
        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        let manifest =
            Manifest { schema_version: SCHEMA_VERSION, analysis: config.analysis_fingerprint(), ..Manifest::default() };
        let mut this = Self::assemble(root, config, segmenter, index, fields, manifest, None)?;
        let mut report = this.sync_locked(progress)?;
        report.rebuilt = Some(reason);
        report.in_memory = Some("资料库文件夹不可写入：索引暂存在内存中，可以检索，但每次打开都要重新建立".into());
        Ok((this, report))
    }

    /// Switches to the index another process built after this one was opened.
    fn reopen(&mut self) -> Result<(), SearchError> {
        let (index, fields, manifest, folder) =
            Self::load_existing(&self.root, &self.config).map_err(|r| SearchError::Corrupt(r.label()))?;
        let fresh = Self::assemble(
            &self.root,
            self.config.clone(),
            Arc::clone(&self.segmenter),
            index,
            fields,
            manifest,
            Some(folder),
        )?;
        std::mem::replace(self, fresh).discard();
        Ok(())
    }

    /// The segmenter, and the existing index if it is usable (else why not). The segmenter is cheap: the whole
    /// jieba is built only when something is indexed.
    fn open_existing(root: &Path, config: &Config) -> (Arc<Segmenter>, Result<SearchIndex, RebuildReason>) {
        let segmenter = shared_segmenter(&config.dictionary, config.analysis_fingerprint());
        let index = Self::load_existing(root, config).and_then(|(index, fields, manifest, folder)| {
            Self::assemble(root, config.clone(), Arc::clone(&segmenter), index, fields, manifest, Some(folder))
                .map_err(|e| RebuildReason::Damaged(e.to_string()))
        });
        (segmenter, index)
    }

    /// Reads the manifest and opens the tantivy index in the folder `current` names, checking both against this
    /// version and vocabulary.
    fn load_existing(root: &Path, config: &Config) -> Result<(Index, Fields, Manifest, String), RebuildReason> {
        let Some(folder) = read_current(root) else {
            return Err(if cache_dir(root).join("index").exists() {
                RebuildReason::FormatUpgraded
            } else {
                RebuildReason::FirstBuild
            });
        };
        let dir = cache_dir(root).join(&folder);
        if !dir.join("meta.json").exists() {
            return Err(RebuildReason::FilesMissing);
        }
        let bytes = std::fs::read(manifest_path(root, &folder)).map_err(|_| RebuildReason::ManifestMissing)?;
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|_| RebuildReason::ManifestDamaged)?;
        if manifest.schema_version != SCHEMA_VERSION {
            return Err(RebuildReason::FormatUpgraded);
        }
        if manifest.analysis != config.analysis_fingerprint() {
            return Err(RebuildReason::DictionaryChanged);
        }
        let index = Index::open_in_dir(&dir).map_err(|e| RebuildReason::CannotOpen(e.to_string()))?;
        let (schema, fields) = schema::build();
        if index.schema() != schema {
            return Err(RebuildReason::FieldsChanged);
        }
        Ok((index, fields, manifest, folder))
    }

    fn assemble(
        root: &Path,
        config: Config,
        segmenter: Arc<Segmenter>,
        mut index: Index,
        fields: Fields,
        manifest: Manifest,
        folder: Option<String>,
    ) -> Result<SearchIndex, SearchError> {
        // Segments are searched in parallel: a query that matches most of a large library spends its time
        // checking phrase positions segment by segment. Without the thread pool, searching still works.
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(SEARCH_THREADS);
        if threads > 1 {
            let _ = index.set_multithread_executor(threads);
        }
        index.tokenizers().register(BIGRAM, TextAnalyzer::from(BigramTokenizer { index_mode: true }));
        index.tokenizers().register(JIEBA, TextAnalyzer::from(JiebaTokenizer::new(Arc::clone(&segmenter))));
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        // Opening every segment now turns a truncated or corrupt file into an error here, not mid-search.
        let searcher = reader.searcher();
        for segment in searcher.segment_readers() {
            let _ = segment.fast_fields().str("district")?;
        }
        Ok(SearchIndex {
            root: root.to_path_buf(),
            vocab: Arc::new(Vocabulary::new(&config)),
            config,
            segmenter,
            index,
            reader,
            fields,
            facet_cache: FacetCache::default(),
            manifest: ManifestFile {
                manifest,
                path: folder.as_deref().map(|f| manifest_path(root, f)),
                unsaved: false,
            },
            folder,
        })
    }

    /// The library folder this index belongs to.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The vocabulary used to resolve filters and synonyms.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Number of indexed records.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Brings the index up to date with the folder: reindexes added, changed and removed files only.
    pub fn sync(&mut self) -> Result<SyncReport, SearchError> {
        self.sync_with_progress(&no_progress)
    }

    /// Like [`SearchIndex::sync`], reporting progress.
    pub fn sync_with_progress(&mut self, progress: ProgressFn) -> Result<SyncReport, SearchError> {
        let (changed, removed) = self.scan_changes(progress)?;
        self.apply(changed, removed, progress)
    }

    /// [`SearchIndex::sync_with_progress`] for a caller already holding the index lock (or an index in memory).
    fn sync_locked(&mut self, progress: ProgressFn) -> Result<SyncReport, SearchError> {
        let (changed, removed) = self.scan_changes(progress)?;
        self.apply_locked(changed, removed, progress)
    }

    /// Scans the folder and compares it with the manifest (see [`SearchIndex::diff`]).
    fn scan_changes(&self, progress: ProgressFn) -> Result<(Vec<FileStamp>, Vec<String>), SearchError> {
        progress(Progress { phase: Phase::Scanning, done: 0, total: 0 });
        let stamps = scan_files(&self.root).map_err(|e| SearchError::io(&self.root, e))?;
        Ok(self.diff(stamps))
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
fn declares_kind(root: &Path, rel_path: &str) -> bool {
    let Ok(bytes) = crate::library::read_bounded(&root.join(rel_path), MAX_FILE_BYTES) else { return true };
    let Ok((text, _)) = decode(&bytes) else { return true };
    let Some((yaml, _, _)) = split_front_matter(&text) else { return true };
    yaml.lines().any(|l| l.strip_prefix("kind").is_some_and(|r| r.trim_start().starts_with(':')))
}

/// Keeps the derived folder out of version control and shared-folder sync tools that honour `.gitignore`.
fn ensure_gitignore(root: &Path) {
    let path = cache_dir(root).join(".gitignore");
    if !path.exists() {
        let _ = std::fs::write(path, "*\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchRequest;

    fn writeup(id: &str, body: &str) -> String {
        format!("---\nid: {id}\ntitle: 标题{id}\ndistrict: 渝中区\ntype: 经验材料\n---\n{body}\n")
    }

    /// The manifest file of the index in use.
    fn manifest_of(root: &Path) -> PathBuf {
        manifest_path(root, &read_current(root).unwrap())
    }

    fn hits(index: &SearchIndex, q: &str) -> Vec<String> {
        let mut req = SearchRequest::new(q);
        req.limit = 100;
        index.try_search(&req).unwrap().hits.into_iter().map(|h| h.id).collect()
    }

    #[test]
    fn sync_paths_reindexes_only_what_it_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/one.md"), writeup("one", "网格员走访")).unwrap();
        std::fs::write(root.join("a/two.md"), writeup("two", "矛盾纠纷调解")).unwrap();
        let (mut index, _) = SearchIndex::open(root).unwrap();
        assert_eq!(hits(&index, "网格员"), ["one"]);

        // An edit, a new file and a removal, reported with absolute and relative paths.
        std::fs::write(root.join("a/one.md"), writeup("one", "院落议事会")).unwrap();
        std::fs::write(root.join("a/three.md"), writeup("three", "网格员巡逻")).unwrap();
        std::fs::remove_file(root.join("a/two.md")).unwrap();
        std::fs::write(root.join("notes.txt"), "网格员").unwrap();
        let report = index
            .sync_paths(&[
                root.join("a/one.md"),
                PathBuf::from("a/three.md"),
                root.join("a/two.md"),
                root.join("notes.txt"),
                root.join(".casebook/manifest.json"),
                PathBuf::from("/elsewhere/x.md"),
                root.join("a/one.md"),
            ])
            .unwrap();
        assert_eq!((report.added, report.updated, report.removed), (1, 1, 1));
        assert_eq!(hits(&index, "网格员"), ["three"]);
        assert_eq!(hits(&index, "院落议事会"), ["one"]);
        assert!(hits(&index, "矛盾纠纷").is_empty());

        // A new folder is a full sync.
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::write(root.join("b/c/four.md"), writeup("four", "网格员培训")).unwrap();
        let report = index.sync_paths(&[root.join("b")]).unwrap();
        assert_eq!(report.added, 1);
        // A removed folder too.
        std::fs::remove_dir_all(root.join("b")).unwrap();
        let report = index.sync_paths(&[root.join("b")]).unwrap();
        assert_eq!(report.removed, 1);
        assert_eq!(hits(&index, "网格员"), ["three"]);
        // Nothing changed: nothing done.
        let report = index.sync_paths(&[root.join("a/one.md")]).unwrap();
        assert_eq!((report.added, report.updated, report.removed), (0, 0, 0));
    }

    #[test]
    fn open_unsynced_serves_the_index_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(SearchIndex::open_unsynced(root, Config::default()).is_none(), "no index yet");
        std::fs::write(root.join("one.md"), writeup("one", "网格员走访")).unwrap();
        drop(SearchIndex::open(root).unwrap());
        std::fs::write(root.join("two.md"), writeup("two", "网格员巡逻")).unwrap();
        let mut index = SearchIndex::open_unsynced(root, Config::default()).unwrap();
        assert_eq!(hits(&index, "网格员"), ["one"]);
        assert_eq!(index.sync().unwrap().added, 1);
        assert_eq!(hits(&index, "网格员").len(), 2);
        std::fs::write(manifest_of(root), "{").unwrap();
        assert!(SearchIndex::open_unsynced(root, Config::default()).is_none(), "a damaged manifest needs a rebuild");
    }

    #[test]
    fn an_edit_is_searchable_after_sync() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("lib");
        crate::generate::generate(&root, &crate::generate::GenSpec { writeups: 30, seed: 2 }).unwrap();
        let (mut index, _) = SearchIndex::open(&root).unwrap();
        let stamps = scan_files(&root).unwrap();
        let target = root.join(&stamps[stamps.len() / 2].rel_path);
        let original = std::fs::read_to_string(&target).unwrap();
        for i in 0..4 {
            let word = format!("新增词语鹦鹉螺{i}号");
            std::fs::write(&target, format!("{original}\n{word}\n")).unwrap();
            let report = if i % 2 == 0 {
                index.sync().unwrap()
            } else {
                index.sync_paths(std::slice::from_ref(&target)).unwrap()
            };
            assert_eq!(report.updated, 1, "{i}");
            assert_eq!(index.try_search(&SearchRequest::new(&word)).unwrap().total, 1, "{word}");
        }
    }

    #[test]
    fn kind_is_found_as_the_parser_finds_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (name, text, expected) in [
            ("w.md", "---\nid: a\nproject: p1\n---\n正文 kind: project\n", false),
            ("p.md", "---\nid: p1\nkind: project\nname: 项目\n---\n", true),
            ("s.md", "---\nid: s1\nkind : site\n---\n", true),
            ("nested.md", "---\nid: a\nstops:\n  - kind: x\n---\n", false),
            ("bare.md", "没有头信息", true),
        ] {
            std::fs::write(root.join(name), text).unwrap();
            assert_eq!(declares_kind(root, name), expected, "{name}");
            if let Ok(record) = read_record(root, name) {
                let declared = record.kind() != crate::library::Kind::Writeup;
                assert_eq!(declared, expected, "{name} agrees with the parser");
            }
        }
        assert!(declares_kind(root, "missing.md"));
    }

    #[test]
    fn projects_changed_with_their_writeups_are_inherited() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("p")).unwrap();
        // The write-up sorts before its project and names neither district nor themes.
        std::fs::write(root.join("p/a.md"), "---\nid: a\ntitle: 甲\nproject: p1\n---\n网格员\n").unwrap();
        std::fs::write(
            root.join("p/project.md"),
            "---\nkind: project\nid: p1\nname: 项目\ndistrict: 合川区\nthemes: [社会矛盾]\n---\n简介\n",
        )
        .unwrap();
        let (mut index, _) = SearchIndex::open(root).unwrap();
        assert_eq!(hits(&index, "网格员 district:合川区"), ["a"]);
        assert_eq!(hits(&index, "网格员 theme:社会矛盾"), ["a"]);
        std::fs::write(
            root.join("p/project.md"),
            "---\nkind: project\nid: p1\nname: 项目\ndistrict: 江北区\nthemes: [社会矛盾]\n---\n简介\n",
        )
        .unwrap();
        index.sync().unwrap();
        assert_eq!(hits(&index, "网格员 district:江北区"), ["a"], "a dependent is reindexed");
    }

    #[test]
    fn small_syncs_save_the_manifest_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("one.md"), writeup("one", "网格员走访")).unwrap();
        let (mut index, _) = SearchIndex::open(root).unwrap();
        let saved = std::fs::read(manifest_of(root)).unwrap();
        std::fs::write(root.join("two.md"), writeup("two", "网格员巡逻")).unwrap();
        let report = index.sync().unwrap();
        assert_eq!(report.added, 1);
        assert_eq!(std::fs::read(manifest_of(root)).unwrap(), saved, "a one-file sync defers the write");
        drop(index);
        let (index, report) = SearchIndex::open(root).unwrap();
        assert_eq!((report.added, report.updated, report.removed, report.rebuilt), (0, 0, 0, None));
        assert_eq!(hits(&index, "网格员").len(), 2);
    }

    #[test]
    fn a_stale_manifest_only_costs_reindexing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("one.md"), writeup("one", "网格员走访")).unwrap();
        let (mut index, _) = SearchIndex::open(root).unwrap();
        let saved = std::fs::read(manifest_of(root)).unwrap();
        std::fs::write(root.join("two.md"), writeup("two", "网格员巡逻")).unwrap();
        std::fs::remove_file(root.join("one.md")).unwrap();
        index.sync().unwrap();
        // As if the process had died before saving: the old manifest is back.
        index.manifest.unsaved = false;
        drop(index);
        std::fs::write(manifest_of(root), saved).unwrap();
        let (index, report) = SearchIndex::open(root).unwrap();
        assert_eq!((report.added, report.removed), (1, 1));
        assert_eq!(hits(&index, "网格员"), ["two"]);
    }

    fn index_folders(root: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(cache_dir(root))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("index"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_interrupted_build_leaves_the_previous_index_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("one.md"), writeup("one", "网格员走访")).unwrap();
        drop(SearchIndex::open(root).unwrap());
        let before = read_current(root).unwrap();
        // What a build killed half-way leaves: a folder with some segment files and no manifest; `current`
        // still names the complete index.
        let dead = cache_dir(root).join("index-dead-1");
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join("meta.json"), "{ half").unwrap();
        let (mut index, report) = SearchIndex::open(root).unwrap();
        assert!(report.rebuilt.is_none(), "{report:?}");
        assert_eq!(hits(&index, "网格员"), ["one"]);
        // The next write under the lock clears the leftover folder.
        std::fs::write(root.join("two.md"), writeup("two", "网格员巡逻")).unwrap();
        index.sync().unwrap();
        assert_eq!(index_folders(root), [before]);
        assert_eq!(hits(&index, "网格员").len(), 2);
    }

    #[test]
    fn a_process_whose_index_was_rebuilt_elsewhere_switches_to_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("one.md"), writeup("one", "网格员走访")).unwrap();
        let (mut first, _) = SearchIndex::open(root).unwrap();
        let (second, _) = SearchIndex::open(root).unwrap();
        let old = read_current(root).unwrap();
        let (second, report) = second.rebuild(RebuildReason::Asked).unwrap();
        assert!(report.rebuilt.is_some());
        let new = read_current(root).unwrap();
        assert_ne!(old, new);
        assert_eq!(index_folders(root), std::slice::from_ref(&new), "the old folder is removed once nobody needs it");
        // The first process still answers from what it had open, then moves to the new index on its next write.
        assert_eq!(hits(&first, "网格员"), ["one"]);
        std::fs::write(root.join("two.md"), writeup("two", "网格员巡逻")).unwrap();
        let report = first.sync().unwrap();
        assert_eq!(report.added, 1);
        assert_eq!(first.folder.as_deref(), Some(new.as_str()));
        assert_eq!(hits(&first, "网格员").len(), 2);
        drop(first);
        drop(second);
        let (reopened, _) = SearchIndex::open(root).unwrap();
        assert_eq!(hits(&reopened, "网格员").len(), 2);
    }

    #[test]
    fn a_sync_waits_for_another_writer_then_gives_way() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("one.md"), writeup("one", "网格员走访")).unwrap();
        let (mut index, _) = SearchIndex::open(root).unwrap();
        let held = LibraryLock::acquire(root, LockName::Index, Wait::Forever).unwrap();
        std::fs::write(root.join("two.md"), writeup("two", "网格员巡逻")).unwrap();
        assert!(matches!(index.sync(), Err(SearchError::Busy)));
        // Opening meanwhile uses the index as it is and says so.
        let (other, report) = SearchIndex::open(root).unwrap();
        assert!(report.stale.is_some());
        assert_eq!(hits(&other, "网格员"), ["one"]);
        drop(held);
        assert_eq!(index.sync().unwrap().added, 1);
    }

    #[test]
    fn an_index_of_the_old_layout_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("one.md"), writeup("one", "网格员走访")).unwrap();
        std::fs::create_dir_all(cache_dir(root).join("index")).unwrap();
        std::fs::write(cache_dir(root).join("index/meta.json"), "{}").unwrap();
        std::fs::write(cache_dir(root).join("manifest.json"), "{}").unwrap();
        let (index, report) = SearchIndex::open(root).unwrap();
        assert_eq!(report.rebuilt, Some(RebuildReason::FormatUpgraded));
        assert_eq!(RebuildReason::FormatUpgraded.to_string(), "索引格式已升级，已从文件重建");
        assert_eq!(hits(&index, "网格员"), ["one"]);
        assert!(!cache_dir(root).join("index").exists() && !cache_dir(root).join("manifest.json").exists());
    }

    #[test]
    fn what_the_front_matter_says_is_searchable_text() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let text =
            "---\nid: a\ntitle: 院落议事\ndistrict: 渝中区\nthemes: [党委领导]\ntype: 典型案例\n---\n正文不提这些。\n";
        std::fs::write(root.join("a.md"), text).unwrap();
        let (index, _) = SearchIndex::open(root).unwrap();
        for q in ["党委领导", "渝中区", "典型案例"] {
            assert_eq!(hits(&index, q), ["a"], "{q}");
        }
    }
}
