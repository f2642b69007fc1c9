//! `casebook export`. Being written.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub struct ExportArgs {}

pub fn run(_root: &Path, _args: ExportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("尚未实现")
}
