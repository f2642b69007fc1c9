//! Turning outside files into write-ups: `.md` (with or without front matter), `.txt` (UTF-8, GBK, GB18030),
//! `.docx` (Word or WPS), `.pdf` ([`pdf`], scanned pages through OCR), spreadsheets ([`sheet`]), `.doc`/`.wps`
//! through LibreOffice ([`office`]) and scans or photos of pages ([`scan`]).
//!
//! Import is two steps so that a person can confirm what was guessed:
//! 1. [`import_file`] reads the file into an [`ImportDraft`]: a write-up model with the title, district,
//!    date or year, type and project guessed from the text (each [`Guess`] says from what), the Markdown body,
//!    the images, and warnings. Nothing is written.
//! 2. After the form (or the command line) has corrected the model, [`write_import`] checks it with the same
//!    rules as `casebook check` and, if there is no error, writes the images beside the write-up
//!    (`<id>.assets/`) and the write-up itself, through the library's one write path ([`crate::store::plan`]). [`plan_import`] does the
//!    same without writing, for a preview or `--dry-run`.
//!
//! Hostile files are refused with a Chinese message and never crash or hang the import: see [`docx`].

pub mod blocks;
pub mod docx;
pub mod guess;
pub mod indicators;
pub mod office;
pub mod pdf;
pub mod pdf_images;
pub mod scan;
pub mod sheet;
pub mod text;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use docx::Limits;
pub use guess::{Guess, Guesses};

use crate::library::{
    DecodeError, Kind, Library, MAX_FILE_BYTES, Meta, Original, Problem, Record, Severity, TextEncoding, Writeup,
    decode,
};
use crate::store::{self, StoreError, Write, WriteLock, naming::file_name_safe};
use crate::text::markdown_to_plain;

/// A file that travels with a write-up (an image of a .docx), saved in the write-up's `.assets` folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// File name only (no folders), e.g. `image1.png`.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A file read and converted, not yet written: the form shows it for confirmation.
#[derive(Debug, Clone)]
pub struct ImportDraft {
    /// The write-up as guessed (or as its front matter says); `id` is empty until [`write_import`] picks one.
    pub meta: Writeup,
    /// The Markdown body (without the title line, which is in `meta.title`).
    pub body: String,
    pub assets: Vec<Asset>,
    /// What was guessed and from what.
    pub guesses: Guesses,
    /// Things the person importing should know (an image left out, an encoding converted …).
    pub warnings: Vec<String>,
    /// The file imported.
    pub source: PathBuf,
    /// The front matter of an imported `.md`, kept so that its unknown keys survive the import.
    pub front_matter: Option<String>,
    /// The folder the body's image links point into (rewritten to the final `<id>.assets` when written).
    pub assets_dir: String,
    /// The path of an existing record this import replaces (its previous version goes to the history);
    /// `None` for a new record. See [`ImportDraft::replacing`].
    pub replaces: Option<String>,
    /// The file imported, kept as the write-up's 原件 (every format but Markdown, which is the record itself).
    pub original: Option<OriginalFile>,
}

/// The original file of an import, to be kept in the write-up's `.assets` folder with its checksum.
#[derive(Debug, Clone)]
pub struct OriginalFile {
    pub asset: Asset,
    /// Pages, when the format has them.
    pub pages: Option<u32>,
    /// Pages read by OCR, 1-based.
    pub ocr_pages: Vec<u32>,
}

impl ImportDraft {
    /// Turns the draft into a new version of `existing`: the record keeps its front matter (id, title,
    /// district, themes, unknown keys …) and its path; the imported text and images replace its body.
    /// Returns `false` (and changes nothing) when `existing` is not a write-up.
    pub fn replacing(&mut self, existing: &Record) -> bool {
        let Meta::Writeup(w) = &existing.meta else {
            return false;
        };
        self.meta = w.clone();
        self.front_matter = Some(existing.front_matter.clone());
        self.replaces = Some(existing.path.clone());
        true
    }
}

/// What [`write_import`] would write.
#[derive(Debug)]
pub struct ImportPlan {
    /// The write-up's id (suggested when the draft had none).
    pub id: String,
    /// The write-up's path relative to the library.
    pub rel: String,
    /// Its full text.
    pub text: String,
    /// Each asset's path relative to the library, in the order of `ImportDraft::assets`, then the original's.
    pub asset_paths: Vec<String>,
    /// Warnings `casebook check` would give the new file (errors refuse the import).
    pub warnings: Vec<Problem>,
    /// The checked writes (images first, then the write-up), committed by [`write_planned`].
    store: store::Plan,
}

/// Why a file could not be imported. Messages name the file and say what is wrong, in Chinese.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("无法读取 {path}：{}", crate::os_error::describe(.source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}：不支持的文件类型{hint}（可导入 .md、.txt、.docx、.pdf、.xlsx、.xls、.ods、.et，扫描件和照片 .png、.jpg、.tif、.bmp；装有 LibreOffice 时还可导入 .doc、.wps）"
    )]
    Unsupported { path: PathBuf, hint: String },
    #[error("{path}：文件过大（{mb:.1} MB），文本文件的上限是 {limit} MB")]
    TooLarge { path: PathBuf, mb: f64, limit: u64 },
    #[error("{path} 不是普通文件（是文件夹、设备、管道或套接字），不能导入")]
    NotAFile { path: PathBuf },
    #[error("{path}：{source}")]
    Decode {
        path: PathBuf,
        #[source]
        source: DecodeError,
    },
    #[error("{path} 第 {line} 行：{message}")]
    FrontMatter { path: PathBuf, line: usize, message: String },
    #[error("{path} 是{label}，只能把写作材料导入为记录（其他类型请直接复制到资料库）")]
    NotAWriteup { path: PathBuf, label: &'static str },
    #[error("{path}：{message}")]
    Docx { path: PathBuf, message: String },
    /// A PDF, spreadsheet or converted document that could not be read (the message says why).
    #[error("{path}：{message}")]
    Format { path: PathBuf, message: String },
    #[error("{path}：文件中没有可导入的文字")]
    Empty { path: PathBuf },
    #[error("{0}")]
    Replace(String),
    #[error("导入为 {rel} 会产生错误：{}", summary(.problems))]
    Invalid { rel: String, problems: Vec<Problem> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn summary(problems: &[Problem]) -> String {
    problems.iter().filter(|p| p.severity == Severity::Error).map(|p| p.message.clone()).collect::<Vec<_>>().join("；")
}

/// What a format's reader produced, before guessing.
#[derive(Debug, Default)]
pub struct Parsed {
    pub body: String,
    pub title: Option<Guess>,
    pub meta: Option<Writeup>,
    pub front_matter: Option<String>,
    pub assets: Vec<Asset>,
    pub warnings: Vec<String>,
    /// Pages of the file, when the format has them.
    pub pages: Option<u32>,
    /// A date the file's properties give (created), `YYYY-MM-DD`: used when the text has none.
    pub file_date: Option<String>,
    /// Pages whose text was recognised from an image, 1-based.
    pub ocr_pages: Vec<u32>,
}

/// The file name extensions import reads (for a file dialog's filter; `.doc` and `.wps` need LibreOffice).
pub const IMPORTABLE_EXTENSIONS: &[&str] = &[
    "docx", "doc", "wps", "wpt", "dot", "rtf", "odt", "txt", "md", "markdown", "pdf", "xlsx", "xlsm", "xlsb", "xls",
    "ods", "et", "png", "jpg", "jpeg", "tif", "tiff", "bmp",
];

/// Told what a long import is doing (a Chinese phrase, e.g. the page OCR is reading), for a progress line.
pub type Progress<'a> = &'a mut dyn FnMut(&str);

/// Reads a file into a draft with guesses (see the module documentation). Nothing is written.
pub fn import_file(lib: &Library, path: &Path) -> Result<ImportDraft, ImportError> {
    import_file_with(lib, path, Limits::default(), &mut |_| {})
}

/// [`import_file`] with explicit caps on what a .docx may make us read, telling `progress` what it does (OCR
/// of a scanned PDF takes seconds a page).
pub fn import_file_with(
    lib: &Library,
    path: &Path,
    limits: Limits,
    progress: Progress,
) -> Result<ImportDraft, ImportError> {
    // Only regular files (after following links): opening a pipe would wait forever, and a device such as
    // /dev/zero never ends.
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(ImportError::NotAFile { path: path.to_path_buf() }),
        Err(source) => return Err(ImportError::Io { path: path.to_path_buf(), source }),
    }
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let assets_dir = format!("{}.assets", file_name_safe(&stem));
    let mut parsed = match ext.as_str() {
        "md" | "markdown" => {
            let (text, warning) = read_text(path)?;
            let mut parsed = text::markdown(&text).map_err(|e| match e {
                text::MarkdownError::FrontMatter { line, message } => {
                    ImportError::FrontMatter { path: path.to_path_buf(), line, message }
                }
                text::MarkdownError::NotAWriteup(label) => ImportError::NotAWriteup { path: path.to_path_buf(), label },
            })?;
            parsed.warnings.extend(warning);
            parsed
        }
        "txt" | "text" => {
            let (text, warning) = read_text(path)?;
            let mut parsed = text::plain(&text);
            parsed.warnings.extend(warning);
            parsed
        }
        "docx" => docx::convert(path, &assets_dir, limits)
            .map_err(|message| ImportError::Docx { path: path.to_path_buf(), message })?,
        "pdf" => {
            let bytes = crate::library::read_bounded(path, crate::library::original::MAX_ORIGINAL_BYTES)
                .map_err(|e| read_error(path, e))?;
            pdf::convert(&bytes, progress)
                .map_err(|message| ImportError::Format { path: path.to_path_buf(), message })?
        }
        "png" | "jpg" | "jpeg" | "jpe" | "tif" | "tiff" | "bmp" => {
            scan::image_file(path, progress).map_err(|message| format_error(path, message))?
        }
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" | "et" => {
            let bytes = crate::library::read_bounded(path, crate::library::original::MAX_ORIGINAL_BYTES)
                .map_err(|e| read_error(path, e))?;
            match sheet::convert(&bytes, &ext) {
                Ok(parsed) => parsed,
                // A WPS .et that calamine cannot read may still open in LibreOffice.
                Err(first) if ext == "et" && office::find_soffice().is_some() => {
                    let converted = office::convert(path, "xlsx").map_err(|message| format_error(path, message))?;
                    let bytes =
                        crate::library::read_bounded(&converted.path, crate::library::original::MAX_ORIGINAL_BYTES)
                            .map_err(|e| read_error(path, e))?;
                    sheet::convert(&bytes, "xlsx").map_err(|_| format_error(path, first))?
                }
                Err(message) => return Err(format_error(path, message)),
            }
        }
        "doc" | "wps" | "rtf" | "odt" | "wpt" | "dot" => {
            let converted = office::convert(path, "docx").map_err(|message| format_error(path, message))?;
            let mut parsed =
                docx::convert(&converted.path, &assets_dir, limits).map_err(|message| format_error(path, message))?;
            parsed.warnings.push(format!("已用 LibreOffice 把 .{ext} 转换为 .docx 后导入，请核对版式和编号"));
            parsed
        }
        other => {
            let hint = match other {
                "" => "（没有扩展名）".to_string(),
                _ => format!(" .{other}"),
            };
            return Err(ImportError::Unsupported { path: path.to_path_buf(), hint });
        }
    };
    if parsed.body.trim().is_empty() && parsed.title.is_none() && parsed.meta.is_none() {
        return Err(ImportError::Empty { path: path.to_path_buf() });
    }
    let meta = parsed.meta.take().unwrap_or_default();
    // Every format but Markdown (the record itself) is kept as the write-up's original.
    let original = match ext.as_str() {
        "md" | "markdown" => None,
        _ => {
            let bytes = crate::library::read_bounded(path, crate::library::original::MAX_ORIGINAL_BYTES)
                .map_err(|e| read_error(path, e))?;
            let name = path.file_name().map(|n| file_name_safe(&n.to_string_lossy())).unwrap_or_default();
            Some(OriginalFile {
                asset: Asset { name, bytes },
                pages: parsed.pages,
                ocr_pages: std::mem::take(&mut parsed.ocr_pages),
            })
        }
    };
    let mut draft = with_guesses(lib, path, meta, parsed, assets_dir);
    draft.original = original;
    Ok(draft)
}

/// Fills what the file did not say with guesses from its text.
fn with_guesses(lib: &Library, path: &Path, mut meta: Writeup, parsed: Parsed, assets_dir: String) -> ImportDraft {
    let plain = markdown_to_plain(&parsed.body);
    let mut guesses = Guesses { title: parsed.title.clone(), ..Guesses::default() };
    if meta.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        meta.title = parsed.title.map(|g| g.value);
    }
    // The file name, when nothing in the file says its title (a 报表 without a title row, a scan).
    if meta.title.as_deref().is_none_or(|t| t.trim().is_empty())
        && let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().trim().to_string()).filter(|s| !s.is_empty())
    {
        guesses.title =
            Some(Guess { value: stem.clone(), from: "文件名（文件中没有像标题的一行）".into() });
        meta.title = Some(stem);
    }
    let title = meta.title.clone();
    let config = &lib.config;
    let from_file = |key: &str| format!("文件头信息中的 {key}");
    match meta.district.as_deref() {
        Some(d) if !d.trim().is_empty() => {
            guesses.district = Some(Guess { value: d.to_string(), from: from_file("district") })
        }
        _ => {
            guesses.district = guess::guess_district(config, title.as_deref(), &plain);
            meta.district = guesses.district.as_ref().map(|g| g.value.clone());
        }
    }
    if meta.project.is_none() {
        let district = meta.district.as_deref().and_then(|d| config.resolve_district(d));
        guesses.project = guess::guess_project(lib, district, title.as_deref(), &plain);
        meta.project = guesses.project.as_ref().map(|g| g.value.clone());
    }
    if meta.date.is_none() && meta.year.is_none() {
        let (date, year) = guess::guess_date(title.as_deref(), &plain);
        meta.date = date.as_ref().map(|g| g.value.clone());
        if meta.date.is_none() {
            meta.year = year.as_ref().and_then(|g| g.value.parse().ok());
        }
        guesses.date = date;
        guesses.year = year;
        if meta.date.is_none()
            && meta.year.is_none()
            && let Some(d) = &parsed.file_date
        {
            meta.date = Some(d.clone());
            guesses.date = Some(Guess {
                value: d.clone(), from: "文件属性中的创建日期（正文中没有日期）".into()
            });
        }
    }
    if meta.doc_type.is_none() {
        // No evidence is not evidence for 经验材料: the type waits for the clerk (and does not count meanwhile).
        guesses.doc_type = Some(title.as_deref().and_then(|t| guess::guess_type(config, t)).unwrap_or_else(|| Guess {
            value: crate::library::rules::PENDING_TYPE.to_string(),
            from: "标题中没有文种的依据，请确认".to_string(),
        }));
        meta.doc_type = guesses.doc_type.as_ref().map(|g| g.value.clone());
    }
    if meta.source.is_none() {
        meta.source = path.file_name().map(|n| n.to_string_lossy().into_owned());
    }
    ImportDraft {
        meta,
        body: parsed.body,
        assets: parsed.assets,
        guesses,
        warnings: parsed.warnings,
        source: path.to_path_buf(),
        front_matter: parsed.front_matter,
        assets_dir,
        replaces: None,
        original: None,
    }
}

/// Reads a text file (UTF-8 or GBK/GB18030), refusing binaries and oversized files.
fn read_text(path: &Path) -> Result<(String, Option<String>), ImportError> {
    let bytes = crate::library::read_bounded(path, MAX_FILE_BYTES).map_err(|e| read_error(path, e))?;
    let (text, encoding) = decode(&bytes).map_err(|source| ImportError::Decode { path: path.to_path_buf(), source })?;
    let warning =
        (encoding == TextEncoding::Gb18030).then(|| "文件为 GBK/GB18030 编码，已转换为 UTF-8 保存".to_string());
    Ok((text, warning))
}

/// A format's reader refused the file (the message says why).
fn format_error(path: &Path, message: String) -> ImportError {
    ImportError::Format { path: path.to_path_buf(), message }
}

/// A bounded read that failed, as an import error naming the file.
fn read_error(path: &Path, e: crate::library::ReadError) -> ImportError {
    match e {
        crate::library::ReadError::TooLarge { bytes, limit } => {
            ImportError::TooLarge { path: path.to_path_buf(), mb: bytes as f64 / 1048576.0, limit: limit / 1048576 }
        }
        crate::library::ReadError::NotAFile => ImportError::NotAFile { path: path.to_path_buf() },
        crate::library::ReadError::Io(source) => ImportError::Io { path: path.to_path_buf(), source },
    }
}

/// What [`write_import`] would write, checked: the id (suggested when empty), the path, the text, where the
/// images go. Errors from `check` refuse the import.
pub fn plan_import(lib: &Library, draft: &ImportDraft) -> Result<ImportPlan, ImportError> {
    let mut meta = draft.meta.clone();
    let trimmed = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    meta.id = trimmed(&meta.id);
    meta.title = trimmed(&meta.title);
    meta.project = trimmed(&meta.project);
    meta.district = trimmed(&meta.district).map(|d| lib.config.district_name(&d).to_string());
    if meta.id.is_none() {
        meta.id = Some(store::suggest_id(lib, Kind::Writeup, meta.district.as_deref(), meta.project.as_deref()));
    }
    let id = meta.id.clone().unwrap_or_default();
    let rel = match &draft.replaces {
        Some(rel) => rel.clone(),
        None => store::path_for_meta(lib, &Meta::Writeup(meta.clone())),
    };
    let (dir, file) = rel.rsplit_once('/').unwrap_or(("", rel.as_str()));
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let assets_dir = format!("{stem}.assets");
    if let Some(o) = &draft.original {
        meta.original = Some(Original {
            file: Some(format!("{assets_dir}/{}", o.asset.name)),
            sha256: Some(store::sha256_hex(&o.asset.bytes)),
            size: Some(o.asset.bytes.len() as u64),
            pages: o.pages,
            ocr_pages: o.ocr_pages.clone(),
        });
    }
    let meta = Meta::Writeup(meta);
    let mut body = draft.body.clone();
    if assets_dir != draft.assets_dir {
        for asset in &draft.assets {
            let old = format!("]({}/{})", draft.assets_dir, asset.name);
            body = body.replace(&old, &format!("]({assets_dir}/{})", asset.name));
        }
    }
    let text = store::render_record(&meta, draft.front_matter.as_deref(), &body)?;
    let asset_paths: Vec<String> = draft
        .assets
        .iter()
        .chain(draft.original.as_ref().map(|o| &o.asset))
        .map(|a| {
            [dir, assets_dir.as_str(), a.name.as_str()]
                .iter()
                .filter(|p| !p.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    // Checked once, by the library's one write path: paths, attachment names, and the record by the rules of
    // `casebook check` together with the library.
    let mut writes: Vec<Write> = draft
        .assets
        .iter()
        .chain(draft.original.as_ref().map(|o| &o.asset))
        .zip(&asset_paths)
        .map(|(a, rel)| Write::attachment(rel, a.bytes.clone()))
        .collect();
    writes.push(Write::record(&rel, text.as_bytes()));
    let planned = match store::plan(lib, writes) {
        Err(StoreError::Invalid(problems)) => return Err(ImportError::Invalid { rel, problems }),
        planned => planned?,
    };
    Ok(ImportPlan { id, rel, text, asset_paths, warnings: planned.warnings.clone(), store: planned })
}

/// Checks and writes an imported write-up and its images; returns the write-up's path relative to the library.
/// `lock` is held since before `lib` was loaded (the id is chosen from it).
pub fn write_import(lib: &Library, draft: &ImportDraft, lock: &WriteLock) -> Result<String, ImportError> {
    let plan = plan_import(lib, draft)?;
    let rel = plan.rel.clone();
    write_planned(plan, lock)?;
    Ok(rel)
}

/// Writes exactly what [`plan_import`] checked (images first, then the write-up), so that a caller that showed
/// the plan writes that. `lock` must be held since before the library the plan was made from was loaded.
pub fn write_planned(plan: ImportPlan, lock: &WriteLock) -> Result<(), ImportError> {
    plan.store.commit(lock)?.all_written()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().unwrap();
        let project =
            "---\nkind: project\nid: yz-p01\nname: 楼栋党小组共治机制\ndistrict: 渝中区\nthemes: [党委领导]\n---\n";
        std::fs::create_dir_all(dir.path().join("yuzhong/yz-p01")).unwrap();
        std::fs::write(dir.path().join("yuzhong/yz-p01/project.md"), project).unwrap();
        let lib = Library::load(dir.path()).unwrap();
        (dir, lib)
    }

    #[test]
    fn markdown_without_front_matter_is_guessed_and_written() {
        let (dir, lib) = library();
        let outside = tempfile::tempdir().unwrap();
        let src = outside.path().join("外来材料.md");
        std::fs::write(
            &src,
            "# 渝中区推行楼栋党小组共治机制的经验做法\n\n## 一、基本情况\n\n渝中区……渝中区各社区推行楼栋党小组共治机制。\n\n渝中区委组织部\n2021年9月15日\n",
        )
        .unwrap();
        let draft = import_file(&lib, &src).unwrap();
        assert_eq!(draft.meta.title.as_deref(), Some("渝中区推行楼栋党小组共治机制的经验做法"));
        assert_eq!(draft.meta.district.as_deref(), Some("渝中区"));
        assert_eq!(draft.meta.date.as_deref(), Some("2021-09-15"));
        assert_eq!(draft.meta.project.as_deref(), Some("yz-p01"));
        assert_eq!(draft.meta.doc_type.as_deref(), Some("经验材料"));
        assert!(draft.guesses.district.as_ref().unwrap().from.contains("标题"));
        let rel = write_import(&lib, &draft, &WriteLock::take(&lib.root).unwrap()).unwrap();
        assert_eq!(rel, "yuzhong/yz-p01/yz-p01-1.md");
        let lib = Library::load(dir.path()).unwrap();
        let r = lib.get("yz-p01-1").unwrap();
        assert!(r.body.starts_with("## 一、基本情况\n"));
        assert!(crate::library::check::check(&lib).errors.is_empty());
    }

    #[test]
    fn front_matter_keys_survive_and_errors_refuse() {
        let (dir, lib) = library();
        let src = dir.path().join("a.md");
        std::fs::write(&src, "---\nid: ext-1\ntitle: 外来\ndistrict: 渝中\nyear: 2022\n审核人: 张三\n---\n正文\n")
            .unwrap();
        let draft = import_file(&lib, &src).unwrap();
        let rel = write_import(&lib, &draft, &WriteLock::take(&lib.root).unwrap()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(&rel)).unwrap();
        assert!(text.contains("审核人: 张三\n") && text.contains("district: 渝中区\n"), "{text}");
        // The same id again is a duplicate: refused with check's message.
        let lib = Library::load(dir.path()).unwrap();
        let err = write_import(&lib, &draft, &WriteLock::take(&lib.root).unwrap()).unwrap_err();
        assert!(err.to_string().contains("重复"), "{err}");
        // No district anywhere: refused, nothing written.
        let src = dir.path().join("b.txt");
        std::fs::write(&src, "某地经验\n这里没有提到区县。2021年起实施。\n").unwrap();
        let draft = import_file(&lib, &src).unwrap();
        assert!(draft.meta.district.is_none());
        let err = write_import(&lib, &draft, &WriteLock::take(&lib.root).unwrap()).unwrap_err();
        assert!(err.to_string().contains("district"), "{err}");
    }

    #[test]
    fn a_file_without_evidence_of_its_type_waits_for_confirmation() {
        let (dir, lib) = library();
        let src = dir.path().join("c.txt");
        std::fs::write(&src, "楼栋党小组的一些情况\n渝中区各社区推行楼栋党小组。2021年起实施。\n").unwrap();
        let draft = import_file(&lib, &src).unwrap();
        assert_eq!(draft.meta.doc_type.as_deref(), Some(crate::library::rules::PENDING_TYPE));
        assert!(draft.guesses.doc_type.as_ref().unwrap().from.contains("请确认"));
        let rel = write_import(&lib, &draft, &WriteLock::take(&lib.root).unwrap()).unwrap();
        let lib = Library::load(dir.path()).unwrap();
        let r = lib.records.iter().find(|r| r.path == rel).unwrap();
        assert!(!crate::library::rules::is_experience(&lib, r), "an unconfirmed type does not count");
        assert!(crate::library::rules::is_pending(&lib, r));
        let report = crate::library::check::check(&lib);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert!(report.warnings.iter().any(|w| w.code == "type-pending"));
        let row = &crate::library::overview::overview(&lib)[0];
        assert_eq!((row.experience.len(), row.pending.len()), (0, 1));
    }

    #[test]
    fn the_original_is_kept_beside_the_write_up_with_its_checksum() {
        let (dir, lib) = library();
        let outside = tempfile::tempdir().unwrap();
        let src = outside.path().join("渝中区楼栋工作简报.txt");
        let (bytes, _, _) =
            encoding_rs::GBK.encode("渝中区楼栋工作简报\n一、工作动态\n2022年3月，各社区召开楼栋会。\n");
        std::fs::write(&src, &bytes).unwrap();
        let draft = import_file(&lib, &src).unwrap();
        assert_eq!(draft.original.as_ref().unwrap().asset.bytes, bytes.to_vec());
        let rel = write_import(&lib, &draft, &WriteLock::take(&lib.root).unwrap()).unwrap();
        let lib = Library::load(dir.path()).unwrap();
        let r = lib.records.iter().find(|r| r.path == rel).unwrap();
        let Meta::Writeup(w) = &r.meta else { panic!() };
        let o = w.original.as_ref().unwrap();
        let stem = rel.rsplit('/').next().unwrap().trim_end_matches(".md");
        assert_eq!(o.file.as_deref(), Some(format!("{stem}.assets/渝中区楼栋工作简报.txt").as_str()));
        assert_eq!(o.size, Some(bytes.len() as u64));
        let kept = crate::library::original::original_path(dir.path(), r).unwrap();
        assert_eq!(std::fs::read(kept).unwrap(), bytes.to_vec(), "kept byte for byte, GBK and all");
        assert_eq!(
            crate::library::original::verify(dir.path(), r),
            Some(crate::library::original::OriginalState::Intact)
        );
        assert!(crate::library::check::check_files(&lib).errors.is_empty());
        // A Markdown file is the record itself: nothing else is kept.
        let md = outside.path().join("b.md");
        std::fs::write(&md, "# 渝中区某某做法\n\n正文。2022年。\n").unwrap();
        assert!(import_file(&lib, &md).unwrap().original.is_none());
    }

    #[test]
    fn gbk_text_is_imported() {
        let (dir, lib) = library();
        let src = dir.path().join("gbk.txt");
        let (bytes, _, _) =
            encoding_rs::GBK.encode("合川区评理堂工作简报\n一、工作动态\n合川区各镇街评理堂本月调处纠纷。\n");
        std::fs::write(&src, &bytes).unwrap();
        let draft = import_file(&lib, &src).unwrap();
        assert_eq!(draft.meta.title.as_deref(), Some("合川区评理堂工作简报"));
        assert_eq!(draft.meta.district.as_deref(), Some("合川区"));
        assert_eq!(draft.meta.doc_type.as_deref(), Some("工作简报"));
        assert!(draft.body.contains("## 一、工作动态"));
        assert!(draft.warnings.iter().any(|w| w.contains("GBK")));
    }

    #[test]
    fn replacing_keeps_the_front_matter_and_the_history() {
        let (dir, lib) = library();
        let outside = tempfile::tempdir().unwrap();
        let first = outside.path().join("v1.md");
        std::fs::write(&first, "---\nid: yz-p01-1\ntitle: 第一版\nproject: yz-p01\ndistrict: 渝中区\nyear: 2021\ntags: [甲]\n---\n第一版正文\n").unwrap();
        let rel =
            write_import(&lib, &import_file(&lib, &first).unwrap(), &WriteLock::take(&lib.root).unwrap()).unwrap();
        let lib = Library::load(dir.path()).unwrap();
        let second = outside.path().join("v2.txt");
        std::fs::write(&second, "修订稿\n第二版正文。\n").unwrap();
        let mut draft = import_file(&lib, &second).unwrap();
        assert!(draft.replacing(lib.get("yz-p01-1").unwrap()));
        assert_eq!(write_import(&lib, &draft, &WriteLock::take(&lib.root).unwrap()).unwrap(), rel);
        let text = std::fs::read_to_string(dir.path().join(&rel)).unwrap();
        assert!(
            text.contains("title: 第一版\n") && text.contains("tags: [甲]\n") && text.ends_with("第二版正文。\n"),
            "{text}"
        );
        let kept = store::versions(dir.path(), &rel).unwrap();
        assert_eq!(kept.len(), 1);
        assert!(std::fs::read_to_string(&kept[0].path).unwrap().contains("第一版正文"));
    }

    #[test]
    fn unsupported_and_broken_files() {
        let (dir, lib) = library();
        let doc = dir.path().join("old.doc");
        std::fs::write(&doc, b"\xD0\xCF\x11\xE0").unwrap();
        assert!(import_file(&lib, &doc).unwrap_err().to_string().contains("另存为 .docx"));
        let bin = dir.path().join("x.txt");
        std::fs::write(&bin, b"\x00\x01\x02").unwrap();
        assert!(matches!(import_file(&lib, &bin), Err(ImportError::Decode { .. })));
        let empty = dir.path().join("e.txt");
        std::fs::write(&empty, "  \n").unwrap();
        assert!(matches!(import_file(&lib, &empty), Err(ImportError::Empty { .. })));
        let project = dir.path().join("yuzhong/yz-p01/project.md");
        assert!(import_file(&lib, &project).unwrap_err().to_string().contains("认领项目"));
    }
}
