//! `replay_plays` and `PlayReplay` (a playbook over a window of past days), and
//! `play_effects` (how accounts fared after a play fired).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use csops_core::playbook::{
    FireHistory, Fired, PlayEffect, ReplayParts, RunContext, play_effects as core_play_effects,
    replay,
};
use pyo3::prelude::*;
use serde::Serialize;

use crate::book::PyBook;
use crate::convert::{py_date, to_python};
use crate::errors::call;
use crate::health::PyScorecard;
use crate::options::{count, day, feature_config_arg as features};
use crate::table::FrameKind;
use crate::table::table_out;
use csops_core::playbook::tables;

use super::*;

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
    pub(super) fired: Vec<Fired>,
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
/// ``horizon_days`` not given: the core's default, 365 (``DEFAULT_HORIZON_DAYS``).
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
    horizon_days = None,
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
    horizon_days: Option<i64>,
    scorecard: Option<&Bound<'py, PyScorecard>>,
    feature_config: Option<&Bound<'py, PyAny>>,
    frame: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = FrameKind::parse(py, frame)?;
    let pb = playbook_arg(py, playbook)?;
    let fired = fired_arg(py, fired)?;
    let horizon = match horizon_days {
        Some(days) => count(py, "horizon_days", days)?,
        None => csops_core::playbook::DEFAULT_HORIZON_DAYS,
    };
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
    table_out(py, tables::effects(&effects), kind, "play_effects")
}
