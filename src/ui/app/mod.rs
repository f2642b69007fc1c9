//! The application shell: the state every view shares and the frame's layout. Split by role, as rerun's viewer
//! is: `events` (what the worker reports), `commands` (carrying out what views ask), `menu` (menu and status
//! bars), `dialogs` (the windows over the views).

mod commands;
mod dialogs;
mod events;
mod menu;

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

impl<'a> Ctx<'a> {
    /// The library, or a spinner in its place while it is still being read: the views that show it have nothing
    /// else to show until then.
    pub fn library_or_spinner(&self, ui: &mut egui::Ui) -> Option<&'a Arc<Library>> {
        if self.library.is_none() {
            ui.spinner();
        }
        self.library
    }
}

/// The app.
pub struct CasebookApp {
    pub state: PersistedState,
    worker: Worker,
    pub root: PathBuf,
    pub library: Option<Arc<Library>>,
    pub index_ready: bool,
    docs: u64,
    progress: Option<Progress>,
    /// What a running import is doing (reading, OCR of page N), shown in the status bar until it ends.
    import_progress: Option<String>,
    /// The background embedding's coverage, and whether it is still running (none without a model).
    semantic: Option<(crate::semantic::Coverage, bool)>,
    /// The last message for the status bar, and whether it is an error.
    pub status: Option<(String, bool)>,
    pub tab: Tab,
    pub search: SearchView,
    project: ProjectView,
    overview: OverviewView,
    pub archive: ArchiveView,
    cross: CrossView,
    pub editor: EditorView,
    pub bundle: BundleView,
    pub export_dialog: ExportDialog,
    pub indicator_dialog: IndicatorDialog,
    /// The app's own file chooser (no native dialog, or it was cancelled).
    pub file_chooser: FileChooser,
    bundle_export: BundleExportDialog,
    /// Imported files waiting for the editor (it edits one at a time).
    pending_imports: Vec<ImportDraft>,
    /// Drafts left by a session that did not end cleanly, offered back.
    pub offered_drafts: Vec<Draft>,
    /// The editor asked to close with unsaved edits: ask before discarding them.
    confirm_close: bool,
    /// Whether to use the system's file dialogs (tests turn them off so a desktop session never pops one up).
    pub native_dialogs: bool,
    /// A file waiting for a destination typed by hand (no native save dialog, or it was cancelled).
    save_prompt: Option<SavePrompt>,
    /// The path field shown when no native folder dialog is available (or it was cancelled).
    path_prompt: Option<String>,
    /// 返回/前进 through opened records and pages.
    navigation: Navigation,
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
}

/// A file the user is choosing a destination for.
pub struct SavePrompt {
    pub path: String,
    pub bytes: Vec<u8>,
    /// What it is, for the title and the status bar (“横向对比表”).
    pub what: String,
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
