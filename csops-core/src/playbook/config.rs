//! Plays as data: a [`Playbook`] of [`Play`]s, each with its [`Trigger`], filter,
//! [`Action`]s, [`Mode`] and cooldown; and the acceptance story's [`sponsor_left_play`].

use serde::{Deserialize, Serialize};

use crate::condition::Condition;

/// Live, or log-only (records what would have fired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(rename = "PlayMode"))]
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
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(rename = "PlayEvent"))]
#[non_exhaustive]
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
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename = "TriggerJson", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Trigger {
    /// The condition holds now.
    Level {
        /// The condition: text, the structured form, or (in Node) a `Condition`.
        #[cfg_attr(
            feature = "typescript",
            ts(type = "string | ConditionJson | Condition")
        )]
        when: Condition,
    },
    /// The condition became true since the last run (once per crossing; a play's first run
    /// only records which accounts already hold).
    Crossing {
        /// The condition: text, the structured form, or (in Node) a `Condition`.
        #[cfg_attr(
            feature = "typescript",
            ts(type = "string | ConditionJson | Condition")
        )]
        when: Condition,
    },
    /// A number moved by a share against its value `window_days` earlier.
    Change {
        /// A number field (a feature, `score`, `arr`).
        field: String,
        /// How many days back its value is compared against.
        window_days: u32,
        /// Fire when it fell by at least this share (0.3 = 30%).
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(optional = nullable))]
        drop: Option<f64>,
        /// Fire when it rose by at least this share.
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(optional = nullable))]
        rise: Option<f64>,
    },
    /// An event since the last run.
    Event {
        /// Which event.
        event: EventKind,
    },
    /// The renewal is within this many days.
    Renewal {
        /// Days before the next renewal.
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
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename = "AssigneeJson", rename_all = "snake_case")
)]
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
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename = "PlayActionJson", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Action {
    /// Create a task from a template. `{field}` placeholders take the account's values (any
    /// field of the condition language), plus `{play}`, `{reason}` and `{date}`.
    Task {
        /// Who gets the task.
        assign: Assignee,
        /// Title template.
        title: String,
        /// Body template (default empty).
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(as = "Option<String>", optional))]
        body: String,
        /// Due this many days after firing.
        due_in_days: u32,
        /// `low`, `normal` (the default), `high` or `urgent`.
        #[serde(default = "normal")]
        #[cfg_attr(
            feature = "typescript",
            ts(type = "'low' | 'normal' | 'high' | 'urgent'", optional)
        )]
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

/// A play: when it fires (`trigger`), for which accounts (`filter`), what it does
/// (`actions`), live or log-only, its cooldown and its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(rename = "PlayJson"))]
pub struct Play {
    /// Unique name.
    pub name: String,
    /// What it is for (default empty).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<String>", optional))]
    pub description: String,
    /// Who owns the play (answers for its noise).
    pub owner: String,
    /// When it fires.
    pub trigger: Trigger,
    /// Which accounts it applies to, in the condition language (all when absent): text, the
    /// structured form, or (in Node) a `Condition`.
    #[serde(default)]
    #[cfg_attr(
        feature = "typescript",
        ts(type = "string | ConditionJson | Condition | null", optional)
    )]
    pub filter: Option<Condition>,
    /// What it does.
    pub actions: Vec<Action>,
    /// `live` emits tasks; `log_only` (the default: new plays start here) records what would
    /// have fired.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Mode>", optional))]
    pub mode: Mode,
    /// Days after firing before it may fire again for the same account (default 0: at most
    /// once a day).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub cooldown_days: u32,
}

/// Plays, as data: the same snake_case form as playbook files (TOML or JSON) in every
/// language. Absent optional keys take their defaults; an unknown key is an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(rename = "PlaybookJson"))]
pub struct Playbook {
    /// Format version (1).
    #[serde(default = "one")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub schema_version: u32,
    /// The plays.
    pub plays: Vec<Play>,
}

fn one() -> u32 {
    1
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
