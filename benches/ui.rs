//! UI benchmark: start-up to the first frame and to the first results on a generated library, and the frame
//! time of the search view showing every record (10k rows) while scrolling. Headless (egui_kittest, no GPU):
//! this measures egui's layout and tessellation on the CPU, which is what can stall the UI thread.
//!
//! Run: `cargo bench --bench ui` (optionally `-- 100000`).

use std::time::{Duration, Instant};

use casebook::generate::{GenSpec, generate};
use casebook::ui::CasebookApp;
use casebook::ui::state::PersistedState;
use egui_kittest::Harness;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = tmp.path().join("lib");
    generate(&root, &GenSpec { writeups: n, seed: 1 }).expect("generate");
    // Build the index once so start-up measures a returning user, not the first indexing.
    let _ = casebook::search::SearchIndex::open(&root).expect("index");

    let started = Instant::now();
    let app = CasebookApp::new(root.clone(), PersistedState::default());
    let mut harness = Harness::builder()
        .with_size(egui::Vec2::new(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut CasebookApp| app.show(ui), app);
    harness.step();
    let first_frame = started.elapsed();
    while harness.state().search.results.as_ref().is_none_or(|r| r.total == 0) {
        assert!(started.elapsed() < Duration::from_secs(600), "no results");
        harness.step();
        std::thread::sleep(Duration::from_millis(2));
    }
    let first_results = started.elapsed();
    let rows = harness.state().search.results.as_ref().map(|r| r.total).unwrap_or(0);

    // Frame time with every record listed, scrolling through the list.
    let mut frames = Vec::new();
    harness.hover_at(egui::pos2(420.0, 400.0));
    for i in 0..200 {
        if i % 10 == 0 {
            harness.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -600.0),
                modifiers: egui::Modifiers::NONE,
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
            });
        }
        let t = Instant::now();
        harness.step();
        frames.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "{n} write-ups: first frame {:.0} ms, first results {:.0} ms; {rows} result rows: frame p50 {:.2} ms, max {:.2} ms",
        first_frame.as_secs_f64() * 1000.0,
        first_results.as_secs_f64() * 1000.0,
        median(frames.clone()),
        frames.iter().cloned().fold(0.0, f64::max),
    );
}
