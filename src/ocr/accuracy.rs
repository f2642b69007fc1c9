//! Character accuracy of OCR output against known text: 1 − edit distance / length, whitespace ignored.
//!
//! Why whitespace is ignored: Chinese has no spaces, and where a line breaks is layout, not content; what matters
//! to a reader and to search is whether each character came out right. One definition is shared by the tests,
//! the benchmark and BENCHMARKS.md, so their numbers can be compared.

/// `1 − levenshtein(ocr, truth) / len(truth)` over characters, both with all whitespace removed; can be negative
/// when the output is mostly noise. An empty truth scores 1 for an empty output and 0 otherwise.
pub fn character_accuracy(ocr: &str, truth: &str) -> f64 {
    let a: Vec<char> = ocr.chars().filter(|c| !c.is_whitespace()).collect();
    let b: Vec<char> = truth.chars().filter(|c| !c.is_whitespace()).collect();
    if b.is_empty() {
        return if a.is_empty() { 1.0 } else { 0.0 };
    }
    1.0 - edit_distance(&a, &b) as f64 / b.len() as f64
}

/// Levenshtein distance (insertions, deletions, substitutions each cost 1).
pub fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_counts_characters_and_ignores_whitespace() {
        assert_eq!(character_accuracy("枫桥 经验\n", "枫桥经验"), 1.0);
        assert_eq!(character_accuracy("枫乔经验", "枫桥经验"), 0.75);
        assert_eq!(character_accuracy("枫桥经验了", "枫桥经验"), 0.75);
        assert_eq!(character_accuracy("", "枫桥经验"), 0.0);
        assert_eq!(character_accuracy("", " "), 1.0);
    }
}
