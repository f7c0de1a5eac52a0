//! `csops.stats`: the statistics of the back-test (`csops_core::backtest::stats` and
//! `csops_core::backtest::fit`), callable on their own: Wilson intervals, z and Fisher tests,
//! ROC AUC with DeLong errors, Brier, calibration deciles, lift, Kaplan–Meier, log-rank, the
//! L2 logistic fit and isotonic regression.
//!
//! Columns are read as the scorer reads them (lists, tuples, numpy arrays, pandas and polars
//! Series); labels as numbers, which the core turns into outcomes (`stats::labels`: only
//! true/false or 1/0). Results are the core's values as plain Python data; a Rust tuple is a
//! Python tuple.

use csops_core::backtest::fit;
use csops_core::backtest::stats;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::convert::to_python;
use crate::errors::{argument_error, call, call_with_gil};
use crate::table::{self, float_column};

/// A numeric column, copied out of the Python object (numpy memory is read in place and copied
/// once, so the core can run with the GIL released).
fn column(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    Ok(float_column(py, name, value)?.as_slice().to_vec())
}

/// An outcome column: booleans, or numbers 1 and 0.
fn outcomes(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<Vec<bool>> {
    let numbers = column(py, name, value)?;
    call_with_gil(py, || stats::labels(name, &numbers))
}

/// A statistic of a risk column and outcomes, run with the GIL released, as Python data.
fn scored<'py, T: serde::Serialize + Send>(
    py: Python<'py>,
    risk: &Bound<'py, PyAny>,
    positive: &Bound<'py, PyAny>,
    f: impl FnOnce(&[f64], &[bool]) -> csops_core::Result<T> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let (risk, positive) = (
        column(py, "risk", risk)?,
        outcomes(py, "positive", positive)?,
    );
    to_python(py, &call(py, || f(&risk, &positive))?)
}

/// The Wilson score interval of ``k`` successes in ``n`` at normal quantile ``z``, as
/// ``{"lo", "hi"}``; ``None`` when ``n`` is 0 or ``k > n``.
#[pyfunction]
#[pyo3(signature = (k, n, *, z = stats::Z95), text_signature = "(k, n, *, z=1.959963984540054)")]
fn wilson<'py>(py: Python<'py>, k: u64, n: u64, z: f64) -> PyResult<Bound<'py, PyAny>> {
    to_python(py, &call_with_gil(py, || Ok(stats::wilson(k, n, z)))?)
}

/// The pooled two-proportion z test of ``k1/n1`` against ``k2/n2`` (two-sided), as
/// ``{"statistic", "p_value"}``; ``None`` when it does not exist.
#[pyfunction]
fn two_proportion_z<'py>(
    py: Python<'py>,
    k1: u64,
    n1: u64,
    k2: u64,
    n2: u64,
) -> PyResult<Bound<'py, PyAny>> {
    to_python(
        py,
        &call_with_gil(py, || Ok(stats::two_proportion_z(k1, n1, k2, n2)))?,
    )
}

/// Fisher's exact test of the table ``[[a, b], [c, d]]`` (two-sided), as
/// ``{"statistic": odds ratio, "p_value"}``.
#[pyfunction]
fn fisher_exact<'py>(
    py: Python<'py>,
    a: u64,
    b: u64,
    c: u64,
    d: u64,
) -> PyResult<Bound<'py, PyAny>> {
    to_python(
        py,
        &call_with_gil(py, || Ok(stats::fisher_exact(a, b, c, d)))?,
    )
}

/// ``P(Z > x)`` for a standard normal ``Z``.
#[pyfunction]
fn normal_sf(py: Python<'_>, x: f64) -> PyResult<f64> {
    call_with_gil(py, || Ok(stats::normal_sf(x)))
}

/// ``P(X > x)`` for a chi-squared ``X`` with ``df`` degrees of freedom.
#[pyfunction]
fn chi2_sf(py: Python<'_>, x: f64, df: f64) -> PyResult<f64> {
    call_with_gil(py, || Ok(stats::chi2_sf(x, df)))
}

/// ROC AUC of ``risk`` for the ``positive`` outcomes, with DeLong and Hanley–McNeil errors.
#[pyfunction]
fn roc_auc<'py>(
    py: Python<'py>,
    risk: &Bound<'py, PyAny>,
    positive: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    scored(py, risk, positive, stats::roc_auc)
}

/// The ROC curve, one ``{"threshold", "fpr", "tpr"}`` per distinct risk from the highest
/// down, after a first point (threshold ``inf``) that flags nothing.
#[pyfunction]
fn roc_curve<'py>(
    py: Python<'py>,
    risk: &Bound<'py, PyAny>,
    positive: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    scored(py, risk, positive, stats::roc_curve)
}

/// The risk threshold that maximises Youden's J, with J: ``(threshold, j)``.
#[pyfunction]
fn youden<'py>(
    py: Python<'py>,
    risk: &Bound<'py, PyAny>,
    positive: &Bound<'py, PyAny>,
) -> PyResult<(f64, f64)> {
    let (risk, positive) = (
        column(py, "risk", risk)?,
        outcomes(py, "positive", positive)?,
    );
    call(py, || stats::youden(&risk, &positive))
}

/// The Brier score of predicted ``probability`` against the ``positive`` outcomes.
#[pyfunction]
fn brier(
    py: Python<'_>,
    probability: &Bound<'_, PyAny>,
    positive: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    let p = column(py, "probability", probability)?;
    let positive = outcomes(py, "positive", positive)?;
    call(py, || stats::brier(&p, &positive))
}

/// Calibration by decile of risk: ``{"decile", "n", "mean_risk", "observed"}`` per decile.
#[pyfunction]
fn deciles<'py>(
    py: Python<'py>,
    risk: &Bound<'py, PyAny>,
    positive: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    scored(py, risk, positive, stats::deciles)
}

/// How many of the positives the riskiest ``fraction`` of rows holds, and the lift over
/// picking at random.
#[pyfunction]
fn lift<'py>(
    py: Python<'py>,
    risk: &Bound<'py, PyAny>,
    positive: &Bound<'py, PyAny>,
    fraction: f64,
) -> PyResult<Bound<'py, PyAny>> {
    scored(py, risk, positive, |r, p| stats::lift(r, p, fraction))
}

/// The Kaplan–Meier survival curve of ``durations`` with ``events`` (true: the event, a churn,
/// happened; false: censored), one point per distinct time after a point at 0.
#[pyfunction]
fn kaplan_meier<'py>(
    py: Python<'py>,
    durations: &Bound<'py, PyAny>,
    events: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let d = column(py, "durations", durations)?;
    let e = outcomes(py, "events", events)?;
    to_python(py, &call(py, || stats::kaplan_meier(&d, &e))?)
}

/// The log-rank test that the ``groups`` (one name per row) share a survival curve:
/// ``({"statistic": chi-squared, "p_value"}, degrees_of_freedom)``.
#[pyfunction]
fn logrank<'py>(
    py: Python<'py>,
    durations: &Bound<'py, PyAny>,
    events: &Bound<'py, PyAny>,
    groups: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyTuple>> {
    let d = column(py, "durations", durations)?;
    let e = outcomes(py, "events", events)?;
    let g: Vec<String> = table::as_list(groups)?
        .iter()
        .enumerate()
        .map(|(i, x)| {
            x.extract::<String>().map_err(|_| {
                argument_error(format!(
                    "groups[{i}] must be a str, got {}",
                    table::type_name(&x)
                ))
            })
        })
        .collect::<PyResult<_>>()?;
    let (test, df) = call(py, || stats::logrank(&d, &e, &g))?;
    PyTuple::new(
        py,
        [to_python(py, &test)?, df.into_pyobject(py)?.into_any()],
    )
}

/// The L2-penalised logistic regression of the ``y`` outcomes on ``columns`` (one sequence per
/// feature, or a pandas/polars DataFrame or dict of them, coefficients in column order), as scikit-learn's ``LogisticRegression(C=c)``; ``c=None`` fits without penalty.
/// Returns ``{"intercept", "coef", "iterations"}``.
#[pyfunction]
#[pyo3(signature = (columns, y, *, c = None))]
fn logistic<'py>(
    py: Python<'py>,
    columns: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    c: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    // A pandas or polars DataFrame, or a dict, gives its columns by name; a sequence, in order.
    let named: Vec<(String, Bound<'py, PyAny>)> =
        if columns.hasattr("columns")? && !columns.is_instance_of::<pyo3::types::PyList>() {
            let names = table::as_list(&columns.getattr("columns")?)?;
            names
                .iter()
                .map(|n| Ok((n.str()?.to_string(), columns.get_item(&n)?)))
                .collect::<PyResult<_>>()?
        } else if let Ok(d) = columns.cast::<pyo3::types::PyDict>() {
            d.iter()
                .map(|(k, v)| Ok((k.str()?.to_string(), v)))
                .collect::<PyResult<_>>()?
        } else {
            table::as_list(columns)?
                .iter()
                .enumerate()
                .map(|(i, col)| (format!("columns[{i}]"), col))
                .collect()
        };
    let cols: Vec<Vec<f64>> = named
        .iter()
        .map(|(name, col)| column(py, name, col))
        .collect::<PyResult<_>>()?;
    let y = outcomes(py, "y", y)?;
    let fit = call(py, || {
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        fit::logistic(&refs, &y, c)
    })?;
    to_python(py, &fit)
}

/// The isotonic (monotone) least-squares fit of ``y`` on ``x``: the fitted value of every row.
#[pyfunction]
#[pyo3(signature = (x, y, *, increasing = true))]
fn isotonic(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    increasing: bool,
) -> PyResult<Vec<f64>> {
    let (x, y) = (column(py, "x", x)?, column(py, "y", y)?);
    call(py, || fit::isotonic(&x, &y, increasing))
}

/// Add the `_stats` submodule (re-exported as `csops.stats`).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let s = PyModule::new(m.py(), "_stats")?;
    s.add("Z95", stats::Z95)?;
    s.add_function(wrap_pyfunction!(wilson, &s)?)?;
    s.add_function(wrap_pyfunction!(two_proportion_z, &s)?)?;
    s.add_function(wrap_pyfunction!(fisher_exact, &s)?)?;
    s.add_function(wrap_pyfunction!(normal_sf, &s)?)?;
    s.add_function(wrap_pyfunction!(chi2_sf, &s)?)?;
    s.add_function(wrap_pyfunction!(roc_auc, &s)?)?;
    s.add_function(wrap_pyfunction!(roc_curve, &s)?)?;
    s.add_function(wrap_pyfunction!(youden, &s)?)?;
    s.add_function(wrap_pyfunction!(brier, &s)?)?;
    s.add_function(wrap_pyfunction!(deciles, &s)?)?;
    s.add_function(wrap_pyfunction!(lift, &s)?)?;
    s.add_function(wrap_pyfunction!(kaplan_meier, &s)?)?;
    s.add_function(wrap_pyfunction!(logrank, &s)?)?;
    s.add_function(wrap_pyfunction!(logistic, &s)?)?;
    s.add_function(wrap_pyfunction!(isotonic, &s)?)?;
    // An attribute, not `add_submodule` (which would list it in `__all__`): `csops.stats`
    // is the public name.
    m.setattr("_stats", s)
}
