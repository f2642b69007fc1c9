//! The desktop app (egui/eframe): a thin layer over the core.
//!
//! - [`app`]: the shell — menu, tabs, status bar — and the commands views send it;
//! - [`worker`]: the background thread that owns the index (the UI thread does no file IO or indexing);
//! - [`views`]: one struct per view (检索, 项目, 总览); [`widgets`]: Markdown with highlights, chips, badges;
//! - [`navigation`]: 返回/前进 through opened records and pages;
//! - [`state`]: what is remembered between runs; [`fonts`]: Chinese fonts (the system's on Windows, the bundled one).

pub mod app;
pub mod fonts;
pub mod navigation;
pub mod state;
pub mod views;
pub mod widgets;
pub mod worker;

use std::path::PathBuf;

pub use app::CasebookApp;

/// Opens the main window on a library folder (`None`: the last library, else the sample library
/// ([`crate::library::default_root`])).
pub fn run(library: Option<PathBuf>) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("经验库 Casebook")
            .with_inner_size([1280.0, 820.0])
            .with_min_inner_size([800.0, 500.0])
            .with_drag_and_drop(true),
        system_font_fallback: true,
        ..Default::default()
    };
    eframe::run_native(
        "casebook",
        options,
        Box::new(move |cc| {
            // Office users live in Word: a light theme unless they chose otherwise in egui's settings.
            cc.egui_ctx.options_mut(|o| o.theme_preference = egui::ThemePreference::Light);
            let state: state::PersistedState =
                cc.storage.and_then(|s| eframe::get_value(s, state::STORAGE_KEY)).unwrap_or_default();
            let root = library
                .or_else(|| state.last_library.clone().filter(|p| p.is_dir()))
                .unwrap_or_else(crate::library::default_root);
            Ok(Box::new(CasebookApp::new(root, state)))
        }),
    )
}
