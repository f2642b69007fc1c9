//! The shell's windows over the views: the app's file chooser and typed-path fallback, where to save a file,
//! drafts kept from a crash, the export dialogs and the question before closing unsaved edits.

use super::*;

impl CasebookApp {
    pub(super) fn file_chooser_window(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        match self.file_chooser.ui(ui.ctx()) {
            Some(ChooserAction::List(dir)) => self.worker.send(Job::ListFolder(dir)),
            Some(ChooserAction::Chosen(Purpose::Import, paths)) => commands.push(Command::ImportFiles(paths)),
            Some(ChooserAction::Chosen(Purpose::Bundle, paths)) => {
                commands.extend(paths.into_iter().next().map(Command::ReadBundle));
            }
            Some(ChooserAction::Chosen(Purpose::Image, paths)) => {
                if let Some(path) = paths.into_iter().next() {
                    self.worker.send(Job::ReadImage(path));
                }
            }
            Some(ChooserAction::Chosen(Purpose::IndicatorTable, paths)) => {
                if let Some(path) = paths.into_iter().next() {
                    self.read_indicator_table(path);
                }
            }
            None => {}
        }
    }

    pub(super) fn path_prompt_window(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let Some(text) = self.path_prompt.as_mut() else { return };
        // Modal: the rest of the window waits, and Escape or a click beside it closes it.
        let shown = egui::Modal::new(egui::Id::unique("path-prompt")).show(ui.ctx(), |ui| {
            ui.heading("打开资料库");
            ui.label("未打开系统的文件夹对话框（或已取消）。请直接输入资料库文件夹的路径：");
            let label = ui.label("文件夹路径");
            let edit = ui.add(egui::TextEdit::singleline(text).desired_width(420.0)).labelled_by(label.id);
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if ui.button("打开").clicked() || enter {
                commands.push(Command::OpenLibrary(PathBuf::from(text.trim())));
            }
            if ui.button("取消").clicked() {
                ui.close();
            }
        });
        if shown.should_close() {
            self.path_prompt = None;
        }
    }

    pub(super) fn save_prompt_window(&mut self, ui: &mut egui::Ui) {
        let Some(prompt) = self.save_prompt.as_mut() else { return };
        let mut save = false;
        let shown = egui::Modal::new(egui::Id::unique("save-prompt")).show(ui.ctx(), |ui| {
            ui.heading(format!("保存{}", prompt.what));
            ui.label("未打开系统的保存对话框（或已取消）。请输入要保存到的文件路径：");
            let label = ui.label("保存路径");
            let edit = ui.add(egui::TextEdit::singleline(&mut prompt.path).desired_width(420.0)).labelled_by(label.id);
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            ui.horizontal(|ui| {
                save = ui.button("保存").clicked() || enter;
                if ui.button("取消").clicked() {
                    ui.close();
                }
            });
        });
        if save && let Some(p) = self.save_prompt.take() {
            self.worker.send(Job::WriteFile { path: PathBuf::from(p.path.trim()), bytes: p.bytes, what: p.what });
        } else if shown.should_close() {
            self.save_prompt = None;
        }
    }

    pub(super) fn drafts_window(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        if self.offered_drafts.is_empty() {
            return;
        }
        let mut restore = None;
        let mut discard = None;
        egui::Window::new("恢复未保存的编辑").collapsible(false).show(ui.ctx(), |ui| {
            ui.label("上次退出前有尚未保存的编辑（已自动保留为草稿）：");
            for (i, d) in self.offered_drafts.iter().enumerate() {
                ui.horizontal(|ui| {
                    let target = d.target_rel.clone().unwrap_or_else(|| "新记录".into());
                    ui.label(format!("{target}（{}）", crate::store::history::format_beijing(d.saved_ms)));
                    if ui.button("恢复").clicked() {
                        restore = Some(i);
                    }
                    if ui.button("丢弃").clicked() {
                        discard = Some(i);
                    }
                });
            }
        });
        if let Some(i) = restore {
            let draft = self.offered_drafts.remove(i);
            match Session::from_draft(&draft) {
                Ok(session) => self.start_editing(session),
                Err(message) => self.status = Some((message, true)),
            }
        }
        if let Some(i) = discard {
            let draft = self.offered_drafts.remove(i);
            self.worker.send(Job::DiscardDraft { key: draft.key });
        }
        let _ = commands;
    }

    pub(super) fn export_windows(&mut self, ui: &mut egui::Ui) {
        match self.indicator_dialog.ui(ui.ctx()) {
            Some(IndicatorAction::Pick) => {
                let picked = if self.native_dialogs {
                    rfd::FileDialog::new()
                        .set_title("选择报表")
                        .add_filter("表格", &["xlsx", "xlsm", "xlsb", "xls", "et", "ods"])
                        .pick_file()
                } else {
                    None
                };
                match picked {
                    Some(path) => self.read_indicator_table(path),
                    None => self.open_chooser(Purpose::IndicatorTable),
                }
            }
            Some(IndicatorAction::Read { path, choices }) => self.worker.send(Job::ReadIndicators { path, choices }),
            Some(IndicatorAction::Write { project, table }) => match &self.library {
                Some(lib) => self.worker.send(Job::WriteIndicators { library: lib.clone(), project, table }),
                None => self.indicator_dialog.busy = false,
            },
            None => {}
        }
        match self.export_dialog.ui(ui.ctx()) {
            Some(DialogAction::Export(options)) => match &self.library {
                Some(lib) => self.worker.send(Job::Export { library: lib.clone(), options }),
                None => self.export_dialog.progress = None,
            },
            Some(DialogAction::PickFolder) => {
                let picked = if self.native_dialogs {
                    rfd::FileDialog::new().set_title("选择导出到的文件夹").pick_folder()
                } else {
                    None
                };
                if let Some(dir) = picked {
                    self.export_dialog.out_dir = dir.display().to_string();
                }
            }
            Some(DialogAction::OpenFolder(dir)) => {
                ui.ctx().open_url(egui::OpenUrl::new_tab(format!("file://{}", dir.display())));
            }
            Some(DialogAction::Print(page)) => {
                self.status = Some(("已在浏览器中打开打印页：按 Ctrl+P 打印，或另存为 PDF".into(), false));
                self.worker.send(Job::OpenFile(page));
            }
            None => {}
        }
        if let Some(lib) = self.library.clone()
            && let Some((district, out)) = self.bundle_export.ui(ui.ctx(), &lib)
        {
            self.status = Some((format!("正在导出 {district} 的交换包……"), false));
            self.worker.send(Job::ExportBundle { library: lib, district, out });
        }
    }

    pub(super) fn confirm_close_window(&mut self, ui: &mut egui::Ui) {
        if !self.confirm_close {
            return;
        }
        let shown = egui::Modal::new(egui::Id::unique("confirm-close")).show(ui.ctx(), |ui| {
            ui.heading("关闭编辑");
            ui.label("有未保存的修改。要放弃这些修改吗？");
            ui.horizontal(|ui| {
                if ui.button("放弃修改并关闭").clicked() {
                    if let Some(s) = self.editor.session.take() {
                        self.worker.send(Job::DiscardDraft { key: s.key });
                    }
                    self.confirm_close = false;
                    self.tab = Tab::Search;
                }
                if ui.button("继续编辑").clicked() {
                    self.confirm_close = false;
                }
            });
        });
        // Escape or a click beside it: keep editing (never discards).
        if shown.should_close() {
            self.confirm_close = false;
        }
        if self.editor.session.is_none() {
            self.next_import();
        }
    }
}
