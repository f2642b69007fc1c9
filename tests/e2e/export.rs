//! `casebook export`: showcase packets and study packs written by the real binary from a copy of `corpus/`,
//! then read back strictly — the HTML and every .docx part as XML (quick-xml), the CSV against `compare`, the
//! manifest against the files — plus a library of hostile write-ups that must export inert.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use casebook::compare::{cross_district, format_number, project_summary};
use casebook::library::{Kind, Library, Meta};
use quick_xml::events::Event;
use sha2::{Digest, Sha256};

use crate::util::{TempLibrary, copy_tree, corpus_dir};

/// What a strict XML read of a document found.
struct Xml {
    /// Element names with their attributes (unescaped), in document order.
    elements: Vec<(String, Vec<(String, String)>)>,
    /// All text content, unescaped, joined.
    text: String,
}

/// Parses XML strictly: well-formed, balanced, only the five XML entities or character references.
fn parse_xml(source: &str, what: &str) -> Xml {
    let mut reader = quick_xml::Reader::from_str(source);
    let mut out = Xml { elements: Vec::new(), text: String::new() };
    let mut depth = 0usize;
    loop {
        let event = reader.read_event().unwrap_or_else(|e| panic!("{what} is not well-formed XML: {e}"));
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                out.elements.push(element(&e, what));
                depth += 1;
            }
            Event::Empty(e) => out.elements.push(element(&e, what)),
            Event::End(_) => depth -= 1,
            Event::Text(t) => out.text.push_str(&t.decode().unwrap()),
            Event::CData(t) => out.text.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                if let Some(c) = r.resolve_char_ref().unwrap() {
                    out.text.push(c);
                } else {
                    let name = r.decode().unwrap().into_owned();
                    let c = match name.as_str() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("{what}: entity &{other}; is not XML"),
                    };
                    out.text.push(c);
                }
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "{what}: unclosed elements");
    out
}

/// An element's name and unescaped attributes.
fn element(e: &quick_xml::events::BytesStart<'_>, what: &str) -> (String, Vec<(String, String)>) {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.unwrap_or_else(|err| panic!("{what}: bad attribute: {err}"));
            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            let value = a.unescape_value().unwrap_or_else(|err| panic!("{what}: {err}")).into_owned();
            (key, value)
        })
        .collect();
    (name, attrs)
}

/// A temporary copy of the sample library and an output folder outside it.
struct Setup {
    lib: TempLibrary,
    out: tempfile::TempDir,
}

impl Setup {
    fn corpus() -> Setup {
        let lib = TempLibrary::new();
        copy_tree(&corpus_dir(), lib.root());
        Setup { lib, out: tempfile::tempdir().unwrap() }
    }

    fn out(&self) -> &Path {
        self.out.path()
    }

    fn export(&self, args: &[&str]) -> serde_json::Value {
        let out = self.out().to_string_lossy().into_owned();
        let mut all = vec!["export"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--out", &out, "--json"]);
        self.lib.json(&all)
    }

    fn library(&self) -> Library {
        Library::load(self.lib.root()).unwrap()
    }
}

fn files_of(report: &serde_json::Value) -> Vec<PathBuf> {
    report["files"].as_array().unwrap().iter().map(|f| PathBuf::from(f.as_str().unwrap())).collect()
}

fn file_with(files: &[PathBuf], suffix: &str) -> PathBuf {
    files
        .iter()
        .find(|f| f.to_string_lossy().ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix} in {files:?}"))
        .clone()
}

fn read_zip_part(path: &Path, part: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(part).unwrap_or_else(|_| panic!("{part} missing")).read_to_string(&mut text).unwrap();
    text
}

/// Every file under a folder with its bytes, to prove an export changed nothing.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && !e.path().components().any(|c| c.as_os_str() == ".casebook"))
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// Parses the numbers CSV (BOM, header, quoted cells) into maps by column name.
fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{FEFF}').expect("CSV starts with a UTF-8 BOM");
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let split = |line: &str| -> Vec<String> {
        let (mut cells, mut cell, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    cell.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => cells.push(std::mem::take(&mut cell)),
                (c, _) => cell.push(c),
            }
        }
        cells.push(cell);
        cells
    };
    let header = split(lines.next().unwrap());
    for column in ["指标", "单位", "试点前", "试点后", "变化", "目标", "是否达标"] {
        assert!(header.iter().any(|h| h == column), "CSV lacks {column}: {header:?}");
    }
    lines.map(|l| header.iter().cloned().zip(split(l)).collect()).collect()
}

fn num(v: Option<f64>) -> String {
    v.map(format_number).unwrap_or_default()
}

#[test]
fn route_packet_in_every_format() {
    let s = Setup::corpus();
    // Make the route order differ from the file order: yz-s4 goes first, yz-s1 last.
    for (file, from, to) in
        [("yz-s1.md", "route_order: 1", "route_order: 4"), ("yz-s4.md", "route_order: 4", "route_order: 1")]
    {
        let path = s.lib.root().join("yuzhong/sites").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from));
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }
    let before = snapshot(s.lib.root());
    let report = s.export(&["route", "渝中"]);
    assert_eq!(snapshot(s.lib.root()), before, "the library is never written");
    let files = files_of(&report);
    assert_eq!(PathBuf::from(report["folder"].as_str().unwrap()), s.out().join("展示材料-渝中区路线"));
    assert_eq!(files.len(), 5, "{files:?}");
    for f in &files {
        assert!(f.starts_with(s.out().join("展示材料-渝中区路线")), "{f:?}");
    }

    let lib = s.library();
    let expected_order = ["yz-s4", "yz-s2", "yz-s3", "yz-s1"];
    let sites: Vec<_> = expected_order.iter().map(|id| lib.get(id).unwrap()).collect();
    let mut projects = Vec::new();
    for site in &sites {
        let Meta::Site(m) = &site.meta else { panic!() };
        for p in &m.projects {
            let p = lib.resolve_project(p).unwrap();
            if !projects.iter().any(|q: &&casebook::library::Record| q.id() == p.id()) {
                projects.push(p);
            }
        }
    }
    let writeups: Vec<_> = projects
        .iter()
        .flat_map(|p| lib.writeups_of(p))
        .filter(|w| matches!(lib.type_of(w), Some("经验材料") | Some("典型案例")))
        .collect();
    assert!(writeups.len() >= 6);

    // HTML: strict XML; every site, stop and write-up title; route order; numbers; no script or remote load.
    let html_path = file_with(&files, ".html");
    let html = std::fs::read_to_string(&html_path).unwrap();
    let xml = parse_xml(&html, "HTML");
    assert!(html.contains("@page { size: A4;"));
    assert!(html.contains("break-before: page"));
    assert!(html.contains("\"Noto Serif CJK SC\"") && html.contains("\"SimSun\""), "CJK font fallbacks");
    let csp = xml
        .elements
        .iter()
        .find(|(n, a)| n == "meta" && a.iter().any(|(k, v)| k == "http-equiv" && v == "Content-Security-Policy"));
    let csp = &csp.expect("a CSP meta tag").1;
    assert!(csp.iter().any(|(k, v)| k == "content" && v.contains("default-src 'none'")));
    assert!(xml.elements.iter().filter(|(n, _)| n == "svg").count() >= 5, "inline SVG charts");
    for (name, attrs) in &xml.elements {
        assert!(!["script", "img", "iframe", "object", "embed", "link"].contains(&name.as_str()), "<{name}>");
        for (k, v) in attrs {
            assert!(!k.starts_with("on") && k != "src", "{name} {k}={v}");
            if k == "href" {
                assert!(v.starts_with('#'), "only in-page links in the corpus packet: {v}");
            }
        }
    }
    let mut last = 0;
    for site in &sites {
        let Meta::Site(m) = &site.meta else { panic!() };
        let heading = xml.text[last..].find(site.title()).map(|i| i + last);
        last = heading.unwrap_or_else(|| panic!("{} missing or out of route order", site.title()));
        for stop in &m.stops {
            assert!(xml.text.contains(stop.name.as_deref().unwrap()), "stop {:?}", stop.name);
            assert!(xml.text.contains(stop.presenter.as_deref().unwrap()));
        }
        assert!(xml.text.contains(&format!("{} 分钟", m.total_minutes())));
    }
    for w in &writeups {
        assert!(xml.text.contains(w.title()), "write-up {}", w.title());
    }
    for p in &projects {
        let Meta::Project(m) = &p.meta else { panic!() };
        let summary = project_summary(m);
        assert!(xml.text.contains(&summary.sentence()));
        for c in &summary.indicators {
            assert!(xml.text.contains(&format!("{}（{}）", num(c.before), c.before_period.as_deref().unwrap())));
            assert!(xml.text.contains(&casebook::compare::format_change(c)), "{}", c.name);
        }
        for e in &m.evaluation {
            assert!(xml.text.contains(&format!("样本 {} 人", e.sample.unwrap())), "sample sizes shown");
        }
    }
    assert!(xml.text.contains("接待保障") && xml.text.contains("材料核对清单"));
    // yz-p03 has no 群众评价: flagged on the checklist and reported.
    assert!(report["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("未填报群众评价")));

    // CSV: the numbers equal the comparison module's, in the route's order.
    let rows = read_csv(&file_with(&files, "-数据.csv"));
    let route: Vec<&str> =
        rows.iter().filter(|r| r["类别"] == "调研路线" && !r["编号"].is_empty()).map(|r| r["编号"].as_str()).collect();
    assert_eq!(route, expected_order, "route export orders sites by route_order");
    let mut checked = 0;
    for p in &projects {
        let Meta::Project(m) = &p.meta else { panic!() };
        let summary = project_summary(m);
        let mine: Vec<_> = rows.iter().filter(|r| r["类别"] == "指标对比" && r["编号"] == p.id().unwrap()).collect();
        assert_eq!(mine.len(), summary.indicators.len());
        for (row, c) in mine.iter().zip(&summary.indicators) {
            assert_eq!(row["指标"], c.name);
            assert_eq!(row["单位"], c.unit);
            assert_eq!(row["试点前"], num(c.before));
            assert_eq!(row["试点后"], num(c.after));
            assert_eq!(row["变化"], num(c.change));
            assert_eq!(row["变化率(%)"], num(c.change_pct));
            assert_eq!(row["目标"], num(c.target));
            let met = match c.target_met {
                Some(true) => "是",
                Some(false) => "否",
                None => "",
            };
            assert_eq!(row["是否达标"], met);
            checked += 1;
            let cross = cross_district(&lib, &c.name, None, None).unwrap();
            if cross.rows.len() > 1 {
                for r in &cross.rows {
                    let line = rows
                        .iter()
                        .find(|x| x["类别"] == "横向对比" && x["编号"] == r.project && x["指标"] == r.change.name)
                        .unwrap_or_else(|| panic!("cross row {} {}", r.project, r.change.name));
                    assert_eq!(line["试点后"], num(r.change.after));
                    assert_eq!(line["变化率(%)"], num(r.change.change_pct));
                    assert_eq!(line["区县"], r.district);
                }
            }
        }
        let evaluation: Vec<_> =
            rows.iter().filter(|r| r["类别"] == "群众评价" && r["编号"] == p.id().unwrap()).collect();
        assert_eq!(evaluation.len(), m.evaluation.len());
        for (row, e) in evaluation.iter().zip(&m.evaluation) {
            assert_eq!(row["数值"], num(e.satisfaction));
            assert_eq!(row["样本量"], e.sample.unwrap().to_string());
        }
    }
    assert!(checked >= 6);

    // .docx: a valid package whose XML parses, with the titles, East Asian fonts and the 9704 page.
    let docx = file_with(&files, ".docx");
    // docx-check, through the binary, finds every measurable rule of GB/T 9704 met.
    let checked_9704 = crate::util::casebook(&["docx-check", docx.to_str().unwrap()]);
    assert_eq!(checked_9704.code, 0, "{}{}", checked_9704.stdout, checked_9704.stderr);
    assert!(checked_9704.stdout.contains("不符合 0 项，无法判断 0 项"), "{}", checked_9704.stdout);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    for part in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/styles.xml",
        "word/settings.xml",
        "word/footer1.xml",
        "word/footer2.xml",
        "word/_rels/document.xml.rels",
        "docProps/core.xml",
        "docProps/app.xml",
    ] {
        assert!(names.iter().any(|n| n == part), "{part} missing from {names:?}");
    }
    for name in &names {
        let mut text = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
        parse_xml(&text, name);
    }
    let document = read_zip_part(&docx, "word/document.xml");
    let body = parse_xml(&document, "document.xml");
    // The cover's 版头: the district's 政法委 (the default `issuer`) before the title, in every format.
    let issuer = body.text.find("渝中区委政法委").expect("the issuing organ on the cover");
    assert!(issuer < body.text.find("渝中区调研路线展示材料").unwrap());
    assert!(html.contains("<p class=\"cover-issuer\" style=\"font-size: 30pt\">渝中区委政法委</p>"));
    for w in &writeups {
        assert!(body.text.contains(w.title()), "docx lacks {}", w.title());
    }
    for site in &sites {
        assert!(body.text.contains(site.title()));
    }
    let sect = body.elements.iter().filter(|(n, _)| n == "w:pgMar").collect::<Vec<_>>();
    assert!(!sect.is_empty());
    for (_, attrs) in sect {
        let mm = |key: &str| {
            let twips: f64 = attrs.iter().find(|(k, _)| k == key).unwrap().1.parse().unwrap();
            twips * 25.4 / 1440.0
        };
        for (key, want) in [("w:top", 37.0), ("w:bottom", 35.0), ("w:left", 28.0), ("w:right", 26.0)] {
            assert!((mm(key) - want).abs() < 0.1, "{key} is {} mm", mm(key));
        }
    }
    assert!(document.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    let styles = read_zip_part(&docx, "word/styles.xml");
    for font in ["仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"] {
        assert!(styles.contains(&format!("w:eastAsia=\"{font}\"")), "eastAsia {font}");
    }
    assert!(styles.contains("w:firstLineChars=\"200\"") && styles.contains("w:line=\"579\" w:lineRule=\"exact\""));
    assert!(styles.contains("<w:sz w:val=\"44\"/>") && styles.contains("<w:sz w:val=\"32\"/>"), "2号 title, 3号 body");
    // GB/T 9704: odd page numbers at the right, even ones at the left, one character (320 twips) in.
    for (part, side, indent) in
        [("word/footer1.xml", "right", "w:right=\"320\""), ("word/footer2.xml", "left", "w:left=\"320\"")]
    {
        let footer = read_zip_part(&docx, part);
        assert!(footer.contains(" PAGE ") && footer.contains("— ") && footer.contains(" —"), "{part}");
        assert!(footer.contains("w:eastAsia=\"宋体\"") && footer.contains("<w:sz w:val=\"28\"/>"), "{part}");
        assert!(footer.contains(&format!("<w:jc w:val=\"{side}\"/>")) && footer.contains(indent), "{part}: {footer}");
    }
    assert!(document.contains("<w:footerReference w:type=\"even\" r:id=\"rIdFooter2\"/>"));
    let settings = read_zip_part(&docx, "word/settings.xml");
    assert!(settings.contains("<w:evenAndOddHeaders/>") && settings.contains("<w:updateFields w:val=\"true\"/>"));
    // 22 × 28: a line grid of 579 twips, and 16 pt characters condensed so that 28 fill the 156 mm type area
    // (a character grid would give each character two cells in LibreOffice).
    let grid = body.elements.iter().filter(|(n, _)| n == "w:docGrid").collect::<Vec<_>>();
    assert!(!grid.is_empty());
    for (_, attrs) in grid {
        let get = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        assert_eq!((get("w:type"), get("w:linePitch")), (Some("lines"), Some("579")));
    }
    let styles_xml = read_zip_part(&docx, "word/styles.xml");
    let defaults = &styles_xml[..styles_xml.find("</w:docDefaults>").unwrap()];
    let spacing: f64 =
        defaults.split("<w:spacing w:val=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let pitch_pt = 16.0 + spacing / 20.0;
    let text_width_pt = (11906.0 - 1587.0 - 1474.0) / 20.0;
    assert_eq!((text_width_pt / pitch_pt).floor(), 28.0, "{} characters per line", text_width_pt / pitch_pt);

    // Markdown holds the same titles.
    let md = std::fs::read_to_string(file_with(&files, ".md")).unwrap();
    assert!(md.starts_with("渝中区委政法委\n\n# 渝中区调研路线展示材料"));
    assert!(md.contains("| 序号 | 点位 | 内容 | 讲解人 | 时长（分钟） |"));

    // manifest.json: the records used and every other file with its size and SHA-256.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file_with(&files, "manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["kind"], "route");
    assert_eq!(manifest["target"], "渝中区");
    let records: Vec<&str> =
        manifest["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    for id in expected_order.iter().chain(&["yz-p01", "yz-p02", "yz-p03"]) {
        assert!(records.contains(id), "{id} not in manifest records");
    }
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), 4);
    for f in listed {
        let path = html_path.parent().unwrap().join(f["name"].as_str().unwrap());
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(f["bytes"].as_u64().unwrap() as usize, bytes.len());
        let hex: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(f["sha256"], hex.as_str());
    }
}

/// A write-up body full of payloads.
const HOSTILE: &str = r#"## 一、背景

<script>alert('x')</script>

正文<img src="x" onerror="alert(1)">结束。<svg onload=alert(2)></svg>

[点我](javascript:alert(3)) [再点](JaVaScRiPt:alert(4)) [数据](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:msgbox)

<a href="javascript:alert(5)">原始链接</a> <iframe src="http://evil.example/frame"></iframe>

![现场照片](http://evil.example/photo.png) ![本地](images/local.png "标题")

[正常链接](https://example.org/report) [邮件](mailto:office@example.org)
"#;

fn hostile_library() -> TempLibrary {
    let lib = TempLibrary::new();
    lib.file(
        "p/project.md",
        "---\nkind: project\nid: hp\nname: 测试项目\ndistrict: 渝中区\nthemes: [社会矛盾]\nclaimed: 2020\nindicators:\n  - name: 信访总量\n    unit: 件\n    better: lower\n    before: {period: \"2019\", value: 100}\n    after: {period: \"2021\", value: 60}\nevaluation:\n  - {period: \"2021\", satisfaction: 90, sample: 500}\n---\n项目简介<script>alert(6)</script>\n",
    );
    lib.writeup("p/w1.md", "hw1", "渝中区", "project: hp\ntype: 经验材料\n", HOSTILE);
    lib.writeup("p/w2.md", "hw2", "渝中区", "project: hp\ntype: 典型案例\n", "案例<b onmouseover=alert(7)>正文</b>");
    lib.file(
        "s/site.md",
        "---\nkind: site\nid: hs\nname: 测试点<script>\ndistrict: 渝中区\nprojects: [hp]\nroute_order: 1\nstops:\n  - {name: 大厅<img src=x>, what: 演示, minutes: 10, presenter: 主任}\n---\n解说词 <script>alert(8)</script> [链接](javascript:alert(9))\n",
    );
    lib
}

#[test]
fn hostile_writeups_export_inert() {
    let lib = hostile_library();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_string_lossy().into_owned();
    let report = lib.json(&["export", "site", "hs", "--out", &dir, "--json"]);
    let files = files_of(&report);
    // hp has one 经验材料: flagged on the checklist and reported.
    let warnings: Vec<&str> = report["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert!(warnings.iter().any(|w| w.contains("测试项目") && w.contains("不足两篇")), "{warnings:?}");

    let html = std::fs::read_to_string(file_with(&files, ".html")).unwrap();
    let xml = parse_xml(&html, "HTML");
    let hrefs: Vec<&str> = xml
        .elements
        .iter()
        .flat_map(|(_, attrs)| attrs.iter().filter(|(k, _)| k == "href").map(|(_, v)| v.as_str()))
        .collect();
    for (name, attrs) in &xml.elements {
        assert!(
            !["script", "img", "iframe", "svg:script", "object", "embed", "a:script"].contains(&name.as_str()),
            "<{name}> emitted"
        );
        for (k, v) in attrs {
            assert!(!k.to_ascii_lowercase().starts_with("on"), "event handler {k}={v} on <{name}>");
            assert!(k != "src" && k != "srcset" && k != "xlink:href", "{name} {k}={v}");
            assert!(!v.to_ascii_lowercase().contains("javascript:") || (name == "meta"), "{name} {k}={v}");
        }
    }
    for href in &hrefs {
        assert!(
            href.starts_with('#')
                || href.starts_with("https://")
                || href.starts_with("http://")
                || href.starts_with("mailto:"),
            "href {href}"
        );
    }
    assert!(hrefs.contains(&"https://example.org/report") && hrefs.contains(&"mailto:office@example.org"));
    assert!(!hrefs.iter().any(|h| h.contains("evil.example")), "a remote image never becomes a link or a load");
    // The payloads are shown as the text they are.
    assert!(xml.text.contains("<script>alert('x')</script>"));
    assert!(xml.text.contains("<img src=\"x\" onerror=\"alert(1)\">"));
    assert!(xml.text.contains("［图片：现场照片（http://evil.example/photo.png）］"));
    assert!(xml.text.contains("点我") && xml.text.contains("原始链接"));
    assert!(xml.text.contains("测试点<script>"));
    // Only the site's own SVG charts: the SVG in the write-up is text.
    assert!(!html.contains("<svg onload"));

    // .docx: the same text, escaped, in XML that parses; the only hyperlinks are the safe ones.
    let docx = file_with(&files, ".docx");
    let document = read_zip_part(&docx, "word/document.xml");
    let body = parse_xml(&document, "document.xml");
    assert!(body.text.contains("<script>alert('x')</script>"));
    let rels = read_zip_part(&docx, "word/_rels/document.xml.rels");
    let rels_xml = parse_xml(&rels, "document.xml.rels");
    let targets: Vec<&str> = rels_xml
        .elements
        .iter()
        .filter(|(_, a)| a.iter().any(|(k, v)| k == "TargetMode" && v == "External"))
        .flat_map(|(_, a)| a.iter().filter(|(k, _)| k == "Target").map(|(_, v)| v.as_str()))
        .collect();
    assert_eq!(targets, ["https://example.org/report", "mailto:office@example.org"]);

    // Markdown: read back with a CommonMark parser, it has no raw HTML, no images and only safe links.
    let md = std::fs::read_to_string(file_with(&files, ".md")).unwrap();
    for event in pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES) {
        match event {
            pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => {
                panic!("raw HTML in Markdown: {h}")
            }
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Image { dest_url, .. }) => panic!("image {dest_url}"),
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { dest_url, .. }) => {
                assert!(casebook::export::allowed_link(&dest_url), "link {dest_url}");
            }
            _ => {}
        }
    }
    assert!(md.contains("alert"), "payload text kept as text");
}

/// A clerk types the structure of a 公文 as in Word, with no Markdown: each line a paragraph, 一、/（一）/1． lines
/// headings of their rank. The HTML and the .docx show them as headings (GB/T 9704 heading styles in the .docx).
#[test]
fn typed_numbering_is_a_heading_in_html_and_docx() {
    let lib = TempLibrary::new();
    lib.file(
        "p/project.md",
        "---\nkind: project\nid: tp\nname: 院坝议事\ndistrict: 渝中区\nthemes: [社会矛盾]\nclaimed: 2020\n---\n简介\n",
    );
    let body = "一、背景\n七星岗街道老旧小区多。\n居民诉求集中。\n（一）建立议事会\n1．每月一次\n（二）“板凳会”议事。居民围坐，当场议定。";
    lib.writeup("p/w1.md", "tw1", "渝中区", "project: tp\ntype: 经验材料\n", body);
    lib.file(
        "s/site.md",
        "---\nkind: site\nid: ts\nname: 七星岗\ndistrict: 渝中区\nprojects: [tp]\nroute_order: 1\n---\n解说词\n",
    );
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_string_lossy().into_owned();
    let report = lib.json(&["export", "site", "ts", "--out", &dir, "--format", "html,docx", "--json"]);
    let files = files_of(&report);

    let html = std::fs::read_to_string(file_with(&files, ".html")).unwrap();
    for expected in ["<h2>一、背景</h2>", "<h3>（一）建立议事会</h3>", "<h4>1．每月一次</h4>"] {
        assert!(html.contains(expected), "{expected} missing from the HTML");
    }
    assert!(
        html.contains("<p>七星岗街道老旧小区多。</p>") && html.contains("<p>居民诉求集中。</p>"),
        "a line is a paragraph"
    );
    assert!(html.contains("<strong>（二）“板凳会”议事。</strong>居民围坐"), "run-in lead in bold");

    let docx = read_zip_part(&file_with(&files, ".docx"), "word/document.xml");
    assert!(parse_xml(&docx, "document.xml").text.contains("一、背景"));
    let styled = |style: &str, text: &str| {
        docx.split("<w:p>").any(|p| p.contains(&format!("<w:pStyle w:val=\"{style}\"/>")) && p.contains(text))
    };
    assert!(styled("Heading2", "一、背景"), "一、背景 is not a Heading2 paragraph");
    assert!(styled("Heading3", "（一）建立议事会"), "（一） is not a Heading3 paragraph");
    assert!(styled("Heading4", "1．每月一次"), "1． is not a Heading4 paragraph");
}

#[test]
fn collection_pack_in_order_with_notes_and_questions() {
    let s = Setup::corpus();
    let lib = s.library();
    let col = lib.get("col-fengqiao").unwrap();
    let Meta::Collection(c) = &col.meta else { panic!() };
    let report = s.export(&["collection", "col-fengqiao", "--format", "html,docx"]);
    let files = files_of(&report);
    assert!(!files.iter().any(|f| f.to_string_lossy().ends_with(".md")), "only the formats asked for");
    assert!(
        files.iter().any(|f| f.to_string_lossy().ends_with(".csv"))
            && files.iter().any(|f| f.ends_with("manifest.json"))
    );

    let html = std::fs::read_to_string(file_with(&files, ".html")).unwrap();
    let xml = parse_xml(&html, "HTML");
    assert!(xml.text.contains("目录"));
    // The items follow the collection's order, each title followed by the trainer's note.
    let study = xml.text.find("第二部分").unwrap();
    let mut at = study;
    for item in &c.items {
        let w = lib.get(item.id.as_deref().unwrap()).unwrap();
        assert_eq!(w.kind(), Kind::Writeup);
        let title =
            xml.text[at..].find(w.title()).map(|i| i + at).unwrap_or_else(|| panic!("{} out of order", w.title()));
        let note = item.note.as_deref().unwrap();
        let note_at = xml.text[title..].find(note).map(|i| i + title).expect("note after its title");
        at = note_at;
    }
    // The discussion questions, numbered, after the items.
    let questions_at = xml.text[at..].find("研讨题").map(|i| i + at).expect("研讨题 part after the items");
    for q in &c.questions {
        assert!(xml.text[questions_at..].contains(q.as_str()), "{q}");
    }
    let ol_items = xml.elements.iter().filter(|(n, _)| n == "li").count();
    assert!(ol_items >= c.items.len() + c.questions.len());

    let document = read_zip_part(&file_with(&files, ".docx"), "word/document.xml");
    let body = parse_xml(&document, "document.xml");
    for (i, q) in c.questions.iter().enumerate() {
        assert!(body.text.contains(&format!("{}．{q}", i + 1)), "docx question {i}");
    }
    for item in &c.items {
        assert!(body.text.contains(item.note.as_deref().unwrap()));
    }

    // --zip: one archive holding the folder.
    let report = s.export(&["collection", "col-fengqiao", "--zip"]);
    let zip_path = PathBuf::from(report["archive"].as_str().unwrap());
    assert!(zip_path.exists() && zip_path.extension().unwrap() == "zip");
    let zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    let folder = zip_path.file_stem().unwrap().to_string_lossy().into_owned();
    for ext in [".html", ".docx", ".md", "-数据.csv"] {
        assert!(names.contains(&format!("{folder}/{folder}{ext}")), "{ext} in {names:?}");
    }
    assert!(names.contains(&format!("{folder}/manifest.json")));
}

#[test]
fn single_site_and_plain_output() {
    let s = Setup::corpus();
    let out = s.out().to_string_lossy().into_owned();
    let run = s.lib.run(&["export", "site", "jj-s1", "--out", &out, "--format", "md"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("已导出") && run.stdout.contains("写入") && run.stdout.contains(".md"),
        "{}",
        run.stdout
    );
    let lib = s.library();
    let site = lib.get("jj-s1").unwrap();
    let folder = s.out().join(format!("展示材料-{}", site.title()));
    let md = std::fs::read_to_string(folder.join(format!("展示材料-{}.md", site.title()))).unwrap();
    let Meta::Site(m) = &site.meta else { panic!() };
    for stop in &m.stops {
        assert!(md.contains(stop.name.as_deref().unwrap()));
    }
    assert!(md.contains("解说词"));
    assert!(!folder.join(format!("展示材料-{}.html", site.title())).exists());
}

#[test]
fn unknown_targets_and_refused_folders() {
    let s = Setup::corpus();
    let out = s.out().to_string_lossy().into_owned();
    let cases: [(&[&str], &str); 6] = [
        (&["site", "nope"], "没有 id 为 “nope” 的调研点"),
        (&["site", "yz-p01"], "不是调研点"),
        (&["route", "火星区"], "未知区县 “火星区”"),
        (&["route", "城口"], "城口县还没有调研点"),
        (&["collection", "nope"], "没有 id 为 “nope” 的学习专辑"),
        (&["collection", "yz-p01-1"], "不是学习专辑"),
    ];
    for (args, message) in cases {
        let mut all = vec!["export"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--out", &out]);
        let run = s.lib.run(&all);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
    assert_eq!(std::fs::read_dir(s.out()).unwrap().count(), 0, "nothing written for an unknown target");

    let before = snapshot(s.lib.root());
    let inside = s.lib.root().join("exports").to_string_lossy().into_owned();
    let run = s.lib.run(&["export", "route", "渝中区", "--out", &inside]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("不能导出到资料库文件夹内"), "{}", run.stderr);
    assert_eq!(snapshot(s.lib.root()), before);
    assert!(!s.lib.root().join("exports").exists());
}
