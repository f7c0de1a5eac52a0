//! Checking a playbook: reading it from JSON or TOML, and every check of its plays (names,
//! owners, actions, priorities, spans, trigger shapes and depth, templates, and, against a
//! [`Schema`], the fields they use), all problems reported at once.

use std::collections::BTreeSet;

use super::MAX_DAYS;
use super::config::{Action, Playbook, Trigger};
use super::template::placeholders;
use crate::condition::{Kind, Schema};
use crate::{Error, Result};

const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];
const MAX_TRIGGER_DEPTH: usize = 16;

impl Playbook {
    /// Read from JSON, with every check that needs no book (see [`Playbook::check`]).
    pub fn from_json(text: &str) -> Result<Self> {
        let pb: Self = serde_json::from_str(text)
            .map_err(|e| Error::Config(vec![format!("playbook: {e}")]))?;
        pb.check()?;
        Ok(pb)
    }

    /// A playbook from its `.toml` or `.json` file ([`crate::options::load_file`]).
    pub fn load(path: &std::path::Path) -> Result<Self> {
        crate::options::load_file("playbook", path, Self::from_json, Self::from_toml)
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
