//! The bundled sample library: valid, with exactly the deliberate warnings, and as large as promised.

use std::collections::{BTreeMap, BTreeSet};

use casebook::library::{Kind, Library, Meta, check::check};

use crate::util::corpus_dir;

#[test]
fn corpus_passes_check_with_only_the_deliberate_warnings() {
    let lib = Library::load(&corpus_dir()).unwrap();
    let report = check(&lib);
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let mut warnings: Vec<(&str, &str)> = report.warnings.iter().map(|w| (w.code, w.path.as_str())).collect();
    warnings.sort();
    assert_eq!(warnings.iter().filter(|w| w.0 == "project-incomplete").count(), 2, "{warnings:?}");
    assert_eq!(warnings.iter().filter(|w| w.0 == "encoding-gbk").count(), 1, "{warnings:?}");
    // 民转刑案件 (黔江) and 矛盾纠纷引发的“民转刑”案件数 (沙坪坝): as offices name them, left for the user to decide.
    assert!(warnings.contains(&("indicator-name-near", "qianjiang/qj-p03/project.md")), "{warnings:?}");
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    let mut incomplete = report.stats.incomplete_projects.clone();
    incomplete.sort();
    assert_eq!(incomplete, ["bn-p02", "yc-p02"]);
}

#[test]
fn corpus_is_as_large_and_varied_as_promised() {
    let lib = Library::load(&corpus_dir()).unwrap();
    let report = check(&lib);
    assert!(report.stats.districts >= 15);
    assert!(report.stats.projects >= 40);
    assert!(report.stats.collections >= 3);
    // Every one of the 15 themes used by at least three projects.
    let mut theme_projects: BTreeMap<String, usize> = BTreeMap::new();
    let mut indicator_districts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut with_evaluation = 0;
    for p in lib.of_kind(Kind::Project) {
        for t in lib.themes_of(p) {
            *theme_projects.entry(t).or_default() += 1;
        }
        let Meta::Project(meta) = &p.meta else { unreachable!() };
        assert!((2..=5).contains(&meta.indicators.len()), "{} has {} indicators", p.path, meta.indicators.len());
        if !meta.evaluation.is_empty() {
            with_evaluation += 1;
        }
        for ind in &meta.indicators {
            indicator_districts
                .entry(ind.name.clone().unwrap_or_default())
                .or_default()
                .insert(lib.district_of(p).unwrap_or("").to_string());
        }
    }
    for theme in lib.config.all_themes() {
        assert!(theme_projects.get(theme).copied().unwrap_or(0) >= 3, "theme {theme}: {theme_projects:?}");
    }
    assert!(with_evaluation >= 15, "{with_evaluation} projects with 群众评价");
    let shared = indicator_districts.values().filter(|d| d.len() >= 4).count();
    assert!(shared >= 5, "{indicator_districts:?}");
    // Sites: at least four districts with 3–4 each.
    let mut sites: BTreeMap<&str, usize> = BTreeMap::new();
    for s in lib.of_kind(Kind::Site) {
        *sites.entry(lib.district_of(s).unwrap()).or_default() += 1;
    }
    assert!(sites.values().filter(|&&n| (3..=4).contains(&n)).count() >= 4, "{sites:?}");
    // Write-ups of 600–2,000 characters (经验材料), three in traditional script, one GBK.
    let traditional = lib
        .of_kind(Kind::Writeup)
        .filter(|w| matches!(&w.meta, Meta::Writeup(m) if m.tags.iter().any(|t| t == "繁体")))
        .count();
    assert_eq!(traditional, 3);
    assert_eq!(lib.records.iter().filter(|r| r.is_gbk()).count(), 1);
    for w in lib.of_kind(Kind::Writeup).filter(|w| lib.type_of(w) == Some("经验材料")) {
        let n = w.body.chars().filter(|c| !c.is_whitespace()).count();
        assert!((600..=2600).contains(&n), "{} has {n} characters", w.path);
    }
    // The seed document is searchable as a policy record.
    let seed = lib.get("ref-seed-2022").expect("seed record");
    assert_eq!(lib.type_of(seed), Some("政策文件"));
}
