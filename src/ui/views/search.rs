//! 检索: the search bar, facets with counts, filter chips, a virtualised results list and the detail pane.

use std::collections::HashSet;

use egui::text::LayoutJob;
use egui::{Align, Layout, RichText, TextFormat};

use crate::library::original::OriginalState;
use crate::library::saved::{self, SavedSearch};
use crate::library::{Meta, Record};
use crate::search::{Facet, Facets, Filters, Hit, SearchRequest, SearchResults, Tier};
use crate::ui::app::{Command, Ctx};
use crate::ui::widgets::{chip, markdown};
use crate::ui::worker::Job;

/// Time after the last keystroke before searching (search as you type without a query per keystroke).
pub const DEBOUNCE_SECS: f64 = 0.2;
/// A typed query goes into the history once its results have stood this long without another keystroke.
pub const REMEMBER_AFTER_SECS: f64 = 1.5;
/// Rows fetched per page of results.
const PAGE: usize = 100;
/// Height of one result row.
const ROW_HEIGHT: f32 = 74.0;
/// At most this many rows are scrollable (beyond that, refine the query).
const MAX_ROWS: usize = 100_000;

/// The current answer, with rows filled in as pages arrive.
#[derive(Debug, Default)]
pub struct Results {
    pub seq: u64,
    /// The query text these results answer.
    pub query: String,
    pub total: usize,
    /// How many of `total` match the whole query (the rest are related hits, listed after them).
    pub exact: usize,
    /// How many of `total` were found by meaning alone (语义相近), listed among the related hits.
    pub semantic: usize,
    pub took_ms: f64,
    pub rows: Vec<Option<Hit>>,
    pub facets: Facets,
    pub terms: Vec<String>,
    /// Only the beginning of an overlong query was searched.
    pub truncated: bool,
    requested: HashSet<usize>,
}

/// State of the search view.
#[derive(Default)]
pub struct SearchView {
    pub query: String,
    pub filters: Filters,
    pub results: Option<Results>,
    pub selected: Option<String>,
    pub similar: Option<(String, Vec<Hit>)>,
    /// When the query was last edited (egui time), while a search is pending.
    edited_at: Option<f64>,
    seq: u64,
    focus: bool,
    /// The query the current results answer.
    searched: Option<(String, Filters)>,
    /// When the query was last typed into (egui time); `-∞` once submitted with Enter or from the history.
    last_edit: f64,
    /// The last query this view put in the history.
    remembered: String,
    /// A result row to bring into view (after ↑/↓).
    scroll_to: Option<usize>,
    /// The result list's scroll offset and visible height at the last frame.
    results_view: (f32, f32),
    /// The record whose original was asked about, and the answer once it came.
    original: Option<(String, Option<OriginalState>)>,
    /// The name being typed for 保存当前检索, while its dialog is open.
    save_name: Option<String>,
}

impl SearchView {
    pub fn request_focus(&mut self) {
        self.focus = true;
    }

    pub fn reset_results(&mut self) {
        self.results = None;
        self.searched = None;
        self.selected = None;
        self.similar = None;
    }

    /// Searches again (after the index changed).
    pub fn rerun(&mut self) -> Vec<Command> {
        let mut out = Vec::new();
        self.search_now(&mut out);
        out
    }

    /// The search on screen, as it would be saved (已存检索).
    pub fn current(&self, name: &str) -> SavedSearch {
        let f = &self.filters;
        SavedSearch {
            name: name.to_string(),
            query: self.query.trim().to_string(),
            district: f.district.clone(),
            themes: f.theme.clone(),
            types: f.doc_type.clone(),
            years: f.year.clone(),
            within: f.within.clone(),
        }
    }

    /// Runs a saved search: its words in the field, its filters beside them.
    fn run_saved(&mut self, saved: &SavedSearch, out: &mut Vec<Command>) {
        self.query = saved.query.clone();
        self.filters = Filters::of_saved(saved);
        self.last_edit = f64::NEG_INFINITY;
        self.search_now(out);
    }

    /// 在结果中检索: the words that found the results on screen become a restriction, and the field is cleared
    /// for the words that narrow them.
    fn narrow(&mut self, out: &mut Vec<Command>) {
        let query = self.query.trim().to_string();
        if query.is_empty() {
            return;
        }
        self.filters.within.push(query);
        self.query.clear();
        self.focus = true;
        self.search_now(out);
    }

    fn request(&self, offset: usize, limit: usize) -> SearchRequest {
        SearchRequest { query: self.query.clone(), filters: self.filters.clone(), limit, offset, semantic: Vec::new() }
    }

    fn search_now(&mut self, out: &mut Vec<Command>) {
        self.seq += 1;
        self.edited_at = None;
        let asked = Some((self.query.clone(), self.filters.clone()));
        if asked != self.searched {
            // The detail pane follows a new search rather than keep a record of the old one.
            self.selected = None;
            self.similar = None;
        }
        self.searched = asked;
        out.push(Command::Work(Job::Search { seq: self.seq, req: self.request(0, PAGE) }));
    }

    pub fn on_results(&mut self, seq: u64, r: SearchResults) {
        if seq != self.seq {
            return;
        }
        let total = r.total.min(MAX_ROWS);
        let mut rows: Vec<Option<Hit>> = Vec::with_capacity(total);
        rows.extend(r.hits.into_iter().map(Some));
        rows.resize_with(total, || None);
        let mut requested = HashSet::new();
        requested.insert(0);
        self.results = Some(Results {
            seq,
            exact: r.exact,
            semantic: r.semantic,
            query: r.query,
            total: r.total,
            took_ms: r.took_ms,
            rows,
            facets: r.facets,
            terms: r.terms,
            truncated: r.truncated,
            requested,
        });
    }

    pub fn on_page(&mut self, seq: u64, offset: usize, hits: Vec<Hit>) {
        let Some(results) = self.results.as_mut().filter(|r| r.seq == seq) else { return };
        for (i, hit) in hits.into_iter().enumerate() {
            if let Some(slot) = results.rows.get_mut(offset + i) {
                *slot = Some(hit);
            }
        }
    }

    /// What the worker said of the shown record's original (`None` until it answers, or when it names none).
    pub fn original_state(&self) -> Option<crate::library::original::OriginalState> {
        self.original
            .as_ref()
            .filter(|(id, _)| self.selected.as_deref() == Some(id.as_str()))
            .and_then(|(_, s)| s.clone())
    }

    /// The worker's answer about a record's original.
    pub fn on_original(&mut self, id: String, state: Option<OriginalState>) {
        if let Some((asked, answer)) = &mut self.original
            && *asked == id
        {
            *answer = state;
        }
    }

    pub fn on_similar(&mut self, id: String, hits: Vec<Hit>) {
        if self.selected.as_deref() == Some(id.as_str()) {
            self.similar = Some((id, hits));
        }
    }

    /// The query to put in the history, once: a query submitted (Enter, the history menu) at once, a typed one
    /// when its results have stood for [`REMEMBER_AFTER_SECS`] without another keystroke, so the history holds
    /// what was searched for, not every prefix typed on the way (楓, 楓橋, …).
    fn settled_query(&mut self, now: f64, ctx: &egui::Context) -> Option<Command> {
        let (query, _) = self.searched.as_ref()?;
        let query = query.trim();
        if query.is_empty() || query == self.remembered || self.edited_at.is_some() {
            return None;
        }
        let wait = REMEMBER_AFTER_SECS - (now - self.last_edit);
        if wait > 0.0 {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(wait));
            return None;
        }
        self.remembered = query.to_string();
        Some(Command::RememberQuery(self.remembered.clone()))
    }

    /// Moves the selection `step` rows down (or up) among the loaded results and brings that row into view.
    fn step_selection(&mut self, step: i64, out: &mut Vec<Command>) {
        let Some(results) = &self.results else { return };
        let ids: Vec<&str> = results.rows.iter().map_while(|r| r.as_ref().map(|h| h.id.as_str())).collect();
        if ids.is_empty() {
            return;
        }
        let now = self.selected.as_deref().and_then(|s| ids.iter().position(|id| *id == s));
        let next = match now {
            None if step > 0 => 0,
            None => return,
            Some(i) => (i as i64 + step).clamp(0, ids.len() as i64 - 1) as usize,
        };
        let id = ids[next].to_string();
        self.scroll_to = Some(next);
        self.select(id, out);
    }

    /// Shows a record in the detail pane and asks for similar write-ups.
    pub fn open(&mut self, id: String) -> Vec<Command> {
        let mut out = Vec::new();
        self.select(id, &mut out);
        out
    }

    fn select(&mut self, id: String, out: &mut Vec<Command>) {
        if self.selected.as_deref() != Some(id.as_str()) {
            self.similar = None;
            out.push(Command::Work(Job::Similar { id: id.clone() }));
            self.selected = Some(id);
        }
    }

    /// Draws the view.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &Ctx) -> Vec<Command> {
        let mut commands = Vec::new();
        // The work the view asks of the worker (searches, pages, similar write-ups), sent by the app.
        let mut work = Vec::new();
        let out = &mut work;
        // Ctrl+↑/↓ walk the results from anywhere in the view (before the search field sees the keys).
        let step = ui.input_mut(|i| {
            let mut step = 0;
            for (key, by) in [(egui::Key::ArrowDown, 1), (egui::Key::ArrowUp, -1)] {
                if i.consume_shortcut(&egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, key)) {
                    step += by;
                }
            }
            step
        });
        if step != 0 {
            self.step_selection(step, out);
        }
        commands.extend(self.search_bar(ui, ctx, out));
        self.chips(ui, out);
        let now = ui.input(|i| i.time);
        if let Some(t) = self.edited_at {
            let wait = DEBOUNCE_SECS - (now - t);
            if wait <= 0.0 {
                if ctx.index_ready {
                    self.search_now(out);
                }
            } else {
                ui.ctx().request_repaint_after(std::time::Duration::from_secs_f64(wait));
            }
        }
        if ctx.index_ready && self.searched.is_none() && self.edited_at.is_none() {
            self.search_now(out);
        }
        commands.extend(self.settled_query(now, ui.ctx()));
        ui.separator();
        egui::Panel::left("facets").resizable(true).default_size(200.0).min_size(150.0).show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("facet-scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| self.facets(ui, ctx, out));
        });
        let detail_width = (ui.available_width() * 0.45).max(320.0);
        egui::Panel::right("detail").resizable(true).default_size(detail_width).min_size(260.0).show(ui, |ui| {
            // One scroll position per record: a record opened starts at its top.
            let salt = ("detail-scroll", self.selected.clone());
            egui::ScrollArea::vertical().id_salt(salt).auto_shrink([false, false]).show(ui, |ui| {
                commands.extend(self.detail(ui, ctx));
            });
        });
        egui::CentralPanel::default().show(ui, |ui| self.results_list(ui, out));
        commands.extend(work);
        commands
    }

    fn search_bar(&mut self, ui: &mut egui::Ui, ctx: &Ctx, out: &mut Vec<Command>) -> Option<Command> {
        let mut history_cleared = false;
        let mut command = None;
        ui.horizontal(|ui| {
            let label = ui.label(RichText::new("关键词").strong());
            let status_width = self.status_width();
            let edit = egui::TextEdit::singleline(&mut self.query)
                .id_salt("search-field")
                .hint_text("输入关键词，如：枫桥经验  \"矛盾纠纷化解\"  -信访  district:渝中区")
                // Room on the right for 历史, the count and, for a cut query, its note.
                .desired_width((ui.available_width() - status_width).max(200.0));
            let response = ui.add(edit).labelled_by(label.id);
            if self.focus {
                response.request_focus();
                self.focus = false;
            }
            if response.changed() {
                self.edited_at = Some(ui.input(|i| i.time));
                self.last_edit = ui.input(|i| i.time);
            }
            if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) && ctx.index_ready {
                self.last_edit = f64::NEG_INFINITY;
                self.search_now(out);
            }
            // ↑/↓ from the search field walk the results, showing each in the detail pane.
            if response.has_focus() {
                let step =
                    ui.input(|i| i.key_pressed(egui::Key::ArrowDown) as i64 - i.key_pressed(egui::Key::ArrowUp) as i64);
                if step != 0 {
                    self.step_selection(step, out);
                }
            }
            ui.menu_button("历史", |ui| {
                ui.set_min_width(200.0);
                if ctx.history.is_empty() {
                    ui.weak("（暂无检索历史）");
                }
                for q in ctx.history.iter().cloned() {
                    if ui.button(&q).clicked() {
                        self.query = q;
                        self.last_edit = f64::NEG_INFINITY;
                        self.search_now(out);
                        ui.close();
                    }
                }
                if !ctx.history.is_empty() {
                    ui.separator();
                    if ui.button("清除检索历史").clicked() {
                        history_cleared = true;
                        ui.close();
                    }
                }
            });
            if let Some(c) = self.saved_menu(ui, ctx, out) {
                command = Some(c);
            }
            let can_narrow = !self.query.trim().is_empty() && self.results.as_ref().is_some_and(|r| r.total > 0);
            if ui
                .add_enabled(can_narrow, egui::Button::new("在结果中检索"))
                .on_hover_text("保留当前结果，再输入词语在其中缩小范围（可多次）")
                .clicked()
            {
                self.narrow(out);
            }
            if let Some(r) = &self.results {
                let counts = match (r.exact, r.total - r.exact) {
                    (_, 0) => format!("共 {} 条", r.total),
                    (e, rel) if r.semantic > 0 => {
                        format!("完全匹配 {e} 条 · 相关 {} 条 · 语义相近 {} 条", rel - r.semantic, r.semantic)
                    }
                    (e, rel) => format!("完全匹配 {e} 条 · 相关 {rel} 条"),
                };
                ui.label(format!("{counts} · {:.1} 毫秒", r.took_ms)).on_hover_text(
                    "完全匹配：包含全部检索词（或其同义词）；相关：包含部分检索词或其近义词，排在完全匹配之后；\n\
                     语义相近：不含检索词，但内容与所问相近（需安装语义模型）。\n\
                     左侧分类统计按全部结果计数。",
                );
                if r.truncated {
                    ui.colored_label(ui.visuals().warn_fg_color, "查询过长，已截断")
                        .on_hover_text(crate::search::query::truncation_note());
                }
            } else if !ctx.index_ready {
                ui.spinner();
                ui.label("正在建立索引，可先输入");
            }
        });
        if let Some(c) = self.save_dialog(ui) {
            command = Some(c);
        }
        if history_cleared { Some(Command::ClearHistory) } else { command }
    }

    /// 已存检索: the library's saved searches (shared through its casebook.yaml), and saving the one on screen.
    fn saved_menu(&mut self, ui: &mut egui::Ui, ctx: &Ctx, out: &mut Vec<Command>) -> Option<Command> {
        let saved: Vec<SavedSearch> = ctx.library.map(|l| l.config.saved_searches.clone()).unwrap_or_default();
        let mut command = None;
        ui.menu_button("已存检索", |ui| {
            ui.set_min_width(240.0);
            if saved.is_empty() {
                ui.weak("（本资料库还没有已存检索）");
            }
            for s in &saved {
                ui.horizontal(|ui| {
                    if ui.button(&s.name).on_hover_text(s.describe()).clicked() {
                        self.run_saved(s, out);
                        ui.close();
                    }
                    if ui.small_button("删除").on_hover_text(format!("从资料库中删除已存检索“{}”", s.name)).clicked()
                    {
                        command = Some(Command::ChangeSaved(saved::Change::Remove(s.name.clone())));
                        ui.close();
                    }
                });
            }
            ui.separator();
            let can_save = ctx.library.is_some() && !(self.query.trim().is_empty() && self.filters.is_empty());
            if ui
                .add_enabled(can_save, egui::Button::new("保存当前检索…"))
                .on_hover_text(
                    "检索词、筛选条件和“在结果中检索”一并保存到资料库的 casebook.yaml，同一资料库的同事都能用",
                )
                .clicked()
            {
                self.save_name = Some(self.query.trim().chars().take(saved::MAX_NAME_CHARS).collect());
                ui.close();
            }
        });
        command
    }

    /// The dialog that names the search to save.
    fn save_dialog(&mut self, ui: &mut egui::Ui) -> Option<Command> {
        let name = self.save_name.as_mut()?;
        let mut save = false;
        let shown = egui::Modal::new(egui::Id::unique("save-search")).show(ui.ctx(), |ui| {
            ui.heading("保存当前检索");
            ui.label("保存到资料库的 casebook.yaml，同一资料库的同事都能在“已存检索”中使用。同名的已存检索会被替换。");
            let label = ui.label("名称");
            let edit = ui.add(egui::TextEdit::singleline(name).desired_width(320.0)).labelled_by(label.id);
            // The one field of the dialog: typing goes there from the start.
            if !edit.has_focus() && !edit.lost_focus() {
                edit.request_focus();
            }
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                save = (ui.add_enabled(!name.trim().is_empty(), egui::Button::new("保存")).clicked() || enter)
                    && !name.trim().is_empty();
                if ui.button("取消").clicked() {
                    ui.close();
                }
            });
        });
        if save {
            let name = self.save_name.take().unwrap_or_default();
            return Some(Command::ChangeSaved(saved::Change::Put(self.current(name.trim()))));
        }
        if shown.should_close() {
            self.save_name = None;
        }
        None
    }

    /// Width the search bar keeps free right of the field.
    fn status_width(&self) -> f32 {
        let extra = |r: &Results| {
            (if r.truncated { 110.0 } else { 0.0 })
                + (if r.exact < r.total { 110.0 } else { 0.0 })
                + (if r.semantic > 0 { 100.0 } else { 0.0 })
        };
        // 历史, 已存检索, 在结果中检索 and the count.
        390.0 + self.results.as_ref().map(extra).unwrap_or(0.0)
    }

    fn chips(&mut self, ui: &mut egui::Ui, out: &mut Vec<Command>) {
        let f = &mut self.filters;
        if f.is_empty() {
            return;
        }
        let mut changed = false;
        ui.horizontal_wrapped(|ui| {
            ui.label("筛选：");
            let mut remove = None;
            for (i, w) in f.within.iter().enumerate() {
                if chip(ui, &format!("在“{w}”的结果中")) {
                    remove = Some(i);
                }
            }
            if let Some(i) = remove {
                f.within.remove(i);
                changed = true;
            }
            for (list, prefix) in
                [(&mut f.district, ""), (&mut f.theme, ""), (&mut f.doc_type, ""), (&mut f.year, "年份 ")]
            {
                let mut remove = None;
                for (i, v) in list.iter().enumerate() {
                    if chip(ui, &format!("{prefix}{v}")) {
                        remove = Some(i);
                    }
                }
                if let Some(i) = remove {
                    list.remove(i);
                    changed = true;
                }
            }
            if ui.small_button("清除全部").clicked() {
                *f = Filters::default();
                changed = true;
            }
        });
        if changed {
            self.search_now(out);
        }
    }

    fn facets(&mut self, ui: &mut egui::Ui, ctx: &Ctx, out: &mut Vec<Command>) {
        let facets = self.results.as_ref().map(|r| r.facets.clone()).unwrap_or_default();
        let mut changed = false;
        let groups: Vec<(String, Vec<String>)> = ctx
            .library
            .map(|l| l.config.theme_groups.iter().map(|g| (g.name.clone(), g.themes.clone())).collect())
            .unwrap_or_default();
        if let Some(r) = self.results.as_ref().filter(|r| r.exact < r.total) {
            ui.weak(format!("以下计数含相关结果（共 {} 条）", r.total));
        }
        for facet in Facet::ALL {
            let counts = facets.counts(facet);
            let filter = facet.filter_mut(&mut self.filters);
            if facet == Facet::Theme {
                // Themes are shown in their groups (五元共治, 五险联控, 五治并举).
                for (group, themes) in &groups {
                    changed |= facet_section(ui, group, counts, Some(themes), filter);
                }
            } else {
                changed |= facet_section(ui, facet.label(), counts, None, filter);
            }
        }
        if changed {
            self.search_now(out);
        }
    }

    fn results_list(&mut self, ui: &mut egui::Ui, out: &mut Vec<Command>) {
        let Some(results) = self.results.as_mut() else {
            ui.label("输入关键词开始检索。");
            return;
        };
        if results.rows.is_empty() {
            if results.truncated {
                ui.label(format!("{}。粘贴的长段文字请改为几个关键词。", crate::search::query::truncation_note()));
            }
            ui.label(
                "没有找到结果。可以减少关键词、去掉筛选条件，或换一个说法（如“综治中心”与“社会治安综合治理中心”）。",
            );
            return;
        }
        let mut clicked = None;
        let mut missing = None;
        let selected = self.selected.clone();
        let mut area = egui::ScrollArea::vertical().id_salt("results").auto_shrink([false, false]);
        if let Some(i) = self.scroll_to.take() {
            let row = ROW_HEIGHT + ui.spacing().item_spacing.y;
            let (top, height) = self.results_view;
            let y = i as f32 * row;
            if y < top || y + row > top + height {
                area = area.vertical_scroll_offset((y - height / 2.0).max(0.0));
            }
        }
        let shown = area.show_rows(ui, ROW_HEIGHT, results.rows.len(), |ui, range| {
            for i in range {
                match &results.rows[i] {
                    Some(hit) => {
                        if result_row(ui, hit, selected.as_deref() == Some(hit.id.as_str())) {
                            clicked = Some(hit.id.clone());
                        }
                    }
                    None => {
                        missing.get_or_insert(i);
                        ui.allocate_ui(egui::vec2(ui.available_width(), ROW_HEIGHT), |ui| {
                            ui.weak("加载中……");
                        });
                    }
                }
            }
        });
        self.results_view = (shown.state.clamped_offset().y, shown.inner_rect.height());
        if let Some(i) = missing {
            let page = i / PAGE * PAGE;
            if results.requested.insert(page) {
                let req = SearchRequest {
                    query: self.query.clone(),
                    filters: self.filters.clone(),
                    limit: PAGE,
                    offset: page,
                    semantic: Vec::new(),
                };
                out.push(Command::Work(Job::Page { seq: results.seq, req }));
            }
        }
        if let Some(id) = clicked {
            self.select(id, out);
        }
    }

    fn detail(&mut self, ui: &mut egui::Ui, ctx: &Ctx) -> Vec<Command> {
        let mut commands = Vec::new();
        let Some(id) = self.selected.clone() else {
            ui.weak("点击左侧结果查看全文。");
            return commands;
        };
        let Some(lib) = ctx.library else {
            // Results come from the index at once; the records follow a moment later on a large library.
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak("正在读取资料，稍候即可查看全文……");
            });
            return commands;
        };
        let Some(record) = lib.get(&id) else {
            ui.weak(format!("记录 {id} 已不存在。"));
            return commands;
        };
        let terms = self.results.as_ref().map(|r| r.terms.clone()).unwrap_or_default();
        let mut title = LayoutJob::default();
        let format = TextFormat {
            font_id: egui::FontId::proportional(20.0),
            color: ui.visuals().strong_text_color(),
            ..Default::default()
        };
        markdown::append(&mut title, record.title(), &terms, format);
        // The title wraps to the pane (a long one never widens it); the actions follow on their own line.
        ui.add(egui::Label::new(title).wrap());
        ui.horizontal_wrapped(|ui| {
            if ui.button("编辑").on_hover_text("在编辑器中修改这条记录").clicked() {
                commands.push(Command::EditRecord(id.clone()));
            }
            if matches!(record.kind(), crate::library::Kind::Writeup | crate::library::Kind::Project)
                && ui.button("打印…").on_hover_text("在浏览器中打开 A4 打印页，可打印或另存为 PDF").clicked()
            {
                commands.push(Command::Print(id.clone()));
            }
            let target = match record.kind() {
                crate::library::Kind::Site => Some(crate::export::Target::Site(id.clone())),
                crate::library::Kind::Collection => Some(crate::export::Target::Collection(id.clone())),
                _ => None,
            };
            if let Some(target) = target
                && ui.button("导出…").on_hover_text("导出为网页、Word 文档和 Markdown").clicked()
            {
                commands.push(Command::ExportTarget(target));
            }
        });
        // The original is read and hashed by the worker, once per record shown.
        if crate::library::original::original_of(record).is_some()
            && self.original.as_ref().is_none_or(|(asked, _)| *asked != id)
        {
            self.original = Some((id.clone(), None));
            commands.push(Command::VerifyOriginal(id.clone()));
        }
        let original = self.original.as_ref().filter(|(asked, _)| *asked == id).and_then(|(_, s)| s.as_ref());
        commands.extend(header(ui, lib, record, original));
        ui.separator();
        markdown::show(ui, &record.body, &terms);
        ui.separator();
        ui.label(RichText::new("相似经验（其他区县优先）").strong());
        match &self.similar {
            Some((sid, hits)) if *sid == id => {
                if hits.is_empty() {
                    ui.weak("暂无相似材料。");
                }
                for h in hits {
                    // Wrapped: a long title never widens the pane (and with it squeezes the result list).
                    ui.horizontal_wrapped(|ui| {
                        if ui.link(&h.title).clicked() {
                            commands.push(Command::OpenRecord(h.id.clone()));
                        }
                        ui.weak(format!("{} · {}", h.district, h.doc_type));
                    });
                }
            }
            _ => {
                ui.spinner();
            }
        }
        commands
    }
}

/// One facet section; returns true when the selection changed.
fn facet_section(
    ui: &mut egui::Ui,
    title: &str,
    counts: &std::collections::BTreeMap<String, u64>,
    only: Option<&Vec<String>>,
    selected: &mut Vec<String>,
) -> bool {
    let mut changed = false;
    let mut values: Vec<(String, u64)> = match only {
        Some(list) => list.iter().map(|v| (v.clone(), counts.get(v).copied().unwrap_or(0))).collect(),
        None => counts.iter().map(|(k, v)| (k.clone(), *v)).collect(),
    };
    for s in selected.iter() {
        if !values.iter().any(|(v, _)| v == s) {
            values.push((s.clone(), 0));
        }
    }
    if only.is_none() {
        values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
    egui::CollapsingHeader::new(title).default_open(true).show(ui, |ui| {
        for (value, count) in values {
            let mut on = selected.contains(&value);
            let label = format!("{value}（{count}）");
            let enabled = count > 0 || on;
            if ui.add_enabled(enabled, egui::Checkbox::new(&mut on, label)).changed() {
                if on {
                    selected.push(value);
                } else {
                    selected.retain(|s| *s != value);
                }
                changed = true;
            }
        }
    });
    changed
}

/// One result row; returns true when clicked.
fn result_row(ui: &mut egui::Ui, hit: &Hit, selected: bool) -> bool {
    let mut clicked = false;
    let row =
        ui.allocate_ui_with_layout(egui::vec2(ui.available_width(), ROW_HEIGHT), Layout::top_down(Align::Min), |ui| {
            ui.set_height(ROW_HEIGHT);
            let title = if hit.title.is_empty() { hit.id.clone() } else { hit.title.clone() };
            clicked |= ui.add(egui::Button::selectable(selected, RichText::new(title).strong()).truncate()).clicked();
            let year = hit.year.map(|y| format!("{y}年")).unwrap_or_default();
            let matched = if hit.tier == Tier::Related && !hit.matched.is_empty() {
                format!("相关 · 含“{}”", hit.matched.join("”“"))
            } else if hit.tier == Tier::Semantic {
                "语义相近".to_string()
            } else {
                String::new()
            };
            let meta: Vec<&str> = [
                matched.as_str(),
                hit.district.as_str(),
                hit.project_name.as_str(),
                hit.doc_type.as_str(),
                year.as_str(),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
            ui.add(egui::Label::new(RichText::new(meta.join(" · ")).small().weak()).truncate());
            let mut job = LayoutJob::default();
            job.wrap.max_rows = 2;
            job.wrap.max_width = ui.available_width();
            let format = TextFormat { color: ui.visuals().text_color(), ..Default::default() };
            markdown::append_ranges(&mut job, &hit.snippet, &hit.highlights, format);
            ui.add(egui::Label::new(job).selectable(false));
        });
    // The whole row opens the record, not only its title.
    let whole = ui.interact(row.response.rect, egui::Id::unique(("result-row", &hit.id)), egui::Sense::click());
    clicked |= whole.on_hover_cursor(egui::CursorIcon::PointingHand).clicked();
    ui.separator();
    clicked
}

/// The front matter as a tidy header; project links become commands.
fn header(
    ui: &mut egui::Ui,
    lib: &crate::library::Library,
    r: &Record,
    original: Option<&OriginalState>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    egui::Grid::new("detail-header").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
        let row = |ui: &mut egui::Ui, k: &str, v: String| {
            if !v.is_empty() {
                ui.weak(k);
                ui.add(egui::Label::new(v).wrap());
                ui.end_row();
            }
        };
        row(ui, "类别", r.kind().label().to_string());
        row(ui, "区县", lib.district_of(r).unwrap_or("").to_string());
        row(ui, "文种", lib.type_of(r).unwrap_or("").to_string());
        row(ui, "年份", r.year().map(|y| y.to_string()).unwrap_or_default());
        row(ui, "主题", lib.themes_of(r).join("、"));
        if let Meta::Writeup(w) = &r.meta {
            row(ui, "报送单位", w.author_unit.clone().unwrap_or_default());
            row(ui, "标签", w.tags.join("、"));
        }
        let project = if r.kind() == crate::library::Kind::Project { Some(r) } else { lib.project_of(r) };
        if let Some(p) = project {
            ui.weak("项目");
            if ui.link(p.title()).on_hover_text("打开项目页").clicked()
                && let Some(id) = p.id()
            {
                commands.push(Command::OpenProject(id.to_string()));
            }
            ui.end_row();
        }
        row(ui, "文件", r.path.clone());
        if let Some(o) = crate::library::original::original_of(r) {
            ui.weak("原件");
            ui.horizontal_wrapped(|ui| {
                let name = o.file.as_deref().and_then(|f| f.rsplit('/').next()).unwrap_or("");
                ui.label(name);
                if let Some(pages) = o.pages {
                    ui.weak(format!("{pages} 页"));
                }
                match original {
                    None => {
                        ui.weak("正在核对…");
                    }
                    Some(OriginalState::Intact) => {
                        ui.colored_label(egui::Color32::from_rgb(40, 120, 60), "完好，与归档时一致");
                    }
                    Some(state) => {
                        ui.colored_label(egui::Color32::from_rgb(190, 60, 40), format!("注意：{}", state.label()));
                    }
                }
                let openable = !matches!(original, Some(OriginalState::Missing));
                if let Some(path) = crate::library::original::original_path(&lib.root, r)
                    && ui
                        .add_enabled(openable, egui::Button::new("打开原件"))
                        .on_hover_text("用系统中的相应程序打开原件")
                        .clicked()
                {
                    commands.push(Command::OpenFile(path));
                }
            });
            ui.end_row();
            if !o.ocr_pages.is_empty() {
                let pages: Vec<String> = o.ocr_pages.iter().map(u32::to_string).collect();
                row(ui, "", format!("第 {} 页的文字由图像识别得来，可能有错字，请以原件为准", pages.join("、")));
            }
        }
    });
    match &r.meta {
        Meta::Site(s) => {
            if let Some(h) = &s.highlight {
                ui.label(RichText::new(format!("亮点：{h}")).strong());
            }
            if !s.stops.is_empty() {
                ui.label(RichText::new("点位安排").strong());
                for (i, stop) in s.stops.iter().enumerate() {
                    ui.label(format!("{}. {}", i + 1, stop.summary()));
                }
                ui.weak(format!("合计 {} 分钟", s.total_minutes()));
            }
            if let Some(rec) = &s.reception {
                ui.label(RichText::new("接待保障").strong());
                for (k, v) in [("联系人", &rec.contact), ("停车", &rec.parking), ("备注", &rec.notes)] {
                    if let Some(v) = v {
                        ui.label(format!("{k}：{v}"));
                    }
                }
                if let Some(c) = rec.capacity {
                    ui.label(format!("可接待：{c} 人"));
                }
            }
            for pid in &s.projects {
                if let Some(p) = lib.get(pid)
                    && ui.link(format!("展示项目：{}", p.title())).clicked()
                {
                    commands.push(Command::OpenProject(pid.clone()));
                }
            }
            ui.label(RichText::new("解说词").strong());
        }
        Meta::Collection(c) => {
            if let Some(a) = &c.audience {
                ui.label(format!("面向：{a}"));
            }
            ui.label(RichText::new("学习条目").strong());
            for (i, item) in c.items.iter().enumerate() {
                let id = item.id.as_deref().unwrap_or("");
                let title = lib.get(id).map(|x| x.title()).unwrap_or("（材料缺失）");
                if ui.link(format!("{}. {title}", i + 1)).clicked() {
                    commands.push(Command::OpenRecord(id.to_string()));
                }
                if let Some(note) = &item.note {
                    ui.weak(format!("　　教员提示：{note}"));
                }
            }
            if !c.questions.is_empty() {
                ui.label(RichText::new("研讨题").strong());
                for (i, q) in c.questions.iter().enumerate() {
                    ui.label(format!("{}. {q}", i + 1));
                }
            }
            ui.label(RichText::new("导读").strong());
        }
        _ => {}
    }
    commands
}
