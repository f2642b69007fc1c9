//! `casebook gen`: a deterministic library of any size.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use casebook::generate::{GenSpec, generate};
use clap::Args;

#[derive(Args, Debug)]
pub struct GenArgs {
    /// 输出文件夹（须不存在或为空）
    #[arg(long)]
    out: PathBuf,
    /// 写作材料篇数
    #[arg(long)]
    writeups: usize,
    /// 随机种子（相同种子生成相同内容）
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub fn run(args: GenArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let report = generate(&args.out, &GenSpec { writeups: args.writeups, seed: args.seed })
        .with_context(|| format!("生成资料库 {} 失败", args.out.display()))?;
    say!(
        "已生成 {}：{} 个项目、{} 篇写作材料、{} 个调研点、{} 个学习专辑，{:.1} MB，用时 {:.1} 秒",
        args.out.display(),
        report.projects,
        report.writeups,
        report.sites,
        report.collections,
        report.bytes as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
