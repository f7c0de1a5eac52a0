//! Back-testing: does the health score predict churn?
//!
//! "A score that doesn't actually predict churn is theater." A back-test replays the past: for
//! every renewal in a window (by default the last four quarters), it scores the account **as
//! of a lead time before the renewal date** (by default 90 days, the time a CSM needs to act)
//! using only what was known then, and sets that score beside what happened. If red accounts
//! renewed at the same rate as green ones, the scorecard is wrong, however reasonable its
//! weights look.
//!
//! The [`BacktestReport`] answers, overall and per quarter:
//! - **per band**: renewals, renewal rate with a Wilson 95% interval, ARR up for renewal and
//!   ARR renewed (logo and ARR views side by side);
//! - **red vs green**: a two-proportion z test, or Fisher's exact test when counts are small,
//!   and a plain verdict;
//! - **ranking**: ROC AUC with a DeLong 95% interval (0.5 is a coin toss);
//! - **probabilities**: the Brier score and a calibration table by decile of a score → P(churn)
//!   mapping (Platt scaling, fitted on the same renewals unless one is supplied);
//! - **where the churn is**: capture and lift of the riskiest 10% and 20%;
//! - **per measure**: each measure's own AUC and direction, against its weight, flagging
//!   measures weighted far from their predictive power;
//! - **survival**: Kaplan–Meier retention curves by band from scoring time (renewed accounts are
//!   censored, not dropped) with a log-rank test between bands.
//!
//! [`recalibrate`] then fits new weights on older quarters and proves them on the latest.
//! `docs/backtest.md` explains each number and when to distrust it.
//!
//! ```no_run
//! use csops_core::backtest::{backtest, BacktestConfig};
//! use csops_core::health::Scorecard;
//! let loaded = csops_core::interchange::load("data/sample-book", &Default::default())?;
//! let card = Scorecard::default_heuristic();
//! let report = backtest(&loaded.book, &card, &BacktestConfig::default())?;
//! println!("{}", report.render());
//! # Ok::<(), csops_core::Error>(())
//! ```

pub mod fit;
mod observe;
mod recalibrate;
mod render;
pub mod stats;
pub mod tables;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::book::Book;
use crate::features::FeatureConfig;
use crate::health::Scorecard;
use crate::money::{Currency, Money, RatesUsed};
use crate::{Error, Result};
pub use fit::{IsotonicMap, LogisticFit, ProbabilityMap, ProbabilityMethod};
pub use observe::{Observation, Observations, observe};
pub use recalibrate::{
    BandChoice, BandOutcome, HeldOut, MeasureWeight, Recalibration, RecalibrationConfig, Split,
    recalibrate,
};
use stats::{Auc, CalibrationRow, Interval, Lift, SurvivalPoint, Test, Z95};

/// How to run a back-test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BacktestConfig {
    /// Score each account this many days before its renewal date (default 90).
    pub lead_days: u32,
    /// Calendar quarters of renewals to replay, ending with the quarter of `end` (default 4).
    pub quarters: u32,
    /// The last day of the window (default: the latest renewal outcome in the book).
    #[serde(deserialize_with = "crate::options::optional_day")]
    pub end: Option<NaiveDate>,
    /// Count a contraction as churn (default: only churn is churn).
    pub contraction_is_churn: bool,
    /// Feature definitions used for scoring.
    pub features: FeatureConfig,
    /// Shares of riskiest accounts for capture and lift (default 10% and 20%).
    pub lift_fractions: Vec<f64>,
    /// Score → probability mapping for the Brier score and calibration table; default: Platt
    /// scaling fitted on the back-test's own renewals (in-sample, so flattering).
    pub probability: Option<ProbabilityMap>,
    /// Called for each scoring day; answering stop ends the call with
    /// [`crate::Error::Cancelled`] (see [`crate::progress`]).
    #[serde(skip)]
    pub progress: crate::progress::ProgressHook,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        BacktestConfig {
            lead_days: 90,
            quarters: 4,
            end: None,
            contraction_is_churn: false,
            features: FeatureConfig::default(),
            lift_fractions: vec![0.1, 0.2],
            probability: None,
            progress: crate::progress::ProgressHook::none(),
        }
    }
}

/// The band of the renewals that had no score on their scoring day, in [`BandRow::band`]
/// after the scorecard's bands.
pub const UNSCORED: &str = "unscored";

/// Fewer renewals than this behind a rate and it is too few to read alone: a 95% interval on
/// fewer than 20 renewals is wider than ±20 points. Charts mark such rates "too few" (the
/// report, Python's plots), and the bands table flags them (`too_few`).
pub const TOO_FEW_RENEWALS: u64 = 20;

/// One band's renewals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct BandRow {
    /// Band name (or `unscored`, [`UNSCORED`]).
    pub band: String,
    /// Renewals that came due.
    pub renewals: u64,
    /// Of which renewed (did not churn).
    pub renewed: u64,
    /// Renewal rate, 0–1 (`None` when no renewals).
    pub rate: Option<f64>,
    /// Wilson 95% interval of the rate.
    pub ci95: Option<Interval>,
    /// ARR up for renewal.
    pub arr_up: Money,
    /// ARR of the accounts that renewed (before any change at renewal).
    pub arr_renewed: Money,
    /// ARR-weighted renewal rate (`None` when no ARR was up).
    pub arr_rate: Option<f64>,
}

/// The lowest band against the highest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "BandComparison")
)]
pub struct Comparison {
    /// The lowest band (red).
    pub low: String,
    /// The highest band (green).
    pub high: String,
    /// Two-proportion z test of the renewal rates (`None` when undefined).
    pub z_test: Option<Test>,
    /// Fisher's exact test (statistic: odds ratio of renewing, low vs high).
    pub fisher: Test,
    /// `z` or `fisher`: the one the verdict rests on (Fisher when an expected count is
    /// below 5).
    pub test_used: String,
    /// Whether the low band renews at a significantly (p < 0.05) lower rate.
    pub separates: bool,
    /// The verdict in a sentence.
    pub verdict: String,
}

/// The figures of a set of renewals (the whole window, or a quarter).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "BacktestSlice")
)]
pub struct Slice {
    /// Label: `all` or the quarter.
    pub label: String,
    /// Renewals.
    pub renewals: u64,
    /// Churns among them.
    pub churned: u64,
    /// Renewals that could not be scored (insufficient data).
    pub unscored: u64,
    /// Per band, lowest band first, then `unscored` if any.
    pub bands: Vec<BandRow>,
    /// Lowest band vs highest band.
    pub comparison: Option<Comparison>,
    /// ROC AUC of risk (100 − score) for churn (`None` without both outcomes).
    pub auc: Option<Auc>,
    /// Brier score of the probability mapping.
    pub brier: Option<f64>,
    /// Calibration of the probability mapping by decile of predicted risk.
    pub calibration: Vec<CalibrationRow>,
    /// Capture and lift of the riskiest accounts.
    pub lift: Vec<Lift>,
    /// Each measure's own predictive power in these renewals.
    pub measures: Vec<MeasurePower>,
}

/// One measure's own predictive power beside its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct MeasurePower {
    /// Measure name.
    pub measure: String,
    /// Its group.
    pub group: String,
    /// Its nominal share of the score.
    pub weight_share: f64,
    /// Renewals where it had data.
    pub observed: u64,
    /// AUC of (100 − measure score) for churn: above 0.5, a low measure score goes with churn,
    /// as designed.
    pub auc: Option<f64>,
    /// `as designed`, `reversed` or `none` (AUC within 0.02 of 0.5 or not computable).
    pub direction: String,
    /// Its share of the measures' total predictive power (|AUC − 0.5| summed to 1).
    pub power_share: f64,
    /// `over-weighted`, `under-weighted` or `reversed`, when the weight is far from the power.
    pub flag: Option<String>,
}

/// Survival from scoring time, by band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct BandSurvival {
    /// Band name.
    pub band: String,
    /// Kaplan–Meier curve (days since scoring).
    pub curve: Vec<SurvivalPoint>,
}

/// The back-test's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct BacktestReport {
    /// The scorecard tested.
    pub scorecard: String,
    /// First day of the window.
    pub window_start: NaiveDate,
    /// Last day of the window.
    pub window_end: NaiveDate,
    /// Lead time in days.
    pub lead_days: u32,
    /// Whether contractions counted as churn.
    pub contraction_is_churn: bool,
    /// The score → P(churn) mapping used for Brier and calibration.
    pub probability: Option<ProbabilityMap>,
    /// Whether that mapping was fitted on these same renewals.
    pub probability_in_sample: bool,
    /// The whole window.
    pub overall: Slice,
    /// Each quarter.
    pub quarters: Vec<Slice>,
    /// Each measure's own power over the whole window (the same as `overall.measures`; each
    /// quarter's slice has its own).
    pub measures: Vec<MeasurePower>,
    /// Kaplan–Meier curves by band.
    pub survival: Vec<BandSurvival>,
    /// Log-rank test between the bands' curves, with its degrees of freedom.
    pub logrank: Option<(Test, u32)>,
    /// The FX rates the renewals' ARR was converted at; `None` when the book has no FX table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates_used: Option<RatesUsed>,
}

/// Back-test a scorecard on a book: [`observe`], then [`report`].
pub fn backtest(book: &Book, card: &Scorecard, cfg: &BacktestConfig) -> Result<BacktestReport> {
    let obs = observe(book, card, cfg)?;
    report(&obs, card, cfg)
}

/// The report of replayed renewals (see the module documentation for what is in it).
pub fn report(
    obs: &Observations,
    card: &Scorecard,
    cfg: &BacktestConfig,
) -> Result<BacktestReport> {
    let names: Vec<&str> = card.measures().map(|(_, m)| m.name.as_str()).collect();
    if names != obs.measures.iter().map(String::as_str).collect::<Vec<_>>()
        || obs
            .rows
            .iter()
            .any(|o| o.measure_scores.len() != names.len())
    {
        return Err(Error::Config(vec![format!(
            "the observations were made with measures [{}], not scorecard `{}`'s [{}]",
            obs.measures.join(", "),
            card.name,
            names.join(", ")
        )]));
    }
    for f in &cfg.lift_fractions {
        if !(*f > 0.0 && *f <= 1.0) {
            return Err(Error::Config(vec![format!(
                "lift fraction {f} is not in (0, 1]"
            )]));
        }
    }
    let band_names: Vec<String> = card.bands.iter().map(|b| b.name.clone()).collect();
    let scored: Vec<&Observation> = obs.rows.iter().filter(|o| o.score.is_some()).collect();
    let (probability, in_sample) = match &cfg.probability {
        Some(p) => (Some(p.clone()), false),
        None => {
            let s: Vec<f64> = scored.iter().filter_map(|o| o.score).collect();
            let y: Vec<bool> = scored.iter().map(|o| o.churned).collect();
            let both = y.iter().any(|c| *c) && y.iter().any(|c| !*c);
            let fit = if both {
                ProbabilityMap::fit(&s, &y, ProbabilityMethod::Platt).ok()
            } else {
                None
            };
            (fit, true)
        }
    };
    let rows: Vec<&Observation> = obs.rows.iter().collect();
    let overall = slice("all", &rows, card, &band_names, probability.as_ref(), cfg)?;
    let mut quarters = Vec::new();
    let mut by_quarter: BTreeMap<&str, Vec<&Observation>> = BTreeMap::new();
    for o in &obs.rows {
        by_quarter.entry(o.quarter.as_str()).or_default().push(o);
    }
    for (q, rows) in by_quarter {
        quarters.push(slice(
            q,
            &rows,
            card,
            &band_names,
            probability.as_ref(),
            cfg,
        )?);
    }
    let measures = overall.measures.clone();
    // Survival by band from scoring day: churn is the event at the renewal date; a renewal is
    // censored at the end of observation.
    let mut durations = Vec::new();
    let mut events = Vec::new();
    let mut groups = Vec::new();
    for o in &scored {
        let end = if o.churned {
            o.renewal_date
        } else {
            obs.observed_until.max(o.renewal_date)
        };
        durations.push((end - o.scored_on).num_days() as f64);
        events.push(o.churned);
        groups.push(
            band_names
                .iter()
                .position(|b| Some(b) == o.band.as_ref())
                .unwrap_or(0),
        );
    }
    let mut survival = Vec::new();
    for (g, name) in band_names.iter().enumerate() {
        let (d, e): (Vec<f64>, Vec<bool>) = durations
            .iter()
            .zip(&events)
            .zip(&groups)
            .filter(|(_, gg)| **gg == g)
            .map(|((d, e), _)| (*d, *e))
            .unzip();
        if !d.is_empty() {
            survival.push(BandSurvival {
                band: name.clone(),
                curve: stats::kaplan_meier(&d, &e)?,
            });
        }
    }
    let present: std::collections::BTreeSet<usize> = groups.iter().copied().collect();
    let logrank = if present.len() >= 2 && events.iter().any(|e| *e) {
        stats::logrank(&durations, &events, &groups).ok()
    } else {
        None
    };
    Ok(BacktestReport {
        scorecard: obs.scorecard.clone(),
        window_start: obs.window_start,
        window_end: obs.window_end,
        lead_days: obs.lead_days,
        contraction_is_churn: cfg.contraction_is_churn,
        probability,
        probability_in_sample: in_sample,
        overall,
        quarters,
        measures,
        survival,
        logrank,
        rates_used: obs.rates_used.clone(),
    })
}

/// The ROC curve of each slice of a report (`all`, then each quarter), as the report's AUC
/// sees it: the scored renewals, risk = 100 − score, churn the positive class. A slice without
/// both churned and renewed accounts has no curve (and no AUC) and is left out.
pub fn roc_curves(obs: &Observations) -> Result<Vec<(String, Vec<stats::RocPoint>)>> {
    let mut slices: Vec<(&str, Vec<&Observation>)> = vec![("all", obs.rows.iter().collect())];
    let mut by_quarter: BTreeMap<&str, Vec<&Observation>> = BTreeMap::new();
    for o in &obs.rows {
        by_quarter.entry(o.quarter.as_str()).or_default().push(o);
    }
    slices.extend(by_quarter);
    let mut out = Vec::new();
    for (label, rows) in slices {
        let (risk, churned): (Vec<f64>, Vec<bool>) = rows
            .iter()
            .filter_map(|o| o.score.map(|s| (100.0 - s, o.churned)))
            .unzip();
        if churned.iter().any(|c| *c) && churned.iter().any(|c| !*c) {
            out.push((label.to_string(), stats::roc_curve(&risk, &churned)?));
        }
    }
    Ok(out)
}

/// Sum amounts that must share one currency (the first one's); mixing is an error, as
/// everywhere in csops: a back-test does not guess exchange rates.
fn total(items: impl IntoIterator<Item = Money>, currency: Option<Currency>) -> Result<Money> {
    let mut it = items.into_iter().peekable();
    let cur = currency
        .or_else(|| it.peek().map(|m| m.currency))
        .unwrap_or_else(|| Currency::new("USD").expect("USD is ISO 4217"));
    let mut sum = Money::zero(cur);
    for m in it {
        sum = sum.checked_add(&m)?;
    }
    Ok(sum)
}

fn ratio(a: &Money, b: &Money) -> Option<f64> {
    use rust_decimal::prelude::ToPrimitive;
    if b.amount.is_zero() {
        None
    } else {
        (a.amount / b.amount).to_f64()
    }
}

/// An amount to the whole unit with thousands separators: `1,457,496 USD`.
fn money(m: &Money) -> String {
    let whole = m.amount.round_dp(0).abs().to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if m.amount.is_sign_negative() && !m.amount.round_dp(0).is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped} {}", m.currency.code())
}

/// A p-value as people read it: two significant figures, or "< 0.0001".
fn pval(p: f64) -> String {
    if p < 1e-4 {
        "< 0.0001".into()
    } else if p < 0.01 {
        format!("{p:.4}")
    } else {
        format!("{p:.2}")
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

fn slice(
    label: &str,
    rows: &[&Observation],
    card: &Scorecard,
    band_names: &[String],
    probability: Option<&ProbabilityMap>,
    cfg: &BacktestConfig,
) -> Result<Slice> {
    let currency = rows.first().map(|o| o.arr_before.currency);
    let mut bands = Vec::new();
    let mut names: Vec<Option<&str>> = band_names.iter().map(|b| Some(b.as_str())).collect();
    names.push(None);
    for name in names {
        let members: Vec<&&Observation> =
            rows.iter().filter(|o| o.band.as_deref() == name).collect();
        if name.is_none() && members.is_empty() {
            continue;
        }
        let renewals = members.len() as u64;
        let renewed = members.iter().filter(|o| !o.churned).count() as u64;
        let arr_up = total(members.iter().map(|o| o.arr_before), currency)?;
        let arr_renewed = total(
            members.iter().filter(|o| !o.churned).map(|o| o.arr_before),
            currency,
        )?;
        bands.push(BandRow {
            band: name.unwrap_or(UNSCORED).to_string(),
            renewals,
            renewed,
            rate: (renewals > 0).then(|| renewed as f64 / renewals as f64),
            ci95: stats::wilson(renewed, renewals, Z95),
            arr_rate: ratio(&arr_renewed, &arr_up),
            arr_up,
            arr_renewed,
        });
    }
    let comparison = compare(&bands, band_names);
    let scored: Vec<&&Observation> = rows.iter().filter(|o| o.score.is_some()).collect();
    let risk: Vec<f64> = scored
        .iter()
        .map(|o| 100.0 - o.score.unwrap_or(0.0))
        .collect();
    let churned: Vec<bool> = scored.iter().map(|o| o.churned).collect();
    let both = churned.iter().any(|c| *c) && churned.iter().any(|c| !*c);
    let auc = if both {
        stats::roc_auc(&risk, &churned).ok()
    } else {
        None
    };
    let (brier, calibration) = match probability {
        Some(p) if !scored.is_empty() => {
            let prob: Vec<f64> = scored
                .iter()
                .map(|o| p.probability(o.score.unwrap_or(0.0)))
                .collect();
            (
                stats::brier(&prob, &churned).ok(),
                stats::deciles(&prob, &churned)?,
            )
        }
        _ => (None, Vec::new()),
    };
    let lift = if churned.iter().any(|c| *c) {
        cfg.lift_fractions
            .iter()
            .map(|&f| stats::lift(&risk, &churned, f))
            .collect::<Result<Vec<_>>>()?
    } else {
        Vec::new()
    };
    Ok(Slice {
        label: label.to_string(),
        renewals: rows.len() as u64,
        churned: rows.iter().filter(|o| o.churned).count() as u64,
        unscored: rows.iter().filter(|o| o.score.is_none()).count() as u64,
        bands,
        comparison,
        auc,
        brier,
        calibration,
        lift,
        measures: measure_power(rows, card),
    })
}

fn compare(bands: &[BandRow], band_names: &[String]) -> Option<Comparison> {
    let low = bands.iter().find(|b| Some(&b.band) == band_names.first())?;
    let high = bands.iter().find(|b| Some(&b.band) == band_names.last())?;
    if band_names.len() < 2 || low.renewals == 0 || high.renewals == 0 {
        return None;
    }
    let (k1, n1, k2, n2) = (low.renewed, low.renewals, high.renewed, high.renewals);
    let z_test = stats::two_proportion_z(k1, n1, k2, n2);
    let fisher = stats::fisher_exact(k1, n1 - k1, k2, n2 - k2);
    // Expected counts under "same rate": Fisher when any is below 5.
    let (n, k) = ((n1 + n2) as f64, (k1 + k2) as f64);
    let expected = [
        n1 as f64 * k / n,
        n1 as f64 * (n - k) / n,
        n2 as f64 * k / n,
        n2 as f64 * (n - k) / n,
    ];
    let small = expected.iter().any(|e| *e < 5.0);
    let (test_used, p) = match (small, z_test) {
        (false, Some(z)) => ("z", z.p_value),
        _ => ("fisher", fisher.p_value),
    };
    let (r1, r2) = (k1 as f64 / n1 as f64, k2 as f64 / n2 as f64);
    let separates = p < 0.05 && r1 < r2;
    let ci = |k, n| {
        stats::wilson(k, n, Z95).map_or(String::new(), |i| {
            format!(" [{:.0}–{:.0}]", 100.0 * i.lo, 100.0 * i.hi)
        })
    };
    let head = format!(
        "{} renews at {}{} vs {} {}{}",
        low.band,
        pct(r1),
        ci(k1, n1),
        high.band,
        pct(r2),
        ci(k2, n2)
    );
    let verdict = if separates {
        format!(
            "{head}: the score separates ({test_used} test p = {})",
            pval(p)
        )
    } else if r1 >= r2 {
        format!(
            "{head}: the score does not separate; {} renews no worse than {}",
            low.band, high.band
        )
    } else {
        format!(
            "{head}: not a significant difference ({test_used} test p = {}); too few renewals or too weak a score",
            pval(p)
        )
    };
    Some(Comparison {
        low: low.band.clone(),
        high: high.band.clone(),
        z_test,
        fisher,
        test_used: test_used.to_string(),
        separates,
        verdict,
    })
}

fn measure_power(rows: &[&Observation], card: &Scorecard) -> Vec<MeasurePower> {
    let shares = card.weight_shares();
    let groups: Vec<String> = card.measures().map(|(g, _)| g.name.clone()).collect();
    let mut out: Vec<MeasurePower> = card
        .measures()
        .map(|(_, m)| &m.name)
        .enumerate()
        .map(|(k, name)| {
            let (risk, churned): (Vec<f64>, Vec<bool>) = rows
                .iter()
                .filter(|o| !o.measure_scores[k].is_nan())
                .map(|o| (100.0 - o.measure_scores[k], o.churned))
                .unzip();
            let auc = stats::roc_auc(&risk, &churned).ok().map(|a| a.auc);
            let direction = match auc {
                Some(a) if a >= 0.52 => "as designed",
                Some(a) if a <= 0.48 => "reversed",
                _ => "none",
            };
            MeasurePower {
                measure: name.clone(),
                group: groups[k].clone(),
                weight_share: shares[k],
                observed: risk.len() as u64,
                auc,
                direction: direction.to_string(),
                power_share: 0.0,
                flag: None,
            }
        })
        .collect();
    // Power: how far each measure's AUC is from a coin toss, in the designed direction.
    let power: Vec<f64> = out
        .iter()
        .map(|m| m.auc.map_or(0.0, |a| (a - 0.5).max(0.0)))
        .collect();
    let sum: f64 = power.iter().sum();
    for (m, p) in out.iter_mut().zip(&power) {
        m.power_share = if sum > 0.0 { p / sum } else { 0.0 };
        m.flag = if m.direction == "reversed" {
            Some("reversed".into())
        } else if m.weight_share >= 2.0 * m.power_share && m.weight_share - m.power_share >= 0.05 {
            Some("over-weighted".into())
        } else if m.power_share >= 2.0 * m.weight_share && m.power_share - m.weight_share >= 0.05 {
            Some("under-weighted".into())
        } else {
            None
        };
    }
    out
}
