//! Text utilities shared by the library, the index and the exports: script folding, the one reading of a
//! Markdown body ([`markdown`]), and Markdown-to-plain-text.
//!
//! Folding is the one place that decides when two spellings are "the same" for search. It maps every character
//! to exactly one character, so offsets computed on folded text are valid on the original text too.

pub mod compose;
mod fold;
mod fold_table;
pub mod markdown;
mod plain;

pub use fold::{fold, fold_char, is_cjk};
pub use plain::markdown_to_plain;
