//! The [`Normaliser`]: how a measure maps a raw feature value to a score in 0–100 (linear,
//! steps, percentile, logistic, boolean, piecewise), and the checks of its parameters.

use serde::{Deserialize, Serialize};

#[cfg(doc)]
use super::Scorecard;

/// Maps a raw feature value to a measure score in 0–100 (0 is worst, 100 best).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[non_exhaustive]
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
        #[cfg_attr(feature = "typescript", ts(as = "Option<bool>", optional))]
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
        #[cfg_attr(feature = "typescript", ts(as = "Option<f64>", optional))]
        yes: f64,
        /// Score of no (default 0).
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(as = "Option<f64>", optional))]
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

    pub(super) fn validate(&self, at: &str, p: &mut Vec<String>) {
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

/// Each value is below the next (NaN never is).
pub(super) fn strictly_increasing(xs: impl Iterator<Item = f64>) -> bool {
    let v: Vec<f64> = xs.collect();
    v.windows(2).all(|w| w[0] < w[1])
}
