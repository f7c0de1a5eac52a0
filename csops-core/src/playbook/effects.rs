//! What happened after plays fired: each play's [`PlayEffect`], the renewal rate of the
//! accounts it fired on against comparable accounts it did not.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::MAX_DAYS;
use super::config::Playbook;
use super::context::{RunContext, play_table};
use super::eval::texts;
use super::fired::Fired;
use super::run::after;
use crate::book::Book;
use crate::{Error, Result};

/// What happened after a play fired: its accounts' renewals against comparable accounts'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct PlayEffect {
    /// The play.
    pub play: String,
    /// Accounts it fired on that came up for renewal within the horizon after firing.
    pub fired_renewals: u64,
    /// Of which renewed (did not churn).
    pub fired_renewed: u64,
    /// Their renewal rate (renewed / renewals; `None` without renewals).
    pub fired_rate: Option<f64>,
    /// Wilson 95% interval of their renewal rate.
    pub fired_ci95: Option<crate::backtest::stats::Interval>,
    /// Comparable accounts it did not fire on (passing its filter on the first firing day)
    /// with a renewal in the same period.
    pub other_renewals: u64,
    /// Of which renewed.
    pub other_renewed: u64,
    /// Their renewal rate.
    pub other_rate: Option<f64>,
    /// Wilson 95% interval of their renewal rate.
    pub other_ci95: Option<crate::backtest::stats::Interval>,
    /// Fisher's exact test of the two rates.
    pub fisher: Option<crate::backtest::stats::Test>,
    /// A sentence.
    pub verdict: String,
}

/// How many days after a play fired a renewal still counts as its effect, unless a caller
/// says otherwise: a year, one renewal cycle of an annual contract.
pub const DEFAULT_HORIZON_DAYS: u32 = 365;

/// Each play's effect: the renewal rate of accounts it fired on (renewals within `horizon_days`
/// after firing) against accounts it did not fire on that renewed in the same period. Plays
/// fire on accounts at risk, so a lower rate for them is expected; compare with the same play
/// in log-only mode (no action taken) for the effect of the action itself.
pub fn play_effects(
    book: &Book,
    playbook: &Playbook,
    fired: &[Fired],
    horizon_days: u32,
    ctx: &RunContext<'_>,
) -> Result<Vec<PlayEffect>> {
    use crate::backtest::stats::{Z95, fisher_exact, wilson};
    if horizon_days > MAX_DAYS {
        return Err(Error::Config(vec![format!(
            "a horizon of {horizon_days} days; at most {MAX_DAYS}"
        )]));
    }
    use crate::record::Outcome;
    let mut out = Vec::new();
    for play in &playbook.plays {
        let mine: Vec<&Fired> = fired.iter().filter(|f| f.play == play.name).collect();
        let Some(first) = mine.iter().map(|f| f.date).min() else {
            continue;
        };
        let last = mine.iter().map(|f| f.date).max().unwrap_or(first);
        let end = after(last, horizon_days)?;
        let fired_on: BTreeMap<&str, NaiveDate> = mine
            .iter()
            .map(|f| (f.account_id.as_str(), f.date))
            .fold(BTreeMap::new(), |mut m, (a, d)| {
                m.entry(a).or_insert(d);
                m
            });
        let eligible: BTreeSet<String> = match &play.filter {
            Some(f) => {
                let t = play_table(book, first, ctx)?;
                let ids = texts(&t, "id");
                t.filter(f)?
                    .into_iter()
                    .zip(ids)
                    .filter_map(|(h, id)| if h { id.map(str::to_string) } else { None })
                    .collect()
            }
            None => book.accounts().iter().map(|a| a.id.clone()).collect(),
        };
        let (mut fr, mut fw, mut or, mut ow) = (0u64, 0u64, 0u64, 0u64);
        for (a, acc) in book.accounts().iter().enumerate() {
            let since = fired_on.get(acc.id.as_str()).copied();
            let window_start = since.unwrap_or(first);
            let window_end = match since {
                Some(d) => after(d, horizon_days)?,
                None => end,
            };
            let Some(o) = book
                .renewal_outcomes_of(a)
                .iter()
                .filter(|o| o.renewal_date > window_start && o.renewal_date <= window_end)
                .min_by_key(|o| o.renewal_date)
            else {
                continue;
            };
            let renewed = u64::from(o.outcome != Outcome::Churned);
            if since.is_some() {
                fr += 1;
                fw += renewed;
            } else if eligible.contains(&acc.id) {
                or += 1;
                ow += renewed;
            }
        }
        let fisher = (fr > 0 && or > 0).then(|| fisher_exact(fw, fr - fw, ow, or - ow));
        let pct = |k: u64, n: u64| {
            if n == 0 {
                "-".to_string()
            } else {
                format!("{:.0}%", 100.0 * k as f64 / n as f64)
            }
        };
        let verdict = match fisher {
            Some(t) => format!(
                "accounts it fired on renewed at {} ({fw}/{fr}) vs {} ({ow}/{or}) for the others; Fisher p = {:.2}{}",
                pct(fw, fr),
                pct(ow, or),
                t.p_value,
                if t.p_value >= 0.05 {
                    ": no significant difference"
                } else {
                    ""
                }
            ),
            None => "too few renewals after it fired to compare".into(),
        };
        out.push(PlayEffect {
            play: play.name.clone(),
            fired_renewals: fr,
            fired_renewed: fw,
            fired_rate: (fr > 0).then(|| fw as f64 / fr as f64),
            fired_ci95: wilson(fw, fr, Z95),
            other_renewals: or,
            other_renewed: ow,
            other_rate: (or > 0).then(|| ow as f64 / or as f64),
            other_ci95: wilson(ow, or, Z95),
            fisher,
            verdict,
        });
    }
    Ok(out)
}
