//! Previous versions of every saved file, under `.casebook/history/<path>/`, so no save is ever a loss.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::{StoreError, atomic::write_atomic, io_err};

/// One kept version of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Where the copy is kept.
    pub path: PathBuf,
    /// When it was replaced, in milliseconds since 1970 (UTC).
    pub saved_ms: u64,
    pub bytes: u64,
}

impl Version {
    /// “2026-11-26 11:09:16”, in China Standard Time (UTC+8, the users' only time zone).
    pub fn label(&self) -> String {
        format_beijing(self.saved_ms)
    }
}

/// The folder that keeps the versions of `rel`.
pub fn history_dir(root: &Path, rel: &str) -> PathBuf {
    let mut dir = root.join(".casebook").join("history");
    for part in rel.split('/') {
        dir.push(part);
    }
    dir
}

/// Copies the current content of `rel` (if any) into its history folder before it is replaced.
pub fn keep(root: &Path, rel: &str, current: &[u8]) -> Result<Version, StoreError> {
    let dir = history_dir(root, rel);
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let mut ms = now_ms();
    // Two saves within a millisecond must not overwrite each other's copy.
    let mut path = dir.join(format!("{ms}.md"));
    while path.exists() {
        ms += 1;
        path = dir.join(format!("{ms}.md"));
    }
    write_atomic(&path, current).map_err(io_err(&path))?;
    Ok(Version { path, saved_ms: ms, bytes: current.len() as u64 })
}

/// The kept versions of `rel`, newest first.
pub fn versions(root: &Path, rel: &str) -> Result<Vec<Version>, StoreError> {
    let dir = history_dir(root, rel);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(&dir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(ms) = path.file_stem().and_then(|s| s.to_str()).and_then(|s| s.parse::<u64>().ok()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "md") {
            let bytes = entry.metadata().map(|m| m.len()).unwrap_or(0);
            out.push(Version { path, saved_ms: ms, bytes });
        }
    }
    out.sort_by_key(|v| std::cmp::Reverse(v.saved_ms));
    Ok(out)
}

/// Now, in milliseconds since 1970 (UTC).
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Formats milliseconds since 1970 as a Beijing date and time.
pub fn format_beijing(ms: u64) -> String {
    let secs = ms / 1000 + 8 * 3600;
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to a (year, month, day) of the proleptic Gregorian calendar (H. Hinnant's algorithm):
/// the one calendar conversion of the program.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time() {
        assert_eq!(format_beijing(0), "1970-01-01 08:00:00");
        // 2024-02-29 15:59:59 UTC is 23:59:59 in Beijing.
        assert_eq!(format_beijing(1_709_222_399_000), "2024-02-29 23:59:59");
        assert_eq!(format_beijing(1_709_222_400_000), "2024-03-01 00:00:00");
    }
}
