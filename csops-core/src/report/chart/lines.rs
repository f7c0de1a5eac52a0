//! Lines and step curves on two numeric axes: ROC, calibration, lift, Kaplan–Meier,
//! retention over time.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{
    Chart, FONT, GRID, SIZE, colour, draw_error, finish, finite_range, percent, short_amount, text,
};
use crate::Result;

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

/// Steps (t, s) → the corners of a step curve: flat until the next time, then down.
pub(super) fn steps(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
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
            .bold_line_style(GRID)
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
