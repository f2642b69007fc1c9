//! The neutral document every format renders: a packet or a study pack is gathered once into these blocks, then
//! written as HTML, .docx and Markdown. Keeping one model means the three files always say the same thing, and the
//! numbers table (CSV) lists exactly the numbers the pages show.

/// A whole export: cover, blocks in reading order, the numbers shown and the records used.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Printed on the cover and as the HTML title.
    pub title: String,
    /// The line under the title (展示材料, 学习材料 …).
    pub subtitle: String,
    /// The issuing organ at the head of the cover (发文机关标志, from [`crate::library::Config::issuer_for`]),
    /// printed in red above a red rule as a 公文's 版头 is; `None`: the cover starts with the subtitle.
    pub issuer: Option<String>,
    /// Label–value lines on the cover.
    pub cover: Vec<(String, String)>,
    /// The date printed on the cover, e.g. 2024年5月20日.
    pub date: String,
    /// The same moment as an ISO 8601 timestamp, for file metadata.
    pub timestamp: String,
    pub blocks: Vec<Block>,
    /// Every number shown in a table or chart, in the order shown; written as the CSV.
    pub numbers: Vec<NumberRow>,
    /// The library records the document was made from, in first-use order.
    pub sources: Vec<Source>,
    /// Problems a preparer should fix (also on the checklist page).
    pub warnings: Vec<String>,
    /// A single record printed from the app: the HTML starts with the text, no cover page.
    pub no_cover: bool,
}

/// One block of the document, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A part (第一部分 …): starts a new page and appears in the table of contents.
    Part {
        title: String,
        anchor: String,
    },
    /// A heading: level 2 is 一、(黑体), 3 is （一）(楷体), 4 is 1.(仿宋). Generated headings carry an anchor and
    /// appear in the table of contents when level 2.
    Heading {
        level: u8,
        text: String,
        anchor: Option<String>,
    },
    /// A write-up's own title (小标宋, centred, new page) with its byline.
    DocTitle {
        title: String,
        byline: Vec<String>,
        anchor: String,
    },
    Paragraph(Vec<Span>),
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Quote(Vec<Block>),
    Code(String),
    Table(Table),
    /// A chart with the table of its numbers: HTML draws both, .docx and Markdown the table only.
    Figure {
        chart: Chart,
        table: Table,
    },
    /// Label–value lines (地址：…).
    Fields(Vec<(String, String)>),
    /// A boxed note (the trainer's 学习提示).
    Note {
        title: String,
        blocks: Vec<Block>,
    },
    /// Check boxes; a flagged item needs attention.
    Checklist(Vec<CheckItem>),
    /// Where the table of contents goes; every renderer builds it from the parts and headings.
    Contents,
    Rule,
}

/// A run of text with one style. A `\n` inside `text` is a line break.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub code: bool,
    pub strike: bool,
    /// A link target, only ever http(s), mailto or #fragment (see `markup`).
    pub link: Option<String>,
}

impl Span {
    /// Plain text.
    pub fn plain(text: impl Into<String>) -> Span {
        Span { text: text.into(), ..Span::default() }
    }

    /// Bold text.
    pub fn bold(text: impl Into<String>) -> Span {
        Span { text: text.into(), bold: true, ..Span::default() }
    }

    /// Same style and link, so two spans can be merged.
    pub fn same_style(&self, other: &Span) -> bool {
        (self.bold, self.italic, self.code, self.strike) == (other.bold, other.italic, other.code, other.strike)
            && self.link == other.link
    }
}

/// A paragraph of plain text.
pub fn para(text: impl Into<String>) -> Block {
    Block::Paragraph(vec![Span::plain(text)])
}

/// A table of text cells. `numeric` columns are right-aligned; `highlight` rows are emphasised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub caption: Option<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub numeric: Vec<bool>,
    pub highlight: Vec<usize>,
}

impl Table {
    /// A table with a caption and header; rows are pushed afterwards.
    pub fn new(caption: Option<String>, header: &[&str]) -> Table {
        Table {
            caption,
            header: header.iter().map(|h| h.to_string()).collect(),
            numeric: vec![false; header.len()],
            ..Table::default()
        }
    }

    /// Marks columns as numeric (right-aligned).
    pub fn numeric_columns(mut self, columns: &[usize]) -> Table {
        for &c in columns {
            if let Some(n) = self.numeric.get_mut(c) {
                *n = true;
            }
        }
        self
    }
}

/// One check box of a checklist.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckItem {
    pub text: String,
    /// Needs attention (shown with a mark, listed in the warnings).
    pub flagged: bool,
}

/// What a figure draws. The numbers are the ones in the figure's table, already computed by `compare`.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// A visiting route: numbered stops in order with their minutes.
    Route { stops: Vec<RouteStop>, total_minutes: u32 },
    /// Before and after of each indicator, each row on its own scale (units differ).
    BeforeAfter { rows: Vec<BarRow> },
    /// 群众评价: satisfaction per period with the sample size.
    Series { unit: String, points: Vec<SeriesPoint> },
    /// Cross-district: before → after of one indicator for every project reporting it, on one scale.
    Dumbbell { unit: String, rows: Vec<DumbbellRow> },
}

/// One stop of a route diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteStop {
    pub name: String,
    pub minutes: Option<u32>,
}

/// One indicator of a before/after chart.
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    pub label: String,
    pub unit: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// Whether the change is an improvement (`None` when unknown): colours the after-bar.
    pub improved: Option<bool>,
}

/// One period of an evaluation series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    pub period: String,
    pub value: Option<f64>,
    pub sample: Option<u64>,
}

/// One project of a cross-district chart.
#[derive(Debug, Clone, PartialEq)]
pub struct DumbbellRow {
    pub label: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub improved: Option<bool>,
    /// The project the packet is about.
    pub highlight: bool,
}

/// One line of the numbers CSV: a before/after pair, or a single value (satisfaction, minutes, capacity).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NumberRow {
    /// Which table the number is from (指标对比, 横向对比, 群众评价, 调研路线, 接待保障).
    pub category: String,
    /// Record id (project or site).
    pub id: String,
    /// Project or site name.
    pub name: String,
    pub district: String,
    pub indicator: String,
    pub unit: String,
    pub before_period: Option<String>,
    pub before: Option<f64>,
    pub after_period: Option<String>,
    pub after: Option<f64>,
    pub change: Option<f64>,
    pub change_pct: Option<f64>,
    pub target: Option<f64>,
    pub target_met: Option<bool>,
    pub trend: String,
    pub period: Option<String>,
    pub value: Option<f64>,
    pub sample: Option<u64>,
}

/// A record the document was made from (for manifest.json).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    pub id: String,
    pub kind: String,
    pub title: String,
    /// Path relative to the library.
    pub path: String,
}

/// An entry of the table of contents: depth 0 for parts, 1 for sections and write-ups.
#[derive(Debug, Clone, PartialEq)]
pub struct TocEntry {
    pub depth: u8,
    pub text: String,
    pub anchor: String,
}

impl Document {
    /// The table of contents: parts, generated level-2 headings and write-up titles.
    pub fn contents(&self) -> Vec<TocEntry> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Part { title, anchor } => {
                    Some(TocEntry { depth: 0, text: title.clone(), anchor: anchor.clone() })
                }
                Block::Heading { level: 2, text, anchor: Some(anchor) } => {
                    Some(TocEntry { depth: 1, text: text.clone(), anchor: anchor.clone() })
                }
                Block::DocTitle { title, anchor, .. } => {
                    Some(TocEntry { depth: 1, text: title.clone(), anchor: anchor.clone() })
                }
                _ => None,
            })
            .collect()
    }

    /// Every part, heading and write-up title in reading order: what a reader can navigate by.
    pub fn titles(&self) -> Vec<&str> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Part { title, .. } | Block::DocTitle { title, .. } => Some(title.as_str()),
                Block::Heading { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Removes characters XML 1.0 cannot carry (control characters other than tab and newlines), so that a stray
/// control byte in a record cannot make an exported file unreadable.
pub fn xml_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c < ' ' && c != '\t' && c != '\n' && c != '\r') || c == '\u{FFFE}' || c == '\u{FFFF}' || c == '\u{7F}'
    };
    if text.chars().any(bad) { text.chars().filter(|&c| !bad(c)).collect::<String>().into() } else { text.into() }
}

/// Escapes text for XML and HTML (content and attribute values), dropping characters XML cannot carry.
pub fn escape_xml(text: &str) -> String {
    let text = xml_safe(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The largest size, in points and at most `max`, at which a line of full-width characters fits in `width`
/// points (the issuing organ's name on a cover stays on one line, as a 发文机关标志 does).
pub fn fitted_points(text: &str, width: u32, max: u32) -> u32 {
    let chars = text.chars().count().max(1) as u32;
    (width / chars).clamp(12, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(escape_xml("<a href=\"x\">&'\u{1}\u{7}"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(xml_safe("正文\t\n"), "正文\t\n");
    }

    #[test]
    fn contents_lists_parts_sections_and_writeups() {
        let doc = Document {
            blocks: vec![
                Block::Part { title: "第一部分".into(), anchor: "a1".into() },
                Block::Heading { level: 2, text: "一、路线".into(), anchor: Some("a2".into()) },
                Block::Heading { level: 2, text: "一、正文标题".into(), anchor: None },
                Block::DocTitle { title: "材料".into(), byline: vec![], anchor: "a3".into() },
            ],
            ..Document::default()
        };
        let toc = doc.contents();
        assert_eq!(
            toc.iter().map(|t| (t.depth, t.text.as_str())).collect::<Vec<_>>(),
            [(0, "第一部分"), (1, "一、路线"), (1, "材料")]
        );
        assert_eq!(doc.titles().len(), 4);
    }
}
