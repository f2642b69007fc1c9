//! Reading parts out of a .docx (a zip package) without trusting it: the number of entries, each part's size
//! and the total are capped by counting the bytes actually inflated, never by believing the headers, so a zip
//! bomb or a lying header is refused after at most the cap has been read.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Caps on what a .docx may make us read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The .docx file itself.
    pub file_bytes: u64,
    /// Entries in the package.
    pub entries: usize,
    /// Inflated bytes over all parts read.
    pub total: u64,
    /// Inflated bytes of one XML part.
    pub xml_part: u64,
    /// Inflated bytes of one image.
    pub media_part: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { file_bytes: 200 * MB, entries: 20_000, total: 200 * MB, xml_part: 64 * MB, media_part: 50 * MB }
    }
}

const MB: u64 = 1024 * 1024;

/// The largest central directory we let the zip reader load (a real .docx has a few kilobytes).
const MAX_DIRECTORY_BYTES: u64 = 16 * MB;

/// Reads the end-of-central-directory record before the zip reader does, so that a package claiming millions of
/// entries is refused before its directory is loaded into memory. Packages without a readable record are left
/// to the zip reader, which reports them.
fn check_directory(file: &mut File, size: u64, limits: &Limits) -> Result<(), String> {
    use std::io::{Seek, SeekFrom};
    let tail_len = size.min(66 * 1024);
    let mut tail = vec![0u8; tail_len as usize];
    let read = file.seek(SeekFrom::Start(size - tail_len)).and_then(|_| file.read_exact(&mut tail));
    file.seek(SeekFrom::Start(0)).map_err(|e| format!("无法读取文件：{e}"))?;
    if read.is_err() {
        return Ok(());
    }
    let Some(at) = tail.windows(4).rposition(|w| w == [0x50, 0x4b, 0x05, 0x06]) else {
        return Ok(());
    };
    let record = &tail[at..];
    if record.len() < 22 {
        return Ok(());
    }
    let entries = u16::from_le_bytes([record[10], record[11]]) as usize;
    let directory = u32::from_le_bytes([record[12], record[13], record[14], record[15]]) as u64;
    if entries != 0xFFFF && entries > limits.entries {
        return Err(format!("压缩包内有 {entries} 个文件，超过上限 {}，已拒绝", limits.entries));
    }
    if directory != 0xFFFF_FFFF && directory > MAX_DIRECTORY_BYTES {
        return Err(format!("压缩包的目录过大（{} MB），已拒绝", directory / MB));
    }
    Ok(())
}

/// An opened .docx package.
pub struct Package {
    archive: zip::ZipArchive<File>,
    /// Lower-cased part name → name as stored (part names are case-insensitive in OPC).
    names: HashMap<String, String>,
    read_total: u64,
    limits: Limits,
}

impl Package {
    /// Opens the zip; every failure is a Chinese message saying what is wrong with the file.
    pub fn open(path: &Path, limits: Limits) -> Result<Package, String> {
        let file = File::open(path).map_err(|e| format!("无法打开文件：{e}"))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        if size > limits.file_bytes {
            return Err(format!("文件过大（{} MB），超过导入上限 {} MB", size / MB, limits.file_bytes / MB));
        }
        let mut file = file;
        check_directory(&mut file, size, &limits)?;
        // The zip library's own words are English and say nothing more to a clerk than this.
        let archive = zip::ZipArchive::new(file).map_err(|_| {
            "不是有效的 .docx 文件（无法按 zip 压缩包读取，文件可能已损坏、不完整，或是旧版 .doc 格式）".to_string()
        })?;
        if archive.len() > limits.entries {
            return Err(format!("压缩包内有 {} 个文件，超过上限 {}，已拒绝", archive.len(), limits.entries));
        }
        let names = archive
            .file_names()
            .filter_map(Result::ok)
            .map(|n| (n.trim_start_matches('/').to_lowercase(), n.into_owned()))
            .collect();
        Ok(Package { archive, names, read_total: 0, limits })
    }

    /// Whether the package has this part.
    pub fn has(&self, name: &str) -> bool {
        self.names.contains_key(&name.to_lowercase())
    }

    /// Reads an XML part; `Ok(None)` when the package has no such part.
    pub fn xml(&mut self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let cap = self.limits.xml_part;
        self.read(name, cap)
    }

    /// Reads an image.
    pub fn media(&mut self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let cap = self.limits.media_part;
        self.read(name, cap)
    }

    fn read(&mut self, name: &str, cap: u64) -> Result<Option<Vec<u8>>, String> {
        let Some(stored) = self.names.get(&name.to_lowercase()).cloned() else {
            return Ok(None);
        };
        let remaining = self.limits.total.saturating_sub(self.read_total);
        let mut entry = self.archive.by_name(&stored).map_err(|e| format!("无法读取文档中的 {name}：{e}"))?;
        let budget = cap.min(remaining);
        let mut bytes = Vec::new();
        (&mut entry)
            .take(budget + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("文档中的 {name} 已损坏，无法解压：{e}"))?;
        self.read_total += bytes.len() as u64;
        if bytes.len() as u64 > budget {
            return Err(if budget == cap {
                format!("文档中的 {name} 解压后超过 {} MB，已拒绝（可能是恶意构造的压缩炸弹）", cap / MB)
            } else {
                format!("文档解压后的总大小超过 {} MB，已拒绝（可能是恶意构造的压缩炸弹）", self.limits.total / MB)
            });
        }
        Ok(Some(bytes))
    }
}
