//! From a file or bytes to the grey "ink" image the models read, with every limit set before decoding.
//!
//! Why a module of its own: scans come from anyone, and an image is the easiest file to make hostile. A 20 KB
//! PNG can declare 100 000 × 100 000 pixels; decoding it would take 40 GB. So the size is read from the header
//! first and refused over [`MAX_PIXELS`], the decoder gets allocation limits as a second guard, and the file is
//! read through [`crate::library::read_bounded`] (regular files only, never past [`MAX_FILE_BYTES`]).
//!
//! The ink image drops red: an official seal (公章) stamped over the text is red, the text under it black. Seen
//! through the red channel the seal nearly vanishes and the text stays, which raised accuracy on our stamped
//! pages from 93.7 % and 98.9 % to 100 % (BENCHMARKS.md, "OCR accuracy"). The price is that red text itself (a
//! red-header 文件 title) is not read.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, GrayImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::error::OcrError;

/// The largest image OCR reads, in pixels (an A4 page scanned at 600 dpi is 35 million).
pub const MAX_PIXELS: u64 = 60_000_000;

/// The largest image file OCR reads, in bytes (a 60-megapixel uncompressed RGB TIFF is 180 MB).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The most memory a decoder may allocate for one image.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

/// Refuses dimensions OCR will not handle: no pixels, or more than [`MAX_PIXELS`].
///
/// Public so that a caller that learns an image's size before decoding it (a PDF page's embedded image, for
/// instance) can refuse it just as early.
pub fn check_dimensions(width: u32, height: u32) -> Result<(), OcrError> {
    if width == 0 || height == 0 {
        return Err(OcrError::Empty { width, height });
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(OcrError::TooLarge { width, height, limit: MAX_PIXELS });
    }
    Ok(())
}

/// Reads an image file (PNG, JPEG, TIFF, BMP; the kind is told by its content, not its name).
pub fn read_file(path: &Path) -> Result<DynamicImage, OcrError> {
    let bytes = crate::library::read_bounded(path, MAX_FILE_BYTES)
        .map_err(|e| OcrError::Read { path: path.to_path_buf(), reason: e.to_string() })?;
    decode(&bytes)
}

/// Decodes an image held in memory, refusing it from its header when it is too large. A photo's EXIF
/// orientation is applied, so a page photographed with the phone on its side comes out upright.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, OcrError> {
    let format = image::guess_format(bytes).map_err(|_| OcrError::Format { detail: String::new() })?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Tiff | ImageFormat::Bmp) {
        return Err(OcrError::Format { detail: format!("：这是 {} 图片", format_name(format)) });
    }
    let reader = ImageReader::with_format(Cursor::new(bytes), format);
    let (width, height) = reader.into_dimensions().map_err(|e| OcrError::Decode(e.to_string()))?;
    check_dimensions(width, height)?;

    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| OcrError::Decode(e.to_string()))?;
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| OcrError::Decode(e.to_string()))?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

fn format_name(format: ImageFormat) -> &'static str {
    format.extensions_str().first().copied().unwrap_or("其他格式")
}

/// The grey image the models read: luminance, except that red ink (a seal) is seen through the red channel,
/// where it is nearly white. Transparent pixels are paper (white), as when the image is shown.
pub fn ink(image: &DynamicImage) -> GrayImage {
    if let DynamicImage::ImageLuma8(grey) = image {
        return grey.clone();
    }
    let rgba = image.to_rgba8();
    let (width, height) = rgba.dimensions();
    let mut out = GrayImage::new(width, height);
    for (dst, src) in out.pixels_mut().zip(rgba.pixels()) {
        let [r, g, b, a] = src.0.map(u32::from);
        // over white paper
        let [r, g, b] = [r, g, b].map(|c| (c * a + 255 * (255 - a) + 127) / 255);
        let value = if r > g + 40 && r > b + 40 {
            r
        } else {
            // ITU-R BT.601 luma, in integers
            (299 * r + 587 * g + 114 * b + 500) / 1000
        };
        dst.0[0] = value.min(255) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_ink_is_seen_as_paper_and_black_text_stays() {
        let mut image = image::RgbImage::new(3, 1);
        image.put_pixel(0, 0, image::Rgb([222, 41, 33])); // seal
        image.put_pixel(1, 0, image::Rgb([20, 5, 4])); // text under the seal
        image.put_pixel(2, 0, image::Rgb([30, 30, 160])); // blue ink (a signature)
        let grey = ink(&DynamicImage::ImageRgb8(image));
        assert!(grey.get_pixel(0, 0).0[0] > 200);
        assert!(grey.get_pixel(1, 0).0[0] < 30);
        assert!(grey.get_pixel(2, 0).0[0] < 60);
        let clear = image::RgbaImage::from_pixel(1, 1, image::Rgba([0, 0, 0, 0]));
        assert_eq!(ink(&DynamicImage::ImageRgba8(clear)).get_pixel(0, 0).0[0], 255);
    }

    /// A PNG declaring 10 000 × 10 000 pixels with no pixel data: refused from the header, at once.
    #[test]
    fn a_hundred_megapixel_image_is_refused_before_decoding() {
        let mut png = Vec::new();
        png.extend_from_slice(b"\x89PNG\r\n\x1a\n");
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(b"IHDR");
        ihdr.extend_from_slice(&10_000u32.to_be_bytes());
        ihdr.extend_from_slice(&10_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        for empty in [b"IDAT", b"IEND"] {
            png.extend_from_slice(&0u32.to_be_bytes());
            png.extend_from_slice(empty);
            png.extend_from_slice(&crc32(empty).to_be_bytes());
        }
        let started = std::time::Instant::now();
        let err = decode(&png).unwrap_err();
        assert!(matches!(err, OcrError::TooLarge { width: 10_000, height: 10_000, .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains("10000×10000") && message.contains("上限"), "{message}");
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn what_is_not_an_image_says_so_in_chinese() {
        let err = decode(b"%PDF-1.7 not an image").unwrap_err();
        assert!(err.to_string().starts_with("不是可识别的图片"), "{err}");
        let err = decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR broken").unwrap_err();
        assert!(matches!(err, OcrError::Decode(_)), "{err:?}");
        assert!(matches!(check_dimensions(0, 10), Err(OcrError::Empty { .. })));
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}
