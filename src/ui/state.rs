//! What the app remembers between runs. `serde(default)` keeps old saves loadable when fields are added.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Key under which the state is stored by eframe.
pub const STORAGE_KEY: &str = "casebook-state";

/// How many recent libraries and past queries are kept.
const KEEP: usize = 12;

/// Settings persisted across runs (window size is persisted by eframe itself).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersistedState {
    pub last_library: Option<PathBuf>,
    pub recent_libraries: Vec<PathBuf>,
    pub last_query: String,
    pub history: Vec<String>,
    /// Records opened in the detail pane, most recent first, with the library they belong to.
    pub recent_records: Vec<RecentRecord>,
}

/// A record opened recently: its library (records of another library are not offered) and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentRecord {
    pub library: PathBuf,
    pub id: String,
}

impl PersistedState {
    /// Moves a library to the front of the recent list.
    pub fn remember_library(&mut self, path: PathBuf) {
        self.recent_libraries.retain(|p| p != &path);
        self.recent_libraries.insert(0, path.clone());
        self.recent_libraries.truncate(KEEP);
        self.last_library = Some(path);
    }

    /// Moves a record to the front of the recently opened ones (kept per library, at most 12 each).
    pub fn remember_record(&mut self, library: &std::path::Path, id: &str) {
        self.recent_records.retain(|r| !(r.library == library && r.id == id));
        self.recent_records.insert(0, RecentRecord { library: library.to_path_buf(), id: id.to_string() });
        let mut kept = 0;
        self.recent_records.retain(|r| {
            kept += (r.library == library) as usize;
            r.library != library || kept <= KEEP
        });
    }

    /// The record opened last in `library` (checked every frame, so it allocates nothing).
    pub fn latest_record(&self, library: &std::path::Path) -> Option<&str> {
        self.recent_records.iter().find(|r| r.library == library).map(|r| r.id.as_str())
    }

    /// The ids of the records opened recently in `library`, most recent first.
    pub fn recent_in(&self, library: &std::path::Path) -> Vec<String> {
        self.recent_records.iter().filter(|r| r.library == library).map(|r| r.id.clone()).collect()
    }

    /// Adds a query to the history (most recent first, no duplicates, no blanks).
    pub fn remember_query(&mut self, query: &str) {
        let q = query.trim();
        if q.is_empty() {
            return;
        }
        self.history.retain(|h| h != q);
        self.history.insert(0, q.to_string());
        self.history.truncate(KEEP);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_lists_are_deduplicated_and_bounded() {
        let mut s = PersistedState::default();
        for i in 0..20 {
            s.remember_query(&format!("查询{i}"));
        }
        s.remember_query("查询5");
        s.remember_query("  ");
        assert_eq!(s.history.len(), KEEP);
        assert_eq!(s.history[0], "查询5");
        s.remember_library("a".into());
        s.remember_library("b".into());
        s.remember_library("a".into());
        assert_eq!(s.recent_libraries, [PathBuf::from("a"), PathBuf::from("b")]);
        assert_eq!(s.last_library, Some(PathBuf::from("a")));
        for i in 0..20 {
            s.remember_record("a".as_ref(), &format!("r{i}"));
        }
        s.remember_record("b".as_ref(), "r0");
        s.remember_record("a".as_ref(), "r3");
        assert_eq!(s.recent_in("a".as_ref()).len(), KEEP);
        assert_eq!(s.recent_in("a".as_ref())[..2], ["r3".to_string(), "r19".to_string()]);
        assert_eq!(s.recent_in("b".as_ref()), ["r0"]);
        assert_eq!(s.latest_record("a".as_ref()), Some("r3"));
    }

    #[test]
    fn old_saves_still_load() {
        let s: PersistedState = serde_json::from_str(r#"{"last_query":"网格员"}"#).unwrap();
        assert_eq!(s.last_query, "网格员");
        assert!(s.history.is_empty());
    }
}
