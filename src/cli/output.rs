//! Terminal output helpers: highlighting when writing to a terminal, plain text otherwise.

use std::io::IsTerminal;

/// Whether standard output is a terminal (colours on) — and `NO_COLOR` is not set.
pub fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Stand-ins for the highlight's escape sequences: [`mark`] writes them, [`inert`] turns them into ANSI bold red
/// and back to normal after neutralising every escape the text itself carries.
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

/// Text made safe to print: ESC shows as ␛, every other control character (C0 but line feed and tab, DEL, C1) and
/// the bidirectional overrides that reorder what a terminal shows become U+FFFD; [`mark`]'s highlights become
/// ANSI colour.
pub fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            '\u{1b}' => out.push('␛'),
            MARK_OPEN => out.push_str("\x1b[1;31m"),
            MARK_CLOSE => out.push_str("\x1b[0m"),
            c if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => {
                out.push('\u{fffd}')
            }
            c => out.push(c),
        }
    }
    out
}

/// Marks character ranges of `text`: bold red on a terminal (through [`inert`]), 【】 brackets otherwise.
pub fn mark(text: &str, ranges: &[(usize, usize)], colour: bool) -> String {
    let (open, close) = if colour { (MARK_OPEN, MARK_CLOSE) } else { ('【', '】') };
    let mut out = String::with_capacity(text.len() + ranges.len() * 8);
    let mut ranges = ranges.iter().peekable();
    for (i, c) in text.chars().enumerate() {
        if ranges.peek().is_some_and(|r| r.0 == i) {
            out.push(open);
        }
        out.push(c);
        if ranges.peek().is_some_and(|r| r.1 == i + 1) {
            out.push(close);
            ranges.next();
        }
    }
    out
}

/// Prints a value as pretty JSON.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_in_data_never_reach_the_terminal() {
        let hostile = "标题\x1b[2J\x1b]0;title\x07\u{9b}31m\u{202e}反";
        let safe = inert(hostile);
        assert!(!safe.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{safe:?}");
        assert!(safe.starts_with("标题␛[2J␛]0;title"));
        assert_eq!(inert(&mark("枫桥", &[(0, 2)], true)), "\x1b[1;31m枫桥\x1b[0m");
        assert_eq!(inert("一\n二\t三"), "一\n二\t三");
    }

    #[test]
    fn marks_ranges() {
        assert_eq!(mark("推广枫桥经验做法", &[(2, 6)], false), "推广【枫桥经验】做法");
        assert_eq!(mark("ab", &[(0, 1), (1, 2)], false), "【a】【b】");
    }
}
