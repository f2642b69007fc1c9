//! Search quality: nDCG@10, Recall@10 and MRR@10 per kind of query on the relevance set, for Casebook and for a
//! plain character-bigram BM25 (OR) baseline, both computed in this run on the same copy of a library.
//!
//! ```text
//! cargo bench --bench relevance                                   # the bundled corpus and tests/relevance/set.yaml
//! cargo bench --bench relevance -- LIBRARY SET.yaml [--queries]   # another library and set
//! ```
//!
//! When a semantic model is installed (`.ci/model`), the copy is embedded (vectors are kept between runs in
//! `target/bench/relevance-vectors`, so only changed records are embedded again) and the fused ranking is scored
//! too; `--no-semantic` leaves it out.

use std::path::{Path, PathBuf};

use casebook::eval::{RelevanceSet, evaluate};
use casebook::library::Library;
use casebook::search::SearchIndex;
use casebook::semantic::vectors::vectors_path;
use casebook::semantic::{Semantic, Vectors, embed_pending};

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(from).into_iter().filter_entry(|e| e.file_name() != ".casebook") {
        let entry = entry?;
        let Ok(rel) = entry.path().strip_prefix(from) else { continue };
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let per_query = args.iter().any(|a| a == "--queries");
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let library = positional.first().map(PathBuf::from).unwrap_or_else(|| manifest.join("corpus"));
    let set_path = positional.get(1).map(PathBuf::from).unwrap_or_else(|| manifest.join("tests/relevance/set.yaml"));
    // A copy, so that the index the measurement builds never lands in the library itself.
    let work = manifest.join("target/bench/relevance");
    let _ = std::fs::remove_dir_all(&work);
    copy_tree(&library, &work)?;
    let set = RelevanceSet::load(&set_path)?;
    let lib = Library::load(&work)?;
    let (index, _) = SearchIndex::open(&work)?;
    let mut semantic = match Semantic::open(&work) {
        Some(opened) if !args.iter().any(|a| a == "--no-semantic") => {
            let mut s = opened?;
            let kept = manifest.join("target/bench/relevance-vectors");
            let path = vectors_path(&work);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let _ = std::fs::copy(&kept, &path);
            s.vectors = Vectors::open(&work, s.embedder.dim());
            let started = std::time::Instant::now();
            let r = embed_pending(&mut s.embedder, &lib, &mut s.vectors, |_| true)?;
            let _ = std::fs::copy(&path, &kept);
            println!(
                "semantic: {} records embedded now ({} passages, {:.1} s), {} in all",
                r.embedded,
                r.passages,
                started.elapsed().as_secs_f64(),
                r.coverage.total
            );
            Some(s)
        }
        _ => None,
    };
    let started = std::time::Instant::now();
    let report = evaluate(&index, &lib, &set, semantic.as_mut())?;
    println!(
        "relevance: {} queries on {} records ({}), {:.0} ms",
        set.queries.len(),
        lib.records.len(),
        library.display(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    print!("{}", report.table());
    if per_query {
        for q in &report.queries {
            println!(
                "{} {:<6} nDCG {:.3} / {:.3}  hits {:>4}  {}  top: {}",
                q.id,
                q.kind,
                q.casebook.ndcg,
                q.baseline.ndcg,
                q.hits,
                q.query,
                q.top.iter().take(5).cloned().collect::<Vec<_>>().join(" ")
            );
        }
    }
    Ok(())
}
