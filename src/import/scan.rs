//! Scans and photos of pages (PNG, JPEG, TIFF, BMP), and the scanned pages of a PDF: their text read by OCR
//! ([`crate::ocr`]) and turned into paragraphs the way a PDF's text layer is ([`super::pdf::tidy_page`]).
//!
//! Recognised text is never silently taken for the original: each such page is listed in the original's
//! `ocr_pages`, marked in the body (`〔原件第 N 页 · 文字识别〕`) after the first, and the import warns that it
//! must be checked against the original. A page that OCR cannot read is named in a warning; the other pages
//! are still imported.

use std::path::Path;

use super::pdf::{self, PdfPage};
use super::pdf_images::{self, PageImage};
use super::{Parsed, Progress};

/// Scanned pages read at most from one PDF (a page takes a few seconds); the rest are named in a warning.
pub const MAX_OCR_PAGES: usize = 200;

/// Lines below this confidence are counted in the warning, so the clerk knows where to look.
const DOUBTFUL: f32 = 0.8;

/// An image file of a page: its text, or a Chinese sentence saying why there is none. A TIFF of several pages
/// (what a scanner's feeder or a fax server writes) is read page by page, like a scanned PDF.
pub fn image_file(path: &Path, progress: Progress) -> Result<Parsed, String> {
    if let Some(parsed) = multi_page_tiff(path, progress)? {
        return Ok(parsed);
    }
    progress("文字识别：正在读取图片");
    let page = crate::ocr::recognize_file(path).map_err(|e| e.to_string())?;
    let text = pdf::tidy_page(&page.text);
    if text.trim().is_empty() {
        return Err("图片中没有识别出文字（请确认是文字页的扫描件或照片，且清晰、端正）".to_string());
    }
    let mut parsed = super::text::plain(&text);
    // Marked like a scanned PDF page, so the body and its search snippets say the text was recognised.
    parsed.body = format!("{}\n\n{}", pdf::page_marker(1, true), parsed.body);
    parsed.pages = Some(1);
    parsed.ocr_pages = vec![1];
    parsed.warnings.push(checking_note(&[1], doubtful_lines(&page)));
    Ok(parsed)
}

/// Reads the scanned pages of a PDF. Returns the pages read (marked as recognised) and warnings for those
/// that could not be.
pub fn pdf_pages(images: &[PageImage], progress: Progress) -> (Vec<PdfPage>, Vec<String>) {
    let mut pages = Vec::new();
    let mut warnings = Vec::new();
    let mut doubtful = 0;
    let total = images.len().min(MAX_OCR_PAGES);
    for (i, image) in images.iter().take(MAX_OCR_PAGES).enumerate() {
        progress(&format!("文字识别：第 {} 页（{}/{total}）", image.page, i + 1));
        let read = pdf_images::decode(image).and_then(|img| crate::ocr::recognize(&img).map_err(|e| e.to_string()));
        match read {
            Ok(page) => {
                let text = pdf::tidy_page(&page.text);
                if text.trim().is_empty() {
                    warnings.push(format!("第 {} 页是图片，但没有识别出文字", image.page));
                } else {
                    doubtful += doubtful_lines(&page);
                    pages.push(PdfPage { number: image.page, text, ocr: true });
                }
            }
            Err(message) => warnings.push(format!("第 {} 页未能识别：{message}", image.page)),
        }
    }
    if images.len() > MAX_OCR_PAGES {
        let rest: Vec<String> = images[MAX_OCR_PAGES..].iter().map(|i| i.page.to_string()).collect();
        warnings.push(format!("扫描页超过 {MAX_OCR_PAGES} 页，第 {} 页未做文字识别", rest.join("、")));
    }
    if !pages.is_empty() {
        let numbers: Vec<u32> = pages.iter().map(|p| p.number).collect();
        warnings.insert(0, checking_note(&numbers, doubtful));
    }
    (pages, warnings)
}

/// The pages of a TIFF with more than one, read by OCR; `None` for any other file (read as one image).
fn multi_page_tiff(path: &Path, progress: Progress) -> Result<Option<Parsed>, String> {
    let mut head = [0u8; 4];
    let is_tiff = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| head == *b"II*\0" || head == *b"MM\0*");
    if !is_tiff {
        return Ok(None);
    }
    let bytes = crate::library::read_bounded(path, crate::ocr::MAX_FILE_BYTES).map_err(|e| e.to_string())?;
    let Some(pages) = crate::panic_guard::quietly(|| tiff_pages(&bytes, progress)) else {
        return Err("TIFF 文件结构异常，无法读取（解析时出错）".to_string());
    };
    let Some((pages, warnings, total)) = pages? else { return Ok(None) };
    if pages.is_empty() {
        let why = warnings.first().map(|w| format!("（{w}）")).unwrap_or_default();
        return Err(format!("TIFF 共 {total} 页，文字识别没有读出文字{why}"));
    }
    let mut parsed = super::text::plain(&pdf::to_plain(&pages));
    if pages[0].number == 1 {
        parsed.body = format!("{}\n\n{}", pdf::page_marker(1, true), parsed.body);
    }
    parsed.pages = Some(total);
    parsed.ocr_pages = pages.iter().map(|p| p.number).collect();
    parsed.warnings.extend(warnings);
    Ok(Some(parsed))
}

/// Every page of a multi-page TIFF through OCR: the pages read, warnings, and the number of pages; `None` when
/// the file has one page.
type TiffPages = Option<(Vec<PdfPage>, Vec<String>, u32)>;

fn tiff_pages(bytes: &[u8], progress: Progress) -> Result<TiffPages, String> {
    use tiff::decoder::{Decoder, DecodingResult};
    let damaged = |e: tiff::TiffError| format!("TIFF 文件已损坏或无法解码（{e}）");
    let mut decoder = Decoder::new(std::io::Cursor::new(bytes)).map_err(damaged)?;
    if !decoder.more_images() {
        return Ok(None);
    }
    let (mut pages, mut warnings, mut doubtful) = (Vec::new(), Vec::new(), 0);
    let mut number = 0u32;
    loop {
        number += 1;
        if number as usize > MAX_OCR_PAGES {
            warnings.push(format!("超过 {MAX_OCR_PAGES} 页，第 {number} 页起未做文字识别"));
            break;
        }
        progress(&format!("文字识别：第 {number} 页"));
        let image = decoder.dimensions().map_err(damaged).and_then(|(w, h)| {
            crate::ocr::check_dimensions(w, h).map_err(|e| e.to_string())?;
            let colour = decoder.colortype().map_err(damaged)?;
            let data = match decoder.read_image().map_err(damaged)? {
                DecodingResult::U8(v) => v,
                DecodingResult::U16(v) => v.iter().map(|x| (x >> 8) as u8).collect(),
                _ => return Err("这一页的像素格式文字识别暂不支持".to_string()),
            };
            tiff_image(colour, w, h, data)
        });
        match image.and_then(|i| crate::ocr::recognize(&i).map_err(|e| e.to_string())) {
            Ok(page) => {
                let text = pdf::tidy_page(&page.text);
                if text.trim().is_empty() {
                    warnings.push(format!("第 {number} 页没有识别出文字"));
                } else {
                    doubtful += doubtful_lines(&page);
                    pages.push(PdfPage { number, text, ocr: true });
                }
            }
            Err(message) => warnings.push(format!("第 {number} 页未能识别：{message}")),
        }
        if !decoder.more_images() {
            break;
        }
        decoder.next_image().map_err(damaged)?;
    }
    if !pages.is_empty() {
        let numbers: Vec<u32> = pages.iter().map(|p| p.number).collect();
        warnings.insert(0, checking_note(&numbers, doubtful));
    }
    Ok(Some((pages, warnings, number.min(MAX_OCR_PAGES as u32))))
}

/// A decoded TIFF page (8-bit samples; 1-bit packed rows as the decoder gives them, already upright for
/// WhiteIsZero) as an image OCR reads.
fn tiff_image(colour: tiff::ColorType, w: u32, h: u32, data: Vec<u8>) -> Result<image::DynamicImage, String> {
    use image::{DynamicImage, GrayImage, RgbImage, RgbaImage};
    use tiff::ColorType;
    let (wu, hu) = (w as usize, h as usize);
    let image = match colour {
        ColorType::Gray(1) => {
            let row = wu.div_ceil(8);
            let mut out = Vec::with_capacity(wu * hu);
            for r in data.chunks(row).take(hu) {
                out.extend(
                    (0..wu).map(|x| if r.get(x / 8).is_some_and(|b| b & (0x80 >> (x % 8)) != 0) { 255 } else { 0 }),
                );
            }
            GrayImage::from_raw(w, h, out).map(DynamicImage::ImageLuma8)
        }
        ColorType::Gray(8 | 16) => GrayImage::from_raw(w, h, data).map(DynamicImage::ImageLuma8),
        ColorType::RGB(8 | 16) => RgbImage::from_raw(w, h, data).map(DynamicImage::ImageRgb8),
        ColorType::RGBA(8 | 16) => RgbaImage::from_raw(w, h, data).map(DynamicImage::ImageRgba8),
        ColorType::CMYK(8) => RgbImage::from_raw(w, h, pdf_images::cmyk_to_rgb(&data)).map(DynamicImage::ImageRgb8),
        other => return Err(format!("这一页的颜色格式（{other:?}）文字识别暂不支持")),
    };
    image.ok_or_else(|| "这一页的图片数据大小不符".to_string())
}

fn doubtful_lines(page: &crate::ocr::OcrPage) -> usize {
    page.lines.iter().filter(|l| l.confidence < DOUBTFUL).count()
}

fn checking_note(pages: &[u32], doubtful: usize) -> String {
    let list: Vec<String> = pages.iter().map(u32::to_string).collect();
    let mut note = format!("第 {} 页的文字由文字识别（OCR）得出，请对照原件核对", list.join("、"));
    if doubtful > 0 {
        note.push_str(&format!("；其中 {doubtful} 行识别把握不大"));
    }
    note
}
