//! Locks between processes working on one library (two app windows, the app and the CLI, two CLI runs).
//!
//! A lock is an advisory lock on a file under `.casebook/locks/`, taken with the operating system's file locking
//! (`flock` on Linux, `LockFileEx` on Windows). The system releases it when the process ends, however it ends,
//! so a killed process never leaves a library locked.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a lock protects; one lock file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockName {
    /// Writing the search index (a sync or a rebuild).
    Index,
    /// Choosing a new record's id and writing it, so that two processes never pick the same id.
    NewRecord,
}

impl LockName {
    fn file_name(self) -> &'static str {
        match self {
            LockName::Index => "index.lock",
            LockName::NewRecord => "new-record.lock",
        }
    }
}

/// How long to wait for a lock another process holds.
#[derive(Debug, Clone, Copy)]
pub enum Wait {
    /// Until it is released.
    Forever,
    /// At most this long; then give up.
    UpTo(Duration),
}

/// Held for as long as it lives; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct LibraryLock {
    _file: File,
}

/// The lock file for `name` in the library at `root`.
pub fn lock_path(root: &Path, name: LockName) -> PathBuf {
    root.join(".casebook").join("locks").join(name.file_name())
}

impl LibraryLock {
    /// Takes the lock, waiting as told. `Ok(None)` when another process still holds it after the wait; an
    /// error when the lock file cannot be created (e.g. a read-only library).
    pub fn acquire(root: &Path, name: LockName, wait: Wait) -> io::Result<Option<LibraryLock>> {
        let path = lock_path(root, name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path)?;
        match wait {
            Wait::Forever => {
                file.lock()?;
                Ok(Some(LibraryLock { _file: file }))
            }
            Wait::UpTo(limit) => {
                let deadline = Instant::now() + limit;
                loop {
                    match file.try_lock() {
                        Ok(()) => return Ok(Some(LibraryLock { _file: file })),
                        Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        Err(TryLockError::WouldBlock) => return Ok(None),
                        Err(TryLockError::Error(e)) => return Err(e),
                    }
                }
            }
        }
    }
}

/// The new-record lock, held while a new record's id is chosen and its file written (wait up to a minute for
/// another process doing the same). `None` when `root` is not a folder or cannot be written: then there is
/// nothing to protect, and loading or writing reports the real problem.
pub fn new_record_lock(root: &Path) -> io::Result<Option<LibraryLock>> {
    if !root.is_dir() {
        return Ok(None);
    }
    match LibraryLock::acquire(root, LockName::NewRecord, Wait::UpTo(Duration::from_secs(60))) {
        Ok(Some(lock)) => Ok(Some(lock)),
        Ok(None) => Err(io::Error::new(io::ErrorKind::TimedOut, "另一个程序正在新建记录，请稍后重试")),
        Err(e) if is_read_only(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether an I/O error means the library cannot be written at all (read-only folder or file system), as
/// opposed to a passing failure.
pub fn is_read_only(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_makes_others_wait_and_is_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let first = LibraryLock::acquire(dir.path(), LockName::Index, Wait::Forever).unwrap();
        assert!(first.is_some());
        // A second handle (as another process would have) cannot take it meanwhile.
        let second = LibraryLock::acquire(dir.path(), LockName::Index, Wait::UpTo(Duration::from_millis(60))).unwrap();
        assert!(second.is_none());
        // Locks are independent of each other.
        assert!(LibraryLock::acquire(dir.path(), LockName::NewRecord, Wait::UpTo(Duration::ZERO)).unwrap().is_some());
        drop(first);
        assert!(LibraryLock::acquire(dir.path(), LockName::Index, Wait::UpTo(Duration::ZERO)).unwrap().is_some());
    }

    #[test]
    fn a_waiting_process_gets_the_lock_when_it_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let held = LibraryLock::acquire(&root, LockName::Index, Wait::Forever).unwrap();
        let waiter = std::thread::spawn(move || {
            LibraryLock::acquire(&root, LockName::Index, Wait::UpTo(Duration::from_secs(30))).unwrap().is_some()
        });
        std::thread::sleep(Duration::from_millis(100));
        drop(held);
        assert!(waiter.join().unwrap());
    }
}
