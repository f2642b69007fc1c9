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

/// Pairs of indicator names that are kept apart but may be one indicator: the key of one (at least four
/// characters) is inside the other's (民转刑案件 / 矛盾纠纷引发的民转刑案件数). They are compared as two indicators,
/// so `casebook check` asks whether they are one; the answer is a synonym group in `casebook.yaml` or one name.
/// Each pair once, shorter name first, in the order the names are given.
pub fn near_names<'a>(config: &Config, names: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut keys: Vec<(String, &'a str)> = Vec::new();
    for name in names {
        let key = indicator_key(config, name);
        if !key.is_empty() && !keys.iter().any(|(k, _)| *k == key) {
            keys.push((key, name));
        }
    }
    let mut out = Vec::new();
    for (i, (a, name_a)) in keys.iter().enumerate() {
        for (b, name_b) in &keys[i + 1..] {
            let (short, long, pair) = if a.chars().count() <= b.chars().count() {
                (a, b, (*name_a, *name_b))
            } else {
                (b, a, (*name_b, *name_a))
            };
            if short.chars().count() >= 4 && long.contains(short.as_str()) {
                out.push(pair);
            }
        }
    }
    out
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
    fn names_inside_others_are_near_but_qualified_twins_are_not() {
        let c = Config::default();
        let names = [
            "矛盾纠纷引发的民转刑案件数",
            "民转刑案件",
            "农村社区家长学校覆盖率",
            "城市社区家长学校覆盖率",
            "家长学校覆盖率（农村社区）",
            "刑事案件",
        ];
        assert_eq!(near_names(&c, &names), [("民转刑案件", "矛盾纠纷引发的民转刑案件数")]);
        // Three characters say too little to suggest a pair (案件数 is in many names).
        assert!(near_names(&c, &["案件数", "刑事案件数"]).is_empty());
        // A synonym group answers the question: merged, no longer near.
        let mut grouped = Config::default();
        grouped.synonyms = vec![vec!["民转刑案件".into(), "矛盾纠纷引发的民转刑案件数".into()]];
        assert!(near_names(&grouped, &names[..2]).is_empty());
    }

    #[test]
    fn synonym_groups_of_the_library_count() {
        let mut c = Config::default();
        c.synonyms = vec![vec!["矛盾纠纷调解成功率".into(), "调解成功率".into()]];
        assert_eq!(indicator_key(&c, "调解成功率"), indicator_key(&c, "矛盾纠纷调解成功率"));
    }
}
