//! Playbooks: `Playbook`, `FireHistory`, `run_plays` and `PlayRun`, `replay_plays` and
//! `PlayReplay`, and `play_effects`.
//!
//! Every decision is the core's (`csops_core::playbook`): which plays fire, for which
//! accounts, with what tasks, and what the history remembers. This module converts arguments
//! (a playbook or history as an object or a dict, days as `datetime.date` or ISO text) and
//! turns results into pandas DataFrames, plain dicts (the core's serde form, so they can be
//! stored and read back) and text. Runs, replays, effects and validation run with the GIL
//! released.
//!
//! `FireHistory` is the one mutable class of the package (`close_task` changes it): its state
//! sits behind a mutex, and every core call works on a copy taken before the GIL is released.

mod history;
mod replay;
mod run;

pub use history::*;
pub use replay::*;
pub use run::*;

use std::path::PathBuf;

use csops_core::Error;
use csops_core::playbook::{
    FireHistory, Fired, Playbook, RunContext, play_table, sponsor_left_play,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PyString, PyTuple};

use crate::book::PyBook;
use crate::convert::to_python;
use crate::errors::call;
use crate::health::PyScorecard;
use crate::options::{feature_config_arg as features, mapping_to_json};
use crate::retention::as_of_or_latest;
use crate::table::table_out;
use crate::table::{FrameKind, account_id_text, is_instance_of, type_name};
use csops_core::playbook::tables;

// Arguments --------------------------------------------------------------------------------

/// A playbook argument: a `Playbook`, or a dict (the layout of `Playbook.to_dict`).
fn playbook_arg(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Playbook> {
    if let Ok(p) = value.cast::<PyPlaybook>() {
        return Ok(p.get().0.clone());
    }
    if value.cast::<PyMapping>().is_ok() && !value.is_instance_of::<PyString>() {
        let text = mapping_to_json(py, "playbook", value)?;
        return call(py, || Playbook::from_json(&text));
    }
    Err(crate::errors::argument_error(format!(
        "playbook must be a csops.Playbook or a dict ({{\"plays\": [...]}}); got {}",
        type_name(value)
    )))
}

/// `history=`: None (no run yet), a `FireHistory` (its state now), or a dict (the layout of
/// `FireHistory.to_dict`).
fn history_arg(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<FireHistory> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(FireHistory::default());
    };
    if let Ok(h) = value.cast::<PyFireHistory>() {
        return Ok(h.get().snapshot());
    }
    if value.cast::<PyMapping>().is_ok() && !value.is_instance_of::<PyString>() {
        let text = mapping_to_json(py, "fire history", value)?;
        return call(py, || FireHistory::from_json(&text));
    }
    Err(crate::errors::argument_error(format!(
        "history must be None, a csops.FireHistory or a dict (FireHistory.to_dict()); got {}",
        type_name(value)
    )))
}

/// Fired plays as plain text, one line each: day, play, account, ``fired`` or ``would
/// fire``, the reason, and the task's assignee, title and due day (the core's text, as Node's
/// ``renderFired``). ``fired`` is a ``PlayRun``, a ``PlayReplay``, or a list of them and of
/// dicts in the core's form (what ``to_dicts`` gives).
#[pyfunction]
pub fn render_fired(py: Python<'_>, fired: &Bound<'_, PyAny>) -> PyResult<String> {
    let fired = fired_arg(py, fired)?;
    call(py, || Ok(csops_core::playbook::render_fired(&fired)))
}

/// `fired=` of `play_effects`: a `PlayRun`, a `PlayReplay`, or an iterable of them and of
/// dicts in the core's form (what `to_dicts` gives).
fn fired_arg(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Vec<Fired>> {
    fn one(py: Python<'_>, at: &str, v: &Bound<'_, PyAny>, out: &mut Vec<Fired>) -> PyResult<()> {
        if let Ok(r) = v.cast::<PyPlayRun>() {
            out.extend(r.get().fired.iter().cloned());
        } else if let Ok(r) = v.cast::<PyPlayReplay>() {
            out.extend(r.get().fired.iter().cloned());
        } else if v.cast::<PyMapping>().is_ok() && !v.is_instance_of::<PyString>() {
            let text = mapping_to_json(py, at, v)?;
            out.push(call(py, || {
                serde_json::from_str::<Fired>(&text)
                    .map_err(|e| Error::Config(vec![format!("{at}: {e}")]))
            })?);
        } else {
            return Err(crate::errors::argument_error(format!(
                "{at} must be a csops.PlayRun, a csops.PlayReplay or a dict (as to_dicts() \
                 gives); got {}",
                type_name(v)
            )));
        }
        Ok(())
    }
    let mut out = Vec::new();
    let whole = value.cast::<PyPlayRun>().is_ok() || value.cast::<PyPlayReplay>().is_ok();
    let table = is_instance_of(py, value, "pandas", "DataFrame")
        || is_instance_of(py, value, "polars", "DataFrame");
    if whole {
        one(py, "fired", value, &mut out)?;
    } else if value.is_instance_of::<PyString>() || value.cast::<PyMapping>().is_ok() || table {
        return Err(crate::errors::argument_error(format!(
            "fired must be a csops.PlayRun, a csops.PlayReplay, or a list of them or of dicts \
             (as to_dicts() gives); got {}",
            type_name(value)
        )));
    } else {
        for (i, item) in value.try_iter()?.enumerate() {
            one(py, &format!("fired[{i}]"), &item?, &mut out)?;
        }
    }
    Ok(out)
}

/// `accounts=` of `run_plays`: None (every account), or account ids (str or int), in any
/// iterable but a string.
fn accounts_arg(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<String>>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if value.is_instance_of::<PyString>() || value.cast::<PyMapping>().is_ok() {
        return Err(crate::errors::argument_error(format!(
            "accounts must be None or a list of account ids (one id is [\"A1\"]); got {}",
            type_name(value)
        )));
    }
    let iter = value.try_iter().map_err(|_| {
        crate::errors::argument_error(format!(
            "accounts must be None or a list of account ids; got {}",
            type_name(value)
        ))
    })?;
    let mut ids = Vec::new();
    let mut problems = Vec::new();
    for (i, item) in iter.enumerate() {
        match account_id_text(&item?) {
            Ok(id) => ids.push(id),
            Err(why) => problems.push(format!("accounts[{i}]: {why}")),
        }
    }
    if problems.is_empty() {
        Ok(Some(ids))
    } else {
        Err(crate::table::config_problems(
            py,
            crate::table::capped(problems),
        ))
    }
}

/// The core scorecard of `scorecard=` (it gives the fields `score`, `band` and `coverage`).
fn card_of<'a>(
    card: Option<&'a Bound<'_, PyScorecard>>,
) -> Option<&'a csops_core::health::Scorecard> {
    card.map(|c| &c.get().0)
}

// Rendering --------------------------------------------------------------------------------

/// One row per fired play (see `PlayRun.fired`).
fn fired_frame<'py>(
    py: Python<'py>,
    kind: FrameKind,
    what: &str,
    fired: &[&Fired],
) -> PyResult<Bound<'py, PyAny>> {
    table_out(py, tables::fired(fired), kind, what)
}

/// The fired plays as plain data: one dict per fired play, in the core's serde form.
fn fired_dicts<'py>(py: Python<'py>, fired: &[Fired]) -> PyResult<Bound<'py, PyAny>> {
    to_python(py, &fired)
}

/// A new `FireHistory` object holding `h`.
fn history_object(py: Python<'_>, h: FireHistory) -> PyResult<Py<PyFireHistory>> {
    Py::new(py, PyFireHistory::of(h))
}

// Playbook ---------------------------------------------------------------------------------

/// Plays, as data: each a trigger, a filter (which accounts, in the condition language), one
/// or more actions (a task from a template, a tag, a routing), a mode (``log_only``, the
/// default, or ``live``), a cooldown and an owner (see ``docs/playbooks.md``). Immutable.
///
/// Constructors read the structure (unknown keys, a condition that does not parse, a
/// misspelt trigger kind are ``ConfigError``); ``validate`` checks the plays against the
/// fields of a book (conditions, change fields, template placeholders, names, priorities),
/// listing every problem. ``run_plays`` validates before it runs.
#[pyclass(name = "Playbook", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyPlaybook(pub(crate) Playbook);

#[pymethods]
impl PyPlaybook {
    /// A playbook from plays: dicts in the layout of ``to_dict()["plays"]`` (``name``,
    /// ``owner``, ``trigger``, ``actions``, and optionally ``description``, ``filter``,
    /// ``mode``, ``cooldown_days``).
    #[new]
    fn new(py: Python<'_>, plays: &Bound<'_, PyAny>) -> PyResult<Self> {
        if plays.is_instance_of::<PyString>() || plays.cast::<PyMapping>().is_ok() {
            return Err(crate::errors::argument_error(
                "plays must be a list of play dicts; use Playbook.from_dict for a whole playbook",
            ));
        }
        let list = PyList::empty(py);
        for item in plays.try_iter()? {
            list.append(item?)?;
        }
        let data = PyDict::new(py);
        data.set_item("plays", list)?;
        let text = mapping_to_json(py, "playbook", &data)?;
        call(py, || Playbook::from_json(&text)).map(PyPlaybook)
    }

    /// A playbook from a dict (the layout of ``to_dict``: ``{"plays": [...]}``, with an
    /// optional ``schema_version``).
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        if data.cast::<PyMapping>().is_err() || data.is_instance_of::<PyString>() {
            return Err(crate::errors::argument_error(format!(
                "a playbook must be a dict, got {}",
                type_name(data)
            )));
        }
        playbook_arg(py, data).map(PyPlaybook)
    }

    /// A playbook from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        call(py, || Playbook::from_json(text)).map(PyPlaybook)
    }

    /// A playbook from TOML text (``[[plays]]`` tables, as in ``docs/playbooks.md``).
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
        call(py, || Playbook::from_toml(text)).map(PyPlaybook)
    }

    /// A playbook from a ``.toml`` or ``.json`` file.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        call(py, || Playbook::load(&path)).map(PyPlaybook)
    }

    /// The sponsor-left play of the main job, alone in a playbook: when an executive sponsor
    /// leaves an account with ARR, a high-priority re-engagement task for its CSM, due in 7
    /// days; 30 days' cooldown; log-only, as every new play should start.
    #[staticmethod]
    fn sponsor_left() -> Self {
        PyPlaybook(Playbook {
            schema_version: 1,
            plays: vec![sponsor_left_play()],
        })
    }

    /// The playbook as plain data (what ``from_dict`` reads; conditions in the text form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    /// The playbook as JSON text (what ``from_json`` reads).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        call(py, || self.0.to_json())
    }

    /// The playbook as TOML text (a playbook file; what ``from_toml`` reads).
    fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
        call(py, || self.0.to_toml())
    }

    /// The names of the plays, in order.
    #[getter]
    fn plays(&self) -> Vec<&str> {
        self.0.plays.iter().map(|p| p.name.as_str()).collect()
    }

    /// Check every play against the fields plays can use in ``book`` on ``as_of`` (by
    /// default its latest date): the columns of ``book.account_table(as_of,
    /// scorecard=scorecard, feature_config=feature_config)`` — account fields, custom
    /// attributes, features, and with a scorecard ``score``, ``band`` and ``coverage``.
    /// ConfigError listing every problem (unknown fields with suggestions, template
    /// placeholders, duplicate names, priorities, change triggers). Runs with the GIL
    /// released.
    #[pyo3(signature = (book, *, scorecard = None, as_of = None, feature_config = None))]
    fn validate(
        &self,
        py: Python<'_>,
        book: &Bound<'_, PyBook>,
        scorecard: Option<&Bound<'_, PyScorecard>>,
        as_of: Option<&Bound<'_, PyAny>>,
        feature_config: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let as_of = as_of_or_latest(py, book.get(), as_of)?;
        let cfg = features(py, feature_config)?;
        let card = card_of(scorecard);
        let inner = book.get().inner();
        let pb = &self.0;
        call(py, || {
            let ctx = RunContext {
                scorecard: card,
                features: cfg,
                accounts: None,
                progress: Default::default(),
            };
            let table = play_table(inner, as_of, &ctx)?;
            pb.validate(&table.schema())
        })
    }

    fn __len__(&self) -> usize {
        self.0.plays.len()
    }

    fn __eq__(&self, other: &Bound<'_, PyPlaybook>) -> bool {
        self.0 == other.get().0
    }

    /// Pickle support: rebuilt from its JSON.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let from_json = py.get_type::<PyPlaybook>().getattr("from_json")?;
        PyTuple::new(
            py,
            [from_json, PyTuple::new(py, [self.to_json(py)?])?.into_any()],
        )
    }

    fn __repr__(&self) -> String {
        self.0.render()
    }

    /// An HTML rendering for Jupyter: one row per play (mode, trigger, filter, actions,
    /// cooldown, owner).
    fn _repr_html_(&self) -> String {
        self.0.render_html()
    }
}

/// Add the classes and functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPlaybook>()?;
    m.add_class::<PyFireHistory>()?;
    m.add_class::<PyPlayRun>()?;
    m.add_class::<PyPlayReplay>()?;
    m.add_function(wrap_pyfunction!(run_plays, m)?)?;
    m.add_function(wrap_pyfunction!(replay_plays, m)?)?;
    m.add_function(wrap_pyfunction!(play_effects, m)?)?;
    m.add_function(wrap_pyfunction!(render_fired, m)?)?;
    Ok(())
}
