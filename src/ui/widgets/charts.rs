//! Charts of the comparison numbers (egui_plot): before/after bars with the target line, the satisfaction
//! series, and the cross-district ranking. They draw numbers computed by `compare`; they compute nothing.

use egui::Color32;
use egui_plot::{Bar, BarChart, HLine, Line, Plot, PlotPoint, PlotPoints, Points, Text};

use crate::compare::{CrossTable, IndicatorChange, format_number};
use crate::library::Evaluation;

const BEFORE: Color32 = Color32::from_rgb(150, 160, 175);
const AFTER: Color32 = Color32::from_rgb(40, 110, 190);
const TARGET: Color32 = Color32::from_rgb(200, 90, 30);
const GOOD: Color32 = Color32::from_rgb(40, 140, 70);
const BAD: Color32 = Color32::from_rgb(190, 50, 50);

/// Before and after as two bars, the target as a dashed line. Static: these are figures, not a zoomable plot.
pub fn before_after(ui: &mut egui::Ui, c: &IndicatorChange, id: usize, size: egui::Vec2) {
    let label = |period: &Option<String>, what: &str| match period {
        Some(p) if !p.is_empty() => format!("{what}（{p}）"),
        _ => what.to_string(),
    };
    let labels = [label(&c.before_period, "试点前"), label(&c.after_period, "试点后")];
    let mut bars = Vec::new();
    if let Some(v) = c.before {
        bars.push(Bar::new(0.0, v).name(&labels[0]).fill(BEFORE).width(0.55));
    }
    if let Some(v) = c.after {
        bars.push(Bar::new(1.0, v).name(&labels[1]).fill(AFTER).width(0.55));
    }
    let unit = c.unit.clone();
    let chart = BarChart::new(c.name.clone(), bars)
        .element_formatter(Box::new(move |bar, _| format!("{}：{} {}", bar.name, format_number(bar.value), unit)));
    let axis_labels = labels.to_vec();
    let target = c.target;
    let (before, after) = (c.before, c.after);
    // Room above the tallest bar (or the target) for the figures.
    let top = [before, after, target].into_iter().flatten().fold(0.0_f64, f64::max);
    still(Plot::new(("before-after", id)))
        .width(size.x)
        .height(size.y)
        .allow_double_click_reset(false)
        .show_grid([false, true])
        .include_y(0.0)
        .include_y(top * 1.18)
        .include_x(-0.6)
        .include_x(1.6)
        .x_axis_formatter(category_axis(axis_labels))
        .y_axis_formatter(|mark, _| format_number(mark.value))
        .show(ui, |plot| {
            plot.bar_chart(chart);
            // The figures themselves, above the bars: a reader copies them into a report.
            // A figure the target line would cross goes inside its bar (or above the line, for a short bar).
            let per_px = top * 1.18 * 1.1 / f64::from(size.y.max(1.0));
            for (x, v) in [(0.0, before), (1.0, after)] {
                let Some(v) = v else { continue };
                let text = format_number(v);
                let clash = target.is_some_and(|t| t >= v - 3.0 * per_px && t <= v + 20.0 * per_px);
                let (at, anchor, label) = match target {
                    Some(_) if clash && v > 24.0 * per_px => {
                        (v - 3.0 * per_px, egui::Align2::CENTER_TOP, label_text(&text).color(Color32::WHITE))
                    }
                    Some(t) if clash => (t.max(v) + 3.0 * per_px, egui::Align2::CENTER_BOTTOM, label_text(&text)),
                    _ => (v, egui::Align2::CENTER_BOTTOM, label_text(&text)),
                };
                plot.text(Text::new("数值", PlotPoint::new(x, at), label).anchor(anchor));
            }
            if let Some(t) = target {
                plot.hline(
                    HLine::new(format!("目标 {}", format_number(t)), t)
                        .color(TARGET)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
        });
}

/// A chart that stays as drawn: a figure to read, not a plot to explore (no dragging, zooming or scrolling,
/// which would also steal the page's scroll wheel).
fn still(plot: Plot<'_>) -> Plot<'_> {
    plot.allow_drag(false).allow_zoom(false).allow_scroll(false).allow_boxed_zoom(false)
}

/// The 群众评价 satisfaction series as a line with its points; the sample sizes are in the table beside it.
pub fn satisfaction(ui: &mut egui::Ui, series: &[Evaluation], size: egui::Vec2) {
    let points: Vec<[f64; 2]> =
        series.iter().enumerate().filter_map(|(i, e)| e.satisfaction.map(|s| [i as f64, s])).collect();
    let periods: Vec<String> = series.iter().map(|e| e.period.clone().unwrap_or_default()).collect();
    let low = points.iter().map(|p| p[1]).fold(100.0_f64, f64::min);
    still(Plot::new("satisfaction"))
        .width(size.x)
        .height(size.y)
        .include_y((low - 5.0).max(0.0))
        .include_y(100.0)
        .include_x(-0.3)
        .include_x(series.len() as f64 - 0.7)
        .x_axis_formatter(category_axis(periods))
        .y_axis_formatter(|mark, _| format!("{}%", format_number(mark.value)))
        .show(ui, |plot| {
            plot.line(Line::new("满意度", PlotPoints::from(points.clone())).color(AFTER).width(2.0));
            plot.points(Points::new("满意度（各期）", PlotPoints::from(points)).radius(4.0).color(AFTER));
        });
}

/// One bar per project, its improvement signed so that up is better, in the measure the table's 改善幅度 column
/// shows (percentage points for a rate), each bar labelled with its figure.
pub fn cross_ranking(ui: &mut egui::Ui, table: &CrossTable, height: f32) {
    let unit = table.unit.clone();
    let shown: Vec<(usize, f64, String)> = table
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let (v, m) = (r.improvement?, r.measure?);
            Some((i, v, m.format(v, &unit)))
        })
        .collect();
    let bars: Vec<Bar> =
        shown
            .iter()
            .map(|(i, v, text)| {
                let r = &table.rows[*i];
                Bar::new(*i as f64, *v)
                    .name(format!("{} · {}：{text}", r.district, r.project_name))
                    .fill(if *v >= 0.0 { GOOD } else { BAD })
            })
            .collect();
    let names: Vec<String> = table.rows.iter().map(|r| r.district.clone()).collect();
    let n = names.len();
    let (low, high) = shown.iter().fold((0.0_f64, 0.0_f64), |(lo, hi), (_, v, _)| (lo.min(*v), hi.max(*v)));
    // Room above (and below) the longest bar for its label.
    let pad = (high - low).max(1e-9) * 0.14;
    let chart = BarChart::new("改善幅度", bars).width(0.6).element_formatter(Box::new(|bar, _| bar.name.clone()));
    let axis = table.measure().map(|m| m.label(&table.unit)).unwrap_or_else(|| "改善幅度".into());
    still(Plot::new(("cross", table.indicator.clone())))
        .height(height)
        .include_y(0.0)
        .include_y(high + pad)
        .include_y(if low < 0.0 { low - pad } else { 0.0 })
        .include_x(-0.6)
        .include_x(n as f64 - 0.4)
        .y_axis_label(axis)
        .x_axis_formatter(category_axis(names))
        .y_axis_formatter(|mark, _| format_number(mark.value))
        .show(ui, |plot| {
            plot.bar_chart(chart);
            for (i, v, text) in &shown {
                let anchor = if *v >= 0.0 { egui::Align2::CENTER_BOTTOM } else { egui::Align2::CENTER_TOP };
                let short = text.replace(" 个百分点", "");
                plot.text(Text::new("数值", PlotPoint::new(*i as f64, *v), label_text(&short)).anchor(anchor));
            }
        });
}

/// A bar's figure, large enough to read at a glance.
fn label_text(text: &str) -> egui::RichText {
    egui::RichText::new(text).size(13.0).strong()
}

/// An x axis of categories at 0, 1, 2 …: each whole mark is named, the marks between are blank.
fn category_axis(names: Vec<String>) -> impl Fn(egui_plot::GridMark, &std::ops::RangeInclusive<f64>) -> String {
    move |mark, _| {
        let i = mark.value.round();
        if (mark.value - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
            names[i as usize].clone()
        } else {
            String::new()
        }
    }
}
