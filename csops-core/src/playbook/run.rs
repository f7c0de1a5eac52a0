//! Running a playbook on a day: [`run`] and [`run_on_tables`] fire the plays whose triggers
//! hold (never twice a day, within a cooldown or while a task is open), giving the fired
//! actions and the next [`FireHistory`]; [`play_table`] gives the fields plays can use.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::config::{Action, Assignee, Playbook, Trigger};
use super::context::{RunContext, play_table};
use super::eval::{Eval, collect_change_fields, texts};
use super::fired::{Fired, FiredAction};
use super::history::FireHistory;
use super::template::render;
use crate::book::Book;
use crate::condition::{Column, Table};
use crate::{Error, Result};

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "PlayRun")
)]
pub struct Run {
    /// The day.
    pub date: NaiveDate,
    /// Everything that fired (live and would-have-fired), by play then account.
    pub fired: Vec<Fired>,
    /// The history to pass to the next run.
    pub history: FireHistory,
}

/// Run a playbook on `day`. Events count from the day after the history's last run (or the
/// day itself, on a first run).
pub fn run(
    book: &Book,
    playbook: &Playbook,
    day: NaiveDate,
    history: &FireHistory,
    ctx: &RunContext<'_>,
) -> Result<Run> {
    crate::fault::checkpoint("playbook::run");
    let now = play_table(book, day, ctx)?;
    run_on_tables(book, playbook, day, &now, &BTreeMap::new(), history, ctx)
}

/// [`run`] on account tables the caller already has: `now` on `day` (as [`play_table`] gives,
/// or any [`Table`] with an `id` column and the fields the plays use) and, for change
/// triggers, `past` tables keyed by window in days (the table `window` days before `day`).
/// A window missing from `past` is derived from the book with [`play_table`]. Event triggers
/// read the book's contact roles, tickets and surveys for the accounts of `now` (matched by
/// id): with an empty book they never fire. A daily job that already has the day's features
/// (or kept the tables of earlier days) skips deriving them.
pub fn run_on_tables(
    book: &Book,
    playbook: &Playbook,
    day: NaiveDate,
    now: &Table,
    past: &BTreeMap<u32, Table>,
    history: &FireHistory,
    ctx: &RunContext<'_>,
) -> Result<Run> {
    playbook.validate(&now.schema())?;
    if history.last_run.is_some_and(|l| l > day) {
        return Err(Error::Config(vec![format!(
            "the history's last run ({}) is after {day}: runs go forwards",
            history.last_run.expect("checked")
        )]));
    }
    let since = history
        .last_run
        .unwrap_or_else(|| day.pred_opt().unwrap_or(day));
    // The new history: crossing plays' holding sets are replaced below, so not copied.
    let replaced: BTreeSet<&str> = playbook
        .plays
        .iter()
        .filter(|p| contains_crossing(&p.trigger))
        .map(|p| p.name.as_str())
        .collect();
    let scope: Option<BTreeSet<&str>> = ctx
        .accounts
        .map(|ids| ids.iter().map(String::as_str).collect());
    let mut next = FireHistory {
        last_run: if scope.is_some() {
            history.last_run
        } else {
            Some(day)
        },
        last_fired: history.last_fired.clone(),
        open_tasks: history.open_tasks.clone(),
        holding: history
            .holding
            .iter()
            .filter(|(k, _)| !replaced.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    let ids = texts(now, "id");
    check_ids(now, &ids)?;
    if let Some(scope) = &scope {
        let known: BTreeSet<&str> = ids.iter().flatten().copied().collect();
        let unknown: Vec<String> = scope
            .iter()
            .filter(|a| !known.contains(*a))
            .map(|a| format!("account `{a}` is not in the account table"))
            .collect();
        if !unknown.is_empty() {
            return Err(Error::Config(unknown));
        }
    }
    let owners = texts(now, "owner_csm");
    let mut ev = Eval {
        book,
        day,
        since,
        now,
        ctx,
        ids: ids.clone(),
        given: past,
        past: BTreeMap::new(),
        past_rows: BTreeMap::new(),
        book_rows: None,
        change_fields: BTreeMap::new(),
    };
    for p in &playbook.plays {
        collect_change_fields(&p.trigger, &mut ev.change_fields);
    }
    let mut fired = Vec::new();
    for play in &playbook.plays {
        let allowed = match &play.filter {
            Some(f) => Some(now.filter(f)?),
            None => None,
        };
        let mut holding_now = Vec::new();
        let reasons = ev.eval(
            &play.trigger,
            history.holding.get(&play.name).map(Vec::as_slice),
            &mut holding_now,
        )?;
        if contains_crossing(&play.trigger) {
            match (&scope, history.holding.get(&play.name)) {
                (None, _) => {
                    next.holding.insert(play.name.clone(), holding_now);
                }
                // A scoped run updates its accounts' states only, and starts none.
                (Some(scope), Some(before)) => {
                    let merged = holding_now
                        .into_iter()
                        .enumerate()
                        .map(|(k, held)| {
                            let mut set: BTreeSet<String> = before
                                .get(k)
                                .into_iter()
                                .flatten()
                                .filter(|a| !scope.contains(a.as_str()))
                                .cloned()
                                .collect();
                            set.extend(held.into_iter().filter(|a| scope.contains(a.as_str())));
                            set
                        })
                        .collect();
                    next.holding.insert(play.name.clone(), merged);
                }
                (Some(_), None) => {}
            }
        }
        let last_fired = history.last_fired.get(&play.name);
        let open: BTreeSet<&str> = history
            .open_tasks
            .range((play.name.clone(), String::new())..)
            .take_while(|(p, _)| *p == play.name)
            .map(|(_, a)| a.as_str())
            .collect();
        for (i, reason) in reasons.into_iter().enumerate() {
            let Some(reason) = reason else {
                continue;
            };
            if allowed.as_ref().is_some_and(|a| !a[i]) {
                continue;
            }
            let id = ids[i].unwrap_or_default();
            if scope.as_ref().is_some_and(|s| !s.contains(id)) {
                continue;
            }
            let last = last_fired.and_then(|m| m.get(id));
            // Never twice a day; not within the cooldown; not while its task is open.
            if last.is_some_and(|l| (day - *l).num_days() < i64::from(play.cooldown_days.max(1))) {
                continue;
            }
            if open.contains(id) {
                continue;
            }
            let actions = play
                .actions
                .iter()
                .map(|a| {
                    Ok(match a {
                        Action::Task {
                            assign,
                            title,
                            body,
                            due_in_days,
                            priority,
                        } => FiredAction::Task {
                            assignee: match assign {
                                Assignee::Owner => owners[i].unwrap_or("(unowned)").to_string(),
                                Assignee::Role { role } => format!("role:{role}"),
                                Assignee::Queue { queue } => format!("queue:{queue}"),
                            },
                            title: render(title, now, i, &play.name, &reason, day),
                            body: render(body, now, i, &play.name, &reason, day),
                            due: after(day, *due_in_days)?,
                            priority: priority.clone(),
                        },
                        Action::Tag { tag } => FiredAction::Tag { tag: tag.clone() },
                        Action::Route { to } => FiredAction::Route { to: to.clone() },
                    })
                })
                .collect::<Result<Vec<FiredAction>>>()?;
            next.last_fired
                .entry(play.name.clone())
                .or_default()
                .insert(id.to_string(), day);
            if actions
                .iter()
                .any(|a| matches!(a, FiredAction::Task { .. }))
            {
                next.open_tasks.insert((play.name.clone(), id.to_string()));
            }
            fired.push(Fired {
                date: day,
                play: play.name.clone(),
                account_id: id.to_string(),
                csm: owners[i].map(str::to_string),
                mode: play.mode,
                reason,
                actions,
            });
        }
    }
    Ok(Run {
        date: day,
        fired,
        history: next,
    })
}

/// Every row of an account table needs its own id: the history is kept per account, so a
/// missing or repeated id would fire twice or attach a task to nobody.
fn check_ids(t: &Table, ids: &[Option<&str>]) -> Result<()> {
    if !matches!(t.columns.get("id"), Some(Column::Text(_))) {
        return Err(Error::Config(vec![
            "the account table needs a text column `id`".into(),
        ]));
    }
    let mut seen = BTreeSet::new();
    let mut p = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        match id {
            None => p.push(format!("row {i}: no account id")),
            Some(id) if !seen.insert(*id) => p.push(format!("row {i}: account `{id}` again")),
            Some(_) => {}
        }
        if p.len() >= 20 {
            p.push("(further rows not checked)".into());
            break;
        }
    }
    if p.is_empty() {
        Ok(())
    } else {
        Err(Error::Config(p))
    }
}

/// `days` after `day`, or an error at the end of the calendar.
pub(super) fn after(day: NaiveDate, days: u32) -> Result<NaiveDate> {
    day.checked_add_days(Days::new(days.into()))
        .ok_or_else(|| Error::Config(vec![format!("{days} days after {day} leaves the calendar")]))
}

fn contains_crossing(t: &Trigger) -> bool {
    match t {
        Trigger::Crossing { .. } => true,
        Trigger::All { of } | Trigger::Any { of } => of.iter().any(contains_crossing),
        _ => false,
    }
}
