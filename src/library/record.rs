//! The four kinds of record and how one file becomes one record.
//!
//! Optional-looking `Option`s for required keys are deliberate: a missing key is reported by `check` with the
//! file and line, instead of failing the whole parse with a less helpful serde message.

use serde::{Deserialize, Deserializer, Serialize};

use super::encoding::TextEncoding;
use super::yaml;

/// What a record is; `writeup` when `kind:` is absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Writeup,
    Project,
    Site,
    Collection,
}

impl Kind {
    /// The Chinese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Writeup => "写作材料",
            Kind::Project => "认领项目",
            Kind::Site => "调研点",
            Kind::Collection => "学习专辑",
        }
    }

    /// The keyword used in files and on the command line.
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::Writeup => "writeup",
            Kind::Project => "project",
            Kind::Site => "site",
            Kind::Collection => "collection",
        }
    }
}

/// 写作材料: an experience write-up, case, brief, minutes, rule, plan …
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Writeup {
    pub id: Option<String>,
    pub title: Option<String>,
    pub project: Option<String>,
    pub district: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub themes: Vec<String>,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    #[serde(deserialize_with = "text_or_number")]
    pub date: Option<String>,
    #[serde(deserialize_with = "lenient_year")]
    pub year: Option<i32>,
    pub author_unit: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub tags: Vec<String>,
    pub source: Option<String>,
    /// 原件: the file the write-up was made from, kept in the library (see [`super::original`]).
    pub original: Option<Original>,
}

/// 原件: the document a write-up was made from (a PDF, a scan, a Word or Excel file), kept beside it so the
/// archive can show the real document and prove it is the one that was filed (真实性).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Original {
    /// Where it is, relative to the write-up's folder (`yz-p01-5.assets/某某简报.pdf`).
    pub file: Option<String>,
    /// Its SHA-256 when it was filed, in lowercase hexadecimal.
    pub sha256: Option<String>,
    /// Its size in bytes when it was filed.
    pub size: Option<u64>,
    /// 页数, when the format has pages (PDF).
    pub pages: Option<u32>,
    /// Pages whose text was recognised from an image (OCR) rather than read, 1-based.
    pub ocr_pages: Vec<u32>,
}

/// 认领项目: a claimed pilot project with its indicators and public evaluation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Project {
    pub id: Option<String>,
    pub name: Option<String>,
    pub district: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub themes: Vec<String>,
    pub lead_unit: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub partner_units: Vec<String>,
    #[serde(deserialize_with = "lenient_year")]
    pub claimed: Option<i32>,
    pub status: Option<String>,
    pub indicators: Vec<Indicator>,
    pub evaluation: Vec<Evaluation>,
}

/// One measured outcome, before and after the pilot.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Indicator {
    pub name: Option<String>,
    pub unit: Option<String>,
    pub better: Option<String>,
    pub before: Option<Measurement>,
    pub after: Option<Measurement>,
    pub target: Option<f64>,
    pub source: Option<String>,
}

/// A value at a period (“2019”, “2021年上半年”).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Measurement {
    #[serde(deserialize_with = "text_or_number")]
    pub period: Option<String>,
    pub value: Option<f64>,
}

/// Which direction of change is an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

impl Indicator {
    /// The parsed `better:`; `None` when absent or not `higher`/`lower` (check reports it).
    pub fn direction(&self) -> Option<Better> {
        match self.better.as_deref().map(str::trim) {
            Some("higher") | Some("越高越好") => Some(Better::Higher),
            Some("lower") | Some("越低越好") => Some(Better::Lower),
            _ => None,
        }
    }
}

/// One point of the 群众评价 series.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Evaluation {
    #[serde(deserialize_with = "text_or_number")]
    pub period: Option<String>,
    pub satisfaction: Option<f64>,
    pub sample: Option<u64>,
}

/// 调研点: a demonstration site on a district's route.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Site {
    pub id: Option<String>,
    pub name: Option<String>,
    pub district: Option<String>,
    pub address: Option<String>,
    pub highlight: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub projects: Vec<String>,
    pub route_order: Option<u32>,
    pub stops: Vec<Stop>,
    pub reception: Option<Reception>,
}

/// 点位安排: one stop of a site visit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Stop {
    pub name: Option<String>,
    pub what: Option<String>,
    pub minutes: Option<u32>,
    pub presenter: Option<String>,
}

impl Stop {
    /// The stop as one line of a visit plan: “群众接待大厅（10 分钟，中心主任）演示受理流程”.
    pub fn summary(&self) -> String {
        format!(
            "{}（{} 分钟，{}）{}",
            self.name.as_deref().unwrap_or(""),
            self.minutes.unwrap_or(0),
            self.presenter.as_deref().unwrap_or("—"),
            self.what.as_deref().unwrap_or("")
        )
    }
}

impl Site {
    /// Minutes of all stops together (the length of the visit).
    pub fn total_minutes(&self) -> u32 {
        self.stops.iter().filter_map(|s| s.minutes).fold(0, u32::saturating_add)
    }
}

/// 接待保障: reception logistics of a site.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Reception {
    pub contact: Option<String>,
    pub capacity: Option<u32>,
    pub parking: Option<String>,
    pub notes: Option<String>,
}

/// 学习专辑: a trainer's ordered selection of write-ups.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Collection {
    pub id: Option<String>,
    pub title: Option<String>,
    pub audience: Option<String>,
    pub items: Vec<CollectionItem>,
    #[serde(deserialize_with = "one_or_many")]
    pub questions: Vec<String>,
}

/// One item of a collection: a write-up and the trainer's note on it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct CollectionItem {
    pub id: Option<String>,
    pub note: Option<String>,
}

/// The kind-specific front matter of a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Meta {
    Writeup(Writeup),
    Project(Project),
    Site(Site),
    Collection(Collection),
}

/// One file of the library, parsed.
#[derive(Debug, Clone)]
pub struct Record {
    /// Path relative to the library root, with `/` separators.
    pub path: String,
    pub encoding: TextEncoding,
    pub meta: Meta,
    /// The raw YAML between the `---` lines (for locating keys in messages).
    pub front_matter: String,
    /// The Markdown body as written.
    pub body: String,
    /// 1-based line number of the first body line.
    pub body_line: usize,
}

/// Why a file is not a record; `line` is 1-based in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub code: &'static str,
    pub message: String,
}

impl ParseError {
    /// The error as `check` reports it for the file at `path`: the one place a parse error becomes a problem.
    pub fn problem(&self, path: &str) -> super::Problem {
        super::Problem {
            path: path.to_string(),
            line: self.line,
            code: self.code,
            message: self.message.clone(),
            severity: super::Severity::Error,
        }
    }
}

/// Front matter is a few dozen lines even for a project with many indicators; a larger one is a mistake (a
/// whole document pasted between the `---` lines) or hostile, and would only slow loading and indexing.
pub const MAX_FRONT_MATTER_BYTES: usize = 256 * 1024;

/// Splits `---\n yaml \n---\n body`; returns (yaml, body, body_line).
pub fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let rest = text.strip_prefix("---")?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix('\n')?;
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Some((yaml, body, i + 3));
        }
        offset += line.len();
    }
    None
}

impl Record {
    /// Parses decoded text into a record. `path` is only carried along for messages.
    pub fn parse(path: String, text: &str, encoding: TextEncoding) -> Result<Record, ParseError> {
        let Some((yaml_text, body, body_line)) = split_front_matter(text) else {
            let message = if text.starts_with("---") {
                "YAML 头信息没有结束行（缺少第二个 ---）".to_string()
            } else {
                "文件没有 YAML 头信息：第一行应为 ---，其后是 id、title 等字段，再以 --- 结束".to_string()
            };
            return Err(ParseError { line: 1, code: "no-front-matter", message });
        };
        // Lines inside the YAML are offset by the opening `---` line.
        let at = |e: yaml::YamlError| ParseError {
            line: e.line + 1,
            code: "yaml",
            message: format!("YAML 格式或取值错误：{}", e.message),
        };
        if yaml_text.trim().is_empty() {
            return Err(ParseError { line: 1, code: "empty-front-matter", message: "YAML 头信息是空的".into() });
        }
        if yaml_text.len() > MAX_FRONT_MATTER_BYTES {
            let message = format!(
                "YAML 头信息过大（{} KB），超过 {} KB 的上限：正文应写在第二个 --- 之后",
                yaml_text.len() / 1024,
                MAX_FRONT_MATTER_BYTES / 1024
            );
            return Err(ParseError { line: 1, code: "front-matter-too-large", message });
        }
        let kind = match top_level_value(yaml_text, "kind").as_deref() {
            None | Some("writeup") | Some("") => Kind::Writeup,
            Some("project") => Kind::Project,
            Some("site") => Kind::Site,
            Some("collection") => Kind::Collection,
            Some(other) => {
                return Err(ParseError {
                    line: key_line(yaml_text, "kind").map(|l| l + 1).unwrap_or(2),
                    code: "unknown-kind",
                    message: format!("未知的 kind “{other}”：应为 writeup、project、site 或 collection"),
                });
            }
        };
        let meta = match kind {
            Kind::Writeup => Meta::Writeup(yaml::from_str(yaml_text).map_err(at)?),
            Kind::Project => Meta::Project(yaml::from_str(yaml_text).map_err(at)?),
            Kind::Site => Meta::Site(yaml::from_str(yaml_text).map_err(at)?),
            Kind::Collection => Meta::Collection(yaml::from_str(yaml_text).map_err(at)?),
        };
        Ok(Record { path, encoding, meta, front_matter: yaml_text.to_string(), body: body.to_string(), body_line })
    }

    pub fn kind(&self) -> Kind {
        match self.meta {
            Meta::Writeup(_) => Kind::Writeup,
            Meta::Project(_) => Kind::Project,
            Meta::Site(_) => Kind::Site,
            Meta::Collection(_) => Kind::Collection,
        }
    }

    pub fn id(&self) -> Option<&str> {
        match &self.meta {
            Meta::Writeup(w) => w.id.as_deref(),
            Meta::Project(p) => p.id.as_deref(),
            Meta::Site(s) => s.id.as_deref(),
            Meta::Collection(c) => c.id.as_deref(),
        }
        .map(str::trim)
        .filter(|s| !s.is_empty())
    }

    /// The record's display title: a write-up's title, a project's or site's name, a collection's title.
    pub fn title(&self) -> &str {
        match &self.meta {
            Meta::Writeup(w) => w.title.as_deref(),
            Meta::Project(p) => p.name.as_deref(),
            Meta::Site(s) => s.name.as_deref(),
            Meta::Collection(c) => c.title.as_deref(),
        }
        .unwrap_or("")
    }

    /// The district as written in the file (see `Library::district_of` for the resolved name).
    pub fn district_raw(&self) -> Option<&str> {
        match &self.meta {
            Meta::Writeup(w) => w.district.as_deref(),
            Meta::Project(p) => p.district.as_deref(),
            Meta::Site(s) => s.district.as_deref(),
            Meta::Collection(_) => None,
        }
    }

    pub fn themes_raw(&self) -> &[String] {
        match &self.meta {
            Meta::Writeup(w) => &w.themes,
            Meta::Project(p) => &p.themes,
            _ => &[],
        }
    }

    /// The year a record belongs to: a write-up's `year` or the year of its `date`; a project's `claimed`.
    pub fn year(&self) -> Option<i32> {
        match &self.meta {
            Meta::Writeup(w) => w.year.or_else(|| w.date.as_deref().and_then(year_of_date)),
            Meta::Project(p) => p.claimed,
            _ => None,
        }
    }

    /// 1-based file line of a top-level front-matter key, or of the opening line when absent.
    pub fn line_of(&self, key: &str) -> usize {
        key_line(&self.front_matter, key).map(|l| l + 1).unwrap_or(1)
    }
}

/// The year of `2021-09-15`, `2021-09`, `2021年9月` or `2021`.
pub fn year_of_date(date: &str) -> Option<i32> {
    let digits: String = date.trim().chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() == 4 { digits.parse().ok() } else { None }
}

/// How a front-matter key is named to users: by its label, with the key as written in the file, e.g.
/// `区县（district）`, so that a clerk filling a form and someone editing the file both recognise it.
pub fn field_label(key: &str) -> String {
    let label = match key {
        "id" => "编号",
        "title" => "标题",
        "name" => "名称",
        "district" => "区县",
        "date" => "日期",
        "year" => "年份",
        "project" => "所属项目",
        "projects" => "展示的项目",
        "themes" => "主题",
        "type" => "文种",
        "kind" => "类别",
        _ => return key.to_string(),
    };
    format!("{label}（{key}）")
}

/// The scalar value of a top-level `key: value` line (quotes and a trailing comment removed), without parsing
/// the whole YAML: records are parsed once, straight into the type their `kind` names.
fn top_level_value(yaml_text: &str, key: &str) -> Option<String> {
    let line = yaml_text.lines().find(|l| l.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(':')))?;
    let value = line[key.len()..].trim_start().strip_prefix(':')?;
    let value = value.split(" #").next().unwrap_or("").trim();
    Some(value.trim_matches(|c| c == '"' || c == '\'').trim().to_string())
}

/// 1-based line (within the YAML text) where a top-level key is written.
pub fn key_line(yaml_text: &str, key: &str) -> Option<usize> {
    yaml_text
        .lines()
        .position(|l| l.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(':')))
        .map(|i| i + 1)
}

/// Accepts `themes: 党委领导` as well as `themes: [党委领导, 群众参与]`.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
        Null(()),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => {
            s.split(['，', ',', '、']).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()
        }
        OneOrMany::Many(v) => v,
        OneOrMany::Null(()) => Vec::new(),
    })
}

/// Accepts `period: 2019` as well as `period: "2019年"`.
fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Int(i64),
        Float(f64),
        Null(()),
    }
    Ok(match TextOrNumber::deserialize(d)? {
        TextOrNumber::Text(s) => Some(s),
        TextOrNumber::Int(i) => Some(i.to_string()),
        TextOrNumber::Float(f) => Some(f.to_string()),
        TextOrNumber::Null(()) => None,
    })
}

/// Accepts `year: 2021` and `year: "2021"`; anything else is a type error with a clear message.
fn lenient_year<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    use serde::de::Error;
    match text_or_number(d)? {
        None => Ok(None),
        Some(s) => {
            let t = s.trim().trim_end_matches('年');
            match t.parse::<i32>() {
                Ok(y) if (1900..=2200).contains(&y) => Ok(Some(y)),
                _ => Err(D::Error::custom(format!("年份应为四位数字，实际为 “{s}”"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Record, ParseError> {
        Record::parse("t.md".into(), text, TextEncoding::Utf8)
    }

    #[test]
    fn writeup_is_the_default_kind() {
        let r = parse("---\nid: a\ntitle: 标题\ndistrict: 渝中区\nthemes: 党委领导\ndate: 2021-09-15\n---\n正文\n")
            .unwrap();
        assert_eq!(r.kind(), Kind::Writeup);
        assert_eq!(r.id(), Some("a"));
        assert_eq!(r.title(), "标题");
        assert_eq!(r.year(), Some(2021));
        assert_eq!(r.themes_raw(), ["党委领导"]);
        assert_eq!(r.body, "正文\n");
        assert_eq!(r.body_line, 8);
    }

    #[test]
    fn project_with_indicators() {
        let r = parse(concat!(
            "---\nkind: project\nid: p\nname: 项目\ndistrict: 合川\nthemes: [政府负责]\nclaimed: 2020\n",
            "indicators:\n  - name: 信访总量\n    unit: 件\n    better: lower\n",
            "    before: {period: 2019, value: 120}\n    after: {period: \"2021\", value: 80}\n    target: 90\n",
            "evaluation:\n  - {period: 2021, satisfaction: 93.5, sample: 800}\n---\n简介\n"
        ))
        .unwrap();
        let Meta::Project(p) = &r.meta else { panic!("not a project") };
        assert_eq!(p.indicators[0].direction(), Some(Better::Lower));
        assert_eq!(p.indicators[0].before.as_ref().unwrap().period.as_deref(), Some("2019"));
        assert_eq!(p.indicators[0].after.as_ref().unwrap().value, Some(80.0));
        assert_eq!(p.evaluation[0].sample, Some(800));
        assert_eq!(r.year(), Some(2020));
    }

    #[test]
    fn missing_front_matter_is_explained() {
        let e = parse("只是正文\n").unwrap_err();
        assert_eq!((e.line, e.code), (1, "no-front-matter"));
        let e = parse("---\nid: a\n正文没有结束\n").unwrap_err();
        assert_eq!(e.code, "no-front-matter");
    }

    #[test]
    fn wrong_value_type_names_the_line() {
        let e = parse("---\nkind: project\nid: p\nname: 项目\nindicators:\n  - name: x\n    target: 很多\n---\n")
            .unwrap_err();
        assert_eq!(e.code, "yaml");
        assert_eq!(e.line, 7, "{e:?}");
    }

    #[test]
    fn huge_front_matter_is_refused_before_parsing() {
        let keys: String = (0..20_000).map(|i| format!("k{i}: 一段很长的取值\n")).collect();
        let e = parse(&format!("---\nid: a\n{keys}---\n正文\n")).unwrap_err();
        assert_eq!((e.line, e.code), (1, "front-matter-too-large"), "{e:?}");
        assert!(e.message.contains("头信息过大"), "{e:?}");
    }

    #[test]
    fn unknown_kind() {
        let e = parse("---\nid: a\nkind: memo\n---\n").unwrap_err();
        assert_eq!((e.line, e.code), (3, "unknown-kind"));
    }

    #[test]
    fn kind_is_read_without_parsing() {
        assert_eq!(top_level_value("id: a\nkind: \"project\" # 项目\n", "kind").as_deref(), Some("project"));
        assert_eq!(top_level_value("id: a\n  kind: site\n", "kind"), None);
    }

    #[test]
    fn key_lines() {
        assert_eq!(key_line("id: a\ndistrict: x\n", "district"), Some(2));
        assert_eq!(key_line("id: a\n  district: x\n", "district"), None);
        assert_eq!(year_of_date("2021年9月"), Some(2021));
    }
}
