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

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::book::Book;
use crate::money::{Currency, Money, MoneyError};
use crate::{Error, Result};

/// Each account's ARR over time, in one reporting currency.
#[derive(Debug, Clone)]
pub struct ArrHistory {
    currency: Currency,
    /// Per account (book order): start date and (day, ARR from that day) steps, by day.
    accounts: Vec<(NaiveDate, Vec<(NaiveDate, Decimal)>)>,
    ids: Vec<String>,
}

impl ArrHistory {
    /// Build from a book. Amounts convert to the FX table's reporting currency; a book
    /// without an FX table must use one currency throughout.
    pub fn from_book(book: &Book) -> Result<Self> {
        let fx = book.fx();
        let mut currency: Option<Currency> = fx.map(|f| f.reporting());
        let mut convert = |m: &Money| -> Result<Decimal> {
            match fx {
                Some(f) => Ok(f.convert(m)?.amount),
                None => match currency {
                    None => {
                        currency = Some(m.currency);
                        Ok(m.amount)
                    }
                    Some(c) if c == m.currency => Ok(m.amount),
                    Some(c) => Err(Error::Money(MoneyError::CurrencyMismatch {
                        left: c,
                        right: m.currency,
                    })),
                },
            }
        };
        let mut accounts = Vec::with_capacity(book.accounts().len());
        for (a, account) in book.accounts().iter().enumerate() {
            let snaps = book.arr_snapshots_of(a);
            let mut steps: Vec<(NaiveDate, Decimal)> = Vec::new();
            if !snaps.is_empty() {
                let mut s: Vec<(NaiveDate, Decimal)> = snaps
                    .iter()
                    .map(|s| Ok((s.date, convert(&s.arr)?)))
                    .collect::<Result<_>>()?;
                s.sort_by_key(|x| x.0);
                // Before the first snapshot, from the start date: the first snapshot's ARR.
                if account.start_date < s[0].0 {
                    steps.push((account.start_date, s[0].1));
                }
                steps.extend(s);
            } else {
                let mut outs: Vec<_> = book.renewal_outcomes_of(a).iter().collect();
                outs.sort_by_key(|o| o.renewal_date);
                match outs.first() {
                    Some(first) => {
                        steps.push((account.start_date, convert(&first.arr_before)?));
                        for o in outs {
                            steps.push((o.renewal_date, convert(&o.arr_after)?));
                        }
                    }
                    None => steps.push((account.start_date, convert(&account.arr)?)),
                }
                // Outcomes dated before the start date go before the start step (stable: an
                // outcome on the start date itself stays after it and wins).
                steps.sort_by_key(|s| s.0);
            }
            accounts.push((account.start_date, steps));
        }
        let currency = match currency {
            Some(c) => c,
            None => Currency::new("USD").map_err(Error::Money)?,
        };
        Ok(ArrHistory {
            currency,
            accounts,
            ids: book.accounts().iter().map(|a| a.id.clone()).collect(),
        })
    }

    /// The reporting currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether there are no accounts.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// ARR of account `a` (book order) at the end of `day`.
    pub fn arr_on(&self, a: usize, day: NaiveDate) -> Decimal {
        let (start, steps) = &self.accounts[a];
        if day < *start {
            return Decimal::ZERO;
        }
        let i = steps.partition_point(|s| s.0 <= day);
        if i == 0 {
            Decimal::ZERO
        } else {
            steps[i - 1].1
        }
    }

    /// Whether account `a` had ARR at any time on or before `day`.
    pub fn ever_before(&self, a: usize, day: NaiveDate) -> bool {
        let (start, steps) = &self.accounts[a];
        if day < *start {
            return false;
        }
        // From the step in force on the start date: a positive amount recorded before the
        // account started and replaced before it did is not ARR it ever had.
        let first = steps.partition_point(|s| s.0 <= *start).saturating_sub(1);
        steps[first..]
            .iter()
            .take_while(|s| s.0 <= day)
            .any(|s| s.1 > Decimal::ZERO)
    }
}

/// What happened to one account's ARR between the two days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
pub struct AccountMovement {
    /// The account.
    pub account_id: String,
    /// ARR at the start.
    pub start: Decimal,
    /// ARR at the end.
    pub end: Decimal,
    /// The kind of movement.
    pub movement: Movement,
}

/// The ARR bridge between two days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArrBridge {
    /// Start day (ARR at its end).
    pub from: NaiveDate,
    /// End day.
    pub to: NaiveDate,
    /// Reporting currency of every amount.
    pub currency: Currency,
    /// ARR at the start.
    pub start: Decimal,
    /// New logos' ARR.
    pub new: Decimal,
    /// Expansion.
    pub expansion: Decimal,
    /// Contraction (positive number).
    pub contraction: Decimal,
    /// Churned ARR (positive number).
    pub churn: Decimal,
    /// Reactivated ARR.
    pub reactivation: Decimal,
    /// ARR at the end.
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
}

impl ArrBridge {
    /// `start + new + expansion − contraction − churn + reactivation`, which equals `end`.
    pub fn reconciled_end(&self) -> Decimal {
        self.start + self.new + self.expansion - self.contraction - self.churn + self.reactivation
    }
}

fn check_days(from: NaiveDate, to: NaiveDate) -> Result<()> {
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
    };
    for a in 0..history.len() {
        let (s, e) = (history.arr_on(a, from), history.arr_on(a, to));
        let m = movement(history, a, from, s, e);
        if m == Movement::None {
            continue;
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
    pub start_arr: Decimal,
    /// `Σ min(end, start)`: what was kept, ignoring expansion.
    pub retained_arr: Decimal,
    /// The cohort's ARR at the end (expansion included, new logos excluded).
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

fn rates(
    history: &ArrHistory,
    label: String,
    from: NaiveDate,
    to: NaiveDate,
    members: impl Iterator<Item = usize>,
) -> Retention {
    let z = Decimal::ZERO;
    let mut r = Retention {
        label,
        from,
        to,
        currency: history.currency,
        logos: 0,
        logos_retained: 0,
        start_arr: z,
        retained_arr: z,
        end_arr: z,
        grr: None,
        nrr: None,
        logo_retention: None,
    };
    for a in members {
        let s = history.arr_on(a, from);
        if s <= z {
            continue;
        }
        let e = history.arr_on(a, to).max(z);
        r.logos += 1;
        r.logos_retained += u64::from(e > z);
        r.start_arr += s;
        r.retained_arr += e.min(s);
        r.end_arr += e;
    }
    r.grr = ratio(r.retained_arr, r.start_arr);
    r.nrr = ratio(r.end_arr, r.start_arr);
    r.logo_retention = (r.logos > 0).then(|| r.logos_retained as f64 / r.logos as f64);
    r
}

/// Retention of every account with ARR at the end of `from`, by the end of `to`.
pub fn retention(history: &ArrHistory, from: NaiveDate, to: NaiveDate) -> Result<Retention> {
    check_days(from, to)?;
    Ok(rates(history, "all".into(), from, to, 0..history.len()))
}

/// How to cut a cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cut {
    /// By an account field: `segment`, `tier`, `region`, `industry`, `plan`, `owner_csm`
    /// (or `csm`), `currency`, or `attr.<name>` for a custom attribute.
    Field(String),
    /// By the calendar quarter the account started, e.g. `2025-Q3`.
    StartCohort,
    /// By a label per account id (e.g. its health band at the start); accounts without one
    /// are labelled `none`.
    Labels(BTreeMap<String, String>),
}

/// The label of account `a` under a cut (`none` where it has no value).
fn label_of(book: &Book, a: usize, cut: &Cut) -> Result<String> {
    let acc = &book.accounts()[a];
    let none = || "none".to_string();
    Ok(match cut {
        Cut::StartCohort => format!(
            "{}-Q{}",
            acc.start_date.year(),
            (acc.start_date.month() - 1) / 3 + 1
        ),
        Cut::Labels(m) => m.get(&acc.id).cloned().unwrap_or_else(none),
        Cut::Field(f) => match f.as_str() {
            "segment" => acc.segment.clone().unwrap_or_else(none),
            "tier" => acc.tier.clone().unwrap_or_else(none),
            "region" => acc.region.clone().unwrap_or_else(none),
            "industry" => acc.industry.clone().unwrap_or_else(none),
            "plan" => acc.plan.clone().unwrap_or_else(none),
            "owner_csm" | "csm" => acc.owner_csm.clone().unwrap_or_else(none),
            "currency" => acc.arr.currency.code().to_string(),
            f => match f.strip_prefix("attr.") {
                Some(k) => acc.attributes.get(k).cloned().unwrap_or_else(none),
                None => {
                    return Err(Error::Config(vec![format!(
                        "unknown cut `{f}`; expected segment, tier, region, industry, plan, \
                         owner_csm, currency or attr.<name>"
                    )]));
                }
            },
        },
    })
}

/// Retention per value of a cut (labels in order), each over its own cohort.
pub fn retention_by(
    book: &Book,
    history: &ArrHistory,
    from: NaiveDate,
    to: NaiveDate,
    cut: &Cut,
) -> Result<Vec<Retention>> {
    check_days(from, to)?;
    if history.len() != book.accounts().len() {
        return Err(Error::Config(vec![
            "the ARR history was built from another book".into(),
        ]));
    }
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for a in 0..book.accounts().len() {
        groups.entry(label_of(book, a, cut)?).or_default().push(a);
    }
    Ok(groups
        .into_iter()
        .map(|(label, members)| rates(history, label, from, to, members.into_iter()))
        .collect())
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
    let mut out = Vec::new();
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
        out.push(rates(history, label, start, next, 0..history.len()));
        start = next;
    }
    Ok(out)
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
