//! Small, self-contained SVG charts for the HTML export: a route diagram, before/after bars, an evaluation
//! series and a cross-district dumbbell chart. Plain shapes and text only — no scripts, no links, no ids (several
//! charts share one page), every label escaped. Numbers are drawn as given; nothing is recomputed here.

use std::fmt::Write;

use crate::compare::format_number;

use super::model::{BarRow, Chart, DumbbellRow, RouteStop, SeriesPoint, escape_xml};

const WIDTH: f64 = 680.0;
const FONT: &str =
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','微软雅黑','SimHei','黑体',sans-serif";
const ACCENT: &str = "#9b1c1c";
const BEFORE: &str = "#a9adb3";
const BETTER: &str = "#2f7d4f";
const WORSE: &str = "#b03a2e";
const NEUTRAL: &str = "#4a6fa5";
const MUTED: &str = "#666666";

/// Renders a chart as an `<svg>` element; `label` is its accessible name.
pub fn render(chart: &Chart, label: &str) -> String {
    let (height, body) = match chart {
        Chart::Route { stops, total_minutes } => route(stops, *total_minutes),
        Chart::BeforeAfter { rows } => before_after(rows),
        Chart::Series { unit, points } => series(unit, points),
        Chart::Dumbbell { unit, rows } => dumbbell(unit, rows),
    };
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" \
         role=\"img\" aria-label=\"{}\" font-family=\"{FONT}\" font-size=\"12\">{body}</svg>",
        escape_xml(label)
    )
}

/// Approximate width of text: CJK characters are square, Latin ones about half as wide.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 0.56 } else { 1.0 }).sum::<f64>() * size
}

/// Wraps text into at most `lines` lines of `width`; the last line ends with … when cut.
fn wrap(text: &str, width: f64, size: f64, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for c in text.chars() {
        let candidate = format!("{line}{c}");
        if text_width(&candidate, size) > width && !line.is_empty() {
            out.push(std::mem::take(&mut line));
            if out.len() == lines {
                break;
            }
        }
        line.push(c);
    }
    if out.len() < lines && !line.is_empty() {
        out.push(line);
    } else if out.len() == lines {
        let consumed: usize = out.iter().map(|l| l.chars().count()).sum();
        if consumed < text.chars().count()
            && let Some(last) = out.last_mut()
        {
            while !last.is_empty() && text_width(&format!("{last}…"), size) > width {
                last.pop();
            }
            last.push('…');
        }
    }
    out
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, attrs: &str, content: &str) {
    let _ =
        write!(out, "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" {attrs}>{}</text>", escape_xml(content));
}

fn colour(improved: Option<bool>) -> &'static str {
    match improved {
        Some(true) => BETTER,
        Some(false) => WORSE,
        None => NEUTRAL,
    }
}

/// Numbered stops in visiting order, four to a row, snaking back on the next row.
fn route(stops: &[RouteStop], total: u32) -> (f64, String) {
    let mut out = String::new();
    let cols = stops.len().clamp(1, 4);
    let spacing = WIDTH / cols as f64;
    let row_h = 136.0;
    let pos = |i: usize| {
        let (row, col) = (i / cols, i % cols);
        let col = if row % 2 == 1 { cols - 1 - col } else { col };
        (spacing * (col as f64 + 0.5), 34.0 + row as f64 * row_h)
    };
    for i in 1..stops.len() {
        let ((x1, y1), (x2, y2)) = (pos(i - 1), pos(i));
        let _ = write!(
            out,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{ACCENT}\" stroke-width=\"2\" stroke-opacity=\"0.55\"/>"
        );
        // An arrowhead at the middle of the segment, pointing the way the visit goes.
        let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        let (px, py) = (-uy, ux);
        let tip = (mx + ux * 6.0, my + uy * 6.0);
        let a = (mx - ux * 6.0 + px * 5.0, my - uy * 6.0 + py * 5.0);
        let b = (mx - ux * 6.0 - px * 5.0, my - uy * 6.0 - py * 5.0);
        let _ = write!(
            out,
            "<polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{ACCENT}\"/>",
            tip.0, tip.1, a.0, a.1, b.0, b.1
        );
    }
    for (i, stop) in stops.iter().enumerate() {
        let (x, y) = pos(i);
        let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"16\" fill=\"{ACCENT}\"/>");
        text(
            &mut out,
            x,
            y + 5.0,
            "middle",
            "fill=\"#ffffff\" font-size=\"14\" font-weight=\"bold\"",
            &(i + 1).to_string(),
        );
        let lines = wrap(&stop.name, (spacing - 30.0).min(150.0), 13.0, 3);
        for (k, line) in lines.iter().enumerate() {
            text(&mut out, x, y + 38.0 + k as f64 * 17.0, "middle", "font-size=\"13\" fill=\"#1a1a1a\"", line);
        }
        let minutes = stop.minutes.map(|m| format!("{m} 分钟")).unwrap_or_else(|| "时长未定".into());
        text(&mut out, x, y + 40.0 + lines.len() as f64 * 17.0, "middle", &format!("fill=\"{MUTED}\""), &minutes);
    }
    let rows = stops.len().div_ceil(cols).max(1);
    let height = 34.0 + (rows - 1) as f64 * row_h + 126.0;
    let _ =
        write!(out, "<line x1=\"0\" y1=\"{0:.1}\" x2=\"{WIDTH}\" y2=\"{0:.1}\" stroke=\"#e2e2e2\"/>", height - 26.0);
    text(
        &mut out,
        WIDTH - 8.0,
        height - 7.0,
        "end",
        "font-size=\"13\" font-weight=\"bold\"",
        &format!("合计 {total} 分钟"),
    );
    (height, out)
}

fn legend(out: &mut String, x: f64, before: &str, after: &str) {
    let _ = write!(out, "<rect x=\"{x:.1}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{BEFORE}\"/>");
    text(out, x + 16.0, 16.0, "start", "", before);
    let x2 = x + 24.0 + text_width(before, 12.0);
    let _ = write!(out, "<rect x=\"{x2:.1}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{NEUTRAL}\"/>");
    text(out, x2 + 16.0, 16.0, "start", "", after);
}

/// Two bars per indicator, each indicator on its own scale (their units differ).
fn before_after(rows: &[BarRow]) -> (f64, String) {
    let mut out = String::new();
    legend(&mut out, 200.0, "试点前", "试点后（绿色为改善，红色为变差）");
    let (x0, span, row_h, top) = (200.0, 380.0, 56.0, 30.0);
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let label = if r.unit.is_empty() { r.label.clone() } else { format!("{}（{}）", r.label, r.unit) };
        for (k, line) in wrap(&label, 186.0, 12.0, 3).iter().enumerate() {
            text(&mut out, 4.0, y + 14.0 + k as f64 * 15.0, "start", "", line);
        }
        let max = [r.before, r.after].into_iter().flatten().fold(0.0_f64, f64::max);
        let width = |v: Option<f64>| match v {
            Some(v) if max > 0.0 && v > 0.0 => v / max * span,
            _ => 0.0,
        };
        for (k, (v, fill)) in [(r.before, BEFORE), (r.after, colour(r.improved))].into_iter().enumerate() {
            let by = y + 4.0 + k as f64 * 21.0;
            let w = width(v);
            let _ = write!(out, "<rect x=\"{x0:.1}\" y=\"{by:.1}\" width=\"{w:.1}\" height=\"16\" fill=\"{fill}\"/>");
            let label = v.map(format_number).unwrap_or_else(|| "—".into());
            text(&mut out, x0 + w + 6.0, by + 13.0, "start", "", &label);
        }
        let _ = write!(
            out,
            "<line x1=\"0\" y1=\"{0:.1}\" x2=\"{WIDTH}\" y2=\"{0:.1}\" stroke=\"#e2e2e2\"/>",
            y + row_h - 6.0
        );
    }
    let height = top + rows.len() as f64 * row_h + 16.0;
    text(
        &mut out,
        4.0,
        height - 4.0,
        "start",
        &format!("fill=\"{MUTED}\" font-size=\"11\""),
        "注：各指标按自身数值范围绘制，不同指标的条形长度不可相互比较。",
    );
    (height, out)
}

/// Satisfaction per period as columns, with the sample size under each.
fn series(unit: &str, points: &[SeriesPoint]) -> (f64, String) {
    let mut out = String::new();
    let (x0, x1, top, bottom) = (48.0, WIDTH - 20.0, 22.0, 190.0);
    let max_value = points.iter().filter_map(|p| p.value).fold(0.0_f64, f64::max);
    let scale_max = if unit == "%" && max_value <= 100.0 { 100.0 } else { (max_value * 1.1).max(1.0) };
    let y = |v: f64| bottom - (v.max(0.0) / scale_max) * (bottom - top);
    for k in 0..=4 {
        let v = scale_max * k as f64 / 4.0;
        let yy = y(v);
        let _ = write!(out, "<line x1=\"{x0}\" y1=\"{yy:.1}\" x2=\"{x1}\" y2=\"{yy:.1}\" stroke=\"#e2e2e2\"/>");
        text(&mut out, x0 - 6.0, yy + 4.0, "end", &format!("fill=\"{MUTED}\" font-size=\"11\""), &format_number(v));
    }
    let band = (x1 - x0) / points.len().max(1) as f64;
    let bar = (band * 0.5).min(64.0);
    for (i, p) in points.iter().enumerate() {
        let cx = x0 + band * (i as f64 + 0.5);
        if let Some(v) = p.value {
            let top_y = y(v);
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"{top_y:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"{NEUTRAL}\"/>",
                cx - bar / 2.0,
                bottom - top_y
            );
            text(&mut out, cx, top_y - 5.0, "middle", "font-weight=\"bold\"", &format!("{}{unit}", format_number(v)));
        } else {
            text(&mut out, cx, bottom - 6.0, "middle", "", "—");
        }
        let period = wrap(&p.period, band - 6.0, 12.0, 1).into_iter().next().unwrap_or_default();
        text(&mut out, cx, bottom + 18.0, "middle", "", &period);
        let sample = p.sample.map(|s| format!("样本 {s} 人")).unwrap_or_else(|| "样本未填".into());
        text(&mut out, cx, bottom + 34.0, "middle", &format!("fill=\"{MUTED}\" font-size=\"11\""), &sample);
    }
    let _ = write!(out, "<line x1=\"{x0}\" y1=\"{bottom}\" x2=\"{x1}\" y2=\"{bottom}\" stroke=\"#888888\"/>");
    (bottom + 44.0, out)
}

/// Before → after of every project on one shared scale; the packet's own project highlighted.
fn dumbbell(unit: &str, rows: &[DumbbellRow]) -> (f64, String) {
    let mut out = String::new();
    let (x0, x1, top, row_h) = (236.0, 560.0, 30.0, 26.0);
    let _ = write!(out, "<circle cx=\"242\" cy=\"12\" r=\"5\" fill=\"{BEFORE}\"/>");
    text(&mut out, 251.0, 16.0, "start", "", "试点前");
    let _ = write!(out, "<circle cx=\"310\" cy=\"12\" r=\"6\" fill=\"{BETTER}\"/>");
    text(&mut out, 319.0, 16.0, "start", "", "试点后（绿色改善，红色变差）");
    let values: Vec<f64> = rows.iter().flat_map(|r| [r.before, r.after]).flatten().collect();
    let (mut lo, mut hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo < 1e-9 {
        (lo, hi) = (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.05;
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |v: f64| x0 + (v - lo) / (hi - lo) * (x1 - x0);
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h + row_h / 2.0;
        if r.highlight {
            let _ = write!(
                out,
                "<rect x=\"0\" y=\"{:.1}\" width=\"{WIDTH}\" height=\"{row_h}\" fill=\"#fff1cc\"/>",
                y - row_h / 2.0
            );
        }
        let weight = if r.highlight { "font-weight=\"bold\"" } else { "" };
        let label = wrap(&format!("{}. {}", i + 1, r.label), x0 - 14.0, 12.0, 1).into_iter().next().unwrap_or_default();
        text(&mut out, 4.0, y + 4.0, "start", weight, &label);
        if let (Some(b), Some(a)) = (r.before, r.after) {
            let _ = write!(
                out,
                "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#9a9a9a\" stroke-width=\"2\"/>",
                x(b),
                x(a)
            );
        }
        if let Some(b) = r.before {
            let _ = write!(out, "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{BEFORE}\"/>", x(b));
        }
        if let Some(a) = r.after {
            let _ = write!(out, "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"{}\"/>", x(a), colour(r.improved));
        }
        let fmt = |v: Option<f64>| v.map(format_number).unwrap_or_else(|| "—".into());
        text(&mut out, x1 + 14.0, y + 4.0, "start", weight, &format!("{} → {}", fmt(r.before), fmt(r.after)));
    }
    let axis_y = top + rows.len() as f64 * row_h + 4.0;
    let _ = write!(out, "<line x1=\"{x0}\" y1=\"{axis_y:.1}\" x2=\"{x1}\" y2=\"{axis_y:.1}\" stroke=\"#888888\"/>");
    for v in nice_ticks(lo, hi) {
        let xx = x(v);
        let _ = write!(
            out,
            "<line x1=\"{xx:.1}\" y1=\"{axis_y:.1}\" x2=\"{xx:.1}\" y2=\"{:.1}\" stroke=\"#888888\"/>",
            axis_y + 4.0
        );
        text(&mut out, xx, axis_y + 17.0, "middle", &format!("fill=\"{MUTED}\" font-size=\"11\""), &format_number(v));
    }
    if !unit.is_empty() {
        text(
            &mut out,
            x1 + 14.0,
            axis_y + 17.0,
            "start",
            &format!("fill=\"{MUTED}\" font-size=\"11\""),
            &format!("单位：{unit}"),
        );
    }
    (axis_y + 26.0, out)
}

/// Round tick values (1, 2, 2.5 or 5 × 10ⁿ apart) inside `lo..=hi`, about five of them.
fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let raw = (hi - lo) / 4.0;
    if !(raw.is_finite() && raw > 0.0) {
        return vec![lo];
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(raw);
    let mut ticks = Vec::new();
    let mut t = (lo / step).ceil() * step;
    while t <= hi + step * 1e-9 && ticks.len() < 12 {
        ticks.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(nice_ticks(89.16, 98.84), [90.0, 92.5, 95.0, 97.5]);
        assert_eq!(nice_ticks(-3.0, 12.0), [0.0, 5.0, 10.0]);
        assert_eq!(nice_ticks(5.0, 5.0), [5.0]);
    }

    #[test]
    fn wraps_and_cuts_long_labels() {
        assert_eq!(wrap("解放碑街道矛盾纠纷调处分中心", 70.0, 13.0, 2), ["解放碑街道", "矛盾纠纷…"]);
        assert_eq!(wrap("短", 100.0, 12.0, 2), ["短"]);
        assert!(text_width("ab", 10.0) < text_width("中", 10.0) * 2.0);
    }

    #[test]
    fn charts_are_plain_svg_with_escaped_labels() {
        let chart = Chart::Route {
            stops: vec![
                RouteStop { name: "<script>".into(), minutes: Some(10) },
                RouteStop { name: "二".into(), minutes: None },
            ],
            total_minutes: 10,
        };
        let svg = render(&chart, "路线 & 时长");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script"));
        assert!(svg.contains("aria-label=\"路线 &amp; 时长\""));
        assert!(svg.contains("合计 10 分钟") && svg.contains("时长未定"));
        assert!(!svg.contains(" id=") && !svg.contains("href"));
    }

    #[test]
    fn bars_scale_per_row_and_show_values() {
        let rows = vec![BarRow {
            label: "信访总量".into(),
            unit: "件".into(),
            before: Some(2318.0),
            after: Some(1406.0),
            improved: Some(true),
        }];
        let svg = render(&Chart::BeforeAfter { rows }, "指标");
        assert!(svg.contains("width=\"380.0\""), "the larger value spans the row");
        assert!(svg.contains(">2318<") && svg.contains(">1406<") && svg.contains(BETTER));
    }

    #[test]
    fn series_and_dumbbell_handle_missing_values() {
        let points = vec![
            SeriesPoint { period: "2020".into(), value: Some(90.2), sample: Some(800) },
            SeriesPoint { period: "2021".into(), value: None, sample: None },
        ];
        let svg = render(&Chart::Series { unit: "%".into(), points }, "评价");
        assert!(svg.contains("90.2%") && svg.contains("样本 800 人") && svg.contains("样本未填"));
        let rows =
            vec![DumbbellRow { label: "甲".into(), before: None, after: None, improved: None, highlight: true }];
        let svg = render(&Chart::Dumbbell { unit: "%".into(), rows }, "对比");
        assert!(svg.contains("— → —") && !svg.contains("NaN") && !svg.contains("inf"));
    }
}
