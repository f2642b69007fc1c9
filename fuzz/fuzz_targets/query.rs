//! Query parsing: any text a user can type into the search box.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let q = casebook::search::parse(text);
    let _ = (q.clauses.len(), q.excludes.len(), q.filters.is_empty());
});
