//! 项目页: a claimed project — metadata, completeness badge, indicators before → after, write-ups by type, and
//! the demonstration sites that show it.

use std::collections::BTreeMap;

use egui::RichText;

use crate::compare::{Trend, format_change, format_number, project_summary};
use crate::library::check::{MIN_EXPERIENCE_WRITEUPS, experience_counts};
use crate::library::{Kind, Meta};
use crate::ui::app::{Command, Ctx};
use crate::ui::widgets::badge;

/// State of the project page (none beyond which project is shown, kept by the shell).
#[derive(Default)]
pub struct ProjectView;

impl ProjectView {
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &Ctx, id: &str) -> Vec<Command> {
        let mut commands = Vec::new();
        let Some(lib) = ctx.library else {
            ui.spinner();
            return commands;
        };
        let Some(record) = lib.get(id).filter(|r| r.kind() == Kind::Project) else {
            ui.label(format!("没有 id 为 {id} 的项目。"));
            return commands;
        };
        let Meta::Project(p) = &record.meta else { return commands };
        egui::ScrollArea::vertical().id_salt("project-page").show(ui, |ui| {
            let n = experience_counts(lib).get(id).copied().unwrap_or(0);
            ui.horizontal(|ui| {
                ui.heading(record.title());
                if n >= MIN_EXPERIENCE_WRITEUPS {
                    badge(ui, "达标", true).on_hover_text(format!("已有 {n} 篇经验材料"));
                } else {
                    badge(ui, &format!("缺 {} 篇经验材料", MIN_EXPERIENCE_WRITEUPS - n), false).on_hover_text(format!(
                        "试点要求每个认领项目至少 {MIN_EXPERIENCE_WRITEUPS} 篇经验材料，现有 {n} 篇"
                    ));
                }
            });
            egui::Grid::new("project-meta").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
                let mut row = |k: &str, v: String| {
                    if !v.is_empty() {
                        ui.weak(k);
                        ui.label(v);
                        ui.end_row();
                    }
                };
                row("编号", id.to_string());
                row("区县", lib.district_of(record).unwrap_or("").to_string());
                row("主题", lib.themes_of(record).join("、"));
                row("牵头单位", p.lead_unit.clone().unwrap_or_default());
                row("配合单位", p.partner_units.join("、"));
                row("认领年份", p.claimed.map(|y| y.to_string()).unwrap_or_default());
                row("状态", p.status.clone().unwrap_or_default());
            });
            if !record.body.trim().is_empty() {
                ui.add_space(6.0);
                crate::ui::widgets::markdown::show(ui, &record.body, &[]);
            }

            ui.add_space(8.0);
            ui.heading("试点前后指标");
            let summary = project_summary(p);
            ui.label(summary.sentence());
            egui::Grid::new("indicators").striped(true).num_columns(7).spacing([14.0, 6.0]).show(ui, |ui| {
                for h in ["指标", "单位", "试点前", "试点后", "变化", "目标", "评价"] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for c in &summary.indicators {
                    ui.label(&c.name);
                    ui.label(&c.unit);
                    let value = |v: Option<f64>, period: &Option<String>| match v {
                        Some(v) => format!("{}（{}）", format_number(v), period.clone().unwrap_or_default()),
                        None => "—".into(),
                    };
                    ui.label(value(c.before, &c.before_period));
                    ui.label(value(c.after, &c.after_period));
                    ui.label(format_change(c));
                    ui.label(match (c.target, c.target_met) {
                        (Some(t), Some(true)) => format!("{}（已达到）", format_number(t)),
                        (Some(t), Some(false)) => format!("{}（未达到）", format_number(t)),
                        (Some(t), None) => format_number(t),
                        (None, _) => "—".into(),
                    });
                    let color = match c.trend {
                        Trend::Improved => egui::Color32::from_rgb(30, 130, 60),
                        Trend::Worsened => ui.visuals().error_fg_color,
                        _ => ui.visuals().weak_text_color(),
                    };
                    ui.colored_label(color, c.trend.label());
                    ui.end_row();
                }
            });
            if !p.evaluation.is_empty() {
                ui.add_space(8.0);
                ui.heading("群众评价");
                egui::Grid::new("evaluation").striped(true).num_columns(3).show(ui, |ui| {
                    for h in ["时间", "满意度", "样本量"] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for e in &p.evaluation {
                        ui.label(e.period.clone().unwrap_or_default());
                        ui.label(e.satisfaction.map(|s| format!("{}%", format_number(s))).unwrap_or("—".into()));
                        ui.label(e.sample.map(|s| format!("{s} 人")).unwrap_or("—".into()));
                        ui.end_row();
                    }
                });
            }

            ui.add_space(8.0);
            ui.heading("写作材料");
            let mut by_type: BTreeMap<usize, (String, Vec<(String, String)>)> = BTreeMap::new();
            for w in lib.writeups_of(record) {
                let t = lib.type_of(w).unwrap_or("").to_string();
                let order = lib.config.types.iter().position(|x| *x == t).unwrap_or(usize::MAX);
                by_type
                    .entry(order)
                    .or_insert_with(|| (t, Vec::new()))
                    .1
                    .push((w.id().unwrap_or("").to_string(), w.title().to_string()));
            }
            if by_type.is_empty() {
                ui.weak("还没有写作材料。");
            }
            for (_, (t, items)) in by_type {
                ui.label(RichText::new(format!("{t}（{} 篇）", items.len())).strong());
                for (wid, title) in items {
                    if ui.link(format!("　{title}")).clicked() {
                        commands.push(Command::OpenRecord(wid));
                    }
                }
            }

            ui.add_space(8.0);
            ui.heading("展示本项目的调研点");
            let sites: Vec<_> = lib
                .of_kind(Kind::Site)
                .filter(|s| matches!(&s.meta, Meta::Site(m) if m.projects.iter().any(|x| x == id)))
                .collect();
            if sites.is_empty() {
                ui.weak("暂无调研点展示本项目。");
            }
            for s in sites {
                if ui.link(s.title()).clicked()
                    && let Some(sid) = s.id()
                {
                    commands.push(Command::OpenRecord(sid.to_string()));
                }
            }
        });
        commands
    }
}
