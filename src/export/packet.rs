//! 展示材料: the showcase packet for one demonstration site, or for a district's whole route (its sites in
//! `route_order`). Cover; route and time; each site's arrangement and 解说词; the linked projects' results
//! (before/after, 群众评价, cross-district); their 经验材料 and 典型案例; 接待保障; a checklist of gaps.

use std::collections::HashMap;

use crate::library::rules;
use crate::library::{Library, Meta, Project, Record, Site};

use super::gather::Gather;
use super::markup;
use super::model::{Block, Chart, CheckItem, Document, NumberRow, RouteStop, Table, para};
use super::stamp::Stamp;

/// What a packet covers.
pub enum Scope<'a> {
    /// One site.
    Site(&'a Record),
    /// A district's route: its sites, already in route order.
    Route { district: String, sites: Vec<&'a Record> },
}

struct SiteRef<'a> {
    record: &'a Record,
    site: &'a Site,
}

fn sites_of<'a>(scope: &Scope<'a>) -> Vec<SiteRef<'a>> {
    let records: Vec<&Record> = match scope {
        Scope::Site(r) => vec![*r],
        Scope::Route { sites, .. } => sites.clone(),
    };
    records
        .into_iter()
        .filter_map(|record| match &record.meta {
            Meta::Site(site) => Some(SiteRef { record, site }),
            _ => None,
        })
        .collect()
}

/// Orders a district's sites by `route_order` (sites without one last), then by id.
pub fn route_sites<'a>(lib: &'a Library, district: &str) -> Vec<&'a Record> {
    let mut sites: Vec<&Record> =
        lib.of_kind(crate::library::Kind::Site).filter(|r| lib.district_of(r) == Some(district)).collect();
    sites.sort_by_key(|r| {
        let order = match &r.meta {
            Meta::Site(s) => s.route_order,
            _ => None,
        };
        (order.is_none(), order, r.id().unwrap_or("").to_string())
    });
    sites
}

/// The site's display name.
fn name_of(s: &SiteRef<'_>) -> String {
    s.record.title().trim().to_string()
}

/// Gathers the packet.
pub fn build(lib: &Library, scope: &Scope<'_>, stamp: &Stamp) -> Document {
    let sites = sites_of(scope);
    let (title, district) = match scope {
        Scope::Site(r) => (format!("{}展示材料", r.title().trim()), lib.district_of(r).unwrap_or("").to_string()),
        Scope::Route { district, .. } => (format!("{district}调研路线展示材料"), district.clone()),
    };
    let route = matches!(scope, Scope::Route { .. });
    let subtitle = "市域社会治理现代化试点 · 调研点展示材料".to_string();
    let mut g = Gather::new(lib, title, subtitle, stamp);
    for s in &sites {
        g.use_record(s.record);
    }

    // Linked projects, in the order the visit shows them; and where each is shown.
    let mut projects: Vec<&Record> = Vec::new();
    let mut shown_at: HashMap<String, Vec<String>> = HashMap::new();
    let mut checks: Vec<CheckItem> = Vec::new();
    for s in &sites {
        for written in &s.site.projects {
            match lib.resolve_project(written) {
                Some(p) => {
                    let id = p.id().unwrap_or("").to_string();
                    if !projects.iter().any(|q| q.id() == p.id()) {
                        projects.push(p);
                    }
                    shown_at.entry(id).or_default().push(name_of(s));
                }
                None => checks.push(CheckItem {
                    text: format!("调研点“{}”关联的项目“{written}”在资料库中不存在", name_of(s)),
                    flagged: true,
                }),
            }
        }
    }
    let total_minutes: u32 = sites.iter().map(|s| s.site.total_minutes()).sum();
    let stops: usize = sites.iter().map(|s| s.site.stops.len()).sum();
    g.doc.issuer = lib.config.issuer_for(Some(&district));
    g.doc.cover = vec![("区县".to_string(), district.clone())];
    if route {
        g.doc.cover.push(("调研点".into(), format!("{} 个，点位 {stops} 个", sites.len())));
    } else if let Some(s) = sites.first() {
        g.doc.cover.push(("调研点".into(), name_of(s)));
    }
    if !projects.is_empty() {
        g.doc.cover.push(("展示项目".into(), projects.iter().map(|p| p.title().trim()).collect::<Vec<_>>().join("、")));
    }
    g.doc.cover.push(("参观时长".into(), format!("{total_minutes} 分钟（不含点位间路程）")));
    g.push(Block::Contents);

    if route {
        route_part(&mut g, &sites, &district, total_minutes);
        sites_part(&mut g, &sites);
    } else if let Some(s) = sites.first() {
        site_part(&mut g, s, route_position(lib, s));
    }
    results_part(&mut g, &projects, &shown_at);
    let (experience, cases, others) = writeups_of(lib, &projects);
    let experience_type = rules::experience_type(&lib.config);
    let case_type = rules::typical_case_type(&lib.config);
    writeups_part(&mut g, experience_type, &experience, &format!("关联项目暂无{experience_type}。"));
    writeups_part(&mut g, case_type, &cases, &format!("关联项目暂无{case_type}。"));
    reception_part(&mut g, &sites);

    // The checklist page.
    checks.extend(project_checks(lib, &projects));
    checks.extend(site_checks(&sites, route));
    if route && !rules::sites_enough(sites.len()) {
        checks.push(CheckItem {
            text: format!(
                "{district}有调研点 {} 个，试点要求每个区县准备 {} 个",
                sites.len(),
                rules::sites_range_text()
            ),
            flagged: true,
        });
    }
    g.unnumbered_part("附　材料核对清单");
    g.push(para("以下事项由资料库记录自动核对；标“需处理”的事项请在正式接待前补齐。"));
    g.checklist(checks);
    if !others.is_empty() {
        g.h2("其他相关材料（未收录全文）");
        let mut t = Table::new(None, &["序号", "标题", "文种", "日期", "所属项目"]).numeric_columns(&[0]);
        for (i, w) in others.iter().enumerate() {
            g.use_record(w);
            t.rows.push(vec![
                (i + 1).to_string(),
                w.title().to_string(),
                lib.type_of(w).unwrap_or("").to_string(),
                Gather::date_of(w),
                lib.project_of(w).map(|p| p.title().to_string()).unwrap_or_default(),
            ]);
        }
        g.push(Block::Table(t));
    }
    g.doc
}

/// “渝中区路线第 1 站（共 4 站）” for a site on its district's route.
fn route_position(lib: &Library, s: &SiteRef<'_>) -> String {
    let Some(order) = s.site.route_order else { return String::new() };
    let Some(district) = lib.district_of(s.record) else { return String::new() };
    let n = route_sites(lib, district).len();
    format!("{district}调研路线第 {order} 站（共 {n} 站）")
}

/// Part 1 of a route packet: the order of the sites and the time at each.
fn route_part(g: &mut Gather<'_>, sites: &[SiteRef<'_>], district: &str, total: u32) {
    g.part("调研路线");
    let stops: usize = sites.iter().map(|s| s.site.stops.len()).sum();
    g.fields(vec![
        ("区县", district.to_string()),
        ("调研点", format!("{} 个", sites.len())),
        ("点位", format!("{stops} 个")),
        ("参观时长合计", format!("{total} 分钟（不含点位间路程）")),
    ]);
    g.h2("路线与时长");
    let mut t = Table::new(
        Some(format!("{district}调研路线安排")),
        &["顺序", "调研点", "地址", "亮点", "点位", "时长（分钟）"],
    )
    .numeric_columns(&[0, 4, 5]);
    let mut chart_stops = Vec::new();
    for (i, s) in sites.iter().enumerate() {
        let minutes = s.site.total_minutes();
        t.rows.push(vec![
            (i + 1).to_string(),
            name_of(s),
            s.site.address.clone().unwrap_or_default(),
            s.site.highlight.clone().unwrap_or_default(),
            s.site.stops.len().to_string(),
            minutes.to_string(),
        ]);
        chart_stops.push(RouteStop { name: name_of(s), minutes: Some(minutes) });
        g.number(NumberRow {
            category: "调研路线".into(),
            id: s.record.id().unwrap_or("").into(),
            name: name_of(s),
            district: district.into(),
            indicator: format!("第 {} 站参观时长", i + 1),
            unit: "分钟".into(),
            value: Some(minutes as f64),
            ..NumberRow::default()
        });
    }
    t.rows.push(vec![String::new(), "合计".into(), String::new(), String::new(), stops.to_string(), total.to_string()]);
    g.number(NumberRow {
        category: "调研路线".into(),
        name: format!("{district}调研路线"),
        district: district.into(),
        indicator: "参观时长合计".into(),
        unit: "分钟".into(),
        value: Some(total as f64),
        ..NumberRow::default()
    });
    g.push(Block::Figure { chart: Chart::Route { stops: chart_stops, total_minutes: total }, table: t });
}

/// The arrangement of one site's stops as a table (with a total row), recording the minutes.
fn stops_table(g: &mut Gather<'_>, s: &SiteRef<'_>) -> (Table, Vec<RouteStop>) {
    let mut t =
        Table::new(Some(format!("{}点位安排", name_of(s))), &["序号", "点位", "内容", "讲解人", "时长（分钟）"])
            .numeric_columns(&[0, 4]);
    let mut stops = Vec::new();
    let district = g.lib.district_of(s.record).unwrap_or("").to_string();
    for (i, stop) in s.site.stops.iter().enumerate() {
        let name = stop.name.clone().unwrap_or_default();
        t.rows.push(vec![
            (i + 1).to_string(),
            name.clone(),
            stop.what.clone().unwrap_or_default(),
            stop.presenter.clone().unwrap_or_else(|| "—".into()),
            stop.minutes.map(|m| m.to_string()).unwrap_or_else(|| "—".into()),
        ]);
        stops.push(RouteStop { name: name.clone(), minutes: stop.minutes });
        g.number(NumberRow {
            category: "点位安排".into(),
            id: s.record.id().unwrap_or("").into(),
            name: name_of(s),
            district: district.clone(),
            indicator: format!("点位 {}：{name}", i + 1),
            unit: "分钟".into(),
            value: stop.minutes.map(f64::from),
            ..NumberRow::default()
        });
    }
    let total = s.site.total_minutes();
    t.rows.push(vec![String::new(), "合计".into(), String::new(), String::new(), total.to_string()]);
    g.number(NumberRow {
        category: "点位安排".into(),
        id: s.record.id().unwrap_or("").into(),
        name: name_of(s),
        district,
        indicator: "参观时长合计".into(),
        unit: "分钟".into(),
        value: Some(total as f64),
        ..NumberRow::default()
    });
    (t, stops)
}

fn site_fields(s: &SiteRef<'_>, shown: Vec<String>, position: String) -> Vec<(&'static str, String)> {
    vec![
        ("地址", s.site.address.clone().unwrap_or_default()),
        ("亮点", s.site.highlight.clone().unwrap_or_default()),
        ("路线位置", position),
        ("展示项目", shown.join("、")),
        ("参观时长", format!("{} 分钟", s.site.total_minutes())),
    ]
}

fn shown_projects(g: &Gather<'_>, s: &SiteRef<'_>) -> Vec<String> {
    s.site.projects.iter().filter_map(|w| g.lib.resolve_project(w)).map(|p| p.title().trim().to_string()).collect()
}

/// The 解说词 (the site's body), or a note that it is missing.
fn narration(g: &mut Gather<'_>, s: &SiteRef<'_>, top: u8) {
    let blocks = markup::to_blocks(&s.record.body, top);
    if blocks.is_empty() {
        g.push(para("（本调研点暂无解说词。）"));
    }
    g.doc.blocks.extend(blocks);
}

/// Parts 1–2 of a single-site packet: the site and its stops, then its 解说词.
fn site_part(g: &mut Gather<'_>, s: &SiteRef<'_>, position: String) {
    g.part("调研点概况");
    let shown = shown_projects(g, s);
    let mut fields = vec![("调研点", name_of(s)), ("区县", g.lib.district_of(s.record).unwrap_or("").to_string())];
    fields.extend(site_fields(s, shown, position));
    g.fields(fields);
    g.h2("点位安排与时长");
    let (table, stops) = stops_table(g, s);
    let total = s.site.total_minutes();
    g.push(Block::Figure { chart: Chart::Route { stops, total_minutes: total }, table });
    g.part("解说词");
    narration(g, s, 2);
}

/// Part 2 of a route packet: each site's stops and 解说词.
fn sites_part(g: &mut Gather<'_>, sites: &[SiteRef<'_>]) {
    g.part("点位安排与解说词");
    for s in sites {
        g.h2(&name_of(s));
        let shown = shown_projects(g, s);
        let position = s.site.route_order.map(|o| format!("路线第 {o} 站")).unwrap_or_default();
        g.fields(site_fields(s, shown, position));
        g.h3("点位安排");
        let (table, _) = stops_table(g, s);
        g.push(Block::Table(table));
        g.h3("解说词");
        narration(g, s, 4);
    }
}

/// Part 3: each linked project's results.
fn results_part(g: &mut Gather<'_>, projects: &[&Record], shown_at: &HashMap<String, Vec<String>>) {
    g.part("试点成效");
    if projects.is_empty() {
        g.push(para("调研点未关联认领项目。"));
        return;
    }
    for p in projects {
        let Meta::Project(meta) = &p.meta else { continue };
        g.h2(p.title().trim());
        let shown = shown_at.get(p.id().unwrap_or("")).cloned().unwrap_or_default();
        g.project_facts(p, meta, &shown);
        g.h3("主要指标试点前后对比");
        let caption = format!("{}主要指标试点前后对比", p.title().trim());
        g.indicators(p, meta, &caption);
        g.h3("群众评价");
        g.evaluation(p, meta);
        if !meta.indicators.is_empty() {
            g.h3("与其他区县横向对比");
            g.cross(p, meta);
        }
    }
}

/// The write-ups of the linked projects, split into 经验材料, 典型案例 and the rest, each in path order.
fn writeups_of<'a>(lib: &'a Library, projects: &[&'a Record]) -> (Vec<&'a Record>, Vec<&'a Record>, Vec<&'a Record>) {
    let (mut experience, mut cases, mut others) = (Vec::new(), Vec::new(), Vec::new());
    for p in projects {
        for w in lib.writeups_of(p) {
            match lib.type_of(w) {
                Some(t) if t == rules::experience_type(&lib.config) => experience.push(w),
                Some(t) if t == rules::typical_case_type(&lib.config) => cases.push(w),
                _ => others.push(w),
            }
        }
    }
    (experience, cases, others)
}

/// Parts 4–5: a list of the write-ups, then each in full.
fn writeups_part(g: &mut Gather<'_>, name: &str, writeups: &[&Record], none: &str) {
    g.part(name);
    if writeups.is_empty() {
        g.push(para(none));
        return;
    }
    let mut t = Table::new(Some(format!("{name}目录")), &["序号", "标题", "所属项目", "报送单位", "日期"])
        .numeric_columns(&[0]);
    for (i, w) in writeups.iter().enumerate() {
        let unit = match &w.meta {
            Meta::Writeup(m) => m.author_unit.clone().unwrap_or_default(),
            _ => String::new(),
        };
        t.rows.push(vec![
            (i + 1).to_string(),
            w.title().trim().to_string(),
            g.lib.project_of(w).map(|p| p.title().trim().to_string()).unwrap_or_default(),
            unit,
            Gather::date_of(w),
        ]);
    }
    g.push(Block::Table(t));
    for w in writeups {
        g.writeup(w, None);
    }
}

/// Part 6: who to call, how many people fit, where to park — and a box to tick for each.
fn reception_part(g: &mut Gather<'_>, sites: &[SiteRef<'_>]) {
    g.part("接待保障");
    let mut t =
        Table::new(Some("接待保障一览".into()), &["调研点", "联系人及电话", "可容纳（人）", "停车", "注意事项"])
            .numeric_columns(&[2]);
    for s in sites {
        let r = s.site.reception.clone().unwrap_or_default();
        t.rows.push(vec![
            name_of(s),
            r.contact.clone().unwrap_or_else(|| "—".into()),
            r.capacity.map(|c| c.to_string()).unwrap_or_else(|| "—".into()),
            r.parking.clone().unwrap_or_else(|| "—".into()),
            r.notes.clone().unwrap_or_else(|| "—".into()),
        ]);
        if let Some(c) = r.capacity {
            g.number(NumberRow {
                category: "接待保障".into(),
                id: s.record.id().unwrap_or("").into(),
                name: name_of(s),
                district: g.lib.district_of(s.record).unwrap_or("").to_string(),
                indicator: "可容纳人数".into(),
                unit: "人".into(),
                value: Some(c as f64),
                ..NumberRow::default()
            });
        }
    }
    g.push(Block::Table(t));
    for s in sites {
        g.h2(&name_of(s));
        let mut items = Vec::new();
        match &s.site.reception {
            Some(r) => {
                let contact = r.contact.clone().unwrap_or_else(|| "接待联系人".into());
                let capacity = r.capacity.map(|c| format!("（可容纳 {c} 人）")).unwrap_or_default();
                items.push(CheckItem {
                    text: format!("提前与{contact}确认考察时间和人数{capacity}"), flagged: false
                });
                match &r.parking {
                    Some(p) => items.push(CheckItem { text: format!("停车：{p}"), flagged: false }),
                    None => items.push(CheckItem { text: "未填写停车安排".into(), flagged: true }),
                }
                if let Some(notes) = &r.notes {
                    for note in notes.split(['；', ';']).map(str::trim).filter(|n| !n.is_empty()) {
                        items.push(CheckItem { text: note.trim_end_matches('。').to_string(), flagged: false });
                    }
                }
            }
            None => items.push(CheckItem {
                text: format!("调研点“{}”未填写接待保障信息", name_of(s)), flagged: true
            }),
        }
        let presenters: Vec<String> = s
            .site
            .stops
            .iter()
            .filter_map(|st| Some(format!("{}（{}）", st.presenter.as_deref()?, st.name.as_deref().unwrap_or(""))))
            .collect();
        if !presenters.is_empty() {
            items.push(CheckItem { text: format!("讲解人到位：{}", presenters.join("、")), flagged: false });
        }
        items.push(CheckItem { text: "展板数据、解说词与本材料核对一致".into(), flagged: false });
        g.checklist(items);
    }
}

/// Per project: enough 经验材料, indicators complete, a 群众评价 series.
fn project_checks(lib: &Library, projects: &[&Record]) -> Vec<CheckItem> {
    let mut items = Vec::new();
    for p in projects {
        let Meta::Project(meta) = &p.meta else { continue };
        let name = format!("项目“{}”（{}）", p.title().trim(), p.id().unwrap_or(""));
        let n = lib.writeups_of(p).filter(|w| rules::is_experience(lib, w)).count();
        items.push(if rules::experience_enough(n) {
            CheckItem { text: format!("{name}{} {n} 篇", rules::EXPERIENCE), flagged: false }
        } else {
            CheckItem { text: format!("{name}{}，请补充", rules::experience_shortfall(n)), flagged: true }
        });
        items.push(indicator_check(&name, meta));
        items.push(if meta.evaluation.is_empty() {
            CheckItem { text: format!("{name}未填报群众评价"), flagged: true }
        } else {
            CheckItem { text: format!("{name}群众评价 {} 期", meta.evaluation.len()), flagged: false }
        });
    }
    items
}

fn indicator_check(name: &str, meta: &Project) -> CheckItem {
    let total = meta.indicators.len();
    let incomplete = meta.indicators.iter().filter(|i| !rules::indicator_complete(i)).count();
    match (total, incomplete) {
        (0, _) => CheckItem { text: format!("{name}未填报指标"), flagged: true },
        (t, 0) => CheckItem { text: format!("{name}指标 {t} 项，试点前后数值齐全"), flagged: false },
        (_, k) => {
            CheckItem { text: format!("{name}有 {k} 项指标缺少试点前或试点后数值"), flagged: true }
        }
    }
}

/// Per site: 解说词, stops with minutes and presenters, 接待保障, a place on the route.
fn site_checks(sites: &[SiteRef<'_>], route: bool) -> Vec<CheckItem> {
    let mut items = Vec::new();
    let mut orders: HashMap<u32, Vec<String>> = HashMap::new();
    for s in sites {
        let name = format!("调研点“{}”", name_of(s));
        items.push(if s.record.body.trim().is_empty() {
            CheckItem { text: format!("{name}缺少解说词"), flagged: true }
        } else {
            CheckItem {
                text: format!("{name}解说词已备（{} 字）", s.record.body.trim().chars().count()),
                flagged: false,
            }
        });
        if s.site.stops.is_empty() {
            items.push(CheckItem { text: format!("{name}未安排点位"), flagged: true });
        } else {
            let no_minutes = s.site.stops.iter().filter(|st| st.minutes.is_none()).count();
            let no_presenter = s.site.stops.iter().filter(|st| st.presenter.is_none()).count();
            if no_minutes > 0 {
                items.push(CheckItem { text: format!("{name}有 {no_minutes} 个点位未填时长"), flagged: true });
            }
            if no_presenter > 0 {
                items.push(CheckItem {
                    text: format!("{name}有 {no_presenter} 个点位未定讲解人"), flagged: true
                });
            }
            if no_minutes == 0 && no_presenter == 0 {
                items.push(CheckItem {
                    text: format!("{name}点位 {} 个，时长和讲解人均已落实", s.site.stops.len()),
                    flagged: false,
                });
            }
        }
        if s.site.reception.is_none() {
            items.push(CheckItem { text: format!("{name}未填写接待保障信息"), flagged: true });
        }
        match s.site.route_order {
            Some(o) => orders.entry(o).or_default().push(name_of(s)),
            None if route => {
                items.push(CheckItem { text: format!("{name}未设定路线顺序（route_order）"), flagged: true })
            }
            None => {}
        }
    }
    let mut dup: Vec<_> = orders.into_iter().filter(|(_, v)| v.len() > 1).collect();
    dup.sort();
    for (o, names) in dup {
        items.push(CheckItem { text: format!("路线第 {o} 站重复：{}", names.join("、")), flagged: true });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Config, TextEncoding};

    fn record(path: &str, text: &str) -> Record {
        Record::parse(path.into(), text, TextEncoding::Utf8).unwrap()
    }

    fn library() -> Library {
        let records = vec![
            record(
                "p.md",
                "---\nkind: project\nid: p\nname: 项目甲\ndistrict: 渝中区\nthemes: [社会矛盾]\nindicators:\n  - name: 信访总量\n    unit: 件\n    better: lower\n    before: {period: \"2019\", value: 10}\n---\n",
            ),
            record("w.md", "---\nid: w\ntitle: 唯一经验\nproject: p\ndistrict: 渝中区\nyear: 2021\n---\n正文\n"),
            record(
                "s1.md",
                "---\nkind: site\nid: s1\nname: 甲点\ndistrict: 渝中\nprojects: [p, 不存在的项目]\nroute_order: 2\nstops:\n  - {name: 大厅, what: 演示}\n---\n",
            ),
            record(
                "s2.md",
                "---\nkind: site\nid: s2\nname: 乙点\ndistrict: 渝中区\nreception: {contact: 张三}\n---\n解说\n",
            ),
            record(
                "s3.md",
                "---\nkind: site\nid: s3\nname: 丙点\ndistrict: 渝中区\nroute_order: 2\nreception: {contact: 李四, parking: 无}\nstops:\n  - {name: 室, what: 看, minutes: 5, presenter: 王}\n---\n解说\n",
            ),
        ];
        Library::from_records(".".into(), Config::default(), records, vec![])
    }

    #[test]
    fn route_orders_sites_and_flags_every_gap() {
        let lib = library();
        let sites = route_sites(&lib, "渝中区");
        assert_eq!(sites.iter().map(|s| s.id().unwrap()).collect::<Vec<_>>(), ["s1", "s3", "s2"]);
        let doc = build(&lib, &Scope::Route { district: "渝中区".into(), sites }, &Stamp::at(0));
        let warnings = doc.warnings.join("\n");
        for expected in [
            "“不存在的项目”在资料库中不存在",
            "经验材料仅 1 篇，不足两篇",
            "1 项指标缺少试点前或试点后数值",
            "未填报群众评价",
            "调研点“甲点”缺少解说词",
            "调研点“甲点”有 1 个点位未填时长",
            "调研点“甲点”有 1 个点位未定讲解人",
            "调研点“甲点”未填写接待保障信息",
            "调研点“乙点”未设定路线顺序",
            "路线第 2 站重复：甲点、丙点",
            "调研点“乙点”未安排点位",
            "未填写停车安排",
        ] {
            assert!(warnings.contains(expected), "missing warning {expected}:\n{warnings}");
        }
        assert!(!warnings.contains("丙点”缺少解说词"));
        // The write-up is in the 经验材料 part; the missing after-value shows as — and no chart number is invented.
        assert!(doc.titles().contains(&"唯一经验"));
        let row = doc.numbers.iter().find(|r| r.category == "指标对比").unwrap();
        assert_eq!((row.before, row.after, row.change), (Some(10.0), None, None));
        let route: Vec<&str> = doc.numbers.iter().filter(|r| r.category == "调研路线").map(|r| r.id.as_str()).collect();
        assert_eq!(route, ["s1", "s3", "s2", ""], "sites in route order, then the total");
    }

    #[test]
    fn single_site_packet_has_its_stops_and_narration() {
        let lib = library();
        let site = lib.get("s3").unwrap();
        let doc = build(&lib, &Scope::Site(site), &Stamp::at(0));
        assert_eq!(doc.title, "丙点展示材料");
        let has_route_figure = doc.blocks.iter().any(
            |b| matches!(b, Block::Figure { chart: Chart::Route { stops, total_minutes: 5 }, .. } if stops.len() == 1),
        );
        assert!(has_route_figure);
        assert!(doc.titles().iter().any(|t| t.contains("解说词")));
        assert!(doc.warnings.iter().all(|w| !w.contains("丙点")), "{:?}", doc.warnings);
        assert!(doc.blocks.contains(&para("调研点未关联认领项目。")));
        assert!(doc.sources.iter().any(|s| s.id == "s3") && !doc.sources.iter().any(|s| s.id == "s1"));
    }
}
