//! Casebook (经验库): a knowledge base of replicable governance experiences.
//!
//! The core knows nothing of any user interface:
//! - [`library`] reads the folder of Markdown records (the truth) and checks it against the seed's rules;
//! - [`search`] keeps a derived tantivy index with Chinese word segmentation and answers queries;
//! - [`compare`] computes before/after changes of indicators;
//! - [`text`] holds the folding and Markdown helpers both of them share;
//! - [`store`] saves records safely: atomic writes, history, drafts;
//! - [`import`] turns .md, .txt and .docx files into records; [`bundle`] exchanges records between offices;
//! - [`ocr`] reads the Chinese text of scanned pages and photos, offline;
//! - [`export`] writes showcase packets and study packs (HTML, .docx, Markdown, CSV);
//! - [`generate`] writes deterministic libraries of any size for tests and benchmarks;
//! - [`os_error`] names operating-system errors in Chinese.
//!
//! Two thin layers sit on top: the desktop app ([`ui`], egui) and the command line (`src/cli/`). Neither holds
//! logic of its own, and no core module imports egui.

pub mod bundle;
pub mod compare;
pub mod eval;
pub mod export;
pub mod generate;
pub mod import;
pub mod library;
pub mod ocr;
pub mod os_error;
pub mod panic_guard;
pub mod search;
pub mod semantic;
pub mod store;
pub mod text;
pub mod ui;
