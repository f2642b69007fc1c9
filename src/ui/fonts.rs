//! Chinese fonts. The bundled font is a subset of Noto Sans CJK SC (SIL OFL, see `assets/fonts/OFL.txt`) covering
//! all of GBK (the 21,003 汉字 a Word or WPS file in code page 936 can hold) and every character of the sample library. On Windows the system's own Chinese font comes first
//! (Microsoft YaHei, else DengXian, else SimSun, read once at start-up from `%WINDIR%\Fonts`): it is the font users
//! know and it covers all of GBK and more; the bundled font follows as the fallback, so the app never shows boxes
//! when a system font is missing or damaged. Both are added after egui's own fonts, so Latin text keeps egui's
//! font; characters outside both still come from the system through eframe's font fallback.
//!
//! A face with embedded bitmaps or colour glyphs (`EBDT`, `CBDT`, `sbix`, `COLR`) is skipped: egui 0.37 (with the
//! `color_fonts` feature that eframe's system font fallback turns on) draws such glyphs as images without the text
//! colour — white on the light theme, seen under Wine with a Ming face that has bitmaps. SimSun carries bitmaps
//! for small sizes, so in practice Microsoft YaHei or DengXian (outlines only) is the one used.

use std::path::Path;

use egui::FontFamily;
use egui::epaint::text::{FontData, FontInsert, FontPriority, InsertFontFamily};
use skrifa::MetadataProvider;

/// The font file, compiled into the binary so the app works offline on a machine without Chinese fonts.
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Casebook.otf");

/// Chinese fonts that Windows installs, most preferred first: file in `%WINDIR%\Fonts`, face index, name.
/// Sans-serif first, like the bundled font: 微软雅黑 (Vista and later; a .ttf on Windows 7), 等线 (Windows 10),
/// then 宋体, which every Chinese Windows has.
pub const WINDOWS_FONTS: &[(&str, u32, &str)] = &[
    ("msyh.ttc", 0, "Microsoft YaHei"),
    ("msyh.ttf", 0, "Microsoft YaHei"),
    ("Deng.ttf", 0, "DengXian"),
    ("simsun.ttc", 0, "SimSun"),
];

/// A font file larger than this is not read (system CJK fonts are 10–30 MB).
const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

/// A system font found and checked: its name and data.
pub struct SystemFont {
    pub name: &'static str,
    pub data: FontData,
}

/// The first of [`WINDOWS_FONTS`] in `fonts_dir` that parses as egui will parse it and has Chinese glyphs; `None`
/// when there is none (the folder or files missing, unreadable, too large or damaged). Never panics: egui panics
/// on a font it cannot parse, so every candidate is parsed here first.
pub fn system_chinese_font(fonts_dir: &Path) -> Option<SystemFont> {
    WINDOWS_FONTS.iter().find_map(|&(file, index, name)| {
        let path = fonts_dir.join(file);
        let size = std::fs::metadata(&path).ok().filter(|m| m.is_file())?.len();
        if size > MAX_FONT_BYTES {
            return None;
        }
        let bytes = std::fs::read(&path).ok()?;
        has_chinese(&bytes, index)
            .then(|| SystemFont { name, data: FontData::from_blob(std::sync::Arc::new(bytes), index) })
    })
}

/// Whether face `index` of `bytes` parses (as epaint parses it, with skrifa), maps common Chinese characters and
/// draws them as outlines egui tints (no bitmap or colour glyph tables, see the module documentation).
fn has_chinese(bytes: &[u8], index: u32) -> bool {
    use skrifa::raw::TableProvider;
    let Ok(font) = skrifa::FontRef::from_index(bytes, index) else { return false };
    let untinted = font.ebdt().is_ok() || font.cbdt().is_ok() || font.sbix().is_ok() || font.colr().is_ok();
    let charmap = font.charmap();
    !untinted && "经验库中国的一".chars().all(|c| charmap.map(c).is_some())
}

/// The Windows fonts folder: `%WINDIR%\Fonts` (`%SystemRoot%` when WINDIR is unset).
#[cfg(windows)]
fn windows_fonts_dir() -> Option<std::path::PathBuf> {
    let windir = std::env::var_os("WINDIR").or_else(|| std::env::var_os("SystemRoot"))?;
    Some(std::path::PathBuf::from(windir).join("Fonts"))
}

/// Adds the fonts to the proportional and monospace families: on Windows the system's Chinese font, then the
/// bundled one. The one file read happens here, once, when the app starts.
pub fn install(ctx: &egui::Context) {
    #[cfg(windows)]
    let system = windows_fonts_dir().and_then(|dir| system_chinese_font(&dir));
    #[cfg(not(windows))]
    let system = None;
    install_with(ctx, system);
}

/// Adds `system` (if any) and then the bundled font to the end of both families' fallback chains.
pub fn install_with(ctx: &egui::Context, system: Option<SystemFont>) {
    if let Some(font) = system {
        add(ctx, &format!("system:{}", font.name), font.data);
    }
    add(ctx, "noto-sans-sc-casebook", FontData::from_static(CJK_FONT));
}

fn add(ctx: &egui::Context, name: &str, data: FontData) {
    let families = [FontFamily::Proportional, FontFamily::Monospace]
        .into_iter()
        .map(|family| InsertFontFamily { family, priority: FontPriority::Lowest })
        .collect();
    ctx.add_font(FontInsert::new(name, data, families));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_system_font_leaves_the_bundled_one() {
        let dir = tempfile::tempdir().unwrap();
        assert!(system_chinese_font(dir.path()).is_none());
        assert!(system_chinese_font(&dir.path().join("不存在")).is_none());
    }

    #[test]
    fn a_damaged_font_is_skipped_for_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("msyh.ttc"), b"not a font at all").unwrap();
        std::fs::create_dir(dir.path().join("msyh.ttf")).unwrap(); // a folder where a file should be
        std::fs::write(dir.path().join("simsun.ttc"), CJK_FONT).unwrap();
        let found = system_chinese_font(dir.path()).expect("SimSun stands in");
        assert_eq!(found.name, "SimSun");
        assert_eq!(found.data.index, 0);
    }

    #[test]
    fn a_font_without_chinese_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let latin = epaint_default_latin();
        std::fs::write(dir.path().join("msyh.ttc"), latin).unwrap();
        assert!(system_chinese_font(dir.path()).is_none());
    }

    #[test]
    fn a_font_with_embedded_bitmaps_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("simsun.ttc"), with_table(CJK_FONT, *b"EBDT")).unwrap();
        assert!(skrifa::FontRef::new(&with_table(CJK_FONT, *b"EBDT")).is_ok(), "the test font parses");
        assert!(system_chinese_font(dir.path()).is_none(), "drawn white by egui: not used");
        std::fs::write(dir.path().join("Deng.ttf"), CJK_FONT).unwrap();
        assert_eq!(system_chinese_font(dir.path()).unwrap().name, "DengXian");
    }

    /// An OpenType font (not a collection) with one more table record, `tag`, pointing at the font's first table.
    fn with_table(font: &[u8], tag: [u8; 4]) -> Vec<u8> {
        let be16 = |at: usize| u16::from_be_bytes([font[at], font[at + 1]]) as usize;
        let n = be16(4);
        let mut records: Vec<[u8; 16]> = (0..n).map(|i| font[12 + 16 * i..28 + 16 * i].try_into().unwrap()).collect();
        let mut extra = records[0];
        extra[..4].copy_from_slice(&tag);
        records.push(extra);
        records.sort_by(|a, b| a[..4].cmp(&b[..4]));
        let mut out = font[..12].to_vec();
        out[4..6].copy_from_slice(&((n + 1) as u16).to_be_bytes());
        for mut r in records {
            let offset = u32::from_be_bytes(r[8..12].try_into().unwrap()) + 16;
            r[8..12].copy_from_slice(&offset.to_be_bytes());
            out.extend_from_slice(&r);
        }
        out.extend_from_slice(&font[12 + 16 * n..]);
        out
    }

    #[test]
    fn the_preferred_font_wins() {
        let dir = tempfile::tempdir().unwrap();
        for file in ["msyh.ttc", "Deng.ttf", "simsun.ttc"] {
            std::fs::write(dir.path().join(file), CJK_FONT).unwrap();
        }
        assert_eq!(system_chinese_font(dir.path()).unwrap().name, "Microsoft YaHei");
        std::fs::remove_file(dir.path().join("msyh.ttc")).unwrap();
        assert_eq!(system_chinese_font(dir.path()).unwrap().name, "DengXian");
    }

    #[test]
    fn chinese_comes_from_the_system_font_first_and_the_bundled_one_else() {
        for with_system in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            if with_system {
                std::fs::write(dir.path().join("Deng.ttf"), CJK_FONT).unwrap();
            }
            let ctx = egui::Context::default();
            install_with(&ctx, system_chinese_font(dir.path()));
            let mut output = ctx.run_ui(Default::default(), |ui| {
                ui.label("经验库：枫桥经验 Casebook");
            });
            output.textures_delta.clear();
            let faces = ctx.fonts_mut(|f| f.characters(&FontFamily::Proportional).get(&'经').cloned()).unwrap();
            let expected: &[&str] =
                if with_system { &["system:DengXian", "noto-sans-sc-casebook"] } else { &["noto-sans-sc-casebook"] };
            assert_eq!(faces, expected);
            let latin = ctx.fonts_mut(|f| f.characters(&FontFamily::Proportional).get(&'C').cloned()).unwrap();
            assert_ne!(latin[0], "noto-sans-sc-casebook", "Latin keeps egui's font: {latin:?}");
        }
    }

    /// A font with Latin glyphs only: one of egui's own.
    fn epaint_default_latin() -> Vec<u8> {
        egui::epaint::text::FontDefinitions::default()
            .font_data
            .values()
            .map(|d| d.font.as_ref().as_ref().to_vec())
            .find(|bytes| {
                skrifa::FontRef::new(bytes)
                    .is_ok_and(|f| f.charmap().map('A').is_some() && f.charmap().map('中').is_none())
            })
            .expect("egui has a Latin font")
    }
}
