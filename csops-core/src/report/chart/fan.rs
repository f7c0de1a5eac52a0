//! A fan: the P10–P90 band of a running total by period around its median, against the
//! amount at stake.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{
    Chart, SIZE, category_axes, draw_error, finish, finite_range, label_under, short_amount, text,
};
use crate::Result;

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
        category_axes(&mut chart, y_label, &|y| short_amount(*y))?;
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
            label_under(&root, &chart, &p.label, at(i), y0)?;
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
