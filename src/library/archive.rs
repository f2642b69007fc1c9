//! 档案: the materials of each claimed project by year and type (纪要, 报表, 简报, 制度, 方案, 经验材料, 典型案例),
//! the gaps against the archive checklist, and the catalogue (档案目录) an inspection team reads.
//!
//! The seed asks districts to "分年度、分项目、分类型做好纪要、报表、简报、制度、方案等资料的收集、整理、归档". The
//! checklist says how many of each type a claimed project's archive should hold; it ships with defaults built from
//! the pilot's rules (two 经验材料, [`super::rules::MIN_EXPERIENCE`]) and is replaced by `casebook.yaml`'s
//! `archive_checklist`. Pure: computed from the loaded library, no file is read.

use std::collections::BTreeMap;

use serde::Serialize;

use super::original::original_of;
use super::{Kind, Library, Meta, Record, rules};

/// The checklist a library gets by default, for the types it has: one each of 工作方案, 制度文件, 会议纪要,
/// 工作简报, 报表 and 典型案例, and [`rules::MIN_EXPERIENCE`] 经验材料.
pub fn default_checklist(types: &[String]) -> Vec<(String, usize)> {
    let wanted: &[(&str, usize)] = &[
        ("工作方案", 1),
        ("制度文件", 1),
        ("会议纪要", 1),
        ("工作简报", 1),
        ("报表", 1),
        (rules::EXPERIENCE, rules::MIN_EXPERIENCE),
        (rules::TYPICAL_CASE, 1),
    ];
    let mut out: Vec<(String, usize)> =
        wanted.iter().filter(|(t, _)| types.iter().any(|c| c == t)).map(|(t, n)| (t.to_string(), *n)).collect();
    out.sort_by_key(|(t, _)| types.iter().position(|c| c == t).unwrap_or(usize::MAX));
    out
}

/// One material in the archive: enough to list it and open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub doc_type: String,
    pub year: Option<i32>,
    /// The record's date when it has one (`YYYY-MM-DD`), else its year.
    pub date: String,
    /// Whether an original (原件) is kept with it.
    pub has_original: bool,
}

/// A type of the checklist, for one project: what is there and what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub doc_type: String,
    /// How many the checklist asks for (0 for a type not on it).
    pub need: usize,
    pub items: Vec<Item>,
}

impl Line {
    /// How many are missing.
    pub fn missing(&self) -> usize {
        self.need.saturating_sub(self.items.len())
    }
}

/// One claimed project's archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectArchive {
    pub id: String,
    pub name: String,
    pub district: String,
    /// The checklist's types first (in its order), then any other type the project's materials have.
    pub lines: Vec<Line>,
    /// The years its materials are from, in order.
    pub years: Vec<i32>,
}

impl ProjectArchive {
    /// How many of `doc_type` the project has in `year` (`None`: without a year).
    pub fn count(&self, doc_type: &str, year: Option<i32>) -> usize {
        self.lines.iter().filter(|l| l.doc_type == doc_type).flat_map(|l| &l.items).filter(|i| i.year == year).count()
    }

    /// The checklist lines that miss something.
    pub fn gaps(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.missing() > 0)
    }
}

/// The archive of a library (or of one district): each claimed project, and the write-ups that belong to none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Archive {
    pub projects: Vec<ProjectArchive>,
    /// Write-ups of the district(s) that belong to no claimed project.
    pub unfiled: Vec<Item>,
}

impl Archive {
    /// Projects that miss anything on the checklist.
    pub fn incomplete(&self) -> impl Iterator<Item = &ProjectArchive> {
        self.projects.iter().filter(|p| p.gaps().next().is_some())
    }
}

fn item(lib: &Library, r: &Record) -> Option<Item> {
    let Meta::Writeup(w) = &r.meta else { return None };
    Some(Item {
        id: r.id()?.to_string(),
        title: r.title().to_string(),
        doc_type: lib.type_of(r).unwrap_or_default().to_string(),
        year: r.year(),
        date: w.date.clone().or_else(|| r.year().map(|y| y.to_string())).unwrap_or_default(),
        has_original: original_of(r).is_some(),
    })
}

/// The archive of every district, or of `district` (a name the gazetteer knows, short forms accepted).
pub fn archive(lib: &Library, district: Option<&str>) -> Archive {
    let district = district.map(|d| lib.config.district_name(d).to_string());
    let in_scope = |r: &Record| district.as_deref().is_none_or(|d| lib.district_of(r) == Some(d));
    let mut out = Archive::default();
    for p in lib.of_kind(Kind::Project).filter(|p| in_scope(p)) {
        let Some(id) = p.id() else { continue };
        let mut by_type: BTreeMap<String, Vec<Item>> = BTreeMap::new();
        for w in lib.writeups_of(p) {
            if let Some(i) = item(lib, w) {
                by_type.entry(i.doc_type.clone()).or_default().push(i);
            }
        }
        let mut lines: Vec<Line> = lib
            .config
            .archive_checklist
            .iter()
            .map(|(t, need)| Line { doc_type: t.clone(), need: *need, items: by_type.remove(t).unwrap_or_default() })
            .collect();
        lines.extend(by_type.into_iter().map(|(doc_type, items)| Line { doc_type, need: 0, items }));
        for l in &mut lines {
            l.items.sort_by(|a, b| (&a.date, &a.id).cmp(&(&b.date, &b.id)));
        }
        let mut years: Vec<i32> = lines.iter().flat_map(|l| &l.items).filter_map(|i| i.year).collect();
        years.sort_unstable();
        years.dedup();
        out.projects.push(ProjectArchive {
            id: id.to_string(),
            name: p.title().to_string(),
            district: lib.district_of(p).unwrap_or_default().to_string(),
            lines,
            years,
        });
    }
    out.projects.sort_by(|a, b| (&a.district, &a.id).cmp(&(&b.district, &b.id)));
    for r in lib.of_kind(Kind::Writeup).filter(|r| in_scope(r) && lib.project_of(r).is_none()) {
        out.unfiled.extend(item(lib, r));
    }
    out
}

/// One line of the 档案目录.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogRow {
    /// 序号, from 1.
    pub number: usize,
    /// 题名.
    pub title: String,
    /// 文种.
    pub doc_type: String,
    /// 日期 (or the year).
    pub date: String,
    /// 项目 (its name), empty for a write-up of no project.
    pub project: String,
    /// 区县.
    pub district: String,
    /// 页数, when the original says.
    pub pages: Option<u32>,
    /// 原件文件名.
    pub original: String,
    /// The original's SHA-256 as filed.
    pub sha256: String,
    /// The record's id (not printed in the catalogue; for links).
    pub id: String,
    /// The original's path relative to the library, when there is one.
    #[serde(skip)]
    pub original_rel: Option<String>,
}

/// The catalogue's column headings, in order (the id is not printed).
pub const CATALOG_HEADER: [&str; 9] =
    ["序号", "题名", "文种", "日期", "项目", "区县", "页数", "原件文件名", "SHA-256 校验值"];

impl CatalogRow {
    /// The printed cells, in [`CATALOG_HEADER`] order.
    pub fn cells(&self) -> [String; 9] {
        [
            self.number.to_string(),
            self.title.clone(),
            self.doc_type.clone(),
            self.date.clone(),
            self.project.clone(),
            self.district.clone(),
            self.pages.map(|p| p.to_string()).unwrap_or_default(),
            self.original.clone(),
            self.sha256.clone(),
        ]
    }
}

/// The 档案目录 of every district or of one: every write-up, by district, project, date and title.
pub fn catalog(lib: &Library, district: Option<&str>) -> Vec<CatalogRow> {
    let district = district.map(|d| lib.config.district_name(d).to_string());
    let mut rows: Vec<CatalogRow> = Vec::new();
    for r in lib.of_kind(Kind::Writeup) {
        let d = lib.district_of(r).unwrap_or_default().to_string();
        if district.as_deref().is_some_and(|want| want != d) {
            continue;
        }
        let Some(i) = item(lib, r) else { continue };
        let project = lib.project_of(r).map(|p| p.title().to_string()).unwrap_or_default();
        let original = original_of(r);
        let file = original.and_then(|o| o.file.as_deref()).unwrap_or_default();
        rows.push(CatalogRow {
            number: 0,
            title: i.title,
            doc_type: i.doc_type,
            date: i.date,
            project,
            district: d,
            pages: original.and_then(|o| o.pages),
            original: file.rsplit('/').next().unwrap_or_default().to_string(),
            sha256: original.and_then(|o| o.sha256.clone()).unwrap_or_default(),
            id: i.id,
            original_rel: original.and_then(|_| super::original::original_rel(&r.path, file)),
        });
    }
    let order = |d: &str| lib.config.districts.iter().position(|x| x.name == d).unwrap_or(usize::MAX);
    rows.sort_by(|a, b| {
        (order(&a.district), &a.project, &a.date, &a.title).cmp(&(order(&b.district), &b.project, &b.date, &b.title))
    });
    for (n, row) in rows.iter_mut().enumerate() {
        row.number = n + 1;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Library {
        Library::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).unwrap()
    }

    #[test]
    fn the_default_checklist_follows_the_rules() {
        let lib = corpus();
        let c = &lib.config.archive_checklist;
        assert!(c.contains(&(rules::EXPERIENCE.to_string(), rules::MIN_EXPERIENCE)), "{c:?}");
        assert!(c.iter().any(|(t, _)| t == "会议纪要") && c.iter().any(|(t, _)| t == "报表"));
    }

    #[test]
    fn every_project_has_its_lines_and_gaps() {
        let lib = corpus();
        let a = archive(&lib, Some("渝中"));
        assert!(!a.projects.is_empty() && a.projects.iter().all(|p| p.district == "渝中区"));
        let p = &a.projects[0];
        let experience = p.lines.iter().find(|l| l.doc_type == rules::EXPERIENCE).unwrap();
        assert_eq!(experience.need, rules::MIN_EXPERIENCE);
        assert_eq!(
            experience.items.len(),
            lib.writeups_of(lib.get(&p.id).unwrap()).filter(|w| rules::is_experience(&lib, w)).count()
        );
        // Counts by year add up to the items.
        for l in &p.lines {
            let by_year: usize =
                p.years.iter().map(|y| p.count(&l.doc_type, Some(*y))).sum::<usize>() + p.count(&l.doc_type, None);
            assert_eq!(by_year, l.items.len(), "{}", l.doc_type);
        }
        assert!(a.incomplete().count() > 0, "the sample library has no 报表 yet");
    }

    #[test]
    fn a_checklist_from_the_configuration() {
        let config = crate::library::Config::parse("archive_checklist:\n  会议纪要: 2\n  经验材料: 3\n").unwrap();
        assert_eq!(config.archive_checklist, [("经验材料".to_string(), 3), ("会议纪要".to_string(), 2)]);
    }

    #[test]
    fn the_catalogue_numbers_every_write_up() {
        let lib = corpus();
        let rows = catalog(&lib, Some("渝中区"));
        assert_eq!(rows.len(), lib.of_kind(Kind::Writeup).filter(|r| lib.district_of(r) == Some("渝中区")).count());
        assert!(rows.iter().enumerate().all(|(i, r)| r.number == i + 1));
        assert_eq!(rows[0].cells().len(), CATALOG_HEADER.len());
    }
}
