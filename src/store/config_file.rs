//! Changing one top-level key of `casebook.yaml` (saved searches, …) while the rest of the file stays as the
//! office typed it: comments, order, spelling. The key's block is replaced in place (or appended, or removed),
//! and the result is written through the one checked path ([`super::plan`]), so a file that would no longer read
//! as a configuration is refused and the old one is kept in the history.

use serde_json::Value;

use super::plan::{CONFIG_FILE, MAX_KEPT_BYTES};
use super::{Committed, StoreError, WriteLock, io_err};
use crate::library::{Library, decode, read_bounded, saved};

/// `text` with the top-level `key` set to `value` (`None`: removed). Only the lines of that key's block change:
/// the key's line and the indented lines or `- ` items under it.
pub fn set_entry(text: &str, key: &str, value: Option<&Value>) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_key_line =
        |l: &str| l.strip_prefix(key).is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(':'));
    let entry = value.map(|v| super::yaml_out::entry(key, v)).unwrap_or_default();
    let Some(start) = lines.iter().position(|l| is_key_line(l)) else {
        if entry.is_empty() {
            return text.to_string();
        }
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&entry);
        return out;
    };
    // The block: indented lines, `- ` items at the margin, and blank lines between them.
    let mut end = start + 1;
    while end < lines.len() {
        let l = lines[end];
        let continues = l.starts_with([' ', '\t', '-']) || l.trim().is_empty();
        if !continues {
            break;
        }
        end += 1;
    }
    // Blank lines at the end of the block belong to the space before the next key.
    while end > start + 1 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    let mut out: String = lines[..start].concat();
    out.push_str(&entry);
    out.push_str(&lines[end..].concat());
    out
}

/// Sets `key` of the library's `casebook.yaml` to `value` (`None`: removed) under `lock`, checked and kept in
/// the history like every write. The file is created when there is none.
pub fn write_entry(lib: &Library, lock: &WriteLock, key: &str, value: Option<&Value>) -> Result<Committed, StoreError> {
    let path = lib.root.join(CONFIG_FILE);
    let text = match read_bounded(&path, MAX_KEPT_BYTES) {
        Ok(bytes) => decode(&bytes).map_err(|e| StoreError::Render(format!("{CONFIG_FILE}：{e}")))?.0,
        Err(e) if e.is_not_found() => String::new(),
        Err(e) => return Err(io_err(&path)(e.into())),
    };
    let plan = super::plan(lib, vec![super::plan::Write::config(set_entry(&text, key, value))])?;
    plan.commit(lock)?.all_written()
}

/// Changes the library's saved searches (已存检索) in its `casebook.yaml` and returns the new list: the one
/// place the app and the command line do it.
pub fn change_saved(
    lib: &Library,
    lock: &WriteLock,
    change: saved::Change,
) -> Result<Vec<saved::SavedSearch>, StoreError> {
    let list = saved::changed(&lib.config.saved_searches, change)?;
    write_entry(lib, lock, saved::KEY, saved::to_yaml_value(&list).as_ref())?;
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TEXT: &str = "# 本区的设置\ndistricts: [渝中区, 合川区]\n\nsaved_searches:\n  - {name: 旧, query: 调解}\n  # 说明\n\n# 词表\nstop_words: [经验]\n";

    #[test]
    fn replaces_only_the_block_of_the_key() {
        let out = set_entry(TEXT, "saved_searches", Some(&json!([{"name": "新", "query": "积分"}])));
        assert_eq!(
            out,
            "# 本区的设置\ndistricts: [渝中区, 合川区]\n\nsaved_searches:\n  - {name: 新, query: 积分}\n\n# 词表\nstop_words: [经验]\n"
        );
        let removed = set_entry(TEXT, "saved_searches", None);
        assert_eq!(removed, "# 本区的设置\ndistricts: [渝中区, 合川区]\n\n\n# 词表\nstop_words: [经验]\n");
    }

    #[test]
    fn appends_when_absent_and_reads_back() {
        let out = set_entry("districts: [渝中区]", "saved_searches", Some(&json!([{"name": "甲", "query": "调解"}])));
        assert_eq!(out, "districts: [渝中区]\nsaved_searches:\n  - {name: 甲, query: 调解}\n");
        let config = crate::library::Config::parse(&out).unwrap();
        assert_eq!(config.saved_searches[0].query, "调解");
        assert_eq!(set_entry("", "k", Some(&json!(1))), "k: 1\n");
        // A key that only starts the same is another key.
        assert_eq!(set_entry("saved_searches_old: 1\n", "saved_searches", None), "saved_searches_old: 1\n");
    }

    #[test]
    fn margin_items_belong_to_the_block() {
        let text = "saved_searches:\n- name: 甲\n  query: 调解\nstop_words: [经验]\n";
        assert_eq!(set_entry(text, "saved_searches", None), "stop_words: [经验]\n");
    }

    #[test]
    fn saved_searches_written_checked_and_kept_in_history() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("casebook.yaml"), "# 区县名录\ndistricts: [渝中区]\n").unwrap();
        let lock = WriteLock::take(root).unwrap();
        let lib = Library::load(root).unwrap();
        let search = saved::SavedSearch { name: "调解".into(), query: "院落 调解".into(), ..Default::default() };
        let list = change_saved(&lib, &lock, saved::Change::Put(search)).unwrap();
        assert_eq!(list.len(), 1);
        let text = std::fs::read_to_string(root.join("casebook.yaml")).unwrap();
        assert!(text.starts_with("# 区县名录\ndistricts: [渝中区]\n"), "{text}");
        let lib = Library::load(root).unwrap();
        assert_eq!(lib.config.saved_searches[0].query, "院落 调解");
        assert_eq!(crate::store::versions(root, "casebook.yaml").unwrap().len(), 1);
        // Removing an unknown one says so and writes nothing.
        assert!(matches!(
            change_saved(&lib, &lock, saved::Change::Remove("无此".into())),
            Err(StoreError::Saved(saved::SavedError::Unknown(_)))
        ));
        let list = change_saved(&lib, &lock, saved::Change::Remove("调解".into())).unwrap();
        assert!(list.is_empty());
        assert_eq!(std::fs::read_to_string(root.join("casebook.yaml")).unwrap(), "# 区县名录\ndistricts: [渝中区]\n");
    }

    #[test]
    fn a_configuration_that_would_not_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("casebook.yaml"), "districts: [渝中区]\n").unwrap();
        let lock = WriteLock::take(root).unwrap();
        let lib = Library::load(root).unwrap();
        let err = write_entry(&lib, &lock, "districts", Some(&json!({"a": 1}))).unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
        assert_eq!(std::fs::read_to_string(root.join("casebook.yaml")).unwrap(), "districts: [渝中区]\n");
    }
}
