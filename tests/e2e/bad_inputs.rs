//! The bad-input catalogue (`tests/bad_inputs/catalogue.json`): every case is fed to the real binary on a fresh
//! temporary library. Each must end with its expected exit code and message, never a panic, and a refused input
//! must leave the library's files as they were. Big inputs (20 MB files, bombs, a 100k-character query) are
//! generated here at run time, never committed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::util::{
    Output, ScanEncoding, TempLibrary, casebook_env, pdf_without_text, png_header_only, scanned_pdf, xlsx,
};

#[derive(Debug, Clone)]
struct Case {
    name: String,
    feed: String,
    input: String,
    exit: i32,
    expect: Vec<String>,
    id: Option<String>,
    search: Option<(String, String)>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

fn catalogue() -> Vec<Case> {
    let text = std::fs::read_to_string(dir().join("catalogue.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let strings = |c: &serde_json::Value, key: &str| -> Vec<String> {
        c[key].as_array().map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect()).unwrap_or_default()
    };
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().into(),
            feed: c["feed"].as_str().unwrap().into(),
            input: c["input"].as_str().unwrap().into(),
            exit: c["exit"].as_i64().unwrap() as i32,
            expect: strings(c, "expect"),
            id: c["id"].as_str().map(String::from),
            search: c["search"]
                .as_object()
                .map(|s| (s["query"].as_str().unwrap().into(), s["id"].as_str().unwrap().into())),
        })
        .collect()
}

fn cases(feed: &str) -> Vec<Case> {
    catalogue().into_iter().filter(|c| c.feed == feed).collect()
}

/// A library with one project and its two write-ups.
fn base_library() -> TempLibrary {
    let lib = TempLibrary::new();
    lib.file(
        "yuzhong/yz-p01/project.md",
        "---\nkind: project\nid: yz-p01\nname: 楼栋党小组院落议事机制\ndistrict: 渝中区\nthemes: [党委领导, 自治强基]\n---\n项目简介。\n",
    );
    for i in 1..=2 {
        lib.writeup(
            &format!("yuzhong/yz-p01/yz-p01-{i}.md"),
            &format!("yz-p01-{i}"),
            "渝中区",
            "project: yz-p01\n",
            &format!("综治中心正文{i}。"),
        );
    }
    lib
}

/// Every file outside hidden folders, with a hash of its bytes.
fn records_snapshot(root: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            (rel, format!("{:x}", Sha256::digest(std::fs::read(e.path()).unwrap())))
        })
        .collect()
}

/// The bytes of a committed input, or of one generated here.
fn input_bytes(case: &Case) -> Vec<u8> {
    match case.input.strip_prefix("generated:") {
        None => std::fs::read(dir().join(&case.input)).unwrap(),
        Some("big-20mb") => {
            let mut b =
                b"---\nid: big\ntitle: big\ndistrict: \xe6\xb8\x9d\xe4\xb8\xad\xe5\x8c\xba\nyear: 2021\n---\n".to_vec();
            b.resize(20 * 1024 * 1024, b'x');
            b
        }
        Some("huge-front-matter") => {
            let mut s = String::from("---\nid: huge\ntitle: 标题\ndistrict: 渝中区\nyear: 2021\n");
            for i in 0..100_000 {
                s.push_str(&format!("k{i}: 一段二十个字的取值一段二十个字的取值一段二十个字\n"));
            }
            s.push_str("---\n正文\n");
            s.into_bytes()
        }
        Some("import-20mb") => "综治中心网格员走访群众。\n".repeat(20 * 1024 * 1024 / 37 + 1).into_bytes(),
        Some("docx-bomb") => docx_bomb(),
        Some("pdf-bomb") => pdf_bomb(),
        Some("pdf-no-text") => pdf_without_text(),
        Some("pdf-scan-jbig2") => {
            let page = image::GrayImage::from_pixel(200, 300, image::Luma([255]));
            scanned_pdf(&[(&page, ScanEncoding::Jbig2)])
        }
        Some("image-100-megapixels") => png_header_only(12_000, 10_000),
        Some("image-not-an-image") => "这不是图片，只是改了扩展名的文本。\n".as_bytes().to_vec(),
        Some("image-blank-page") => {
            let mut out = std::io::Cursor::new(Vec::new());
            image::GrayImage::from_pixel(800, 1100, image::Luma([250]))
                .write_to(&mut out, image::ImageFormat::Png)
                .unwrap();
            out.into_inner()
        }
        Some("pdf-not-a-pdf") => "这不是 PDF，只是改了扩展名的文本。\n".as_bytes().to_vec(),
        Some("xlsx-billion-cells") => xlsx(&[("A1", "指标"), ("XFD1048576", "98.6")]),
        Some("xlsx-too-many-cells") => {
            let cells: Vec<(String, String)> = (1..=250_000).map(|i| (format!("A{i}"), i.to_string())).collect();
            xlsx(&cells.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>())
        }
        Some("xlsx-not-a-workbook") => "这不是表格。\n".as_bytes().to_vec(),
        Some("xlsx-damaged") => {
            let mut buf = std::io::Cursor::new(Vec::new());
            let mut zip = zip::ZipWriter::new(&mut buf);
            zip.start_file("readme.txt", zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(b"no workbook here").unwrap();
            zip.finish().unwrap();
            buf.into_inner()
        }
        Some(other) => panic!("{}: no generator for {other}", case.name),
    }
}

/// The file name the input gets when placed somewhere (generated inputs are named after the case).
fn input_name(case: &Case) -> String {
    match case.input.strip_prefix("generated:") {
        Some("import-20mb") => "big.txt".into(),
        Some("docx-bomb") => "bomb.docx".into(),
        Some(g) if g.starts_with("pdf-") => format!("{g}.pdf"),
        Some(g) if g.starts_with("xlsx-") => format!("{g}.xlsx"),
        Some(g) if g.starts_with("image-") => format!("{g}.png"),
        Some(_) => format!("{}.md", case.name),
        None => Path::new(&case.input).file_name().unwrap().to_string_lossy().into_owned(),
    }
}

/// A well-formed .docx whose document.xml inflates to 100 MB of one paragraph.
fn docx_bomb() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#).unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>"#).unwrap();
    let filler = vec![b'a'; 1024 * 1024];
    for _ in 0..100 {
        zip.write_all(&filler).unwrap();
    }
    zip.write_all(b"</w:t></w:r></w:p></w:body></w:document>").unwrap();
    zip.finish().unwrap();
    buf.into_inner()
}

/// A PDF whose one stream inflates to 300 MB of zeros.
fn pdf_bomb() -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..300 {
        enc.write_all(&zeros).unwrap();
    }
    let data = enc.finish().unwrap();
    let mut pdf =
        format!("%PDF-1.4\n1 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n", data.len()).into_bytes();
    pdf.extend_from_slice(&data);
    pdf.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    pdf
}

/// A bundle whose one record inflates to 120 MB (the manifest says so, and the reader must stop early).
fn zip_bomb(path: &Path) {
    let size: u64 = 120 * 1024 * 1024;
    let m = serde_json::json!({"format": "casebook-bundle", "version": 1, "created": "x", "district": "渝中区",
        "entries": [{"path": "yuzhong/bomb.md", "id": "yz-bomb", "kind": "writeup", "title": "炸弹",
        "sha256": "0".repeat(64), "size": size}]});
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("manifest.json", options).unwrap();
    zip.write_all(&serde_json::to_vec(&m).unwrap()).unwrap();
    zip.start_file("yuzhong/bomb.md", options).unwrap();
    let filler = vec![b' '; 1024 * 1024];
    for _ in 0..size / filler.len() as u64 {
        zip.write_all(&filler).unwrap();
    }
    zip.finish().unwrap();
}

fn run(lib: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let root = lib.to_string_lossy().into_owned();
    let mut all = vec!["--library", root.as_str()];
    all.extend_from_slice(args);
    casebook_env(&all, env)
}

/// The checks every case shares: no panic, the exit code, every expected substring. Failures are collected so
/// that one run lists every case that is wrong.
fn verify(case: &Case, what: &str, o: &Output, failures: &mut Vec<String>) {
    let all = format!("{}\n{}", o.stdout, o.stderr);
    if all.contains("panicked") || o.code == 101 {
        failures.push(format!("{} ({what}): PANIC\n{all}", case.name));
        return;
    }
    if o.code != case.exit {
        failures.push(format!("{} ({what}): exit {} instead of {}\n{all}", case.name, o.code, case.exit));
    }
    for e in &case.expect {
        if !all.contains(e.as_str()) {
            failures.push(format!("{} ({what}): missing “{e}” in\n{all}", case.name));
        }
    }
}

fn no_panic(case: &Case, what: &str, o: &Output, failures: &mut Vec<String>) {
    if o.stderr.contains("panicked") || o.code == 101 {
        failures.push(format!("{} ({what}): PANIC\n{}", case.name, o.stderr));
    }
}

fn report(feed: &str, failures: Vec<String>) {
    assert!(failures.is_empty(), "{} failure(s) in the {feed} catalogue:\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn the_catalogue_is_complete() {
    let all = catalogue();
    assert!(all.len() >= 40, "only {} cases", all.len());
    let mut names = std::collections::HashSet::new();
    for c in &all {
        assert!(names.insert(c.name.clone()), "case {} twice", c.name);
        assert!(!c.expect.is_empty(), "{}: no expected message", c.name);
    }
    // Every committed input is in the catalogue (fuzz regressions are used by unit tests instead).
    let listed: std::collections::HashSet<&str> = all.iter().map(|c| c.input.as_str()).collect();
    for e in walkdir::WalkDir::new(dir()).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let rel = e.path().strip_prefix(dir()).unwrap().to_string_lossy().replace('\\', "/");
        if rel == "catalogue.json" || rel == "README.md" || rel.starts_with("fuzz/") {
            continue;
        }
        assert!(listed.contains(rel.as_str()), "{rel} is not in the catalogue");
    }
}

#[test]
fn library_files() {
    let mut failures = Vec::new();
    for case in cases("check") {
        let lib = base_library();
        lib.file(&format!("bad/{}", input_name(&case)), input_bytes(&case));
        let before = records_snapshot(lib.root());
        let o = run(lib.root(), &["check"], &[]);
        verify(&case, "check", &o, &mut failures);
        // The rest of the library still indexes and answers a search.
        let o = run(lib.root(), &["index"], &[]);
        no_panic(&case, "index", &o, &mut failures);
        if o.code != 0 {
            failures.push(format!("{}: index failed\n{o:?}", case.name));
        }
        let (query, id) = case.search.clone().unwrap_or(("综治中心".into(), "yz-p01-1".into()));
        let o = run(lib.root(), &["search", &query, "--json"], &[]);
        no_panic(&case, "search", &o, &mut failures);
        if !o.stdout.contains(&format!("\"id\": \"{id}\"")) && !o.stdout.contains(&format!("\"id\":\"{id}\"")) {
            failures.push(format!("{}: search {query} does not find {id}\n{o:?}", case.name));
        }
        if records_snapshot(lib.root()) != before {
            failures.push(format!("{}: check/index/search changed a library file", case.name));
        }
    }
    report("check", failures);
}

#[test]
fn import_files() {
    let mut failures = Vec::new();
    let sources = tempfile::tempdir().unwrap();
    for case in cases("import") {
        let lib = base_library();
        let file = sources.path().join(format!("{}-{}", case.name, input_name(&case)));
        std::fs::write(&file, input_bytes(&case)).unwrap();
        let before = records_snapshot(lib.root());
        let o = run(lib.root(), &["import", "--district", "渝中", "--year", "2021", file.to_str().unwrap()], &[]);
        verify(&case, "import", &o, &mut failures);
        if case.exit == 0 {
            // Read safely: the library that results is sound.
            let checked = run(lib.root(), &["check"], &[]);
            if checked.code != 0 {
                failures
                    .push(format!("{}: the import left a library that check refuses\n{}", case.name, checked.stdout));
            }
        } else if records_snapshot(lib.root()) != before {
            failures.push(format!("{}: a refused import changed the library", case.name));
        }
    }
    report("import", failures);
}

#[test]
fn bundles() {
    let mut failures = Vec::new();
    let sources = tempfile::tempdir().unwrap();
    for case in cases("bundle") {
        let lib = base_library();
        let file = sources.path().join(format!("{}.zip", case.name));
        match case.input.as_str() {
            "generated:zip-bomb" => zip_bomb(&file),
            _ => std::fs::write(&file, input_bytes(&case)).unwrap(),
        }
        for extra in [&["--dry-run"][..], &[], &["--accept-changed"]] {
            let before = records_snapshot(lib.root());
            let mut args = vec!["bundle", "import", file.to_str().unwrap()];
            args.extend_from_slice(extra);
            let o = run(lib.root(), &args, &[]);
            verify(&case, &format!("bundle import {extra:?}"), &o, &mut failures);
            if records_snapshot(lib.root()) != before {
                failures.push(format!("{}: a refused bundle changed the library", case.name));
            }
        }
    }
    assert!(!Path::new("/tmp/casebook-evil.md").exists(), "zip-slip escaped");
    report("bundle", failures);
}

#[test]
fn search_queries() {
    let mut failures = Vec::new();
    let lib = base_library();
    assert_eq!(run(lib.root(), &["index"], &[]).code, 0);
    for case in cases("search") {
        let words: Vec<String> = match case.input.as_str() {
            // One argument may not exceed 128 KB on Linux: ten arguments of 10 000 characters each.
            "generated:query-100k" => {
                (0..10).map(|_| "综治中心网格员走访".repeat(1112)[..].chars().take(10_000).collect()).collect()
            }
            _ => vec![String::from_utf8(input_bytes(&case)).unwrap()],
        };
        assert!(
            case.input != "generated:query-100k" || words.iter().map(|w| w.chars().count()).sum::<usize>() == 100_000
        );
        let mut args = vec!["search", "--"];
        args.extend(words.iter().map(String::as_str));
        let started = std::time::Instant::now();
        let o = run(lib.root(), &args, &[]);
        verify(&case, "search", &o, &mut failures);
        if started.elapsed() > std::time::Duration::from_secs(20) {
            failures.push(format!("{}: search took {:?}", case.name, started.elapsed()));
        }
    }
    report("search", failures);
}

/// Every text inside the export folder, .docx parts unpacked, lower-cased.
fn exported_text(out: &Path) -> Vec<(String, String)> {
    let mut texts = Vec::new();
    for e in walkdir::WalkDir::new(out).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let name = e.path().to_string_lossy().into_owned();
        if name.ends_with(".docx") || name.ends_with(".zip") {
            let mut zip = zip::ZipArchive::new(std::fs::File::open(e.path()).unwrap()).unwrap();
            for i in 0..zip.len() {
                let mut f = zip.by_index(i).unwrap();
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
                texts.push((
                    format!("{name}!{}", f.name().unwrap_or_default()),
                    String::from_utf8_lossy(&bytes).to_lowercase(),
                ));
            }
        } else {
            texts.push((name, String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).to_lowercase()));
        }
    }
    texts
}

/// Markup that would run or load something when the file is opened: a raw (unescaped) `<script>`, `<iframe>`,
/// `<object>`, `<embed>` or `<frame>` tag, an `on…=` attribute inside a raw tag, or a `javascript:`,
/// `vbscript:` or `data:text/html` URL as an attribute value or a Markdown link target. Text that merely shows
/// such markup (escaped as `&lt;script` in HTML and XML, `\<script` in Markdown) is fine. `text` is lower-case.
fn active_markup(text: &str) -> Vec<String> {
    const TAGS: [&str; 5] = ["script", "iframe", "object", "embed", "frame"];
    const URLS: [&str; 3] = ["javascript:", "vbscript:", "data:text/html"];
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('<') {
        if i > 0 && bytes[i - 1] == b'\\' {
            continue;
        }
        let tag = &text[i + 1..];
        let end = tag.find('>').unwrap_or(tag.len());
        let tag = &tag[..end];
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == ':').collect();
        if TAGS.contains(&name.as_str()) {
            found.push(format!("<{name}"));
        }
        let attrs = tag.replace(['"', '\''], " ");
        for word in attrs.split(|c: char| c.is_whitespace()) {
            if word.starts_with("on")
                && word.contains('=')
                && word[2..]
                    .split('=')
                    .next()
                    .is_some_and(|n| n.chars().all(|c| c.is_ascii_alphabetic()) && !n.is_empty())
            {
                found.push(format!("{word} in <{name}>"));
            }
            let value = word.split_once('=').map(|(_, v)| v).unwrap_or(word);
            if URLS.iter().any(|u| value.trim_start().starts_with(u)) {
                found.push(format!("{value} in <{name}>"));
            }
        }
    }
    for url in URLS {
        if text.contains(&format!("]({url}")) || text.contains(&format!("]( {url}")) {
            found.push(format!("]({url}"));
        }
    }
    found
}

#[test]
fn the_markup_detector_sees_what_it_must() {
    assert_eq!(active_markup("<p>a</p><script>x</script>"), ["<script"]);
    assert!(!active_markup("<img src=x onerror=alert(1)>").is_empty());
    assert!(!active_markup("<a href=\"javascript:alert(1)\">x</a>").is_empty());
    assert!(!active_markup("[x](javascript:alert(1))").is_empty());
    assert!(active_markup("&lt;script&gt; \\<script\\> <p class=\"x\">javascript: 文字</p>").is_empty());
}

#[test]
fn hostile_markdown_in_exports() {
    let mut failures = Vec::new();
    for case in cases("export") {
        let lib = TempLibrary::new();
        let id = case.id.clone().unwrap();
        lib.file(&format!("x/{}", input_name(&case)), input_bytes(&case));
        lib.file(
            "collections/col-x.md",
            format!("---\nkind: collection\nid: col-x\ntitle: 测试专辑\nitems:\n  - {{id: {id}, note: 看做法}}\n---\n导言。\n"),
        );
        let out = tempfile::tempdir().unwrap();
        for zip in [false, true] {
            let mut args = vec!["export", "collection", "col-x", "--out", out.path().to_str().unwrap()];
            if zip {
                args.push("--zip");
            }
            let o = run(lib.root(), &args, &[]);
            verify(&case, "export", &o, &mut failures);
        }
        let texts = exported_text(out.path());
        if texts.len() < 5 {
            failures.push(format!("{}: only {} files exported", case.name, texts.len()));
        }
        for (file, text) in &texts {
            // manifest.json and the CSV are data, never rendered: a title is kept there as written.
            if file.ends_with(".json") || file.ends_with(".csv") {
                continue;
            }
            for found in active_markup(text) {
                failures.push(format!("{}: active markup “{found}” in {file}", case.name));
            }
        }
    }
    report("export", failures);
}

/// Runs a command as the unprivileged user `nobody` (through `setpriv`) when the tests run as root, who may
/// write anywhere; `None` when that is not possible.
fn as_nobody(args: &[&str]) -> Option<Output> {
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_casebook")])
        .args(args)
        .env_remove("CASEBOOK_LIBRARY")
        .output()
        .ok()?;
    Some(Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

fn is_root() -> bool {
    std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A 1 MB tmpfs, unmounted when dropped.
struct TinyFs {
    dir: tempfile::TempDir,
}

impl TinyFs {
    fn mount() -> Option<TinyFs> {
        let dir = tempfile::tempdir().ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.path().to_str()?])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(TinyFs { dir })
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn environment() {
    let mut failures = Vec::new();
    let sources = tempfile::tempdir().unwrap();
    for case in cases("environment") {
        let lib = base_library();
        let root = lib.root().to_path_buf();
        let kind = case.input.strip_prefix("generated:").unwrap();
        if kind == "library-bad-config" {
            lib.file("casebook.yaml", "districts: [渝中区\n");
        }
        if kind == "library-saved-search-twice" {
            lib.file(
                "casebook.yaml",
                "saved_searches:\n  - {name: 调解, query: 调解}\n  - {name: 调解, query: 院落}\n",
            );
        }
        let before = records_snapshot(&root);
        let new_args = ["new", "writeup", "--title", "新材料", "--district", "渝中", "--year", "2021"];
        let o = match kind {
            "library-missing" => run(&root.join("不存在"), &["check"], &[]),
            "library-is-file" => run(&root.join("yuzhong/yz-p01/project.md"), &["check"], &[]),
            "library-bad-config" | "library-saved-search-twice" => run(&root, &["check"], &[]),
            "cli-saved-search-unknown" => run(&root, &["search", "--saved", "不存在"], &[]),
            "cli-docx-check-not-docx" => {
                let outside = tempfile::tempdir().unwrap();
                let file = outside.path().join("不是.docx");
                std::fs::write(&file, "这只是一段文字，不是 Word 文档。").unwrap();
                run(&root, &["docx-check", file.to_str().unwrap()], &[])
            }
            "cli-unknown-argument" => run(&root, &["search", "调解", "--bogus"], &[]),
            "cli-bad-value" => {
                run(&root, &["new", "writeup", "--title", "x", "--district", "渝中", "--year", "明年"], &[])
            }
            "cli-unknown-command" => run(&root, &["serch", "调解"], &[]),
            "cli-missing-argument" => run(&root, &["import"], &[]),
            "library-read-only" | "library-read-only-search" => {
                let set = |mode: u32| {
                    use std::os::unix::fs::PermissionsExt;
                    for e in walkdir::WalkDir::new(&root).into_iter().filter_map(Result::ok) {
                        let m = if e.file_type().is_dir() { mode | 0o111 } else { mode };
                        std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(m)).unwrap();
                    }
                };
                set(0o444);
                let root_str = root.to_string_lossy().into_owned();
                let mut args = vec!["--library", root_str.as_str()];
                if kind == "library-read-only" {
                    args.extend_from_slice(&new_args);
                } else {
                    args.extend_from_slice(&["search", "综治中心"]);
                }
                let o = if is_root() {
                    // The temporary folder's parent is private to root; let `nobody` in to read.
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o555)).unwrap();
                    match as_nobody(&args) {
                        Some(o) => o,
                        None => {
                            eprintln!("note: {}: running as root without setpriv; case skipped", case.name);
                            set(0o644);
                            continue;
                        }
                    }
                } else {
                    casebook_env(&args, &[])
                };
                set(0o644);
                o
            }
            "disk-full" => {
                let Some(fs) = TinyFs::mount() else {
                    eprintln!("note: {}: cannot mount a tmpfs here (not root); case skipped", case.name);
                    continue;
                };
                let small = fs.dir.path().join("lib");
                crate::util::copy_tree(&root, &small);
                // Fill the file system, leaving a few bytes.
                let mut filler = std::fs::File::create(fs.dir.path().join("filler")).unwrap();
                let block = vec![0u8; 4096];
                while filler.write_all(&block).is_ok() {}
                drop(filler);
                let before_small = records_snapshot(&small);
                let file = sources.path().join("full.txt");
                std::fs::write(&file, "磁盘已满时的导入\n".repeat(2000)).unwrap();
                let o = run(&small, &["import", "--district", "渝中", "--year", "2021", file.to_str().unwrap()], &[]);
                if records_snapshot(&small) != before_small {
                    failures.push(format!("{}: a failed write on a full disk changed the library", case.name));
                }
                let leftovers: Vec<_> = walkdir::WalkDir::new(&small)
                    .into_iter()
                    .filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
                    .map(|e| e.path().display().to_string())
                    .collect();
                if !leftovers.is_empty() {
                    failures.push(format!("{}: temporary files left: {leftovers:?}", case.name));
                }
                o
            }
            "injected-write-failure-import" => {
                let file = sources.path().join("revised.txt");
                std::fs::write(&file, "修订稿\n修订后的正文。\n").unwrap();
                let target = root.join("yuzhong/yz-p01/yz-p01-1.md").to_string_lossy().into_owned();
                let args = ["import", file.to_str().unwrap(), "--id", "yz-p01-1", "--replace"];
                run(&root, &args, &[("CASEBOOK_FAIL_WRITES", target.as_str())])
            }
            "injected-write-failure-new" => run(&root, &new_args, &[("CASEBOOK_FAIL_WRITES", "yuzhong")]),
            "injected-write-failure-bundle" => {
                let source = base_library();
                for i in 1..=3 {
                    source.writeup(&format!("yuzhong/new/yz-n{i}.md"), &format!("yz-n{i}"), "渝中区", "", "新记录。");
                }
                let bundle = sources.path().join("b.zip");
                let o = run(
                    source.root(),
                    &["bundle", "export", "--district", "渝中", "--out", bundle.to_str().unwrap()],
                    &[],
                );
                assert_eq!(o.code, 0, "{o:?}");
                // The bundle's new records are new here; the second one cannot be written.
                let _ = std::fs::remove_dir_all(root.join("yuzhong/new"));
                run(&root, &["bundle", "import", bundle.to_str().unwrap()], &[("CASEBOOK_FAIL_WRITES", "yz-n2.md")])
            }
            // --- issue 14: outputs never land in the library, ids never repeat, imports stay readable ---
            "out-bundle-on-record" => {
                let out = root.join("yuzhong/yz-p01/project.md");
                run(&root, &["bundle", "export", "--district", "渝中区", "--out", out.to_str().unwrap()], &[])
            }
            "out-csv-on-record" => {
                let out = root.join("yuzhong/yz-p01/yz-p01-1.md");
                run(&root, &["compare", "yz-p01", "--csv", out.to_str().unwrap()], &[])
            }
            "out-csv-through-link" => {
                let link = sources.path().join("linked-library");
                let _ = std::fs::remove_file(&link);
                std::os::unix::fs::symlink(&root, &link).unwrap();
                let out = link.join("yuzhong/yz-p01/yz-p01-2.md");
                run(&root, &["compare", "yz-p01", "--csv", out.to_str().unwrap()], &[])
            }
            "out-export-into-library" => {
                let out = root.join("yuzhong");
                run(&root, &["export", "collection", "none", "--out", out.to_str().unwrap()], &[])
            }
            "new-duplicate-id" => {
                run(&root, &["new", "writeup", "--id", "yz-p01-1", "--project", "yz-p01", "--title", "x"], &[])
            }
            "new-duplicate-id-case" => {
                run(&root, &["new", "writeup", "--id", "YZ-P01-1", "--project", "yz-p01", "--title", "x"], &[])
            }
            "import-record-itself" => {
                let own = root.join("yuzhong/yz-p01/yz-p01-1.md");
                run(&root, &["import", own.to_str().unwrap()], &[])
            }
            "import-over-record-limit-replace" => {
                // Under the text limit as a file, over the record limit once front matter is added.
                let line = "调解工作记录第一段内容。".repeat(20) + "\n";
                let n = (8 * 1024 * 1024 - 200) / line.len();
                let file = sources.path().join("near-limit.txt");
                std::fs::write(&file, format!("近限文件\n{}", line.repeat(n))).unwrap();
                let args = ["import", file.to_str().unwrap(), "--district", "渝中", "--id", "yz-p01-1", "--replace"];
                run(&root, &args, &[])
            }
            "import-fifo" => {
                let fifo = sources.path().join("pipe.txt");
                let _ = std::fs::remove_file(&fifo);
                let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
                if !made {
                    eprintln!("note: {}: mkfifo not available; case skipped", case.name);
                    continue;
                }
                run(&root, &["import", fifo.to_str().unwrap()], &[])
            }
            "import-device-link" => {
                let link = sources.path().join("zero.txt");
                let _ = std::fs::remove_file(&link);
                std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
                run(&root, &["import", link.to_str().unwrap()], &[])
            }
            "terminal-escapes" => {
                // A record whose title and text carry terminal escapes: show and search print them inert. The
                // record is written before the snapshot is compared, so the snapshot is taken again.
                lib.file(
                    "yuzhong/esc.md",
                    "---\nid: esc-1\ntitle: \"标题\\e[2J\\e]0;改标题\\a攻击\"\ndistrict: 渝中区\nyear: 2021\n---\n正文\u{1b}[31m攻击\u{9b}测试\n",
                );
                let shown = run(&root, &["show", "esc-1"], &[]);
                let found = run(&root, &["search", "攻击"], &[]);
                for o in [&shown, &found] {
                    if o.stdout.chars().chain(o.stderr.chars()).any(|c| c.is_control() && c != '\n' && c != '\t') {
                        failures.push(format!("{}: a control character reached the terminal: {o:?}", case.name));
                    }
                }
                std::fs::remove_file(root.join("yuzhong/esc.md")).unwrap();
                Output { code: found.code, stdout: format!("{}{}", shown.stdout, found.stdout), stderr: found.stderr }
            }
            "csv-formula-in-indicator" => {
                let out = sources.path().join("formula.csv");
                lib.file(
                    "yuzhong/yz-p01/project.md",
                    "---\nkind: project\nid: yz-p01\nname: 楼栋党小组院落议事机制\ndistrict: 渝中区\nthemes: [党委领导]\nindicators:\n  - name: \"=HYPERLINK(\\\"http://x\\\",\\\"点\\\")\"\n    unit: 件\n    before: {period: 2019, value: 10}\n    after: {period: 2021, value: 5}\n    better: lower\n---\n项目简介。\n",
                );
                let o = run(&root, &["compare", "yz-p01", "--csv", out.to_str().unwrap()], &[]);
                let csv = std::fs::read_to_string(&out).unwrap_or_default();
                if !csv.contains("'=HYPERLINK") || csv.contains(",=HYPERLINK") || csv.contains("\"=HYPERLINK") {
                    failures.push(format!("{}: the formula was not defused: {csv}", case.name));
                }
                // Put the project back as the snapshot had it.
                lib.file(
                    "yuzhong/yz-p01/project.md",
                    "---\nkind: project\nid: yz-p01\nname: 楼栋党小组院落议事机制\ndistrict: 渝中区\nthemes: [党委领导, 自治强基]\n---\n项目简介。\n",
                );
                Output { code: o.code, stdout: format!("{}\n{csv}", o.stdout), stderr: o.stderr }
            }
            // A sparse 2 GB record: nothing may read it whole (the index sync used to, at 2.1 GB of memory).
            "sparse-record-search" | "sparse-record-check" => {
                let sparse = root.join("yuzhong/sparse.md");
                std::fs::File::create(&sparse).unwrap().set_len(2 << 30).unwrap();
                let o = if kind == "sparse-record-check" {
                    run(&root, &["check"], &[])
                } else {
                    run(&root, &["search", "综治中心"], &[])
                };
                std::fs::remove_file(&sparse).unwrap();
                o
            }
            "import-sparse-text" => {
                let sparse = sources.path().join("sparse.txt");
                std::fs::File::create(&sparse).unwrap().set_len(2 << 30).unwrap();
                let o = run(&root, &["import", "--district", "渝中", sparse.to_str().unwrap()], &[]);
                std::fs::remove_file(&sparse).unwrap();
                o
            }
            other => panic!("no situation {other}"),
        };
        verify(&case, kind, &o, &mut failures);
        if records_snapshot(&root) != before {
            failures.push(format!("{}: the library changed", case.name));
        }
    }
    report("environment", failures);
}
