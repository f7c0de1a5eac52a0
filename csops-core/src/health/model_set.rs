//! Scorecards per segment: a [`ModelSet`] scores each account with its segment's scorecard
//! (or the default one), giving [`ModelSetScores`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::scorecard::Scorecard;
use crate::error::{Error, Result};
use crate::features::FeatureFrame;

/// Scorecards per segment (or tier): each account is scored by its segment's scorecard, or
/// by the default one. Enterprise accounts are rarely healthy for the same reasons as
/// self-serve ones; a model set lets each motion have its own definition of healthy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(rename = "ModelSetJson"))]
pub struct ModelSet {
    /// The scorecard for accounts whose segment has none of its own.
    pub default: Scorecard,
    /// Scorecards by segment name.
    #[serde(default)]
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<BTreeMap<String, Scorecard>>", optional)
    )]
    pub by_segment: BTreeMap<String, Scorecard>,
}

/// The result of scoring with a [`ModelSet`], by row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSetScores {
    /// Account ids.
    pub account_ids: Vec<String>,
    /// The name of the scorecard that scored each row.
    pub scorecard: Vec<String>,
    /// Scores, `NaN` where coverage was insufficient (`null` in JSON).
    #[serde(with = "crate::missing")]
    pub scores: Vec<f64>,
    /// Band names (each scorecard has its own scheme).
    pub bands: Vec<Option<String>>,
    /// Coverage, 0–1.
    #[serde(with = "crate::missing")]
    pub coverage: Vec<f64>,
}

impl ModelSet {
    /// The model set as text: the default scorecard, then each segment's.
    pub fn render(&self) -> String {
        let mut out = format!(
            "ModelSet: default {:?}, {} segment scorecards",
            self.default.name,
            self.by_segment.len()
        );
        for (segment, card) in &self.by_segment {
            out.push_str(&format!("\n  {segment}: {:?}", card.name));
        }
        out
    }

    /// Parse and validate JSON: `{"default": {...}, "by_segment": {"enterprise": {...}}}`.
    pub fn from_json(text: &str) -> Result<Self> {
        let m: ModelSet = serde_json::from_str(text)
            .map_err(|e| Error::Config(vec![format!("model set: {e}")]))?;
        m.validate()?;
        Ok(m)
    }

    /// A model set from its `.toml` or `.json` file ([`crate::options::load_file`]).
    pub fn load(path: &std::path::Path) -> Result<Self> {
        crate::options::load_file("model set", path, Self::from_json, Self::from_toml)
    }

    /// Parse and validate TOML (`[default]` and `[by_segment.<name>]` tables).
    pub fn from_toml(text: &str) -> Result<Self> {
        let m: ModelSet =
            toml::from_str(text).map_err(|e| Error::Config(vec![format!("model set: {e}")]))?;
        m.validate()?;
        Ok(m)
    }

    /// JSON text of the model set.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::Config(vec![format!("model set: {e}")]))
    }

    /// TOML text of the model set.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self).map_err(|e| Error::Config(vec![format!("model set: {e}")]))
    }

    /// Check every scorecard; problems are prefixed with the segment.
    pub fn validate(&self) -> Result<()> {
        crate::fault::checkpoint("ModelSet::validate");
        let mut p = Vec::new();
        let mut check = |label: &str, c: &Scorecard| {
            if let Err(Error::Config(v)) = c.validate() {
                p.extend(v.into_iter().map(|m| format!("{label}: {m}")));
            }
        };
        check("default", &self.default);
        for (seg, c) in &self.by_segment {
            check(&format!("segment `{seg}`"), c);
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p))
        }
    }

    /// The scorecard for a segment.
    pub fn scorecard_for(&self, segment: &str) -> &Scorecard {
        self.by_segment.get(segment).unwrap_or(&self.default)
    }

    /// Score every row with its segment's scorecard (`segments` has one entry per row).
    /// Percentile measures rank within the rows scored by the same scorecard.
    pub fn score_frame(&self, frame: &FeatureFrame, segments: &[String]) -> Result<ModelSetScores> {
        self.validate()?;
        if segments.len() != frame.len() {
            return Err(Error::Config(vec![format!(
                "segments has {} entries for {} accounts",
                segments.len(),
                frame.len()
            )]));
        }
        let n = frame.len();
        let mut out = ModelSetScores {
            account_ids: frame.account_ids.clone(),
            scorecard: vec![String::new(); n],
            scores: vec![f64::NAN; n],
            bands: vec![None; n],
            coverage: vec![0.0; n],
        };
        // Rows per scorecard: the default takes every segment without its own.
        let mut rows: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
        for (i, s) in segments.iter().enumerate() {
            let key = self.by_segment.contains_key(s).then_some(s.as_str());
            rows.entry(key).or_default().push(i);
        }
        for (key, idx) in rows {
            let card = key.map_or(&self.default, |k| &self.by_segment[k]);
            let sub = FeatureFrame {
                as_of: frame.as_of,
                account_ids: idx.iter().map(|&i| frame.account_ids[i].clone()).collect(),
                columns: frame
                    .columns
                    .iter()
                    .map(|c| crate::features::FeatureColumn {
                        name: c.name.clone(),
                        values: idx.iter().map(|&i| c.values[i]).collect(),
                    })
                    .collect(),
                missing_notes: frame.missing_notes.clone(),
            };
            let sub_segments: Vec<String> = idx.iter().map(|&i| segments[i].clone()).collect();
            let s = card.score_frame(&sub, Some(&sub_segments))?;
            for (j, &i) in idx.iter().enumerate() {
                out.scorecard[i] = card.name.clone();
                out.scores[i] = s.scores[j];
                out.bands[i] = s.band(j).map(str::to_string);
                out.coverage[i] = s.coverage[j];
            }
        }
        Ok(out)
    }
}
