//! Options into the core's option types (`csops_core::options`): the Python values a user
//! wrote become a JSON-like value, translating only what JSON lacks, and the core reads,
//! defaults and checks them. Nothing here knows an option's name, default or grammar.
//!
//! Translations: `None` → null; `bool`, `int`, `float` (numpy scalars too), `str` as they
//! are; a non-finite float is an `ArgumentError` (JSON has no such number, and dropping it
//! would turn it into "not given"); a
//! `datetime.date` (or `datetime`, its day) → `YYYY-MM-DD`; an `os.PathLike` → its text; a
//! class instance as the module owning it reads it (a `csops.Recalibration` → its probability
//! mapping, where a caller passes that reader); anything with `.items()` (a dict, a pandas Series) → an object with
//! text keys; a list or tuple → a list.

use csops_core::Error;
use csops_core::options::{Casing, MAX_DEPTH, from_value, not_finite, too_deep};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

use chrono::NaiveDate;
use csops_core::features::FeatureConfig;
use csops_core::options::{Document, from_argument};
use pyo3::sync::PyOnceLock;

use crate::convert::date_value;
use crate::convert::type_name;
use crate::errors::{call_with_gil, config_error, to_py_err};

/// Read keyword arguments as the core option type `T`: the arguments given (not None)
/// become the fields of one object.
pub fn from_kwargs<T: DeserializeOwned>(
    py: Python<'_>,
    kwargs: &[(&str, Option<&Bound<'_, PyAny>>)],
) -> PyResult<T> {
    from_kwargs_with(py, kwargs, None)
}

/// A class instance given where data is expected, as the data it stands for (a
/// `csops.Recalibration` given as a probability mapping), or `None` when the value is no such
/// instance; the second argument is where it stands, for an error. The module that owns the
/// class reads it, so this module knows no class.
pub(crate) type Instance = fn(&Bound<'_, PyAny>, &str) -> Option<PyResult<Value>>;

/// [`from_kwargs`], with class instances read by `instance`.
pub fn from_kwargs_with<T: DeserializeOwned>(
    py: Python<'_>,
    kwargs: &[(&str, Option<&Bound<'_, PyAny>>)],
    instance: Option<Instance>,
) -> PyResult<T> {
    let mut object = Map::new();
    for (name, value) in kwargs {
        if let Some(v) = value.filter(|v| !v.is_none()) {
            object.insert(
                (*name).to_string(),
                value_of_with(py, name, v, 0, instance)?,
            );
        }
    }
    from_value(Value::Object(object), Casing::Snake).map_err(|e| to_py_err(py, e))
}

/// A Python value as a JSON-like value; `path` names it in an error, `depth` is how deep it
/// sits (at most [`MAX_DEPTH`]: a circular dict is an error, not a stack overflow).
pub fn value_of(py: Python<'_>, path: &str, v: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    value_of_with(py, path, v, depth, None)
}

/// [`value_of`], with class instances read by `instance`.
fn value_of_with(
    py: Python<'_>,
    path: &str,
    v: &Bound<'_, PyAny>,
    depth: usize,
    instance: Option<Instance>,
) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(to_py_err(py, too_deep(path)));
    }
    let invalid = |reason: String| {
        to_py_err(
            py,
            Error::InvalidArgument {
                path: path.to_string(),
                reason,
            },
        )
    };
    if v.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if v.is_instance_of::<PyInt>() {
        return if let Ok(i) = v.extract::<i64>() {
            Ok(Value::from(i))
        } else if let Ok(u) = v.extract::<u64>() {
            Ok(Value::from(u))
        } else {
            Err(invalid(format!("the integer {v} is out of range")))
        };
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if v.is_instance_of::<PyDateTime>() || v.is_instance_of::<PyDate>() {
        let day = if v.is_instance_of::<PyDateTime>() {
            v.call_method0("date")?
        } else {
            v.clone()
        };
        return Ok(Value::String(day.call_method0("isoformat")?.extract()?));
    }
    if let Some(read) = instance.and_then(|f| f(v, path)) {
        return read;
    }
    // A path object is its text (the core tells a configuration file's path by its name).
    if v.hasattr("__fspath__")? {
        let path: std::path::PathBuf = v.extract()?;
        return path
            .to_str()
            .map(|s| Value::String(s.to_string()))
            .ok_or_else(|| invalid(format!("the path {} is not UTF-8", path.display())));
    }
    if v.is_instance_of::<PyDict>() || v.hasattr("items")? {
        let mut out = Map::new();
        for item in v.call_method0("items")?.try_iter()? {
            let (k, x): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
            let Ok(key) = k.cast::<PyString>() else {
                return Err(invalid(format!(
                    "keys must be text, not {} ({k})",
                    type_name(&k)
                )));
            };
            let key = key.to_cow()?.into_owned();
            let x = value_of_with(py, &format!("{path}.{key}"), &x, depth + 1, instance)?;
            out.insert(key, x);
        }
        return Ok(Value::Object(out));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        return v
            .try_iter()?
            .enumerate()
            .map(|(i, x)| value_of_with(py, &format!("{path}[{i}]"), &x?, depth + 1, instance))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    // numpy and other numbers: integers by `__index__`, else by `__float__`.
    if v.hasattr("__index__")?
        && let Ok(i) = v.extract::<i64>()
    {
        return Ok(Value::from(i));
    }
    if v.is_instance_of::<PyFloat>() || v.hasattr("__float__")? {
        let x: f64 = v.extract()?;
        return Number::from_f64(x)
            .map(Value::Number)
            .ok_or_else(|| to_py_err(py, not_finite(path, x)));
    }
    Err(invalid(format!(
        "a {} is not an option value (expected text, a number, a day, a dict or a list)",
        type_name(v)
    )))
}

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

/// `as_of=`: a `datetime.date` (a `datetime` counts as its date) or an ISO `YYYY-MM-DD` string.
/// Another type is a `TypeError`; a string that is not a day a `ConfigError` (a `ValueError`).
pub fn as_of_date(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<NaiveDate> {
    day(py, "as_of", value)
}

/// A day argument named `what`: a `datetime.date` (a `datetime` counts as its date) or an ISO
/// `YYYY-MM-DD` string; TypeError for another type, ConfigError for text that is not a day.
pub(crate) fn day(py: Python<'_>, what: &str, value: &Bound<'_, PyAny>) -> PyResult<NaiveDate> {
    if !value.is_instance_of::<PyString>() && !value.is_instance_of::<PyDate>() {
        return Err(crate::errors::argument_error(format!(
            "{what} must be a datetime.date, a datetime.datetime or a YYYY-MM-DD string; got {}",
            type_name(value)
        )));
    }
    date_value(what, value).map_err(|problem| config_error(py, problem))
}

/// A count of days or quarters: a non-negative integer that fits the core's `u32`.
pub(crate) fn count(py: Python<'_>, name: &str, value: i64) -> PyResult<u32> {
    u32::try_from(value).map_err(|_| {
        config_error(
            py,
            format!("{name} must be between 0 and {}, got {value}", u32::MAX),
        )
    })
}

/// `feature_config=`: None, a dict, TOML or JSON text (as `Book.features_as_of(config=)`);
/// TypeError for another type, ConfigError for invalid settings.
pub(crate) fn feature_config_arg(
    py: Python<'_>,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<FeatureConfig> {
    if let Some(v) = value.filter(|v| !v.is_none())
        && !v.is_instance_of::<PyDict>()
        && !v.is_instance_of::<PyString>()
        && !v.hasattr("__fspath__")?
    {
        return Err(crate::errors::argument_error(format!(
            "feature_config must be None, a dict, TOML text, JSON text or the path of a .toml \
             or .json file; got {}",
            type_name(v)
        )));
    }
    feature_config(py, value)
}
