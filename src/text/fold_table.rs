//! The fold table's rules, shared by `build.rs`, which computes the table once at build time (running fast2s
//! over 63k characters took 2.5 ms at every start of the program), and by [`super::fold`], which reads it.
//! Nothing here depends on the rest of the crate, so that `build.rs` can include this file.

/// The characters fast2s converts: those encoded in three UTF-8 bytes.
pub const FIRST_3_BYTE: u32 = 0x800;
pub const LAST_3_BYTE: u32 = 0xFFFF;
/// Table entry of a character whose conversion depends on its neighbours.
pub const CONTEXTUAL: u16 = 0;

/// Characters fast2s 0.3 converts differently depending on the character before or after them (its
/// `T2S_EXCLUDE` and `T2S_SPECIAL_CONVERT_TYPE` tables, e.g. 乾隆 stays, 乾 alone becomes 干). The unit tests
/// check the table against fast2s on every character and on these in context.
pub const NEIGHBOUR_DEPENDENT: &[char] =
    &['兒', '覆', '夥', '藉', '瞭', '麽', '幺', '於', '乾', '著', '苧', '闔', '鍾', '讎', '畫'];

/// Folds one character. The traditional → simplified step is done on whole strings by `fold` because the
/// converter looks at neighbouring characters; this handles width and case only.
pub fn fold_char(c: char) -> char {
    let c = match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// What every three-byte character folds to, or [`CONTEXTUAL`], as little-endian `u16`s: `convert` (fast2s's)
/// run over all of them, each between spaces so no neighbour applies, then [`fold_char`].
#[allow(dead_code)] // Called by build.rs only.
pub fn table_bytes(convert: impl Fn(&str) -> String) -> Vec<u8> {
    let all: Vec<char> = (FIRST_3_BYTE..=LAST_3_BYTE).filter_map(char::from_u32).collect();
    let mut spaced = String::with_capacity(all.len() * 4);
    for &c in &all {
        spaced.push(c);
        spaced.push(' ');
    }
    let converted = convert(&spaced);
    let mut table = vec![CONTEXTUAL; (LAST_3_BYTE - FIRST_3_BYTE + 1) as usize];
    for (&c, to) in all.iter().zip(converted.chars().step_by(2)) {
        let folded = fold_char(to) as u32;
        if !NEIGHBOUR_DEPENDENT.contains(&c) && folded != 0 && folded <= 0xFFFF {
            table[(c as u32 - FIRST_3_BYTE) as usize] = folded as u16;
        }
    }
    table.iter().flat_map(|v| v.to_le_bytes()).collect()
}
