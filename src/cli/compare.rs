//! `casebook compare`: a project's indicators before and after, or one indicator across districts.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use casebook::compare::{cross_district, format_change, format_number, project_summary};
use casebook::library::{Kind, Library, Meta};
use clap::Args;
use serde_json::json;

use super::output::print_json;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// 项目编号（查看该项目试点前后指标）
    project: Option<String>,
    /// 指标名称（横向对比各区县，同义词视为同一指标）
    #[arg(long)]
    indicator: Option<String>,
    /// 横向对比时只看某主题的项目
    #[arg(long)]
    theme: Option<String>,
    /// 横向对比时只看某年认领的项目
    #[arg(long)]
    year: Option<i32>,
    /// 以 JSON 输出（含全部计算结果）
    #[arg(long)]
    json: bool,
    /// 同时把表格写成 CSV 文件（UTF-8 带 BOM，可直接用 Excel/WPS 打开）
    #[arg(long, value_name = "FILE")]
    csv: Option<std::path::PathBuf>,
}

fn write_csv(root: &Path, path: &Path, text: &str) -> anyhow::Result<()> {
    casebook::store::output_outside(root, path)?;
    casebook::store::write_atomic(path, text.as_bytes()).with_context(|| format!("无法写入 {}", path.display()))?;
    say_err!("已写出 CSV：{}", path.display());
    Ok(())
}

fn value(v: Option<f64>) -> String {
    v.map(format_number).unwrap_or_else(|| "—".into())
}

pub fn run(root: &Path, args: CompareArgs) -> anyhow::Result<ExitCode> {
    let lib = Library::load(root).with_context(|| format!("无法打开资料库 {}", root.display()))?;
    if let Some(name) = &args.indicator {
        let table = match cross_district(&lib, name, args.theme.as_deref(), args.year) {
            Ok(t) => t,
            Err(e) => {
                say_err!("错误：{e}");
                return Ok(ExitCode::from(1));
            }
        };
        if let Some(path) = &args.csv {
            write_csv(root, path, &casebook::compare::csv::cross_csv(&table))?;
        }
        if args.json {
            print_json(&table)?;
            return Ok(ExitCode::SUCCESS);
        }
        say!("横向对比：{}", table.indicator);
        say!("{}", table.ranking_note());
        for (i, r) in table.rows.iter().enumerate() {
            let improvement = match (r.improvement, r.measure) {
                (Some(v), Some(m)) => format!("改善幅度 {}", m.format(v, &table.unit)),
                _ => "改善幅度 —".into(),
            };
            say!(
                "{:>2}. {}  {}  {} → {}  {}  {}  {}",
                i + 1,
                r.district,
                r.project_name,
                value(r.change.before),
                value(r.change.after),
                format_change(&r.change),
                r.change.trend.label(),
                improvement
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(id) = &args.project else {
        say_err!("错误：请给出项目编号，或用 --indicator 指定要横向对比的指标");
        return Ok(ExitCode::from(2));
    };
    let Some(p) = lib.get(id).filter(|r| r.kind() == Kind::Project) else {
        say_err!("错误：没有 id 为 “{id}” 的项目");
        return Ok(ExitCode::from(1));
    };
    let Meta::Project(meta) = &p.meta else { unreachable!("checked kind") };
    let summary = project_summary(meta);
    if let Some(path) = &args.csv {
        write_csv(
            root,
            path,
            &casebook::compare::csv::project_csv(id, p.title(), lib.district_of(p).unwrap_or(""), &summary),
        )?;
    }
    if args.json {
        print_json(&json!({
            "project": id, "name": p.title(), "district": lib.district_of(p),
            "summary": summary, "sentence": summary.sentence(), "evaluation": meta.evaluation,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    say!("{}（{}）", p.title(), lib.district_of(p).unwrap_or(""));
    say!("{}", summary.sentence());
    for c in &summary.indicators {
        let target = c.target.map(|t| format!("；目标 {}", format_number(t))).unwrap_or_default();
        say!(
            "· {} [{}] {} → {}  {}  {}{}",
            c.name,
            c.unit,
            value(c.before),
            value(c.after),
            format_change(c),
            c.trend.label(),
            target
        );
    }
    for e in &meta.evaluation {
        say!(
            "群众评价 {}：满意度 {}%，样本 {}",
            e.period.as_deref().unwrap_or(""),
            value(e.satisfaction),
            e.sample.map(|s| s.to_string()).unwrap_or_else(|| "—".into())
        );
    }
    Ok(ExitCode::SUCCESS)
}
