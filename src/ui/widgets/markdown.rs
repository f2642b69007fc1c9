//! A small Markdown renderer for the detail pane, built on pulldown-cmark, that highlights the query's terms.
//!
//! It walks the body as every view does ([`crate::text::markdown`]: a line is a paragraph, typed 一、/（一）
//! numbering makes headings) and covers what write-ups use: headings, paragraphs, emphasis, lists, block quotes, code and tables. Raw HTML
//! is shown as text, never interpreted.

use egui::text::LayoutJob;
use egui::{Color32, FontId, RichText, TextFormat};
use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

/// Highlight colour for matched terms.
pub const HIGHLIGHT: Color32 = Color32::from_rgb(255, 226, 122);

#[derive(Default, Clone, Copy)]
struct Style {
    strong: bool,
    emphasis: bool,
    code: bool,
    heading: Option<HeadingLevel>,
}

/// Renders `markdown` into `ui`, highlighting every occurrence of the folded `terms`.
pub fn show(ui: &mut egui::Ui, markdown: &str, terms: &[String]) {
    let mut job = LayoutJob::default();
    let mut style = Style::default();
    let mut list_depth: usize = 0;
    let mut ordered: Vec<Option<u64>> = Vec::new();
    let mut table: Option<Vec<Vec<String>>> = None;
    let mut cell = String::new();
    let body_size = ui.style().text_styles[&egui::TextStyle::Body].size;
    let text_color = ui.visuals().text_color();
    let strong_color = ui.visuals().strong_text_color();

    let flush = |ui: &mut egui::Ui, job: &mut LayoutJob| {
        if !job.text.is_empty() {
            job.wrap.max_width = ui.available_width();
            ui.label(std::mem::take(job));
        }
    };

    for (event, _) in crate::text::markdown::events(markdown) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                flush(ui, &mut job);
                ui.add_space(6.0);
                style.heading = Some(level);
            }
            Event::End(TagEnd::Heading(_)) => {
                flush(ui, &mut job);
                style.heading = None;
            }
            Event::Start(Tag::Paragraph) | Event::Start(Tag::BlockQuote(_)) | Event::Start(Tag::CodeBlock(_)) => {}
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::BlockQuote(_)) | Event::End(TagEnd::CodeBlock) => {
                flush(ui, &mut job);
                style.strong = false;
                ui.add_space(4.0);
            }
            Event::Start(Tag::List(start)) => {
                flush(ui, &mut job);
                list_depth += 1;
                ordered.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                flush(ui, &mut job);
                list_depth = list_depth.saturating_sub(1);
                ordered.pop();
            }
            Event::Start(Tag::Item) => {
                flush(ui, &mut job);
                let bullet = match ordered.last_mut() {
                    Some(Some(n)) => {
                        let b = format!("{n}. ");
                        *n += 1;
                        b
                    }
                    _ => "• ".to_string(),
                };
                let indent = "    ".repeat(list_depth.saturating_sub(1));
                append(&mut job, &format!("{indent}{bullet}"), &[], format(style, body_size, text_color, strong_color));
            }
            Event::End(TagEnd::Item) => flush(ui, &mut job),
            Event::Start(Tag::Strong) => style.strong = true,
            Event::End(TagEnd::Strong) => style.strong = false,
            Event::Start(Tag::Emphasis) => style.emphasis = true,
            Event::End(TagEnd::Emphasis) => style.emphasis = false,
            Event::Start(Tag::Table(_)) => {
                flush(ui, &mut job);
                table = Some(Vec::new());
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.push(Vec::new());
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(row) = table.as_mut().and_then(|t| t.last_mut()) {
                    row.push(std::mem::take(&mut cell));
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(rows) = table.take() {
                    show_table(ui, &rows, terms);
                }
            }
            Event::Code(t) => {
                if table.is_some() {
                    cell.push_str(&t);
                } else {
                    let code = Style { code: true, ..style };
                    append(&mut job, &t, terms, format(code, body_size, text_color, strong_color));
                }
            }
            Event::Text(t) => {
                if table.is_some() {
                    cell.push_str(&t.replace("**", ""));
                } else {
                    // `**` left in text is emphasis that CommonMark could not match next to Chinese punctuation:
                    // honour it as the writer meant.
                    for (i, piece) in t.split("**").enumerate() {
                        if i > 0 {
                            style.strong = !style.strong;
                        }
                        append(&mut job, piece, terms, format(style, body_size, text_color, strong_color));
                    }
                }
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                if table.is_some() {
                    cell.push_str(&t);
                } else {
                    append(&mut job, &t, terms, format(style, body_size, text_color, strong_color));
                }
            }
            Event::SoftBreak => append(&mut job, " ", &[], format(style, body_size, text_color, strong_color)),
            Event::HardBreak => append(&mut job, "\n", &[], format(style, body_size, text_color, strong_color)),
            Event::Rule => {
                flush(ui, &mut job);
                ui.separator();
            }
            _ => {}
        }
    }
    flush(ui, &mut job);
}

fn format(style: Style, body: f32, color: Color32, strong: Color32) -> TextFormat {
    let size = match style.heading {
        Some(HeadingLevel::H1) => body * 1.5,
        Some(HeadingLevel::H2) => body * 1.3,
        Some(_) => body * 1.15,
        None => body,
    };
    let font_id = if style.code { FontId::monospace(size) } else { FontId::proportional(size) };
    let color = if style.strong || style.heading.is_some() { strong } else { color };
    TextFormat { font_id, color, italics: style.emphasis, ..Default::default() }
}

/// Appends text, giving matched terms a highlight background.
pub fn append(job: &mut LayoutJob, text: &str, terms: &[String], format: TextFormat) {
    let ranges = crate::search::snippet::highlight_all(text, terms);
    append_ranges(job, text, &ranges, format);
}

/// Appends text with the given character ranges highlighted.
pub fn append_ranges(job: &mut LayoutJob, text: &str, ranges: &[(usize, usize)], format: TextFormat) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte = |c: usize| chars.get(c).map(|(b, _)| *b).unwrap_or(text.len());
    let mut at = 0;
    for &(s, e) in ranges {
        if s > at {
            job.append(&text[byte(at)..byte(s)], 0.0, format.clone());
        }
        let mut hl = format.clone();
        hl.background = HIGHLIGHT;
        hl.color = Color32::BLACK;
        job.append(&text[byte(s)..byte(e)], 0.0, hl);
        at = e;
    }
    if at < chars.len() {
        job.append(&text[byte(at)..], 0.0, format);
    }
}

fn show_table(ui: &mut egui::Ui, rows: &[Vec<String>], terms: &[String]) {
    egui::Grid::new(ui.next_auto_id()).striped(true).show(ui, |ui| {
        for (i, row) in rows.iter().enumerate() {
            for cell in row {
                let highlighted = !crate::search::snippet::highlight_all(cell, terms).is_empty();
                let mut text = RichText::new(cell.as_str());
                if i == 0 {
                    text = text.strong();
                }
                if highlighted {
                    text = text.background_color(HIGHLIGHT).color(Color32::BLACK);
                }
                ui.label(text);
            }
            ui.end_row();
        }
    });
}
