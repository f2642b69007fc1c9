//! Writing a district's records, and the files they link to, into a bundle.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Tag};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::error::BundleError;
use super::limits::MAX_ASSET_BYTES;
use super::manifest::{EntryKind, FORMAT, FORMAT_VERSION, MANIFEST_NAME, Manifest, ManifestEntry};
use super::paths::check_entry_name;
use super::read::sha256_hex;
use crate::library::{Kind, Library, Record, check::check, is_record_path};
use crate::store::history::{format_beijing, now_ms};

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportReport {
    /// The district exported, as named in the gazetteer.
    pub district: String,
    /// The bundle written.
    pub path: PathBuf,
    pub records: usize,
    pub assets: usize,
    /// Linked files left out, with the reason (too large, unsafe name).
    pub skipped: Vec<(String, String)>,
    pub manifest: Manifest,
}

/// Writes every write-up, project and site of `district` (and the local files they link to) into a bundle at
/// `out`. The records must be free of errors, so the receiving office is not handed a bundle it must refuse.
/// Entries are in path order with fixed timestamps, so only the manifest's creation time differs between two
/// exports of the same records. The zip is written to a temporary file beside `out` and renamed into place.
pub fn export(lib: &Library, district: &str, out: &Path) -> Result<ExportReport, BundleError> {
    // The bundle must not land on a record (or anywhere in the library), symbolic links included.
    crate::store::output_outside(&lib.root, out)?;
    let canonical = lib
        .config
        .resolve_district(district)
        .ok_or_else(|| BundleError::UnknownDistrict(district.trim().to_string()))?
        .to_string();
    let records: Vec<&Record> = lib
        .records
        .iter()
        .filter(|r| matches!(r.kind(), Kind::Writeup | Kind::Project | Kind::Site))
        .filter(|r| lib.district_of(r) == Some(canonical.as_str()))
        .collect();
    if records.is_empty() {
        return Err(BundleError::NothingToExport(canonical));
    }
    let paths: std::collections::HashSet<&str> = records.iter().map(|r| r.path.as_str()).collect();
    let problems: Vec<_> = check(lib).errors.into_iter().filter(|p| paths.contains(p.path.as_str())).collect();
    if !problems.is_empty() {
        return Err(BundleError::InvalidSource { district: canonical, problems });
    }

    // Path → (entry, bytes), so the zip and the manifest come out in path order.
    let mut files: BTreeMap<String, (ManifestEntry, Vec<u8>)> = BTreeMap::new();
    let mut skipped = Vec::new();
    let real_root = crate::store::resolved(&lib.root);
    for r in &records {
        let path = lib.abs_path(r);
        let bytes = crate::library::read_bounded(&path, crate::library::MAX_FILE_BYTES)
            .map_err(|e| BundleError::Read { path, cause: e.into() })?;
        let entry = ManifestEntry {
            path: r.path.clone(),
            id: r.id().map(str::to_string),
            kind: EntryKind::of(r.kind()),
            title: r.title().to_string(),
            sha256: sha256_hex(&bytes),
            size: bytes.len() as u64,
            owner: None,
        };
        files.insert(r.path.clone(), (entry, bytes));
    }
    for r in &records {
        // The files its body links to, and its original (原件), which travels with its checksum.
        let original = crate::library::original::original_of(r)
            .and_then(|o| o.file.as_deref())
            .and_then(|f| crate::library::original::original_rel(&r.path, f));
        for rel in linked_files(&r.path, &r.body).into_iter().chain(original) {
            if files.contains_key(&rel) {
                continue;
            }
            let path = lib.root.join(&rel);
            let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
            if !meta.is_file() {
                continue;
            }
            // A linked folder on the way (an `.assets` folder pointing elsewhere) must not pack outside files.
            if !crate::store::resolved(&path).starts_with(&real_root) {
                skipped.push((rel, "经由符号链接指向资料库以外，未打包".to_string()));
                continue;
            }
            if let Err(reason) = check_entry_name(&rel) {
                skipped.push((rel, reason.to_string()));
                continue;
            }
            let bytes = match crate::library::read_bounded(&path, MAX_ASSET_BYTES) {
                Ok(bytes) => bytes,
                Err(crate::library::ReadError::TooLarge { .. }) => {
                    skipped.push((rel, format!("超过单个附件 {} MB 的上限", MAX_ASSET_BYTES / 1024 / 1024)));
                    continue;
                }
                Err(e) => return Err(BundleError::Read { path, cause: e.into() }),
            };
            let title = rel.rsplit('/').next().unwrap_or(&rel).to_string();
            let entry = ManifestEntry {
                path: rel.clone(),
                id: None,
                kind: EntryKind::Asset,
                title,
                sha256: sha256_hex(&bytes),
                size: bytes.len() as u64,
                owner: r.id().map(str::to_string),
            };
            files.insert(rel, (entry, bytes));
        }
    }

    let created_ms = now_ms();
    let library = std::fs::canonicalize(&lib.root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let manifest = Manifest {
        format: FORMAT.to_string(),
        version: FORMAT_VERSION,
        created: format_beijing(created_ms),
        created_ms,
        library,
        district: canonical.clone(),
        entries: files.values().map(|(e, _)| e.clone()).collect(),
    };
    write_zip(out, &manifest, &files)?;
    Ok(ExportReport {
        district: canonical,
        path: out.to_path_buf(),
        records: manifest.record_count(),
        assets: manifest.asset_count(),
        skipped,
        manifest,
    })
}

/// Writes the zip through a temporary file beside `out`, renamed into place once complete and synced.
fn write_zip(
    out: &Path,
    manifest: &Manifest,
    files: &BTreeMap<String, (ManifestEntry, Vec<u8>)>,
) -> Result<(), BundleError> {
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |cause: std::io::Error| BundleError::Write { path, cause }
    };
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let file = File::create(&tmp)?;
        let mut zip = ZipWriter::new(file);
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(DateTime::DEFAULT)
            .unix_permissions(0o644);
        let manifest_json = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
        zip.start_file(MANIFEST_NAME, options).map_err(std::io::Error::other)?;
        zip.write_all(&manifest_json)?;
        for (path, (_, bytes)) in files {
            zip.start_file(path.as_str(), options).map_err(std::io::Error::other)?;
            zip.write_all(bytes)?;
        }
        let file = zip.finish().map_err(std::io::Error::other)?;
        file.sync_all()?;
        drop(file);
        crate::store::replace(&tmp, out)
    })();
    if let Err(cause) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(BundleError::Write { path: out.to_path_buf(), cause });
    }
    Ok(())
}

/// Library-relative paths of the local files a record links to (links and images with a relative target that
/// stays beside or below the record, e.g. `yz-p01-1.assets/图1.png`). Other records (`.md`) are not included.
fn linked_files(record_path: &str, body: &str) -> Vec<String> {
    let dir = record_path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut out = Vec::new();
    for (event, _) in crate::text::markdown::events(body) {
        let dest = match &event {
            Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => dest_url,
            _ => continue,
        };
        let Some(link) = local_link(dest) else { continue };
        let rel = if dir.is_empty() { link } else { format!("{dir}/{link}") };
        if !is_record_path(&rel) && !rel.to_ascii_lowercase().ends_with(".md") && !out.contains(&rel) {
            out.push(rel);
        }
    }
    out
}

/// A link target as a relative path of plain segments (percent-decoded), or `None` for URLs, anchors,
/// absolute paths and anything with `..`.
fn local_link(dest: &str) -> Option<String> {
    let dest = dest.split(['#', '?']).next()?.trim();
    if dest.is_empty() || dest.contains(':') || dest.starts_with('/') || dest.contains('\\') {
        return None;
    }
    let decoded = percent_decode(dest)?;
    let parts: Vec<&str> = decoded.split('/').filter(|s| *s != ".").collect();
    if parts.iter().any(|s| s.is_empty() || *s == "..") {
        return None;
    }
    Some(parts.join("/"))
}

/// Decodes `%E5%9B%BE` escapes; `None` when the result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_local_linked_files() {
        let body = "![图一](yz-1.assets/图%201.png) [附件](./yz-1.assets/表.xlsx#p2) [网站](https://example.com/a.png)\n\
                    [另一篇](yz-2.md) [上级](../x.png) [绝对](/etc/passwd) [锚点](#一)\n";
        assert_eq!(
            linked_files("yuzhong/yz-1.md", body),
            ["yuzhong/yz-1.assets/图 1.png", "yuzhong/yz-1.assets/表.xlsx"]
        );
        assert_eq!(linked_files("a.md", "![x](p.png)"), ["p.png"]);
    }
}
