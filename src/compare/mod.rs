//! Before/after arithmetic on indicators: what changed, by how much, and whether that is better.
//!
//! Pure functions over the library model, so the project page, the exports and the command line all show the
//! same numbers. A percentage change from a zero baseline is undefined (`None`, shown as —), never ∞ or NaN.

mod catalog;
mod cross;
pub mod csv;
pub mod naming;

use serde::Serialize;

pub use catalog::{IndicatorEntry, TYPICAL_CASE, indicator_catalog, typical_cases};
pub use cross::{CompareError, CrossRow, CrossTable, Measure, cross_district};
pub use naming::indicator_key;

use crate::library::{Better, Indicator, Project};

/// Whether an indicator moved in its better direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    Improved,
    Worsened,
    Unchanged,
    /// No after-value yet, or no direction given.
    Unknown,
}

impl Trend {
    /// The word shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Trend::Improved => "改善",
            Trend::Worsened => "变差",
            Trend::Unchanged => "持平",
            Trend::Unknown => "—",
        }
    }
}

/// Everything computed for one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorChange {
    pub name: String,
    pub unit: String,
    pub better: Option<Better>,
    pub before: Option<f64>,
    pub before_period: Option<String>,
    pub after: Option<f64>,
    pub after_period: Option<String>,
    pub target: Option<f64>,
    /// after − before.
    pub change: Option<f64>,
    /// (after − before) / |before| × 100; `None` when the baseline is 0 or a value is missing.
    pub change_pct: Option<f64>,
    pub trend: Trend,
    /// Whether the after-value reaches the target (in the better direction).
    pub target_met: Option<bool>,
}

/// Computes the change of one indicator.
pub fn indicator_change(ind: &Indicator) -> IndicatorChange {
    let before = ind.before.as_ref().and_then(|m| m.value).filter(|v| v.is_finite());
    let after = ind.after.as_ref().and_then(|m| m.value).filter(|v| v.is_finite());
    let better = ind.direction();
    let change = match (before, after) {
        (Some(b), Some(a)) => Some(a - b),
        _ => None,
    };
    let change_pct = match (before, change) {
        (Some(b), Some(c)) if b != 0.0 => Some(c / b.abs() * 100.0),
        _ => None,
    };
    let trend = match (change, better) {
        (Some(0.0), _) => Trend::Unchanged,
        (Some(c), Some(Better::Higher)) => {
            if c > 0.0 {
                Trend::Improved
            } else {
                Trend::Worsened
            }
        }
        (Some(c), Some(Better::Lower)) => {
            if c < 0.0 {
                Trend::Improved
            } else {
                Trend::Worsened
            }
        }
        _ => Trend::Unknown,
    };
    let target_met = match (ind.target, after, better) {
        (Some(t), Some(a), Some(Better::Higher)) => Some(a >= t),
        (Some(t), Some(a), Some(Better::Lower)) => Some(a <= t),
        _ => None,
    };
    IndicatorChange {
        name: ind.name.clone().unwrap_or_default(),
        unit: ind.unit.clone().unwrap_or_default(),
        better,
        before,
        before_period: ind.before.as_ref().and_then(|m| m.period.clone()),
        after,
        after_period: ind.after.as_ref().and_then(|m| m.period.clone()),
        target: ind.target,
        change,
        change_pct,
        trend,
        target_met,
    }
}

/// A project's indicators in one line: “N 项指标中 K 项改善，T 项达到目标”.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectSummary {
    pub indicators: Vec<IndicatorChange>,
    pub total: usize,
    pub improved: usize,
    pub with_target: usize,
    pub targets_met: usize,
    /// Indicators that have both a before- and an after-value.
    pub complete: usize,
}

impl ProjectSummary {
    /// The summary sentence shown on the project page.
    pub fn sentence(&self) -> String {
        let mut s = format!("{} 项指标中 {} 项改善", self.total, self.improved);
        if self.with_target > 0 {
            s.push_str(&format!("，{} 项设定目标中 {} 项达标", self.with_target, self.targets_met));
        }
        s
    }
}

/// Computes every indicator of a project and counts the improvements and targets met.
pub fn project_summary(project: &Project) -> ProjectSummary {
    let indicators: Vec<IndicatorChange> = project.indicators.iter().map(indicator_change).collect();
    ProjectSummary {
        total: indicators.len(),
        improved: indicators.iter().filter(|i| i.trend == Trend::Improved).count(),
        with_target: indicators.iter().filter(|i| i.target.is_some()).count(),
        targets_met: indicators.iter().filter(|i| i.target_met == Some(true)).count(),
        complete: indicators.iter().filter(|i| i.before.is_some() && i.after.is_some()).count(),
        indicators,
    }
}

/// Formats a number the way the material writes it: no trailing zeros, at most two decimals.
pub fn format_number(x: f64) -> String {
    let s = format!("{:.2}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// A change with its sign and unit (“+6.4 个百分点” for percentages, “−448 件” otherwise).
pub fn format_change(c: &IndicatorChange) -> String {
    let Some(d) = c.change else { return "—".into() };
    let sign = if d > 0.0 {
        "+"
    } else if d < 0.0 {
        "−"
    } else {
        ""
    };
    let unit = if c.unit == "%" { " 个百分点".to_string() } else { format!(" {}", c.unit) };
    let mut s = format!("{sign}{}{unit}", format_number(d.abs()));
    if let Some(p) = c.change_pct.filter(|_| c.unit != "%") {
        s.push_str(&format!(
            "（{}{}%）",
            if p > 0.0 {
                "+"
            } else if p < 0.0 {
                "−"
            } else {
                ""
            },
            format_number(p.abs())
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Measurement;

    fn ind(better: &str, before: Option<f64>, after: Option<f64>, target: Option<f64>, unit: &str) -> Indicator {
        let m = |v: Option<f64>, p: &str| v.map(|v| Measurement { period: Some(p.into()), value: Some(v) });
        Indicator {
            name: Some("指标".into()),
            unit: Some(unit.into()),
            better: Some(better.into()),
            before: m(before, "2019"),
            after: m(after, "2021"),
            target,
            source: None,
        }
    }

    #[test]
    fn higher_is_better() {
        let c = indicator_change(&ind("higher", Some(91.2), Some(97.6), Some(98.0), "%"));
        assert!((c.change.unwrap() - 6.4).abs() < 1e-9);
        assert_eq!(c.trend, Trend::Improved);
        assert_eq!(c.target_met, Some(false));
        assert_eq!(format_change(&c), "+6.4 个百分点");
    }

    #[test]
    fn lower_is_better() {
        let c = indicator_change(&ind("lower", Some(1260.0), Some(812.0), Some(900.0), "件"));
        assert_eq!(c.change, Some(-448.0));
        assert!((c.change_pct.unwrap() - (-448.0 / 1260.0 * 100.0)).abs() < 1e-9);
        assert_eq!(c.trend, Trend::Improved);
        assert_eq!(c.target_met, Some(true));
        assert_eq!(format_change(&c), "−448 件（−35.56%）");
        let worse = indicator_change(&ind("lower", Some(10.0), Some(12.0), None, "起"));
        assert_eq!(worse.trend, Trend::Worsened);
    }

    #[test]
    fn zero_baseline_has_no_percentage() {
        let c = indicator_change(&ind("higher", Some(0.0), Some(12.0), None, "个"));
        assert_eq!(c.change, Some(12.0));
        assert_eq!(c.change_pct, None);
        assert_eq!(format_change(&c), "+12 个");
    }

    #[test]
    fn missing_after_value() {
        let c = indicator_change(&ind("higher", Some(5.0), None, Some(8.0), "个"));
        assert_eq!((c.change, c.change_pct, c.trend, c.target_met), (None, None, Trend::Unknown, None));
        assert_eq!(format_change(&c), "—");
    }

    #[test]
    fn project_sentence() {
        let p = Project {
            indicators: vec![
                ind("higher", Some(1.0), Some(2.0), Some(2.0), "个"),
                ind("lower", Some(5.0), Some(6.0), Some(4.0), "起"),
                ind("lower", Some(5.0), Some(3.0), None, "起"),
            ],
            ..Project::default()
        };
        let s = project_summary(&p);
        assert_eq!((s.total, s.improved, s.with_target, s.targets_met, s.complete), (3, 2, 2, 1, 3));
        assert_eq!(s.sentence(), "3 项指标中 2 项改善，2 项设定目标中 1 项达标");
    }
}
