//! What scoring returns: one account's [`AccountScore`] with a [`MeasureResult`] per measure,
//! and a whole frame's [`ScoreFrame`] (scores, band codes, coverage and contributions by
//! column).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::trend::{Trend, trend};
#[cfg(doc)]
use crate::features::FeatureFrame;

/// The score of one account, with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct AccountScore {
    /// The score, 0–100; `None` when coverage is below the scorecard's minimum.
    pub score: Option<f64>,
    /// The band name, when scored.
    pub band: Option<String>,
    /// Share of the scorecard's weight with data, 0–1.
    pub coverage: f64,
    /// Per measure, in scorecard order.
    pub measures: Vec<MeasureResult>,
    /// Per group, in scorecard order: name and contribution (sum of its measures'
    /// contributions). Written as an object from group name to contribution, in this order.
    #[serde(with = "in_order")]
    #[cfg_attr(
        feature = "typescript",
        ts(as = "std::collections::HashMap<String, f64>")
    )]
    pub groups: Vec<(String, f64)>,
}

/// Name–value pairs written as a map in their order (a JSON object, a Python dict), and read
/// back in the order given.
mod in_order {
    use serde::de::{MapAccess, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(pairs: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, f64)>, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Vec<(String, f64)>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of group name to contribution")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    out.push(pair);
                }
                Ok(out)
            }
        }
        d.deserialize_map(Pairs)
    }
}

/// One measure's part in an account's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct MeasureResult {
    /// Measure name.
    pub name: String,
    /// Group name.
    pub group: String,
    /// The raw feature value (`None` if missing).
    pub value: Option<f64>,
    /// The measure score 0–100 (`None` if missing and redistributed).
    pub measure_score: Option<f64>,
    /// The weight it carried for this account after redistribution (weights sum to 1).
    pub weight: f64,
    /// Its contribution to the score: `weight × measure_score`.
    pub contribution: f64,
    /// Points it cost: `weight × (100 − measure_score)`; the drivers are the largest.
    pub points_lost: f64,
    /// Why the value is missing, when it had data that is stale or blank in the export
    /// ("stale since 2026-07-09"); `None` when present or never known.
    #[serde(default)]
    pub missing_why: Option<crate::features::MissingWhy>,
}

/// How many drivers an explanation lists when not told (Python's `top_drivers()`, the
/// report's riskiest accounts, the main job): the three measures costing the most points.
pub const DEFAULT_DRIVERS: usize = 3;

impl AccountScore {
    /// The measures costing the most points, largest first, at most `k`
    /// ([`DEFAULT_DRIVERS`] is the usual `k`).
    pub fn top_negative_drivers(&self, k: usize) -> Vec<&MeasureResult> {
        let mut v: Vec<&MeasureResult> = self
            .measures
            .iter()
            .filter(|m| m.points_lost > 0.0)
            .collect();
        v.sort_by(|a, b| b.points_lost.total_cmp(&a.points_lost));
        v.truncate(k);
        v
    }
}

/// How much of the result batch scoring keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScoreDetail {
    /// Scores, bands, coverage and every measure's contribution.
    #[default]
    Full,
    /// Scores, bands and coverage only.
    ScoresOnly,
}

/// Scores of every account of a frame, by column. Row `i` is row `i` of the scored
/// [`FeatureFrame`] (its `account_ids` name the rows; they are not copied here).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreFrame {
    /// Scores, `NaN` where coverage was insufficient (`null` in JSON): exactly where
    /// [`band_codes`](Self::band_codes) is [`NOT_SCORED`], so one of the two says which
    /// accounts were scored (the bindings make both columns' null bitmaps from the bands).
    #[serde(with = "crate::missing")]
    pub scores: Vec<f64>,
    /// Band index into the scorecard's bands, a byte per account: [`NOT_SCORED`] (255)
    /// where the account was not scored (`null` in JSON, under the name `bands`). A byte
    /// rather than an `Option<u8>` (two bytes) because this is what columnar consumers take
    /// as it is: an Arrow or pandas dictionary index, a JavaScript `Uint8Array`. Read one with
    /// [`ScoreFrame::band_index`] or [`ScoreFrame::band`].
    #[serde(rename = "bands", with = "band_codes")]
    pub band_codes: Vec<u8>,
    /// Band names, in the scorecard's order.
    pub band_names: Vec<String>,
    /// Coverage, 0–1.
    #[serde(with = "crate::missing")]
    pub coverage: Vec<f64>,
    /// Measure names, in scorecard order.
    pub measure_names: Vec<String>,
    /// Per measure, per account: contribution to the score (0 where redistributed or not
    /// scored). Empty when scored with [`ScoreDetail::ScoresOnly`].
    #[serde(with = "crate::missing::columns")]
    pub contributions: Vec<Vec<f64>>,
}

/// The band code of an account that was not scored (see [`ScoreFrame::band_codes`]); a
/// scorecard has at most 255 bands, so no band has this code.
pub const NOT_SCORED: u8 = u8::MAX;

/// Band codes in JSON: the band index, `null` for [`NOT_SCORED`].
mod band_codes {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::NOT_SCORED;

    pub fn serialize<S: Serializer>(codes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(codes.iter().map(|&c| (c != NOT_SCORED).then_some(c)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let v: Vec<Option<u8>> = Vec::deserialize(d)?;
        if v.contains(&Some(NOT_SCORED)) {
            return Err(serde::de::Error::custom(
                "band index 255 is not a band (at most 255 bands: 0–254)",
            ));
        }
        Ok(v.into_iter().map(|c| c.unwrap_or(NOT_SCORED)).collect())
    }
}

impl ScoreFrame {
    /// The band index of row `i` (`None` where not scored, or past the end).
    pub fn band_index(&self, i: usize) -> Option<u8> {
        self.band_codes.get(i).copied().filter(|&c| c != NOT_SCORED)
    }

    /// The band name of row `i`.
    pub fn band(&self, i: usize) -> Option<&str> {
        self.band_index(i)
            .and_then(|b| self.band_names.get(usize::from(b)))
            .map(String::as_str)
    }
    /// The trend of every row against previous scores of the same rows (`NaN` where there was
    /// none); `None` where either score is missing (or the dead-band is invalid).
    pub fn trends(&self, previous: &[f64], dead_band: f64) -> Vec<Option<Trend>> {
        self.scores
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let p = previous.get(i).copied().unwrap_or(f64::NAN);
                trend(s, p, dead_band).ok()
            })
            .collect()
    }

    /// Count of accounts per band name (and `insufficient_data`).
    pub fn band_counts(&self) -> BTreeMap<String, usize> {
        let mut out: BTreeMap<String, usize> =
            self.band_names.iter().map(|b| (b.clone(), 0)).collect();
        for i in 0..self.scores.len() {
            let key = self.band(i).unwrap_or("insufficient_data").to_string();
            *out.entry(key).or_default() += 1;
        }
        out
    }
}
