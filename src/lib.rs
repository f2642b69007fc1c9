//! Casebook (经验库): a knowledge base of replicable governance experiences.
//!
//! The core knows nothing of any user interface:
//! - [`library`] reads the folder of Markdown records (the truth) and checks it against the seed's rules;
//! - [`search`] keeps a derived tantivy index with Chinese word segmentation and answers queries;
//! - [`text`] holds the folding and Markdown helpers both of them share;
//! - [`generate`] writes deterministic libraries of any size for tests and benchmarks.
//!
//! The command line (`src/cli/`) is a thin layer over these modules.

pub mod generate;
pub mod library;
pub mod search;
pub mod text;
