//! The semantic tier with the real model: embedding, fusion, filters and incremental updates, through the real
//! binary. The model is not part of the repository, so these tests are ignored by `cargo test`; CI installs it
//! (`bash .ci/model`) and runs them with `CASEBOOK_MODEL_DIR=target/model cargo test -- --ignored semantic`.

use std::path::PathBuf;

use crate::util::{Output, TempLibrary, casebook_env};

fn model_dir() -> String {
    let dir = std::env::var("CASEBOOK_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/model"));
    assert!(dir.join("e5-small-q4.bin").is_file(), "no model in {} (run bash .ci/model)", dir.display());
    dir.to_string_lossy().into_owned()
}

fn run(lib: &TempLibrary, args: &[&str]) -> Output {
    let root = lib.root().to_string_lossy().into_owned();
    let mut all = vec!["--library", root.as_str()];
    all.extend_from_slice(args);
    let model = model_dir();
    casebook_env(&all, &[("CASEBOOK_MODEL_DIR", model.as_str())])
}

fn search(lib: &TempLibrary, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["search", "--json", "--limit", "50"];
    all.extend_from_slice(args);
    let out = run(lib, &all);
    assert_eq!(out.code, 0, "{out:?}");
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out:?}"))
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    v["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
}

/// Four write-ups on unrelated topics; `a` is about keeping family quarrels from turning into crimes, in
/// words the test's question never uses.
fn library() -> TempLibrary {
    let lib = TempLibrary::new();
    let body = |text: &str| format!("## 一、基本情况\n\n{text}\n");
    lib.writeup(
        "a/a-1.md",
        "a-1",
        "渝中区",
        "",
        &body("社区建立家庭矛盾排查预警机制，对婚恋、家庭纠纷逐户走访，发现激化苗头当天介入疏导，防止纠纷升级为刑事案件。"),
    );
    lib.writeup(
        "b/b-1.md",
        "b-1",
        "南岸区",
        "",
        &body("老旧小区加装电梯，楼栋居民议事会协商出资比例，低楼层住户的顾虑通过补偿方案化解。"),
    );
    lib.writeup(
        "c/c-1.md",
        "c-1",
        "江津区",
        "",
        &body("镇街推行垃圾分类积分兑换，村民把可回收物送到积分超市换取洗衣粉、食用油等生活用品。"),
    );
    lib.writeup(
        "d/d-1.md",
        "d-1",
        "江津区",
        "",
        &body("区医保局优化异地就医结算流程，参保群众在定点医院出院时直接结算，不再垫付资金。"),
    );
    lib
}

const QUESTION: &str = "怎样避免两口子吵架闹出人命";

#[test]
#[ignore = "needs the semantic model: bash .ci/model"]
fn semantic_finds_by_meaning_what_no_word_matches() {
    let lib = library();
    let lexical = search(&lib, &["--no-semantic", QUESTION]);
    assert_eq!(lexical["total"], 0, "the question shares no word with any record: {lexical}");

    let before = run(&lib, &["search", QUESTION]);
    assert!(before.stderr.contains("还没有生成语义向量"), "{before:?}");

    let embedded = run(&lib, &["embed"]);
    assert_eq!(embedded.code, 0, "{embedded:?}");
    assert!(embedded.stdout.contains("4 条记录（本次生成 4 条"), "{embedded:?}");

    let v = search(&lib, &[QUESTION]);
    assert_eq!(ids(&v)[0], "a-1", "{v}");
    assert_eq!(v["hits"][0]["tier"], "semantic");
    assert_eq!(v["hits"][0]["matched"].as_array().unwrap().len(), 0);
    assert_eq!(v["semantic"], v["total"]);
    assert_eq!(v["exact"], 0);
    let text = run(&lib, &["search", QUESTION]);
    assert!(text.stdout.contains("语义相近"), "{text:?}");
    assert!(!text.stderr.contains("语义向量"), "every record is embedded: {text:?}");

    // Filters and exclusions hold for records found by meaning.
    let v = search(&lib, &["--district", "江津区", QUESTION]);
    assert!(!ids(&v).contains(&"a-1".to_string()), "{v}");
    let v = search(&lib, &["--", QUESTION, "-家庭"]);
    assert!(!ids(&v).contains(&"a-1".to_string()), "{v}");
}

#[test]
#[ignore = "needs the semantic model: bash .ci/model"]
fn semantic_reorders_lexical_matches_but_keeps_exact_ones_first() {
    let lib = library();
    assert_eq!(run(&lib, &["embed"]).code, 0);
    // 积分 is in c-1 only: it stays the exact match, first, with semantic hits after it.
    let v = search(&lib, &["积分"]);
    assert_eq!(ids(&v)[0], "c-1", "{v}");
    assert_eq!(v["hits"][0]["tier"], "exact");
    assert_eq!(v["exact"], 1);
}

#[test]
#[ignore = "needs the semantic model: bash .ci/model"]
fn embedding_is_incremental() {
    let lib = library();
    assert!(run(&lib, &["embed"]).stdout.contains("本次生成 4 条"));
    let again = run(&lib, &["embed"]);
    assert!(again.stdout.contains("本次生成 0 条"), "{again:?}");
    lib.writeup("b/b-1.md", "b-1", "南岸区", "", "加装电梯的补偿方案改为按楼层分摊。");
    std::fs::remove_file(lib.root().join("d/d-1.md")).unwrap();
    let changed = run(&lib, &["embed"]);
    assert!(changed.stdout.contains("3 条记录（本次生成 1 条"), "{changed:?}");
    // A damaged vector file is derived data: it is read as empty and embedded again.
    let vectors = lib.root().join(".casebook/semantic/e5-small-q4.vectors");
    std::fs::write(&vectors, b"damaged").unwrap();
    let rebuilt = run(&lib, &["embed"]);
    assert!(rebuilt.stdout.contains("本次生成 3 条"), "{rebuilt:?}");
}

#[test]
fn without_a_model_embed_says_where_to_put_it_and_search_is_lexical() {
    let lib = library();
    let out = lib.run(&["embed"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("没有找到语义模型") && out.stderr.contains("e5-small-q4.bin"), "{out:?}");
    let v = lib.json(&["search", "--json", "电梯"]);
    assert_eq!(v["semantic"], 0);
    assert_eq!(v["hits"][0]["id"], "b-1");
}
