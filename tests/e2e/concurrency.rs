//! Two processes on one library at once: two index rebuilds, two `new`, a bundle import while an import runs.
//! Nothing may be corrupted: every record parses afterwards, nothing written is lost, the index answers, and a
//! process that must give way says so clearly (the index's "busy" message).

use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::util::{Output, TempLibrary};

fn spawn(lib: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_casebook"))
        .arg("--library")
        .arg(lib)
        .args(args)
        .env_remove("CASEBOOK_LIBRARY")
        .env("NO_COLOR", "1")
        .env("CASEBOOK_MODEL_DIR", crate::util::NO_MODEL)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run casebook")
}

fn finish(child: Child) -> Output {
    let out = child.wait_with_output().expect("wait");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A generated library of `n` write-ups in a fresh folder.
fn generated(n: usize) -> TempLibrary {
    let lib = TempLibrary::new();
    let out = lib.root().join("lib");
    let o = crate::util::casebook(&["gen", "--writeups", &n.to_string(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{o:?}");
    for e in std::fs::read_dir(&out).unwrap() {
        let e = e.unwrap();
        std::fs::rename(e.path(), lib.root().join(e.file_name())).unwrap();
    }
    std::fs::remove_dir(&out).unwrap();
    lib
}

fn assert_clean(lib: &TempLibrary) {
    let check = lib.run(&["check"]);
    assert_eq!(check.code, 0, "the library no longer checks clean: {check:?}");
}

fn no_panic(o: &Output) {
    assert!(!o.stderr.contains("panicked") && o.code != 101, "{o:?}");
}

/// Two `index --rebuild` at once (this test found a real bug: the second deleted the segments the first was
/// writing). Each build now goes into its own folder under the index lock, and `.casebook/current` switches
/// only when a build is complete: the second waits, then uses or rebuilds the index, and both finish.
#[test]
fn two_index_rebuilds_at_once() {
    let lib = generated(300);
    let total = lib.json(&["search", "--json", "--", ""])["total"].as_u64().unwrap();
    for _ in 0..3 {
        let a = spawn(lib.root(), &["index", "--rebuild"]);
        let b = spawn(lib.root(), &["index", "--rebuild"]);
        for o in [finish(a), finish(b)] {
            no_panic(&o);
            assert_eq!(o.code, 0, "{o:?}");
        }
        let again = lib.json(&["search", "--json", "--", ""]);
        assert_eq!(again["total"].as_u64().unwrap(), total, "{again}");
    }
}

/// Two `casebook new` without `--id` at the same moment: both records are kept, each with its own id (choosing
/// the id and writing the file happen under the library's new-record lock; before, the second could replace the
/// first, and later could reuse its id in another file).
#[test]
fn two_new_writeups_at_once_keep_both() {
    let lib = generated(30);
    let district = "渝中区";
    for round in 0..5 {
        let t1 = format!("并发新材料甲{round}");
        let t2 = format!("并发新材料乙{round}");
        let args = |t: &str| {
            vec!["new", "writeup", "--title", t, "--district", district, "--year", "2022"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        };
        let a1 = args(&t1);
        let a2 = args(&t2);
        let a = spawn(lib.root(), &a1.iter().map(String::as_str).collect::<Vec<_>>());
        let b = spawn(lib.root(), &a2.iter().map(String::as_str).collect::<Vec<_>>());
        let (oa, ob) = (finish(a), finish(b));
        no_panic(&oa);
        no_panic(&ob);
        for o in [&oa, &ob] {
            assert!(o.code == 0 || o.stderr.contains("另一个程序刚刚新建了同名文件"), "{o:?}");
        }
        // What reported success is on disk: neither write replaced the other.
        for (o, t) in [(&oa, &t1), (&ob, &t2)] {
            if o.code == 0 {
                let found = lib.json(&["search", "--json", t.as_str()]);
                let titles: Vec<&str> =
                    found["hits"].as_array().unwrap().iter().filter_map(|h| h["title"].as_str()).collect();
                assert!(titles.contains(&t.as_str()), "{t} was reported saved but is not in the library: {o:?}");
            }
        }
        assert_eq!(oa.code, 0, "{oa:?}");
        assert_eq!(ob.code, 0, "{ob:?}");
        assert_clean(&lib);
    }
}

#[test]
fn a_bundle_import_while_an_import_runs() {
    let source = generated(60);
    let lib = generated(60);
    // A bundle of one district whose write-ups all changed.
    let district = "渝中区";
    let out = tempfile::tempdir().unwrap();
    let bundle = out.path().join("b.zip");
    for e in walkdir::WalkDir::new(source.root()).into_iter().filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().is_file() && name.ends_with(".md") && name != "project.md" && name != "README.md" {
            let mut text = std::fs::read_to_string(e.path()).unwrap();
            text.push_str("\n补充：交换包中的新版本。\n");
            std::fs::write(e.path(), text).unwrap();
        }
    }
    let o = source.run(&["bundle", "export", "--district", district, "--out", bundle.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{o:?}");
    let sources = tempfile::tempdir().unwrap();
    let files: Vec<String> = (0..5)
        .map(|i| {
            let p = sources.path().join(format!("来稿{i}.txt"));
            std::fs::write(&p, format!("来稿{i}：综治中心的做法\n正文第{i}段。\n")).unwrap();
            p.to_string_lossy().into_owned()
        })
        .collect();
    let mut import_args = vec!["import", "--district", district, "--year", "2022"];
    import_args.extend(files.iter().map(String::as_str));
    let a = spawn(lib.root(), &import_args);
    let b = spawn(lib.root(), &["bundle", "import", bundle.to_str().unwrap(), "--accept-changed"]);
    let (oa, ob) = (finish(a), finish(b));
    no_panic(&oa);
    no_panic(&ob);
    assert_eq!(oa.code, 0, "{oa:?}");
    assert!(ob.code == 0 || ob.stderr.contains("未作任何改动") || ob.stdout.contains("改动"), "{ob:?}");
    assert_clean(&lib);
    for i in 0..5 {
        let (total, _) = lib.search(&format!("来稿{i}"));
        assert!(total >= 1, "import {i} lost");
    }
}
