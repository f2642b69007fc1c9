//! `casebook check`: every key and validation rule, with file, line and code.

use serde_json::Value;

use crate::util::TempLibrary;

fn codes(v: &Value, kind: &str) -> Vec<(String, u64, String)> {
    v[kind]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_string(),
                p["line"].as_u64().unwrap(),
                p["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const PROJECT: &str = "---
kind: project
id: p1
name: 楼栋党小组工作法
district: 渝中区
themes: [党委领导, 自治强基]
lead_unit: 区委组织部
partner_units: [区民政局]
claimed: 2020
status: 已验收
indicators:
  - name: 信访总量
    unit: 件
    better: lower
    before: {period: \"2019\", value: 120}
    after: {period: \"2021\", value: 80}
    target: 90
    source: 台账
evaluation:
  - {period: \"2021\", satisfaction: 93.5, sample: 800}
---
项目简介。
";

fn good_library() -> TempLibrary {
    let lib = TempLibrary::new();
    lib.file("p1/project.md", PROJECT);
    for i in 1..=2 {
        lib.writeup(
            &format!("p1/w{i}.md"),
            &format!("w{i}"),
            "渝中区",
            "project: p1\nthemes: [党委领导]\ntype: 经验材料\nauthor_unit: 区委政法委\ntags: [网格化]\nsource: 报送\n",
            "## 一、背景\n正文。",
        );
    }
    lib.writeup("p1/w3.md", "w3", "渝中", "project: 楼栋党小组工作法\ntype: 典型案例\n", "案例。");
    lib.file(
        "sites/s1.md",
        "---\nkind: site\nid: s1\nname: 综治中心\ndistrict: 渝中区\naddress: 某路1号\nhighlight: 一站式\nprojects: [p1]\n\
         route_order: 1\nstops:\n  - {name: 大厅, what: 演示, minutes: 10, presenter: 主任}\n\
         reception: {contact: 023-6000 0000, capacity: 30, parking: 地下车库, notes: 提前报名}\n---\n各位领导……\n",
    );
    for i in 2..=3 {
        lib.file(
            &format!("sites/s{i}.md"),
            format!("---\nkind: site\nid: s{i}\nname: 站点{i}\ndistrict: 渝中区\nprojects: [p1]\nroute_order: {i}\n---\n解说词\n"),
        );
    }
    lib.file(
        "collections/c1.md",
        "---\nkind: collection\nid: c1\ntitle: 专题\naudience: 新任干部\nitems:\n  - {id: w1, note: 重点看做法}\nquestions:\n  - 如何借鉴？\n---\n导读\n",
    );
    lib
}

#[test]
fn a_complete_library_is_clean() {
    let lib = good_library();
    let v = lib.json(&["check", "--json"]);
    assert_eq!(codes(&v, "errors"), vec![]);
    assert_eq!(codes(&v, "warnings"), vec![]);
    assert_eq!(v["stats"]["projects"], 1);
    assert_eq!(v["stats"]["writeups"], 3);
    assert_eq!(v["stats"]["districts"], 1);
    assert_eq!(v["stats"]["sites"], 3);
    assert_eq!(v["stats"]["collections"], 1);
    assert_eq!(v["stats"]["incomplete_projects"], serde_json::json!([]));
    assert_eq!(lib.run(&["check"]).code, 0);
}

#[test]
fn every_error_rule_names_file_line_and_code() {
    let lib = good_library();
    lib.writeup("zz_dup.md", "w1", "渝中区", "", "重复 id");
    lib.writeup("bad_district.md", "x1", "海淀区", "", "");
    lib.writeup("bad_theme.md", "x2", "渝中区", "themes: [乡村振兴]\n", "");
    lib.writeup("bad_type.md", "x3", "渝中区", "type: 通知\n", "");
    lib.writeup("dangling.md", "x4", "渝中区", "project: 不存在的项目\n", "");
    lib.file("no_date.md", "---\nid: x5\ntitle: 无日期\ndistrict: 渝中区\n---\n");
    lib.file("no_title.md", "---\nid: x6\ndistrict: 渝中区\nyear: 2021\n---\n");
    lib.file("bad_date.md", "---\nid: x7\ntitle: t\ndistrict: 渝中区\ndate: 去年\n---\n");
    lib.file("wrong_type.md", "---\nid: x8\ntitle: t\ndistrict: 渝中区\nyear: [1, 2]\n---\n");
    lib.file("invalid_yaml.md", "---\nid: x9\ntitle: [未闭合\n---\n");
    lib.file("no_front.md", "只有正文，没有头信息。\n");
    lib.file("empty.md", "");
    lib.file("binary.md", b"\x00\x01\x02PNG");
    lib.file(
        "p2/project.md",
        "---\nkind: project\nid: p2\nname: 指标有误\ndistrict: 渝中区\nthemes: [法治保障]\nindicators:\n  - name: 调解成功率\n    better: up\n    before: {period: 2019}\n\
         evaluation:\n  - {period: 2021, satisfaction: 120, sample: 10}\n---\n",
    );
    lib.file("sites/s9.md", "---\nkind: site\nid: s9\nname: 站\ndistrict: 渝中区\nprojects: [p404]\n---\n");
    lib.file("collections/c9.md", "---\nkind: collection\nid: c9\ntitle: 专辑\nitems:\n  - {id: w404}\n---\n");
    lib.file("kind.md", "---\nid: k1\nkind: memo\n---\n");
    let v = lib.json(&["check", "--json"]);
    let errors = codes(&v, "errors");
    let has = |path: &str, line: u64, code: &str| {
        assert!(
            errors.contains(&(path.to_string(), line, code.to_string())),
            "missing {path}:{line} {code} in {errors:#?}"
        )
    };
    has("zz_dup.md", 2, "duplicate-id");
    has("bad_district.md", 4, "unknown-district");
    has("bad_theme.md", 6, "unknown-theme");
    has("bad_type.md", 6, "unknown-type");
    has("dangling.md", 6, "dangling-project");
    has("no_date.md", 1, "missing-key");
    has("no_title.md", 1, "missing-key");
    has("bad_date.md", 5, "bad-date");
    has("wrong_type.md", 5, "yaml");
    has("invalid_yaml.md", 3, "yaml");
    has("no_front.md", 1, "no-front-matter");
    has("empty.md", 1, "empty");
    has("binary.md", 0, "encoding");
    has("p2/project.md", 7, "bad-indicator");
    has("p2/project.md", 11, "bad-evaluation");
    has("sites/s9.md", 6, "dangling-project");
    has("collections/c9.md", 5, "dangling-item");
    has("kind.md", 3, "unknown-kind");
    // Messages are precise and in Chinese.
    let msg = |code: &str| {
        v["errors"].as_array().unwrap().iter().find(|p| p["code"] == code).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(msg("duplicate-id").contains("w1"), "{}", msg("duplicate-id"));
    assert!(msg("unknown-district").contains("海淀区"));
    assert!(msg("bad-indicator").contains("调解成功率"));
    let out = lib.run(&["check"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("错误 bad_district.md:4: [unknown-district]"), "{}", out.stdout);
    // The good records are still loaded and counted.
    assert_eq!(v["stats"]["projects"], 2);
}

#[test]
fn the_seed_rules_are_warnings() {
    let lib = good_library();
    std::fs::remove_file(lib.root().join("p1/w2.md")).unwrap();
    std::fs::remove_file(lib.root().join("sites/s3.md")).unwrap();
    let v = lib.json(&["check", "--json"]);
    assert_eq!(codes(&v, "errors"), vec![]);
    let warnings = codes(&v, "warnings");
    assert!(warnings.contains(&("p1/project.md".into(), 1, "project-incomplete".into())), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.2 == "sites-count"), "{warnings:?}");
    assert_eq!(v["stats"]["incomplete_projects"], serde_json::json!(["p1"]));
    assert_eq!(lib.run(&["check"]).code, 0, "warnings alone do not fail");
}

#[test]
fn gbk_bom_and_crlf_are_read() {
    let lib = good_library();
    let (gbk, _, _) = encoding_rs::GBK
        .encode("---\r\nid: g1\r\ntitle: 网格员走访\r\ndistrict: 渝中区\r\nyear: 2021\r\n---\r\n综治中心正文\r\n");
    lib.file("gbk.md", &gbk);
    lib.file("bom.md", "\u{FEFF}---\r\nid: b1\r\ntitle: 带BOM\r\ndistrict: 渝中区\r\nyear: 2021\r\n---\r\n正文\r\n");
    let v = lib.json(&["check", "--json"]);
    assert_eq!(codes(&v, "errors"), vec![]);
    assert_eq!(codes(&v, "warnings"), vec![("gbk.md".to_string(), 0, "encoding-gbk".to_string())]);
    let show = lib.json(&["show", "g1", "--json"]);
    assert_eq!(show["title"], "网格员走访");
    assert!(lib.search("综治中心").1.contains(&"g1".to_string()));
}

#[test]
fn casebook_yaml_overrides_the_vocabulary() {
    let lib = TempLibrary::new();
    lib.file(
        "casebook.yaml",
        "districts:\n  - {name: 测试区, short: [测试]}\nthemes:\n  试点: [甲主题]\ntypes: [经验材料, 通知]\n",
    );
    lib.writeup("a.md", "a", "测试", "themes: [甲主题]\ntype: 通知\n", "正文");
    lib.writeup("b.md", "b", "渝中区", "", "正文");
    let v = lib.json(&["check", "--json"]);
    assert_eq!(codes(&v, "errors"), vec![("b.md".to_string(), 4, "unknown-district".to_string())]);
    let bad = TempLibrary::new();
    bad.file("casebook.yaml", "districts: [\n");
    let out = bad.run(&["check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("casebook.yaml"), "{}", out.stderr);
}

#[test]
fn missing_library_is_a_clear_error() {
    let out = crate::util::casebook(&["--library", "/nonexistent/库", "check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("资料库文件夹不存在"), "{}", out.stderr);
}
