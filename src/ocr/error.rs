//! Why OCR gave no text, in one Chinese sentence a clerk can act on.
//!
//! Every failure an input can cause (a file that is not an image, a damaged one, one too large to read safely,
//! a page that takes too long) is a value here, never a panic; the import code shows the message as it is.

use std::path::PathBuf;

use thiserror::Error;

/// Why an image could not be read as text.
#[derive(Debug, Error)]
pub enum OcrError {
    /// The file could not be read (missing, no permission, not a regular file, over the size limit).
    #[error("无法读取图片 {}：{reason}", .path.display())]
    Read { path: PathBuf, reason: String },
    /// The bytes are not an image of a kind OCR reads.
    #[error("不是可识别的图片（支持 PNG、JPEG、TIFF、BMP）{detail}")]
    Format { detail: String },
    /// The image is larger than OCR will handle; refused from its header, before decoding.
    #[error(
        "图片为 {width}×{height} 像素（约 {} 百万像素），超过 {} 百万像素的上限，未识别；请以 300 dpi 或更低的分辨率重新扫描",
        (*.width as u64 * *.height as u64).div_ceil(1_000_000),
        .limit / 1_000_000
    )]
    TooLarge { width: u32, height: u32, limit: u64 },
    /// The image has no pixels.
    #[error("图片是空的（{width}×{height} 像素）")]
    Empty { width: u32, height: u32 },
    /// The image file is damaged or uses a variant the decoder does not read.
    #[error("图片已损坏或无法解码：{0}")]
    Decode(String),
    /// The bundled models could not be loaded (a broken build, or memory exhausted).
    #[error("文字识别模型无法加载：{0}")]
    Model(String),
    /// The models failed while running.
    #[error("文字识别运行出错：{0}")]
    Inference(String),
    /// A page took longer than the time limit; what was read so far is discarded.
    #[error("文字识别超过 {0} 秒仍未完成，已停止（图片可能过大或文字过密）")]
    TimedOut(u64),
}
