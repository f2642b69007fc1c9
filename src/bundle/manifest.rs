//! `manifest.json`: what a bundle claims to hold. Every entry of the zip must be listed here with its checksum.

use serde::{Deserialize, Serialize};

use super::error::BundleError;
use super::paths::check_entry_name;
use crate::library::{Kind, is_record_path};

/// The name of the manifest inside the zip.
pub const MANIFEST_NAME: &str = "manifest.json";
/// The `format` value that marks a Casebook bundle.
pub const FORMAT: &str = "casebook-bundle";
/// The manifest layout this build writes and reads; a newer one is refused with a request to upgrade.
pub const FORMAT_VERSION: u32 = 1;

/// What an entry is: one of the record kinds, or a file a record links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Writeup,
    Project,
    Site,
    Collection,
    /// A file linked from a record (picture, scan), copied byte for byte.
    Asset,
}

impl EntryKind {
    /// The entry kind of a record kind.
    pub fn of(kind: Kind) -> EntryKind {
        match kind {
            Kind::Writeup => EntryKind::Writeup,
            Kind::Project => EntryKind::Project,
            Kind::Site => EntryKind::Site,
            Kind::Collection => EntryKind::Collection,
        }
    }

    /// The Chinese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Writeup => Kind::Writeup.label(),
            EntryKind::Project => Kind::Project.label(),
            EntryKind::Site => Kind::Site.label(),
            EntryKind::Collection => Kind::Collection.label(),
            EntryKind::Asset => "附件",
        }
    }

    /// Whether the entry is a Markdown record (and so parsed and checked on import).
    pub fn is_record(self) -> bool {
        self != EntryKind::Asset
    }
}

/// The bundle as its sender described it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] when written by this build.
    pub version: u32,
    /// When the bundle was made, Beijing time (“2026-11-26 11:09:16”).
    pub created: String,
    /// The same instant in milliseconds since 1970 (UTC), for sorting.
    #[serde(default)]
    pub created_ms: u64,
    /// The folder name of the sending library.
    #[serde(default)]
    pub library: String,
    /// The district exported (gazetteer name).
    pub district: String,
    /// Every file of the bundle except the manifest, in path order.
    pub entries: Vec<ManifestEntry>,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Path inside the zip and in the sending library, `/`-separated.
    pub path: String,
    /// The record's id; `None` for assets.
    #[serde(default)]
    pub id: Option<String>,
    pub kind: EntryKind,
    /// The record's title (a project's or site's name); an asset's file name.
    #[serde(default)]
    pub title: String,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// For an asset: the id of the record that links to it (the asset follows that record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl Manifest {
    /// Parses and validates a manifest: known format and version, safe and unique paths, well-formed checksums,
    /// record paths that are records, assets that are not and whose owner is in the bundle.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, BundleError> {
        let text = std::str::from_utf8(bytes).map_err(|_| BundleError::BadManifest("不是 UTF-8 文本".into()))?;
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| BundleError::BadManifest(format!("不是有效的 JSON：{e}")))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(BundleError::BadManifest(format!("format 应为 “{FORMAT}”，不是经验库的交换包")));
        }
        if let Some(v) = value.get("version").and_then(|v| v.as_u64())
            && v > u64::from(FORMAT_VERSION)
        {
            return Err(BundleError::BadManifest(format!(
                "格式版本 {v} 比本程序支持的 {FORMAT_VERSION} 新，请升级经验库后再导入"
            )));
        }
        let manifest: Manifest =
            serde_json::from_value(value).map_err(|e| BundleError::BadManifest(format!("字段缺失或类型错误：{e}")))?;
        manifest.validate()?;
        Ok(manifest)
    }

    fn validate(&self) -> Result<(), BundleError> {
        let bad = |m: String| Err(BundleError::BadManifest(m));
        let mut seen = std::collections::HashSet::new();
        let mut record_ids = std::collections::HashSet::new();
        for e in &self.entries {
            if let Err(reason) = check_entry_name(&e.path) {
                return Err(BundleError::UnsafePath { name: e.path.clone(), reason });
            }
            if e.path == MANIFEST_NAME {
                return bad(format!("条目 “{}” 与清单同名", e.path));
            }
            if !seen.insert(e.path.to_lowercase()) {
                return bad(format!("条目 “{}” 列出了不止一次（或仅大小写不同）", e.path));
            }
            if e.sha256.len() != 64 || !e.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                return bad(format!("条目 “{}” 的 sha256 不是 64 位小写十六进制数", e.path));
            }
            if e.kind.is_record() {
                if !is_record_path(&e.path) {
                    return bad(format!("条目 “{}” 标为记录，但不是 .md 记录文件路径", e.path));
                }
                if let Some(id) = e.id.as_deref() {
                    record_ids.insert(id.trim());
                }
            } else if e.path.to_ascii_lowercase().ends_with(".md") || is_config_path(&e.path) {
                return bad(format!("附件 “{}” 不能是 .md 文件或 casebook.yaml", e.path));
            }
        }
        for e in self.entries.iter().filter(|e| e.kind == EntryKind::Asset) {
            match e.owner.as_deref() {
                Some(owner) if record_ids.contains(owner.trim()) => {}
                _ => return bad(format!("附件 “{}” 没有注明包内引用它的记录（owner）", e.path)),
            }
        }
        Ok(())
    }

    /// Number of record entries.
    pub fn record_count(&self) -> usize {
        self.entries.iter().filter(|e| e.kind.is_record()).count()
    }

    /// Number of asset entries.
    pub fn asset_count(&self) -> usize {
        self.entries.len() - self.record_count()
    }
}

/// The library's configuration file, which a bundle must never replace.
fn is_config_path(path: &str) -> bool {
    path.eq_ignore_ascii_case("casebook.yaml") || path.eq_ignore_ascii_case("casebook.yml")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(entries: &str) -> Vec<u8> {
        format!(r#"{{"format":"casebook-bundle","version":1,"created":"x","district":"渝中区","entries":[{entries}]}}"#)
            .into_bytes()
    }

    const SHA: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn reads_a_valid_manifest() {
        let m = Manifest::parse(&manifest(&format!(
            r#"{{"path":"yz/a.md","id":"a","kind":"writeup","title":"标题","sha256":"{SHA}","size":3}},
               {{"path":"yz/a.assets/p.png","kind":"asset","sha256":"{SHA}","size":3,"owner":"a"}}"#
        )))
        .unwrap();
        assert_eq!((m.record_count(), m.asset_count()), (1, 1));
    }

    #[test]
    fn refuses_bad_manifests() {
        let cases = [
            (r#"{"format":"other","version":1}"#.as_bytes().to_vec(), "format"),
            (r#"{"format":"casebook-bundle","version":9}"#.as_bytes().to_vec(), "升级"),
            (b"not json".to_vec(), "JSON"),
            (manifest(&format!(r#"{{"path":"../a.md","kind":"writeup","sha256":"{SHA}","size":1}}"#)), "不安全"),
            (manifest(&format!(r#"{{"path":"a.txt","kind":"writeup","sha256":"{SHA}","size":1}}"#)), "记录文件"),
            (manifest(r#"{"path":"a.md","kind":"writeup","sha256":"abc","size":1}"#), "sha256"),
            (manifest(&format!(r#"{{"path":"casebook.yaml","kind":"asset","sha256":"{SHA}","size":1}}"#)), "yaml"),
            (manifest(&format!(r#"{{"path":"p.png","kind":"asset","sha256":"{SHA}","size":1}}"#)), "owner"),
            (
                manifest(&format!(
                    r#"{{"path":"A.md","kind":"writeup","sha256":"{SHA}","size":1}},
                       {{"path":"a.md","kind":"writeup","sha256":"{SHA}","size":1}}"#
                )),
                "不止一次",
            ),
        ];
        for (bytes, expected) in cases {
            let e = Manifest::parse(&bytes).unwrap_err().to_string();
            assert!(e.contains(expected), "{expected}: {e}");
        }
    }
}
