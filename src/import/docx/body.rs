//! WordprocessingML body → [`Block`]s: paragraphs with their styles, automatic numbers and bold/italic runs,
//! lists, tables (merged cells kept in their columns), images and the text of text boxes.

use std::collections::HashMap;

use super::dom::Element;
use super::styles::{Numbering, Styles, flag, num_pr};
use crate::import::blocks::{Block, chinese_heading_level, escape_inline, table_cell};
use crate::store::naming::file_name_safe;

/// An image the body uses: the package part to read and the file name it gets beside the write-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUse {
    pub part: String,
    pub name: String,
}

/// One piece of a paragraph's text.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text { text: String, bold: bool, italic: bool },
    Image(String),
    Break,
}

/// Walks a document body.
pub struct Converter<'a> {
    styles: &'a Styles,
    numbering: Numbering,
    /// Relationship id → package part of an image.
    rels: &'a HashMap<String, String>,
    /// The folder the body's image links point into.
    asset_dir: String,
    pub images: Vec<ImageUse>,
    pub warnings: Vec<String>,
    /// Paragraphs found in text boxes of the current paragraph, emitted after it.
    pending: Vec<Block>,
}

impl<'a> Converter<'a> {
    /// A converter for one body; `asset_dir` is the relative folder used in image links.
    pub fn new(styles: &'a Styles, numbering: Numbering, rels: &'a HashMap<String, String>, asset_dir: &str) -> Self {
        Converter {
            styles,
            numbering,
            rels,
            asset_dir: asset_dir.to_string(),
            images: Vec::new(),
            warnings: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// The blocks of `w:body` (or of a table cell, a text box).
    pub fn blocks(&mut self, container: &Element, in_table: bool) -> Vec<Block> {
        let mut out = Vec::new();
        for child in container.elements() {
            match child.name.as_str() {
                "p" => {
                    if let Some(b) = self.paragraph(child, in_table) {
                        out.push(b);
                    }
                    out.append(&mut self.pending);
                }
                "tbl" => out.extend(self.table(child)),
                "sdt" => {
                    if let Some(content) = child.child("sdtContent") {
                        out.extend(self.blocks(content, in_table));
                    }
                }
                "customXml" | "ins" | "smartTag" => out.extend(self.blocks(child, in_table)),
                "AlternateContent" => {
                    if let Some(choice) = child.child("Choice").or_else(|| child.child("Fallback")) {
                        out.extend(self.blocks(choice, in_table));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn paragraph(&mut self, p: &Element, in_table: bool) -> Option<Block> {
        let ppr = p.child("pPr");
        let style = ppr.and_then(|pp| pp.child_val("pStyle"));
        let mut pieces = Vec::new();
        self.inline(p, &mut pieces);
        let (mut text, mut plain) = render_inline(&pieces);
        let numbered = ppr.and_then(num_pr).or_else(|| self.styles.numbering(style)).filter(|(id, _)| id != "0");
        let label = numbered.and_then(|(id, level)| self.numbering.next_label(&id, level).map(|l| (l, level)));
        let has_image = pieces.iter().any(|p| matches!(p, Piece::Image(_)));
        if plain.trim().is_empty() && !has_image {
            return None;
        }
        if self.styles.is_title(style) && !in_table {
            return Some(Block::Paragraph { text, plain, centred: true, bold: true, title_style: true });
        }
        let direct_level =
            ppr.and_then(|pp| pp.child_val("outlineLvl")).and_then(|v| v.parse::<u8>().ok()).filter(|l| *l < 9);
        let heading = direct_level.map(|l| l + 1).or_else(|| self.styles.heading_level(style));
        if let Some(((level_def, label_text, number), depth)) = label {
            let ordered = level_def.format == "decimal"
                && [format!("%{}.", depth + 1), format!("%{})", depth + 1)]
                    .contains(&level_def.text.trim().to_string());
            if level_def.format == "bullet" && heading.is_none() {
                return Some(Block::ListItem { number: None, depth, text, plain });
            }
            if ordered && heading.is_none() {
                return Some(Block::ListItem { number: Some(number), depth, text, plain });
            }
            if !label_text.is_empty() && !plain.starts_with(label_text.trim()) {
                text = format!("{}{text}", escape_inline(&label_text));
                plain = format!("{label_text}{plain}");
            }
        }
        if !in_table {
            if let Some(level) = heading {
                return Some(Block::Heading { level, text, plain });
            }
            if let Some(level) = chinese_heading_level(&plain) {
                return Some(Block::Heading { level, text: strip_bold(&text), plain });
            }
        }
        let centred = match ppr.and_then(|pp| pp.child_val("jc")) {
            Some(v) => v == "center" || v == "centre",
            None => self.styles.centred(style),
        };
        let all_bold = pieces.iter().all(|p| match p {
            Piece::Text { text, bold, .. } => *bold || text.trim().is_empty(),
            _ => true,
        });
        let bold = all_bold || self.styles.bold(style);
        Some(Block::Paragraph { text, plain, centred, bold, title_style: false })
    }

    /// Collects the runs of a paragraph (through hyperlinks, insertions, fields, content controls).
    fn inline(&mut self, container: &Element, out: &mut Vec<Piece>) {
        for child in container.elements() {
            match child.name.as_str() {
                "r" => self.run(child, out),
                "hyperlink" | "ins" | "smartTag" | "fldSimple" | "customXml" | "sdt" | "sdtContent" | "moveTo"
                | "dir" | "bdo" => self.inline(child, out),
                "AlternateContent" => {
                    if let Some(choice) = child.child("Choice") {
                        self.inline(choice, out);
                    }
                }
                "oMath" | "oMathPara" => {
                    let mut ts = Vec::new();
                    child.find_all("t", &mut ts);
                    let text: String = ts.iter().map(|t| t.own_text()).collect();
                    out.push(Piece::Text { text, bold: false, italic: false });
                }
                _ => {}
            }
        }
    }

    fn run(&mut self, r: &Element, out: &mut Vec<Piece>) {
        let rpr = r.child("rPr");
        if rpr.and_then(|p| flag(p.child("vanish"))) == Some(true) {
            return;
        }
        let bold = rpr.and_then(|p| flag(p.child("b"))).unwrap_or(false);
        let italic = rpr.and_then(|p| flag(p.child("i"))).unwrap_or(false);
        let text = |out: &mut Vec<Piece>, s: &str| out.push(Piece::Text { text: s.to_string(), bold, italic });
        for c in r.elements() {
            match c.name.as_str() {
                "t" => text(out, &c.own_text()),
                "tab" | "ptab" => text(out, " "),
                "noBreakHyphen" => text(out, "-"),
                "br" if !matches!(c.attr("type"), Some("page" | "column")) => out.push(Piece::Break),
                "cr" => out.push(Piece::Break),
                "drawing" | "pict" | "object" => self.graphic(c, out),
                "AlternateContent" => {
                    if let Some(choice) = c.child("Choice") {
                        for g in choice.elements() {
                            if matches!(g.name.as_str(), "drawing" | "pict" | "object") {
                                self.graphic(g, out);
                            }
                        }
                    }
                }
                "ruby" => {
                    if let Some(base) = c.child("rubyBase") {
                        self.inline(base, out);
                    }
                }
                _ => {}
            }
        }
    }

    /// A drawing or VML picture: its images, and the paragraphs of its text boxes.
    fn graphic(&mut self, g: &Element, out: &mut Vec<Piece>) {
        let mut found = Vec::new();
        g.find_all("blip", &mut found);
        let mut ids: Vec<String> = found.iter().filter_map(|b| b.attr("embed")).map(str::to_string).collect();
        let mut vml = Vec::new();
        g.find_all("imagedata", &mut vml);
        ids.extend(vml.iter().filter_map(|v| v.attr("id")).map(str::to_string));
        for id in ids {
            if let Some(md) = self.image(&id) {
                out.push(Piece::Image(md));
            }
        }
        let mut boxes = Vec::new();
        g.find_all("txbxContent", &mut boxes);
        for b in boxes {
            let blocks = self.blocks(b, true);
            self.pending.extend(blocks);
        }
    }

    fn image(&mut self, rid: &str) -> Option<String> {
        let Some(part) = self.rels.get(rid) else {
            self.warnings.push(format!("图片（{rid}）在文档的关系表中找不到，未导入"));
            return None;
        };
        let name = match self.images.iter().find(|i| &i.part == part) {
            Some(i) => i.name.clone(),
            None => {
                let base = image_file_name(part.rsplit('/').next().unwrap_or(part));
                let mut name = base.clone();
                let mut n = 2;
                while self.images.iter().any(|i| i.name == name) {
                    name = format!("{n}-{base}");
                    n += 1;
                }
                self.images.push(ImageUse { part: part.clone(), name: name.clone() });
                name
            }
        };
        Some(format!("![图片]({}/{})", self.asset_dir, name))
    }

    fn table(&mut self, tbl: &Element) -> Option<Block> {
        let mut rows = Vec::new();
        for tr in tbl.elements().filter(|e| e.name == "tr") {
            let mut row = Vec::new();
            let cells = tr.elements().flat_map(|c| match c.name.as_str() {
                "tc" => vec![c],
                "sdt" => {
                    c.child("sdtContent").map(|s| s.elements().filter(|e| e.name == "tc").collect()).unwrap_or_default()
                }
                _ => Vec::new(),
            });
            for tc in cells {
                let tcpr = tc.child("tcPr");
                let span =
                    tcpr.and_then(|p| p.child_val("gridSpan")).and_then(|v| v.parse::<usize>().ok()).unwrap_or(1);
                let continued =
                    tcpr.and_then(|p| p.child("vMerge")).is_some_and(|m| m.attr("val").is_none_or(|v| v == "continue"));
                let text = if continued { String::new() } else { self.cell_text(tc) };
                row.push(text);
                row.extend(std::iter::repeat_n(String::new(), span.clamp(1, 64) - 1));
            }
            rows.push(row);
        }
        (!rows.is_empty()).then_some(Block::Table { rows })
    }

    /// A cell's content on one line: paragraphs joined with `<br>`, `|` escaped.
    fn cell_text(&mut self, tc: &Element) -> String {
        let blocks = self.blocks(tc, true);
        let parts: Vec<String> = blocks
            .iter()
            .map(|b| match b {
                Block::Heading { text, .. } | Block::Paragraph { text, .. } => text.clone(),
                Block::ListItem { number: Some(n), text, .. } => format!("{n}. {text}"),
                Block::ListItem { number: None, text, .. } => format!("- {text}"),
                Block::Table { rows } => rows.iter().map(|r| r.join(" ")).collect::<Vec<_>>().join("\n"),
            })
            .collect();
        table_cell(&parts.join("\n"))
    }
}

/// A paragraph's Markdown text and plain text. Bold and italic runs are marked, with spaces kept outside the
/// markers; the ends are trimmed (leading spaces would make Markdown read a code block).
fn render_inline(pieces: &[Piece]) -> (String, String) {
    let mut merged: Vec<Piece> = Vec::new();
    for p in pieces {
        match (merged.last_mut(), p) {
            (Some(Piece::Text { text: prev, bold: b1, italic: i1 }), Piece::Text { text, bold: b2, italic: i2 })
                if b1 == b2 && i1 == i2 =>
            {
                prev.push_str(text)
            }
            _ => merged.push(p.clone()),
        }
    }
    let mut md = String::new();
    let mut plain = String::new();
    for p in &merged {
        match p {
            Piece::Text { text, bold, italic } => {
                plain.push_str(text);
                let core = text.trim();
                let marker = match (bold, italic) {
                    (true, true) => "***",
                    (true, false) => "**",
                    (false, true) => "*",
                    (false, false) => "",
                };
                if marker.is_empty() || core.is_empty() {
                    md.push_str(&escape_inline(text));
                } else {
                    let lead = &text[..text.len() - text.trim_start().len()];
                    let trail = &text[text.trim_end().len()..];
                    md.push_str(lead);
                    md.push_str(marker);
                    md.push_str(&escape_inline(core));
                    md.push_str(marker);
                    md.push_str(trail);
                }
            }
            Piece::Image(link) => md.push_str(link),
            Piece::Break => {
                md.push('\n');
                plain.push('\n');
            }
        }
    }
    let tidy = |s: &str| {
        s.split('\n')
            .map(|l| l.trim_matches(|c: char| c.is_whitespace()))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    };
    (tidy(&md), tidy(&plain))
}

/// A heading's text without bold markers around the whole of it (headings are bold already).
fn strip_bold(text: &str) -> String {
    match text.strip_prefix("**").and_then(|t| t.strip_suffix("**")) {
        Some(inner) if !inner.contains("**") => inner.to_string(),
        _ => text.to_string(),
    }
}

/// Extensions an image from a .docx keeps; anything else is saved as `.bin`, so a media part named like a
/// record (`evil.md`) or hidden (`.x`) can never become one beside the write-up.
const IMAGE_EXTENSIONS: [&str; 12] =
    ["png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "emf", "wmf", "svg", "webp", "jfif"];

/// A safe file name for an image part: its stem made file-name safe without a leading dot, and an image
/// extension.
fn image_file_name(part_name: &str) -> String {
    let (stem, ext) = part_name.rsplit_once('.').unwrap_or((part_name, ""));
    let ext = ext.to_ascii_lowercase();
    let ext = if IMAGE_EXTENSIONS.contains(&ext.as_str()) { ext } else { "bin".to_string() };
    format!("{}.{ext}", file_name_safe(stem))
}

#[cfg(test)]
mod tests {
    #[test]
    fn image_names_are_only_images() {
        assert_eq!(super::image_file_name("image1.PNG"), "image1.png");
        assert_eq!(super::image_file_name("evil.md"), "evil.bin");
        assert_eq!(super::image_file_name(".hidden"), "record.bin");
        assert_eq!(super::image_file_name("..md"), "record.bin");
    }

    use super::*;

    fn t(text: &str, bold: bool) -> Piece {
        Piece::Text { text: text.into(), bold, italic: false }
    }

    #[test]
    fn inline_markup() {
        let (md, plain) =
            render_inline(&[t("  ", false), t("（一）强化", true), t("领导。", true), t("正文*强调*", false)]);
        assert_eq!(md, "**（一）强化领导。**正文\\*强调\\*");
        assert_eq!(plain, "（一）强化领导。正文*强调*");
        let (md, _) = render_inline(&[t("a ", true), Piece::Break, t("    b", false)]);
        assert_eq!(md, "**a**\nb");
        assert_eq!(strip_bold("**一、背景**"), "一、背景");
    }
}
