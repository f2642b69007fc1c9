//! What a paragraph's style and numbering mean: heading levels (Heading 1–6, 标题 1, 一级标题, outline levels),
//! title styles, the automatic numbers (一、 （一） 1.) Word and WPS draw from `numbering.xml` without putting them
//! in the text, and the run properties, alignment and line spacing a style passes down (`basedOn`) over the
//! document defaults. Import reads what the paragraphs mean from it; `casebook docx-check` (GB/T 9704) measures
//! what they look like.

use std::collections::HashMap;

use super::dom::Element;

/// Run properties that a style or a run sets: the East Asian font, the size in half-points, bold, and the
/// spacing added to each character in twentieths of a point (`w:spacing`, negative to condense). `None`: not set
/// here (inherited).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunProps {
    pub font: Option<String>,
    pub size: Option<u32>,
    pub bold: Option<bool>,
    pub spacing: Option<f64>,
}

impl RunProps {
    /// Reads a `w:rPr`. A theme font (no name in the file) is named as such rather than guessed.
    pub fn read(rpr: Option<&Element>) -> RunProps {
        let Some(rpr) = rpr else { return RunProps::default() };
        let fonts = rpr.child("rFonts");
        let font = fonts
            .and_then(|f| f.attr("eastAsia").or_else(|| f.attr("ascii")).map(str::to_string))
            .or_else(|| fonts.and_then(|f| f.attr("eastAsiaTheme")).map(|t| format!("主题字体（{t}）")));
        let size = rpr.child_val("sz").and_then(|v| v.parse().ok());
        let spacing = rpr.child_val("spacing").and_then(|v| v.trim().parse().ok());
        RunProps { font, size, bold: flag(rpr.child("b")), spacing }
    }

    /// These properties, with what `under` sets filling the gaps.
    pub fn over(self, under: &RunProps) -> RunProps {
        RunProps {
            font: self.font.or_else(|| under.font.clone()),
            size: self.size.or(under.size),
            bold: self.bold.or(under.bold),
            spacing: self.spacing.or(under.spacing),
        }
    }
}

/// One style, as far as import and the format check care.
#[derive(Debug, Clone, Default)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline_level: Option<u8>,
    num: Option<(String, u8)>,
    jc: Option<String>,
    run: RunProps,
    /// An exact line spacing, in twips.
    exact_line: Option<f64>,
}

/// The styles of a document, by style id, and its default run properties.
#[derive(Debug, Clone, Default)]
pub struct Styles {
    by_id: HashMap<String, Style>,
    default_paragraph: Option<String>,
    defaults: RunProps,
}

/// `w:b`, `w:jc` … are on unless `w:val` says 0/false/off.
pub fn flag(e: Option<&Element>) -> Option<bool> {
    e.map(|e| !matches!(e.attr("val"), Some("0" | "false" | "off" | "none")))
}

/// The numbering reference of a `w:numPr` (numId, ilvl).
pub fn num_pr(ppr: &Element) -> Option<(String, u8)> {
    let num = ppr.child("numPr")?;
    let id = num.child_val("numId")?.to_string();
    let level = num.child_val("ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
    Some((id, level))
}

/// An exact line spacing (`w:spacing w:line=… w:lineRule="exact"`) in a paragraph's properties, in twips.
pub fn exact_line(ppr: Option<&Element>) -> Option<f64> {
    let spacing = ppr?.child("spacing")?;
    (spacing.attr("lineRule") == Some("exact")).then(|| spacing.attr("line")?.trim().parse::<f64>().ok()).flatten()
}

impl Styles {
    /// Reads `word/styles.xml`.
    pub fn read(root: &Element) -> Styles {
        let defaults =
            RunProps::read(root.child("docDefaults").and_then(|d| d.child("rPrDefault")).and_then(|r| r.child("rPr")));
        let mut styles = Styles { defaults, ..Styles::default() };
        for s in root.elements().filter(|e| e.name == "style") {
            let Some(id) = s.attr("styleId") else { continue };
            let ppr = s.child("pPr");
            let style = Style {
                name: s.child_val("name").unwrap_or("").to_string(),
                based_on: s.child_val("basedOn").map(str::to_string),
                outline_level: ppr.and_then(|p| p.child_val("outlineLvl")).and_then(|v| v.parse().ok()),
                num: ppr.and_then(num_pr),
                jc: ppr.and_then(|p| p.child_val("jc")).map(str::to_string),
                run: RunProps::read(s.child("rPr")),
                exact_line: exact_line(ppr),
            };
            if s.attr("type") == Some("paragraph") && s.attr("default").is_some_and(|v| v == "1" || v == "true") {
                styles.default_paragraph = Some(id.to_string());
            }
            styles.by_id.insert(id.to_string(), style);
        }
        styles
    }

    /// The style and those it is based on, nearest first (loops cut). A style the document does not define
    /// falls back to its default paragraph style, as Word does.
    fn chain<'a>(&'a self, id: Option<&'a str>) -> Vec<(&'a str, &'a Style)> {
        let mut out: Vec<(&str, &Style)> = Vec::new();
        let mut next = id.filter(|i| self.by_id.contains_key(*i)).or(self.default_paragraph.as_deref());
        while let Some(id) = next {
            if out.len() > 20 || out.iter().any(|(seen, _)| *seen == id) {
                break;
            }
            let Some(style) = self.by_id.get(id) else { break };
            out.push((id, style));
            next = style.based_on.as_deref();
        }
        out
    }

    /// The heading level (1 = top) a paragraph style gives, from its name, id or outline level.
    pub fn heading_level(&self, id: Option<&str>) -> Option<u8> {
        let id_level = id.and_then(heading_from_name);
        if id_level.is_some() {
            return id_level;
        }
        for (_, style) in self.chain(id) {
            if let Some(level) = heading_from_name(&style.name) {
                return Some(level);
            }
            if let Some(level) = style.outline_level {
                return (level < 9).then_some(level + 1);
            }
        }
        None
    }

    /// Whether the style is a document title style (Title, 标题, 公文标题 …).
    pub fn is_title(&self, id: Option<&str>) -> bool {
        let Some(id) = id else { return false };
        let named = |s: &str| {
            let s = s.trim().to_lowercase();
            matches!(s.as_str(), "title" | "标题" | "公文标题" | "文章标题" | "大标题" | "文件标题")
        };
        named(id) || self.by_id.get(id).is_some_and(|s| named(&s.name))
    }

    /// The style's name as the document gives it (empty when it defines no such style).
    pub fn name(&self, id: Option<&str>) -> &str {
        id.and_then(|i| self.by_id.get(i)).map(|s| s.name.as_str()).unwrap_or("")
    }

    /// Numbering inherited from the style (numId, level).
    pub fn numbering(&self, id: Option<&str>) -> Option<(String, u8)> {
        self.chain(id).into_iter().find_map(|(_, s)| s.num.clone())
    }

    /// The alignment (`w:jc`) the style gives its paragraphs.
    pub fn jc(&self, id: Option<&str>) -> Option<String> {
        self.chain(id).into_iter().find_map(|(_, s)| s.jc.clone())
    }

    /// Whether the style centres its paragraphs.
    pub fn centred(&self, id: Option<&str>) -> bool {
        self.jc(id).is_some_and(|v| v == "center" || v == "centre")
    }

    /// Whether the style's text is bold.
    pub fn bold(&self, id: Option<&str>) -> bool {
        self.chain(id).into_iter().find_map(|(_, s)| s.run.bold).unwrap_or(false)
    }

    /// A paragraph style's run properties with its ancestors' and the document defaults beneath.
    pub fn run(&self, id: Option<&str>) -> RunProps {
        let mut props = RunProps::default();
        for (_, style) in self.chain(id) {
            props = props.over(&style.run);
        }
        props.over(&self.defaults)
    }

    /// The run properties a character style (`w:rStyle`) sets itself, if the document defines it.
    pub fn character(&self, id: &str) -> Option<&RunProps> {
        self.by_id.get(id).map(|s| &s.run)
    }

    /// The exact line spacing the style gives, in twips.
    pub fn exact_line(&self, id: Option<&str>) -> Option<f64> {
        self.chain(id).into_iter().find_map(|(_, s)| s.exact_line)
    }
}

/// `heading 2`, `Heading2`, `标题 2`, `标题2`, `一级标题`, `二级标题` → level.
fn heading_from_name(name: &str) -> Option<u8> {
    let lower = name.trim().to_lowercase();
    let digits = |rest: &str| rest.trim().parse::<u8>().ok().filter(|n| (1..=9).contains(n));
    if let Some(rest) = lower.strip_prefix("heading") {
        return digits(rest);
    }
    if let Some(rest) = lower.strip_prefix("标题") {
        return digits(rest);
    }
    let chinese = ["一级标题", "二级标题", "三级标题", "四级标题", "五级标题", "六级标题"];
    chinese.iter().position(|c| lower == *c).map(|p| p as u8 + 1)
}

/// One level of a list definition.
#[derive(Debug, Clone, Default)]
pub struct Level {
    /// `decimal`, `bullet`, `chineseCounting`, `chineseCountingThousand`, `none` …
    pub format: String,
    /// `%1、`, `（%2）`, `%1.`, `•` …
    pub text: String,
    pub start: u32,
}

/// One `w:num`: the abstract list it uses, with its level and start overrides.
#[derive(Debug, Clone, Default)]
struct NumInstance {
    abstract_id: String,
    levels: HashMap<u8, Level>,
    starts: HashMap<u8, u32>,
}

/// `numbering.xml`: list definitions and the counters that run through the document.
#[derive(Debug, Default)]
pub struct Numbering {
    abstract_levels: HashMap<String, HashMap<u8, Level>>,
    nums: HashMap<String, NumInstance>,
    /// Running counters per abstract list; `None` levels restart.
    counters: HashMap<String, [Option<u32>; 9]>,
    started: std::collections::HashSet<String>,
}

fn read_level(lvl: &Element) -> Level {
    Level {
        format: lvl.child_val("numFmt").unwrap_or("decimal").to_string(),
        text: lvl.child_val("lvlText").unwrap_or("").to_string(),
        start: lvl.child_val("start").and_then(|v| v.parse().ok()).unwrap_or(1),
    }
}

impl Numbering {
    /// Reads `word/numbering.xml`.
    pub fn read(root: &Element) -> Numbering {
        let mut n = Numbering::default();
        for a in root.elements().filter(|e| e.name == "abstractNum") {
            let Some(id) = a.attr("abstractNumId") else { continue };
            let levels = a
                .elements()
                .filter(|e| e.name == "lvl")
                .filter_map(|l| Some((l.attr("ilvl")?.parse::<u8>().ok()?, read_level(l))))
                .collect();
            n.abstract_levels.insert(id.to_string(), levels);
        }
        for num in root.elements().filter(|e| e.name == "num") {
            let (Some(id), Some(abs)) = (num.attr("numId"), num.child_val("abstractNumId")) else { continue };
            let mut levels = HashMap::new();
            let mut starts = HashMap::new();
            for o in num.elements().filter(|e| e.name == "lvlOverride") {
                let Some(ilvl) = o.attr("ilvl").and_then(|v| v.parse::<u8>().ok()) else { continue };
                if let Some(s) = o.child_val("startOverride").and_then(|v| v.parse().ok()) {
                    starts.insert(ilvl, s);
                }
                if let Some(l) = o.child("lvl") {
                    levels.insert(ilvl, read_level(l));
                }
            }
            n.nums.insert(id.to_string(), NumInstance { abstract_id: abs.to_string(), levels, starts });
        }
        n
    }

    /// The level definition of a list item.
    pub fn level(&self, num_id: &str, ilvl: u8) -> Option<Level> {
        let num = self.nums.get(num_id)?;
        num.levels.get(&ilvl).cloned().or_else(|| self.abstract_levels.get(&num.abstract_id)?.get(&ilvl).cloned())
    }

    /// Counts one more item at `ilvl` of list `num_id` and returns its label (`三、`, `（二）`, `1.`) and the
    /// item's number. `None` when the list is unknown or its format is `none`.
    pub fn next_label(&mut self, num_id: &str, ilvl: u8) -> Option<(Level, String, u32)> {
        let ilvl = ilvl.min(8);
        let NumInstance { abstract_id: abs, starts, .. } = self.nums.get(num_id)?.clone();
        let level = self.level(num_id, ilvl)?;
        // A w:num with a start override restarts the list the first time it is used.
        let restart = !starts.is_empty() && self.started.insert(num_id.to_string());
        let counters = self.counters.entry(abs.clone()).or_insert([None; 9]);
        if restart {
            *counters = [None; 9];
        }
        let start_of = |l: u8| starts.get(&l).copied();
        let value = match counters[ilvl as usize] {
            Some(v) => v + 1,
            None => start_of(ilvl).unwrap_or(level.start),
        };
        counters[ilvl as usize] = Some(value);
        for deeper in counters.iter_mut().skip(ilvl as usize + 1) {
            *deeper = None;
        }
        let counters = *counters;
        if level.format == "none" {
            return Some((level.clone(), String::new(), value));
        }
        if level.format == "bullet" {
            return Some((level.clone(), String::new(), value));
        }
        let mut label = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%'
                && let Some(d) = chars.peek().and_then(|d| d.to_digit(10))
            {
                chars.next();
                let l = (d.max(1) - 1) as u8;
                let n = if l == ilvl { value } else { counters[l as usize].unwrap_or(1) };
                let format = self.level(num_id, l).map(|lv| lv.format).unwrap_or_else(|| "decimal".into());
                label.push_str(&format_number(n, &format));
            } else {
                label.push(c);
            }
        }
        Some((level, label, value))
    }
}

/// A number in a list format: 3 → 三 (chineseCounting), 三 (chineseCountingThousand), c, C, iii, III, ③, ３.
pub fn format_number(n: u32, format: &str) -> String {
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "chineseLegalSimplified"
        | "ideographTraditional"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand" => chinese_number(n),
        "ideographDigital" | "taiwaneseDigital" => n
            .to_string()
            .chars()
            .map(|c| "〇一二三四五六七八九".chars().nth(c as usize - '0' as usize).unwrap_or(c))
            .collect(),
        "lowerLetter" => letters(n, b'a'),
        "upperLetter" => letters(n, b'A'),
        "lowerRoman" => roman(n).to_lowercase(),
        "upperRoman" => roman(n),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1).map(String::from).unwrap_or_else(|| n.to_string())
        }
        "decimalFullWidth" | "decimalFullWidth2" => {
            n.to_string().chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)).collect()
        }
        "decimalZero" if n < 10 => format!("0{n}"),
        _ => n.to_string(),
    }
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.
pub fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n < 10 {
        return DIGITS[n as usize].to_string();
    }
    if n < 20 {
        return format!("十{}", if n.is_multiple_of(10) { "" } else { DIGITS[(n % 10) as usize] });
    }
    if n < 100 {
        return format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            if n.is_multiple_of(10) { "" } else { DIGITS[(n % 10) as usize] }
        );
    }
    if n < 1000 {
        let rest = n % 100;
        let tail = match rest {
            0 => String::new(),
            1..=9 => format!("零{}", DIGITS[rest as usize]),
            10..=19 => format!("一{}", chinese_number(rest)),
            _ => chinese_number(rest),
        };
        return format!("{}百{tail}", DIGITS[(n / 100) as usize]);
    }
    n.to_string()
}

fn letters(n: u32, base: u8) -> String {
    if n == 0 {
        return "0".into();
    }
    let c = (base + ((n - 1) % 26) as u8) as char;
    c.to_string().repeat(((n - 1) / 26 + 1) as usize)
}

fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::docx::dom::parse;

    #[test]
    fn numbers() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(105), "一百零五");
        assert_eq!(chinese_number(110), "一百一十");
        assert_eq!(format_number(3, "upperRoman"), "III");
        assert_eq!(format_number(28, "lowerLetter"), "bb");
        assert_eq!(format_number(2, "decimalEnclosedCircle"), "②");
        assert_eq!(format_number(2021, "ideographDigital"), "二〇二一");
    }

    #[test]
    fn chinese_outline_numbering() {
        let xml = r#"<w:numbering xmlns:w="w">
            <w:abstractNum w:abstractNumId="0">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
              <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
            </w:abstractNum>
            <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
          </w:numbering>"#;
        let mut n = Numbering::read(&parse(xml.as_bytes(), "n").unwrap());
        let labels: Vec<String> = [0, 1, 1, 2, 0, 1].iter().map(|&l| n.next_label("1", l).unwrap().1).collect();
        assert_eq!(labels, ["一、", "（一）", "（二）", "1.", "二、", "（一）"]);
        assert!(n.next_label("9", 0).is_none());
    }

    #[test]
    fn heading_styles() {
        let xml = r#"<w:styles xmlns:w="w">
            <w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style>
            <w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/></w:style>
            <w:style w:type="paragraph" w:styleId="x"><w:name w:val="标题 2"/></w:style>
            <w:style w:type="paragraph" w:styleId="y"><w:name w:val="一级标题"/></w:style>
            <w:style w:type="paragraph" w:styleId="z"><w:name w:val="My"/><w:basedOn w:val="1"/></w:style>
            <w:style w:type="paragraph" w:styleId="o"><w:name w:val="Outline"/><w:pPr><w:outlineLvl w:val="2"/><w:jc w:val="center"/></w:pPr></w:style>
            <w:style w:type="paragraph" w:styleId="t"><w:name w:val="公文标题"/></w:style>
            <w:style w:type="paragraph" w:styleId="loop1"><w:name w:val="L"/><w:basedOn w:val="loop2"/></w:style>
            <w:style w:type="paragraph" w:styleId="loop2"><w:name w:val="L"/><w:basedOn w:val="loop1"/></w:style>
          </w:styles>"#;
        let s = Styles::read(&parse(xml.as_bytes(), "s").unwrap());
        assert_eq!(s.heading_level(Some("1")), Some(1));
        assert_eq!(s.heading_level(Some("Heading3")), Some(3));
        assert_eq!(s.heading_level(Some("x")), Some(2));
        assert_eq!(s.heading_level(Some("y")), Some(1));
        assert_eq!(s.heading_level(Some("z")), Some(1));
        assert_eq!(s.heading_level(Some("o")), Some(3));
        assert!(s.centred(Some("o")));
        assert_eq!(s.heading_level(Some("loop1")), None);
        assert_eq!(s.heading_level(None), None);
        assert!(s.is_title(Some("t")) && s.is_title(Some("Title")) && !s.is_title(Some("1")));
    }
}
