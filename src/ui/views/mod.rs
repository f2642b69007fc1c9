//! One struct per view; each draws itself and returns [`crate::ui::app::Command`]s for the shell to carry out.

pub mod archive;
pub mod bundle;
pub mod cross;
pub mod editor;
pub mod export_dialog;
pub mod file_chooser;
pub mod help;
pub mod indicators;
pub mod overview;
pub mod project;
pub mod search;
