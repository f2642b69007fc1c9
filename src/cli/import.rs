//! `casebook import FILE…`: .md, .txt and .docx files become write-ups. For each file the title, district,
//! date, type and project are guessed from its text (options override them), the record is checked like
//! `casebook check`, then written with its images; a bad file is reported and the others go on. Afterwards the
//! search index is brought up to date.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use casebook::import::{Guess, ImportDraft, ImportError, Limits, import_file_with, plan_import, write_planned};
use casebook::library::{Library, Severity};
use casebook::search::SearchIndex;
use clap::Args;
use serde_json::{Value, json};

use super::output::print_json;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// 要导入的文件（.md、.txt、.docx、.pdf、表格、扫描件……）
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// 不导入为写作材料，而是用表格（报表）中的数字填写这个认领项目（编号或名称）的试点前后指标
    #[arg(long, value_name = "项目")]
    indicators: Option<String>,
    #[command(flatten)]
    columns: super::import_indicators::ColumnArgs,
    /// 所属认领项目（id 或名称）；未给出 --district 时也决定区县
    #[arg(long)]
    project: Option<String>,
    /// 文种，如 经验材料、典型案例
    #[arg(long = "type", value_name = "文种")]
    doc_type: Option<String>,
    /// 区县（可用简称）
    #[arg(long)]
    district: Option<String>,
    /// 年份（代替猜测的日期或年份）
    #[arg(long)]
    year: Option<i32>,
    /// 指定 id（只导入一个文件时）
    #[arg(long)]
    id: Option<String>,
    /// 与 --id 同用：用导入的文字替换这条已有写作材料的正文（头信息不变，旧版本保存在历史中）
    #[arg(long, requires = "id")]
    replace: bool,
    /// 只显示将会写入什么，不写入
    #[arg(long)]
    dry_run: bool,
    /// 以 JSON 输出
    #[arg(long)]
    json: bool,
}

/// The options that override guesses.
struct Overrides<'a> {
    id: Option<&'a str>,
    replace: bool,
    project: Option<&'a str>,
    doc_type: Option<&'a str>,
    district: Option<&'a str>,
    year: Option<i32>,
}

/// Imports every file; exit code 1 when any failed.
pub fn run(root: &Path, args: ImportArgs) -> anyhow::Result<ExitCode> {
    if let Some(project) = &args.indicators {
        let [file] = args.files.as_slice() else { anyhow::bail!("--indicators 一次只能读取一个表格文件") };
        return super::import_indicators::run(root, file, project, &args.columns, args.dry_run, args.json);
    }
    // Ids are chosen from the library as loaded: another import or `new` must wait until these are written.
    let lock = if args.dry_run {
        None
    } else {
        Some(casebook::store::WriteLock::take(root).context("无法锁定资料库以导入")?)
    };
    let mut lib = Library::load(root).with_context(|| format!("无法打开资料库 {}", root.display()))?;
    if args.id.is_some() && args.files.len() > 1 {
        anyhow::bail!("--id 只能在导入一个文件时使用");
    }
    let overrides = Overrides {
        id: args.id.as_deref(),
        replace: args.replace,
        project: args.project.as_deref(),
        doc_type: args.doc_type.as_deref(),
        district: args.district.as_deref(),
        year: args.year,
    };
    let mut results = Vec::new();
    let (mut written, mut failed) = (0usize, 0usize);
    for file in &args.files {
        match import_one(&lib, file, &overrides, lock.as_ref()) {
            Ok(done) => {
                if !args.dry_run {
                    written += 1;
                    // The next file's id and path must see this one.
                    lib = Library::load(root).with_context(|| format!("无法重新读取资料库 {}", root.display()))?;
                }
                if !args.json {
                    print_success(&done, args.dry_run);
                }
                results.push(success_json(&done));
            }
            Err(Failed { error: e, draft }) => {
                failed += 1;
                if !args.json {
                    let message = e.to_string();
                    let shown = file.display().to_string();
                    let message = if message.contains(&shown) { message } else { format!("{shown}：{message}") };
                    say_err!("失败 {message}{}", hint(&e));
                    if let Some(draft) = &draft {
                        say_err!("  已从文件中判断出：");
                        print_guesses(draft, &mut |line| say_err!("{line}"));
                    }
                }
                let mut entry = json!({ "file": file.display().to_string(), "ok": false, "error": e.to_string() });
                if let Some(draft) = &draft {
                    entry["guesses"] = guesses_json(draft);
                }
                results.push(entry);
            }
        }
    }
    let mut index_note = None;
    if written > 0 {
        match SearchIndex::open(root) {
            Ok(_) => index_note = Some("检索索引已更新".to_string()),
            Err(e) => index_note = Some(format!("检索索引未能更新：{e}（下次检索时会自动更新）")),
        }
    }
    if args.json {
        print_json(&json!({ "dry_run": args.dry_run, "imported": written, "failed": failed, "files": results }))?;
    } else {
        let verb = if args.dry_run { "可导入" } else { "已导入" };
        say!("{verb} {} 个文件，失败 {failed} 个", args.files.len() - failed);
        if let Some(note) = index_note {
            say!("{note}");
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// A file done: its draft, id, path, image paths and warnings.
struct Imported {
    draft: ImportDraft,
    id: String,
    rel: String,
    assets: Vec<String>,
    warnings: Vec<String>,
}

/// A file that failed, with what was read and guessed from it when it got that far.
struct Failed {
    error: ImportError,
    draft: Option<Box<ImportDraft>>,
}

/// Reads, overrides, checks and (unless a dry run) writes one file; writes only when given the write lock.
fn import_one(
    lib: &Library,
    file: &Path,
    o: &Overrides,
    lock: Option<&casebook::store::WriteLock>,
) -> Result<Imported, Failed> {
    // Long steps (OCR of scanned pages) are told on standard error, so that output stays clean.
    let mut progress = |step: &str| say_err!("{}：{step}", file.display());
    let mut draft =
        import_file_with(lib, file, Limits::default(), &mut progress).map_err(|error| Failed { error, draft: None })?;
    let kept = |error: ImportError, draft: &ImportDraft| Failed { error, draft: Some(Box::new(draft.clone())) };
    if let Err(e) = apply_overrides(lib, &mut draft, o) {
        return Err(kept(e, &draft));
    }
    let plan = plan_import(lib, &draft).map_err(|e| kept(e, &draft))?;
    let warnings: Vec<String> = draft
        .warnings
        .iter()
        .cloned()
        .chain(plan.warnings.iter().filter(|p| p.severity == Severity::Warning).map(|p| p.message.clone()))
        .collect();
    let (id, rel, assets) = (plan.id.clone(), plan.rel.clone(), plan.asset_paths.clone());
    if let Some(lock) = lock {
        write_planned(plan, lock).map_err(|e| kept(e, &draft))?;
    }
    Ok(Imported { draft, id, rel, assets, warnings })
}

/// The options given on the command line, over what was guessed. An option never erases what the file says: a
/// date found in the text stays beside `--year` (the year given is the record's year).
fn apply_overrides(lib: &Library, draft: &mut ImportDraft, o: &Overrides) -> Result<(), ImportError> {
    if let Some(id) = o.id {
        match lib.get(id) {
            Some(existing) if o.replace => {
                if !draft.replacing(existing) {
                    return Err(ImportError::Replace(format!("{id} 是{}，只能替换写作材料", existing.kind().label())));
                }
            }
            Some(existing) => {
                return Err(ImportError::Replace(format!(
                    "id {id} 已被 {} 使用；如要用这个文件替换它的正文，请加 --replace",
                    existing.path
                )));
            }
            None if o.replace => return Err(ImportError::Replace(format!("没有 id 为 {id} 的记录可替换"))),
            None => draft.meta.id = Some(id.to_string()),
        }
    }
    let forced = |value: &str| Guess { value: value.to_string(), from: "命令行指定".to_string() };
    if let Some(p) = o.project {
        let project = lib.resolve_project(p);
        draft.meta.project = Some(project.and_then(|r| r.id()).unwrap_or(p).to_string());
        draft.guesses.project = Some(forced(p));
        if o.district.is_none()
            && let Some(d) = project.and_then(|r| lib.district_of(r))
        {
            draft.meta.district = Some(d.to_string());
            draft.guesses.district = Some(Guess { value: d.to_string(), from: format!("项目 {p} 所在区县") });
        }
    }
    if let Some(d) = o.district {
        let name = lib.config.district_name(d);
        draft.meta.district = Some(name.to_string());
        draft.guesses.district = Some(forced(name));
    }
    if let Some(t) = o.doc_type {
        draft.meta.doc_type = Some(t.to_string());
        draft.guesses.doc_type = Some(forced(t));
    }
    if let Some(y) = o.year {
        draft.meta.year = Some(y);
        draft.guesses.year = Some(forced(&y.to_string()));
    }
    Ok(())
}

/// What to add on the command line when a guess was missing.
fn hint(e: &ImportError) -> &'static str {
    let text = e.to_string();
    if !matches!(e, ImportError::Invalid { .. }) {
        ""
    } else if text.contains("（year）") {
        "（文中找不到年份：请用 --year 指定）"
    } else if text.contains("district") || text.contains("区县") {
        "（请用 --district 指定区县）"
    } else if text.contains("所属项目") {
        "（请用 --project 指定已有项目的 id）"
    } else {
        ""
    }
}

fn guess_line(label: &str, value: Option<&str>, guess: Option<&Guess>) -> String {
    match (value, guess) {
        (Some(v), Some(g)) if g.value == v || g.from == "命令行指定" => format!("  {label}：{v}（{}）", g.from),
        (Some(v), _) => format!("  {label}：{v}"),
        (None, _) => format!("  {label}：（未能判断）"),
    }
}

/// One line per field of what was read or guessed from a file (and from where), for success and failure alike.
fn print_guesses(draft: &ImportDraft, out: &mut dyn FnMut(String)) {
    let m = &draft.meta;
    let g = &draft.guesses;
    out(guess_line("标题", m.title.as_deref(), g.title.as_ref()));
    out(guess_line("区县", m.district.as_deref(), g.district.as_ref()));
    if let Some(d) = &m.date {
        out(guess_line("日期", Some(d), g.date.as_ref()));
    }
    match (&m.date, m.year) {
        (_, Some(y)) => out(guess_line("年份", Some(&y.to_string()), g.year.as_ref())),
        (Some(_), None) => {}
        (None, None) => out("  年份：（未能判断）".to_string()),
    }
    out(guess_line("文种", Some(m.doc_type.as_deref().unwrap_or("经验材料")), g.doc_type.as_ref()));
    if let Some(p) = m.project.as_deref() {
        out(guess_line("项目", Some(p), g.project.as_ref()));
    }
}

fn print_success(done: &Imported, dry: bool) {
    let Imported { draft, id, rel, assets, warnings } = done;
    let arrow = if dry { "将导入为" } else { "→" };
    say!("{} {arrow} {rel}（id：{id}）", draft.source.display());
    print_guesses(draft, &mut |line| say!("{line}"));
    // The original, when kept, is the last of the files written beside the write-up.
    let images = &assets[..assets.len() - usize::from(draft.original.is_some())];
    if let Some(first) = images.first() {
        let dir = first.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        say!("  图片：{} 张 → {dir}/", images.len());
    }
    if let (Some(o), Some(path)) = (&draft.original, assets.last()) {
        let pages = o.pages.map(|p| format!("，{p} 页")).unwrap_or_default();
        say!("  原件：{}（{}{pages}）→ {path}", o.asset.name, human_size(o.asset.bytes.len() as u64));
    }
    for w in warnings {
        say!("  注意：{w}");
    }
}

/// A size as a clerk reads it: 812 字节, 64.3 KB, 12.5 MB.
fn human_size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} 字节"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / 1048576.0),
    }
}

fn guess_json(g: &Option<Guess>) -> Value {
    match g {
        Some(g) => json!({ "value": g.value, "from": g.from }),
        None => Value::Null,
    }
}

/// What was guessed for each field and from where (`null`: nothing found).
fn guesses_json(draft: &ImportDraft) -> Value {
    let g = &draft.guesses;
    json!({
        "title": guess_json(&g.title),
        "district": guess_json(&g.district),
        "date": guess_json(&g.date),
        "year": guess_json(&g.year),
        "type": guess_json(&g.doc_type),
        "project": guess_json(&g.project),
    })
}

fn success_json(done: &Imported) -> Value {
    let Imported { draft, id, rel, assets, warnings } = done;
    let m = &draft.meta;
    json!({
        "file": draft.source.display().to_string(),
        "ok": true,
        "id": id,
        "path": rel,
        "title": m.title,
        "district": m.district,
        "date": m.date,
        "year": m.year,
        "type": m.doc_type,
        "project": m.project,
        "assets": assets,
        "original": draft.original.as_ref().map(|o| json!({
            "name": o.asset.name,
            "path": assets.last(),
            "size": o.asset.bytes.len(),
            "sha256": casebook::store::sha256_hex(&o.asset.bytes),
            "pages": o.pages,
            "ocr_pages": o.ocr_pages,
        })),
        "guesses": guesses_json(draft),
        "warnings": warnings,
    })
}
