//! The pilot's rules, owned once: every claimed project (认领项目) proves itself with at least two 经验材料, every
//! district prepares three to four demonstration sites (调研点), and a project's indicators carry before and after
//! data. `check`, the overview, the export checklist, the project page and the generator read them here, and the
//! wording shown to users is built from the numbers, so a change of rule is one change.

use std::ops::RangeInclusive;

use super::{Config, Indicator, Library, Project, Record};

/// The document type that counts towards a project's write-ups (the seed's 经验材料).
pub const EXPERIENCE: &str = "经验材料";
/// The document type of a typical case (典型案例), which the seed asks for as proof of results.
pub const TYPICAL_CASE: &str = "典型案例";
/// The document type an import gives a file whose type it found no evidence for: shown and filterable like a
/// type, but never counted as an 经验材料 until someone confirms what the file is (a false 达标 is worse than a
/// missing one).
pub const PENDING_TYPE: &str = "待确认";
/// Every claimed project turns into at least this many 经验材料.
pub const MIN_EXPERIENCE: usize = 2;
/// How many demonstration sites each district prepares.
pub const SITES_PER_DISTRICT: RangeInclusive<usize> = 3..=4;

/// The experience type as this library's configuration names it: 经验材料 when it is configured (in any spelling the
/// configuration folds to it), otherwise the first configured type.
pub fn experience_type(config: &Config) -> &str {
    config.resolve_type(EXPERIENCE).or_else(|| config.types.first().map(String::as_str)).unwrap_or(EXPERIENCE)
}

/// The typical-case type as configured (典型案例 itself when the configuration lacks it).
pub fn typical_case_type(config: &Config) -> &str {
    config.type_name(TYPICAL_CASE)
}

/// The type of a write-up that names none: the first configured type (经验材料 by default).
pub fn default_type(config: &Config) -> &str {
    config.types.first().map(String::as_str).unwrap_or(EXPERIENCE)
}

/// Whether a record is an 经验材料 (a write-up of the experience type).
pub fn is_experience(lib: &Library, record: &Record) -> bool {
    lib.type_of(record) == Some(experience_type(&lib.config))
}

/// Whether a write-up's type still waits for confirmation ([`PENDING_TYPE`]).
pub fn is_pending(lib: &Library, record: &Record) -> bool {
    lib.type_of(record) == Some(PENDING_TYPE)
}

/// Whether an indicator has both a before and an after value (the seed's 前后对比).
pub fn indicator_complete(i: &Indicator) -> bool {
    i.before.as_ref().is_some_and(|m| m.value.is_some()) && i.after.as_ref().is_some_and(|m| m.value.is_some())
}

/// Whether a project reports indicators and every one is complete.
pub fn indicators_complete(p: &Project) -> bool {
    !p.indicators.is_empty() && p.indicators.iter().all(indicator_complete)
}

/// Whether a project with `n` 经验材料 meets the rule.
pub fn experience_enough(n: usize) -> bool {
    n >= MIN_EXPERIENCE
}

/// Whether a district with `n` sites meets the rule.
pub fn sites_enough(n: usize) -> bool {
    SITES_PER_DISTRICT.contains(&n)
}

/// “3–4”: the site rule as written in tables and sentences.
pub fn sites_range_text() -> String {
    format!("{}–{}", SITES_PER_DISTRICT.start(), SITES_PER_DISTRICT.end())
}

/// “两篇”: the experience rule's number as written in sentences.
pub fn experience_min_text() -> String {
    format!("{}篇", chinese_count(MIN_EXPERIENCE))
}

/// “每个认领项目至少 2 篇经验材料；每个区县准备 3–4 个调研点；指标有试点前后数据”: the rules in one line.
pub fn summary() -> String {
    format!(
        "每个认领项目至少 {MIN_EXPERIENCE} 篇{EXPERIENCE}；每个区县准备 {} 个调研点；指标有试点前后数据",
        sites_range_text()
    )
}

/// “经验材料仅 1 篇，不足两篇”: what a project short of write-ups is told.
pub fn experience_shortfall(n: usize) -> String {
    format!("{EXPERIENCE}仅 {n} 篇，不足{}", experience_min_text())
}

/// Small counts as written in running Chinese text (两 for 2); larger ones in digits.
fn chinese_count(n: usize) -> String {
    match n {
        1 => "一".into(),
        2 => "两".into(),
        3 => "三".into(),
        4 => "四".into(),
        5 => "五".into(),
        n => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wording_follows_the_numbers() {
        assert_eq!(experience_shortfall(1), "经验材料仅 1 篇，不足两篇");
        assert_eq!(sites_range_text(), "3–4");
        assert!(summary().contains("至少 2 篇经验材料") && summary().contains("3–4 个调研点"));
        assert!(!sites_enough(2) && sites_enough(3) && sites_enough(4) && !sites_enough(5));
        assert!(!experience_enough(1) && experience_enough(2));
    }

    #[test]
    fn types_come_from_the_configuration() {
        let default = Config::default();
        assert_eq!((experience_type(&default), default_type(&default)), ("经验材料", "经验材料"));
        assert_eq!(typical_case_type(&default), "典型案例");
        let custom = Config::parse("types: [工作简报, 经验做法]\n").unwrap();
        assert_eq!(experience_type(&custom), "工作简报", "without 经验材料 the first type counts");
        assert_eq!(default_type(&custom), "工作简报");
    }
}
