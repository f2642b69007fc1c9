//! Reading a bundle's zip defensively: every name checked before anything is decompressed, every entry
//! decompressed through a counter that stops at the limits, every byte checked against the manifest.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use zip::ZipArchive;

use super::error::BundleError;
use super::limits::{
    MAX_ASSET_BYTES, MAX_ENTRIES, MAX_MANIFEST_BYTES, MAX_RATIO, MAX_RECORD_BYTES, MAX_TOTAL_BYTES, RATIO_GRACE_BYTES,
};
use super::manifest::{MANIFEST_NAME, Manifest};
use super::paths::check_entry_name;

/// A bundle whose structure and checksums have been verified: the manifest and the bytes of every entry it
/// lists, by path. Nothing in it has been parsed as a record yet.
#[derive(Debug)]
pub(crate) struct VerifiedBundle {
    pub manifest: Manifest,
    pub files: HashMap<String, Vec<u8>>,
}

pub(crate) use crate::store::sha256_hex;

/// Opens the zip at `path` and verifies it completely, writing nothing.
pub(crate) fn read_verified(path: &Path) -> Result<VerifiedBundle, BundleError> {
    let file = File::open(path).map_err(|cause| BundleError::Read { path: path.to_path_buf(), cause })?;
    let mut zip = ZipArchive::new(BufReader::new(file))
        .map_err(|cause| BundleError::NotAZip { path: path.to_path_buf(), cause })?;
    if zip.len() > MAX_ENTRIES {
        return Err(BundleError::TooManyEntries { count: zip.len(), max: MAX_ENTRIES });
    }

    // 1. Names and types only, from the central directory: nothing is decompressed yet.
    let mut index_of: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..zip.len() {
        let entry = zip.by_index_data(i).map_err(|e| corrupt(&format!("#{i}"), e))?;
        let name = std::str::from_utf8(entry.name_raw())
            .map_err(|_| BundleError::NonUtf8Name(String::from_utf8_lossy(entry.name_raw()).into_owned()))?
            .to_string();
        let is_dir = name.ends_with('/');
        check_entry_name(name.strip_suffix('/').unwrap_or(&name))
            .map_err(|reason| BundleError::UnsafePath { name: name.clone(), reason })?;
        if entry.is_symlink() {
            return Err(BundleError::Symlink(name));
        }
        if entry.encrypted() {
            return Err(BundleError::Encrypted(name));
        }
        if is_dir || entry.is_dir() {
            continue;
        }
        if index_of.insert(name.clone(), i).is_some() {
            return Err(BundleError::DuplicateEntry(name));
        }
    }

    // 2. The manifest, and the entries against it (both ways) before reading any of them.
    let manifest_index = *index_of.get(MANIFEST_NAME).ok_or(BundleError::MissingManifest)?;
    let mut total = 0u64;
    let manifest_bytes = read_entry(&mut zip, manifest_index, MANIFEST_NAME, MAX_MANIFEST_BYTES, &mut total)?;
    let manifest = Manifest::parse(&manifest_bytes)?;
    let listed: HashMap<&str, usize> = manifest.entries.iter().enumerate().map(|(i, e)| (e.path.as_str(), i)).collect();
    if let Some(extra) = index_of.keys().find(|n| n.as_str() != MANIFEST_NAME && !listed.contains_key(n.as_str())) {
        return Err(BundleError::NotInManifest(extra.clone()));
    }
    if let Some(missing) = manifest.entries.iter().find(|e| !index_of.contains_key(&e.path)) {
        return Err(BundleError::MissingEntry(missing.path.clone()));
    }

    // 3. Every entry, decompressed under the limits and checked against its size and checksum.
    let mut files = HashMap::with_capacity(manifest.entries.len());
    for e in &manifest.entries {
        let limit = if e.kind.is_record() { MAX_RECORD_BYTES } else { MAX_ASSET_BYTES };
        let bytes = read_entry(&mut zip, index_of[&e.path], &e.path, limit, &mut total)?;
        if bytes.len() as u64 != e.size {
            return Err(BundleError::SizeMismatch {
                name: e.path.clone(),
                expected: e.size,
                actual: bytes.len() as u64,
            });
        }
        if sha256_hex(&bytes) != e.sha256 {
            return Err(BundleError::ChecksumMismatch(e.path.clone()));
        }
        files.insert(e.path.clone(), bytes);
    }
    Ok(VerifiedBundle { manifest, files })
}

fn corrupt(name: &str, e: impl std::fmt::Display) -> BundleError {
    BundleError::Corrupt { name: name.to_string(), reason: e.to_string() }
}

/// Decompresses one entry, counting the bytes actually produced (the sizes in the zip headers are the sender's
/// claim and are never trusted): stops at `limit` for the entry, at the bundle's total, or as soon as the
/// compression ratio shows a bomb.
fn read_entry<R: Read + std::io::Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
    name: &str,
    limit: u64,
    total: &mut u64,
) -> Result<Vec<u8>, BundleError> {
    let mut file = zip.by_index(index).map_err(|e| corrupt(name, e))?;
    let compressed = file.compressed_size().max(1);
    let bomb = |reason: String| BundleError::Bomb { name: name.to_string(), reason };
    let mut out = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(corrupt(name, e)),
        };
        let len = out.len() as u64 + n as u64;
        if len > limit {
            return Err(bomb(format!("解压后超过单个文件 {} MB 的上限", limit / 1024 / 1024)));
        }
        if len > RATIO_GRACE_BYTES && len / compressed > MAX_RATIO {
            return Err(bomb(format!("压缩比超过 {MAX_RATIO}:1（{compressed} 字节解压出 {len} 字节以上）")));
        }
        *total += n as u64;
        if *total > MAX_TOTAL_BYTES {
            return Err(bomb(format!("交换包解压后总量超过 {} MB 的上限", MAX_TOTAL_BYTES / 1024 / 1024)));
        }
        out.extend_from_slice(&chunk[..n]);
    }
    Ok(out)
}
