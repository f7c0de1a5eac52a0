//! Tables in and out of the bindings.
//!
//! **In** (what scoring reads): a `csops.FeatureFrame`, a pandas or polars DataFrame, a pyarrow
//! `Table` or `RecordBatch` or any object speaking the Arrow PyCapsule interface
//! (`__arrow_c_stream__` / `__arrow_c_array__`: duckdb results, ...), or a dict of columns
//! (lists, tuples, numpy arrays, pandas / polars Series). Feature columns are read as float64
//! (NaN = missing) **without copying** where they already are float64 in one piece: a
//! contiguous float64 NumPy array or pandas column, a polars Float64 column without nulls, an
//! Arrow float64 column of one chunk without nulls are read in place by the core. Other dtypes
//! (int, float32, bool), strided views, nulls and several chunks are converted into a new
//! float64 array first. Only the columns a scorecard reads are converted. Account ids are not
//! read to score (the output takes the input's own ids back); only what needs them as text
//! (an explanation, overrides, a model set, an error naming an account) reads them.
//!
//! **Out** ([`Columns`]): the same kind of table as the input (pandas in → pandas out, polars
//! → polars, pyarrow → pyarrow; an Arrow object of another library → a pyarrow Table when
//! pyarrow is installed, else a dict), or for results derived from a book the kind asked for
//! with `frame=` (pandas by default). Numbers leave as NumPy arrays that take over the core's
//! vectors (pandas) or as Arrow buffers handed over without a copy (polars, pyarrow); bands
//! and tiers as categoricals built from their codes, never one Python object per row.
//!
//! **Column types**, the same in every table: dates are `datetime64[s]` in pandas (`NaT`
//! missing), `Date` in polars, `date32` in pyarrow; amounts are float64 in pandas (NaN
//! missing) and exact decimals in polars and pyarrow (`decimal128`; a pyarrow table's
//! `to_pandas()` gives `Decimal` objects), so `frame="pyarrow"` is the exact view of any
//! table; a band is an ordered category of the scorecard's bands, lowest first, missing where
//! unscored; a tier is a category of the tier rules' tiers (rule order, then the default);
//! missing text (an account without an owner) is None / null, never a placeholder.
//!
//! pandas, polars, pyarrow and numpy are never imported to find out what an input is: a
//! DataFrame can only be a pandas (or polars) one if that package is already imported.

use csops_core::features::{FeatureColumn, FeatureFrame};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString};

pub(crate) use crate::convert::{repr, type_name};
pub(crate) use crate::errors::{capped, config, config_problems};

mod categories;
mod read;
mod scores;
mod write;

pub use categories::*;
pub use read::*;
pub use scores::*;
pub use write::*;

/// The name of the account-id column of inputs and outputs.
pub const ACCOUNT_ID: &str = "account_id";

/// What an Arrow input was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrowKind {
    /// A pyarrow `Table`.
    Table,
    /// A pyarrow `RecordBatch`.
    Batch,
    /// Another object speaking the Arrow PyCapsule interface.
    Other,
}

/// What kind of table the input was (and so the output is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `csops.FeatureFrame`: the output is pandas if pandas can be imported, else a dict.
    FeatureFrame,
    /// A pandas DataFrame.
    Pandas,
    /// A polars DataFrame.
    Polars,
    /// Arrow data (pyarrow, or any object with `__arrow_c_stream__` / `__arrow_c_array__`).
    Arrow(ArrowKind),
    /// A mapping of column name to values.
    Dict,
}

/// The kind of table a result is built as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FrameKind {
    /// A pandas DataFrame.
    Pandas,
    /// A polars DataFrame.
    Polars,
    /// A pyarrow Table.
    Arrow,
    /// A pyarrow RecordBatch.
    ArrowBatch,
    /// A dict of columns (numpy arrays, lists).
    Dict,
}

impl FrameKind {
    /// `frame=`: None or `"pandas"` (the default), `"polars"` or `"pyarrow"`; a ConfigError
    /// otherwise.
    pub fn parse(py: Python<'_>, value: Option<&str>) -> PyResult<FrameKind> {
        match value {
            None | Some("pandas") => Ok(FrameKind::Pandas),
            Some("polars") => Ok(FrameKind::Polars),
            Some("pyarrow") => Ok(FrameKind::Arrow),
            Some(other) => Err(config(
                py,
                format!("frame must be \"pandas\", \"polars\" or \"pyarrow\"; got {other:?}"),
            )),
        }
    }

    /// The kind of result for an input of `kind`.
    pub fn of_input(py: Python<'_>, kind: Kind) -> FrameKind {
        match kind {
            Kind::FeatureFrame if py.import("pandas").is_ok() => FrameKind::Pandas,
            Kind::FeatureFrame | Kind::Dict => FrameKind::Dict,
            Kind::Pandas => FrameKind::Pandas,
            Kind::Polars => FrameKind::Polars,
            Kind::Arrow(ArrowKind::Table) => FrameKind::Arrow,
            Kind::Arrow(ArrowKind::Batch) => FrameKind::ArrowBatch,
            Kind::Arrow(ArrowKind::Other) if py.import("pyarrow").is_ok() => FrameKind::Arrow,
            Kind::Arrow(ArrowKind::Other) => FrameKind::Dict,
        }
    }
}

/// A core frame holding copies of borrowed columns, rows named by `account_ids`. Needs no
/// GIL (it can be built while the GIL is released).
pub fn frame_from(columns: &[(&str, &[f64])], account_ids: Vec<String>) -> FeatureFrame {
    FeatureFrame {
        // Not used by scoring: an ad-hoc table has no as-of day.
        as_of: chrono::NaiveDate::default(),
        account_ids,
        columns: columns
            .iter()
            .map(|(name, values)| FeatureColumn {
                name: (*name).to_string(),
                values: values.to_vec(),
            })
            .collect(),
        missing_notes: Vec::new(),
    }
}

/// `module.attr` if `module` is already imported (never imports it).
fn loaded_attr<'py>(
    py: Python<'py>,
    module: &str,
    attr: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let modules = py.import("sys")?.getattr("modules")?;
    match modules.call_method1("get", (module,))? {
        m if m.is_none() => Ok(None),
        m => Ok(Some(m.getattr(attr)?)),
    }
}

/// Whether `value` is an instance of `module.class`, without importing `module`.
pub(crate) fn is_instance_of(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    module: &str,
    class: &str,
) -> bool {
    matches!(loaded_attr(py, module, class), Ok(Some(c)) if value.is_instance(&c).unwrap_or(false))
}

/// numpy, if it can be imported.
pub fn numpy(py: Python<'_>) -> Option<Bound<'_, PyModule>> {
    py.import("numpy").ok()
}

pub use crate::convert::require;

/// A Python sequence-like value (list, tuple, numpy array, pandas or polars Series, Index)
/// as a list.
pub(crate) fn as_list<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    if let Ok(list) = value.cast::<PyList>() {
        return Ok(list.clone());
    }
    let list = if value.hasattr("to_list")? {
        value.call_method0("to_list")?
    } else if value.hasattr("tolist")? {
        value.call_method0("tolist")?
    } else {
        value.py().get_type::<PyList>().call1((value,))?
    };
    Ok(list.cast_into::<PyList>()?)
}

/// Whether a value stands for a missing one: None, a float NaN, `pd.NA` or `pd.NaT`.
pub(crate) fn is_missing(value: &Bound<'_, PyAny>) -> bool {
    if value.is_none() {
        return true;
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return f.value().is_nan();
    }
    matches!(type_name(value).as_str(), "NAType" | "NaTType")
}

/// One account id: a string, or an integer (as its decimal text).
pub fn account_id_text(value: &Bound<'_, PyAny>) -> Result<String, String> {
    if let Ok(s) = value.cast::<PyString>() {
        return s
            .to_cow()
            .map(|s| s.into_owned())
            .map_err(|e| e.to_string());
    }
    if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        return value
            .str()
            .map(|s| s.to_string())
            .map_err(|e| e.to_string());
    }
    if is_missing(value) {
        return Err("the account id is missing".to_string());
    }
    Err(format!(
        "an account id must be a string or an integer, got {} {}",
        type_name(value),
        repr(value)
    ))
}

/// The account ids of a column or index: every one a string or an integer.
pub(crate) fn read_ids(py: Python<'_>, ids: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let list = as_list(ids).map_err(|e| config(py, format!("{ACCOUNT_ID}: {e}")))?;
    let mut out = Vec::with_capacity(list.len());
    let mut problems = Vec::new();
    for (i, item) in list.iter().enumerate() {
        match account_id_text(&item) {
            Ok(id) => out.push(id),
            Err(why) => problems.push(format!("{ACCOUNT_ID}, position {i}: {why}")),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(config_problems(py, capped(problems)))
    }
}
