//! `casebook eval`: search quality on a relevance set, beside the bigram-BM25 baseline, per kind of query.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use casebook::eval::{RelevanceSet, evaluate};
use casebook::library::Library;
use casebook::search::SearchIndex;
use casebook::semantic::Semantic;
use clap::Args;

use super::output::print_json;

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// 评测集文件（YAML：queries 列表，每条含 id、kind、query、judgments）
    #[arg(long, value_name = "FILE", default_value = "tests/relevance/set.yaml")]
    set: PathBuf,
    /// 同时列出每条查询的得分
    #[arg(long)]
    queries: bool,
    /// 以 JSON 输出
    #[arg(long)]
    json: bool,
    /// 不评测语义检索（默认：已安装语义模型且资料库已生成语义向量时，同时评测加语义的结果）
    #[arg(long)]
    no_semantic: bool,
}

pub fn run(root: &Path, args: EvalArgs) -> anyhow::Result<ExitCode> {
    let set = RelevanceSet::load(&args.set)?;
    let library = Library::load(root).with_context(|| format!("无法读取资料库 {}", root.display()))?;
    let unknown = set.unknown_ids(&library);
    if !unknown.is_empty() {
        say_err!("警告：评测集评了资料库中没有的记录：{}", unknown.join("、"));
    }
    let (index, _) = SearchIndex::open(root).with_context(|| format!("无法打开资料库 {} 的索引", root.display()))?;
    let mut semantic = match Semantic::open(root) {
        Some(Ok(s)) if !args.no_semantic => {
            if let Some(note) = s.note(index.num_docs()) {
                say_err!("提示：{note}");
            }
            (!s.vectors.is_empty()).then_some(s)
        }
        Some(Err(e)) if !args.no_semantic => {
            say_err!("提示：语义检索未启用：{e}");
            None
        }
        _ => None,
    };
    let report = evaluate(&index, &library, &set, semantic.as_mut())?;
    if args.json {
        print_json(&serde_json::to_value(&report)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    say!(
        "检索质量评测：{} 条查询，{} 条记录（基线：字二元组 BM25，任一词匹配）",
        set.queries.len(),
        library.records.len()
    );
    say_part!("{}", report.table());
    if args.queries {
        for q in &report.queries {
            say!(
                "{}  {:<6} nDCG {:.3} / {:.3}  命中 {:>4}  {}",
                q.id,
                q.kind,
                q.casebook.ndcg,
                q.baseline.ndcg,
                q.hits,
                q.query
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
