//! Search benchmark: index build, edit-to-searchable, the search page over a fixed query set, cold start, peak
//! RSS, jieba tokenizing alone (the ceiling of the jieba path) and literal recall against ripgrep, on one library.
//!
//! The usual entry point is `benches/run.sh`, which also runs the peers (SQLite FTS5, ripgrep) and the UI
//! benchmark on the same libraries and writes one table. By hand:
//!
//! ```text
//! cargo bench --bench search -- gen 10000 target/bench/gen10k     # once; deterministic
//! cargo bench --bench search -- all target/bench/gen10k --out r.json
//! cargo bench --bench search                                             # no arguments: a temporary 10k library
//! ```
//!
//! `all` runs each measurement in a child process of this same binary, so each has its own peak RSS and the
//! cold start is a real process start. Child commands (`build`, `cold`, `queries`, `jieba`) print one line
//! `RESULT {json}`; `page DIR ROUNDS` runs only the search page loop and `edit DIR` only edit-to-searchable, for a profiler. Times are medians or percentiles of several runs; compare numbers from one run only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use casebook::generate::{GenSpec, generate};
use casebook::library::{Config, scan_files};
use casebook::search::segmenter::shared_segmenter;
use casebook::search::{CACHE_DIR, SearchIndex, SearchRequest};
use casebook::text::fold;
use serde_json::{Value, json};

#[path = "common/measure.rs"]
mod measure;
use measure::{peak_anon_mb, peak_rss_mb, percentile, sample_memory};

/// Where the fixed query set lives.
const QUERIES_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/queries.txt");

/// Query kinds matched literally (their folded text is what a plain-text scan should find).
const LITERAL_KINDS: &[&str] = &["term", "word2", "char", "sub", "phrase", "trad", "none"];

struct Query {
    kind: String,
    text: String,
}

fn load_queries() -> Vec<Query> {
    let file = std::env::var("CASEBOOK_BENCH_QUERIES").unwrap_or_else(|_| QUERIES_FILE.to_string());
    let text = std::fs::read_to_string(&file).expect("benches/queries.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, q)| Query { kind: k.to_string(), text: q.to_string() })
        .collect()
}

/// The literal a plain-text tool is asked for: quotes removed, folded as the index folds.
fn literal_of(q: &Query) -> String {
    fold(q.text.trim().trim_matches('"'))
}

fn median(xs: &[f64]) -> f64 {
    percentile(xs, 0.5)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn emit(value: Value) {
    println!("RESULT {value}");
}

/// Total bytes and count of the record files (what indexing reads).
fn record_bytes(root: &Path) -> (u64, usize) {
    let stamps = scan_files(root).expect("scan");
    (stamps.iter().map(|s| s.size).sum(), stamps.len())
}

// ---------------------------------------------------------------------------------------------------------------
// Child commands

/// Full index build from scratch.
fn cmd_build(root: &Path) {
    let _ = std::fs::remove_dir_all(root.join(CACHE_DIR));
    let t = Instant::now();
    let (index, report) = SearchIndex::open(root).expect("index");
    let secs = t.elapsed().as_secs_f64();
    emit(json!({
        "secs": secs,
        "docs": index.num_docs(),
        "bytes": report.bytes,
        "problems": report.problems.len(),
        "peak_rss_mb": peak_rss_mb(),
        "peak_anon_mb": peak_anon_mb(),
    }));
}

/// A returning user's process start: open the existing index and show the first results (no query, as the app
/// does). `unsynced`: open the index as it is (`SearchIndex::open_unsynced`), results first, compare with the
/// files afterwards; otherwise `SearchIndex::open`, which compares every file first.
fn cmd_cold(root: &Path, started: Instant, unsynced: bool) {
    let t = Instant::now();
    let config = Config::load(root).expect("config");
    let index = if unsynced {
        SearchIndex::open_unsynced(root, config).expect("an existing index")
    } else {
        SearchIndex::open_with(root, config).expect("index").0
    };
    let open = t.elapsed();
    let results = index.try_search(&SearchRequest::new("")).expect("search");
    let first = started.elapsed();
    let query = index.try_search(&SearchRequest::new("枫桥经验")).expect("search");
    emit(json!({
        "open_ms": ms(open),
        "first_result_ms": ms(first),
        "first_query_ms": query.took_ms,
        "hits": results.total,
        "peak_rss_mb": peak_rss_mb(),
        "peak_anon_mb": peak_anon_mb(),
    }));
}

/// The search page over the query set, edit-to-searchable, and literal recall against ripgrep.
fn cmd_queries(root: &Path, rounds: usize) {
    let queries = load_queries();
    let (mut index, _) = SearchIndex::open(root).expect("index");
    let mut totals = Vec::new();
    for q in &queries {
        totals.push(index.try_search(&SearchRequest::new(&q.text)).expect("search").total);
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); queries.len()];
    for _ in 0..rounds {
        for (i, q) in queries.iter().enumerate() {
            let t = Instant::now();
            let r = index.try_search(&SearchRequest::new(&q.text)).expect("search");
            times[i].push(ms(t.elapsed()));
            std::hint::black_box(r);
        }
    }
    let all: Vec<f64> = times.iter().flatten().copied().collect();
    let mut by_kind: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for (q, t) in queries.iter().zip(&times) {
        by_kind.entry(q.kind.as_str()).or_default().extend(t);
    }
    let kinds: BTreeMap<&str, Value> = by_kind
        .iter()
        .map(|(k, t)| (*k, json!({"p50": median(t), "p95": percentile(t, 0.95), "p99": percentile(t, 0.99)})))
        .collect();
    let per_query: Vec<Value> = queries
        .iter()
        .zip(&times)
        .zip(&totals)
        .map(|((q, t), total)| json!({"kind": q.kind, "query": q.text, "ms": median(t), "total": total}))
        .collect();
    let search_rss = peak_rss_mb();

    let edit = edit_to_searchable(root, &mut index);
    let recall = recall_against_ripgrep(root, &index, &queries);
    emit(json!({
        "queries": queries.len(),
        "rounds": rounds,
        "p50": median(&all),
        "p95": percentile(&all, 0.95),
        "p99": percentile(&all, 0.99),
        "max": percentile(&all, 1.0),
        "zero_hit_queries": totals.iter().filter(|&&t| t == 0).count(),
        "by_kind": kinds,
        "per_query": per_query,
        "peak_rss_after_search_mb": search_rss,
        "edit": edit,
        "recall": recall,
        "peak_rss_mb": peak_rss_mb(),
        "peak_anon_mb": peak_anon_mb(),
    }));
}

/// Only the search page loop, for a profiler (`perf record … search-… page DIR 20`).
fn cmd_page(root: &Path, rounds: usize) {
    let queries = load_queries();
    let (index, _) = SearchIndex::open(root).expect("index");
    let t = Instant::now();
    for _ in 0..rounds {
        for q in &queries {
            std::hint::black_box(index.try_search(&SearchRequest::new(&q.text)).expect("search"));
        }
    }
    let per = ms(t.elapsed()) / (rounds * queries.len()) as f64;
    emit(json!({"mean_ms": per}));
}

/// Changes one write-up, brings the index up to date and searches for the new word, several times; then restores
/// the file. Both ways of bringing it up to date: `sync` (scans the whole folder; what a sync without a file
/// watcher's paths costs) and `sync_paths` (only the changed file, as a watcher reports it).
fn edit_to_searchable(root: &Path, index: &mut SearchIndex) -> Value {
    let stamps = scan_files(root).expect("scan");
    let rel = stamps[stamps.len() / 2].rel_path.clone();
    let target = root.join(&rel);
    let original = std::fs::read_to_string(&target).expect("read");
    let mut full = Vec::new();
    let mut sync = Vec::new();
    let mut paths = Vec::new();
    for i in 0..14 {
        let word = format!("新增词语鹦鹉螺{i}号");
        std::fs::write(&target, format!("{original}\n{word}\n")).expect("write");
        let t = Instant::now();
        let by_paths = i % 2 == 1;
        if by_paths {
            index.sync_paths(std::slice::from_ref(&target)).expect("sync_paths");
        } else {
            index.sync().expect("sync");
        }
        let synced = t.elapsed();
        let r = index.try_search(&SearchRequest::new(&word)).expect("search");
        // Exactly one record has the new word; others may share a part of it (相关).
        assert_eq!(r.exact, 1, "the edited record is found");
        assert_eq!(r.hits[0].path, rel, "the edited record comes first");
        if by_paths {
            paths.push(ms(t.elapsed()));
        } else {
            full.push(ms(t.elapsed()));
            sync.push(ms(synced));
        }
    }
    std::fs::write(&target, original).expect("restore");
    index.sync().expect("sync");
    // The cost of noticing that nothing changed (what a sync triggered by an unrelated event costs).
    let mut idle = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        index.sync().expect("sync");
        idle.push(ms(t.elapsed()));
    }
    let t = Instant::now();
    let stamps = scan_files(root).expect("scan");
    let scan = ms(t.elapsed());
    std::hint::black_box(stamps);
    json!({"p50_ms": median(&full), "max_ms": percentile(&full, 1.0), "sync_p50_ms": median(&sync),
           "sync_paths_p50_ms": median(&paths), "sync_paths_max_ms": percentile(&paths, 1.0),
           "noop_sync_p50_ms": median(&idle), "scan_ms": scan})
}

/// Runs `rg -l -F` for a literal; returns the record paths it lists (relative, `/`-separated) and the time.
fn ripgrep(root: &Path, literal: &str) -> Option<(BTreeSet<String>, f64)> {
    let t = Instant::now();
    let out = Command::new("rg")
        .args(["-l", "-F", "--no-messages", "-g", "*.md", "-g", "!README.md", "-g", "!readme.md", "-e", literal])
        .arg(root)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let elapsed = ms(t.elapsed());
    let text = String::from_utf8_lossy(&out.stdout);
    let prefix = format!("{}/", root.display());
    let files = text.lines().map(|l| l.strip_prefix(&prefix).unwrap_or(l).to_string()).collect();
    Some((files, elapsed))
}

/// Where in a file a literal occurs: the front-matter key of the line, or "body".
fn where_found(root: &Path, rel: &str, literal: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root.join(rel)).unwrap_or_default();
    let mut places = BTreeSet::new();
    let mut in_front = false;
    let mut key = String::new();
    for (n, line) in text.lines().enumerate() {
        if n == 0 && line == "---" {
            in_front = true;
            continue;
        }
        if in_front && line == "---" {
            in_front = false;
            continue;
        }
        if in_front && !line.starts_with(' ') && !line.starts_with('-') {
            key = line.split(':').next().unwrap_or("").to_string();
        }
        if fold(line).contains(literal) {
            places.insert(if in_front { format!("front matter `{key}`") } else { "body".to_string() });
        }
    }
    places.into_iter().collect()
}

/// For every literal query: our full result set against the files ripgrep lists for the folded literal.
/// ripgrep is also timed on the query as typed (it cannot fold traditional script).
fn recall_against_ripgrep(root: &Path, index: &SearchIndex, queries: &[Query]) -> Value {
    if Command::new("rg").arg("--version").output().is_err() {
        return json!({"error": "ripgrep (rg) is not installed"});
    }
    let mut rg_times = Vec::new();
    let mut rg_zero_as_typed = 0;
    let mut expected_total = 0usize;
    let mut found_total = 0usize;
    let mut extra_total = 0usize;
    let mut misses: BTreeMap<String, usize> = BTreeMap::new();
    let mut examples: Vec<Value> = Vec::new();
    let mut per_query = Vec::new();
    let mut checked = 0;
    for q in queries.iter().filter(|q| LITERAL_KINDS.contains(&q.kind.as_str())) {
        checked += 1;
        let typed = q.text.trim().trim_matches('"').to_string();
        let literal = literal_of(q);
        let Some((typed_files, rg_ms)) = ripgrep(root, &typed) else { continue };
        rg_times.push(rg_ms);
        if typed_files.is_empty() {
            rg_zero_as_typed += 1;
        }
        let expected =
            if literal == typed { typed_files } else { ripgrep(root, &literal).map(|r| r.0).unwrap_or_default() };
        let ours: BTreeSet<String> =
            index.matching_paths(&SearchRequest::new(&q.text)).expect("search").into_iter().collect();
        let found = expected.intersection(&ours).count();
        expected_total += expected.len();
        found_total += found;
        extra_total += ours.difference(&expected).count();
        for missed in expected.difference(&ours) {
            let places = where_found(root, missed, &literal);
            for p in &places {
                *misses.entry(p.clone()).or_default() += 1;
            }
            if examples.len() < 10 {
                examples.push(json!({"query": q.text, "file": missed, "found_in": places}));
            }
        }
        per_query.push(json!({"query": q.text, "rg_ms": rg_ms, "rg_files": expected.len(), "ours": ours.len(),
                              "found": found}));
    }
    json!({
        "literal_queries": checked,
        "rg_files": expected_total,
        "found": found_total,
        "recall": if expected_total == 0 { 1.0 } else { found_total as f64 / expected_total as f64 },
        "missed_by_place": misses,
        "missed_examples": examples,
        "ours_not_rg": extra_total,
        "rg_p50_ms": median(&rg_times),
        "rg_p95_ms": percentile(&rg_times, 0.95),
        "rg_zero_as_typed": rg_zero_as_typed,
        "per_query": per_query,
    })
}

/// jieba-rs tokenizing alone over the record files: what the jieba half of indexing cannot go faster than.
fn cmd_jieba(root: &Path) {
    let config = Config::load(root).expect("config");
    let jieba = shared_segmenter(&config.dictionary, config.analysis_fingerprint()).full();
    let stamps = scan_files(root).expect("scan");
    let texts: Vec<String> =
        stamps.iter().map(|s| std::fs::read_to_string(root.join(&s.rel_path)).unwrap_or_default()).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let t = Instant::now();
    let mut tokens = 0usize;
    for text in &texts {
        tokens += jieba.cut_for_search(text, true).len();
    }
    let single = t.elapsed().as_secs_f64();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let chunk = texts.len().div_ceil(threads).max(1);
    let t = Instant::now();
    let parallel_tokens: usize = std::thread::scope(|s| {
        let handles: Vec<_> = texts
            .chunks(chunk)
            .map(|c| s.spawn(|| c.iter().map(|text| jieba.cut_for_search(text, true).len()).sum::<usize>()))
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).sum()
    });
    let parallel = t.elapsed().as_secs_f64();
    assert_eq!(tokens, parallel_tokens);
    // The folding step both analysers run first, for comparison.
    let t = Instant::now();
    let folded: usize = texts.iter().map(|text| fold(text).len()).sum();
    let fold_secs = t.elapsed().as_secs_f64();
    std::hint::black_box(folded);
    let mb = bytes as f64 / 1048576.0;
    emit(json!({
        "bytes": bytes,
        "docs": texts.len(),
        "tokens": tokens,
        "mb_per_s_1_thread": mb / single,
        "docs_per_s_1_thread": texts.len() as f64 / single,
        "threads": threads,
        "mb_per_s_all_threads": mb / parallel,
        "docs_per_s_all_threads": texts.len() as f64 / parallel,
        "fold_mb_per_s_1_thread": mb / fold_secs,
        "peak_rss_mb": peak_rss_mb(),
        "peak_anon_mb": peak_anon_mb(),
    }));
}

// ---------------------------------------------------------------------------------------------------------------
// Orchestration

/// Runs this binary with a child command and returns its `RESULT` value.
fn child(args: &[&str]) -> Value {
    let exe = std::env::current_exe().expect("current exe");
    let out = Command::new(exe).args(args).stderr(Stdio::inherit()).output().expect("run child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child {args:?} failed: {stdout}");
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_else(|| panic!("child {args:?} printed no result: {stdout}"))
}

fn f(v: &Value, path: &[&str]) -> f64 {
    path.iter().fold(v, |v, k| &v[*k]).as_f64().unwrap_or(f64::NAN)
}

fn cmd_all(root: &Path, out: Option<&Path>) {
    let dir = root.to_string_lossy().to_string();
    let (bytes, files) = record_bytes(root);
    let large = files > 30_000;
    eprintln!("library {dir}: {files} record files, {:.1} MB", bytes as f64 / 1048576.0);

    let build_runs = if large { 1 } else { 3 };
    let builds: Vec<Value> = (0..build_runs)
        .map(|i| {
            eprintln!("  build {}/{build_runs} …", i + 1);
            child(&["build", &dir])
        })
        .collect();
    let secs: Vec<f64> = builds.iter().map(|b| f(b, &["secs"])).collect();
    let build_secs = median(&secs);
    let mb = bytes as f64 / 1048576.0;
    let docs = f(&builds[0], &["docs"]);
    let build = json!({
        "runs": secs,
        "secs": build_secs,
        "mb_per_s": mb / build_secs,
        "docs_per_s": docs / build_secs,
        "docs": docs,
        "peak_rss_mb": builds.iter().map(|b| f(b, &["peak_rss_mb"])).fold(0.0, f64::max),
        "peak_anon_mb": builds.iter().map(|b| f(b, &["peak_anon_mb"])).fold(0.0, f64::max),
    });

    eprintln!("  cold start ×5, ×5 unsynced …");
    let cold_runs = |mode: &str| -> Value {
        let runs: Vec<Value> = (0..5).map(|_| child(&["cold", &dir, mode])).collect();
        let med = |k: &str| median(&runs.iter().map(|c| f(c, &[k])).collect::<Vec<_>>());
        json!({
            "first_result_ms": med("first_result_ms"),
            "open_ms": med("open_ms"),
            "first_query_ms": med("first_query_ms"),
            "peak_rss_mb": runs.iter().map(|c| f(c, &["peak_rss_mb"])).fold(0.0, f64::max),
            "peak_anon_mb": runs.iter().map(|c| f(c, &["peak_anon_mb"])).fold(0.0, f64::max),
        })
    };
    let mut cold = cold_runs("synced");
    cold["unsynced"] = cold_runs("unsynced");

    eprintln!("  queries, edit-to-searchable, recall …");
    let rounds = if large { "5" } else { "7" };
    let queries = child(&["queries", &dir, rounds]);

    eprintln!("  jieba alone …");
    let jieba = child(&["jieba", &dir]);

    let result = json!({
        "library": dir,
        "files": files,
        "bytes": bytes,
        "threads": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "build": build,
        "cold": cold,
        "search": queries,
        "jieba": jieba,
    });
    println!(
        "{dir}: {files} files {mb:.1} MB | build {build_secs:.1} s = {:.2} MB/s {:.0} docs/s, peak RSS {:.0} MB | \
         cold start {:.0} ms | search p50 {:.2} p95 {:.2} p99 {:.2} ms | edit→searchable {:.0} ms | \
         recall {:.4} | jieba alone {:.2} MB/s (1 thread), {:.2} MB/s (all)",
        f(&result, &["build", "mb_per_s"]),
        f(&result, &["build", "docs_per_s"]),
        f(&result, &["build", "peak_rss_mb"]),
        f(&result, &["cold", "first_result_ms"]),
        f(&result, &["search", "p50"]),
        f(&result, &["search", "p95"]),
        f(&result, &["search", "p99"]),
        f(&result, &["search", "edit", "p50_ms"]),
        f(&result, &["search", "recall", "recall"]),
        f(&result, &["jieba", "mb_per_s_1_thread"]),
        f(&result, &["jieba", "mb_per_s_all_threads"]),
    );
    if let Some(out) = out {
        std::fs::write(out, serde_json::to_string_pretty(&result).expect("json")).expect("write results");
        eprintln!("  → {}", out.display());
    }
}

/// Generates a library unless the folder already holds one.
fn cmd_gen(n: usize, out: &Path) {
    if out.join("README.md").exists() {
        eprintln!("{} exists; reusing it", out.display());
        return;
    }
    let t = Instant::now();
    let report = generate(out, &GenSpec { writeups: n, seed: 1 }).expect("generate");
    eprintln!(
        "generated {n} write-ups ({:.1} MB) in {:.1} s into {}",
        report.bytes as f64 / 1048576.0,
        t.elapsed().as_secs_f64(),
        out.display()
    );
}

fn main() {
    let started = Instant::now();
    sample_memory();
    // `cargo bench` passes `--bench`; anything starting with `--bench` is not ours.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--bench")).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    // Absolute, so paths printed by ripgrep and reported to `sync_paths` look like a file watcher's.
    let path = |i: usize| {
        let p = PathBuf::from(arg(i).expect("a library folder"));
        std::fs::canonicalize(&p).unwrap_or(p)
    };
    match arg(0) {
        Some("gen") => cmd_gen(arg(1).and_then(|n| n.parse().ok()).expect("a number of write-ups"), &path(2)),
        Some("build") => cmd_build(&path(1)),
        Some("cold") => cmd_cold(&path(1), started, arg(2) == Some("unsynced")),
        Some("queries") => cmd_queries(&path(1), arg(2).and_then(|r| r.parse().ok()).unwrap_or(5)),
        Some("jieba") => cmd_jieba(&path(1)),
        Some("edit") => {
            let (mut index, _) = SearchIndex::open(&path(1)).expect("index");
            emit(edit_to_searchable(&path(1), &mut index));
        }
        Some("page") => cmd_page(&path(1), arg(2).and_then(|r| r.parse().ok()).unwrap_or(5)),
        Some("all") => {
            let out = args.iter().position(|a| a == "--out").and_then(|i| args.get(i + 1)).map(PathBuf::from);
            cmd_all(&path(1), out.as_deref());
        }
        Some(other) => panic!("unknown command {other}; see the comment at the top of benches/search.rs"),
        None => {
            let tmp = tempfile::tempdir().expect("temporary folder");
            let lib = tmp.path().join("gen10k");
            cmd_gen(10_000, &lib);
            cmd_all(&lib, None);
        }
    }
}
