//! The renewal forecast as tables: its lines, its subtotals, the CRM reconciliation's
//! issues, and the health of every account on a day.

use std::collections::BTreeMap;

use super::{Health, Reconciliation, RenewalForecast, Subtotal};
use crate::Result;
use crate::backtest::tables::band_names;
use crate::health::Scorecard;
use crate::money::Currency;
use crate::options::Casing;
use crate::table::{Table, pick};

/// A forecast's tables, by name.
pub const FORECAST_TABLES: [&str; 5] = ["lines", "by_segment", "by_csm", "by_month", "months"];

/// The forecast table called `name` ([`FORECAST_TABLES`], written in `casing`).
pub fn forecast(name: &str, casing: Casing, f: &RenewalForecast) -> Result<Table> {
    Ok(match pick("a forecast", name, &FORECAST_TABLES, casing)? {
        0 => lines(f),
        1 => subtotals(f, SubtotalBy::Segment),
        2 => subtotals(f, SubtotalBy::Csm),
        3 => subtotals(f, SubtotalBy::Month),
        _ => months(f)?,
    })
}

/// The window month by month ([`super::running_by_month`]): `month`, `renewals`,
/// `at_stake` and `expected` (amounts, in `currency`) due by its end, and `p10`, `p50`,
/// `p90` of the renewed ARR by its end.
pub fn months(f: &RenewalForecast) -> Result<Table> {
    let m = super::running_by_month(f)?;
    Ok(Table::new()
        .text("month", m.iter().map(|m| &m.month))
        .counts("renewals", m.iter().map(|m| m.renewals))
        .amounts("at_stake", m.iter().map(|m| m.at_stake))
        .amounts("expected", m.iter().map(|m| m.expected))
        .text("currency", m.iter().map(|_| f.currency.code()))
        .numbers("p10", m.iter().map(|m| m.p10))
        .numbers("p50", m.iter().map(|m| m.p50))
        .numbers("p90", m.iter().map(|m| m.p90))
        .take())
}

/// One row per renewal in the window, by date then account: `account_id`, `name`,
/// `segment` and `csm` (missing when the account has none), `renewal_date`, `month`
/// (`YYYY-MM`), `arr` (in `currency`), `score` and `band` (missing when unscored),
/// `p_renew`, `expected_renewal`, `expected_expansion` and `category` (`commit`,
/// `best_case`, `pipeline` or `at_risk`).
pub fn lines(f: &RenewalForecast) -> Table {
    let l = &f.lines;
    Table::new()
        .text("account_id", l.iter().map(|l| &l.account_id))
        .text("name", l.iter().map(|l| &l.name))
        .maybe_text("segment", l.iter().map(|l| l.segment.as_deref()))
        .maybe_text("csm", l.iter().map(|l| l.csm.as_deref()))
        .dates("renewal_date", l.iter().map(|l| l.renewal_date))
        .text("month", l.iter().map(|l| &l.month))
        .amounts("arr", l.iter().map(|l| l.arr))
        .text("currency", l.iter().map(|_| f.currency.code()))
        .maybe_numbers("score", l.iter().map(|l| l.score))
        .bands("band", &f.bands, l.iter().map(|l| l.band.as_deref()))
        .numbers("p_renew", l.iter().map(|l| l.p_renew))
        .amounts("expected_renewal", l.iter().map(|l| l.expected_renewal))
        .amounts("expected_expansion", l.iter().map(|l| l.expected_expansion))
        .text("category", l.iter().map(|l| l.category.as_str()))
        .take()
}

/// Which subtotals of a forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubtotalBy {
    /// By segment.
    Segment,
    /// By owning CSM.
    Csm,
    /// By renewal month.
    Month,
}

/// Subtotals keyed by `segment`, `csm` or `month` (the key column), then `renewals`, `arr`,
/// `expected_renewal`, `expected_expansion` (amounts) and `currency`. Lines without a
/// segment or CSM are under [`super::NO_GROUP`].
pub fn subtotals(f: &RenewalForecast, by: SubtotalBy) -> Table {
    let (key, rows) = match by {
        SubtotalBy::Segment => ("segment", &f.by_segment),
        SubtotalBy::Csm => ("csm", &f.by_csm),
        SubtotalBy::Month => ("month", &f.by_month),
    };
    subtotal_table(key, rows, f.currency)
}

fn subtotal_table(key: &str, rows: &[Subtotal], currency: Currency) -> Table {
    Table::new()
        .text(key, rows.iter().map(|s| &s.key))
        .counts("renewals", rows.iter().map(|s| s.renewals))
        .amounts("arr", rows.iter().map(|s| s.arr))
        .amounts("expected_renewal", rows.iter().map(|s| s.expected_renewal))
        .amounts(
            "expected_expansion",
            rows.iter().map(|s| s.expected_expansion),
        )
        .text("currency", rows.iter().map(|_| currency.code()))
        .take()
}

/// The accounts where the forecast and the CRM disagree: `kind`, `account_id`,
/// `opportunity_id` (missing when the issue has none) and `detail`.
pub fn issues(r: &Reconciliation) -> Table {
    let i = &r.issues;
    Table::new()
        .names_of("kind", i.iter().map(|i| &i.kind))
        .text("account_id", i.iter().map(|i| &i.account_id))
        .maybe_text(
            "opportunity_id",
            i.iter().map(|i| i.opportunity_id.as_deref()),
        )
        .text("detail", i.iter().map(|i| &i.detail))
        .take()
}

/// Every account's health on a day ([`super::health_as_of`]): `account_id`, `score` and
/// `band` (missing when unscored; the band a category of the scorecard's bands).
pub fn health(health: &BTreeMap<String, Health>, card: &Scorecard) -> Table {
    Table::new()
        .text("account_id", health.keys())
        .maybe_numbers("score", health.values().map(|h| h.score))
        .bands(
            "band",
            &band_names(card),
            health.values().map(|h| h.band.as_deref()),
        )
        .take()
}
