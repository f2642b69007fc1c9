//! A small element tree over quick-xml, enough for WordprocessingML: local names only (`w:p` → `p`), text kept
//! where Word keeps it, and no DTDs: a document with a `<!DOCTYPE>` is refused, so no entity (internal or
//! external, the XXE family) is ever defined, and an undefined entity reference is dropped. Depth and size are
//! capped so that a hostile document is refused instead of exhausting the stack or memory.

use quick_xml::events::{BytesStart, Event};

/// Nesting deeper than this is refused (real documents stay under 30).
const MAX_DEPTH: usize = 256;
/// XML events in one part (about half as many elements): a 300-page report has a few hundred thousand; the
/// cap keeps the tree of a hostile part around 100 MB.
const MAX_NODES: usize = 2_000_000;

/// One element: local name, attributes by local name, children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// An attribute by local name (`w:val` → `val`).
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == local).map(|(_, v)| v.as_str())
    }

    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| if let Node::Element(e) = n { Some(e) } else { None })
    }

    /// The first child element with this local name.
    pub fn child(&self, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == local)
    }

    /// The `val` attribute of a child (`<w:pStyle w:val="1"/>`).
    pub fn child_val(&self, local: &str) -> Option<&str> {
        self.child(local).and_then(|c| c.attr("val"))
    }

    /// The first descendant with this local name, depth first.
    pub fn find(&self, local: &str) -> Option<&Element> {
        for e in self.elements() {
            if e.name == local {
                return Some(e);
            }
            if let Some(found) = e.find(local) {
                return Some(found);
            }
        }
        None
    }

    /// Every descendant with this local name, in document order.
    pub fn find_all<'a>(&'a self, local: &str, out: &mut Vec<&'a Element>) {
        for e in self.elements() {
            if e.name == local {
                out.push(e);
            }
            e.find_all(local, out);
        }
    }

    /// The concatenated text of the element's text nodes (not of its descendants).
    pub fn own_text(&self) -> String {
        self.children.iter().filter_map(|n| if let Node::Text(t) = n { Some(t.as_str()) } else { None }).collect()
    }
}

fn local(name: &[u8]) -> String {
    let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
    String::from_utf8_lossy(local).into_owned()
}

fn element(start: &BytesStart) -> Element {
    let attrs = start
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .map(|a| {
            let value = a
                .unescape_value()
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned());
            (local(a.key.as_ref()), value)
        })
        .collect();
    Element { name: local(start.name().as_ref()), attrs, children: Vec::new() }
}

/// Parses one XML part into its root element. `part` names it in messages.
pub fn parse(bytes: &[u8], part: &str) -> Result<Element, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| format!("{part} 不是 UTF-8 编码的 XML"))?;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut nodes = 0usize;
    let bad = |e: &dyn std::fmt::Display| format!("{part} 不是格式正确的 XML：{e}");
    loop {
        let event = reader.read_event().map_err(|e| bad(&e))?;
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(format!("{part} 的元素过多（超过 {MAX_NODES} 个），已拒绝"));
        }
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("{part} 的嵌套层次过深（超过 {MAX_DEPTH} 层），已拒绝"));
                }
                stack.push(element(&start));
            }
            Event::Empty(start) => {
                let e = element(&start);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(e)),
                    None => root = root.or(Some(e)),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(bad(&"多余的结束标签"));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(done)),
                    None => root = root.or(Some(done)),
                }
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| bad(&e))?;
                push_text(&mut stack, &s);
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| bad(&e))?;
                push_text(&mut stack, &s);
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    let name = r.decode().map_err(|e| bad(&e))?;
                    quick_xml::escape::resolve_predefined_entity(&name).map(str::to_string)
                };
                // Undefined entities are dropped: there is no DTD to define them.
                if let Some(s) = resolved {
                    push_text(&mut stack, &s);
                }
            }
            Event::DocType(_) => {
                return Err(format!(
                    "{part} 含有 DOCTYPE 声明：Word 文档从不使用它，这通常是恶意构造的文件（XML 外部实体攻击），已拒绝"
                ));
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(format!("{part} 不完整：XML 在元素结束之前就截断了"));
    }
    root.ok_or_else(|| format!("{part} 是空的"))
}

fn push_text(stack: &mut [Element], s: &str) {
    let Some(parent) = stack.last_mut() else { return };
    // Indentation between elements is not text; inside w:t every space counts.
    if s.trim().is_empty() && !matches!(parent.name.as_str(), "t" | "delText" | "instrText") {
        return;
    }
    match parent.children.last_mut() {
        Some(Node::Text(prev)) => prev.push_str(s),
        _ => parent.children.push(Node::Text(s.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_xml() {
        let xml = r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body><w:p><w:r><w:t xml:space="preserve"> A &amp; B &#x4E2D; </w:t></w:r></w:p></w:body></w:document>"#;
        let root = parse(xml.as_bytes(), "word/document.xml").unwrap();
        assert_eq!(root.name, "document");
        let t = root.find("t").unwrap();
        assert_eq!(t.own_text(), " A & B 中 ");
        assert_eq!(t.attr("space"), Some("preserve"));
    }

    #[test]
    fn hostile_xml_is_refused() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>"#;
        assert!(parse(xxe.as_bytes(), "p").unwrap_err().contains("DOCTYPE"));
        let deep = format!("{}{}", "<a>".repeat(1000), "</a>".repeat(1000));
        assert!(parse(deep.as_bytes(), "p").unwrap_err().contains("过深"));
        assert!(parse(b"<a><b></a>", "p").is_err());
        assert!(parse(b"<a><b>", "p").unwrap_err().contains("不完整"));
        assert!(parse(b"\xff\xfe<", "p").is_err());
        // An entity nobody defined is dropped, not fetched or kept.
        assert_eq!(parse(b"<a>x&secret;y</a>", "p").unwrap().own_text(), "xy");
    }
}
