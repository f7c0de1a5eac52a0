//! The report's charts, drawn with `plotters` as inline SVG: no image file, no font file
//! (text stays SVG text, so it is read aloud, searched and printed sharp).
//!
//! Five kinds cover the week: [`bars`] (a rate per category with its interval and how many
//! stand behind it), [`pairs`] (two shares per category: a weight and its power), [`lines`] (ROC, Kaplan–Meier, retention over time, calibration),
//! [`waterfall`] (the ARR bridge) and [`fan`] (renewed ARR by month, P10–P50–P90). Each takes
//! plain data, so a golden test can draw it from fixed numbers. Every chart carries a title
//! and a text alternative (`<title>`, `<desc>`, `role="img"`), and no chart tells anything by
//! colour alone: bars and lines are labelled by name, small samples are marked in words.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Width and height of every chart, in SVG user units (it scales with the page).
const SIZE: (u32, u32) = (760, 340);
const FONT: &str = "sans-serif";

/// One drawn chart: its SVG and the words that stand for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "ReportChart")
)]
pub struct Chart {
    /// What the chart shows, as a heading.
    pub title: String,
    /// The text alternative: what a reader who cannot see the chart needs from it.
    pub alt: String,
    /// The chart as one `<svg>` element, with its title and description inside.
    pub svg: String,
}

/// How a bar chart's values read, and the top of its axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BarScale {
    /// Shares, written as percentages, from 0 to this (1 for rates).
    Share(f64),
    /// Plain numbers (an AUC), from 0 to this.
    Number(f64),
}

/// One bar: a value with its interval and how many observations stand behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The category (a band, a decile).
    pub label: String,
    /// The value, a share from 0 to 1 (None: nothing to show, the bar is left out).
    pub value: Option<f64>,
    /// Its 95% interval, when known.
    pub interval: Option<(f64, f64)>,
    /// How many observations the value is of.
    pub n: u64,
    /// Too few to read: drawn pale and labelled so.
    pub small: bool,
}

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its name, written at its end.
    pub name: String,
    /// The points, in x order.
    pub points: Vec<(f64, f64)>,
    /// Drawn as steps (a Kaplan–Meier curve) rather than straight segments.
    pub step: bool,
    /// A label beside each point (its count, its lift), in the order of `points`; empty for
    /// none.
    pub labels: Vec<String>,
}

/// How a line chart's axes read.
#[derive(Debug, Clone, PartialEq)]
pub struct Axes {
    /// The x axis' label.
    pub x: String,
    /// The y axis' label.
    pub y: String,
    /// The x range.
    pub x_range: (f64, f64),
    /// The y range.
    pub y_range: (f64, f64),
    /// y values are shares (written as percentages).
    pub y_share: bool,
    /// x values are shares.
    pub x_share: bool,
    /// Draw the diagonal y = x (chance for ROC, perfect calibration).
    pub diagonal: bool,
    /// Names of the whole x positions 1, 2, … (quarters), instead of numbers.
    pub x_names: Vec<String>,
}

/// One step of a waterfall: a running total's start, a change, or its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// What the step is (`start`, `new`, `churn`, …).
    pub label: String,
    /// The amount: a total for a total step, a change otherwise (negative for a loss).
    pub amount: f64,
    /// A total (drawn from zero) rather than a change.
    pub total: bool,
}

/// One period of a fan: the distribution of the running total by then.
#[derive(Debug, Clone, PartialEq)]
pub struct FanPoint {
    /// The period (`2026-10`).
    pub label: String,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// The whole amount at stake by then (what would renew if everything did).
    pub at_stake: f64,
}

fn draw_error(e: impl std::fmt::Display) -> Error {
    Error::InvalidArgument {
        path: "chart".into(),
        reason: format!("the chart could not be drawn: {e}"),
    }
}

/// A colour for a name: the band colours for bands, a fixed palette otherwise (colour is
/// never the only signal; every bar and line is also labelled).
fn colour(name: &str, i: usize) -> RGBColor {
    match name.to_ascii_lowercase().as_str() {
        "red" => RGBColor(192, 57, 43),
        "yellow" | "amber" => RGBColor(212, 160, 23),
        "green" => RGBColor(46, 139, 87),
        _ => {
            const PALETTE: [RGBColor; 6] = [
                RGBColor(31, 119, 180),
                RGBColor(255, 127, 14),
                RGBColor(44, 160, 44),
                RGBColor(148, 103, 189),
                RGBColor(140, 86, 75),
                RGBColor(127, 127, 127),
            ];
            PALETTE[i % PALETTE.len()]
        }
    }
}

fn text(size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font())
        .color(&BLACK)
        .pos(Pos::new(h, v))
}

/// Shares as percentages, amounts grouped with a k/M suffix.
fn percent(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

/// An amount short enough for an axis: `1.25M`, `340k`, `900`.
pub fn short_amount(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if a >= 1e6 {
        format!("{sign}{:.2}M", a / 1e6)
    } else if a >= 1e3 {
        format!("{sign}{:.0}k", a / 1e3)
    } else {
        format!("{sign}{a:.0}")
    }
}

fn escape(s: &str) -> String {
    crate::render::html_escape(s)
}

/// The SVG with its accessible name and description, and a class for the page's styles.
fn finish(svg: String, title: &str, alt: &str) -> Chart {
    let labelled = match svg.find('>') {
        Some(end) if svg.starts_with("<svg") => format!(
            "{} role=\"img\" class=\"chart\"><title>{}</title><desc>{}</desc>{}",
            &svg[..end],
            escape(title),
            escape(alt),
            &svg[end + 1..]
        ),
        _ => svg,
    };
    Chart {
        title: title.into(),
        alt: alt.into(),
        svg: labelled,
    }
}

fn finite_range((lo, hi): (f64, f64)) -> (f64, f64) {
    let (lo, hi) = (
        if lo.is_finite() { lo } else { 0.0 },
        if hi.is_finite() { hi } else { 1.0 },
    );
    if hi > lo { (lo, hi) } else { (lo, lo + 1.0) }
}

/// Bars of shares (0 to `y_max`, 1 for rates), each with its 95% interval as a whisker and `n = …` above it; a bar
/// of too few observations is pale and says so.
pub fn bars(title: &str, alt: &str, y_label: &str, bars: &[Bar], scale: BarScale) -> Result<Chart> {
    let (y_max, share) = match scale {
        BarScale::Share(max) => (max, true),
        BarScale::Number(max) => (max, false),
    };
    let y_max = if y_max.is_finite() && y_max > 0.0 {
        y_max
    } else {
        1.0
    };
    let value = |v: f64| if share { percent(v) } else { format!("{v:.2}") };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let n = bars.len().max(1);
        #[allow(clippy::cast_precision_loss)] // a handful of bars
        let x_max = n as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .margin_top(28)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_desc(y_label)
            .y_label_formatter(&|y| {
                if share {
                    percent(*y)
                } else {
                    format!("{y:.1}")
                }
            })
            .label_style((FONT, 12))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(225, 228, 235))
            .draw()
            .map_err(draw_error)?;
        for (i, b) in bars.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let x = i as f64;
            let c = colour(&b.label, i);
            if let Some(v) = b.value.filter(|v| v.is_finite()) {
                let style = if b.small {
                    c.mix(0.3).filled()
                } else {
                    c.filled()
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x + 0.2, 0.0), (x + 0.8, v.clamp(0.0, y_max))],
                        style,
                    )))
                    .map_err(draw_error)?;
            }
            if let Some((lo, hi)) = b
                .interval
                .filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
            {
                let (lo, hi) = (lo.clamp(0.0, y_max), hi.clamp(0.0, y_max));
                let whisker = BLACK.stroke_width(1);
                chart
                    .draw_series([
                        PathElement::new(vec![(x + 0.5, lo), (x + 0.5, hi)], whisker),
                        PathElement::new(vec![(x + 0.42, lo), (x + 0.58, lo)], whisker),
                        PathElement::new(vec![(x + 0.42, hi), (x + 0.58, hi)], whisker),
                    ])
                    .map_err(draw_error)?;
            }
            // The label under the axis and n above the bar (or its whisker), in pixels.
            let (px, py) = chart.backend_coord(&(x + 0.5, 0.0));
            root.draw(&Text::new(
                b.label.clone(),
                (px, py + 8),
                text(13, HPos::Center, VPos::Top),
            ))
            .map_err(draw_error)?;
            let top = b
                .interval
                .map(|(_, hi)| hi)
                .or(b.value)
                .unwrap_or(0.0)
                .clamp(0.0, y_max);
            let (_, ty) = chart.backend_coord(&(x + 0.5, top));
            let mut label = match b.value {
                Some(v) if v.is_finite() => format!("{} · n = {}", value(v), b.n),
                _ => format!("n = {}", b.n),
            };
            if b.small {
                label.push_str(" · too few");
            }
            root.draw(&Text::new(
                label,
                (px, ty - 4),
                text(12, HPos::Center, VPos::Bottom),
            ))
            .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(finish(svg, title, alt))
}

/// One category of a paired bar chart: two shares side by side (a measure's weight and its
/// predictive power; a weight before and after).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The category (a measure).
    pub label: String,
    /// The first share (drawn solid).
    pub first: f64,
    /// The second share (drawn as an outline).
    pub second: f64,
}

/// Paired horizontal bars of shares, one row per category (its name at the left, so long
/// names stay readable): the first share solid, the second an outline, so the two are told
/// apart without colour; a key at the top names them.
pub fn pairs(title: &str, alt: &str, names: (&str, &str), rows: &[Pair]) -> Result<Chart> {
    let top = rows
        .iter()
        .flat_map(|r| [r.first, r.second])
        .filter(|v| v.is_finite())
        .fold(0.1_f64, f64::max)
        .min(1.0);
    let height = 70 + 26 * u32::try_from(rows.len().max(1)).unwrap_or(40).min(40);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (SIZE.0, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        #[allow(clippy::cast_precision_loss)]
        let n = rows.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_top(34)
            .x_label_area_size(28)
            .y_label_area_size(150)
            .build_cartesian_2d(0.0..top * 1.15, 0.0..n)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&|x| percent(*x))
            .label_style((FONT, 12))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(225, 228, 235))
            .draw()
            .map_err(draw_error)?;
        let blue = RGBColor(31, 119, 180);
        for (i, r) in rows.iter().enumerate() {
            // The first category at the top.
            #[allow(clippy::cast_precision_loss)]
            let y = n - 1.0 - i as f64;
            let clamp = |v: f64| {
                if v.is_finite() {
                    v.clamp(0.0, top * 1.15)
                } else {
                    0.0
                }
            };
            chart
                .draw_series([
                    Rectangle::new([(0.0, y + 0.52), (clamp(r.first), y + 0.88)], blue.filled()),
                    Rectangle::new(
                        [(0.0, y + 0.12), (clamp(r.second), y + 0.48)],
                        blue.stroke_width(2),
                    ),
                ])
                .map_err(draw_error)?;
            let (px, py) = chart.backend_coord(&(0.0, y + 0.5));
            root.draw(&Text::new(
                r.label.clone(),
                (px - 8, py),
                text(12, HPos::Right, VPos::Center),
            ))
            .map_err(draw_error)?;
            for (v, at) in [(r.first, y + 0.7), (r.second, y + 0.3)] {
                let (vx, vy) = chart.backend_coord(&(clamp(v), at));
                let words = if v.is_finite() {
                    percent(v)
                } else {
                    "-".into()
                };
                root.draw(&Text::new(
                    words,
                    (vx + 4, vy),
                    text(10, HPos::Left, VPos::Center),
                ))
                .map_err(draw_error)?;
            }
        }
        // The key: a solid and an outlined swatch with their names.
        let (kx, ky) = (SIZE.0 as i32 / 2 - 140, 14);
        root.draw(&Rectangle::new(
            [(kx, ky - 6), (kx + 14, ky + 6)],
            blue.filled(),
        ))
        .map_err(draw_error)?;
        root.draw(&Text::new(
            names.0.to_string(),
            (kx + 20, ky),
            text(12, HPos::Left, VPos::Center),
        ))
        .map_err(draw_error)?;
        root.draw(&Rectangle::new(
            [(kx + 150, ky - 6), (kx + 164, ky + 6)],
            blue.stroke_width(2),
        ))
        .map_err(draw_error)?;
        root.draw(&Text::new(
            names.1.to_string(),
            (kx + 170, ky),
            text(12, HPos::Left, VPos::Center),
        ))
        .map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(finish(svg, title, alt))
}

/// Steps (t, s) → the corners of a step curve: flat until the next time, then down.
fn steps(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (i, &(x, y)) in points.iter().enumerate() {
        if i > 0 {
            out.push((x, points[i - 1].1));
        }
        out.push((x, y));
    }
    out
}

/// Lines (or step curves), each named at its end.
pub fn lines(title: &str, alt: &str, axes: &Axes, series: &[Series]) -> Result<Chart> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let (x0, x1) = finite_range(axes.x_range);
        let (y0, y1) = finite_range(axes.y_range);
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .margin_right(96)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_error)?;
        let (x_share, y_share) = (axes.x_share, axes.y_share);
        let x_names = &axes.x_names;
        chart
            .configure_mesh()
            .x_desc(axes.x.as_str())
            .y_desc(axes.y.as_str())
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&|x| {
                if !x_names.is_empty() {
                    let i = x.round();
                    if (x - i).abs() > 1e-9 || i < 1.0 {
                        return String::new();
                    }
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    return x_names.get(i as usize - 1).cloned().unwrap_or_default();
                }
                if x_share {
                    percent(*x)
                } else {
                    short_amount(*x)
                }
            })
            .y_label_formatter(&|y| {
                if y_share {
                    percent(*y)
                } else {
                    short_amount(*y)
                }
            })
            .label_style((FONT, 12))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(225, 228, 235))
            .draw()
            .map_err(draw_error)?;
        if axes.diagonal {
            let lo = x0.max(y0);
            let hi = x1.min(y1);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(lo, lo), (hi, hi)],
                    RGBColor(150, 150, 150).stroke_width(1),
                )))
                .map_err(draw_error)?;
        }
        for (i, s) in series.iter().enumerate() {
            let c = colour(&s.name, i);
            // Points outside the axes are drawn at their edge (the caller chose the axes).
            let points: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|&(x, y)| (x.clamp(x0, x1), y.clamp(y0, y1)))
                .collect();
            let drawn = if s.step {
                steps(&points)
            } else {
                points.clone()
            };
            let Some(&last) = drawn.last() else { continue };
            chart
                .draw_series(LineSeries::new(drawn, c.stroke_width(2)))
                .map_err(draw_error)?;
            if !s.step {
                // The measured points themselves, so a reader sees where the line is data.
                chart
                    .draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))
                    .map_err(draw_error)?;
            }
            // Point labels go with the finite points they were given for.
            let labelled = s
                .points
                .iter()
                .zip(&s.labels)
                .filter(|((x, y), _)| x.is_finite() && y.is_finite());
            for (&(x, y), label) in labelled {
                let (px, py) = chart.backend_coord(&(x.clamp(x0, x1), y.clamp(y0, y1)));
                root.draw(&Text::new(
                    label.clone(),
                    (px + 5, py - 5),
                    text(11, HPos::Left, VPos::Bottom),
                ))
                .map_err(draw_error)?;
            }
            let (px, py) = chart.backend_coord(&last);
            root.draw(&Text::new(
                s.name.clone(),
                (px + 6, py),
                text(12, HPos::Left, VPos::Center),
            ))
            .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(finish(svg, title, alt))
}

/// A waterfall: totals from zero, changes floating from the running total, each labelled
/// with its amount (gains and losses also told by sign, not only by colour).
pub fn waterfall(title: &str, alt: &str, y_label: &str, steps: &[Step]) -> Result<Chart> {
    // Each bar's (from, to), walking the running total.
    let mut running = 0.0;
    let mut spans = Vec::with_capacity(steps.len());
    for s in steps {
        if !s.amount.is_finite() {
            // No amount: an empty step (its label says "n/a").
            spans.push((running, running));
            continue;
        }
        let (from, to) = if s.total {
            running = s.amount;
            (0.0, s.amount)
        } else {
            let from = running;
            running += s.amount;
            (from, running)
        };
        spans.push((from, to));
    }
    let top = spans
        .iter()
        .flat_map(|&(a, b)| [a, b])
        .fold(0.0_f64, f64::max);
    let bottom = spans
        .iter()
        .flat_map(|&(a, b)| [a, b])
        .fold(0.0_f64, f64::min);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        #[allow(clippy::cast_precision_loss)]
        let x_max = steps.len().max(1) as f64;
        let (y0, y1) = finite_range((bottom, top * 1.12));
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .margin_top(28)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..x_max, y0..y1)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_desc(y_label)
            .y_label_formatter(&|y| short_amount(*y))
            .label_style((FONT, 12))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(225, 228, 235))
            .draw()
            .map_err(draw_error)?;
        for (i, (s, &(from, to))) in steps.iter().zip(&spans).enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let x = i as f64;
            let c = if s.total {
                RGBColor(90, 100, 120)
            } else if s.amount >= 0.0 {
                RGBColor(46, 139, 87)
            } else {
                RGBColor(192, 57, 43)
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x + 0.15, from), (x + 0.85, to)],
                    c.filled(),
                )))
                .map_err(draw_error)?;
            let (px, py) = chart.backend_coord(&(x + 0.5, y0));
            root.draw(&Text::new(
                s.label.clone(),
                (px, py + 8),
                text(13, HPos::Center, VPos::Top),
            ))
            .map_err(draw_error)?;
            let (_, ty) = chart.backend_coord(&(x + 0.5, from.max(to)));
            let amount = if !s.amount.is_finite() {
                "n/a".to_string()
            } else if s.total || s.amount < 0.0 {
                short_amount(s.amount)
            } else {
                format!("+{}", short_amount(s.amount))
            };
            root.draw(&Text::new(
                amount,
                (px, ty - 4),
                text(12, HPos::Center, VPos::Bottom),
            ))
            .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(finish(svg, title, alt))
}

/// A fan: the P10–P90 band of a running total by period, its median as a line, and the whole
/// amount at stake as a reference line; each named at its end. A period without finite
/// figures keeps its label and draws nothing.
pub fn fan(title: &str, alt: &str, y_label: &str, points: &[FanPoint]) -> Result<Chart> {
    #[allow(clippy::cast_precision_loss)]
    let at = |i: usize| i as f64 + 0.5;
    let drawn: Vec<(f64, &FanPoint)> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            [p.p10, p.p50, p.p90, p.at_stake]
                .iter()
                .all(|v| v.is_finite())
        })
        .map(|(i, p)| (at(i), p))
        .collect();
    let top = drawn
        .iter()
        .map(|(_, p)| p.at_stake.max(p.p90))
        .fold(0.0_f64, f64::max);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        #[allow(clippy::cast_precision_loss)]
        let x_max = points.len().max(1) as f64;
        let (y0, y1) = finite_range((0.0, top * 1.1));
        let y = |v: f64| v.clamp(y0, y1);
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .margin_right(110)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..x_max, y0..y1)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_desc(y_label)
            .y_label_formatter(&|y| short_amount(*y))
            .label_style((FONT, 12))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(225, 228, 235))
            .draw()
            .map_err(draw_error)?;
        let blue = RGBColor(31, 119, 180);
        let band: Vec<(f64, f64)> = match drawn.as_slice() {
            [] => Vec::new(),
            // One period: a box rather than a band of no width.
            [(x, p)] => vec![
                (x - 0.2, y(p.p10)),
                (x - 0.2, y(p.p90)),
                (x + 0.2, y(p.p90)),
                (x + 0.2, y(p.p10)),
            ],
            many => many
                .iter()
                .map(|&(x, p)| (x, y(p.p90)))
                .chain(many.iter().rev().map(|&(x, p)| (x, y(p.p10))))
                .collect(),
        };
        if !band.is_empty() {
            chart
                .draw_series(std::iter::once(Polygon::new(band, blue.mix(0.25).filled())))
                .map_err(draw_error)?;
        }
        let median: Vec<(f64, f64)> = drawn.iter().map(|&(x, p)| (x, y(p.p50))).collect();
        let stake: Vec<(f64, f64)> = drawn.iter().map(|&(x, p)| (x, y(p.at_stake))).collect();
        chart
            .draw_series(LineSeries::new(median.clone(), blue.stroke_width(2)))
            .map_err(draw_error)?;
        chart
            .draw_series(median.iter().map(|&p| Circle::new(p, 3, blue.filled())))
            .map_err(draw_error)?;
        chart
            .draw_series(LineSeries::new(stake.clone(), BLACK.stroke_width(1)))
            .map_err(draw_error)?;
        for (i, p) in points.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(at(i), y0));
            root.draw(&Text::new(
                p.label.clone(),
                (px, py + 8),
                text(13, HPos::Center, VPos::Top),
            ))
            .map_err(draw_error)?;
        }
        if let Some(&(x, last)) = drawn.last() {
            for (label, v) in [
                ("at stake", last.at_stake),
                ("P50", last.p50),
                ("P10", last.p10),
                ("P90", last.p90),
            ] {
                let (px, py) = chart.backend_coord(&(x, y(v)));
                root.draw(&Text::new(
                    label.to_string(),
                    (px + 10, py),
                    text(12, HPos::Left, VPos::Center),
                ))
                .map_err(draw_error)?;
            }
        }
        root.present().map_err(draw_error)?;
    }
    Ok(finish(svg, title, alt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_hold_until_the_next_time() {
        assert_eq!(
            steps(&[(0.0, 1.0), (2.0, 0.5), (3.0, 0.25)]),
            vec![(0.0, 1.0), (2.0, 1.0), (2.0, 0.5), (3.0, 0.5), (3.0, 0.25)]
        );
    }

    #[test]
    fn amounts_shorten() {
        assert_eq!(short_amount(1_250_000.0), "1.25M");
        assert_eq!(short_amount(-340_000.0), "-340k");
        assert_eq!(short_amount(900.0), "900");
    }
}
