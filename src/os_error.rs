//! Operating-system errors in Chinese words. `std::io::Error` prints the system's English text
//! ("No such file or directory (os error 2)"); every message the program shows names the kind of failure in
//! Chinese instead, keeping the system's number for whoever has to look it up.

use std::io::{self, ErrorKind};

/// What went wrong, in Chinese: the kind of failure and the system's error number, or the message of an error
/// the program made itself.
pub fn describe(e: &io::Error) -> String {
    let what = match e.kind() {
        ErrorKind::NotFound => "文件或文件夹不存在",
        ErrorKind::PermissionDenied => "没有权限",
        ErrorKind::AlreadyExists => "已经存在同名的文件或文件夹",
        ErrorKind::IsADirectory => "这是文件夹，不是文件",
        ErrorKind::NotADirectory => "路径中有一项不是文件夹",
        ErrorKind::DirectoryNotEmpty => "文件夹不是空的",
        ErrorKind::ReadOnlyFilesystem => "所在的磁盘或文件夹是只读的",
        ErrorKind::StorageFull => "磁盘空间已满",
        ErrorKind::QuotaExceeded => "超出了磁盘配额",
        ErrorKind::FileTooLarge => "文件过大",
        ErrorKind::InvalidFilename => "文件名无效或过长",
        ErrorKind::ResourceBusy | ErrorKind::ExecutableFileBusy => "文件正被其他程序使用",
        ErrorKind::CrossesDevices => "不能跨磁盘移动",
        ErrorKind::TimedOut | ErrorKind::WouldBlock => "操作超时",
        ErrorKind::Interrupted => "操作被中断",
        ErrorKind::UnexpectedEof => "文件意外结束（可能不完整）",
        ErrorKind::InvalidData => "数据无效",
        ErrorKind::InvalidInput => "参数无效",
        ErrorKind::OutOfMemory => "内存不足",
        ErrorKind::Unsupported => "系统不支持此操作",
        ErrorKind::BrokenPipe => "输出已被关闭",
        _ => "系统错误",
    };
    match (e.raw_os_error(), e.get_ref()) {
        (Some(code), _) => format!("{what}（系统错误码 {code}）"),
        // An error the program made itself (its message is ours) or a library's.
        (None, Some(inner)) if inner.to_string().chars().any(crate::text::is_cjk) => inner.to_string(),
        (None, Some(inner)) => format!("{what}：{inner}"),
        (None, None) => what.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_errors_are_named_in_chinese_with_their_number() {
        let missing = std::fs::read("/此路径不存在/x").unwrap_err();
        let text = describe(&missing);
        assert!(text.starts_with("文件或文件夹不存在（系统错误码 "), "{text}");
        assert!(!text.contains("No such file"), "{text}");
        assert_eq!(describe(&io::Error::other("索引被锁定")), "索引被锁定");
        assert_eq!(describe(&io::Error::from(ErrorKind::StorageFull)), "磁盘空间已满");
    }
}
