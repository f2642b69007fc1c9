//! Where the text lines are: the detection model's probability map, turned into boxes (DB post-processing).
//!
//! Why these steps: PP-OCRv4's detector is a DB ("differentiable binarisation") network. It marks the shrunken
//! core of every text line; the line's box is recovered by thresholding the map, following the outline of each
//! region, fitting the smallest rotated rectangle (which is what keeps a skewed line in one box), dropping
//! regions the network is unsure of or that are too thin to hold a character, and growing the rest back by the
//! margin the network was trained to shrink them by ("unclip"). The constants are PaddleOCR's, as RapidOCR ships
//! them; the page is scaled down so its longer side is at most [`MAX_SIDE`], which keeps a 300 dpi A4 page at
//! about a third of its pixels with no loss of accuracy (measured in BENCHMARKS.md).

use image::GrayImage;
use image::imageops::{FilterType, resize};
use rten::Model;
use rten_imageproc::{RetrievalMode, find_contours};
use rten_tensor::NdTensor;
use rten_tensor::prelude::*;

use super::crop::Quad;
use super::error::OcrError;

/// Longest side of the image the detector sees, in pixels (a multiple of 32, as the network requires).
pub const MAX_SIDE: u32 = 1600;
/// A pixel is text when its probability is above this.
const THRESHOLD: f32 = 0.3;
/// A region is a line when the mean probability inside its box is at least this.
const BOX_THRESHOLD: f32 = 0.5;
/// How much a box grows back: by area × ratio / perimeter on every side.
const UNCLIP_RATIO: f32 = 1.6;
/// How much longer a line's box is made, as a share of its height (half at each end).
const END_MARGIN: f32 = 0.6;
/// Boxes thinner than this (in detector pixels) hold no character.
const MIN_SIZE: f32 = 3.0;
/// At most this many regions are looked at on one page.
const MAX_CANDIDATES: usize = 1000;

/// The text boxes of a page, in page pixels, each with the detector's confidence.
pub fn detect(model: &Model, page: &GrayImage) -> Result<Vec<(Quad, f32)>, OcrError> {
    let (width, height) = page.dimensions();
    let (dw, dh) = detector_size(width, height);
    let small = resize(page, dw, dh, FilterType::Triangle);
    let data: Vec<f32> = {
        let plane: Vec<f32> = small.as_raw().iter().map(|&v| f32::from(v) / 127.5 - 1.0).collect();
        let mut data = Vec::with_capacity(plane.len() * 3);
        for _ in 0..3 {
            data.extend_from_slice(&plane);
        }
        data
    };
    let input = NdTensor::from_data([1, 3, dh as usize, dw as usize], data);
    let output = model.run_one(input.into(), None).map_err(|e| OcrError::Inference(e.to_string()))?;
    let map: NdTensor<f32, 4> =
        output.try_into().map_err(|e: rten::TryFromValueError| OcrError::Inference(e.to_string()))?;
    let [_, _, mh, mw] = map.shape();
    if mh == 0 || mw == 0 {
        return Ok(Vec::new());
    }
    let prob: Vec<f32> = map.slice((0, 0)).iter().copied().collect();
    let boxes = boxes_from_map(&prob, mw, mh);
    let (sx, sy) = (width as f32 / mw as f32, height as f32 / mh as f32);
    Ok(boxes
        .into_iter()
        .map(|(corners, score)| {
            let corners = corners.map(|[x, y]| [(x * sx).clamp(0.0, width as f32), (y * sy).clamp(0.0, height as f32)]);
            (Quad::from_corners(corners), score)
        })
        .collect())
}

/// The size the detector sees: scaled so the longer side is at most [`MAX_SIDE`], each side rounded to a
/// multiple of 32 and at least 32.
fn detector_size(width: u32, height: u32) -> (u32, u32) {
    let long = width.max(height).max(1);
    let scale = if long > MAX_SIDE { MAX_SIDE as f32 / long as f32 } else { 1.0 };
    let round = |v: u32| (((v as f32 * scale / 32.0).round() as u32) * 32).clamp(32, MAX_SIDE);
    (round(width), round(height))
}

/// DB post-processing on a probability map `w` × `h`: boxes (four corners, in map pixels) and their scores.
fn boxes_from_map(prob: &[f32], w: usize, h: usize) -> Vec<([[f32; 2]; 4], f32)> {
    // threshold, then dilate by one pixel right and down (a 2 × 2 kernel, as RapidOCR does)
    let raw: Vec<bool> = prob.iter().map(|&p| p > THRESHOLD).collect();
    let mut mask = raw.clone();
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if !mask[i] && ((x > 0 && raw[i - 1]) || (y > 0 && raw[i - w]) || (x > 0 && y > 0 && raw[i - w - 1])) {
                mask[i] = true;
            }
        }
    }
    let mask = NdTensor::from_data([h, w], mask);
    let contours = find_contours(mask.view(), RetrievalMode::External);
    let mut boxes = Vec::new();
    for polygon in contours.iter().take(MAX_CANDIDATES) {
        let points: Vec<[i64; 2]> = polygon.iter().map(|p| [i64::from(p.x), i64::from(p.y)]).collect();
        let Some(rect) = MinRect::of(&convex_hull(points)) else { continue };
        if rect.width.min(rect.height) < MIN_SIZE {
            continue;
        }
        let score = mean_inside(prob, w, h, &rect);
        if score < BOX_THRESHOLD {
            continue;
        }
        let (rw, rh) = (rect.width, rect.height);
        let grow = rw * rh * UNCLIP_RATIO / (2.0 * (rw + rh));
        let mut grown = MinRect { width: rw + 2.0 * grow, height: rh + 2.0 * grow, ..rect };
        // A full stop or comma ends a line low and to the left of its cell, outside the core the network marks:
        // the ends of a line grow by a further fraction of its height so it is not cut off.
        if grown.width >= grown.height {
            grown.width += END_MARGIN * grown.height;
        } else {
            grown.height += END_MARGIN * grown.width;
        }
        if grown.width.min(grown.height) < MIN_SIZE + 2.0 {
            continue;
        }
        boxes.push((grown.corners(), score));
    }
    boxes
}

/// Mean probability of the map's pixels whose centres lie inside `rect`.
fn mean_inside(prob: &[f32], w: usize, h: usize, rect: &MinRect) -> f32 {
    let corners = rect.corners();
    let xs = corners.map(|p| p[0]);
    let ys = corners.map(|p| p[1]);
    let left = xs.iter().copied().fold(f32::MAX, f32::min).floor().max(0.0) as usize;
    let right = xs.iter().copied().fold(f32::MIN, f32::max).ceil().max(0.0) as usize;
    let top = ys.iter().copied().fold(f32::MAX, f32::min).floor().max(0.0) as usize;
    let bottom = ys.iter().copied().fold(f32::MIN, f32::max).ceil().max(0.0) as usize;
    let (mut sum, mut n) = (0.0f32, 0u32);
    for y in top..=bottom.min(h - 1) {
        for x in left..=right.min(w - 1) {
            if rect.contains([x as f32, y as f32]) {
                sum += prob[y * w + x];
                n += 1;
            }
        }
    }
    if n == 0 { 0.0 } else { sum / n as f32 }
}

/// The convex hull of integer points, counter-clockwise (Andrew's monotone chain; exact, in integers: a hull of
/// a long thin line in floating point loses the points whose angles differ by less than its precision).
fn convex_hull(mut points: Vec<[i64; 2]>) -> Vec<[i64; 2]> {
    points.sort_unstable();
    points.dedup();
    if points.len() < 3 {
        return points;
    }
    let cross = |o: [i64; 2], a: [i64; 2], b: [i64; 2]| (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    let mut hull: Vec<[i64; 2]> = Vec::with_capacity(points.len() + 1);
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &[i64; 2]>> =
            if pass == 0 { Box::new(points.iter()) } else { Box::new(points.iter().rev()) };
        for &p in iter {
            while hull.len() >= start + 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0 {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop(); // the last point of each chain starts the other
    }
    hull
}

/// A rotated rectangle: centre, unit axis along its width, and its two extents.
#[derive(Debug, Clone, Copy)]
struct MinRect {
    center: [f32; 2],
    axis: [f32; 2],
    width: f32,
    height: f32,
}

impl MinRect {
    /// The smallest-area rectangle holding a convex polygon: one of its sides lies along an edge of the hull.
    fn of(hull: &[[i64; 2]]) -> Option<MinRect> {
        let first = hull.first()?;
        if hull.len() < 3 {
            let last = hull.last()?;
            let (dx, dy) = ((last[0] - first[0]) as f64, (last[1] - first[1]) as f64);
            let len = (dx * dx + dy * dy).sqrt();
            let axis = if len > 0.0 { [(dx / len) as f32, (dy / len) as f32] } else { [1.0, 0.0] };
            let center = [((first[0] + last[0]) as f32) / 2.0, ((first[1] + last[1]) as f32) / 2.0];
            return Some(MinRect { center, axis, width: len as f32, height: 0.0 });
        }
        let mut best: Option<(f64, MinRect)> = None;
        for i in 0..hull.len() {
            let (a, b) = (hull[i], hull[(i + 1) % hull.len()]);
            let (dx, dy) = ((b[0] - a[0]) as f64, (b[1] - a[1]) as f64);
            let len = (dx * dx + dy * dy).sqrt();
            if len == 0.0 {
                continue;
            }
            let (ux, uy) = (dx / len, dy / len);
            let (mut min_u, mut max_u, mut min_v, mut max_v) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
            for p in hull {
                let (px, py) = ((p[0] - a[0]) as f64, (p[1] - a[1]) as f64);
                let (u, v) = (px * ux + py * uy, -px * uy + py * ux);
                min_u = min_u.min(u);
                max_u = max_u.max(u);
                min_v = min_v.min(v);
                max_v = max_v.max(v);
            }
            let area = (max_u - min_u) * (max_v - min_v);
            if best.as_ref().is_none_or(|(best_area, _)| area < *best_area) {
                let (cu, cv) = ((min_u + max_u) / 2.0, (min_v + max_v) / 2.0);
                let center = [(a[0] as f64 + cu * ux - cv * uy) as f32, (a[1] as f64 + cu * uy + cv * ux) as f32];
                let rect = MinRect {
                    center,
                    axis: [ux as f32, uy as f32],
                    width: (max_u - min_u) as f32,
                    height: (max_v - min_v) as f32,
                };
                best = Some((area, rect));
            }
        }
        best.map(|(_, rect)| rect)
    }

    fn corners(&self) -> [[f32; 2]; 4] {
        let [ux, uy] = self.axis;
        let (hw, hh) = (self.width / 2.0, self.height / 2.0);
        let [cx, cy] = self.center;
        [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
            .map(|(su, sv)| [cx + su * hw * ux - sv * hh * uy, cy + su * hw * uy + sv * hh * ux])
    }

    fn contains(&self, p: [f32; 2]) -> bool {
        let (dx, dy) = (p[0] - self.center[0], p[1] - self.center[1]);
        let u = dx * self.axis[0] + dy * self.axis[1];
        let v = -dx * self.axis[1] + dy * self.axis[0];
        u.abs() <= self.width / 2.0 + 1e-3 && v.abs() <= self.height / 2.0 + 1e-3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_detector_sees_multiples_of_32_no_larger_than_the_limit() {
        assert_eq!(detector_size(2362, 3221), (1184, 1600));
        assert_eq!(detector_size(685, 400), (672, 416));
        assert_eq!(detector_size(5, 5), (32, 32));
        assert_eq!(detector_size(1, 50_000), (32, 1600));
    }

    #[test]
    fn the_smallest_rectangle_of_a_long_tilted_line_is_tight() {
        // the outline of a 1000 × 16 bar tilted by 1 in 100: a float hull loses its corners, this one must not
        let mut points = Vec::new();
        for x in 0..1000i64 {
            points.push([x, x / 100]);
            points.push([x, x / 100 + 15]);
        }
        let rect = MinRect::of(&convex_hull(points)).unwrap();
        assert!((rect.width - 1000.0).abs() < 2.0 && rect.height > 14.0 && rect.height < 17.0, "{rect:?}");
        assert!((rect.axis[1] / rect.axis[0] - 0.01).abs() < 0.002, "{rect:?}");
        assert!(rect.contains(rect.center) && !rect.contains([rect.center[0], rect.center[1] + 10.0]));
        let hull = convex_hull(vec![[0, 0], [4, 0], [4, 4], [0, 4], [2, 2], [2, 0]]);
        assert_eq!(hull, [[0, 0], [4, 0], [4, 4], [0, 4]]);
    }

    #[test]
    fn a_confident_region_becomes_a_box_grown_back_by_the_unclip_margin() {
        // a 40 × 6 bar of probability 0.9 in a 64 × 32 map, and a faint blob that is dropped
        let (w, h) = (64, 32);
        let mut prob = vec![0.0f32; w * h];
        for y in 10..16 {
            for x in 10..50 {
                prob[y * w + x] = 0.9;
            }
        }
        for y in 25..29 {
            for x in 55..60 {
                prob[y * w + x] = 0.35;
            }
        }
        let boxes = boxes_from_map(&prob, w, h);
        assert_eq!(boxes.len(), 1, "{boxes:?}");
        let quad = Quad::from_corners(boxes[0].0);
        let [l, t, r, b] = quad.bounds();
        assert!(l < 10.0 && r > 49.0 && t < 10.0 && b > 15.0, "{:?}", quad.bounds());
        assert!(r - l < 60.0 && b - t < 16.0, "{:?}", quad.bounds());
        assert!(boxes[0].1 > 0.6 && boxes[0].1 < 0.95, "{}", boxes[0].1);
    }
}
