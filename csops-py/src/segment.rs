//! Segmentation: the condition language (`Condition`), tier rules (`TierRules`), coverage and
//! assignment (`Segmentation`, `WhatIf`, `segment_table`), and the methods of `Book` that feed
//! them (`account_table`, `segment`; declared in `book`, implemented here).
//!
//! Every decision is the core's (`csops_core::condition`, `csops_core::segment`); this module
//! reads tables into the core's column-wise [`Table`] and turns results into pandas
//! DataFrames, text and HTML.
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
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use chrono::NaiveDate;
use csops_core::Error;
use csops_core::condition::{
    Cell, CellColumn, Column, Condition, Given, GivenTable, Kind as FieldKind, Table, Value,
};
use csops_core::features::features_as_of;
use csops_core::segment::{
    Assignment, Capacity, Coverage, CoverageModel, Csm, Plan, TierRules, WhatIf, account_table,
    book_table, plan, plan_given, what_if_given,
};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use serde::Serialize;

use crate::arrow;
use crate::book::PyBook;
use crate::convert::{py_date_opt, to_python};
use crate::errors::{call, to_py_err};
use crate::features::PyFeatureFrame;
use crate::health::{PyScorecard, html_table, text_table};
use crate::options::{feature_config_arg as features, mapping_to_json};
use crate::revenue::as_of_or_latest;
use crate::table::Columns as Frame;
use crate::table::{
    ACCOUNT_ID, ArrowKind, Columns, FrameKind, Kind as DataKind, as_list, config, float_column,
    get_column, import_arrow, is_instance_of, is_missing, kind_of, numpy, read_ids, repr, require,
    type_name,
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
fn fields_of<'a>(conditions: impl IntoIterator<Item = &'a Condition>) -> BTreeSet<String> {
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
fn read_data(
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

/// One tier per row, as the input: a pandas Series (categorical, the input's index, named
/// `tier`), a polars Series (an Enum), a pyarrow ChunkedArray (a dictionary), or a list of
/// str.
fn tiers_out<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    names: &[&str],
    tiers: &[usize],
) -> PyResult<Bound<'py, PyAny>> {
    let kind = if data.cast::<PyFeatureFrame>().is_ok() {
        DataKind::Dict
    } else {
        kind_of(py, data, "data")?
    };
    let mut c = Columns::new(py);
    c.category("tier", names, tiers.iter().map(|&t| Some(t)), false);
    match kind {
        DataKind::Pandas => {
            let pd = require(py, "pandas", "a pandas result")?;
            let df = c.build(FrameKind::Pandas, "a pandas result")?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("index", data.getattr("index")?)?;
            kwargs.set_item("name", "tier")?;
            pd.call_method(
                "Series",
                (df.get_item("tier")?.getattr("array")?,),
                Some(&kwargs),
            )
        }
        DataKind::Polars => c
            .build(FrameKind::Polars, "a polars result")?
            .call_method1("get_column", ("tier",)),
        DataKind::Arrow(_) if py.import("pyarrow").is_ok() => c
            .build(FrameKind::Arrow, "a pyarrow result")?
            .call_method1("column", ("tier",)),
        _ => Ok(PyList::new(py, tiers.iter().map(|&t| names[t]))?.into_any()),
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
fn condition_arg(py: Python<'_>, what: &str, value: &Bound<'_, PyAny>) -> PyResult<Condition> {
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

// Tier rules -------------------------------------------------------------------------------

/// Check tier rules on their own: the core's checks (version, tier names) against the fields
/// the rules themselves name, each with the kind of its first use, so a field compared with a
/// number in one rule and with text in another is caught here, before any data is seen.
/// A tier-rules argument: None (the defaults), a `TierRules`, or a dict (as `to_dict`).
fn rules_arg(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<TierRules> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(TierRules::default_rules());
    };
    if let Ok(r) = value.cast::<PyTierRules>() {
        return Ok(r.get().0.clone());
    }
    if value.cast::<PyMapping>().is_ok() && !value.is_instance_of::<PyString>() {
        let text = mapping_to_json(py, "tier rules", value)?;
        return call(py, || TierRules::from_json(&text));
    }
    Err(crate::errors::argument_error(format!(
        "rules must be None (the defaults), a csops.TierRules or a dict; got {}",
        type_name(value)
    )))
}

/// One `(tier, when)` pair of `TierRules(rules, ...)`: a tuple or a dict `{tier, when}`.
fn rule_item(py: Python<'_>, i: usize, item: &Bound<'_, PyAny>) -> PyResult<(String, Condition)> {
    let what = format!("rule {}", i + 1);
    let (tier, when) = if let Ok(m) = item.cast::<PyMapping>() {
        let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
            if m.contains(k)? {
                m.get_item(k)
            } else {
                Err(config(py, format!("{what}: the dict has no `{k}`")))
            }
        };
        (get("tier")?, get("when")?)
    } else if let Ok(pair) = item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>() {
        pair
    } else {
        return Err(crate::errors::argument_error(format!(
            "{what} must be a (tier, condition) pair or a dict {{\"tier\": .., \"when\": ..}}; \
             got {}",
            type_name(item)
        )));
    };
    let tier = tier
        .cast::<PyString>()
        .map_err(|_| {
            crate::errors::argument_error(format!(
                "{what}: the tier must be str; got {}",
                type_name(&tier)
            ))
        })?
        .to_cow()?
        .into_owned();
    let when = condition_arg(py, &format!("{what} ({tier})"), &when)?;
    Ok((tier, when))
}

/// Ordered tier rules: the first rule an account matches gives its tier; accounts matching
/// none get the default tier. Immutable; every constructor checks the rules (each condition
/// parses, tiers are named, a field is compared with one kind of value). The fields
/// themselves are checked against the data when the rules are applied.
#[pyclass(name = "TierRules", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyTierRules(pub(crate) TierRules);

impl PyTierRules {
    /// `n.`, tier, condition per rule, then the default tier (`otherwise`): the text and HTML
    /// renderings.
    fn rule_rows(&self) -> Vec<Vec<String>> {
        let r = &self.0;
        let mut rows: Vec<Vec<String>> = r
            .rules
            .iter()
            .enumerate()
            .map(|(i, x)| vec![format!("{}.", i + 1), x.tier.clone(), x.when.to_string()])
            .collect();
        rows.push(vec![
            String::new(),
            r.default_tier.clone(),
            "otherwise".to_string(),
        ]);
        rows
    }
}

#[pymethods]
impl PyTierRules {
    /// Rules from ``(tier, condition)`` pairs (or dicts ``{"tier", "when"}``), in order; each
    /// condition a ``Condition``, its text or its dict form.
    #[new]
    fn new(py: Python<'_>, rules: &Bound<'_, PyAny>, default_tier: String) -> PyResult<Self> {
        if rules.is_instance_of::<PyString>() || rules.cast::<PyMapping>().is_ok() {
            return Err(crate::errors::argument_error(
                "rules must be a list of (tier, condition) pairs; use TierRules.from_dict for a \
                 dict",
            ));
        }
        let mut out = Vec::new();
        for (i, item) in rules.try_iter()?.enumerate() {
            let (tier, when) = rule_item(py, i, &item?)?;
            out.push(csops_core::segment::TierRule { tier, when });
        }
        let rules = TierRules {
            schema_version: 1,
            rules: out,
            default_tier,
        };
        call(py, || rules.check().map(|()| rules)).map(PyTierRules)
    }

    /// The defaults: high-touch from 100,000 ARR, mid-touch from 25,000, tech-touch from
    /// 5,000, digital (pooled) below.
    #[staticmethod]
    #[pyo3(name = "default")]
    fn default_rules() -> Self {
        PyTierRules(TierRules::default_rules())
    }

    /// Rules from a dict (the layout of ``to_dict``: ``{"rules": [{"tier", "when"}],
    /// "default_tier"}``; ``when`` the text or the structured form).
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        if data.cast::<PyMapping>().is_err() {
            return Err(crate::errors::argument_error(format!(
                "tier rules must be a dict, got {}",
                type_name(data)
            )));
        }
        rules_arg(py, Some(data)).map(PyTierRules)
    }

    /// Rules from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        call(py, || TierRules::from_json(text)).map(PyTierRules)
    }

    /// Rules from TOML text.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
        call(py, || TierRules::from_toml(text)).map(PyTierRules)
    }

    /// Rules from a ``.toml`` or ``.json`` file.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        call(py, || TierRules::load(&path)).map(PyTierRules)
    }

    /// The rules as plain data (what ``from_dict`` reads; conditions in the text form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    /// The rules as JSON text (what ``from_json`` reads).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        call(py, || self.0.to_json())
    }

    /// The rules as TOML text (what ``from_toml`` reads).
    fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
        call(py, || self.0.to_toml())
    }

    /// The tiers, in rule order, then the default (each once).
    #[getter]
    fn tiers(&self) -> Vec<&str> {
        self.0.tiers()
    }

    /// The rules, in order: dicts ``{"tier": str, "when": Condition}``.
    #[getter]
    fn rules<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for r in &self.0.rules {
            let d = PyDict::new(py);
            d.set_item("tier", &r.tier)?;
            d.set_item("when", PyCondition(r.when.clone()))?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// The tier of accounts no rule matches.
    #[getter]
    fn default_tier(&self) -> &str {
        &self.0.default_tier
    }

    /// The tier of every row of ``data`` (as for ``Condition.filter``): a pandas Series
    /// (categorical, the data's index) for a pandas DataFrame, a polars Series for a polars
    /// one, else a list of str. ConfigError naming the rule for an unknown field or a type
    /// mismatch. Evaluated with the GIL released.
    fn assign<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rules = &self.0;
        let conditions: Vec<&Condition> = rules.rules.iter().map(|r| &r.when).collect();
        let fields = fields_of(conditions.iter().copied());
        let d = read_data(py, data, Some(&fields), false)?;
        let tiers = call(py, || rules.assign_given(&d))?;
        let names = rules.tiers();
        tiers_out(py, data, &names, &tiers)
    }

    fn __eq__(&self, other: &Bound<'_, PyTierRules>) -> bool {
        self.0 == other.get().0
    }

    /// Pickle support: rebuilt from its JSON.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let from_json = py.get_type::<PyTierRules>().getattr("from_json")?;
        PyTuple::new(
            py,
            [from_json, PyTuple::new(py, [self.to_json(py)?])?.into_any()],
        )
    }

    fn __repr__(&self) -> String {
        let rows = self.rule_rows();
        format!(
            "TierRules: the first rule an account matches gives its tier\n{}",
            text_table(&["", "tier", "when"], &rows, &[true, false, false])
        )
    }

    /// An HTML rendering for Jupyter: the rules in order, then the default tier.
    fn _repr_html_(&self) -> String {
        format!(
            "<div class=\"csops-tier-rules\"><p><b>TierRules</b>: the first rule an account \
             matches gives its tier</p>{}</div>",
            html_table(&["", "tier", "when"], &self.rule_rows())
        )
    }
}

// Coverage model and roster ----------------------------------------------------------------

/// `model=`: None (the defaults), or a dict of targets per tier (``{"high_touch":
/// {"accounts_per_csm": 15}, "digital": "pooled"}``), bare or as the core's ``{"tiers":
/// {...}}``.
fn model_arg(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<CoverageModel> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(CoverageModel::default());
    };
    if value.is_instance_of::<PyString>() || value.cast::<PyMapping>().is_err() {
        return Err(crate::errors::argument_error(format!(
            "model must be None (the defaults) or a dict of targets per tier, e.g. \
             {{\"high_touch\": {{\"accounts_per_csm\": 15}}, \"digital\": \"pooled\"}}; got {}",
            type_name(value)
        )));
    }
    let m = value.cast::<PyMapping>()?;
    let wrapped =
        m.len()? == 1 && m.contains("tiers")? && m.get_item("tiers")?.cast::<PyMapping>().is_ok();
    let text = mapping_to_json(py, "model", value)?;
    let text = if wrapped {
        text
    } else {
        format!("{{\"tiers\": {text}}}")
    };
    call(py, || {
        serde_json::from_str::<CoverageModel>(&text)
            .map_err(|e| Error::Config(vec![format!("coverage model: {e}")]))
    })
}

/// `roster=`: None (every owner, serving the tier most of their accounts are in), a list of
/// dicts ``{"name", "tier", "fte"}``, or a DataFrame with those columns.
fn roster_arg(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<Csm>>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let records = if is_instance_of(py, value, "pandas", "DataFrame") {
        value.call_method1("to_dict", ("records",))?
    } else if is_instance_of(py, value, "polars", "DataFrame") {
        value.call_method0("to_dicts")?
    } else if is_instance_of(py, value, "pyarrow", "Table")
        || is_instance_of(py, value, "pyarrow", "RecordBatch")
    {
        value.call_method0("to_pylist")?
    } else if value.is_instance_of::<PyString>() || value.cast::<PyMapping>().is_ok() {
        return Err(crate::errors::argument_error(format!(
            "roster must be None or a list of dicts {{\"name\", \"tier\", \"fte\"}}; got {}",
            type_name(value)
        )));
    } else {
        py.get_type::<PyList>().call1((value,)).map_err(|_| {
            crate::errors::argument_error(format!(
                "roster must be None or a list of dicts {{\"name\", \"tier\", \"fte\"}}; got {}",
                type_name(value)
            ))
        })?
    };
    // A missing value (None, NaN: a DataFrame's empty `fte` cell) takes the default.
    let cleaned = PyList::empty(py);
    for record in records.try_iter()? {
        let record = record?;
        let Ok(m) = record.cast::<PyMapping>() else {
            cleaned.append(record)?; // reported by the core's reader, by position
            continue;
        };
        let d = PyDict::new(py);
        for item in m.items()?.iter() {
            let (k, v) = item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>()?;
            if !is_missing(&v) {
                d.set_item(k, v)?;
            }
        }
        cleaned.append(d)?;
    }
    let text = mapping_to_json(py, "roster", &cleaned)?;
    call(py, || {
        serde_json::from_str::<Vec<Csm>>(&text)
            .map(Some)
            .map_err(|e| Error::Config(vec![format!("roster: {e}")]))
    })
}

// Segmentation -----------------------------------------------------------------------------

/// The default coverage model as a dict: ``{"tiers": {"high_touch": {"accounts_per_csm":
/// 15}, "mid_touch": {"accounts_per_csm": 50}, "tech_touch": {"accounts_per_csm": 200},
/// "digital": "pooled"}}`` (the core's defaults, as Node's ``defaultCoverageModel()``).
#[pyfunction]
pub fn default_coverage_model(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_python(py, &CoverageModel::default())
}

/// Segment ``data``, a table of your own accounts: tier every row by ``rules`` (None: the
/// defaults), then coverage against ``model`` (None: the defaults) and a ``roster`` (None:
/// every owner, serving the tier most of their accounts are in), then the assignment plan.
/// Returns a ``csops.Segmentation``.
///
/// ``data`` (a pandas or polars DataFrame, or a dict of columns) needs ``id`` (or
/// ``account_id``: account ids), ``arr`` (ARR on the day, a number; accounts with none are
/// former customers, tiered but not covered) and ``owner_csm`` (text, None when unowned)
/// columns, an optional ``band`` (health band: ``red`` accounts are counted per CSM), and any
/// fields the rules read. Every column is read, so ``what_if`` can try rules on any of them.
/// ConfigError for an unknown field, a type mismatch or an invalid model or roster; the
/// work runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (data, rules = None, *, model = None, roster = None, frame = None))]
pub fn segment_table(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    rules: Option<&Bound<'_, PyAny>>,
    model: Option<&Bound<'_, PyAny>>,
    roster: Option<&Bound<'_, PyAny>>,
    frame: Option<&str>,
) -> PyResult<PySegmentation> {
    // The tables of the result: as asked, else the kind of `data` (a pandas, polars or pyarrow
    // table), else pandas.
    let kind = match frame {
        Some(_) => FrameKind::parse(py, frame)?,
        None if data.cast::<PyFeatureFrame>().is_ok() => FrameKind::Pandas,
        None => match FrameKind::of_input(py, kind_of(py, data, "data")?) {
            FrameKind::Dict => FrameKind::Pandas,
            k => k,
        },
    };
    let rules = rules_arg(py, rules)?;
    let model = model_arg(py, model)?;
    let roster = roster_arg(py, roster)?;
    let d = read_data(py, data, None, true)?;
    let (table, p) = call(py, || plan_given(&d, &rules, &model, roster))?;
    // The segmentation keeps the table its plan was made on (empty columns typed), for
    // `what_if` to try other rules on.
    let data = GivenTable {
        missing: d
            .missing
            .iter()
            .filter(|m| !table.columns.contains_key(*m))
            .cloned()
            .collect(),
        table,
        ..d
    };
    Ok(PySegmentation {
        data,
        rules,
        model,
        plan: p,
        as_of: None,
        frame: kind,
    })
}

/// The `Book` methods of segmentation (the rest of `Book` is `book.rs`'s).
#[pymethods]
impl PyBook {
    /// Every account as the condition language sees it on ``as_of`` (by default the book's
    /// latest date): a DataFrame, one row per account in book order, with one column per
    /// field a condition may name. Account fields (``id``, ``name``, ``owner_csm``,
    /// ``segment``, ``tier`` as recorded in the CRM, ``region``, ``industry``, ``plan``,
    /// ``currency``: text), ``arr`` (ARR on the day, reporting currency), ``seats``,
    /// ``term_months``, ``start_date`` and ``renewal_date`` (the next one on or after
    /// ``as_of``; text ``YYYY-MM-DD``, as conditions compare dates), ``days_to_renewal``,
    /// custom attributes (``attr.<name>``, text), every feature of that day
    /// (``feature_config`` as for ``features_as_of``) and, with a ``scorecard``, ``score``,
    /// ``band`` and ``coverage``. Numbers are float64 with NaN, text None where missing.
    #[pyo3(signature = (as_of = None, *, scorecard = None, feature_config = None, frame = None))]
    fn account_table<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'py, PyAny>>,
        scorecard: Option<&Bound<'py, PyScorecard>>,
        feature_config: Option<&Bound<'py, PyAny>>,
        frame: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        book_account_table(py, self, as_of, scorecard, feature_config, frame)
    }

    /// Segment the book on ``as_of`` (by default its latest date): tier every account by
    /// ``rules`` (a ``csops.TierRules`` or a dict; None: the defaults) on the fields of
    /// ``account_table`` (with ``scorecard``, also ``score``, ``band`` and ``coverage``), then
    /// each tier's coverage against ``model`` (targets per tier, e.g. ``{"high_touch":
    /// {"accounts_per_csm": 15}, "digital": "pooled"}``; None: the defaults), every CSM's
    /// load on ``roster`` (dicts ``{"name", "tier", "fte"}``; None: every owner, serving the
    /// tier most of their accounts are in), and the assignment plan. Returns a
    /// ``csops.Segmentation``. ConfigError naming the rule for an unknown field or a type
    /// mismatch, or for an invalid model or roster. Runs with the GIL released.
    #[pyo3(signature = (
        rules = None,
        *,
        model = None,
        roster = None,
        scorecard = None,
        as_of = None,
        feature_config = None,
        frame = None
    ))]
    #[allow(clippy::too_many_arguments)] // the keyword arguments of the Python method
    fn segment(
        &self,
        py: Python<'_>,
        rules: Option<&Bound<'_, PyAny>>,
        model: Option<&Bound<'_, PyAny>>,
        roster: Option<&Bound<'_, PyAny>>,
        scorecard: Option<&Bound<'_, PyScorecard>>,
        as_of: Option<&Bound<'_, PyAny>>,
        feature_config: Option<&Bound<'_, PyAny>>,
        frame: Option<&str>,
    ) -> PyResult<PySegmentation> {
        book_segment(
            py,
            self,
            rules,
            model,
            roster,
            scorecard,
            as_of,
            feature_config,
            frame,
        )
    }
}

/// `Book.account_table`.
pub(crate) fn book_account_table<'py>(
    py: Python<'py>,
    book: &PyBook,
    as_of: Option<&Bound<'py, PyAny>>,
    scorecard: Option<&Bound<'py, PyScorecard>>,
    feature_config: Option<&Bound<'py, PyAny>>,
    frame: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let as_of = as_of_or_latest(py, book, as_of)?;
    let cfg = features(py, feature_config)?;
    let kind = FrameKind::parse(py, frame)?;
    let card = scorecard.map(|c| &c.get().0);
    let inner = book.inner();
    let (table, feature_names) = call(py, || {
        let frame = features_as_of(inner, as_of, &cfg)?;
        let scores = card.map(|c| c.score_frame(&frame, None)).transpose()?;
        let table = account_table(inner, as_of, Some(&frame), scores.as_ref())?;
        Ok((
            table,
            frame
                .columns
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<String>>(),
        ))
    })?;
    table_frame(py, kind, &table, &feature_names)
}

/// The order of an account table's columns: the account's own fields, custom attributes,
/// features (in the frame's order), health, then anything else.
const ACCOUNT_FIELDS: [&str; 15] = [
    "id",
    "name",
    "owner_csm",
    "segment",
    "tier",
    "region",
    "industry",
    "plan",
    "currency",
    "arr",
    "seats",
    "term_months",
    "start_date",
    "renewal_date",
    "days_to_renewal",
];

/// A core table as a DataFrame (numbers float64 with NaN, text object with None, yes/no
/// pandas `boolean`), in the order of [`ACCOUNT_FIELDS`].
fn table_frame<'py>(
    py: Python<'py>,
    kind: FrameKind,
    table: &Table,
    feature_names: &[String],
) -> PyResult<Bound<'py, PyAny>> {
    let mut order: Vec<&str> = Vec::new();
    let attrs = table
        .columns
        .keys()
        .map(String::as_str)
        .filter(|k| k.starts_with("attr."));
    let candidates = ACCOUNT_FIELDS
        .iter()
        .copied()
        .chain(attrs)
        .chain(feature_names.iter().map(String::as_str))
        .chain(["score", "band", "coverage"])
        .chain(table.columns.keys().map(String::as_str));
    for name in candidates {
        if table.columns.contains_key(name) && !order.contains(&name) {
            order.push(name);
        }
    }
    let mut f = Frame::new(py);
    for name in order {
        match &table.columns[name] {
            Column::Number(v) => f.floats(name, v.iter().copied()),
            Column::Text(v) => f.texts(name, v.iter().map(Option::as_deref)),
            Column::Bool(v) => f.opt_bools(name, v.clone()),
        }
    }
    f.build(kind, "Book.account_table")
}

/// `Book.segment`.
#[allow(clippy::too_many_arguments)] // the keyword arguments of the Python method
pub(crate) fn book_segment(
    py: Python<'_>,
    book: &PyBook,
    rules: Option<&Bound<'_, PyAny>>,
    model: Option<&Bound<'_, PyAny>>,
    roster: Option<&Bound<'_, PyAny>>,
    scorecard: Option<&Bound<'_, PyScorecard>>,
    as_of: Option<&Bound<'_, PyAny>>,
    feature_config: Option<&Bound<'_, PyAny>>,
    frame: Option<&str>,
) -> PyResult<PySegmentation> {
    let kind = FrameKind::parse(py, frame)?;
    let rules = rules_arg(py, rules)?;
    let model = model_arg(py, model)?;
    let roster = roster_arg(py, roster)?;
    let as_of = as_of_or_latest(py, book, as_of)?;
    let cfg = features(py, feature_config)?;
    let card = scorecard.map(|c| &c.get().0);
    let inner = book.inner();
    let (table, p) = call(py, || {
        let table = book_table(inner, as_of, Some(&cfg), card)?;
        let p = plan(&table, &rules, &model, roster)?;
        Ok((table, p))
    })?;
    Ok(PySegmentation {
        data: GivenTable::from(table),
        rules,
        model,
        plan: p,
        as_of: Some(as_of),
        frame: kind,
    })
}

/// A target ratio as (kind, ratio): `accounts_per_csm`, `arr_per_csm` or `pooled` (NaN).
fn target(c: Capacity) -> (&'static str, f64) {
    (c.kind(), c.ratio().unwrap_or(f64::NAN))
}

/// A segmentation as plain data.
#[derive(Serialize)]
struct SegmentationView<'a> {
    as_of: Option<String>,
    rules: &'a TierRules,
    model: &'a CoverageModel,
    roster: &'a [Csm],
    roster_inferred: bool,
    account_ids: Vec<Option<&'a str>>,
    tiers: Vec<&'a str>,
    coverage: &'a Coverage,
    assignment: &'a Assignment,
}

/// Accounts tiered by rules, coverage of each tier against its target ratio, every CSM's
/// load, and the assignment plan that puts accounts with CSMs of their tier within
/// capacity. ``what_if`` tries other rules on the same accounts. Immutable.
#[pyclass(name = "Segmentation", module = "csops", frozen)]
#[derive(Debug)]
pub struct PySegmentation {
    data: GivenTable,
    rules: TierRules,
    model: CoverageModel,
    plan: Plan,
    as_of: Option<NaiveDate>,
    frame: FrameKind,
}

impl PySegmentation {
    fn ids(&self) -> Vec<Option<&str>> {
        match self.data.table.columns.get("id") {
            Some(Column::Text(v)) => v.iter().map(Option::as_deref).collect(),
            _ => vec![None; self.data.table.rows],
        }
    }

    fn arr(&self) -> Vec<f64> {
        match self.data.table.columns.get("arr") {
            Some(Column::Number(v)) => v.clone(),
            _ => vec![f64::NAN; self.data.table.rows],
        }
    }

    fn tier_names(&self) -> Vec<&str> {
        let names = self.rules.tiers();
        self.plan.tiers.iter().map(|&t| names[t]).collect()
    }
}

#[pymethods]
impl PySegmentation {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(
            py,
            &(
                &self.data,
                &self.rules,
                &self.model,
                &self.plan,
                self.as_of,
                self.frame,
            ),
        )
    }

    /// A pickled Segmentation.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        let (data, rules, model, plan, as_of, frame): (
            GivenTable,
            TierRules,
            CoverageModel,
            Plan,
            Option<NaiveDate>,
            FrameKind,
        ) = crate::convert::unpickle::<Self, _>(state)?;
        Ok(PySegmentation {
            data,
            rules,
            model,
            plan,
            as_of,
            frame,
        })
    }

    /// The day of the book's figures (None for ``segment_table``).
    #[getter]
    fn as_of<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date_opt(py, self.as_of, || "as_of".to_string())
    }

    /// The tier rules applied.
    #[getter]
    fn rules(&self) -> PyTierRules {
        PyTierRules(self.rules.clone())
    }

    /// The coverage model, in the core's form: ``{"tiers": {tier: {"accounts_per_csm": n} |
    /// {"arr_per_csm": x} | "pooled"}}``.
    #[getter]
    fn model<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.model)
    }

    /// The roster used (given, or the one implied by the owners): dicts ``{"name", "tier",
    /// "fte"}``, what ``roster=`` reads.
    #[getter]
    fn roster<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.plan.roster)
    }

    /// Every account (row), in order: ``account_id``, ``arr`` (former customers have none and
    /// are tiered but not covered or assigned) and ``tier`` (categorical, in rule order).
    #[getter]
    fn tiers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (kind, what) = (self.frame, "Segmentation.tiers");
        let names = self.rules.tiers();
        let mut f = Frame::new(py);
        f.list("account_id", self.ids())?;
        f.floats("arr", self.arr());
        f.category(
            "tier",
            &names,
            self.plan.tiers.iter().map(|&t| Some(t)),
            false,
        );
        f.build(kind, what)
    }

    /// One row per tier (rule order, then the default): ``tier``, ``accounts`` and ``arr``
    /// (customers in it), ``target`` (``accounts_per_csm``, ``arr_per_csm`` or ``pooled``),
    /// ``ratio`` (NaN when pooled), ``csms`` (FTE on the roster for it) and ``needed`` (CSMs
    /// it needs at the target, whole people).
    #[getter]
    fn coverage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (kind, what) = (self.frame, "Segmentation.coverage");
        let t = &self.plan.coverage.tiers;
        let mut f = Frame::new(py);
        f.tiers(
            "tier",
            &self.rules.tiers(),
            t.iter().map(|t| Some(t.tier.as_str())),
        );
        f.ints("accounts", t.iter().map(|t| t.accounts));
        f.floats("arr", t.iter().map(|t| t.arr));
        f.list("target", t.iter().map(|t| target(t.capacity).0))?;
        f.floats("ratio", t.iter().map(|t| target(t.capacity).1));
        f.floats("csms", t.iter().map(|t| t.csms));
        f.floats("needed", t.iter().map(|t| t.needed));
        f.build(kind, what)
    }

    /// One row per CSM on the roster, by name: ``csm``, ``tier`` (served), ``accounts`` and
    /// ``arr`` (owned customers), ``red_accounts`` (in the ``red`` band, when scored),
    /// ``off_tier`` (owned accounts of another tier), ``utilisation`` (load against capacity,
    /// 1.0 = at the target) and ``status`` (``over``, ``under`` below 80%, or ``ok``).
    #[getter]
    fn csms<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (kind, what) = (self.frame, "Segmentation.csms");
        let c = &self.plan.coverage.csms;
        let mut f = Frame::new(py);
        f.list("csm", c.iter().map(|c| c.csm.as_str()))?;
        f.tiers(
            "tier",
            &self.rules.tiers(),
            c.iter().map(|c| Some(c.tier.as_str())),
        );
        f.ints("accounts", c.iter().map(|c| c.accounts));
        f.floats("arr", c.iter().map(|c| c.arr));
        f.ints("red_accounts", c.iter().map(|c| c.red_accounts));
        f.ints("off_tier", c.iter().map(|c| c.off_tier));
        f.floats("utilisation", c.iter().map(|c| c.utilisation));
        f.list("status", c.iter().map(|c| c.status.as_str()))?;
        f.build(kind, what)
    }

    /// Customers without an owner, in tiers that are not pooled.
    #[getter]
    fn unowned(&self) -> u64 {
        self.plan.coverage.unowned
    }

    /// Owners not on the roster, with their customer counts.
    #[getter]
    fn unknown_owners(&self) -> BTreeMap<&str, u64> {
        self.plan
            .coverage
            .unknown_owners
            .iter()
            .map(|u| (u.owner.as_str(), u.accounts))
            .collect()
    }

    /// Every move of the assignment plan, largest ARR first: ``account_id``, ``tier``,
    /// ``from`` and ``to`` (owners before and after; ``to`` None when released to the pool or
    /// not placed) and ``reason``.
    #[getter]
    fn assignment<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (kind, what) = (self.frame, "Segmentation.assignment");
        let m = &self.plan.assignment.moves;
        let mut f = Frame::new(py);
        f.list("account_id", m.iter().map(|m| m.account_id.as_str()))?;
        f.tiers(
            "tier",
            &self.rules.tiers(),
            m.iter().map(|m| Some(m.tier.as_str())),
        );
        f.list("from", m.iter().map(|m| m.from.as_deref()))?;
        f.list("to", m.iter().map(|m| m.to.as_deref()))?;
        f.list("reason", m.iter().map(|m| m.reason.as_str()))?;
        f.build(kind, what)
    }

    /// Accounts that could not be placed (no CSM of their tier has room); they are also in
    /// ``assignment``.
    #[getter]
    fn unplaced(&self) -> u64 {
        self.plan.assignment.unplaced
    }

    /// Every account (row), in order, after the plan: ``account_id``, ``tier``,
    /// ``owner_csm`` (before) and ``owner`` (after; None when pooled or not placed).
    #[getter]
    fn owners<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (kind, what) = (self.frame, "Segmentation.owners");
        let names = self.rules.tiers();
        let before: Vec<Option<&str>> = match self.data.table.columns.get("owner_csm") {
            Some(Column::Text(v)) => v.iter().map(Option::as_deref).collect(),
            _ => vec![None; self.data.table.rows],
        };
        let mut f = Frame::new(py);
        f.list("account_id", self.ids())?;
        f.category(
            "tier",
            &names,
            self.plan.tiers.iter().map(|&t| Some(t)),
            false,
        );
        f.list("owner_csm", before)?;
        f.list(
            "owner",
            self.plan.assignment.owners.iter().map(Option::as_deref),
        )?;
        f.build(kind, what)
    }

    /// What other tier rules would do to the same accounts: which change tier, and the
    /// accounts and CSMs each tier would need (at this segmentation's coverage model, or
    /// ``model``). ``rules`` is a ``csops.TierRules`` or a dict. Returns a ``csops.WhatIf``.
    #[pyo3(signature = (rules, *, model = None))]
    fn what_if(
        &self,
        py: Python<'_>,
        rules: &Bound<'_, PyAny>,
        model: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyWhatIf> {
        if rules.is_none() {
            return Err(crate::errors::argument_error(
                "rules must be a csops.TierRules or a dict; got None",
            ));
        }
        let after = rules_arg(py, Some(rules))?;
        let model = match model.filter(|m| !m.is_none()) {
            Some(m) => model_arg(py, Some(m))?,
            None => self.model.clone(),
        };
        let (data, before) = (&self.data, &self.rules);
        let w = call(py, || what_if_given(data, before, &after, &model))?;
        Ok(PyWhatIf(w, self.frame))
    }

    /// The segmentation as plain data: ``as_of``, ``rules``, ``model``, ``roster``,
    /// ``roster_inferred``, ``account_ids`` and ``tiers`` (one per row), and the core's
    /// ``coverage`` and ``assignment``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(
            py,
            &SegmentationView {
                as_of: self.as_of.map(|d| d.to_string()),
                rules: &self.rules,
                model: &self.model,
                roster: &self.plan.roster,
                roster_inferred: self.plan.roster_inferred,
                account_ids: self.ids(),
                tiers: self.tier_names(),
                coverage: &self.plan.coverage,
                assignment: &self.plan.assignment,
            },
        )
    }

    fn __repr__(&self) -> String {
        self.plan.render(&self.rules, self.as_of)
    }

    /// An HTML rendering for Jupyter: tiers, CSMs and the first moves.
    fn _repr_html_(&self) -> String {
        self.plan.render_html(&self.rules, self.as_of)
    }
}

// What-if ----------------------------------------------------------------------------------

/// What a change of tier rules does: the accounts that change tier, and per tier the
/// accounts and CSMs needed before and after. ``len()`` is the number of changes.
#[pyclass(name = "WhatIf", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyWhatIf(WhatIf, FrameKind);

#[pymethods]
impl PyWhatIf {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(py, &(&self.0, self.1))
    }

    /// A pickled WhatIf.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        let (w, frame): (WhatIf, FrameKind) = crate::convert::unpickle::<Self, _>(state)?;
        Ok(PyWhatIf(w, frame))
    }

    /// The accounts changing tier: ``account_id``, ``before``, ``after``.
    #[getter]
    fn changes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (kind, what) = (self.1, "WhatIf.changes");
        let c = &self.0.changes;
        let mut f = Frame::new(py);
        f.list("account_id", c.iter().map(|c| c.account_id.as_str()))?;
        f.list("before", c.iter().map(|c| c.before.as_str()))?;
        f.list("after", c.iter().map(|c| c.after.as_str()))?;
        f.build(kind, what)
    }

    /// Per tier (of either set of rules): ``tier``, ``accounts_before``, ``accounts_after``,
    /// ``needed_before``, ``needed_after`` (CSMs at the target ratio).
    #[getter]
    fn tiers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (kind, what) = (self.1, "WhatIf.tiers");
        let t = &self.0.tiers;
        let mut f = Frame::new(py);
        f.list("tier", t.iter().map(|t| t.tier.as_str()))?;
        f.ints("accounts_before", t.iter().map(|t| t.accounts_before));
        f.ints("accounts_after", t.iter().map(|t| t.accounts_after));
        f.floats("needed_before", t.iter().map(|t| t.needed_before));
        f.floats("needed_after", t.iter().map(|t| t.needed_after));
        f.build(kind, what)
    }

    /// The comparison as plain data (the core's ``changes`` and ``tiers``, as lists).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    fn __len__(&self) -> usize {
        self.0.changes.len()
    }

    fn __repr__(&self) -> String {
        self.0.render()
    }

    /// An HTML rendering for Jupyter: the per-tier table.
    fn _repr_html_(&self) -> String {
        self.0.render_html()
    }
}

/// Add the classes and functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCondition>()?;
    m.add_class::<PyTierRules>()?;
    m.add_class::<PySegmentation>()?;
    m.add_class::<PyWhatIf>()?;
    m.add_function(wrap_pyfunction!(segment_table, m)?)?;
    m.add_function(wrap_pyfunction!(default_coverage_model, m)?)?;
    Ok(())
}
