//! Indicators from a 报表: a project's before/after numbers filled from a spreadsheet table.
//!
//! Why: the seed asks districts to prove results with before/after data, and those numbers live in Excel 报表.
//! Typing them into the form again loses the link to the table. Here a table such as
//!
//! | 指标 | 单位 | 2019年 | 2021年 | 目标 |
//!
//! is read ([`read_table`]) with a guessed column mapping, each guess with its evidence (the header it came from),
//! so that a person confirms it; the unit and the direction (higher or lower is better) are guessed from the table
//! and the indicator's name and asked for where they cannot be ([`IndicatorTable::unresolved`]). Each indicator's
//! `source` names the file, the sheet and the cells. [`merge`] then updates the project's indicators of the same
//! name and adds the others; [`plan_update`] checks and plans the write through the library's one write path.

use std::collections::BTreeMap;

use super::sheet::{self, Sheet};
use crate::library::{Better, Indicator, Library, Measurement, Meta, Project, Record};
use crate::store::{self, Plan, StoreError, Write};

/// What a column of the table holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Name,
    Unit,
    /// The value before the pilot, at this period (“2019”, “试点前”).
    Before(String),
    /// The value after, at this period.
    After(String),
    Target,
    /// Not used.
    Other,
}

/// A column with its header and what it was taken for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// `A`, `B`, … as Excel names it.
    pub letter: String,
    pub header: String,
    pub role: Role,
    /// Why it was given that role (`表头“2019年”是最早的年份`), or that the user said so.
    pub evidence: String,
}

/// One row read as an indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based, as Excel numbers rows.
    pub number: u32,
    pub indicator: Indicator,
    /// Where the unit came from; `None` when it could not be told (then it must be given).
    pub unit_from: Option<String>,
    /// Where the direction came from; `None` when it could not be told.
    pub better_from: Option<String>,
}

/// A table of indicators read from a workbook, for confirmation.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorTable {
    pub sheet: String,
    /// 1-based row of the header.
    pub header_row: u32,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Things to know (a row skipped, percentages stored as fractions converted).
    pub notes: Vec<String>,
}

/// What the person importing said, over the guesses: columns by letter, units and directions by indicator name.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub sheet: Option<String>,
    pub name_column: Option<String>,
    pub before_column: Option<String>,
    pub after_column: Option<String>,
    pub units: BTreeMap<String, String>,
    pub better: BTreeMap<String, Better>,
}

impl Role {
    /// What the column is used as, for the confirmation (CLI and app alike).
    pub fn label(&self) -> String {
        match self {
            Role::Name => "指标名称".into(),
            Role::Unit => "单位".into(),
            Role::Before(p) => format!("试点前（{p}）"),
            Role::After(p) => format!("试点后（{p}）"),
            Role::Target => "目标值".into(),
            Role::Other => "不使用".into(),
        }
    }
}

impl IndicatorTable {
    /// Indicators whose unit or direction is still unknown, as `(name, what is missing)`.
    pub fn unresolved(&self) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        for row in &self.rows {
            let name = row.indicator.name.clone().unwrap_or_default();
            if row.indicator.unit.is_none() {
                out.push((name.clone(), "单位"));
            }
            if row.indicator.better.is_none() {
                out.push((name, "方向（越高越好或越低越好）"));
            }
        }
        out
    }

    /// The indicators, in table order.
    pub fn indicators(&self) -> Vec<Indicator> {
        self.rows.iter().map(|r| r.indicator.clone()).collect()
    }
}

/// Reads the indicator table of a workbook (`ext` as for [`sheet::read`]); `file` names it in each `source`.
/// Errors are Chinese sentences saying what is missing and which option gives it.
pub fn read_table(bytes: &[u8], ext: &str, file: &str, choices: &Choices) -> Result<IndicatorTable, String> {
    let sheets = sheet::read(bytes, ext)?;
    let candidates: Vec<&Sheet> = match &choices.sheet {
        Some(name) => {
            let found = sheets.iter().find(|s| &s.name == name);
            vec![found.ok_or_else(|| {
                let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
                format!("没有名为“{name}”的工作表（有：{}）", names.join("、"))
            })?]
        }
        None => sheets.iter().collect(),
    };
    let mut first_error = None;
    for sheet in candidates {
        match table_of(sheet, file, choices) {
            Ok(table) => return Ok(table),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| "表格中没有工作表".to_string()))
}

fn table_of(sheet: &Sheet, file: &str, choices: &Choices) -> Result<IndicatorTable, String> {
    let where_ = format!("工作表“{}”", sheet.name);
    // The header: the first row with at least three cells and a word that names indicators, else the first row
    // with at least three cells of text.
    let rows: Vec<(&u32, &BTreeMap<u32, String>)> = sheet.cells.iter().collect();
    let is_text = |s: &String| number(s).is_none() && !s.trim().is_empty();
    let header_at = rows
        .iter()
        .position(|(_, cells)| cells.len() >= 3 && cells.values().any(|h| name_header(h)))
        .or_else(|| rows.iter().position(|(_, cells)| cells.values().filter(|c| is_text(c)).count() >= 3))
        .ok_or_else(|| format!("{where_}中找不到表头（至少三列的一行，如：指标、单位、2019年、2021年）"))?;
    let (&header_row, header) = rows[header_at];
    let body = &rows[header_at + 1..];

    let mut columns: Vec<Column> = header
        .iter()
        .map(|(&c, h)| Column {
            letter: crate::export::xlsx::column_letter(c as usize),
            header: h.trim().to_string(),
            role: Role::Other,
            evidence: String::new(),
        })
        .collect();
    let index_of = |columns: &[Column], letter: &Option<String>| -> Result<Option<usize>, String> {
        match letter {
            None => Ok(None),
            Some(l) => {
                let l = l.trim().to_uppercase();
                columns
                    .iter()
                    .position(|c| c.letter == l)
                    .map(Some)
                    .ok_or_else(|| format!("{where_}第 {} 行（表头）的 {l} 列是空的", header_row + 1))
            }
        }
    };
    // Name: the user's column, else a header that names indicators, else the first column of text.
    let name_at = match index_of(&columns, &choices.name_column)? {
        Some(i) => {
            columns[i].evidence = "命令行指定".into();
            i
        }
        None => match columns.iter().position(|c| name_header(&c.header)) {
            Some(i) => {
                columns[i].evidence = format!("表头“{}”", columns[i].header);
                i
            }
            None => {
                columns[0].evidence = "第一列".into();
                0
            }
        },
    };
    columns[name_at].role = Role::Name;
    if let Some(i) = columns.iter().position(|c| c.role == Role::Other && c.header.contains("单位")) {
        columns[i].role = Role::Unit;
        columns[i].evidence = format!("表头“{}”", columns[i].header);
    }
    if let Some(i) = columns.iter().position(|c| c.role == Role::Other && c.header.contains("目标")) {
        columns[i].role = Role::Target;
        columns[i].evidence = format!("表头“{}”", columns[i].header);
    }
    // Before and after: the user's columns; else headers that say so; else the earliest and latest years.
    let before_at = index_of(&columns, &choices.before_column)?;
    let after_at = index_of(&columns, &choices.after_column)?;
    let said = |h: &str, words: &[&str]| words.iter().any(|w| h.contains(w));
    const BEFORE: &[&str] = &["试点前", "实施前", "基期", "基数", "基准", "前值", "上年", "去年", "原值"];
    const AFTER: &[&str] = &["试点后", "实施后", "现值", "本年", "今年", "当前", "目前", "实际", "后值"];
    let years: Vec<(usize, i32)> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.role == Role::Other)
        .filter_map(|(i, c)| year_in(&c.header).map(|y| (i, y)))
        .collect();
    let pick = |given: Option<usize>, words: &[&str], earliest: bool| -> Option<(usize, String)> {
        if let Some(i) = given {
            return Some((i, "命令行指定".to_string()));
        }
        if let Some(i) = columns.iter().position(|c| c.role == Role::Other && said(&c.header, words)) {
            return Some((i, format!("表头“{}”", columns[i].header)));
        }
        let chosen = if earliest { years.iter().min_by_key(|(_, y)| *y) } else { years.iter().max_by_key(|(_, y)| *y) };
        chosen.filter(|_| years.len() >= 2).map(|(i, _)| {
            let which = if earliest { "最早" } else { "最晚" };
            (*i, format!("表头“{}”是{which}的年份", columns[*i].header))
        })
    };
    let before = pick(before_at, BEFORE, true);
    let after = pick(after_at, AFTER, false);
    let (Some((before_i, before_why)), Some((after_i, after_why))) = (before, after) else {
        let headers: Vec<String> = columns.iter().map(|c| format!("{}={}", c.letter, c.header)).collect();
        return Err(format!(
            "{where_}中看不出哪一列是试点前、哪一列是试点后（表头：{}）；请用 --before-column 和 --after-column 指定列字母",
            headers.join("，")
        ));
    };
    if before_i == after_i {
        return Err(format!("{where_}：试点前和试点后不能是同一列（{}）", columns[before_i].letter));
    }
    let period = |c: &Column| year_in(&c.header).map(|y| y.to_string()).unwrap_or_else(|| c.header.clone());
    columns[before_i].role = Role::Before(period(&columns[before_i]));
    columns[before_i].evidence = before_why;
    columns[after_i].role = Role::After(period(&columns[after_i]));
    columns[after_i].evidence = after_why;

    let column_number = |i: usize| -> u32 { *header.keys().nth(i).unwrap_or(&0) };
    let cell = |cells: &BTreeMap<u32, String>, i: usize| cells.get(&column_number(i)).map(|s| s.trim().to_string());
    let unit_at = columns.iter().position(|c| c.role == Role::Unit);
    let target_at = columns.iter().position(|c| c.role == Role::Target);
    let mut notes = Vec::new();
    let mut out = Vec::new();
    for &(&r, cells) in body {
        let Some(name) = cell(cells, name_at).filter(|n| !n.is_empty()) else { continue };
        let (b, a) = (cell(cells, before_i).unwrap_or_default(), cell(cells, after_i).unwrap_or_default());
        let (Some(bv), Some(av)) = (number(&b), number(&a)) else {
            if !b.is_empty() || !a.is_empty() {
                notes.push(format!("第 {} 行“{name}”的数值不是数字（{b}、{a}），未导入", r + 1));
            }
            continue;
        };
        let (name, unit_in_name) = split_unit(&name);
        let mut indicator = Indicator {
            name: Some(name.clone()),
            before: Some(Measurement { period: Some(period(&columns[before_i])), value: Some(bv) }),
            after: Some(Measurement { period: Some(period(&columns[after_i])), value: Some(av) }),
            target: target_at.and_then(|i| cell(cells, i)).and_then(|t| number(&t)),
            source: Some(format!(
                "{file}，工作表“{}”第 {} 行（{}{}、{}{}）",
                sheet.name,
                r + 1,
                columns[before_i].letter,
                r + 1,
                columns[after_i].letter,
                r + 1
            )),
            ..Indicator::default()
        };
        // The unit: the user's, the unit column, the name's brackets, a sign in the values, a rate's name.
        let value_unit = [&b, &a].iter().find_map(|v| trailing_unit(v));
        let (unit, unit_from) = if let Some(u) = choices.units.get(&name) {
            (Some(u.clone()), Some("命令行指定".to_string()))
        } else if let Some(u) = unit_at.and_then(|i| cell(cells, i)).filter(|u| !u.is_empty()) {
            (Some(u), Some(format!("{} 列“单位”", columns[unit_at.unwrap_or(0)].letter)))
        } else if let Some(u) = unit_in_name {
            (Some(u), Some("指标名称中的括号".to_string()))
        } else if let Some(u) = value_unit {
            (Some(u), Some("数值后的单位".to_string()))
        } else if name.ends_with('率') {
            (Some("%".to_string()), Some("名称以“率”结尾".to_string()))
        } else {
            (None, None)
        };
        indicator.unit = unit;
        // Percentages Excel stores as fractions (97.3 % is the cell value 0.973).
        if indicator.unit.as_deref() == Some("%")
            && !b.contains('%')
            && (0.0..=1.0).contains(&bv)
            && (0.0..=1.0).contains(&av)
            && (bv.fract() != 0.0 || av.fract() != 0.0)
        {
            indicator.before =
                Some(Measurement { value: Some(round(bv * 100.0)), ..indicator.before.unwrap_or_default() });
            indicator.after =
                Some(Measurement { value: Some(round(av * 100.0)), ..indicator.after.unwrap_or_default() });
            indicator.target = indicator.target.map(|t| if t <= 1.0 { round(t * 100.0) } else { t });
            notes.push(format!("第 {} 行“{name}”的数值是百分比格式的小数，已乘以 100", r + 1));
        }
        let (better, better_from) = match choices.better.get(&name) {
            Some(b) => (Some(*b), Some("命令行指定".to_string())),
            None => match guess_better(&name) {
                Some((b, why)) => (Some(b), Some(why)),
                None => (None, None),
            },
        };
        indicator.better = better.map(|b| match b {
            Better::Higher => "higher".to_string(),
            Better::Lower => "lower".to_string(),
        });
        out.push(Row { number: r + 1, indicator, unit_from, better_from });
    }
    if out.is_empty() {
        return Err(format!("{where_}的表头下没有数值齐全的指标行"));
    }
    Ok(IndicatorTable { sheet: sheet.name.clone(), header_row: header_row + 1, columns, rows: out, notes })
}

fn name_header(h: &str) -> bool {
    ["指标", "名称", "项目", "事项", "内容"].iter().any(|w| h.contains(w))
}

/// A year from 1990 to 2100 in a header (“2019年”, “2021年上半年”, “2019”).
fn year_in(h: &str) -> Option<i32> {
    let digits: Vec<char> = h.chars().collect();
    digits.windows(4).enumerate().find_map(|(i, w)| {
        let before_ok = i == 0 || !digits[i - 1].is_ascii_digit();
        let after_ok = digits.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        let y: String = w.iter().collect();
        let y: i32 = y.parse().ok()?;
        (before_ok && after_ok && (1990..=2100).contains(&y)).then_some(y)
    })
}

/// The number a cell shows: `97.3`, `97.3%`, `1,287`, `3426件`, `１２３`.
fn number(s: &str) -> Option<f64> {
    let folded: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            c => c,
        })
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let end = folded.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')).unwrap_or(folded.len());
    let (digits, rest) = folded.split_at(end);
    if digits.is_empty() || rest.chars().any(|c| c.is_ascii_digit()) || rest.chars().count() > 4 {
        return None;
    }
    digits.parse().ok().filter(|v: &f64| v.is_finite())
}

/// The unit written after a number (`97.3%` → `%`, `3426件` → `件`).
fn trailing_unit(s: &str) -> Option<String> {
    number(s)?;
    let unit: String = s
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || ".,-，０１２３４５６７８９．".contains(c))
        .trim()
        .to_string();
    (!unit.is_empty()).then_some(unit)
}

/// `调解成功率（%）` → (`调解成功率`, `%`).
fn split_unit(name: &str) -> (String, Option<String>) {
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(stripped) = name.trim().strip_suffix(close)
            && let Some(at) = stripped.rfind(open)
        {
            let unit = stripped[at + open.len_utf8()..].trim();
            if !unit.is_empty() && unit.chars().count() <= 4 {
                return (stripped[..at].trim().to_string(), Some(unit.to_string()));
            }
        }
    }
    (name.trim().to_string(), None)
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Which way an indicator should move, from its name: rates of success and satisfaction up, complaints, cases
/// and incidents down. `None` when the name does not say.
pub fn guess_better(name: &str) -> Option<(Better, String)> {
    const HIGHER: &[&str] = &[
        "满意度",
        "满意率",
        "成功率",
        "化解率",
        "调处率",
        "办结率",
        "结案率",
        "覆盖率",
        "知晓率",
        "参与率",
        "安全感",
        "及时率",
        "达标率",
        "建成率",
        "到位率",
        "受理率",
        "破案率",
        "回访率",
        "好评",
        "就业率",
        "入驻率",
    ];
    const LOWER: &[&str] = &[
        "投诉",
        "信访",
        "上访",
        "越级",
        "发案",
        "案件",
        "警情",
        "事故",
        "命案",
        "刑事",
        "犯罪",
        "诈骗",
        "纠纷数",
        "纠纷量",
        "纠纷件",
        "积案",
        "群体性",
        "伤亡",
        "死亡",
        "损失",
        "用时",
        "时长",
        "天数",
        "重复访",
    ];
    if let Some(w) = HIGHER.iter().find(|w| name.contains(*w)) {
        return Some((Better::Higher, format!("名称含“{w}”")));
    }
    LOWER.iter().find(|w| name.contains(*w)).map(|w| (Better::Lower, format!("名称含“{w}”")))
}

/// What [`merge`] did to one indicator.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Added(String),
    /// The indicator existed: its numbers (and unit, direction, source) were replaced.
    Updated {
        name: String,
        was: Option<(Option<f64>, Option<f64>)>,
    },
}

/// The project's indicators with those of the table: same name (ignoring spaces) replaced, the rest added at the
/// end. The target and the direction already in the project are kept when the table has none.
pub fn merge(project: &Project, incoming: &[Indicator]) -> (Project, Vec<Change>) {
    let key =
        |n: &Option<String>| n.as_deref().unwrap_or("").chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let mut updated = project.clone();
    let mut changes = Vec::new();
    for new in incoming {
        let name = new.name.clone().unwrap_or_default();
        match updated.indicators.iter_mut().find(|old| key(&old.name) == key(&new.name)) {
            Some(old) => {
                let was = Some((old.before.as_ref().and_then(|m| m.value), old.after.as_ref().and_then(|m| m.value)));
                let kept_target = old.target;
                let kept_better = old.better.clone();
                *old = Indicator {
                    target: new.target.or(kept_target),
                    better: new.better.clone().or(kept_better),
                    unit: new.unit.clone().or(old.unit.clone()),
                    ..new.clone()
                };
                changes.push(Change::Updated { name, was });
            }
            None => {
                updated.indicators.push(new.clone());
                changes.push(Change::Added(name));
            }
        }
    }
    (updated, changes)
}

/// Why indicators could not be written.
#[derive(Debug, thiserror::Error)]
pub enum IndicatorError {
    #[error("找不到项目“{0}”（可用项目编号或名称）")]
    NoProject(String),
    #[error(
        "以下指标还缺少信息：{}。请用 --unit 指标=单位、--better 指标=higher（越高越好）或 lower（越低越好）补充",
        .0.iter().map(|(n, what)| format!("“{n}”的{what}")).collect::<Vec<_>>().join("，")
    )]
    Unresolved(Vec<(String, &'static str)>),
    #[error("有 {} 个项目都叫“{name}”（{}），请用项目编号指定", .ids.len(), .ids.join("、"))]
    Ambiguous { name: String, ids: Vec<String> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The project `project` (id or name) with the table's indicators merged, checked and planned through the one
/// write path (its previous version goes to the history when committed). Nothing is written.
pub fn plan_update(
    lib: &Library,
    project: &str,
    table: &IndicatorTable,
) -> Result<(Plan, Record, Vec<Change>), IndicatorError> {
    let record = lib.resolve_project(project).ok_or_else(|| IndicatorError::NoProject(project.to_string()))?;
    // A name two districts both claimed is not enough to know which project to write.
    if record.id() != Some(project.trim()) {
        let same: Vec<String> = lib
            .records
            .iter()
            .filter(|r| matches!(&r.meta, Meta::Project(p) if p.name.as_deref().map(str::trim) == Some(project.trim())))
            .filter_map(|r| r.id().map(str::to_string))
            .collect();
        if same.len() > 1 {
            return Err(IndicatorError::Ambiguous { name: project.to_string(), ids: same });
        }
    }
    let unresolved = table.unresolved();
    if !unresolved.is_empty() {
        return Err(IndicatorError::Unresolved(unresolved));
    }
    let Meta::Project(current) = &record.meta else { return Err(IndicatorError::NoProject(project.to_string())) };
    let (updated, changes) = merge(current, &table.indicators());
    let text = store::render_record(&Meta::Project(updated), Some(&record.front_matter), &record.body)?;
    let plan = store::plan(lib, vec![Write::record(&record.path, text.into_bytes())])?;
    Ok((plan, record.clone(), changes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Sheet {
        let mut s = Sheet::default();
        s.name = "报表".into();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    s.cells.entry(r as u32).or_default().insert(c as u32, v.to_string());
                }
            }
        }
        s
    }

    #[test]
    fn years_units_and_directions_are_guessed_with_their_evidence() {
        let s = sheet(&[
            &["万州区红色物业项目指标统计表"],
            &["序号", "指标名称", "单位", "2019年", "2021年", "目标值"],
            &["1", "矛盾纠纷调解成功率", "%", "89.6", "97.3", "98"],
            &["2", "物业服务投诉量", "件", "3,426", "1287", ""],
            &["3", "住宅小区党组织覆盖率（%）", "", "41.2", "96.8", "100"],
            &["4", "小区议事会议次数", "", "120", "340", ""],
            &["", "合计", "", "", "", ""],
        ]);
        let t = table_of(&s, "指标.xlsx", &Choices::default()).unwrap();
        assert_eq!(t.header_row, 2);
        assert_eq!(t.rows.len(), 4);
        let first = &t.rows[0].indicator;
        assert_eq!(first.unit.as_deref(), Some("%"));
        assert_eq!(first.better.as_deref(), Some("higher"));
        assert_eq!(first.before.as_ref().unwrap().period.as_deref(), Some("2019"));
        assert_eq!(first.after.as_ref().unwrap().value, Some(97.3));
        assert_eq!(first.target, Some(98.0));
        assert_eq!(first.source.as_deref(), Some("指标.xlsx，工作表“报表”第 3 行（D3、E3）"));
        assert_eq!(t.rows[1].indicator.before.as_ref().unwrap().value, Some(3426.0));
        assert_eq!(t.rows[1].indicator.better.as_deref(), Some("lower"));
        assert_eq!(t.rows[2].indicator.name.as_deref(), Some("住宅小区党组织覆盖率"));
        assert_eq!(t.rows[2].unit_from.as_deref(), Some("指标名称中的括号"));
        // Neither the unit nor the direction of a count of meetings can be told: asked for.
        assert_eq!(
            t.unresolved(),
            vec![
                ("小区议事会议次数".to_string(), "单位"),
                ("小区议事会议次数".to_string(), "方向（越高越好或越低越好）")
            ]
        );
        let evidence: Vec<&str> = t.columns.iter().map(|c| c.evidence.as_str()).collect();
        assert!(evidence.contains(&"表头“2019年”是最早的年份"), "{evidence:?}");
        let choices = Choices {
            units: [("小区议事会议次数".to_string(), "次".to_string())].into(),
            better: [("小区议事会议次数".to_string(), Better::Higher)].into(),
            ..Choices::default()
        };
        assert!(table_of(&s, "指标.xlsx", &choices).unwrap().unresolved().is_empty());
    }

    #[test]
    fn fractions_of_percent_cells_headers_and_refusals() {
        let s = sheet(&[&["指标", "试点前", "试点后"], &["群众满意度", "0.784", "0.936"]]);
        let t = table_of(&s, "a.xlsx", &Choices::default()).unwrap();
        // 满意度 is not a 率: its unit is asked, so the fraction stays until it is given as %.
        assert_eq!(t.rows[0].indicator.unit, None);
        let choices =
            Choices { units: [("群众满意度".to_string(), "%".to_string())].into(), ..Choices::default() };
        let t = table_of(&s, "a.xlsx", &choices).unwrap();
        assert_eq!(t.rows[0].indicator.before.as_ref().unwrap().value, Some(78.4));
        assert_eq!(t.rows[0].indicator.before.as_ref().unwrap().period.as_deref(), Some("试点前"));
        assert!(t.notes[0].contains("乘以 100"));

        let no_periods = sheet(&[&["指标", "甲", "乙"], &["投诉量", "1", "2"]]);
        let e = table_of(&no_periods, "a.xlsx", &Choices::default()).unwrap_err();
        assert!(e.contains("--before-column") && e.contains("B=甲"), "{e}");
        let given = Choices { before_column: Some("b".into()), after_column: Some("C".into()), ..Choices::default() };
        assert_eq!(table_of(&no_periods, "a.xlsx", &given).unwrap().rows.len(), 1);
        let wrong = Choices { before_column: Some("Z".into()), after_column: Some("C".into()), ..Choices::default() };
        assert!(table_of(&no_periods, "a.xlsx", &wrong).unwrap_err().contains("Z 列是空的"));
    }

    #[test]
    fn numbers_and_columns() {
        assert_eq!(number("97.3%"), Some(97.3));
        assert_eq!(number("3426件"), Some(3426.0));
        assert_eq!(number("１２３"), Some(123.0));
        assert_eq!(number("2019年12月"), None);
        assert_eq!(number("—"), None);
        assert_eq!(trailing_unit("3426件").as_deref(), Some("件"));
        assert_eq!(year_in("2021年上半年"), Some(2021));
        assert_eq!(year_in("20190"), None);
    }

    #[test]
    fn merge_replaces_by_name_and_keeps_the_target() {
        let old = Project {
            indicators: vec![Indicator {
                name: Some("物业服务投诉量".into()),
                target: Some(1000.0),
                better: Some("lower".into()),
                ..Indicator::default()
            }],
            ..Project::default()
        };
        let new = [
            Indicator { name: Some("物业服务 投诉量".into()), unit: Some("件".into()), ..Indicator::default() },
            Indicator { name: Some("群众满意度".into()), ..Indicator::default() },
        ];
        let (merged, changes) = merge(&old, &new);
        assert_eq!(merged.indicators.len(), 2);
        assert_eq!(merged.indicators[0].target, Some(1000.0));
        assert_eq!(merged.indicators[0].unit.as_deref(), Some("件"));
        assert!(matches!(&changes[1], Change::Added(n) if n == "群众满意度"));
    }
}
