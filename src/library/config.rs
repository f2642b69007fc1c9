//! The library's vocabulary: district gazetteer, theme taxonomy, document types, dictionary and synonyms.
//!
//! Defaults come from the seed document and Chongqing's administrative divisions; an optional `casebook.yaml`
//! at the library root replaces any of the lists.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::thesaurus::{Concept, ConceptError, SHIPPED_STOP_WORDS, parse_concept, parse_stop_words, shipped_concepts};
use crate::text::fold;

/// The 38 districts and counties of Chongqing, plus the two municipal-level development zones.
const DEFAULT_DISTRICTS: &[&str] = &[
    "渝中区",
    "大渡口区",
    "江北区",
    "沙坪坝区",
    "九龙坡区",
    "南岸区",
    "北碚区",
    "渝北区",
    "巴南区",
    "万州区",
    "涪陵区",
    "黔江区",
    "长寿区",
    "江津区",
    "合川区",
    "永川区",
    "南川区",
    "綦江区",
    "大足区",
    "璧山区",
    "铜梁区",
    "潼南区",
    "荣昌区",
    "开州区",
    "梁平区",
    "武隆区",
    "城口县",
    "丰都县",
    "垫江县",
    "忠县",
    "云阳县",
    "奉节县",
    "巫山县",
    "巫溪县",
    "石柱土家族自治县",
    "秀山土家族苗族自治县",
    "酉阳土家族苗族自治县",
    "彭水苗族土家族自治县",
    "两江新区",
    "重庆高新区",
];

/// 五元共治, 五险联控, 五治并举: the seed's three groups of five.
const DEFAULT_THEMES: &[(&str, &[&str])] = &[
    ("五元共治", &["党委领导", "政府负责", "群团助推", "社会协同", "群众参与"]),
    ("五险联控", &["政治安全", "社会治安", "社会矛盾", "公共安全", "网络安全"]),
    ("五治并举", &["政治引领", "法治保障", "德治教化", "自治强基", "智治支撑"]),
];

/// The issuing organ printed on export covers unless `casebook.yaml` says otherwise: a district's packet is
/// prepared by its 政法委 (the pilot's office in each district).
pub const DEFAULT_ISSUER: &str = "{区县}委政法委";
/// Where `issuer` names the export's district.
pub const DISTRICT_PLACEHOLDER: &str = "{区县}";

/// Document types (文种); the first is the default for a write-up without `type`.
pub const DEFAULT_TYPES: &[&str] =
    &["经验材料", "典型案例", "工作简报", "会议纪要", "制度文件", "工作方案", "报表", "解说词", "政策文件"];

/// Domain words the general-purpose segmenter does not know.
const DEFAULT_DICTIONARY: &[&str] = &[
    "综治中心",
    "枫桥经验",
    "新时代枫桥经验",
    "网格员",
    "网格化",
    "一站式",
    "矛调中心",
    "调委会",
    "只跑一地",
    "市域社会治理",
    "社会治理",
    "五元共治",
    "五险联控",
    "五治并举",
    "雪亮工程",
    "平安建设",
    "矛盾纠纷",
    "人民调解",
    "人民调解员",
    "调解员",
    "电诈",
    "电信网络诈骗",
    "反诈",
    "院落议事会",
    "家长学校",
    "三事分流",
    "楼栋党小组",
    "网格党小组",
    "街乡吹哨",
    "部门报到",
    "群防群治",
    "信访",
    "命案",
    "群众安全感",
    "群众满意度",
    "综治",
    "智治",
    "德治",
    "自治",
    "法治",
    "议事协商",
    "志愿服务",
    "心理服务",
    "社会心理服务",
    "重点人群",
    "特殊人群",
    "社区矫正",
    "安置帮教",
    "群团组织",
    "妇女之家",
    "青少年之家",
    "多元化解",
    "诉源治理",
    "访调对接",
    "警调对接",
    "诉调对接",
    "铁脚板",
    "大数据",
    "智慧社区",
    "平安乡村",
];

/// Groups of words searched as one.
const DEFAULT_SYNONYMS: &[&[&str]] = &[
    &["综治中心", "社会治安综合治理中心"],
    &["调委会", "人民调解委员会"],
    &["电诈", "电信网络诈骗", "电信诈骗"],
    &["矛调中心", "矛盾纠纷调处中心", "矛盾纠纷多元化解中心"],
    &["矛盾纠纷调解成功率", "矛盾纠纷化解成功率", "调解成功率"],
    &["群众满意度", "群众满意率"],
    &["群众安全感", "群众安全感指数"],
    &["网格员", "网格管理员"],
    &["雪亮工程", "公共安全视频监控建设联网应用"],
    &["政法委", "政法委员会"],
];

/// One district of the gazetteer with the short forms users type (合川 → 合川区).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct District {
    pub name: String,
    pub short: Vec<String>,
}

/// A theme group (e.g. 五元共治) and its themes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeGroup {
    pub name: String,
    pub themes: Vec<String>,
}

/// The vocabulary a library is checked and searched against.
#[derive(Debug, Clone)]
pub struct Config {
    pub districts: Vec<District>,
    pub theme_groups: Vec<ThemeGroup>,
    pub types: Vec<String>,
    pub dictionary: Vec<String>,
    pub synonyms: Vec<Vec<String>>,
    /// The concept vocabulary queries are widened through (see [`super::thesaurus`]).
    pub concepts: Vec<Concept>,
    /// Words of a question that carry no meaning for matching (怎么, 有没有, 经验 …).
    pub stop_words: Vec<String>,
    /// The archive checklist: for each claimed project, how many materials of each type the archive should hold
    /// (see [`super::archive`]); `casebook.yaml`'s `archive_checklist` replaces it.
    pub archive_checklist: Vec<(String, usize)>,
    /// The office's saved searches (已存检索, [`super::saved`]), in the order written.
    pub saved_searches: Vec<super::saved::SavedSearch>,
    /// The issuing organ printed at the head of an export's cover (发文机关标志, GB/T 9704 §7.2.4), where
    /// `{区县}` stands for the export's district; empty: no such block. See [`Config::issuer_for`].
    pub issuer: String,
    /// Folded spellings → canonical names, so look-ups do not fold the whole list each time.
    district_lookup: HashMap<String, usize>,
    theme_lookup: HashMap<String, String>,
    type_lookup: HashMap<String, String>,
}

/// Why `casebook.yaml` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("无法读取 casebook.yaml：{}", crate::os_error::describe(.0))]
    Io(#[from] std::io::Error),
    #[error("casebook.yaml 第 {line} 行：{message}")]
    Yaml { line: usize, message: String },
    #[error("casebook.yaml 的检索词表（thesaurus）“{theme}”下：{error}")]
    Thesaurus { theme: String, error: ConceptError },
    #[error("casebook.yaml 的已存检索（saved_searches）：{0}")]
    Saved(super::saved::SavedError),
}

impl From<super::saved::SavedError> for ConfigError {
    fn from(e: super::saved::SavedError) -> Self {
        ConfigError::Saved(e)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawConfig {
    districts: Option<Vec<RawDistrict>>,
    themes: Option<indexmap_like::OrderedMap>,
    types: Option<Vec<String>>,
    dictionary: Option<Vec<String>>,
    synonyms: Option<Vec<Vec<String>>>,
    /// Concept lines added to the shipped thesaurus, by theme.
    thesaurus: Option<OrderedMap>,
    /// Words whose shipped concepts are switched off.
    thesaurus_off: Option<Vec<String>>,
    stop_words: Option<Vec<String>>,
    stop_words_off: Option<Vec<String>>,
    /// 文种 → how many each claimed project's archive should hold.
    archive_checklist: Option<std::collections::BTreeMap<String, usize>>,
    saved_searches: Option<Vec<super::saved::SavedSearch>>,
    issuer: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDistrict {
    Name(String),
    Full {
        name: String,
        #[serde(default)]
        short: Vec<String>,
    },
}

pub(crate) use indexmap_like::OrderedMap;

/// A YAML mapping that keeps its keys in file order (theme groups are shown in the order written).
mod indexmap_like {
    use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

    pub struct OrderedMap(pub Vec<(String, Vec<String>)>);

    impl<'de> Deserialize<'de> for OrderedMap {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = OrderedMap;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("主题分组：分组名 → 主题列表")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedMap, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = map.next_entry::<String, Vec<String>>()? {
                        out.push((k, v));
                    }
                    Ok(OrderedMap(out))
                }
            }
            deserializer.deserialize_map(V)
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        let districts = DEFAULT_DISTRICTS.iter().map(|n| District { name: n.to_string(), short: default_short(n) });
        Config::from_parts(
            districts.collect(),
            DEFAULT_THEMES
                .iter()
                .map(|(g, ts)| ThemeGroup { name: g.to_string(), themes: ts.iter().map(|t| t.to_string()).collect() })
                .collect(),
            DEFAULT_TYPES.iter().map(|t| t.to_string()).collect(),
            DEFAULT_DICTIONARY.iter().map(|t| t.to_string()).collect(),
            DEFAULT_SYNONYMS.iter().map(|g| g.iter().map(|t| t.to_string()).collect()).collect(),
            shipped_concepts(),
            parse_stop_words(SHIPPED_STOP_WORDS),
        )
    }
}

/// 合川区 → 合川, 石柱土家族自治县 → 石柱, 两江新区 → 两江, 重庆高新区 → 高新区.
fn default_short(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(i) = name.find("土家族").or_else(|| name.find("苗族")) {
        out.push(name[..i].to_string());
    } else if let Some(stem) = name.strip_suffix("新区") {
        out.push(stem.to_string());
    } else if let Some(stem) = name.strip_prefix("重庆") {
        out.push(stem.to_string());
    } else if let Some(stem) = name.strip_suffix('区').or_else(|| name.strip_suffix('县'))
        && stem.chars().count() >= 2
    {
        out.push(stem.to_string());
    }
    out
}

impl Config {
    fn from_parts(
        districts: Vec<District>,
        theme_groups: Vec<ThemeGroup>,
        types: Vec<String>,
        dictionary: Vec<String>,
        synonyms: Vec<Vec<String>>,
        concepts: Vec<Concept>,
        stop_words: Vec<String>,
    ) -> Self {
        let mut district_lookup = HashMap::new();
        for (i, d) in districts.iter().enumerate() {
            for form in std::iter::once(&d.name).chain(&d.short) {
                district_lookup.entry(fold(form)).or_insert(i);
            }
        }
        let theme_lookup =
            theme_groups.iter().flat_map(|g| &g.themes).map(|t| (fold(t), t.clone())).collect::<HashMap<_, _>>();
        let type_lookup = types.iter().map(|t| (fold(t), t.clone())).collect::<HashMap<_, _>>();
        let archive_checklist = super::archive::default_checklist(&types);
        Config {
            archive_checklist,
            saved_searches: Vec::new(),
            issuer: DEFAULT_ISSUER.to_string(),
            districts,
            theme_groups,
            types,
            dictionary,
            synonyms,
            concepts,
            stop_words,
            district_lookup,
            theme_lookup,
            type_lookup,
        }
    }

    /// The issuing organ for an export's cover: the configured `issuer` with `{区县}` replaced by the export's
    /// district. `None` when none is configured, or when it names the district and the export has none (a study
    /// pack gathers several districts).
    pub fn issuer_for(&self, district: Option<&str>) -> Option<String> {
        let template = self.issuer.trim();
        if template.is_empty() {
            return None;
        }
        if !template.contains(DISTRICT_PLACEHOLDER) {
            return Some(template.to_string());
        }
        let district = district.map(str::trim).filter(|d| !d.is_empty())?;
        Some(template.replace(DISTRICT_PLACEHOLDER, self.district_name(district)))
    }

    /// Reads `casebook.yaml` from the library root, or returns the defaults when there is none.
    pub fn load(root: &Path) -> Result<Self, ConfigError> {
        let path = root.join("casebook.yaml");
        if !path.exists() {
            return Ok(Config::default());
        }
        // A configuration is a page of YAML; a huge or special file there is a mistake, not settings.
        let bytes = super::read_bounded(&path, 1 << 20).map_err(std::io::Error::from)?;
        let (text, _) =
            super::encoding::decode(&bytes).map_err(|e| ConfigError::Yaml { line: 1, message: e.to_string() })?;
        Self::parse(&text)
    }

    /// Parses the text of a `casebook.yaml`; keys that are absent keep their defaults.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig = if text.trim().is_empty() {
            RawConfig::default()
        } else {
            super::yaml::from_str(text).map_err(|e| ConfigError::Yaml { line: e.line, message: e.message })?
        };
        let defaults = Config::default();
        let districts = match raw.districts {
            Some(list) => list
                .into_iter()
                .map(|d| match d {
                    RawDistrict::Name(name) => District { short: default_short(&name), name },
                    RawDistrict::Full { name, short } => District { name, short },
                })
                .collect(),
            None => defaults.districts,
        };
        let theme_groups = match raw.themes {
            Some(map) => map.0.into_iter().map(|(name, themes)| ThemeGroup { name, themes }).collect(),
            None => defaults.theme_groups,
        };
        let mut dictionary = defaults.dictionary;
        dictionary.extend(raw.dictionary.unwrap_or_default());
        let off = raw.thesaurus_off.unwrap_or_default();
        let mut concepts: Vec<Concept> =
            defaults.concepts.into_iter().filter(|c| !off.iter().any(|w| c.mentions(w))).collect();
        for (theme, lines) in raw.thesaurus.map(|m| m.0).unwrap_or_default() {
            for line in lines {
                let concept = parse_concept(&theme, &line)
                    .map_err(|error| ConfigError::Thesaurus { theme: theme.clone(), error })?;
                concepts.push(concept);
            }
        }
        let stop_off: Vec<String> = raw.stop_words_off.unwrap_or_default().iter().map(|w| fold(w.trim())).collect();
        let mut stop_words: Vec<String> =
            defaults.stop_words.into_iter().filter(|w| !stop_off.contains(&fold(w))).collect();
        stop_words.extend(raw.stop_words.unwrap_or_default().into_iter().map(|w| w.trim().to_string()));
        let mut config = Config::from_parts(
            districts,
            theme_groups,
            raw.types.unwrap_or(defaults.types),
            dictionary,
            raw.synonyms.unwrap_or(defaults.synonyms),
            concepts,
            stop_words,
        );
        if let Some(list) = raw.archive_checklist {
            // In the order of the configured types, each named as configured.
            let mut items: Vec<(String, usize)> =
                list.into_iter().map(|(t, n)| (config.type_name(t.trim()).to_string(), n)).collect();
            items.sort_by_key(|(t, _)| config.types.iter().position(|c| c == t).unwrap_or(usize::MAX));
            config.archive_checklist = items;
        }
        if let Some(issuer) = raw.issuer {
            config.issuer = issuer.trim().to_string();
        }
        if let Some(list) = raw.saved_searches {
            super::saved::validate(&list)?;
            config.saved_searches = list;
        }
        Ok(config)
    }

    /// The gazetteer's name for what a user or a file wrote (short forms and traditional script accepted).
    pub fn resolve_district(&self, written: &str) -> Option<&str> {
        self.district_lookup.get(&fold(written.trim())).map(|&i| self.districts[i].name.as_str())
    }

    /// The district as the gazetteer names it, or as written (trimmed) when it is not in the gazetteer.
    pub fn district_name<'a>(&'a self, written: &'a str) -> &'a str {
        self.resolve_district(written).unwrap_or(written.trim())
    }

    /// The theme as the taxonomy names it, or as written (trimmed).
    pub fn theme_name<'a>(&'a self, written: &'a str) -> &'a str {
        self.resolve_theme(written).unwrap_or(written.trim())
    }

    /// The document type as configured, or as written (trimmed).
    pub fn type_name<'a>(&'a self, written: &'a str) -> &'a str {
        self.resolve_type(written).unwrap_or(written.trim())
    }

    /// The theme as named in the taxonomy, if it is one.
    pub fn resolve_theme(&self, written: &str) -> Option<&str> {
        self.theme_lookup.get(&fold(written.trim())).map(String::as_str)
    }

    /// The group (五元共治 …) a theme belongs to.
    pub fn theme_group(&self, theme: &str) -> Option<&str> {
        self.theme_groups.iter().find(|g| g.themes.iter().any(|t| t == theme)).map(|g| g.name.as_str())
    }

    /// The document type as named in the list, if it is one.
    pub fn resolve_type(&self, written: &str) -> Option<&str> {
        self.type_lookup.get(&fold(written.trim())).map(String::as_str)
    }

    /// Every theme, group by group.
    pub fn all_themes(&self) -> impl Iterator<Item = &str> {
        self.theme_groups.iter().flat_map(|g| g.themes.iter().map(String::as_str))
    }

    /// A fingerprint of what changes tokenization (dictionary); the index is rebuilt when it changes.
    pub fn analysis_fingerprint(&self) -> u64 {
        let mut h: u64 = 0xcbf29ce484222325;
        for w in &self.dictionary {
            for b in w.bytes().chain(std::iter::once(0)) {
                h = (h ^ b as u64).wrapping_mul(0x100000001b3);
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_names_the_exports_district() {
        let c = Config::default();
        assert_eq!(
            c.issuer_for(Some("渝中")).as_deref(),
            Some("渝中区委政法委"),
            "the district as the gazetteer names it"
        );
        assert_eq!(c.issuer_for(None), None, "a study pack of several districts has none");
        let c = Config::parse("issuer: 重庆市委政法委\n").unwrap();
        assert_eq!(c.issuer_for(Some("渝中区")).as_deref(), Some("重庆市委政法委"));
        assert_eq!(c.issuer_for(None).as_deref(), Some("重庆市委政法委"));
        let c = Config::parse("issuer: ''\n").unwrap();
        assert_eq!(c.issuer_for(Some("渝中区")), None, "switched off");
    }

    #[test]
    fn default_gazetteer_has_chongqing() {
        let c = Config::default();
        assert_eq!(c.districts.len(), 40);
        assert_eq!(c.resolve_district("合川"), Some("合川区"));
        assert_eq!(c.resolve_district("合川区"), Some("合川区"));
        assert_eq!(c.resolve_district("渝中區"), Some("渝中区"));
        assert_eq!(c.resolve_district("石柱"), Some("石柱土家族自治县"));
        assert_eq!(c.resolve_district("两江"), Some("两江新区"));
        assert_eq!(c.resolve_district("忠县"), Some("忠县"));
        assert_eq!(c.resolve_district("海淀区"), None);
    }

    #[test]
    fn themes_and_groups() {
        let c = Config::default();
        assert_eq!(c.all_themes().count(), 15);
        assert_eq!(c.resolve_theme("智治支撐"), Some("智治支撑"));
        assert_eq!(c.theme_group("网络安全"), Some("五险联控"));
    }

    #[test]
    fn yaml_overrides_only_what_it_names() {
        let c = Config::parse("districts:\n  - 测试区\n  - {name: 样例县, short: [样例]}\ndictionary: [某某工作法]\n")
            .unwrap();
        assert_eq!(c.resolve_district("样例"), Some("样例县"));
        assert_eq!(c.resolve_district("测试"), Some("测试区"));
        assert_eq!(c.resolve_district("渝中区"), None);
        assert_eq!(c.all_themes().count(), 15);
        assert!(c.dictionary.iter().any(|w| w == "某某工作法"));
        assert!(c.dictionary.iter().any(|w| w == "枫桥经验"));
    }

    /// Every shipped concept and stop word can be switched off from `casebook.yaml`, and lines can be added.
    #[test]
    fn vocabulary_is_reachable_from_casebook_yaml() {
        let defaults = Config::default();
        assert!(!defaults.concepts.is_empty());
        for concept in &defaults.concepts {
            let first = &concept.words().next().unwrap().to_string();
            let c = Config::parse(&format!("thesaurus_off: [{first}]\n")).unwrap();
            assert!(!c.concepts.iter().any(|k| k.mentions(first)), "{first} switched off");
            assert!(c.concepts.len() < defaults.concepts.len());
        }
        for word in &defaults.stop_words {
            let c = Config::parse(&format!("stop_words_off: [\"{word}\"]\n")).unwrap();
            assert!(!c.stop_words.contains(word), "{word} switched off");
        }
        let c = Config::parse("thesaurus:\n  通用: [某某工作法 = 某某法]\nstop_words: [劳驾]\n").unwrap();
        assert!(c.concepts.iter().any(|k| k.mentions("某某法")));
        assert_eq!(c.concepts.len(), defaults.concepts.len() + 1);
        assert!(c.stop_words.iter().any(|w| w == "劳驾"));
        let err = Config::parse("thesaurus:\n  通用: [孤零零]\n").unwrap_err();
        assert!(err.to_string().contains("只有一个词"), "{err}");
    }

    #[test]
    fn bad_yaml_names_the_line() {
        let err = Config::parse("districts:\n  - a\ntypes: {x: [}\n").unwrap_err();
        match err {
            ConfigError::Yaml { line, .. } => assert_eq!(line, 3),
            other => panic!("{other}"),
        }
    }
}
