//! The numbers CSV: every number the packet shows, one line each, as the pages show it (same rounding, from
//! the same `compare` results). UTF-8 with a byte-order mark and CRLF line ends, so Excel opens the Chinese
//! correctly; text that Excel would take for a formula (= + - @ at the start) is prefixed with an apostrophe.

use crate::compare::format_number;

use super::model::NumberRow;

/// The header line, in column order.
pub const COLUMNS: &[&str] = &[
    "类别",
    "编号",
    "名称",
    "区县",
    "指标",
    "单位",
    "试点前时期",
    "试点前",
    "试点后时期",
    "试点后",
    "变化",
    "变化率(%)",
    "目标",
    "是否达标",
    "趋势",
    "时期",
    "数值",
    "样本量",
];

/// Renders the rows as CSV bytes (with BOM).
pub fn render(rows: &[NumberRow]) -> Vec<u8> {
    let mut out = String::from("\u{FEFF}");
    line(&mut out, COLUMNS.iter().map(|c| c.to_string()).collect());
    let num = |v: Option<f64>| v.map(format_number).unwrap_or_default();
    for r in rows {
        line(
            &mut out,
            vec![
                text(&r.category),
                text(&r.id),
                text(&r.name),
                text(&r.district),
                text(&r.indicator),
                text(&r.unit),
                text(r.before_period.as_deref().unwrap_or("")),
                num(r.before),
                text(r.after_period.as_deref().unwrap_or("")),
                num(r.after),
                num(r.change),
                num(r.change_pct),
                num(r.target),
                match r.target_met {
                    Some(true) => "是".into(),
                    Some(false) => "否".into(),
                    None => String::new(),
                },
                text(&r.trend),
                text(r.period.as_deref().unwrap_or("")),
                num(r.value),
                r.sample.map(|s| s.to_string()).unwrap_or_default(),
            ],
        );
    }
    out.into_bytes()
}

/// A text cell (defused against formulas, with every other cell, by [`crate::compare::csv::field`]).
fn text(s: &str) -> String {
    s.trim().to_string()
}

fn line(out: &mut String, cells: Vec<String>) {
    let cells: Vec<String> = cells.iter().map(|c| crate::compare::csv::field(c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_quotes_and_formula_defence() {
        let rows = vec![NumberRow {
            category: "指标对比".into(),
            name: "=HYPERLINK(\"x\")".into(),
            indicator: "信访总量, 件".into(),
            unit: "件".into(),
            before: Some(2318.0),
            after: Some(1406.0),
            change: Some(-912.0),
            change_pct: Some(-39.343_399_482_312_35),
            target_met: Some(true),
            ..NumberRow::default()
        }];
        let csv = String::from_utf8(render(&rows)).unwrap();
        assert!(csv.starts_with("\u{FEFF}类别,编号,名称,区县,指标,单位,"));
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(line, "指标对比,,\"'=HYPERLINK(\"\"x\"\")\",,\"信访总量, 件\",件,,2318,,1406,-912,-39.34,,是,,,,");
        assert!(csv.ends_with("\r\n"));
    }
}
