//! The fitting a re-calibration needs: logistic regression (L2-penalised, by Newton's method,
//! i.e. iteratively re-weighted least squares), and the two standard ways of turning a score
//! into a churn probability: Platt scaling (a one-variable logistic fit) and isotonic
//! regression (the best non-increasing step function).
//!
//! Checked against scikit-learn (`LogisticRegression`, `IsotonicRegression`) and statsmodels
//! (`Logit`); see `csops-core/tests/vectors/stats.json`.

use serde::{Deserialize, Serialize};

use super::stats::solve;
use crate::{Error, Result};

fn invalid(msg: impl Into<String>) -> Error {
    Error::Config(vec![msg.into()])
}

/// A fitted logistic regression: `P(y) = σ(intercept + Σ coef_k · x_k)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticFit {
    /// The intercept (never penalised).
    pub intercept: f64,
    /// One coefficient per column.
    pub coef: Vec<f64>,
    /// Newton iterations taken.
    pub iterations: u32,
}

impl LogisticFit {
    /// The fitted probability for one row.
    pub fn probability(&self, x: &[f64]) -> f64 {
        let z = self.intercept + self.coef.iter().zip(x).map(|(b, x)| b * x).sum::<f64>();
        sigmoid(z)
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// Fit `y ~ σ(b + Xβ)` by Newton's method, minimising `C·Σ logloss + ½‖β‖²` (scikit-learn's
/// `LogisticRegression(C=C)` objective; the intercept is not penalised). `c = None` fits
/// without penalty (maximum likelihood, as statsmodels' `Logit`), which fails on separable
/// data, where the likelihood has no maximum.
///
/// `columns` holds the features column by column, each as long as `y`. Work per iteration is
/// one pass over the rows in cache-sized blocks.
#[allow(clippy::needless_range_loop)] // the Hessian reads best with indices
pub fn logistic(columns: &[&[f64]], y: &[bool], c: Option<f64>) -> Result<LogisticFit> {
    let n = y.len();
    let k = columns.len();
    if n == 0 {
        return Err(invalid("a logistic fit needs at least one row"));
    }
    for (j, col) in columns.iter().enumerate() {
        if col.len() != n {
            return Err(invalid(format!(
                "column {j} has {} values for {n} outcomes",
                col.len()
            )));
        }
        if let Some(i) = col.iter().position(|x| !x.is_finite()) {
            return Err(invalid(format!(
                "column {j} row {i} is {}; the fit needs finite values",
                col[i]
            )));
        }
    }
    if let Some(c) = c
        && !(c > 0.0 && c.is_finite())
    {
        return Err(invalid(format!(
            "the inverse penalty C must be positive, not {c}"
        )));
    }
    let positives = y.iter().filter(|p| **p).count();
    if positives == 0 || positives == n {
        return Err(invalid(format!(
            "a logistic fit needs both outcomes; all {n} rows are {}",
            if positives == 0 {
                "negative"
            } else {
                "positive"
            }
        )));
    }
    let (scale, ridge) = match c {
        Some(c) => (c, 1.0),
        None => (1.0, 0.0),
    };
    let d = k + 1;
    // Parameters: [intercept, β…].
    let mut theta = vec![0.0; d];
    let objective = |theta: &[f64]| -> f64 {
        let mut z = vec![0.0; BLOCK];
        let mut loss = 0.0;
        for start in (0..n).step_by(BLOCK) {
            let len = BLOCK.min(n - start);
            let z = &mut z[..len];
            linear_predictor(theta, columns, start, z);
            for (zi, &yi) in z.iter().zip(&y[start..start + len]) {
                loss += softplus(*zi) - if yi { *zi } else { 0.0 };
            }
        }
        scale * loss + 0.5 * ridge * theta[1..].iter().map(|b| b * b).sum::<f64>()
    };
    let mut f = objective(&theta);
    let mut z = vec![0.0; BLOCK];
    let mut w = vec![0.0; BLOCK];
    let mut r = vec![0.0; BLOCK];
    for iteration in 1..=200u32 {
        let mut grad = vec![0.0; d];
        let mut hess = vec![vec![0.0; d]; d];
        for start in (0..n).step_by(BLOCK) {
            let len = BLOCK.min(n - start);
            let (z, w, r) = (&mut z[..len], &mut w[..len], &mut r[..len]);
            linear_predictor(&theta, columns, start, z);
            for i in 0..len {
                let p = sigmoid(z[i]);
                w[i] = p * (1.0 - p);
                r[i] = p - if y[start + i] { 1.0 } else { 0.0 };
            }
            let col = |a: usize| -> Option<&[f64]> {
                (a > 0).then(|| &columns[a - 1][start..start + len])
            };
            for a in 0..d {
                let xa = col(a);
                grad[a] += match xa {
                    None => r.iter().sum::<f64>(),
                    Some(x) => x.iter().zip(r.iter()).map(|(x, r)| x * r).sum::<f64>(),
                };
                for b in a..d {
                    let xb = col(b);
                    hess[a][b] += match (xa, xb) {
                        (None, None) => w.iter().sum::<f64>(),
                        (None, Some(x)) | (Some(x), None) => {
                            x.iter().zip(w.iter()).map(|(x, w)| x * w).sum::<f64>()
                        }
                        (Some(xa), Some(xb)) => xa
                            .iter()
                            .zip(xb)
                            .zip(w.iter())
                            .map(|((a, b), w)| a * b * w)
                            .sum::<f64>(),
                    };
                }
            }
        }
        for a in 0..d {
            grad[a] *= scale;
            for b in a..d {
                hess[a][b] *= scale;
                hess[b][a] = hess[a][b];
            }
            if a > 0 {
                grad[a] += ridge * theta[a];
                hess[a][a] += ridge;
            }
        }
        let step = solve(hess, grad.clone()).ok_or_else(|| {
            invalid("the logistic fit is singular (a constant or duplicated column?)")
        })?;
        // Newton decrement: the predicted decrease; tiny means converged.
        let decrement: f64 = step.iter().zip(&grad).map(|(s, g)| s * g).sum();
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..60 {
            let trial: Vec<f64> = theta.iter().zip(&step).map(|(p, s)| p - t * s).collect();
            let ft = objective(&trial);
            if ft <= f - 1e-4 * t * decrement || (f - ft).abs() <= 1e-15 * f.abs().max(1.0) {
                theta = trial;
                f = ft;
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        let size = step.iter().fold(0f64, |m, s| m.max(s.abs())) * t;
        let big = theta.iter().fold(0f64, |m, s| m.max(s.abs()));
        if c.is_none() && big > 1e6 {
            return Err(invalid(
                "the outcomes are perfectly separated: without a penalty the fit has no finite \
                 answer (use a penalty, or more data)",
            ));
        }
        if !accepted || size <= 1e-12 * big.max(1.0) || decrement.abs() <= 1e-24 {
            return Ok(LogisticFit {
                intercept: theta[0],
                coef: theta[1..].to_vec(),
                iterations: iteration,
            });
        }
    }
    Err(invalid(
        "the logistic fit did not converge in 200 Newton steps",
    ))
}

const BLOCK: usize = 2048;

fn linear_predictor(theta: &[f64], columns: &[&[f64]], start: usize, z: &mut [f64]) {
    z.fill(theta[0]);
    for (b, col) in theta[1..].iter().zip(columns) {
        let len = z.len();
        for (zi, x) in z.iter_mut().zip(&col[start..start + len]) {
            *zi += b * x;
        }
    }
}

/// The isotonic (monotone) least-squares fit of `y` on `x`, by pool-adjacent-violators.
/// Equal `x` values are pooled first (their `y` averaged), as scikit-learn does. Returns the
/// fitted value for every input row, in input order.
pub fn isotonic(x: &[f64], y: &[f64], increasing: bool) -> Result<Vec<f64>> {
    let map = IsotonicMap::fit(x, y, increasing)?;
    Ok(x.iter().map(|&v| map.predict(v)).collect())
}

/// A fitted isotonic step function: knots `x` (sorted, distinct) with values `y`; between
/// knots it interpolates linearly, outside it holds the end values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsotonicMap {
    /// Knots, ascending.
    pub x: Vec<f64>,
    /// Fitted value at each knot.
    pub y: Vec<f64>,
}

impl IsotonicMap {
    /// Fit on `(x, y)` pairs.
    pub fn fit(x: &[f64], y: &[f64], increasing: bool) -> Result<Self> {
        if x.len() != y.len() {
            return Err(invalid(format!(
                "x has {} values but y has {}",
                x.len(),
                y.len()
            )));
        }
        if x.is_empty() {
            return Err(invalid("an isotonic fit needs at least one point"));
        }
        if let Some(i) = x.iter().chain(y).position(|v| !v.is_finite()) {
            return Err(invalid(format!("value {i} is not finite")));
        }
        let mut idx: Vec<usize> = (0..x.len()).collect();
        idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        // Unique x with mean y and weight.
        let mut ux: Vec<f64> = Vec::new();
        let mut sums: Vec<(f64, f64)> = Vec::new();
        for &i in &idx {
            if ux.last() == Some(&x[i]) {
                let s = sums.last_mut().expect("pushed with ux");
                s.0 += y[i];
                s.1 += 1.0;
            } else {
                ux.push(x[i]);
                sums.push((y[i], 1.0));
            }
        }
        let sign = if increasing { 1.0 } else { -1.0 };
        // Pool adjacent violators on sign·y; blocks of (weighted sum, weight, end index).
        let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
        for (j, &(s, w)) in sums.iter().enumerate() {
            blocks.push((sign * s, w, j + 1));
            while blocks.len() > 1 {
                let (s2, w2, e2) = blocks[blocks.len() - 1];
                let (s1, w1, _) = blocks[blocks.len() - 2];
                if s1 / w1 > s2 / w2 {
                    blocks.pop();
                    let last = blocks.last_mut().expect("len > 1");
                    *last = (s1 + s2, w1 + w2, e2);
                } else {
                    break;
                }
            }
        }
        let mut fitted = Vec::with_capacity(ux.len());
        for &(s, w, end) in &blocks {
            let v = sign * s / w;
            fitted.resize(end, v);
        }
        Ok(IsotonicMap { x: ux, y: fitted })
    }

    /// The fitted value at `v` (held at the end values outside the knots; `NaN` for `NaN`).
    pub fn predict(&self, v: f64) -> f64 {
        if v.is_nan() {
            return f64::NAN;
        }
        let i = self.x.partition_point(|k| *k <= v);
        if i == 0 {
            self.y[0]
        } else if i == self.x.len() {
            self.y[self.x.len() - 1]
        } else if self.x[i - 1] == v {
            self.y[i - 1]
        } else {
            let (x0, x1, y0, y1) = (self.x[i - 1], self.x[i], self.y[i - 1], self.y[i]);
            y0 + (y1 - y0) * (v - x0) / (x1 - x0)
        }
    }
}

/// A mapping from health score to probability of churn, fitted on past renewals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ProbabilityMap {
    /// Platt scaling: `P(churn) = σ(intercept + slope · score)`; smooth, two parameters,
    /// the safe choice for small books.
    Platt {
        /// Intercept.
        intercept: f64,
        /// Slope per score point (negative when higher scores churn less).
        slope: f64,
    },
    /// Isotonic: the churn rate as a non-increasing step function of the score; follows the
    /// data more closely, needs more of it.
    Isotonic(IsotonicMap),
}

/// Which probability mapping to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbabilityMethod {
    /// [`ProbabilityMap::Platt`].
    #[default]
    Platt,
    /// [`ProbabilityMap::Isotonic`].
    Isotonic,
}

impl ProbabilityMap {
    /// Fit a mapping of `score` to churn (`churned`).
    pub fn fit(score: &[f64], churned: &[bool], method: ProbabilityMethod) -> Result<Self> {
        match method {
            ProbabilityMethod::Platt => {
                // A whisper of penalty keeps a perfectly separating score finite.
                let x: Vec<f64> = score.to_vec();
                let fit = logistic(&[&x], churned, None)
                    .or_else(|_| logistic(&[&x], churned, Some(1e6)))?;
                Ok(ProbabilityMap::Platt {
                    intercept: fit.intercept,
                    slope: fit.coef[0],
                })
            }
            ProbabilityMethod::Isotonic => {
                let y: Vec<f64> = churned.iter().map(|&c| f64::from(u8::from(c))).collect();
                Ok(ProbabilityMap::Isotonic(IsotonicMap::fit(
                    score, &y, false,
                )?))
            }
        }
    }

    /// Check a mapping that came from outside (a file, a caller): finite parameters; an
    /// isotonic map with at least one knot, knots strictly increasing, values in 0–1.
    pub fn validate(&self) -> Result<()> {
        let ok = match self {
            ProbabilityMap::Platt { intercept, slope } => {
                intercept.is_finite() && slope.is_finite()
            }
            ProbabilityMap::Isotonic(m) => {
                !m.x.is_empty()
                    && m.x.len() == m.y.len()
                    && m.x.iter().all(|v| v.is_finite())
                    && m.x.windows(2).all(|w| w[0] < w[1])
                    && m.y.iter().all(|v| (0.0..=1.0).contains(v))
            }
        };
        if ok {
            Ok(())
        } else {
            Err(invalid(
                "invalid probability map: Platt needs finite parameters; isotonic needs knots \
                 (strictly increasing, finite) and as many values, each in 0–1",
            ))
        }
    }

    /// `P(churn)` for a score (`NaN` for a `NaN` score: no score, no probability).
    pub fn probability(&self, score: f64) -> f64 {
        match self {
            ProbabilityMap::Platt { intercept, slope } => sigmoid(intercept + slope * score),
            ProbabilityMap::Isotonic(m) => m.predict(score),
        }
    }
}
