//! From a clause of the query to its meaningful units: the words a record should contain, with question and
//! function words left out, numbers kept whole with their unit, and the words each may be widened to.
//!
//! `电梯加装矛盾怎么调解` → 电梯 · 加装 · 矛盾 · 调解 (怎么 is a stop word); `安全感98.6%` → 安全感 · 98.6%;
//! `2019年矛盾纠纷1846件` → 2019年 · 矛盾纠纷 · 1846件. Pure (a segmenter and a vocabulary in, units out), so
//! the rules are tested without an index.

use jieba_rs::Jieba;

use super::segmenter::Segmenter;
use super::tokenizer::{minimal_search_words, query_word_set};
use super::vocabulary::{EQUIVALENT_WEIGHT, Vocabulary};
use crate::text::{fold, is_cjk};

/// Characters that, written right after a number, belong to it (98.6%, 7564个, 2019年, 3.5万元).
const UNIT_CHARS: &str = "%％‰个年月日号万亿元人件户名次起项家条所场天岁位期届批栋套座处宗例笔份";

/// Weight of a one-character word (a verb such as 管 or 换): it adds to the ranking but is not required.
const SINGLE_CHAR_WEIGHT: f32 = 0.3;

/// One meaningful piece of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Folded text, matched literally (a phrase of its bigrams).
    pub text: String,
    /// The finest words of a compound (化解矛盾纠纷 → 化解 · 矛盾 · 纠纷), matched in any order as an
    /// alternative to the literal; empty when the unit is one word.
    pub fine: Vec<String>,
    /// Whether the unit counts toward the words a record must share with the query (one-character words do not).
    pub counts: bool,
    /// Weight of the unit's own matches.
    pub weight: f32,
    /// Words it may be widened to, with their weights relative to `weight`.
    pub expansions: Vec<(String, f32)>,
    /// Literal only: a quoted phrase or a number (never widened or split).
    pub literal_only: bool,
    /// The word is in so large a share of the records (治理, 街道 in a governance library) that requiring it
    /// would only exclude records at random: an exact match does not need it, though it still ranks.
    pub common: bool,
}

impl Unit {
    fn word(text: String, jieba: &Jieba, vocab: &Vocabulary) -> Unit {
        let single = text.chars().count() < 2 && text.chars().all(is_cjk);
        let fine = fine_words(jieba, &text);
        let expansions = vocab.expansions(&text);
        Unit {
            counts: !single,
            weight: if single { SINGLE_CHAR_WEIGHT } else { 1.0 },
            fine,
            expansions,
            literal_only: false,
            common: false,
            text,
        }
    }

    /// A unit matched only literally.
    pub fn literal(text: String) -> Unit {
        Unit {
            text,
            fine: Vec::new(),
            counts: true,
            weight: 1.0,
            expansions: Vec::new(),
            literal_only: true,
            common: false,
        }
    }
}

/// The finest words of a unit, for matching them in any order (化解矛盾 → 化解 · 矛盾): the segmenter's
/// search-mode words that contain no other, when there are at least two and none is a single character.
fn fine_words(jieba: &Jieba, text: &str) -> Vec<String> {
    if text.chars().count() < 3 {
        return Vec::new();
    }
    if let Some(words) = query_word_set(jieba, text) {
        return words;
    }
    let minimal: Vec<String> = minimal_search_words(jieba, text).into_iter().filter(|w| w != text).collect();
    let covered: usize = minimal.iter().map(|w| w.chars().count()).sum();
    if minimal.len() < 2 || minimal.iter().any(|w| w.chars().count() < 2) || covered < text.chars().count() {
        return Vec::new();
    }
    minimal
}

/// Splits folded text into number pieces (with their unit) and the text between them.
fn pieces(folded: &str) -> Vec<(bool, String)> {
    let chars: Vec<char> = folded.chars().collect();
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (matches!(chars[i], '.' | ',') && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
            {
                i += 1;
            }
            if i < chars.len() && UNIT_CHARS.contains(chars[i]) {
                i += 1;
            }
            if !text.is_empty() {
                out.push((false, std::mem::take(&mut text)));
            }
            out.push((true, chars[start..i].iter().filter(|c| **c != ',').collect()));
        } else {
            text.push(chars[i]);
            i += 1;
        }
    }
    if !text.is_empty() {
        out.push((false, text));
    }
    out
}

/// Whether a token carries a word (not punctuation or spaces).
fn is_wordy(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// What a run of segmenter tokens is to the query.
enum Run {
    /// A stop word or stop phrase (好 + 办法): dropped.
    Stop,
    /// A word of the vocabulary that the segmenter split (楼 + 栋, 欠 + 工资): kept whole, so it is widened.
    Known(String),
}

/// The longest run of tokens starting at `i` (up to four) that is a stop phrase or a vocabulary word.
fn run_at(tokens: &[String], i: usize, vocab: &Vocabulary) -> Option<(usize, Run)> {
    let mut joined = String::new();
    let mut best = None;
    for (k, t) in tokens.iter().enumerate().skip(i).take(4) {
        joined.push_str(t);
        if vocab.is_stop(&joined) {
            best = Some((k + 1 - i, Run::Stop));
        } else if k > i && vocab.knows(&joined) {
            best = Some((k + 1 - i, Run::Known(joined.clone())));
        }
    }
    best
}

/// A word of three or more characters that neither the vocabulary nor any record knows (积分换, a segmenter
/// entry no record uses) is replaced by the shorter words it is made of, so that it can still match.
fn split_unknown(word: &str, jieba: &Jieba) -> Vec<String> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut parts: Vec<(usize, usize)> = jieba
        .cut_for_search(word, false)
        .into_iter()
        .filter(|t| t.byte_end - t.byte_start < word.len() && t.word.chars().count() >= 2)
        .map(|t| (t.byte_start, t.byte_end))
        .collect();
    // Longest parts first, then left to right; keep those that do not overlap a kept one.
    parts.sort_by_key(|&(s, e)| (std::cmp::Reverse(e - s), s));
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for (s, e) in parts {
        if kept.iter().all(|&(ks, ke)| e <= ks || s >= ke) {
            kept.push((s, e));
        }
    }
    if kept.is_empty() {
        return vec![word.to_string()];
    }
    kept.sort();
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e) in kept {
        out.extend(chars.iter().filter(|(b, _)| *b >= at && *b < s).map(|(_, c)| c.to_string()));
        out.push(word[s..e].to_string());
        at = e;
    }
    out.extend(chars.iter().filter(|(b, _)| *b >= at).map(|(_, c)| c.to_string()));
    out
}

/// How often words occur in the library being searched.
pub trait WordStats {
    /// Records in all.
    fn docs(&self) -> u64;
    /// Records that contain the word (as the segmenter indexed it).
    fn doc_freq(&self, word: &str) -> u64;
    /// Records that contain these two characters side by side, wherever the segmenter put its boundaries.
    fn pair_freq(&self, pair: &str) -> u64;
}

/// A word in more than this share of the records is [`Unit::common`] (in libraries of at least
/// [`COMMON_MIN_DOCS`] records; in a smaller one every share is noise).
const COMMON_SHARE: f64 = 0.3;
const COMMON_MIN_DOCS: u64 = 50;

/// Consecutive one-character words that are not stop words (银 + 警, a word the segmenter does not know) are
/// one unknown word: searched as written.
fn join_single_characters(tokens: Vec<String>, vocab: &Vocabulary) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut run = String::new();
    let single = |t: &str| t.chars().count() == 1 && t.chars().all(is_cjk) && !vocab.is_stop(t);
    for t in tokens {
        if single(&t) {
            run.push_str(&t);
            continue;
        }
        if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
        out.push(t);
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// The units of an unquoted clause, given how often words occur in the library. When every word is a stop
/// word (a query of just 经验 or 问题), the words are kept: a query never loses everything it says.
pub fn word_units(text: &str, segmenter: &Segmenter, vocab: &Vocabulary, stats: &dyn WordStats) -> Vec<Unit> {
    let known = |w: &str| stats.doc_freq(w) > 0;
    let folded = fold(text.trim());
    // Everything segmented below is a part of `folded`.
    let jieba = &segmenter.for_text(&folded);
    let mut units: Vec<Unit> = Vec::new();
    let mut all_words: Vec<String> = Vec::new();
    for (is_number, piece) in pieces(&folded) {
        if is_number {
            units.push(Unit::literal(piece));
            continue;
        }
        let tokens: Vec<String> = jieba
            .cut(&piece, false)
            .into_iter()
            .map(|t| t.word.trim())
            .filter(|w| is_wordy(w))
            .map(String::from)
            .collect();
        all_words.extend(tokens.iter().cloned());
        // A piece of one-character words only (治中, a sub-word no segmenter knows) is what the user typed,
        // searched as written.
        if tokens.len() > 1 && tokens.iter().all(|t| t.chars().count() == 1) {
            units.push(Unit::word(tokens.concat(), jieba, vocab));
            continue;
        }
        let tokens = join_single_characters(tokens, vocab);
        let mut i = 0;
        while i < tokens.len() {
            match run_at(&tokens, i, vocab) {
                Some((len, Run::Stop)) => i += len,
                Some((len, Run::Known(word))) => {
                    units.push(Unit::word(word, jieba, vocab));
                    i += len;
                }
                None => {
                    let t = &tokens[i];
                    if t.chars().count() >= 3 && !vocab.knows(t) && !known(t) {
                        let parts = split_unknown(t, jieba);
                        units.extend(
                            parts.into_iter().filter(|p| !vocab.is_stop(p)).map(|p| Unit::word(p, jieba, vocab)),
                        );
                    } else {
                        units.push(Unit::word(t.clone(), jieba, vocab));
                    }
                    i += 1;
                }
            }
        }
    }
    if units.is_empty() {
        units.extend(all_words.into_iter().map(|w| Unit::word(w, jieba, vocab)));
    }
    // One-character words alone are what the user asked for (诈), so they count then.
    if !units.iter().any(|u| u.counts) {
        for u in &mut units {
            u.counts = true;
            u.weight = 1.0;
        }
    }
    let mut seen: Vec<String> = Vec::new();
    units.retain(|u| {
        let new = !seen.contains(&u.text);
        seen.push(u.text.clone());
        new
    });
    for u in units.iter_mut().filter(|u| !u.literal_only) {
        if let Some(turned) = turned_pair(&u.text, stats) {
            u.expansions.insert(0, (turned, EQUIVALENT_WEIGHT));
        }
    }
    let docs = stats.docs();
    if docs >= COMMON_MIN_DOCS {
        for u in units.iter_mut().filter(|u| u.counts && !u.literal_only) {
            u.common = stats.doc_freq(&u.text) as f64 > COMMON_SHARE * docs as f64;
        }
    }
    units
}

/// A two-character word no record has, whose two characters the records do write the other way round: the
/// same pair of partners named in either order (银警 and 警银 联动, 校警 and 警校 共建), as abbreviations of two
/// bodies often are. The turned form is searched as an interchangeable word.
fn turned_pair(word: &str, stats: &dyn WordStats) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() != 2 || !chars.iter().all(|c| is_cjk(*c)) || chars[0] == chars[1] {
        return None;
    }
    let turned: String = [chars[1], chars[0]].iter().collect();
    (stats.pair_freq(word) == 0 && stats.pair_freq(&turned) > 0).then_some(turned)
}

/// How many of `n` counting units a related record must share with the query: all of one or two words, then a
/// share that grows with the query, so a long question is answered by records that have most of what it says.
pub fn minimum_should_match(n: usize) -> usize {
    match n {
        0 | 1 => 1,
        2 => 1,
        3 | 4 => 2,
        n => n.div_ceil(2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Config;
    use crate::search::segmenter::shared_segmenter;

    /// Counting units, with every word taken as one that records use.
    fn analyse(q: &str) -> Vec<String> {
        analyse_with(q, &|_| true)
    }

    fn analyse_with(q: &str, known: &dyn Fn(&str) -> bool) -> Vec<String> {
        let config = Config::default();
        let segmenter = shared_segmenter(&config.dictionary, config.analysis_fingerprint());
        let vocab = Vocabulary::new(&config);
        word_units(q, &segmenter, &vocab, &Known(known)).into_iter().filter(|u| u.counts).map(|u| u.text).collect()
    }

    /// Word statistics of a small library where the words `known` accepts occur once.
    struct Known<'a>(&'a dyn Fn(&str) -> bool);

    impl WordStats for Known<'_> {
        fn docs(&self) -> u64 {
            10
        }
        fn doc_freq(&self, word: &str) -> u64 {
            u64::from((self.0)(word))
        }
        fn pair_freq(&self, pair: &str) -> u64 {
            u64::from((self.0)(pair))
        }
    }

    #[test]
    fn question_words_do_not_count() {
        // 电梯加装 is one word of the thesaurus (= 加装电梯), so it stays whole.
        assert_eq!(analyse("电梯加装矛盾怎么调解"), ["电梯加装", "矛盾", "调解"]);
        let units = analyse("有没有用积分换物品鼓励村民的做法？");
        assert!(units.contains(&"村民".to_string()) && units.contains(&"物品".to_string()), "{units:?}");
        assert!(!units.iter().any(|u| u == "有没有" || u == "做法" || u == "的"), "{units:?}");
        let units = analyse("邻里纠纷调解的好办法");
        assert!(!units.iter().any(|u| u.contains("办法")), "{units:?}");
    }

    #[test]
    fn unknown_compounds_are_split_and_split_vocabulary_is_joined() {
        let units = analyse_with("有没有用积分换物品鼓励村民的做法？", &|w| w != "积分换");
        assert!(units.contains(&"积分".to_string()) && !units.contains(&"积分换".to_string()), "{units:?}");
        let config = Config::parse("thesaurus:\n  通用: [楼栋 = 单元楼]\n").unwrap();
        let segmenter = shared_segmenter(&config.dictionary, config.analysis_fingerprint());
        let vocab = Vocabulary::new(&config);
        let units = word_units("楼栋长", &segmenter, &vocab, &Known(&|_| true));
        assert!(units.iter().all(|u| !u.text.is_empty()));
        let units: Vec<String> =
            word_units("楼栋", &segmenter, &vocab, &Known(&|_| true)).into_iter().map(|u| u.text).collect();
        assert_eq!(units, ["楼栋"]);
        assert_eq!(analyse("银警联动"), ["银警", "联动"]);
    }

    #[test]
    fn numbers_keep_their_unit() {
        assert_eq!(analyse("安全感98.6%"), ["安全感", "98.6%"]);
        assert_eq!(analyse("2019年矛盾纠纷1,846件"), ["2019年", "矛盾纠纷", "1846件"]);
        assert_eq!(analyse("12345热线"), ["12345", "热线"]);
    }

    #[test]
    fn characters_alone_are_searched_as_written() {
        assert_eq!(analyse("治中"), ["治中"]);
        assert_eq!(analyse("诈"), ["诈"]);
    }

    #[test]
    fn a_query_of_stop_words_keeps_them() {
        assert_eq!(analyse("经验"), ["经验"]);
        assert_eq!(analyse("诈"), ["诈"]);
        assert_eq!(analyse("枫桥经验"), ["枫桥经验"]);
    }

    #[test]
    fn a_pair_written_the_other_way_round_is_an_equivalent() {
        let config = Config::default();
        let segmenter = shared_segmenter(&config.dictionary, config.analysis_fingerprint());
        let vocab = Vocabulary::new(&config);
        let units = |known: &dyn Fn(&str) -> bool| word_units("银警联动", &segmenter, &vocab, &Known(known));
        // The library writes 警银 only: 银警 is widened to it, as an interchangeable word.
        let turned = units(&|w| w != "银警");
        let first = turned.iter().find(|u| u.text == "银警").expect("银警 is a unit");
        assert_eq!(first.expansions.first(), Some(&("警银".to_string(), EQUIVALENT_WEIGHT)));
        // A library that writes 银警 itself, or neither, is searched as typed.
        for known in [&(|_: &str| true) as &dyn Fn(&str) -> bool, &|w: &str| w != "银警" && w != "警银"] {
            let u = units(known);
            assert!(u.iter().all(|u| u.expansions.iter().all(|(e, _)| e != "警银")), "{u:?}");
        }
    }

    #[test]
    fn the_share_grows() {
        let m: Vec<usize> = (1..=8).map(minimum_should_match).collect();
        assert_eq!(m, [1, 1, 2, 2, 3, 3, 4, 4]);
    }
}
