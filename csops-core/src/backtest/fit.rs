//! The fitting a re-calibration needs: logistic regression (L2-penalised, by Newton's method,
//! i.e. iteratively re-weighted least squares), and the two standard ways of turning a score
//! into a churn probability: Platt scaling (a one-variable logistic fit) and isotonic
//! regression (the best non-increasing step function).
//!
//! Checked against scikit-learn (`LogisticRegression`, `IsotonicRegression`) and statsmodels
//! (`Logit`); see `tests/vectors/stats.json`.

use serde::{Deserialize, Serialize};

use super::stats::solve;
use crate::{Error, Result};

fn invalid(msg: impl Into<String>) -> Error {
    Error::Config(vec![msg.into()])
}

/// A fitted logistic regression: `P(y) = σ(intercept + Σ coef_k · x_k)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct LogisticFit {
    /// The intercept (never penalised).
    pub intercept: f64,
    /// One coefficient per column.
    pub coef: Vec<f64>,
    /// Newton iterations taken (on a large book, including those of the warm start on a
    /// sample of the rows).
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

/// Fit `y ~ σ(b + Xβ)` by Newton's method, minimising `C·Σ logloss + ½‖β‖²` (scikit-learn's
/// `LogisticRegression(C=C)` objective; the intercept is not penalised). `c = None` fits
/// without penalty (maximum likelihood, as statsmodels' `Logit`), which fails on separable
/// data, where the likelihood has no maximum.
///
/// `columns` holds the features column by column, each as long as `y`. Work per iteration is
/// one pass over the rows in cache-sized blocks.
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
    // Parameters: [intercept, β…]. Start from the intercept-only optimum, logit(ȳ) (exact
    // without a penalty on the intercept), which saves a Newton step.
    let mut theta = vec![0.0; d];
    let rate = positives as f64 / n as f64;
    theta[0] = (rate / (1.0 - rate)).ln();
    let mut pass = Pass::new(d);
    let mut iterations = 0;
    // On a large book, first solve on every WARM-th block of rows (C scaled to match): its
    // answer is within sampling error of the full one, so the full-data Newton iteration
    // starts in its quadratic phase and needs two or three passes instead of five or six.
    // The answer is still the full-data optimum; a failed warm start only costs its time.
    if n >= WARM_MIN_ROWS
        && let Ok((warm, it)) = newton(
            &mut pass,
            columns,
            y,
            scale * WARM as f64,
            ridge,
            WARM,
            theta.clone(),
            c,
        )
    {
        theta = warm;
        iterations += it;
    }
    let (theta, it) = newton(&mut pass, columns, y, scale, ridge, 1, theta, c)?;
    Ok(LogisticFit {
        intercept: theta[0],
        coef: theta[1..].to_vec(),
        iterations: iterations + it,
    })
}

/// Every how many blocks of rows the warm start of a large fit reads.
const WARM: usize = 16;

/// The smallest book the warm start is worth it for (its sample is then 32k rows or more).
const WARM_MIN_ROWS: usize = 1 << 19;

/// Newton's method with a backtracking line search from `theta`, on every `stride`-th block
/// of rows. Returns the optimum and the steps taken.
#[allow(clippy::too_many_arguments)]
fn newton(
    pass: &mut Pass,
    columns: &[&[f64]],
    y: &[bool],
    scale: f64,
    ridge: f64,
    stride: usize,
    mut theta: Vec<f64>,
    c: Option<f64>,
) -> Result<(Vec<f64>, u32)> {
    let mut cur = pass.eval(&theta, columns, y, scale, ridge, stride);
    // The last step's size, if it was a full Newton step.
    let mut last_full: Option<f64> = None;
    for iteration in 1..=200u32 {
        let step = solve(cur.hess.clone(), cur.grad.clone()).ok_or_else(|| {
            // Without a penalty, a Hessian that collapses after some steps means the
            // probabilities went to 0 and 1: the outcomes are separated.
            if c.is_none() && iteration > 1 {
                invalid(
                    "the outcomes are perfectly separated: without a penalty the fit has no \
                     finite answer (use a penalty, or more data)",
                )
            } else {
                invalid("the logistic fit is singular (a constant or duplicated column?)")
            }
        })?;
        let size = step.iter().fold(0f64, |m, s| m.max(s.abs()));
        let big = theta.iter().fold(0f64, |m, s| m.max(s.abs())).max(1.0);
        // Close to the optimum Newton converges quadratically: a full step of size s leaves
        // an error of about M·s², and M shows in the last two steps (s = M·s_prev²). When
        // that predicted error is at rounding level, or the step itself is, take the step
        // and stop, without evaluating the objective, whose own rounding on a large book
        // would make a line search at this scale a coin toss.
        let predicted = last_full
            .filter(|&prev| size < prev)
            .map_or(f64::INFINITY, |prev| size / (prev * prev) * size * size);
        if size <= 1e-8 * big || predicted <= 1e-12 * big {
            for (p, s) in theta.iter_mut().zip(&step) {
                *p -= s;
            }
            return Ok((theta, iteration));
        }
        // Newton decrement: the predicted decrease.
        let decrement: f64 = step.iter().zip(&cur.grad).map(|(s, g)| s * g).sum();
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..60 {
            let trial: Vec<f64> = theta.iter().zip(&step).map(|(p, s)| p - t * s).collect();
            // One pass gives the objective and, if the step is accepted, the next gradient
            // and Hessian.
            let next = pass.eval(&trial, columns, y, scale, ridge, stride);
            if next.f <= cur.f - 1e-4 * t * decrement
                || (cur.f - next.f).abs() <= 1e-15 * cur.f.abs().max(1.0)
            {
                theta = trial;
                cur = next;
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        last_full = (accepted && t == 1.0).then_some(size);
        let big = theta.iter().fold(0f64, |m, s| m.max(s.abs()));
        if c.is_none() && big > 1e6 {
            return Err(invalid(
                "the outcomes are perfectly separated: without a penalty the fit has no finite \
                 answer (use a penalty, or more data)",
            ));
        }
        if !accepted || size * t <= 1e-12 * big.max(1.0) || decrement.abs() <= 1e-24 {
            return Ok((theta, iteration));
        }
    }
    Err(invalid(
        "the logistic fit did not converge in 200 Newton steps",
    ))
}

/// The objective, gradient and Hessian at one point.
struct Eval {
    f: f64,
    grad: Vec<f64>,
    hess: Vec<Vec<f64>>,
}

/// Buffers for one pass over the rows, block by block.
struct Pass {
    d: usize,
    z: Vec<f64>,
    w: Vec<f64>,
    r: Vec<f64>,
    /// `w · x_a` for each feature column of the block.
    wx: Vec<f64>,
}

impl Pass {
    fn new(d: usize) -> Self {
        Pass {
            d,
            z: vec![0.0; BLOCK],
            w: vec![0.0; BLOCK],
            r: vec![0.0; BLOCK],
            wx: vec![0.0; BLOCK * (d - 1)],
        }
    }

    /// `C·Σ logloss + ½ridge‖β‖²`, its gradient and Hessian at `theta`, in one pass over every
    /// `stride`-th block of rows: one `exp` per row, one `ln` per eight lanes of a block.
    #[allow(clippy::needless_range_loop)] // the Hessian reads best with indices
    fn eval(
        &mut self,
        theta: &[f64],
        columns: &[&[f64]],
        y: &[bool],
        scale: f64,
        ridge: f64,
        stride: usize,
    ) -> Eval {
        let (d, n) = (self.d, y.len());
        let mut loss = 0.0;
        let mut grad = vec![0.0; d];
        let mut hess = vec![vec![0.0; d]; d];
        for start in (0..n).step_by(BLOCK * stride) {
            let len = BLOCK.min(n - start);
            let (z, w, r) = (&mut self.z[..len], &mut self.w[..len], &mut self.r[..len]);
            linear_predictor(theta, columns, start, z);
            // e = exp(−|z|) ∈ (0, 1] gives both σ(z) and softplus(z) = max(z, 0) + ln(1 + e)
            // without overflow. The exponentials first (a libm call each), then the rest in
            // eight lanes that vectorise. Σ ln(1 + e) is taken as ln Π(1 + e): each lane
            // multiplies at most BLOCK / 8 = 256 factors in [1, 2], so cannot overflow, and
            // one `ln` per lane replaces one per row at the same accuracy (a rounding per
            // multiplication instead of one per addition).
            for (zi, wi) in z.iter().zip(w.iter_mut()) {
                *wi = (-zi.abs()).exp();
            }
            let ys = &y[start..start + len];
            let mut lin = [0.0; 8];
            let mut prod = [1.0; 8];
            let body = len - len % 8;
            for i in (0..body).step_by(8) {
                for l in 0..8 {
                    let (zi, e) = (z[i + l], w[i + l]);
                    let yf = if ys[i + l] { 1.0 } else { 0.0 };
                    let inv = 1.0 / (1.0 + e);
                    let p = if zi >= 0.0 { inv } else { e * inv };
                    w[i + l] = p * (1.0 - p);
                    r[i + l] = p - yf;
                    prod[l] *= 1.0 + e;
                    lin[l] += zi.max(0.0) - yf * zi;
                }
            }
            let mut block_loss = 0.0;
            for i in body..len {
                let (zi, e) = (z[i], w[i]);
                let yf = if ys[i] { 1.0 } else { 0.0 };
                let inv = 1.0 / (1.0 + e);
                let p = if zi >= 0.0 { inv } else { e * inv };
                w[i] = p * (1.0 - p);
                r[i] = p - yf;
                block_loss += zi.max(0.0) + (1.0 + e).ln() - yf * zi;
            }
            for l in 0..8 {
                block_loss += lin[l] + prod[l].ln();
            }
            loss += block_loss;
            grad[0] += sum(r);
            hess[0][0] += sum(w);
            for a in 1..d {
                let xa = &columns[a - 1][start..start + len];
                let wxa = &mut self.wx[(a - 1) * BLOCK..(a - 1) * BLOCK + len];
                for ((o, x), wi) in wxa.iter_mut().zip(xa).zip(w.iter()) {
                    *o = x * wi;
                }
                grad[a] += dot(xa, r);
                hess[0][a] += sum(wxa);
            }
            for a in 1..d {
                let wxa = &self.wx[(a - 1) * BLOCK..(a - 1) * BLOCK + len];
                for b in a..d {
                    hess[a][b] += dot(wxa, &columns[b - 1][start..start + len]);
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
        let f = scale * loss + 0.5 * ridge * theta[1..].iter().map(|b| b * b).sum::<f64>();
        Eval { f, grad, hess }
    }
}

/// Sum with eight independent accumulators (so the additions pipeline and vectorise).
fn sum(x: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let chunks = x.chunks_exact(8);
    let tail: f64 = chunks.remainder().iter().sum();
    for c in chunks {
        for l in 0..8 {
            acc[l] += c[l];
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// Dot product with eight independent accumulators.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f64>() + tail
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
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
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
        for (name, values) in [("x", x), ("y", y)] {
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                return Err(invalid(format!(
                    "{name}[{i}] is {}; an isotonic fit needs finite values",
                    values[i]
                )));
            }
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
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all_fields = "camelCase")
)]
#[non_exhaustive]
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
#[non_exhaustive]
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
