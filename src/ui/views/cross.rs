//! 横向对比: pick an indicator, see every district that reports it ranked by improvement, as a chart and a table,
//! with each project's typical cases one click away.

use std::sync::Arc;

use egui::RichText;

use crate::compare::{
    CompareError, CrossTable, IndicatorEntry, Trend, cross_district, csv, format_change, format_number,
    indicator_catalog, typical_cases,
};
use crate::library::{Kind, Library, Meta};
use crate::ui::app::{Command, Ctx};

/// State of the cross-district view: the choices, and results cached per library snapshot.
#[derive(Default)]
pub struct CrossView {
    pub indicator: Option<String>,
    pub theme: Option<String>,
    pub year: Option<i32>,
    catalog: Vec<IndicatorEntry>,
    years: Vec<i32>,
    catalog_for: Option<usize>,
    table: Option<(TableKey, Result<CrossTable, CompareError>)>,
}

type TableKey = (usize, String, Option<String>, Option<i32>);

impl CrossView {
    /// Opens the view on one indicator (from a project page).
    pub fn select(&mut self, indicator: String) {
        self.indicator = Some(indicator);
        self.theme = None;
        self.year = None;
    }

    fn refresh(&mut self, lib: &Arc<Library>) {
        let key = Arc::as_ptr(lib) as usize;
        if self.catalog_for != Some(key) {
            self.catalog = indicator_catalog(lib);
            let mut years: Vec<i32> = lib
                .of_kind(Kind::Project)
                .filter_map(|p| match &p.meta {
                    Meta::Project(m) => m.claimed,
                    _ => None,
                })
                .collect();
            years.sort_unstable();
            years.dedup();
            self.years = years;
            self.catalog_for = Some(key);
        }
        let Some(name) = self.indicator.clone() else {
            self.table = None;
            return;
        };
        let table_key = (key, name, self.theme.clone(), self.year);
        if self.table.as_ref().map(|(k, _)| k) != Some(&table_key) {
            let result = cross_district(lib, &table_key.1, self.theme.as_deref(), self.year);
            self.table = Some((table_key, result));
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &Ctx) -> Vec<Command> {
        let mut commands = Vec::new();
        let Some(lib) = ctx.library_or_spinner(ui) else { return commands };
        if self.indicator.is_none() {
            self.indicator = indicator_catalog(lib).first().map(|e| e.name.clone());
        }
        self.refresh(lib);
        egui::Panel::left("cross-indicators").default_size(260.0).show(ui, |ui| {
            ui.heading("指标");
            ui.weak("同义的指标名称已合并；括号内为填报的区县数。");
            egui::ScrollArea::vertical().id_salt("indicator-list").show(ui, |ui| {
                for e in &self.catalog {
                    let selected = self.indicator.as_deref() == Some(e.name.as_str());
                    let text = format!("{}（{}）· {} 个区县", e.name, e.unit, e.districts);
                    if ui.selectable_label(selected, text).clicked() {
                        self.indicator = Some(e.name.clone());
                    }
                }
            });
        });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading(format!("横向对比：{}", self.indicator.as_deref().unwrap_or("（请选择指标）")));
            });
            ui.horizontal(|ui| {
                ui.label("主题");
                egui::ComboBox::from_id_salt("cross-theme")
                    .selected_text(self.theme.clone().unwrap_or_else(|| "全部主题".into()))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.theme, None, "全部主题");
                        for group in &lib.config.theme_groups {
                            ui.weak(&group.name);
                            for t in &group.themes {
                                ui.selectable_value(&mut self.theme, Some(t.clone()), format!("　{t}"));
                            }
                        }
                    });
                ui.label("认领年份");
                egui::ComboBox::from_id_salt("cross-year")
                    .selected_text(self.year.map(|y| y.to_string()).unwrap_or_else(|| "全部年份".into()))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.year, None, "全部年份");
                        for y in &self.years {
                            ui.selectable_value(&mut self.year, Some(*y), y.to_string());
                        }
                    });
                if let Some((_, Ok(table))) = &self.table
                    && ui.button("导出 CSV…").on_hover_text("把对比表保存为 CSV（可用 Excel、WPS 打开）").clicked()
                {
                    commands.push(Command::SaveFile {
                        name: format!("横向对比-{}.csv", table.indicator),
                        bytes: csv::cross_csv(table).into_bytes(),
                        what: "横向对比表".into(),
                    });
                }
            });
            self.refresh(lib);
            match &self.table {
                None => {
                    ui.weak("资料库中还没有项目填报指标。");
                }
                Some((_, Err(e))) => {
                    ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                }
                Some((_, Ok(table))) => commands.extend(table_ui(ui, lib, table)),
            }
        });
        commands
    }
}

fn table_ui(ui: &mut egui::Ui, lib: &Library, table: &CrossTable) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut note = table.ranking_note();
    if table.names.len() > 1 {
        note.push_str(&format!("合并的名称：{}。", table.names.join("、")));
    }
    ui.weak(note);
    crate::ui::widgets::charts::cross_ranking(ui, table, 220.0);
    ui.add_space(6.0);
    // The 改善幅度 the ranking uses, as a column of its own where it is not what 变化 already says (a count's
    // relative change, a fall that is an improvement).
    let show_improvement = table.rows.iter().any(|r| improvement_text(r, &table.unit) != format_change(&r.change));
    egui::ScrollArea::vertical().id_salt("cross-table").show(ui, |ui| {
        egui::Grid::new("cross-grid")
            .striped(true)
            .num_columns(9 + usize::from(show_improvement))
            .spacing([14.0, 6.0])
            .show(ui, |ui| {
                for h in ["名次", "区县", "项目", "试点前", "试点后", "变化", "改善幅度", "评价", "目标", "典型案例"]
                {
                    if h != "改善幅度" || show_improvement {
                        ui.label(RichText::new(h).strong());
                    }
                }
                ui.end_row();
                for (i, r) in table.rows.iter().enumerate() {
                    let c = &r.change;
                    ui.label((i + 1).to_string());
                    ui.label(&r.district);
                    if ui.link(&r.project_name).on_hover_text("打开项目页").clicked() {
                        commands.push(Command::OpenProject(r.project.clone()));
                    }
                    let value = |v: Option<f64>| v.map(format_number).unwrap_or_else(|| "—".into());
                    ui.label(value(c.before));
                    ui.label(value(c.after));
                    ui.label(format_change(c));
                    if show_improvement {
                        ui.label(improvement_text(r, &table.unit));
                    }
                    let color = match c.trend {
                        Trend::Improved => egui::Color32::from_rgb(30, 130, 60),
                        Trend::Worsened => ui.visuals().error_fg_color,
                        _ => ui.visuals().weak_text_color(),
                    };
                    ui.colored_label(color, c.trend.label());
                    ui.label(match (c.target, c.target_met) {
                        (Some(t), Some(true)) => format!("{}（已达到）", format_number(t)),
                        (Some(t), Some(false)) => format!("{}（未达到）", format_number(t)),
                        (Some(t), None) => format_number(t),
                        (None, _) => "—".into(),
                    });
                    ui.vertical(|ui| {
                        let cases = lib.get(&r.project).map(|p| typical_cases(lib, p)).unwrap_or_default();
                        if cases.is_empty() {
                            ui.weak("—");
                        }
                        for w in cases {
                            if ui.link(w.title()).clicked()
                                && let Some(id) = w.id()
                            {
                                commands.push(Command::OpenRecord(id.to_string()));
                            }
                        }
                    });
                    ui.end_row();
                }
            });
    });
    commands
}

/// A row's 改善幅度 as the ranking counts it.
fn improvement_text(r: &crate::compare::CrossRow, unit: &str) -> String {
    match (r.improvement, r.measure) {
        (Some(v), Some(m)) => m.format(v, unit),
        _ => "—".into(),
    }
}
