//! What importing a bundle would do, worked out without writing anything: every entry as new, the same, or
//! changed (with a diff), after the bundle's records have been validated against this library.

use std::collections::HashMap;
use std::path::Path;

use super::diff::{DiffLine, line_diff};
use super::error::BundleError;
use super::manifest::{EntryKind, Manifest, ManifestEntry};
use super::read::{VerifiedBundle, read_verified, sha256_hex};
use crate::library::{Library, Problem, Record, Severity, check_candidates, decode};

/// Everything importing a bundle would do. Reading it wrote nothing; pass it to [`super::apply`] to write.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    /// Every entry of the bundle, in manifest (path) order.
    pub entries: Vec<PlanEntry>,
    /// The bundle's own description (sender, district, time).
    pub manifest: Manifest,
    /// The seed's advice about the incoming records as they would sit in this library (e.g. a project with
    /// fewer than two 经验材料). Warnings never block an import; paths are this library's.
    pub warnings: Vec<Problem>,
}

impl ImportPlan {
    /// Entries that would be added.
    pub fn new_entries(&self) -> impl Iterator<Item = &PlanEntry> {
        self.entries.iter().filter(|e| matches!(e.change, Change::New))
    }

    /// Entries identical to what the library holds.
    pub fn same_entries(&self) -> impl Iterator<Item = &PlanEntry> {
        self.entries.iter().filter(|e| matches!(e.change, Change::Same))
    }

    /// Entries that differ from the library and need an explicit decision.
    pub fn changed_entries(&self) -> impl Iterator<Item = &PlanEntry> {
        self.entries.iter().filter(|e| matches!(e.change, Change::Changed { .. }))
    }
}

/// One file of the bundle and what importing it would do.
#[derive(Debug, Clone)]
pub struct PlanEntry {
    /// Where it goes in this library (`/`-separated). Differs from `bundle_path` when this library keeps the
    /// record with the same id elsewhere.
    pub rel: String,
    /// Its path in the bundle (and in the sending library).
    pub bundle_path: String,
    /// The record's id; `None` for assets.
    pub id: Option<String>,
    pub kind: EntryKind,
    /// The record's title; an asset's file name.
    pub title: String,
    pub change: Change,
    /// The bytes the bundle carries, written as they are (a GBK file stays GBK).
    pub(crate) incoming: Vec<u8>,
    /// SHA-256 of the file at `rel` when the plan was made; `None` when there was none. Checked again just
    /// before writing, so a file edited in the meantime is never overwritten.
    pub(crate) seen: Option<String>,
}

impl PlanEntry {
    /// The id when there is one, else the path in this library: what to show in a list.
    pub fn label(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.rel)
    }

    /// The bytes the bundle carries for this entry.
    pub fn incoming_bytes(&self) -> &[u8] {
        &self.incoming
    }
}

/// What importing one entry would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// No file at the target: it will be added.
    New,
    /// The library holds the same content (byte for byte, or the same text in another encoding or line ending):
    /// nothing to do.
    Same,
    /// The library holds other content. Written only when accepted.
    Changed {
        /// The library's version as text (a description for binary files).
        current: String,
        /// The bundle's version as text (a description for binary files).
        incoming: String,
        /// Line diff from `current` to `incoming` with context; empty for binary files.
        diff: Vec<DiffLine>,
    },
}

impl Change {
    /// Stable key for JSON: `new`, `same`, `changed`.
    pub fn key(&self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Same => "same",
            Change::Changed { .. } => "changed",
        }
    }

    /// The Chinese label: 新增, 相同, 有改动.
    pub fn label(&self) -> &'static str {
        match self {
            Change::New => "新增",
            Change::Same => "相同",
            Change::Changed { .. } => "有改动",
        }
    }
}

/// Reads and verifies the bundle at `path` and works out what importing it into `lib` would do. Writes
/// nothing. Any hostile or broken content refuses the whole bundle: unsafe paths, symlinks, zip bombs,
/// truncated or corrupt archives, entries missing from or not matching the manifest, and records that are
/// unreadable or invalid in this library (all of them listed, with file, line and message).
pub fn read_bundle(lib: &Library, path: &Path) -> Result<ImportPlan, BundleError> {
    let bundle = read_verified(path)?;
    plan(lib, bundle)
}

/// One record of the bundle, parsed.
struct Incoming<'a> {
    entry: &'a ManifestEntry,
    record: Record,
    target: String,
}

fn problem(path: &str, line: usize, code: &'static str, message: String) -> Problem {
    Problem { path: path.to_string(), line, code, message, severity: Severity::Error }
}

fn plan(lib: &Library, bundle: VerifiedBundle) -> Result<ImportPlan, BundleError> {
    let VerifiedBundle { manifest, mut files } = bundle;
    let mut problems = Vec::new();
    let records = parse_records(&manifest, &files, &mut problems);
    let records = assign_targets(lib, records, &mut problems);
    let targets = asset_targets(&manifest, &records);
    find_collisions(&records, &targets, &mut problems);
    for (from, to) in &targets {
        if !crate::store::is_attachment_path(to) {
            let message = format!("附件 {to} 不能以 .md 结尾、不能是隐藏文件（否则会被当作记录读入）");
            problems.push(problem(from, 0, "asset-name", message));
        }
    }

    // Validate the records together, as the library would be with them. Problems found so far do not stop
    // this: the sender sees every problem of the bundle at once.
    let candidates: Vec<Record> = records
        .iter()
        .map(|r| {
            let mut rec = r.record.clone();
            rec.path = r.target.clone();
            rec
        })
        .collect();
    let bundle_path_of: HashMap<&str, &str> =
        records.iter().map(|r| (r.target.as_str(), r.entry.path.as_str())).collect();
    let mut warnings = Vec::new();
    for mut p in check_candidates(lib, &candidates) {
        if p.severity == Severity::Warning {
            warnings.push(p);
            continue;
        }
        if let Some(&from) = bundle_path_of.get(p.path.as_str())
            && from != p.path
        {
            p.message = format!("{}（该记录将写入本库的 {}）", p.message, p.path);
            p.path = from.to_string();
        }
        problems.push(p);
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| (&a.path, a.line, a.code).cmp(&(&b.path, b.line, b.code)));
        return Err(BundleError::Rejected(problems));
    }

    let by_path: HashMap<&str, &Incoming> = records.iter().map(|r| (r.entry.path.as_str(), r)).collect();
    let mut entries = Vec::with_capacity(manifest.entries.len());
    for e in &manifest.entries {
        let incoming = files.remove(&e.path).unwrap_or_default();
        let (rel, id, title) = match by_path.get(e.path.as_str()) {
            Some(r) => (r.target.clone(), r.record.id().map(str::to_string), r.record.title().to_string()),
            None => {
                let rel = targets.get(e.path.as_str()).cloned().unwrap_or_else(|| e.path.clone());
                (rel, None, e.title.clone())
            }
        };
        let (change, seen) = compare(&lib.root, &rel, &incoming)?;
        entries.push(PlanEntry { rel, bundle_path: e.path.clone(), id, kind: e.kind, title, change, incoming, seen });
    }
    Ok(ImportPlan { entries, manifest, warnings })
}

/// Decodes and parses every record entry, checking it against what the manifest says it is.
fn parse_records<'a>(
    manifest: &'a Manifest,
    files: &HashMap<String, Vec<u8>>,
    problems: &mut Vec<Problem>,
) -> Vec<Incoming<'a>> {
    let mut out = Vec::new();
    for e in manifest.entries.iter().filter(|e| e.kind.is_record()) {
        let bytes = files.get(&e.path).map(Vec::as_slice).unwrap_or_default();
        if bytes.is_empty() {
            problems.push(problem(&e.path, 1, "empty", "文件是空的".into()));
            continue;
        }
        let (text, encoding) = match decode(bytes) {
            Ok(t) => t,
            Err(err) => {
                problems.push(problem(&e.path, 0, "encoding", err.to_string()));
                continue;
            }
        };
        let record = match Record::parse(e.path.clone(), &text, encoding) {
            Ok(r) => r,
            Err(err) => {
                problems.push(problem(&e.path, err.line, err.code, err.message));
                continue;
            }
        };
        let listed_id = e.id.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if listed_id != record.id() {
            let message =
                format!("清单记载的 id 为 “{}”，文件中为 “{}”", listed_id.unwrap_or(""), record.id().unwrap_or(""));
            problems.push(problem(&e.path, record.line_of("id"), "manifest-mismatch", message));
            continue;
        }
        if EntryKind::of(record.kind()) != e.kind {
            let message = format!("清单记载为{}，文件中是{}", e.kind.label(), record.kind().label());
            problems.push(problem(&e.path, record.line_of("kind"), "manifest-mismatch", message));
            continue;
        }
        out.push(Incoming { entry: e, target: e.path.clone(), record });
    }
    out
}

/// Where each record goes: the path of the record with the same id in this library, else its bundle path —
/// unless that path holds a different record, which is refused.
fn assign_targets<'a>(lib: &Library, mut records: Vec<Incoming<'a>>, problems: &mut Vec<Problem>) -> Vec<Incoming<'a>> {
    let at_path: HashMap<&str, &Record> = lib.records.iter().map(|r| (r.path.as_str(), r)).collect();
    records.retain_mut(|r| {
        if let Some(existing) = r.record.id().and_then(|id| lib.get(id)) {
            r.target = existing.path.clone();
            return true;
        }
        if let Some(other) = at_path.get(r.target.as_str()) {
            let message = format!(
                "本库的 {} 是另一条记录（id “{}”），不能用包内 id “{}” 的记录覆盖它",
                r.target,
                other.id().unwrap_or(""),
                r.record.id().unwrap_or("")
            );
            problems.push(problem(&r.entry.path, 0, "path-taken", message));
            return false;
        }
        true
    });
    records
}

/// Where each asset goes: beside its owner record, following it when the record lives elsewhere here.
fn asset_targets<'a>(manifest: &'a Manifest, records: &[Incoming]) -> HashMap<&'a str, String> {
    let owner_of: HashMap<&str, &Incoming> = records.iter().filter_map(|r| Some((r.record.id()?, r))).collect();
    let parent = |p: &str| p.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
    let mut out = HashMap::new();
    for e in manifest.entries.iter().filter(|e| e.kind == EntryKind::Asset) {
        let mut target = e.path.clone();
        if let Some(owner) = e.owner.as_deref().and_then(|o| owner_of.get(o.trim()))
            && owner.target != owner.entry.path
        {
            let from_dir = parent(&owner.entry.path);
            let suffix =
                if from_dir.is_empty() { Some(e.path.as_str()) } else { e.path.strip_prefix(&format!("{from_dir}/")) };
            if let Some(suffix) = suffix {
                let to_dir = parent(&owner.target);
                target = if to_dir.is_empty() { suffix.to_string() } else { format!("{to_dir}/{suffix}") };
            }
        }
        out.insert(e.path.as_str(), target);
    }
    out
}

/// Two entries must never land on the same file (compared without case, for Windows and macOS).
fn find_collisions(records: &[Incoming], assets: &HashMap<&str, String>, problems: &mut Vec<Problem>) {
    let mut seen: HashMap<String, &str> = HashMap::new();
    let mut all: Vec<(&str, &str)> = records.iter().map(|r| (r.entry.path.as_str(), r.target.as_str())).collect();
    all.extend(assets.iter().map(|(from, to)| (*from, to.as_str())));
    all.sort();
    for (from, to) in all {
        if let Some(other) = seen.insert(to.to_lowercase(), from) {
            let message = format!("与包内的 {other} 都要写入本库的 {to}");
            problems.push(problem(from, 0, "target-collision", message));
        }
    }
}

/// Compares the bundle's bytes with the file at `rel`; returns the change and the file's checksum.
fn compare(root: &Path, rel: &str, incoming: &[u8]) -> Result<(Change, Option<String>), BundleError> {
    let path = root.join(rel);
    let current = match crate::library::read_bounded(&path, crate::store::plan::MAX_KEPT_BYTES) {
        Ok(b) => b,
        Err(e) if e.is_not_found() => return Ok((Change::New, None)),
        Err(e) => return Err(BundleError::Read { path, cause: e.into() }),
    };
    let seen = Some(sha256_hex(&current));
    if current == incoming {
        return Ok((Change::Same, seen));
    }
    let change = match (decode(&current), decode(incoming)) {
        (Ok((old, _)), Ok((new, _))) if old == new => Change::Same,
        (Ok((old, _)), Ok((new, _))) => {
            let diff = line_diff(&old, &new);
            Change::Changed { current: old, incoming: new, diff }
        }
        _ => Change::Changed { current: describe(&current), incoming: describe(incoming), diff: Vec::new() },
    };
    Ok((change, seen))
}

/// A binary file as one line of text for review.
fn describe(bytes: &[u8]) -> String {
    format!("二进制文件，{} 字节，SHA-256 {}", bytes.len(), &sha256_hex(bytes)[..16])
}
