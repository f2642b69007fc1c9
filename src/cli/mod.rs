//! The command line: one function per subcommand, each a thin layer over the core.
//! Output is in Chinese; `--json` gives machine-readable output with stable keys. Everything printed goes
//! through [`say!`] / [`say_err!`], which neutralise control and escape characters from the data
//! ([`output::inert`]), so a record's title can never drive the terminal, and write in the encoding the reader
//! expects (see [`output`]: UTF-16 to a Windows console, its code page when redirected there).

/// `println!` with control and escape characters neutralised ([`output::inert`]), in the stream's encoding
/// ([`output::write`]).
macro_rules! say {
    () => { crate::casebook_cli::output::write(crate::casebook_cli::output::Stream::Out, "\n") };
    ($($t:tt)*) => {
        crate::casebook_cli::output::write(
            crate::casebook_cli::output::Stream::Out,
            &(crate::casebook_cli::output::inert(&format!($($t)*)) + "\n"),
        )
    };
}

/// `eprintln!` with control and escape characters neutralised ([`output::inert`]), in the stream's encoding.
macro_rules! say_err {
    () => { crate::casebook_cli::output::write(crate::casebook_cli::output::Stream::Err, "\n") };
    ($($t:tt)*) => {
        crate::casebook_cli::output::write(
            crate::casebook_cli::output::Stream::Err,
            &(crate::casebook_cli::output::inert(&format!($($t)*)) + "\n"),
        )
    };
}

/// `print!` with control and escape characters neutralised ([`output::inert`]), in the stream's encoding.
macro_rules! say_part {
    ($($t:tt)*) => {
        crate::casebook_cli::output::write(
            crate::casebook_cli::output::Stream::Out,
            &crate::casebook_cli::output::inert(&format!($($t)*)),
        )
    };
}

mod archive;
mod bundle;
mod check;
mod chinese;
mod compare;
mod eval;
mod export;
mod generate;
mod import;
mod import_indicators;
mod new;
mod output;
mod search;
mod show;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// 经验库 Casebook：可复制可推广的市域社会治理经验材料知识库。
#[derive(Parser, Debug)]
#[command(name = "casebook", version, long_about = None)]
pub struct Cli {
    /// 资料库文件夹（默认：环境变量 CASEBOOK_LIBRARY，否则 ./corpus 或程序旁的 corpus）
    #[arg(long, global = true, value_name = "DIR")]
    library: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 检查资料库：格式错误、重复 id、未知区县/主题/文种、悬空引用，以及试点要求（警告）
    Check {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 建立或更新检索索引
    Index {
        /// 删除现有索引，从文件完整重建
        #[arg(long)]
        rebuild: bool,
    },
    /// 全文检索
    Search(search::SearchArgs),
    /// 已存检索：列出资料库 casebook.yaml 中保存的检索，或删除一个（保存用 casebook search … --save 名称）
    Saved {
        /// 删除这个名称的已存检索
        #[arg(long, value_name = "名称")]
        remove: Option<String>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 生成语义向量（需要语义模型）：之后的检索按意思也能找到不含检索词的记录
    Embed {
        /// 最多使用的线程数（默认：全部处理器核心）
        #[arg(long)]
        threads: Option<usize>,
    },
    /// 显示一条记录
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// 查找相似经验（优先其他区县）
    Similar {
        id: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// 试点前后对比（项目）或横向对比（--indicator）
    Compare(compare::CompareArgs),
    /// 生成指定规模的测试资料库（确定性：相同种子得到相同文件）
    Gen(generate::GenArgs),
    /// 资料库概况
    Summary,
    /// 检索质量评测：按评测集计算 nDCG@10、Recall@10、MRR@10，并与字二元组 BM25 基线对比
    Eval(eval::EvalArgs),
    /// 新建记录（写作材料、认领项目、调研点、学习专辑）
    New(new::NewArgs),
    /// 导入文件为写作材料（.md、.txt、.docx、.pdf、Excel/WPS 表格、扫描件和照片 .png/.jpg/.tif/.bmp（文字识别）；装有 LibreOffice 时还可导入 .doc、.wps），原件一并归档
    Import(import::ImportArgs),
    /// 档案：各项目按年度、文种的材料与缺项，档案目录（Excel、Word、CSV），迎检档案包
    Archive(archive::ArchiveArgs),
    /// 交换包：导出某区县的记录，或导入其他单位送来的包
    Bundle(bundle::BundleArgs),
    /// 导出调研点展示材料或学习专辑（HTML、Word、Markdown、CSV）
    Export(export::ExportArgs),
    /// 按 GB/T 9704-2012《党政机关公文格式》检查一个 Word 文件（.docx）：纸张、页边距、正文与标题字体字号、每页行数和每行字数、层级标题、页码
    DocxCheck {
        /// 要检查的 .docx 文件（本程序导出的或任何单位的）
        file: PathBuf,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
}

/// The library folder: `--library`, else `$CASEBOOK_LIBRARY`, else `./corpus` (or `corpus` beside the program).
fn library_path(cli: &Cli) -> PathBuf {
    cli.library
        .clone()
        .or_else(|| std::env::var_os("CASEBOOK_LIBRARY").map(PathBuf::from))
        .unwrap_or_else(casebook::library::default_root)
}

/// Runs the command line; errors are printed in Chinese with their causes, and map to exit code 2.
pub fn run() -> ExitCode {
    let cli = chinese::parse();
    let root = library_path(&cli);
    let result = match cli.command {
        None => {
            // No command: the desktop app. The library is the one named, else the last one used, else ./corpus.
            let named = cli.library.clone().or_else(|| std::env::var_os("CASEBOOK_LIBRARY").map(PathBuf::from));
            #[cfg(windows)]
            output::close_own_console();
            return match casebook::ui::run(named) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    say_err!("错误：无法打开窗口：{e}");
                    say_err!("  提示：命令行功能不需要窗口，见 casebook --help（例如 casebook summary）");
                    // Started by a double-click, the app has no console left to show this in.
                    #[cfg(windows)]
                    rfd::MessageDialog::new()
                        .set_title("经验库")
                        .set_level(rfd::MessageLevel::Error)
                        .set_description(format!(
                            "无法打开窗口：{e}\n\n经验库的窗口需要 OpenGL 2.0 以上的显卡驱动；远程桌面或虚拟机中可能没有。\n命令行功能不需要窗口：在命令提示符中运行 casebook --help。"
                        ))
                        .show();
                    ExitCode::from(2)
                }
            };
        }
        Some(Command::Summary) => check::summary(&root),
        Some(Command::Eval(args)) => eval::run(&root, args),
        Some(Command::Check { json }) => check::check(&root, json),
        Some(Command::Index { rebuild }) => search::index(&root, rebuild),
        Some(Command::Search(args)) => search::search(&root, args),
        Some(Command::Saved { remove, json }) => search::saved_list(&root, remove, json),
        Some(Command::DocxCheck { file, json }) => export::docx_check(&file, json),
        Some(Command::Embed { threads }) => search::embed(&root, threads),
        Some(Command::Show { id, json }) => show::show(&root, &id, json),
        Some(Command::Similar { id, limit, json }) => search::similar(&root, &id, limit, json),
        Some(Command::Compare(args)) => compare::run(&root, args),
        Some(Command::Gen(args)) => generate::run(args),
        Some(Command::New(args)) => new::run(&root, args),
        Some(Command::Import(args)) => import::run(&root, args),
        Some(Command::Archive(args)) => archive::run(&root, args),
        Some(Command::Bundle(args)) => bundle::run(&root, args),
        Some(Command::Export(args)) => export::run(&root, args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            say_err!("错误：{e}");
            for cause in e.chain().skip(1) {
                match cause.downcast_ref::<std::io::Error>() {
                    Some(io) => say_err!("  原因：{}", casebook::os_error::describe(io)),
                    None => say_err!("  原因：{cause}"),
                }
            }
            ExitCode::from(2)
        }
    }
}
