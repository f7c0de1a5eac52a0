//! `run_plays` and `PlayRun`: one day's run of a playbook.

use chrono::NaiveDate;
use csops_core::playbook::{FireHistory, Fired, Mode, RunContext, run, run_html, run_text};
use pyo3::prelude::*;
use serde::Serialize;

use crate::book::PyBook;
use crate::convert::{py_date, to_python};
use crate::errors::call;
use crate::health::PyScorecard;
use crate::options::feature_config_arg as features;
use crate::table::FrameKind;

use super::*;

// Runs -------------------------------------------------------------------------------------

/// A run as plain data: the core's `Run` form.
#[derive(Serialize)]
struct RunView<'a> {
    date: NaiveDate,
    fired: &'a [Fired],
    history: &'a FireHistory,
}

/// Run ``playbook`` (a ``csops.Playbook`` or its dict) on ``book`` on ``day`` (a
/// ``datetime.date`` or ``"YYYY-MM-DD"``), given the ``history`` of earlier runs (a
/// ``csops.FireHistory`` or its dict; None: the first run). Returns a ``csops.PlayRun``:
/// what fired (live, and would-have-fired for log-only plays) and the history to pass to the
/// next run.
///
/// A play fires for an account when its filter holds and its trigger fires, unless it fired
/// for that account on the same day or within its cooldown, a task it created for the account
/// is still open, or (crossings) the condition already held at the previous run. Running
/// again with the returned history fires nothing new. Events count from the day after the
/// history's last run (from ``day`` itself on a first run).
///
/// ``scorecard`` gives the fields ``score``, ``band`` and ``coverage``; ``feature_config``
/// (a dict, TOML or JSON text, as ``Book.features_as_of(config=)``) sets the features. The
/// playbook is validated first (ConfigError listing every problem); a ``day`` before the
/// history's last run is a ConfigError. Runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (
    book,
    playbook,
    day,
    *,
    history = None,
    scorecard = None,
    feature_config = None,
    accounts = None,
    frame = None
))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of the Python function
pub fn run_plays(
    py: Python<'_>,
    book: &Bound<'_, PyBook>,
    playbook: &Bound<'_, PyAny>,
    day: &Bound<'_, PyAny>,
    history: Option<&Bound<'_, PyAny>>,
    scorecard: Option<&Bound<'_, PyScorecard>>,
    feature_config: Option<&Bound<'_, PyAny>>,
    accounts: Option<&Bound<'_, PyAny>>,
    frame: Option<&str>,
) -> PyResult<PyPlayRun> {
    let pb = playbook_arg(py, playbook)?;
    let on = crate::options::day(py, "day", day)?;
    let history = history_arg(py, history)?;
    let cfg = features(py, feature_config)?;
    let card = card_of(scorecard);
    let scope = accounts_arg(py, accounts)?;
    let out = FrameKind::parse(py, frame)?;
    let inner = book.get().inner();
    let r = call(py, || {
        let ctx = RunContext {
            scorecard: card,
            features: cfg,
            accounts: scope.as_deref(),
            progress: Default::default(),
        };
        run(inner, &pb, on, &history, &ctx)
    })?;
    Ok(PyPlayRun {
        date: r.date,
        fired: r.fired,
        history: history_object(py, r.history)?,
        frame: out,
    })
}

/// The result of ``run_plays``: what fired on one day, and the history for the next run.
/// ``len()`` is the number of plays fired; ``print(run)`` lists them, one line each.
#[pyclass(name = "PlayRun", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyPlayRun {
    date: NaiveDate,
    pub(super) fired: Vec<Fired>,
    history: Py<PyFireHistory>,
    frame: FrameKind,
}

impl PyPlayRun {
    fn of_mode(&self, mode: Mode) -> Vec<&Fired> {
        self.fired.iter().filter(|f| f.mode == mode).collect()
    }
}

#[pymethods]
impl PyPlayRun {
    /// Pickling: its day, the plays fired, its history's state and its table kind.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        let history = self.history.get().snapshot();
        let state = (self.date, &self.fired, history, self.frame);
        crate::convert::pickle::<Self, _>(py, &state)
    }

    /// A pickled PlayRun (with a history of its own).
    #[staticmethod]
    fn _from_pickle(py: Python<'_>, state: &[u8]) -> PyResult<Self> {
        let (date, fired, history, frame): (NaiveDate, Vec<Fired>, FireHistory, FrameKind) =
            crate::convert::unpickle::<Self, _>(state)?;
        let history = Py::new(py, PyFireHistory::of(history))?;
        Ok(PyPlayRun {
            date,
            fired,
            history,
            frame,
        })
    }

    /// The day of the run.
    #[getter]
    fn date<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date(py, self.date, || "date".to_string())
    }

    /// One row per fired play, by play then account: ``date`` (a date), ``play``,
    /// ``account_id``, ``csm`` (the account's owner, None when unowned), ``mode`` (``live``
    /// or ``log_only``: would have fired), ``reason`` (with the values that made it fire);
    /// the play's first task: ``assignee`` (the CSM, ``role:<role>`` or ``queue:<queue>``),
    /// ``title``, ``body``, ``due`` (a date) and ``priority`` (all None without a
    /// task); ``tags`` and ``routes`` (lists of str); and ``actions``, every action as a dict
    /// in the core's form (``{"action": "task" | "tag" | "route", ...}``, dates as text).
    #[getter]
    fn fired<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all: Vec<&Fired> = self.fired.iter().collect();
        fired_frame(py, self.frame, "PlayRun.fired", &all)
    }

    /// The rows of ``fired`` of live plays: the tasks to hand out.
    #[getter]
    fn live<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        fired_frame(py, self.frame, "PlayRun.live", &self.of_mode(Mode::Live))
    }

    /// The rows of ``fired`` of log-only plays: what they would have done.
    #[getter]
    fn would_have_fired<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        fired_frame(
            py,
            self.frame,
            "PlayRun.would_have_fired",
            &self.of_mode(Mode::LogOnly),
        )
    }

    /// The history to pass to the next run (the same object on every access: close tasks
    /// on it, store it with ``to_json``).
    #[getter]
    fn history(&self, py: Python<'_>) -> Py<PyFireHistory> {
        self.history.clone_ref(py)
    }

    /// Every fired play as a dict in the core's form: ``date``, ``play``, ``account_id``,
    /// ``csm``, ``mode``, ``reason`` and ``actions`` (dates as ``"YYYY-MM-DD"``). What
    /// ``play_effects`` reads back.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        fired_dicts(py, &self.fired)
    }

    /// The run as plain data, in the core's form: ``date``, ``fired`` (as ``to_dicts``) and
    /// ``history`` (as ``FireHistory.to_dict``, its state now).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let history = self.history.get().snapshot();
        to_python(
            py,
            &RunView {
                date: self.date,
                fired: &self.fired,
                history: &history,
            },
        )
    }

    fn __len__(&self) -> usize {
        self.fired.len()
    }

    fn __repr__(&self) -> String {
        run_text(self.date, &self.fired)
    }

    /// An HTML rendering for Jupyter: the fired plays.
    fn _repr_html_(&self) -> String {
        run_html(self.date, &self.fired)
    }
}
