//! Carrying out what the views ask (`Command`): opening records, projects and libraries, editing and saving,
//! imports, exports and work for the worker. Views never act themselves; this is the one place that does.

use super::*;

impl CasebookApp {
    pub(super) fn open_library(&mut self, root: PathBuf) {
        self.root = root.clone();
        self.library = None;
        self.index_ready = false;
        self.progress = None;
        self.search.reset_results();
        self.navigation.clear();
        self.status = Some((format!("正在打开资料库 {}", root.display()), false));
        self.worker.send(Job::Open(root));
    }

    /// Goes to a place of the navigation trail without adding to it.
    pub(super) fn go_to(&mut self, place: Place) {
        if let Some(id) = &place.record {
            let work = self.search.open(id.clone());
            self.apply_all(work);
        }
        self.tab = place.tab;
    }

    /// Carries out commands in order.
    pub(super) fn apply_all(&mut self, commands: Vec<Command>) {
        for c in commands {
            self.apply(c);
        }
    }

    /// Carries out a command (views return them; tests may send them directly).
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Work(job) => self.worker.send(job),
            Command::OpenRecord(id) => {
                self.tab = Tab::Search;
                let work = self.search.open(id);
                self.apply_all(work);
            }
            Command::OpenProject(id) => self.tab = Tab::Project(id),
            Command::EditRecord(id) => {
                let record = self.library.as_ref().and_then(|l| l.get(&id)).cloned();
                match record {
                    Some(r) => self.start_editing(Session::open(&r)),
                    None => self.status = Some((format!("没有编号为 {id} 的记录"), true)),
                }
            }
            Command::NewRecord(kind) => self.start_editing(Session::create(kind)),
            Command::SaveEdit => {
                if let Some(lib) = self.library.clone()
                    && let Some(work) = self.editor.save(&lib)
                {
                    self.apply(work);
                }
            }
            Command::CloseEditor => {
                if self.editor.is_dirty() {
                    self.confirm_close = true;
                } else {
                    self.editor.session = None;
                    self.next_import();
                    if self.editor.session.is_none() {
                        self.tab = Tab::Search;
                    }
                }
            }
            Command::ImportFiles(paths) => match &self.library {
                Some(lib) => {
                    self.status = Some((format!("正在读取 {} 个文件……", paths.len()), false));
                    self.worker.send(Job::Import { library: lib.clone(), paths });
                }
                None => self.status = Some(("资料库尚未打开，请稍候再导入".into(), true)),
            },
            Command::ReadBundle(path) => match &self.library {
                Some(lib) => {
                    self.status = Some((format!("正在检查交换包 {}……", path.display()), false));
                    self.worker.send(Job::ReadBundle { library: lib.clone(), path });
                }
                None => self.status = Some(("资料库尚未打开，请稍候".into(), true)),
            },
            Command::ExportTarget(target) => {
                if let Some(lib) = &self.library {
                    self.export_dialog.show_for(lib, Some(&target));
                }
            }
            Command::CompareIndicator(name) => {
                self.cross.select(name);
                self.tab = Tab::Cross;
            }
            Command::SaveFile { name, bytes, what } => {
                let picked = if self.native_dialogs {
                    rfd::FileDialog::new()
                        .set_title(format!("保存{what}"))
                        .set_file_name(&name)
                        .add_filter("CSV 表格", &["csv"])
                        .save_file()
                } else {
                    None
                };
                match picked {
                    Some(path) => self.worker.send(Job::WriteFile { path, bytes, what }),
                    None => {
                        let dir = std::env::var_os("HOME")
                            .or_else(|| std::env::var_os("USERPROFILE"))
                            .map(PathBuf::from)
                            .unwrap_or_else(|| self.root.clone());
                        let path = dir.join(&name).display().to_string();
                        self.save_prompt = Some(SavePrompt { path, bytes, what });
                    }
                }
            }
            Command::Show(tab) => self.tab = tab,
            Command::RememberQuery(q) => self.state.remember_query(&q),
            Command::ClearHistory => self.state.history.clear(),
            Command::GoBack => {
                if let Some(place) = self.navigation.back() {
                    self.go_to(place);
                }
            }
            Command::GoForward => {
                if let Some(place) = self.navigation.forward() {
                    self.go_to(place);
                }
            }
            Command::ShowHelp(page) => self.help = Some(page),
            Command::VerifyOriginal(id) => {
                if let Some(library) = &self.library {
                    self.worker.send(Job::VerifyOriginal { library: Arc::clone(library), id });
                }
            }
            Command::OpenFile(path) => self.worker.send(Job::OpenFile(path)),
            Command::Notify(message) => self.status = Some((message, true)),
            Command::ImportIndicators(project) => self.indicator_dialog.open_for(&project),
            Command::Print(id) => {
                if let Some(library) = &self.library {
                    let open = self.native_dialogs;
                    self.worker.send(Job::Print { library: Arc::clone(library), id, open });
                }
            }
            Command::PickImage => {
                let picked = if self.native_dialogs {
                    rfd::FileDialog::new().set_title("插入图片").add_filter("图片", IMAGE_EXTENSIONS).pick_file()
                } else {
                    None
                };
                match picked {
                    Some(path) => self.worker.send(Job::ReadImage(path)),
                    None => self.open_chooser(Purpose::Image),
                }
            }
            Command::ChangeSaved(change) => {
                if let Some(library) = &self.library {
                    self.worker.send(Job::ChangeSaved { library: Arc::clone(library), change });
                }
            }
            Command::OpenLibrary(path) => {
                if path.is_dir() {
                    self.path_prompt = None;
                    self.open_library(path);
                } else {
                    self.status = Some((format!("不是文件夹：{}", path.display()), true));
                }
            }
        }
    }

    /// Opens the app's file chooser in the user's home folder (else beside the library).
    pub(super) fn open_chooser(&mut self, purpose: Purpose) {
        let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
        let beside = self.root.parent().map(std::path::Path::to_path_buf);
        let mut places = Vec::new();
        places.extend(home.clone().map(|h| ("主目录".to_string(), h)));
        places.extend(beside.clone().map(|b| ("资料库所在的文件夹".to_string(), b)));
        let start = home.or(beside).unwrap_or_else(|| self.root.clone());
        let dir = self.file_chooser.open(purpose, start, places);
        self.worker.send(Job::ListFolder(dir));
    }

    pub(super) fn read_indicator_table(&mut self, path: PathBuf) {
        self.indicator_dialog.path = path.display().to_string();
        self.indicator_dialog.busy = true;
        let choices = self.indicator_dialog.choices.clone();
        self.worker.send(Job::ReadIndicators { path, choices });
    }

    /// Opens a session in the editor unless another one has unsaved edits.
    pub(super) fn start_editing(&mut self, session: Session) {
        if self.editor.is_dirty() {
            self.status = Some(("请先保存或关闭正在编辑的记录".into(), true));
            self.tab = Tab::Editor;
            return;
        }
        self.editor.session = Some(session);
        self.tab = Tab::Editor;
    }

    /// Opens the next imported file in the editor once the current one is saved or closed.
    pub(super) fn next_import(&mut self) {
        if self.editor.is_dirty() || self.pending_imports.is_empty() {
            return;
        }
        let draft = self.pending_imports.remove(0);
        let rest = self.pending_imports.len();
        self.editor.session = Some(Session::imported(draft));
        self.tab = Tab::Editor;
        if rest > 0 {
            self.status = Some((format!("核对后保存；还有 {rest} 个导入的文件等待核对"), false));
        }
    }

    /// A folder dropped on the window opens as a library.
    pub(super) fn handle_dropped_folder(&mut self, ui: &egui::Ui) {
        let dropped: Vec<PathBuf> = ui.input(|i| {
            i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).filter(|p| !p.as_os_str().is_empty()).collect()
        });
        let (dirs, files): (Vec<PathBuf>, Vec<PathBuf>) = dropped.into_iter().partition(|p| p.is_dir());
        if let Some(dir) = dirs.into_iter().next() {
            self.apply(Command::OpenLibrary(dir));
        } else if !files.is_empty() {
            let (bundles, files): (Vec<PathBuf>, Vec<PathBuf>) =
                files.into_iter().partition(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")));
            if let Some(bundle) = bundles.into_iter().next() {
                self.apply(Command::ReadBundle(bundle));
            }
            if !files.is_empty() {
                self.apply(Command::ImportFiles(files));
            }
        }
    }
}
