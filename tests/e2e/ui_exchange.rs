//! Sending material out and taking it in, driven headless: a bundle dropped on the window is reviewed (a new
//! record ticked, a changed one only when ticked by hand) and applied; the export dialog writes a district's
//! showcase packet in every format and reports where.

use casebook::export::Target;
use casebook::library::Library;
use casebook::ui::CasebookApp;
use casebook::ui::app::{Command, Tab};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::ui::{app_harness, corpus_copy, wait_for};

#[derive(Debug)]
struct PathDrop(std::path::PathBuf);

impl egui::DroppedFile for PathDrop {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn click(harness: &mut Harness<'static, CasebookApp>, label: &str) {
    harness.get_by_label(label).click();
    harness.run_steps(3);
}

#[test]
fn a_dropped_bundle_is_reviewed_before_anything_is_written() {
    // Office A exports 渝中区; office B lacks one of its write-ups and has edited another.
    let a = corpus_copy();
    let out = tempfile::tempdir().unwrap();
    let zip = out.path().join("渝中区.zip");
    casebook::bundle::export(&Library::load(a.root()).unwrap(), "渝中区", &zip).unwrap();
    let b = corpus_copy();
    let missing = "yuzhong/yz-p02/yz-p02-3.md";
    let edited = "yuzhong/yz-p02/yz-p02-2.md";
    std::fs::remove_file(b.root().join(missing)).unwrap();
    let local = std::fs::read_to_string(b.root().join(edited)).unwrap() + "\n本单位补充的一段话。\n";
    std::fs::write(b.root().join(edited), &local).unwrap();

    let mut harness = app_harness(&b);
    wait_for(&mut harness, "the library", |app| app.library.is_some() && app.index_ready);
    harness.input_mut().dropped_files.push(std::sync::Arc::new(PathDrop(zip.clone())));
    wait_for(&mut harness, "the review", |app| app.tab == Tab::Bundle && app.bundle.plan.is_some());
    harness.get_by_label_contains("新增 1 条 · 有改动 1 条");
    let core = Library::load(a.root()).unwrap();
    let id_of = |rel: &str| core.records.iter().find(|r| r.path == rel).unwrap().id().unwrap().to_string();
    // The new record is ticked, the changed one is not; its diff shows the local paragraph as removed.
    assert!(harness.state().bundle.accepted.contains(missing));
    assert!(!harness.state().bundle.accepted.contains(edited));
    harness.get_by_label_contains("− 本单位补充的一段话。");

    // Apply with only the default choice: the new record is written, the local edit is kept.
    click(&mut harness, "导入所选（1 条）");
    wait_for(&mut harness, "the import", |app| app.bundle.report.is_some());
    assert_eq!(std::fs::read_to_string(b.root().join(edited)).unwrap(), local);
    assert_eq!(
        std::fs::read_to_string(b.root().join(missing)).unwrap(),
        std::fs::read_to_string(a.root().join(missing)).unwrap()
    );
    wait_for(&mut harness, "the reload", |app| app.library.as_ref().is_some_and(|l| l.get(&id_of(missing)).is_some()));

    // Now take the change too, ticked by hand; the local version goes to the history.
    harness.state_mut().apply(Command::ReadBundle(zip.clone()));
    wait_for(&mut harness, "the second review", |app| {
        app.bundle.plan.as_ref().is_some_and(|(_, p)| p.new_entries().count() == 0) && app.bundle.report.is_none()
    });
    click(&mut harness, &format!("导入 {}", id_of(edited)));
    click(&mut harness, "导入所选（1 条）");
    wait_for(&mut harness, "the update", |app| app.bundle.report.as_ref().is_some_and(|r| r.updated.len() == 1));
    assert_eq!(
        std::fs::read_to_string(b.root().join(edited)).unwrap(),
        std::fs::read_to_string(a.root().join(edited)).unwrap()
    );
    let kept = casebook::store::versions(b.root(), edited).unwrap();
    assert_eq!(std::fs::read_to_string(&kept[0].path).unwrap(), local);
}

#[test]
fn the_export_dialog_writes_a_route_packet() {
    let lib = corpus_copy();
    let out = tempfile::tempdir().unwrap();
    let mut harness = app_harness(&lib);
    wait_for(&mut harness, "the library", |app| app.library.is_some());
    harness.state_mut().apply(Command::ExportTarget(Target::Route("渝中区".into())));
    harness.run_steps(3);
    harness.get_by_label("导出展示材料");
    harness.get_by_label("选择导出内容");
    let d = &harness.state().export_dialog;
    assert!(d.targets[d.target].1.starts_with("调研路线：渝中区"), "{:?}", d.targets[d.target]);
    harness.state_mut().export_dialog.out_dir = out.path().display().to_string();
    harness.run_steps(2);
    click(&mut harness, "导出");
    wait_for(&mut harness, "the export", |app| {
        app.export_dialog.done.is_some() || app.status.as_ref().is_some_and(|s| s.1)
    });
    let report = harness.state().export_dialog.done.clone().expect("the export finished");
    harness.get_by_label("打开文件夹");
    // 打印 is offered for the web page (opening it would start a browser, so it is not clicked here).
    harness.get_by_label("打印…");
    let names: Vec<String> =
        report.files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    for ext in [".html", ".docx", ".md", ".csv", "manifest.json"] {
        assert!(names.iter().any(|n| n.ends_with(ext)), "{ext} in {names:?}");
    }
    for f in &report.files {
        assert!(f.starts_with(out.path()) && std::fs::metadata(f).unwrap().len() > 0, "{}", f.display());
    }
    // The dialog is modal; Escape closes it.
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(!harness.state().export_dialog.open);
    assert!(harness.query_by_label("导出展示材料").is_none());
}
