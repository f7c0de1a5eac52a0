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

use std::borrow::Cow;
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, DictionaryArray, Float64Array,
    Int8Array, Int64Array, RecordBatch, StringArray, UInt8Array,
};
use arrow_buffer::{NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema};
use chrono::{NaiveDate, NaiveTime};
use csops_core::features::{FeatureColumn, FeatureFrame};
use csops_core::health::{NOT_SCORED, ScoreFrame};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use rust_decimal::Decimal;

use crate::arrow::{self, ArrowTable, PyArrowStream};
pub(crate) use crate::convert::{repr, type_name};
pub(crate) use crate::errors::{capped, config, config_problems};
use crate::features::PyFeatureFrame;
use crate::pool;

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

/// The values of one feature column, read for scoring.
#[derive(Debug)]
pub enum Values<'py> {
    /// A contiguous float64 NumPy array, borrowed read-only: the core reads its memory in
    /// place (the borrow guard keeps the array alive and unborrowable for writing by Rust).
    Array(PyReadonlyArray1<'py, f64>),
    /// An Arrow column: borrowed in place (one float64 chunk without nulls) or converted.
    Arrow(arrow::Floats),
    /// Values converted element by element (a list or tuple, or a column without numpy).
    Owned(Vec<f64>),
}

impl Values<'_> {
    /// The values as a slice.
    pub fn as_slice(&self) -> &[f64] {
        match self {
            // Contiguous: checked when the array was read (`floats_from_array`), so the empty
            // fallback is never taken (and would be reported by the core as a ragged column).
            Values::Array(a) => a.as_slice().unwrap_or(&[]),
            Values::Arrow(a) => a.as_slice(),
            Values::Owned(v) => v,
        }
    }
}

/// The account ids of an input, as given.
#[derive(Debug)]
pub enum Ids<'py> {
    /// A Python object: a pandas index, a column (Series, list, array).
    Python(Bound<'py, PyAny>),
    /// An Arrow column's chunks.
    Arrow(Vec<ArrayRef>),
}

/// A table read for scoring.
#[derive(Debug)]
pub enum Input<'py> {
    /// A `csops.FeatureFrame`, scored as it is.
    Frame(Bound<'py, PyFeatureFrame>),
    /// Any other table, its feature columns read (borrowed where they are float64 memory).
    Table {
        /// The kind of table.
        kind: Kind,
        /// The table itself (to look up a segments column).
        data: Bound<'py, PyAny>,
        /// The table as Arrow data, for an Arrow input.
        arrow: Option<ArrowTable>,
        /// The account ids as given (an index, a column, a list), for the output and, read as
        /// text, for what needs them; `None` when the input had none (rows are named by
        /// position).
        ids: Option<Ids<'py>>,
        /// The number of rows.
        rows: usize,
        /// The feature columns the scorecard reads that the table has, by feature name.
        columns: Vec<(String, Values<'py>)>,
    },
}

impl Input<'_> {
    /// The feature columns, borrowed: what `Scorecard::score_columns` reads.
    pub fn columns(&self) -> Vec<(&str, &[f64])> {
        match self {
            Input::Frame(f) => f
                .get()
                .inner()
                .columns
                .iter()
                .map(|c| (c.name.as_str(), c.values.as_slice()))
                .collect(),
            Input::Table { columns, .. } => columns
                .iter()
                .map(|(name, values)| (name.as_str(), values.as_slice()))
                .collect(),
        }
    }

    /// The account ids as text, when the input has them (a frame's, or given as an index or
    /// column): every one a string or an integer, else a ConfigError naming the position.
    pub fn account_ids(&self, py: Python<'_>) -> PyResult<Option<Cow<'_, [String]>>> {
        match self {
            Input::Frame(f) => Ok(Some(Cow::Borrowed(&f.get().inner().account_ids))),
            Input::Table { ids: None, .. } => Ok(None),
            Input::Table {
                ids: Some(Ids::Python(ids)),
                ..
            } => read_ids(py, ids).map(|v| Some(Cow::Owned(v))),
            Input::Table {
                ids: Some(Ids::Arrow(chunks)),
                ..
            } => arrow::ids(chunks)
                .map(|v| Some(Cow::Owned(v)))
                .map_err(|why| config(py, format!("{ACCOUNT_ID}: {why}"))),
        }
    }

    /// The names of the rows: the account ids, or the row positions as text.
    pub fn row_ids(&self, py: Python<'_>) -> PyResult<Cow<'_, [String]>> {
        Ok(match self.account_ids(py)? {
            Some(ids) => ids,
            None => Cow::Owned((0..self.rows()).map(|i| i.to_string()).collect()),
        })
    }

    /// The number of rows.
    pub fn rows(&self) -> usize {
        match self {
            Input::Frame(f) => f.get().inner().len(),
            Input::Table { rows, .. } => *rows,
        }
    }

    /// A core frame of the input, for the core calls that need one (explanations, model
    /// sets): a `csops.FeatureFrame` as it is, any other table's columns copied once.
    pub fn frame(&self, py: Python<'_>) -> PyResult<Cow<'_, FeatureFrame>> {
        match self {
            Input::Frame(f) => Ok(Cow::Borrowed(f.get().inner())),
            Input::Table { .. } => {
                let ids = self.row_ids(py)?.into_owned();
                Ok(Cow::Owned(frame_from(&self.columns(), ids)))
            }
        }
    }

    /// The kind of table.
    pub fn kind(&self) -> Kind {
        match self {
            Input::Frame(_) => Kind::FeatureFrame,
            Input::Table { kind, .. } => *kind,
        }
    }
}

impl<'py> Input<'py> {
    /// The ids for an output table: as given (the same object back), or the positions.
    pub fn ids_column(&self) -> Col<'py> {
        match self {
            Input::Table {
                ids: Some(Ids::Python(ids)),
                ..
            } => Col::Python(ids.clone().into_any()),
            Input::Table {
                ids: Some(Ids::Arrow(chunks)),
                ..
            } => match chunks.as_slice() {
                [one] => Col::Arrow(one.clone()),
                _ => Col::Texts(arrow::texts(chunks).unwrap_or_else(|| {
                    arrow::ids(chunks)
                        .unwrap_or_default()
                        .into_iter()
                        .map(Some)
                        .collect()
                })),
            },
            Input::Frame(f) => Col::Texts(
                f.get()
                    .inner()
                    .account_ids
                    .iter()
                    .cloned()
                    .map(Some)
                    .collect(),
            ),
            // No ids: the rows' positions, as text (as `explain` names them).
            _ => Col::Texts((0..self.rows()).map(|i| Some(i.to_string())).collect()),
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

/// A list or tuple of numbers (None or NaN = missing), element by element.
fn floats_from_sequence(py: Python<'_>, name: &str, seq: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, item) in seq.try_iter()?.enumerate() {
        let item = item?;
        let is_text = item.is_instance_of::<PyString>();
        match item.extract::<f64>() {
            _ if item.is_none() => out.push(f64::NAN),
            Ok(v) if !is_text => out.push(v),
            _ => {
                out.push(f64::NAN);
                problems.push(format!(
                    "column `{name}`, position {i}: {} is not a number",
                    repr(&item)
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(config_problems(py, capped(problems)))
    }
}

/// A one-dimensional numeric NumPy array as a contiguous float64 one, borrowed read-only:
/// NumPy converts it only if it is not one already (another dtype, a strided view, another
/// byte order); a float64 contiguous array is read in place, never copied.
fn floats_from_array<'py>(
    py: Python<'py>,
    np: &Bound<'py, PyModule>,
    name: &str,
    array: &Bound<'py, PyAny>,
) -> PyResult<Values<'py>> {
    let ndim: usize = array.getattr("ndim")?.extract()?;
    if ndim != 1 {
        return Err(config(
            py,
            format!("column `{name}` must be one-dimensional, it has {ndim} dimensions"),
        ));
    }
    let kind: String = array.getattr("dtype")?.getattr("kind")?.extract()?;
    if !matches!(kind.as_str(), "b" | "i" | "u" | "f") {
        return Err(not_numeric(py, name, &array.getattr("dtype")?));
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("dtype", np.getattr("float64")?)?;
    let floats = np
        .call_method("ascontiguousarray", (array,), Some(&kwargs))
        .map_err(|e| config(py, format!("column `{name}`: {e}")))?;
    let floats = floats.cast_into::<PyArray1<f64>>()?;
    let readonly = floats.try_readonly().map_err(|e| {
        config(
            py,
            format!("column `{name}`: the array cannot be read ({e})"),
        )
    })?;
    if readonly.as_slice().is_ok() {
        Ok(Values::Array(readonly))
    } else {
        // Contiguous by construction; were it not (or misaligned), it is copied, not misread.
        Ok(Values::Owned(readonly.as_array().iter().copied().collect()))
    }
}

/// The error for a column that is not numeric.
fn not_numeric(py: Python<'_>, name: &str, dtype: &Bound<'_, PyAny>) -> PyErr {
    config(
        py,
        format!(
            "column `{name}` has dtype {}, not a number; features must be numeric or boolean \
             (convert it first, e.g. with pandas.to_numeric)",
            dtype
                .str()
                .map_or_else(|_| "?".to_string(), |s| s.to_string())
        ),
    )
}

/// One feature column as float64 values (NaN = missing), from a list, tuple, numpy array,
/// pandas Series or polars Series: borrowed NumPy memory where it can be.
pub(crate) fn float_column<'py>(
    py: Python<'py>,
    name: &str,
    col: &Bound<'py, PyAny>,
) -> PyResult<Values<'py>> {
    if col.is_instance_of::<PyList>() || col.is_instance_of::<PyTuple>() {
        return floats_from_sequence(py, name, col).map(Values::Owned);
    }
    if is_instance_of(py, col, "polars", "Series") {
        let pl = require(py, "polars", "reading a polars column")?;
        let dtype = col.getattr("dtype")?;
        let numeric =
            dtype.call_method0("is_numeric")?.is_truthy()? || dtype.eq(pl.getattr("Boolean")?)?;
        if !numeric {
            return Err(not_numeric(py, name, &dtype));
        }
        let floats = col.call_method1("cast", (pl.getattr("Float64")?,))?;
        return match numpy(py) {
            Some(np) => floats_from_array(py, &np, name, &floats.call_method0("to_numpy")?),
            None => {
                floats_from_sequence(py, name, &floats.call_method0("to_list")?).map(Values::Owned)
            }
        };
    }
    let Some(np) = numpy(py) else {
        return Err(config(
            py,
            format!(
                "column `{name}`: a {} needs numpy to be read, which is not installed; \
                 pass a list of numbers instead",
                type_name(col)
            ),
        ));
    };
    if is_instance_of(py, col, "pandas", "Series") {
        let dtype = col.getattr("dtype")?;
        if !dtype.is_instance(&np.getattr("dtype")?)? {
            // An extension dtype (nullable Int64/Float64/boolean, pyarrow, category, ...):
            // check its kind, then let pandas turn <NA> into NaN.
            let kind: String = dtype.getattr("kind")?.extract()?;
            if !matches!(kind.as_str(), "b" | "i" | "u" | "f") {
                return Err(not_numeric(py, name, &dtype));
            }
            let kwargs = PyDict::new(py);
            kwargs.set_item("dtype", "float64")?;
            kwargs.set_item("na_value", f64::NAN)?;
            let array = col
                .call_method("to_numpy", (), Some(&kwargs))
                .map_err(|e| config(py, format!("column `{name}`: {e}")))?;
            return floats_from_array(py, &np, name, &array);
        }
        // The values by the method (a view, not a copy): `numpy.asarray(series)` first looks
        // for `__array_struct__` and `__array_interface__` on the Series, and pandas answers
        // an unknown attribute by looking the name up in the index, which builds the index's
        // hash table (for a million string ids, ~85 MB kept with the frame, and time).
        let array = col
            .call_method0("to_numpy")
            .map_err(|e| config(py, format!("column `{name}`: {e}")))?;
        return floats_from_array(py, &np, name, &array);
    }
    let array = np
        .call_method1("asarray", (col,))
        .map_err(|e| config(py, format!("column `{name}`: {e}")))?;
    floats_from_array(py, &np, name, &array)
}

/// The columns of a table: how to test for and get one by name.
pub(crate) fn get_column<'py>(
    kind: Kind,
    data: &Bound<'py, PyAny>,
    name: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    match kind {
        Kind::Pandas => {
            if !data.getattr("columns")?.contains(name)? {
                return Ok(None);
            }
            let col = data.get_item(name)?;
            if is_instance_of(data.py(), &col, "pandas", "DataFrame") {
                return Err(config(
                    data.py(),
                    format!("column `{name}` appears more than once in the DataFrame"),
                ));
            }
            Ok(Some(col))
        }
        Kind::Polars => {
            if !data.getattr("columns")?.contains(name)? {
                return Ok(None);
            }
            Ok(Some(data.call_method1("get_column", (name,))?))
        }
        // Arrow data is read as Arrow (see `import_arrow`), never column by column here.
        Kind::Arrow(_) => Ok(None),
        Kind::Dict | Kind::FeatureFrame => {
            let mapping = data.cast::<PyMapping>()?;
            if !mapping.contains(name)? {
                return Ok(None);
            }
            Ok(Some(mapping.get_item(name)?))
        }
    }
}

/// The number of rows of a column-like value.
fn length(py: Python<'_>, name: &str, col: &Bound<'_, PyAny>) -> PyResult<usize> {
    col.len()
        .map_err(|e| config(py, format!("column `{name}` has no length ({e})")))
}

/// What kind of table `data` is (not a `csops.FeatureFrame`); TypeError for anything else.
pub(crate) fn kind_of(py: Python<'_>, data: &Bound<'_, PyAny>, what: &str) -> PyResult<Kind> {
    Ok(if is_instance_of(py, data, "pandas", "DataFrame") {
        Kind::Pandas
    } else if is_instance_of(py, data, "polars", "DataFrame") {
        Kind::Polars
    } else if is_instance_of(py, data, "pyarrow", "Table") {
        Kind::Arrow(ArrowKind::Table)
    } else if is_instance_of(py, data, "pyarrow", "RecordBatch") {
        Kind::Arrow(ArrowKind::Batch)
    } else if data.is_instance_of::<PyDict>() || data.cast::<PyMapping>().is_ok() {
        Kind::Dict
    } else if arrow::speaks_arrow(data) {
        Kind::Arrow(ArrowKind::Other)
    } else {
        return Err(crate::errors::argument_error(format!(
            "{what} must be a pandas or polars DataFrame, a pyarrow Table or RecordBatch (or any \
             object with __arrow_c_stream__), a dict of columns or a csops.FeatureFrame; got {}",
            type_name(data)
        )));
    })
}

/// An Arrow input as Arrow data: only the columns named in `wanted` (and `account_id`) for a
/// pyarrow Table or RecordBatch (selected first, without a copy), every column otherwise.
pub(crate) fn import_arrow(
    py: Python<'_>,
    kind: ArrowKind,
    data: &Bound<'_, PyAny>,
    wanted: Option<&[&str]>,
) -> PyResult<ArrowTable> {
    let source = match (kind, wanted) {
        (ArrowKind::Table | ArrowKind::Batch, Some(wanted)) => {
            let names: Vec<String> = data.getattr("schema")?.getattr("names")?.extract()?;
            let mut keep: Vec<&str> = Vec::new();
            for n in wanted.iter().copied().chain([ACCOUNT_ID]) {
                if names.iter().any(|x| x == n) && !keep.contains(&n) {
                    keep.push(n);
                }
            }
            if keep.len() == names.len() {
                data.clone()
            } else {
                // A RecordBatch of no columns has no rows: keep one column for the count.
                if keep.is_empty()
                    && let Some(first) = names.first()
                {
                    keep.push(first.as_str());
                }
                data.call_method1("select", (keep,))?
            }
        }
        _ => data.clone(),
    };
    arrow::import(py, &source)
}

/// Read `data` for scoring: a `csops.FeatureFrame` as it is; a pandas DataFrame (account ids
/// from an `account_id` column, else the index), a polars DataFrame, Arrow data or a mapping
/// (account ids from an `account_id` column, else row positions) by converting the columns
/// named in `features` that it has (the scorer reports the ones it lacks).
pub fn read_input<'py>(data: &Bound<'py, PyAny>, features: &[&str]) -> PyResult<Input<'py>> {
    let py = data.py();
    if let Ok(frame) = data.cast::<PyFeatureFrame>() {
        return Ok(Input::Frame(frame.clone()));
    }
    let kind = kind_of(py, data, "data")?;
    if let Kind::Arrow(arrow_kind) = kind {
        return read_arrow_input(py, arrow_kind, data, features);
    }

    let ids = match get_column(kind, data, ACCOUNT_ID)? {
        Some(col) => Some(col),
        None if kind == Kind::Pandas => Some(data.getattr("index")?),
        None => None,
    };
    let id_rows = ids
        .as_ref()
        .map(|i| length(py, ACCOUNT_ID, i))
        .transpose()?;
    if let Some(ids) = &ids {
        check_ids(py, ids)?;
    }

    // A polars frame's feature columns are read as Arrow data: float64 ones without nulls in
    // place, others converted here (polars' own `to_numpy` converts nulls slowly).
    let polars_arrow = if kind == Kind::Polars && data.hasattr("__arrow_c_stream__")? {
        let names: Vec<String> = data.getattr("columns")?.extract()?;
        let mut keep: Vec<&str> = Vec::new();
        for &f in features {
            if names.iter().any(|n| n == f) && !keep.contains(&f) {
                keep.push(f);
            }
        }
        if keep.is_empty() {
            None
        } else {
            Some(import_arrow(
                py,
                ArrowKind::Other,
                &data.call_method1("select", (keep,))?,
                None,
            )?)
        }
    } else {
        None
    };
    let mut columns: Vec<(String, Values<'py>)> = Vec::new();
    let mut rows = id_rows;
    let mut problems = Vec::new();
    for &name in features {
        if columns.iter().any(|(c, _)| c == name) {
            continue; // two measures reading one feature
        }
        let Some(col) = get_column(kind, data, name)? else {
            continue;
        };
        let n = length(py, name, &col)?;
        match rows {
            None => rows = Some(n),
            Some(want) if want != n => {
                problems.push(if id_rows.is_some() {
                    format!("column `{name}` has {n} values for {want} account ids")
                } else {
                    format!("column `{name}` has {n} values where other columns have {want}")
                });
                continue;
            }
            Some(_) => {}
        }
        let arrow_values = polars_arrow
            .as_ref()
            .and_then(|t| t.column(name))
            .and_then(|chunks| arrow::floats(chunks).ok());
        let values = match arrow_values {
            Some(v) => Values::Arrow(v),
            // Not numeric: polars' dtype in the error.
            None => float_column(py, name, &col)?,
        };
        columns.push((name.to_string(), values));
    }
    if !problems.is_empty() {
        return Err(config_problems(py, problems));
    }
    Ok(Input::Table {
        kind,
        data: data.clone(),
        arrow: None,
        ids: ids.map(Ids::Python),
        rows: rows.unwrap_or(0),
        columns,
    })
}

/// Check that account ids are each a string or an integer without reading them one by one
/// where the container knows its type: a pandas index or Series of strings or integers
/// without missing values (pandas caches what an index holds), a polars String or integer
/// column without nulls, a NumPy array of str or integers. Anything else is read id by id
/// (a ConfigError naming the positions of bad ones).
fn check_ids(py: Python<'_>, ids: &Bound<'_, PyAny>) -> PyResult<()> {
    let known = if is_instance_of(py, ids, "pandas", "Index")
        || is_instance_of(py, ids, "pandas", "Series")
    {
        let pd = require(py, "pandas", "reading account ids")?;
        let dtype = ids.getattr("dtype")?;
        let kind: String = dtype.getattr("kind")?.extract()?;
        let no_missing = || -> PyResult<bool> { Ok(!ids.getattr("hasnans")?.is_truthy()?) };
        if dtype.is_instance(&pd.getattr("StringDtype")?)? {
            // Text by its dtype: only missing values to rule out (vectorised).
            no_missing()?
        } else if matches!(kind.as_str(), "i" | "u") {
            no_missing()?
        } else if kind == "O" {
            // Python objects: pandas works out what they are (cached on an index).
            let t: String = if ids.hasattr("inferred_type")? {
                ids.getattr("inferred_type")?.extract()?
            } else {
                let kwargs = PyDict::new(py);
                kwargs.set_item("skipna", false)?;
                pd.getattr("api")?
                    .getattr("types")?
                    .call_method("infer_dtype", (ids,), Some(&kwargs))?
                    .extract()?
            };
            no_missing()? && matches!(t.as_str(), "string" | "integer" | "empty")
        } else {
            false
        }
    } else if is_instance_of(py, ids, "polars", "Series") {
        let pl = require(py, "polars", "reading account ids")?;
        let dtype = ids.getattr("dtype")?;
        ids.call_method0("null_count")?.extract::<usize>()? == 0
            && (dtype.eq(pl.getattr("String")?)?
                || dtype.call_method0("is_integer")?.is_truthy()?)
    } else if !ids.is_instance_of::<PyList>()
        && !ids.is_instance_of::<PyTuple>()
        && ids.hasattr("dtype")?
    {
        ids.getattr("dtype")?
            .getattr("kind")
            .and_then(|k| k.extract::<String>())
            .is_ok_and(|k| matches!(k.as_str(), "U" | "i" | "u"))
    } else {
        false
    };
    if known {
        Ok(())
    } else {
        read_ids(py, ids).map(|_| ())
    }
}

/// [`read_input`] of Arrow data.
fn read_arrow_input<'py>(
    py: Python<'py>,
    arrow_kind: ArrowKind,
    data: &Bound<'py, PyAny>,
    features: &[&str],
) -> PyResult<Input<'py>> {
    let table = import_arrow(py, arrow_kind, data, Some(features))?;
    let mut columns: Vec<(String, Values<'py>)> = Vec::new();
    for &name in features {
        if columns.iter().any(|(c, _)| c == name) {
            continue;
        }
        let Some(chunks) = table.column(name) else {
            continue;
        };
        let values = arrow::floats(chunks).map_err(|t| {
            config(
                py,
                format!(
                    "column `{name}` has Arrow type {t}, not a number; features must be \
                     numeric or boolean"
                ),
            )
        })?;
        columns.push((name.to_string(), Values::Arrow(values)));
    }
    let ids = table.column(ACCOUNT_ID).map(|c| c.to_vec());
    if let Some(chunks) = &ids {
        let typed = chunks.iter().all(|c| {
            c.null_count() == 0
                && (c.data_type().is_integer()
                    || matches!(
                        c.data_type(),
                        arrow_schema::DataType::Utf8
                            | arrow_schema::DataType::LargeUtf8
                            | arrow_schema::DataType::Utf8View
                    ))
        });
        if !typed {
            arrow::ids(chunks).map_err(|why| config(py, format!("{ACCOUNT_ID}: {why}")))?;
        }
    }
    let ids = ids.map(Ids::Arrow);
    Ok(Input::Table {
        kind: Kind::Arrow(arrow_kind),
        data: data.clone(),
        rows: table.rows,
        arrow: Some(table),
        ids,
        columns,
    })
}

/// `segments=`: None, one segment name (a string) per row, or the name of a column of the
/// input holding them.
pub fn read_segments(
    py: Python<'_>,
    input: &Input<'_>,
    segments: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Vec<String>>> {
    let Some(segments) = segments.filter(|s| !s.is_none()) else {
        return Ok(None);
    };
    let values = if let Ok(column) = segments.cast::<PyString>() {
        let column = column.to_cow()?;
        let Input::Table {
            kind, data, arrow, ..
        } = input
        else {
            return Err(config(
                py,
                format!(
                    "segments: a csops.FeatureFrame has no column `{column}` of segments; \
                     pass a list with one segment per account"
                ),
            ));
        };
        if let Kind::Arrow(k) = kind {
            // The columns read for scoring may not hold it: read it on its own.
            let table = match arrow.as_ref().and_then(|t| t.column(&column)) {
                Some(_) => None,
                None => Some(import_arrow(py, *k, data, Some(&[column.as_ref()]))?),
            };
            let chunks = table
                .as_ref()
                .or(arrow.as_ref())
                .and_then(|t| t.column(&column))
                .ok_or_else(|| {
                    config(py, format!("segments: the data has no column `{column}`"))
                })?;
            let texts = arrow::texts(chunks).ok_or_else(|| {
                config(
                    py,
                    format!("segments: column `{column}` does not hold text"),
                )
            })?;
            let mut out = Vec::with_capacity(texts.len());
            let mut problems = Vec::new();
            for (i, t) in texts.into_iter().enumerate() {
                match t {
                    Some(t) => out.push(t),
                    None => {
                        problems.push(format!("segments, position {i}: the segment is missing"))
                    }
                }
            }
            return if problems.is_empty() {
                Ok(Some(out))
            } else {
                Err(config_problems(py, capped(problems)))
            };
        }
        match get_column(*kind, data, &column)? {
            Some(col) => col,
            None => {
                return Err(config(
                    py,
                    format!("segments: the data has no column `{column}`"),
                ));
            }
        }
    } else {
        segments.clone()
    };
    let list = as_list(&values).map_err(|e| {
        config(
            py,
            format!("segments must be a sequence of strings or a column name ({e})"),
        )
    })?;
    let mut out = Vec::with_capacity(list.len());
    let mut problems = Vec::new();
    for (i, item) in list.iter().enumerate() {
        match item.cast::<PyString>() {
            Ok(s) => out.push(s.to_cow()?.into_owned()),
            Err(_) => problems.push(format!(
                "segments, position {i}: {} is not a string",
                repr(&item)
            )),
        }
    }
    if problems.is_empty() {
        Ok(Some(out))
    } else {
        Err(config_problems(py, capped(problems)))
    }
}

// Tables out -------------------------------------------------------------------------------

/// One column of a result.
#[derive(Debug)]
pub enum Col<'py> {
    /// Numbers. `nan_is_null`: NaN means missing (null in polars and pyarrow); otherwise the
    /// values are kept as they are (no scan for NaN).
    Floats {
        /// The values.
        values: Vec<f64>,
        /// Whether NaN stands for missing.
        nan_is_null: bool,
    },
    /// Numbers whose missing values are already known (`None`: none missing), NaN where
    /// missing: scores, missing exactly where the band code is, so the bitmap is made from
    /// the band's bytes rather than by a scan of the numbers.
    Masked {
        /// The values.
        values: Vec<f64>,
        /// Which are present (for Arrow; pandas and dicts read the NaN).
        nulls: Option<NullBuffer>,
    },
    /// Counts (int64).
    Ints(Vec<i64>),
    /// Text, None where missing.
    Texts(Vec<Option<String>>),
    /// Categories by code (`None`: missing): pandas `Categorical`, polars `Enum`, Arrow
    /// dictionary.
    Category {
        /// Each row's category.
        codes: Vec<Option<u16>>,
        /// The categories, in order.
        names: Vec<String>,
        /// Whether the order means something (bands: red < yellow < green).
        ordered: bool,
    },
    /// Categories by a byte code ([`NOT_SCORED`], 255: missing; at most 127 categories, so
    /// that the codes read as signed bytes are pandas' and Arrow's, -1 missing): as
    /// `Category`, the codes handed over without a copy.
    Codes {
        /// Each row's category.
        codes: Vec<u8>,
        /// The categories, in order.
        names: Vec<String>,
        /// Whether the order means something.
        ordered: bool,
    },
    /// Yes/no, None where missing (pandas `boolean`).
    Bools(Vec<Option<bool>>),
    /// Days, None where missing.
    Dates(Vec<Option<NaiveDate>>),
    /// Exact amounts (`Decimal`; polars and pyarrow decimals).
    Decimals(Vec<Option<Decimal>>),
    /// Python values as they are (a list of dicts, an index or Series given by the caller).
    Python(Bound<'py, PyAny>),
    /// An Arrow column as read (handed back without a copy).
    Arrow(ArrayRef),
}

impl Col<'_> {
    /// Numbers, NaN where missing.
    pub fn floats(values: Vec<f64>) -> Self {
        Col::Floats {
            values,
            nan_is_null: true,
        }
    }
}

/// The columns of a result being built, in order, with an optional index (the row names:
/// pandas' index, the first column elsewhere).
pub struct Columns<'py> {
    py: Python<'py>,
    index: Option<(String, Col<'py>)>,
    columns: Vec<(String, Col<'py>)>,
}

impl std::fmt::Debug for Columns<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Columns")
            .field("index", &self.index)
            .field("columns", &self.columns)
            .finish()
    }
}

impl<'py> Columns<'py> {
    /// No columns yet.
    pub fn new(py: Python<'py>) -> Self {
        Columns {
            py,
            index: None,
            columns: Vec::new(),
        }
    }

    /// Name the rows: pandas' index; the first column of any other kind.
    pub fn index(&mut self, name: impl Into<String>, col: Col<'py>) {
        self.index = Some((name.into(), col));
    }

    /// A column.
    pub fn col(&mut self, name: impl Into<String>, col: Col<'py>) {
        self.columns.push((name.into(), col));
    }

    /// Numbers (float64; NaN where missing).
    pub fn floats(&mut self, name: impl Into<String>, values: impl IntoIterator<Item = f64>) {
        self.col(name, Col::floats(values.into_iter().collect()));
    }

    /// Optional numbers, NaN where missing.
    pub fn opt_floats(
        &mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<f64>>,
    ) {
        self.floats(name, values.into_iter().map(|v| v.unwrap_or(f64::NAN)));
    }

    /// Counts (int64).
    pub fn ints(&mut self, name: impl Into<String>, values: impl IntoIterator<Item = u64>) {
        let v = values
            .into_iter()
            .map(|v| i64::try_from(v).unwrap_or(i64::MAX))
            .collect();
        self.col(name, Col::Ints(v));
    }

    /// Text, None where missing.
    pub fn texts<S: AsRef<str>>(
        &mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<S>>,
    ) {
        let v = values
            .into_iter()
            .map(|s| s.map(|s| s.as_ref().to_string()))
            .collect();
        self.col(name, Col::Texts(v));
    }

    /// Text, every value present.
    pub fn strs<S: AsRef<str>>(
        &mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = S>,
    ) {
        self.texts(name, values.into_iter().map(Some));
    }

    /// Any values pyo3 converts (dicts, lists, ...), as a Python list.
    pub fn list<T: IntoPyObject<'py>>(
        &mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = T, IntoIter: ExactSizeIterator>,
    ) -> PyResult<()> {
        let list = PyList::new(self.py, values)?;
        self.col(name, Col::Python(list.into_any()));
        Ok(())
    }

    /// Yes/no with missing values.
    pub fn opt_bools(&mut self, name: impl Into<String>, values: Vec<Option<bool>>) {
        self.col(name, Col::Bools(values));
    }

    /// Yes/no.
    pub fn bools(&mut self, name: impl Into<String>, values: impl IntoIterator<Item = bool>) {
        self.col(name, Col::Bools(values.into_iter().map(Some).collect()));
    }

    /// Days.
    pub fn dates(&mut self, name: impl Into<String>, values: impl IntoIterator<Item = NaiveDate>) {
        self.col(name, Col::Dates(values.into_iter().map(Some).collect()));
    }

    /// Days, None where missing.
    pub fn opt_dates(
        &mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<NaiveDate>>,
    ) {
        self.col(name, Col::Dates(values.into_iter().collect()));
    }

    /// Exact amounts.
    pub fn decimals(&mut self, name: impl Into<String>, values: impl IntoIterator<Item = Decimal>) {
        self.col(name, Col::Decimals(values.into_iter().map(Some).collect()));
    }

    /// Bands, the same dtype in every table: an ordered category of `order` (a scorecard's
    /// bands, lowest first), missing where a row has no band (unscored). A band not in
    /// `order` is added after them rather than lost.
    pub fn bands<'a>(
        &mut self,
        name: impl Into<String>,
        order: &[impl AsRef<str>],
        values: impl IntoIterator<Item = Option<&'a str>>,
    ) {
        self.category_of(name, order, values, true);
    }

    /// Tiers, the same dtype in every table: a category of the rules' tiers (rule order, then
    /// the default).
    pub fn tiers<'a>(
        &mut self,
        name: impl Into<String>,
        order: &[impl AsRef<str>],
        values: impl IntoIterator<Item = Option<&'a str>>,
    ) {
        self.category_of(name, order, values, false);
    }

    /// Categories of `order` by name, missing where a row has none; a name not in `order` is
    /// added after them rather than lost.
    fn category_of<'a>(
        &mut self,
        name: impl Into<String>,
        order: &[impl AsRef<str>],
        values: impl IntoIterator<Item = Option<&'a str>>,
        ordered: bool,
    ) {
        let mut names: Vec<String> = order.iter().map(|n| n.as_ref().to_string()).collect();
        let codes: Vec<Option<usize>> = values
            .into_iter()
            .map(|v| {
                v.map(|v| match names.iter().position(|n| n == v) {
                    Some(i) => i,
                    None => {
                        names.push(v.to_string());
                        names.len() - 1
                    }
                })
            })
            .collect();
        self.category(name, &names, codes, ordered);
    }

    /// Categories: each row's category by name (`names` in their order).
    pub fn category<S: AsRef<str>>(
        &mut self,
        name: impl Into<String>,
        names: &[S],
        values: impl IntoIterator<Item = Option<usize>>,
        ordered: bool,
    ) {
        let codes = values
            .into_iter()
            .map(|v| v.and_then(|v| u16::try_from(v).ok()))
            .collect();
        self.col(
            name,
            Col::Category {
                codes,
                names: names.iter().map(|n| n.as_ref().to_string()).collect(),
                ordered,
            },
        );
    }

    /// The table, as `kind`; `what` names it in an ImportError when its package is missing.
    pub fn build(self, kind: FrameKind, what: &str) -> PyResult<Bound<'py, PyAny>> {
        match kind {
            FrameKind::Pandas => self.pandas(what),
            FrameKind::Polars => self.polars(what),
            FrameKind::Arrow => self.pyarrow(what, false),
            FrameKind::ArrowBatch => self.pyarrow(what, true),
            FrameKind::Dict => self.dict(),
        }
    }

    /// A column as a Python value for pandas or a dict.
    fn python_value(
        py: Python<'py>,
        pd: Option<&Bound<'py, PyModule>>,
        col: Col<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let with_numpy = pd.is_some() || numpy(py).is_some();
        Ok(match col {
            Col::Floats { values, .. } | Col::Masked { values, .. } if with_numpy => {
                pool::numpy(py, values, &pool::F64)?
            }
            Col::Floats { values, .. } | Col::Masked { values, .. } => {
                PyList::new(py, values)?.into_any()
            }
            Col::Ints(v) if with_numpy => PyArray1::from_vec(py, v).into_any(),
            Col::Ints(v) => PyList::new(py, v)?.into_any(),
            Col::Texts(v) => PyList::new(py, v)?.into_any(),
            Col::Category {
                codes,
                names,
                ordered,
            } if names.len() <= 127 => {
                let c = byte_codes(&codes);
                Self::python_value(
                    py,
                    pd,
                    Col::Codes {
                        codes: c,
                        names,
                        ordered,
                    },
                )?
            }
            Col::Category {
                codes,
                names,
                ordered,
            } => match pd {
                Some(pd) => {
                    let codes: Vec<i16> = codes
                        .iter()
                        .map(|c| c.map_or(-1, |c| i16::try_from(c).unwrap_or(-1)))
                        .collect();
                    categorical(
                        pd,
                        PyArray1::from_vec(py, codes).into_any(),
                        &names,
                        ordered,
                    )?
                }
                None => category_list(py, &names, codes.iter().map(|c| c.map(usize::from)))?,
            },
            Col::Codes {
                codes,
                names,
                ordered,
            } => match pd {
                Some(pd) => {
                    // The same bytes as signed codes: 255 reads as pandas' -1 (missing).
                    let signed =
                        pool::numpy(py, codes, &pool::U8)?.call_method1("view", ("int8",))?;
                    categorical(pd, signed, &names, ordered)?
                }
                None => {
                    let list = category_list(
                        py,
                        &names,
                        codes
                            .iter()
                            .map(|&c| (c != NOT_SCORED).then_some(usize::from(c))),
                    )?;
                    pool::U8.give(codes);
                    list
                }
            },
            Col::Bools(v) => match pd {
                Some(pd) => {
                    let kwargs = PyDict::new(py);
                    kwargs.set_item("dtype", "boolean")?;
                    pd.call_method("array", (PyList::new(py, v)?,), Some(&kwargs))?
                }
                _ if with_numpy && v.iter().all(Option::is_some) => {
                    PyArray1::from_vec(py, v.into_iter().map(|b| b == Some(true)).collect())
                        .into_any()
                }
                _ => PyList::new(py, v)?.into_any(),
            },
            // pandas: datetime64[s] (NaT where missing), so dates resample, group by month
            // and compare with strings as pandas users expect.
            Col::Dates(v) if pd.is_some() => {
                let seconds: Vec<i64> = v
                    .iter()
                    .map(|d| {
                        d.map_or(i64::MIN, |d| {
                            d.and_time(NaiveTime::MIN).and_utc().timestamp()
                        })
                    })
                    .collect();
                PyArray1::from_vec(py, seconds).call_method1("view", ("datetime64[s]",))?
            }
            Col::Dates(v) => {
                let mut out = Vec::with_capacity(v.len());
                for d in v {
                    out.push(crate::convert::py_date_opt(py, d, || "a date".to_string())?);
                }
                PyList::new(py, out)?.into_any()
            }
            // pandas: float64 (NaN where missing), so amounts sum, plot and chart; the exact
            // amounts are what `frame="pyarrow"` (decimal128) or `"polars"` (Decimal) give.
            Col::Decimals(v) if pd.is_some() => {
                let floats: Vec<f64> = v.iter().map(|d| d.map_or(f64::NAN, amount_f64)).collect();
                PyArray1::from_vec(py, floats).into_any()
            }
            Col::Decimals(v) => PyList::new(py, v)?.into_any(),
            Col::Python(v) => v,
            Col::Arrow(a) => PyList::new(
                py,
                arrow::texts(std::slice::from_ref(&a)).unwrap_or_default(),
            )?
            .into_any(),
        })
    }

    fn pandas(self, what: &str) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let pd = require(py, "pandas", what)?;
        let data = PyDict::new(py);
        for (name, col) in self.columns {
            data.set_item(name, Self::python_value(py, Some(&pd), col)?)?;
        }
        let kwargs = PyDict::new(py);
        kwargs.set_item("copy", false)?;
        if let Some((name, col)) = self.index {
            let values = Self::python_value(py, Some(&pd), col)?;
            let named = is_instance_of(py, &values, "pandas", "Index")
                && values.getattr("name")?.eq(&name)?;
            let index = if named {
                // The input's own index, already named: as it is (pandas shares it).
                values
            } else {
                let index_kwargs = PyDict::new(py);
                index_kwargs.set_item("name", name)?;
                pd.call_method("Index", (values,), Some(&index_kwargs))?
            };
            kwargs.set_item("index", index)?;
        }
        pd.call_method("DataFrame", (data,), Some(&kwargs))
    }

    fn dict(self) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let data = PyDict::new(py);
        for (name, col) in self.index.into_iter().chain(self.columns) {
            data.set_item(name, Self::python_value(py, None, col)?)?;
        }
        Ok(data.into_any())
    }

    /// The columns Arrow can take from Rust as a record batch (without a copy of the
    /// numbers), and the rest (Python values) by name, in the output's order.
    #[allow(clippy::type_complexity)]
    fn split_arrow(
        self,
        polars: PolarsCategories,
    ) -> PyResult<(
        Vec<String>,
        RecordBatch,
        Vec<(String, Bound<'py, PyAny>)>,
        Vec<(String, Vec<String>)>,
    )> {
        let mut order = Vec::new();
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        let mut python = Vec::new();
        let mut categories = Vec::new();
        let mut rows: Option<usize> = None;
        for (name, col) in self.index.into_iter().chain(self.columns) {
            order.push(name.clone());
            // Categories that fit a byte code are dictionary columns (below); more are text.
            let col = match col {
                Col::Category {
                    codes,
                    names,
                    ordered,
                } if names.len() <= 127 => Col::Codes {
                    codes: byte_codes(&codes),
                    names,
                    ordered,
                },
                other => other,
            };
            let array: ArrayRef = match col {
                Col::Python(v) => {
                    python.push((name, v));
                    continue;
                }
                Col::Floats {
                    values,
                    nan_is_null,
                } => {
                    let nulls = if nan_is_null {
                        validity(&values, |v| !v.is_nan())
                    } else {
                        None
                    };
                    Arc::new(Float64Array::new(pool::arrow(values, &pool::F64), nulls))
                }
                Col::Masked { values, nulls } => {
                    Arc::new(Float64Array::new(pool::arrow(values, &pool::F64), nulls))
                }
                Col::Ints(v) => Arc::new(Int64Array::from(v)),
                Col::Texts(v) => Arc::new(StringArray::from(v)),
                Col::Category { codes, names, .. } => {
                    // More categories than byte codes hold: as text.
                    let v: Vec<Option<&str>> = codes
                        .iter()
                        .map(|c| c.and_then(|c| names.get(usize::from(c)).map(String::as_str)))
                        .collect();
                    Arc::new(StringArray::from(v))
                }
                Col::Codes { codes, names, .. } => {
                    let nulls = validity(&codes, |&c| c != NOT_SCORED);
                    // Every code names a category or is missing: checked here in one pass,
                    // where Arrow's own check goes key by key.
                    // (Missing codes count as 0 here: a select, so the pass vectorises.)
                    let top = codes
                        .iter()
                        .map(|&c| if c == NOT_SCORED { 0 } else { c })
                        .max()
                        .unwrap_or(0);
                    let bad = if names.is_empty() {
                        codes.iter().any(|&c| c != NOT_SCORED)
                    } else {
                        usize::from(top) >= names.len().min(128)
                    };
                    if bad {
                        return Err(crate::errors::csops_error(
                            self.py,
                            &format!("internal error: category code {top} of {}", names.len()),
                        ));
                    }
                    let len = codes.len();
                    if polars == PolarsCategories::Physical {
                        // The bytes as they are, under the nulls: polars' own Enum codes.
                        let keys = ScalarBuffer::<u8>::new(
                            pool::arrow(codes, &pool::U8).into_inner(),
                            0,
                            len,
                        );
                        categories.push((name.clone(), names));
                        rows.get_or_insert(len);
                        fields.push(Field::new(name.as_str(), DataType::UInt8, true));
                        arrays.push(Arc::new(UInt8Array::new(keys, nulls)));
                        continue;
                    }
                    // The bytes as signed keys (255, under a null, reads as -1).
                    let keys =
                        ScalarBuffer::<i8>::new(pool::arrow(codes, &pool::U8).into_inner(), 0, len);
                    let keys = Int8Array::new(keys, nulls);
                    let values = StringArray::from(names.clone());
                    // SAFETY: `try_new`'s only check is that each non-null key indexes
                    // `values`: the non-null keys are at most `top` < `names.len()` and below
                    // 128 (checked above; with no names, every key is null), so they read as
                    // the same non-negative i8.
                    let d = unsafe { DictionaryArray::new_unchecked(keys, Arc::new(values)) };
                    let field = Field::new(name.as_str(), d.data_type().clone(), true);
                    let field = if polars == PolarsCategories::EnumMetadata {
                        // polars reads a dictionary with this metadata as an Enum of these
                        // categories (what it writes itself), without a cast through text.
                        let values: String =
                            names.iter().map(|n| format!("{};{n}", n.len())).collect();
                        field.with_metadata(
                            [(POLARS_ENUM_KEY.to_string(), values)]
                                .into_iter()
                                .collect(),
                        )
                    } else {
                        field
                    };
                    categories.push((name.clone(), names));
                    rows.get_or_insert(d.len());
                    fields.push(field);
                    arrays.push(Arc::new(d));
                    continue;
                }
                Col::Bools(v) => Arc::new(BooleanArray::from(v)),
                Col::Dates(v) => Arc::new(Date32Array::from(
                    v.into_iter()
                        .map(|d| {
                            d.map(|d| {
                                (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default())
                                    .num_days() as i32
                            })
                        })
                        .collect::<Vec<_>>(),
                )),
                Col::Decimals(v) => {
                    let scale = v
                        .iter()
                        .flatten()
                        .map(|d| d.scale())
                        .max()
                        .unwrap_or(0)
                        .min(28);
                    let raw: Vec<Option<i128>> = v
                        .iter()
                        .map(|d| {
                            d.map(|d| {
                                let mut d = d;
                                d.rescale(scale);
                                d.mantissa()
                            })
                        })
                        .collect();
                    let scale = i8::try_from(scale).unwrap_or(28);
                    Arc::new(
                        Decimal128Array::from(raw)
                            .with_precision_and_scale(38, scale)
                            .map_err(|e| {
                                crate::errors::csops_error(self.py, &format!("internal error: {e}"))
                            })?,
                    )
                }
                Col::Arrow(a) => a,
            };
            rows.get_or_insert(array.len());
            fields.push(Field::new(name.as_str(), array.data_type().clone(), true));
            arrays.push(array);
        }
        let schema = Arc::new(Schema::new(fields));
        let options = arrow_array::RecordBatchOptions::new().with_row_count(rows.or(Some(0)));
        let batch = RecordBatch::try_new_with_options(schema, arrays, &options)
            .map_err(|e| crate::errors::csops_error(self.py, &format!("internal error: {e}")))?;
        Ok((order, batch, python, categories))
    }

    fn polars(self, what: &str) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let pl = require(py, "polars", what)?;
        let mode = polars_categories(py);
        let (order, batch, python, categories) = self.split_arrow(mode)?;
        let empty = batch.num_columns() == 0;
        let mut extra = Vec::new();
        for (name, v) in python {
            extra.push(if is_instance_of(py, &v, "polars", "Series") {
                v.call_method1("alias", (name,))?
            } else {
                let kwargs = PyDict::new(py);
                kwargs.set_item("strict", false)?;
                pl.call_method("Series", (name, v), Some(&kwargs))?
            });
        }
        let mut df = if empty {
            // Only Python columns: a frame of them (an empty frame has no rows to add them to).
            pl.call_method1("DataFrame", (extra,))?
        } else {
            let df = pl.call_method1("DataFrame", (Bound::new(py, PyArrowStream(batch))?,))?;
            if extra.is_empty() {
                df
            } else {
                df.call_method1("with_columns", (extra,))?
            }
        };
        let schema = df.getattr("schema")?;
        let mut to_cast = Vec::new();
        for (name, names) in categories {
            let dtype = schema.get_item(&name)?.str()?.to_string();
            if !dtype.starts_with("Enum") {
                to_cast.push((name, names));
            }
        }
        if !to_cast.is_empty() {
            let casts = PyList::empty(py);
            for (name, names) in to_cast {
                let e = pl.call_method1("Enum", (names,))?;
                let col = pl.call_method1("col", (name,))?;
                casts.append(if mode == PolarsCategories::Physical {
                    col.getattr("cat")?.call_method1("to", (e,))?
                } else {
                    col.call_method1("cast", (e,))?
                })?;
            }
            df = df.call_method1("with_columns", (casts,))?;
        }
        let current: Vec<String> = df.getattr("columns")?.extract()?;
        if current != order {
            df = df.call_method1("select", (order,))?;
        }
        Ok(df)
    }

    fn pyarrow(self, what: &str, batch_out: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let pa = require(py, "pyarrow", what)?;
        let (order, batch, python, _) = self.split_arrow(PolarsCategories::Dictionary)?;
        let rows = batch.num_rows();
        let table = pa.call_method1("table", (Bound::new(py, PyArrowStream(batch))?,))?;
        let table = if python.is_empty() {
            table
        } else {
            let data = PyDict::new(py);
            let have: Vec<String> = table.getattr("column_names")?.extract()?;
            for name in &order {
                if let Some((_, v)) = python.iter().find(|(n, _)| n == name) {
                    let is_arrow = is_instance_of(py, v, "pyarrow", "Array")
                        || is_instance_of(py, v, "pyarrow", "ChunkedArray");
                    let v = if is_arrow {
                        v.clone()
                    } else {
                        let kwargs = PyDict::new(py);
                        kwargs.set_item("from_pandas", true)?;
                        pa.call_method("array", (v,), Some(&kwargs))?
                    };
                    data.set_item(name, v)?;
                } else if have.contains(name) {
                    data.set_item(name, table.call_method1("column", (name,))?)?;
                }
            }
            if data.is_empty() && rows > 0 {
                table
            } else {
                pa.call_method1("table", (data,))?
            }
        };
        if !batch_out {
            return Ok(table);
        }
        let batches = table
            .call_method0("combine_chunks")?
            .call_method0("to_batches")?;
        let batches = batches.cast_into::<PyList>()?;
        if batches.len() == 1 {
            return batches.get_item(0);
        }
        let schema = table.getattr("schema")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("schema", schema)?;
        if batches.is_empty() {
            pa.getattr("RecordBatch")?.call_method(
                "from_pylist",
                (PyList::empty(py),),
                Some(&kwargs),
            )
        } else {
            // Several batches (a long table): one, concatenated.
            pa.getattr("RecordBatch")?.call_method(
                "from_pylist",
                (table.call_method0("to_pylist")?,),
                Some(&kwargs),
            )
        }
    }
}

/// Category codes as bytes, [`NOT_SCORED`] (255) where missing (or too large for a byte
/// code; callers keep byte codes for at most 127 categories).
fn byte_codes(codes: &[Option<u16>]) -> Vec<u8> {
    let mut out = pool::U8.take(codes.len());
    out.extend(codes.iter().map(|c| {
        c.and_then(|c| u8::try_from(c).ok().filter(|&c| c < 128))
            .unwrap_or(NOT_SCORED)
    }));
    out
}

/// A pandas `Categorical` of `codes` (a numpy array of the smallest integer type pandas keeps
/// as it is; -1 for missing) over `names`.
fn categorical<'py>(
    pd: &Bound<'py, PyModule>,
    codes: Bound<'py, PyAny>,
    names: &[String],
    ordered: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let py = pd.py();
    let kwargs = PyDict::new(py);
    kwargs.set_item("dtype", categorical_dtype(pd, names, ordered)?)?;
    kwargs.set_item("validate", false)?;
    pd.getattr("Categorical")?
        .call_method("from_codes", (codes,), Some(&kwargs))
}

/// pandas' `CategoricalDtype` of `names`, made once and kept: pandas validates the categories
/// each time one is made, which costs as much as the rest of a million-row result together.
/// The last few are kept (the bands of the scorecards in use, tiers, ...).
fn categorical_dtype<'py>(
    pd: &Bound<'py, PyModule>,
    names: &[String],
    ordered: bool,
) -> PyResult<Bound<'py, PyAny>> {
    type Kept = Vec<(Vec<String>, bool, Py<PyAny>)>;
    static KEPT: std::sync::Mutex<Kept> = std::sync::Mutex::new(Vec::new());
    let py = pd.py();
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, _, dtype)) = kept.iter().find(|(n, o, _)| n == names && *o == ordered) {
        return Ok(dtype.bind(py).clone());
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("categories", names)?;
    kwargs.set_item("ordered", ordered)?;
    let dtype = pd.call_method("CategoricalDtype", (), Some(&kwargs))?;
    if kept.len() >= 16 {
        kept.remove(0);
    }
    kept.push((names.to_vec(), ordered, dtype.clone().unbind()));
    Ok(dtype)
}

/// Categories as a list of str (None where missing): one str object per category, shared by
/// the rows (not one per row).
fn category_list<'py>(
    py: Python<'py>,
    names: &[String],
    codes: impl ExactSizeIterator<Item = Option<usize>>,
) -> PyResult<Bound<'py, PyAny>> {
    let objects: Vec<Bound<'py, PyAny>> = names
        .iter()
        .map(|n| PyString::new(py, n).into_any())
        .collect();
    let none = py.None().into_bound(py);
    Ok(PyList::new(
        py,
        codes.map(|c| c.and_then(|c| objects.get(c)).unwrap_or(&none).clone()),
    )?
    .into_any())
}

pub(crate) use csops_core::columnar::validity;

/// The field metadata polars gives an Enum column when it exports one (and reads back).
const POLARS_ENUM_KEY: &str = "_PL_ENUM_VALUES2";

/// How category columns (bands, tiers) are handed to Arrow consumers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PolarsCategories {
    /// Arrow dictionaries (pyarrow; and polars that takes neither way below: it reads them as
    /// categoricals, then they are cast to Enum through their text).
    Dictionary,
    /// Dictionaries with [`POLARS_ENUM_KEY`] metadata, which polars reads as an Enum of these
    /// categories (what it writes itself).
    EnumMetadata,
    /// The byte codes as a UInt8 column, polars' own Enum codes, made an Enum afterwards by
    /// `cat.to` (polars 2): a third cheaper than polars' import of a dictionary, which maps
    /// each key through the dictionary (measured on a million bands: ~2.2 ms against ~3 ms).
    Physical,
}

/// The way chosen by [`polars_categories`]: 0 until it is probed, else the way's number.
static POLARS_MODE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

impl PolarsCategories {
    const ALL: [PolarsCategories; 3] = [
        PolarsCategories::Dictionary,
        PolarsCategories::EnumMetadata,
        PolarsCategories::Physical,
    ];

    fn name(self) -> &'static str {
        match self {
            PolarsCategories::Dictionary => "dictionary",
            PolarsCategories::EnumMetadata => "enum-metadata",
            PolarsCategories::Physical => "physical",
        }
    }

    fn number(self) -> u8 {
        match self {
            PolarsCategories::Dictionary => 1,
            PolarsCategories::EnumMetadata => 2,
            PolarsCategories::Physical => 3,
        }
    }
}

/// How the installed polars best takes a category column: tried once on a one-row table,
/// the cheapest way first (any failure of a way: the next one).
fn polars_categories(py: Python<'_>) -> PolarsCategories {
    use std::sync::atomic::Ordering;
    let known = POLARS_MODE.load(Ordering::Relaxed);
    if let Some(mode) = PolarsCategories::ALL
        .into_iter()
        .find(|m| m.number() == known)
    {
        return mode;
    }
    let probe = |mode: PolarsCategories| -> PyResult<bool> {
        let pl = py.import("polars")?;
        let mut c = Columns::new(py);
        c.category("x", &["a", "bc"], [Some(1), None], true);
        let (_, batch, _, _) = c.split_arrow(mode)?;
        let mut df = pl.call_method1("DataFrame", (Bound::new(py, PyArrowStream(batch))?,))?;
        let want = pl.call_method1("Enum", (vec!["a", "bc"],))?;
        if mode == PolarsCategories::Physical {
            let to = pl
                .call_method1("col", ("x",))?
                .getattr("cat")?
                .call_method1("to", (&want,))?;
            df = df.call_method1("with_columns", (to,))?;
        }
        let dtype = df.getattr("schema")?.get_item("x")?;
        let value: Vec<Option<String>> = df
            .call_method1("get_column", ("x",))?
            .call_method0("to_list")?
            .extract()?;
        Ok(dtype.eq(want)? && value == vec![Some("bc".to_string()), None])
    };
    let mode = [PolarsCategories::Physical, PolarsCategories::EnumMetadata]
        .into_iter()
        .find(|&mode| probe(mode).unwrap_or(false))
        .unwrap_or(PolarsCategories::Dictionary);
    POLARS_MODE.store(mode.number(), Ordering::Relaxed);
    mode
}

/// For the tests: the way category columns are handed to polars (`"physical"`,
/// `"enum-metadata"` or `"dictionary"`, probed on first use), after setting it to `mode`
/// when given, so that every way is tested whichever polars is installed.
#[pyfunction]
#[pyo3(signature = (mode = None))]
pub fn _polars_categories(py: Python<'_>, mode: Option<&str>) -> PyResult<&'static str> {
    if let Some(mode) = mode {
        let Some(m) = PolarsCategories::ALL.into_iter().find(|m| m.name() == mode) else {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown way {mode:?}"
            )));
        };
        POLARS_MODE.store(m.number(), std::sync::atomic::Ordering::Relaxed);
    }
    Ok(polars_categories(py).name())
}

/// The scores as the same kind of table as the input: columns `score`, `band`, `coverage`
/// and one `contribution.<measure>` per measure (none when scored with
/// `ScoreDetail::ScoresOnly`, whose `contributions` are empty). pandas: indexed by the input's
/// ids (`account_id`), `band` an ordered categorical; polars and pyarrow: an `account_id`
/// column first, `band` an Enum (a dictionary in pyarrow), `score` null where not scored; dict:
/// `account_id`, then numpy arrays (lists without numpy) and `band` as a list of str or None.
/// A `csops.FeatureFrame` gives pandas if it can be imported, else a dict.
pub fn write_scores<'py>(
    py: Python<'py>,
    input: &Input<'py>,
    scores: ScoreFrame,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = FrameKind::of_input(py, input.kind());
    let ScoreFrame {
        scores: score,
        band_codes,
        band_names,
        coverage,
        measure_names,
        contributions,
        ..
    } = scores;
    let mut out = Columns::new(py);
    out.index(ACCOUNT_ID, input.ids_column());
    // The scores are missing exactly where the band is (the core's invariant): for Arrow,
    // one pass over the band bytes gives both their nulls.
    let score_col = match kind {
        FrameKind::Pandas | FrameKind::Dict => Col::Floats {
            values: score,
            nan_is_null: false,
        },
        FrameKind::Polars | FrameKind::Arrow | FrameKind::ArrowBatch => {
            debug_assert!(
                score
                    .iter()
                    .zip(&band_codes)
                    .all(|(s, &c)| s.is_nan() == (c == NOT_SCORED))
            );
            Col::Masked {
                nulls: validity(&band_codes, |&c| c != NOT_SCORED),
                values: score,
            }
        }
    };
    out.col("score", score_col);
    // Band codes in a byte each, as the core wrote them (a scorecard has a few bands; more
    // than 127 would be a category column of text).
    let band_col = if band_names.len() <= 127 {
        Col::Codes {
            codes: band_codes,
            names: band_names,
            ordered: true,
        }
    } else {
        let codes = band_codes
            .iter()
            .map(|&c| (c != NOT_SCORED).then_some(u16::from(c)))
            .collect();
        pool::U8.give(band_codes);
        Col::Category {
            codes,
            names: band_names,
            ordered: true,
        }
    };
    out.col("band", band_col);
    out.col(
        "coverage",
        Col::Floats {
            values: coverage,
            nan_is_null: false,
        },
    );
    for (m, c) in measure_names.iter().zip(contributions) {
        out.col(
            format!("contribution.{m}"),
            Col::Floats {
                values: c,
                nan_is_null: false,
            },
        );
    }
    out.build(kind, "a scored table")
}

/// One column of a result table other than the scores' (see [`write_columns`]).
#[derive(Debug)]
pub enum OutColumn {
    /// Numbers, NaN where missing (null in polars).
    Floats(Vec<f64>),
    /// Text, None where missing.
    Texts(Vec<Option<String>>),
    /// Days, None where missing.
    Dates(Vec<Option<chrono::NaiveDate>>),
}

/// Named columns as the same kind of table as the input, with its account ids: pandas
/// indexed by `account_id`; polars and pyarrow with an `account_id` column first (text as
/// String, days as Date, NaN as null); dict: `account_id`, then numpy arrays (lists without
/// numpy) for numbers and lists for text and days. A `csops.FeatureFrame` gives pandas if it
/// can be imported, else a dict. Text columns are plain strings (not categoricals).
pub fn write_columns<'py>(
    py: Python<'py>,
    input: &Input<'py>,
    columns: Vec<(&str, OutColumn)>,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = FrameKind::of_input(py, input.kind());
    let mut out = Columns::new(py);
    out.index(ACCOUNT_ID, input.ids_column());
    for (name, c) in columns {
        out.col(
            name,
            match c {
                OutColumn::Floats(v) => Col::floats(v),
                OutColumn::Texts(v) => Col::Texts(v),
                OutColumn::Dates(v) => Col::Dates(v),
            },
        );
    }
    out.build(kind, "a result table")
}

/// An amount as the float64 nearest to it, as Python's `float(Decimal)` gives: exact division
/// where both parts are exact in a float64 (a mantissa below 2^53, at most 22 decimals: the
/// one rounding of the division is the correct one), else through its text (Rust's parser
/// rounds correctly). `rust_decimal`'s own `to_f64` can be one unit off in the last place.
fn amount_f64(d: Decimal) -> f64 {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let m = d.mantissa();
    match POW10.get(d.scale() as usize) {
        #[allow(clippy::cast_precision_loss)] // below 2^53: exact
        Some(p) if m.unsigned_abs() < 1 << 53 => m as f64 / p,
        _ => d.to_string().parse().unwrap_or(f64::NAN),
    }
}
