//! `casebook import`. Being written.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub struct ImportArgs {}

pub fn run(_root: &Path, _args: ImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("尚未实现")
}
