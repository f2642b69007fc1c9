//! The 档案目录 as files (Excel, Word in the 公文 layout, CSV) and the 迎检 pack: the catalogue with every
//! original it lists, numbered as the catalogue numbers them, and a manifest of their checksums, in one .zip.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::model::{Block, Document, Table, para};
use super::stamp::Stamp;
use crate::library::Library;
use crate::library::archive::{CATALOG_HEADER, CatalogRow, catalog};
use crate::store::sha256_hex;

/// A format the catalogue is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogFormat {
    Xlsx,
    Docx,
    Csv,
}

impl CatalogFormat {
    /// The format a file name asks for (`目录.xlsx`); `None` for any other extension.
    pub fn of_path(path: &Path) -> Option<CatalogFormat> {
        match path.extension()?.to_string_lossy().to_lowercase().as_str() {
            "xlsx" => Some(CatalogFormat::Xlsx),
            "docx" => Some(CatalogFormat::Docx),
            "csv" => Some(CatalogFormat::Csv),
            _ => None,
        }
    }
}

/// The catalogue's title: 渝中区市域社会治理现代化试点档案目录, or for every district.
pub fn title(district: Option<&str>) -> String {
    format!("{}市域社会治理现代化试点档案目录", district.unwrap_or(""))
}

/// The catalogue of `district` (or of all) in `format`.
pub fn render(lib: &Library, district: Option<&str>, format: CatalogFormat, stamp: &Stamp) -> std::io::Result<Vec<u8>> {
    let district = district.map(|d| lib.config.district_name(d).to_string());
    let rows = catalog(lib, district.as_deref());
    let cells: Vec<Vec<String>> = rows.iter().map(|r| r.cells().to_vec()).collect();
    match format {
        CatalogFormat::Xlsx => super::xlsx::table("档案目录", &CATALOG_HEADER, &cells),
        CatalogFormat::Csv => Ok(csv(&cells)),
        CatalogFormat::Docx => {
            // On an A4 page in portrait the full checksum would crowd out the titles: the printed catalogue
            // shows its first 12 digits (enough to tell originals apart by eye; the .xlsx and the pack's
            // manifest carry all 64), and leaves out 区县 when it is the one on the cover.
            let one_district = district.is_some();
            let header: Vec<&str> = CATALOG_HEADER
                .iter()
                .copied()
                .filter(|h| !(one_district && *h == "区县"))
                .map(|h| if h.starts_with("SHA-256") { "校验值（前 12 位）" } else { h })
                .collect();
            let mut table = Table::new(None, &header).numeric_columns(&[0, header.len() - 3]);
            table.rows = rows
                .iter()
                .map(|r| {
                    let [number, title, doc_type, date, project, d, pages, original, sha] = r.cells();
                    let mut row = vec![number, title, doc_type, date, project];
                    if !one_district {
                        row.push(d);
                    }
                    row.extend([pages, original, sha.chars().take(12).collect()]);
                    row
                })
                .collect();
            let doc = Document {
                title: title(district.as_deref()),
                subtitle: "档案目录".to_string(),
                cover: vec![
                    ("区县".to_string(), district.clone().unwrap_or_else(|| "全部区县".to_string())),
                    ("件数".to_string(), format!("{} 件", rows.len())),
                ],
                date: stamp.chinese.clone(),
                timestamp: stamp.iso.clone(),
                blocks: vec![
                    para("按区县、项目、日期排列；原件的 SHA-256 校验值是归档时计算的，可用于核对原件未被替换或改动。"),
                    Block::Table(table),
                ],
                ..Document::default()
            };
            super::docx::render(&doc)
        }
    }
}

/// CSV for Excel: BOM, CRLF, every cell defused against formulas.
fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = String::from("\u{FEFF}");
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let cells: Vec<String> = cells.map(crate::compare::csv::field).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(&mut CATALOG_HEADER.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out.into_bytes()
}

/// What a pack holds, and what could not go in.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PackReport {
    pub path: PathBuf,
    /// Materials listed in the catalogue.
    pub listed: usize,
    /// Originals packed.
    pub originals: usize,
    /// Originals listed but not packed, with why (missing, changed since filing, unreadable).
    pub problems: Vec<(String, String)>,
}

/// One file of the pack's manifest.
#[derive(Debug, Clone, Serialize)]
struct PackEntry {
    path: String,
    sha256: String,
    size: u64,
    /// The catalogue's 序号 of the material it belongs to.
    number: Option<usize>,
}

/// Packs a district's 迎检 archive into `out` (a new .zip outside the library): 档案目录.xlsx and .docx, every
/// original under `原件/` named by its 序号, and `manifest.json` with the checksum of each. An original that is
/// missing or no longer the file filed is not packed and is reported (the catalogue still lists it).
pub fn pack(lib: &Library, district: &str, out: &Path, stamp: &Stamp) -> std::io::Result<PackReport> {
    let district = lib.config.district_name(district).to_string();
    let rows = catalog(lib, Some(&district));
    let mut report = PackReport { path: out.to_path_buf(), listed: rows.len(), ..PackReport::default() };
    let mut files: Vec<(String, Vec<u8>, Option<usize>)> = vec![
        ("档案目录.xlsx".to_string(), render(lib, Some(&district), CatalogFormat::Xlsx, stamp)?, None),
        ("档案目录.docx".to_string(), render(lib, Some(&district), CatalogFormat::Docx, stamp)?, None),
    ];
    for row in &rows {
        let Some(rel) = &row.original_rel else { continue };
        match original_bytes(lib, rel, row) {
            Ok(bytes) => {
                let name = super::archive::safe_name(&format!("{:03}-{}", row.number, row.original), 120);
                files.push((format!("原件/{name}"), bytes, Some(row.number)));
                report.originals += 1;
            }
            Err(why) => report.problems.push((format!("{:03} {}", row.number, row.title), why)),
        }
    }
    let manifest: Vec<PackEntry> = files
        .iter()
        .map(|(path, bytes, number)| PackEntry {
            path: path.clone(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
            number: *number,
        })
        .collect();
    let manifest = serde_json::json!({
        "title": title(Some(&district)),
        "created": stamp.iso,
        "district": district,
        "files": manifest,
    });
    let tmp = out.with_extension("zip.part");
    let write = || -> std::io::Result<()> {
        let file = std::fs::File::create(&tmp)?;
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (path, bytes, _) in &files {
            zip.start_file(path.as_str(), options).map_err(std::io::Error::other)?;
            zip.write_all(bytes)?;
        }
        zip.start_file("manifest.json", options).map_err(std::io::Error::other)?;
        zip.write_all(serde_json::to_string_pretty(&manifest).map_err(std::io::Error::other)?.as_bytes())?;
        let mut inner = zip.finish().map_err(std::io::Error::other)?;
        inner.flush()?;
        inner.into_inner().map_err(|e| e.into_error())?.sync_all()
    };
    if let Err(e) = write().and_then(|()| std::fs::rename(&tmp, out)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(report)
}

/// An original's bytes, only if it is still the file filed.
fn original_bytes(lib: &Library, rel: &str, row: &CatalogRow) -> Result<Vec<u8>, String> {
    let bytes = crate::library::read_bounded(&lib.root.join(rel), crate::library::original::MAX_ORIGINAL_BYTES)
        .map_err(|e| if e.is_not_found() { "原件文件不见了".to_string() } else { e.to_string() })?;
    if !row.sha256.is_empty() && sha256_hex(&bytes) != row.sha256.to_lowercase() {
        return Err("原件与归档时的校验值不一致，未打包".to_string());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_in_three_formats() {
        let lib = Library::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).unwrap();
        let stamp = Stamp::at(1_700_000_000);
        let xlsx = render(&lib, Some("渝中"), CatalogFormat::Xlsx, &stamp).unwrap();
        let sheets = crate::import::sheet::read(&xlsx, "xlsx").unwrap();
        let rows = catalog(&lib, Some("渝中区"));
        assert_eq!(sheets[0].rows().len(), rows.len() + 1);
        assert_eq!(sheets[0].rows()[0], CATALOG_HEADER.map(String::from).to_vec());
        let csv = String::from_utf8(render(&lib, None, CatalogFormat::Csv, &stamp).unwrap()).unwrap();
        assert!(csv.starts_with("\u{FEFF}序号,题名") && csv.contains("\r\n"));
        let docx = render(&lib, Some("渝中区"), CatalogFormat::Docx, &stamp).unwrap();
        assert!(docx.starts_with(b"PK"));
    }
}
