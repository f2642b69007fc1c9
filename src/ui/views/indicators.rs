//! 从报表导入指标: the dialog that fills a project's before/after indicators from a spreadsheet. It shows the
//! guessed column mapping with its evidence, lets the person pick other columns, and asks for each unit and
//! direction that could not be guessed; the worker reads the table and writes the project
//! (`crate::import::indicators`).

use std::path::PathBuf;

use egui::RichText;

use crate::import::indicators::{Choices, IndicatorTable, Role};

/// What the dialog asks the app to do.
pub enum IndicatorAction {
    /// Pick the table with the system's file dialog.
    Pick,
    /// Read (or read again, with other columns) the table.
    Read { path: PathBuf, choices: Choices },
    /// Write the confirmed indicators into the project.
    Write { project: String, table: IndicatorTable },
}

/// State of the dialog; open while `project` is set.
#[derive(Default)]
pub struct IndicatorDialog {
    /// The project's id.
    pub project: Option<String>,
    pub path: String,
    pub choices: Choices,
    /// The table as read (and as edited here), or why it could not be.
    pub table: Option<Result<IndicatorTable, String>>,
    /// The worker is reading or writing.
    pub busy: bool,
}

impl IndicatorDialog {
    /// Opens the dialog for a project.
    pub fn open_for(&mut self, project: &str) {
        *self = IndicatorDialog { project: Some(project.to_string()), ..IndicatorDialog::default() };
    }

    /// A table the worker read.
    pub fn read(&mut self, path: PathBuf, result: Result<IndicatorTable, String>) {
        self.busy = false;
        self.path = path.display().to_string();
        self.table = Some(result);
    }

    pub fn ui(&mut self, ctx: &egui::Context) -> Option<IndicatorAction> {
        let project = self.project.clone()?;
        let mut action = None;
        let mut open = true;
        egui::Window::new("从报表导入指标")
            .open(&mut open)
            .collapsible(false)
            .default_width(760.0)
            .pivot(egui::Align2::CENTER_TOP)
            .default_pos(ctx.content_rect().center_top() + egui::vec2(0.0, 70.0))
            .show(ctx, |ui| {
                ui.label(format!("用表格中的试点前、试点后数字填写项目 {project} 的指标：同名指标更新，其他新增。"));
                ui.horizontal(|ui| {
                    let label = ui.label("表格文件");
                    ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(380.0)).labelled_by(label.id);
                    if ui.button("选择…").clicked() {
                        action = Some(IndicatorAction::Pick);
                    }
                    let can_read = !self.path.trim().is_empty() && !self.busy;
                    if ui.add_enabled(can_read, egui::Button::new("读取")).clicked() {
                        self.busy = true;
                        action = Some(IndicatorAction::Read {
                            path: PathBuf::from(self.path.trim()),
                            choices: self.choices.clone(),
                        });
                    }
                });
                if self.busy {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("正在处理……");
                    });
                }
                match &mut self.table {
                    None => {
                        ui.weak("支持 .xlsx、.xls、.et、.ods。表头一行写明指标名称和年份（或“试点前”“试点后”）即可。");
                    }
                    Some(Err(message)) => {
                        ui.colored_label(ui.visuals().error_fg_color, message.as_str());
                    }
                    Some(Ok(table)) => {
                        if let Some(a) = table_ui(ui, table, &mut self.choices, &self.path, &project, self.busy) {
                            if matches!(a, IndicatorAction::Write { .. } | IndicatorAction::Read { .. }) {
                                self.busy = true;
                            }
                            action = Some(a);
                        }
                    }
                }
            });
        if !open {
            self.project = None;
        }
        action
    }
}

fn table_ui(
    ui: &mut egui::Ui,
    table: &mut IndicatorTable,
    choices: &mut Choices,
    path: &str,
    project: &str,
    busy: bool,
) -> Option<IndicatorAction> {
    let mut action = None;
    ui.separator();
    ui.label(RichText::new(format!("工作表“{}”，第 {} 行为表头", table.sheet, table.header_row)).strong());
    egui::Grid::new("indicator-columns").striped(true).num_columns(4).show(ui, |ui| {
        for h in ["列", "表头", "用作", "依据"] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for c in &table.columns {
            ui.label(&c.letter);
            ui.label(&c.header);
            ui.label(c.role.label());
            ui.weak(&c.evidence);
            ui.end_row();
        }
    });
    // Other columns for before and after: read again with them.
    let letters: Vec<String> = table.columns.iter().map(|c| c.letter.clone()).collect();
    let current = |pick: fn(&Role) -> bool| table.columns.iter().find(|c| pick(&c.role)).map(|c| c.letter.clone());
    let mut before = choices.before_column.clone().or_else(|| current(|r| matches!(r, Role::Before(_))));
    let mut after = choices.after_column.clone().or_else(|| current(|r| matches!(r, Role::After(_))));
    ui.horizontal(|ui| {
        for (label, value) in [("试点前的列", &mut before), ("试点后的列", &mut after)] {
            ui.label(label);
            egui::ComboBox::from_id_salt(label).selected_text(value.clone().unwrap_or_default()).show_ui(ui, |ui| {
                for l in &letters {
                    ui.selectable_value(value, Some(l.clone()), l);
                }
            });
        }
    });
    if (before != choices.before_column && before != current(|r| matches!(r, Role::Before(_))))
        || (after != choices.after_column && after != current(|r| matches!(r, Role::After(_))))
    {
        choices.before_column = before;
        choices.after_column = after;
        action = Some(IndicatorAction::Read { path: PathBuf::from(path.trim()), choices: choices.clone() });
    }

    ui.add_space(6.0);
    ui.label(RichText::new(format!("读出 {} 个指标（单位和方向可修改）", table.rows.len())).strong());
    egui::ScrollArea::vertical().max_height(300.0).show(ui, |ui| {
        egui::Grid::new("indicator-rows").striped(true).num_columns(5).show(ui, |ui| {
            for h in ["行", "指标", "试点前 → 试点后", "单位", "方向"] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for (i, row) in table.rows.iter_mut().enumerate() {
                let ind = &mut row.indicator;
                ui.label(row.number.to_string());
                ui.label(ind.name.as_deref().unwrap_or(""));
                let v = |m: &Option<crate::library::Measurement>| {
                    m.as_ref().and_then(|m| m.value).map(|v| v.to_string()).unwrap_or_default()
                };
                ui.label(format!("{} → {}", v(&ind.before), v(&ind.after)));
                let mut unit = ind.unit.clone().unwrap_or_default();
                let edit = ui.add(egui::TextEdit::singleline(&mut unit).desired_width(80.0).hint_text("必填"));
                if edit.changed() {
                    ind.unit = (!unit.trim().is_empty()).then(|| unit.trim().to_string());
                    row.unit_from = Some("手动填写".into());
                }
                let shown = match ind.better.as_deref() {
                    Some("higher") => "越高越好",
                    Some("lower") => "越低越好",
                    _ => "请选择",
                };
                egui::ComboBox::from_id_salt(("better", i)).selected_text(shown).show_ui(ui, |ui| {
                    for (value, label) in [("higher", "越高越好"), ("lower", "越低越好")] {
                        if ui.selectable_label(ind.better.as_deref() == Some(value), label).clicked() {
                            ind.better = Some(value.to_string());
                            row.better_from = Some("手动选择".into());
                        }
                    }
                });
                ui.end_row();
            }
        });
    });
    for note in &table.notes {
        ui.weak(format!("注意：{note}"));
    }
    let missing = table.unresolved();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|(n, what)| format!("“{n}”的{what}")).collect();
        ui.colored_label(ui.visuals().warn_fg_color, format!("还需要填写：{}", list.join("，")));
    }
    let can_write = missing.is_empty() && !busy;
    if ui.add_enabled(can_write, egui::Button::new("写入项目")).clicked() {
        action = Some(IndicatorAction::Write { project: project.to_string(), table: table.clone() });
    }
    action
}
