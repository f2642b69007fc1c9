//! Writes that are never torn: a crash leaves either the old file or the new one, never a mix.
//!
//! **Injected failures (tests and the crash harness).** When the environment variable `CASEBOOK_FAIL_WRITES`
//! is set, every [`write_atomic`] whose target path contains its value (an empty value matches every path)
//! writes half of the bytes to the temporary file and then fails with the error “injected write failure”, as
//! a full disk or a crash in mid-write would. The target is left untouched and the temporary file removed,
//! which is what the tests check. Example: `CASEBOOK_FAIL_WRITES=yz-p01-1.md casebook import …`.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` through a temporary file in the same folder: write, fsync, rename, fsync the folder.
///
/// The rename is atomic on every file system we target, so readers (the index, another instance, a crash
/// recovery) see the old or the new content. On failure the temporary file is removed and `path` is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let inject = injected_failure(path, std::env::var_os(FAIL_WRITES_ENV).as_deref());
    write_atomic_with(path, bytes, inject)
}

/// Like [`write_atomic`] for a file that must not exist yet: the complete temporary file is linked to `path`,
/// which fails with [`std::io::ErrorKind::AlreadyExists`] when another process created `path` meanwhile, so
/// two processes creating the same new record never silently replace each other's work. On file systems
/// without hard links (FAT, some network shares) it falls back to checking and renaming.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let inject = injected_failure(path, std::env::var_os(FAIL_WRITES_ENV).as_deref());
    write_with(path, bytes, inject, true)
}

/// The environment variable that injects write failures (see the module documentation).
pub const FAIL_WRITES_ENV: &str = "CASEBOOK_FAIL_WRITES";

/// Whether the injected-failure setting `setting` (the variable's value, if set) applies to `path`.
fn injected_failure(path: &Path, setting: Option<&std::ffi::OsStr>) -> bool {
    match setting {
        None => false,
        Some(s) => path.to_string_lossy().contains(s.to_string_lossy().as_ref()),
    }
}

fn write_atomic_with(path: &Path, bytes: &[u8], inject_failure: bool) -> std::io::Result<()> {
    write_with(path, bytes, inject_failure, false)
}

/// The message when a new file's name was taken by another process between choosing it and writing it.
pub const TAKEN_MESSAGE: &str = "另一个程序刚刚新建了同名文件，为免覆盖未写入；请重试";

fn write_with(path: &Path, bytes: &[u8], inject_failure: bool, must_be_new: bool) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = temp_path(dir, path);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        if inject_failure {
            f.write_all(&bytes[..bytes.len() / 2])?;
            return Err(std::io::Error::other("injected write failure"));
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        if must_be_new {
            let taken = || std::io::Error::new(std::io::ErrorKind::AlreadyExists, TAKEN_MESSAGE);
            match std::fs::hard_link(&tmp, path) {
                Ok(()) => {
                    std::fs::remove_file(&tmp)?;
                    sync_dir(dir);
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(taken()),
                Err(_) if path.exists() => return Err(taken()),
                Err(_) => {}
            }
        }
        replace(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Renames `from` over `to`, replacing it atomically (`std::fs::rename`: POSIX `rename`; on Windows a rename
/// with POSIX semantics where the file system has them, else `MoveFileExW` with `MOVEFILE_REPLACE_EXISTING`).
///
/// **Windows.** A file that another program holds open without sharing deletion cannot be replaced: the rename
/// fails with “access denied” or a sharing violation. Such holds are mostly brief (an antivirus or the search
/// indexer reading a file just written, a sync client uploading it), so the rename is tried again for about two
/// seconds; if it still fails, the error says in Chinese that the file is open in another program (or read-only)
/// and `to` is left as it was. `ReplaceFileW` would not help: it needs the same access and can leave the target
/// renamed when it fails half-way. Other systems replace an open file without complaint and fail only for good.
pub fn replace(from: &Path, to: &Path) -> std::io::Result<()> {
    replace_retrying(from, to, |a, b| std::fs::rename(a, b), held_by_another_program, &RETRY_DELAYS)
}

/// Waits between attempts at replacing a held file: about two seconds in all.
const RETRY_DELAYS: [std::time::Duration; 9] = {
    use std::time::Duration;
    [
        Duration::from_millis(10),
        Duration::from_millis(20),
        Duration::from_millis(40),
        Duration::from_millis(80),
        Duration::from_millis(160),
        Duration::from_millis(320),
        Duration::from_millis(500),
        Duration::from_millis(500),
        Duration::from_millis(500),
    ]
};

/// Whether a failed rename means that another program holds the target (or the source) open: on Windows,
/// ERROR_ACCESS_DENIED (5, also a read-only target), ERROR_SHARING_VIOLATION (32), ERROR_LOCK_VIOLATION (33).
fn held_by_another_program(e: &std::io::Error) -> bool {
    cfg!(windows) && matches!(e.raw_os_error(), Some(5 | 32 | 33))
}

/// [`replace`] with the rename, the test for a held file and the waits given (tests run it on every system).
fn replace_retrying(
    from: &Path,
    to: &Path,
    mut rename: impl FnMut(&Path, &Path) -> std::io::Result<()>,
    held: impl Fn(&std::io::Error) -> bool,
    delays: &[std::time::Duration],
) -> std::io::Result<()> {
    let mut waits = delays.iter();
    loop {
        match rename(from, to) {
            Ok(()) => return Ok(()),
            Err(e) if held(&e) => match waits.next() {
                Some(wait) => std::thread::sleep(*wait),
                None => {
                    let name = to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    let code = e.raw_os_error().map(|c| format!("（系统错误码 {c}）")).unwrap_or_default();
                    return Err(std::io::Error::new(
                        e.kind(),
                        format!(
                            "无法替换 {name}：文件正被其他程序打开（如 Word、WPS、杀毒软件、同步盘），或被设为只读；请关闭该程序或取消只读后重试{code}"
                        ),
                    ));
                }
            },
            Err(e) => return Err(e),
        }
    }
}

/// A temporary name beside the target, unique per process and call, hidden from the library scan (leading dot,
/// `.tmp` suffix).
fn temp_path(dir: &Path, path: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// Makes the rename itself durable. Best effort: not every platform can open a folder (Windows cannot).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        write_atomic(&path, "旧".as_bytes()).unwrap();
        write_atomic(&path, "新内容".as_bytes()).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "新内容");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.md")]);
    }

    #[test]
    fn injected_failure_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "旧内容，不能被破坏").unwrap();
        let err = write_atomic_with(&path, "新内容新内容".as_bytes(), true).unwrap_err();
        assert_eq!(err.to_string(), "injected write failure");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "旧内容，不能被破坏");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.md")]);
    }

    #[test]
    fn a_new_file_never_replaces_one_created_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        write_new(&path, b"first").unwrap();
        let err = write_new(&path, b"second").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert!(err.to_string().contains("同名文件"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    }

    #[test]
    fn a_briefly_held_target_is_replaced_once_released() {
        use std::time::Duration;
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("new.tmp"), dir.path().join("a.md"));
        std::fs::write(&from, "新").unwrap();
        std::fs::write(&to, "旧").unwrap();
        // What Windows answers while an antivirus holds the file: a sharing violation, twice.
        let mut refusals = 2;
        let rename = |a: &Path, b: &Path| {
            if refusals > 0 {
                refusals -= 1;
                return Err(std::io::Error::from_raw_os_error(32));
            }
            std::fs::rename(a, b)
        };
        let held = |e: &std::io::Error| e.raw_os_error() == Some(32);
        replace_retrying(&from, &to, rename, held, &[Duration::from_millis(1); 3]).unwrap();
        assert_eq!(std::fs::read_to_string(&to).unwrap(), "新");
        assert!(!from.exists());
    }

    #[test]
    fn a_target_held_for_good_is_left_alone_with_a_clear_message() {
        use std::time::Duration;
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("new.tmp"), dir.path().join("渝中区.md"));
        std::fs::write(&from, "新").unwrap();
        std::fs::write(&to, "旧").unwrap();
        let mut attempts = 0;
        let rename = |_: &Path, _: &Path| {
            attempts += 1;
            Err(std::io::Error::from_raw_os_error(5))
        };
        let held = |e: &std::io::Error| e.raw_os_error() == Some(5);
        let err = replace_retrying(&from, &to, rename, held, &[Duration::from_millis(1); 3]).unwrap_err();
        assert_eq!(attempts, 4, "the first try and one per wait");
        let text = crate::os_error::describe(&err);
        assert!(text.starts_with("无法替换 渝中区.md：文件正被其他程序打开"), "{text}");
        assert!(text.contains("系统错误码 5"), "{text}");
        assert_eq!(std::fs::read_to_string(&to).unwrap(), "旧");
        // Any other failure is not retried.
        let mut attempts = 0;
        let rename = |_: &Path, _: &Path| {
            attempts += 1;
            Err(std::io::Error::from(std::io::ErrorKind::NotFound))
        };
        assert!(replace_retrying(&from, &to, rename, held, &[Duration::from_millis(1); 3]).is_err());
        assert_eq!(attempts, 1);
    }

    #[test]
    fn which_paths_fail() {
        let p = Path::new("/lib/yuzhong/yz-p01-1.md");
        assert!(!injected_failure(p, None));
        assert!(injected_failure(p, Some("yz-p01".as_ref())));
        assert!(injected_failure(p, Some("".as_ref())));
        assert!(!injected_failure(p, Some("manifest.json".as_ref())));
    }

    #[test]
    fn failure_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "旧").unwrap();
        // The target is a directory's child that cannot be renamed over: a folder of the same name.
        let blocked = dir.path().join("sub");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("x"), "").unwrap();
        assert!(write_atomic(&blocked, b"new").is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "旧");
        assert!(blocked.is_dir());
        let tmp_left =
            std::fs::read_dir(dir.path()).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".tmp"));
        assert!(!tmp_left);
    }
}
