//! From a parsed record to what the index stores: the facets are the record's [`facts`](crate::library::facts)
//! (the same resolution and inheritance as the library's detail pages), and the text to search.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;

use super::schema::Fields;
use crate::library::facts::{self, ProjectFacts, Projects};
use crate::library::{Config, Meta, Record};
use crate::text::markdown_to_plain;

/// What the index remembers of a project, so that a write-up changed alone can still inherit from it.
pub type ProjectInfo = ProjectFacts;

/// Projects by path, as last indexed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProjectTable {
    pub by_path: BTreeMap<String, ProjectInfo>,
}

impl ProjectTable {
    /// Lookups by id and by name.
    pub fn lookup(&self) -> ProjectLookup<'_> {
        let mut by_id = HashMap::new();
        let mut by_name = HashMap::new();
        for info in self.by_path.values() {
            by_id.entry(info.id.as_str()).or_insert(info);
            by_name.entry(info.name.as_str()).or_insert(info);
        }
        ProjectLookup { by_id, by_name }
    }
}

/// Borrowed id/name index over a [`ProjectTable`].
pub struct ProjectLookup<'a> {
    by_id: HashMap<&'a str, &'a ProjectInfo>,
    by_name: HashMap<&'a str, &'a ProjectInfo>,
}

impl Projects for ProjectLookup<'_> {
    fn find(&self, written: &str) -> Option<&ProjectFacts> {
        let w = written.trim();
        self.by_id.get(w).or_else(|| self.by_name.get(w)).copied()
    }
}

/// The project facts of a project record, if it has an id.
pub fn project_info(record: &Record, config: &Config) -> Option<ProjectInfo> {
    facts::project_facts(record, config)
}

/// Everything the index keeps of one record.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexDoc {
    pub path: String,
    pub id: String,
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    pub text: String,
    pub district: Option<String>,
    pub themes: Vec<String>,
    pub doc_type: Option<String>,
    pub year: Option<i32>,
    pub projects: Vec<(String, String)>,
}

fn push_line(text: &mut String, s: &str) {
    if !s.trim().is_empty() {
        text.push('\n');
        text.push_str(s.trim());
    }
}

/// Builds the indexed form of a record.
pub fn index_doc(record: &Record, config: &Config, projects: &ProjectLookup) -> IndexDoc {
    let body = markdown_to_plain(&record.body);
    let mut text = record.title().to_string();
    let facts = facts::facts(record, config, projects);
    let mut doc = IndexDoc {
        path: record.path.clone(),
        id: record.id().unwrap_or(&record.path).to_string(),
        kind: record.kind().keyword(),
        title: record.title().trim().to_string(),
        body: String::new(),
        text: String::new(),
        district: facts.district,
        themes: facts.themes,
        doc_type: facts.doc_type,
        year: facts.year,
        projects: facts.projects,
    };
    // The facts written in the front matter are text too: whoever searches 党委领导 or 渝中区 expects the records
    // that say so, as a plain-text search of the files would find them (literal recall, BENCHMARKS.md).
    for s in record.district_raw().into_iter().chain(record.themes_raw().iter().map(String::as_str)) {
        push_line(&mut text, s);
    }
    match &record.meta {
        Meta::Writeup(w) => {
            for s in w.doc_type.iter().chain(&w.project) {
                push_line(&mut text, s);
            }
            for s in w.tags.iter().chain(&w.author_unit).chain(&w.source) {
                push_line(&mut text, s);
            }
        }
        Meta::Project(p) => {
            for s in p.lead_unit.iter().chain(&p.partner_units).chain(&p.status) {
                push_line(&mut text, s);
            }
            for ind in &p.indicators {
                for x in ind.name.iter().chain(&ind.source) {
                    push_line(&mut text, x);
                }
            }
        }
        Meta::Site(s) => {
            for x in s.address.iter().chain(&s.highlight) {
                push_line(&mut text, x);
            }
            if let Some(r) = &s.reception {
                for x in r.contact.iter().chain(&r.parking).chain(&r.notes) {
                    push_line(&mut text, x);
                }
            }
            for stop in &s.stops {
                for x in stop.name.iter().chain(&stop.what).chain(&stop.presenter) {
                    push_line(&mut text, x);
                }
            }
        }
        Meta::Collection(c) => {
            for x in c.audience.iter().chain(c.items.iter().filter_map(|i| i.note.as_ref())).chain(&c.questions) {
                push_line(&mut text, x);
            }
        }
    }
    push_line(&mut text, &body);
    doc.body = body;
    doc.text = text;
    doc
}

impl IndexDoc {
    /// The tantivy document.
    pub fn to_tantivy(&self, f: &Fields) -> TantivyDocument {
        let mut d = TantivyDocument::new();
        d.add_text(f.path, &self.path);
        d.add_text(f.id, &self.id);
        d.add_text(f.kind, self.kind);
        d.add_text(f.title, &self.title);
        d.add_text(f.title_bigram, &self.title);
        d.add_text(f.title_jieba, &self.title);
        d.add_text(f.body, &self.body);
        d.add_text(f.text_bigram, &self.text);
        d.add_text(f.text_jieba, &self.text);
        if let Some(x) = &self.district {
            d.add_text(f.district, x);
        }
        for t in &self.themes {
            d.add_text(f.theme, t);
        }
        if let Some(x) = &self.doc_type {
            d.add_text(f.doc_type, x);
        }
        if let Some(y) = self.year {
            d.add_text(f.year, y.to_string());
        }
        for (id, name) in &self.projects {
            d.add_text(f.project, id);
            d.add_text(f.project_name, name);
            // A write-up is also found by the name of the project it belongs to, as if it were in its title.
            if !name.is_empty() && *name != self.title && name != id {
                d.add_text(f.title_bigram, name);
                d.add_text(f.title_jieba, name);
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Library, TextEncoding};

    #[test]
    fn the_index_resolves_facts_as_the_library_does() {
        let texts = [
            ("p.md", "---\nkind: project\nid: p1\nname: 院落议事\ndistrict: 渝中\nthemes: [党委领导]\n---\n"),
            ("w.md", "---\nid: w1\ntitle: 甲\nproject: p1\nyear: 2021\n---\n正文\n"),
            ("s.md", "---\nkind: site\nid: s1\nname: 点\nprojects: [院落议事]\n---\n"),
        ];
        let records: Vec<Record> =
            texts.iter().map(|(p, t)| Record::parse(p.to_string(), t, TextEncoding::Utf8).unwrap()).collect();
        let lib = Library::from_records("/nowhere".into(), Config::default(), records, Vec::new());
        let mut table = ProjectTable::default();
        for r in &lib.records {
            if let Some(info) = project_info(r, &lib.config) {
                table.by_path.insert(r.path.clone(), info);
            }
        }
        let lookup = table.lookup();
        for r in &lib.records {
            let doc = index_doc(r, &lib.config, &lookup);
            assert_eq!(doc.district.as_deref(), lib.district_of(r), "{}", r.path);
            assert_eq!(doc.themes, lib.themes_of(r), "{}", r.path);
            assert_eq!(doc.doc_type.as_deref(), lib.type_of(r), "{}", r.path);
        }
        let site = index_doc(lib.get("s1").unwrap(), &lib.config, &lookup);
        assert_eq!((site.themes, site.doc_type), (vec!["党委领导".to_string()], None), "a site's facets");
    }
}
