//! Search quality on the bundled corpus: the relevance sets in `tests/relevance/`, scored by the real search on a
//! copy of the corpus beside the bigram-BM25 baseline computed in the same run.
//!
//! `set.yaml` is the set the ranking was tuned on; `heldout.yaml` was written later by someone who saw neither
//! the code nor that set, and is never tuned on: it shows whether the tuning generalises. The floors are what the
//! current search reaches, less a small margin: a change that makes any kind of query worse on either set fails
//! here (the full table is `cargo bench --bench relevance`, reported in BENCHMARKS.md).

use std::path::Path;

use casebook::eval::{RelevanceSet, Report, evaluate};
use casebook::library::Library;
use casebook::search::SearchIndex;

use crate::util::{TempLibrary, copy_tree, corpus_dir};

/// nDCG@10 each kind of `set.yaml` must keep.
const FLOORS: &[(&str, f64)] = &[
    ("双字词", 0.93),
    ("专名", 0.94),
    ("同义简称", 0.77),
    ("繁体", 0.87),
    ("词序", 0.86),
    ("数字事实", 0.94),
    ("区县限定", 0.93),
    ("概念描述", 0.66),
    ("长句提问", 0.75),
];

/// nDCG@10 each kind of the held-out set must keep (measured 0.951, 0.983, 0.927, 0.864, 0.894, 0.910, 0.873,
/// 0.861, 0.794 when it was added; 区县限定 0.914 since a district typed in the query also matches its records'
/// facts).
const HELDOUT_FLOORS: &[(&str, f64)] = &[
    ("双字词", 0.92),
    ("专名", 0.95),
    ("同义简称", 0.89),
    ("繁体", 0.83),
    ("词序", 0.86),
    ("数字事实", 0.88),
    ("区县限定", 0.88),
    ("概念描述", 0.82),
    ("长句提问", 0.76),
];

fn load(name: &str) -> RelevanceSet {
    RelevanceSet::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/relevance").join(name)).unwrap()
}

fn set() -> RelevanceSet {
    load("set.yaml")
}

/// Scores a set on a fresh copy of the corpus and checks the floors and that no judged query finds nothing.
fn scored(set: &RelevanceSet, floors: &[(&str, f64)]) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("corpus");
    copy_tree(&corpus_dir(), &root);
    let library = Library::load(&root).unwrap();
    assert!(set.unknown_ids(&library).is_empty(), "stale judgments: {:?}", set.unknown_ids(&library));
    let (index, _) = SearchIndex::open(&root).unwrap();
    let report = evaluate(&index, &library, set, None).unwrap();
    println!("{}", report.table());
    for (kind, floor) in floors {
        let k = report.kinds.iter().find(|k| k.kind == *kind).unwrap_or_else(|| panic!("no queries of kind {kind}"));
        assert!(k.queries >= 8, "{kind}: {} queries", k.queries);
        assert!(k.casebook.ndcg >= *floor, "{kind}: nDCG@10 {:.3} below its floor {floor}", k.casebook.ndcg);
    }
    let empty: Vec<&str> = report.queries.iter().filter(|q| q.hits == 0).map(|q| q.query.as_str()).collect();
    assert!(empty.is_empty(), "judged queries that found nothing: {empty:?}");
    report
}

#[test]
fn every_kind_keeps_its_floor_and_no_judged_query_finds_nothing() {
    let report = scored(&set(), FLOORS);
    for k in &report.kinds {
        assert!(
            k.casebook.ndcg > k.baseline.ndcg,
            "{}: {:.3} not above the baseline {:.3}",
            k.kind,
            k.casebook.ndcg,
            k.baseline.ndcg
        );
    }
}

/// The held-out set: every kind keeps its floor, and overall the search stays above the baseline (on two kinds,
/// concept descriptions and long questions, the baseline is slightly ahead there; see BENCHMARKS.md).
#[test]
fn the_held_out_set_keeps_its_floors() {
    let report = scored(&load("heldout.yaml"), HELDOUT_FLOORS);
    let o = &report.overall;
    assert!(o.casebook.ndcg > o.baseline.ndcg + 0.03, "{:.3} against {:.3}", o.casebook.ndcg, o.baseline.ndcg);
}

#[test]
fn the_relevance_sets_are_well_formed() {
    for (name, at_least) in [("set.yaml", 80), ("heldout.yaml", 72)] {
        let set = load(name);
        assert!(set.queries.len() >= at_least, "{name}: {}", set.queries.len());
        assert!(set.kinds().len() >= 9, "{name}: {:?}", set.kinds());
        for q in &set.queries {
            assert!(q.judgments.values().any(|g| *g >= 2), "{name}: {} has no record graded 2 or 3", q.id);
        }
    }
}

/// The questions that used to find nothing: through the real binary, the first hit is one the judges found
/// relevant and a record graded 3 is among the first three; none of them is an empty page.
#[test]
fn questions_find_what_they_ask_about() {
    let lib = TempLibrary::new();
    copy_tree(&corpus_dir(), lib.root());
    let set = set();
    for text in [
        "电梯加装矛盾怎么调解",
        "有没有用积分换物品鼓励村民的做法？",
        "邻里纠纷调解的好办法",
        "怎样让居民参与小区治理",
        "村里酒席大操大办怎么管",
        "怎样防范老年人被电信诈骗",
        "安全感98.6%",
    ] {
        let judged = set.queries.iter().find(|q| q.query == text).unwrap_or_else(|| panic!("{text} not in the set"));
        let grade = |id: &str| judged.judgments.get(id).copied().unwrap_or(0);
        let (total, ids) = lib.search_all(text);
        assert!(total > 0, "{text}: nothing found");
        assert!(grade(&ids[0]) >= 1, "{text}: first hit {} graded {}", ids[0], grade(&ids[0]));
        assert!(ids.iter().take(3).any(|id| grade(id) == 3), "{text}: no record graded 3 in {:?}", &ids[..3]);
    }
    // The page says which hits matched everything and which are related, and what each related one contains.
    let v = lib.json(&["search", "邻里纠纷调解的好办法", "--json"]);
    let (total, exact) = (v["total"].as_u64().unwrap(), v["exact"].as_u64().unwrap());
    assert!(exact > 0 && total > exact && v["related"].as_u64() == Some(total - exact), "{v}");
    let hits = v["hits"].as_array().unwrap();
    assert!(hits.iter().all(|h| h["tier"] == "exact" || h["tier"] == "related"));
    assert!(hits.iter().all(|h| !h["matched"].as_array().unwrap().is_empty()), "every hit says what it matched");
    let text = lib.run(&["search", "邻里纠纷调解的好办法", "--limit", "100"]).stdout;
    assert!(text.contains(&format!("完全匹配 {exact} 条 · 相关 {} 条", total - exact)), "{text}");
    assert!(text.contains("相关结果") && text.contains("匹配："), "{text}");
}
