//! PDF: the text layer of each page, in reading order, turned back into paragraphs; what the file's information
//! dictionary says of its title and dates; and the pages that have no text (scans), whose pictures are read by
//! OCR ([`super::scan`]).
//!
//! The text comes from `pdf-extract` (which maps Chinese CID fonts through their ToUnicode tables). What it
//! returns is one line per printed line, often with a space between every character of a 公文 typeset on a
//! character grid: spaces between Chinese characters are removed, page numbers (`— 1 —`) dropped, and lines that
//! run on to the next (a full line not ending a sentence) joined into their paragraph. Each page after the first
//! starts with a marker line (`〔原件第 2 页〕`), so a reader can cite the page.
//!
//! A hostile file is refused before the parser sees it: a stream that inflates beyond [`MAX_INFLATED_STREAM`]
//! (a decompression bomb), more than [`MAX_PAGES`] pages; the parser's own panics are caught.

use std::io::Read;

use lopdf::{Document, Object};

use super::Parsed;
use crate::text::is_cjk;

/// Pages read at most.
pub const MAX_PAGES: usize = 2000;
/// The most one stream may inflate to.
pub const MAX_INFLATED_STREAM: u64 = 256 * 1024 * 1024;
/// The most all streams together may inflate to.
pub const MAX_INFLATED_TOTAL: u64 = 1024 * 1024 * 1024;

/// One page of the text layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfPage {
    /// 1-based.
    pub number: u32,
    /// Paragraphs of the page, one per line.
    pub text: String,
    /// The text was recognised from the page's picture (OCR), not read from a text layer.
    pub ocr: bool,
}

/// What a PDF holds, read.
#[derive(Debug, Default)]
pub struct PdfText {
    pub pages: Vec<PdfPage>,
    /// Pages with no text layer (a scan, a photo): 1-based.
    pub image_only: Vec<u32>,
    /// The pictures of those pages that have one, for OCR.
    pub scans: Vec<super::pdf_images::PageImage>,
    /// The information dictionary's /Title, when it looks like one.
    pub title: Option<String>,
    /// The information dictionary's /CreationDate (else /ModDate) as `YYYY-MM-DD`.
    pub date: Option<String>,
    pub warnings: Vec<String>,
}

/// Reads a PDF's text. Errors are Chinese sentences saying what is wrong with the file.
pub fn read(bytes: &[u8]) -> Result<PdfText, String> {
    if !bytes.starts_with(b"%PDF") && !bytes[..bytes.len().min(1024)].windows(4).any(|w| w == b"%PDF") {
        return Err("不是 PDF 文件（文件开头没有 %PDF 标记）".to_string());
    }
    check_streams(bytes)?;
    crate::panic_guard::quietly(|| read_checked(bytes))
        .unwrap_or_else(|| Err("PDF 文件结构异常，无法读取（解析时出错）".to_string()))
}

fn read_checked(bytes: &[u8]) -> Result<PdfText, String> {
    let mut doc = Document::load_mem(bytes).map_err(|e| format!("PDF 文件已损坏或格式不受支持（{e}）"))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err("PDF 文件已加密（需要密码才能打开），请先用 PDF 阅读器另存为不加密的文件".to_string());
    }
    let pages = doc.get_pages();
    if pages.len() > MAX_PAGES {
        return Err(format!("PDF 有 {} 页，超过 {MAX_PAGES} 页的上限", pages.len()));
    }
    let mut out = PdfText { title: info_text(&doc, b"Title").filter(|t| looks_like_a_title(t)), ..PdfText::default() };
    out.date = info_text(&doc, b"CreationDate").or_else(|| info_text(&doc, b"ModDate")).and_then(|d| pdf_date(&d));
    let mut raw_pages: Vec<(u32, lopdf::ObjectId, String)> = Vec::with_capacity(pages.len());
    for (&number, &page_id) in &pages {
        let mut text = String::new();
        let result = {
            let mut output = pdf_extract::PlainTextOutput::new(&mut text);
            pdf_extract::output_doc_page(&doc, &mut output, number)
        };
        if let Err(e) = result {
            out.warnings.push(format!("第 {number} 页的文字无法读取（{e}）"));
        }
        raw_pages.push((number, page_id, text));
    }
    for (number, page_id, raw) in raw_pages {
        let text = tidy_page(&raw);
        if text.chars().filter(|c| !c.is_whitespace()).count() < 2 {
            out.image_only.push(number);
            out.scans.extend(super::pdf_images::page_image(&doc, number, page_id));
        } else {
            out.pages.push(PdfPage { number, text, ocr: false });
        }
    }
    Ok(out)
}

/// Inflates every Flate stream of the file with a cap, before any parser does it without one.
fn check_streams(bytes: &[u8]) -> Result<(), String> {
    let mut total = 0u64;
    let mut at = 0;
    while let Some(found) = find(&bytes[at..], b"stream") {
        let start = at + found + b"stream".len();
        at = start;
        // `endstream` also contains `stream`: skip it.
        if found >= 3 && &bytes[at - b"endstream".len()..at] == b"endstream" {
            continue;
        }
        let data_start = match bytes.get(start..start + 2) {
            Some(b"\r\n") => start + 2,
            Some([b'\n', _]) | Some([b'\r', _]) => start + 1,
            _ => continue,
        };
        let Some(len) = find(&bytes[data_start..], b"endstream") else { break };
        let data = &bytes[data_start..data_start + len];
        let mut decoder = flate2::read::ZlibDecoder::new(data).take(MAX_INFLATED_STREAM + 1);
        let mut sink = [0u8; 1 << 16];
        let mut inflated = 0u64;
        loop {
            match decoder.read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => inflated += n as u64,
            }
        }
        if inflated > MAX_INFLATED_STREAM {
            return Err(format!(
                "PDF 中有一段数据解压后超过 {} MB（疑似“压缩炸弹”），已拒绝",
                MAX_INFLATED_STREAM / 1048576
            ));
        }
        total += inflated;
        if total > MAX_INFLATED_TOTAL {
            return Err(format!("PDF 的数据解压后共超过 {} MB，已拒绝", MAX_INFLATED_TOTAL / 1048576));
        }
        at = data_start + len;
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A string of the information dictionary (PDFDocEncoding or UTF-16 with a byte-order mark).
fn info_text(doc: &Document, key: &[u8]) -> Option<String> {
    let info = match doc.trailer.get(b"Info").ok()? {
        Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        Object::Dictionary(d) => d,
        _ => return None,
    };
    let Object::String(bytes, _) = info.get(key).ok()? else { return None };
    let text = if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|&b| b as char).collect()
    };
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// A title from the information dictionary is worth proposing when it has Chinese and is not a file name or a
/// program's placeholder (Microsoft Word - 文档1.docx, Untitled).
fn looks_like_a_title(t: &str) -> bool {
    let lower = t.to_lowercase();
    t.chars().any(is_cjk)
        && !lower.contains(".doc")
        && !lower.contains(".wps")
        && !lower.starts_with("microsoft")
        && !t.starts_with("文档")
        && t.chars().count() <= 80
}

/// `D:20220315093000+08'00'` → `2022-03-15`.
fn pdf_date(d: &str) -> Option<String> {
    let digits: String = d.trim_start_matches("D:").chars().take(8).collect();
    if digits.len() != 8 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (y, m, day) = (&digits[0..4], &digits[4..6], &digits[6..8]);
    let (year, month, dd): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, day.parse().ok()?);
    ((1990..=2100).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&dd))
        .then(|| format!("{y}-{m}-{day}"))
}

/// A page's raw text → its paragraphs, one per line.
pub fn tidy_page(raw: &str) -> String {
    let lines: Vec<String> = raw
        .lines()
        .map(squeeze_spaces)
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty() && !is_page_number(l))
        .collect();
    // The width of a full line on this page: of the longest lines, one that is not an outlier (the 80th
    // percentile; on a page of a few lines, the longest).
    let mut widths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    widths.sort_unstable();
    let skip = if widths.len() < 10 { 0 } else { widths.len() / 5 };
    let full = widths.get(widths.len().saturating_sub(1 + skip)).copied().unwrap_or(0);
    let mut paragraphs: Vec<String> = Vec::new();
    let mut open = false;
    for line in lines {
        let starts_new = super::blocks::chinese_heading_level(&line).is_some();
        if open && !starts_new {
            if let Some(last) = paragraphs.last_mut() {
                last.push_str(&line);
            }
        } else {
            paragraphs.push(line.clone());
        }
        let n = line.chars().count();
        let ends_sentence = line.ends_with(['。', '！', '？', '：', '；', '”', '」', '）', ')', '.', ':']);
        // A line as wide as the page that does not end a sentence runs on into the next line.
        open = full >= 12 && n + 2 >= full && !ends_sentence;
    }
    paragraphs.join("\n")
}

/// Removes the spaces a character grid puts between Chinese characters (`测 试 文 段` → `测试文段`), keeping
/// those next to Latin words and numbers.
fn squeeze_spaces(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let prev = chars[..i].iter().rev().find(|c| !c.is_whitespace());
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            let wide = |c: Option<&char>| c.is_some_and(|c| is_cjk(*c) || is_wide_punct(*c));
            if wide(prev) && wide(next) {
                continue;
            }
            if out.ends_with(' ') {
                continue;
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

fn is_wide_punct(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

/// `— 1 —`, `- 12 -`, `第 3 页`, `3/10`: a page number, not text.
fn is_page_number(line: &str) -> bool {
    let core: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let dashes: &[char] = &['—', '-', '–', '－', '─'];
    let stripped = core.trim_matches(dashes);
    (stripped.len() < core.len() && digits(stripped))
        || core.strip_prefix('第').and_then(|s| s.strip_suffix('页')).is_some_and(digits)
        || core.split_once('/').is_some_and(|(a, b)| digits(a) && digits(b))
        || (digits(&core) && core.len() <= 3)
}

/// The marker line that starts page `n` in the body.
pub fn page_marker(n: u32, ocr: bool) -> String {
    if ocr { format!("〔原件第 {n} 页 · 文字识别〕") } else { format!("〔原件第 {n} 页〕") }
}

/// The whole text as plain lines for the common plain-text reading, pages after the first led by their marker
/// (the first has none, so that its first line can be taken for the title).
pub fn to_plain(pages: &[PdfPage]) -> String {
    let mut out = String::new();
    for (i, page) in pages.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&page_marker(page.number, page.ocr));
            out.push('\n');
        }
        out.push_str(&page.text);
        out.push('\n');
    }
    out
}

/// A PDF as a parsed import: its text read as plain text (title, 一、 headings), scanned pages read by OCR, its
/// information dictionary's title when the text has none, and notes on what could not be read.
pub fn convert(bytes: &[u8], progress: super::Progress) -> Result<Parsed, String> {
    let mut pdf = read(bytes)?;
    let total_pages = pdf.pages.len() + pdf.image_only.len();
    let (recognised, notes) = super::scan::pdf_pages(&pdf.scans, progress);
    let ocr_pages: Vec<u32> = recognised.iter().map(|p| p.number).collect();
    let unread: Vec<u32> = pdf.image_only.iter().copied().filter(|n| !ocr_pages.contains(n)).collect();
    pdf.pages.extend(recognised);
    pdf.pages.sort_by_key(|p| p.number);
    if pdf.pages.is_empty() {
        if pdf.scans.is_empty() {
            return Err(format!("PDF 共 {total_pages} 页，既没有文字层也没有图片，没有可导入的文字"));
        }
        let why = notes.first().map(|n| format!("（{n}）")).unwrap_or_default();
        return Err(format!("PDF 共 {total_pages} 页，都没有文字层，文字识别（OCR）也没有读出文字{why}"));
    }
    let mut parsed = super::text::plain(&to_plain(&pdf.pages));
    if pdf.pages[0].ocr {
        parsed.body = format!("{}\n\n{}", page_marker(pdf.pages[0].number, true), parsed.body);
    }
    parsed.ocr_pages = ocr_pages;
    parsed.warnings.extend(notes);
    if parsed.title.is_none()
        && let Some(t) = &pdf.title
    {
        parsed.title = Some(super::Guess { value: t.clone(), from: "PDF 文件属性中的标题".into() });
    }
    parsed.pages = Some(total_pages as u32);
    parsed.file_date = pdf.date.clone();
    parsed.warnings.extend(pdf.warnings);
    let without_picture: Vec<String> =
        unread.iter().filter(|n| !pdf.scans.iter().any(|s| s.page == **n)).map(u32::to_string).collect();
    if !without_picture.is_empty() {
        parsed.warnings.push(format!("第 {} 页既没有文字层也没有图片（可能是空白页）", without_picture.join("、")));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_spaces_and_page_numbers_go_lines_join() {
        assert_eq!(squeeze_spaces("测 试 文 段 ， 第 1 步"), "测试文段，第 1 步");
        assert_eq!(squeeze_spaces("GO 命令 and  more"), "GO 命令 and more");
        assert!(is_page_number("— 1 —") && is_page_number("- 12 -") && is_page_number("第 3 页"));
        assert!(!is_page_number("一、压缩会议数量") && !is_page_number("2022年"));
        let raw = "关于规范会议管理的通知\n\n一、压缩会议数量\n能合并召开的合并，能不开的不开，确实需要召开的会议要\n严格控制规模。\n二、控制会议时长\n— 1 —\n";
        let page = tidy_page(raw);
        assert_eq!(
            page,
            "关于规范会议管理的通知\n一、压缩会议数量\n能合并召开的合并，能不开的不开，确实需要召开的会议要严格控制规模。\n二、控制会议时长"
        );
    }

    #[test]
    fn dates_of_the_information_dictionary() {
        assert_eq!(pdf_date("D:20220315093000+08'00'").as_deref(), Some("2022-03-15"));
        assert_eq!(pdf_date("D:1"), None);
        assert!(looks_like_a_title("关于规范会议管理的通知") && !looks_like_a_title("Microsoft Word - 文档1.docx"));
    }

    #[test]
    fn not_a_pdf_and_a_bomb_are_refused() {
        assert!(read(b"hello").unwrap_err().contains("不是 PDF"));
        // A stream of 300 MB of zeros, compressed to a few hundred kilobytes.
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..300 {
            std::io::Write::write_all(&mut enc, &zeros).unwrap();
        }
        let data = enc.finish().unwrap();
        let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Length 1 /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&data);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        assert!(read(&pdf).unwrap_err().contains("压缩炸弹"));
    }
}
