//! The weekly report (`csops_core::report`): the function `week_report` and the class
//! `Report`. The sections, charts, words and page are the core's; this module reads the
//! options and hands the page over as text, a file, or a notebook's HTML.

use std::path::PathBuf;

use csops_core::report::{Report, WeekOptions, week};
use pyo3::prelude::*;
use serde_json::Value;

use crate::book::PyBook;
use crate::convert::to_python;
use crate::errors::call;
use crate::health::PyScorecard;
use crate::options::from_kwargs_with;
use crate::playbook::PyPlaybook;
use crate::segment::PyTierRules;

/// A `Scorecard`, `TierRules` or `Playbook` given as an option: the configuration it holds.
fn configuration(v: &Bound<'_, PyAny>, path: &str) -> Option<PyResult<Value>> {
    let json = |r: serde_json::Result<Value>| {
        r.map_err(|e| crate::errors::argument_error(format!("{path}: {e}")))
    };
    if let Ok(c) = v.cast::<PyScorecard>() {
        return Some(json(serde_json::to_value(&c.get().0)));
    }
    if let Ok(r) = v.cast::<PyTierRules>() {
        return Some(json(serde_json::to_value(&r.get().0)));
    }
    if let Ok(p) = v.cast::<PyPlaybook>() {
        return Some(json(serde_json::to_value(&p.get().0)));
    }
    None
}

/// The CS Ops week of ``book`` as a report a CS Ops lead reads in a browser: data quality
/// (the book's own validation report), health, the back-test of ``scorecard`` (by default
/// the default heuristic), its re-calibration with held-out proof, next quarter's renewal
/// forecast reconciled with the CRM, retention, segmentation by ``tier_rules`` and coverage,
/// and ``playbook`` (by default the sponsor-left play) replayed log-only over the last
/// ``replay_days`` (28) with its effects over ``effect_days`` (540). ``as_of`` is the day (by
/// default the book's latest date). Each section gives its answer in one sentence, then its
/// charts, then the tables behind them. The options and their defaults are the core's
/// (``WeekOptions``), the same in Rust and Node. Runs with the GIL released.
///
/// >>> book = csops.load_book("data/sample-book", mode="lenient")
/// >>> report = csops.week_report(book)
/// >>> [s["id"] for s in report.sections][:3]
/// ['quality', 'health', 'backtest']
/// >>> report.to_html("week.html")  # one self-contained file  # doctest: +SKIP
#[pyfunction]
#[pyo3(signature = (
    book,
    *,
    as_of = None,
    title = None,
    scorecard = None,
    tier_rules = None,
    playbook = None,
    replay_days = None,
    effect_days = None
))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of the Python function
pub fn week_report(
    py: Python<'_>,
    book: &Bound<'_, PyBook>,
    as_of: Option<&Bound<'_, PyAny>>,
    title: Option<&Bound<'_, PyAny>>,
    scorecard: Option<&Bound<'_, PyAny>>,
    tier_rules: Option<&Bound<'_, PyAny>>,
    playbook: Option<&Bound<'_, PyAny>>,
    replay_days: Option<&Bound<'_, PyAny>>,
    effect_days: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyReport> {
    let options: WeekOptions = from_kwargs_with(
        py,
        &[
            ("as_of", as_of),
            ("title", title),
            ("scorecard", scorecard),
            ("tier_rules", tier_rules),
            ("playbook", playbook),
            ("replay_days", replay_days),
            ("effect_days", effect_days),
        ],
        Some(configuration),
    )?;
    let book = book.get();
    let validation = book.validation(py);
    let (inner, validation) = (book.inner(), validation.get().inner());
    call(py, || week(inner, Some(validation), &options)).map(PyReport)
}

/// A report: its ``sections`` (each an answer, charts and tables), as one self-contained
/// HTML page (``to_html``), as text (``repr``), and in a notebook as the page itself.
#[pyclass(name = "Report", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyReport(Report);

#[pymethods]
impl PyReport {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(py, &self.0)
    }

    /// A pickled Report.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        crate::convert::unpickle::<Self, _>(state).map(PyReport)
    }

    /// The report's title.
    #[getter]
    fn title(&self) -> &str {
        &self.0.title
    }

    /// The line under the title: the book and the day.
    #[getter]
    fn subtitle(&self) -> &str {
        &self.0.subtitle
    }

    /// The sections in reading order, as dicts: ``id``, ``title``, ``answer``, ``charts``
    /// (``title``, ``alt``, ``svg``), ``tables`` (``caption``, ``headers``, ``numeric``,
    /// ``rows``) and ``notes``.
    #[getter]
    fn sections<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.sections)
    }

    /// The report as one self-contained HTML page (no script, font, image or request outside
    /// the file; one section a page when printed). With ``path`` (a ``str`` or path), the
    /// page is written there and None returned; without, the page is returned.
    #[pyo3(signature = (path = None))]
    fn to_html(&self, py: Python<'_>, path: Option<PathBuf>) -> PyResult<Option<String>> {
        let report = &self.0;
        match path {
            Some(path) => call(py, || report.write_html(&path)).map(|()| None),
            None => call(py, || report.render_html()).map(Some),
        }
    }

    /// The report as plain data (``title``, ``subtitle``, ``sections``).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    fn __len__(&self) -> usize {
        self.0.sections.len()
    }

    fn __repr__(&self) -> String {
        self.0.render()
    }

    /// The page for Jupyter, inside an ``iframe`` so its styles stay its own.
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let report = &self.0;
        call(py, || report.render_html_embedded())
    }
}

/// Add the class and the function to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyReport>()?;
    m.add_function(wrap_pyfunction!(week_report, m)?)?;
    Ok(())
}
