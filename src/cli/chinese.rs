//! The command line's own words in Chinese: clap's help headings, usage line, help and version flags, and its
//! argument errors (an unknown option, a bad value, a missing argument), which clap would print in English.
//!
//! The commands and options are described in Chinese where they are declared; this module only replaces what
//! clap adds around them.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

use super::Cli;

/// Every command's help, laid out with Chinese headings.
const TEMPLATE: &str = "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// Parses the process's arguments; on `--help` or `--version` prints and exits 0, on a bad argument prints a
/// Chinese message with the usage line and exits 2, as clap would.
pub fn parse() -> Cli {
    let matches = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => exit_with(e),
    };
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => exit_with(e),
    }
}

/// The command tree with Chinese headings, usage and help flags.
pub fn command() -> Command {
    localise(Cli::command(), true)
}

fn localise(cmd: Command, root: bool) -> Command {
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .mut_args(|a| {
            if a.get_help_heading().is_some() {
                a
            } else if a.is_positional() {
                a.help_heading("参数")
            } else {
                a.help_heading("选项")
            }
        })
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help("显示帮助").help_heading("选项"));
    if root {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号")
                .help_heading("选项"),
        );
    }
    cmd.mut_subcommands(|sub| localise(sub, false))
}

/// clap's placeholders in a usage line, in Chinese.
fn chinese_usage(text: &str) -> String {
    text.replace("Usage: ", "用法：")
        .replace("Usage:", "用法：")
        .replace("[OPTIONS]", "[选项]")
        .replace("<COMMAND>", "<命令>")
        .replace("[COMMAND]", "[命令]")
}

fn value_text(v: &ContextValue) -> String {
    match v {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(list) => list.join("、"),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(list) => list.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("、"),
        ContextValue::Number(n) => n.to_string(),
        ContextValue::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// What went wrong with the arguments, in Chinese.
fn message(e: &clap::Error) -> String {
    let get = |k: ContextKind| e.get(k).map(value_text).unwrap_or_default();
    let arg = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    match e.kind() {
        ErrorKind::UnknownArgument => format!("无法识别的参数 {arg}"),
        ErrorKind::InvalidSubcommand => format!("没有名为 “{}” 的命令", get(ContextKind::InvalidSubcommand)),
        ErrorKind::InvalidValue => {
            let valid = get(ContextKind::ValidValue);
            let valid = if valid.is_empty() { String::new() } else { format!("（可选：{valid}）") };
            if value.is_empty() {
                format!("参数 {arg} 需要一个值{valid}")
            } else {
                format!("参数 {arg} 的值 “{value}” 无效{valid}")
            }
        }
        ErrorKind::ValueValidation => {
            // The reason when it is ours (in Chinese); the standard parsers' reasons are in English.
            let why = std::error::Error::source(e)
                .map(|s| s.to_string())
                .filter(|s| s.chars().any(casebook::text::is_cjk))
                .map(|s| format!("：{s}"))
                .unwrap_or_default();
            format!("参数 {arg} 的值 “{value}” 无效{why}")
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => "缺少命令".into(),
        ErrorKind::ArgumentConflict => {
            let prior = get(ContextKind::PriorArg);
            if prior.is_empty() {
                format!("参数 {arg} 不能与已给出的参数同时使用")
            } else {
                format!("参数 {arg} 不能与 {prior} 同时使用")
            }
        }
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("参数 {arg} 的值的个数不对")
        }
        ErrorKind::NoEquals => format!("参数 {arg} 需要用 = 给出值"),
        ErrorKind::InvalidUtf8 => "参数中有无法识别的字符（不是 UTF-8）".into(),
        _ => "命令行参数有误".into(),
    }
}

/// Prints help or version (exit 0) or the error in Chinese (exit 2), and ends the process.
fn exit_with(e: clap::Error) -> ! {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let text = chinese_usage(&e.render().to_string());
            super::output::write(super::output::Stream::Out, &format!("{}\n", text.trim_end()));
            std::process::exit(0);
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            super::output::write(super::output::Stream::Err, &chinese_usage(&e.render().to_string()));
            std::process::exit(2);
        }
        _ => {}
    }
    say_err!("错误：{}", message(&e));
    let suggested = [ContextKind::SuggestedArg, ContextKind::SuggestedSubcommand, ContextKind::SuggestedValue]
        .into_iter()
        .filter_map(|k| e.get(k).map(value_text))
        .find(|s| !s.is_empty());
    if let Some(s) = suggested {
        say_err!("  提示：是不是要用 {s}？");
    }
    if let Some(usage) = e.get(ContextKind::Usage).map(value_text) {
        say_err!("\n{}", chinese_usage(usage.trim()));
    }
    say_err!("\n详细说明：casebook --help，或 casebook <命令> --help");
    std::process::exit(2);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_tree_is_valid_and_its_help_is_chinese() {
        let mut cmd = command();
        cmd.build();
        let help = chinese_usage(&cmd.render_help().to_string());
        for expected in ["用法：", "命令", "选项", "显示帮助", "显示版本号"] {
            assert!(help.contains(expected), "{expected} in {help}");
        }
        for english in ["Usage", "Options", "Commands", "Print help", "Print version", "[OPTIONS]"] {
            assert!(!help.contains(english), "{english} in {help}");
        }
        let search = cmd.find_subcommand_mut("search").unwrap();
        let help = chinese_usage(&search.render_help().to_string());
        assert!(help.contains("参数") && help.contains("选项") && !help.contains("Arguments"), "{help}");
    }

    #[test]
    fn argument_errors_are_chinese() {
        let e = command().try_get_matches_from(["casebook", "search", "--bogus"]).unwrap_err();
        assert_eq!(message(&e), "无法识别的参数 --bogus");
        let e = command().try_get_matches_from(["casebook", "import", "a.md", "--year", "abc"]).unwrap_err();
        assert_eq!(message(&e), "参数 --year <YEAR> 的值 “abc” 无效");
        let e = command().try_get_matches_from(["casebook", "nosuch"]).unwrap_err();
        assert!(message(&e).contains("没有名为 “nosuch” 的命令"), "{}", message(&e));
    }
}
