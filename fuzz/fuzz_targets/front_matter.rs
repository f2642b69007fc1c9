//! Front matter: any bytes through the same path a library file takes (decode, split, YAML, record), and the
//! front-matter writer on whatever parsed. Nothing may panic or run away; errors are fine.
#![no_main]

use casebook::library::{Record, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((text, encoding)) = decode(data) else { return };
    let _ = casebook::library::split_front_matter(&text);
    if let Ok(record) = Record::parse("fuzz/x.md".to_string(), &text, encoding) {
        let _ = record.line_of("id");
        // Rendering back keeps what parsed: it must not panic either.
        let _ = casebook::store::render_record(&record.meta, Some(&record.front_matter), &record.body);
    }
});
