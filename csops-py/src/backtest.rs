//! Back-testing: `backtest`, `Backtest` and `Recalibration`.
//!
//! Every number comes from `csops_core::backtest`; this module converts arguments and turns the
//! core's report and re-calibration into pandas DataFrames, plain dicts, text and HTML.
//! The replay of past renewals (`observe`, the heavy part) and the re-calibration fit run
//! with the GIL released.

use csops_core::backtest::{
    BacktestConfig, BacktestReport, HeldOut, Observations, Recalibration, RecalibrationConfig,
    observe, recalibrate, report, roc_curves,
};
use csops_core::health::Scorecard;
use numpy::{PyArrayDyn, PyArrayMethods};
use pyo3::exceptions::PyImportError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyString};

use crate::book::PyBook;
use crate::convert::{py_date, to_python};
use crate::errors::{call, call_with_gil, to_py_err};
use crate::health::PyScorecard;
use crate::options::feature_config_arg as features;
use crate::options::{from_kwargs, from_kwargs_with};
use crate::table::table_out;
use crate::table::{FrameKind, is_instance_of, numpy, type_name};
use csops_core::backtest::tables;

/// A held-out evaluation as a dict: `scored`, `auc`, `auc_lo`, `auc_hi`, `brier` (None when
/// not computable).
fn held_out_dict<'py>(py: Python<'py>, h: &HeldOut) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("scored", h.scored)?;
    d.set_item("auc", h.auc.map(|a| a.auc))?;
    d.set_item("auc_lo", h.auc.map(|a| a.ci95.lo))?;
    d.set_item("auc_hi", h.auc.map(|a| a.ci95.hi))?;
    d.set_item("brier", h.brier)?;
    Ok(d)
}

// Arguments --------------------------------------------------------------------------------

// Back-test --------------------------------------------------------------------------------

/// Back-test a health scorecard on a book: every renewal of the last ``quarters`` calendar
/// quarters (ending with the quarter of ``end``, by default the latest renewal outcome) is
/// replayed, scoring the account as of ``lead_days`` before its renewal from the book as it
/// stood that day, and set beside what happened. Returns a ``csops.Backtest``.
///
/// ``contraction_is_churn`` counts a contraction as churn; ``lift_fractions`` are the shares
/// of riskiest accounts for capture and lift; ``probability`` (a ``csops.Recalibration`` or a
/// mapping dict) is the score → P(churn) mapping for the Brier score and calibration (default:
/// Platt fitted in-sample); ``feature_config`` (a dict, TOML or JSON text, as
/// ``Book.features_as_of(config=)``) sets the features the scorecard reads. The options and
/// their defaults (90 lead days, 4 quarters, lift at 10% and 20%) are the core's
/// (``BacktestConfig``), the same in Node. ConfigError for an invalid value; ArgumentError (a
/// TypeError) for an option of the wrong shape. The replay runs with the GIL released.
///
/// >>> book = csops.load_book("data/sample-book", mode="lenient")
/// >>> bt = csops.backtest(book, csops.Scorecard.default_heuristic())
/// >>> bt.window_start, bt.window_end
/// (datetime.date(2025, 10, 1), datetime.date(2026, 9, 28))
/// >>> print(f"AUC {bt.quarters['auc'][0]:.3f}")   # the whole window first, then each quarter
/// AUC 0.644
#[pyfunction]
#[pyo3(signature = (
    book,
    scorecard,
    *,
    lead_days = None,
    quarters = None,
    end = None,
    contraction_is_churn = None,
    lift_fractions = None,
    probability = None,
    feature_config = None,
    frame = None,
    progress = None
))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of the Python function
pub fn backtest(
    py: Python<'_>,
    book: &Bound<'_, PyBook>,
    scorecard: &Bound<'_, PyScorecard>,
    lead_days: Option<&Bound<'_, PyAny>>,
    quarters: Option<&Bound<'_, PyAny>>,
    end: Option<&Bound<'_, PyAny>>,
    contraction_is_churn: Option<&Bound<'_, PyAny>>,
    lift_fractions: Option<&Bound<'_, PyAny>>,
    probability: Option<&Bound<'_, PyAny>>,
    feature_config: Option<&Bound<'_, PyAny>>,
    frame: Option<&str>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyBacktest> {
    let frame = FrameKind::parse(py, frame)?;
    let progress = crate::progress::Progress::new(py, progress)?;
    // The core reads the options (`BacktestConfig`, its defaults and checks); the feature
    // configuration (a dict, TOML, JSON or a path) and the progress hook are set apart.
    let mut cfg: BacktestConfig = from_kwargs_with(
        py,
        &[
            ("lead_days", lead_days),
            ("quarters", quarters),
            ("end", end),
            ("contraction_is_churn", contraction_is_churn),
            ("lift_fractions", lift_fractions),
            ("probability", probability),
        ],
        Some(as_probability_map),
    )?;
    cfg.features = features(py, feature_config)?;
    cfg.progress = progress.hook();
    let book = book.get().inner().clone();
    let card = scorecard.get().0.clone();
    let (obs, report) = progress.finish(call(py, || {
        let obs = observe(&book, &card, &cfg)?;
        let report = report(&obs, &card, &cfg)?;
        Ok((obs, report))
    }))?;
    Ok(PyBacktest {
        obs,
        report,
        card,
        frame,
    })
}

/// The result of a back-test: the replayed renewals (``observations``) and the report on
/// them, as DataFrames (``bands``, ``quarters``, ``measures``, ``calibration``, ``lift``,
/// ``survival``) and plain data (``to_dict``). ``print(bt)`` shows the report as text.
#[pyclass(name = "Backtest", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyBacktest {
    pub(crate) obs: Observations,
    pub(crate) report: BacktestReport,
    pub(crate) card: Scorecard,
    pub(crate) frame: FrameKind,
}

#[pymethods]
impl PyBacktest {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(py, &(&self.obs, &self.report, &self.card, self.frame))
    }

    /// A pickled Backtest.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        let (obs, report, card, frame): (Observations, BacktestReport, Scorecard, FrameKind) =
            crate::convert::unpickle::<Self, _>(state)?;
        Ok(PyBacktest {
            obs,
            report,
            card,
            frame,
        })
    }

    /// The scorecard back-tested.
    #[getter]
    fn scorecard(&self) -> PyScorecard {
        PyScorecard(self.card.clone())
    }

    /// The first day of the window of renewals.
    #[getter]
    fn window_start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date(py, self.report.window_start, || "window_start".to_string())
    }

    /// The last day of the window of renewals.
    #[getter]
    fn window_end<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date(py, self.report.window_end, || "window_end".to_string())
    }

    /// One row per renewal of the window, by renewal date then id: ``renewal_id``,
    /// ``account_id``, ``segment``, ``renewal_date`` and ``scored_on`` (dates),
    /// ``quarter``, ``outcome``, ``churned`` (bool), ``arr_before`` and ``arr_after``
    /// (amounts in ``currency``), ``score`` (NaN when unscored), ``band`` (missing when
    /// unscored), then ``measure:<name>``: each measure's score then (NaN = missing).
    #[getter]
    fn observations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::observations(&self.obs, &self.card),
            self.frame,
            "Backtest.observations",
        )
    }

    /// Renewals per band, for the whole window (``slice`` = ``"all"``) then each quarter:
    /// ``band`` (lowest first, then ``unscored`` if any), ``renewals``, ``renewed``, ``rate``
    /// with its Wilson 95% interval ``ci_lo``–``ci_hi``, ``arr_up`` and ``arr_renewed``
    /// (amounts in ``currency``), and the ARR-weighted renewal rate ``arr_rate``.
    #[getter]
    fn bands<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::bands(&self.report, &self.card),
            self.frame,
            "Backtest.bands",
        )
    }

    /// One row per slice, ``"all"`` first then each quarter: ``renewals``, ``churned``,
    /// ``unscored``; ``auc`` with its DeLong 95% interval ``auc_lo``–``auc_hi``,
    /// ``se_delong`` and ``se_hanley_mcneil``; ``brier``; and the lowest band against the
    /// highest: ``verdict``, ``separates`` (nullable boolean), ``test_used`` (``z`` or
    /// ``fisher``) and its ``p_value``. NaN / None where not computable.
    #[getter]
    fn quarters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::quarters(&self.report),
            self.frame,
            "Backtest.quarters",
        )
    }

    /// Each measure's own predictive power beside its weight: ``measure``, ``group``,
    /// ``weight_share``, ``observed`` (renewals with data), ``auc`` (NaN when not
    /// computable), ``direction`` (``as designed``, ``reversed`` or ``none``), ``power_share``
    /// and ``flag`` (``over-weighted``, ``under-weighted``, ``reversed`` or None).
    #[getter]
    fn measures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::measures(&self.report),
            self.frame,
            "Backtest.measures",
        )
    }

    /// The calibration of the score → P(churn) mapping by decile of predicted risk, per slice:
    /// ``slice``, ``decile``, ``n``, ``positives``, ``mean_risk``, ``observed``.
    #[getter]
    fn calibration<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::calibration(&self.report),
            self.frame,
            "Backtest.calibration",
        )
    }

    /// Capture and lift of the riskiest accounts, per slice: ``slice``, ``fraction``, ``k``
    /// (accounts), ``captured`` (churns among them), ``capture`` (share of all churn) and
    /// ``lift``.
    #[getter]
    fn lift<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(py, tables::lift(&self.report), self.frame, "Backtest.lift")
    }

    /// Kaplan–Meier retention curves by band, from scoring day (days in ``time``): ``band``,
    /// ``time``, ``at_risk``, ``observed`` (churns), ``censored``, ``survival``.
    #[getter]
    fn survival<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::survival(&self.report, &self.card),
            self.frame,
            "Backtest.survival",
        )
    }

    /// The FX rates behind its amounts, each once: a list of ``{"currency", "rate"
    /// (Decimal), "from" (date or None)}`` (empty when the book has no FX table or nothing
    /// was converted).
    #[getter]
    fn rates_used<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyList>> {
        crate::convert::rates_used(py, self.report.rates_used.as_ref())
    }

    /// The log-rank test between the bands' survival curves: ``{"chi2", "df", "p_value"}``,
    /// or None (fewer than two bands, or no churn).
    #[getter]
    fn logrank<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.report
            .logrank
            .map(|(t, df)| {
                let d = PyDict::new(py);
                d.set_item("chi2", t.statistic)?;
                d.set_item("df", df)?;
                d.set_item("p_value", t.p_value)?;
                Ok(d)
            })
            .transpose()
    }

    /// The verdict on the whole window, lowest band against highest, in a sentence; None
    /// when either band has no renewals.
    #[getter]
    fn verdict(&self) -> Option<&str> {
        self.report
            .overall
            .comparison
            .as_ref()
            .map(|c| c.verdict.as_str())
    }

    /// The ROC curve of risk (100 − score) for churn, per slice (``"all"`` first, then each
    /// quarter, as ``quarters``), computed by the core (``csops_core::backtest::roc_curves``)
    /// over the slice's scored renewals:
    /// ``slice``, ``threshold`` (flag every renewal with risk ≥ it; ``inf`` for the first
    /// point, where nothing is flagged), ``fpr`` and ``tpr``, one row per distinct risk from
    /// the highest down. The trapezoid area under each slice's curve is its ``auc``; a slice
    /// without both churned and renewed accounts (no AUC) has no rows.
    ///
    /// >>> bt = csops.backtest(csops.load_book("data/sample-book", mode="lenient"),
    /// ...                     csops.Scorecard.default_heuristic())
    /// >>> curve = bt.roc[bt.roc["slice"] == "all"]
    /// >>> curve.iloc[0].to_dict()
    /// {'slice': 'all', 'threshold': inf, 'fpr': 0.0, 'tpr': 0.0}
    /// >>> x, y = curve["fpr"].to_numpy(), curve["tpr"].to_numpy()
    /// >>> area = ((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2).sum()   # trapezoids
    /// >>> bool(abs(area - bt.quarters["auc"][0]) < 1e-12)
    /// True
    #[getter]
    fn roc<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let curves = call_with_gil(py, || roc_curves(&self.obs))?;
        table_out(py, tables::roc(&curves), self.frame, "Backtest.roc")
    }

    /// Re-calibrate the scorecard on these renewals: fit new weights on all but the latest
    /// ``holdout_quarters`` (an L2 logistic regression with inverse penalty ``c``), and compare
    /// the old and new scorecards on the held-out quarters. ``probability`` (``"platt"`` or
    /// ``"isotonic"``) is the score → P(churn) mapping fitted; the churn targets set the
    /// "target churn rates" band choice. Returns a ``csops.Recalibration``; ConfigError for an
    /// invalid configuration (e.g. too few quarters to hold ``holdout_quarters`` out).
    #[pyo3(signature = (
        *,
        c = None,
        holdout_quarters = None,
        probability = None,
        red_churn_target = None,
        green_churn_target = None
    ))]
    fn recalibrate(
        &self,
        py: Python<'_>,
        c: Option<&Bound<'_, PyAny>>,
        holdout_quarters: Option<&Bound<'_, PyAny>>,
        probability: Option<&Bound<'_, PyAny>>,
        red_churn_target: Option<&Bound<'_, PyAny>>,
        green_churn_target: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyRecalibration> {
        // The core reads the options (`RecalibrationConfig`, its defaults and checks).
        let cfg: RecalibrationConfig = from_kwargs(
            py,
            &[
                ("c", c),
                ("holdout_quarters", holdout_quarters),
                ("probability", probability),
                ("red_churn_target", red_churn_target),
                ("green_churn_target", green_churn_target),
            ],
        )?;
        let frame = self.frame;
        call(py, || recalibrate(&self.obs, &self.card, &cfg)).map(|r| PyRecalibration(r, frame))
    }

    /// The report as plain data (the core's fields: ``overall`` and ``quarters`` slices,
    /// ``measures``, ``survival``, ``logrank``, ...); NaN appears as None, money as
    /// ``{"amount": "<decimal text>", "currency": ...}`` and days as ``YYYY-MM-DD`` text.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.report)
    }

    fn __repr__(&self) -> String {
        self.report.render()
    }

    /// The back-test as text (what ``print`` shows; Node's ``bt.render()``).
    fn render(&self) -> String {
        self.report.render()
    }

    /// An HTML rendering for Jupyter: the bands, the verdict, the ranking, the measures and
    /// the quarters (the core's `BacktestReport::render_html`).
    fn _repr_html_(&self) -> String {
        self.report.render_html()
    }
}

// Re-calibration ---------------------------------------------------------------------------

/// The result of ``Backtest.recalibrate``: the re-weighted ``scorecard``, the weights before
/// and after, the held-out comparison (``before``, ``after``), band threshold choices, and the
/// fitted score → P(churn) mapping (``churn_probability``). ``print(rc)`` shows it as text.
#[pyclass(name = "Recalibration", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyRecalibration(pub(crate) Recalibration, pub(crate) FrameKind);

#[pymethods]
impl PyRecalibration {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(py, &(&self.0, self.1))
    }

    /// A pickled Recalibration.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        let (r, frame): (Recalibration, FrameKind) = crate::convert::unpickle::<Self, _>(state)?;
        Ok(PyRecalibration(r, frame))
    }

    /// The re-weighted scorecard (same measures, normalisers and bands; measures with no
    /// protective effect dropped).
    #[getter]
    fn scorecard(&self) -> PyScorecard {
        PyScorecard(self.0.scorecard.clone())
    }

    /// The weights: ``measure``, ``group``, ``coefficient`` (fitted log-odds of churn per 100
    /// points of measure score; negative protects), ``share_before`` and ``share_after``
    /// (nominal shares of the score; 0 when dropped).
    #[getter]
    fn weights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::weights(&self.0),
            self.1,
            "Recalibration.weights",
        )
    }

    /// Band threshold choices for the re-weighted score (``method``: ``current``, ``target
    /// churn rates``, ``youden``), one row per band: ``band``, ``min``, ``train_renewals``,
    /// ``train_churn_rate``, ``test_renewals``, ``test_churn_rate`` (NaN when empty).
    #[getter]
    fn bands<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::recalibrated_bands(&self.0),
            self.1,
            "Recalibration.bands",
        )
    }

    /// The original scorecard on the held-out quarters: ``{"scored", "auc", "auc_lo",
    /// "auc_hi", "brier"}`` (None where not computable).
    #[getter]
    fn before<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        held_out_dict(py, &self.0.before)
    }

    /// The re-weighted scorecard on the held-out quarters (as ``before``).
    #[getter]
    fn after<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        held_out_dict(py, &self.0.after)
    }

    /// The measures dropped because, given the others, they did not protect against churn.
    #[getter]
    fn dropped(&self) -> Vec<&str> {
        self.0.dropped.iter().map(String::as_str).collect()
    }

    /// The training side: ``{"quarters": [...], "renewals", "churned"}``.
    #[getter]
    fn train<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.train)
    }

    /// The held-out side: ``{"quarters": [...], "renewals", "churned"}``.
    #[getter]
    fn test<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.test)
    }

    /// P(churn) for health scores of the re-weighted scorecard, from the mapping fitted on the
    /// training quarters: a float for a number, a float64 NumPy array (same shape) for a list
    /// or array. NaN (or None in a list) stays NaN: no score, no probability.
    fn churn_probability<'py>(
        &self,
        py: Python<'py>,
        scores: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let map = &self.0.probability;
        let p = |s: f64| {
            if s.is_nan() {
                f64::NAN
            } else {
                map.probability(s)
            }
        };
        let not_scores = || {
            crate::errors::argument_error(format!(
                "scores must be a number, or a list or array of numbers; got {}",
                type_name(scores)
            ))
        };
        if scores.is_none()
            || scores.is_instance_of::<PyString>()
            || scores.is_instance_of::<PyBytes>()
            || scores.is_instance_of::<PyBool>()
        {
            return Err(not_scores());
        }
        if scores.is_instance_of::<PyFloat>() || scores.is_instance_of::<PyInt>() {
            let s: f64 = scores.extract()?;
            return call_with_gil(py, || Ok(p(s))).map(|v| PyFloat::new(py, v).into_any());
        }
        let Some(np) = numpy(py) else {
            return Err(PyImportError::new_err(
                "churn_probability of a list or array needs numpy, which is not installed \
                 (pip install numpy)",
            ));
        };
        let kwargs = PyDict::new(py);
        kwargs.set_item("dtype", np.getattr("float64")?)?;
        // A pandas Series by its method: `numpy.asarray` would look up `__array_struct__` on
        // it, which pandas answers by searching (and so hashing) its index.
        let unreadable = |e: PyErr| {
            let err = not_scores();
            err.set_cause(py, Some(e));
            err
        };
        let scores = if is_instance_of(py, scores, "pandas", "Series") {
            &scores
                .call_method("to_numpy", (), Some(&kwargs))
                .map_err(unreadable)?
        } else {
            scores
        };
        let array = np
            .call_method("asarray", (scores,), Some(&kwargs))
            .map_err(unreadable)?;
        let array = array.cast_into::<PyArrayDyn<f64>>()?;
        let values = array.try_readonly().map_err(|e| {
            crate::errors::argument_error(format!("scores: the array cannot be read ({e})"))
        })?;
        let out = call_with_gil(py, || Ok(values.as_array().mapv(p)))?;
        Ok(PyArrayDyn::from_owned_array(py, out).into_any())
    }

    /// The re-calibration as plain data (the core's fields: ``scorecard``, ``fit``, ``c``,
    /// ``weights``, ``dropped``, ``train``, ``test``, ``before``, ``after``, ``probability``,
    /// ``bands``); NaN appears as None.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    fn __repr__(&self) -> String {
        self.0.render()
    }

    /// The re-calibration as text (what ``print`` shows; Node's ``rc.render()``).
    fn render(&self) -> String {
        self.0.render()
    }

    /// An HTML rendering for Jupyter: the split, the weights, the held-out comparison and the
    /// band choices (the core's `Recalibration::render_html`).
    fn _repr_html_(&self) -> String {
        self.0.render_html()
    }
}

/// Add the classes and functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBacktest>()?;
    m.add_class::<PyRecalibration>()?;
    m.add_function(wrap_pyfunction!(backtest, m)?)?;
    Ok(())
}

/// A `csops.Recalibration` given where a probability mapping is expected (`probability=` of
/// `backtest` and `forecast`): its calibrated score → P(churn) mapping
/// ([`crate::options::Instance`]).
pub(crate) fn as_probability_map(
    v: &Bound<'_, PyAny>,
    path: &str,
) -> Option<PyResult<serde_json::Value>> {
    let rc = v.cast::<PyRecalibration>().ok()?;
    Some(serde_json::to_value(&rc.get().0.probability).map_err(|e| {
        to_py_err(
            v.py(),
            csops_core::Error::InvalidArgument {
                path: path.to_string(),
                reason: format!("its probability mapping: {e}"),
            },
        )
    }))
}
