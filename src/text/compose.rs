//! What the editor's toolbar does to a body, as plain text edits: a heading typed with the next number of its
//! rank (一、 then 二、; （一） restarting under each 一、), bold, a list, a table. Pure functions on the text and a
//! selection in characters, so the toolbar needs no Markdown from the clerk and the rules are tested here.

use super::markdown::numbering;

/// A body after an edit, with the selection (character offsets, start ≤ end) to put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The whole new body.
    pub text: String,
    /// Where the cursor or selection goes, in characters.
    pub selection: (usize, usize),
}

/// Makes the line holding character `at` a heading of `rank` (1 = 一、, 2 = （一）, 3 = 1．, 4 = （1）), numbered
/// one after the last heading of that rank since the last heading above it. A number or `#` already typed on the
/// line is replaced, so pressing 标题二 on "一、背景" turns it into "（一）背景".
pub fn heading(body: &str, at: usize, rank: u8) -> Edit {
    let rank = rank.clamp(1, 4);
    let (start, end) = line_bounds(body, at);
    let line = &body[start..end];
    let text = strip_marks(line);
    let text = numbering(text).map(|(_, rest)| rest).unwrap_or(text).trim_start();
    let mut count = 0u32;
    for above in body[..start].lines().rev() {
        match numbering(strip_marks(above)) {
            Some((r, _)) if r < rank => break,
            Some((r, _)) if r == rank => count += 1,
            _ => {}
        }
    }
    let new_line = format!("{}{text}", number(rank, count + 1));
    let cursor = chars(&body[..start]) + chars(&new_line);
    Edit { text: format!("{}{new_line}{}", &body[..start], &body[end..]), selection: (cursor, cursor) }
}

/// Puts `**` around the selection (or an empty pair at the cursor, with the cursor between them).
pub fn bold(body: &str, selection: (usize, usize)) -> Edit {
    let (a, b) = ordered(selection);
    let (sa, sb) = (byte(body, a), byte(body, b));
    let text = format!("{}**{}**{}", &body[..sa], &body[sa..sb], &body[sb..]);
    Edit { text, selection: (a + 2, b + 2) }
}

/// Starts every line of the selection with `- `, making a bulleted list (lines that already are stay so).
pub fn bullets(body: &str, selection: (usize, usize)) -> Edit {
    let (a, b) = ordered(selection);
    let (start, _) = line_bounds(body, a);
    let (_, end) = line_bounds(body, b);
    let lines: Vec<String> = body[start..end]
        .split('\n')
        .map(|l| if l.trim_start().starts_with("- ") { l.to_string() } else { format!("- {}", l.trim_start()) })
        .collect();
    let block = lines.join("\n");
    let cursor = chars(&body[..start]) + chars(&block);
    Edit { text: format!("{}{block}{}", &body[..start], &body[end..]), selection: (cursor, cursor) }
}

/// Inserts a table of two columns and two rows after the line holding the cursor, the first cell selected.
pub fn table(body: &str, at: usize) -> Edit {
    let (_, end) = line_bounds(body, at);
    let before = &body[..end];
    let lead = if before.is_empty() || before.ends_with("\n\n") {
        ""
    } else if before.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    const TABLE: &str = "| 项目 | 数值 |\n| --- | --- |\n|  |  |\n|  |  |\n";
    let first = chars(before) + chars(lead) + 2;
    let text = format!("{before}{lead}{TABLE}{}", &body[end..]);
    Edit { text, selection: (first, first + 2) }
}

/// Inserts a picture (`![alt](link)`) as a paragraph of its own after the line holding the cursor, the cursor
/// after it. `link` is written in angle brackets so a name with spaces or brackets stays one link.
pub fn image(body: &str, at: usize, alt: &str, link: &str) -> Edit {
    let (_, end) = line_bounds(body, at);
    let before = &body[..end];
    let lead = if before.is_empty() || before.ends_with('\n') { "" } else { "\n" };
    let alt: String = alt.chars().filter(|c| !matches!(c, '[' | ']' | '\n')).collect();
    let line = format!("![{alt}](<{link}>)\n");
    let cursor = chars(before) + chars(lead) + chars(&line);
    let text = format!("{before}{lead}{line}{}", body[end..].strip_prefix('\n').unwrap_or(&body[end..]));
    Edit { text, selection: (cursor, cursor) }
}

/// The number of `rank` for the `n`-th heading: 一、 （一） 1． （1）.
fn number(rank: u8, n: u32) -> String {
    match rank {
        1 => format!("{}、", chinese_numeral(n)),
        2 => format!("（{}）", chinese_numeral(n)),
        3 => format!("{n}．"),
        _ => format!("（{n}）"),
    }
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (headings do not run past that; beyond, digits).
fn chinese_numeral(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[(n - 10) as usize] }),
        20..=99 => {
            format!(
                "{}十{}",
                DIGITS[(n / 10) as usize],
                if n.is_multiple_of(10) { "" } else { DIGITS[(n % 10) as usize] }
            )
        }
        _ => n.to_string(),
    }
}

/// A line without the Markdown marks a heading may carry (`## `, `**`).
fn strip_marks(line: &str) -> &str {
    let line = line.trim_start().trim_start_matches('#').trim_start();
    line.strip_prefix("**").unwrap_or(line)
}

/// Byte bounds of the line holding character `at` (without its newline).
fn line_bounds(body: &str, at: usize) -> (usize, usize) {
    let at = byte(body, at);
    let start = body[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = body[at..].find('\n').map(|i| at + i).unwrap_or(body.len());
    (start, end)
}

fn byte(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map(|(i, _)| i).unwrap_or(s.len())
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn ordered((a, b): (usize, usize)) -> (usize, usize) {
    if a <= b { (a, b) } else { (b, a) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_take_the_next_number_of_their_rank() {
        let body = "一、背景\n正文\n（一）甲\n乙\n";
        let e = heading(body, chars("一、背景\n正文\n（一）甲\n"), 2);
        assert_eq!(e.text, "一、背景\n正文\n（一）甲\n（二）乙\n");
        assert_eq!(e.selection.0, chars("一、背景\n正文\n（一）甲\n（二）乙"));
        // A new 一、 restarts the （一） count beneath it.
        let e = heading("一、背景\n（一）甲\n二、做法\n丙", 100, 2);
        assert_eq!(e.text, "一、背景\n（一）甲\n二、做法\n（一）丙");
        let e = heading("一、背景\n## 二、做法\n成效", 100, 1);
        assert_eq!(e.text, "一、背景\n## 二、做法\n三、成效");
    }

    #[test]
    fn a_heading_replaces_the_number_or_marks_on_its_line() {
        assert_eq!(heading("一、背景", 1, 2).text, "（一）背景");
        assert_eq!(heading("## 做法", 0, 1).text, "一、做法");
        assert_eq!(heading("甲\n（一）乙", 3, 3).text, "甲\n1．乙");
        assert_eq!(heading("", 0, 4).text, "（1）");
        assert_eq!(chinese_numeral(12), "十二");
        assert_eq!(chinese_numeral(20), "二十");
        assert_eq!(chinese_numeral(35), "三十五");
    }

    #[test]
    fn bold_lists_and_tables() {
        let e = bold("网格员走访", (0, 3));
        assert_eq!(e.text, "**网格员**走访");
        assert_eq!(e.selection, (2, 5));
        assert_eq!(bold("甲乙", (1, 1)).text, "甲****乙");
        assert_eq!(bullets("甲\n乙\n丙", (0, 2)).text, "- 甲\n- 乙\n丙");
        assert_eq!(bullets("- 甲", (0, 0)).text, "- 甲");
        let e = table("正文", 0);
        assert!(e.text.starts_with("正文\n\n| 项目 | 数值 |\n| --- | --- |\n"), "{}", e.text);
        let selected: String = e.text.chars().skip(e.selection.0).take(e.selection.1 - e.selection.0).collect();
        assert_eq!(selected, "项目");
    }

    #[test]
    fn a_picture_is_a_line_of_its_own_after_the_cursor() {
        let e = image("第一段。\n第二段。", 2, "现场照片", "a.assets/现场 照片.png");
        assert_eq!(e.text, "第一段。\n![现场照片](<a.assets/现场 照片.png>)\n第二段。");
        assert_eq!(image("", 0, "图", "x.png").text, "![图](<x.png>)\n");
        assert_eq!(image("末行", 2, "图", "x.png").text, "末行\n![图](<x.png>)\n");
    }
}
