//! `FireHistory`: what a playbook remembers between runs (when each play last fired, the
//! open tasks), the one mutable class of the package.

use std::sync::{Mutex, MutexGuard, PoisonError};

use csops_core::playbook::FireHistory;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping, PyString, PyTuple};

use crate::convert::{py_date, py_date_opt, to_python};
use crate::errors::{call, csops_error};
use crate::options::day;
use crate::table::type_name;

use super::*;

// Fire history -----------------------------------------------------------------------------

/// What the engine remembers between runs: the last run's day, when each play last fired for
/// each account, the tasks still open, and which accounts held each crossing play's
/// condition. Plain data: store it between runs with ``to_json`` and read it back with
/// ``from_json``.
///
/// Mutable: ``close_task`` records that a task was done, so the play may fire again for that
/// account. Runs never change the history they are given; they return the next one.
#[pyclass(name = "FireHistory", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyFireHistory(Mutex<FireHistory>);

impl PyFireHistory {
    pub(super) fn of(h: FireHistory) -> Self {
        PyFireHistory(Mutex::new(h))
    }

    /// The state (a panic while it was held cannot leave it half-changed: every change is
    /// one call into the core's `close_task`).
    fn lock(&self) -> MutexGuard<'_, FireHistory> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A copy of the state now.
    pub(crate) fn snapshot(&self) -> FireHistory {
        self.lock().clone()
    }
}

#[pymethods]
impl PyFireHistory {
    /// An empty history (no run yet), or one whose last run was ``last_run`` (a
    /// ``datetime.date`` or ``"YYYY-MM-DD"``): event triggers then count from the day after.
    #[new]
    #[pyo3(signature = (*, last_run = None))]
    fn new(py: Python<'_>, last_run: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let last_run = last_run
            .filter(|v| !v.is_none())
            .map(|v| day(py, "last_run", v))
            .transpose()?;
        Ok(PyFireHistory::of(FireHistory {
            last_run,
            ..Default::default()
        }))
    }

    /// A history from JSON text (what ``to_json`` writes).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        call(py, || FireHistory::from_json(text)).map(PyFireHistory::of)
    }

    /// A history from a dict (the layout of ``to_dict``).
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        if data.cast::<PyMapping>().is_err() || data.is_instance_of::<PyString>() {
            return Err(crate::errors::argument_error(format!(
                "a fire history must be a dict, got {}",
                type_name(data)
            )));
        }
        history_arg(py, Some(data)).map(PyFireHistory::of)
    }

    /// The history as JSON text (what ``from_json`` reads).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        serde_json::to_string(&*self.lock())
            .map_err(|e| csops_error(py, &format!("internal error: cannot serialise: {e}")))
    }

    /// The history as plain data, in the core's form: ``last_run`` (``"YYYY-MM-DD"`` or
    /// None), ``last_fired`` (``{play: {account_id: "YYYY-MM-DD"}}``), ``open_tasks``
    /// (``[[play, account_id], ...]``) and ``holding`` (per crossing play, for each crossing
    /// condition of its trigger in order, the accounts for which it held:
    /// ``{play: [[account_id, ...], ...]}``).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let h = self.snapshot();
        to_python(py, &h)
    }

    /// The day of the last run, or None before the first.
    #[getter]
    fn last_run<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let d = self.lock().last_run;
        py_date_opt(py, d, || "last_run".to_string())
    }

    /// When each play last fired for each account: ``{play: {account_id: datetime.date}}``.
    #[getter]
    fn last_fired<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let h = self.snapshot();
        let out = PyDict::new(py);
        for (play, accounts) in &h.last_fired {
            let d = PyDict::new(py);
            for (account, day) in accounts {
                d.set_item(
                    account,
                    py_date(py, *day, || format!("last_fired[{play:?}][{account:?}]"))?,
                )?;
            }
            out.set_item(play, d)?;
        }
        Ok(out)
    }

    /// The ``(play, account_id)`` pairs with a task still open (the play does not fire again
    /// for that account until ``close_task``), in order.
    #[getter]
    fn open_tasks(&self) -> Vec<(String, String)> {
        self.lock().open_tasks.iter().cloned().collect()
    }

    /// Record that the task ``play`` created for ``account_id`` was done (or dropped): the
    /// play may create another once its cooldown has passed. True if such a task was open.
    fn close_task(&self, play: &str, account_id: &str) -> bool {
        self.lock().close_task(play, account_id)
    }

    fn __eq__(&self, other: &Bound<'_, PyFireHistory>) -> bool {
        // Copies first: comparing a history with itself must not lock it twice.
        let mine = self.snapshot();
        mine == other.get().snapshot()
    }

    /// Pickle (and ``copy``) support: rebuilt from its JSON.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let from_json = py.get_type::<PyFireHistory>().getattr("from_json")?;
        PyTuple::new(
            py,
            [from_json, PyTuple::new(py, [self.to_json(py)?])?.into_any()],
        )
    }

    fn __repr__(&self) -> String {
        self.lock().headline()
    }
}
