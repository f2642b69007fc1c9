//! Chinese search through the real binary: literal sub-words, word order, script folding, synonyms, filters,
//! facets, highlights, hostile queries, incremental updates and recovery from a damaged index.

use casebook::text::fold;

use crate::util::{TempLibrary, copy_tree, corpus_dir};

/// Files of a library whose folded text contains `needle` literally.
fn files_containing(lib: &TempLibrary, needle: &str) -> usize {
    files_containing_all(lib, &[needle], &[])
}

/// Files whose folded text contains every one of `with` and none of `without`.
fn files_containing_all(lib: &TempLibrary, with: &[&str], without: &[&str]) -> usize {
    walkdir::WalkDir::new(lib.root())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md") && e.file_name() != "README.md")
        .filter(|e| !e.path().components().any(|c| c.as_os_str() == ".casebook"))
        .filter(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            let (text, _) = casebook::library::decode(&bytes).unwrap();
            let text = fold(&text);
            with.iter().all(|w| text.contains(w)) && !without.iter().any(|w| text.contains(w))
        })
        .count()
}

#[test]
fn every_literal_substring_is_found_in_a_generated_library() {
    let lib = TempLibrary::new();
    let out = crate::util::casebook(&[
        "gen",
        "--out",
        lib.root().join("g").to_str().unwrap(),
        "--writeups",
        "400",
        "--seed",
        "11",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let root = lib.root().join("g");
    let g = TempLibrary::new();
    copy_tree(&root, g.root());
    // Sub-words inside dictionary words (枫桥经验 in 新时代枫桥经验, 治中 in 综治中心), words, single characters.
    for q in ["枫桥经验", "治中", "综治中心", "网格员", "一站式", "矛盾纠纷", "调解成功", "诈", "议事会"]
    {
        let expected = files_containing(&g, q);
        assert!(expected > 0, "{q} should occur in the generated text");
        assert_eq!(g.search(&format!("\"{q}\"")).0, expected as u64, "phrase hits for {q}");
    }
    // Exclusion over many documents (regression: tantivy's phrase scorer must not be probed out of order).
    let both = files_containing_all(&g, &["网格员"], &["调解"]);
    assert_eq!(g.search("\"网格员\" -调解").0, both as u64, "网格员 without 调解");
    // Unquoted, a single word or sub-word also means exactly its literal occurrences.
    for q in ["枫桥经验", "治中", "一站式", "议事会", "诈"] {
        assert_eq!(g.search(q).0, files_containing(&g, q) as u64, "hits for {q}");
    }
}

#[test]
fn every_literal_substring_is_found_in_the_corpus() {
    let lib = TempLibrary::new();
    copy_tree(&corpus_dir(), lib.root());
    for q in ["枫桥经验", "治中", "网格员", "一站式", "矛调中心", "调委会", "只跑一地", "家长学校", "院落议事"]
    {
        let expected = files_containing(&lib, q) as u64;
        let (total, _) = lib.search(&format!("\"{q}\""));
        assert_eq!(total, expected, "phrase hits for {q}");
    }
}

fn small_library() -> TempLibrary {
    let lib = TempLibrary::new();
    lib.writeup(
        "a.md",
        "a",
        "渝中区",
        "themes: [社会矛盾]\ntype: 经验材料\n",
        "坚持化解矛盾纠纷，推广新时代枫桥经验。",
    );
    lib.writeup(
        "b.md",
        "b",
        "合川区",
        "themes: [社会矛盾, 法治保障]\ntype: 典型案例\n",
        "矛盾纠纷化解在基层，网格员走访入户。",
    );
    lib.writeup(
        "c.md",
        "c",
        "合川区",
        "themes: [智治支撑]\ntype: 经验材料\n",
        "建设社会治安综合治理中心，雪亮工程全覆盖。",
    );
    lib.writeup(
        "d.md",
        "d",
        "江北区",
        "themes: [社会矛盾]\ntype: 经验材料\n",
        "推廣楓橋經驗，人民调解委员会调处纠纷。",
    );
    lib.writeup("e.md", "e", "江北区", "themes: [网络安全]\ntype: 工作简报\n", "防范电信网络诈骗，区综治中心牵头。");
    lib
}

#[test]
fn word_order_variants_match_and_the_literal_comes_first() {
    let lib = small_library();
    let (total, ids) = lib.search("化解矛盾纠纷");
    assert_eq!(total, 2);
    assert_eq!(ids, ["a", "b"]);
    // The vocabulary may make more records exact (调处纠纷 in d), but both orders come first, the literal first.
    let (_, ids) = lib.search("矛盾纠纷化解");
    assert_eq!(ids[..2], ["b", "a"]);
    // As an exact phrase only the literal matches.
    assert_eq!(lib.search("\"矛盾纠纷化解\"").1, ["b"]);
}

#[test]
fn both_script_directions() {
    let lib = small_library();
    let mut simplified = lib.search("枫桥经验").1;
    simplified.sort();
    assert_eq!(simplified, ["a", "d"]);
    let mut traditional = lib.search("楓橋經驗").1;
    traditional.sort();
    assert_eq!(traditional, ["a", "d"]);
}

#[test]
fn synonyms_expand_queries() {
    let lib = small_library();
    let mut ids = lib.search("综治中心").1;
    ids.sort();
    assert_eq!(ids, ["c", "e"]);
    let mut ids = lib.search("调委会").1;
    ids.sort();
    assert_eq!(ids, ["d"]);
    assert_eq!(lib.search("电诈").1, ["e"]);
}

#[test]
fn operators_exclude_or_and_all_words_first() {
    let lib = small_library();
    assert_eq!(lib.search("纠纷 -网格员").1.iter().filter(|i| *i == "b").count(), 0);
    let mut ids = lib.search("雪亮工程 OR 电信网络诈骗").1;
    ids.sort();
    assert_eq!(ids, ["c", "e"]);
    // Records with all words are the exact matches and rank first; records with any of them follow as related.
    let (exact, ids) = lib.search("网格员 纠纷");
    assert_eq!((exact, ids), (1, vec!["b".to_string()]));
    let (total, ids) = lib.search_all("网格员 纠纷");
    assert!(total >= 3, "{ids:?}");
    assert_eq!(ids[0], "b");
}

#[test]
fn filters_and_facet_counts() {
    let lib = small_library();
    let v = lib.json(&["search", "纠纷", "--json"]);
    assert_eq!(v["total"], 3);
    assert_eq!(v["facets"]["district"], serde_json::json!({"合川区": 1, "江北区": 1, "渝中区": 1}));
    assert_eq!(v["facets"]["theme"], serde_json::json!({"社会矛盾": 3, "法治保障": 1}));
    assert_eq!(v["facets"]["type"], serde_json::json!({"经验材料": 2, "典型案例": 1}));
    assert_eq!(v["facets"]["year"], serde_json::json!({"2021": 3}));
    let v = lib.json(&["search", "纠纷", "--district", "合川", "--json"]);
    assert_eq!(v["total"], 1);
    assert_eq!(v["hits"][0]["id"], "b");
    // Multi-select: the district counts ignore the district filter; the other facets follow it.
    assert_eq!(v["facets"]["district"], serde_json::json!({"合川区": 1, "江北区": 1, "渝中区": 1}));
    assert_eq!(v["facets"]["theme"], serde_json::json!({"社会矛盾": 1, "法治保障": 1}));
    assert_eq!(v["facets"]["type"], serde_json::json!({"典型案例": 1}));
    let v = lib.json(&["search", "纠纷", "--district", "合川", "--district", "江北区", "--json"]);
    assert_eq!(v["total"], 2);
    assert_eq!(lib.search("纠纷 district:江北区").1, ["d"]);
    assert_eq!(lib.search("theme:法治保障").1, ["b"]);
    let mut ids = lib.search("type:经验材料 year:2021").1;
    ids.sort();
    assert_eq!(ids, ["a", "c", "d"]);
    assert_eq!(lib.search("district:合川区,江北区 theme:网络安全").1, ["e"]);
}

#[test]
fn highlight_ranges_are_exact_characters() {
    let lib = small_library();
    let v = lib.json(&["search", "楓橋經驗", "--json"]);
    for hit in v["hits"].as_array().unwrap() {
        let snippet: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
        let ranges = hit["highlights"].as_array().unwrap();
        assert!(!ranges.is_empty());
        let mut last_end = 0;
        for r in ranges {
            let (s, e) = (r[0].as_u64().unwrap() as usize, r[1].as_u64().unwrap() as usize);
            assert!(s >= last_end && s < e && e <= snippet.len(), "{r} in {hit}");
            last_end = e;
            let marked: String = snippet[s..e].iter().collect();
            // The word itself, or a vocabulary word that contains it (新时代枫桥经验).
            assert!(fold(&marked).contains("枫桥经验"), "{marked}");
        }
    }
}

#[test]
fn hostile_queries_never_fail() {
    let lib = small_library();
    // 30,000 characters: about the most one command-line argument can carry (the core takes any length).
    let long = "治".repeat(30_000);
    for q in [
        "\"未闭合",
        "OR",
        "- -- ---",
        "district:",
        "：：：",
        "\"\"",
        "*?[](){}^~\\",
        "year:abc",
        "district:不存在区",
        long.as_str(),
        "网格员 OR",
        "－网格员",
    ] {
        let out = lib.run(&["search", "--json", "--", q]);
        assert_eq!(out.code, 0, "query {:?}: {}", q.chars().take(20).collect::<String>(), out.stderr);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert!(v["total"].is_u64());
    }
}

#[test]
fn changes_on_disk_are_picked_up_incrementally() {
    let lib = small_library();
    assert_eq!(lib.run(&["index"]).code, 0);
    let out = lib.run(&["index"]);
    assert!(out.stdout.contains("新增 0、更新 0、删除 0"), "{}", out.stdout);
    lib.writeup("f.md", "f", "渝北区", "", "新增的平安小区建设材料。");
    std::fs::remove_file(lib.root().join("e.md")).unwrap();
    lib.writeup("a.md", "a", "渝中区", "", "改写后的正文，讲述院落议事会。");
    let out = lib.run(&["index"]);
    assert!(out.stdout.contains("新增 1、更新 1、删除 1"), "{}", out.stdout);
    assert_eq!(lib.search("平安小区").1, ["f"]);
    assert_eq!(lib.search("电信网络诈骗").0, 0);
    assert_eq!(lib.search("院落议事会").1, ["a"]);
    assert!(!lib.search("枫桥经验").1.contains(&"a".to_string()));
}

#[test]
fn a_project_change_updates_its_writeups() {
    let lib = TempLibrary::new();
    let project = |themes: &str| {
        format!("---\nkind: project\nid: p1\nname: 项目甲\ndistrict: 渝中区\nthemes: [{themes}]\n---\n简介\n")
    };
    lib.file("p1/project.md", project("党委领导"));
    lib.writeup("p1/w1.md", "w1", "渝中区", "project: 项目甲\n", "没有写主题的材料。");
    assert_eq!(lib.search("theme:党委领导").1.len(), 2);
    lib.file("p1/project.md", project("智治支撑"));
    let mut ids = lib.search("theme:智治支撑").1;
    ids.sort();
    assert_eq!(ids, ["p1", "w1"]);
    assert_eq!(lib.search("project:p1").0, 2);
}

#[test]
fn a_damaged_index_is_rebuilt_from_the_files() {
    let lib = small_library();
    assert_eq!(lib.search("网格员").0, 1);
    // Truncate every segment file of the index.
    let current = std::fs::read_to_string(lib.root().join(".casebook/current")).unwrap();
    let index_dir = lib.root().join(".casebook").join(current.trim());
    let mut truncated = 0;
    for entry in std::fs::read_dir(&index_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".idx") || name.ends_with(".pos") || name.ends_with(".term") || name.ends_with(".store") {
            let len = std::fs::metadata(&path).unwrap().len();
            let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
            f.set_len(len / 2).unwrap();
            truncated += 1;
        }
    }
    assert!(truncated > 0);
    let out = lib.run(&["search", "网格员", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("重建"), "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["total"], 1);
    // A corrupt manifest is also just a cache miss.
    let current = std::fs::read_to_string(lib.root().join(".casebook/current")).unwrap();
    std::fs::write(lib.root().join(".casebook").join(current.trim()).join("casebook-manifest.json"), "{ broken")
        .unwrap();
    assert_eq!(lib.search("网格员").0, 1);
    // Deleting the whole cache loses nothing.
    std::fs::remove_dir_all(lib.root().join(".casebook")).unwrap();
    assert_eq!(lib.search("网格员").0, 1);
}

#[test]
fn similar_prefers_other_districts() {
    let lib = TempLibrary::new();
    let body = "网格员走访入户化解矛盾纠纷，综治中心一站式受理，调解成功率明显提升。";
    let file = |id: &str, district: &str, title: &str, body: &str| {
        lib.file(
            &format!("{id}.md"),
            format!("---\nid: {id}\ntitle: {title}\ndistrict: {district}\nyear: 2021\n---\n{body}\n"),
        );
    };
    file("a", "渝中区", "一站式化解", body);
    file("b", "渝中区", "网格化解", body);
    file("c", "合川区", "综治中心化解", body);
    file("d", "江北区", "防汛抗旱", "防汛抗旱应急演练。");
    let v = lib.json(&["similar", "a", "--json"]);
    let ids: Vec<&str> = v["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["c", "b"]);
    assert_eq!(lib.run(&["similar", "zzz"]).code, 1);
}

#[test]
fn show_prints_the_record() {
    let lib = small_library();
    let out = lib.run(&["show", "b"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("区县：合川区"), "{}", out.stdout);
    assert!(out.stdout.contains("网格员走访入户"));
    assert_eq!(lib.run(&["show", "nope"]).code, 1);
}

#[test]
fn within_results_and_saved_searches_from_the_command_line() {
    let lib = TempLibrary::new();
    copy_tree(&corpus_dir(), lib.root());
    std::fs::write(lib.root().join("casebook.yaml"), "# 本库设置\nstop_words: [经验]\n").unwrap();
    let all = lib.search_all("调解").0;
    let earlier: Vec<String> = {
        let v = lib.json(&["search", "网格员", "--json", "--limit", "1000"]);
        v["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
    };
    let v = lib.json(&["search", "调解", "--within", "网格员", "--json", "--limit", "1000", "--save", "网格调解"]);
    let narrowed: Vec<&str> = v["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert!(!narrowed.is_empty() && (narrowed.len() as u64) < all);
    assert!(narrowed.iter().all(|id| earlier.iter().any(|e| e == id)));
    // Kept in casebook.yaml below what the office wrote, listed, and run again by name with the same answer.
    let yaml = std::fs::read_to_string(lib.root().join("casebook.yaml")).unwrap();
    assert!(yaml.starts_with("# 本库设置\nstop_words: [经验]\n") && yaml.contains("name: 网格调解"), "{yaml}");
    let listed = lib.run(&["saved"]);
    assert!(listed.stdout.contains("网格调解  检索：调解；在“网格员”的结果中"), "{}", listed.stdout);
    let again = lib.json(&["search", "--saved", "网格调解", "--json", "--limit", "1000"]);
    assert_eq!(again["total"].as_u64().unwrap() as usize, narrowed.len());
    let removed = lib.run(&["saved", "--remove", "网格调解"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_eq!(std::fs::read_to_string(lib.root().join("casebook.yaml")).unwrap(), "# 本库设置\nstop_words: [经验]\n");
}
