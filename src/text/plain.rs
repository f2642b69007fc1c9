//! Markdown → plain text for indexing and snippets: keeps the words a reader sees, drops the markup.

use pulldown_cmark::{Event, Tag, TagEnd};

/// Renders Markdown as plain text, one paragraph, heading, list item or table row per line.
pub fn markdown_to_plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for (event, _) in super::markdown::events(markdown) {
        match event {
            // `**` left in text is emphasis CommonMark could not match next to Chinese punctuation.
            Event::Text(t) => out.push_str(&t),
            Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => {}
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableRow)
            | Event::End(TagEnd::TableHead) => {
                while out.ends_with(' ') {
                    out.pop();
                }
                if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    // The parser may split such a `**` across text events, so it is removed from the whole result.
    out.replace("**", "").trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_markup_keeps_words() {
        let plain = markdown_to_plain("## 一、背景\n\n**网格员**走访 *群众*。\n\n- 第一条\n- 第二条\n");
        assert_eq!(plain, "一、背景\n网格员走访 群众。\n第一条\n第二条");
    }

    #[test]
    fn unmatched_emphasis_next_to_chinese_punctuation_is_dropped() {
        assert_eq!(markdown_to_plain("**1“网格+物联”双重守护**镇里"), "1“网格+物联”双重守护镇里");
    }

    #[test]
    fn tables_become_rows() {
        let plain = markdown_to_plain("| 指标 | 数值 |\n|---|---|\n| 信访 | 12 |\n");
        assert_eq!(plain, "指标 数值\n信访 12");
    }
}
