//! Which indicators can be compared across districts, and the typical cases that go with a project's numbers.

use std::collections::BTreeMap;

use serde::Serialize;

use super::indicator_key;
use crate::library::{Kind, Library, Meta, Record};
use crate::text::fold;

/// One indicator as the 横向对比 picker lists it: synonyms merged under one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorEntry {
    /// The name to compare by: the first of its synonym group, else the name as most often written.
    pub name: String,
    pub unit: String,
    /// How many projects report it, and in how many districts.
    pub projects: usize,
    pub districts: usize,
}

/// Every indicator reported by at least one project, those reported by most districts first.
pub fn indicator_catalog(lib: &Library) -> Vec<IndicatorEntry> {
    // Key: the folded canonical name. Value: (display name, unit, projects, districts).
    let mut groups: BTreeMap<String, (String, String, usize, Vec<String>)> = BTreeMap::new();
    for p in lib.of_kind(Kind::Project) {
        let Meta::Project(meta) = &p.meta else { continue };
        let district = lib.district_of(p).unwrap_or("").to_string();
        for ind in &meta.indicators {
            let Some(name) = ind.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) else { continue };
            let folded = fold(name);
            let canonical = lib
                .config
                .synonyms
                .iter()
                .find(|g| g.iter().any(|s| fold(s) == folded))
                .and_then(|g| g.first().cloned())
                .unwrap_or_else(|| name.to_string());
            let unit = ind.unit.clone().unwrap_or_default().trim().to_string();
            // One entry per indicator and unit: the same name in two units cannot be compared as one.
            let key = format!("{}\u{0}{}", indicator_key(&lib.config, name), fold(&unit));
            let entry = groups.entry(key).or_insert_with(|| (canonical.clone(), unit, 0, Vec::new()));
            entry.2 += 1;
            if !entry.3.contains(&district) {
                entry.3.push(district.clone());
            }
        }
    }
    let mut out: Vec<IndicatorEntry> = groups
        .into_values()
        .map(|(name, unit, projects, districts)| IndicatorEntry { name, unit, projects, districts: districts.len() })
        .collect();
    out.sort_by(|a, b| b.districts.cmp(&a.districts).then(b.projects.cmp(&a.projects)).then(a.name.cmp(&b.name)));
    out
}

/// The 典型案例 write-ups of a project: the stories behind its numbers.
pub fn typical_cases<'a>(lib: &'a Library, project: &'a Record) -> Vec<&'a Record> {
    let case = crate::library::rules::typical_case_type(&lib.config);
    lib.writeups_of(project).filter(|w| lib.type_of(w) == Some(case)).collect()
}

/// The document type of a typical case; owned by [`crate::library::rules`].
pub use crate::library::rules::TYPICAL_CASE;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Config, TextEncoding};

    fn rec(path: &str, text: &str) -> Record {
        Record::parse(path.into(), text, TextEncoding::Utf8).unwrap()
    }

    #[test]
    fn synonyms_merge_and_typical_cases_are_found() {
        let mut config = Config::default();
        config.synonyms = vec![vec!["矛盾纠纷调解成功率".into(), "调解成功率".into()]];
        let ind = |n: &str| format!("indicators:\n  - {{name: {n}, unit: \"%\", better: higher}}\n");
        let lib = Library::from_records(
            ".".into(),
            config,
            vec![
                rec(
                    "a.md",
                    &format!("---\nkind: project\nid: a\nname: 甲\ndistrict: 渝中区\n{}---\n", ind("调解成功率")),
                ),
                rec(
                    "b.md",
                    &format!(
                        "---\nkind: project\nid: b\nname: 乙\ndistrict: 江北区\n{}---\n",
                        ind("矛盾纠纷调解成功率")
                    ),
                ),
                rec(
                    "c.md",
                    &format!("---\nkind: project\nid: c\nname: 丙\ndistrict: 江北区\n{}---\n", ind("信访总量")),
                ),
                rec("a1.md", "---\nid: a1\ntitle: 案例\nproject: a\ntype: 典型案例\n---\n"),
                rec("a2.md", "---\nid: a2\ntitle: 经验\nproject: a\n---\n"),
            ],
            vec![],
        );
        let cat = indicator_catalog(&lib);
        assert_eq!(
            cat[0],
            IndicatorEntry { name: "矛盾纠纷调解成功率".into(), unit: "%".into(), projects: 2, districts: 2 }
        );
        assert_eq!(cat[1].name, "信访总量");
        let a = lib.get("a").unwrap();
        assert_eq!(typical_cases(&lib, a).iter().map(|r| r.id().unwrap()).collect::<Vec<_>>(), ["a1"]);
    }
}
