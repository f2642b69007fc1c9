//! The desktop app driven headless with egui_kittest on a temporary copy of the sample library: type a Chinese
//! query, read hits and facet counts by label, click a facet, open a result, open a project and read its badge,
//! open the overview, and commit text through IME events.

use std::time::{Duration, Instant};

use casebook::search::{SearchIndex, SearchRequest};
use casebook::ui::CasebookApp;
use casebook::ui::app::Tab;
use casebook::ui::state::PersistedState;
use egui::Vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::util::{TempLibrary, copy_tree, corpus_dir};

pub(crate) fn corpus_copy() -> TempLibrary {
    let lib = TempLibrary::new();
    copy_tree(&corpus_dir(), lib.root());
    lib
}

pub(crate) fn app_harness(lib: &TempLibrary) -> Harness<'static, CasebookApp> {
    let mut app = CasebookApp::new(lib.root().to_path_buf(), PersistedState::default());
    app.native_dialogs = false;
    Harness::builder().with_size(Vec2::new(1400.0, 900.0)).build_ui_state(|ui, app: &mut CasebookApp| app.show(ui), app)
}

/// Steps frames until the condition holds (the worker answers from another thread).
pub(crate) fn wait_for(harness: &mut Harness<'static, CasebookApp>, what: &str, cond: impl Fn(&CasebookApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !cond(harness.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}; status: {:?}", harness.state().status);
        harness.step();
        std::thread::sleep(Duration::from_millis(15));
    }
    harness.run_steps(2);
}

/// What the core says for a query (the app must show the same).
fn expected(lib: &TempLibrary, query: &str, district: Option<&str>) -> casebook::search::SearchResults {
    let (index, _) = SearchIndex::open(lib.root()).unwrap();
    let mut req = SearchRequest::new(query);
    if let Some(d) = district {
        req.filters.district.push(d.to_string());
    }
    index.try_search(&req).unwrap()
}

fn results_for(app: &CasebookApp, query: &str) -> bool {
    app.search.results.as_ref().is_some_and(|r| r.query == query) && app.index_ready
}

#[test]
fn search_facets_detail_project_and_overview() {
    let lib = corpus_copy();
    let want = expected(&lib, "网格员", None);
    let (district, count) = want.facets.district.iter().next().map(|(d, c)| (d.clone(), *c)).unwrap();
    let want_filtered = expected(&lib, "网格员", Some(&district));
    let mut harness = app_harness(&lib);
    wait_for(&mut harness, "the index", |app| app.index_ready);

    // Type a Chinese query; the debounced search runs by itself.
    harness.get_by_label("关键词").click();
    harness.run_steps(2);
    harness.get_by_label("关键词").type_text("网格员");
    wait_for(&mut harness, "results", |app| {
        results_for(app, "网格员") && app.search.results.as_ref().is_some_and(|r| r.total == want.total)
    });
    harness.get_by_label_contains(&format!("共 {} 条 · ", want.total));

    // Facet counts by label, then a click on one facet filters the results.
    let facet_label = format!("{district}（{count}）");
    harness.get_by_label(&facet_label).click();
    wait_for(&mut harness, "filtered results", |app| {
        app.search.filters.district == [district.clone()]
            && app.search.results.as_ref().is_some_and(|r| r.total == want_filtered.total)
    });
    assert_eq!(want_filtered.total as u64, count);
    harness.get_by_label(&format!("{district}  ×"));

    // Open the first result: the detail pane shows its header and its similar write-ups.
    let first = want_filtered.hits[0].clone();
    harness.get_by_label(&first.title).click();
    wait_for(&mut harness, "the detail pane", |app| {
        app.search.selected.as_deref() == Some(first.id.as_str())
            && app.search.similar.is_some()
            && app.library.is_some()
    });
    harness.get_by_label("相似经验（其他区县优先）");

    // Open a project page and read its completeness badge.
    harness.state_mut().tab = Tab::Project("bn-p02".into());
    harness.run_steps(3);
    harness.get_by_label("缺 1 篇经验材料");
    harness.state_mut().tab = Tab::Project("yz-p01".into());
    harness.run_steps(3);
    harness.get_by_label("达标");
    harness.get_by_label("试点前后指标");

    // The overview: one row per district; a click on a number lists its items.
    harness.get_by_label("总览 · 迎验收").click();
    harness.run_steps(3);
    assert_eq!(harness.state().tab, Tab::Overview);
    harness.get_by_label("渝中区");
    harness.get_by_label("巴南区 经验材料不足的项目：1").click();
    harness.run_steps(3);
    harness.get_by_label("基层国家安全人民防线建设").click();
    harness.run_steps(3);
    assert_eq!(harness.state().tab, Tab::Project("bn-p02".into()));
}

#[test]
fn ime_commits_chinese_into_the_search_field() {
    let lib = corpus_copy();
    let mut harness = app_harness(&lib);
    wait_for(&mut harness, "the index", |app| app.index_ready);
    harness.get_by_label("关键词").focus();
    harness.run_steps(2);
    harness.event(egui::Event::Ime(egui::ImeEvent::Preedit { text: "zongzhi".into(), active_range_chars: None }));
    harness.run_steps(1);
    harness.event(egui::Event::Ime(egui::ImeEvent::Commit("综治中心".into())));
    wait_for(&mut harness, "IME results", |app| results_for(app, "综治中心"));
    let want = expected(&lib, "综治中心", None);
    assert_eq!(harness.state().search.results.as_ref().unwrap().total, want.total);
}

#[test]
fn shortcuts_focus_the_search_field_and_state_is_remembered() {
    let lib = corpus_copy();
    let mut harness = app_harness(&lib);
    wait_for(&mut harness, "the index", |app| app.index_ready);
    harness.get_by_label("总览 · 迎验收").click();
    harness.run_steps(2);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_steps(2);
    assert_eq!(harness.state().tab, Tab::Search);
    assert!(harness.get_by_label("关键词").is_focused());
    // Typed in two goes, each answered: only what stood still goes into the history, not the prefix.
    harness.get_by_label("关键词").type_text("调");
    wait_for(&mut harness, "results", |app| results_for(app, "调"));
    harness.get_by_label("关键词").type_text("委会");
    wait_for(&mut harness, "results", |app| results_for(app, "调委会"));
    wait_for(&mut harness, "the history", |app| !app.state.history.is_empty());
    let state = &harness.state().state;
    assert_eq!(state.history, ["调委会"], "the prefix typed on the way is not kept");
    let canonical = std::fs::canonicalize(lib.root()).unwrap();
    assert_eq!(state.last_library.as_ref(), Some(&canonical));
    // The history can be cleared.
    harness.get_by_label("历史").click();
    harness.run_steps(2);
    harness.get_by_label("清除检索历史").click();
    harness.run_steps(2);
    assert!(harness.state().state.history.is_empty());
}

/// The app on `lib` with `query` typed into the search field (Ctrl+K) and its results shown; the first `n` ids.
fn searched_from_the_field(lib: &TempLibrary, query: &str, n: usize) -> (Harness<'static, CasebookApp>, Vec<String>) {
    let mut harness = app_harness(lib);
    wait_for(&mut harness, "the index", |app| app.index_ready);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_steps(2);
    harness.get_by_label("关键词").type_text(query);
    wait_for(&mut harness, "results", |app| results_for(app, query));
    let ids = harness.state().search.results.as_ref().unwrap().rows[..n]
        .iter()
        .map(|r| r.as_ref().unwrap().id.clone())
        .collect();
    (harness, ids)
}

/// At 1024 × 768 a record opened in the detail pane, with its long 相似经验 titles, leaves the result list its
/// width (it once widened the pane to the longest similar title and squeezed the list to about 170 px).
#[test]
fn an_opened_record_leaves_the_result_list_its_width_on_a_small_screen() {
    let lib = corpus_copy();
    let mut app = CasebookApp::new(lib.root().to_path_buf(), PersistedState::default());
    app.native_dialogs = false;
    let mut harness = Harness::builder()
        .with_size(Vec2::new(1024.0, 768.0))
        .build_ui_state(|ui, app: &mut CasebookApp| app.show(ui), app);
    wait_for(&mut harness, "the index", |app| app.index_ready);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_steps(2);
    harness.get_by_label("关键词").type_text("调解");
    wait_for(&mut harness, "results", |app| results_for(app, "调解"));
    let title_width = |harness: &Harness<'static, CasebookApp>| {
        let title = harness.state().search.results.as_ref().unwrap().rows[1].as_ref().unwrap().title.clone();
        let start: String = title.chars().take(6).collect();
        harness.get_all_by_label_contains(&start).map(|n| n.rect().width()).fold(0.0, f32::max)
    };
    let before = title_width(&harness);
    harness.key_press(egui::Key::ArrowDown);
    wait_for(&mut harness, "similar write-ups", |app| {
        app.search
            .similar
            .as_ref()
            .is_some_and(|(id, hits)| Some(id) == app.search.selected.as_ref() && !hits.is_empty())
    });
    harness.run_steps(4);
    let after = title_width(&harness);
    assert!(
        after >= 240.0 && after >= before * 0.8,
        "a result title is {after:.0} px wide (before opening: {before:.0})"
    );
}

#[test]
fn results_are_walked_with_the_arrow_keys_and_opened_anywhere_on_the_row() {
    let lib = corpus_copy();
    let (mut harness, ids) = searched_from_the_field(&lib, "网格员", 3);
    // ↓ ↓ ↑ from the search field: the first, the second, the first again.
    for (key, want) in [(egui::Key::ArrowDown, 0), (egui::Key::ArrowDown, 1), (egui::Key::ArrowUp, 0)] {
        harness.key_press(key);
        harness.run_steps(2);
        assert_eq!(harness.state().search.selected.as_deref(), Some(ids[want].as_str()));
    }
    // A click on the third row's snippet, not its title, opens it.
    let snippet = harness.state().search.results.as_ref().unwrap().rows[2].as_ref().unwrap().snippet.clone();
    let start: String = snippet.chars().take(12).collect();
    harness.get_all_by_label_contains(&start).next().expect("the snippet is shown").click();
    harness.run_steps(2);
    assert_eq!(harness.state().search.selected.as_deref(), Some(ids[2].as_str()));
    // A new search: the detail pane no longer shows the old record.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_steps(2);
    harness.get_by_label("关键词").type_text("调解");
    wait_for(&mut harness, "new results", |app| {
        app.search.results.as_ref().is_some_and(|r| r.query != "网格员" && r.query.contains("调解"))
    });
    assert_eq!(harness.state().search.selected, None);
}

/// Ctrl+↑/↓ walk the results from anywhere; Alt+←/→ (and the 返回/前进 buttons) go back and forward through
/// the records and pages opened; opened records are listed as recent; 帮助 shows the shortcuts, Escape closes it.
#[test]
fn back_and_forward_recent_records_and_help() {
    use casebook::ui::app::Command;
    let lib = corpus_copy();
    let (mut harness, ids) = searched_from_the_field(&lib, "网格员", 2);
    for want in [0, 1] {
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::ArrowDown);
        harness.run_steps(2);
        assert_eq!(harness.state().search.selected.as_deref(), Some(ids[want].as_str()));
    }
    harness.state_mut().apply(Command::OpenProject("yz-p01".into()));
    harness.run_steps(2);
    assert_eq!(harness.state().tab, Tab::Project("yz-p01".into()));

    harness.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowLeft);
    harness.run_steps(2);
    assert_eq!(harness.state().tab, Tab::Search);
    assert_eq!(harness.state().search.selected.as_deref(), Some(ids[1].as_str()));
    harness.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowLeft);
    harness.run_steps(2);
    assert_eq!(harness.state().search.selected.as_deref(), Some(ids[0].as_str()));
    harness.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowRight);
    harness.run_steps(2);
    assert_eq!(harness.state().search.selected.as_deref(), Some(ids[1].as_str()));
    harness.get_by_label("前进 →").click();
    harness.run_steps(2);
    assert_eq!(harness.state().tab, Tab::Project("yz-p01".into()));
    harness.get_by_label("← 返回").click();
    harness.run_steps(2);
    assert_eq!(harness.state().search.selected.as_deref(), Some(ids[1].as_str()));

    let app = harness.state();
    assert_eq!(app.state.recent_in(&app.root)[..2], [ids[1].clone(), ids[0].clone()]);

    harness.get_by_label("帮助").click();
    harness.run_steps(2);
    harness.get_by_label("快捷键");
    harness.key_press(egui::Key::Escape);
    harness.state_mut().apply(Command::ShowHelp(casebook::ui::views::help::HelpPage::Shortcuts));
    harness.run_steps(2);
    harness.get_by_label("Alt+← / Alt+→");
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(harness.state().help.is_none(), "Escape closes the help");
    assert!(harness.query_by_label("Alt+← / Alt+→").is_none());
}

#[test]
fn files_changed_outside_the_app_become_searchable() {
    let lib = corpus_copy();
    let mut harness = app_harness(&lib);
    wait_for(&mut harness, "the index", |app| app.index_ready);
    harness.get_by_label("关键词").click();
    harness.get_by_label("关键词").type_text("鹦鹉螺议事法");
    wait_for(&mut harness, "no results", |app| {
        // Records about 议事 are related hits; none has the whole name.
        results_for(app, "鹦鹉螺议事法") && app.search.results.as_ref().is_some_and(|r| r.exact == 0)
    });
    lib.writeup("yuzhong/new.md", "new-1", "渝中区", "", "社区推行鹦鹉螺议事法，居民满意。");
    wait_for(&mut harness, "the new file", |app| app.search.results.as_ref().is_some_and(|r| r.exact == 1));
}

#[test]
fn an_overlong_query_is_searched_by_its_beginning_and_says_so() {
    let lib = corpus_copy();
    let mut harness = app_harness(&lib);
    wait_for(&mut harness, "the index", |app| app.index_ready);
    // A pasted paragraph: one run of 200 characters, longer than a term may be.
    let pasted = "综治中心".repeat(50);
    harness.get_by_label("关键词").click();
    harness.get_by_label("关键词").type_text(&pasted);
    wait_for(&mut harness, "the results", |app| results_for(app, &pasted));
    assert!(harness.state().search.results.as_ref().is_some_and(|r| r.truncated && r.total > 0));
    harness.get_by_label("查询过长，已截断");
}

#[test]
fn searching_within_results_and_saved_searches() {
    let lib = corpus_copy();
    let (mut harness, _) = searched_from_the_field(&lib, "网格员", 1);
    // 在结果中检索: the words on screen become a restriction, and the next words narrow the results.
    harness.get_by_label("在结果中检索").click();
    harness.run_steps(2);
    assert_eq!(harness.state().search.filters.within, ["网格员"]);
    assert!(harness.state().search.query.is_empty());
    harness.get_by_label("关键词").type_text("调解");
    wait_for(&mut harness, "narrowed results", |app| results_for(app, "调解"));
    let (index, _) = SearchIndex::open(lib.root()).unwrap();
    let mut req = SearchRequest::new("调解");
    req.filters.within = vec!["网格员".into()];
    let want = index.try_search(&req).unwrap().total;
    assert!(want < index.try_search(&SearchRequest::new("调解")).unwrap().total);
    assert_eq!(harness.state().search.results.as_ref().unwrap().total, want);
    harness.get_by_label("在“网格员”的结果中  ×").hover();
    // 保存当前检索: named in a dialog, kept in the library's casebook.yaml for everyone who opens it.
    harness.get_by_label("已存检索").click();
    harness.run_steps(2);
    harness.get_by_label("保存当前检索…").click();
    harness.run_steps(3);
    harness.get_by_label("名称").type_text("甲");
    harness.run_steps(1);
    harness.key_press(egui::Key::Enter);
    wait_for(&mut harness, "the saved search", |app| {
        app.library.as_ref().is_some_and(|l| l.config.saved_searches.iter().any(|s| s.name == "调解甲"))
    });
    let yaml = std::fs::read_to_string(lib.root().join("casebook.yaml")).unwrap();
    assert!(yaml.contains("name: 调解甲") && yaml.contains("within: [网格员]"), "{yaml}");
    // Cleared, then run again from the menu: the same words and restriction.
    harness.get_by_label("清除全部").click();
    harness.run_steps(2);
    assert!(harness.state().search.filters.within.is_empty());
    harness.get_by_label("已存检索").click();
    harness.run_steps(2);
    harness.get_by_label("调解甲").click();
    harness.run_steps(2);
    wait_for(&mut harness, "the saved search's results", |app| {
        results_for(app, "调解") && app.search.filters.within == ["网格员"]
    });
    assert_eq!(harness.state().search.results.as_ref().unwrap().total, want);
}
