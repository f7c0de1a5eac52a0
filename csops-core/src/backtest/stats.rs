//! The statistics a back-test reports, each written out so it can be read and checked.
//!
//! Every function here is checked against an independent implementation (scikit-learn,
//! statsmodels, scipy, lifelines) on generated data; the agreed values are the test vectors in
//! `tests/vectors/stats.json`, produced by `scripts/reference/stats_vectors.py`.
//!
//! | question | function | checked against |
//! |---|---|---|
//! | what range is a renewal rate plausibly in? | [`wilson`] | statsmodels `proportion_confint(method="wilson")` |
//! | do two bands renew at different rates? | [`two_proportion_z`], [`fisher_exact`] | statsmodels `proportions_ztest`, scipy `fisher_exact` |
//! | does the score rank churners above renewers? | [`roc_auc`], [`roc_curve`] | scikit-learn `roc_auc_score`, `roc_curve`; DeLong by hand |
//! | are its probabilities right? | [`brier`], [`deciles`] | scikit-learn `brier_score_loss`, pandas |
//! | how much churn does the riskiest k% hold? | [`lift`] | pandas |
//! | how long do accounts of each band last? | [`kaplan_meier`], [`logrank`] | lifelines |
//!
//! Conventions: a *positive* is the event being predicted (a churn), and a higher `risk` means
//! more likely positive. Inputs must be finite; an empty or one-class input is an error, since
//! the statistic does not exist for it.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The two-sided 95% normal quantile, `Φ⁻¹(0.975)`.
pub const Z95: f64 = 1.959_963_984_540_054;

fn invalid(msg: impl Into<String>) -> Error {
    Error::Config(vec![msg.into()])
}

fn check_finite(name: &str, xs: &[f64]) -> Result<()> {
    match xs.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(invalid(format!(
            "{name}[{i}] is {}; statistics need finite values",
            xs[i]
        ))),
        None => Ok(()),
    }
}

fn check_len(a: &str, na: usize, b: &str, nb: usize) -> Result<()> {
    if na == nb {
        Ok(())
    } else {
        Err(invalid(format!("{a} has {na} values but {b} has {nb}")))
    }
}

/// Outcome labels as the bindings receive them, as numbers: `true`/`1` is a positive (the
/// event: a churn), `false`/`0` a negative. Anything else (a missing value, `0.5`, `2`) is an
/// error naming the column and its position, rather than a guess.
pub fn labels(name: &str, values: &[f64]) -> Result<Vec<bool>> {
    let bad: Vec<String> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| **v != 0.0 && **v != 1.0)
        .take(10)
        .map(|(i, v)| format!("{name}[{i}] is {v}; labels are true/false or 1/0"))
        .collect();
    if bad.is_empty() {
        Ok(values.iter().map(|v| *v == 1.0).collect())
    } else {
        Err(Error::Config(bad))
    }
}

/// Upper tail of the standard normal, `P(Z > x)`.
pub fn normal_sf(x: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(x / std::f64::consts::SQRT_2)
}

/// Upper tail of the chi-squared distribution with `df` degrees of freedom, `P(X > x)`.
/// `NaN` where it does not exist (`df` not a positive number, `x` `NaN`); never panics.
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() || df.is_nan() || df <= 0.0 || df.is_infinite() {
        f64::NAN
    } else if x <= 0.0 {
        1.0
    } else if x.is_infinite() {
        0.0
    } else {
        statrs::function::gamma::gamma_ur(df / 2.0, x / 2.0)
    }
}

/// An interval estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Interval {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// The Wilson score interval for a proportion `k / n` at normal quantile `z` ([`Z95`] for
/// 95%). Unlike the textbook `p ± z·√(p(1−p)/n)` it stays inside 0–1 and is honest at 0% and
/// 100%, which small bands often show. `None` when `n` is 0.
pub fn wilson(k: u64, n: u64, z: f64) -> Option<Interval> {
    if n == 0 || k > n {
        return None;
    }
    let (nf, p) = (n as f64, k as f64 / n as f64);
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let center = (p + z2 / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    Some(Interval {
        lo: center - half,
        hi: center + half,
    })
}

/// A test statistic and its two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "HypothesisTest")
)]
pub struct Test {
    /// The statistic (z, chi-squared or odds ratio, as the function says).
    pub statistic: f64,
    /// The p-value.
    pub p_value: f64,
}

/// The pooled two-proportion z test of `k1/n1` against `k2/n2` (two-sided). The normal
/// approximation wants roughly five successes and five failures per group; with fewer, use
/// [`fisher_exact`]. `None` when a group is empty or both groups are all-or-nothing alike
/// (no variance to test against).
pub fn two_proportion_z(k1: u64, n1: u64, k2: u64, n2: u64) -> Option<Test> {
    if n1 == 0 || n2 == 0 || k1 > n1 || k2 > n2 {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let pooled = (k1 + k2) as f64 / (n1f + n2f);
    let var = pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f);
    if var <= 0.0 {
        return None;
    }
    let z = (k1 as f64 / n1f - k2 as f64 / n2f) / var.sqrt();
    Some(Test {
        statistic: z,
        p_value: 2.0 * normal_sf(z.abs()),
    })
}

/// Fisher's exact test of the 2×2 table `[[a, b], [c, d]]` (two-sided: the total probability
/// of every table with the same margins that is no more likely than the one observed, as
/// scipy computes it). The statistic is the sample odds ratio `ad / bc` (infinite when
/// `bc = 0 < ad`). A table with an empty row or column carries no evidence: odds ratio `NaN`,
/// p-value 1.
pub fn fisher_exact(a: u64, b: u64, c: u64, d: u64) -> Test {
    if a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0 {
        return Test {
            statistic: f64::NAN,
            p_value: 1.0,
        };
    }
    let odds = if b > 0 && c > 0 {
        (a as f64 * d as f64) / (b as f64 * c as f64)
    } else {
        f64::INFINITY
    };
    let n = a + b + c + d;
    let (row1, col1) = (a + b, a + c);
    let lo = (row1 + col1).saturating_sub(n);
    let hi = row1.min(col1);
    let ln_choose = |n: u64, k: u64| {
        use statrs::function::gamma::ln_gamma;
        ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
    };
    let total = ln_choose(n, row1);
    let ln_pmf = |x: u64| ln_choose(col1, x) + ln_choose(n - col1, row1 - x) - total;
    let observed = ln_pmf(a);
    // Tables as likely as the observed one, up to rounding, count as "as extreme".
    let cutoff = observed + (1e-7f64).ln_1p();
    let p: f64 = (lo..=hi)
        .map(ln_pmf)
        .filter(|&l| l <= cutoff)
        .map(f64::exp)
        .sum();
    Test {
        statistic: odds,
        p_value: p.min(1.0),
    }
}

/// Area under the ROC curve, with its uncertainty.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "RocAuc")
)]
pub struct Auc {
    /// The probability that a random positive has a higher risk than a random negative (ties
    /// count half). 0.5 is a coin toss; 1.0 ranks every positive first.
    pub auc: f64,
    /// DeLong's standard error (DeLong, DeLong & Clarke-Pearson 1988), from the structural
    /// components; makes no assumption on the score's distribution.
    pub se_delong: f64,
    /// Hanley & McNeil's (1982) standard error, from the AUC and the class sizes alone.
    pub se_hanley_mcneil: f64,
    /// 95% interval, `auc ± 1.96·se_delong`, cut to 0–1.
    pub ci95: Interval,
    /// Number of positives.
    pub positives: u64,
    /// Number of negatives.
    pub negatives: u64,
}

/// ROC AUC of `risk` for `positive` labels, with DeLong and Hanley–McNeil standard errors.
/// O(n log n) (a radix sort), no quadratic pair counting.
pub fn roc_auc(risk: &[f64], positive: &[bool]) -> Result<Auc> {
    check_len("risk", risk.len(), "positive", positive.len())?;
    check_finite("risk", risk)?;
    let mut pos: Vec<f64> = Vec::new();
    let mut neg: Vec<f64> = Vec::new();
    for (&r, &p) in risk.iter().zip(positive) {
        if p { pos.push(r) } else { neg.push(r) }
    }
    auc_of_classes(pos, neg)
}

/// [`roc_auc`] from the two classes' risks.
fn auc_of_classes(mut pos: Vec<f64>, mut neg: Vec<f64>) -> Result<Auc> {
    let (m, n) = (pos.len(), neg.len());
    if m == 0 || n == 0 {
        return Err(invalid(format!(
            "AUC needs positives and negatives; got {m} positive(s) and {n} negative(s)"
        )));
    }
    sort_floats(&mut pos);
    sort_floats(&mut neg);
    // Structural components, one value per run of equal risks: for a positive x,
    // V10(x) = (#neg < x + ½·#neg = x) / n; for a negative y, V01(y) = (#pos > y + ½·#pos = y) / m.
    // Kept doubled as integers (2·less + equal) so the AUC itself is exact.
    let (mut s10, mut ss10) = (0u128, 0f64);
    let (mut j, mut k) = (0usize, 0usize);
    let mut i = 0;
    while i < m {
        let x = pos[i];
        let mut e = i;
        while e < m && pos[e] == x {
            e += 1;
        }
        while j < n && neg[j] < x {
            j += 1;
        }
        k = k.max(j);
        while k < n && neg[k] == x {
            k += 1;
        }
        let twice = (2 * j + (k - j)) as u128;
        let run = (e - i) as u128;
        s10 += twice * run;
        let v = twice as f64 / (2.0 * n as f64);
        ss10 += v * v * run as f64;
        i = e;
    }
    let auc = s10 as f64 / (2.0 * m as f64 * n as f64);
    let mut ss01 = 0f64;
    let (mut j, mut k) = (0usize, 0usize);
    let mut i = 0;
    while i < n {
        let y = neg[i];
        let mut e = i;
        while e < n && neg[e] == y {
            e += 1;
        }
        while j < m && pos[j] < y {
            j += 1;
        }
        k = k.max(j);
        while k < m && pos[k] == y {
            k += 1;
        }
        // positives above y: m - k; equal: k - j
        let twice = 2 * (m - k) + (k - j);
        let v = twice as f64 / (2.0 * m as f64);
        ss01 += v * v * (e - i) as f64;
        i = e;
    }
    let (mf, nf) = (m as f64, n as f64);
    // Sample variances (ddof 1) from sums of squares; a class of one has no spread to
    // estimate and contributes 0.
    let var10 = if m > 1 {
        ((ss10 - mf * auc * auc) / (mf - 1.0)).max(0.0)
    } else {
        0.0
    };
    let var01 = if n > 1 {
        ((ss01 - nf * auc * auc) / (nf - 1.0)).max(0.0)
    } else {
        0.0
    };
    let se_delong = (var10 / mf + var01 / nf).sqrt();
    let q1 = auc / (2.0 - auc);
    let q2 = 2.0 * auc * auc / (1.0 + auc);
    let hm = (auc * (1.0 - auc) + (mf - 1.0) * (q1 - auc * auc) + (nf - 1.0) * (q2 - auc * auc))
        / (mf * nf);
    Ok(Auc {
        auc,
        se_delong,
        se_hanley_mcneil: hm.max(0.0).sqrt(),
        ci95: Interval {
            lo: (auc - Z95 * se_delong).max(0.0),
            hi: (auc + Z95 * se_delong).min(1.0),
        },
        positives: m as u64,
        negatives: n as u64,
    })
}

/// One point of a ROC curve: flagging every account with risk ≥ `threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct RocPoint {
    /// The risk cut-off (infinite for the first point, where nothing is flagged).
    pub threshold: f64,
    /// False-positive rate: share of negatives flagged.
    pub fpr: f64,
    /// True-positive rate (recall): share of positives flagged.
    pub tpr: f64,
}

/// The ROC curve, one point per distinct risk from the highest down, after a first point
/// that flags nothing (as scikit-learn's `roc_curve(drop_intermediate=False)`).
pub fn roc_curve(risk: &[f64], positive: &[bool]) -> Result<Vec<RocPoint>> {
    check_len("risk", risk.len(), "positive", positive.len())?;
    check_finite("risk", risk)?;
    let (m, n) = positive.iter().fold(
        (0u64, 0u64),
        |(m, n), &p| {
            if p { (m + 1, n) } else { (m, n + 1) }
        },
    );
    if m == 0 || n == 0 {
        return Err(invalid(format!(
            "a ROC curve needs positives and negatives; got {m} positive(s) and {n} negative(s)"
        )));
    }
    let mut idx: Vec<usize> = (0..risk.len()).collect();
    idx.sort_by(|&a, &b| risk[b].total_cmp(&risk[a]));
    let mut out = vec![RocPoint {
        threshold: f64::INFINITY,
        fpr: 0.0,
        tpr: 0.0,
    }];
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut i = 0;
    while i < idx.len() {
        let t = risk[idx[i]];
        while i < idx.len() && risk[idx[i]] == t {
            if positive[idx[i]] {
                tp += 1
            } else {
                fp += 1
            }
            i += 1;
        }
        out.push(RocPoint {
            threshold: t,
            fpr: fp as f64 / n as f64,
            tpr: tp as f64 / m as f64,
        });
    }
    Ok(out)
}

/// The risk threshold that maximises Youden's J = TPR − FPR (the first, i.e. highest, on
/// ties), with J itself.
pub fn youden(risk: &[f64], positive: &[bool]) -> Result<(f64, f64)> {
    let curve = roc_curve(risk, positive)?;
    let mut best = (curve[0].threshold, f64::NEG_INFINITY);
    for p in &curve {
        let j = p.tpr - p.fpr;
        if j > best.1 {
            best = (p.threshold, j);
        }
    }
    Ok(best)
}

/// The Brier score: mean squared difference between predicted probability and outcome (0 is
/// perfect; always predicting the base rate `b` scores `b(1−b)`).
pub fn brier(probability: &[f64], positive: &[bool]) -> Result<f64> {
    check_len("probability", probability.len(), "positive", positive.len())?;
    check_finite("probability", probability)?;
    if probability.is_empty() {
        return Err(invalid("the Brier score needs at least one prediction"));
    }
    if let Some(i) = probability.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(invalid(format!(
            "probability[{i}] is {}, outside 0–1",
            probability[i]
        )));
    }
    let sum: f64 = probability
        .iter()
        .zip(positive)
        .map(|(&p, &y)| {
            let e = p - if y { 1.0 } else { 0.0 };
            e * e
        })
        .sum();
    Ok(sum / probability.len() as f64)
}

/// One row of a calibration table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct CalibrationRow {
    /// 1 = the tenth with the lowest risk.
    pub decile: u32,
    /// Accounts in it.
    pub n: u64,
    /// Positives in it.
    pub positives: u64,
    /// Mean predicted risk.
    pub mean_risk: f64,
    /// Observed rate of positives.
    pub observed: f64,
}

/// Calibration by decile: accounts sorted by risk (ties keep their order) and cut into ten
/// groups of equal count (the first `n mod 10` one larger), comparing mean predicted risk with
/// the observed rate. Fewer than ten accounts give fewer rows.
pub fn deciles(risk: &[f64], positive: &[bool]) -> Result<Vec<CalibrationRow>> {
    check_len("risk", risk.len(), "positive", positive.len())?;
    check_finite("risk", risk)?;
    let mut idx: Vec<usize> = (0..risk.len()).collect();
    idx.sort_by(|&a, &b| risk[a].total_cmp(&risk[b]));
    let n = idx.len();
    let (size, extra) = (n / 10, n % 10);
    let mut out = Vec::new();
    let mut start = 0;
    for d in 0..10 {
        let len = size + usize::from(d < extra);
        if len == 0 {
            continue;
        }
        let part = &idx[start..start + len];
        start += len;
        let positives = part.iter().filter(|&&i| positive[i]).count() as u64;
        out.push(CalibrationRow {
            decile: d as u32 + 1,
            n: len as u64,
            positives,
            mean_risk: part.iter().map(|&i| risk[i]).sum::<f64>() / len as f64,
            observed: positives as f64 / len as f64,
        });
    }
    Ok(out)
}

/// How much of the churn the riskiest accounts hold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Lift {
    /// The share of accounts taken, riskiest first.
    pub fraction: f64,
    /// Accounts taken: `ceil(fraction · n)`.
    pub k: u64,
    /// Positives among them.
    pub captured: u64,
    /// Their share of all positives ("the riskiest 10% hold 38% of churn").
    pub capture: f64,
    /// Their positive rate over the overall rate (1.0 = no better than random).
    pub lift: f64,
}

/// Capture and lift of the riskiest `fraction` of accounts (sorted by risk, highest first;
/// ties keep their order).
pub fn lift(risk: &[f64], positive: &[bool], fraction: f64) -> Result<Lift> {
    check_len("risk", risk.len(), "positive", positive.len())?;
    check_finite("risk", risk)?;
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(invalid(format!(
            "lift fraction {fraction} is not in (0, 1]"
        )));
    }
    let total = positive.iter().filter(|p| **p).count() as u64;
    if total == 0 {
        return Err(invalid("lift needs at least one positive"));
    }
    let n = risk.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| risk[b].total_cmp(&risk[a]));
    let k = ((fraction * n as f64).ceil() as usize).min(n);
    let captured = idx[..k].iter().filter(|&&i| positive[i]).count() as u64;
    Ok(Lift {
        fraction,
        k: k as u64,
        captured,
        capture: captured as f64 / total as f64,
        lift: (captured as f64 / k as f64) / (total as f64 / n as f64),
    })
}

/// One step of a Kaplan–Meier curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct SurvivalPoint {
    /// Time (days since scoring, in the back-test).
    pub time: f64,
    /// Accounts still at risk just before `time`.
    pub at_risk: u64,
    /// Events (churns) at `time`.
    pub observed: u64,
    /// Accounts censored at `time` (still customers when last seen).
    pub censored: u64,
    /// Share surviving past `time`.
    pub survival: f64,
}

/// The Kaplan–Meier estimate: survival `S(t) = Π (1 − d/n)` over event times up to `t`.
/// Censored accounts (no event yet) count as at risk until they leave view, rather than being
/// dropped or counted as survivors forever. One point per distinct time, after a point at 0
/// (as lifelines reports it).
pub fn kaplan_meier(durations: &[f64], events: &[bool]) -> Result<Vec<SurvivalPoint>> {
    check_len("durations", durations.len(), "events", events.len())?;
    check_finite("durations", durations)?;
    if let Some(i) = durations.iter().position(|d| *d < 0.0) {
        return Err(invalid(format!("durations[{i}] is negative")));
    }
    if durations.is_empty() {
        return Err(invalid("Kaplan–Meier needs at least one account"));
    }
    let mut idx: Vec<usize> = (0..durations.len()).collect();
    idx.sort_by(|&a, &b| durations[a].total_cmp(&durations[b]));
    let mut at_risk = durations.len() as u64;
    let mut s = 1.0;
    let mut out = Vec::new();
    if durations[idx[0]] > 0.0 {
        out.push(SurvivalPoint {
            time: 0.0,
            at_risk,
            observed: 0,
            censored: 0,
            survival: 1.0,
        });
    }
    let mut i = 0;
    while i < idx.len() {
        let t = durations[idx[i]];
        let (mut d, mut c) = (0u64, 0u64);
        while i < idx.len() && durations[idx[i]] == t {
            if events[idx[i]] {
                d += 1
            } else {
                c += 1
            }
            i += 1;
        }
        s *= 1.0 - d as f64 / at_risk as f64;
        out.push(SurvivalPoint {
            time: t,
            at_risk,
            observed: d,
            censored: c,
            survival: s,
        });
        at_risk -= d + c;
    }
    Ok(out)
}

/// The log-rank test that several groups share one survival curve: chi-squared with
/// `groups − 1` degrees of freedom (the multivariate form, as lifelines'
/// `multivariate_logrank_test`). Returns the test and the degrees of freedom.
#[allow(clippy::needless_range_loop)]
pub fn logrank<G: Ord + Clone>(
    durations: &[f64],
    events: &[bool],
    groups: &[G],
) -> Result<(Test, u32)> {
    check_len("durations", durations.len(), "events", events.len())?;
    check_len("durations", durations.len(), "groups", groups.len())?;
    check_finite("durations", durations)?;
    let names: std::collections::BTreeSet<&G> = groups.iter().collect();
    let names: Vec<&G> = names.into_iter().collect();
    let k = names.len();
    if k < 2 {
        return Err(invalid("the log-rank test needs at least two groups"));
    }
    let gi: Vec<usize> = groups
        .iter()
        .map(|g| names.binary_search(&g).unwrap_or(0))
        .collect();
    let mut idx: Vec<usize> = (0..durations.len()).collect();
    idx.sort_by(|&a, &b| durations[a].total_cmp(&durations[b]));
    let mut at_risk = vec![0f64; k];
    for &g in &gi {
        at_risk[g] += 1.0;
    }
    let mut o_minus_e = vec![0f64; k];
    let mut v = vec![vec![0f64; k]; k];
    let mut i = 0;
    while i < idx.len() {
        let t = durations[idx[i]];
        let mut d = vec![0f64; k];
        let mut left = vec![0f64; k];
        while i < idx.len() && durations[idx[i]] == t {
            let g = gi[idx[i]];
            if events[idx[i]] {
                d[g] += 1.0;
            }
            left[g] += 1.0;
            i += 1;
        }
        let dt: f64 = d.iter().sum();
        let nt: f64 = at_risk.iter().sum();
        if dt > 0.0 {
            for g in 0..k {
                o_minus_e[g] += d[g] - dt * at_risk[g] / nt;
            }
            if nt > 1.0 {
                let f = dt * (nt - dt) / (nt - 1.0);
                for g in 0..k {
                    for h in 0..k {
                        let delta = if g == h { 1.0 } else { 0.0 };
                        v[g][h] += f * at_risk[g] / nt * (delta - at_risk[h] / nt);
                    }
                }
            }
        }
        for g in 0..k {
            at_risk[g] -= left[g];
        }
    }
    // Drop the last group (the statistics sum to zero) and solve V z = (O − E).
    let r = k - 1;
    let a: Vec<Vec<f64>> = v[..r].iter().map(|row| row[..r].to_vec()).collect();
    let b = o_minus_e[..r].to_vec();
    let z = solve(a, b.clone()).ok_or_else(|| {
        invalid("the log-rank test is undefined here (no events, or a group never at risk)")
    })?;
    let chi2: f64 = b.iter().zip(&z).map(|(x, y)| x * y).sum();
    Ok((
        Test {
            statistic: chi2,
            p_value: chi2_sf(chi2, r as f64),
        },
        r as u32,
    ))
}

#[allow(clippy::needless_range_loop)] // matrix code reads best with indices
/// Solve `a x = b` by Gaussian elimination with partial pivoting; `None` if singular.
pub(crate) fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    let scale = a
        .iter()
        .flatten()
        .fold(0f64, |m, x| m.max(x.abs()))
        .max(f64::MIN_POSITIVE);
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() <= 1e-13 * scale {
            return None;
        }
        a.swap(c, p);
        b.swap(c, p);
        for r in c + 1..n {
            let f = a[r][c] / a[c][c];
            if f != 0.0 {
                for j in c..n {
                    a[r][j] -= f * a[c][j];
                }
                b[r] -= f * b[c];
            }
        }
    }
    let mut x = vec![0.0; n];
    for c in (0..n).rev() {
        let s: f64 = (c + 1..n).map(|j| a[c][j] * x[j]).sum();
        x[c] = (b[c] - s) / a[c][c];
    }
    Some(x)
}

/// Sort finite floats ascending with an LSD radix sort on their bits (11-bit digits, passes
/// whose digit is the same for every key skipped): several times faster than a comparison
/// sort at a million values, which is what makes AUC over a big book cheap.
pub(crate) fn sort_floats(v: &mut [f64]) {
    if v.len() < 256 {
        v.sort_by(f64::total_cmp);
        return;
    }
    // Order-preserving map of IEEE bits to unsigned integers.
    let key = |x: f64| {
        let b = x.to_bits();
        if b >> 63 == 1 { !b } else { b | (1 << 63) }
    };
    let unkey = |k: u64| {
        if k >> 63 == 1 {
            f64::from_bits(k & !(1 << 63))
        } else {
            f64::from_bits(!k)
        }
    };
    let mut keys: Vec<u64> = v.iter().map(|&x| key(x)).collect();
    let mut tmp = vec![0u64; keys.len()];
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    let mut shift = 0;
    while shift < 64 {
        let mut count = [0usize; BUCKETS];
        for &k in &keys {
            count[((k >> shift) as usize) & (BUCKETS - 1)] += 1;
        }
        if count.contains(&keys.len()) {
            shift += BITS;
            continue;
        }
        let mut sum = 0;
        for c in count.iter_mut() {
            let here = *c;
            *c = sum;
            sum += here;
        }
        for &k in &keys {
            let b = ((k >> shift) as usize) & (BUCKETS - 1);
            tmp[count[b]] = k;
            count[b] += 1;
        }
        std::mem::swap(&mut keys, &mut tmp);
        shift += BITS;
    }
    for (x, k) in v.iter_mut().zip(keys) {
        *x = unkey(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_orders_like_total_cmp() {
        let mut v: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 5003) as f64 * if i % 3 == 0 { -0.37 } else { 1.13 })
            .collect();
        v.extend([0.0, -0.0, 1e-300, -1e300, 1e300]);
        let mut want = v.clone();
        want.sort_by(f64::total_cmp);
        sort_floats(&mut v);
        assert!(v.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
