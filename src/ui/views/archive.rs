//! 档案: for one district, each claimed project's materials by type (rows) and year (columns) against the archive
//! checklist, with what is missing; every count opens its materials; the catalogue is saved as Excel or Word.

use egui::RichText;

use crate::library::Library;
use crate::library::archive::{Archive, ProjectArchive, archive};
use crate::ui::app::{Command, Ctx};
use crate::ui::widgets::badge;

/// State of the archive view: the district shown, the archive (recomputed when the library or the district
/// changes, never per frame) and the open list of materials.
#[derive(Default)]
pub struct ArchiveView {
    pub district: Option<String>,
    /// The districts that have records, in gazetteer order.
    districts: Vec<String>,
    archive: Archive,
    computed_for: Option<(usize, Option<String>)>,
    /// The materials listed under the table.
    open: Option<Opened>,
}

/// A clicked count: a project's materials of a type, of one year column (`Some(None)`: without a year) or of all
/// years (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Opened {
    project: String,
    doc_type: String,
    year: Option<Option<i32>>,
}

impl ArchiveView {
    fn refresh(&mut self, lib: &std::sync::Arc<Library>) {
        let library = std::sync::Arc::as_ptr(lib) as usize;
        if self.computed_for.as_ref().is_none_or(|(l, _)| *l != library) {
            self.districts = crate::library::overview::overview(lib).into_iter().map(|r| r.district).collect();
            if self.district.as_ref().is_none_or(|d| !self.districts.contains(d)) {
                self.district = self.districts.first().cloned();
            }
        }
        let key = (library, self.district.clone());
        if self.computed_for.as_ref() != Some(&key) {
            self.archive = archive(lib, self.district.as_deref());
            self.computed_for = Some(key);
            self.open = None;
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &Ctx) -> Vec<Command> {
        let mut commands = Vec::new();
        let Some(lib) = ctx.library_or_spinner(ui) else { return commands };
        self.refresh(lib);
        ui.heading("档案");
        let checklist: Vec<String> = lib.config.archive_checklist.iter().map(|(t, n)| format!("{t} {n} 件")).collect();
        ui.label(format!(
            "按年度、项目、文种归档。每个认领项目的档案清单：{}（可在 casebook.yaml 的 archive_checklist 中修改）。点击数字查看材料。",
            checklist.join("、")
        ));
        ui.horizontal(|ui| {
            ui.label("区县");
            let shown = self.district.clone().unwrap_or_default();
            egui::ComboBox::from_id_salt("archive-district").selected_text(&shown).show_ui(ui, |ui| {
                for d in &self.districts {
                    if ui.selectable_label(shown == *d, d).clicked() {
                        self.district = Some(d.clone());
                    }
                }
            });
            let incomplete = self.archive.incomplete().count();
            ui.label(format!("{} 个项目，{incomplete} 个档案不全", self.archive.projects.len()));
            if let Some(d) = self.district.clone() {
                for (label, ext) in [("导出档案目录（Excel）", "xlsx"), ("导出档案目录（Word）", "docx")]
                {
                    if ui.button(label).clicked() {
                        let format = if ext == "xlsx" {
                            crate::export::CatalogFormat::Xlsx
                        } else {
                            crate::export::CatalogFormat::Docx
                        };
                        match crate::export::catalog::render(lib, Some(&d), format, &crate::export::Stamp::now()) {
                            Ok(bytes) => commands.push(Command::SaveFile {
                                name: format!("{d}档案目录.{ext}"),
                                bytes,
                                what: "档案目录".into(),
                            }),
                            Err(e) => commands.push(Command::Notify(format!("无法生成档案目录：{e}"))),
                        }
                    }
                }
            }
        });
        ui.add_space(6.0);
        let mut clicked: Option<Opened> = None;
        egui::ScrollArea::vertical().id_salt("archive").max_height(ui.available_height() * 0.65).show(ui, |ui| {
            for p in &self.archive.projects {
                project_table(ui, p, &mut clicked, &mut commands);
                ui.add_space(10.0);
            }
            if !self.archive.unfiled.is_empty() {
                ui.label(RichText::new(format!("未归入项目的材料（{} 件）", self.archive.unfiled.len())).strong());
                for i in &self.archive.unfiled {
                    ui.horizontal(|ui| {
                        if ui.link(&i.title).clicked() {
                            commands.push(Command::OpenRecord(i.id.clone()));
                        }
                        ui.weak(format!("{} · {}", i.doc_type, i.date));
                    });
                }
            }
        });
        if clicked.is_some() {
            self.open = clicked;
        }
        if let Some(Opened { project, doc_type, year }) = self.open.clone() {
            ui.separator();
            let year_text = match year {
                None => "全部年度".to_string(),
                Some(None) => "无年份".to_string(),
                Some(Some(y)) => format!("{y} 年"),
            };
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("{project} · {doc_type} · {year_text}")).strong());
                if ui.small_button("关闭").clicked() {
                    self.open = None;
                }
            });
            let items = self
                .archive
                .projects
                .iter()
                .filter(|p| p.id == project)
                .flat_map(|p| &p.lines)
                .filter(|l| l.doc_type == doc_type)
                .flat_map(|l| &l.items)
                .filter(|i| year.is_none_or(|y| i.year == y));
            for i in items {
                ui.horizontal(|ui| {
                    if ui.link(&i.title).clicked() {
                        commands.push(Command::OpenRecord(i.id.clone()));
                    }
                    ui.weak(format!("{} · {}{}", i.date, i.id, if i.has_original { " · 有原件" } else { "" }));
                });
            }
        }
        commands
    }
}

/// One project: a row per type, a column per year, the total against the checklist, and what is missing.
fn project_table(ui: &mut egui::Ui, p: &ProjectArchive, clicked: &mut Option<Opened>, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        if ui.link(RichText::new(format!("{} · {}", p.id, p.name)).strong()).clicked() {
            commands.push(Command::OpenProject(p.id.clone()));
        }
        let missing: usize = p.gaps().map(|l| l.missing()).sum();
        if missing == 0 {
            badge(ui, "档案齐全", true);
        } else {
            badge(ui, &format!("缺 {missing} 件"), false);
        }
    });
    // A column for materials without a year only when there are some.
    let undated = p.lines.iter().flat_map(|l| &l.items).any(|i| i.year.is_none());
    let years: Vec<Option<i32>> = p.years.iter().copied().map(Some).chain(undated.then_some(None)).collect();
    egui::Grid::new(("archive-grid", &p.id)).striped(true).spacing([14.0, 4.0]).show(ui, |ui| {
        ui.label(RichText::new("文种").strong());
        for y in &years {
            ui.label(RichText::new(y.map(|y| y.to_string()).unwrap_or_else(|| "无年份".into())).strong());
        }
        ui.label(RichText::new("合计 / 要求").strong());
        ui.label(RichText::new("缺").strong());
        ui.end_row();
        for line in &p.lines {
            ui.label(&line.doc_type);
            for y in &years {
                let n = p.count(&line.doc_type, *y);
                if n == 0 {
                    ui.weak("·");
                } else {
                    let r = ui.link(n.to_string());
                    let name =
                        format!("{} {} {}：{n}", p.id, line.doc_type, y.map(|y| y.to_string()).unwrap_or_default());
                    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Link, true, &name));
                    if r.clicked() {
                        *clicked =
                            Some(Opened { project: p.id.clone(), doc_type: line.doc_type.clone(), year: Some(*y) });
                    }
                }
            }
            let total = if line.need > 0 {
                format!("{} / {}", line.items.len(), line.need)
            } else {
                line.items.len().to_string()
            };
            if ui.link(total).clicked() {
                *clicked = Some(Opened { project: p.id.clone(), doc_type: line.doc_type.clone(), year: None });
            }
            match line.missing() {
                0 => ui.weak("—"),
                n => ui.colored_label(egui::Color32::from_rgb(190, 60, 40), format!("缺 {n}")),
            };
            ui.end_row();
        }
    });
}
