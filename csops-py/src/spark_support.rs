//! Support for `csops.spark` (a pure-Python module): a back-test split in two halves.
//!
//! On a cluster each executor replays the renewals of its own accounts (`_backtest_observe`
//! on a small book of those accounts, with the window's `end` fixed by the driver), and the
//! driver computes the report from every executor's observations
//! (`_backtest_from_observations`). Both halves are the core's: `observe`, then
//! `Observations::merge` and `report`. The observations cross as bytes (the core's serde
//! form, as pickling writes it), so the report is the single-machine one.
//!
//! Private (underscore names): the public API is `csops.spark.backtest`.

use csops_core::backtest::{BacktestConfig, Observations, observe, report};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::backtest::PyBacktest;
use crate::book::PyBook;
use crate::errors::call;
use crate::health::PyScorecard;
use crate::options::{feature_config_arg as features, from_kwargs_with};
use crate::table::FrameKind;

/// The first half of a back-test: the core's `observe` on ``book`` (the renewals of the
/// window, each scored point-in-time), as bytes for `_backtest_from_observations`. Same
/// keyword arguments as ``csops.backtest`` except the report's; ``end`` is required so that
/// every executor's window is the driver's.
#[pyfunction]
#[pyo3(signature = (
    book,
    scorecard,
    *,
    end,
    lead_days = None,
    quarters = None,
    contraction_is_churn = None,
    feature_config = None
))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of the Python function
fn _backtest_observe<'py>(
    py: Python<'py>,
    book: &Bound<'py, PyBook>,
    scorecard: &Bound<'py, PyScorecard>,
    end: &Bound<'py, PyAny>,
    lead_days: Option<&Bound<'py, PyAny>>,
    quarters: Option<&Bound<'py, PyAny>>,
    contraction_is_churn: Option<&Bound<'py, PyAny>>,
    feature_config: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut cfg: BacktestConfig = from_kwargs_with(
        py,
        &[
            ("end", Some(end)),
            ("lead_days", lead_days),
            ("quarters", quarters),
            ("contraction_is_churn", contraction_is_churn),
        ],
        None,
    )?;
    cfg.features = features(py, feature_config)?;
    let book = book.get().inner().clone();
    let card = scorecard.get().0.clone();
    let obs = call(py, || observe(&book, &card, &cfg))?;
    let mut bytes = Vec::new();
    ciborium::into_writer(&obs, &mut bytes).map_err(|e| {
        crate::errors::csops_error(py, &format!("internal error: writing observations: {e}"))
    })?;
    Ok(PyBytes::new(py, &bytes))
}

/// The second half of a back-test: the core's `report` on the observations of every part
/// (bytes as ``_backtest_observe`` gives them, merged by the core), as a ``csops.Backtest``
/// (``recalibrate`` included, its tables pandas DataFrames as ``csops.backtest``'s are by
/// default).
#[pyfunction]
#[pyo3(signature = (scorecard, parts, *, contraction_is_churn = None, lift_fractions = None))]
fn _backtest_from_observations(
    py: Python<'_>,
    scorecard: &Bound<'_, PyScorecard>,
    parts: Vec<Vec<u8>>,
    contraction_is_churn: Option<&Bound<'_, PyAny>>,
    lift_fractions: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyBacktest> {
    let mut cfg: BacktestConfig = from_kwargs_with(
        py,
        &[
            ("contraction_is_churn", contraction_is_churn),
            ("lift_fractions", lift_fractions),
        ],
        None,
    )?;
    let parts = parts
        .iter()
        .map(|p| crate::convert::unpickle::<PyBacktest, Observations>(p))
        .collect::<PyResult<Vec<_>>>()?;
    let card = scorecard.get().0.clone();
    let (obs, report) = call(py, || {
        let obs = Observations::merge(parts)?;
        cfg.lead_days = obs.lead_days;
        let report = report(&obs, &card, &cfg)?;
        Ok((obs, report))
    })?;
    Ok(PyBacktest {
        obs,
        report,
        card,
        frame: FrameKind::Pandas,
    })
}

/// Add the functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_backtest_observe, m)?)?;
    m.add_function(wrap_pyfunction!(_backtest_from_observations, m)?)?;
    Ok(())
}
