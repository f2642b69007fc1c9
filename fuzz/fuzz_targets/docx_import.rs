//! .docx import: any bytes saved as a .docx and converted, as `casebook import` does.
#![no_main]

use std::sync::OnceLock;

use casebook::import::{Limits, docx};
use libfuzzer_sys::fuzz_target;

/// One scratch folder per fuzzing process; the file is overwritten on every run.
fn scratch() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("scratch folder"))
}

fuzz_target!(|data: &[u8]| {
    let path = scratch().path().join("input.docx");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let _ = docx::convert(&path, "yz-w01.assets", Limits::default());
});
