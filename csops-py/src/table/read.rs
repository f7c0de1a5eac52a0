//! Tables in: the features a scorecard reads (without a copy where they are float64 in
//! one piece), account ids and segments, from every kind of table the module docs list.

use std::borrow::Cow;

use arrow_array::{Array, ArrayRef};
use csops_core::features::FeatureFrame;
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PyString, PyTuple};

use super::*;
use crate::arrow::{self, ArrowTable};
use crate::errors::{capped, config, config_problems};
use crate::features::PyFeatureFrame;

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
