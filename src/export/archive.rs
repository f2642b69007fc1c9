//! Putting the exported files on disk: a new folder beside the user's other files, or one .zip of that folder.
//! Every file is written atomically; files a previous export of the same target left behind (listed in its
//! manifest) are removed, so the folder always matches its manifest. Nothing outside the folder is touched.

use std::io::{Cursor, Write};
use std::path::{Component, Path, PathBuf};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::store::write_atomic;

/// One file of an export, in memory until written.
pub struct OutFile {
    /// A plain file name (no folders).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A name that every file system accepts: no separators or characters Windows forbids, no leading dot, no
/// trailing dot or space, at most `max` characters.
pub fn safe_name(name: &str, max: usize) -> String {
    let cleaned: String =
        name.trim()
            .chars()
            .map(|c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let cleaned = cleaned.trim_start_matches('.');
    let mut short: String = cleaned.chars().take(max).collect();
    while short.ends_with(['.', ' ']) {
        short.pop();
    }
    if short.is_empty() { "导出".to_string() } else { short }
}

/// Writes the files into `dir/folder/`, returning their paths. Files of an earlier export listed in the old
/// manifest.json and not written again are deleted.
pub fn write_folder(dir: &Path, folder: &str, files: &[OutFile]) -> std::io::Result<Vec<PathBuf>> {
    let target = dir.join(folder);
    let previous = previous_files(&target);
    std::fs::create_dir_all(&target)?;
    let mut written = Vec::with_capacity(files.len());
    for f in files {
        let path = target.join(&f.name);
        write_atomic(&path, &f.bytes)?;
        written.push(path);
    }
    for old in previous {
        if !files.iter().any(|f| f.name == old) {
            let _ = std::fs::remove_file(target.join(old));
        }
    }
    Ok(written)
}

/// The plain file names the manifest of an earlier export lists.
fn previous_files(folder: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(folder.join("manifest.json")) else { return Vec::new() };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { return Vec::new() };
    value["files"]
        .as_array()
        .map(|files| {
            files
                .iter()
                .filter_map(|f| f["name"].as_str())
                .filter(|n| {
                    let p = Path::new(n);
                    p.components().count() == 1 && matches!(p.components().next(), Some(Component::Normal(_)))
                })
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Zips the files under `folder/` and writes `dir/folder.zip`.
pub fn write_zip(dir: &Path, folder: &str, files: &[OutFile]) -> std::io::Result<PathBuf> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    zip.add_directory(format!("{folder}/"), options).map_err(std::io::Error::other)?;
    for f in files {
        zip.start_file(format!("{folder}/{}", f.name), options).map_err(std::io::Error::other)?;
        zip.write_all(&f.bytes)?;
    }
    let bytes = zip.finish().map_err(std::io::Error::other)?.into_inner();
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{folder}.zip"));
    write_atomic(&path, &bytes)?;
    Ok(path)
}

/// The absolute, symlink-free form of a path that may not exist yet (its existing ancestor is resolved, the rest
/// normalised), to tell reliably whether it lies inside another folder.
pub fn resolved(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    let mut normal = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    let mut existing = normal.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        if !existing.pop() {
            break;
        }
    }
    let mut out = std::fs::canonicalize(&existing).unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names() {
        assert_eq!(safe_name("展示材料-a/b:c*?", 60), "展示材料-a_b_c__");
        assert_eq!(safe_name("..隐藏. ", 60), "隐藏");
        assert_eq!(safe_name("新时代“枫桥经验”重庆实践", 6), "新时代“枫桥");
        assert_eq!(safe_name("///", 60), "___");
        assert_eq!(safe_name("", 60), "导出");
    }

    #[test]
    fn folder_matches_its_manifest_and_zip_holds_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: &[u8]| OutFile { name: name.into(), bytes: bytes.to_vec() };
        let manifest = br#"{"files":[{"name":"a.html"},{"name":"b.docx"},{"name":"../evil"}]}"#;
        write_folder(dir.path(), "包", &[file("a.html", b"1"), file("b.docx", b"2"), file("manifest.json", manifest)])
            .unwrap();
        std::fs::write(dir.path().join("evil"), "keep").unwrap();
        std::fs::write(dir.path().join("包/mine.txt"), "keep").unwrap();
        let second = write_folder(dir.path(), "包", &[file("a.html", b"3"), file("manifest.json", b"{}")]).unwrap();
        assert_eq!(second.len(), 2);
        assert!(!dir.path().join("包/b.docx").exists(), "stale export file removed");
        assert!(dir.path().join("包/mine.txt").exists() && dir.path().join("evil").exists());
        assert_eq!(std::fs::read(dir.path().join("包/a.html")).unwrap(), b"3");

        let zip_path = write_zip(dir.path(), "包", &[file("a.html", b"<p/>")]).unwrap();
        let mut zip = zip::ZipArchive::new(std::fs::File::open(zip_path).unwrap()).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("包/a.html").unwrap(), &mut text).unwrap();
        assert_eq!(text, "<p/>");
    }

    #[test]
    fn resolves_paths_that_do_not_exist_yet() {
        let dir = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(resolved(&dir.path().join("x/../y/z")), real.join("y/z"));
        assert!(resolved(&dir.path().join("new/deeper")).starts_with(&real));
    }
}
