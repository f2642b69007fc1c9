//! Names that reach the write path: a .docx image part name and bundle entry paths, taken from the input and
//! placed inside otherwise valid files, then imported or applied into a fresh library. Whatever the names:
//! nothing is written outside the library, no attachment becomes a record, and the library loads without a
//! problem, holding its two records plus at most the one the run wrote.
//!
//! Input: the first byte chooses .docx (even) or bundle (odd); the rest is split at NUL bytes into names (lossy
//! UTF-8): for a .docx the image part's name, for a bundle the record's path and the asset's path.
#![no_main]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use casebook::bundle::{EntryKind, FORMAT, FORMAT_VERSION, MANIFEST_NAME, Manifest, ManifestEntry};
use casebook::import::{Limits, import_file_with, write_import};
use casebook::library::Library;
use casebook::store::{WriteLock, sha256_hex};
use libfuzzer_sys::fuzz_target;

const PROJECT: &str = "---\nkind: project\nid: yz-p01\nname: 楼栋议事\ndistrict: 渝中区\nthemes: [党委领导]\n---\n简介\n";
const WRITEUP: &str = "---\nid: yz-p01-1\ntitle: 标题\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n正文\n";

/// A scratch folder holding `lib/` (two records) and `outside/` (empty), and the input file beside them.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("scratch folder");
    let root = dir.path().join("lib");
    std::fs::create_dir_all(root.join("yuzhong/yz-p01")).expect("library folder");
    std::fs::create_dir_all(dir.path().join("outside")).expect("outside folder");
    std::fs::write(root.join("yuzhong/yz-p01/project.md"), PROJECT).expect("project");
    std::fs::write(root.join("yuzhong/yz-p01/yz-p01-1.md"), WRITEUP).expect("write-up");
    (dir, root)
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        if zip.start_file(*name, zip::write::SimpleFileOptions::default()).is_err() {
            continue;
        }
        let _ = zip.write_all(bytes);
    }
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fn docx(image_name: &str) -> Vec<u8> {
    let w = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main""#;
    let image = r#"<w:r><w:drawing><wp:inline xmlns:wp="wp"><a:graphic><a:graphicData><pic:pic xmlns:pic="pic"><pic:blipFill><a:blip r:embed="rId10"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#;
    let document = format!(
        "<w:document {w}><w:body><w:p><w:r><w:t>楼栋议事的做法</w:t></w:r></w:p><w:p>{image}</w:p></w:body></w:document>"
    );
    let escaped = image_name.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    let rels = format!(
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId10" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/{escaped}"/></Relationships>"#
    );
    let root_rels = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let types = r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let media = format!("word/media/{image_name}");
    zip_of(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", root_rels.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/_rels/document.xml.rels", rels.as_bytes()),
        (&media, b"\x89PNG\r\n\x1a\nimage"),
    ])
}

fn bundle(record_path: &str, asset_path: &str) -> Vec<u8> {
    let record = format!(
        "---\nid: yz-p01-2\ntitle: 新材料\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n![图]({})\n",
        asset_path.rsplit('/').next().unwrap_or(asset_path)
    );
    let asset: &[u8] = b"\x89PNG\r\n\x1a\nimage";
    let entry = |path: &str, kind, bytes: &[u8]| ManifestEntry {
        path: path.to_string(),
        id: (kind != EntryKind::Asset).then(|| "yz-p01-2".to_string()),
        kind,
        title: "新材料".into(),
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
        owner: None,
    };
    let manifest = Manifest {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        created: "2026-12-03 10:00:00".into(),
        created_ms: 0,
        library: "lib".into(),
        district: "渝中区".into(),
        entries: vec![entry(record_path, EntryKind::Writeup, record.as_bytes()), entry(asset_path, EntryKind::Asset, asset)],
    };
    let manifest = serde_json::to_vec(&manifest).unwrap_or_default();
    zip_of(&[(MANIFEST_NAME, &manifest), (record_path, record.as_bytes()), (asset_path, asset)])
}

/// Every file under `dir`, links not followed.
fn files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.into_path())
        .collect()
}

fn check_invariants(scratch: &Path, root: &Path, input: &Path, written: Option<&str>) {
    for f in files(scratch) {
        assert!(f.starts_with(root) || f == input, "written outside the library: {}", f.display());
    }
    let lib = Library::load(root).expect("the library still loads");
    assert!(lib.load_problems.is_empty(), "the library has problems: {:?}", lib.load_problems);
    let mut records: Vec<&str> = lib.records.iter().map(|r| r.path.as_str()).collect();
    records.retain(|p| !["yuzhong/yz-p01/project.md", "yuzhong/yz-p01/yz-p01-1.md"].contains(p));
    assert!(records.len() <= 1, "more than one new record: {records:?}");
    if let Some(p) = records.first() {
        assert_eq!(Some(*p), written, "a record nobody asked for");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let mut names = text.split('\0');
    let first = names.next().unwrap_or_default();
    let (scratch, root) = fixture();
    if mode % 2 == 0 {
        let input = scratch.path().join("input.docx");
        std::fs::write(&input, docx(first)).expect("input");
        let lib = Library::load(&root).expect("library");
        let lock = WriteLock::take(&root).expect("lock");
        let written = import_file_with(&lib, &input, Limits::default(), &mut |_| {}).ok().and_then(|mut draft| {
            draft.meta.district = Some("渝中区".into());
            draft.meta.year = Some(2021);
            write_import(&lib, &draft, &lock).ok()
        });
        check_invariants(scratch.path(), &root, &input, written.as_deref());
    } else {
        let second = names.next().unwrap_or("yuzhong/yz-p01/yz-p01-2.assets/a.png");
        let input = scratch.path().join("input.zip");
        std::fs::write(&input, bundle(first, second)).expect("input");
        let lib = Library::load(&root).expect("library");
        let lock = WriteLock::take(&root).expect("lock");
        let mut written = None;
        if let Ok(plan) = casebook::bundle::read_bundle(&lib, &input) {
            written = plan.entries.iter().find(|e| e.kind == EntryKind::Writeup).map(|e| e.rel.clone());
            if casebook::bundle::apply(&lib, &plan, &|_| true, &lock).is_err() {
                written = None;
            }
        }
        check_invariants(scratch.path(), &root, &input, written.as_deref());
    }
});
