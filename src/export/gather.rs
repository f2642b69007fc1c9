//! Gathering library content into the document model: the pieces packets and study packs share — parts and
//! numbered headings, write-ups, and a project's results. Numbers come from `compare` as computed there, never
//! recomputed; every number put in a table is also recorded for the CSV.

use std::collections::HashSet;

use crate::compare::project_summary;
use crate::compare::{IndicatorChange, ProjectSummary, Trend, cross_district, format_change, format_number};
use crate::library::{Library, Meta, Project, Record};

use super::markup;
use super::model::{
    BarRow, Block, Chart, CheckItem, Document, DumbbellRow, NumberRow, SeriesPoint, Source, Table, para,
};
use super::stamp::Stamp;

/// Chinese numerals for headings and parts: 1 → 一, 12 → 十二, 21 → 二十一.
pub fn cn_number(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_string(),
        10..=19 => format!("十{}", if n.is_multiple_of(10) { "" } else { D[n % 10] }),
        20..=99 => format!("{}十{}", D[n / 10], if n.is_multiple_of(10) { "" } else { D[n % 10] }),
        _ => n.to_string(),
    }
}

/// A value as the material writes it, or — when missing.
pub fn value(v: Option<f64>) -> String {
    v.map(format_number).unwrap_or_else(|| "—".into())
}

/// “90.4（2019）”.
fn with_period(v: Option<f64>, period: Option<&str>) -> String {
    match (v, period.map(str::trim).filter(|p| !p.is_empty())) {
        (Some(v), Some(p)) => format!("{}（{p}）", format_number(v)),
        (v, _) => value(v),
    }
}

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "是".into(),
        Some(false) => "否".into(),
        None => "—".into(),
    }
}

fn improved(trend: Trend) -> Option<bool> {
    match trend {
        Trend::Improved => Some(true),
        Trend::Worsened => Some(false),
        Trend::Unchanged | Trend::Unknown => None,
    }
}

/// The CSV line of one computed indicator change.
pub fn change_row(category: &str, id: &str, name: &str, district: &str, c: &IndicatorChange) -> NumberRow {
    NumberRow {
        category: category.into(),
        id: id.into(),
        name: name.into(),
        district: district.into(),
        indicator: c.name.clone(),
        unit: c.unit.clone(),
        before_period: c.before_period.clone(),
        before: c.before,
        after_period: c.after_period.clone(),
        after: c.after,
        change: c.change,
        change_pct: c.change_pct,
        target: c.target,
        target_met: c.target_met,
        trend: c.trend.label().into(),
        ..NumberRow::default()
    }
}

/// Builds a document block by block, numbering parts and headings and remembering the records used.
pub struct Gather<'a> {
    pub lib: &'a Library,
    pub doc: Document,
    anchors: usize,
    parts: usize,
    used: HashSet<String>,
    /// Counters of the current level-2 and level-3 headings (一、 and （一）).
    h2: usize,
    h3: usize,
    h4: usize,
}

impl<'a> Gather<'a> {
    /// Starts a document with its cover.
    pub fn new(lib: &'a Library, title: String, subtitle: String, stamp: &Stamp) -> Self {
        let doc = Document {
            title,
            subtitle,
            date: stamp.chinese.clone(),
            timestamp: stamp.iso.clone(),
            ..Document::default()
        };
        Gather { lib, doc, anchors: 0, parts: 0, used: HashSet::new(), h2: 0, h3: 0, h4: 0 }
    }

    fn anchor(&mut self) -> String {
        self.anchors += 1;
        format!("sec-{}", self.anchors)
    }

    /// Adds a block.
    pub fn push(&mut self, block: Block) {
        self.doc.blocks.push(block);
    }

    /// Starts 第N部分 with a new page; heading numbers restart.
    pub fn part(&mut self, name: &str) {
        self.parts += 1;
        let title = format!("第{}部分　{name}", cn_number(self.parts));
        self.unnumbered_part(&title);
    }

    /// Starts a part whose title is given whole (附　材料核对清单).
    pub fn unnumbered_part(&mut self, title: &str) {
        let anchor = self.anchor();
        self.push(Block::Part { title: title.to_string(), anchor });
        (self.h2, self.h3, self.h4) = (0, 0, 0);
    }

    /// 一、text (黑体), listed in the table of contents.
    pub fn h2(&mut self, text: &str) {
        self.h2 += 1;
        (self.h3, self.h4) = (0, 0);
        let anchor = self.anchor();
        self.push(Block::Heading { level: 2, text: format!("{}、{text}", cn_number(self.h2)), anchor: Some(anchor) });
    }

    /// （一）text (楷体).
    pub fn h3(&mut self, text: &str) {
        self.h3 += 1;
        self.h4 = 0;
        self.push(Block::Heading { level: 3, text: format!("（{}）{text}", cn_number(self.h3)), anchor: None });
    }

    /// 1. text (仿宋).
    pub fn h4(&mut self, text: &str) {
        self.h4 += 1;
        self.push(Block::Heading { level: 4, text: format!("{}. {text}", self.h4), anchor: None });
    }

    /// Remembers a record the document uses (once).
    pub fn use_record(&mut self, r: &Record) {
        if self.used.insert(r.path.clone()) {
            self.doc.sources.push(Source {
                id: r.id().unwrap_or("").to_string(),
                kind: r.kind().keyword().to_string(),
                title: r.title().to_string(),
                path: r.path.clone(),
            });
        }
    }

    /// Records a number row for the CSV.
    pub fn number(&mut self, row: NumberRow) {
        self.doc.numbers.push(row);
    }

    /// The write-up's date as written (date, else year).
    pub fn date_of(r: &Record) -> String {
        match &r.meta {
            Meta::Writeup(w) => w
                .date
                .clone()
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty())
                .or_else(|| r.year().map(|y| format!("{y}年")))
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// A write-up: its title on a new page, a byline (报送单位 · 日期 · 文种), then its text. `lead` goes first
    /// in the byline (e.g. 第 1 篇).
    pub fn writeup(&mut self, r: &Record, lead: Option<String>) {
        self.use_record(r);
        let mut parts: Vec<String> = lead.into_iter().collect();
        if let Meta::Writeup(w) = &r.meta
            && let Some(unit) = w.author_unit.as_deref().map(str::trim).filter(|u| !u.is_empty())
        {
            parts.push(unit.to_string());
        }
        let date = Self::date_of(r);
        if !date.is_empty() {
            parts.push(date);
        }
        if let Some(t) = self.lib.type_of(r) {
            parts.push(t.to_string());
        }
        let mut byline = vec![parts.join(" · ")];
        if let Some(p) = self.lib.project_of(r) {
            byline.push(format!("所属项目：{}（{}）", p.title(), self.lib.district_of(p).unwrap_or("")));
        }
        let anchor = self.anchor();
        self.push(Block::DocTitle { title: r.title().trim().to_string(), byline, anchor });
        let body = markup::to_blocks(&r.body, 2);
        if body.is_empty() {
            self.push(para("（本材料暂无正文。）"));
        }
        self.doc.blocks.extend(body);
    }

    /// A project's facts (区县, 牵头单位 …) and its introduction.
    pub fn project_facts(&mut self, p: &Record, meta: &Project, shown_at: &[String]) {
        self.use_record(p);
        let mut fields = vec![("项目编号".to_string(), p.id().unwrap_or("").to_string())];
        let mut add = |k: &str, v: String| {
            if !v.trim().is_empty() {
                fields.push((k.to_string(), v));
            }
        };
        add("区县", self.lib.district_of(p).unwrap_or("").to_string());
        add("主题", self.lib.themes_of(p).join("、"));
        add("牵头单位", meta.lead_unit.clone().unwrap_or_default());
        add("配合单位", meta.partner_units.join("、"));
        add("认领年份", meta.claimed.map(|y| y.to_string()).unwrap_or_default());
        add("推进状态", meta.status.clone().unwrap_or_default());
        add("展示点位", shown_at.join("、"));
        self.push(Block::Fields(fields));
        let intro = markup::to_blocks(&p.body, 4);
        self.doc.blocks.extend(intro);
    }

    /// The before/after table and chart of a project's indicators; returns the summary.
    pub fn indicators(&mut self, p: &Record, meta: &Project, caption: &str) -> ProjectSummary {
        let summary = project_summary(meta);
        let (id, name) = (p.id().unwrap_or("").to_string(), p.title().to_string());
        let district = self.lib.district_of(p).unwrap_or("").to_string();
        if summary.total == 0 {
            self.push(para("该项目未填报指标。"));
            return summary;
        }
        self.push(para(format!("{}。", summary.sentence())));
        let mut table = Table::new(
            Some(caption.to_string()),
            &["指标", "单位", "试点前", "试点后", "变化", "目标", "是否达标", "趋势"],
        )
        .numeric_columns(&[2, 3, 4, 5]);
        let mut rows = Vec::new();
        for c in &summary.indicators {
            table.rows.push(vec![
                c.name.clone(),
                c.unit.clone(),
                with_period(c.before, c.before_period.as_deref()),
                with_period(c.after, c.after_period.as_deref()),
                format_change(c),
                value(c.target),
                yes_no(c.target_met),
                c.trend.label().to_string(),
            ]);
            rows.push(BarRow {
                label: c.name.clone(),
                unit: c.unit.clone(),
                before: c.before,
                after: c.after,
                improved: improved(c.trend),
            });
            self.number(change_row("指标对比", &id, &name, &district, c));
        }
        self.push(Block::Figure { chart: Chart::BeforeAfter { rows }, table });
        summary
    }

    /// The 群众评价 series with sample sizes; returns whether there was one.
    pub fn evaluation(&mut self, p: &Record, meta: &Project) -> bool {
        if meta.evaluation.is_empty() {
            self.push(para("该项目未填报群众评价。"));
            return false;
        }
        let (id, name) = (p.id().unwrap_or("").to_string(), p.title().to_string());
        let district = self.lib.district_of(p).unwrap_or("").to_string();
        let mut table = Table::new(Some(format!("{name}群众评价")), &["时期", "满意度（%）", "样本量（人）"])
            .numeric_columns(&[1, 2]);
        let mut points = Vec::new();
        for e in &meta.evaluation {
            let period = e.period.clone().unwrap_or_default();
            table.rows.push(vec![
                period.clone(),
                value(e.satisfaction),
                e.sample.map(|s| s.to_string()).unwrap_or_else(|| "—".into()),
            ]);
            points.push(SeriesPoint { period: period.clone(), value: e.satisfaction, sample: e.sample });
            self.number(NumberRow {
                category: "群众评价".into(),
                id: id.clone(),
                name: name.clone(),
                district: district.clone(),
                indicator: "群众满意度".into(),
                unit: "%".into(),
                period: Some(period),
                value: e.satisfaction,
                sample: e.sample,
                ..NumberRow::default()
            });
        }
        let samples: Vec<String> =
            meta.evaluation.iter().filter_map(|e| Some(format!("{} {} 人", e.period.as_deref()?, e.sample?))).collect();
        if !samples.is_empty() {
            self.push(para(format!("第三方测评样本量：{}。", samples.join("，"))));
        }
        self.push(Block::Figure { chart: Chart::Series { unit: "%".into(), points }, table });
        true
    }

    /// For every indicator of the project: all projects reporting it (synonyms merged), ranked by improvement.
    pub fn cross(&mut self, p: &Record, meta: &Project) {
        let own = p.id().unwrap_or("").to_string();
        let mut done: Vec<String> = Vec::new();
        for ind in &meta.indicators {
            let Some(name) = ind.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) else { continue };
            if done.iter().any(|d| d == name) {
                continue;
            }
            done.push(name.to_string());
            let unit = ind.unit.clone().unwrap_or_default();
            self.h4(&if unit.is_empty() { name.to_string() } else { format!("{name}（{unit}）") });
            let table = match cross_district(self.lib, name, None, None) {
                Ok(t) => t,
                Err(e) => {
                    self.push(para(format!("无法横向对比：{e}")));
                    self.doc.warnings.push(format!("项目“{}”：{e}", p.title()));
                    continue;
                }
            };
            if table.rows.len() < 2 {
                self.push(para("仅本项目填报该指标，暂无可比对象。"));
                continue;
            }
            let rank = table.rows.iter().position(|r| r.project == own).map(|i| i + 1);
            let names = if table.names.len() > 1 {
                format!("（含同义名称：{}）", table.names.join("、"))
            } else {
                String::new()
            };
            let rank = rank.map(|k| format!("，本项目排第 {k} 位")).unwrap_or_default();
            self.push(para(format!("全市共 {} 个项目填报该指标{names}，按改善幅度排序{rank}。", table.rows.len())));
            let mut t = Table::new(
                Some(format!("{name}横向对比")),
                &["排名", "区县", "项目", "试点前", "试点后", "变化", "趋势"],
            )
            .numeric_columns(&[0, 3, 4, 5]);
            let mut rows = Vec::new();
            for (i, r) in table.rows.iter().enumerate() {
                let c = &r.change;
                let highlight = r.project == own;
                if highlight {
                    t.highlight.push(i);
                }
                t.rows.push(vec![
                    (i + 1).to_string(),
                    r.district.clone(),
                    r.project_name.clone(),
                    with_period(c.before, c.before_period.as_deref()),
                    with_period(c.after, c.after_period.as_deref()),
                    format_change(c),
                    c.trend.label().to_string(),
                ]);
                rows.push(DumbbellRow {
                    label: format!("{} {}", r.district, r.project_name),
                    before: c.before,
                    after: c.after,
                    improved: improved(c.trend),
                    highlight,
                });
                self.number(change_row("横向对比", &r.project, &r.project_name, &r.district, c));
            }
            self.push(Block::Figure { chart: Chart::Dumbbell { unit: table.unit.clone(), rows }, table: t });
        }
    }

    /// Adds a checklist of items; flagged ones also become warnings.
    pub fn checklist(&mut self, items: Vec<CheckItem>) {
        for item in items.iter().filter(|i| i.flagged) {
            if !self.doc.warnings.contains(&item.text) {
                self.doc.warnings.push(item.text.clone());
            }
        }
        if !items.is_empty() {
            self.push(Block::Checklist(items));
        }
    }

    /// Label–value lines without the empty ones.
    pub fn fields(&mut self, fields: Vec<(&str, String)>) {
        let fields: Vec<(String, String)> =
            fields.into_iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| (k.to_string(), v)).collect();
        if !fields.is_empty() {
            self.push(Block::Fields(fields));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        let got: Vec<String> = [1, 2, 9, 10, 11, 20, 21, 99].into_iter().map(cn_number).collect();
        assert_eq!(got, ["一", "二", "九", "十", "十一", "二十", "二十一", "九十九"]);
    }

    #[test]
    fn values_with_periods() {
        assert_eq!(with_period(Some(90.4), Some("2019")), "90.4（2019）");
        assert_eq!(with_period(Some(12.0), Some(" ")), "12");
        assert_eq!(with_period(None, Some("2019")), "—");
    }
}
