//! UI benchmark: start-up to the first frame and to the first results on a library, and the frame time of the
//! search view showing every record (10k+ rows) while scrolling. Headless (egui_kittest, no GPU): this measures
//! egui's layout and tessellation on the CPU, which is what can stall the UI thread.
//!
//! Run: `cargo bench --bench ui` (a temporary 10k library), or on an existing library whose index is built
//! (a returning user): `cargo bench --bench ui -- target/bench/gen10k --out ui.json`. `benches/run.sh`
//! does the latter after `benches/search.rs`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use casebook::generate::{GenSpec, generate};
use casebook::ui::CasebookApp;
use casebook::ui::state::PersistedState;
use egui_kittest::Harness;
use serde_json::json;

#[path = "common/measure.rs"]
mod measure;
use measure::{peak_anon_mb, peak_rss_mb, percentile, sample_memory};

fn main() {
    let started = Instant::now();
    sample_memory();
    // `cargo bench` passes `--bench`; anything starting with `--bench` is not ours.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--bench")).collect();
    let out = args.iter().position(|a| a == "--out").and_then(|i| args.get(i + 1)).map(PathBuf::from);
    let given = args.iter().take_while(|a| *a != "--out").find(|a| a.parse::<usize>().is_err()).map(PathBuf::from);
    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = match given {
        Some(dir) => dir,
        None => {
            let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(10_000);
            let root = tmp.path().join("lib");
            generate(&root, &GenSpec { writeups: n, seed: 1 }).expect("generate");
            // Build the index once so start-up measures a returning user, not the first indexing.
            let _ = casebook::search::SearchIndex::open(&root).expect("index");
            root
        }
    };
    let before_app = started.elapsed();

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
    for i in 0..300 {
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
    // The app's steady state: every record read (detail pane, overview) and the index compared with the files.
    while harness.state().library.is_none() {
        assert!(started.elapsed() < Duration::from_secs(600), "records never loaded");
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    let records_loaded = started.elapsed();
    for _ in 0..20 {
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    let peak_anon = peak_anon_mb();
    let result = json!({
        "library": root.display().to_string(),
        "setup_ms": before_app.as_secs_f64() * 1000.0,
        "first_frame_ms": first_frame.as_secs_f64() * 1000.0,
        "first_results_ms": first_results.as_secs_f64() * 1000.0,
        "records_loaded_ms": records_loaded.as_secs_f64() * 1000.0,
        "rows": rows,
        "frames": frames.len(),
        "frame_p50_ms": percentile(&frames, 0.5),
        "frame_p95_ms": percentile(&frames, 0.95),
        "frame_p99_ms": percentile(&frames, 0.99),
        "frame_max_ms": percentile(&frames, 1.0),
        "peak_rss_mb": peak_rss_mb(),
        "peak_anon_mb": peak_anon,
    });
    println!(
        "{}: first frame {:.0} ms, first results {:.0} ms; {rows} result rows: frame p50 {:.2} ms, p95 {:.2} ms, \
         max {:.2} ms; peak RSS {:.0} MB",
        root.display(),
        result["first_frame_ms"].as_f64().unwrap_or(f64::NAN),
        result["first_results_ms"].as_f64().unwrap_or(f64::NAN),
        result["frame_p50_ms"].as_f64().unwrap_or(f64::NAN),
        result["frame_p95_ms"].as_f64().unwrap_or(f64::NAN),
        result["frame_max_ms"].as_f64().unwrap_or(f64::NAN),
        result["peak_rss_mb"].as_f64().unwrap_or(f64::NAN),
    );
    if let Some(out) = out {
        std::fs::write(&out, serde_json::to_string_pretty(&result).expect("json")).expect("write results");
    }
}
