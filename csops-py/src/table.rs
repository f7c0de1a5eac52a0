//! Tabular data in and out of the health scorer: a `csops.FeatureFrame`, a pandas or polars
//! DataFrame, or a dict of columns becomes borrowed feature columns (or, where the core needs
//! one, a core [`FeatureFrame`]); a core [`ScoreFrame`] becomes the same kind of table as the
//! input.
//!
//! Only conversion happens here. Feature columns are read as float64 (NaN = missing): lists
//! and tuples element by element in Rust; anything else (numpy arrays, pandas and polars
//! Series) through NumPy as a contiguous float64 array, **borrowed, not copied**: a float64
//! NumPy array or pandas column that is already contiguous is read in place by the core; other
//! dtypes (int, float32, bool) and strided views are converted by NumPy into a new contiguous
//! float64 array first. Only the columns a scorecard reads are converted. A
//! `csops.FeatureFrame` is scored in place, without any copy.
//!
//! pandas, polars and numpy are never imported here: a DataFrame can only be a pandas (or
//! polars) one if that package is already imported, and numpy is imported only when an input
//! needs it or is available for the output.

use std::borrow::Cow;

use csops_core::features::{FeatureColumn, FeatureFrame};
use csops_core::health::ScoreFrame;
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::{PyImportError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};

use crate::errors::to_py_err;
use crate::features::PyFeatureFrame;

/// The name of the account-id column of inputs and outputs.
pub const ACCOUNT_ID: &str = "account_id";

/// At most this many problems are listed for one column (then "… and N more").
const MAX_PROBLEMS: usize = 10;

/// What kind of table the input was (and so the output is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `csops.FeatureFrame`: the output is pandas if pandas can be imported, else a dict.
    FeatureFrame,
    /// A pandas DataFrame.
    Pandas,
    /// A polars DataFrame.
    Polars,
    /// A mapping of column name to values.
    Dict,
}

/// The values of one feature column, read for scoring.
#[derive(Debug)]
pub enum Values<'py> {
    /// A contiguous float64 NumPy array, borrowed read-only: the core reads its memory in
    /// place (the borrow guard keeps the array alive and unborrowable for writing by Rust).
    Array(PyReadonlyArray1<'py, f64>),
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
            Values::Owned(v) => v,
        }
    }
}

/// A table read for scoring.
#[derive(Debug)]
pub enum Input<'py> {
    /// A `csops.FeatureFrame`, scored as it is.
    Frame(Bound<'py, PyFeatureFrame>),
    /// Any other table, its feature columns read (borrowed where they are NumPy memory).
    Table {
        /// The kind of table.
        kind: Kind,
        /// The table itself (to look up a segments column).
        data: Bound<'py, PyAny>,
        /// The account ids as given (an index, a column, a list), for the output; `None`
        /// when the input had none and rows are named by position.
        ids: Option<Bound<'py, PyAny>>,
        /// The account ids as text, when given.
        account_ids: Option<Vec<String>>,
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

    /// The account ids, when the input has them (a frame's, or given as an index or column).
    pub fn account_ids(&self) -> Option<&[String]> {
        match self {
            Input::Frame(f) => Some(&f.get().inner().account_ids),
            Input::Table { account_ids, .. } => account_ids.as_deref(),
        }
    }

    /// The names of the rows: the account ids, or the row positions as text.
    pub fn row_ids(&self) -> Cow<'_, [String]> {
        match (self.account_ids(), self) {
            (Some(ids), _) => Cow::Borrowed(ids),
            (None, Input::Table { rows, .. }) => {
                Cow::Owned((0..*rows).map(|i| i.to_string()).collect())
            }
            (None, Input::Frame(_)) => Cow::Owned(Vec::new()), // a frame always has ids
        }
    }

    /// A core frame of the input, for the core calls that need one (explanations, model
    /// sets): a `csops.FeatureFrame` as it is, any other table's columns copied once.
    pub fn frame(&self) -> Cow<'_, FeatureFrame> {
        match self {
            Input::Frame(f) => Cow::Borrowed(f.get().inner()),
            Input::Table { .. } => {
                Cow::Owned(frame_from(&self.columns(), self.row_ids().into_owned()))
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
    }
}

/// A `ConfigError` with a list of problems.
pub(crate) fn config_problems(py: Python<'_>, problems: Vec<String>) -> PyErr {
    to_py_err(py, csops_core::Error::Config(problems))
}

/// A `ConfigError` with one problem.
pub(crate) fn config(py: Python<'_>, problem: String) -> PyErr {
    config_problems(py, vec![problem])
}

/// Cap a list of problems at [`MAX_PROBLEMS`], saying how many were left out.
pub(crate) fn capped(mut problems: Vec<String>) -> Vec<String> {
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(format!("… and {more} more"));
    }
    problems
}

/// The type name of a Python value, for messages.
pub fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string())
}

/// `repr(value)`, for messages.
pub(crate) fn repr(value: &Bound<'_, PyAny>) -> String {
    value
        .repr()
        .map_or_else(|_| format!("<{}>", type_name(value)), |r| r.to_string())
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

/// A module the caller needs (pandas, polars), with an `ImportError` saying what for.
pub fn require<'py>(py: Python<'py>, module: &str, what: &str) -> PyResult<Bound<'py, PyModule>> {
    py.import(module).map_err(|cause| {
        let err = PyImportError::new_err(format!(
            "{what} needs {module}, which is not installed (pip install {module})"
        ));
        err.set_cause(py, Some(cause));
        err
    })
}

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

/// Read `data` for scoring: a `csops.FeatureFrame` as it is; a pandas DataFrame (account ids
/// from an `account_id` column, else the index), a polars DataFrame or a mapping (account
/// ids from an `account_id` column, else row positions) by converting the columns named in
/// `features` that it has (the scorer reports the ones it lacks).
pub fn read_input<'py>(data: &Bound<'py, PyAny>, features: &[&str]) -> PyResult<Input<'py>> {
    let py = data.py();
    if let Ok(frame) = data.cast::<PyFeatureFrame>() {
        return Ok(Input::Frame(frame.clone()));
    }
    let kind = if is_instance_of(py, data, "pandas", "DataFrame") {
        Kind::Pandas
    } else if is_instance_of(py, data, "polars", "DataFrame") {
        Kind::Polars
    } else if data.is_instance_of::<PyDict>() || data.cast::<PyMapping>().is_ok() {
        Kind::Dict
    } else {
        return Err(PyTypeError::new_err(format!(
            "data must be a csops.FeatureFrame, a pandas or polars DataFrame, or a dict of \
             columns; got {}",
            type_name(data)
        )));
    };

    let ids_obj = match get_column(kind, data, ACCOUNT_ID)? {
        Some(col) => Some(col),
        None if kind == Kind::Pandas => Some(data.getattr("index")?),
        None => None,
    };
    let given_ids = ids_obj.as_ref().map(|i| read_ids(py, i)).transpose()?;

    let mut columns: Vec<(String, Values<'py>)> = Vec::new();
    let mut rows = given_ids.as_ref().map(Vec::len);
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
                problems.push(if given_ids.is_some() {
                    format!("column `{name}` has {n} values for {want} account ids")
                } else {
                    format!("column `{name}` has {n} values where other columns have {want}")
                });
                continue;
            }
            Some(_) => {}
        }
        columns.push((name.to_string(), float_column(py, name, &col)?));
    }
    if !problems.is_empty() {
        return Err(config_problems(py, problems));
    }
    Ok(Input::Table {
        kind,
        data: data.clone(),
        ids: ids_obj,
        account_ids: given_ids,
        rows: rows.unwrap_or(0),
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
        let Input::Table { kind, data, .. } = input else {
            return Err(config(
                py,
                format!(
                    "segments: a csops.FeatureFrame has no column `{column}` of segments; \
                     pass a list with one segment per account"
                ),
            ));
        };
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

/// A float column for the output: a NumPy array (taking over the vector, no copy) when numpy
/// is available, else a list.
fn float_values<'py>(
    py: Python<'py>,
    with_numpy: bool,
    values: Vec<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    if with_numpy {
        Ok(PyArray1::from_vec(py, values).into_any())
    } else {
        Ok(PyList::new(py, values)?.into_any())
    }
}

/// The account ids for the output: as given, or the core's (positions) when none were.
fn output_ids<'py>(py: Python<'py>, input: &Input<'py>) -> PyResult<Bound<'py, PyAny>> {
    match input {
        Input::Table { ids: Some(ids), .. } => Ok(ids.clone()),
        _ => Ok(PyList::new(py, input.row_ids().iter())?.into_any()),
    }
}

/// The scores as the same kind of table as the input: columns `score`, `band`, `coverage`
/// and one `contribution.<measure>` per measure (none when scored with
/// `ScoreDetail::ScoresOnly`, whose `contributions` are empty). pandas: indexed by
/// `account_id`, `band` an ordered categorical; polars: an `account_id` column first, `band` an Enum, `score` null
/// where not scored; dict: `account_id`, then numpy arrays (lists without numpy) and `band`
/// as a list of str or None. A `csops.FeatureFrame` gives pandas if it can be imported, else a
/// dict.
pub fn write_scores<'py>(
    py: Python<'py>,
    input: &Input<'py>,
    scores: ScoreFrame,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = match input.kind() {
        Kind::FeatureFrame if py.import("pandas").is_ok() => Kind::Pandas,
        Kind::FeatureFrame => Kind::Dict,
        k => k,
    };
    let with_numpy = numpy(py).is_some();
    let ids = output_ids(py, input)?;
    let ScoreFrame {
        scores: score,
        bands,
        band_names,
        coverage,
        measure_names,
        contributions,
        ..
    } = scores;
    let band_texts: Vec<Option<&str>> = bands
        .iter()
        .map(|b| b.and_then(|b| band_names.get(usize::from(b)).map(String::as_str)))
        .collect();

    let data = PyDict::new(py);
    match kind {
        Kind::Pandas => {
            let pd = require(py, "pandas", "a pandas result")?;
            let codes: Vec<i16> = bands.iter().map(|b| b.map_or(-1, i16::from)).collect();
            let kwargs = PyDict::new(py);
            kwargs.set_item("categories", &band_names)?;
            kwargs.set_item("ordered", true)?;
            let categorical = pd.getattr("Categorical")?.call_method(
                "from_codes",
                (band_codes(py, with_numpy, codes)?,),
                Some(&kwargs),
            )?;
            data.set_item("score", float_values(py, with_numpy, score)?)?;
            data.set_item("band", categorical)?;
            data.set_item("coverage", float_values(py, with_numpy, coverage)?)?;
            for (m, c) in measure_names.iter().zip(contributions) {
                data.set_item(
                    format!("contribution.{m}"),
                    float_values(py, with_numpy, c)?,
                )?;
            }
            let index_kwargs = PyDict::new(py);
            index_kwargs.set_item("name", ACCOUNT_ID)?;
            let index = pd.call_method("Index", (ids,), Some(&index_kwargs))?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("index", index)?;
            pd.call_method("DataFrame", (data,), Some(&kwargs))
        }
        Kind::Polars => {
            let pl = require(py, "polars", "a polars result")?;
            let series = |name: &str,
                          values: Bound<'py, PyAny>,
                          extra: &[(&str, Bound<'py, PyAny>)]|
             -> PyResult<Bound<'py, PyAny>> {
                let kwargs = PyDict::new(py);
                for (k, v) in extra {
                    kwargs.set_item(*k, v)?;
                }
                pl.call_method("Series", (name, values), Some(&kwargs))
            };
            let columns = PyList::empty(py);
            let ids = if is_instance_of(py, &ids, "polars", "Series") {
                ids.call_method1("alias", (ACCOUNT_ID,))?
            } else {
                series(ACCOUNT_ID, ids, &[])?
            };
            columns.append(ids)?;
            let nan_to_null = PyBool::new(py, true).to_owned().into_any();
            columns.append(series(
                "score",
                float_values(py, with_numpy, score)?,
                &[("nan_to_null", nan_to_null)],
            )?)?;
            let band_enum = pl.call_method1("Enum", (&band_names,))?;
            columns.append(series(
                "band",
                PyList::new(py, &band_texts)?.into_any(),
                &[("dtype", band_enum)],
            )?)?;
            columns.append(series(
                "coverage",
                float_values(py, with_numpy, coverage)?,
                &[],
            )?)?;
            for (m, c) in measure_names.iter().zip(contributions) {
                columns.append(series(
                    &format!("contribution.{m}"),
                    float_values(py, with_numpy, c)?,
                    &[],
                )?)?;
            }
            pl.call_method1("DataFrame", (columns,))
        }
        Kind::Dict | Kind::FeatureFrame => {
            data.set_item(ACCOUNT_ID, ids)?;
            data.set_item("score", float_values(py, with_numpy, score)?)?;
            data.set_item("band", PyList::new(py, &band_texts)?)?;
            data.set_item("coverage", float_values(py, with_numpy, coverage)?)?;
            for (m, c) in measure_names.iter().zip(contributions) {
                data.set_item(
                    format!("contribution.{m}"),
                    float_values(py, with_numpy, c)?,
                )?;
            }
            Ok(data.into_any())
        }
    }
}

/// Band codes for `pandas.Categorical.from_codes`: a NumPy array, or a list without numpy.
fn band_codes<'py>(
    py: Python<'py>,
    with_numpy: bool,
    codes: Vec<i16>,
) -> PyResult<Bound<'py, PyAny>> {
    if with_numpy {
        Ok(PyArray1::from_vec(py, codes).into_any())
    } else {
        Ok(PyList::new(py, codes)?.into_any())
    }
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
/// indexed by `account_id`; polars with an `account_id` column first (text as String, days as
/// Date, NaN as null); dict: `account_id`, then numpy arrays (lists without numpy) for
/// numbers and lists for text and days. A `csops.FeatureFrame` gives pandas if it can be
/// imported, else a dict. Text columns are plain strings (not categoricals).
pub fn write_columns<'py>(
    py: Python<'py>,
    input: &Input<'py>,
    columns: Vec<(&str, OutColumn)>,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = match input.kind() {
        Kind::FeatureFrame if py.import("pandas").is_ok() => Kind::Pandas,
        Kind::FeatureFrame => Kind::Dict,
        k => k,
    };
    let with_numpy = numpy(py).is_some();
    let ids = output_ids(py, input)?;
    let values = |c: OutColumn| -> PyResult<Bound<'py, PyAny>> {
        match c {
            OutColumn::Floats(v) => float_values(py, with_numpy, v),
            OutColumn::Texts(v) => Ok(PyList::new(py, v)?.into_any()),
            OutColumn::Dates(v) => Ok(PyList::new(py, v)?.into_any()),
        }
    };
    match kind {
        Kind::Pandas => {
            let pd = require(py, "pandas", "a pandas result")?;
            let data = PyDict::new(py);
            for (name, c) in columns {
                data.set_item(name, values(c)?)?;
            }
            let index_kwargs = PyDict::new(py);
            index_kwargs.set_item("name", ACCOUNT_ID)?;
            let index = pd.call_method("Index", (ids,), Some(&index_kwargs))?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("index", index)?;
            pd.call_method("DataFrame", (data,), Some(&kwargs))
        }
        Kind::Polars => {
            let pl = require(py, "polars", "a polars result")?;
            let list = PyList::empty(py);
            let ids = if is_instance_of(py, &ids, "polars", "Series") {
                ids.call_method1("alias", (ACCOUNT_ID,))?
            } else {
                pl.call_method1("Series", (ACCOUNT_ID, ids))?
            };
            list.append(ids)?;
            for (name, c) in columns {
                let kwargs = PyDict::new(py);
                match &c {
                    OutColumn::Floats(_) => kwargs.set_item("nan_to_null", true)?,
                    OutColumn::Texts(_) => kwargs.set_item("dtype", pl.getattr("String")?)?,
                    OutColumn::Dates(_) => kwargs.set_item("dtype", pl.getattr("Date")?)?,
                }
                list.append(pl.call_method("Series", (name, values(c)?), Some(&kwargs))?)?;
            }
            pl.call_method1("DataFrame", (list,))
        }
        Kind::Dict | Kind::FeatureFrame => {
            let data = PyDict::new(py);
            data.set_item(ACCOUNT_ID, ids)?;
            for (name, c) in columns {
                data.set_item(name, values(c)?)?;
            }
            Ok(data.into_any())
        }
    }
}
