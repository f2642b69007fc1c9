//! The metadata forms, one per kind of record: the same keys `check` validates, with pickers from the library's
//! vocabulary (districts from the gazetteer, themes in their three groups, document types, projects).

use egui::RichText;

use super::fields::{self, Buffers};
use crate::library::{
    Collection, CollectionItem, Evaluation, Indicator, Kind, Library, Measurement, Meta, Project, Reception, Site,
    Stop, Writeup,
};

/// Draws the form for `meta`; returns whether anything changed.
pub fn form(ui: &mut egui::Ui, lib: &Library, meta: &mut Meta, buffers: &mut Buffers) -> bool {
    match meta {
        Meta::Writeup(w) => writeup(ui, lib, w, buffers),
        Meta::Project(p) => project(ui, lib, p, buffers),
        Meta::Site(s) => site(ui, lib, s, buffers),
        Meta::Collection(c) => collection(ui, lib, c, buffers),
    }
}

fn districts(lib: &Library) -> Vec<String> {
    lib.config.districts.iter().map(|d| d.name.clone()).collect()
}

/// Project ids with their names, those of `district` first.
/// The projects to choose from: (whether in another district than the form's, id, name), the district's own
/// first.
fn projects(lib: &Library, district: Option<&str>) -> Vec<(bool, String, String)> {
    let district = district.map(|d| lib.config.district_name(d));
    let mut out: Vec<(bool, String, String)> = lib
        .of_kind(Kind::Project)
        .filter_map(|p| {
            let id = p.id()?.to_string();
            let elsewhere = district.is_some_and(|d| lib.district_of(p) != Some(d));
            Some((elsewhere, id, p.title().to_string()))
        })
        .collect();
    out.sort();
    out
}

fn grid(ui: &mut egui::Ui, id: &str, add: impl FnOnce(&mut egui::Ui) -> bool) -> bool {
    egui::Grid::new(id).num_columns(2).spacing([10.0, 6.0]).show(ui, add).inner
}

/// Theme checkboxes in their three groups (五元共治, 五险联控, 五治并举).
fn themes(ui: &mut egui::Ui, lib: &Library, themes: &mut Vec<String>) -> bool {
    let mut changed = false;
    fields::section(ui, "主题");
    for group in &lib.config.theme_groups {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{}：", group.name)).weak());
            for t in &group.themes {
                let mut on = themes.iter().any(|x| lib.config.resolve_theme(x) == Some(t.as_str()));
                if ui.checkbox(&mut on, t).changed() {
                    changed = true;
                    if on {
                        themes.push(t.clone());
                    } else {
                        themes.retain(|x| lib.config.resolve_theme(x) != Some(t.as_str()));
                    }
                }
            }
        });
    }
    changed
}

fn project_picker(ui: &mut egui::Ui, lib: &Library, district: Option<&str>, value: &mut Option<String>) -> bool {
    ui.label("所属项目");
    let mut changed = false;
    let options = projects(lib, district);
    let shown = match value.as_deref() {
        None => "（不属于项目）".to_string(),
        Some(v) => lib.resolve_project(v).map(|p| format!("{v} {}", p.title())).unwrap_or_else(|| v.to_string()),
    };
    egui::ComboBox::from_id_salt("writeup-project").selected_text(shown).width(260.0).show_ui(ui, |ui| {
        if ui.selectable_label(value.is_none(), "（不属于项目）").clicked() {
            *value = None;
            changed = true;
        }
        let mut heading_shown = false;
        for (elsewhere, id, name) in options {
            if elsewhere && !heading_shown {
                ui.separator();
                ui.weak("其他区县");
                heading_shown = true;
            }
            if ui.selectable_label(value.as_deref() == Some(id.as_str()), format!("{id} {name}")).clicked() {
                *value = Some(id);
                changed = true;
            }
        }
    });
    ui.end_row();
    changed
}

fn writeup(ui: &mut egui::Ui, lib: &Library, w: &mut Writeup, b: &mut Buffers) -> bool {
    let mut changed = grid(ui, "writeup-form", |ui| {
        let mut c = fields::text(ui, "编号", &mut w.id, "如 yz-p01-3");
        c |= fields::text(ui, "标题", &mut w.title, "材料标题");
        c |= fields::choice(ui, "writeup-district", "区县", &mut w.district, &districts(lib));
        c |= project_picker(ui, lib, w.district.as_deref(), &mut w.project);
        c |= fields::choice(ui, "writeup-type", "文种", &mut w.doc_type, &lib.config.types);
        if w.doc_type.as_deref() == Some(crate::library::rules::PENDING_TYPE) {
            ui.label("");
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("导入时没有找到文种的依据：请选择文种，确认后才计入{}", crate::library::rules::EXPERIENCE),
            );
            ui.end_row();
        }
        c |= fields::text(ui, "日期", &mut w.date, "如 2021-09-15");
        c |= fields::number_row(ui, b, "year", "年份", &mut w.year);
        c |= fields::text(ui, "报送单位", &mut w.author_unit, "如 渝中区委政法委");
        c |= fields::list(ui, b, "tags", "标签", &mut w.tags);
        c |= fields::text(ui, "来源", &mut w.source, "");
        c
    });
    changed |= themes(ui, lib, &mut w.themes);
    if w.project.is_some() && w.themes.is_empty() {
        ui.weak("未勾选主题时沿用所属项目的主题。");
    }
    changed
}

fn project(ui: &mut egui::Ui, lib: &Library, p: &mut Project, b: &mut Buffers) -> bool {
    let mut changed = grid(ui, "project-form", |ui| {
        let mut c = fields::text(ui, "编号", &mut p.id, "如 yz-p04");
        c |= fields::text(ui, "项目名称", &mut p.name, "");
        c |= fields::choice(ui, "project-district", "区县", &mut p.district, &districts(lib));
        c |= fields::text(ui, "牵头单位", &mut p.lead_unit, "");
        c |= fields::list(ui, b, "partners", "配合单位", &mut p.partner_units);
        c |= fields::number_row(ui, b, "claimed", "认领年份", &mut p.claimed);
        c |= fields::text(ui, "状态", &mut p.status, "如 推进中、已验收");
        c
    });
    changed |= themes(ui, lib, &mut p.themes);
    changed |= indicators(ui, &mut p.indicators, b);
    changed |= evaluation(ui, &mut p.evaluation, b);
    changed
}

/// Moves, removes and adds rows of a list; returns (changed, the index of a removed row).
fn row_buttons(
    ui: &mut egui::Ui,
    i: usize,
    len: usize,
    moved: &mut Option<(usize, usize)>,
    removed: &mut Option<usize>,
) {
    if ui.add_enabled(i > 0, egui::Button::new("↑").small()).on_hover_text("上移").clicked() {
        *moved = Some((i, i - 1));
    }
    if ui.add_enabled(i + 1 < len, egui::Button::new("↓").small()).on_hover_text("下移").clicked() {
        *moved = Some((i, i + 1));
    }
    if ui.small_button("删除").clicked() {
        *removed = Some(i);
    }
}

/// Applies a move or removal to a list and drops the text buffers of its rows (their keys hold row numbers).
fn apply_rows<T>(
    items: &mut Vec<T>,
    moved: Option<(usize, usize)>,
    removed: Option<usize>,
    b: &mut Buffers,
    prefix: &str,
) -> bool {
    if let Some((from, to)) = moved {
        items.swap(from, to);
    } else if let Some(i) = removed {
        items.remove(i);
    } else {
        return false;
    }
    b.forget_prefix(prefix);
    true
}

fn indicators(ui: &mut egui::Ui, list: &mut Vec<Indicator>, b: &mut Buffers) -> bool {
    fields::section(ui, "指标（试点前后数据）");
    let mut changed = false;
    let (mut moved, mut removed) = (None, None);
    let len = list.len();
    // One card per indicator: the form is narrow, and names like “严重精神障碍患者规范管理率” are long.
    for (i, ind) in list.iter_mut().enumerate() {
        let key = |f: &str| format!("ind.{i}.{f}");
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(format!("{}.", i + 1));
                let name = ui.label("名称");
                let mut s = ind.name.clone().unwrap_or_default();
                let r = ui.add(egui::TextEdit::singleline(&mut s).desired_width(200.0)).labelled_by(name.id);
                if r.changed() {
                    ind.name = Some(s).filter(|s| !s.trim().is_empty());
                    changed = true;
                }
                ui.label("单位");
                changed |= small_text(ui, &mut ind.unit, 40.0);
                row_buttons(ui, i, len, &mut moved, &mut removed);
            });
            ui.horizontal(|ui| {
                let shown = match ind.direction() {
                    Some(crate::library::Better::Higher) => "越高越好",
                    Some(crate::library::Better::Lower) => "越低越好",
                    None => "（方向未选）",
                };
                egui::ComboBox::from_id_salt(key("better")).selected_text(shown).width(90.0).show_ui(ui, |ui| {
                    for (v, l) in [("higher", "越高越好"), ("lower", "越低越好")] {
                        if ui.selectable_label(ind.better.as_deref() == Some(v), l).clicked() {
                            ind.better = Some(v.into());
                            changed = true;
                        }
                    }
                });
                ui.label("目标");
                changed |= fields::number(ui, b, &key("target"), &mut ind.target, 60.0);
            });
            for (which, label, m) in [("before", "试点前", &mut ind.before), ("after", "试点后", &mut ind.after)]
            {
                ui.horizontal(|ui| {
                    let m = m.get_or_insert_with(Measurement::default);
                    ui.label(label);
                    ui.weak("时间");
                    changed |= small_text(ui, &mut m.period, 90.0);
                    ui.weak("数值");
                    changed |= fields::number(ui, b, &key(which), &mut m.value, 80.0);
                });
            }
        });
    }
    changed |= apply_rows(list, moved, removed, b, "ind.");
    if ui.button("＋ 添加指标").clicked() {
        list.push(Indicator { better: Some("higher".into()), ..Default::default() });
        changed = true;
    }
    // An empty measurement is not written as `before: {}`.
    for ind in list.iter_mut() {
        for m in [&mut ind.before, &mut ind.after] {
            if m.as_ref().is_some_and(|x| x.period.is_none() && x.value.is_none()) {
                *m = None;
            }
        }
    }
    changed
}

fn evaluation(ui: &mut egui::Ui, list: &mut Vec<Evaluation>, b: &mut Buffers) -> bool {
    fields::section(ui, "群众评价");
    let mut changed = false;
    let (mut moved, mut removed) = (None, None);
    let len = list.len();
    egui::Grid::new("evaluation-table").striped(true).spacing([6.0, 4.0]).show(ui, |ui| {
        for h in ["时间", "满意度（%）", "样本量（人）", ""] {
            ui.label(RichText::new(h).small().strong());
        }
        ui.end_row();
        for (i, e) in list.iter_mut().enumerate() {
            changed |= small_text(ui, &mut e.period, 120.0);
            changed |= fields::number(ui, b, &format!("eval.{i}.satisfaction"), &mut e.satisfaction, 70.0);
            changed |= fields::number(ui, b, &format!("eval.{i}.sample"), &mut e.sample, 80.0);
            ui.horizontal(|ui| row_buttons(ui, i, len, &mut moved, &mut removed));
            ui.end_row();
        }
    });
    changed |= apply_rows(list, moved, removed, b, "eval.");
    if ui.button("＋ 添加一期评价").clicked() {
        list.push(Evaluation::default());
        changed = true;
    }
    changed
}

fn small_text(ui: &mut egui::Ui, value: &mut Option<String>, width: f32) -> bool {
    let mut s = value.clone().unwrap_or_default();
    if ui.add(egui::TextEdit::singleline(&mut s).desired_width(width)).changed() {
        *value = Some(s).filter(|s| !s.trim().is_empty());
        true
    } else {
        false
    }
}

fn site(ui: &mut egui::Ui, lib: &Library, s: &mut Site, b: &mut Buffers) -> bool {
    let mut changed = grid(ui, "site-form", |ui| {
        let mut c = fields::text(ui, "编号", &mut s.id, "如 yz-s1");
        c |= fields::text(ui, "调研点名称", &mut s.name, "");
        c |= fields::choice(ui, "site-district", "区县", &mut s.district, &districts(lib));
        c |= fields::text(ui, "地址", &mut s.address, "");
        c |= fields::text(ui, "亮点", &mut s.highlight, "一句话说明看什么");
        c |= fields::number_row(ui, b, "route_order", "线路顺序", &mut s.route_order);
        c
    });
    fields::section(ui, "展示的项目");
    for (_, id, name) in projects(lib, s.district.as_deref()).into_iter().take(60) {
        let mut on = s.projects.contains(&id);
        if ui.checkbox(&mut on, format!("{id} {name}")).changed() {
            changed = true;
            if on {
                s.projects.push(id);
            } else {
                s.projects.retain(|x| *x != id);
            }
        }
    }
    changed |= stops(ui, &mut s.stops, b);
    fields::section(ui, "接待保障");
    let reception = s.reception.get_or_insert_with(Reception::default);
    changed |= grid(ui, "reception-form", |ui| {
        let mut c = fields::text(ui, "联系人", &mut reception.contact, "姓名、电话");
        c |= fields::number_row(ui, b, "capacity", "可接待人数", &mut reception.capacity);
        c |= fields::text(ui, "停车", &mut reception.parking, "");
        c |= fields::multiline(ui, "其他事项", &mut reception.notes, 2);
        c
    });
    if s.reception.as_ref().is_some_and(|r| *r == Reception::default()) {
        s.reception = None;
    }
    ui.weak("解说词写在右侧正文中。");
    changed
}

fn stops(ui: &mut egui::Ui, list: &mut Vec<Stop>, b: &mut Buffers) -> bool {
    fields::section(ui, "点位安排（按参观顺序）");
    let mut changed = false;
    let (mut moved, mut removed) = (None, None);
    let len = list.len();
    egui::Grid::new("stops-table").striped(true).spacing([6.0, 4.0]).show(ui, |ui| {
        for h in ["#", "点位", "看什么", "分钟", "讲解人", ""] {
            ui.label(RichText::new(h).small().strong());
        }
        ui.end_row();
        for (i, stop) in list.iter_mut().enumerate() {
            ui.label((i + 1).to_string());
            changed |= small_text(ui, &mut stop.name, 110.0);
            changed |= small_text(ui, &mut stop.what, 170.0);
            changed |= fields::number(ui, b, &format!("stop.{i}.minutes"), &mut stop.minutes, 40.0);
            changed |= small_text(ui, &mut stop.presenter, 80.0);
            ui.horizontal(|ui| row_buttons(ui, i, len, &mut moved, &mut removed));
            ui.end_row();
        }
    });
    changed |= apply_rows(list, moved, removed, b, "stop.");
    ui.horizontal(|ui| {
        if ui.button("＋ 添加点位").clicked() {
            list.push(Stop::default());
            changed = true;
        }
        let total: u32 = list.iter().filter_map(|s| s.minutes).sum();
        ui.weak(format!("共 {} 个点位，约 {total} 分钟", list.len()));
    });
    changed
}

fn collection(ui: &mut egui::Ui, lib: &Library, c: &mut Collection, b: &mut Buffers) -> bool {
    let mut changed = grid(ui, "collection-form", |ui| {
        let mut ch = fields::text(ui, "编号", &mut c.id, "如 col-fengqiao");
        ch |= fields::text(ui, "专辑标题", &mut c.title, "");
        ch |= fields::text(ui, "学习对象", &mut c.audience, "如 区县政法委干部");
        ch
    });
    fields::section(ui, "收录的材料（按学习顺序）");
    let (mut moved, mut removed) = (None, None);
    let len = c.items.len();
    egui::Grid::new("collection-items").striped(true).spacing([6.0, 4.0]).show(ui, |ui| {
        for (i, item) in c.items.iter_mut().enumerate() {
            ui.label(format!("{}.", i + 1));
            ui.vertical(|ui| {
                let title = item.id.as_deref().and_then(|id| lib.get(id)).map(|r| r.title().to_string());
                ui.horizontal(|ui| {
                    changed |= small_text(ui, &mut item.id, 110.0);
                    match title {
                        Some(t) => ui.label(t),
                        None => ui.colored_label(ui.visuals().error_fg_color, "（没有这个编号的记录）"),
                    };
                });
                let mut note = item.note.clone().unwrap_or_default();
                if ui.add(egui::TextEdit::multiline(&mut note).hint_text("导读、讲评要点").desired_rows(2)).changed()
                {
                    item.note = Some(note).filter(|s| !s.trim().is_empty());
                    changed = true;
                }
            });
            ui.horizontal(|ui| row_buttons(ui, i, len, &mut moved, &mut removed));
            ui.end_row();
        }
    });
    changed |= apply_rows(&mut c.items, moved, removed, b, "item.");
    if ui.button("＋ 添加材料").on_hover_text("填入写作材料的编号（可在检索结果中查看）").clicked()
    {
        c.items.push(CollectionItem::default());
        changed = true;
    }
    fields::section(ui, "讨论题");
    let (mut moved, mut removed) = (None, None);
    let len = c.questions.len();
    for i in 0..len {
        ui.horizontal(|ui| {
            ui.label(format!("{}.", i + 1));
            if ui.add(egui::TextEdit::singleline(&mut c.questions[i]).desired_width(360.0)).changed() {
                changed = true;
            }
            row_buttons(ui, i, len, &mut moved, &mut removed);
        });
    }
    changed |= apply_rows(&mut c.questions, moved, removed, b, "question.");
    if ui.button("＋ 添加讨论题").clicked() {
        c.questions.push(String::new());
        changed = true;
    }
    changed
}
