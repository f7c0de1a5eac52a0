//! Conversions between Python values and the core's types that several classes share.

use chrono::NaiveDate;
use csops_core::features::FeatureConfig;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDate, PyDict, PyList, PyString};

use csops_core::options::{Casing, Document, Tree, from_argument, to_tree};

use crate::errors::{call_with_gil, config_error, to_py_err};

static JSON_DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static JSON_DEFAULT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// What `json.dumps` does with values JSON has no type for: days and times as ISO text,
/// `Decimal` as its exact text, numpy scalars as their Python value.
const JSON_DEFAULT_SOURCE: &std::ffi::CStr = cr#"
import datetime as _dt
import decimal as _decimal


def default(o):
    if isinstance(o, (_dt.date, _dt.datetime, _dt.time)):
        return o.isoformat()
    if isinstance(o, _decimal.Decimal):
        return str(o)
    if type(o).__module__ == "numpy" and hasattr(o, "item"):
        return o.item()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")
"#;

/// A serialisable core value as plain Python data (dicts, lists, str, int, float, bool,
/// None), through its serde form, so the Python shape follows the core's own field names
/// and order. Numbers that are not finite stay `inf` or `nan` (JSON would lose them).
pub fn to_python<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let tree = to_tree(value, Casing::Snake).map_err(|e| to_py_err(py, e))?;
    tree_to_python(py, tree)
}

/// One [`Tree`] as Python data.
fn tree_to_python(py: Python<'_>, tree: Tree) -> PyResult<Bound<'_, PyAny>> {
    Ok(match tree {
        Tree::Null => py.None().into_bound(py),
        Tree::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
        Tree::Int(i) => i.into_pyobject(py)?.into_any(),
        Tree::UInt(u) => u.into_pyobject(py)?.into_any(),
        Tree::Float(x) => x.into_pyobject(py)?.into_any(),
        Tree::Text(s) => PyString::new(py, &s).into_any(),
        Tree::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(tree_to_python(py, item)?)?;
            }
            list.into_any()
        }
        Tree::Map(fields) => {
            let dict = PyDict::new(py);
            for (k, v) in fields {
                dict.set_item(k, tree_to_python(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// A core value that serialises as a plain string (a serde unit enum) as that string.
pub fn enum_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A Python mapping as JSON text (for the core's `from_json` parsers): `datetime.date` and
/// `datetime` values as ISO text, `Decimal` as its exact text, numpy scalars as numbers; a
/// value JSON cannot hold (NaN, another type) is a `ConfigError` naming `what`.
pub fn mapping_to_json(py: Python<'_>, what: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("allow_nan", false)?;
    let default = JSON_DEFAULT.get_or_try_init(py, || {
        PyModule::from_code(py, JSON_DEFAULT_SOURCE, c"csops/_json.py", c"csops._json")
            .and_then(|m| m.getattr("default"))
            .map(Bound::unbind)
    })?;
    kwargs.set_item("default", default.bind(py))?;
    JSON_DUMPS
        .import(py, "json", "dumps")?
        .call((value,), Some(&kwargs))
        .and_then(|text| text.extract::<String>())
        .map_err(|e| config_error(py, format!("{what}: {e}")))
}

/// The type name of a Python value, for messages.
fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string())
}

/// A configuration document argument: None, a dict, its TOML or JSON text, or the path of a
/// `.toml` or `.json` file (a one-line str, or an `os.PathLike`), as the core's one rule
/// reads it ([`Document`]); the core then parses and validates it. `what` names the argument
/// in errors (a value of another type is an `ArgumentError`).
pub fn document(
    py: Python<'_>,
    what: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Document>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let json = crate::options::value_of(py, what, value, 0)?;
    from_argument(what, json, Casing::Snake)
        .map(Some)
        .map_err(|e| to_py_err(py, e))
}

/// `config=`: None (the defaults), or a feature configuration document (see [`document`]).
pub fn feature_config(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<FeatureConfig> {
    match document(py, "config", value)? {
        Some(d) => call_with_gil(py, || {
            d.read(FeatureConfig::from_json, FeatureConfig::from_toml)
        }),
        None => Ok(FeatureConfig::default()),
    }
}

/// A core date as a `datetime.date`. The core's dates span far more years than Python's
/// (1 to 9999); a date outside them is a `ValueError` saying which value it was.
pub fn py_date<'py>(
    py: Python<'py>,
    date: NaiveDate,
    what: impl FnOnce() -> String,
) -> PyResult<Bound<'py, PyAny>> {
    date.into_pyobject(py).map(Bound::into_any).map_err(|e| {
        PyValueError::new_err(format!(
            "{}: {date} cannot be a Python date ({e}); Python dates span years 1 to 9999",
            what()
        ))
    })
}

/// An optional core date as a `datetime.date` or None (see [`py_date`]).
pub fn py_date_opt<'py>(
    py: Python<'py>,
    date: Option<NaiveDate>,
    what: impl FnOnce() -> String,
) -> PyResult<Bound<'py, PyAny>> {
    match date {
        Some(d) => py_date(py, d, what),
        None => Ok(py.None().into_bound(py)),
    }
}

/// `as_of=`: a `datetime.date` (a `datetime` counts as its date) or an ISO `YYYY-MM-DD` string.
/// Another type is a `TypeError`; a string that is not a day a `ConfigError` (a `ValueError`).
pub fn as_of_date(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<NaiveDate> {
    crate::revenue::day(py, "as_of", value)
}

/// A day argument named `what`: a `datetime.date` (a `datetime` counts as its date) or an ISO
/// `YYYY-MM-DD` string; the error is the problem's text.
pub fn date_value(what: &str, value: &Bound<'_, PyAny>) -> Result<NaiveDate, String> {
    if let Ok(s) = value.cast::<PyString>() {
        let s = s.to_cow().map_err(|e| format!("{what}: {e}"))?;
        return csops_core::interchange::parse_day(&s).map_err(|e| format!("{what}: {e}"));
    }
    if value.is_instance_of::<PyDate>() {
        return value
            .extract::<NaiveDate>()
            .map_err(|e| format!("{what}: {e}"));
    }
    Err(format!(
        "{what} must be a datetime.date or a YYYY-MM-DD string; got {}",
        type_name(value)
    ))
}

/// The FX rates behind a figure as a list of dicts: ``currency`` (str), ``rate``
/// (``Decimal``, reporting-currency units per unit) and ``from`` (the ``datetime.date`` a dated
/// rate took effect, or None). Empty when the book has no FX table or nothing was converted.
pub fn rates_used<'py>(
    py: Python<'py>,
    rates: Option<&csops_core::money::RatesUsed>,
) -> PyResult<Bound<'py, pyo3::types::PyList>> {
    let out = pyo3::types::PyList::empty(py);
    for r in rates.map(|r| r.rates.as_slice()).unwrap_or_default() {
        let d = PyDict::new(py);
        d.set_item("currency", r.currency.code())?;
        d.set_item("rate", r.rate)?;
        d.set_item("from", py_date_opt(py, r.from, || "from".into())?)?;
        out.append(d)?;
    }
    Ok(out)
}
