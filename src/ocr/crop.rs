//! A detected text line, as a four-cornered box, cut out of the page and straightened to the 48-pixel strip the
//! recognition model reads.
//!
//! Why by hand: the box of a line on a page scanned a few degrees askew is a rotated rectangle. Sampling the page
//! along the box's own axes (an affine map from its corners) straightens the line in the same step as it
//! scales it, so a 2° skew costs nothing. Several samples are averaged per output pixel when a line is shrunk, so
//! thin strokes of a 300 dpi scan are not lost between samples. A box much taller than wide is vertical text
//! and is turned a quarter so that its first character comes first, as PaddleOCR does.

use image::GrayImage;

/// A text box: corners top-left, top-right, bottom-right, bottom-left, as `[x, y]` in page pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quad(pub [[f32; 2]; 4]);

impl Quad {
    /// Orders four corners of a rectangle (any order) as top-left, top-right, bottom-right, bottom-left: the two
    /// leftmost are the left side, the upper of each side its top.
    pub fn from_corners(mut points: [[f32; 2]; 4]) -> Quad {
        points.sort_by(|a, b| a[0].total_cmp(&b[0]));
        let (tl, bl) = if points[0][1] <= points[1][1] { (points[0], points[1]) } else { (points[1], points[0]) };
        let (tr, br) = if points[2][1] <= points[3][1] { (points[2], points[3]) } else { (points[3], points[2]) };
        Quad([tl, tr, br, bl])
    }

    /// Length of the top and bottom edges (the longer of the two).
    pub fn width(&self) -> f32 {
        let [tl, tr, br, bl] = self.0;
        dist(tl, tr).max(dist(bl, br))
    }

    /// Length of the left and right edges (the longer of the two).
    pub fn height(&self) -> f32 {
        let [tl, tr, br, bl] = self.0;
        dist(tl, bl).max(dist(tr, br))
    }

    /// `[left, top, right, bottom]` of the box.
    pub fn bounds(&self) -> [f32; 4] {
        let mut b = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        for [x, y] in self.0 {
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
        b
    }

    pub fn center(&self) -> [f32; 2] {
        let s = self.0.iter().fold([0.0, 0.0], |s, p| [s[0] + p[0], s[1] + p[1]]);
        [s[0] / 4.0, s[1] / 4.0]
    }

    /// The unit vector along the line (from the left edge to the right edge).
    pub fn direction(&self) -> [f32; 2] {
        let [tl, tr, br, bl] = self.0;
        let v = [tr[0] - tl[0] + br[0] - bl[0], tr[1] - tl[1] + br[1] - bl[1]];
        let len = (v[0] * v[0] + v[1] * v[1]).sqrt();
        if len > 1e-6 { [v[0] / len, v[1] / len] } else { [1.0, 0.0] }
    }

    /// Whether the box is vertical text (much taller than wide).
    pub fn is_vertical(&self) -> bool {
        self.height() >= 1.5 * self.width()
    }
}

fn dist(a: [f32; 2], b: [f32; 2]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Cuts the box out of `page` as a strip `height` pixels high (width in proportion, at most `max_width`).
pub fn cut(page: &GrayImage, quad: &Quad, height: u32, max_width: u32) -> GrayImage {
    let [tl, tr, br, bl] = quad.0;
    // origin, the axis along the text, the axis across it
    let (origin, along, across) =
        if quad.is_vertical() { (tr, sub(br, tr), sub(tl, tr)) } else { (tl, sub(tr, tl), sub(bl, tl)) };
    let length = norm(along).max(1.0);
    let thickness = norm(across).max(1.0);
    let width = strip_width(quad, height, max_width);
    // samples per output pixel along each axis, enough to cover every source pixel when shrinking
    let step_u = length / width as f32;
    let step_v = thickness / height as f32;
    let n_u = (step_u.ceil() as u32).clamp(1, 4);
    let n_v = (step_v.ceil() as u32).clamp(1, 4);
    let mut out = GrayImage::new(width, height);
    for j in 0..height {
        for i in 0..width {
            let mut sum = 0.0;
            for sv in 0..n_v {
                let v = (j as f32 + (sv as f32 + 0.5) / n_v as f32) / height as f32;
                for su in 0..n_u {
                    let u = (i as f32 + (su as f32 + 0.5) / n_u as f32) / width as f32;
                    let x = origin[0] + along[0] * u + across[0] * v - 0.5;
                    let y = origin[1] + along[1] * u + across[1] * v - 0.5;
                    sum += bilinear(page, x, y);
                }
            }
            out.put_pixel(i, j, image::Luma([(sum / (n_u * n_v) as f32).round().clamp(0.0, 255.0) as u8]));
        }
    }
    out
}

/// The width of the strip [`cut`] makes of `quad`: its length scaled as its thickness is to `height`.
pub fn strip_width(quad: &Quad, height: u32, max_width: u32) -> u32 {
    let (length, thickness) =
        if quad.is_vertical() { (quad.height(), quad.width()) } else { (quad.width(), quad.height()) };
    ((length.max(1.0) * height as f32 / thickness.max(1.0)).ceil() as u32).clamp(1, max_width.max(1))
}

fn sub(a: [f32; 2], b: [f32; 2]) -> [f32; 2] {
    [a[0] - b[0], a[1] - b[1]]
}

fn norm(v: [f32; 2]) -> f32 {
    (v[0] * v[0] + v[1] * v[1]).sqrt()
}

/// The page's value at a point between pixels; outside the page, its nearest edge pixel.
fn bilinear(page: &GrayImage, x: f32, y: f32) -> f32 {
    let (w, h) = page.dimensions();
    if w == 0 || h == 0 {
        return 255.0;
    }
    let max_x = w.saturating_sub(1) as f32;
    let max_y = h.saturating_sub(1) as f32;
    let x = x.clamp(0.0, max_x);
    let y = y.clamp(0.0, max_y);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (x0, y0) = (x0 as u32, y0 as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let p = |x: u32, y: u32| f32::from(page.get_pixel(x, y).0[0]);
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    top * (1.0 - fy) + bottom * fy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_in_any_order_become_top_left_first() {
        let q = Quad::from_corners([[10.0, 20.0], [0.0, 0.0], [10.0, 0.0], [0.0, 20.0]]);
        assert_eq!(q.0, [[0.0, 0.0], [10.0, 0.0], [10.0, 20.0], [0.0, 20.0]]);
        assert!(q.is_vertical());
        assert_eq!(q.bounds(), [0.0, 0.0, 10.0, 20.0]);
    }

    #[test]
    fn a_tilted_box_is_cut_out_straight() {
        // A dark bar drawn along a line tilted by atan(0.05) ≈ 2.9°: the cut strip is dark in its middle rows and
        // light above and below, all along its length.
        let mut page = GrayImage::from_pixel(220, 80, image::Luma([255]));
        for x in 10..210u32 {
            let yc = 30.0 + 0.05 * x as f32;
            for y in (yc - 4.0) as u32..=(yc + 4.0) as u32 {
                page.put_pixel(x, y, image::Luma([0]));
            }
        }
        let quad = Quad([[10.0, 20.5], [210.0, 30.5], [210.0, 50.5], [10.0, 40.5]]);
        let strip = cut(&page, &quad, 20, 1000);
        assert_eq!(strip.height(), 20);
        assert!((strip.width() as i32 - 200).abs() <= 1, "{}", strip.width());
        for x in [5, 100, 190] {
            assert!(strip.get_pixel(x, 10).0[0] < 60, "middle at {x}");
            assert!(strip.get_pixel(x, 1).0[0] > 200, "top at {x}");
            assert!(strip.get_pixel(x, 18).0[0] > 200, "bottom at {x}");
        }
    }

    #[test]
    fn cutting_never_reads_outside_the_page() {
        let page = GrayImage::from_pixel(4, 3, image::Luma([7]));
        let quad = Quad([[-50.0, -50.0], [80.0, -40.0], [80.0, 60.0], [-50.0, 60.0]]);
        let strip = cut(&page, &quad, 48, 10);
        assert_eq!(strip.dimensions(), (10, 48));
        assert!(strip.pixels().all(|p| p.0[0] == 7));
    }
}
