//! Running a query: from the parsed query language to tantivy queries, then hits, snippets and facet counts.
//!
//! A word matches a record when the record contains it literally (bigram phrase, so sub-words are never
//! missed) or contains all of its jieba words in any order; synonyms are alternatives. Literal and title
//! matches score higher, and records matching every clause come before those matching only some.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Collector, Count, DocSetCollector, SegmentCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TantivyDocument, Term};

use super::SearchError;
use super::facets::FacetCollector;
use super::index::SearchIndex;
use super::query::{Filters, ParsedQuery, Term as QTerm, parse};
use super::snippet::{Snippet, make_snippet};
use super::tokenizer::{bigram_tokens, query_word_set};
use crate::text::fold;

/// What to search for.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// Text in the query language (see [`super::query`]).
    pub query: String,
    /// Filters chosen outside the text (facet clicks, command-line flags); combined with those in the text.
    pub filters: Filters,
    pub limit: usize,
    pub offset: usize,
}

impl SearchRequest {
    pub fn new(query: &str) -> Self {
        SearchRequest { query: query.to_string(), filters: Filters::default(), limit: 20, offset: 0 }
    }
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub kind: String,
    pub title: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub district: String,
    pub project: String,
    pub project_name: String,
    pub themes: Vec<String>,
    pub year: Option<i32>,
    pub score: f32,
    pub snippet: String,
    /// Character ranges into `snippet`.
    pub highlights: Vec<(usize, usize)>,
    pub path: String,
}

/// Counts per facet value over every record that matches the query.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    pub district: BTreeMap<String, u64>,
    pub theme: BTreeMap<String, u64>,
    #[serde(rename = "type")]
    pub doc_type: BTreeMap<String, u64>,
    pub year: BTreeMap<String, u64>,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// Folded literal strings that were highlighted (for the UI to highlight titles and detail views).
    #[serde(skip)]
    pub terms: Vec<String>,
    /// The query was too long and only its beginning was searched ([`super::query::truncation_note`]).
    pub truncated: bool,
}

impl SearchIndex {
    /// Searches; a failure that points to a damaged index is returned as an error (see [`SearchIndex::search`]).
    pub fn try_search(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        let mut parsed = parse(&req.query);
        parsed.filters.merge(req.filters.clone());
        let plan = self.plan(&parsed);
        let searcher = self.reader.searcher();
        let limit = req.limit.max(1);
        let top = TopDocs::with_limit(limit).and_offset(req.offset).order_by_score();
        self.facet_cache.retain(&searcher);
        let facet_counts = FacetCollector { cache: &self.facet_cache };
        let (top, total, mut facets) = self.run(&searcher, &plan, (top, Count, facet_counts))?;
        // Multi-select facets: a field's counts ignore that field's own filter, so choosing 渝中区 still shows
        // how many hits 合川区 would add.
        for field in [FacetField::District, FacetField::Theme, FacetField::DocType, FacetField::Year] {
            let mut without = parsed.clone();
            let list = field.filter_mut(&mut without.filters);
            if list.is_empty() {
                continue;
            }
            list.clear();
            let mut others = self.run(&searcher, &self.plan(&without), FacetCollector { cache: &self.facet_cache })?;
            *field.counts_mut(&mut facets) = std::mem::take(field.counts_mut(&mut others));
        }
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            hits.push(self.hit_at(&searcher, addr, score, &plan.highlight)?);
        }
        Ok(SearchResults {
            query: req.query.clone(),
            total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
            facets,
            terms: plan.highlight,
            truncated: parsed.truncated,
        })
    }

    /// Paths of every record the request matches, sorted, without ranking, snippets or facets: for acting on a
    /// whole result set (exports) and for checking recall against a plain-text scan. `limit` and `offset` are
    /// ignored.
    pub fn matching_paths(&self, req: &SearchRequest) -> Result<Vec<String>, SearchError> {
        let mut parsed = parse(&req.query);
        parsed.filters.merge(req.filters.clone());
        let plan = self.plan(&parsed);
        let searcher = self.reader.searcher();
        let mut addrs: Vec<DocAddress> = self.run(&searcher, &plan, DocSetCollector)?.into_iter().collect();
        // In address order the document store decompresses each block once.
        addrs.sort();
        let mut paths = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(path) = doc.get_first(self.fields.path).and_then(|v| v.as_str()) {
                paths.push(path.to_string());
            }
        }
        paths.sort();
        Ok(paths)
    }

    pub(crate) fn hit_at(
        &self,
        searcher: &tantivy::Searcher,
        addr: DocAddress,
        score: Score,
        terms: &[String],
    ) -> Result<Hit, SearchError> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let f = &self.fields;
        let text = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let Snippet { text: snippet, highlights } = make_snippet(&text(f.body), terms);
        Ok(Hit {
            id: text(f.id),
            kind: text(f.kind),
            title: text(f.title),
            doc_type: text(f.doc_type),
            district: text(f.district),
            project: text(f.project),
            project_name: text(f.project_name),
            themes: doc.get_all(f.theme).filter_map(|v| v.as_str().map(String::from)).collect(),
            year: text(f.year).parse().ok(),
            score,
            snippet,
            highlights,
            path: text(f.path),
        })
    }
}

struct Plan {
    query: Box<dyn Query>,
    /// Records to leave out (-word). Applied as a set of documents rather than a `MustNot` clause: tantivy
    /// 0.27's phrase scorer breaks when probed out of order, which is how exclusion probes it.
    exclude: Option<Box<dyn Query>>,
    highlight: Vec<String>,
}

impl SearchIndex {
    /// Runs a plan with a collector, leaving out excluded records.
    fn run<C: Collector>(&self, searcher: &tantivy::Searcher, plan: &Plan, collector: C) -> tantivy::Result<C::Fruit> {
        match &plan.exclude {
            None => searcher.search(&*plan.query, &collector),
            Some(exclude) => {
                let excluded: HashSet<DocAddress> = searcher.search(&**exclude, &DocSetCollector)?;
                if excluded.is_empty() {
                    return searcher.search(&*plan.query, &collector);
                }
                searcher.search(&*plan.query, &Excluding { inner: collector, excluded })
            }
        }
    }
}

/// Wraps a collector and drops the excluded documents before they reach it.
struct Excluding<C> {
    inner: C,
    excluded: HashSet<DocAddress>,
}

struct ExcludingSegment<S> {
    inner: S,
    excluded: HashSet<DocId>,
}

impl<C: Collector> Collector for Excluding<C> {
    type Fruit = C::Fruit;
    type Child = ExcludingSegment<C::Child>;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<Self::Child> {
        let excluded = self.excluded.iter().filter(|a| a.segment_ord == segment).map(|a| a.doc_id).collect();
        Ok(ExcludingSegment { inner: self.inner.for_segment(segment, reader)?, excluded })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(&self, fruits: Vec<<Self::Child as SegmentCollector>::Fruit>) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

impl<S: SegmentCollector> SegmentCollector for ExcludingSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if !self.excluded.contains(&doc) {
            self.inner.collect(doc, score);
        }
    }

    fn harvest(self) -> S::Fruit {
        self.inner.harvest()
    }
}

impl SearchIndex {
    fn plan(&self, q: &ParsedQuery) -> Plan {
        let mut highlight = Vec::new();
        let mut clauses: Vec<Box<dyn Query>> = Vec::new();
        for clause in &q.clauses {
            let alts: Vec<Box<dyn Query>> =
                clause.alternatives.iter().filter_map(|t| self.term_query(t, &mut highlight)).collect();
            match alts.len() {
                0 => {}
                1 => clauses.extend(alts),
                _ => clauses.push(Box::new(BooleanQuery::new(alts.into_iter().map(|a| (Occur::Should, a)).collect()))),
            }
        }
        let mut top: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match clauses.len() {
            0 if q.clauses.is_empty() => top.push((Occur::Must, Box::new(AllQuery))),
            // Every clause was unsearchable (e.g. only punctuation): nothing can match.
            0 => top.push((Occur::Must, Box::new(EmptyQuery))),
            1 => top.extend(clauses.into_iter().map(|c| (Occur::Must, c))),
            _ => {
                // Any clause may match; records matching all of them get a bonus that puts them first.
                let all: Vec<(Occur, Box<dyn Query>)> = clauses.iter().map(|c| (Occur::Must, c.box_clone())).collect();
                let any: Vec<(Occur, Box<dyn Query>)> = clauses.into_iter().map(|c| (Occur::Should, c)).collect();
                top.push((Occur::Must, Box::new(BooleanQuery::new(any))));
                top.push((Occur::Should, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(all)), 1000.0))));
            }
        }
        let mut ignored = Vec::new();
        let excludes: Vec<(Occur, Box<dyn Query>)> =
            q.excludes.iter().filter_map(|t| self.term_query(t, &mut ignored)).map(|x| (Occur::Should, x)).collect();
        let exclude: Option<Box<dyn Query>> =
            (!excludes.is_empty()).then(|| Box::new(BooleanQuery::new(excludes)) as Box<dyn Query>);
        for (field, values) in self.filter_terms(&q.filters) {
            let alts: Vec<(Occur, Box<dyn Query>)> = values
                .into_iter()
                .map(|v| {
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(Term::from_field_text(field, &v), IndexRecordOption::Basic));
                    (Occur::Should, q)
                })
                .collect();
            top.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(alts)), 0.0))));
        }
        highlight.sort();
        highlight.dedup();
        Plan { query: Box::new(BooleanQuery::new(top)), exclude, highlight }
    }

    /// Filter values resolved to what the index stores (合川 → 合川区, a project name → its id, …).
    fn filter_terms(&self, filters: &Filters) -> Vec<(Field, Vec<String>)> {
        let f = &self.fields;
        let c = &self.config;
        let mut out = Vec::new();
        let mut add = |field: Field, values: Vec<String>| {
            if !values.is_empty() {
                out.push((field, values));
            }
        };
        add(f.district, filters.district.iter().map(|d| c.resolve_district(d).unwrap_or(d).to_string()).collect());
        add(f.theme, filters.theme.iter().map(|t| c.resolve_theme(t).unwrap_or(t).to_string()).collect());
        add(f.doc_type, filters.doc_type.iter().map(|t| c.resolve_type(t).unwrap_or(t).to_string()).collect());
        add(f.year, filters.year.iter().map(|y| y.trim().trim_end_matches('年').to_string()).collect());
        add(f.project, filters.project.iter().map(|p| p.trim().to_string()).collect());
        add(f.kind, filters.kind.iter().map(|k| k.trim().to_string()).collect());
        out
    }

    /// Synonyms of a folded word, itself included.
    fn variants(&self, folded: &str) -> Vec<String> {
        let mut out = vec![folded.to_string()];
        for group in &self.config.synonyms {
            if group.iter().any(|s| fold(s) == folded) {
                for s in group {
                    let s = fold(s);
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
            }
        }
        out
    }

    fn term_query(&self, term: &QTerm, highlight: &mut Vec<String>) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let folded_query = fold(term.text().trim());
        let variants = match term {
            QTerm::Word(_) => self.variants(&folded_query),
            QTerm::Phrase(_) => vec![folded_query.clone()],
        };
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for v in &variants {
            if let Some(lit) = literal_query(f.text_bigram, v) {
                alternatives.push((Occur::Should, Box::new(BoostQuery::new(lit, 2.0))));
                highlight.push(v.clone());
            }
            // Order-free word matching for what the user typed; synonyms only match literally.
            if matches!(term, QTerm::Word(_))
                && *v == folded_query
                && let Some(words) = query_word_set(&self.jieba, v)
            {
                let all: Vec<(Occur, Box<dyn Query>)> = words
                    .iter()
                    .map(|w| {
                        let q: Box<dyn Query> = Box::new(TermQuery::new(
                            Term::from_field_text(f.text_jieba, w),
                            IndexRecordOption::WithFreqs,
                        ));
                        (Occur::Must, q)
                    })
                    .collect();
                alternatives.push((Occur::Should, Box::new(BooleanQuery::new(all))));
                highlight.extend(words);
            }
        }
        if alternatives.is_empty() {
            return None;
        }
        let matches: Box<dyn Query> = Box::new(BooleanQuery::new(alternatives));
        let mut scored: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, matches)];
        for v in &variants {
            if let Some(t) = literal_query(f.title_bigram, v) {
                scored.push((Occur::Should, Box::new(BoostQuery::new(t, 3.0))));
            }
        }
        Some(Box::new(BooleanQuery::new(scored)))
    }
}

/// The literal-substring query for folded text on a bigram field: a phrase of its bigrams at their positions.
pub(crate) fn literal_query(field: Field, folded: &str) -> Option<Box<dyn Query>> {
    let tokens = bigram_tokens(folded, false);
    let mut terms: Vec<(usize, Term)> =
        tokens.into_iter().map(|t| (t.position, Term::from_field_text(field, &t.text))).collect();
    match terms.len() {
        0 => None,
        1 => {
            let (_, term) = terms.remove(0);
            Some(Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)))
        }
        _ => Some(Box::new(PhraseQuery::new_with_offset(terms))),
    }
}

/// The facet fields, to address a filter list and a count map together.
#[derive(Clone, Copy)]
enum FacetField {
    District,
    Theme,
    DocType,
    Year,
}

impl FacetField {
    fn filter_mut(self, f: &mut Filters) -> &mut Vec<String> {
        match self {
            FacetField::District => &mut f.district,
            FacetField::Theme => &mut f.theme,
            FacetField::DocType => &mut f.doc_type,
            FacetField::Year => &mut f.year,
        }
    }

    fn counts_mut(self, f: &mut Facets) -> &mut BTreeMap<String, u64> {
        match self {
            FacetField::District => &mut f.district,
            FacetField::Theme => &mut f.theme,
            FacetField::DocType => &mut f.doc_type,
            FacetField::Year => &mut f.year,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{GenSpec, generate};

    #[test]
    fn matching_paths_is_the_whole_result_set() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("lib");
        generate(&root, &GenSpec { writeups: 60, seed: 3 }).unwrap();
        let (index, _) = SearchIndex::open(&root).unwrap();
        for q in ["网格员", "治中", "调解 -信访", "year:2021 平安建设", "楓橋經驗"] {
            let req = SearchRequest::new(q);
            let paths = index.matching_paths(&req).unwrap();
            let total = index.try_search(&req).unwrap().total;
            assert_eq!(paths.len(), total, "{q}");
            assert!(paths.windows(2).all(|w| w[0] < w[1]), "sorted and distinct: {q}");
            let mut all = SearchRequest::new(q);
            all.limit = total.max(1);
            let mut hits: Vec<String> = index.try_search(&all).unwrap().hits.into_iter().map(|h| h.path).collect();
            hits.sort();
            assert_eq!(hits, paths, "{q}");
        }
        assert!(!index.matching_paths(&SearchRequest::new("网格员")).unwrap().is_empty());
    }

    #[test]
    fn facet_counts_agree_with_the_hits() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("lib");
        generate(&root, &GenSpec { writeups: 80, seed: 5 }).unwrap();
        let (index, _) = SearchIndex::open(&root).unwrap();
        for q in ["", "网格员", "调解 -信访", "theme:社会矛盾 平安"] {
            let mut req = SearchRequest::new(q);
            req.limit = 10_000;
            let r = index.try_search(&req).unwrap();
            assert_eq!(r.hits.len(), r.total, "{q}");
            let mut expected = Facets::default();
            for h in &r.hits {
                for (map, value) in [(&mut expected.district, &h.district), (&mut expected.doc_type, &h.doc_type)] {
                    if !value.is_empty() {
                        *map.entry(value.clone()).or_default() += 1;
                    }
                }
                if let Some(y) = h.year {
                    *expected.year.entry(y.to_string()).or_default() += 1;
                }
                let mut themes = h.themes.clone();
                themes.sort();
                themes.dedup();
                for t in themes {
                    *expected.theme.entry(t).or_default() += 1;
                }
            }
            assert_eq!(r.facets.district, expected.district, "{q}");
            assert_eq!(r.facets.doc_type, expected.doc_type, "{q}");
            assert_eq!(r.facets.year, expected.year, "{q}");
            if !q.contains("theme:") {
                assert_eq!(r.facets.theme, expected.theme, "{q}");
            }
        }
    }
}
