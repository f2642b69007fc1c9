//! The `.casebook/` folder's layout and the index manifest: which index folder is in use (`current`), where its
//! manifest lives, what the manifest records (per file, the size and modification time last indexed; per
//! project, what write-ups inherit), and clearing away the folders of superseded or interrupted builds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::SearchError;
use super::document::ProjectTable;
use crate::library::FolderStamps;
use crate::store::write_atomic;

/// Folder (inside the library) that holds everything derived.
pub const CACHE_DIR: &str = ".casebook";
/// The file naming the index folder in use, and the manifest's name inside that folder.
const CURRENT_FILE: &str = "current";
const MANIFEST_FILE: &str = "casebook-manifest.json";

#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub(super) schema_version: u32,
    pub(super) analysis: u64,
    /// Per record file: size and modification time (ns) when last indexed.
    #[serde(with = "file_rows")]
    pub(super) files: BTreeMap<String, (u64, u128)>,
    /// Per folder: its modification time when the scan behind `files` listed it (see [`rescan_files`]).
    #[serde(default, with = "folder_rows")]
    pub(super) folders: FolderStamps,
    pub(super) projects: ProjectTable,
}

/// Times are kept as `u64` nanoseconds (until the year 2554) on disk: parsing `u128` and building a map entry by
/// entry made reading the manifest, on the path of every open, four times slower. A later time is saved as
/// `u64::MAX`, which never equals what the file system reports, so such a file is merely checked again.
fn to_u64(t: u128) -> u64 {
    u64::try_from(t).unwrap_or(u64::MAX)
}

/// `files` as a list of `[path, size, mtime]` rows, in path order.
mod file_rows {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(files: &BTreeMap<String, (u64, u128)>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(files.iter().map(|(path, &(size, mtime))| (path, size, super::to_u64(mtime))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, (u64, u128)>, D::Error> {
        let rows = Vec::<(String, u64, u64)>::deserialize(d)?;
        Ok(rows.into_iter().map(|(path, size, mtime)| (path, (size, u128::from(mtime)))).collect())
    }
}

/// `folders` as a list of `[path, mtime]` rows, in path order.
mod folder_rows {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::FolderStamps;

    pub fn serialize<S: Serializer>(folders: &FolderStamps, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(folders.iter().map(|(path, &mtime)| (path, super::to_u64(mtime))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<FolderStamps, D::Error> {
        let rows = Vec::<(String, u64)>::deserialize(d)?;
        Ok(rows.into_iter().map(|(path, mtime)| (path, u128::from(mtime))).collect())
    }
}

/// The manifest in memory, and whether the file on disk lags behind it.
///
/// A sync that reindexes only a few records (an edit) does not rewrite the file at once: on a library of 100k
/// write-ups it is 13 MB of JSON, most of the time between an edit and its being searchable. It is written by the
/// next larger sync or when the index is dropped. Should the process die first, the file is merely stale, and
/// the next open reindexes those few files again: the index can never hold less than the manifest claims.
pub(super) struct ManifestFile {
    pub(super) manifest: Manifest,
    /// `None` for an index in memory, which has nothing to save.
    pub(super) path: Option<PathBuf>,
    pub(super) unsaved: bool,
}

impl ManifestFile {
    pub(super) fn save(&mut self) -> Result<(), SearchError> {
        if let Some(path) = &self.path {
            let bytes = serde_json::to_vec(&self.manifest).map_err(|e| SearchError::Corrupt(e.to_string()))?;
            write_atomic(path, &bytes).map_err(|e| SearchError::io(path, e))?;
        }
        self.unsaved = false;
        Ok(())
    }

    /// Drops the manifest without saving it (the index it describes is being rebuilt).
    pub(super) fn discard(mut self) {
        self.unsaved = false;
    }
}

impl Drop for ManifestFile {
    fn drop(&mut self) {
        if self.unsaved {
            let _ = self.save();
        }
    }
}

impl std::ops::Deref for ManifestFile {
    type Target = Manifest;
    fn deref(&self) -> &Manifest {
        &self.manifest
    }
}

impl std::ops::DerefMut for ManifestFile {
    fn deref_mut(&mut self) -> &mut Manifest {
        &mut self.manifest
    }
}

pub(super) fn cache_dir(root: &Path) -> PathBuf {
    root.join(CACHE_DIR)
}

pub(super) fn current_path(root: &Path) -> PathBuf {
    cache_dir(root).join(CURRENT_FILE)
}

pub(super) fn manifest_path(root: &Path, folder: &str) -> PathBuf {
    cache_dir(root).join(folder).join(MANIFEST_FILE)
}

/// The index folder `current` names, if it names a plausible one.
pub(super) fn read_current(root: &Path) -> Option<String> {
    let name = std::fs::read_to_string(current_path(root)).ok()?;
    let name = name.trim();
    let plausible = name.starts_with("index-") && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    plausible.then(|| name.to_string())
}

/// A folder name no other build uses: time and process id.
pub(super) fn new_folder_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("index-{nanos:x}-{:x}", std::process::id())
}

/// Removes index folders other than `keep` (left by a superseded or interrupted build) and the files of the
/// earlier single-folder layout. Called with the index lock held. A folder another process still has open may
/// refuse (Windows); it is tried again next time.
pub(super) fn remove_stale(root: &Path, keep: Option<&str>) {
    let Ok(entries) = std::fs::read_dir(cache_dir(root)) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_index = name == "index" || name.starts_with("index-");
        if is_index && Some(name.as_str()) != keep && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let _ = std::fs::remove_file(cache_dir(root).join("manifest.json"));
}

/// Keeps the derived folder out of version control and shared-folder sync tools that honour `.gitignore`.
pub(super) fn ensure_gitignore(root: &Path) {
    let path = cache_dir(root).join(".gitignore");
    if !path.exists() {
        let _ = std::fs::write(path, "*\n");
    }
}
