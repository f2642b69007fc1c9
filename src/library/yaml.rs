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

/// The parser's message in Chinese for the cases users meet: hostile input refused by a budget, a key written
/// twice, a value of the wrong type (saying what was expected). Syntax errors keep the parser's own detail in
/// brackets after a Chinese lead, since it names the exact token.
fn explain(message: &str) -> String {
    const WRONG_TYPE: &str = "字段的取值类型不对";
    if message.starts_with("budget breached") {
        return "YAML 头信息过于庞大（节点或别名展开超过上限，可能是恶意构造的“别名炸弹”），已拒绝".into();
    }
    if message.contains("recursion limit exceeded") {
        return "YAML 头信息嵌套层次过深，已拒绝".into();
    }
    if let Some(rest) = message.strip_prefix("duplicate mapping key") {
        let key = rest.trim_start_matches([':', ' ']).trim_matches(['"', '\'', '`']);
        return if key.is_empty() {
            "同一个字段写了两次".into()
        } else {
            format!("同一个字段写了两次：{key}")
        };
    }
    let expected = if message.starts_with("expected string scalar") {
        "一个值（文字或数字），不能是列表或“字段: 取值”结构"
    } else if message.starts_with("expected sequence start") {
        "一个列表，如 [甲, 乙]，或每行一项“- 甲”"
    } else if message.starts_with("expected mapping start") {
        return "头信息应为“字段: 取值”的形式（这里不能是单个值或列表）".into();
    } else if message.starts_with("invalid floating point") {
        "一个数字，如 12.5"
    } else if message.starts_with("invalid boolean") {
        "“true”或“false”"
    } else if message.starts_with("invalid i") || message.starts_with("invalid u") {
        "一个整数，如 2021"
    } else if message.starts_with("data did not match any variant") || message.starts_with("invalid type") {
        "另一种写法（请对照 docs/library-format.md）"
    } else {
        return format!("YAML 格式有误（{message}）");
    };
    format!("{WRONG_TYPE}：这里应写{expected}")
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
        assert!(err.message.starts_with("同一个字段写了两次"), "{err:?}");
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct M {
            a: Option<String>,
            n: Option<i32>,
            f: Option<f64>,
            v: Option<Vec<String>>,
            b: Option<bool>,
            m: Option<BTreeMap<String, String>>,
        }
        for (yaml, says) in [
            ("a: {b: 1}\n", "字段的取值类型不对：这里应写一个值"),
            ("a: [1, 2]\n", "字段的取值类型不对：这里应写一个值"),
            ("n: abc\n", "字段的取值类型不对：这里应写一个整数"),
            ("f: abc\n", "字段的取值类型不对：这里应写一个数字"),
            ("v: abc\n", "字段的取值类型不对：这里应写一个列表"),
            ("b: maybe\n", "字段的取值类型不对：这里应写“true”或“false”"),
            ("m: abc\n", "头信息应为“字段: 取值”的形式"),
        ] {
            let err = from_str::<M>(yaml).unwrap_err();
            assert!(err.message.starts_with(says), "{yaml:?}: {err:?}");
            assert!(!err.message.is_ascii() && !err.message.contains("expected"), "{yaml:?}: {err:?}");
        }
        assert_eq!(explain("something new"), "YAML 格式有误（something new）");
    }
}
