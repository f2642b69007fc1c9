//! The picture of a scanned PDF page: found among the page's images and decoded, for OCR.
//!
//! A scanner's PDF is one image per page with no text: a JPEG (`DCTDecode`) for grey and colour scans, a CCITT
//! Group 4 fax image (`CCITTFaxDecode`) for black and white, or plain pixels behind `FlateDecode`. Those three
//! are decoded here (the fax one with the `fax` crate, the one `image` uses for TIFF); JBIG2 and JPEG 2000 are
//! named in the message as unsupported. The page's largest image is taken as the page: a logo or a seal stamped
//! on top of the scan is smaller. Every size is checked against [`crate::ocr::MAX_PIXELS`] before decoding.

use std::io::Read;

use image::{DynamicImage, GrayImage, RgbImage};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

/// How a page's image is encoded, still undecoded.
#[derive(Debug, Clone)]
pub enum Encoded {
    /// A JPEG file's bytes (`DCTDecode`).
    Jpeg(Vec<u8>),
    /// CCITT fax data: `k < 0` Group 4, `k == 0` Group 3 one-dimensional.
    Fax { data: Vec<u8>, k: i64 },
    /// Uncompressed samples, rows padded to a whole byte.
    Pixels { data: Vec<u8>, bits: u8, components: u8 },
    /// A codec we do not read; its PDF name.
    Unsupported(String),
}

/// The picture of one page.
#[derive(Debug, Clone)]
pub struct PageImage {
    /// 1-based page number.
    pub page: u32,
    pub width: u32,
    pub height: u32,
    /// The PDF's `/Decode [1 0]`: dark and light swapped.
    pub inverted: bool,
    pub encoded: Encoded,
}

/// The largest image drawn by the page (its own resources or those it inherits), if any.
pub fn page_image(doc: &Document, page: u32, page_id: ObjectId) -> Option<PageImage> {
    let (own, inherited) = doc.get_page_resources(page_id).ok()?;
    let mut dictionaries: Vec<&Dictionary> = own.into_iter().collect();
    dictionaries.extend(inherited.iter().filter_map(|id| doc.get_dictionary(*id).ok()));
    let mut best: Option<(&Stream, u64)> = None;
    for resources in dictionaries {
        let Some(xobjects) =
            resources.get(b"XObject").ok().and_then(|o| resolve(doc, o)).and_then(|o| o.as_dict().ok())
        else {
            continue;
        };
        for (_, value) in xobjects.iter() {
            let Some(stream) = resolve(doc, value).and_then(|o| o.as_stream().ok()) else { continue };
            if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Image".as_slice()) {
                continue;
            }
            let (w, h) = (int(&stream.dict, b"Width"), int(&stream.dict, b"Height"));
            let area = (w.max(0) as u64) * (h.max(0) as u64);
            if best.is_none_or(|(_, a)| area > a) {
                best = Some((stream, area));
            }
        }
    }
    let (stream, _) = best?;
    let width = u32::try_from(int(&stream.dict, b"Width")).ok()?;
    let height = u32::try_from(int(&stream.dict, b"Height")).ok()?;
    let inverted = stream
        .dict
        .get(b"Decode")
        .and_then(Object::as_array)
        .ok()
        .and_then(|a| a.first())
        .and_then(|o| o.as_float().ok().or_else(|| o.as_i64().ok().map(|i| i as f32)))
        .is_some_and(|first| first > 0.5);
    Some(PageImage { page, width, height, inverted, encoded: encoded(doc, stream) })
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    match object {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

fn int(dict: &Dictionary, key: &[u8]) -> i64 {
    dict.get(key).and_then(Object::as_i64).unwrap_or(0)
}

fn encoded(doc: &Document, stream: &Stream) -> Encoded {
    let filters: Vec<Vec<u8>> =
        stream.filters().map(|f| f.into_iter().map(<[u8]>::to_vec).collect()).unwrap_or_default();
    let codec = filters.last().map(Vec::as_slice);
    // The codec's parameters: /DecodeParms is a dictionary, or an array parallel to /Filter.
    let params = match stream.dict.get(b"DecodeParms").ok().and_then(|o| resolve(doc, o)) {
        Some(Object::Dictionary(d)) => Some(d),
        Some(Object::Array(a)) => a.last().and_then(|o| resolve(doc, o)).and_then(|o| o.as_dict().ok()),
        _ => None,
    };
    match codec {
        Some(b"DCTDecode" | b"CCITTFaxDecode") => {
            let data = match filters.len() {
                1 => stream.content.clone(),
                2 if filters[0] == b"FlateDecode" => match inflate(&stream.content) {
                    Some(d) => d,
                    None => return Encoded::Unsupported("FlateDecode".into()),
                },
                _ => return Encoded::Unsupported(names(&filters)),
            };
            if codec == Some(b"DCTDecode") {
                Encoded::Jpeg(data)
            } else {
                let k = params.map(|p| int(p, b"K")).unwrap_or(0);
                Encoded::Fax { data, k }
            }
        }
        Some(b"JBIG2Decode" | b"JPXDecode" | b"RunLengthDecode") => Encoded::Unsupported(names(&filters)),
        // Only Flate (every Flate stream of the file was inflated with a cap before parsing) or no filter: an
        // LZW stream could inflate thousands of times over, unchecked.
        _ if filters.iter().any(|f| f != b"FlateDecode") => Encoded::Unsupported(names(&filters)),
        _ => {
            let Ok(data) = stream.decompressed_content() else { return Encoded::Unsupported(names(&filters)) };
            let bits = int(&stream.dict, b"BitsPerComponent").clamp(0, 16) as u8;
            let mask = stream.dict.get(b"ImageMask").and_then(Object::as_bool).unwrap_or(false);
            let components = if mask { 1 } else { components(doc, stream.dict.get(b"ColorSpace").ok()) };
            Encoded::Pixels { data, bits: if mask { 1 } else { bits }, components }
        }
    }
}

fn names(filters: &[Vec<u8>]) -> String {
    filters.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect::<Vec<_>>().join("+")
}

/// Samples per pixel of a colour space: 1 grey, 3 RGB, 4 CMYK; 0 for one we do not read (indexed, separation).
fn components(doc: &Document, space: Option<&Object>) -> u8 {
    let Some(space) = space.and_then(|o| resolve(doc, o)) else { return 1 };
    match space {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" | b"G" => 1,
            b"DeviceRGB" | b"CalRGB" | b"RGB" => 3,
            b"DeviceCMYK" | b"CMYK" => 4,
            _ => 0,
        },
        Object::Array(a) => match a.first().and_then(|o| o.as_name().ok()) {
            Some(b"ICCBased") => a
                .get(1)
                .and_then(|o| resolve(doc, o))
                .and_then(|o| o.as_stream().ok())
                .map(|s| int(&s.dict, b"N").clamp(0, 4) as u8)
                .unwrap_or(0),
            Some(b"CalGray") => 1,
            Some(b"CalRGB") => 3,
            _ => 0,
        },
        _ => 0,
    }
}

/// Inflates with the same cap the whole-file check uses.
fn inflate(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data).take(super::pdf::MAX_INFLATED_STREAM).read_to_end(&mut out).ok()?;
    Some(out)
}

/// Decodes the picture into an image OCR reads. Errors are Chinese sentences.
pub fn decode(image: &PageImage) -> Result<DynamicImage, String> {
    crate::ocr::check_dimensions(image.width, image.height).map_err(|e| e.to_string())?;
    let mut decoded = match &image.encoded {
        Encoded::Jpeg(bytes) => crate::ocr::decode_image(bytes).map_err(|e| e.to_string())?,
        Encoded::Fax { data, k } => fax_image(data, *k, image.width, image.height)?,
        Encoded::Pixels { data, bits, components } => pixels(data, *bits, *components, image.width, image.height)?,
        Encoded::Unsupported(codec) => {
            return Err(format!("这一页的图片采用 {codec} 编码，文字识别暂不支持，请用扫描软件另存为 JPEG 或 TIFF"));
        }
    };
    if image.inverted {
        decoded.invert();
    }
    Ok(decoded)
}

fn fax_image(data: &[u8], k: i64, width: u32, height: u32) -> Result<DynamicImage, String> {
    let (Ok(w16), Ok(h16)) = (u16::try_from(width), u16::try_from(height)) else {
        return Err(format!("传真编码的图片为 {width}×{height} 像素，超出可解码的范围"));
    };
    let mut pixels: Vec<u8> = Vec::with_capacity(width as usize * height as usize);
    let mut rows = 0u32;
    let mut line = |transitions: &[u16]| {
        if rows < height {
            pixels.extend(fax::decoder::pels(transitions, w16).map(|c| match c {
                fax::Color::Black => 0u8,
                fax::Color::White => 255u8,
            }));
            rows += 1;
        }
    };
    let finished = if k < 0 {
        fax::decoder::decode_g4(data.iter().copied(), w16, Some(h16), &mut line)
    } else if k == 0 {
        fax::decoder::decode_g3(data.iter().copied(), &mut line)
    } else {
        return Err("这一页的图片采用二维 Group 3 传真编码，文字识别暂不支持".to_string());
    };
    if finished.is_none() && rows == 0 {
        return Err("这一页的传真编码图片已损坏，无法解码".to_string());
    }
    // A short image (damaged data) is padded with white; a long one was cut at its height.
    pixels.resize(width as usize * height as usize, 255);
    GrayImage::from_raw(width, height, pixels)
        .map(DynamicImage::ImageLuma8)
        .ok_or_else(|| "这一页的传真编码图片大小不符".to_string())
}

fn pixels(data: &[u8], bits: u8, components: u8, width: u32, height: u32) -> Result<DynamicImage, String> {
    if components == 0 || !matches!(bits, 1 | 8) || !matches!(components, 1 | 3 | 4) {
        return Err(format!("这一页的图片是 {bits} 位、{components} 通道的像素数据（或索引色），文字识别暂不支持"));
    }
    let (w, h) = (width as usize, height as usize);
    let row_bytes = (w * bits as usize * components as usize).div_ceil(8);
    if data.len() < row_bytes * h {
        return Err("这一页的图片数据不完整".to_string());
    }
    let image = match (bits, components) {
        (1, 1) => {
            let mut out = Vec::with_capacity(w * h);
            for row in data.chunks(row_bytes).take(h) {
                out.extend((0..w).map(|x| if row[x / 8] & (0x80 >> (x % 8)) != 0 { 255 } else { 0 }));
            }
            GrayImage::from_raw(width, height, out).map(DynamicImage::ImageLuma8)
        }
        (8, 1) => GrayImage::from_raw(width, height, data[..w * h].to_vec()).map(DynamicImage::ImageLuma8),
        (8, 3) => RgbImage::from_raw(width, height, data[..w * h * 3].to_vec()).map(DynamicImage::ImageRgb8),
        (8, 4) => RgbImage::from_raw(width, height, cmyk_to_rgb(&data[..w * h * 4])).map(DynamicImage::ImageRgb8),
        _ => None,
    };
    image.ok_or_else(|| "这一页的图片数据大小不符".to_string())
}

/// Uncalibrated CMYK samples as RGB (a scan is read for its ink, not its colours).
pub fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    cmyk.chunks_exact(4)
        .flat_map(|p| {
            let k = 255 - u16::from(p[3]);
            [0, 1, 2].map(|i| ((255 - u16::from(p[i])) * k / 255) as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bit_grey_and_cmyk_samples_decode() {
        // 10 × 2, one bit: first row all ink (0 = black in DeviceGray), second all paper.
        let data = [0x00, 0x00, 0xFF, 0xC0];
        let image = pixels(&data, 1, 1, 10, 2).unwrap().into_luma8();
        assert_eq!(image.get_pixel(9, 0).0, [0]);
        assert_eq!(image.get_pixel(9, 1).0, [255]);
        let cmyk = pixels(&[0, 0, 0, 255, 0, 0, 0, 0], 8, 4, 2, 1).unwrap().into_rgb8();
        assert_eq!(cmyk.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(cmyk.get_pixel(1, 0).0, [255, 255, 255]);
        assert!(pixels(&[0; 3], 8, 1, 2, 2).unwrap_err().contains("不完整"));
        assert!(pixels(&[0; 8], 4, 1, 2, 2).unwrap_err().contains("暂不支持"));
    }

    #[test]
    fn damaged_fax_data_and_unsupported_codecs_are_refused() {
        let image = PageImage {
            page: 1,
            width: 100,
            height: 100,
            inverted: false,
            encoded: Encoded::Unsupported("JBIG2Decode".into()),
        };
        assert!(decode(&image).unwrap_err().contains("JBIG2Decode"));
        let huge = PageImage { width: 100_000, height: 100_000, ..image };
        assert!(decode(&huge).unwrap_err().contains("百万像素"));
    }
}
