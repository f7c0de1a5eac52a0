//! The condition language (`Condition`) and the tables it reads.
//!
//! Every decision is the core's (`csops_core::condition`); this module reads tables into the
//! core's column-wise `Table` and hands back which rows match.
//!
//! **Reading a table** (a pandas or polars DataFrame, a dict of columns, a `FeatureFrame`):
//! each column becomes one of the condition language's three kinds. Numeric dtypes (numpy,
//! pandas nullable `Int64`/`Float64`, polars numerics) are numbers, read through NumPy as
//! float64 with NaN (or `<NA>`, null) missing. Boolean dtypes (numpy `bool`, pandas
//! `boolean`, polars `Boolean`) are yes/no. String, categorical and date dtypes are text
//! (dates as `YYYY-MM-DD`, as the language compares them). Object columns and plain lists are
//! read value by value: `str` and dates are text, `bool` is yes/no, other numbers are
//! numbers, and None / NaN / `pd.NA` / `pd.NaT` are missing. What a column of such values
//! is, and what happens to a column with no value at all or one that cannot be read, is the
//! core's rule (`csops_core::condition::GivenTable`, the same in Node): a column mixing kinds
//! is a `ConfigError` naming the positions; an empty column takes the kind the conditions
//! compare it with.
//!
//! `Condition.filter` and `TierRules.assign` read only the columns their conditions name (the
//! other names still feed "did you mean" suggestions); `segment_table` reads every column, so
//! that `Segmentation.what_if` can try rules on other fields. A column that cannot be read
//! there is an error only when a condition names it.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

use chrono::NaiveDate;
use csops_core::Error;
use csops_core::condition::{
    Cell, CellColumn, Column, Condition, Given, GivenTable, Kind as FieldKind, Value,
};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};

use crate::arrow;
use crate::convert::to_python;
use crate::errors::{call, to_py_err};
use crate::features::PyFeatureFrame;
use crate::options::mapping_to_json;
use crate::table::{
    ACCOUNT_ID, ArrowKind, Kind as DataKind, as_list, config, float_column, get_column,
    import_arrow, is_instance_of, is_missing, kind_of, numpy, read_ids, repr, require, type_name,
};

/// Whether a value is a numpy boolean scalar (`numpy.bool_`).
fn is_numpy_bool(v: &Bound<'_, PyAny>) -> bool {
    let t = v.get_type();
    let module = t.module().map(|m| m.to_string()).unwrap_or_default();
    module == "numpy" && matches!(type_name(v).as_str(), "bool_" | "bool")
}

/// One value: missing, a number, text (a date as `YYYY-MM-DD`) or yes/no.
fn cell(v: &Bound<'_, PyAny>) -> Result<Cell, String> {
    if is_missing(v) {
        return Ok(Cell::Missing);
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Cell::Bool(b.is_true()));
    }
    if is_numpy_bool(v) {
        return v.is_truthy().map(Cell::Bool).map_err(|e| e.to_string());
    }
    if let Ok(s) = v.cast::<PyString>() {
        return s
            .to_cow()
            .map(|s| Cell::Text(s.into_owned()))
            .map_err(|e| e.to_string());
    }
    if v.is_instance_of::<PyDate>() {
        return v
            .extract::<NaiveDate>()
            .map(|d| Cell::Text(d.to_string()))
            .map_err(|e| e.to_string());
    }
    let numeric = v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyInt>();
    match v.extract::<f64>() {
        Ok(x) if x.is_nan() => Ok(Cell::Missing),
        Ok(x) => Ok(Cell::Number(x)),
        Err(e) if numeric => Err(format!("{} is not a usable number ({e})", repr(v))),
        Err(_) => Err(format!(
            "{} ({}) is not a number, text, yes/no or a date",
            repr(v),
            type_name(v)
        )),
    }
}

/// A column read value by value (by the core's rules, [`CellColumn`]). `declared`: the kind
/// its dtype says it holds.
fn elements(
    py: Python<'_>,
    name: &str,
    values: &Bound<'_, PyAny>,
    declared: Option<FieldKind>,
) -> PyResult<Given> {
    let list = as_list(values).map_err(|e| config(py, format!("column `{name}`: {e}")))?;
    let mut column = CellColumn::with_capacity(name, declared, list.len());
    for v in list.iter() {
        match cell(&v) {
            Ok(c) => column.push_shown(c, || repr(&v)),
            Err(why) => column.push_unreadable(why),
        }
    }
    column.finish().map_err(|e| to_py_err(py, e))
}

/// A numeric column as float64 (NaN missing), through NumPy where it can be.
fn numbers(py: Python<'_>, name: &str, col: &Bound<'_, PyAny>) -> PyResult<Given> {
    let values = float_column(py, name, col)?;
    Ok(Given::Column(Column::Number(values.as_slice().to_vec())))
}

/// One column of a pandas or polars DataFrame, a NumPy array, or a list (see the module
/// documentation).
fn read_column(py: Python<'_>, name: &str, col: &Bound<'_, PyAny>) -> PyResult<Given> {
    if is_instance_of(py, col, "polars", "Series") {
        let dtype = col.getattr("dtype")?;
        if dtype.call_method0("is_numeric")?.is_truthy()? {
            return numbers(py, name, col);
        }
        let d = dtype.str()?.to_string();
        let forced = if d == "Boolean" {
            Some(FieldKind::Bool)
        } else if d == "Null" {
            return Ok(Given::Missing(col.len()?));
        } else if ["String", "Utf8", "Categorical", "Enum", "Date", "Datetime"]
            .iter()
            .any(|p| d.starts_with(p))
        {
            Some(FieldKind::Text)
        } else {
            None
        };
        return elements(py, name, &col.call_method0("to_list")?, forced);
    }
    if is_instance_of(py, col, "pandas", "Series") {
        let dtype = col.getattr("dtype")?;
        let kind: String = dtype.getattr("kind")?.extract()?;
        let d = dtype.str()?.to_string();
        return match kind.as_str() {
            "i" | "u" | "f" => numbers(py, name, col),
            "b" => elements(
                py,
                name,
                &col.call_method0("tolist")?,
                Some(FieldKind::Bool),
            ),
            "M" => elements(
                py,
                name,
                &col.call_method0("tolist")?,
                Some(FieldKind::Text),
            ),
            _ if d == "string" || d == "str" => elements(
                py,
                name,
                &col.call_method0("tolist")?,
                Some(FieldKind::Text),
            ),
            _ => elements(py, name, &col.call_method0("tolist")?, None),
        };
    }
    if !col.is_instance_of::<PyList>()
        && !col.is_instance_of::<PyTuple>()
        && col.hasattr("dtype")?
        && col.hasattr("ndim")?
        && col.hasattr("tolist")?
    {
        // A NumPy array (or something shaped like one).
        let kind: String = col.getattr("dtype")?.getattr("kind")?.extract()?;
        return match kind.as_str() {
            "i" | "u" | "f" => numbers(py, name, col),
            "b" => elements(
                py,
                name,
                &col.call_method0("tolist")?,
                Some(FieldKind::Bool),
            ),
            // datetime64 of any unit: as days, which `tolist` gives as `datetime.date`.
            "M" => elements(
                py,
                name,
                &col.call_method1("astype", ("datetime64[D]",))?
                    .call_method0("tolist")?,
                Some(FieldKind::Text),
            ),
            "U" => elements(
                py,
                name,
                &col.call_method0("tolist")?,
                Some(FieldKind::Text),
            ),
            _ => elements(py, name, &col.call_method0("tolist")?, None),
        };
    }
    elements(py, name, col, None)
}

/// The message of an error raised while reading a column (its problems, when it lists them).
fn message(py: Python<'_>, e: &PyErr) -> String {
    let v = e.value(py);
    if let Ok(p) = v
        .getattr("problems")
        .and_then(|p| p.extract::<Vec<String>>())
        && !p.is_empty()
    {
        return p.join("; ");
    }
    v.str()
        .map_or_else(|_| "cannot be read".to_string(), |s| s.to_string())
}

/// The fields a set of conditions reads.
pub(crate) fn fields_of<'a>(
    conditions: impl IntoIterator<Item = &'a Condition>,
) -> BTreeSet<String> {
    conditions
        .into_iter()
        .flat_map(|c| c.fields().into_iter().map(str::to_string))
        .collect()
}

/// The kind of table `data` is, and the object to read columns from (a `FeatureFrame` as its
/// dict of columns).
fn source<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
) -> PyResult<(DataKind, Bound<'py, PyAny>)> {
    if data.cast::<PyFeatureFrame>().is_ok() {
        return Ok((DataKind::Dict, data.call_method0("to_dict")?));
    }
    Ok((kind_of(py, data, "data")?, data.clone()))
}

/// The (text) column names of a table.
fn column_names(kind: DataKind, data: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let keys = match kind {
        DataKind::Dict | DataKind::FeatureFrame => data.cast::<PyMapping>()?.keys()?.into_any(),
        DataKind::Pandas | DataKind::Polars => data.getattr("columns")?,
        DataKind::Arrow(_) => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    for k in keys.try_iter()? {
        let k = k?;
        if let Ok(s) = k.cast::<PyString>() {
            let s = s.to_cow()?.into_owned();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// The account ids of a table for `segment_table`: an `id` column, else `account_id`, else a
/// pandas index of either name.
fn read_id_column(
    py: Python<'_>,
    kind: DataKind,
    data: &Bound<'_, PyAny>,
) -> PyResult<Vec<String>> {
    for name in ["id", "account_id"] {
        if let Some(col) = get_column(kind, data, name)? {
            return read_ids(py, &col);
        }
    }
    if kind == DataKind::Pandas {
        let index = data.getattr("index")?;
        let name = index.getattr("name")?;
        if name
            .extract::<String>()
            .is_ok_and(|n| n == "id" || n == "account_id")
        {
            return read_ids(py, &index);
        }
    }
    Err(config(py, NO_ID_COLUMN.to_string()))
}

/// The error of a table without account ids.
const NO_ID_COLUMN: &str = "the data has no `id` column of account ids (nor `account_id`)";

/// [`read_data`] of Arrow data: read in Rust, no Python object per value.
fn read_arrow_data(
    py: Python<'_>,
    kind: ArrowKind,
    data: &Bound<'_, PyAny>,
    wanted: Option<&BTreeSet<String>>,
    ids: bool,
) -> PyResult<GivenTable> {
    let wanted_names: Option<Vec<&str>> = wanted.map(|w| {
        w.iter()
            .map(String::as_str)
            .chain(if ids { vec!["id"] } else { vec![] })
            .collect()
    });
    let table = import_arrow(py, kind, data, wanted_names.as_deref())?;
    let mut out = GivenTable::named(&table.names);
    out.set_rows(table.rows);
    for (name, chunks) in table.names.iter().zip(&table.columns) {
        if wanted.is_some_and(|w| !w.contains(name)) {
            continue;
        }
        let given = match csops_core::columnar::condition_column(name, chunks) {
            Ok(Some(c)) => Given::Column(c),
            Ok(None) => Given::Missing(table.rows),
            Err(why) if wanted.is_none() => {
                out.unreadable.insert(name.clone(), why);
                continue;
            }
            Err(why) => return Err(config(py, why)),
        };
        out.add(name, given).map_err(|e| to_py_err(py, e))?;
    }
    if ids {
        let chunks = table
            .column("id")
            .or_else(|| table.column(ACCOUNT_ID))
            .ok_or_else(|| config(py, NO_ID_COLUMN.to_string()))?;
        let ids = arrow::ids(chunks).map_err(|why| config(py, format!("id: {why}")))?;
        add_ids(py, &mut out, ids)?;
    }
    Ok(out)
}

/// Add the account ids as the `id` column.
fn add_ids(py: Python<'_>, out: &mut GivenTable, ids: Vec<String>) -> PyResult<()> {
    let column = Column::Text(ids.into_iter().map(Some).collect());
    out.add("id", Given::Column(column))
        .map_err(|e| to_py_err(py, e))
}

/// Read `data`: the columns named in `wanted`, or every column (`None`; then a column that
/// cannot be read is remembered, not raised). With `ids`, the `id` column is read as account
/// ids (see [`read_id_column`]).
pub(crate) fn read_data(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    wanted: Option<&BTreeSet<String>>,
    ids: bool,
) -> PyResult<GivenTable> {
    let (kind, data) = source(py, data)?;
    if let DataKind::Arrow(k) = kind {
        return read_arrow_data(py, k, &data, wanted, ids);
    }
    let names = column_names(kind, &data)?;
    let mut out = GivenTable::named(&names);
    if matches!(kind, DataKind::Pandas | DataKind::Polars) {
        out.set_rows(data.len()?);
    }
    for name in &names {
        if wanted.is_some_and(|w| !w.contains(name)) {
            continue;
        }
        let Some(col) = get_column(kind, &data, name)? else {
            continue;
        };
        match read_column(py, name, &col) {
            Ok(given) => out.add(name, given).map_err(|e| to_py_err(py, e))?,
            Err(e) if wanted.is_none() => {
                out.unreadable.insert(name.clone(), message(py, &e));
            }
            Err(e) => return Err(e),
        }
    }
    // No column read (no condition names one): the row count still comes from the data, so
    // rules without conditions give every row the default tier instead of no rows.
    if let Some(name) = names.first()
        && let Some(col) = get_column(kind, &data, name)?
    {
        out.set_rows(col.len()?);
    }
    if ids {
        let ids = read_id_column(py, kind, &data)?;
        add_ids(py, &mut out, ids)?;
    }
    Ok(out)
}

/// Which rows match, as the input: a pandas Series of bool (the input's index), a polars
/// Series, a pyarrow BooleanArray, else a numpy array of bool (a list without numpy).
fn bools_out<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    values: Vec<bool>,
) -> PyResult<Bound<'py, PyAny>> {
    let with_numpy = numpy(py).is_some();
    let array = if with_numpy {
        PyArray1::from_vec(py, values).into_any()
    } else {
        PyList::new(py, values)?.into_any()
    };
    if data.cast::<PyFeatureFrame>().is_ok() {
        return Ok(array);
    }
    match kind_of(py, data, "data")? {
        DataKind::Pandas => {
            let pd = require(py, "pandas", "a pandas result")?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("index", data.getattr("index")?)?;
            kwargs.set_item("name", "match")?;
            kwargs.set_item("copy", false)?;
            pd.call_method("Series", (array,), Some(&kwargs))
        }
        DataKind::Polars => {
            require(py, "polars", "a polars result")?.call_method1("Series", ("match", array))
        }
        DataKind::Arrow(_) if py.import("pyarrow").is_ok() => {
            require(py, "pyarrow", "a pyarrow result")?.call_method1("array", (array,))
        }
        _ => Ok(array),
    }
}

// Condition --------------------------------------------------------------------------------

/// The text of a condition as UTF-8: a `ConfigError` for text that is not (lone surrogates).
fn unicode<'a>(py: Python<'_>, text: &'a Bound<'_, PyString>) -> PyResult<Cow<'a, str>> {
    text.to_cow().map_err(|e| {
        config(
            py,
            format!("condition: the text is not valid Unicode ({e})"),
        )
    })
}

/// A condition argument: a `Condition`, its text form, or its structured form (a dict).
pub(crate) fn condition_arg(
    py: Python<'_>,
    what: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<Condition> {
    if let Ok(c) = value.cast::<PyCondition>() {
        return Ok(c.get().0.clone());
    }
    // The core's message names the line and column; say which condition it is.
    let named = |e: Error| match e {
        Error::Config(p) => Error::Config(p.into_iter().map(|p| format!("{what}: {p}")).collect()),
        e => e,
    };
    if let Ok(s) = value.cast::<PyString>() {
        let s = unicode(py, s)?;
        return call(py, || s.parse::<Condition>().map_err(named));
    }
    if value.cast::<PyMapping>().is_ok() {
        let text = mapping_to_json(py, what, value)?;
        return call(py, || Condition::from_json(&text).map_err(named));
    }
    Err(crate::errors::argument_error(format!(
        "{what} must be a csops.Condition, its text (\"arr >= 100000\") or a dict; got {}",
        type_name(value)
    )))
}

/// Hash a condition consistently with its equality (`-0` and `0` are equal numbers).
fn hash_condition(c: &Condition, h: &mut impl Hasher) {
    fn value(v: &Value, h: &mut impl Hasher) {
        match v {
            Value::Number(x) => {
                0u8.hash(h);
                (if *x == 0.0 { 0.0f64 } else { *x }).to_bits().hash(h);
            }
            Value::Text(s) => {
                1u8.hash(h);
                s.hash(h);
            }
            Value::Bool(b) => {
                2u8.hash(h);
                b.hash(h);
            }
        }
    }
    match c {
        Condition::And(items) | Condition::Or(items) => {
            u8::from(matches!(c, Condition::And(_))).hash(h);
            items.len().hash(h);
            for i in items {
                hash_condition(i, h);
            }
        }
        Condition::Not(inner) => {
            2u8.hash(h);
            hash_condition(inner, h);
        }
        Condition::Compare {
            field,
            op,
            value: v,
        } => {
            3u8.hash(h);
            field.hash(h);
            (*op as u8).hash(h);
            value(v, h);
        }
        Condition::In {
            field,
            values,
            negated,
        } => {
            4u8.hash(h);
            field.hash(h);
            negated.hash(h);
            values.len().hash(h);
            for v in values {
                value(v, h);
            }
        }
        Condition::Between { field, low, high } => {
            5u8.hash(h);
            field.hash(h);
            value(low, h);
            value(high, h);
        }
        Condition::IsNull { field, negated } => {
            6u8.hash(h);
            field.hash(h);
            negated.hash(h);
        }
        Condition::Truthy { field } => {
            7u8.hash(h);
            field.hash(h);
        }
    }
}

/// A condition in the csops condition language: which accounts a rule applies to.
///
/// Written as text (``arr >= 100000 and region in ["EMEA", "NA"] and band != "green"``) or as
/// a dict (``{"and": [{"field": "arr", "op": ">=", "value": 100000}, ...]}``); the two are
/// interchangeable. Missing values follow SQL's three-valued logic: a comparison with a
/// missing value is unknown, and a row matches only when the whole condition is true.
/// Immutable, hashable, picklable.
///
/// >>> c = csops.Condition('arr >= 100000 and region in ["EMEA"]')
/// >>> c.fields
/// ['arr', 'region']
/// >>> c == csops.Condition.from_dict(c.to_dict())
/// True
#[pyclass(name = "Condition", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyCondition(pub(crate) Condition);

#[pymethods]
impl PyCondition {
    /// Parse the text form; ConfigError (with line and column) when it does not parse.
    #[new]
    fn new(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Self> {
        let text = unicode(py, text)?;
        call(py, || text.parse::<Condition>()).map(PyCondition)
    }

    /// A condition from its structured form (a dict, as ``to_dict`` gives); ConfigError
    /// naming the place (``$.and[1]``) when it is not one.
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        if data.cast::<PyMapping>().is_err() {
            return Err(crate::errors::argument_error(format!(
                "a condition's structured form must be a dict, got {}",
                type_name(data)
            )));
        }
        let text = mapping_to_json(py, "condition", data)?;
        call(py, || Condition::from_json(&text)).map(PyCondition)
    }

    /// A condition from JSON text: the structured form, or a JSON string holding the text
    /// form.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Self> {
        let text = unicode(py, text)?;
        call(py, || Condition::from_json(&text)).map(PyCondition)
    }

    /// The structured form, as plain data (what ``from_dict`` reads).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.to_json_value())
    }

    /// The structured form as JSON text (what ``from_json`` reads).
    fn to_json(&self) -> String {
        self.0.to_json_value().to_string()
    }

    /// The fields it reads, each once, in the order they appear.
    #[getter]
    fn fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in self.0.fields() {
            if !out.contains(&f) {
                out.push(f);
            }
        }
        out
    }

    /// Which rows of ``data`` match (the condition is true, not unknown): a numpy array of
    /// bool, one per row (a list without numpy). ``data`` is a pandas or polars DataFrame, a
    /// dict of columns or a ``csops.FeatureFrame``; only the columns the condition names are
    /// read. ConfigError for an unknown field (with a suggestion), a type mismatch
    /// (``region > 5``) or a column that cannot be read. Evaluated with the GIL released.
    fn filter<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fields = fields_of([&self.0]);
        let d = read_data(py, data, Some(&fields), false)?;
        let c = &self.0;
        let hits = call(py, || d.filter(c))?;
        bools_out(py, data, hits)
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let text = PyString::new(py, &self.0.to_string()).repr()?;
        Ok(format!("Condition({text})"))
    }

    fn __eq__(&self, other: &Bound<'_, PyCondition>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        hash_condition(&self.0, &mut h);
        h.finish()
    }

    /// Pickle support: rebuilt from its text form (parsing it gives the same condition).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let cls = py.get_type::<PyCondition>().into_any();
        PyTuple::new(
            py,
            [cls, PyTuple::new(py, [self.0.to_string()])?.into_any()],
        )
    }
}

/// Add the class to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCondition>()
}
