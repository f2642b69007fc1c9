//! `casebook show ID`: one record, its front matter as a tidy header and its body.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use casebook::library::Meta;
use serde_json::json;

use super::output::print_json;

pub fn show(root: &Path, id: &str, json: bool) -> anyhow::Result<ExitCode> {
    // The index says which files hold the record and what it names: reading those alone is what keeps `show`
    // instant on a large library.
    let (index, _) = super::search::open_with_report(root)?;
    let found = index.record_library(id).with_context(|| format!("无法读取资料库 {}", root.display()))?;
    let Some((lib, r)) = found.as_ref().and_then(|lib| lib.get(id).map(|r| (lib, r))) else {
        say_err!("错误：没有 id 为 “{id}” 的记录");
        return Ok(ExitCode::from(1));
    };
    if json {
        print_json(&json!({
            "id": r.id(), "kind": r.kind().keyword(), "path": r.path, "title": r.title(),
            "district": lib.district_of(r), "themes": lib.themes_of(r), "type": lib.type_of(r),
            "year": r.year(), "project": lib.project_of(r).and_then(|p| p.id()),
            "meta": r.meta, "body": r.body,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    say!("{}", r.title());
    say!("{}", "=".repeat(r.title().chars().count().clamp(4, 40) * 2));
    let field = |k: &str, v: String| {
        if !v.is_empty() {
            say!("{k}：{v}");
        }
    };
    field("类别", r.kind().label().to_string());
    field("编号", r.id().unwrap_or("").to_string());
    field("区县", lib.district_of(r).unwrap_or("").to_string());
    field("主题", lib.themes_of(r).join("、"));
    field("文种", lib.type_of(r).unwrap_or("").to_string());
    field("年份", r.year().map(|y| y.to_string()).unwrap_or_default());
    if let Some(p) = lib.project_of(r) {
        field("所属项目", format!("{}（{}）", p.title(), p.id().unwrap_or("")));
    }
    match &r.meta {
        Meta::Writeup(w) => {
            field("报送单位", w.author_unit.clone().unwrap_or_default());
            field("标签", w.tags.join("、"));
        }
        Meta::Project(p) => {
            field("牵头单位", p.lead_unit.clone().unwrap_or_default());
            field("配合单位", p.partner_units.join("、"));
            field("状态", p.status.clone().unwrap_or_default());
            for ind in &p.indicators {
                let v = |m: &Option<casebook::library::Measurement>| {
                    m.as_ref()
                        .map(|m| {
                            format!(
                                "{}（{}）",
                                m.value.map(|v| v.to_string()).unwrap_or_default(),
                                m.period.clone().unwrap_or_default()
                            )
                        })
                        .unwrap_or_else(|| "—".into())
                };
                say!(
                    "指标：{} [{}] {} → {}",
                    ind.name.as_deref().unwrap_or(""),
                    ind.unit.as_deref().unwrap_or(""),
                    v(&ind.before),
                    v(&ind.after)
                );
            }
        }
        Meta::Site(s) => {
            field("地址", s.address.clone().unwrap_or_default());
            field("亮点", s.highlight.clone().unwrap_or_default());
            for (i, stop) in s.stops.iter().enumerate() {
                say!("点位 {}：{}", i + 1, stop.summary());
            }
            if !s.stops.is_empty() {
                say!("合计：{} 分钟", s.total_minutes());
            }
        }
        Meta::Collection(c) => {
            field("面向", c.audience.clone().unwrap_or_default());
            for (i, item) in c.items.iter().enumerate() {
                let title = item.id.as_deref().and_then(|id| lib.get(id)).map(|r| r.title()).unwrap_or("（缺失）");
                say!("条目 {}：{}  —— {}", i + 1, title, item.note.as_deref().unwrap_or(""));
            }
        }
    }
    say!("文件：{}\n", r.path);
    say!("{}", r.body.trim_end());
    Ok(ExitCode::SUCCESS)
}
