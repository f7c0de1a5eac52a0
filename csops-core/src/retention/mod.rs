//! Retention: where ARR went between two days, and how much of it stayed.
//!
//! **The ARR bridge** (a "waterfall") explains the change in recurring revenue between a start
//! and an end day, account by account:
//!
//! ```text
//! start + new + expansion − contraction − churn + reactivation = end
//! ```
//!
//! - *new*: an account with no ARR at the start that had never had any (a new logo);
//! - *reactivation*: no ARR at the start, but it had some before (a win-back);
//! - *expansion* / *contraction*: ARR at both ends, higher / lower at the end;
//! - *churn*: ARR at the start, none at the end (the whole start ARR is churn).
//!
//! Movements are measured **start against end**: an account that expanded in March and
//! contracted back in May shows no movement for the half-year. Amounts are exact decimals in
//! one reporting currency (converted through the book's FX table); the identity holds to the
//! cent, and is property-tested.
//!
//! **Retention rates** are over the *cohort* of accounts with ARR at the start (new logos are
//! excluded: they were not there to be retained):
//!
//! ```text
//! GRR  = Σ min(end, start) / Σ start      gross: contraction and churn only, never above 100%
//! NRR  = Σ end / Σ start                  net: expansion counts, may exceed 100%
//! logo = cohort accounts with ARR at the end / cohort accounts
//! ```
//!
//! Rates come monthly, quarterly or trailing-twelve-months ([`retention_series`],
//! [`trailing_twelve_months`]) and cut by any account attribute, the start-quarter cohort, or
//! the health band at the start ([`retention_by`]).
//!
//! **ARR on a day** is the account's latest ARR snapshot on or before it. Before its first
//! snapshot an account that had already started is taken at its first snapshot's ARR; before
//! its start date it has none. An account without snapshots is reconstructed from its renewal
//! outcomes (ARR before the first one from the start date, ARR after each one from its date)
//! or, without those either, its current ARR from its start date.

mod cohorts;
mod render;
pub mod tables;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::book::Book;
use crate::money::{Currency, Money, MoneyError, RateUsed, RatesUsed};
use crate::{Error, Result};
pub use cohorts::{Cut, RetentionOptions, RetentionSeriesOptions, retention_by};
pub use render::BridgeLine;

/// Each account's ARR over time, in one reporting currency.
///
/// Stored flat, by column: account `a`'s steps (the day an ARR holds from, by day) are
/// `days[offsets[a]..offsets[a + 1]]` with `amounts` alongside, so a pass over the accounts
/// reads memory front to back and a look-up's binary search touches only the days.
#[derive(Debug, Clone)]
pub struct ArrHistory {
    currency: Currency,
    /// The FX rates the amounts were converted at: (currency, rate, the day a dated rate took
    /// effect), each once.
    rates_used: RatesUsed,
    /// Per step (aligned with `days`): 1 + the index in `step_rates` of the rate it was
    /// converted at, 0 when it was not converted. Empty when no amount was converted, so a
    /// one-currency book pays nothing for it.
    step_rate: Vec<u16>,
    /// The distinct rates `step_rate` points at, in first-seen order.
    step_rates: Vec<RateUsed>,
    /// Per account (book order): the start date.
    starts: Vec<NaiveDate>,
    /// `len() + 1` offsets into `days` / `amounts`.
    offsets: Vec<usize>,
    days: Vec<NaiveDate>,
    amounts: Vec<Decimal>,
    ids: Vec<String>,
}

impl ArrHistory {
    /// Build from a book. Amounts convert to the FX table's reporting currency; a book
    /// without an FX table must use one currency throughout.
    pub fn from_book(book: &Book) -> Result<Self> {
        crate::fault::checkpoint("ArrHistory::from_book");
        let fx = book.fx();
        let mut currency: Option<Currency> = fx.map(|f| f.reporting());
        // Each amount at the rate in force on its day (a dated FX table; with an undated one
        // every day alike, which gives constant-currency retention).
        let mut used: Option<RatesUsed> = None;
        let mut step_rates: Vec<RateUsed> = Vec::new();
        let mut rate_index: std::collections::HashMap<RateUsed, u16> = Default::default();
        let mut convert = |m: &Money, day: NaiveDate| -> Result<(Decimal, u16)> {
            match fx {
                Some(f) if m.currency == f.reporting() => Ok((m.amount, 0)),
                Some(f) => {
                    let Some((rate, from)) = f.rate_on(m.currency, day) else {
                        // The missing-rate error, as convert_on words it.
                        return Ok((f.convert_on(m, day)?.amount, 0));
                    };
                    let out = m.amount.checked_mul(rate).ok_or(MoneyError::Overflow)?;
                    let r = RateUsed {
                        currency: m.currency,
                        rate,
                        from,
                    };
                    let k = *rate_index.entry(r).or_insert_with(|| {
                        used.get_or_insert_with(|| RatesUsed::new(f.reporting()))
                            .note(r);
                        step_rates.push(r);
                        // Past 65,535 distinct rates a step cannot name its rate (0); the
                        // history-wide list still has them all.
                        u16::try_from(step_rates.len()).unwrap_or(0)
                    });
                    Ok((out, k))
                }
                None => match currency {
                    None => {
                        currency = Some(m.currency);
                        Ok((m.amount, 0))
                    }
                    Some(c) if c == m.currency => Ok((m.amount, 0)),
                    Some(c) => Err(Error::Money(MoneyError::CurrencyMismatch {
                        left: c,
                        right: m.currency,
                    })),
                },
            }
        };
        let n = book.accounts().len();
        let mut starts = Vec::with_capacity(n);
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        let mut days = Vec::new();
        let mut amounts = Vec::new();
        // One account's steps, reused.
        let mut steps: Vec<(NaiveDate, (Decimal, u16))> = Vec::new();
        let mut step_rate: Vec<u16> = Vec::new();
        for (a, account) in book.accounts().iter().enumerate() {
            let snaps = book.arr_snapshots_of(a);
            steps.clear();
            if !snaps.is_empty() {
                for s in snaps {
                    steps.push((s.date, convert(&s.arr, s.date)?));
                }
                steps.sort_by_key(|x| x.0);
                // Before the first snapshot, from the start date: the first snapshot's ARR.
                if account.start_date < steps[0].0 {
                    days.push(account.start_date);
                    amounts.push(steps[0].1.0);
                    step_rate.push(steps[0].1.1);
                }
            } else {
                let mut outs: Vec<_> = book.renewal_outcomes_of(a).iter().collect();
                outs.sort_by_key(|o| o.renewal_date);
                match outs.first() {
                    Some(first) => {
                        steps.push((
                            account.start_date,
                            convert(&first.arr_before, first.renewal_date)?,
                        ));
                        for o in outs {
                            steps.push((o.renewal_date, convert(&o.arr_after, o.renewal_date)?));
                        }
                    }
                    None => steps.push((
                        account.start_date,
                        convert(&account.arr, account.start_date)?,
                    )),
                }
                // Outcomes dated before the start date go before the start step (stable: an
                // outcome on the start date itself stays after it and wins).
                steps.sort_by_key(|s| s.0);
            }
            days.extend(steps.iter().map(|s| s.0));
            amounts.extend(steps.iter().map(|s| s.1.0));
            step_rate.extend(steps.iter().map(|s| s.1.1));
            starts.push(account.start_date);
            offsets.push(days.len());
        }
        let currency = match currency {
            Some(c) => c,
            None => Currency::new("USD").map_err(Error::Money)?,
        };
        Ok(ArrHistory {
            currency,
            rates_used: used.unwrap_or_else(|| RatesUsed::new(currency)),
            // A history without conversions keeps no per-step rates.
            step_rate: if step_rates.is_empty() {
                Vec::new()
            } else {
                step_rate
            },
            step_rates,
            starts,
            offsets,
            days,
            amounts,
            ids: book.accounts().iter().map(|a| a.id.clone()).collect(),
        })
    }

    /// The reporting currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The FX rates its amounts were converted at, so every figure built on it can say which
    /// (each once, in currency then day order). Empty when every amount was in the reporting
    /// currency.
    pub fn rates_used(&self) -> &RatesUsed {
        &self.rates_used
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there are no accounts.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Account `a`'s steps: days, and the ARR from each.
    fn steps(&self, a: usize) -> (&[NaiveDate], &[Decimal]) {
        let (lo, hi) = (self.offsets[a], self.offsets[a + 1]);
        (&self.days[lo..hi], &self.amounts[lo..hi])
    }

    /// The FX rate account `a`'s ARR at the end of `day` was converted at (`None` when it
    /// was in the reporting currency, or zero that day).
    pub fn rate_on(&self, a: usize, day: NaiveDate) -> Option<RateUsed> {
        if self.step_rate.is_empty() || day < self.starts[a] {
            return None;
        }
        let (days, _) = self.steps(a);
        let i = days.partition_point(|d| *d <= day);
        let k = *self.step_rate.get(self.offsets[a] + i.checked_sub(1)?)?;
        self.step_rates.get(usize::from(k).checked_sub(1)?).copied()
    }

    /// The FX rates behind every account's ARR at the end of `day`, each once: what a figure
    /// of that day (a forecast, a bridge end) can say it used.
    pub fn rates_used_on(&self, day: NaiveDate) -> RatesUsed {
        let mut out = RatesUsed::new(self.currency);
        if !self.step_rate.is_empty() {
            for a in 0..self.len() {
                if let Some(r) = self.rate_on(a, day) {
                    out.note(r);
                }
            }
        }
        out
    }

    /// ARR of account `a` (book order) at the end of `day`.
    pub fn arr_on(&self, a: usize, day: NaiveDate) -> Decimal {
        if day < self.starts[a] {
            return Decimal::ZERO;
        }
        let (days, amounts) = self.steps(a);
        match days.partition_point(|d| *d <= day) {
            0 => Decimal::ZERO,
            i => amounts[i - 1],
        }
    }

    /// ARR of account `a` at the end of each of `days` (in increasing order), into `out`: one
    /// walk through the account's steps.
    fn arr_on_days(&self, a: usize, days: &[NaiveDate], out: &mut [Decimal]) {
        let start = self.starts[a];
        let (steps, amounts) = self.steps(a);
        let mut i = 0;
        for (day, o) in days.iter().zip(out.iter_mut()) {
            if *day < start {
                *o = Decimal::ZERO;
                continue;
            }
            i += steps[i..].partition_point(|d| d <= day);
            *o = if i == 0 {
                Decimal::ZERO
            } else {
                amounts[i - 1]
            };
        }
    }

    /// Whether account `a` had ARR at any time on or before `day`.
    pub fn ever_before(&self, a: usize, day: NaiveDate) -> bool {
        let start = self.starts[a];
        if day < start {
            return false;
        }
        let (days, amounts) = self.steps(a);
        // From the step in force on the start date: a positive amount recorded before the
        // account started and replaced before it did is not ARR it ever had.
        let first = days.partition_point(|d| *d <= start).saturating_sub(1);
        let last = days.partition_point(|d| *d <= day);
        amounts[first..last.max(first)]
            .iter()
            .any(|v| *v > Decimal::ZERO)
    }
}

/// What happened to one account's ARR between the two days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum Movement {
    /// No ARR at either end.
    None,
    /// The same ARR at both ends.
    Flat,
    /// A new logo.
    New,
    /// Higher ARR at the end.
    Expansion,
    /// Lower (but some) ARR at the end.
    Contraction,
    /// ARR at the start, none at the end.
    Churn,
    /// No ARR at the start but some before it, and some at the end.
    Reactivation,
}

/// One account's line of the bridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct AccountMovement {
    /// The account.
    pub account_id: String,
    /// ARR at the start.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub start: Decimal,
    /// ARR at the end.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub end: Decimal,
    /// The kind of movement.
    pub movement: Movement,
}

/// The ARR bridge between two days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct ArrBridge {
    /// Start day (ARR at its end).
    pub from: NaiveDate,
    /// End day.
    pub to: NaiveDate,
    /// Reporting currency of every amount.
    pub currency: Currency,
    /// ARR at the start.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub start: Decimal,
    /// New logos' ARR.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub new: Decimal,
    /// Expansion.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub expansion: Decimal,
    /// Contraction (positive number).
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub contraction: Decimal,
    /// Churned ARR (positive number).
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub churn: Decimal,
    /// Reactivated ARR.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub reactivation: Decimal,
    /// ARR at the end.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub end: Decimal,
    /// Accounts with ARR at the start.
    pub logos_start: u64,
    /// New logos.
    pub logos_new: u64,
    /// Logos churned.
    pub logos_churned: u64,
    /// Logos reactivated.
    pub logos_reactivated: u64,
    /// Accounts with ARR at the end.
    pub logos_end: u64,
    /// Every account with ARR at either end.
    pub accounts: Vec<AccountMovement>,
    /// The FX rates behind the ARR at both ends (each once).
    pub rates_used: RatesUsed,
}

impl ArrBridge {
    /// `start + new + expansion − contraction − churn + reactivation`, which equals `end`.
    pub fn reconciled_end(&self) -> Decimal {
        self.start + self.new + self.expansion - self.contraction - self.churn + self.reactivation
    }
}

pub(super) fn check_days(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if from < to {
        Ok(())
    } else {
        Err(Error::Config(vec![format!(
            "a period runs forwards: {from} is not before {to}"
        )]))
    }
}

/// The ARR bridge from the end of `from` to the end of `to`.
pub fn arr_bridge(history: &ArrHistory, from: NaiveDate, to: NaiveDate) -> Result<ArrBridge> {
    check_days(from, to)?;
    let z = Decimal::ZERO;
    let mut b = ArrBridge {
        from,
        to,
        currency: history.currency,
        start: z,
        new: z,
        expansion: z,
        contraction: z,
        churn: z,
        reactivation: z,
        end: z,
        logos_start: 0,
        logos_new: 0,
        logos_churned: 0,
        logos_reactivated: 0,
        logos_end: 0,
        accounts: Vec::new(),
        rates_used: RatesUsed::new(history.currency),
    };
    let mut v = [z; 2];
    for a in 0..history.len() {
        history.arr_on_days(a, &[from, to], &mut v);
        let (s, e) = (v[0], v[1]);
        let m = movement(history, a, from, s, e);
        if m == Movement::None {
            continue;
        }
        for day in [from, to] {
            if let Some(r) = history.rate_on(a, day) {
                b.rates_used.note(r);
            }
        }
        b.start += s;
        b.end += e;
        b.logos_start += u64::from(s > z);
        b.logos_end += u64::from(e > z);
        match m {
            Movement::New => {
                b.new += e;
                b.logos_new += 1;
            }
            Movement::Reactivation => {
                b.reactivation += e;
                b.logos_reactivated += 1;
            }
            Movement::Expansion => b.expansion += e - s,
            Movement::Contraction => b.contraction += s - e,
            Movement::Churn => {
                b.churn += s;
                b.logos_churned += 1;
            }
            Movement::Flat | Movement::None => {}
        }
        b.accounts.push(AccountMovement {
            account_id: history.ids[a].clone(),
            start: s,
            end: e,
            movement: m,
        });
    }
    Ok(b)
}

fn movement(h: &ArrHistory, a: usize, from: NaiveDate, s: Decimal, e: Decimal) -> Movement {
    let z = Decimal::ZERO;
    match (s > z, e > z) {
        (false, false) => Movement::None,
        (false, true) if h.ever_before(a, from) => Movement::Reactivation,
        (false, true) => Movement::New,
        (true, false) => Movement::Churn,
        (true, true) if e > s => Movement::Expansion,
        (true, true) if e < s => Movement::Contraction,
        (true, true) => Movement::Flat,
    }
}

/// Gross, net and logo retention of a cohort over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Retention {
    /// The cohort's label (`all`, or the value of the cut).
    pub label: String,
    /// Start day.
    pub from: NaiveDate,
    /// End day.
    pub to: NaiveDate,
    /// Reporting currency.
    pub currency: Currency,
    /// Accounts with ARR at the start.
    pub logos: u64,
    /// Of which still with ARR at the end.
    pub logos_retained: u64,
    /// The cohort's ARR at the start.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub start_arr: Decimal,
    /// `Σ min(end, start)`: what was kept, ignoring expansion.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub retained_arr: Decimal,
    /// The cohort's ARR at the end (expansion included, new logos excluded).
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub end_arr: Decimal,
    /// Gross revenue retention, 0–1 (`None` for an empty cohort).
    pub grr: Option<f64>,
    /// Net revenue retention (`None` for an empty cohort).
    pub nrr: Option<f64>,
    /// Logo retention, 0–1.
    pub logo_retention: Option<f64>,
}

fn ratio(a: Decimal, b: Decimal) -> Option<f64> {
    if b.is_zero() {
        None
    } else {
        a.checked_div(b).and_then(|r| r.to_f64())
    }
}

/// A cohort's running totals.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Totals {
    logos: u64,
    logos_retained: u64,
    start_arr: Decimal,
    retained_arr: Decimal,
    end_arr: Decimal,
}

impl Totals {
    /// Add an account with ARR `s` at the start and `e` at the end (not in the cohort
    /// without ARR at the start).
    fn add(&mut self, s: Decimal, e: Decimal) {
        let z = Decimal::ZERO;
        if s <= z {
            return;
        }
        let e = e.max(z);
        self.logos += 1;
        self.logos_retained += u64::from(e > z);
        self.start_arr += s;
        self.retained_arr += e.min(s);
        self.end_arr += e;
    }

    fn rates(self, currency: Currency, label: String, from: NaiveDate, to: NaiveDate) -> Retention {
        Retention {
            label,
            from,
            to,
            currency,
            logos: self.logos,
            logos_retained: self.logos_retained,
            start_arr: self.start_arr,
            retained_arr: self.retained_arr,
            end_arr: self.end_arr,
            grr: ratio(self.retained_arr, self.start_arr),
            nrr: ratio(self.end_arr, self.start_arr),
            logo_retention: (self.logos > 0)
                .then(|| self.logos_retained as f64 / self.logos as f64),
        }
    }
}

fn rates(history: &ArrHistory, label: String, from: NaiveDate, to: NaiveDate) -> Retention {
    let mut t = Totals::default();
    let mut v = [Decimal::ZERO; 2];
    for a in 0..history.len() {
        history.arr_on_days(a, &[from, to], &mut v);
        t.add(v[0], v[1]);
    }
    t.rates(history.currency, label, from, to)
}

/// Retention of every account with ARR at the end of `from`, by the end of `to`.
pub fn retention(history: &ArrHistory, from: NaiveDate, to: NaiveDate) -> Result<Retention> {
    check_days(from, to)?;
    Ok(rates(history, "all".into(), from, to))
}

/// The length of the periods of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
}

fn period_end(day: NaiveDate, p: Period) -> NaiveDate {
    let months = match p {
        Period::Month => 1,
        Period::Quarter => 3,
        Period::Year => 12,
    };
    let m0 = (day.month0() / months) * months; // first month of the period, 0-based
    let first = NaiveDate::from_ymd_opt(day.year(), m0 + 1, 1).expect("valid month");
    first
        .checked_add_months(Months::new(months))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// Retention of each complete calendar period ending within `from..=to`: from the last day of
/// the previous period to the last day of the period.
pub fn retention_series(
    history: &ArrHistory,
    from: NaiveDate,
    to: NaiveDate,
    period: Period,
) -> Result<Vec<Retention>> {
    check_days(from, to)?;
    // The period boundaries and labels, then one walk through each account's steps for all
    // of them.
    let mut bounds = Vec::new();
    let mut labels = Vec::new();
    // The first boundary: the day before `from` when `from` opens a period, else the end of
    // the period `from` falls in (so a period-end day passed as `from` is itself a boundary).
    let mut start = match from.pred_opt() {
        Some(d) if period_end(d, period) == d => d,
        _ => period_end(from, period),
    };
    while let Some(next) = start.succ_opt().map(|d| period_end(d, period)) {
        if next > to {
            break;
        }
        let label = match period {
            Period::Month => format!("{}-{:02}", next.year(), next.month()),
            Period::Quarter => format!("{}-Q{}", next.year(), (next.month() - 1) / 3 + 1),
            Period::Year => next.year().to_string(),
        };
        if bounds.is_empty() {
            bounds.push(start);
        }
        bounds.push(next);
        labels.push(label);
        start = next;
    }
    let mut totals = vec![Totals::default(); labels.len()];
    let mut v = vec![Decimal::ZERO; bounds.len()];
    if !labels.is_empty() {
        for a in 0..history.len() {
            history.arr_on_days(a, &bounds, &mut v);
            for (t, w) in totals.iter_mut().zip(v.windows(2)) {
                t.add(w[0], w[1]);
            }
        }
    }
    Ok(totals
        .into_iter()
        .zip(labels)
        .enumerate()
        .map(|(i, (t, label))| t.rates(history.currency, label, bounds[i], bounds[i + 1]))
        .collect())
}

/// Trailing-twelve-months retention to the end of `as_of`: from the same day a year earlier.
pub fn trailing_twelve_months(history: &ArrHistory, as_of: NaiveDate) -> Result<Retention> {
    let from = as_of
        .checked_sub_months(Months::new(12))
        .ok_or_else(|| Error::Config(vec![format!("{as_of} is too early for a year back")]))?;
    let mut r = retention(history, from, as_of)?;
    r.label = "ttm".into();
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::LoadMode;
    use crate::synth::{SynthConfig, generate};

    /// The one-walk look-ups (`arr_on_days`, the series, the cut) agree with `arr_on` and
    /// `retention` day by day and period by period.
    #[test]
    fn one_walk_lookups_agree_with_day_by_day() {
        let records = generate(&SynthConfig {
            accounts: 300,
            seed: 3,
            ..SynthConfig::default()
        });
        let (book, _) = Book::from_records(records, LoadMode::Lenient).unwrap();
        let h = ArrHistory::from_book(&book).unwrap();
        let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        let days: Vec<NaiveDate> = (0..60).map(|i| start + chrono::Days::new(i * 23)).collect();
        let mut got = vec![Decimal::ZERO; days.len()];
        for a in 0..h.len() {
            h.arr_on_days(a, &days, &mut got);
            for (d, g) in days.iter().zip(&got) {
                assert_eq!(*g, h.arr_on(a, *d), "account {a} on {d}");
            }
        }
        let (from, to) = (days[0], days[days.len() - 1]);
        for period in [Period::Month, Period::Quarter, Period::Year] {
            for r in retention_series(&h, from, to, period).unwrap() {
                let mut want = retention(&h, r.from, r.to).unwrap();
                want.label = r.label.clone();
                assert_eq!(r, want);
            }
        }
        let cut = Cut::Field("segment".into());
        let by = retention_by(&book, &h, days[10], days[30], &cut).unwrap();
        let logos: u64 = by.iter().map(|r| r.logos).sum();
        let start_arr: Decimal = by.iter().map(|r| r.start_arr).sum();
        let all = retention(&h, days[10], days[30]).unwrap();
        assert_eq!((logos, start_arr), (all.logos, all.start_arr));
        assert!(by.windows(2).all(|w| w[0].label < w[1].label));
    }
}
