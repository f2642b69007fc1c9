//! Small reusable widgets: Markdown with highlights, comparison charts, chips, badges.

pub mod charts;
pub mod markdown;

use egui::{Color32, RichText};

/// A removable filter chip; returns true when its × was clicked.
pub fn chip(ui: &mut egui::Ui, text: &str) -> bool {
    ui.add(egui::Button::new(RichText::new(format!("{text}  ×")).small()).corner_radius(10.0))
        .on_hover_text("移除此筛选条件")
        .clicked()
}

/// A coloured status badge (达标 in green, a shortfall in red).
pub fn badge(ui: &mut egui::Ui, text: &str, ok: bool) -> egui::Response {
    let (bg, fg) = if ok {
        (Color32::from_rgb(220, 245, 225), Color32::from_rgb(20, 110, 40))
    } else {
        (Color32::from_rgb(255, 228, 225), Color32::from_rgb(170, 30, 30))
    };
    ui.label(RichText::new(text).background_color(bg).color(fg).strong())
}
