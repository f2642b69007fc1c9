//! 项目页: a claimed project — metadata, completeness badge, indicators before → after, write-ups by type, and
//! the demonstration sites that show it; a second tab charts the comparison (试点前后对比).

use std::collections::BTreeMap;

use egui::RichText;

use crate::compare::{ProjectSummary, Trend, csv, format_change, format_number, project_summary, typical_cases};
use crate::library::check::{MIN_EXPERIENCE_WRITEUPS, experience_counts};
use crate::library::{Evaluation, Kind, Library, Meta, Project, Record};
use crate::ui::app::{Command, Ctx};
use crate::ui::widgets::badge;

/// The two tabs of a project page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Section {
    #[default]
    Overview,
    Comparison,
}

/// State of the project page (which project is shown is kept by the shell).
#[derive(Default)]
pub struct ProjectView {
    pub section: Section,
}

impl ProjectView {
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &Ctx, id: &str) -> Vec<Command> {
        let mut commands = Vec::new();
        let Some(lib) = ctx.library_or_spinner(ui) else { return commands };
        let Some(record) = lib.get(id).filter(|r| r.kind() == Kind::Project) else {
            ui.label(format!("没有 id 为 {id} 的项目。"));
            return commands;
        };
        let Meta::Project(p) = &record.meta else { return commands };
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.section, Section::Overview, "项目概况");
            ui.selectable_value(&mut self.section, Section::Comparison, "试点前后对比");
            ui.separator();
            if ui.button("编辑项目").clicked() {
                commands.push(Command::EditRecord(id.to_string()));
            }
            if ui.button("打印…").on_hover_text("在浏览器中打开本项目的 A4 打印页，可打印或另存为 PDF").clicked()
            {
                commands.push(Command::Print(id.to_string()));
            }
            if ui
                .button("从报表导入指标…")
                .on_hover_text("用 Excel、WPS 表格中的试点前、试点后数字填写本项目的指标")
                .clicked()
            {
                commands.push(Command::ImportIndicators(id.to_string()));
            }
        });
        ui.separator();
        if self.section == Section::Comparison {
            egui::ScrollArea::vertical()
                .id_salt("project-comparison")
                .show(ui, |ui| commands.extend(comparison(ui, lib, record, p)));
            return commands;
        }
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
                evaluation_table(ui, "evaluation", &p.evaluation);
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
                .filter(|s| crate::library::facts::linked_projects(s, &**lib).iter().any(|(pid, _)| pid == id))
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

/// The comparison tab: a chart per indicator, the satisfaction series, the typical cases, and CSV export.
fn comparison(ui: &mut egui::Ui, lib: &Library, record: &Record, p: &Project) -> Vec<Command> {
    let mut commands = Vec::new();
    let id = record.id().unwrap_or("");
    let district = lib.district_of(record).unwrap_or("");
    let summary = project_summary(p);
    ui.horizontal(|ui| {
        ui.heading(format!("{} · 试点前后对比", record.title()));
        if ui.button("导出 CSV…").on_hover_text("把指标表保存为 CSV（可用 Excel、WPS 打开）").clicked()
        {
            commands.push(Command::SaveFile {
                name: format!("{id}-试点前后对比.csv"),
                bytes: csv::project_csv(id, record.title(), district, &summary).into_bytes(),
                what: "试点前后对比表".into(),
            });
        }
    });
    ui.label(summary.sentence());
    if summary.indicators.is_empty() {
        ui.weak("本项目还没有填报指标（indicators）。");
    }
    indicator_charts(ui, &summary);

    if !p.evaluation.is_empty() {
        ui.add_space(10.0);
        ui.heading("群众评价");
        ui.horizontal_top(|ui| {
            crate::ui::widgets::charts::satisfaction(ui, &p.evaluation, egui::vec2(360.0, 200.0));
            evaluation_table(ui, "evaluation-samples", &p.evaluation);
        });
    }

    ui.add_space(10.0);
    ui.heading("典型案例");
    let cases = typical_cases(lib, record);
    if cases.is_empty() {
        ui.weak("还没有典型案例。试点要求用典型事例佐证成效。");
    }
    for w in cases {
        if ui.link(w.title()).clicked()
            && let Some(wid) = w.id()
        {
            commands.push(Command::OpenRecord(wid.to_string()));
        }
    }
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        ui.label("与其他区县比较：");
        for c in &summary.indicators {
            if ui.link(&c.name).on_hover_text("打开横向对比").clicked() {
                commands.push(Command::CompareIndicator(c.name.clone()));
            }
        }
    });
    commands
}

/// One small chart per indicator (their units differ, so they cannot share an axis), wrapped in rows.
fn indicator_charts(ui: &mut egui::Ui, summary: &ProjectSummary) {
    let size = egui::vec2(300.0, 190.0);
    let per_row = ((ui.available_width() / (size.x + 24.0)).floor() as usize).max(1);
    for (row, chunk) in summary.indicators.chunks(per_row).enumerate() {
        ui.horizontal_top(|ui| {
            for (i, c) in chunk.iter().enumerate() {
                ui.vertical(|ui| {
                    ui.set_width(size.x);
                    ui.label(RichText::new(format!("{}（{}）", c.name, c.unit)).strong());
                    let target = match (c.target, c.target_met) {
                        (Some(t), Some(true)) => format!("目标 {}，已达到", format_number(t)),
                        (Some(t), Some(false)) => format!("目标 {}，未达到", format_number(t)),
                        (Some(t), None) => format!("目标 {}", format_number(t)),
                        (None, _) => "未设目标".into(),
                    };
                    ui.weak(format!("{} · {} · {}", format_change(c), c.trend.label(), target));
                    crate::ui::widgets::charts::before_after(ui, c, row * per_row + i, size);
                });
                ui.add_space(18.0);
            }
        });
        ui.add_space(8.0);
    }
}

/// The 群众评价 rounds as a table: when, satisfaction, sample size.
fn evaluation_table(ui: &mut egui::Ui, id: &str, evaluation: &[Evaluation]) {
    egui::Grid::new(id).striped(true).num_columns(3).show(ui, |ui| {
        for h in ["时间", "满意度", "样本量"] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for e in evaluation {
            ui.label(e.period.clone().unwrap_or_default());
            ui.label(e.satisfaction.map(|s| format!("{}%", format_number(s))).unwrap_or("—".into()));
            ui.label(e.sample.map(|s| format!("{s} 人")).unwrap_or("—".into()));
            ui.end_row();
        }
    });
}
