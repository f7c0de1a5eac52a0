//! Health scores: composable, explainable scorecards.
//!
//! A health score answers "how likely is this account to renew?" with a number a CSM can act
//! on. csops builds it as a **[`Scorecard`]**: a tree of weighted **groups** (usage,
//! engagement, support, …) holding weighted **[`Measure`]s**. Each measure reads one feature
//! column of a [`FeatureFrame`] and maps it to 0–100 through a **[`Normaliser`]** (a linear
//! range, step thresholds, a percentile rank, a logistic curve, a yes/no flag, or piecewise
//! points). The account's score is the weighted sum of its measure scores, and it is shown with
//! its parts: every measure's **contribution** (the contributions add up to the score), the
//! **coverage** (the share of the scorecard's weight that had data), the **band** (red, yellow,
//! green, or your own scheme) and the **drivers** pulling it down.
//!
//! **Missing data** is a choice per measure ([`MissingRule`]): redistribute the measure's weight
//! over the measures that have data (the default: scoring then equals scoring with that measure
//! removed), use a fixed score, or count it as the worst score. Below a minimum coverage the
//! account gets no score at all but an explicit "insufficient data" result, because a score
//! built on a sliver of data looks as confident as one built on all of it.
//!
//! A fixed-formula scorecard like the [default](Scorecard::default_heuristic) is a
//! **heuristic**, not a fitted model: it encodes someone's judgement. Whether it predicts churn
//! is a question for the back-test, not for this module.
//!
//! Scorecards are data: serde types loadable from TOML or JSON (with a `schema_version`),
//! validated with every problem reported at once.
//!
//! ```
//! use csops_core::health::{Scorecard, Normaliser};
//!
//! let card = Scorecard::builder("simple")
//!     .group("usage", 2.0)
//!     .measure("breadth", "feature_breadth", 1.0, Normaliser::linear(0.0, 1.0))
//!     .group("relationship", 1.0)
//!     .measure("sponsor", "exec_sponsor_present", 1.0, Normaliser::boolean())
//!     .build()?;
//! let s = card.score_values(&[Some(0.5), Some(1.0)])?;
//! assert_eq!(s.score, Some(2.0 / 3.0 * 50.0 + 1.0 / 3.0 * 100.0));
//! # Ok::<(), csops_core::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::FeatureFrame;

/// The default dead-band of a trend, in score points: moves within ±2 points are flat.
pub const DEFAULT_DEAD_BAND: f64 = 2.0;

/// The scorecard layout version this crate reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Maps a raw feature value to a measure score in 0–100 (0 is worst, 100 best).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Normaliser {
    /// Linear between `worst` (→ 0) and `best` (→ 100), clamped outside. `worst > best` makes
    /// lower values better (days since last login: worst 60, best 0).
    Linear {
        /// The value scoring 0.
        worst: f64,
        /// The value scoring 100.
        best: f64,
    },
    /// Value bands to points: below `thresholds[0]` scores `points[0]`, from `thresholds[i]`
    /// up to the next threshold scores `points[i + 1]`. Thresholds strictly increasing;
    /// `points` has one more entry than `thresholds`.
    Steps {
        /// Band boundaries, strictly increasing.
        thresholds: Vec<f64>,
        /// Points per band, 0–100.
        points: Vec<f64>,
    },
    /// Percentile rank within the accounts being scored (optionally within the same segment):
    /// `100 × (below + ½·equal) / n`. `higher_is_better: false` reverses it.
    Percentile {
        /// Whether higher raw values are better.
        higher_is_better: bool,
        /// Rank within the account's segment instead of the whole population.
        #[serde(default)]
        per_segment: bool,
    },
    /// A logistic curve `100 / (1 + e^(−steepness·(x − midpoint)))`; negative steepness makes
    /// lower values better.
    Logistic {
        /// The value scoring 50.
        midpoint: f64,
        /// Slope; not zero.
        steepness: f64,
    },
    /// A yes/no feature: any non-zero value is yes.
    Boolean {
        /// Score of yes (default 100).
        #[serde(default = "hundred")]
        yes: f64,
        /// Score of no (default 0).
        #[serde(default)]
        no: f64,
    },
    /// Linear interpolation between `(value, score)` points, flat beyond the ends. Values
    /// strictly increasing, scores 0–100.
    Piecewise {
        /// The points.
        points: Vec<(f64, f64)>,
    },
}

fn hundred() -> f64 {
    100.0
}

impl Normaliser {
    /// Linear from `worst` (0) to `best` (100).
    pub fn linear(worst: f64, best: f64) -> Self {
        Normaliser::Linear { worst, best }
    }
    /// Yes scores 100, no scores 0.
    pub fn boolean() -> Self {
        Normaliser::Boolean {
            yes: 100.0,
            no: 0.0,
        }
    }
    /// Step thresholds.
    pub fn steps(thresholds: Vec<f64>, points: Vec<f64>) -> Self {
        Normaliser::Steps { thresholds, points }
    }
    /// Piecewise-linear points.
    pub fn piecewise(points: Vec<(f64, f64)>) -> Self {
        Normaliser::Piecewise { points }
    }

    /// Score one value (not for `Percentile`, which needs the population; see
    /// [`Scorecard::score_frame`]). The result is in 0–100 for a finite input.
    pub fn apply(&self, x: f64) -> f64 {
        match self {
            Normaliser::Linear { worst, best } => {
                // The same operations as the batch loop in `measure_columns`, so one account
                // scored alone and in a batch agree to the bit.
                ((x - worst) * (100.0 / (best - worst))).clamp(0.0, 100.0)
            }
            Normaliser::Steps { thresholds, points } => {
                let band = thresholds.partition_point(|t| *t <= x);
                points[band]
            }
            Normaliser::Percentile { .. } => 50.0,
            Normaliser::Logistic {
                midpoint,
                steepness,
            } => {
                let s = 100.0 / (1.0 + (-steepness * (x - midpoint)).exp());
                s.clamp(0.0, 100.0)
            }
            Normaliser::Boolean { yes, no } => {
                if x != 0.0 {
                    *yes
                } else {
                    *no
                }
            }
            Normaliser::Piecewise { points } => {
                let i = points.partition_point(|p| p.0 <= x);
                if i == 0 {
                    points[0].1
                } else if i == points.len() {
                    points[points.len() - 1].1
                } else {
                    let (x0, y0) = points[i - 1];
                    let (x1, y1) = points[i];
                    y0 + (y1 - y0) * (x - x0) / (x1 - x0)
                }
            }
        }
    }

    fn validate(&self, at: &str, p: &mut Vec<String>) {
        let in_range = |v: f64| (0.0..=100.0).contains(&v);
        match self {
            Normaliser::Linear { worst, best } => {
                if !worst.is_finite() || !best.is_finite() || worst == best {
                    p.push(format!(
                        "{at}: linear needs finite, different `worst` and `best`"
                    ));
                }
            }
            Normaliser::Steps { thresholds, points } => {
                if points.len() != thresholds.len() + 1 {
                    p.push(format!(
                        "{at}: steps need one more point than thresholds ({} thresholds, {} points)",
                        thresholds.len(),
                        points.len()
                    ));
                }
                if !strictly_increasing(thresholds.iter().copied())
                    || thresholds.iter().any(|t| !t.is_finite())
                {
                    p.push(format!(
                        "{at}: step thresholds must be finite and strictly increasing"
                    ));
                }
                if points.iter().any(|v| !in_range(*v)) {
                    p.push(format!("{at}: step points must be within 0–100"));
                }
            }
            Normaliser::Percentile { .. } => {}
            Normaliser::Logistic {
                midpoint,
                steepness,
            } => {
                if !midpoint.is_finite() || !steepness.is_finite() || *steepness == 0.0 {
                    p.push(format!(
                        "{at}: logistic needs a finite midpoint and a finite, non-zero steepness"
                    ));
                }
            }
            Normaliser::Boolean { yes, no } => {
                if !in_range(*yes) || !in_range(*no) {
                    p.push(format!("{at}: boolean scores must be within 0–100"));
                }
            }
            Normaliser::Piecewise { points } => {
                if points.len() < 2 {
                    p.push(format!("{at}: piecewise needs at least two points"));
                }
                if !strictly_increasing(points.iter().map(|q| q.0))
                    || points.iter().any(|q| !q.0.is_finite())
                {
                    p.push(format!(
                        "{at}: piecewise values must be finite and strictly increasing"
                    ));
                }
                if points.iter().any(|q| !in_range(q.1)) {
                    p.push(format!("{at}: piecewise scores must be within 0–100"));
                }
            }
        }
    }
}

/// What to do when a measure's feature is missing for an account.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum MissingRule {
    /// Spread the measure's weight over the measures that have data (the default).
    #[default]
    Redistribute,
    /// Score it as this value (0–100).
    Fixed {
        /// The score to use.
        score: f64,
    },
    /// Score it as 0, the worst score.
    Worst,
}

/// One weighted measure: a feature mapped to 0–100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Unique name within the scorecard.
    pub name: String,
    /// The feature column it reads.
    pub feature: String,
    /// Relative weight within its group (≥ 0).
    pub weight: f64,
    /// How the raw value becomes a score.
    pub normaliser: Normaliser,
    /// What happens when the value is missing.
    #[serde(default)]
    pub missing: MissingRule,
}

/// A weighted group of measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Unique name (usage, engagement, support, …).
    pub name: String,
    /// Relative weight among groups (≥ 0).
    pub weight: f64,
    /// Its measures.
    pub measures: Vec<Measure>,
}

/// A band: scores from `min` up to the next band's `min` belong to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Name (red, yellow, green; or A–F).
    pub name: String,
    /// Lowest score in the band.
    pub min: f64,
}

/// The default bands: red < 40 ≤ yellow < 70 ≤ green.
pub fn default_bands() -> Vec<Band> {
    [("red", 0.0), ("yellow", 40.0), ("green", 70.0)]
        .map(|(name, min)| Band {
            name: name.into(),
            min,
        })
        .to_vec()
}

fn default_min_coverage() -> f64 {
    0.5
}

/// A health scorecard. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    /// Layout version; must be [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Name.
    pub name: String,
    /// What it is for, who owns it.
    #[serde(default)]
    pub description: String,
    /// The groups.
    pub groups: Vec<Group>,
    /// Band scheme, ascending by `min`, the first at 0.
    #[serde(default = "default_bands")]
    pub bands: Vec<Band>,
    /// Share of weight (0–1) that must have data for a score (default 0.5).
    #[serde(default = "default_min_coverage")]
    pub min_coverage: f64,
}

/// The score of one account, with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountScore {
    /// The score, 0–100; `None` when coverage is below the scorecard's minimum.
    pub score: Option<f64>,
    /// The band name, when scored.
    pub band: Option<String>,
    /// Share of the scorecard's weight with data, 0–1.
    pub coverage: f64,
    /// Per measure, in scorecard order.
    pub measures: Vec<MeasureResult>,
    /// Per group: name and contribution (sum of its measures' contributions).
    pub groups: Vec<(String, f64)>,
}

/// One measure's part in an account's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl AccountScore {
    /// The measures costing the most points, largest first, at most `k`.
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

/// Direction of a score change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Up by more than the dead-band.
    Up,
    /// Within the dead-band.
    Flat,
    /// Down by more than the dead-band.
    Down,
}

/// The change of a score against a previous one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// `current − previous`.
    pub delta: f64,
    /// Up, flat or down, with changes within ±`dead_band` counted as flat.
    pub direction: Direction,
}

/// Compare a score with a previous one; changes within ±`dead_band` points are flat.
///
/// Scores must be finite (an account without a score has no trend) and the dead-band a finite
/// number ≥ 0; anything else is an [`Error::Config`].
pub fn trend(current: f64, previous: f64, dead_band: f64) -> Result<Trend> {
    if !current.is_finite() || !previous.is_finite() {
        return Err(Error::Config(vec![format!(
            "a trend needs two scores, got {current} and {previous}"
        )]));
    }
    if !(dead_band.is_finite() && dead_band >= 0.0) {
        return Err(Error::Config(vec![format!(
            "dead_band must be a finite number ≥ 0, got {dead_band}"
        )]));
    }
    let delta = current - previous;
    let direction = if delta > dead_band {
        Direction::Up
    } else if delta < -dead_band {
        Direction::Down
    } else {
        Direction::Flat
    };
    Ok(Trend { delta, direction })
}

/// Builds a [`Scorecard`] in code; `build` validates it.
#[derive(Debug, Clone)]
pub struct ScorecardBuilder {
    card: Scorecard,
}

impl ScorecardBuilder {
    /// Start a group; following measures go into it.
    pub fn group(mut self, name: &str, weight: f64) -> Self {
        self.card.groups.push(Group {
            name: name.into(),
            weight,
            measures: Vec::new(),
        });
        self
    }
    /// Add a measure (missing values redistributed) to the current group.
    pub fn measure(self, name: &str, feature: &str, weight: f64, normaliser: Normaliser) -> Self {
        self.measure_with(name, feature, weight, normaliser, MissingRule::Redistribute)
    }
    /// Add a measure with a missing-data rule to the current group.
    pub fn measure_with(
        mut self,
        name: &str,
        feature: &str,
        weight: f64,
        normaliser: Normaliser,
        missing: MissingRule,
    ) -> Self {
        if self.card.groups.is_empty() {
            self = self.group("default", 1.0);
        }
        if let Some(g) = self.card.groups.last_mut() {
            g.measures.push(Measure {
                name: name.into(),
                feature: feature.into(),
                weight,
                normaliser,
                missing,
            });
        }
        self
    }
    /// Set the bands.
    pub fn bands(mut self, bands: Vec<Band>) -> Self {
        self.card.bands = bands;
        self
    }
    /// Set the minimum coverage.
    pub fn min_coverage(mut self, c: f64) -> Self {
        self.card.min_coverage = c;
        self
    }
    /// Set the description.
    pub fn description(mut self, d: &str) -> Self {
        self.card.description = d.into();
        self
    }
    /// Validate and return the scorecard.
    pub fn build(self) -> Result<Scorecard> {
        self.card.validate()?;
        Ok(self.card)
    }
}

impl Scorecard {
    /// A builder for a scorecard called `name`.
    pub fn builder(name: &str) -> ScorecardBuilder {
        ScorecardBuilder {
            card: Scorecard {
                schema_version: SCHEMA_VERSION,
                name: name.into(),
                description: String::new(),
                groups: Vec::new(),
                bands: default_bands(),
                min_coverage: default_min_coverage(),
            },
        }
    }

    /// Parse and validate TOML.
    pub fn from_toml(text: &str) -> Result<Self> {
        let c: Scorecard =
            toml::from_str(text).map_err(|e| Error::Config(vec![format!("scorecard: {e}")]))?;
        c.validate()?;
        Ok(c)
    }

    /// Parse and validate JSON.
    pub fn from_json(text: &str) -> Result<Self> {
        let c: Scorecard = serde_json::from_str(text)
            .map_err(|e| Error::Config(vec![format!("scorecard: {e}")]))?;
        c.validate()?;
        Ok(c)
    }

    /// JSON text of the scorecard.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::Config(vec![format!("scorecard: {e}")]))
    }

    /// TOML text of the scorecard.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self).map_err(|e| Error::Config(vec![format!("scorecard: {e}")]))
    }

    /// Every measure with its group, in order.
    pub fn measures(&self) -> impl Iterator<Item = (&Group, &Measure)> {
        self.groups
            .iter()
            .flat_map(|g| g.measures.iter().map(move |m| (g, m)))
    }

    /// Check the scorecard; every problem is reported at once.
    pub fn validate(&self) -> Result<()> {
        crate::fault::checkpoint("Scorecard::validate");
        let mut p = Vec::new();
        if self.schema_version != SCHEMA_VERSION {
            p.push(format!(
                "schema_version {} is not supported (expected {SCHEMA_VERSION})",
                self.schema_version
            ));
        }
        if self.groups.is_empty() {
            p.push("a scorecard needs at least one group".into());
        }
        let mut names = BTreeSet::new();
        for g in &self.groups {
            if !names.insert(format!("group {}", g.name)) {
                p.push(format!("duplicate group name `{}`", g.name));
            }
            if !valid_weight(g.weight) {
                p.push(format!(
                    "group `{}`: weight must be a finite number ≥ 0, got {}",
                    g.name, g.weight
                ));
            }
            if g.measures.is_empty() {
                p.push(format!("group `{}` has no measures", g.name));
            }
            let sum = g.measures.iter().map(|m| m.weight.max(0.0)).sum::<f64>();
            // A weight that is itself not finite is reported on its own measure.
            let finite = g.measures.iter().all(|m| m.weight.is_finite());
            if !g.measures.is_empty() && sum <= 0.0 && finite {
                p.push(format!("group `{}`: measure weights sum to zero", g.name));
            } else if !sum.is_finite() && finite {
                p.push(format!(
                    "group `{}`: measure weights sum past the largest number (each is finite, \
                     their total is not); use smaller weights (only their ratios matter)",
                    g.name
                ));
            }
            for m in &g.measures {
                let at = format!("measure `{}`", m.name);
                if !names.insert(format!("measure {}", m.name)) {
                    p.push(format!("duplicate measure name `{}`", m.name));
                }
                if !valid_weight(m.weight) {
                    p.push(format!(
                        "{at}: weight must be a finite number ≥ 0, got {}",
                        m.weight
                    ));
                }
                if m.feature.trim().is_empty() {
                    p.push(format!("{at}: feature is empty"));
                }
                m.normaliser.validate(&at, &mut p);
                if let MissingRule::Fixed { score } = m.missing
                    && !(0.0..=100.0).contains(&score)
                {
                    p.push(format!(
                        "{at}: fixed missing score must be within 0–100, got {score}"
                    ));
                }
            }
        }
        let sum = self.groups.iter().map(|g| g.weight.max(0.0)).sum::<f64>();
        let finite = self.groups.iter().all(|g| g.weight.is_finite());
        if !self.groups.is_empty() && sum <= 0.0 && finite {
            p.push("group weights sum to zero".into());
        } else if !sum.is_finite() && finite {
            p.push(
                "group weights sum past the largest number (each is finite, their total is \
                 not); use smaller weights (only their ratios matter)"
                    .into(),
            );
        }
        // Batch scoring keeps one bit per measure.
        let n_measures = self.measures().count();
        if n_measures > 64 {
            p.push(format!("at most 64 measures, got {n_measures}"));
        }
        match self.bands.first() {
            None => p.push("bands: at least one band is needed".into()),
            Some(b) if b.min != 0.0 => p.push(format!(
                "bands: the first band must start at 0, `{}` starts at {}",
                b.name, b.min
            )),
            _ => {}
        }
        if !strictly_increasing(self.bands.iter().map(|b| b.min))
            || self.bands.iter().any(|b| !(0.0..=100.0).contains(&b.min))
        {
            p.push("bands: minimums must be within 0–100 and strictly increasing".into());
        }
        let band_names: BTreeSet<&str> = self.bands.iter().map(|b| b.name.as_str()).collect();
        if band_names.len() != self.bands.len() {
            p.push("bands: duplicate band names".into());
        }
        if self.bands.len() > 255 {
            p.push("bands: at most 255 bands".into());
        }
        if !(0.0..=1.0).contains(&self.min_coverage) {
            p.push(format!(
                "min_coverage must be within 0–1, got {}",
                self.min_coverage
            ));
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p))
        }
    }

    /// Check that every measure's feature exists among `features` (e.g. a frame's columns).
    pub fn check_features<'a>(&self, features: impl IntoIterator<Item = &'a str>) -> Result<()> {
        let known: BTreeSet<&str> = features.into_iter().collect();
        let p: Vec<String> = self
            .measures()
            .filter(|(_, m)| !known.contains(m.feature.as_str()))
            .map(|(_, m)| format!("measure `{}`: unknown feature `{}`", m.name, m.feature))
            .collect();
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p))
        }
    }

    /// Nominal effective weight of every measure (group share × share within group); sums to 1.
    fn nominal_weights(&self) -> Vec<f64> {
        let gsum: f64 = self.groups.iter().map(|g| g.weight).sum();
        self.groups
            .iter()
            .flat_map(|g| {
                let msum: f64 = g.measures.iter().map(|m| m.weight).sum();
                g.measures
                    .iter()
                    .map(move |m| g.weight / gsum * m.weight / msum)
            })
            .collect()
    }

    /// The band index of a score.
    pub fn band_of(&self, score: f64) -> usize {
        self.bands
            .partition_point(|b| b.min <= score)
            .saturating_sub(1)
    }

    /// Score one account from its raw values, one per measure in scorecard order (`None` for
    /// missing). Percentile measures cannot be scored alone and are an error here.
    pub fn score_values(&self, values: &[Option<f64>]) -> Result<AccountScore> {
        self.validate()?;
        let n = self.measures().count();
        if values.len() != n {
            return Err(Error::Config(vec![format!(
                "expected {n} values, one per measure, got {}",
                values.len()
            )]));
        }
        if let Some((_, m)) = self
            .measures()
            .find(|(_, m)| matches!(m.normaliser, Normaliser::Percentile { .. }))
        {
            return Err(Error::Config(vec![format!(
                "measure `{}` ranks within a population; score a frame instead",
                m.name
            )]));
        }
        if let Some(((_, m), _)) = self
            .measures()
            .zip(values)
            .find(|(_, v)| v.is_some_and(f64::is_infinite))
        {
            return Err(Error::Config(vec![format!(
                "measure `{}`: infinite value; use None for missing",
                m.name
            )]));
        }
        let scores: Vec<Option<f64>> = self
            .measures()
            .zip(values)
            .map(|((_, m), v)| {
                measure_score(
                    m,
                    v.filter(|x| x.is_finite()).map(|x| m.normaliser.apply(x)),
                )
            })
            .collect();
        let present: Vec<bool> = values
            .iter()
            .map(|v| v.is_some_and(|x| x.is_finite()))
            .collect();
        Ok(self.combine(values, &scores, &present))
    }

    /// Combine measure scores into an account score with its explanation.
    fn combine(
        &self,
        values: &[Option<f64>],
        scores: &[Option<f64>],
        present: &[bool],
    ) -> AccountScore {
        let nominal = self.nominal_weights();
        let mut weights = vec![0.0; scores.len()];
        let mut scratch = Vec::new();
        let coverage = coverage(&nominal, present);
        self.effective_weights_into(scores, &mut weights, &mut scratch);
        let scored = coverage >= self.min_coverage && weights.iter().any(|w| *w > 0.0);
        let mut measures = Vec::with_capacity(scores.len());
        let mut groups = Vec::with_capacity(self.groups.len());
        let mut total = 0.0;
        let mut k = 0;
        for g in &self.groups {
            let mut gsum = 0.0;
            for m in &g.measures {
                let (w, s) = (weights[k], scores[k]);
                let contribution = if scored {
                    s.map_or(0.0, |s| w * s)
                } else {
                    0.0
                };
                let points_lost = if scored {
                    s.map_or(0.0, |s| w * (100.0 - s))
                } else {
                    0.0
                };
                gsum += contribution;
                total += contribution;
                measures.push(MeasureResult {
                    name: m.name.clone(),
                    group: g.name.clone(),
                    value: values[k].filter(|x| x.is_finite()),
                    measure_score: s,
                    weight: if scored { w } else { 0.0 },
                    contribution,
                    points_lost,
                    missing_why: None,
                });
                k += 1;
            }
            groups.push((g.name.clone(), gsum));
        }
        // The score is the sum of the contributions (clamped only against rounding at 1e-14).
        let score = scored.then_some(total.clamp(0.0, 100.0));
        AccountScore {
            score,
            band: score.map(|s| self.bands[self.band_of(s)].name.clone()),
            coverage,
            measures,
            groups,
        }
    }

    /// Weights after redistribution, into `out`: measures without a score drop out and the
    /// rest are renormalised within their group, and groups without any scored measure drop
    /// out. `group_sums` is scratch space (reused across accounts).
    fn effective_weights_into(
        &self,
        scores: &[Option<f64>],
        out: &mut [f64],
        group_sums: &mut Vec<f64>,
    ) {
        let gsum = self.scored_weight_sums(scores, group_sums);
        let mut k = 0;
        for (g, msum) in self.groups.iter().zip(group_sums.iter()) {
            for m in &g.measures {
                out[k] = if gsum > 0.0 && *msum > 0.0 && scores[k].is_some() {
                    g.weight / gsum * m.weight / msum
                } else {
                    0.0
                };
                k += 1;
            }
        }
    }

    /// Per group, into `group_sums`, the weight of its measures with `Some` score; returned,
    /// the weight of the groups with any.
    fn scored_weight_sums(&self, scores: &[Option<f64>], group_sums: &mut Vec<f64>) -> f64 {
        group_sums.clear();
        let mut k = 0;
        for g in &self.groups {
            let mut msum = 0.0;
            for m in &g.measures {
                if scores[k].is_some() {
                    msum += m.weight;
                }
                k += 1;
            }
            group_sums.push(msum);
        }
        self.groups
            .iter()
            .zip(group_sums.iter())
            .filter(|(_, s)| **s > 0.0)
            .map(|(g, _)| g.weight)
            .sum()
    }

    /// Per group, the factor that turns a measure's own weight into its effective weight when
    /// only the measures with `Some` score count: `group weight / (sum of the weights of the
    /// groups with a scored measure) / (sum of the weights of the group's scored measures)`,
    /// 0 for a group without one. A measure's effective weight is this factor × its weight
    /// (as [`Scorecard::effective_weights_into`] gives it, up to rounding).
    fn group_factors_into(&self, scores: &[Option<f64>], out: &mut Vec<f64>) {
        let gsum = self.scored_weight_sums(scores, out);
        for (g, f) in self.groups.iter().zip(out.iter_mut()) {
            let msum = *f;
            *f = if gsum > 0.0 && msum > 0.0 {
                g.weight / gsum / msum
            } else {
                0.0
            };
        }
    }

    /// Each measure's normalised score (0–100) for every row of a frame, in scorecard order;
    /// `NaN` where the feature is missing (before the missing rule). These are the inputs a
    /// back-test ranks measure by measure and a re-calibration fits on.
    pub fn measure_scores(
        &self,
        frame: &FeatureFrame,
        segments: Option<&[String]>,
    ) -> Result<Vec<Vec<f64>>> {
        Ok(self.measure_columns(frame, segments)?.1)
    }

    /// Score one account from its measures' normalised scores (0–100, in scorecard order,
    /// `NaN` for missing), applying each measure's missing rule: what
    /// [`Scorecard::score_values`] does after normalising. Lets a re-weighted scorecard be
    /// evaluated on measure scores already computed (a back-test's observations).
    pub fn score_measure_scores(&self, measure_scores: &[f64]) -> Result<AccountScore> {
        self.validate()?;
        let n = self.measures().count();
        if measure_scores.len() != n {
            return Err(Error::Config(vec![format!(
                "{} measure scores for a scorecard of {n} measures",
                measure_scores.len()
            )]));
        }
        if let Some(k) = measure_scores
            .iter()
            .position(|s| !s.is_nan() && !(0.0..=100.0).contains(s))
        {
            return Err(Error::Config(vec![format!(
                "measure score {} is outside 0–100",
                measure_scores[k]
            )]));
        }
        let present: Vec<bool> = measure_scores.iter().map(|s| !s.is_nan()).collect();
        let values: Vec<Option<f64>> = measure_scores
            .iter()
            .map(|s| Some(*s).filter(|s| !s.is_nan()))
            .collect();
        let scores: Vec<Option<f64>> = self
            .measures()
            .zip(&values)
            .map(|((_, m), s)| measure_score(m, *s))
            .collect();
        Ok(self.combine(&values, &scores, &present))
    }

    /// Each measure's nominal share of the score (group share × share within the group), in
    /// scorecard order; the shares sum to 1.
    pub fn weight_shares(&self) -> Vec<f64> {
        self.nominal_weights()
    }

    /// Raw value columns and measure-score columns (NaN = missing, before the missing rule).
    fn measure_columns<'a>(
        &self,
        frame: &'a FeatureFrame,
        segments: Option<&[String]>,
    ) -> Result<MeasureColumns<'a>> {
        let raw = self.raw_columns(frame, segments)?;
        let cols = self
            .measures()
            .zip(&raw)
            .map(|((_, m), values)| normalise_column(&m.normaliser, values, segments))
            .collect();
        Ok((raw, cols))
    }

    /// Validate the scorecard against a frame and return each measure's raw column.
    fn raw_columns<'a>(
        &self,
        frame: &'a FeatureFrame,
        segments: Option<&[String]>,
    ) -> Result<Vec<&'a [f64]>> {
        let cols = self.resolve_columns(
            |name| frame.column(name).map(|c| c.values.as_slice()),
            frame.columns.iter().map(|c| c.name.as_str()),
            frame.len(),
            segments,
        )?;
        if let Some(e) = self.infinities(&cols, |i| Some(frame.account_ids[i].as_str())) {
            return Err(e);
        }
        Ok(cols)
    }

    /// Validate the scorecard and the inputs (known features, one length, segments that fit)
    /// and return each measure's column, in scorecard order. Infinities are checked by the
    /// caller (the batch loop checks them on the fly rather than in a pass of its own).
    fn resolve_columns<'a, 'n>(
        &self,
        lookup: impl Fn(&str) -> Option<&'a [f64]>,
        names: impl IntoIterator<Item = &'n str>,
        n: usize,
        segments: Option<&[String]>,
    ) -> Result<Vec<&'a [f64]>> {
        self.validate()?;
        if segments.is_none()
            && let Some((_, m)) = self.measures().find(|(_, m)| {
                matches!(
                    m.normaliser,
                    Normaliser::Percentile {
                        per_segment: true,
                        ..
                    }
                )
            })
        {
            return Err(Error::Config(vec![format!(
                "measure `{}` ranks within segments, but no segments were given",
                m.name
            )]));
        }
        self.check_features(names)?;
        if let Some(s) = segments
            && s.len() != n
        {
            return Err(Error::Config(vec![format!(
                "segments has {} entries for {n} accounts",
                s.len(),
            )]));
        }
        let cols: Vec<&[f64]> = self
            .measures()
            .map(|(_, m)| lookup(&m.feature).unwrap_or(&[][..]))
            .collect();
        // Columns built by hand can be ragged: an error, not a panic.
        let p: Vec<String> = self
            .measures()
            .zip(&cols)
            .filter(|(_, c)| c.len() != n)
            .map(|((_, m), c)| {
                format!(
                    "column `{}` has {} values for {n} accounts",
                    m.feature,
                    c.len()
                )
            })
            .collect();
        if p.is_empty() {
            Ok(cols)
        } else {
            Err(Error::Config(p))
        }
    }

    /// The error for infinite values in the measures' columns, if any: infinity is neither a
    /// value nor "missing" (that is NaN), so it is refused rather than guessed at.
    fn infinities<'i>(
        &self,
        cols: &[&[f64]],
        id: impl Fn(usize) -> Option<&'i str>,
    ) -> Option<Error> {
        let p: Vec<String> = self
            .measures()
            .zip(cols)
            .filter_map(|((_, m), c)| {
                let i = c.iter().position(|x| x.is_infinite())?;
                let count = c.iter().filter(|x| x.is_infinite()).count();
                let first = id(i).map_or(format!("row {i}"), |id| format!("`{id}`"));
                Some(format!(
                    "column `{}` has {count} infinite value(s), the first for {first}; use NaN for missing",
                    m.feature
                ))
            })
            .collect();
        (!p.is_empty()).then_some(Error::Config(p))
    }

    /// The error scoring gives for an infinite value in a column the card reads, with the
    /// first bad row named by its account id (`account_ids`, one per row) rather than by its
    /// position; `None` when there is no infinity. Scoring bare columns
    /// ([`Scorecard::score_columns_into`]) has no ids and names positions: a caller that holds
    /// the ids calls this after such an error, instead of scoring again to name the account.
    pub fn name_infinite_values(
        &self,
        columns: &[(&str, &[f64])],
        account_ids: &[String],
    ) -> Option<Error> {
        let cols: Vec<&[f64]> = self
            .measures()
            .map(|(_, m)| {
                columns
                    .iter()
                    .find(|(c, _)| *c == m.feature)
                    .map_or(&[][..], |(_, v)| *v)
            })
            .collect();
        self.infinities(&cols, |i| account_ids.get(i).map(String::as_str))
    }

    /// Score every account of a frame. `segments`, when given, is one segment per frame row,
    /// used by per-segment percentile measures. Every measure's feature must be a column.
    ///
    /// Works column by column over cache-sized blocks of accounts, with no allocation per
    /// account. To score repeatedly without allocating the result each time, see
    /// [`Scorecard::score_columns_into`].
    pub fn score_frame(
        &self,
        frame: &FeatureFrame,
        segments: Option<&[String]>,
    ) -> Result<ScoreFrame> {
        crate::fault::checkpoint("Scorecard::score_frame");
        let mut out = ScoreFrame::default();
        let cols = self.resolve_columns(
            |name| frame.column(name).map(|c| c.values.as_slice()),
            frame.columns.iter().map(|c| c.name.as_str()),
            frame.len(),
            segments,
        )?;
        self.score_into(&cols, frame.len(), segments, true, &mut out)
            .map_err(|()| {
                self.infinities(&cols, |i| Some(frame.account_ids[i].as_str()))
                    .unwrap_or_else(|| Error::Config(vec!["infinite value".into()]))
            })?;
        Ok(out)
    }

    /// Score borrowed columns (feature name → values, `NaN` for missing; all the same
    /// length), e.g. straight from arrays the caller already holds, without building a
    /// [`FeatureFrame`]. Columns no measure reads are ignored.
    ///
    /// ```
    /// use csops_core::health::{Normaliser, Scorecard};
    /// let card = Scorecard::builder("logins only")
    ///     .group("usage", 1.0)
    ///     .measure("logins", "logins_per_user_week", 1.0, Normaliser::linear(0.0, 2.0))
    ///     .build()?;
    /// let logins = [0.5, 2.0, f64::NAN];
    /// let s = card.score_columns(&[("logins_per_user_week", &logins[..])], None)?;
    /// assert_eq!(s.scores[0], 25.0);
    /// assert_eq!(s.band(1), Some("green"));
    /// assert!(s.scores[2].is_nan()); // no data at all: insufficient coverage
    /// # Ok::<(), csops_core::Error>(())
    /// ```
    pub fn score_columns(
        &self,
        columns: &[(&str, &[f64])],
        segments: Option<&[String]>,
    ) -> Result<ScoreFrame> {
        let mut out = ScoreFrame::default();
        self.score_columns_into(columns, segments, ScoreDetail::Full, &mut out)?;
        Ok(out)
    }

    /// [`Scorecard::score_columns`] into an existing [`ScoreFrame`], reusing its buffers: a
    /// caller scoring many as-of dates or batches pays for the result's memory once. With
    /// [`ScoreDetail::ScoresOnly`] the per-measure contributions are not kept
    /// (`out.contributions` is empty), which is faster and a sixth of the memory for a
    /// six-measure card. On error `out` holds no valid result.
    pub fn score_columns_into(
        &self,
        columns: &[(&str, &[f64])],
        segments: Option<&[String]>,
        detail: ScoreDetail,
        out: &mut ScoreFrame,
    ) -> Result<()> {
        let n = columns.first().map_or(0, |(_, c)| c.len());
        let lookup = |name: &str| columns.iter().find(|(c, _)| *c == name).map(|(_, v)| *v);
        let cols = self.resolve_columns(lookup, columns.iter().map(|(c, _)| *c), n, segments)?;
        let keep = detail == ScoreDetail::Full;
        self.score_into(&cols, n, segments, keep, out)
            .map_err(|()| {
                out.scores.clear();
                self.infinities(&cols, |_| None)
                    .unwrap_or_else(|| Error::Config(vec!["infinite value".into()]))
            })
    }

    /// The batch loop. Accounts are taken in blocks small enough for the per-block buffers
    /// (pattern ids, running totals) to stay in cache, so each input column is read once and
    /// each output column written once. `Err(())` means an infinite input was met.
    fn score_into(
        &self,
        raw: &[&[f64]],
        n: usize,
        segments: Option<&[String]>,
        keep: bool,
        out: &mut ScoreFrame,
    ) -> std::result::Result<(), ()> {
        const BLOCK: usize = 4096;
        let ms: Vec<&Measure> = self.measures().map(|(_, m)| m).collect();
        let nominal = self.nominal_weights();
        // Weights and coverage depend only on which measures an account has (its pattern),
        // so they are computed once per pattern. A measure's weight in a pattern is its own
        // weight × its group's factor in that pattern (`factors[g][p]`): per block, each
        // account's group factors are looked up once (`rows[g]`), so the per-measure loops
        // below read plain arrays and vectorise, instead of looking up a weight per measure.
        let mut patterns = WeightPatterns::new(&ms, &nominal);
        let group_of: Vec<usize> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(g, grp)| std::iter::repeat_n(g, grp.measures.len()))
            .collect();
        let mut factors: Vec<Vec<f64>> = vec![Vec::new(); self.groups.len()];
        let mut rows: Vec<Vec<f64>> = vec![vec![0.0; BLOCK]; self.groups.len()];
        let imputes: u64 = ms
            .iter()
            .enumerate()
            .filter(|(_, m)| !matches!(m.missing, MissingRule::Redistribute))
            .fold(0, |acc, (k, _)| acc | 1 << k);
        // With up to 16 measures a direct table replaces hashing the mask; with up to 10 it is
        // filled up front (at most 1024 patterns), so the per-account lookup is a plain read.
        let mut table = if ms.len() <= 16 {
            vec![u32::MAX; 1 << ms.len()]
        } else {
            Vec::new()
        };
        let filled = ms.len() <= 10;
        if filled {
            for (m, slot) in (0u64..).zip(table.iter_mut()) {
                *slot = patterns.id(self, m | imputes, m);
            }
        }
        // Percentile ranks need the whole column, so they are computed up front.
        let ranks: Vec<Option<Vec<f64>>> = ms
            .iter()
            .zip(raw)
            .map(|(m, col)| {
                matches!(m.normaliser, Normaliser::Percentile { .. })
                    .then(|| normalise_column(&m.normaliser, col, segments))
            })
            .collect();
        let fills: Vec<f64> = ms.iter().map(|m| imputed(m)).collect();

        out.band_names = self.bands.iter().map(|b| b.name.clone()).collect();
        out.measure_names = ms.iter().map(|m| m.name.clone()).collect();
        out.scores.clear();
        out.scores.reserve(n);
        out.band_codes.clear();
        out.band_codes.reserve(n);
        out.coverage.clear();
        out.coverage.reserve(n);
        let kept = if keep { ms.len() } else { 0 };
        out.contributions.resize_with(kept, Vec::new);
        out.contributions.truncate(kept);
        for c in &mut out.contributions {
            c.clear();
            c.reserve(n);
        }

        let band_mins: Vec<f64> = self.bands.iter().map(|b| b.min).collect();
        let (mut unscored, mut cover) = (Vec::new(), Vec::new());
        // Two groups: each pattern's four per-account values side by side, one lookup each.
        let mut two: Vec<[f64; 4]> = Vec::new();
        let mut nan_row = vec![0f64; BLOCK];
        // Per-block buffers, on the heap: a block is too big for small thread stacks.
        let (mut mask, mut pat, mut total) =
            (vec![0u64; BLOCK], vec![0u32; BLOCK], vec![0f64; BLOCK]);
        let mut infinite = false;
        for start in (0..n).step_by(BLOCK) {
            let len = BLOCK.min(n - start);
            let (mask, pat, total) = (&mut mask[..len], &mut pat[..len], &mut total[..len]);
            mask.fill(0);
            // Four columns at a time: reading several columns side by side keeps more memory
            // reads in flight than one column after another (the first read of each block's
            // values comes from memory, not cache).
            for (q, cols) in raw.chunks(4).enumerate() {
                let r = start..start + len;
                let bit = |x: f64, k: usize| u64::from(x.is_finite()) << (4 * q + k);
                let inf = |x: f64| x.is_infinite();
                match cols {
                    [c0, c1, c2, c3] => {
                        let rows = c0[r.clone()]
                            .iter()
                            .zip(&c1[r.clone()])
                            .zip(&c2[r.clone()])
                            .zip(&c3[r]);
                        for (m, (((&x0, &x1), &x2), &x3)) in mask.iter_mut().zip(rows) {
                            *m |= bit(x0, 0) | bit(x1, 1) | bit(x2, 2) | bit(x3, 3);
                            infinite |= inf(x0) | inf(x1) | inf(x2) | inf(x3);
                        }
                    }
                    [c0, c1, c2] => {
                        let rows = c0[r.clone()].iter().zip(&c1[r.clone()]).zip(&c2[r]);
                        for (m, ((&x0, &x1), &x2)) in mask.iter_mut().zip(rows) {
                            *m |= bit(x0, 0) | bit(x1, 1) | bit(x2, 2);
                            infinite |= inf(x0) | inf(x1) | inf(x2);
                        }
                    }
                    [c0, c1] => {
                        let rows = c0[r.clone()].iter().zip(&c1[r]);
                        for (m, (&x0, &x1)) in mask.iter_mut().zip(rows) {
                            *m |= bit(x0, 0) | bit(x1, 1);
                            infinite |= inf(x0) | inf(x1);
                        }
                    }
                    _ => {
                        for (k, c) in cols.iter().enumerate() {
                            for (m, &x) in mask.iter_mut().zip(&c[r.clone()]) {
                                *m |= bit(x, k);
                                infinite |= inf(x);
                            }
                        }
                    }
                }
            }
            if filled {
                let top = table.len() - 1; // a power of two less one: masks are below it
                for (p, &m) in pat.iter_mut().zip(mask.iter()) {
                    *p = table[m as usize & top];
                }
            } else {
                for (p, &m) in pat.iter_mut().zip(mask.iter()) {
                    *p = if table.is_empty() {
                        patterns.id(self, m | imputes, m)
                    } else {
                        let slot = &mut table[m as usize];
                        if *slot == u32::MAX {
                            *slot = patterns.id(self, m | imputes, m);
                        }
                        *slot
                    };
                }
            }
            // Per pattern, flat for the per-account lookups: the group factors, what an
            // unscored account's score gets added (NaN; 0 when scored), and coverage.
            for p in &patterns.patterns[unscored.len()..] {
                for (fg, f) in factors.iter_mut().zip(&p.group_factors) {
                    fg.push(*f);
                }
                unscored.push(if p.scored { 0.0 } else { f64::NAN });
                cover.push(p.coverage);
                if let [f0, f1] = p.group_factors[..] {
                    two.push([f0, f1, if p.scored { 0.0 } else { f64::NAN }, p.coverage]);
                }
            }
            match &mut rows[..] {
                // Two groups (the usual shape): every lookup of an account in one pass,
                // coverage included.
                [r0, r1] => {
                    let at = out.coverage.len();
                    out.coverage.resize(at + len, 0.0);
                    let rows = r0[..len].iter_mut().zip(&mut r1[..len]);
                    let rows = rows.zip(&mut nan_row[..len]).zip(&mut out.coverage[at..]);
                    for ((((a, b), u), c), &p) in rows.zip(pat.iter()) {
                        [*a, *b, *u, *c] = two[p as usize];
                    }
                }
                _ => {
                    for (row, fg) in rows.iter_mut().zip(&factors) {
                        for (r, &p) in row[..len].iter_mut().zip(pat.iter()) {
                            *r = fg[p as usize];
                        }
                    }
                    for (r, &p) in nan_row[..len].iter_mut().zip(pat.iter()) {
                        *r = unscored[p as usize];
                    }
                    out.coverage.extend(pat.iter().map(|&p| cover[p as usize]));
                }
            }
            total.fill(0.0);
            for (k, m) in ms.iter().enumerate() {
                let (wk, fill) = ((&rows[group_of[k]][..len], m.weight), fills[k]);
                let c = keep.then(|| &mut out.contributions[k]);
                // One monomorphised loop per normaliser kind, so the normaliser is inlined.
                match (&m.normaliser, &ranks[k]) {
                    (_, Some(r)) => accumulate(|s| s, &r[start..start + len], wk, fill, total, c),
                    (Normaliser::Linear { worst, best }, None) => {
                        let (worst, scale) = (*worst, 100.0 / (best - worst));
                        let f = move |x: f64| ((x - worst) * scale).clamp(0.0, 100.0);
                        accumulate(f, &raw[k][start..start + len], wk, fill, total, c)
                    }
                    (Normaliser::Steps { thresholds, points }, None) => {
                        let xs = &raw[k][start..start + len];
                        match (thresholds.as_slice(), points.as_slice()) {
                            // One or two thresholds (the usual shapes): selects, which
                            // vectorise, rather than an index into the points.
                            (&[t0], &[p0, p1]) => {
                                let f = move |x: f64| pick(t0 <= x, p1, p0);
                                accumulate(f, xs, wk, fill, total, c)
                            }
                            (&[t0, t1], &[p0, p1, p2]) => {
                                let f = move |x: f64| pick(t1 <= x, p2, pick(t0 <= x, p1, p0));
                                accumulate(f, xs, wk, fill, total, c)
                            }
                            _ => {
                                // Counting the thresholds passed is branch-free, unlike a
                                // search.
                                let f =
                                    |x: f64| points[thresholds.iter().filter(|t| **t <= x).count()];
                                accumulate(f, xs, wk, fill, total, c)
                            }
                        }
                    }
                    (Normaliser::Boolean { yes, no }, None) => {
                        let (yes, no) = (*yes, *no);
                        let f = move |x: f64| pick(x != 0.0, yes, no);
                        accumulate(f, &raw[k][start..start + len], wk, fill, total, c)
                    }
                    (norm, None) => accumulate(
                        |x| norm.apply(x),
                        &raw[k][start..start + len],
                        wk,
                        fill,
                        total,
                        c,
                    ),
                }
            }
            out.scores.extend(
                total
                    .iter()
                    .zip(&nan_row[..len])
                    .map(|(&t, &u)| t.clamp(0.0, 100.0) + u),
            );
            let block_scores = &out.scores[start..];
            match *band_mins.as_slice() {
                // The usual schemes, with the band count known to the compiler: vectorised.
                [a, b, c] => bands_into(&mut out.band_codes, block_scores, [a, b, c]),
                [a, b, c, d] => bands_into(&mut out.band_codes, block_scores, [a, b, c, d]),
                [a, b, c, d, e] => bands_into(&mut out.band_codes, block_scores, [a, b, c, d, e]),
                _ => out.band_codes.extend(block_scores.iter().map(|&t| {
                    let above = band_mins.iter().filter(|m| **m <= t).count();
                    if t.is_nan() {
                        NOT_SCORED
                    } else {
                        above.saturating_sub(1) as u8
                    }
                })),
            }
        }
        if infinite { Err(()) } else { Ok(()) }
    }

    /// Explain the account `account_id` of a frame, as [`Scorecard::explain`] explains its row.
    /// An id the frame does not hold is [`Error::NotFound`]; an id on more than one row is
    /// [`Error::Config`] naming the rows (which of them is meant would be a guess).
    pub fn explain_account(
        &self,
        frame: &FeatureFrame,
        segments: Option<&[String]>,
        account_id: &str,
    ) -> Result<AccountScore> {
        let mut rows = frame
            .account_ids
            .iter()
            .enumerate()
            .filter(|(_, a)| *a == account_id)
            .map(|(i, _)| i);
        match (rows.next(), rows.next()) {
            (Some(row), None) => self.explain(frame, segments, row),
            (None, _) => Err(Error::NotFound {
                what: format!("account `{account_id}` is not in the data"),
            }),
            (Some(a), Some(b)) => Err(Error::Config(vec![format!(
                "account `{account_id}` appears more than once in the data (rows {} and {}{})",
                a + 1,
                b + 1,
                if rows.next().is_some() {
                    ", and more"
                } else {
                    ""
                }
            )])),
        }
    }

    /// Explain row `i` of a frame: the full per-measure breakdown (percentile measures are
    /// ranked within the whole frame, as in [`Scorecard::score_frame`]).
    pub fn explain(
        &self,
        frame: &FeatureFrame,
        segments: Option<&[String]>,
        i: usize,
    ) -> Result<AccountScore> {
        crate::fault::checkpoint("Scorecard::explain");
        if i >= frame.len() {
            return Err(Error::Config(vec![format!(
                "row {i} is outside the frame of {} accounts",
                frame.len()
            )]));
        }
        let (raw, cols) = self.measure_columns(frame, segments)?;
        let values: Vec<Option<f64>> = raw
            .iter()
            .map(|c| Some(c[i]).filter(|x| x.is_finite()))
            .collect();
        let present: Vec<bool> = values.iter().map(Option::is_some).collect();
        let scores: Vec<Option<f64>> = self
            .measures()
            .zip(&cols)
            .zip(&present)
            .map(|(((_, m), col), p)| measure_score(m, p.then_some(col[i])))
            .collect();
        let mut out = self.combine(&values, &scores, &present);
        if !frame.missing_notes.is_empty() {
            let id = &frame.account_ids[i];
            for ((_, m), r) in self.measures().zip(&mut out.measures) {
                if r.value.is_none() {
                    r.missing_why = frame.missing_why(id, &m.feature).cloned();
                }
            }
        }
        Ok(out)
    }

    /// The default scorecard: a **heuristic**, deliberately login-heavy (it is the one the
    /// acceptance story back-tests and re-tunes). Usage 50% (logins per user-week dominate it),
    /// relationship 20%, support 15%, sentiment 15%.
    pub fn default_heuristic() -> Scorecard {
        use crate::features::names as f;
        let card = Scorecard::builder("default heuristic (login-heavy)")
            .description("A fixed-formula starting point, not a fitted model: logins dominate usage. Back-test it before trusting it.")
            .group("usage", 50.0)
            .measure("logins", f::LOGINS_PER_USER_WEEK, 50.0, Normaliser::linear(0.0, 1.2))
            .measure("stickiness", f::DAU_MAU, 20.0, Normaliser::linear(0.0, 0.15))
            .measure("breadth", f::FEATURE_BREADTH, 15.0, Normaliser::linear(0.0, 1.0))
            .measure("seats", f::SEAT_UTILISATION, 15.0, Normaliser::linear(0.0, 0.8))
            .group("relationship", 20.0)
            .measure("sponsor", f::EXEC_SPONSOR_PRESENT, 50.0, Normaliser::boolean())
            .measure("champion", f::CHAMPION_PRESENT, 25.0, Normaliser::boolean())
            .measure_with(
                "business_review",
                f::DAYS_SINCE_LAST_EBR,
                25.0,
                Normaliser::piecewise(vec![(0.0, 100.0), (90.0, 80.0), (180.0, 40.0), (365.0, 0.0)]),
                MissingRule::Worst,
            )
            .group("support", 15.0)
            .measure("open_escalations", f::OPEN_HIGH_PRIORITY_TICKETS, 60.0, Normaliser::steps(vec![1.0, 3.0], vec![100.0, 50.0, 10.0]))
            .measure("csat", f::AVG_CSAT, 40.0, Normaliser::linear(1.0, 5.0))
            .group("sentiment", 15.0)
            .measure("nps", f::NPS, 100.0, Normaliser::linear(-100.0, 100.0))
            .card;
        // Valid by construction (a test validates it), so it is returned without `build`.
        card
    }
}

/// A measure's scores for a whole column (NaN where the value is missing). Linear measures
/// use the same operations as [`Normaliser::apply`], so batch and single scoring agree.
fn normalise_column(norm: &Normaliser, values: &[f64], segments: Option<&[String]>) -> Vec<f64> {
    match norm {
        Normaliser::Percentile {
            higher_is_better,
            per_segment,
        } => percentile_ranks(
            values,
            if *per_segment { segments } else { None },
            *higher_is_better,
        ),
        Normaliser::Linear { worst, best } => {
            let scale = 100.0 / (best - worst);
            values
                .iter()
                .map(|&x| ((x - worst) * scale).clamp(0.0, 100.0))
                .collect()
        }
        norm => values
            .iter()
            .map(|&x| {
                if x.is_finite() {
                    norm.apply(x)
                } else {
                    f64::NAN
                }
            })
            .collect(),
    }
}

/// `yes` if `cond`, else `no`, through a bit mask: written as an `if`, the compiler may
/// make it a load from an address chosen per value, which does not vectorise; masks do.
#[inline(always)]
fn pick(cond: bool, yes: f64, no: f64) -> f64 {
    let m = u64::from(cond).wrapping_neg();
    f64::from_bits((yes.to_bits() & m) | (no.to_bits() & !m))
}

/// The bands of `scores` (by their `mins`, ascending), appended to `out`: as `band_of`,
/// without a branch per band; NaN is "not scored".
#[inline(always)]
fn bands_into<const N: usize>(out: &mut Vec<u8>, scores: &[f64], mins: [f64; N]) {
    out.extend(scores.iter().map(|&t| {
        let above: u8 = mins.iter().map(|m| u8::from(*m <= t)).sum();
        if t.is_nan() {
            NOT_SCORED
        } else {
            above.saturating_sub(1)
        }
    }));
}

/// Add one measure's contributions over a block of accounts to the running totals (and
/// keep them, when asked): the account's group factor × the measure's weight × normalised
/// value, or × the missing rule's fill value when the value is missing. A redistributed
/// missing measure has fill 0 (and its group's factor leaves its weight out), so it adds
/// exactly 0. `(factors, weight)`: each account's group factor, and the measure's own weight.
#[inline(always)]
fn accumulate(
    normalise: impl Fn(f64) -> f64,
    xs: &[f64],
    (factors, weight): (&[f64], f64),
    fill: f64,
    total: &mut [f64],
    keep: Option<&mut Vec<f64>>,
) {
    // Missing values take the fill value through a bit mask rather than a branch: missing
    // values are scattered, and a mispredicted branch per one costs more than the select.
    let value = |f: f64, x: f64| f * weight * pick(!x.is_nan(), normalise(x), fill);
    match keep {
        Some(c) => {
            let at = c.len();
            c.resize(at + xs.len(), 0.0);
            for (((&x, &f), t), o) in xs
                .iter()
                .zip(factors)
                .zip(total.iter_mut())
                .zip(&mut c[at..])
            {
                let v = value(f, x);
                *t += v;
                *o = v;
            }
        }
        None => {
            for ((&x, &f), t) in xs.iter().zip(factors).zip(total.iter_mut()) {
                *t += value(f, x);
            }
        }
    }
}

/// Per measure: the raw feature column, and the normalised scores (NaN = missing).
type MeasureColumns<'a> = (Vec<&'a [f64]>, Vec<Vec<f64>>);

/// Each value is below the next (NaN never is).
fn strictly_increasing(xs: impl Iterator<Item = f64>) -> bool {
    let v: Vec<f64> = xs.collect();
    v.windows(2).all(|w| w[0] < w[1])
}

/// A weight is a finite number ≥ 0.
fn valid_weight(w: f64) -> bool {
    w.is_finite() && w >= 0.0
}

/// The score a missing measure gets under an imputing rule.
fn imputed(m: &Measure) -> f64 {
    match m.missing {
        MissingRule::Fixed { score } => score,
        _ => 0.0,
    }
}

/// Weights, coverage and "scored?" for one pattern of scored / present measures.
#[derive(Debug, Clone)]
struct Pattern {
    /// Per group: the factor of its measures' own weights (see `group_factors_into`).
    group_factors: Vec<f64>,
    coverage: f64,
    scored: bool,
}

/// A cache of [`Pattern`]s by (scored mask, present mask). Real books have few patterns
/// (most accounts have every measure), so this turns per-account weight arithmetic into a
/// lookup.
struct WeightPatterns {
    nominal: Vec<f64>,
    measures: usize,
    index: std::collections::HashMap<(u64, u64), u32>,
    patterns: Vec<Pattern>,
    last: Option<((u64, u64), u32)>,
}

impl WeightPatterns {
    fn new(ms: &[&Measure], nominal: &[f64]) -> Self {
        WeightPatterns {
            nominal: nominal.to_vec(),
            measures: ms.len(),
            index: Default::default(),
            patterns: Vec::new(),
            last: None,
        }
    }

    /// The id of a pattern, computing it the first time it is seen.
    fn id(&mut self, card: &Scorecard, scored: u64, present: u64) -> u32 {
        let key = (scored, present);
        if let Some((k, i)) = self.last
            && k == key
        {
            return i;
        }
        let next = self.patterns.len() as u32;
        let i = *self.index.entry(key).or_insert(next);
        if i == next {
            let flags: Vec<Option<f64>> = (0..self.measures)
                .map(|k| (scored & (1 << k) != 0).then_some(0.0))
                .collect();
            let present_flags: Vec<bool> = (0..self.measures)
                .map(|k| present & (1 << k) != 0)
                .collect();
            let mut weights = vec![0.0; self.measures];
            card.effective_weights_into(&flags, &mut weights, &mut Vec::new());
            let coverage = coverage(&self.nominal, &present_flags);
            let scored = coverage >= card.min_coverage && weights.iter().any(|w| *w > 0.0);
            let mut group_factors = Vec::new();
            card.group_factors_into(&flags, &mut group_factors);
            if !scored {
                group_factors.fill(0.0);
            }
            self.patterns.push(Pattern {
                group_factors,
                coverage,
                scored,
            });
        }
        self.last = Some((key, i));
        i
    }
}

/// Share of the nominal weight whose measures have data.
fn coverage(nominal: &[f64], present: &[bool]) -> f64 {
    nominal
        .iter()
        .zip(present)
        .filter(|(_, p)| **p)
        .map(|(w, _)| w)
        .sum()
}

/// Apply a measure's missing rule to its (possibly missing) normalised score.
fn measure_score(m: &Measure, s: Option<f64>) -> Option<f64> {
    match (s, m.missing) {
        (Some(s), _) => Some(s),
        (None, MissingRule::Redistribute) => None,
        (None, MissingRule::Fixed { score }) => Some(score),
        (None, MissingRule::Worst) => Some(0.0),
    }
}

/// Midpoint percentile ranks `100 × (below + ½·equal) / n` of finite values, within segments
/// when given; NaN stays NaN.
fn percentile_ranks(
    values: &[f64],
    segments: Option<&[String]>,
    higher_is_better: bool,
) -> Vec<f64> {
    let mut out = vec![f64::NAN; values.len()];
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, v) in values.iter().enumerate() {
        if v.is_finite() {
            groups
                .entry(segments.map_or("", |s| s[i].as_str()))
                .or_default()
                .push(i);
        }
    }
    for idx in groups.values_mut() {
        idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        let n = idx.len() as f64;
        let mut start = 0;
        while start < idx.len() {
            let mut end = start;
            while end < idx.len() && values[idx[end]] == values[idx[start]] {
                end += 1;
            }
            let pct = 100.0 * (start as f64 + 0.5 * (end - start) as f64) / n;
            for &i in &idx[start..end] {
                out[i] = if higher_is_better { pct } else { 100.0 - pct };
            }
            start = end;
        }
    }
    out
}

/// Scorecards per segment (or tier): each account is scored by its segment's scorecard, or
/// by the default one. Enterprise accounts are rarely healthy for the same reasons as
/// self-serve ones; a model set lets each motion have its own definition of healthy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSet {
    /// The scorecard for accounts whose segment has none of its own.
    pub default: Scorecard,
    /// Scorecards by segment name.
    #[serde(default)]
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
    /// Parse and validate JSON: `{"default": {...}, "by_segment": {"enterprise": {...}}}`.
    pub fn from_json(text: &str) -> Result<Self> {
        let m: ModelSet = serde_json::from_str(text)
            .map_err(|e| Error::Config(vec![format!("model set: {e}")]))?;
        m.validate()?;
        Ok(m)
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

/// A human decision that replaces an account's computed score or band until it expires ("the
/// customer just signed a 3-year renewal; treat as green until the QBR").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
