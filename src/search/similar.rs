//! “相似经验”: write-ups like a given one, preferring other districts (the point is to learn from elsewhere).
//!
//! The record's most distinctive words (tf × idf over the jieba field) become a long query, ranked by the same
//! best-match scoring as a typed one ([`SearchIndex::best_match`]).

use std::collections::HashMap;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::SearchError;
use super::analyze::Unit;
use super::index::SearchIndex;
use super::searcher::Hit;
use super::tokenizer::query_words;
use crate::text::fold;

/// How many distinctive words describe a record.
const KEY_TERMS: usize = 24;
/// How many of them a similar record must share.
const SHARED_KEY_TERMS: usize = 3;

impl SearchIndex {
    /// Write-ups most like the record `id`, other districts first. `None` when there is no such record.
    pub fn similar(&self, id: &str, limit: usize) -> Result<Option<Vec<Hit>>, SearchError> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let by_id = TermQuery::new(Term::from_field_text(f.id, id.trim()), IndexRecordOption::Basic);
        let Some((_, addr)) = searcher.search(&by_id, &TopDocs::with_limit(1).order_by_score())?.into_iter().next()
        else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(addr)?;
        let get = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let district = get(f.district);
        let text = fold(&format!("{}\n{}", get(f.title), get(f.body)));
        let mut tf: HashMap<String, f32> = HashMap::new();
        for w in query_words(&self.segmenter.for_text(&text), &text) {
            if w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_digit() || c == '.') {
                *tf.entry(w).or_default() += 1.0;
            }
        }
        let n = searcher.num_docs() as f32;
        let mut weighted: Vec<(String, f32)> = Vec::with_capacity(tf.len());
        for (w, count) in tf {
            let df = searcher.doc_freq(&Term::from_field_text(f.text_jieba, &w))? as f32;
            if df > 0.0 {
                weighted.push((w, count.sqrt() * (1.0 + (n / (df + 1.0)).ln())));
            }
        }
        weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        weighted.truncate(KEY_TERMS);
        if weighted.is_empty() {
            return Ok(Some(Vec::new()));
        }
        // The same best-match ranking a typed query gets: the record is a long query of its key words, each
        // weighted by how distinctive it is; a similar record shares at least a few of them.
        let heaviest = weighted[0].1.max(f32::EPSILON);
        let units: Vec<Unit> = weighted
            .iter()
            .map(|(w, weight)| {
                let mut u = Unit::literal(w.clone());
                u.weight = weight / heaviest;
                u
            })
            .collect();
        let Some(best) = self.best_match(&units, &[], SHARED_KEY_TERMS.min(units.len()), None, &[]) else {
            return Ok(Some(Vec::new()));
        };
        let query = BooleanQuery::new(vec![
            (Occur::Must, best),
            (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(f.kind, "writeup"), IndexRecordOption::Basic))),
            (Occur::MustNot, Box::new(by_id)),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1) * 3).order_by_score())?;
        let terms: Vec<String> = weighted.iter().take(6).map(|(w, _)| w.clone()).collect();
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            hits.push(self.hit_at(&searcher, addr, score, &terms, &[])?);
        }
        // Stable: within each group the score order stays.
        hits.sort_by_key(|h| !district.is_empty() && h.district == district);
        hits.truncate(limit);
        Ok(Some(hits))
    }
}
