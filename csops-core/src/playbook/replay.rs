//! Replaying a playbook day by day over a past window, every play log-only: the [`Replay`]
//! lists what would have fired, with counts per play and per CSM.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::MAX_DAYS;
use super::config::{Mode, Playbook};
use super::context::RunContext;
use super::fired::{Fired, FiredAction};
use super::history::FireHistory;
use super::run::run;
use crate::book::Book;
use crate::{Error, Result};

/// A playbook replayed over a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "PlayReplay")
)]
pub struct Replay {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Everything that would have fired, by day.
    pub fired: Vec<Fired>,
    /// Per play: how many times it fired.
    pub per_play: BTreeMap<String, u64>,
    /// Per CSM: how many tasks they would have received.
    pub per_csm: BTreeMap<String, u64>,
    /// The history after the last day.
    pub history: FireHistory,
}

/// Run a playbook day by day from `from` to `to` (inclusive), starting from `history`, every
/// play treated as log-only: what would have fired, before anything touches a customer. Tasks
/// are taken as done the day they fall due (a reviewer wants to see repeats, not a queue that
/// silences a play).
pub fn replay(
    book: &Book,
    playbook: &Playbook,
    from: NaiveDate,
    to: NaiveDate,
    history: &FireHistory,
    ctx: &RunContext<'_>,
) -> Result<Replay> {
    crate::fault::checkpoint("playbook::replay");
    if from > to {
        return Err(Error::Config(vec![format!(
            "replay from {from} to {to} runs backwards"
        )]));
    }
    if (to - from).num_days() > i64::from(MAX_DAYS) {
        return Err(Error::Config(vec![
            "a replay covers at most ten years".into(),
        ]));
    }
    let mut log_only = playbook.clone();
    for p in &mut log_only.plays {
        p.mode = Mode::LogOnly;
    }
    let mut h = history.clone();
    let mut due: BTreeMap<NaiveDate, Vec<(String, String)>> = BTreeMap::new();
    let mut out = Replay {
        from,
        to,
        fired: Vec::new(),
        per_play: BTreeMap::new(),
        per_csm: BTreeMap::new(),
        history: FireHistory::default(),
    };
    let mut day = from;
    let days = (to - from).num_days() as u64 + 1;
    loop {
        ctx.progress.report(
            "replaying plays",
            (day - from).num_days() as u64,
            Some(days),
            "days",
        )?;
        for (play, id) in due.remove(&day).unwrap_or_default() {
            h.close_task(&play, &id);
        }
        let r = run(book, &log_only, day, &h, ctx)?;
        for f in &r.fired {
            *out.per_play.entry(f.play.clone()).or_default() += 1;
            for a in &f.actions {
                if let FiredAction::Task {
                    assignee, due: d, ..
                } = a
                {
                    *out.per_csm.entry(assignee.clone()).or_default() += 1;
                    due.entry(*d)
                        .or_default()
                        .push((f.play.clone(), f.account_id.clone()));
                }
            }
        }
        out.fired.extend(r.fired);
        h = r.history;
        if day == to {
            break;
        }
        day = day
            .succ_opt()
            .ok_or_else(|| Error::Config(vec!["the calendar ends".into()]))?;
    }
    out.history = h;
    Ok(out)
}
