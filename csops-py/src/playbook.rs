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

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::NaiveDate;
use csops_core::Error;
use csops_core::playbook::{
    FireHistory, Fired, FiredAction, Mode, PlayEffect, Playbook, ReplayParts, RunContext,
    play_effects as core_play_effects, play_table, replay, run, run_html, run_text,
    sponsor_left_play,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PyString, PyTuple};
use serde::Serialize;

use crate::book::PyBook;
use crate::convert::{enum_name, py_date, py_date_opt, to_python};
use crate::errors::{call, csops_error};
use crate::health::PyScorecard;
use crate::options::{count, day, feature_config_arg as features, mapping_to_json};
use crate::revenue::as_of_or_latest;
use crate::table::Columns as Frame;
use crate::table::{FrameKind, account_id_text, is_instance_of, type_name};

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

/// The first task of a fired play: (assignee, title, body, due, priority).
fn first_task(f: &Fired) -> Option<(&str, &str, &str, NaiveDate, &str)> {
    f.actions.iter().find_map(|a| match a {
        FiredAction::Task {
            assignee,
            title,
            body,
            due,
            priority,
        } => Some((
            assignee.as_str(),
            title.as_str(),
            body.as_str(),
            *due,
            priority.as_str(),
        )),
        _ => None,
    })
}

/// One row per fired play (see `PlayRun.fired`).
fn fired_frame<'py>(
    py: Python<'py>,
    kind: FrameKind,
    what: &str,
    fired: &[&Fired],
) -> PyResult<Bound<'py, PyAny>> {
    let tasks: Vec<_> = fired.iter().map(|f| first_task(f)).collect();
    let mut actions = Vec::with_capacity(fired.len());
    for f in fired {
        actions.push(to_python(py, &f.actions)?);
    }
    let of_kind = |f: &Fired, tags: bool| -> Vec<String> {
        f.actions
            .iter()
            .filter_map(|a| match a {
                FiredAction::Tag { tag } if tags => Some(tag.clone()),
                FiredAction::Route { to } if !tags => Some(to.clone()),
                _ => None,
            })
            .collect()
    };
    let mut fr = Frame::new(py);
    fr.dates("date", fired.iter().map(|f| f.date));
    fr.strs("play", fired.iter().map(|f| f.play.as_str()));
    fr.strs("account_id", fired.iter().map(|f| f.account_id.as_str()));
    fr.texts("csm", fired.iter().map(|f| f.csm.as_deref()));
    fr.strs("mode", fired.iter().map(|f| enum_name(&f.mode)));
    fr.strs("reason", fired.iter().map(|f| f.reason.as_str()));
    fr.texts("assignee", tasks.iter().map(|t| t.map(|t| t.0)));
    fr.texts("title", tasks.iter().map(|t| t.map(|t| t.1)));
    fr.texts("body", tasks.iter().map(|t| t.map(|t| t.2)));
    fr.opt_dates("due", tasks.iter().map(|t| t.map(|t| t.3)));
    fr.texts("priority", tasks.iter().map(|t| t.map(|t| t.4)));
    fr.list("tags", fired.iter().map(|f| of_kind(f, true)))?;
    fr.list("routes", fired.iter().map(|f| of_kind(f, false)))?;
    fr.list("actions", actions)?;
    fr.build(kind, what)
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
    fn of(h: FireHistory) -> Self {
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
    fired: Vec<Fired>,
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

// Replays ----------------------------------------------------------------------------------

/// A replay as plain data: the core's `Replay` form.
#[derive(Serialize)]
struct ReplayView<'a> {
    from: NaiveDate,
    to: NaiveDate,
    fired: &'a [Fired],
    per_play: &'a BTreeMap<String, u64>,
    per_csm: &'a BTreeMap<String, u64>,
    history: &'a FireHistory,
}

/// Replay ``playbook`` on ``book`` day by day from ``start`` to ``end`` (inclusive; each a
/// ``datetime.date`` or ``"YYYY-MM-DD"``), every play as log-only, starting from ``history``
/// (None: no run before ``start``; events then count from ``start``). Tasks are taken as
/// done the day they fall due. Returns a
/// ``csops.PlayReplay``: what would have fired, with counts per play and per CSM — the noise
/// to review before a play goes live. The same as running ``run_plays`` day by day.
///
/// ``scorecard`` and ``feature_config`` as for ``run_plays``. ConfigError for an invalid
/// playbook, a window that runs backwards or covers more than ten years. Runs with the GIL
/// released.
///
/// >>> book = csops.load_book("data/sample-book", mode="lenient")
/// >>> review = csops.replay_plays(book, csops.Playbook.sponsor_left(), "2026-09-03",
/// ...                             "2026-09-30", history=csops.FireHistory(last_run="2026-09-02"))
/// >>> len(review), review.per_play
/// (4, {'sponsor-left': 4})
#[pyfunction]
#[pyo3(signature = (
    book,
    playbook,
    start,
    end,
    *,
    history = None,
    scorecard = None,
    feature_config = None,
    frame = None,
    progress = None
))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of the Python function
pub fn replay_plays(
    py: Python<'_>,
    book: &Bound<'_, PyBook>,
    playbook: &Bound<'_, PyAny>,
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    history: Option<&Bound<'_, PyAny>>,
    scorecard: Option<&Bound<'_, PyScorecard>>,
    feature_config: Option<&Bound<'_, PyAny>>,
    frame: Option<&str>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyPlayReplay> {
    let out = FrameKind::parse(py, frame)?;
    let progress = crate::progress::Progress::new(py, progress)?;
    let hook = progress.hook();
    let pb = playbook_arg(py, playbook)?;
    let from = day(py, "start", start)?;
    let to = day(py, "end", end)?;
    let history = history_arg(py, history)?;
    let cfg = features(py, feature_config)?;
    let card = card_of(scorecard);
    let inner = book.get().inner();
    let r = progress.finish(call(py, || {
        let ctx = RunContext {
            scorecard: card,
            features: cfg,
            accounts: None,
            progress: hook,
        };
        replay(inner, &pb, from, to, &history, &ctx)
    }))?;
    Ok(PyPlayReplay {
        start: r.from,
        end: r.to,
        fired: r.fired,
        per_play: r.per_play,
        per_csm: r.per_csm,
        history: history_object(py, r.history)?,
        frame: out,
    })
}

/// The result of ``replay_plays``: everything that would have fired over a window, with
/// counts per play and per CSM, and the history after its last day. ``len()`` is the number
/// of plays fired; ``print(replay)`` lists the first of them.
#[pyclass(name = "PlayReplay", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyPlayReplay {
    start: NaiveDate,
    end: NaiveDate,
    fired: Vec<Fired>,
    per_play: BTreeMap<String, u64>,
    per_csm: BTreeMap<String, u64>,
    history: Py<PyFireHistory>,
    frame: FrameKind,
}

impl PyPlayReplay {
    /// Its parts as the core's text reads them.
    fn parts(&self) -> ReplayParts<'_> {
        ReplayParts {
            from: self.start,
            to: self.end,
            fired: &self.fired,
            per_play: &self.per_play,
            per_csm: &self.per_csm,
        }
    }
}

#[pymethods]
impl PyPlayReplay {
    /// Pickling: its window, the plays fired, the counts, its history's state and its
    /// table kind.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        let history = self.history.get().snapshot();
        let state = (
            self.start,
            self.end,
            &self.fired,
            &self.per_play,
            &self.per_csm,
            history,
            self.frame,
        );
        crate::convert::pickle::<Self, _>(py, &state)
    }

    /// A pickled PlayReplay (with a history of its own).
    #[staticmethod]
    fn _from_pickle(py: Python<'_>, state: &[u8]) -> PyResult<Self> {
        #[allow(clippy::type_complexity)]
        let (start, end, fired, per_play, per_csm, history, frame): (
            NaiveDate,
            NaiveDate,
            Vec<Fired>,
            BTreeMap<String, u64>,
            BTreeMap<String, u64>,
            FireHistory,
            FrameKind,
        ) = crate::convert::unpickle::<Self, _>(state)?;
        let history = Py::new(py, PyFireHistory::of(history))?;
        Ok(PyPlayReplay {
            start,
            end,
            fired,
            per_play,
            per_csm,
            history,
            frame,
        })
    }

    /// The first day replayed.
    #[getter]
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date(py, self.start, || "start".to_string())
    }

    /// The last day replayed.
    #[getter]
    fn end<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date(py, self.end, || "end".to_string())
    }

    /// One row per play that would have fired, by day, then play, then account (the columns
    /// of ``PlayRun.fired``; ``mode`` is always ``log_only``).
    #[getter]
    fn fired<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all: Vec<&Fired> = self.fired.iter().collect();
        fired_frame(py, self.frame, "PlayReplay.fired", &all)
    }

    /// How many times each play would have fired: ``{play: n}`` (plays that never fired are
    /// left out).
    #[getter]
    fn per_play(&self) -> BTreeMap<&str, u64> {
        self.per_play
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect()
    }

    /// How many tasks each assignee would have received: ``{assignee: n}`` (a CSM,
    /// ``role:<role>`` or ``queue:<queue>``).
    #[getter]
    fn per_csm(&self) -> BTreeMap<&str, u64> {
        self.per_csm.iter().map(|(k, v)| (k.as_str(), *v)).collect()
    }

    /// The history after the last day (the same object on every access).
    #[getter]
    fn history(&self, py: Python<'_>) -> Py<PyFireHistory> {
        self.history.clone_ref(py)
    }

    /// Every fired play as a dict in the core's form (as ``PlayRun.to_dicts``).
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        fired_dicts(py, &self.fired)
    }

    /// The replay as plain data, in the core's form: ``from``, ``to``, ``fired``,
    /// ``per_play``, ``per_csm`` and ``history`` (its state now).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let history = self.history.get().snapshot();
        to_python(
            py,
            &ReplayView {
                from: self.start,
                to: self.end,
                fired: &self.fired,
                per_play: &self.per_play,
                per_csm: &self.per_csm,
                history: &history,
            },
        )
    }

    fn __len__(&self) -> usize {
        self.fired.len()
    }

    fn __repr__(&self) -> String {
        self.parts().render()
    }

    /// An HTML rendering for Jupyter: the counts and the first fired plays.
    fn _repr_html_(&self) -> String {
        self.parts().render_html()
    }
}

// Effects ----------------------------------------------------------------------------------

/// What happened after each play fired: for each play of ``playbook`` that fired in
/// ``fired`` (a ``PlayRun``, a ``PlayReplay``, or a list of them and of dicts as
/// ``to_dicts`` gives), the renewal rate of the accounts it fired on (their first renewal
/// within ``horizon_days`` after firing) against comparable accounts it did not fire on
/// (passing its filter on its first firing day) that renewed in the same period.
///
/// A DataFrame, one row per play: ``play``; ``fired_renewals``, ``fired_renewed``,
/// ``fired_rate`` with its Wilson 95% interval ``fired_ci_lo``–``fired_ci_hi``; the same
/// ``other_*`` for the comparison accounts; Fisher's exact test of the two rates,
/// ``odds_ratio`` and ``p_value`` (NaN when either group is empty); and ``verdict``, a
/// sentence. Plays fire on accounts at risk, so a lower rate for them is expected: compare
/// a period the play ran live with one it ran log-only for the effect of the action.
/// ``scorecard`` and ``feature_config`` as for ``run_plays``. Runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (
    book,
    playbook,
    fired,
    *,
    horizon_days = 365,
    scorecard = None,
    feature_config = None,
    frame = None
))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of the Python function
pub fn play_effects<'py>(
    py: Python<'py>,
    book: &Bound<'py, PyBook>,
    playbook: &Bound<'py, PyAny>,
    fired: &Bound<'py, PyAny>,
    horizon_days: i64,
    scorecard: Option<&Bound<'py, PyScorecard>>,
    feature_config: Option<&Bound<'py, PyAny>>,
    frame: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = FrameKind::parse(py, frame)?;
    let pb = playbook_arg(py, playbook)?;
    let fired = fired_arg(py, fired)?;
    let horizon = count(py, "horizon_days", horizon_days)?;
    let cfg = features(py, feature_config)?;
    let card = card_of(scorecard);
    let inner = book.get().inner();
    let effects: Vec<PlayEffect> = call(py, || {
        let ctx = RunContext {
            scorecard: card,
            features: cfg,
            accounts: None,
            progress: Default::default(),
        };
        core_play_effects(inner, &pb, &fired, horizon, &ctx)
    })?;
    let e = &effects;
    let mut f = Frame::new(py);
    f.strs("play", e.iter().map(|e| e.play.as_str()));
    f.ints("fired_renewals", e.iter().map(|e| e.fired_renewals));
    f.ints("fired_renewed", e.iter().map(|e| e.fired_renewed));
    f.opt_floats("fired_rate", e.iter().map(|e| e.fired_rate));
    f.opt_floats("fired_ci_lo", e.iter().map(|e| e.fired_ci95.map(|i| i.lo)));
    f.opt_floats("fired_ci_hi", e.iter().map(|e| e.fired_ci95.map(|i| i.hi)));
    f.ints("other_renewals", e.iter().map(|e| e.other_renewals));
    f.ints("other_renewed", e.iter().map(|e| e.other_renewed));
    f.opt_floats("other_rate", e.iter().map(|e| e.other_rate));
    f.opt_floats("other_ci_lo", e.iter().map(|e| e.other_ci95.map(|i| i.lo)));
    f.opt_floats("other_ci_hi", e.iter().map(|e| e.other_ci95.map(|i| i.hi)));
    f.opt_floats(
        "odds_ratio",
        e.iter().map(|e| e.fisher.map(|t| t.statistic)),
    );
    f.opt_floats("p_value", e.iter().map(|e| e.fisher.map(|t| t.p_value)));
    f.strs("verdict", e.iter().map(|e| e.verdict.as_str()));
    f.build(kind, "play_effects")
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
