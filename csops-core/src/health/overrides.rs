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
