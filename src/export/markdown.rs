//! The Markdown export: the same document as plain CommonMark (with GFM tables and task lists), for editing
//! or pasting elsewhere. It is written from the document model, not copied from the records, so it is as inert
//! as the HTML: every character that could start markup is escaped, raw HTML shows as text, and only the links
//! the sanitiser kept are links.

use super::markup;
use super::model::{Block, Document, Span, Table};

/// Renders the whole document.
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    if let Some(issuer) = &doc.issuer {
        out.push_str(&format!("{}\n\n", escape(issuer)));
    }
    out.push_str(&format!("# {}\n\n", escape(&doc.title)));
    out.push_str(&format!("{}\n\n", escape(&doc.subtitle)));
    for (k, v) in &doc.cover {
        out.push_str(&format!("- {}：{}\n", escape(k), escape(v)));
    }
    out.push_str(&format!("- 日期：{}\n\n", escape(&doc.date)));
    out.push_str("*由经验库依据资料库记录生成*\n\n");
    for block in &doc.blocks {
        block_md(&mut out, doc, block);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Escapes text so that it reads as itself: ASCII punctuation that can open markup gets a backslash, and a line
/// that would start a list, heading or quote is defused.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let line = line.trim_start_matches([' ', '\t']);
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        for (i, c) in line.chars().enumerate() {
            let at_start = i == 0 && matches!(c, '-' | '+' | '=');
            let after_number = digits > 0 && i == digits && matches!(c, '.' | ')');
            if at_start
                || after_number
                || matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '~' | '&' | '$')
            {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// Inline text of spans. Emphasis delimiters never touch punctuation (CommonMark would not match them next to
/// Chinese punctuation), so leading and trailing punctuation stays outside.
fn inline(spans: &[Span]) -> String {
    let mut out = String::new();
    for s in spans {
        let text = s.text.replace('\n', " ");
        let piece = if s.code {
            code_span(&text)
        } else {
            let (lead, core, trail) = split_punctuation(&text);
            let mut core = escape(core);
            if !core.is_empty() {
                if s.strike {
                    core = format!("~~{core}~~");
                }
                if s.italic {
                    core = format!("*{core}*");
                }
                if s.bold {
                    core = format!("**{core}**");
                }
            }
            format!("{}{core}{}", escape(lead), escape(trail))
        };
        match s.link.as_deref().filter(|u| markup::allowed_link(u)) {
            Some(url) => {
                let url = url.replace('<', "%3C").replace('>', "%3E");
                out.push_str(&format!("[{piece}](<{url}>)"));
            }
            None => out.push_str(&piece),
        }
    }
    out
}

fn split_punctuation(text: &str) -> (&str, &str, &str) {
    let is_p = |c: char| c.is_whitespace() || c.is_ascii_punctuation() || is_cjk_punctuation(c);
    let start = text.char_indices().find(|(_, c)| !is_p(*c)).map(|(i, _)| i).unwrap_or(text.len());
    let end = text.char_indices().rev().find(|(_, c)| !is_p(*c)).map(|(i, c)| i + c.len_utf8()).unwrap_or(start);
    (&text[..start], &text[start..end.max(start)], &text[end.max(start)..])
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65 | 0x2010..=0x206F)
}

fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn block_md(out: &mut String, doc: &Document, block: &Block) {
    match block {
        Block::Part { title, .. } => out.push_str(&format!("# {}\n\n", escape(title))),
        Block::Heading { level, text, .. } => {
            out.push_str(&format!("{} {}\n\n", "#".repeat((*level).clamp(2, 6) as usize), escape(text)));
        }
        Block::DocTitle { title, byline, .. } => {
            out.push_str(&format!("## {}\n\n", escape(title)));
            for line in byline {
                out.push_str(&format!("*{}*\n\n", escape(line)));
            }
        }
        Block::Paragraph(spans) => out.push_str(&format!("{}\n\n", inline(spans))),
        Block::List { ordered, start, items } => {
            for (i, item) in items.iter().enumerate() {
                let marker = if *ordered { format!("{}. ", start + i as u64) } else { "- ".to_string() };
                let mut inner = String::new();
                for b in item {
                    block_md(&mut inner, doc, b);
                }
                let pad = " ".repeat(marker.len());
                for (n, line) in inner.trim_end().lines().enumerate() {
                    match (n, line.is_empty()) {
                        (0, _) => out.push_str(&format!("{marker}{line}\n")),
                        (_, true) => out.push('\n'),
                        _ => out.push_str(&format!("{pad}{line}\n")),
                    }
                }
            }
            out.push('\n');
        }
        Block::Quote(inner) => {
            let mut text = String::new();
            for b in inner {
                block_md(&mut text, doc, b);
            }
            quote(out, &text);
        }
        Block::Code(code) => {
            let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            out.push_str(&format!("{fence}\n{code}\n{fence}\n\n"));
        }
        Block::Table(t) | Block::Figure { table: t, .. } => table(out, t),
        Block::Fields(fields) => {
            for (k, v) in fields {
                out.push_str(&format!("- **{}**：{}\n", escape(k), escape(v)));
            }
            out.push('\n');
        }
        Block::Note { title, blocks } => {
            let mut text = format!("**{}**\n\n", escape(title));
            for b in blocks {
                block_md(&mut text, doc, b);
            }
            quote(out, &text);
        }
        Block::Checklist(items) => {
            for item in items {
                let flag = if item.flagged { " **（需处理）**" } else { "" };
                out.push_str(&format!("- [ ] {}{flag}\n", escape(&item.text)));
            }
            out.push('\n');
        }
        Block::Contents => {
            let toc = doc.contents();
            if toc.is_empty() {
                return;
            }
            out.push_str("## 目录\n\n");
            for e in toc {
                let indent = if e.depth == 0 { "" } else { "  " };
                out.push_str(&format!("{indent}- {}\n", escape(&e.text)));
            }
            out.push('\n');
        }
        Block::Rule => out.push_str("---\n\n"),
    }
}

fn quote(out: &mut String, text: &str) {
    for line in text.trim_end().lines() {
        if line.is_empty() {
            out.push_str(">\n");
        } else {
            out.push_str(&format!("> {line}\n"));
        }
    }
    out.push('\n');
}

fn table(out: &mut String, t: &Table) {
    if let Some(c) = &t.caption {
        out.push_str(&format!("**{}**\n\n", escape(c)));
    }
    let columns = t.header.len().max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    if columns == 0 {
        return;
    }
    let cell = |s: &str| {
        let s = escape(&s.replace('\n', " "));
        if s.is_empty() { " ".to_string() } else { s }
    };
    let header: Vec<String> = (0..columns).map(|i| cell(t.header.get(i).map(String::as_str).unwrap_or(""))).collect();
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    let rule: Vec<&str> =
        (0..columns).map(|i| if t.numeric.get(i).copied().unwrap_or(false) { "---:" } else { "---" }).collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    for (r, row) in t.rows.iter().enumerate() {
        let cells: Vec<String> = (0..columns)
            .map(|i| {
                let c = cell(row.get(i).map(String::as_str).unwrap_or(""));
                if t.highlight.contains(&r) && c.trim() != "" { format!("**{c}**") } else { c }
            })
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::markup::{plain, to_blocks};
    use crate::export::model::para;

    #[test]
    fn escaped_text_reads_back_as_itself() {
        for text in ["<script>alert(1)</script>", "1. 不是列表", "- 也不是", "# 不是标题", "a|b `c` [d](e) **f** &amp;"]
        {
            let md = escape(text);
            let blocks = to_blocks(&md, 2);
            let Some(Block::Paragraph(spans)) = blocks.first() else { panic!("{md:?} → {blocks:?}") };
            assert_eq!(plain(spans), text, "{md}");
            assert!(spans.iter().all(|s| !s.bold && s.link.is_none()));
        }
    }

    #[test]
    fn bold_next_to_chinese_punctuation_round_trips() {
        let spans = vec![Span::bold("（一）场所集成。"), Span::plain("在原址改建")];
        let md = inline(&spans);
        assert_eq!(md, "（**一）场所集成**。在原址改建");
        let Some(Block::Paragraph(back)) = to_blocks(&md, 2).into_iter().next() else { panic!() };
        assert_eq!(plain(&back), "（一）场所集成。在原址改建");
        assert!(back.iter().any(|s| s.bold && s.text == "一）场所集成"));
    }

    #[test]
    fn links_tables_and_checklists() {
        let link = Span { text: "官网".into(), link: Some("https://example.org/a_(b)".into()), ..Span::default() };
        let bad = Span { text: "坏".into(), link: Some("javascript:alert(1)".into()), ..Span::default() };
        assert_eq!(inline(&[link, bad]), "[官网](<https://example.org/a_(b)>)坏");
        let mut t = Table::new(Some("表".into()), &["指标", "值"]).numeric_columns(&[1]);
        t.rows.push(vec!["a|b".into(), "1".into()]);
        let doc = Document { title: "T".into(), blocks: vec![Block::Table(t), para("x")], ..Document::default() };
        let md = render(&doc);
        assert!(md.contains("| 指标 | 值 |\n|---|---:|\n| a\\|b | 1 |"), "{md}");
    }
}
