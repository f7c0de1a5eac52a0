//! The report's charts, drawn with `plotters` as inline SVG: no image file, no font file
//! (text stays SVG text, so it is read aloud, searched and printed sharp).
//!
//! Five kinds cover the week: [`bars`] (a rate per category with its interval and how many
//! stand behind it), [`pairs`] (two shares per category: a weight and its power), [`lines`] (ROC, Kaplan–Meier, retention over time, calibration),
//! [`waterfall`] (the ARR bridge) and [`fan`] (renewed ARR by month, P10–P50–P90). Each takes
//! plain data, so a golden test can draw it from fixed numbers. Every chart carries a title
//! and a text alternative (`<title>`, `<desc>`, `role="img"`), and no chart tells anything by
//! colour alone: bars and lines are labelled by name, small samples are marked in words.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

mod bars;
mod fan;
mod lines;
mod waterfall;

pub use bars::{Bar, BarScale, Pair, bars, pairs};
pub use fan::{FanPoint, fan};
pub use lines::{Axes, Series, lines};
pub use waterfall::{Step, waterfall};

/// Width and height of every chart, in SVG user units (it scales with the page).
pub(super) const SIZE: (u32, u32) = (760, 340);
pub(super) const FONT: &str = "sans-serif";

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

pub(super) fn draw_error(e: impl std::fmt::Display) -> Error {
    Error::InvalidArgument {
        path: "chart".into(),
        reason: format!("the chart could not be drawn: {e}"),
    }
}

/// A colour for a name: the band colours for bands, a fixed palette otherwise (colour is
/// never the only signal; every bar and line is also labelled).
pub(super) fn colour(name: &str, i: usize) -> RGBColor {
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

pub(super) fn text(size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font())
        .color(&BLACK)
        .pos(Pos::new(h, v))
}

/// Shares as percentages, amounts grouped with a k/M suffix.
pub(super) fn percent(x: f64) -> String {
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

pub(super) fn escape(s: &str) -> String {
    crate::render::html_escape(s)
}

/// The SVG with its accessible name and description, and a class for the page's styles.
pub(super) fn finish(svg: String, title: &str, alt: &str) -> Chart {
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

pub(super) fn finite_range((lo, hi): (f64, f64)) -> (f64, f64) {
    let (lo, hi) = (
        if lo.is_finite() { lo } else { 0.0 },
        if hi.is_finite() { hi } else { 1.0 },
    );
    if hi > lo { (lo, hi) } else { (lo, lo + 1.0) }
}

/// The faint grid lines of every chart.
pub(super) const GRID: RGBColor = RGBColor(225, 228, 235);

/// A chart drawn on numbers both ways.
pub(super) type Plot<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The axes of a chart of categories along x (bars, a waterfall, months): no x ticks (the
/// chart writes each category's name under it), six y ticks written by `y_text`.
pub(super) fn category_axes(
    chart: &mut Plot<'_, '_>,
    y_label: &str,
    y_text: &dyn Fn(&f64) -> String,
) -> Result<()> {
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .y_desc(y_label)
        .y_label_formatter(y_text)
        .label_style((FONT, 12))
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .draw()
        .map_err(draw_error)
}

/// Write `label` under the x axis at `x` (a category's name).
pub(super) fn label_under(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    chart: &Plot<'_, '_>,
    label: &str,
    x: f64,
    y0: f64,
) -> Result<()> {
    let (px, py) = chart.backend_coord(&(x, y0));
    root.draw(&Text::new(
        label.to_string(),
        (px, py + 8),
        text(13, HPos::Center, VPos::Top),
    ))
    .map_err(draw_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_hold_until_the_next_time() {
        assert_eq!(
            lines::steps(&[(0.0, 1.0), (2.0, 0.5), (3.0, 0.25)]),
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
