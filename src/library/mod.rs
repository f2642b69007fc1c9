//! The library: a folder of Markdown records with YAML front matter. The folder is the truth.
//!
//! `Library::load` reads every record it can and collects a [`Problem`] for every file it cannot, so one bad
//! file never hides the others. Validation against the seed's rules lives in [`check`].

pub mod archive;
mod bounded;
pub mod check;
mod config;
mod encoding;
pub mod facts;
mod folder_times;
mod fresh;
pub mod original;
pub mod overview;
mod record;
pub mod rules;
pub mod saved;
mod scan;
pub mod thesaurus;
mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use bounded::{ReadError, read_bounded};
pub use check::{Problem, Severity, check_candidates};
pub use config::{Config, ConfigError, DEFAULT_TYPES, District, ThemeGroup};
pub use encoding::{DecodeError, TextEncoding, decode};
pub use facts::{Facts, ProjectFacts, Projects};
pub use folder_times::folder_times_reliable;
pub use record::{
    Better, Collection, CollectionItem, Evaluation, Indicator, Kind, MAX_FRONT_MATTER_BYTES, Measurement, Meta,
    Original, Project, Reception, Record, Site, Stop, Writeup, field_label, split_front_matter, year_of_date,
};
#[cfg(all(test, unix))]
pub(crate) use scan::age_folders;
pub use scan::{
    FileStamp, FolderStamps, MAX_FILE_BYTES, Scan, is_record_path, read_record, rescan_files, scan_files, scan_library,
};
pub(crate) use yaml::from_str as parse_yaml;

/// The library opened when none is named: `corpus/` in the current folder, else `corpus/` beside the program (the
/// portable package's sample library, when the program is started from a shortcut or another folder), else
/// `corpus` (which then fails to open with a clear message).
pub fn default_root() -> PathBuf {
    let here = PathBuf::from("corpus");
    if here.is_dir() {
        return here;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("corpus")))
        .filter(|beside| beside.is_dir())
        .unwrap_or(here)
}

/// Why a library could not be opened at all (individual bad files are [`Problem`]s, not errors).
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("资料库文件夹不存在：{0}")]
    Missing(PathBuf),
    #[error("不是文件夹：{0}")]
    NotADirectory(PathBuf),
    #[error("无法读取资料库文件夹 {path}：{}", crate::os_error::describe(.source))]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// A loaded library: records, the vocabulary, and the problems found while reading.
#[derive(Debug)]
pub struct Library {
    pub root: PathBuf,
    pub config: Config,
    pub records: Vec<Record>,
    /// Files that could not be read or parsed.
    pub load_problems: Vec<Problem>,
    by_id: HashMap<String, usize>,
    project_by_name: HashMap<String, usize>,
    /// The resolved facts of each project record, by record index.
    project_facts: HashMap<usize, ProjectFacts>,
    /// The state of the folder when it was read, to tell cheaply whether it changed since
    /// ([`Library::caught_up`]); `None` for a library built in memory.
    read_from: Option<fresh::FolderState>,
    /// [`Library::experience_counts`], counted on first use.
    experience: std::sync::OnceLock<HashMap<String, usize>>,
}

impl Library {
    /// Reads every record under `root`, in path order, on all cores.
    pub fn load(root: &Path) -> Result<Library, LibraryError> {
        if !root.exists() {
            return Err(LibraryError::Missing(root.to_path_buf()));
        }
        if !root.is_dir() {
            return Err(LibraryError::NotADirectory(root.to_path_buf()));
        }
        let config_stamp = fresh::config_stamp(root);
        let config = Config::load(root)?;
        let files = scan_files(root).map_err(|source| LibraryError::Io { path: root.to_path_buf(), source })?;
        let results = parallel_map(&files, |f| read_record(root, &f.rel_path).map_err(|p| vec![p]));
        Ok(Library::read(root.to_path_buf(), config, results, fresh::FolderState { files, config: config_stamp }))
    }

    /// A library from the files as read (each a record or its problems), remembering the folder's state.
    fn read(
        root: PathBuf,
        config: Config,
        results: Vec<Result<Record, Vec<Problem>>>,
        state: fresh::FolderState,
    ) -> Library {
        let mut records = Vec::with_capacity(results.len());
        let mut load_problems = Vec::new();
        for result in results {
            match result {
                Ok(record) => records.push(record),
                Err(problems) => load_problems.extend(problems),
            }
        }
        let mut lib = Library::from_records(root, config, records, load_problems);
        lib.read_from = Some(state);
        lib
    }

    /// Builds the lookup tables over already-parsed records.
    pub fn from_records(root: PathBuf, config: Config, records: Vec<Record>, load_problems: Vec<Problem>) -> Library {
        let mut by_id = HashMap::new();
        let mut project_by_name = HashMap::new();
        let mut project_facts = HashMap::new();
        for (i, r) in records.iter().enumerate() {
            if let Some(f) = facts::project_facts(r, &config) {
                project_facts.insert(i, f);
            }
            if let Some(id) = r.id() {
                by_id.entry(id.to_string()).or_insert(i);
            }
            if let Meta::Project(p) = &r.meta
                && let Some(name) = p.name.as_deref()
            {
                project_by_name.entry(name.trim().to_string()).or_insert(i);
            }
        }
        Library {
            root,
            config,
            records,
            load_problems,
            by_id,
            project_by_name,
            project_facts,
            read_from: None,
            experience: Default::default(),
        }
    }

    /// The number of 经验材料 of each project, by project id, counted once for this library.
    pub fn experience_counts(&self) -> &HashMap<String, usize> {
        self.experience.get_or_init(|| check::count_experience(self))
    }

    /// The record with this id (the first one, if ids are duplicated).
    pub fn get(&self, id: &str) -> Option<&Record> {
        self.by_id.get(id.trim()).map(|&i| &self.records[i])
    }

    /// The project a write-up belongs to, whether `project:` names its id or its name.
    pub fn project_of(&self, record: &Record) -> Option<&Record> {
        let Meta::Writeup(w) = &record.meta else {
            return None;
        };
        self.resolve_project(w.project.as_deref()?)
    }

    /// A project by id or by name.
    pub fn resolve_project(&self, written: &str) -> Option<&Record> {
        let written = written.trim();
        let by_id = self.by_id.get(written).map(|&i| &self.records[i]).filter(|r| r.kind() == Kind::Project);
        by_id.or_else(|| self.project_by_name.get(written).map(|&i| &self.records[i]))
    }

    /// The gazetteer name of a record's district, own or inherited ([`facts::district`]).
    pub fn district_of<'a>(&'a self, record: &'a Record) -> Option<&'a str> {
        facts::district(record, &self.config, self)
    }

    /// The themes of a record as named in the taxonomy, own or inherited ([`facts::themes`]).
    pub fn themes_of(&self, record: &Record) -> Vec<String> {
        facts::themes(record, &self.config, self)
    }

    /// The document type of a write-up as configured (the default type when absent); `None` for other kinds.
    pub fn type_of<'a>(&'a self, record: &'a Record) -> Option<&'a str> {
        facts::doc_type(record, &self.config)
    }

    /// Everything resolved about a record ([`facts::facts`]).
    pub fn facts(&self, record: &Record) -> Facts {
        facts::facts(record, &self.config, self)
    }

    /// The write-ups that belong to a project, in path order.
    pub fn writeups_of<'a>(&'a self, project: &'a Record) -> impl Iterator<Item = &'a Record> + 'a {
        let id = project.id();
        self.records
            .iter()
            .filter(move |r| r.kind() == Kind::Writeup && id.is_some() && self.project_of(r).and_then(Record::id) == id)
    }

    /// Records of one kind, in path order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Record> {
        self.records.iter().filter(move |r| r.kind() == kind)
    }

    /// Absolute path of a record.
    pub fn abs_path(&self, record: &Record) -> PathBuf {
        self.root.join(&record.path)
    }
}

impl Projects for Library {
    fn find(&self, written: &str) -> Option<&ProjectFacts> {
        let written = written.trim();
        let by_id = self.by_id.get(written).filter(|&&i| self.records[i].kind() == Kind::Project);
        by_id.or_else(|| self.project_by_name.get(written)).and_then(|i| self.project_facts.get(i))
    }
}

/// Maps `f` over `items` on all cores, keeping the order.
pub(crate) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if threads <= 1 || items.len() < 64 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(chunk).map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<R>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    })
}
