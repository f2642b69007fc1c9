//! Reciprocal-rank fusion of the lexical ranking with the semantic one ([`crate::semantic`]).
//!
//! Each list contributes `1 / (K + rank)` to a record's score, with the customary `K = 60` (Cormack, Clarke and
//! Büttcher, 2009): no weights, nothing tuned on our own relevance set. Records that match every clause
//! (完全匹配) stay ahead of the rest, so a number, a name or a district typed in the query is never pushed down
//! by a record that is merely about the same thing; within each tier the fused score decides, except that a
//! query of one word keeps its exact matches in lexical order: the meaning of a single word is the word, and on
//! our relevance set the model reordering them lost more than it gained (天网, 网格, 乡贤; a phrase or a question
//! gains).

use std::collections::HashMap;
use std::hash::Hash;

/// The fusion constant.
pub const RRF_K: f64 = 60.0;

/// How deep each list is read: ranks beyond this contribute nothing.
pub const FUSE_DEPTH: usize = 100;

/// Records only the semantic side found join the results when they are among its first this many: a record
/// that shares no word with the query must be one of the closest to it to be shown at all.
pub const SEMANTIC_ONLY_DEPTH: usize = 20;

/// One record of the lexical ranking and whether it matched exactly.
#[derive(Debug, Clone, Copy)]
pub struct Lexical<K> {
    pub key: K,
    pub exact: bool,
}

/// Fuses a lexical ranking (best first, with tiers) and a semantic ranking (best first). Returns every lexical
/// record and the semantic-only records within [`SEMANTIC_ONLY_DEPTH`], exact matches first, each tier in
/// fused order; with `exact_by_meaning` false the exact matches keep their lexical order (a query of one word,
/// whose exact matches are best ranked by how much they say about it) and only the rest is fused.
pub fn fuse<K: Copy + Eq + Hash + Ord>(lexical: &[Lexical<K>], semantic: &[K], exact_by_meaning: bool) -> Vec<K> {
    let mut score: HashMap<K, (f64, usize, usize, bool)> = HashMap::new();
    let contribution = |rank: usize| if rank < FUSE_DEPTH { 1.0 / (RRF_K + rank as f64 + 1.0) } else { 0.0 };
    for (rank, l) in lexical.iter().enumerate() {
        let e = score.entry(l.key).or_insert((0.0, usize::MAX, usize::MAX, l.exact));
        if e.1 == usize::MAX {
            e.0 += contribution(rank);
            e.1 = rank;
        }
    }
    for (rank, k) in semantic.iter().enumerate() {
        match score.get_mut(k) {
            Some(e) if e.2 == usize::MAX => {
                e.0 += contribution(rank);
                e.2 = rank;
            }
            Some(_) => {}
            None if rank < SEMANTIC_ONLY_DEPTH => {
                score.insert(*k, (contribution(rank), usize::MAX, rank, false));
            }
            None => {}
        }
    }
    let mut out: Vec<(K, (f64, usize, usize, bool))> = score.into_iter().collect();
    out.sort_by(|(ka, a), (kb, b)| {
        let by_words = a.3 && b.3 && !exact_by_meaning;
        b.3.cmp(&a.3)
            .then(if by_words { a.1.cmp(&b.1) } else { b.0.total_cmp(&a.0) })
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
            .then(ka.cmp(kb))
    });
    out.into_iter().map(|(k, _)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(items: &[(u32, bool)]) -> Vec<Lexical<u32>> {
        items.iter().map(|&(key, exact)| Lexical { key, exact }).collect()
    }

    #[test]
    fn exact_matches_stay_first_and_agreement_wins_within_a_tier() {
        // 1 and 2 are exact; the semantic side prefers 2, so 2 overtakes 1. 3 (related) stays behind both even
        // though the semantic side ranks it first.
        let order = fuse(&lex(&[(1, true), (2, true), (3, false), (4, false)]), &[3, 2, 4], true);
        assert_eq!(order, [2, 1, 3, 4]);
    }

    #[test]
    fn semantic_only_records_join_only_near_the_top() {
        let semantic: Vec<u32> = (100..100 + SEMANTIC_ONLY_DEPTH as u32 + 5).collect();
        let order = fuse(&lex(&[(1, false)]), &semantic, true);
        assert_eq!(order.len(), 1 + SEMANTIC_ONLY_DEPTH);
        assert_eq!(order[..2], [1, 100], "equal ranks: the lexical record first");
        assert!(!order.contains(&(100 + SEMANTIC_ONLY_DEPTH as u32)));
    }

    #[test]
    fn exact_matches_of_a_lookup_keep_their_lexical_order() {
        let l = lex(&[(1, true), (2, true), (3, false), (4, false)]);
        assert_eq!(fuse(&l, &[2, 4, 3], false), [1, 2, 4, 3], "the related tier is still fused");
        assert_eq!(fuse(&l, &[2, 4, 3], true), [2, 1, 4, 3]);
    }

    #[test]
    fn without_a_semantic_ranking_the_lexical_order_is_kept() {
        let l = lex(&[(5, true), (3, false), (9, false)]);
        assert_eq!(fuse(&l, &[], true), [5, 3, 9]);
    }
}
