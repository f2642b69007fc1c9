//! Reading a file with its limit set before the first byte is read.
//!
//! Every read of a file the user (or anyone with access to the folder) can put in place goes through
//! [`read_bounded`]: only regular files are read (a FIFO would block for ever, `/dev/zero` would fill memory), and
//! never more than the limit, whatever the size the file system reports (a sparse 2 GB file, a file that grows
//! while it is read).

use std::io::Read;
use std::path::Path;

use thiserror::Error;

/// Why a bounded read gave nothing.
#[derive(Debug, Error)]
pub enum ReadError {
    #[error("无法读取：{}", crate::os_error::describe(.0))]
    Io(#[from] std::io::Error),
    #[error("不是普通文件（文件夹、设备或管道），未读取")]
    NotAFile,
    #[error("文件过大（{:.1} MB），超过 {} MB 的上限", *.bytes as f64 / 1048576.0, .limit.div_ceil(1048576))]
    TooLarge { bytes: u64, limit: u64 },
}

impl ReadError {
    /// Whether the file is simply not there (callers often treat that as "nothing yet").
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

impl From<ReadError> for std::io::Error {
    /// For callers whose errors carry an `io::Error`: the message says which limit was hit.
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(e) => e,
            other => std::io::Error::new(std::io::ErrorKind::InvalidData, other.to_string()),
        }
    }
}

/// Reads the regular file at `path` (a symbolic link is followed to what it names), refusing anything else and
/// anything larger than `limit` bytes. At most `limit + 1` bytes are ever read.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    // Asked before opening: opening a FIFO blocks until a writer comes.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { bytes: meta.len(), limit });
    }
    let file = std::fs::File::open(path)?;
    // The path may have been replaced between the two looks.
    if !file.metadata()?.is_file() {
        return Err(ReadError::NotAFile);
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { bytes: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_small_files_and_refuses_large_ones_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "甲乙").unwrap();
        assert_eq!(read_bounded(&path, 6).unwrap(), "甲乙".as_bytes());
        assert!(matches!(read_bounded(&path, 5), Err(ReadError::TooLarge { bytes: 6, limit: 5 })));
        assert!(matches!(read_bounded(dir.path(), 100), Err(ReadError::NotAFile)));
        assert!(read_bounded(&dir.path().join("none"), 100).unwrap_err().is_not_found());
    }

    #[test]
    fn a_sparse_file_is_refused_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sparse.md");
        std::fs::File::create(&path).unwrap().set_len(2 << 30).unwrap();
        assert!(matches!(read_bounded(&path, 8 << 20), Err(ReadError::TooLarge { .. })));
    }

    #[test]
    #[cfg(unix)]
    fn devices_are_not_read() {
        assert!(matches!(read_bounded(Path::new("/dev/zero"), 100), Err(ReadError::NotAFile)));
    }
}
