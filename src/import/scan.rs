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

/// An image file of a page: its text, or a Chinese sentence saying why there is none.
pub fn image_file(path: &Path, progress: Progress) -> Result<Parsed, String> {
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
