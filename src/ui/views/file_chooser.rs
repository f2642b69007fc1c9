//! 选择文件: the app's own file chooser. The native dialog is preferred; this one opens where there is none (no
//! XDG portal, as on many domestic-Linux and locked-down office machines) or when it was cancelled, so that
//! importing never depends on it. Folders are listed by the worker (the UI thread does no file IO); a path can
//! be typed or pasted; files are filtered by what the purpose accepts, and several can be picked for import.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use egui::RichText;

/// What the chosen files are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Files to import as write-ups (several at once).
    Import,
    /// An exchange bundle (.zip).
    Bundle,
    /// A 报表 for a project's indicators.
    IndicatorTable,
    /// A picture for 插入图片.
    Image,
}

/// The pictures 插入图片 takes.
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "bmp"];

impl Purpose {
    fn title(self) -> &'static str {
        match self {
            Purpose::Import => "选择要导入的文件",
            Purpose::Bundle => "选择交换包",
            Purpose::IndicatorTable => "选择报表",
            Purpose::Image => "选择要插入的图片",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            Purpose::Import => crate::import::IMPORTABLE_EXTENSIONS,
            Purpose::Bundle => &["zip"],
            Purpose::IndicatorTable => &["xlsx", "xlsm", "xlsb", "xls", "et", "ods"],
            Purpose::Image => IMAGE_EXTENSIONS,
        }
    }

    fn multiple(self) -> bool {
        self == Purpose::Import
    }

    fn accepts(self, path: &Path) -> bool {
        let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        self.extensions().contains(&ext.as_str())
    }
}

/// One entry of a folder, as the worker listed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub path: PathBuf,
    pub is_dir: bool,
    pub bytes: u64,
}

/// A folder's entries, folders first, then by name; hidden entries left out; at most `MAX_ENTRIES`.
pub fn list_folder(dir: &Path) -> Result<Vec<Entry>, String> {
    const MAX_ENTRIES: usize = 5000;
    let read = std::fs::read_dir(dir)
        .map_err(|e| format!("无法打开文件夹 {}：{}", dir.display(), crate::os_error::describe(&e)))?;
    let mut entries: Vec<Entry> = read
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .take(MAX_ENTRIES)
        .map(|e| {
            let meta = std::fs::metadata(e.path()).ok();
            Entry {
                name: e.file_name().to_string_lossy().into_owned(),
                path: e.path(),
                is_dir: meta.as_ref().is_some_and(std::fs::Metadata::is_dir),
                bytes: meta.map_or(0, |m| m.len()),
            }
        })
        .collect();
    entries.sort_by(|a, b| b.is_dir.cmp(&a.is_dir).then_with(|| a.name.cmp(&b.name)));
    Ok(entries)
}

/// What the chooser asks the app to do.
pub enum ChooserAction {
    /// List this folder (or the folder of this file, selecting it).
    List(PathBuf),
    /// The files chosen.
    Chosen(Purpose, Vec<PathBuf>),
}

/// State of the chooser; open while `purpose` is set.
#[derive(Default)]
pub struct FileChooser {
    pub purpose: Option<Purpose>,
    pub dir: PathBuf,
    /// The location field.
    pub typed: String,
    pub listing: Option<Result<Vec<Entry>, String>>,
    pub selected: BTreeSet<PathBuf>,
    /// Folders offered as starting points (home, the library's folder …).
    pub places: Vec<(String, PathBuf)>,
}

impl FileChooser {
    /// Opens the chooser in `dir`; returns the folder to list.
    pub fn open(&mut self, purpose: Purpose, dir: PathBuf, places: Vec<(String, PathBuf)>) -> PathBuf {
        *self = FileChooser {
            purpose: Some(purpose),
            typed: dir.display().to_string(),
            dir: dir.clone(),
            places,
            ..FileChooser::default()
        };
        dir
    }

    /// A listing from the worker. When a file was typed, its folder is listed and the file selected.
    pub fn listed(&mut self, dir: PathBuf, select: Option<PathBuf>, result: Result<Vec<Entry>, String>) {
        self.typed = dir.display().to_string();
        self.dir = dir;
        self.selected.clear();
        self.selected.extend(select);
        self.listing = Some(result);
    }

    pub fn ui(&mut self, ctx: &egui::Context) -> Option<ChooserAction> {
        let purpose = self.purpose?;
        let mut action = None;
        let shown = egui::Modal::new(egui::Id::unique("file-chooser")).show(ctx, |ui| {
            ui.set_width(640.0);
            ui.heading(purpose.title());
            ui.horizontal(|ui| {
                if ui.button("上一级").clicked()
                    && let Some(parent) = self.dir.parent()
                {
                    action = Some(ChooserAction::List(parent.to_path_buf()));
                }
                let label = ui.label("位置");
                let edit =
                    ui.add(egui::TextEdit::singleline(&mut self.typed).desired_width(420.0)).labelled_by(label.id);
                let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button("转到").clicked() || enter {
                    action = Some(ChooserAction::List(PathBuf::from(self.typed.trim())));
                }
            });
            ui.horizontal_wrapped(|ui| {
                for (name, path) in &self.places {
                    if ui.small_button(name).on_hover_text(path.display().to_string()).clicked() {
                        action = Some(ChooserAction::List(path.clone()));
                    }
                }
            });
            ui.separator();
            let mut chosen_now = None;
            egui::ScrollArea::vertical().max_height(320.0).auto_shrink([false, true]).show(ui, |ui| {
                match &self.listing {
                    None => {
                        ui.spinner();
                    }
                    Some(Err(message)) => {
                        ui.colored_label(ui.visuals().error_fg_color, message);
                    }
                    Some(Ok(entries)) => {
                        let shown: Vec<&Entry> =
                            entries.iter().filter(|e| e.is_dir || purpose.accepts(&e.path)).collect();
                        if shown.is_empty() {
                            ui.weak("这个文件夹中没有可选的文件。");
                        }
                        for entry in shown {
                            if entry.is_dir {
                                let row = ui.selectable_label(false, format!("［文件夹］{}", entry.name));
                                if row.clicked() {
                                    action = Some(ChooserAction::List(entry.path.clone()));
                                }
                            } else {
                                let on = self.selected.contains(&entry.path);
                                let row =
                                    ui.selectable_label(on, format!("{}（{}）", entry.name, size_text(entry.bytes)));
                                if row.double_clicked() {
                                    chosen_now = Some(vec![entry.path.clone()]);
                                } else if row.clicked() {
                                    if !purpose.multiple() {
                                        self.selected.clear();
                                    }
                                    if on {
                                        self.selected.remove(&entry.path);
                                    } else {
                                        self.selected.insert(entry.path.clone());
                                    }
                                }
                            }
                        }
                    }
                }
            });
            ui.separator();
            let extensions: Vec<String> = purpose.extensions().iter().map(|e| format!(".{e}")).collect();
            ui.weak(format!("只列出文件夹和 {} 文件", extensions.join(" ")));
            ui.horizontal(|ui| {
                let n = self.selected.len();
                let verb = if purpose == Purpose::Import { "导入" } else { "选择" };
                let label = if n > 1 { format!("{verb}（{n} 个文件）") } else { verb.to_string() };
                if ui.add_enabled(n > 0, egui::Button::new(RichText::new(label).strong())).clicked() {
                    chosen_now = Some(self.selected.iter().cloned().collect());
                }
                if ui.button("取消").clicked() {
                    ui.close();
                }
            });
            if let Some(paths) = chosen_now {
                action = Some(ChooserAction::Chosen(purpose, paths));
            }
        });
        if shown.should_close() || matches!(action, Some(ChooserAction::Chosen(..))) {
            self.purpose = None;
        }
        action
    }
}

fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / 1048576.0),
        b if b >= 1 << 10 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{b} 字节"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_first_hidden_left_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("子文件夹")).unwrap();
        std::fs::write(dir.path().join("材料.docx"), b"x").unwrap();
        std::fs::write(dir.path().join(".hidden"), b"x").unwrap();
        let entries = list_folder(dir.path()).unwrap();
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["子文件夹", "材料.docx"]);
        assert!(Purpose::Import.accepts(Path::new("扫描件.JPG")) && !Purpose::Bundle.accepts(Path::new("a.docx")));
        assert!(list_folder(&dir.path().join("没有")).unwrap_err().contains("无法打开文件夹"));
    }
}
