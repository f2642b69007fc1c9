//! 编辑: create and edit records. A metadata form on the left, the Markdown body and its live preview side by side
//! on the right. Saving renders the file (unknown front-matter keys kept), has the worker check it with the same
//! rules as `casebook check`, and only then writes it atomically, keeping the old version in the history.
//! Unsaved edits are kept as drafts every few seconds, so a crash loses at most those seconds.

mod fields;
mod form;

use std::time::{Duration, Instant};

use egui::{Key, KeyboardShortcut, Modifiers, RichText};

use crate::import::ImportDraft;
use crate::library::{Collection, Kind, Library, Meta, Problem, Project, Record, Severity, Site, Writeup};
use crate::store::{self, Draft, Version};
use crate::ui::app::{Command, Ctx};
use crate::ui::worker::Job;

/// Save with Ctrl+S (⌘S on a Mac).
pub const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
/// How often an unsaved edit is kept as a draft.
pub const DRAFT_EVERY: Duration = Duration::from_secs(3);

/// One record being edited.
pub struct Session {
    /// Names the draft: the file's path, or `new-…` for a record not saved yet.
    pub key: String,
    /// The file being edited; `None` until a new record is first saved.
    pub rel: Option<String>,
    pub meta: Meta,
    pub body: String,
    /// The front matter as it was on disk, so that keys the form does not know survive the save.
    pub previous_front_matter: Option<String>,
    /// Set when the record comes from an imported file (its images and the guesses travel with it).
    pub import: Option<ImportDraft>,
    /// What was last saved or opened (meta and body); `None`: never written (an import, a recovered draft), so
    /// unsaved whatever it holds.
    baseline: Option<(Meta, String)>,
    /// What the save in flight writes: the baseline once it is written (edits typed meanwhile stay unsaved).
    sent: Option<(Meta, String)>,
    /// The target path last shown, for the library (by address) and the form it was worked out from.
    target_shown: Option<((usize, Meta), String)>,
    pub saving: bool,
    pub draft_saved: Option<Instant>,
    /// What the last check said (errors block the save; warnings are shown).
    pub problems: Vec<Problem>,
    pub versions: Option<Vec<Version>>,
    buffers: fields::Buffers,
    /// Pictures added with 插入图片 and not saved yet: written beside the record, in `<stem>.assets/`, with it.
    pub images: Vec<crate::import::Asset>,
    /// Where 插入图片 was pressed (in characters), while the picture is being chosen and read.
    pub image_at: Option<usize>,
    /// 插入图片 was pressed this frame: the view asks the app for a file.
    wants_image: bool,
}

/// The folder name pending pictures are linked under until the record's file name is known at save.
pub const PENDING_IMAGES: &str = "待保存的图片";

/// The largest picture 插入图片 takes, in bytes (a photo from a phone is 3–8 MB).
pub const MAX_IMAGE_BYTES: u64 = 20 << 20;

impl Session {
    /// Edits an existing record.
    pub fn open(record: &Record) -> Session {
        Session::new(
            record.path.clone(),
            Some(record.path.clone()),
            record.meta.clone(),
            record.body.clone(),
            Some(record.front_matter.clone()),
        )
    }

    /// A new record of `kind`, with a body skeleton suited to it.
    pub fn create(kind: Kind) -> Session {
        let meta = match kind {
            Kind::Writeup => Meta::Writeup(Writeup {
                doc_type: Some(crate::library::rules::EXPERIENCE.into()),
                // Today, in Beijing time: most material is registered the day it is written.
                date: crate::store::history::format_beijing(crate::store::history::now_ms())
                    .get(..10)
                    .map(str::to_string),
                ..Default::default()
            }),
            Kind::Project => Meta::Project(Project::default()),
            Kind::Site => Meta::Site(Site::default()),
            Kind::Collection => Meta::Collection(Collection::default()),
        };
        let body =
            store::body_template(kind, Some(crate::library::rules::EXPERIENCE).filter(|_| kind == Kind::Writeup));
        let key = format!("new-{}-{}", kind.keyword(), crate::store::history::now_ms());
        // Until something is typed, a new record's template is nothing to lose.
        Session::new(key, None, meta, body.to_string(), None)
    }

    /// A record read from an outside file, with the guesses shown beside the form.
    pub fn imported(draft: ImportDraft) -> Session {
        let key = format!("import-{}", crate::store::history::now_ms());
        let mut s =
            Session::new(key, None, Meta::Writeup(draft.meta.clone()), draft.body.clone(), draft.front_matter.clone());
        s.import = Some(draft);
        s.baseline = None;
        s
    }

    /// A session restored from a draft kept before a crash.
    pub fn from_draft(draft: &Draft) -> Result<Session, String> {
        let rel = draft.target_rel.clone().unwrap_or_else(|| "草稿.md".into());
        let record = Record::parse(rel, &draft.text, crate::library::TextEncoding::Utf8)
            .map_err(|e| format!("草稿无法读取（第 {} 行）：{}", e.line, e.message))?;
        let mut s = Session::new(
            draft.key.clone(),
            draft.target_rel.clone(),
            record.meta,
            record.body,
            Some(record.front_matter),
        );
        s.baseline = None;
        Ok(s)
    }

    fn new(key: String, rel: Option<String>, meta: Meta, body: String, fm: Option<String>) -> Session {
        Session {
            key,
            rel,
            baseline: Some((meta.clone(), body.clone())),
            sent: None,
            target_shown: None,
            meta,
            body,
            previous_front_matter: fm,
            import: None,
            saving: false,
            draft_saved: None,
            problems: Vec::new(),
            versions: None,
            buffers: fields::Buffers::default(),
            images: Vec::new(),
            image_at: None,
            wants_image: false,
        }
    }

    /// Adds a picture at the place 插入图片 was pressed: kept with the session until it is saved, linked from
    /// its own line of the body. An import keeps it with the imported file's pictures.
    pub fn insert_image(&mut self, name: &str, bytes: Vec<u8>) {
        let at = self.image_at.take().unwrap_or_else(|| self.body.chars().count());
        let (stem, ext) = match name.rsplit_once('.') {
            Some((stem, ext)) => (stem, ext.to_lowercase()),
            None => (name, "png".to_string()),
        };
        let stem = crate::store::naming::safe_file_name(stem, 40).unwrap_or_else(|| "图片".to_string());
        let taken = |n: &str| {
            self.images.iter().any(|a| a.name == n)
                || self.import.as_ref().is_some_and(|d| d.assets.iter().any(|a| a.name == n))
        };
        let mut file = format!("{stem}.{ext}");
        let mut n = 2;
        while taken(&file) {
            file = format!("{stem}-{n}.{ext}");
            n += 1;
        }
        let dir = match &mut self.import {
            Some(draft) => {
                draft.assets.push(crate::import::Asset { name: file.clone(), bytes });
                draft.assets_dir.clone()
            }
            None => {
                self.images.push(crate::import::Asset { name: file.clone(), bytes });
                PENDING_IMAGES.to_string()
            }
        };
        let edit = crate::text::compose::image(&self.body, at, &stem, &format!("{dir}/{file}"));
        self.body = edit.text;
    }

    /// The body with pending pictures linked where they will be (`<stem>.assets/` beside `rel`), and the
    /// pictures still linked from it, as paths in the library.
    fn with_images(&self, rel: &str) -> (String, Vec<(String, Vec<u8>)>) {
        if self.images.is_empty() {
            return (self.body.clone(), Vec::new());
        }
        let (dir, file) = rel.rsplit_once('/').unwrap_or(("", rel));
        let stem = file.strip_suffix(".md").unwrap_or(file);
        let assets = format!("{stem}.assets");
        let body = self.body.replace(&format!("](<{PENDING_IMAGES}/"), &format!("](<{assets}/"));
        let files = self
            .images
            .iter()
            .filter(|a| body.contains(&format!("{assets}/{}>)", a.name)))
            .map(|a| {
                let path =
                    if dir.is_empty() { format!("{assets}/{}", a.name) } else { format!("{dir}/{assets}/{}", a.name) };
                (path, a.bytes.clone())
            })
            .collect();
        (body, files)
    }

    /// Whether there is anything to lose: the form and the body differ from what was last saved or opened
    /// (undoing back to it is clean again), or the session was never written.
    pub fn dirty(&self) -> bool {
        self.baseline.as_ref().is_none_or(|(meta, body)| *meta != self.meta || *body != self.body)
    }

    /// Takes what is in the form as saved.
    fn mark_saved(&mut self) {
        self.baseline = Some((self.meta.clone(), self.body.clone()));
    }

    fn kind(&self) -> Kind {
        match self.meta {
            Meta::Writeup(_) => Kind::Writeup,
            Meta::Project(_) => Kind::Project,
            Meta::Site(_) => Kind::Site,
            Meta::Collection(_) => Kind::Collection,
        }
    }

    fn title(&self) -> String {
        let t = match &self.meta {
            Meta::Writeup(w) => w.title.clone(),
            Meta::Project(p) => p.name.clone(),
            Meta::Site(s) => s.name.clone(),
            Meta::Collection(c) => c.title.clone(),
        };
        t.unwrap_or_else(|| format!("新{}", self.kind().label()))
    }

    /// The record as it will be written: empty rows dropped, and an id suggested if none was typed.
    fn cleaned_meta(&self, lib: &Library) -> Meta {
        let mut meta = self.meta.clone();
        let (id, district, project) = match &mut meta {
            Meta::Writeup(w) => (&mut w.id, w.district.clone(), w.project.clone()),
            Meta::Project(p) => (&mut p.id, p.district.clone(), None),
            Meta::Site(s) => (&mut s.id, s.district.clone(), None),
            Meta::Collection(c) => (&mut c.id, None, None),
        };
        if id.as_deref().is_none_or(|i| i.trim().is_empty()) && (district.is_some() || self.kind() == Kind::Collection)
        {
            *id = Some(store::suggest_id(lib, self.kind(), district.as_deref(), project.as_deref()));
        }
        match &mut meta {
            Meta::Collection(c) => {
                c.questions.retain(|q| !q.trim().is_empty());
                c.items.retain(|i| i.id.is_some() || i.note.is_some());
            }
            Meta::Site(s) => s.stops.retain(|s| *s != crate::library::Stop::default()),
            Meta::Project(p) => {
                p.indicators.retain(|i| *i != crate::library::Indicator::default());
                p.evaluation.retain(|e| *e != crate::library::Evaluation::default());
            }
            Meta::Writeup(_) => {}
        }
        meta
    }

    /// The full file text; `Err` with a Chinese message if the model cannot be written.
    pub fn render(&self, lib: &Library) -> Result<String, String> {
        store::render_record(&self.cleaned_meta(lib), self.previous_front_matter.as_deref(), &self.body)
            .map_err(|e| e.to_string())
    }

    /// Where the record goes: its file, or for a new one the place the library's layout gives it.
    fn target(&self, lib: &Library) -> String {
        self.rel.clone().unwrap_or_else(|| store::path_for_meta(lib, &self.cleaned_meta(lib)))
    }

    /// Where a new record will be saved, as shown above the form. The path (which looks at the folder and every
    /// record) is worked out again only when the form or the library changed, not at every frame.
    fn target_note(&mut self, lib: &std::sync::Arc<Library>) -> String {
        let needs_district = match &self.meta {
            Meta::Writeup(w) => w.district.is_none() && w.project.is_none(),
            Meta::Project(p) => p.district.is_none(),
            Meta::Site(site) => site.district.is_none(),
            Meta::Collection(_) => false,
        };
        if needs_district {
            return "保存位置：选择区县后确定".to_string();
        }
        let key = (std::sync::Arc::as_ptr(lib) as usize, self.meta.clone());
        match &self.target_shown {
            Some((k, text)) if *k == key => text.clone(),
            _ => {
                let text = format!("将保存为 {}", self.target(lib));
                self.target_shown = Some((key, text.clone()));
                text
            }
        }
    }

    /// Fields whose text is not a valid value yet.
    fn invalid_fields(&self) -> Vec<String> {
        let mut v: Vec<String> = self.buffers.invalid.values().cloned().collect();
        v.sort();
        v
    }
}

/// The editor view; at most one record is edited at a time.
#[derive(Default)]
pub struct EditorView {
    pub session: Option<Session>,
    /// Show the preview beside the body (on by default; narrow windows may hide it).
    pub hide_preview: bool,
}

impl EditorView {
    /// Whether there are edits not yet saved.
    pub fn is_dirty(&self) -> bool {
        self.session.as_ref().is_some_and(Session::dirty)
    }

    /// Starts the save: renders the record and asks for the worker to check it and write it (`None` when the
    /// form is not valid yet: its problems are shown instead).
    pub fn save(&mut self, lib: &std::sync::Arc<Library>) -> Option<Command> {
        let s = self.session.as_mut()?;
        let invalid = s.invalid_fields();
        if !invalid.is_empty() {
            s.problems = invalid
                .into_iter()
                .map(|m| Problem { path: s.key.clone(), line: 0, code: "field", message: m, severity: Severity::Error })
                .collect();
            return None;
        }
        if let Some(draft) = &s.import {
            let mut draft = draft.clone();
            if let Meta::Writeup(w) = s.cleaned_meta(lib) {
                draft.meta = w;
            }
            draft.body = s.body.clone();
            s.saving = true;
            s.sent = Some((s.meta.clone(), s.body.clone()));
            let job = Job::SaveImport { library: lib.clone(), draft: Box::new(draft), draft_key: s.key.clone() };
            return Some(Command::Work(job));
        }
        let rel = s.target(lib);
        let (body, attachments) = s.with_images(&rel);
        s.body = body;
        match s.render(lib) {
            Ok(text) => {
                s.saving = true;
                s.sent = Some((s.meta.clone(), s.body.clone()));
                let (library, draft_key, new) = (lib.clone(), s.key.clone(), s.rel.is_none());
                let job = Job::SaveRecord { library, rel, text, attachments, draft_key, new };
                Some(Command::Work(job))
            }
            Err(message) => {
                s.problems =
                    vec![Problem { path: s.key.clone(), line: 0, code: "render", message, severity: Severity::Error }];
                None
            }
        }
    }

    /// The worker's answer to a save.
    pub fn on_saved(&mut self, rel: &str, warnings: Vec<Problem>) {
        if let Some(s) = self.session.as_mut() {
            s.saving = false;
            s.baseline = s.sent.take().or_else(|| Some((s.meta.clone(), s.body.clone())));
            s.rel = Some(rel.to_string());
            s.key = rel.to_string();
            s.import = None;
            s.images.clear();
            s.problems = warnings;
            s.versions = None;
        }
    }

    /// The worker refused a save (check found errors, or the write failed): nothing was written.
    pub fn on_rejected(&mut self, problems: Vec<Problem>) {
        if let Some(s) = self.session.as_mut() {
            s.saving = false;
            s.sent = None;
            s.problems = problems;
        }
    }

    /// After a save or a restore the library reloads: take the front matter as now on disk, so the next save
    /// keeps it.
    pub fn on_library(&mut self, lib: &Library) {
        let Some(s) = self.session.as_mut() else { return };
        if s.dirty() {
            return;
        }
        if let Some(r) = s.rel.as_deref().and_then(|rel| lib.records.iter().find(|r| r.path == rel)) {
            let versions = s.versions.take();
            let problems = std::mem::take(&mut s.problems);
            *s = Session::open(r);
            s.versions = versions;
            s.problems = problems;
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &Ctx) -> Vec<Command> {
        let mut commands = Vec::new();
        let Some(lib) = ctx.library else {
            ui.spinner();
            return commands;
        };
        if ui.input_mut(|i| i.consume_shortcut(&SAVE)) {
            commands.extend(self.save(lib));
        }
        let hide_preview = &mut self.hide_preview;
        let Some(s) = self.session.as_mut() else {
            ui.heading("编辑");
            ui.label(
                "从“文件 → 新建”开始，或在检索结果、项目页上点“编辑”。也可以把 .docx、.txt、.md 文件拖进窗口导入。",
            );
            return commands;
        };
        // Keep a draft of unsaved edits every few seconds (the worker writes it).
        if s.dirty() && !s.saving {
            if s.draft_saved.is_none_or(|t| t.elapsed() >= DRAFT_EVERY) {
                if let Ok(text) = s.render(lib) {
                    commands.push(Command::Work(Job::SaveDraft { key: s.key.clone(), rel: s.rel.clone(), text }));
                }
                s.draft_saved = Some(Instant::now());
            }
            ui.ctx().request_repaint_after(DRAFT_EVERY);
        }

        egui::Panel::top("editor-bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                let verb = if s.rel.is_some() { "编辑" } else { "新建" };
                ui.heading(format!("{verb}{}：{}", s.kind().label(), s.title()));
            });
            ui.horizontal(|ui| {
                let save = ui.add_enabled(!s.saving, egui::Button::new("保存")).on_hover_text("Ctrl+S");
                if save.clicked() {
                    commands.push(Command::SaveEdit);
                }
                if let Some(rel) = s.rel.clone()
                    && ui.button("历史版本").clicked()
                {
                    commands.push(Command::Work(Job::Versions { rel }));
                }
                if ui.button("关闭").clicked() {
                    commands.push(Command::CloseEditor);
                }
                ui.checkbox(hide_preview, "隐藏预览");
                ui.separator();
                if s.saving {
                    ui.spinner();
                    ui.label("正在检查并保存……");
                } else if s.dirty() {
                    let when = s.draft_saved.map(|_| "（草稿已自动保留）").unwrap_or("");
                    ui.colored_label(egui::Color32::from_rgb(170, 110, 0), format!("有未保存的修改{when}"));
                } else {
                    ui.weak(format!("已保存：{}", s.rel.as_deref().unwrap_or("")));
                }
                if s.rel.is_none() && !s.saving {
                    ui.weak(s.target_note(lib));
                }
            });
            problems_ui(ui, &s.problems);
            if let Some(draft) = &s.import {
                import_notes(ui, draft);
            }
            if let Some(versions) = s.versions.clone() {
                commands.extend(versions_ui(ui, s, lib, &versions));
            }
        });
        egui::Panel::left("editor-form").default_size(470.0).resizable(true).show(ui, |ui| {
            egui::ScrollArea::vertical().id_salt("editor-form-scroll").show(ui, |ui| {
                form::form(ui, lib, &mut s.meta, &mut s.buffers);
            });
        });
        egui::CentralPanel::default().show(ui, |ui| {
            let body_label = match s.kind() {
                Kind::Site => "正文（解说词）",
                _ => "正文",
            };
            if *hide_preview {
                body_editor(ui, s, body_label);
            } else {
                ui.columns(2, |cols| {
                    body_editor(&mut cols[0], s, body_label);
                    cols[1].label(RichText::new("预览").strong());
                    egui::ScrollArea::vertical().id_salt("editor-preview").show(&mut cols[1], |ui| {
                        crate::ui::widgets::markdown::show(ui, &s.body, &[]);
                    });
                });
            }
        });
        if std::mem::take(&mut s.wants_image) {
            commands.push(Command::PickImage);
        }
        commands
    }
}

fn body_editor(ui: &mut egui::Ui, s: &mut Session, label: &str) {
    let l = ui.label(RichText::new(label).strong());
    let id = ui.make_persistent_id("editor-body-text");
    toolbar(ui, s, id);
    egui::ScrollArea::vertical().id_salt("editor-body").show(ui, |ui| {
        let edit = egui::TextEdit::multiline(&mut s.body)
            .id(id)
            .desired_width(f32::INFINITY)
            .desired_rows(30)
            .font(egui::TextStyle::Body);
        ui.add(edit).labelled_by(l.id);
    });
}

/// 标题一/二/三, 加粗, 列表, 表格: the structure of a 公文 without typing Markdown. Each button edits the body at
/// the cursor (kept by the text field while the button has focus) through `text::compose`, then gives the focus
/// back with the cursor after the edit.
fn toolbar(ui: &mut egui::Ui, s: &mut Session, id: egui::Id) {
    use crate::text::compose;
    use egui::text::{CCursor, CCursorRange};
    let selection = egui::text_edit::TextEditState::load(ui.ctx(), id)
        .and_then(|state| state.cursor.char_range())
        .map(|r| (r.primary.index.0, r.secondary.index.0))
        .unwrap_or_else(|| {
            let end = s.body.chars().count();
            (end, end)
        });
    let mut edit = None;
    ui.horizontal_wrapped(|ui| {
        for (rank, name, hint) in
            [(1, "标题一", "一、……（黑体）"), (2, "标题二", "（一）……（楷体）"), (3, "标题三", "1．……（仿宋加粗）")]
        {
            if ui.button(name).on_hover_text(format!("把光标所在行设为{hint}，自动编号")).clicked() {
                edit = Some(compose::heading(&s.body, selection.0, rank));
            }
        }
        if ui.button(RichText::new("加粗").strong()).on_hover_text("选中文字后点击").clicked() {
            edit = Some(compose::bold(&s.body, selection));
        }
        if ui.button("列表").on_hover_text("选中的各行前加项目符号").clicked() {
            edit = Some(compose::bullets(&s.body, selection));
        }
        if ui.button("表格").on_hover_text("在光标所在行后插入两列表格").clicked() {
            edit = Some(compose::table(&s.body, selection.0));
        }
        if ui
            .button("插入图片…")
            .on_hover_text("在光标所在行后插入一张图片（PNG、JPEG、BMP），保存时与材料一起存入资料库")
            .clicked()
        {
            s.image_at = Some(selection.0);
            s.wants_image = true;
        }
        ui.weak("一行即一段；以“一、”“（一）”“1．”开头的短行即为标题。");
    });
    if let Some(edit) = edit {
        s.body = edit.text;
        let mut state = egui::text_edit::TextEditState::load(ui.ctx(), id).unwrap_or_default();
        let (a, b) = edit.selection;
        state.cursor.set_char_range(Some(CCursorRange::two(CCursor::new(a), CCursor::new(b))));
        state.store(ui.ctx(), id);
        ui.memory_mut(|m| m.request_focus(id));
    }
}

fn problems_ui(ui: &mut egui::Ui, problems: &[Problem]) {
    if problems.is_empty() {
        return;
    }
    let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
    if errors > 0 {
        ui.colored_label(ui.visuals().error_fg_color, format!("有 {errors} 处错误，未保存。请改正后再保存："));
    } else {
        ui.label("已保存，但请注意：");
    }
    for p in problems {
        let (color, what) = match p.severity {
            Severity::Error => (ui.visuals().error_fg_color, "错误"),
            Severity::Warning => (egui::Color32::from_rgb(170, 110, 0), "提醒"),
        };
        let line = if p.line > 0 { format!("第 {} 行：", p.line) } else { String::new() };
        ui.colored_label(color, format!("· {what}　{line}{}", p.message));
    }
}

fn import_notes(ui: &mut egui::Ui, draft: &ImportDraft) {
    ui.label(RichText::new(format!("导入自 {}。以下为自动识别，请核对：", draft.source.display())).strong());
    let g = &draft.guesses;
    for (what, guess) in [
        ("标题", &g.title),
        ("区县", &g.district),
        ("日期", &g.date),
        ("年份", &g.year),
        ("文种", &g.doc_type),
        ("项目", &g.project),
    ] {
        if let Some(guess) = guess {
            ui.weak(format!("· {what}：{}（依据：{}）", guess.value, guess.from));
        }
    }
    for w in &draft.warnings {
        ui.colored_label(egui::Color32::from_rgb(170, 110, 0), format!("· {w}"));
    }
    if !draft.assets.is_empty() {
        ui.weak(format!("· 附带 {} 个图片，保存时放在材料旁的文件夹中", draft.assets.len()));
    }
    if let Some(o) = &draft.original {
        ui.weak(format!("· 原件 {} 连同校验值一起归档，保存时放在材料旁的文件夹中", o.asset.name));
    }
}

fn versions_ui(
    ui: &mut egui::Ui,
    s: &mut Session,
    lib: &std::sync::Arc<Library>,
    versions: &[Version],
) -> Vec<Command> {
    ui.separator();
    ui.horizontal(|ui| {
        ui.label(RichText::new("历史版本").strong());
        if ui.small_button("收起").clicked() {
            s.versions = None;
        }
    });
    if versions.is_empty() {
        ui.weak("还没有历史版本（每次保存前的内容都会留存）。");
    }
    let Some(rel) = s.rel.clone() else { return Vec::new() };
    let mut commands = Vec::new();
    egui::ScrollArea::vertical().id_salt("versions").max_height(140.0).show(ui, |ui| {
        for v in versions {
            ui.horizontal(|ui| {
                ui.label(format!("{}　{} 字节", v.label(), v.bytes));
                if ui.small_button("恢复此版本").on_hover_text("当前内容也会先留存为历史版本").clicked()
                {
                    let version = v.clone();
                    commands.push(Command::Work(Job::Restore { library: lib.clone(), rel: rel.clone(), version }));
                    s.versions = None;
                    // The restored version replaces what is shown once the library reloads.
                    s.mark_saved();
                }
            });
        }
    });
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsaved_means_different_from_what_was_saved() {
        let text = "---\nid: a\ntitle: 甲\ndistrict: 渝中区\nyear: 2021\n---\n正文\n";
        let record = Record::parse("a.md".into(), text, crate::library::TextEncoding::Utf8).unwrap();
        let mut s = Session::open(&record);
        assert!(!s.dirty(), "nothing typed yet");
        s.body.push('！');
        assert!(s.dirty());
        s.body.pop();
        assert!(!s.dirty(), "undone back to the saved text");
        if let Meta::Writeup(w) = &mut s.meta {
            w.title = Some("乙".into());
        }
        assert!(s.dirty());
        // A save in flight: what is typed meanwhile stays unsaved once it is written.
        s.sent = Some((s.meta.clone(), s.body.clone()));
        s.body.push_str("又一句");
        let mut editor = EditorView { session: Some(s), ..Default::default() };
        editor.on_saved("a.md", Vec::new());
        assert!(editor.is_dirty());
        // A new record's template is nothing to lose; an import is, until it is saved.
        assert!(!Session::create(Kind::Writeup).dirty());
    }
}
