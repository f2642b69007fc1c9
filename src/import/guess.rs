//! Guessing a write-up's title, district, date or year, type and project from its text, each with what it was
//! guessed from, so that the import form can show the guess and the person importing can confirm or correct it.

use serde::Serialize;

use super::blocks::Block;
use crate::library::{Config, Kind, Library};
use crate::text::fold;

/// One guessed value and where it came from (shown beside the form field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guess {
    pub value: String,
    /// In Chinese, e.g. “文档的标题样式”, “正文中“渝中区”出现 6 次”.
    pub from: String,
}

impl Guess {
    fn new(value: impl Into<String>, from: impl Into<String>) -> Guess {
        Guess { value: value.into(), from: from.into() }
    }
}

/// Everything an import guessed; `None` where nothing plausible was found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Guesses {
    pub title: Option<Guess>,
    pub district: Option<Guess>,
    /// A full date (`2021-09-15`), when the text has one the document is dated by.
    pub date: Option<Guess>,
    pub year: Option<Guess>,
    #[serde(rename = "type")]
    pub doc_type: Option<Guess>,
    pub project: Option<Guess>,
}

/// A title on one line with single spaces (Word titles are often padded with runs of spaces).
pub fn tidy_title(text: &str) -> String {
    text.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The longest line still taken for a title.
const TITLE_MAX_CHARS: usize = 60;

/// Whether a line reads like a title: short, and not a sentence or a salutation.
pub fn looks_like_title(text: &str) -> bool {
    let t = text.trim();
    let n = t.chars().count();
    (2..=TITLE_MAX_CHARS).contains(&n) && !t.ends_with(['。', '：', ':', '；', ';', '，', ','])
}

/// The block that is the document's title: a paragraph in a title style, else the only top heading at the
/// very start, else a short centred or bold line at the start, else a short first line.
pub fn pick_title(blocks: &[Block]) -> Option<(usize, Guess)> {
    let start = blocks.iter().take(4).enumerate();
    for (i, b) in start.clone() {
        if let Block::Paragraph { plain, title_style: true, .. } = b
            && !plain.trim().is_empty()
        {
            return Some((i, Guess::new(tidy_title(plain), "文档的“标题”样式")));
        }
    }
    if let Some(Block::Heading { level, plain, .. }) = blocks.first() {
        let same_level = blocks.iter().filter(|b| matches!(b, Block::Heading { level: l, .. } if l <= level)).count();
        if same_level == 1 && looks_like_title(plain) {
            return Some((0, Guess::new(tidy_title(plain), "文档开头唯一的一级标题")));
        }
    }
    for (i, b) in start.clone() {
        if let Block::Paragraph { plain, centred, bold, .. } = b
            && (*centred || *bold)
            && looks_like_title(plain)
            && super::blocks::chinese_heading_level(plain).is_none()
        {
            let how = if *centred { "开头居中的一行" } else { "开头加粗的一行" };
            return Some((i, Guess::new(tidy_title(plain), how)));
        }
    }
    match blocks.first() {
        Some(Block::Paragraph { plain, .. })
            if looks_like_title(plain) && super::blocks::chinese_heading_level(plain).is_none() =>
        {
            Some((0, Guess::new(tidy_title(plain), "第一行（较短，像标题）")))
        }
        _ => None,
    }
}

/// The district the text is about: gazetteer names and their short forms, counted; the title counts most.
pub fn guess_district(config: &Config, title: Option<&str>, text: &str) -> Option<Guess> {
    let folded = fold(text);
    let title = title.map(fold).unwrap_or_default();
    let mut best: Option<(usize, usize, Guess)> = None;
    for d in &config.districts {
        let full = fold(&d.name);
        let full_count = folded.matches(full.as_str()).count();
        let short_count: usize = d
            .short
            .iter()
            .map(|s| fold(s))
            .filter(|s| !s.is_empty())
            .map(|s| {
                let n = folded.matches(s.as_str()).count();
                if full.contains(s.as_str()) { n.saturating_sub(full_count) } else { n }
            })
            .sum();
        let in_title = title.contains(full.as_str())
            || d.short.iter().map(|s| fold(s)).any(|s| !s.is_empty() && title.contains(&s));
        let score = full_count * 3 + short_count + if in_title { 20 } else { 0 };
        if !(in_title || full_count >= 1 || short_count >= 2) {
            continue;
        }
        let first = [full.as_str()]
            .into_iter()
            .chain(d.short.iter().map(String::as_str))
            .filter_map(|s| folded.find(&fold(s)).filter(|_| !s.is_empty()))
            .min()
            .unwrap_or(usize::MAX);
        let from = if in_title {
            format!("标题中提到“{}”", d.name)
        } else {
            format!("正文中“{}”出现 {} 次", d.name, full_count + short_count)
        };
        let better = match &best {
            None => true,
            Some((s, f, _)) => score > *s || (score == *s && first < *f),
        };
        if better {
            best = Some((score, first, Guess::new(d.name.clone(), from)));
        }
    }
    best.map(|(_, _, g)| g)
}

/// A date found in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FoundDate {
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
}

/// The document's date or year: a full date in the last lines (the 落款), else a year in the title, else the
/// first plausible year (2000–2099) written with 年 or as a date.
pub fn guess_date(title: Option<&str>, text: &str) -> (Option<Guess>, Option<Guess>) {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let tail_start = lines.len().saturating_sub(6);
    for line in lines[tail_start..].iter().rev() {
        if let Some(d) = dates_in(line).into_iter().rev().find(|d| d.day.is_some())
            && let (Some(m), Some(day)) = (d.month, d.day)
        {
            let iso = format!("{:04}-{m:02}-{day:02}", d.year);
            let from = format!("文末落款日期“{}”", line.chars().take(30).collect::<String>());
            return (Some(Guess::new(iso, from.clone())), Some(Guess::new(d.year.to_string(), from)));
        }
    }
    if let Some(t) = title
        && let Some(d) = dates_in(t).first()
    {
        return (None, Some(Guess::new(d.year.to_string(), "标题中的年份")));
    }
    match dates_in(text).first() {
        Some(d) => (None, Some(Guess::new(d.year.to_string(), format!("正文中第一次出现的年份（{}年）", d.year)))),
        None => (None, None),
    }
}

/// Years (2000–2099) followed by 年, and dates like 2021-09-15, 2021.9.15, 2021/9/15, 二〇二一年九月十五日.
fn dates_in(text: &str) -> Vec<FoundDate> {
    let chars: Vec<char> = text
        .chars()
        .map(|c| if ('０'..='９').contains(&c) { char::from_u32(c as u32 - 0xFEE0).unwrap_or(c) } else { c })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= chars.len() {
        let before_is_digit = i > 0 && (chars[i - 1].is_ascii_digit() || chinese_digit(chars[i - 1]).is_some());
        if before_is_digit {
            i += 1;
            continue;
        }
        if let Some((date, used)) = date_at(&chars[i..])
            && (2000..=2099).contains(&date.year)
        {
            out.push(date);
            i += used;
            continue;
        }
        i += 1;
    }
    out
}

fn chinese_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九".chars().position(|d| d == c).map(|p| p as u32).or((c == '零').then_some(0))
}

/// A small number written in Chinese (一 … 三十一) or digits, at the start; returns (value, chars used).
fn small_number(chars: &[char]) -> Option<(u32, usize)> {
    let digits: String = chars.iter().take_while(|c| c.is_ascii_digit()).collect();
    if !digits.is_empty() {
        return Some((digits.parse().ok()?, digits.len()));
    }
    let mut value = 0;
    let mut used = 0;
    let mut tens_seen = false;
    for &c in chars.iter().take(3) {
        if c == '十' && !tens_seen {
            value = if used == 0 { 10 } else { value * 10 };
            tens_seen = true;
        } else if let Some(d) = chinese_digit(c).filter(|&d| d > 0) {
            value = if tens_seen { value + d } else { value * 10 + d };
        } else {
            break;
        }
        used += 1;
    }
    (used > 0).then_some((value, used))
}

fn date_at(chars: &[char]) -> Option<(FoundDate, usize)> {
    let year_digits: Option<u32> = if chars.len() >= 4 && chars[..4].iter().all(|c| c.is_ascii_digit()) {
        chars[..4].iter().collect::<String>().parse().ok()
    } else if chars.len() >= 4 && chars[..4].iter().all(|&c| chinese_digit(c).is_some()) {
        chars[..4].iter().try_fold(0, |acc, &c| Some(acc * 10 + chinese_digit(c)?))
    } else {
        None
    };
    let year = year_digits? as i32;
    let rest = &chars[4..];
    match rest.first() {
        Some('年') => {
            let mut used = 5;
            let mut month = None;
            let mut day = None;
            if let Some((m, n)) = small_number(&chars[used..])
                && chars.get(used + n) == Some(&'月')
                && (1..=12).contains(&m)
            {
                month = Some(m);
                used += n + 1;
                if let Some((d, n)) = small_number(&chars[used..])
                    && matches!(chars.get(used + n), Some('日' | '号'))
                    && (1..=31).contains(&d)
                {
                    day = Some(d);
                    used += n + 1;
                }
            }
            Some((FoundDate { year, month, day }, used))
        }
        Some(&sep @ ('-' | '.' | '/')) if chars[0].is_ascii_digit() => {
            let (m, n1) = small_number(&rest[1..]).filter(|(_, n)| *n <= 2)?;
            if rest.get(1 + n1) != Some(&sep) {
                return None;
            }
            let (d, n2) = small_number(&rest[2 + n1..]).filter(|(_, n)| *n <= 2)?;
            if !(1..=12).contains(&m)
                || !(1..=31).contains(&d)
                || rest.get(2 + n1 + n2).is_some_and(char::is_ascii_digit)
            {
                return None;
            }
            Some((FoundDate { year, month: Some(m), day: Some(d) }, 4 + 2 + n1 + n2))
        }
        _ => None,
    }
}

/// The document type from words in the title (典型案例, 简报, 纪要, 方案 …), if the library knows that type.
pub fn guess_type(config: &Config, title: &str) -> Option<Guess> {
    const WORDS: &[(&[&str], &str)] = &[
        (&["典型案例", "案例"], "典型案例"),
        (&["简报", "工作动态"], "工作简报"),
        (&["纪要"], "会议纪要"),
        (&["方案"], "工作方案"),
        (&["解说词"], "解说词"),
        (&["办法", "制度", "规定", "规则", "细则", "章程", "守则"], "制度文件"),
        (&["报表", "统计表"], "报表"),
        (&["意见", "通知", "决定", "纲要", "规划"], "政策文件"),
        (&["经验", "做法", "探索", "实践", "成效"], "经验材料"),
    ];
    for (words, doc_type) in WORDS {
        if let Some(word) = words.iter().find(|w| title.contains(*w))
            && let Some(t) = config.resolve_type(doc_type)
        {
            return Some(Guess::new(t, format!("标题含“{word}”")));
        }
    }
    None
}

/// A claimed project the text names (its full name), preferring the district's projects and longer names.
pub fn guess_project(lib: &Library, district: Option<&str>, title: Option<&str>, text: &str) -> Option<Guess> {
    let folded = fold(text);
    let folded_title = title.map(fold).unwrap_or_default();
    lib.of_kind(Kind::Project)
        .filter(|p| district.is_none_or(|d| lib.district_of(p) == Some(d)))
        .filter_map(|p| {
            let name = p.title().trim();
            let id = p.id()?;
            let f = fold(name);
            (name.chars().count() >= 4 && (folded.contains(&f) || folded_title.contains(&f)))
                .then(|| (name.chars().count(), Guess::new(id, format!("正文提到项目“{name}”"))))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, g)| g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str, centred: bool) -> Block {
        Block::Paragraph { text: text.into(), plain: text.into(), centred, bold: false, title_style: false }
    }

    #[test]
    fn titles() {
        let blocks = vec![para("渝中区关于老旧院落治理的经验做法", true), para("正文。", false)];
        assert_eq!(pick_title(&blocks).unwrap().0, 0);
        let blocks = vec![para("各区县：", false), para("正文很长很长。", false)];
        assert!(pick_title(&blocks).is_none());
        let blocks = vec![para("一、基本情况", false), para("正文。", false)];
        assert!(pick_title(&blocks).is_none());
        let h = |level, t: &str| Block::Heading { level, text: t.into(), plain: t.into() };
        assert_eq!(pick_title(&[h(1, "总标题"), h(2, "一、背景")]).unwrap().1.value, "总标题");
        assert!(pick_title(&[h(1, "一、背景"), h(1, "二、做法")]).is_none());
        assert_eq!(
            pick_title(&[para("关于规范会议的通知 \u{3000}  （草稿）", true)]).unwrap().1.value,
            "关于规范会议的通知 （草稿）"
        );
    }

    #[test]
    fn districts() {
        let c = Config::default();
        let g = guess_district(&c, None, "渝中区近年来……渝中区各街道……江北区也有").unwrap();
        assert_eq!(g.value, "渝中区");
        assert!(g.from.contains("2 次"), "{g:?}");
        assert_eq!(guess_district(&c, Some("合川区评理堂"), "江北区的做法").unwrap().value, "合川区");
        // One passing short form is not enough.
        assert!(guess_district(&c, None, "沿着两江四岸").is_none());
        assert_eq!(guess_district(&c, None, "渝中區的做法").unwrap().value, "渝中区");
    }

    #[test]
    fn dates() {
        let (date, year) = guess_date(None, "2019年起试点。\n……\n渝中区委政法委\n2021年9月15日\n");
        assert_eq!(date.unwrap().value, "2021-09-15");
        assert_eq!(year.unwrap().value, "2021");
        let (date, year) = guess_date(None, "正文\n二〇二二年三月十日");
        assert_eq!(date.unwrap().value, "2022-03-10");
        assert_eq!(year.unwrap().value, "2022");
        let (date, year) = guess_date(Some("2020年工作总结"), "2019年以来……");
        assert!(date.is_none());
        assert_eq!(year.unwrap().value, "2020");
        let (_, year) = guess_date(None, "编号12345年，1999年起，２０２１年上半年");
        assert_eq!(year.unwrap().value, "2021");
        let (date, _) = guess_date(None, "印发日期：2021.09.15");
        assert_eq!(date.unwrap().value, "2021-09-15");
        assert_eq!(guess_date(None, "没有年份"), (None, None));
    }

    #[test]
    fn types() {
        let c = Config::default();
        assert_eq!(guess_type(&c, "一起邻里纠纷化解的典型案例").unwrap().value, "典型案例");
        assert_eq!(guess_type(&c, "关于印发某某工作方案的通知").unwrap().value, "工作方案");
        assert!(guess_type(&c, "标题").is_none());
    }
}
