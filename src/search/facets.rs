//! Facet counting over every matching record: district, theme, type and year.
//!
//! Reading the columnar fields for each matching document (an optional-index rank, a bit-unpacking, a
//! multi-value range) was a fifth of the search time when a query matches most of a large library. So each
//! segment's facet ordinals are read once into plain arrays ([`SegmentFacetOrds`], a few MB per 100k records),
//! cached by segment id (segments never change), and counting becomes a few array reads per document.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use serde::Serialize;

use super::query::Filters;

/// One facet: the key every list of facets is addressed by, so that no code depends on their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    District,
    Theme,
    DocType,
    Year,
}

impl Facet {
    /// Every facet, in the order the search page shows them.
    pub const ALL: [Facet; 4] = [Facet::District, Facet::Theme, Facet::DocType, Facet::Year];

    /// The schema field (a fast field) that holds the facet's values.
    pub fn field_name(self) -> &'static str {
        match self {
            Facet::District => "district",
            Facet::Theme => "theme",
            Facet::DocType => "doc_type",
            Facet::Year => "year",
        }
    }

    /// What the facet is called on the search page and in the command line's counts.
    pub fn label(self) -> &'static str {
        match self {
            Facet::District => "区县",
            Facet::Theme => "主题",
            Facet::DocType => "文种",
            Facet::Year => "年份",
        }
    }

    /// The query's filter on this facet.
    pub fn filter_mut(self, f: &mut Filters) -> &mut Vec<String> {
        match self {
            Facet::District => &mut f.district,
            Facet::Theme => &mut f.theme,
            Facet::DocType => &mut f.doc_type,
            Facet::Year => &mut f.year,
        }
    }
}

/// Counts per facet value over every record that matches the query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    pub district: BTreeMap<String, u64>,
    pub theme: BTreeMap<String, u64>,
    #[serde(rename = "type")]
    pub doc_type: BTreeMap<String, u64>,
    pub year: BTreeMap<String, u64>,
}

impl Facets {
    /// The counts of one facet.
    pub fn counts(&self, facet: Facet) -> &BTreeMap<String, u64> {
        match facet {
            Facet::District => &self.district,
            Facet::Theme => &self.theme,
            Facet::DocType => &self.doc_type,
            Facet::Year => &self.year,
        }
    }

    /// The counts of one facet, to fill or replace.
    pub fn counts_mut(&mut self, facet: Facet) -> &mut BTreeMap<String, u64> {
        match facet {
            Facet::District => &mut self.district,
            Facet::Theme => &mut self.theme,
            Facet::DocType => &mut self.doc_type,
            Facet::Year => &mut self.year,
        }
    }

    /// Adds another segment's counts to these.
    fn add(&mut self, other: Facets) {
        for facet in Facet::ALL {
            let into = self.counts_mut(facet);
            for (k, v) in other.counts(facet) {
                *into.entry(k.clone()).or_default() += v;
            }
        }
    }
}

/// Marks a document without a value in a single-valued facet.
const NONE: u32 = u32::MAX;

/// One facet's ordinals for every document of a segment.
enum FacetOrds {
    /// The field does not occur in the segment.
    Absent,
    /// At most one value per document (ord or [`NONE`]).
    Single(Vec<u32>),
    /// Several values per document (themes): document `d` has `ords[offsets[d]..offsets[d + 1]]`, distinct.
    Multi { offsets: Vec<u32>, ords: Vec<u32> },
}

/// Every facet's ordinals for one segment, with the column that turns ordinals back into names.
pub(crate) struct SegmentFacetOrds {
    facets: Vec<(Facet, FacetOrds, Option<StrColumn>)>,
}

impl SegmentFacetOrds {
    fn read(segment: &SegmentReader) -> tantivy::Result<Self> {
        let max_doc = segment.max_doc();
        let mut facets = Vec::new();
        for facet in Facet::ALL {
            let column = segment.fast_fields().str(facet.field_name())?;
            let ords = match &column {
                None => FacetOrds::Absent,
                Some(col) => {
                    let mut single = Vec::with_capacity(max_doc as usize);
                    let mut offsets = vec![0u32];
                    let mut multi = Vec::new();
                    let mut is_multi = false;
                    for doc in 0..max_doc {
                        let start = multi.len();
                        for ord in col.term_ords(doc) {
                            let ord = u32::try_from(ord).unwrap_or(NONE);
                            if !multi[start..].contains(&ord) {
                                multi.push(ord);
                            }
                        }
                        is_multi |= multi.len() - start > 1;
                        single.push(if multi.len() > start { multi[start] } else { NONE });
                        offsets.push(u32::try_from(multi.len()).unwrap_or(u32::MAX));
                    }
                    if is_multi { FacetOrds::Multi { offsets, ords: multi } } else { FacetOrds::Single(single) }
                }
            };
            facets.push((facet, ords, column));
        }
        Ok(SegmentFacetOrds { facets })
    }
}

/// Facet ordinals of the segments searched lately, by segment id.
#[derive(Default)]
pub(crate) struct FacetCache {
    segments: Mutex<Vec<(SegmentId, Arc<SegmentFacetOrds>)>>,
}

impl FacetCache {
    fn get(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentFacetOrds>> {
        let mut segments = self.segments.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let id = segment.segment_id();
        if let Some((_, ords)) = segments.iter().find(|(s, _)| *s == id) {
            return Ok(Arc::clone(ords));
        }
        let ords = Arc::new(SegmentFacetOrds::read(segment)?);
        segments.push((id, Arc::clone(&ords)));
        Ok(ords)
    }

    /// Forgets segments the searcher no longer has (merged away or deleted).
    pub(crate) fn retain(&self, searcher: &tantivy::Searcher) {
        let live: Vec<SegmentId> = searcher.segment_readers().iter().map(|s| s.segment_id()).collect();
        let mut segments = self.segments.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        segments.retain(|(id, _)| live.contains(id));
    }
}

/// Counts facet values of every matching document.
pub(crate) struct FacetCollector<'a> {
    pub(crate) cache: &'a FacetCache,
}

pub(crate) struct SegmentFacets {
    ords: Arc<SegmentFacetOrds>,
    counts: Vec<Vec<u64>>,
}

impl Collector for FacetCollector<'_> {
    type Fruit = Facets;
    type Child = SegmentFacets;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let ords = self.cache.get(segment)?;
        let counts =
            ords.facets.iter().map(|(_, _, c)| vec![0; c.as_ref().map(|c| c.num_terms()).unwrap_or(0)]).collect();
        Ok(SegmentFacets { ords, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut out = Facets::default();
        for f in fruits {
            out.add(f);
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let doc = doc as usize;
        for ((_, facet, _), counts) in self.ords.facets.iter().zip(&mut self.counts) {
            match facet {
                FacetOrds::Absent => {}
                FacetOrds::Single(ords) => {
                    if let Some(&ord) = ords.get(doc)
                        && let Some(n) = counts.get_mut(ord as usize)
                    {
                        *n += 1;
                    }
                }
                FacetOrds::Multi { offsets, ords } => {
                    let (Some(&from), Some(&to)) = (offsets.get(doc), offsets.get(doc + 1)) else { continue };
                    for &ord in ords.get(from as usize..to as usize).unwrap_or(&[]) {
                        if let Some(n) = counts.get_mut(ord as usize) {
                            *n += 1;
                        }
                    }
                }
            }
        }
    }

    fn harvest(self) -> Facets {
        let mut out = Facets::default();
        for ((facet, _, col), counts) in self.ords.facets.iter().zip(self.counts) {
            let Some(col) = col else { continue };
            let map = out.counts_mut(*facet);
            for (ord, n) in counts.into_iter().enumerate() {
                let mut name = String::new();
                if n > 0 && col.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    map.insert(name, n);
                }
            }
        }
        out
    }
}
