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
        std::fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
