//! Reconciliation: the forecast set against the CRM's renewal opportunities, so a forecast
//! that disagrees with what the sales team has in the pipeline says where and by how much.
//! Renewals with no open opportunity, opportunities with no renewal due, amounts that differ
//! from ARR, close dates outside the renewal month, and "commit" deals on accounts the health
//! score calls at risk; the total gap passes or fails against a tolerance.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::{Deserialize, Serialize};

use super::{RenewalForecast, in_reporting, to_cents};
use crate::book::Book;
use crate::money::{Money, RatesUsed};
use crate::record::{ForecastCategory, OpportunityKind, OpportunityStatus};
use crate::{Error, Result};

/// What kind of disagreement with the CRM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[non_exhaustive]
pub enum IssueKind {
    /// A renewal is due but the CRM has no open renewal opportunity for it.
    MissingOpportunity,
    /// An open renewal opportunity closes in the window but no renewal is due.
    NoRenewalDue,
    /// The opportunity's amount differs from the ARR up for renewal.
    AmountMismatch,
    /// The opportunity closes in another month than the renewal.
    CloseDateOutsideRenewalMonth,
    /// A "commit" opportunity on an account the health score calls at risk.
    CommitOnAtRiskAccount,
}

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct ReconciliationIssue {
    /// The kind.
    pub kind: IssueKind,
    /// The account.
    pub account_id: String,
    /// The opportunity, when there is one.
    pub opportunity_id: Option<String>,
    /// What differs, in a sentence.
    pub detail: String,
}

/// The forecast against the CRM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Reconciliation {
    /// ARR up for renewal in the forecast.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub forecast_arr: Decimal,
    /// The CRM's open renewal opportunities closing in the window (matched or not).
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub crm_arr: Decimal,
    /// `(forecast − CRM) / CRM` (`None` when the CRM total is zero).
    pub gap: Option<f64>,
    /// The tolerance.
    pub tolerance: f64,
    /// Whether `|gap| ≤ tolerance`.
    pub passes: bool,
    /// The forecast's expected renewal ARR.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub forecast_expected: Decimal,
    /// The CRM's probability-weighted renewal amount.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub crm_weighted: Decimal,
    /// Every disagreement, by kind then account.
    pub issues: Vec<ReconciliationIssue>,
    /// The FX rates behind both sides (the forecast's and the CRM opportunities'); `None`
    /// when the book has no FX table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates_used: Option<RatesUsed>,
}

/// How to reconcile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReconcileConfig {
    /// Pass when the totals differ by at most this share (default 0.02).
    pub tolerance: f64,
    /// Flag an opportunity whose amount differs from ARR by more than this share (default
    /// 0.01).
    pub amount_tolerance: f64,
    /// An opportunity matches a renewal when it closes within this many days of it (default
    /// 60).
    pub match_days: i64,
    /// Accounts in these bands count as at risk for "commit" checks (default: `red`).
    pub at_risk_bands: Vec<String>,
}

impl Default for ReconcileConfig {
    fn default() -> Self {
        ReconcileConfig {
            tolerance: 0.02,
            amount_tolerance: 0.01,
            match_days: 60,
            at_risk_bands: vec!["red".into()],
        }
    }
}

/// Reconcile a forecast with the book's CRM opportunities.
pub fn reconcile(
    book: &Book,
    forecast: &RenewalForecast,
    cfg: &ReconcileConfig,
) -> Result<Reconciliation> {
    if !(cfg.tolerance >= 0.0 && cfg.amount_tolerance >= 0.0 && cfg.match_days >= 0) {
        return Err(Error::Config(vec![
            "tolerances and match days must be non-negative".into(),
        ]));
    }
    let currency = forecast.currency;
    let mut rates = book.fx().map(|_| {
        forecast
            .rates_used
            .clone()
            .unwrap_or_else(|| RatesUsed::new(currency))
    });
    // At the rate in force on the opportunity's close day (a dated FX table).
    let mut convert =
        |m: &Money, day: NaiveDate| in_reporting(book, currency, rates.as_mut(), m, day);
    let mut issues = Vec::new();
    let mut used: std::collections::BTreeSet<String> = Default::default();
    let mut crm_arr = Decimal::ZERO;
    let mut crm_weighted = Decimal::ZERO;
    for line in &forecast.lines {
        let a = book
            .account_index(&line.account_id)
            .ok_or_else(|| Error::Config(vec![format!("unknown account `{}`", line.account_id)]))?;
        let best = book
            .opportunities_of(a)
            .iter()
            .filter(|o| {
                o.kind == OpportunityKind::Renewal
                    && o.status == OpportunityStatus::Open
                    && (o.close_date - line.renewal_date).num_days().abs() <= cfg.match_days
            })
            .min_by_key(|o| {
                (
                    (o.close_date - line.renewal_date).num_days().abs(),
                    o.id.clone(),
                )
            });
        let Some(o) = best else {
            issues.push(ReconciliationIssue {
                kind: IssueKind::MissingOpportunity,
                account_id: line.account_id.clone(),
                opportunity_id: None,
                detail: format!(
                    "renews {} with ARR {} {}, but the CRM has no open renewal opportunity",
                    line.renewal_date, line.arr, currency
                ),
            });
            continue;
        };
        used.insert(o.id.clone());
        let amount = to_cents(convert(&o.amount, o.close_date)?);
        crm_arr += amount;
        crm_weighted += amount * Decimal::from_f64(o.probability).unwrap_or_default();
        let diff = (amount - line.arr).abs();
        let tol = line.arr * Decimal::from_f64(cfg.amount_tolerance).unwrap_or_default();
        if diff > tol {
            issues.push(ReconciliationIssue {
                kind: IssueKind::AmountMismatch,
                account_id: line.account_id.clone(),
                opportunity_id: Some(o.id.clone()),
                detail: format!(
                    "opportunity amount {amount} {currency} vs ARR {} {currency}",
                    line.arr
                ),
            });
        }
        if (o.close_date.year(), o.close_date.month())
            != (line.renewal_date.year(), line.renewal_date.month())
        {
            issues.push(ReconciliationIssue {
                kind: IssueKind::CloseDateOutsideRenewalMonth,
                account_id: line.account_id.clone(),
                opportunity_id: Some(o.id.clone()),
                detail: format!("closes {} but renews {}", o.close_date, line.renewal_date),
            });
        }
        if o.forecast_category == ForecastCategory::Commit
            && line
                .band
                .as_ref()
                .is_some_and(|b| cfg.at_risk_bands.contains(b))
        {
            issues.push(ReconciliationIssue {
                kind: IssueKind::CommitOnAtRiskAccount,
                account_id: line.account_id.clone(),
                opportunity_id: Some(o.id.clone()),
                detail: format!(
                    "the CRM says commit; health says {} (score {})",
                    line.band.as_deref().unwrap_or("-"),
                    line.score.map_or("-".into(), |s| format!("{s:.1}"))
                ),
            });
        }
    }
    // Open renewal opportunities in the window that no renewal claimed.
    for (a, acc) in book.accounts().iter().enumerate() {
        for o in book.opportunities_of(a) {
            if o.kind == OpportunityKind::Renewal
                && o.status == OpportunityStatus::Open
                && o.close_date >= forecast.from
                && o.close_date <= forecast.to
                && !used.contains(&o.id)
            {
                let amount = to_cents(convert(&o.amount, o.close_date)?);
                crm_arr += amount;
                crm_weighted += amount * Decimal::from_f64(o.probability).unwrap_or_default();
                issues.push(ReconciliationIssue {
                    kind: IssueKind::NoRenewalDue,
                    account_id: acc.id.clone(),
                    opportunity_id: Some(o.id.clone()),
                    detail: format!(
                        "open renewal opportunity of {amount} {currency} closing {}, but no renewal is due in the window",
                        o.close_date
                    ),
                });
            }
        }
    }
    issues.sort_by(|a, b| (a.kind, &a.account_id).cmp(&(b.kind, &b.account_id)));
    let gap = if crm_arr.is_zero() {
        None
    } else {
        ((forecast.arr - crm_arr) / crm_arr).to_f64()
    };
    Ok(Reconciliation {
        forecast_arr: forecast.arr,
        crm_arr,
        gap,
        tolerance: cfg.tolerance,
        passes: gap.is_some_and(|g| g.abs() <= cfg.tolerance),
        forecast_expected: forecast.expected_renewal,
        crm_weighted: to_cents(crm_weighted),
        issues,
        rates_used: rates,
    })
}
