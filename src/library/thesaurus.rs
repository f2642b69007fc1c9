//! The concept vocabulary (检索词表) and the stop list (检索虚词表): what a query may be widened to, and what in
//! a question carries no meaning.
//!
//! Both ship as plain files under `assets/search/` so that an office can read them, and `casebook.yaml` adds to
//! them or switches entries off (`thesaurus`, `thesaurus_off`, `stop_words`, `stop_words_off`). One line of the
//! thesaurus is one concept: `甲 = 乙 = 丙 > 下位词1, 下位词2` — words joined by `=` are interchangeable
//! (synonyms, abbreviations and full names), words after `>` are narrower terms. Only search reads the
//! vocabulary, at query time, so editing it never needs a rebuild of the index.

use crate::text::fold;

/// The shipped thesaurus: theme (or 通用) → concept lines.
pub const SHIPPED_THESAURUS: &str = include_str!("../../assets/search/thesaurus.yaml");
/// The shipped stop list: one entry a line, `#` comments.
pub const SHIPPED_STOP_WORDS: &str = include_str!("../../assets/search/stopwords.txt");

/// One concept of the thesaurus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    /// The theme (one of the taxonomy's) or 通用 the line is filed under.
    pub theme: String,
    /// Interchangeable words, as written.
    pub equivalents: Vec<String>,
    /// Narrower words, as written.
    pub narrower: Vec<String>,
}

impl Concept {
    /// Every word of the concept.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.equivalents.iter().chain(&self.narrower).map(String::as_str)
    }

    /// Whether the concept names `word` (compared folded).
    pub fn mentions(&self, word: &str) -> bool {
        let word = fold(word.trim());
        self.words().any(|w| fold(w) == word)
    }
}

/// Why a thesaurus line cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConceptError {
    #[error("“{0}”没有词语")]
    Empty(String),
    #[error("“{line}”中的“{word}”不是一个词（词语不能含空格或标点）")]
    NotAWord { line: String, word: String },
    #[error("“{0}”只有一个词：同义词之间用“=”连接，下位词写在“>”之后")]
    Lonely(String),
    #[error("“{0}”写了两个“>”：每行只能有一组下位词")]
    TwoArrows(String),
}

/// Splits a side of a line into its words (`=` on the left, `,` `，` `、` on the right).
fn words_of(line: &str, side: &str, separators: &[char]) -> Result<Vec<String>, ConceptError> {
    let mut out: Vec<String> = Vec::new();
    for w in side.split(separators).map(str::trim).filter(|w| !w.is_empty()) {
        if w.chars().any(|c| c.is_whitespace() || (!c.is_alphanumeric() && !matches!(c, '·' | '-' | '+'))) {
            return Err(ConceptError::NotAWord { line: line.to_string(), word: w.to_string() });
        }
        if !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    }
    Ok(out)
}

/// Parses one line of the thesaurus.
pub fn parse_concept(theme: &str, line: &str) -> Result<Concept, ConceptError> {
    let mut parts = line.split(['>', '＞']);
    let left = parts.next().unwrap_or("");
    let right = parts.next().unwrap_or("");
    if parts.next().is_some() {
        return Err(ConceptError::TwoArrows(line.to_string()));
    }
    let equivalents = words_of(line, left, &['=', '＝'])?;
    let narrower: Vec<String> =
        words_of(line, right, &[',', '，', '、'])?.into_iter().filter(|w| !equivalents.contains(w)).collect();
    if equivalents.is_empty() && narrower.is_empty() {
        return Err(ConceptError::Empty(line.to_string()));
    }
    if equivalents.len() + narrower.len() < 2 {
        return Err(ConceptError::Lonely(line.to_string()));
    }
    Ok(Concept { theme: theme.trim().to_string(), equivalents, narrower })
}

/// The stop list's entries (blank lines and `#` comments skipped).
pub fn parse_stop_words(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect()
}

/// The shipped thesaurus, parsed. A line that does not parse is left out (a test keeps the shipped file clean).
pub fn shipped_concepts() -> Vec<Concept> {
    let Ok(map) = super::yaml::from_str::<super::config::OrderedMap>(SHIPPED_THESAURUS) else {
        return Vec::new();
    };
    map.0.iter().flat_map(|(theme, lines)| lines.iter().filter_map(|l| parse_concept(theme, l).ok())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Config;

    #[test]
    fn line_format() {
        let c = parse_concept("通用", "老年人 = 老人 = 长者 > 独居老人, 空巢老人、高龄老人").unwrap();
        assert_eq!(c.equivalents, ["老年人", "老人", "长者"]);
        assert_eq!(c.narrower, ["独居老人", "空巢老人", "高龄老人"]);
        let c = parse_concept("社会矛盾", "矛盾纠纷 > 邻里纠纷").unwrap();
        assert_eq!((c.equivalents.len(), c.narrower.len()), (1, 1));
        assert!(c.mentions("鄰里糾紛"), "compared folded");
        assert!(matches!(parse_concept("x", "调解"), Err(ConceptError::Lonely(_))));
        assert!(matches!(parse_concept("x", " = > "), Err(ConceptError::Empty(_))));
        assert!(matches!(parse_concept("x", "a > b > c"), Err(ConceptError::TwoArrows(_))));
        assert!(matches!(parse_concept("x", "调 解 = 调处"), Err(ConceptError::NotAWord { .. })));
    }

    /// Every line of the shipped file parses, is filed under a known theme, and has no one-character word.
    #[test]
    fn shipped_thesaurus_is_clean() {
        let map: crate::library::config::OrderedMap = crate::library::yaml::from_str(SHIPPED_THESAURUS).unwrap();
        let config = Config::default();
        let mut lines = 0;
        for (theme, entries) in &map.0 {
            assert!(theme == "通用" || config.resolve_theme(theme).is_some(), "unknown theme {theme}");
            for line in entries {
                let c = parse_concept(theme, line).unwrap_or_else(|e| panic!("{theme}: {e}"));
                for w in c.words() {
                    assert!(w.chars().count() >= 2, "{theme}: one-character word {w} in {line}");
                }
                lines += 1;
            }
        }
        assert_eq!(lines, shipped_concepts().len());
        assert!(lines >= 300, "several hundred concepts, got {lines}");
        for theme in config.all_themes() {
            assert!(map.0.iter().any(|(t, l)| t == theme && !l.is_empty()), "{theme} has no vocabulary");
        }
    }

    #[test]
    fn shipped_stop_words_are_not_domain_words() {
        let stop = parse_stop_words(SHIPPED_STOP_WORDS);
        assert!(stop.len() >= 50, "{}", stop.len());
        for w in ["怎样", "如何", "怎么", "有没有", "什么", "吗", "呢", "经验", "好办法"] {
            assert!(stop.iter().any(|s| s == w), "{w} is a stop word");
        }
        for w in ["调解", "诈骗", "电梯", "积分", "网格", "老年人", "小区", "枫桥经验"] {
            assert!(!stop.iter().any(|s| s == w), "{w} carries meaning");
        }
    }
}
