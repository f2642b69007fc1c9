//! `casebook check` and the library summary.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use casebook::library::check::{check as run_check, check_files};
use casebook::library::{Kind, Library, Problem};

use super::output::print_json;

fn line(p: &Problem) -> String {
    if p.line == 0 {
        format!("{}: [{}] {}", p.path, p.code, p.message)
    } else {
        format!("{}:{}: [{}] {}", p.path, p.line, p.code, p.message)
    }
}

/// Checks the library; exit code 1 when there are errors.
pub fn check(root: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let lib = Library::load(root).with_context(|| format!("无法打开资料库 {}", root.display()))?;
    let report = check_files(&lib);
    if json {
        print_json(&report)?;
    } else {
        for p in &report.errors {
            say!("错误 {}", line(p));
        }
        for p in &report.warnings {
            say!("警告 {}", line(p));
        }
        let s = &report.stats;
        say!(
            "共 {} 个项目、{} 篇写作材料、{} 个区县、{} 个调研点、{} 个学习专辑；{} 个错误，{} 个警告",
            s.projects,
            s.writeups,
            s.districts,
            s.sites,
            s.collections,
            report.errors.len(),
            report.warnings.len()
        );
    }
    Ok(if report.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// What `cargo run --release` prints: the library at a glance, by district.
pub fn summary(root: &Path) -> anyhow::Result<ExitCode> {
    let lib = Library::load(root).with_context(|| format!("无法打开资料库 {}", root.display()))?;
    let report = run_check(&lib);
    let s = &report.stats;
    say!("经验库 · {}", root.display());
    say!(
        "{} 个区县 · {} 个认领项目 · {} 篇写作材料 · {} 个调研点 · {} 个学习专辑",
        s.districts,
        s.projects,
        s.writeups,
        s.sites,
        s.collections
    );
    let mut rows: std::collections::BTreeMap<&str, [usize; 3]> = Default::default();
    for r in &lib.records {
        let Some(d) = lib.district_of(r) else {
            continue;
        };
        let slot = match r.kind() {
            Kind::Project => 0,
            Kind::Writeup => 1,
            Kind::Site => 2,
            Kind::Collection => continue,
        };
        rows.entry(d).or_default()[slot] += 1;
    }
    say!("\n{:<10}\t项目\t材料\t调研点", "区县");
    for (d, [p, w, s]) in rows {
        say!("{d:<10}\t{p}\t{w}\t{s}");
    }
    if !s.incomplete_projects.is_empty() {
        let rule = casebook::library::rules::experience_min_text();
        say!("\n{}不足{rule}的项目：{}", casebook::library::rules::EXPERIENCE, s.incomplete_projects.join("、"));
    }
    say!("\n{} 个错误，{} 个警告（详见 casebook check）", report.errors.len(), report.warnings.len());
    Ok(ExitCode::SUCCESS)
}
