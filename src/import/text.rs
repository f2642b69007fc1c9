//! Markdown (.md, with or without front matter) and plain text (.txt in UTF-8, GBK or GB18030).

use super::Parsed;
use super::blocks::{Block, chinese_heading_level, escape_inline, to_markdown};
use super::guess::{Guess, looks_like_title, pick_title, tidy_title};
use crate::library::{Meta, Record, TextEncoding, split_front_matter};

/// Why a Markdown file cannot be taken as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkdownError {
    /// The front matter does not parse: 1-based line in the file and the message.
    FrontMatter { line: usize, message: String },
    /// The file is a record of another kind (its Chinese label).
    NotAWriteup(&'static str),
}

/// A Markdown file: its front matter (kept, with unknown keys), or a title taken from a first `# ` heading or a
/// short first line.
pub fn markdown(text: &str) -> Result<Parsed, MarkdownError> {
    if split_front_matter(text).is_some() {
        let record = Record::parse(String::new(), text, TextEncoding::Utf8)
            .map_err(|e| MarkdownError::FrontMatter { line: e.line, message: e.message })?;
        let Meta::Writeup(w) = record.meta else {
            return Err(MarkdownError::NotAWriteup(record.kind().label()));
        };
        let title = w
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| Guess { value: t.to_string(), from: "文件头信息中的 title".into() });
        return Ok(Parsed {
            body: record.body,
            title,
            meta: Some(w),
            front_matter: Some(record.front_matter),
            ..Parsed::default()
        });
    }
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let mut title = None;
    if let Some(i) = first {
        let line = lines[i].trim();
        let heading = line.strip_prefix("# ").map(|t| t.trim().trim_end_matches('#').trim());
        let plain_line = !line.starts_with(['#', '-', '*', '>', '|', '!', '[', '<', '+', '`'])
            && !line.starts_with(|c: char| c.is_ascii_digit())
            && chinese_heading_level(line).is_none();
        if let Some(h) = heading.filter(|h| !h.is_empty()) {
            title = Some(Guess { value: tidy_title(h), from: "第一个一级标题（# ）".into() });
        } else if plain_line && looks_like_title(line) && lines.len() > i + 1 {
            title = Some(Guess { value: tidy_title(line), from: "第一行（较短，像标题）".into() });
        }
        if title.is_some() {
            lines.remove(i);
        }
    }
    let body: String = lines.concat();
    let body = body.trim_start_matches('\n').to_string();
    Ok(Parsed { body, title, ..Parsed::default() })
}

/// Plain text: one paragraph per line (as Chinese Windows text files are written), 一、/（一） lines as
/// headings, the first short line as the title.
pub fn plain(text: &str) -> Parsed {
    let mut blocks: Vec<Block> = text
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace()))
        .filter(|l| !l.is_empty())
        .map(|line| {
            let text = escape_inline(line);
            match chinese_heading_level(line) {
                Some(level) => Block::Heading { level, text, plain: line.to_string() },
                None => {
                    Block::Paragraph { text, plain: line.to_string(), centred: false, bold: false, title_style: false }
                }
            }
        })
        .collect();
    let title = pick_title(&blocks).filter(|_| blocks.len() > 1).map(|(i, g)| {
        blocks.remove(i);
        g
    });
    Parsed { body: to_markdown(&blocks), title, ..Parsed::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_without_front_matter() {
        let p = markdown("\n# 渝中区院落议事会经验\n\n## 一、背景\n\n正文。\n").unwrap();
        assert_eq!(p.title.unwrap().value, "渝中区院落议事会经验");
        assert_eq!(p.body, "## 一、背景\n\n正文。\n");
        let p = markdown("渝中区院落议事会经验\n\n正文。\n").unwrap();
        assert_eq!(p.title.unwrap().value, "渝中区院落议事会经验");
        assert_eq!(p.body, "正文。\n");
        let p = markdown("## 一、背景\n正文。\n").unwrap();
        assert!(p.title.is_none());
        assert_eq!(p.body, "## 一、背景\n正文。\n");
    }

    #[test]
    fn markdown_with_front_matter() {
        let p = markdown("---\ntitle: 标题\nreviewer: 张三\n---\n正文\n").unwrap();
        assert_eq!(p.title.unwrap().value, "标题");
        assert_eq!(p.front_matter.as_deref(), Some("title: 标题\nreviewer: 张三\n"));
        assert_eq!(p.body, "正文\n");
        assert_eq!(markdown("---\nkind: project\n---\n").unwrap_err(), MarkdownError::NotAWriteup("认领项目"));
        assert!(matches!(markdown("---\ntitle: [\n---\n"), Err(MarkdownError::FrontMatter { .. })));
    }

    #[test]
    fn plain_text_paragraphs() {
        let p = plain(
            "  关于网格化管理的经验做法\r\n\u{3000}\u{3000}一、基本情况\n\u{3000}\u{3000}全区共有*网格*120个。\n（一）强化队伍\n",
        );
        assert_eq!(p.title.unwrap().value, "关于网格化管理的经验做法");
        assert_eq!(p.body, "## 一、基本情况\n\n全区共有\\*网格\\*120个。\n\n### （一）强化队伍\n");
    }
}
