//! 打印: one write-up or one project as a printable A4 page, for the app's 打印… command. It is the same HTML the
//! packets use (公文 fonts and headings, tables, charts, sanitised), without a cover: the app writes it to a
//! temporary file and opens it in the system's browser, whose print dialog prints it or saves a PDF.

use crate::library::{Library, Meta, Record};

use super::gather::Gather;
use super::model::{Block, Document, para};
use super::stamp::Stamp;

/// The printable document of a record: a write-up's title, byline and text; a project's facts, introduction,
/// indicators with their chart, public evaluation and the titles of its write-ups. `None` for other kinds.
pub fn document(lib: &Library, record: &Record, stamp: &Stamp) -> Option<Document> {
    let title = record.title().trim().to_string();
    let mut doc = match &record.meta {
        Meta::Writeup(_) => {
            let mut g = Gather::new(lib, title, "写作材料".to_string(), stamp);
            g.writeup(record, lib.district_of(record).map(str::to_string));
            g.doc
        }
        Meta::Project(p) => {
            let mut g = Gather::new(lib, title.clone(), "认领项目".to_string(), stamp);
            g.push(Block::DocTitle { title, byline: vec!["认领项目".to_string()], anchor: "project".to_string() });
            g.project_facts(record, p, &[]);
            g.h2("试点前后指标");
            g.indicators(record, p, "试点前后指标");
            g.h2("群众评价");
            g.evaluation(record, p);
            g.h2("写作材料");
            let items: Vec<Vec<Block>> = lib
                .writeups_of(record)
                .map(|w| {
                    let kind = lib.type_of(w).unwrap_or("");
                    vec![para(format!("{}（{kind}）", w.title().trim()))]
                })
                .collect();
            if items.is_empty() {
                g.push(para("（本项目还没有写作材料。）"));
            } else {
                g.push(Block::List { ordered: true, start: 1, items });
            }
            g.doc
        }
        _ => return None,
    };
    doc.no_cover = true;
    Some(doc)
}

/// The printable page of a record as HTML (see [`document`]).
pub fn html(lib: &Library, record: &Record) -> Option<String> {
    document(lib, record, &Stamp::now()).map(|doc| super::html::render(&doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Library {
        Library::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).unwrap()
    }

    #[test]
    fn a_write_up_and_a_project_print_without_a_cover() {
        let lib = corpus();
        let writeup = lib.get("wz-p01-1").unwrap();
        let page = html(&lib, writeup).unwrap();
        assert!(!page.contains("class=\"cover\""), "no cover page");
        assert!(page.contains(writeup.title().trim()) && page.contains("<h2"), "title and headings");
        let project = lib.get("wz-p01").unwrap();
        let page = html(&lib, project).unwrap();
        assert!(page.contains("试点前后指标") && page.contains("矛盾纠纷调解成功率") && page.contains("<svg"));
        assert!(page.contains("万州区以“红色物业”破解城区小区治理难题的实践"), "its write-ups are listed");
        let site = lib.records.iter().find(|r| r.kind() == crate::library::Kind::Site).unwrap();
        assert!(html(&lib, site).is_none());
    }
}
