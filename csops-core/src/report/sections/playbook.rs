//! Playbooks: what would have fired (log-only), for whom, and what happened to those
//! accounts' renewals.

use super::{SMALL_SAMPLE, pct, sentence};
use crate::Result;
use crate::playbook::{PlayEffect, Replay};
use crate::report::chart::{self, Bar, BarScale};
use crate::report::{Section, Table};

/// The section's anchor in the page.
pub const ID: &str = "playbooks";
/// The section's heading.
pub const TITLE: &str = "Playbooks";

/// How many would-have-fired rows the section lists.
pub const LISTED: usize = 30;

/// The playbook section: a replay (log-only) and, when measured, each play's effect.
pub fn section(replay: &Replay, effects: &[PlayEffect]) -> Result<Section> {
    let per_csm = replay
        .per_csm
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut s = Section::new(
        ID,
        TITLE,
        format!(
            "From {} to {} the plays would have fired {} time(s){}.",
            replay.from,
            replay.to,
            replay.fired.len(),
            if per_csm.is_empty() {
                String::new()
            } else {
                format!(" (by CSM: {per_csm})")
            }
        ),
    );
    let mut bars = Vec::new();
    for e in effects {
        bars.push(Bar {
            label: format!("{}: fired", e.play),
            value: e.fired_rate,
            interval: e.fired_ci95.map(|i| (i.lo, i.hi)),
            n: e.fired_renewals,
            small: e.fired_renewals < SMALL_SAMPLE,
        });
        bars.push(Bar {
            label: format!("{}: not fired", e.play),
            value: e.other_rate,
            interval: e.other_ci95.map(|i| (i.lo, i.hi)),
            n: e.other_renewals,
            small: e.other_renewals < SMALL_SAMPLE,
        });
    }
    if !bars.is_empty() {
        s.charts.push(chart::bars(
            "Renewal rate after a play fired, against accounts where it did not",
            &format!(
                "{}.",
                sentence(
                    &effects
                        .iter()
                        .map(|e| e.verdict.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            ),
            "renewed",
            &bars,
            BarScale::Share(1.0),
        )?);
        let mut t = Table::new(
            "Play effects",
            &[
                "play",
                "fired: renewals",
                "fired: rate",
                "others: renewals",
                "others: rate",
                "verdict",
            ],
            &[
                "fired: renewals",
                "fired: rate",
                "others: renewals",
                "others: rate",
            ],
        );
        for e in effects {
            t.row(vec![
                e.play.clone(),
                e.fired_renewals.to_string(),
                pct(e.fired_rate),
                e.other_renewals.to_string(),
                pct(e.other_rate),
                e.verdict.clone(),
            ]);
        }
        s.tables.push(t);
    }
    let mut per = Table::new("Would have fired, per CSM", &["CSM", "times"], &["times"]);
    for (c, n) in &replay.per_csm {
        per.row(vec![c.clone(), n.to_string()]);
    }
    s.tables.push(per);
    let mut t = Table::new(
        &format!(
            "Would have fired (log-only), the first {}",
            LISTED.min(replay.fired.len())
        ),
        &["date", "play", "account", "CSM", "why"],
        &[],
    );
    for x in replay.fired.iter().take(LISTED) {
        t.row(vec![
            x.date.to_string(),
            x.play.clone(),
            x.account_id.clone(),
            x.csm.clone().unwrap_or_else(|| "-".into()),
            x.reason.clone(),
        ]);
    }
    s.tables.push(t);
    s.notes.push(
        "A replay is log-only: nothing was sent; it shows what the plays would have done on each day with what was known that day."
            .into(),
    );
    if !effects.is_empty() {
        s.notes.push(
            "An effect compares renewals after a firing with the rest; it is an association, not proof that the play caused the difference."
                .into(),
        );
    }
    Ok(s)
}
