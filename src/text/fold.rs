//! Search folding: traditional → simplified, full-width → half-width, and case.
//!
//! Applied on both sides (documents and queries) so that 楓橋經驗 finds 枫桥经验 and ＡＢＣ finds abc.
//! Folding is character-for-character: `fold(s).chars().count() == s.chars().count()` always holds, which lets
//! snippets highlight the original text with offsets found in the folded one.

pub use super::fold_table::fold_char;
use super::fold_table::{CONTEXTUAL, FIRST_3_BYTE, LAST_3_BYTE};

/// Folds a string for indexing or querying. One output character per input character.
///
/// Equivalent to `fast2s::convert(text)` followed by [`fold_char`] on every character, but a table lookup per
/// character: fast2s costs two or three hash-map lookups per CJK character, and folding runs over every indexed
/// text twice (once per analyser) and over every snippet's document.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let code = c as u32;
        let folded = if c.is_ascii() {
            c.to_ascii_lowercase()
        } else if (FIRST_3_BYTE..=LAST_3_BYTE).contains(&code) {
            let i = 2 * (code - FIRST_3_BYTE) as usize;
            match u16::from_le_bytes([TABLE[i], TABLE[i + 1]]) {
                CONTEXTUAL => fold_contextual(prev, c, chars.peek().copied()),
                v => char::from_u32(u32::from(v)).unwrap_or(c),
            }
        } else {
            // fast2s converts three-byte characters only.
            fold_char(c)
        };
        out.push(folded);
        prev = Some(c);
    }
    debug_assert_eq!(out.chars().count(), text.chars().count());
    out
}

/// What every three-byte character folds to, or [`CONTEXTUAL`], as little-endian `u16`s, computed by `build.rs`
/// from fast2s (see [`super::fold_table`]).
static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/fold-table.bin"));

/// Folds a neighbour-dependent character the way fast2s does inside the full text.
fn fold_contextual(prev: Option<char>, c: char, next: Option<char>) -> char {
    let window: String = prev.into_iter().chain([c]).chain(next).collect();
    let converted: Vec<char> = fast2s::convert(&window).chars().collect();
    fold_char(converted[usize::from(prev.is_some())])
}

/// Whether a character belongs to a CJK script (Han ideographs and their extensions, compatibility forms).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3007)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: &str) {
        assert_eq!(fold(input), expect, "fold({input:?})");
        assert_eq!(fold(input).chars().count(), input.chars().count());
    }

    #[test]
    fn traditional_to_simplified() {
        check("楓橋經驗", "枫桥经验");
        check("綜治中心與網格員", "综治中心与网格员");
        check("電信網絡詐騙", "电信网络诈骗");
    }

    #[test]
    fn width_and_case() {
        check("ＡＢＣ１２３", "abc123");
        check("GO　命令", "go 命令");
        check("App", "app");
    }

    #[test]
    fn simplified_is_unchanged() {
        check("新时代枫桥经验重庆实践", "新时代枫桥经验重庆实践");
    }

    /// The definition `fold` must stay equal to.
    fn reference(text: &str) -> String {
        fast2s::convert(text).chars().map(fold_char).collect()
    }

    #[test]
    fn table_agrees_with_fast2s_on_every_character() {
        let all: String = (0x20..=0x2FFFF).filter_map(char::from_u32).collect();
        assert_eq!(fold(&all), reference(&all));
        for c in (0x20..=0x2FFFF).filter_map(char::from_u32).step_by(7) {
            let s = c.to_string();
            assert_eq!(fold(&s), reference(&s), "{c:?}");
        }
    }

    #[test]
    fn neighbour_dependent_characters_agree_with_fast2s() {
        for text in [
            "兒寬",
            "答覆",
            "批覆",
            "回覆",
            "覆蓋",
            "甚夥",
            "夥伴",
            "慰藉",
            "狼藉",
            "藉口",
            "憑藉",
            "藉",
            "瞭望",
            "明瞭",
            "幺麽",
            "麽",
            "幺",
            "樊於",
            "於是",
            "乾隆",
            "乾坤",
            "乾卦",
            "乾淨",
            "乾",
            "看著",
            "著作",
            "苧麻",
            "苧",
            "闔家",
            "闔",
            "鍾書",
            "鍾",
            "校讎",
            "讎定",
            "仇讎",
            "讎",
            "計畫",
            "企畫",
            "畫家",
            "畫",
            "藉藉",
            "乾乾乾",
        ] {
            for wrapped in [text.to_string(), format!("甲{text}乙"), format!("a{text}"), format!("{text}。")] {
                assert_eq!(fold(&wrapped), reference(&wrapped), "{wrapped}");
            }
        }
    }

    #[test]
    fn cjk_detection() {
        assert!(is_cjk('枫'));
        assert!(!is_cjk('a'));
        assert!(!is_cjk('，'));
    }
}
