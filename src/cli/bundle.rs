//! `casebook bundle`. Being written.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub struct BundleArgs {}

pub fn run(_root: &Path, _args: BundleArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("尚未实现")
}
