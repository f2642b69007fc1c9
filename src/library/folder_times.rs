//! Whether a file system changes a folder's modification time when an entry is added, removed or renamed in it,
//! which is what lets a scan skip listing unchanged folders ([`super::rescan_files`]).
//!
//! Local POSIX file systems and NTFS do. FAT, as Windows writes it on USB sticks, leaves folder times alone,
//! and network shares may report cached times; on those, and on anything not recognised, every folder is
//! listed, as before. The answer is asked once per scan: a library can be copied to another disk with its
//! index.

use std::path::Path;

/// Whether folder times under `root` can be trusted to change with their entries.
pub fn folder_times_reliable(root: &Path) -> bool {
    imp::reliable(root)
}

#[cfg(target_os = "linux")]
mod imp {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    /// `f_type` of the local file systems that keep folder times (linux/magic.h).
    const KEEP_FOLDER_TIMES: [i64; 9] = [
        0xEF53,      // ext2, ext3, ext4
        0x5846_5342, // xfs
        0x9123_683E, // btrfs
        0x0102_1994, // tmpfs
        0xF2F5_2010, // f2fs
        0x794C_7630, // overlayfs (containers)
        0x2FC1_2FC1, // zfs
        0xCA45_1A4E, // bcachefs
        0x5265_4973, // reiserfs
    ];

    pub fn reliable(root: &Path) -> bool {
        let Ok(path) = CString::new(root.as_os_str().as_bytes()) else { return false };
        let mut info: libc::statfs = unsafe { std::mem::zeroed() };
        // SAFETY: `path` is a NUL-terminated string and `info` a properly sized, writable buffer.
        if unsafe { libc::statfs(path.as_ptr(), &mut info) } != 0 {
            return false;
        }
        #[allow(clippy::unnecessary_cast)] // `f_type`'s width differs between C libraries.
        let kind = info.f_type as i64;
        KEEP_FOLDER_TIMES.contains(&kind)
    }
}

#[cfg(windows)]
mod imp {
    use std::os::windows::ffi::OsStrExt;
    use std::path::Path;

    use windows_sys::Win32::Storage::FileSystem::{GetDriveTypeW, GetVolumeInformationW, GetVolumePathNameW};

    /// `GetDriveTypeW`'s answer for a network drive.
    const DRIVE_REMOTE: u32 = 4;

    pub fn reliable(root: &Path) -> bool {
        let path: Vec<u16> = root.as_os_str().encode_wide().chain([0]).collect();
        let mut volume = [0u16; 1024];
        // SAFETY: both buffers are NUL-terminated or sized as passed.
        if unsafe { GetVolumePathNameW(path.as_ptr(), volume.as_mut_ptr(), volume.len() as u32) } == 0 {
            return false;
        }
        // SAFETY: `volume` was filled with a NUL-terminated path above.
        if unsafe { GetDriveTypeW(volume.as_ptr()) } == DRIVE_REMOTE {
            return false;
        }
        let mut name = [0u16; 64];
        // SAFETY: only the file-system name is asked for, into a buffer of the size passed.
        let ok = unsafe {
            GetVolumeInformationW(
                volume.as_ptr(),
                std::ptr::null_mut(),
                0,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                name.as_mut_ptr(),
                name.len() as u32,
            )
        };
        if ok == 0 {
            return false;
        }
        let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
        let name = String::from_utf16_lossy(&name[..end]);
        name.eq_ignore_ascii_case("NTFS") || name.eq_ignore_ascii_case("ReFS")
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
mod imp {
    pub fn reliable(_root: &std::path::Path) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_missing_folder_is_not_trusted() {
        assert!(!folder_times_reliable(Path::new("/此路径不存在/casebook")));
    }

    /// The test machines (ext4, tmpfs, overlayfs) keep folder times.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_temporary_folder_keeps_folder_times() {
        let dir = tempfile::tempdir().unwrap();
        assert!(folder_times_reliable(dir.path()));
    }
}
