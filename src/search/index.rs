//! The derived index under `<library>/.casebook/`: opening it, keeping it in step with the files, and rebuilding
//! it when it is missing, stale or corrupt. The index is a cache: deleting it loses nothing.
//!
//! `manifest.json` beside the tantivy files records, per file, the size and modification time last indexed and,
//! per project, what write-ups inherit from it. Opening compares the folder against it and reindexes only what
//! was added, changed or removed (plus the write-ups of a project whose name, district or themes changed).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::SearchError;
use super::document::{ProjectTable, index_doc, project_info};
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::tokenizer::{BIGRAM, BigramTokenizer, JIEBA, JiebaTokenizer, shared_jieba};
use crate::library::{Config, FileStamp, Problem, Record, parallel_map, read_record, scan_files};
use crate::store::write_atomic;

/// Folder (inside the library) that holds everything derived.
pub const CACHE_DIR: &str = ".casebook";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    schema_version: u32,
    analysis: u64,
    files: BTreeMap<String, (u64, u128)>,
    projects: ProjectTable,
}

/// What opening or syncing did, for progress lines and messages.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Why the index was rebuilt from scratch, if it was.
    pub rebuilt: Option<String>,
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    /// Files that could not be read (they are not searchable until fixed).
    pub problems: Vec<Problem>,
    /// Bytes of record files read and indexed.
    pub bytes: u64,
    /// Set when another process holds the index for writing and the existing index was used as it was.
    pub stale: Option<String>,
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
    pub(crate) jieba: Arc<Jieba>,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    manifest: Manifest,
}

fn cache_dir(root: &Path) -> PathBuf {
    root.join(CACHE_DIR)
}

fn index_dir(root: &Path) -> PathBuf {
    cache_dir(root).join("index")
}

fn manifest_path(root: &Path) -> PathBuf {
    cache_dir(root).join("manifest.json")
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
        let jieba = shared_jieba(&config.dictionary, config.analysis_fingerprint());
        match Self::open_existing(root, &config, &jieba) {
            Ok(mut index) => match index.sync_with_progress(progress) {
                Ok(report) => Ok((index, report)),
                Err(SearchError::Busy) => {
                    let stale = "另一个程序正在更新索引，本次使用现有索引，最近的修改可能尚未检索到";
                    Ok((index, SyncReport { stale: Some(stale.into()), ..SyncReport::default() }))
                }
                Err(e) => {
                    drop(index);
                    let reason = format!("索引更新失败（{e}），已从文件重建");
                    Self::rebuild_at(root, config, jieba, reason, progress)
                }
            },
            Err(reason) => Self::rebuild_at(root, config, jieba, reason, progress),
        }
    }

    /// Rebuilds this index from the files, e.g. after a search found it corrupt.
    pub fn rebuild(self, reason: &str) -> Result<(SearchIndex, SyncReport), SearchError> {
        let SearchIndex { root, config, jieba, .. } = self;
        Self::rebuild_at(&root, config, jieba, reason.to_string(), &no_progress)
    }

    fn rebuild_at(
        root: &Path,
        config: Config,
        jieba: Arc<Jieba>,
        reason: String,
        progress: ProgressFn,
    ) -> Result<(SearchIndex, SyncReport), SearchError> {
        let dir = index_dir(root);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| SearchError::io(&dir, e))?;
        }
        let _ = std::fs::remove_file(manifest_path(root));
        std::fs::create_dir_all(&dir).map_err(|e| SearchError::io(&dir, e))?;
        ensure_gitignore(root);
        let (schema, fields) = schema::build();
        let index = Index::create_in_dir(&dir, schema)?;
        let manifest =
            Manifest { schema_version: SCHEMA_VERSION, analysis: config.analysis_fingerprint(), ..Manifest::default() };
        let mut this = Self::assemble(root, config, jieba, index, fields, manifest)?;
        let mut report = this.sync_with_progress(progress)?;
        report.rebuilt = Some(reason);
        Ok((this, report))
    }

    fn open_existing(root: &Path, config: &Config, jieba: &Arc<Jieba>) -> Result<SearchIndex, String> {
        let dir = index_dir(root);
        if !dir.join("meta.json").exists() {
            return Err("首次建立索引".into());
        }
        let bytes = std::fs::read(manifest_path(root)).map_err(|_| "索引清单缺失，已从文件重建".to_string())?;
        let manifest: Manifest =
            serde_json::from_slice(&bytes).map_err(|_| "索引清单损坏，已从文件重建".to_string())?;
        if manifest.schema_version != SCHEMA_VERSION {
            return Err("索引格式已升级，已从文件重建".into());
        }
        if manifest.analysis != config.analysis_fingerprint() {
            return Err("分词词典已更改，已从文件重建".into());
        }
        let index = Index::open_in_dir(&dir).map_err(|e| format!("索引无法打开（{e}），已从文件重建"))?;
        let (schema, fields) = schema::build();
        if index.schema() != schema {
            return Err("索引字段与当前版本不符，已从文件重建".into());
        }
        Self::assemble(root, config.clone(), Arc::clone(jieba), index, fields, manifest)
            .map_err(|e| format!("索引已损坏（{e}），已从文件重建"))
    }

    fn assemble(
        root: &Path,
        config: Config,
        jieba: Arc<Jieba>,
        index: Index,
        fields: Fields,
        manifest: Manifest,
    ) -> Result<SearchIndex, SearchError> {
        index.tokenizers().register(BIGRAM, TextAnalyzer::from(BigramTokenizer { index_mode: true }));
        index.tokenizers().register(JIEBA, TextAnalyzer::from(JiebaTokenizer::new(Arc::clone(&jieba))));
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        // Opening every segment now turns a truncated or corrupt file into an error here, not mid-search.
        let searcher = reader.searcher();
        for segment in searcher.segment_readers() {
            let _ = segment.fast_fields().str("district")?;
        }
        Ok(SearchIndex { root: root.to_path_buf(), config, jieba, index, reader, fields, manifest })
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
        progress(Progress { phase: Phase::Scanning, done: 0, total: 0 });
        let stamps = scan_files(&self.root).map_err(|e| SearchError::io(&self.root, e))?;
        let current: BTreeSet<&str> = stamps.iter().map(|s| s.rel_path.as_str()).collect();
        let changed: Vec<&FileStamp> =
            stamps.iter().filter(|s| self.manifest.files.get(&s.rel_path) != Some(&(s.size, s.mtime_ns))).collect();
        let removed: Vec<String> =
            self.manifest.files.keys().filter(|p| !current.contains(String::as_str(p))).cloned().collect();
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
        let parsed: Vec<(String, Result<Record, Problem>)> =
            parallel_map(&changed, |s| (s.rel_path.clone(), read_record(&root, &s.rel_path)));

        // Update the project table and note which projects' inherited facts changed.
        let old_projects = self.manifest.projects.by_path.clone();
        for path in removed.iter().chain(changed.iter().map(|s| &s.rel_path)) {
            self.manifest.projects.by_path.remove(path);
        }
        for (path, r) in &parsed {
            if let Ok(record) = r
                && let Some(info) = project_info(record, &self.config)
            {
                self.manifest.projects.by_path.insert(path.clone(), info);
            }
        }
        let mut affected: HashSet<String> = HashSet::new();
        for (path, old) in &old_projects {
            if self.manifest.projects.by_path.get(path) != Some(old) {
                affected.insert(old.id.clone());
                affected.insert(old.name.clone());
            }
        }
        for (path, new) in &self.manifest.projects.by_path {
            if old_projects.get(path) != Some(new) {
                affected.insert(new.id.clone());
                affected.insert(new.name.clone());
            }
        }
        let already: HashSet<&str> = parsed.iter().map(|(p, _)| p.as_str()).collect();
        let dependents: Vec<String> = self
            .paths_referencing(&affected)?
            .into_iter()
            .filter(|p| !already.contains(p.as_str()) && current.contains(p.as_str()))
            .collect();
        let dependents_parsed: Vec<(String, Result<Record, Problem>)> =
            parallel_map(&dependents, |p| (p.clone(), read_record(&root, p)));

        let mut writer: IndexWriter<TantivyDocument> = match self.index.writer_with_num_threads(
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4),
            256 * 1024 * 1024,
        ) {
            Ok(w) => w,
            Err(tantivy::TantivyError::LockFailure(..)) => return Err(SearchError::Busy),
            Err(e) => return Err(e.into()),
        };
        let f = self.fields;
        for path in removed.iter().chain(changed.iter().map(|s| &s.rel_path)).chain(&dependents) {
            writer.delete_term(Term::from_field_text(f.path, path));
        }
        let lookup = self.manifest.projects.lookup();
        let total = parsed.len() + dependents_parsed.len();
        for (i, (_, result)) in parsed.iter().chain(&dependents_parsed).enumerate() {
            if i % 256 == 0 {
                progress(Progress { phase: Phase::Indexing, done: i, total });
            }
            match result {
                Ok(record) => {
                    let doc = index_doc(record, &self.config, &lookup);
                    writer.add_document(doc.to_tantivy(&f))?;
                }
                Err(problem) => report.problems.push(problem.clone()),
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
        let bytes = serde_json::to_vec(&self.manifest).map_err(|e| SearchError::Corrupt(e.to_string()))?;
        let path = manifest_path(&self.root);
        write_atomic(&path, &bytes).map_err(|e| SearchError::io(&path, e))?;
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

/// Keeps the derived folder out of version control and shared-folder sync tools that honour `.gitignore`.
fn ensure_gitignore(root: &Path) {
    let path = cache_dir(root).join(".gitignore");
    if !path.exists() {
        let _ = std::fs::write(path, "*\n");
    }
}
