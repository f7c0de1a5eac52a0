//! A waterfall: a running total from its start to its end through its changes (the ARR
//! bridge).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{
    Chart, SIZE, category_axes, draw_error, finish, finite_range, label_under, short_amount, text,
};
use crate::Result;

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
        category_axes(&mut chart, y_label, &|y| short_amount(*y))?;
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
            label_under(&root, &chart, &s.label, x + 0.5, y0)?;
            let (px, ty) = chart.backend_coord(&(x + 0.5, from.max(to)));
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
