//! Submitting records: `casebook new`, `casebook import` (.md without front matter, a GBK .txt, a .docx built
//! here with the zip crate), safe saves (history, an injected write failure), drafts, and the front-matter
//! writer over the whole sample library.

use std::io::Write;
use std::path::{Path, PathBuf};

use casebook::library::{Kind, Library, Meta, Record, TextEncoding};
use casebook::store;

use crate::util::{TempLibrary, casebook_env};

/// A library with one project and one write-up.
fn small_library() -> TempLibrary {
    let lib = TempLibrary::new();
    lib.file(
        "yuzhong/yz-p01/project.md",
        "---\nkind: project\nid: yz-p01\nname: 楼栋党小组院落议事机制\ndistrict: 渝中区\nthemes: [党委领导, 自治强基]\n---\n项目简介。\n",
    );
    lib.writeup("yuzhong/yz-p01/yz-p01-1.md", "yz-p01-1", "渝中区", "project: yz-p01\n", "已有材料的正文。");
    lib
}

fn meta_json(meta: &Meta) -> serde_json::Value {
    serde_json::to_value(meta).unwrap()
}

/// Every file under `root`, hidden folders included.
fn all_files(root: &Path) -> Vec<String> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
        .collect()
}

#[test]
fn render_round_trip_over_the_corpus() {
    let lib = Library::load(&crate::util::corpus_dir()).unwrap();
    let kinds: std::collections::BTreeSet<Kind> = lib.records.iter().map(Record::kind).collect();
    assert_eq!(kinds.len(), 4, "the corpus has all four kinds");
    for r in &lib.records {
        // With its own front matter: nothing changed, so the text comes back as it was.
        let text = store::render_record(&r.meta, Some(&r.front_matter), &r.body).unwrap();
        assert_eq!(text, format!("---\n{}---\n{}", r.front_matter, r.body), "{}", r.path);
        let again = Record::parse(r.path.clone(), &text, TextEncoding::Utf8).unwrap();
        assert_eq!(meta_json(&again.meta), meta_json(&r.meta), "{}", r.path);
        assert_eq!(again.body, r.body, "{}", r.path);
        // Written from scratch by the YAML writer: the same record again.
        let fresh = store::render_record(&r.meta, None, &r.body).unwrap();
        let again = Record::parse(r.path.clone(), &fresh, TextEncoding::Utf8)
            .unwrap_or_else(|e| panic!("{}: {e:?}\n{fresh}", r.path));
        assert_eq!(meta_json(&again.meta), meta_json(&r.meta), "{}\n{fresh}", r.path);
        assert_eq!(again.body, r.body, "{}", r.path);
    }
}

#[test]
fn an_unknown_key_and_comments_survive_an_edit() {
    let lib = small_library();
    let rel = "yuzhong/yz-p01/yz-p01-2.md";
    lib.file(
        rel,
        "---\n# 报送前请核对\nid: yz-p01-2\ntitle: 旧标题\nproject: yz-p01\ndistrict: 渝中区\ndate: 2021-09-15\n审核人: 张三\nextra:\n  - {a: 1}\n---\n正文\n",
    );
    let library = Library::load(lib.root()).unwrap();
    let record = library.get("yz-p01-2").unwrap();
    let Meta::Writeup(mut w) = record.meta.clone() else { panic!("not a write-up") };
    w.title = Some("新标题：院落议事".into());
    w.themes = vec!["党委领导".into()];
    let text = store::render_record(&Meta::Writeup(w), Some(&record.front_matter), &record.body).unwrap();
    let lock = store::WriteLock::take(lib.root()).unwrap();
    let done = store::plan(&library, vec![store::Write::record(rel, text)]).unwrap().commit(&lock).unwrap();
    assert!(done.written[0].saved.previous.is_some());
    let text = std::fs::read_to_string(lib.root().join(rel)).unwrap();
    assert_eq!(
        text,
        "---\n# 报送前请核对\nid: yz-p01-2\ntitle: 新标题：院落议事\nproject: yz-p01\ndistrict: 渝中区\nthemes: [党委领导]\n\
         date: 2021-09-15\n审核人: 张三\nextra:\n  - {a: 1}\n---\n正文\n"
    );
    let check = lib.json(&["check", "--json"]);
    assert_eq!(check["errors"].as_array().unwrap().len(), 0, "{check}");
    let kept = store::versions(lib.root(), rel).unwrap();
    assert_eq!(kept.len(), 1);
    assert!(std::fs::read_to_string(&kept[0].path).unwrap().contains("title: 旧标题"));
}

#[test]
fn an_injected_write_failure_leaves_the_old_file_and_history_keeps_versions() {
    let lib = small_library();
    let sources = tempfile::tempdir().unwrap();
    let revised = sources.path().join("修订稿.txt");
    std::fs::write(&revised, "修订稿\n修订后的正文：楼栋议事更规范。\n").unwrap();
    let rel = "yuzhong/yz-p01/yz-p01-1.md";
    let before = std::fs::read(lib.root().join(rel)).unwrap();
    let root = lib.root().to_string_lossy().into_owned();
    let file = revised.to_string_lossy().into_owned();
    let args = ["--library", root.as_str(), "import", file.as_str(), "--id", "yz-p01-1", "--replace"];

    // The whole target path: the copy for the history (under .casebook/) is written, the record is not.
    let target = lib.root().join(rel).to_string_lossy().into_owned();
    let failed = casebook_env(&args, &[("CASEBOOK_FAIL_WRITES", target.as_str())]);
    assert_eq!(failed.code, 1, "{failed:?}");
    assert!(failed.stderr.contains("injected write failure"), "{failed:?}");
    assert_eq!(std::fs::read(lib.root().join(rel)).unwrap(), before, "the old file is untouched");
    let files = all_files(lib.root());
    assert!(!files.iter().any(|f| f.ends_with(".tmp")), "no temporary file left: {files:?}");
    assert!(store::versions(lib.root(), rel).unwrap().is_empty(), "a failed save is not a version");

    let ok = casebook_env(&args, &[]);
    assert_eq!(ok.code, 0, "{ok:?}");
    let text = std::fs::read_to_string(lib.root().join(rel)).unwrap();
    assert!(text.ends_with("修订后的正文：楼栋议事更规范。\n") && text.contains("title: 标题yz-p01-1\n"), "{text}");
    let kept = store::versions(lib.root(), rel).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(&kept[0].path).unwrap(), before);
    // Without --replace an existing id is refused.
    let refused = casebook_env(&args[..6], &[]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("--replace"), "{refused:?}");
}

#[test]
fn drafts_are_kept_and_offered_after_a_crash() {
    let lib = small_library();
    let rel = "yuzhong/yz-p01/yz-p01-1.md";
    let current = std::fs::read_to_string(lib.root().join(rel)).unwrap();
    let edited = current.replace("已有材料的正文。", "还没保存的修改。");
    store::save_draft(lib.root(), rel, Some(rel), &edited).unwrap();
    store::save_draft(lib.root(), "new:1", None, "---\ntitle: 新材料\n---\n草稿").unwrap();
    // A draft equal to its file (the save went through) is not offered.
    store::save_draft(lib.root(), "same", Some(rel), &current).unwrap();
    // “After the crash”: only what is on disk counts.
    let offered = store::drafts_to_offer(lib.root());
    let keys: Vec<&str> = offered.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(offered.len(), 2, "{keys:?}");
    let restored = offered.iter().find(|d| d.key == rel).unwrap();
    assert_eq!(restored.text, edited);
    assert_eq!(restored.target_rel.as_deref(), Some(rel));
    store::discard_draft(lib.root(), rel).unwrap();
    store::discard_draft(lib.root(), "new:1").unwrap();
    assert!(store::drafts(lib.root()).is_empty());
    // Drafts are not records.
    let check = lib.json(&["check", "--json"]);
    assert_eq!(check["errors"].as_array().unwrap().len(), 0, "{check}");
}

#[test]
fn import_markdown_without_front_matter_then_search_finds_it() {
    let lib = small_library();
    let sources = tempfile::tempdir().unwrap();
    let md = sources.path().join("板凳会.md");
    std::fs::write(
        &md,
        "# 渝中区推行“院坝板凳会”的经验做法\n\n## 一、基本情况\n\n渝中区七星岗街道推行院坝板凳会，居民围坐议事。\n\n渝中区委组织部\n2022年3月10日\n",
    )
    .unwrap();
    let v = lib.json(&["import", &md.to_string_lossy(), "--json"]);
    let f = &v["files"][0];
    assert_eq!(f["ok"], true, "{v}");
    assert_eq!(f["path"], "yuzhong/yz-w01.md");
    assert_eq!(f["title"], "渝中区推行“院坝板凳会”的经验做法");
    assert_eq!(f["district"], "渝中区");
    assert_eq!(f["date"], "2022-03-10");
    assert!(f["guesses"]["date"]["from"].as_str().unwrap().contains("落款"), "{f}");
    let text = std::fs::read_to_string(lib.root().join("yuzhong/yz-w01.md")).unwrap();
    assert!(text.contains("\n---\n## 一、基本情况\n"), "the title line left the body: {text}");
    let (_, ids) = lib.search("院坝板凳会");
    assert!(ids.contains(&"yz-w01".to_string()), "{ids:?}");
}

#[test]
fn import_gbk_text() {
    let lib = small_library();
    let sources = tempfile::tempdir().unwrap();
    let txt = sources.path().join("简报.txt");
    let (bytes, _, _) = encoding_rs::GBK.encode(
        "合川区“评理堂”工作简报\r\n　　一、工作动态\r\n　　本月合川区各镇街评理堂调处邻里纠纷四十二件。\r\n　　合川区委政法委\r\n　　2022年5月6日\r\n",
    );
    std::fs::write(&txt, &bytes).unwrap();
    let out = lib.run(&["import", &txt.to_string_lossy()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("区县：合川区") && out.stdout.contains("GBK"), "{out:?}");
    let rel = "hechuan/hc-w01.md";
    let bytes = std::fs::read(lib.root().join(rel)).unwrap();
    let text = String::from_utf8(bytes).expect("written as UTF-8");
    assert!(text.contains("type: 工作简报\n") && text.contains("## 一、工作动态\n"), "{text}");
    let check = lib.json(&["check", "--json"]);
    assert_eq!(check["errors"].as_array().unwrap().len(), 0, "{check}");
    assert!(check["warnings"].as_array().unwrap().iter().all(|w| w["code"] != "encoding-gbk"), "{check}");
    let (_, ids) = lib.search("调处邻里纠纷");
    assert_eq!(ids, ["hc-w01"]);
}

// A .docx as Word writes it: package parts, styles with heading numbering, a numbered list, a table, an image.

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture""#;

fn p(style: Option<&str>, extra_ppr: &str, runs: &str) -> String {
    let style = style.map(|s| format!(r#"<w:pStyle w:val="{s}"/>"#)).unwrap_or_default();
    format!("<w:p><w:pPr>{style}{extra_ppr}</w:pPr>{runs}</w:p>")
}

fn r(text: &str) -> String {
    format!(r#"<w:r><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}

fn bold(text: &str) -> String {
    format!(r#"<w:r><w:rPr><w:b/></w:rPr><w:t>{text}</w:t></w:r>"#)
}

fn table(rows: &[[&str; 3]]) -> String {
    let row = |cells: &[&str; 3]| {
        let cells: String = cells.iter().map(|c| format!("<w:tc><w:tcPr/>{}</w:tc>", p(None, "", &r(c)))).collect();
        format!("<w:tr>{cells}</w:tr>")
    };
    format!(
        r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>{}</w:tbl>"#,
        rows.iter().map(row).collect::<String>()
    )
}

fn docx_document() -> String {
    let numbered = |text: &str| p(None, r#"<w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr>"#, &r(text));
    let image = r#"<w:r><w:drawing><wp:inline><wp:docPr id="1" name="图片 1"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:blipFill><a:blip r:embed="rId9"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#;
    let body = [
        p(Some("Title"), "", &r("江北区“红岩义警”群防群治经验做法")),
        p(Some("Heading1"), "", &r("基本情况")),
        p(None, "", &format!("{}{}{}", r("江北区组建红岩义警队伍"), bold("186支"), r("，江北区各街道全覆盖。"))),
        p(Some("Heading2"), "", &r("队伍建设")),
        numbered("招募退役军人和楼栋长"),
        numbered("每月开展联合巡逻"),
        table(&[["指标", "2019年", "2021年"], ["义警人数", "1200", "5600"], ["巡逻覆盖率", "61%", "98%"]]),
        p(None, "", image),
        p(Some("Heading1"), "", &r("取得成效")),
        p(None, "", &r("群众安全感持续提升。")),
        p(None, r#"<w:jc w:val="right"/>"#, &r("江北区委政法委")),
        p(None, r#"<w:jc w:val="right"/>"#, &r("2021年11月8日")),
    ]
    .concat();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>"#
    )
}

fn docx_parts(document: &str) -> Vec<(&'static str, Vec<u8>)> {
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let doc_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/></Relationships>"#;
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {W}>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
</w:styles>"#
    );
    let numbering = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:numbering {W}>
<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>"#
    );
    vec![
        ("[Content_Types].xml", types.as_bytes().to_vec()),
        ("_rels/.rels", rels.as_bytes().to_vec()),
        ("word/document.xml", document.as_bytes().to_vec()),
        ("word/_rels/document.xml.rels", doc_rels.as_bytes().to_vec()),
        ("word/styles.xml", styles.into_bytes()),
        ("word/numbering.xml", numbering.into_bytes()),
        ("word/media/image1.png", b"\x89PNG\r\n\x1a\n not a real picture".to_vec()),
    ]
}

fn write_zip(path: &Path, parts: &[(&str, Vec<u8>)]) -> PathBuf {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path.to_path_buf()
}

#[test]
fn import_docx_keeps_headings_lists_table_and_images() {
    let lib = small_library();
    let sources = tempfile::tempdir().unwrap();
    let docx = write_zip(&sources.path().join("红岩义警.docx"), &docx_parts(&docx_document()));
    let v = lib.json(&["import", &docx.to_string_lossy(), "--json"]);
    let f = &v["files"][0];
    assert_eq!(f["ok"], true, "{v}");
    assert_eq!(f["title"], "江北区“红岩义警”群防群治经验做法");
    assert_eq!(f["guesses"]["title"]["from"], "文档的“标题”样式");
    assert_eq!(f["district"], "江北区");
    assert_eq!(f["date"], "2021-11-08");
    assert_eq!(f["type"], "经验材料");
    let rel = f["path"].as_str().unwrap();
    assert_eq!(rel, "jiangbei/jb-w01.md");
    let record = std::fs::read_to_string(lib.root().join(rel)).unwrap();
    let body = record.split_once("\n---\n").unwrap().1;
    assert_eq!(
        body,
        "## 一、基本情况\n\n江北区组建红岩义警队伍**186支**，江北区各街道全覆盖。\n\n### （一）队伍建设\n\n\
         1. 招募退役军人和楼栋长\n2. 每月开展联合巡逻\n\n\
         | 指标 | 2019年 | 2021年 |\n|---|---|---|\n| 义警人数 | 1200 | 5600 |\n| 巡逻覆盖率 | 61% | 98% |\n\n\
         ![图片](jb-w01.assets/image1.png)\n\n## 二、取得成效\n\n群众安全感持续提升。\n\n江北区委政法委\n\n2021年11月8日\n"
    );
    let image = std::fs::read(lib.root().join("jiangbei/jb-w01.assets/image1.png")).unwrap();
    assert!(image.starts_with(b"\x89PNG"));
    assert_eq!(f["assets"][0], "jiangbei/jb-w01.assets/image1.png");
    let (_, ids) = lib.search("巡逻覆盖率");
    assert_eq!(ids, ["jb-w01"]);
    let check = lib.json(&["check", "--json"]);
    assert_eq!(check["errors"].as_array().unwrap().len(), 0, "{check}");
}

#[test]
fn bad_files_are_reported_and_do_not_stop_the_others() {
    let lib = small_library();
    let sources = tempfile::tempdir().unwrap();
    let good = sources.path().join("好的.md");
    std::fs::write(&good, "渝中区院落议事经验\n\n渝中区2021年起推行院落议事。\n").unwrap();
    let not_zip = sources.path().join("坏的.docx");
    std::fs::write(&not_zip, "不是压缩包").unwrap();
    let xxe_doc = docx_document().replace(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>",
        "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY xxe \"实体里的秘密\">]>",
    );
    let xxe_doc = xxe_doc.replace("基本情况", "&xxe;");
    let xxe = write_zip(&sources.path().join("实体.docx"), &docx_parts(&xxe_doc));
    let no_year = sources.path().join("无年份.txt");
    std::fs::write(&no_year, "渝中区院落议事\n渝中区推行院落议事。\n").unwrap();
    let old_word = sources.path().join("旧格式.doc");
    std::fs::write(&old_word, b"\xD0\xCF\x11\xE0").unwrap();
    let paths: Vec<String> =
        [&not_zip, &good, &xxe, &no_year, &old_word].iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let mut args = vec!["import"];
    args.extend(paths.iter().map(String::as_str));
    let out = lib.run(&args);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("→ yuzhong/yz-w01.md"), "{out:?}");
    let lines: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with("失败 ")).collect();
    assert_eq!(lines.len(), 4, "{out:?}");
    assert!(lines[0].contains("坏的.docx") && lines[0].contains("不是有效的 .docx"), "{}", lines[0]);
    assert!(lines[1].contains("实体.docx") && lines[1].contains("DOCTYPE"), "{}", lines[1]);
    assert!(lines[2].contains("无年份.txt") && lines[2].contains("--year"), "{}", lines[2]);
    assert!(lines[3].contains("旧格式.doc") && lines[3].contains("另存为 .docx"), "{}", lines[3]);
    assert!(!out.stdout.contains("实体里的秘密") && !out.stderr.contains("实体里的秘密"));
    assert!(lib.root().join("yuzhong/yz-w01.md").exists());
    assert_eq!(all_files(lib.root()).iter().filter(|f| f.ends_with(".md") && !f.starts_with(".casebook")).count(), 3);
}

#[test]
fn dry_run_writes_nothing_and_options_override_guesses() {
    let lib = small_library();
    let sources = tempfile::tempdir().unwrap();
    let txt = sources.path().join("a.txt");
    std::fs::write(&txt, "江北区经验\n江北区2020年起推行。\n").unwrap();
    let before = all_files(lib.root());
    let v =
        lib.json(&["import", &txt.to_string_lossy(), "--project", "yz-p01", "--year", "2022", "--dry-run", "--json"]);
    let f = &v["files"][0];
    assert_eq!(f["ok"], true, "{v}");
    assert_eq!(f["district"], "渝中区", "the project's district wins over the guess");
    assert_eq!(f["year"], 2022);
    assert_eq!(f["guesses"]["year"]["from"], "命令行指定");
    assert_eq!(f["path"], "yuzhong/yz-p01/yz-p01-2.md");
    assert_eq!(all_files(lib.root()), before);
}

#[test]
fn a_failed_import_says_what_it_found_and_an_option_erases_nothing() {
    let lib = small_library();
    let sources = tempfile::tempdir().unwrap();
    // No district anywhere, a signing date at the end, no word that tells the type.
    let txt = sources.path().join("b.txt");
    std::fs::write(&txt, "关于楼栋议事的一些情况\n各社区推行楼栋议事。\n\n某某办公室\n2024年1月21日\n").unwrap();
    let before = all_files(lib.root());
    let out = lib.run(&["import", &txt.to_string_lossy(), "--dry-run"]);
    assert_eq!(out.code, 1, "{out:?}");
    for expected in
        ["缺少必填字段 区县（district）", "请用 --district 指定区县", "已从文件中判断出", "日期：2024-01-21"]
    {
        assert!(out.stderr.contains(expected), "{expected} in {}", out.stderr);
    }
    let v = lib.json(&["import", &txt.to_string_lossy(), "--dry-run", "--json"]);
    let f = &v["files"][0];
    assert_eq!(f["ok"], false, "{v}");
    assert_eq!(f["guesses"]["date"]["value"], "2024-01-21", "{v}");
    assert_eq!(f["guesses"]["district"], serde_json::Value::Null);
    assert_eq!(f["guesses"]["type"]["value"], "待确认");
    // With the district given, the date found stays beside the year given; the type waits for confirmation.
    let v = lib.json(&["import", &txt.to_string_lossy(), "--district", "渝中", "--year", "2023", "--json"]);
    let f = &v["files"][0];
    assert_eq!(f["ok"], true, "{v}");
    assert_eq!((f["date"].as_str(), f["year"].as_i64()), (Some("2024-01-21"), Some(2023)), "{v}");
    assert_eq!(f["type"], "待确认");
    assert_ne!(all_files(lib.root()), before);
    let check = lib.run(&["check"]);
    assert!(check.stdout.contains("文种待确认") || check.stderr.contains("文种待确认"), "{check:?}");
}

#[test]
fn new_records_of_every_kind() {
    let lib = small_library();
    let out = lib.run(&["new", "writeup", "--district", "渝中", "--title", "院落议事新做法", "--project", "yz-p01"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("yuzhong/yz-p01/yz-p01-2.md"), "{out:?}");
    let text = std::fs::read_to_string(lib.root().join("yuzhong/yz-p01/yz-p01-2.md")).unwrap();
    assert!(
        text.starts_with("---\nid: yz-p01-2\ntitle: 院落议事新做法\nproject: yz-p01\ndistrict: 渝中区\nyear: 20"),
        "{text}"
    );
    assert!(text.contains("## 二、主要做法"), "{text}");

    let v = lib.json(&[
        "new",
        "writeup",
        "--title",
        "一起纠纷的化解",
        "--project",
        "yz-p01",
        "--type",
        "典型案例",
        "--date",
        "2022-01-05",
        "--json",
    ]);
    assert_eq!(v["path"], "yuzhong/yz-p01/yz-p01-3.md");
    let case = std::fs::read_to_string(lib.root().join("yuzhong/yz-p01/yz-p01-3.md")).unwrap();
    assert!(case.contains("date: 2022-01-05\n") && case.contains("## 一、案例背景"), "{case}");

    let v = lib.json(&[
        "new",
        "project",
        "--district",
        "江北区",
        "--name",
        "红岩义警",
        "--themes",
        "群众参与、社会治安",
        "--claimed",
        "2021",
        "--json",
    ]);
    assert_eq!(v["path"], "jiangbei/jb-p01/project.md");
    assert_eq!(v["id"], "jb-p01");
    let v = lib.json(&[
        "new",
        "site",
        "--district",
        "江北区",
        "--name",
        "观音桥街道综治中心",
        "--projects",
        "jb-p01",
        "--json",
    ]);
    assert_eq!(v["path"], "jiangbei/sites/jb-s1.md");
    let v = lib.json(&["new", "collection", "--title", "群防群治专题", "--items", "yz-p01-1,yz-p01-2", "--json"]);
    assert_eq!(v["path"], "collections/col-01.md");
    assert!(
        std::fs::read_to_string(lib.root().join("jiangbei/jb-p01/project.md"))
            .unwrap()
            .starts_with("---\nkind: project\n")
    );

    let check = lib.json(&["check", "--json"]);
    assert_eq!(check["errors"].as_array().unwrap().len(), 0, "{check}");
    let library = Library::load(lib.root()).unwrap();
    assert_eq!(library.records.len(), 7);

    // A record that would not pass check is not written.
    let before = all_files(lib.root());
    let out = lib.run(&["new", "writeup", "--district", "海淀区", "--title", "外地材料"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("未知的区县"), "{out:?}");
    let out = lib.run(&["new", "collection", "--title", "空专辑", "--items", "不存在的材料"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(all_files(lib.root()), before);
}

#[test]
fn a_new_record_never_takes_the_place_of_a_file_the_library_could_not_read() {
    let lib = TempLibrary::new();
    lib.file(
        "yuzhong/yz-p01/project.md",
        "---\nkind: project\nid: yz-p01\nname: 院落议事\ndistrict: 渝中区\nthemes: [自治强基]\n---\n简介。\n",
    );
    // A write-up whose front matter is broken: not a record the library holds, but someone's work.
    let broken = "---\nid: yz-p01-1\ntitle: [未写完\n---\n正文写了一半。\n";
    lib.file("yuzhong/yz-p01/yz-p01-1.md", broken);
    let o =
        lib.run(&["new", "writeup", "--id", "yz-p01-1", "--project", "yz-p01", "--title", "新材料", "--year", "2022"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("yuzhong/yz-p01/yz-p01-1-2.md"), "{}", o.stdout);
    assert_eq!(std::fs::read_to_string(lib.root().join("yuzhong/yz-p01/yz-p01-1.md")).unwrap(), broken);
}
