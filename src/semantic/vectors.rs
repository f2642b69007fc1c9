//! The embeddings of a library's records, kept in `<library>/.casebook/semantic/` and ranked by similarity.
//!
//! Derived data like the index: deleting it loses nothing but the time to embed again, and a damaged file is
//! read as empty. Each passage vector is stored as 8-bit integers with one scale (a quarter of the f32 size:
//! 10 000 write-ups of four passages take about 16 MB), which changes similarities by well under the gaps
//! between neighbouring records.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::SemanticError;
use crate::search::CACHE_DIR;
use crate::store::write_atomic;

/// The vectors of one record.
#[derive(Debug, Clone)]
struct Entry {
    fingerprint: [u8; 16],
    /// One scale per passage.
    scales: Vec<f32>,
    /// `scales.len() × dim` quantised components.
    data: Vec<i8>,
}

/// Every embedded record of a library.
#[derive(Debug, Clone, Default)]
pub struct Vectors {
    dim: usize,
    entries: HashMap<String, Entry>,
}

const MAGIC: &[u8; 8] = b"CBSEM01\n";

/// The file holding a library's vectors (one per model, so a new model never reads old vectors).
pub fn vectors_path(root: &Path) -> PathBuf {
    root.join(CACHE_DIR).join("semantic").join("e5-small-q4.vectors")
}

impl Vectors {
    /// An empty store for vectors of `dim` components.
    pub fn new(dim: usize) -> Vectors {
        Vectors { dim, entries: HashMap::new() }
    }

    /// Reads a library's vectors; a missing, damaged or other-sized file gives an empty store.
    pub fn open(root: &Path, dim: usize) -> Vectors {
        std::fs::read(vectors_path(root))
            .ok()
            .and_then(|bytes| decode(&bytes, dim))
            .unwrap_or_else(|| Vectors::new(dim))
    }

    /// Writes the store atomically.
    pub fn save(&self, root: &Path) -> Result<(), SemanticError> {
        let path = vectors_path(root);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| SemanticError::io(dir, e))?;
        }
        write_atomic(&path, &self.encode()).map_err(|e| SemanticError::io(&path, e))
    }

    /// How many records have vectors.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `id` has vectors for exactly this text.
    pub fn is_current(&self, id: &str, fingerprint: &[u8; 16]) -> bool {
        self.entries.get(id).is_some_and(|e| &e.fingerprint == fingerprint)
    }

    /// Stores a record's passage vectors (`n × dim` floats), replacing older ones.
    pub fn insert(&mut self, id: &str, fingerprint: [u8; 16], floats: &[f32]) {
        let dim = self.dim.max(1);
        let mut scales = Vec::with_capacity(floats.len() / dim);
        let mut data = Vec::with_capacity(floats.len());
        for row in floats.chunks_exact(dim) {
            let max = row.iter().fold(0f32, |m, x| m.max(x.abs()));
            let scale = if max > 0.0 && max.is_finite() { max / 127.0 } else { 1.0 };
            scales.push(scale);
            data.extend(row.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8));
        }
        self.entries.insert(id.to_string(), Entry { fingerprint, scales, data });
    }

    /// Drops the records `keep` says are gone.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.entries.retain(|id, _| keep(id));
    }

    /// Every embedded record with its similarity to the query (the best of its passages), most similar first.
    pub fn rank(&self, query: &[f32]) -> Vec<(String, f32)> {
        if query.len() != self.dim {
            return Vec::new();
        }
        let mut out: Vec<(String, f32)> = self
            .entries
            .iter()
            .map(|(id, e)| {
                let best = e
                    .data
                    .chunks_exact(self.dim)
                    .zip(&e.scales)
                    .map(|(row, scale)| row.iter().zip(query).map(|(a, b)| *a as f32 * b).sum::<f32>() * scale)
                    .fold(f32::MIN, f32::max);
                (id.clone(), best)
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.entries.len() * (64 + 4 * (self.dim + 4)));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.dim as u32).to_le_bytes());
        out.extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        let mut ids: Vec<&String> = self.entries.keys().collect();
        ids.sort();
        for id in ids {
            let e = &self.entries[id];
            out.extend_from_slice(&(id.len() as u32).to_le_bytes());
            out.extend_from_slice(id.as_bytes());
            out.extend_from_slice(&e.fingerprint);
            out.extend_from_slice(&(e.scales.len() as u32).to_le_bytes());
            for s in &e.scales {
                out.extend_from_slice(&s.to_le_bytes());
            }
            out.extend(e.data.iter().map(|b| *b as u8));
        }
        out
    }
}

/// Parses a store; `None` when anything is out of place.
fn decode(bytes: &[u8], dim: usize) -> Option<Vectors> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(8)? != MAGIC || r.u32()? as usize != dim {
        return None;
    }
    let count = r.u32()? as usize;
    let mut entries = HashMap::with_capacity(count.min(1 << 20));
    for _ in 0..count {
        let id_len = r.u32()? as usize;
        let id = std::str::from_utf8(r.take(id_len)?).ok()?.to_string();
        let fingerprint: [u8; 16] = r.take(16)?.try_into().ok()?;
        let n = r.u32()? as usize;
        let scales = (0..n).map(|_| r.f32()).collect::<Option<Vec<f32>>>()?;
        let data = r.take(n.checked_mul(dim)?)?.iter().map(|b| *b as i8).collect();
        entries.insert(id, Entry { fingerprint, scales, data });
    }
    (r.at == bytes.len()).then_some(Vectors { dim, entries })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn f32(&mut self) -> Option<f32> {
        Some(f32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn ranks_by_the_closest_passage_and_survives_a_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = Vectors::new(3);
        let near = unit(&[1.0, 0.1, 0.0]);
        let far = unit(&[0.0, 0.0, 1.0]);
        v.insert("a", [1; 16], &[far.clone(), near.clone()].concat());
        v.insert("b", [2; 16], &far);
        v.save(dir.path()).unwrap();
        let back = Vectors::open(dir.path(), 3);
        assert_eq!(back.len(), 2);
        assert!(back.is_current("a", &[1; 16]) && !back.is_current("a", &[2; 16]));
        let ranked = back.rank(&unit(&[1.0, 0.0, 0.0]));
        assert_eq!(ranked[0].0, "a");
        assert!((ranked[0].1 - 0.995).abs() < 0.01, "{ranked:?}");
    }

    #[test]
    fn a_damaged_or_foreign_file_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = Vectors::new(3);
        v.insert("a", [1; 16], &unit(&[1.0, 2.0, 3.0]));
        v.save(dir.path()).unwrap();
        let path = vectors_path(dir.path());
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(Vectors::open(dir.path(), 3).is_empty());
        std::fs::write(&path, &bytes).unwrap();
        assert!(Vectors::open(dir.path(), 4).is_empty(), "another model's size");
        assert!(Vectors::open(dir.path(), 3).rank(&[1.0]).is_empty(), "a query of the wrong size");
    }
}
