//! Search benchmark: index build and query latency on the sample corpus and on a generated library.
//!
//! Run: `cargo bench --bench search` (optionally `-- 100000` for the library size; default 10000).
//! Prints medians; compare runs made in the same invocation only (machines here are noisy).

use std::path::Path;
use std::time::{Duration, Instant};

use casebook::generate::{GenSpec, generate};
use casebook::search::{SearchIndex, SearchRequest};

/// Queries of the kinds users type: domain terms, two-character words, sub-words, phrases, several words,
/// filters, traditional script, synonyms.
const QUERIES: &[&str] = &[
    "枫桥经验",
    "网格员",
    "综治中心",
    "治中",
    "调解",
    "信访",
    "矛盾纠纷化解",
    "化解矛盾纠纷",
    "\"一站式\"",
    "电诈",
    "楓橋經驗",
    "綜治中心",
    "家长学校",
    "雪亮工程",
    "院落议事会",
    "三事分流",
    "网格员 走访",
    "矛盾纠纷 district:渝中区",
    "平安建设 type:经验材料",
    "year:2021 调委会",
    "社区矫正 -安置帮教",
    "反诈 OR 电诈",
    "诉源治理",
    "心理服务",
    "法律明白人",
    "智慧社区",
    "重点人群",
    "安全生产",
    "志愿服务",
    "铁脚板",
];

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn percentile(mut xs: Vec<f64>, p: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[((xs.len() as f64 - 1.0) * p).round() as usize]
}

fn dir_bytes(root: &Path) -> u64 {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.path().components().any(|c| c.as_os_str() == ".casebook"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn bench_library(name: &str, root: &Path) {
    let bytes = dir_bytes(root) as f64 / 1048576.0;
    // Full index build, three times from scratch.
    let mut builds = Vec::new();
    let mut docs = 0;
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(root.join(".casebook"));
        let t = Instant::now();
        let (index, _) = SearchIndex::open(root).expect("index");
        builds.push(t.elapsed().as_secs_f64());
        docs = index.num_docs();
    }
    let build = median(builds);
    // Reopen with nothing changed (start-up cost of the index).
    let mut reopen = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let _ = SearchIndex::open(root).expect("index");
        reopen.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (index, _) = SearchIndex::open(root).expect("index");
    // Warm up, then the search page (top 20 with snippets and facet counts) for every query, 7 rounds.
    for q in QUERIES {
        let _ = index.try_search(&SearchRequest::new(q));
    }
    let mut times = Vec::new();
    for _ in 0..7 {
        for q in QUERIES {
            let t = Instant::now();
            let r = index.try_search(&SearchRequest::new(q)).expect("search");
            std::hint::black_box(r);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    // Edit-to-searchable: change one file, sync, search for the new word.
    let target = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "md") && e.file_name() != "README.md")
        .map(|e| e.into_path())
        .expect("a record");
    let original = std::fs::read_to_string(&target).expect("read");
    let mut index = index;
    let mut edits = Vec::new();
    for i in 0..5 {
        std::fs::write(&target, format!("{original}\n新增词语鹦鹉螺{i}号\n")).expect("write");
        std::thread::sleep(Duration::from_millis(20));
        let t = Instant::now();
        index.sync().expect("sync");
        let r = index.try_search(&SearchRequest::new(&format!("鹦鹉螺{i}号"))).expect("search");
        edits.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.total, 1);
    }
    std::fs::write(&target, original).expect("restore");
    println!(
        "{name:<12} {docs:>7} docs {bytes:>7.1} MB | build {build:>6.2} s = {:>5.1} MB/s, {:>6.0} docs/s | reopen {:>6.1} ms | \
         search p50 {:>6.2} ms p95 {:>6.2} ms p99 {:>6.2} ms | edit→searchable p50 {:>6.1} ms",
        bytes / build,
        docs as f64 / build,
        median(reopen),
        median(times.clone()),
        percentile(times.clone(), 0.95),
        percentile(times, 0.99),
        median(edits),
    );
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let tmp = tempfile::tempdir().expect("temporary folder");
    let copy = tmp.path().join("corpus");
    copy_tree(&corpus, &copy);
    bench_library("corpus", &copy);
    let generated = tmp.path().join(format!("gen{n}"));
    let t = Instant::now();
    generate(&generated, &GenSpec { writeups: n, seed: 1 }).expect("generate");
    println!("generated {n} write-ups in {:.1} s", t.elapsed().as_secs_f64());
    bench_library(&format!("gen {n}"), &generated);
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().filter_entry(|e| e.file_name() != ".casebook") {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
