//! .docx → Markdown: headings (Heading 1–6, 标题 1, outline levels, typed or automatic 一、/（一）), paragraphs
//! with bold and italic, bulleted and numbered lists, tables as GFM pipe tables, images saved beside the
//! write-up, text boxes. A file that is not a well-formed Word package, or that tries to make us read too
//! much, is refused with a message saying why ([`package`], [`dom`]).

mod body;
pub mod dom;
pub mod package;
mod styles;

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
    let styles = optional_part(&mut pkg, &sibling("styles.xml"), &mut warnings)?.map(|r| Styles::read(&r)).unwrap_or_default();
    let numbering =
        optional_part(&mut pkg, &sibling("numbering.xml"), &mut warnings)?.map(|r| Numbering::read(&r)).unwrap_or_default();
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
    Ok(Parsed { body: to_markdown(&blocks), title, assets, warnings, ..Parsed::default() })
}

/// The main document part, from `_rels/.rels` (normally `word/document.xml`).
fn main_part(pkg: &mut Package, warnings: &mut Vec<String>) -> Result<String, String> {
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
fn image_relationships(root: &Element, dir: &str, warnings: &mut Vec<String>) -> Result<HashMap<String, String>, String> {
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
    let mut parts: Vec<&str> = if target.starts_with('/') { Vec::new() } else { dir.split('/').filter(|p| !p.is_empty()).collect() };
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
