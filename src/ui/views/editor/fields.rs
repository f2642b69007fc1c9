//! Form fields that keep what the user is typing even when it does not parse yet (“9.” on the way to “9.5”,
//! “党委领导、” before the next theme): each field edits a text buffer kept in [`Buffers`], and the model is
//! updated from it whenever it parses.

use std::collections::HashMap;

use egui::RichText;

/// The text being typed into each field, by a stable key (“ind.2.before”).
#[derive(Default)]
pub struct Buffers {
    text: HashMap<String, String>,
    /// Fields whose text does not parse, with the reason, shown beside them and blocking the save.
    pub invalid: HashMap<String, String>,
}

impl Buffers {
    fn buffer(&mut self, key: &str, init: impl FnOnce() -> String) -> &mut String {
        self.text.entry(key.to_string()).or_insert_with(init)
    }

    /// Forgets the buffers of removed rows, so a row added later starts from its own value.
    pub fn forget_prefix(&mut self, prefix: &str) {
        self.text.retain(|k, _| !k.starts_with(prefix));
        self.invalid.retain(|k, _| !k.starts_with(prefix));
    }
}

/// A labelled one-line text field bound to an optional string (empty means absent).
pub fn text(ui: &mut egui::Ui, label: &str, value: &mut Option<String>, hint: &str) -> bool {
    let l = ui.label(label);
    let mut s = value.clone().unwrap_or_default();
    let r = ui.add(egui::TextEdit::singleline(&mut s).hint_text(hint).desired_width(f32::INFINITY)).labelled_by(l.id);
    ui.end_row();
    if r.changed() {
        *value = Some(s).filter(|s| !s.trim().is_empty());
        true
    } else {
        false
    }
}

/// A multi-line text field bound to an optional string.
pub fn multiline(ui: &mut egui::Ui, label: &str, value: &mut Option<String>, rows: usize) -> bool {
    let l = ui.label(label);
    let mut s = value.clone().unwrap_or_default();
    let r = ui.add(egui::TextEdit::multiline(&mut s).desired_rows(rows).desired_width(f32::INFINITY)).labelled_by(l.id);
    ui.end_row();
    if r.changed() {
        *value = Some(s).filter(|s| !s.trim().is_empty());
        true
    } else {
        false
    }
}

/// A list of names typed as one line, separated by 、 or commas (“万州区委政法委、区民政局”).
pub fn list(ui: &mut egui::Ui, buffers: &mut Buffers, key: &str, label: &str, value: &mut Vec<String>) -> bool {
    let l = ui.label(label);
    let buf = buffers.buffer(key, || value.join("、"));
    let r = ui
        .add(egui::TextEdit::singleline(buf).hint_text("多个用顿号（、）分隔").desired_width(f32::INFINITY))
        .labelled_by(l.id);
    ui.end_row();
    if r.changed() {
        *value = split_list(buf);
        true
    } else {
        false
    }
}

/// Splits “a、b，c, d” into names.
pub fn split_list(s: &str) -> Vec<String> {
    s.split(['、', '，', ',', ';', '；']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// A number field; text that is not a number is kept, marked, and blocks saving until corrected.
pub fn number<T>(ui: &mut egui::Ui, buffers: &mut Buffers, key: &str, value: &mut Option<T>, width: f32) -> bool
where
    T: std::str::FromStr + std::fmt::Display + Copy,
{
    let buf = buffers.buffer(key, || value.map(|v| v.to_string()).unwrap_or_default()).clone();
    let mut s = buf;
    let invalid = buffers.invalid.contains_key(key);
    let mut edit = egui::TextEdit::singleline(&mut s).desired_width(width);
    if invalid {
        edit = edit.text_color(ui.visuals().error_fg_color);
    }
    let r = ui.add(edit);
    let r = if let Some(reason) = buffers.invalid.get(key) { r.on_hover_text(reason.clone()) } else { r };
    if !r.changed() {
        return false;
    }
    let trimmed = s.trim().replace(['，', ','], "");
    if trimmed.is_empty() {
        *value = None;
        buffers.invalid.remove(key);
    } else {
        match trimmed.parse::<T>() {
            Ok(v) => {
                *value = Some(v);
                buffers.invalid.remove(key);
            }
            Err(_) => {
                buffers.invalid.insert(key.to_string(), format!("“{}” 不是数字", s.trim()));
            }
        }
    }
    buffers.text.insert(key.to_string(), s);
    true
}

/// A labelled number field on its own grid row.
pub fn number_row<T>(ui: &mut egui::Ui, buffers: &mut Buffers, key: &str, label: &str, value: &mut Option<T>) -> bool
where
    T: std::str::FromStr + std::fmt::Display + Copy,
{
    ui.label(label);
    let changed = number(ui, buffers, key, value, 120.0);
    ui.end_row();
    changed
}

/// A choice among fixed options, with an empty choice; keeps a value not in the list (shown as written).
pub fn choice(ui: &mut egui::Ui, id: &str, label: &str, value: &mut Option<String>, options: &[String]) -> bool {
    ui.label(label);
    let mut changed = false;
    let shown = value.clone().unwrap_or_else(|| "（未选择）".into());
    let combo = egui::ComboBox::from_id_salt(id).selected_text(shown).width(220.0).show_ui(ui, |ui| {
        if ui.selectable_label(value.is_none(), "（未选择）").clicked() {
            *value = None;
            changed = true;
        }
        for o in options {
            if ui.selectable_label(value.as_deref() == Some(o.as_str()), o).clicked() {
                *value = Some(o.clone());
                changed = true;
            }
        }
    });
    // Screen readers (and tests) hear “选择区县”, not just the current value.
    let name = format!("选择{label}");
    combo.response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, &name));
    ui.end_row();
    changed
}

/// A small section heading inside a form.
pub fn section(ui: &mut egui::Ui, text: &str) {
    ui.add_space(8.0);
    ui.label(RichText::new(text).strong().size(15.0));
}
