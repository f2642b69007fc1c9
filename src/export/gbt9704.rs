//! GB/T 9704-2012 (党政机关公文格式) as rules a .docx can be measured against, and `casebook docx-check`, which
//! measures any .docx (ours after export, a district's own) and says, in Chinese, which rules it meets or breaks.
//!
//! Measured: paper (A4), margins and the type area (天头 37 mm, 订口 28 mm, 版心 156 × 225 mm), the body's font
//! and size (3号 仿宋), the grid (22 lines of 28 characters), the title (2号 小标宋), heading fonts by their typed
//! numbering (一、黑体, （一）楷体, 1．and （1）仿宋), and page numbers (4号 宋体 “— 1 —”, odd pages right and even
//! pages left one character in, about 7 mm below the type area). What a file leaves to the program's defaults
//! (a theme font, no grid) is reported as such rather than guessed.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::import::docx::dom::{self, Element, Node};
use crate::import::docx::package::{Limits, Package};
use crate::import::docx::styles::{RunProps, Styles, exact_line, flag};

/// Twips in one millimetre.
const TWIPS_PER_MM: f64 = 1440.0 / 25.4;
/// How far a margin may be from the standard (the standard's own tolerance is ±1 mm).
const MARGIN_TOLERANCE_MM: f64 = 1.0;

/// Whether a rule is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    Broken,
    /// The file does not say (the program's default applies), or there was nothing to measure.
    Unknown,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Met => "符合",
            Verdict::Broken => "不符合",
            Verdict::Unknown => "无法判断",
        }
    }
}

/// One rule, what the standard asks and what the file has.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub expected: String,
    pub found: String,
    pub verdict: Verdict,
}

/// Measures a .docx against the rules. Errors are Chinese messages (not a Word file, damaged, hostile).
pub fn check_docx(path: &Path) -> Result<Vec<Finding>, String> {
    let mut pkg = Package::open(path, Limits::default())?;
    let mut warnings = Vec::new();
    let main = crate::import::docx::main_part(&mut pkg, &mut warnings)?;
    let part = |pkg: &mut Package, name: &str| -> Result<Option<Element>, String> {
        match pkg.xml(name)? {
            Some(bytes) => dom::parse(&bytes, name).map(Some),
            None => Ok(None),
        }
    };
    let Some(document) = part(&mut pkg, &main)? else {
        return Err(format!("缺少 {main}：这不是 Word 文档"));
    };
    let Some(body) = document.child("body") else {
        return Err(format!("{main} 中没有正文（w:body），不是 Word 文档"));
    };
    let dir = main.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
    let sibling = |name: &str| if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
    let styles = part(&mut pkg, &sibling("styles.xml"))?.map(|s| Styles::read(&s)).unwrap_or_default();
    let settings = part(&mut pkg, &sibling("settings.xml"))?;
    let rels_name = sibling(&format!("_rels/{}.rels", main.rsplit('/').next().unwrap_or("document.xml")));
    let rels: HashMap<String, String> = part(&mut pkg, &rels_name)?
        .map(|r| {
            let mut all = Vec::new();
            r.find_all("Relationship", &mut all);
            all.iter()
                .filter_map(|e| Some((e.attr("Id")?.to_string(), sibling(e.attr("Target")?.trim_start_matches("./")))))
                .collect()
        })
        .unwrap_or_default();
    let section = body.child("sectPr");
    let mut footers = Vec::new();
    if let Some(s) = section {
        for r in s.elements().filter(|e| e.name == "footerReference") {
            let kind = r.attr("type").unwrap_or("default").to_string();
            if let Some(target) = r.attr("id").and_then(|id| rels.get(id))
                && let Some(footer) = part(&mut pkg, target)?
            {
                footers.push((kind, footer));
            }
        }
    }
    let even_and_odd =
        settings.as_ref().and_then(|s| s.child("evenAndOddHeaders")).and_then(|e| flag(Some(e))).unwrap_or(false);
    let paragraphs = paragraphs(body, &styles);
    let mut out = Vec::new();
    out.extend(page_rules(section));
    out.push(body_font(&paragraphs));
    out.extend(grid_rules(section, &styles, &paragraphs));
    out.push(title_rule(&paragraphs));
    out.extend(heading_rules(&paragraphs));
    out.extend(page_number_rules(section, &footers, even_and_odd, &styles));
    Ok(out)
}

fn mm(twips: f64) -> f64 {
    twips / TWIPS_PER_MM
}

fn twips(e: Option<&Element>, attr: &str) -> Option<f64> {
    e?.attr(attr)?.trim().parse::<f64>().ok()
}

fn finding(rule: &'static str, expected: impl Into<String>, found: impl Into<String>, verdict: Verdict) -> Finding {
    Finding { rule, expected: expected.into(), found: found.into(), verdict }
}

fn met(ok: bool) -> Verdict {
    if ok { Verdict::Met } else { Verdict::Broken }
}

/// Paper size and margins.
fn page_rules(section: Option<&Element>) -> Vec<Finding> {
    let size = section.and_then(|s| s.child("pgSz"));
    let paper = match (twips(size, "w"), twips(size, "h")) {
        (Some(w), Some(h)) => {
            let (w, h) = (mm(w), mm(h));
            let a4 = (w - 210.0).abs() <= 1.0 && (h - 297.0).abs() <= 1.0;
            finding("纸张", "A4（210 × 297 mm）", format!("{w:.0} × {h:.0} mm"), met(a4))
        }
        _ => finding("纸张", "A4（210 × 297 mm）", "文件未设置（由程序默认，可能是 Letter）", Verdict::Unknown),
    };
    let margins = section.and_then(|s| s.child("pgMar"));
    let mut out = vec![paper];
    for (rule, attr, want) in [
        ("上边距（天头）", "top", 37.0),
        ("下边距", "bottom", 35.0),
        ("左边距（订口）", "left", 28.0),
        ("右边距", "right", 26.0),
    ] {
        out.push(match twips(margins, attr) {
            Some(t) => {
                let got = mm(t.abs());
                finding(
                    rule,
                    format!("{want:.0} mm ± 1 mm"),
                    format!("{got:.1} mm"),
                    met((got - want).abs() <= MARGIN_TOLERANCE_MM),
                )
            }
            None => finding(rule, format!("{want:.0} mm ± 1 mm"), "文件未设置", Verdict::Unknown),
        });
    }
    out
}

/// A paragraph as measured: its text, alignment, style and each run's effective properties with its length.
#[derive(Debug, Clone)]
struct Para {
    text: String,
    centred: bool,
    exact_line: Option<f64>,
    style_id: Option<String>,
    style_name: String,
    runs: Vec<(RunProps, usize)>,
}

impl Para {
    /// The properties most of its characters have.
    fn main_run(&self) -> Option<&RunProps> {
        let mut best: Option<(&RunProps, usize)> = None;
        for (p, n) in &self.runs {
            let total: usize = self.runs.iter().filter(|(q, _)| q == p).map(|(_, n)| n).sum();
            if best.is_none_or(|(_, b)| total > b) && *n > 0 {
                best = Some((p, total));
            }
        }
        best.map(|(p, _)| p)
    }
}

/// The body's paragraphs outside tables and the table of contents, in order.
fn paragraphs(body: &Element, styles: &Styles) -> Vec<Para> {
    let mut out = Vec::new();
    for p in body.elements().filter(|e| e.name == "p") {
        let ppr = p.child("pPr");
        let style_id = ppr.and_then(|x| x.child_val("pStyle")).map(str::to_string);
        let style_run = styles.run(style_id.as_deref());
        let jc = ppr.and_then(|x| x.child_val("jc")).map(str::to_string).or_else(|| styles.jc(style_id.as_deref()));
        let mut runs = Vec::new();
        let mut text = String::new();
        let mut all_runs = Vec::new();
        collect_runs(p, &mut all_runs);
        for r in all_runs {
            let t: String = r.elements().filter(|e| e.name == "t").map(Element::own_text).collect();
            if t.is_empty() {
                continue;
            }
            let rpr = r.child("rPr");
            let char_style = rpr.and_then(|x| x.child_val("rStyle"));
            let mut props = RunProps::read(rpr);
            if let Some(cs) = char_style.and_then(|c| styles.character(c)) {
                props = props.over(cs);
            }
            runs.push((props.over(&style_run), t.chars().filter(|c| !c.is_whitespace()).count()));
            text.push_str(&t);
        }
        let style_name = styles.name(style_id.as_deref()).to_string();
        // Lines of a table of contents repeat the headings; they are set as the contents, not as headings.
        let contents = style_name.to_lowercase().starts_with("toc")
            || style_id.as_deref().is_some_and(|i| i.to_lowercase().starts_with("toc"));
        if contents {
            continue;
        }
        let exact_line = exact_line(ppr).or_else(|| styles.exact_line(style_id.as_deref()));
        out.push(Para {
            text: text.trim().to_string(),
            centred: jc.as_deref() == Some("center"),
            exact_line,
            style_id,
            style_name,
            runs,
        });
    }
    out
}

/// The runs of a paragraph, hyperlinks and simple fields included.
fn collect_runs<'a>(e: &'a Element, out: &mut Vec<&'a Element>) {
    for child in &e.children {
        if let Node::Element(c) = child {
            match c.name.as_str() {
                "r" => out.push(c),
                "hyperlink" | "fldSimple" | "ins" | "smartTag" | "sdt" | "sdtContent" => collect_runs(c, out),
                _ => {}
            }
        }
    }
}

fn describe(p: &RunProps) -> String {
    let font = p.font.clone().unwrap_or_else(|| "未设置字体".into());
    match p.size {
        Some(s) => format!("{font} {}", size_name(s)),
        None => format!("{font}（未设置字号）"),
    }
}

/// 3号 for 32 half-points, else the points.
fn size_name(half_points: u32) -> String {
    let named = match half_points {
        44 => Some("2号"),
        32 => Some("3号"),
        28 => Some("4号"),
        21 => Some("5号"),
        _ => None,
    };
    let pt = f64::from(half_points) / 2.0;
    match named {
        Some(n) => format!("{n}（{pt} 磅）"),
        None => format!("{pt} 磅"),
    }
}

fn font_is(font: Option<&str>, names: &[&str]) -> bool {
    font.is_some_and(|f| {
        let f = f.to_lowercase();
        names.iter().any(|n| f.contains(&n.to_lowercase()))
    })
}

const FANGSONG: &[&str] = &["仿宋", "fangsong"];
const HEITI: &[&str] = &["黑体", "simhei", "heiti"];
const KAITI: &[&str] = &["楷体", "kaiti"];
const SONGTI: &[&str] = &["宋体", "simsun", "songti"];
const XIAOBIAOSONG: &[&str] = &["小标宋", "xiaobiaosong"];

/// Whether a paragraph reads as body text: a sentence of some length, not a title or a typed heading.
fn is_body(p: &Para) -> bool {
    p.text.chars().count() >= 20 && !p.centred && crate::text::markdown::heading_rank(&p.text).is_none()
}

/// The run properties most characters of the body paragraphs have.
fn body_run(paras: &[Para]) -> Option<RunProps> {
    let mut tally: HashMap<String, (RunProps, usize)> = HashMap::new();
    for p in paras.iter().filter(|p| is_body(p)) {
        for (props, n) in &p.runs {
            tally.entry(format!("{props:?}")).or_insert_with(|| (props.clone(), 0)).1 += n;
        }
    }
    tally.into_values().max_by_key(|(_, n)| *n).map(|(props, _)| props)
}

fn body_font(paras: &[Para]) -> Finding {
    let expected = "3号（16 磅）仿宋";
    let Some(props) = body_run(paras) else {
        return finding("正文字体字号", expected, "没有正文段落可量", Verdict::Unknown);
    };
    let verdict = match (&props.font, props.size) {
        (_, Some(s)) if s != 32 => Verdict::Broken,
        (Some(f), _) if f.starts_with("主题字体") => Verdict::Unknown,
        (Some(_), Some(s)) => met(font_is(props.font.as_deref(), FANGSONG) && s == 32),
        _ => Verdict::Unknown,
    };
    finding("正文字体字号", expected, describe(&props), verdict)
}

/// 22 lines of 28 characters: the document grid's line and character pitch over the type area.
fn grid_rules(section: Option<&Element>, styles: &Styles, paras: &[Para]) -> Vec<Finding> {
    let margins = section.and_then(|s| s.child("pgMar"));
    let size = section.and_then(|s| s.child("pgSz"));
    let grid = section.and_then(|s| s.child("docGrid"));
    // Without a page size, measure on A4 (what the paper rule asks for).
    let size_of = |attr: &str, a4: f64| twips(size, attr).or(Some(a4));
    let height = size_of("h", 16838.0)
        .zip(twips(margins, "top"))
        .zip(twips(margins, "bottom"))
        .map(|((h, t), b)| h - t.abs() - b.abs());
    let width =
        size_of("w", 11906.0).zip(twips(margins, "left")).zip(twips(margins, "right")).map(|((w, l), r)| w - l - r);
    let kind = grid.and_then(|g| g.attr("type")).unwrap_or("");
    // An exact line spacing of the body decides the lines; else the grid's line pitch.
    let mut spacings: HashMap<i64, usize> = HashMap::new();
    for p in paras.iter().filter(|p| is_body(p)) {
        if let Some(l) = p.exact_line {
            *spacings.entry(l as i64).or_default() += 1;
        }
    }
    let exact = spacings.into_iter().max_by_key(|(_, n)| *n).map(|(l, _)| l as f64).filter(|l| *l > 0.0);
    let lines = match (height, exact, twips(grid, "linePitch")) {
        (Some(h), Some(line), _) => {
            let n = (h / line + 0.01).floor();
            finding(
                "每页行数",
                "22 行",
                format!("{n:.0} 行（正文固定行距 {:.1} 磅）", line / 20.0),
                met(n as i64 == 22),
            )
        }
        (Some(h), None, Some(pitch)) if pitch > 0.0 && matches!(kind, "lines" | "linesAndChars" | "snapToChars") => {
            let n = (h / pitch + 0.01).floor();
            finding("每页行数", "22 行", format!("{n:.0} 行（行距 {:.1} 磅）", pitch / 20.0), met(n as i64 == 22))
        }
        _ => finding("每页行数", "22 行", "未设置文档网格（行数由行距决定）", Verdict::Unknown),
    };
    let chars = match (width, grid.and_then(|g| g.attr("charSpace")).and_then(|c| c.parse::<f64>().ok())) {
        (Some(w), Some(space)) if kind == "linesAndChars" || kind == "snapToChars" => {
            // Word counts the character pitch from the Normal style's size.
            let base = f64::from(styles.run(None).size.unwrap_or(21)) / 2.0;
            let pitch = (base + space / 4096.0) * 20.0;
            let n = (w / pitch + 0.01).floor();
            finding("每行字数", "28 字", format!("{n:.0} 字（字距 {:.2} 磅）", pitch / 20.0), met(n as i64 == 28))
        }
        // No character grid: the body's size and character spacing decide.
        _ => match (width, body_run(paras).and_then(|r| r.size.map(|s| (s, r.spacing)))) {
            (Some(w), Some((half_points, spacing))) => {
                let spacing = spacing.unwrap_or(0.0);
                let pitch = f64::from(half_points) * 10.0 + spacing;
                let n = (w / pitch + 0.01).floor();
                let how = if spacing == 0.0 {
                    format!("{n:.0} 字（未设置字符网格，字号 {} 磅）", f64::from(half_points) / 2.0)
                } else {
                    format!("{n:.0} 字（字号 {} 磅，字距 {:+.2} 磅）", f64::from(half_points) / 2.0, spacing / 20.0)
                };
                finding("每行字数", "28 字", how, met(n as i64 == 28))
            }
            _ => {
                finding("每行字数", "28 字", "未设置字符网格（每行字数随字号而定，3号字一般为 27 字）", Verdict::Broken)
            }
        },
    };
    vec![lines, chars]
}

/// The title: a paragraph styled as the title, else the first centred one.
fn title_rule(paras: &[Para]) -> Finding {
    let styled = paras.iter().find(|p| {
        !p.text.is_empty()
            && (p.style_id.as_deref() == Some("Title")
                || p.style_name.eq_ignore_ascii_case("title")
                || p.style_name.contains("公文标题"))
    });
    let title = styled.or_else(|| paras.iter().find(|p| p.centred && p.text.chars().count() >= 4));
    let expected = "2号（22 磅）小标宋";
    let Some(props) = title.and_then(Para::main_run) else {
        return finding("标题字体字号", expected, "没有找到标题（居中或“标题”样式的段落）", Verdict::Unknown);
    };
    let verdict = met(font_is(props.font.as_deref(), XIAOBIAOSONG) && props.size == Some(44));
    let text: String = title.map(|t| t.text.chars().take(20).collect()).unwrap_or_default();
    finding("标题字体字号", expected, format!("{}：“{text}”", describe(props)), verdict)
}

/// Headings typed with 一、（一）1．（1）: 黑体, 楷体, 仿宋, 仿宋.
fn heading_rules(paras: &[Para]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (rank, rule, label, fonts) in [
        (1u8, "一级标题（一、）", "黑体", HEITI),
        (2, "二级标题（（一））", "楷体", KAITI),
        (3, "三级标题（1．）", "仿宋", FANGSONG),
        (4, "四级标题（（1））", "仿宋", FANGSONG),
    ] {
        let of_rank: Vec<&Para> =
            paras.iter().filter(|p| crate::text::markdown::heading_rank(&p.text) == Some(rank)).collect();
        if of_rank.is_empty() {
            continue;
        }
        let wrong: Vec<&Para> = of_rank
            .iter()
            .copied()
            .filter(|p| !p.main_run().is_some_and(|r| font_is(r.font.as_deref(), fonts)))
            .collect();
        let found = match wrong.first() {
            None => format!("{} 个，均为{label}", of_rank.len()),
            Some(p) => format!(
                "{} 个中 {} 个不是{label}，如“{}”为 {}",
                of_rank.len(),
                wrong.len(),
                p.text.chars().take(16).collect::<String>(),
                p.main_run().map(describe).unwrap_or_else(|| "未设置".into())
            ),
        };
        out.push(finding(rule, format!("{label}，3号"), found, met(wrong.is_empty())));
    }
    out
}

/// Page numbers: “— 1 —” in 4号 宋体, odd pages right and even pages left, one character in, about 7 mm below
/// the type area.
fn page_number_rules(
    section: Option<&Element>,
    footers: &[(String, Element)],
    even_and_odd: bool,
    styles: &Styles,
) -> Vec<Finding> {
    let with_page: Vec<(&str, &Element)> =
        footers.iter().filter(|(_, f)| has_page_field(f)).map(|(k, f)| (k.as_str(), f)).collect();
    if with_page.is_empty() {
        return vec![finding("页码", "每页有页码（4号宋体“— 1 —”）", "页脚中没有页码域（PAGE）", Verdict::Broken)];
    }
    let mut out = Vec::new();
    let odd = with_page.iter().find(|(k, _)| *k == "default").map(|(_, f)| *f);
    let even = with_page.iter().find(|(k, _)| *k == "even").map(|(_, f)| *f);
    let sample = odd.or(even).unwrap_or(with_page[0].1);
    let mut text = String::new();
    visible_text(sample, &mut text);
    let in_dash = section.and_then(|s| s.child("pgNumType")).and_then(|p| p.attr("fmt")) == Some("numberInDash");
    let dashed = !in_dash && (text.contains('—') || text.contains('－'));
    let shown = if in_dash {
        "“- 1 -”（页码格式 numberInDash，用的是连字符）".to_string()
    } else {
        format!("“{}”", text.trim())
    };
    out.push(finding("页码格式", "数字两侧各一条一字线：“— 1 —”", shown, met(dashed)));
    let props = footer_run(sample, styles);
    let font_ok = font_is(props.font.as_deref(), SONGTI) && props.size == Some(28);
    out.push(finding(
        "页码字体字号",
        "4号（14 磅）宋体",
        describe(&props),
        if props.font.is_none() { Verdict::Unknown } else { met(font_ok) },
    ));
    // Where a footer puts its figures: the paragraph's alignment (or its style's), or a frame or text box set
    // to the outside edge (right on odd pages, left on even ones); the indent, in twips or in hundredths of a
    // character.
    let place = |f: Option<&Element>| -> (Option<String>, f64, f64) {
        let Some(f) = f else { return (None, 0.0, 0.0) };
        let ppr = f.find("pPr");
        let style = ppr.and_then(|p| p.child_val("pStyle"));
        let jc = ppr.and_then(|p| p.child_val("jc")).map(str::to_string).or_else(|| styles.jc(style));
        let jc = box_align(f).or(jc);
        let ind = ppr.and_then(|p| p.child("ind"));
        let chars = |attr: &str| twips(ind, attr).map(|c| c / 100.0 * 280.0);
        let left =
            twips(ind, "left").or(twips(ind, "start")).filter(|t| *t > 0.0).or(chars("leftChars")).unwrap_or(0.0);
        let right =
            twips(ind, "right").or(twips(ind, "end")).filter(|t| *t > 0.0).or(chars("rightChars")).unwrap_or(0.0);
        (jc, left, right)
    };
    let one_char = |t: f64| (200.0..=460.0).contains(&t);
    let (odd_jc, odd_left, odd_right) = place(odd);
    let (even_jc, even_left, even_right) = place(even);
    let right_side = |jc: &Option<String>| matches!(jc.as_deref(), Some("right" | "end" | "outside"));
    let left_side = |jc: &Option<String>| matches!(jc.as_deref(), Some("left" | "start" | "outside"));
    let odd_in = if odd_jc.as_deref() == Some("outside") { odd_right.max(odd_left) } else { odd_right };
    let even_in = if even_jc.as_deref() == Some("outside") { even_left.max(even_right) } else { even_left };
    let placed = even_and_odd && right_side(&odd_jc) && one_char(odd_in) && left_side(&even_jc) && one_char(even_in);
    let (odd_right, even_left) = (odd_in, even_in);
    let found = if !even_and_odd {
        format!(
            "奇偶页相同（{}）",
            match odd_jc.as_deref() {
                Some("center") => "居中",
                Some("right" | "end") => "居右",
                Some("left" | "start") => "居左",
                Some("outside") => "外侧",
                _ => "未设置对齐",
            }
        )
    } else {
        format!(
            "奇数页{}、右缩进 {:.1} mm；偶数页{}、左缩进 {:.1} mm",
            if right_side(&odd_jc) { "居右" } else { "未居右" },
            mm(odd_right),
            if left_side(&even_jc) { "居左" } else { "未居左" },
            mm(even_left)
        )
    };
    out.push(finding("页码位置", "单页码居右、双页码居左，各空一字（奇偶页不同）", found, met(placed)));
    let margins = section.and_then(|s| s.child("pgMar"));
    out.push(match (twips(margins, "bottom"), twips(margins, "footer")) {
        (Some(bottom), Some(footer)) => {
            // The line of 4号 figures (about 5 mm high) stands on the footer distance; its top is the gap.
            let gap = mm(bottom.abs()) - mm(footer) - 5.0;
            finding(
                "页码与版心距离",
                "一字线上距版心下边缘约 7 mm",
                format!("约 {gap:.1} mm（页脚距页边 {:.1} mm）", mm(footer)),
                met((3.0..=10.0).contains(&gap)),
            )
        }
        _ => finding("页码与版心距离", "一字线上距版心下边缘约 7 mm", "页脚距离未设置", Verdict::Unknown),
    });
    out
}

/// The text a reader sees: a text box's fallback copy (VML for old readers) is not counted twice.
fn visible_text(e: &Element, out: &mut String) {
    for child in &e.children {
        if let Node::Element(c) = child {
            match c.name.as_str() {
                "Fallback" => {}
                "t" => out.push_str(&c.own_text()),
                _ => visible_text(c, out),
            }
        }
    }
}

/// Where a frame or a floating text box puts a footer's figures across the page (`outside`, `center`, `right`,
/// `left`), when they sit in one.
fn box_align(footer: &Element) -> Option<String> {
    let mut frames = Vec::new();
    footer.find_all("framePr", &mut frames);
    if let Some(x) = frames.iter().find_map(|f| f.attr("xAlign")) {
        return Some(x.to_string());
    }
    let mut positions = Vec::new();
    footer.find_all("positionH", &mut positions);
    if let Some(a) = positions.iter().find_map(|p| p.child("align")).map(|a| a.own_text().trim().to_string()) {
        return Some(a);
    }
    let mut shapes = Vec::new();
    footer.find_all("shape", &mut shapes);
    shapes.iter().filter_map(|s| s.attr("style")).find_map(|st| {
        let at = st.find("mso-position-horizontal:")? + "mso-position-horizontal:".len();
        Some(st[at..].split(';').next()?.trim().to_string())
    })
}

fn has_page_field(footer: &Element) -> bool {
    let mut instr = Vec::new();
    footer.find_all("instrText", &mut instr);
    let mut simple = Vec::new();
    footer.find_all("fldSimple", &mut simple);
    instr.iter().any(|i| i.own_text().to_uppercase().contains("PAGE"))
        || simple.iter().any(|f| f.attr("instr").is_some_and(|i| i.to_uppercase().contains("PAGE")))
}

/// The run properties of a footer's figures: its first run with text, over its paragraph style.
fn footer_run(footer: &Element, styles: &Styles) -> RunProps {
    let mut runs = Vec::new();
    footer.find_all("r", &mut runs);
    let style = footer.find("pStyle").and_then(|s| s.attr("val"));
    let base = styles.run(style);
    runs.iter()
        .find(|r| r.elements().any(|e| e.name == "t" || e.name == "instrText"))
        .map(|r| RunProps::read(r.child("rPr")).over(&base))
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_fonts_by_name() {
        assert_eq!(size_name(32), "3号（16 磅）");
        assert_eq!(size_name(30), "15 磅");
        assert!(font_is(Some("仿宋_GB2312"), FANGSONG));
        assert!(font_is(Some("FangSong"), FANGSONG));
        assert!(!font_is(Some("宋体"), FANGSONG));
        assert!(font_is(Some("方正小标宋简体"), XIAOBIAOSONG));
    }

    #[test]
    fn our_own_export_meets_every_rule() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("lib");
        crate::generate::generate(&lib, &crate::generate::GenSpec { writeups: 12, seed: 2 }).unwrap();
        let library = crate::library::Library::load(&lib).unwrap();
        let collection = library.of_kind(crate::library::Kind::Collection).next().map(|c| c.id().unwrap().to_string());
        let Some(collection) = collection else { panic!("the generated library has a collection") };
        let options = crate::export::ExportOptions {
            target: crate::export::Target::Collection(collection),
            formats: vec![crate::export::Format::Docx],
            out_dir: dir.path().join("out"),
            zip: false,
        };
        let report = crate::export::export(&library, &options, &mut |_, _| {}).unwrap();
        let docx = report.files.iter().find(|f| f.extension().is_some_and(|x| x == "docx")).unwrap();
        let findings = check_docx(docx).unwrap();
        let broken: Vec<_> = findings.iter().filter(|f| f.verdict != Verdict::Met).collect();
        assert!(broken.is_empty(), "{broken:#?}");
        assert!(findings.iter().any(|f| f.rule == "页码位置"));
    }
}
