//! The bundled font covers every character of the sample library (and of the UI, which kittest checks: a
//! glyph missing from every font fails the UI tests).

use std::collections::BTreeSet;

use casebook::ui::fonts::CJK_FONT;
use skrifa::MetadataProvider;

use crate::util::corpus_dir;

#[test]
fn bundled_font_covers_the_corpus() {
    let font = skrifa::FontRef::new(CJK_FONT).expect("the bundled font parses");
    let charmap = font.charmap();
    let mut missing = BTreeSet::new();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(corpus_dir()).into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        let Ok((text, _)) = casebook::library::decode(&bytes) else { continue };
        for c in text.chars().filter(|c| *c as u32 >= 0x2000 && !c.is_whitespace()) {
            checked += 1;
            if charmap.map(c).is_none() {
                missing.insert(c);
            }
        }
    }
    assert!(checked > 100_000, "only {checked} characters checked");
    assert!(missing.is_empty(), "characters without a glyph: {missing:?} (run assets/fonts/make_subset.py)");
}

#[test]
fn bundled_font_covers_gb2312() {
    let font = skrifa::FontRef::new(CJK_FONT).unwrap();
    let charmap = font.charmap();
    let mut missing = Vec::new();
    for hi in 0xB0u8..=0xF7 {
        for lo in 0xA1u8..=0xFE {
            let pair = [hi, lo];
            let (text, _, bad) = encoding_rs::GBK.decode(&pair);
            let Some(c) = text.chars().next().filter(|_| !bad) else { continue };
            if (0x4E00..=0x9FFF).contains(&(c as u32)) && charmap.map(c).is_none() {
                missing.push(c);
            }
        }
    }
    assert!(missing.is_empty(), "{} GB2312 hanzi missing, e.g. {:?}", missing.len(), &missing[..missing.len().min(10)]);
}
