//! Exchange bundles between district offices that send files offline (issue 5).
//!
//! A bundle is a `.zip` holding one district's records (write-ups, projects, sites) under their
//! library-relative paths, the files they link to beside them (`<id>.assets/…`), and a `manifest.json` listing
//! every entry with its id, kind, title, size and SHA-256.
//!
//! - [`export()`] writes a bundle (through a temporary file and a rename, so a crash never leaves half a zip);
//! - [`read_bundle`] reads a bundle *without writing anything* and returns an [`ImportPlan`]: for every entry
//!   whether it is new, the same, or changed (with a line diff). Anything hostile or broken — zip-slip paths,
//!   symlinks, zip bombs, truncated archives, checksum mismatches, invalid records — refuses the whole bundle
//!   with a [`BundleError`] naming the entry;
//! - [`apply`] writes new entries and the changed ones the caller accepts, through the library's one write path
//!   ([`crate::store::plan`]; the replaced version is kept in `.casebook/history/`). Nothing is ever overwritten
//!   silently.
//!
//! **Same id, different path.** Offices arrange their folders freely, so a record whose id already exists in the
//! receiving library at another path is compared with *that* file, and an accepted change is written there
//! ([`PlanEntry::rel`] is the path in this library, [`PlanEntry::bundle_path`] the path in the bundle); files
//! linked from it follow it. A bundle entry whose path is taken by a *different* record is refused.

mod apply;
mod diff;
mod error;
mod export;
mod manifest;
mod paths;
mod plan;
mod read;

pub use apply::{ApplyReport, Conflict, apply};
pub use diff::{DiffLine, DiffTag, line_diff};
pub use error::BundleError;
pub use export::{ExportReport, export};
pub use manifest::{EntryKind, FORMAT, FORMAT_VERSION, MANIFEST_NAME, Manifest, ManifestEntry};
pub use plan::{Change, ImportPlan, PlanEntry, read_bundle};

/// Limits that keep a hostile bundle from exhausting memory or disk. Sizes are counted on the bytes actually
/// decompressed, never taken from the zip headers.
pub mod limits {
    /// Entries in one bundle (a district has a few hundred records).
    pub const MAX_ENTRIES: usize = 20_000;
    /// One record: the same cap as loading a library.
    pub const MAX_RECORD_BYTES: u64 = crate::library::MAX_FILE_BYTES;
    /// One linked file (a photo, a scanned page) or original (原件): as large as an original may be.
    pub const MAX_ASSET_BYTES: u64 = crate::library::original::MAX_ORIGINAL_BYTES;
    /// The manifest.
    pub const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
    /// Everything in the bundle together.
    pub const MAX_TOTAL_BYTES: u64 = 512 * 1024 * 1024;
    /// Decompressed / compressed size beyond which an entry is taken for a zip bomb (text compresses 2–10×).
    pub const MAX_RATIO: u64 = 100;
    /// The ratio is only judged once this much has been decompressed, so tiny files never trip it.
    pub const RATIO_GRACE_BYTES: u64 = 1024 * 1024;
}
