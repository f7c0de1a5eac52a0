//! Playbooks, runs and replays as a CS Ops lead reads them: a playbook as one row per play
//! (trigger, filter and actions in a few words), a run or a replay as a headline and its first
//! fired plays, as text and as HTML tables. Python's `repr` / `_repr_html_` and Node's
//! `summary` are this text.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Action, Assignee, FireHistory, Fired, FiredAction, Mode, Playbook, Replay, Run};
use super::{Trigger, render_fired};
use crate::render::{html_escape, html_table, text_table};

/// How many fired plays a run's or a replay's text shows before "… and n more".
pub const SHOWN_FIRED: usize = 20;

/// The columns of a playbook's table.
const PLAY_COLUMNS: [&str; 7] = [
    "play", "mode", "trigger", "filter", "actions", "cooldown", "owner",
];

/// The text serde writes for a unit variant (`log_only`, `sponsor_left`).
fn wire_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A number as a reason writes one: `30`, `0.25`.
fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// `n thing` or `n things`.
fn plural(n: usize, thing: &str) -> String {
    format!("{n} {thing}{}", if n == 1 { "" } else { "s" })
}

impl Trigger {
    /// The trigger in a few words: `crossing: score < 40`, `renewal within 90 days`.
    pub fn describe(&self) -> String {
        let list = |of: &[Trigger]| {
            of.iter()
                .map(Trigger::describe)
                .collect::<Vec<_>>()
                .join("; ")
        };
        match self {
            Trigger::Level { when } => format!("level: {when}"),
            Trigger::Crossing { when } => format!("crossing: {when}"),
            Trigger::Change {
                field,
                window_days,
                drop,
                rise,
            } => {
                let mut moves = Vec::new();
                if let Some(d) = drop {
                    moves.push(format!("falls {}%", num(100.0 * d)));
                }
                if let Some(r) = rise {
                    moves.push(format!("rises {}%", num(100.0 * r)));
                }
                format!(
                    "change: {field} {} over {window_days} days",
                    moves.join(" or ")
                )
            }
            Trigger::Event { event } => format!("event: {}", wire_name(event)),
            Trigger::Renewal { within_days } => format!("renewal within {within_days} days"),
            Trigger::All { of } => format!("all of ({})", list(of)),
            Trigger::Any { of } => format!("any of ({})", list(of)),
        }
    }
}

impl Action {
    /// The action in a few words: `task -> owner (high, due in 7 days)`, `tag churn-risk`.
    pub fn describe(&self) -> String {
        match self {
            Action::Task {
                assign,
                due_in_days,
                priority,
                ..
            } => {
                let to = match assign {
                    Assignee::Owner => "owner".to_string(),
                    Assignee::Role { role } => format!("role:{role}"),
                    Assignee::Queue { queue } => format!("queue:{queue}"),
                };
                format!("task -> {to} ({priority}, due in {due_in_days} days)")
            }
            Action::Tag { tag } => format!("tag {tag}"),
            Action::Route { to } => format!("route -> {to}"),
        }
    }
}

impl Playbook {
    /// One row per play: name, mode, trigger, filter, actions, cooldown, owner.
    fn play_rows(&self) -> Vec<Vec<String>> {
        self.plays
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    wire_name(&p.mode),
                    p.trigger.describe(),
                    p.filter
                        .as_ref()
                        .map_or_else(|| "(all accounts)".to_string(), ToString::to_string),
                    p.actions
                        .iter()
                        .map(Action::describe)
                        .collect::<Vec<_>>()
                        .join("; "),
                    if p.cooldown_days == 0 {
                        "-".to_string()
                    } else {
                        format!("{} days", p.cooldown_days)
                    },
                    p.owner.clone(),
                ]
            })
            .collect()
    }

    /// The playbook as text: how many plays, then one row per play.
    pub fn render(&self) -> String {
        let rows = self.play_rows();
        let mut s = format!("Playbook: {}", plural(self.plays.len(), "play"));
        if !rows.is_empty() {
            s.push('\n');
            s.push_str(&text_table(
                &PLAY_COLUMNS,
                &rows,
                &[false, false, false, false, false, true, false],
            ));
        }
        s
    }

    /// The playbook as an HTML table, one row per play.
    pub fn render_html(&self) -> String {
        format!(
            "<div class=\"csops-playbook\"><p><b>Playbook</b>: {}</p>{}</div>",
            plural(self.plays.len(), "play"),
            html_table(&PLAY_COLUMNS, &self.play_rows())
        )
    }
}

impl FireHistory {
    /// One line: the last run, how many plays fired for how many accounts, open tasks.
    pub fn headline(&self) -> String {
        let Some(last) = self.last_run else {
            return "<FireHistory: no run yet>".to_string();
        };
        let fired: usize = self.last_fired.values().map(BTreeMap::len).sum();
        format!(
            "<FireHistory: last run {last}; {} fired for {}, {} open>",
            plural(self.last_fired.len(), "play"),
            plural(fired, "account"),
            plural(self.open_tasks.len(), "task"),
        )
    }
}

/// The first task of a fired play: (assignee, title, due).
fn first_task(f: &Fired) -> Option<(&str, &str, NaiveDate)> {
    f.actions.iter().find_map(|a| match a {
        FiredAction::Task {
            assignee,
            title,
            due,
            ..
        } => Some((assignee.as_str(), title.as_str(), *due)),
        _ => None,
    })
}

/// The first [`SHOWN_FIRED`] fired plays as text, one line each, and how many more.
pub fn fired_lines(fired: &[Fired]) -> String {
    let shown = &fired[..fired.len().min(SHOWN_FIRED)];
    let mut s = render_fired(shown);
    if fired.len() > SHOWN_FIRED {
        s.push_str(&format!(
            "… and {} more (see .fired)\n",
            fired.len() - SHOWN_FIRED
        ));
    }
    s.trim_end().to_string()
}

/// An HTML table of the first [`SHOWN_FIRED`] fired plays, and how many more.
pub fn fired_html(fired: &[Fired]) -> String {
    let rows: Vec<Vec<String>> = fired
        .iter()
        .take(SHOWN_FIRED)
        .map(|f| {
            vec![
                f.date.to_string(),
                f.play.clone(),
                f.account_id.clone(),
                f.csm.clone().unwrap_or_default(),
                if f.mode == Mode::Live {
                    "fired".to_string()
                } else {
                    "would fire".to_string()
                },
                f.reason.clone(),
                first_task(f).map_or_else(String::new, |(who, title, due)| {
                    format!("{who}: \"{title}\" due {due}")
                }),
            ]
        })
        .collect();
    let mut s = html_table(
        &["date", "play", "account", "CSM", "mode", "reason", "task"],
        &rows,
    );
    if fired.len() > SHOWN_FIRED {
        s.push_str(&format!(
            "<p>… and {} more (see <code>.fired</code>)</p>",
            fired.len() - SHOWN_FIRED
        ));
    }
    s
}

/// A run's headline: its day, and how many plays fired live and log-only.
pub fn run_headline(date: NaiveDate, fired: &[Fired]) -> String {
    let live = fired.iter().filter(|f| f.mode == Mode::Live).count();
    format!(
        "PlayRun {date}: {} fired ({live} live, {} would have fired)",
        fired.len(),
        fired.len() - live
    )
}

/// A run as text: the headline, then the first fired plays.
pub fn run_text(date: NaiveDate, fired: &[Fired]) -> String {
    let mut s = run_headline(date, fired);
    let lines = fired_lines(fired);
    if !lines.is_empty() {
        s.push('\n');
        s.push_str(&lines);
    }
    s
}

/// A run as HTML: the headline and a table of the first fired plays.
pub fn run_html(date: NaiveDate, fired: &[Fired]) -> String {
    format!(
        "<div class=\"csops-play-run\"><p><b>{}</b></p>{}</div>",
        html_escape(&run_headline(date, fired)),
        fired_html(fired)
    )
}

impl Run {
    /// The run as text: the headline, then the first fired plays ([`run_text`]).
    pub fn render(&self) -> String {
        run_text(self.date, &self.fired)
    }

    /// The run as HTML ([`run_html`]).
    pub fn render_html(&self) -> String {
        run_html(self.date, &self.fired)
    }
}

/// A replay's parts as its text needs them.
#[derive(Debug, Clone, Copy)]
pub struct ReplayParts<'a> {
    /// The first day replayed.
    pub from: NaiveDate,
    /// The last day replayed.
    pub to: NaiveDate,
    /// What would have fired.
    pub fired: &'a [Fired],
    /// Per play: how many times it would have fired.
    pub per_play: &'a BTreeMap<String, u64>,
    /// Per assignee: how many tasks they would have received.
    pub per_csm: &'a BTreeMap<String, u64>,
}

impl ReplayParts<'_> {
    /// One line: the window and how many plays would have fired.
    pub fn headline(&self) -> String {
        format!(
            "PlayReplay {} to {} (log-only): {} would have fired",
            self.from,
            self.to,
            self.fired.len()
        )
    }

    fn counts(label: &str, counts: &BTreeMap<String, u64>) -> Option<String> {
        (!counts.is_empty()).then(|| {
            let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
            format!("{label}: {}", parts.join(", "))
        })
    }

    fn count_lines(&self) -> Vec<String> {
        [
            Self::counts("per play", self.per_play),
            Self::counts("tasks per assignee", self.per_csm),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The replay as text: the headline, the counts per play and per assignee, then the
    /// first fired plays.
    pub fn render(&self) -> String {
        let mut s = vec![self.headline()];
        s.extend(self.count_lines());
        let lines = fired_lines(self.fired);
        if !lines.is_empty() {
            s.push(lines);
        }
        s.join("\n")
    }

    /// The replay as HTML: the headline, the counts and the first fired plays.
    pub fn render_html(&self) -> String {
        let mut s = format!(
            "<div class=\"csops-play-replay\"><p><b>{}</b></p>",
            html_escape(&self.headline())
        );
        for line in self.count_lines() {
            s.push_str(&format!("<p>{}</p>", html_escape(&line)));
        }
        s.push_str(&fired_html(self.fired));
        s.push_str("</div>");
        s
    }
}

impl Replay {
    fn parts(&self) -> ReplayParts<'_> {
        ReplayParts {
            from: self.from,
            to: self.to,
            fired: &self.fired,
            per_play: &self.per_play,
            per_csm: &self.per_csm,
        }
    }

    /// The replay as text ([`ReplayParts::render`]).
    pub fn render(&self) -> String {
        self.parts().render()
    }

    /// The replay as HTML ([`ReplayParts::render_html`]).
    pub fn render_html(&self) -> String {
        self.parts().render_html()
    }
}
