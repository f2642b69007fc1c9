//! Reading order: recognised boxes become lines, top to bottom, each read left to right.
//!
//! Why not sort by `y`: on a page scanned 2° askew a line 16 cm long climbs 6 mm from one end to the other,
//! about a line's height, so the boxes of neighbouring lines interleave by `y`. Directions are measured instead:
//! the page's slant is the length-weighted mean direction of its boxes; two boxes share a line when the centre
//! of one lies within half a line height of the other's centre line, measured across the slant; lines are
//! ordered by their position across it, and boxes within a line along it. The detector may split one line into
//! several boxes (at a wide gap or a seal); they are joined here: Chinese without spaces, Latin words and
//! numbers with one, and a gap wider than two characters (table cells) with one.

use super::OcrLine;
use super::crop::Quad;

/// A recognised box.
#[derive(Debug, Clone)]
pub struct Piece {
    pub quad: Quad,
    pub text: String,
    pub confidence: f32,
}

/// Groups boxes into lines in reading order.
pub fn arrange(pieces: Vec<Piece>) -> Vec<OcrLine> {
    let slant = page_direction(&pieces);
    let across = |p: [f32; 2]| -p[0] * slant[1] + p[1] * slant[0];
    let along = |p: [f32; 2]| p[0] * slant[0] + p[1] * slant[1];

    let mut pieces = pieces;
    pieces.sort_by(|a, b| across(a.quad.center()).total_cmp(&across(b.quad.center())));
    // each row: its pieces and the across-position and thickness of its first piece
    let mut rows: Vec<(Vec<Piece>, f32, f32)> = Vec::new();
    for piece in pieces {
        let position = across(piece.quad.center());
        let thickness = thickness(&piece.quad);
        let found = if piece.quad.is_vertical() {
            None
        } else {
            rows.iter_mut()
                .rev()
                .take(8)
                .filter(|(row, at, t)| {
                    !row.first().is_some_and(|p| p.quad.is_vertical())
                        && (position - *at).abs() < 0.5 * t.min(thickness)
                })
                .min_by(|a, b| (position - a.1).abs().total_cmp(&(position - b.1).abs()))
        };
        match found {
            Some(row) => row.0.push(piece),
            None => rows.push((vec![piece], position, thickness)),
        }
    }
    rows.sort_by(|a, b| a.1.total_cmp(&b.1));
    rows.into_iter()
        .map(|(mut row, _, thickness)| {
            row.sort_by(|a, b| along(a.quad.center()).total_cmp(&along(b.quad.center())));
            join_row(&row, thickness, &along)
        })
        .collect()
}

/// The mean direction of the page's horizontal boxes, weighted by their length; left to right when there are
/// none.
fn page_direction(pieces: &[Piece]) -> [f32; 2] {
    let mut sum = [0.0f32, 0.0];
    for p in pieces.iter().filter(|p| !p.quad.is_vertical()) {
        let d = p.quad.direction();
        let w = p.quad.width();
        sum = [sum[0] + d[0] * w, sum[1] + d[1] * w];
    }
    let len = (sum[0] * sum[0] + sum[1] * sum[1]).sqrt();
    if len > 1e-3 { [sum[0] / len, sum[1] / len] } else { [1.0, 0.0] }
}

/// The height of a box across its text (its width for vertical text).
fn thickness(quad: &Quad) -> f32 {
    if quad.is_vertical() { quad.width() } else { quad.height() }
}

fn join_row(row: &[Piece], thickness: f32, along: &dyn Fn([f32; 2]) -> f32) -> OcrLine {
    let mut text = String::new();
    let mut bbox = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
    let (mut weighted, mut chars) = (0.0f32, 0usize);
    let mut previous_end: Option<f32> = None;
    for piece in row {
        let piece_text = tidy(&piece.text);
        let start = along(piece.quad.center()) - piece.quad.width() / 2.0;
        if let (Some(end), Some(last), Some(first)) = (previous_end, text.chars().last(), piece_text.chars().next()) {
            let wide_gap = start - end > 2.0 * thickness;
            if wide_gap || (!is_wide(last) && !is_wide(first)) {
                text.push(' ');
            }
        }
        text.push_str(&piece_text);
        previous_end = Some(along(piece.quad.center()) + piece.quad.width() / 2.0);
        let n = piece_text.chars().count();
        weighted += piece.confidence * n as f32;
        chars += n;
        let b = piece.quad.bounds();
        bbox = [bbox[0].min(b[0]), bbox[1].min(b[1]), bbox[2].max(b[2]), bbox[3].max(b[3])];
    }
    let confidence = if chars == 0 { 0.0 } else { weighted / chars as f32 };
    OcrLine { text, confidence, bbox }
}

/// Chinese characters, CJK and full-width punctuation, curly quotes and dashes: no space is wanted beside them.
fn is_wide(c: char) -> bool {
    crate::text::is_cjk(c) || matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF | 0x2010..=0x2027)
}

/// A line's text with the spaces the recogniser put beside Chinese removed, runs of spaces made one, and
/// half-width punctuation beside Chinese made full-width (the recogniser often reads ， as ,).
pub fn tidy(text: &str) -> String {
    let chars: Vec<char> = text.trim().chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if let Some(full) = full_width(c) {
            let before = out.chars().last();
            let after = chars.get(i + 1).copied();
            if before.is_some_and(is_wide) || after.is_some_and(is_wide) {
                out.push(full);
                continue;
            }
        }
        if c.is_whitespace() {
            let before = out.chars().last();
            let after = chars[i + 1..].iter().find(|c| !c.is_whitespace()).copied();
            let beside_wide = before.is_some_and(is_wide) || after.is_some_and(is_wide);
            if beside_wide || before.is_none_or(char::is_whitespace) {
                continue;
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// The full-width form of the punctuation Chinese text uses.
fn full_width(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '!' => '！',
        '?' => '？',
        '(' => '（',
        ')' => '）',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(x0: f32, y0: f32, w: f32, h: f32, slope: f32, text: &str) -> Piece {
        let dy = w * slope;
        Piece {
            quad: Quad([[x0, y0], [x0 + w, y0 + dy], [x0 + w, y0 + dy + h], [x0, y0 + h]]),
            text: text.to_string(),
            confidence: 0.9,
        }
    }

    #[test]
    fn spaces_beside_chinese_go_and_latin_words_keep_one() {
        assert_eq!(tidy(" 枫桥 经验 ，2023 年 "), "枫桥经验，2023年");
        assert_eq!(tidy("GB/T  9704 standard"), "GB/T 9704 standard");
        assert_eq!(tidy("镇街,社区(试行):1,000人, 10:30"), "镇街，社区（试行）：1,000人，10:30");
    }

    #[test]
    fn lines_of_a_skewed_page_come_out_in_order_and_split_boxes_join() {
        // slope 0.035 ≈ 2°; lines 100 px apart, 60 px high, 1800 px long: each line climbs 63 px
        let slope = 0.035;
        let pieces = vec![
            piece(200.0, 300.0, 1800.0, 60.0, slope, "第二行"),
            piece(200.0, 200.0, 800.0, 60.0, slope, "第一行"),
            piece(1100.0, 200.0 + 900.0 * slope, 900.0, 60.0, slope, "后半"),
            piece(200.0, 400.0, 120.0, 60.0, slope, "件。"),
            piece(400.0, 500.0, 600.0, 60.0, slope, "Section 3"),
            piece(1500.0, 500.0 + 1100.0 * slope, 300.0, 60.0, slope, "表格"),
        ];
        let lines = arrange(pieces);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["第一行后半", "第二行", "件。", "Section 3 表格"]);
        assert_eq!(lines[0].bbox[0], 200.0);
        assert!((lines[0].confidence - 0.9).abs() < 1e-6);
    }
}
