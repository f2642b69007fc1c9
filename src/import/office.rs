//! Old Word and WPS documents (`.doc`, `.wps`) — and WPS spreadsheets calamine cannot read — through LibreOffice,
//! when it is installed: `soffice --headless --convert-to docx` into a temporary folder, then the `.docx` reader.
//! The formats are closed binary containers (and WPS sometimes writes truncated ones); LibreOffice is the one free
//! program that reads them all. Without it the message says what to install or how to save the file instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one conversion may take before it is given up (LibreOffice's first start is slow).
pub const TIMEOUT: Duration = Duration::from_secs(180);

/// The message when LibreOffice is not found.
pub fn missing_message(ext: &str) -> String {
    format!(
        "导入 .{ext} 文件需要 LibreOffice（免费办公软件，可从 https://www.libreoffice.org/ 下载安装）；\
         也可以在 WPS 或 Word 中把它另存为 .docx（表格另存为 .xlsx）后再导入"
    )
}

/// Where LibreOffice's program is: `CASEBOOK_SOFFICE`, then `soffice` / `libreoffice` on the PATH, then the usual
/// install folders.
pub fn find_soffice() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CASEBOOK_SOFFICE").map(PathBuf::from) {
        return p.is_file().then_some(p);
    }
    let names: &[&str] = if cfg!(windows) { &["soffice.exe", "soffice.com"] } else { &["soffice", "libreoffice"] };
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            for name in names {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Some(candidate);
                }
            }
        }
    }
    let usual: &[&str] = if cfg!(windows) {
        &[
            r"C:\Program Files\LibreOffice\program\soffice.exe",
            r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
        ]
    } else if cfg!(target_os = "macos") {
        &["/Applications/LibreOffice.app/Contents/MacOS/soffice"]
    } else {
        &["/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice"]
    };
    usual.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// Refuses a file that does not start as its format does: LibreOffice would otherwise read any bytes as text.
fn check_signature(file: &Path, ext: &str) -> Result<(), String> {
    let mut head = [0u8; 8];
    let n = std::fs::File::open(file)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .map_err(|e| format!("无法读取文件：{}", crate::os_error::describe(&e)))?;
    let head = &head[..n];
    let ok = match ext {
        // Word 97–2003 and WPS documents are OLE compound files.
        "doc" | "dot" | "wps" | "wpt" | "et" => head == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
        "rtf" => head.starts_with(b"{\\rtf"),
        "odt" => head.starts_with(b"PK"),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "文件已损坏，或不是真正的 .{ext} 文件（文件开头不是该格式的标记）；\
             若能在 WPS 或 Word 中打开，请另存为 .docx（表格另存为 .xlsx）后导入"
        ))
    }
}

/// A converted file in its temporary folder (removed when this is dropped).
pub struct Converted {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

/// Converts `file` to `target` (`docx`, `xlsx`) with LibreOffice; returns the converted file. The work
/// happens in a fresh temporary folder with its own LibreOffice profile, so a LibreOffice the user has open is
/// neither needed nor disturbed.
pub fn convert(file: &Path, target: &str) -> Result<Converted, String> {
    let ext = file.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    check_signature(file, &ext)?;
    let soffice = find_soffice().ok_or_else(|| missing_message(&ext))?;
    let work = tempfile::tempdir().map_err(|e| format!("无法建立临时文件夹：{}", crate::os_error::describe(&e)))?;
    // A plain ASCII name: LibreOffice's command line and some file systems mishandle others.
    let input = work.path().join(format!("input.{ext}"));
    std::fs::copy(file, &input).map_err(|e| format!("无法复制文件：{}", crate::os_error::describe(&e)))?;
    let profile = work.path().join("profile");
    let profile_url = format!("file://{}", profile.to_string_lossy().replace('\\', "/"));
    let profile_url = if cfg!(windows) { profile_url.replacen("file://", "file:///", 1) } else { profile_url };
    let out_dir = work.path().join("out");
    let mut child = Command::new(&soffice)
        .arg(format!("-env:UserInstallation={profile_url}"))
        .args(["--headless", "--norestore", "--nolockcheck", "--convert-to", target, "--outdir"])
        .arg(&out_dir)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("无法启动 LibreOffice（{}）：{}", soffice.display(), crate::os_error::describe(&e)))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("LibreOffice 转换超过 {} 秒仍未完成，已停止", TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("LibreOffice 转换失败：{}", crate::os_error::describe(&e))),
        }
    }
    let path = out_dir.join(format!("input.{target}"));
    if !path.is_file() {
        return Err(format!(
            "LibreOffice 未能转换此文件（文件可能已损坏，或不是真正的 .{ext} 文件）；可以在 WPS 或 Word 中打开后另存为 .{target}"
        ));
    }
    Ok(Converted { _dir: work, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_libreoffice_the_message_says_what_to_do() {
        let m = missing_message("wps");
        assert!(m.contains("LibreOffice") && m.contains("另存为 .docx"), "{m}");
    }
}
