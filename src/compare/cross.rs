//! 横向对比: every project reporting the same indicator (names matched through the synonym groups), ranked by
//! improvement. Units must agree: comparing 件 with % would mislead, so a mismatch is refused, naming both.

use serde::Serialize;

use super::{IndicatorChange, indicator_change};
use crate::library::{Better, Kind, Library, Meta};
use crate::text::fold;

/// Why a comparison could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CompareError {
    #[error("没有项目填报指标 “{0}”（已按同义词查找）")]
    NotFound(String),
    #[error("指标 “{name}” 的单位不一致：{first_project} 用 “{first}”，{second_project} 用 “{second}”，无法横向对比")]
    UnitMismatch { name: String, first: String, first_project: String, second: String, second_project: String },
}

/// One project's figures for the compared indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossRow {
    pub project: String,
    pub project_name: String,
    pub district: String,
    pub claimed: Option<i32>,
    /// The change, signed so that larger is better (percentage when defined, else absolute).
    pub improvement: Option<f64>,
    #[serde(flatten)]
    pub change: IndicatorChange,
}

/// The comparison table: the indicator, its unit and the rows, best improvement first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossTable {
    pub indicator: String,
    /// Every name the rows use (synonyms).
    pub names: Vec<String>,
    pub unit: String,
    pub rows: Vec<CrossRow>,
}

fn normalize_unit(unit: &str) -> String {
    fold(unit.trim())
}

/// Compares every project reporting `name` (or a synonym), optionally only projects with a theme or claimed in
/// a year.
pub fn cross_district(
    lib: &Library,
    name: &str,
    theme: Option<&str>,
    year: Option<i32>,
) -> Result<CrossTable, CompareError> {
    let wanted = fold(name.trim());
    let mut names: Vec<String> = vec![wanted.clone()];
    for group in &lib.config.synonyms {
        if group.iter().any(|s| fold(s) == wanted) {
            names.extend(group.iter().map(|s| fold(s)));
        }
    }
    let theme = theme.map(|t| lib.config.theme_name(t).to_string());
    let mut rows = Vec::new();
    let mut unit: Option<(String, String)> = None;
    let mut used_names = Vec::new();
    for p in lib.of_kind(Kind::Project) {
        let Meta::Project(meta) = &p.meta else { continue };
        if theme.as_ref().is_some_and(|t| !lib.themes_of(p).contains(t))
            || year.is_some_and(|y| meta.claimed != Some(y))
        {
            continue;
        }
        for ind in &meta.indicators {
            let Some(ind_name) = ind.name.as_deref() else { continue };
            if !names.contains(&fold(ind_name.trim())) {
                continue;
            }
            let id = p.id().unwrap_or("").to_string();
            let this_unit = normalize_unit(ind.unit.as_deref().unwrap_or(""));
            match &unit {
                None => unit = Some((this_unit.clone(), id.clone())),
                Some((u, first)) if *u != this_unit => {
                    return Err(CompareError::UnitMismatch {
                        name: name.trim().to_string(),
                        first: u.clone(),
                        first_project: first.clone(),
                        second: this_unit,
                        second_project: id,
                    });
                }
                Some(_) => {}
            }
            if !used_names.iter().any(|n: &String| n == ind_name.trim()) {
                used_names.push(ind_name.trim().to_string());
            }
            let change = indicator_change(ind);
            let sign = match change.better {
                Some(Better::Lower) => -1.0,
                _ => 1.0,
            };
            let improvement = change.change_pct.or(change.change).map(|c| c * sign);
            rows.push(CrossRow {
                project: id,
                project_name: p.title().to_string(),
                district: lib.district_of(p).unwrap_or("").to_string(),
                claimed: meta.claimed,
                improvement,
                change,
            });
        }
    }
    let Some((unit, _)) = unit else { return Err(CompareError::NotFound(name.trim().to_string())) };
    rows.sort_by(|a, b| match (a.improvement, b.improvement) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.project.cmp(&b.project)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.project.cmp(&b.project),
    });
    Ok(CrossTable { indicator: name.trim().to_string(), names: used_names, unit, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Config, Record, TextEncoding};

    fn project(id: &str, district: &str, theme: &str, ind: &str) -> Record {
        let text = format!(
            "---\nkind: project\nid: {id}\nname: 项目{id}\ndistrict: {district}\nthemes: [{theme}]\nclaimed: 2020\nindicators:\n{ind}---\n"
        );
        Record::parse(format!("{id}.md"), &text, TextEncoding::Utf8).unwrap()
    }

    fn ind(name: &str, unit: &str, better: &str, before: f64, after: Option<f64>) -> String {
        let after = after.map(|a| format!("    after: {{period: \"2021\", value: {a}}}\n")).unwrap_or_default();
        format!(
            "  - name: {name}\n    unit: \"{unit}\"\n    better: {better}\n    before: {{period: \"2019\", value: {before}}}\n{after}"
        )
    }

    fn lib(records: Vec<Record>) -> Library {
        Library::from_records(".".into(), Config::default(), records, vec![])
    }

    #[test]
    fn synonyms_across_districts_ranked_by_improvement() {
        let l = lib(vec![
            project("a", "渝中区", "社会矛盾", &ind("矛盾纠纷调解成功率", "%", "higher", 90.0, Some(95.0))),
            project("b", "合川区", "社会矛盾", &ind("矛盾纠纷化解成功率", "%", "higher", 80.0, Some(96.0))),
            project("c", "江北区", "法治保障", &ind("调解成功率", "％", "higher", 50.0, None)),
        ]);
        let t = cross_district(&l, "矛盾纠纷调解成功率", None, None).unwrap();
        assert_eq!(t.unit, "%");
        assert_eq!(t.rows.iter().map(|r| r.project.as_str()).collect::<Vec<_>>(), ["b", "a", "c"]);
        assert!((t.rows[0].improvement.unwrap() - 20.0).abs() < 1e-9);
        assert!((t.rows[1].improvement.unwrap() - 500.0 / 90.0).abs() < 1e-9);
        assert_eq!(t.rows[2].improvement, None);
        assert_eq!(t.names.len(), 3);
        let only = cross_district(&l, "调解成功率", Some("法治保障"), None).unwrap();
        assert_eq!(only.rows.len(), 1);
        assert_eq!(
            cross_district(&l, "调解成功率", None, Some(2019)),
            Err(CompareError::NotFound("调解成功率".into()))
        );
    }

    #[test]
    fn lower_is_better_ranks_the_largest_fall_first() {
        let l = lib(vec![
            project("a", "渝中区", "社会矛盾", &ind("信访总量", "件", "lower", 1000.0, Some(900.0))),
            project("b", "合川区", "社会矛盾", &ind("信访总量", "件", "lower", 500.0, Some(300.0))),
            project("c", "江北区", "社会矛盾", &ind("信访总量", "件", "lower", 0.0, Some(3.0))),
        ]);
        let t = cross_district(&l, "信访总量", None, None).unwrap();
        assert_eq!(t.rows.iter().map(|r| r.project.as_str()).collect::<Vec<_>>(), ["b", "a", "c"]);
        // Zero baseline: no percentage, so the absolute change (+3, worse) ranks it.
        assert_eq!(t.rows[2].change.change_pct, None);
        assert_eq!(t.rows[2].improvement, Some(-3.0));
    }

    #[test]
    fn mismatched_units_are_refused() {
        let l = lib(vec![
            project("a", "渝中区", "社会矛盾", &ind("信访总量", "件", "lower", 10.0, Some(5.0))),
            project("b", "合川区", "社会矛盾", &ind("信访总量", "%", "lower", 10.0, Some(5.0))),
        ]);
        let e = cross_district(&l, "信访总量", None, None).unwrap_err();
        assert_eq!(e.to_string(), "指标 “信访总量” 的单位不一致：a 用 “件”，b 用 “%”，无法横向对比");
    }
}
