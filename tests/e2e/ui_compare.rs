//! The comparison views driven headless: a project's 试点前后对比 tab, the 横向对比 view reached from it, the
//! ranking the core computes shown in order, a typical case opened from the table, and CSV export written to disk.

use casebook::compare::{cross_district, csv};
use casebook::library::Library;
use casebook::ui::app::Tab;
use egui_kittest::kittest::{NodeT, Queryable};

use crate::ui::{app_harness, corpus_copy, wait_for};

#[test]
fn project_comparison_cross_view_and_csv() {
    let lib = corpus_copy();
    let core = Library::load(lib.root()).unwrap();
    let want = cross_district(&core, "矛盾纠纷调解成功率", None, None).unwrap();
    let mut harness = app_harness(&lib);
    wait_for(&mut harness, "the library", |app| app.library.is_some());

    // The project page's comparison tab: a chart per indicator, the satisfaction series, the typical case.
    harness.state_mut().tab = Tab::Project("wz-p01".into());
    harness.run_steps(3);
    harness.get_by_label("试点前后对比").click();
    harness.run_steps(3);
    harness.get_by_label("4 项指标中 4 项改善，2 项设定目标中 0 项达标");
    harness.get_by_label("住宅小区党组织覆盖率（%）");
    harness.get_by_label("+55.6 个百分点 · 改善 · 目标 100，未达到");
    harness.get_by_label("群众评价");
    harness.get_by_label("2000 人");
    let case = core.get("wz-p01-3").unwrap().title().to_string();
    harness.get_by_label(&case);

    // From the project to the cross-district view of one of its indicators.
    harness.get_by_label("矛盾纠纷调解成功率").click();
    harness.run_steps(4);
    assert_eq!(harness.state().tab, Tab::Cross);
    harness.get_by_label("横向对比：矛盾纠纷调解成功率");
    // Every ranked project is listed, in the core's order.
    let mut ys = Vec::new();
    for row in &want.rows {
        let node = harness.get_by_label(&row.project_name);
        ys.push(node.rect().min.y);
    }
    assert!(ys.windows(2).all(|w| w[0] < w[1]), "table rows follow the ranking: {ys:?}");

    // CSV export: no native dialog in tests, so the path prompt appears; the file holds the core's table.
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("对比.csv");
    harness.get_by_label("导出 CSV…").click();
    harness.run_steps(3);
    harness.get_by_label("保存路径").click();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(1);
    harness.get_by_label("保存路径").type_text(path.to_str().unwrap());
    harness.run_steps(1);
    harness.get_by_label("保存").click();
    wait_for(&mut harness, "the CSV file", |app| {
        app.status.as_ref().is_some_and(|(m, _)| m.starts_with("已保存横向对比表"))
    });
    assert_eq!(std::fs::read_to_string(&path).unwrap(), csv::cross_csv(&want));

    // A typical case in the table opens in the detail pane.
    let (project, case) = want
        .rows
        .iter()
        .find_map(|r| {
            let p = core.get(&r.project)?;
            casebook::compare::typical_cases(&core, p).first().map(|w| (r.project.clone(), w.id().unwrap().to_string()))
        })
        .expect("the corpus links typical cases to compared projects");
    let title = core.get(&case).unwrap().title().to_string();
    harness.get_by_label(&title).click();
    harness.run_steps(3);
    assert_eq!(harness.state().tab, Tab::Search, "{project}");
    assert_eq!(harness.state().search.selected.as_deref(), Some(case.as_str()));
}

#[test]
fn indicators_from_a_report_through_the_dialog() {
    let lib = corpus_copy();
    let outside = tempfile::tempdir().unwrap();
    let table = outside.path().join("指标报表.xlsx");
    std::fs::write(
        &table,
        crate::util::xlsx(&[
            ("A1", "指标"),
            ("B1", "试点前"),
            ("C1", "试点后"),
            ("A2", "物业服务投诉量（件）"),
            ("B2", "3426"),
            ("C2", "998"),
            ("A3", "小区议事会议次数（次）"),
            ("B3", "120"),
            ("C3", "340"),
        ]),
    )
    .unwrap();
    let mut harness = app_harness(&lib);
    wait_for(&mut harness, "the library", |app| app.library.is_some());
    harness.state_mut().tab = Tab::Project("wz-p01".into());
    harness.run_steps(3);
    harness.get_by_label("从报表导入指标…").click();
    harness.run_steps(3);
    harness.get_by_label("表格文件").click();
    harness.run_steps(1);
    harness.get_by_label("表格文件").type_text(table.to_str().unwrap());
    harness.run_steps(1);
    harness.get_by_label("读取").click();
    wait_for(&mut harness, "the table", |app| app.indicator_dialog.table.is_some());
    harness.run_steps(3);
    // The mapping with its evidence; the meetings' direction cannot be told, so writing waits for it.
    harness.get_by_label("试点前（试点前）");
    harness.get_by_label("表头“试点后”");
    harness.get_by_label("还需要填写：“小区议事会议次数”的方向（越高越好或越低越好）");
    assert!(harness.get_by_label("写入项目").accesskit_node().is_disabled());
    harness.get_by_value("请选择").click();
    harness.run_steps(2);
    harness.get_by_label("越高越好").click();
    harness.run_steps(2);
    harness.get_by_label("写入项目").click();
    wait_for(&mut harness, "the project written", |app| {
        app.status.as_ref().is_some_and(|(m, _)| m.starts_with("已把 2 个指标写入"))
    });
    let written = std::fs::read_to_string(lib.root().join("wanzhou/wz-p01/project.md")).unwrap();
    assert!(written.contains("value: 998") && written.contains("name: 小区议事会议次数"), "{written}");
    assert!(written.contains("source: 指标报表.xlsx，工作表“报表”第 3 行（B3、C3）"), "{written}");
}

#[test]
fn a_project_prints_as_an_a4_page() {
    let lib = corpus_copy();
    let mut harness = app_harness(&lib);
    wait_for(&mut harness, "the library", |app| app.library.is_some());
    harness.state_mut().tab = Tab::Project("wz-p02".into());
    harness.run_steps(3);
    harness.get_by_label("打印…").click();
    wait_for(&mut harness, "the print page", |app| {
        app.status.as_ref().is_some_and(|(m, _)| m.starts_with("打印页已写入"))
    });
    let status = harness.state().status.clone().unwrap().0;
    let path = status.trim_start_matches("打印页已写入 ").split('：').next().unwrap().to_string();
    let page = std::fs::read_to_string(&path).unwrap();
    let core = Library::load(lib.root()).unwrap();
    assert!(page.contains(core.get("wz-p02").unwrap().title().trim()), "{path}");
    assert!(page.contains("试点前后指标") && !page.contains("class=\"cover\""));
}
