//! The one reading of a record's Markdown that every view shares: the detail pane, the exports, the plain text
//! for the index, the bundle's attachment scan.
//!
//! It is pulldown-cmark (tables, strikethrough) with two rules of how 公文 and 经验材料 are typed in Word:
//! - **Enter starts a paragraph.** Each line of a paragraph is a paragraph of its own, as in Word; a line break
//!   inside emphasis or a link is left as it is.
//! - **Typed numbering makes headings.** A line of its own that begins with 一、, （一）, 1． (or `1.` with no space,
//!   or 1、) or （1） and reads as a heading (short, not a sentence or a list entry) is a heading of that rank; a
//!   line that begins so and runs on after its first sentence (`（一）“一张网”补盲区。按照……`) keeps the sentence
//!   as a bold lead, as 公文 set it. `## 一、背景` and `**一、背景**` on a line of its own are headings too.
//!
//! Markdown headings keep their own level; a typed heading of rank r becomes level r + 1 (`一、` is `##`), since a
//! record's title is the level above.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The extensions every reader of a body uses.
pub const OPTIONS: Options = Options::ENABLE_TABLES.union(Options::ENABLE_STRIKETHROUGH);

/// The longest heading text, in characters, after its numbering (a longer line is a sentence).
const MAX_HEADING_CHARS: usize = 32;

/// The longest bold lead of a run-in heading, in characters, numbering included.
const MAX_LEAD_CHARS: usize = 40;

/// An event of the body with the byte range of the source it came from.
pub type Spanned<'a> = (Event<'a>, Range<usize>);

/// The events of `markdown`, with both typing rules applied. Every renderer walks these, never the parser itself.
pub fn events(markdown: &str) -> Vec<Spanned<'_>> {
    let mut out = Vec::new();
    let mut containers = 0usize;
    let mut paragraph: Option<(Vec<Spanned<'_>>, usize)> = None;
    for (event, range) in Parser::new_ext(markdown, OPTIONS).into_offset_iter() {
        if let Some((buffer, _)) = paragraph.as_mut() {
            if matches!(event, Event::End(TagEnd::Paragraph)) {
                if let Some((buffer, nesting)) = paragraph.take() {
                    split_paragraph(buffer, nesting == 0, &mut out);
                }
            } else {
                buffer.push((event, range));
            }
            continue;
        }
        match &event {
            Event::Start(Tag::Paragraph) => {
                paragraph = Some((Vec::new(), containers));
                continue;
            }
            Event::Start(
                Tag::List(_) | Tag::Item | Tag::BlockQuote(_) | Tag::Table(_) | Tag::FootnoteDefinition(_),
            ) => containers += 1,
            Event::End(
                TagEnd::List(_) | TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::Table | TagEnd::FootnoteDefinition,
            ) => containers = containers.saturating_sub(1),
            _ => {}
        }
        out.push((event, range));
    }
    if let Some((buffer, nesting)) = paragraph.take() {
        split_paragraph(buffer, nesting == 0, &mut out);
    }
    pair_stray_strong(out, markdown)
}

/// `**` that CommonMark could not pair next to Chinese punctuation (`**（一）场所集成。**在…`: a closing `**` after
/// `。` and before a character is not "right-flanking") is strong emphasis as the writer meant. Within each run of
/// inline text, leftover `**` are paired in order when both sit in the same inline container; an unpaired one, or
/// one typed as `\*\*`, stays literal. Done here, once, so the detail pane and every export agree.
fn pair_stray_strong<'a>(events: Vec<Spanned<'a>>, markdown: &str) -> Vec<Spanned<'a>> {
    if !events.iter().any(|(e, _)| matches!(e, Event::Text(t) if t.contains('*'))) {
        return events;
    }
    let mut out = Vec::with_capacity(events.len() + 8);
    let mut run: Vec<Spanned<'a>> = Vec::new();
    for (event, range) in events {
        let inline = match &event {
            Event::Start(tag) => is_inline(tag),
            Event::End(end) => is_inline_end(end),
            Event::Text(_)
            | Event::Code(_)
            | Event::InlineHtml(_)
            | Event::InlineMath(_)
            | Event::SoftBreak
            | Event::HardBreak
            | Event::FootnoteReference(_) => true,
            _ => false,
        };
        if inline {
            run.push((event, range));
        } else {
            pair_in_run(std::mem::take(&mut run), markdown, &mut out);
            out.push((event, range));
        }
    }
    pair_in_run(run, markdown, &mut out);
    out
}

fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(tag, Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. })
}

fn is_inline_end(end: &TagEnd) -> bool {
    matches!(end, TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image)
}

/// One run of inline events (a paragraph's, a heading's, a table cell's), with its leftover `**` paired.
fn pair_in_run<'a>(run: Vec<Spanned<'a>>, markdown: &str, out: &mut Vec<Spanned<'a>>) {
    let run = join_text(run, markdown);
    // Each `**`: (event index, byte offset in its text, the inline container it sits in).
    let mut markers: Vec<(usize, usize, usize)> = Vec::new();
    let mut stack: Vec<usize> = vec![0];
    let mut containers = 0usize;
    let mut in_image = 0usize;
    for (i, (event, range)) in run.iter().enumerate() {
        match event {
            Event::Start(tag) => {
                containers += 1;
                stack.push(containers);
                in_image += usize::from(matches!(tag, Tag::Image { .. }));
            }
            Event::End(end) => {
                stack.pop();
                in_image -= usize::from(matches!(end, TagEnd::Image) && in_image > 0);
            }
            Event::Text(t) if in_image == 0 && t.contains("**") && !escaped(markdown, range) => {
                let here = stack.last().copied().unwrap_or(0);
                markers.extend(t.match_indices("**").map(|(at, _)| (i, at, here)));
            }
            _ => {}
        }
    }
    // Pair in order, within one container: (event index, offset) → opens (true) or closes (false).
    let mut pairs: Vec<(usize, usize, bool)> = Vec::new();
    let mut pending: Option<(usize, usize, usize)> = None;
    for m in markers {
        match pending {
            Some(p) if p.2 == m.2 => {
                pairs.push((p.0, p.1, true));
                pairs.push((m.0, m.1, false));
                pending = None;
            }
            _ => pending = Some(m),
        }
    }
    if pairs.is_empty() {
        out.extend(run);
        return;
    }
    for (i, (event, range)) in run.into_iter().enumerate() {
        let cuts: Vec<(usize, bool)> = pairs.iter().filter(|p| p.0 == i).map(|p| (p.1, p.2)).collect();
        let Event::Text(text) = &event else {
            out.push((event, range));
            continue;
        };
        if cuts.is_empty() {
            out.push((event, range));
            continue;
        }
        let mut from = 0;
        for (at, opens) in cuts {
            if at > from {
                out.push((Event::Text(CowStr::from(text[from..at].to_string())), range.clone()));
            }
            let marker = if opens { Event::Start(Tag::Strong) } else { Event::End(TagEnd::Strong) };
            out.push((marker, range.clone()));
            from = at + 2;
        }
        if from < text.len() {
            out.push((Event::Text(CowStr::from(text[from..].to_string())), range));
        }
    }
}

/// Whether a text event is a backslash escape (`\*`): typed to stay literal.
fn escaped(markdown: &str, range: &Range<usize>) -> bool {
    markdown.get(range.clone()).is_some_and(|s| s.starts_with('\\'))
        || markdown.get(..range.start).is_some_and(|b| b.ends_with('\\'))
}

/// The parser hands an unmatched `**` over as one text event per `*`: adjacent texts (escapes apart) are joined so
/// a `**` reads as one.
fn join_text<'a>(run: Vec<Spanned<'a>>, markdown: &str) -> Vec<Spanned<'a>> {
    let mut out: Vec<Spanned<'a>> = Vec::with_capacity(run.len());
    for (event, range) in run {
        if let (Event::Text(t), Some((Event::Text(prev), prev_range))) = (&event, out.last_mut())
            && !escaped(markdown, &range)
            && !escaped(markdown, prev_range)
        {
            *prev = CowStr::from(format!("{prev}{t}"));
            prev_range.end = range.end;
            continue;
        }
        out.push((event, range));
    }
    out
}

/// The rank (1–4) of the numbering a heading or paragraph is typed with: 一、→ 1, （一）→ 2, 1．/1、/`1.` → 3,
/// （1）→ 4, with the rest of the text after it. GB/T 9704 sets each rank in its own face.
pub fn numbering(text: &str) -> Option<(u8, &str)> {
    const CN: &str = "一二三四五六七八九十百零〇";
    let t = text.trim_start();
    let cn = prefix_len(t, |c| CN.contains(c));
    if cn > 0
        && let Some(rest) = t[cn..].strip_prefix('、')
    {
        return Some((1, rest));
    }
    for (open, close) in [("（", "）"), ("(", ")"), ("（", ")"), ("(", "）")] {
        if let Some(inner) = t.strip_prefix(open) {
            let cn = prefix_len(inner, |c| CN.contains(c));
            if cn > 0
                && let Some(rest) = inner[cn..].strip_prefix(close)
            {
                return Some((2, rest));
            }
            let digits = prefix_len(inner, |c| c.is_ascii_digit());
            if digits > 0
                && let Some(rest) = inner[digits..].strip_prefix(close)
            {
                return Some((4, rest));
            }
        }
    }
    let digits = prefix_len(t, |c| c.is_ascii_digit());
    if digits > 0 && digits <= 2 {
        let after = &t[digits..];
        for mark in ["．", "、", "."] {
            if let Some(rest) = after.strip_prefix(mark)
                // `1.5万元` is a number, `1. 建立台账` a Markdown list item.
                && !rest.starts_with(|c: char| c.is_ascii_digit() || c.is_whitespace())
            {
                return Some((3, rest));
            }
        }
    }
    None
}

/// The rank of a line that reads as a heading: typed numbering, then a short text that is not a sentence (no
/// 。！？ except one at the end) and not an entry of a list (not ending in ；：，、).
pub fn heading_rank(line: &str) -> Option<u8> {
    let (rank, rest) = numbering(line)?;
    let rest = rest.trim();
    let chars = rest.chars().count();
    if chars == 0 || chars > MAX_HEADING_CHARS {
        return None;
    }
    let body = rest.strip_suffix(['。', '.']).unwrap_or(rest);
    if body.contains(['。', '！', '？', '!', '?'])
        || body.ends_with(['；', ';', '：', ':', '，', ',', '、'])
        || body.is_empty()
    {
        return None;
    }
    Some(rank)
}

fn prefix_len(s: &str, keep: impl Fn(char) -> bool) -> usize {
    s.char_indices().find(|(_, c)| !keep(*c)).map(|(i, _)| i).unwrap_or(s.len())
}

/// Emits one buffered paragraph as one paragraph or heading per line.
fn split_paragraph<'a>(buffer: Vec<Spanned<'a>>, top_level: bool, out: &mut Vec<Spanned<'a>>) {
    let mut lines: Vec<Vec<Spanned<'a>>> = vec![Vec::new()];
    let mut depth = 0usize;
    for (event, range) in buffer {
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::SoftBreak if depth == 0 => {
                lines.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(line) = lines.last_mut() {
            line.push((event, range));
        }
    }
    for line in lines.into_iter().filter(|l| !l.is_empty()) {
        let start = line.first().map(|(_, r)| r.start).unwrap_or(0);
        let end = line.last().map(|(_, r)| r.end).unwrap_or(start);
        match top_level.then(|| typed_heading(&line)).flatten() {
            Some(rank) => {
                let level = heading_level(rank);
                out.push((
                    Event::Start(Tag::Heading { level, id: None, classes: Vec::new(), attrs: Vec::new() }),
                    start..end,
                ));
                out.extend(line.into_iter().filter(|(e, _)| matches!(e, Event::Text(_) | Event::Code(_))));
                out.push((Event::End(TagEnd::Heading(level)), start..end));
            }
            None => {
                out.push((Event::Start(Tag::Paragraph), start..end));
                if top_level {
                    out.extend(with_bold_lead(line));
                } else {
                    out.extend(line);
                }
                out.push((Event::End(TagEnd::Paragraph), start..end));
            }
        }
    }
}

/// A typed heading's rank when the line holds only text (bold or not) that reads as a heading.
fn typed_heading(line: &[Spanned<'_>]) -> Option<u8> {
    let mut text = String::new();
    for (event, _) in line {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::Start(Tag::Strong | Tag::Emphasis) | Event::End(TagEnd::Strong | TagEnd::Emphasis) => {}
            _ => return None,
        }
    }
    // `**` that CommonMark could not pair next to Chinese punctuation is still emphasis.
    heading_rank(&text.replace("**", ""))
}

fn heading_level(rank: u8) -> HeadingLevel {
    match rank {
        1 => HeadingLevel::H2,
        2 => HeadingLevel::H3,
        3 => HeadingLevel::H4,
        _ => HeadingLevel::H5,
    }
}

/// `（一）“一张网”补盲区。按照……`: the numbered first sentence becomes bold, when the line starts with it as
/// plain text and runs on after it.
fn with_bold_lead(mut line: Vec<Spanned<'_>>) -> Vec<Spanned<'_>> {
    let Some((Event::Text(first), range)) = line.first() else { return line };
    if numbering(first).is_none() || first.starts_with("**") {
        return line;
    }
    let Some((end, stop)) = first.char_indices().take(MAX_LEAD_CHARS).find(|(_, c)| matches!(c, '。' | '！' | '？'))
    else {
        return line;
    };
    let cut = end + stop.len_utf8();
    if first[cut..].trim().is_empty() && line.len() == 1 {
        return line;
    }
    let (lead, rest) = (first[..cut].to_string(), first[cut..].to_string());
    let range = range.clone();
    let mut out = vec![
        (Event::Start(Tag::Strong), range.clone()),
        (Event::Text(CowStr::from(lead)), range.clone()),
        (Event::End(TagEnd::Strong), range.clone()),
    ];
    if !rest.is_empty() {
        out.push((Event::Text(CowStr::from(rest)), range));
    }
    out.extend(line.drain(1..));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(markdown: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut text = String::new();
        for (event, _) in events(markdown) {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::Start(Tag::Strong) => text.push_str("<b>"),
                Event::End(TagEnd::Strong) => text.push_str("</b>"),
                Event::End(TagEnd::Heading(level)) => out.push(format!("{level:?} {}", std::mem::take(&mut text))),
                Event::End(TagEnd::Paragraph) => out.push(format!("P {}", std::mem::take(&mut text))),
                Event::End(TagEnd::Item) => out.push(format!("LI {}", std::mem::take(&mut text))),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn typed_numbering_makes_headings_of_its_rank() {
        assert_eq!(
            shape("一、基本情况\n（一）坚持党建引领，凝聚治理合力\n1．建立台账\n（2）每月通报\n正文。"),
            [
                "H2 一、基本情况",
                "H3 （一）坚持党建引领，凝聚治理合力",
                "H4 1．建立台账",
                "H5 （2）每月通报",
                "P 正文。"
            ]
        );
        assert_eq!(shape("**一、项目通过市级评估**\n\n## 二、做法"), ["H2 一、项目通过市级评估", "H2 二、做法"]);
    }

    #[test]
    fn each_line_is_a_paragraph() {
        assert_eq!(shape("第一段。\n第二段。\n\n第三段。"), ["P 第一段。", "P 第二段。", "P 第三段。"]);
        // A line break inside emphasis stays inside it.
        assert_eq!(shape("**甲\n乙**"), ["P <b>甲乙</b>"]);
    }

    #[test]
    fn strong_next_to_chinese_punctuation_is_strong() {
        assert_eq!(
            shape("**反诈中心预警，信息推到网格。**当天9时52分，**重点**说明。"),
            ["P <b>反诈中心预警，信息推到网格。</b>当天9时52分，<b>重点</b>说明。"]
        );
        // An unpaired one, and one typed escaped, stay as typed.
        assert_eq!(shape("a **b** c ** d"), ["P a <b>b</b> c ** d"]);
        assert_eq!(shape("甲\\*\\*乙。\\*\\*丙"), ["P 甲**乙。**丙"]);
        // Pairs never cross an inline container: the one inside the link stays literal.
        assert_eq!(shape("**甲。**乙[**丙](https://a.cn)丁"), ["P <b>甲。</b>乙**丙丁"]);
    }

    #[test]
    fn sentences_and_list_entries_are_not_headings() {
        for line in [
            "（一）在本楼栋居住满一年，熟悉本楼栋居民情况；",
            "一、二级网格员每周走访。全年共走访3000户。",
            "1.5万元用于奖励",
            "2021年以来，全区共化解矛盾纠纷",
            "（三）为解决这一问题，街道会同社区、物业和业委会召开了多次协调会议，研究制定了详细的工作方案：",
        ] {
            assert_eq!(heading_rank(line), None, "{line}");
        }
        assert_eq!(shape("1. 列表项"), ["LI 列表项"]);
    }

    #[test]
    fn run_in_heading_keeps_a_bold_lead() {
        assert_eq!(
            shape("（一）“一张网”补盲区。按照“城区织密”的思路推进。"),
            ["P <b>（一）“一张网”补盲区。</b>按照“城区织密”的思路推进。"]
        );
        // Only at the top level: inside a list the text is left alone.
        assert_eq!(shape("- （一）甲。乙"), ["LI （一）甲。乙"]);
    }

    #[test]
    fn numbering_ranks() {
        assert_eq!(numbering("十二、结语").map(|n| n.0), Some(1));
        assert_eq!(numbering("(三)做法").map(|n| n.0), Some(2));
        assert_eq!(numbering("3、做法").map(|n| n.0), Some(3));
        assert_eq!(numbering("1.做法").map(|n| n.0), Some(3));
        assert_eq!(numbering("（12）做法").map(|n| n.0), Some(4));
        assert_eq!(numbering("做法"), None);
        assert_eq!(numbering("2024.1.5"), None);
    }
}
