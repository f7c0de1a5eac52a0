//! Retention: GRR, NRR and logo retention over the trailing twelve months, by segment and
//! start cohort, quarter by quarter, and the ARR bridge behind them.

use chrono::NaiveDate;

use super::{f, pct, sentence};
use crate::Result;
use crate::book::Book;
use crate::render::amount;
use crate::report::chart::{self, Axes, Series, Step};
use crate::report::{Section, Table};
use crate::retention::{
    ArrHistory, Cut, Period, Retention, arr_bridge, retention_by, retention_series,
    trailing_twelve_months,
};

/// The section's anchor in the page.
pub const ID: &str = "retention";
/// The section's heading.
pub const TITLE: &str = "Retention";

fn table(caption: &str, first: &str, rows: &[Retention]) -> Table {
    let mut t = Table::new(
        caption,
        &[
            first,
            "GRR",
            "NRR",
            "logo retention",
            "logos",
            "start ARR",
            "end ARR",
        ],
        &[
            "GRR",
            "NRR",
            "logo retention",
            "logos",
            "start ARR",
            "end ARR",
        ],
    );
    for r in rows {
        t.row(vec![
            r.label.clone(),
            pct(r.grr),
            pct(r.nrr),
            pct(r.logo_retention),
            r.logos.to_string(),
            amount(r.start_arr),
            amount(r.end_arr),
        ]);
    }
    t
}

/// The retention section: the twelve months to `as_of`.
pub fn section(book: &Book, history: &ArrHistory, as_of: NaiveDate) -> Result<Section> {
    let ttm = trailing_twelve_months(history, as_of)?;
    let cur = ttm.currency.code();
    let mut s = Section::new(
        ID,
        TITLE,
        format!(
            "Over the twelve months to {as_of}: gross revenue retention {}, net revenue retention {}, and {} of {} logos kept ({}).",
            pct(ttm.grr),
            pct(ttm.nrr),
            ttm.logos_retained,
            ttm.logos,
            pct(ttm.logo_retention)
        ),
    );
    let series = retention_series(history, ttm.from, as_of, Period::Quarter)?;
    if !series.is_empty() {
        #[allow(clippy::cast_precision_loss)]
        let line = |pick: fn(&Retention) -> Option<f64>| -> Vec<(f64, f64)> {
            series
                .iter()
                .enumerate()
                .filter_map(|(i, r)| pick(r).map(|v| (i as f64 + 1.0, v)))
                .collect()
        };
        let all: Vec<f64> = series
            .iter()
            .flat_map(|r| [r.grr, r.nrr, r.logo_retention])
            .flatten()
            .collect();
        let lo = all.iter().copied().fold(1.0_f64, f64::min);
        let hi = all.iter().copied().fold(1.0_f64, f64::max);
        #[allow(clippy::cast_precision_loss)]
        let n = series.len() as f64;
        s.charts.push(chart::lines(
            "GRR, NRR and logo retention by quarter",
            &format!(
                "Each quarter's retention of the ARR and logos at its start. {}.",
                sentence(
                    &series
                        .iter()
                        .map(|r| format!(
                            "{}: GRR {}, NRR {}, logos {}",
                            r.label,
                            pct(r.grr),
                            pct(r.nrr),
                            pct(r.logo_retention)
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            ),
            &Axes {
                x: "quarter".into(),
                y: "retained".into(),
                x_range: (0.5, n + 0.5),
                y_range: ((lo - 0.05).max(0.0), hi + 0.05),
                y_share: true,
                x_share: false,
                diagonal: false,
                x_names: series.iter().map(|r| r.label.clone()).collect(),
            },
            &[
                Series {
                    name: "GRR".into(),
                    points: line(|r| r.grr),
                    step: false,
                    labels: Vec::new(),
                },
                Series {
                    name: "NRR".into(),
                    points: line(|r| r.nrr),
                    step: false,
                    labels: Vec::new(),
                },
                Series {
                    name: "logos".into(),
                    points: line(|r| r.logo_retention),
                    step: false,
                    labels: Vec::new(),
                },
            ],
        )?);
        s.tables.push(table("By quarter", "quarter", &series));
    }
    let bridge = arr_bridge(history, ttm.from, ttm.to)?;
    let steps = [
        ("start", bridge.start, true),
        ("new", bridge.new, false),
        ("expansion", bridge.expansion, false),
        ("contraction", -bridge.contraction, false),
        ("churn", -bridge.churn, false),
        ("reactivation", bridge.reactivation, false),
        ("end", bridge.end, true),
    ];
    s.charts.push(chart::waterfall(
        &format!("ARR bridge, {} to {} ({cur})", bridge.from, bridge.to),
        &format!(
            "ARR from start to end: {}.",
            steps
                .iter()
                .map(|(n, v, _)| format!("{n} {}", amount(*v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        &format!("ARR ({cur})"),
        &steps
            .iter()
            .map(|&(label, amount, total)| Step {
                label: label.into(),
                amount: f(amount),
                total,
            })
            .collect::<Vec<_>>(),
    )?);
    let by_segment = retention_by(
        book,
        history,
        ttm.from,
        ttm.to,
        &Cut::Field("segment".into()),
    )?;
    s.tables.push(table("By segment", "segment", &by_segment));
    let (by_cohort, later): (Vec<Retention>, Vec<Retention>) =
        retention_by(book, history, ttm.from, ttm.to, &Cut::StartCohort)?
            .into_iter()
            .partition(|r| r.logos > 0);
    s.tables
        .push(table("By start cohort", "cohort", &by_cohort));
    if !later.is_empty() {
        s.notes.push(format!(
            "Cohorts that started after {} ({}) had no ARR at the start of the twelve months: they are new business in the bridge, not in the cohort table.",
            ttm.from,
            later.iter().map(|r| r.label.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    let rates = history.rates_used();
    if !rates.is_empty() {
        s.notes
            .push(format!("ARR converted to {cur} at {}.", rates.render()));
    }
    Ok(s)
}
