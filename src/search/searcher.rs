//! Running a query: from the parsed query language to tantivy queries, then hits, snippets and facet counts.
//!
//! Two tiers. **Exact** (完全匹配): every clause is in the record literally (bigram phrase, so sub-words are never
//! missed), by a synonym, or by all of its meaningful words in any order (question words such as 怎么 do not
//! count, see [`super::analyze`]). **Related** (相关): the record shares enough of the query's words, or the words
//! the vocabulary widens them to, ranked by BM25 with title, proximity and partial-overlap boosts. Exact hits
//! come first; both are ranked by the same best-match score.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Collector, Count, DocSetCollector, SegmentCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TantivyDocument, Term};

use super::SearchError;
use super::analyze::{Unit, WordStats, minimum_should_match, word_units};
use super::facets::{Facet, FacetCollector, Facets};
use super::fusion::{FUSE_DEPTH, Lexical, SEMANTIC_ONLY_DEPTH, fuse};
use super::index::{SearchIndex, WithinFound};
use super::query::{Filters, ParsedQuery, Term as QTerm, parse};
use super::snippet::{Snippet, make_snippet};
use super::tokenizer::bigram_tokens;
use super::vocabulary::EQUIVALENT_WEIGHT;
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
    /// Record ids ranked by similarity to the query, most similar first ([`crate::semantic::Semantic::ranking`]);
    /// empty for lexical search only. Fused with the lexical ranking ([`super::fusion`]).
    pub semantic: Vec<(String, f32)>,
}

impl SearchRequest {
    pub fn new(query: &str) -> Self {
        SearchRequest {
            query: query.to_string(),
            filters: Filters::default(),
            limit: 20,
            offset: 0,
            semantic: Vec::new(),
        }
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
    /// Whether the record matched the whole query or only part of it.
    pub tier: Tier,
    /// The query's units the record contains (literally, by a finest-word match or through the vocabulary).
    pub matched: Vec<String>,
    pub snippet: String,
    /// Character ranges into `snippet`.
    pub highlights: Vec<(usize, usize)>,
    pub path: String,
}

/// How a hit relates to the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Every clause matched literally or by all its meaningful words (完全匹配).
    Exact,
    /// Ranked best match: shares enough of the query's words or their vocabulary (相关).
    Related,
    /// Shares too few words, but is among the records closest in meaning (语义相近, [`crate::semantic`]).
    Semantic,
}

impl Tier {
    /// How the tier is named to users.
    pub fn label(self) -> &'static str {
        match self {
            Tier::Exact => "完全匹配",
            Tier::Related => "相关",
            Tier::Semantic => "语义相近",
        }
    }

    /// The tier a score says: strict matches carry [`STRICT_BONUS`], records found only by meaning score 0.
    fn of(score: Score) -> Tier {
        if score >= STRICT_BONUS {
            Tier::Exact
        } else if score > 0.0 {
            Tier::Related
        } else {
            Tier::Semantic
        }
    }
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    /// Every matching record: exact and related.
    pub total: usize,
    /// How many of them match exactly ([`Tier::Exact`]); they come first.
    pub exact: usize,
    /// How many were found by meaning alone ([`Tier::Semantic`]); counted in `total`.
    pub semantic: usize,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// Folded literal strings that were highlighted (for the UI to highlight titles and detail views).
    #[serde(skip)]
    pub terms: Vec<String>,
    /// The query was too long and only its beginning was searched ([`super::query::truncation_note`]).
    pub truncated: bool,
}

impl SearchResults {
    /// The result count as users read it: `共 44 条结果：完全匹配 3 条 · 相关 41 条`.
    pub fn summary(&self) -> String {
        let related = self.total - self.exact - self.semantic;
        let mut parts = Vec::new();
        for (n, label) in [(self.exact, "完全匹配"), (related, "相关"), (self.semantic, "语义相近")] {
            if n > 0 {
                parts.push(format!("{label} {n} 条"));
            }
        }
        if self.exact == self.total {
            format!("共 {} 条结果", self.total)
        } else if self.exact > 0 {
            format!("共 {} 条结果：{}", self.total, parts.join(" · "))
        } else if self.semantic == 0 {
            format!("共 {} 条相关结果（没有完全匹配的记录）", self.total)
        } else {
            format!("共 {} 条相关结果（没有完全匹配的记录）：{}", self.total, parts.join(" · "))
        }
    }
}

impl SearchIndex {
    /// Searches; a failure that points to a damaged index is returned as an error (see [`SearchIndex::search`]).
    pub fn try_search(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        let mut parsed = parse(&req.query);
        parsed.filters.merge(req.filters.clone());
        // The semantic ranking, when given, is read to FUSE_DEPTH; its first records join the results even
        // when they share no word with the query (see `fusion`).
        let semantic: Vec<&str> = if parsed.clauses.is_empty() {
            Vec::new()
        } else {
            req.semantic.iter().take(FUSE_DEPTH).map(|(id, _)| id.as_str()).collect()
        };
        let admit = &semantic[..semantic.len().min(SEMANTIC_ONLY_DEPTH)];
        let searcher = self.reader.searcher();
        let within = self.within(&searcher, &parsed.filters.within)?;
        let plan_for =
            |parsed: &ParsedQuery, relaxed: bool| Plan { within: within.clone(), ..self.plan(parsed, relaxed, admit) };
        let mut plan = plan_for(&parsed, false);
        // The collector allocates offset + limit slots: both are capped, whatever the caller asks for.
        let limit = req.limit.clamp(1, MAX_PAGE);
        let offset = req.offset.min(MAX_PAGE);
        let fused = !semantic.is_empty();
        // Fusion needs the lexical ranking from the top, deep enough for the page and for the fusion itself.
        let top = || {
            if fused {
                TopDocs::with_limit((offset + limit).max(FUSE_DEPTH)).tweak_score(kind_prior)
            } else {
                TopDocs::with_limit(limit).and_offset(offset).tweak_score(kind_prior)
            }
        };
        self.facet_cache.retain(&searcher);
        let facet_counts = || FacetCollector { cache: &self.facet_cache };
        let (mut top_docs, mut total, mut tiers, mut facets) =
            self.run(&searcher, &plan, (top(), Count, TierCount, facet_counts()))?;
        // A query that shares words with records never gets an empty page, nor a page of a few: when fewer than
        // WIDEN_BELOW records share enough of its words, those that share fewer follow them.
        if total - tiers.semantic < WIDEN_BELOW && plan.relaxable {
            plan = plan_for(&parsed, true);
            (top_docs, total, tiers, facets) = self.run(&searcher, &plan, (top(), Count, TierCount, facet_counts()))?;
        }
        let relaxed = !plan.relaxable;
        // Multi-select facets: a field's counts ignore that field's own filter, so choosing 渝中区 still shows
        // how many hits 合川区 would add.
        for facet in Facet::ALL {
            let mut without = parsed.clone();
            let list = facet.filter_mut(&mut without.filters);
            if list.is_empty() {
                continue;
            }
            list.clear();
            let mut others = self.run(&searcher, &plan_for(&without, relaxed), facet_counts())?;
            *facets.counts_mut(facet) = std::mem::take(others.counts_mut(facet));
        }
        if fused {
            top_docs = self.fuse_page(&searcher, &plan, &semantic, top_docs, offset, limit)?;
        }
        let mut hits = Vec::with_capacity(top_docs.len());
        for (score, addr) in top_docs {
            hits.push(self.hit_at(&searcher, addr, score, &plan.highlight, &plan.units)?);
        }
        Ok(SearchResults {
            query: req.query.clone(),
            total,
            exact: tiers.exact,
            semantic: tiers.semantic,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
            facets,
            terms: plan.highlight,
            truncated: parsed.truncated,
        })
    }

    /// The record with this id.
    fn id_query(&self, id: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic))
    }

    /// One page of the fused ranking: the lexical ranking from the top (`lexical`, with scores) fused with the
    /// semantic ranking of the records that pass the query's filters and exclusions.
    fn fuse_page(
        &self,
        searcher: &tantivy::Searcher,
        plan: &Plan,
        semantic: &[&str],
        lexical: Vec<(Score, DocAddress)>,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<(Score, DocAddress)>, SearchError> {
        let n = semantic.len();
        let by_rank: Vec<Box<dyn Query>> = semantic
            .iter()
            .enumerate()
            .map(|(rank, id)| {
                let q: Box<dyn Query> = Box::new(ConstScoreQuery::new(self.id_query(id), (n - rank) as f32));
                q
            })
            .collect();
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, should(by_rank))];
        must.extend(plan.filters.iter().map(|f| (Occur::Must, f.box_clone())));
        let query = BooleanQuery::new(must);
        let limits = Limits { exclude: plan.exclude.as_deref(), within: plan.within.as_deref() };
        let ranked = self.run_query(searcher, &query, limits, TopDocs::with_limit(n).order_by_score())?;
        let semantic_order: Vec<DocAddress> = ranked.into_iter().map(|(_, addr)| addr).collect();
        let scores: HashMap<DocAddress, Score> = lexical.iter().map(|(s, a)| (*a, *s)).collect();
        let lexical: Vec<Lexical<DocAddress>> = lexical
            .iter()
            .filter(|(score, _)| *score > 0.0)
            .map(|(score, addr)| Lexical { key: *addr, exact: *score >= STRICT_BONUS })
            .collect();
        // One word typed is a lookup of that word: its exact matches keep the order of how much they say about
        // it. A phrase, a description or a question is asked by meaning, and meaning orders its exact matches too.
        let by_meaning = plan.units.len() > 1;
        Ok(fuse(&lexical, &semantic_order, by_meaning)
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|addr| (scores.get(&addr).copied().unwrap_or(0.0), addr))
            .collect())
    }

    /// Paths of every record the request matches, sorted, without ranking, snippets or facets: for acting on a
    /// whole result set (exports) and for checking recall against a plain-text scan. `limit` and `offset` are
    /// ignored.
    pub fn matching_paths(&self, req: &SearchRequest) -> Result<Vec<String>, SearchError> {
        let mut parsed = parse(&req.query);
        parsed.filters.merge(req.filters.clone());
        let searcher = self.reader.searcher();
        let within = self.within(&searcher, &parsed.filters.within)?;
        let mut plan = Plan { within: within.clone(), ..self.plan(&parsed, false, &[]) };
        if plan.relaxable && self.run(&searcher, &plan, Count)? < WIDEN_BELOW {
            plan = Plan { within, ..self.plan(&parsed, true, &[]) };
        }
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
        units: &[Unit],
    ) -> Result<Hit, SearchError> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let f = &self.fields;
        let text = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let body = text(f.body);
        let Snippet { text: snippet, highlights } = make_snippet(&body, terms);
        let folded = fold(&format!("{}\n{}", text(f.title), body));
        let district = text(f.district);
        let matched: Vec<String> = units
            .iter()
            .filter(|u| {
                folded.contains(u.text.as_str())
                    || (!u.literal_only && self.config.resolve_district(&u.text) == Some(district.as_str()))
                    || u.expansions.iter().any(|(e, _)| folded.contains(e.as_str()))
                    || (!u.fine.is_empty() && u.fine.iter().all(|w| folded.contains(w.as_str())))
            })
            .map(|u| u.text.clone())
            .collect();
        // A fused page may show a lexical match from beyond the depth read for fusion, without its score.
        let tier = match Tier::of(score) {
            Tier::Semantic if !matched.is_empty() => Tier::Related,
            tier => tier,
        };
        Ok(Hit {
            id: text(f.id),
            kind: text(f.kind),
            title: text(f.title),
            doc_type: text(f.doc_type),
            district,
            project: text(f.project),
            project_name: text(f.project_name),
            themes: doc.get_all(f.theme).filter_map(|v| v.as_str().map(String::from)).collect(),
            year: text(f.year).parse().ok(),
            score: if tier == Tier::Exact { score - STRICT_BONUS } else { score },
            tier,
            matched,
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
    /// The filters alone (facet fields, project, kind), for queries that must honour them too.
    filters: Vec<Box<dyn Query>>,
    highlight: Vec<String>,
    /// The counting units of the query, to tell each hit which of them it contains.
    units: Vec<Unit>,
    /// Whether asking for fewer shared units could find more (used when nothing was found).
    relaxable: bool,
    /// The records the earlier searches of a 在结果中检索 found; `None`: no such restriction.
    within: Option<Arc<HashSet<DocAddress>>>,
}

/// What a run leaves out besides what its query does not match.
#[derive(Clone, Copy, Default)]
struct Limits<'a> {
    /// Records to leave out (-word).
    exclude: Option<&'a dyn Query>,
    /// When given, only these records.
    within: Option<&'a HashSet<DocAddress>>,
}

impl SearchIndex {
    /// Runs a plan with a collector, leaving out excluded records.
    fn run<C: Collector>(&self, searcher: &tantivy::Searcher, plan: &Plan, collector: C) -> tantivy::Result<C::Fruit> {
        let limits = Limits { exclude: plan.exclude.as_deref(), within: plan.within.as_deref() };
        self.run_query(searcher, &*plan.query, limits, collector)
    }

    /// Runs a query with a collector, leaving out the records `limits.exclude` matches and, when
    /// `limits.within` is given, every record not in it.
    fn run_query<C: Collector>(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        limits: Limits<'_>,
        collector: C,
    ) -> tantivy::Result<C::Fruit> {
        let excluded: HashSet<DocAddress> = match limits.exclude {
            Some(exclude) => searcher.search(exclude, &DocSetCollector)?,
            None => HashSet::new(),
        };
        if excluded.is_empty() && limits.within.is_none() {
            return searcher.search(query, &collector);
        }
        searcher.search(query, &Restricted { inner: collector, excluded, within: limits.within })
    }

    /// The records that every earlier query of a 在结果中检索 found, each as its own search found them (widened
    /// when it was); `None` when there are none.
    fn within(
        &self,
        searcher: &tantivy::Searcher,
        earlier: &[String],
    ) -> Result<Option<Arc<HashSet<DocAddress>>>, SearchError> {
        if earlier.iter().all(|q| q.trim().is_empty()) {
            return Ok(None);
        }
        let generation = searcher.generation().generation_id();
        let segments: Vec<tantivy::index::SegmentId> =
            searcher.segment_readers().iter().map(|s| s.segment_id()).collect();
        let mut cache = self.within_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(c) = cache.as_ref()
            && c.generation == generation
            && c.segments == segments
            && c.earlier == earlier
        {
            return Ok(c.found.clone());
        }
        let mut found: Option<Arc<HashSet<DocAddress>>> = None;
        for query in earlier.iter().filter(|q| !q.trim().is_empty()) {
            let mut parsed = parse(query);
            // Its own filters only: the facet filters of the search at hand apply to the whole of it anyway.
            parsed.filters = Filters { within: Vec::new(), ..parsed.filters };
            let mut plan = Plan { within: found.clone(), ..self.plan(&parsed, false, &[]) };
            if plan.relaxable && self.run(searcher, &plan, Count)? < WIDEN_BELOW {
                plan = Plan { within: found.clone(), ..self.plan(&parsed, true, &[]) };
            }
            found = Some(Arc::new(self.run(searcher, &plan, DocSetCollector)?));
        }
        *cache = Some(WithinFound { generation, segments, earlier: earlier.to_vec(), found: found.clone() });
        Ok(found)
    }
}

/// At most this many hits are returned by one search, and a page starts no further than this.
pub const MAX_PAGE: usize = 100_000;

/// The ranking's preference for write-ups: projects, sites and collections are short summaries that frame the
/// write-ups (and BM25 favours short records), so at an equal match their score counts this share.
const FRAME_PRIOR: f32 = 0.7;

/// Scores a segment's hits with [`FRAME_PRIOR`] applied to records that are not write-ups, leaving the
/// tier bonuses whole so the tier can still be read from the score.
fn kind_prior(segment: &SegmentReader) -> impl Fn(DocId, Score) -> Score + use<> {
    let column = segment.fast_fields().str("kind").ok().flatten();
    let writeup = column.as_ref().and_then(|c| c.dictionary().term_ord("writeup").ok().flatten());
    move |doc, score| {
        let is_writeup = match (&column, writeup) {
            (Some(c), Some(ord)) => c.term_ords(doc).next() == Some(ord),
            _ => true,
        };
        if is_writeup {
            return score;
        }
        let bonus = bonuses(score);
        bonus + (score - bonus) * FRAME_PRIOR
    }
}

/// The tier bonuses a score carries ([`STRICT_BONUS`], [`RELATED_BONUS`]), which the ranking's priors leave whole.
fn bonuses(score: Score) -> Score {
    let mut bonus = 0.0;
    if score >= STRICT_BONUS {
        bonus += STRICT_BONUS;
    }
    if score - bonus >= RELATED_BONUS {
        bonus += RELATED_BONUS;
    }
    bonus
}

/// How many hits match exactly (their score carries [`STRICT_BONUS`]) and how many only by meaning (score 0).
#[derive(Debug, Clone, Copy, Default)]
struct Tiers {
    exact: usize,
    semantic: usize,
}

/// Counts the hits of each tier from their scores.
struct TierCount;

struct TierCountSegment(Tiers);

impl Collector for TierCount {
    type Fruit = Tiers;
    type Child = TierCountSegment;

    fn for_segment(&self, _: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<TierCountSegment> {
        Ok(TierCountSegment(Tiers::default()))
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Tiers>) -> tantivy::Result<Tiers> {
        Ok(fruits
            .into_iter()
            .fold(Tiers::default(), |a, b| Tiers { exact: a.exact + b.exact, semantic: a.semantic + b.semantic }))
    }
}

impl SegmentCollector for TierCountSegment {
    type Fruit = Tiers;

    fn collect(&mut self, _: DocId, score: Score) {
        match Tier::of(score) {
            Tier::Exact => self.0.exact += 1,
            Tier::Semantic => self.0.semantic += 1,
            Tier::Related => {}
        }
    }

    fn harvest(self) -> Tiers {
        self.0
    }
}

/// Wraps a collector and drops the excluded documents, and those outside `within`, before they reach it.
struct Restricted<'a, C> {
    inner: C,
    excluded: HashSet<DocAddress>,
    within: Option<&'a HashSet<DocAddress>>,
}

struct RestrictedSegment<S> {
    inner: S,
    excluded: HashSet<DocId>,
    within: Option<HashSet<DocId>>,
}

impl<C: Collector> Collector for Restricted<'_, C> {
    type Fruit = C::Fruit;
    type Child = RestrictedSegment<C::Child>;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<Self::Child> {
        let of_segment = |set: &HashSet<DocAddress>| -> HashSet<DocId> {
            set.iter().filter(|a| a.segment_ord == segment).map(|a| a.doc_id).collect()
        };
        Ok(RestrictedSegment {
            inner: self.inner.for_segment(segment, reader)?,
            excluded: of_segment(&self.excluded),
            within: self.within.map(of_segment),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(&self, fruits: Vec<<Self::Child as SegmentCollector>::Fruit>) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

impl<S: SegmentCollector> SegmentCollector for RestrictedSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if !self.excluded.contains(&doc) && self.within.as_ref().is_none_or(|w| w.contains(&doc)) {
            self.inner.collect(doc, score);
        }
    }

    fn harvest(self) -> S::Fruit {
        self.inner.harvest()
    }
}

impl SearchIndex {
    /// The query plan: strict matches (every clause literally or by all its meaningful words) carry
    /// [`STRICT_BONUS`]; best-match hits are ranked by BM25 over the units the query shares with them. `relaxed`
    /// asks for any one shared unit, for when the usual share finds nothing.
    /// `admit`: record ids the semantic tier found, which match (at score 0) whatever words they share.
    fn plan(&self, q: &ParsedQuery, relaxed: bool, admit: &[&str]) -> Plan {
        let known = IndexStats {
            searcher: self.reader.searcher(),
            field: self.fields.text_jieba,
            pairs: self.fields.text_bigram,
        };
        let mut highlight = Vec::new();
        let mut strict_clauses: Vec<Box<dyn Query>> = Vec::new();
        let mut units: Vec<Unit> = Vec::new();
        let mut pairs: Vec<String> = Vec::new();
        for clause in &q.clauses {
            let mut strict_alts: Vec<Box<dyn Query>> = Vec::new();
            let mut clause_units: Vec<Vec<Unit>> = Vec::new();
            for term in &clause.alternatives {
                let folded = fold(term.text().trim());
                let term_units = match term {
                    QTerm::Phrase(_) => vec![Unit::literal(folded.clone())],
                    QTerm::Word(w) => word_units(w, &self.segmenter, &self.vocab, &known),
                };
                if let Some(q) = self.strict_query(term, &folded, &term_units) {
                    strict_alts.push(q);
                }
                highlight.push(folded);
                clause_units.push(term_units);
            }
            match strict_alts.len() {
                0 => {}
                1 => strict_clauses.extend(strict_alts),
                _ => strict_clauses.push(should(strict_alts)),
            }
            if clause_units.len() == 1 {
                let mine = clause_units.remove(0);
                let counting: Vec<&Unit> = mine.iter().filter(|u| u.counts).collect();
                // The clause as typed, when it is more than one unit: records that have it verbatim rank first.
                if counting.len() > 1
                    && let QTerm::Word(w) = &clause.alternatives[0]
                {
                    pairs.push(fold(w.trim()));
                }
                // Two words that most records have say little side by side, and their phrase is costly.
                for w in counting.windows(2).filter(|w| !(w[0].common && w[1].common)) {
                    pairs.push(format!("{}{}", w[0].text, w[1].text));
                    pairs.push(format!("{}{}", w[1].text, w[0].text));
                }
                units.extend(mine);
            } else {
                // Alternatives joined by OR are one unit: any of them, literally.
                let mut alts = clause.alternatives.iter().map(|t| fold(t.text().trim()));
                let Some(first) = alts.next() else { continue };
                let mut unit = Unit::literal(first);
                unit.expansions = alts.map(|a| (a, 1.0)).collect();
                units.push(unit);
            }
        }
        for u in units.iter().filter(|u| u.counts) {
            highlight.push(u.text.clone());
            highlight.extend(u.fine.iter().cloned());
            highlight.extend(u.expansions.iter().map(|(w, _)| w.clone()));
        }
        pairs.truncate(MAX_PAIRS);
        let counting = units.iter().filter(|u| u.counts).count();
        let usual = minimum_should_match(counting);
        // Widened, the records that share the usual number of words stay ahead of those that share fewer.
        let (msm, ahead) = if relaxed { (1, Some(usual)) } else { (usual, None) };
        let runs = if relaxed { self.widening_runs(&units) } else { Vec::new() };
        highlight.extend(runs.iter().cloned());
        let best = self.best_match(&units, &pairs, msm, ahead, &runs);
        let strict: Option<Box<dyn Query>> = match strict_clauses.len() {
            0 => None,
            1 => strict_clauses.pop(),
            _ => Some(Box::new(BooleanQuery::new(strict_clauses.into_iter().map(|c| (Occur::Must, c)).collect()))),
        };
        let mut top: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if q.clauses.is_empty() {
            // No words: every record that passes the filters matches fully.
            top.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(AllQuery), STRICT_BONUS))));
        } else {
            let mut either: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            if let Some(strict) = strict {
                either.push((Occur::Should, Box::new(ConstScoreQuery::new(strict, STRICT_BONUS))));
            }
            if let Some(best) = best {
                either.push((Occur::Should, best));
            }
            if !admit.is_empty() {
                let ids: Vec<Box<dyn Query>> = admit.iter().map(|id| self.id_query(id)).collect();
                either.push((Occur::Should, Box::new(ConstScoreQuery::new(should(ids), 0.0))));
            }
            // Every clause was unsearchable (e.g. only punctuation): nothing can match.
            let matches: Box<dyn Query> =
                if either.is_empty() { Box::new(EmptyQuery) } else { Box::new(BooleanQuery::new(either)) };
            top.push((Occur::Must, matches));
        }
        let excludes: Vec<Box<dyn Query>> = q
            .excludes
            .iter()
            .filter_map(|t| {
                let folded = fold(t.text().trim());
                let units = match t {
                    QTerm::Phrase(_) => vec![Unit::literal(folded.clone())],
                    QTerm::Word(w) => word_units(w, &self.segmenter, &self.vocab, &known),
                };
                self.strict_query(t, &folded, &units)
            })
            .collect();
        let exclude: Option<Box<dyn Query>> = (!excludes.is_empty()).then(|| should(excludes));
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        for (field, values) in self.filter_terms(&q.filters) {
            let alts: Vec<Box<dyn Query>> = values
                .into_iter()
                .map(|v| {
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(Term::from_field_text(field, &v), IndexRecordOption::Basic));
                    q
                })
                .collect();
            filters.push(Box::new(ConstScoreQuery::new(should(alts), 0.0)));
        }
        top.extend(filters.iter().map(|f| (Occur::Must, f.box_clone())));
        highlight.retain(|h| !h.is_empty());
        highlight.sort();
        highlight.dedup();
        units.retain(|u| u.counts);
        Plan {
            query: Box::new(BooleanQuery::new(top)),
            exclude,
            filters,
            highlight,
            units,
            relaxable: !relaxed && counting > 0,
            within: None,
        }
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
        add(f.district, filters.district.iter().map(|d| c.district_name(d).to_string()).collect());
        add(f.theme, filters.theme.iter().map(|t| c.theme_name(t).to_string()).collect());
        add(f.doc_type, filters.doc_type.iter().map(|t| c.type_name(t).to_string()).collect());
        add(f.year, filters.year.iter().map(|y| y.trim().trim_end_matches('年').to_string()).collect());
        add(f.project, filters.project.iter().map(|p| p.trim().to_string()).collect());
        add(f.kind, filters.kind.iter().map(|k| k.trim().to_string()).collect());
        out
    }

    /// Whether a record matches a term strictly: the term literally, one of the library's synonyms of it, or
    /// (for a word of several units) every meaningful unit, each literally, by a synonym, or by all its finest
    /// words in any order. Only which records match counts here; the ranking comes from [`Self::best_match`].
    fn strict_query(&self, term: &QTerm, folded: &str, units: &[Unit]) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let mut alts: Vec<Box<dyn Query>> = Vec::new();
        alts.extend(literal_query(f.text_bigram, folded));
        if let QTerm::Phrase(_) = term {
            return alts.pop();
        }
        for syn in self.vocab.synonyms(folded) {
            alts.extend(literal_query(f.text_bigram, syn));
        }
        // Words in a large share of the records are not required when the clause has others.
        let mut counting: Vec<&Unit> = units.iter().filter(|u| u.counts && !u.common).collect();
        if counting.is_empty() {
            counting = units.iter().filter(|u| u.counts).collect();
        }
        let whole_is_one_unit = counting.len() == 1 && counting[0].text == folded && counting[0].fine.is_empty();
        // One-character words alone never stand for a longer clause (治 for 治中).
        let only_characters = counting.iter().all(|u| u.text.chars().count() < 2);
        if !counting.is_empty() && !whole_is_one_unit && !only_characters {
            let all: Vec<(Occur, Box<dyn Query>)> =
                counting.iter().filter_map(|u| self.unit_match(u)).map(|q| (Occur::Must, q)).collect();
            if all.len() == counting.len() {
                alts.push(Box::new(BooleanQuery::new(all)));
            }
        }
        match alts.len() {
            0 => None,
            1 => alts.pop(),
            _ => Some(should(alts)),
        }
    }

    /// A unit matched strictly: literally, by an interchangeable word (a synonym group of the library or an
    /// equivalent of the thesaurus, not a narrower or broader one), or by its finest words in any order.
    fn unit_match(&self, u: &Unit) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let mut alts: Vec<Box<dyn Query>> = Vec::new();
        alts.extend(literal_query(f.text_bigram, &u.text));
        if !u.literal_only {
            // A word that contains the unit matches nothing the unit does not.
            for (word, _) in
                u.expansions.iter().filter(|(e, w)| *w >= EQUIVALENT_WEIGHT && !e.contains(u.text.as_str()))
            {
                alts.extend(literal_query(f.text_bigram, word));
            }
            if let Some(q) = self.all_words(&u.fine) {
                alts.push(q);
            }
            alts.extend(self.district_query(u));
        }
        match alts.len() {
            0 => None,
            1 => alts.pop(),
            _ => Some(should(alts)),
        }
    }

    /// A unit that names a district (渝北, 永川区) also matches the records of that district, as their facts say,
    /// and weighs there as a title match: a district typed with a topic asks for that district's records first.
    fn district_query(&self, u: &Unit) -> Option<Box<dyn Query>> {
        if u.literal_only {
            return None;
        }
        let name = self.config.resolve_district(&u.text)?;
        Some(Box::new(TermQuery::new(Term::from_field_text(self.fields.district, name), IndexRecordOption::Basic)))
    }

    /// Every one of the words on the jieba field, in any order.
    fn all_words(&self, words: &[String]) -> Option<Box<dyn Query>> {
        if words.len() < 2 {
            return None;
        }
        let all: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|w| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.text_jieba, w),
                    IndexRecordOption::WithFreqs,
                ));
                (Occur::Must, q)
            })
            .collect();
        Some(Box::new(BooleanQuery::new(all)))
    }

    /// The ranked best-match query: records sharing at least `msm` of the counting units (each literally, by
    /// its finest words, or widened through the vocabulary at a lower weight), scored by BM25 with title and
    /// project-name matches weighing more, plus the one-character words, the bigrams of longer units (partial
    /// overlap, as a bigram engine ranks), and the adjacent pairs of units in either order (proximity).
    /// `ahead`: the search is widened to records that share `msm` units or any of `runs`; those that share
    /// this larger number of units carry [`RELATED_BONUS`], so that they stay ahead of the rest.
    pub(crate) fn best_match(
        &self,
        units: &[Unit],
        pairs: &[String],
        msm: usize,
        ahead: Option<usize>,
        runs: &[String],
    ) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let counting: Vec<Box<dyn Query>> =
            units.iter().filter(|u| u.counts).filter_map(|u| self.unit_query(u)).collect();
        if counting.is_empty() {
            return None;
        }
        let n = counting.len();
        let share = |m: usize| -> Box<dyn Query> {
            if n == 1 {
                counting[0].box_clone()
            } else {
                Box::new(BooleanQuery::with_minimum_required_clauses(
                    counting.iter().map(|q| (Occur::Should, q.box_clone())).collect(),
                    m.clamp(1, n),
                ))
            }
        };
        let required = match ahead {
            None => share(msm),
            Some(_) => {
                // Widened: any shared unit, or any of the runs.
                let runs: Vec<Box<dyn Query>> = runs
                    .iter()
                    .map(|r| {
                        let q = TermQuery::new(Term::from_field_text(f.text_bigram, r), IndexRecordOption::WithFreqs);
                        let q: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(q), BIGRAM_WEIGHT));
                        q
                    })
                    .collect();
                if runs.is_empty() { share(msm) } else { should(vec![share(msm), should(runs)]) }
            }
        };
        let mut outer: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, required)];
        if let Some(m) = ahead {
            outer.push((Occur::Should, Box::new(ConstScoreQuery::new(share(m), RELATED_BONUS))));
        }
        for u in units.iter().filter(|u| !u.counts) {
            if let Some(q) = self.unit_query(u) {
                outer.push((Occur::Should, q));
            }
        }
        let mut bigrams: Vec<String> = Vec::new();
        for u in units.iter().filter(|u| u.counts && !u.literal_only && u.text.chars().count() >= 3) {
            for t in bigram_tokens(&u.text, false) {
                if t.text.chars().count() == 2 && !bigrams.contains(&t.text) {
                    bigrams.push(t.text);
                }
            }
        }
        for b in bigrams {
            let q = TermQuery::new(Term::from_field_text(f.text_bigram, &b), IndexRecordOption::WithFreqs);
            outer.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), BIGRAM_WEIGHT))));
        }
        for p in pairs {
            // Normalised like a unit's literal (see `unit_query`), as two words.
            let weight = PAIR_WEIGHT * 2.0 / bigram_tokens(p, false).len().max(1) as f32;
            if let Some(q) = literal_query(f.text_bigram, p) {
                outer.push((Occur::Should, Box::new(BoostQuery::new(q, weight))));
            }
        }
        Some(Box::new(BooleanQuery::new(outer)))
    }

    /// The two-character runs of the query's units that widen a search with few matches, as a bigram engine
    /// matches: not stop words, and none found in more than a quarter of the records (such a run says little
    /// about what the query asks and would admit most of the library).
    fn widening_runs(&self, units: &[Unit]) -> Vec<String> {
        let searcher = self.reader.searcher();
        let docs = searcher.num_docs();
        let mut runs: Vec<String> = Vec::new();
        for u in units.iter().filter(|u| u.counts && !u.literal_only) {
            for t in bigram_tokens(&u.text, false) {
                if t.text.chars().count() != 2 || runs.contains(&t.text) || self.vocab.is_stop(&t.text) {
                    continue;
                }
                let df = searcher.doc_freq(&Term::from_field_text(self.fields.text_bigram, &t.text)).unwrap_or(0);
                if df > 0 && df * 4 <= docs {
                    runs.push(t.text);
                }
            }
        }
        runs
    }

    /// One unit for ranking: the best of its literal and its expansions (each at its weight) in the text, plus
    /// the best of them in the title. Taking the best rather than the sum keeps a word with many synonyms from
    /// outweighing the other words of the query.
    fn unit_query(&self, u: &Unit) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let mut text: Vec<Box<dyn Query>> = Vec::new();
        let mut title: Vec<Box<dyn Query>> = Vec::new();
        let mut add = |word: &str, weight: f32| {
            // A phrase scores the idf of each of its bigrams, as if they were independent words; divided by
            // their number, a long synonym (社会治安综合治理中心) weighs as one word, like the short form it stands for.
            let bigrams = bigram_tokens(word, false);
            let per_bigram = weight / bigrams.len().max(1) as f32;
            if let Some(q) = literal_query(f.text_bigram, word) {
                text.push(Box::new(BoostQuery::new(q, per_bigram)));
            }
            if let Some(q) = literal_query(f.title_bigram, word) {
                title.push(Box::new(BoostQuery::new(q, per_bigram * TITLE_WEIGHT)));
            }
        };
        add(&u.text, u.weight);
        // A word that contains the unit (老年人 → 独居老人) finds no record the unit does not, and its phrase over
        // common bigrams is among the costliest parts of a search.
        for (e, w) in u.expansions.iter().filter(|(e, _)| !e.contains(u.text.as_str())) {
            add(e, u.weight * w);
        }
        if let Some(q) = self.all_words(&u.fine) {
            text.push(Box::new(BoostQuery::new(q, u.weight * FINE_WEIGHT)));
        }
        if let Some(q) = self.district_query(u) {
            title.push(Box::new(BoostQuery::new(q, u.weight * TITLE_WEIGHT)));
        }
        let best = |alts: Vec<Box<dyn Query>>| -> Option<Box<dyn Query>> {
            match alts.len() {
                0 => None,
                1 => alts.into_iter().next(),
                _ => Some(Box::new(DisjunctionMaxQuery::with_tie_breaker(alts, TIE_BREAKER))),
            }
        };
        let parts: Vec<Box<dyn Query>> = [best(text), best(title)].into_iter().flatten().collect();
        match parts.len() {
            0 => None,
            1 => parts.into_iter().next(),
            _ => Some(should(parts)),
        }
    }
}

/// The word statistics query analysis reads, from the index.
struct IndexStats {
    searcher: tantivy::Searcher,
    field: Field,
    /// The bigram field, where every two adjacent characters are a term.
    pairs: Field,
}

impl WordStats for IndexStats {
    fn docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    fn doc_freq(&self, word: &str) -> u64 {
        self.searcher.doc_freq(&Term::from_field_text(self.field, word)).unwrap_or(0)
    }

    fn pair_freq(&self, pair: &str) -> u64 {
        self.searcher.doc_freq(&Term::from_field_text(self.pairs, pair)).unwrap_or(0)
    }
}

/// A disjunction.
fn should(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(queries.into_iter().map(|q| (Occur::Should, q)).collect()))
}

/// Score added to records that match strictly: they come first, and a hit's tier is read from its score.
pub(crate) const STRICT_BONUS: f32 = 10_000.0;
/// Fewer lexical matches than this widen the search to records that share fewer of the query's words (after
/// them): a page of ten should not stop at three when more records share something with the question.
const WIDEN_BELOW: usize = 10;
/// Score added, in a widened search, to the records that share the usual number of the query's words: they stay
/// ahead of those that share fewer. Far above any BM25 score here, far below [`STRICT_BONUS`].
pub(crate) const RELATED_BONUS: f32 = 1_000.0;
/// Title (and project-name) matches count this many times a match in the text.
const TITLE_WEIGHT: f32 = 1.5;
/// A unit matched by its finest words in any order, relative to the literal.
const FINE_WEIGHT: f32 = 0.7;
/// Each bigram of a longer unit, for partial overlap.
const BIGRAM_WEIGHT: f32 = 0.2;
/// Two adjacent units of the query found side by side in the record.
const PAIR_WEIGHT: f32 = 0.8;
/// Share of the other alternatives' scores a unit keeps beside its best one.
const TIE_BREAKER: f32 = 0.3;
/// At most this many proximity pairs.
const MAX_PAIRS: usize = 12;

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

    #[test]
    fn within_keeps_only_what_the_earlier_search_found() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("lib");
        generate(&root, &GenSpec { writeups: 80, seed: 5 }).unwrap();
        let (index, _) = SearchIndex::open(&root).unwrap();
        let paths = |q: &str, within: &[&str]| {
            let mut req = SearchRequest::new(q);
            req.filters.within = within.iter().map(|w| w.to_string()).collect();
            index.matching_paths(&req).unwrap()
        };
        let earlier = paths("网格员", &[]);
        let later = paths("调解", &[]);
        let narrowed = paths("调解", &["网格员"]);
        assert!(!narrowed.is_empty() && narrowed.len() < later.len(), "{} of {}", narrowed.len(), later.len());
        assert!(narrowed.iter().all(|p| earlier.contains(p) && later.contains(p)));
        // The page, its total and its facet counts say the same.
        let mut req = SearchRequest::new("调解");
        req.filters.within = vec!["网格员".into()];
        req.limit = 10_000;
        let r = index.try_search(&req).unwrap();
        assert_eq!(r.total, narrowed.len());
        assert_eq!(
            r.facets.district.values().sum::<u64>() as usize,
            r.hits.iter().filter(|h| !h.district.is_empty()).count()
        );
        // Two earlier searches: both hold; an exclusion of an earlier search holds too.
        let both = paths("调解", &["网格员", "平安"]);
        assert!(both.iter().all(|p| narrowed.contains(p)));
        let without = paths("调解", &["网格员 -信访"]);
        assert!(without.iter().all(|p| !paths("信访", &[]).contains(p)));
    }

    #[test]
    fn a_district_in_the_query_brings_its_records_first() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let writeup = |id: &str, district: &str, body: &str| {
            let text = format!(
                "---\nid: {id}\ntitle: 校园反诈\ndistrict: {district}\ntype: 经验材料\nyear: 2022\n---\n{body}\n"
            );
            std::fs::write(root.join(format!("{id}.md")), text).unwrap();
        };
        // The 永川 record never names its district in the text; the other names 永川 once, in passing.
        writeup("a", "永川区", "职教城成立校警联防队，开展大学生防诈骗宣传。");
        writeup("b", "綦江区", "学习永川做法，大学生防诈骗，大学生防诈骗宣讲进校园，大学生防诈骗。");
        let (index, _) = SearchIndex::open(root).unwrap();
        let r = index.try_search(&SearchRequest::new("永川 大学生防诈骗")).unwrap();
        let ids: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"], "{:?}", r.hits);
        assert_eq!(r.hits[0].tier, Tier::Exact, "the district's facts match its name");
        assert!(r.hits[0].matched.contains(&"永川".to_string()), "{:?}", r.hits[0].matched);
    }

    #[test]
    fn a_narrowed_search_follows_the_index_when_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let writeup = |id: &str, body: &str| {
            let text =
                format!("---\nid: {id}\ntitle: {id}\ndistrict: 渝中区\ntype: 经验材料\nyear: 2022\n---\n{body}\n");
            std::fs::write(root.join(format!("{id}.md")), text).unwrap();
        };
        writeup("a", "网格员上门调解邻里纠纷。");
        writeup("b", "院落议事会调解停车矛盾。");
        let (mut index, _) = SearchIndex::open(root).unwrap();
        let narrowed = |index: &SearchIndex| {
            let mut req = SearchRequest::new("调解");
            req.filters.within = vec!["网格员".into()];
            index.matching_paths(&req).unwrap()
        };
        assert_eq!(narrowed(&index), ["a.md"]);
        assert_eq!(narrowed(&index), ["a.md"], "asked again (a next page): the same");
        writeup("b", "院落议事会请网格员调解停车矛盾。");
        index.sync().unwrap();
        assert_eq!(narrowed(&index), ["a.md", "b.md"], "the earlier search is run again on the changed index");
    }
}
