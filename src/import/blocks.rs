//! The shape of an imported document before it becomes Markdown: headings, paragraphs, list items, tables.
//!
//! Both the .txt and the .docx importers produce [`Block`]s, so that the title can be picked (and removed from
//! the body) and Chinese section numbers (一、 （一）) recognised the same way for both.

/// One block of an imported document. Texts are Markdown inline text (already escaped).
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading; `level` 1 is the document's top section level (rendered `##`, the title being in the
    /// front matter).
    Heading { level: u8, text: String, plain: String },
    /// A paragraph; the flags help to recognise a title line.
    Paragraph { text: String, plain: String, centred: bool, bold: bool, title_style: bool },
    /// A list item; `number` for an ordered list, `depth` 0 at the outer level.
    ListItem { number: Option<u32>, depth: u8, text: String, plain: String },
    /// A table; the first row is the header. Cells are inline Markdown with `|` escaped.
    Table { rows: Vec<Vec<String>> },
}

impl Block {
    /// The text a reader sees, for guessing.
    pub fn plain(&self) -> String {
        match self {
            Block::Heading { plain, .. } | Block::Paragraph { plain, .. } | Block::ListItem { plain, .. } => {
                plain.clone()
            }
            Block::Table { rows } => rows.iter().map(|r| r.join(" ")).collect::<Vec<_>>().join("\n"),
        }
    }
}

/// Escapes the characters Markdown would read as markup inside a line of text.
pub fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes what would make a paragraph's first characters a heading, quote, list or rule.
pub fn escape_line_start(line: &str) -> String {
    let trimmed = line.trim_start();
    let starts_block = trimmed.starts_with(['#', '>', '=', '|'])
        || (trimmed.starts_with(['-', '+']) && trimmed.chars().nth(1).is_none_or(|c| c == ' ' || c == '-'));
    let digits: String = trimmed.chars().take_while(|c| c.is_ascii_digit()).collect();
    let numbered = !digits.is_empty()
        && trimmed[digits.len()..].starts_with(['.', ')'])
        && trimmed[digits.len() + 1..].chars().next().is_none_or(|c| c == ' ');
    if numbered {
        format!("{}{}\\{}", &line[..line.len() - trimmed.len()], digits, &trimmed[digits.len()..])
    } else if starts_block {
        format!("{}\\{}", &line[..line.len() - trimmed.len()], trimmed)
    } else {
        line.to_string()
    }
}

/// A cell's text for a pipe table: no line breaks, `|` escaped.
pub fn table_cell(text: &str) -> String {
    text.trim().replace('|', "\\|").replace('\n', "<br>")
}

/// The heading rank of a line of a Word or text file: 第一章/第一编 → 1, else the typed-numbering rule every view
/// shares ([`crate::text::markdown::heading_rank`]: 一、→ 1, （一）→ 2, 1．→ 3, （1）→ 4, short lines only; a
/// longer line is a run-in heading of a paragraph and stays a paragraph).
pub fn chinese_heading_level(plain: &str) -> Option<u8> {
    let text = plain.trim();
    if let Some(rest) = text.strip_prefix('第') {
        let numeral = |c: char| "一二三四五六七八九十百零〇".contains(c);
        let n: String = rest.chars().take_while(|&c| numeral(c)).collect();
        let after = &rest[n.len()..];
        if !n.is_empty() && (after.starts_with('章') || after.starts_with('编')) && text.chars().count() <= 36 {
            return Some(1);
        }
    }
    crate::text::markdown::heading_rank(text)
}

/// Renders blocks as a Markdown body: blank lines between blocks, list items kept together, headings shifted
/// so that the top level used becomes `##`.
pub fn to_markdown(blocks: &[Block]) -> String {
    let top =
        blocks.iter().filter_map(|b| if let Block::Heading { level, .. } = b { Some(*level) } else { None }).min();
    let mut out = String::new();
    let mut previous_was_item = false;
    for block in blocks {
        let is_item = matches!(block, Block::ListItem { .. });
        if !out.is_empty() {
            out.push_str(if is_item && previous_was_item { "\n" } else { "\n\n" });
        }
        previous_was_item = is_item;
        match block {
            Block::Heading { level, text, .. } => {
                let depth = (2 + level.saturating_sub(top.unwrap_or(1))).min(6) as usize;
                out.push_str(&"#".repeat(depth));
                out.push(' ');
                out.push_str(&text.replace('\n', " "));
            }
            Block::Paragraph { text, .. } => {
                let lines: Vec<String> = text.split('\n').map(escape_line_start).collect();
                out.push_str(&lines.join("\\\n"));
            }
            Block::ListItem { number, depth, text, .. } => {
                let (marker, width) = match number {
                    Some(n) => (format!("{n}. "), 3),
                    None => ("- ".to_string(), 2),
                };
                out.push_str(&" ".repeat(*depth as usize * width));
                out.push_str(&marker);
                out.push_str(&text.replace('\n', " "));
            }
            Block::Table { rows } => {
                let columns = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
                for (i, row) in rows.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push('|');
                    for c in 0..columns {
                        out.push(' ');
                        out.push_str(row.get(c).map(String::as_str).unwrap_or(""));
                        out.push_str(" |");
                    }
                    if i == 0 {
                        out.push_str("\n|");
                        out.push_str(&"---|".repeat(columns));
                    }
                }
            }
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str) -> Block {
        Block::Paragraph { text: text.into(), plain: text.into(), centred: false, bold: false, title_style: false }
    }

    #[test]
    fn chinese_numbers_make_headings() {
        assert_eq!(chinese_heading_level("一、基本情况"), Some(1));
        assert_eq!(chinese_heading_level("十二、下一步工作"), Some(1));
        assert_eq!(chinese_heading_level("（三）强化数据赋能"), Some(2));
        assert_eq!(chinese_heading_level("第二章 组织机构"), Some(1));
        assert_eq!(
            chinese_heading_level("一、加强组织领导。各单位要高度重视，明确责任分工，确保各项任务落实到位。"),
            None
        );
        assert_eq!(chinese_heading_level("一是加强领导"), None);
        assert_eq!(chinese_heading_level("（2021年）"), None);
        assert_eq!(chinese_heading_level("各区县："), None);
    }

    #[test]
    fn markdown_layout() {
        let blocks = vec![
            Block::Heading { level: 2, text: "一、背景".into(), plain: "一、背景".into() },
            para("正文。"),
            Block::ListItem { number: None, depth: 0, text: "甲".into(), plain: "甲".into() },
            Block::ListItem { number: None, depth: 1, text: "乙".into(), plain: "乙".into() },
            Block::Heading { level: 3, text: "（一）做法".into(), plain: "（一）做法".into() },
            Block::Table { rows: vec![vec!["指标".into(), "数值".into()], vec!["a\\|b".into()]] },
            para("1. 不是列表\n# 也不是标题"),
        ];
        assert_eq!(
            to_markdown(&blocks),
            "## 一、背景\n\n正文。\n\n- 甲\n  - 乙\n\n### （一）做法\n\n| 指标 | 数值 |\n|---|---|\n| a\\|b |  |\n\n\
             1\\. 不是列表\\\n\\# 也不是标题\n"
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(escape_inline("a*b_c[1]<x>"), "a\\*b\\_c\\[1\\]\\<x>");
        assert_eq!(escape_line_start("- 项"), "\\- 项");
        assert_eq!(escape_line_start("-5℃"), "-5℃");
        assert_eq!(escape_line_start("2021. 年"), "2021\\. 年");
        assert_eq!(escape_line_start("2021.5万"), "2021.5万");
        assert_eq!(table_cell(" a|b\nc "), "a\\|b<br>c");
    }
}
