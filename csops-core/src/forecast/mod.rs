//! The renewal forecast, and its reconciliation with the CRM.
//!
//! For a window (say next quarter), every account renewing in it becomes a forecast line: its
//! ARR today, its probability of renewing, the ARR that probability expects to renew, and the
//! expansion expected on it. The probability comes, in order of preference, from
//! - a **calibrated mapping** of the health score (a re-calibration's Platt or isotonic fit,
//!   see [`crate::backtest`]): the honest choice, because it was proven on past renewals;
//! - **band priors**: a renewal rate per health band (by default the rates a back-test
//!   measured, or the priors in [`RenewalProbability::default_band_priors`]);
//! - or **probabilities the caller supplies** per account (a CSM's call, another model).
//!
//! Totals come by segment, CSM and month; the **distribution** of renewed ARR gives P10 / P50 /
//! P90 (exact enumeration for up to 20 renewals, a dynamic programme over amounts for more,
//! or a seeded Monte Carlo); CRM-style **categories** (commit, best case, pipeline) follow from
//! probability thresholds.
//!
//! The [`Reconciliation`] sets the forecast against the CRM's open renewal opportunities:
//! missing opportunities, opportunities with no renewal due, amounts that differ from ARR,
//! close dates outside the renewal month, and "commit" deals on accounts the health score calls
//! at risk; the total gap in % passes or fails against a tolerance (default 2%).
//!
//! Amounts are exact decimals in the book's reporting currency; probabilities and the
//! distribution's quantiles are `f64` (a quantile of a sum of coin flips is a statistic, not a
//! ledger amount).

mod months;
mod options;
mod reconcile;
mod render;
pub mod tables;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::{Deserialize, Serialize};

use crate::backtest::ProbabilityMap;
use crate::book::Book;
use crate::money::{Currency, Money, RatesUsed};
use crate::record::{ForecastCategory, OpportunityKind, OpportunityStatus};
use crate::retention::{ArrHistory, arr_bridge};
use crate::{Error, Result};
pub use months::{MonthOutlook, running_by_month};
pub use options::{ForecastOptions, ProbabilityOptions};
pub use reconcile::{IssueKind, ReconcileConfig, Reconciliation, ReconciliationIssue, reconcile};

/// An account's health on the forecast day, as the forecast uses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Health {
    /// The score, if scored.
    pub score: Option<f64>,
    /// The band, if scored.
    pub band: Option<String>,
}

/// Where each renewal's probability comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RenewalProbability {
    /// `P(renew) = 1 − P(churn | score)` from a calibrated mapping; unscored accounts take
    /// `fallback`.
    Calibrated {
        /// The score → P(churn) mapping.
        map: ProbabilityMap,
        /// P(renew) for accounts without a score.
        fallback: f64,
    },
    /// P(renew) per band; accounts without a band (or of a band not listed) take `fallback`.
    BandPriors {
        /// Band name → P(renew).
        priors: BTreeMap<String, f64>,
        /// P(renew) otherwise.
        fallback: f64,
    },
    /// P(renew) per account id; accounts not listed take `fallback`.
    Supplied {
        /// Account id → P(renew).
        probabilities: BTreeMap<String, f64>,
        /// P(renew) otherwise.
        fallback: f64,
    },
}

impl RenewalProbability {
    /// Priors for the default bands, for when no back-test is at hand: red 0.70, yellow 0.85,
    /// green 0.95, unscored 0.85. Assumptions, not measurements; replace them with a
    /// back-test's band renewal rates.
    pub fn default_band_priors() -> Self {
        RenewalProbability::BandPriors {
            priors: [("red", 0.70), ("yellow", 0.85), ("green", 0.95)]
                .into_iter()
                .map(|(b, p)| (b.to_string(), p))
                .collect(),
            fallback: 0.85,
        }
    }

    fn validate(&self) -> Result<()> {
        let ok = |p: f64| (0.0..=1.0).contains(&p);
        let bad: Vec<String> = match self {
            RenewalProbability::Calibrated { fallback, map } => {
                map.validate()?;
                (!ok(*fallback))
                    .then(|| format!("fallback {fallback}"))
                    .into_iter()
                    .collect()
            }
            RenewalProbability::BandPriors { priors, fallback } => priors
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .chain([("fallback".to_string(), *fallback)])
                .filter(|(_, v)| !ok(*v))
                .map(|(k, v)| format!("{k}: {v}"))
                .collect(),
            RenewalProbability::Supplied {
                probabilities,
                fallback,
            } => probabilities
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .chain([("fallback".to_string(), *fallback)])
                .filter(|(_, v)| !ok(*v))
                .map(|(k, v)| format!("{k}: {v}"))
                .collect(),
        };
        if bad.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(
                bad.into_iter()
                    .map(|b| format!("renewal probability {b} is not in 0–1"))
                    .collect(),
            ))
        }
    }

    fn p_renew(&self, account_id: &str, health: Option<&Health>) -> f64 {
        match self {
            RenewalProbability::Calibrated { map, fallback } => health
                .and_then(|h| h.score)
                .map_or(*fallback, |s| 1.0 - map.probability(s)),
            RenewalProbability::BandPriors { priors, fallback } => health
                .and_then(|h| h.band.as_ref())
                .and_then(|b| priors.get(b))
                .copied()
                .unwrap_or(*fallback),
            RenewalProbability::Supplied {
                probabilities,
                fallback,
            } => probabilities.get(account_id).copied().unwrap_or(*fallback),
        }
    }
}

/// Where expected expansion comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExpansionSource {
    /// Open expansion opportunities closing in the window, amount × probability.
    #[default]
    Opportunities,
    /// The book's trailing-twelve-month expansion rate, pro rata for the window, on each
    /// renewing account's ARR, times its probability of renewing.
    History,
    /// None.
    None,
}

/// How the distribution of renewed ARR is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DistributionMethod {
    /// Exact up to 20 renewals, the dynamic programme beyond.
    #[default]
    Auto,
    /// Every combination of outcomes (at most 20 renewals).
    Exact,
    /// A dynamic programme over amounts on a grid of at most 100,000 steps: each ARR is
    /// rounded to the grid, so quantiles are within `renewals × step / 2` of exact.
    Grid,
    /// Seeded Monte Carlo.
    MonteCarlo,
}

/// How to forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForecastConfig {
    /// First day of the window (inclusive).
    pub start: Option<NaiveDate>,
    /// Last day of the window (inclusive).
    pub end: Option<NaiveDate>,
    /// The day the forecast is made (ARR and health as of then; default: the book's latest
    /// date).
    pub as_of: Option<NaiveDate>,
    /// Probability of renewal.
    pub probability: RenewalProbability,
    /// Expected expansion.
    pub expansion: ExpansionSource,
    /// Distribution method.
    pub distribution: DistributionMethod,
    /// Monte Carlo draws.
    pub draws: u32,
    /// Monte Carlo seed.
    pub seed: u64,
    /// P(renew) from which a renewal is "commit" (default 0.9).
    pub commit_from: f64,
    /// P(renew) from which a renewal is "best case" (default 0.6); below: "pipeline".
    pub best_case_from: f64,
}

impl Default for ForecastConfig {
    fn default() -> Self {
        ForecastConfig {
            start: None,
            end: None,
            as_of: None,
            probability: RenewalProbability::default_band_priors(),
            expansion: ExpansionSource::Opportunities,
            distribution: DistributionMethod::Auto,
            draws: 20_000,
            seed: 42,
            commit_from: 0.9,
            best_case_from: 0.6,
        }
    }
}

/// The subtotal key of the renewals of accounts without a segment (or without an owner).
pub const NO_GROUP: &str = "none";

/// One renewal in the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct RenewalLine {
    /// The account.
    pub account_id: String,
    /// Its name.
    pub name: String,
    /// Segment (None if the account has none).
    pub segment: Option<String>,
    /// Owning CSM (None if the account has no owner).
    pub csm: Option<String>,
    /// Renewal day.
    #[serde(deserialize_with = "crate::options::day")]
    pub renewal_date: NaiveDate,
    /// Month, `YYYY-MM`.
    pub month: String,
    /// ARR up for renewal.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub arr: Decimal,
    /// Health score on the forecast day.
    pub score: Option<f64>,
    /// Band on the forecast day.
    pub band: Option<String>,
    /// Probability of renewing.
    pub p_renew: f64,
    /// `arr × p_renew`, to the cent.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub expected_renewal: Decimal,
    /// Expected expansion on the account in the window, to the cent.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub expected_expansion: Decimal,
    /// Commit, best case or pipeline.
    pub category: ForecastCategory,
}

/// A subtotal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "ForecastSubtotal")
)]
pub struct Subtotal {
    /// Segment, CSM or month (`none`, [`NO_GROUP`], for the lines without a segment or CSM).
    pub key: String,
    /// Renewals.
    pub renewals: u64,
    /// ARR up for renewal.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub arr: Decimal,
    /// Expected renewal ARR.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub expected_renewal: Decimal,
    /// Expected expansion.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub expected_expansion: Decimal,
}

/// The distribution of renewed ARR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "RenewalDistribution")
)]
pub struct Distribution {
    /// `exact`, `grid` or `monte_carlo`.
    pub method: String,
    /// For `grid`: the step amounts were rounded to; for `monte_carlo`: the draws.
    pub resolution: f64,
    /// Mean (equals the expected renewal total up to rounding).
    pub mean: f64,
    /// 10th percentile: a bad quarter.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile: a good quarter.
    pub p90: f64,
    /// The 1st to 99th percentiles (99 values, increasing): the whole distribution, to plot
    /// its curve or read any other percentile.
    #[serde(default)]
    pub percentiles: Vec<f64>,
}

impl Distribution {
    /// Summarise `sorted` (value, probability) pairs, increasing by value.
    fn of(method: &str, resolution: f64, mean: f64, sorted: &[(f64, f64)]) -> Distribution {
        Distribution {
            method: method.into(),
            resolution,
            mean,
            p10: quantile(sorted, 0.1),
            p50: quantile(sorted, 0.5),
            p90: quantile(sorted, 0.9),
            percentiles: (1..100)
                .map(|k| quantile(sorted, f64::from(k) / 100.0))
                .collect(),
        }
    }
}

/// The forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct RenewalForecast {
    /// Forecast day.
    #[serde(deserialize_with = "crate::options::day")]
    pub as_of: NaiveDate,
    /// Window start.
    #[serde(deserialize_with = "crate::options::day")]
    pub from: NaiveDate,
    /// Window end.
    #[serde(deserialize_with = "crate::options::day")]
    pub to: NaiveDate,
    /// Reporting currency.
    pub currency: Currency,
    /// One line per renewal, by date then account.
    pub lines: Vec<RenewalLine>,
    /// ARR up for renewal.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub arr: Decimal,
    /// Expected renewal ARR.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub expected_renewal: Decimal,
    /// Expected expansion on renewing accounts.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub expected_expansion: Decimal,
    /// Expected expansion on accounts not renewing in the window.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub other_expansion: Decimal,
    /// ARR of commit renewals.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub commit: Decimal,
    /// ARR of best-case renewals (commit excluded).
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub best_case: Decimal,
    /// ARR of pipeline renewals.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub pipeline: Decimal,
    /// By segment (accounts without one under `none`, [`NO_GROUP`]).
    pub by_segment: Vec<Subtotal>,
    /// By CSM (accounts without an owner under `none`, [`NO_GROUP`]).
    pub by_csm: Vec<Subtotal>,
    /// By month.
    pub by_month: Vec<Subtotal>,
    /// Renewed-ARR distribution (`None` when nothing renews in the window).
    pub distribution: Option<Distribution>,
    /// The bands of the health the forecast read (every account's), lowest first, ordered by
    /// the scores behind them: the order of a band column.
    #[serde(default)]
    pub bands: Vec<String>,
    /// The FX rates behind its amounts (each line's ARR on the forecast day, the
    /// opportunities weighed, the history an expansion rate comes from); `None` when the book
    /// has no FX table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates_used: Option<RatesUsed>,
}

impl RenewalForecast {
    /// A forecast given back (stored as JSON, handed from another language) with its totals
    /// the sums of its lines, so a reconciliation reports the figures it checks. Totals that
    /// do not add up are an [`Error::InvalidArgument`] naming them.
    pub fn check_totals(&self) -> Result<()> {
        let arr: Decimal = self.lines.iter().map(|l| l.arr).sum();
        let expected: Decimal = self.lines.iter().map(|l| l.expected_renewal).sum();
        if arr == self.arr && expected == self.expected_renewal {
            return Ok(());
        }
        Err(Error::InvalidArgument {
            path: String::new(),
            reason: format!(
                "the forecast does not add up: `arr` {} and `expected_renewal` {} against the \
                 lines' {arr} and {expected}; pass the forecast as it was made",
                self.arr, self.expected_renewal
            ),
        })
    }
}

/// An opportunity's amount in the reporting currency, at the rate in force on `day` (a dated
/// FX table), noting the rate in `used` when the book has an FX table. Without one, an amount
/// in another currency is a money error.
fn in_reporting(
    book: &Book,
    currency: Currency,
    used: Option<&mut RatesUsed>,
    m: &Money,
    day: NaiveDate,
) -> Result<Decimal> {
    match (book.fx(), used) {
        (Some(fx), Some(u)) => Ok(fx.convert_noting(m, day, u)?.amount),
        (Some(fx), None) => Ok(fx.convert_on(m, day)?.amount),
        (None, _) if m.currency == currency => Ok(m.amount),
        (None, _) => Err(Error::Money(crate::money::MoneyError::CurrencyMismatch {
            left: currency,
            right: m.currency,
        })),
    }
}

/// To the cent, half to even (banker's rounding, so rounding errors do not drift one way).
fn to_cents(d: Decimal) -> Decimal {
    d.round_dp(2)
}

/// Forecast the renewals of a window. `health` gives each account's score and band on the
/// forecast day (see [`health_as_of`]); it may be empty when the probability does not use it.
pub fn forecast(
    book: &Book,
    health: &BTreeMap<String, Health>,
    cfg: &ForecastConfig,
) -> Result<RenewalForecast> {
    crate::fault::checkpoint("forecast");
    cfg.probability.validate()?;
    if !(0.0..=1.0).contains(&cfg.commit_from)
        || !(0.0..=1.0).contains(&cfg.best_case_from)
        || cfg.best_case_from > cfg.commit_from
    {
        return Err(Error::Config(vec![format!(
            "category thresholds must satisfy 0 ≤ best_case_from ({}) ≤ commit_from ({}) ≤ 1",
            cfg.best_case_from, cfg.commit_from
        )]));
    }
    let as_of = cfg
        .as_of
        .or_else(|| book.latest_date())
        .ok_or_else(|| Error::Config(vec!["the book has no dated records; give as_of".into()]))?;
    let (from, to) = window(as_of, cfg)?;
    let history = ArrHistory::from_book(book)?;
    let currency = history.currency();
    let mut used = book.fx().map(|_| RatesUsed::new(currency));
    // At the rate in force on the opportunity's close day (a dated FX table).
    let mut convert =
        |m: &Money, day: NaiveDate| in_reporting(book, currency, used.as_mut(), m, day);
    // Expansion opportunities closing in the window, per account.
    let mut opp_expansion: Vec<Decimal> = vec![Decimal::ZERO; book.accounts().len()];
    if cfg.expansion == ExpansionSource::Opportunities {
        for (a, e) in opp_expansion.iter_mut().enumerate() {
            for o in book.opportunities_of(a) {
                if o.kind == OpportunityKind::Expansion
                    && o.status == OpportunityStatus::Open
                    && o.close_date >= from
                    && o.close_date <= to
                {
                    let p = Decimal::from_f64(o.probability).unwrap_or_default();
                    *e += convert(&o.amount, o.close_date)? * p;
                }
            }
        }
    }
    let history_rate = if cfg.expansion == ExpansionSource::History {
        let year_ago = as_of
            .checked_sub_months(chrono::Months::new(12))
            .ok_or_else(|| Error::Config(vec![format!("{as_of} is too early for history")]))?;
        let b = arr_bridge(&history, year_ago, as_of)?;
        if let Some(u) = used.as_mut() {
            u.merge(&history.rates_used_on(year_ago));
            u.merge(&history.rates_used_on(as_of));
        }
        let days = Decimal::from((to - from).num_days() + 1) / Decimal::from(365);
        if b.start.is_zero() {
            Decimal::ZERO
        } else {
            b.expansion / b.start * days
        }
    } else {
        Decimal::ZERO
    };

    let mut lines = Vec::new();
    let mut other_expansion = Decimal::ZERO;
    for (a, acc) in book.accounts().iter().enumerate() {
        // Converted amounts carry the rate's decimals; a forecast line is in cents.
        let arr = to_cents(history.arr_on(a, as_of));
        let renewal = acc.next_renewal_on_or_after(from).filter(|d| *d <= to);
        let Some(renewal_date) = renewal.filter(|_| arr > Decimal::ZERO) else {
            other_expansion += opp_expansion[a];
            continue;
        };
        if let (Some(u), Some(r)) = (used.as_mut(), history.rate_on(a, as_of)) {
            u.note(r);
        }
        let h = health.get(&acc.id);
        let p = cfg.probability.p_renew(&acc.id, h);
        let pd = Decimal::from_f64(p).unwrap_or_default();
        let expected_expansion = to_cents(match cfg.expansion {
            ExpansionSource::Opportunities => opp_expansion[a],
            ExpansionSource::History => arr * history_rate * pd,
            ExpansionSource::None => Decimal::ZERO,
        });
        let category = if p >= cfg.commit_from {
            ForecastCategory::Commit
        } else if p >= cfg.best_case_from {
            ForecastCategory::BestCase
        } else {
            ForecastCategory::Pipeline
        };
        lines.push(RenewalLine {
            account_id: acc.id.clone(),
            name: acc.name.clone(),
            segment: acc.segment.clone(),
            csm: acc.owner_csm.clone(),
            renewal_date,
            month: format!("{}-{:02}", renewal_date.year(), renewal_date.month()),
            arr,
            score: h.and_then(|h| h.score),
            band: h.and_then(|h| h.band.clone()),
            p_renew: p,
            expected_renewal: to_cents(arr * pd),
            expected_expansion,
            category,
        });
    }
    lines.sort_by(|a, b| (a.renewal_date, &a.account_id).cmp(&(b.renewal_date, &b.account_id)));
    let sum = |f: &dyn Fn(&RenewalLine) -> Decimal| lines.iter().map(f).sum::<Decimal>();
    let in_cat = |c: ForecastCategory| {
        lines
            .iter()
            .filter(|l| l.category == c)
            .map(|l| l.arr)
            .sum::<Decimal>()
    };
    let subtotal = |key: &dyn Fn(&RenewalLine) -> String| -> Vec<Subtotal> {
        let mut m: BTreeMap<String, Subtotal> = BTreeMap::new();
        for l in &lines {
            let k = key(l);
            let s = m.entry(k.clone()).or_insert(Subtotal {
                key: k,
                renewals: 0,
                arr: Decimal::ZERO,
                expected_renewal: Decimal::ZERO,
                expected_expansion: Decimal::ZERO,
            });
            s.renewals += 1;
            s.arr += l.arr;
            s.expected_renewal += l.expected_renewal;
            s.expected_expansion += l.expected_expansion;
        }
        m.into_values().collect()
    };
    let amounts: Vec<(f64, f64)> = lines
        .iter()
        .map(|l| (l.arr.to_f64().unwrap_or(0.0), l.p_renew))
        .collect();
    let distribution = distribution(&amounts, cfg)?;
    Ok(RenewalForecast {
        as_of,
        from,
        to,
        currency,
        arr: sum(&|l| l.arr),
        expected_renewal: sum(&|l| l.expected_renewal),
        expected_expansion: sum(&|l| l.expected_expansion),
        other_expansion: to_cents(other_expansion),
        commit: in_cat(ForecastCategory::Commit),
        best_case: in_cat(ForecastCategory::BestCase),
        pipeline: in_cat(ForecastCategory::Pipeline),
        by_segment: subtotal(&|l| l.segment.clone().unwrap_or_else(|| NO_GROUP.into())),
        by_csm: subtotal(&|l| l.csm.clone().unwrap_or_else(|| NO_GROUP.into())),
        by_month: subtotal(&|l| l.month.clone()),
        distribution,
        bands: band_order(health.values()),
        lines,
        rates_used: used,
    })
}

/// The bands of the health read (every account's, not only the window's), lowest first: by
/// the lowest score seen in each (a band is a range of scores, so any score in it orders it),
/// then by name for bands seen without a score.
fn band_order<'a>(health: impl IntoIterator<Item = &'a Health>) -> Vec<String> {
    let mut lowest: BTreeMap<&str, f64> = BTreeMap::new();
    for h in health {
        if let Some(b) = &h.band {
            let s = h.score.unwrap_or(f64::INFINITY);
            let e = lowest.entry(b.as_str()).or_insert(s);
            *e = e.min(s);
        }
    }
    let mut bands: Vec<(&str, f64)> = lowest.into_iter().collect();
    bands.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
    bands.into_iter().map(|(b, _)| b.to_string()).collect()
}

/// The window: the configured days, or by default the calendar quarter after `as_of`.
fn window(as_of: NaiveDate, cfg: &ForecastConfig) -> Result<(NaiveDate, NaiveDate)> {
    let next_quarter = || {
        let q0 = as_of.month0() / 3 * 3;
        let first = NaiveDate::from_ymd_opt(as_of.year(), q0 + 1, 1)?;
        let start = first.checked_add_months(chrono::Months::new(3))?;
        let end = start
            .checked_add_months(chrono::Months::new(3))?
            .pred_opt()?;
        Some((start, end))
    };
    let (from, to) = match (cfg.start, cfg.end) {
        (Some(f), Some(t)) => (f, t),
        (None, None) => next_quarter()
            .ok_or_else(|| Error::Config(vec![format!("no quarter after {as_of}")]))?,
        _ => {
            return Err(Error::Config(vec![
                "give both `start` and `end`, or neither (the quarter after as_of)".into(),
            ]));
        }
    };
    if from > to {
        return Err(Error::Config(vec![format!(
            "the window runs backwards: {from} is after {to}"
        )]));
    }
    Ok((from, to))
}

/// Quantile `q` of a discrete distribution given as sorted (value, probability) pairs: the
/// smallest value whose cumulative probability reaches `q` (less a rounding allowance).
fn quantile(sorted: &[(f64, f64)], q: f64) -> f64 {
    let mut c = 0.0;
    for &(v, p) in sorted {
        c += p;
        if c >= q - 1e-12 {
            return v;
        }
    }
    sorted.last().map_or(0.0, |x| x.0)
}

/// The distribution of `Σ amount_i · Bernoulli(p_i)`.
pub fn renewed_arr_distribution(
    amounts: &[(f64, f64)],
    method: DistributionMethod,
    draws: u32,
    seed: u64,
) -> Result<Distribution> {
    if amounts.is_empty() {
        return Err(Error::Config(vec!["no renewals to distribute".into()]));
    }
    if let Some((a, p)) = amounts
        .iter()
        .find(|(a, p)| !a.is_finite() || *a < 0.0 || !(0.0..=1.0).contains(p))
    {
        return Err(Error::Config(vec![format!(
            "amount {a} with probability {p}: amounts must be ≥ 0, probabilities in 0–1"
        )]));
    }
    let n = amounts.len();
    let mean: f64 = amounts.iter().map(|(a, p)| a * p).sum();
    let method = match method {
        DistributionMethod::Auto if n <= 20 => DistributionMethod::Exact,
        DistributionMethod::Auto => DistributionMethod::Grid,
        m => m,
    };
    match method {
        DistributionMethod::Exact => {
            if n > 20 {
                return Err(Error::Config(vec![format!(
                    "exact enumeration is limited to 20 renewals, not {n}"
                )]));
            }
            let mut outcomes: Vec<(f64, f64)> = Vec::with_capacity(1 << n);
            for mask in 0u32..(1 << n) {
                let (mut v, mut p) = (0.0, 1.0);
                for (i, (a, pi)) in amounts.iter().enumerate() {
                    if mask & (1 << i) != 0 {
                        v += a;
                        p *= pi;
                    } else {
                        p *= 1.0 - pi;
                    }
                }
                outcomes.push((v, p));
            }
            outcomes.sort_by(|a, b| a.0.total_cmp(&b.0));
            Ok(Distribution::of("exact", 0.0, mean, &outcomes))
        }
        DistributionMethod::Grid => {
            let total: f64 = amounts.iter().map(|(a, _)| a).sum();
            let step = (total / 100_000.0).max(1.0);
            let size = (total / step).round() as usize + n + 1;
            let mut dist = vec![0.0; size];
            dist[0] = 1.0;
            let mut top = 0;
            for (a, p) in amounts {
                let k = (a / step).round() as usize;
                // An amount that rounds to no step (or never renews) leaves the grid as it is.
                // It must be skipped: with `k == 0` the update below would add `m · p` to
                // `dist[v]` and then overwrite it with `m · (1 − p)`, losing mass `p`.
                if k == 0 || *p == 0.0 {
                    continue;
                }
                for v in (0..=top).rev() {
                    let m = dist[v];
                    if m != 0.0 {
                        dist[v + k] += m * p;
                        dist[v] = m * (1.0 - p);
                    }
                }
                top += k;
            }
            let sorted: Vec<(f64, f64)> = dist[..=top]
                .iter()
                .enumerate()
                .filter(|(_, p)| **p > 0.0)
                .map(|(v, p)| (v as f64 * step, *p))
                .collect();
            Ok(Distribution::of("grid", step, mean, &sorted))
        }
        DistributionMethod::MonteCarlo | DistributionMethod::Auto => {
            if draws == 0 {
                return Err(Error::Config(vec![
                    "Monte Carlo needs at least one draw".into(),
                ]));
            }
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut xs: Vec<f64> = (0..draws)
                .map(|_| {
                    amounts
                        .iter()
                        .filter(|(_, p)| rng.random::<f64>() < *p)
                        .map(|(a, _)| a)
                        .sum()
                })
                .collect();
            xs.sort_by(f64::total_cmp);
            let w = 1.0 / draws as f64;
            let sorted: Vec<(f64, f64)> = xs.into_iter().map(|x| (x, w)).collect();
            Ok(Distribution::of("monte_carlo", draws as f64, mean, &sorted))
        }
    }
}

fn distribution(amounts: &[(f64, f64)], cfg: &ForecastConfig) -> Result<Option<Distribution>> {
    if amounts.is_empty() {
        return Ok(None);
    }
    renewed_arr_distribution(amounts, cfg.distribution, cfg.draws, cfg.seed).map(Some)
}

/// Each account's health read from a table a user gave (the `health` a forecast reads, as
/// [`health_as_of`] makes it): account ids in `id`, scores in `score` (numbers; missing =
/// unscored) and bands in `band` (text); either of the last two may be absent or blank. A
/// score column of text, a band column of numbers, a row without an id or an account twice
/// is an
/// [`Error::Config`] naming it: nothing is dropped or overwritten.
pub fn health_from_table(table: &crate::condition::GivenTable) -> Result<BTreeMap<String, Health>> {
    use crate::condition::Column;
    let t = &table.table;
    let mut problems = Vec::new();
    let ids: &[Option<String>] = match t.columns.get("id") {
        Some(Column::Text(v)) => v,
        _ => {
            return Err(Error::Config(vec![
                "health: the table has no `id` or `account_id` column of account ids".into(),
            ]));
        }
    };
    // A column with no value at all (empty, or every value missing) has no kind to check.
    let blank = |c: &Column| match c {
        Column::Number(v) => v.iter().all(|x| x.is_nan()),
        Column::Text(v) => v.iter().all(Option::is_none),
        Column::Bool(v) => v.iter().all(Option::is_none),
    };
    // A column of the wrong kind is the wrong shape of argument, as a wrong type is.
    let wrong = |field: &str, want: &str| Error::InvalidArgument {
        path: format!("health.{field}"),
        reason: format!("must be {want}"),
    };
    let scores = match t.columns.get("score") {
        Some(Column::Number(v)) => Some(v),
        Some(c) if blank(c) => None,
        Some(_) => return Err(wrong("score", "numbers (a score per account)")),
        None => None,
    };
    let bands = match t.columns.get("band") {
        Some(Column::Text(v)) => Some(v),
        Some(c) if blank(c) => None,
        Some(_) => return Err(wrong("band", "text (a band name per account)")),
        None => None,
    };
    if let Some((field, why)) = table
        .unreadable
        .iter()
        .find(|(f, _)| *f == "score" || *f == "band")
    {
        return Err(wrong(field, &format!("readable: {why}")));
    }
    let mut out = BTreeMap::new();
    for (row, id) in ids.iter().enumerate() {
        let Some(id) = id else {
            problems.push(format!("health: row {row} has no account id"));
            continue;
        };
        let health = Health {
            score: scores.and_then(|s| Some(s[row]).filter(|x| !x.is_nan())),
            band: bands.and_then(|b| b[row].clone()),
        };
        if out.insert(id.clone(), health).is_some() {
            problems.push(format!("health: account `{id}` appears more than once"));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Config(problems))
    }
}

/// Every active account's score and band on a day, for [`forecast`].
pub fn health_as_of(
    book: &Book,
    card: &crate::health::Scorecard,
    as_of: NaiveDate,
    features: &crate::features::FeatureConfig,
) -> Result<BTreeMap<String, Health>> {
    let frame = crate::features::features_as_of(book, as_of, features)?;
    let s = card.score_frame(&frame, None)?;
    Ok(frame
        .account_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            (
                id.clone(),
                Health {
                    score: Some(s.scores[i]).filter(|x| !x.is_nan()),
                    band: s.band(i).map(str::to_string),
                },
            )
        })
        .collect())
}
