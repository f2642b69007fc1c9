//! 交换包审核: what a bundle from another office would add or change, before anything is written. New records
//! are ticked by default; a changed record is only replaced when ticked by hand after reading its diff.

use std::collections::BTreeSet;

use egui::{Color32, RichText};

use crate::bundle::{ApplyReport, Change, DiffTag, ImportPlan, PlanEntry};

/// The review screen's state: the plan read by the worker and the user's choices.
#[derive(Default)]
pub struct BundleView {
    /// The bundle's file and what importing it would do.
    pub plan: Option<(std::path::PathBuf, ImportPlan)>,
    /// Entries (by `rel`) the user accepts.
    pub accepted: BTreeSet<String>,
    /// The entry whose content or diff is shown.
    pub shown: Option<String>,
    pub applying: bool,
    pub report: Option<ApplyReport>,
}

/// What the review asks the shell to do.
pub enum BundleAction {
    Apply,
    Close,
}

impl BundleView {
    /// Shows a freshly read plan: new records accepted, changed ones not (nothing is overwritten silently).
    pub fn load(&mut self, path: std::path::PathBuf, plan: ImportPlan) {
        self.accepted = plan.new_entries().map(|e| e.rel.clone()).collect();
        self.shown = plan.changed_entries().chain(plan.new_entries()).next().map(|e| e.rel.clone());
        self.plan = Some((path, plan));
        self.applying = false;
        self.report = None;
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<BundleAction> {
        let mut action = None;
        let Some((path, plan)) = &self.plan else {
            ui.heading("导入交换包");
            ui.label("从“文件 → 导入交换包…”选择其他单位送来的 .zip 交换包。导入前会先列出新增和改动，由您逐条确认。");
            return None;
        };
        egui::Panel::top("bundle-bar").show(ui, |ui| {
            ui.heading(format!("导入交换包：{}", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()));
            let m = &plan.manifest;
            ui.weak(format!("来自 {}（{}），区县：{}，打包时间：{}", m.library, path.display(), m.district, m.created));
            ui.label(format!(
                "新增 {} 条 · 有改动 {} 条 · 相同 {} 条。新增默认导入；有改动的记录请查看差异后逐条勾选，未勾选的不会被覆盖。",
                plan.new_entries().count(),
                plan.changed_entries().count(),
                plan.same_entries().count()
            ));
            for w in &plan.warnings {
                ui.colored_label(Color32::from_rgb(170, 110, 0), format!("提醒：{} {}", w.path, w.message));
            }
            ui.horizontal(|ui| {
                let n = self.accepted.len();
                let apply = ui.add_enabled(!self.applying && n > 0, egui::Button::new(format!("导入所选（{n} 条）")));
                if apply.clicked() {
                    action = Some(BundleAction::Apply);
                }
                if ui.button("接受全部改动").clicked() {
                    self.accepted.extend(plan.changed_entries().map(|e| e.rel.clone()));
                }
                if ui.button("关闭").clicked() {
                    action = Some(BundleAction::Close);
                }
                if self.applying {
                    ui.spinner();
                    ui.label("正在写入……");
                }
            });
            if let Some(r) = &self.report {
                report_ui(ui, r);
            }
        });
        egui::Panel::left("bundle-entries").default_size(420.0).show(ui, |ui| {
            egui::ScrollArea::vertical().id_salt("bundle-entries-scroll").show(ui, |ui| {
                for (title, entries) in [
                    ("有改动", plan.changed_entries().collect::<Vec<_>>()),
                    ("新增", plan.new_entries().collect()),
                    ("相同（无需导入）", plan.same_entries().collect()),
                ] {
                    if entries.is_empty() {
                        continue;
                    }
                    ui.label(RichText::new(format!("{title}（{}）", entries.len())).strong());
                    for e in entries {
                        entry_row(ui, e, &mut self.accepted, &mut self.shown);
                    }
                    ui.add_space(6.0);
                }
            });
        });
        egui::CentralPanel::default().show(ui, |ui| {
            let shown = self.shown.as_deref().and_then(|rel| plan.entries.iter().find(|e| e.rel == rel));
            match shown {
                None => {
                    ui.weak("点击左侧条目查看内容或差异。");
                }
                Some(e) => entry_detail(ui, e),
            }
        });
        action
    }
}

fn entry_row(ui: &mut egui::Ui, e: &PlanEntry, accepted: &mut BTreeSet<String>, shown: &mut Option<String>) {
    ui.horizontal(|ui| {
        if !matches!(e.change, Change::Same) {
            let mut on = accepted.contains(&e.rel);
            let name = format!("导入 {}", e.label());
            let r = ui.checkbox(&mut on, "");
            r.widget_info(|| egui::WidgetInfo::selected(egui::Role::CheckBox, true, on, &name));
            if r.changed() {
                if on {
                    accepted.insert(e.rel.clone());
                } else {
                    accepted.remove(&e.rel);
                }
            }
        }
        let text = format!("{} {}", e.change.label(), if e.title.is_empty() { &e.rel } else { &e.title });
        if ui.selectable_label(shown.as_deref() == Some(e.rel.as_str()), text).on_hover_text(&e.rel).clicked() {
            *shown = Some(e.rel.clone());
        }
    });
}

fn entry_detail(ui: &mut egui::Ui, e: &PlanEntry) {
    ui.label(RichText::new(format!("{}　{}", e.change.label(), e.rel)).strong());
    if e.bundle_path != e.rel {
        ui.weak(format!("交换包中的路径：{}（同一编号的记录在本库位于 {}）", e.bundle_path, e.rel));
    }
    egui::ScrollArea::vertical().id_salt("bundle-detail").show(ui, |ui| match &e.change {
        Change::Changed { diff, current, incoming } => {
            if diff.is_empty() {
                ui.label(format!("本库：{current}"));
                ui.label(format!("交换包：{incoming}"));
                return;
            }
            ui.weak("红色为本库现有内容（将被替换），绿色为交换包中的内容。");
            let mut previous = None;
            for line in diff {
                if let Some(p) = previous
                    && line.starts_hunk_after(p)
                {
                    ui.weak("……");
                }
                let (prefix, color, bg) = match line.tag {
                    DiffTag::Delete => ("−", Color32::from_rgb(150, 20, 20), Color32::from_rgb(255, 235, 235)),
                    DiffTag::Insert => ("+", Color32::from_rgb(20, 110, 40), Color32::from_rgb(230, 250, 235)),
                    DiffTag::Equal => (" ", ui.visuals().weak_text_color(), Color32::TRANSPARENT),
                };
                ui.label(
                    RichText::new(format!("{prefix} {}", line.text)).monospace().color(color).background_color(bg),
                );
                previous = Some(line);
            }
        }
        Change::New => {
            let text = String::from_utf8_lossy(e.incoming_bytes());
            if e.rel.ends_with(".md") {
                ui.label(RichText::new(text.as_ref()).monospace());
            } else {
                ui.weak(format!("附件，{} 字节", e.incoming_bytes().len()));
            }
        }
        Change::Same => {
            ui.weak("与本库现有内容相同。");
        }
    });
}

fn report_ui(ui: &mut egui::Ui, r: &ApplyReport) {
    let mut parts = vec![format!("已新增 {} 条", r.added.len()), format!("已更新 {} 条", r.updated.len())];
    if !r.rejected.is_empty() {
        parts.push(format!("未接受的改动 {} 条（保持原样）", r.rejected.len()));
    }
    ui.colored_label(Color32::from_rgb(20, 110, 40), parts.join("，"));
    for c in &r.conflicts {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("未覆盖 {}：{}（请重新读取交换包后再试）", c.rel, c.message),
        );
    }
}
