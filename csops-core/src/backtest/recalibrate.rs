//! Re-calibration: new weights fitted on past renewals, proved on later ones.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::fit::{LogisticFit, ProbabilityMap, ProbabilityMethod, logistic};
use super::stats::{self, Auc};
use super::{Observation, Observations};
use crate::health::{Band, MissingRule, Scorecard};
use crate::{Error, Result};

/// How to re-calibrate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecalibrationConfig {
    /// Inverse L2 penalty of the logistic fit, on measure scores scaled to 0–1 (default 1.0;
    /// smaller is a stronger pull towards equal-zero weights, for small books).
    pub c: f64,
    /// The latest quarters held out for evaluation (default 1); the fit sees only the earlier
    /// ones, so nothing from the evaluation period leaks into the weights.
    pub holdout_quarters: u32,
    /// The score → P(churn) mapping to fit (default Platt).
    pub probability: ProbabilityMethod,
    /// Target: accounts in the lowest band churn at least this often (default 0.25).
    pub red_churn_target: f64,
    /// Target: accounts in the highest band churn at most this often (default 0.05).
    pub green_churn_target: f64,
}

impl Default for RecalibrationConfig {
    fn default() -> Self {
        RecalibrationConfig {
            c: 1.0,
            holdout_quarters: 1,
            probability: ProbabilityMethod::Platt,
            red_churn_target: 0.25,
            green_churn_target: 0.05,
        }
    }
}

/// The renewals on one side of the time split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "RecalibrationSplit")
)]
pub struct Split {
    /// Its quarters.
    pub quarters: Vec<String>,
    /// Renewals.
    pub renewals: u64,
    /// Churns.
    pub churned: u64,
}

/// A scorecard's performance on the held-out quarters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct HeldOut {
    /// Renewals scored.
    pub scored: u64,
    /// ROC AUC of risk for churn.
    pub auc: Option<Auc>,
    /// Brier score of the probability mapping fitted on the training quarters.
    pub brier: Option<f64>,
}

/// A measure's weight before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct MeasureWeight {
    /// Measure name.
    pub measure: String,
    /// Its group.
    pub group: String,
    /// Fitted log-odds of churn per 100 points of measure score (negative: protects).
    pub coefficient: f64,
    /// Nominal share of the score before.
    pub share_before: f64,
    /// Nominal share after (0 when dropped).
    pub share_after: f64,
}

/// A band's accounts and churn under a band choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct BandOutcome {
    /// Band name.
    pub band: String,
    /// Its lowest score.
    pub min: f64,
    /// Training renewals in it.
    pub train_renewals: u64,
    /// Their churn rate.
    pub train_churn_rate: Option<f64>,
    /// Held-out renewals in it.
    pub test_renewals: u64,
    /// Their churn rate.
    pub test_churn_rate: Option<f64>,
}

/// One way of setting band thresholds on the re-weighted score, and what it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct BandChoice {
    /// `current`, `target churn rates` or `youden`.
    pub method: String,
    /// The bands.
    pub bands: Vec<Band>,
    /// Sizes and churn per band.
    pub outcomes: Vec<BandOutcome>,
}

/// The result of a re-calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "RecalibrationReport")
)]
pub struct Recalibration {
    /// The re-weighted scorecard: same measures, normalisers and bands, weights from the fit
    /// (measures with no protective effect dropped).
    pub scorecard: Scorecard,
    /// The logistic fit (on measure scores / 100, after missing rules).
    pub fit: LogisticFit,
    /// The inverse penalty used.
    pub c: f64,
    /// Weights before and after.
    pub weights: Vec<MeasureWeight>,
    /// Measures dropped because, given the others, they did not protect against churn.
    pub dropped: Vec<String>,
    /// Training side.
    pub train: Split,
    /// Held-out side.
    pub test: Split,
    /// The original scorecard on the held-out quarters.
    pub before: HeldOut,
    /// The re-weighted scorecard on the held-out quarters.
    pub after: HeldOut,
    /// Score → P(churn) for the re-weighted scorecard, fitted on the training quarters.
    pub probability: ProbabilityMap,
    /// Band threshold choices for the re-weighted score.
    pub bands: Vec<BandChoice>,
}

/// Fit new weights on all but the latest `holdout_quarters` of `obs`, and compare the old and
/// new scorecards on the held-out quarters.
///
/// The fit is an L2-penalised logistic regression of churn on the measure scores (each scaled
/// to 0–1; missing values take the measure's missing rule, and a redistributed one the
/// training mean). A measure whose coefficient says "a higher score churns more" is dropped
/// and the fit repeated, so the new weights are non-negative: a health score is a sum of good
/// signs. Each remaining measure's weight is its coefficient's size, and each group's weight
/// the sum of its measures', so the nominal shares are the fitted shares.
pub fn recalibrate(
    obs: &Observations,
    card: &Scorecard,
    cfg: &RecalibrationConfig,
) -> Result<Recalibration> {
    card.validate()?;
    if card.measures().count() != obs.measures.len()
        || obs
            .rows
            .iter()
            .any(|o| o.measure_scores.len() != obs.measures.len())
    {
        return Err(Error::Config(vec![format!(
            "the observations have {} measures but scorecard `{}` has {}",
            obs.measures.len(),
            card.name,
            card.measures().count()
        )]));
    }
    let mut quarters: Vec<&str> = obs.rows.iter().map(|o| o.quarter.as_str()).collect();
    quarters.dedup();
    let h = cfg.holdout_quarters as usize;
    if h == 0 || quarters.len() <= h {
        return Err(Error::Config(vec![format!(
            "a time split needs more quarters than the {h} held out; the observations span {}",
            quarters.len()
        )]));
    }
    let test_q: Vec<&str> = quarters[quarters.len() - h..].to_vec();
    let (test, train): (Vec<&Observation>, Vec<&Observation>) = obs
        .rows
        .iter()
        .partition(|o| test_q.contains(&o.quarter.as_str()));
    let split = |rows: &[&Observation], qs: &[&str]| Split {
        quarters: qs.iter().map(|q| q.to_string()).collect(),
        renewals: rows.len() as u64,
        churned: rows.iter().filter(|o| o.churned).count() as u64,
    };
    let train_split = split(&train, &quarters[..quarters.len() - h]);
    let test_split = split(&test, &test_q);

    // Design matrix: measure scores / 100 after missing rules.
    let measures: Vec<(&str, &str, MissingRule)> = card
        .measures()
        .map(|(g, m)| (g.name.as_str(), m.name.as_str(), m.missing))
        .collect();
    let k = measures.len();
    let means: Vec<Option<f64>> = (0..k)
        .map(|j| {
            let v: Vec<f64> = train
                .iter()
                .map(|o| o.measure_scores[j])
                .filter(|s| !s.is_nan())
                .collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        })
        .collect();
    let column = |j: usize, rows: &[&Observation]| -> Vec<f64> {
        rows.iter()
            .map(|o| {
                let s = o.measure_scores[j];
                let s = if s.is_nan() {
                    match measures[j].2 {
                        MissingRule::Fixed { score } => score,
                        MissingRule::Worst => 0.0,
                        MissingRule::Redistribute => means[j].unwrap_or(0.0),
                    }
                } else {
                    s
                };
                s / 100.0
            })
            .collect()
    };
    let y: Vec<bool> = train.iter().map(|o| o.churned).collect();
    let mut active: Vec<usize> = (0..k).filter(|&j| means[j].is_some()).collect();
    let mut dropped: Vec<String> = (0..k)
        .filter(|j| means[*j].is_none())
        .map(|j| measures[j].1.to_string())
        .collect();
    let cols: Vec<Vec<f64>> = (0..k).map(|j| column(j, &train)).collect();
    let fit = loop {
        if active.is_empty() {
            return Err(Error::Config(vec![
                "no measure protects against churn in the training quarters; nothing to weight"
                    .into(),
            ]));
        }
        let x: Vec<&[f64]> = active.iter().map(|&j| cols[j].as_slice()).collect();
        let fit = logistic(&x, &y, Some(cfg.c))?;
        // A protective measure has a negative coefficient on churn.
        let worst = fit
            .coef
            .iter()
            .enumerate()
            .filter(|(_, b)| **b >= 0.0)
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i);
        match worst {
            Some(i) => {
                dropped.push(measures[active[i]].1.to_string());
                active.remove(i);
            }
            None => break (active.clone(), fit),
        }
    };
    let (active, fit) = fit;
    // The new scorecard: weights from the coefficients, empty groups removed.
    let mut new = card.clone();
    new.name = format!("{} (recalibrated)", card.name);
    new.description = format!(
        "Weights fitted by L2 logistic regression (C = {}) on renewals of {}; held out: {}.",
        cfg.c,
        train_split.quarters.join(", "),
        test_split.quarters.join(", ")
    );
    let mut j = 0;
    for g in &mut new.groups {
        let mut kept = Vec::new();
        for m in g.measures.drain(..) {
            if let Some(pos) = active.iter().position(|a| *a == j) {
                let mut m = m;
                // Weights in points per 100 of log-odds, rounded for a readable card.
                m.weight = (-fit.coef[pos] * 1e4).round() / 1e4;
                if m.weight > 0.0 {
                    kept.push(m);
                }
            }
            j += 1;
        }
        g.measures = kept;
        g.weight = g.measures.iter().map(|m| m.weight).sum();
    }
    new.groups.retain(|g| !g.measures.is_empty());
    new.validate()?;
    let kept: Vec<usize> = {
        let names: Vec<&str> = new.measures().map(|(_, m)| m.name.as_str()).collect();
        (0..k).filter(|&j| names.contains(&measures[j].1)).collect()
    };
    let new_score = |o: &Observation| -> Result<Option<f64>> {
        let s: Vec<f64> = kept.iter().map(|&j| o.measure_scores[j]).collect();
        Ok(new.score_measure_scores(&s)?.score)
    };
    let shares_before = card.weight_shares();
    let shares_after = new.weight_shares();
    let weights = (0..k)
        .map(|j| MeasureWeight {
            measure: measures[j].1.to_string(),
            group: measures[j].0.to_string(),
            coefficient: active
                .iter()
                .position(|a| *a == j)
                .map_or(0.0, |p| fit.coef[p]),
            share_before: shares_before[j],
            share_after: kept
                .iter()
                .position(|a| *a == j)
                .map_or(0.0, |p| shares_after[p]),
        })
        .collect();

    let old_train: Vec<Option<f64>> = train.iter().map(|o| o.score).collect();
    let old_test: Vec<Option<f64>> = test.iter().map(|o| o.score).collect();
    let new_train: Vec<Option<f64>> = train.iter().map(|o| new_score(o)).collect::<Result<_>>()?;
    let new_test: Vec<Option<f64>> = test.iter().map(|o| new_score(o)).collect::<Result<_>>()?;
    let churn_train: Vec<bool> = train.iter().map(|o| o.churned).collect();
    let churn_test: Vec<bool> = test.iter().map(|o| o.churned).collect();
    let fit_map = |scores: &[Option<f64>]| -> Result<ProbabilityMap> {
        let (s, c): (Vec<f64>, Vec<bool>) = scores
            .iter()
            .zip(&churn_train)
            .filter_map(|(s, c)| s.map(|s| (s, *c)))
            .unzip();
        ProbabilityMap::fit(&s, &c, cfg.probability)
    };
    let old_map = fit_map(&old_train)?;
    let new_map = fit_map(&new_train)?;
    let held_out = |scores: &[Option<f64>], map: &ProbabilityMap| -> HeldOut {
        let (s, c): (Vec<f64>, Vec<bool>) = scores
            .iter()
            .zip(&churn_test)
            .filter_map(|(s, c)| s.map(|s| (s, *c)))
            .unzip();
        let risk: Vec<f64> = s.iter().map(|s| 100.0 - s).collect();
        let prob: Vec<f64> = s.iter().map(|s| map.probability(*s)).collect();
        HeldOut {
            scored: s.len() as u64,
            auc: stats::roc_auc(&risk, &c).ok(),
            brier: stats::brier(&prob, &c).ok(),
        }
    };
    let before = held_out(&old_test, &old_map);
    let after = held_out(&new_test, &new_map);

    let bands = band_choices(
        card,
        cfg,
        (&new_train, &churn_train),
        (&new_test, &churn_test),
    )?;
    Ok(Recalibration {
        scorecard: new,
        fit,
        c: cfg.c,
        weights,
        dropped,
        train: train_split,
        test: test_split,
        before,
        after,
        probability: new_map,
        bands,
    })
}

type Scored<'a> = (&'a [Option<f64>], &'a [bool]);

fn band_choices(
    card: &Scorecard,
    cfg: &RecalibrationConfig,
    train: Scored<'_>,
    test: Scored<'_>,
) -> Result<Vec<BandChoice>> {
    let (low, high) = (
        card.bands.first().map_or("red", |b| b.name.as_str()),
        card.bands.last().map_or("green", |b| b.name.as_str()),
    );
    let mid = (card.bands.len() >= 3).then(|| card.bands[1].name.as_str());
    let mut scored: Vec<(f64, bool)> = train
        .0
        .iter()
        .zip(train.1)
        .filter_map(|(s, c)| s.map(|s| (s, *c)))
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Candidate cut points: midway between consecutive distinct training scores.
    let cuts: Vec<f64> = scored
        .windows(2)
        .filter(|w| w[0].0 < w[1].0)
        .map(|w| (w[0].0 + w[1].0) / 2.0)
        .collect();
    let churn_below = |t: f64| {
        let v: Vec<bool> = scored.iter().filter(|s| s.0 < t).map(|s| s.1).collect();
        (!v.is_empty()).then(|| v.iter().filter(|c| **c).count() as f64 / v.len() as f64)
    };
    let churn_from = |t: f64| {
        let v: Vec<bool> = scored.iter().filter(|s| s.0 >= t).map(|s| s.1).collect();
        (!v.is_empty()).then(|| v.iter().filter(|c| **c).count() as f64 / v.len() as f64)
    };
    let make = |red_top: f64, green_min: f64| -> Vec<Band> {
        let mut b = vec![Band {
            name: low.into(),
            min: 0.0,
        }];
        if let Some(m) = mid
            && green_min > red_top
        {
            b.push(Band {
                name: m.into(),
                min: red_top,
            });
        }
        b.push(Band {
            name: high.into(),
            min: green_min.max(red_top),
        });
        b.dedup_by(|a, b| a.min == b.min && a.min > 0.0);
        b
    };
    let mut choices = vec![("current".to_string(), card.bands.clone())];
    // Target churn rates: the widest red band that still churns at the red target, the widest
    // green band that stays under the green target.
    let red_top = cuts
        .iter()
        .rev()
        .find(|&&t| churn_below(t).is_some_and(|r| r >= cfg.red_churn_target))
        .copied()
        .unwrap_or(0.0);
    let green_min = cuts
        .iter()
        .find(|&&t| churn_from(t).is_some_and(|r| r <= cfg.green_churn_target))
        .copied()
        .unwrap_or(100.0);
    choices.push(("target churn rates".into(), make(red_top, green_min)));
    // Youden's J on the training renewals: the red cut that best separates churn.
    let (s, c): (Vec<f64>, Vec<bool>) = scored.iter().map(|(s, c)| (100.0 - s, *c)).unzip();
    if let Ok((t, _)) = stats::youden(&s, &c)
        && t.is_finite()
    {
        // Flagged: risk ≥ t, i.e. score ≤ 100 − t; the band edge sits midway to the next score.
        let edge = 100.0 - t;
        let next = scored.iter().map(|s| s.0).find(|&x| x > edge);
        let red_top = next.map_or(edge, |n| (edge + n) / 2.0);
        let green = card.bands.last().map_or(70.0, |b| b.min);
        choices.push(("youden".into(), make(red_top, green)));
    }
    let mut out = Vec::new();
    for (method, bands) in choices {
        let band_of = |s: f64| bands.partition_point(|b| b.min <= s).saturating_sub(1);
        let outcome = |(scores, churned): Scored<'_>, i: usize| {
            let v: Vec<bool> = scores
                .iter()
                .zip(churned)
                .filter(|(s, _)| s.is_some_and(|s| band_of(s) == i))
                .map(|(_, c)| *c)
                .collect();
            let rate =
                (!v.is_empty()).then(|| v.iter().filter(|c| **c).count() as f64 / v.len() as f64);
            (v.len() as u64, rate)
        };
        let outcomes = bands
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let (train_renewals, train_churn_rate) = outcome(train, i);
                let (test_renewals, test_churn_rate) = outcome(test, i);
                BandOutcome {
                    band: b.name.clone(),
                    min: b.min,
                    train_renewals,
                    train_churn_rate,
                    test_renewals,
                    test_churn_rate,
                }
            })
            .collect();
        out.push(BandChoice {
            method,
            bands,
            outcomes,
        });
    }
    Ok(out)
}

impl Recalibration {
    /// The re-calibration as readable text.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Re-calibration: trained on {} ({} renewals, {} churned), held out {} ({} renewals, {} churned)",
            self.train.quarters.join(", "),
            self.train.renewals,
            self.train.churned,
            self.test.quarters.join(", "),
            self.test.renewals,
            self.test.churned
        );
        let _ = writeln!(
            s,
            "  {:<22} {:>12} {:>8} {:>8}",
            "measure", "coefficient", "before", "after"
        );
        for w in &self.weights {
            let _ = writeln!(
                s,
                "  {:<22} {:>12.3} {:>7.0}% {:>7.0}%",
                w.measure,
                w.coefficient,
                100.0 * w.share_before,
                100.0 * w.share_after
            );
        }
        if !self.dropped.is_empty() {
            let _ = writeln!(
                s,
                "  dropped (no protective effect): {}",
                self.dropped.join(", ")
            );
        }
        let line = |h: &HeldOut| {
            format!(
                "AUC {} · Brier {}",
                h.auc.map_or("–".into(), |a| format!(
                    "{:.3} [{:.3}–{:.3}]",
                    a.auc, a.ci95.lo, a.ci95.hi
                )),
                h.brier.map_or("–".into(), |b| format!("{b:.4}"))
            )
        };
        let _ = writeln!(s, "Held out, before: {}", line(&self.before));
        let _ = writeln!(s, "Held out, after:  {}", line(&self.after));
        for c in &self.bands {
            let _ = write!(s, "Bands ({}):", c.method);
            for o in &c.outcomes {
                let rate =
                    |r: Option<f64>| r.map_or("–".into(), |r| format!("{:.0}%", 100.0 * r));
                let _ = write!(
                    s,
                    "  {} ≥{:.1}: {} train ({} churn), {} held out ({} churn);",
                    o.band,
                    o.min,
                    o.train_renewals,
                    rate(o.train_churn_rate),
                    o.test_renewals,
                    rate(o.test_churn_rate)
                );
            }
            let _ = writeln!(s);
        }
        s
    }
}
