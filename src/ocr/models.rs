//! The two PaddleOCR PP-OCRv4 models, compiled into the program and loaded once, on first use.
//!
//! Why compiled in: the program must read scans on a machine with no network and nothing installed but the
//! program itself, and `cargo run --release` must work from a fresh clone. The models (Apache-2.0; origin and
//! checksums in `assets/ocr/README.md`) are 15 MB of ONNX, run by `rten`, a pure-Rust runtime, so there is no
//! C library to find either. Loading takes a fraction of a second and about 100 MB, so it happens only when
//! the first image is read, and the loaded models are shared by every later call (from any thread).

use std::sync::OnceLock;

use rten::Model;

use super::error::OcrError;

static DETECTION_ONNX: &[u8] = include_bytes!("../../assets/ocr/ch_PP-OCRv4_det_infer.onnx");
static RECOGNITION_ONNX: &[u8] = include_bytes!("../../assets/ocr/ch_PP-OCRv4_rec_infer.onnx");

/// The loaded models and the recognition model's alphabet.
pub struct Models {
    /// Text detection (DB): an image in, a per-pixel probability of text out.
    pub detection: Model,
    /// Text recognition (SVTR + CTC): a line 48 pixels high in, per-column class probabilities out.
    pub recognition: Model,
    /// Class `i` of the recognition output is `alphabet[i]`; class 0 is the CTC blank (an empty string).
    pub alphabet: Vec<String>,
}

static MODELS: OnceLock<Result<Models, String>> = OnceLock::new();

/// The shared models, loading them on the first call.
pub fn get() -> Result<&'static Models, OcrError> {
    MODELS.get_or_init(load).as_ref().map_err(|e| OcrError::Model(e.clone()))
}

fn load() -> Result<Models, String> {
    let detection = Model::load_static_slice(DETECTION_ONNX).map_err(|e| format!("检测模型：{e}"))?;
    let recognition = Model::load_static_slice(RECOGNITION_ONNX).map_err(|e| format!("识别模型：{e}"))?;
    // PaddleOCR keeps the character list in the model's metadata, one character a line; the output has the
    // CTC blank before it and a space after it.
    let characters = recognition.metadata().get("character").ok_or("识别模型缺少字符表（character）")?;
    let mut alphabet = Vec::with_capacity(6700);
    alphabet.push(String::new());
    alphabet.extend(characters.lines().map(str::to_string));
    alphabet.push(" ".to_string());
    Ok(Models { detection, recognition, alphabet })
}
