//! Full-text search over a library, built for Chinese.
//!
//! - [`tokenizer`]: the two analysers (jieba words and CJK bigrams) and why both are needed; [`segmenter`]: jieba
//!   built from only the dictionary words a text contains, so a search does not load the whole dictionary;
//! - [`query`]: the query language, parsed without the index;
//! - [`index`]: the derived index in `<library>/.casebook/`, kept in step with the files, rebuilt when damaged;
//! - [`searcher`]: queries to hits with snippets and facet counts; [`similar`]: “相似经验”.

mod analyze;
mod document;
mod facets;
pub mod fusion;
pub mod index;
mod lookup;
mod manifest;
pub mod query;
mod schema;
pub mod searcher;
pub mod segmenter;
mod similar;
pub mod snippet;
pub mod sync;
pub mod tokenizer;
pub mod vocabulary;

use std::path::{Path, PathBuf};

pub use document::{IndexDoc, ProjectInfo};
pub use facets::{Facet, Facets};
pub use index::{RebuildReason, SearchIndex};
pub use manifest::CACHE_DIR;
pub use query::{Filters, ParsedQuery, parse};
pub use searcher::{Hit, SearchRequest, SearchResults, Tier};
pub use sync::{Phase, Progress, ProgressFn, SyncReport};

use crate::library::ConfigError;

/// Why searching failed. Damage to the index itself is repaired by rebuilding, not reported to the user.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("资料库文件夹不存在：{0}")]
    NoLibrary(PathBuf),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("读写 {path} 失败：{}", crate::os_error::describe(.source))]
    Io { path: PathBuf, source: std::io::Error },
    #[error("另一个程序正在更新索引")]
    Busy,
    #[error("索引出错：{0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("索引已损坏：{0}")]
    Corrupt(String),
}

impl SearchError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        SearchError::Io { path: path.to_path_buf(), source }
    }
}

impl SearchIndex {
    /// Searches, and if the index turns out to be damaged, rebuilds it from the files and searches again.
    /// The returned report says whether that happened.
    pub fn search(self, req: &SearchRequest) -> Result<(SearchIndex, SearchResults, Option<SyncReport>), SearchError> {
        match self.try_search(req) {
            Ok(results) => Ok((self, results, None)),
            Err(SearchError::Index(e)) => {
                let (index, report) = self.rebuild(RebuildReason::DamagedOnSearch(e.to_string()))?;
                let results = index.try_search(req)?;
                Ok((index, results, Some(report)))
            }
            Err(e) => Err(e),
        }
    }
}
