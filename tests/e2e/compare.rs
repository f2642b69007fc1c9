//! `casebook compare`: a project's before/after numbers and a cross-district table, exact figures in JSON.

use crate::util::TempLibrary;

fn project(lib: &TempLibrary, id: &str, district: &str, name: &str, unit: &str, before: f64, after: f64) {
    lib.file(
        &format!("{id}/project.md"),
        format!(
            "---\nkind: project\nid: {id}\nname: 项目{id}\ndistrict: {district}\nthemes: [社会矛盾]\nclaimed: 2020\nindicators:\n  - name: {name}\n    unit: \"{unit}\"\n    better: higher\n    before: {{period: \"2019\", value: {before}}}\n    after: {{period: \"2021\", value: {after}}}\n    target: 95\nevaluation:\n  - {{period: \"2021\", satisfaction: 91.5, sample: 800}}\n---\n"
        ),
    );
}

#[test]
fn project_and_cross_district_numbers() {
    let lib = TempLibrary::new();
    project(&lib, "a", "渝中区", "矛盾纠纷调解成功率", "%", 90.0, 96.0);
    project(&lib, "b", "合川区", "矛盾纠纷化解成功率", "%", 80.0, 92.0);
    let v = lib.json(&["compare", "a", "--json"]);
    let ind = &v["summary"]["indicators"][0];
    assert_eq!(ind["change"], 6.0);
    assert_eq!(ind["trend"], "improved");
    assert_eq!(ind["target_met"], true);
    assert_eq!(v["sentence"], "1 项指标中 1 项改善，1 项设定目标中 1 项达标");
    assert_eq!(v["evaluation"][0]["sample"], 800);

    let v = lib.json(&["compare", "--indicator", "矛盾纠纷调解成功率", "--json"]);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.iter().map(|r| r["project"].as_str().unwrap()).collect::<Vec<_>>(), ["b", "a"]);
    assert_eq!(rows[0]["change_pct"], 15.0);
    assert_eq!(rows[0]["target_met"], false);
    assert_eq!(v["unit"], "%");

    project(&lib, "c", "江北区", "调解成功率", "件", 1.0, 2.0);
    let out = lib.run(&["compare", "--indicator", "调解成功率"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("单位不一致"), "{}", out.stderr);
    assert_eq!(lib.run(&["compare", "nope"]).code, 1);
}

#[test]
fn csv_files_carry_the_json_numbers() {
    let lib = TempLibrary::new();
    project(&lib, "a", "渝中区", "矛盾纠纷调解成功率", "%", 90.0, 96.0);
    project(&lib, "b", "合川区", "矛盾纠纷化解成功率", "%", 80.0, 92.0);
    let out_dir = tempfile::tempdir().unwrap();
    let cross = out_dir.path().join("横向对比.csv");
    let v = lib.json(&["compare", "--indicator", "矛盾纠纷调解成功率", "--json", "--csv", cross.to_str().unwrap()]);
    let text = std::fs::read_to_string(&cross).unwrap();
    assert!(text.starts_with('\u{feff}'), "BOM for Excel");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("名次,区县,项目编号"));
    // The first ranked row: 合川区 80 → 92, +12 points, +15 %, target 95 missed.
    let first: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(first[..3], ["1", "合川区", "b"]);
    let number = |s: &str| s.parse::<f64>().unwrap();
    assert_eq!(number(first[8]), v["rows"][0]["before"].as_f64().unwrap());
    assert_eq!(number(first[10]), v["rows"][0]["after"].as_f64().unwrap());
    assert_eq!(number(first[12]), v["rows"][0]["change_pct"].as_f64().unwrap());
    assert_eq!(first[11], "12");
    assert_eq!(first[12], "15");
    assert_eq!(first[14], "否");

    let project_csv = out_dir.path().join("a.csv");
    lib.run(&["compare", "a", "--csv", project_csv.to_str().unwrap()]);
    let text = std::fs::read_to_string(&project_csv).unwrap();
    assert!(text.contains("a,项目a,渝中区,矛盾纠纷调解成功率,%,2019,90,2021,96,6,6.67,95,是,改善"), "{text}");
}
