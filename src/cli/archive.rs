//! `casebook archive`: each claimed project's materials by type and year against the archive checklist; the
//! 档案目录 as Excel, Word or CSV; the 迎检 pack of a district (catalogue and originals in one .zip).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use casebook::export::{CatalogFormat, Stamp, catalog};
use casebook::library::Library;
use casebook::library::archive::archive;
use clap::{Args, Subcommand};

use super::output::print_json;

#[derive(Args, Debug)]
pub struct ArchiveArgs {
    #[command(subcommand)]
    action: Option<Action>,
    /// 只看某区县
    #[arg(long, global = true)]
    district: Option<String>,
    /// 以 JSON 输出
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum Action {
    /// 写出档案目录（序号、题名、文种、日期、项目、区县、页数、原件文件名、校验值）
    Catalog {
        /// 输出文件：.xlsx、.docx 或 .csv（不能在资料库之内）
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// 打包某区县的迎检档案：档案目录和全部原件，附校验值清单
    Pack {
        /// 输出的 .zip 文件（不能在资料库之内）
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn run(root: &Path, args: ArchiveArgs) -> anyhow::Result<ExitCode> {
    let lib = Library::load(root).with_context(|| format!("无法打开资料库 {}", root.display()))?;
    if let Some(d) = &args.district
        && lib.config.resolve_district(d).is_none()
    {
        say_err!("错误：未知的区县“{d}”");
        return Ok(ExitCode::from(2));
    }
    let district = args.district.as_deref().map(|d| lib.config.district_name(d).to_string());
    match args.action {
        None => summary(&lib, district.as_deref(), args.json),
        Some(Action::Catalog { out }) => {
            let Some(format) = CatalogFormat::of_path(&out) else {
                say_err!("错误：档案目录只能写成 .xlsx、.docx 或 .csv 文件：{}", out.display());
                return Ok(ExitCode::from(2));
            };
            casebook::store::output_outside(root, &out)?;
            let bytes =
                catalog::render(&lib, district.as_deref(), format, &Stamp::now()).context("无法生成档案目录")?;
            casebook::store::write_atomic(&out, &bytes).with_context(|| format!("无法写入 {}", out.display()))?;
            let n = casebook::library::archive::catalog(&lib, district.as_deref()).len();
            say!("已写出档案目录（{n} 件）：{}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Some(Action::Pack { out }) => {
            let Some(district) = district else {
                say_err!("错误：请用 --district 指定要打包的区县");
                return Ok(ExitCode::from(2));
            };
            if !out.to_string_lossy().to_lowercase().ends_with(".zip") {
                say_err!("错误：迎检档案包应是 .zip 文件：{}", out.display());
                return Ok(ExitCode::from(2));
            }
            casebook::store::output_outside(root, &out)?;
            let report = catalog::pack(&lib, &district, &out, &Stamp::now())
                .with_context(|| format!("无法写入 {}", out.display()))?;
            if args.json {
                print_json(&report)?;
            } else {
                say!("已打包 {district} 迎检档案：{}", out.display());
                say!("  目录 {} 件，原件 {} 份", report.listed, report.originals);
                for (what, why) in &report.problems {
                    say!("  未打包：{what}（{why}）");
                }
            }
            Ok(if report.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

/// Each project's checklist lines, with what is missing.
fn summary(lib: &Library, district: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    let a = archive(lib, district);
    if json {
        print_json(&a)?;
        return Ok(ExitCode::SUCCESS);
    }
    let checklist: Vec<String> = lib.config.archive_checklist.iter().map(|(t, n)| format!("{t} {n}")).collect();
    say!("档案清单（每个认领项目）：{}", checklist.join("、"));
    for p in &a.projects {
        let years: Vec<String> = p.years.iter().map(i32::to_string).collect();
        say!(
            "\n{} {} · {}（{}）",
            p.district,
            p.id,
            p.name,
            if years.is_empty() { "无材料".into() } else { years.join("、") }
        );
        for l in &p.lines {
            let missing = l.missing();
            let mark = if missing > 0 { format!("  缺 {missing}") } else { String::new() };
            let need = if l.need > 0 { format!("/{}", l.need) } else { String::new() };
            say!("  {:<6}{}{need}{mark}", l.doc_type, l.items.len());
        }
    }
    if !a.unfiled.is_empty() {
        say!("\n未归入项目的材料 {} 件", a.unfiled.len());
    }
    let incomplete = a.incomplete().count();
    say!("\n共 {} 个项目，{} 个档案不全", a.projects.len(), incomplete);
    Ok(ExitCode::SUCCESS)
}
