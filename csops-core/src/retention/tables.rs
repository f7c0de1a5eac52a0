//! Retention as tables: GRR, NRR and logo retention per cohort or period, and the ARR
//! bridge account by account.

use super::{ArrBridge, Retention};
use crate::table::Table;

/// Retention rows: `label` (`all`, the cohort or the period), `from` and `to` (the row's
/// days), `logos`, `logos_retained`, `start_arr`, `retained_arr`, `end_arr` (amounts in
/// `currency`), `grr`, `nrr` and `logo_retention` (missing for an empty cohort).
pub fn retention(rows: &[Retention]) -> Table {
    let mut t = Table::new();
    t.text("label", rows.iter().map(|r| &r.label))
        .dates("from", rows.iter().map(|r| r.from))
        .dates("to", rows.iter().map(|r| r.to))
        .counts("logos", rows.iter().map(|r| r.logos))
        .counts("logos_retained", rows.iter().map(|r| r.logos_retained))
        .amounts("start_arr", rows.iter().map(|r| r.start_arr))
        .amounts("retained_arr", rows.iter().map(|r| r.retained_arr))
        .amounts("end_arr", rows.iter().map(|r| r.end_arr))
        .text("currency", rows.iter().map(|r| r.currency.code()))
        .maybe_numbers("grr", rows.iter().map(|r| r.grr))
        .maybe_numbers("nrr", rows.iter().map(|r| r.nrr))
        .maybe_numbers("logo_retention", rows.iter().map(|r| r.logo_retention));
    t
}

/// The bridge account by account: `account_id`, `start` and `end` (ARR on each day) and
/// `movement` (`none`, `flat`, `new`, `expansion`, `contraction`, `churn` or `reactivation`).
pub fn movements(bridge: &ArrBridge) -> Table {
    let a = &bridge.accounts;
    Table::new()
        .text("account_id", a.iter().map(|m| &m.account_id))
        .amounts("start", a.iter().map(|m| m.start))
        .amounts("end", a.iter().map(|m| m.end))
        .names_of("movement", a.iter().map(|m| &m.movement))
        .take()
}
