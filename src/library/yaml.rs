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
        YamlError { line, message: clean_message(&e.to_string()) }
    })
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
        assert!(from_str::<serde_json::Value>(&yaml).is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let yaml = format!("a: {}{}", "[".repeat(500), "]".repeat(500));
        assert!(from_str::<serde_json::Value>(&yaml).is_err());
    }
}
