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

mod checks;
mod config;
mod context;
mod effects;
mod eval;
mod fired;
mod history;
mod render;
mod replay;
mod run;
pub mod tables;
mod template;

pub use config::{Action, Assignee, EventKind, Mode, Play, Playbook, Trigger, sponsor_left_play};
pub use context::{RunContext, play_table};
pub use effects::{DEFAULT_HORIZON_DAYS, PlayEffect, play_effects};
pub use fired::{Fired, FiredAction, render_fired};
pub use history::FireHistory;
pub use render::{
    ReplayParts, SHOWN_FIRED, fired_html, fired_lines, run_headline, run_html, run_text,
};
pub use replay::{Replay, replay};
pub use run::{Run, run, run_on_tables};

/// The longest span a play may name (due days, cooldowns, windows, renewal horizons): ten
/// years, which keeps every date a run computes inside the calendar.
pub const MAX_DAYS: u32 = 3660;
/// The horizon [`play_effects`] uses when a caller has no reason to choose another: a year,
/// one renewal cycle.
pub const DEFAULT_EFFECT_HORIZON_DAYS: u32 = 365;
