//! The two “send it out” dialogs: 导出展示材料 (a showcase packet or study pack, in HTML, Word and Markdown) and
//! 导出交换包 (a district's records for another office). Both only collect choices; the worker does the writing.

use std::path::PathBuf;

use crate::export::{ExportOptions, ExportReport, Format, Target};
use crate::library::Library;

/// State of the showcase export dialog.
pub struct ExportDialog {
    pub open: bool,
    pub targets: Vec<(Target, String)>,
    pub target: usize,
    pub formats: [bool; 3],
    pub zip: bool,
    pub out_dir: String,
    /// Fraction done and the step, while the worker exports.
    pub progress: Option<(f32, String)>,
    pub done: Option<ExportReport>,
}

impl Default for ExportDialog {
    fn default() -> Self {
        ExportDialog {
            open: false,
            targets: Vec::new(),
            target: 0,
            formats: [true, true, true],
            zip: false,
            out_dir: default_out_dir().display().to_string(),
            progress: None,
            done: None,
        }
    }
}

/// The user's documents folder, else their home: exports never go into the library.
pub fn default_out_dir() -> PathBuf {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
    match home {
        Some(h) if h.join("Documents").is_dir() => h.join("Documents"),
        Some(h) => h,
        None => std::env::temp_dir(),
    }
}

/// What the dialog asks for when the user presses a button.
pub enum DialogAction {
    Export(ExportOptions),
    PickFolder,
    OpenFolder(PathBuf),
    /// 打印: the exported web page opened in the system's browser (print, or save as PDF).
    Print(PathBuf),
}

impl ExportDialog {
    /// Opens the dialog with the library's sites, routes and collections; `preselect` picks one by label.
    pub fn show_for(&mut self, lib: &Library, preselect: Option<&Target>) {
        self.targets = crate::export::targets(lib);
        if let Some(t) = preselect
            && let Some(i) = self.targets.iter().position(|(x, _)| x == t)
        {
            self.target = i;
        }
        self.target = self.target.min(self.targets.len().saturating_sub(1));
        self.open = true;
        self.done = None;
        self.progress = None;
    }

    pub fn ui(&mut self, ctx: &egui::Context) -> Option<DialogAction> {
        if !self.open {
            return None;
        }
        let mut action = None;
        // Modal: the rest of the window waits, and Escape or a click beside it closes it.
        let shown = egui::Modal::new(egui::Id::unique("export-dialog")).show(ctx, |ui| {
            ui.set_width(520.0);
            ui.heading("导出展示材料");
            if self.targets.is_empty() {
                ui.label("资料库中还没有调研点或学习专辑。");
                if ui.button("关闭").clicked() {
                    ui.close();
                }
                return;
            }
            egui::Grid::new("export-form").num_columns(2).spacing([10.0, 8.0]).show(ui, |ui| {
                ui.label("导出内容");
                let shown = self.targets.get(self.target).map(|(_, l)| l.clone()).unwrap_or_default();
                let combo =
                    egui::ComboBox::from_id_salt("export-target").selected_text(shown).width(360.0).show_ui(ui, |ui| {
                        for (i, (_, label)) in self.targets.iter().enumerate() {
                            ui.selectable_value(&mut self.target, i, label);
                        }
                    });
                combo.response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "选择导出内容"));
                ui.end_row();
                ui.label("格式");
                ui.horizontal(|ui| {
                    for (i, f) in Format::ALL.iter().enumerate() {
                        ui.checkbox(&mut self.formats[i], f.label());
                    }
                });
                ui.end_row();
                ui.label("");
                ui.weak("另附全部数字的 CSV 表格和文件清单（manifest.json）");
                ui.end_row();
                ui.label("打包");
                ui.checkbox(&mut self.zip, "压缩为一个 .zip 文件");
                ui.end_row();
                let l = ui.label("保存到文件夹");
                ui.horizontal(|ui| {
                    ui.add(egui::TextEdit::singleline(&mut self.out_dir).desired_width(300.0)).labelled_by(l.id);
                    if ui.button("选择…").clicked() {
                        action = Some(DialogAction::PickFolder);
                    }
                });
                ui.end_row();
            });
            ui.add_space(6.0);
            let busy = self.progress.is_some();
            if ui.add_enabled(!busy, egui::Button::new("导出")).clicked()
                && let Some((target, _)) = self.targets.get(self.target)
            {
                let formats = Format::ALL.iter().zip(self.formats).filter(|(_, on)| *on).map(|(f, _)| *f).collect();
                self.done = None;
                self.progress = Some((0.0, "准备导出".into()));
                action = Some(DialogAction::Export(ExportOptions {
                    target: target.clone(),
                    formats,
                    out_dir: PathBuf::from(self.out_dir.trim()),
                    zip: self.zip,
                }));
            }
            if let Some((fraction, step)) = &self.progress {
                ui.add(egui::ProgressBar::new(*fraction).text(step.as_str()));
            }
            if let Some(report) = &self.done {
                ui.separator();
                ui.label(format!("已导出“{}”：", report.title));
                for f in &report.files {
                    ui.weak(f.display().to_string());
                }
                for w in &report.warnings {
                    ui.colored_label(egui::Color32::from_rgb(170, 110, 0), format!("提醒：{w}"));
                }
                ui.horizontal(|ui| {
                    if ui.button("打开文件夹").clicked() {
                        action = Some(DialogAction::OpenFolder(report.folder.clone()));
                    }
                    let page = report.files.iter().find(|f| f.extension().is_some_and(|x| x == "html"));
                    if let Some(page) = page
                        && ui
                            .button("打印…")
                            .on_hover_text("在浏览器中打开网页版（A4 排版），按 Ctrl+P 打印或另存为 PDF")
                            .clicked()
                    {
                        action = Some(DialogAction::Print(page.clone()));
                    }
                });
            }
            ui.separator();
            if ui.button("关闭").on_hover_text("也可按 Esc 关闭").clicked() {
                ui.close();
            }
        });
        if shown.should_close() {
            self.open = false;
        }
        action
    }
}

/// State of the bundle export dialog.
#[derive(Default)]
pub struct BundleExportDialog {
    pub open: bool,
    pub district: Option<String>,
    pub out: String,
}

impl BundleExportDialog {
    /// Returns the district and the .zip path when the user presses 导出.
    pub fn ui(&mut self, ctx: &egui::Context, lib: &Library) -> Option<(String, PathBuf)> {
        if !self.open {
            return None;
        }
        let mut result = None;
        let shown = egui::Modal::new(egui::Id::unique("bundle-export-dialog")).show(ctx, |ui| {
            ui.heading("导出交换包");
            ui.label("把一个区县的认领项目、写作材料和调研点打成一个 .zip，发给其他单位导入。");
            egui::Grid::new("bundle-export-form").num_columns(2).spacing([10.0, 8.0]).show(ui, |ui| {
                ui.label("区县");
                let shown = self.district.clone().unwrap_or_else(|| "（请选择）".into());
                let combo = egui::ComboBox::from_id_salt("bundle-district").selected_text(shown).show_ui(ui, |ui| {
                    for d in &lib.config.districts {
                        ui.selectable_value(&mut self.district, Some(d.name.clone()), &d.name);
                    }
                });
                combo.response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "选择区县"));
                ui.end_row();
                let l = ui.label("保存为");
                if self.out.is_empty()
                    && let Some(d) = &self.district
                {
                    self.out = default_out_dir().join(format!("交换包-{d}.zip")).display().to_string();
                }
                ui.add(egui::TextEdit::singleline(&mut self.out).desired_width(360.0)).labelled_by(l.id);
                ui.end_row();
            });
            let ready = self.district.is_some() && !self.out.trim().is_empty();
            ui.horizontal(|ui| {
                if ui.add_enabled(ready, egui::Button::new("导出")).clicked()
                    && let Some(d) = &self.district
                {
                    result = Some((d.clone(), PathBuf::from(self.out.trim())));
                }
                if ui.button("取消").clicked() {
                    ui.close();
                }
            });
        });
        if shown.should_close() || result.is_some() {
            self.open = false;
        }
        result
    }
}
