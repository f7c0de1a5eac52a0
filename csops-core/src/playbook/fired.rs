//! What a run fires: a [`Fired`] play for one account with its [`FiredAction`]s, and
//! [`render_fired`], their plain-text view.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::config::Mode;

/// A rendered action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all_fields = "camelCase")
)]
#[non_exhaustive]
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
        #[serde(deserialize_with = "crate::options::day")]
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
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Fired {
    /// The day.
    #[serde(deserialize_with = "crate::options::day")]
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
