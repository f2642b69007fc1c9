//! The archive of originals (原件): import keeps each file beside its write-up with a checksum, `check` tells a
//! missing or changed original, and originals travel in bundles with their checksums. Real Word, WPS and PDF
//! files converted by LibreOffice are tested by `real_files_*` (ignored here; CI runs them once LibreOffice is
//! installed).

use std::path::Path;

use crate::util::{ScanEncoding, TempLibrary, copy_tree, corpus_dir, pdf_with_lines, scanned_pdf, xlsx};

fn corpus_copy() -> TempLibrary {
    let lib = TempLibrary::new();
    copy_tree(&corpus_dir(), lib.root());
    lib
}

fn sha(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

#[test]
fn originals_are_kept_checked_and_travel_in_bundles() {
    let lib = corpus_copy();
    let outside = tempfile::tempdir().unwrap();
    let sheet = outside.path().join("渝中区2022年矛盾纠纷统计报表.xlsx");
    let sheet_bytes = xlsx(&[
        ("A1", "渝中区矛盾纠纷排查化解情况统计表"),
        ("A2", "指标"),
        ("B2", "2022年"),
        ("A3", "受理"),
        ("B3", "1846"),
    ]);
    std::fs::write(&sheet, &sheet_bytes).unwrap();
    let pdf = outside.path().join("brief.pdf");
    let pdf_bytes = pdf_with_lines(&["Yuzhong District work brief", "2022"]);
    std::fs::write(&pdf, &pdf_bytes).unwrap();

    let o = lib.json(&[
        "import",
        "--district",
        "渝中区",
        "--year",
        "2022",
        "--json",
        sheet.to_str().unwrap(),
        pdf.to_str().unwrap(),
    ]);
    let files = o["files"].as_array().unwrap_or_else(|| panic!("{o}"));
    assert_eq!(files.len(), 2, "{o}");
    let table = &files[0];
    assert_eq!(table["type"], "报表", "{table}");
    assert_eq!(table["title"], "渝中区矛盾纠纷排查化解情况统计表");
    assert_eq!(table["original"]["sha256"], sha(&sheet_bytes));
    assert_eq!(files[1]["original"]["pages"], 1, "{}", files[1]);
    let kept = lib.root().join(table["original"]["path"].as_str().unwrap());
    assert_eq!(std::fs::read(&kept).unwrap(), sheet_bytes, "kept byte for byte");
    let record = std::fs::read_to_string(lib.root().join(table["path"].as_str().unwrap())).unwrap();
    assert!(record.contains("| 受理 | 1846 |"), "{record}");
    assert!(record.contains(&sha(&sheet_bytes)), "{record}");

    let check = lib.json(&["check", "--json"]);
    assert!(!check["warnings"].to_string().contains("original-"), "{check}");
    // Searchable like any record.
    assert!(lib.search("矛盾纠纷排查化解情况统计表").1.contains(&table["id"].as_str().unwrap().to_string()));

    // A replaced original is told apart from the one filed.
    std::fs::write(&kept, b"something else").unwrap();
    let check = lib.json(&["check", "--json"]);
    assert!(check["warnings"].to_string().contains("original-changed"), "{check}");
    std::fs::write(&kept, &sheet_bytes).unwrap();

    // Originals travel in a bundle with their checksum, and arrive beside their write-up.
    let bundle = outside.path().join("渝中区.zip");
    let o = lib.json(&["bundle", "export", "--district", "渝中区", "--out", bundle.to_str().unwrap(), "--json"]);
    assert!(o["assets"].as_u64().unwrap() >= 2, "{o}");
    let other = corpus_copy();
    let o = other.run(&["bundle", "import", bundle.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{o:?}");
    let arrived = other.root().join(table["original"]["path"].as_str().unwrap());
    assert_eq!(std::fs::read(arrived).unwrap(), sheet_bytes);
    let check = other.json(&["check", "--json"]);
    assert_eq!(check["errors"].as_array().unwrap().len(), 0, "{check}");
    assert!(!check["warnings"].to_string().contains("original-"), "{check}");
}

/// The real Word and WPS files (`CASEBOOK_REAL_DOCX`, the folder of shared/real-docx), turned into PDF and .doc
/// by LibreOffice, import with their title and keep their original. Needs LibreOffice: CI runs it.
#[test]
#[ignore = "needs LibreOffice and the real files (CASEBOOK_REAL_DOCX); run by .ci/run"]
fn real_files_through_libreoffice() {
    let source = std::env::var("CASEBOOK_REAL_DOCX").expect("CASEBOOK_REAL_DOCX");
    let work = tempfile::tempdir().unwrap();
    let mut docx: Vec<std::path::PathBuf> = std::fs::read_dir(&source)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "docx"))
        .collect();
    docx.sort();
    assert!(docx.len() >= 5, "{source}");
    for d in &docx {
        std::fs::copy(d, work.path().join(d.file_name().unwrap())).unwrap();
    }
    for target in ["pdf", "doc"] {
        let status = std::process::Command::new("soffice")
            .args(["--headless", "--convert-to", target, "--outdir"])
            .arg(work.path())
            .args(docx.iter().map(|d| work.path().join(d.file_name().unwrap())))
            .status()
            .expect("soffice");
        assert!(status.success());
    }
    let lib = corpus_copy();
    for ext in ["pdf", "doc"] {
        let files: Vec<String> = docx
            .iter()
            .map(|d| {
                work.path().join(Path::new(d.file_name().unwrap()).with_extension(ext)).to_string_lossy().into_owned()
            })
            .collect();
        let mut args = vec!["import", "--district", "渝中区", "--year", "2024", "--json"];
        args.extend(files.iter().map(String::as_str));
        let o = lib.json(&args);
        for f in o["files"].as_array().unwrap() {
            assert_eq!(f["ok"], true, "{f}");
            assert!(f["title"].as_str().is_some_and(|t| !t.is_empty() && !t.contains('\u{FFFD}')), "{f}");
            assert!(f["original"]["sha256"].as_str().is_some_and(|h| h.len() == 64), "{f}");
        }
        let notice = o["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"].as_str().unwrap().contains("notice-formatted"))
            .unwrap();
        assert!(notice["title"].as_str().unwrap().contains("关于进一步规范会议管理的通知"), "{notice}");
    }
    let check = lib.json(&["check", "--json"]);
    assert_eq!(check["errors"].as_array().unwrap().len(), 0, "{check}");
}

/// The detail pane names the original, says it is the file filed once the worker has hashed it, and offers to
/// open it; a replaced original is called out.
#[test]
fn the_detail_pane_shows_the_original_and_its_state() {
    use egui_kittest::kittest::Queryable;
    let lib = corpus_copy();
    let outside = tempfile::tempdir().unwrap();
    let sheet = outside.path().join("报表.xlsx");
    std::fs::write(
        &sheet,
        xlsx(&[("A1", "渝中区楼栋议事统计表"), ("A2", "项目"), ("B2", "2022年"), ("A3", "议事"), ("B3", "36")]),
    )
    .unwrap();
    let o = lib.json(&["import", "--district", "渝中区", "--json", sheet.to_str().unwrap()]);
    let id = o["files"][0]["id"].as_str().unwrap_or_else(|| panic!("{o}")).to_string();
    let mut harness = crate::ui::app_harness(&lib);
    crate::ui::wait_for(&mut harness, "the records", |app| app.library.is_some());
    harness.state_mut().search.selected = Some(id.clone());
    crate::ui::wait_for(&mut harness, "the original's check", |app| {
        app.search.selected.as_deref() == Some(id.as_str())
            && matches!(harness_original(app), Some(casebook::library::original::OriginalState::Intact))
    });
    harness.get_by_label("原件");
    harness.get_by_label("报表.xlsx");
    harness.get_by_label("完好，与归档时一致");
    harness.get_by_label("打开原件");
}

fn harness_original(app: &casebook::ui::CasebookApp) -> Option<casebook::library::original::OriginalState> {
    app.search.original_state()
}

/// The 档案 tab: per project, the checklist's types with their counts by year and what is missing; a count opens
/// the materials behind it, and a material opens in the search view.
#[test]
fn the_archive_view_counts_and_opens_materials() {
    use egui_kittest::kittest::Queryable;
    let lib = corpus_copy();
    let mut harness = crate::ui::app_harness(&lib);
    crate::ui::wait_for(&mut harness, "the records", |app| app.library.is_some());
    harness.get_by_label("总览 · 迎验收").click();
    harness.run_steps(2);
    harness.get_by_label("档案（按年度、项目、文种）→").click();
    harness.run_steps(3);
    harness.get_by_label("导出档案目录（Excel）");
    let app = harness.state();
    let library = app.library.clone().unwrap();
    let district = app.archive.district.clone().unwrap();
    let want = casebook::library::archive::archive(&library, Some(&district));
    let p = &want.projects[0];
    let missing: usize = p.gaps().map(|l| l.missing()).sum();
    assert!(missing > 0, "the sample library's projects miss 报表 and others");
    assert!(harness.get_all_by_label(&format!("缺 {missing} 件")).count() >= 1);
    // 经验材料 of the first year it has: the count opens the list, the list opens the record.
    let line = p.lines.iter().find(|l| l.doc_type == casebook::library::rules::EXPERIENCE).unwrap();
    let year = line.items[0].year.unwrap();
    let n = p.count(&line.doc_type, Some(year));
    harness.get_by_label(&format!("{} {} {year}：{n}", p.id, line.doc_type)).click();
    harness.run_steps(2);
    let first = line.items.iter().find(|i| i.year == Some(year)).unwrap();
    harness.get_by_label(&first.title).click();
    harness.run_steps(2);
    assert_eq!(harness.state().search.selected.as_deref(), Some(first.id.as_str()));
}

/// The share of the expected characters found, in order (1.0 = every one): OCR output against the page's text.
fn accuracy(expected: &str, got: &str) -> f64 {
    casebook::ocr::character_accuracy(got, expected)
}

#[test]
fn scans_and_photos_are_read_by_ocr_and_marked() {
    let lib = corpus_copy();
    let outside = tempfile::tempdir().unwrap();
    let pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ocr");
    let expected = std::fs::read_to_string(pages.join("small-clean150.txt")).unwrap();
    let page = image::open(pages.join("small-clean150.png")).unwrap().into_luma8();
    // A scanner's PDF: one page JPEG, one black-and-white Group 4, one plain grey, and no text layer at all.
    let pdf = outside.path().join("扫描件.pdf");
    std::fs::write(
        &pdf,
        scanned_pdf(&[(&page, ScanEncoding::Jpeg), (&page, ScanEncoding::Group4), (&page, ScanEncoding::Flate)]),
    )
    .unwrap();
    let photo = outside.path().join("照片.png");
    std::fs::copy(pages.join("small-clean150.png"), &photo).unwrap();
    // A fax server's or a sheet feeder's multi-page TIFF: two pages, black and white, Group 4 (made with
    // ImageMagick from two of the rendered pages: convert small-clean150.png small-rotated2.png -colorspace gray
    // -threshold 55% -compress Group4 two-pages-g4.tif).
    let fax = pages.join("two-pages-g4.tif");

    let o = lib.json(&[
        "import",
        "--district",
        "渝中区",
        "--year",
        "2022",
        "--type",
        "工作简报",
        "--json",
        pdf.to_str().unwrap(),
        photo.to_str().unwrap(),
        fax.to_str().unwrap(),
    ]);
    let files = o["files"].as_array().unwrap_or_else(|| panic!("{o}"));
    assert_eq!(files.len(), 3, "{o}");
    let (scan, photo, fax) = (&files[0], &files[1], &files[2]);
    assert_eq!(fax["original"]["pages"], 2, "{fax}");
    assert_eq!(fax["original"]["ocr_pages"], serde_json::json!([1, 2]), "{fax}");
    let fax_record = std::fs::read_to_string(lib.root().join(fax["path"].as_str().unwrap())).unwrap();
    let (first, second) = fax_record.split_once("〔原件第 2 页 · 文字识别〕").expect("page 2 marked");
    let first = format!("{}{}", fax["title"].as_str().unwrap_or(""), first.split_once("文字识别〕").unwrap().1);
    for (got, truth) in [(first.as_str(), "small-clean150.txt"), (second, "small-rotated2.txt")] {
        let truth = std::fs::read_to_string(pages.join(truth)).unwrap();
        let a = accuracy(&truth, got);
        assert!(a > 0.9, "{truth}: accuracy {a:.3}\n{got}");
    }
    assert_eq!(scan["original"]["pages"], 3, "{scan}");
    assert_eq!(scan["original"]["ocr_pages"], serde_json::json!([1, 2, 3]), "{scan}");
    assert_eq!(photo["original"]["ocr_pages"], serde_json::json!([1]), "{photo}");
    assert!(scan["warnings"].to_string().contains("文字识别（OCR）得出"), "{scan}");

    let record = std::fs::read_to_string(lib.root().join(scan["path"].as_str().unwrap())).unwrap();
    for page in 1..=3 {
        assert!(record.contains(&format!("〔原件第 {page} 页 · 文字识别〕")), "{record}");
    }
    let body = record.split("---").nth(2).unwrap();
    // Each page's text against the page: the three encodings all read.
    let split: Vec<&str> = body.split("〔原件第").skip(1).collect();
    assert_eq!(split.len(), 3, "{body}");
    for (i, part) in split.iter().enumerate() {
        let text = part.split_once('〕').map_or(*part, |(_, t)| t);
        let title = if i == 0 { scan["title"].as_str().unwrap_or("") } else { "" };
        let a = accuracy(&expected, &format!("{title}{text}"));
        assert!(a > 0.9, "page {}: accuracy {a:.3}\n{text}", i + 1);
    }
    let photo_record = std::fs::read_to_string(lib.root().join(photo["path"].as_str().unwrap())).unwrap();
    assert!(photo_record.contains("1328个网格"), "{photo_record}");
    // Searchable, and the originals are kept byte for byte.
    assert!(lib.search("1328个网格").1.contains(&photo["id"].as_str().unwrap().to_string()));
    // The snippet says the text was recognised, so a reader checks the wording against the original.
    let hits = lib.json(&["search", "1328个网格", "--json"]);
    let hit = hits["hits"].as_array().unwrap().iter().find(|h| h["id"] == photo["id"]).unwrap();
    assert!(hit["snippet"].as_str().unwrap().contains("文字识别〕"), "{hit}");
    let kept = lib.root().join(photo["original"]["path"].as_str().unwrap());
    assert_eq!(std::fs::read(kept).unwrap(), std::fs::read(pages.join("small-clean150.png")).unwrap());
}

#[test]
fn a_report_fills_a_projects_indicators_with_its_cells_as_source() {
    let lib = corpus_copy();
    let outside = tempfile::tempdir().unwrap();
    let table = outside.path().join("万州区红色物业指标报表.xlsx");
    std::fs::write(
        &table,
        xlsx(&[
            ("A1", "万州区红色物业小区治理项目指标统计表"),
            ("A2", "序号"),
            ("B2", "指标名称"),
            ("C2", "单位"),
            ("D2", "2019年"),
            ("E2", "2022年"),
            ("A3", "1"),
            ("B3", "矛盾纠纷调解成功率"),
            ("C3", "%"),
            ("D3", "89.6"),
            ("E3", "98.1"),
            ("A4", "2"),
            ("B4", "物业服务投诉量"),
            ("C4", "件"),
            ("D4", "3426"),
            ("E4", "1024"),
            ("A5", "3"),
            ("B5", "小区议事会议次数"),
            ("D5", "120"),
            ("E5", "340"),
        ]),
    )
    .unwrap();
    let project = lib.root().join("wanzhou/wz-p01/project.md");
    let before = std::fs::read_to_string(&project).unwrap();
    let path = table.to_str().unwrap();

    // A count of meetings: neither its unit nor its direction can be told, so nothing is written and the
    // message names the indicator and the options that give them.
    let o = lib.run(&["import", path, "--indicators", "wz-p01"]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stdout.contains("D 列“2019年” → 试点前（2019）（依据：表头“2019年”是最早的年份）"), "{}", o.stdout);
    assert!(o.stderr.contains("“小区议事会议次数”的单位") && o.stderr.contains("--unit"), "{}", o.stderr);
    assert_eq!(std::fs::read_to_string(&project).unwrap(), before, "nothing written");

    // Two districts claimed a project of this name: the name is not enough.
    let o = lib.run(&["import", path, "--indicators", "党建引领“红色物业”小区治理"]);
    assert!(o.stderr.contains("wz-p01") && o.stderr.contains("jj-p04"), "{}", o.stderr);

    let o = lib.run(&[
        "import",
        path,
        "--indicators",
        "wz-p01",
        "--unit",
        "小区议事会议次数=次",
        "--better",
        "小区议事会议次数=higher",
    ]);
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stdout.contains("更新指标“矛盾纠纷调解成功率”（原为 89.6 → 97.3）"), "{}", o.stdout);
    assert!(o.stdout.contains("新增指标“小区议事会议次数”"), "{}", o.stdout);
    let after = std::fs::read_to_string(&project).unwrap();
    assert!(after.contains("source: 万州区红色物业指标报表.xlsx，工作表“报表”第 3 行（D3、E3）"), "{after}");
    assert!(after.contains("value: 98.1") && after.contains("2022"), "{after}");
    // The target the project had is kept; the body and the other keys are untouched.
    assert!(after.contains("target: 98") && after.contains("物业“弃管”"), "{after}");
    let check = lib.json(&["check", "--json"]);
    assert_eq!(check["errors"].as_array().map(Vec::len), Some(0), "{check}");
    // The numbers are what compare now reports, and the old version is in the history.
    let compare = lib.run(&["compare", "wz-p01"]);
    assert!(compare.stdout.contains("98.1") && compare.stdout.contains("小区议事会议次数"), "{}", compare.stdout);
    let history = lib.root().join(".casebook/history");
    assert!(walk_count(&history) > 0, "history kept");
}

fn walk_count(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| if e.path().is_dir() { walk_count(&e.path()) } else { 1 }).sum())
        .unwrap_or(0)
}
