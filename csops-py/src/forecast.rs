//! The renewal forecast: the function `forecast` and the classes `RenewalForecast` and
//! `Reconciliation`, and the health a forecast reads. Every number comes from
//! `csops_core::forecast`; this module converts arguments and turns results into `Decimal`
//! amounts, days, DataFrames, dicts, text and HTML. Every core call runs with the GIL released.

use std::collections::BTreeMap;

use csops_core::forecast::{
    ForecastOptions, Health, ReconcileConfig, Reconciliation, RenewalForecast,
    forecast as core_forecast, health_as_of, reconcile,
};
use csops_core::money::Currency;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping};
use rust_decimal::Decimal;

use crate::book::PyBook;
use crate::convert::{py_date, to_python};
use crate::errors::{call, call_with_gil};
use crate::health::PyScorecard;
use crate::options::feature_config_arg as features;
use crate::options::from_kwargs;
use crate::table::FrameKind;
use crate::table::table_out;
use csops_core::forecast::tables::{self, SubtotalBy};

use crate::retention::as_of_or_latest;

/// `health=` of `forecast`: None; a table (pandas, polars, Arrow) with account ids (an `id`
/// or `account_id` column, or a pandas index of that name), `score` and `band` columns (as
/// `Book.health_as_of` gives); or a dict `{account_id: {"score": .., "band": ..}}` (the
/// core's form, what Node takes), read as those columns. Either is read by the one table
/// reader and checked by the core.
fn read_health(
    py: Python<'_>,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<BTreeMap<String, Health>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(BTreeMap::new());
    };
    let table = if value.is_instance_of::<PyDict>() || value.cast::<PyMapping>().is_ok() {
        // The dict form as the columns it holds, read by the same reader.
        let (ids, scores, bands) = (PyList::empty(py), PyList::empty(py), PyList::empty(py));
        for (id, h) in crate::retention::items("health", value)? {
            let h = h.cast_into::<PyMapping>().map_err(|e| {
                crate::errors::argument_error(format!(
                    "health[{}] must be a dict with \"score\" and \"band\"; got {}",
                    crate::convert::repr(&id),
                    crate::convert::type_name(e.into_inner().as_any())
                ))
            })?;
            let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
                Ok(if h.contains(k)? {
                    h.get_item(k)?
                } else {
                    py.None().into_bound(py)
                })
            };
            ids.append(id)?;
            scores.append(get("score")?)?;
            bands.append(get("band")?)?;
        }
        let columns = PyDict::new(py);
        columns.set_item("account_id", ids)?;
        columns.set_item("score", scores)?;
        columns.set_item("band", bands)?;
        columns.into_any()
    } else {
        value.clone()
    };
    let wanted = ["score", "band"].map(String::from).into_iter().collect();
    let table = crate::condition::read_data(py, &table, Some(&wanted), true)?;
    call(py, || csops_core::forecast::health_from_table(&table))
}

/// The `Book` method of health on a day, what a forecast reads (the rest of `Book` is
/// `book.rs`'s).
#[pymethods]
impl PyBook {
    /// Every active account's health score and band on ``as_of`` (by default the book's
    /// latest date), by ``scorecard`` on the features of that day (``feature_config`` as for
    /// ``features_as_of``): a DataFrame ``account_id``, ``score`` (NaN when unscored),
    /// ``band`` (missing when unscored), by account id. What ``csops.forecast(health=)`` reads.
    #[pyo3(signature = (scorecard, as_of = None, *, feature_config = None, frame = None))]
    fn health_as_of<'py>(
        &self,
        py: Python<'py>,
        scorecard: &Bound<'py, PyScorecard>,
        as_of: Option<&Bound<'py, PyAny>>,
        feature_config: Option<&Bound<'py, PyAny>>,
        frame: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        book_health_as_of(py, self, scorecard, as_of, feature_config, frame)
    }
}

/// `Book.health_as_of`: account_id, score, band.
pub(crate) fn book_health_as_of<'py>(
    py: Python<'py>,
    book: &PyBook,
    scorecard: &Bound<'py, PyScorecard>,
    as_of: Option<&Bound<'py, PyAny>>,
    feature_config: Option<&Bound<'py, PyAny>>,
    frame: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let as_of = as_of_or_latest(py, book, as_of)?;
    let cfg = features(py, feature_config)?;
    let kind = FrameKind::parse(py, frame)?;
    let card = &scorecard.get().0;
    let inner = book.inner();
    let health = call(py, || health_as_of(inner, card, as_of, &cfg))?;
    table_out(py, tables::health(&health, card), kind, "Book.health_as_of")
}

// Forecast ---------------------------------------------------------------------------------

/// Forecast the renewals of a window (by default the calendar quarter after ``as_of``, itself
/// by default the book's latest date): every account renewing in it, its ARR, its probability
/// of renewing and the ARR and expansion that probability expects, with totals, subtotals,
/// CRM-style categories and the distribution of renewed ARR. Returns a
/// ``csops.RenewalForecast``.
///
/// ``health`` is each account's score and band on the forecast day: a DataFrame with
/// ``account_id``, ``score`` and ``band`` columns (``Book.health_as_of`` gives one;
/// ``Scorecard.score``'s table, indexed by account id, also serves), a dict
/// ``{account_id: {"score": .., "band": ..}}``, or None. ``probability`` is where P(renew)
/// comes from: None (the default band priors: red 0.70, yellow 0.85, green 0.95, else 0.85), a
/// ``csops.Recalibration`` (1 − its calibrated P(churn) of the score; unscored accounts 0.85),
/// or a dict with one of ``"calibrated"`` (a Recalibration or a mapping),
/// ``"band_priors"`` ({band: p}) or ``"supplied"`` ({account_id: p}; a dict or a pandas
/// Series), and optionally ``"fallback"``. ``expansion`` is ``"opportunities"`` (the default),
/// ``"history"`` or ``"none"``; ``distribution`` is ``"auto"`` (the default), ``"exact"``,
/// ``"grid"`` or ``"monte_carlo"`` (``draws``, 20,000; ``seed``, 42). A renewal is commit from
/// ``commit_from`` (0.9), best case from ``best_case_from`` (0.6), pipeline below. The options
/// and their defaults are the core's (``ForecastOptions``), the same in Rust and Node.
/// ConfigError for an invalid value; ArgumentError (a TypeError) for an option of the wrong
/// shape or type. Runs with the GIL released.
///
/// >>> book = csops.load_book("data/sample-book", mode="lenient")
/// >>> rf = csops.forecast(book)      # the quarter after the latest date, default priors
/// >>> rf.start, rf.end, len(rf)
/// (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31), 62)
/// >>> rf.reconcile(book).passes
/// True
#[pyfunction]
#[pyo3(signature = (
    book,
    *,
    health = None,
    start = None,
    end = None,
    as_of = None,
    probability = None,
    expansion = None,
    distribution = None,
    draws = None,
    seed = None,
    commit_from = None,
    best_case_from = None,
    frame = None
))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of the Python function
pub fn forecast(
    py: Python<'_>,
    book: &Bound<'_, PyBook>,
    health: Option<&Bound<'_, PyAny>>,
    start: Option<&Bound<'_, PyAny>>,
    end: Option<&Bound<'_, PyAny>>,
    as_of: Option<&Bound<'_, PyAny>>,
    probability: Option<&Bound<'_, PyAny>>,
    expansion: Option<&Bound<'_, PyAny>>,
    distribution: Option<&Bound<'_, PyAny>>,
    draws: Option<&Bound<'_, PyAny>>,
    seed: Option<&Bound<'_, PyAny>>,
    commit_from: Option<&Bound<'_, PyAny>>,
    best_case_from: Option<&Bound<'_, PyAny>>,
    frame: Option<&str>,
) -> PyResult<PyRenewalForecast> {
    let kind = FrameKind::parse(py, frame)?;
    let options: ForecastOptions = crate::options::from_kwargs_with(
        py,
        &[
            ("start", start),
            ("end", end),
            ("as_of", as_of),
            ("probability", probability),
            ("expansion", expansion),
            ("distribution", distribution),
            ("draws", draws),
            ("seed", seed),
            ("commit_from", commit_from),
            ("best_case_from", best_case_from),
        ],
        Some(crate::backtest::as_probability_map),
    )?;
    let cfg = call_with_gil(py, || options.config())?;
    let health = read_health(py, health)?;
    let inner = book.get().inner();
    call(py, || core_forecast(inner, &health, &cfg)).map(|f| PyRenewalForecast(f, kind))
}

/// A renewal forecast: one line per renewal in the window, totals (``Decimal``), subtotals by
/// segment, CSM and month (DataFrames), categories and the distribution of renewed ARR.
/// ``rf.reconcile(book)`` sets it against the CRM.
#[pyclass(name = "RenewalForecast", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyRenewalForecast(RenewalForecast, FrameKind);

#[pymethods]
impl PyRenewalForecast {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(py, &(&self.0, self.1))
    }

    /// A pickled RenewalForecast.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        let (f, frame): (RenewalForecast, FrameKind) = crate::convert::unpickle::<Self, _>(state)?;
        Ok(PyRenewalForecast(f, frame))
    }

    /// The forecast day (ARR and health as of then).
    #[getter]
    fn as_of<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date(py, self.0.as_of, || "as_of".to_string())
    }

    /// The first day of the window.
    #[getter]
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date(py, self.0.from, || "start".to_string())
    }

    /// The last day of the window.
    #[getter]
    fn end<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date(py, self.0.to, || "end".to_string())
    }

    /// The FX rates behind its amounts, each once: a list of ``{"currency", "rate"
    /// (Decimal), "from" (date or None)}`` (empty when the book has no FX table or nothing
    /// was converted).
    #[getter]
    fn rates_used<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyList>> {
        crate::convert::rates_used(py, self.0.rates_used.as_ref())
    }

    /// The reporting currency of every amount.
    #[getter]
    fn currency(&self) -> &str {
        self.0.currency.code()
    }

    /// One row per renewal, by date then account: ``account_id``, ``name``, ``segment``,
    /// ``csm``, ``renewal_date`` (a date), ``month`` (``YYYY-MM``), ``arr``
    /// (amounts), ``currency``, ``score`` (NaN when unscored), ``band`` (missing when
    /// unscored), ``p_renew``, ``expected_renewal`` and ``expected_expansion`` (amounts, to
    /// the cent), ``category`` (``commit``, ``best_case`` or ``pipeline``).
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(py, tables::lines(&self.0), self.1, "RenewalForecast.lines")
    }

    /// Subtotals by segment: ``segment``, ``renewals``, ``arr``, ``expected_renewal``,
    /// ``expected_expansion`` (amounts), ``currency``.
    #[getter]
    fn by_segment<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::subtotals(&self.0, SubtotalBy::Segment),
            self.1,
            "RenewalForecast.by_segment",
        )
    }

    /// Subtotals by CSM (``csm``, then as ``by_segment``).
    #[getter]
    fn by_csm<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::subtotals(&self.0, SubtotalBy::Csm),
            self.1,
            "RenewalForecast.by_csm",
        )
    }

    /// Subtotals by renewal month (``month``, ``YYYY-MM``, then as ``by_segment``).
    #[getter]
    fn by_month<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::subtotals(&self.0, SubtotalBy::Month),
            self.1,
            "RenewalForecast.by_month",
        )
    }

    /// The window month by month: ``month``, ``renewals``, ``at_stake`` and ``expected``
    /// (amounts due by its end), ``currency``, and ``p10``, ``p50``, ``p90`` of the renewed
    /// ARR by its end (renewals independent, as the forecast's own distribution).
    #[getter]
    fn months<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let f = &self.0;
        let t = call(py, || tables::months(f))?;
        table_out(py, t, self.1, "RenewalForecast.months")
    }

    /// ARR up for renewal (``Decimal``).
    #[getter]
    fn arr(&self) -> Decimal {
        self.0.arr
    }

    /// Expected renewal ARR: the sum of the lines' ``arr × p_renew`` to the cent.
    #[getter]
    fn expected_renewal(&self) -> Decimal {
        self.0.expected_renewal
    }

    /// Expected expansion on renewing accounts (``Decimal``).
    #[getter]
    fn expected_expansion(&self) -> Decimal {
        self.0.expected_expansion
    }

    /// Expected expansion on accounts not renewing in the window (``Decimal``).
    #[getter]
    fn other_expansion(&self) -> Decimal {
        self.0.other_expansion
    }

    /// ARR of commit renewals (``Decimal``).
    #[getter]
    fn commit(&self) -> Decimal {
        self.0.commit
    }

    /// ARR of best-case renewals, commit excluded (``Decimal``).
    #[getter]
    fn best_case(&self) -> Decimal {
        self.0.best_case
    }

    /// ARR of pipeline renewals (``Decimal``).
    #[getter]
    fn pipeline(&self) -> Decimal {
        self.0.pipeline
    }

    /// The distribution of renewed ARR: ``{"method", "resolution", "mean", "p10", "p50",
    /// "p90", "percentiles"}`` (floats but ``method``: ``exact``, ``grid`` or
    /// ``monte_carlo``; ``percentiles`` the 1st to 99th, a list of 99), or None when nothing
    /// renews in the window.
    #[getter]
    fn distribution<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.distribution)
    }

    /// Reconcile the forecast with the CRM's open renewal opportunities in ``book`` (the book
    /// forecast): missing opportunities, opportunities with no renewal due, amounts off ARR by
    /// more than ``amount_tolerance``, close dates outside the renewal month, and commit deals
    /// on accounts in ``at_risk_bands``. An opportunity matches a renewal when it closes within
    /// ``match_days`` of it; the totals pass when they differ by at most ``tolerance``.
    /// Returns a ``csops.Reconciliation``.
    #[pyo3(signature = (
        book,
        *,
        tolerance = None,
        amount_tolerance = None,
        match_days = None,
        at_risk_bands = None
    ))]
    fn reconcile(
        &self,
        py: Python<'_>,
        book: &Bound<'_, PyBook>,
        tolerance: Option<&Bound<'_, PyAny>>,
        amount_tolerance: Option<&Bound<'_, PyAny>>,
        match_days: Option<&Bound<'_, PyAny>>,
        at_risk_bands: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyReconciliation> {
        let cfg: ReconcileConfig = from_kwargs(
            py,
            &[
                ("tolerance", tolerance),
                ("amount_tolerance", amount_tolerance),
                ("match_days", match_days),
                ("at_risk_bands", at_risk_bands),
            ],
        )?;
        let inner = book.get().inner();
        let r = call(py, || reconcile(inner, &self.0, &cfg))?;
        Ok(PyReconciliation {
            inner: r,
            currency: self.0.currency,
            frame: self.1,
        })
    }

    /// The forecast as plain data (the core's fields: ``as_of``, ``from``, ``to``,
    /// ``currency``, ``lines``, the totals as decimal text, ``by_segment``, ``by_csm``,
    /// ``by_month``, ``distribution``).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    fn __len__(&self) -> usize {
        self.0.lines.len()
    }

    fn __repr__(&self) -> String {
        self.0.render()
    }

    /// An HTML rendering for Jupyter: the totals, the distribution and the months.
    fn _repr_html_(&self) -> String {
        self.0.render_html()
    }
}

// Reconciliation ---------------------------------------------------------------------------

/// A forecast set against the CRM: totals (``Decimal``), the gap and whether it is within
/// tolerance, and every disagreement (``issues``).
#[pyclass(name = "Reconciliation", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyReconciliation {
    inner: Reconciliation,
    currency: Currency,
    frame: FrameKind,
}

#[pymethods]
impl PyReconciliation {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(py, &(&self.inner, self.currency, self.frame))
    }

    /// A pickled Reconciliation.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        let (inner, currency, frame): (Reconciliation, Currency, FrameKind) =
            crate::convert::unpickle::<Self, _>(state)?;
        Ok(PyReconciliation {
            inner,
            currency,
            frame,
        })
    }

    /// ARR up for renewal in the forecast (``Decimal``).
    #[getter]
    fn forecast_arr(&self) -> Decimal {
        self.inner.forecast_arr
    }

    /// The CRM's open renewal opportunities closing in the window, matched or not (``Decimal``).
    #[getter]
    fn crm_arr(&self) -> Decimal {
        self.inner.crm_arr
    }

    /// ``(forecast − CRM) / CRM``, or None when the CRM total is zero.
    #[getter]
    fn gap(&self) -> Option<f64> {
        self.inner.gap
    }

    /// The tolerance the gap was held to.
    #[getter]
    fn tolerance(&self) -> f64 {
        self.inner.tolerance
    }

    /// Whether ``|gap| ≤ tolerance``.
    #[getter]
    fn passes(&self) -> bool {
        self.inner.passes
    }

    /// The forecast's expected renewal ARR (``Decimal``).
    #[getter]
    fn forecast_expected(&self) -> Decimal {
        self.inner.forecast_expected
    }

    /// The CRM's probability-weighted renewal amount, to the cent (``Decimal``).
    #[getter]
    fn crm_weighted(&self) -> Decimal {
        self.inner.crm_weighted
    }

    /// The FX rates behind its amounts, each once: a list of ``{"currency", "rate"
    /// (Decimal), "from" (date or None)}`` (empty when the book has no FX table or nothing
    /// was converted).
    #[getter]
    fn rates_used<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyList>> {
        crate::convert::rates_used(py, self.inner.rates_used.as_ref())
    }

    /// The reporting currency of every amount.
    #[getter]
    fn currency(&self) -> &str {
        self.currency.code()
    }

    /// Every disagreement, by kind then account: ``kind`` (``missing_opportunity``,
    /// ``no_renewal_due``, ``amount_mismatch``, ``close_date_outside_renewal_month``,
    /// ``commit_on_at_risk_account``), ``account_id``, ``opportunity_id`` (None when there is
    /// none), ``detail`` (a sentence).
    #[getter]
    fn issues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::issues(&self.inner),
            self.frame,
            "Reconciliation.issues",
        )
    }

    /// The reconciliation as plain data (the core's fields, amounts as decimal text, and
    /// ``currency``).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let d = to_python(py, &self.inner)?;
        d.set_item("currency", self.currency.code())?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        self.inner.render(self.currency)
    }

    /// An HTML rendering for Jupyter: the totals, the gap and the first issues.
    fn _repr_html_(&self) -> String {
        self.inner.render_html(self.currency)
    }
}

/// Add the classes and the function to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRenewalForecast>()?;
    m.add_class::<PyReconciliation>()?;
    m.add_function(wrap_pyfunction!(forecast, m)?)?;
    Ok(())
}
