//! Validation: the format's rules as errors, the seed's rules (two write-ups per project, 3–4 sites per
//! district) as warnings. Every problem names the file, the line, a stable code and a message in Chinese.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::Library;
use super::record::{Kind, Meta, Record, year_of_date};
use super::scan::MAX_FILE_BYTES;

/// Errors make `check` fail; warnings are the seed's advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Relative to the library root, `/`-separated.
    pub path: String,
    /// 1-based; 0 when the whole file is concerned (unreadable, too large).
    pub line: usize,
    pub code: &'static str,
    pub message: String,
    #[serde(skip)]
    pub severity: Severity,
}

/// Counts that summarise a library.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub projects: usize,
    pub writeups: usize,
    pub districts: usize,
    pub sites: usize,
    pub collections: usize,
    pub incomplete_projects: Vec<String>,
}

/// The result of `check`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
    pub stats: Stats,
}

/// How many 经验材料 the seed asks for per claimed project.
pub use super::rules::MIN_EXPERIENCE as MIN_EXPERIENCE_WRITEUPS;
/// How many demonstration sites the seed asks a district to prepare.
pub use super::rules::SITES_PER_DISTRICT;

/// A stop longer than a day is a typing error (and sums of such values would overflow the visit's length).
pub const MAX_STOP_MINUTES: u32 = 1440;
/// Indicator values beyond this are not counts, rates or amounts of a district: refused so that comparisons and
/// charts never see overflowing or unrepresentable numbers.
pub const MAX_VALUE: f64 = 1e12;

/// Checks a loaded library: the records as read, without opening any other file (fast enough for every save).
pub fn check(lib: &Library) -> Report {
    check_with(lib, Vec::new())
}

/// [`check`] plus what only reading other files can tell: whether each write-up's original (原件) is still the
/// file that was filed. What `casebook check` runs.
pub fn check_files(lib: &Library) -> Report {
    check_with(lib, super::original::verify_library(lib))
}

fn check_with(lib: &Library, found: Vec<Problem>) -> Report {
    let mut problems = lib.load_problems.clone();
    problems.extend(found);
    let mut c = Checker { lib, problems };
    c.duplicate_ids();
    for r in &lib.records {
        c.record(r);
    }
    let incomplete = c.completeness();
    c.site_counts();
    c.indicator_names();
    let mut report = Report::default();
    for p in c.problems {
        match p.severity {
            Severity::Error => report.errors.push(p),
            Severity::Warning => report.warnings.push(p),
        }
    }
    let order = |a: &Problem, b: &Problem| (&a.path, a.line, a.code).cmp(&(&b.path, b.line, b.code));
    report.errors.sort_by(order);
    report.warnings.sort_by(order);
    report.stats = stats(lib, incomplete);
    report
}

/// Checks records that are about to be written (an edited form, an import, a bundle) against the library as it
/// would be with them: the same rules as `check`, reporting only problems in the candidates' own files.
/// A candidate replaces the library's record with the same path.
pub fn check_candidates(lib: &Library, candidates: &[Record]) -> Vec<Problem> {
    let paths: std::collections::HashSet<&str> = candidates.iter().map(|r| r.path.as_str()).collect();
    let mut records: Vec<Record> = lib.records.iter().filter(|r| !paths.contains(r.path.as_str())).cloned().collect();
    // The library's records first: a candidate that reuses an id is the one blamed for it, never the record
    // that already has it.
    records.sort_by(|a, b| a.path.cmp(&b.path));
    let mut incoming: Vec<Record> = candidates.to_vec();
    incoming.sort_by(|a, b| a.path.cmp(&b.path));
    records.extend(incoming);
    let future = Library::from_records(lib.root.clone(), lib.config.clone(), records, Vec::new());
    let report = check(&future);
    let mut out: Vec<Problem> =
        report.errors.into_iter().chain(report.warnings).filter(|p| paths.contains(p.path.as_str())).collect();
    // What the loader would refuse to read back is refused before it is written.
    for r in candidates {
        let bytes = r.front_matter.len() + r.body.len();
        if bytes as u64 > MAX_FILE_BYTES {
            let message = format!(
                "记录有 {:.1} MB，超过单个记录 {} MB 的上限（资料库将无法读取它）",
                bytes as f64 / 1048576.0,
                MAX_FILE_BYTES / 1048576
            );
            out.insert(
                0,
                Problem { path: r.path.clone(), line: 0, code: "too-large", message, severity: Severity::Error },
            );
        }
    }
    out
}

/// The number of 经验材料 each project has, by project id: counted once per loaded library
/// ([`Library::experience_counts`]), as the app's project page asks at every frame.
pub fn experience_counts(lib: &Library) -> &HashMap<String, usize> {
    lib.experience_counts()
}

/// Counts what [`experience_counts`] returns.
pub(super) fn count_experience(lib: &Library) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for p in lib.of_kind(Kind::Project) {
        if let Some(id) = p.id() {
            counts.entry(id.to_string()).or_default();
        }
    }
    for w in lib.of_kind(Kind::Writeup) {
        if super::rules::is_experience(lib, w)
            && let Some(pid) = lib.project_of(w).and_then(Record::id)
        {
            *counts.entry(pid.to_string()).or_default() += 1;
        }
    }
    counts
}

fn stats(lib: &Library, incomplete_projects: Vec<String>) -> Stats {
    let districts: BTreeSet<&str> = lib
        .records
        .iter()
        .filter(|r| matches!(r.kind(), Kind::Project | Kind::Writeup | Kind::Site))
        .filter_map(|r| lib.district_of(r))
        .filter(|d| lib.config.resolve_district(d).is_some())
        .collect();
    Stats {
        projects: lib.of_kind(Kind::Project).count(),
        writeups: lib.of_kind(Kind::Writeup).count(),
        districts: districts.len(),
        sites: lib.of_kind(Kind::Site).count(),
        collections: lib.of_kind(Kind::Collection).count(),
        incomplete_projects,
    }
}

struct Checker<'a> {
    lib: &'a Library,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn push(&mut self, r: &Record, line: usize, severity: Severity, code: &'static str, message: String) {
        self.problems.push(Problem { path: r.path.clone(), line, code, message, severity });
    }

    fn error(&mut self, r: &Record, key: &str, code: &'static str, message: String) {
        let line = r.line_of(key);
        self.push(r, line, Severity::Error, code, message);
    }

    /// Ids are compared without case: `YZ-P01-1` and `yz-p01-1` name the same file on Windows and macOS and
    /// read alike to a person.
    fn duplicate_ids(&mut self) {
        let mut first: HashMap<String, &Record> = HashMap::new();
        for r in &self.lib.records {
            let Some(id) = r.id() else { continue };
            if let Some(prev) = first.get(&id.to_lowercase()) {
                let message = format!("id “{id}” 重复：已在 {} 中使用", prev.path);
                self.error(r, "id", "duplicate-id", message);
            } else {
                first.insert(id.to_lowercase(), r);
            }
        }
    }

    fn required(&mut self, r: &Record, key: &str, value: Option<&str>) {
        if value.is_none_or(|v| v.trim().is_empty()) {
            let message = format!("{}缺少必填字段 {}", r.kind().label(), super::record::field_label(key));
            self.push(r, 1, Severity::Error, "missing-key", message);
        }
    }

    fn district(&mut self, r: &Record, value: Option<&str>) {
        self.required(r, "district", value);
        if let Some(d) = value.filter(|d| !d.trim().is_empty())
            && self.lib.config.resolve_district(d).is_none()
        {
            let message = format!("未知的区县 “{d}”：不在区县名录中（可在 casebook.yaml 的 districts 中添加）");
            self.error(r, "district", "unknown-district", message);
        }
    }

    fn themes(&mut self, r: &Record, themes: &[String]) {
        for t in themes {
            if self.lib.config.resolve_theme(t).is_none() {
                let known: Vec<&str> = self.lib.config.all_themes().collect();
                let message = format!("未知的主题 “{t}”：应为 {}", known.join("、"));
                self.error(r, "themes", "unknown-theme", message);
            }
        }
    }

    fn record(&mut self, r: &Record) {
        if let Some(id) = r.id()
            && id.chars().any(|c| c.is_whitespace() || c == '/' || c == '\\')
        {
            self.error(r, "id", "bad-id", format!("id “{id}” 不能含有空格或斜杠"));
        }
        match &r.meta {
            Meta::Writeup(w) => {
                self.required(r, "id", w.id.as_deref());
                self.required(r, "title", w.title.as_deref());
                self.district(r, w.district.as_deref());
                self.themes(r, &w.themes);
                for (code, message) in super::original::structure_problems(r) {
                    self.push(r, r.line_of("original"), Severity::Error, code, message);
                }
                if w.doc_type.as_deref().is_some_and(|t| t.trim() == super::rules::PENDING_TYPE) {
                    let message =
                        format!("文种待确认：导入时没有找到文种的依据，确认后才计入{}", super::rules::EXPERIENCE);
                    self.push(r, r.line_of("type"), Severity::Warning, "type-pending", message);
                } else if let Some(t) = w.doc_type.as_deref()
                    && self.lib.config.resolve_type(t).is_none()
                {
                    let message = format!("未知的文种 “{t}”：应为 {}", self.lib.config.types.join("、"));
                    self.error(r, "type", "unknown-type", message);
                }
                match (&w.date, w.year) {
                    (None, None) => {
                        self.push(
                            r,
                            1,
                            Severity::Error,
                            "missing-key",
                            format!(
                                "写作材料缺少 {} 或 {}",
                                super::record::field_label("date"),
                                super::record::field_label("year")
                            ),
                        );
                    }
                    (Some(d), _) if year_of_date(d).is_none() => {
                        let message = format!("日期 “{d}” 无法识别：应写作 2021-09-15 或 2021");
                        self.error(r, "date", "bad-date", message);
                    }
                    _ => {}
                }
                if let Some(p) = w.project.as_deref()
                    && self.lib.resolve_project(p).is_none()
                {
                    let message = format!("所属项目 “{p}” 不存在：既不是项目 id，也不是项目名称");
                    self.error(r, "project", "dangling-project", message);
                }
            }
            Meta::Project(p) => {
                self.required(r, "id", p.id.as_deref());
                self.required(r, "name", p.name.as_deref());
                self.district(r, p.district.as_deref());
                if p.themes.is_empty() {
                    self.push(
                        r,
                        1,
                        Severity::Error,
                        "missing-key",
                        format!("认领项目缺少必填字段 {}", super::record::field_label("themes")),
                    );
                }
                self.themes(r, &p.themes);
                self.indicators(r, p);
            }
            Meta::Site(s) => {
                self.required(r, "id", s.id.as_deref());
                self.required(r, "name", s.name.as_deref());
                self.district(r, s.district.as_deref());
                for pid in &s.projects {
                    if self.lib.get(pid).is_none_or(|p| p.kind() != Kind::Project) {
                        let message = format!("调研点展示的项目 “{pid}” 不存在");
                        self.error(r, "projects", "dangling-project", message);
                    }
                }
                for (i, stop) in s.stops.iter().enumerate() {
                    if stop.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                        let message = format!("第 {} 个点位缺少 name", i + 1);
                        self.error(r, "stops", "bad-stop", message);
                    }
                    if let Some(m) = stop.minutes.filter(|m| *m > MAX_STOP_MINUTES) {
                        let message =
                            format!("第 {} 个点位停留 {m} 分钟，超过 {MAX_STOP_MINUTES} 分钟（一天）：请检查", i + 1);
                        self.error(r, "stops", "bad-stop", message);
                    }
                }
            }
            Meta::Collection(c) => {
                self.required(r, "id", c.id.as_deref());
                self.required(r, "title", c.title.as_deref());
                if c.items.is_empty() {
                    self.error(r, "items", "missing-key", "学习专辑没有任何条目（items）".into());
                }
                for (i, item) in c.items.iter().enumerate() {
                    match item.id.as_deref() {
                        None => self.error(r, "items", "bad-item", format!("第 {} 个条目缺少 id", i + 1)),
                        Some(id) if self.lib.get(id).is_none() => {
                            let message = format!("学习专辑引用的材料 “{id}” 不存在");
                            self.error(r, "items", "dangling-item", message);
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        if r.is_gbk() {
            self.push(
                r,
                0,
                Severity::Warning,
                "encoding-gbk",
                "文件为 GBK/GB18030 编码，已正确读取；建议另存为 UTF-8 以便交换".into(),
            );
        }
    }

    fn indicators(&mut self, r: &Record, p: &super::Project) {
        for (i, ind) in p.indicators.iter().enumerate() {
            let n = i + 1;
            let label = match ind.name.as_deref() {
                Some(name) if !name.trim().is_empty() => format!("指标 “{name}”"),
                _ => {
                    self.error(r, "indicators", "bad-indicator", format!("第 {n} 个指标缺少 name"));
                    format!("第 {n} 个指标")
                }
            };
            if ind.unit.as_deref().is_none_or(|u| u.trim().is_empty()) {
                self.error(r, "indicators", "bad-indicator", format!("{label}缺少 unit（单位）"));
            }
            if ind.direction().is_none() {
                let got = ind.better.as_deref().unwrap_or("（未填写）");
                let message = format!("{label}的 better 应为 higher（越高越好）或 lower（越低越好），实际为 “{got}”");
                self.error(r, "indicators", "bad-indicator", message);
            }
            for (key, m) in [("before", &ind.before), ("after", &ind.after)] {
                match m {
                    None if key == "before" => {
                        self.error(r, "indicators", "bad-indicator", format!("{label}缺少 before（试点前数据）"));
                    }
                    Some(m) if m.value.is_none() => {
                        self.error(r, "indicators", "bad-indicator", format!("{label}的 {key} 缺少 value"));
                    }
                    Some(m) if m.value.is_some_and(|v| !v.is_finite()) => {
                        self.error(r, "indicators", "bad-indicator", format!("{label}的 {key}.value 不是有效数字"));
                    }
                    Some(m) if m.value.is_some_and(|v| v.abs() > MAX_VALUE) => {
                        let message = format!("{label}的 {key}.value 超出 ±{MAX_VALUE:e}，不是可比较的数值");
                        self.error(r, "indicators", "bad-indicator", message);
                    }
                    _ => {}
                }
            }
            if ind.target.is_some_and(|t| !t.is_finite() || t.abs() > MAX_VALUE) {
                let message = format!("{label}的 target 不是有效数字或超出 ±{MAX_VALUE:e}");
                self.error(r, "indicators", "bad-indicator", message);
            }
        }
        for (i, e) in p.evaluation.iter().enumerate() {
            match e.satisfaction {
                Some(s) if (0.0..=100.0).contains(&s) => {}
                Some(s) => {
                    let message = format!("第 {} 次群众评价满意度 {s} 不在 0–100 之间", i + 1);
                    self.error(r, "evaluation", "bad-evaluation", message);
                }
                None => {
                    let message = format!("第 {} 次群众评价缺少 satisfaction", i + 1);
                    self.error(r, "evaluation", "bad-evaluation", message);
                }
            }
        }
    }

    /// Seed rule: every claimed project turned into at least two 经验材料.
    fn completeness(&mut self) -> Vec<String> {
        let counts = experience_counts(self.lib);
        let mut incomplete = Vec::new();
        for p in self.lib.of_kind(Kind::Project) {
            let Some(id) = p.id() else { continue };
            let n = counts.get(id).copied().unwrap_or(0);
            if !super::rules::experience_enough(n) {
                incomplete.push(id.to_string());
                let message = format!(
                    "项目 “{}” 只有 {n} 篇{}，试点要求每个认领项目至少 {MIN_EXPERIENCE_WRITEUPS} 篇",
                    p.title(),
                    super::rules::EXPERIENCE
                );
                self.push(p, 1, Severity::Warning, "project-incomplete", message);
            }
        }
        incomplete
    }

    /// Indicator names kept apart that may be one indicator ([`crate::compare::naming::near_names`]): the
    /// cross-district comparison would list them twice. Said once per pair, on the first project using the
    /// shorter name.
    fn indicator_names(&mut self) {
        // Each name once, with the first project that uses it (a save checks the whole library: no quadratic
        // look-ups over every project's indicators).
        let mut first_use: HashMap<&str, &Record> = HashMap::new();
        let mut names: Vec<&str> = Vec::new();
        for p in self.lib.of_kind(Kind::Project) {
            let Meta::Project(project) = &p.meta else { continue };
            for name in project.indicators.iter().filter_map(|i| i.name.as_deref()) {
                if let std::collections::hash_map::Entry::Vacant(e) = first_use.entry(name) {
                    e.insert(p);
                    names.push(name);
                }
            }
        }
        for (short, long) in crate::compare::naming::near_names(&self.lib.config, &names) {
            let (Some(here), Some(there)) = (first_use.get(short).copied(), first_use.get(long).copied()) else {
                continue;
            };
            let message = format!(
                "指标 “{short}” 与 “{long}”（{}）名称相近，横向对比时按两个指标计；若是同一指标，请统一名称，或在 casebook.yaml 的 synonyms 中列为一组",
                there.id().unwrap_or(&there.path)
            );
            let line = here.line_of("indicators");
            self.push(here, line, Severity::Warning, "indicator-name-near", message);
        }
    }

    /// Seed rule: a district prepares 3–4 demonstration sites.
    fn site_counts(&mut self) {
        let mut by_district: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
        for s in self.lib.of_kind(Kind::Site) {
            if let Some(d) = self.lib.district_of(s) {
                by_district.entry(d).or_default().push(s);
            }
        }
        for (district, sites) in by_district {
            if !super::rules::sites_enough(sites.len()) {
                let message = format!(
                    "{district}有 {} 个调研点，试点要求每个区县准备 {} 个",
                    sites.len(),
                    super::rules::sites_range_text()
                );
                self.push(sites[0], 1, Severity::Warning, "sites-count", message);
            }
        }
    }
}
