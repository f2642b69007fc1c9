//! A .docx laid out after GB/T 9704-2012 (党政机关公文格式), written by hand as WordprocessingML in a zip.
//!
//! - A4 (11906 × 16838 twips); margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (the 156 × 225 mm type
//!   area every real template uses); 22 lines of exact 28.95 pt.
//! - Body 3号 (16 pt) 仿宋_GB2312, first line indented two characters; titles 2号 (22 pt) 方正小标宋简体;
//!   headings 一、黑体, （一）楷体_GB2312, 1. 仿宋. East Asian fonts are named in `w:eastAsia`; the font table gives
//!   each an alternative name (仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, 方正小标宋简体 → 宋体) for machines without it.
//!   Fonts are named, never embedded (方正 fonts need a licence to embed).
//! - 22 lines × 28 characters: a line grid of 579 twips, and every character condensed by 0.25 pt (`w:spacing
//!   w:val="-5"`), so 28 characters of 16 pt fill the 156 mm line in Word, WPS and LibreOffice alike. The Word
//!   template of the standard uses a character grid instead (`linesAndChars`, 16 pt − 849/4096 pt); LibreOffice
//!   gives each 16 pt character two cells of such a grid, 14 to the line, so it is not used.
//! - Page numbers “— 1 —” in 4号 宋体 (a PAGE field between em dashes), odd pages at the right and even pages at
//!   the left, one character in from the edge of the type area (`w:evenAndOddHeaders`, two footers); the cover and
//!   the contents form their own section without a number, so the body starts at page 1.
//! - Fields are updated when Word or WPS opens the file (`w:updateFields`), so the 目录 shows its page numbers.
//! - Charts are given as their tables. The contents are a real TOC field whose cached entries are ours: Word
//!   fills in page numbers when the field is updated.
//!
//! All text goes through [`escape_xml`]; nothing from a record is ever written as markup.

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use super::markup;
use super::model::{Block, Document, Span, Table, escape_xml};

/// Page size and margins in twips (1 mm = 1440 / 25.4 twips).
pub const PAGE_WIDTH: u32 = 11906;
pub const PAGE_HEIGHT: u32 = 16838;
pub const MARGIN_TOP: u32 = 2098; // 37 mm
pub const MARGIN_BOTTOM: u32 = 1984; // 35 mm
pub const MARGIN_LEFT: u32 = 1587; // 28 mm
pub const MARGIN_RIGHT: u32 = 1474; // 26 mm
/// Exact line pitch: 28.95 pt, 22 lines in the 225 mm type area.
pub const LINE: u32 = 579;
const TEXT_WIDTH: u32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;

const FANGSONG: &str = "仿宋_GB2312";
const HEITI: &str = "黑体";
const KAITI: &str = "楷体_GB2312";
const XIAOBIAOSONG: &str = "方正小标宋简体";
const SONGTI: &str = "宋体";
const LATIN: &str = "Times New Roman";

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// The parts of the package in the order they are zipped ([Content_Types].xml first, as Word writes it).
pub const PARTS: &[&str] = &[
    "[Content_Types].xml",
    "_rels/.rels",
    "docProps/core.xml",
    "docProps/app.xml",
    "word/document.xml",
    "word/styles.xml",
    "word/settings.xml",
    "word/fontTable.xml",
    "word/footer1.xml",
    "word/footer2.xml",
    "word/_rels/document.xml.rels",
];

/// Writes the document as .docx bytes.
pub fn render(doc: &Document) -> std::io::Result<Vec<u8>> {
    let mut body = Body::default();
    body.document(doc);
    let document = format!(
        "{XML_HEAD}<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:body>{}{}</w:body></w:document>",
        body.out,
        sect_pr(true)
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let parts: [(&str, String); 11] = [
        (PARTS[0], content_types()),
        (PARTS[1], package_rels()),
        (PARTS[2], core(doc)),
        (PARTS[3], app()),
        (PARTS[4], document),
        (PARTS[5], styles()),
        (PARTS[6], settings()),
        (PARTS[7], font_table()),
        (PARTS[8], footer(Side::Odd)),
        (PARTS[9], footer(Side::Even)),
        (PARTS[10], document_rels(&body.links)),
    ];
    for (name, xml) in parts {
        zip.start_file(name, options).map_err(std::io::Error::other)?;
        zip.write_all(xml.as_bytes())?;
    }
    let cursor = zip.finish().map_err(std::io::Error::other)?;
    Ok(cursor.into_inner())
}

fn content_types() -> String {
    let main = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    format!(
        "{XML_HEAD}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"{main}.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"{main}.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"{main}.settings+xml\"/>\
<Override PartName=\"/word/fontTable.xml\" ContentType=\"{main}.fontTable+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"{main}.footer+xml\"/>\
<Override PartName=\"/word/footer2.xml\" ContentType=\"{main}.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
</Types>"
    )
}

fn package_rels() -> String {
    format!(
        "{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>"
    )
}

fn document_rels(links: &[String]) -> String {
    let base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut out = format!(
        "{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"{base}/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdSettings\" Type=\"{base}/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rIdFonts\" Type=\"{base}/fontTable\" Target=\"fontTable.xml\"/>\
<Relationship Id=\"rIdFooter1\" Type=\"{base}/footer\" Target=\"footer1.xml\"/>\
<Relationship Id=\"rIdFooter2\" Type=\"{base}/footer\" Target=\"footer2.xml\"/>"
    );
    for (i, url) in links.iter().enumerate() {
        out.push_str(&format!(
            "<Relationship Id=\"rIdLink{}\" Type=\"{base}/hyperlink\" Target=\"{}\" TargetMode=\"External\"/>",
            i + 1,
            escape_xml(url)
        ));
    }
    out.push_str("</Relationships>");
    out
}

fn core(doc: &Document) -> String {
    format!(
        "{XML_HEAD}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>Casebook 经验库</dc:creator><dc:language>zh-CN</dc:language>\
<dcterms:created xsi:type=\"dcterms:W3CDTF\">{ts}</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{ts}</dcterms:modified>\
</cp:coreProperties>",
        escape_xml(&doc.title),
        escape_xml(&doc.subtitle),
        ts = escape_xml(&doc.timestamp),
    )
}

fn app() -> String {
    format!(
        "{XML_HEAD}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
<Application>Casebook</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>\
<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>\
<AppVersion>1.0000</AppVersion></Properties>"
    )
}

fn settings() -> String {
    format!(
        "{XML_HEAD}<w:settings xmlns:w=\"{W_NS}\"><w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"420\"/>\
<w:evenAndOddHeaders/><w:updateFields w:val=\"true\"/>\
<w:characterSpacingControl w:val=\"compressPunctuation\"/>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
<w:themeFontLang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:settings>"
    )
}

/// Fonts with their alternative names, so a machine without 仿宋_GB2312 uses 仿宋 (and so on).
fn font_table() -> String {
    let fonts: [(&str, &str, &str, &str); 9] = [
        (FANGSONG, "仿宋", "86", "modern"),
        ("仿宋", "FangSong", "86", "modern"),
        (KAITI, "楷体", "86", "modern"),
        ("楷体", "KaiTi", "86", "modern"),
        (XIAOBIAOSONG, "宋体", "86", "script"),
        (HEITI, "SimHei", "86", "modern"),
        (SONGTI, "SimSun", "86", "auto"),
        (LATIN, "Times", "00", "roman"),
        ("Courier New", "Courier", "00", "modern"),
    ];
    let mut out = format!("{XML_HEAD}<w:fonts xmlns:w=\"{W_NS}\">");
    for (name, alt, charset, family) in fonts {
        out.push_str(&format!(
            "<w:font w:name=\"{}\"><w:altName w:val=\"{}\"/><w:charset w:val=\"{charset}\"/><w:family w:val=\"{family}\"/><w:pitch w:val=\"variable\"/></w:font>",
            escape_xml(name),
            escape_xml(alt)
        ));
    }
    out.push_str("</w:fonts>");
    out
}

/// Run fonts: Latin text in Times New Roman, Chinese in `east`.
fn fonts(east: &str) -> String {
    format!(
        "<w:rFonts w:ascii=\"{LATIN}\" w:hAnsi=\"{LATIN}\" w:eastAsia=\"{east}\" w:cs=\"{LATIN}\" w:hint=\"eastAsia\"/>"
    )
}

/// 发文机关标志: red, its top 35 mm below the top of the type area (in twips), at most 小初 (36 pt), smaller when
/// the organ's name would not fit on one line of the 156 mm type area.
const RED: &str = "FF0000";
const ISSUER_TOP: u32 = 1984;
const ISSUER_MAX_POINTS: u32 = 36;
/// The red rule sits 4 mm under the 版头 (in twips).
const RULE_GAP: u32 = 227;

fn size(half_points: u32) -> String {
    format!("<w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/>")
}

/// Which pages a footer is for: GB/T 9704 puts odd page numbers at the right and even ones at the left.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Odd,
    Even,
}

/// One character of the body (3号, 16 pt) in twips: page numbers sit this far in from the type area's edge.
const ONE_CHARACTER: u32 = 320;

/// A footer: “— N —”, 4号 (14 pt) 宋体, at the right on odd pages and at the left on even ones, one character in.
fn footer(side: Side) -> String {
    let rpr = format!("<w:rPr>{}{}</w:rPr>", fonts(SONGTI).replace(LATIN, SONGTI), size(28));
    let place = match side {
        Side::Odd => {
            format!("<w:ind w:left=\"0\" w:right=\"{ONE_CHARACTER}\" w:firstLine=\"0\"/><w:jc w:val=\"right\"/>")
        }
        Side::Even => {
            format!("<w:ind w:left=\"{ONE_CHARACTER}\" w:right=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"left\"/>")
        }
    };
    format!(
        "{XML_HEAD}<w:ftr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:p><w:pPr><w:pStyle w:val=\"Footer\"/>{place}</w:pPr>\
<w:r>{rpr}<w:t xml:space=\"preserve\">— </w:t></w:r>\
<w:r>{rpr}<w:fldChar w:fldCharType=\"begin\"/></w:r>\
<w:r>{rpr}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r>{rpr}<w:fldChar w:fldCharType=\"separate\"/></w:r>\
<w:r>{rpr}<w:t>1</w:t></w:r>\
<w:r>{rpr}<w:fldChar w:fldCharType=\"end\"/></w:r>\
<w:r>{rpr}<w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>"
    )
}

/// Character spacing, in twentieths of a point: 16 pt − 0.25 pt puts 28 characters on the 156 mm line.
pub const CHAR_SPACING: i32 = -5;

/// Section properties: A4, the 9704 margins, the 22 × 28 grid; the body section carries the page-number footers
/// (odd and even) and restarts numbering at 1.
fn sect_pr(body: bool) -> String {
    let footer = if body {
        "<w:footerReference w:type=\"default\" r:id=\"rIdFooter1\"/><w:footerReference w:type=\"even\" r:id=\"rIdFooter2\"/>"
    } else {
        ""
    };
    let numbering = if body { "<w:pgNumType w:start=\"1\"/>" } else { "" };
    format!(
        "<w:sectPr>{footer}<w:type w:val=\"nextPage\"/><w:pgSz w:w=\"{PAGE_WIDTH}\" w:h=\"{PAGE_HEIGHT}\"/>\
<w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" \
w:header=\"851\" w:footer=\"1418\" w:gutter=\"0\"/>{numbering}<w:cols w:space=\"425\"/>\
<w:docGrid w:type=\"lines\" w:linePitch=\"{LINE}\"/></w:sectPr>"
    )
}

/// Paragraph style: name, what it is based on, paragraph and run properties.
fn style(id: &str, name: &str, based_on: Option<&str>, ppr: &str, rpr: &str, extra: &str) -> String {
    let based = based_on.map(|b| format!("<w:basedOn w:val=\"{b}\"/>")).unwrap_or_default();
    format!(
        "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>{based}{extra}<w:qFormat/>\
<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )
}

const NO_INDENT: &str = "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/>";

fn styles() -> String {
    let exact =
        |twips: u32| format!("<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{twips}\" w:lineRule=\"exact\"/>");
    let centred = format!("<w:jc w:val=\"center\"/>{NO_INDENT}<w:snapToGrid w:val=\"0\"/>");
    let body_rpr = format!("{}{}", fonts(FANGSONG), size(32));
    let mut out = format!(
        "{XML_HEAD}<w:styles xmlns:w=\"{W_NS}\"><w:docDefaults><w:rPrDefault><w:rPr>{}\
<w:spacing w:val=\"{CHAR_SPACING}\"/><w:kern w:val=\"2\"/>{}<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr>{}<w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>",
        fonts(FANGSONG),
        size(32),
        exact(LINE)
    );
    let styles = [
        // Body: 3号仿宋, first line indented two characters, exact 28.95 pt.
        style(
            "Normal",
            "Normal",
            None,
            &format!(
                "<w:widowControl w:val=\"0\"/>{}<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:jc w:val=\"both\"/>",
                exact(LINE)
            ),
            &body_rpr,
            "",
        ),
        // Parts (第一部分): 小标宋 2号, centred, new page.
        style(
            "Heading1",
            "heading 1",
            Some("Normal"),
            &format!(
                "<w:keepNext/><w:pageBreakBefore/><w:spacing w:before=\"{}\" w:after=\"{LINE}\" w:line=\"700\" w:lineRule=\"exact\"/>{centred}<w:outlineLvl w:val=\"0\"/>",
                LINE * 2
            ),
            &format!("{}{}", fonts(XIAOBIAOSONG), size(44)),
            "<w:next w:val=\"Normal\"/>",
        ),
        // 一、: 黑体 3号.
        style(
            "Heading2",
            "heading 2",
            Some("Normal"),
            "<w:keepNext/><w:outlineLvl w:val=\"1\"/>",
            &format!("{}{}", fonts(HEITI), size(32)),
            "<w:next w:val=\"Normal\"/>",
        ),
        // （一）: 楷体 3号.
        style(
            "Heading3",
            "heading 3",
            Some("Normal"),
            "<w:keepNext/><w:outlineLvl w:val=\"2\"/>",
            &format!("{}{}", fonts(KAITI), size(32)),
            "<w:next w:val=\"Normal\"/>",
        ),
        // 1.: 仿宋 3号.
        style(
            "Heading4",
            "heading 4",
            Some("Normal"),
            "<w:keepNext/><w:outlineLvl w:val=\"3\"/>",
            &format!("{}{}", fonts(FANGSONG), size(32)),
            "<w:next w:val=\"Normal\"/>",
        ),
        // A write-up's title: 2号小标宋, centred, new page.
        style(
            "Title",
            "Title",
            Some("Normal"),
            &format!(
                "<w:keepNext/><w:pageBreakBefore/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"700\" w:lineRule=\"exact\"/>{centred}<w:outlineLvl w:val=\"1\"/>"
            ),
            &format!("{}{}", fonts(XIAOBIAOSONG), size(44)),
            "<w:next w:val=\"Byline\"/>",
        ),
        style(
            "Byline",
            "署名",
            Some("Normal"),
            &format!("<w:keepNext/>{centred}"),
            &format!("{}{}", fonts(KAITI), size(32)),
            "",
        ),
        style(
            "CoverKicker",
            "封面眉题",
            Some("Normal"),
            &format!("<w:spacing w:before=\"2316\" w:after=\"600\" w:line=\"{LINE}\" w:lineRule=\"exact\"/>{centred}"),
            &format!("{}{}<w:color w:val=\"9B1C1C\"/>", fonts(KAITI), size(32)),
            "",
        ),
        style(
            "CoverIssuer",
            "发文机关标志",
            Some("Normal"),
            &format!("<w:spacing w:before=\"{ISSUER_TOP}\" w:after=\"0\"/>{centred}"),
            &format!("{}{}<w:color w:val=\"{RED}\"/>", fonts(XIAOBIAOSONG), size(ISSUER_MAX_POINTS * 2)),
            "",
        ),
        style(
            "CoverRule",
            "版头分隔线",
            Some("Normal"),
            &format!(
                "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"12\" w:space=\"0\" w:color=\"{RED}\"/></w:pBdr><w:spacing w:before=\"{RULE_GAP}\" w:after=\"{}\" w:line=\"20\" w:lineRule=\"exact\"/>",
                2 * LINE
            ),
            &size(2),
            "",
        ),
        style(
            "CoverSubtitle",
            "封面副题",
            Some("Normal"),
            &format!("<w:spacing w:before=\"0\" w:after=\"{LINE}\" w:line=\"{LINE}\" w:lineRule=\"exact\"/>{centred}"),
            &format!("{}{}", fonts(KAITI), size(32)),
            "",
        ),
        style(
            "CoverTitle",
            "封面标题",
            Some("Normal"),
            &format!("<w:spacing w:before=\"0\" w:after=\"1158\" w:line=\"800\" w:lineRule=\"exact\"/>{centred}"),
            &format!("{}{}", fonts(XIAOBIAOSONG), size(52)),
            "",
        ),
        style("CoverField", "封面信息", Some("Normal"), &centred, &format!("{}{}", fonts(FANGSONG), size(32)), ""),
        style(
            "CoverDate",
            "封面日期",
            Some("Normal"),
            &format!("<w:spacing w:before=\"1158\" w:after=\"0\" w:line=\"{LINE}\" w:lineRule=\"exact\"/>{centred}"),
            &format!("{}{}", fonts(FANGSONG), size(32)),
            "",
        ),
        style(
            "ContentsTitle",
            "目录标题",
            Some("Normal"),
            &format!(
                "<w:pageBreakBefore/><w:spacing w:before=\"0\" w:after=\"{LINE}\" w:line=\"700\" w:lineRule=\"exact\"/>{centred}"
            ),
            &format!("{}{}", fonts(HEITI), size(44)),
            "",
        ),
        style("TOC1", "toc 1", Some("Normal"), NO_INDENT, &format!("{}{}", fonts(HEITI), size(32)), ""),
        style(
            "TOC2",
            "toc 2",
            Some("Normal"),
            "<w:ind w:left=\"640\" w:leftChars=\"200\" w:firstLineChars=\"0\" w:firstLine=\"0\"/>",
            &format!("{}{}", fonts(FANGSONG), size(30)),
            "",
        ),
        // Tables: 五号 (10.5 pt), no indent, not on the line grid.
        style(
            "TableText",
            "表格文字",
            Some("Normal"),
            &format!(
                "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"300\" w:lineRule=\"exact\"/>{NO_INDENT}<w:jc w:val=\"left\"/><w:snapToGrid w:val=\"0\"/>"
            ),
            &format!("{}{}", fonts(FANGSONG), size(21)),
            "",
        ),
        style(
            "TableHead",
            "表头",
            Some("TableText"),
            "<w:jc w:val=\"center\"/>",
            &format!("{}{}", fonts(HEITI), size(21)),
            "",
        ),
        style(
            "Caption",
            "caption",
            Some("Normal"),
            &format!(
                "<w:keepNext/><w:spacing w:before=\"240\" w:after=\"120\" w:line=\"{LINE}\" w:lineRule=\"exact\"/>{centred}"
            ),
            &format!("{}{}", fonts(HEITI), size(28)),
            "",
        ),
        style(
            "Spacer",
            "表后空行",
            Some("Normal"),
            &format!("<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"exact\"/>{NO_INDENT}"),
            &size(16),
            "",
        ),
        style(
            "Note",
            "学习提示",
            Some("Normal"),
            "<w:pBdr><w:left w:val=\"single\" w:sz=\"24\" w:space=\"8\" w:color=\"9B1C1C\"/></w:pBdr><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"FAF6EF\"/><w:ind w:left=\"240\" w:firstLineChars=\"0\" w:firstLine=\"0\"/>",
            &format!("{}{}", fonts(KAITI), size(32)),
            "",
        ),
        style(
            "Code",
            "代码",
            Some("Normal"),
            &format!(
                "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"300\" w:lineRule=\"exact\"/>{NO_INDENT}<w:jc w:val=\"left\"/>"
            ),
            &format!(
                "<w:rFonts w:ascii=\"Courier New\" w:hAnsi=\"Courier New\" w:eastAsia=\"{FANGSONG}\" w:cs=\"Courier New\"/>{}",
                size(21)
            ),
            "",
        ),
        style(
            "Footer",
            "footer",
            None,
            &format!(
                "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/>{NO_INDENT}<w:jc w:val=\"center\"/>"
            ),
            &format!("{}{}", fonts(SONGTI), size(28)),
            "",
        ),
    ];
    for s in styles {
        out.push_str(&s);
    }
    out.push_str(
        "<w:style w:type=\"character\" w:styleId=\"Hyperlink\"><w:name w:val=\"Hyperlink\"/><w:rPr><w:color w:val=\"1F4F8A\"/><w:u w:val=\"single\"/></w:rPr></w:style>\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/>\
<w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>",
    );
    out.push_str("</w:styles>");
    out
}

/// Writes the body paragraphs; remembers hyperlink targets for the relationships part.
#[derive(Default)]
struct Body {
    out: String,
    links: Vec<String>,
    /// The next part opens the body section (the section break already starts a page).
    first_part: bool,
    /// The block before was a part title: no page break before a write-up's title.
    title_continues: bool,
    bookmarks: u32,
}

fn para_xml(style: &str, extra_ppr: &str, runs: &str) -> String {
    format!("<w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{extra_ppr}</w:pPr>{runs}</w:p>")
}

/// A run of plain text in `rpr`; newlines become breaks, tabs tabs.
fn run(text: &str, rpr: &str) -> String {
    let mut inner = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            inner.push_str("<w:br/>");
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                inner.push_str("<w:tab/>");
            }
            if !piece.is_empty() {
                inner.push_str(&format!("<w:t xml:space=\"preserve\">{}</w:t>", escape_xml(piece)));
            }
        }
    }
    let rpr = if rpr.is_empty() { String::new() } else { format!("<w:rPr>{rpr}</w:rPr>") };
    format!("<w:r>{rpr}{inner}</w:r>")
}

/// Whether text opens with a second-level number （一）, which 公文 sets in 楷体.
fn opens_with_second_level(text: &str) -> bool {
    let Some(rest) = text.trim_start().strip_prefix('（') else { return false };
    let n: String = rest.chars().take_while(|c| "一二三四五六七八九十".contains(*c)).collect();
    !n.is_empty() && rest[n.len()..].starts_with('）')
}

impl Body {
    /// Wraps runs in a bookmark so the contents can link to them.
    fn bookmarked(&mut self, anchor: &str, runs: &str) -> String {
        self.bookmarks += 1;
        let id = self.bookmarks;
        format!(
            "<w:bookmarkStart w:id=\"{id}\" w:name=\"{}\"/>{runs}<w:bookmarkEnd w:id=\"{id}\"/>",
            escape_xml(anchor)
        )
    }

    fn document(&mut self, doc: &Document) {
        self.cover(doc);
        self.first_part = true;
        let mut in_front = true;
        let mut previous: Option<&Block> = None;
        for block in &doc.blocks {
            // A write-up right under its part's title stays on the part's page.
            self.title_continues = matches!(previous, Some(Block::Part { .. }));
            previous = Some(block);
            if in_front && matches!(block, Block::Part { .. }) {
                // End of the cover-and-contents section: it has no page number.
                self.out.push_str(&format!("<w:p><w:pPr>{}</w:pPr></w:p>", sect_pr(false)));
                in_front = false;
            }
            self.block(doc, block, 0);
        }
    }

    fn cover(&mut self, doc: &Document) {
        match &doc.issuer {
            Some(issuer) => {
                // 版头 (GB/T 9704 §7.2.4, §7.2.7, §7.3.1): the organ in red 小标宋, 35 mm below the top of the
                // type area, sized to fit one line; a red rule the width of the type area 4 mm under it; the
                // title two lines below the rule, and the subtitle under the title.
                // The type area is 156 mm = 442 pt wide.
                let points = super::model::fitted_points(issuer, 442, ISSUER_MAX_POINTS);
                let line = points * 20 + 120;
                self.out.push_str(&para_xml(
                    "CoverIssuer",
                    &format!("<w:spacing w:line=\"{line}\" w:lineRule=\"exact\"/>"),
                    &run(issuer, &size(points * 2)),
                ));
                self.out.push_str(&para_xml("CoverRule", "", ""));
                self.out.push_str(&para_xml("CoverTitle", "<w:spacing w:after=\"0\"/>", &run(&doc.title, "")));
                self.out.push_str(&para_xml("CoverSubtitle", "", &run(&doc.subtitle, "")));
            }
            None => {
                self.out.push_str(&para_xml("CoverKicker", "", &run(&doc.subtitle, "")));
                self.out.push_str(&para_xml("CoverTitle", "", &run(&doc.title, "")));
            }
        }
        for (k, v) in &doc.cover {
            self.out.push_str(&para_xml("CoverField", "", &run(&format!("{k}：{v}"), "")));
        }
        self.out.push_str(&para_xml("CoverDate", "", &run(&doc.date, "")));
        self.out.push_str(&para_xml("CoverField", "", &run("由经验库依据资料库记录生成", &size(24))));
    }

    fn block(&mut self, doc: &Document, block: &Block, depth: usize) {
        match block {
            Block::Part { title, anchor } => {
                let extra = if std::mem::take(&mut self.first_part) { "<w:pageBreakBefore w:val=\"0\"/>" } else { "" };
                let runs = self.bookmarked(anchor, &run(title, ""));
                self.out.push_str(&para_xml("Heading1", extra, &runs));
            }
            Block::Heading { level, text, .. } => {
                let style = match level {
                    0..=2 => "Heading2",
                    3 => "Heading3",
                    _ => "Heading4",
                };
                self.out.push_str(&para_xml(style, "", &run(text, "")));
            }
            Block::DocTitle { title, byline, anchor } => {
                let runs = self.bookmarked(anchor, &run(title, ""));
                let extra = if self.title_continues { "<w:pageBreakBefore w:val=\"0\"/>" } else { "" };
                self.out.push_str(&para_xml("Title", extra, &runs));
                for (i, line) in byline.iter().enumerate() {
                    let after =
                        if i + 1 == byline.len() { format!("<w:spacing w:after=\"{LINE}\"/>") } else { String::new() };
                    self.out.push_str(&para_xml("Byline", &after, &run(line, "")));
                }
            }
            Block::Paragraph(spans) => {
                let runs = self.spans(spans, "");
                // A justified line before a manual break would be stretched across the page.
                let jc = if spans.iter().any(|s| s.text.contains('\n')) { "<w:jc w:val=\"left\"/>" } else { "" };
                self.out.push_str(&para_xml("Normal", &format!("{}{jc}", indent(depth)), &runs));
            }
            Block::List { ordered, start, items } => {
                for (i, item) in items.iter().enumerate() {
                    let marker = if *ordered { format!("{}．", start + i as u64) } else { "· ".to_string() };
                    self.list_item(doc, &marker, item, depth);
                }
            }
            Block::Quote(inner) => {
                for b in inner {
                    match b {
                        Block::Paragraph(spans) => {
                            let runs = self.spans(spans, &fonts(KAITI));
                            self.out.push_str(&para_xml("Normal", &indent(depth + 1), &runs));
                        }
                        other => self.block(doc, other, depth + 1),
                    }
                }
            }
            Block::Code(code) => {
                for line in code.lines() {
                    self.out.push_str(&para_xml("Code", "", &run(line, "")));
                }
            }
            Block::Table(t) => self.table(t),
            Block::Figure { table, .. } => self.table(table),
            Block::Fields(fields) => {
                for (k, v) in fields {
                    let runs = format!("{}{}", run(&format!("{k}："), &fonts(HEITI)), run(v, ""));
                    self.out.push_str(&para_xml("Normal", &indent(depth), &runs));
                }
            }
            Block::Note { title, blocks } => {
                self.out.push_str(&para_xml("Note", "<w:keepNext/>", &run(&format!("【{title}】"), &fonts(HEITI))));
                for b in blocks {
                    if let Block::Paragraph(spans) = b {
                        let runs = self.spans(spans, "");
                        self.out.push_str(&para_xml("Note", "", &runs));
                    } else {
                        self.block(doc, b, depth);
                    }
                }
                self.out.push_str(&para_xml("Spacer", "", ""));
            }
            Block::Checklist(items) => {
                for item in items {
                    let mut runs = run(&format!("□ {}", item.text), "");
                    if item.flagged {
                        runs.push_str(&run(
                            "【需处理】",
                            &format!("{}<w:b/><w:bCs/><w:color w:val=\"9B1C1C\"/>", fonts(HEITI)),
                        ));
                    }
                    self.out.push_str(&para_xml("Normal", "", &runs));
                }
            }
            Block::Contents => self.contents(doc),
            Block::Rule => self.out.push_str(&para_xml(
                "Spacer",
                "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"999999\"/></w:pBdr>",
                "",
            )),
        }
    }

    fn list_item(&mut self, doc: &Document, marker: &str, item: &[Block], depth: usize) {
        let mut first = true;
        for b in item {
            match b {
                Block::Paragraph(spans) if first => {
                    let runs = format!("{}{}", run(marker, ""), self.spans(spans, ""));
                    self.out.push_str(&para_xml("Normal", &indent(depth), &runs));
                }
                other => self.block(doc, other, depth + 1),
            }
            first = false;
        }
        if first {
            self.out.push_str(&para_xml("Normal", &indent(depth), &run(marker, "")));
        }
    }

    /// The contents: a TOC field whose cached result lists our parts, sections and write-ups.
    fn contents(&mut self, doc: &Document) {
        let toc = doc.contents();
        if toc.is_empty() {
            return;
        }
        self.out.push_str(&para_xml("ContentsTitle", "", &run("目　录", "")));
        let n = toc.len();
        for (i, e) in toc.iter().enumerate() {
            let style = if e.depth == 0 { "TOC1" } else { "TOC2" };
            let mut runs = String::new();
            if i == 0 {
                runs.push_str("<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>");
                runs.push_str(
                    "<w:r><w:instrText xml:space=\"preserve\"> TOC \\o \"1-2\" \\h \\z \\u </w:instrText></w:r>",
                );
                runs.push_str("<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>");
            }
            runs.push_str(&format!(
                "<w:hyperlink w:anchor=\"{}\" w:history=\"1\">{}</w:hyperlink>",
                escape_xml(&e.anchor),
                run(&e.text, "")
            ));
            if i + 1 == n {
                runs.push_str("<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>");
            }
            self.out.push_str(&para_xml(style, "", &runs));
        }
    }

    fn spans(&mut self, spans: &[Span], base_rpr: &str) -> String {
        let mut out = String::new();
        for s in spans {
            let mut rpr = base_rpr.to_string();
            if s.bold && opens_with_second_level(&s.text) {
                rpr = fonts(KAITI);
            }
            if s.code {
                rpr = format!(
                    "<w:rFonts w:ascii=\"Courier New\" w:hAnsi=\"Courier New\" w:eastAsia=\"{FANGSONG}\" w:cs=\"Courier New\"/>"
                );
            }
            if s.bold {
                rpr.push_str("<w:b/><w:bCs/>");
            }
            if s.italic {
                rpr.push_str("<w:i/><w:iCs/>");
            }
            if s.strike {
                rpr.push_str("<w:strike/>");
            }
            match s.link.as_deref().filter(|u| markup::allowed_link(u)) {
                Some(url) if !url.starts_with('#') => {
                    self.links.push(url.to_string());
                    let id = format!("rIdLink{}", self.links.len());
                    let rpr = format!("<w:rStyle w:val=\"Hyperlink\"/>{rpr}");
                    out.push_str(&format!(
                        "<w:hyperlink r:id=\"{id}\" w:history=\"1\">{}</w:hyperlink>",
                        run(&s.text, &rpr)
                    ));
                }
                _ => out.push_str(&run(&s.text, &rpr)),
            }
        }
        out
    }

    fn table(&mut self, t: &Table) {
        if let Some(c) = &t.caption {
            self.out.push_str(&para_xml("Caption", "", &run(c, "")));
        }
        let widths = column_widths(t);
        let border = "w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"";
        self.out.push_str(&format!(
            "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>\
<w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/><w:insideH {border}/><w:insideV {border}/></w:tblBorders>\
<w:tblLayout w:type=\"fixed\"/><w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>"
        ));
        for w in &widths {
            self.out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
        }
        self.out.push_str("</w:tblGrid>");
        let cell = |text: &str, width: u32, style: &str, right: bool, fill: Option<&str>, bold: bool| {
            let shd =
                fill.map(|f| format!("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{f}\"/>")).unwrap_or_default();
            let jc = if right { "<w:jc w:val=\"right\"/>" } else { "" };
            let rpr = if bold { "<w:b/><w:bCs/>" } else { "" };
            format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{shd}<w:vAlign w:val=\"center\"/></w:tcPr>{}</w:tc>",
                para_xml(style, jc, &run(text, rpr))
            )
        };
        if !t.header.is_empty() {
            self.out.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
            for (i, h) in t.header.iter().enumerate() {
                self.out.push_str(&cell(h, widths[i.min(widths.len() - 1)], "TableHead", false, Some("F2F2F2"), false));
            }
            self.out.push_str("</w:tr>");
        }
        for (r, row) in t.rows.iter().enumerate() {
            let hl = t.highlight.contains(&r);
            self.out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            for (i, &width) in widths.iter().enumerate() {
                let text = row.get(i).map(String::as_str).unwrap_or("");
                let numeric = t.numeric.get(i).copied().unwrap_or(false);
                self.out.push_str(&cell(text, width, "TableText", numeric, hl.then_some("FFF1CC"), hl));
            }
            self.out.push_str("</w:tr>");
        }
        self.out.push_str("</w:tbl>");
        self.out.push_str(&para_xml("Spacer", "", ""));
    }
}

/// A left indent for nested blocks (two characters a level).
fn indent(depth: usize) -> String {
    if depth == 0 { String::new() } else { format!("<w:ind w:left=\"{}\"/>", depth * 640) }
}

/// Column widths in twips, summing to the text width. Short columns (序号, 区县, 单位, numbers) get what their
/// longest cell needs so they never wrap; long ones get at least four characters and share the rest by how much
/// text they hold.
fn column_widths(t: &Table) -> Vec<u32> {
    // 五号 (10.5 pt) table text: a Latin character is about 105 twips wide, a Chinese one 210; cells add 216 of
    // margins, and a little slack keeps a cell that just fits from wrapping.
    const UNIT: f64 = 105.0;
    const PAD: f64 = 216.0 + 80.0;
    const SHORT: f64 = 12.0;
    const LONG_MIN: f64 = 8.0;
    let columns = t.header.len().max(t.rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
    let weight = |s: &str| s.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum::<f64>();
    let mut need = vec![2.0_f64; columns];
    for row in std::iter::once(&t.header).chain(&t.rows) {
        for (i, cell) in row.iter().enumerate().take(columns) {
            need[i] = need[i].max(weight(cell));
        }
    }
    let width = |units: f64| units * UNIT + PAD;
    let available = TEXT_WIDTH as f64;
    let natural: Vec<f64> = need.iter().map(|&n| width(n)).collect();
    let minimum: Vec<f64> = need.iter().map(|&n| if n <= SHORT { width(n) } else { width(LONG_MIN) }).collect();
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let widths: Vec<f64> = if sum(&natural) <= available {
        // Everything fits on one line: spread the spare width in proportion.
        natural.iter().map(|w| w / sum(&natural) * available).collect()
    } else if sum(&minimum) <= available {
        // Long columns wrap: they share what the short ones leave, beyond their minimum, by their (capped) text.
        let spare = available - sum(&minimum);
        let extra: Vec<f64> = need.iter().map(|&n| if n <= SHORT { 0.0 } else { n.min(80.0) - LONG_MIN }).collect();
        let total = sum(&extra).max(1.0);
        minimum.iter().zip(&extra).map(|(m, e)| m + e / total * spare).collect()
    } else {
        minimum.iter().map(|w| w / sum(&minimum) * available).collect()
    };
    let mut widths: Vec<u32> = widths.iter().map(|w| w.floor().max(1.0) as u32).collect();
    let used: u32 = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last = (*last + TEXT_WIDTH).saturating_sub(used).max(1);
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::model::{CheckItem, para};

    fn twips_to_mm(t: u32) -> f64 {
        t as f64 * 25.4 / 1440.0
    }

    #[test]
    fn margins_are_the_9704_ones() {
        for (t, mm) in [(MARGIN_TOP, 37.0), (MARGIN_BOTTOM, 35.0), (MARGIN_LEFT, 28.0), (MARGIN_RIGHT, 26.0)] {
            assert!((twips_to_mm(t) - mm).abs() < 0.05, "{t} twips is not {mm} mm");
        }
        assert_eq!(LINE as f64 / 20.0, 28.95);
    }

    #[test]
    fn package_parts_parse_and_escape_text() {
        let doc = Document {
            title: "标题 & <b>".into(),
            subtitle: "副".into(),
            date: "2024年5月20日".into(),
            timestamp: "2024-05-20T00:00:00Z".into(),
            blocks: vec![
                Block::Contents,
                Block::Part { title: "第一部分".into(), anchor: "sec-1".into() },
                para("正文<w:p>\u{1}"),
                Block::Paragraph(vec![Span {
                    text: "链接".into(),
                    link: Some("https://a.cn/?x=1&y=2".into()),
                    ..Span::default()
                }]),
                Block::Checklist(vec![CheckItem { text: "缺少".into(), flagged: true }]),
                Block::Table(Table::new(Some("表".into()), &["甲", "乙"])),
            ],
            ..Document::default()
        };
        let bytes = render(&doc).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
        for part in PARTS {
            assert!(names.iter().any(|n| n == part), "{part} missing");
        }
        for part in PARTS {
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(part).unwrap(), &mut xml).unwrap();
            let mut reader = quick_xml::Reader::from_str(&xml);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{part} is not well-formed: {e}"),
                }
            }
            if *part == "word/document.xml" {
                assert!(xml.contains("正文&lt;w:p&gt;") && !xml.contains('\u{1}'));
                assert!(xml.contains("标题 &amp; &lt;b&gt;"));
                assert!(xml.contains("【需处理】"));
                assert!(xml.contains("w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\""));
            }
            if *part == "word/_rels/document.xml.rels" {
                assert!(xml.contains("Target=\"https://a.cn/?x=1&amp;y=2\" TargetMode=\"External\""));
            }
        }
    }

    #[test]
    fn an_issued_cover_has_the_9704_head() {
        let document_xml = |issuer: Option<&str>| {
            let doc = Document {
                title: "渝中区调研路线展示材料".into(),
                subtitle: "调研点展示材料".into(),
                issuer: issuer.map(String::from),
                ..Document::default()
            };
            let mut zip = zip::ZipArchive::new(Cursor::new(render(&doc).unwrap())).unwrap();
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
            xml
        };
        let xml = document_xml(Some("渝中区委政法委"));
        let issuer = xml.find("渝中区委政法委").expect("the issuer is printed");
        let rule = xml.find("CoverRule").expect("a red rule follows it");
        let title = xml.find("渝中区调研路线展示材料").unwrap();
        assert!(issuer < rule && rule < title && title < xml.find("调研点展示材料").unwrap());
        assert!(xml.contains("<w:sz w:val=\"72\"/>"), "seven characters fit at 小初 (36 pt)");
        let long = document_xml(Some("中共重庆市渝中区委员会政法委员会办公室"));
        assert!(long.contains("<w:sz w:val=\"46\"/>"), "19 characters fit at 23 pt on the 156 mm line");
        let plain = document_xml(None);
        assert!(!plain.contains("CoverRule") && plain.contains("CoverKicker"));
    }

    #[test]
    fn column_widths_fill_the_text_width() {
        let mut t = Table::new(None, &["序号", "标题", "时长（分钟）"]);
        t.rows.push(vec!["1".into(), "很长很长很长很长很长的标题".repeat(5), "40".into()]);
        let w = column_widths(&t);
        assert_eq!(w.iter().sum::<u32>(), TEXT_WIDTH);
        assert!(w[0] >= 4 * 105 + 216, "序号 does not wrap: {w:?}");
        assert!(w[2] >= 12 * 105 + 216, "the header does not wrap: {w:?}");
        assert!(w[1] > w[0] * 4);
        assert!(opens_with_second_level("（一）场所集成。") && !opens_with_second_level("一、背景"));
    }
}
