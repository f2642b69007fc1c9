//! Guards that keep the code as `docs/ARCHITECTURE.md` describes it (as rust-analyzer's tidy tests do): every
//! source file starts with a `//!` doc saying what it is for, and the core never imports the UI or the command
//! line.

use std::path::{Path, PathBuf};

fn sources(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| e.into_path())
        .collect()
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn every_source_file_says_what_it_is_for() {
    let missing: Vec<String> = sources(&src())
        .into_iter()
        .filter(|p| !std::fs::read_to_string(p).unwrap_or_default().starts_with("//!"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(missing.is_empty(), "files without a leading //! doc: {missing:?}");
}

#[test]
fn the_core_knows_nothing_of_the_ui_or_the_command_line() {
    const CORE: &[&str] = &[
        "library", "search", "semantic", "compare", "store", "import", "bundle", "export", "text", "generate", "eval",
    ];
    const FORBIDDEN: &[&str] = &["egui", "eframe", "clap", "rfd", "crate::ui", "crate::cli", "casebook_cli"];
    let mut found = Vec::new();
    for module in CORE {
        for path in sources(&src().join(module)) {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                for word in FORBIDDEN {
                    let uses = code.contains(&format!("use {word}"))
                        || code.contains(&format!("{word}::"))
                        || code.contains(&format!("extern crate {word}"));
                    if uses {
                        found.push(format!("{}:{}: {}", path.display(), n + 1, code));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "core modules that reach the UI or the command line:\n{}", found.join("\n"));
}

#[test]
fn the_code_map_names_every_module() {
    let map =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ARCHITECTURE.md")).unwrap_or_default();
    let named = |stem: &str| {
        [format!("`{stem}`"), format!("`{stem}/"), format!("/{stem}/"), format!("/{stem}.rs`"), format!("`{stem} (")]
            .iter()
            .any(|form| map.contains(form.as_str()))
    };
    let mut missing: Vec<String> = Vec::new();
    for path in sources(&src()) {
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if ["mod", "lib", "main"].contains(&stem.as_str()) {
            continue;
        }
        if !named(&stem) {
            missing.push(path.display().to_string());
        }
    }
    for dir in walkdir::WalkDir::new(src()).min_depth(1).into_iter().filter_map(Result::ok) {
        let name = dir.file_name().to_string_lossy().into_owned();
        if dir.file_type().is_dir() && !named(&name) {
            missing.push(dir.path().display().to_string());
        }
    }
    assert!(missing.is_empty(), "modules docs/ARCHITECTURE.md's code map does not name: {missing:?}");
}
