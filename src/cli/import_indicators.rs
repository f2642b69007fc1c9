//! `casebook import 报表.xlsx --indicators PROJECT`: a project's before/after indicators filled from a table.
//! The guessed column mapping and each indicator are shown with where they came from; what cannot be guessed
//! (a unit, a direction, which column is which) is asked for by name of the option that gives it. The core is
//! `casebook::import::indicators`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use casebook::import::indicators::{Change, Choices, IndicatorError, IndicatorTable, plan_update, read_table};
use casebook::library::{Better, Library};
use casebook::search::SearchIndex;
use clap::Args;
use serde_json::json;

use super::output::print_json;

/// The options that correct the guessed mapping (only with --indicators).
#[derive(Args, Debug, Default)]
pub struct ColumnArgs {
    /// 与 --indicators 同用：读取哪个工作表（默认第一个看得出指标表的）
    #[arg(long, value_name = "工作表", requires = "indicators")]
    sheet: Option<String>,
    /// 与 --indicators 同用：指标名称所在的列（列字母，如 B）
    #[arg(long, value_name = "列", requires = "indicators")]
    name_column: Option<String>,
    /// 与 --indicators 同用：试点前数值所在的列（列字母）
    #[arg(long, value_name = "列", requires = "indicators")]
    before_column: Option<String>,
    /// 与 --indicators 同用：试点后数值所在的列（列字母）
    #[arg(long, value_name = "列", requires = "indicators")]
    after_column: Option<String>,
    /// 与 --indicators 同用：指标的单位，如 --unit 小区议事会议次数=次（可重复）
    #[arg(long, value_name = "指标=单位", requires = "indicators")]
    unit: Vec<String>,
    /// 与 --indicators 同用：指标的方向，higher（越高越好）或 lower（越低越好），如 --better 投诉量=lower（可重复）
    #[arg(long, value_name = "指标=方向", requires = "indicators")]
    better: Vec<String>,
}

fn choices(args: &ColumnArgs) -> anyhow::Result<Choices> {
    let pairs = |values: &[String], option: &str| -> anyhow::Result<Vec<(String, String)>> {
        values
            .iter()
            .map(|v| match v.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                    Ok((k.trim().to_string(), v.trim().to_string()))
                }
                _ => anyhow::bail!("{option} 的格式应为 指标名称=取值，收到“{v}”"),
            })
            .collect()
    };
    let mut better = std::collections::BTreeMap::new();
    for (name, value) in pairs(&args.better, "--better")? {
        let b = match value.as_str() {
            "higher" | "越高越好" | "高" => Better::Higher,
            "lower" | "越低越好" | "低" => Better::Lower,
            other => anyhow::bail!("--better {name}= 的取值应为 higher（越高越好）或 lower（越低越好），收到“{other}”"),
        };
        better.insert(name, b);
    }
    Ok(Choices {
        sheet: args.sheet.clone(),
        name_column: args.name_column.clone(),
        before_column: args.before_column.clone(),
        after_column: args.after_column.clone(),
        units: pairs(&args.unit, "--unit")?.into_iter().collect(),
        better,
    })
}

/// Reads the table, shows the mapping, and (unless a dry run) writes the project under the write lock.
pub fn run(
    root: &Path,
    file: &Path,
    project: &str,
    args: &ColumnArgs,
    dry_run: bool,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let choices = choices(args)?;
    let ext = file.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if !matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" | "et") {
        anyhow::bail!("{}：--indicators 只能读取表格文件（.xlsx、.xls、.et、.ods）", file.display());
    }
    let bytes = casebook::library::read_bounded(file, casebook::library::original::MAX_ORIGINAL_BYTES)
        .with_context(|| format!("无法读取 {}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let table = match read_table(&bytes, &ext, &name, &choices) {
        Ok(t) => t,
        Err(message) => anyhow::bail!("{}：{message}", file.display()),
    };
    let lock = if dry_run {
        None
    } else {
        Some(casebook::store::WriteLock::take(root).context("无法锁定资料库以写入指标")?)
    };
    let lib = Library::load(root).with_context(|| format!("无法打开资料库 {}", root.display()))?;
    let planned = plan_update(&lib, project, &table);
    if as_json {
        let mut out = json!({ "dry_run": dry_run, "file": file.display().to_string(), "table": table_json(&table) });
        let code = match &planned {
            Ok((_, record, changes)) => {
                out["project"] = json!(record.path);
                out["changes"] = json!(changes.iter().map(change_text).collect::<Vec<_>>());
                ExitCode::SUCCESS
            }
            Err(e) => {
                out["error"] = json!(e.to_string());
                ExitCode::from(1)
            }
        };
        if let (Ok((plan, ..)), Some(lock)) = (planned, lock.as_ref()) {
            plan.commit(lock)?.all_written()?;
            out["written"] = json!(true);
            let _ = SearchIndex::open(root);
        }
        print_json(&out)?;
        return Ok(code);
    }
    print_table(&table);
    match planned {
        Ok((plan, record, changes)) => {
            for change in &changes {
                say!("  {}", change_text(change));
            }
            if let Some(lock) = lock.as_ref() {
                plan.commit(lock)?.all_written()?;
                say!("已写入 {}（旧版本保存在历史中）", record.path);
                if let Err(e) = SearchIndex::open(root) {
                    say!("检索索引未能更新：{e}（下次检索时会自动更新）");
                }
            } else {
                say!("试运行：将写入 {}，未写入", record.path);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ IndicatorError::Unresolved(_)) => {
            say_err!("未写入：{e}");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e).context("未写入指标"),
    }
}

fn print_table(table: &IndicatorTable) {
    say!("工作表“{}”，第 {} 行为表头：", table.sheet, table.header_row);
    for c in &table.columns {
        let why = if c.evidence.is_empty() { String::new() } else { format!("（依据：{}）", c.evidence) };
        say!("  {} 列“{}” → {}{why}", c.letter, c.header, c.role.label());
    }
    say!("读出 {} 个指标：", table.rows.len());
    for row in &table.rows {
        let i = &row.indicator;
        let value = |m: &Option<casebook::library::Measurement>| {
            m.as_ref().and_then(|m| m.value).map(|v| v.to_string()).unwrap_or_default()
        };
        let unit = match (&i.unit, &row.unit_from) {
            (Some(u), Some(from)) => format!("单位 {u}（{from}）"),
            _ => "单位未知".to_string(),
        };
        let better = match (i.better.as_deref(), &row.better_from) {
            (Some("higher"), Some(from)) => format!("越高越好（{from}）"),
            (Some("lower"), Some(from)) => format!("越低越好（{from}）"),
            _ => "方向未知".to_string(),
        };
        say!(
            "  第 {} 行 {}：{} → {}；{unit}；{better}",
            row.number,
            i.name.as_deref().unwrap_or(""),
            value(&i.before),
            value(&i.after)
        );
    }
    for note in &table.notes {
        say!("  注意：{note}");
    }
}

fn change_text(change: &Change) -> String {
    match change {
        Change::Added(name) => format!("新增指标“{name}”"),
        Change::Updated { name, was } => {
            let was = was
                .map(|(b, a)| {
                    let v = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_else(|| "空".into());
                    format!("（原为 {} → {}）", v(b), v(a))
                })
                .unwrap_or_default();
            format!("更新指标“{name}”{was}")
        }
    }
}

fn table_json(table: &IndicatorTable) -> serde_json::Value {
    json!({
        "sheet": table.sheet,
        "header_row": table.header_row,
        "columns": table.columns.iter().map(|c| json!({
            "column": c.letter, "header": c.header, "role": c.role.label(), "evidence": c.evidence,
        })).collect::<Vec<_>>(),
        "indicators": table.rows.iter().map(|r| json!({
            "row": r.number,
            "indicator": r.indicator,
            "unit_from": r.unit_from,
            "better_from": r.better_from,
        })).collect::<Vec<_>>(),
        "unresolved": table.unresolved().iter().map(|(n, w)| format!("{n}：{w}")).collect::<Vec<_>>(),
        "notes": table.notes,
    })
}
