//! The library's concept vocabulary and stop list as search uses them: folded look-ups from a query word to the
//! words it may be widened to, each with the weight it is searched at.
//!
//! Weights are fixed by relation, not tuned per word: what the user typed counts 1, a synonym group of
//! `casebook.yaml` (an exact equivalence the office declared) 0.9, an interchangeable word of the thesaurus 0.6,
//! a narrower word 0.5 and a broader one 0.35 (widening loses more meaning than narrowing).

use std::collections::{HashMap, HashSet};

use crate::library::Config;
use crate::text::fold;

/// Weight of a word from one of the library's synonym groups.
pub const SYNONYM_WEIGHT: f32 = 0.9;
/// Weight of an interchangeable word of the thesaurus.
pub const EQUIVALENT_WEIGHT: f32 = 0.6;
/// Weight of a narrower word (老年人 → 独居老人).
pub const NARROWER_WEIGHT: f32 = 0.5;
/// Weight of a broader word (独居老人 → 老年人).
pub const BROADER_WEIGHT: f32 = 0.35;
/// The words of a vocabulary word that contains the query word count this share of their weight.
pub const CONTAINING_FACTOR: f32 = 0.6;
/// At most this many expansions of one word are searched, the heaviest first.
pub const MAX_EXPANSIONS: usize = 12;

/// Folded look-ups built once per index from the [`Config`].
///
/// A word's thesaurus expansions are worked out when a query asks for them, from the concepts that name it:
/// building every word's list up front (15,000 pairs) was most of the cost of opening an index.
#[derive(Debug, Default)]
pub struct Vocabulary {
    stop: HashSet<String>,
    /// Longest stop entry, in characters (multi-word stop phrases are matched up to this length).
    longest_stop: usize,
    /// Each concept's words, folded: equivalents, then narrower words.
    concepts: Vec<FoldedConcept>,
    /// The concepts each folded word belongs to, by index into `concepts`.
    concepts_of: HashMap<String, Vec<usize>>,
    synonyms: HashMap<String, Vec<String>>,
}

/// One thesaurus concept, its words folded.
#[derive(Debug, Default)]
struct FoldedConcept {
    equivalents: Vec<String>,
    narrower: Vec<String>,
}

impl Vocabulary {
    pub fn new(config: &Config) -> Self {
        let stop: HashSet<String> =
            config.stop_words.iter().map(|w| fold(w.trim())).filter(|w| !w.is_empty()).collect();
        let longest_stop = stop.iter().map(|w| w.chars().count()).max().unwrap_or(0);
        let folded =
            |words: &[String]| -> Vec<String> { words.iter().map(|w| fold(w)).filter(|w| !w.is_empty()).collect() };
        let concepts: Vec<FoldedConcept> = config
            .concepts
            .iter()
            .map(|c| FoldedConcept { equivalents: folded(&c.equivalents), narrower: folded(&c.narrower) })
            .collect();
        let mut concepts_of: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in concepts.iter().enumerate() {
            for w in c.equivalents.iter().chain(&c.narrower) {
                let list = match concepts_of.get_mut(w) {
                    Some(list) => list,
                    None => concepts_of.entry(w.clone()).or_default(),
                };
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        let mut synonyms: HashMap<String, Vec<String>> = HashMap::new();
        for group in &config.synonyms {
            let folded: Vec<String> = group.iter().map(|s| fold(s.trim())).filter(|s| !s.is_empty()).collect();
            for a in &folded {
                let list = synonyms.entry(a.clone()).or_default();
                for b in &folded {
                    if a != b && !list.contains(b) {
                        list.push(b.clone());
                    }
                }
            }
        }
        Vocabulary { stop, longest_stop, concepts, concepts_of, synonyms }
    }

    /// The thesaurus words a folded word widens to, heaviest first (then by word), at most [`MAX_EXPANSIONS`]:
    /// the other equivalents of its concepts, their narrower words, and the equivalents of the concepts it is a
    /// narrower word of. Each word once, at its heaviest relation.
    fn thesaurus<'a>(&'a self, word: &str) -> Vec<(String, f32)> {
        let mut list: Vec<(&'a str, f32)> = Vec::new();
        let mut add = |to: &'a str, weight: f32| {
            if to == word {
                return;
            }
            match list.iter_mut().find(|(w, _)| *w == to) {
                Some(existing) => existing.1 = existing.1.max(weight),
                None => list.push((to, weight)),
            }
        };
        for &i in self.concepts_of.get(word).into_iter().flatten() {
            let c = &self.concepts[i];
            if c.equivalents.iter().any(|w| w == word) {
                c.equivalents.iter().for_each(|w| add(w, EQUIVALENT_WEIGHT));
                c.narrower.iter().for_each(|w| add(w, NARROWER_WEIGHT));
            }
            if c.narrower.iter().any(|w| w == word) {
                c.equivalents.iter().for_each(|w| add(w, BROADER_WEIGHT));
            }
        }
        list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        list.truncate(MAX_EXPANSIONS);
        list.into_iter().map(|(w, weight)| (w.to_string(), weight)).collect()
    }

    /// Whether a folded word is a stop word.
    pub fn is_stop(&self, folded: &str) -> bool {
        self.stop.contains(folded)
    }

    /// Whether the vocabulary has something to widen a folded word to.
    pub fn knows(&self, folded: &str) -> bool {
        !self.thesaurus(folded).is_empty() || self.synonyms.contains_key(folded)
    }

    /// Longest stop entry in characters.
    pub fn longest_stop(&self) -> usize {
        self.longest_stop
    }

    /// The library's exact synonyms of a folded word (not itself): searched as literal alternatives.
    pub fn synonyms(&self, folded: &str) -> &[String] {
        self.synonyms.get(folded).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Words a folded query word is widened to, with their weights: synonyms first, then the thesaurus. A word
    /// the vocabulary does not have but that is part of words it has (天网 in 天网工程) is widened to those
    /// words and, at a lower weight, to theirs.
    pub fn expansions(&self, folded: &str) -> Vec<(String, f32)> {
        let mut out: Vec<(String, f32)> = self.synonyms(folded).iter().map(|s| (s.clone(), SYNONYM_WEIGHT)).collect();
        let mut push = |w: &str, weight: f32| {
            if w != folded && !out.iter().any(|(o, _)| o == w) {
                out.push((w.to_string(), weight));
            }
        };
        let own = self.thesaurus(folded);
        if !own.is_empty() {
            own.iter().for_each(|(w, weight)| push(w, *weight));
        } else if folded.chars().count() >= 2 {
            let mut containing: Vec<(&String, Vec<(String, f32)>)> = self
                .concepts_of
                .keys()
                .filter(|k| k.contains(folded))
                .map(|k| (k, self.thesaurus(k)))
                .filter(|(_, list)| !list.is_empty())
                .collect();
            containing.sort_by_key(|(k, _)| (k.chars().count(), k.as_str()));
            for (k, list) in containing.into_iter().take(3) {
                push(k, EQUIVALENT_WEIGHT);
                for (w, weight) in &list {
                    push(w, weight * CONTAINING_FACTOR);
                }
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out.truncate(MAX_EXPANSIONS);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_have_their_weights() {
        let config = Config::parse(
            "thesaurus:\n  通用:\n    - 老年人 = 老人 > 独居老人, 空巢老人\nsynonyms: [[电诈, 电信网络诈骗]]\nstop_words: [劳驾]\n",
        )
        .unwrap();
        let v = Vocabulary::new(&config);
        let of = |w: &str| v.expansions(w);
        assert!(of("老人").contains(&("老年人".into(), EQUIVALENT_WEIGHT)));
        assert!(of("老年人").contains(&("独居老人".into(), NARROWER_WEIGHT)));
        assert!(of("独居老人").contains(&("老年人".into(), BROADER_WEIGHT)));
        assert_eq!(of("电诈")[0], ("电信网络诈骗".into(), SYNONYM_WEIGHT));
        assert!(v.is_stop("劳驾") && v.is_stop("怎么") && !v.is_stop("调解"));
        assert!(of("独居老人").iter().all(|(w, _)| w != "独居老人"), "never itself");
        // A part of a vocabulary word reaches it and its relatives.
        assert!(of("独居").iter().any(|(w, _)| w == "独居老人"), "{:?}", of("独居"));
        assert!(of("独居").iter().any(|(w, _)| w == "老年人"), "{:?}", of("独居"));
    }
}
