//! Forecast: next period's renewals, their distribution month by month, and the gap to the
//! CRM.

use std::collections::BTreeMap;

use super::{f, sentence};
use crate::Result;
use crate::forecast::{
    DistributionMethod, Reconciliation, RenewalForecast, renewed_arr_distribution,
};
use crate::render::amount;
use crate::report::chart::{self, FanPoint};
use crate::report::{Section, Table};

/// Draws and seed of a fan point's distribution when it is drawn by Monte Carlo (the
/// forecast's own defaults).
const DRAWS: u32 = 20_000;
const SEED: u64 = 42;

/// The renewed ARR expected by the end of each month: the distribution of the running total.
pub fn fan_points(f_: &RenewalForecast) -> Result<Vec<FanPoint>> {
    let mut months: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    for l in &f_.lines {
        months
            .entry(l.month.as_str())
            .or_default()
            .push((f(l.arr), l.p_renew));
    }
    let mut running = Vec::new();
    let mut out = Vec::new();
    for (month, lines) in months {
        running.extend(lines);
        let d = renewed_arr_distribution(&running, DistributionMethod::Auto, DRAWS, SEED)?;
        out.push(FanPoint {
            label: month.to_string(),
            p10: d.p10,
            p50: d.p50,
            p90: d.p90,
            at_stake: running.iter().map(|x| x.0).sum(),
        });
    }
    Ok(out)
}

/// The forecast section, with the reconciliation when there is one.
pub fn section(fc: &RenewalForecast, reconciliation: Option<&Reconciliation>) -> Result<Section> {
    let cur = fc.currency.code();
    let spread = fc.distribution.as_ref().map_or(String::new(), |d| {
        format!(
            " (P10 {} – P90 {})",
            chart::short_amount(d.p10),
            chart::short_amount(d.p90)
        )
    });
    let gap = reconciliation.map_or(String::new(), |r| match r.gap {
        Some(g) => format!(
            " The CRM's renewal pipeline is {} {cur}: a gap of {:+.1}%, {}.",
            amount(r.crm_arr),
            100.0 * g,
            if r.passes {
                "within tolerance"
            } else {
                "outside tolerance"
            }
        ),
        None => " The CRM has no renewal opportunities in the window.".into(),
    });
    let mut s = Section::new(
        "forecast",
        "Renewal forecast",
        format!(
            "{} renewals from {} to {} put {} {cur} up for renewal; {} {cur} is expected to renew{spread}.{gap}",
            fc.lines.len(),
            fc.from,
            fc.to,
            amount(fc.arr),
            amount(fc.expected_renewal)
        ),
    );
    let points = if fc.lines.is_empty() {
        Vec::new()
    } else {
        fan_points(fc)?
    };
    if !points.is_empty() {
        let alt = points
            .iter()
            .map(|p| {
                format!(
                    "by the end of {}: P10 {}, P50 {}, P90 {} of {} at stake",
                    p.label,
                    chart::short_amount(p.p10),
                    chart::short_amount(p.p50),
                    chart::short_amount(p.p90),
                    chart::short_amount(p.at_stake)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        s.charts.push(chart::fan(
            &format!("Renewed ARR by month, running total ({cur}), P10–P50–P90"),
            &format!("The renewed ARR expected by the end of each month of the window, as a band from the 10th to the 90th percentile around the median, against the ARR at stake. {}.", sentence(&alt)),
            &format!("renewed ARR ({cur})"),
            &points,
        )?);
    }
    let mut m = Table::new(
        "By month",
        &[
            "month",
            "renewals",
            "ARR up",
            "expected renewal",
            "expected expansion",
        ],
        &[
            "renewals",
            "ARR up",
            "expected renewal",
            "expected expansion",
        ],
    );
    for x in &fc.by_month {
        m.row(vec![
            x.key.clone(),
            x.renewals.to_string(),
            amount(x.arr),
            amount(x.expected_renewal),
            amount(x.expected_expansion),
        ]);
    }
    s.tables.push(m);
    let mut c = Table::new(
        &format!("Categories ({cur})"),
        &["category", "ARR"],
        &["ARR"],
    );
    for (name, v) in [
        ("commit", fc.commit),
        ("best case", fc.best_case),
        ("pipeline", fc.pipeline),
    ] {
        c.row(vec![name.into(), amount(v)]);
    }
    s.tables.push(c);
    if let Some(r) = reconciliation {
        let mut t = Table::new(
            &format!(
                "Reconciliation with the CRM: {} difference(s), the first 20",
                r.issues.len()
            ),
            &["kind", "account", "opportunity", "detail"],
            &[],
        );
        for i in r.issues.iter().take(20) {
            t.row(vec![
                serde_json::to_value(i.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                i.account_id.clone(),
                i.opportunity_id.clone().unwrap_or_default(),
                i.detail.clone(),
            ]);
        }
        s.tables.push(t);
    }
    if let Some(r) = fc.rates_used.as_ref().filter(|r| !r.is_empty()) {
        s.notes
            .push(format!("Amounts converted to {cur} at {}.", r.render()));
    }
    s.notes.push(
        "Each renewal is taken to renew or not independently of the others; the band shows the spread that alone gives."
            .into(),
    );
    Ok(s)
}
