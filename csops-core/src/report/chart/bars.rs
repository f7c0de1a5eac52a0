//! Bars: a share per category with its interval and how many stand behind it, and paired
//! bars of two shares per category.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{
    Chart, FONT, GRID, SIZE, category_axes, colour, draw_error, finish, label_under, percent, text,
};
use crate::Result;

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
        let y_text = |y: &f64| {
            if share {
                percent(*y)
            } else {
                format!("{y:.1}")
            }
        };
        category_axes(&mut chart, y_label, &y_text)?;
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
            // The label under the axis and n above the bar (or its whisker).
            label_under(&root, &chart, &b.label, x + 0.5, 0.0)?;
            let top = b
                .interval
                .map(|(_, hi)| hi)
                .or(b.value)
                .unwrap_or(0.0)
                .clamp(0.0, y_max);
            let (px, ty) = chart.backend_coord(&(x + 0.5, top));
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
            .bold_line_style(GRID)
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
