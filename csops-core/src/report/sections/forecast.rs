//! Forecast: next period's renewals, their distribution month by month, and the gap to the
//! CRM.

use super::{f, sentence};
use crate::Result;
use crate::forecast::{Reconciliation, RenewalForecast, running_by_month};
use crate::render::amount;
use crate::report::chart::{self, FanPoint};
use crate::report::{Section, Table};

/// The section's anchor in the page.
pub const ID: &str = "forecast";
/// The section's heading.
pub const TITLE: &str = "Renewal forecast";

/// The fan of a forecast: the running total's distribution by the end of each month.
pub fn fan_points(fc: &RenewalForecast) -> Result<Vec<FanPoint>> {
    Ok(running_by_month(fc)?
        .into_iter()
        .map(|m| FanPoint {
            label: m.month,
            p10: m.p10,
            p50: m.p50,
            p90: m.p90,
            at_stake: f(m.at_stake),
        })
        .collect())
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
        ID,
        TITLE,
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
