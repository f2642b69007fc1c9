//! The baseline every search change is measured against: character-bigram BM25 with plain OR semantics over
//! each record's title and text, folded (traditional → simplified, width, case) like Casebook's own analysers.
//! It is what a plain bigram engine does with no query model at all, kept deliberately simple.

use std::collections::HashMap;

use crate::library::Library;
use crate::text::{fold, markdown_to_plain};

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// An in-memory bigram BM25 index of a library.
pub struct BigramBm25 {
    ids: Vec<String>,
    lengths: Vec<f64>,
    average: f64,
    /// Bigram → (record, frequency).
    postings: HashMap<String, Vec<(usize, u32)>>,
}

/// Overlapping bigrams of every run of letters, digits and CJK characters (a run of one character is itself).
pub fn bigrams(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut out = Vec::new();
    for run in folded.split(|c: char| !c.is_alphanumeric()).filter(|r| !r.is_empty()) {
        let chars: Vec<char> = run.chars().collect();
        if chars.len() == 1 {
            out.push(run.to_string());
        }
        out.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
    }
    out
}

impl BigramBm25 {
    pub fn new(library: &Library) -> Self {
        let mut ids = Vec::new();
        let mut lengths = Vec::new();
        let mut postings: HashMap<String, Vec<(usize, u32)>> = HashMap::new();
        for record in &library.records {
            let Some(id) = record.id() else { continue };
            let n = ids.len();
            ids.push(id.to_string());
            let grams = bigrams(&format!("{}\n{}", record.title(), markdown_to_plain(&record.body)));
            lengths.push(grams.len() as f64);
            let mut tf: HashMap<String, u32> = HashMap::new();
            for g in grams {
                *tf.entry(g).or_default() += 1;
            }
            for (g, f) in tf {
                postings.entry(g).or_default().push((n, f));
            }
        }
        let average = lengths.iter().sum::<f64>() / lengths.len().max(1) as f64;
        BigramBm25 { ids, lengths, average, postings }
    }

    /// Record ids ranked by BM25 over the query's distinct bigrams (any of them may match).
    pub fn search(&self, query: &str, limit: usize) -> Vec<String> {
        let n = self.ids.len() as f64;
        let mut grams = bigrams(query);
        grams.sort();
        grams.dedup();
        let mut scores: HashMap<usize, f64> = HashMap::new();
        for g in &grams {
            let Some(list) = self.postings.get(g) else { continue };
            let df = list.len() as f64;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(doc, f) in list {
                let f = f as f64;
                let norm = K1 * (1.0 - B + B * self.lengths[doc] / self.average.max(1.0));
                *scores.entry(doc).or_default() += idf * f * (K1 + 1.0) / (f + norm);
            }
        }
        let mut ranked: Vec<(usize, f64)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| self.ids[a.0].cmp(&self.ids[b.0])));
        ranked.into_iter().take(limit).map(|(doc, _)| self.ids[doc].clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_of_mixed_text() {
        assert_eq!(bigrams("加装电梯，A型"), ["加装", "装电", "电梯", "a型"]);
        assert_eq!(bigrams("楓 橋"), ["枫", "桥"]);
    }
}
