//! Playbooks: triggers that fire tasks, in log-only mode first.
//!
//! A **play** turns "a CSM should reach out when usage drops 30%" into something that runs:
//! a trigger, a filter (which accounts, in the [condition language](crate::condition)), one or
//! more actions (a task from a template, a tag, a routing), a mode, a cooldown and an owner.
//!
//! Triggers:
//! - **level**: a condition holds now (`band == "red" and arr >= 50000`);
//! - **crossing**: a condition became true since the last run (the band *turned* red) — it
//!   fires once per crossing; a play's first run only notes which accounts already hold;
//! - **change**: a number moved by a share over a window ("logins fell 30% or more against 30
//!   days before");
//! - **event**: something happened since the last run — the executive sponsor or champion left
//!   (a contact-role spell ended), a ticket was escalated, an NPS detractor answered;
//! - **renewal**: the renewal is within N days (combine with a condition: "and not green");
//! - **all** / **any** of several.
//!
//! The **engine is pure**: (playbook, book, day, fire history) → fired actions and the new
//! history. A play does not fire twice for an account on the same day, nor within its cooldown,
//! nor while a task it created for the account is still open; crossings fire on the edge only.
//! Re-running with the same inputs fires nothing new.
//!
//! **Log-only mode** makes the same decisions and records them as "would have fired", with the
//! reason, and emits no live task. [`replay`] runs a playbook day by day over a past window and
//! lists what it would have fired, with counts per play and per CSM, so the noise is reviewed
//! before go-live.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::book::Book;
use crate::condition::{Column, Condition, Kind, Schema, Table};
use crate::features::{FeatureConfig, features_as_of};
use crate::health::Scorecard;
use crate::record::{Role, SurveyKind};
use crate::segment::account_table;
use crate::{Error, Result};

/// Live, or log-only (records what would have fired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Emit tasks.
    Live,
    /// Record "would have fired" only (the default: new plays start here).
    #[default]
    LogOnly,
}

/// Something that happened to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An executive-sponsor role ended.
    SponsorRemoved,
    /// A champion role ended.
    ChampionRemoved,
    /// An escalated ticket was opened.
    TicketEscalated,
    /// An NPS answer of 0–6.
    NpsDetractor,
}

/// When a play fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// The condition holds now.
    Level {
        /// The condition.
        when: Condition,
    },
    /// The condition became true since the last run.
    Crossing {
        /// The condition.
        when: Condition,
    },
    /// A number moved by a share against its value `window_days` earlier.
    Change {
        /// A number field (a feature, `score`, `arr`).
        field: String,
        /// The window.
        window_days: u32,
        /// Fire when it fell by at least this share (0.3 = 30%).
        #[serde(default)]
        drop: Option<f64>,
        /// Fire when it rose by at least this share.
        #[serde(default)]
        rise: Option<f64>,
    },
    /// An event since the last run.
    Event {
        /// Which.
        event: EventKind,
    },
    /// The renewal is within this many days.
    Renewal {
        /// Days.
        within_days: u32,
    },
    /// All of these.
    All {
        /// The triggers.
        of: Vec<Trigger>,
    },
    /// Any of these.
    Any {
        /// The triggers.
        of: Vec<Trigger>,
    },
}

/// Who gets a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case", deny_unknown_fields)]
pub enum Assignee {
    /// The account's owner (the CSM).
    Owner,
    /// A role (e.g. `renewals_manager`), resolved by whoever receives the task.
    Role {
        /// The role.
        role: String,
    },
    /// A queue.
    Queue {
        /// The queue.
        queue: String,
    },
}

/// What a play does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Create a task from a template. `{field}` placeholders take the account's values (any
    /// field of the condition language), plus `{play}`, `{reason}` and `{date}`.
    Task {
        /// Who.
        assign: Assignee,
        /// Title template.
        title: String,
        /// Body template.
        #[serde(default)]
        body: String,
        /// Due this many days after firing.
        due_in_days: u32,
        /// `low`, `normal`, `high` or `urgent`.
        #[serde(default = "normal")]
        priority: String,
    },
    /// Tag the account.
    Tag {
        /// The tag.
        tag: String,
    },
    /// Route (reassign) the account to a person or team.
    Route {
        /// Where.
        to: String,
    },
}

fn normal() -> String {
    "normal".into()
}

/// A play.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Play {
    /// Unique name.
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Who owns the play (answers for its noise).
    pub owner: String,
    /// When it fires.
    pub trigger: Trigger,
    /// Which accounts it applies to (all when absent).
    #[serde(default)]
    pub filter: Option<Condition>,
    /// What it does.
    pub actions: Vec<Action>,
    /// Live or log-only.
    #[serde(default)]
    pub mode: Mode,
    /// Days after firing before it may fire again for the same account.
    #[serde(default)]
    pub cooldown_days: u32,
}

/// Plays, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    /// Format version (1).
    #[serde(default = "one")]
    pub schema_version: u32,
    /// The plays.
    pub plays: Vec<Play>,
}

fn one() -> u32 {
    1
}

const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];
const MAX_TRIGGER_DEPTH: usize = 16;
/// The longest span a play may name (due days, cooldowns, windows, renewal horizons): ten
/// years, which keeps every date a run computes inside the calendar.
pub const MAX_DAYS: u32 = 3660;
/// The horizon [`play_effects`] uses when a caller has no reason to choose another: a year,
/// one renewal cycle.
pub const DEFAULT_EFFECT_HORIZON_DAYS: u32 = 365;

impl Playbook {
    /// Read from JSON, with every check that needs no book (see [`Playbook::check`]).
    pub fn from_json(text: &str) -> Result<Self> {
        let pb: Self = serde_json::from_str(text)
            .map_err(|e| Error::Config(vec![format!("playbook: {e}")]))?;
        pb.check()?;
        Ok(pb)
    }

    /// Read from TOML, with every check that needs no book (see [`Playbook::check`]).
    pub fn from_toml(text: &str) -> Result<Self> {
        let pb: Self =
            toml::from_str(text).map_err(|e| Error::Config(vec![format!("playbook: {e}")]))?;
        pb.check()?;
        Ok(pb)
    }

    /// Every check that needs no book, all problems at once: names, owners, actions,
    /// priorities, spans, trigger shapes and depth, template syntax. Loading runs it, so a
    /// malformed playbook never loads. Which fields exist depends on the book, the feature
    /// configuration and whether a scorecard is given, so fields (in conditions, change
    /// triggers and `{field}` placeholders alike) are checked by [`Playbook::validate`], which
    /// every run calls before it fires anything.
    pub fn check(&self) -> Result<()> {
        problems_to_result(self.problems(None))
    }

    /// Write as JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Config(vec![e.to_string()]))
    }

    /// Write as TOML.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::Config(vec![format!("playbook: {e}")]))
    }

    /// Check every play against the fields available: conditions, change fields, template
    /// placeholders, and everything [`Playbook::check`] checks. All problems at once.
    pub fn validate(&self, schema: &Schema) -> Result<()> {
        problems_to_result(self.problems(Some(schema)))
    }

    /// The problems of the plays; the field checks only with a schema.
    fn problems(&self, schema: Option<&Schema>) -> Vec<String> {
        crate::fault::checkpoint("Playbook::problems");
        let mut p = Vec::new();
        if self.schema_version != 1 {
            p.push(format!(
                "schema_version {} is not supported (1)",
                self.schema_version
            ));
        }
        let mut names = BTreeSet::new();
        for play in &self.plays {
            let at = format!("play `{}`", play.name);
            if play.name.trim().is_empty() {
                p.push("a play has no name".into());
            } else if !names.insert(play.name.as_str()) {
                p.push(format!("{at}: the name is used twice"));
            }
            if play.owner.trim().is_empty() {
                p.push(format!("{at}: no owner"));
            }
            if play.actions.is_empty() {
                p.push(format!("{at}: no actions"));
            }
            if play.cooldown_days > MAX_DAYS {
                p.push(format!(
                    "{at}: a cooldown of {} days; at most {MAX_DAYS}",
                    play.cooldown_days
                ));
            }
            if let Some(f) = &play.filter
                && let Some(schema) = schema
                && let Err(Error::Config(e)) = schema.check(f)
            {
                p.extend(e.into_iter().map(|e| format!("{at}, filter: {e}")));
            }
            check_trigger(&play.trigger, schema, &at, 0, &mut p);
            for a in &play.actions {
                if let Action::Task {
                    title,
                    body,
                    priority,
                    ..
                } = a
                {
                    if !PRIORITIES.contains(&priority.as_str()) {
                        p.push(format!(
                            "{at}: priority `{priority}`; expected one of {}",
                            PRIORITIES.join(", ")
                        ));
                    }
                    for t in [title, body] {
                        match placeholders(t) {
                            Ok(fields) => {
                                for f in fields {
                                    if let Some(schema) = schema
                                        && !schema.fields.contains_key(f)
                                        && !["play", "reason", "date"].contains(&f)
                                    {
                                        p.push(format!(
                                            "{at}: the template uses `{{{f}}}`, which is not a field"
                                        ));
                                    }
                                }
                            }
                            Err(e) => p.push(format!("{at}: {e}")),
                        }
                    }
                    if title.trim().is_empty() {
                        p.push(format!("{at}: a task needs a title"));
                    }
                    if let Action::Task { due_in_days, .. } = a
                        && *due_in_days > MAX_DAYS
                    {
                        p.push(format!(
                            "{at}: a task due in {due_in_days} days; at most {MAX_DAYS}"
                        ));
                    }
                }
            }
        }
        p
    }
}

fn problems_to_result(p: Vec<String>) -> Result<()> {
    if p.is_empty() {
        Ok(())
    } else {
        Err(Error::Config(p))
    }
}

fn check_trigger(
    t: &Trigger,
    schema: Option<&Schema>,
    at: &str,
    depth: usize,
    p: &mut Vec<String>,
) {
    if depth > MAX_TRIGGER_DEPTH {
        p.push(format!(
            "{at}: triggers nested more than {MAX_TRIGGER_DEPTH} deep"
        ));
        return;
    }
    match t {
        Trigger::Level { when } | Trigger::Crossing { when } => {
            if let Some(schema) = schema
                && let Err(Error::Config(e)) = schema.check(when)
            {
                p.extend(e.into_iter().map(|e| format!("{at}, trigger: {e}")));
            }
        }
        Trigger::Change {
            field,
            window_days,
            drop,
            rise,
        } => {
            if let Some(schema) = schema
                && schema.fields.get(field) != Some(&Kind::Number)
            {
                p.push(format!(
                    "{at}: a change trigger needs a number field, not `{field}`"
                ));
            }
            if *window_days == 0 || *window_days > MAX_DAYS {
                p.push(format!(
                    "{at}: a change needs a window of 1 to {MAX_DAYS} days, not {window_days}"
                ));
            }
            if drop.is_none() && rise.is_none() {
                p.push(format!("{at}: a change trigger needs `drop` or `rise`"));
            }
            for x in [drop, rise].into_iter().flatten() {
                if !(*x > 0.0 && x.is_finite()) {
                    p.push(format!("{at}: a change share must be positive, not {x}"));
                }
            }
        }
        Trigger::Renewal { within_days } if *within_days > MAX_DAYS => {
            p.push(format!(
                "{at}: a renewal within {within_days} days; at most {MAX_DAYS}"
            ));
        }
        Trigger::Event { .. } | Trigger::Renewal { .. } => {}
        Trigger::All { of } | Trigger::Any { of } => {
            if of.is_empty() {
                p.push(format!("{at}: `all`/`any` needs at least one trigger"));
            }
            for t in of {
                check_trigger(t, schema, at, depth + 1, p);
            }
        }
    }
}

/// The `{field}` placeholders of a template.
fn placeholders(t: &str) -> std::result::Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else {
            return Err(format!("template `{t}` has a `{{` without `}}`"));
        };
        let name = after[..j].trim();
        if name.is_empty() || name.contains('{') {
            return Err(format!("template `{t}` has an empty or nested placeholder"));
        }
        out.push(name);
        rest = &after[j + 1..];
    }
    Ok(out)
}

/// What the engine remembers between runs (plain data: store it between runs as JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FireHistory {
    /// The last run's day.
    pub last_run: Option<NaiveDate>,
    /// Per play, per account: the last day it fired.
    pub last_fired: BTreeMap<String, BTreeMap<String, NaiveDate>>,
    /// (play, account) pairs with a task still open.
    pub open_tasks: BTreeSet<(String, String)>,
    /// Per crossing play: for each crossing condition of its trigger (in the trigger's order),
    /// the accounts for which it held at the last run.
    pub holding: BTreeMap<String, Vec<BTreeSet<String>>>,
}

impl FireHistory {
    /// Read a stored history (JSON object; a misspelt key is an error, not an empty history:
    /// a misspelt `last_run` must not silently make a first run of it). A failure names the
    /// key at fault. Its days must lie in years 1 to 9999, as every day csops reads.
    pub fn from_json(text: &str) -> Result<Self> {
        crate::fault::checkpoint("FireHistory::from_json");
        let config = |m: String| Error::Config(vec![m]);
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| config(format!("fire history: not JSON: {e}")))?;
        if !value.is_object() {
            // serde would read a struct from an array too; a history is an object.
            return Err(config(format!(
                "fire history: expected an object {{ last_run, last_fired, open_tasks, holding }}, found {}",
                match &value {
                    serde_json::Value::Array(_) => "an array",
                    serde_json::Value::String(_) => "a string",
                    serde_json::Value::Number(_) => "a number",
                    serde_json::Value::Bool(_) => "true or false",
                    _ => "null",
                }
            )));
        }
        let h = Self::deserialize(&value).map_err(|e| {
            // Name the key at fault: each key alone, read as the whole is read.
            let bad = value.as_object().and_then(|fields| {
                fields.iter().find_map(|(key, v)| {
                    Self::deserialize(&serde_json::json!({ key.as_str(): v }))
                        .err()
                        .map(|e| (key, e))
                })
            });
            match bad {
                Some((key, e)) => config(format!("fire history: `{key}`: {e}")),
                None => config(format!("fire history: {e}")),
            }
        })?;
        let outside = |d: &NaiveDate| !(1..=9999).contains(&d.year());
        let mut p = Vec::new();
        if let Some(d) = h.last_run.filter(outside) {
            p.push(format!(
                "fire history: last_run {d} is outside years 1 to 9999"
            ));
        }
        for (play, fired) in &h.last_fired {
            for (account, d) in fired.iter().filter(|(_, d)| outside(d)) {
                p.push(format!(
                    "fire history: last_fired of play `{play}` for `{account}` ({d}) is outside years 1 to 9999"
                ));
            }
        }
        if p.is_empty() {
            Ok(h)
        } else {
            Err(Error::Config(p))
        }
    }

    /// Write it for storing between runs.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Config(vec![e.to_string()]))
    }

    /// Record that the task a play created for an account was done (or dropped): the play may
    /// create another.
    pub fn close_task(&mut self, play: &str, account_id: &str) -> bool {
        self.open_tasks
            .remove(&(play.to_string(), account_id.to_string()))
    }
}

/// A rendered action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum FiredAction {
    /// A task.
    Task {
        /// The person, role or queue.
        assignee: String,
        /// Title.
        title: String,
        /// Body.
        body: String,
        /// Due day.
        due: NaiveDate,
        /// Priority.
        priority: String,
    },
    /// A tag.
    Tag {
        /// The tag.
        tag: String,
    },
    /// A routing.
    Route {
        /// Where.
        to: String,
    },
}

/// One play firing for one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fired {
    /// The day.
    pub date: NaiveDate,
    /// The play.
    pub play: String,
    /// The account.
    pub account_id: String,
    /// The account's owner (CSM).
    pub csm: Option<String>,
    /// Live, or would-have-fired.
    pub mode: Mode,
    /// Why, with the values that made it fire.
    pub reason: String,
    /// What it does (or would do).
    pub actions: Vec<FiredAction>,
}

/// How to run plays.
#[derive(Debug, Clone, Default)]
pub struct RunContext<'a> {
    /// The scorecard that gives `score` and `band` (none: those fields are absent).
    pub scorecard: Option<&'a Scorecard>,
    /// Feature definitions.
    pub features: FeatureConfig,
    /// Run for these accounts only (by id; `None`: every account), as a webhook does when one
    /// account's record changed. The table is still derived for the whole book (percentile
    /// measures need it), but only these accounts can fire, and the rest of the history is left
    /// as it was: the run does not move `last_run` (the next full run still sees the day's
    /// events of other accounts; the day's fires for these accounts stay once-a-day), and it
    /// does not start a crossing play's state (a play's first full run does).
    pub accounts: Option<&'a [String]>,
    /// Called for each day of a replay; answering stop ends it with
    /// [`crate::Error::Cancelled`] (see [`crate::progress`]).
    pub progress: crate::progress::ProgressHook,
}

/// The fields plays can use on `day` (the account table with features and scores).
pub fn play_table(book: &Book, day: NaiveDate, ctx: &RunContext<'_>) -> Result<Table> {
    let frame = features_as_of(book, day, &ctx.features)?;
    let scores = match ctx.scorecard {
        Some(c) => Some(c.score_frame(&frame, None)?),
        None => None,
    };
    account_table(book, day, Some(&frame), scores.as_ref())
}

struct Eval<'a> {
    book: &'a Book,
    day: NaiveDate,
    since: NaiveDate,
    now: &'a Table,
    ctx: &'a RunContext<'a>,
    /// The day's account ids, borrowed from `now`.
    ids: Vec<Option<&'a str>>,
    /// Earlier tables the caller gave, by window.
    given: &'a BTreeMap<u32, Table>,
    /// Earlier tables derived here, by window.
    past: BTreeMap<u32, Table>,
    /// Per window: the row of the earlier table for each row of `now` (matched by id).
    past_rows: BTreeMap<u32, Vec<Option<usize>>>,
    /// Per account of the book: its row of `now`.
    book_rows: Option<Vec<Option<usize>>>,
    /// Per window: the fields change triggers compare over it.
    change_fields: BTreeMap<u32, BTreeSet<&'a str>>,
}

fn collect_change_fields<'p>(t: &'p Trigger, out: &mut BTreeMap<u32, BTreeSet<&'p str>>) {
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
    fn eval(
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
fn texts<'t>(t: &'t Table, name: &str) -> Vec<Option<&'t str>> {
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

fn short(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn cell(t: &Table, name: &str, i: usize) -> String {
    match t.columns.get(name) {
        Some(Column::Number(v)) if v[i].is_finite() => short(v[i]),
        Some(Column::Text(v)) => v[i].clone().unwrap_or_else(|| "(none)".into()),
        Some(Column::Bool(v)) => v[i].map_or("(none)".into(), |b| b.to_string()),
        _ => "(none)".into(),
    }
}

fn render(template: &str, t: &Table, i: usize, play: &str, reason: &str, day: NaiveDate) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(a) = rest.find('{') {
        out.push_str(&rest[..a]);
        let after = &rest[a + 1..];
        let Some(b) = after.find('}') else {
            out.push_str(&rest[a..]);
            return out;
        };
        let name = after[..b].trim();
        out.push_str(&match name {
            "play" => play.to_string(),
            "reason" => reason.to_string(),
            "date" => day.to_string(),
            f => cell(t, f, i),
        });
        rest = &after[b + 1..];
    }
    out.push_str(rest);
    out
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
fn after(day: NaiveDate, days: u32) -> Result<NaiveDate> {
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

/// A playbook replayed over a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// The sponsor-left play of the acceptance story: when an executive sponsor leaves, route the
/// account to its CSM with a re-engagement task. Log-only, as every new play should start.
pub fn sponsor_left_play() -> Play {
    Play {
        name: "sponsor-left".into(),
        description: "An executive sponsor left: find and win a new one before the renewal."
            .into(),
        owner: "cs-ops".into(),
        trigger: Trigger::Event {
            event: EventKind::SponsorRemoved,
        },
        filter: Some("arr > 0".parse().expect("valid")),
        actions: vec![Action::Task {
            assign: Assignee::Owner,
            title: "Re-engage {name}: executive sponsor left".into(),
            body: "{reason}. ARR {arr}, renewal {renewal_date}. Identify a new sponsor and book an executive check-in.".into(),
            due_in_days: 7,
            priority: "high".into(),
        }],
        mode: Mode::LogOnly,
        cooldown_days: 30,
    }
}

/// A plain-text view of fired plays, one line each.
pub fn render_fired(fired: &[Fired]) -> String {
    let mut s = String::new();
    for f in fired {
        let task = f.actions.iter().find_map(|a| match a {
            FiredAction::Task {
                assignee,
                title,
                due,
                ..
            } => Some(format!("{assignee}: \"{title}\" due {due}")),
            _ => None,
        });
        s.push_str(&format!(
            "{} {:<14} {:<9} {} [{}]{}\n",
            f.date,
            f.play,
            f.account_id,
            if f.mode == Mode::Live {
                "fired"
            } else {
                "would fire"
            },
            f.reason,
            task.map_or(String::new(), |t| format!(" -> {t}"))
        ));
    }
    s
}

/// What happened after a play fired: its accounts' renewals against comparable accounts'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
