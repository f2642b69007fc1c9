//! What a line says: each box cut out as a strip, run through the recognition model a few at a time, decoded
//! by CTC.
//!
//! Why this way: PP-OCRv4's recogniser reads a strip 48 pixels high and gives, for every 8 pixels of width,
//! a probability for each of its 6 625 classes (a blank, 6 623 characters, a space). Greedy CTC decoding takes
//! the likeliest class of each column, merges repeats and drops blanks. Strips are batched by similar width
//! (sorted, as PaddleOCR does) so padding wastes little work; the padding value is the one the model was trained
//! with (zero after normalising). The time limit is checked between batches, so a hostile page with thousands
//! of boxes stops instead of running for hours.

use std::time::Instant;

use image::GrayImage;
use rten_tensor::NdTensor;
use rten_tensor::prelude::*;

use super::crop::{self, Quad};
use super::error::OcrError;
use super::models::Models;

/// Height of the strip the recogniser reads.
pub const LINE_HEIGHT: u32 = 48;
/// Widest strip the recogniser reads (about 80 characters); a longer line is squeezed into it.
pub const MAX_LINE_WIDTH: u32 = 4000;
/// Narrowest batch width, PaddleOCR's default strip of 320 pixels.
const MIN_BATCH_WIDTH: u32 = 320;
/// Strips per model run.
const BATCH: usize = 6;

/// The text and confidence (mean probability of its characters) of each box of `page`, in the order given.
/// Boxes are cut out a batch at a time, so the time limit also bounds the cutting.
pub fn read_lines(
    models: &Models,
    page: &GrayImage,
    quads: &[Quad],
    deadline: Instant,
    limit_secs: u64,
) -> Result<Vec<(String, f32)>, OcrError> {
    let widths: Vec<u32> = quads.iter().map(|q| crop::strip_width(q, LINE_HEIGHT, MAX_LINE_WIDTH)).collect();
    let mut order: Vec<usize> = (0..quads.len()).collect();
    order.sort_by_key(|&i| widths[i]);
    let mut results = vec![(String::new(), 0.0f32); quads.len()];
    for chunk in order.chunks(BATCH) {
        if Instant::now() > deadline {
            return Err(OcrError::TimedOut(limit_secs));
        }
        let strips: Vec<GrayImage> =
            chunk.iter().map(|&i| crop::cut(page, &quads[i], LINE_HEIGHT, MAX_LINE_WIDTH)).collect();
        let batch_width = strips.iter().map(GrayImage::width).max().unwrap_or(0).max(MIN_BATCH_WIDTH);
        let (n, h, w) = (chunk.len(), LINE_HEIGHT as usize, batch_width as usize);
        let mut data = vec![0.0f32; n * 3 * h * w];
        for (k, strip) in strips.iter().enumerate() {
            let sw = (strip.width() as usize).min(w);
            for y in 0..(strip.height() as usize).min(h) {
                for x in 0..sw {
                    let v = f32::from(strip.get_pixel(x as u32, y as u32).0[0]) / 127.5 - 1.0;
                    for c in 0..3 {
                        data[((k * 3 + c) * h + y) * w + x] = v;
                    }
                }
            }
        }
        let input = NdTensor::from_data([n, 3, h, w], data);
        let output = models.recognition.run_one(input.into(), None).map_err(|e| OcrError::Inference(e.to_string()))?;
        let probs: NdTensor<f32, 3> =
            output.try_into().map_err(|e: rten::TryFromValueError| OcrError::Inference(e.to_string()))?;
        let [batch, steps, classes] = probs.shape();
        for (k, &i) in chunk.iter().enumerate().take(batch) {
            let mut best = Vec::with_capacity(steps);
            for t in 0..steps {
                let row = probs.slice((k, t));
                let mut arg = (0usize, f32::MIN);
                for (c, &p) in row.iter().enumerate().take(classes) {
                    if p > arg.1 {
                        arg = (c, p);
                    }
                }
                best.push(arg);
            }
            results[i] = ctc_decode(&best, &models.alphabet);
        }
    }
    Ok(results)
}

/// Greedy CTC: `best` is the likeliest (class, probability) per column; repeats merge, blanks (class 0) and
/// classes outside the alphabet drop. Confidence is the mean probability of the characters kept.
pub fn ctc_decode(best: &[(usize, f32)], alphabet: &[String]) -> (String, f32) {
    let mut text = String::new();
    let (mut sum, mut count) = (0.0f32, 0u32);
    let mut previous = usize::MAX;
    for &(class, p) in best {
        if class != previous
            && class != 0
            && let Some(s) = alphabet.get(class)
        {
            text.push_str(s);
            sum += p;
            count += 1;
        }
        previous = class;
    }
    (text, if count == 0 { 0.0 } else { sum / count as f32 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctc_merges_repeats_and_drops_blanks() {
        let alphabet: Vec<String> = ["", "枫", "桥", "经", "验"].iter().map(|s| s.to_string()).collect();
        let best = [(1, 0.9), (1, 0.8), (0, 0.99), (2, 0.7), (0, 0.9), (2, 0.9), (3, 1.0), (4, 0.6), (9, 0.5)];
        let (text, confidence) = ctc_decode(&best, &alphabet);
        assert_eq!(text, "枫桥桥经验");
        assert!((confidence - (0.9 + 0.7 + 0.9 + 1.0 + 0.6) / 5.0).abs() < 1e-6);
        assert_eq!(ctc_decode(&[(0, 1.0)], &alphabet), (String::new(), 0.0));
    }
}
