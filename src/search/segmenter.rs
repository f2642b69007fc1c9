//! Jieba without loading its whole dictionary in every process.
//!
//! Loading jieba's 349,046 words into its trie costs about 100 ms, which was most of the time a `casebook search`
//! took. Segmenting a text only ever looks up the dictionary words that occur in it, so a query is segmented by a
//! jieba that holds just those words, found in an FST of the dictionary compiled into the program (`build.rs`),
//! and a placeholder word that no text contains, carrying the frequency of all the words left out. The total is
//! then the same as the whole dictionary's, every word has the same probability, and the segmentation is the same:
//! the tests compare the two on the whole corpus. Indexing, which segments everything, builds the whole jieba
//! once ([`Segmenter::full`]).
//!
//! The library's own dictionary (`casebook.yaml`'s `dictionary`) is added as jieba adds it, in order, each word
//! with the frequency that `add_word` suggests for it at that point; those frequencies are computed once, from the
//! dictionary words inside the library's words.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jieba_rs::Jieba;
use tantivy_fst::raw::{Fst, Output};

use crate::text::fold;

/// jieba's dictionary, word → frequency (see `build.rs`).
static DICT_FST: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/jieba-dict.fst"));
include!(concat!(env!("OUT_DIR"), "/jieba-dict-total.rs"));

/// A word no text contains (a Unicode noncharacter): in a partial segmenter it carries the frequency of every
/// word left out, so that the total, and every probability derived from it, is the whole dictionary's.
const REST: &str = "\u{FDD0}";

/// Segmenters for one dictionary of the library's own words.
pub struct Segmenter {
    base: Fst<&'static [u8]>,
    /// The library's words, folded, in the order they are added.
    words: Vec<String>,
    /// Each of them with the frequency jieba ends up giving it.
    domain: HashMap<String, usize>,
    /// The longest of them, in characters.
    domain_longest: usize,
    /// The whole dictionary's total frequency once the library's words are added.
    total: usize,
    full: OnceLock<Arc<Jieba>>,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter").field("words", &self.words.len()).finish()
    }
}

impl Segmenter {
    /// The segmenter for a library's dictionary; cheap (a few milliseconds for hundreds of words).
    pub fn new(dictionary: &[String]) -> Segmenter {
        // The FST is made by build.rs from a file in the repository: it is well formed or the build failed.
        let base = Fst::new(DICT_FST).expect("the dictionary FST compiled into the program is valid");
        let words: Vec<String> = dictionary.iter().map(|w| fold(w.trim())).filter(|w| !w.is_empty()).collect();
        let mut this = Segmenter {
            base,
            words,
            domain: HashMap::new(),
            domain_longest: 0,
            total: DICT_TOTAL,
            full: OnceLock::new(),
        };
        // Add the words as jieba would, to a segmenter that knows every dictionary word inside them.
        let mut jieba = this.partial(&this.words.join("\n"), &HashMap::new(), DICT_TOTAL);
        let mut total = DICT_TOTAL;
        let mut domain: HashMap<String, usize> = HashMap::new();
        for w in &this.words {
            let before = domain.get(w).copied().or_else(|| this.base_freq(w)).unwrap_or(0);
            let freq = jieba.add_word(w, None, None);
            total = total + freq - before;
            domain.insert(w.clone(), freq);
        }
        this.domain_longest = domain.keys().map(|w| w.chars().count()).max().unwrap_or(0);
        this.domain = domain;
        this.total = total;
        this
    }

    /// A segmenter that segments `text` (and any part of it) exactly as the whole one does.
    pub fn for_text(&self, text: &str) -> Jieba {
        self.partial(text, &self.domain, self.total)
    }

    /// The whole segmenter, built once (about 100 ms): for indexing, which segments every record.
    pub fn full(&self) -> Arc<Jieba> {
        Arc::clone(self.full.get_or_init(|| {
            let mut jieba = Jieba::empty();
            let mut stream = self.base.stream();
            while let Some((word, freq)) = tantivy_fst::Streamer::next(&mut stream) {
                if let Ok(word) = std::str::from_utf8(word) {
                    jieba.add_word(word, Some(freq.value() as usize), None);
                }
            }
            for w in &self.words {
                jieba.add_word(w, None, None);
            }
            Arc::new(jieba)
        }))
    }

    /// A jieba with the dictionary words found in `text` (the library's, with their frequencies, over the base
    /// ones) and [`REST`] making up the `total`.
    fn partial(&self, text: &str, domain: &HashMap<String, usize>, total: usize) -> Jieba {
        let mut found: HashMap<&str, usize> = HashMap::new();
        for (start, _) in text.char_indices() {
            self.base_words_at(&text[start..], &mut found);
            let mut end = start;
            for c in text[start..].chars().take(self.domain_longest) {
                end += c.len_utf8();
                if let Some((w, &f)) = domain.get_key_value(&text[start..end]) {
                    found.insert(w.as_str(), f);
                }
            }
        }
        let mut jieba = Jieba::empty();
        let mut sum = 0;
        for (w, f) in found {
            jieba.add_word(w, Some(f), None);
            sum += f;
        }
        jieba.add_word(REST, Some(total.saturating_sub(sum)), None);
        jieba
    }

    /// Every dictionary word that `rest` starts with, by walking the FST along its bytes.
    fn base_words_at<'t>(&self, rest: &'t str, found: &mut HashMap<&'t str, usize>) {
        let mut node = self.base.root();
        let mut out = Output::zero();
        for (i, b) in rest.bytes().enumerate() {
            let Some(t) = node.find_input(b) else { return };
            let t = node.transition(t);
            out = out.cat(t.out);
            node = self.base.node(t.addr);
            if node.is_final() && rest.is_char_boundary(i + 1) {
                found.entry(&rest[..=i]).or_insert(out.cat(node.final_output()).value() as usize);
            }
        }
    }

    fn base_freq(&self, word: &str) -> Option<usize> {
        self.base.get(word).map(|o| o.value() as usize)
    }
}

/// The segmenter for a dictionary, shared: made once per dictionary (by fingerprint) in a process.
pub fn shared_segmenter(dictionary: &[String], fingerprint: u64) -> Arc<Segmenter> {
    type Cache = Mutex<Vec<(u64, Arc<Segmenter>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let mut cache = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, s)) = cache.iter().find(|(f, _)| *f == fingerprint) {
        return Arc::clone(s);
    }
    let segmenter = Arc::new(Segmenter::new(dictionary));
    cache.push((fingerprint, Arc::clone(&segmenter)));
    segmenter
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Config;

    fn words(tokens: Vec<jieba_rs::Token<'_>>) -> Vec<(String, usize)> {
        tokens.into_iter().map(|t| (t.word.to_string(), t.byte_start)).collect()
    }

    /// The partial segmenter cuts every record of the corpus, whole and line by line, as the whole one does, in
    /// every mode the index and the queries use.
    #[test]
    fn partial_segmenters_cut_as_the_whole_one() {
        let config = Config::default();
        let segmenter = Segmenter::new(&config.dictionary);
        let full = segmenter.full();
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut texts: Vec<String> = Vec::new();
        for entry in walkdir::WalkDir::new(&corpus).into_iter().filter_map(Result::ok) {
            if entry.path().extension().is_some_and(|e| e == "md")
                && let Ok(text) = std::fs::read_to_string(entry.path())
            {
                texts.push(fold(&text));
            }
        }
        assert!(texts.len() > 150, "{}", texts.len());
        texts.extend(
            ["电梯加装矛盾怎么调解", "新时代枫桥经验", "矛调中心", "楓橋經驗", "安全感98.6%", "综治中心治中"].map(fold),
        );
        for text in &texts {
            let partial = segmenter.for_text(text);
            assert_eq!(words(partial.cut_for_search(text, true)), words(full.cut_for_search(text, true)));
            assert_eq!(words(partial.cut_for_search(text, false)), words(full.cut_for_search(text, false)));
            assert_eq!(words(partial.cut(text, false)), words(full.cut(text, false)));
            // Any part of the text, such as one line, is cut the same way too.
            for line in text.lines().take(20) {
                assert_eq!(words(partial.cut_for_search(line, false)), words(full.cut_for_search(line, false)));
            }
        }
    }

    /// The library's words are words, with the frequency jieba gives them, whether or not jieba knew them.
    #[test]
    fn library_words_are_added_as_jieba_adds_them() {
        let dictionary: Vec<String> =
            ["某某工作法", "三事分流", "枫桥经验", "中国", "三事分流"].map(String::from).to_vec();
        let segmenter = Segmenter::new(&dictionary);
        let mut whole = Jieba::empty();
        let mut stream = segmenter.base.stream();
        while let Some((w, f)) = tantivy_fst::Streamer::next(&mut stream) {
            whole.add_word(std::str::from_utf8(w).unwrap(), Some(f.value() as usize), None);
        }
        let mut last: HashMap<&str, usize> = HashMap::new();
        for w in &dictionary {
            last.insert(w, whole.add_word(w, None, None));
        }
        for (w, f) in last {
            assert_eq!(segmenter.domain[w], f, "{w}");
        }
        let text = "推行某某工作法和三事分流，学习中国的枫桥经验";
        assert_eq!(words(segmenter.for_text(text).cut(text, false)), words(whole.cut(text, false)));
        assert!(segmenter.for_text(text).cut(text, false).iter().any(|t| t.word == "某某工作法"));
    }
}
