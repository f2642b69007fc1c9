//! The acceptance overview (迎验收): per district, is everything the pilot asks for in place?
//!
//! Every claimed project with at least two 经验材料, 3–4 demonstration sites, indicators with before and after.
//! Each count carries the ids behind it, so a view can click through to the items.

use std::collections::BTreeMap;

use serde::Serialize;

use super::check::experience_counts;
use super::{Library, Meta};

/// One district's readiness.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DistrictRow {
    pub district: String,
    /// Ids of claimed projects.
    pub projects: Vec<String>,
    /// Ids of write-ups (all types).
    pub writeups: Vec<String>,
    /// Ids of 经验材料.
    pub experience: Vec<String>,
    /// Ids of write-ups whose type waits for confirmation (not counted as 经验材料).
    pub pending: Vec<String>,
    /// Projects with fewer than two 经验材料.
    pub incomplete: Vec<String>,
    /// Ids of demonstration sites.
    pub sites: Vec<String>,
    /// Projects whose every indicator has a before- and an after-value (and that have at least one).
    pub indicators_complete: Vec<String>,
}

impl DistrictRow {
    /// Sites against the 3–4 rule: `true` when the district prepared 3 or 4.
    pub fn sites_ok(&self) -> bool {
        super::rules::sites_enough(self.sites.len())
    }

    /// Whether the district meets every rule.
    pub fn ready(&self) -> bool {
        !self.projects.is_empty()
            && self.incomplete.is_empty()
            && self.sites_ok()
            && self.indicators_complete.len() == self.projects.len()
    }
}

/// Rows for every district that has any record, in gazetteer order.
pub fn overview(lib: &Library) -> Vec<DistrictRow> {
    let counts = experience_counts(lib);
    let mut rows: BTreeMap<String, DistrictRow> = BTreeMap::new();
    for r in &lib.records {
        let Some(d) = lib.district_of(r) else { continue };
        let Some(id) = r.id() else { continue };
        let row =
            rows.entry(d.to_string()).or_insert_with(|| DistrictRow { district: d.to_string(), ..Default::default() });
        match &r.meta {
            Meta::Project(p) => {
                row.projects.push(id.to_string());
                if !super::rules::experience_enough(counts.get(id).copied().unwrap_or(0)) {
                    row.incomplete.push(id.to_string());
                }
                if super::rules::indicators_complete(p) {
                    row.indicators_complete.push(id.to_string());
                }
            }
            Meta::Writeup(_) => {
                row.writeups.push(id.to_string());
                if super::rules::is_experience(lib, r) {
                    row.experience.push(id.to_string());
                } else if super::rules::is_pending(lib, r) {
                    row.pending.push(id.to_string());
                }
            }
            Meta::Site(_) => row.sites.push(id.to_string()),
            Meta::Collection(_) => {}
        }
    }
    let order: BTreeMap<&str, usize> =
        lib.config.districts.iter().enumerate().map(|(i, d)| (d.name.as_str(), i)).collect();
    let mut out: Vec<DistrictRow> = rows.into_values().collect();
    out.sort_by_key(|r| (order.get(r.district.as_str()).copied().unwrap_or(usize::MAX), r.district.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Config, Record, TextEncoding};

    fn rec(path: &str, text: &str) -> Record {
        Record::parse(path.into(), text, TextEncoding::Utf8).unwrap()
    }

    #[test]
    fn counts_per_district() {
        let records = vec![
            rec(
                "p1.md",
                "---\nkind: project\nid: p1\nname: 甲\ndistrict: 合川区\nthemes: [党委领导]\nindicators:\n  - {name: x, unit: 个, better: higher, before: {period: 2019, value: 1}, after: {period: 2021, value: 2}}\n---\n",
            ),
            rec("p2.md", "---\nkind: project\nid: p2\nname: 乙\ndistrict: 合川\nthemes: [党委领导]\n---\n"),
            rec("w1.md", "---\nid: w1\ntitle: a\nproject: p1\ndistrict: 合川区\nyear: 2021\n---\n"),
            rec("w2.md", "---\nid: w2\ntitle: b\nproject: p1\ndistrict: 合川区\nyear: 2021\n---\n"),
            rec("w3.md", "---\nid: w3\ntitle: c\nproject: p2\ndistrict: 合川区\ntype: 典型案例\nyear: 2021\n---\n"),
            rec("s1.md", "---\nkind: site\nid: s1\nname: 站\ndistrict: 合川区\n---\n"),
            rec("x.md", "---\nid: x\ntitle: d\ndistrict: 渝中区\nyear: 2021\n---\n"),
        ];
        let lib = Library::from_records(".".into(), Config::default(), records, vec![]);
        let rows = overview(&lib);
        assert_eq!(rows.iter().map(|r| r.district.as_str()).collect::<Vec<_>>(), ["渝中区", "合川区"]);
        let h = &rows[1];
        assert_eq!(h.projects, ["p1", "p2"]);
        assert_eq!(h.writeups.len(), 3);
        assert_eq!(h.experience, ["w1", "w2"]);
        assert_eq!(h.incomplete, ["p2"]);
        assert_eq!(h.sites, ["s1"]);
        assert!(!h.sites_ok());
        assert_eq!(h.indicators_complete, ["p1"]);
        assert!(!h.ready());
    }
}
