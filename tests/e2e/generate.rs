//! The scale generator: deterministic bytes, valid output.

use std::collections::BTreeMap;
use std::path::Path;

use casebook::library::{Library, check::check};

use crate::util::casebook;

fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (e.path().strip_prefix(root).unwrap().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn same_seed_same_bytes_and_the_output_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
    for (out, seed) in [(&a, "5"), (&b, "5"), (&c, "6")] {
        let o = casebook(&["gen", "--out", out.to_str().unwrap(), "--writeups", "600", "--seed", seed]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stdout.contains("600 篇写作材料"), "{}", o.stdout);
    }
    let (sa, sb, sc) = (snapshot(&a), snapshot(&b), snapshot(&c));
    assert_eq!(sa, sb, "same seed, same bytes");
    assert_ne!(sa, sc, "another seed, other text");
    let lib = Library::load(&a).unwrap();
    let report = check(&lib);
    assert!(report.errors.is_empty(), "{:#?}", &report.errors[..report.errors.len().min(5)]);
    assert!(report.warnings.is_empty(), "{:#?}", &report.warnings[..report.warnings.len().min(5)]);
    assert_eq!(report.stats.writeups, 600);
    let o = casebook(&["gen", "--out", a.to_str().unwrap(), "--writeups", "10"]);
    assert_eq!(o.code, 2, "refuses to overwrite");
}
