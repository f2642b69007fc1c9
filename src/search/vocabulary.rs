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
#[derive(Debug, Default)]
pub struct Vocabulary {
    stop: HashSet<String>,
    /// Longest stop entry, in characters (multi-word stop phrases are matched up to this length).
    longest_stop: usize,
    expansions: HashMap<String, Vec<(String, f32)>>,
    synonyms: HashMap<String, Vec<String>>,
}

impl Vocabulary {
    pub fn new(config: &Config) -> Self {
        let stop: HashSet<String> =
            config.stop_words.iter().map(|w| fold(w.trim())).filter(|w| !w.is_empty()).collect();
        let longest_stop = stop.iter().map(|w| w.chars().count()).max().unwrap_or(0);
        let mut expansions: HashMap<String, Vec<(String, f32)>> = HashMap::new();
        let mut add = |from: &String, to: &String, weight: f32| {
            if from == to || from.is_empty() || to.is_empty() {
                return;
            }
            // Looked up before inserting: most words are already keys, and `entry` would take an owned copy.
            let list = match expansions.get_mut(from) {
                Some(list) => list,
                None => expansions.entry(from.clone()).or_default(),
            };
            match list.iter_mut().find(|(w, _)| w == to) {
                Some(existing) => existing.1 = existing.1.max(weight),
                None => list.push((to.clone(), weight)),
            }
        };
        // Each word folded once per concept, not once per pair it takes part in (this runs at every start).
        let folded = |words: &[String]| -> Vec<String> { words.iter().map(|w| fold(w)).collect() };
        for c in &config.concepts {
            let (equivalents, narrower) = (folded(&c.equivalents), folded(&c.narrower));
            for a in &equivalents {
                for b in &equivalents {
                    add(a, b, EQUIVALENT_WEIGHT);
                }
                for n in &narrower {
                    add(a, n, NARROWER_WEIGHT);
                    add(n, a, BROADER_WEIGHT);
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
        for list in expansions.values_mut() {
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            list.truncate(MAX_EXPANSIONS);
        }
        Vocabulary { stop, longest_stop, expansions, synonyms }
    }

    /// Whether a folded word is a stop word.
    pub fn is_stop(&self, folded: &str) -> bool {
        self.stop.contains(folded)
    }

    /// Whether the vocabulary has something to widen a folded word to.
    pub fn knows(&self, folded: &str) -> bool {
        self.expansions.contains_key(folded) || self.synonyms.contains_key(folded)
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
        match self.expansions.get(folded) {
            Some(list) => list.iter().for_each(|(w, weight)| push(w, *weight)),
            None if folded.chars().count() >= 2 => {
                let mut containing: Vec<&String> = self.expansions.keys().filter(|k| k.contains(folded)).collect();
                containing.sort_by_key(|k| (k.chars().count(), k.as_str()));
                for k in containing.into_iter().take(3) {
                    push(k, EQUIVALENT_WEIGHT);
                    for (w, weight) in &self.expansions[k] {
                        push(w, weight * CONTAINING_FACTOR);
                    }
                }
            }
            None => {}
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
