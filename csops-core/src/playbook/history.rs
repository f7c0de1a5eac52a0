//! The [`FireHistory`]: what the engine remembers between runs (last run, last firings, open
//! tasks, crossing states), and reading it back safely.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// What the engine remembers between runs (plain data: store it between runs as JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
