//! Playbooks as tables: the plays that fired (or would have), and each play's effect on
//! renewals.

use super::{Fired, FiredAction, PlayEffect};
use crate::table::Table;

/// The first task of a fired play: (assignee, title, body, due, priority).
fn first_task(f: &Fired) -> Option<(&str, &str, &str, chrono::NaiveDate, &str)> {
    f.actions.iter().find_map(|a| match a {
        FiredAction::Task {
            assignee,
            title,
            body,
            due,
            priority,
        } => Some((
            assignee.as_str(),
            title.as_str(),
            body.as_str(),
            *due,
            priority.as_str(),
        )),
        _ => None,
    })
}

/// One row per fired play: `date`, `play`, `account_id`, `csm` (missing when unowned),
/// `mode` (`live` or `log_only`), `reason`; its first task's `assignee`, `title`, `body`,
/// `due` and `priority` (missing without a task); its `tags` and `routes` (lists), and
/// every action as data (`actions`).
pub fn fired(fired: &[&Fired]) -> Table {
    let tasks: Vec<_> = fired.iter().map(|f| first_task(f)).collect();
    let of_kind = |f: &Fired, tags: bool| -> Vec<String> {
        f.actions
            .iter()
            .filter_map(|a| match a {
                FiredAction::Tag { tag } if tags => Some(tag.clone()),
                FiredAction::Route { to } if !tags => Some(to.clone()),
                _ => None,
            })
            .collect()
    };
    Table::new()
        .dates("date", fired.iter().map(|f| f.date))
        .text("play", fired.iter().map(|f| &f.play))
        .text("account_id", fired.iter().map(|f| &f.account_id))
        .maybe_text("csm", fired.iter().map(|f| f.csm.as_deref()))
        .names_of("mode", fired.iter().map(|f| &f.mode))
        .text("reason", fired.iter().map(|f| &f.reason))
        .maybe_text("assignee", tasks.iter().map(|t| t.map(|t| t.0)))
        .maybe_text("title", tasks.iter().map(|t| t.map(|t| t.1)))
        .maybe_text("body", tasks.iter().map(|t| t.map(|t| t.2)))
        .maybe_dates("due", tasks.iter().map(|t| t.map(|t| t.3)))
        .maybe_text("priority", tasks.iter().map(|t| t.map(|t| t.4)))
        .lists("tags", fired.iter().map(|f| of_kind(f, true)))
        .lists("routes", fired.iter().map(|f| of_kind(f, false)))
        .data("actions", fired.iter().map(|f| &f.actions))
        .take()
}

/// One row per play: `play`; `fired_renewals`, `fired_renewed`, `fired_rate` with its
/// Wilson interval `fired_ci_lo`–`fired_ci_hi` (accounts it fired on); the same for the
/// comparable accounts it did not fire on (`other_…`); Fisher's exact test (`odds_ratio`,
/// `p_value`) and the `verdict`.
pub fn effects(e: &[PlayEffect]) -> Table {
    Table::new()
        .text("play", e.iter().map(|e| &e.play))
        .counts("fired_renewals", e.iter().map(|e| e.fired_renewals))
        .counts("fired_renewed", e.iter().map(|e| e.fired_renewed))
        .maybe_numbers("fired_rate", e.iter().map(|e| e.fired_rate))
        .maybe_numbers("fired_ci_lo", e.iter().map(|e| e.fired_ci95.map(|i| i.lo)))
        .maybe_numbers("fired_ci_hi", e.iter().map(|e| e.fired_ci95.map(|i| i.hi)))
        .counts("other_renewals", e.iter().map(|e| e.other_renewals))
        .counts("other_renewed", e.iter().map(|e| e.other_renewed))
        .maybe_numbers("other_rate", e.iter().map(|e| e.other_rate))
        .maybe_numbers("other_ci_lo", e.iter().map(|e| e.other_ci95.map(|i| i.lo)))
        .maybe_numbers("other_ci_hi", e.iter().map(|e| e.other_ci95.map(|i| i.hi)))
        .maybe_numbers(
            "odds_ratio",
            e.iter().map(|e| e.fisher.map(|t| t.statistic)),
        )
        .maybe_numbers("p_value", e.iter().map(|e| e.fisher.map(|t| t.p_value)))
        .text("verdict", e.iter().map(|e| &e.verdict))
        .take()
}
