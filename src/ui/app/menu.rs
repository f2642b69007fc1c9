//! The menu bar (文件, 编辑, 视图, 帮助) and the status bar (progress, the library, the last message).

use super::*;

impl CasebookApp {
    pub(super) fn menu_bar(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("文件", |ui| {
                if ui.button("打开资料库…").clicked() {
                    ui.close();
                    let picked = if self.native_dialogs {
                        rfd::FileDialog::new().set_title("选择资料库文件夹").pick_folder()
                    } else {
                        None
                    };
                    match picked {
                        Some(path) => commands.push(Command::OpenLibrary(path)),
                        None => self.path_prompt = Some(self.root.display().to_string()),
                    }
                }
                if ui.button("输入资料库路径…").clicked() {
                    ui.close();
                    self.path_prompt = Some(self.root.display().to_string());
                }
                ui.menu_button("最近的资料库", |ui| {
                    if self.state.recent_libraries.is_empty() {
                        ui.label("（暂无）");
                    }
                    for path in self.state.recent_libraries.clone() {
                        if ui.button(path.display().to_string()).clicked() {
                            ui.close();
                            commands.push(Command::OpenLibrary(path));
                        }
                    }
                });
                ui.menu_button("最近打开的记录", |ui| {
                    let recent = self.state.recent_in(&self.root);
                    let titled: Vec<(String, String)> = match &self.library {
                        Some(lib) => recent
                            .into_iter()
                            .filter_map(|id| lib.get(&id).map(|r| (id.clone(), r.title().to_string())))
                            .collect(),
                        None => Vec::new(),
                    };
                    if titled.is_empty() {
                        ui.label("（暂无）");
                    }
                    for (id, title) in titled {
                        if ui.button(title).on_hover_text(&id).clicked() {
                            ui.close();
                            commands.push(Command::OpenRecord(id));
                        }
                    }
                });
                ui.separator();
                ui.menu_button("新建", |ui| {
                    for kind in [Kind::Writeup, Kind::Project, Kind::Site, Kind::Collection] {
                        if ui.button(kind.label()).clicked() {
                            ui.close();
                            commands.push(Command::NewRecord(kind));
                        }
                    }
                });
                if ui.button("导入文件（Word、WPS、PDF、表格、扫描件）…").clicked() {
                    ui.close();
                    let picked = if self.native_dialogs {
                        rfd::FileDialog::new()
                            .set_title("选择要导入的文件")
                            .add_filter("可导入的文件", crate::import::IMPORTABLE_EXTENSIONS)
                            .add_filter("全部文件", &["*"])
                            .pick_files()
                    } else {
                        None
                    };
                    match picked {
                        Some(paths) => commands.push(Command::ImportFiles(paths)),
                        None => self.open_chooser(Purpose::Import),
                    }
                }
                ui.separator();
                if ui.button("导入交换包…").clicked() {
                    ui.close();
                    let picked = if self.native_dialogs {
                        rfd::FileDialog::new().set_title("选择交换包").add_filter("交换包", &["zip"]).pick_file()
                    } else {
                        None
                    };
                    match picked {
                        Some(path) => commands.push(Command::ReadBundle(path)),
                        None => self.open_chooser(Purpose::Bundle),
                    }
                }
                if ui.button("导出交换包…").clicked() {
                    ui.close();
                    self.bundle_export.open = true;
                }
                if ui.button("导出展示材料…").clicked() {
                    ui.close();
                    if let Some(lib) = &self.library {
                        self.export_dialog.show_for(lib, None);
                    }
                }
                if ui
                    .button("打印展示材料或学习专辑…")
                    .on_hover_text(
                        "先导出（含网页），再点“打印…”在浏览器中打印或另存为 PDF；单篇材料和项目页有自己的“打印…”",
                    )
                    .clicked()
                {
                    ui.close();
                    if let Some(lib) = &self.library {
                        self.export_dialog.show_for(lib, None);
                        self.export_dialog.formats[0] = true;
                    }
                }
                ui.separator();
                if ui.button("退出").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("帮助", |ui| {
                for page in [HelpPage::Guide, HelpPage::Shortcuts, HelpPage::About] {
                    if ui.button(page.title()).clicked() {
                        ui.close();
                        commands.push(Command::ShowHelp(page));
                    }
                }
            });
            ui.separator();
            let back = ui
                .add_enabled(self.navigation.can_go_back(), egui::Button::new("← 返回"))
                .on_hover_text("返回上一个打开的记录或页面（Alt+←）");
            if back.clicked() {
                commands.push(Command::GoBack);
            }
            let forward = ui
                .add_enabled(self.navigation.can_go_forward(), egui::Button::new("前进 →"))
                .on_hover_text("前进（Alt+→）");
            if forward.clicked() {
                commands.push(Command::GoForward);
            }
            ui.separator();
            let mut tabs = vec![
                (Tab::Search, "检索"),
                (Tab::Overview, "总览 · 迎验收"),
                (Tab::Archive, "档案"),
                (Tab::Cross, "横向对比"),
            ];
            if self.editor.session.is_some() {
                tabs.push((Tab::Editor, if self.editor.is_dirty() { "编辑 ●" } else { "编辑" }));
            }
            if self.bundle.plan.is_some() {
                tabs.push((Tab::Bundle, "交换包"));
            }
            for (tab, label) in tabs {
                if ui.selectable_label(self.tab == tab, label).clicked() {
                    commands.push(Command::Show(tab));
                }
            }
            if let Tab::Project(id) = &self.tab {
                let name = self.library.as_ref().and_then(|l| l.get(id)).map(|r| r.title().to_string());
                let _ = ui.selectable_label(true, format!("项目：{}", name.unwrap_or_else(|| id.clone())));
            }
        });
        commands
    }

    pub(super) fn status_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.label(format!("资料库：{}", self.root.display()));
            if let Some(lib) = &self.library {
                ui.separator();
                ui.label(format!("{} 条记录", lib.records.len()));
            }
            if let Some(p) = self.progress {
                ui.separator();
                let fraction = if p.total > 0 { p.done as f32 / p.total as f32 } else { 0.0 };
                ui.add(egui::ProgressBar::new(fraction).desired_width(220.0).text(format!(
                    "{} {}/{}",
                    p.phase.label(),
                    p.done,
                    p.total
                )));
            } else if !self.index_ready {
                ui.separator();
                ui.spinner();
            }
            if let Some(step) = &self.import_progress {
                ui.separator();
                ui.spinner();
                ui.label(format!("导入：{step}"));
            }
            if let Some((c, running)) = self.semantic.filter(|(c, running)| *running || c.missing() > 0) {
                ui.separator();
                let fraction = if c.total > 0 { c.done as f32 / c.total as f32 } else { 0.0 };
                let label = if running { "语义向量生成中" } else { "语义向量未完成" };
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(200.0)
                        .text(format!("{label} {}/{}", c.done, c.total)),
                )
                .on_hover_text(format!(
                    "还有 {} 条记录没有生成语义向量：它们暂时只按词语匹配，生成后按意思也能找到。",
                    c.missing()
                ));
            }
            if let Some((message, is_error)) = &self.status {
                ui.separator();
                let color = if *is_error { ui.visuals().error_fg_color } else { ui.visuals().weak_text_color() };
                ui.colored_label(color, message);
            }
        });
    }
}
