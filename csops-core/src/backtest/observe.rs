//! Replaying renewals: for each renewal in the window, the account's score as the scorecard
//! would have given it a lead time before (features point in time, nothing dated later seen),
//! and what happened at the renewal. The observations every back-test statistic reads.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::BacktestConfig;
use crate::book::Book;
use crate::features::{features_as_of, features_of};
use crate::health::Scorecard;
use crate::money::{Money, RatesUsed};
use crate::record::Outcome;
use crate::{Error, Result};

/// One renewal replayed: the account's score as of the lead time, and what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The renewal outcome record.
    pub renewal_id: String,
    /// The account.
    pub account_id: String,
    /// Its segment, if any.
    pub segment: Option<String>,
    /// The renewal date.
    pub renewal_date: NaiveDate,
    /// The calendar quarter of the renewal, e.g. `2026-Q1`.
    pub quarter: String,
    /// The day the account was scored (renewal date − lead).
    pub scored_on: NaiveDate,
    /// What happened.
    pub outcome: Outcome,
    /// Whether it counts as churn under the configuration.
    pub churned: bool,
    /// ARR up for renewal.
    pub arr_before: Money,
    /// ARR after the renewal.
    pub arr_after: Money,
    /// The score then (`None`: not enough data to score).
    pub score: Option<f64>,
    /// The band then.
    pub band: Option<String>,
    /// Each measure's normalised score then (`NaN` = missing, `null` in JSON), in scorecard
    /// order.
    #[serde(with = "crate::missing")]
    pub measure_scores: Vec<f64>,
}

/// The replayed renewals of a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observations {
    /// The scorecard's name.
    pub scorecard: String,
    /// Measure names, in scorecard order.
    pub measures: Vec<String>,
    /// First day of the window.
    pub window_start: NaiveDate,
    /// Last day of the window.
    pub window_end: NaiveDate,
    /// Lead time in days.
    pub lead_days: u32,
    /// The day observation ends (renewed accounts are censored here in survival curves).
    pub observed_until: NaiveDate,
    /// One per renewal in the window, by renewal date then id.
    pub rows: Vec<Observation>,
    /// The FX rates the renewals' ARR was converted at; `None` when the book has no FX table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates_used: Option<RatesUsed>,
}

impl Observations {
    /// The observations of one window made in parts, as one: a book split by account and
    /// each part observed on its own (as Spark's executors do with `csops.spark.backtest`)
    /// gives, merged, what observing the whole book gives. The rows are put back in the
    /// core's order (renewal date, then id), the observation ends on the latest day any part
    /// saw, and each FX rate used is listed once. Parts of different scorecards, measures,
    /// windows or lead times are an [`Error::Config`] naming what differs; no parts at all
    /// too.
    pub fn merge(parts: Vec<Observations>) -> Result<Observations> {
        let mut parts = parts.into_iter();
        let Some(mut out) = parts.next() else {
            return Err(Error::Config(vec![
                "observations: nothing to merge (no parts)".into(),
            ]));
        };
        for (k, part) in parts.enumerate() {
            let differs = [
                ("scorecard", part.scorecard != out.scorecard),
                ("measures", part.measures != out.measures),
                ("window_start", part.window_start != out.window_start),
                ("window_end", part.window_end != out.window_end),
                ("lead_days", part.lead_days != out.lead_days),
            ];
            let what: Vec<&str> = differs.iter().filter(|d| d.1).map(|d| d.0).collect();
            if !what.is_empty() {
                return Err(Error::Config(vec![format!(
                    "observations: part {} is of another back-test than the first ({} differ)",
                    k + 2,
                    what.join(", ")
                )]));
            }
            out.observed_until = out.observed_until.max(part.observed_until);
            out.rows.extend(part.rows);
            out.rates_used = match (out.rates_used.take(), part.rates_used) {
                (Some(mut a), Some(b)) => {
                    if a.reporting != b.reporting {
                        return Err(Error::Config(vec![format!(
                            "observations: part {} converts into {}, the first into {}",
                            k + 2,
                            b.reporting.code(),
                            a.reporting.code()
                        )]));
                    }
                    a.merge(&b);
                    Some(a)
                }
                (a, b) => a.or(b),
            };
        }
        out.rows
            .sort_by(|a, b| (a.renewal_date, &a.renewal_id).cmp(&(b.renewal_date, &b.renewal_id)));
        Ok(out)
    }
}

fn quarter_of(d: NaiveDate) -> (i32, u32) {
    (d.year(), (d.month() - 1) / 3 + 1)
}

fn quarter_start(year: i32, q: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)
}

/// Replay every renewal of the window: score each account as of `lead_days` before its
/// renewal from the book as it stood that day. Features are computed once per scoring day for
/// the whole book (percentile measures rank within the book as it stood that day).
pub fn observe(book: &Book, card: &Scorecard, cfg: &BacktestConfig) -> Result<Observations> {
    card.validate()?;
    if cfg.quarters == 0 || cfg.quarters > 400 {
        return Err(Error::Config(vec![format!(
            "a back-test covers 1 to 400 quarters, not {}",
            cfg.quarters
        )]));
    }
    if let Some(p) = &cfg.probability {
        p.validate()?;
    }
    let latest = book
        .accounts()
        .iter()
        .enumerate()
        .flat_map(|(i, _)| book.renewal_outcomes_of(i))
        .map(|r| r.renewal_date)
        .max();
    let end = match (cfg.end, latest) {
        (Some(e), _) => e,
        (None, Some(l)) => l,
        (None, None) => {
            return Err(Error::Config(vec![
                "the book has no renewal outcomes to back-test against".into(),
            ]));
        }
    };
    let (y, q) = quarter_of(end);
    let back = q as i32 - 1 - (cfg.quarters as i32 - 1);
    let (sy, sq) = (y + back.div_euclid(4), back.rem_euclid(4) as u32 + 1);
    let start = quarter_start(sy, sq).ok_or_else(|| {
        Error::Config(vec![format!(
            "{} quarters back from {end} leaves the calendar",
            cfg.quarters
        )])
    })?;
    let observed_until = book.latest_date().map_or(end, |d| d.max(end));
    // Renewals in the window, grouped by scoring day.
    let mut by_day: BTreeMap<NaiveDate, Vec<(usize, usize)>> = BTreeMap::new();
    for (a, _) in book.accounts().iter().enumerate() {
        for (r, out) in book.renewal_outcomes_of(a).iter().enumerate() {
            if out.renewal_date >= start && out.renewal_date <= end {
                let day = out
                    .renewal_date
                    .checked_sub_days(chrono::Days::new(cfg.lead_days.into()))
                    .ok_or_else(|| {
                        Error::Config(vec![format!(
                            "renewal `{}`: lead of {} days leaves the calendar",
                            out.id, cfg.lead_days
                        )])
                    })?;
                by_day.entry(day).or_default().push((a, r));
            }
        }
    }
    let per_segment = card.measures().any(|(_, m)| {
        matches!(
            m.normaliser,
            crate::health::Normaliser::Percentile {
                per_segment: true,
                ..
            }
        )
    });
    // ARR in the book's reporting currency when it has an FX table; without one, amounts
    // stay as they are and summing two currencies is an error.
    // At the rate in force on the renewal day (a dated FX table).
    let mut rates_used = book.fx().map(|fx| RatesUsed::new(fx.reporting()));
    let mut reporting = |m: &Money, day: NaiveDate| -> Result<Money> {
        match (book.fx(), rates_used.as_mut()) {
            (Some(fx), Some(u)) => Ok(fx.convert_noting(m, day, u)?),
            _ => Ok(*m),
        }
    };
    let ranks = card
        .measures()
        .any(|(_, m)| matches!(m.normaliser, crate::health::Normaliser::Percentile { .. }));
    let mut only = vec![false; book.accounts().len()];
    let mut rows = Vec::new();
    let days = by_day.len() as u64;
    for (k, (day, items)) in by_day.into_iter().enumerate() {
        cfg.progress
            .report("back-testing", k as u64, Some(days), "scoring days")?;
        // Percentile measures rank within the whole book as it stood that day; other cards
        // need only the renewing accounts' rows.
        let frame = if ranks {
            features_as_of(book, day, &cfg.features)?
        } else {
            only.fill(false);
            for &(a, _) in &items {
                only[a] = true;
            }
            features_of(book, day, &cfg.features, Some(&only))?
        };
        let segments: Option<Vec<String>> = per_segment.then(|| {
            frame
                .account_ids
                .iter()
                .map(|id| {
                    book.account(id)
                        .and_then(|a| a.segment.clone())
                        .unwrap_or_default()
                })
                .collect()
        });
        let scores = card.score_frame(&frame, segments.as_deref())?;
        let measure_scores = card.measure_scores(&frame, segments.as_deref())?;
        // The frame holds the accounts that were customers that day, in book order.
        let row: std::collections::HashMap<&str, usize> = frame
            .account_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        for (a, r) in items {
            let account = &book.accounts()[a];
            let out = &book.renewal_outcomes_of(a)[r];
            // An account that was not yet a customer on the scoring day cannot be scored:
            // it is kept, as unscored, not dropped.
            let at = row.get(account.id.as_str()).copied();
            let churned = match out.outcome {
                Outcome::Churned => true,
                Outcome::Contracted => cfg.contraction_is_churn,
                _ => false,
            };
            let (ry, rq) = quarter_of(out.renewal_date);
            rows.push(Observation {
                renewal_id: out.id.clone(),
                account_id: account.id.clone(),
                segment: account.segment.clone(),
                renewal_date: out.renewal_date,
                quarter: format!("{ry}-Q{rq}"),
                scored_on: day,
                outcome: out.outcome,
                churned,
                arr_before: reporting(&out.arr_before, out.renewal_date)?,
                arr_after: reporting(&out.arr_after, out.renewal_date)?,
                score: at.and_then(|a| Some(scores.scores[a]).filter(|s| !s.is_nan())),
                band: at.and_then(|a| scores.band(a)).map(str::to_string),
                measure_scores: measure_scores
                    .iter()
                    .map(|c| at.map_or(f64::NAN, |a| c[a]))
                    .collect(),
            });
        }
    }
    rows.sort_by(|a, b| (a.renewal_date, &a.renewal_id).cmp(&(b.renewal_date, &b.renewal_id)));
    Ok(Observations {
        scorecard: card.name.clone(),
        measures: card.measures().map(|(_, m)| m.name.clone()).collect(),
        window_start: start,
        window_end: end,
        lead_days: cfg.lead_days,
        observed_until,
        rows,
        rates_used,
    })
}
