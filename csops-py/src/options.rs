//! Options into the core's option types (`csops_core::options`): the Python values a user
//! wrote become a JSON-like value, translating only what JSON lacks, and the core reads,
//! defaults and checks them. Nothing here knows an option's name, default or grammar.
//!
//! Translations: `None` → null; `bool`, `int`, `float` (numpy scalars too), `str` as they
//! are; a non-finite float is an `ArgumentError` (JSON has no such number, and dropping it
//! would turn it into "not given"); a
//! `datetime.date` (or `datetime`, its day) → `YYYY-MM-DD`; an `os.PathLike` → its text; a `csops.Recalibration` → its
//! probability mapping; anything with `.items()` (a dict, a pandas Series) → an object with
//! text keys; a list or tuple → a list.

use csops_core::Error;
use csops_core::options::{Casing, MAX_DEPTH, from_value, not_finite, too_deep};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

use crate::backtest::PyRecalibration;
use crate::errors::to_py_err;
use crate::table::type_name;

/// Read keyword arguments as the core option type `T`: the arguments given (not None)
/// become the fields of one object.
pub fn from_kwargs<T: DeserializeOwned>(
    py: Python<'_>,
    kwargs: &[(&str, Option<&Bound<'_, PyAny>>)],
) -> PyResult<T> {
    let mut object = Map::new();
    for (name, value) in kwargs {
        if let Some(v) = value.filter(|v| !v.is_none()) {
            object.insert((*name).to_string(), value_of(py, name, v, 0)?);
        }
    }
    from_value(Value::Object(object), Casing::Snake).map_err(|e| to_py_err(py, e))
}

/// A Python value as a JSON-like value; `path` names it in an error, `depth` is how deep it
/// sits (at most [`MAX_DEPTH`]: a circular dict is an error, not a stack overflow).
pub fn value_of(py: Python<'_>, path: &str, v: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
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
    if let Ok(rc) = v.cast::<PyRecalibration>() {
        return serde_json::to_value(&rc.get().0.probability)
            .map_err(|e| invalid(format!("its probability mapping: {e}")));
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
            let x = value_of(py, &format!("{path}.{key}"), &x, depth + 1)?;
            out.insert(key, x);
        }
        return Ok(Value::Object(out));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        return v
            .try_iter()?
            .enumerate()
            .map(|(i, x)| value_of(py, &format!("{path}[{i}]"), &x?, depth + 1))
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
