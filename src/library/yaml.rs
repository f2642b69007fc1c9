//! The one door to the YAML parser: budgets against hostile input, and errors reduced to a line and a message.

use serde::de::DeserializeOwned;

/// A YAML problem at a 1-based line of the text that was parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub message: String,
}

/// Parses YAML with the parser's default budget (depth, node count, alias expansion), so that an alias bomb or
/// deeply nested input is refused quickly instead of exhausting memory.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize).unwrap_or(1).max(1);
        YamlError { line, message: explain(&clean_message(&e.to_string())) }
    })
}

/// The parser's English message with a Chinese explanation in front for the cases users meet: hostile input
/// refused by a budget, a key written twice, a value of the wrong type. Unknown messages are kept as they are.
fn explain(message: &str) -> String {
    let hint = if message.starts_with("budget breached") {
        "YAML 头信息过于庞大（节点或别名展开超过上限，可能是恶意构造的“别名炸弹”），已拒绝"
    } else if message.contains("recursion limit exceeded") {
        "YAML 头信息嵌套层次过深，已拒绝"
    } else if message.starts_with("duplicate mapping key") {
        "同一个字段写了两次"
    } else if message.starts_with("data did not match any variant")
        || message.starts_with("expected string scalar")
        || message.starts_with("invalid floating point")
        || message.starts_with("invalid type")
    {
        "字段的取值类型不对"
    } else if message.starts_with("expected mapping start") {
        "头信息应为“字段: 取值”的形式"
    } else {
        return message.to_string();
    };
    format!("{hint}（{message}）")
}

/// The parser's message without its own position suffix (we report the line ourselves).
fn clean_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message).trim();
    let cut = first.find(" at line ").map(|i| &first[..i]).unwrap_or(first);
    cut.trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn reports_the_line() {
        let err = from_str::<BTreeMap<String, String>>("a: 1\nb: [\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut yaml = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            yaml.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = from_str::<serde_json::Value>(&yaml).unwrap_err();
        assert!(err.message.contains("别名炸弹"), "{err:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let yaml = format!("a: {}{}", "[".repeat(500), "]".repeat(500));
        let err = from_str::<serde_json::Value>(&yaml).unwrap_err();
        assert!(err.message.contains("嵌套层次过深"), "{err:?}");
    }

    #[test]
    fn common_mistakes_are_explained() {
        let err = from_str::<BTreeMap<String, String>>("a: 1\na: 2\n").unwrap_err();
        assert!(err.message.starts_with("同一个字段写了两次（duplicate mapping key"), "{err:?}");
        let err = from_str::<BTreeMap<String, String>>("a: {b: 1}\n").unwrap_err();
        assert!(err.message.starts_with("字段的取值类型不对（"), "{err:?}");
        assert_eq!(explain("something new"), "something new");
    }
}
