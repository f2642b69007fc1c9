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
fn bundled_font_covers_every_gbk_hanzi() {
    // Not only GB2312: real files carry names such as 费祎 (U+794E) from the rest of GBK, and a missing glyph
    // would show as a box.
    let font = skrifa::FontRef::new(CJK_FONT).unwrap();
    let charmap = font.charmap();
    let mut missing = Vec::new();
    let mut checked = 0;
    for hi in 0x81u8..=0xFE {
        for lo in 0x40u8..=0xFE {
            if lo == 0x7F {
                continue;
            }
            let pair = [hi, lo];
            let (text, _, bad) = encoding_rs::GBK.decode(&pair);
            let Some(c) = text.chars().next().filter(|_| !bad) else { continue };
            // U+4E00–U+9FA5: GBK's 汉字 (the few components GB18030 later mapped to U+9FB4… are not text).
            if (0x4E00..=0x9FA5).contains(&(c as u32)) {
                checked += 1;
                if charmap.map(c).is_none() {
                    missing.push(c);
                }
            }
        }
    }
    assert!(checked > 20_000, "only {checked} hanzi checked");
    assert!(missing.is_empty(), "{} GBK hanzi missing, e.g. {:?}", missing.len(), &missing[..missing.len().min(10)]);
    assert!(charmap.map('祎').is_some());
}
