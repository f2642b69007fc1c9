//! One record and the records it names, read from the files the index points at: what `casebook show` needs,
//! without reading the whole library (at 10k write-ups, reading every file took half a second).

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::SearchError;
use super::index::SearchIndex;
use crate::library::{Library, Meta, Record, read_record};

impl SearchIndex {
    /// A library holding the record with this id and the records it names (a write-up's project, a site's
    /// projects, a collection's items): enough to state its inherited facts (district, themes) and name what it
    /// refers to, by the same rules as a library read whole. `None` when no record has this id; with several,
    /// the first by path, as [`Library::get`] finds it.
    pub fn record_library(&self, id: &str) -> Result<Option<Library>, SearchError> {
        let id = id.trim();
        for path in self.paths_with_id(id)? {
            let Ok(record) = read_record(&self.root, &path) else { continue };
            if record.id() != Some(id) {
                // The index keys a record without an id by its path.
                continue;
            }
            let mut paths: Vec<String> = match &record.meta {
                Meta::Writeup(w) => w.project.iter().filter_map(|p| self.project_path(p)).collect(),
                Meta::Site(s) => s.projects.iter().filter_map(|p| self.project_path(p)).collect(),
                Meta::Collection(c) => {
                    let mut named = Vec::new();
                    for item in c.items.iter().filter_map(|item| item.id.as_deref()) {
                        named.extend(self.paths_with_id(item.trim())?.into_iter().next());
                    }
                    named
                }
                Meta::Project(_) => Vec::new(),
            };
            paths.sort();
            paths.dedup();
            let mut records: Vec<Record> = paths
                .iter()
                .filter(|p| **p != path)
                .filter_map(|p| read_record(&self.root, p).ok())
                .chain([record])
                .collect();
            // In path order, as a library read whole holds them: the first of two records with one id wins.
            records.sort_by(|a, b| a.path.cmp(&b.path));
            return Ok(Some(Library::from_records(self.root.clone(), self.config.clone(), records, Vec::new())));
        }
        Ok(None)
    }

    /// Paths of the indexed records whose id is `id`, in path order.
    fn paths_with_id(&self, id: &str) -> Result<Vec<String>, SearchError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic);
        let mut paths = Vec::new();
        for addr in searcher.search(&query, &DocSetCollector)? {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(path) = doc.get_first(self.fields.path).and_then(|v| v.as_str()) {
                paths.push(path.to_string());
            }
        }
        paths.sort();
        Ok(paths)
    }

    /// The path of the project a record names, by id first and then by name, as [`Library::resolve_project`]
    /// resolves it, from the project table the index keeps.
    fn project_path(&self, written: &str) -> Option<String> {
        let written = written.trim();
        let projects = &self.manifest.projects.by_path;
        let by_id = projects.iter().find(|(_, info)| info.id == written);
        let found = by_id.or_else(|| projects.iter().find(|(_, info)| info.name.trim() == written));
        found.map(|(path, _)| path.clone())
    }
}
