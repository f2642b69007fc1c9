//! Writing a record's file from its model, keeping what people wrote.
//!
//! When a record is edited, [`render_record`] starts from its previous front matter, split into top-level
//! entries (a key with its lines, and the comments and blank lines above it). Entries the model does not know
//! stay byte for byte; known entries whose value did not change stay as written (flow or block style, quotes,
//! comments, `2021` vs `"2021"`); changed entries are rewritten by [`super::yaml_out`], keeping unknown keys
//! nested inside them and an end-of-line comment; new keys are inserted after their neighbour in the model's
//! order; emptied optional keys are removed. The body is appended untouched.
//!
//! Every result is parsed back before it is returned: if the file would not give back the model (a previous
//! front matter too unusual to edit in place), the entries are written afresh from the parsed values, and if
//! even that fails the save is refused. A save never writes a file that reads differently from the form.

use serde_json::{Map, Value};

use super::StoreError;
use super::yaml_out;
use crate::library::{Meta, Record, TextEncoding};

/// The full text of a record file, `---\n<yaml>---\n<body>`.
///
/// `previous_front_matter` is the YAML between the `---` lines of the file being replaced (a [`Record`]'s
/// `front_matter`), or `None` for a new record. Empty optional values (`None`, `""`, empty lists) are left
/// out. The body is kept byte for byte.
pub fn render_record(meta: &Meta, previous_front_matter: Option<&str>, body: &str) -> Result<String, StoreError> {
    let model = model_value(meta)?;
    let wanted = prune_map(&model);
    let attempts: [Attempt; 2] = [edit_in_place, rewrite_from_values];
    let mut last_problem = String::new();
    match previous_front_matter.filter(|p| !p.trim().is_empty()) {
        None => {
            let yaml = fresh(&model, &wanted);
            let text = assemble(&yaml, body);
            return verify(&text, &wanted, body).map(|()| text).map_err(StoreError::Render);
        }
        Some(previous) => {
            for attempt in attempts {
                let yaml = attempt(&model, &wanted, previous);
                let text = assemble(&yaml, body);
                match verify(&text, &wanted, body) {
                    Ok(()) => return Ok(text),
                    Err(problem) => last_problem = problem,
                }
            }
        }
    }
    Err(StoreError::Render(last_problem))
}

/// A way of writing the front matter from the model (all keys, kept keys) and the previous front matter.
type Attempt = fn(&Map<String, Value>, &Map<String, Value>, &str) -> String;

fn assemble(yaml: &str, body: &str) -> String {
    let mut text = String::with_capacity(yaml.len() + body.len() + 8);
    text.push_str("---\n");
    text.push_str(yaml);
    if !yaml.is_empty() && !yaml.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("---\n");
    text.push_str(body);
    text
}

/// Parses the text back and compares it with the model.
fn verify(text: &str, wanted: &Map<String, Value>, body: &str) -> Result<(), String> {
    let record = Record::parse(String::new(), text, TextEncoding::Utf8).map_err(|e| e.message)?;
    if record.body != body {
        return Err("正文无法原样保存".into());
    }
    let got = prune_map(&model_value(&record.meta).map_err(|e| e.to_string())?);
    if &got != wanted {
        let differing: Vec<&str> =
            wanted.keys().chain(got.keys()).filter(|k| wanted.get(*k) != got.get(*k)).map(String::as_str).collect();
        return Err(format!("字段 {} 写入后读回的值不一致", differing.join("、")));
    }
    Ok(())
}

/// The model as a JSON object: every known key (the `kind` tag first), absent values as null.
fn model_value(meta: &Meta) -> Result<Map<String, Value>, StoreError> {
    match serde_json::to_value(meta) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(StoreError::Render("记录不是键值映射".into())),
        Err(e) => Err(StoreError::Render(e.to_string())),
    }
}

/// Drops what is not written: nulls, empty strings, empty lists and mappings (inside lists, items stay so that
/// positions do not shift).
fn prune_map(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter().filter_map(|(k, v)| prune(v).map(|v| (k.clone(), v))).collect()
}

fn prune(value: &Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .map(|item| match item {
                    Value::Object(m) => Value::Object(prune_map(m)),
                    other => other.clone(),
                })
                .collect(),
        )),
        Value::Object(map) => {
            let pruned = prune_map(map);
            (!pruned.is_empty()).then_some(Value::Object(pruned))
        }
        other => Some(other.clone()),
    }
}

/// Whether the key is written at all: a write-up's `kind` is implied.
fn kind_written(wanted: &Map<String, Value>) -> bool {
    wanted.get("kind").and_then(Value::as_str) != Some("writeup")
}

/// A new record: known keys in the model's order.
fn fresh(model: &Map<String, Value>, wanted: &Map<String, Value>) -> String {
    let mut out = String::new();
    for key in model.keys() {
        if key == "kind" && !kind_written(wanted) {
            continue;
        }
        if let Some(v) = wanted.get(key) {
            out.push_str(&yaml_out::entry(key, v));
        }
    }
    out
}

/// One top-level piece of the previous front matter.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// Lines that belong to no key: comments or blank lines at the very end (or a front matter with no keys).
    Loose(String),
    /// A key's entry: the comment and blank lines above it, and its own lines.
    Entry { key: String, lead: String, text: String },
}

/// Splits front matter into top-level entries. A top-level key starts at column 0; indented lines, block list
/// items at column 0, and comments or blank lines followed by such lines belong to the entry above.
fn segments(yaml: &str) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut pending = String::new();
    for line in yaml.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.trim().is_empty() || bare.starts_with('#') {
            pending.push_str(line);
            continue;
        }
        let continues = bare.starts_with([' ', '\t', '-']) || bare == "-";
        match top_level_key(bare) {
            Some(key) if !continues => {
                out.push(Segment::Entry { key, lead: std::mem::take(&mut pending), text: line.to_string() });
            }
            _ => match out.last_mut() {
                Some(Segment::Entry { text, .. }) => {
                    text.push_str(&pending);
                    pending.clear();
                    text.push_str(line);
                }
                _ => {
                    pending.push_str(line);
                }
            },
        }
    }
    if !pending.is_empty() {
        out.push(Segment::Loose(pending));
    }
    out
}

/// The key of a `key: value` line at column 0 (plain or quoted key).
fn top_level_key(line: &str) -> Option<String> {
    let (key, rest) = if let Some(inner) = line.strip_prefix('"') {
        let end = find_closing_double(inner)?;
        (unescape_double(&inner[..end]), &inner[end + 1..])
    } else if let Some(inner) = line.strip_prefix('\'') {
        let end = find_closing_single(inner)?;
        (inner[..end].replace("''", "'"), &inner[end + 1..])
    } else {
        let colon = line
            .char_indices()
            .find(|&(i, c)| c == ':' && line[i + 1..].chars().next().is_none_or(|n| n == ' ' || n == '\t'))?;
        let key = line[..colon.0].trim_end();
        if key.is_empty() || key.starts_with(['[', '{', '?', '&', '*', '!', '|', '>', '%', '@', '`']) {
            return None;
        }
        return Some(key.to_string());
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    let after = rest.strip_prefix(':')?;
    after.chars().next().is_none_or(|c| c == ' ' || c == '\t').then_some(key)
}

fn find_closing_double(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

fn find_closing_single(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

fn unescape_double(s: &str) -> String {
    serde_saphyr::from_str::<String>(&format!("\"{s}\"")).unwrap_or_else(|_| s.to_string())
}

/// The comment at the end of a one-line entry (` # …`), outside quotes.
fn trailing_comment(line: &str) -> Option<&str> {
    let mut single = false;
    let mut double = false;
    let mut escaped = false;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        if double {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => double = false,
                _ => {}
            }
        } else if single {
            if c == '\'' {
                single = false;
            }
        } else {
            match c {
                '"' if prev == ' ' || prev == '[' || prev == '{' || prev == ',' => double = true,
                '\'' if prev == ' ' || prev == '[' || prev == '{' || prev == ',' => single = true,
                '#' if prev == ' ' || prev == '\t' => return Some(line[i..].trim_end()),
                _ => {}
            }
        }
        prev = c;
    }
    None
}

/// The previous front matter read as the same kind of record, pruned like the model (`None` if it does not
/// parse, or is another kind).
fn previous_model(previous: &str, kind: &Value) -> Option<Map<String, Value>> {
    let text = format!("---\n{previous}{}---\n", if previous.ends_with('\n') { "" } else { "\n" });
    let record = Record::parse(String::new(), &text, TextEncoding::Utf8).ok()?;
    let map = model_value(&record.meta).ok()?;
    (map.get("kind") == Some(kind)).then(|| prune_map(&map))
}

/// The previous front matter as untyped values, to carry unknown keys nested inside known ones.
fn previous_values(previous: &str) -> Option<Map<String, Value>> {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    serde_saphyr::from_str_with_options::<Map<String, Value>>(previous, options).ok()
}

/// Overlays the model's value on the previous one: keys the model does not know are kept in their place,
/// inside mappings and inside list items (matched by `id` or `name`, else by position when the list kept its
/// length).
fn merge(previous: &Value, model: &Value) -> Value {
    match (previous, model) {
        (Value::Object(p), Value::Object(m)) => {
            let mut out = Map::new();
            for (k, pv) in p {
                match m.get(k) {
                    Some(mv) => out.insert(k.clone(), merge(pv, mv)),
                    None => out.insert(k.clone(), pv.clone()),
                };
            }
            for (k, mv) in m {
                if !out.contains_key(k) {
                    out.insert(k.clone(), mv.clone());
                }
            }
            Value::Object(out)
        }
        (Value::Array(p), Value::Array(m)) => {
            let mut used = vec![false; p.len()];
            let items = m
                .iter()
                .enumerate()
                .map(|(i, mv)| {
                    let same_identity = identity(mv)
                        .and_then(|id| p.iter().enumerate().position(|(j, pv)| !used[j] && identity(pv) == Some(id)));
                    let same_place = (p.len() == m.len() && !used[i] && identity(mv).is_none()).then_some(i);
                    match same_identity.or(same_place) {
                        Some(j) => {
                            used[j] = true;
                            merge(&p[j], mv)
                        }
                        None => mv.clone(),
                    }
                })
                .collect();
            Value::Array(items)
        }
        _ => model.clone(),
    }
}

/// What identifies a list item across edits: its `id`, else its `name` (collection items, indicators, stops).
fn identity(item: &Value) -> Option<&Value> {
    let map = item.as_object()?;
    map.get("id").or_else(|| map.get("name")).filter(|v| !v.is_null())
}

/// The value to write for a changed known key.
fn changed_value(
    key: &str,
    model: &Map<String, Value>,
    wanted: &Map<String, Value>,
    before: Option<&Map<String, Value>>,
) -> Option<Value> {
    let want = wanted.get(key)?;
    match (before.and_then(|b| b.get(key)), model.get(key)) {
        (Some(prev), Some(full)) => prune(&merge(prev, full)).or_else(|| Some(want.clone())),
        _ => Some(want.clone()),
    }
}

/// Edits the previous front matter entry by entry.
fn edit_in_place(model: &Map<String, Value>, wanted: &Map<String, Value>, previous: &str) -> String {
    let kind = model.get("kind").cloned().unwrap_or(Value::Null);
    let before_model = previous_model(previous, &kind);
    let before_values = previous_values(previous);
    let mut segs = segments(previous);
    let mut present: Vec<String> = Vec::new();
    let mut out_segs: Vec<Segment> = Vec::new();
    for seg in segs.drain(..) {
        let Segment::Entry { key, lead, text } = seg else {
            out_segs.push(seg);
            continue;
        };
        if !model.contains_key(&key) || present.contains(&key) {
            out_segs.push(Segment::Entry { key, lead, text });
            continue;
        }
        present.push(key.clone());
        let unchanged = if key == "kind" {
            previous_kind(&text).as_deref() == kind.as_str()
        } else {
            before_model.as_ref().is_some_and(|b| b.get(&key) == wanted.get(&key))
        };
        if unchanged {
            out_segs.push(Segment::Entry { key, lead, text });
            continue;
        }
        let value =
            if key == "kind" { Some(kind.clone()) } else { changed_value(&key, model, wanted, before_values.as_ref()) };
        match value {
            Some(v) => {
                let mut new_text = yaml_out::entry(&key, &v);
                if text.lines().count() == 1
                    && new_text.lines().count() == 1
                    && let Some(comment) = trailing_comment(text.trim_end())
                {
                    new_text = format!("{} {comment}\n", new_text.trim_end());
                }
                out_segs.push(Segment::Entry { key, lead, text: new_text });
            }
            // Emptied: the entry goes; comments above it stay.
            None => {
                if !lead.is_empty() {
                    out_segs.push(Segment::Loose(lead));
                }
            }
        }
    }
    // Known keys the previous front matter did not have, placed after their predecessor in the model's order.
    let order: Vec<&String> = model.keys().collect();
    for (i, key) in order.iter().enumerate() {
        if present.iter().any(|p| p == *key) {
            continue;
        }
        let value = if key.as_str() == "kind" {
            if !kind_written(wanted) {
                continue;
            }
            kind.clone()
        } else {
            match wanted.get(*key) {
                Some(v) => v.clone(),
                None => continue,
            }
        };
        let entry = Segment::Entry { key: (*key).clone(), lead: String::new(), text: yaml_out::entry(key, &value) };
        let predecessor = order[..i]
            .iter()
            .rev()
            .find_map(|k| out_segs.iter().position(|s| matches!(s, Segment::Entry { key, .. } if key == *k)));
        let at = match predecessor {
            Some(p) => p + 1,
            None => out_segs
                .iter()
                .position(|s| matches!(s, Segment::Entry { key, .. } if model.contains_key(key)))
                .unwrap_or_else(|| {
                    out_segs.iter().rposition(|s| matches!(s, Segment::Entry { .. })).map_or(0, |p| p + 1)
                }),
        };
        out_segs.insert(at, entry);
        present.push((*key).clone());
    }
    let mut yaml = String::new();
    for seg in out_segs {
        match seg {
            Segment::Loose(lines) => yaml.push_str(&lines),
            Segment::Entry { lead, text, .. } => {
                yaml.push_str(&lead);
                yaml.push_str(&text);
                if !text.ends_with('\n') {
                    yaml.push('\n');
                }
            }
        }
    }
    yaml
}

/// `kind: project  # …` → `project`.
fn previous_kind(text: &str) -> Option<String> {
    let line = text.lines().next()?;
    let value = line.split_once(':')?.1;
    let value = trailing_comment(value).map_or(value, |c| &value[..value.len() - c.len()]);
    Some(value.trim().trim_matches(['"', '\'']).trim().to_string())
}

/// Fallback when the previous text cannot be edited in place: every key of the previous front matter in its
/// order (unknown ones with their values), known ones from the model, new ones after. Comments are lost.
fn rewrite_from_values(model: &Map<String, Value>, wanted: &Map<String, Value>, previous: &str) -> String {
    let Some(before) = previous_values(previous) else {
        return fresh(model, wanted);
    };
    let mut out = String::new();
    let mut written: Vec<&str> = Vec::new();
    let kind_first = kind_written(wanted) && !before.contains_key("kind");
    if kind_first && let Some(k) = wanted.get("kind") {
        out.push_str(&yaml_out::entry("kind", k));
        written.push("kind");
    }
    for (key, prev) in &before {
        written.push(key);
        if !model.contains_key(key) {
            out.push_str(&yaml_out::entry(key, prev));
        } else if key == "kind" {
            if let Some(k) = wanted.get("kind") {
                out.push_str(&yaml_out::entry("kind", k));
            }
        } else if let Some(v) = changed_value(key, model, wanted, Some(&before)) {
            out.push_str(&yaml_out::entry(key, &v));
        }
    }
    for key in model.keys() {
        if written.contains(&key.as_str()) || key == "kind" {
            continue;
        }
        if let Some(v) = wanted.get(key) {
            out.push_str(&yaml_out::entry(key, v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Collection, CollectionItem, Indicator, Measurement, Project, Writeup};

    fn parse(text: &str) -> Record {
        Record::parse("t.md".into(), text, TextEncoding::Utf8).unwrap_or_else(|e| panic!("{e:?}\n{text}"))
    }

    fn writeup() -> Writeup {
        Writeup {
            id: Some("yz-p01-9".into()),
            title: Some("渝中区“楼栋党小组”经验做法".into()),
            project: Some("yz-p01".into()),
            district: Some("渝中区".into()),
            themes: vec!["党委领导".into(), "自治强基".into()],
            doc_type: Some("经验材料".into()),
            date: Some("2021-09-15".into()),
            author_unit: Some(String::new()),
            ..Writeup::default()
        }
    }

    #[test]
    fn new_writeup_is_readable() {
        let text = render_record(&Meta::Writeup(writeup()), None, "## 一、基本情况\n").unwrap();
        assert_eq!(
            text,
            "---\nid: yz-p01-9\ntitle: 渝中区“楼栋党小组”经验做法\nproject: yz-p01\ndistrict: 渝中区\n\
             themes: [党委领导, 自治强基]\ntype: 经验材料\ndate: 2021-09-15\n---\n## 一、基本情况\n"
        );
    }

    #[test]
    fn new_project_starts_with_kind() {
        let p = Project {
            id: Some("p".into()),
            name: Some("项目".into()),
            district: Some("合川".into()),
            themes: vec!["政府负责".into()],
            claimed: Some(2020),
            indicators: vec![Indicator {
                name: Some("调解成功率".into()),
                unit: Some("%".into()),
                better: Some("higher".into()),
                before: Some(Measurement { period: Some("2019".into()), value: Some(91.0) }),
                after: None,
                target: Some(98.5),
                source: None,
            }],
            ..Project::default()
        };
        let text = render_record(&Meta::Project(p), None, "").unwrap();
        assert!(text.starts_with("---\nkind: project\nid: p\n"), "{text}");
        assert!(text.contains("  - name: 调解成功率\n    unit: \"%\"\n    better: higher\n"), "{text}");
        assert!(text.contains("    before: {period: \"2019\", value: 91}\n    target: 98.5\n"), "{text}");
    }

    #[test]
    fn unknown_keys_comments_and_order_survive_an_edit() {
        let previous = "# 报送前请核对\nid: a\ntitle: 旧标题  # 暂定\nreviewer: 张三\ndistrict: 渝中\n\
                        custom:\n  nested: [1, 2]\n\n# 年份\nyear: 2021\nthemes:\n- 党委领导\n";
        let text = format!("---\n{previous}---\n正文\n");
        let record = parse(&text);
        let Meta::Writeup(mut w) = record.meta.clone() else { panic!() };
        w.title = Some("新标题".into());
        w.author_unit = Some("区委政法委".into());
        let out = render_record(&Meta::Writeup(w), Some(&record.front_matter), &record.body).unwrap();
        assert_eq!(
            out,
            "---\n# 报送前请核对\nid: a\ntitle: 新标题 # 暂定\nreviewer: 张三\ndistrict: 渝中\n\
             custom:\n  nested: [1, 2]\n\n# 年份\nyear: 2021\nauthor_unit: 区委政法委\nthemes:\n- 党委领导\n---\n正文\n"
        );
    }

    #[test]
    fn emptied_keys_are_removed_and_unknown_nested_keys_kept() {
        let previous =
            "kind: collection\nid: c\ntitle: 专辑\naudience: 新干部\nitems:\n  - {id: a, note: 先读, 页码: 3}\n";
        let record = parse(&format!("---\n{previous}---\n"));
        let Meta::Collection(mut c) = record.meta.clone() else { panic!() };
        c.audience = None;
        c.items[0].note = Some("重点读".into());
        c.items.push(CollectionItem { id: Some("b".into()), note: None });
        let out = render_record(&Meta::Collection(c.clone()), Some(&record.front_matter), "").unwrap();
        assert!(!out.contains("audience"), "{out}");
        assert!(out.contains("  - {id: a, note: 重点读, 页码: 3}\n  - {id: b}\n"), "{out}");
        // Items are matched by id: a new item in front does not move the unknown key.
        c.items.rotate_right(1);
        let out = render_record(&Meta::Collection(c), Some(&record.front_matter), "").unwrap();
        assert!(out.contains("  - {id: b}\n  - {id: a, note: 重点读, 页码: 3}\n"), "{out}");
    }

    #[test]
    fn unchanged_values_keep_their_spelling() {
        let previous = "id: 'a'\ntitle: \"标题\"\ndistrict: 渝中区\nyear: \"2021\"\nthemes: 党委领导，群众参与\n";
        let record = parse(&format!("---\n{previous}---\nbody"));
        let out = render_record(&record.meta, Some(&record.front_matter), &record.body).unwrap();
        assert_eq!(out, format!("---\n{previous}---\nbody"));
    }

    #[test]
    fn kind_changes_and_writeups_do_not_gain_a_kind() {
        let record = parse("---\nid: a\ntitle: t\ndistrict: 渝中区\nyear: 2021\n---\n");
        let out = render_record(&record.meta, Some(&record.front_matter), "").unwrap();
        assert!(!out.contains("kind"));
        let c = Collection {
            id: Some("a".into()),
            title: Some("t".into()),
            items: vec![CollectionItem { id: Some("x".into()), note: None }],
            ..Collection::default()
        };
        let out = render_record(&Meta::Collection(c), Some(&record.front_matter), "").unwrap();
        assert!(
            out.starts_with(
                "---\nkind: collection\nid: a\ntitle: t\nitems:\n  - {id: x}\ndistrict: 渝中区\nyear: 2021\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn body_is_kept_byte_for_byte() {
        for body in ["", "\n", "---\nnot yaml\n---\n", "  缩进\r\n正文\t", "无换行结尾"] {
            let text = render_record(&Meta::Writeup(writeup()), None, body).unwrap();
            assert_eq!(parse(&text).body, body);
        }
    }

    #[test]
    fn unusual_previous_text_falls_back_to_values() {
        // A flow mapping for the whole front matter cannot be edited line by line.
        let record = parse("---\n{id: a, title: t, district: 渝中区, year: 2021, 备注: x}\n---\n");
        let Meta::Writeup(mut w) = record.meta.clone() else { panic!() };
        w.title = Some("新".into());
        let out = render_record(&Meta::Writeup(w), Some(&record.front_matter), "").unwrap();
        assert!(out.contains("title: 新\n") && out.contains("备注: x\n"), "{out}");
    }

    #[test]
    fn segments_split_at_top_level_keys() {
        let segs = segments("a: 1\n# c\nb:\n- x\n# inner\n  - y\n\"q k\": 2\n# end\n");
        assert_eq!(
            segs,
            vec![
                Segment::Entry { key: "a".into(), lead: String::new(), text: "a: 1\n".into() },
                Segment::Entry { key: "b".into(), lead: "# c\n".into(), text: "b:\n- x\n# inner\n  - y\n".into() },
                Segment::Entry { key: "q k".into(), lead: String::new(), text: "\"q k\": 2\n".into() },
                Segment::Loose("# end\n".into()),
            ]
        );
        assert_eq!(trailing_comment("title: \"a # b\" # c"), Some("# c"));
        assert_eq!(trailing_comment("title: a#b"), None);
    }
}
