//! Compiles jieba's dictionary (`assets/search/jieba/dict.txt`, word · frequency · tag per line) into an FST map
//! from word to frequency, embedded in the program by `search::segmenter`. A process that only searches then
//! builds a segmenter from the few dictionary words its query contains, instead of spending about 100 ms loading
//! all 349,046 of them into jieba's trie. Also computes the search fold table (traditional → simplified, width,
//! case) from fast2s, see `src/text/fold_table.rs`.

use std::path::PathBuf;

#[path = "src/text/fold_table.rs"]
mod fold_table;

const DICT: &str = "assets/search/jieba/dict.txt";

fn main() {
    println!("cargo::rerun-if-changed={DICT}");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/text/fold_table.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("fold-table.bin"), fold_table::table_bytes(fast2s::convert)).expect("write the fold table");
    let text = std::fs::read_to_string(DICT).unwrap_or_else(|e| panic!("cannot read {DICT}: {e}"));
    let mut entries: Vec<(&str, u64)> = Vec::with_capacity(350_000);
    for (n, line) in text.lines().enumerate() {
        let mut fields = line.split_ascii_whitespace();
        let Some(word) = fields.next() else { continue };
        let freq = fields.next().map_or(0, |f| f.parse().unwrap_or_else(|e| panic!("{DICT}:{}: {e}", n + 1)));
        entries.push((word, freq));
    }
    // jieba counts every line in its total; a word listed twice would be counted twice there and once here.
    let total: u64 = entries.iter().map(|(_, f)| f).sum();
    entries.sort_unstable();
    if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
        panic!("{DICT}: {} is listed twice", w[0].0);
    }
    let mut builder = tantivy_fst::MapBuilder::memory();
    for (word, freq) in &entries {
        builder.insert(word, *freq).unwrap_or_else(|e| panic!("{DICT}: {word}: {e}"));
    }
    let bytes = builder.into_inner().unwrap_or_else(|e| panic!("{DICT}: {e}"));
    std::fs::write(out.join("jieba-dict.fst"), bytes).expect("write the dictionary FST");
    std::fs::write(
        out.join("jieba-dict-total.rs"),
        format!(
            "/// The sum of the dictionary's frequencies, as jieba totals them.\nconst DICT_TOTAL: usize = {total};\n"
        ),
    )
    .expect("write the dictionary total");
}
