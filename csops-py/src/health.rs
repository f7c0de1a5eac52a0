//! Health scoring: `Scorecard`, `Explanation` and `trend`.
//!
//! Every number comes from `csops_core::health`; this module converts arguments, tables
//! (see `table`) and results, and renders them as text and HTML.

use std::path::PathBuf;

use csops_core::health::{
    AccountScore, MissingRule, Normaliser, Override, ScoreDetail, ScoreFrame, Scorecard,
    trend as core_trend,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PyString, PyTuple};
use serde::Serialize;

use crate::convert::{enum_name, to_python};
use crate::errors::{call, config_error, csops_error};
use crate::options::{as_of_date, mapping_to_json};
use crate::pool;
use crate::table::{
    self, Input, OutColumn, account_id_text, read_input, read_segments, write_columns, write_scores,
};

/// Score a table read by [`read_input`], the GIL released: a `csops.FeatureFrame` in place
/// (`score_frame`); any other table's columns borrowed (`score_columns_into`: NumPy memory
/// is read where it lies; the readonly guards in `input` outlive the call).
///
/// The core names a row with bad values (an infinity) by its position when it scores bare
/// columns; when the input has account ids, the core names the account instead
/// (`name_infinite_values`), as scoring a `FeatureFrame` does.
fn score_input(
    py: Python<'_>,
    card: &Scorecard,
    input: &Input<'_>,
    segments: Option<&[String]>,
    detail: ScoreDetail,
) -> PyResult<ScoreFrame> {
    let columns = input.columns();
    // The result is made in memory kept from earlier results (see `pool`).
    let n = input.rows();
    let mut out = ScoreFrame {
        scores: pool::F64.take(n),
        coverage: pool::F64.take(n),
        band_codes: pool::U8.take(n),
        ..ScoreFrame::default()
    };
    if detail == ScoreDetail::Full {
        out.contributions = (0..card.measures().count())
            .map(|_| pool::F64.take(n))
            .collect();
    }
    let scored = call(py, || {
        card.score_columns_into(&columns, segments, detail, &mut out)
            .map(|()| out)
    });
    match scored {
        Ok(out) => Ok(out),
        Err(e) => {
            // The account ids are read only now (scoring does not need them), to name the
            // account in the error; ids that cannot be read leave the error as it was.
            let Ok(Some(ids)) = input.account_ids(py) else {
                return Err(e);
            };
            match crate::errors::call_with_gil(py, || Ok(card.name_infinite_values(&columns, &ids)))
            {
                Ok(Some(named)) => Err(crate::errors::to_py_err(py, named)),
                Ok(None) => Err(e),
                Err(failure) => Err(failure),
            }
        }
    }
}

/// One measure as `Scorecard.measures` shows it.
#[derive(Serialize)]
struct MeasureView<'a> {
    name: &'a str,
    group: &'a str,
    feature: &'a str,
    weight: f64,
    normaliser: &'a Normaliser,
    missing: &'a MissingRule,
}

/// An explanation as `Explanation.to_dict` shows it.
#[derive(Serialize)]
struct ExplanationView<'a> {
    account_id: &'a str,
    /// The core's explanation as it serialises (groups as a map in scorecard order).
    #[serde(flatten)]
    score: &'a AccountScore,
}

/// A health scorecard: weighted groups of weighted measures, each mapping one feature to
/// 0–100, with bands and a minimum coverage. Immutable; every constructor validates it.
#[pyclass(name = "Scorecard", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyScorecard(pub(crate) Scorecard);

impl PyScorecard {
    /// The feature each measure reads, in measure order.
    pub(crate) fn features(&self) -> Vec<&str> {
        self.0.measures().map(|(_, m)| m.feature.as_str()).collect()
    }
}

#[pymethods]
impl PyScorecard {
    /// A scorecard from a dict (the layout of ``to_dict``); ConfigError listing every problem.
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        if data.cast::<PyMapping>().is_err() {
            return Err(crate::errors::argument_error(format!(
                "a scorecard must be a dict, got {}",
                table::type_name(data)
            )));
        }
        let text = mapping_to_json(py, "scorecard", data)?;
        call(py, || Scorecard::from_json(&text)).map(PyScorecard)
    }

    /// A scorecard from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        call(py, || Scorecard::from_json(text)).map(PyScorecard)
    }

    /// A scorecard from TOML text.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
        call(py, || Scorecard::from_toml(text)).map(PyScorecard)
    }

    /// A scorecard from a ``.toml`` or ``.json`` file.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        call(py, || Scorecard::load(&path)).map(PyScorecard)
    }

    /// The default scorecard: a login-heavy heuristic (a fixed formula, not a fitted model), a
    /// starting point to back-test. The same name as in Rust (`default_heuristic`) and Node
    /// (`defaultHeuristic`).
    #[staticmethod]
    #[pyo3(name = "default_heuristic")]
    fn default_card(py: Python<'_>) -> PyResult<Self> {
        call(py, || Ok(Scorecard::default_heuristic())).map(PyScorecard)
    }

    /// The scorecard as plain data (what ``from_dict`` reads).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    /// The scorecard as JSON text (what ``from_json`` reads).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        serde_json::to_string_pretty(&self.0)
            .map_err(|e| csops_error(py, &format!("internal error: cannot serialise: {e}")))
    }

    /// The scorecard as TOML text (what ``from_toml`` reads).
    fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
        call(py, || self.0.to_toml())
    }

    /// The name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// What it is for, who owns it.
    #[getter]
    fn description(&self) -> &str {
        &self.0.description
    }

    /// Every measure, in order: dicts with ``name``, ``group``, ``feature``, ``weight``
    /// (within its group), ``normaliser`` and ``missing``.
    #[getter]
    fn measures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let views: Vec<MeasureView<'_>> = self
            .0
            .measures()
            .map(|(g, m)| MeasureView {
                name: &m.name,
                group: &g.name,
                feature: &m.feature,
                weight: m.weight,
                normaliser: &m.normaliser,
                missing: &m.missing,
            })
            .collect();
        to_python(py, &views)
    }

    /// The bands, ascending: dicts with ``name`` and ``min``.
    #[getter]
    fn bands<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.bands)
    }

    /// The share of weight (0–1) that must have data for an account to get a score.
    #[getter]
    fn min_coverage(&self) -> f64 {
        self.0.min_coverage
    }

    /// Check the scorecard and, when ``features`` (names, e.g. ``frame.columns``) is given,
    /// that every measure's feature is among them. ConfigError listing every problem.
    #[pyo3(signature = (features = None))]
    fn validate(&self, py: Python<'_>, features: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let names: Option<Vec<String>> = match features.filter(|f| !f.is_none()) {
            None => None,
            Some(f) if f.is_instance_of::<PyString>() => {
                return Err(crate::errors::argument_error(
                    "features must be an iterable of feature names, not one string",
                ));
            }
            Some(f) => Some(py.get_type::<PyList>().call1((f,))?.extract()?),
        };
        call(py, || {
            self.0.validate()?;
            match &names {
                Some(n) => self.0.check_features(n.iter().map(String::as_str)),
                None => Ok(()),
            }
        })
    }

    /// Score every account of ``data`` (a ``csops.FeatureFrame``, a pandas or polars
    /// DataFrame, or a dict of columns); returns the same kind of table, with ``score``,
    /// ``band``, ``coverage`` and one ``contribution.<measure>`` column per measure. With
    /// ``contributions=False`` the contribution columns are left out (faster, less memory).
    /// NumPy-backed float64 columns are read in place, without a copy.
    #[pyo3(signature = (data, *, segments = None, contributions = true))]
    fn score<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        segments: Option<&Bound<'py, PyAny>>,
        contributions: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = read_input(data, &self.features())?;
        let segments = read_segments(py, &input, segments)?;
        let detail = if contributions {
            ScoreDetail::Full
        } else {
            ScoreDetail::ScoresOnly
        };
        let scores = score_input(py, &self.0, &input, segments.as_deref(), detail)?;
        write_scores(py, &input, scores)
    }

    /// The full breakdown of one account's score: ``data`` as for ``score``, the account by
    /// its id (KeyError if it is not in ``data``).
    #[pyo3(signature = (data, account_id, *, segments = None))]
    fn explain(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        account_id: &Bound<'_, PyAny>,
        segments: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyExplanation> {
        // Another type than text or an integer is a TypeError, as Python has it; text that is
        // not valid Unicode a ConfigError.
        let id = account_id_text(account_id).map_err(|why| {
            if account_id.is_instance_of::<PyString>() {
                config_error(py, why)
            } else {
                crate::errors::argument_error(format!(
                    "account_id must be a str or an int, got {}",
                    crate::table::type_name(account_id)
                ))
            }
        })?;
        let input = read_input(data, &self.features())?;
        let segments = read_segments(py, &input, segments)?;
        // The core explains a row of a frame (percentile measures rank the whole column): a
        // table other than a `csops.FeatureFrame` is copied into one. Which row is the
        // account's (none, or more than one) is the core's decision.
        let frame = input.frame(py)?;
        let score = call(py, || {
            self.0.explain_account(&frame, segments.as_deref(), &id)
        })?;
        Ok(PyExplanation {
            account_id: id,
            score,
        })
    }

    /// Score ``data`` (as for ``score``) and apply the manual ``overrides`` in force on
    /// ``as_of`` (those expiring after it): a list of dicts ``{account_id, score?, band?,
    /// reason, author, expires}``, ``expires`` (the first day it no longer applies) a
    /// ``datetime.date`` or ``YYYY-MM-DD``. Returns the same kind of table as ``data`` with
    /// ``computed_score``, ``computed_band``, ``score``, ``band``, ``override_reason``,
    /// ``override_author`` and ``override_expires``. ConfigError listing every problem of the
    /// overrides.
    #[pyo3(signature = (data, overrides, *, as_of, segments = None))]
    fn apply_overrides<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        overrides: &Bound<'py, PyAny>,
        as_of: &Bound<'py, PyAny>,
        segments: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let overrides = read_overrides(py, overrides)?;
        let as_of = as_of_date(py, as_of)?;
        let input = read_input(data, &self.features())?;
        let segments = read_segments(py, &input, segments)?;
        let scores = score_input(
            py,
            &self.0,
            &input,
            segments.as_deref(),
            ScoreDetail::ScoresOnly,
        )?;
        let ids = input.row_ids(py)?;
        let reported = call(py, || {
            self.0.apply_overrides(&ids, &scores, &overrides, as_of)
        })?;
        let nan = |s: Option<f64>| s.unwrap_or(f64::NAN);
        let o = |f: fn(&Override) -> Option<String>| -> Vec<Option<String>> {
            reported
                .iter()
                .map(|r| r.override_applied.as_ref().and_then(f))
                .collect()
        };
        let columns = vec![
            (
                "computed_score",
                OutColumn::Floats(reported.iter().map(|r| nan(r.computed_score)).collect()),
            ),
            (
                "computed_band",
                OutColumn::Texts(reported.iter().map(|r| r.computed_band.clone()).collect()),
            ),
            (
                "score",
                OutColumn::Floats(reported.iter().map(|r| nan(r.score)).collect()),
            ),
            (
                "band",
                OutColumn::Texts(reported.iter().map(|r| r.band.clone()).collect()),
            ),
            (
                "override_reason",
                OutColumn::Texts(o(|o| Some(o.reason.clone()))),
            ),
            (
                "override_author",
                OutColumn::Texts(o(|o| Some(o.author.clone()))),
            ),
            (
                "override_expires",
                OutColumn::Dates(
                    reported
                        .iter()
                        .map(|r| r.override_applied.as_ref().map(|o| o.expires))
                        .collect(),
                ),
            ),
        ];
        write_columns(py, &input, columns)
    }

    fn __eq__(&self, other: &Bound<'_, PyScorecard>) -> bool {
        self.0 == other.get().0
    }

    /// Pickle support: rebuilt from its JSON.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let from_json = py.get_type::<PyScorecard>().getattr("from_json")?;
        PyTuple::new(
            py,
            [from_json, PyTuple::new(py, [self.to_json(py)?])?.into_any()],
        )
    }

    fn __repr__(&self) -> String {
        self.0.render()
    }

    /// An HTML rendering for Jupyter: the groups, measures and weights.
    fn _repr_html_(&self) -> String {
        self.0.render_html()
    }
}

/// Why one account got its score: every measure's value, score, weight, contribution and
/// points lost, the groups' contributions, and the drivers pulling the score down.
#[pyclass(name = "Explanation", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyExplanation {
    account_id: String,
    score: AccountScore,
}

#[pymethods]
impl PyExplanation {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(py, &(&self.account_id, &self.score))
    }

    /// A pickled Explanation.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        let (account_id, score): (String, AccountScore) =
            crate::convert::unpickle::<Self, _>(state)?;
        Ok(PyExplanation { account_id, score })
    }

    /// The account id.
    #[getter]
    fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The score 0–100, or None when coverage is below the scorecard's minimum.
    #[getter]
    fn score(&self) -> Option<f64> {
        self.score.score
    }

    /// The band name, or None when not scored.
    #[getter]
    fn band(&self) -> Option<&str> {
        self.score.band.as_deref()
    }

    /// The share of the scorecard's weight with data, 0–1.
    #[getter]
    fn coverage(&self) -> f64 {
        self.score.coverage
    }

    /// Every measure, in scorecard order: dicts with ``name``, ``group``, ``value``,
    /// ``measure_score``, ``weight``, ``contribution`` and ``points_lost``.
    #[getter]
    fn measures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.score.measures)
    }

    /// Each group's contribution to the score, in scorecard order.
    #[getter]
    fn groups<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, contribution) in &self.score.groups {
            d.set_item(name, contribution)?;
        }
        Ok(d)
    }

    /// The measures costing the most points, largest first, at most ``k`` (dicts as in
    /// ``measures``); ``k`` None: the core's default, 3.
    #[pyo3(signature = (k = None))]
    fn top_drivers<'py>(&self, py: Python<'py>, k: Option<usize>) -> PyResult<Bound<'py, PyAny>> {
        let k = k.unwrap_or(csops_core::health::DEFAULT_DRIVERS);
        to_python(py, &self.score.top_negative_drivers(k))
    }

    /// The explanation as plain data: ``account_id``, ``score``, ``band``, ``coverage``,
    /// ``measures`` and ``groups``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = &self.score;
        to_python(
            py,
            &ExplanationView {
                account_id: &self.account_id,
                score: s,
            },
        )
    }

    fn __repr__(&self) -> String {
        self.score.render(&self.account_id)
    }

    /// An HTML rendering for Jupyter.
    fn _repr_html_(&self) -> String {
        self.score.render_html(&self.account_id)
    }
}

/// Compare a score with a previous one: ``{"delta": current − previous, "direction": "up" |
/// "flat" | "down"}``, changes within ±``dead_band`` points counting as flat.
///
/// >>> csops.trend(71.0, 64.5)
/// {'delta': 6.5, 'direction': 'up'}
/// >>> csops.trend(65.0, 64.5)["direction"]
/// 'flat'
#[pyfunction]
#[pyo3(signature = (current, previous, dead_band = None))]
pub fn trend<'py>(
    py: Python<'py>,
    current: f64,
    previous: f64,
    dead_band: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let dead_band = dead_band.unwrap_or(csops_core::health::DEFAULT_DEAD_BAND);
    let t = call(py, || core_trend(current, previous, dead_band))?;
    let d = PyDict::new(py);
    d.set_item("delta", t.delta)?;
    d.set_item("direction", enum_name(&t.direction))?;
    Ok(d)
}

// The literal default above must be the core's (a literal keeps the text signature readable
// for stubs and `help()`).
const _: () = assert!(csops_core::health::DEFAULT_DEAD_BAND == 2.0);

/// `overrides=`: a list of dicts `{account_id, score?, band?, reason, author, expires}`, read
/// by the core (`health::overrides_from_value`), which lists every problem of every override
/// in one ConfigError (and checks their meaning when they are applied).
fn read_overrides(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Vec<Override>> {
    let v = crate::options::value_of(py, "overrides", value, 0)?;
    crate::errors::call_with_gil(py, || {
        csops_core::health::overrides_from_value(&v, csops_core::options::Casing::Snake)
    })
}

/// Add the classes and functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyScorecard>()?;
    m.add_class::<PyExplanation>()?;
    m.add_function(wrap_pyfunction!(trend, m)?)?;
    Ok(())
}
