//! Offline Chinese OCR: the text of a scanned or photographed page, with no network and nothing to install.
//!
//! Why it exists: offices file scanned 纪要 and 简报, photos of pages and image-only PDFs; import turns them into
//! searchable records through [`recognize`] (a decoded image from anywhere, e.g. a PDF page) or
//! [`recognize_file`] (PNG, JPEG, TIFF, BMP). Why this engine: PaddleOCR's PP-OCRv4 Chinese models (Apache-2.0,
//! shipped beside the program and read at first use, see `assets/ocr/README.md`) run by `rten`, a pure-Rust runtime, read all ten of
//! our A4 test pages without an error (clean 300 and 150 dpi, 2° skew, a red seal over the text, a rough JPEG
//! scan, in two faces), where Tesseract 5 with `chi_sim` read 90.8–99.5 % for about the same CPU; the table and
//! the method are in BENCHMARKS.md, "OCR accuracy".
//!
//! The steps, one file each: `input` (bounded reading, the ink image that drops red seals), `detect` (where
//! the lines are), `crop` (each line straightened to a strip), `read_line` (what it says), `layout`
//! (reading order). [`accuracy`] measures the result against known text, for tests and the benchmark. The
//! models load once, on first use, and are shared (`models`). Nothing here knows of egui or clap.

pub mod accuracy;
mod crop;
mod detect;
mod error;
mod input;
mod layout;
mod models;
mod read_line;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::{Duration, Instant};

use image::DynamicImage;

pub use accuracy::character_accuracy;
pub use error::OcrError;
pub use input::{MAX_FILE_BYTES, MAX_PIXELS, check_dimensions, decode as decode_image};

/// The longest one page may take; past it the page fails with [`OcrError::TimedOut`]. A 300 dpi A4 page takes
/// a few seconds on two cores.
pub const TIME_LIMIT: Duration = Duration::from_secs(300);

/// Lines whose characters the recogniser is on average less sure of than this are dropped (noise, seal
/// fragments, pictures).
const MIN_CONFIDENCE: f32 = 0.5;

/// One line of text as read from the page.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrLine {
    /// The line's text: Chinese joined without spaces, Latin words and numbers separated by one.
    pub text: String,
    /// Mean probability of its characters, 0–1.
    pub confidence: f32,
    /// `[left, top, right, bottom]` in pixels of the image given (after any EXIF rotation of a photo).
    pub bbox: [f32; 4],
}

/// The text of a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OcrPage {
    /// Lines in reading order: top to bottom, each left to right.
    pub lines: Vec<OcrLine>,
    /// The lines' text, one line per text line, joined by `\n`.
    pub text: String,
}

/// Reads the text of an image already decoded (from a file, a PDF page, the clipboard).
///
/// Refuses an image over [`MAX_PIXELS`] at once. Red ink (an official seal) is ignored, so text under a seal is
/// read; red text itself is therefore not read.
pub fn recognize(image: &DynamicImage) -> Result<OcrPage, OcrError> {
    check_dimensions(image.width(), image.height())?;
    let models = models::get()?;
    let started = Instant::now();
    let deadline = started + TIME_LIMIT;
    let ink = input::ink(image);
    let boxes = detect::detect(&models.detection, &ink)?;
    let quads: Vec<crop::Quad> = boxes.into_iter().map(|(quad, _)| quad).collect();
    let texts = read_line::read_lines(models, &ink, &quads, deadline, TIME_LIMIT.as_secs())?;
    let pieces: Vec<layout::Piece> = quads
        .into_iter()
        .zip(texts)
        .filter(|(_, (text, confidence))| *confidence >= MIN_CONFIDENCE && !text.trim().is_empty())
        .map(|(quad, (text, confidence))| layout::Piece { quad, text, confidence })
        .collect();
    let lines: Vec<OcrLine> = layout::arrange(pieces).into_iter().filter(|l| !l.text.is_empty()).collect();
    let text = lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n");
    Ok(OcrPage { lines, text })
}

/// Reads the text of an image file: PNG, JPEG, TIFF (its first page) or BMP, told by content, not by name.
///
/// The file is read only if it is a regular file of at most [`MAX_FILE_BYTES`]; its pixel size is checked from
/// the header before anything is decoded.
pub fn recognize_file(path: &Path) -> Result<OcrPage, OcrError> {
    let image = input::read_file(path)?;
    recognize(&image)
}

/// Reads the text of an image held in memory (PNG, JPEG, TIFF, BMP), with the same checks as
/// [`recognize_file`].
pub fn recognize_bytes(bytes: &[u8]) -> Result<OcrPage, OcrError> {
    let image = input::decode(bytes)?;
    recognize(&image)
}

/// Loads the models now rather than on the first page (for a background thread that wants the first page to
/// be quick). Loading happens once whichever is called first.
pub fn preload() -> Result<(), OcrError> {
    models::get().map(|_| ())
}
