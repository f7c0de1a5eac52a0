//! Human overrides: an [`Override`] replaces an account's computed score or band until it
//! expires; applying them gives each account's [`ReportedScore`] beside the computed one.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::results::ScoreFrame;
use super::scorecard::Scorecard;
use crate::error::{Error, Result};

/// A human decision that replaces an account's computed score or band until it expires ("the
/// customer just signed a 3-year renewal; treat as green until the QBR").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "OverrideApplied")
)]
pub struct Override {
    /// The account.
    pub account_id: String,
    /// The score to report instead (0–100), if any.
    #[serde(default)]
    pub score: Option<f64>,
    /// The band to report instead, if any.
    #[serde(default)]
    pub band: Option<String>,
    /// Why.
    pub reason: String,
    /// Who decided.
    pub author: String,
    /// The first day it no longer applies.
    pub expires: chrono::NaiveDate,
}

/// An account's reported score after overrides, with the computed one kept beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct ReportedScore {
    /// The account.
    pub account_id: String,
    /// What the scorecard computed.
    pub computed_score: Option<f64>,
    /// The band of the computed score.
    pub computed_band: Option<String>,
    /// What is reported (the override's, where one applies).
    pub score: Option<f64>,
    /// The reported band.
    pub band: Option<String>,
    /// The override in force, if any.
    pub override_applied: Option<Override>,
}

impl Scorecard {
    /// Check overrides against this scorecard: each sets a score (0–100) or a known band, and
    /// names a reason and an author; one account has at most one override. Every problem is
    /// reported.
    pub fn validate_overrides(&self, overrides: &[Override]) -> Result<()> {
        let mut p = Vec::new();
        let mut seen = BTreeSet::new();
        for o in overrides {
            let at = format!("override for `{}`", o.account_id);
            if !seen.insert(o.account_id.as_str()) {
                p.push(format!("{at}: more than one override for the account"));
            }
            if o.score.is_none() && o.band.is_none() {
                p.push(format!("{at}: sets neither a score nor a band"));
            }
            if let Some(s) = o.score
                && !(0.0..=100.0).contains(&s)
            {
                p.push(format!("{at}: score {s} is outside 0–100"));
            }
            if let Some(b) = &o.band
                && !self.bands.iter().any(|x| &x.name == b)
            {
                p.push(format!("{at}: unknown band `{b}`"));
            }
            if o.reason.trim().is_empty() || o.author.trim().is_empty() {
                p.push(format!("{at}: a reason and an author are required"));
            }
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p))
        }
    }

    /// Apply overrides in force on `as_of` (before their `expires` day) to scored rows
    /// (`account_ids` names the rows, as the scored frame's `account_ids` do). An
    /// override that sets only a score gets that score's band; one that sets only a band keeps
    /// the computed score.
    pub fn apply_overrides(
        &self,
        account_ids: &[String],
        scores: &ScoreFrame,
        overrides: &[Override],
        as_of: chrono::NaiveDate,
    ) -> Result<Vec<ReportedScore>> {
        if account_ids.len() != scores.scores.len() {
            return Err(Error::Config(vec![format!(
                "{} account ids for {} scores",
                account_ids.len(),
                scores.scores.len()
            )]));
        }
        self.validate_overrides(overrides)?;
        let active: BTreeMap<&str, &Override> = overrides
            .iter()
            .filter(|o| as_of < o.expires)
            .map(|o| (o.account_id.as_str(), o))
            .collect();
        Ok((0..scores.scores.len())
            .map(|i| {
                let computed_score = Some(scores.scores[i]).filter(|s| !s.is_nan());
                let computed_band = scores.band(i).map(str::to_string);
                let o = active.get(account_ids[i].as_str()).copied();
                let score = o.and_then(|o| o.score).or(computed_score);
                let band = match o {
                    Some(Override { band: Some(b), .. }) => Some(b.clone()),
                    Some(Override { score: Some(s), .. }) => {
                        Some(self.bands[self.band_of(*s)].name.clone())
                    }
                    _ => computed_band.clone(),
                };
                ReportedScore {
                    account_id: account_ids[i].clone(),
                    computed_score,
                    computed_band,
                    score,
                    band,
                    override_applied: o.cloned(),
                }
            })
            .collect())
    }
}

/// Overrides as a caller writes them: a list of objects with `account_id`, `score`, `band`,
/// `reason`, `author` and `expires` (keys in `casing`; Node writes `accountId`). Read field by
/// field so that every problem of every override is listed at once, each naming its place
/// (`overrides[2]: \`reason\` is required`), as an [`Error::Config`]; a value that is not a
/// list at all is an [`Error::InvalidArgument`]. An account id may be text or a whole number
/// (its decimal text); `expires` is a day by the core's one rule
/// ([`crate::interchange::parse_day`]). What the overrides mean (a score in 0–100, a known band,
/// one per account) is checked when they are applied.
pub fn overrides_from_value(
    value: &serde_json::Value,
    casing: crate::options::Casing,
) -> Result<Vec<Override>> {
    use serde_json::Value;
    let Value::Array(items) = value else {
        return Err(Error::InvalidArgument {
            path: "overrides".into(),
            reason: format!("must be a list of objects, got {}", kind_of(value)),
        });
    };
    let key = |k: &str| crate::options::field_name(k, casing);
    let fields: Vec<String> = ["account_id", "score", "band", "reason", "author", "expires"]
        .iter()
        .map(|k| key(k))
        .collect();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("overrides[{i}]");
        let Value::Object(map) = item else {
            problems.push(format!("{at}: must be an object, got {}", kind_of(item)));
            continue;
        };
        let mut p = Vec::new();
        for k in map.keys().filter(|k| !fields.contains(k)) {
            p.push(format!("{at}: unknown key `{k}`"));
        }
        let get = |name: &str| map.get(&key(name)).filter(|v| !v.is_null());
        let mut text = |name: &str, required: bool| match get(name) {
            None if required => {
                p.push(format!("{at}: `{}` is required", key(name)));
                None
            }
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(v) => {
                p.push(format!(
                    "{at}: `{}` must be text, got {}",
                    key(name),
                    kind_of(v)
                ));
                None
            }
        };
        let band = text("band", false);
        let reason = text("reason", true);
        let author = text("author", true);
        let account_id = match get("account_id") {
            None => {
                p.push(format!("{at}: `{}` is required", key("account_id")));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Some(n.to_string()),
            Some(v) => {
                p.push(format!(
                    "{at}: `{}` must be text or a whole number, got {}",
                    key("account_id"),
                    kind_of(v)
                ));
                None
            }
        };
        let score = match get("score") {
            None => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(v) => {
                p.push(format!(
                    "{at}: `score` must be a number, got {}",
                    kind_of(v)
                ));
                None
            }
        };
        let expires = match get("expires") {
            None => {
                p.push(format!("{at}: `expires` is required"));
                None
            }
            Some(Value::String(s)) => crate::interchange::parse_day(s)
                .map_err(|e| p.push(format!("{at}: expires: {e}")))
                .ok(),
            Some(v) => {
                p.push(format!(
                    "{at}: `expires` must be a day (YYYY-MM-DD), got {}",
                    kind_of(v)
                ));
                None
            }
        };
        match (account_id, reason, author, expires) {
            (Some(account_id), Some(reason), Some(author), Some(expires)) if p.is_empty() => out
                .push(Override {
                    account_id,
                    score,
                    band,
                    reason,
                    author,
                    expires,
                }),
            _ => problems.extend(p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Config(problems))
    }
}

/// What kind of JSON value `v` is, for messages.
fn kind_of(v: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod read_tests {
    use serde_json::json;

    use super::*;
    use crate::options::Casing;

    #[test]
    fn every_problem_of_every_override_is_listed_in_the_callers_casing() {
        let given = json!([
            {"account_id": "A", "score": "high", "reason": "r", "author": "kim", "expires": "soon", "note": 1},
            {"score": 10, "author": "kim"},
            "A",
            {"account_id": 7, "band": "green", "reason": "r", "author": "kim", "expires": "2025-01-01"},
        ]);
        let Err(Error::Config(p)) = overrides_from_value(&given, Casing::Snake) else {
            panic!("malformed overrides must fail")
        };
        assert_eq!(
            p,
            vec![
                "overrides[0]: unknown key `note`",
                "overrides[0]: `score` must be a number, got text",
                "overrides[0]: expires: `soon` is not a date (expected YYYY-MM-DD, years 1 to 9999)",
                "overrides[1]: `reason` is required",
                "overrides[1]: `account_id` is required",
                "overrides[1]: `expires` is required",
                "overrides[2]: must be an object, got text",
            ]
        );
        let camel =
            json!([{"accountId": "A", "reason": "r", "author": "kim", "expires": "2025-01-01"}]);
        let read = overrides_from_value(&camel, Casing::Camel).unwrap();
        assert_eq!((read[0].account_id.as_str(), read[0].score), ("A", None));
        let Err(Error::Config(p)) = overrides_from_value(&camel, Casing::Snake) else {
            panic!()
        };
        assert!(p[0].contains("unknown key `accountId`"), "{p:?}");
        let ok = overrides_from_value(&json!([given[3].clone()]), Casing::Snake).unwrap();
        assert_eq!(ok[0].account_id, "7");
        assert!(matches!(
            overrides_from_value(&json!({"account_id": "A"}), Casing::Snake),
            Err(Error::InvalidArgument { .. })
        ));
    }
}
