//! `casebook index`, `casebook search` and `casebook similar`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use casebook::library::Library;
use casebook::library::saved::{self, SavedSearch};
use casebook::search::{Facet, Filters, Hit, SearchIndex, SearchRequest, SyncReport, Tier};
use casebook::semantic::Semantic;
use casebook::store::WriteLock;
use casebook::store::config_file::change_saved;
use clap::Args;
use serde_json::json;

use super::output::{colour, mark, print_json};

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// 检索式：词语、"精确短语"、-排除、OR，以及 district: theme: type: year: project: 过滤
    /// （以 - 开头的检索式请写在 -- 之后）
    query: Vec<String>,
    /// 只看某区县（可重复）
    #[arg(long)]
    district: Vec<String>,
    /// 只看某主题（可重复）
    #[arg(long)]
    theme: Vec<String>,
    /// 只看某文种
    #[arg(long = "type")]
    doc_type: Vec<String>,
    /// 只看某年份
    #[arg(long)]
    year: Vec<String>,
    /// 在结果中检索：只看这个先前检索也找到的记录（可重复，层层缩小）
    #[arg(long, value_name = "先前的检索式")]
    within: Vec<String>,
    /// 运行资料库 casebook.yaml 中保存的检索（检索词与筛选条件），可再加检索词和筛选
    #[arg(long, value_name = "名称")]
    saved: Option<String>,
    /// 检索后把这次检索（检索词、筛选和 --within）以此名称保存到 casebook.yaml，同名则替换
    #[arg(long, value_name = "名称")]
    save: Option<String>,
    /// 最多显示条数
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// 以 JSON 输出
    #[arg(long)]
    json: bool,
    /// 只按词语匹配，不用语义检索（即使已安装语义模型）
    #[arg(long)]
    no_semantic: bool,
}

/// The most hits one command prints; a larger `--limit` is capped (it would only allocate, never show more).
const MAX_LIMIT: usize = 10_000;

pub(super) fn open_with_report(root: &Path) -> anyhow::Result<(SearchIndex, SyncReport)> {
    let (index, report) =
        SearchIndex::open(root).with_context(|| format!("无法打开资料库 {} 的索引", root.display()))?;
    report_sync(&report);
    Ok((index, report))
}

fn open(root: &Path) -> anyhow::Result<SearchIndex> {
    open_with_report(root).map(|(index, _)| index)
}

/// Tells on stderr what opening the index did, when it did something the user should know.
fn report_sync(report: &SyncReport) {
    if let Some(reason) = &report.rebuilt {
        say_err!("提示：{reason}");
    }
    if let Some(stale) = &report.stale {
        say_err!("提示：{stale}");
    }
    if let Some(note) = &report.in_memory {
        say_err!("提示：{note}");
    }
    for p in &report.problems {
        say_err!("警告：{}:{}: {}（该文件暂不能检索）", p.path, p.line, p.message);
    }
}

/// Builds or updates the index and says how much was done.
pub fn index(root: &Path, rebuild: bool) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let (mut index, mut report) = open_with_report(root)?;
    if rebuild {
        let (rebuilt, r) = index.rebuild(casebook::search::RebuildReason::Asked).context("重建索引失败")?;
        report_sync(&r);
        report = r;
        index = rebuilt;
    } else {
        // Opening trusted the folders whose time is unchanged; this command lists every one, so that it always
        // brings the index up to date, even where a file system misreports folder times.
        let r = index.sync_listing_all().context("更新索引失败")?;
        report_sync(&r);
        report.added += r.added;
        report.updated += r.updated;
        report.removed += r.removed;
        report.bytes += r.bytes;
    }
    let secs = started.elapsed().as_secs_f64();
    let mb = report.bytes as f64 / 1048576.0;
    say!(
        "索引已就绪：{} 条记录（本次新增 {}、更新 {}、删除 {}；{:.2} MB，用时 {:.2} 秒）",
        index.num_docs(),
        report.added,
        report.updated,
        report.removed,
        mb,
        secs
    );
    Ok(ExitCode::SUCCESS)
}

fn hit_json(h: &Hit) -> serde_json::Value {
    json!({
        "id": h.id, "kind": h.kind, "title": h.title, "type": h.doc_type, "district": h.district,
        "project": h.project, "themes": h.themes, "year": h.year, "score": h.score,
        "tier": h.tier, "matched": h.matched,
        "snippet": h.snippet, "highlights": h.highlights, "path": h.path,
    })
}

fn print_hits(hits: &[Hit], tiers: bool) {
    let colour = colour();
    for (i, h) in hits.iter().enumerate() {
        if tiers && h.tier != Tier::Exact && (i == 0 || hits[i - 1].tier == Tier::Exact) {
            say!("  —— 相关结果（包含部分检索词或其近义词，或内容相近）——");
        }
        let year = h.year.map(|y| y.to_string()).unwrap_or_default();
        let meta: Vec<&str> = [h.doc_type.as_str(), h.district.as_str(), year.as_str(), h.project.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        say!("{:>3}. {}  [{}]  {}", i + 1, h.title, meta.join(" · "), h.id);
        say!("     {}", mark(&h.snippet, &h.highlights, colour));
        if tiers && h.tier == Tier::Related && !h.matched.is_empty() {
            say!("     匹配：{}", h.matched.join("、"));
        }
        if tiers && h.tier == Tier::Semantic {
            say!("     语义相近：不含检索词，内容与所问相近");
        }
    }
}

/// A saved search with what was typed beside `--saved` added to it.
fn combined(saved: &SavedSearch, typed: SavedSearch) -> SavedSearch {
    let join = |a: &[String], b: Vec<String>| a.iter().cloned().chain(b).collect::<Vec<_>>();
    SavedSearch {
        name: saved.name.clone(),
        query: [saved.query.trim(), typed.query.trim()]
            .iter()
            .filter(|q| !q.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" "),
        district: join(&saved.district, typed.district),
        themes: join(&saved.themes, typed.themes),
        types: join(&saved.types, typed.types),
        years: join(&saved.years, typed.years),
        within: join(&saved.within, typed.within),
    }
}

/// Keeps `search` under `name` in the library's `casebook.yaml` (through the one checked write path).
fn save_search(root: &Path, name: &str, search: SavedSearch) -> anyhow::Result<()> {
    let lock = WriteLock::take(root).context("无法锁定资料库以保存检索")?;
    let lib = Library::load(root).with_context(|| format!("无法打开资料库 {}", root.display()))?;
    let change = saved::Change::Put(SavedSearch { name: name.to_string(), ..search });
    let list = change_saved(&lib, &lock, change).context("检索未保存")?;
    say_err!("已保存检索 “{}” 到 casebook.yaml（共 {} 个已存检索）", name.trim(), list.len());
    Ok(())
}

/// `casebook saved`: lists the library's saved searches, or removes one.
pub fn saved_list(root: &Path, remove: Option<String>, as_json: bool) -> anyhow::Result<ExitCode> {
    if let Some(name) = remove {
        let lock = WriteLock::take(root).context("无法锁定资料库以删除已存检索")?;
        let lib = Library::load(root).with_context(|| format!("无法打开资料库 {}", root.display()))?;
        let list = change_saved(&lib, &lock, saved::Change::Remove(name.clone())).context("已存检索未删除")?;
        say!("已删除已存检索 “{}”（还有 {} 个）", name.trim(), list.len());
        return Ok(ExitCode::SUCCESS);
    }
    let config = casebook::library::Config::load(root).context("无法读取 casebook.yaml")?;
    if as_json {
        print_json(&json!(config.saved_searches))?;
    } else if config.saved_searches.is_empty() {
        say!("资料库还没有已存检索（检索时加 --save 名称 即可保存）");
    } else {
        for s in &config.saved_searches {
            say!("{}  {}", s.name, s.describe());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Searches and prints hits, or JSON with hits and facet counts.
pub fn search(root: &Path, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let index = open(root)?;
    let mut saved = SavedSearch {
        name: String::new(),
        query: args.query.join(" "),
        district: args.district,
        themes: args.theme,
        types: args.doc_type,
        years: args.year,
        within: args.within,
    };
    if let Some(name) = &args.saved {
        let config = casebook::library::Config::load(root).context("无法读取 casebook.yaml")?;
        let Some(found) = config.saved_searches.iter().find(|s| s.name.trim() == name.trim()) else {
            let names: Vec<&str> = config.saved_searches.iter().map(|s| s.name.as_str()).collect();
            anyhow::bail!(
                "没有名为 “{name}” 的已存检索（{}）",
                if names.is_empty() {
                    "资料库还没有已存检索".to_string()
                } else {
                    format!("已有：{}", names.join("、"))
                }
            );
        };
        saved = combined(found, saved);
    }
    let mut req = SearchRequest::new(&saved.query);
    req.limit = args.limit.min(MAX_LIMIT);
    if args.limit > MAX_LIMIT {
        say_err!("提示：--limit 最多 {MAX_LIMIT}，已按 {MAX_LIMIT} 条显示");
    }
    req.filters = Filters::of_saved(&saved);
    if !args.no_semantic {
        req.semantic = semantic_ranking(root, &req.query, index.num_docs());
    }
    let (_, results, recovered) = index.search(&req).context("检索失败")?;
    if let Some(r) = recovered {
        report_sync(&r);
    }
    if let Some(name) = &args.save {
        save_search(root, name, saved)?;
    }
    if results.truncated {
        say_err!("提示：{}", casebook::search::query::truncation_note());
    }
    if args.json {
        let hits: Vec<_> = results.hits.iter().map(hit_json).collect();
        print_json(&json!({
            "query": results.query, "total": results.total, "exact": results.exact,
            "related": results.total - results.exact - results.semantic, "semantic": results.semantic,
            "took_ms": results.took_ms,
            "hits": hits, "facets": results.facets, "truncated": results.truncated,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    for w in &req.filters.within {
        say!("在“{w}”的结果中检索");
    }
    say!("{}（{:.1} 毫秒）", results.summary(), results.took_ms);
    print_hits(&results.hits, true);
    if results.total == 0 {
        say!("没有找到结果。可以换一个说法，或减少检索词、去掉筛选条件。");
    }
    let f = &results.facets;
    if results.total > 0 {
        say!("分类统计（按全部 {} 条结果计数）：", results.total);
    }
    for facet in Facet::ALL {
        let map = f.counts(facet);
        if !map.is_empty() {
            let parts: Vec<String> = map.iter().map(|(k, v)| format!("{k} {v}")).collect();
            say!("{}：{}", facet.label(), parts.join("，"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The semantic ranking for a query when a model is installed and the library has vectors (empty otherwise),
/// with a note on stderr when the tier is unavailable or incomplete.
fn semantic_ranking(root: &Path, query: &str, records: u64) -> Vec<(String, f32)> {
    if casebook::semantic::engine::locate().is_some() && !Semantic::available(root) {
        // A model but no vectors: say so without loading the model for nothing.
        say_err!("提示：{}", casebook::semantic::NOT_EMBEDDED);
        return Vec::new();
    }
    match Semantic::open(root) {
        None => Vec::new(),
        Some(Err(e)) => {
            say_err!("提示：语义检索未启用：{e}");
            Vec::new()
        }
        Some(Ok(mut semantic)) => {
            if let Some(note) = semantic.note(records) {
                say_err!("提示：{note}");
            }
            semantic.ranking(query).unwrap_or_else(|e| {
                say_err!("提示：语义检索未启用：{e}");
                Vec::new()
            })
        }
    }
}

/// Embeds the records that have no vectors for their current text, showing progress on stderr.
pub fn embed(root: &Path, threads: Option<usize>) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let Some(semantic) = Semantic::open(root) else {
        say_err!("错误：没有找到语义模型。{}", casebook::semantic::where_to_install());
        return Ok(ExitCode::from(1));
    };
    let Semantic { mut embedder, mut vectors } = semantic.context("无法加载语义模型")?;
    if let Some(n) = threads {
        embedder.set_threads(n);
    }
    let library = Library::load(root).with_context(|| format!("无法读取资料库 {}", root.display()))?;
    let mut shown = std::time::Instant::now();
    let report = casebook::semantic::embed_pending(&mut embedder, &library, &mut vectors, |c| {
        if shown.elapsed().as_millis() >= 500 {
            let progress = format!("\r正在生成语义向量：{}/{} 条记录", c.done, c.total);
            super::output::write(super::output::Stream::Err, &progress);
            shown = std::time::Instant::now();
        }
        true
    })
    .context("生成语义向量失败")?;
    if report.embedded > 0 {
        say_err!();
    }
    say!(
        "语义向量已就绪：{} 条记录（本次生成 {} 条、{} 段，用时 {:.1} 秒）",
        report.coverage.total,
        report.embedded,
        report.passages,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Lists write-ups like the given one, other districts first.
pub fn similar(root: &Path, id: &str, limit: usize, json: bool) -> anyhow::Result<ExitCode> {
    let index = open(root)?;
    let Some(hits) = index.similar(id, limit.min(MAX_LIMIT)).context("查找相似经验失败")? else {
        say_err!("错误：没有 id 为 “{id}” 的记录");
        return Ok(ExitCode::from(1));
    };
    if json {
        print_json(&json!({ "id": id, "hits": hits.iter().map(hit_json).collect::<Vec<_>>() }))?;
    } else {
        say!("与 {id} 相似的经验（其他区县优先）：");
        print_hits(&hits, false);
    }
    Ok(ExitCode::SUCCESS)
}
