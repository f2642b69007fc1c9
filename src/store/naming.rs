//! Where a new record goes and what it is called, following the library's own layout.
//!
//! The sample library (and the format's advice) keeps one folder per district (`yuzhong/`), one folder per
//! claimed project holding `project.md` and its write-ups (`yuzhong/yz-p01/yz-p01-3.md`), the district's
//! sites under `sites/` (`yuzhong/sites/yz-s2.md`) and collections under `collections/`. Ids follow the same
//! pattern: `yz-p01` for a project, `yz-p01-3` for its third write-up, `yz-s2` for a site, `col-01` for a
//! collection. A district's folder and id prefix are learnt from the records already there; for a district
//! with no records yet they come from a built-in table (pinyin), else the district's name itself.

use std::collections::HashMap;

use crate::library::{Kind, Library, Meta, Record};

/// Folder names and id prefixes of the default gazetteer, in the sample library's spelling.
const DISTRICT_NAMES: &[(&str, &str, &str)] = &[
    ("渝中区", "yuzhong", "yz"),
    ("大渡口区", "dadukou", "ddk"),
    ("江北区", "jiangbei", "jb"),
    ("沙坪坝区", "shapingba", "spb"),
    ("九龙坡区", "jiulongpo", "jlp"),
    ("南岸区", "nanan", "na"),
    ("北碚区", "beibei", "bb"),
    ("渝北区", "yubei", "yb"),
    ("巴南区", "banan", "bn"),
    ("万州区", "wanzhou", "wz"),
    ("涪陵区", "fuling", "fl"),
    ("黔江区", "qianjiang", "qj"),
    ("长寿区", "changshou", "cs"),
    ("江津区", "jiangjin", "jj"),
    ("合川区", "hechuan", "hc"),
    ("永川区", "yongchuan", "yc"),
    ("南川区", "nanchuan", "nc"),
    ("綦江区", "qijiang", "qjg"),
    ("大足区", "dazu", "dz"),
    ("璧山区", "bishan", "bs"),
    ("铜梁区", "tongliang", "tl"),
    ("潼南区", "tongnan", "tn"),
    ("荣昌区", "rongchang", "rc"),
    ("开州区", "kaizhou", "kz"),
    ("梁平区", "liangping", "lp"),
    ("武隆区", "wulong", "wl"),
    ("城口县", "chengkou", "ck"),
    ("丰都县", "fengdu", "fd"),
    ("垫江县", "dianjiang", "dj"),
    ("忠县", "zhongxian", "zx"),
    ("云阳县", "yunyang", "yy"),
    ("奉节县", "fengjie", "fj"),
    ("巫山县", "wushan", "ws"),
    ("巫溪县", "wuxi", "wx"),
    ("石柱土家族自治县", "shizhu", "sz"),
    ("秀山土家族苗族自治县", "xiushan", "xs"),
    ("酉阳土家族苗族自治县", "youyang", "yoy"),
    ("彭水苗族土家族自治县", "pengshui", "ps"),
    ("两江新区", "liangjiang", "ljxq"),
    ("重庆高新区", "gaoxin", "gxq"),
];

/// The gazetteer name for what was written, or the text itself when it is not in the gazetteer.
fn canonical<'a>(lib: &'a Library, district: &'a str) -> &'a str {
    lib.config.district_name(district)
}

fn records_in<'a>(lib: &'a Library, district: &'a str) -> impl Iterator<Item = &'a Record> + 'a {
    lib.records.iter().filter(move |r| lib.district_of(r) == Some(district))
}

/// The most frequent value, ties broken by the smallest (so the answer does not depend on load order).
fn most_common(values: impl Iterator<Item = String>) -> Option<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))).map(|(v, _)| v)
}

/// The folder a district's records live in: where most of them already are, else the built-in pinyin name,
/// else the district's name.
pub fn district_folder(lib: &Library, district: &str) -> String {
    let name = canonical(lib, district);
    let learnt = most_common(records_in(lib, name).filter_map(|r| {
        let (first, rest) = r.path.split_once('/')?;
        (!rest.is_empty()).then(|| first.to_string())
    }));
    learnt
        .or_else(|| DISTRICT_NAMES.iter().find(|(n, ..)| *n == name).map(|(_, folder, _)| folder.to_string()))
        .unwrap_or_else(|| file_name_safe(name))
}

/// The id prefix of a district (`yz` for 渝中区): learnt from its projects and sites, else built in, else the
/// district's name.
pub fn district_prefix(lib: &Library, district: &str) -> String {
    let name = canonical(lib, district);
    let learnt = most_common(
        records_in(lib, name)
            .filter(|r| matches!(r.kind(), Kind::Project | Kind::Site))
            .filter_map(|r| r.id().and_then(split_numbered).map(|(prefix, _, _)| prefix.to_string())),
    );
    learnt
        .or_else(|| DISTRICT_NAMES.iter().find(|(n, ..)| *n == name).map(|(_, _, prefix)| prefix.to_string()))
        .unwrap_or_else(|| id_safe(name))
}

/// `yz-p01` → (`yz`, 'p', 1); `yz-s2` → (`yz`, 's', 2).
fn split_numbered(id: &str) -> Option<(&str, char, u32)> {
    let (prefix, tail) = id.rsplit_once('-')?;
    let mut chars = tail.chars();
    let letter = chars.next()?;
    let digits = chars.as_str();
    if prefix.is_empty() || !matches!(letter, 'p' | 's' | 'w') || digits.is_empty() {
        return None;
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((prefix, letter, digits.parse().ok()?))
}

/// The next number after the largest `<prefix>-<letter><n>` among the library's ids.
fn next_number(lib: &Library, prefix: &str, letter: char) -> u32 {
    lib.records
        .iter()
        .filter_map(|r| r.id().and_then(split_numbered))
        .filter(|(p, l, _)| *p == prefix && *l == letter)
        .map(|(_, _, n)| n)
        .max()
        .unwrap_or(0)
        + 1
}

/// An id that no record uses yet, for a new record of `kind`: `yz-p01-3` for the third write-up of project
/// `yz-p01`, `yz-w01` for a write-up without a project, `yz-p04`, `yz-s5`, `col-02`.
pub fn suggest_id(lib: &Library, kind: Kind, district: Option<&str>, project: Option<&str>) -> String {
    let prefix = district.map(|d| district_prefix(lib, d)).unwrap_or_else(|| "cb".to_string());
    let candidate = match kind {
        Kind::Writeup => match project.and_then(|p| lib.resolve_project(p)).and_then(Record::id) {
            Some(pid) => {
                let n = lib
                    .records
                    .iter()
                    .filter_map(|r| r.id()?.strip_prefix(pid)?.strip_prefix('-')?.parse::<u32>().ok())
                    .max()
                    .unwrap_or(0);
                format!("{pid}-{}", n + 1)
            }
            None => format!("{prefix}-w{:02}", next_number(lib, &prefix, 'w')),
        },
        Kind::Project => format!("{prefix}-p{:02}", next_number(lib, &prefix, 'p')),
        Kind::Site => format!("{prefix}-s{}", next_number(lib, &prefix, 's')),
        Kind::Collection => {
            let n =
                lib.records.iter().filter_map(|r| r.id()?.strip_prefix("col-")?.parse::<u32>().ok()).max().unwrap_or(0);
            format!("col-{:02}", n + 1)
        }
    };
    unused_id(lib, candidate)
}

/// `candidate`, or `candidate-2`, `candidate-3` … when taken.
fn unused_id(lib: &Library, candidate: String) -> String {
    if lib.get(&candidate).is_none() {
        return candidate;
    }
    (2..).map(|n| format!("{candidate}-{n}")).find(|id| lib.get(id).is_none()).unwrap_or(candidate)
}

/// The relative path (`/` separators) for a new record with this id; never the path of an existing file.
/// A write-up whose id extends a project's id (`yz-p01-3`) goes into that project's folder.
pub fn path_for(lib: &Library, kind: Kind, district: Option<&str>, id: &str) -> String {
    let project_dir = (kind == Kind::Writeup)
        .then(|| {
            lib.of_kind(Kind::Project)
                .filter_map(|p| {
                    let pid = p.id()?;
                    id.strip_prefix(pid)?.strip_prefix('-')?;
                    Some((pid.len(), p))
                })
                .max_by_key(|(len, _)| *len)
                .map(|(_, p)| parent_dir(&p.path))
        })
        .flatten();
    place(lib, kind, district, id, project_dir)
}

/// The relative path for a new record described by `meta` (its kind, district, project and id).
pub fn path_for_meta(lib: &Library, meta: &Meta) -> String {
    let (kind, district, id, project) = match meta {
        Meta::Writeup(w) => (Kind::Writeup, w.district.as_deref(), w.id.as_deref(), w.project.as_deref()),
        Meta::Project(p) => (Kind::Project, p.district.as_deref(), p.id.as_deref(), None),
        Meta::Site(s) => (Kind::Site, s.district.as_deref(), s.id.as_deref(), None),
        Meta::Collection(c) => (Kind::Collection, None, c.id.as_deref(), None),
    };
    let id = id.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("record");
    let district = district.map(str::trim).filter(|d| !d.is_empty());
    let project_dir = project.and_then(|p| lib.resolve_project(p)).map(|p| parent_dir(&p.path));
    match project_dir {
        Some(dir) => place(lib, kind, district, id, Some(dir)),
        None => path_for(lib, kind, district, id),
    }
}

fn parent_dir(path: &str) -> String {
    path.rsplit_once('/').map(|(dir, _)| dir.to_string()).unwrap_or_default()
}

fn place(lib: &Library, kind: Kind, district: Option<&str>, id: &str, project_dir: Option<String>) -> String {
    let stem = file_name_safe(id);
    let folder = district.map(|d| district_folder(lib, d));
    let join = |parts: &[&str]| parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join("/");
    let candidate = match kind {
        Kind::Writeup => match project_dir {
            Some(dir) => join(&[&dir, &format!("{stem}.md")]),
            None => join(&[folder.as_deref().unwrap_or(""), &format!("{stem}.md")]),
        },
        Kind::Project => join(&[folder.as_deref().unwrap_or(""), &stem, "project.md"]),
        Kind::Site => join(&[folder.as_deref().unwrap_or(""), "sites", &format!("{stem}.md")]),
        Kind::Collection => join(&["collections", &format!("{stem}.md")]),
    };
    unused_path(lib, candidate)
}

/// Where a new record planned at `rel` goes in the library as the folder holds it now: `rel`, or the next free
/// name beside it when a file appeared there since the place was shown (another program, another clerk). The
/// file found there is never touched; the record is saved beside it.
pub fn free_place(current: &Library, rel: &str) -> String {
    unused_path(current, rel.to_string())
}

/// `a/b.md`, or `a/b-2.md`, `a/b-3.md` … when a record of the library, or a record file it could not read, is
/// already there. Decided from the loaded library alone (no file system), so the app can show it while the user
/// types; a file that appeared since the library was read is caught when the write is planned (a new record
/// expects its place empty, [`crate::store::Seen::Absent`]).
fn unused_path(lib: &Library, candidate: String) -> String {
    let taken = |rel: &str| {
        lib.records.iter().any(|r| r.path.eq_ignore_ascii_case(rel))
            || lib.load_problems.iter().any(|p| p.path.eq_ignore_ascii_case(rel))
    };
    if !taken(&candidate) {
        return candidate;
    }
    let stem = candidate.strip_suffix(".md").unwrap_or(&candidate).to_string();
    (2..).map(|n| format!("{stem}-{n}.md")).find(|p| !taken(p)).unwrap_or(candidate)
}

/// The one rule for a file or folder name made from free text (a record's id, an image's name, an export's
/// title): separators, white space and the characters Windows refuses become `_`; no leading dot (hidden), no
/// trailing dot or space (Windows drops them), at most `max` characters. `None` when nothing is left.
pub fn safe_file_name(text: &str, max: usize) -> Option<String> {
    let cleaned: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() || c.is_whitespace() || "/\\:*?\"<>|".contains(c) { '_' } else { c })
        .collect();
    let mut short: String = cleaned.trim_start_matches('.').chars().take(max).collect();
    while short.ends_with(['.', ' ']) {
        short.pop();
    }
    if windows_refuses(&short).is_some() {
        short.insert(0, '_');
    }
    (!short.is_empty()).then_some(short)
}

/// Why Windows cannot hold a file or folder named `part`, if it cannot: a device name (`CON`, `nul.txt`,
/// `COM1` …, whatever the extension), a trailing dot or space, or a character it refuses. Libraries travel
/// between offices, most of them on Windows, so no name is written that would be lost there.
pub fn windows_refuses(part: &str) -> Option<&'static str> {
    const DEVICES: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];
    let stem = part.split('.').next().unwrap_or(part).trim_end().to_ascii_uppercase();
    let numbered = ["COM", "LPT"].iter().any(|p| {
        stem.strip_prefix(p).is_some_and(|n| n.len() == 1 && n.chars().all(|c| c.is_ascii_digit() && c != '0'))
    });
    if DEVICES.contains(&stem.as_str()) || numbered {
        Some("是 Windows 设备名")
    } else if part.ends_with(['.', ' ']) {
        Some("路径段以点或空格结尾")
    } else if part.chars().any(|c| c.is_control() || "\\:*?\"<>|".contains(c)) {
        Some("含有 Windows 不允许的字符（\\ : * ? \" < > | 或控制字符）")
    } else {
        None
    }
}

/// A record's file or folder name from free text ([`safe_file_name`], at most 100 characters), `record` when
/// nothing is left.
pub fn file_name_safe(text: &str) -> String {
    safe_file_name(text, 100).unwrap_or_else(|| "record".to_string())
}

/// An id from free text: like a file name, without spaces or slashes (which `check` refuses).
fn id_safe(text: &str) -> String {
    file_name_safe(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Config;

    fn corpus() -> Library {
        Library::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).unwrap()
    }

    #[test]
    fn names_windows_cannot_hold_are_refused_or_made_safe() {
        for bad in ["CON", "nul.md", "Com1.txt", "lpt9", "报告.", "报告 ", "a:b", "a|b"] {
            assert!(windows_refuses(bad).is_some(), "{bad}");
        }
        for fine in ["console", "COM0", "COM10", "报告.md", "渝中区", "CONTENT.md"] {
            assert_eq!(windows_refuses(fine), None, "{fine}");
        }
        assert_eq!(safe_file_name("CON", 100).as_deref(), Some("_CON"));
        assert_eq!(safe_file_name("nul.txt", 100).as_deref(), Some("_nul.txt"));
        assert_eq!(safe_file_name("报告…", 100).as_deref(), Some("报告…"));
    }

    #[test]
    fn follows_the_corpus_layout() {
        let lib = corpus();
        assert_eq!(district_folder(&lib, "渝中"), "yuzhong");
        assert_eq!(district_prefix(&lib, "渝中区"), "yz");
        assert_eq!(district_prefix(&lib, "綦江区"), "qjg");
        assert_eq!(suggest_id(&lib, Kind::Writeup, Some("渝中区"), Some("yz-p01")), "yz-p01-4");
        assert_eq!(suggest_id(&lib, Kind::Project, Some("渝中区"), None), "yz-p04");
        assert_eq!(suggest_id(&lib, Kind::Site, Some("渝中区"), None), "yz-s5");
        assert_eq!(suggest_id(&lib, Kind::Writeup, Some("渝中区"), None), "yz-w01");
        assert_eq!(suggest_id(&lib, Kind::Collection, None, None), "col-01");
        assert_eq!(path_for(&lib, Kind::Writeup, Some("渝中区"), "yz-p01-4"), "yuzhong/yz-p01/yz-p01-4.md");
        assert_eq!(path_for(&lib, Kind::Project, Some("渝中区"), "yz-p04"), "yuzhong/yz-p04/project.md");
        assert_eq!(path_for(&lib, Kind::Site, Some("渝中区"), "yz-s5"), "yuzhong/sites/yz-s5.md");
        assert_eq!(path_for(&lib, Kind::Collection, None, "col-01"), "collections/col-01.md");
        assert_eq!(path_for(&lib, Kind::Writeup, Some("渝中区"), "yz-w01"), "yuzhong/yz-w01.md");
    }

    #[test]
    fn a_file_the_library_could_not_read_is_never_a_new_records_place() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("yuzhong")).unwrap();
        // Unreadable as a record (no front matter end): a load problem, not a record, and still a file to keep.
        std::fs::write(root.join("yuzhong/yz-w01.md"), "---\nid: [\n").unwrap();
        let lib = Library::load(root).unwrap();
        assert!(lib.records.is_empty() && !lib.load_problems.is_empty());
        assert_eq!(path_for(&lib, Kind::Writeup, Some("渝中区"), "yz-w01"), "yuzhong/yz-w01-2.md");

        // A file that appears after the library was read: a new record's write expects its place empty.
        let rel = path_for(&lib, Kind::Writeup, Some("渝中区"), "yz-w02");
        std::fs::write(root.join(&rel), "别人的文件").unwrap();
        let lock = crate::store::WriteLock::take(root).unwrap();
        let text = "---\nid: yz-w02\ntitle: 新材料\ndistrict: 渝中区\ntype: 经验材料\nyear: 2022\n---\n正文\n";
        let write = crate::store::Write::record(&rel, text).expecting(crate::store::Seen::Absent);
        let committed = crate::store::plan(&lib, vec![write]).unwrap().commit(&lock).unwrap();
        assert!(committed.written.is_empty() && committed.conflicts.len() == 1);
        assert_eq!(std::fs::read_to_string(root.join(&rel)).unwrap(), "别人的文件");
    }

    #[test]
    fn new_districts_use_the_table_or_their_name() {
        let lib = corpus();
        assert_eq!(district_folder(&lib, "石柱"), "shizhu");
        assert_eq!(suggest_id(&lib, Kind::Project, Some("石柱"), None), "sz-p01");
        let dir = tempfile::tempdir().unwrap();
        let config = Config::parse("districts: [测试区]\n").unwrap();
        let lib = Library::from_records(dir.path().to_path_buf(), config, Vec::new(), Vec::new());
        assert_eq!(district_folder(&lib, "测试区"), "测试区");
        assert_eq!(suggest_id(&lib, Kind::Project, Some("测试区"), None), "测试区-p01");
    }

    #[test]
    fn never_an_existing_file() {
        let lib = corpus();
        // yz-p01-1 exists: its path is taken, so a record with that id would go beside it.
        assert_eq!(path_for(&lib, Kind::Writeup, Some("渝中区"), "yz-p01-1"), "yuzhong/yz-p01/yz-p01-1-2.md");
        assert_eq!(path_for(&lib, Kind::Project, Some("渝中区"), "yz-p01"), "yuzhong/yz-p01/project-2.md");
        assert_eq!(file_name_safe("../a b:c"), "_a_b_c");
        assert_eq!(file_name_safe(".."), "record");
    }
}
