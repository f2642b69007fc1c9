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

use super::schema::FACET_FIELDS;
use super::searcher::Facets;

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

/// Every facet's ordinals for one segment, and the columns to turn ordinals back into names.
pub(crate) struct SegmentFacetOrds {
    facets: Vec<FacetOrds>,
    columns: Vec<Option<StrColumn>>,
}

impl SegmentFacetOrds {
    fn read(segment: &SegmentReader) -> tantivy::Result<Self> {
        let max_doc = segment.max_doc();
        let mut facets = Vec::new();
        let mut columns = Vec::new();
        for name in FACET_FIELDS {
            let column = segment.fast_fields().str(name)?;
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
            facets.push(ords);
            columns.push(column);
        }
        Ok(SegmentFacetOrds { facets, columns })
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
        let counts = ords.columns.iter().map(|c| vec![0; c.as_ref().map(|c| c.num_terms()).unwrap_or(0)]).collect();
        Ok(SegmentFacets { ords, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut out = Facets::default();
        for f in fruits {
            for (into, from) in [
                (&mut out.district, f.district),
                (&mut out.theme, f.theme),
                (&mut out.doc_type, f.doc_type),
                (&mut out.year, f.year),
            ] {
                for (k, v) in from {
                    *into.entry(k).or_default() += v;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let doc = doc as usize;
        for (facet, counts) in self.ords.facets.iter().zip(&mut self.counts) {
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
        let mut maps: Vec<BTreeMap<String, u64>> = Vec::new();
        for (col, counts) in self.ords.columns.iter().zip(self.counts) {
            let mut map = BTreeMap::new();
            if let Some(col) = col {
                for (ord, n) in counts.into_iter().enumerate() {
                    let mut name = String::new();
                    if n > 0 && col.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                        map.insert(name, n);
                    }
                }
            }
            maps.push(map);
        }
        let mut it = maps.into_iter();
        Facets {
            district: it.next().unwrap_or_default(),
            theme: it.next().unwrap_or_default(),
            doc_type: it.next().unwrap_or_default(),
            year: it.next().unwrap_or_default(),
        }
    }
}
