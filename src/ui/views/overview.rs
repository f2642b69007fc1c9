//! 总览 · 迎验收: per district, is everything the pilot asks for in place? Every number opens its items.

use egui::RichText;

use crate::library::overview::{DistrictRow, overview};
use crate::library::{Kind, Library};
use crate::ui::app::{Command, Ctx};
use crate::ui::widgets::badge;

/// Which cell was clicked: a district and a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drill {
    pub district: String,
    pub column: Column,
}

/// The countable columns of the overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Projects,
    Writeups,
    Experience,
    Pending,
    Incomplete,
    Sites,
    Indicators,
}

impl Column {
    fn label(self) -> &'static str {
        match self {
            Column::Projects => "认领项目",
            Column::Writeups => "写作材料",
            Column::Experience => "经验材料",
            Column::Pending => "文种待确认的材料",
            Column::Incomplete => "经验材料不足的项目",
            Column::Sites => "调研点",
            Column::Indicators => "指标前后数据完整的项目",
        }
    }

    fn ids(self, row: &DistrictRow) -> &[String] {
        match self {
            Column::Projects => &row.projects,
            Column::Writeups => &row.writeups,
            Column::Experience => &row.experience,
            Column::Pending => &row.pending,
            Column::Incomplete => &row.incomplete,
            Column::Sites => &row.sites,
            Column::Indicators => &row.indicators_complete,
        }
    }
}

/// State of the overview: the rows (recomputed when the library changes) and the open drill-down.
#[derive(Default)]
pub struct OverviewView {
    rows: Vec<DistrictRow>,
    computed_for: Option<usize>,
    pub drill: Option<Drill>,
}

impl OverviewView {
    fn refresh(&mut self, lib: &std::sync::Arc<Library>) {
        let key = std::sync::Arc::as_ptr(lib) as usize;
        if self.computed_for != Some(key) {
            self.rows = overview(lib);
            self.computed_for = Some(key);
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &Ctx) -> Vec<Command> {
        let mut commands = Vec::new();
        let Some(lib) = ctx.library_or_spinner(ui) else { return commands };
        self.refresh(lib);
        ui.horizontal(|ui| {
            ui.heading("总览 · 迎验收");
            if ui
                .link("档案（按年度、项目、文种）→")
                .on_hover_text("查看各项目的纪要、报表、简报、制度、方案等是否齐全")
                .clicked()
            {
                commands.push(Command::Show(crate::ui::app::Tab::Archive));
            }
        });
        ui.label(format!("试点要求：{}。点击数字查看明细。", crate::library::rules::summary()));
        ui.add_space(6.0);
        let ready = self.rows.iter().filter(|r| r.ready()).count();
        ui.label(format!("{} 个区县，其中 {ready} 个各项达标。", self.rows.len()));
        egui::ScrollArea::vertical().id_salt("overview").max_height(ui.available_height() * 0.6).show(ui, |ui| {
            egui::Grid::new("overview-grid").striped(true).num_columns(9).spacing([16.0, 6.0]).show(ui, |ui| {
                let sites = format!("调研点（{}）", crate::library::rules::sites_range_text());
                for h in
                    ["区县", "认领项目", "写作材料", "经验材料", "文种待确认", "未达标项目", &sites, "指标完整", "状态"]
                {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for row in &self.rows {
                    ui.label(&row.district);
                    let mut cell = |ui: &mut egui::Ui, column: Column, text: String| {
                        let r = ui.link(&text).on_hover_text(format!("查看{}的{}", row.district, column.label()));
                        // Screen readers (and tests) read the district and the column, not just a number.
                        let name = format!("{} {}：{}", row.district, column.label(), text);
                        r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Link, true, &name));
                        if r.clicked() {
                            self.drill = Some(Drill { district: row.district.clone(), column });
                        }
                    };
                    cell(ui, Column::Projects, row.projects.len().to_string());
                    cell(ui, Column::Writeups, row.writeups.len().to_string());
                    cell(ui, Column::Experience, row.experience.len().to_string());
                    cell(ui, Column::Pending, row.pending.len().to_string());
                    cell(ui, Column::Incomplete, row.incomplete.len().to_string());
                    let sites = if row.sites_ok() || row.sites.is_empty() {
                        row.sites.len().to_string()
                    } else {
                        format!("{}（不足或过多）", row.sites.len())
                    };
                    cell(ui, Column::Sites, sites);
                    cell(ui, Column::Indicators, format!("{}/{}", row.indicators_complete.len(), row.projects.len()));
                    if row.ready() {
                        badge(ui, "达标", true);
                    } else {
                        badge(ui, "待完善", false);
                    }
                    ui.end_row();
                }
            });
        });
        if let Some(drill) = self.drill.clone() {
            ui.separator();
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("{} · {}", drill.district, drill.column.label())).strong());
                if ui.small_button("关闭").clicked() {
                    self.drill = None;
                }
            });
            let ids = self
                .rows
                .iter()
                .find(|r| r.district == drill.district)
                .map(|r| drill.column.ids(r).to_vec())
                .unwrap_or_default();
            egui::ScrollArea::vertical().id_salt("drill").show(ui, |ui| {
                if ids.is_empty() {
                    ui.weak("（无）");
                }
                for id in ids {
                    let Some(r) = lib.get(&id) else { continue };
                    ui.horizontal(|ui| {
                        if ui.link(r.title()).clicked() {
                            commands.push(if r.kind() == Kind::Project {
                                Command::OpenProject(id.clone())
                            } else {
                                Command::OpenRecord(id.clone())
                            });
                        }
                        ui.weak(format!("{} · {}", r.kind().label(), id));
                    });
                }
            });
        }
        commands
    }
}
