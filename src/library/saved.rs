//! 已存检索: searches an office keeps in the library's `casebook.yaml` (`saved_searches`), so that everyone who
//! opens the library, in the app or the command line, finds them under the same names.
//!
//! A saved search is the query as typed, the facet filters chosen beside it and the earlier queries it was
//! narrowed within (在结果中检索). Writing the list back goes through [`crate::store::config_file`], which
//! replaces only this key of the file and keeps the rest as the office typed it.

use serde::{Deserialize, Serialize};

/// The key of `casebook.yaml` that holds the list.
pub const KEY: &str = "saved_searches";

/// The longest name, in characters (a menu entry, not a sentence).
pub const MAX_NAME_CHARS: usize = 40;

/// One saved search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedSearch {
    pub name: String,
    #[serde(default)]
    pub query: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub district: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<String>,
    /// Earlier queries the results were narrowed within, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub within: Vec<String>,
}

/// Why a saved search cannot be kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SavedError {
    #[error("已存检索需要一个名称")]
    NoName,
    #[error("已存检索的名称 “{0}” 过长（最多 {MAX_NAME_CHARS} 个字）")]
    NameTooLong(String),
    #[error("已存检索 “{0}” 出现了两次；名称不能重复")]
    Duplicate(String),
    #[error("已存检索 “{0}” 没有检索词，也没有任何筛选条件")]
    Empty(String),
    #[error("没有名为 “{0}” 的已存检索")]
    Unknown(String),
}

/// A change to the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Add, or replace the one of the same name.
    Put(SavedSearch),
    Remove(String),
}

/// The list after `change`.
pub fn changed(list: &[SavedSearch], change: Change) -> Result<Vec<SavedSearch>, SavedError> {
    match change {
        Change::Put(search) => with(list, search),
        Change::Remove(name) if list.iter().any(|s| s.name.trim() == name.trim()) => Ok(without(list, &name)),
        Change::Remove(name) => Err(SavedError::Unknown(name)),
    }
}

impl SavedSearch {
    /// Whether it asks for anything (a search of everything needs no name).
    pub fn is_empty(&self) -> bool {
        self.query.trim().is_empty()
            && self.district.is_empty()
            && self.themes.is_empty()
            && self.types.is_empty()
            && self.years.is_empty()
            && self.within.is_empty()
    }

    /// A short description for a menu's hover text: the query, then the filters.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.query.trim().is_empty() {
            parts.push(format!("检索：{}", self.query.trim()));
        }
        for w in &self.within {
            parts.push(format!("在“{w}”的结果中"));
        }
        for (label, list) in
            [("区县", &self.district), ("主题", &self.themes), ("文种", &self.types), ("年份", &self.years)]
        {
            if !list.is_empty() {
                parts.push(format!("{label}：{}", list.join("、")));
            }
        }
        parts.join("；")
    }
}

/// Checks a list as read from or about to be written to `casebook.yaml`: named, named once, asking something.
pub fn validate(list: &[SavedSearch]) -> Result<(), SavedError> {
    let mut seen = std::collections::HashSet::new();
    for s in list {
        let name = s.name.trim();
        if name.is_empty() {
            return Err(SavedError::NoName);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(SavedError::NameTooLong(name.to_string()));
        }
        if !seen.insert(name) {
            return Err(SavedError::Duplicate(name.to_string()));
        }
        if s.is_empty() {
            return Err(SavedError::Empty(name.to_string()));
        }
    }
    Ok(())
}

/// The list with `search` added, replacing one of the same name in its place.
pub fn with(list: &[SavedSearch], search: SavedSearch) -> Result<Vec<SavedSearch>, SavedError> {
    let search = SavedSearch { name: search.name.trim().to_string(), ..search };
    let mut out = list.to_vec();
    match out.iter_mut().find(|s| s.name.trim() == search.name) {
        Some(existing) => *existing = search,
        None => out.push(search),
    }
    validate(&out)?;
    Ok(out)
}

/// The list without the search called `name`.
pub fn without(list: &[SavedSearch], name: &str) -> Vec<SavedSearch> {
    list.iter().filter(|s| s.name.trim() != name.trim()).cloned().collect()
}

/// The list in the form `casebook.yaml` holds it (`None`: no searches, the key is removed).
pub fn to_yaml_value(list: &[SavedSearch]) -> Option<serde_json::Value> {
    if list.is_empty() {
        return None;
    }
    serde_json::to_value(list).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(name: &str, query: &str) -> SavedSearch {
        SavedSearch { name: name.into(), query: query.into(), ..SavedSearch::default() }
    }

    #[test]
    fn adding_replaces_by_name_and_keeps_the_order() {
        let list = vec![saved("甲", "调解"), saved("乙", "网格")];
        let list = with(&list, saved(" 甲 ", "院落调解")).unwrap();
        assert_eq!(list, [saved("甲", "院落调解"), saved("乙", "网格")]);
        let list = with(&list, saved("丙", "积分")).unwrap();
        assert_eq!(list.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["甲", "乙", "丙"]);
        assert_eq!(without(&list, "乙").len(), 2);
    }

    #[test]
    fn names_are_required_unique_and_short() {
        assert_eq!(with(&[], saved("  ", "调解")), Err(SavedError::NoName));
        assert_eq!(validate(&[saved("甲", "a"), saved("甲", "b")]), Err(SavedError::Duplicate("甲".into())));
        assert!(matches!(with(&[], saved(&"长".repeat(41), "调解")), Err(SavedError::NameTooLong(_))));
        assert_eq!(with(&[], saved("空", " ")), Err(SavedError::Empty("空".into())));
    }

    #[test]
    fn description_names_query_narrowing_and_filters() {
        let s = SavedSearch {
            within: vec!["网格员".into()],
            district: vec!["渝中区".into(), "合川区".into()],
            ..saved("甲", "调解")
        };
        assert_eq!(s.describe(), "检索：调解；在“网格员”的结果中；区县：渝中区、合川区");
    }
}
