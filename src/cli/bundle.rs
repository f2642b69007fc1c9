//! `casebook bundle export` and `casebook bundle import`: exchange bundles between district offices.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use casebook::bundle::{self as core, ApplyReport, Change, DiffTag, ImportPlan, PlanEntry};
use casebook::library::Library;
use casebook::search::SearchIndex;
use casebook::store::WriteLock;
use clap::{Args, Subcommand};
use serde_json::json;

use super::output::{colour, print_json};

#[derive(Args, Debug)]
pub struct BundleArgs {
    #[command(subcommand)]
    command: BundleCommand,
}

#[derive(Subcommand, Debug)]
enum BundleCommand {
    /// 把某区县的写作材料、认领项目、调研点（及其引用的附件）导出为交换包 .zip
    Export {
        /// 区县（名录中的名称或简称，如 渝中区、合川）
        #[arg(long)]
        district: String,
        /// 交换包文件，如 渝中区.zip
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 导入其他单位送来的交换包：新记录直接加入；有改动的记录先列出差异，须明确接受才会写入
    Import {
        /// 交换包文件
        file: PathBuf,
        /// 只显示将要做的改动，不写入任何文件
        #[arg(long)]
        dry_run: bool,
        /// 接受全部有改动的记录（旧版本保存在 .casebook/history/）
        #[arg(long)]
        accept_changed: bool,
        /// 接受这条有改动的记录：记录 id 或本库中的路径（可重复）
        #[arg(long = "accept", value_name = "ID")]
        accept: Vec<String>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
}

/// Runs `casebook bundle …`.
pub fn run(root: &Path, args: BundleArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        BundleCommand::Export { district, out, json } => export(root, &district, &out, json),
        BundleCommand::Import { file, dry_run, accept_changed, accept, json } => {
            import(root, &file, Decision { dry_run, accept_changed, accept }, json)
        }
    }
}

fn load(root: &Path) -> anyhow::Result<Library> {
    Library::load(root).with_context(|| format!("无法打开资料库 {}", root.display()))
}

fn export(root: &Path, district: &str, out: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let lib = load(root)?;
    let report = core::export(&lib, district, out).context("未能导出交换包")?;
    if json {
        print_json(&json!({
            "district": report.district,
            "path": report.path,
            "records": report.records,
            "assets": report.assets,
            "skipped": report.skipped.iter().map(|(p, why)| json!({"path": p, "reason": why})).collect::<Vec<_>>(),
        }))?;
    } else {
        say!(
            "已导出{}的 {} 条记录（{} 个附件）到 {}",
            report.district,
            report.records,
            report.assets,
            report.path.display()
        );
        for (path, why) in &report.skipped {
            say_err!("警告：未打包附件 {path}：{why}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What the user decided on the command line about changed records.
struct Decision {
    dry_run: bool,
    accept_changed: bool,
    accept: Vec<String>,
}

fn import(root: &Path, file: &Path, decision: Decision, json: bool) -> anyhow::Result<ExitCode> {
    // Held from reading the library to the last write: what the plan checked is what is written over.
    let lock =
        if decision.dry_run { None } else { Some(WriteLock::take(root).context("无法锁定资料库以导入")?) };
    let lib = load(root)?;
    let plan = core::read_bundle(&lib, file)
        .with_context(|| format!("已拒绝导入交换包 {}，资料库未作任何改动", file.display()))?;
    warn_unknown_accepts(&plan, &decision.accept);
    let applied = if let Some(lock) = &lock {
        let wanted: HashSet<&str> = decision.accept.iter().map(|s| s.trim()).collect();
        let accept = |e: &PlanEntry| {
            decision.accept_changed
                || e.id.as_deref().is_some_and(|id| wanted.contains(id))
                || wanted.contains(e.rel.as_str())
        };
        let report = core::apply(&lib, &plan, &accept, lock).context("写入资料库时出错，已写入的文件已恢复原状")?;
        drop(lib);
        if report.wrote_anything() {
            sync_index(root);
        }
        Some(report)
    } else {
        None
    };
    if json {
        print_json(&plan_json(&plan, decision.dry_run, applied.as_ref()))?;
    } else {
        print_plan(&plan);
        match &applied {
            None => say!("（试运行：未写入任何文件）"),
            Some(report) => print_report(&plan, report),
        }
    }
    let conflicts = applied.as_ref().is_some_and(|r| !r.conflicts.is_empty());
    Ok(if conflicts { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `--accept` ids that name no changed entry are probably typos: say so.
fn warn_unknown_accepts(plan: &ImportPlan, accept: &[String]) {
    for id in accept {
        let id = id.trim();
        let hit = plan.changed_entries().any(|e| e.id.as_deref() == Some(id) || e.rel == id);
        if !hit {
            say_err!("警告：--accept {id}：交换包中没有这条有改动的记录");
        }
    }
}

fn sync_index(root: &Path) {
    match SearchIndex::open(root) {
        Ok((_, report)) => {
            if let Some(reason) = &report.rebuilt {
                say_err!("提示：{reason}");
            }
        }
        Err(e) => say_err!("警告：文件已写入，但检索索引未能更新（{e}）；下次检索时会自动更新"),
    }
}

fn print_plan(plan: &ImportPlan) {
    let m = &plan.manifest;
    let from = if m.library.is_empty() { String::new() } else { format!(" · 来自“{}”", m.library) };
    say!("交换包：{}{from} · {} · {} 条记录、{} 个附件", m.district, m.created, m.record_count(), m.asset_count());
    say!(
        "新增 {} / 相同 {} / 有改动 {}",
        plan.new_entries().count(),
        plan.same_entries().count(),
        plan.changed_entries().count()
    );
    let colour = colour();
    for e in plan.entries.iter().filter(|e| !matches!(e.change, Change::Same)) {
        say!("{}  {}  {}  {}", e.change.label(), e.rel, e.label(), e.title);
        if e.rel != e.bundle_path {
            say!("  （包内路径 {}，本库已有同 id 的记录在此路径）", e.bundle_path);
        }
        if let Change::Changed { diff, .. } = &e.change {
            print_diff(diff, colour);
        }
    }
    for w in &plan.warnings {
        say!("警告 {}:{}: [{}] {}", w.path, w.line, w.code, w.message);
    }
}

fn print_diff(diff: &[core::DiffLine], colour: bool) {
    if diff.is_empty() {
        say!("  （二进制文件，无法逐行比较）");
        return;
    }
    let mut previous: Option<&core::DiffLine> = None;
    for line in diff {
        if previous.is_none_or(|p| line.starts_hunk_after(p)) {
            let at = line.old_line.or(line.new_line).unwrap_or(1);
            let header = format!("  @@ 第 {at} 行起 @@");
            say!("{}", if colour { format!("\x1b[36m{header}\x1b[0m") } else { header });
        }
        let text = format!("  {}", line.unified());
        let painted = match (colour, line.tag) {
            (true, DiffTag::Insert) => format!("\x1b[32m{text}\x1b[0m"),
            (true, DiffTag::Delete) => format!("\x1b[31m{text}\x1b[0m"),
            _ => text,
        };
        say!("{painted}");
        previous = Some(line);
    }
}

fn print_report(plan: &ImportPlan, report: &ApplyReport) {
    say!("已新增 {} 个文件，更新 {} 个文件，{} 个未变", report.added.len(), report.updated.len(), report.unchanged);
    if !report.updated.is_empty() {
        say!("被替换的旧版本保存在 .casebook/history/ 中，可以恢复");
    }
    if !report.rejected.is_empty() {
        let labels: Vec<&str> =
            plan.entries.iter().filter(|e| report.rejected.contains(&e.rel)).map(PlanEntry::label).collect();
        say!("未导入 {} 条有改动的记录（保持本库原样）：{}", labels.len(), labels.join("、"));
        say!("提示：核对上面的差异后，用 --accept-changed 全部接受，或用 --accept ID 逐条接受");
    }
    for c in &report.conflicts {
        say!("冲突 {}：{}", c.rel, c.message);
    }
}

fn plan_json(plan: &ImportPlan, dry_run: bool, applied: Option<&ApplyReport>) -> serde_json::Value {
    let m = &plan.manifest;
    let entries: Vec<_> = plan
        .entries
        .iter()
        .map(|e| {
            let diff = match &e.change {
                Change::Changed { diff, .. } => json!(diff),
                _ => json!([]),
            };
            json!({
                "path": e.rel,
                "bundle_path": e.bundle_path,
                "id": e.id,
                "kind": e.kind,
                "title": e.title,
                "change": e.change.key(),
                "diff": diff,
            })
        })
        .collect();
    json!({
        "bundle": {
            "district": m.district,
            "library": m.library,
            "created": m.created,
            "records": m.record_count(),
            "assets": m.asset_count(),
        },
        "counts": {
            "new": plan.new_entries().count(),
            "same": plan.same_entries().count(),
            "changed": plan.changed_entries().count(),
        },
        "entries": entries,
        "warnings": plan.warnings,
        "dry_run": dry_run,
        "applied": applied,
    })
}
