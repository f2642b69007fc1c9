//! `casebook new writeup|project|site|collection`: a valid record from a template, placed and named like the
//! library's other records, checked before it is written.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use casebook::library::{Collection, CollectionItem, Kind, Library, Meta, Project, Site, Writeup};
use casebook::store::{
    self,
    history::{format_beijing, now_ms},
};
use clap::{Args, Subcommand};

use super::output::print_json;

#[derive(Args, Debug)]
pub struct NewArgs {
    #[command(subcommand)]
    what: What,
    /// 以 JSON 输出（path、id、kind、warnings）
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum What {
    /// 写作材料（经验材料、典型案例、工作简报……）
    Writeup(WriteupArgs),
    /// 认领项目
    Project(ProjectArgs),
    /// 调研点
    Site(SiteArgs),
    /// 学习专辑
    Collection(CollectionArgs),
}

#[derive(Args, Debug)]
struct WriteupArgs {
    /// 标题
    #[arg(long)]
    title: String,
    /// 区县（可用简称，如“合川”；给出 --project 时可省略）
    #[arg(long)]
    district: Option<String>,
    /// 所属认领项目的 id 或名称
    #[arg(long)]
    project: Option<String>,
    /// 文种（默认经验材料）
    #[arg(long = "type", value_name = "文种")]
    doc_type: Option<String>,
    /// 日期，如 2021-09-15
    #[arg(long)]
    date: Option<String>,
    /// 年份（未给出日期和年份时为今年）
    #[arg(long)]
    year: Option<i32>,
    /// 主题，逗号或顿号分隔
    #[arg(long)]
    themes: Option<String>,
    /// 报送单位
    #[arg(long)]
    author_unit: Option<String>,
    /// 标签，逗号分隔
    #[arg(long)]
    tags: Option<String>,
    /// 指定 id（默认按项目或区县自动编号）
    #[arg(long)]
    id: Option<String>,
}

#[derive(Args, Debug)]
struct ProjectArgs {
    /// 项目名称
    #[arg(long)]
    name: String,
    /// 区县
    #[arg(long)]
    district: String,
    /// 主题（必填），逗号或顿号分隔
    #[arg(long)]
    themes: String,
    /// 牵头单位
    #[arg(long)]
    lead_unit: Option<String>,
    /// 配合单位，逗号分隔
    #[arg(long)]
    partner_units: Option<String>,
    /// 认领年份
    #[arg(long)]
    claimed: Option<i32>,
    /// 状态，如 推进中、已完成、已验收
    #[arg(long)]
    status: Option<String>,
    /// 指定 id
    #[arg(long)]
    id: Option<String>,
}

#[derive(Args, Debug)]
struct SiteArgs {
    /// 调研点名称
    #[arg(long)]
    name: String,
    /// 区县
    #[arg(long)]
    district: String,
    /// 地址
    #[arg(long)]
    address: Option<String>,
    /// 亮点（一句话）
    #[arg(long)]
    highlight: Option<String>,
    /// 展示的项目 id，逗号分隔
    #[arg(long)]
    projects: Option<String>,
    /// 在区县调研路线中的顺序
    #[arg(long)]
    route_order: Option<u32>,
    /// 指定 id
    #[arg(long)]
    id: Option<String>,
}

#[derive(Args, Debug)]
struct CollectionArgs {
    /// 专辑标题
    #[arg(long)]
    title: String,
    /// 收录的写作材料 id（必填），逗号分隔，按教学顺序
    #[arg(long)]
    items: String,
    /// 面向对象
    #[arg(long)]
    audience: Option<String>,
    /// 指定 id
    #[arg(long)]
    id: Option<String>,
}

/// Splits `a,b`, `a，b`, `a、b`.
fn list(text: Option<&str>) -> Vec<String> {
    text.unwrap_or("").split([',', '，', '、']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn opt(text: Option<String>) -> Option<String> {
    text.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Writes a new record; exit code 1 when it would not pass `casebook check`.
pub fn run(root: &Path, args: NewArgs) -> anyhow::Result<ExitCode> {
    // The next free id is chosen from the library as loaded here: another `new` must not do the same before
    // this record is written.
    let lock = store::WriteLock::take(root).context("无法锁定资料库以新建记录")?;
    let lib = Library::load(root).with_context(|| format!("无法打开资料库 {}", root.display()))?;
    let (meta, body, id_given) = build(&lib, args.what)?;
    let mut meta = meta;
    let (kind, district, project) = match &meta {
        Meta::Writeup(w) => (Kind::Writeup, w.district.clone(), w.project.clone()),
        Meta::Project(p) => (Kind::Project, p.district.clone(), None),
        Meta::Site(s) => (Kind::Site, s.district.clone(), None),
        Meta::Collection(_) => (Kind::Collection, None, None),
    };
    let id = id_given.unwrap_or_else(|| store::suggest_id(&lib, kind, district.as_deref(), project.as_deref()));
    match &mut meta {
        Meta::Writeup(w) => w.id = Some(id.clone()),
        Meta::Project(p) => p.id = Some(id.clone()),
        Meta::Site(s) => s.id = Some(id.clone()),
        Meta::Collection(c) => c.id = Some(id.clone()),
    }
    let rel = store::path_for_meta(&lib, &meta);
    let text = store::render_record(&meta, None, body)?;
    // A new record never replaces a file that appeared in its place since the library was read.
    let write = store::Write::record(&rel, text).expecting(store::Seen::Absent);
    let planned = match store::plan(&lib, vec![write]) {
        Err(store::StoreError::Invalid(errors)) => {
            for p in &errors {
                say_err!("错误 {rel}: [{}] {}", p.code, p.message);
            }
            say_err!("未写入：请修改参数后重试");
            return Ok(ExitCode::from(1));
        }
        planned => planned.with_context(|| format!("无法写入 {rel}"))?,
    };
    let warnings: Vec<String> = planned.warnings.iter().map(|p| p.message.clone()).collect();
    planned.commit(&lock).and_then(store::Committed::all_written).with_context(|| format!("无法写入 {rel}"))?;
    if args.json {
        print_json(&serde_json::json!({
            "path": rel,
            "id": id,
            "kind": kind.keyword(),
            "warnings": warnings,
        }))?;
    } else {
        say!("已新建{}：{rel}（id：{id}）", kind.label());
        for w in warnings {
            say!("  警告：{w}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The model and body for the arguments, and the id asked for.
fn build(lib: &Library, what: What) -> anyhow::Result<(Meta, &'static str, Option<String>)> {
    Ok(match what {
        What::Writeup(a) => {
            let project = opt(a.project);
            let district = opt(a.district).or_else(|| {
                let p = lib.resolve_project(project.as_deref()?)?;
                lib.district_of(p).map(str::to_string)
            });
            let district = district.map(|d| lib.config.district_name(&d).to_string());
            let date = opt(a.date);
            let year = match (&date, a.year) {
                (None, None) => format_beijing(now_ms()).get(..4).and_then(|y| y.parse().ok()),
                (_, y) => y,
            };
            let doc_type = opt(a.doc_type);
            let body =
                store::body_template(Kind::Writeup, doc_type.as_deref().and_then(|t| lib.config.resolve_type(t)));
            let w = Writeup {
                id: None,
                title: opt(Some(a.title)),
                project,
                district,
                themes: list(a.themes.as_deref()),
                doc_type,
                date,
                year,
                author_unit: opt(a.author_unit),
                tags: list(a.tags.as_deref()),
                source: None,
                original: None,
            };
            (Meta::Writeup(w), body, opt(a.id))
        }
        What::Project(a) => {
            let p = Project {
                name: opt(Some(a.name)),
                district: Some(lib.config.district_name(&a.district).to_string()),
                themes: list(Some(&a.themes)),
                lead_unit: opt(a.lead_unit),
                partner_units: list(a.partner_units.as_deref()),
                claimed: a.claimed,
                status: opt(a.status),
                ..Project::default()
            };
            (Meta::Project(p), store::body_template(Kind::Project, None), opt(a.id))
        }
        What::Site(a) => {
            let s = Site {
                name: opt(Some(a.name)),
                district: Some(lib.config.district_name(&a.district).to_string()),
                address: opt(a.address),
                highlight: opt(a.highlight),
                projects: list(a.projects.as_deref()),
                route_order: a.route_order,
                ..Site::default()
            };
            (Meta::Site(s), store::body_template(Kind::Site, None), opt(a.id))
        }
        What::Collection(a) => {
            let items =
                list(Some(&a.items)).into_iter().map(|id| CollectionItem { id: Some(id), note: None }).collect();
            let c = Collection { title: opt(Some(a.title)), audience: opt(a.audience), items, ..Collection::default() };
            (Meta::Collection(c), store::body_template(Kind::Collection, None), opt(a.id))
        }
    })
}
