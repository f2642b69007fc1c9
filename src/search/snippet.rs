//! Snippets with exact highlight ranges: character offsets, never splitting a character, never overlapping.
//!
//! Highlighting works on folded text (one character per original character), so a simplified query highlights
//! a traditional document correctly.

use crate::text::fold;

/// A passage of a document and the character ranges in it that matched.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    pub text: String,
    /// `[start, end)` in characters of `text`, sorted, non-overlapping.
    pub highlights: Vec<(usize, usize)>,
}

/// Characters of context in a snippet.
pub const SNIPPET_CHARS: usize = 120;

/// Every `[start, end)` character range of `text` where one of the (already folded) `terms` occurs, merged.
pub fn match_ranges(folded_chars: &[char], terms: &[Vec<char>]) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    for term in terms.iter().filter(|t| !t.is_empty()) {
        if term.len() > folded_chars.len() {
            continue;
        }
        // The first character is compared alone before the slice: most positions fail there, and a slice
        // comparison per position (a `memcmp` call) was a tenth of a search page's time.
        let first = term[0];
        for start in 0..=folded_chars.len() - term.len() {
            if folded_chars[start] == first && folded_chars[start + 1..start + term.len()] == term[1..] {
                ranges.push((start, start + term.len()));
            }
        }
    }
    merge(ranges)
}

fn merge(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Highlights every occurrence of the terms in a short text (a title).
pub fn highlight_all(text: &str, terms: &[String]) -> Vec<(usize, usize)> {
    let folded: Vec<char> = fold(text).chars().collect();
    let terms: Vec<Vec<char>> = terms.iter().map(|t| t.chars().collect()).collect();
    match_ranges(&folded, &terms)
}

/// Picks the window of `SNIPPET_CHARS` characters that shows the most distinct terms (then the most matches),
/// starting at a sentence boundary when one is near.
pub fn make_snippet(text: &str, terms: &[String]) -> Snippet {
    let chars: Vec<char> = text.chars().collect();
    let folded: Vec<char> = fold(text).chars().collect();
    let term_chars: Vec<Vec<char>> = terms.iter().map(|t| t.chars().collect()).collect();
    // Ranges per term, to score windows by distinct terms.
    let per_term: Vec<Vec<(usize, usize)>> =
        term_chars.iter().map(|t| match_ranges(&folded, std::slice::from_ref(t))).collect();
    let all = merge(per_term.iter().flatten().copied().collect());
    let len = chars.len();
    let mut best_start = 0;
    if len > SNIPPET_CHARS && !all.is_empty() {
        let mut best = (0usize, 0usize);
        for &(s, _) in &all {
            let start = s.saturating_sub(SNIPPET_CHARS / 5).min(len - SNIPPET_CHARS);
            let end = start + SNIPPET_CHARS;
            let distinct = per_term.iter().filter(|rs| rs.iter().any(|&(a, b)| a >= start && b <= end)).count();
            let count = all.iter().filter(|&&(a, b)| a >= start && b <= end).count();
            if (distinct, count) > best {
                best = (distinct, count);
                best_start = start;
            }
        }
        // Prefer to start just after a sentence end within the lead-in.
        let lead = all.iter().find(|&&(a, _)| a >= best_start).map(|&(a, _)| a).unwrap_or(best_start);
        if let Some(p) = (best_start..lead).rev().find(|&i| matches!(chars[i], '。' | '！' | '？' | '；' | '\n')) {
            best_start = p + 1;
        }
    }
    let end = (best_start + SNIPPET_CHARS).min(len);
    // Text read by OCR says so: the page marker above the window (`〔原件第 N 页 · 文字识别〕`, see import) is
    // carried into the snippet, so a reader knows to check the wording against the original.
    let lead = if recognised_at(text, best_start) { OCR_MARK } else { "" };
    let shift = lead.chars().count();
    let window: String =
        lead.chars().chain(chars[best_start..end].iter().map(|&c| if c == '\n' { ' ' } else { c })).collect();
    let highlights = all
        .iter()
        .filter(|&&(a, b)| b > best_start && a < end)
        .map(|&(a, b)| (a.max(best_start) - best_start + shift, b.min(end) - best_start + shift))
        .collect();
    Snippet { text: window, highlights }
}

/// What a snippet of OCR'd text starts with.
pub const OCR_MARK: &str = "〔文字识别〕";

/// Whether the page holding character `at` of `text` was read by OCR: the nearest page marker before it is an
/// OCR one. A window that starts on the marker itself shows it and needs no mark.
fn recognised_at(text: &str, at: usize) -> bool {
    let byte = text.char_indices().nth(at).map_or(text.len(), |(b, _)| b);
    text[..byte].rfind("〔原件第").is_some_and(|m| {
        let marker = text[m..].split('〕').next().unwrap_or("");
        marker.contains("文字识别")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn overlapping_terms_merge() {
        let s = make_snippet("推广新时代枫桥经验", &terms(&["枫桥经验", "新时代枫桥", "经验"]));
        assert_eq!(s.highlights, [(2, 9)]);
    }

    #[test]
    fn ranges_are_characters_of_the_original() {
        let s = make_snippet("推廣楓橋經驗。", &terms(&["枫桥经验"]));
        assert_eq!(s.text, "推廣楓橋經驗。");
        assert_eq!(s.highlights, [(2, 6)]);
        let hl: String = s.text.chars().skip(2).take(4).collect();
        assert_eq!(hl, "楓橋經驗");
    }

    #[test]
    fn window_moves_to_the_matches() {
        let text = format!("{}网格员走访{}", "前文。".repeat(100), "后文".repeat(100));
        let s = make_snippet(&text, &terms(&["网格员"]));
        assert!(s.text.starts_with("网格员走访"), "{}", s.text);
        assert_eq!(s.highlights, [(0, 3)]);
        assert_eq!(s.text.chars().count(), SNIPPET_CHARS);
    }

    #[test]
    fn text_read_by_ocr_is_marked() {
        let text = format!("〔原件第 1 页 · 文字识别〕\n{}网格员走访", "前文。".repeat(100));
        let s = make_snippet(&text, &terms(&["网格员"]));
        assert!(s.text.starts_with("〔文字识别〕网格员"), "{}", s.text);
        assert_eq!(s.highlights, [(6, 9)]);
        let typed = format!("{}网格员走访", "前文。".repeat(100));
        assert!(!make_snippet(&typed, &terms(&["网格员"])).text.starts_with('〔'));
    }

    #[test]
    fn no_terms_gives_the_opening() {
        let s = make_snippet("开头内容", &[]);
        assert_eq!(s, Snippet { text: "开头内容".into(), highlights: vec![] });
    }
}
