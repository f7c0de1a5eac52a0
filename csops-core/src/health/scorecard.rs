//! The scorecard as data: [`Scorecard`], its [`Group`]s, [`Measure`]s, [`Band`]s and
//! [`MissingRule`]s, the [`ScorecardBuilder`], reading and writing TOML/JSON, and validation
//! (every problem reported at once).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::SCHEMA_VERSION;
use super::normaliser::{Normaliser, strictly_increasing};
use crate::error::{Error, Result};

/// What to do when a measure's feature is missing for an account.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename = "ScorecardMeasure")
)]
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
    #[cfg_attr(feature = "typescript", ts(as = "Option<MissingRule>", optional))]
    pub missing: MissingRule,
}

/// A weighted group of measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename = "ScorecardGroup")
)]
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
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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

/// A health scorecard. See the [module docs](super).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename = "ScorecardJson")
)]
pub struct Scorecard {
    /// Layout version; must be [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Name.
    pub name: String,
    /// What it is for, who owns it.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<String>", optional))]
    pub description: String,
    /// The groups.
    pub groups: Vec<Group>,
    /// Band scheme, ascending by `min`, the first at 0.
    #[serde(default = "default_bands")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<Band>>", optional))]
    pub bands: Vec<Band>,
    /// Share of weight (0–1) that must have data for a score (default 0.5).
    #[serde(default = "default_min_coverage")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<f64>", optional))]
    pub min_coverage: f64,
}

/// Builds a [`Scorecard`] in code; `build` validates it.
#[derive(Debug, Clone)]
pub struct ScorecardBuilder {
    pub(super) card: Scorecard,
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

    /// A scorecard from its `.toml` or `.json` file ([`crate::options::load_file`]).
    pub fn load(path: &std::path::Path) -> Result<Self> {
        crate::options::load_file("scorecard", path, Self::from_json, Self::from_toml)
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
    pub(super) fn nominal_weights(&self) -> Vec<f64> {
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
}

/// A weight is a finite number ≥ 0.
fn valid_weight(w: f64) -> bool {
    w.is_finite() && w >= 0.0
}
