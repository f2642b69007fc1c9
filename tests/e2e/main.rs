//! End-to-end tests: each one writes a library into a temporary folder and runs the real `casebook` binary
//! (or the real core) on it. One test binary keeps build and link time down.
//!
//! - `check`: the format and the seed's rules, through `casebook check --json`;
//! - `search`: Chinese search through `casebook search --json` and the core API;
//! - `corpus`: the bundled sample library stays valid;
//! - `generate`: the scale generator is deterministic and its output valid;
//! - `ui`: the desktop app driven headless with egui_kittest; `fonts`: the bundled font's coverage.

mod archive;
mod bad_inputs;
mod bundle;
mod check;
mod compare;
mod concurrency;
mod corpus;
mod export;
mod fonts;
mod generate;
mod relevance;
mod search;
mod semantic;
mod submit;
mod tidy;
mod ui;
mod ui_compare;
mod ui_editor;
mod ui_exchange;
mod util;
