//! Markdown bodies → document blocks, and the sanitising rule every export relies on.
//!
//! Nothing written in a library can make an exported page run script or load a remote resource:
//! - raw HTML (blocks and inline tags) becomes literal text, shown as written and escaped by each renderer;
//! - a link keeps its target only for `http:`, `https:`, `mailto:` and `#fragment`; any other target
//!   (`javascript:`, `data:`, `vbscript:`, relative paths …) leaves the link text as plain text;
//! - an image never becomes an image: it is replaced by its alt text and its path, as text.
//!
//! Renderers only ever see [`Span`]s of text, so they escape every character and never pass markup through.

use std::collections::BTreeSet;

use pulldown_cmark::{Event, HeadingLevel, LinkType, Tag, TagEnd};

use super::model::{Block, Span, Table};

/// Whether a link target may be kept: http(s), mailto or an in-page fragment. Everything else is dropped.
pub fn allowed_link(url: &str) -> bool {
    let url = url.trim();
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("http://") && url.len() > 7)
        || (lower.starts_with("https://") && url.len() > 8)
        || (lower.starts_with("mailto:") && url.len() > 7)
        || (url.starts_with('#') && url.len() > 1)
}

/// Parses Markdown into blocks. Headings are mapped by rank onto levels `top..=4` (the shallowest heading used in
/// the body becomes `top`); with `top == 2`, typed numbering decides: 一、→ 2, （一）→ 3, 1. or （1）→ 4.
pub fn to_blocks(markdown: &str, top: u8) -> Vec<Block> {
    let events = crate::text::markdown::events(markdown);
    let levels: BTreeSet<HeadingLevel> = events
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level),
            _ => None,
        })
        .collect();
    let mut b = Builder { top, levels: levels.into_iter().collect(), ..Builder::default() };
    b.frames.push(Frame::Blocks(Vec::new()));
    for (event, _) in events {
        b.event(event);
    }
    b.flush_inline();
    b.flush_html();
    let mut out = Vec::new();
    while let Some(frame) = b.frames.pop() {
        // Unclosed containers cannot happen with pulldown-cmark, but never lose text if they did.
        match frame {
            Frame::Blocks(mut blocks) | Frame::Item(mut blocks) => {
                blocks.append(&mut out);
                out = blocks;
            }
            Frame::Quote(blocks) => out.insert(0, Block::Quote(blocks)),
            Frame::List { .. } | Frame::Table { .. } => {}
        }
    }
    out
}

/// The plain text of spans.
pub fn plain(spans: &[Span]) -> String {
    spans.iter().map(|s| s.text.as_str()).collect()
}

/// Heading numbering typed in the text: 一、→ 2, （一）→ 3, 1．/ 1、/ （1）→ 4 (see [`crate::text::markdown`]).
fn numbering_level(text: &str) -> Option<u8> {
    crate::text::markdown::numbering(text).map(|(rank, _)| (rank + 1).min(4))
}

enum Frame {
    Blocks(Vec<Block>),
    Quote(Vec<Block>),
    List { ordered: bool, start: u64, items: Vec<Vec<Block>> },
    Item(Vec<Block>),
    Table { header: Vec<String>, rows: Vec<Vec<String>>, row: Vec<String>, numeric: Vec<bool> },
}

#[derive(Default)]
struct Builder {
    top: u8,
    levels: Vec<HeadingLevel>,
    frames: Vec<Frame>,
    /// Spans of the paragraph, heading or cell being read; `None` between inline runs.
    inline: Option<Vec<Span>>,
    heading: Option<HeadingLevel>,
    bold: usize,
    italic: usize,
    strike: usize,
    /// Link targets being read: `Some(url)` kept, `None` dropped.
    links: Vec<Option<String>>,
    /// Alt text and path of the images being read (images nest only in theory).
    images: Vec<(String, String)>,
    code: Option<String>,
    html: Option<String>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => {
                if let Some(code) = self.code.as_mut() {
                    code.push_str(&t);
                } else if let Some((alt, _)) = self.images.last_mut() {
                    alt.push_str(&t);
                } else {
                    self.text(&t, false);
                }
            }
            Event::Code(t) => match self.images.last_mut() {
                Some((alt, _)) => alt.push_str(&t),
                None => self.text(&t, true),
            },
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t, true),
            // Raw HTML is shown as the text it is, never passed through.
            Event::Html(t) => self.html.get_or_insert_with(String::new).push_str(&t),
            Event::InlineHtml(t) => match self.images.last_mut() {
                Some((alt, _)) => alt.push_str(&t),
                None => self.text(&t, false),
            },
            Event::FootnoteReference(t) => self.text(&format!("[^{t}]"), false),
            Event::SoftBreak => {
                // Chinese lines join without a space; Latin words keep one.
                let last = self.inline.as_ref().and_then(|s| s.last()).and_then(|s| s.text.chars().last());
                if last.is_some_and(|c| c.is_ascii()) {
                    self.text(" ", false);
                }
            }
            Event::HardBreak => self.text("\n", false),
            Event::Rule => {
                self.flush_inline();
                self.push(Block::Rule);
            }
            Event::TaskListMarker(done) => self.text(if done { "☑ " } else { "☐ " }, false),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                self.flush_inline();
                self.inline = Some(Vec::new());
            }
            Tag::Heading { level, .. } => {
                self.flush_inline();
                self.heading = Some(level);
                self.inline = Some(Vec::new());
            }
            Tag::BlockQuote(_) => {
                self.flush_inline();
                self.frames.push(Frame::Quote(Vec::new()));
            }
            Tag::CodeBlock(_) => {
                self.flush_inline();
                self.code = Some(String::new());
            }
            Tag::HtmlBlock => {
                self.flush_inline();
                self.html = Some(String::new());
            }
            Tag::List(start) => {
                self.flush_inline();
                self.frames.push(Frame::List {
                    ordered: start.is_some(),
                    start: start.unwrap_or(1),
                    items: Vec::new(),
                });
            }
            Tag::Item => {
                self.flush_inline();
                self.frames.push(Frame::Item(Vec::new()));
            }
            Tag::Table(alignments) => {
                self.flush_inline();
                let numeric = alignments.iter().map(|a| matches!(a, pulldown_cmark::Alignment::Right)).collect();
                self.frames.push(Frame::Table { header: Vec::new(), rows: Vec::new(), row: Vec::new(), numeric });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(Frame::Table { row, .. }) = self.frames.last_mut() {
                    row.clear();
                }
            }
            Tag::TableCell => self.inline = Some(Vec::new()),
            Tag::Emphasis => self.italic += 1,
            Tag::Strong => self.bold += 1,
            Tag::Strikethrough => self.strike += 1,
            Tag::Link { link_type, dest_url, .. } => {
                let url =
                    if link_type == LinkType::Email { format!("mailto:{dest_url}") } else { dest_url.to_string() };
                self.links.push(allowed_link(&url).then(|| url.trim().to_string()));
            }
            Tag::Image { dest_url, .. } => self.images.push((String::new(), dest_url.to_string())),
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.flush_inline(),
            TagEnd::Heading(_) => self.flush_inline(),
            TagEnd::BlockQuote(_) => {
                self.flush_inline();
                if let Some(Frame::Quote(blocks)) = self.frames.pop() {
                    self.push(Block::Quote(blocks));
                }
            }
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    self.push(Block::Code(code.trim_end_matches('\n').to_string()));
                }
            }
            TagEnd::HtmlBlock => self.flush_html(),
            TagEnd::List(_) => {
                self.flush_inline();
                if let Some(Frame::List { ordered, start, items }) = self.frames.pop() {
                    self.push(Block::List { ordered, start, items });
                }
            }
            TagEnd::Item => {
                self.flush_inline();
                if let Some(Frame::Item(blocks)) = self.frames.pop()
                    && let Some(Frame::List { items, .. }) = self.frames.last_mut()
                {
                    items.push(blocks);
                }
            }
            TagEnd::TableCell => {
                let text = plain(&self.inline.take().unwrap_or_default());
                if let Some(Frame::Table { row, .. }) = self.frames.last_mut() {
                    row.push(text.trim().to_string());
                }
            }
            TagEnd::TableHead => {
                if let Some(Frame::Table { header, row, .. }) = self.frames.last_mut() {
                    *header = std::mem::take(row);
                }
            }
            TagEnd::TableRow => {
                if let Some(Frame::Table { rows, row, .. }) = self.frames.last_mut() {
                    rows.push(std::mem::take(row));
                }
            }
            TagEnd::Table => {
                if let Some(Frame::Table { header, rows, numeric, .. }) = self.frames.pop() {
                    self.push(Block::Table(Table { caption: None, header, rows, numeric, highlight: Vec::new() }));
                }
            }
            TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
            TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            TagEnd::Strikethrough => self.strike = self.strike.saturating_sub(1),
            TagEnd::Link => {
                self.links.pop();
            }
            TagEnd::Image => {
                if let Some((alt, path)) = self.images.pop() {
                    let alt = alt.trim();
                    let text = if alt.is_empty() {
                        format!("［图片：{path}］")
                    } else {
                        format!("［图片：{alt}（{path}）］")
                    };
                    match self.images.last_mut() {
                        Some((outer, _)) => outer.push_str(&text),
                        None => self.text(&text, false),
                    }
                }
            }
            _ => {}
        }
    }

    /// Adds text with the current style; opens an implicit paragraph (tight list items have none).
    fn text(&mut self, text: &str, code: bool) {
        let span = Span {
            text: text.to_string(),
            bold: self.bold > 0,
            italic: self.italic > 0,
            code,
            strike: self.strike > 0,
            link: self.links.last().cloned().flatten(),
        };
        let spans = self.inline.get_or_insert_with(Vec::new);
        match spans.last_mut() {
            Some(last) if last.same_style(&span) => last.text.push_str(&span.text),
            _ => spans.push(span),
        }
    }

    /// Ends the paragraph, heading or implicit paragraph being read.
    fn flush_inline(&mut self) {
        if matches!(self.frames.last(), Some(Frame::Table { .. })) {
            return;
        }
        let Some(spans) = self.inline.take() else { return };
        match self.heading.take() {
            Some(level) => {
                let text = plain(&spans).trim().to_string();
                let rank = self.levels.iter().position(|l| *l == level).unwrap_or(0) as u8;
                let mut mapped = (self.top + rank).min(4);
                if self.top == 2
                    && let Some(n) = numbering_level(&text)
                {
                    mapped = n;
                }
                if !text.is_empty() {
                    self.push(Block::Heading { level: mapped, text, anchor: None });
                }
            }
            None => {
                if spans.iter().any(|s| !s.text.trim().is_empty()) {
                    self.push(Block::Paragraph(spans));
                }
            }
        }
    }

    /// A raw HTML block becomes a paragraph of its literal text.
    fn flush_html(&mut self) {
        if let Some(html) = self.html.take() {
            let text = html.trim_end_matches('\n').to_string();
            if !text.trim().is_empty() {
                self.push(Block::Paragraph(vec![Span::plain(text)]));
            }
        }
    }

    fn push(&mut self, block: Block) {
        for frame in self.frames.iter_mut().rev() {
            match frame {
                Frame::Blocks(blocks) | Frame::Quote(blocks) | Frame::Item(blocks) => {
                    blocks.push(block);
                    return;
                }
                Frame::List { items, .. } => {
                    items.push(vec![block]);
                    return;
                }
                Frame::Table { .. } => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans_of(markdown: &str) -> Vec<Span> {
        match to_blocks(markdown, 2).into_iter().next() {
            Some(Block::Paragraph(s)) => s,
            other => panic!("not a paragraph: {other:?}"),
        }
    }

    #[test]
    fn raw_html_is_text() {
        let blocks = to_blocks("<script>alert(1)</script>\n\n正文<img src=x onerror=alert(1)>结束\n", 2);
        assert_eq!(blocks.len(), 2);
        let Block::Paragraph(first) = &blocks[0] else { panic!() };
        assert_eq!(plain(first), "<script>alert(1)</script>");
        let Block::Paragraph(second) = &blocks[1] else { panic!() };
        assert_eq!(plain(second), "正文<img src=x onerror=alert(1)>结束");
        assert!(second.iter().all(|s| s.link.is_none()));
    }

    #[test]
    fn only_safe_links_survive() {
        let s = spans_of(
            "[好](https://example.org/a?b=1) [坏](javascript:alert(1)) [坏2](JaVaScRiPt:x) [数据](data:text/html,x) \
             [相对](../x.md) [锚](#sec-1) [信](mailto:a@b.cn) <vbscript:msgbox>",
        );
        let links: Vec<_> = s.iter().filter_map(|s| s.link.as_deref()).collect();
        assert_eq!(links, ["https://example.org/a?b=1", "#sec-1", "mailto:a@b.cn"]);
        let text = plain(&s);
        assert!(text.contains("坏") && text.contains("数据") && text.contains("相对"));
        assert!(!text.contains("javascript"), "{text}");
        for url in ["java\tscript:x", " javascript:x", "http://", "#", "vbscript:x", "file:///etc/passwd"] {
            assert!(!allowed_link(url), "{url}");
        }
    }

    #[test]
    fn images_become_alt_text_and_path() {
        let s = spans_of("前![现场照片](http://evil.example/x.png)后![](a.png)");
        assert_eq!(plain(&s), "前［图片：现场照片（http://evil.example/x.png）］后［图片：a.png］");
        assert!(s.iter().all(|s| s.link.is_none()));
    }

    #[test]
    fn stray_strong_next_to_chinese_punctuation() {
        let s = spans_of("**（一）场所集成。**在原址改建，**重点**说明。");
        assert_eq!(s[0], Span::bold("（一）场所集成。"));
        assert_eq!(plain(&s), "（一）场所集成。在原址改建，重点说明。");
        assert!(s.iter().any(|x| x.bold && x.text == "重点"));
        let odd = spans_of("a **b** c ** d");
        assert_eq!(plain(&odd), "a b c ** d");
        let escaped = spans_of("\\*\\*不加粗\\*\\* 与 **（二）加粗。**后");
        assert_eq!(plain(&escaped), "**不加粗** 与 （二）加粗。后");
        assert!(escaped.iter().any(|x| x.bold && x.text == "（二）加粗。"));
        assert!(!escaped.iter().any(|x| x.bold && x.text.contains("不加粗")));
        let Some(Block::Code(code)) = to_blocks("```\n\\*\\*x\n```\n", 2).into_iter().next() else { panic!() };
        assert_eq!(code, "\\*\\*x");
    }

    #[test]
    fn heading_levels_by_rank_and_numbering() {
        let blocks = to_blocks("### 一、背景\n\n正文\n\n#### 做法\n\n## （二）另一条\n", 2);
        let levels: Vec<_> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, text, .. } => Some((*level, text.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(levels, [(2, "一、背景"), (4, "做法"), (3, "（二）另一条")]);
        let narration = to_blocks("## 第一站\n\n解说\n", 4);
        assert!(matches!(&narration[0], Block::Heading { level: 4, .. }));
        assert_eq!(numbering_level("1．做法"), Some(4));
        assert_eq!(numbering_level("（3）做法"), Some(4));
        assert_eq!(numbering_level("十二、结语"), Some(2));
        assert_eq!(numbering_level("做法"), None);
    }

    #[test]
    fn lists_quotes_tables_and_a_paragraph_per_line() {
        let blocks = to_blocks(
            "第一行\n第二行 end\n一、背景\n\n- 甲\n- 乙\n\n> 引用\n\n| 指标 | 数值 |\n|---|--:|\n| 信访 | 12 |\n",
            2,
        );
        let Block::Paragraph(p) = &blocks[0] else { panic!() };
        assert_eq!(plain(p), "第一行");
        assert!(matches!(&blocks[1], Block::Paragraph(p) if plain(p) == "第二行 end"));
        assert!(matches!(&blocks[2], Block::Heading { level: 2, text, .. } if text == "一、背景"));
        let blocks = &blocks[2..];
        let Block::List { ordered: false, items, .. } = &blocks[1] else { panic!("{:?}", blocks[1]) };
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1][0], Block::Paragraph(s) if plain(s) == "乙"));
        assert!(matches!(&blocks[2], Block::Quote(q) if q.len() == 1));
        let Block::Table(t) = &blocks[3] else { panic!() };
        assert_eq!(
            (t.header.clone(), t.rows.clone(), t.numeric.clone()),
            (
                vec!["指标".to_string(), "数值".to_string()],
                vec![vec!["信访".to_string(), "12".to_string()]],
                vec![false, true]
            )
        );
    }
}
