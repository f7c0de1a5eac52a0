//! Evaluating triggers on a day's account table: level, crossing, change (against the table
//! of an earlier day), event (from the book's roles, tickets and surveys) and renewal triggers,
//! each giving per account whether it fires and why.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};

use super::config::{EventKind, Trigger};
use super::context::RunContext;
#[cfg(doc)]
use super::context::play_table;
use super::template::short;
use crate::book::Book;
use crate::condition::{Column, Table};
use crate::features::features_as_of;
use crate::record::{Role, SurveyKind};
use crate::segment::account_table;
use crate::{Error, Result};

pub(super) struct Eval<'a> {
    pub(super) book: &'a Book,
    pub(super) day: NaiveDate,
    pub(super) since: NaiveDate,
    pub(super) now: &'a Table,
    pub(super) ctx: &'a RunContext<'a>,
    /// The day's account ids, borrowed from `now`.
    pub(super) ids: Vec<Option<&'a str>>,
    /// Earlier tables the caller gave, by window.
    pub(super) given: &'a BTreeMap<u32, Table>,
    /// Earlier tables derived here, by window.
    pub(super) past: BTreeMap<u32, Table>,
    /// Per window: the row of the earlier table for each row of `now` (matched by id).
    pub(super) past_rows: BTreeMap<u32, Vec<Option<usize>>>,
    /// Per account of the book: its row of `now`.
    pub(super) book_rows: Option<Vec<Option<usize>>>,
    /// Per window: the fields change triggers compare over it.
    pub(super) change_fields: BTreeMap<u32, BTreeSet<&'a str>>,
}

pub(super) fn collect_change_fields<'p>(
    t: &'p Trigger,
    out: &mut BTreeMap<u32, BTreeSet<&'p str>>,
) {
    match t {
        Trigger::Change {
            field, window_days, ..
        } => {
            out.entry(*window_days).or_default().insert(field);
        }
        Trigger::All { of } | Trigger::Any { of } => {
            for t in of {
                collect_change_fields(t, out);
            }
        }
        _ => {}
    }
}

/// The table a change trigger compares with, `day` being the earlier day: when every field
/// compared is a feature or a score, only `id` and those columns (the account table is not
/// built); otherwise the [`play_table`]. Accounts the feature frame leaves out (churned ones)
/// have no row, which a change trigger treats as the missing values the play table holds.
fn past_table(
    book: &Book,
    day: NaiveDate,
    ctx: &RunContext<'_>,
    fields: Option<&BTreeSet<&str>>,
) -> Result<Table> {
    let frame = features_as_of(book, day, &ctx.features)?;
    let scored = |f: &str| ctx.scorecard.is_some() && matches!(f, "score" | "coverage");
    let slim = fields.filter(|fs| {
        fs.iter()
            .all(|f| scored(f) || frame.columns.iter().any(|c| c.name == *f))
    });
    let Some(fields) = slim else {
        let scores = match ctx.scorecard {
            Some(c) => Some(c.score_frame(&frame, None)?),
            None => None,
        };
        return account_table(book, day, Some(&frame), scores.as_ref());
    };
    let mut t = Table::default();
    t.insert(
        "id",
        Column::Text(frame.account_ids.iter().cloned().map(Some).collect()),
    )?;
    for c in &frame.columns {
        if fields.contains(c.name.as_str()) {
            t.insert(&c.name, Column::Number(c.values.clone()))?;
        }
    }
    if let Some(card) = ctx.scorecard
        && (fields.contains("score") || fields.contains("coverage"))
    {
        let s = card.score_frame(&frame, None)?;
        if fields.contains("score") {
            t.insert("score", Column::Number(s.scores))?;
        }
        if fields.contains("coverage") {
            t.insert("coverage", Column::Number(s.coverage))?;
        }
    }
    Ok(t)
}

impl<'a> Eval<'a> {
    /// Make sure the table `days` before and its row matching are at hand.
    fn prepare_past(&mut self, days: u32) -> Result<()> {
        if !self.given.contains_key(&days) && !self.past.contains_key(&days) {
            let d = self
                .day
                .checked_sub_days(Days::new(days.into()))
                .ok_or_else(|| {
                    Error::Config(vec![format!(
                        "{days} days before {} leaves the calendar",
                        self.day
                    )])
                })?;
            let t = past_table(self.book, d, self.ctx, self.change_fields.get(&days))?;
            self.past.insert(days, t);
        }
        if !self.past_rows.contains_key(&days) {
            let past_t = self.past_table(days);
            // Match rows by account id: the account set can differ between days.
            let row: BTreeMap<&str, usize> = texts(past_t, "id")
                .into_iter()
                .enumerate()
                .filter_map(|(i, id)| id.map(|id| (id, i)))
                .collect();
            let rows = self
                .ids
                .iter()
                .map(|id| id.and_then(|id| row.get(id).copied()))
                .collect();
            self.past_rows.insert(days, rows);
        }
        Ok(())
    }

    fn past_table(&self, days: u32) -> &Table {
        self.given
            .get(&days)
            .or_else(|| self.past.get(&days))
            .expect("prepared")
    }

    fn prepare_book_rows(&mut self) {
        if self.book_rows.is_none() {
            let row: BTreeMap<&str, usize> = self
                .ids
                .iter()
                .enumerate()
                .filter_map(|(i, id)| id.map(|id| (id, i)))
                .collect();
            self.book_rows = Some(
                self.book
                    .accounts()
                    .iter()
                    .map(|a| row.get(a.id.as_str()).copied())
                    .collect(),
            );
        }
    }

    /// Per row: (fires, reason) for a trigger. Each crossing condition met, in the trigger's
    /// order, pushes onto `now_holding` the accounts for which it holds now (for the history);
    /// `holding` has the sets of the last run in the same order (`None`: the play's first run).
    pub(super) fn eval(
        &mut self,
        t: &Trigger,
        holding: Option<&[BTreeSet<String>]>,
        now_holding: &mut Vec<BTreeSet<String>>,
    ) -> Result<Vec<Option<String>>> {
        let n = self.now.rows;
        Ok(match t {
            Trigger::Level { when } => {
                let hit = self.now.filter(when)?;
                let reason = when.to_string();
                hit.iter().map(|h| h.then(|| reason.clone())).collect()
            }
            Trigger::Crossing { when } => {
                let hit = self.now.filter(when)?;
                let reason = format!("became true: {when}");
                // With no state yet (the play's first run, or a crossing added since) the run
                // only records which accounts hold: switching a play on must not fire it for
                // every account that was already red.
                let before = holding.and_then(|h| h.get(now_holding.len()));
                let mut held = BTreeSet::new();
                let out = (0..n)
                    .map(|i| {
                        if !hit[i] {
                            return None;
                        }
                        let id = self.ids[i].unwrap_or_default();
                        held.insert(id.to_string());
                        let was = before.is_none_or(|h| h.contains(id));
                        (!was).then(|| reason.clone())
                    })
                    .collect();
                now_holding.push(held);
                out
            }
            Trigger::Change {
                field,
                window_days,
                drop,
                rise,
            } => {
                self.prepare_past(*window_days)?;
                let now = numbers(self.now, field);
                let past_vals = numbers(self.past_table(*window_days), field);
                let rows = &self.past_rows[window_days];
                (0..n)
                    .map(|i| {
                        let then = rows[i].map(|j| past_vals.map_or(f64::NAN, |v| v[j]))?;
                        let x = now.map_or(f64::NAN, |v| v[i]);
                        if !x.is_finite() || !then.is_finite() || then == 0.0 {
                            return None;
                        }
                        let change = (x - then) / then.abs();
                        let fell = drop.is_some_and(|d| change <= -d);
                        let rose = rise.is_some_and(|r| change >= r);
                        (fell || rose).then(|| {
                            format!(
                                "{field} {} {:.0}% ({} -> {}) against {window_days} days before",
                                if fell { "fell" } else { "rose" },
                                100.0 * change.abs(),
                                short(then),
                                short(x)
                            )
                        })
                    })
                    .collect()
            }
            Trigger::Event { event } => {
                self.prepare_book_rows();
                let rows = self.book_rows.as_deref().expect("prepared");
                let mut out = vec![None; n];
                let in_window = |d: NaiveDate| d > self.since && d <= self.day;
                for (a, &i) in rows.iter().enumerate() {
                    let Some(i) = i else {
                        continue;
                    };
                    let reason = match event {
                        EventKind::SponsorRemoved | EventKind::ChampionRemoved => {
                            let role = if *event == EventKind::SponsorRemoved {
                                Role::ExecutiveSponsor
                            } else {
                                Role::Champion
                            };
                            self.book
                                .roles_of(a)
                                .iter()
                                .filter(|r| r.role == role && r.removed.is_some_and(in_window))
                                .map(|r| {
                                    let who = self
                                        .book
                                        .contact(&r.contact_id)
                                        .map_or(r.contact_id.clone(), |c| c.name.clone());
                                    format!(
                                        "{} {who} left the role on {}",
                                        role.as_str().replace('_', " "),
                                        r.removed.expect("filtered")
                                    )
                                })
                                .next()
                        }
                        EventKind::TicketEscalated => self
                            .book
                            .tickets_of(a)
                            .iter()
                            .filter(|t| t.escalated && in_window(t.opened))
                            .map(|t| format!("escalated ticket {} opened {}", t.id, t.opened))
                            .next(),
                        EventKind::NpsDetractor => self
                            .book
                            .surveys_of(a)
                            .iter()
                            .filter(|s| {
                                s.kind == SurveyKind::Nps && s.score <= 6 && in_window(s.date)
                            })
                            .map(|s| format!("NPS {} on {}", s.score, s.date))
                            .next(),
                    };
                    out[i] = reason;
                }
                out
            }
            Trigger::Renewal { within_days } => match numbers(self.now, "days_to_renewal") {
                Some(days) => days
                    .iter()
                    .map(|d| {
                        (d.is_finite() && *d <= f64::from(*within_days))
                            .then(|| format!("renews in {d:.0} days"))
                    })
                    .collect(),
                None => vec![None; n],
            },
            Trigger::All { of } => {
                let mut acc: Vec<Option<String>> = vec![Some(String::new()); n];
                for t in of {
                    let r = self.eval(t, holding, now_holding)?;
                    for (a, b) in acc.iter_mut().zip(r) {
                        *a = match (a.take(), b) {
                            (Some(x), Some(y)) if x.is_empty() => Some(y),
                            (Some(x), Some(y)) => Some(format!("{x}; {y}")),
                            _ => None,
                        };
                    }
                }
                acc
            }
            Trigger::Any { of } => {
                let mut acc: Vec<Option<String>> = vec![None; n];
                for t in of {
                    let r = self.eval(t, holding, now_holding)?;
                    for (a, b) in acc.iter_mut().zip(r) {
                        if a.is_none() {
                            *a = b;
                        }
                    }
                }
                acc
            }
        })
    }
}

/// A text column's values, borrowed (all missing when the table has no such text column).
pub(super) fn texts<'t>(t: &'t Table, name: &str) -> Vec<Option<&'t str>> {
    match t.columns.get(name) {
        Some(Column::Text(v)) => v.iter().map(Option::as_deref).collect(),
        _ => vec![None; t.rows],
    }
}

/// A number column, borrowed (`None`: no such number column, all missing).
fn numbers<'t>(t: &'t Table, name: &str) -> Option<&'t [f64]> {
    match t.columns.get(name) {
        Some(Column::Number(v)) => Some(v),
        _ => None,
    }
}
