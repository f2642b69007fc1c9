//! Decoding record files: UTF-8 (with or without BOM), or GBK/GB18030 as saved by Chinese Windows.

/// How a file's bytes were encoded; GBK files are readable but reported so offices can re-save them as UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum TextEncoding {
    Utf8,
    Gb18030,
}

/// Why bytes could not be read as text.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("文件含有二进制数据（NUL 字节），不是文本文件")]
    Binary,
    #[error("文件既不是 UTF-8 也不是 GBK/GB18030 编码的文本")]
    UnknownEncoding,
}

/// Decodes bytes to text with `\n` line endings. A UTF-8 BOM is dropped; CRLF and lone CR become LF.
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), DecodeError> {
    if bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, encoding) = match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), TextEncoding::Utf8),
        Err(_) => {
            let (decoded, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                return Err(DecodeError::UnknownEncoding);
            }
            (decoded.into_owned(), TextEncoding::Gb18030)
        }
    };
    Ok((normalize_newlines(text), encoding))
}

fn normalize_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_and_crlf() {
        let (text, enc) = decode("\u{FEFF}---\r\nid: a\r\n---\r\n正文".as_bytes()).unwrap();
        assert_eq!(text, "---\nid: a\n---\n正文");
        assert_eq!(enc, TextEncoding::Utf8);
    }

    #[test]
    fn gbk_is_detected() {
        let (bytes, _, _) = encoding_rs::GBK.encode("综治中心网格员走访群众");
        let (text, enc) = decode(&bytes).unwrap();
        assert_eq!(text, "综治中心网格员走访群众");
        assert_eq!(enc, TextEncoding::Gb18030);
    }

    #[test]
    fn binary_and_garbage_are_refused() {
        assert_eq!(decode(b"\x89PNG\x00\x01"), Err(DecodeError::Binary));
        assert_eq!(decode(b"\xff\xfe\xfd\x80\x80"), Err(DecodeError::UnknownEncoding));
    }
}
