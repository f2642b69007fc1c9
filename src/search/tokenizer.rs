//! The two Chinese analysers the index uses, and why there are two.
//!
//! - **Jieba** (search mode, with our domain dictionary) yields real words, so ranking follows meaning and a
//!   query's words match regardless of their order (化解矛盾纠纷 / 矛盾纠纷化解).
//! - **CJK bigrams** with real positions make every literal substring findable, including sub-words that jieba
//!   glues into longer words (枫桥经验 inside 新时代枫桥经验, 治中 inside 综治中心): a query of n characters is a
//!   phrase of its n−1 overlapping bigrams.
//!
//! Both fold their input first (see [`crate::text::fold`]) so traditional and simplified script, full- and
//! half-width forms and case meet in one vocabulary. Non-CJK runs (latin words, numbers) are one token each.

use std::sync::Arc;

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::segmenter::Segmenter;

use crate::text::{fold, is_cjk};

/// Name under which the bigram analyser is registered in the index.
pub const BIGRAM: &str = "cb_bigram";
/// Name under which the jieba analyser is registered in the index.
pub const JIEBA: &str = "cb_jieba";

/// Whether a token carries a word (not punctuation or spaces).
fn is_wordy(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// Jieba words of an already folded text, for queries: default mode, no HMM guesses (so the same words come out
/// whatever surrounds them).
pub fn query_words(jieba: &Jieba, folded: &str) -> Vec<String> {
    jieba.cut(folded, false).into_iter().map(|t| t.word.trim()).filter(|w| is_wordy(w)).map(String::from).collect()
}

/// For a query of several words (化解矛盾纠纷 → 化解矛盾 + 纠纷), the finest words that documents are indexed
/// under (化解, 矛盾, 纠纷), so the words match in any order and grouping. `None` for a single word or when a
/// piece is a lone character: such a query is matched literally only.
pub fn query_word_set(jieba: &Jieba, folded: &str) -> Option<Vec<String>> {
    let coarse = query_words(jieba, folded);
    if coarse.len() < 2 || coarse.iter().any(|w| w.chars().count() < 2) {
        return None;
    }
    let minimal = minimal_search_words(jieba, folded);
    if minimal.len() < 2 || minimal.iter().any(|w| w.chars().count() < 2) {
        return None;
    }
    Some(minimal)
}

/// The segmenter's search-mode words of folded text that contain no other of them (化解矛盾 → 化解 · 矛盾): the
/// finest words a compound is indexed under.
pub fn minimal_search_words(jieba: &Jieba, folded: &str) -> Vec<String> {
    let fine: Vec<String> = jieba
        .cut_for_search(folded, false)
        .into_iter()
        .map(|t| t.word.trim().to_string())
        .filter(|w| is_wordy(w))
        .collect();
    let mut minimal: Vec<String> = fine
        .iter()
        .filter(|w| !fine.iter().any(|o| o != *w && o.len() < w.len() && w.contains(o.as_str())))
        .cloned()
        .collect();
    minimal.dedup();
    minimal
}

/// Jieba in search mode over folded text, with the whole dictionary (built when the first text is indexed).
#[derive(Clone)]
pub struct JiebaTokenizer {
    segmenter: Arc<Segmenter>,
}

impl JiebaTokenizer {
    pub fn new(segmenter: Arc<Segmenter>) -> Self {
        JiebaTokenizer { segmenter }
    }
}

/// Where a token is in the folded text. Streams keep these instead of one `String` per token: indexing makes
/// about two tokens per character, and allocating each was a tenth of the indexing time.
#[derive(Clone, Copy, Debug)]
struct Span {
    /// Byte range reported as the token's offsets.
    offset_from: usize,
    offset_to: usize,
    /// Byte range of the token's text (narrower than the offsets when jieba's word has surrounding spaces).
    text_from: usize,
    text_to: usize,
    position: usize,
}

/// Tokens computed eagerly as spans of the folded text; tantivy pulls them one by one through a single reused
/// [`Token`].
pub struct SpanTokenStream {
    text: String,
    spans: Vec<Span>,
    index: usize,
    token: Token,
}

impl SpanTokenStream {
    fn new(text: String, spans: Vec<Span>) -> Self {
        SpanTokenStream { text, spans, index: 0, token: Token::default() }
    }
}

impl TokenStream for SpanTokenStream {
    fn advance(&mut self) -> bool {
        let Some(span) = self.spans.get(self.index) else {
            return false;
        };
        self.index += 1;
        let token = &mut self.token;
        token.offset_from = span.offset_from;
        token.offset_to = span.offset_to;
        token.position = span.position;
        token.position_length = 1;
        token.text.clear();
        token.text.push_str(&self.text[span.text_from..span.text_to]);
        true
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = SpanTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SpanTokenStream {
        let folded = fold(text);
        let spans = self
            .segmenter
            .full()
            .cut_for_search(&folded, true)
            .into_iter()
            .filter(|t| is_wordy(t.word))
            .enumerate()
            .map(|(position, t)| {
                let lead = t.word.len() - t.word.trim_start().len();
                let text_from = t.byte_start + lead;
                Span {
                    offset_from: t.byte_start,
                    offset_to: t.byte_end,
                    text_from,
                    text_to: text_from + t.word.trim().len(),
                    position,
                }
            })
            .collect();
        SpanTokenStream::new(folded, spans)
    }
}

/// Overlapping CJK bigrams with real positions; latin words and numbers whole.
#[derive(Clone, Copy)]
pub struct BigramTokenizer {
    /// Index mode also emits every CJK character as a unigram at its own position, so a one-character query is
    /// an ordinary term. Query mode emits bigrams only (unigrams only for a lone character), so a query's tokens
    /// form an exact phrase.
    pub index_mode: bool,
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = SpanTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SpanTokenStream {
        let folded = fold(text);
        let spans = bigram_spans(&folded, self.index_mode);
        SpanTokenStream::new(folded, spans)
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Class {
    Cjk,
    Word,
    Other,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Other
    }
}

/// Bigram tokens of folded text (positions as described on [`BigramTokenizer`]).
pub fn bigram_tokens(folded: &str, index_mode: bool) -> Vec<Token> {
    bigram_spans(folded, index_mode)
        .into_iter()
        .map(|s| Token {
            offset_from: s.offset_from,
            offset_to: s.offset_to,
            position: s.position,
            text: folded[s.text_from..s.text_to].to_string(),
            position_length: 1,
        })
        .collect()
}

fn bigram_spans(folded: &str, index_mode: bool) -> Vec<Span> {
    let chars: Vec<(usize, char)> = folded.char_indices().collect();
    let end_of = |i: usize| chars.get(i + 1).map(|(b, _)| *b).unwrap_or(folded.len());
    let mut spans = Vec::with_capacity(chars.len() * if index_mode { 2 } else { 1 });
    let mut push = |from: usize, to: usize, position: usize| {
        spans.push(Span { offset_from: from, offset_to: to, text_from: from, text_to: to, position })
    };
    let mut position = 0;
    let mut i = 0;
    while i < chars.len() {
        let kind = class(chars[i].1);
        let mut j = i;
        while j + 1 < chars.len() && class(chars[j + 1].1) == kind {
            j += 1;
        }
        match kind {
            Class::Other => {}
            Class::Word => {
                push(chars[i].0, end_of(j), position);
                position += 1;
            }
            Class::Cjk => {
                let run = j - i + 1;
                for (k, &(from, _)) in chars.iter().enumerate().take(j + 1).skip(i) {
                    let pos = position + (k - i);
                    if index_mode || run == 1 {
                        push(from, end_of(k), pos);
                    }
                    if k < j {
                        push(from, end_of(k + 1), pos);
                    }
                }
                position += run;
            }
        }
        i = j + 1;
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bigrams(text: &str, index_mode: bool) -> Vec<(String, usize)> {
        bigram_tokens(&fold(text), index_mode).into_iter().map(|t| (t.text, t.position)).collect()
    }

    fn owned(v: &[(&str, usize)]) -> Vec<(String, usize)> {
        v.iter().map(|(s, p)| (s.to_string(), *p)).collect()
    }

    #[test]
    fn index_mode_covers_every_character() {
        assert_eq!(
            bigrams("综治中心", true),
            owned(&[("综", 0), ("综治", 0), ("治", 1), ("治中", 1), ("中", 2), ("中心", 2), ("心", 3)])
        );
    }

    #[test]
    fn query_mode_is_a_phrase() {
        assert_eq!(bigrams("治中心", false), owned(&[("治中", 0), ("中心", 1)]));
        assert_eq!(bigrams("诈", false), owned(&[("诈", 0)]));
    }

    #[test]
    fn mixed_script_keeps_relative_positions() {
        // Document and query agree on the distance between "go" and "命令" even when the query starts mid-run.
        assert_eq!(bigrams("GO常用abc", true), owned(&[("go", 0), ("常", 1), ("常用", 1), ("用", 2), ("abc", 3)]));
        assert_eq!(bigrams("常用ABC", false), owned(&[("常用", 0), ("abc", 2)]));
        assert_eq!(bigrams("A型", false), owned(&[("a", 0), ("型", 1)]));
    }

    #[test]
    fn punctuation_breaks_runs() {
        assert_eq!(bigrams("纠纷，化解", false), owned(&[("纠纷", 0), ("化解", 2)]));
        let indexed = bigrams("纠纷，化解", true);
        assert!(!indexed.iter().any(|(t, _)| t == "纷化"), "{indexed:?}");
    }

    #[test]
    fn traditional_is_folded() {
        assert_eq!(bigrams("楓橋", false), owned(&[("枫桥", 0)]));
    }

    fn stream(mut tokens: impl TokenStream) -> Vec<Token> {
        let mut out = Vec::new();
        while tokens.advance() {
            out.push(tokens.token().clone());
        }
        out
    }

    #[test]
    fn bigram_stream_yields_the_bigram_tokens() {
        let text = "綜治中心，GO命令 矛盾纠纷化解。A型";
        let streamed = stream(BigramTokenizer { index_mode: true }.token_stream(text));
        let direct = bigram_tokens(&fold(text), true);
        assert_eq!(streamed.len(), direct.len());
        for (a, b) in streamed.iter().zip(&direct) {
            assert_eq!(
                (&a.text, a.position, a.offset_from, a.offset_to),
                (&b.text, b.position, b.offset_from, b.offset_to)
            );
        }
    }

    #[test]
    fn jieba_stream_trims_words_and_skips_punctuation() {
        let segmenter = Arc::new(Segmenter::new(&[]));
        let jieba = segmenter.full();
        let text = "网格员 走访，GO 命令。";
        let folded = fold(text);
        let tokens = stream(JiebaTokenizer::new(segmenter).token_stream(text));
        let expected: Vec<String> = jieba
            .cut_for_search(&folded, true)
            .into_iter()
            .filter(|t| is_wordy(t.word))
            .map(|t| t.word.trim().to_string())
            .collect();
        let got: Vec<String> = tokens.iter().map(|t| t.text.clone()).collect();
        assert_eq!(got, expected);
        assert!(tokens.iter().enumerate().all(|(i, t)| t.position == i));
        assert!(got.contains(&"走访".to_string()) && got.contains(&"go".to_string()), "{got:?}");
    }

    #[test]
    fn jieba_uses_the_domain_dictionary() {
        let dict = vec!["矛调中心".to_string()];
        let segmenter = Arc::new(Segmenter::new(&dict));
        let words = query_words(&segmenter.for_text("区矛调中心"), &fold("区矛调中心"));
        assert!(words.contains(&"矛调中心".to_string()), "{words:?}");
        let jieba = segmenter.for_text("化解矛盾纠纷 矛调中心");
        assert_eq!(query_word_set(&jieba, "化解矛盾纠纷"), Some(vec!["化解".into(), "矛盾".into(), "纠纷".into()]));
        assert_eq!(query_word_set(&jieba, "矛调中心"), None);
        let mut tok = JiebaTokenizer::new(segmenter);
        let mut stream = tok.token_stream("推廣楓橋經驗。");
        let mut seen = Vec::new();
        while stream.advance() {
            seen.push(stream.token().text.clone());
        }
        assert!(seen.contains(&"推广".to_string()), "{seen:?}");
        assert!(!seen.contains(&"。".to_string()), "{seen:?}");
    }
}
