//! `casebook export site ID | route DISTRICT | collection ID --out DIR [--format html,docx,md] [--zip]`:
//! showcase packets and study packs. Prints the files written, in Chinese; `--json` gives stable keys.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use casebook::export::{ExportError, ExportOptions, Format, Target, export};
use casebook::library::Library;
use clap::{Args, ValueEnum};
use serde_json::json;

use super::output::print_json;

/// What kind of target the second argument names.
#[derive(ValueEnum, Clone, Copy, Debug)]
enum What {
    /// 调研点展示材料（参数为调研点 id）
    Site,
    /// 区县调研路线展示材料（参数为区县名称或简称）
    Route,
    /// 学习专辑学习材料（参数为专辑 id）
    Collection,
}

/// Format names on the command line.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum FormatArg {
    Html,
    Docx,
    #[value(alias = "markdown")]
    Md,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// 导出对象：site（调研点）、route（区县路线）、collection（学习专辑）
    #[arg(value_enum)]
    what: What,
    /// 调研点 id、区县名称（可用简称）或学习专辑 id
    target: String,
    /// 输出文件夹（在其中新建以导出对象命名的子文件夹；不能在资料库内）
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// 文档格式，逗号分隔（默认三种都导出；CSV 数据表和 manifest.json 总会生成）
    #[arg(long, value_enum, value_delimiter = ',', default_values = ["html", "docx", "md"])]
    format: Vec<FormatArg>,
    /// 打包为一个 .zip 文件
    #[arg(long)]
    zip: bool,
    /// 以 JSON 输出写入的文件
    #[arg(long)]
    json: bool,
}

fn size(path: &Path) -> String {
    match std::fs::metadata(path).map(|m| m.len()) {
        Ok(b) if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / 1024.0 / 1024.0),
        Ok(b) if b >= 1024 => format!("{} KB", b.div_ceil(1024)),
        Ok(b) => format!("{b} 字节"),
        Err(_) => "—".into(),
    }
}

pub fn run(root: &Path, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let lib = Library::load(root).with_context(|| format!("无法打开资料库 {}", root.display()))?;
    let target = match args.what {
        What::Site => Target::Site(args.target.clone()),
        What::Route => Target::Route(args.target.clone()),
        What::Collection => Target::Collection(args.target.clone()),
    };
    let formats = args
        .format
        .iter()
        .map(|f| match f {
            FormatArg::Html => Format::Html,
            FormatArg::Docx => Format::Docx,
            FormatArg::Md => Format::Markdown,
        })
        .collect();
    let opts = ExportOptions { target, formats, out_dir: args.out.clone(), zip: args.zip };
    let report = match export(&lib, &opts, &mut |_, _| {}) {
        Ok(r) => r,
        Err(
            e @ (ExportError::UnknownSite(_)
            | ExportError::NotASite { .. }
            | ExportError::UnknownDistrict(_)
            | ExportError::NoSites(_)
            | ExportError::UnknownCollection(_)
            | ExportError::NotACollection { .. }
            | ExportError::InsideLibrary(_)),
        ) => {
            say_err!("错误：{e}");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    if args.json {
        print_json(&json!({
            "title": report.title,
            "folder": report.folder,
            "archive": report.archive,
            "files": report.files,
            "warnings": report.warnings,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    match &report.archive {
        Some(zip) => say!("已导出《{}》，打包为：{}（{}）", report.title, zip.display(), size(zip)),
        None => {
            say!("已导出《{}》到文件夹：{}", report.title, report.folder.display());
            for f in &report.files {
                let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                say!("  写入 {name}（{}）", size(f));
            }
        }
    }
    if !report.warnings.is_empty() {
        say!("需处理的事项（已列入材料核对清单）：");
        for w in &report.warnings {
            say!("  · {w}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `casebook docx-check`: each measurable rule of GB/T 9704 the file meets or breaks. Exit 0 when every rule that
/// could be measured is met, 1 when one is broken.
pub fn docx_check(file: &std::path::Path, as_json: bool) -> anyhow::Result<ExitCode> {
    use casebook::export::gbt9704::{Verdict, check_docx};
    let findings = match check_docx(file) {
        Ok(f) => f,
        Err(message) => anyhow::bail!("{}：{message}", file.display()),
    };
    let broken = findings.iter().filter(|f| f.verdict == Verdict::Broken).count();
    if as_json {
        print_json(&serde_json::json!({ "file": file.display().to_string(), "broken": broken, "findings": findings }))?;
    } else {
        say!("{}：按 GB/T 9704-2012 检查", file.display());
        for f in &findings {
            say!("  [{}] {}：{}（标准：{}）", f.verdict.label(), f.rule, f.found, f.expected);
        }
        let unknown = findings.iter().filter(|f| f.verdict == Verdict::Unknown).count();
        let met = findings.len() - broken - unknown;
        say!("共 {} 项：符合 {met} 项，不符合 {broken} 项，无法判断 {unknown} 项", findings.len());
    }
    Ok(if broken == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
