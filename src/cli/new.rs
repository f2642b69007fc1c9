//! `casebook new`. Being written.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub struct NewArgs {}

pub fn run(_root: &Path, _args: NewArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("尚未实现")
}
