//! Spreadsheets (报表): `.xlsx`, `.xlsb`, `.xls`, `.ods` and WPS `.et`, through `calamine`. Each sheet becomes a
//! heading and a Markdown table; the document type defaults to 报表.
//!
//! Cells are collected sparsely and bounded: a sheet that claims a huge range (two cells at A1 and XFD1048576,
//! the "billion-cell" file) is cut to what holds values, and a workbook with more than [`MAX_CELLS`] values or
//! [`MAX_COLUMNS`] columns is refused, before anything the size of the claimed range is allocated.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Xls, Xlsb, Xlsx};

use super::Parsed;
use super::blocks::escape_inline;
use super::guess::Guess;

/// Values read at most from one workbook.
pub const MAX_CELLS: usize = 200_000;
/// Columns of a table at most.
pub const MAX_COLUMNS: usize = 200;
/// Sheets at most.
pub const MAX_SHEETS: usize = 100;

/// One sheet, as rows of cell texts (sparse: only rows and columns that hold a value).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    pub name: String,
    /// Row → column → text, both 0-based as in the file.
    pub cells: BTreeMap<u32, BTreeMap<u32, String>>,
    /// The columns that hold a value.
    columns: std::collections::BTreeSet<u32>,
}

impl Sheet {
    /// The rows as a dense table over the columns that hold any value.
    pub fn rows(&self) -> Vec<Vec<String>> {
        self.cells
            .values()
            .map(|row| self.columns.iter().map(|c| row.get(c).cloned().unwrap_or_default()).collect())
            .collect()
    }
}

/// The format of a workbook, from its first bytes (a WPS `.et` may be either).
enum Format {
    /// A compound file: `.xls` (BIFF8), or an `.et` saved in that form.
    Compound,
    /// A zip: `.xlsx`, `.xlsb`, `.ods`.
    Zip,
}

/// Reads every sheet of a workbook. Errors are Chinese sentences.
pub fn read(bytes: &[u8], ext: &str) -> Result<Vec<Sheet>, String> {
    let format = if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Format::Compound
    } else if bytes.starts_with(b"PK") {
        Format::Zip
    } else {
        return Err("不是 Excel/WPS 表格文件（文件内容既不是 .xlsx 也不是 .xls 格式）".to_string());
    };
    crate::panic_guard::quietly(|| read_checked(bytes, ext, format))
        .unwrap_or_else(|| Err("表格文件结构异常，无法读取（解析时出错）".to_string()))
}

/// Every sheet of a workbook whose reader gives whole ranges (.xls, .ods), within the budget.
fn read_ranges<RS, R>(book: &mut R, budget: &mut Budget, sheets: &mut Vec<Sheet>) -> Result<(), String>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    for name in book.sheet_names().into_iter().take(MAX_SHEETS) {
        let range = book.worksheet_range(&name).map_err(|e| format!("表格文件已损坏或格式不受支持（{e}）"))?;
        let mut sheet = Sheet { name, ..Sheet::default() };
        for (row, col, value) in range.used_cells() {
            budget.add(&mut sheet, range.start().unwrap_or((0, 0)), (row as u32, col as u32), text_of(value))?;
        }
        sheets.push(sheet);
    }
    Ok(())
}

fn read_checked(bytes: &[u8], ext: &str, format: Format) -> Result<Vec<Sheet>, String> {
    let damaged = |e: &dyn std::fmt::Display| format!("表格文件已损坏或格式不受支持（{e}）");
    let mut budget = Budget { cells: 0 };
    let mut sheets = Vec::new();
    // .xlsx and .xlsb are read cell by cell, counted against the budget as they stream (their readers are two
    // types with the same methods and no shared trait).
    macro_rules! streamed {
        ($book:ident) => {
            for name in $book.sheet_names().into_iter().take(MAX_SHEETS) {
                let mut sheet = Sheet { name: name.clone(), ..Sheet::default() };
                let mut cells = $book.worksheet_cells_reader(&name).map_err(|e| damaged(&e))?;
                while let Some(cell) = cells.next_cell().map_err(|e| damaged(&e))? {
                    budget.add(&mut sheet, (0, 0), cell.get_position(), text_of_ref(cell.get_value()))?;
                }
                drop(cells);
                sheets.push(sheet);
            }
        };
    }
    match format {
        // A .xls sheet is at most 65,536 × 256 cells, and an .ods range is what the file holds: read as ranges.
        Format::Compound => {
            let mut book = Xls::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
            read_ranges(&mut book, &mut budget, &mut sheets)?;
        }
        Format::Zip if ext == "ods" => {
            let mut book = calamine::Ods::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
            read_ranges(&mut book, &mut budget, &mut sheets)?;
        }
        Format::Zip if ext == "xlsb" => {
            let mut book = Xlsb::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
            streamed!(book);
        }
        Format::Zip => {
            let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
            streamed!(book);
        }
    }
    Ok(sheets)
}

/// Counts what a workbook has made us keep.
struct Budget {
    cells: usize,
}

impl Budget {
    fn add(&mut self, sheet: &mut Sheet, start: (u32, u32), at: (u32, u32), text: String) -> Result<(), String> {
        let text = text.trim().to_string();
        if text.is_empty() {
            return Ok(());
        }
        self.cells += 1;
        if self.cells > MAX_CELLS {
            return Err(format!("表格中有值的单元格超过 {MAX_CELLS} 个，超出导入的上限；请只保留需要归档的工作表"));
        }
        let (row, col) = (start.0.saturating_add(at.0), start.1.saturating_add(at.1));
        sheet.cells.entry(row).or_default().insert(col, text);
        sheet.columns.insert(col);
        if sheet.columns.len() > MAX_COLUMNS {
            return Err(format!("工作表“{}”有值的列超过 {MAX_COLUMNS} 列，无法转成表格", sheet.name));
        }
        Ok(())
    }
}

fn text_of(value: &Data) -> String {
    match value {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::String(s) => s.clone(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64(), d.is_datetime()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

fn text_of_ref(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        DataRef::DateTime(d) => excel_date(d.as_f64(), d.is_datetime()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

/// A number as a person wrote it: no `.0` on whole numbers, no binary noise (98.6 not 98.60000000000001).
fn number(f: f64) -> String {
    if !f.is_finite() {
        return String::new();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let text = format!("{f:.10}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD` (with the time when it has one).
fn excel_date(serial: f64, with_time: bool) -> String {
    if !serial.is_finite() || !(0.0..2_958_466.0).contains(&serial) {
        return number(serial);
    }
    let days = serial.floor() as i64 - 25_569;
    let (y, m, d) = crate::store::history::civil_from_days(days);
    let seconds = ((serial.fract() * 86_400.0).round() as i64).clamp(0, 86_399);
    if with_time && seconds > 0 {
        format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", seconds / 3600, seconds / 60 % 60)
    } else {
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// A workbook as a parsed import: a heading and a table per sheet that holds anything; the title from the
/// first cell that looks like one (a 报表's title row), else the file name is left to the caller.
pub fn convert(bytes: &[u8], ext: &str) -> Result<Parsed, String> {
    let sheets = read(bytes, ext)?;
    let mut body = String::new();
    let mut title: Option<Guess> = None;
    let several = sheets.iter().filter(|s| !s.cells.is_empty()).count() > 1;
    for sheet in sheets.iter().filter(|s| !s.cells.is_empty()) {
        let mut rows = sheet.rows();
        // A first row with a single value is the table's title (报表 usually start so).
        if rows.first().is_some_and(|r| r.iter().filter(|c| !c.is_empty()).count() == 1) {
            let first = rows.remove(0).into_iter().find(|c| !c.is_empty()).unwrap_or_default();
            if title.is_none() && super::guess::looks_like_title(&first) {
                title =
                    Some(Guess { value: first.clone(), from: format!("工作表“{}”的第一行", sheet.name) });
            }
            if several {
                body.push_str(&format!("## {}\n\n", escape_inline(&first)));
            }
        } else if several {
            body.push_str(&format!("## {}\n\n", escape_inline(&sheet.name)));
        }
        body.push_str(&table(&rows));
        body.push('\n');
    }
    if body.trim().is_empty() {
        return Err("表格中没有任何数据".to_string());
    }
    let mut parsed = Parsed { body, title, ..Parsed::default() };
    parsed.meta = Some(crate::library::Writeup { doc_type: Some("报表".to_string()), ..Default::default() });
    Ok(parsed)
}

/// Rows as a Markdown table, the first row as its header.
fn table(rows: &[Vec<String>]) -> String {
    let Some(width) = rows.iter().map(Vec::len).max().filter(|w| *w > 0) else { return String::new() };
    let cell = |s: &str| escape_inline(s).replace('|', "\\|").replace('\n', " ");
    let line = |row: &Vec<String>| {
        let cells: Vec<String> = (0..width).map(|i| cell(row.get(i).map(String::as_str).unwrap_or(""))).collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let mut out = line(&rows[0]);
    out.push_str(&format!("|{}\n", " --- |".repeat(width)));
    for row in &rows[1..] {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_read_as_written() {
        assert_eq!(number(98.6), "98.6");
        assert_eq!(number(1846.0), "1846");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(excel_date(44635.0, false), "2022-03-15");
        assert_eq!(excel_date(44635.5, true), "2022-03-15 12:00");
    }

    #[test]
    fn a_table_from_sparse_cells() {
        let mut sheet = Sheet { name: "表1".into(), ..Sheet::default() };
        let mut budget = Budget { cells: 0 };
        budget.add(&mut sheet, (0, 0), (0, 0), "指标".into()).unwrap();
        budget.add(&mut sheet, (0, 0), (0, 5), "数值".into()).unwrap();
        budget.add(&mut sheet, (0, 0), (1_000_000, 0), "安全感".into()).unwrap();
        budget.add(&mut sheet, (0, 0), (1_000_000, 5), "98.6%".into()).unwrap();
        assert_eq!(sheet.rows(), [["指标", "数值"], ["安全感", "98.6%"]]);
        assert_eq!(table(&sheet.rows()), "| 指标 | 数值 |\n| --- | --- |\n| 安全感 | 98.6% |\n");
    }

    #[test]
    fn not_a_workbook() {
        assert!(read(b"hello", "xlsx").unwrap_err().contains("不是 Excel"));
        assert!(read(b"PK\x03\x04garbage", "xlsx").unwrap_err().contains("损坏"));
    }
}
