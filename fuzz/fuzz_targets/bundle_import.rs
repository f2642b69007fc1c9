//! Bundle import: any bytes read as an exchange bundle into an import plan against a small library
//! (nothing is applied, so the library stays as it was for the next run).
#![no_main]

use std::sync::OnceLock;

use casebook::bundle::read_bundle;
use casebook::library::Library;
use libfuzzer_sys::fuzz_target;

struct Fixture {
    dir: tempfile::TempDir,
    lib: Library,
}

/// A library with one project and one write-up, loaded once per process.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("scratch folder");
        let root = dir.path().join("lib");
        let project = root.join("yuzhong/yz-p01");
        std::fs::create_dir_all(&project).expect("library folder");
        std::fs::write(
            project.join("project.md"),
            "---\nkind: project\nid: yz-p01\nname: 楼栋议事\ndistrict: 渝中区\nthemes: [党委领导]\n---\n简介\n",
        )
        .expect("project");
        std::fs::write(
            project.join("yz-p01-1.md"),
            "---\nid: yz-p01-1\ntitle: 标题\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\n---\n正文\n",
        )
        .expect("write-up");
        let lib = Library::load(&root).expect("library");
        Fixture { dir, lib }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let path = f.dir.path().join("input.zip");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let _ = read_bundle(&f.lib, &path);
});
