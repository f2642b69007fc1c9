//! 横向对比: every project reporting the same indicator (names matched through the synonym groups), ranked by
//! improvement. Units must agree: comparing 件 with % would mislead, so a mismatch is refused, naming both.

use serde::Serialize;

use super::{IndicatorChange, indicator_change, indicator_key};
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

/// What a row's improvement measures: one rule, so the chart, the table and the CSV say the same thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// A rate in %: the change in percentage points (a rate that rises from 78.4 % to 93.6 % improved by 15.2
    /// points, not by 19.4 %).
    Points,
    /// A count or amount: the change relative to the baseline, in %.
    Relative,
    /// A count from a zero baseline: the change itself, in the indicator's unit.
    Absolute,
}

impl Measure {
    /// What the number is, for an axis or a column heading.
    pub fn label(self, unit: &str) -> String {
        match self {
            Measure::Points => "改善幅度（百分点）".into(),
            Measure::Relative => "改善幅度（%）".into(),
            Measure::Absolute if unit.is_empty() => "改善幅度".into(),
            Measure::Absolute => format!("改善幅度（{unit}）"),
        }
    }

    /// A value with its sign and unit: +15.2 个百分点, +12.5%, −3 件.
    pub fn format(self, value: f64, unit: &str) -> String {
        let sign = if value > 0.0 {
            "+"
        } else if value < 0.0 {
            "−"
        } else {
            ""
        };
        let n = super::format_number(value.abs());
        match self {
            Measure::Points => format!("{sign}{n} 个百分点"),
            Measure::Relative => format!("{sign}{n}%"),
            Measure::Absolute if unit.is_empty() => format!("{sign}{n}"),
            Measure::Absolute => format!("{sign}{n} {unit}"),
        }
    }
}

/// The improvement of a change, signed so that larger is better, and what it measures.
pub fn improvement(change: &IndicatorChange) -> Option<(f64, Measure)> {
    let sign = match change.better {
        Some(Better::Lower) => -1.0,
        _ => 1.0,
    };
    let (value, measure) = if fold(change.unit.trim()) == "%" {
        (change.change?, Measure::Points)
    } else if let Some(pct) = change.change_pct {
        (pct, Measure::Relative)
    } else {
        (change.change?, Measure::Absolute)
    };
    Some((value * sign, measure))
}

/// One project's figures for the compared indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossRow {
    pub project: String,
    pub project_name: String,
    pub district: String,
    pub claimed: Option<i32>,
    /// The change, signed so that larger is better ([`improvement`]: percentage points for a rate, the change
    /// relative to the baseline for a count, the change itself from a zero baseline).
    pub improvement: Option<f64>,
    /// What `improvement` measures.
    pub measure: Option<Measure>,
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

impl CrossTable {
    /// The measure every ranked row shares; `None` when rows differ (a count with some zero baselines) or none
    /// has an improvement.
    pub fn measure(&self) -> Option<Measure> {
        let mut measures = self.rows.iter().filter_map(|r| r.measure);
        let first = measures.next()?;
        measures.all(|m| m == first).then_some(first)
    }

    /// The note under the title: how the rows are ranked.
    pub fn ranking_note(&self) -> String {
        let how = match self.measure() {
            Some(Measure::Points) => "按改善幅度排序（百分率指标按变化的百分点计）".to_string(),
            Some(Measure::Relative) => "按改善幅度排序（按相对试点前的变化率计）".to_string(),
            Some(Measure::Absolute) => "按改善幅度排序（试点前为 0，按变化的数量计）".to_string(),
            None => "按改善幅度排序（按相对试点前的变化率计；试点前为 0 的按变化的数量计，排在有变化率的之后比较）"
                .to_string(),
        };
        format!("单位：{}。{how}；越低越好的指标，下降即为改善。", self.unit)
    }
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
    let wanted = indicator_key(&lib.config, name);
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
            if indicator_key(&lib.config, ind_name) != wanted {
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
            let (improvement, measure) = match improvement(&change) {
                Some((value, measure)) => (Some(value), Some(measure)),
                None => (None, None),
            };
            rows.push(CrossRow {
                project: id,
                project_name: p.title().to_string(),
                district: lib.district_of(p).unwrap_or("").to_string(),
                claimed: meta.claimed,
                improvement,
                measure,
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
        // A rate improves by percentage points, as the table shows it.
        assert!((t.rows[0].improvement.unwrap() - 16.0).abs() < 1e-9);
        assert!((t.rows[1].improvement.unwrap() - 5.0).abs() < 1e-9);
        assert_eq!(t.rows[0].measure, Some(Measure::Points));
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
        assert_eq!(t.rows[2].measure, Some(Measure::Absolute));
        assert_eq!(t.rows[0].measure, Some(Measure::Relative));
        assert!((t.rows[0].improvement.unwrap() - 40.0).abs() < 1e-9);
        assert_eq!(Measure::Relative.format(40.0, "件"), "+40%");
        assert_eq!(Measure::Absolute.format(-3.0, "件"), "−3 件");
        assert_eq!(Measure::Points.format(15.2, "%"), "+15.2 个百分点");
    }

    #[test]
    fn names_written_differently_are_compared_as_one() {
        let l = lib(vec![
            project("a", "渝中区", "德治教化", &ind("家长学校覆盖率（农村社区）", "%", "higher", 60.0, Some(90.0))),
            project("b", "合川区", "德治教化", &ind("农村社区家长学校覆盖率", "%", "higher", 70.0, Some(80.0))),
        ]);
        let t = cross_district(&l, "农村社区家长学校覆盖率", None, None).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(crate::compare::indicator_catalog(&l).len(), 1);
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
