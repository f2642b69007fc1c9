//! The background worker: owns the library snapshot and the search index, so the UI thread never reads files,
//! indexes or searches. The UI sends [`Job`]s; the worker answers with [`Event`]s and asks egui to repaint.
//! A file watcher feeds it changes made outside the app (another editor, a shared folder).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use crate::import::ImportDraft;
use crate::library::{Config, Library, Problem, Severity};
use crate::search::{Hit, Progress, SearchIndex, SearchRequest, SearchResults, SyncReport};
use crate::semantic::{Coverage, Embedder, Semantic, Vectors, embed_pending};
use crate::store::{self, Draft, Version};
use notify::Watcher;

/// Work for the worker.
#[derive(Debug)]
pub enum Job {
    /// Open (or reopen) a library folder.
    Open(PathBuf),
    /// Run a query; `seq` lets the UI drop answers to queries it no longer shows.
    Search { seq: u64, req: SearchRequest },
    /// More rows of the current results.
    Page { seq: u64, req: SearchRequest },
    /// Write-ups similar to a record.
    Similar { id: String },
    /// Files changed on disk: these paths (as the file watcher reports them), or `None` when unknown (compare
    /// every file).
    FilesChanged(Option<Vec<PathBuf>>),
    /// Write a file the user asked for (a CSV) to a place outside the library, atomically.
    WriteFile { path: PathBuf, bytes: Vec<u8>, what: String },
    /// Check an edited record with the rules of `check`, and write it only if it has no errors.
    SaveRecord {
        library: Arc<Library>,
        rel: String,
        text: String,
        /// Pictures added with 插入图片, by their path in the library.
        attachments: Vec<(String, Vec<u8>)>,
        draft_key: String,
        /// A new record: its place must still be empty (never replace a file that appeared there).
        new: bool,
    },
    /// Read a picture for 插入图片.
    ReadImage(PathBuf),
    /// Check and write an imported write-up with its images.
    SaveImport { library: Arc<Library>, draft: Box<ImportDraft>, draft_key: String },
    /// Keep an unsaved edit as a draft.
    SaveDraft { key: String, rel: Option<String>, text: String },
    /// Forget a draft (the user declined to restore it).
    DiscardDraft { key: String },
    /// List the kept versions of a file.
    Versions { rel: String },
    /// Put a kept version back.
    Restore { library: Arc<Library>, rel: String, version: Version },
    /// Read outside files (.md, .txt, .docx) into import drafts for the editor.
    Import { library: Arc<Library>, paths: Vec<PathBuf> },
    /// Read a bundle from another office into a plan (writes nothing).
    ReadBundle { library: Arc<Library>, path: PathBuf },
    /// Write the accepted entries of a plan (by `rel`).
    ApplyBundle {
        library: Arc<Library>,
        plan: Box<crate::bundle::ImportPlan>,
        accepted: std::collections::BTreeSet<String>,
    },
    /// Write a district's records as a bundle.
    ExportBundle { library: Arc<Library>, district: String, out: PathBuf },
    /// Write a showcase packet or study pack.
    Export { library: Arc<Library>, options: crate::export::ExportOptions },
    /// Read a write-up's original (原件) and compare it with the checksum it was filed with.
    VerifyOriginal { library: Arc<Library>, id: String },
    /// Open a file with the program the system uses for it (an original in its viewer).
    OpenFile(PathBuf),
    /// Write a record's print page to a temporary file and (when `open`) open it in the system's browser.
    Print { library: Arc<Library>, id: String, open: bool },
    /// List a folder for the app's file chooser (a file: its folder, with the file selected).
    ListFolder(PathBuf),
    /// Read a 报表's indicator table for the 从报表导入指标 dialog.
    ReadIndicators { path: PathBuf, choices: crate::import::indicators::Choices },
    /// Write confirmed indicators into a project, through the one write path.
    WriteIndicators { library: Arc<Library>, project: String, table: crate::import::indicators::IndicatorTable },
    /// The background embedding saved new vectors: read them for the next searches.
    VectorsChanged,
    /// Save or delete a saved search in the library's casebook.yaml.
    ChangeSaved { library: Arc<Library>, change: crate::library::saved::Change },
    /// Stop the thread (sent when the handle is dropped; the file watcher holds a sender too).
    Shutdown,
}

/// What the worker reports.
#[derive(Debug)]
pub enum Event {
    /// The records are loaded (project pages and the overview can be shown; search may not be ready yet).
    LibraryLoaded {
        /// The library folder, resolved (as the app remembers it).
        root: PathBuf,
        library: Arc<Library>,
    },
    Progress(Progress),
    /// The index is up to date and searchable.
    IndexReady {
        report: SyncReport,
        docs: u64,
    },
    Results {
        seq: u64,
        results: SearchResults,
    },
    Page {
        seq: u64,
        offset: usize,
        hits: Vec<Hit>,
    },
    Similar {
        id: String,
        hits: Vec<Hit>,
    },
    /// What a record's original is now (`None`: it names none).
    Original {
        id: String,
        state: Option<crate::library::original::OriginalState>,
    },
    /// A requested file was written.
    /// Something done to tell in the status bar (not an error).
    Notice(String),
    /// A picture read for 插入图片: its file name and bytes, or why it cannot be used.
    ImageRead {
        name: String,
        result: Result<Vec<u8>, String>,
    },
    Written {
        path: PathBuf,
        what: String,
    },
    /// A record was checked and written (warnings from `check` may remain).
    Saved {
        rel: String,
        warnings: Vec<Problem>,
    },
    /// A save was refused; nothing was written.
    SaveRejected {
        problems: Vec<Problem>,
    },
    /// Drafts left by a session that ended without saving (a crash): the UI offers them back.
    Drafts(Vec<Draft>),
    Versions {
        rel: String,
        versions: Vec<Version>,
    },
    /// Files read for import: a draft for each, or why it could not be read.
    Imported(Vec<(PathBuf, Result<ImportDraft, String>)>),
    /// A bundle was read and checked: what importing it would do.
    BundlePlan {
        path: PathBuf,
        plan: Box<crate::bundle::ImportPlan>,
    },
    /// A bundle was refused, or applying it failed; the library is as it was.
    BundleFailed(String),
    BundleApplied(crate::bundle::ApplyReport),
    ExportProgress(f32, String),
    /// What an import is doing (OCR of a scanned page takes seconds), for the status bar.
    ImportProgress(String),
    /// A folder listed for the file chooser.
    FolderListed {
        dir: PathBuf,
        select: Option<PathBuf>,
        result: Result<Vec<crate::ui::views::file_chooser::Entry>, String>,
    },
    /// A 报表 read for the indicator dialog, or why it could not be.
    IndicatorTable {
        path: PathBuf,
        result: Result<crate::import::indicators::IndicatorTable, String>,
    },
    /// Indicators written into a project (what changed), or why not.
    IndicatorsWritten(Result<String, String>),
    Exported(crate::export::ExportReport),
    ExportFailed(String),
    /// How far the background embedding (语义向量) has come; `running` is false once it has stopped.
    Semantic {
        coverage: Coverage,
        running: bool,
    },
    /// Something failed; the message is for the status bar, in Chinese.
    Error(String),
}

/// A handle to the worker thread; dropping it stops the thread.
pub struct Worker {
    jobs: Sender<Job>,
    pub events: Receiver<Event>,
}

impl Worker {
    /// Starts the worker. `wake` is called after every event (egui's `request_repaint`).
    pub fn start(wake: impl Fn() + Send + Sync + 'static) -> Self {
        let (jobs, job_rx) = channel();
        let (event_tx, events) = channel();
        let watcher_jobs = jobs.clone();
        let spawned = std::thread::Builder::new().name("casebook-worker".into()).spawn(move || {
            let send: EventSender = Arc::new(move |e: Event| {
                let _ = event_tx.send(e);
                wake();
            });
            let mut state = WorkerState {
                index: None,
                root: None,
                watcher: None,
                watcher_jobs,
                events: Arc::clone(&send),
                library_generation: Arc::new(AtomicU64::new(0)),
                opening: None,
                semantic: None,
                ranking: None,
                embedding: Arc::new(Mutex::new(())),
            };
            state.run(&job_rx, &*send);
        });
        if let Err(e) = spawned {
            let (tx, rx) = channel();
            let _ = tx.send(Event::Error(format!("无法启动后台线程：{e}")));
            return Worker { jobs, events: rx };
        }
        Worker { jobs, events }
    }

    pub fn send(&self, job: Job) {
        let _ = self.jobs.send(job);
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.jobs.send(Job::Shutdown);
    }
}

/// The worker's way of sending events, shareable with the helper thread that reads the records.
type EventSender = Arc<dyn Fn(Event) + Send + Sync>;

struct WorkerState {
    index: Option<SearchIndex>,
    root: Option<PathBuf>,
    watcher: Option<notify::RecommendedWatcher>,
    watcher_jobs: Sender<Job>,
    events: EventSender,
    /// Bumped by every reading of the records; a reading that is no longer the latest is not sent.
    library_generation: Arc<AtomicU64>,
    /// A library opened from its last index whose records are not read yet and whose index is not yet compared
    /// with the files: done once the worker is idle (see [`WorkerState::run`]).
    opening: Option<Opening>,
    /// The semantic model and this library's vectors, when a model is installed.
    semantic: Option<Semantic>,
    /// The last query's semantic ranking, so that its further pages need no second embedding.
    ranking: Option<(String, Vec<(String, f32)>)>,
    /// Held by the background embedding: one at a time, a newer reading waits for an older one to stop.
    embedding: Arc<Mutex<()>>,
}

/// The rest of opening a library, deferred so that the first searches are answered first.
struct Opening {
    path: PathBuf,
    config: Config,
    /// Done by then at the latest, even while searches keep coming.
    deadline: Instant,
}

/// The worker counts as idle after this long without a job.
const IDLE: Duration = Duration::from_millis(250);
/// The rest of opening waits at most this long for the worker to be idle.
const OPENING_DEADLINE: Duration = Duration::from_secs(2);

/// A failed write, as a problem the editor lists.
fn write_problem(rel: &str, message: String) -> Problem {
    Problem {
        path: rel.to_string(),
        line: 0,
        code: "write",
        message: format!("保存失败，文件未改动：{message}"),
        severity: Severity::Error,
    }
}

/// Embeds the records that have no vectors yet, on one thread so that searching and indexing keep the other
/// cores, and stops as soon as `current` says a newer reading of the records has started (which embeds again).
fn embed_in_background(
    model: &Path,
    library: &Library,
    embedding: &Mutex<()>,
    current: impl Fn() -> bool,
    send: &(dyn Fn(Event) + Sync),
    jobs: &Sender<Job>,
) {
    let _one_at_a_time = embedding.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if !current() {
        return;
    }
    let mut embedder = match Embedder::load(model) {
        Ok(e) => e,
        Err(e) => return send(Event::Error(format!("语义检索未启用：{e}"))),
    };
    embedder.set_threads(1);
    let mut vectors = Vectors::open(&library.root, embedder.dim());
    let mut shown = Instant::now();
    let mut last_reload = Instant::now();
    let result = embed_pending(&mut embedder, library, &mut vectors, |coverage| {
        if shown.elapsed() >= Duration::from_millis(300) {
            send(Event::Semantic { coverage, running: true });
            shown = Instant::now();
        }
        // Vectors are saved as they are made; searches use them from time to time, not only at the end.
        if last_reload.elapsed() >= Duration::from_secs(30) {
            let _ = jobs.send(Job::VectorsChanged);
            last_reload = Instant::now();
        }
        current()
    });
    match result {
        Ok(report) => {
            if report.embedded > 0 {
                let _ = jobs.send(Job::VectorsChanged);
            }
            send(Event::Semantic { coverage: report.coverage, running: false });
        }
        Err(e) => send(Event::Error(format!("生成语义向量失败：{e}"))),
    }
}

/// How long to wait for a burst of file events to settle before reindexing.
const SETTLE: Duration = Duration::from_millis(120);

impl WorkerState {
    fn run(&mut self, jobs: &Receiver<Job>, send: &(dyn Fn(Event) + Sync)) {
        loop {
            let job = match &self.opening {
                Some(o) => {
                    let wait = IDLE.min(o.deadline.saturating_duration_since(Instant::now()));
                    match jobs.recv_timeout(wait) {
                        Ok(job) => job,
                        Err(RecvTimeoutError::Timeout) => {
                            self.finish_opening(send);
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                None => match jobs.recv() {
                    Ok(job) => job,
                    Err(_) => return,
                },
            };
            match job {
                Job::Shutdown => return,
                Job::Open(path) => self.open(&path, send),
                Job::Search { seq, mut req } => {
                    self.add_semantic(&mut req);
                    if let Some(results) = self.search(&req, send) {
                        send(Event::Results { seq, results });
                    }
                }
                Job::VectorsChanged => {
                    if let (Some(s), Some(root)) = (self.semantic.as_mut(), self.root.as_ref()) {
                        s.vectors = Vectors::open(root, s.embedder.dim());
                        self.ranking = None;
                    }
                }
                Job::Page { seq, mut req } => {
                    self.add_semantic(&mut req);
                    if let Some(results) = self.search(&req, send) {
                        send(Event::Page { seq, offset: req.offset, hits: results.hits });
                    }
                }
                Job::VerifyOriginal { library, id } => {
                    let state = library.get(&id).and_then(|r| crate::library::original::verify(&library.root, r));
                    send(Event::Original { id, state });
                }
                Job::Print { library, id, open } => match print_page(&library, &id, open) {
                    Ok(message) => send(Event::Notice(message)),
                    Err(message) => send(Event::Error(message)),
                },
                Job::ReadImage(path) => {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    send(Event::ImageRead { result: read_image(&path), name });
                }
                Job::ListFolder(path) => {
                    let (dir, select) = match std::fs::metadata(&path) {
                        Ok(m) if m.is_file() => (path.parent().map(Path::to_path_buf).unwrap_or_default(), Some(path)),
                        _ => (path, None),
                    };
                    let result = crate::ui::views::file_chooser::list_folder(&dir);
                    send(Event::FolderListed { dir, select, result });
                }
                Job::ReadIndicators { path, choices } => {
                    let result = read_indicators(&path, &choices);
                    send(Event::IndicatorTable { path, result });
                }
                Job::WriteIndicators { library, project, table } => {
                    let written = store::WriteLock::take_current(&library).map_err(|e| e.to_string()).and_then(
                        |(lock, library)| {
                            let (plan, record, changes) =
                                crate::import::indicators::plan_update(&library, &project, &table)
                                    .map_err(|e| e.to_string())?;
                            plan.commit(&lock).and_then(|c| c.all_written()).map_err(|e| e.to_string())?;
                            Ok((library.root.clone(), record.path, changes.len()))
                        },
                    );
                    match written {
                        Ok((root, rel, n)) => {
                            self.files_changed(Some(vec![root.join(&rel)]), send);
                            send(Event::IndicatorsWritten(Ok(format!(
                                "已把 {n} 个指标写入 {rel}（旧版本保存在历史中）"
                            ))));
                        }
                        Err(e) => send(Event::IndicatorsWritten(Err(format!("指标未写入：{e}")))),
                    }
                }
                Job::ChangeSaved { library, change } => {
                    let what = match &change {
                        crate::library::saved::Change::Put(s) => format!("已保存检索“{}”", s.name),
                        crate::library::saved::Change::Remove(name) => format!("已删除已存检索“{name}”"),
                    };
                    let changed = store::WriteLock::take_current(&library).and_then(|(lock, library)| {
                        store::config_file::change_saved(&library, &lock, change)
                            .map(|list| (library.root.clone(), list))
                    });
                    match changed {
                        Ok((root, list)) => {
                            self.files_changed(Some(vec![root.join(store::plan::CONFIG_FILE)]), send);
                            send(Event::Notice(format!(
                                "{what}（资料库共 {} 个已存检索，保存在 casebook.yaml）",
                                list.len()
                            )));
                        }
                        Err(e) => send(Event::Error(format!("已存检索未改动：{e}"))),
                    }
                }
                Job::OpenFile(path) => {
                    if let Err(e) = open::that_detached(&path) {
                        send(Event::Error(format!(
                            "无法打开 {}：{}（可以在文件夹中找到它，用合适的程序打开）",
                            path.display(),
                            crate::os_error::describe(&e)
                        )));
                    }
                }
                Job::Similar { id } => {
                    if let Some(index) = &self.index {
                        match index.similar(&id, 8) {
                            Ok(hits) => send(Event::Similar { id, hits: hits.unwrap_or_default() }),
                            Err(e) => send(Event::Error(format!("查找相似经验失败：{e}"))),
                        }
                    }
                }
                Job::WriteFile { path, bytes, what } => {
                    let outside = match &self.root {
                        Some(root) => crate::store::output_outside(root, &path).map(|_| ()),
                        None => Ok(()),
                    };
                    match outside
                        .map_err(|e| e.to_string())
                        .and_then(|()| crate::store::write_atomic(&path, &bytes).map_err(|e| e.to_string()))
                    {
                        Ok(()) => send(Event::Written { path, what }),
                        Err(e) => send(Event::Error(format!("无法保存{what}到 {}：{e}", path.display()))),
                    }
                }
                Job::SaveRecord { library, rel, text, attachments, draft_key, new } => {
                    // The same lock as the CLI's: a `casebook new` or import waits for this save, and this one
                    // for them.
                    let saved = store::WriteLock::take_current(&library).and_then(|(lock, library)| {
                        // A new record's place was shown from the library as last read: a file that appeared
                        // there since stays as it is, and the record takes the next free name beside it.
                        let place = if new { store::free_place(&library, &rel) } else { rel.clone() };
                        let record = store::Write::record(&place, text);
                        let mut writes = vec![if new { record.expecting(store::Seen::Absent) } else { record }];
                        writes
                            .extend(attachments.into_iter().map(|(path, bytes)| store::Write::attachment(path, bytes)));
                        let planned = store::plan(&library, writes)?;
                        let warnings = planned.warnings.clone();
                        planned.commit(&lock)?.all_written()?;
                        Ok((place, warnings))
                    });
                    match saved {
                        Ok((place, warnings)) => {
                            let notice = (place != rel)
                                .then(|| format!("已保存为 {place}：原定的 {rel} 处后来出现了别的文件，未覆盖它"));
                            self.saved(&library.root, place, warnings, &draft_key, send);
                            if let Some(notice) = notice {
                                send(Event::Notice(notice));
                            }
                        }
                        Err(store::StoreError::Invalid(problems)) => send(Event::SaveRejected { problems }),
                        Err(e) => send(Event::SaveRejected { problems: vec![write_problem(&rel, e.to_string())] }),
                    }
                }
                Job::SaveImport { library, draft, draft_key } => {
                    // Plan once and write exactly that plan: planning after writing would pick a new id.
                    let result =
                        store::WriteLock::take_current(&library).map_err(Into::into).and_then(|(lock, library)| {
                            let plan = crate::import::plan_import(&library, &draft)?;
                            let done = (plan.rel.clone(), plan.warnings.clone());
                            crate::import::write_planned(plan, &lock)?;
                            Ok(done)
                        });
                    match result {
                        Ok((place, warnings)) => self.saved(&library.root, place, warnings, &draft_key, send),
                        Err(crate::import::ImportError::Invalid { problems, .. }) => {
                            send(Event::SaveRejected { problems })
                        }
                        Err(e) => send(Event::SaveRejected { problems: vec![write_problem("", e.to_string())] }),
                    }
                }
                Job::SaveDraft { key, rel, text } => {
                    if let Some(root) = &self.root
                        && let Err(e) = store::save_draft(root, &key, rel.as_deref(), &text)
                    {
                        send(Event::Error(format!("草稿未能保留：{e}")));
                    }
                }
                Job::DiscardDraft { key } => {
                    if let Some(root) = &self.root {
                        let _ = store::discard_draft(root, &key);
                    }
                }
                Job::Versions { rel } => {
                    if let Some(root) = &self.root {
                        match store::versions(root, &rel) {
                            Ok(versions) => send(Event::Versions { rel, versions }),
                            Err(e) => send(Event::Error(format!("无法读取历史版本：{e}"))),
                        }
                    }
                }
                Job::Restore { library, rel, version } => {
                    let restored = store::WriteLock::take_current(&library)
                        .and_then(|(lock, library)| store::restore(&library, &rel, &version, &lock));
                    match restored {
                        Ok(_) => self.saved(&library.root, rel, Vec::new(), "", send),
                        Err(e) => send(Event::Error(format!("恢复历史版本失败：{e}"))),
                    }
                }
                Job::Import { library, paths } => {
                    let results = paths
                        .into_iter()
                        .map(|p| {
                            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                            let mut progress = |step: &str| send(Event::ImportProgress(format!("{name}：{step}")));
                            let r = crate::import::import_file_with(
                                &library,
                                &p,
                                crate::import::Limits::default(),
                                &mut progress,
                            )
                            .map_err(|e| e.to_string());
                            (p, r)
                        })
                        .collect();
                    send(Event::Imported(results));
                }
                Job::ReadBundle { library, path } => match crate::bundle::read_bundle(&library, &path) {
                    Ok(plan) => send(Event::BundlePlan { path, plan: Box::new(plan) }),
                    Err(e) => send(Event::BundleFailed(format!("交换包 {} 未导入：{e}", path.display()))),
                },
                Job::ApplyBundle { library, plan, accepted } => {
                    let applied =
                        store::WriteLock::take_current(&library).map_err(Into::into).and_then(|(lock, library)| {
                            crate::bundle::apply(&library, &plan, &|e| accepted.contains(&e.rel), &lock)
                        });
                    match applied {
                        Ok(report) => {
                            if report.wrote_anything() {
                                self.files_changed(None, send);
                            }
                            send(Event::BundleApplied(report));
                        }
                        Err(e) => send(Event::BundleFailed(format!("导入交换包失败，资料库未改动：{e}"))),
                    }
                }
                Job::ExportBundle { library, district, out } => {
                    match crate::bundle::export(&library, &district, &out) {
                        Ok(r) => send(Event::Written {
                            path: r.path, what: format!("交换包（{} 条记录）", r.records)
                        }),
                        Err(e) => send(Event::Error(format!("导出交换包失败：{e}"))),
                    }
                }
                Job::Export { library, options } => {
                    let mut progress = |f: f32, step: &str| send(Event::ExportProgress(f, step.to_string()));
                    match crate::export::export(&library, &options, &mut progress) {
                        Ok(report) => send(Event::Exported(report)),
                        Err(e) => send(Event::ExportFailed(format!("导出失败：{e}"))),
                    }
                }
                Job::FilesChanged(mut paths) => {
                    // Let a burst of changes (a save writes several events) settle, keeping other jobs.
                    let mut deferred = Vec::new();
                    loop {
                        match jobs.recv_timeout(SETTLE) {
                            Ok(Job::FilesChanged(more)) => match (&mut paths, more) {
                                (Some(all), Some(more)) => all.extend(more),
                                _ => paths = None,
                            },
                            Ok(Job::Shutdown) => return,
                            Ok(other) => deferred.push(other),
                            Err(RecvTimeoutError::Timeout) => break,
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                    self.files_changed(paths, send);
                    for job in deferred {
                        let _ = self.watcher_jobs.send(job);
                    }
                }
            }
        }
    }

    fn open(&mut self, path: &Path, send: &(dyn Fn(Event) + Sync)) {
        self.index = None;
        self.watcher = None;
        self.ranking = None;
        // Loading the model maps its file: milliseconds. Without a model, search is lexical and nothing is said.
        self.semantic = match Semantic::open(path) {
            None => None,
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                send(Event::Error(format!("语义检索未启用：{e}")));
                None
            }
        };
        let config = match Config::load(path) {
            Ok(c) => c,
            Err(e) => {
                send(Event::Error(format!("无法打开资料库：{e}")));
                return;
            }
        };
        // The index first, as it was last left: it opens in a fraction of a second, so the first results show
        // at once. Comparing it with the files and reading the records for the detail pane and the overview
        // (seconds on a large library, on all cores) wait until the first searches are answered.
        self.root = Some(path.to_path_buf());
        self.opening = None;
        if let Some(index) = SearchIndex::open_unsynced(path, config.clone()) {
            let docs = index.num_docs();
            self.index = Some(index);
            send(Event::IndexReady { report: SyncReport::default(), docs });
            self.opening =
                Some(Opening { path: path.to_path_buf(), config, deadline: Instant::now() + OPENING_DEADLINE });
            return;
        }
        self.load_library(path, true);
        self.sync_opened(path, config, send);
    }

    /// The deferred rest of [`WorkerState::open`].
    fn finish_opening(&mut self, send: &(dyn Fn(Event) + Sync)) {
        let Some(Opening { path, config, .. }) = self.opening.take() else { return };
        self.load_library(&path, true);
        self.sync_opened(&path, config, send);
    }

    /// Brings the opened index up to date with the files (or builds it), then watches the folder.
    fn sync_opened(&mut self, path: &Path, config: Config, send: &(dyn Fn(Event) + Sync)) {
        let progress = |p: Progress| send(Event::Progress(p));
        let opened = match self.index.take() {
            Some(index) => index.catch_up(&progress),
            None => SearchIndex::open_with_progress(path, config, &progress),
        };
        match opened {
            Ok((index, report)) => {
                let docs = index.num_docs();
                self.index = Some(index);
                send(Event::IndexReady { report, docs });
            }
            Err(e) => send(Event::Error(format!("无法建立检索索引：{e}"))),
        }
        self.watch(path, send);
    }

    /// Reads the records on another thread and sends them (and, when opening, the drafts to offer back) unless
    /// a later reading has started meanwhile.
    fn load_library(&self, path: &Path, opening: bool) {
        let generation = self.library_generation.fetch_add(1, Ordering::SeqCst) + 1;
        let latest = Arc::clone(&self.library_generation);
        let send = Arc::clone(&self.events);
        let root = path.to_path_buf();
        let model = self.semantic.as_ref().map(|s| s.embedder.dir.clone());
        let embedding = Arc::clone(&self.embedding);
        let jobs = self.watcher_jobs.clone();
        let spawned = std::thread::Builder::new().name("casebook-records".into()).spawn(move || {
            let loaded = Library::load(&root);
            if latest.load(Ordering::SeqCst) != generation {
                return;
            }
            let library = match loaded {
                Ok(lib) => Arc::new(lib),
                Err(e) => {
                    send(Event::Error(format!("无法打开资料库：{e}")));
                    return;
                }
            };
            // The folder as it will be remembered (resolved here: the UI thread does no file IO).
            let remembered = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
            send(Event::LibraryLoaded { root: remembered, library: Arc::clone(&library) });
            if opening {
                let drafts = store::drafts_to_offer(&root);
                if !drafts.is_empty() {
                    send(Event::Drafts(drafts));
                }
            }
            if let Some(model) = model {
                let current = || latest.load(Ordering::SeqCst) == generation;
                embed_in_background(&model, &library, &embedding, current, &*send, &jobs);
            }
        });
        if let Err(e) = spawned {
            (self.events)(Event::Error(format!("无法启动读取资料的线程：{e}")));
        }
    }

    /// After a write: drop the draft, tell the UI, and bring the index and the records up to date at once
    /// (searchable well within a second) rather than waiting for the file watcher.
    fn saved(
        &mut self,
        root: &Path,
        rel: String,
        warnings: Vec<Problem>,
        draft_key: &str,
        send: &(dyn Fn(Event) + Sync),
    ) {
        if !draft_key.is_empty() {
            let _ = store::discard_draft(root, draft_key);
        }
        self.files_changed(Some(vec![root.join(&rel)]), send);
        send(Event::Saved { rel, warnings });
    }

    fn watch(&mut self, path: &Path, send: &(dyn Fn(Event) + Sync)) {
        let jobs = self.watcher_jobs.clone();
        let cache = path.join(crate::search::CACHE_DIR);
        let handler = move |res: notify::Result<notify::Event>| {
            if let Ok(event) = res {
                let relevant = event.paths.iter().any(|p| !p.starts_with(&cache));
                if relevant && !matches!(event.kind, notify::EventKind::Access(_)) {
                    // No paths (e.g. the system's event queue overflowed): compare every file.
                    let paths = (!event.paths.is_empty() && !event.need_rescan()).then_some(event.paths);
                    let _ = jobs.send(Job::FilesChanged(paths));
                }
            }
        };
        match notify::recommended_watcher(handler) {
            Ok(mut w) => match w.watch(path, notify::RecursiveMode::Recursive) {
                Ok(()) => self.watcher = Some(w),
                Err(e) => send(Event::Error(format!("无法监视文件夹变化（外部修改需重新打开才能检索到）：{e}"))),
            },
            Err(e) => send(Event::Error(format!("无法监视文件夹变化：{e}"))),
        }
    }

    /// Brings the index up to date for these changed paths (only those files are looked at: tens of
    /// milliseconds even at 100k write-ups), or for every file when `None` or when a path is not under the
    /// library as opened; then reads the records again on the helper thread.
    fn files_changed(&mut self, paths: Option<Vec<PathBuf>>, send: &(dyn Fn(Event) + Sync)) {
        let (Some(index), Some(root)) = (self.index.as_mut(), self.root.clone()) else { return };
        let synced = match paths {
            Some(paths) if paths.iter().all(|p| p.starts_with(&root)) => index.sync_paths(&paths),
            _ => index.sync(),
        };
        match synced {
            Ok(report) => {
                let docs = index.num_docs();
                send(Event::IndexReady { report, docs });
            }
            Err(e) => {
                send(Event::Error(format!("更新索引失败：{e}")));
                return;
            }
        }
        self.load_library(&root, false);
    }

    /// Adds the semantic ranking of the request's query, when a model is installed (the same ranking for every
    /// page of one query).
    fn add_semantic(&mut self, req: &mut SearchRequest) {
        let Some(semantic) = self.semantic.as_mut() else { return };
        if let Some((query, ranking)) = &self.ranking
            && *query == req.query
        {
            req.semantic = ranking.clone();
            return;
        }
        let ranking = semantic.ranking(&req.query).unwrap_or_default();
        self.ranking = Some((req.query.clone(), ranking.clone()));
        req.semantic = ranking;
    }

    /// Searches, rebuilding a damaged index once.
    fn search(&mut self, req: &SearchRequest, send: &(dyn Fn(Event) + Sync)) -> Option<SearchResults> {
        let index = self.index.take()?;
        match index.search(req) {
            Ok((index, results, recovered)) => {
                self.index = Some(index);
                if let Some(report) = recovered {
                    let docs = self.index.as_ref().map(|i| i.num_docs()).unwrap_or(0);
                    send(Event::IndexReady { report, docs });
                }
                Some(results)
            }
            Err(e) => {
                send(Event::Error(format!("检索失败：{e}")));
                // The index was consumed by the failed search: reopen it (it rebuilds itself if damaged).
                if let Some(root) = self.root.clone() {
                    self.open(&root, send);
                }
                None
            }
        }
    }
}

/// A 报表's indicator table (the dialog's file, read off the UI thread).
fn read_indicators(
    path: &Path,
    choices: &crate::import::indicators::Choices,
) -> Result<crate::import::indicators::IndicatorTable, String> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if !matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" | "et") {
        return Err(format!("{}：只能从表格文件（.xlsx、.xls、.et、.ods）导入指标", path.display()));
    }
    let bytes = crate::library::read_bounded(path, crate::library::original::MAX_ORIGINAL_BYTES)
        .map_err(|e| format!("{}：{e}", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    crate::import::indicators::read_table(&bytes, &ext, &name, choices)
}

/// 打印: the record's A4 page in a temporary folder, opened in the browser; says where it is.
fn print_page(library: &Library, id: &str, open: bool) -> Result<String, String> {
    let record = library.get(id).ok_or_else(|| format!("找不到记录 {id}"))?;
    let html = crate::export::print::html(library, record).ok_or_else(|| "这类记录不能打印".to_string())?;
    let dir = std::env::temp_dir().join("casebook-打印");
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("无法创建打印页的临时文件夹 {}：{}", dir.display(), crate::os_error::describe(&e)))?;
    let path = dir.join(format!("{}.html", crate::store::naming::file_name_safe(id)));
    // Like every output: never into the library (a temporary folder set inside it, links resolved).
    crate::store::output_outside(&library.root, &path).map_err(|e| format!("打印页未写出：{e}"))?;
    crate::store::write_atomic(&path, html.as_bytes()).map_err(|e| format!("无法写出打印页：{e}"))?;
    if open {
        open::that_detached(&path).map_err(|e| {
            format!("打印页已写入 {}，但无法用浏览器打开：{}", path.display(), crate::os_error::describe(&e))
        })?;
        Ok(format!("已在浏览器中打开打印页（{}）：按 Ctrl+P 打印或另存为 PDF", path.display()))
    } else {
        Ok(format!("打印页已写入 {}：用浏览器打开后按 Ctrl+P 打印", path.display()))
    }
}

/// A picture for 插入图片: a PNG, JPEG or BMP within [`MAX_IMAGE_BYTES`], told by its bytes, not its name.
fn read_image(path: &Path) -> Result<Vec<u8>, String> {
    use crate::ui::views::editor::MAX_IMAGE_BYTES;
    let bytes = crate::library::read_bounded(path, MAX_IMAGE_BYTES).map_err(|e| match e {
        crate::library::ReadError::TooLarge { bytes, .. } => format!(
            "图片 {} 有 {:.1} MB，超过 {} MB，请先压缩或截取需要的部分",
            path.display(),
            bytes as f64 / 1048576.0,
            MAX_IMAGE_BYTES >> 20
        ),
        e => format!("无法读取图片 {}：{}", path.display(), crate::os_error::describe(&e.into())),
    })?;
    match image::guess_format(&bytes) {
        Ok(image::ImageFormat::Png | image::ImageFormat::Jpeg | image::ImageFormat::Bmp) => Ok(bytes),
        _ => Err(format!("{} 不是 PNG、JPEG 或 BMP 图片，未插入", path.display())),
    }
}
