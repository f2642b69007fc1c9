//! 学习材料: the study pack made from a collection — cover, contents, the trainer's introduction, the items in
//! teaching order each with the trainer's note (学习提示), and the discussion questions (研讨题).

use std::collections::HashMap;

use crate::library::{Collection, Kind, Library, Meta, Record};

use super::gather::{Gather, cn_number};
use super::markup;
use super::model::{Block, CheckItem, Document, Span, para};
use super::stamp::Stamp;

/// Gathers the study pack of a collection record.
pub fn build(lib: &Library, record: &Record, collection: &Collection, stamp: &Stamp) -> Document {
    let title = record.title().trim().to_string();
    let mut g = Gather::new(lib, title, "学习专辑".to_string(), stamp);
    // A collection gathers several districts: an issuer that names the district is left out.
    g.doc.issuer = lib.config.issuer_for(None);
    g.use_record(record);
    let items: Vec<(usize, Option<&Record>, &str, &str)> = collection
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let id = item.id.as_deref().map(str::trim).unwrap_or("");
            let found = lib.get(id).filter(|r| r.kind() == Kind::Writeup);
            (i + 1, found, id, item.note.as_deref().unwrap_or("").trim())
        })
        .collect();
    let mut cover = Vec::new();
    if let Some(a) = collection.audience.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        cover.push(("面向对象".to_string(), a.to_string()));
    }
    cover.push(("材料".to_string(), format!("{} 篇", items.len())));
    if !collection.questions.is_empty() {
        cover.push(("研讨题".to_string(), format!("{} 道", collection.questions.len())));
    }
    g.doc.cover = cover;
    g.push(Block::Contents);

    g.part("导读");
    let intro = markup::to_blocks(&record.body, 2);
    if intro.is_empty() {
        g.push(para("（本专辑暂无导读。）"));
    }
    g.doc.blocks.extend(intro);
    g.h2("学习安排");
    for (n, found, id, note) in &items {
        let title = found.map(|r| r.title().trim().to_string()).unwrap_or_else(|| format!("（缺失：{id}）"));
        g.push(Block::Paragraph(vec![Span::bold(format!("第{}篇　{title}", cn_number(*n)))]));
        if !note.is_empty() {
            g.push(para(*note));
        }
    }

    g.part("学习材料");
    let mut checks = Vec::new();
    let mut project_shown: HashMap<String, usize> = HashMap::new();
    for (n, found, id, note) in &items {
        let Some(r) = found else {
            g.push(Block::Heading { level: 2, text: format!("第{}篇（缺失）", cn_number(*n)), anchor: None });
            g.push(para(format!("专辑第 {n} 篇引用的“{id}”在资料库中不存在或不是写作材料。")));
            checks.push(CheckItem { text: format!("第 {n} 篇“{id}”在资料库中不存在"), flagged: true });
            continue;
        };
        let mut lead = format!("第 {n} 篇");
        if let Some(d) = lib.district_of(r) {
            lead.push_str(&format!(" · {d}"));
        }
        g.writeup(r, Some(lead));
        if !note.is_empty() {
            // The note sits right under the title, before the text: move it there.
            let at = g.doc.blocks.iter().rposition(|b| matches!(b, Block::DocTitle { .. })).map(|i| i + 1);
            let block = Block::Note { title: "学习提示".into(), blocks: vec![para(*note)] };
            match at {
                Some(i) => g.doc.blocks.insert(i, block),
                None => g.push(block),
            }
        } else {
            checks.push(CheckItem {
                text: format!("第 {n} 篇“{}”没有学习提示", r.title().trim()), flagged: true
            });
        }
        project_numbers(&mut g, r, *n, &mut project_shown);
    }

    g.part("研讨题");
    if collection.questions.is_empty() {
        g.push(para("（本专辑暂未设置研讨题。）"));
        checks.push(CheckItem { text: "专辑未设置研讨题".into(), flagged: true });
    } else {
        let items = collection.questions.iter().map(|q| vec![para(q.trim())]).collect();
        g.push(Block::List { ordered: true, start: 1, items });
    }
    if !checks.is_empty() {
        g.unnumbered_part("附　材料核对清单");
        g.checklist(checks);
    }
    g.doc
}

/// After an item: its project's before/after numbers, once per project (later items point back).
fn project_numbers(g: &mut Gather<'_>, r: &Record, n: usize, shown: &mut HashMap<String, usize>) {
    let Some(p) = g.lib.project_of(r) else { return };
    let Meta::Project(meta) = &p.meta else { return };
    if meta.indicators.is_empty() {
        return;
    }
    let id = p.id().unwrap_or("").to_string();
    let name = p.title().trim().to_string();
    match shown.get(&id) {
        Some(first) => g.push(para(format!("所属项目“{name}”的试点前后指标见第 {first} 篇之后。"))),
        None => {
            shown.insert(id, n);
            g.push(Block::Heading {
                level: 3, text: format!("附：所属项目试点前后指标（{name}）"), anchor: None
            });
            g.use_record(p);
            g.indicators(p, meta, &format!("{name}主要指标试点前后对比"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Config, TextEncoding};

    #[test]
    fn missing_items_notes_and_questions_are_flagged() {
        let parse = |p: &str, t: &str| Record::parse(p.into(), t, TextEncoding::Utf8).unwrap();
        let records = vec![
            parse("w.md", "---\nid: w\ntitle: 第一篇材料\ndistrict: 渝中区\nyear: 2021\n---\n正文\n"),
            parse(
                "c.md",
                "---\nkind: collection\nid: c\ntitle: 专辑\nitems:\n  - {id: w, note: 先读}\n  - {id: 没有}\n  - {id: w}\n---\n导读\n",
            ),
        ];
        let lib = Library::from_records(".".into(), Config::default(), records, vec![]);
        let r = lib.get("c").unwrap();
        let Meta::Collection(c) = &r.meta else { panic!() };
        let doc = build(&lib, r, c, &Stamp::at(0));
        let w = doc.warnings.join("\n");
        assert!(w.contains("第 2 篇“没有”在资料库中不存在"), "{w}");
        assert!(w.contains("第 3 篇“第一篇材料”没有学习提示"), "{w}");
        assert!(w.contains("专辑未设置研讨题"), "{w}");
        let note_after_title = doc.blocks.windows(2).any(|p| {
            matches!(&p[0], Block::DocTitle { title, .. } if title == "第一篇材料")
                && matches!(&p[1], Block::Note { title, .. } if title == "学习提示")
        });
        assert!(note_after_title, "the trainer's note sits right under the title");
    }
}
