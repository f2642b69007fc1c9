//! A table as an Excel workbook (`.xlsx`), written by hand like the `.docx`: one sheet, a bold header row that
//! stays in view, column widths from the content, every cell text (so 序号 and dates stay as written, and nothing a
//! record says can become a formula). Excel, WPS and LibreOffice open it.

use std::io::Write;

use super::model::escape_xml;

/// The workbook's bytes.
pub fn table(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<Vec<u8>> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, body: &str| -> std::io::Result<()> {
        zip.start_file(name, options).map_err(std::io::Error::other)?;
        zip.write_all(body.as_bytes())
    };
    put("[Content_Types].xml", CONTENT_TYPES)?;
    put("_rels/.rels", ROOT_RELS)?;
    put(
        "xl/workbook.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            escape_xml(&sheet_name(sheet))
        ),
    )?;
    put("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)?;
    put("xl/styles.xml", STYLES)?;
    put("xl/worksheets/sheet1.xml", &worksheet(header, rows))?;
    zip.finish().map_err(std::io::Error::other)?;
    Ok(buf.into_inner())
}

/// Excel's rules for a sheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let clean: String =
        name.chars().filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\')).take(31).collect();
    if clean.trim().is_empty() { "Sheet1".to_string() } else { clean }
}

/// A column's name as Excel writes it: `0` → `A`, `26` → `AA` (also how import names the cells it read).
pub fn column_letter(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Display width of text in Excel's character units (a Chinese character counts two).
fn width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn worksheet(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(width(cell));
            }
        }
    }
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>"#,
    );
    for (i, w) in widths.iter().enumerate() {
        out.push_str(&format!(
            r#"<col min="{n}" max="{n}" width="{}" customWidth="1"/>"#,
            (*w + 2).clamp(6, 60),
            n = i + 1
        ));
    }
    out.push_str("</cols><sheetData>");
    let mut row_xml = |r: usize, cells: &mut dyn Iterator<Item = &str>, style: u8| {
        out.push_str(&format!(r#"<row r="{r}">"#));
        for (c, text) in cells.enumerate() {
            out.push_str(&format!(
                r#"<c r="{}{r}" t="inlineStr" s="{style}"><is><t xml:space="preserve">{}</t></is></c>"#,
                column_letter(c),
                escape_xml(text)
            ));
        }
        out.push_str("</row>");
    };
    row_xml(1, &mut header.iter().copied(), 1);
    for (i, row) in rows.iter().enumerate() {
        row_xml(i + 2, &mut row.iter().map(String::as_str), 2);
    }
    out.push_str("</sheetData></worksheet>");
    out
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

/// Style 0 default, 1 the header (bold, bordered, grey), 2 body cells (bordered, wrapped, top-aligned).
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="宋体"/></font><font><b/><sz val="11"/><name val="宋体"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFE8E8E8"/></patternFill></fill></fills><borders count="2"><border/><border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/></border></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf/><xf fontId="1" fillId="2" borderId="1" applyFont="1" applyFill="1" applyBorder="1"><alignment horizontal="center" vertical="center"/></xf><xf borderId="1" applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf></cellXfs></styleSheet>"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_names() {
        assert_eq!(
            (column_letter(0), column_letter(25), column_letter(26), column_letter(27)),
            ("A".into(), "Z".into(), "AA".into(), "AB".into())
        );
        assert_eq!(sheet_name("档案目录[渝中]"), "档案目录渝中");
    }

    /// What is written reads back through the importer's own reader, cell for cell.
    #[test]
    fn a_table_reads_back() {
        let rows = vec![vec!["1".to_string(), "=HYPERLINK(\"x\")".to_string(), "2022-03-15".to_string()]];
        let bytes = table("档案目录", &["序号", "题名", "日期"], &rows).unwrap();
        let sheets = crate::import::sheet::read(&bytes, "xlsx").unwrap();
        assert_eq!(sheets[0].name, "档案目录");
        assert_eq!(sheets[0].rows(), [["序号", "题名", "日期"], ["1", "=HYPERLINK(\"x\")", "2022-03-15"]]);
    }
}
