//! `stats`: the statistics of the back-test (`csops_core::backtest::stats` and `::fit`),
//! callable on their own, as `stats.wilson(...)`, `stats.rocAuc(...)`, ... (the same functions
//! as Python's `csops.stats`, camelCased).
//!
//! Columns are `Float64Array`s or arrays of numbers (booleans count as 1 and 0, `null` as
//! missing); outcome columns are turned into outcomes by the core (`stats::labels`: only
//! true/false or 1/0). Results are the core's values; a Rust tuple is an array.

use csops_core::backtest::{fit, stats};
use napi::bindgen_prelude::{Array, Float64ArraySlice, FromNapiValue, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;

use crate::args::{napi_failure, number, string_array, type_name, whole_number};
use crate::error::{Failure, guard, invalid, js};
use crate::results::{Js, to_js};

/// A column of numbers: a `Float64Array` (copied once), or an array of numbers, booleans
/// (1 and 0) and `null` (missing).
fn column(name: &str, v: Unknown) -> Result<Vec<f64>, Failure> {
    if v.is_typedarray().unwrap_or(false) {
        return Float64ArraySlice::from_unknown(v)
            .map(|a| a.to_vec())
            .map_err(|_| {
                invalid(format!(
                    "`{name}` must be a Float64Array or an array, got another typed array"
                ))
            });
    }
    if !v.is_array().unwrap_or(false) {
        return Err(invalid(format!(
            "`{name}` must be a Float64Array or an array of numbers, got {}",
            type_name(&v)
        )));
    }
    let array = Array::from_unknown(v).map_err(|e| napi_failure(name, e))?;
    (0..array.len())
        .map(|i| {
            let item: Option<Unknown> = array.get(i).map_err(|e| napi_failure(name, e))?;
            let Some(item) = item else {
                return Ok(f64::NAN);
            };
            match item.get_type() {
                Ok(ValueType::Number) => f64::from_unknown(item).map_err(|e| napi_failure(name, e)),
                Ok(ValueType::Boolean) => bool::from_unknown(item)
                    .map(f64::from)
                    .map_err(|e| napi_failure(name, e)),
                Ok(ValueType::Null | ValueType::Undefined) => Ok(f64::NAN),
                _ => Err(invalid(format!(
                    "`{name}[{i}]` must be a number, a boolean or null, got {}",
                    type_name(&item)
                ))),
            }
        })
        .collect()
}

/// An outcome column: booleans, or numbers 1 and 0.
fn outcomes(name: &str, v: Unknown) -> Result<Vec<bool>, Failure> {
    let numbers = column(name, v)?;
    guard(|| stats::labels(name, &numbers))
}

/// A count (a whole number from 0).
fn count(name: &str, v: Unknown) -> Result<u64, Failure> {
    whole_number(name, v).map(u64::from)
}

/// The two-sided 95% normal quantile, the default `z` of `wilson`.
#[napi(namespace = "stats", js_name = "Z95")]
pub const Z95: f64 = stats::Z95;

/// The Wilson score interval of `k` successes in `n` at normal quantile `z` (default `Z95`);
/// `null` when `n` is 0 or `k > n`.
#[napi(
    namespace = "stats",
    ts_args_type = "k: number, n: number, z?: number | null",
    ts_return_type = "Interval | null"
)]
pub fn wilson(env: Env, k: Unknown, n: Unknown, z: Option<Unknown>) -> napi::Result<Js> {
    js(&env, || {
        let z = crate::args::optional_number("z", z)?.unwrap_or(stats::Z95);
        let (k, n) = (count("k", k)?, count("n", n)?);
        to_js(&guard(|| Ok(stats::wilson(k, n, z)))?)
    })
}

/// The pooled two-proportion z test of `k1/n1` against `k2/n2` (two-sided); `null` when it
/// does not exist.
#[napi(
    namespace = "stats",
    ts_args_type = "k1: number, n1: number, k2: number, n2: number",
    ts_return_type = "HypothesisTest | null"
)]
pub fn two_proportion_z(
    env: Env,
    k1: Unknown,
    n1: Unknown,
    k2: Unknown,
    n2: Unknown,
) -> napi::Result<Js> {
    js(&env, || {
        let (k1, n1) = (count("k1", k1)?, count("n1", n1)?);
        let (k2, n2) = (count("k2", k2)?, count("n2", n2)?);
        to_js(&guard(|| Ok(stats::two_proportion_z(k1, n1, k2, n2)))?)
    })
}

/// Fisher's exact test of the table `[[a, b], [c, d]]` (two-sided); `statistic` is the odds
/// ratio.
#[napi(
    namespace = "stats",
    ts_args_type = "a: number, b: number, c: number, d: number",
    ts_return_type = "HypothesisTest"
)]
pub fn fisher_exact(env: Env, a: Unknown, b: Unknown, c: Unknown, d: Unknown) -> napi::Result<Js> {
    js(&env, || {
        let (a, b) = (count("a", a)?, count("b", b)?);
        let (c, d) = (count("c", c)?, count("d", d)?);
        to_js(&guard(|| Ok(stats::fisher_exact(a, b, c, d)))?)
    })
}

/// `P(Z > x)` for a standard normal `Z`.
#[napi(namespace = "stats", ts_args_type = "x: number")]
pub fn normal_sf(env: Env, x: Unknown) -> napi::Result<f64> {
    js(&env, || {
        let x = number("x", x)?;
        guard(|| Ok(stats::normal_sf(x)))
    })
}

/// `P(X > x)` for a chi-squared `X` with `df` degrees of freedom.
#[napi(namespace = "stats", ts_args_type = "x: number, df: number")]
pub fn chi2_sf(env: Env, x: Unknown, df: Unknown) -> napi::Result<f64> {
    js(&env, || {
        Ok(stats::chi2_sf(number("x", x)?, number("df", df)?))
    })
}

/// A statistic of a risk column and outcomes.
fn scored(
    env: &Env,
    risk: Unknown,
    positive: Unknown,
    f: impl FnOnce(&[f64], &[bool]) -> Result<Js, Failure>,
) -> napi::Result<Js> {
    js(env, || {
        let risk = column("risk", risk)?;
        let positive = outcomes("positive", positive)?;
        f(&risk, &positive)
    })
}

/// ROC AUC of `risk` for the `positive` outcomes, with DeLong and Hanley–McNeil errors.
#[napi(
    namespace = "stats",
    ts_args_type = "risk: Float64Array | Array<number | boolean | null>, positive: Float64Array | Array<number | boolean | null>",
    ts_return_type = "RocAuc"
)]
pub fn roc_auc(env: Env, risk: Unknown, positive: Unknown) -> napi::Result<Js> {
    scored(&env, risk, positive, |r, p| {
        to_js(&guard(|| stats::roc_auc(r, p))?)
    })
}

/// The ROC curve, one point per distinct risk from the highest down, after a first point
/// (threshold `Infinity`) that flags nothing.
#[napi(
    namespace = "stats",
    ts_args_type = "risk: Float64Array | Array<number | boolean | null>, positive: Float64Array | Array<number | boolean | null>",
    ts_return_type = "Array<RocPoint>"
)]
pub fn roc_curve(env: Env, risk: Unknown, positive: Unknown) -> napi::Result<Js> {
    scored(&env, risk, positive, |r, p| {
        to_js(&guard(|| stats::roc_curve(r, p))?)
    })
}

/// The risk threshold that maximises Youden's J, with J: `[threshold, j]`.
#[napi(
    namespace = "stats",
    ts_args_type = "risk: Float64Array | Array<number | boolean | null>, positive: Float64Array | Array<number | boolean | null>",
    ts_return_type = "[number, number]"
)]
pub fn youden(env: Env, risk: Unknown, positive: Unknown) -> napi::Result<Js> {
    scored(&env, risk, positive, |r, p| {
        to_js(&guard(|| stats::youden(r, p))?)
    })
}

/// Calibration by decile of risk.
#[napi(
    namespace = "stats",
    ts_args_type = "risk: Float64Array | Array<number | boolean | null>, positive: Float64Array | Array<number | boolean | null>",
    ts_return_type = "Array<CalibrationRow>"
)]
pub fn deciles(env: Env, risk: Unknown, positive: Unknown) -> napi::Result<Js> {
    scored(&env, risk, positive, |r, p| {
        to_js(&guard(|| stats::deciles(r, p))?)
    })
}

/// The Brier score of predicted `probability` against the `positive` outcomes.
#[napi(
    namespace = "stats",
    ts_args_type = "probability: Float64Array | Array<number | boolean | null>, positive: Float64Array | Array<number | boolean | null>"
)]
pub fn brier(env: Env, probability: Unknown, positive: Unknown) -> napi::Result<f64> {
    js(&env, || {
        let p = column("probability", probability)?;
        let positive = outcomes("positive", positive)?;
        guard(|| stats::brier(&p, &positive))
    })
}

/// How many of the positives the riskiest `fraction` of rows holds, and the lift over picking
/// at random.
#[napi(
    namespace = "stats",
    ts_args_type = "risk: Float64Array | Array<number | boolean | null>, positive: Float64Array | Array<number | boolean | null>, fraction: number",
    ts_return_type = "Lift"
)]
pub fn lift(env: Env, risk: Unknown, positive: Unknown, fraction: Unknown) -> napi::Result<Js> {
    js(&env, || {
        let risk = column("risk", risk)?;
        let positive = outcomes("positive", positive)?;
        let fraction = number("fraction", fraction)?;
        to_js(&guard(|| stats::lift(&risk, &positive, fraction))?)
    })
}

/// The Kaplan–Meier survival curve of `durations` with `events` (true: the event, a churn,
/// happened; false: censored), one point per distinct time after a point at 0.
#[napi(
    namespace = "stats",
    ts_args_type = "durations: Float64Array | Array<number | null>, events: Float64Array | Array<number | boolean | null>",
    ts_return_type = "Array<SurvivalPoint>"
)]
pub fn kaplan_meier(env: Env, durations: Unknown, events: Unknown) -> napi::Result<Js> {
    js(&env, || {
        let d = column("durations", durations)?;
        let e = outcomes("events", events)?;
        to_js(&guard(|| stats::kaplan_meier(&d, &e))?)
    })
}

/// The log-rank test that the `groups` (one name per row) share a survival curve:
/// `[test, degreesOfFreedom]`, the statistic chi-squared.
#[napi(
    namespace = "stats",
    ts_args_type = "durations: Float64Array | Array<number | null>, events: Float64Array | Array<number | boolean | null>, groups: Array<string>",
    ts_return_type = "[HypothesisTest, number]"
)]
pub fn logrank(env: Env, durations: Unknown, events: Unknown, groups: Unknown) -> napi::Result<Js> {
    js(&env, || {
        let d = column("durations", durations)?;
        let e = outcomes("events", events)?;
        let g = string_array("groups", groups)?;
        to_js(&guard(|| stats::logrank(&d, &e, &g))?)
    })
}

/// The L2-penalised logistic regression of the `y` outcomes on `columns` (one per feature), as
/// scikit-learn's `LogisticRegression(C=c)`; `c` absent or `null` fits without penalty.
#[napi(
    namespace = "stats",
    ts_args_type = "columns: Array<Float64Array | Array<number | boolean | null>>, y: Float64Array | Array<number | boolean | null>, c?: number | null",
    ts_return_type = "LogisticFit"
)]
pub fn logistic(env: Env, columns: Unknown, y: Unknown, c: Option<Unknown>) -> napi::Result<Js> {
    js(&env, || {
        if !columns.is_array().unwrap_or(false) {
            return Err(invalid(format!(
                "`columns` must be an array of columns, got {}",
                type_name(&columns)
            )));
        }
        let array = Array::from_unknown(columns).map_err(|e| napi_failure("columns", e))?;
        let cols = (0..array.len())
            .map(|i| {
                let name = format!("columns[{i}]");
                let col: Unknown = array
                    .get(i)
                    .map_err(|e| napi_failure(&name, e))?
                    .ok_or_else(|| invalid(format!("`{name}` is missing")))?;
                column(&name, col)
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        let y = outcomes("y", y)?;
        let c = crate::args::optional_number("c", c)?;
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        to_js(&guard(|| fit::logistic(&refs, &y, c))?)
    })
}

/// The isotonic (monotone) least-squares fit of `y` on `x`: the fitted value of every row.
/// `increasing` defaults to `true`.
#[napi(
    namespace = "stats",
    ts_args_type = "x: Float64Array | Array<number | null>, y: Float64Array | Array<number | null>, increasing?: boolean | null"
)]
pub fn isotonic(
    env: Env,
    x: Unknown,
    y: Unknown,
    increasing: Option<Unknown>,
) -> napi::Result<Vec<f64>> {
    js(&env, || {
        let (x, y) = (column("x", x)?, column("y", y)?);
        let increasing = crate::args::present(increasing)
            .map(|v| crate::args::boolean("increasing", v))
            .transpose()?
            .unwrap_or(true);
        guard(|| fit::isotonic(&x, &y, increasing))
    })
}
