//! Why a bundle could not be written, read or applied. Every message is in Chinese and names the entry.

use std::path::PathBuf;

use thiserror::Error;

use crate::library::Problem;
use crate::store::StoreError;

/// Why a bundle operation failed. When reading a bundle fails, nothing has been written.
#[derive(Debug, Error)]
pub enum BundleError {
    #[error("未知的区县 “{0}”：不在区县名录中")]
    UnknownDistrict(String),
    #[error("{0}没有可导出的记录（写作材料、认领项目或调研点）")]
    NothingToExport(String),
    #[error("{district}的记录有 {} 个错误，请先修正再导出：\n{}", problems.len(), list(problems))]
    InvalidSource { district: String, problems: Vec<Problem> },
    // The causes below are part of the message (not `#[source]`), so that a printed error chain does not
    // repeat them.
    #[error("无法读取 {path}：{cause}")]
    Read { path: PathBuf, cause: std::io::Error },
    #[error("无法写入 {path}：{cause}")]
    Write { path: PathBuf, cause: std::io::Error },
    #[error("{path} 不是有效的交换包（不是 zip 文件，或文件已损坏、被截断）：{cause}")]
    NotAZip { path: PathBuf, cause: zip::result::ZipError },
    #[error("无法解压条目 “{name}”（交换包已损坏或被截断）：{reason}")]
    Corrupt { name: String, reason: String },
    #[error("交换包条目过多：{count} 个，上限 {max} 个")]
    TooManyEntries { count: usize, max: usize },
    #[error("交换包缺少清单 manifest.json，不是经验库导出的交换包")]
    MissingManifest,
    #[error("清单 manifest.json 无效：{0}")]
    BadManifest(String),
    #[error("交换包条目 “{name}” 的路径不安全（{reason}），已拒绝整个交换包")]
    UnsafePath { name: String, reason: &'static str },
    #[error("交换包条目名不是 UTF-8 编码：{0}")]
    NonUtf8Name(String),
    #[error("交换包条目 “{0}” 是符号链接，交换包中不允许符号链接")]
    Symlink(String),
    #[error("交换包条目 “{0}” 已加密，无法读取")]
    Encrypted(String),
    #[error("交换包条目 “{0}” 出现了不止一次")]
    DuplicateEntry(String),
    #[error("交换包条目 “{0}” 不在清单中（可能被人为添加）")]
    NotInManifest(String),
    #[error("清单列出的 “{0}” 不在交换包中（交换包不完整）")]
    MissingEntry(String),
    #[error("交换包条目 “{name}” 的大小与清单不符：清单 {expected} 字节，实际 {actual} 字节")]
    SizeMismatch { name: String, expected: u64, actual: u64 },
    #[error("交换包条目 “{0}” 的校验和（SHA-256）与清单不符：文件在传送中被改动或损坏")]
    ChecksumMismatch(String),
    #[error("交换包条目 “{name}” 疑似压缩炸弹：{reason}，已停止解压")]
    Bomb { name: String, reason: String },
    #[error("交换包中有 {} 个问题，未导入任何文件：\n{}", .0.len(), list(.0))]
    Rejected(Vec<Problem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One problem per line: `path:line: [code] message`.
fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| {
            if p.line == 0 {
                format!("  {}: [{}] {}", p.path, p.code, p.message)
            } else {
                format!("  {}:{}: [{}] {}", p.path, p.line, p.code, p.message)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
