//! A record's facts — district, themes, document type, projects, year — resolved through the gazetteer and the
//! taxonomy, with the inheritance rules decided once:
//!
//! - **district**: the record's own; a write-up without one takes its project's; a site without one takes its
//!   first linked project's;
//! - **themes**: the record's own; a write-up without any takes its project's; a site has the themes of all its
//!   projects (in order, without repeats); a collection has none;
//! - **document type**: write-ups only — the written type as configured, or the default type
//!   ([`super::rules::default_type`]); other kinds have none (their kind is their own facet);
//! - **projects**: a write-up's project (as written when it names none known); a project itself; a site's linked
//!   projects, each named by id or by name;
//! - **year**: the record's own ([`Record::year`]).
//!
//! The library ([`Library`](super::Library)) and the search index (which keeps what it needs of each project
//! between syncs) both resolve projects through [`Projects`], so the detail page, the facets and the exports
//! cannot disagree.

use serde::{Deserialize, Serialize};

use super::{Config, Kind, Meta, Record, rules};

/// What a record inherits from its project, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectFacts {
    pub id: String,
    pub name: String,
    pub district: Option<String>,
    pub themes: Vec<String>,
}

/// Finds a project as a record names it (`project:` of a write-up, `projects:` of a site): by id, then by name.
pub trait Projects {
    fn find(&self, written: &str) -> Option<&ProjectFacts>;
}

/// The facts of a project record, if it is one with an id.
pub fn project_facts(record: &Record, config: &Config) -> Option<ProjectFacts> {
    let Meta::Project(p) = &record.meta else { return None };
    Some(ProjectFacts {
        id: record.id()?.to_string(),
        name: p.name.as_deref().unwrap_or_default().trim().to_string(),
        district: p.district.as_deref().map(|d| config.district_name(d).to_string()),
        themes: p.themes.iter().map(|t| config.theme_name(t).to_string()).collect(),
    })
}

/// Everything resolved about one record (see the module documentation for the rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub kind: Kind,
    pub district: Option<String>,
    pub themes: Vec<String>,
    pub doc_type: Option<String>,
    /// (id, name) of each project the record belongs to or shows.
    pub projects: Vec<(String, String)>,
    pub year: Option<i32>,
}

/// All the facts of `record`.
pub fn facts(record: &Record, config: &Config, projects: &impl Projects) -> Facts {
    Facts {
        kind: record.kind(),
        district: district(record, config, projects).map(str::to_string),
        themes: themes(record, config, projects),
        doc_type: doc_type(record, config).map(str::to_string),
        projects: linked_projects(record, projects),
        year: record.year(),
    }
}

/// The district, as the gazetteer names it.
pub fn district<'a>(record: &'a Record, config: &'a Config, projects: &'a impl Projects) -> Option<&'a str> {
    if let Some(d) = record.district_raw() {
        return Some(config.district_name(d));
    }
    match &record.meta {
        Meta::Writeup(w) => projects.find(w.project.as_deref()?)?.district.as_deref(),
        Meta::Site(s) => s.projects.iter().find_map(|p| projects.find(p)?.district.as_deref()),
        Meta::Project(_) | Meta::Collection(_) => None,
    }
}

/// The themes, as the taxonomy names them.
pub fn themes(record: &Record, config: &Config, projects: &impl Projects) -> Vec<String> {
    let own: Vec<String> = record.themes_raw().iter().map(|t| config.theme_name(t).to_string()).collect();
    match &record.meta {
        Meta::Writeup(w) if own.is_empty() => {
            w.project.as_deref().and_then(|p| projects.find(p)).map(|p| p.themes.clone()).unwrap_or_default()
        }
        Meta::Site(s) => {
            let mut out = own;
            for t in s.projects.iter().filter_map(|p| projects.find(p)).flat_map(|p| &p.themes) {
                if !out.contains(t) {
                    out.push(t.clone());
                }
            }
            out
        }
        _ => own,
    }
}

/// The document type of a write-up, as configured; `None` for the other kinds.
pub fn doc_type<'a>(record: &'a Record, config: &'a Config) -> Option<&'a str> {
    let Meta::Writeup(w) = &record.meta else { return None };
    Some(match w.doc_type.as_deref() {
        Some(t) => config.type_name(t),
        None => rules::default_type(config),
    })
}

/// (id, name) of the projects a record belongs to (a write-up), is (a project) or shows (a site).
pub fn linked_projects(record: &Record, projects: &impl Projects) -> Vec<(String, String)> {
    let known = |p: &ProjectFacts| (p.id.clone(), p.name.clone());
    match &record.meta {
        Meta::Writeup(w) => match w.project.as_deref() {
            Some(written) => match projects.find(written) {
                Some(p) => vec![known(p)],
                None => vec![(written.trim().to_string(), written.trim().to_string())],
            },
            None => Vec::new(),
        },
        Meta::Project(_) => {
            vec![(record.id().unwrap_or(&record.path).to_string(), record.title().trim().to_string())]
        }
        Meta::Site(s) => s.projects.iter().filter_map(|p| projects.find(p)).map(known).collect(),
        Meta::Collection(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Library, TextEncoding};

    fn library(files: &[(&str, &str)]) -> Library {
        let records = files
            .iter()
            .map(|(path, text)| Record::parse(path.to_string(), text, TextEncoding::Utf8).unwrap())
            .collect();
        Library::from_records("/nowhere".into(), Config::default(), records, Vec::new())
    }

    #[test]
    fn sites_and_writeups_inherit_by_one_rule() {
        let lib = library(&[
            ("p.md", "---\nkind: project\nid: p1\nname: 院落议事\ndistrict: 渝中\nthemes: [党委领导]\n---\n"),
            (
                "q.md",
                "---\nkind: project\nid: p2\nname: 枫桥工作法\ndistrict: 渝中区\nthemes: [社会矛盾, 党委领导]\n---\n",
            ),
            ("w.md", "---\nid: w1\ntitle: 甲\nproject: 院落议事\nyear: 2021\n---\n"),
            ("s.md", "---\nkind: site\nid: s1\nname: 点\nprojects: [p1, 枫桥工作法]\n---\n"),
        ]);
        let w = lib.get("w1").unwrap();
        let s = lib.get("s1").unwrap();
        let p = lib.get("p1").unwrap();
        assert_eq!(lib.district_of(w), Some("渝中区"), "a write-up takes its project's district, named by name");
        assert_eq!(lib.themes_of(w), ["党委领导"]);
        assert_eq!(lib.type_of(w), Some("经验材料"));
        assert_eq!(lib.district_of(s), Some("渝中区"), "a site takes its first project's district");
        assert_eq!(lib.themes_of(s), ["党委领导", "社会矛盾"], "a site has its projects' themes");
        assert_eq!(lib.type_of(s), None, "only write-ups have a document type");
        assert_eq!(lib.type_of(p), None);
        let f = facts(s, &lib.config, &lib);
        assert_eq!(f.projects, [("p1".into(), "院落议事".into()), ("p2".into(), "枫桥工作法".into())]);
    }
}
