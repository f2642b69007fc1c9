//! One self-contained HTML file, ready to print on A4: inline CSS and SVG, no scripts, no external resources,
//! and well-formed XHTML-compatible markup (every element closed, attributes quoted, only XML's five escapes),
//! so it opens in any browser and parses as XML. A Content-Security-Policy forbids scripts and remote loads in
//! case anything ever slipped through the sanitiser (`markup`).

use std::fmt::Write;

use super::markup;
use super::model::{Block, Document, Span, Table, escape_xml};
use super::svg;

/// The policy in the page: nothing may load or run; inline styles and data: images only.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const SERIF: &str =
    "\"Noto Serif CJK SC\", \"Source Han Serif SC\", \"Songti SC\", \"STSong\", \"SimSun\", \"宋体\", serif";
const SANS: &str = "\"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Microsoft YaHei\", \"微软雅黑\", \"SimHei\", \"黑体\", sans-serif";
const TITLE: &str = "\"方正小标宋简体\", \"FZXiaoBiaoSong-B05S\", \"小标宋\", \"Noto Serif CJK SC\", \"Source Han Serif SC\", \"Songti SC\", \"SimSun\", \"宋体\", serif";
const KAI: &str = "\"楷体_GB2312\", \"楷体\", \"KaiTi\", \"STKaiti\", \"AR PL UKai CN\", \"Noto Serif CJK SC\", serif";

fn css() -> String {
    format!(
        r#"
@page {{ size: A4; margin: 22mm 20mm 24mm 24mm; }}
@page :right {{ @bottom-right {{ content: "— " counter(page) " —"; font-family: {SERIF}; font-size: 14pt; padding-right: 1em; }} }}
@page :left {{ @bottom-left {{ content: "— " counter(page) " —"; font-family: {SERIF}; font-size: 14pt; padding-left: 1em; }} }}
@page :first {{ @bottom-right {{ content: none; }} }}
html {{ background: #e9e7e2; }}
body {{ margin: 0 auto; max-width: 210mm; box-sizing: border-box; padding: 18mm 22mm 24mm; background: #ffffff; color: #1a1a1a;
  font-family: {SERIF}; font-size: 12pt; line-height: 1.8; }}
h1, h2, h3, h4, th, caption, figcaption, .toc, .fields dt, .flag {{ font-family: {SANS}; }}
.cover {{ min-height: 235mm; display: flex; flex-direction: column; justify-content: center; text-align: center;
  border-top: 8px solid #9b1c1c; break-after: page; page-break-after: always; }}
.cover-kicker {{ font-family: {KAI}; font-size: 16pt; color: #9b1c1c; letter-spacing: 0.1em; margin: 0 0 8mm; text-indent: 0; text-align: center; }}
.cover-title {{ font-family: {TITLE}; font-size: 26pt; line-height: 1.5; margin: 0 0 14mm; font-weight: 700; }}
.cover.issued {{ justify-content: flex-start; border-top: none; }}
.cover-issuer {{ font-family: {TITLE}; line-height: 1.3; color: #e60000; letter-spacing: 0.05em; margin: 20mm 0 0; text-indent: 0; text-align: center; white-space: nowrap; }}
.cover-rule {{ border: none; border-top: 1.5pt solid #e60000; width: 100%; margin: 4mm 0 18mm; }}
.cover.issued .cover-title {{ margin: 0 0 4mm; }}
.cover-subtitle {{ font-family: {KAI}; font-size: 16pt; margin: 0 0 30mm; text-indent: 0; text-align: center; }}
.cover-fields {{ display: inline-block; text-align: left; margin: 0 auto 16mm; }}
.cover .cover-date {{ font-size: 14pt; text-indent: 0; text-align: center; margin: 0; }}
.cover .cover-source {{ color: #666666; font-size: 10pt; text-indent: 0; text-align: center; margin-top: 4mm; }}
.toc {{ break-after: page; page-break-after: always; }}
.toc h1 {{ text-align: center; letter-spacing: 0.5em; font-size: 18pt; }}
.toc ol {{ list-style: none; padding: 0; margin: 0; }}
.toc li {{ margin: 0.2em 0; break-inside: avoid; }}
.toc li:nth-last-child(-n+3) {{ break-before: avoid; page-break-before: avoid; }}
.toc .toc-part {{ font-weight: 700; margin-top: 0.8em; }}
.toc .toc-sub {{ padding-left: 2em; font-size: 11pt; }}
.toc a {{ color: inherit; text-decoration: none; }}
h1.part {{ break-before: page; page-break-before: always; text-align: center; font-size: 20pt; color: #9b1c1c; margin: 0 0 1em; padding-top: 6mm; }}
h2 {{ font-size: 15pt; margin: 1.2em 0 0.5em; }}
h3 {{ font-family: {KAI}; font-size: 13.5pt; margin: 1em 0 0.4em; }}
h4 {{ font-size: 12pt; margin: 0.8em 0 0.3em; }}
h2, h3, h4 {{ break-after: avoid; page-break-after: avoid; }}
h2.doc-title {{ break-before: page; page-break-before: always; font-family: {TITLE}; font-size: 18pt; text-align: center; line-height: 1.5; margin: 0.5em 0 0.3em; }}
h1.part + h2.doc-title {{ break-before: auto; page-break-before: auto; }}
.byline {{ font-family: {KAI}; text-align: center; color: #555555; text-indent: 0; margin: 0; }}
.byline-last {{ margin-bottom: 1.2em; }}
p {{ text-indent: 2em; margin: 0 0 0.4em; text-align: justify; orphans: 3; widows: 3; }}
/* Chromium leaves the last line of a paragraph alone on a page before a forced page break, widows or not. */
p:has(+ h1.part), p:has(+ h2.doc-title) {{ break-inside: avoid; page-break-inside: avoid; }}
li p, td p, .note p, blockquote p {{ text-indent: 0; }}
blockquote {{ margin: 0.6em 0 0.6em 1em; padding-left: 1em; border-left: 3px solid #cccccc; color: #333333; }}
pre {{ background: #f5f5f5; padding: 0.6em; white-space: pre-wrap; font-size: 10pt; }}
code {{ font-family: "Noto Sans Mono CJK SC", "Source Han Mono", "Consolas", monospace; font-size: 0.92em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 10.5pt; line-height: 1.5; margin: 0.6em 0 1em; }}
caption {{ caption-side: top; font-weight: 700; padding-bottom: 4px; }}
th, td {{ border: 1px solid #9a9a9a; padding: 3px 6px; vertical-align: top; text-align: left; }}
th {{ background: #f1efe9; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
td.nw, th.nw {{ white-space: nowrap; }}
.chart {{ break-inside: avoid; page-break-inside: avoid; }}
figcaption {{ break-after: avoid; page-break-after: avoid; }}
tr.hl td {{ background: #fff1cc; font-weight: 700; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
figure {{ margin: 0.8em 0 1.2em; }}
figcaption {{ font-weight: 700; text-align: center; margin-bottom: 4px; }}
figure svg {{ display: block; width: 100%; height: auto; max-width: 170mm; margin: 0 auto; break-inside: avoid; page-break-inside: avoid; }}
.fields {{ margin: 0.4em 0 0.8em; }}
.fields div {{ display: flex; }}
.fields dt {{ flex: 0 0 auto; min-width: 5em; padding-right: 1em; color: #555555; }}
.fields dd {{ margin: 0; flex: 1; }}
.note {{ border-left: 4px solid #9b1c1c; background: #faf6ef; padding: 6px 12px; margin: 0.8em 0 1em; }}
.note .note-title {{ font-family: {SANS}; font-weight: 700; color: #9b1c1c; margin: 0; }}
ul.checklist {{ list-style: none; padding-left: 0; }}
ul.checklist li {{ margin: 0.25em 0; }}
.box {{ display: inline-block; width: 1.4em; }}
li.flagged {{ color: #9b1c1c; }}
.flag {{ border: 1px solid #9b1c1c; border-radius: 3px; font-size: 9pt; padding: 0 4px; margin-left: 0.5em; }}
hr {{ border: 0; border-top: 1px solid #cccccc; margin: 1em 0; }}
a {{ color: #1f4f8a; }}
@media screen {{ h1.part, h2.doc-title {{ border-top: 1px solid #dddddd; padding-top: 10mm; margin-top: 12mm; }}
  h1.part + h2.doc-title {{ border-top: none; padding-top: 0; margin-top: 0; }} }}
@media print {{ html {{ background: none; }} body {{ max-width: none; padding: 0; }} .cover {{ min-height: 245mm; }} }}
"#
    )
}

/// Renders the whole document.
pub fn render(doc: &Document) -> String {
    let mut out = String::with_capacity(256 * 1024);
    out.push_str(
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"zh-CN\" xml:lang=\"zh-CN\">\n<head>\n",
    );
    out.push_str("<meta charset=\"utf-8\"/>\n");
    let _ = writeln!(out, "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\"/>", escape_xml(CSP));
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\"/>\n");
    out.push_str("<meta name=\"generator\" content=\"Casebook 经验库\"/>\n");
    let _ = writeln!(out, "<title>{}</title>", escape_xml(&doc.title));
    let _ = writeln!(out, "<style>{}</style>\n</head>\n<body>", css());
    if !doc.no_cover {
        cover(&mut out, doc);
    }
    out.push_str("<main>\n");
    blocks(&mut out, doc, &doc.blocks);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn cover(out: &mut String, doc: &Document) {
    match &doc.issuer {
        Some(issuer) => {
            // The 版头 of a 公文: the organ in red above a red rule, the title under it, then the subtitle.
            out.push_str("<header class=\"cover issued\">\n");
            // The printed text column is 166 mm = 470 pt wide.
            let points = super::model::fitted_points(issuer, 470, 30);
            let _ =
                writeln!(out, "<p class=\"cover-issuer\" style=\"font-size: {points}pt\">{}</p>", escape_xml(issuer));
            out.push_str("<hr class=\"cover-rule\"/>\n");
            let _ = writeln!(out, "<h1 class=\"cover-title\">{}</h1>", escape_xml(&doc.title));
            let _ = writeln!(out, "<p class=\"cover-subtitle\">{}</p>", escape_xml(&doc.subtitle));
        }
        None => {
            out.push_str("<header class=\"cover\">\n");
            let _ = writeln!(out, "<p class=\"cover-kicker\">{}</p>", escape_xml(&doc.subtitle));
            let _ = writeln!(out, "<h1 class=\"cover-title\">{}</h1>", escape_xml(&doc.title));
        }
    }
    if !doc.cover.is_empty() {
        fields(out, &doc.cover, "fields cover-fields");
    }
    let _ = writeln!(out, "<p class=\"cover-date\">{}</p>", escape_xml(&doc.date));
    out.push_str("<p class=\"cover-source\">由经验库依据资料库记录生成</p>\n</header>\n");
}

fn fields(out: &mut String, fields: &[(String, String)], class: &str) {
    let _ = write!(out, "<dl class=\"{class}\">");
    for (k, v) in fields {
        let _ = write!(out, "<div><dt>{}</dt><dd>{}</dd></div>", escape_xml(k), escape_xml(v));
    }
    out.push_str("</dl>\n");
}

fn blocks(out: &mut String, doc: &Document, list: &[Block]) {
    for block in list {
        block_html(out, doc, block);
    }
}

fn id_attr(anchor: Option<&str>) -> String {
    anchor.map(|a| format!(" id=\"{}\"", escape_xml(a))).unwrap_or_default()
}

fn block_html(out: &mut String, doc: &Document, block: &Block) {
    match block {
        Block::Part { title, anchor } => {
            let _ = writeln!(out, "<h1 class=\"part\"{}>{}</h1>", id_attr(Some(anchor)), escape_xml(title));
        }
        Block::Heading { level, text, anchor } => {
            let tag = format!("h{}", (*level).clamp(2, 4));
            let _ = writeln!(out, "<{tag}{}>{}</{tag}>", id_attr(anchor.as_deref()), escape_xml(text));
        }
        Block::DocTitle { title, byline, anchor } => {
            let _ = writeln!(out, "<h2 class=\"doc-title\"{}>{}</h2>", id_attr(Some(anchor)), escape_xml(title));
            for (i, line) in byline.iter().enumerate() {
                let class = if i + 1 == byline.len() { "byline byline-last" } else { "byline" };
                let _ = writeln!(out, "<p class=\"{class}\">{}</p>", escape_xml(line));
            }
        }
        Block::Paragraph(spans) => {
            out.push_str("<p>");
            inline(out, spans);
            out.push_str("</p>\n");
        }
        Block::List { ordered, start, items } => {
            let open = if *ordered {
                if *start == 1 { "<ol>".to_string() } else { format!("<ol start=\"{start}\">") }
            } else {
                "<ul>".to_string()
            };
            out.push_str(&open);
            for item in items {
                out.push_str("<li>");
                // A one-paragraph item needs no <p>.
                match item.as_slice() {
                    [Block::Paragraph(spans)] => inline(out, spans),
                    _ => blocks(out, doc, item),
                }
                out.push_str("</li>");
            }
            out.push_str(if *ordered { "</ol>\n" } else { "</ul>\n" });
        }
        Block::Quote(inner) => {
            out.push_str("<blockquote>\n");
            blocks(out, doc, inner);
            out.push_str("</blockquote>\n");
        }
        Block::Code(code) => {
            let _ = writeln!(out, "<pre><code>{}</code></pre>", escape_xml(code));
        }
        Block::Table(t) => table(out, t, true),
        Block::Figure { chart, table: t } => {
            out.push_str("<figure>\n<div class=\"chart\">");
            let label = t.caption.clone().unwrap_or_default();
            if !label.is_empty() {
                let _ = writeln!(out, "<figcaption>{}</figcaption>", escape_xml(&label));
            }
            out.push_str(&svg::render(chart, &label));
            out.push_str("</div>\n");
            table(out, t, false);
            out.push_str("</figure>\n");
        }
        Block::Fields(f) => fields(out, f, "fields"),
        Block::Note { title, blocks: inner } => {
            let _ = writeln!(out, "<aside class=\"note\"><p class=\"note-title\">{}</p>", escape_xml(title));
            blocks(out, doc, inner);
            out.push_str("</aside>\n");
        }
        Block::Checklist(items) => {
            out.push_str("<ul class=\"checklist\">\n");
            for item in items {
                let (class, flag) = if item.flagged {
                    (" class=\"flagged\"", "<span class=\"flag\">需处理</span>")
                } else {
                    ("", "")
                };
                let _ = writeln!(out, "<li{class}><span class=\"box\">□</span>{}{flag}</li>", escape_xml(&item.text));
            }
            out.push_str("</ul>\n");
        }
        Block::Contents => {
            let toc = doc.contents();
            if toc.is_empty() {
                return;
            }
            out.push_str("<nav class=\"toc\">\n<h1>目录</h1>\n<ol>\n");
            for e in toc {
                let class = if e.depth == 0 { "toc-part" } else { "toc-sub" };
                let _ = writeln!(
                    out,
                    "<li class=\"{class}\"><a href=\"#{}\">{}</a></li>",
                    escape_xml(&e.anchor),
                    escape_xml(&e.text)
                );
            }
            out.push_str("</ol>\n</nav>\n");
        }
        Block::Rule => out.push_str("<hr/>\n"),
    }
}

fn table(out: &mut String, t: &Table, with_caption: bool) {
    out.push_str("<table>");
    if with_caption && let Some(c) = &t.caption {
        let _ = write!(out, "<caption>{}</caption>", escape_xml(c));
    }
    // Short columns (区县, 单位, 趋势 …) never wrap mid-word; numbers are right-aligned.
    let longest = |i: usize| {
        std::iter::once(&t.header).chain(&t.rows).filter_map(|r| r.get(i)).map(|c| c.chars().count()).max().unwrap_or(0)
    };
    let class = |i: usize| {
        if t.numeric.get(i).copied().unwrap_or(false) {
            " class=\"num\""
        } else if longest(i) <= 6 {
            " class=\"nw\""
        } else {
            ""
        }
    };
    if !t.header.is_empty() {
        out.push_str("<thead><tr>");
        for (i, h) in t.header.iter().enumerate() {
            let _ = write!(out, "<th{}>{}</th>", class(i), escape_xml(h));
        }
        out.push_str("</tr></thead>");
    }
    out.push_str("<tbody>");
    for (r, row) in t.rows.iter().enumerate() {
        out.push_str(if t.highlight.contains(&r) { "<tr class=\"hl\">" } else { "<tr>" });
        for (i, cell) in row.iter().enumerate() {
            let _ = write!(out, "<td{}>{}</td>", class(i), escape_xml(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

fn inline(out: &mut String, spans: &[Span]) {
    for s in spans {
        let mut open = String::new();
        let mut close = String::new();
        // Links were filtered by the sanitiser; check again so a renderer can never emit a bad target.
        if let Some(url) = s.link.as_deref().filter(|u| markup::allowed_link(u)) {
            let _ = write!(open, "<a href=\"{}\">", escape_xml(url));
            close.insert_str(0, "</a>");
        }
        for (on, tag) in [(s.bold, "strong"), (s.italic, "em"), (s.strike, "del"), (s.code, "code")] {
            if on {
                let _ = write!(open, "<{tag}>");
                close.insert_str(0, &format!("</{tag}>"));
            }
        }
        out.push_str(&open);
        for (i, line) in s.text.split('\n').enumerate() {
            if i > 0 {
                out.push_str("<br/>");
            }
            out.push_str(&escape_xml(line));
        }
        out.push_str(&close);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::model::para;

    #[test]
    fn renders_a_strict_xml_page_without_scripts() {
        let doc = Document {
            title: "标题 <script>".into(),
            subtitle: "副标题".into(),
            date: "2024年5月20日".into(),
            blocks: vec![
                Block::Contents,
                Block::Part { title: "第一部分".into(), anchor: "sec-1".into() },
                para("a\nb & <img src=x onerror=alert(1)>"),
                Block::Paragraph(vec![Span {
                    text: "坏".into(),
                    link: Some("javascript:x".into()),
                    ..Span::default()
                }]),
            ],
            ..Document::default()
        };
        let html = render(&doc);
        let mut reader = quick_xml::Reader::from_str(&html);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    assert!(!["script", "img", "iframe"].contains(&name.as_str()), "{name}");
                }
                Ok(_) => {}
                Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
            }
        }
        assert!(html.contains("a<br/>b &amp; &lt;img src=x onerror=alert(1)&gt;"));
        assert!(!html.contains("javascript"));
        assert!(html.contains("<a href=\"#sec-1\">第一部分</a>"));
        assert!(html.contains("@page { size: A4;"));
        assert!(html.contains(CSP.replace('\'', "&#39;").as_str()));
    }
}
