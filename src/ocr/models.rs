//! The two PaddleOCR PP-OCRv4 models, read from their files once, on first use, and checked by their SHA-256.
//!
//! Why files and not compiled in: compiled in, the 15.6 MB of ONNX took the release binary past 60 MB (issue 16
//! asks a lean one) and every command paid for them whether it read a scan or not. The files ship beside the
//! program (`ocr/` in the portable packages) and in the source tree (`assets/ocr/`, found by `cargo run` and
//! `cargo test` from a fresh clone), so nothing is ever downloaded. Where they are looked for, in order:
//! `CASEBOOK_OCR_DIR`; `ocr/` beside the program; `assets/ocr/` above the program (a `target/*/` build in a
//! checkout); the checkout the program was built from. A missing, damaged or replaced file is named in a Chinese
//! message and OCR is off; everything else works. The models (Apache-2.0; origin and checksums in
//! `assets/ocr/README.md`) run in `rten`, a pure-Rust runtime. Loading takes a fraction of a second and about
//! 100 MB; the loaded models are shared by every later call (from any thread).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rten::Model;
use sha2::{Digest, Sha256};

use super::error::OcrError;

/// The detection model's file name and SHA-256.
pub const DETECTION: (&str, &str) =
    ("ch_PP-OCRv4_det_infer.onnx", "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9");
/// The recognition model's file name and SHA-256.
pub const RECOGNITION: (&str, &str) =
    ("ch_PP-OCRv4_rec_infer.onnx", "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b");

/// The folders the model files are looked for in, in order.
pub fn search_path() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("CASEBOOK_OCR_DIR").map(PathBuf::from).into_iter().collect();
    if let Some(exe_dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
        dirs.push(exe_dir.join("ocr"));
        dirs.extend(exe_dir.ancestors().skip(1).take(3).map(|a| a.join("assets").join("ocr")));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join("ocr"));
    dirs
}

/// The folder that holds both model files, if any.
pub fn models_dir() -> Option<PathBuf> {
    search_path().into_iter().find(|d| d.join(DETECTION.0).is_file() && d.join(RECOGNITION.0).is_file())
}

fn read_model(dir: &Path, (name, sha256): (&str, &str)) -> Result<Model, String> {
    let path = dir.join(name);
    let bytes =
        crate::library::read_bounded(&path, 64 * 1024 * 1024).map_err(|e| format!("{}：{e}", path.display()))?;
    if format!("{:x}", Sha256::digest(&bytes)) != sha256 {
        return Err(format!("{} 已损坏或被替换（校验值不符），请从便携版中重新复制", path.display()));
    }
    Model::load(bytes).map_err(|e| format!("{}：{e}", path.display()))
}

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
    let dir = models_dir().ok_or_else(|| {
        format!(
            "找不到模型文件 {} 和 {}（应在程序旁的 ocr 文件夹中；也可用环境变量 CASEBOOK_OCR_DIR 指定文件夹）",
            DETECTION.0, RECOGNITION.0
        )
    })?;
    let detection = read_model(&dir, DETECTION).map_err(|e| format!("检测模型 {e}"))?;
    let recognition = read_model(&dir, RECOGNITION).map_err(|e| format!("识别模型 {e}"))?;
    // PaddleOCR keeps the character list in the model's metadata, one character a line; the output has the
    // CTC blank before it and a space after it.
    let characters = recognition.metadata().get("character").ok_or("识别模型缺少字符表（character）")?;
    let mut alphabet = Vec::with_capacity(6700);
    alphabet.push(String::new());
    alphabet.extend(characters.lines().map(str::to_string));
    alphabet.push(" ".to_string());
    Ok(Models { detection, recognition, alphabet })
}
