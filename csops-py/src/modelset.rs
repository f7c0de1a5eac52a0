//! `ModelSet`: a scorecard per segment, with a default one.
//!
//! Every number comes from `csops_core::health::ModelSet`; this module converts arguments,
//! tables (see `table`) and results.

use std::collections::BTreeMap;

use csops_core::health::ModelSet;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};

use crate::convert::to_python;
use crate::errors::call;
use crate::health::PyScorecard;
use crate::options::mapping_to_json;
use crate::table::{self, OutColumn, read_input, read_segments, write_columns};

/// Scorecards per segment: each account is scored by its segment's scorecard, or by the
/// default one. Immutable; every constructor validates it.
#[pyclass(name = "ModelSet", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyModelSet(ModelSet);

#[pymethods]
impl PyModelSet {
    /// A model set from a default scorecard and scorecards by segment name.
    #[new]
    #[pyo3(signature = (default, by_segment = None))]
    fn new(
        py: Python<'_>,
        default: &Bound<'_, PyScorecard>,
        by_segment: Option<BTreeMap<String, Bound<'_, PyScorecard>>>,
    ) -> PyResult<Self> {
        let set = ModelSet {
            default: default.get().0.clone(),
            by_segment: by_segment
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.get().0.clone()))
                .collect(),
        };
        call(py, || set.validate().map(|()| set.clone())).map(PyModelSet)
    }

    /// A model set from a dict (the layout of ``to_dict``: ``{"default": <scorecard>,
    /// "by_segment": {segment: <scorecard>}}``); ConfigError listing every problem, prefixed
    /// with the segment.
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        if data.cast::<PyMapping>().is_err() {
            return Err(crate::errors::argument_error(format!(
                "a model set must be a dict, got {}",
                table::type_name(data)
            )));
        }
        let text = mapping_to_json(py, "model set", data)?;
        call(py, || ModelSet::from_json(&text)).map(PyModelSet)
    }

    /// A model set from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        call(py, || ModelSet::from_json(text)).map(PyModelSet)
    }

    /// A model set from TOML text (``[default]`` then ``[by_segment.<segment>]`` tables).
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
        call(py, || ModelSet::from_toml(text)).map(PyModelSet)
    }

    /// A model set from a ``.toml`` or ``.json`` file.
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        call(py, || ModelSet::load(&path)).map(PyModelSet)
    }

    /// The model set as plain data (what ``from_dict`` reads).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    /// The model set as JSON text (what ``from_json`` reads).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        call(py, || self.0.to_json())
    }

    /// The model set as TOML text (what ``from_toml`` reads).
    fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
        call(py, || self.0.to_toml())
    }

    /// The scorecard for segments without one of their own.
    #[getter]
    fn default(&self) -> PyScorecard {
        PyScorecard(self.0.default.clone())
    }

    /// The scorecards by segment name.
    #[getter]
    fn by_segment<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.0.by_segment {
            d.set_item(k, PyScorecard(v.clone()))?;
        }
        Ok(d)
    }

    /// The scorecard for a segment: its own, or the default.
    fn scorecard_for(&self, segment: &str) -> PyScorecard {
        PyScorecard(self.0.scorecard_for(segment).clone())
    }

    /// Score every account of ``data`` (as for ``Scorecard.score``) with its segment's
    /// scorecard; ``segments`` is one segment per row or the name of a column of ``data``.
    /// Returns the same kind of table as ``data`` with ``scorecard`` (its name), ``score``,
    /// ``band`` and ``coverage`` (no contributions: each scorecard has its own measures).
    #[pyo3(signature = (data, *, segments))]
    fn score<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        segments: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cards = std::iter::once(&self.0.default).chain(self.0.by_segment.values());
        let features: Vec<&str> = cards
            .flat_map(|c| c.measures().map(|(_, m)| m.feature.as_str()))
            .collect();
        let input = read_input(data, &features)?;
        let segments = read_segments(py, &input, Some(segments))?.unwrap_or_default();
        // The core's model set scores a frame: a table other than a `csops.FeatureFrame` is
        // copied into one.
        let frame = input.frame(py)?;
        let s = call(py, || self.0.score_frame(&frame, &segments))?;
        let columns = vec![
            (
                "scorecard",
                OutColumn::Texts(s.scorecard.into_iter().map(Some).collect()),
            ),
            ("score", OutColumn::Floats(s.scores)),
            ("band", OutColumn::Texts(s.bands)),
            ("coverage", OutColumn::Floats(s.coverage)),
        ];
        write_columns(py, &input, columns)
    }

    fn __eq__(&self, other: &Bound<'_, PyModelSet>) -> bool {
        self.0 == other.get().0
    }

    fn __repr__(&self) -> String {
        self.0.render()
    }
}

/// Add the class to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyModelSet>()
}
