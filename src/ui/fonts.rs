//! The bundled Chinese font: a subset of Noto Sans CJK SC (SIL OFL, see `assets/fonts/OFL.txt`) covering GB2312
//! and every character of the sample library. It is added as a fallback to every family, so Latin text keeps
//! egui's font; characters outside the subset still come from the system through eframe's font fallback.

use egui::FontFamily;
use egui::epaint::text::{FontData, FontInsert, FontPriority, InsertFontFamily};

/// The font file, compiled into the binary so the app works offline on a machine without Chinese fonts.
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Casebook.otf");

/// Adds the bundled CJK font as the fallback of the proportional and monospace families.
pub fn install(ctx: &egui::Context) {
    let families = [FontFamily::Proportional, FontFamily::Monospace]
        .into_iter()
        .map(|family| InsertFontFamily { family, priority: FontPriority::Lowest })
        .collect();
    ctx.add_font(FontInsert::new("noto-sans-sc-casebook", FontData::from_static(CJK_FONT), families));
}
