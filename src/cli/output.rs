//! Terminal output helpers: highlighting when writing to a terminal, plain text otherwise.

use std::io::IsTerminal;

/// Whether standard output is a terminal (colours on) — and `NO_COLOR` is not set.
pub fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Marks character ranges of `text`: ANSI bold red on a terminal, 【】 brackets otherwise.
pub fn mark(text: &str, ranges: &[(usize, usize)], colour: bool) -> String {
    let (open, close) = if colour { ("\x1b[1;31m", "\x1b[0m") } else { ("【", "】") };
    let mut out = String::with_capacity(text.len() + ranges.len() * 8);
    let mut ranges = ranges.iter().peekable();
    for (i, c) in text.chars().enumerate() {
        if ranges.peek().is_some_and(|r| r.0 == i) {
            out.push_str(open);
        }
        out.push(c);
        if ranges.peek().is_some_and(|r| r.1 == i + 1) {
            out.push_str(close);
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
    fn marks_ranges() {
        assert_eq!(mark("推广枫桥经验做法", &[(2, 6)], false), "推广【枫桥经验】做法");
        assert_eq!(mark("ab", &[(0, 1), (1, 2)], false), "【a】【b】");
    }
}
