//! Search folding: traditional → simplified, full-width → half-width, and case.
//!
//! Applied on both sides (documents and queries) so that 楓橋經驗 finds 枫桥经验 and ＡＢＣ finds abc.
//! Folding is character-for-character: `fold(s).chars().count() == s.chars().count()` always holds, which lets
//! snippets highlight the original text with offsets found in the folded one.

/// Folds one character. The traditional → simplified step is done on whole strings by [`fold`] because the
/// converter looks at neighbouring characters; this handles width and case only.
pub fn fold_char(c: char) -> char {
    let c = match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Folds a string for indexing or querying. One output character per input character.
pub fn fold(text: &str) -> String {
    let simplified = fast2s::convert(text);
    let out: String = simplified.chars().map(fold_char).collect();
    debug_assert_eq!(out.chars().count(), text.chars().count());
    out
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

    #[test]
    fn cjk_detection() {
        assert!(is_cjk('枫'));
        assert!(!is_cjk('a'));
        assert!(!is_cjk('，'));
    }
}
