//! A small YAML writer for front matter, in the style of the sample library: block mappings at the top, short
//! lists and mappings of plain values in flow style (`themes: [党委领导, 群众参与]`,
//! `- {name: 调解室, minutes: 15}`), Chinese never escaped, and a string quoted only when it would otherwise be
//! read back as something else (`"2019"`, `"%"`, `"yes"`).
//!
//! It writes `serde_json::Value`s (the records' serde form), so it knows nothing of the record types.

use serde_json::Value;

/// A flow list longer than this (in characters, with its key) is written one item per line.
const FLOW_LIST_WIDTH: usize = 100;

/// Renders one top-level `key: value` entry, ending with a newline.
pub fn entry(key: &str, value: &Value) -> String {
    let mut out = String::new();
    write_entry(&mut out, 0, key, value);
    out
}

fn write_entry(out: &mut String, indent: usize, key: &str, value: &Value) {
    push_indent(out, indent);
    out.push_str(&key_text(key));
    out.push(':');
    if let Some(flow) = flow_form(value, indent + key.chars().count() + 2) {
        out.push(' ');
        out.push_str(&flow);
        out.push('\n');
        return;
    }
    out.push('\n');
    match value {
        Value::Array(items) => {
            for item in items {
                write_item(out, indent + 2, item);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                write_entry(out, indent + 2, k, v);
            }
        }
        // Scalars always have a flow form.
        _ => {}
    }
}

/// One `- item` of a block list.
fn write_item(out: &mut String, indent: usize, item: &Value) {
    if let Some(flow) = item_flow_form(item, indent + 2) {
        push_indent(out, indent);
        out.push_str("- ");
        out.push_str(&flow);
        out.push('\n');
        return;
    }
    match item {
        Value::Object(map) => {
            // The first key shares the dash's line; the others line up under it.
            let mut inner = String::new();
            for (k, v) in map {
                write_entry(&mut inner, indent + 2, k, v);
            }
            push_indent(out, indent);
            out.push_str("- ");
            out.push_str(&inner[indent + 2..]);
        }
        Value::Array(items) => {
            push_indent(out, indent);
            out.push_str("-\n");
            for inner in items {
                write_item(out, indent + 2, inner);
            }
        }
        _ => {}
    }
}

/// The one-line form of a value after `key:`, when it has a readable one.
fn flow_form(value: &Value, used: usize) -> Option<String> {
    match value {
        Value::Array(items) if items.is_empty() => Some("[]".into()),
        Value::Object(map) if map.is_empty() => Some("{}".into()),
        Value::Array(items) if items.iter().all(is_scalar) => {
            let text = flow(value);
            (used + text.chars().count() <= FLOW_LIST_WIDTH).then_some(text)
        }
        Value::Array(_) => None,
        Value::Object(map) if map.values().all(is_scalar) => Some(flow(value)),
        Value::Object(_) => None,
        scalar => Some(scalar_text(scalar, false)),
    }
}

/// The one-line form of a list item: scalars, and mappings of scalars however long (as the sample library
/// writes stops, items and evaluations).
fn item_flow_form(item: &Value, used: usize) -> Option<String> {
    match item {
        Value::Object(map) if map.values().all(is_scalar) => Some(flow(item)),
        other => flow_form(other, used),
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// Flow style: `[a, b]`, `{k: v}`, nested as needed.
fn flow(value: &Value) -> String {
    match value {
        Value::Array(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => {
            let parts: Vec<String> = map.iter().map(|(k, v)| format!("{}: {}", key_text(k), flow(v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        scalar => scalar_text(scalar, true),
    }
}

fn push_indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A scalar as YAML text; `in_flow` when inside `[…]` or `{…}`, where `,[]{}` are structural.
pub fn scalar_text(value: &Value, in_flow: bool) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_text(n),
        Value::String(s) if plain_is_safe(s, in_flow) => s.clone(),
        Value::String(s) => double_quoted(s),
        // Not scalars; callers never pass them.
        other => flow(other),
    }
}

/// Whole numbers without a decimal point (`100`, not `100.0`), as people write them.
fn number_text(n: &serde_json::Number) -> String {
    if n.is_f64()
        && let Some(f) = n.as_f64()
        && f.is_finite()
        && f.fract() == 0.0
        && f.abs() < 1e15
    {
        return format!("{}", f as i64);
    }
    n.to_string()
}

/// Keys are plain when they are words (letters, digits, `_`, `-`, Chinese); anything else is quoted.
fn key_text(key: &str) -> String {
    let wordy = !key.is_empty()
        && key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !key.starts_with('-')
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && !is_reserved_word(key);
    if wordy { key.to_string() } else { double_quoted(key) }
}

/// Whether a string can be written without quotes and still read back as the same string. Conservative: a
/// string that could be read as a number, a boolean, null, a date-time, an alias, a tag, a comment … is quoted.
pub fn plain_is_safe(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let last = s.chars().next_back().unwrap_or(first);
    if first.is_whitespace() || last.is_whitespace() || last == ':' {
        return false;
    }
    if s.chars().any(|c| c.is_control() || matches!(c, '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}'))
    {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`<=+.~\\".contains(first) {
        return false;
    }
    if first.is_ascii_digit() && s.is_ascii() && !is_iso_date(s) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") {
        return false;
    }
    if in_flow && s.contains([',', '[', ']', '{', '}', ':']) {
        return false;
    }
    !is_reserved_word(s)
}

/// `null`, `true`, `yes`, `off` … in any case: words YAML parsers may read as something other than text.
fn is_reserved_word(s: &str) -> bool {
    const WORDS: &[&str] = &["null", "true", "false", "yes", "no", "on", "off", "y", "n"];
    WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// `2021-09-15`: written plain as people write dates; the record types read it as text.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// A double-quoted YAML string; only what must be escaped is escaped (Chinese stays as is).
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}') => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Parses `key: <text>` with the same parser the library uses and returns the value.
    fn read_back(yaml: &str) -> Value {
        let map: serde_json::Map<String, Value> =
            serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
        map.into_iter().next().map(|(_, v)| v).unwrap_or(Value::Null)
    }

    #[test]
    fn tricky_strings_read_back_as_strings() {
        let cases = [
            "2019",
            "91.2",
            "1e3",
            "0x1F",
            ".inf",
            ".nan",
            "-1",
            "+1",
            "yes",
            "No",
            "ON",
            "null",
            "~",
            "true",
            "%",
            "@x",
            "`a`",
            "- a",
            "-",
            "a: b",
            "a #b",
            "#a",
            "&a",
            "*a",
            "!a",
            "|",
            ">",
            "'a'",
            "\"a\"",
            " a",
            "a ",
            "a:",
            "12:30",
            "2021-09-15T10:00:00",
            "[a]",
            "{a}",
            "a, b",
            "多行\n文本",
            "tab\there",
            "反斜杠\\",
            "「引号」",
            "渝中区",
            "2021年上半年",
            "023-6000 0000",
            "<<",
            "=",
            "---",
            "...",
            "\u{3000}缩进",
            "a\u{2028}b",
            "",
        ];
        for s in cases {
            let yaml = entry("k", &json!(s));
            assert_eq!(read_back(&yaml), json!(s), "block: {yaml}");
            let yaml = entry("k", &json!([s, "x"]));
            assert_eq!(read_back(&yaml), json!([s, "x"]), "flow list: {yaml}");
            let yaml = entry("k", &json!([{ "a": s }]));
            assert_eq!(read_back(&yaml), json!([{ "a": s }]), "flow map: {yaml}");
        }
    }

    #[test]
    fn readable_forms() {
        assert_eq!(entry("title", &json!("渝中区“只跑一地”经验")), "title: 渝中区“只跑一地”经验\n");
        assert_eq!(entry("date", &json!("2021-09-15")), "date: 2021-09-15\n");
        assert_eq!(entry("year", &json!(2021)), "year: 2021\n");
        assert_eq!(entry("unit", &json!("%")), "unit: \"%\"\n");
        assert_eq!(entry("themes", &json!(["党委领导", "群众参与"])), "themes: [党委领导, 群众参与]\n");
        assert_eq!(entry("target", &json!(98.0)), "target: 98\n");
        assert_eq!(entry("value", &json!(91.2)), "value: 91.2\n");
        assert_eq!(
            entry("stops", &json!([{ "name": "调解室", "minutes": 15 }])),
            "stops:\n  - {name: 调解室, minutes: 15}\n"
        );
        assert_eq!(
            entry(
                "indicators",
                &json!([{ "name": "信访总量", "unit": "件", "before": { "period": "2019", "value": 1260 } }])
            ),
            "indicators:\n  - name: 信访总量\n    unit: 件\n    before: {period: \"2019\", value: 1260}\n"
        );
        let long: Vec<String> = (0..12).map(|i| format!("这是一个比较长的研讨题目第{i}个")).collect();
        let text = entry("questions", &json!(long));
        assert!(text.starts_with("questions:\n  - 这是"), "{text}");
        assert_eq!(read_back(&text), json!(long));
    }

    #[test]
    fn nested_values_read_back() {
        let v = json!({"a": [[1, 2], [{"x": [1, {"y": "z"}]}]], "b": {"c": {"d": "e"}}, "c": [], "d": {}});
        let yaml = entry("k", &v);
        assert_eq!(read_back(&yaml), v, "{yaml}");
        let v = json!({"奇怪 的键": 1, "2019": "x", "yes": "y"});
        let yaml = entry("k", &v);
        assert_eq!(read_back(&yaml), v, "{yaml}");
    }
}
