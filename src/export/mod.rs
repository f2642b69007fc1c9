//! Showcase packets for demonstration sites and study packs for trainers (issue 7).
//!
//! An export is gathered once into a neutral [`model::Document`] (by `packet` for a site or a district's route,
//! by `study` for a collection), then rendered as a self-contained print-ready HTML file (`html`, with `svg`
//! charts), a GB/T 9704-style .docx (`docx`) and Markdown (`markdown`); a CSV of every number shown (`csv`) and
//! a manifest.json are always written. Files go into a new folder under the chosen directory, or one .zip
//! (`archive`), and never into the library.
//!
//! Library text is untrusted: `markup` turns record bodies into blocks under one sanitising rule (raw HTML is
//! text, links only http/https/mailto/#fragment, images become their alt text and path), and every renderer
//! escapes all text it writes.

mod archive;
pub mod catalog;
mod csv;
mod docx;
mod gather;
pub mod gbt9704;
mod html;
mod markdown;
mod markup;
pub mod model;
mod packet;
pub mod print;
mod stamp;
mod study;
mod svg;
pub mod xlsx;

use std::path::{Path, PathBuf};

use crate::store::sha256_hex;
use serde::Serialize;

use crate::library::{Kind, Library, Meta};

use archive::OutFile;
pub use catalog::{CatalogFormat, PackReport};
pub use csv::COLUMNS as CSV_COLUMNS;
pub use markup::allowed_link;
pub use model::Document;
pub use stamp::Stamp;

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One demonstration site (调研点), by id.
    Site(String),
    /// A district's whole route: its sites in `route_order`. Gazetteer names and short forms are accepted.
    Route(String),
    /// A study pack from a collection (学习专辑), by id.
    Collection(String),
}

/// The document formats; CSV and manifest.json are always written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Html,
    Docx,
    Markdown,
}

impl Format {
    /// Every format, in the order files are written.
    pub const ALL: [Format; 3] = [Format::Html, Format::Docx, Format::Markdown];

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Markdown => "md",
        }
    }

    /// The name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Format::Html => "网页（HTML）",
            Format::Docx => "Word 文档（.docx）",
            Format::Markdown => "Markdown",
        }
    }
}

/// What the caller asked for.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub target: Target,
    /// Document formats; duplicates are ignored, an empty list writes only the CSV and manifest.
    pub formats: Vec<Format>,
    /// The folder the export's own sub-folder (or .zip) is created in. Must lie outside the library.
    pub out_dir: PathBuf,
    /// One .zip of the folder instead of the folder.
    pub zip: bool,
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportReport {
    /// The folder written (with `zip`: the folder the .zip was written to).
    pub folder: PathBuf,
    /// Every file written, in order (with `zip`: the .zip alone).
    pub files: Vec<PathBuf>,
    /// Gaps found while gathering (also on the checklist page), in Chinese.
    pub warnings: Vec<String>,
    /// The document's title.
    pub title: String,
    /// The .zip, when one was written.
    pub archive: Option<PathBuf>,
}

/// Why an export failed. Nothing is written when the target is unknown or the folder is refused.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("没有 id 为 “{0}” 的调研点")]
    UnknownSite(String),
    #[error("“{id}” 是{kind}，不是调研点")]
    NotASite { id: String, kind: &'static str },
    #[error("未知区县 “{0}”：请写区县全称或简称，例如 渝中区 或 渝中")]
    UnknownDistrict(String),
    #[error("{0}还没有调研点，无法导出调研路线")]
    NoSites(String),
    #[error("没有 id 为 “{0}” 的学习专辑")]
    UnknownCollection(String),
    #[error("“{id}” 是{kind}，不是学习专辑")]
    NotACollection { id: String, kind: &'static str },
    #[error("不能导出到资料库文件夹内（{0}）：请选择资料库以外的文件夹")]
    InsideLibrary(PathBuf),
    #[error("无法生成{what}：{}", crate::os_error::describe(.source))]
    Render {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("无法写入 {path}：{}", crate::os_error::describe(.source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Gathers the document for a target without writing anything (for previews and tests).
pub fn build(lib: &Library, target: &Target, stamp: &Stamp) -> Result<Document, ExportError> {
    match target {
        Target::Site(id) => {
            let r = lib.get(id).ok_or_else(|| ExportError::UnknownSite(id.trim().to_string()))?;
            if r.kind() != Kind::Site {
                return Err(ExportError::NotASite { id: id.trim().to_string(), kind: r.kind().label() });
            }
            Ok(packet::build(lib, &packet::Scope::Site(r), stamp))
        }
        Target::Route(written) => {
            let district = lib
                .config
                .resolve_district(written)
                .ok_or_else(|| ExportError::UnknownDistrict(written.trim().to_string()))?
                .to_string();
            let sites = packet::route_sites(lib, &district);
            if sites.is_empty() {
                return Err(ExportError::NoSites(district));
            }
            Ok(packet::build(lib, &packet::Scope::Route { district, sites }, stamp))
        }
        Target::Collection(id) => {
            let r = lib.get(id).ok_or_else(|| ExportError::UnknownCollection(id.trim().to_string()))?;
            let Meta::Collection(c) = &r.meta else {
                return Err(ExportError::NotACollection { id: id.trim().to_string(), kind: r.kind().label() });
            };
            Ok(study::build(lib, r, c, stamp))
        }
    }
}

/// The folder (and file) base name of an export: 展示材料-渝中区路线, 展示材料-<调研点>, 学习材料-<专辑>.
pub fn base_name(lib: &Library, target: &Target) -> String {
    let name = match target {
        Target::Site(id) => format!("展示材料-{}", lib.get(id).map(|r| r.title().trim()).unwrap_or(id.trim())),
        Target::Route(d) => format!("展示材料-{}路线", lib.config.district_name(d)),
        Target::Collection(id) => format!("学习材料-{}", lib.get(id).map(|r| r.title().trim()).unwrap_or(id.trim())),
    };
    archive::safe_name(&name, 48)
}

/// Exports a target: gathers it, renders the formats, and writes a new folder (or .zip) under `opts.out_dir`.
/// `progress` receives a fraction and a Chinese description of each step.
pub fn export(
    lib: &Library,
    opts: &ExportOptions,
    progress: &mut dyn FnMut(f32, &str),
) -> Result<ExportReport, ExportError> {
    if crate::store::output_outside(&lib.root, &opts.out_dir).is_err() {
        return Err(ExportError::InsideLibrary(opts.out_dir.clone()));
    }
    progress(0.0, "正在收集材料");
    let stamp = Stamp::now();
    let doc = build(lib, &opts.target, &stamp)?;
    let base = base_name(lib, &opts.target);
    let mut formats: Vec<Format> = Vec::new();
    for f in &opts.formats {
        if !formats.contains(f) {
            formats.push(*f);
        }
    }
    let steps = formats.len() as f32 + 3.0;
    let mut files = Vec::new();
    for (i, f) in formats.iter().enumerate() {
        progress((i as f32 + 1.0) / steps, &format!("正在生成{}", f.label()));
        let bytes = match f {
            Format::Html => html::render(&doc).into_bytes(),
            Format::Docx => docx::render(&doc).map_err(|source| ExportError::Render { what: "Word 文档", source })?,
            Format::Markdown => markdown::render(&doc).into_bytes(),
        };
        files.push(OutFile { name: format!("{base}.{}", f.extension()), bytes });
    }
    progress((formats.len() as f32 + 1.0) / steps, "正在生成数据表（CSV）");
    files.push(OutFile { name: format!("{base}-数据.csv"), bytes: csv::render(&doc.numbers) });
    let manifest = manifest(lib, opts, &doc, &formats, &files);
    files.push(OutFile { name: "manifest.json".into(), bytes: manifest });
    progress((formats.len() as f32 + 2.0) / steps, if opts.zip { "正在打包" } else { "正在写入文件" });
    let report = if opts.zip {
        let path = archive::write_zip(&opts.out_dir, &base, &files)
            .map_err(|source| ExportError::Io { path: opts.out_dir.join(format!("{base}.zip")), source })?;
        ExportReport {
            folder: opts.out_dir.clone(),
            files: vec![path.clone()],
            warnings: doc.warnings.clone(),
            title: doc.title.clone(),
            archive: Some(path),
        }
    } else {
        let (folder, written) = archive::write_folder(&opts.out_dir, &base, &files)
            .map_err(|source| ExportError::Io { path: opts.out_dir.join(&base), source })?;
        ExportReport { folder, files: written, warnings: doc.warnings.clone(), title: doc.title.clone(), archive: None }
    };
    progress(1.0, "导出完成");
    Ok(report)
}

/// Every target the library offers, with a Chinese label: routes first, then sites, then collections.
pub fn targets(lib: &Library) -> Vec<(Target, String)> {
    let mut out = Vec::new();
    let mut districts: Vec<String> = Vec::new();
    for r in lib.of_kind(Kind::Site) {
        if let Some(d) = lib.district_of(r).filter(|d| lib.config.resolve_district(d).is_some())
            && !districts.iter().any(|x| x == d)
        {
            districts.push(d.to_string());
        }
    }
    // Gazetteer order, as everywhere else in the app.
    districts.sort_by_key(|d| lib.config.districts.iter().position(|g| &g.name == d).unwrap_or(usize::MAX));
    for d in districts {
        let n = packet::route_sites(lib, &d).len();
        out.push((Target::Route(d.clone()), format!("调研路线：{d}（{n} 个调研点）")));
    }
    for r in lib.of_kind(Kind::Site) {
        if let Some(id) = r.id() {
            let district = lib.district_of(r).unwrap_or("");
            out.push((Target::Site(id.to_string()), format!("调研点：{}（{district}）", r.title().trim())));
        }
    }
    for r in lib.of_kind(Kind::Collection) {
        if let Some(id) = r.id() {
            out.push((Target::Collection(id.to_string()), format!("学习专辑：{}", r.title().trim())));
        }
    }
    out
}

#[derive(Serialize)]
struct Manifest<'a> {
    format: &'static str,
    version: u32,
    generator: String,
    exported_at: &'a str,
    kind: &'static str,
    target: String,
    title: &'a str,
    library: String,
    formats: Vec<&'static str>,
    records: &'a [model::Source],
    numbers: usize,
    warnings: &'a [String],
    files: Vec<ManifestFile>,
}

#[derive(Serialize)]
struct ManifestFile {
    name: String,
    bytes: usize,
    sha256: String,
}

/// manifest.json: what was exported, from which records, and every other file with its size and SHA-256.
fn manifest(lib: &Library, opts: &ExportOptions, doc: &Document, formats: &[Format], files: &[OutFile]) -> Vec<u8> {
    let (kind, target) = match &opts.target {
        Target::Site(id) => ("site", id.trim().to_string()),
        Target::Route(d) => ("route", lib.config.district_name(d).to_string()),
        Target::Collection(id) => ("collection", id.trim().to_string()),
    };
    let library = lib.root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let m = Manifest {
        format: "casebook-export",
        version: 1,
        generator: format!("casebook {}", env!("CARGO_PKG_VERSION")),
        exported_at: &doc.timestamp,
        kind,
        target,
        title: &doc.title,
        library,
        formats: formats.iter().map(|f| f.extension()).chain(["csv"]).collect(),
        records: &doc.sources,
        numbers: doc.numbers.len(),
        warnings: &doc.warnings,
        files: files
            .iter()
            .map(|f| ManifestFile { name: f.name.clone(), bytes: f.bytes.len(), sha256: sha256_hex(&f.bytes) })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&m).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text.into_bytes()
}

/// The path of an export's folder for a target (where `export` writes without `zip`).
pub fn folder_for(lib: &Library, target: &Target, out_dir: &Path) -> PathBuf {
    out_dir.join(base_name(lib, target))
}
