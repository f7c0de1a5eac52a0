//! Health: how the book's accounts are banded today, the riskiest accounts and what pulls
//! them down, and who moved since last week.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::{SMALL_SAMPLE, num, sentence};
use crate::Result;
use crate::book::Book;
use crate::features::{FeatureConfig, features_as_of};
use crate::health::Scorecard;
use crate::report::chart::{self, Bar, BarScale};
use crate::report::{Section, Table};

/// The section's anchor in the page.
pub const ID: &str = "health";
/// The section's heading.
pub const TITLE: &str = "Health";

/// How many riskiest accounts and movers the section lists.
pub const LISTED: usize = 10;

/// The health section: `card` on the book's features on `as_of` and seven days before.
pub fn section(
    book: &Book,
    card: &Scorecard,
    as_of: NaiveDate,
    features: &FeatureConfig,
) -> Result<Section> {
    let frame = features_as_of(book, as_of, features)?;
    let scores = card.score_frame(&frame, None)?;
    let total = scores.scores.len();
    let counts = scores.band_counts();
    // Bands in the card's order, lowest first, then the unscored.
    let mut order: Vec<String> = scores.band_names.clone();
    let others: Vec<String> = counts
        .keys()
        .filter(|k| !order.contains(k))
        .cloned()
        .collect();
    order.extend(others);
    let share = |n: usize| {
        #[allow(clippy::cast_precision_loss)]
        let s = n as f64 / total.max(1) as f64;
        s
    };
    let lowest = order.first().cloned().unwrap_or_default();
    let at_risk = counts.get(&lowest).copied().unwrap_or(0);
    let mut s = Section::new(
        ID,
        TITLE,
        format!(
            "{at_risk} of {total} active accounts ({:.0}%) are {lowest} on {as_of} by the {} scorecard.",
            100.0 * share(at_risk),
            card.name
        ),
    );
    let bars: Vec<Bar> = order
        .iter()
        .map(|b| {
            let n = counts.get(b).copied().unwrap_or(0);
            Bar {
                label: b.clone(),
                value: Some(share(n)),
                interval: None,
                n: n as u64,
                small: false,
            }
        })
        .collect();
    let alt = order
        .iter()
        .map(|b| {
            let n = counts.get(b).copied().unwrap_or(0);
            format!("{b}: {n} accounts ({:.0}%)", 100.0 * share(n))
        })
        .collect::<Vec<_>>()
        .join("; ");
    s.charts.push(chart::bars(
        &format!("Accounts by band on {as_of}"),
        &format!(
            "Share of the {total} active accounts in each band. {}.",
            sentence(&alt)
        ),
        "share of accounts",
        &bars,
        BarScale::Share(1.0),
    )?);

    // The riskiest, with the three measures that cost them most.
    let mut ranked: Vec<usize> = (0..total).filter(|&i| !scores.scores[i].is_nan()).collect();
    ranked.sort_by(|&a, &b| {
        scores.scores[a]
            .total_cmp(&scores.scores[b])
            .then_with(|| frame.account_ids[a].cmp(&frame.account_ids[b]))
    });
    let mut risky = Table::new(
        &format!("The {LISTED} riskiest accounts and what pulls them down"),
        &[
            "account",
            "name",
            "owner",
            "score",
            "band",
            "drivers (points lost)",
        ],
        &["score"],
    );
    for &i in ranked.iter().take(LISTED) {
        let why = card.explain(&frame, None, i)?;
        let id = &frame.account_ids[i];
        let account = book.account(id);
        let drivers = why
            .top_negative_drivers(crate::health::DEFAULT_DRIVERS)
            .iter()
            .map(|d| format!("{} −{:.0}", d.name, d.points_lost))
            .collect::<Vec<_>>()
            .join(", ");
        risky.row(vec![
            id.clone(),
            account.map_or(String::new(), |a| a.name.clone()),
            account
                .and_then(|a| a.owner_csm.clone())
                .unwrap_or_default(),
            num(Some(scores.scores[i]), 1),
            scores.band(i).unwrap_or("-").into(),
            drivers,
        ]);
    }
    s.tables.push(risky);

    // Movers: the same card seven days earlier.
    if let Some(before) = as_of.checked_sub_days(Days::new(7)) {
        let old_frame = features_as_of(book, before, features)?;
        let old = card.score_frame(&old_frame, None)?;
        let old_by_id: BTreeMap<&str, (f64, Option<&str>)> = old_frame
            .account_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), (old.scores[i], old.band(i))))
            .collect();
        let mut moves: Vec<(f64, usize, f64, Option<&str>)> = (0..total)
            .filter_map(|i| {
                let (was, was_band) = *old_by_id.get(frame.account_ids[i].as_str())?;
                let now = scores.scores[i];
                (now.is_finite() && was.is_finite() && now != was).then_some((
                    now - was,
                    i,
                    was,
                    was_band,
                ))
            })
            .collect();
        moves.sort_by(|a, b| {
            b.0.abs()
                .total_cmp(&a.0.abs())
                .then_with(|| frame.account_ids[a.1].cmp(&frame.account_ids[b.1]))
        });
        let band_changes = moves.iter().filter(|m| m.3 != scores.band(m.1)).count();
        let mut t = Table::new(
            &format!("The biggest movers since {before}"),
            &[
                "account",
                "name",
                "score then",
                "score now",
                "change",
                "band then",
                "band now",
            ],
            &["score then", "score now", "change"],
        );
        for &(d, i, was, was_band) in moves.iter().take(LISTED) {
            let id = &frame.account_ids[i];
            t.row(vec![
                id.clone(),
                book.account(id).map_or(String::new(), |a| a.name.clone()),
                num(Some(was), 1),
                num(Some(scores.scores[i]), 1),
                format!("{d:+.1}"),
                was_band.unwrap_or("-").into(),
                scores.band(i).unwrap_or("-").into(),
            ]);
        }
        s.tables.push(t);
        s.notes.push(format!(
            "{} account(s) changed score since {before}; {band_changes} changed band.",
            moves.len()
        ));
    }
    if total < usize::try_from(SMALL_SAMPLE).unwrap_or(usize::MAX) {
        s.notes.push(format!(
            "Only {total} active accounts: shares move a lot with one account."
        ));
    }
    s.notes.push(format!(
        "The {} scorecard's bands are fixed thresholds on its score; whether they predict churn is the back-test's question, below.",
        card.name
    ));
    Ok(s)
}
