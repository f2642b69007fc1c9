//! Putting the exported files on disk: a new folder beside the user's other files, or one .zip of that folder.
//! Every file is written atomically; files a previous export of the same target left behind (listed in its
//! manifest) are removed, so the folder always matches its manifest. Nothing outside the folder is touched.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::store::write_atomic;

/// One file of an export, in memory until written.
pub struct OutFile {
    /// A plain file name (no folders).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// An export's file or folder name ([`crate::store::naming::safe_file_name`]), `导出` when nothing is left.
pub fn safe_name(name: &str, max: usize) -> String {
    crate::store::naming::safe_file_name(name, max).unwrap_or_else(|| "导出".to_string())
}

/// Writes the files into a new folder `dir/folder/` (or `folder-2/`, `folder-3/`, … when that one exists and
/// is not empty), returning the folder and the files. An export never replaces or deletes a file it did not
/// write in this run: an earlier export, or anything a user keeps there, stays as it was.
pub fn write_folder(dir: &Path, folder: &str, files: &[OutFile]) -> std::io::Result<(PathBuf, Vec<PathBuf>)> {
    let target = fresh(dir, folder, "", |p| p.read_dir().map(|mut d| d.next().is_none()).unwrap_or(false));
    std::fs::create_dir_all(&target)?;
    let mut written = Vec::with_capacity(files.len());
    for f in files {
        let path = target.join(&f.name);
        write_atomic(&path, &f.bytes)?;
        written.push(path);
    }
    Ok((target, written))
}

/// `dir/name{ext}`, or the first of `dir/name-2{ext}`, `dir/name-3{ext}`, … that does not exist (or that
/// `reusable` accepts, such as an empty folder).
fn fresh(dir: &Path, name: &str, ext: &str, reusable: impl Fn(&Path) -> bool) -> PathBuf {
    let free = |p: &Path| std::fs::symlink_metadata(p).is_err() || reusable(p);
    let first = dir.join(format!("{name}{ext}"));
    if free(&first) {
        return first;
    }
    (2..).map(|n| dir.join(format!("{name}-{n}{ext}"))).find(|p| free(p)).unwrap_or(first)
}

/// Zips the files under `folder/` and writes `dir/folder.zip` (or `folder-2.zip`, … : an existing file is never
/// replaced).
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
    let path = fresh(dir, folder, ".zip", |_| false);
    write_atomic(&path, &bytes)?;
    Ok(path)
}

#[cfg(test)]
use crate::store::resolved;

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
    fn exports_never_replace_or_delete_what_they_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: &[u8]| OutFile { name: name.into(), bytes: bytes.to_vec() };
        let manifest = br#"{"files":[{"name":"a.html"},{"name":"b.docx"},{"name":"../evil"}]}"#;
        let (first, _) = write_folder(
            dir.path(),
            "包",
            &[file("a.html", b"1"), file("b.docx", b"2"), file("manifest.json", manifest)],
        )
        .unwrap();
        assert_eq!(first, dir.path().join("包"));
        std::fs::write(dir.path().join("evil"), "keep").unwrap();
        std::fs::write(dir.path().join("包/mine.txt"), "keep").unwrap();
        let (second, files) =
            write_folder(dir.path(), "包", &[file("a.html", b"3"), file("manifest.json", b"{}")]).unwrap();
        assert_eq!(second, dir.path().join("包-2"));
        assert_eq!(files.len(), 2);
        assert_eq!(std::fs::read(dir.path().join("包/b.docx")).unwrap(), b"2", "the earlier export stays whole");
        assert_eq!(std::fs::read(dir.path().join("包/a.html")).unwrap(), b"1");
        assert!(dir.path().join("包/mine.txt").exists() && dir.path().join("evil").exists());
        assert_eq!(std::fs::read(dir.path().join("包-2/a.html")).unwrap(), b"3");
        std::fs::create_dir(dir.path().join("空")).unwrap();
        assert_eq!(write_folder(dir.path(), "空", &[file("a", b"x")]).unwrap().0, dir.path().join("空"));

        let zip_path = write_zip(dir.path(), "包", &[file("a.html", b"<p/>")]).unwrap();
        assert_eq!(write_zip(dir.path(), "包", &[file("a.html", b"x")]).unwrap(), dir.path().join("包-2.zip"));
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
