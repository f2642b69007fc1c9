//! Exchange bundles: a round trip between two libraries through the real binary, changed records that need an
//! explicit choice, and hostile bundles that must be refused with the library left byte for byte as it was.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use casebook::bundle::{Change, apply, read_bundle};
use casebook::library::Library;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use crate::util::{TempLibrary, copy_tree, corpus_dir};

/// A library holding a copy of the sample corpus.
fn corpus_copy() -> TempLibrary {
    let lib = TempLibrary::new();
    copy_tree(&corpus_dir(), lib.root());
    lib
}

/// Every file under `root` (the derived `.casebook/` included) with the SHA-256 of its bytes.
/// Every file of the library, derived ones included, except the (empty) lock files a writer takes.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && !e.path().starts_with(root.join(".casebook/locks")))
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            (rel, format!("{:x}", Sha256::digest(std::fs::read(e.path()).unwrap())))
        })
        .collect()
}

fn sha(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Exports `district` from `lib` into `out`, which must succeed.
fn export(lib: &TempLibrary, district: &str, out: &Path) {
    let o = lib.run(&["bundle", "export", "--district", district, "--out", out.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stdout.contains("已导出"), "{o:?}");
}

/// The entries of a zip: name → bytes.
fn unzip(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        out.insert(f.name().unwrap().to_string(), bytes);
    }
    out
}

/// Writes a zip with exactly these entries, in this order, names as given (no sanitising).
fn write_zip(path: &Path, entries: &[(&str, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// A manifest listing `records` (path, id, bytes) as write-ups of 渝中区 with their true checksums.
fn manifest(records: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let entries: Vec<_> = records
        .iter()
        .map(|(path, id, bytes)| {
            serde_json::json!({"path": path, "id": id, "kind": "writeup", "title": id, "sha256": sha(bytes), "size": bytes.len()})
        })
        .collect();
    let m = serde_json::json!({
        "format": "casebook-bundle", "version": 1, "created": "2026-01-01 08:00:00", "library": "测试",
        "district": "渝中区", "entries": entries,
    });
    serde_json::to_vec_pretty(&m).unwrap()
}

fn writeup(id: &str, district: &str) -> Vec<u8> {
    format!("---\nid: {id}\ntitle: 标题{id}\ndistrict: {district}\nyear: 2023\ntype: 工作简报\n---\n正文{id}\n")
        .into_bytes()
}

#[test]
fn round_trip_between_two_libraries() {
    let a = corpus_copy();
    let outside = tempfile::tempdir().unwrap();
    let out = outside.path().join("渝中区.zip");
    export(&a, "渝中", &out);
    let zipped = unzip(&out);
    let m: serde_json::Value = serde_json::from_slice(&zipped["manifest.json"]).unwrap();
    assert_eq!(m["district"], "渝中区");
    let paths: Vec<String> =
        m["entries"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap().into()).collect();
    assert!(paths.len() >= 15 && paths.contains(&"yuzhong/yz-p01/yz-p01-1.md".to_string()), "{paths:?}");
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "entries in path order");
    for e in m["entries"].as_array().unwrap() {
        let bytes = &zipped[e["path"].as_str().unwrap()];
        assert_eq!(e["sha256"].as_str().unwrap(), sha(bytes));
        assert_eq!(bytes, &std::fs::read(a.root().join(e["path"].as_str().unwrap())).unwrap());
    }

    // B: the same corpus without any of 渝中区's records.
    let b = corpus_copy();
    for p in &paths {
        std::fs::remove_file(b.root().join(p)).unwrap();
    }
    assert!(!b.search("楼栋党小组").1.contains(&"yz-p01-1".to_string()));
    let before = snapshot(b.root());
    let dry = b.json(&["bundle", "import", out.to_str().unwrap(), "--dry-run", "--json"]);
    assert_eq!(dry["counts"]["new"], paths.len());
    assert_eq!(dry["counts"]["changed"], 0);
    assert_eq!(dry["dry_run"], true);
    assert!(dry["applied"].is_null());
    assert_eq!(snapshot(b.root()), before, "a dry run writes nothing");

    let o = b.run(&["bundle", "import", out.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stdout.contains(&format!("新增 {} / 相同 0 / 有改动 0", paths.len())), "{}", o.stdout);
    assert!(o.stdout.contains(&format!("已新增 {} 个文件", paths.len())), "{}", o.stdout);
    for p in &paths {
        assert_eq!(std::fs::read(b.root().join(p)).unwrap(), std::fs::read(a.root().join(p)).unwrap(), "{p}");
    }
    let check = b.json(&["check", "--json"]);
    assert_eq!(check["errors"].as_array().unwrap().len(), 0, "{check}");
    let (_, ids) = b.search("楼栋党小组");
    assert!(ids.contains(&"yz-p01-1".to_string()), "{ids:?}");

    // Importing the same bundle again changes nothing.
    let before = snapshot(b.root());
    let again = b.json(&["bundle", "import", out.to_str().unwrap(), "--json"]);
    assert_eq!(again["counts"]["same"], paths.len());
    assert_eq!(again["applied"]["added"].as_array().unwrap().len(), 0);
    assert_eq!(snapshot(b.root()), before);
}

#[test]
fn changed_records_need_an_explicit_choice() {
    let a = corpus_copy();
    let b = corpus_copy();
    let first = "yuzhong/yz-p01/yz-p01-1.md";
    let second = "yuzhong/yz-p02/yz-p02-1.md";
    let original_first = std::fs::read_to_string(b.root().join(first)).unwrap();
    let original_second = std::fs::read_to_string(b.root().join(second)).unwrap();
    let edited_first = original_first.replacen("## 二、主要做法", "## 二、主要做法与成效", 1);
    assert_ne!(edited_first, original_first);
    let edited_second = format!("{original_second}\n补记：2023年起在全区推广。\n");
    a.file(first, &edited_first);
    a.file(second, &edited_second);
    let outside = tempfile::tempdir().unwrap();
    let out = outside.path().join("yz.zip");
    export(&a, "渝中区", &out);
    let bundle = out.to_str().unwrap();

    // Dry run: the changes are shown, nothing is written.
    let before = snapshot(b.root());
    let dry = b.json(&["bundle", "import", bundle, "--dry-run", "--json"]);
    assert_eq!(dry["counts"]["changed"], 2);
    assert_eq!(dry["counts"]["new"], 0);
    let entry = dry["entries"].as_array().unwrap().iter().find(|e| e["path"] == first).unwrap();
    assert_eq!(entry["change"], "changed");
    let diff = entry["diff"].as_array().unwrap();
    assert!(diff.iter().any(|l| l["tag"] == "delete" && l["text"] == "## 二、主要做法"), "{diff:?}");
    assert!(diff.iter().any(|l| l["tag"] == "insert" && l["text"] == "## 二、主要做法与成效"), "{diff:?}");
    let text = b.run(&["bundle", "import", bundle, "--dry-run"]);
    assert_eq!(text.code, 0, "{text:?}");
    assert!(text.stdout.contains("有改动 2"), "{}", text.stdout);
    assert!(text.stdout.contains("+## 二、主要做法与成效"), "{}", text.stdout);
    assert!(text.stdout.contains("-## 二、主要做法\n"), "{}", text.stdout);
    assert!(text.stdout.contains("未写入任何文件"), "{}", text.stdout);
    assert_eq!(snapshot(b.root()), before);

    // No choice made: changed records are listed and left alone.
    let o = b.run(&["bundle", "import", bundle]);
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stdout.contains("未导入 2 条有改动的记录"), "{}", o.stdout);
    assert!(o.stdout.contains("--accept-changed"), "{}", o.stdout);
    assert_eq!(snapshot(b.root()), before, "nothing overwritten without a choice");

    // One accepted by id.
    let o = b.run(&["bundle", "import", bundle, "--accept", "yz-p02-1"]);
    assert_eq!(o.code, 0, "{o:?}");
    assert_eq!(std::fs::read_to_string(b.root().join(second)).unwrap(), edited_second);
    assert_eq!(std::fs::read_to_string(b.root().join(first)).unwrap(), original_first);

    // All accepted; the replaced version is kept in the history.
    let o = b.json(&["bundle", "import", bundle, "--accept-changed", "--json"]);
    assert_eq!(o["applied"]["updated"], serde_json::json!([first]));
    assert_eq!(std::fs::read_to_string(b.root().join(first)).unwrap(), edited_first);
    let kept = casebook::store::versions(b.root(), first).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read_to_string(&kept[0].path).unwrap(), original_first);
    let (_, ids) = b.search("\"主要做法与成效\"");
    assert!(ids.contains(&"yz-p01-1".to_string()), "{ids:?}");
}

#[test]
fn a_record_kept_elsewhere_is_compared_with_that_file() {
    let a = corpus_copy();
    let b = corpus_copy();
    let rel = "yuzhong/yz-p01/yz-p01-2.md";
    let moved = "渝中区/材料/yz-p01-2.md";
    let text = std::fs::read_to_string(a.root().join(rel)).unwrap();
    b.file(moved, &text);
    std::fs::remove_file(b.root().join(rel)).unwrap();
    a.file(rel, format!("{text}\n新增一段。\n"));
    let outside = tempfile::tempdir().unwrap();
    let out = outside.path().join("yz.zip");
    export(&a, "渝中区", &out);

    let plan = b.json(&["bundle", "import", out.to_str().unwrap(), "--dry-run", "--json"]);
    let entry = plan["entries"].as_array().unwrap().iter().find(|e| e["id"] == "yz-p01-2").unwrap();
    assert_eq!(entry["path"], moved);
    assert_eq!(entry["bundle_path"], rel);
    assert_eq!(entry["change"], "changed");
    let o = b.run(&["bundle", "import", out.to_str().unwrap(), "--accept", "yz-p01-2"]);
    assert_eq!(o.code, 0, "{o:?}");
    assert!(std::fs::read_to_string(b.root().join(moved)).unwrap().ends_with("新增一段。\n"));
    assert!(!b.root().join(rel).exists(), "no second copy at the bundle's path");
}

#[test]
fn a_file_edited_after_the_plan_is_not_overwritten() {
    let a = corpus_copy();
    let b = corpus_copy();
    let rel = "yuzhong/sites/yz-s1.md";
    let text = std::fs::read_to_string(a.root().join(rel)).unwrap();
    a.file(rel, format!("{text}\n包内的修改。\n"));
    let outside = tempfile::tempdir().unwrap();
    let out = outside.path().join("yz.zip");
    export(&a, "渝中区", &out);

    let lib = Library::load(b.root()).unwrap();
    let plan = read_bundle(&lib, &out).unwrap();
    assert_eq!(plan.changed_entries().count(), 1);
    let entry = plan.entries.iter().find(|e| e.rel == rel).unwrap();
    assert!(matches!(&entry.change, Change::Changed { diff, .. } if diff.iter().any(|l| l.text == "包内的修改。")));
    let local = format!("{text}\n本地刚做的修改。\n");
    b.file(rel, &local);
    let lock = casebook::store::WriteLock::take(b.root()).unwrap();
    let report = apply(&lib, &plan, &|_| true, &lock).unwrap();
    assert!(report.updated.is_empty());
    assert_eq!(report.conflicts.len(), 1);
    assert_eq!(report.conflicts[0].rel, rel);
    assert!(report.conflicts[0].message.contains("被修改"), "{:?}", report.conflicts);
    assert_eq!(std::fs::read_to_string(b.root().join(rel)).unwrap(), local);
}

/// Imports `bundle` into a copy of the corpus: it must be refused with a message containing `expected`, and
/// every file of the library must be as it was.
fn assert_refused(bundle: &Path, expected: &[&str]) {
    let b = corpus_copy();
    let before = snapshot(b.root());
    for args in [vec!["--dry-run"], vec![], vec!["--accept-changed"]] {
        let mut all = vec!["bundle", "import", bundle.to_str().unwrap()];
        all.extend(args);
        let o = b.run(&all);
        assert_eq!(o.code, 2, "{o:?}");
        assert!(o.stderr.contains("已拒绝导入交换包") && o.stderr.contains("未作任何改动"), "{}", o.stderr);
        for e in expected {
            assert!(o.stderr.contains(e), "expected “{e}” in: {}", o.stderr);
        }
        assert_eq!(snapshot(b.root()), before, "library changed by a refused bundle");
    }
}

#[test]
fn zip_slip_and_unsafe_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let body = writeup("yz-evil", "渝中区");
    let cases: [(&str, &str); 6] = [
        ("../evil.md", ".."),
        ("/tmp/casebook-evil.md", "绝对路径"),
        ("..\\evil.md", "反斜杠"),
        ("C:/evil.md", "盘符"),
        (".casebook/manifest.json", ".casebook"),
        ("yuzhong/../../evil.md", ".."),
    ];
    for (i, (name, expected)) in cases.iter().enumerate() {
        let bundle = dir.path().join(format!("slip{i}.zip"));
        write_zip(&bundle, &[("manifest.json", manifest(&[(name, "yz-evil", &body)])), (name, body.clone())]);
        assert_refused(&bundle, &["路径不安全", name, expected]);
    }
    assert!(!dir.path().join("evil.md").exists());
    assert!(!Path::new("/tmp/casebook-evil.md").exists());

    // The name is checked as written, even when the manifest is fine.
    let good = writeup("yz-new", "渝中区");
    let bundle = dir.path().join("extra.zip");
    write_zip(
        &bundle,
        &[
            ("manifest.json", manifest(&[("yuzhong/yz-new.md", "yz-new", &good)])),
            ("yuzhong/yz-new.md", good.clone()),
            ("../../evil.md", body.clone()),
        ],
    );
    assert_refused(&bundle, &["路径不安全", "../../evil.md"]);
}

#[test]
fn symlinks_and_unlisted_entries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = writeup("yz-new", "渝中区");
    let bundle = dir.path().join("link.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&bundle).unwrap());
    zip.start_file("manifest.json", SimpleFileOptions::default()).unwrap();
    zip.write_all(&manifest(&[("yuzhong/yz-new.md", "yz-new", &good)])).unwrap();
    zip.add_symlink("yuzhong/yz-new.md", "/etc/passwd", SimpleFileOptions::default()).unwrap();
    zip.finish().unwrap();
    assert_refused(&bundle, &["符号链接", "yuzhong/yz-new.md"]);

    let bundle = dir.path().join("unlisted.zip");
    write_zip(
        &bundle,
        &[
            ("manifest.json", manifest(&[("yuzhong/yz-new.md", "yz-new", &good)])),
            ("yuzhong/yz-new.md", good.clone()),
            ("yuzhong/extra.md", writeup("yz-extra", "渝中区")),
        ],
    );
    assert_refused(&bundle, &["不在清单中", "yuzhong/extra.md"]);

    let bundle = dir.path().join("no-manifest.zip");
    write_zip(&bundle, &[("yuzhong/yz-new.md", good.clone())]);
    assert_refused(&bundle, &["缺少清单"]);

    let bundle = dir.path().join("missing.zip");
    let other = writeup("yz-other", "渝中区");
    write_zip(
        &bundle,
        &[
            (
                "manifest.json",
                manifest(&[("yuzhong/yz-new.md", "yz-new", &good), ("yuzhong/yz-other.md", "yz-other", &other)]),
            ),
            ("yuzhong/yz-new.md", good),
        ],
    );
    assert_refused(&bundle, &["不在交换包中", "yuzhong/yz-other.md"]);
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bomb.zip");
    let size: u64 = 120 * 1024 * 1024;
    let entries = serde_json::json!([{
        "path": "yuzhong/bomb.md", "id": "yz-bomb", "kind": "writeup", "title": "炸弹",
        "sha256": "0".repeat(64), "size": size,
    }]);
    let m = serde_json::json!({"format": "casebook-bundle", "version": 1, "created": "x", "district": "渝中区",
        "entries": entries});
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&bundle).unwrap());
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("manifest.json", options).unwrap();
    zip.write_all(&serde_json::to_vec(&m).unwrap()).unwrap();
    zip.start_file("yuzhong/bomb.md", options).unwrap();
    zip.write_all("---\nid: yz-bomb\ntitle: x\ndistrict: 渝中区\nyear: 2021\n---\n".as_bytes()).unwrap();
    let filler = vec![b' '; 1024 * 1024];
    for _ in 0..size / filler.len() as u64 {
        zip.write_all(&filler).unwrap();
    }
    zip.finish().unwrap();
    let compressed = std::fs::metadata(&bundle).unwrap().len();
    assert!(compressed < 2 * 1024 * 1024, "the bomb is small on disk: {compressed}");
    assert_refused(&bundle, &["压缩炸弹", "yuzhong/bomb.md"]);
}

#[test]
fn truncated_and_tampered_bundles_are_refused() {
    let a = corpus_copy();
    let outside = tempfile::tempdir().unwrap();
    let out = outside.path().join("yz.zip");
    export(&a, "渝中区", &out);
    let bytes = std::fs::read(&out).unwrap();
    let dir = tempfile::tempdir().unwrap();

    for (name, len) in [("half.zip", bytes.len() / 2), ("tail.zip", bytes.len() - 10), ("empty.zip", 0)] {
        let cut = dir.path().join(name);
        std::fs::write(&cut, &bytes[..len]).unwrap();
        assert_refused(&cut, &["不是有效的交换包"]);
    }
    let text = dir.path().join("text.zip");
    std::fs::write(&text, "这不是压缩包").unwrap();
    assert_refused(&text, &["不是有效的交换包"]);

    // One record altered after export, the manifest left as it was: the checksum tells.
    let mut entries = unzip(&out);
    let rel = "yuzhong/yz-p01/yz-p01-1.md";
    let altered = String::from_utf8(entries[rel].clone()).unwrap().replacen("渝中区面积", "渝中区占地", 1);
    assert_eq!(altered.len(), entries[rel].len());
    entries.insert(rel.to_string(), altered.into_bytes());
    let tampered = dir.path().join("tampered.zip");
    let list: Vec<(&str, Vec<u8>)> = entries.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    write_zip(&tampered, &list);
    assert_refused(&tampered, &["校验和", rel]);
}

#[test]
fn a_bundle_with_an_invalid_record_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let good = writeup("yz-new", "渝中区");
    let bad = writeup("yz-bad", "不存在区");
    let broken = b"---\nid: yz-broken\ntitle: [unclosed\n---\n".to_vec();
    let bundle = dir.path().join("invalid.zip");
    write_zip(
        &bundle,
        &[
            (
                "manifest.json",
                manifest(&[
                    ("yuzhong/yz-new.md", "yz-new", &good),
                    ("yuzhong/yz-bad.md", "yz-bad", &bad),
                    ("yuzhong/yz-broken.md", "yz-broken", &broken),
                ]),
            ),
            ("yuzhong/yz-new.md", good),
            ("yuzhong/yz-bad.md", bad),
            ("yuzhong/yz-broken.md", broken),
        ],
    );
    assert_refused(
        &bundle,
        &["未导入任何文件", "yuzhong/yz-bad.md:4", "未知的区县", "不存在区", "yuzhong/yz-broken.md"],
    );

    // A record whose path holds a different record in this library is refused too.
    let clash = writeup("yz-clash", "渝中区");
    let bundle = dir.path().join("clash.zip");
    write_zip(
        &bundle,
        &[
            ("manifest.json", manifest(&[("yuzhong/yz-p01/yz-p01-1.md", "yz-clash", &clash)])),
            ("yuzhong/yz-p01/yz-p01-1.md", clash),
        ],
    );
    assert_refused(&bundle, &["另一条记录", "yz-p01-1"]);
}

#[test]
fn linked_files_travel_with_their_record() {
    let a = corpus_copy();
    let rel = "yuzhong/yz-p01/yz-p01-3.md";
    let text = std::fs::read_to_string(a.root().join(rel)).unwrap();
    a.file(rel, format!("{text}\n![加装电梯现场](yz-p01-3.assets/现场%201.png)\n"));
    let picture: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    a.file("yuzhong/yz-p01/yz-p01-3.assets/现场 1.png", &picture);
    let outside = tempfile::tempdir().unwrap();
    let out = outside.path().join("yz.zip");
    let o = a.json(&["bundle", "export", "--district", "渝中区", "--out", out.to_str().unwrap(), "--json"]);
    assert_eq!(o["assets"], 1, "{o}");
    let m: serde_json::Value = serde_json::from_slice(&unzip(&out)["manifest.json"]).unwrap();
    let asset = m["entries"].as_array().unwrap().iter().find(|e| e["kind"] == "asset").unwrap();
    assert_eq!(asset["path"], "yuzhong/yz-p01/yz-p01-3.assets/现场 1.png");
    assert_eq!(asset["owner"], "yz-p01-3");

    // B keeps the record in another folder: the picture goes beside it there.
    let b = corpus_copy();
    std::fs::remove_file(b.root().join(rel)).unwrap();
    b.file("材料/yz-p01-3.md", &text);
    let o = b.run(&["bundle", "import", out.to_str().unwrap(), "--accept-changed"]);
    assert_eq!(o.code, 0, "{o:?}");
    assert_eq!(std::fs::read(b.root().join("材料/yz-p01-3.assets/现场 1.png")).unwrap(), picture);
    assert!(std::fs::read_to_string(b.root().join("材料/yz-p01-3.md")).unwrap().contains("现场%201.png"));
    assert!(!b.root().join("yuzhong/yz-p01/yz-p01-3.assets").exists());

    // A different picture under the same name is a change like any other, shown without a text diff.
    a.file("yuzhong/yz-p01/yz-p01-3.assets/现场 1.png", [0u8, 1, 2]);
    export(&a, "渝中区", &out);
    let plan = b.json(&["bundle", "import", out.to_str().unwrap(), "--dry-run", "--json"]);
    assert_eq!(plan["counts"]["changed"], 1, "{plan}");
    let entry = plan["entries"].as_array().unwrap().iter().find(|e| e["change"] == "changed").unwrap();
    assert_eq!(entry["kind"], "asset");
    assert_eq!(entry["path"], "材料/yz-p01-3.assets/现场 1.png");
}
