//! The `casebook` binary: parses arguments and hands over to the command line layer.

fn main() -> std::process::ExitCode {
    casebook_cli::run()
}

#[path = "cli/mod.rs"]
mod casebook_cli;
