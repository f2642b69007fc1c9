//! Search quality, measured: a relevance set with graded judgments (0–3), scored for Casebook's search and for a
//! plain character-bigram BM25 with OR semantics computed in the same run on the same library.
//!
//! The set is YAML (`tests/relevance/set.yaml` for the bundled corpus; an office can write one for its own
//! library): `queries: [{id, kind, query, judgments: {record-id: grade}}]`, unlisted records grade 0. The
//! metrics, at a cut-off of [`CUTOFF`] results:
//! - **nDCG@10**, gain 2^grade − 1, against the ideal order of the judgments;
//! - **Recall@10**, the share of the records graded ≥ 1 found in the first ten, out of at most ten (so a perfect
//!   ranking scores 1 however many records are relevant);
//! - **MRR@10**, the reciprocal rank of the first record graded ≥ 2.

mod baseline;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use baseline::BigramBm25;

use crate::library::{Library, LibraryError};
use crate::search::{SearchError, SearchIndex, SearchRequest};
use crate::semantic::{Semantic, SemanticError};

/// Results considered per query.
pub const CUTOFF: usize = 10;

/// One query of a relevance set.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Judged {
    pub id: String,
    pub kind: String,
    pub query: String,
    /// Record id → grade (1–3); records not listed grade 0.
    #[serde(default)]
    pub judgments: BTreeMap<String, u8>,
}

/// A relevance set.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RelevanceSet {
    pub queries: Vec<Judged>,
}

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("无法读取评测集 {path}：{}", crate::os_error::describe(.source))]
    Io { path: PathBuf, source: std::io::Error },
    #[error("评测集 {path} 第 {line} 行：{message}")]
    Yaml { path: PathBuf, line: usize, message: String },
    #[error("评测集 {path}：{message}")]
    Invalid { path: PathBuf, message: String },
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Semantic(#[from] SemanticError),
}

impl RelevanceSet {
    /// Reads and checks a set: ids unique, grades 0–3, every query with a kind and a text.
    pub fn load(path: &Path) -> Result<RelevanceSet, EvalError> {
        let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io { path: path.into(), source })?;
        let set: RelevanceSet = crate::library::parse_yaml(&text).map_err(|e| EvalError::Yaml {
            path: path.into(),
            line: e.line,
            message: e.message,
        })?;
        let invalid = |message: String| EvalError::Invalid { path: path.into(), message };
        let mut seen = std::collections::HashSet::new();
        for q in &set.queries {
            if !seen.insert(q.id.as_str()) {
                return Err(invalid(format!("查询编号 {} 重复", q.id)));
            }
            if q.kind.trim().is_empty() || q.query.trim().is_empty() {
                return Err(invalid(format!("查询 {} 缺少类别或检索式", q.id)));
            }
            if let Some((rid, g)) = q.judgments.iter().find(|(_, g)| **g > 3) {
                return Err(invalid(format!("查询 {} 给 {rid} 的评分 {g} 超出 0–3", q.id)));
            }
        }
        Ok(set)
    }

    /// The kinds in the order they first appear.
    pub fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = Vec::new();
        for q in &self.queries {
            if !kinds.contains(&q.kind) {
                kinds.push(q.kind.clone());
            }
        }
        kinds
    }

    /// Judged record ids that the library does not have (a stale set), sorted.
    pub fn unknown_ids(&self, library: &Library) -> Vec<String> {
        let mut out: Vec<String> = self
            .queries
            .iter()
            .flat_map(|q| q.judgments.keys())
            .filter(|id| library.get(id).is_none())
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// The three measures for one query or averaged over several.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub ndcg: f64,
    pub recall: f64,
    pub mrr: f64,
}

impl Metrics {
    /// Scores one ranked list of record ids against the judgments.
    pub fn of(ranked: &[String], judgments: &BTreeMap<String, u8>) -> Metrics {
        let grade = |id: &str| judgments.get(id).copied().unwrap_or(0);
        let top = &ranked[..ranked.len().min(CUTOFF)];
        let dcg: f64 = top.iter().enumerate().map(|(i, id)| gain(grade(id)) / (i as f64 + 2.0).log2()).sum();
        let mut ideal: Vec<u8> = judgments.values().copied().filter(|g| *g > 0).collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let idcg: f64 = ideal.iter().take(CUTOFF).enumerate().map(|(i, g)| gain(*g) / (i as f64 + 2.0).log2()).sum();
        let relevant = ideal.len();
        let found = top.iter().filter(|id| grade(id) >= 1).count();
        let mrr = top.iter().position(|id| grade(id) >= 2).map(|p| 1.0 / (p as f64 + 1.0)).unwrap_or(0.0);
        Metrics {
            ndcg: if idcg > 0.0 { dcg / idcg } else { 0.0 },
            recall: if relevant > 0 { found as f64 / relevant.min(CUTOFF) as f64 } else { 0.0 },
            mrr,
        }
    }

    fn mean(all: &[Metrics]) -> Metrics {
        let n = all.len().max(1) as f64;
        Metrics {
            ndcg: all.iter().map(|m| m.ndcg).sum::<f64>() / n,
            recall: all.iter().map(|m| m.recall).sum::<f64>() / n,
            mrr: all.iter().map(|m| m.mrr).sum::<f64>() / n,
        }
    }
}

fn gain(grade: u8) -> f64 {
    (1u32 << grade.min(3)) as f64 - 1.0
}

/// One query's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct QueryOutcome {
    pub id: String,
    pub kind: String,
    pub query: String,
    pub casebook: Metrics,
    pub baseline: Metrics,
    /// Casebook with the semantic tier fused in, when a model and vectors were available.
    pub fused: Option<Metrics>,
    /// How many hits Casebook returned in all (0 for a query that found nothing).
    pub hits: usize,
    /// Casebook's first results, by record id.
    pub top: Vec<String>,
    /// The baseline's first results.
    pub baseline_top: Vec<String>,
    /// The fused first results (empty without the semantic tier).
    pub fused_top: Vec<String>,
}

/// Averages over the queries of one kind (or all).
#[derive(Debug, Clone, Serialize)]
pub struct KindScores {
    pub kind: String,
    pub queries: usize,
    pub casebook: Metrics,
    pub baseline: Metrics,
    pub fused: Option<Metrics>,
    /// Queries with judged-relevant records for which Casebook found nothing.
    pub empty: usize,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub kinds: Vec<KindScores>,
    pub overall: KindScores,
    pub queries: Vec<QueryOutcome>,
}

/// Runs every query of the set through Casebook's search (the same call the app and `casebook search` make),
/// lexical only and, when `semantic` is given, with the semantic tier fused in, and through the baseline over
/// the same records.
pub fn evaluate(
    index: &SearchIndex,
    library: &Library,
    set: &RelevanceSet,
    mut semantic: Option<&mut Semantic>,
) -> Result<Report, EvalError> {
    let baseline = BigramBm25::new(library);
    let mut queries = Vec::with_capacity(set.queries.len());
    for q in &set.queries {
        let mut req = SearchRequest::new(&q.query);
        req.limit = CUTOFF;
        let results = index.try_search(&req)?;
        let top: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
        let mut fused_top = Vec::new();
        let mut fused = None;
        if let Some(s) = semantic.as_deref_mut() {
            req.semantic = s.ranking(&q.query)?;
            fused_top = index.try_search(&req)?.hits.into_iter().map(|h| h.id).collect();
            fused = Some(Metrics::of(&fused_top, &q.judgments));
        }
        let base = baseline.search(&q.query, CUTOFF);
        queries.push(QueryOutcome {
            id: q.id.clone(),
            kind: q.kind.clone(),
            query: q.query.clone(),
            casebook: Metrics::of(&top, &q.judgments),
            baseline: Metrics::of(&base, &q.judgments),
            fused,
            hits: results.total,
            top,
            baseline_top: base,
            fused_top,
        });
    }
    let scores = |kind: &str, of: &[&QueryOutcome]| KindScores {
        kind: kind.to_string(),
        queries: of.len(),
        casebook: Metrics::mean(&of.iter().map(|o| o.casebook).collect::<Vec<_>>()),
        baseline: Metrics::mean(&of.iter().map(|o| o.baseline).collect::<Vec<_>>()),
        fused: of
            .iter()
            .map(|o| o.fused)
            .collect::<Option<Vec<Metrics>>>()
            .filter(|f| !f.is_empty())
            .map(|f| Metrics::mean(&f)),
        empty: of.iter().filter(|o| o.hits == 0).count(),
    };
    let kinds =
        set.kinds().iter().map(|k| scores(k, &queries.iter().filter(|o| o.kind == *k).collect::<Vec<_>>())).collect();
    let overall = scores("全部", &queries.iter().collect::<Vec<_>>());
    Ok(Report { kinds, overall, queries })
}

/// Opens a library and its index and evaluates a set on it.
pub fn evaluate_library(root: &Path, set: &RelevanceSet) -> Result<Report, EvalError> {
    let library = Library::load(root)?;
    let (index, _) = SearchIndex::open(root)?;
    evaluate(&index, &library, set, None)
}

impl Report {
    /// The per-kind table as text (Chinese headings), for the CLI and the bench.
    pub fn table(&self) -> String {
        let with_fused = self.overall.fused.is_some();
        let mut out = String::new();
        out.push_str(&format!(
            "{:<8} {:>4}  {:>16}  {:>16}  {:>16}  {:>4}",
            "类别", "查询", "nDCG@10 本/基线", "Recall@10 本/基线", "MRR@10 本/基线", "零结果"
        ));
        if with_fused {
            out.push_str(&format!("  {:>24}", "加语义 nDCG/Recall/MRR"));
        }
        out.push('\n');
        for k in self.kinds.iter().chain(std::iter::once(&self.overall)) {
            out.push_str(&format!(
                "{:<8} {:>4}  {:>7.3} / {:<7.3}  {:>7.3} / {:<7.3}  {:>7.3} / {:<7.3}  {:>4}",
                k.kind,
                k.queries,
                k.casebook.ndcg,
                k.baseline.ndcg,
                k.casebook.recall,
                k.baseline.recall,
                k.casebook.mrr,
                k.baseline.mrr,
                k.empty
            ));
            if let Some(f) = k.fused {
                out.push_str(&format!("  {:>7.3} / {:.3} / {:.3}", f.ndcg, f.recall, f.mrr));
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, u8)]) -> BTreeMap<String, u8> {
        pairs.iter().map(|(k, g)| (k.to_string(), *g)).collect()
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn perfect_and_empty_rankings() {
        let j = judged(&[("a", 3), ("b", 2), ("c", 1)]);
        let perfect = Metrics::of(&ids(&["a", "b", "c", "x"]), &j);
        assert!((perfect.ndcg - 1.0).abs() < 1e-9 && perfect.recall == 1.0 && perfect.mrr == 1.0);
        assert_eq!(Metrics::of(&[], &j), Metrics::default());
        let reversed = Metrics::of(&ids(&["x", "c", "b", "a"]), &j);
        assert!(reversed.ndcg < 0.8 && reversed.recall == 1.0 && reversed.mrr == 1.0 / 3.0);
    }

    #[test]
    fn recall_is_capped_at_the_cutoff() {
        let many: Vec<(String, u8)> = (0..15).map(|i| (format!("r{i}"), 1)).collect();
        let j: BTreeMap<String, u8> = many.into_iter().collect();
        let ranked: Vec<String> = (0..10).map(|i| format!("r{i}")).collect();
        assert_eq!(Metrics::of(&ranked, &j).recall, 1.0);
    }
}
