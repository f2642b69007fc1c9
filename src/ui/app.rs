//! The application shell: menu, view tabs and status bar; drains worker events; carries out view commands.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use egui::{Key, KeyboardShortcut, Modifiers};

use super::navigation::{Navigation, Place};
use super::state::{PersistedState, STORAGE_KEY};
use super::views::archive::ArchiveView;
use super::views::bundle::{BundleAction, BundleView};
use super::views::cross::CrossView;
use super::views::editor::{EditorView, Session};
use super::views::export_dialog::{BundleExportDialog, DialogAction, ExportDialog};
use super::views::file_chooser::{ChooserAction, FileChooser, IMAGE_EXTENSIONS, Purpose};
use super::views::help::{self, HelpPage};
use super::views::indicators::{IndicatorAction, IndicatorDialog};
use super::views::overview::OverviewView;
use super::views::project::ProjectView;
use super::views::search::SearchView;
use super::worker::{Event, Job, Worker};
use crate::import::ImportDraft;
use crate::library::{Kind, Library};
use crate::search::{Progress, SyncReport};
use crate::store::Draft;

/// Shortcuts that focus the search field.
pub const FOCUS_SEARCH: [KeyboardShortcut; 2] =
    [KeyboardShortcut::new(Modifiers::COMMAND, Key::K), KeyboardShortcut::new(Modifiers::COMMAND, Key::F)];

/// 返回 and 前进 (as in a browser).
pub const GO_BACK: KeyboardShortcut = KeyboardShortcut::new(Modifiers::ALT, Key::ArrowLeft);
pub const GO_FORWARD: KeyboardShortcut = KeyboardShortcut::new(Modifiers::ALT, Key::ArrowRight);

/// Which view fills the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tab {
    Search,
    Overview,
    Archive,
    Cross,
    Editor,
    Bundle,
    Project(String),
}

/// What a view asks the shell to do after drawing.
#[derive(Debug)]
#[must_use]
pub enum Command {
    /// Show a record in the search view's detail pane.
    OpenRecord(String),
    /// Show a project page.
    OpenProject(String),
    /// Switch tab.
    Show(Tab),
    /// Open another library folder.
    OpenLibrary(PathBuf),
    /// Open the cross-district comparison on an indicator.
    CompareIndicator(String),
    /// Ask where to save a file the view produced (a CSV), then write it off the UI thread.
    SaveFile { name: String, bytes: Vec<u8>, what: String },
    /// Edit a record in the editor.
    EditRecord(String),
    /// Start a new record.
    NewRecord(Kind),
    /// Save the record being edited (checked first).
    SaveEdit,
    /// Close the editor (asks first when there are unsaved edits).
    CloseEditor,
    /// Read outside files into the editor.
    ImportFiles(Vec<PathBuf>),
    /// Read a bundle from another office and show what it would change.
    ReadBundle(PathBuf),
    /// Open the export dialog on a site, route or collection.
    ExportTarget(crate::export::Target),
    /// Put a query in the search history (submitted, or typed and left standing).
    RememberQuery(String),
    /// Empty the search history.
    ClearHistory,
    /// 返回: the place opened before this one.
    GoBack,
    /// 前进: the place left by 返回.
    GoForward,
    /// Open a help page.
    ShowHelp(HelpPage),
    /// Check a record's original against its checksum (the answer comes as an event).
    VerifyOriginal(String),
    /// Open a file in the system's viewer (a record's original).
    OpenFile(PathBuf),
    /// Say something in the status bar (an error when it could not be done).
    Notify(String),
    /// Open 从报表导入指标 for a project.
    ImportIndicators(String),
    /// 打印: a record's A4 page opened in the system's browser.
    Print(String),
    /// Save or delete one of the library's saved searches (in its casebook.yaml).
    ChangeSaved(crate::library::saved::Change),
    /// 插入图片: choose a picture for the record being edited.
    PickImage,
    /// Work for the background thread (a search, a page of results, similar write-ups, a save). Views never
    /// hold the worker: only the app sends it jobs.
    Work(Job),
}

/// Read-only data every view may use.
pub struct Ctx<'a> {
    pub library: Option<&'a Arc<Library>>,
    pub index_ready: bool,
    /// Past queries, most recent first.
    pub history: &'a [String],
}

/// The app.
pub struct CasebookApp {
    pub state: PersistedState,
    worker: Worker,
    pub root: PathBuf,
    pub library: Option<Arc<Library>>,
    pub index_ready: bool,
    pub docs: u64,
    pub progress: Option<Progress>,
    /// What a running import is doing (reading, OCR of page N), shown in the status bar until it ends.
    pub import_progress: Option<String>,
    /// The background embedding's coverage, and whether it is still running (none without a model).
    pub semantic: Option<(crate::semantic::Coverage, bool)>,
    /// The last message for the status bar, and whether it is an error.
    pub status: Option<(String, bool)>,
    pub tab: Tab,
    pub search: SearchView,
    pub project: ProjectView,
    pub overview: OverviewView,
    pub archive: ArchiveView,
    pub cross: CrossView,
    pub editor: EditorView,
    pub bundle: BundleView,
    pub export_dialog: ExportDialog,
    pub indicator_dialog: IndicatorDialog,
    /// The app's own file chooser (no native dialog, or it was cancelled).
    pub file_chooser: FileChooser,
    pub bundle_export: BundleExportDialog,
    /// Imported files waiting for the editor (it edits one at a time).
    pub pending_imports: Vec<ImportDraft>,
    /// Drafts left by a session that did not end cleanly, offered back.
    pub offered_drafts: Vec<Draft>,
    /// The editor asked to close with unsaved edits: ask before discarding them.
    pub confirm_close: bool,
    /// Whether to use the system's file dialogs (tests turn them off so a desktop session never pops one up).
    pub native_dialogs: bool,
    /// A file waiting for a destination typed by hand (no native save dialog, or it was cancelled).
    pub save_prompt: Option<SavePrompt>,
    /// The path field shown when no native folder dialog is available (or it was cancelled).
    pub path_prompt: Option<String>,
    /// 返回/前进 through opened records and pages.
    pub navigation: Navigation,
    /// The help page shown, if any.
    pub help: Option<HelpPage>,
    /// Set on the first frame; the worker uses it to wake the UI.
    egui_ctx: Arc<OnceLock<egui::Context>>,
}

impl CasebookApp {
    /// Creates the app and starts opening `root` in the background. The egui context is picked up on the first
    /// frame (so tests can build the app before the harness exists).
    pub fn new(root: PathBuf, state: PersistedState) -> Self {
        let egui_ctx: Arc<OnceLock<egui::Context>> = Arc::default();
        let repaint = Arc::clone(&egui_ctx);
        let worker = Worker::start(move || {
            if let Some(ctx) = repaint.get() {
                ctx.request_repaint();
            }
        });
        let mut search = SearchView::default();
        search.query = state.last_query.clone();
        let mut app = CasebookApp {
            state,
            worker,
            root: root.clone(),
            library: None,
            index_ready: false,
            docs: 0,
            progress: None,
            import_progress: None,
            semantic: None,
            status: None,
            tab: Tab::Search,
            search,
            project: ProjectView::default(),
            overview: OverviewView::default(),
            archive: ArchiveView::default(),
            cross: CrossView::default(),
            editor: EditorView::default(),
            bundle: BundleView::default(),
            export_dialog: ExportDialog::default(),
            indicator_dialog: IndicatorDialog::default(),
            file_chooser: FileChooser::default(),
            bundle_export: BundleExportDialog::default(),
            pending_imports: Vec::new(),
            offered_drafts: Vec::new(),
            confirm_close: false,
            save_prompt: None,
            native_dialogs: true,
            path_prompt: None,
            navigation: Navigation::default(),
            help: None,
            egui_ctx,
        };
        app.open_library(root);
        app
    }

    fn open_library(&mut self, root: PathBuf) {
        self.root = root.clone();
        self.library = None;
        self.index_ready = false;
        self.progress = None;
        self.search.reset_results();
        self.navigation.clear();
        self.status = Some((format!("正在打开资料库 {}", root.display()), false));
        self.worker.send(Job::Open(root));
    }

    /// Drains worker events (called before drawing each frame).
    pub fn logic(&mut self) {
        while let Ok(event) = self.worker.events.try_recv() {
            match event {
                Event::LibraryLoaded { root, library } => {
                    let n = library.records.len();
                    self.library = Some(library);
                    self.state.remember_library(root);
                    if !self.index_ready {
                        self.status = Some((format!("已读取 {n} 条记录，正在建立检索索引……"), false));
                    }
                    if let Some(lib) = &self.library {
                        self.editor.on_library(lib);
                    }
                    // The detail pane, project pages and the overview read the new records from now on.
                }
                Event::Progress(p) => self.progress = Some(p),
                Event::Semantic { coverage, running } => {
                    let finished = !running && self.semantic.is_some_and(|(_, was_running)| was_running);
                    self.semantic = Some((coverage, running));
                    if finished {
                        // The records embedded meanwhile can now be found by meaning.
                        let work = self.search.rerun();
                        self.apply_all(work);
                    }
                }
                Event::IndexReady { report, docs } => {
                    self.index_ready = true;
                    self.progress = None;
                    self.docs = docs;
                    self.status = Some((sync_message(&report, docs), false));
                    let work = self.search.rerun();
                    self.apply_all(work);
                }
                Event::Results { seq, results } => self.search.on_results(seq, results),
                Event::Page { seq, offset, hits } => self.search.on_page(seq, offset, hits),
                Event::Similar { id, hits } => self.search.on_similar(id, hits),
                Event::Original { id, state } => self.search.on_original(id, state),
                Event::Notice(message) => self.status = Some((message, false)),
                Event::ImageRead { name, result } => match (result, self.editor.session.as_mut()) {
                    (Ok(bytes), Some(session)) => {
                        session.insert_image(&name, bytes);
                        self.status = Some((format!("已插入图片 {name}，保存时一并存入资料库"), false));
                    }
                    (Ok(_), None) => {}
                    (Err(message), _) => self.status = Some((message, true)),
                },
                Event::Written { path, what } => {
                    self.status = Some((format!("已保存{what}：{}", path.display()), false));
                }
                Event::Saved { rel, warnings } => {
                    self.status = Some((format!("已保存 {rel}"), false));
                    self.editor.on_saved(&rel, warnings);
                    self.next_import();
                }
                Event::SaveRejected { problems } => {
                    self.status = Some(("未保存：请按提示改正".into(), true));
                    self.editor.on_rejected(problems);
                }
                Event::Drafts(drafts) => self.offered_drafts = drafts,
                Event::Versions { rel, versions } => {
                    if let Some(s) = self.editor.session.as_mut().filter(|s| s.rel.as_deref() == Some(rel.as_str())) {
                        s.versions = Some(versions);
                    }
                }
                Event::ImportProgress(step) => self.import_progress = Some(step),
                Event::IndicatorTable { path, result } => self.indicator_dialog.read(path, result),
                Event::FolderListed { dir, select, result } => self.file_chooser.listed(dir, select, result),
                Event::IndicatorsWritten(result) => {
                    self.indicator_dialog.busy = false;
                    match result {
                        Ok(message) => {
                            self.indicator_dialog.project = None;
                            self.status = Some((message, false));
                        }
                        Err(message) => self.indicator_dialog.table = Some(Err(message)),
                    }
                }
                Event::Imported(results) => {
                    self.import_progress = None;
                    let mut failed = Vec::new();
                    for (path, result) in results {
                        match result {
                            Ok(draft) => self.pending_imports.push(draft),
                            Err(message) => failed.push(format!("{}：{message}", path.display())),
                        }
                    }
                    if !failed.is_empty() {
                        self.status =
                            Some((format!("有 {} 个文件未能导入：{}", failed.len(), failed.join("；")), true));
                    }
                    self.next_import();
                }
                Event::BundlePlan { path, plan } => {
                    self.status = Some((format!("已读取交换包 {}，请核对后导入", path.display()), false));
                    self.bundle.load(path, *plan);
                    self.tab = Tab::Bundle;
                }
                Event::BundleFailed(message) => {
                    self.bundle.applying = false;
                    self.status = Some((message, true));
                }
                Event::BundleApplied(report) => {
                    self.bundle.applying = false;
                    self.status = Some((
                        format!("交换包已导入：新增 {}，更新 {}", report.added.len(), report.updated.len()),
                        false,
                    ));
                    self.bundle.report = Some(report);
                }
                Event::ExportProgress(f, step) => self.export_dialog.progress = Some((f, step)),
                Event::Exported(report) => {
                    self.export_dialog.progress = None;
                    self.status = Some((format!("已导出到 {}", report.folder.display()), false));
                    self.export_dialog.done = Some(report);
                }
                Event::ExportFailed(message) => {
                    self.export_dialog.progress = None;
                    self.status = Some((message, true));
                }
                Event::Error(message) => self.status = Some((message, true)),
            }
        }
    }

    /// Draws the whole window into `ui` (also drains events, so tests can drive it with just a `Ui`).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        if self.egui_ctx.get().is_none() {
            super::fonts::install(ui.ctx());
            let _ = self.egui_ctx.set(ui.ctx().clone());
        }
        self.logic();
        if FOCUS_SEARCH.iter().any(|s| ui.input_mut(|i| i.consume_shortcut(s))) {
            self.tab = Tab::Search;
            self.search.request_focus();
        }
        self.handle_dropped_folder(ui);
        let mut commands = Vec::new();
        let (back, forward) = ui.input_mut(|i| {
            let back = i.consume_shortcut(&GO_BACK);
            let forward = i.consume_shortcut(&GO_FORWARD);
            // The mouse's side buttons, as in a browser.
            let mouse = |b| i.pointer.button_pressed(b);
            (back || mouse(egui::PointerButton::Extra1), forward || mouse(egui::PointerButton::Extra2))
        });
        if back {
            commands.push(Command::GoBack);
        }
        if forward {
            commands.push(Command::GoForward);
        }
        egui::Panel::top("menu").show(ui, |ui| commands.extend(self.menu_bar(ui)));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        egui::CentralPanel::default().show(ui, |ui| {
            let ctx =
                Ctx { library: self.library.as_ref(), index_ready: self.index_ready, history: &self.state.history };
            match self.tab.clone() {
                Tab::Search => commands.extend(self.search.ui(ui, &ctx)),
                Tab::Overview => commands.extend(self.overview.ui(ui, &ctx)),
                Tab::Archive => commands.extend(self.archive.ui(ui, &ctx)),
                Tab::Cross => commands.extend(self.cross.ui(ui, &ctx)),
                Tab::Editor => commands.extend(self.editor.ui(ui, &ctx)),
                Tab::Bundle => match self.bundle.ui(ui) {
                    Some(BundleAction::Apply) => {
                        if let (Some((_, plan)), Some(library)) = (&self.bundle.plan, &self.library) {
                            self.bundle.applying = true;
                            self.worker.send(Job::ApplyBundle {
                                library: library.clone(),
                                plan: Box::new(plan.clone()),
                                accepted: self.bundle.accepted.clone(),
                            });
                        }
                    }
                    Some(BundleAction::Close) => {
                        self.bundle = BundleView::default();
                        self.tab = Tab::Search;
                    }
                    None => {}
                },
                Tab::Project(id) => commands.extend(self.project.ui(ui, &ctx, &id)),
            }
        });
        self.path_prompt_window(ui, &mut commands);
        self.file_chooser_window(ui, &mut commands);
        self.save_prompt_window(ui);
        self.drafts_window(ui, &mut commands);
        self.export_windows(ui);
        self.confirm_close_window(ui);
        if let Some(page) = self.help
            && !help::show(ui, page)
        {
            self.help = None;
        }
        if !commands.is_empty() {
            // The menu bar and tabs were drawn before the commands took effect.
            ui.ctx().request_repaint();
        }
        for c in commands {
            self.apply(c);
        }
        self.observe_place();
    }

    /// Tells the navigation (and the recent records) where the user is after this frame's commands.
    fn observe_place(&mut self) {
        let record = self.search.selected.as_deref();
        if self.tab == Tab::Search
            && let Some(id) = record
            && self.state.latest_record(&self.root) != Some(id)
            && self.library.as_ref().is_some_and(|l| l.get(id).is_some())
        {
            self.state.remember_record(&self.root, id);
        }
        self.navigation.observe(Place::of(&self.tab, record));
    }

    /// Goes to a place of the navigation trail without adding to it.
    fn go_to(&mut self, place: Place) {
        if let Some(id) = &place.record {
            let work = self.search.open(id.clone());
            self.apply_all(work);
        }
        self.tab = place.tab;
    }

    /// Carries out commands in order.
    fn apply_all(&mut self, commands: Vec<Command>) {
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

    fn menu_bar(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
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

    fn status_bar(&mut self, ui: &mut egui::Ui) {
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

    /// Opens the app's file chooser in the user's home folder (else beside the library).
    fn open_chooser(&mut self, purpose: Purpose) {
        let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
        let beside = self.root.parent().map(std::path::Path::to_path_buf);
        let mut places = Vec::new();
        places.extend(home.clone().map(|h| ("主目录".to_string(), h)));
        places.extend(beside.clone().map(|b| ("资料库所在的文件夹".to_string(), b)));
        let start = home.or(beside).unwrap_or_else(|| self.root.clone());
        let dir = self.file_chooser.open(purpose, start, places);
        self.worker.send(Job::ListFolder(dir));
    }

    fn read_indicator_table(&mut self, path: PathBuf) {
        self.indicator_dialog.path = path.display().to_string();
        self.indicator_dialog.busy = true;
        let choices = self.indicator_dialog.choices.clone();
        self.worker.send(Job::ReadIndicators { path, choices });
    }

    fn file_chooser_window(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
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

    fn path_prompt_window(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
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

    fn save_prompt_window(&mut self, ui: &mut egui::Ui) {
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

    /// Opens a session in the editor unless another one has unsaved edits.
    fn start_editing(&mut self, session: Session) {
        if self.editor.is_dirty() {
            self.status = Some(("请先保存或关闭正在编辑的记录".into(), true));
            self.tab = Tab::Editor;
            return;
        }
        self.editor.session = Some(session);
        self.tab = Tab::Editor;
    }

    /// Opens the next imported file in the editor once the current one is saved or closed.
    fn next_import(&mut self) {
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

    fn drafts_window(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
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

    fn export_windows(&mut self, ui: &mut egui::Ui) {
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

    fn confirm_close_window(&mut self, ui: &mut egui::Ui) {
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

    /// A folder dropped on the window opens as a library.
    fn handle_dropped_folder(&mut self, ui: &egui::Ui) {
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

/// A file the user is choosing a destination for.
pub struct SavePrompt {
    pub path: String,
    pub bytes: Vec<u8>,
    /// What it is, for the title and the status bar (“横向对比表”).
    pub what: String,
}

fn sync_message(report: &SyncReport, docs: u64) -> String {
    let mut parts = vec![format!("检索就绪：{docs} 条记录")];
    if let Some(reason) = &report.rebuilt {
        parts.push(reason.label());
    } else if report.added + report.updated + report.removed > 0 {
        parts.push(format!("新增 {}、更新 {}、删除 {}", report.added, report.updated, report.removed));
    }
    if let Some(stale) = &report.stale {
        parts.push(stale.clone());
    }
    if let Some(note) = &report.in_memory {
        parts.push(note.clone());
    }
    if !report.problems.is_empty() {
        parts.push(format!("{} 个文件有错误未能检索（详见“总览”或 casebook check）", report.problems.len()));
    }
    parts.join("；")
}

impl eframe::App for CasebookApp {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        CasebookApp::logic(self);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.state.last_query = self.search.query.clone();
        eframe::set_value(storage, STORAGE_KEY, &self.state);
    }
}
