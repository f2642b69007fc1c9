//! When two indicator names are the same indicator: the one rule the 横向对比 picker and the comparison share.
//!
//! Offices name one measure in several ways. Two names are the same indicator when, after folding (traditional,
//! full-width), they are in one of the library's synonym groups (`casebook.yaml`), or they differ only in how
//! they are written: quotation marks and spaces (“法律明白人”数量 / 法律明白人数量), a trailing 数量
//! (法律明白人数量 / 法律明白人), or a qualifier put in brackets after the name instead of before it
//! (家长学校覆盖率（农村社区） / 农村社区家长学校覆盖率).

use crate::library::Config;
use crate::text::fold;

/// The key two names of one indicator share.
pub fn indicator_key(config: &Config, name: &str) -> String {
    let folded = fold(name.trim());
    let canonical = config
        .synonyms
        .iter()
        .find(|g| g.iter().any(|s| fold(s) == folded))
        .and_then(|g| g.first())
        .map(|first| fold(first))
        .unwrap_or(folded);
    written_form(&canonical)
}

/// The name without the differences of writing (see the module documentation).
fn written_form(folded: &str) -> String {
    let mut s: String = folded
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '“' | '”' | '"' | '‘' | '’' | '\'' | '「' | '」' | '『' | '』'))
        .collect();
    // A qualifier in brackets at the end goes in front: 覆盖率（农村社区） → 农村社区覆盖率.
    for (open, close) in [('（', '）'), ('(', ')')] {
        if s.ends_with(close)
            && let Some(at) = s.rfind(open)
            && at > 0
        {
            let qualifier = s[at + open.len_utf8()..s.len() - close.len_utf8()].to_string();
            s = format!("{qualifier}{}", &s[..at]);
            break;
        }
    }
    match s.strip_suffix("数量") {
        Some(rest) if rest.chars().count() >= 2 => rest.to_string(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_written_differently_share_a_key() {
        let c = Config::default();
        let key = |n: &str| indicator_key(&c, n);
        assert_eq!(key("家长学校覆盖率（农村社区）"), key("农村社区家长学校覆盖率"));
        assert_eq!(key("家长学校覆盖率(城市社区)"), key("城市社区家长学校覆盖率"));
        assert_eq!(key("“法律明白人”数量"), key("法律明白人"));
        assert_eq!(key("法律明白人数量"), key(" 法律明白人 "));
        assert_eq!(key("群眾滿意度"), key("群众满意度"));
        // Different measures stay apart.
        assert_ne!(key("农村社区家长学校覆盖率"), key("城市社区家长学校覆盖率"));
        assert_ne!(key("命案发案数"), key("刑事案件立案数"));
        assert_ne!(key("数量"), key(""));
    }

    #[test]
    fn synonym_groups_of_the_library_count() {
        let mut c = Config::default();
        c.synonyms = vec![vec!["矛盾纠纷调解成功率".into(), "调解成功率".into()]];
        assert_eq!(indicator_key(&c, "调解成功率"), indicator_key(&c, "矛盾纠纷调解成功率"));
    }
}
