//! The derived index under `<library>/.casebook/`: opening it and rebuilding it when it is missing, stale or
//! corrupt (keeping it in step with the files is [`super::sync`]; the folder layout and manifest,
//! [`super::manifest`]). The index is a cache: deleting it loses nothing.
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

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy};

use super::SearchError;
use super::facets::FacetCache;
use super::manifest::{
    Manifest, ManifestFile, cache_dir, current_path, ensure_gitignore, manifest_path, new_folder_name, read_current,
    remove_stale,
};
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::segmenter::{Segmenter, shared_segmenter};
use super::sync::{ProgressFn, SyncReport, no_progress};
use super::tokenizer::{BIGRAM, BigramTokenizer, JIEBA, JiebaTokenizer};
use super::vocabulary::Vocabulary;
use crate::library::Config;
use crate::store::lock::is_read_only;
use crate::store::{LibraryLock, LockName, Wait, write_atomic};

/// At most this many threads search one query (one per segment).
const SEARCH_THREADS: usize = 4;

/// What the earlier queries of a 在结果中检索 found, and for which queries and which state of the index.
pub(crate) struct WithinFound {
    pub(crate) generation: u64,
    pub(crate) segments: Vec<tantivy::index::SegmentId>,
    pub(crate) earlier: Vec<String>,
    pub(crate) found: Option<Arc<std::collections::HashSet<tantivy::DocAddress>>>,
}

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
    /// The records the earlier queries of the last 在结果中检索 found (see [`super::searcher`]): paging through
    /// a narrowed result list asks for them again on every page.
    pub(crate) within_cache: std::sync::Mutex<Option<WithinFound>>,
    pub(super) manifest: ManifestFile,
    /// The folder under `.casebook/` holding this index; `None` when it lives in memory.
    pub(super) folder: Option<String>,
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
    pub(super) fn reopen(&mut self) -> Result<(), SearchError> {
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
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|_| {
            // A manifest of an earlier version may not parse as this one: say so rather than call it damaged.
            #[derive(serde::Deserialize)]
            struct Version {
                schema_version: u32,
            }
            match serde_json::from_slice::<Version>(&bytes) {
                Ok(v) if v.schema_version != SCHEMA_VERSION => RebuildReason::FormatUpgraded,
                _ => RebuildReason::ManifestDamaged,
            }
        })?;
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
            within_cache: std::sync::Mutex::new(None),
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{read_record, scan_files};
    use crate::search::SearchRequest;
    use crate::search::sync::declares_kind;

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

    /// The manifest as saved on disk.
    fn saved_manifest(root: &Path) -> Manifest {
        serde_json::from_slice(&std::fs::read(manifest_of(root)).unwrap()).unwrap()
    }

    /// The folder stamps reach the manifest on disk with the files they were taken with, and a later open that
    /// trusts them still finds a file edited in place and one added to a nested folder.
    #[cfg(target_os = "linux")]
    #[test]
    fn an_index_that_trusts_unchanged_folders_still_sees_every_change() {
        use crate::library::age_folders;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/one.md"), writeup("one", "网格员走访")).unwrap();
        std::fs::write(root.join("a/two.md"), writeup("two", "矛盾纠纷调解")).unwrap();
        age_folders(root);
        drop(SearchIndex::open(root).unwrap());
        // Building the index made `.casebook/` in the root, so the root was listed too soon after a change to be
        // trusted. Once its time is old, the next open trusts it, and saves the better stamps when it closes.
        assert_eq!(saved_manifest(root).folders[""], 0);
        age_folders(root);
        drop(SearchIndex::open(root).unwrap());
        let saved = saved_manifest(root);
        assert_eq!(saved.folders.keys().collect::<Vec<_>>(), ["", "a", "a/b"]);
        assert!(saved.folders.values().all(|&t| t != 0), "aged folders are trusted: {:?}", saved.folders);

        // In place: the folder's time does not change, the file's does.
        let mut text = std::fs::read_to_string(root.join("a/b/one.md")).unwrap();
        text.push_str("新增一句：红橙黄分级管控。\n");
        std::fs::write(root.join("a/b/one.md"), text).unwrap();
        std::fs::create_dir(root.join("a/c")).unwrap();
        std::fs::write(root.join("a/c/three.md"), writeup("three", "院坝议事会")).unwrap();
        std::fs::remove_file(root.join("a/two.md")).unwrap();
        let (index, report) = SearchIndex::open(root).unwrap();
        assert_eq!((report.added, report.updated, report.removed), (1, 1, 1));
        assert_eq!(hits(&index, "红橙黄分级管控"), ["one"]);
        assert_eq!(hits(&index, "院坝议事会"), ["three"]);
        assert!(hits(&index, "矛盾纠纷调解").is_empty());
        // `a/b` was trusted, not listed: its edit was found by the file's own stamp. The folders just changed
        // are listed again next time.
        assert_ne!(index.manifest.folders["a/b"], 0);
        assert_eq!((index.manifest.folders["a"], index.manifest.folders["a/c"]), (0, 0));
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
