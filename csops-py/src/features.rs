//! `FeatureFrame`: point-in-time features of every account, from `Book.features_as_of`.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_buffer::ScalarBuffer;
use arrow_schema::{DataType, Field, Schema};
use csops_core::features::FeatureFrame;
use pyo3::exceptions::{PyImportError, PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList, PyTuple};

use crate::arrow::PyArrowStream;
use crate::convert::{require, to_python};
use crate::errors::call;

/// Features of every account as of one day: account ids plus one float column per feature
/// (NaN where a value is missing).
#[pyclass(name = "FeatureFrame", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyFeatureFrame(FeatureFrame);

impl PyFeatureFrame {
    /// Wrap a core frame.
    pub fn new(frame: FeatureFrame) -> Self {
        PyFeatureFrame(frame)
    }

    /// The core frame.
    pub fn inner(&self) -> &FeatureFrame {
        &self.0
    }

    /// The frame as one Arrow record batch: `account_id` (utf8), then one float64 column per
    /// feature, null where the value is missing.
    fn batch(&self) -> PyResult<PyArrowStream> {
        let mut fields = vec![Field::new("account_id", DataType::Utf8, false)];
        let mut arrays: Vec<ArrayRef> =
            vec![Arc::new(StringArray::from_iter_values(&self.0.account_ids))];
        for c in &self.0.columns {
            fields.push(Field::new(&c.name, DataType::Float64, true));
            let nulls = csops_core::columnar::validity(&c.values, |v| !v.is_nan());
            arrays.push(Arc::new(Float64Array::new(
                ScalarBuffer::from(c.values.clone()),
                nulls,
            )));
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
            .map(PyArrowStream)
            .map_err(|e| PyValueError::new_err(format!("the frame as Arrow data: {e}")))
    }

    /// `{name: [values...]}` for every feature column, in column order.
    fn columns_dict<'py>(&self, py: Python<'py>, dict: &Bound<'py, PyDict>) -> PyResult<()> {
        for c in &self.0.columns {
            dict.set_item(&c.name, PyList::new(py, &c.values)?)?;
        }
        Ok(())
    }
}

#[pymethods]
impl PyFeatureFrame {
    /// The as-of day.
    #[getter]
    fn as_of(&self) -> chrono::NaiveDate {
        self.0.as_of
    }

    /// The account ids, one per row.
    #[getter]
    fn account_ids(&self) -> Vec<&str> {
        self.0.account_ids.iter().map(String::as_str).collect()
    }

    /// The feature names, in column order.
    #[getter]
    fn columns(&self) -> Vec<&str> {
        self.0.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// The values of one feature, one per account (NaN where missing). KeyError for an
    /// unknown feature name.
    fn column(&self, name: &str) -> PyResult<Vec<f64>> {
        match self.0.column(name) {
            Some(c) => Ok(c.values.clone()),
            None => Err(PyKeyError::new_err(format!(
                "no feature `{name}`; the features are: {}",
                self.columns().join(", ")
            ))),
        }
    }

    /// The value of one feature for one account; None when missing (or when the account or
    /// feature is not in the frame).
    fn value(&self, account_id: &str, feature: &str) -> Option<f64> {
        self.0.value(account_id, feature)
    }

    /// Values missing for a reason worth telling: dicts with ``account_id``, ``feature`` and
    /// ``why`` (``{"kind": "stale", "last_value_on": ..., "stale_since": ...}`` for a value
    /// older than its maximum age, ``{"kind": "no_value_for_period", "period_end": ...}`` for a
    /// blank cell of the export). Other missing values had no data at all.
    #[getter]
    fn missing_notes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.missing_notes)
    }

    /// Summary statistics of every column: dicts with ``name``, ``present``, ``missing``,
    /// ``mean``, ``min``, ``median`` and ``max`` (None without present values).
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let summary = call(py, || Ok(self.0.summary()))?;
        to_python(py, &summary)
    }

    /// The summary as a text table.
    fn render_summary(&self, py: Python<'_>) -> PyResult<String> {
        call(py, || Ok(self.0.render_summary()))
    }

    /// ``{"account_id": [...], feature: [...], ...}`` (NaN where missing).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("account_id", self.account_ids())?;
        self.columns_dict(py, &d)?;
        Ok(d)
    }

    /// A pandas DataFrame indexed by ``account_id``, one float64 column per feature (NaN where
    /// missing). Needs pandas, imported only when this is called.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pd = py.import("pandas").map_err(|cause| {
            let err = PyImportError::new_err(
                "FeatureFrame.to_pandas() needs pandas, which is not installed \
                 (pip install pandas)",
            );
            err.set_cause(py, Some(cause));
            err
        })?;
        let index_kwargs = PyDict::new(py);
        index_kwargs.set_item("name", "account_id")?;
        let index = pd.call_method("Index", (self.account_ids(),), Some(&index_kwargs))?;
        let data = PyDict::new(py);
        self.columns_dict(py, &data)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("index", index)?;
        kwargs.set_item("columns", self.columns())?;
        kwargs.set_item("dtype", "float64")?;
        pd.call_method("DataFrame", (data,), Some(&kwargs))
    }

    /// A polars DataFrame: ``account_id``, then one Float64 column per feature (null where
    /// missing). Needs polars.
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pl = require(py, "polars", "FeatureFrame.to_polars()")?;
        pl.call_method1("DataFrame", (Bound::new(py, self.batch()?)?,))
    }

    /// A pyarrow Table: ``account_id``, then one float64 column per feature (null where
    /// missing). Needs pyarrow.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pa = require(py, "pyarrow", "FeatureFrame.to_arrow()")?;
        pa.call_method1("table", (Bound::new(py, self.batch()?)?,))
    }

    /// The Arrow PyCapsule stream interface: any Arrow-aware library reads the frame as
    /// ``to_arrow()`` gives it (``polars.DataFrame(frame)``, ``pyarrow.table(frame)``,
    /// ``duckdb.sql("select * from frame")``).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        Bound::new(py, self.batch()?)?
            .call_method1("__arrow_c_stream__", (requested_schema,))?
            .cast_into::<PyCapsule>()
            .map_err(Into::into)
    }

    /// Pickling: the frame as its JSON document (NaN kept as missing).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let text = serde_json::to_string(&self.0)
            .map_err(|e| PyValueError::new_err(format!("the frame as JSON: {e}")))?;
        let restore = py.get_type::<PyFeatureFrame>().getattr("_from_json")?;
        PyTuple::new(py, [restore, PyTuple::new(py, [text])?.into_any()])
    }

    /// The frame from its pickled JSON document.
    #[staticmethod]
    fn _from_json(text: &str) -> PyResult<Self> {
        serde_json::from_str(text)
            .map(PyFeatureFrame)
            .map_err(|e| PyValueError::new_err(format!("not a pickled FeatureFrame: {e}")))
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __repr__(&self) -> String {
        format!("<FeatureFrame {}>", self.0.headline())
    }
}

/// Add the class to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFeatureFrame>()
}
