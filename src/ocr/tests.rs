//! OCR run for real on pages rendered from known text (tests/ocr/, made by tests/ocr/make_pages.py).
//!
//! Why here: accuracy is the point of the module, so `cargo test` measures it on every run, with the floors the
//! issue sets (98 % clean, 90 % hard), on small pages so the suite stays quick. The full-page table is
//! `cargo bench --bench ocr`.

use std::path::{Path, PathBuf};

use super::*;

fn page(name: &str) -> (PathBuf, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ocr");
    let image = ["png", "jpg", "tif"].iter().map(|ext| dir.join(format!("{name}.{ext}"))).find(|p| p.exists());
    let truth = std::fs::read_to_string(dir.join(format!("{name}.txt"))).unwrap();
    (image.unwrap_or_else(|| panic!("tests/ocr/{name} missing")), truth)
}

fn check(name: &str, floor: f64) -> OcrPage {
    let (path, truth) = page(name);
    let result = recognize_file(&path).unwrap();
    let accuracy = character_accuracy(&result.text, &truth);
    assert!(accuracy >= floor, "{name}: accuracy {accuracy:.4} < {floor}\nread:\n{}\ntruth:\n{truth}", result.text);
    result
}

#[test]
fn a_clean_300_dpi_page_reads_at_98_percent_or_better() {
    let result = check("small-clean300", 0.98);
    let truth_lines = page("small-clean300").1.lines().count();
    assert_eq!(result.lines.len(), truth_lines, "{:#?}", result.lines);
    assert_eq!(result.text.lines().count(), truth_lines);
    for line in &result.lines {
        assert!(!line.text.contains(' '), "Chinese is joined without spaces: {:?}", line.text);
        assert!(line.confidence > 0.5 && line.confidence <= 1.0);
        let [l, t, r, b] = line.bbox;
        assert!(0.0 <= l && l < r && 0.0 <= t && t < b);
    }
    // reading order: top to bottom
    assert!(result.lines.windows(2).all(|w| w[0].bbox[1] < w[1].bbox[1]));
}

#[test]
fn a_clean_150_dpi_page_reads_at_98_percent_or_better() {
    check("small-clean150", 0.98);
}

#[test]
fn a_bilevel_group_4_tiff_scan_reads_at_98_percent_or_better() {
    check("small-bilevel-g4", 0.98);
}

#[test]
fn a_page_rotated_2_degrees_reads_at_90_percent_or_better() {
    check("small-rotated2", 0.90);
}

#[test]
fn a_page_under_a_red_seal_reads_at_90_percent_or_better() {
    check("small-stamp", 0.90);
}

#[test]
fn a_rough_jpeg_scan_reads_at_90_percent_or_better() {
    check("small-scan", 0.90);
}

#[test]
fn tiff_and_bmp_files_are_read_too() {
    let (path, truth) = page("small-clean150");
    let image = image::open(&path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for name in ["page.tif", "page.bmp", "扫描件（无扩展名）"] {
        let out = dir.path().join(name);
        let format = if name.ends_with(".bmp") { image::ImageFormat::Bmp } else { image::ImageFormat::Tiff };
        image.save_with_format(&out, format).unwrap();
        let result = recognize_file(&out).unwrap();
        assert!(character_accuracy(&result.text, &truth) >= 0.98, "{name}: {}", result.text);
    }
}

#[test]
fn a_blank_page_and_a_tiny_image_give_no_text() {
    let blank = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(600, 800, image::Luma([255])));
    assert_eq!(recognize(&blank).unwrap(), OcrPage::default());
    let tiny = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(1, 1, image::Luma([0])));
    assert!(recognize(&tiny).unwrap().lines.is_empty());
}

#[test]
fn bad_files_are_refused_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let missing = recognize_file(&dir.path().join("没有.png")).unwrap_err();
    assert!(matches!(missing, OcrError::Read { .. }) && missing.to_string().starts_with("无法读取图片"), "{missing}");
    let folder = recognize_file(dir.path()).unwrap_err();
    assert!(matches!(folder, OcrError::Read { .. }), "{folder}");
    let text = dir.path().join("纪要.png");
    std::fs::write(&text, "这不是图片").unwrap();
    let not_image = recognize_file(&text).unwrap_err();
    assert!(not_image.to_string().starts_with("不是可识别的图片"), "{not_image}");
    // a PNG cut off half way
    let (path, _) = page("small-clean150");
    let bytes = std::fs::read(path).unwrap();
    let cut = recognize_bytes(&bytes[..bytes.len() / 2]).unwrap_err();
    assert!(matches!(cut, OcrError::Decode(_)), "{cut:?}");
    assert!(cut.to_string().starts_with("图片已损坏或无法解码"), "{cut}");
}

#[test]
fn the_alphabet_matches_the_recognition_model() {
    let models = models::get().unwrap();
    assert_eq!(models.alphabet.len(), 6625);
    assert_eq!(models.alphabet[0], "");
    assert_eq!(models.alphabet[6624], " ");
    assert!(models.alphabet.iter().any(|c| c == "枫"));
}
