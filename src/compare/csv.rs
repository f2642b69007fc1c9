//! The comparison tables as CSV, for offices that carry numbers on in Excel or WPS.
//!
//! UTF-8 with a byte-order mark (Excel otherwise guesses GBK and garbles Chinese), CRLF line ends, RFC 4180
//! quoting. Numbers are written plainly (no thousands separators, no units) so a spreadsheet reads them as numbers.

use super::{CrossTable, IndicatorChange, ProjectSummary, format_number};

/// One CSV cell, for every CSV the program writes (comparison tables, export data): text a spreadsheet would
/// run as a formula (starting with = + - @, a tab or a carriage return, and not a plain number such as -3.5)
/// is prefixed with an apostrophe, then the cell is quoted when it holds a comma, quote or line break, with
/// quotes doubled.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.trim().parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// Joins rows of fields into a CSV document with a BOM.
pub fn document(rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    for row in rows {
        let line: Vec<String> = row.iter().map(|f| field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

fn num(v: Option<f64>) -> String {
    v.map(format_number).unwrap_or_default()
}

/// The columns shared by both tables, for one indicator.
fn change_fields(c: &IndicatorChange) -> Vec<String> {
    vec![
        c.name.clone(),
        c.unit.clone(),
        c.before_period.clone().unwrap_or_default(),
        num(c.before),
        c.after_period.clone().unwrap_or_default(),
        num(c.after),
        num(c.change),
        num(c.change_pct),
        num(c.target),
        match c.target_met {
            Some(true) => "是".into(),
            Some(false) => "否".into(),
            None => String::new(),
        },
        c.trend.label().replace('—', ""),
    ]
}

const CHANGE_HEADER: [&str; 11] =
    ["指标", "单位", "试点前时间", "试点前", "试点后时间", "试点后", "变化", "变化率(%)", "目标", "是否达标", "评价"];

/// A project's indicators before and after, one row per indicator.
pub fn project_csv(project_id: &str, project_name: &str, district: &str, summary: &ProjectSummary) -> String {
    let mut rows =
        vec![["项目编号", "项目", "区县"].iter().chain(CHANGE_HEADER.iter()).map(|s| s.to_string()).collect()];
    for c in &summary.indicators {
        let mut row = vec![project_id.to_string(), project_name.to_string(), district.to_string()];
        row.extend(change_fields(c));
        rows.push(row);
    }
    document(&rows)
}

/// The 横向对比 table, in its ranked order, with the rank and the signed improvement used to rank.
pub fn cross_csv(table: &CrossTable) -> String {
    let mut header: Vec<String> =
        ["名次", "区县", "项目编号", "项目", "认领年份"].iter().map(|s| s.to_string()).collect();
    header.extend(CHANGE_HEADER.iter().map(|s| s.to_string()));
    let common = table.measure();
    header.push(common.map(|m| m.label(&table.unit)).unwrap_or_else(|| "改善幅度".into()));
    if common.is_none() {
        header.push("改善幅度口径".into());
    }
    let mut rows = vec![header];
    for (i, r) in table.rows.iter().enumerate() {
        let mut row = vec![
            (i + 1).to_string(),
            r.district.clone(),
            r.project.clone(),
            r.project_name.clone(),
            r.claimed.map(|y| y.to_string()).unwrap_or_default(),
        ];
        row.extend(change_fields(&r.change));
        row.push(num(r.improvement));
        if common.is_none() {
            row.push(r.measure.map(|m| m.label(&table.unit)).unwrap_or_default());
        }
        rows.push(row);
    }
    document(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::project_summary;
    use crate::library::{Indicator, Measurement, Project};

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        assert_eq!(field("=HYPERLINK(\"http://x\",\"点\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"点\"\")\"");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("-12.5"), "-12.5");
        assert_eq!(field("+信访"), "'+信访");
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(field("渝中区"), "渝中区");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("说\"好\""), "\"说\"\"好\"\"\"");
        assert_eq!(document(&[vec!["a".into(), "b\nc".into()]]), "\u{feff}a,\"b\nc\"\r\n");
    }

    #[test]
    fn project_rows_carry_the_computed_numbers() {
        let m = |p: &str, v: f64| Some(Measurement { period: Some(p.into()), value: Some(v) });
        let p = Project {
            indicators: vec![Indicator {
                name: Some("信访总量".into()),
                unit: Some("件".into()),
                better: Some("lower".into()),
                before: m("2019", 1200.0),
                after: m("2021", 900.0),
                target: Some(1000.0),
                source: None,
            }],
            ..Default::default()
        };
        let csv = project_csv("yz-p01", "项目", "渝中区", &project_summary(&p));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[1], "yz-p01,项目,渝中区,信访总量,件,2019,1200,2021,900,-300,-25,1000,是,改善");
    }
}
