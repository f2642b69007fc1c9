//! Shared helpers: a temporary library builder and a runner for the real binary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A library in a fresh temporary folder.
pub struct TempLibrary {
    dir: tempfile::TempDir,
}

impl TempLibrary {
    pub fn new() -> Self {
        TempLibrary { dir: tempfile::tempdir().expect("temporary folder") }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (parents created) and returns its path.
    pub fn file(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    /// A write-up with the usual keys; `extra` lines go into the front matter.
    pub fn writeup(&self, rel: &str, id: &str, district: &str, extra: &str, body: &str) -> PathBuf {
        self.file(
            rel,
            format!("---\nid: {id}\ntitle: 标题{id}\ndistrict: {district}\nyear: 2021\n{extra}---\n{body}\n"),
        )
    }

    /// Runs `casebook --library <root> args…`.
    pub fn run(&self, args: &[&str]) -> Output {
        let root = self.root().to_string_lossy().into_owned();
        let mut all = vec!["--library", root.as_str()];
        all.extend_from_slice(args);
        casebook(&all)
    }

    /// Runs a command that must print JSON, and parses it.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {args:?}\nstdout: {}\nstderr: {}", out.stdout, out.stderr))
    }

    /// `search --json` for a query; returns the exact matches (完全匹配): their number and ids in order. The
    /// related hits that follow them are left out (see [`TempLibrary::search_all`]).
    pub fn search(&self, query: &str) -> (u64, Vec<String>) {
        let v = self.json(&["search", query, "--json", "--limit", "100"]);
        let ids = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["tier"] == "exact")
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        (v["exact"].as_u64().unwrap(), ids)
    }

    /// `search --json` for a query: every hit, exact and related, as (total, ids in order).
    pub fn search_all(&self, query: &str) -> (u64, Vec<String>) {
        let v = self.json(&["search", query, "--json", "--limit", "100"]);
        let ids = v["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect();
        (v["total"].as_u64().unwrap(), ids)
    }
}

/// A model folder that does not exist: the semantic tier is off in every test that does not ask for it.
pub const NO_MODEL: &str = "/nonexistent/casebook-test-no-model";

/// Runs the real binary with exactly these arguments.
pub fn casebook(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(args)
        .env_remove("CASEBOOK_LIBRARY")
        .env("NO_COLOR", "1")
        // Lexical search only, whatever model this machine has installed (see `semantic.rs` for the model).
        .env("CASEBOOK_MODEL_DIR", NO_MODEL)
        .output()
        .expect("run casebook");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Path of the bundled sample library.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Copies a folder tree (without the derived `.casebook` folder).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().filter_entry(|e| e.file_name() != ".casebook") {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs the real binary with these arguments and extra environment variables (e.g. `CASEBOOK_FAIL_WRITES`).
pub fn casebook_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(args)
        .env_remove("CASEBOOK_LIBRARY")
        .env("NO_COLOR", "1")
        .env("CASEBOOK_MODEL_DIR", NO_MODEL)
        .envs(env.iter().copied())
        .output()
        .expect("run casebook");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A well-formed one-page PDF whose page draws nothing (as a scan whose image is missing).
pub fn pdf_without_text() -> Vec<u8> {
    pdf_with_lines(&[])
}

/// A well-formed PDF of one page with these lines of Latin text in Helvetica (a PDF with a Chinese font needs a
/// font program; CI makes those with LibreOffice).
pub fn pdf_with_lines(lines: &[&str]) -> Vec<u8> {
    let mut content = String::new();
    for (i, line) in lines.iter().enumerate() {
        content.push_str(&format!("BT /F1 12 Tf 72 {} Td ({line}) Tj ET\n", 760 - 16 * i));
    }
    let stream = format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len() + 1);
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        stream,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    pdf_of(&objects.map(String::into_bytes))
}

/// A PDF file of these objects (numbered from 1; the first is the catalogue) with its cross-reference table.
fn pdf_of(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    pdf
}

/// A minimal .xlsx with these cells (reference, text) on one sheet, written by hand as Excel lays it out.
pub fn xlsx(cells: &[(&str, &str)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, body: &str| {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    put(
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    put(
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    put(
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="报表" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    put(
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    );
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>"#,
    );
    for (at, text) in cells {
        let row: String = at.chars().filter(char::is_ascii_digit).collect();
        sheet.push_str(&format!(r#"<row r="{row}"><c r="{at}" t="inlineStr"><is><t>{text}</t></is></c></row>"#));
    }
    sheet.push_str("</sheetData></worksheet>");
    put("xl/worksheets/sheet1.xml", &sheet);
    zip.finish().unwrap();
    buf.into_inner()
}

/// How a scanned page's picture is stored in a PDF, as scanners do it.
#[derive(Debug, Clone, Copy)]
pub enum ScanEncoding {
    /// `DCTDecode`: grey and colour scans.
    Jpeg,
    /// `CCITTFaxDecode` with K −1: black-and-white scans (made black and white here at half grey).
    Group4,
    /// `FlateDecode`: plain 8-bit grey samples.
    Flate,
    /// `JBIG2Decode` (the data is not real JBIG2: OCR refuses the codec before reading it).
    Jbig2,
}

/// A PNG file with only a header declaring `width` × `height` pixels, an empty image stream and the end mark.
pub fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(b"IHDR", &header);
    chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    png
}

/// A PDF whose pages are pictures only (a scanner's output, no text layer): each image drawn over its page.
pub fn scanned_pdf(pages: &[(&image::GrayImage, ScanEncoding)]) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = vec![b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(), Vec::new()];
    let mut kids = Vec::new();
    for (image, encoding) in pages {
        let (w, h) = image.dimensions();
        let (filter, data) = match encoding {
            ScanEncoding::Jpeg => {
                let mut out = Vec::new();
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(*image).unwrap();
                ("/Filter /DCTDecode".to_string(), out)
            }
            ScanEncoding::Group4 => {
                let mut encoder = fax::encoder::Encoder::new(fax::VecWriter::new());
                for row in image.rows() {
                    let pels = row.map(|p| if p.0[0] < 128 { fax::Color::Black } else { fax::Color::White });
                    encoder.encode_line(pels, w as u16).unwrap();
                }
                let data = encoder.finish().unwrap().finish();
                (format!("/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns {w} /Rows {h} >>"), data)
            }
            ScanEncoding::Jbig2 => ("/Filter /JBIG2Decode".to_string(), vec![0x97, 0x4A, 0x42, 0x32, 0, 0, 0, 0]),
            ScanEncoding::Flate => {
                let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(image.as_raw()).unwrap();
                ("/Filter /FlateDecode".to_string(), encoder.finish().unwrap())
            }
        };
        let (bits, space) = match encoding {
            ScanEncoding::Group4 | ScanEncoding::Jbig2 => (1, "/DeviceGray"),
            _ => (8, "/DeviceGray"),
        };
        let page_no = objects.len() + 1;
        let (content_no, image_no) = (page_no + 1, page_no + 2);
        kids.push(format!("{page_no} 0 R"));
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content_no} 0 R /Resources << /XObject << /Im1 {image_no} 0 R >> >> >>"
            )
            .into_bytes(),
        );
        let content = "q 595 0 0 842 0 0 cm /Im1 Do Q";
        objects.push(format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes());
        let mut stream = format!(
            "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace {space} /BitsPerComponent {bits} {filter} /Length {} >>\nstream\n",
            data.len()
        )
        .into_bytes();
        stream.extend_from_slice(&data);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    objects[1] = format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), kids.len()).into_bytes();
    pdf_of(&objects)
}
