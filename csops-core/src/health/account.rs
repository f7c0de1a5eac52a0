//! Scoring one account: from raw values ([`Scorecard::score_values`]) or from measure scores
//! already normalised ([`Scorecard::score_measure_scores`]), with the missing rules, the
//! redistribution of weights and coverage that every other way of scoring shares.

use super::normaliser::Normaliser;
use super::results::{AccountScore, MeasureResult};
use super::scorecard::{Measure, MissingRule, Scorecard};
use crate::error::{Error, Result};
use crate::features::FeatureFrame;

impl Scorecard {
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
    pub(super) fn combine(
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
    pub(super) fn effective_weights_into(
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
    pub(super) fn group_factors_into(&self, scores: &[Option<f64>], out: &mut Vec<f64>) {
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
}

/// Share of the nominal weight whose measures have data.
pub(super) fn coverage(nominal: &[f64], present: &[bool]) -> f64 {
    nominal
        .iter()
        .zip(present)
        .filter(|(_, p)| **p)
        .map(|(w, _)| w)
        .sum()
}

/// Apply a measure's missing rule to its (possibly missing) normalised score.
pub(super) fn measure_score(m: &Measure, s: Option<f64>) -> Option<f64> {
    match (s, m.missing) {
        (Some(s), _) => Some(s),
        (None, MissingRule::Redistribute) => None,
        (None, MissingRule::Fixed { score }) => Some(score),
        (None, MissingRule::Worst) => Some(0.0),
    }
}
