//! The semantic tier (语义检索): records and queries embedded by multilingual-e5-small, so a question finds a
//! record that answers it in other words (民转刑 → 防止矛盾激化成刑事案件).
//!
//! Optional and offline. The model folder is found beside the program ([`engine::locate`]); without it search
//! is lexical only and nothing else changes. Records are embedded in the background and incrementally
//! ([`embed_pending`]: only records whose text changed), and their vectors are derived data in `.casebook/`
//! ([`vectors`]). Search fuses the similarity ranking with the lexical one by reciprocal rank
//! ([`crate::search::fusion`]); the index never calls the model itself.
//!
//! - [`engine`]: loading the C engine and the model, embedding texts;
//! - [`passages`]: a record → passages of about 400 characters, each led by its title;
//! - [`vectors`]: the stored vectors, ranking by similarity.

pub mod engine;
pub mod passages;
pub mod vectors;

use std::path::{Path, PathBuf};

pub use engine::Embedder;
pub use vectors::Vectors;

use crate::library::Library;

/// Why the semantic tier could not be used. None of these stops a search: it falls back to lexical ranking.
#[derive(Debug, thiserror::Error)]
pub enum SemanticError {
    #[error("找不到语义模型文件 {0}")]
    Missing(PathBuf),
    #[error("语义模型 {path} 无法加载：{why}")]
    Engine { path: PathBuf, why: String },
    #[error("语义模型计算失败（返回 {0}）")]
    Failed(i32),
    #[error("读写 {path} 失败：{}", crate::os_error::describe(.source))]
    Io { path: PathBuf, source: std::io::Error },
}

impl SemanticError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        SemanticError::Io { path: path.to_path_buf(), source }
    }
}

/// How far embedding has come: `done` of `total` records need no more work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    pub done: usize,
    pub total: usize,
}

impl Coverage {
    /// Records not embedded yet.
    pub fn missing(&self) -> usize {
        self.total - self.done
    }
}

/// One record still to embed.
struct Pending {
    id: String,
    fingerprint: [u8; 16],
    passages: Vec<String>,
}

/// What [`embed_pending`] did.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmbedReport {
    pub embedded: usize,
    pub passages: usize,
    pub coverage: Coverage,
    /// The caller asked to stop before the end; what was embedded is kept.
    pub stopped: bool,
}

/// Records are saved after every this many, so stopping (or a crash) keeps the work done.
const SAVE_EVERY: usize = 32;
/// Passages embedded in one call to the engine.
const BATCH: usize = 8;

fn pending(library: &Library, vectors: &Vectors) -> (Vec<Pending>, Coverage) {
    let mut out = Vec::new();
    let mut total = 0;
    for record in &library.records {
        let Some(id) = record.id() else { continue };
        total += 1;
        let passages = passages::passages(record);
        let fingerprint = passages::fingerprint(&passages);
        if !vectors.is_current(id, &fingerprint) {
            out.push(Pending { id: id.to_string(), fingerprint, passages });
        }
    }
    let coverage = Coverage { done: total - out.len(), total };
    (out, coverage)
}

/// How many of the library's records have vectors for their current text.
pub fn coverage(library: &Library, vectors: &Vectors) -> Coverage {
    pending(library, vectors).1
}

/// Embeds every record whose text has no vectors yet, saving as it goes, and drops the vectors of records that
/// are gone. `progress(done, total)` is called after each record; returning `false` stops (the work done so
/// far is saved).
pub fn embed_pending(
    embedder: &mut Embedder,
    library: &Library,
    vectors: &mut Vectors,
    mut progress: impl FnMut(Coverage) -> bool,
) -> Result<EmbedReport, SemanticError> {
    let ids: std::collections::HashSet<&str> = library.records.iter().filter_map(|r| r.id()).collect();
    vectors.retain(|id| ids.contains(id));
    let (todo, mut coverage) = pending(library, vectors);
    let mut report = EmbedReport { coverage, ..EmbedReport::default() };
    let mut unsaved = 0;
    for item in todo {
        let mut floats = Vec::with_capacity(item.passages.len() * embedder.dim());
        for batch in item.passages.chunks(BATCH) {
            floats.extend(embedder.passages(batch)?);
        }
        vectors.insert(&item.id, item.fingerprint, &floats);
        report.embedded += 1;
        report.passages += item.passages.len();
        coverage.done += 1;
        report.coverage = coverage;
        unsaved += 1;
        if unsaved >= SAVE_EVERY {
            vectors.save(&library.root)?;
            unsaved = 0;
        }
        if !progress(coverage) {
            report.stopped = true;
            break;
        }
    }
    vectors.save(&library.root)?;
    Ok(report)
}

/// What users are told when a model is installed but the library has no vectors yet.
pub const NOT_EMBEDDED: &str =
    "语义检索未启用：本资料库还没有生成语义向量（运行 casebook embed，或在程序中等待后台生成完成）";

/// A library's semantic side, ready to rank queries: the model and the vectors.
pub struct Semantic {
    pub embedder: Embedder,
    pub vectors: Vectors,
}

impl Semantic {
    /// Whether a model is installed and this library has vectors: checked with two file lookups, so a search
    /// on a library never embedded does not load the model only to learn that.
    pub fn available(root: &Path) -> bool {
        engine::locate().is_some() && vectors::vectors_path(root).is_file()
    }

    /// Loads the model (if one is installed) and the library's vectors.
    pub fn open(root: &Path) -> Option<Result<Semantic, SemanticError>> {
        Some(Embedder::find()?.map(|embedder| {
            let vectors = Vectors::open(root, embedder.dim());
            Semantic { embedder, vectors }
        }))
    }

    /// Every embedded record ranked by similarity to a query in the query language (operators and filters are
    /// left out of what is embedded), for [`crate::search::SearchRequest::semantic`].
    pub fn ranking(&mut self, query: &str) -> Result<Vec<(String, f32)>, SemanticError> {
        let words = crate::search::parse(query).words_text();
        if self.vectors.is_empty() || words.trim().is_empty() {
            return Ok(Vec::new());
        }
        let q = self.embedder.query(&words)?;
        Ok(self.vectors.rank(&q))
    }

    /// What a user should be told about the semantic tier of a library with `records` indexed records, if
    /// anything: not embedded at all, or partly.
    pub fn note(&self, records: u64) -> Option<String> {
        let missing = (records as usize).saturating_sub(self.vectors.len());
        if self.vectors.is_empty() {
            Some(NOT_EMBEDDED.into())
        } else if missing > 0 {
            Some(format!("语义检索：还有 {missing} 条记录没有生成语义向量，它们只按词语匹配（运行 casebook embed）"))
        } else {
            None
        }
    }
}

/// Where the model may be installed, for a message that says where to put it.
pub fn where_to_install() -> String {
    let dirs: Vec<String> = engine::candidate_dirs().iter().map(|d| d.display().to_string()).collect();
    format!(
        "语义模型需要 {} 和 {} 两个文件，放在以下任一文件夹：{}",
        engine::MODEL_FILE,
        engine::engine_file(),
        dirs.join("；")
    )
}
