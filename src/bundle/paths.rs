//! Which entry names a bundle may contain. Checked on the raw name as written in the zip, so that no decoding
//! or normalisation by the zip library can turn a hostile name into an innocent-looking one.

/// Longest accepted entry name, in bytes.
const MAX_NAME_BYTES: usize = 1024;

/// Checks that `name` is a plain relative path inside the library: `/`-separated normal segments, no `..`,
/// no absolute path or drive letter, no backslash, no hidden segment (so nothing under `.casebook/`), no control
/// characters, nothing Windows cannot create. Returns the reason in Chinese otherwise.
pub(crate) fn check_entry_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("名称为空");
    }
    if name.len() > MAX_NAME_BYTES {
        return Err("名称过长");
    }
    if name.chars().any(char::is_control) {
        return Err("含有控制字符");
    }
    if name.contains('\\') {
        return Err("含有反斜杠，可能指向上级目录");
    }
    if name.starts_with('/') {
        return Err("是绝对路径");
    }
    if name.contains(':') {
        return Err("含有冒号（Windows 盘符或数据流）");
    }
    for segment in name.split('/') {
        match segment {
            "" => return Err("含有空的路径段"),
            "." | ".." => return Err("含有 . 或 .. 路径段，可能指向资料库之外"),
            s if s.starts_with(".casebook") => return Err("指向 .casebook 文件夹"),
            s if s.starts_with('.') => return Err("含有以 . 开头的隐藏路径段"),
            // The rule every write into a library follows (`store::naming`), checked here already so the
            // review names the entry.
            s => {
                if let Some(why) = crate::store::naming::windows_refuses(s) {
                    return Err(why);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_pass() {
        for ok in ["a.md", "yuzhong/yz-p01/project.md", "渝中区/经验 材料.md", "a/yz-1.assets/图 1.png"] {
            assert_eq!(check_entry_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn hostile_paths_are_refused() {
        for bad in [
            "",
            "../evil.md",
            "a/../../evil.md",
            "a/./b.md",
            "/etc/passwd",
            "//server/share/x.md",
            "C:/Windows/x.md",
            "c:x.md",
            "a\\..\\evil.md",
            "..\\evil.md",
            ".casebook/manifest.json",
            ".casebook/history/a.md",
            "a/.git/config",
            "a//b.md",
            "a/",
            "a\0b.md",
            "a\nb.md",
            "CON.md",
            "a/nul",
            "a./b.md",
            "a/b?.md",
        ] {
            assert!(check_entry_name(bad).is_err(), "{bad:?}");
        }
    }
}
