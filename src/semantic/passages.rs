//! A record cut into passages the model can read: the title, then the text in pieces of about
//! [`PASSAGE_CHARS`] characters ended at a sentence, each piece led by the title so it keeps its topic.
//!
//! e5 reads at most 512 tokens and averages what it reads, so a long write-up embedded whole would blur into
//! its common words; a record is as close to a question as its closest passage.

use sha2::{Digest, Sha256};

use crate::library::Record;
use crate::text::markdown_to_plain;

/// Characters of text per passage (the title comes on top).
pub const PASSAGE_CHARS: usize = 400;
/// Passages embedded per record at most: the first 16 × 400 characters. Embedding costs about a third of a
/// second per passage, so an overlong record must not hold up the library.
pub const MAX_PASSAGES: usize = 16;

/// The passages of a record, in order.
pub fn passages(record: &Record) -> Vec<String> {
    let title = record.title().trim();
    let plain = markdown_to_plain(&record.body);
    let text: String = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let lead = if title.is_empty() { String::new() } else { format!("{title}。") };
    let mut out = Vec::new();
    let mut current = lead.clone();
    let mut current_chars = 0;
    for sentence in sentences(&text) {
        let n = sentence.chars().count();
        if current_chars > 0 && current_chars + n > PASSAGE_CHARS {
            out.push(std::mem::replace(&mut current, lead.clone()));
            current_chars = 0;
            if out.len() == MAX_PASSAGES {
                return out;
            }
        }
        // A sentence longer than a passage is cut where it overflows.
        for piece in cut(sentence, PASSAGE_CHARS) {
            if current_chars > 0 && current_chars + piece.chars().count() > PASSAGE_CHARS {
                out.push(std::mem::replace(&mut current, lead.clone()));
                current_chars = 0;
                if out.len() == MAX_PASSAGES {
                    return out;
                }
            }
            current_chars += piece.chars().count();
            current.push_str(piece);
        }
    }
    if current_chars > 0 || out.is_empty() && !lead.is_empty() {
        out.push(current);
    }
    out
}

/// A fingerprint of what would be embedded: a record whose passages did not change is not embedded again.
pub fn fingerprint(passages: &[String]) -> [u8; 16] {
    let mut h = Sha256::new();
    for p in passages {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// Sentences with their closing punctuation.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(['。', '！', '？', '；', '\n']).filter(|s| !s.trim().is_empty())
}

/// `s` in pieces of at most `n` characters.
fn cut(s: &str, n: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (count, (i, _)) in s.char_indices().enumerate() {
        if count > 0 && count % n == 0 {
            out.push(&s[start..i]);
            start = i;
        }
    }
    out.push(&s[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Record, TextEncoding};

    fn record(title: &str, body: &str) -> Record {
        let text = format!("---\nid: t-1\ntitle: {title}\nproject: t\n---\n{body}\n");
        Record::parse("t/t-1.md".into(), &text, TextEncoding::Utf8).expect("test record parses")
    }

    #[test]
    fn every_passage_keeps_the_title_and_stays_short() {
        let body = "居民议事会每月开一次会，讨论加装电梯的分歧。".repeat(60);
        let ps = passages(&record("加装电梯议事", &body));
        assert!(ps.len() > 2);
        for p in &ps {
            assert!(p.starts_with("加装电梯议事。"));
            assert!(p.chars().count() <= PASSAGE_CHARS + "加装电梯议事。".chars().count());
        }
    }

    #[test]
    fn overlong_records_and_sentences_are_bounded() {
        let body = "没有句号的一句话".repeat(5000);
        let ps = passages(&record("长", &body));
        assert_eq!(ps.len(), MAX_PASSAGES);
        assert!(passages(&record("只有标题", "")).len() == 1);
    }

    #[test]
    fn the_fingerprint_follows_the_text() {
        let a = passages(&record("甲", "一。二。"));
        let b = passages(&record("甲", "一。三。"));
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }
}
