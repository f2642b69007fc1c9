//! .docx → Markdown: headings (Heading 1–6, 标题 1, outline levels, typed or automatic 一、/（一）), paragraphs
//! with bold and italic, bulleted and numbered lists, tables as GFM pipe tables, images saved beside the
//! write-up, text boxes. A file that is not a well-formed Word package, or that tries to make us read too
//! much, is refused with a message saying why ([`package`], [`dom`]).

mod body;
pub mod dom;
pub mod package;
pub(crate) mod styles;

use std::collections::HashMap;
use std::path::Path;

use super::blocks::to_markdown;
use super::guess::pick_title;
use super::{Asset, Parsed};
use dom::Element;
pub use package::Limits;
use package::Package;
use styles::{Numbering, Styles};

/// Reads a .docx; image links in the body point into `asset_dir`. Errors are Chinese messages.
pub fn convert(path: &Path, asset_dir: &str, limits: Limits) -> Result<Parsed, String> {
    let mut pkg = Package::open(path, limits)?;
    let mut warnings = Vec::new();
    let main = main_part(&mut pkg, &mut warnings)?;
    let Some(bytes) = pkg.xml(&main)? else {
        return Err(format!("缺少 {main}：这不是 Word 文档（可能是其他 Office 文件或普通 zip 压缩包）"));
    };
    let document = dom::parse(&bytes, &main)?;
    drop(bytes);
    let Some(body) = document.child("body") else {
        return Err(format!("{main} 中没有正文（w:body），不是 Word 文档"));
    };
    let dir = main.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
    let sibling = |name: &str| if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
    let styles =
        optional_part(&mut pkg, &sibling("styles.xml"), &mut warnings)?.map(|r| Styles::read(&r)).unwrap_or_default();
    let numbering = optional_part(&mut pkg, &sibling("numbering.xml"), &mut warnings)?
        .map(|r| Numbering::read(&r))
        .unwrap_or_default();
    let rels_name = sibling(&format!("_rels/{}.rels", main.rsplit('/').next().unwrap_or("document.xml")));
    let rels = match optional_part(&mut pkg, &rels_name, &mut warnings)? {
        Some(r) => image_relationships(&r, &dir, &mut warnings)?,
        None => HashMap::new(),
    };
    let mut converter = body::Converter::new(&styles, numbering, &rels, asset_dir);
    let mut blocks = converter.blocks(body, false);
    warnings.append(&mut converter.warnings);
    let title = pick_title(&blocks).map(|(i, g)| {
        blocks.remove(i);
        g
    });
    let mut assets = Vec::new();
    for image in &converter.images {
        match pkg.media(&image.part)? {
            Some(bytes) => assets.push(Asset { name: image.name.clone(), bytes }),
            None => warnings.push(format!("文档引用的图片 {} 在文件中不存在，未导入", image.part)),
        }
    }
    let properties = optional_part(&mut pkg, "docProps/core.xml", &mut warnings)?;
    let (file_title, file_date) = properties.as_ref().map(core_properties).unwrap_or_default();
    let title = title.or_else(|| {
        file_title
            .map(|t| crate::import::Guess { value: t, from: "文档属性中的标题（docProps/core.xml）".into() })
    });
    Ok(Parsed { body: to_markdown(&blocks), title, assets, warnings, file_date, ..Parsed::default() })
}

/// The title and creation date (`YYYY-MM-DD`) a Word or WPS file records of itself in `docProps/core.xml`;
/// a title is kept only when it looks like one (Chinese, not a program's placeholder or a file name).
fn core_properties(root: &Element) -> (Option<String>, Option<String>) {
    let text = |local: &str| root.child(local).map(|e| e.own_text().trim().to_string()).filter(|t| !t.is_empty());
    let title = text("title").filter(|t| {
        t.chars().any(crate::text::is_cjk) && !t.to_lowercase().contains(".doc") && t.chars().count() <= 80
    });
    let date = text("created").or_else(|| text("modified")).and_then(|d| {
        let day = d.get(..10)?;
        let ok = day.len() == 10
            && day.as_bytes()[4] == b'-'
            && day.as_bytes()[7] == b'-'
            && day[..4].parse::<i32>().is_ok_and(|y| (1990..=2100).contains(&y));
        ok.then(|| day.to_string())
    });
    (title, date)
}

/// The main document part, from `_rels/.rels` (normally `word/document.xml`).
pub(crate) fn main_part(pkg: &mut Package, warnings: &mut Vec<String>) -> Result<String, String> {
    if let Some(root) = optional_part(pkg, "_rels/.rels", warnings)? {
        let mut rels = Vec::new();
        root.find_all("Relationship", &mut rels);
        for r in rels {
            if r.attr("Type").is_some_and(|t| t.ends_with("/officeDocument"))
                && let Some(target) = r.attr("Target")
            {
                return resolve("", target).ok_or_else(|| escape_message(target));
            }
        }
    }
    Ok("word/document.xml".to_string())
}

/// An optional part: absent or malformed is a warning; a DOCTYPE or an oversized part refuses the file.
fn optional_part(pkg: &mut Package, name: &str, warnings: &mut Vec<String>) -> Result<Option<Element>, String> {
    let Some(bytes) = pkg.xml(name)? else {
        return Ok(None);
    };
    match dom::parse(&bytes, name) {
        Ok(root) => Ok(Some(root)),
        Err(message) if message.contains("DOCTYPE") || message.contains("已拒绝") => Err(message),
        Err(message) => {
            warnings.push(format!("{message}，已忽略"));
            Ok(None)
        }
    }
}

/// Relationship id → image part, for the document's internal images. A target that climbs out of the package
/// refuses the file: no Word file does that.
fn image_relationships(
    root: &Element,
    dir: &str,
    warnings: &mut Vec<String>,
) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    let mut rels = Vec::new();
    root.find_all("Relationship", &mut rels);
    for r in rels {
        let (Some(id), Some(target)) = (r.attr("Id"), r.attr("Target")) else { continue };
        if !r.attr("Type").is_some_and(|t| t.ends_with("/image")) {
            continue;
        }
        if r.attr("TargetMode") == Some("External") {
            warnings.push(format!("外部链接的图片（{target}）未导入"));
            continue;
        }
        let part = resolve(dir, target).ok_or_else(|| escape_message(target))?;
        out.insert(id.to_string(), part);
    }
    Ok(out)
}

fn escape_message(target: &str) -> String {
    format!("文档中的路径 “{target}” 指向压缩包之外（含 ..），这通常是恶意构造的文件，已拒绝")
}

/// A relationship target relative to `dir` as a part name; `None` if it climbs above the package root.
fn resolve(dir: &str, target: &str) -> Option<String> {
    let target = target.replace('\\', "/");
    let mut parts: Vec<&str> =
        if target.starts_with('/') { Vec::new() } else { dir.split('/').filter(|p| !p.is_empty()).collect() };
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationship_targets() {
        assert_eq!(resolve("word", "media/image1.png").as_deref(), Some("word/media/image1.png"));
        assert_eq!(resolve("word", "/word/media/a.png").as_deref(), Some("word/media/a.png"));
        assert_eq!(resolve("word", "../media/a.png").as_deref(), Some("media/a.png"));
        assert_eq!(resolve("word", "../../etc/passwd"), None);
        assert_eq!(resolve("", "word/document.xml").as_deref(), Some("word/document.xml"));
    }
}

#[cfg(test)]
mod docx_tests {
    use std::io::Write;

    use super::*;

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main""#;

    /// A zip of the given parts.
    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        for (name, bytes) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn para(inner: &str) -> String {
        format!("<w:p>{inner}</w:p>")
    }

    fn run(text: &str) -> String {
        format!(r#"<w:r><w:t xml:space="preserve">{text}</w:t></w:r>"#)
    }

    fn document(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>"#
        )
    }

    fn sample_parts(document_xml: &str, rels: &str) -> Vec<(String, Vec<u8>)> {
        let styles = format!(
            r#"<w:styles {W}>
              <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
              <w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>
                <w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
              <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/>
                <w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
            </w:styles>"#
        );
        let numbering = format!(
            r#"<w:numbering {W}>
              <w:abstractNum w:abstractNumId="0">
                <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
                <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
              </w:abstractNum>
              <w:abstractNum w:abstractNumId="1">
                <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
              </w:abstractNum>
              <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
              <w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
            </w:numbering>"#
        );
        let root_rels = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
        let types = r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
        vec![
            ("[Content_Types].xml".into(), types.as_bytes().to_vec()),
            ("_rels/.rels".into(), root_rels.as_bytes().to_vec()),
            ("word/document.xml".into(), document_xml.as_bytes().to_vec()),
            ("word/styles.xml".into(), styles.into_bytes()),
            ("word/numbering.xml".into(), numbering.into_bytes()),
            ("word/_rels/document.xml.rels".into(), rels.as_bytes().to_vec()),
            ("word/media/image1.png".into(), b"\x89PNG\r\n\x1a\nfake image".to_vec()),
        ]
    }

    fn image_rels(target: &str) -> String {
        format!(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId10" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="{target}"/></Relationships>"#
        )
    }

    fn write_docx(dir: &Path, name: &str, parts: &[(String, Vec<u8>)]) -> std::path::PathBuf {
        let refs: Vec<(&str, &[u8])> = parts.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        let path = dir.join(name);
        std::fs::write(&path, zip_of(&refs)).unwrap();
        path
    }

    fn sample_body() -> String {
        let cell = |t: &str| format!("<w:tc><w:tcPr/>{}</w:tc>", para(&run(t)));
        let row = |cells: [&str; 3]| format!("<w:tr>{}</w:tr>", cells.iter().map(|c| cell(c)).collect::<String>());
        let image = r#"<w:r><w:drawing><wp:inline xmlns:wp="wp"><a:graphic><a:graphicData><pic:pic xmlns:pic="pic"><pic:blipFill><a:blip r:embed="rId10"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#;
        [
            r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>渝中区“院落议事会”经验做法</w:t></w:r></w:p>"#.to_string(),
            r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>基本情况</w:t></w:r></w:p>"#.into(),
            para(&format!("{}<w:r><w:rPr><w:b/></w:rPr><w:t>79</w:t></w:r>{}", run("渝中区共有"), run("个社区，渝中区……"))),
            r#"<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>组织体系</w:t></w:r></w:p>"#.into(),
            format!(r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr></w:pPr>{}</w:p>"#, run("建立楼栋党小组")),
            format!(r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr></w:pPr>{}</w:p>"#, run("完善议事规则")),
            format!("<w:tbl><w:tblPr/>{}{}{}</w:tbl>", row(["指标", "2019年", "2021年"]), row(["议事会", "320", "612"]), row(["说明", "a|b", "备注"])),
            para(image),
            r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>取得成效</w:t></w:r></w:p>"#.into(),
            para(&run("渝中区委组织部")),
            para(&run("2021年9月15日")),
        ]
        .concat()
    }

    #[test]
    fn converts_headings_numbering_lists_tables_and_images() {
        let dir = tempfile::tempdir().unwrap();
        let parts = sample_parts(&document(&sample_body()), &image_rels("media/image1.png"));
        let path = write_docx(dir.path(), "sample.docx", &parts);
        let parsed = convert(&path, "sample.assets", Limits::default()).unwrap();
        assert_eq!(parsed.title.as_ref().unwrap().value, "渝中区“院落议事会”经验做法");
        assert_eq!(
            parsed.body,
            "## 一、基本情况\n\n渝中区共有**79**个社区，渝中区……\n\n### （一）组织体系\n\n1. 建立楼栋党小组\n2. 完善议事规则\n\n\
             | 指标 | 2019年 | 2021年 |\n|---|---|---|\n| 议事会 | 320 | 612 |\n| 说明 | a\\|b | 备注 |\n\n\
             ![图片](sample.assets/image1.png)\n\n## 二、取得成效\n\n渝中区委组织部\n\n2021年9月15日\n"
        );
        assert_eq!(parsed.assets.len(), 1);
        assert_eq!(parsed.assets[0].name, "image1.png");
        assert!(parsed.assets[0].bytes.starts_with(b"\x89PNG"));
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    }

    #[test]
    fn hostile_packages_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = |path: &Path| convert(path, "a", Limits::default()).unwrap_err();

        let not_zip = dir.path().join("not.docx");
        std::fs::write(&not_zip, "这不是压缩包").unwrap();
        assert!(err(&not_zip).contains("不是有效的 .docx"), "{}", err(&not_zip));

        let good = sample_parts(&document(&sample_body()), &image_rels("media/image1.png"));
        let full = write_docx(dir.path(), "full.docx", &good);
        let bytes = std::fs::read(&full).unwrap();
        let truncated = dir.path().join("truncated.docx");
        std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
        assert!(err(&truncated).contains("不是有效的 .docx"), "{}", err(&truncated));

        // A directory claiming 60 000 entries is refused before it is loaded.
        let mut many = bytes.clone();
        let eocd = many.windows(4).rposition(|w| w == [0x50, 0x4b, 0x05, 0x06]).unwrap();
        many[eocd + 8..eocd + 12].copy_from_slice(&[0x60, 0xEA, 0x60, 0xEA]);
        let many_path = dir.path().join("many.docx");
        std::fs::write(&many_path, &many).unwrap();
        assert!(err(&many_path).contains("60000 个文件"), "{}", err(&many_path));

        let no_document = write_docx(dir.path(), "nodoc.docx", &good[..2]);
        assert!(err(&no_document).contains("缺少 word/document.xml"), "{}", err(&no_document));

        let xxe = format!(
            r#"<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/hostname"><!ENTITY inner "秘密实体文本">]><w:document {W}><w:body><w:p><w:r><w:t>&xxe;&inner;</w:t></w:r></w:p></w:body></w:document>"#
        );
        let xxe_doc = write_docx(dir.path(), "xxe.docx", &sample_parts(&xxe, &image_rels("media/image1.png")));
        let message = err(&xxe_doc);
        assert!(message.contains("DOCTYPE") && !message.contains("秘密实体文本"), "{message}");

        let escape = write_docx(
            dir.path(),
            "escape.docx",
            &sample_parts(&document(&sample_body()), &image_rels("../../evil.png")),
        );
        assert!(err(&escape).contains(".."), "{}", err(&escape));

        // 70 MB of spaces inside one part: the default 64 MB cap stops reading it.
        let huge_xml = format!("{}{}", document(""), " ".repeat(70 * 1024 * 1024));
        let bomb = write_docx(dir.path(), "bomb.docx", &sample_parts(&huge_xml, &image_rels("media/image1.png")));
        assert!(std::fs::metadata(&bomb).unwrap().len() < 1024 * 1024);
        assert!(err(&bomb).contains("压缩炸弹"), "{}", err(&bomb));
    }

    #[test]
    fn total_inflated_size_is_capped() {
        let dir = tempfile::tempdir().unwrap();
        let mut parts = sample_parts(&document(&sample_body()), &image_rels("media/image1.png"));
        parts[6].1 = vec![0u8; 600 * 1024];
        let path = write_docx(dir.path(), "big.docx", &parts);
        let limits = Limits { total: 512 * 1024, ..Limits::default() };
        let message = convert(&path, "a", limits).unwrap_err();
        assert!(message.contains("总大小"), "{message}");
        assert!(convert(&path, "a", Limits::default()).is_ok());
    }
}
